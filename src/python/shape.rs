//! Shape methods of `rustgrad.Tensor` (`reshape`, `view`, `squeeze`, `expand`, `split`, ...) and
//! the module functions `cat` and `stack`. Sizes and dims are accepted as varargs or as one
//! sequence (`x.reshape(3, 4)`, `x.reshape((3, 4))`), as in torch.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyList, PyTuple};

use crate::autograd::ops::shape::{self as ag, view_op};
use crate::autograd::{Var, V};
use crate::ops::{reshape, split, views};
use crate::python::arith::compute;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// Ints from `*args`, or from one tuple/list/`Size` argument (`x.reshape(2, 3)`,
/// `x.reshape((2, 3))`). Reads tuples and lists directly: this runs on every `reshape`.
fn dims_arg(args: &Bound<'_, PyTuple>, what: &str, name: &str) -> PyResult<Vec<i64>> {
    let bad = |item: &Bound<'_, PyAny>, pos: usize| {
        PyTypeError::new_err(format!(
            "{what}(): argument '{name}' (position 1) must be tuple of ints, but found element of \
             type {} at pos {pos}",
            type_name(item)
        ))
    };
    let read = |items: &mut dyn Iterator<Item = Bound<'_, PyAny>>| -> PyResult<Vec<i64>> {
        items
            .enumerate()
            .map(|(pos, item)| item.extract::<i64>().map_err(|_| bad(&item, pos)))
            .collect()
    };
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if let Ok(t) = first.cast::<PyTuple>() {
            return read(&mut t.iter());
        }
        if let Ok(l) = first.cast::<PyList>() {
            return read(&mut l.iter());
        }
        if !first.is_exact_instance_of::<PyInt>() && first.cast::<PyTensor>().is_err() {
            if let Ok(iter) = first.try_iter() {
                let items = iter.collect::<PyResult<Vec<_>>>()?;
                return read(&mut items.into_iter());
            }
        }
    }
    read(&mut args.iter())
}

/// Sizes from `*args`, failing like torch when none are given.
fn sizes_arg(args: &Bound<'_, PyTuple>, what: &str, name: &str) -> PyResult<Vec<i64>> {
    if args.is_empty() {
        return Err(PyTypeError::new_err(format!(
            "{what}() missing 1 required positional arguments: \"{name}\""
        )));
    }
    dims_arg(args, what, name)
}

/// One int or a sequence of ints.
fn int_or_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(vec![i]);
    }
    obj.try_iter()?.map(|d| d?.extract::<i64>()).collect()
}

fn other_tensor(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    obj.cast::<PyTensor>()
        .map(|t| t.borrow().t.clone())
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}(): argument 'other' must be Tensor, not {}",
                type_name(obj)
            ))
        })
}

/// The pieces of a split as a tuple, each recorded for autograd as a view of `a`.
fn var_tuple(py: Python<'_>, a: V, dim: i64, parts: Vec<Tensor>) -> PyResult<Py<PyAny>> {
    let d = crate::layout::wrap_dim(dim, a.t.ndim())?;
    let lens: Vec<usize> = parts.iter().map(|p| p.shape()[d]).collect();
    let vars = ag::pieces(a, dim, &lens)?;
    Ok(PyTuple::new(py, vars.into_iter().map(PyTensor::from_var))?
        .into_any()
        .unbind())
}

/// The tensors of a `cat`/`stack` argument.
fn tensor_list(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<Var>> {
    let iterable = obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.hasattr("__iter__")?;
    if obj.cast::<PyTensor>().is_ok() || !iterable {
        return Err(PyTypeError::new_err(format!(
            "{what}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            type_name(obj)
        )));
    }
    obj.try_iter()?
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            item.cast::<PyTensor>()
                .map(|t| t.borrow().to_var())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "expected Tensor as element {i} in argument 0, but got {}",
                        type_name(&item)
                    ))
                })
        })
        .collect()
}

/// `dim` or its NumPy spelling `axis` (at most one of them).
fn dim_or_axis(dim: Option<i64>, axis: Option<i64>, default: i64) -> PyResult<i64> {
    match (dim, axis) {
        (Some(_), Some(_)) => Err(PyTypeError::new_err("got both 'dim' and its alias 'axis'")),
        (Some(d), None) | (None, Some(d)) => Ok(d),
        (None, None) => Ok(default),
    }
}

