//! Hand-written AVX-512 loops for reductions: sums, extremes and the first position of a value
//! along contiguous runs, and extremes down columns.
//!
//! The compiler's vectorised versions of these loops ([`folds`](super::folds)) are fast over
//! long runs, but a row of a few hundred values spends most of its time outside the main
//! loop: a scalar tail whose additions wait on each other, and lanes the compiler splits into
//! 128-bit pieces around a conversion. Here a row's last values are one masked load (masked-off
//! lanes are neither read nor faulted) and the lanes are folded with a few shuffles, so that
//! `x.sum(1)` of a (1000, 100) float32 matrix costs about a third of the portable loop (and
//! of PyTorch's). The portable loops remain for CPUs without AVX-512; the tests check both
//! against scalar references.

use std::arch::x86_64::*;

use super::reduce::BLOCK as VERTICAL_BLOCK;

/// Whether the CPU has AVX-512F (`std` caches the answer).
#[inline(always)]
pub fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
}

/// Lanes of the float32 loop: four vectors of 16.
const ROW: usize = 64;
/// Vectors in a block of [`sum_f32`], summed as a tree before they are widened; also the most
/// values a lane of [`sum_rest`] adds.
const CHAIN: usize = 16;
/// Float32 values in a block of [`sum_f32`].
const BLOCK: usize = 16 * CHAIN;
/// How far ahead (in float32 values: 8 KiB) [`sum_f32`] prefetches when asked to.
const PREFETCH_AHEAD: usize = 2048;

/// Mask of the first `n <= 16` lanes of a float32 vector.
#[inline(always)]
fn first_lanes(n: usize) -> __mmask16 {
    ((1u32 << n) - 1) as __mmask16
}

/// Mask of the first `n <= 8` lanes of a float64 vector.
#[inline(always)]
fn first_lanes8(n: usize) -> __mmask8 {
    ((1u32 << n) - 1) as __mmask8
}

/// `a` widened to two float64 vectors, added to `lo` and `hi`.
#[inline]
#[target_feature(enable = "avx512f")]
fn widen_add(lo: &mut __m512d, hi: &mut __m512d, a: __m512) {
    let upper = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(a)));
    *lo = _mm512_add_pd(*lo, _mm512_cvtps_pd(_mm512_castps512_ps256(a)));
    *hi = _mm512_add_pd(*hi, _mm512_cvtps_pd(upper));
}

/// `Σ xs` of float32 values, returned in float64: the algorithm of
/// [`WideSum`](super::folds::WideSum). Blocks of [`CHAIN`] vectors are summed lane by lane as
/// balanced trees ([`block_sum`]: at most `4u Σ|x|` of rounding error, none on repeated
/// values) and accumulated in float64. What is left (a row of a matrix, or the end of a long
/// run) is added row after row, at most [`CHAIN`] values per lane, and a run shorter than
/// [`CHAIN`] rows of [`ROW`] folds its four vectors in float32 before widening one: at most
/// `17u Σ|x|`.
///
/// With `prefetch`, the values [`PREFETCH_AHEAD`] on are asked for: by the blocks loop, 10–15%
/// faster from memory (on one core and on two), but 45% slower on rows of 8 KiB in cache; by a
/// short run (a row of a matrix, the next rows being what lies ahead) before it is read, as
/// many lines as it has: rows of 192 to 500 values from L3 were 15–25% slower than one long
/// run of the same values without it (the work between rows leaves fewer loads in flight),
/// and are as fast with it.
///
/// Inlined where it is called (short runs one after another), the long runs' loop out of line.
///
/// # Safety
/// The CPU must have AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
pub unsafe fn sum_f32(xs: &[f32], prefetch: bool) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    if n < CHAIN * ROW {
        if prefetch {
            for line in 0..n.div_ceil(16) {
                // A hint, not an access (see `sum_pairs_of_blocks`).
                let ahead = p.wrapping_add(PREFETCH_AHEAD + 16 * line);
                _mm_prefetch::<_MM_HINT_T0>(ahead as *const i8);
            }
        }
        // Short: fold the four vectors of partial sums in float32 (two more roundings) and
        // widen one.
        // SAFETY: forwarded.
        let part = unsafe { sum_rest(p, 0, n) };
        let a = _mm512_add_ps(
            _mm512_add_ps(part[0], part[1]),
            _mm512_add_ps(part[2], part[3]),
        );
        let (mut lo, mut hi) = (_mm512_setzero_pd(), _mm512_setzero_pd());
        widen_add(&mut lo, &mut hi, a);
        return _mm512_reduce_add_pd(_mm512_add_pd(lo, hi));
    }
    // SAFETY: forwarded.
    unsafe { sum_f32_long(xs, prefetch) }
}

