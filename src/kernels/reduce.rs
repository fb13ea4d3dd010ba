//! The reduction driver: folds the elements of a strided input along some dimensions into one
//! accumulator per output element.
//!
//! An input is split into *kept* dimensions (one output element per index) and *reduced* ones
//! (folded together). Two loop orders cover every layout:
//! - **horizontal**: for each output, walk its reduced elements; used when the reduced elements
//!   are contiguous (`x.sum(-1)`, `x.sum()`), where [`Fold::fold_slice`] runs a vectorised loop;
//! - **vertical**: for a run of outputs that are contiguous in the input, walk the reduced
//!   positions and update the whole run at once (`x.sum(0)` of a row-major matrix), which
//!   vectorises across the outputs.
//!
//! Work above the parallel threshold is split over outputs when there are enough of them, and
//! otherwise over the reduced range, whose partial accumulators are then merged in order.

// Re-exported: `par_ranges` lived here first (the matmul kernels import it from here).
use std::mem::MaybeUninit;

use smallvec::SmallVec;

use super::folds::{LANES, WIDE};
pub use super::parallel::par_ranges;
use super::parallel::{chunk_len, num_threads, worth_parallel, CHUNK_WORK};
use super::simd;
use super::strided::for_each_run;
use super::SendPtr;
use crate::layout::{coalesce, Shape, Strides};

/// How a reduction combines elements. `idx` is an element's row-major position among the
/// reduced elements of its output (used by `argmax`).
pub trait Fold<T>: Sync {
    type Acc: Copy + Send + Sync;
    /// Whether elements may be folded in any order, partial accumulators merged in any order,
    /// with the same result up to rounding (sums, extremes, logic; not `argmax`, whose ties go
    /// to the first). Vertical reductions of narrow rows then interleave rows (see
    /// [`fold_narrow`]).
    const ORDER_FREE: bool = false;
    /// The accumulator before any element.
    fn identity(&self) -> Self::Acc;
    fn step(&self, acc: Self::Acc, x: T, idx: usize) -> Self::Acc;
    /// Combines the accumulators of two consecutive ranges, `a` covering the earlier one.
    fn merge(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    /// Whether [`fold_slice`](Self::fold_slice) has a hand-written vector loop on this CPU that
    /// is fast even for runs shorter than a vector (then short rows are folded one at a time
    /// rather than eight together by `step`).
    fn fast_short_slices(&self) -> bool {
        false
    }
    /// Folds each of `len` contiguous columns down `rows` rows `stride` apart (a vertical
    /// reduction) into `out`, by a hand-written vector loop where the fold has one on this CPU;
    /// false (nothing written) otherwise.
    ///
    /// # Safety
    /// `src` must be valid for `rows` rows of `len` elements `stride` apart, `out` for `len`
    /// writes.
    unsafe fn fast_columns(
        &self,
        _src: *const T,
        _rows: usize,
        _stride: usize,
        _out: *mut Self::Acc,
        _len: usize,
    ) -> bool {
        false
    }
    /// Folds a contiguous run whose first element has position `idx0`. Folds override this
    /// with a vectorised (and, for sums, pairwise) loop.
    fn fold_slice(&self, acc: Self::Acc, xs: &[T], idx0: usize) -> Self::Acc
    where
        T: Copy,
    {
        xs.iter()
            .enumerate()
            .fold(acc, |a, (i, &x)| self.step(a, x, idx0 + i))
    }
}

/// The kept and reduced dimensions of an input, each coalesced; outputs are numbered row-major
/// over the kept dimensions.
#[derive(Clone, Debug)]
pub struct ReduceGeom {
    pub kept_shape: Shape,
    pub kept_strides: Strides,
    pub red_shape: Shape,
    pub red_strides: Strides,
}

impl ReduceGeom {
    /// Splits `shape`/`strides` by `reduced[d]`.
    pub fn new(shape: &[usize], strides: &[usize], reduced: &[bool]) -> ReduceGeom {
        let mut kept: (Shape, Strides) = Default::default();
        let mut red: (Shape, Strides) = Default::default();
        for d in 0..shape.len() {
            let side = if reduced[d] { &mut red } else { &mut kept };
            side.0.push(shape[d]);
            side.1.push(strides[d]);
        }
        let n_kept: usize = kept.0.iter().product();
        let n_red: usize = red.0.iter().product();
        let (kept_shape, [kept_strides]) = if n_kept == 0 {
            (kept.0, [kept.1])
        } else {
            coalesce(&kept.0, [&kept.1])
        };
        let (red_shape, [red_strides]) = if n_red == 0 {
            (red.0, [red.1])
        } else {
            coalesce(&red.0, [&red.1])
        };
        ReduceGeom {
            kept_shape,
            kept_strides,
            red_shape,
            red_strides,
        }
    }

    pub fn n_out(&self) -> usize {
        self.kept_shape.iter().product()
    }

    pub fn n_red(&self) -> usize {
        self.red_shape.iter().product()
    }

    fn inner(shape: &Shape, strides: &Strides) -> (usize, usize) {
        match (shape.last(), strides.last()) {
            (Some(&n), Some(&s)) => (n, s),
            _ => (1, 0),
        }
    }

    /// The same reduction with the reduced dimensions ordered by stride, largest first (and
    /// coalesced again), as folds whose order does not matter may take them: the innermost
    /// then reads memory in order (`x.T.sum()` of a (1000, 100) float32 matrix: 56 -> 3 µs).
    fn reduced_in_memory_order(&self) -> ReduceGeom {
        let mut dims: SmallVec<[(usize, usize); 4]> = self
            .red_shape
            .iter()
            .copied()
            .zip(self.red_strides.iter().copied())
            .collect();
        dims.sort_by_key(|&(_, stride)| std::cmp::Reverse(stride));
        let shape: Shape = dims.iter().map(|d| d.0).collect();
        let strides: Strides = dims.iter().map(|d| d.1).collect();
        let (red_shape, [red_strides]) = coalesce(&shape, [&strides]);
        ReduceGeom {
            kept_shape: self.kept_shape.clone(),
            kept_strides: self.kept_strides.clone(),
            red_shape,
            red_strides,
        }
    }

    /// For a reduction ending in a contiguous run of reduced elements under other reduced
    /// dimensions (`x.sum((0, 2))` of a (64, 100, 50) tensor, or a sliced input): that run's
    /// length and the geometry with it kept, innermost (see [`process_runs_kept`] and
    /// [`process_runs_in_order`]).
    fn inner_run(&self) -> Option<(usize, ReduceGeom)> {
        let (len, rs) = Self::inner(&self.red_shape, &self.red_strides);
        if rs != 1 || self.red_shape.len() < 2 || len < 2 {
            return None;
        }
        let mut kept_shape = self.kept_shape.clone();
        let mut kept_strides = self.kept_strides.clone();
        kept_shape.push(len);
        kept_strides.push(1);
        let (kept_shape, [kept_strides]) = coalesce(&kept_shape, [&kept_strides]);
        let outer = self.red_shape.len() - 1;
        Some((
            len,
            ReduceGeom {
                kept_shape,
                kept_strides,
                red_shape: self.red_shape[..outer].into(),
                red_strides: self.red_strides[..outer].into(),
            },
        ))
    }

