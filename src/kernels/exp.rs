//! `exp` and `ln` for f32 and f64 written so that the compiler vectorises a loop over them (no
//! table look-ups, no branches, no calls), unlike libm's scalar functions.
//!
//! Both reduce as Cephes (`expf.c`, `exp.c`) does: `x = n ln2 + r` with `|r| <= ln2 / 2` (ln 2
//! split in two parts so that `n ln2` is exact), then approximate `exp(r)` by a polynomial
//! (Cephes' minimax one for f32, the Taylor series to degree 13 for f64) and scale by `2^n`.
//! The scale is applied as two factors `2^(n/2)` and `2^(n - n/2)`, each a normal number, so
//! results near overflow and in the subnormal range come out right with one rounding (softmax's
//! form for arguments up to zero needs one factor and a constant: [`exp_f32_below_max`]).
//! Accuracy: within 1 ulp of the correctly rounded result over the whole range
//! (tested below against f64 arithmetic for f32 and against libm for f64).
//!
//! The `fma` argument says whether the caller runs where the CPU has fused multiply-add
//! ([`crate::kernels::simd::best_fma`] passes it, a constant once inlined): the polynomial's
//! steps are then one instruction and one rounding each, and `exp` a third faster. Without the
//! instruction, `mul_add` would be a library call, so the steps are a multiply and an add. The
//! two forms may differ in the last bit; each is within the bound above.

/// `a * b + c`, fused when `fma` (see the module documentation).
#[inline(always)]
fn mla<T: MulAdd>(a: T, b: T, c: T, fma: bool) -> T {
    if fma {
        a.mul_add(b, c)
    } else {
        a.mul_then_add(b, c)
    }
}

/// The two forms of `a * b + c` for [`mla`].
trait MulAdd: Copy {
    fn mul_add(self, b: Self, c: Self) -> Self;
    fn mul_then_add(self, b: Self, c: Self) -> Self;
}

macro_rules! mul_add {
    ($($t:ty),*) => {$(
        impl MulAdd for $t {
            #[inline(always)]
            fn mul_add(self, b: Self, c: Self) -> Self {
                <$t>::mul_add(self, b, c)
            }
            #[inline(always)]
            fn mul_then_add(self, b: Self, c: Self) -> Self {
                self * b + c
            }
        }
    )*};
}
mul_add!(f32, f64);

/// ln(f32::MAX) and ln of half the smallest subnormal f32: e^x overflows above the first and
/// rounds to zero below the second.
const HI_F32: f32 = 88.722_84;
const LO_F32: f32 = -103.972_08;

/// `exp_f32`/`exp_f64` and `exp_f32_below_max`/`exp_f64_below_max` around the kernels for
/// arguments in range.
macro_rules! exp_fns {
    (
        $t:ident,
        $exp:ident,
        $below_max:ident,
        $in_range:ident,
        $not_above:ident,
        $lo:ident,
        $hi:ident
    ) => {
        /// e^x (`fma`: see the module documentation).
        #[inline(always)]
        pub fn $exp(x: $t, fma: bool) -> $t {
            // `max` and `min` drop a NaN (`clamp` would keep it), so the arithmetic stays
            // finite for every input.
            #[allow(clippy::manual_clamp)]
            let y = $in_range(x.max($lo).min($hi), fma);
            if x.is_nan() {
                x
            } else if x > $hi {
                $t::INFINITY
            } else if x < $lo {
                0.0
            } else {
                y
            }
        }

        /// e^x where `x` is at most zero or NaN, as softmax's `x - max(x)` always is: the full
        /// `exp` without the overflow side, with NaN carried through by the arithmetic rather
        /// than chosen at the end, and a cheaper scaling by `2^n` (half the instructions in
        /// all). Exact for `x` up to [`NOT_ABOVE_MAX_F32`] and [`NOT_ABOVE_MAX_F64`]; larger `x`
        /// give unspecified values.
        #[inline(always)]
        pub fn $below_max(x: $t, fma: bool) -> $t {
            // NaN fails the comparison and is kept
            let y = $not_above(if x < $lo { $lo } else { x }, fma);
            if x < $lo {
                0.0
            } else {
                y
            }
        }
    };
}
exp_fns!(
    f32,
    exp_f32,
    exp_f32_below_max,
    exp_f32_in_range,
    exp_f32_not_above,
    LO_F32,
    HI_F32
);
exp_fns!(
    f64,
    exp_f64,
    exp_f64_below_max,
    exp_f64_in_range,
    exp_f64_not_above,
    LO_F64,
    HI_F64
);

