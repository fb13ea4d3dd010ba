//! Hand-written AVX2 loops for CPUs without AVX-512, where the compiler's code for a loop is
//! far from the machine's.
//!
//! The float32 sum (`folds::portable_sum_f32`): the part of
//! a row shorter than a block was compiled as two-lane pieces (the vectoriser matched the
//! sixteen float64 lanes to eight 128-bit registers and loaded the float32 values two at a
//! time), so `x.sum(1)` of a (1000, 100) float32 matrix took 21 µs on a Zen 3 core, PyTorch
//! 14. Here the same additions in the same order are four 256-bit registers, and the results
//! are bit for bit those of the portable loop (tested); `sum(1)` of (1000, 500) went from 52
//! to 40 µs (PyTorch 33-39). Products of rows: see `prod_fn`; the extremes of rows: see
//! `extreme_fn`.

use std::arch::x86_64::*;

/// Whether the CPU has AVX2 (`std` caches the answer).
#[inline(always)]
pub fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// `lane + a` with `a`'s four float32 values widened to float64.
#[inline]
#[target_feature(enable = "avx2")]
fn widen_add(lane: __m256d, a: __m128) -> __m256d {
    _mm256_add_pd(lane, _mm256_cvtps_pd(a))
}

/// Float32 values in a block of [`sum_f32`]: 16 rows of 16.
const BLOCK: usize = 256;

/// The sums down eight columns of a block (`p` at the first column: 16 rows, 16 values apart)
/// as balanced trees, as [`folds`](super::folds)' `column_sum`.
///
/// # Safety
/// The CPU must have AVX2; `p` valid for 15 rows of 16 and then 8 values.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn column_sums(p: *const f32) -> __m256 {
    // SAFETY: rows 0..16 of the block, as the caller promises.
    let row = |r: usize| unsafe { _mm256_loadu_ps(p.add(r * 16)) };
    let four = |r: usize| {
        _mm256_add_ps(
            _mm256_add_ps(row(r), row(r + 1)),
            _mm256_add_ps(row(r + 2), row(r + 3)),
        )
    };
    _mm256_add_ps(
        _mm256_add_ps(four(0), four(4)),
        _mm256_add_ps(four(8), four(12)),
    )
}

