//! Reference-counted, untyped buffers that tensors and their views share.
//!
//! A [`Storage`] is a block of bytes plus a version counter. Tensors hold an `Arc<Storage>` and a
//! [`crate::layout::Layout`] saying which elements they see, so a view is a new layout over the
//! same `Arc`. Memory either belongs to Rust (zero-initialised, 64-byte aligned unless small;
//! large buffers are fresh zero pages mapped from the OS) or to a foreign owner (a NumPy array)
//! that the storage keeps alive.
//!
//! Safety model: the bytes live in an `UnsafeCell`-like raw allocation and are only reached
//! through raw pointers by kernels. Kernels never hold a Rust reference to a storage's memory
//! across an operation that could write it: an in-place op whose source shares the destination's
//! storage copies the source first (see `ops::assign`). Access from several Python threads is
//! serialised by the GIL, except for kernels that release it; those only read shared storages and
//! write to fresh ones, and writers wait for them through [`Storage::lock`].

use std::alloc::{self, Layout as AllocLayout};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

const ALIGN: usize = 64;

/// Buffers below this size are aligned to 16 bytes only (enough for every dtype): the system
/// allocator then serves them with plain `calloc`, much cheaper than an aligned allocation,
/// which shows in the per-call cost of small ops.
const SMALL: usize = 1024;
const SMALL_ALIGN: usize = 16;

/// Buffers of at least this many bytes are mapped from the OS directly (see [`map_zeroed`]).
const MAP_THRESHOLD: usize = 2 << 20;

enum Owner {
    /// Allocated here with this layout (`None` for an empty buffer with a dangling pointer).
    Rust(Option<AllocLayout>),
    /// Mapped here with `mmap` (large buffers), of this many bytes.
    #[cfg(unix)]
    Mapped(usize),
    /// Memory that belongs to someone else, kept alive by holding this value.
    Foreign(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
}

/// Maps `nbytes` of fresh zero pages, asking Linux for transparent huge pages: the first write to
/// each 2 MiB then costs one page fault instead of 512, which makes a large result several times
/// cheaper to produce (NumPy does the same). Returns `None` if the mapping fails.
#[cfg(unix)]
fn map_zeroed(nbytes: usize) -> Option<NonNull<u8>> {
    // SAFETY: an anonymous private mapping touches no existing memory; the result is checked.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            nbytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return None;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: advice on the mapping just made; failure (no THP support) is harmless.
    unsafe {
        libc::madvise(ptr, nbytes, libc::MADV_HUGEPAGE);
    }
    NonNull::new(ptr as *mut u8)
}

/// A shared buffer of bytes.
pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    version: AtomicU64,
    lock: parking_lot::RwLock<()>,
}

// SAFETY: the buffer is plain bytes owned by the storage (or kept alive by a Send + Sync owner);
// concurrent access follows the model in the module docs (GIL, or the read/write lock).
unsafe impl Send for Storage {}
// SAFETY: as above.
unsafe impl Sync for Storage {}

impl Storage {
    /// Allocates `nbytes` zeroed bytes. Fails with `OutOfMemory` instead of aborting.
    pub fn zeroed(nbytes: usize) -> Result<Storage> {
        if nbytes == 0 {
            return Ok(Storage::with_owner(
                NonNull::<u64>::dangling().cast(),
                0,
                Owner::Rust(None),
            ));
        }
        #[cfg(unix)]
        if nbytes >= MAP_THRESHOLD {
            let ptr = map_zeroed(nbytes).ok_or(Error::OutOfMemory(nbytes))?;
            return Ok(Storage::with_owner(ptr, nbytes, Owner::Mapped(nbytes)));
        }
        let align = if nbytes < SMALL { SMALL_ALIGN } else { ALIGN };
        let layout =
            AllocLayout::from_size_align(nbytes, align).map_err(|_| Error::OutOfMemory(nbytes))?;
        // SAFETY: `layout` has a non-zero size.
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).ok_or(Error::OutOfMemory(nbytes))?;
        Ok(Storage::with_owner(ptr, nbytes, Owner::Rust(Some(layout))))
    }

    /// Wraps memory owned by `owner`.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `nbytes` bytes for as long as `owner` lives,
    /// and suitably aligned for the dtype the tensors over it use.
    pub unsafe fn foreign(
        ptr: NonNull<u8>,
        nbytes: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Storage {
        Storage::with_owner(ptr, nbytes, Owner::Foreign(owner))
    }

    fn with_owner(ptr: NonNull<u8>, nbytes: usize, owner: Owner) -> Storage {
        Storage {
            ptr,
            nbytes,
            owner,
            version: AtomicU64::new(0),
            lock: parking_lot::RwLock::new(()),
        }
    }

    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    /// Start of the buffer. Reads and writes through it follow the module's safety model.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The version counter that in-place writes bump (autograd checks it).
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }

    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }

    /// Readers that run without the GIL take this shared; writers take it exclusively.
    pub fn lock(&self) -> &parking_lot::RwLock<()> {
        &self.lock
    }

    /// Does this storage hold memory of another owner (a NumPy array)?
    pub fn is_foreign(&self) -> bool {
        matches!(self.owner, Owner::Foreign(_))
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        match self.owner {
            Owner::Rust(Some(layout)) => {
                // SAFETY: allocated in `zeroed` with exactly this layout, and never freed
                // elsewhere.
                unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) };
            }
            #[cfg(unix)]
            Owner::Mapped(len) => {
                // SAFETY: mapped in `zeroed` with this length, and never unmapped elsewhere.
                unsafe { libc::munmap(self.ptr.as_ptr().cast(), len) };
            }
            _ => {}
        }
    }
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Storage({} bytes)", self.nbytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_memory_is_zero_and_aligned() {
        let s = Storage::zeroed(1000).unwrap();
        assert_eq!(s.as_ptr() as usize % SMALL_ALIGN, 0);
        let s = Storage::zeroed(5000).unwrap();
        assert_eq!(s.as_ptr() as usize % ALIGN, 0);
        // SAFETY: 5000 bytes were allocated.
        let bytes = unsafe { std::slice::from_raw_parts(s.as_ptr(), 5000) };
        assert!(bytes.iter().all(|&b| b == 0));
    }

    #[test]
    fn impossible_allocation_is_an_error_not_an_abort() {
        assert!(matches!(
            Storage::zeroed(usize::MAX / 2),
            Err(Error::OutOfMemory(_))
        ));
    }

    #[test]
    fn large_buffers_are_mapped_zero_pages() {
        let n = MAP_THRESHOLD + 12345;
        let s = Storage::zeroed(n).unwrap();
        // SAFETY: `n` bytes were mapped.
        let bytes = unsafe { std::slice::from_raw_parts_mut(s.as_ptr(), n) };
        assert!(bytes.iter().all(|&b| b == 0));
        bytes[n - 1] = 7;
        assert_eq!(s.as_ptr() as usize % ALIGN, 0);
    }

    #[test]
    fn versions_count_writes() {
        let s = Storage::zeroed(8).unwrap();
        s.bump_version();
        s.bump_version();
        assert_eq!(s.version(), 2);
    }
}
