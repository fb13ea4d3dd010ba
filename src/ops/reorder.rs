//! Copies that rearrange elements: `flip` (dimensions reversed) and `repeat` (tiled).

use smallvec::SmallVec;

use crate::error::Result;
use crate::kernels::flip::flip_copy;
use crate::layout::{contiguous_strides, Layout, Strides};
use crate::ops::views::{fmt_list, wrap_dims};
use crate::tensor::Tensor;
use crate::{bail, with_dtype};

/// `t.flip(dims)`: a copy with the listed dimensions reversed (torch copies too; NumPy's `flip`
/// would be a view).
pub fn flip(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    let mut flipped = vec![false; t.ndim()];
    for d in wrap_dims(dims, t.ndim())? {
        if d < flipped.len() {
            flipped[d] = true;
        }
    }
    let out = Tensor::uninit(t.shape(), t.dtype())?;
    with_dtype!(t.dtype(), T => {
        // SAFETY: `out` is a fresh contiguous tensor of `t`'s shape; `t`'s layout was checked
        // against its storage.
        unsafe { flip_copy::<T>(t.shape(), t.raw::<T>(), &flipped, out.data_ptr::<T>()) }
    });
    Ok(out)
}

/// `t.repeat(sizes)`: the tensor tiled `sizes[d]` times along each dimension (leading sizes add
/// dimensions).
pub fn repeat(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    let n = sizes.len();
    if n < t.ndim() {
        bail!("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
    }
    let extra = n - t.ndim();
    let padded: Vec<usize> = (0..n)
        .map(|d| if d < extra { 1 } else { t.shape()[d - extra] })
        .collect();
    let mut out_shape = Vec::with_capacity(n);
    for (d, &r) in sizes.iter().enumerate() {
        if r < 0 {
            bail!(
                "Trying to create tensor with negative dimension {}: {}",
                r * padded[d] as i64,
                fmt_list(sizes)
            );
        }
        out_shape.push((r as usize).checked_mul(padded[d]).ok_or_else(|| {
            crate::error::Error::Runtime(format!(
                "repeat: the result size overflows for repeats {}",
                fmt_list(sizes)
            ))
        })?);
    }
    let out = Tensor::uninit(&out_shape, t.dtype())?;
    // View the output as (r0, s0, r1, s1, ...) and read the input with stride 0 along each
    // repeat dimension: one strided copy does the tiling.
    let out_strides = contiguous_strides(&out_shape);
    let (mut shape, mut dst, mut src): (SmallVec<[usize; 8]>, Strides, Strides) =
        Default::default();
    for d in 0..n {
        shape.extend([sizes[d] as usize, padded[d]]);
        dst.extend([padded[d] * out_strides[d], out_strides[d]]);
        let s = if d < extra { 0 } else { t.strides()[d - extra] };
        src.extend([0, s]);
    }
    let dst_view = out.with_layout(Layout {
        shape: shape.iter().copied().collect(),
        strides: dst,
        offset: 0,
    })?;
    let src_view = t.with_layout(Layout {
        shape: shape.iter().copied().collect(),
        strides: src,
        offset: t.layout().offset,
    })?;
    dst_view.copy_from_unchecked(&src_view);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn flip_and_repeat() {
        let x = Tensor::from_vec(&[1i64, 2, 3, 4, 5, 6], &[2, 3], DType::I64).unwrap();
        assert_eq!(
            flip(&x, &[1]).unwrap().to_vec::<i64>(),
            vec![3, 2, 1, 6, 5, 4]
        );
        assert_eq!(
            flip(&x, &[0, -1]).unwrap().to_vec::<i64>(),
            vec![6, 5, 4, 3, 2, 1]
        );
        let r = repeat(&x, &[2, 1, 2]).unwrap();
        assert_eq!(r.shape(), &[2, 2, 6]);
        assert_eq!(
            r.to_vec::<i64>()[..12],
            [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]
        );
        assert!(repeat(&x, &[2]).is_err());
    }
}
