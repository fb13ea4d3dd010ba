//! In-place random fills of `rustgrad.Tensor`: `normal_` and `uniform_`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::ops::random_fill;
use crate::python::tensor::PyTensor;

/// Reads `uniform_`'s bounds: positional, or the keywords `from`/`to` (torch) or `a`/`b`.
fn bounds(args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<(f64, f64)> {
    let mut vals = [0.0, 1.0];
    if args.len() > 2 {
        return Err(PyTypeError::new_err(format!(
            "uniform_() takes at most 2 positional arguments ({} given)",
            args.len()
        )));
    }
    for (i, a) in args.iter().enumerate() {
        vals[i] = a.extract()?;
    }
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            let k: String = k.extract()?;
            match k.as_str() {
                "from" | "a" => vals[0] = v.extract()?,
                "to" | "b" => vals[1] = v.extract()?,
                "generator" => {}
                _ => {
                    return Err(PyTypeError::new_err(format!(
                        "uniform_() got an unexpected keyword argument '{k}'"
                    )))
                }
            }
        }
    }
    Ok((vals[0], vals[1]))
}

#[pymethods]
impl PyTensor {
    /// Fills the tensor in place with draws from N(mean, std²); returns self.
    ///
    /// Example:
    ///     >>> w = rustgrad.zeros(2, 3).normal_(0, 0.01)
    ///     >>> w.shape
    ///     rustgrad.Size([2, 3])
    #[pyo3(signature = (mean=0.0, std=1.0, *, generator=None))]
    fn normal_(
        slf: &Bound<'_, Self>,
        mean: f64,
        std: f64,
        generator: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let _ = generator;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        random_fill::normal_(&t, mean, std)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// Fills the tensor in place with draws from U[from, to) (default [0, 1)); returns self.
    ///
    /// Example:
    ///     >>> u = rustgrad.zeros(2).uniform_(5, 5)
    ///     >>> u
    ///     tensor([5., 5.])
    #[pyo3(signature = (*args, **kwargs))]
    fn uniform_(
        slf: &Bound<'_, Self>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let (from, to) = bounds(args, kwargs)?;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        random_fill::uniform_(&t, from, to)?;
        Ok(slf.clone().into_any().unbind())
    }
}
