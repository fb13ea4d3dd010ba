//! Differentiable operations: each forward (a plain op from `crate::ops`) with its backward
//! closure beside it. The derivative is stated in a comment above each rule.

pub mod elementwise;
pub mod linalg;
pub mod loss;
pub mod reduce;
pub mod shape;
pub mod views;

use crate::error::Result;
use crate::ops::elementwise::{binary, unary, Arg, BinaryOp, UnaryOp};
use crate::tensor::Tensor;
use crate::Scalar;

// Small helpers that keep backward rules one line long.

/// `f()` if the input needs a gradient, else None: products skip the matrix product of an input
/// that does not require grad (a layer's input batch), as torch's `needs_input_grad` does.
pub(crate) fn grad_if(needed: bool, f: impl FnOnce() -> Result<Tensor>) -> Result<Option<Tensor>> {
    needed.then(f).transpose()
}

pub(crate) fn mul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Mul, Arg::T(a), Arg::T(b))
}
pub(crate) fn mul_s(a: &Tensor, s: f64) -> Result<Tensor> {
    binary(BinaryOp::Mul, Arg::T(a), Arg::S(Scalar::Float(s)))
}
pub(crate) fn div(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Div, Arg::T(a), Arg::T(b))
}
pub(crate) fn sub(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    binary(BinaryOp::Sub, Arg::T(a), Arg::T(b))
}
pub(crate) fn neg(a: &Tensor) -> Result<Tensor> {
    unary(UnaryOp::Neg, a)
}
pub(crate) fn un(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    unary(op, a)
}
