//! Fused layers and losses with PyTorch's node names: `linear` (AddmmBackward0), `mse_loss`
//! (MseLossBackward0) and `cross_entropy` over class indices (NllLossBackward0). Each is tested
//! against its composition from primitives.

use smallvec::smallvec;

use super::linalg::mt;
use super::{grad_if, mul, mul_s, sub};
use crate::autograd::graph::{record, Grads};
use crate::autograd::{Var, V};
use crate::dtype::Scalar;
use crate::error::{Error, Result};
use crate::ops::elementwise::{binary, Arg, BinaryOp};
use crate::ops::loss::{cross_entropy_rows, cross_entropy_rows_backward};
use crate::ops::matmul as mm_ops;
use crate::ops::reduce as red;
use crate::tensor::Tensor;

/// How a per-element loss is reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    pub fn parse(s: &str) -> Result<Reduction> {
        match s {
            "none" => Ok(Reduction::None),
            "mean" => Ok(Reduction::Mean),
            "sum" => Ok(Reduction::Sum),
            _ => Err(Error::Value(format!(
                "{s} is not a valid value for reduction"
            ))),
        }
    }
}

/// `x Wᵀ + b`: dx = g W, dW = gᵀ x, db = g summed over the batch.
pub fn linear(x: V, w: V, b: Option<V>) -> Result<Var> {
    let mut out = mm_ops::matmul(x.t, &mt(w.t)?)?;
    if let Some(b) = b {
        out = binary(BinaryOp::Add, Arg::T(&out), Arg::T(b.t))?;
    }
    let (xt, wt) = (x.t.clone(), w.t.clone());
    let (nx, nw) = (x.g.requires_grad(), w.g.requires_grad());
    let name = if x.t.ndim() == 2 {
        "AddmmBackward0"
    } else {
        "ViewBackward0"
    };
    let g = record(name, &[Some(x), Some(w), b], &[x.t, w.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let gx = grad_if(nx, || mm_ops::matmul(g, &wt))?;
            // flatten the batch dimensions of g and x to matrices for dW
            let gw = grad_if(nw, || mm_ops::mm(&mt(&as_matrix(g)?)?, &as_matrix(&xt)?))?;
            Ok(smallvec![gx, gw, Some(g.clone())])
        }
    });
    Ok(Var { t: out, g })
}

/// A tensor of shape (..., n) as a contiguous (prod(...), n) matrix (a 1-D one as (1, n)).
fn as_matrix(t: &Tensor) -> Result<Tensor> {
    let t = t.contiguous()?;
    let n = t.shape().last().copied().unwrap_or(1);
    let rows = t.numel().checked_div(n).unwrap_or(0);
    t.with_layout(crate::layout::Layout {
        offset: t.layout().offset,
        ..crate::layout::Layout::contiguous(&[rows, n])
    })
}

fn reduce(t: &Tensor, r: Reduction) -> Result<Tensor> {
    match r {
        Reduction::None => Ok(t.clone()),
        Reduction::Sum => red::sum(t, None, false, None),
        Reduction::Mean => red::mean(t, None, false, None),
    }
}

/// `mse_loss(input, target)`: (input - target)², reduced. d/dinput = 2 (input - target) g / N.
pub fn mse_loss(input: V, target: V, reduction: Reduction) -> Result<Var> {
    let d = sub(input.t, target.t)?;
    let out = reduce(&mul(&d, &d)?, reduction)?;
    let n = d.numel().max(1) as f64;
    let g = record(
        "MseLossBackward0",
        &[Some(input), Some(target)],
        &[input.t, target.t],
        || {
            move |g: &Tensor| -> Result<Grads> {
                let scale = if reduction == Reduction::Mean {
                    2.0 / n
                } else {
                    2.0
                };
                let gi = mul_s(&mul(&d, g)?, scale)?;
                let gt = mul_s(&gi, -1.0)?;
                Ok(smallvec![Some(gi), Some(gt)])
            }
        },
    );
    Ok(Var { t: out, g })
}

/// `cross_entropy(logits (N, C), target (N,))`: stable log-softmax and negative log-likelihood in
/// one pass; the mean is over targets not equal to `ignore_index`.
pub fn cross_entropy(
    logits: V,
    target: &Tensor,
    reduction: Reduction,
    ignore_index: i64,
) -> Result<Var> {
    let (losses, lse) = cross_entropy_rows(logits.t, target, ignore_index)?;
    let valid = target
        .to_vec::<i64>()
        .iter()
        .filter(|&&t| t != ignore_index)
        .count();
    let out = match reduction {
        Reduction::None => losses.clone(),
        Reduction::Sum => red::sum(&losses, None, false, None)?,
        Reduction::Mean => binary(
            BinaryOp::Div,
            Arg::T(&red::sum(&losses, None, false, None)?),
            Arg::S(Scalar::Int(valid as i64)),
        )?,
    };
    let (x, y) = (logits.t.clone(), target.clone());
    let n = x.shape()[0];
    let g = record("NllLossBackward0", &[Some(logits)], &[logits.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let per_row = match reduction {
                Reduction::None => g.clone(),
                Reduction::Sum => g.broadcast_to(&[n])?,
                Reduction::Mean => binary(
                    BinaryOp::Div,
                    Arg::T(&g.broadcast_to(&[n])?),
                    Arg::S(Scalar::Int(valid.max(1) as i64)),
                )?,
            };
            let per_row = per_row.to_dtype(x.dtype())?;
            Ok(smallvec![Some(cross_entropy_rows_backward(
                &x,
                &y,
                &lse,
                &per_row,
                ignore_index
            )?)])
        }
    });
    Ok(Var { t: out, g })
}
