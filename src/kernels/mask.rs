//! Boolean-mask selection (`x[mask]` with a mask over every dimension, or over the leading ones
//! of a contiguous tensor): the rows whose mask byte is non-zero, packed in order.
//!
//! Two passes over blocks of the mask: count the true bytes of each block (in parallel), then
//! copy every block's rows to where the counts before it end (in parallel too). Single elements
//! are copied without a branch: each one is written at the next free slot, which only advances
//! for a true byte, so random masks cost no mispredicted jumps.

use super::parallel::{par_ranges, worth_parallel};
use super::SendPtr;

/// Mask bytes per block: blocks are the units of work of both passes.
const BLOCK: usize = 1 << 14;

/// The number of true (non-zero) bytes of every [`BLOCK`] of `mask`.
pub fn block_counts(mask: &[u8]) -> Vec<usize> {
    let blocks = mask.len().div_ceil(BLOCK);
    let mut counts = vec![0usize; blocks];
    let out = SendPtr(counts.as_mut_ptr());
    let count = |b0: usize, b1: usize| {
        for b in b0..b1 {
            let part = &mask[b * BLOCK..((b + 1) * BLOCK).min(mask.len())];
            let n = part.iter().map(|&m| (m != 0) as usize).sum();
            // SAFETY: `b < blocks`; each block is written by one task.
            unsafe { *out.get().add(b) = n };
        }
    };
    if worth_parallel(mask.len()) && blocks > 1 {
        par_ranges(blocks, blocks.div_ceil(8), count);
    } else {
        count(0, blocks);
    }
    counts
}

/// `out = rows of src where mask is true`: `src` holds `mask.len()` rows of `row` contiguous
/// elements, `counts` is [`block_counts`] of `mask`.
///
/// # Safety
/// `src` must be valid for `mask.len() * row` reads and `out` for `Σ counts * row` writes; they
/// must not overlap.
pub unsafe fn compress<T: Copy + Send + Sync>(
    src: *const T,
    row: usize,
    mask: &[u8],
    counts: &[usize],
    out: *mut T,
) {
    let starts: Vec<usize> = counts
        .iter()
        .scan(0, |acc, &c| {
            let s = *acc;
            *acc += c;
            Some(s)
        })
        .collect();
    let (src, out) = (SendPtr(src as *mut T), SendPtr(out));
    let copy = |b0: usize, b1: usize| {
        for b in b0..b1 {
            let (i0, i1) = (b * BLOCK, ((b + 1) * BLOCK).min(mask.len()));
            // SAFETY: block `b` reads rows `i0..i1` of `src` and writes rows
            // `starts[b] .. starts[b] + counts[b]` of `out` (disjoint between blocks).
            unsafe {
                let dst = out.get().add(starts[b] * row);
                let from = src.get().add(i0 * row);
                if row == 1 {
                    compress_elements(from, &mask[i0..i1], counts[b], dst);
                } else {
                    let mut k = 0;
                    for (i, &m) in mask[i0..i1].iter().enumerate() {
                        if m != 0 {
                            std::ptr::copy_nonoverlapping(from.add(i * row), dst.add(k * row), row);
                            k += 1;
                        }
                    }
                }
            }
        }
    };
    let blocks = counts.len();
    if worth_parallel(mask.len() * row) && blocks > 1 {
        par_ranges(blocks, blocks.div_ceil(8), copy);
    } else {
        copy(0, blocks);
    }
}

/// Packs `src[i]` for the true `mask[i]` into `dst[..count]` (`count` of them) without
/// branching on the mask: every element is stored at the next free slot, which advances only
/// for a true byte. The loop stops at the last true byte, so no store goes past `count`.
///
/// # Safety
/// `src` valid for `mask.len()` reads, `dst` for `count` writes, not overlapping.
#[inline]
unsafe fn compress_elements<T: Copy>(src: *const T, mask: &[u8], count: usize, dst: *mut T) {
    if count == 0 {
        return;
    }
    let last = mask.iter().rposition(|&m| m != 0).unwrap_or(0);
    let mut k = 0;
    for (i, &m) in mask[..=last].iter().enumerate() {
        // SAFETY: `k` counts the true bytes before `i`, fewer than `count` up to the last true
        // byte.
        unsafe { *dst.add(k) = *src.add(i) };
        k += (m != 0) as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_elements_and_rows_in_order() {
        let n = 3 * BLOCK + 123;
        let mask: Vec<u8> = (0..n).map(|i| ((i * 7) % 5 < 2) as u8).collect();
        let src: Vec<i64> = (0..n as i64).collect();
        let counts = block_counts(&mask);
        let total: usize = counts.iter().sum();
        let want: Vec<i64> = src
            .iter()
            .zip(&mask)
            .filter(|(_, &m)| m != 0)
            .map(|(&x, _)| x)
            .collect();
        assert_eq!(total, want.len());
        let mut out = vec![-1i64; total];
        // SAFETY: sizes as required.
        unsafe { compress(src.as_ptr(), 1, &mask, &counts, out.as_mut_ptr()) };
        assert_eq!(out, want);
        // rows of 2: mask of n / 2 rows
        let rmask = &mask[..n / 2];
        let counts = block_counts(rmask);
        let total: usize = counts.iter().sum();
        let mut rows = vec![-1i64; 2 * total];
        // SAFETY: as above.
        unsafe { compress(src.as_ptr(), 2, rmask, &counts, rows.as_mut_ptr()) };
        let want: Vec<i64> = (0..n / 2)
            .filter(|&i| rmask[i] != 0)
            .flat_map(|i| [2 * i as i64, 2 * i as i64 + 1])
            .collect();
        assert_eq!(rows, want);
        // a mask whose last byte is false, and an all-false one
        let mut out = [0i64; 1];
        // SAFETY: one true byte, one slot.
        unsafe { compress(src.as_ptr(), 1, &[0, 1, 0, 0], &[1], out.as_mut_ptr()) };
        assert_eq!(out, [1]);
        assert_eq!(block_counts(&[0, 0, 0]), vec![0]);
    }
}
