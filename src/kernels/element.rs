//! The Rust types behind each dtype, and conversions between them.

use crate::dtype::{DType, Scalar};

/// A Rust type that can be a tensor element. `bool` tensors use `u8` holding 0 or 1, so the
/// bool semantics (any non-zero is `true`) are applied by the casts below, not by the type.
pub trait Element: Copy + Send + Sync + PartialOrd + Default + std::fmt::Debug + 'static {
    /// The dtype of this element type (`U8` for bytes; bool tensors are told apart by dtype).
    const DTYPE: DType;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn from_i64(v: i64) -> Self;
    fn to_i64(self) -> i64;
    fn zero() -> Self;
    fn one() -> Self;
}

macro_rules! element {
    ($t:ty, $dtype:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dtype;
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn zero() -> Self {
                0 as $t
            }
            #[inline(always)]
            fn one() -> Self {
                1 as $t
            }
        }
    };
}

element!(u8, U8);
element!(i32, I32);
element!(i64, I64);
element!(f32, F32);
element!(f64, F64);

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype` (`u8` for bool).
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool | $crate::dtype::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::dtype::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
        }
    };
}

/// Like [`with_dtype!`] for floating dtypes only; other dtypes reach `$other`.
#[macro_export]
macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr, _ => $other:expr) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            _ => $other,
        }
    };
}

/// Converts one element from `S` to `D` as a cast to dtype `dst` should: floats through `f64`
/// (exact for f32), integers directly (so int64 to float32 rounds once), and anything to 0/1 for
/// bool. Float-to-int conversion truncates and saturates (NaN becomes 0) instead of being
/// undefined as in C++.
#[inline(always)]
pub fn convert<S: Element, D: Element>(v: S, dst: DType) -> D {
    if dst == DType::Bool {
        return if v.to_f64() != 0.0 {
            D::one()
        } else {
            D::zero()
        };
    }
    if S::DTYPE.is_float() {
        D::from_f64(v.to_f64())
    } else {
        D::from_i64(v.to_i64())
    }
}

/// A Python scalar converted to `T`, the element type of `dtype`, as [`convert`] casts.
#[inline]
pub fn from_scalar<T: Element>(s: Scalar, dtype: DType) -> T {
    match s {
        Scalar::Float(f) => convert::<f64, T>(f, dtype),
        Scalar::Int(i) => convert::<i64, T>(i, dtype),
        Scalar::Bool(b) => convert::<u8, T>(b as u8, dtype),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int64_to_float32_rounds_once() {
        // 2^53 + 2^29 + 1 rounds up to 2^53 + 2^30 in one step, but to 2^53 through f64.
        let v: i64 = (1 << 53) + (1 << 29) + 1;
        assert_eq!(convert::<i64, f32>(v, DType::F32), v as f32);
        assert_eq!(convert::<f32, i64>(-2.7, DType::I64), -2);
        assert_eq!(convert::<f64, u8>(0.5, DType::Bool), 1);
    }
}
