//! Copying with some dimensions read backwards (`torch.flip`). Layouts cannot express negative
//! strides, so the reversal happens in this loop.

use super::elementwise::Raw;
use super::gather::par_rows;
use super::SendPtr;

/// Copies `src` (over `shape`) into the contiguous `out`, reading dimension `d` from its end
/// where `flipped[d]` is set.
///
/// # Safety
/// `src` must be valid for every offset its strides reach over `shape`; `out` must hold the
/// product of `shape` elements and not overlap `src`.
pub unsafe fn flip_copy<T: Copy + Send + Sync>(
    shape: &[usize],
    src: Raw<'_, T>,
    flipped: &[bool],
    out: *mut T,
) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    if shape.is_empty() {
        // SAFETY: a 0-d tensor has one element.
        unsafe { *out = *src.ptr };
        return;
    }
    let last = shape.len() - 1;
    let row_len = shape[last];
    let rows = numel / row_len;
    // Start of the source at output position 0, and signed strides.
    let mut base = 0isize;
    let strides: Vec<isize> = (0..shape.len())
        .map(|d| {
            let s = src.strides[d] as isize;
            if flipped[d] {
                base += (shape[d] as isize - 1) * s;
                -s
            } else {
                s
            }
        })
        .collect();
    let (ps, po) = (SendPtr(src.ptr as *mut T), SendPtr(out));
    par_rows(rows, row_len, |start, end| {
        for r in start..end {
            let mut off = base;
            let mut pos = r;
            for d in (0..last).rev() {
                off += (pos % shape[d]) as isize * strides[d];
                pos /= shape[d];
            }
            let step = strides[last];
            for k in 0..row_len {
                // SAFETY: `off + k * step` is the source offset of a valid multi-index; each
                // row of `out` is written by one chunk.
                unsafe {
                    *po.get().add(r * row_len + k) = *ps.get().offset(off + k as isize * step);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flips_chosen_dimensions() {
        let src: Vec<i64> = (0..6).collect(); // 2x3
        let mut out = vec![0; 6];
        // SAFETY: contiguous 2x3 source and output.
        unsafe {
            flip_copy(
                &[2, 3],
                Raw {
                    ptr: src.as_ptr(),
                    strides: &[3, 1],
                },
                &[true, true],
                out.as_mut_ptr(),
            )
        };
        assert_eq!(out, vec![5, 4, 3, 2, 1, 0]);
        // SAFETY: as above.
        unsafe {
            flip_copy(
                &[2, 3],
                Raw {
                    ptr: src.as_ptr(),
                    strides: &[3, 1],
                },
                &[false, true],
                out.as_mut_ptr(),
            )
        };
        assert_eq!(out, vec![2, 1, 0, 5, 4, 3]);
    }
}