/// `Σ xs` of float32 values, returned in float64: the additions of
/// `folds::portable_sum_f32` in its order (bit for bit), its
/// sixteen float64 lanes in four registers. Blocks of 16 rows of 16 values summed down their
/// columns as balanced float32 trees and widened (from
/// `folds::STREAMS` parts in turn when there are many); then pairs of rows of 16 added in float32
/// and widened, a row of 16, a half row of 8 and the last values each into a lane (masked
/// loads); the lanes folded as a tree.
///
/// # Safety
/// The CPU must have AVX2 ([`available`]).
#[inline]
#[target_feature(enable = "avx2")]
pub fn sum_f32(xs: &[f32]) -> f64 {
    let n = xs.len();
    let p = xs.as_ptr();
    // lanes 0-3, 4-7, 8-11 and 12-15 of the portable loop
    use super::folds::{stream_blocks, STREAMS};
    let zero = _mm256_setzero_pd();
    let (mut l0, mut l1, mut l2, mut l3) = (zero, zero, zero, zero);
    let mut add_block = |i: usize| {
        // SAFETY: the block's values i..i + BLOCK are inside `xs`, as the callers check.
        let (a, b) = unsafe { (column_sums(p.add(i)), column_sums(p.add(i + 8))) };
        l0 = widen_add(l0, _mm256_castps256_ps128(a));
        l1 = widen_add(l1, _mm256_extractf128_ps::<1>(a));
        l2 = widen_add(l2, _mm256_castps256_ps128(b));
        l3 = widen_add(l3, _mm256_extractf128_ps::<1>(b));
    };
    let per_stream = stream_blocks(n);
    for b in 0..per_stream {
        for s in 0..STREAMS {
            add_block((s * per_stream + b) * BLOCK);
        }
    }
    let mut i = STREAMS * per_stream * BLOCK;
    while i + BLOCK <= n {
        add_block(i);
        i += BLOCK;
    }
    while i + 32 <= n {
        // SAFETY: values i..i + 32 are inside `xs`.
        let (a, b) = unsafe {
            (
                _mm256_add_ps(_mm256_loadu_ps(p.add(i)), _mm256_loadu_ps(p.add(i + 16))),
                _mm256_add_ps(
                    _mm256_loadu_ps(p.add(i + 8)),
                    _mm256_loadu_ps(p.add(i + 24)),
                ),
            )
        };
        l0 = widen_add(l0, _mm256_castps256_ps128(a));
        l1 = widen_add(l1, _mm256_extractf128_ps::<1>(a));
        l2 = widen_add(l2, _mm256_castps256_ps128(b));
        l3 = widen_add(l3, _mm256_extractf128_ps::<1>(b));
        i += 32;
    }
    if i + 16 <= n {
        // SAFETY: values i..i + 16 are inside `xs`.
        unsafe {
            l0 = widen_add(l0, _mm_loadu_ps(p.add(i)));
            l1 = widen_add(l1, _mm_loadu_ps(p.add(i + 4)));
            l2 = widen_add(l2, _mm_loadu_ps(p.add(i + 8)));
            l3 = widen_add(l3, _mm_loadu_ps(p.add(i + 12)));
        }
        i += 16;
    }
    if i + 8 <= n {
        // SAFETY: values i..i + 8 are inside `xs`.
        unsafe {
            l0 = widen_add(l0, _mm_loadu_ps(p.add(i)));
            l1 = widen_add(l1, _mm_loadu_ps(p.add(i + 4)));
        }
        i += 8;
    }
    // The last values into lanes 0-6, as masked loads: a masked-off lane is neither read nor
    // faulted, and it adds 0.0 (no lane is ever -0.0, so that changes nothing).
    let rest = (n - i) as i32;
    if rest > 0 {
        let lane = _mm_setr_epi32(0, 1, 2, 3);
        // SAFETY: the mask selects values i..n, inside `xs`; `i < n`, so the pointer is in it.
        l0 = widen_add(l0, unsafe {
            _mm_maskload_ps(p.add(i), _mm_cmpgt_epi32(_mm_set1_epi32(rest), lane))
        });
        if rest > 4 {
            // SAFETY: as above, for values i + 4..n.
            l1 = widen_add(l1, unsafe {
                _mm_maskload_ps(
                    p.add(i + 4),
                    _mm_cmpgt_epi32(_mm_set1_epi32(rest - 4), lane),
                )
            });
        }
    }
    // The tree: lanes k and k + 8, then k and k + 4, k and k + 2, and the last two.
    let quad = _mm256_add_pd(_mm256_add_pd(l0, l2), _mm256_add_pd(l1, l3));
    let pair = _mm_add_pd(
        _mm256_castpd256_pd128(quad),
        _mm256_extractf128_pd::<1>(quad),
    );
    _mm_cvtsd_f64(pair) + _mm_cvtsd_f64(_mm_unpackhi_pd(pair, pair))
}

/// The product of a vector's four float64 lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn product_of_lanes(v: __m256d) -> f64 {
    let pair = _mm_mul_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
    _mm_cvtsd_f64(pair) * _mm_cvtsd_f64(_mm_unpackhi_pd(pair, pair))
}

/// The eight chains' product, as a tree.
#[inline]
#[target_feature(enable = "avx2")]
fn product_of_chains(acc: [__m256d; 8]) -> f64 {
    let m = |a: __m256d, b: __m256d| _mm256_mul_pd(a, b);
    product_of_lanes(m(
        m(m(acc[0], acc[1]), m(acc[2], acc[3])),
        m(m(acc[4], acc[5]), m(acc[6], acc[7])),
    ))
}

/// Mask of the first `k < 4` lanes of a 128-bit vector of float32 (or 256-bit of float64).
#[inline]
#[target_feature(enable = "avx2")]
fn first_lanes(k: usize) -> __m128i {
    _mm_cmpgt_epi32(_mm_set1_epi32(k as i32), _mm_setr_epi32(0, 1, 2, 3))
}