    /// Outputs contiguous in the input while the reduced elements are not: update runs of
    /// outputs together.
    pub fn vertical(&self) -> bool {
        let (kn, ks) = Self::inner(&self.kept_shape, &self.kept_strides);
        let (_, rs) = Self::inner(&self.red_shape, &self.red_strides);
        kn > 1 && rs != 1 && ks < rs
    }
}

/// Outputs per vertical tile: whole rows of common widths, read sequentially.
const TILE: usize = 4096;
/// Reduced positions folded into a tile's partial accumulators before they are merged into
/// the totals (blocked summation bounds the rounding error of long vertical sums).
pub(crate) const BLOCK: usize = 128;

/// The longest run of [`ReduceGeom::inner_run`] folded in two stages ([`process_runs_kept`]),
/// unless all the outputs' runs fit in one tile (`x[::2].sum()` of (1000, 100) float32: 7.6 ->
/// 3.0 µs); longer ones spend little in their one horizontal step each, and are folded in
/// memory order.
const SHORT_RUN: usize = 64;

/// Whether `outputs` outputs with inner runs of `len` ([`ReduceGeom::inner_run`]) are folded in
/// memory order ([`process_runs_in_order`]) rather than in two stages ([`process_runs_kept`]).
fn runs_in_order(len: usize, outputs: usize) -> bool {
    len > SHORT_RUN && outputs * len > TILE
}

/// The largest distance between outputs of a vertical reduction that folds every column of
/// their span (see [`fold_vertical`]).
const SPAN_MAX_STRIDE: usize = 4;

/// Values of a strided run copied together before they are folded (see [`fold_one`]).
const GATHER: usize = 256;

/// Rows shorter than [`LANES`] folded together (see `process`).
const SHORT_ROWS: usize = 8;

/// Reductions reading fewer bytes than this stay on the calling thread: they read each
/// element once, and below a quarter megabyte they finish in a couple of microseconds, about
/// what waking a second thread costs. Above it a second thread that is awake takes its share
/// (`(1000, 100).sum(1)` in float32: 5.5 -> 4.4 µs; PyTorch splits it too), and the calling
/// thread never waits for one that is asleep (see [`par_ranges`](super::parallel::par_ranges)).
const PARALLEL_MIN_BYTES: usize = 1 << 18;

/// Vertical reductions reading less than this (a core's L2 cache) give each thread one
/// stripe of whole columns: each core then keeps reading the same part of an input it holds,
/// writes its own outputs, and no row of partial results crosses to the other core to be merged
/// (on this machine the cores are far apart: a 32 KiB row written by one takes the other 2 µs
/// to read, four times its own; `(50, 4000).prod(0)` on two threads 12.9 -> 6.9 µs, `amax` of
/// (100, 4000) 14.4 -> 10.2). Larger ones, read from memory, are split in more chunks than
/// threads, so that a worker that starts late still takes its share.
const STRIPES_MAX_BYTES: usize = 2 << 20;
/// Stripes hold whole multiples of this many columns (a vertical tile's width).
const STRIPE_ALIGN: usize = 64;

/// Folds `src` (laid out as `geom` says) into `out[0..geom.n_out()]`, writing every one of
/// them (`out` may be uninitialised).
///
/// # Safety
/// `src` must be valid for every offset the geometry reaches, and `out` for `n_out` writes.
pub unsafe fn reduce<T, F>(src: *const T, geom: &ReduceGeom, out: *mut F::Acc, fold: &F)
where
    T: Copy + Send + Sync,
    F: Fold<T>,
{
    let (n_out, n_red) = (geom.n_out(), geom.n_red());
    if n_out == 0 {
        return;
    }
    let in_memory_order;
    let geom = if F::ORDER_FREE && n_red > 0 && geom.red_shape.len() > 1 {
        in_memory_order = geom.reduced_in_memory_order();
        &in_memory_order
    } else {
        geom
    };
    let src = SendPtr(src as *mut T);
    let out = SendPtr(out);
    // The size first: asking for the thread count takes a lock.
    let work = n_out.saturating_mul(n_red);
    // Strided values (other than down columns) are read one at a time, at about four times a
    // contiguous value's cost: counted so for the threshold (`x[:, ::2].sum(1)` of a (1000,
    // 100) float32 matrix, 200 KB, takes 15 µs on one thread).
    let vertical = geom.vertical();
    let (_, rs) = ReduceGeom::inner(&geom.red_shape, &geom.red_strides);
    let per_value = if rs != 1 && !vertical { 4 } else { 1 };
    let bytes = work.saturating_mul(std::mem::size_of::<T>() * per_value);
    if bytes < PARALLEL_MIN_BYTES || !worth_parallel(work) {
        // SAFETY: forwarded from the caller.
        unsafe { process(src.get(), geom, 0, n_out, 0, n_red, out.get(), fold) };
        return;
    }
    let threads = num_threads();
    // Vertical reductions of what the cores' caches hold: one stripe of columns per thread.
    let stripes = vertical && bytes < STRIPES_MAX_BYTES && n_out >= STRIPE_ALIGN * threads;
    // Larger ones read whole rows per thread, the rows split between threads.
    let split_rows = vertical && !stripes && n_red >= 4 * threads && n_out <= 4 * TILE;
    if stripes || (n_out >= 4 * threads && !split_rows) {
        let in_order = F::ORDER_FREE
            && !vertical
            && geom
                .inner_run()
                .is_some_and(|(len, _)| runs_in_order(len, n_out.div_ceil(threads)));
        let chunk = if stripes {
            n_out.div_ceil(threads).next_multiple_of(STRIPE_ALIGN)
        } else if in_order {
            // one share of outputs per thread, its runs read in memory order
            n_out.div_ceil(threads)
        } else {
            chunk_len(n_out, n_red)
        };
        par_ranges(n_out, chunk, |o0, o1| {
            // SAFETY: each task writes its own range of outputs.
            unsafe { process(src.get(), geom, o0, o1, 0, n_red, out.get().add(o0), fold) };
        });
    } else {
        // Few outputs, long reductions: split the reduced range, then merge in order.
        // Vertical sums merge a row of partial accumulators per part: one part per thread
        // (each part's set-up and merge cost more than the imbalance saves) unless the parts
        // would be long enough for an uneven split between the threads to show.
        let chunk = if split_rows {
            let per_thread = if work >= 4 * threads * CHUNK_WORK {
                4
            } else {
                1
            };
            n_red.div_ceil(threads * per_thread)
        } else {
            // whole short inner runs, which `process` folds in two stages
            let run = match geom.inner_run() {
                Some((len, _)) if F::ORDER_FREE && !vertical => len,
                _ => 1,
            };
            chunk_len(n_red, n_out).next_multiple_of(run)
        };
        let n_parts = n_red.div_ceil(chunk);
        // The first part folds into `out`, the others into rows of partial results.
        let mut partial: Vec<F::Acc> = Vec::with_capacity((n_parts - 1) * n_out);
        let parts = SendPtr(partial.as_mut_ptr());
        par_ranges(n_red, chunk, |r0, r1| {
            let p = r0 / chunk;
            let dst = if p == 0 {
                out.get()
            } else {
                // SAFETY: part `p > 0` writes row `p - 1` of `partial`'s capacity.
                unsafe { parts.get().add((p - 1) * n_out) }
            };
            // SAFETY: each part writes every output of its own row.
            unsafe { process(src.get(), geom, 0, n_out, r0, r1, dst, fold) };
        });
        // SAFETY: every part wrote its whole row (`process` writes every output).
        unsafe { partial.set_len((n_parts - 1) * n_out) };
        // SAFETY: the caller's `out` holds `n_out` outputs, written by part 0.
        let out = unsafe { std::slice::from_raw_parts_mut(out.get(), n_out) };
        // Part after part, along contiguous rows of partial results (a loop over outputs
        // gathering each one's parts `n_out` apart cost more than the folding for short, wide
        // matrices).
        simd::best(
            #[inline(always)]
            || {
                for part in partial.chunks_exact(n_out) {
                    for (o, &p) in out.iter_mut().zip(part) {
                        *o = fold.merge(*o, p);
                    }
                }
            },
        );
    }
}

/// For each of `values.len()` contiguous columns, the first of `rows` rows (`row_stride` apart,
/// starting at `src`) that holds the column's value (NaN matching NaN), or -1: the second pass
/// of a column-wise `argmax` once the vertical `amax` has found the values.
///
/// Tiles of [`WIDE`] columns (or [`LANES`] for narrower rows; a last partial tile overlaps the
/// one before) are tested down the rows, whole vectors with no branch, each column keeping the
/// first row that matches, until every column has one (see [`RowSearch::tiles`]). Contiguous
/// rows narrower than a vector are tested [`WIDE`] values at a time, several rows in one
/// vector (as in [`fold_narrow`]).
///
/// # Safety
/// `src` must be valid for reads of `rows` rows of `values.len()` elements `row_stride` apart.
pub unsafe fn first_rows_matching<T: Copy + PartialEq>(
    src: *const T,
    rows: usize,
    row_stride: usize,
    values: &[T],
    out: &mut [i64],
) {
    let width = values.len();
    out.fill(-1);
    if width == 0 || rows == 0 {
        return;
    }
    let mut search = RowSearch::new(values);
    let tiles = rows <= i32::MAX as usize;
    if tiles && width >= WIDE {
        // SAFETY: forwarded.
        unsafe { search.tiles::<WIDE>(src, rows, row_stride, out) };
    } else if tiles && width >= LANES {
        // SAFETY: forwarded.
        unsafe { search.tiles::<LANES>(src, rows, row_stride, out) };
    } else if width < LANES && row_stride == width {
        // SAFETY: the rows are one contiguous run of `rows * width` values.
        let xs = unsafe { std::slice::from_raw_parts(src, rows * width) };
        search.narrow(xs, out);
    } else {
        for r in 0..rows {
            // SAFETY: row `r` lies inside the caller's buffer.
            let row = unsafe { std::slice::from_raw_parts(src.add(r * row_stride), width) };
            if search.take(row, 0, r, out) {
                return;
            }
        }
    }
}

/// The state of [`first_rows_matching`]: each column's value and whether it is still open.
struct RowSearch<'a, T> {
    values: &'a [T],
    open: Vec<bool>,
    left: usize,
}

