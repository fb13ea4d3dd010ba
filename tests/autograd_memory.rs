//! Graph memory is bounded: nodes die with the tensors that refer to them. This is its own test
//! binary so that no other test creates nodes concurrently.

use rustgrad::autograd::engine::run;
use rustgrad::autograd::graph_size;
use rustgrad::autograd::ops::elementwise::{binary_op, unary_op, Operand};
use rustgrad::autograd::{GradState, V};
use rustgrad::ops::elementwise::{BinaryOp, UnaryOp};
use rustgrad::{DType, Tensor};

#[test]
fn nodes_are_reclaimed_when_tensors_die_and_steps_do_not_grow_the_graph() {
    let x = Tensor::from_vec(&[1.0f64, 2.0], &[2], DType::F64).unwrap();
    let gx = GradState::new_leaf(DType::F64).unwrap();
    let xv = V { t: &x, g: &gx };
    assert_eq!(graph_size(), 0);
    let y = unary_op(UnaryOp::Exp, xv).unwrap();
    let z = unary_op(UnaryOp::Sin, y.v()).unwrap();
    assert_eq!(graph_size(), 2);
    drop(y); // z's node still refers to exp's node
    assert_eq!(graph_size(), 2);
    drop(z);
    assert_eq!(graph_size(), 0);

    // 1,000 "training steps": each builds a graph, runs backward and drops it.
    for _ in 0..1000 {
        let h = binary_op(BinaryOp::Mul, xv, Operand::T(xv), false).unwrap();
        let l = unary_op(UnaryOp::Tanh, h.v()).unwrap();
        let seed = Tensor::from_vec(&[1.0f64, 1.0], &[2], DType::F64).unwrap();
        run(&[(&l.g, seed)], false, None).unwrap();
        assert_eq!(graph_size(), 2);
    }
    assert_eq!(graph_size(), 0);
}
