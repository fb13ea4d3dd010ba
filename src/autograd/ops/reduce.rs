//! Differentiable reductions. The gradient of a reduction is spread back over the reduced
//! dimensions: `expand_back` turns the output-shaped gradient into an input-shaped view.

use smallvec::smallvec;

use super::{div, mul, mul_s, sub, un};
use crate::autograd::graph::{record, record_saving, Grads};
use crate::autograd::{Var, V};
use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::elementwise::{binary, where_, Arg, BinaryOp, UnaryOp};
use crate::ops::reduce::{self as red, dim_mask};
use crate::ops::{scan, stats};
use crate::tensor::Tensor;

/// `g` (the reduced output's gradient) viewed with `shape`, repeated along the reduced dims.
pub(crate) fn expand_back(g: &Tensor, shape: &[usize], mask: &[bool]) -> Result<Tensor> {
    let kept: Vec<usize> = shape
        .iter()
        .zip(mask)
        .map(|(&n, &m)| if m { 1 } else { n })
        .collect();
    let g = g.contiguous()?;
    g.with_layout(Layout {
        offset: g.layout().offset,
        ..Layout::contiguous(&kept)
    })?
    .broadcast_to(shape)
}

fn dims_name(dims: Option<&[i64]>, zero: &'static str, one: &'static str) -> &'static str {
    if dims.is_some() {
        one
    } else {
        zero
    }
}

/// `sum(dims, keepdim)`: d/dx = 1 along the reduced dims.
pub fn sum(a: V, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    let out = red::sum(a.t, dims, keepdim, dtype)?;
    let mask = dim_mask(a.t.ndim(), dims)?;
    let shape = a.t.shape().to_vec();
    let g = record(
        dims_name(dims, "SumBackward0", "SumBackward1"),
        &[Some(a)],
        &[],
        || {
            move |g: &Tensor| -> Result<Grads> {
                Ok(smallvec![Some(expand_back(g, &shape, &mask)?)])
            }
        },
    );
    Ok(Var { t: out, g })
}

/// `mean(dims, keepdim)`: d/dx = 1/N along the reduced dims.
pub fn mean(a: V, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    let out = red::mean(a.t, dims, keepdim, dtype)?;
    let mask = dim_mask(a.t.ndim(), dims)?;
    let count = red::reduced_count(a.t.shape(), &mask).max(1) as f64;
    let shape = a.t.shape().to_vec();
    let g = record(
        dims_name(dims, "MeanBackward0", "MeanBackward1"),
        &[Some(a)],
        &[],
        || {
            move |g: &Tensor| -> Result<Grads> {
                Ok(smallvec![Some(mul_s(
                    &expand_back(g, &shape, &mask)?,
                    1.0 / count
                )?)])
            }
        },
    );
    Ok(Var { t: out, g })
}

/// The gradient shared evenly among the positions equal to the (broadcast) result `y`.
fn evenly(x: &Tensor, y_full: &Tensor, g_full: &Tensor, mask: &[bool]) -> Result<Tensor> {
    let hit = binary(BinaryOp::Eq, Arg::T(x), Arg::T(y_full))?.to_dtype(g_full.dtype())?;
    let count = red::sum(&hit, Some(&masked_dims(mask)), true, None)?;
    div(&mul(&hit, g_full)?, &count)
}

fn masked_dims(mask: &[bool]) -> Vec<i64> {
    mask.iter()
        .enumerate()
        .filter(|(_, &m)| m)
        .map(|(i, _)| i as i64)
        .collect()
}

