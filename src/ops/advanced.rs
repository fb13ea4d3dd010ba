//! Advanced indexing with index tensors: `t[idx0, idx1]` reads (`index`, a copy) and
//! `t[idx0, idx1] = v` writes (`index_put`), following NumPy's rules as PyTorch implements them.
//!
//! `indices[d]` indexes dimension `d` (`None` leaves it whole). Bool masks stand for the index
//! tensors of their true positions (`nonzero`). The index tensors broadcast together to an index
//! shape `B`. When the indexed dimensions are adjacent, the result has the dimensions before
//! them, then `B`, then the dimensions after them; otherwise `B` comes first (the tensor is
//! permuted so that the indexed dimensions lead). Every position of `B` becomes one offset into
//! the storage, and the kernels in `kernels::gather` copy whole rows from there.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::gather::{put, take, Rows};
use crate::kernels::mask::{block_counts, compress};
use crate::kernels::math::Arith;
use crate::layout::{broadcast_shapes, fmt_shape, Shape};
use crate::ops::gather::{for_each_nonzero, nonzero};
use crate::ops::views::{expand_to, permute, select};
use crate::tensor::Tensor;
use crate::{bail, fail, with_dtype};

/// How an advanced index addresses a tensor.
struct Plan {
    /// The tensor, permuted so that the indexed dimensions are adjacent.
    base: Tensor,
    /// Dimensions of `base` before the indexed ones.
    before: usize,
    /// Number of indexed dimensions.
    indexed: usize,
    /// Broadcast shape of the index tensors.
    index_shape: Shape,
    /// Element offset (from `base`'s first element) of every index position.
    offsets: Vec<usize>,
}

impl Plan {
    fn result_shape(&self) -> Shape {
        let s = self.base.shape();
        let mut out: Shape = s[..self.before].into();
        out.extend_from_slice(&self.index_shape);
        out.extend_from_slice(&s[self.before + self.indexed..]);
        out
    }

    fn rows(&self) -> Rows<'_> {
        let (shape, strides) = (self.base.shape(), self.base.strides());
        let after = self.before + self.indexed;
        Rows {
            outer_shape: &shape[..self.before],
            outer_strides: &strides[..self.before],
            offsets: &self.offsets,
            inner_shape: &shape[after..],
            inner_strides: &strides[after..],
        }
    }
}

/// Checks that `mask` matches the dimensions of `t` from `pos` on.
fn check_mask_shape(t: &Tensor, mask: &Tensor, pos: usize) -> Result<()> {
    for j in 0..mask.ndim() {
        if t.shape().get(pos + j) != Some(&mask.shape()[j]) {
            fail!(
                Index,
                "The shape of the mask {} at index {j} does not match the shape of the indexed \
                 tensor {} at index {}",
                fmt_shape(mask.shape()),
                fmt_shape(t.shape()),
                pos + j
            );
        }
    }
    Ok(())
}

/// The plan of `t[..., mask, ...]` with one mask and no other index tensor: the offsets of the
/// true positions, computed in one pass over the mask.
fn mask_plan(t: &Tensor, pos: usize, mask: &Tensor) -> Result<Plan> {
    check_mask_shape(t, mask, pos)?;
    let strides = &t.strides()[pos..pos + mask.ndim()];
    let mut offsets = Vec::new();
    for_each_nonzero(mask, |c| {
        offsets.push(c.iter().zip(strides).map(|(i, s)| i * s).sum());
    })?;
    Ok(Plan {
        base: t.clone(),
        before: pos,
        indexed: mask.ndim(),
        index_shape: [offsets.len()].into_iter().collect(),
        offsets,
    })
}

/// Replaces bool/uint8 masks by the index tensors of their true positions and checks dtypes.
fn expand_masks(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
    let mut out: Vec<Option<Tensor>> = Vec::with_capacity(indices.len());
    for ix in indices {
        let Some(ix) = ix else {
            out.push(None);
            continue;
        };
        match ix.dtype() {
            DType::I64 | DType::I32 => out.push(Some(ix.clone())),
            DType::Bool | DType::U8 => {
                check_mask_shape(t, ix, out.len())?;
                let nz = nonzero(ix)?;
                for j in 0..ix.ndim() {
                    out.push(Some(select(&nz, 1, j as i64)?));
                }
            }
            _ => fail!(
                Index,
                "tensors used as indices must be long, int, byte or bool tensors"
            ),
        }
    }
    Ok(out)
}

