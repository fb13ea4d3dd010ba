//! Reverse-mode automatic differentiation on an arena-allocated tape.
//!
//! A tensor's autograd state is a [`GradState`]: nothing, a leaf that accumulates `.grad`, or
//! the output of a recorded operation (a [`graph::NodeRef`] into the global arena). Differentiable
//! operations in [`ops`] compute their forward with the plain kernels of `crate::ops` and record
//! a node holding a backward closure right next to it. [`engine::backward`] walks the nodes a
//! root reaches in reverse creation order, and frees saved tensors as it goes unless asked to
//! retain the graph. Nodes are reference counted inside the arena and reclaimed as soon as no
//! tensor and no other node refers to them.

pub mod engine;
pub mod graph;
pub mod mode;
pub mod ops;
pub mod sum_to;

use std::sync::Arc;

use parking_lot::Mutex;

pub use graph::{graph_size, NodeRef};
pub use mode::{is_grad_enabled, set_grad_enabled};

use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The `.grad` cell of a leaf (or of a non-leaf that called `retain_grad()`).
#[derive(Default, Debug)]
pub struct GradCell {
    pub grad: Mutex<Option<Tensor>>,
}

/// What autograd knows about a tensor.
#[derive(Clone, Debug, Default)]
pub enum GradState {
    /// Does not require grad.
    #[default]
    None,
    /// A leaf that requires grad; backward accumulates into its cell.
    Leaf(Arc<GradCell>),
    /// The result of a recorded operation; `retain` holds `.grad` after `retain_grad()`.
    Node {
        node: NodeRef,
        retain: Option<Arc<GradCell>>,
    },
}

impl GradState {
    pub fn requires_grad(&self) -> bool {
        !matches!(self, GradState::None)
    }

    pub fn is_leaf(&self) -> bool {
        !matches!(self, GradState::Node { .. })
    }

    /// A fresh leaf state for a tensor of `dtype` (floating dtypes only).
    pub fn new_leaf(dtype: crate::DType) -> Result<GradState> {
        if !dtype.is_float() {
            return Err(Error::Runtime(
                "only Tensors of floating point and complex dtype can require gradients".into(),
            ));
        }
        Ok(GradState::Leaf(Arc::new(GradCell::default())))
    }

    /// The `.grad` cell, for leaves and retaining non-leaves.
    pub fn grad_cell(&self) -> Option<&Arc<GradCell>> {
        match self {
            GradState::Leaf(c) => Some(c),
            GradState::Node { retain, .. } => retain.as_ref(),
            GradState::None => None,
        }
    }
}

/// A borrowed tensor with its autograd state: the operand type of differentiable ops.
#[derive(Clone, Copy, Debug)]
pub struct V<'a> {
    pub t: &'a Tensor,
    pub g: &'a GradState,
}

/// An owned tensor with its autograd state: the result type of differentiable ops.
#[derive(Clone, Debug)]
pub struct Var {
    pub t: Tensor,
    pub g: GradState,
}

impl Var {
    /// A tensor that does not require grad.
    pub fn plain(t: Tensor) -> Var {
        Var {
            t,
            g: GradState::None,
        }
    }

    pub fn v(&self) -> V<'_> {
        V {
            t: &self.t,
            g: &self.g,
        }
    }
}

/// Refuses an in-place write to a leaf that requires grad while recording, as torch does.
pub fn check_inplace(g: &GradState) -> Result<()> {
    if is_grad_enabled() && matches!(g, GradState::Leaf(_)) {
        return Err(Error::Runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.".into(),
        ));
    }
    Ok(())
}
