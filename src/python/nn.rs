//! Fused layers and losses for `rustgrad.nn.functional`: `linear`, `mse_loss`, `cross_entropy`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::autograd::ops::loss::{self, Reduction};
use crate::python::arith::compute;
use crate::python::tensor::PyTensor;

fn tensor<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<PyRef<'py, PyTensor>> {
    obj.cast::<PyTensor>()
        .map(|t| t.borrow())
        .map_err(|_| PyTypeError::new_err(format!("{name} must be a Tensor")))
}

/// `input @ weight.T + bias` in one recorded node (`AddmmBackward0`).
#[pyfunction]
#[pyo3(signature = (input, weight, bias=None))]
pub fn linear(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTensor> {
    let (x, w) = (tensor(input, "input")?, tensor(weight, "weight")?);
    let b = bias
        .filter(|b| !b.is_none())
        .map(|b| tensor(b, "bias"))
        .transpose()?;
    let (xv, wv, bv) = (x.v(), w.v(), b.as_ref().map(|b| b.v()));
    Ok(PyTensor::from_var(compute(py, &[xv.t, wv.t], || {
        loss::linear(xv, wv, bv)
    })?))
}

/// Mean (or summed, or per-element) squared error (`MseLossBackward0`).
#[pyfunction]
#[pyo3(signature = (input, target, reduction="mean"))]
pub fn mse_loss(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    reduction: &str,
) -> PyResult<PyTensor> {
    let (x, y) = (tensor(input, "input")?, tensor(target, "target")?);
    Ok(PyTensor::from_var(loss::mse_loss(
        x.v(),
        y.v(),
        Reduction::parse(reduction)?,
    )?))
}

/// Cross-entropy of logits (N, C) and class indices (N,) (`NllLossBackward0`).
#[pyfunction]
#[pyo3(
    signature = (input, target, reduction="mean", ignore_index=-100),
    text_signature = "(input, target, reduction='mean', ignore_index=-100)"
)]
pub fn cross_entropy(
    input: &Bound<'_, PyAny>,
    target: &Bound<'_, PyAny>,
    reduction: &str,
    ignore_index: i64,
) -> PyResult<PyTensor> {
    let (x, y) = (tensor(input, "input")?, tensor(target, "target")?);
    Ok(PyTensor::from_var(loss::cross_entropy(
        x.v(),
        &y.t,
        Reduction::parse(reduction)?,
        ignore_index,
    )?))
}
