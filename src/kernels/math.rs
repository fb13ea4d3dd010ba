//! Scalar arithmetic for every element type, with PyTorch's integer and float semantics.
//!
//! Integer ops wrap on overflow (as torch's do), floor division and remainder round towards
//! negative infinity, and division by zero is reported through `zero_div` instead of trapping.
//! `i64::MIN / -1` wraps to `i64::MIN` (PyTorch itself dies with SIGFPE there).

use std::sync::atomic::{AtomicBool, Ordering};

/// Arithmetic one element type supports.
pub trait Arith: Copy + PartialOrd + Send + Sync + 'static {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// True division (integers are promoted to floats before they get here).
    fn div(self, o: Self) -> Self;
    fn floor_div(self, o: Self, zero_div: &AtomicBool) -> Self;
    fn rem(self, o: Self, zero_div: &AtomicBool) -> Self;
    fn pow(self, o: Self, neg_exp: &AtomicBool) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn sign(self) -> Self;
    fn is_nan(self) -> bool;
    /// Bitwise and/or/xor; never called for floats (the ops reject them), which return `self`.
    fn bit_and(self, o: Self) -> Self;
    fn bit_or(self, o: Self) -> Self;
    fn bit_xor(self, o: Self) -> Self;
    /// Whether this type has hand-written vector loops (`kernels::avx512`) that the CPU runs:
    /// then the `fast_*` functions below answer.
    #[inline(always)]
    fn fast_loops() -> bool {
        false
    }
    /// The largest (or smallest) of `xs`, NaN if any is NaN, by a hand-written vector loop
    /// where this type has one and the CPU runs it (see `kernels::avx512`).
    #[inline(always)]
    fn fast_extreme(_xs: &[Self], _largest: bool) -> Option<Self> {
        None
    }
    /// Column-wise extremes (`out[j]` over `src[r * stride + j]`, `r < rows`, NaN if any) by a
    /// hand-written vector loop; false (nothing written) where there is none.
    ///
    /// # Safety
    /// `src` must be valid for `rows` rows of `len` values `stride` apart, `out` for `len`
    /// writes.
    #[inline(always)]
    unsafe fn fast_extreme_rows(
        _src: *const Self,
        _rows: usize,
        _stride: usize,
        _out: *mut Self,
        _len: usize,
        _largest: bool,
    ) -> bool {
        false
    }
    /// Column sums of `rows` rows of `len` contiguous values, `stride` apart, into `out` by a
    /// hand-written vector loop (the portable vertical loop's additions, in its order); false
    /// (nothing written) where there is none.
    ///
    /// # Safety
    /// As for [`Arith::fast_extreme_rows`].
    #[inline(always)]
    unsafe fn fast_sum_rows(
        _src: *const Self,
        _rows: usize,
        _stride: usize,
        _out: *mut Self,
        _len: usize,
    ) -> bool {
        false
    }
    /// The position of the first element of `xs` equal to `value` (NaN matching NaN) by a
    /// hand-written vector loop: `None` where there is none, `Some(None)` when no element
    /// matches.
    #[inline(always)]
    fn fast_find(_xs: &[Self], _value: Self) -> Option<Option<usize>> {
        None
    }
    /// `Σ xs` (pairwise) by a hand-written vector loop where this type has one and the CPU runs
    /// it (see `kernels::avx512`); `None` leaves it to the portable pairwise sum.
    #[inline(always)]
    fn fast_sum(_xs: &[Self]) -> Option<Self> {
        None
    }
    /// `Π xs` by a hand-written vector loop where this type has one and the CPU runs it;
    /// `None` leaves it to the portable loop.
    #[inline(always)]
    fn fast_prod(_xs: &[Self]) -> Option<Self> {
        None
    }
    /// Maximum that propagates NaN, as `torch.maximum`.
    fn max_nan(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            if self.is_nan() {
                self
            } else {
                o
            }
        } else if o > self {
            o
        } else {
            self
        }
    }
    /// Minimum that propagates NaN, as `torch.minimum`.
    fn min_nan(self, o: Self) -> Self {
        if self.is_nan() || o.is_nan() {
            if self.is_nan() {
                self
            } else {
                o
            }
        } else if o < self {
            o
        } else {
            self
        }
    }
}

