//! Operations that make a new layout over the same storage (views): nothing is copied.
//!
//! Each function computes the new shape, strides and offset exactly as PyTorch does (so that
//! `stride()` and `storage_offset()` agree) and checks the result against the storage through
//! [`Tensor::with_layout`]. Reshaping lives in `reshape.rs`, splitting in `split.rs`.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{checked_numel, fmt_shape, wrap_dim, Layout};
use crate::tensor::Tensor;
use crate::{bail, fail};

/// Formats a list of signed sizes or dims as torch does in messages: `[2, -1]`.
pub fn fmt_list(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(|d| d.to_string()).collect();
    format!("[{}]", items.join(", "))
}

/// torch's legacy type name of a CPU tensor (`rustgrad.FloatTensor`), used in some messages.
pub fn legacy_type_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "rustgrad.BoolTensor",
        DType::U8 => "rustgrad.ByteTensor",
        DType::I32 => "rustgrad.IntTensor",
        DType::I64 => "rustgrad.LongTensor",
        DType::F32 => "rustgrad.FloatTensor",
        DType::F64 => "rustgrad.DoubleTensor",
    }
}

/// Wraps each of `dims` against `ndim` and rejects repeats (torch's `dim_list_to_bitset`).
pub fn wrap_dims(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut seen = vec![false; ndim.max(1)];
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let w = wrap_dim(d, ndim)?;
        if seen[w] {
            bail!("dim {w} appears multiple times in the list of dims");
        }
        seen[w] = true;
        out.push(w);
    }
    Ok(out)
}

/// `t.permute(dims)`: dimensions reordered.
pub fn permute(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let nd = t.ndim();
    if dims.len() != nd {
        return Err(Error::Runtime(format!(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of \
             the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {}",
            dims.len()
        )));
    }
    let mut seen = vec![false; nd];
    let mut layout = Layout {
        shape: Default::default(),
        strides: Default::default(),
        offset: t.layout().offset,
    };
    for &d in dims {
        let d = wrap_dim(d, nd)?;
        if seen[d] {
            return Err(Error::Runtime(
                "permute(): duplicate dims are not allowed.".into(),
            ));
        }
        seen[d] = true;
        layout.shape.push(t.shape()[d]);
        layout.strides.push(t.strides()[d]);
    }
    t.with_layout(layout)
}

/// `t.T`: all dimensions reversed.
pub fn reverse_dims(t: &Tensor) -> Result<Tensor> {
    let dims: Vec<i64> = (0..t.ndim() as i64).rev().collect();
    permute(t, &dims)
}

/// `t.transpose(dim0, dim1)` (also `swapaxes`, `swapdims`): two dimensions swapped.
pub fn transpose(t: &Tensor, dim0: i64, dim1: i64) -> Result<Tensor> {
    let nd = t.ndim();
    let (a, b) = (wrap_dim(dim0, nd)?, wrap_dim(dim1, nd)?);
    let mut layout = t.layout().clone();
    if nd > 0 {
        layout.shape.swap(a, b);
        layout.strides.swap(a, b);
    }
    t.with_layout(layout)
}

/// `t.t()`: the transpose of a matrix; vectors and scalars are returned as they are.
pub fn t(t: &Tensor) -> Result<Tensor> {
    if t.ndim() > 2 {
        bail!(
            "t() expects a tensor with <= 2 dimensions, but self is {}D",
            t.ndim()
        );
    }
    if t.ndim() < 2 {
        return Ok(t.clone());
    }
    transpose(t, 0, 1)
}

/// `t.mT`: the last two dimensions swapped.
pub fn matrix_transpose(t: &Tensor) -> Result<Tensor> {
    if t.ndim() < 2 {
        bail!(
            "tensor.mT is only supported on matrices or batches of matrices. Got {}-D tensor.",
            t.ndim()
        );
    }
    transpose(t, -2, -1)
}

