//! The one error type of the core. Each variant says which kind of Python exception it becomes
//! (see `src/python/error.rs`), and its message follows PyTorch's wording where PyTorch has one.

use std::fmt;

/// What went wrong, grouped by the Python exception it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Shape, dtype and other runtime problems: Python `RuntimeError`.
    Runtime(String),
    /// A bad index or dimension: Python `IndexError`.
    Index(String),
    /// An argument of the wrong type: Python `TypeError`.
    Type(String),
    /// An argument of the right type but a bad value: Python `ValueError`.
    Value(String),
    /// An allocation the machine cannot satisfy: Python `MemoryError`.
    OutOfMemory(usize),
}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Runtime(m) | Error::Index(m) | Error::Type(m) | Error::Value(m) => {
                f.write_str(m)
            }
            Error::OutOfMemory(n) => write!(
                f,
                "[enforce fail at alloc_cpu] DefaultCPUAllocator: not enough memory: \
                 you tried to allocate {n} bytes."
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Returns early with `Error::Runtime(format!(...))`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::error::Error::Runtime(format!($($arg)*))) };
}

/// Returns early with an error of the given variant: `fail!(Index, "index {i} is out of bounds")`.
#[macro_export]
macro_rules! fail {
    ($kind:ident, $($arg:tt)*) => { return Err($crate::error::Error::$kind(format!($($arg)*))) };
}
