//! Walking N-d operands in row-major order, one run along the last dimension at a time.

use crate::layout::Strides;

/// Do `strides` walk `shape` in row-major order without gaps (size-1 dimensions may have any
/// stride)? Then element `i` of the operand is at offset `i`.
#[inline]
pub fn is_row_major(shape: &[usize], strides: &[usize]) -> bool {
    let mut expected = 1usize;
    for (&n, &s) in shape.iter().zip(strides).rev() {
        if n != 1 {
            if s != expected {
                return false;
            }
            expected *= n;
        }
    }
    true
}

/// Calls `f(pos, len, offsets)` for every run of consecutive indices of the last dimension that
/// falls in the row-major element range `start..end` of `shape`. `pos` is the run's row-major
/// position and `offsets[k]` its element offset in operand `k` (whose strides are `strides[k]`).
/// `shape` must be non-empty; the caller coalesces dimensions first so runs are long.
pub fn for_each_run<const N: usize>(
    shape: &[usize],
    strides: &[Strides; N],
    start: usize,
    end: usize,
    mut f: impl FnMut(usize, usize, [usize; N]),
) {
    let nd = shape.len();
    if nd == 0 || start >= end {
        return;
    }
    let last = nd - 1;
    let inner = shape[last];
    // Unravel `start` into a multi-index and the operands' offsets.
    let mut idx = [0usize; 16];
    let mut big_idx;
    let idx: &mut [usize] = if nd <= 16 {
        &mut idx[..nd]
    } else {
        big_idx = vec![0usize; nd];
        &mut big_idx
    };
    let mut rem = start;
    for d in (0..nd).rev() {
        idx[d] = rem % shape[d];
        rem /= shape[d];
    }
    let mut offsets = [0usize; N];
    for (k, off) in offsets.iter_mut().enumerate() {
        *off = idx.iter().zip(strides[k].iter()).map(|(i, s)| i * s).sum();
    }
    let mut pos = start;
    while pos < end {
        let len = (inner - idx[last]).min(end - pos);
        f(pos, len, offsets);
        pos += len;
        if pos >= end {
            break;
        }
        // The run ended at the end of the last dimension: carry into the outer ones.
        for (k, off) in offsets.iter_mut().enumerate() {
            *off -= idx[last] * strides[k][last];
        }
        idx[last] = 0;
        for d in (0..last).rev() {
            idx[d] += 1;
            if idx[d] < shape[d] {
                for (k, off) in offsets.iter_mut().enumerate() {
                    *off += strides[k][d];
                }
                break;
            }
            for (k, off) in offsets.iter_mut().enumerate() {
                *off -= (shape[d] - 1) * strides[k][d];
            }
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smallvec::smallvec;

    #[test]
    fn visits_every_offset_in_order() {
        // a (2, 3) transposed view of a (3, 2) buffer: strides (1, 2)
        let strides: [Strides; 1] = [smallvec![1, 2]];
        let mut seen = vec![];
        for_each_run(&[2, 3], &strides, 0, 6, |_, len, [off]| {
            for i in 0..len {
                seen.push(off + 2 * i);
            }
        });
        assert_eq!(seen, vec![0, 2, 4, 1, 3, 5]);
        let mut part = vec![];
        for_each_run(&[2, 3], &strides, 2, 5, |pos, len, [off]| {
            part.push((pos, len, off))
        });
        assert_eq!(part, vec![(2, 1, 4), (3, 2, 1)]);
    }
}