/// `t.movedim(source, destination)`: the `source` dimensions moved to `destination`, the others
/// keeping their order.
pub fn movedim(t: &Tensor, source: &[i64], destination: &[i64]) -> Result<Tensor> {
    let nd = t.ndim();
    if source.len() != destination.len() {
        bail!(
            "movedim: Invalid source or destination dims: source ({} dims) should contain the same \
             number of dims as destination ({} dims)",
            fmt_list(source),
            fmt_list(destination)
        );
    }
    let src = movedim_dims(source, nd, "source")?;
    let dst = movedim_dims(destination, nd, "destination")?;
    let mut order: Vec<Option<usize>> = vec![None; nd];
    let mut used = vec![false; nd];
    for (&s, &d) in src.iter().zip(&dst) {
        order[d] = Some(s);
        used[s] = true;
    }
    let mut rest = (0..nd).filter(|&d| !used[d]);
    let perm: Vec<i64> = order
        .into_iter()
        .map(|o| o.or_else(|| rest.next()).unwrap_or(0) as i64)
        .collect();
    permute(t, &perm)
}

/// Wraps the dims of one `movedim` argument: range errors first, then repeats.
fn movedim_dims(dims: &[i64], ndim: usize, what: &str) -> Result<Vec<usize>> {
    let wrapped = dims
        .iter()
        .map(|&d| wrap_dim(d, ndim))
        .collect::<Result<Vec<usize>>>()?;
    let mut seen = vec![false; ndim.max(1)];
    for &d in &wrapped {
        if std::mem::replace(&mut seen[d], true) {
            bail!("movedim: repeated dim in `{what}` ({})", fmt_list(dims));
        }
    }
    Ok(wrapped)
}

/// `t.select(dim, index)` (`t[index]` along `dim`): that dimension removed.
pub fn select(t: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        return Err(Error::Index(
            "select() cannot be applied to a 0-dim tensor.".into(),
        ));
    }
    let d = wrap_dim(dim, t.ndim())?;
    select_at(t, d, index, d)
}

/// Selects `index` of dimension `d`; `shown` is the dimension named in the error message (torch
/// names the position in the indexing expression there).
pub(crate) fn select_at(t: &Tensor, d: usize, index: i64, shown: usize) -> Result<Tensor> {
    let mut layout = t.layout().clone();
    select_layout(&mut layout, d, index, shown)?;
    t.with_layout(layout)
}

/// [`select_at`] on a bare layout (indexing composes several of these before building one
/// tensor).
pub(crate) fn select_layout(l: &mut Layout, d: usize, index: i64, shown: usize) -> Result<()> {
    let n = l.shape[d] as i64;
    if index < -n || index >= n {
        fail!(
            Index,
            "index {index} is out of bounds for dimension {shown} with size {n}"
        );
    }
    let i = if index < 0 { index + n } else { index } as usize;
    l.offset += i * l.strides[d];
    l.shape.remove(d);
    l.strides.remove(d);
    Ok(())
}

/// `t[start:stop:step]` along `dim`, with Python's clamping of out-of-range bounds.
pub fn slice(t: &Tensor, dim: i64, start: i64, stop: i64, step: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        fail!(Index, "slice() cannot be applied to a 0-dim tensor.");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let mut layout = t.layout().clone();
    slice_layout(&mut layout, d, start, stop, step)?;
    t.with_layout(layout)
}