macro_rules! int_arith {
    ($t:ty) => {
        impl Arith for $t {
            /// Integer additions wrap, so any order gives the same sum: one running total,
            /// which the compiler turns into a vector reduction (the pairwise sum's tail went
            /// through the stack value by value: int64 rows of 100 took twice as long).
            #[inline(always)]
            fn fast_sum(xs: &[Self]) -> Option<Self> {
                let mut s: $t = 0;
                for &x in xs {
                    s = s.wrapping_add(x);
                }
                Some(s)
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                if o == 0 {
                    0
                } else {
                    self.wrapping_div(o)
                }
            }
            #[inline(always)]
            fn floor_div(self, o: Self, zero_div: &AtomicBool) -> Self {
                if o == 0 {
                    zero_div.store(true, Ordering::Relaxed);
                    return 0;
                }
                let q = self.wrapping_div(o);
                #[allow(unused_comparisons)]
                if (self.wrapping_rem(o) != 0) && ((self < 0) != (o < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            fn rem(self, o: Self, zero_div: &AtomicBool) -> Self {
                if o == 0 {
                    zero_div.store(true, Ordering::Relaxed);
                    return 0;
                }
                let r = self.wrapping_rem(o);
                #[allow(unused_comparisons)]
                if r != 0 && ((r < 0) != (o < 0)) {
                    r.wrapping_add(o)
                } else {
                    r
                }
            }
            /// Integer power, wrapping; a negative exponent gives `1 / self` truncated (0 unless
            /// `self` is 1 or -1), as torch's tensor-tensor `pow` does. (A negative Python
            /// integer exponent is rejected before the kernel runs.)
            #[inline(always)]
            fn pow(self, o: Self, _: &AtomicBool) -> Self {
                #[allow(unused_comparisons)]
                if o < 0 {
                    let one: Self = 1;
                    return if self == one {
                        one
                    } else if self == one.neg() {
                        if o & one == 0 {
                            one
                        } else {
                            self
                        }
                    } else {
                        0
                    };
                }
                let mut base = self;
                let mut e = o as u64;
                let mut acc: Self = 1;
                while e > 0 {
                    if e & 1 == 1 {
                        acc = acc.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline(always)]
            fn neg(self) -> Self {
                (0 as $t).wrapping_sub(self)
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn abs(self) -> Self {
                if self < 0 {
                    self.neg()
                } else {
                    self
                }
            }
            #[inline(always)]
            #[allow(unused_comparisons)]
            fn sign(self) -> Self {
                if self > 0 {
                    1
                } else if self < 0 {
                    (0 as $t).wrapping_sub(1)
                } else {
                    0
                }
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                false
            }
            #[inline(always)]
            fn bit_and(self, o: Self) -> Self {
                self & o
            }
            #[inline(always)]
            fn bit_or(self, o: Self) -> Self {
                self | o
            }
            #[inline(always)]
            fn bit_xor(self, o: Self) -> Self {
                self ^ o
            }
        }
    };
}

macro_rules! float_arith {
    ($t:ty, $extreme:ident, $rows:ident, $sum_rows:ident, $find:ident $(, prod = $prod:ident)? $(, sum = $sum:ident)?) => {
        impl Arith for $t {
            #[inline(always)]
            unsafe fn fast_sum_rows(
                src: *const Self,
                rows: usize,
                stride: usize,
                out: *mut Self,
                len: usize,
            ) -> bool {
                #[cfg(target_arch = "x86_64")]
                if super::avx512::available() {
                    // SAFETY: the CPU has AVX-512F; the buffers as the caller promises.
                    unsafe { super::avx512::$sum_rows(src, rows, stride, out, len) };
                    return true;
                }
                let _ = (src, rows, stride, out, len);
                false
            }
            #[inline(always)]
            fn fast_loops() -> bool {
                #[cfg(target_arch = "x86_64")]
                return super::avx512::available();
                #[cfg(not(target_arch = "x86_64"))]
                false
            }
            #[inline(always)]
            unsafe fn fast_extreme_rows(
                src: *const Self,
                rows: usize,
                stride: usize,
                out: *mut Self,
                len: usize,
                largest: bool,
            ) -> bool {
                #[cfg(target_arch = "x86_64")]
                if super::avx512::available() {
                    // SAFETY: the CPU has AVX-512F; the buffers as the caller promises.
                    unsafe { super::avx512::$rows(src, rows, stride, out, len, largest) };
                    return true;
                }
                let _ = (src, rows, stride, out, len, largest);
                false
            }
            #[inline(always)]
            fn fast_find(xs: &[Self], value: Self) -> Option<Option<usize>> {
                #[cfg(target_arch = "x86_64")]
                if super::avx512::available() {
                    // SAFETY: the CPU has AVX-512F.
                    return Some(unsafe { super::avx512::$find(xs, value) });
                }
                let _ = (xs, value);
                None
            }
            $(
            #[inline(always)]
            fn fast_sum(xs: &[Self]) -> Option<Self> {
                #[cfg(target_arch = "x86_64")]
                if super::avx512::available() {
                    // SAFETY: the CPU has AVX-512F.
                    return Some(unsafe { super::avx512::$sum(xs) });
                }
                let _ = xs;
                None
            }
            )?
            $(
            #[inline(always)]
            fn fast_prod(xs: &[Self]) -> Option<Self> {
                #[cfg(target_arch = "x86_64")]
                if super::avx512::available() {
                    // SAFETY: the CPU has AVX-512F.
                    return Some(unsafe { super::avx512::$prod(xs) });
                }
                #[cfg(target_arch = "x86_64")]
                if super::avx2::available() {
                    // SAFETY: the CPU has AVX2.
                    return Some(unsafe { super::avx2::$prod(xs) });
                }
                let _ = xs;
                None
            }
            )?
            #[inline(always)]
            fn fast_extreme(xs: &[Self], largest: bool) -> Option<Self> {
                #[cfg(target_arch = "x86_64")]
                if super::avx512::available() {
                    // SAFETY: the CPU has AVX-512F.
                    return Some(unsafe { super::avx512::$extreme(xs, largest) });
                }
                #[cfg(target_arch = "x86_64")]
                if super::avx2::available() {
                    // SAFETY: the CPU has AVX2.
                    return unsafe { super::avx2::$extreme(xs, largest) };
                }
                let _ = (xs, largest);
                None
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self / o
            }
            #[inline(always)]
            fn floor_div(self, o: Self, _: &AtomicBool) -> Self {
                // torch's div_floor_floating: floor of the true quotient, fixed up so that
                // a == b * q + r holds with r of b's sign.
                if o == 0.0 {
                    return self / o;
                }
                let m = self % o;
                let mut div = (self - m) / o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    div -= 1.0;
                }
                if div != 0.0 {
                    let f = div.floor();
                    if div - f > 0.5 {
                        f + 1.0
                    } else {
                        f
                    }
                } else {
                    (0.0 as $t).copysign(self / o)
                }
            }
            #[inline(always)]
            fn rem(self, o: Self, _: &AtomicBool) -> Self {
                let m = self % o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    m + o
                } else {
                    m
                }
            }
            #[inline(always)]
            fn pow(self, o: Self, _: &AtomicBool) -> Self {
                if o == 2.0 {
                    self * self
                } else {
                    self.powf(o)
                }
            }
            #[inline(always)]
            fn neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.abs()
            }
            /// 1, -1 or 0; torch gives 0 (not NaN, not -0) for NaN and -0.
            #[inline(always)]
            fn sign(self) -> Self {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                self.is_nan()
            }
            fn bit_and(self, _: Self) -> Self {
                self
            }
            fn bit_or(self, _: Self) -> Self {
                self
            }
            fn bit_xor(self, _: Self) -> Self {
                self
            }
        }
    };
}

int_arith!(u8);
int_arith!(i32);
int_arith!(i64);
float_arith!(f32, extreme_f32, extreme_rows_f32, sum_rows_f32, find_f32);
float_arith!(
    f64,
    extreme_f64,
    extreme_rows_f64,
    sum_rows_f64,
    find_f64,
    prod = prod_f64,
    sum = pairwise_sum_f64
);

/// Transcendental functions of the float types.
pub trait Float: Arith + crate::kernels::Element {
    fn exp(self) -> Self;
    /// `exp` of an `x` at most `ln(MAX)` (softmax's `x - max(x)`: see
    /// [`crate::kernels::exp::exp_f32_below_max`]), with fused multiply-adds when `fma` (inside
    /// [`crate::kernels::simd::best_fma`]: see [`crate::kernels::exp`]).
    fn exp_below_max(self, fma: bool) -> Self;
    /// The vectorisable `ln` of [`crate::kernels::exp`], for loops over many values.
    fn ln(self) -> Self;
    /// libm's `ln`: a call per value, but the shortest wait when one value at a time depends on
    /// it (softmax's logarithm of each line's sum).
    fn ln_libm(self) -> Self;
    fn sqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn tanh(self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn round_even(self) -> Self;
    fn trunc(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn log1p(self) -> Self;
    fn expm1(self) -> Self;
    fn sigmoid(self) -> Self;
}

macro_rules! float_fns {
    ($t:ty, $exp:path, $exp_below_max:path, $ln:path, $tanh:path) => {
        impl Float for $t {
            /// The vectorisable `exp` of [`crate::kernels::exp`].
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self, false)
            }
            #[inline(always)]
            fn exp_below_max(self, fma: bool) -> Self {
                $exp_below_max(self, fma)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $ln(self, false)
            }
            #[inline(always)]
            fn ln_libm(self) -> Self {
                self.ln()
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                self.sqrt()
            }
            #[inline(always)]
            fn sin(self) -> Self {
                self.sin()
            }
            #[inline(always)]
            fn cos(self) -> Self {
                self.cos()
            }
            #[inline(always)]
            fn tan(self) -> Self {
                self.tan()
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn floor(self) -> Self {
                self.floor()
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                self.ceil()
            }
            #[inline(always)]
            fn round_even(self) -> Self {
                self.round_ties_even()
            }
            #[inline(always)]
            fn trunc(self) -> Self {
                self.trunc()
            }
            #[inline(always)]
            fn log2(self) -> Self {
                self.log2()
            }
            #[inline(always)]
            fn log10(self) -> Self {
                self.log10()
            }
            #[inline(always)]
            fn log1p(self) -> Self {
                self.ln_1p()
            }
            #[inline(always)]
            fn expm1(self) -> Self {
                self.exp_m1()
            }
            #[inline(always)]
            fn sigmoid(self) -> Self {
                1.0 / (1.0 + $exp(-self, false))
            }
        }
    };
}

float_fns!(
    f32,
    crate::kernels::exp::exp_f32,
    crate::kernels::exp::exp_f32_below_max,
    crate::kernels::exp::ln_f32,
    crate::kernels::exp::tanh_f32
);
float_fns!(
    f64,
    crate::kernels::exp::exp_f64,
    crate::kernels::exp::exp_f64_below_max,
    crate::kernels::exp::ln_f64,
    f64::tanh
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_division_rounds_down_and_survives_edge_cases() {
        let z = AtomicBool::new(false);
        assert_eq!(Arith::floor_div(-7i64, 2, &z), -4);
        assert_eq!(Arith::rem(-7i64, 2, &z), 1);
        assert_eq!(Arith::rem(7i64, -2, &z), -1);
        assert_eq!(Arith::floor_div(i64::MIN, -1, &z), i64::MIN);
        assert!(!z.load(Ordering::Relaxed));
        assert_eq!(Arith::floor_div(1i64, 0, &z), 0);
        assert!(z.load(Ordering::Relaxed));
    }

    #[test]
    fn float_floor_div_and_rem_follow_python() {
        let z = AtomicBool::new(false);
        assert_eq!(Arith::floor_div(-7.0f64, 2.0, &z), -4.0);
        assert_eq!(Arith::rem(-7.0f64, 2.0, &z), 1.0);
        assert_eq!(Arith::rem(5.5f32, -2.0, &z), -0.5);
    }

    #[test]
    fn maximum_propagates_nan() {
        assert!(Arith::max_nan(f32::NAN, 1.0).is_nan());
        assert!(Arith::max_nan(1.0, f32::NAN).is_nan());
        assert_eq!(Arith::max_nan(1i64, 3), 3);
    }
}
