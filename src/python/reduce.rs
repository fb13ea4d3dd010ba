//! Reductions on `rustgrad.Tensor`: `sum`, `mean`, `max`, `argmax`, `var`, `norm`, `cumsum`,
//! `softmax`, ... Each method parses torch's (and NumPy's `axis=`/`keepdims=`) spellings and
//! calls one function of `crate::ops::{reduce, stats, scan}`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyString};

use crate::autograd::ops::elementwise::{binary_op, Operand};
use crate::autograd::ops::reduce as ag;
use crate::autograd::{Var, V};
use crate::ops::elementwise::BinaryOp;
use crate::ops::{reduce, scan, stats};
use crate::python::arith::compute;
use crate::python::convert::extract_scalar;
use crate::python::dtype::extract_opt_dtype;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

type Any<'a, 'py> = Option<&'a Bound<'py, PyAny>>;

/// One of two spellings of an argument (`dim`/`axis`, `keepdim`/`keepdims`).
fn either<'a, 'py>(a: Any<'a, 'py>, b: Any<'a, 'py>, names: &str) -> PyResult<Any<'a, 'py>> {
    let given = |o: Any<'a, 'py>| o.filter(|o| !o.is_none());
    match (given(a), given(b)) {
        (Some(_), Some(_)) => Err(PyTypeError::new_err(format!(
            "only one of the arguments {names} may be given"
        ))),
        (x, None) | (None, x) => Ok(x),
    }
}

/// `dim` as an int, a tuple or list of ints, or None.
fn dims_arg(obj: Any<'_, '_>) -> PyResult<Option<Vec<i64>>> {
    let Some(o) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if let Ok(d) = o.extract::<i64>() {
        return Ok(Some(vec![d]));
    }
    o.extract::<Vec<i64>>().map(Some).map_err(|_| {
        PyTypeError::new_err(format!(
            "dim must be an int or a tuple of ints, not {}",
            o.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })
}

/// A single `dim` (or None).
fn dim_arg(obj: Any<'_, '_>) -> PyResult<Option<i64>> {
    single(dims_arg(obj)?)
}

fn single(dims: Option<Vec<i64>>) -> PyResult<Option<i64>> {
    match dims {
        None => Ok(None),
        Some(d) if d.len() == 1 => Ok(Some(d[0])),
        Some(_) => Err(PyTypeError::new_err("dim must be a single int")),
    }
}

/// torch's (and NumPy's) reduction arguments as given: `dim`/`axis`, `keepdim`/`keepdims`.
struct ReduceArgs<'a, 'py> {
    dim: Any<'a, 'py>,
    keepdim: Any<'a, 'py>,
    axis: Any<'a, 'py>,
    keepdims: Any<'a, 'py>,
}

impl ReduceArgs<'_, '_> {
    /// `(dims, keepdim)`; `None` dims: every dimension.
    fn dims(&self) -> PyResult<(Option<Vec<i64>>, bool)> {
        let dims = dims_arg(either(self.dim, self.axis, "dim, axis")?)?;
        Ok((dims, self.keepdim()?))
    }

    /// `(dim, keepdim)` for reductions over one dimension; `None`: the flattened tensor.
    fn dim(&self) -> PyResult<(Option<i64>, bool)> {
        let (dims, keep) = self.dims()?;
        Ok((single(dims)?, keep))
    }

    fn keepdim(&self) -> PyResult<bool> {
        Ok(either(self.keepdim, self.keepdims, "keepdim, keepdims")?
            .map(|k| k.extract::<bool>())
            .transpose()?
            .unwrap_or(false))
    }
}

/// Defines a `#[pymethods]` reduction with torch's signature `(dim=None, keepdim=None, *,
/// <extra>=None..., axis=None, keepdims=None)`; the body sees `dim`, `keepdim`, `axis` and
/// `keepdims` as `$r: ReduceArgs` and each extra keyword (such as `dtype`) by its name.
macro_rules! reduction {
    ($(#[$doc:meta])* fn $name:ident(&$s:ident, $py:ident, $r:ident $(, $extra:ident)*) -> $ret:ty
     $body:block) => {
        #[pymethods]
        impl PyTensor {
            $(#[$doc])*
            #[pyo3(signature = (dim=None, keepdim=None, *, $($extra=None,)* axis=None, keepdims=None))]
            fn $name(
                &$s,
                $py: Python<'_>,
                dim: Any,
                keepdim: Any,
                $($extra: Any,)*
                axis: Any,
                keepdims: Any,
            ) -> PyResult<$ret> {
                let $r = ReduceArgs { dim, keepdim, axis, keepdims };
                $body
            }
        }
    };
}

fn required(dim: Option<i64>, name: &str) -> PyResult<i64> {
    dim.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{name}() missing 1 required positional arguments: \"dim\""
        ))
    })
}

