//! Differentiable elementwise operations. Gradients are computed in the output's shape; the
//! engine sums them back over broadcast dimensions and casts them to each input's dtype.

use smallvec::smallvec;

use super::{div, mul, mul_s, neg, sub, un};
use crate::autograd::graph::{record, record_saving, Grads};
use crate::autograd::{GradState, Var, V};
use crate::dtype::Scalar;
use crate::error::Result;
use crate::ops::elementwise::{
    binary, clamp, relu_backward, unary, where_, Arg, BinaryOp, UnaryOp,
};
use crate::tensor::Tensor;

/// An operand: a tensor with its autograd state, or a Python scalar.
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    T(V<'a>),
    S(Scalar),
}

impl<'a> Operand<'a> {
    fn arg(&self) -> Arg<'a> {
        match self {
            Operand::T(v) => Arg::T(v.t),
            Operand::S(s) => Arg::S(*s),
        }
    }
    fn var(&self) -> Option<V<'a>> {
        match self {
            Operand::T(v) => Some(*v),
            Operand::S(_) => None,
        }
    }
    fn tensor(&self) -> Option<Tensor> {
        self.var().map(|v| v.t.clone())
    }
}

/// The other operand as a tensor for backward formulas (a scalar becomes a 0-d tensor of the
/// gradient's dtype).
fn as_tensor(t: &Option<Tensor>, s: Scalar, like: &Tensor) -> Result<Tensor> {
    match t {
        Some(t) => Ok(t.clone()),
        None => Tensor::scalar(s, like.dtype()),
    }
}

fn scalar_of(o: &Operand) -> Scalar {
    match o {
        Operand::S(s) => *s,
        Operand::T(_) => Scalar::Int(0),
    }
}

/// `a op b` for a tensor `a` and an operand `b`; `reflected` computes `b op a` (Python's
/// `__radd__` and friends).
pub fn binary_op(op: BinaryOp, a: V, b: Operand, reflected: bool) -> Result<Var> {
    let (x, y) = if reflected {
        (b, Operand::T(a))
    } else {
        (Operand::T(a), b)
    };
    let out = binary(op, x.arg(), y.arg())?;
    let inputs = [x.var(), y.var()];
    let (xt, yt) = (x.tensor(), y.tensor());
    let (xs, ys) = (scalar_of(&x), scalar_of(&y));
    let saved: Vec<&Tensor> = inputs.iter().flatten().map(|v| v.t).collect();
    let g = match op {
        // d(x+y)/dx = 1, d(x+y)/dy = 1
        BinaryOp::Add => record("AddBackward0", &inputs, &[], || {
            |g: &Tensor| Ok(smallvec![Some(g.clone()), Some(g.clone())])
        }),
        // d(x-y)/dx = 1, d(x-y)/dy = -1 (`RsubBackward1` when a scalar comes first)
        BinaryOp::Sub => {
            let name = if matches!(x, Operand::S(_)) {
                "RsubBackward1"
            } else {
                "SubBackward0"
            };
            record(name, &inputs, &[], || {
                |g: &Tensor| Ok(smallvec![Some(g.clone()), Some(neg(g)?)])
            })
        }
        // d(xy)/dx = y, d(xy)/dy = x
        BinaryOp::Mul => record("MulBackward0", &inputs, &saved, || {
            move |g: &Tensor| -> Result<Grads> {
                Ok(smallvec![
                    Some(mul(g, &as_tensor(&yt, ys, g)?)?),
                    Some(mul(g, &as_tensor(&xt, xs, g)?)?)
                ])
            }
        }),
        // d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2 (a scalar divided by a tensor is `MulBackward0`)
        BinaryOp::Div => {
            let name = if matches!(x, Operand::S(_)) {
                "MulBackward0"
            } else {
                "DivBackward0"
            };
            record(name, &inputs, &saved, || {
                move |g: &Tensor| -> Result<Grads> {
                    let (xv, yv) = (as_tensor(&xt, xs, g)?, as_tensor(&yt, ys, g)?);
                    let gx = div(g, &yv)?;
                    let gy = neg(&div(&mul(&gx, &xv)?, &yv)?)?;
                    Ok(smallvec![Some(gx), Some(gy)])
                }
            })
        }
        // d(x^y)/dx = y x^(y-1); d(x^y)/dy = x^y ln x
        BinaryOp::Pow => {
            let name = match (&x, &y) {
                (_, Operand::S(_)) => "PowBackward0",
                (Operand::S(_), _) => "PowBackward2",
                _ => "PowBackward1",
            };
            let o = out.clone();
            let saves_out = yt.is_some();
            let make = || {
                move |g: &Tensor| -> Result<Grads> {
                    let (xv, yv) = (as_tensor(&xt, xs, g)?, as_tensor(&yt, ys, g)?);
                    let gx = if xt.is_some() {
                        let ym1 = binary(BinaryOp::Sub, Arg::T(&yv), Arg::S(Scalar::Int(1)))?;
                        let p = binary(BinaryOp::Pow, Arg::T(&xv), Arg::T(&ym1))?;
                        Some(mul(&mul(g, &yv)?, &p)?)
                    } else {
                        None
                    };
                    let gy = if yt.is_some() {
                        Some(mul(&mul(g, &o)?, &un(UnaryOp::Log, &xv)?)?)
                    } else {
                        None
                    };
                    Ok(smallvec![gx, gy])
                }
            };
            if saves_out {
                record_saving(name, &inputs, &saved, make)
            } else {
                record(name, &inputs, &saved, make)
            }
        }
        // Gradient to the larger (smaller) input; ties share it equally.
        BinaryOp::Maximum | BinaryOp::Minimum => {
            let name = if op == BinaryOp::Maximum {
                "MaximumBackward0"
            } else {
                "MinimumBackward0"
            };
            record(name, &inputs, &saved, || {
                move |g: &Tensor| -> Result<Grads> {
                    let (xv, yv) = (as_tensor(&xt, xs, g)?, as_tensor(&yt, ys, g)?);
                    let wins = if op == BinaryOp::Maximum {
                        BinaryOp::Gt
                    } else {
                        BinaryOp::Lt
                    };
                    let half = mul_s(g, 0.5)?;
                    let zero = Arg::S(Scalar::Float(0.0));
                    let eq = binary(BinaryOp::Eq, Arg::T(&xv), Arg::T(&yv))?;
                    let x_wins = binary(wins, Arg::T(&xv), Arg::T(&yv))?;
                    let y_wins = binary(wins, Arg::T(&yv), Arg::T(&xv))?;
                    let gx = where_(
                        &eq,
                        Arg::T(&half),
                        Arg::T(&where_(&x_wins, Arg::T(g), zero)?),
                    )?;
                    let gy = where_(
                        &eq,
                        Arg::T(&half),
                        Arg::T(&where_(&y_wins, Arg::T(g), zero)?),
                    )?;
                    Ok(smallvec![Some(gx), Some(gy)])
                }
            })
        }
        // remainder: d/dx = 1, d/dy = -floor(x / y)
        BinaryOp::Rem => record("RemainderBackward0", &inputs, &saved, || {
            move |g: &Tensor| -> Result<Grads> {
                let (xv, yv) = (as_tensor(&xt, xs, g)?, as_tensor(&yt, ys, g)?);
                let q = un(UnaryOp::Floor, &div(&xv, &yv)?)?;
                Ok(smallvec![Some(g.clone()), Some(neg(&mul(g, &q)?)?)])
            }
        }),
        // Comparisons, bitwise ops and floor division are not differentiable.
        _ => GradState::None,
    };
    let g = if out.dtype().is_float() {
        g
    } else {
        GradState::None
    };
    Ok(Var { t: out, g })
}

