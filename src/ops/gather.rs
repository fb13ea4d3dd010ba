//! Selecting and writing elements by index along one dimension (`index_select`, `gather`,
//! `scatter_add`), by mask (`masked_fill`), and finding true elements (`nonzero`).

use crate::dtype::{DType, Scalar};
use crate::error::Result;
use crate::kernels::element::convert;
use crate::kernels::elementwise::map2;
use crate::kernels::gather::{gather_dim, scatter_dim};
use crate::kernels::math::Arith;
use crate::layout::{broadcast_shapes, fmt_shape, wrap_dim, Layout};
use crate::ops::advanced::take_positions;
use crate::ops::views::{expand_to, squeeze, unsqueeze};
use crate::tensor::Tensor;
use crate::{bail, fail, with_dtype};

/// Calls `f(coords)` for every non-zero element of `t`, in row-major order.
pub(crate) fn for_each_nonzero(t: &Tensor, mut f: impl FnMut(&[usize])) -> Result<()> {
    let flags = t.to_dtype(DType::Bool)?.to_vec::<u8>();
    let shape = t.shape();
    let mut coords = vec![0usize; shape.len()];
    for &flag in &flags {
        if flag != 0 {
            f(&coords);
        }
        // Advance the row-major multi-index.
        for d in (0..shape.len()).rev() {
            coords[d] += 1;
            if coords[d] < shape[d] {
                break;
            }
            coords[d] = 0;
        }
    }
    Ok(())
}

/// `t.nonzero()`: the indices of the non-zero elements, one row per element, as an
/// `(n, ndim)` int64 tensor in row-major order.
pub fn nonzero(t: &Tensor) -> Result<Tensor> {
    let mut coords: Vec<i64> = Vec::new();
    let mut n = 0;
    for_each_nonzero(t, |c| {
        coords.extend(c.iter().map(|&x| x as i64));
        n += 1;
    })?;
    Tensor::from_vec(&coords, &[n, t.ndim()], DType::I64)
}

/// `t.index_select(dim, index)`: the entries `index` (a vector of int64/int32) of `dim`.
pub fn index_select(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    if index.ndim() > 1 {
        fail!(Index, "index_select(): Index is supposed to be a vector");
    }
    if !matches!(index.dtype(), DType::I64 | DType::I32) {
        bail!(
            "index_select(): Expected dtype int32 or int64 for index but got: {}",
            index.dtype().torch_name()
        );
    }
    if t.ndim() == 0 {
        let r = index_select(&unsqueeze(t, 0)?, 0, index)?;
        return if index.ndim() == 0 {
            squeeze(&r, None)
        } else {
            Ok(r)
        };
    }
    let d = wrap_dim(dim, t.ndim())?;
    let n = t.shape()[d] as i64;
    let positions = index
        .to_vec::<i64>()
        .into_iter()
        .map(|v| {
            if v < 0 || v >= n {
                fail!(Index, "index out of range in self");
            }
            Ok(v as usize)
        })
        .collect::<Result<Vec<usize>>>()?;
    take_positions(t, d, &positions)
}

/// Checks that every index lies in `0..n` (gather and scatter do not wrap negative indices).
fn check_positions(index: &Tensor, dim: usize, n: usize) -> Result<()> {
    for v in index.to_vec::<i64>() {
        if v < 0 || v >= n as i64 {
            bail!("index {v} is out of bounds for dimension {dim} with size {n}");
        }
    }
    Ok(())
}

/// `t` seen over `shape` (no larger than `t` outside `dim`) with stride 0 along `dim`.
fn along(t: &Tensor, shape: &[usize], dim: usize) -> Result<Tensor> {
    let mut strides = t.layout().strides.clone();
    strides[dim] = 0;
    t.with_layout(Layout {
        shape: shape.into(),
        strides,
        offset: t.layout().offset,
    })
}