/// [`sum_f32`] of at least `CHAIN * ROW` values.
///
/// # Safety
/// The CPU must have AVX-512F.
#[inline(never)]
#[target_feature(enable = "avx512f")]
unsafe fn sum_f32_long(xs: &[f32], prefetch: bool) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    // Blocks are read strictly in order, two at a time into two pairs of accumulators (a
    // tree over 16 rows of 64 values, which the compiler interleaved by columns, read 20%
    // slower from memory on one core).
    let mut wide = [_mm512_setzero_pd(); 8];
    let mut i = if prefetch {
        // SAFETY: forwarded.
        unsafe { sum_pairs_of_blocks::<true>(p, n, &mut wide) }
    } else {
        // SAFETY: forwarded.
        unsafe { sum_pairs_of_blocks::<false>(p, n, &mut wide) }
    };
    if i + BLOCK <= n {
        // SAFETY: `i + BLOCK <= n`.
        let a = unsafe { block_sum(p.add(i)) };
        let [w0, w1, ..] = &mut wide;
        widen_add(w0, w1, a);
        i += BLOCK;
    }
    // SAFETY: forwarded.
    let part = unsafe { sum_rest(p, i, n) };
    for (j, &a) in part.iter().enumerate() {
        let (lo, hi) = wide.split_at_mut(2 * j + 1);
        widen_add(&mut lo[2 * j], &mut hi[0], a);
    }
    let q = [
        _mm512_add_pd(wide[0], wide[4]),
        _mm512_add_pd(wide[1], wide[5]),
        _mm512_add_pd(wide[2], wide[6]),
        _mm512_add_pd(wide[3], wide[7]),
    ];
    let s = _mm512_add_pd(_mm512_add_pd(q[0], q[2]), _mm512_add_pd(q[1], q[3]));
    _mm512_reduce_add_pd(s)
}

/// Adds the pairs of blocks at the start of `p[..n]` into `wide[..4]` (two float64 vectors per
/// block) and returns how many values they held.
///
/// # Safety
/// `p` must be valid for reads of `n` values; the CPU must have AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn sum_pairs_of_blocks<const PREFETCH: bool>(
    p: *const f32,
    n: usize,
    wide: &mut [__m512d; 8],
) -> usize {
    let mut i = 0;
    while i + 2 * BLOCK <= n {
        if PREFETCH {
            for line in 0..2 * BLOCK / 16 {
                // A hint, not an access: addresses past the end are not read (and the
                // pointer is not dereferenced, so `wrapping_add` keeps it defined).
                let ahead = p.wrapping_add(i + PREFETCH_AHEAD + 16 * line);
                _mm_prefetch::<_MM_HINT_T0>(ahead as *const i8);
            }
        }
        // SAFETY: `i + 2 * BLOCK <= n`.
        let (a, b) = unsafe { (block_sum(p.add(i)), block_sum(p.add(i + BLOCK))) };
        let [w0, w1, w2, w3, ..] = wide;
        widen_add(w0, w1, a);
        widen_add(w2, w3, b);
        i += 2 * BLOCK;
    }
    i
}

/// The lane-wise sum of the [`CHAIN`] vectors of float32 values at `p`, as a balanced tree
/// (four levels of additions: at most `4u` of rounding error, and none when the vectors hold
/// one repeated value, as `x + x` is exact).
///
/// # Safety
/// `p` must be valid for reads of [`BLOCK`] values; the CPU must have AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn block_sum(p: *const f32) -> __m512 {
    // SAFETY: vectors `r < CHAIN` lie inside the block.
    let row = |r: usize| unsafe { _mm512_loadu_ps(p.add(16 * r)) };
    let two = |r: usize| _mm512_add_ps(row(r), row(r + 1));
    let four = |r: usize| _mm512_add_ps(two(r), two(r + 2));
    let eight = |r: usize| _mm512_add_ps(four(r), four(r + 4));
    _mm512_add_ps(eight(0), eight(8))
}

/// Float32 partial sums of `p[i..n]` (fewer than CHAIN rows of ROW): whole rows, then whole
/// vectors, one per accumulator, then the last values by a masked load. At most CHAIN values
/// per lane.
///
/// # Safety
/// `p` must be valid for reads of `n` values; the CPU must have AVX-512F.
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn sum_rest(p: *const f32, mut i: usize, n: usize) -> [__m512; 4] {
    let mut part = [_mm512_setzero_ps(); 4];
    while i + ROW <= n {
        for (j, a) in part.iter_mut().enumerate() {
            // SAFETY: `i + j * 16 + 16 <= i + ROW <= n`.
            *a = _mm512_add_ps(*a, unsafe { _mm512_loadu_ps(p.add(i + j * 16)) });
        }
        i += ROW;
    }
    // fewer than four whole vectors are left: one each for the first three accumulators
    for a in &mut part[..3] {
        if i + 16 > n {
            break;
        }
        // SAFETY: `i + 16 <= n`.
        *a = _mm512_add_ps(*a, unsafe { _mm512_loadu_ps(p.add(i)) });
        i += 16;
    }
    if i < n {
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let last = unsafe { _mm512_maskz_loadu_ps(first_lanes(n - i), p.add(i)) };
        part[3] = _mm512_add_ps(part[3], last);
    }
    part
}

/// Float64 slices up to this long are summed by [`sum_f64`]; longer ones pairwise.
pub const SHORT_F64: usize = 1024;