/// Rows tested across all tiles between checks that a tile's columns all have their row.
const CHECK: usize = 32;

/// For each column `j` of the tiles of `rows` (`tile(r)`) still without a row (`first[j]` is
/// -1), the first row holding `pattern[j]` (NaN matching NaN when `NAN`: without NaN in the
/// pattern one comparison suffices).
#[inline(always)]
fn first_hits<'t, T: Copy + PartialEq + 't, const TW: usize, const NAN: bool>(
    rows: std::ops::Range<usize>,
    tile: impl Fn(usize) -> &'t [T; TW],
    pattern: &[T; TW],
    first: &mut [i32; TW],
) {
    simd::best(
        #[inline(always)]
        || {
            // Local copies (kept in registers: the tiles cannot alias them), a plain loop (an
            // iterator adaptor's closure may be compiled out of line) and a select, not a
            // branch: vectorised.
            let (mut found, pattern) = (*first, *pattern);
            for r in rows.clone() {
                let xs = tile(r);
                for j in 0..TW {
                    let hit = if NAN {
                        same(xs[j], pattern[j])
                    } else {
                        xs[j] == pattern[j]
                    };
                    found[j] = if hit & (found[j] < 0) {
                        r as i32
                    } else {
                        found[j]
                    };
                }
            }
            *first = found;
        },
    )
}

/// `x` is `v`, NaN matching NaN (a NaN-propagating maximum returns NaN).
#[inline(always)]
#[allow(clippy::eq_op)]
fn same<T: PartialEq>(x: T, v: T) -> bool {
    (x == v) | ((x != x) & (v != v))
}

impl<'a, T: Copy + PartialEq> RowSearch<'a, T> {
    fn new(values: &'a [T]) -> Self {
        RowSearch {
            values,
            open: vec![true; values.len()],
            left: values.len(),
        }
    }

    /// Records the matches of `row` (columns `c0..`, row `r`) in open columns; returns whether
    /// every column has its row.
    fn take(&mut self, row: &[T], c0: usize, r: usize, out: &mut [i64]) -> bool {
        for (c, &x) in (c0..).zip(row) {
            if self.open[c] && same(x, self.values[c]) {
                self.open[c] = false;
                self.left -= 1;
                out[c] = r as i64;
            }
        }
        self.left == 0
    }

    /// The search by tiles of `TW <= width` columns (a last partial tile overlapping the one
    /// before: its columns find the same rows), [`CHECK`] rows at a time across all the tiles
    /// (reading memory nearly in order): whole vectors with no branch, a column taking the
    /// row of its first match, until every column has one. (A loop that left the vector code
    /// at each row with a match spent 100 ns there: argmax down (100, 4000) took 450 µs.)
    ///
    /// # Safety
    /// As for [`first_rows_matching`], and `rows <= i32::MAX`.
    unsafe fn tiles<const TW: usize>(
        &self,
        src: *const T,
        rows: usize,
        row_stride: usize,
        out: &mut [i64],
    ) {
        let width = self.values.len();
        let starts: Vec<usize> = (0..width.div_ceil(TW))
            .map(|t| (t * TW).min(width - TW))
            .collect();
        let patterns: Vec<[T; TW]> = starts
            .iter()
            .map(|&c0| std::array::from_fn(|j| self.values[c0 + j]))
            .collect();
        #[allow(clippy::eq_op)]
        let nan: Vec<bool> = patterns.iter().map(|p| p.iter().any(|&v| v != v)).collect();
        let mut first = vec![[-1i32; TW]; starts.len()];
        let mut open: Vec<usize> = (0..starts.len()).collect();
        let mut r0 = 0;
        while r0 < rows && !open.is_empty() {
            let r1 = (r0 + CHECK).min(rows);
            for &t in &open {
                // SAFETY: columns `c0..c0 + TW` of row `r < rows` lie inside the caller's
                // buffer.
                let tile =
                    |r: usize| unsafe { &*src.add(r * row_stride + starts[t]).cast::<[T; TW]>() };
                if nan[t] {
                    first_hits::<T, TW, true>(r0..r1, tile, &patterns[t], &mut first[t]);
                } else {
                    first_hits::<T, TW, false>(r0..r1, tile, &patterns[t], &mut first[t]);
                }
            }
            open.retain(|&t| first[t].contains(&-1));
            r0 = r1;
        }
        for (&c0, f) in starts.iter().zip(&first) {
            for (o, &r) in out[c0..c0 + TW].iter_mut().zip(f) {
                *o = r as i64;
            }
        }
    }

