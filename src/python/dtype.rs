//! `rustgrad.dtype` objects: one immutable singleton per dtype.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::dtype::DType;

/// A tensor element type, such as `rustgrad.float32`.
///
/// Example:
///     >>> rustgrad.ones(2, dtype=rustgrad.float64).dtype
///     rustgrad.float64
#[pyclass(name = "dtype", module = "rustgrad", frozen, eq, hash)]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyDType {
    pub d: DType,
}

#[pymethods]
impl PyDType {
    fn __repr__(&self) -> String {
        format!("rustgrad.{}", self.d.name())
    }

    /// True for float32 and float64.
    #[getter]
    fn is_floating_point(&self) -> bool {
        self.d.is_float()
    }

    /// Bytes per element.
    #[getter]
    fn itemsize(&self) -> usize {
        self.d.size()
    }

    fn __reduce__(&self) -> String {
        self.d.name().to_string()
    }
}

static SINGLETONS: PyOnceLock<Vec<Py<PyDType>>> = PyOnceLock::new();

/// The singleton object of `d`, so that `t.dtype is rustgrad.float32` holds.
pub fn dtype_object(py: Python<'_>, d: DType) -> Bound<'_, PyDType> {
    let all = SINGLETONS.get_or_init(py, || {
        DType::ALL
            .iter()
            .filter_map(|&d| Py::new(py, PyDType { d }).ok())
            .collect()
    });
    let i = DType::ALL.iter().position(|&x| x == d).unwrap_or(0);
    all[i].bind(py).clone()
}

/// Reads a `dtype=` argument: a `rustgrad.dtype`, or Python's `float`, `int` or `bool` types
/// (as torch accepts them), or a dtype name.
pub fn extract_dtype(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    if let Ok(d) = obj.cast::<PyDType>() {
        return Ok(d.get().d);
    }
    if let Ok(t) = obj.cast::<PyType>() {
        let name = t.name()?;
        return match name.to_string().as_str() {
            "float" => Ok(DType::F64),
            "int" => Ok(DType::I64),
            "bool" => Ok(DType::Bool),
            other => Err(PyTypeError::new_err(format!(
                "cannot interpret '{other}' as a data type"
            ))),
        };
    }
    if let Ok(s) = obj.extract::<String>() {
        return Ok(DType::from_name(&s)?);
    }
    Err(PyTypeError::new_err(format!(
        "cannot interpret '{}' as a data type",
        obj.repr()?
    )))
}

/// Reads an optional `dtype=` argument.
pub fn extract_opt_dtype(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match obj {
        Some(o) if !o.is_none() => extract_dtype(o).map(Some),
        _ => Ok(None),
    }
}
