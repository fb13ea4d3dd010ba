//! Loops that read or write through computed offsets: advanced indexing (`take`, `put`) and
//! `gather` / `scatter_add` along one dimension.
//!
//! Advanced indexing sees the indexed tensor as rows: row `r = o * B + b` starts at
//! `outer_offset(o) + offsets[b]`, where `o` runs over the dimensions before the indexed ones and
//! `offsets` holds one precomputed offset per index position `b`; each row is an "inner" block
//! over the dimensions after them. The other operand (the result of `take`, the values of
//! `put`) is a plain strided tensor over the same rows and inner block.

use super::elementwise::Raw;
use super::parallel::{install, worth_parallel, PARALLEL_THRESHOLD};
use super::strided::for_each_run;
use super::SendPtr;
use crate::layout::{coalesce, Strides};

/// Where the rows of an indexed operand start (see the module docs).
pub struct Rows<'a> {
    pub outer_shape: &'a [usize],
    pub outer_strides: &'a [usize],
    pub offsets: &'a [usize],
    pub inner_shape: &'a [usize],
    pub inner_strides: &'a [usize],
}

impl Rows<'_> {
    pub fn count(&self) -> usize {
        self.outer_shape.iter().product::<usize>() * self.offsets.len()
    }

    fn start(&self, row: usize) -> usize {
        let b = self.offsets.len();
        unravel(row / b, self.outer_shape, self.outer_strides) + self.offsets[row % b]
    }
}

/// Offset of row-major position `pos` of `shape` under `strides`.
fn unravel(mut pos: usize, shape: &[usize], strides: &[usize]) -> usize {
    let mut off = 0;
    for d in (0..shape.len()).rev() {
        off += (pos % shape[d]) * strides[d];
        pos /= shape[d];
    }
    off
}

/// Calls `f(indexed_offset, plain_offset, len, indexed_stride, plain_stride)` for every run of
/// the inner blocks of rows `start..end`. The plain operand's rows are laid out by
/// (`plain_rows.0` shape, `plain_rows.1` strides), its inner block by `plain_inner` strides.
fn for_each_row_run(
    rows: &Rows,
    plain_rows: (&[usize], &[usize]),
    plain_inner: &[usize],
    start: usize,
    end: usize,
    mut f: impl FnMut(usize, usize, usize, usize, usize),
) {
    let inner_n: usize = rows.inner_shape.iter().product();
    if inner_n == 0 {
        return;
    }
    let (shape, [si, sp]) = coalesce(rows.inner_shape, [rows.inner_strides, plain_inner]);
    let strides: [Strides; 2] = [si, sp];
    let last = shape.len() - 1;
    let (ri, rp) = (strides[0][last], strides[1][last]);
    for r in start..end {
        let (xi, xp) = (rows.start(r), unravel(r, plain_rows.0, plain_rows.1));
        if inner_n == 1 {
            f(xi, xp, 1, 0, 0);
            continue;
        }
        for_each_run(&shape, &strides, 0, inner_n, |_, len, [oi, op]| {
            f(xi + oi, xp + op, len, ri, rp)
        });
    }
}

/// Runs `f(start_row, end_row)` over `0..rows`, in parallel when `rows * row_len` elements are
/// worth it. `f` must only write rows of its own range.
pub fn par_rows(rows: usize, row_len: usize, f: impl Fn(usize, usize) + Sync + Send) {
    let work = rows.saturating_mul(row_len.max(1));
    if rows < 2 || !worth_parallel(work) {
        if rows > 0 {
            f(0, rows);
        }
        return;
    }
    let per_chunk = (PARALLEL_THRESHOLD / 4 / row_len.max(1)).max(1);
    let chunks = rows.div_ceil(per_chunk).min(rows);
    let size = rows.div_ceil(chunks);
    install(|| {
        use rayon::prelude::*;
        (0..chunks).into_par_iter().for_each(|c| {
            let (s, e) = (c * size, ((c + 1) * size).min(rows));
            if s < e {
                f(s, e);
            }
        });
    });
}

/// `out[r, i] = src[rows(r) + i]`: the rows of `src` copied into the contiguous `out`.
///
/// # Safety
/// Every offset `rows` describes must be a valid element of `src`; `out` must hold
/// `rows.count() * inner numel` elements.
pub unsafe fn take<T: Copy + Send + Sync>(src: *const T, rows: &Rows, out: *mut T) {
    let n = rows.count();
    let inner_n: usize = rows.inner_shape.iter().product();
    let (src, out) = (SendPtr(src as *mut T), SendPtr(out));
    if inner_n == 1 && rows.outer_shape.iter().product::<usize>() == 1 {
        // One element per index position (`y_hat[range(n), y]`, `x[mask]`): a plain gather.
        par_rows(n, 1, |s, e| {
            for (k, &off) in rows.offsets[s..e].iter().enumerate() {
                // SAFETY: every offset is a valid element of `src` (the caller's contract) and
                // `out` holds `n` elements, each written by one chunk.
                unsafe { *out.get().add(s + k) = *src.get().add(off) };
            }
        });
        return;
    }
    let plain_inner = crate::layout::contiguous_strides(rows.inner_shape);
    par_rows(n, inner_n, |s, e| {
        for_each_row_run(
            rows,
            (&[n], &[inner_n]),
            &plain_inner,
            s,
            e,
            |xi, xp, len, si, sp| {
                for k in 0..len {
                    // SAFETY: offsets are valid by the caller's contract; rows are disjoint
                    // parts of `out`.
                    unsafe { *out.get().add(xp + k * sp) = *src.get().add(xi + k * si) };
                }
            },
        )
    });
}

