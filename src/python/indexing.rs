//! `Tensor.__getitem__` / `__setitem__` and the index-based methods (`index_select`, `gather`,
//! `scatter_add`, `masked_fill`, `nonzero`, `index_put_`).
//!
//! The key is parsed here, in Rust, into `ops::index::TensorIndex` items following torch's
//! `THPVariable_getitem`: a tuple is a list of items; a short list holding a tensor, sequence,
//! slice, `None` or `...` is treated as a tuple too (NumPy's old heuristic, still used by torch);
//! any other list, `range` or ndarray becomes an index tensor.

use pyo3::exceptions::{PyIndexError, PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyInt, PyList, PyRange, PySequence, PySlice, PyString, PyTuple};
use smallvec::SmallVec;

use crate::autograd::ops::shape as ag;
use crate::autograd::{check_inplace, is_grad_enabled, Var};
use crate::dtype::{DType, Scalar};
use crate::ops::index::{set_item, TensorIndex};
use crate::ops::views::legacy_type_name;
use crate::ops::{advanced, gather};
use crate::python::arith::compute;
use crate::python::convert::{extract_scalar, tensor_from_data};
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

type Key = SmallVec<[TensorIndex; 4]>;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

fn is_array(obj: &Bound<'_, PyAny>) -> bool {
    obj.hasattr("__array_interface__").unwrap_or(false)
}

/// Python's `PySequence_Check`, for the kinds of objects that can appear in a key.
fn is_sequence(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.is_instance_of::<PyRange>()
        || obj.cast::<PyTensor>().is_ok()
        || is_array(obj)
        || obj.cast::<PySequence>().is_ok()
}

/// `slice` fields with Python's defaults filled in (`PySlice_Unpack`); a zero step raises
/// `ValueError: slice step cannot be zero`.
fn slice_item(s: &Bound<'_, PySlice>) -> PyResult<TensorIndex> {
    let (mut start, mut stop, mut step): (isize, isize, isize) = (0, 0, 0);
    // SAFETY: `s` is a live slice object and the three out-pointers are valid locals.
    let rc = unsafe { pyo3::ffi::PySlice_Unpack(s.as_ptr(), &mut start, &mut stop, &mut step) };
    if rc < 0 {
        return Err(PyErr::fetch(s.py()));
    }
    Ok(TensorIndex::Slice {
        start: start as i64,
        stop: stop as i64,
        step: step as i64,
    })
}

/// A list, `range` or ndarray used as an index: int64 positions, or a bool/uint8 mask (torch's
/// `indexing_tensor_from_data`).
fn index_tensor(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    if let Some(positions) = fast_positions(obj)? {
        return Ok(Tensor::from_vec(
            &positions,
            &[positions.len()],
            DType::I64,
        )?);
    }
    let t = tensor_from_data(obj, None)?;
    // An empty list holds no type: torch makes it a float tensor, then int64 positions.
    let empty_list = t.numel() == 0 && !is_array(obj);
    Ok(match t.dtype() {
        DType::Bool | DType::U8 if !empty_list => t,
        DType::I64 => t,
        _ => t.cast_copy(DType::I64)?,
    })
}

