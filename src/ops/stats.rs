//! Reductions built from the primitive ones: `var`, `std`, `logsumexp`, vector norms and
//! `dist`. Squared and absolute sums for the common norms are fused folds; the rest composes
//! `crate::ops::reduce` with elementwise ops.

use crate::dtype::{default_float, DType, Scalar};
use crate::error::{Error, Result};
use crate::kernels::folds::MapSum;
use crate::kernels::lines;
use crate::kernels::reduce::{reduce, ReduceGeom};
use crate::layout::Layout;
use crate::ops::elementwise::{binary, unary, where_, Arg, BinaryOp, UnaryOp};
use crate::ops::reduce::{
    count_nonzero, dim_mask, extreme, mean, reduced_count, reduced_shape, sum,
};
use crate::tensor::Tensor;
use crate::with_float_dtype;

/// `t.var(dims, correction, keepdim)`: `Σ (x - mean)² / max(0, N - correction)` (two passes).
pub fn var(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
    if !t.dtype().is_float() {
        return Err(Error::Runtime(
            "std and var only support floating point and complex dtypes".into(),
        ));
    }
    let mask = dim_mask(t.ndim(), dims)?;
    let n = reduced_count(t.shape(), &mask) as f64;
    let m = mean(t, dims, true, None)?;
    let dev = binary(BinaryOp::Sub, Arg::T(t), Arg::T(&m))?;
    let ss = sum_sq_or_abs(&dev, &mask, keepdim, false)?;
    binary(
        BinaryOp::Div,
        Arg::T(&ss),
        Arg::S(Scalar::Float((n - correction).max(0.0))),
    )
}

/// `t.std(dims, correction, keepdim)`: the square root of [`var`].
pub fn std(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool) -> Result<Tensor> {
    unary(UnaryOp::Sqrt, &var(t, dims, correction, keepdim)?)
}

/// `Σ x²` (or `Σ |x|` when `abs`) with the square/abs applied in the element type.
fn sum_sq_or_abs(t: &Tensor, mask: &[bool], keepdim: bool, abs: bool) -> Result<Tensor> {
    let out = Tensor::zeros(&reduced_shape(t.shape(), mask, keepdim), t.dtype())?;
    let geom = ReduceGeom::new(t.shape(), t.strides(), mask);
    with_float_dtype!(t.dtype(), T => {
        // SAFETY: `T` is the element type of `t` and of the fresh `out` (n_out elements).
        unsafe {
            if abs {
                reduce(t.data_ptr::<T>(), &geom, out.data_ptr::<T>(), &MapSum(|x: T| x.abs()));
            } else {
                reduce(t.data_ptr::<T>(), &geom, out.data_ptr::<T>(), &MapSum(|x: T| x * x));
            }
        }
    }, _ => return Err(Error::Runtime("norm: floating input expected".into())));
    Ok(out)
}

/// `t.logsumexp(dims, keepdim)`: `log Σ exp(x)`, computed as `m + log Σ exp(x - m)` with
/// `m` the maximum (0 where it is infinite). Integer input gives the default float dtype.
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    let t = if t.dtype().is_float() {
        t.clone()
    } else {
        t.to_dtype(default_float())?
    };
    let mask = dim_mask(t.ndim(), dims)?;
    let shape = reduced_shape(t.shape(), &mask, keepdim);
    let n = reduced_count(t.shape(), &mask);
    if n == 0 {
        return crate::ops::creation::full(&shape, Scalar::Float(f64::NEG_INFINITY), t.dtype());
    }
    // The last dimensions (or all): contiguous lines, one fused pass each for the maximum and
    // the sum.
    let first = mask.iter().position(|&r| r).unwrap_or(mask.len());
    if mask[first..].iter().all(|&r| r) {
        let src = t.contiguous()?;
        let out = Tensor::uninit(&shape, t.dtype())?;
        with_float_dtype!(t.dtype(), T => {
            // SAFETY: `src` holds `outer * n` contiguous elements, the reduced dimensions last;
            // `out` is a fresh buffer of `outer` elements in the same order.
            unsafe { lines::logsumexp(src.data_ptr::<T>(), out.data_ptr::<T>(), t.numel() / n, n) }
        }, _ => return Err(Error::Runtime("logsumexp: floating dtype expected".into())));
        return Ok(out);
    }
    let m = extreme(&t, dims, true, true, "logsumexp")?;
    let finite = binary(
        BinaryOp::Eq,
        Arg::T(&unary(UnaryOp::Abs, &m)?),
        Arg::S(Scalar::Float(f64::INFINITY)),
    )?;
    let m = where_(&finite, Arg::S(Scalar::Float(0.0)), Arg::T(&m))?;
    let e = unary(
        UnaryOp::Exp,
        &binary(BinaryOp::Sub, Arg::T(&t), Arg::T(&m))?,
    )?;
    let s = unary(UnaryOp::Log, &sum(&e, dims, keepdim, None)?)?;
    let m = m.with_layout(Layout::contiguous(&shape))?;
    binary(BinaryOp::Add, Arg::T(&s), Arg::T(&m))
}

