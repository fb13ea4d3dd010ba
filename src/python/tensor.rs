//! The `rustgrad.Tensor` class: attributes, conversions and Python protocols. Arithmetic lives
//! in `arith.rs`; each `#[pymethods]` block is a thin wrapper over `crate::ops`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyTuple, PyType};

use crate::autograd::ops::views as ag_views;
use crate::autograd::{GradState, Var, V};
use crate::dtype::{DType, Scalar};
use crate::layout::wrap_dim;
use crate::python::convert::{scalar_to_py, tensor_from_data, tensor_to_list};
use crate::python::dtype::{dtype_object, extract_dtype, PyDType};
use crate::python::interop::to_numpy;
use crate::tensor::Tensor;

/// A multi-dimensional array with PyTorch's API.
///
/// Example:
///     >>> x = rustgrad.arange(12).reshape(3, 4)
///     >>> x.shape
///     rustgrad.Size([3, 4])
#[pyclass(name = "Tensor", module = "rustgrad", subclass, weakref)]
pub struct PyTensor {
    pub(crate) t: Tensor,
    /// Autograd state: none, a leaf, or the output of a recorded op.
    pub(crate) g: GradState,
    /// The Python object last returned by `.grad`, so repeated reads give the same object.
    pub(crate) grad_cache: Option<Py<PyTensor>>,
}

impl PyTensor {
    /// A tensor that does not require grad.
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor {
            t,
            g: GradState::None,
            grad_cache: None,
        }
    }

    /// A tensor with the autograd state an op produced.
    pub fn from_var(v: Var) -> PyTensor {
        PyTensor {
            t: v.t,
            g: v.g,
            grad_cache: None,
        }
    }

    pub fn tensor(&self) -> &Tensor {
        &self.t
    }

    /// Borrowed tensor and autograd state, the operand of differentiable ops.
    pub fn v(&self) -> V<'_> {
        V {
            t: &self.t,
            g: &self.g,
        }
    }

    /// An owned copy of the handle (the data is shared).
    pub fn to_var(&self) -> Var {
        Var {
            t: self.t.clone(),
            g: self.g.clone(),
        }
    }

    pub fn set_grad_state(&mut self, g: GradState) {
        self.g = g;
    }
}

static SIZE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static REPR_FN: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `rustgrad.Size(shape)`.
pub fn make_size<'py>(py: Python<'py>, shape: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let ty = SIZE_TYPE.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        Ok(py
            .import("rustgrad._size")?
            .getattr("Size")?
            .cast_into::<PyType>()?
            .unbind())
    })?;
    ty.bind(py).call1((PyTuple::new(py, shape)?,))
}

fn one_element(t: &Tensor, what: &str) -> PyResult<Scalar> {
    if t.numel() != 1 {
        return Err(PyValueError::new_err(format!(
            "only one element tensors can be converted to Python {what}"
        )));
    }
    Ok(t.item()?)
}

#[pymethods]
impl PyTensor {
    /// `rustgrad.Tensor(data)`: a float32 copy of `data` (as torch's legacy constructor).
    #[new]
    #[pyo3(signature = (*args))]
    fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<Self> {
        if args.len() == 1 {
            let a = args.get_item(0)?;
            if let Ok(t) = a.cast::<PyTensor>() {
                return Ok(PyTensor::new(t.borrow().t.clone()));
            }
            if a.extract::<i64>().is_err() {
                return Ok(PyTensor::new(tensor_from_data(&a, Some(DType::F32))?));
            }
        }
        let shape = crate::python::convert::parse_shape(args)?;
        Ok(PyTensor::new(Tensor::zeros(&shape, DType::F32)?))
    }

