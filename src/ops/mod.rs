//! Operations on [`crate::Tensor`]: argument checks, dtype rules and output allocation, on top of
//! the loops in [`crate::kernels`].

pub mod creation;
pub mod elementwise;
pub mod loss;
pub mod views;