    /// The search over contiguous rows narrower than a vector: [`WIDE`] values at a time from
    /// a multiple of the width, lane `j` holding column `j % width` (lanes past the last whole
    /// row are never open); rows left at the end one at a time.
    fn narrow(&mut self, xs: &[T], out: &mut [i64]) {
        let width = self.values.len();
        let period = (WIDE / width) * width;
        let pattern: [T; WIDE] = std::array::from_fn(|j| self.values[j % width]);
        let mut open: [bool; WIDE] = std::array::from_fn(|j| j < period);
        let mut k = 0;
        loop {
            // from `k`, the next chunk with a match in an open lane (`Ok`), or where the
            // chunks end (`Err`)
            let next = simd::best(
                #[inline(always)]
                || {
                    let mut k = k;
                    while let Some(chunk) = xs[k..].first_chunk::<WIDE>() {
                        let mut any = false;
                        for j in 0..WIDE {
                            any |= open[j] & same(chunk[j], pattern[j]);
                        }
                        if any {
                            return Ok(k);
                        }
                        k += period;
                    }
                    Err(k)
                },
            );
            let h = match next {
                Ok(h) => h,
                Err(end) => {
                    k = end;
                    break;
                }
            };
            for j in 0..period {
                if open[j] && same(xs[h + j], pattern[j]) {
                    let c = j % width;
                    out[c] = ((h + j) / width) as i64;
                    self.open[c] = false;
                    self.left -= 1;
                    open.iter_mut()
                        .skip(c)
                        .step_by(width)
                        .for_each(|o| *o = false);
                }
            }
            if self.left == 0 {
                return;
            }
            k = h + period;
        }
        // the last rows (fewer than WIDE values from `k`, a row boundary)
        for (i, row) in xs[k..].chunks_exact(width).enumerate() {
            if self.take(row, 0, k / width + i, out) {
                return;
            }
        }
    }
}

/// Folds reduced positions `r0..r1` of outputs `o0..o1` into `out[0..o1 - o0]`.
///
/// The vectorised leaves (a fold's contiguous slice loop, a vertical row update) run through
/// [`simd::best`], compiled for the CPU's widest vector instructions. Dispatching there rather
/// than around this whole function matters: the closures and `for_each_run` between here and
/// the leaves are not inlined, and would keep the leaves in baseline SSE2.
///
/// # Safety
/// As for [`reduce`].
#[allow(clippy::too_many_arguments)]
unsafe fn process<T: Copy, F: Fold<T>>(
    src: *const T,
    geom: &ReduceGeom,
    o0: usize,
    o1: usize,
    r0: usize,
    r1: usize,
    out: *mut F::Acc,
    fold: &F,
) {
    if F::ORDER_FREE && !geom.vertical() {
        if let Some((len, runs_kept)) = geom.inner_run() {
            if r0.is_multiple_of(len) && r1.is_multiple_of(len) {
                // SAFETY: forwarded.
                unsafe {
                    if !runs_in_order(len, o1 - o0) {
                        process_runs_kept(src, &runs_kept, len, o0, o1, r0, r1, out, fold)
                    } else {
                        process_runs_in_order(src, geom, &runs_kept, len, o0, o1, r0, r1, out, fold)
                    }
                };
                return;
            }
        }
    }
    let kept = [geom.kept_strides.clone()];
    let (_, ks) = ReduceGeom::inner(&geom.kept_shape, &geom.kept_strides);
    let vertical = geom.vertical();
    let (_, rs) = ReduceGeom::inner(&geom.red_shape, &geom.red_strides);
    // Each output's elements one contiguous run (`x.sum(-1)`): one vector dispatch for a
    // whole run of outputs rather than one per output (short rows would feel it).
    // One reduced dimension: each output's elements one run, `rs` apart.
    let rows = geom.red_shape.len() <= 1;
    for_each_run(&geom.kept_shape, &kept, o0, o1, |pos, len, [koff]| {
        // SAFETY: offsets come from the geometry; outputs `pos - o0 ..` lie in `out`.
        unsafe {
            let dst = out.add(pos - o0);
            if vertical {
                fold_vertical(src.add(koff), ks, len, geom, r0, r1, dst, fold);
            } else if rows
                && F::ORDER_FREE
                && !fold.fast_short_slices()
                && (2..=SPAN_MAX_STRIDE).contains(&rs)
                && r1 - r0 > LANES
            {
                // Rows of values a few elements apart: each a vector at a time
                // (`x[:, ::2].sum(1)` of a (1000, 100) float32 matrix: 14.8 -> 10.2 µs,
                // PyTorch 11.5).
                simd::best(
                    #[inline(always)]
                    || {
                        for j in 0..len {
                            let mut lanes = SpacedLanes::new(fold);
                            let p = src.add(koff + j * ks + r0 * rs);
                            lanes.step_run(fold, p, r1 - r0, rs);
                            *dst.add(j) = lanes.finish(fold);
                        }
                    },
                );
            } else if rows
                && !fold.fast_short_slices()
                && (r1 - r0 < LANES || rs != 1 && len >= SHORT_ROWS)
            {
                // Short rows, or strided ones: [`SHORT_ROWS`] rows advance together, their
                // chains of steps overlapping (each row's elements still fold in order).
                // (`x[:, ::2].sum(1)` of a (1000, 100) float32 matrix: 22 -> 15 µs.)
                simd::best(
                    #[inline(always)]
                    || {
                        let mut j = 0;
                        while j + SHORT_ROWS <= len {
                            let mut acc = [fold.identity(); SHORT_ROWS];
                            for i in r0..r1 {
                                for (g, a) in acc.iter_mut().enumerate() {
                                    let x = *src.add(koff + (j + g) * ks + i * rs);
                                    *a = fold.step(*a, x, i);
                                }
                            }
                            for (g, &a) in acc.iter().enumerate() {
                                *dst.add(j + g) = a;
                            }
                            j += SHORT_ROWS;
                        }
                        for j in j..len {
                            let mut a = fold.identity();
                            for i in r0..r1 {
                                a = fold.step(a, *src.add(koff + j * ks + i * rs), i);
                            }
                            *dst.add(j) = a;
                        }
                    },
                );
            } else if rows {
                simd::best(
                    #[inline(always)]
                    || {
                        for j in 0..len {
                            *dst.add(j) = if rs == 1 {
                                let p = src.add(koff + j * ks + r0);
                                fold.fold_slice(
                                    fold.identity(),
                                    std::slice::from_raw_parts(p, r1 - r0),
                                    r0,
                                )
                            } else {
                                fold_strided(src.add(koff + j * ks), geom, r0, r1, fold)
                            };
                        }
                    },
                );
            } else {
                for j in 0..len {
                    *dst.add(j) = fold_one(src.add(koff + j * ks), geom, r0, r1, fold);
                }
            }
        }
    });
}