/// The order of a vector norm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NormOrd {
    /// `(Σ |x|^p)^(1/p)`; `p = 2` is also the Frobenius norm.
    P(f64),
    Inf,
    NegInf,
}

/// `torch.norm(t, p, dim, keepdim, dtype)` / `linalg.vector_norm`: floating input only.
pub fn norm(
    t: &Tensor,
    ord: NormOrd,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Tensor> {
    if !t.dtype().is_float() {
        return Err(Error::Runtime(format!(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
            t.dtype().torch_name()
        )));
    }
    let t = t.to_dtype(dtype.unwrap_or(t.dtype()))?;
    let mask = dim_mask(t.ndim(), dims)?;
    let empty = reduced_count(t.shape(), &mask) == 0;
    let p = match ord {
        NormOrd::Inf | NormOrd::NegInf => {
            if empty {
                return Err(Error::Runtime(format!(
                    "linalg.vector_norm cannot compute the {} norm on an empty tensor because the \
                     operation does not have an identity",
                    if ord == NormOrd::Inf { "inf" } else { "-inf" }
                )));
            }
            let a = unary(UnaryOp::Abs, &t)?;
            return extreme(&a, dims, keepdim, ord == NormOrd::Inf, "linalg.vector_norm");
        }
        NormOrd::P(p) => p,
    };
    if p == 2.0 {
        unary(UnaryOp::Sqrt, &sum_sq_or_abs(&t, &mask, keepdim, false)?)
    } else if p == 1.0 {
        sum_sq_or_abs(&t, &mask, keepdim, true)
    } else if p == 0.0 {
        let c = count_nonzero(&t, dims)?;
        let c = c.with_layout(Layout::contiguous(&reduced_shape(
            t.shape(),
            &mask,
            keepdim,
        )))?;
        c.to_dtype(t.dtype())
    } else {
        let a = binary(
            BinaryOp::Pow,
            Arg::T(&unary(UnaryOp::Abs, &t)?),
            Arg::S(Scalar::Float(p)),
        )?;
        let s = sum(&a, dims, keepdim, None)?;
        binary(BinaryOp::Pow, Arg::T(&s), Arg::S(Scalar::Float(1.0 / p)))
    }
}

/// `torch.dist(a, b, p)`: the p-norm of `a - b`.
pub fn dist(a: &Tensor, b: &Tensor, ord: NormOrd) -> Result<Tensor> {
    norm(
        &binary(BinaryOp::Sub, Arg::T(a), Arg::T(b))?,
        ord,
        None,
        false,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variance_norms_and_logsumexp() {
        let t = Tensor::from_vec(&[3.0f32, -4.0], &[2], DType::F32).unwrap();
        assert_eq!(
            norm(&t, NormOrd::P(2.0), None, false, None)
                .unwrap()
                .to_vec::<f32>(),
            vec![5.0]
        );
        assert_eq!(
            norm(&t, NormOrd::P(1.0), None, false, None)
                .unwrap()
                .to_vec::<f32>(),
            vec![7.0]
        );
        assert_eq!(
            norm(&t, NormOrd::Inf, None, false, None)
                .unwrap()
                .to_vec::<f32>(),
            vec![4.0]
        );
        assert_eq!(
            var(&t, None, 1.0, false).unwrap().to_vec::<f32>(),
            vec![24.5]
        );
        assert_eq!(
            var(&t, None, 0.0, false).unwrap().to_vec::<f32>(),
            vec![12.25]
        );
        let big = Tensor::from_vec(&[1000.0f64, 1000.0], &[2], DType::F64).unwrap();
        let l = logsumexp(&big, None, false).unwrap().to_vec::<f64>()[0];
        assert!((l - (1000.0 + std::f64::consts::LN_2)).abs() < 1e-9);
    }
}
