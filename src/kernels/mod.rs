//! Loops over raw memory: no shapes checks, no dtypes, no autograd. Ops in `crate::ops` validate
//! their arguments, allocate outputs and then call these generic kernels with concrete element
//! types.
//!
//! The one place that decides when to go parallel is [`parallel`]; elementwise loops live in
//! [`elementwise`], walking N-d operands run by run ([`strided`]).

#[cfg(target_arch = "x86_64")]
pub mod avx2;
#[cfg(target_arch = "x86_64")]
pub mod avx512;
pub mod element;
pub mod elementwise;
pub mod exp;
pub mod flip;
pub mod folds;
pub mod gather;
pub mod lines;
pub mod mask;
pub mod math;
pub mod matmul;
pub mod parallel;
pub mod reduce;
pub mod simd;
pub mod strided;

pub use element::Element;

/// A raw pointer that may be sent to the worker threads of a parallel kernel.
///
/// Kernels split their output into disjoint parts, so no two threads write the same element.
#[derive(Clone, Copy, Debug)]
pub struct SendPtr<T>(pub *mut T);

// SAFETY: only used for buffers whose parts are written by one thread each (see above).
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}