/// [`process`] in two stages for [`ReduceGeom::inner_run`]'s reductions of runs up to
/// [`SHORT_RUN`]: the outputs `o0..o1` a tile at a time, each tile's runs of `len` partial
/// results folded in `runs_kept` (the geometry with the run kept: a vertical reduction, whole
/// vectors), then each run merged into its output. One horizontal step per output rather than
/// one per run: (64, 100, 50).sum((0, 2)) 67 -> 17 µs.
///
/// # Safety
/// As for [`reduce`]; `r0` and `r1` are multiples of `len`.
#[allow(clippy::too_many_arguments)]
unsafe fn process_runs_kept<T: Copy, F: Fold<T>>(
    src: *const T,
    runs_kept: &ReduceGeom,
    len: usize,
    o0: usize,
    o1: usize,
    r0: usize,
    r1: usize,
    out: *mut F::Acc,
    fold: &F,
) {
    let per_tile = (TILE / len).max(1);
    let mut runs: Vec<F::Acc> = Vec::with_capacity(per_tile * len);
    for t0 in (o0..o1).step_by(per_tile) {
        let t1 = (t0 + per_tile).min(o1);
        // SAFETY: `runs_kept` reaches the same elements; its outputs `t0 * len..t1 * len` are
        // the runs of outputs `t0..t1`, written (every one) into `runs`' capacity.
        unsafe {
            process(
                src,
                runs_kept,
                t0 * len,
                t1 * len,
                r0 / len,
                r1 / len,
                runs.as_mut_ptr(),
                fold,
            );
            runs.set_len((t1 - t0) * len);
        }
        simd::best(
            #[inline(always)]
            || {
                for (j, run) in runs.chunks_exact(len).enumerate() {
                    // SAFETY: output `t0 + j` lies in `o0..o1`, the caller's `out`.
                    unsafe { *out.add(t0 + j - o0) = merge_run(fold, run) };
                }
            },
        );
        runs.clear();
    }
}

/// [`process`] for [`ReduceGeom::inner_run`]'s reductions with runs longer than
/// [`SHORT_RUN`], in memory order: each position of the outer reduced dimensions in turn
/// (`runs_kept`'s reduced ones), every output folding its run there. (Output by output, the
/// runs of one are far apart in memory, and reading them output after output keeps one stream
/// per outer position going: slower than PyTorch, which reads memory in order.)
///
/// # Safety
/// As for [`process_runs_kept`].
#[allow(clippy::too_many_arguments)]
unsafe fn process_runs_in_order<T: Copy, F: Fold<T>>(
    src: *const T,
    geom: &ReduceGeom,
    runs_kept: &ReduceGeom,
    len: usize,
    o0: usize,
    o1: usize,
    r0: usize,
    r1: usize,
    out: *mut F::Acc,
    fold: &F,
) {
    // SAFETY: the caller's `out` holds outputs `o0..o1`.
    let out = unsafe { std::slice::from_raw_parts_mut(out, o1 - o0) };
    out.fill(fold.identity());
    let kept = [geom.kept_strides.clone()];
    let (_, ks) = ReduceGeom::inner(&geom.kept_shape, &geom.kept_strides);
    let outer = [runs_kept.red_strides.clone()];
    let (_, os) = ReduceGeom::inner(&runs_kept.red_shape, &runs_kept.red_strides);
    let out = &mut *out;
    for_each_run(
        &runs_kept.red_shape,
        &outer,
        r0 / len,
        r1 / len,
        |rpos, rlen, [roff]| {
            for i in 0..rlen {
                let at = roff + i * os;
                for_each_run(&geom.kept_shape, &kept, o0, o1, |pos, klen, [koff]| {
                    simd::best(
                        #[inline(always)]
                        || {
                            for j in 0..klen {
                                // SAFETY: the run of output `pos + j` at outer position
                                // `rpos + i` lies inside the geometry.
                                let xs = unsafe {
                                    std::slice::from_raw_parts(src.add(at + koff + j * ks), len)
                                };
                                let o = &mut out[pos + j - o0];
                                *o = fold.fold_slice(*o, xs, (rpos + i) * len);
                            }
                        },
                    );
                });
            }
        },
    );
}

/// The partial results `run` merged into one, [`LANES`] chains side by side (one chain's
/// latency would dominate: float64 additions one after another, 1000 per output, took twice
/// as long as the whole first stage).
#[inline(always)]
fn merge_run<T, F: Fold<T>>(fold: &F, run: &[F::Acc]) -> F::Acc {
    let mut lanes = [fold.identity(); LANES];
    let chunks = run.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..LANES {
            lanes[k] = fold.merge(lanes[k], c[k]);
        }
    }
    for (k, &p) in rest.iter().enumerate() {
        lanes[k] = fold.merge(lanes[k], p);
    }
    lanes
        .into_iter()
        .fold(fold.identity(), |a, p| fold.merge(a, p))
}

/// [`fold_one`] of strided runs (the innermost reduced stride not 1): [`fold_one_lanes`] for
/// folds whose order does not matter and that have no vector loops of their own,
/// [`fold_one_gathered`] for the others.
///
/// # Safety
/// As for [`reduce`].
unsafe fn fold_strided<T: Copy, F: Fold<T>>(
    base: *const T,
    geom: &ReduceGeom,
    r0: usize,
    r1: usize,
    fold: &F,
) -> F::Acc {
    // SAFETY: forwarded.
    unsafe {
        if F::ORDER_FREE && !fold.fast_short_slices() {
            fold_one_lanes(base, geom, r0, r1, fold)
        } else {
            fold_one_gathered(base, geom, r0, r1, fold)
        }
    }
}