/// e^x for `LO_F32 <= x <= HI_F32` (NaN gives NaN).
#[inline(always)]
fn exp_f32_in_range(xc: f32, fma: bool) -> f32 {
    let (p, t) = exp_f32_reduced(xc, fma);
    let n = t.to_bits() as i32 - MAGIC_F32.to_bits() as i32;
    let h = n >> 1;
    let s1 = f32::from_bits(((h + 127) as u32) << 23);
    let s2 = f32::from_bits(((n - h + 127) as u32) << 23);
    p * s1 * s2
}

/// The largest argument [`exp_f32_below_max`] takes: `2^n` with `n` up to 63 (see
/// [`exp_f32_not_above`]).
pub const NOT_ABOVE_MAX_F32: f32 = 43.0;

/// e^x for `LO_F32 <= x <= NOT_ABOVE_MAX_F32` (NaN gives NaN), with the same result as
/// [`exp_f32_in_range`]: `p 2^n` as `(p 2^(n + 64)) 2^-64`, where the first product is exact
/// (a normal number for `-150 <= n <= 63`) and the second rounds once, as the two factors there
/// do. `2^(n + 64)`'s bits come from `t`'s in two integer instructions: the low bits of `t`
/// hold `n` (those of `MAGIC_F32` shift out), so shifting them into the exponent field and
/// adding the bias and 64 builds it.
#[inline(always)]
fn exp_f32_not_above(xc: f32, fma: bool) -> f32 {
    const TWO_M64: f32 = 1.0 / 18_446_744_073_709_551_616.0;
    let (p, t) = exp_f32_reduced(xc, fma);
    let s = f32::from_bits((t.to_bits() << 23).wrapping_add((127 + 64) << 23));
    p * s * TWO_M64
}

/// 1.5 * 2^23: adding it to a float32 of magnitude below 2^22 rounds to an integer `n`, which
/// then sits in the low mantissa bits (`bits(MAGIC + n) = bits(MAGIC) + n`).
const MAGIC_F32: f32 = 12_582_912.0;

/// `(e^r, t)` for `x = n ln2 + r`, where `t = MAGIC_F32 + n` carries `n` in its low bits.
#[inline(always)]
fn exp_f32_reduced(xc: f32, fma: bool) -> (f32, f32) {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let t = mla(xc, LOG2E, MAGIC_F32, fma);
    let n = t - MAGIC_F32;
    let r = mla(-n, LN2_LO, mla(-n, LN2_HI, xc, fma), fma);
    let mut q = 1.987_569_1e-4;
    for c in [
        1.398_2e-3,
        8.333_452e-3,
        4.166_579_6e-2,
        1.666_666_5e-1,
        0.5,
    ] {
        q = mla(q, r, c, fma);
    }
    (mla(q, r * r, r, fma) + 1.0, t)
}

/// As [`HI_F32`] and [`LO_F32`], for f64.
const HI_F64: f64 = 7.097_827_128_933_84e2;
const LO_F64: f64 = -7.451_332_191_019_411e2;

/// e^x for `LO_F64 <= x <= HI_F64` (NaN gives NaN).
#[inline(always)]
fn exp_f64_in_range(xc: f64, fma: bool) -> f64 {
    let (p, t) = exp_f64_reduced(xc, fma);
    let n = t.to_bits() as i64 - MAGIC_F64.to_bits() as i64;
    let h = n >> 1;
    let s1 = f64::from_bits(((h + 1023) as u64) << 52);
    let s2 = f64::from_bits(((n - h + 1023) as u64) << 52);
    p * s1 * s2
}

/// The largest argument [`exp_f64_below_max`] takes: `2^n` with `n` up to 511 (see
/// [`exp_f64_not_above`]).
pub const NOT_ABOVE_MAX_F64: f64 = 354.0;

/// As [`exp_f32_not_above`], for f64: `(p 2^(n + 512)) 2^-512`, exact in the first product for
/// `-1075 <= n <= 511`.
#[inline(always)]
fn exp_f64_not_above(xc: f64, fma: bool) -> f64 {
    const TWO_M512: f64 = f64::from_bits((1023 - 512) << 52);
    let (p, t) = exp_f64_reduced(xc, fma);
    let s = f64::from_bits((t.to_bits() << 52).wrapping_add((1023 + 512) << 52));
    p * s * TWO_M512
}