/// `t.gather(dim, index)`: `out[i][j] = t[index[i][j]][j]` for `dim = 0` (and likewise for
/// other dims); the result has the index's shape.
pub fn gather(t: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    if index.dtype() != DType::I64 {
        bail!("gather(): Expected dtype int64 for index");
    }
    if t.ndim().max(1) != index.ndim().max(1) {
        bail!("Index tensor must have the same number of dimensions as input tensor");
    }
    if t.ndim() == 0 || index.ndim() == 0 {
        let r = gather(&as_1d(t)?, 0, &as_1d(index)?)?;
        return if index.ndim() == 0 {
            squeeze(&r, None)
        } else {
            Ok(r)
        };
    }
    let d = wrap_dim(dim, t.ndim())?;
    for k in (0..t.ndim()).filter(|&k| k != d) {
        if index.shape()[k] > t.shape()[k] {
            bail!(
                "Size does not match at dimension {k} expected index {} to be no larger than self {} \
                 apart from dimension {d}",
                fmt_shape(index.shape()),
                fmt_shape(t.shape())
            );
        }
    }
    check_positions(index, d, t.shape()[d])?;
    let out = Tensor::uninit(index.shape(), t.dtype())?;
    let src = along(t, index.shape(), d)?;
    with_dtype!(t.dtype(), T => {
        // SAFETY: `src` was checked against its storage, every index is below the size of
        // `dim`, and `out` is fresh with the index's shape.
        unsafe {
            gather_dim::<T>(
                index.shape(),
                (out.data_ptr::<T>(), out.strides()),
                src.raw::<T>(),
                t.strides()[d],
                index.raw::<i64>(),
            )
        }
    });
    Ok(out)
}