/// Strided runs' values copied together, [`GATHER`] at a time across runs (consecutive
/// positions), each batch folded as one contiguous run: one step after another, each waiting
/// for the last, and one fold per short run both cost more than the copy (`x[:, ::3].amax(1)`
/// of a (1000, 300) float32 matrix: 90 -> 40 µs). The copy steps a pointer from the batch's
/// first value (three quarters of the time of `(i + k) * rs` from the run's start; AVX-512
/// gathers were slower still).
///
/// # Safety
/// As for [`reduce`].
unsafe fn fold_one_gathered<T: Copy, F: Fold<T>>(
    base: *const T,
    geom: &ReduceGeom,
    r0: usize,
    r1: usize,
    fold: &F,
) -> F::Acc {
    let (_, rs) = ReduceGeom::inner(&geom.red_shape, &geom.red_strides);
    let mut buf = [MaybeUninit::<T>::uninit(); GATHER];
    let (mut acc, mut filled, mut start) = (fold.identity(), 0, r0);
    let flush = |acc: F::Acc, n: usize, start: usize, buf: &[MaybeUninit<T>; GATHER]| {
        // SAFETY: the first `n` values of `buf` were written.
        let xs = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<T>(), n) };
        simd::best(
            #[inline(always)]
            || fold.fold_slice(acc, xs, start),
        )
    };
    for_each_run(
        &geom.red_shape,
        std::array::from_ref(&geom.red_strides),
        r0,
        r1,
        |_, len, [off]| {
            let mut i = 0;
            while i < len {
                let n = (len - i).min(GATHER - filled);
                let mut p = base.wrapping_add(off + i * rs);
                for b in &mut buf[filled..filled + n] {
                    // SAFETY: `p` steps over elements `i..i + n` of the run, inside the
                    // geometry (it ends one stride past the last, never read).
                    b.write(unsafe { *p });
                    p = p.wrapping_add(rs);
                }
                (filled, i) = (filled + n, i + n);
                if filled == GATHER {
                    acc = flush(acc, GATHER, start, &buf);
                    (filled, start) = (0, start + GATHER);
                }
            }
        },
    );
    if filled > 0 {
        acc = flush(acc, filled, start, &buf);
    }
    acc
}

/// Independent chains of steps of strided runs too short or too sparse for vectors (see
/// [`SpacedLanes::step_run`]).
const CHAINS: usize = 8;

/// Strided runs of a fold whose order does not matter, folded by [`SpacedLanes`]
/// (`x[:, ::2].sum()` of a (1000, 100) float32 matrix: 11.2 -> 4.4 µs, PyTorch 8.6). Not for
/// folds with fast vector loops of their own (extremes), whose steps do not vectorise: their
/// runs are copied together.
///
/// # Safety
/// As for [`reduce`].
unsafe fn fold_one_lanes<T: Copy, F: Fold<T>>(
    base: *const T,
    geom: &ReduceGeom,
    r0: usize,
    r1: usize,
    fold: &F,
) -> F::Acc {
    let (_, rs) = ReduceGeom::inner(&geom.red_shape, &geom.red_strides);
    let mut lanes = SpacedLanes::new(fold);
    for_each_run(
        &geom.red_shape,
        std::array::from_ref(&geom.red_strides),
        r0,
        r1,
        |_, len, [off]| {
            simd::best(
                #[inline(always)]
                // SAFETY: the run's `len` values `rs` apart lie inside the geometry.
                || unsafe { lanes.step_run(fold, base.wrapping_add(off), len, rs) },
            );
        },
    );
    lanes.finish(fold)
}

/// The accumulators of strided runs of an order-free fold ([`SpacedLanes::step_run`]):
/// [`LANES`] chains stepped a vector at a time, merged into a total every [`BLOCK`] vectors
/// (blocked summation), and [`CHAINS`] chains of single steps.
struct SpacedLanes<A> {
    lanes: [A; LANES],
    chains: [A; CHAINS],
    total: A,
    vectors: usize,
    chained: bool,
}

impl<A: Copy> SpacedLanes<A> {
    fn new<T, F: Fold<T, Acc = A>>(fold: &F) -> Self {
        SpacedLanes {
            lanes: [fold.identity(); LANES],
            chains: [fold.identity(); CHAINS],
            total: fold.identity(),
            vectors: 0,
            chained: false,
        }
    }

    /// Steps the `len` values `rs` apart from `p` in. Values 2 to 4 elements apart, more than
    /// a vector of them, are taken a vector of [`LANES`] at a time from the contiguous
    /// elements they lie among (the same cache lines), which the compiler reads whole and
    /// shuffles; the last vector ends at the run's last value and steps only the lanes not
    /// yet stepped (`x[:, 0].sum()` of a (100000, 4) float32 matrix: 22 -> 14.5 µs, PyTorch
    /// 17.7). Others are stepped one at a time, [`CHAINS`] side by side, each read where it is
    /// (that sum took 57 µs one step after another, 28 µs copied together first, 22 µs so).
    ///
    /// # Safety
    /// `p` must be valid for `len` reads `rs` apart.
    #[inline(always)]
    unsafe fn step_run<T: Copy, F: Fold<T, Acc = A>>(
        &mut self,
        fold: &F,
        p: *const T,
        len: usize,
        rs: usize,
    ) {
        // SAFETY: forwarded.
        unsafe {
            match rs {
                2 if len > LANES => self.step_spaced::<T, F, 2, { 2 * LANES }>(fold, p, len),
                3 if len > LANES => self.step_spaced::<T, F, 3, { 3 * LANES }>(fold, p, len),
                4 if len > LANES => self.step_spaced::<T, F, 4, { 4 * LANES }>(fold, p, len),
                _ => self.step_chains(fold, p, len, rs),
            }
        }
    }

    /// [`step_run`](Self::step_run) for `rs == S`, `N = S * LANES`, `len > LANES`.
    #[inline(always)]
    unsafe fn step_spaced<T: Copy, F: Fold<T, Acc = A>, const S: usize, const N: usize>(
        &mut self,
        fold: &F,
        mut p: *const T,
        len: usize,
    ) {
        // a local copy: the loads through `p` could otherwise alias it
        let mut lanes = self.lanes;
        let mut left = len;
        // While values remain after the vector, its `N` elements end before the run's last.
        while left > LANES {
            // SAFETY: the `N` elements from `p` lie between the run's values `len - left`
            // and `len - left + LANES`, which exist.
            let c = unsafe { &*p.cast::<[T; N]>() };
            for k in 0..LANES {
                lanes[k] = fold.step(lanes[k], c[k * S], 0);
            }
            p = p.wrapping_add(N);
            left -= LANES;
            self.vectors += 1;
            if self.vectors == BLOCK {
                self.total = fold.merge(self.total, merge_lanes(fold, &mut lanes));
                self.vectors = 0;
            }
        }
        // The last vector ends at the run's last value (`left` values on, `left >= 1`): its
        // lane `k` holds value `len - LANES + k`, of which the first `LANES - left` were
        // stepped above.
        let last = p.wrapping_add((left - 1) * S + 1).wrapping_sub(N);
        // SAFETY: the `N` elements end at the run's last value and start after its value
        // `len - LANES - 1` (`len > LANES`).
        let c = unsafe { &*last.cast::<[T; N]>() };
        for k in 0..LANES {
            let stepped = fold.step(lanes[k], c[S - 1 + k * S], 0);
            lanes[k] = if k >= LANES - left { stepped } else { lanes[k] };
        }
        self.lanes = lanes;
    }

    /// [`step_run`](Self::step_run) one value at a time.
    #[inline(always)]
    unsafe fn step_chains<T: Copy, F: Fold<T, Acc = A>>(
        &mut self,
        fold: &F,
        mut p: *const T,
        len: usize,
        rs: usize,
    ) {
        // a local copy: the loads through `p` could otherwise alias it
        let mut c = self.chains;
        let mut left = len;
        while left >= CHAINS {
            for (k, a) in c.iter_mut().enumerate() {
                // SAFETY: the run's next `CHAINS` values.
                *a = fold.step(*a, unsafe { *p.add(k * rs) }, 0);
            }
            p = p.wrapping_add(CHAINS * rs);
            left -= CHAINS;
        }
        for a in &mut c[..left] {
            // SAFETY: the run's last values.
            *a = fold.step(*a, unsafe { *p }, 0);
            p = p.wrapping_add(rs);
        }
        self.chains = c;
        self.chained = true;
    }

