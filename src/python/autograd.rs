//! Autograd on the Python side: `requires_grad`, `grad`, `grad_fn`, `backward`, `detach`, and
//! the functions behind `rustgrad.autograd`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::autograd::{
    engine, graph_size, is_grad_enabled, set_grad_enabled, GradCell, GradState, NodeRef,
};
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

/// A node of the autograd graph (`tensor.grad_fn`), named as PyTorch names it.
#[pyclass(name = "Node", module = "rustgrad.autograd", frozen)]
pub struct PyNode {
    node: NodeRef,
}

#[pymethods]
impl PyNode {
    /// The node's name, such as `MulBackward0`.
    fn name(&self) -> String {
        self.node.name().unwrap_or("Invalid").to_string()
    }

    #[getter]
    fn __name__(&self) -> String {
        self.name()
    }

    /// Names of the nodes this one passes gradients to (`AccumulateGrad` for leaves).
    #[getter]
    fn next_names(&self) -> Vec<Option<&'static str>> {
        self.node.next_names()
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!(
            "<{} object at {:#x}>",
            slf.get().name(),
            slf.as_ptr() as usize
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyNode>()
            .is_ok_and(|o| o.get().node == self.node)
    }

    fn __hash__(&self) -> u64 {
        self.node.id() as u64
    }
}

fn grad_requires_float(t: &Tensor) -> PyResult<()> {
    if !t.dtype().is_float() {
        return Err(PyRuntimeError::new_err(
            "only Tensors of floating point and complex dtype can require gradients",
        ));
    }
    Ok(())
}

fn set_requires_grad(slf: &Bound<'_, PyTensor>, on: bool) -> PyResult<()> {
    let mut me = slf.borrow_mut();
    match (&me.g, on) {
        (GradState::Node { .. }, false) => Err(PyRuntimeError::new_err(
            "you can only change requires_grad flags of leaf variables. If you want to use a computed \
             variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
        )),
        (GradState::Node { .. }, true) | (GradState::Leaf(_), true) => Ok(()),
        (_, false) => {
            me.g = GradState::None;
            Ok(())
        }
        (GradState::None, true) => {
            grad_requires_float(&me.t)?;
            me.g = GradState::new_leaf(me.t.dtype())?;
            Ok(())
        }
    }
}

/// The seed of `backward()` for `t`: `gradient`, or 1 for a one-element tensor.
fn seed(t: &Tensor, gradient: Option<&Bound<'_, PyAny>>) -> PyResult<Tensor> {
    match gradient.filter(|g| !g.is_none()) {
        Some(g) => {
            let g = g
                .cast::<PyTensor>()
                .map_err(|_| PyTypeError::new_err("gradient must be a Tensor or None"))?;
            let g = g.borrow().t.clone();
            if g.shape() != t.shape() {
                return Err(PyRuntimeError::new_err(format!(
                    "Mismatch in shape: grad_output[0] has a shape of {} and output[0] has a shape of {}.",
                    crate::layout::fmt_shape(g.shape()),
                    crate::layout::fmt_shape(t.shape())
                )));
            }
            Ok(g.to_dtype(t.dtype())?)
        }
        None => {
            if t.numel() != 1 {
                return Err(PyRuntimeError::new_err(
                    "grad can be implicitly created only for scalar outputs",
                ));
            }
            Ok(crate::ops::creation::full(
                t.shape(),
                crate::Scalar::Int(1),
                t.dtype(),
            )?)
        }
    }
}

#[pymethods]
impl PyTensor {
    /// Does this tensor record operations for autograd?
    #[getter]
    fn get_requires_grad(&self) -> bool {
        self.g.requires_grad()
    }

    #[setter]
    fn set_requires_grad(slf: &Bound<'_, Self>, on: bool) -> PyResult<()> {
        set_requires_grad(slf, on)
    }