    /// The size of each dimension, as a `rustgrad.Size`.
    #[getter]
    fn shape<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_size(py, self.t.shape())
    }

    /// `size()` is `shape`; `size(dim)` one dimension.
    #[pyo3(signature = (dim=None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        match dim {
            None => Ok(make_size(py, self.t.shape())?.unbind()),
            Some(d) => Ok(self.t.shape()[wrap_dim(d, self.t.ndim())?]
                .into_pyobject(py)?
                .into_any()
                .unbind()),
        }
    }

    #[getter]
    fn dtype<'py>(&self, py: Python<'py>) -> Bound<'py, PyDType> {
        dtype_object(py, self.t.dtype())
    }

    #[getter]
    fn ndim(&self) -> usize {
        self.t.ndim()
    }

    fn dim(&self) -> usize {
        self.t.ndim()
    }

    fn ndimension(&self) -> usize {
        self.t.ndim()
    }

    fn numel(&self) -> usize {
        self.t.numel()
    }

    fn nelement(&self) -> usize {
        self.t.numel()
    }

    fn element_size(&self) -> usize {
        self.t.dtype().size()
    }

    #[pyo3(signature = (dim=None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        match dim {
            None => Ok(PyTuple::new(py, self.t.strides())?.into_any().unbind()),
            Some(d) => Ok(self.t.strides()[wrap_dim(d, self.t.ndim())?]
                .into_pyobject(py)?
                .into_any()
                .unbind()),
        }
    }

    fn storage_offset(&self) -> usize {
        self.t.layout().offset
    }

    fn is_contiguous(&self) -> bool {
        self.t.is_contiguous()
    }

    fn is_floating_point(&self) -> bool {
        self.t.dtype().is_float()
    }

    #[getter]
    fn device(&self) -> &'static str {
        "cpu"
    }

    /// Address of the first element (for checking that two tensors share memory).
    fn data_ptr(&self) -> usize {
        self.t.data_address()
    }

    /// Same storage, and `untyped_storage().data_ptr()` identifies it.
    fn _storage_ptr(&self) -> usize {
        self.t.storage().as_ptr() as usize
    }

    fn __len__(&self) -> PyResult<usize> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a 0-d tensor"));
        }
        Ok(self.t.shape()[0])
    }

    /// The value of a one-element tensor as a Python number.
    fn item(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        scalar_to_py(py, self.t.item()?)
    }

    /// The values as nested Python lists.
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        tensor_to_list(py, &self.t)
    }

    fn __float__(&self) -> PyResult<f64> {
        Ok(one_element(&self.t, "scalars")?.as_f64())
    }

    fn __int__(&self) -> PyResult<i64> {
        Ok(one_element(&self.t, "scalars")?.as_i64())
    }

    fn __index__(&self) -> PyResult<i64> {
        if self.t.numel() != 1 || self.t.dtype().is_float() {
            return Err(PyTypeError::new_err(
                "only integer tensors of a single element can be converted to an index",
            ));
        }
        Ok(self.t.item()?.as_i64())
    }

    fn __bool__(&self) -> PyResult<bool> {
        if self.t.numel() != 1 {
            return Err(PyRuntimeError::new_err(if self.t.numel() == 0 {
                "Boolean value of Tensor with no values is ambiguous".to_string()
            } else {
                "Boolean value of Tensor with more than one value is ambiguous".to_string()
            }));
        }
        Ok(self.t.item()?.as_f64() != 0.0)
    }

    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let py = slf.py();
        let f = REPR_FN.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py
                .import("rustgrad._tensor_str")?
                .getattr("tensor_repr")?
                .unbind())
        })?;
        f.bind(py).call1((slf,))?.extract()
    }

    /// Converted to `dtype` (this tensor itself if it already has it).
    #[pyo3(signature = (*args, dtype=None, copy=false))]
    fn to(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        dtype: Option<&Bound<'_, PyAny>>,
        copy: bool,
    ) -> PyResult<Py<PyAny>> {
        let mut target = dtype.map(extract_dtype).transpose()?;
        for a in args.iter() {
            if let Ok(o) = a.cast::<PyTensor>() {
                target = Some(o.borrow().t.dtype());
            } else if let Ok(s) = a.extract::<String>() {
                if s != "cpu" {
                    return Err(PyRuntimeError::new_err(format!(
                        "rustgrad runs on the CPU only; got device '{s}'"
                    )));
                }
            } else if a.cast::<PyDType>().is_ok() || a.cast::<PyType>().is_ok() {
                target = Some(extract_dtype(&a)?);
            }
        }
        convert_to(slf, target, copy)
    }

    /// `type(dtype)`: converted to `dtype`; `type()` names the tensor type.
    #[pyo3(signature = (dtype=None))]
    fn r#type(slf: &Bound<'_, Self>, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        match dtype {
            None => {
                let name = match slf.borrow().t.dtype() {
                    DType::Bool => "BoolTensor",
                    DType::U8 => "ByteTensor",
                    DType::I32 => "IntTensor",
                    DType::I64 => "LongTensor",
                    DType::F32 => "FloatTensor",
                    DType::F64 => "DoubleTensor",
                };
                Ok(format!("rustgrad.{name}")
                    .into_pyobject(py)?
                    .into_any()
                    .unbind())
            }
            Some(d) => convert_to(slf, Some(extract_dtype(d)?), false),
        }
    }

    fn float(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        convert_to(slf, Some(DType::F32), false)
    }
    fn double(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        convert_to(slf, Some(DType::F64), false)
    }
    fn long(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        convert_to(slf, Some(DType::I64), false)
    }
    fn int(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        convert_to(slf, Some(DType::I32), false)
    }
    fn bool(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        convert_to(slf, Some(DType::Bool), false)
    }
    fn byte(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        convert_to(slf, Some(DType::U8), false)
    }
    fn cpu(slf: &Bound<'_, Self>) -> Py<PyAny> {
        slf.clone().into_any().unbind()
    }

    /// A copy with its own memory (laid out as this tensor when that is dense, as torch's
    /// `preserve_format`).
    fn clone(&self) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(ag_views::clone(self.v())?))
    }

    /// This tensor if contiguous, else a contiguous copy.
    fn contiguous(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        if slf.borrow().t.is_contiguous() {
            return Ok(slf.clone().into_any().unbind());
        }
        let v = ag_views::contiguous(slf.borrow().v())?;
        Ok(Bound::new(slf.py(), PyTensor::from_var(v))?
            .into_any()
            .unbind())
    }

    /// An ndarray sharing this tensor's memory.
    fn numpy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.g.requires_grad() {
            return Err(PyRuntimeError::new_err(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
            ));
        }
        to_numpy(py, &self.t)
    }

    /// An ndarray view of the values whatever `requires_grad` is (used for printing).
    fn _numpy_view<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_numpy(py, &self.t)
    }

    #[pyo3(signature = (dtype=None, copy=None))]
    fn __array__<'py>(
        &self,
        py: Python<'py>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut arr = to_numpy(py, &self.t)?;
        if let Some(d) = dtype.filter(|d| !d.is_none()) {
            arr = arr.call_method1("astype", (d,))?;
        } else if copy == Some(true) {
            arr = arr.call_method0("copy")?;
        }
        Ok(arr)
    }

    #[classattr]
    fn __array_priority__() -> f64 {
        1000.0
    }

    /// Sub-tensors along dimension 0.
    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if self.t.ndim() == 0 {
            return Err(PyTypeError::new_err("iteration over a 0-d tensor"));
        }
        let items: PyResult<Vec<PyTensor>> = (0..self.t.shape()[0] as i64)
            .map(|i| Ok(PyTensor::from_var(ag_views::select(self.v(), 0, i)?)))
            .collect();
        let list = pyo3::types::PyList::new(py, items?)?;
        Ok(list.try_iter()?.into_any().unbind())
    }

    /// The transpose (all dimensions reversed), a view.
    #[getter]
    #[allow(non_snake_case)]
    fn T(&self) -> PyResult<PyTensor> {
        Ok(PyTensor::from_var(ag_views::reverse_dims(self.v())?))
    }

    /// Dimensions reordered, a view.
    #[pyo3(signature = (*dims))]
    fn permute(&self, dims: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
        let dims: Vec<i64> = crate::python::convert::parse_dims(dims)?;
        Ok(PyTensor::from_var(ag_views::permute(self.v(), &dims)?))
    }
}

/// `slf` converted to `dtype` (itself when nothing changes and no copy is asked for).
fn convert_to(slf: &Bound<'_, PyTensor>, dtype: Option<DType>, copy: bool) -> PyResult<Py<PyAny>> {
    let t = slf.borrow().t.clone();
    let dtype = dtype.unwrap_or(t.dtype());
    if dtype == t.dtype() && !copy {
        return Ok(slf.clone().into_any().unbind());
    }
    Ok(
        Bound::new(slf.py(), PyTensor::new(t.copy_preserving(dtype)?))?
            .into_any()
            .unbind(),
    )
}
