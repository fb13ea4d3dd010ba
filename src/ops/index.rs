//! `t[key]` and `t[key] = value`: PyTorch's indexing algorithm.
//!
//! A key is a list of [`TensorIndex`] items. The basic items (integers, slices, `None`,
//! `...`) are applied one after the other as views (`select`, `slice`, `unsqueeze`); index
//! tensors, lists and bools are recorded at the dimension they apply to and, if there are any,
//! applied at the end by advanced indexing (`advanced::index`, a copy). This is exactly torch's
//! `applySlicing` + `index`, which differs from NumPy in one corner: an integer next to index
//! tensors is applied first as a `select`, so `x[0, :, [1, 2]]` has shape `(3, 2)` for an `x` of
//! shape `(2, 3, 4)`, where NumPy gives `(2, 3)`.
//!
//! Writing applies the same view and copies `value` into it (`copy_`, with broadcasting and
//! dtype conversion), or calls `advanced::index_put` when index tensors are present. A value
//! that shares memory with the destination is copied first, so `x[1:] = x[:-1]` gives NumPy's
//! result (torch raises "unsupported operation: some elements of the input tensor and the
//! written-to tensor refer to a single memory location" there).

use crate::dtype::DType;
use crate::error::Result;
use crate::fail;
use crate::layout::Layout;
use crate::ops::advanced::{index, index_put};
use crate::ops::views::{expand_to, select_layout, slice_layout, unsqueeze, unsqueeze_layout};
use crate::tensor::Tensor;

/// One item of an indexing key.
#[derive(Clone, Debug)]
pub enum TensorIndex {
    /// `t[i]`: selects one entry and drops the dimension (negative counts from the end).
    Int(i64),
    /// `t[start:stop:step]` with Python's defaults already filled in (`PySlice_Unpack`).
    Slice { start: i64, stop: i64, step: i64 },
    /// `t[None]`: a new dimension of size 1.
    None,
    /// `t[...]`: as many full slices as needed.
    Ellipsis,
    /// `t[True]` / `t[False]`: a new dimension of size 1 or 0 (an advanced index).
    Bool(bool),
    /// An index tensor (int64/int32 positions, or a bool/uint8 mask).
    Tensor(Tensor),
}

fn is_mask(t: &Tensor) -> bool {
    matches!(t.dtype(), DType::Bool | DType::U8)
}

impl TensorIndex {
    /// How many dimensions of the indexed tensor this item consumes.
    fn consumed(&self) -> usize {
        match self {
            TensorIndex::Int(_) | TensorIndex::Slice { .. } => 1,
            TensorIndex::None | TensorIndex::Ellipsis | TensorIndex::Bool(_) => 0,
            TensorIndex::Tensor(t) if is_mask(t) => t.ndim(),
            TensorIndex::Tensor(_) => 1,
        }
    }
}

/// The index tensor standing for a bool index: `[0]` for true, `[]` for false.
fn bool_positions(b: bool) -> Result<Tensor> {
    if b {
        Tensor::from_vec(&[0i64], &[1], DType::I64)
    } else {
        Tensor::zeros(&[0], DType::I64)
    }
}

fn record(indices: &mut Vec<Option<Tensor>>, dim: usize, t: Tensor) {
    if indices.len() <= dim {
        indices.resize(dim + 1, None);
    }
    indices[dim] = Some(t);
}

/// Applies the basic items of `key` as views; returns the view and the index tensors recorded
/// at the dimensions of the view they apply to (torch's `applySlicing`).
pub fn apply_slicing(t: &Tensor, key: &[TensorIndex]) -> Result<(Tensor, Vec<Option<Tensor>>)> {
    if key
        .iter()
        .filter(|k| matches!(k, TensorIndex::Ellipsis))
        .count()
        > 1
    {
        fail!(Index, "an index can only have a single ellipsis ('...')");
    }
    let specified: usize = key.iter().map(TensorIndex::consumed).sum();
    if specified > t.ndim() {
        fail!(
            Index,
            "too many indices for tensor of dimension {}",
            t.ndim()
        );
    }
    // The basic items only change the layout; the view is built once at the end.
    let mut layout = t.layout().clone();
    let mut indices: Vec<Option<Tensor>> = Vec::new();
    let mut dim = 0usize;
    for (position, item) in key.iter().enumerate() {
        match item {
            TensorIndex::Int(i) => select_layout(&mut layout, dim, *i, position)?,
            TensorIndex::Slice { start, stop, step } => {
                slice_layout(&mut layout, dim, *start, *stop, *step)?;
                dim += 1;
            }
            TensorIndex::Ellipsis => dim += t.ndim() - specified,
            TensorIndex::None => {
                unsqueeze_layout(&mut layout, dim);
                dim += 1;
            }
            TensorIndex::Bool(b) => {
                unsqueeze_layout(&mut layout, dim);
                record(&mut indices, dim, bool_positions(*b)?);
                dim += 1;
            }
            TensorIndex::Tensor(x) if x.ndim() == 0 && is_mask(x) => {
                unsqueeze_layout(&mut layout, dim);
                let b = x.item()?.as_f64() != 0.0;
                record(&mut indices, dim, bool_positions(b)?);
                dim += 1;
            }
            TensorIndex::Tensor(x) if x.ndim() == 0 && x.dtype().is_integral() => {
                select_layout(&mut layout, dim, x.item()?.as_i64(), position)?;
            }
            TensorIndex::Tensor(x) => {
                record(&mut indices, dim, x.clone());
                dim += if is_mask(x) { x.ndim() } else { 1 };
            }
        }
    }
    Ok((t.with_layout(layout)?, indices))
}