/// `torch.return_types.max(values=..., indices=...)`-like result.
fn values_indices(py: Python<'_>, name: &str, v: Var, i: Tensor) -> PyResult<Py<PyAny>> {
    let cls = py.import("rustgrad.return_types")?.getattr(name)?;
    Ok(cls
        .call1((PyTensor::from_var(v), PyTensor::new(i)))?
        .unbind())
}

/// `max`/`min` in their three forms: all elements, along `dim`, or elementwise with a tensor.
fn max_or_min(py: Python<'_>, a: V, r: ReduceArgs, largest: bool) -> PyResult<Py<PyAny>> {
    let t = a.t;
    let name = if largest { "max" } else { "min" };
    let dim = either(r.dim, r.axis, "dim, axis")?;
    if let Some(other) = dim.and_then(|d| d.cast::<PyTensor>().ok()) {
        let o = other.borrow().to_var();
        let op = if largest {
            BinaryOp::Maximum
        } else {
            BinaryOp::Minimum
        };
        let r = compute(py, &[t, &o.t], || {
            binary_op(op, a, Operand::T(o.v()), false)
        })?;
        return Ok(Bound::new(py, PyTensor::from_var(r))?.into_any().unbind());
    }
    let (dims, keep) = r.dims()?;
    match dims {
        None => {
            let node = if largest {
                "MaxBackward1"
            } else {
                "MinBackward1"
            };
            let r = compute(py, &[t], || ag::extreme(a, None, false, largest, node))?;
            Ok(Bound::new(py, PyTensor::from_var(r))?.into_any().unbind())
        }
        Some(d) if d.len() == 1 => {
            let (v, i) = compute(py, &[t], || ag::extreme_dim(a, d[0], keep, largest))?;
            values_indices(py, name, v, i)
        }
        Some(_) => Err(PyTypeError::new_err(format!(
            "{name}(): dim must be a single int"
        ))),
    }
}

/// `amax`/`amin` over `dim` (all dimensions by default).
fn amax_or_amin(py: Python<'_>, a: V, r: ReduceArgs, largest: bool) -> PyResult<PyTensor> {
    let (dims, keep) = r.dims()?;
    let dims = dims.unwrap_or_default();
    let node = if largest {
        "AmaxBackward0"
    } else {
        "AminBackward0"
    };
    Ok(wrap_var(compute(py, &[a.t], || {
        ag::extreme(a, Some(&dims), keep, largest, node)
    })?))
}

/// A vector-norm order: a number (`inf` allowed) or `'fro'`.
fn norm_ord(p: Any<'_, '_>) -> PyResult<stats::NormOrd> {
    let Some(p) = p.filter(|p| !p.is_none()) else {
        return Ok(stats::NormOrd::P(2.0));
    };
    if let Ok(s) = p.cast::<PyString>() {
        return match s.to_string().as_str() {
            "fro" => Ok(stats::NormOrd::P(2.0)),
            other => Err(PyRuntimeError::new_err(format!(
                "rustgrad.norm: the '{other}' norm is not supported"
            ))),
        };
    }
    let v = extract_scalar(p)?
        .ok_or_else(|| PyTypeError::new_err("norm(): p must be a number or 'fro'"))?
        .as_f64();
    Ok(if v == f64::INFINITY {
        stats::NormOrd::Inf
    } else if v == f64::NEG_INFINITY {
        stats::NormOrd::NegInf
    } else {
        stats::NormOrd::P(v)
    })
}

/// `correction` from torch's `unbiased` (bool) or `correction` (number) arguments.
fn correction_arg(unbiased: Option<bool>, correction: Any) -> PyResult<f64> {
    match (unbiased, correction.filter(|c| !c.is_none())) {
        (Some(_), Some(_)) => Err(PyTypeError::new_err(
            "var(): only one of unbiased and correction may be given",
        )),
        (Some(u), None) => Ok(u as u8 as f64),
        (None, Some(c)) => Ok(extract_scalar(c)?
            .ok_or_else(|| PyTypeError::new_err("correction must be a number"))?
            .as_f64()),
        (None, None) => Ok(1.0),
    }
}

fn wrap(t: Tensor) -> PyTensor {
    PyTensor::new(t)
}

fn wrap_var(v: Var) -> PyTensor {
    PyTensor::from_var(v)
}

reduction! {
    /// Sum over `dim` (all dimensions by default); integer and bool inputs give int64.
    fn sum(&self, py, r, dtype) -> PyTensor {
        let d = extract_opt_dtype(dtype)?;
        let ((dims, keep), a) = (r.dims()?, self.v());
        Ok(wrap_var(compute(py, &[a.t], || ag::sum(a, dims.as_deref(), keep, d))?))
    }
}