/// `op(a)` for a unary op.
pub fn unary_op(op: UnaryOp, a: V) -> Result<Var> {
    let out = unary(op, a.t)?;
    let inputs = [Some(a)];
    let x = a.t.clone();
    let y = out.clone();
    let g = match op {
        // d(-x) = -1
        UnaryOp::Neg => record("NegBackward0", &inputs, &[], || {
            |g: &Tensor| Ok(smallvec![Some(neg(g)?)])
        }),
        // d|x| = sign(x)
        UnaryOp::Abs => record("AbsBackward0", &inputs, &[a.t], || {
            move |g: &Tensor| Ok(smallvec![Some(mul(g, &un(UnaryOp::Sign, &x)?)?)])
        }),
        // d exp(x) = exp(x)
        UnaryOp::Exp => record_saving("ExpBackward0", &inputs, &[], || {
            move |g: &Tensor| Ok(smallvec![Some(mul(g, &y)?)])
        }),
        // d expm1(x) = expm1(x) + 1
        UnaryOp::Expm1 => record_saving("Expm1Backward0", &inputs, &[], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul(
                    g,
                    &binary(BinaryOp::Add, Arg::T(&y), Arg::S(Scalar::Int(1)))?
                )?)])
            }
        }),
        // d ln x = 1/x
        UnaryOp::Log => record("LogBackward0", &inputs, &[a.t], || {
            move |g: &Tensor| Ok(smallvec![Some(div(g, &x)?)])
        }),
        // d log2 x = 1/(x ln 2)
        UnaryOp::Log2 => record("Log2Backward0", &inputs, &[a.t], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul_s(
                    &div(g, &x)?,
                    std::f64::consts::LOG2_E
                )?)])
            }
        }),
        // d log10 x = 1/(x ln 10)
        UnaryOp::Log10 => record("Log10Backward0", &inputs, &[a.t], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul_s(
                    &div(g, &x)?,
                    std::f64::consts::LOG10_E
                )?)])
            }
        }),
        // d ln(1+x) = 1/(1+x)
        UnaryOp::Log1p => record("Log1pBackward0", &inputs, &[a.t], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(div(
                    g,
                    &binary(BinaryOp::Add, Arg::T(&x), Arg::S(Scalar::Int(1)))?
                )?)])
            }
        }),
        // d sqrt(x) = 1/(2 sqrt(x))
        UnaryOp::Sqrt => record_saving("SqrtBackward0", &inputs, &[], || {
            move |g: &Tensor| Ok(smallvec![Some(div(&mul_s(g, 0.5)?, &y)?)])
        }),
        // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
        UnaryOp::Rsqrt => record_saving("RsqrtBackward0", &inputs, &[], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul_s(
                    &mul(g, &mul(&y, &mul(&y, &y)?)?)?,
                    -0.5
                )?)])
            }
        }),
        // d sin x = cos x
        UnaryOp::Sin => record("SinBackward0", &inputs, &[a.t], || {
            move |g: &Tensor| Ok(smallvec![Some(mul(g, &un(UnaryOp::Cos, &x)?)?)])
        }),
        // d cos x = -sin x
        UnaryOp::Cos => record("CosBackward0", &inputs, &[a.t], || {
            move |g: &Tensor| Ok(smallvec![Some(neg(&mul(g, &un(UnaryOp::Sin, &x)?)?)?)])
        }),
        // d tan x = 1 + tan^2 x
        UnaryOp::Tan => record_saving("TanBackward0", &inputs, &[], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul(
                    g,
                    &binary(BinaryOp::Add, Arg::T(&mul(&y, &y)?), Arg::S(Scalar::Int(1)))?
                )?)])
            }
        }),
        // d tanh x = 1 - tanh^2 x
        UnaryOp::Tanh => record_saving("TanhBackward0", &inputs, &[], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul(
                    g,
                    &binary(BinaryOp::Sub, Arg::S(Scalar::Int(1)), Arg::T(&mul(&y, &y)?))?
                )?)])
            }
        }),
        // d sigmoid x = s (1 - s)
        UnaryOp::Sigmoid => record_saving("SigmoidBackward0", &inputs, &[], || {
            move |g: &Tensor| {
                Ok(smallvec![Some(mul(
                    g,
                    &mul(
                        &y,
                        &binary(BinaryOp::Sub, Arg::S(Scalar::Int(1)), Arg::T(&y))?
                    )?
                )?)])
            }
        }),
        // d relu x = [x > 0] (relu'(0) = 0)
        UnaryOp::Relu => record_saving("ReluBackward0", &inputs, &[], || {
            move |g: &Tensor| Ok(smallvec![Some(relu_backward(g, &y)?)])
        }),
        // d (1/x) = -1/x^2 = -y^2
        UnaryOp::Reciprocal => record_saving("ReciprocalBackward0", &inputs, &[], || {
            move |g: &Tensor| Ok(smallvec![Some(neg(&mul(g, &mul(&y, &y)?)?)?)])
        }),
        // Piecewise constant: zero gradient.
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc | UnaryOp::Sign => {
            let name = match op {
                UnaryOp::Floor => "FloorBackward0",
                UnaryOp::Ceil => "CeilBackward0",
                UnaryOp::Round => "RoundBackward0",
                UnaryOp::Trunc => "TruncBackward0",
                _ => "SignBackward0",
            };
            record(name, &inputs, &[], || {
                |g: &Tensor| Ok(smallvec![Some(mul_s(g, 0.0)?)])
            })
        }
        UnaryOp::BitNot => GradState::None,
    };
    let g = if out.dtype().is_float() {
        g
    } else {
        GradState::None
    };
    Ok(Var { t: out, g })
}