/// `max()`/`min()`/`amax(dims)`/`amin(dims)`: the gradient is shared among ties.
pub fn extreme(
    a: V,
    dims: Option<&[i64]>,
    keepdim: bool,
    largest: bool,
    name: &'static str,
) -> Result<Var> {
    let op = match name {
        "AmaxBackward0" => "amax",
        "AminBackward0" => "amin",
        _ if largest => "max",
        _ => "min",
    };
    let out = red::extreme(a.t, dims, keepdim, largest, op)?;
    let mask = dim_mask(a.t.ndim(), dims)?;
    let (x, y, shape) = (a.t.clone(), out.clone(), a.t.shape().to_vec());
    let g = record_saving(name, &[Some(a)], &[a.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let y_full = expand_back(&y, &shape, &mask)?;
            let g_full = expand_back(g, &shape, &mask)?;
            Ok(smallvec![Some(evenly(&x, &y_full, &g_full, &mask)?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `max(dim)`/`min(dim)`: values and indices; the gradient goes to the selected index.
pub fn extreme_dim(a: V, dim: i64, keepdim: bool, largest: bool) -> Result<(Var, Tensor)> {
    let (values, indices) = red::extreme_dim(a.t, dim, keepdim, largest)?;
    let d = crate::layout::wrap_dim(dim, a.t.ndim())?;
    let mut mask = vec![false; a.t.ndim()];
    if !mask.is_empty() {
        mask[d] = true;
    }
    let (idx, shape) = (indices.clone(), a.t.shape().to_vec());
    let name = if largest {
        "MaxBackward0"
    } else {
        "MinBackward0"
    };
    let g = record(name, &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            // one-hot of the selected index along `d`, times the broadcast gradient
            let pos = crate::ops::creation::arange(
                Scalar::Int(0),
                Scalar::Int(shape.get(d).copied().unwrap_or(1) as i64),
                Scalar::Int(1),
                None,
            )?;
            let mut pshape = vec![1usize; shape.len().max(1)];
            if !shape.is_empty() {
                pshape[d] = shape[d];
            }
            let pos = pos.with_layout(Layout::contiguous(&pshape))?;
            let idx_full = expand_back(&idx, &shape, &mask)?;
            let hit = binary(BinaryOp::Eq, Arg::T(&idx_full), Arg::T(&pos))?;
            let g_full = expand_back(g, &shape, &mask)?;
            Ok(smallvec![Some(where_(
                &hit,
                Arg::T(&g_full),
                Arg::S(Scalar::Float(0.0))
            )?)])
        }
    });
    Ok((Var { t: values, g }, indices))
}

/// `prod(dim)`: d/dx_i = prod / x_i (inputs with zeros get the product of the others).
pub fn prod(a: V, dim: Option<i64>, keepdim: bool, dtype: Option<DType>) -> Result<Var> {
    let out = red::prod(a.t, dim, keepdim, dtype)?;
    let dims: Option<Vec<i64>> = dim.map(|d| vec![d]);
    let mask = dim_mask(a.t.ndim(), dims.as_deref())?;
    let (x, y, shape) = (a.t.clone(), out.clone(), a.t.shape().to_vec());
    let name = if dim.is_some() {
        "ProdBackward1"
    } else {
        "ProdBackward0"
    };
    let g = record_saving(name, &[Some(a)], &[a.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let y_full = expand_back(&y, &shape, &mask)?;
            let g_full = expand_back(g, &shape, &mask)?;
            Ok(smallvec![Some(div(&mul(&g_full, &y_full)?, &x)?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `var(dims, correction)`: d/dx = 2 (x - mean) / (N - correction).
pub fn var(a: V, dims: Option<&[i64]>, correction: f64, keepdim: bool, std: bool) -> Result<Var> {
    let out = if std {
        stats::std(a.t, dims, correction, keepdim)?
    } else {
        stats::var(a.t, dims, correction, keepdim)?
    };
    let mask = dim_mask(a.t.ndim(), dims)?;
    let n = red::reduced_count(a.t.shape(), &mask) as f64;
    let (x, y, shape, d) = (
        a.t.clone(),
        out.clone(),
        a.t.shape().to_vec(),
        dims.map(|d| d.to_vec()),
    );
    let name = if std { "StdBackward0" } else { "VarBackward0" };
    let g = record_saving(name, &[Some(a)], &[a.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let m = red::mean(&x, d.as_deref(), true, None)?;
            let centered = sub(&x, &m)?;
            let g_full = expand_back(g, &shape, &mask)?;
            let scale = 2.0 / (n - correction);
            let mut grad = mul_s(&mul(&g_full, &centered)?, scale)?;
            if std {
                // d std = d var / (2 std)
                grad = div(&mul_s(&grad, 0.5)?, &expand_back(&y, &shape, &mask)?)?;
            }
            Ok(smallvec![Some(grad)])
        }
    });
    Ok(Var { t: out, g })
}

/// `logsumexp(dims)`: d/dx = exp(x - out).
pub fn logsumexp(a: V, dims: Option<&[i64]>, keepdim: bool) -> Result<Var> {
    let out = stats::logsumexp(a.t, dims, keepdim)?;
    let mask = dim_mask(a.t.ndim(), dims)?;
    let (x, y, shape) = (a.t.clone(), out.clone(), a.t.shape().to_vec());
    let g = record_saving("LogsumexpBackward0", &[Some(a)], &[a.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let p = un(UnaryOp::Exp, &sub(&x, &expand_back(&y, &shape, &mask)?)?)?;
            Ok(smallvec![Some(mul(&p, &expand_back(g, &shape, &mask)?)?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `cumsum(dim)`: the gradient is the reversed cumulative sum, `total - cumsum(g) + g`.
pub fn cumsum(a: V, dim: i64, dtype: Option<DType>) -> Result<Var> {
    let out = scan::cumulative(a.t, dim, dtype, false)?;
    let g = record("CumsumBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let total = red::sum(g, Some(&[dim]), true, None)?;
            let c = scan::cumulative(g, dim, None, false)?;
            Ok(smallvec![Some(binary(
                BinaryOp::Add,
                Arg::T(&sub(&total, &c)?),
                Arg::T(g)
            )?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `softmax(dim)`: d/dx = y (g - sum(g y)); `log_softmax(dim)`: d/dx = g - exp(y) sum(g).
pub fn softmax(a: V, dim: i64, dtype: Option<DType>, log: bool) -> Result<Var> {
    let out = scan::softmax(a.t, dim, dtype, log)?;
    let y = out.clone();
    let name = if log {
        "LogSoftmaxBackward0"
    } else {
        "SoftmaxBackward0"
    };
    let g = record_saving(name, &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let grad = if log {
                let s = red::sum(g, Some(&[dim]), true, None)?;
                sub(g, &mul(&un(UnaryOp::Exp, &y)?, &s)?)?
            } else {
                let s = red::sum(&mul(g, &y)?, Some(&[dim]), true, None)?;
                mul(&y, &sub(g, &s)?)?
            };
            Ok(smallvec![Some(grad)])
        }
    });
    Ok(Var { t: out, g })
}

/// `norm(p, dims)`: d/dx = sign(x) |x|^(p-1) / norm^(p-1) (0 where the norm is 0); for p = ∞
/// the gradient is shared among the entries of largest magnitude.
pub fn norm(
    a: V,
    ord: stats::NormOrd,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> Result<Var> {
    let out = stats::norm(a.t, ord, dims, keepdim, dtype)?;
    let mask = dim_mask(a.t.ndim(), dims)?;
    let (x, y, shape) = (a.t.clone(), out.clone(), a.t.shape().to_vec());
    let g = record_saving("LinalgVectorNormBackward0", &[Some(a)], &[a.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let y_full = expand_back(&y, &shape, &mask)?;
            let g_full = expand_back(g, &shape, &mask)?;
            let sign = un(UnaryOp::Sign, &x)?;
            let grad = match ord {
                stats::NormOrd::P(1.0) => mul(&sign, &g_full)?,
                stats::NormOrd::P(p) => {
                    let ax = un(UnaryOp::Abs, &x)?;
                    let num = mul(
                        &sign,
                        &binary(BinaryOp::Pow, Arg::T(&ax), Arg::S(Scalar::Float(p - 1.0)))?,
                    )?;
                    let den = binary(
                        BinaryOp::Pow,
                        Arg::T(&y_full),
                        Arg::S(Scalar::Float(p - 1.0)),
                    )?;
                    let ratio = div(&num, &den)?;
                    let zero = binary(BinaryOp::Eq, Arg::T(&y_full), Arg::S(Scalar::Int(0)))?;
                    where_(
                        &zero,
                        Arg::S(Scalar::Float(0.0)),
                        Arg::T(&mul(&ratio, &g_full)?),
                    )?
                }
                stats::NormOrd::Inf | stats::NormOrd::NegInf => {
                    let ax = un(UnaryOp::Abs, &x)?;
                    mul(&sign, &evenly(&ax, &y_full, &g_full, &mask)?)?
                }
            };
            Ok(smallvec![Some(grad)])
        }
    });
    Ok(Var { t: out, g })
}
