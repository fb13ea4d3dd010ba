//! Products and matrix helpers on `rustgrad.Tensor` (`@`, `matmul`, `mm`, `mv`, `dot`, `bmm`,
//! `outer`, `inner`, `trace`, `diag`, `tril`, `triu`) and the module function `einsum`. Each is
//! a thin wrapper of `crate::ops::{matmul, linalg}`; big products run without the GIL.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::autograd::ops::linalg as ag;
use crate::autograd::{Var, V};
use crate::error::Result;
use crate::ops::linalg;
use crate::python::arith::compute;
use crate::python::interop::tensor_from_array;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

/// The other operand of a product: a tensor or an ndarray (anything else is a TypeError).
fn tensor_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Var> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.borrow().to_var());
    }
    if obj.hasattr("__array_interface__")? {
        return Ok(Var::plain(tensor_from_array(obj, true)?));
    }
    Err(PyTypeError::new_err(format!(
        "{what}(): argument 'other' (position 1) must be Tensor, not {}",
        obj.get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default()
    )))
}

/// Runs a two-operand product, without the GIL when the work is large.
fn product(py: Python<'_>, a: V, b: V, f: fn(V, V) -> Result<Var>) -> PyResult<PyTensor> {
    let work =
        a.t.numel()
            .max(b.t.numel())
            .saturating_mul(a.t.shape().last().copied().unwrap_or(1).max(1));
    let r = if work >= crate::kernels::parallel::PARALLEL_THRESHOLD {
        compute(py, &[a.t, b.t], || f(a, b))
    } else {
        f(a, b)
    };
    Ok(PyTensor::from_var(r?))
}

#[pymethods]
impl PyTensor {
    /// Matrix product with torch's dimension rules (dot, mv, mm, batched with broadcasting).
    fn matmul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(other, "matmul")?;
        product(py, self.v(), o.v(), ag::matmul)
    }

    fn __matmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Ok(o) = tensor_arg(other, "matmul") else {
            return Ok(py.NotImplemented());
        };
        let r = product(py, slf.borrow().v(), o.v(), ag::matmul)?;
        Ok(Bound::new(py, r)?.into_any().unbind())
    }

    fn __rmatmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Ok(o) = tensor_arg(other, "matmul") else {
            return Ok(py.NotImplemented());
        };
        let r = product(py, o.v(), slf.borrow().v(), ag::matmul)?;
        Ok(Bound::new(py, r)?.into_any().unbind())
    }

    /// Matrix product of two 2-d tensors.
    fn mm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(mat2, "mm")?;
        product(py, self.v(), o.v(), ag::mm)
    }

    /// Matrix (m, n) times vector (n,).
    fn mv(&self, py: Python<'_>, vec: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(vec, "mv")?;
        product(py, self.v(), o.v(), ag::mv)
    }

    /// Inner product of two 1-d tensors.
    fn dot(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(other, "dot")?;
        product(py, self.v(), o.v(), ag::dot)
    }

    /// Batched matrix product of two 3-d tensors.
    fn bmm(&self, py: Python<'_>, mat2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(mat2, "bmm")?;
        product(py, self.v(), o.v(), ag::bmm)
    }

    /// Outer product of two 1-d tensors.
    fn outer(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(vec2, "outer")?;
        product(py, self.v(), o.v(), ag::outer)
    }

    /// Alias of `outer`.
    fn ger(&self, py: Python<'_>, vec2: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.outer(py, vec2)
    }

    /// Products summed over the last dimension of both tensors.
    fn inner(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        let o = tensor_arg(other, "inner")?;
        product(py, self.v(), o.v(), ag::inner)
    }

    /// Sum of the diagonal of a matrix.
    fn trace(&self) -> PyResult<PyTensor> {
        Ok(PyTensor::new(linalg::trace(&self.t)?))
    }

    /// A vector's diagonal matrix, or a matrix's `diagonal`-th diagonal.
    #[pyo3(signature = (diagonal=0))]
    fn diag(&self, diagonal: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::new(linalg::diag(&self.t, diagonal)?))
    }

    /// Lower triangle (elements with `j - i <= diagonal`), the rest zero.
    #[pyo3(signature = (diagonal=0))]
    fn tril(&self, diagonal: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::new(linalg::triangle(&self.t, diagonal, true)?))
    }

    /// Upper triangle (elements with `j - i >= diagonal`), the rest zero.
    #[pyo3(signature = (diagonal=0))]
    fn triu(&self, diagonal: i64) -> PyResult<PyTensor> {
        Ok(PyTensor::new(linalg::triangle(&self.t, diagonal, false)?))
    }
}

/// `rustgrad.einsum(equation, *operands)`: one or two operands (also given as one list).
///
/// Example:
///     >>> a = rustgrad.tensor([[1., 2.], [3., 4.]])
///     >>> rustgrad.einsum('ij,jk->ik', a, a)
///     tensor([[ 7., 10.],
///             [15., 22.]])
#[pyfunction]
#[pyo3(signature = (equation, *operands))]
pub fn einsum(py: Python<'_>, equation: &str, operands: &Bound<'_, PyTuple>) -> PyResult<PyTensor> {
    let items: Vec<Bound<'_, PyAny>> = match operands.len() {
        1 if operands.get_item(0)?.is_instance_of::<PyList>()
            || operands.get_item(0)?.is_instance_of::<PyTuple>() =>
        {
            operands.get_item(0)?.try_iter()?.collect::<PyResult<_>>()?
        }
        _ => operands.iter().collect(),
    };
    let ts: Vec<Tensor> = items
        .iter()
        .map(|o| tensor_arg(o, "einsum").map(|v| v.t))
        .collect::<PyResult<_>>()?;
    let refs: Vec<&Tensor> = ts.iter().collect();
    Ok(PyTensor::new(compute(py, &refs, || {
        linalg::einsum(equation, &ts)
    })?))
}