    /// The total of everything stepped in.
    #[inline(always)]
    fn finish<T, F: Fold<T, Acc = A>>(mut self, fold: &F) -> A {
        let total = fold.merge(self.total, merge_lanes(fold, &mut self.lanes));
        if !self.chained {
            return total;
        }
        let chains = self
            .chains
            .into_iter()
            .fold(fold.identity(), |a, c| fold.merge(a, c));
        fold.merge(total, chains)
    }
}

/// The lanes merged as a balanced tree, and reset to the identity.
#[inline(always)]
fn merge_lanes<T, F: Fold<T>>(fold: &F, lanes: &mut [F::Acc; LANES]) -> F::Acc {
    let mut tree = *lanes;
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            tree[k] = fold.merge(tree[k], tree[k + width]);
        }
        width /= 2;
    }
    *lanes = [fold.identity(); LANES];
    tree[0]
}

/// Folds reduced positions `r0..r1` of the output whose elements start at `base`.
///
/// # Safety
/// As for [`reduce`].
#[inline(always)]
unsafe fn fold_one<T: Copy, F: Fold<T>>(
    base: *const T,
    geom: &ReduceGeom,
    r0: usize,
    r1: usize,
    fold: &F,
) -> F::Acc {
    let mut acc = fold.identity();
    let (_, rs) = ReduceGeom::inner(&geom.red_shape, &geom.red_strides);
    if rs != 1 && geom.red_shape.len() > 1 {
        // SAFETY: forwarded.
        return unsafe { fold_strided(base, geom, r0, r1, fold) };
    }
    let mut run = |pos: usize, len: usize, off: usize| {
        // SAFETY: the run lies inside the geometry.
        unsafe {
            let p = base.add(off);
            if rs == 1 {
                let xs = std::slice::from_raw_parts(p, len);
                acc = simd::best(
                    #[inline(always)]
                    || fold.fold_slice(acc, xs, pos),
                );
            } else {
                for i in 0..len {
                    acc = fold.step(acc, *p.add(i * rs), pos + i);
                }
            }
        }
    };
    if geom.red_shape.len() <= 1 {
        run(r0, r1 - r0, r0 * rs);
    } else {
        for_each_run(
            &geom.red_shape,
            std::array::from_ref(&geom.red_strides),
            r0,
            r1,
            |pos, len, [off]| run(pos, len, off),
        );
    }
    acc
}

/// Folds reduced positions `r0..r1` into `len` outputs whose elements start at `base` and are
/// `ks` apart, tile by tile, in blocks of [`BLOCK`] positions.
///
/// # Safety
/// As for [`reduce`].
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn fold_vertical<T: Copy, F: Fold<T>>(
    base: *const T,
    ks: usize,
    len: usize,
    geom: &ReduceGeom,
    r0: usize,
    r1: usize,
    dst: *mut F::Acc,
    fold: &F,
) {
    if (2..=SPAN_MAX_STRIDE).contains(&ks) && len > 1 {
        // Outputs a few elements apart (`x[:, ::2].sum(0)`): fold every column of their span,
        // contiguous, and keep theirs. The other columns lie between the view's elements, in
        // the same cache lines, and whole vectors of columns cost less than one element at a
        // time: (1000, 100) float32 29 -> 3.6 µs.
        let span = (len - 1) * ks + 1;
        let mut all: Vec<F::Acc> = Vec::with_capacity(span);
        // SAFETY: the span's columns lie between the first and last outputs' columns, inside
        // the caller's buffer; `fold_vertical` writes all `span` of them.
        unsafe {
            fold_vertical(base, 1, span, geom, r0, r1, all.as_mut_ptr(), fold);
            all.set_len(span);
        }
        for (j, &a) in all.iter().step_by(ks).enumerate() {
            // SAFETY: `j < len`, the caller's output run.
            unsafe { *dst.add(j) = a };
        }
        return;
    }
    let red = [geom.red_strides.clone()];
    let (_, rs) = ReduceGeom::inner(&geom.red_shape, &geom.red_strides);
    if F::ORDER_FREE && ks == 1 && len < LANES && rs == len && geom.red_shape.len() <= 1 {
        // SAFETY: forwarded; the rows `r0..r1` are contiguous (`rs == len`).
        unsafe { fold_narrow(base.add(r0 * rs), len, r1 - r0, dst, fold) };
        return;
    }
    // Rows up to 4 KiB apart: a hand-written loop folds tiles of columns down all the rows in
    // registers. Farther apart, the walk row by row below reads memory in order.
    if ks == 1
        && geom.red_shape.len() == 1
        && rs * std::mem::size_of::<T>() <= 4096
        // SAFETY: forwarded; the rows `r0..r1` of the one reduced dimension, `rs` apart.
        && unsafe { fold.fast_columns(base.add(r0 * rs), r1 - r0, rs, dst, len) }
    {
        return;
    }
    // Fewer rows than a block: the outputs are the partial results themselves (a block's
    // results merged into the identity are unchanged), so no buffers of partial results are
    // made, filled or copied out.
    let one_block = r1 - r0 < BLOCK;
    let mut block: Vec<F::Acc> = if one_block {
        Vec::new()
    } else {
        vec![fold.identity(); len.min(TILE)]
    };
    for t0 in (0..len).step_by(TILE) {
        let tn = (len - t0).min(TILE);
        let acc: &mut [F::Acc] = if one_block {
            // SAFETY: outputs `t0..t0 + tn` lie in the caller's run of `len`.
            let out = unsafe { std::slice::from_raw_parts_mut(dst.add(t0), tn) };
            simd::best(
                #[inline(always)]
                || out.fill(fold.identity()),
            );
            out
        } else {
            &mut block[..tn]
        };
        let mut total: Vec<F::Acc> = if one_block {
            Vec::new()
        } else {
            vec![fold.identity(); tn]
        };
        let mut in_block = 0usize;
        for_each_run(&geom.red_shape, &red, r0, r1, |pos, rlen, [roff]| {
            let acc = &mut *acc;
            let (total, in_block) = (&mut total, &mut in_block);
            // One vector dispatch per run of rows (all of them when one dimension is reduced).
            simd::best(
                #[inline(always)]
                || {
                    let mut i = 0;
                    while i < rlen {
                        // Contiguous rows four at a time within a block: the partial results
                        // are loaded and stored once per four rows (the same steps, in the
                        // same order).
                        let rows = if ks == 1 && i + 4 <= rlen && *in_block + 4 <= BLOCK {
                            4
                        } else {
                            1
                        };
                        // SAFETY: offsets come from the geometry.
                        unsafe {
                            let row = |q: usize| base.add(roff + (i + q) * rs + t0 * ks);
                            if rows == 4 {
                                let xs =
                                    [0, 1, 2, 3].map(|q| std::slice::from_raw_parts(row(q), tn));
                                step_four_rows(fold, acc, xs, pos + i);
                            } else if ks == 1 {
                                let xs = std::slice::from_raw_parts(row(0), tn);
                                step_row(fold, acc, xs, pos + i);
                            } else {
                                for (j, a) in acc.iter_mut().enumerate() {
                                    *a = fold.step(*a, *row(0).add(j * ks), pos + i);
                                }
                            }
                        }
                        i += rows;
                        *in_block += rows;
                        if *in_block == BLOCK {
                            flush(total, acc, fold);
                            *in_block = 0;
                        }
                    }
                },
            );
        });
        if !one_block {
            flush(&mut total, acc, fold);
            for (j, a) in total.into_iter().enumerate() {
                // SAFETY: `t0 + j < len`, the caller's output run.
                unsafe { *dst.add(t0 + j) = a };
            }
        }
    }
}