/// `Σ xs` of at most [`SHORT_F64`] float64 values: eight vectors of partial sums (at most 16
/// values per lane, as in NumPy's pairwise blocks), then a balanced tree over the lanes.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn sum_f64(xs: &[f64]) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    let mut part = [_mm512_setzero_pd(); 8];
    let mut i = 0;
    while i + 64 <= n {
        for (j, a) in part.iter_mut().enumerate() {
            // SAFETY: `i + j * 8 + 8 <= i + 64 <= n`.
            *a = _mm512_add_pd(*a, unsafe { _mm512_loadu_pd(p.add(i + j * 8)) });
        }
        i += 64;
    }
    // fewer than eight whole vectors are left: one each for the first seven accumulators
    for a in &mut part[..7] {
        if i + 8 > n {
            break;
        }
        // SAFETY: `i + 8 <= n`.
        *a = _mm512_add_pd(*a, unsafe { _mm512_loadu_pd(p.add(i)) });
        i += 8;
    }
    if i < n {
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let last = unsafe { _mm512_maskz_loadu_pd(first_lanes8(n - i), p.add(i)) };
        part[7] = _mm512_add_pd(part[7], last);
    }
    let q = [
        _mm512_add_pd(part[0], part[1]),
        _mm512_add_pd(part[2], part[3]),
        _mm512_add_pd(part[4], part[5]),
        _mm512_add_pd(part[6], part[7]),
    ];
    let a = _mm512_add_pd(_mm512_add_pd(q[0], q[1]), _mm512_add_pd(q[2], q[3]));
    _mm512_reduce_add_pd(a)
}

/// `Σ xs` of float64 values of any length, pairwise: [`sum_f64`] of each [`SHORT_F64`] values,
/// and those sums combined as a balanced binary tree (a binary counter holding one partial sum
/// per level). Rounding error at most `(21 + log₂(n/1024)) u Σ|x|`, within NumPy's bound for
/// its pairwise sum at the same length.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn pairwise_sum_f64(xs: &[f64]) -> f64 {
    if xs.len() <= SHORT_F64 {
        // SAFETY: forwarded.
        return unsafe { sum_f64(xs) };
    }
    let mut levels = [0.0f64; usize::BITS as usize];
    let mut count = 0usize;
    for chunk in xs.chunks(SHORT_F64) {
        // SAFETY: forwarded.
        let mut s = unsafe { sum_f64(chunk) };
        // carry: merge with the pending sums of equal size
        let mut level = 0;
        while count >> level & 1 == 1 {
            s += levels[level];
            level += 1;
        }
        levels[level] = s;
        count += 1;
    }
    let mut total = 0.0;
    for (level, &s) in levels.iter().enumerate() {
        if count >> level & 1 == 1 {
            total += s;
        }
    }
    total
}

/// The largest (or smallest) of `xs`, NaN if any element is NaN, and -inf (+inf) for no
/// elements. Ties between lanes (`0.0` and `-0.0`) may resolve either way.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn extreme_f32(xs: &[f32], largest: bool) -> f32 {
    let n = xs.len();
    let p = xs.as_ptr();
    let init = if largest {
        f32::NEG_INFINITY
    } else {
        f32::INFINITY
    };
    // `pick(x, acc)` returns `x` when it is strictly better, else `acc`.
    let pick = |x: __m512, acc: __m512| {
        if largest {
            _mm512_max_ps(x, acc)
        } else {
            _mm512_min_ps(x, acc)
        }
    };
    let mut acc = [_mm512_set1_ps(init); 4];
    let mut nan: __mmask16 = 0;
    let mut i = 0;
    while i + ROW <= n {
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: `i + j * 16 + 16 <= i + ROW <= n`.
            let x = unsafe { _mm512_loadu_ps(p.add(i + j * 16)) };
            nan |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x);
            *a = pick(x, *a);
        }
        i += ROW;
    }
    while i + 16 <= n {
        // SAFETY: `i + 16 <= n`.
        let x = unsafe { _mm512_loadu_ps(p.add(i)) };
        nan |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x);
        acc[0] = pick(x, acc[0]);
        i += 16;
    }
    if i < n {
        // Masked-off lanes keep `init`, which changes nothing.
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let x = unsafe { _mm512_mask_loadu_ps(_mm512_set1_ps(init), first_lanes(n - i), p.add(i)) };
        nan |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x);
        acc[1] = pick(x, acc[1]);
    }
    if nan != 0 {
        return f32::NAN;
    }
    let a = pick(pick(acc[0], acc[1]), pick(acc[2], acc[3]));
    if largest {
        _mm512_reduce_max_ps(a)
    } else {
        _mm512_reduce_min_ps(a)
    }
}

