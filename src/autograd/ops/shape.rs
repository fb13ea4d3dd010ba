//! Differentiable shape operations, indexing and joins.
//!
//! Most are views: their backward writes the gradient through the same view of a zero tensor of
//! the input's shape ([`view_op`]). `expand` lets the engine sum the gradient back; copies such as
//! `flip`, `repeat`, `cat` and advanced indexing have their own rules.

use smallvec::{smallvec, SmallVec};

use super::views::scatter_through;
use crate::autograd::graph::{record, Grads};
use crate::autograd::{GradState, Var, V};
use crate::error::Result;
use crate::layout::{wrap_dim, Layout};
use crate::ops::advanced::index_put;
use crate::ops::elementwise::{where_, Arg};
use crate::ops::index::{apply_slicing, get_item, set_item, TensorIndex};
use crate::ops::{gather, join, reduce, reorder, views};
use crate::tensor::Tensor;
use crate::Scalar;

/// A view (or layout-only copy) `f(a)` whose gradient is written through `f` applied to zeros
/// of `a`'s shape: d/da = scatter of g through the same view.
pub fn view_op<F>(name: &'static str, a: V, f: F) -> Result<Var>
where
    F: Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static,
{
    let out = f(a.t)?;
    let shape = a.t.shape().to_vec();
    let g = record(name, &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> { Ok(smallvec![Some(scatter_through(&shape, g, &f)?)]) }
    });
    Ok(Var { t: out, g })
}

/// `expand`/`broadcast_to`: the engine sums the gradient back over the expanded dimensions.
pub fn expand(a: V, shape: &[usize]) -> Result<Var> {
    let out = views::expand_to(a.t, shape)?;
    let g = record("ExpandBackward0", &[Some(a)], &[], || {
        |g: &Tensor| -> Result<Grads> { Ok(smallvec![Some(g.clone())]) }
    });
    Ok(Var { t: out, g })
}

/// `flip(dims)`: d/da = flip(g).
pub fn flip(a: V, dims: &[i64]) -> Result<Var> {
    let out = reorder::flip(a.t, dims)?;
    let d = dims.to_vec();
    let g = record("FlipBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> { Ok(smallvec![Some(reorder::flip(g, &d)?)]) }
    });
    Ok(Var { t: out, g })
}

/// `repeat(sizes)`: each input element appears once per tile, so its gradient is the sum over
/// tiles: view g as (r0, s0, r1, s1, ...) and sum the r dimensions.
pub fn repeat(a: V, sizes: &[i64]) -> Result<Var> {
    let out = reorder::repeat(a.t, sizes)?;
    let n = sizes.len();
    let mut src: Vec<usize> = vec![1; n - a.t.ndim().min(n)];
    src.extend_from_slice(a.t.shape());
    let reps: Vec<usize> = sizes.iter().map(|&r| r.max(0) as usize).collect();
    let in_shape = a.t.shape().to_vec();
    let g = record("RepeatBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let g = g.contiguous()?;
            let split: Vec<usize> = reps.iter().zip(&src).flat_map(|(&r, &s)| [r, s]).collect();
            let tiles = g.with_layout(Layout {
                offset: g.layout().offset,
                ..Layout::contiguous(&split)
            })?;
            let dims: Vec<i64> = (0..n as i64).map(|i| 2 * i).collect();
            let summed = reduce::sum(&tiles, Some(&dims), false, None)?.contiguous()?;
            Ok(smallvec![Some(summed.with_layout(Layout {
                offset: summed.layout().offset,
                ..Layout::contiguous(&in_shape)
            })?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `cat(tensors, dim)`: each input's gradient is its slice of g.
pub fn cat(inputs: &[V], dim: i64) -> Result<Var> {
    let ts: Vec<Tensor> = inputs.iter().map(|v| v.t.clone()).collect();
    let out = join::cat(&ts, dim)?;
    let d = if out.ndim() == 0 {
        0
    } else {
        wrap_dim(dim, out.ndim())?
    };
    let lens: Vec<Option<usize>> = ts
        .iter()
        .map(|t| {
            if t.ndim() == 1 && t.numel() == 0 {
                None
            } else {
                Some(t.shape()[d])
            }
        })
        .collect();
    let opts: Vec<Option<V>> = inputs.iter().map(|v| Some(*v)).collect();
    let g = record("CatBackward0", &opts, &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let mut start = 0i64;
            let mut grads: Grads = SmallVec::new();
            for len in &lens {
                match len {
                    None => grads.push(None),
                    Some(l) => {
                        grads.push(Some(views::narrow(g, d as i64, start, *l as i64)?));
                        start += *l as i64;
                    }
                }
            }
            Ok(grads)
        }
    });
    Ok(Var { t: out, g })
}

/// `stack(tensors, dim)`: each input's gradient is `g.select(dim, i)`.
pub fn stack(inputs: &[V], dim: i64) -> Result<Var> {
    let ts: Vec<Tensor> = inputs.iter().map(|v| v.t.clone()).collect();
    let out = join::stack(&ts, dim)?;
    let d = wrap_dim(dim, out.ndim())? as i64;
    let n = ts.len();
    let opts: Vec<Option<V>> = inputs.iter().map(|v| Some(*v)).collect();
    let g = record("StackBackward0", &opts, &[], || {
        move |g: &Tensor| -> Result<Grads> {
            (0..n)
                .map(|i| Ok(Some(views::select(g, d, i as i64)?)))
                .collect()
        }
    });
    Ok(Var { t: out, g })
}

/// Pieces of `a` along `dim` with the given lengths (`split`, `chunk`), each a view recorded as
/// `SplitBackward0`.
pub fn pieces(a: V, dim: i64, lens: &[usize]) -> Result<Vec<Var>> {
    let d = wrap_dim(dim, a.t.ndim())? as i64;
    let mut start = 0i64;
    let mut out = Vec::with_capacity(lens.len());
    for &l in lens {
        let s = start;
        out.push(view_op("SplitBackward0", a, move |t| {
            views::narrow(t, d, s, l as i64)
        })?);
        start += l as i64;
    }
    Ok(out)
}

/// `unbind(dim)`: every entry along `dim`, each recorded as `UnbindBackward0`.
pub fn unbind(a: V, dim: i64) -> Result<Vec<Var>> {
    let d = wrap_dim(dim, a.t.ndim())? as i64;
    (0..a.t.shape()[d as usize] as i64)
        .map(|i| view_op("UnbindBackward0", a, move |t| views::select(t, d, i)))
        .collect()
}

fn index_name(key: &[TensorIndex]) -> &'static str {
    match key
        .iter()
        .rev()
        .find(|k| !matches!(k, TensorIndex::Ellipsis))
    {
        Some(TensorIndex::Int(_)) => "SelectBackward0",
        Some(TensorIndex::Slice { .. }) => "SliceBackward0",
        Some(TensorIndex::None) => "UnsqueezeBackward0",
        Some(_) => "IndexBackward0",
        None => "AliasBackward0",
    }
}

/// `a[key]`: basic keys are views (scatter backward); keys with index tensors gather, and their
/// backward adds the gradient at the indexed positions (repeated indices accumulate).
pub fn get(a: V, key: &[TensorIndex]) -> Result<Var> {
    let advanced = key.iter().any(|k| {
        matches!(k, TensorIndex::Tensor(t) if t.ndim() > 0 || !t.dtype().is_integral())
            || matches!(k, TensorIndex::Bool(_))
    });
    let owned: Vec<TensorIndex> = key.to_vec();
    if !advanced {
        let name = index_name(key);
        return view_op(name, a, move |t| get_item(t, &owned));
    }
    let out = get_item(a.t, key)?;
    let shape = a.t.shape().to_vec();
    let g = record("IndexBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let full = Tensor::zeros(&shape, g.dtype())?;
            let (view, indices) = apply_slicing(&full, &owned)?;
            index_put(&view, &indices, &g.to_dtype(full.dtype())?, true)?;
            Ok(smallvec![Some(full)])
        }
    });
    Ok(Var { t: out, g })
}

