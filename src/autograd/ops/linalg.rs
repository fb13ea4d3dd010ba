//! Differentiable products. For `C = A B`: dA = dC Bᵀ, dB = Aᵀ dC; batch dimensions that were
//! broadcast are summed back by the engine.

use smallvec::smallvec;

use super::{grad_if, mul};
use crate::autograd::graph::{record, Grads};
use crate::autograd::{Var, V};

/// Whether each of two inputs needs a gradient (fixed when the node is recorded).
fn needs(a: V, b: V) -> (bool, bool) {
    (a.g.requires_grad(), b.g.requires_grad())
}
use crate::error::Result;
use crate::layout::Layout;
use crate::ops::matmul as mm_ops;
use crate::ops::views;
use crate::tensor::Tensor;

/// The last two dimensions swapped (a view).
pub(crate) fn mt(t: &Tensor) -> Result<Tensor> {
    let n = t.ndim() as i64;
    let mut dims: Vec<i64> = (0..n).collect();
    if n >= 2 {
        dims.swap((n - 2) as usize, (n - 1) as usize);
    }
    views::permute(t, &dims)
}

/// `t` with a size-1 dimension inserted at `at` (a view of a contiguous copy).
fn unsqueeze(t: &Tensor, at: usize) -> Result<Tensor> {
    let t = t.contiguous()?;
    let mut shape = t.shape().to_vec();
    shape.insert(at, 1);
    t.with_layout(Layout {
        offset: t.layout().offset,
        ..Layout::contiguous(&shape)
    })
}

/// `dot(a, b)` for 1-D tensors: d/da = g b, d/db = g a.
pub fn dot(a: V, b: V) -> Result<Var> {
    let out = mm_ops::dot(a.t, b.t)?;
    let (x, y) = (a.t.clone(), b.t.clone());
    let (na, nb) = needs(a, b);
    let g = record("DotBackward0", &[Some(a), Some(b)], &[a.t, b.t], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![
                grad_if(na, || mul(g, &y))?,
                grad_if(nb, || mul(g, &x))?
            ])
        }
    });
    Ok(Var { t: out, g })
}

/// `mv(A, x)`: dA = g xᵀ (outer product), dx = Aᵀ g.
pub fn mv(a: V, b: V) -> Result<Var> {
    let out = mm_ops::mv(a.t, b.t)?;
    let (x, y) = (a.t.clone(), b.t.clone());
    let (na, nb) = needs(a, b);
    let g = record("MvBackward0", &[Some(a), Some(b)], &[a.t, b.t], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![
                grad_if(na, || mm_ops::outer(g, &y))?,
                grad_if(nb, || mm_ops::mv(&mt(&x)?, g))?
            ])
        }
    });
    Ok(Var { t: out, g })
}

/// `mm(A, B)`: dA = g Bᵀ, dB = Aᵀ g.
pub fn mm(a: V, b: V) -> Result<Var> {
    let out = mm_ops::mm(a.t, b.t)?;
    let (x, y) = (a.t.clone(), b.t.clone());
    let (na, nb) = needs(a, b);
    let g = record("MmBackward0", &[Some(a), Some(b)], &[a.t, b.t], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![
                grad_if(na, || mm_ops::mm(g, &mt(&y)?))?,
                grad_if(nb, || mm_ops::mm(&mt(&x)?, g))?
            ])
        }
    });
    Ok(Var { t: out, g })
}

/// `bmm(A, B)` on 3-D tensors.
pub fn bmm(a: V, b: V) -> Result<Var> {
    let out = mm_ops::bmm(a.t, b.t)?;
    let (x, y) = (a.t.clone(), b.t.clone());
    let (na, nb) = needs(a, b);
    let g = record("BmmBackward0", &[Some(a), Some(b)], &[a.t, b.t], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![
                grad_if(na, || mm_ops::bmm(g, &mt(&y)?))?,
                grad_if(nb, || mm_ops::bmm(&mt(&x)?, g))?
            ])
        }
    });
    Ok(Var { t: out, g })
}

/// `matmul(a, b)` (`a @ b`) with torch's dispatch on dimensions.
pub fn matmul(a: V, b: V) -> Result<Var> {
    match (a.t.ndim(), b.t.ndim()) {
        (1, 1) => dot(a, b),
        (2, 1) => mv(a, b),
        (2, 2) => mm(a, b),
        _ => batched(a, b),
    }
}

/// Every other case of `matmul`: 1-D operands are promoted to matrices, batch dimensions
/// broadcast; the backward applies the same rule and the engine sums over broadcast batches.
fn batched(a: V, b: V) -> Result<Var> {
    let out = mm_ops::matmul(a.t, b.t)?;
    let (x, y) = (a.t.clone(), b.t.clone());
    let (ax, bx) = (a.t.ndim(), b.t.ndim());
    let (na, nb) = needs(a, b);
    let g = record(
        "UnsafeViewBackward0",
        &[Some(a), Some(b)],
        &[a.t, b.t],
        || {
            move |g: &Tensor| -> Result<Grads> {
                // Work with matrices: a 1-D `x` is (1, n), a 1-D `y` is (n, 1); `g` gets the same dims back.
                let xm = if ax == 1 {
                    unsqueeze(&x, 0)?
                } else {
                    x.clone()
                };
                let ym = if bx == 1 {
                    unsqueeze(&y, 1)?
                } else {
                    y.clone()
                };
                let mut gm = g.clone();
                if ax == 1 {
                    gm = unsqueeze(&gm, gm.ndim().saturating_sub(1))?;
                }
                if bx == 1 {
                    gm = unsqueeze(&gm, gm.ndim())?;
                }
                let ga = grad_if(na, || mm_ops::matmul(&gm, &mt(&ym)?))?;
                let mut gb = grad_if(nb, || mm_ops::matmul(&mt(&xm)?, &gm))?;
                if let (1, Some(gbm)) = (bx, &gb) {
                    // (..., n, 1) -> (..., n); for ax == 1, ga is (..., 1, n) and the engine sums it to (n,)
                    let gbc = gbm.contiguous()?;
                    let shape = gbc.shape()[..gbc.ndim() - 1].to_vec();
                    gb = Some(gbc.with_layout(Layout {
                        offset: gbc.layout().offset,
                        ..Layout::contiguous(&shape)
                    })?);
                }
                Ok(smallvec![ga, gb])
            }
        },
    );
    Ok(Var { t: out, g })
}

/// `outer(a, b)` (torch records it as a broadcast multiply): da = g b, db = gᵀ a.
pub fn outer(a: V, b: V) -> Result<Var> {
    let out = mm_ops::outer(a.t, b.t)?;
    let (x, y) = (a.t.clone(), b.t.clone());
    let (na, nb) = needs(a, b);
    let g = record("MulBackward0", &[Some(a), Some(b)], &[a.t, b.t], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![
                grad_if(na, || mm_ops::mv(g, &y))?,
                grad_if(nb, || mm_ops::mv(&mt(g)?, &x))?
            ])
        }
    });
    Ok(Var { t: out, g })
}

/// `inner(a, b)`: `dot` for vectors; otherwise not differentiable here (plain result).
pub fn inner(a: V, b: V) -> Result<Var> {
    if a.t.ndim() == 1 && b.t.ndim() == 1 {
        return dot(a, b);
    }
    Ok(Var::plain(mm_ops::inner(a.t, b.t)?))
}