/// [`slice`] of dimension `d` of a bare layout.
pub(crate) fn slice_layout(
    l: &mut Layout,
    d: usize,
    start: i64,
    stop: i64,
    step: i64,
) -> Result<()> {
    if step <= 0 {
        fail!(Value, "step must be greater than zero");
    }
    let n = l.shape[d] as i64;
    let clamp = |v: i64| {
        let v = if v < 0 { v.saturating_add(n) } else { v };
        v.clamp(0, n)
    };
    let start = clamp(start);
    let stop = clamp(stop).max(start);
    let len = if stop > start {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    l.offset += start as usize * l.strides[d];
    l.shape[d] = len as usize;
    // With two or more entries stride * step stays inside the storage; with fewer it is never
    // used to reach an element, so a huge step must only not overflow.
    l.strides[d] = l.strides[d].saturating_mul(step as usize);
    Ok(())
}

/// `t.narrow(dim, start, length)`: `length` elements of `dim` from `start` (negative counts from
/// the end).
pub fn narrow(t: &Tensor, dim: i64, start: i64, length: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        bail!("narrow() cannot be applied to a 0-dim tensor.");
    }
    if length < 0 {
        bail!("narrow(): length must be non-negative.");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    if start < -n || start > n {
        fail!(
            Index,
            "start out of range (expected to be in range of [{}, {n}], but got {start})",
            -n
        );
    }
    let start = if start < 0 { start + n } else { start };
    if start > n - length {
        bail!("start ({start}) + length ({length}) exceeds dimension size ({n}).");
    }
    slice(t, d as i64, start, start + length, 1)
}

/// `t.squeeze(dims)`: the listed size-1 dimensions removed (all of them for `None`); listed
/// dimensions of another size are kept.
pub fn squeeze(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    let nd = t.ndim();
    let mut drop = vec![false; nd];
    match dims {
        None => {
            for (d, flag) in drop.iter_mut().enumerate() {
                *flag = t.shape()[d] == 1;
            }
        }
        Some(dims) => {
            for d in wrap_dims(dims, nd)? {
                if nd > 0 && t.shape()[d] == 1 {
                    drop[d] = true;
                }
            }
        }
    }
    let mut layout = Layout {
        shape: Default::default(),
        strides: Default::default(),
        offset: t.layout().offset,
    };
    for d in (0..nd).filter(|&d| !drop[d]) {
        layout.shape.push(t.shape()[d]);
        layout.strides.push(t.strides()[d]);
    }
    t.with_layout(layout)
}

/// `t.unsqueeze(dim)`: a size-1 dimension inserted at `dim` (in `[-ndim-1, ndim]`).
pub fn unsqueeze(t: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim() + 1)?;
    let mut layout = t.layout().clone();
    unsqueeze_layout(&mut layout, d);
    t.with_layout(layout)
}

/// [`unsqueeze`] of a bare layout at `d` (in `0..=ndim`).
pub(crate) fn unsqueeze_layout(l: &mut Layout, d: usize) {
    // torch's inferUnsqueezeGeometry: the new stride continues the next dimension.
    let stride = if d >= l.ndim() {
        1
    } else {
        l.shape[d] * l.strides[d]
    };
    l.shape.insert(d, 1);
    l.strides.insert(d, stride);
}

/// `t.expand(sizes)`: size-1 dimensions repeated without copying (stride 0); `-1` keeps a size;
/// new dimensions may be added in front.
pub fn expand(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    let nd = t.ndim();
    let n = sizes.len();
    if n < nd {
        bail!(
            "expand({}{{{}}}, size={}): the number of sizes provided ({n}) must be greater or equal \
             to the number of dimensions in the tensor ({nd})",
            legacy_type_name(t.dtype()),
            fmt_shape(t.shape()),
            fmt_list(sizes)
        );
    }
    let mut shape = vec![0usize; n];
    let mut strides = vec![0usize; n];
    for i in (0..n).rev() {
        let existing = (i + nd).checked_sub(n);
        let (size, mut stride) = match existing {
            Some(d) => (t.shape()[d] as i64, t.strides()[d]),
            None if i + 1 < n => (1, shape[i + 1].saturating_mul(strides[i + 1])),
            None => (1, 1),
        };
        let mut target = sizes[i];
        if target == -1 {
            if existing.is_none() {
                bail!("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}");
            }
            target = size;
        }
        if target < 0 {
            bail!(
                "Trying to create tensor with negative dimension {target}: {}",
                fmt_list(sizes)
            );
        }
        if size != target {
            if size != 1 {
                bail!(
                    "The expanded size of the tensor ({target}) must match the existing size ({size}) at \
                     non-singleton dimension {i}.  Target sizes: {}.  Tensor sizes: {}",
                    fmt_list(sizes),
                    fmt_shape(t.shape())
                );
            }
            stride = 0;
        }
        shape[i] = target as usize;
        strides[i] = stride;
    }
    checked_numel(&shape)?;
    t.with_layout(Layout {
        shape: shape.into_iter().collect(),
        strides: strides.into_iter().collect(),
        offset: t.layout().offset,
    })
}