/// `rustgrad.cat(tensors, dim=0)` (also `concat`, `concatenate`): the tensors joined along an
/// existing dimension `dim`; other sizes must match; dtypes promote.
///
/// Example:
///     >>> rustgrad.cat((rustgrad.zeros(1, 2), rustgrad.ones(1, 2)), dim=0)
///     tensor([[0., 0.],
///             [1., 1.]])
#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None))]
pub fn cat(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    dim: Option<i64>,
    axis: Option<i64>,
) -> PyResult<PyTensor> {
    let ts = tensor_list(tensors, "cat")?;
    let d = dim_or_axis(dim, axis, 0)?;
    let refs: Vec<&Tensor> = ts.iter().map(|v| &v.t).collect();
    let vs: Vec<V> = ts.iter().map(|v| v.v()).collect();
    Ok(PyTensor::from_var(compute(py, &refs, || ag::cat(&vs, d))?))
}

/// `rustgrad.stack(tensors, dim=0)`: equally shaped tensors joined along a new dimension.
///
/// Example:
///     >>> rustgrad.stack([rustgrad.tensor([1, 2]), rustgrad.tensor([3, 4])], dim=1)
///     tensor([[1, 3],
///             [2, 4]])
#[pyfunction]
#[pyo3(signature = (tensors, dim=None, *, axis=None))]
pub fn stack(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    dim: Option<i64>,
    axis: Option<i64>,
) -> PyResult<PyTensor> {
    let ts = tensor_list(tensors, "stack")?;
    let d = dim_or_axis(dim, axis, 0)?;
    let refs: Vec<&Tensor> = ts.iter().map(|v| &v.t).collect();
    let vs: Vec<V> = ts.iter().map(|v| v.v()).collect();
    Ok(PyTensor::from_var(compute(py, &refs, || {
        ag::stack(&vs, d)
    })?))
}

#[pymethods]
impl PyTensor {
    /// The same elements with a new shape (one size may be -1): a view when the strides allow
    /// it, else a copy.
    ///
    /// Example:
    ///     >>> rustgrad.arange(6).reshape(2, -1)
    ///     tensor([[0, 1, 2],
    ///             [3, 4, 5]])
    #[pyo3(signature = (*shape))]
    fn reshape(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let shape = sizes_arg(shape, "reshape", "shape")?;
        Ok(PyTensor::from_var(view_op(
            "ViewBackward0",
            self.v(),
            move |t| reshape::reshape(t, &shape),
        )?))
    }

    /// A view with a new shape; RuntimeError when the strides do not allow one.
    ///
    /// Example:
    ///     >>> rustgrad.arange(6).view(3, 2).shape
    ///     rustgrad.Size([3, 2])
    #[pyo3(signature = (*shape))]
    fn view(&self, shape: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let shape = sizes_arg(shape, "view", "size")?;
        Ok(PyTensor::from_var(view_op(
            "ViewBackward0",
            self.v(),
            move |t| reshape::view(t, &shape),
        )?))
    }

    /// `view(other.shape)`.
    ///
    /// Example:
    ///     >>> rustgrad.arange(4).view_as(rustgrad.zeros(2, 2)).shape
    ///     rustgrad.Size([2, 2])
    fn view_as(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = other_tensor(other, "view_as")?;
        let shape: Vec<i64> = o.shape().iter().map(|&d| d as i64).collect();
        Ok(PyTensor::from_var(view_op(
            "ViewBackward0",
            self.v(),
            move |t| reshape::view(t, &shape),
        )?))
    }

    /// `reshape(other.shape)`.
    ///
    /// Example:
    ///     >>> rustgrad.arange(4).reshape_as(rustgrad.zeros(2, 2)).shape
    ///     rustgrad.Size([2, 2])
    fn reshape_as(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = other_tensor(other, "reshape_as")?;
        let shape: Vec<i64> = o.shape().iter().map(|&d| d as i64).collect();
        Ok(PyTensor::from_var(view_op(
            "ViewBackward0",
            self.v(),
            move |t| reshape::reshape(t, &shape),
        )?))
    }

