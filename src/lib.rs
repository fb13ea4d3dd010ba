//! rustgrad: tensors and automatic differentiation with PyTorch's Python API.
//!
//! Where to start reading:
//! - [`dtype`]: element types and type promotion;
//! - [`storage`] and [`layout`]: shared buffers and the strided views over them;
//! - [`tensor`]: the tensor value;
//! - [`ops`]: operations (checks, dtype rules, allocation) and [`kernels`]: the loops they run;
//! - `python` (feature `python`): the PyO3 layer that maturin builds into `rustgrad._core`.

pub mod autograd;
pub mod dtype;
pub mod error;
pub mod kernels;
pub mod layout;
pub mod ops;
pub mod random;
pub mod storage;
pub mod tensor;

#[cfg(feature = "python")]
mod python;

pub use dtype::{DType, Scalar};
pub use error::{Error, Result};
pub use tensor::Tensor;

/// mimalloc serves the many short-lived buffers of small ops and of the gradient tape without
/// the system allocator's free-chunk consolidation (a tenth of the time of a 100-op autograd
/// chain with glibc's malloc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