/// [`extreme_f32`] for float64.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn extreme_f64(xs: &[f64], largest: bool) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    let init = if largest {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let pick = |x: __m512d, acc: __m512d| {
        if largest {
            _mm512_max_pd(x, acc)
        } else {
            _mm512_min_pd(x, acc)
        }
    };
    let mut acc = [_mm512_set1_pd(init); 4];
    let mut nan: __mmask8 = 0;
    let mut i = 0;
    while i + 32 <= n {
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: `i + j * 8 + 8 <= i + 32 <= n`.
            let x = unsafe { _mm512_loadu_pd(p.add(i + j * 8)) };
            nan |= _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x);
            *a = pick(x, *a);
        }
        i += 32;
    }
    while i + 8 <= n {
        // SAFETY: `i + 8 <= n`.
        let x = unsafe { _mm512_loadu_pd(p.add(i)) };
        nan |= _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x);
        acc[0] = pick(x, acc[0]);
        i += 8;
    }
    if i < n {
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let x =
            unsafe { _mm512_mask_loadu_pd(_mm512_set1_pd(init), first_lanes8(n - i), p.add(i)) };
        nan |= _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x);
        acc[1] = pick(x, acc[1]);
    }
    if nan != 0 {
        return f64::NAN;
    }
    let a = pick(pick(acc[0], acc[1]), pick(acc[2], acc[3]));
    if largest {
        _mm512_reduce_max_pd(a)
    } else {
        _mm512_reduce_min_pd(a)
    }
}

/// `a` widened to two float64 vectors, multiplied into `lo` and `hi`.
#[inline]
#[target_feature(enable = "avx512f")]
fn widen_mul(lo: &mut __m512d, hi: &mut __m512d, a: __m512) {
    let upper = _mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(_mm512_castps_pd(a)));
    *lo = _mm512_mul_pd(*lo, _mm512_cvtps_pd(_mm512_castps512_ps256(a)));
    *hi = _mm512_mul_pd(*hi, _mm512_cvtps_pd(upper));
}

/// `Π xs` of float32 values with float64 partial products (each value widened as it is read,
/// as [`WideProd`](super::folds::WideProd) does): four chains of eight lanes, the last values
/// by a masked load whose other lanes hold 1 (a row of 100 then costs no value-by-value tail).
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn prod_f32(xs: &[f32]) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    let [mut a0, mut a1, mut a2, mut a3] = [_mm512_set1_pd(1.0); 4];
    let mut i = 0;
    while i + 32 <= n {
        // SAFETY: `i + 32 <= n`.
        let (x, y) = unsafe { (_mm512_loadu_ps(p.add(i)), _mm512_loadu_ps(p.add(i + 16))) };
        widen_mul(&mut a0, &mut a1, x);
        widen_mul(&mut a2, &mut a3, y);
        i += 32;
    }
    if i + 16 <= n {
        // SAFETY: `i + 16 <= n`.
        widen_mul(&mut a0, &mut a1, unsafe { _mm512_loadu_ps(p.add(i)) });
        i += 16;
    }
    if i < n {
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let x = unsafe { _mm512_mask_loadu_ps(_mm512_set1_ps(1.0), first_lanes(n - i), p.add(i)) };
        widen_mul(&mut a2, &mut a3, x);
    }
    _mm512_reduce_mul_pd(_mm512_mul_pd(_mm512_mul_pd(a0, a1), _mm512_mul_pd(a2, a3)))
}

/// `Π xs` of float64 values: [`prod_f32`]'s loop without the widening.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn prod_f64(xs: &[f64]) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    let mut acc = [_mm512_set1_pd(1.0); 4];
    let mut i = 0;
    while i + 32 <= n {
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: `i + j * 8 + 8 <= i + 32 <= n`.
            *a = _mm512_mul_pd(*a, unsafe { _mm512_loadu_pd(p.add(i + j * 8)) });
        }
        i += 32;
    }
    let mut j = 0;
    while i + 8 <= n {
        // SAFETY: `i + 8 <= n`.
        acc[j] = _mm512_mul_pd(acc[j], unsafe { _mm512_loadu_pd(p.add(i)) });
        j += 1;
        i += 8;
    }
    if i < n {
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let x = unsafe { _mm512_mask_loadu_pd(_mm512_set1_pd(1.0), first_lanes8(n - i), p.add(i)) };
        acc[3] = _mm512_mul_pd(acc[3], x);
    }
    _mm512_reduce_mul_pd(_mm512_mul_pd(
        _mm512_mul_pd(acc[0], acc[1]),
        _mm512_mul_pd(acc[2], acc[3]),
    ))
}