    /// Dimensions `start_dim..=end_dim` merged into one.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 3, 4).flatten(1).shape
    ///     rustgrad.Size([2, 12])
    #[pyo3(signature = (start_dim=0, end_dim=-1), text_signature = "($self, start_dim=0, end_dim=-1)")]
    fn flatten(&self, start_dim: i64, end_dim: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "ViewBackward0",
            self.v(),
            move |t| reshape::flatten(t, start_dim, end_dim),
        )?))
    }

    /// Dimension `dim` split into `sizes`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 12).unflatten(1, (3, 4)).shape
    ///     rustgrad.Size([2, 3, 4])
    fn unflatten(&self, dim: i64, sizes: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let sizes = int_or_list(sizes)?;
        Ok(PyTensor::from_var(view_op(
            "ViewBackward0",
            self.v(),
            move |t| reshape::unflatten(t, dim, &sizes),
        )?))
    }

    /// Size-1 dimensions removed (only those listed in `dim`, an int or a tuple, if given).
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 1, 3, 1).squeeze().shape
    ///     rustgrad.Size([2, 3])
    #[pyo3(signature = (dim=None))]
    fn squeeze(&self, dim: Option<&Bound<'_, PyAny>>) -> PyResult<PyTensor> {
        let dims = dim.filter(|d| !d.is_none()).map(int_or_list).transpose()?;
        Ok(PyTensor::from_var(view_op(
            "SqueezeBackward0",
            self.v(),
            move |t| views::squeeze(t, dims.as_deref()),
        )?))
    }

    /// A size-1 dimension inserted at `dim`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(3).unsqueeze(0).shape
    ///     rustgrad.Size([1, 3])
    fn unsqueeze(&self, dim: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "UnsqueezeBackward0",
            self.v(),
            move |t| views::unsqueeze(t, dim),
        )?))
    }

    /// Dimensions `dim0` and `dim1` swapped (a view).
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 3, 4).transpose(0, 2).shape
    ///     rustgrad.Size([4, 3, 2])
    fn transpose(&self, dim0: i64, dim1: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "TransposeBackward0",
            self.v(),
            move |t| views::transpose(t, dim0, dim1),
        )?))
    }

    /// Same as `transpose`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 3).swapaxes(0, 1).shape
    ///     rustgrad.Size([3, 2])
    fn swapaxes(&self, axis0: i64, axis1: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "TransposeBackward0",
            self.v(),
            move |t| views::transpose(t, axis0, axis1),
        )?))
    }

    /// Same as `transpose`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 3).swapdims(0, 1).shape
    ///     rustgrad.Size([3, 2])
    fn swapdims(&self, dim0: i64, dim1: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "TransposeBackward0",
            self.v(),
            move |t| views::transpose(t, dim0, dim1),
        )?))
    }

    /// The transpose of a matrix (vectors and scalars unchanged).
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1, 2]]).t()
    ///     tensor([[1],
    ///             [2]])
    fn t(&self) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "TBackward0",
            self.v(),
            views::t,
        )?))
    }

    /// The last two dimensions swapped (a view).
    ///
    /// Example:
    ///     >>> rustgrad.zeros(5, 2, 3).mT.shape
    ///     rustgrad.Size([5, 3, 2])
    #[getter]
    #[allow(non_snake_case)]
    fn mT(&self) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "TransposeBackward0",
            self.v(),
            views::matrix_transpose,
        )?))
    }

    /// Dimensions `source` (int or sequence) moved to positions `destination`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 3, 4).movedim(0, -1).shape
    ///     rustgrad.Size([3, 4, 2])
    fn movedim(
        &self,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let (s, d) = (int_or_list(source)?, int_or_list(destination)?);
        Ok(PyTensor::from_var(view_op(
            "PermuteBackward0",
            self.v(),
            move |t| views::movedim(t, &s, &d),
        )?))
    }

    /// Same as `movedim`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(2, 3).moveaxis(0, 1).shape
    ///     rustgrad.Size([3, 2])
    fn moveaxis(
        &self,
        source: &Bound<'_, PyAny>,
        destination: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        self.movedim(source, destination)
    }

    /// Size-1 dimensions repeated to `sizes` without copying (-1 keeps a size).
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1], [2]]).expand(2, 3)
    ///     tensor([[1, 1, 1],
    ///             [2, 2, 2]])
    #[pyo3(signature = (*sizes))]
    fn expand(&self, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let s = dims_arg(sizes, "expand", "size")?;
        let target = views::expand(&self.t, &s)?.shape().to_vec();
        Ok(PyTensor::from_var(ag::expand(self.v(), &target)?))
    }

    /// `expand(other.shape)`.
    ///
    /// Example:
    ///     >>> rustgrad.ones(3).expand_as(rustgrad.zeros(2, 3)).shape
    ///     rustgrad.Size([2, 3])
    fn expand_as(&self, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = other_tensor(other, "expand_as")?;
        Ok(PyTensor::from_var(ag::expand(self.v(), o.shape())?))
    }

    /// Broadcast to `size` (a view, as `expand`).
    ///
    /// Example:
    ///     >>> rustgrad.tensor([1, 2]).broadcast_to((2, 2))
    ///     tensor([[1, 2],
    ///             [1, 2]])
    fn broadcast_to(&self, size: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let s = int_or_list(size)?;
        let target = views::expand(&self.t, &s)?.shape().to_vec();
        Ok(PyTensor::from_var(ag::expand(self.v(), &target)?))
    }

    /// The tensor tiled `sizes[d]` times along each dimension (a copy).
    ///
    /// Example:
    ///     >>> rustgrad.tensor([1, 2]).repeat(2, 2)
    ///     tensor([[1, 2, 1, 2],
    ///             [1, 2, 1, 2]])
    #[pyo3(signature = (*sizes))]
    fn repeat(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let s = sizes_arg(sizes, "repeat", "repeats")?;
        let t = &self.t;
        let a = self.v();
        Ok(PyTensor::from_var(compute(py, &[t], || ag::repeat(a, &s))?))
    }

    /// A copy with the dimensions `dims` reversed.
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1, 2], [3, 4]]).flip(0)
    ///     tensor([[3, 4],
    ///             [1, 2]])
    #[pyo3(signature = (*dims, **kwargs))]
    fn flip(
        &self,
        py: Python<'_>,
        dims: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<PyTensor> {
        let d = match kwargs.and_then(|k| k.get_item("dims").ok().flatten()) {
            Some(d) => int_or_list(&d)?,
            None => sizes_arg(dims, "flip", "dims")?,
        };
        let t = &self.t;
        let a = self.v();
        Ok(PyTensor::from_var(compute(py, &[t], || ag::flip(a, &d))?))
    }

    /// Views of pieces along `dim`: of `split_size_or_sections` each (an int), or of the
    /// listed sizes.
    ///
    /// Example:
    ///     >>> rustgrad.arange(5).split(2)
    ///     (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    #[pyo3(signature = (split_size_or_sections, dim=0))]
    fn split(
        &self,
        py: Python<'_>,
        split_size_or_sections: &Bound<'_, PyAny>,
        dim: i64,
    ) -> PyResult<Py<PyAny>> {
        let parts = match split_size_or_sections.extract::<i64>() {
            Ok(size) => split::split(&self.t, size, dim)?,
            Err(_) => {
                let sizes = int_or_list(split_size_or_sections)?;
                split::split_with_sizes(&self.t, &sizes, dim)?
            }
        };
        var_tuple(py, self.v(), dim, parts)
    }

    /// At most `chunks` views of (nearly) equal size along `dim`.
    ///
    /// Example:
    ///     >>> rustgrad.arange(6).chunk(3)
    ///     (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
    #[pyo3(signature = (chunks, dim=0))]
    fn chunk(&self, py: Python<'_>, chunks: i64, dim: i64) -> PyResult<Py<PyAny>> {
        var_tuple(py, self.v(), dim, split::chunk(&self.t, chunks, dim)?)
    }

    /// Every index of `dim` selected: a tuple of views.
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1, 2], [3, 4]]).unbind(1)
    ///     (tensor([1, 3]), tensor([2, 4]))
    #[pyo3(signature = (dim=0))]
    fn unbind(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        let parts = ag::unbind(self.v(), dim)?;
        Ok(PyTuple::new(py, parts.into_iter().map(PyTensor::from_var))?
            .into_any()
            .unbind())
    }

    /// `length` entries of `dim` from `start` (a view).
    ///
    /// Example:
    ///     >>> rustgrad.arange(6).narrow(0, 2, 3)
    ///     tensor([2, 3, 4])
    fn narrow(&self, dim: i64, start: i64, length: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "SliceBackward0",
            self.v(),
            move |t| views::narrow(t, dim, start, length),
        )?))
    }

    /// Entry `index` of `dim`, which is removed (a view; `t.select(0, i)` is `t[i]`).
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1, 2], [3, 4]]).select(1, 0)
    ///     tensor([1, 3])
    fn select(&self, dim: i64, index: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(view_op(
            "SelectBackward0",
            self.v(),
            move |t| views::select(t, dim, index),
        )?))
    }
}