/// `t.scatter_add_(dim, index, src)`: `t[index[i][j]][j] += src[i][j]` for `dim = 0`, in place.
pub fn scatter_add_inplace(t: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<()> {
    if index.dtype() != DType::I64 {
        bail!("scatter(): Expected dtype int64 for index");
    }
    if src.dtype() != t.dtype() {
        bail!("scatter(): Expected self.dtype to be equal to src.dtype");
    }
    let nd = t.ndim().max(1);
    if index.ndim().max(1) != nd || src.ndim().max(1) != nd {
        bail!("Index tensor must have the same number of dimensions as self tensor");
    }
    if t.ndim() == 0 || index.ndim() == 0 || src.ndim() == 0 {
        let t1 = as_1d(t)?;
        return scatter_add_inplace(&t1, 0, &as_1d(index)?, &as_1d(src)?);
    }
    let d = wrap_dim(dim, t.ndim())?;
    for k in 0..nd {
        if index.shape()[k] > src.shape()[k] || (k != d && index.shape()[k] > t.shape()[k]) {
            bail!(
                "Expected index {} to be no larger than self {} apart from dimension {d} and to be \
                 no larger size than src {}",
                fmt_shape(index.shape()),
                fmt_shape(t.shape()),
                fmt_shape(src.shape())
            );
        }
    }
    check_positions(index, d, t.shape()[d])?;
    t.check_writable()?;
    let src = src.with_layout(Layout {
        shape: index.shape().into(),
        strides: src.layout().strides.clone(),
        offset: src.layout().offset,
    })?;
    let src = if src.shares_storage(t) {
        src.deep_clone()?
    } else {
        src
    };
    let dst = along(t, index.shape(), d)?;
    let is_bool = t.dtype() == DType::Bool;
    with_dtype!(t.dtype(), T => {
        // SAFETY: `dst` and `src` were checked against their storages, which do not overlap;
        // every index is below the size of `dim`.
        unsafe {
            scatter_dim::<T>(
                index.shape(),
                (dst.data_ptr::<T>(), dst.strides()),
                t.strides()[d],
                index.raw::<i64>(),
                src.raw::<T>(),
                move |a: T, b: T| if is_bool { a.bit_or(b) } else { a.add(b) },
            )
        }
    });
    t.storage().bump_version();
    Ok(())
}

/// `t.scatter_add(dim, index, src)`: a copy of `t` with `src` added at `index` along `dim`.
pub fn scatter_add(t: &Tensor, dim: i64, index: &Tensor, src: &Tensor) -> Result<Tensor> {
    let out = t.deep_clone()?;
    scatter_add_inplace(&out, dim, index, src)?;
    Ok(out)
}

fn check_mask(mask: &Tensor) -> Result<()> {
    if mask.dtype() != DType::Bool {
        bail!(
            "masked_fill_ only supports boolean masks, but got mask with dtype {}",
            mask.dtype().name()
        );
    }
    Ok(())
}

/// `t.masked_fill_(mask, value)`: `value` (converted to `t`'s dtype) written where the bool
/// `mask`, broadcast to `t`'s shape, is true.
pub fn masked_fill_inplace(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<()> {
    check_mask(mask)?;
    t.check_writable()?;
    let mask = expand_to(mask, t.shape())?;
    let mask = if mask.shares_storage(t) {
        mask.deep_clone()?
    } else {
        mask
    };
    let dtype = t.dtype();
    with_dtype!(dtype, T => {
        let v: T = match value {
            Scalar::Float(f) => convert::<f64, T>(f, dtype),
            Scalar::Int(i) => convert::<i64, T>(i, dtype),
            Scalar::Bool(b) => convert::<u8, T>(b as u8, dtype),
        };
        // SAFETY: `t` is written at the positions it reads (same layout); `mask` has `t`'s shape
        // and its own memory.
        unsafe {
            map2::<T, u8, T>(
                t.shape(),
                (t.data_ptr::<T>(), t.strides()),
                t.raw::<T>(),
                mask.raw::<u8>(),
                move |old, m| if m != 0 { v } else { old },
            )
        }
    });
    t.storage().bump_version();
    Ok(())
}

/// `t.masked_fill(mask, value)`: a copy of `t` (broadcast with `mask`) with `value` where `mask`
/// is true.
pub fn masked_fill(t: &Tensor, mask: &Tensor, value: Scalar) -> Result<Tensor> {
    check_mask(mask)?;
    let shape = broadcast_shapes(t.shape(), mask.shape())?;
    let out = expand_to(t, &shape)?.deep_clone()?;
    masked_fill_inplace(&out, mask, value)?;
    Ok(out)
}

/// `t` as a 1-d view (a 0-d tensor becomes one element).
fn as_1d(t: &Tensor) -> Result<Tensor> {
    if t.ndim() == 0 {
        unsqueeze(t, 0)
    } else {
        Ok(t.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t64(v: &[i64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape, DType::I64).unwrap()
    }

    #[test]
    fn nonzero_lists_coordinates() {
        let m = Tensor::from_vec(&[0u8, 1, 1, 0], &[2, 2], DType::Bool).unwrap();
        let nz = nonzero(&m).unwrap();
        assert_eq!(nz.shape(), &[2, 2]);
        assert_eq!(nz.to_vec::<i64>(), vec![0, 1, 1, 0]);
    }

    #[test]
    fn select_gather_scatter() {
        let x = t64(&[1, 2, 3, 4, 5, 6], &[2, 3]);
        let r = index_select(&x, 1, &t64(&[2, 0], &[2])).unwrap();
        assert_eq!(r.to_vec::<i64>(), vec![3, 1, 6, 4]);
        assert!(index_select(&x, 0, &t64(&[2], &[1])).is_err());
        let g = gather(&x, 1, &t64(&[2, 2, 0, 1], &[2, 2])).unwrap();
        assert_eq!(g.to_vec::<i64>(), vec![3, 3, 4, 5]);
        let s = scatter_add(
            &x,
            0,
            &t64(&[1, 1, 1], &[1, 3]),
            &t64(&[10, 20, 30], &[1, 3]),
        )
        .unwrap();
        assert_eq!(s.to_vec::<i64>(), vec![1, 2, 3, 14, 25, 36]);
        let e = gather(&x, 1, &t64(&[3], &[1, 1])).unwrap_err().to_string();
        assert_eq!(e, "index 3 is out of bounds for dimension 1 with size 3");
    }

    #[test]
    fn masked_fill_converts_the_value() {
        let x = t64(&[1, 2, 3], &[3]);
        let m = Tensor::from_vec(&[1u8, 0, 1], &[3], DType::Bool).unwrap();
        let r = masked_fill(&x, &m, Scalar::Float(-1.7)).unwrap();
        assert_eq!(r.to_vec::<i64>(), vec![-1, 2, -1]);
    }
}