fn check_not_scalar(t: &Tensor, key: &[TensorIndex]) -> Result<()> {
    if t.ndim() == 0 && key.len() == 1 && matches!(key[0], TensorIndex::Int(_)) {
        fail!(
            Index,
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` \
             in C++ to convert a 0-dim tensor to a number"
        );
    }
    Ok(())
}

/// `t[key]`: a view for basic keys, a new tensor when the key holds index tensors.
pub fn get_item(t: &Tensor, key: &[TensorIndex]) -> Result<Tensor> {
    check_not_scalar(t, key)?;
    let (view, indices) = apply_slicing(t, key)?;
    if indices.is_empty() {
        return Ok(view);
    }
    index(&view, &indices)
}

/// `value` without its leading size-1 dimensions (torch's `slicePrefix1sSize`), so that a
/// `(1, 3)` value can be written into a `(3,)` destination.
fn strip_leading_ones(value: &Tensor) -> Result<Tensor> {
    let lead = value.shape().iter().take_while(|&&n| n == 1).count();
    if lead == 0 {
        return Ok(value.clone());
    }
    let l = value.layout();
    value.with_layout(Layout {
        shape: l.shape[lead..].into(),
        strides: l.strides[lead..].into(),
        offset: l.offset,
    })
}

/// Copies `src` into the view `dst`, broadcasting and converting (torch's `copy_to`).
fn copy_to(dst: &Tensor, src: &Tensor) -> Result<()> {
    if dst.shape() == src.shape() || src.ndim() == 0 {
        return dst.assign(src);
    }
    let src = expand_to(&strip_leading_ones(src)?, dst.shape())?;
    dst.assign(&src)
}

/// `t[key] = value` in place: `value` is broadcast to the indexed region and converted to `t`'s
/// dtype (with index tensors, its dtype must match `t`'s, as in torch).
pub fn set_item(t: &Tensor, key: &[TensorIndex], value: &Tensor) -> Result<()> {
    match key {
        [TensorIndex::Bool(false)] => return Ok(()),
        [TensorIndex::Bool(true)] => return copy_to(&unsqueeze(t, 0)?, value),
        _ => check_not_scalar(t, key)?,
    }
    let (view, indices) = apply_slicing(t, key)?;
    if indices.is_empty() {
        return copy_to(&view, value);
    }
    index_put(&view, &indices, &strip_leading_ones(value)?, false)
}

#[cfg(test)]
mod tests {
    use super::TensorIndex::{Ellipsis, Int, None, Slice};
    use super::*;

    fn arange(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<i64> = (0..n as i64).collect();
        Tensor::from_vec(&v, shape, DType::I64).unwrap()
    }

    const ALL: TensorIndex = Slice {
        start: 0,
        stop: i64::MAX,
        step: 1,
    };

    #[test]
    fn basic_keys_are_views() {
        let x = arange(&[4, 4]);
        let key = [
            Slice {
                start: 1,
                stop: 3,
                step: 1,
            },
            Slice {
                start: 1,
                stop: i64::MAX,
                step: 1,
            },
        ];
        let v = get_item(&x, &key).unwrap();
        assert!(v.shares_storage(&x));
        assert_eq!(v.to_vec::<i64>(), vec![5, 6, 7, 9, 10, 11]);
        let v = get_item(&x, &[Ellipsis, Int(-1), None]).unwrap();
        assert_eq!(v.shape(), &[4, 1]);
        assert_eq!(v.to_vec::<i64>(), vec![3, 7, 11, 15]);
        let e = get_item(&x, &[Int(0), Int(0), Int(0)]).unwrap_err();
        assert_eq!(e.to_string(), "too many indices for tensor of dimension 2");
    }

    #[test]
    fn torch_applies_integers_before_index_tensors() {
        let x = arange(&[2, 3, 4]);
        let idx = Tensor::from_vec(&[1i64, 2], &[2], DType::I64).unwrap();
        let r = get_item(&x, &[Int(0), ALL, TensorIndex::Tensor(idx)]).unwrap();
        assert_eq!(r.shape(), &[3, 2]);
    }

    #[test]
    fn set_item_copies_overlapping_sources_first() {
        let x = arange(&[5]);
        let src = get_item(
            &x,
            &[Slice {
                start: 0,
                stop: -1,
                step: 1,
            }],
        )
        .unwrap();
        set_item(
            &x,
            &[Slice {
                start: 1,
                stop: i64::MAX,
                step: 1,
            }],
            &src,
        )
        .unwrap();
        assert_eq!(x.to_vec::<i64>(), vec![0, 0, 1, 2, 3]);
        let mask = Tensor::from_vec(&[1u8, 0, 1, 0, 0], &[5], DType::Bool).unwrap();
        let v = Tensor::scalar(crate::dtype::Scalar::Float(9.5), DType::F32).unwrap();
        set_item(&x, &[TensorIndex::Tensor(mask)], &v).unwrap();
        assert_eq!(x.to_vec::<i64>(), vec![9, 0, 9, 2, 3]);
    }
}