/// `where(cond, a, b)`: d/da = [cond], d/db = [!cond].
pub fn where_op(cond: &Tensor, a: Operand, b: Operand) -> Result<Var> {
    let out = where_(cond, a.arg(), b.arg())?;
    let c = cond.clone();
    let g = record("WhereBackward0", &[a.var(), b.var()], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let zero = Arg::S(Scalar::Float(0.0));
            Ok(smallvec![
                Some(where_(&c, Arg::T(g), zero)?),
                Some(where_(&c, zero, Arg::T(g))?)
            ])
        }
    });
    Ok(Var { t: out, g })
}

/// `clamp(a, min, max)`: d/da = [min <= a <= max].
pub fn clamp_op(a: V, min: Option<Arg>, max: Option<Arg>) -> Result<Var> {
    let out = clamp(a.t, min, max)?;
    let (x, y) = (a.t.clone(), out.clone());
    let g = record_saving("ClampBackward1", &[Some(a)], &[a.t], || {
        move |g: &Tensor| -> Result<Grads> {
            let inside = binary(BinaryOp::Eq, Arg::T(&x), Arg::T(&y))?;
            Ok(smallvec![Some(where_(
                &inside,
                Arg::T(g),
                Arg::S(Scalar::Float(0.0))
            )?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `a - b` helper used by other differentiable ops.
pub fn sub_t(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    sub(a, b)
}
