//! Whether operations are recorded (`no_grad`, `enable_grad`, `set_grad_enabled`): per thread,
//! as in PyTorch.

use std::cell::Cell;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(true) };
}

/// Are operations on this thread recorded?
pub fn is_grad_enabled() -> bool {
    ENABLED.with(|e| e.get())
}

/// Turns recording on or off for this thread; returns the previous setting.
pub fn set_grad_enabled(on: bool) -> bool {
    ENABLED.with(|e| e.replace(on))
}
