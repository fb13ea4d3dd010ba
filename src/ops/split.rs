//! Splitting a tensor into views along one dimension: `split`, `chunk`, `unbind`.

use crate::error::Result;
use crate::layout::wrap_dim;
use crate::ops::views::{fmt_list, narrow, select};
use crate::tensor::Tensor;
use crate::{bail, fail};

/// `t.split(size, dim)`: pieces of `size` along `dim`, the last one possibly smaller.
pub fn split(t: &Tensor, size: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        bail!("split expects at least a 1-dimensional tensor");
    }
    if size < 0 {
        bail!("split expects split_size be non-negative, but got split_size={size}");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    if size == 0 && n != 0 {
        bail!("split_size can only be 0 if dimension size is 0, but got dimension size of {n}");
    }
    let pieces = if size == 0 || size >= n {
        1
    } else {
        (n - 1) / size + 1
    };
    let last = n - size.min(n) * (pieces - 1);
    (0..pieces)
        .map(|i| {
            let len = if i + 1 < pieces { size } else { last };
            narrow(t, d as i64, i * size, len)
        })
        .collect()
}

/// `t.split([s0, s1, ...], dim)`: pieces of the given sizes, which must add up to the size of
/// `dim`.
pub fn split_with_sizes(t: &Tensor, sizes: &[i64], dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        bail!("split expects at least a 1-dimensional tensor");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    if sizes.iter().any(|&s| s < 0) {
        bail!(
            "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={}",
            fmt_list(sizes)
        );
    }
    if sizes.iter().sum::<i64>() != n {
        bail!(
            "split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at \
             dimension {dim}), but got split_sizes={}",
            fmt_list(sizes)
        );
    }
    let mut start = 0;
    sizes
        .iter()
        .map(|&len| {
            let piece = narrow(t, d as i64, start, len);
            start += len;
            piece
        })
        .collect()
}

/// `t.chunk(chunks, dim)`: at most `chunks` pieces of equal size (the last may be smaller).
pub fn chunk(t: &Tensor, chunks: i64, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        bail!("chunk expects at least a 1-dimensional tensor");
    }
    if chunks <= 0 {
        bail!("chunk expects `chunks` to be greater than 0, got: {chunks}");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    let size = if n == 0 { 0 } else { (n - 1) / chunks + 1 };
    if size == 0 && n == 0 {
        // An empty dimension still yields `chunks` empty pieces.
        return split_with_sizes(t, &vec![0; chunks as usize], dim);
    }
    split(t, size, dim)
}

/// `t.unbind(dim)`: every index of `dim` selected, as a list of views.
pub fn unbind(t: &Tensor, dim: i64) -> Result<Vec<Tensor>> {
    if t.ndim() == 0 {
        fail!(
            Index,
            "Dimension specified as 0 but tensor has no dimensions"
        );
    }
    let d = wrap_dim(dim, t.ndim())?;
    (0..t.shape()[d] as i64)
        .map(|i| select(t, d as i64, i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    fn arange(n: usize) -> Tensor {
        let v: Vec<i64> = (0..n as i64).collect();
        Tensor::from_vec(&v, &[n], DType::I64).unwrap()
    }

    fn values(parts: &[Tensor]) -> Vec<Vec<i64>> {
        parts.iter().map(|p| p.to_vec::<i64>()).collect()
    }

    #[test]
    fn split_and_chunk_sizes() {
        let x = arange(5);
        assert_eq!(
            values(&split(&x, 2, 0).unwrap()),
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        assert_eq!(
            values(&split_with_sizes(&x, &[1, 4], 0).unwrap()),
            vec![vec![0], vec![1, 2, 3, 4]]
        );
        assert!(split_with_sizes(&x, &[2, 2], 0).is_err());
        assert_eq!(chunk(&x, 3, 0).unwrap().len(), 3);
        assert_eq!(chunk(&arange(6), 4, 0).unwrap().len(), 3);
        assert_eq!(chunk(&arange(0), 3, 0).unwrap().len(), 3);
        assert_eq!(unbind(&x, 0).unwrap().len(), 5);
    }
}