/// Column-wise extremes: `out[j]` = the largest (or smallest) of `src[r * stride + j]` over
/// `r < rows`, NaN if any is NaN, for `j < out_len`. Tiles of 64 columns (four vectors, the
/// last tile's by masked loads) are folded down all the rows with their accumulators in
/// registers.
///
/// # Safety
/// `src` must be valid for reads of `rows` rows of `out_len` values `stride` apart, `out` for
/// `out_len` writes; the CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn extreme_rows_f32(
    src: *const f32,
    rows: usize,
    stride: usize,
    out: *mut f32,
    out_len: usize,
    largest: bool,
) {
    let init = if largest {
        f32::NEG_INFINITY
    } else {
        f32::INFINITY
    };
    let pick = |x: __m512, acc: __m512| {
        if largest {
            _mm512_max_ps(x, acc)
        } else {
            _mm512_min_ps(x, acc)
        }
    };
    let mut j0 = 0;
    while j0 < out_len {
        let w = (out_len - j0).min(ROW);
        // lanes of each of the tile's vectors (a partial tile: fewer, the last one masked)
        let masks = tile_masks(w);
        let mut acc = [_mm512_set1_ps(init); 4];
        let mut nan = [0 as __mmask16; 4];
        let fill = _mm512_set1_ps(init);
        for r in 0..rows {
            // SAFETY: row `r`'s columns `j0..j0 + w` are in bounds (the caller's contract).
            let row = unsafe { src.add(r * stride + j0) };
            for v in 0..4 {
                // SAFETY: masked-off lanes are not accessed; the others are in bounds.
                let x = unsafe { _mm512_mask_loadu_ps(fill, masks[v], row.add(v * 16)) };
                nan[v] |= _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x);
                acc[v] = pick(x, acc[v]);
            }
        }
        for v in 0..4 {
            let r = _mm512_mask_blend_ps(nan[v], acc[v], _mm512_set1_ps(f32::NAN));
            // SAFETY: masked-off lanes are not written; the others are `out`'s `j0..j0 + w`.
            unsafe { _mm512_mask_storeu_ps(out.add(j0 + v * 16), masks[v], r) };
        }
        j0 += w;
    }
}

/// [`extreme_rows_f32`] for float64 (tiles of 32 columns).
///
/// # Safety
/// As for [`extreme_rows_f32`].
#[target_feature(enable = "avx512f")]
pub unsafe fn extreme_rows_f64(
    src: *const f64,
    rows: usize,
    stride: usize,
    out: *mut f64,
    out_len: usize,
    largest: bool,
) {
    let init = if largest {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let pick = |x: __m512d, acc: __m512d| {
        if largest {
            _mm512_max_pd(x, acc)
        } else {
            _mm512_min_pd(x, acc)
        }
    };
    let mut j0 = 0;
    while j0 < out_len {
        let w = (out_len - j0).min(32);
        let mut masks = [0 as __mmask8; 4];
        for (v, m) in masks.iter_mut().enumerate() {
            *m = first_lanes8(w.saturating_sub(v * 8).min(8));
        }
        let mut acc = [_mm512_set1_pd(init); 4];
        let mut nan = [0 as __mmask8; 4];
        let fill = _mm512_set1_pd(init);
        for r in 0..rows {
            // SAFETY: row `r`'s columns `j0..j0 + w` are in bounds (the caller's contract).
            let row = unsafe { src.add(r * stride + j0) };
            for v in 0..4 {
                // SAFETY: masked-off lanes are not accessed; the others are in bounds.
                let x = unsafe { _mm512_mask_loadu_pd(fill, masks[v], row.add(v * 8)) };
                nan[v] |= _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x);
                acc[v] = pick(x, acc[v]);
            }
        }
        for v in 0..4 {
            let r = _mm512_mask_blend_pd(nan[v], acc[v], _mm512_set1_pd(f64::NAN));
            // SAFETY: masked-off lanes are not written; the others are `out`'s `j0..j0 + w`.
            unsafe { _mm512_mask_storeu_pd(out.add(j0 + v * 8), masks[v], r) };
        }
        j0 += w;
    }
}

/// Lane masks of a tile of `w <= ROW` float32 columns: four vectors, the last ones partial or
/// empty.
#[inline(always)]
fn tile_masks(w: usize) -> [__mmask16; 4] {
    std::array::from_fn(|v| first_lanes(w.saturating_sub(v * 16).min(16)))
}

/// Column sums of `rows` rows of `out_len` float32 values `stride` apart (starting at `src`)
/// into `out`: blocks of [`VERTICAL_BLOCK`] rows (at most 512 KiB, read from cache by each
/// tile after the first), and in each block tiles of [`ROW`] columns summed down the rows in
/// registers, then added to the totals in `out` — the additions of the portable vertical
/// loop, in the same order.
///
/// # Safety
/// `src` must be valid for those rows, `out` for `out_len` writes; the CPU must have
/// AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn sum_rows_f32(
    src: *const f32,
    rows: usize,
    stride: usize,
    out: *mut f32,
    out_len: usize,
) {
    // SAFETY: the caller's `out`.
    unsafe { std::ptr::write_bytes(out, 0, out_len) };
    let mut r0 = 0;
    while r0 < rows {
        let r1 = (r0 + VERTICAL_BLOCK).min(rows);
        let mut j0 = 0;
        while j0 < out_len {
            let w = (out_len - j0).min(ROW);
            let masks = tile_masks(w);
            let mut acc = [_mm512_setzero_ps(); 4];
            for r in r0..r1 {
                // SAFETY: row `r`'s columns `j0..j0 + w` are in bounds (the caller's contract).
                let row = unsafe { src.add(r * stride + j0) };
                for v in 0..4 {
                    // SAFETY: masked-off lanes are not accessed; the others are in bounds.
                    let x = unsafe { _mm512_maskz_loadu_ps(masks[v], row.add(v * 16)) };
                    acc[v] = _mm512_add_ps(acc[v], x);
                }
            }
            for v in 0..4 {
                // SAFETY: masked-off lanes are not accessed; the others are `out`'s.
                unsafe {
                    let o = out.add(j0 + v * 16);
                    let total = _mm512_maskz_loadu_ps(masks[v], o);
                    _mm512_mask_storeu_ps(o, masks[v], _mm512_add_ps(total, acc[v]));
                }
            }
            j0 += w;
        }
        r0 = r1;
    }
}

