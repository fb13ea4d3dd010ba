//! `view`, `reshape` and `flatten`: a new shape over the same elements in row-major order.
//!
//! A view is possible when every group of old dimensions that the new shape merges or splits is
//! laid out contiguously within itself; [`compute_stride`] is PyTorch's algorithm for deciding
//! that and for computing the new strides. `reshape` copies when it returns `None`; `view` fails.

use smallvec::SmallVec;

use crate::error::{Error, Result};
use crate::layout::{contiguous_strides, wrap_dim, Layout, Shape, Strides};
use crate::ops::views::fmt_list;
use crate::tensor::Tensor;
use crate::{bail, fail};

/// Resolves a requested shape with at most one `-1` against `numel` elements (torch's
/// `infer_size`).
pub fn infer_size(shape: &[i64], numel: usize) -> Result<Shape> {
    let mut known: usize = 1;
    let mut infer = None;
    for (d, &s) in shape.iter().enumerate() {
        if s == -1 {
            if infer.is_some() {
                bail!("only one dimension can be inferred");
            }
            infer = Some(d);
        } else if s >= 0 {
            known = known.checked_mul(s as usize).ok_or_else(|| {
                Error::Runtime(format!(
                    "shape '{}' is invalid for input of size {numel}",
                    fmt_list(shape)
                ))
            })?;
        } else {
            bail!("invalid shape dimension {s}");
        }
    }
    let fits = numel == known || (infer.is_some() && known > 0 && numel.is_multiple_of(known));
    if !fits {
        bail!(
            "shape '{}' is invalid for input of size {numel}",
            fmt_list(shape)
        );
    }
    let mut out: Shape = shape.iter().map(|&s| s.max(0) as usize).collect();
    if let Some(d) = infer {
        if known == 0 {
            bail!(
                "cannot reshape tensor of 0 elements into shape {} because the unspecified \
                 dimension size -1 can be any value and is ambiguous",
                fmt_list(shape)
            );
        }
        out[d] = numel / known;
    }
    Ok(out)
}