/// The products of rows: `$name(xs)`, `Π xs` in float64 partial products: eight chains of four
/// lanes (a float64 multiplication's latency is three cycles, and two can start in each),
/// then a chain per four values, the last one to three by a masked load whose other lanes
/// hold one. `$load(p)` reads four values at `p` as float64; `$masked(p, mask)` the lanes of
/// `mask`.
/// For float32 ([`WideProd`](super::folds::WideProd)) each value is widened as it is read: the
/// portable loop left a row of 100 values to 68 cycles of two-lane code; this takes a third.
macro_rules! prod_fn {
    ($name:ident, $t:ty, $load:expr, $masked:expr) => {
        /// See `prod_fn`.
        ///
        /// # Safety
        /// The CPU must have AVX2 ([`available`]).
        #[inline]
        #[target_feature(enable = "avx2")]
        pub fn $name(xs: &[$t]) -> f64 {
            let n = xs.len();
            let p = xs.as_ptr();
            let mut acc = [_mm256_set1_pd(1.0); 8];
            let mut i = 0;
            while i + 32 <= n {
                for (j, a) in acc.iter_mut().enumerate() {
                    // SAFETY: `i + j * 4 + 4 <= i + 32 <= n`.
                    *a = _mm256_mul_pd(*a, unsafe { $load(p.add(i + j * 4)) });
                }
                i += 32;
            }
            // at most seven rows of four remain: chains 0-6
            let mut j = 0;
            while i + 4 <= n {
                // SAFETY: `i + 4 <= n`.
                acc[j] = _mm256_mul_pd(acc[j], unsafe { $load(p.add(i)) });
                j += 1;
                i += 4;
            }
            if i < n {
                // SAFETY: the mask selects values i..n, inside `xs`; masked-off lanes are not
                // read.
                let x = unsafe { $masked(p.add(i), first_lanes(n - i)) };
                acc[7] = _mm256_mul_pd(acc[7], x);
            }
            product_of_chains(acc)
        }
    };
}

prod_fn!(
    prod_f32,
    f32,
    |p| _mm256_cvtps_pd(_mm_loadu_ps(p)),
    |p, mask: __m128i| {
        let x = _mm_maskload_ps(p, mask);
        _mm256_cvtps_pd(_mm_blendv_ps(_mm_set1_ps(1.0), x, _mm_castsi128_ps(mask)))
    }
);
prod_fn!(prod_f64, f64, |p| _mm256_loadu_pd(p), |p, mask: __m128i| {
    // float64 lanes are pairs of the 32-bit mask's lanes
    let mask = _mm256_cvtepi32_epi64(mask);
    let x = _mm256_maskload_pd(p, mask);
    _mm256_blendv_pd(_mm256_set1_pd(1.0), x, _mm256_castsi256_pd(mask))
});

/// The extremes of float rows: `$name(xs, largest)`, the largest (or smallest) of `xs`, NaN if
/// any element is NaN, for rows of at least one vector (the caller's portable loop takes
/// shorter ones). Four vectors of compare-and-select accumulators and a NaN mask; the row's
/// last vector is loaded so that it ends at its last value, overlapping the one before (an
/// extreme is unchanged by values seen twice). Ties between lanes (`0.0` and `-0.0`) may
/// resolve either way. The compiler's loop for this ([`folds`](super::folds)' `extreme_slice`,
/// NaN noticed through lane sums) kept its lanes on the stack and stored them with
/// `vmaskmovps`: `amax(1)` of (1000, 100) float32 took 44 µs on a Zen 3 core, PyTorch 18.
macro_rules! extreme_fn {
    ($name:ident, $t:ty, $v:ty, $lanes:literal, $load:ident, $set1:ident, $max:ident,
     $min:ident, $or:ident, $cmp:ident, $mask:ident, $reduce:ident) => {
        /// See `extreme_fn`; `None` for rows shorter than a vector.
        ///
        /// # Safety
        /// The CPU must have AVX2 ([`available`]).
        #[inline]
        #[target_feature(enable = "avx2")]
        pub fn $name(xs: &[$t], largest: bool) -> Option<$t> {
            const W: usize = $lanes;
            let n = xs.len();
            if n < W {
                return None;
            }
            let p = xs.as_ptr();
            // `pick(x, acc)`: `x` when it is strictly better, else `acc` (no NaN reaches the
            // result: the mask below answers for them).
            let pick = |x: $v, acc: $v| if largest { $max(x, acc) } else { $min(x, acc) };
            let init = $set1(if largest {
                <$t>::NEG_INFINITY
            } else {
                <$t>::INFINITY
            });
            let mut acc = [init; 4];
            let mut nan = $set1(0.0);
            // long rows: a vector from each of four quarters in turn (four streams of loads,
            // as `folds::STREAMS`), then the rest from `4 * quarter` on as below
            let quarter = if n >= STREAMED { n / (4 * W) * W } else { 0 };
            let mut i = 0;
            while i < quarter {
                for (j, a) in acc.iter_mut().enumerate() {
                    // SAFETY: `j * quarter + i + W <= 4 * quarter <= n`.
                    let x = unsafe { $load(p.add(j * quarter + i)) };
                    nan = $or(nan, $cmp::<_CMP_UNORD_Q>(x, x));
                    *a = pick(x, *a);
                }
                i += W;
            }
            i = 4 * quarter;
            while i + 4 * W <= n {
                for (j, a) in acc.iter_mut().enumerate() {
                    // SAFETY: `i + j * W + W <= i + 4 * W <= n`.
                    let x = unsafe { $load(p.add(i + j * W)) };
                    nan = $or(nan, $cmp::<_CMP_UNORD_Q>(x, x));
                    *a = pick(x, *a);
                }
                i += 4 * W;
            }
            while i + W <= n {
                // SAFETY: `i + W <= n`.
                let x = unsafe { $load(p.add(i)) };
                nan = $or(nan, $cmp::<_CMP_UNORD_Q>(x, x));
                acc[1] = pick(x, acc[1]);
                i += W;
            }
            if i < n {
                // SAFETY: `W <= n`: values n - W..n.
                let x = unsafe { $load(p.add(n - W)) };
                nan = $or(nan, $cmp::<_CMP_UNORD_Q>(x, x));
                acc[2] = pick(x, acc[2]);
            }
            if $mask(nan) != 0 {
                return Some(<$t>::NAN);
            }
            Some($reduce(
                pick(pick(acc[0], acc[1]), pick(acc[2], acc[3])),
                largest,
            ))
        }
    };
}