fn plan(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Plan> {
    let nd = t.ndim();
    let too_many = |got: usize| {
        Error::Index(format!(
            "too many indices for tensor of dimension {nd} (got {got})"
        ))
    };
    if indices.len() > nd {
        return Err(too_many(indices.len()));
    }
    if is_single_mask(indices) {
        if let Some((pos, Some(mask))) = indices.iter().enumerate().find(|(_, ix)| ix.is_some()) {
            return mask_plan(t, pos, mask);
        }
    }
    let indices = expand_masks(t, indices)?;
    if indices.len() > nd {
        return Err(too_many(indices.len()));
    }
    let defined: Vec<(usize, &Tensor)> = indices
        .iter()
        .enumerate()
        .filter_map(|(d, ix)| ix.as_ref().map(|ix| (d, ix)))
        .collect();
    let mut index_shape = Shape::new();
    for (_, ix) in &defined {
        index_shape = broadcast_shapes(&index_shape, ix.shape()).map_err(|_| {
            let shapes: Vec<String> = defined.iter().map(|(_, x)| fmt_shape(x.shape())).collect();
            Error::Index(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                shapes.join(", ")
            ))
        })?;
    }
    let dims: Vec<usize> = defined.iter().map(|&(d, _)| d).collect();
    let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
    let (base, before) = if adjacent {
        (t.clone(), dims.first().copied().unwrap_or(0))
    } else {
        let rest = (0..nd).filter(|d| !dims.contains(d));
        let perm: Vec<i64> = dims.iter().copied().chain(rest).map(|d| d as i64).collect();
        (permute(t, &perm)?, 0)
    };
    let count: usize = index_shape.iter().product();
    let mut offsets = vec![0usize; count];
    for (j, &(d, ix)) in defined.iter().enumerate() {
        let (n, stride) = (t.shape()[d] as i64, t.strides()[d]);
        let values = expand_to(ix, &index_shape)?.to_vec::<i64>();
        for (o, &v) in offsets.iter_mut().zip(&values) {
            if v < -n || v >= n {
                fail!(
                    Index,
                    "index {v} is out of bounds for dimension {j} with size {n}"
                );
            }
            *o += (if v < 0 { v + n } else { v }) as usize * stride;
        }
    }
    Ok(Plan {
        base,
        before,
        indexed: dims.len(),
        index_shape,
        offsets,
    })
}

/// `t[indices]` with index tensors (torch's `index`): a new tensor.
pub fn index(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    if let Some(out) = leading_mask_select(t, indices)? {
        return Ok(out);
    }
    take_plan(&plan(t, indices)?)
}

/// `t[mask]` for one bool/uint8 mask over the leading dimensions of a contiguous `t` (`x[x > 0]`,
/// rows picked by a mask): the selected rows packed by `kernels::mask`, without a per-element
/// offset table. `None` when another path must handle the index.
fn leading_mask_select(t: &Tensor, indices: &[Option<Tensor>]) -> Result<Option<Tensor>> {
    let Some(Some(mask)) = indices.first() else {
        return Ok(None);
    };
    if !is_single_mask(indices) || mask.ndim() == 0 || !t.is_contiguous() {
        return Ok(None);
    }
    check_mask_shape(t, mask, 0)?;
    let mask = mask.contiguous()?;
    // SAFETY: a contiguous bool/uint8 tensor is `numel` bytes from its data pointer.
    let bytes = unsafe { std::slice::from_raw_parts(mask.data_ptr::<u8>(), mask.numel()) };
    let counts = block_counts(bytes);
    let rest = &t.shape()[mask.ndim()..];
    let mut shape: Shape = [counts.iter().sum::<usize>()].into_iter().collect();
    shape.extend_from_slice(rest);
    let out = Tensor::uninit(&shape, t.dtype())?;
    let row = rest.iter().product();
    with_dtype!(t.dtype(), T => {
        // SAFETY: `t` is contiguous with `bytes.len()` rows of `row` elements; `out` is fresh
        // with room for the selected rows.
        unsafe { compress::<T>(t.data_ptr::<T>(), row, bytes, &counts, out.data_ptr::<T>()) }
    });
    Ok(Some(out))
}

/// Copies the rows a plan addresses into a new tensor of the result shape.
fn take_plan(plan: &Plan) -> Result<Tensor> {
    let out = Tensor::uninit(&plan.result_shape(), plan.base.dtype())?;
    let rows = plan.rows();
    with_dtype!(plan.base.dtype(), T => {
        // SAFETY: every offset of a plan lies within `base`'s shape and strides (checked when it
        // was built), which were checked against its storage; `out` is fresh with the result
        // shape.
        unsafe { take::<T>(plan.base.data_ptr::<T>(), &rows, out.data_ptr::<T>()) }
    });
    Ok(out)
}

/// The elements at `positions` (already checked to lie in `0..size`) of dimension `dim`, as a
/// new tensor with `positions.len()` entries along `dim` (`index_select`).
pub(crate) fn take_positions(t: &Tensor, dim: usize, positions: &[usize]) -> Result<Tensor> {
    let stride = t.strides()[dim];
    let plan = Plan {
        base: t.clone(),
        before: dim,
        indexed: 1,
        index_shape: [positions.len()].into_iter().collect(),
        offsets: positions.iter().map(|&p| p * stride).collect(),
    };
    take_plan(&plan)
}