/// 1.5 * 2^52, as [`MAGIC_F32`] for f64.
const MAGIC_F64: f64 = 6_755_399_441_055_744.0;

/// `(e^r, t)` for `x = n ln2 + r`, where `t = MAGIC_F64 + n` carries `n` in its low bits.
#[inline(always)]
fn exp_f64_reduced(xc: f64, fma: bool) -> (f64, f64) {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_457_519_531_25e-1;
    const LN2_LO: f64 = 1.428_606_820_309_417_3e-6;
    // 1/k! for k = 13 down to 2: the Taylor series, whose terms beyond r^13 stay below 5e-18
    // for |r| <= ln2 / 2.
    const C: [f64; 12] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    let t = mla(xc, LOG2E, MAGIC_F64, fma);
    let n = t - MAGIC_F64;
    let r = mla(-n, LN2_LO, mla(-n, LN2_HI, xc, fma), fma);
    let mut q = C[0];
    for &c in &C[1..] {
        q = mla(q, r, c, fma);
    }
    // 1 + (r + r^2 q): the small terms are summed first, so one rounding dominates.
    (1.0 + mla(r * r, q, r, fma), t)
}

/// ln x for f32 (`fma`: see the module documentation), as musl's branch-free `logf` (from
/// FreeBSD's `e_logf.c`): `x = 2^k (1 + f)` with `1 + f` in `[sqrt(2)/2, sqrt(2))`, then
/// `ln(1 + f) = 2 atanh(s)`, `s = f / (2 + f)`, by a polynomial in `s^2`. Subnormal inputs are
/// scaled by `2^25` first; zero gives `-inf`, negative numbers and NaN give NaN, `inf` itself.
/// Within 1 ulp of the correctly rounded result (tested below).
#[inline(always)]
pub fn ln_f32(x: f32, fma: bool) -> f32 {
    const LN2_HI: f32 = 6.931_381e-1;
    const LN2_LO: f32 = 9.058_001e-6;
    const LG: [f32; 4] = [0.666_666_6, 0.400_009_72, 0.284_987_87, 0.242_790_79];
    let subnormal = x < f32::MIN_POSITIVE;
    let xs = if subnormal { x * 33_554_432.0 } else { x };
    let bits = xs.to_bits().wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = (bits >> 23) as i32 - 0x7f - if subnormal { 25 } else { 0 };
    let f = f32::from_bits((bits & 0x007f_ffff) + 0x3f35_04f3) - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let r = z * mla(w, LG[2], LG[0], fma) + w * mla(w, LG[3], LG[1], fma);
    let hfsq = 0.5 * f * f;
    let dk = k as f32;
    let y = mla(
        dk,
        LN2_HI,
        mla(s, hfsq + r, dk * LN2_LO, fma) - hfsq + f,
        fma,
    );
    if x.is_nan() || x < 0.0 {
        f32::NAN
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        y
    }
}

/// ln x for f64, as [`ln_f32`] (musl's `log`, from FreeBSD's `e_log.c`, with its polynomial of
/// degree 7 in `s^2`; subnormal inputs scaled by `2^54`). Within 1 ulp of the correctly rounded
/// result (tested below against libm).
#[inline(always)]
pub fn ln_f64(x: f64, fma: bool) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const LG: [f64; 7] = [
        6.666_666_666_666_735e-1,
        3.999_999_999_940_942e-1,
        2.857_142_874_366_239e-1,
        2.222_219_843_214_978_4e-1,
        1.818_357_216_161_805e-1,
        1.531_383_769_920_937_3e-1,
        1.479_819_860_511_658_6e-1,
    ];
    let subnormal = x < f64::MIN_POSITIVE;
    let xs = if subnormal {
        x * 18_014_398_509_481_984.0
    } else {
        x
    };
    let bits = xs
        .to_bits()
        .wrapping_add((0x3ff0_0000u64 - 0x3fe6_a09e) << 32);
    let k = (bits >> 52) as i64 - 0x3ff - if subnormal { 54 } else { 0 };
    let f = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09eu64 << 32)) - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * mla(w, mla(w, LG[5], LG[3], fma), LG[1], fma);
    let t2 = z * mla(w, mla(w, mla(w, LG[6], LG[4], fma), LG[2], fma), LG[0], fma);
    let hfsq = 0.5 * f * f;
    let dk = k as f64;
    let y = mla(
        dk,
        LN2_HI,
        mla(s, hfsq + (t2 + t1), dk * LN2_LO, fma) - hfsq + f,
        fma,
    );
    if x.is_nan() || x < 0.0 {
        f64::NAN
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        y
    }
}