/// The positions of a `range` or of a flat list of Python ints, read without the general
/// data conversion (`y_hat[range(n), y]` is on every training step); `None` for anything else.
fn fast_positions(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<i64>>> {
    if obj.is_instance_of::<PyRange>() {
        let get = |name: &str| -> PyResult<i128> { obj.getattr(name)?.extract() };
        let (start, stop, step) = (get("start")?, get("stop")?, get("step")?);
        let len = if step > 0 {
            (stop - start + step - 1).div_euclid(step)
        } else {
            (start - stop - step - 1).div_euclid(-step)
        };
        let last = start + (len - 1).max(0) * step;
        if len > 1 << 40 || i64::try_from(start).is_err() || i64::try_from(last).is_err() {
            return Ok(None);
        }
        return Ok(Some(
            (0..len.max(0)).map(|i| (start + i * step) as i64).collect(),
        ));
    }
    let Ok(list) = obj.cast::<PyList>() else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(list.len());
    for item in list.iter() {
        if !item.is_exact_instance_of::<PyInt>() {
            return Ok(None);
        }
        match item.extract::<i64>() {
            Ok(v) => out.push(v),
            Err(_) => return Ok(None),
        }
    }
    Ok((!out.is_empty()).then_some(out))
}

fn int_item(obj: &Bound<'_, PyAny>) -> PyResult<TensorIndex> {
    match obj.extract::<i64>() {
        Ok(i) => Ok(TensorIndex::Int(i)),
        Err(_) if obj.is_instance_of::<PyInt>() => {
            Err(PyRuntimeError::new_err("Overflow when unpacking long"))
        }
        Err(_) => Err(PyIndexError::new_err(format!(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are \
             valid indices (got {})",
            type_name(obj)
        ))),
    }
}

fn parse_item(obj: &Bound<'_, PyAny>) -> PyResult<TensorIndex> {
    let py = obj.py();
    if obj.is_exact_instance_of::<PyInt>() {
        return int_item(obj);
    }
    if let Ok(s) = obj.cast::<PySlice>() {
        return slice_item(s);
    }
    if obj.is_none() {
        return Ok(TensorIndex::None);
    }
    if obj.is(py.Ellipsis()) {
        return Ok(TensorIndex::Ellipsis);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(TensorIndex::Bool(b.is_true()));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(TensorIndex::Tensor(t.borrow().t.clone()));
    }
    if !obj.is_instance_of::<PyString>() && is_sequence(obj) {
        return Ok(TensorIndex::Tensor(index_tensor(obj)?));
    }
    int_item(obj)
}

/// torch's `treatSequenceAsTuple`: should a non-tuple key be read as a tuple of items?
fn sequence_as_tuple(key: &Bound<'_, PyAny>) -> PyResult<bool> {
    if key.cast::<PyTensor>().is_ok() || is_array(key) || key.is_instance_of::<PyString>() {
        return Ok(false);
    }
    let Ok(seq) = key.cast::<PySequence>() else {
        return Ok(false);
    };
    let n = seq.len().unwrap_or(usize::MAX);
    if n >= 32 {
        return Ok(false);
    }
    for item in seq.try_iter()? {
        let item = item?;
        if item.is_none()
            || item.is(key.py().Ellipsis())
            || item.cast::<PySlice>().is_ok()
            || is_sequence(&item)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Parses a Python key into indexing items.
fn parse_key(key: &Bound<'_, PyAny>) -> PyResult<Key> {
    if key.is_exact_instance_of::<PyInt>() {
        return Ok(smallvec::smallvec![int_item(key)?]);
    }
    if let Ok(s) = key.cast::<PySlice>() {
        return Ok(smallvec::smallvec![slice_item(s)?]);
    }
    if let Ok(tuple) = key.cast::<PyTuple>() {
        return tuple.iter().map(|item| parse_item(&item)).collect();
    }
    let simple = key.is_none()
        || key.is(key.py().Ellipsis())
        || key.is_instance_of::<PyBool>()
        || key.cast::<PyTensor>().is_ok();
    if !simple && sequence_as_tuple(key)? {
        return key.try_iter()?.map(|item| parse_item(&item?)).collect();
    }
    Ok(smallvec::smallvec![parse_item(key)?])
}

/// The tensors a key reads (to lock them while a detached kernel runs).
fn key_tensors(key: &Key) -> Vec<&Tensor> {
    key.iter()
        .filter_map(|k| match k {
            TensorIndex::Tensor(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The value of `t[key] = value` as a tensor: tensors as they are, numbers in `dst`'s dtype.
fn value_tensor(value: &Bound<'_, PyAny>, dst: &Tensor) -> PyResult<Tensor> {
    if let Ok(v) = value.cast::<PyTensor>() {
        return Ok(v.borrow().t.clone());
    }
    match extract_scalar(value)? {
        Some(s) => Ok(Tensor::scalar(s, dst.dtype())?),
        None => Err(PyTypeError::new_err(format!(
            "can't assign a {} to a {}",
            type_name(value),
            legacy_type_name(dst.dtype())
        ))),
    }
}

fn tensor_arg(obj: &Bound<'_, PyAny>, what: &str, arg: &str) -> PyResult<Tensor> {
    obj.cast::<PyTensor>()
        .map(|t| t.borrow().t.clone())
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}(): argument '{arg}' must be Tensor, not {}",
                type_name(obj)
            ))
        })
}

/// The fill value of `masked_fill`: a number or a 0-d tensor.
fn fill_value(value: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Ok(v) = value.cast::<PyTensor>() {
        let v = v.borrow().t.clone();
        if v.ndim() != 0 {
            return Err(PyRuntimeError::new_err(format!(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} \
                 dimension(s).",
                v.ndim()
            )));
        }
        return Ok(v.item()?);
    }
    extract_scalar(value)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "masked_fill(): argument 'value' must be Number or Tensor, not {}",
            type_name(value)
        ))
    })
}