/// Is `indices` a single bool mask (torch then writes a one-element value with `masked_fill_`,
/// converting its dtype)?
fn is_single_mask(indices: &[Option<Tensor>]) -> bool {
    let mut defined = indices.iter().flatten();
    matches!(
        (defined.next(), defined.next()),
        (Some(ix), None) if matches!(ix.dtype(), DType::Bool | DType::U8)
    )
}

/// `t[indices] = values` (`accumulate=false`) or `t[indices] += values` with repeated indices
/// adding up (`accumulate=true`): torch's `index_put_`. `values` broadcasts to the indexing
/// result and must have `t`'s dtype, except a one-element value written through one mask.
pub fn index_put(
    t: &Tensor,
    indices: &[Option<Tensor>],
    values: &Tensor,
    accumulate: bool,
) -> Result<()> {
    let plan = plan(t, indices)?;
    let values = if !accumulate && values.numel() == 1 && is_single_mask(indices) {
        values.to_dtype(t.dtype())?
    } else {
        values.clone()
    };
    if values.dtype() != t.dtype() {
        bail!(
            "Index put requires the source and destination dtypes match, got {} for the \
             destination and {} for the source.",
            t.dtype().torch_name(),
            values.dtype().torch_name()
        );
    }
    let shape = plan.result_shape();
    let values = expand_to(&values, &shape).map_err(|_| {
        Error::Runtime(format!(
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of \
             shape {}",
            fmt_shape(values.shape()),
            fmt_shape(&shape)
        ))
    })?;
    // A value sharing memory with the destination is read from a copy (NumPy semantics).
    let values = if values.shares_storage(t) {
        values.deep_clone()?
    } else {
        values
    };
    let rows = plan.rows();
    let split = plan.before + plan.index_shape.len();
    let (vshape, vstrides) = (values.shape(), values.strides());
    let is_bool = t.dtype() == DType::Bool;
    with_dtype!(t.dtype(), T => {
        let combine = move |old: T, new: T| match (accumulate, is_bool) {
            (false, _) => new,
            (true, false) => old.add(new),
            (true, true) => old.bit_or(new),
        };
        // SAFETY: offsets were bounds-checked by `plan`; `values` has the result shape and its
        // own storage.
        unsafe {
            put::<T>(
                plan.base.data_ptr::<T>(),
                &rows,
                values.data_ptr::<T>(),
                (&vshape[..split], &vstrides[..split]),
                &vstrides[split..],
                combine,
            )
        }
    });
    t.storage().bump_version();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arange(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<i64> = (0..n as i64).collect();
        Tensor::from_vec(&v, shape, DType::I64).unwrap()
    }

    fn idx(v: &[i64]) -> Option<Tensor> {
        Some(Tensor::from_vec(v, &[v.len()], DType::I64).unwrap())
    }

    #[test]
    fn adjacent_and_separated_indices() {
        let x = arange(&[2, 3, 4]);
        // x[:, [0, 2], [1, 3]] -> shape (2, 2): adjacent, stays in place
        let r = index(&x, &[None, idx(&[0, 2]), idx(&[1, 3])]).unwrap();
        assert_eq!(r.shape(), &[2, 2]);
        assert_eq!(r.to_vec::<i64>(), vec![1, 11, 13, 23]);
        // x[[0, 1], :, [1, 3]] -> shape (2, 3): separated, index dims first
        let r = index(&x, &[idx(&[0, 1]), None, idx(&[1, 3])]).unwrap();
        assert_eq!(r.shape(), &[2, 3]);
        assert_eq!(r.to_vec::<i64>(), vec![1, 5, 9, 15, 19, 23]);
        let e = index(&x, &[idx(&[2])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "index 2 is out of bounds for dimension 0 with size 2"
        );
    }

    #[test]
    fn put_with_and_without_accumulate() {
        let x = Tensor::zeros(&[4], DType::I64).unwrap();
        let v = Tensor::from_vec(&[1i64, 2, 3], &[3], DType::I64).unwrap();
        index_put(&x, &[idx(&[1, 1, -1])], &v, true).unwrap();
        assert_eq!(x.to_vec::<i64>(), vec![0, 3, 0, 3]);
        index_put(&x, &[idx(&[0, 0, 2])], &v, false).unwrap();
        assert_eq!(x.to_vec::<i64>(), vec![2, 3, 3, 3]);
        let f = Tensor::zeros(&[1], DType::F32).unwrap();
        assert!(index_put(&x, &[idx(&[0])], &f, false).is_err());
    }
}
