//! Running backward: from the roots' gradients to every input the graph reaches.

use std::collections::HashMap;
use std::sync::Arc;

use super::graph::{Edge, Garbage, InputInfo, ARENA};
use super::sum_to::sum_to;
use super::{GradCell, GradState};
use crate::error::{Error, Result};
use crate::ops::elementwise::{binary, binary_inplace, Arg, BinaryOp};
use crate::tensor::Tensor;

struct Step {
    id: u32,
    name: &'static str,
    backward: Arc<super::graph::BackwardFn>,
    inputs: Vec<InputInfo>,
    retain: Option<Arc<GradCell>>,
    stale: Option<String>,
}

const FREED: &str = "Trying to backward through the graph a second time (or directly access saved tensors \
after they have already been freed). Saved intermediate values of the graph are freed when you call \
.backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a \
second time or if you need to access saved tensors after calling backward.";

fn accumulate(slot: &mut Option<Tensor>, g: Tensor) -> Result<()> {
    *slot = Some(match slot.take() {
        None => g,
        Some(acc) => binary(BinaryOp::Add, Arg::T(&acc), Arg::T(&g))?,
    });
    Ok(())
}

/// The reachable nodes, latest first (a valid order: a node is created after its inputs).
fn plan(roots: &[u32]) -> Result<Vec<Step>> {
    let arena = ARENA.lock();
    let mut seen: HashMap<u32, u64> = HashMap::new();
    let mut stack: Vec<u32> = roots.to_vec();
    while let Some(id) = stack.pop() {
        if seen.contains_key(&id) {
            continue;
        }
        let Some(n) = arena.node(id) else { continue };
        seen.insert(id, n.seq);
        for i in &n.inputs {
            if let Edge::Node(c) = i.edge {
                stack.push(c);
            }
        }
    }
    let mut order: Vec<(u64, u32)> = seen.into_iter().map(|(id, seq)| (seq, id)).collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut steps = Vec::with_capacity(order.len());
    for (_, id) in order {
        let Some(n) = arena.node(id) else { continue };
        let Some(backward) = n.backward.clone() else {
            return Err(Error::Runtime(FREED.into()));
        };
        let stale = n.saved_versions.iter().find(|s| s.storage.version() != s.version).map(|s| {
            format!(
                "one of the variables needed for gradient computation has been modified by an inplace \
                 operation: [rustgrad.{}Tensor {}], which is saved by {}, is at version {}; expected \
                 version {} instead.",
                s.dtype.torch_name(),
                crate::layout::fmt_shape(&s.shape),
                n.name,
                s.storage.version(),
                s.version
            )
        });
        steps.push(Step {
            id,
            name: n.name,
            backward,
            inputs: n.inputs.to_vec(),
            retain: n.retain.clone(),
            stale,
        });
    }
    Ok(steps)
}

/// Frees the saved tensors of the nodes a backward pass used (unless the graph is retained).
fn release(steps: &[Step]) {
    let mut garbage = Garbage::new();
    {
        let mut arena = ARENA.lock();
        for s in steps {
            if let Some(n) = arena.node_mut(s.id) {
                if n.has_saved {
                    if let Some(b) = n.backward.take() {
                        garbage.push(Box::new(b));
                    }
                    n.saved_versions.clear();
                }
            }
        }
    }
    drop(garbage);
}

fn cell_key(c: &Arc<GradCell>) -> usize {
    Arc::as_ptr(c) as usize
}

