//! The thread pool and the one rule for when a kernel goes parallel.
//!
//! rayon's global pool does not survive `fork()`: its worker threads do not exist in the child,
//! and the first parallel call there waits forever. DataLoader workers and `multiprocessing`
//! fork, so rustgrad keeps its own pool tagged with the process id, and a process that finds a
//! pool made by its parent builds a new one (the parent's is leaked: dropping it could block on
//! locks copied mid-use).

use std::any::Any;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use rayon::{ThreadPool, ThreadPoolBuilder};

/// Elementwise kernels with fewer elements than this stay on the calling thread: below it the
/// cost of waking a worker exceeds the work.
pub const PARALLEL_THRESHOLD: usize = 1 << 15;

struct Pool {
    pid: u32,
    threads: usize,
    pool: Arc<ThreadPool>,
}

static POOL: Mutex<Option<Pool>> = Mutex::new(None);
static REQUESTED: Mutex<Option<usize>> = Mutex::new(None);

/// The machine's parallelism, asked once: `available_parallelism` reads cgroup files (tens of
/// microseconds), far too slow for every kernel call.
fn default_threads() -> usize {
    static DEFAULT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *DEFAULT.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The pool of this process, built on first use (and again after a fork). `None` when no
/// thread could be started; kernels then run on the calling thread.
fn pool() -> Option<Arc<ThreadPool>> {
    let pid = std::process::id();
    let mut guard = POOL.lock();
    if let Some(p) = guard.as_ref() {
        if p.pid == pid {
            return Some(p.pool.clone());
        }
    }
    if let Some(stale) = guard.take() {
        // The parent's pool: its threads are gone in this process. Never drop it.
        std::mem::forget(stale);
    }
    let threads = REQUESTED.lock().unwrap_or_else(default_threads);
    let pool = ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("rustgrad-{i}"))
        .build()
        .ok()
        .map(Arc::new)?;
    *guard = Some(Pool {
        pid,
        threads,
        pool: pool.clone(),
    });
    Some(pool)
}

/// Number of threads parallel kernels use.
pub fn num_threads() -> usize {
    REQUESTED.lock().unwrap_or_else(default_threads)
}

/// Sets the number of threads parallel kernels use (at least 1).
pub fn set_num_threads(n: usize) {
    let n = n.max(1);
    *REQUESTED.lock() = Some(n);
    let mut guard = POOL.lock();
    if guard.as_ref().is_some_and(|p| p.threads != n) {
        *guard = None;
    }
}

/// Runs `f` inside the pool, so that rayon calls within it (and gemm's) use rustgrad's threads.
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    match pool() {
        Some(p) if num_threads() > 1 => p.install(f),
        _ => f(),
    }
}

/// Should a kernel over `work` elements run in parallel?
pub fn worth_parallel(work: usize) -> bool {
    work >= PARALLEL_THRESHOLD && num_threads() > 1
}

/// Elements of work per chunk that [`chunk_len`] aims at (1 MiB of float32, some tens of
/// microseconds): small enough that a worker which wakes late still takes its share, large
/// enough that claiming a chunk costs nothing in comparison.
pub const CHUNK_WORK: usize = 1 << 18;

/// A chunk length for splitting `n` items of `work_per_item` elements each over the threads:
/// at most [`CHUNK_WORK`] elements per chunk, and at least four chunks per thread.
pub fn chunk_len(n: usize, work_per_item: usize) -> usize {
    let by_work = CHUNK_WORK / work_per_item.max(1);
    let by_threads = n.div_ceil(num_threads() * 4);
    by_work.min(by_threads).max(1)
}

/// Splits `0..n` into contiguous chunks and runs `f(start, end)` on each, in parallel when
/// `n` is large enough and serially otherwise.
pub fn for_each_chunk(n: usize, f: impl Fn(usize, usize) + Sync + Send) {
    if !worth_parallel(n) {
        if n > 0 {
            f(0, n);
        }
        return;
    }
    par_ranges(n, chunk_len(n, 1), f);
}

/// The chunk counters of one [`par_ranges`] call, shared with its worker tasks. A task may
/// run after the call has returned (it then finds no chunk left), so this outlives the call.
struct Chunks {
    /// Each thread's share: `next[p]` is the next chunk of part `p`, which ends at `ends[p]`.
    next: Vec<AtomicUsize>,
    ends: Vec<usize>,
    /// Chunks finished.
    done: AtomicUsize,
    /// The first panic of a chunk, re-raised by the caller.
    panic: Mutex<Option<Box<dyn Any + Send>>>,
    n: usize,
    chunk: usize,
}

/// The borrowed `f` of a [`par_ranges`] call, with its lifetime erased so that a `'static`
/// worker task can hold it. Only dereferenced after claiming a chunk (see [`Chunks::run`]).
#[derive(Clone, Copy)]
struct TaskPtr(*const (dyn Fn(usize, usize) + Sync));

// SAFETY: the pointee is `Sync`, and the pointer is only dereferenced while `par_ranges`
// keeps it alive (see `Chunks::run`).
unsafe impl Send for TaskPtr {}