/// Folds `rows` contiguous rows of `width < LANES` elements starting at `base` into `width`
/// outputs (`x.sum(0)` of an (n, 3) matrix). Row by row such rows would not fill a vector
/// register; instead the rows are read as one run and folded into [`WIDE`] lanes holding whole
/// rows (lane `j` holds column `j % width`), which are merged per column every [`BLOCK`] rows.
///
/// # Safety
/// `base` must be valid for `rows * width` reads and `dst` for `width` writes.
unsafe fn fold_narrow<T: Copy, F: Fold<T>>(
    base: *const T,
    width: usize,
    rows: usize,
    dst: *mut F::Acc,
    fold: &F,
) {
    let period = (WIDE / width) * width;
    // SAFETY: the caller's contract.
    let xs = unsafe { std::slice::from_raw_parts(base, rows * width) };
    let mut total = [fold.identity(); LANES];
    simd::best(
        #[inline(always)]
        || {
            for piece in xs.chunks(BLOCK * period) {
                let mut lanes = [fold.identity(); WIDE];
                // Whole vectors of `WIDE` values every `period` (a loop of `period` steps,
                // known only at run time, left most of them scalar); the lanes from `period`
                // on fold values of the next rows, which their own chunk folds again, and are
                // never merged.
                let mut k = 0;
                while let Some(c) = piece[k..].first_chunk::<WIDE>() {
                    for j in 0..WIDE {
                        lanes[j] = fold.step(lanes[j], c[j], 0);
                    }
                    k += period;
                }
                // the last whole rows: fewer than `WIDE` values, so at most `period`
                for (j, &x) in piece[k..].iter().enumerate() {
                    lanes[j] = fold.step(lanes[j], x, 0);
                }
                for (j, &lane) in lanes[..period].iter().enumerate() {
                    total[j % width] = fold.merge(total[j % width], lane);
                }
            }
        },
    );
    for (c, &t) in total[..width].iter().enumerate() {
        // SAFETY: `c < width`.
        unsafe { *dst.add(c) = t };
    }
}

/// `acc[j] = step(acc[j], xs[j])`: the vectorised inner loop of vertical reductions.
#[inline(always)]
fn step_row<T: Copy, F: Fold<T>>(fold: &F, acc: &mut [F::Acc], xs: &[T], idx: usize) {
    for (a, &x) in acc.iter_mut().zip(xs) {
        *a = fold.step(*a, x, idx);
    }
}

/// [`step_row`] of four rows in turn, each partial result loaded and stored once.
#[inline(always)]
fn step_four_rows<T: Copy, F: Fold<T>>(fold: &F, acc: &mut [F::Acc], xs: [&[T]; 4], idx: usize) {
    let n = acc.len();
    let [x0, x1, x2, x3] = xs.map(|x| &x[..n]);
    for j in 0..n {
        let mut v = fold.step(acc[j], x0[j], idx);
        v = fold.step(v, x1[j], idx + 1);
        v = fold.step(v, x2[j], idx + 2);
        acc[j] = fold.step(v, x3[j], idx + 3);
    }
}

#[inline(always)]
fn flush<T, F: Fold<T>>(total: &mut [F::Acc], block: &mut [F::Acc], fold: &F) {
    for (t, b) in total.iter_mut().zip(block.iter_mut()) {
        *t = fold.merge(*t, *b);
        *b = fold.identity();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sum;
    impl Fold<f64> for Sum {
        type Acc = f64;
        fn identity(&self) -> f64 {
            0.0
        }
        fn step(&self, a: f64, x: f64, _: usize) -> f64 {
            a + x
        }
        fn merge(&self, a: f64, b: f64) -> f64 {
            a + b
        }
    }

    fn run(shape: &[usize], strides: &[usize], mask: &[bool], data: &[f64]) -> Vec<f64> {
        let geom = ReduceGeom::new(shape, strides, mask);
        let mut out = vec![0.0; geom.n_out()];
        // SAFETY: the geometry stays inside `data`.
        unsafe { reduce(data.as_ptr(), &geom, out.as_mut_ptr(), &Sum) };
        out
    }

    #[test]
    fn rows_columns_and_everything() {
        let data: Vec<f64> = (0..6).map(|i| i as f64).collect();
        // [[0, 1, 2], [3, 4, 5]]
        assert_eq!(
            run(&[2, 3], &[3, 1], &[false, true], &data),
            vec![3.0, 12.0]
        );
        assert_eq!(
            run(&[2, 3], &[3, 1], &[true, false], &data),
            vec![3.0, 5.0, 7.0]
        );
        assert_eq!(run(&[2, 3], &[3, 1], &[true, true], &data), vec![15.0]);
        // the transposed view [[0, 3], [1, 4], [2, 5]]
        assert_eq!(
            run(&[3, 2], &[1, 3], &[false, true], &data),
            vec![3.0, 5.0, 7.0]
        );
    }

    #[test]
    fn large_inputs_take_the_parallel_paths() {
        let n = 1 << 18;
        let data: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
        let expect: f64 = data.iter().sum();
        assert_eq!(run(&[n], &[1], &[true], &data), vec![expect]);
        let rows = run(&[n / 64, 64], &[64, 1], &[false, true], &data);
        assert_eq!(rows.iter().sum::<f64>(), expect);
        let cols = run(&[n / 64, 64], &[64, 1], &[true, false], &data);
        assert_eq!(cols.iter().sum::<f64>(), expect);
        let few = run(&[n / 2, 2], &[2, 1], &[true, false], &data);
        assert_eq!(few[0] + few[1], expect);
        // Columns in a stripe per thread (1.6 MB) and rows split between threads (3.2 MB).
        for rows in [200, 400] {
            let width = 1000;
            let data: Vec<f64> = (0..rows * width).map(|i| (i % 7) as f64).collect();
            let cols = run(&[rows, width], &[width, 1], &[true, false], &data);
            for (c, &got) in cols.iter().enumerate() {
                let want: f64 = (0..rows).map(|r| data[r * width + c]).sum();
                assert_eq!(got, want, "column {c} of {rows} rows");
            }
        }
    }
}
