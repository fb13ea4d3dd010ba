//! `format(t, spec)` / f-strings: a 0-d tensor formats its Python value (`f"{loss:f}"`); any
//! other tensor accepts only the empty spec, as `torch.Tensor.__format__` does.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::python::convert::scalar_to_py;
use crate::python::tensor::PyTensor;

#[pymethods]
impl PyTensor {
    fn __format__(slf: &Bound<'_, Self>, format_spec: &str) -> PyResult<String> {
        let py = slf.py();
        let this = slf.borrow();
        if this.t.ndim() == 0 {
            let value = scalar_to_py(py, this.t.item()?)?;
            return value
                .bind(py)
                .call_method1("__format__", (format_spec,))?
                .extract();
        }
        if format_spec.is_empty() {
            drop(this);
            return slf.str().map(|s| s.to_string());
        }
        Err(PyTypeError::new_err(
            "unsupported format string passed to Tensor.__format__",
        ))
    }
}