fn index_list(indices: &Bound<'_, PyAny>) -> PyResult<Vec<Option<Tensor>>> {
    indices
        .try_iter()?
        .map(|ix| {
            let ix = ix?;
            if ix.is_none() {
                Ok(None)
            } else if let Ok(t) = ix.cast::<PyTensor>() {
                Ok(Some(t.borrow().t.clone()))
            } else {
                Ok(Some(index_tensor(&ix)?))
            }
        })
        .collect()
}

#[pymethods]
impl PyTensor {
    /// `t[key]`: integers, slices, `None`, `...`, index tensors, lists and masks, as in torch.
    /// Integers and slices give views; index tensors, lists and masks give copies.
    ///
    /// Example:
    ///     >>> x = rustgrad.arange(12).reshape(3, 4)
    ///     >>> x[1:, ::2]
    ///     tensor([[ 4,  6],
    ///             [ 8, 10]])
    ///     >>> x[[0, 2], [1, 3]]
    ///     tensor([ 1, 11])
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let key = parse_key(key)?;
        let a = self.v();
        let mut inputs = key_tensors(&key);
        if inputs.is_empty() {
            return Ok(PyTensor::from_var(ag::get(a, &key)?));
        }
        inputs.push(a.t);
        Ok(PyTensor::from_var(compute(py, &inputs, || {
            ag::get(a, &key)
        })?))
    }

    /// `t[key] = value`: writes in place through the same view (numbers and tensors broadcast
    /// and are converted to `t`'s dtype).
    ///
    /// Example:
    ///     >>> x = rustgrad.zeros(2, 3)
    ///     >>> x[:, 1] = 5
    ///     >>> x
    ///     tensor([[0., 5., 0.],
    ///             [0., 5., 0.]])
    fn __setitem__(
        slf: &Bound<'_, Self>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let key = parse_key(key)?;
        let a = slf.borrow().to_var();
        check_inplace(&a.g)?;
        let value_var = match value.cast::<PyTensor>() {
            Ok(v) => v.borrow().to_var(),
            Err(_) => Var::plain(value_tensor(value, &a.t)?),
        };
        let _guard = a.t.storage().lock().write();
        if is_grad_enabled() && (a.g.requires_grad() || value_var.g.requires_grad()) {
            let g = ag::set(a.v(), &key, value_var.v())?;
            slf.borrow_mut().set_grad_state(g);
            return Ok(());
        }
        Ok(set_item(&a.t, &key, &value_var.t)?)
    }

    fn __delitem__(&self, _key: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(PyTypeError::new_err(
            "Tensor does not support deleting items",
        ))
    }

    /// The entries `index` (a 1-d int64 tensor) along `dim`, as a new tensor.
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1, 2], [3, 4], [5, 6]]).index_select(0, rustgrad.tensor([2, 0]))
    ///     tensor([[5, 6],
    ///             [1, 2]])
    fn index_select(&self, dim: i64, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "index_select", "index")?;
        Ok(PyTensor::from_var(ag::index_select(self.v(), dim, &index)?))
    }

    /// Values picked along `dim` by `index` (same number of dimensions): for `dim=1`,
    /// `out[i][j] = self[i][index[i][j]]`.
    ///
    /// Example:
    ///     >>> rustgrad.tensor([[1, 2], [3, 4]]).gather(1, rustgrad.tensor([[1], [0]]))
    ///     tensor([[2],
    ///             [3]])
    fn gather(&self, dim: i64, index: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "gather", "index")?;
        Ok(PyTensor::from_var(ag::gather_op(self.v(), dim, &index)?))
    }

    /// A copy with `src` added at the positions `index` gives along `dim`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(3).scatter_add(0, rustgrad.tensor([0, 0, 2]), rustgrad.ones(3))
    ///     tensor([2., 0., 1.])
    fn scatter_add(
        &self,
        dim: i64,
        index: &Bound<'_, PyAny>,
        src: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let index = tensor_arg(index, "scatter_add", "index")?;
        let src = tensor_arg(src, "scatter_add", "src")?;
        Ok(PyTensor::new(gather::scatter_add(
            &self.t, dim, &index, &src,
        )?))
    }

    /// In-place `scatter_add`; returns self.
    ///
    /// Example:
    ///     >>> x = rustgrad.zeros(3)
    ///     >>> _ = x.scatter_add_(0, rustgrad.tensor([1, 1]), rustgrad.ones(2))
    ///     >>> x
    ///     tensor([0., 2., 0.])
    fn scatter_add_(
        slf: &Bound<'_, Self>,
        dim: i64,
        index: &Bound<'_, PyAny>,
        src: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let index = tensor_arg(index, "scatter_add_", "index")?;
        let src = tensor_arg(src, "scatter_add_", "src")?;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        gather::scatter_add_inplace(&t, dim, &index, &src)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// A copy with `value` where the bool `mask` (broadcast) is true.
    ///
    /// Example:
    ///     >>> x = rustgrad.tensor([1.0, -2.0, 3.0])
    ///     >>> x.masked_fill(x < 0, 0.0)
    ///     tensor([1., 0., 3.])
    fn masked_fill(&self, mask: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let mask = tensor_arg(mask, "masked_fill", "mask")?;
        let v = fill_value(value)?;
        Ok(PyTensor::from_var(ag::masked_fill(self.v(), &mask, v)?))
    }

    /// In-place `masked_fill`; returns self.
    ///
    /// Example:
    ///     >>> x = rustgrad.tensor([1, -2, 3])
    ///     >>> x.masked_fill_(x < 0, 7)
    ///     tensor([1, 7, 3])
    fn masked_fill_(
        slf: &Bound<'_, Self>,
        mask: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let mask = tensor_arg(mask, "masked_fill_", "mask")?;
        let v = fill_value(value)?;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        gather::masked_fill_inplace(&t, &mask, v)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// The indices of the non-zero elements: an `(n, ndim)` int64 tensor, or with
    /// `as_tuple=True` one 1-d tensor per dimension.
    ///
    /// Example:
    ///     >>> rustgrad.tensor([0, 3, 0, 5]).nonzero()
    ///     tensor([[1],
    ///             [3]])
    #[pyo3(signature = (*, as_tuple=false))]
    fn nonzero(&self, py: Python<'_>, as_tuple: bool) -> PyResult<Py<PyAny>> {
        let nz = gather::nonzero(&self.t)?;
        if !as_tuple {
            return Ok(Bound::new(py, PyTensor::new(nz))?.into_any().unbind());
        }
        let cols = if self.t.ndim() == 0 {
            // A 0-d tensor counts as one position 0 when it is non-zero.
            vec![PyTensor::new(Tensor::zeros(&[nz.shape()[0]], DType::I64)?)]
        } else {
            (0..self.t.ndim() as i64)
                .map(|d| {
                    Ok(PyTensor::new(
                        crate::ops::views::select(&nz, 1, d)?.contiguous()?,
                    ))
                })
                .collect::<PyResult<Vec<PyTensor>>>()?
        };
        Ok(PyTuple::new(py, cols)?.into_any().unbind())
    }

    /// `self[indices] = values` in place (`accumulate=True` adds, summing repeated indices);
    /// `indices` is a tuple of index tensors, one per leading dimension. Returns self.
    ///
    /// Example:
    ///     >>> x = rustgrad.zeros(3)
    ///     >>> x.index_put_((rustgrad.tensor([0, 0]),), rustgrad.tensor(1.0), accumulate=True)
    ///     tensor([2., 0., 0.])
    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put_(
        slf: &Bound<'_, Self>,
        indices: &Bound<'_, PyAny>,
        values: &Bound<'_, PyAny>,
        accumulate: bool,
    ) -> PyResult<Py<PyAny>> {
        let indices = index_list(indices)?;
        let values = tensor_arg(values, "index_put_", "values")?;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        advanced::index_put(&t, &indices, &values, accumulate)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// Out-of-place `index_put_`.
    ///
    /// Example:
    ///     >>> rustgrad.zeros(3).index_put((rustgrad.tensor([1]),), rustgrad.tensor(5.0))
    ///     tensor([0., 5., 0.])
    #[pyo3(signature = (indices, values, accumulate=false))]
    fn index_put(
        &self,
        indices: &Bound<'_, PyAny>,
        values: &Bound<'_, PyAny>,
        accumulate: bool,
    ) -> PyResult<PyTensor> {
        let indices = index_list(indices)?;
        let values = tensor_arg(values, "index_put", "values")?;
        let out = self.t.deep_clone()?;
        advanced::index_put(&out, &indices, &values, accumulate)?;
        Ok(PyTensor::new(out))
    }
}
