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

/// Uninitialised buffers of at least this many bytes are mapped too, so that they can be
/// recycled through [`cache`] (the system allocator would return them to the OS and fault them
/// in again on the next use).
const CACHE_MIN: usize = 128 << 10;

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

/// Freed mappings kept for reuse by [`Storage::uninit`]: an op that produces a large result in a
/// loop (`a + b` on 10M elements, a training step's activations) then writes into pages that are
/// already mapped instead of paying a page fault per page and the kernel's zeroing of each.
/// Bounded: at most [`cache::MAX_BYTES`] in at most [`cache::MAX_ENTRIES`] mappings, oldest
/// evicted first; `rustgrad._core._empty_cache()` returns them all.
#[cfg(unix)]
pub mod cache {
    use parking_lot::Mutex;

    pub const MAX_BYTES: usize = 128 << 20;
    pub const MAX_ENTRIES: usize = 32;

    struct Entry {
        addr: usize,
        len: usize,
    }

    struct Cache {
        entries: Vec<Entry>,
        bytes: usize,
    }

    static CACHE: Mutex<Cache> = Mutex::new(Cache {
        entries: Vec::new(),
        bytes: 0,
    });

    /// Mapping lengths: whole 64 KiB blocks, whole 2 MiB huge pages from [`super::MAP_THRESHOLD`]
    /// on, so that buffers of nearby sizes share entries.
    pub fn round(nbytes: usize) -> Option<usize> {
        let unit = if nbytes >= super::MAP_THRESHOLD {
            super::MAP_THRESHOLD
        } else {
            64 << 10
        };
        nbytes.checked_next_multiple_of(unit)
    }

    /// A cached mapping of exactly `len` bytes, if any (most recently freed first).
    pub fn take(len: usize) -> Option<usize> {
        let mut c = CACHE.lock();
        let i = c.entries.iter().rposition(|e| e.len == len)?;
        let e = c.entries.remove(i);
        c.bytes -= e.len;
        Some(e.addr)
    }

    /// Keeps a mapping for reuse, or unmaps it (and any older ones over the bounds).
    pub fn put(addr: usize, len: usize) {
        let mut evicted = Vec::new();
        {
            let mut c = CACHE.lock();
            if len > MAX_BYTES {
                evicted.push(Entry { addr, len });
            } else {
                c.entries.push(Entry { addr, len });
                c.bytes += len;
                while c.bytes > MAX_BYTES || c.entries.len() > MAX_ENTRIES {
                    let e = c.entries.remove(0);
                    c.bytes -= e.len;
                    evicted.push(e);
                }
            }
        }
        for e in evicted {
            super::unmap(e.addr as *mut u8, e.len);
        }
    }

    /// Unmaps every cached mapping; returns the bytes released.
    pub fn clear() -> usize {
        let entries = {
            let mut c = CACHE.lock();
            c.bytes = 0;
            std::mem::take(&mut c.entries)
        };
        entries
            .into_iter()
            .map(|e| {
                super::unmap(e.addr as *mut u8, e.len);
                e.len
            })
            .sum()
    }

    /// Bytes held by the cache.
    pub fn bytes() -> usize {
        CACHE.lock().bytes
    }
}

#[cfg(unix)]
fn unmap(ptr: *mut u8, len: usize) {
    // SAFETY: callers pass a mapping made by `map_zeroed` with this length that nothing uses
    // any more (a dropped storage's, or one taken out of the cache).
    unsafe { libc::munmap(ptr.cast(), len) };
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
            // never from the cache: recycled pages are not zero
            let len = cache::round(nbytes).ok_or(Error::OutOfMemory(nbytes))?;
            let ptr = map_zeroed(len).ok_or(Error::OutOfMemory(nbytes))?;
            return Ok(Storage::with_owner(ptr, nbytes, Owner::Mapped(len)));
        }
        Storage::heap(nbytes, true)
    }

    /// Allocates `nbytes` bytes for a result that the caller writes in full before anything
    /// reads it: the contents are unspecified (zeros, or a recycled buffer's old values), which
    /// spares clearing memory that is about to be overwritten. Large buffers come from the
    /// [`cache`] of freed mappings when it has one of the size.
    pub fn uninit(nbytes: usize) -> Result<Storage> {
        #[cfg(unix)]
        if nbytes >= CACHE_MIN {
            let len = cache::round(nbytes).ok_or(Error::OutOfMemory(nbytes))?;
            let ptr = match cache::take(len) {
                Some(addr) => NonNull::new(addr as *mut u8),
                None => map_zeroed(len),
            }
            .ok_or(Error::OutOfMemory(nbytes))?;
            return Ok(Storage::with_owner(ptr, nbytes, Owner::Mapped(len)));
        }
        if nbytes == 0 {
            return Storage::zeroed(0);
        }
        Storage::heap(nbytes, false)
    }

    /// `nbytes > 0` from the global allocator, cleared when `zeroed` (otherwise for callers that
    /// write every byte before reading it).
    fn heap(nbytes: usize, zeroed: bool) -> Result<Storage> {
        let align = if nbytes < SMALL { SMALL_ALIGN } else { ALIGN };
        let layout =
            AllocLayout::from_size_align(nbytes, align).map_err(|_| Error::OutOfMemory(nbytes))?;
        // SAFETY: `layout` has a non-zero size (callers handle 0).
        let raw = unsafe {
            if zeroed {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        };
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
            Owner::Mapped(len) => cache::put(self.ptr.as_ptr() as usize, len),
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
    fn freed_mappings_are_reused_by_uninit() {
        let n = CACHE_MIN + 100;
        let s = Storage::uninit(n).unwrap();
        assert_eq!(s.as_ptr() as usize % ALIGN, 0);
        // SAFETY: `n` bytes were mapped.
        unsafe { s.as_ptr().write_bytes(9, n) };
        drop(s);
        // another thread may take it first; only check what is certain: the next buffer of this
        // size is usable in full and a zeroed one is still zero.
        let t = Storage::uninit(n).unwrap();
        // SAFETY: as above.
        unsafe { t.as_ptr().add(n - 1).write(1) };
        let z = Storage::zeroed(n).unwrap();
        // SAFETY: `n` bytes were allocated.
        let bytes = unsafe { std::slice::from_raw_parts(z.as_ptr(), n) };
        assert!(bytes.iter().all(|&b| b == 0));
        drop(t);
        assert!(cache::bytes() <= cache::MAX_BYTES);
        cache::clear();
    }

    #[test]
    fn versions_count_writes() {
        let s = Storage::zeroed(8).unwrap();
        s.bump_version();
        s.bump_version();
        assert_eq!(s.version(), 2);
    }
}