/// [`sum_rows_f32`] for float64 values (tiles of 32 columns).
///
/// # Safety
/// As for [`sum_rows_f32`].
#[target_feature(enable = "avx512f")]
pub unsafe fn sum_rows_f64(
    src: *const f64,
    rows: usize,
    stride: usize,
    out: *mut f64,
    out_len: usize,
) {
    // SAFETY: the caller's `out`.
    unsafe { std::ptr::write_bytes(out, 0, out_len) };
    let mut r0 = 0;
    while r0 < rows {
        let r1 = (r0 + VERTICAL_BLOCK).min(rows);
        let mut j0 = 0;
        while j0 < out_len {
            let w = (out_len - j0).min(ROW / 2);
            let masks: [__mmask8; 4] =
                std::array::from_fn(|v| first_lanes8(w.saturating_sub(v * 8).min(8)));
            let mut acc = [_mm512_setzero_pd(); 4];
            for r in r0..r1 {
                // SAFETY: row `r`'s columns `j0..j0 + w` are in bounds (the caller's contract).
                let row = unsafe { src.add(r * stride + j0) };
                for v in 0..4 {
                    // SAFETY: masked-off lanes are not accessed; the others are in bounds.
                    let x = unsafe { _mm512_maskz_loadu_pd(masks[v], row.add(v * 8)) };
                    acc[v] = _mm512_add_pd(acc[v], x);
                }
            }
            for v in 0..4 {
                // SAFETY: masked-off lanes are not accessed; the others are `out`'s.
                unsafe {
                    let o = out.add(j0 + v * 8);
                    let total = _mm512_maskz_loadu_pd(masks[v], o);
                    _mm512_mask_storeu_pd(o, masks[v], _mm512_add_pd(total, acc[v]));
                }
            }
            j0 += w;
        }
        r0 = r1;
    }
}

/// The position of the first element of `xs` equal to `value` (NaN matching NaN), if any.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn find_f32(xs: &[f32], value: f32) -> Option<usize> {
    let n = xs.len();
    let p = xs.as_ptr();
    let v = _mm512_set1_ps(value);
    let hits = |x: __m512| {
        if value.is_nan() {
            _mm512_cmp_ps_mask::<_CMP_UNORD_Q>(x, x)
        } else {
            _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(x, v)
        }
    };
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: `i + 16 <= n`.
        let m = hits(unsafe { _mm512_loadu_ps(p.add(i)) });
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += 16;
    }
    if i < n {
        let lanes = first_lanes(n - i);
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let m = hits(unsafe { _mm512_maskz_loadu_ps(lanes, p.add(i)) }) & lanes;
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
    }
    None
}