reduction! {
    /// Mean over `dim`; floating dtypes only (or `dtype=`).
    fn mean(&self, py, r, dtype) -> PyTensor {
        let d = extract_opt_dtype(dtype)?;
        let ((dims, keep), a) = (r.dims()?, self.v());
        Ok(wrap_var(compute(py, &[a.t], || ag::mean(a, dims.as_deref(), keep, d))?))
    }
}

reduction! {
    /// Product over one `dim` (all elements by default); integers give int64.
    fn prod(&self, py, r, dtype) -> PyTensor {
        let d = extract_opt_dtype(dtype)?;
        let ((dim, keep), a) = (r.dim()?, self.v());
        Ok(wrap_var(compute(py, &[a.t], || ag::prod(a, dim, keep, d))?))
    }
}

reduction! {
    /// `max()` of all elements; `max(dim)` gives `(values, indices)`; `max(other)` is
    /// `maximum(other)`.
    fn max(&self, py, r) -> Py<PyAny> {
        max_or_min(py, self.v(), r, true)
    }
}

reduction! {
    /// `min()`, `min(dim)` or `min(other)`, as [`max`].
    fn min(&self, py, r) -> Py<PyAny> {
        max_or_min(py, self.v(), r, false)
    }
}

reduction! {
    /// Largest value over `dim` (int or tuple; all by default).
    fn amax(&self, py, r) -> PyTensor {
        amax_or_amin(py, self.v(), r, true)
    }
}

reduction! {
    /// Smallest value over `dim` (int or tuple; all by default).
    fn amin(&self, py, r) -> PyTensor {
        amax_or_amin(py, self.v(), r, false)
    }
}

reduction! {
    /// int64 position of the first maximum along `dim` (of the flattened tensor by default).
    fn argmax(&self, py, r) -> PyTensor {
        let ((dim, keep), t) = (r.dim()?, &self.t);
        Ok(wrap(compute(py, &[t], || reduce::argextreme(t, dim, keep, true))?))
    }
}

reduction! {
    /// int64 position of the first minimum along `dim` (of the flattened tensor by default).
    fn argmin(&self, py, r) -> PyTensor {
        let ((dim, keep), t) = (r.dim()?, &self.t);
        Ok(wrap(compute(py, &[t], || reduce::argextreme(t, dim, keep, false))?))
    }
}

reduction! {
    /// True if every element over `dim` is non-zero.
    fn all(&self, py, r) -> PyTensor {
        let ((dims, keep), t) = (r.dims()?, &self.t);
        Ok(wrap(compute(py, &[t], || reduce::logic(t, dims.as_deref(), keep, true))?))
    }
}

reduction! {
    /// True if any element over `dim` is non-zero.
    fn any(&self, py, r) -> PyTensor {
        let ((dims, keep), t) = (r.dims()?, &self.t);
        Ok(wrap(compute(py, &[t], || reduce::logic(t, dims.as_deref(), keep, false))?))
    }
}

reduction! {
    /// `log(sum(exp(x)))` over `dim`, computed stably.
    fn logsumexp(&self, py, r) -> PyTensor {
        let ((dims, keep), a) = (r.dims()?, self.v());
        Ok(wrap_var(compute(py, &[a.t], || ag::logsumexp(a, dims.as_deref(), keep))?))
    }
}