/// Backward from `roots` (each with the gradient of its output). With `capture`, returns the
/// gradients of those tensors instead of accumulating into `.grad` (`autograd.grad`).
pub fn run(
    roots: &[(&GradState, Tensor)],
    retain_graph: bool,
    capture: Option<&[&GradState]>,
) -> Result<Vec<Option<Tensor>>> {
    let mut node_grads: HashMap<u32, Option<Tensor>> = HashMap::new();
    let mut leaf_grads: HashMap<usize, (Arc<GradCell>, Option<Tensor>)> = HashMap::new();
    let mut root_ids = Vec::new();
    for (state, seed) in roots {
        match state {
            GradState::None => {
                return Err(Error::Runtime(
                    "element 0 of tensors does not require grad and does not have a grad_fn".into(),
                ))
            }
            GradState::Leaf(c) => accumulate(
                &mut leaf_grads.entry(cell_key(c)).or_insert((c.clone(), None)).1,
                seed.clone(),
            )?,
            GradState::Node { node, .. } => {
                root_ids.push(node.id());
                accumulate(node_grads.entry(node.id()).or_insert(None), seed.clone())?;
            }
        }
    }
    let capture_nodes: Vec<u32> = capture
        .unwrap_or(&[])
        .iter()
        .filter_map(|g| match g {
            GradState::Node { node, .. } => Some(node.id()),
            _ => None,
        })
        .collect();
    let mut captured: HashMap<u32, Tensor> = HashMap::new();
    let steps = plan(&root_ids)?;
    let result = (|| -> Result<()> {
        for step in &steps {
            let Some(Some(g)) = node_grads.remove(&step.id) else {
                continue;
            };
            if let Some(msg) = &step.stale {
                return Err(Error::Runtime(msg.clone()));
            }
            if capture_nodes.contains(&step.id) {
                captured.insert(step.id, g.clone());
            }
            if let (Some(cell), None) = (&step.retain, capture) {
                let mut slot = cell.grad.lock();
                accumulate(&mut slot, g.clone())?;
            }
            let grads = (step.backward)(&g)?;
            for (info, gi) in step.inputs.iter().zip(grads) {
                let Some(gi) = gi else { continue };
                if matches!(info.edge, Edge::None) {
                    continue;
                }
                let gi = sum_to(&gi, &info.shape).map_err(|e| context(e, step.name))?;
                let gi = gi.to_dtype(info.dtype)?;
                match &info.edge {
                    Edge::None => {}
                    Edge::Leaf(c) => accumulate(
                        &mut leaf_grads.entry(cell_key(c)).or_insert((c.clone(), None)).1,
                        gi,
                    )?,
                    Edge::Node(id) => accumulate(node_grads.entry(*id).or_insert(None), gi)?,
                }
            }
        }
        Ok(())
    })();
    if !retain_graph {
        release(&steps);
    }
    result?;
    if let Some(wanted) = capture {
        return Ok(wanted
            .iter()
            .map(|g| match g {
                GradState::Leaf(c) => leaf_grads.get(&cell_key(c)).and_then(|(_, t)| t.clone()),
                GradState::Node { node, .. } => captured.get(&node.id()).cloned(),
                GradState::None => None,
            })
            .collect());
    }
    for (_, (cell, g)) in leaf_grads {
        let Some(g) = g else { continue };
        let mut slot = cell.grad.lock();
        match slot.as_ref() {
            Some(existing) if existing.shape() == g.shape() => {
                binary_inplace(BinaryOp::Add, existing, Arg::T(&g))?;
            }
            _ => {
                // A fresh `.grad` must not alias a tensor the graph or another leaf may hold.
                let own = Arc::strong_count(g.storage()) == 1 && g.is_contiguous();
                *slot = Some(if own { g } else { g.deep_clone()? });
            }
        }
    }
    Ok(vec![])
}

fn context(e: Error, name: &str) -> Error {
    match e {
        Error::Runtime(m) => Error::Runtime(format!("{name}: {m}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autograd::ops::elementwise::{binary_op, unary_op, Operand};
    use crate::autograd::V;
    use crate::ops::elementwise::UnaryOp;
    use crate::DType;

    fn leaf(v: &[f64]) -> (Tensor, GradState) {
        (
            Tensor::from_vec(v, &[v.len()], DType::F64).unwrap(),
            GradState::new_leaf(DType::F64).unwrap(),
        )
    }

    fn grad_of(g: &GradState) -> Vec<f64> {
        g.grad_cell()
            .unwrap()
            .grad
            .lock()
            .as_ref()
            .unwrap()
            .to_vec::<f64>()
    }

    #[test]
    fn product_rule_and_accumulation() {
        // y = x * x, dy/dx = 2x
        let (x, gx) = leaf(&[1.0, -2.0, 3.0]);
        let xv = V { t: &x, g: &gx };
        let y = binary_op(BinaryOp::Mul, xv, Operand::T(xv), false).unwrap();
        let seed = Tensor::from_vec(&[1.0f64; 3], &[3], DType::F64).unwrap();
        run(&[(&y.g, seed.clone())], true, None).unwrap();
        assert_eq!(grad_of(&gx), vec![2.0, -4.0, 6.0]);
        // a second backward (graph retained) accumulates
        run(&[(&y.g, seed)], false, None).unwrap();
        assert_eq!(grad_of(&gx), vec![4.0, -8.0, 12.0]);
    }

    #[test]
    fn freed_graph_refuses_a_second_backward() {
        let (x, gx) = leaf(&[0.5]);
        let y = unary_op(UnaryOp::Exp, V { t: &x, g: &gx }).unwrap();
        let seed = Tensor::from_vec(&[1.0f64], &[1], DType::F64).unwrap();
        run(&[(&y.g, seed.clone())], false, None).unwrap();
        let err = run(&[(&y.g, seed)], false, None).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("Trying to backward through the graph a second time"));
    }
}