/// [`find_f32`] for float64.
///
/// # Safety
/// The CPU must have AVX-512F.
#[target_feature(enable = "avx512f")]
pub unsafe fn find_f64(xs: &[f64], value: f64) -> Option<usize> {
    let n = xs.len();
    let p = xs.as_ptr();
    let v = _mm512_set1_pd(value);
    let hits = |x: __m512d| {
        if value.is_nan() {
            _mm512_cmp_pd_mask::<_CMP_UNORD_Q>(x, x)
        } else {
            _mm512_cmp_pd_mask::<_CMP_EQ_OQ>(x, v)
        }
    };
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: `i + 8 <= n`.
        let m = hits(unsafe { _mm512_loadu_pd(p.add(i)) });
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += 8;
    }
    if i < n {
        let lanes = first_lanes8(n - i);
        // SAFETY: the lanes loaded are `i..n`; masked-off lanes are not accessed.
        let m = hits(unsafe { _mm512_maskz_loadu_pd(lanes, p.add(i)) }) & lanes;
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::folds::tests::{check_row_products, compensated_sum, values};

    const LENGTHS: [usize; 22] = [
        0,
        1,
        7,
        8,
        9,
        15,
        16,
        17,
        31,
        33,
        63,
        64,
        65,
        100,
        255,
        256,
        257,
        1023,
        1024,
        1025,
        4096 + 17,
        100_003,
    ];

    #[test]
    fn float32_sums_are_within_their_bound() {
        if !available() {
            return;
        }
        // whole blocks of one repeated value add exactly
        let tenth = vec![0.1f32; 1 << 20];
        for prefetch in [false, true] {
            // SAFETY: the CPU has AVX-512F.
            let sum = unsafe { sum_f32(&tenth, prefetch) };
            assert_eq!(sum, (1 << 20) as f64 * 0.1f32 as f64);
        }
        let mut seed = 3;
        // around one, two and three blocks of 256 values too
        let lengths = LENGTHS
            .into_iter()
            .chain([511, 512, 513, 767, 768, 769, 1279, 1280]);
        for len in lengths {
            let xs: Vec<f32> = values(len, &mut seed).iter().map(|&x| x as f32).collect();
            let exact: f64 = xs.iter().map(|&x| x as f64).sum();
            let abs: f64 = xs.iter().map(|&x| (x as f64).abs()).sum();
            // SAFETY: the CPU has AVX-512F.
            let ours = unsafe { sum_f32(&xs, false) };
            let bound = 17.0 * f32::EPSILON as f64 / 2.0 * abs + 1e-9 * abs;
            assert!(
                (ours - exact).abs() <= bound,
                "len {len}: {ours} vs {exact}"
            );
            // prefetching changes no arithmetic
            // SAFETY: as above.
            assert_eq!(unsafe { sum_f32(&xs, true) }, ours, "len {len}");
            // small integers add exactly
            let ints: Vec<f32> = (0..len).map(|i| (i % 10) as f32).collect();
            // SAFETY: as above.
            let sum = unsafe { sum_f32(&ints, false) };
            assert_eq!(
                sum,
                ints.iter().map(|&x| x as f64).sum::<f64>(),
                "len {len}"
            );
        }
    }

    #[test]
    fn products_match_float64_products() {
        if !available() {
            return;
        }
        check_row_products(
            // SAFETY: the CPU has AVX-512F.
            |xs| unsafe { prod_f64(xs) },
            // SAFETY: as above.
            |xs| unsafe { prod_f32(xs) },
            LENGTHS,
        );
    }

    #[test]
    fn short_float64_sums_are_within_the_pairwise_bound() {
        if !available() {
            return;
        }
        let mut seed = 9;
        for len in LENGTHS
            .into_iter()
            .filter(|&n| n <= SHORT_F64)
            .chain([511, 512])
        {
            let xs = values(len, &mut seed);
            // whole numbers add exactly
            let ints: Vec<f64> = xs.iter().map(|x| x.round()).collect();
            // SAFETY: the CPU has AVX-512F.
            let ours = unsafe { sum_f64(&ints) };
            assert_eq!(ours, ints.iter().sum::<f64>(), "len {len}");
            let ys = values(len, &mut seed);
            let reference = compensated_sum(&ys);
            let abs: f64 = ys.iter().map(|y| y.abs()).sum();
            // SAFETY: as above.
            let ours = unsafe { sum_f64(&ys) };
            assert!(
                (ours - reference).abs() <= 21.0 * f64::EPSILON / 2.0 * abs,
                "len {len}"
            );
        }
    }

    #[test]
    fn long_float64_sums_are_pairwise() {
        if !available() {
            return;
        }
        let mut seed = 21;
        for len in [513usize, 1000, 1024, 1025, 2049, 4096 + 17, 100_003] {
            let xs = values(len, &mut seed);
            let reference = compensated_sum(&xs);
            let abs: f64 = xs.iter().map(|x| x.abs()).sum();
            let bound = (22.0 + (len as f64 / 1024.0).log2().max(0.0)) * f64::EPSILON / 2.0 * abs;
            // SAFETY: the CPU has AVX-512F.
            let ours = unsafe { pairwise_sum_f64(&xs) };
            assert!((ours - reference).abs() <= bound, "len {len}");
            let ints: Vec<f64> = xs.iter().map(|x| x.round()).collect();
            // SAFETY: as above.
            assert_eq!(unsafe { pairwise_sum_f64(&ints) }, ints.iter().sum::<f64>());
        }
    }

    #[test]
    fn extremes_match_a_scalar_fold_and_see_every_nan() {
        if !available() {
            return;
        }
        let mut seed = 5;
        for len in LENGTHS {
            let xs = values(len, &mut seed);
            let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
            // SAFETY: the CPU has AVX-512F.
            unsafe {
                assert_eq!(extreme_f64(&xs, true), max, "len {len}");
                assert_eq!(extreme_f64(&xs, false), min, "len {len}");
            }
            let ys: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            // SAFETY: as above.
            unsafe {
                assert_eq!(extreme_f32(&ys, true), max as f32, "len {len}");
                assert_eq!(extreme_f32(&ys, false), min as f32, "len {len}");
            }
            // a NaN anywhere (the masked tail and the last lane included) wins
            for at in [0, len / 2, len.saturating_sub(1)] {
                if len == 0 {
                    break;
                }
                let mut xn = xs.clone();
                xn[at] = f64::NAN;
                let yn: Vec<f32> = xn.iter().map(|&x| x as f32).collect();
                // SAFETY: as above.
                unsafe {
                    assert!(extreme_f64(&xn, true).is_nan(), "len {len} at {at}");
                    assert!(extreme_f64(&xn, false).is_nan(), "len {len} at {at}");
                    assert!(extreme_f32(&yn, true).is_nan(), "len {len} at {at}");
                    assert!(extreme_f32(&yn, false).is_nan(), "len {len} at {at}");
                }
            }
        }
        // infinities are values like any other
        let inf = [1.0f32, f32::INFINITY, f32::NEG_INFINITY];
        // SAFETY: as above.
        unsafe {
            assert_eq!(extreme_f32(&inf, true), f32::INFINITY);
            assert_eq!(extreme_f32(&inf, false), f32::NEG_INFINITY);
            assert_eq!(extreme_f32(&[], true), f32::NEG_INFINITY);
        }
    }

    #[test]
    fn find_gives_the_first_match() {
        if !available() {
            return;
        }
        // the first match, NaN matching NaN, 0.0 matching -0.0, zeros past the end of a short
        // slice (masked lanes) never matching
        let xs = [3.0f64, -0.0, 7.0, 7.0, f64::NAN, 1.0, 0.5, 2.0, 9.0, 7.0];
        for len in 1..=xs.len() {
            let part = &xs[..len];
            let ys: Vec<f32> = part.iter().map(|&x| x as f32).collect();
            for v in [7.0, 0.0, f64::NAN, 2.0, 42.0] {
                let want = part
                    .iter()
                    .position(|&x| x == v || (x.is_nan() && v.is_nan()));
                // SAFETY: the CPU has AVX-512F.
                unsafe {
                    assert_eq!(find_f64(part, v), want, "len {len} v {v}");
                    assert_eq!(find_f32(&ys, v as f32), want, "len {len} v {v}");
                }
            }
        }
        let long: Vec<f32> = (0..1000).map(|i| (i % 97) as f32).collect();
        // SAFETY: as above.
        assert_eq!(unsafe { find_f32(&long, 96.0) }, Some(96));
    }

    #[test]
    fn column_extremes_match_a_scalar_fold() {
        if !available() {
            return;
        }
        let mut seed = 17;
        // 7 rows of 70 columns (a full tile and a partial one), stride 75
        let (rows, cols, stride) = (7usize, 70usize, 75usize);
        let mut grid = values(rows * stride, &mut seed);
        grid[3 * stride + 65] = f64::NAN;
        grid[stride + 2] = f64::INFINITY;
        let g32: Vec<f32> = grid.iter().map(|&x| x as f32).collect();
        for largest in [true, false] {
            let mut o64 = vec![0.0f64; cols + 1];
            let mut o32 = vec![0.0f32; cols + 1];
            // SAFETY: the CPU has AVX-512F; the buffers hold the rows and `cols` outputs (one spare).
            unsafe {
                extreme_rows_f64(grid.as_ptr(), rows, stride, o64.as_mut_ptr(), cols, largest);
                extreme_rows_f32(g32.as_ptr(), rows, stride, o32.as_mut_ptr(), cols, largest);
            }
            for j in 0..cols {
                let col = (0..rows).map(|r| grid[r * stride + j]);
                let want = if col.clone().any(f64::is_nan) {
                    f64::NAN
                } else if largest {
                    col.fold(f64::NEG_INFINITY, f64::max)
                } else {
                    col.fold(f64::INFINITY, f64::min)
                };
                assert!(o64[j] == want || (want.is_nan() && o64[j].is_nan()), "{j}");
                let w32 = want as f32;
                assert!(o32[j] == w32 || (w32.is_nan() && o32[j].is_nan()), "{j}");
            }
            // the spare output past the end is untouched
            assert_eq!((o64[cols], o32[cols]), (0.0, 0.0));
        }
    }
    #[test]
    fn column_sums_are_the_blocked_scalar_sums() {
        if !available() {
            return;
        }
        let mut seed = 29;
        // rows across a block boundary; a full tile and a partial one of either type
        for (rows, cols) in [(0usize, 5usize), (1, 16), (7, 70), (300, 33), (129, 100)] {
            let stride = cols + 3;
            let grid = values(rows * stride, &mut seed);
            let g32: Vec<f32> = grid.iter().map(|&x| x as f32).collect();
            let mut o64 = vec![-1.0f64; cols + 1];
            let mut o32 = vec![-1.0f32; cols + 1];
            // SAFETY: the CPU has AVX-512F; the buffers hold the rows and `cols` outputs (one
            // spare).
            unsafe {
                sum_rows_f64(grid.as_ptr(), rows, stride, o64.as_mut_ptr(), cols);
                sum_rows_f32(g32.as_ptr(), rows, stride, o32.as_mut_ptr(), cols);
            }
            for j in 0..cols {
                // the portable loop's order: rows in order within blocks, blocks to a total
                let (mut t64, mut t32) = (0.0f64, 0.0f32);
                for block in (0..rows).collect::<Vec<_>>().chunks(VERTICAL_BLOCK) {
                    let (mut a64, mut a32) = (0.0f64, 0.0f32);
                    for &r in block {
                        a64 += grid[r * stride + j];
                        a32 += g32[r * stride + j];
                    }
                    t64 += a64;
                    t32 += a32;
                }
                assert_eq!((o64[j], o32[j]), (t64, t32), "rows {rows} column {j}");
            }
            // the spare output past the end is untouched
            assert_eq!((o64[cols], o32[cols]), (-1.0, -1.0));
        }
    }
}
