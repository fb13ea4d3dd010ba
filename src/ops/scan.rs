//! Operations along one dimension that keep the shape: `cumsum`, `cumprod`, `softmax` and
//! `log_softmax`. Inputs are made contiguous, then `crate::kernels::lines` walks the lines.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::lines::{scan, softmax as softmax_kernel, split_at_dim};
use crate::kernels::math::Arith;
use crate::kernels::Element;
use crate::layout::wrap_dim;
use crate::ops::reduce::accumulate_dtype;
use crate::tensor::Tensor;
use crate::{with_dtype, with_float_dtype};

/// The running sum or product along `dim` (`cumsum`: `prod = false`). Integers and bool give
/// int64 unless `dtype` says otherwise; float32 accumulates in float64 as torch does.
pub fn cumulative(t: &Tensor, dim: i64, dtype: Option<DType>, prod: bool) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    let src = t
        .to_dtype(accumulate_dtype(t.dtype(), dtype))?
        .contiguous()?;
    let out = Tensor::uninit(t.shape(), src.dtype())?;
    if t.numel() == 0 {
        return Ok(out);
    }
    let geom = if t.ndim() == 0 {
        (1, 1, 1)
    } else {
        split_at_dim(t.shape(), d)
    };
    with_dtype!(src.dtype(), T => {
        // SAFETY: `src` and `out` are contiguous buffers of the same shape and element type T.
        unsafe {
            let (s, o) = (src.data_ptr::<T>(), out.data_ptr::<T>());
            // (closures, not a chosen function pointer: each scan is compiled for its op)
            if src.dtype().is_float() && prod {
                scan(s, o, geom, 1.0, |a: f64, b| a * b, |x: T| x.to_f64(), T::from_f64);
            } else if src.dtype().is_float() {
                scan(s, o, geom, 0.0, |a: f64, b| a + b, |x: T| x.to_f64(), T::from_f64);
            } else if prod {
                scan(s, o, geom, T::one(), T::mul, |x| x, |x| x);
            } else {
                scan(s, o, geom, T::zero(), T::add, |x| x, |x| x);
            }
        }
    });
    Ok(out)
}

/// `softmax(t, dim)` (or `log_softmax` when `log`): fused and stable (the line's maximum is
/// subtracted first). Integer input needs `dtype`, as in torch.
pub fn softmax(t: &Tensor, dim: i64, dtype: Option<DType>, log: bool) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    let src = t.to_dtype(dtype.unwrap_or(t.dtype()))?;
    if !src.dtype().is_float() {
        let last = t.ndim() == 0 || d + 1 == t.ndim();
        return Err(Error::Runtime(format!(
            "\"{}softmax_{}kernel_impl\" not implemented for '{}'",
            if log { "log_" } else { "" },
            if last { "lastdim_" } else { "" },
            src.dtype().torch_name()
        )));
    }
    let src = src.contiguous()?;
    let out = Tensor::uninit(t.shape(), src.dtype())?;
    if t.numel() == 0 {
        return Ok(out);
    }
    let geom = if t.ndim() == 0 {
        (1, 1, 1)
    } else {
        split_at_dim(t.shape(), d)
    };
    with_float_dtype!(src.dtype(), T => {
        // SAFETY: `src` and `out` are contiguous buffers of the same shape and element type T.
        unsafe { softmax_kernel(src.data_ptr::<T>(), out.data_ptr::<T>(), geom, log) }
    }, _ => return Err(Error::Runtime("softmax: floating dtype expected".into())));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumsum_of_ints_is_int64_and_softmax_rows_sum_to_one() {
        let t = Tensor::from_vec(&[1i32, 2, 3, 4], &[2, 2], DType::I32).unwrap();
        let c = cumulative(&t, 0, None, false).unwrap();
        assert_eq!(c.dtype(), DType::I64);
        assert_eq!(c.to_vec::<i64>(), vec![1, 2, 4, 6]);
        assert_eq!(
            cumulative(&t, 1, None, true).unwrap().to_vec::<i64>(),
            vec![1, 2, 3, 12]
        );
        assert!(softmax(&t, 1, None, false).is_err());
        let s = softmax(&t, 1, Some(DType::F64), false)
            .unwrap()
            .to_vec::<f64>();
        assert!((s[0] + s[1] - 1.0).abs() < 1e-12 && s[1] > s[0]);
    }
}