/// `t.expand(shape)` for a shape of non-negative sizes (`broadcast_to`, `expand_as`).
pub fn expand_to(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if t.shape() == shape {
        return Ok(t.clone());
    }
    let sizes: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
    expand(t, &sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arange(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let v: Vec<i64> = (0..n as i64).collect();
        Tensor::from_vec(&v, shape, DType::I64).unwrap()
    }

    #[test]
    fn slicing_clamps_like_python() {
        let x = arange(&[10]);
        let s = slice(&x, 0, 2, 100, 3).unwrap();
        assert_eq!(s.to_vec::<i64>(), vec![2, 5, 8]);
        assert_eq!(s.strides(), &[3]);
        assert_eq!(
            slice(&x, 0, -3, i64::MAX, 1).unwrap().to_vec::<i64>(),
            vec![7, 8, 9]
        );
        assert_eq!(slice(&x, 0, 8, 2, 1).unwrap().numel(), 0);
        assert!(matches!(slice(&x, 0, 0, 5, -1), Err(Error::Value(_))));
    }

    #[test]
    fn select_names_the_dimension_and_size() {
        let x = arange(&[3, 4]);
        let e = select(&x, 0, 5).unwrap_err();
        assert_eq!(
            e.to_string(),
            "index 5 is out of bounds for dimension 0 with size 3"
        );
        assert_eq!(select(&x, 1, -1).unwrap().to_vec::<i64>(), vec![3, 7, 11]);
    }

    #[test]
    fn expand_follows_torch_strides_and_messages() {
        let x = arange(&[3, 1]);
        let e = expand(&x, &[2, -1, 4]).unwrap();
        assert_eq!(e.shape(), &[2, 3, 4]);
        assert_eq!(e.strides(), &[0, 1, 0]);
        let err = expand(&x, &[3, 2, 5]).unwrap_err().to_string();
        assert!(
            err.starts_with("The expanded size of the tensor (2) must match the existing size (3)")
        );
        let err = expand(&x, &[4]).unwrap_err().to_string();
        assert!(err.contains("the number of sizes provided (1) must be greater or equal"));
    }

    #[test]
    fn unsqueeze_squeeze_round_trip() {
        let x = arange(&[2, 3]);
        let u = unsqueeze(&x, 1).unwrap();
        assert_eq!((u.shape(), u.strides()), (&[2, 1, 3][..], &[3, 3, 1][..]));
        let u = unsqueeze(&x, -1).unwrap();
        assert_eq!((u.shape(), u.strides()), (&[2, 3, 1][..], &[3, 1, 1][..]));
        assert_eq!(squeeze(&u, None).unwrap().shape(), &[2, 3]);
        assert_eq!(squeeze(&u, Some(&[0])).unwrap().shape(), &[2, 3, 1]);
    }

    #[test]
    fn narrow_and_movedim() {
        let x = arange(&[4, 2]);
        assert_eq!(
            narrow(&x, 0, -2, 2).unwrap().to_vec::<i64>(),
            vec![4, 5, 6, 7]
        );
        assert_eq!(
            narrow(&x, 0, 3, 2).unwrap_err().to_string(),
            "start (3) + length (2) exceeds dimension size (4)."
        );
        let y = arange(&[2, 3, 4]);
        assert_eq!(movedim(&y, &[0], &[2]).unwrap().shape(), &[3, 4, 2]);
        assert!(movedim(&y, &[0, 0], &[1, 2]).is_err());
    }
}
