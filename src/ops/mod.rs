//! Operations on [`crate::Tensor`]: argument checks, dtype rules and output allocation, on top of
//! the loops in [`crate::kernels`].

pub mod advanced;
pub mod creation;
pub mod elementwise;
pub mod gather;
pub mod index;
pub mod join;
pub mod linalg;
pub mod loss;
pub mod matmul;
pub mod random_fill;
pub mod reduce;
pub mod reorder;
pub mod reshape;
pub mod scan;
pub mod split;
pub mod stats;
pub mod views;