/// tanh for f32, vectorisable like [`exp_f32`]: Cephes' odd polynomial (`tanhf.c`) below
/// |x| = 0.625, `1 - 2 / (e^2|x| + 1)` with the sign of x above (no cancellation there, since
/// the result is at least 0.55). Within 2 ulp of the correctly rounded result (tested below).
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let a = x.abs();
    let s = x * x;
    let small =
        ((((-5.704_988_7e-3 * s + 2.063_909e-2) * s - 5.373_971_6e-2) * s + 1.333_144_2e-1) * s
            - 3.333_328e-1)
            * s
            * x
            + x;
    // e^20 is finite, and 1 - 2/(e^20 + 1) rounds to 1 in f32, as tanh does from |x| = 9.01.
    let e = exp_f32(2.0 * a.min(10.0), false);
    let large = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    // NaN takes the polynomial side, which propagates it
    if a < 0.625 || a.is_nan() {
        small
    } else {
        large
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite f32 of the same sign.
    fn ulps32(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn f32_within_one_ulp_of_the_f64_result() {
        for fma in [false, true] {
            let mut worst = 0;
            let mut x = -103.9f32;
            while x < 88.7 {
                let want = (x as f64).exp() as f32;
                let got = exp_f32(x, fma);
                if want > f32::MIN_POSITIVE {
                    worst = worst.max(ulps32(got, want));
                } else {
                    // subnormal results: absolute error of one subnormal step at most
                    assert!(
                        (got - want).abs() <= f32::from_bits(1),
                        "{x}: {got} vs {want}"
                    );
                }
                x += 0.000_731;
            }
            assert!(worst <= 1, "fma {fma}: worst error {worst} ulp");
        }
    }

    #[test]
    fn below_max_forms_agree_with_the_full_ones_up_to_the_maximum() {
        for fma in [false, true] {
            let mut x = -120.0f32;
            while x <= NOT_ABOVE_MAX_F32 {
                assert_eq!(exp_f32_below_max(x, fma), exp_f32(x, fma), "{x}");
                let y = x as f64 * 7.0;
                assert!(y <= NOT_ABOVE_MAX_F64);
                assert_eq!(exp_f64_below_max(y, fma), exp_f64(y, fma), "{y}");
                x += 0.000_913;
            }
            for (x, want) in [
                (f32::NEG_INFINITY, 0.0),
                (-1e30, 0.0),
                (-0.0, 1.0),
                (0.0, 1.0),
            ] {
                assert_eq!(exp_f32_below_max(x, fma), want, "{x}");
                assert_eq!(exp_f64_below_max(x as f64, fma), want as f64, "{x}");
            }
            assert!(exp_f32_below_max(f32::NAN, fma).is_nan());
            assert!(exp_f32_below_max(-f32::NAN, fma).is_nan());
            assert!(exp_f64_below_max(f64::NAN, fma).is_nan());
            assert!(exp_f64_below_max(-f64::NAN, fma).is_nan());
        }
    }

    #[test]
    fn ln_f32_within_one_ulp_of_the_f64_result() {
        for fma in [false, true] {
            let mut worst = 0;
            // every exponent, subnormal ones included, at many mantissas
            let mut bits = 1u32;
            while bits < f32::INFINITY.to_bits() {
                let x = f32::from_bits(bits);
                let (got, want) = (ln_f32(x, fma), (x as f64).ln() as f32);
                assert_eq!(got.is_sign_negative(), want.is_sign_negative(), "{x}");
                worst = worst.max(ulps32(got.abs(), want.abs()));
                bits += 997;
            }
            assert!(worst <= 1, "fma {fma}: worst error {worst} ulp");
            assert_eq!(ln_f32(1.0, fma), 0.0);
            assert_eq!(ln_f32(0.0, fma), f32::NEG_INFINITY);
            assert_eq!(ln_f32(-0.0, fma), f32::NEG_INFINITY);
            assert_eq!(ln_f32(f32::INFINITY, fma), f32::INFINITY);
            for x in [-1.0, f32::NEG_INFINITY, f32::NAN, -f32::from_bits(1)] {
                assert!(ln_f32(x, fma).is_nan(), "{x}");
            }
        }
    }

    #[test]
    fn ln_f64_within_one_ulp_of_std() {
        let ulps =
            |a: f64, b: f64| (a.abs().to_bits() as i64 - b.abs().to_bits() as i64).unsigned_abs();
        for fma in [false, true] {
            let mut worst = 0u64;
            let mut bits = 1u64;
            while bits < f64::INFINITY.to_bits() {
                let x = f64::from_bits(bits);
                let (got, want) = (ln_f64(x, fma), x.ln());
                assert_eq!(got.is_sign_negative(), want.is_sign_negative(), "{x}");
                worst = worst.max(ulps(got, want));
                bits += 0x0000_7ff3_1234_5679;
            }
            // densely around 1, where ln(1 + f) rests on the polynomial alone
            let mut bits = 0.7f64.to_bits();
            while bits < 1.5f64.to_bits() {
                let x = f64::from_bits(bits);
                worst = worst.max(ulps(ln_f64(x, fma), x.ln()));
                bits += 0x1_0000_0f01;
            }
            assert!(worst <= 1, "fma {fma}: worst error {worst} ulp");
            assert_eq!(ln_f64(1.0, fma), 0.0);
            assert_eq!(ln_f64(0.0, fma), f64::NEG_INFINITY);
            assert_eq!(ln_f64(f64::INFINITY, fma), f64::INFINITY);
            for x in [-1.0, f64::NEG_INFINITY, f64::NAN, -f64::from_bits(1)] {
                assert!(ln_f64(x, fma).is_nan(), "{x}");
            }
        }
    }

    #[test]
    fn tanh_f32_within_two_ulp_of_the_f64_result() {
        let mut worst = 0;
        let mut x = -12.0f32;
        while x < 12.0 {
            let (got, want) = (tanh_f32(x), (x as f64).tanh() as f32);
            if want != 0.0 {
                worst = worst.max(ulps32(got, want));
            }
            x += 0.000_173;
        }
        assert!(worst <= 2, "worst error {worst} ulp");
        for x in [1e-30f32, -1e-30, 1e-6, 0.0, -0.0] {
            assert_eq!(tanh_f32(x), x);
        }
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
    }

    #[test]
    fn f64_within_one_ulp_of_std() {
        for fma in [false, true] {
            let mut worst = 0u64;
            let mut x = -708.0f64;
            while x < 709.7 {
                let (got, want) = (exp_f64(x, fma), x.exp());
                worst = worst.max((got.to_bits() as i64 - want.to_bits() as i64).unsigned_abs());
                x += 0.000_917_3;
            }
            assert!(worst <= 1, "fma {fma}: worst error {worst} ulp");
        }
    }

    #[test]
    fn special_values() {
        for fma in [false, true] {
            special_values_of(fma);
        }
    }

    fn special_values_of(fma: bool) {
        let exp_f32 = |x| exp_f32(x, fma);
        let exp_f64 = |x| exp_f64(x, fma);
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(exp_f32(1.0), std::f32::consts::E);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(89.0), f32::INFINITY);
        assert_eq!(exp_f32(-104.0), 0.0);
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f64(710.0), f64::INFINITY);
        assert_eq!(exp_f64(-746.0), 0.0);
        assert_eq!(exp_f64(f64::NEG_INFINITY), 0.0);
        assert!(exp_f64(f64::NAN).is_nan());
        // the largest finite results and the smallest subnormal ones
        let big = 88.72283f32;
        assert!(ulps32(exp_f32(big), (big as f64).exp() as f32) <= 1);
        assert_eq!(exp_f64(709.78), 709.78f64.exp());
        assert_eq!(exp_f64(-745.0), (-745.0f64).exp());
        let mut x = -745.1;
        while x < -708.0 {
            // subnormal results: off by at most one step of the subnormal grid
            let d = exp_f64(x).to_bits() as i64 - x.exp().to_bits() as i64;
            assert!(d.abs() <= 1, "{x}");
            x += 0.0137;
        }
    }
}
