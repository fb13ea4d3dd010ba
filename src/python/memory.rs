//! Introspection of the buffer cache (see `crate::storage::cache`).

use pyo3::prelude::*;

/// Unmaps the cached large buffers; returns the number of bytes released.
#[pyfunction]
pub fn _empty_cache() -> usize {
    #[cfg(unix)]
    return crate::storage::cache::clear();
    #[cfg(not(unix))]
    0
}

/// Bytes of freed large buffers kept for reuse.
#[pyfunction]
pub fn _cached_bytes() -> usize {
    #[cfg(unix)]
    return crate::storage::cache::bytes();
    #[cfg(not(unix))]
    0
}