/// Strides that let `new_shape` view the elements of (`old_shape`, `old_strides`) in the same
/// row-major order, or `None` when no such strides exist (PyTorch's `computeStride`).
pub fn compute_stride(
    old_shape: &[usize],
    old_strides: &[usize],
    new_shape: &[usize],
) -> Option<Strides> {
    if old_shape.is_empty() {
        return Some(SmallVec::from_elem(1, new_shape.len()));
    }
    let numel: usize = old_shape.iter().product();
    if numel == 0 && old_shape == new_shape {
        return Some(old_strides.into());
    }
    let mut new_strides: Strides = SmallVec::from_elem(0, new_shape.len());
    if numel == 0 {
        // Any strides work; use those of a contiguous tensor with sizes of at least 1.
        for d in (0..new_shape.len()).rev() {
            new_strides[d] = if d + 1 == new_shape.len() {
                1
            } else {
                new_shape[d + 1].max(1) * new_strides[d + 1]
            };
        }
        return Some(new_strides);
    }
    // Walk the old dimensions from the back in "chunks" that are contiguous within themselves,
    // and match each chunk with new dimensions holding the same number of elements.
    let mut view_d = new_shape.len() as isize - 1;
    let mut chunk_base_stride = *old_strides.last()?;
    let mut tensor_numel = 1usize;
    let mut view_numel = 1usize;
    for tensor_d in (0..old_shape.len()).rev() {
        tensor_numel *= old_shape[tensor_d];
        let chunk_ends = tensor_d == 0
            || (old_shape[tensor_d - 1] != 1
                && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride);
        if chunk_ends {
            while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1) {
                new_strides[view_d as usize] = view_numel * chunk_base_stride;
                view_numel *= new_shape[view_d as usize];
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if tensor_d > 0 {
                chunk_base_stride = old_strides[tensor_d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    if view_d != -1 {
        return None;
    }
    Some(new_strides)
}

/// `t.view(shape)`: the same storage seen with a new shape; an error when the strides do not
/// allow it.
pub fn view(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let shape = infer_size(shape, t.numel())?;
    let strides = compute_stride(t.shape(), t.strides(), &shape).ok_or_else(|| {
        Error::Runtime(
            "view size is not compatible with input tensor's size and stride (at least one \
             dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                .into(),
        )
    })?;
    t.with_layout(Layout {
        shape,
        strides,
        offset: t.layout().offset,
    })
}

/// `t.reshape(shape)`: a view when the strides allow it, else a contiguous copy.
pub fn reshape(t: &Tensor, shape: &[i64]) -> Result<Tensor> {
    let shape = infer_size(shape, t.numel())?;
    match compute_stride(t.shape(), t.strides(), &shape) {
        Some(strides) => t.with_layout(Layout {
            shape,
            strides,
            offset: t.layout().offset,
        }),
        None => {
            let copy = t.deep_clone()?;
            let strides = contiguous_strides(&shape);
            copy.with_layout(Layout {
                shape,
                strides,
                offset: 0,
            })
        }
    }
}

/// `t.flatten(start_dim, end_dim)`: dimensions `start_dim..=end_dim` merged into one.
pub fn flatten(t: &Tensor, start_dim: i64, end_dim: i64) -> Result<Tensor> {
    let nd = t.ndim();
    let (s, e) = (wrap_dim(start_dim, nd)?, wrap_dim(end_dim, nd)?);
    if s > e {
        bail!("flatten() has invalid args: start_dim cannot come after end_dim");
    }
    if nd == 0 {
        return reshape(t, &[1]);
    }
    if s == e {
        return Ok(t.clone());
    }
    let merged: usize = t.shape()[s..=e].iter().product();
    let mut shape: Vec<i64> = t.shape()[..s].iter().map(|&d| d as i64).collect();
    shape.push(merged as i64);
    shape.extend(t.shape()[e + 1..].iter().map(|&d| d as i64));
    reshape(t, &shape)
}

/// `t.unflatten(dim, sizes)`: dimension `dim` split into `sizes` (one may be `-1`).
pub fn unflatten(t: &Tensor, dim: i64, sizes: &[i64]) -> Result<Tensor> {
    let nd = t.ndim();
    if nd == 0 {
        fail!(
            Index,
            "Dimension specified as 0 but tensor has no dimensions"
        );
    }
    let d = wrap_dim(dim, nd)?;
    if sizes.is_empty() {
        bail!("unflatten: sizes must be non-empty");
    }
    let inner = infer_size(sizes, t.shape()[d]).map_err(|_| {
        Error::Runtime(format!(
            "unflatten: Provided sizes {} don't multiply up to the size of dim {dim} ({}) in the input tensor",
            fmt_list(sizes),
            t.shape()[d]
        ))
    })?;
    let mut shape: Vec<i64> = t.shape()[..d].iter().map(|&x| x as i64).collect();
    shape.extend(inner.iter().map(|&x| x as i64));
    shape.extend(t.shape()[d + 1..].iter().map(|&x| x as i64));
    view(t, &shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;
    use crate::ops::views::{permute, slice};

    fn arange(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<i64> = (0..n as i64).collect();
        Tensor::from_vec(&v, shape, DType::I64).unwrap()
    }

    #[test]
    fn infer_size_resolves_one_unknown() {
        assert_eq!(infer_size(&[-1, 4], 12).unwrap().as_slice(), &[3, 4]);
        assert_eq!(
            infer_size(&[5, 3], 12).unwrap_err().to_string(),
            "shape '[5, 3]' is invalid for input of size 12"
        );
        assert!(infer_size(&[-1, -1], 12).is_err());
        assert!(infer_size(&[-1, 0], 0).is_err());
    }

    #[test]
    fn compute_stride_matches_torch() {
        // contiguous: any reshape is a view
        assert_eq!(
            compute_stride(&[3, 4], &[4, 1], &[2, 6])
                .unwrap()
                .as_slice(),
            &[6, 1]
        );
        // transposed (4, 3) with strides (1, 4): merging both dims is impossible
        assert!(compute_stride(&[4, 3], &[1, 4], &[12]).is_none());
        // but splitting one dim of it is fine
        assert_eq!(
            compute_stride(&[4, 3], &[1, 4], &[2, 2, 3])
                .unwrap()
                .as_slice(),
            &[2, 1, 4]
        );
        // size-1 dims anywhere
        assert_eq!(
            compute_stride(&[2, 1, 3], &[3, 100, 1], &[1, 6, 1])
                .unwrap()
                .as_slice(),
            &[6, 1, 1]
        );
        assert_eq!(
            compute_stride(&[], &[], &[1, 1]).unwrap().as_slice(),
            &[1, 1]
        );
    }

    #[test]
    fn reshape_views_or_copies() {
        let x = arange(&[3, 4]);
        let v = reshape(&x, &[4, 3]).unwrap();
        assert!(v.shares_storage(&x));
        let t = permute(&x, &[1, 0]).unwrap();
        let c = reshape(&t, &[12]).unwrap();
        assert!(!c.shares_storage(&x));
        assert_eq!(
            c.to_vec::<i64>(),
            vec![0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]
        );
        assert!(view(&t, &[12]).is_err());
        // columns 0 and 2 are evenly spaced (stride 2 throughout), columns 0 and 3 are not
        assert_eq!(
            view(&slice(&x, 1, 0, 4, 2).unwrap(), &[6])
                .unwrap()
                .strides(),
            &[2]
        );
        assert!(view(&slice(&x, 1, 0, 4, 3).unwrap(), &[6]).is_err());
        assert_eq!(flatten(&x, 0, -1).unwrap().shape(), &[12]);
        assert_eq!(unflatten(&x, 1, &[2, -1]).unwrap().shape(), &[3, 2, 2]);
    }
}
