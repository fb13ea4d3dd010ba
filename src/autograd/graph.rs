//! The tape: nodes in one growable arena, addressed by index and generation.
//!
//! Each node counts its references: handles held by tensors ([`NodeRef`]) and edges from other
//! nodes. When the count reaches zero the slot is freed at once, its edges are released in turn,
//! and the slot joins a free list for the next node. Backward closures (and the tensors they
//! saved) are dropped outside the arena's lock, so dropping them may run any code.

use std::sync::Arc;

use parking_lot::Mutex;
use smallvec::SmallVec;

use super::{GradCell, GradState, V};
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Shape;
use crate::storage::Storage;
use crate::tensor::Tensor;

/// Gradients of a node's inputs, one per input (None where the input needs none).
pub type Grads = SmallVec<[Option<Tensor>; 2]>;

/// Computes the input gradients from the gradient of the output.
pub type BackwardFn = dyn Fn(&Tensor) -> Result<Grads> + Send + Sync;

/// Where the gradient of one input goes.
#[derive(Clone, Debug)]
pub enum Edge {
    /// The input does not require grad.
    None,
    /// A leaf: accumulate into its `.grad`.
    Leaf(Arc<GradCell>),
    /// The output of another node (an arena index; the node holds a reference to it).
    Node(u32),
}

/// One input of a node: where its gradient goes, and its shape and dtype (gradients are summed
/// back over broadcast dimensions and cast to the input's dtype).
#[derive(Clone, Debug)]
pub struct InputInfo {
    pub edge: Edge,
    pub shape: Shape,
    pub dtype: DType,
}

/// A saved tensor's storage and the version it had when saved.
pub struct SavedVersion {
    pub storage: Arc<Storage>,
    pub version: u64,
    pub shape: Shape,
    pub dtype: DType,
}

pub(crate) struct Node {
    pub name: &'static str,
    pub seq: u64,
    pub inputs: SmallVec<[InputInfo; 2]>,
    pub backward: Option<Arc<BackwardFn>>,
    /// Whether the closure holds saved tensors (then backward frees it unless retain_graph).
    pub has_saved: bool,
    pub saved_versions: SmallVec<[SavedVersion; 2]>,
    /// The gradient cell of a non-leaf that called `retain_grad()`.
    pub retain: Option<Arc<GradCell>>,
    refs: u32,
}

struct Slot {
    generation: u32,
    node: Option<Node>,
}

#[derive(Default)]
pub(crate) struct Arena {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
    next_seq: u64,
}

pub(crate) static ARENA: Mutex<Arena> = Mutex::new(Arena {
    slots: Vec::new(),
    free: Vec::new(),
    live: 0,
    next_seq: 0,
});

/// Things dropped after the arena's lock is released.
pub(crate) type Garbage = Vec<Box<dyn Send>>;

impl Arena {
    pub fn node(&self, id: u32) -> Option<&Node> {
        self.slots.get(id as usize).and_then(|s| s.node.as_ref())
    }

    pub fn node_mut(&mut self, id: u32) -> Option<&mut Node> {
        self.slots
            .get_mut(id as usize)
            .and_then(|s| s.node.as_mut())
    }

    fn insert(&mut self, mut node: Node) -> (u32, u32) {
        node.seq = self.next_seq;
        self.next_seq += 1;
        self.live += 1;
        if let Some(i) = self.free.pop() {
            let slot = &mut self.slots[i as usize];
            slot.node = Some(node);
            (i, slot.generation)
        } else {
            self.slots.push(Slot {
                generation: 0,
                node: Some(node),
            });
            ((self.slots.len() - 1) as u32, 0)
        }
    }

    fn incref(&mut self, id: u32) {
        if let Some(n) = self.node_mut(id) {
            n.refs += 1;
        }
    }

    /// Drops one reference to `id`, freeing it and, transitively, nodes only it kept alive.
    fn decref(&mut self, id: u32, garbage: &mut Garbage) {
        let mut work = vec![id];
        while let Some(id) = work.pop() {
            let Some(n) = self.node_mut(id) else { continue };
            n.refs -= 1;
            if n.refs > 0 {
                continue;
            }
            let slot = &mut self.slots[id as usize];
            if let Some(node) = slot.node.take() {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(id);
                self.live -= 1;
                for input in &node.inputs {
                    if let Edge::Node(child) = input.edge {
                        work.push(child);
                    }
                }
                garbage.push(Box::new(node));
            }
        }
    }
}

/// A tensor's handle on the node that produced it (a counted reference).
#[derive(Debug)]
pub struct NodeRef {
    id: u32,
    generation: u32,
}

