//! Joining tensors into a new one: `cat` along an existing dimension, `stack` along a new one.

use crate::bail;
use crate::dtype::{result_type, Operand};
use crate::error::Result;
use crate::layout::{fmt_shape, wrap_dim};
use crate::ops::views::{narrow, unsqueeze};
use crate::tensor::Tensor;

/// `torch.cat(tensors, dim)`: the tensors joined along `dim`; every other size must match. The
/// result has the promoted dtype of all inputs. As in torch, 1-d empty tensors are skipped (a
/// legacy rule that lets `cat` start from `torch.tensor([])`).
pub fn cat(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    if tensors.is_empty() {
        bail!("torch.cat(): expected a non-empty list of Tensors");
    }
    for (i, t) in tensors.iter().enumerate() {
        if t.ndim() == 0 {
            bail!("zero-dimensional tensor (at position {i}) cannot be concatenated");
        }
    }
    let dtype = result_type(
        &tensors
            .iter()
            .map(|t| Operand::Dim(t.dtype()))
            .collect::<Vec<_>>(),
    );
    let skip = |t: &Tensor| t.ndim() == 1 && t.shape()[0] == 0;
    let Some(first) = tensors.iter().position(|t| !skip(t)) else {
        // Every input is a legacy empty tensor: the result is one too.
        wrap_dim(dim, 1)?;
        return Tensor::zeros(&[0], dtype);
    };
    let reference = &tensors[first];
    let nd = reference.ndim();
    let d = wrap_dim(dim, nd)?;
    let mut total = 0usize;
    for (i, t) in tensors.iter().enumerate() {
        if skip(t) {
            continue;
        }
        if t.ndim() != nd {
            bail!(
                "Tensors must have same number of dimensions: got {nd} and {}",
                t.ndim()
            );
        }
        for k in (0..nd).filter(|&k| k != d) {
            if t.shape()[k] != reference.shape()[k] {
                bail!(
                    "Sizes of tensors must match except in dimension {d}. Expected size {} but got \
                     size {} for tensor number {i} in the list.",
                    reference.shape()[k],
                    t.shape()[k]
                );
            }
        }
        total += t.shape()[d];
    }
    let mut shape = reference.shape().to_vec();
    shape[d] = total;
    let out = Tensor::uninit(&shape, dtype)?;
    let mut start = 0i64;
    for t in tensors.iter().filter(|t| !skip(t)) {
        let len = t.shape()[d] as i64;
        let part = narrow(&out, d as i64, start, len)?;
        part.copy_from_unchecked(t);
        start += len;
    }
    Ok(out)
}

/// `torch.stack(tensors, dim)`: equally shaped tensors joined along a new dimension `dim`.
pub fn stack(tensors: &[Tensor], dim: i64) -> Result<Tensor> {
    let Some(first) = tensors.first() else {
        bail!("stack expects a non-empty TensorList");
    };
    for (i, t) in tensors.iter().enumerate().skip(1) {
        if t.shape() != first.shape() {
            bail!(
                "stack expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
                fmt_shape(first.shape()),
                fmt_shape(t.shape())
            );
        }
    }
    let d = wrap_dim(dim, first.ndim() + 1)?;
    let parts = tensors
        .iter()
        .map(|t| unsqueeze(t, d as i64))
        .collect::<Result<Vec<_>>>()?;
    cat(&parts, d as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn cat_promotes_and_checks_sizes() {
        let a = Tensor::from_vec(&[1i64, 2, 3, 4], &[2, 2], DType::I64).unwrap();
        let b = Tensor::from_vec(&[0.5f32, 1.5], &[2, 1], DType::F32).unwrap();
        let c = cat(&[a.clone(), b.clone()], 1).unwrap();
        assert_eq!(c.dtype(), DType::F32);
        assert_eq!(c.to_vec::<f32>(), vec![1.0, 2.0, 0.5, 3.0, 4.0, 1.5]);
        let e = cat(&[a.clone(), b], 0).unwrap_err().to_string();
        assert_eq!(
            e,
            "Sizes of tensors must match except in dimension 0. Expected size 2 but got size 1 \
             for tensor number 1 in the list."
        );
        let empty = Tensor::zeros(&[0], DType::F32).unwrap();
        assert_eq!(cat(&[empty, a.clone()], 0).unwrap().shape(), &[2, 2]);
        let s = stack(&[a.clone(), a], 2).unwrap();
        assert_eq!(s.shape(), &[2, 2, 2]);
        assert_eq!(s.to_vec::<i64>(), vec![1, 1, 2, 2, 3, 3, 4, 4]);
    }
}
