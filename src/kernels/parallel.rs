//! The thread pool and the one rule for when a kernel goes parallel.
//!
//! rayon's global pool does not survive `fork()`: its worker threads do not exist in the child,
//! and the first parallel call there waits forever. DataLoader workers and `multiprocessing`
//! fork, so rustgrad keeps its own pool tagged with the process id, and a process that finds a
//! pool made by its parent builds a new one (the parent's is leaked: dropping it could block on
//! locks copied mid-use).

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

/// Splits `0..n` into contiguous chunks and runs `f(start, end)` on each, in parallel when
/// `n` is large enough and serially otherwise.
pub fn for_each_chunk(n: usize, f: impl Fn(usize, usize) + Sync + Send) {
    if !worth_parallel(n) {
        if n > 0 {
            f(0, n);
        }
        return;
    }
    let threads = num_threads();
    // A few chunks per thread balance uneven cores; no chunk is smaller than the threshold / 4.
    let chunks = (threads * 4).min(n.div_ceil(PARALLEL_THRESHOLD / 4)).max(1);
    par_ranges(n, n.div_ceil(chunks), f);
}

/// Runs `f(start, end)` over `0..n` in chunks of `chunk`, in rustgrad's thread pool.
///
/// Chunks are claimed from a counter by the calling thread and by the workers it wakes: the
/// caller starts at once instead of sleeping until a worker has woken and finished, which is
/// most of the cost of going parallel for a mid-sized kernel.
pub fn par_ranges(n: usize, chunk: usize, f: impl Fn(usize, usize) + Sync + Send) {
    let chunk = chunk.max(1);
    let n_chunks = n.div_ceil(chunk);
    let next = AtomicUsize::new(0);
    let work = || loop {
        let c = next.fetch_add(1, Ordering::Relaxed);
        if c >= n_chunks {
            break;
        }
        let start = c * chunk;
        f(start, (start + chunk).min(n));
    };
    let threads = num_threads().min(n_chunks);
    match pool() {
        Some(p) if threads > 1 => p.in_place_scope(|s| {
            for _ in 1..threads {
                s.spawn(|_| work());
            }
            work();
        }),
        _ => work(),
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
}