/// Rows of at least this many values are read as four streams by the extremes' loops.
const STREAMED: usize = 4096;

/// The largest (smallest) of a vector's eight float32 lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn reduce_f32(v: __m256, largest: bool) -> f32 {
    let pick = |a: __m128, b: __m128| {
        if largest {
            _mm_max_ps(a, b)
        } else {
            _mm_min_ps(a, b)
        }
    };
    let m = pick(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let m = pick(m, _mm_movehl_ps(m, m));
    _mm_cvtss_f32(pick(m, _mm_movehdup_ps(m)))
}

/// The largest (smallest) of a vector's four float64 lanes.
#[inline]
#[target_feature(enable = "avx2")]
fn reduce_f64(v: __m256d, largest: bool) -> f64 {
    let pick = |a: __m128d, b: __m128d| {
        if largest {
            _mm_max_pd(a, b)
        } else {
            _mm_min_pd(a, b)
        }
    };
    let m = pick(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
    _mm_cvtsd_f64(pick(m, _mm_unpackhi_pd(m, m)))
}

extreme_fn!(
    extreme_f32,
    f32,
    __m256,
    8,
    _mm256_loadu_ps,
    _mm256_set1_ps,
    _mm256_max_ps,
    _mm256_min_ps,
    _mm256_or_ps,
    _mm256_cmp_ps,
    _mm256_movemask_ps,
    reduce_f32
);
extreme_fn!(
    extreme_f64,
    f64,
    __m256d,
    4,
    _mm256_loadu_pd,
    _mm256_set1_pd,
    _mm256_max_pd,
    _mm256_min_pd,
    _mm256_or_pd,
    _mm256_cmp_pd,
    _mm256_movemask_pd,
    reduce_f64
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::folds::portable_sum_f32;
    use crate::kernels::folds::tests::{check_row_products, values};

    #[test]
    fn products_match_float64_products() {
        if !available() {
            return;
        }
        check_row_products(
            // SAFETY: the CPU has AVX2.
            |xs| unsafe { prod_f64(xs) },
            // SAFETY: as above.
            |xs| unsafe { prod_f32(xs) },
            (0..140).chain([255, 256, 257, 1025, 4096 + 17, 100_003]),
        );
    }

    #[test]
    fn sums_are_the_portable_loops_bit_for_bit() {
        if !available() {
            return;
        }
        let mut seed = 3u64;
        for len in (0..600).chain([1000, 4096 + 17, 100_003]) {
            let xs: Vec<f32> = values(len, &mut seed).iter().map(|&x| x as f32).collect();
            // SAFETY: the CPU has AVX2.
            let ours = unsafe { sum_f32(&xs) };
            assert_eq!(ours.to_bits(), portable_sum_f32(&xs).to_bits(), "len {len}");
        }
        // NaN and infinities pass through as in the portable loop
        let mut xs = vec![1.0f32; 100];
        xs[97] = f32::INFINITY;
        // SAFETY: the CPU has AVX2.
        assert_eq!(unsafe { sum_f32(&xs) }, f64::INFINITY);
        xs[3] = f32::NAN;
        // SAFETY: the CPU has AVX2.
        assert!(unsafe { sum_f32(&xs) }.is_nan());
    }

    #[test]
    fn extremes_match_a_scalar_fold_and_see_every_nan() {
        if !available() {
            return;
        }
        for len in [
            0usize, 3, 4, 7, 8, 9, 15, 31, 32, 33, 37, 63, 100, 1000, 4095, 4096, 4103, 100_003,
        ] {
            let xs: Vec<f64> = (0..len)
                .map(|i| ((i * 7919) % 1013) as f64 - 500.0)
                .collect();
            let ys: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            // SAFETY: the CPU has AVX2.
            let got = unsafe { [extreme_f64(&xs, true), extreme_f64(&xs, false)] };
            // SAFETY: the CPU has AVX2.
            let got32 = unsafe { [extreme_f32(&ys, true), extreme_f32(&ys, false)] };
            let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let want = |w: usize| (len >= w).then_some(());
            assert_eq!(
                got,
                [want(4).map(|_| max), want(4).map(|_| min)],
                "len {len}"
            );
            assert_eq!(
                got32,
                [want(8).map(|_| max as f32), want(8).map(|_| min as f32)],
                "len {len}"
            );
            for at in [0, len / 2, len.saturating_sub(1)] {
                if len < 8 {
                    break;
                }
                let mut xn = xs.clone();
                xn[at] = f64::NAN;
                let mut yn = ys.clone();
                yn[at] = f32::NAN;
                for largest in [true, false] {
                    // SAFETY: the CPU has AVX2.
                    let (a, b) = unsafe { (extreme_f64(&xn, largest), extreme_f32(&yn, largest)) };
                    assert!(
                        a.unwrap().is_nan() && b.unwrap().is_nan(),
                        "len {len} at {at}"
                    );
                }
            }
        }
        // long rows (four streams, then the rest): a single extreme anywhere is found
        for len in [4096usize, 4103, 5000, 100_003] {
            let xs = vec![0.0f32; len];
            let quarter = len / 32 * 8;
            let mut places: Vec<usize> = (0..len).step_by(len / 41).collect();
            places.extend((1..=4).flat_map(|j| [j * quarter - 1, j * quarter]));
            places.push(len - 1);
            for at in places.into_iter().filter(|&at| at < len) {
                let mut ys = xs.clone();
                ys[at] = 7.0;
                // SAFETY: the CPU has AVX2.
                assert_eq!(unsafe { extreme_f32(&ys, true) }, Some(7.0), "{len} {at}");
                ys[at] = -7.0;
                // SAFETY: the CPU has AVX2.
                assert_eq!(unsafe { extreme_f32(&ys, false) }, Some(-7.0), "{len} {at}");
                ys[at] = f32::NAN;
                // SAFETY: the CPU has AVX2.
                let nan = unsafe { extreme_f32(&ys, true) };
                assert!(nan.unwrap().is_nan(), "{len} {at}");
                let mut zs = vec![0.0f64; len];
                zs[at] = 7.0;
                // SAFETY: the CPU has AVX2.
                assert_eq!(unsafe { extreme_f64(&zs, true) }, Some(7.0), "{len} {at}");
            }
        }
        // infinities are values, not NaN
        let mut xs = vec![0.0f32; 20];
        xs[5] = f32::INFINITY;
        xs[6] = f32::NEG_INFINITY;
        // SAFETY: the CPU has AVX2.
        let got = unsafe { (extreme_f32(&xs, true), extreme_f32(&xs, false)) };
        assert_eq!(got, (Some(f32::INFINITY), Some(f32::NEG_INFINITY)));
    }
}