/// `a[key] = value` recorded as `CopySlices`: the old values' gradient is g with the region
/// zeroed, the value's is g's region (summed back to its shape by the engine).
pub fn set(a: V, key: &[TensorIndex], value: V) -> Result<GradState> {
    set_item(a.t, key, value.t)?;
    let owned: Vec<TensorIndex> = key.to_vec();
    let g = record("CopySlices", &[Some(a), Some(value)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let rest = g.deep_clone()?;
            set_item(&rest, &owned, &Tensor::scalar(Scalar::Int(0), g.dtype())?)?;
            let region = get_item(g, &owned)?;
            Ok(smallvec![Some(rest), Some(region)])
        }
    });
    Ok(g)
}

/// `index_select(dim, index)`: d/da adds g at the selected positions.
pub fn index_select(a: V, dim: i64, index: &Tensor) -> Result<Var> {
    let out = gather::index_select(a.t, dim, index)?;
    let d = wrap_dim(dim, a.t.ndim().max(1))?;
    let (idx, shape) = (index.clone(), a.t.shape().to_vec());
    let g = record("IndexSelectBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            let full = Tensor::zeros(&shape, g.dtype())?;
            let mut indices: Vec<Option<Tensor>> = vec![None; d + 1];
            indices[d] = Some(idx.clone());
            index_put(&full, &indices, g, true)?;
            Ok(smallvec![Some(full)])
        }
    });
    Ok(Var { t: out, g })
}

/// `gather(dim, index)`: d/da is g scatter-added at `index`.
pub fn gather_op(a: V, dim: i64, index: &Tensor) -> Result<Var> {
    let out = gather::gather(a.t, dim, index)?;
    let (idx, shape) = (index.clone(), a.t.shape().to_vec());
    let g = record("GatherBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![Some(gather::scatter_add(
                &Tensor::zeros(&shape, g.dtype())?,
                dim,
                &idx,
                g
            )?)])
        }
    });
    Ok(Var { t: out, g })
}

/// `masked_fill(mask, value)`: d/da = g where the mask is false.
pub fn masked_fill(a: V, mask: &Tensor, value: Scalar) -> Result<Var> {
    let out = gather::masked_fill(a.t, mask, value)?;
    let m = mask.clone();
    let g = record("MaskedFillBackward0", &[Some(a)], &[], || {
        move |g: &Tensor| -> Result<Grads> {
            Ok(smallvec![Some(where_(
                &m,
                Arg::S(Scalar::Float(0.0)),
                Arg::T(g)
            )?)])
        }
    });
    Ok(Var { t: out, g })
}
