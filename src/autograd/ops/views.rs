//! Differentiable views: the backward of a view scatters the gradient into a zero tensor of the
//! input's shape through the same view, or applies the inverse view.

use smallvec::smallvec;

use crate::autograd::graph::{record, Grads};
use crate::autograd::{Var, V};
use crate::error::Result;
use crate::ops::views;
use crate::tensor::Tensor;

/// The gradient of a view: zeros of the input's shape with `g` written through `view_of`.
pub(crate) fn scatter_through(
    shape: &[usize],
    g: &Tensor,
    view_of: impl Fn(&Tensor) -> Result<Tensor>,
) -> Result<Tensor> {
    let full = Tensor::zeros(shape, g.dtype())?;
    view_of(&full)?.assign(g)?;
    Ok(full)
}

/// `permute(dims)`: the gradient is permuted back by the inverse permutation.
pub fn permute(a: V, dims: &[i64]) -> Result<Var> {
    let out = views::permute(a.t, dims)?;
    let n = dims.len();
    let mut inverse = vec![0i64; n];
    for (i, &d) in dims.iter().enumerate() {
        let d = crate::layout::wrap_dim(d, n)?;
        inverse[d] = i as i64;
    }
    let g = record("PermuteBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> { Ok(smallvec![Some(views::permute(g, &inverse)?)]) }
    });
    Ok(Var { t: out, g })
}

/// `t.T`: all dimensions reversed (its own inverse).
pub fn reverse_dims(a: V) -> Result<Var> {
    let dims: Vec<i64> = (0..a.t.ndim() as i64).rev().collect();
    permute(a, &dims)
}

/// `select(dim, index)`: the gradient lands in that slice of zeros.
pub fn select(a: V, dim: i64, index: i64) -> Result<Var> {
    let out = views::select(a.t, dim, index)?;
    let shape = a.t.shape().to_vec();
    let g = record("SelectBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![Some(scatter_through(&shape, g, |full| {
                views::select(full, dim, index)
            })?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `clone()`: a copy laid out as torch's `preserve_format` does; the gradient passes through.
pub fn clone(a: V) -> Result<Var> {
    copy(a, a.t.copy_preserving(a.t.dtype())?)
}

/// `contiguous()` of a tensor that is not: a row-major copy; the gradient passes through.
pub fn contiguous(a: V) -> Result<Var> {
    copy(a, a.t.deep_clone()?)
}

/// `out`, a copy of `a`, recorded as one.
fn copy(a: V, out: Tensor) -> Result<Var> {
    let g = record("CloneBackward0", &[Some(a)], &[], || {
        |g: &Tensor| -> Result<Grads> { Ok(smallvec![Some(g.clone())]) }
    });
    Ok(Var { t: out, g })
}

/// A dtype conversion: the gradient is converted back (by the engine).
pub fn to_dtype(a: V, dtype: crate::DType) -> Result<Var> {
    let out = a.t.copy_preserving(dtype)?;
    let g = if dtype.is_float() {
        record("ToCopyBackward0", &[Some(a)], &[], || {
            |g: &Tensor| -> Result<Grads> { Ok(smallvec![Some(g.clone())]) }
        })
    } else {
        crate::autograd::GradState::None
    };
    Ok(Var { t: out, g })
}