    /// Turns recording on (or off) for a leaf, in place; returns self.
    #[pyo3(signature = (requires_grad=true))]
    fn requires_grad_(slf: &Bound<'_, Self>, requires_grad: bool) -> PyResult<Py<PyAny>> {
        set_requires_grad(slf, requires_grad)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// True for tensors not produced by a recorded operation.
    #[getter]
    fn is_leaf(&self) -> bool {
        self.g.is_leaf()
    }

    /// The node that produced this tensor, or None for leaves.
    #[getter]
    fn grad_fn(&self) -> Option<PyNode> {
        match &self.g {
            GradState::Node { node, .. } => Some(PyNode { node: node.clone() }),
            _ => None,
        }
    }

    /// The accumulated gradient (None until a backward pass reaches this tensor).
    #[getter]
    fn get_grad(slf: &Bound<'_, Self>) -> PyResult<Option<Py<PyTensor>>> {
        let py = slf.py();
        let cell = slf.borrow().g.grad_cell().cloned();
        let Some(current) = cell.and_then(|c| c.grad.lock().clone()) else {
            slf.borrow_mut().grad_cache = None;
            return Ok(None);
        };
        if let Some(cached) = &slf.borrow().grad_cache {
            let c = cached.bind(py).borrow();
            if c.t.shares_storage(&current) && c.t.layout() == current.layout() {
                return Ok(Some(cached.clone_ref(py)));
            }
        }
        let obj = Py::new(py, PyTensor::new(current))?;
        slf.borrow_mut().grad_cache = Some(obj.clone_ref(py));
        Ok(Some(obj))
    }

    #[setter]
    fn set_grad(slf: &Bound<'_, Self>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let value = value.filter(|v| !v.is_none());
        let new = match value {
            None => None,
            Some(v) => {
                let t = v.cast::<PyTensor>().map_err(|_| {
                    PyTypeError::new_err("assigned grad expected to be a Tensor or None")
                })?;
                let t = t.borrow().t.clone();
                if t.shape() != slf.borrow().t.shape() {
                    return Err(PyRuntimeError::new_err(
                        "assigned grad has data of a different size",
                    ));
                }
                Some(t)
            }
        };
        let mut me = slf.borrow_mut();
        let cell = match &mut me.g {
            GradState::None if new.is_none() => return Ok(()),
            GradState::None => {
                // torch allows setting .grad on any tensor; keep it in a leaf-less cell.
                let cell = std::sync::Arc::new(GradCell::default());
                me.g = GradState::None;
                cell
            }
            GradState::Leaf(c) => c.clone(),
            GradState::Node { node, retain } => {
                let c = retain.get_or_insert_with(Default::default).clone();
                node.set_retain(Some(c.clone()));
                c
            }
        };
        *cell.grad.lock() = new;
        me.grad_cache = None;
        Ok(())
    }

    /// Keeps `.grad` for this non-leaf tensor after backward.
    fn retain_grad(&mut self) -> PyResult<()> {
        match &mut self.g {
            GradState::None => Err(PyRuntimeError::new_err(
                "can't retain_grad on Tensor that has requires_grad=False",
            )),
            GradState::Leaf(_) => Ok(()),
            GradState::Node { node, retain } => {
                let c = retain.get_or_insert_with(Default::default).clone();
                node.set_retain(Some(c));
                Ok(())
            }
        }
    }

    #[getter]
    fn retains_grad(&self) -> bool {
        matches!(
            &self.g,
            GradState::Node {
                retain: Some(_),
                ..
            }
        )
    }

    /// Computes the gradient of this tensor with respect to the graph's leaves, adding it into
    /// their `.grad`.
    #[pyo3(signature = (gradient=None, retain_graph=None, create_graph=false, inputs=None))]
    fn backward(
        &self,
        gradient: Option<&Bound<'_, PyAny>>,
        retain_graph: Option<bool>,
        create_graph: bool,
        inputs: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        if create_graph {
            return Err(PyRuntimeError::new_err(
                "create_graph=True (higher-order gradients) is not supported by rustgrad",
            ));
        }
        if inputs.is_some_and(|i| !i.is_none()) {
            return Err(PyRuntimeError::new_err(
                "backward(inputs=...) is not supported by rustgrad; use rustgrad.autograd.grad",
            ));
        }
        if !self.g.requires_grad() {
            return Err(PyRuntimeError::new_err(
                "element 0 of tensors does not require grad and does not have a grad_fn",
            ));
        }
        let s = seed(&self.t, gradient)?;
        let was = set_grad_enabled(false);
        let result = engine::run(&[(&self.g, s)], retain_graph.unwrap_or(create_graph), None);
        set_grad_enabled(was);
        result?;
        Ok(())
    }

    /// The same data, cut from the graph (shares storage; never requires grad).
    fn detach(&self) -> PyTensor {
        PyTensor::new(self.t.clone())
    }

    /// Cuts this tensor from the graph in place; returns self.
    fn detach_(slf: &Bound<'_, Self>) -> Py<PyAny> {
        slf.borrow_mut().g = GradState::None;
        slf.clone().into_any().unbind()
    }

    /// An untracked view of the same storage; assigning replaces the values' tensor.
    #[getter]
    fn get_data(&self) -> PyTensor {
        PyTensor::new(self.t.clone())
    }

    #[setter]
    fn set_data(&mut self, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let t = value
            .cast::<PyTensor>()
            .map_err(|_| PyTypeError::new_err("data must be a Tensor"))?;
        let t = t.borrow().t.clone();
        if self.g.requires_grad() {
            grad_requires_float(&t)?;
        }
        self.t = t;
        Ok(())
    }
}

/// `rustgrad.autograd.grad`: gradients of `outputs` with respect to `inputs`, leaving `.grad`
/// untouched.
#[pyfunction]
#[pyo3(signature = (outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=false, allow_unused=false))]
pub fn grad<'py>(
    py: Python<'py>,
    outputs: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
    grad_outputs: Option<&Bound<'py, PyAny>>,
    retain_graph: Option<bool>,
    create_graph: bool,
    allow_unused: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    if create_graph {
        return Err(PyRuntimeError::new_err(
            "create_graph=True (higher-order gradients) is not supported by rustgrad",
        ));
    }
    let as_list = |o: &Bound<'py, PyAny>| -> PyResult<Vec<Bound<'py, PyAny>>> {
        if o.cast::<PyTensor>().is_ok() {
            Ok(vec![o.clone()])
        } else {
            o.try_iter()?.collect()
        }
    };
    let outs = as_list(outputs)?;
    let ins = as_list(inputs)?;
    let gos: Vec<Option<Bound<'py, PyAny>>> = match grad_outputs.filter(|g| !g.is_none()) {
        None => vec![None; outs.len()],
        Some(g) => as_list(g)?.into_iter().map(Some).collect(),
    };
    let mut states = Vec::new();
    let mut seeds = Vec::new();
    for (o, go) in outs.iter().zip(&gos) {
        let o = o.cast::<PyTensor>()?.borrow();
        if !o.g.requires_grad() {
            return Err(PyRuntimeError::new_err(
                "element 0 of tensors does not require grad and does not have a grad_fn",
            ));
        }
        seeds.push(seed(&o.t, go.as_ref())?);
        states.push(o.g.clone());
    }
    let in_states: Vec<GradState> = ins
        .iter()
        .map(|i| Ok(i.cast::<PyTensor>()?.borrow().g.clone()))
        .collect::<PyResult<_>>()?;
    let roots: Vec<(&GradState, Tensor)> = states.iter().zip(seeds).collect();
    let capture: Vec<&GradState> = in_states.iter().collect();
    let was = set_grad_enabled(false);
    let result = engine::run(&roots, retain_graph.unwrap_or(false), Some(&capture));
    set_grad_enabled(was);
    let grads = result?;
    let mut items: Vec<Py<PyAny>> = Vec::new();
    for (i, g) in grads.into_iter().enumerate() {
        match g {
            Some(t) => items.push(Py::new(py, PyTensor::new(t))?.into_any()),
            None if allow_unused => items.push(py.None()),
            None => {
                return Err(PyRuntimeError::new_err(format!(
                    "One of the differentiated Tensors (input {i}) appears to not have been used in the graph. \
                     Set allow_unused=True if this is the desired behavior."
                )))
            }
        }
    }
    let _ = PyList::empty(py);
    PyTuple::new(py, items)
}

#[pyfunction]
#[pyo3(name = "is_grad_enabled")]
pub fn py_is_grad_enabled() -> bool {
    is_grad_enabled()
}

/// Sets grad mode for this thread; returns the previous mode.
#[pyfunction]
pub fn _set_grad_enabled(on: bool) -> bool {
    set_grad_enabled(on)
}

/// Number of live autograd nodes (for memory tests).
#[pyfunction]
#[pyo3(name = "graph_size")]
pub fn py_graph_size() -> usize {
    graph_size()
}