/// Defines `var` or `std` with torch's signature `(dim=None, unbiased=None, keepdim=None, *,
/// correction=None, axis=None, keepdims=None)` (a bool `dim` is `unbiased`).
macro_rules! variance {
    ($(#[$doc:meta])* $name:ident, sqrt = $sqrt:expr) => {
        #[pymethods]
        impl PyTensor {
            $(#[$doc])*
            #[pyo3(signature = (dim=None, unbiased=None, keepdim=None, *, correction=None, axis=None, keepdims=None))]
            #[allow(clippy::too_many_arguments)]
            fn $name(
                &self,
                py: Python<'_>,
                dim: Any,
                unbiased: Option<bool>,
                keepdim: Any,
                correction: Any,
                axis: Any,
                keepdims: Any,
            ) -> PyResult<PyTensor> {
                let (dim, unbiased) = split_unbiased(dim, unbiased)?;
                let (dims, keep) = ReduceArgs { dim, keepdim, axis, keepdims }.dims()?;
                let c = correction_arg(unbiased, correction)?;
                let a = self.v();
                Ok(wrap_var(compute(py, &[a.t], || {
                    ag::var(a, dims.as_deref(), c, keep, $sqrt)
                })?))
            }
        }
    };
}

variance!(
    /// Variance over `dim` with `correction` (1 by default; `unbiased=False` means 0).
    var, sqrt = false
);
variance!(
    /// Standard deviation over `dim` (see `var`).
    std, sqrt = true
);

#[pymethods]
impl PyTensor {
    /// Number of non-zero elements over `dim` (int64).
    #[pyo3(signature = (dim=None, *, axis=None))]
    fn count_nonzero(&self, py: Python<'_>, dim: Any, axis: Any) -> PyResult<PyTensor> {
        let dims = dims_arg(either(dim, axis, "dim, axis")?)?;
        let t = &self.t;
        Ok(wrap(compute(py, &[t], || {
            reduce::count_nonzero(t, dims.as_deref())
        })?))
    }

    /// Vector p-norm (`p=2`/`'fro'` by default, any `p`, `inf`) over `dim` (all by default).
    #[pyo3(signature = (p=None, dim=None, keepdim=false, dtype=None))]
    fn norm(
        &self,
        py: Python<'_>,
        p: Any,
        dim: Any,
        keepdim: bool,
        dtype: Any,
    ) -> PyResult<PyTensor> {
        let ord = norm_ord(p)?;
        let dims = dims_arg(dim)?;
        let d = extract_opt_dtype(dtype)?;
        let a = self.v();
        let t = a.t;
        Ok(wrap_var(compute(py, &[t], || {
            ag::norm(a, ord, dims.as_deref(), keepdim, d)
        })?))
    }

    /// p-norm of `self - other`.
    #[pyo3(signature = (other, p=None))]
    fn dist(&self, py: Python<'_>, other: PyRef<'_, PyTensor>, p: Any) -> PyResult<PyTensor> {
        let ord = norm_ord(p)?;
        let (t, o) = (&self.t, &other.t);
        Ok(wrap(compute(py, &[t, o], || stats::dist(t, o, ord))?))
    }

    /// Running sum along `dim`; integers and bool give int64.
    #[pyo3(signature = (dim=None, *, dtype=None, axis=None))]
    fn cumsum(&self, py: Python<'_>, dim: Any, dtype: Any, axis: Any) -> PyResult<PyTensor> {
        let dim = required(dim_arg(either(dim, axis, "dim, axis")?)?, "cumsum")?;
        let d = extract_opt_dtype(dtype)?;
        let a = self.v();
        let t = a.t;
        Ok(wrap_var(compute(py, &[t], || ag::cumsum(a, dim, d))?))
    }

    /// Running product along `dim`; integers and bool give int64.
    #[pyo3(signature = (dim=None, *, dtype=None, axis=None))]
    fn cumprod(&self, py: Python<'_>, dim: Any, dtype: Any, axis: Any) -> PyResult<PyTensor> {
        let dim = required(dim_arg(either(dim, axis, "dim, axis")?)?, "cumprod")?;
        let d = extract_opt_dtype(dtype)?;
        let t = &self.t;
        Ok(wrap(compute(py, &[t], || {
            scan::cumulative(t, dim, d, true)
        })?))
    }

    /// `exp(x) / sum(exp(x))` along `dim`, computed stably.
    #[pyo3(signature = (dim=None, dtype=None))]
    fn softmax(&self, py: Python<'_>, dim: Any, dtype: Any) -> PyResult<PyTensor> {
        let dim = required(dim_arg(dim)?, "softmax")?;
        let d = extract_opt_dtype(dtype)?;
        let a = self.v();
        let t = a.t;
        Ok(wrap_var(compute(py, &[t], || {
            ag::softmax(a, dim, d, false)
        })?))
    }

    /// `log(softmax(x))` along `dim`, computed stably.
    #[pyo3(signature = (dim=None, dtype=None))]
    fn log_softmax(&self, py: Python<'_>, dim: Any, dtype: Any) -> PyResult<PyTensor> {
        let dim = required(dim_arg(dim)?, "log_softmax")?;
        let d = extract_opt_dtype(dtype)?;
        let a = self.v();
        let t = a.t;
        Ok(wrap_var(compute(py, &[t], || {
            ag::softmax(a, dim, d, true)
        })?))
    }
}

/// torch's `var(unbiased)` overload: a bool in the `dim` position is `unbiased`.
fn split_unbiased<'a, 'py>(
    dim: Any<'a, 'py>,
    unbiased: Option<bool>,
) -> PyResult<(Any<'a, 'py>, Option<bool>)> {
    match dim {
        Some(d) if d.is_instance_of::<PyBool>() => {
            if unbiased.is_some() {
                return Err(PyTypeError::new_err("var(): unbiased given twice"));
            }
            Ok((None, Some(d.extract::<bool>()?)))
        }
        _ => Ok((dim, unbiased)),
    }
}
