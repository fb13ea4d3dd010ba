//! Operations on [`crate::Tensor`]: argument checks, dtype rules and output allocation, on top of
//! the loops in [`crate::kernels`].

pub mod creation;
pub mod elementwise;
pub mod linalg;
pub mod loss;
pub mod matmul;
pub mod reduce;
pub mod scan;
pub mod stats;
pub mod views;