impl NodeRef {
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The node's name (`MulBackward0`), or `None` if the handle is stale.
    pub fn name(&self) -> Option<&'static str> {
        let arena = ARENA.lock();
        arena
            .slots
            .get(self.id as usize)
            .filter(|s| s.generation == self.generation)
            .and_then(|s| s.node.as_ref())
            .map(|n| n.name)
    }

    /// Names and handles of the nodes this one sends gradients to (`next_functions`).
    pub fn next_names(&self) -> Vec<Option<&'static str>> {
        let arena = ARENA.lock();
        let Some(n) = arena.node(self.id) else {
            return vec![];
        };
        n.inputs
            .iter()
            .map(|i| match &i.edge {
                Edge::None => None,
                Edge::Leaf(_) => Some("AccumulateGrad"),
                Edge::Node(c) => arena.node(*c).map(|c| c.name),
            })
            .collect()
    }

    /// Sets (or replaces) the cell that keeps this node's output gradient (`retain_grad`).
    pub fn set_retain(&self, cell: Option<Arc<GradCell>>) {
        if let Some(n) = ARENA.lock().node_mut(self.id) {
            n.retain = cell;
        }
    }
}

impl Clone for NodeRef {
    fn clone(&self) -> Self {
        ARENA.lock().incref(self.id);
        NodeRef {
            id: self.id,
            generation: self.generation,
        }
    }
}

impl Drop for NodeRef {
    fn drop(&mut self) {
        let mut garbage = Garbage::new();
        ARENA.lock().decref(self.id, &mut garbage);
        drop(garbage);
    }
}

impl PartialEq for NodeRef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id && self.generation == other.generation
    }
}

/// Number of live nodes in the arena (`rustgrad.autograd.graph_size()`).
pub fn graph_size() -> usize {
    ARENA.lock().live
}

/// Should an op on these inputs be recorded?
pub fn needs_grad(inputs: &[Option<V>]) -> bool {
    super::is_grad_enabled()
        && inputs
            .iter()
            .any(|v| v.is_some_and(|v| v.g.requires_grad()))
}

/// Records `name` with a backward closure for the inputs (None for Python scalars), returning the
/// output's state. `saved` lists the input tensors the closure saved: backward refuses to run
/// if any of them was modified in place since. `make_backward` is called only when recording.
pub fn record<F>(
    name: &'static str,
    inputs: &[Option<V>],
    saved: &[&Tensor],
    make_backward: impl FnOnce() -> F,
) -> GradState
where
    F: Fn(&Tensor) -> Result<Grads> + Send + Sync + 'static,
{
    if !needs_grad(inputs) {
        return GradState::None;
    }
    let backward: Arc<BackwardFn> = Arc::new(make_backward());
    record_node(name, inputs, saved, backward)
}

fn record_node(
    name: &'static str,
    inputs: &[Option<V>],
    saved: &[&Tensor],
    backward: Arc<BackwardFn>,
) -> GradState {
    let mut arena = ARENA.lock();
    let infos: SmallVec<[InputInfo; 2]> = inputs
        .iter()
        .map(|v| match v {
            None => InputInfo {
                edge: Edge::None,
                shape: Shape::new(),
                dtype: DType::F32,
            },
            Some(v) => {
                let edge = match v.g {
                    GradState::None => Edge::None,
                    GradState::Leaf(c) => Edge::Leaf(c.clone()),
                    GradState::Node { node, .. } => Edge::Node(node.id),
                };
                InputInfo {
                    edge,
                    shape: v.t.shape().into(),
                    dtype: v.t.dtype(),
                }
            }
        })
        .collect();
    for info in &infos {
        if let Edge::Node(id) = info.edge {
            arena.incref(id);
        }
    }
    let saved_versions = saved
        .iter()
        .map(|t| SavedVersion {
            storage: t.storage().clone(),
            version: t.storage().version(),
            shape: t.shape().into(),
            dtype: t.dtype(),
        })
        .collect();
    let node = Node {
        name,
        seq: 0,
        inputs: infos,
        backward: Some(backward),
        has_saved: !saved.is_empty(),
        saved_versions,
        retain: None,
        refs: 1,
    };
    let (id, generation) = arena.insert(node);
    GradState::Node {
        node: NodeRef { id, generation },
        retain: None,
    }
}

/// Records a node whose closure saves tensors that are not inputs (e.g. its own output):
/// `has_saved` is set so that backward frees it.
pub fn record_saving<F>(
    name: &'static str,
    inputs: &[Option<V>],
    saved_inputs: &[&Tensor],
    make_backward: impl FnOnce() -> F,
) -> GradState
where
    F: Fn(&Tensor) -> Result<Grads> + Send + Sync + 'static,
{
    let state = record(name, inputs, saved_inputs, make_backward);
    if let GradState::Node { node, .. } = &state {
        if let Some(n) = ARENA.lock().node_mut(node.id) {
            n.has_saved = true;
        }
    }
    state
}
