//! Operations that make a new layout over the same storage (views): nothing is copied.

use crate::error::{Error, Result};
use crate::layout::{wrap_dim, Layout};
use crate::tensor::Tensor;

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

/// `t.select(dim, index)` (`t[index]` along `dim`): that dimension removed.
pub fn select(t: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
    if t.ndim() == 0 {
        return Err(Error::Index("invalid index of a 0-dim tensor.".into()));
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    if index < -n || index >= n {
        return Err(Error::Index(format!(
            "index {index} is out of bounds for dimension {d} with size {n}"
        )));
    }
    let i = if index < 0 { index + n } else { index } as usize;
    let mut layout = t.layout().clone();
    layout.offset += i * layout.strides[d];
    layout.shape.remove(d);
    layout.strides.remove(d);
    t.with_layout(layout)
}