impl Chunks {
    /// Claims and runs the chunks of `part`, then helps with the other parts, until no chunk
    /// is left.
    ///
    /// # Safety
    /// `task` must be alive until `done` counts every chunk. The caller of [`par_ranges`] waits
    /// for that before its `f` goes, and a chunk is claimed before `task` is touched, so a
    /// task that runs late (every chunk claimed) never dereferences it.
    unsafe fn run(&self, part: usize, task: TaskPtr) {
        let parts = self.ends.len();
        // Own part first, then the others' (from their current front).
        for q in (part..parts).chain(0..part) {
            loop {
                let c = self.next[q].fetch_add(1, Ordering::Relaxed);
                if c >= self.ends[q] {
                    break;
                }
                let start = c * self.chunk;
                let end = (start + self.chunk).min(self.n);
                // SAFETY: chunk `c` is claimed and not yet counted in `done`, so `task` is
                // alive.
                let f = unsafe { &*task.0 };
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| f(start, end))) {
                    self.panic.lock().get_or_insert(payload);
                }
                // Release: the chunk's writes happen before the caller sees it done.
                self.done.fetch_add(1, Ordering::Release);
            }
        }
    }
}

/// Runs `f(start, end)` over `0..n` in chunks of `chunk`, in rustgrad's thread pool.
///
/// Each of the calling thread and the worker tasks it starts owns a contiguous share of the
/// chunks (long sequential streams suit the memory system best) and claims them from a counter;
/// a thread that has finished its share takes chunks from the others'. The call returns as
/// soon as every chunk is finished: it never waits for a worker to wake up (on a virtual
/// machine that can take longer than the whole kernel), only for the chunks that workers have
/// claimed. A task that starts after the last chunk was claimed finds nothing to do. A panic in
/// `f` is re-raised here, with its own message, once every chunk is finished.
pub fn par_ranges(n: usize, chunk: usize, f: impl Fn(usize, usize) + Sync + Send) {
    let chunk = chunk.max(1);
    let count = n.div_ceil(chunk);
    let threads = num_threads().min(count);
    let pool = if threads > 1 { pool() } else { None };
    let Some(pool) = pool else {
        for c in 0..count {
            let start = c * chunk;
            f(start, (start + chunk).min(n));
        }
        return;
    };
    let first = |p: usize| p * count / threads;
    let chunks = Arc::new(Chunks {
        next: (0..threads).map(|p| AtomicUsize::new(first(p))).collect(),
        ends: (0..threads).map(|p| first(p + 1)).collect(),
        done: AtomicUsize::new(0),
        panic: Mutex::new(None),
        n,
        chunk,
    });
    let borrowed: *const (dyn Fn(usize, usize) + Sync + '_) = &f;
    // SAFETY: only the lifetime bound changes (same fat pointer); `Chunks::run` explains why
    // the pointer is never used after `f` is dropped.
    let task = TaskPtr(unsafe {
        std::mem::transmute::<
            *const (dyn Fn(usize, usize) + Sync + '_),
            *const (dyn Fn(usize, usize) + Sync + 'static),
        >(borrowed)
    });
    for part in 1..threads {
        let chunks = chunks.clone();
        // SAFETY: as for the caller's own `run` below.
        pool.spawn(move || unsafe { chunks.run(part, task) });
    }
    // SAFETY: `f` lives until after the wait below, which ends once every chunk is done.
    unsafe { chunks.run(0, task) };
    let mut spins = 0u32;
    while chunks.done.load(Ordering::Acquire) < count {
        // Chunks are short: spin first, then let a descheduled worker have the core.
        if spins < 1 << 10 {
            std::hint::spin_loop();
            spins += 1;
        } else {
            std::thread::yield_now();
        }
    }
    let panic = chunks.panic.lock().take();
    if let Some(payload) = panic {
        resume_unwind(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_once() {
        let n = PARALLEL_THRESHOLD * 3 + 17;
        let total = AtomicUsize::new(0);
        for_each_chunk(n, |s, e| {
            total.fetch_add(e - s, Ordering::Relaxed);
        });
        assert_eq!(total.load(Ordering::Relaxed), n);
    }

    #[test]
    fn every_chunk_is_finished_before_the_call_returns() {
        // Many short calls: worker tasks often start after their call has returned, and
        // must then find nothing to do (the borrowed data below is gone by then).
        for round in 0..2000 {
            let n = 64 + round % 7;
            let hits: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
            par_ranges(n, 3, |s, e| {
                for h in &hits[s..e] {
                    h.fetch_add(1, Ordering::Relaxed);
                }
            });
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
        }
    }

    #[test]
    fn nested_calls_complete() {
        let total = AtomicUsize::new(0);
        par_ranges(8, 1, |_, _| {
            par_ranges(100, 10, |s, e| {
                total.fetch_add(e - s, Ordering::Relaxed);
            });
        });
        assert_eq!(total.load(Ordering::Relaxed), 800);
    }

    #[test]
    fn a_panic_in_a_chunk_is_raised_after_the_others_finish() {
        let done = AtomicUsize::new(0);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| {
            par_ranges(64, 1, |s, _| {
                if s == 5 {
                    panic!("chunk 5");
                }
                done.fetch_add(1, Ordering::Relaxed);
            })
        }));
        let payload = result.expect_err("the panic reaches the caller");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"chunk 5"));
        assert_eq!(done.load(Ordering::Relaxed), 63);
    }
}