/// `dst[rows(r) + i] = combine(dst[...], values[r, i])` in row order (so that with repeated
/// indices the last write wins, or every value is accumulated).
///
/// # Safety
/// Every offset `rows` describes must be a valid element of `dst`; `values` must be valid over
/// (`value_rows`, `value_inner`) and must not share memory with `dst`.
pub unsafe fn put<T: Copy>(
    dst: *mut T,
    rows: &Rows,
    values: *const T,
    value_rows: (&[usize], &[usize]),
    value_inner: &[usize],
    combine: impl Fn(T, T) -> T,
) {
    let n = rows.count();
    for_each_row_run(
        rows,
        value_rows,
        value_inner,
        0,
        n,
        |xi, xp, len, si, sp| {
            for k in 0..len {
                // SAFETY: as documented above.
                unsafe {
                    let d = dst.add(xi + k * si);
                    *d = combine(*d, *values.add(xp + k * sp));
                }
            }
        },
    );
}

/// `out[p] = src[p'] ` where `p'` is `p` with its coordinate along the gathered dimension
/// replaced by `index[p]` (`torch.gather`). `src.strides` has 0 at that dimension and
/// `dim_stride` is its real stride.
///
/// # Safety
/// All operands valid over `shape`; every index in `[0, size of the dimension)`.
pub unsafe fn gather_dim<T: Copy + Send + Sync>(
    shape: &[usize],
    out: (*mut T, &[usize]),
    src: Raw<'_, T>,
    dim_stride: usize,
    index: Raw<'_, i64>,
) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    let (shape, [so, ss, sx]) = coalesce(shape, [out.1, src.strides, index.strides]);
    let strides: [Strides; 3] = [so, ss, sx];
    let last = shape.len() - 1;
    let (io, is, ix) = (strides[0][last], strides[1][last], strides[2][last]);
    let (po, ps, px) = (
        SendPtr(out.0),
        SendPtr(src.ptr as *mut T),
        SendPtr(index.ptr as *mut i64),
    );
    super::parallel::for_each_chunk(numel, |start, end| {
        for_each_run(&shape, &strides, start, end, |_, len, [oo, os, ox]| {
            for k in 0..len {
                // SAFETY: the caller guarantees valid operands and in-range indices.
                unsafe {
                    let i = *px.get().add(ox + k * ix) as usize;
                    *po.get().add(oo + k * io) = *ps.get().add(os + k * is + i * dim_stride);
                }
            }
        });
    });
}

/// `dst[p'] = combine(dst[p'], src[p])` with `p'` as in [`gather_dim`] (`scatter_add_`), serially.
///
/// # Safety
/// As for [`gather_dim`], with `dst` in the role of `src`; `src` must not overlap `dst`.
pub unsafe fn scatter_dim<T: Copy>(
    shape: &[usize],
    dst: (*mut T, &[usize]),
    dim_stride: usize,
    index: Raw<'_, i64>,
    src: Raw<'_, T>,
    combine: impl Fn(T, T) -> T,
) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    let (shape, [sd, sx, ss]) = coalesce(shape, [dst.1, index.strides, src.strides]);
    let strides: [Strides; 3] = [sd, sx, ss];
    let last = shape.len() - 1;
    let (id, ix, is) = (strides[0][last], strides[1][last], strides[2][last]);
    for_each_run(&shape, &strides, 0, numel, |_, len, [od, ox, os]| {
        for k in 0..len {
            // SAFETY: the caller guarantees valid operands and in-range indices.
            unsafe {
                let i = *index.ptr.add(ox + k * ix) as usize;
                let d = dst.0.add(od + k * id + i * dim_stride);
                *d = combine(*d, *src.ptr.add(os + k * is));
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_rows_of_a_matrix() {
        // src is a 3x4 matrix; take rows 2 and 0, all columns.
        let src: Vec<i32> = (0..12).collect();
        let rows = Rows {
            outer_shape: &[],
            outer_strides: &[],
            offsets: &[8, 0],
            inner_shape: &[4],
            inner_strides: &[1],
        };
        let mut out = vec![0; 8];
        // SAFETY: offsets 8..12 and 0..4 are inside `src`; `out` holds 8 elements.
        unsafe { take(src.as_ptr(), &rows, out.as_mut_ptr()) };
        assert_eq!(out, vec![8, 9, 10, 11, 0, 1, 2, 3]);
    }

    #[test]
    fn put_accumulates_repeated_indices() {
        let mut dst = vec![0i64; 3];
        let rows = Rows {
            outer_shape: &[],
            outer_strides: &[],
            offsets: &[1, 1, 2],
            inner_shape: &[],
            inner_strides: &[],
        };
        let values = [5i64, 6, 7];
        // SAFETY: offsets are inside `dst`; `values` has one element per row.
        unsafe {
            put(
                dst.as_mut_ptr(),
                &rows,
                values.as_ptr(),
                (&[3], &[1]),
                &[],
                |a, b| a + b,
            )
        };
        assert_eq!(dst, vec![0, 11, 7]);
    }

    #[test]
    fn gather_along_columns() {
        // src 2x3, index 2x2 along dim 1
        let src = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let index = [2i64, 0, 1, 1];
        let mut out = [0.0f32; 4];
        // SAFETY: indices are < 3; strides stay inside the arrays.
        unsafe {
            gather_dim(
                &[2, 2],
                (out.as_mut_ptr(), &[2, 1]),
                Raw {
                    ptr: src.as_ptr(),
                    strides: &[3, 0],
                },
                1,
                Raw {
                    ptr: index.as_ptr(),
                    strides: &[2, 1],
                },
            )
        };
        assert_eq!(out, [3.0, 1.0, 5.0, 5.0]);
    }
}
