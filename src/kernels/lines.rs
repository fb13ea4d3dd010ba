//! Kernels that transform every line along one dimension of a contiguous tensor: running
//! sums and products (`cumsum`, `cumprod`) and the fused, numerically stable `softmax` and
//! `log_softmax`.
//!
//! A contiguous tensor seen along dimension `d` is `(outer, n, inner)`: line `(o, i)` holds the
//! elements `o * n * inner + k * inner + i` for `k < n`. With `inner == 1` each line is
//! contiguous; otherwise the loops walk `inner` lines side by side, which vectorises.

use super::math::Float;
use super::parallel::worth_parallel;
use super::reduce::par_ranges;
use super::SendPtr;

/// The `(outer, n, inner)` view of a contiguous shape along `dim`.
pub fn split_at_dim(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    let outer = shape[..dim].iter().product();
    let inner = shape[dim + 1..].iter().product();
    (outer, shape[dim], inner)
}

/// Columns of `inner` handled together by one task.
const COLUMN_BLOCK: usize = 256;

/// Runs `f(o, i0, i1)` for every outer index and block of inner columns, in parallel when the
/// tensor is large.
fn for_each_block(outer: usize, n: usize, inner: usize, f: impl Fn(usize, usize, usize) + Sync) {
    let blocks_per_row = inner.div_ceil(COLUMN_BLOCK).max(1);
    let tasks = outer * blocks_per_row;
    let run = |t0: usize, t1: usize| {
        for t in t0..t1 {
            let (o, b) = (t / blocks_per_row, t % blocks_per_row);
            let i0 = b * COLUMN_BLOCK;
            f(o, i0, (i0 + COLUMN_BLOCK).min(inner));
        }
    };
    if worth_parallel(outer * n * inner) && tasks > 1 {
        par_ranges(tasks, tasks.div_ceil(16), run);
    } else {
        run(0, tasks);
    }
}

/// Running `op` along each line: `dst[k] = op(dst[k - 1], src[k])`. Accumulates in `A`
/// (`f64` for float32 input, as torch does) and converts with `to`/`from`.
///
/// # Safety
/// `src` and `dst` must be contiguous buffers of `outer * n * inner` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn scan<T, A>(
    src: *const T,
    dst: *mut T,
    (outer, n, inner): (usize, usize, usize),
    init: A,
    op: impl Fn(A, A) -> A + Sync,
    to: impl Fn(T) -> A + Sync,
    from: impl Fn(A) -> T + Sync,
) where
    T: Copy + Send + Sync,
    A: Copy + Send + Sync,
{
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    for_each_block(outer, n, inner, |o, i0, i1| {
        let mut acc = vec![init; i1 - i0];
        for k in 0..n {
            let row = o * n * inner + k * inner;
            for (j, a) in acc.iter_mut().enumerate() {
                // SAFETY: `row + i0 + j` is inside the buffers; tasks write disjoint columns.
                unsafe {
                    *a = op(*a, to(*src.get().add(row + i0 + j)));
                    *dst.get().add(row + i0 + j) = from(*a);
                }
            }
        }
    });
}

/// `softmax` (or `log_softmax` when `log`) along each line: `exp(x - max) / Σ exp(x - max)`.
///
/// # Safety
/// As for [`scan`].
pub unsafe fn softmax<T: Float>(
    src: *const T,
    dst: *mut T,
    (outer, n, inner): (usize, usize, usize),
    log: bool,
) {
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    for_each_block(outer, n, inner, |o, i0, i1| {
        let w = i1 - i0;
        let base = o * n * inner + i0;
        // SAFETY: row k of this task is `base + k * inner .. + w`, inside both buffers; tasks
        // write disjoint columns.
        let row =
            |k: usize| unsafe { std::slice::from_raw_parts(src.get().add(base + k * inner), w) };
        // SAFETY: as above.
        let out = |k: usize| unsafe {
            std::slice::from_raw_parts_mut(dst.get().add(base + k * inner), w)
        };
        let mut max = vec![T::from_f64(f64::NEG_INFINITY); w];
        let mut sum = vec![T::zero(); w];
        for k in 0..n {
            for (m, &x) in max.iter_mut().zip(row(k)) {
                if x > *m || x.is_nan() {
                    *m = x;
                }
            }
        }
        for k in 0..n {
            let ys = out(k);
            for (((y, &x), &m), s) in ys.iter_mut().zip(row(k)).zip(&max).zip(sum.iter_mut()) {
                let e = x.sub(m).exp();
                *s = s.add(e);
                *y = e;
            }
        }
        for k in 0..n {
            let ys = out(k);
            if log {
                for (((y, &x), &m), &s) in ys.iter_mut().zip(row(k)).zip(&max).zip(&sum) {
                    *y = x.sub(m).sub(s.ln());
                }
            } else {
                for (y, &s) in ys.iter_mut().zip(&sum) {
                    *y = y.div(s);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumsum_along_rows_and_columns() {
        let x: Vec<f64> = (0..6).map(|i| i as f64).collect();
        let mut out = vec![0.0; 6];
        // SAFETY: both buffers hold 6 elements.
        unsafe {
            scan(
                x.as_ptr(),
                out.as_mut_ptr(),
                (2, 3, 1),
                0.0,
                |a, b| a + b,
                |v| v,
                |v| v,
            )
        };
        assert_eq!(out, vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0]);
        // SAFETY: as above.
        unsafe {
            scan(
                x.as_ptr(),
                out.as_mut_ptr(),
                (1, 2, 3),
                0.0,
                |a, b| a + b,
                |v| v,
                |v| v,
            )
        };
        assert_eq!(out, vec![0.0, 1.0, 2.0, 3.0, 5.0, 7.0]);
    }

    #[test]
    fn softmax_is_stable_for_large_inputs() {
        let x = [1000.0f32, 1000.0];
        let mut out = [0.0f32; 2];
        // SAFETY: two elements each.
        unsafe { softmax(x.as_ptr(), out.as_mut_ptr(), (1, 2, 1), false) };
        assert_eq!(out, [0.5, 0.5]);
        // SAFETY: as above.
        unsafe { softmax(x.as_ptr(), out.as_mut_ptr(), (1, 2, 1), true) };
        assert!((out[0] + std::f32::consts::LN_2).abs() < 1e-6);
    }
}
