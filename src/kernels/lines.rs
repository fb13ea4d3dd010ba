//! Kernels that transform every line along one dimension of a contiguous tensor: running
//! sums and products (`cumsum`, `cumprod`) and the fused, numerically stable `softmax` and
//! `log_softmax`.
//!
//! A contiguous tensor seen along dimension `d` is `(outer, n, inner)`: line `(o, i)` holds the
//! elements `o * n * inner + k * inner + i` for `k < n`. With `inner == 1` each line is
//! contiguous; otherwise the loops walk `inner` lines side by side, which vectorises.

use super::folds::LANES;
use super::math::Float;
use super::parallel::{chunk_len, par_ranges, worth_parallel};
use super::simd;
use super::SendPtr;

/// The `(outer, n, inner)` view of a contiguous shape along `dim`.
pub fn split_at_dim(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    let outer = shape[..dim].iter().product();
    let inner = shape[dim + 1..].iter().product();
    (outer, shape[dim], inner)
}

/// Columns of `inner` handled together by one task.
const COLUMN_BLOCK: usize = 256;

/// Runs `f(o, i0, i1)` for every outer index and block of inner columns, in parallel when the
/// tensor is large.
fn for_each_block(outer: usize, n: usize, inner: usize, f: impl Fn(usize, usize, usize) + Sync) {
    let blocks_per_row = inner.div_ceil(COLUMN_BLOCK).max(1);
    let tasks = outer * blocks_per_row;
    let run = |t0: usize, t1: usize| {
        for t in t0..t1 {
            let (o, b) = (t / blocks_per_row, t % blocks_per_row);
            let i0 = b * COLUMN_BLOCK;
            f(o, i0, (i0 + COLUMN_BLOCK).min(inner));
        }
    };
    if worth_parallel(outer * n * inner) && tasks > 1 {
        par_ranges(tasks, tasks.div_ceil(16), run);
    } else {
        run(0, tasks);
    }
}

/// Lines of a last-dimension scan advanced together.
const SCAN_LINES: usize = 8;

/// Running `op` along each line: `dst[k] = op(dst[k - 1], src[k])`. Accumulates in `A`
/// (`f64` for float32 input, as torch does) and converts with `to`/`from`.
///
/// # Safety
/// `src` and `dst` must be contiguous buffers of `outer * n * inner` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn scan<T, A>(
    src: *const T,
    dst: *mut T,
    (outer, n, inner): (usize, usize, usize),
    init: A,
    op: impl Fn(A, A) -> A + Sync,
    to: impl Fn(T) -> A + Sync,
    from: impl Fn(A) -> T + Sync,
) where
    T: Copy + Send + Sync,
    A: Copy + Send + Sync,
{
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    if inner == 1 {
        // Lines along the last dimension: each is one chain of dependent operations, so
        // [`SCAN_LINES`] lines advance together, their chains overlapping in the pipeline.
        let groups = outer.div_ceil(SCAN_LINES);
        let run = |g0: usize, g1: usize| {
            for g in g0..g1 {
                let first = g * SCAN_LINES;
                let lines = (outer - first).min(SCAN_LINES);
                // SAFETY: lines `first..first + lines` lie in the buffers; groups write
                // disjoint lines.
                unsafe {
                    let (src, dst) = (src.get().add(first * n), dst.get().add(first * n));
                    if lines == SCAN_LINES {
                        let mut acc = [init; SCAN_LINES];
                        for k in 0..n {
                            for (l, a) in acc.iter_mut().enumerate() {
                                *a = op(*a, to(*src.add(l * n + k)));
                                *dst.add(l * n + k) = from(*a);
                            }
                        }
                    } else {
                        for l in 0..lines {
                            let mut a = init;
                            for k in 0..n {
                                a = op(a, to(*src.add(l * n + k)));
                                *dst.add(l * n + k) = from(a);
                            }
                        }
                    }
                }
            }
        };
        if worth_parallel(outer * n) && groups > 1 {
            par_ranges(groups, chunk_len(groups, SCAN_LINES * n), run);
        } else {
            run(0, groups);
        }
        return;
    }
    for_each_block(outer, n, inner, |o, i0, i1| {
        let mut acc = vec![init; i1 - i0];
        for k in 0..n {
            let row = o * n * inner + k * inner;
            for (j, a) in acc.iter_mut().enumerate() {
                // SAFETY: `row + i0 + j` is inside the buffers; tasks write disjoint columns.
                unsafe {
                    *a = op(*a, to(*src.get().add(row + i0 + j)));
                    *dst.get().add(row + i0 + j) = from(*a);
                }
            }
        }
    });
}

/// The last `xs.len() % LANES` values of a line followed by `-inf`, as one vector: short lines
/// (ten classes) then take vector instructions too, where a scalar `exp` per value would cost
/// several times as much. `exp(-inf - m)` adds 0 when `m` is finite; when it is not, the line's
/// own values already give NaN.
#[inline(always)]
fn padded_tail<T: Float>(xs: &[T]) -> [T; LANES] {
    let rest = &xs[xs.len() / LANES * LANES..];
    let mut tail = [T::from_f64(f64::NEG_INFINITY); LANES];
    for (t, &x) in tail.iter_mut().zip(rest) {
        *t = x;
    }
    tail
}

/// `f` over the lanes as a balanced tree (halves folded onto each other: a few vector shuffles
/// instead of a chain of `N - 1` dependent steps, which bound a short line's time). `N` is a
/// power of two.
#[inline(always)]
fn tree<T: Copy, const N: usize>(mut lanes: [T; N], f: impl Fn(T, T) -> T) -> T {
    let mut half = N / 2;
    while half > 0 {
        for k in 0..half {
            lanes[k] = f(lanes[k], lanes[k + half]);
        }
        half /= 2;
    }
    lanes[0]
}

/// `if x > m { x } else { m }`: a vector `max`. A NaN is kept only where it is `m`; the
/// softmax of its line is NaN either way, through `exp(NaN - m)` or `x - NaN`.
#[inline(always)]
fn max<T: Float>(m: T, x: T) -> T {
    if x > m {
        x
    } else {
        m
    }
}

/// The last [`LANES`] values of a line of at least that many, and how many of them the whole
/// vectors before already hold (none when the length is a multiple of [`LANES`]: no last
/// vector then). Loops over a line end with this vector rather than a scalar tail.
#[inline(always)]
fn last_vector<T: Float>(xs: &[T]) -> Option<(&[T; LANES], usize)> {
    let rest = xs.len() % LANES;
    let last = xs.last_chunk::<LANES>()?;
    (rest != 0).then_some((last, LANES - rest))
}

/// The maximum of a line (`-inf` for an empty one), ignoring NaN: with [`LANES`] independent
/// accumulators and a plain comparison, the loop compiles to vector `max` instructions. A NaN
/// still reaches every result of its line through `exp(NaN - m)` in the sum. The lanes start
/// from the line's last vector (seeing some values twice), or from its padded tail when it is
/// shorter.
#[inline(always)]
fn line_max<T: Float>(xs: &[T]) -> T {
    let mut lanes = match xs.last_chunk::<LANES>() {
        Some(&last) => last,
        None => padded_tail(xs),
    };
    for c in xs.chunks_exact(LANES) {
        for k in 0..LANES {
            lanes[k] = max(lanes[k], c[k]);
        }
    }
    tree(lanes, max)
}

/// The partial sums of `exp(x - m)` over the values of a line's last vector that the whole
/// vectors do not hold (zero elsewhere), and those terms for all of its lanes; or the padded
/// tail's terms for a line shorter than a vector.
#[inline(always)]
fn exp_rest<T: Float>(xs: &[T], m: T, fma: bool) -> ([T; LANES], [T; LANES]) {
    let (values, seen) = match last_vector(xs) {
        Some((&last, seen)) => (last, seen),
        None if xs.len() < LANES => (padded_tail(xs), 0),
        None => return ([T::zero(); LANES], [T::zero(); LANES]),
    };
    let mut terms = [T::zero(); LANES];
    let mut sums = [T::zero(); LANES];
    for k in 0..LANES {
        terms[k] = values[k].sub(m).exp_below_max(fma);
        sums[k] = if k >= seen { terms[k] } else { T::zero() };
    }
    (sums, terms)
}

/// `Σ exp(x - m)` over a line.
#[inline(always)]
fn exp_sum<T: Float>(xs: &[T], m: T, fma: bool) -> T {
    let (mut sums, _) = exp_rest(xs, m, fma);
    for c in xs.chunks_exact(LANES) {
        for k in 0..LANES {
            sums[k] = sums[k].add(c[k].sub(m).exp_below_max(fma));
        }
    }
    tree(sums, T::add)
}

/// `ys = exp(xs - m)` over the whole vectors of a line, returning `Σ exp(xs - m)` over the
/// line and the terms of its last values ([`exp_rest`]), which [`scale`] stores.
///
/// Stored here, they would overlap the last whole vector, and the next pass's loads of either
/// would each span two stores, which the CPU cannot forward to a load: a stall on every line
/// (a line of 100 took half again as long as one of 128).
#[inline(always)]
fn exp_store_sum<T: Float>(xs: &[T], m: T, ys: &mut [T], fma: bool) -> (T, [T; LANES]) {
    let (mut sums, terms) = exp_rest(xs, m, fma);
    for (yc, xc) in ys.chunks_exact_mut(LANES).zip(xs.chunks_exact(LANES)) {
        for k in 0..LANES {
            let e = xc[k].sub(m).exp_below_max(fma);
            sums[k] = sums[k].add(e);
            yc[k] = e;
        }
    }
    (tree(sums, T::add), terms)
}

/// `softmax`'s last pass over a line that [`exp_store_sum`] left: `y *= r` over the whole
/// vectors (`r = 1 / Σ exp(x - m)`: times the reciprocal, as torch does, one division per
/// line), then the last values from their unscaled `terms`, by one vector overlapping the
/// whole ones (by a partial copy for a line shorter than a vector).
#[inline(always)]
fn scale<T: Float>(ys: &mut [T], r: T, terms: &[T; LANES]) {
    let n = ys.len();
    let whole = n / LANES * LANES;
    for y in &mut ys[..whole] {
        *y = y.mul(r);
    }
    if whole < n {
        let last = terms.map(|e| e.mul(r));
        match ys.last_chunk_mut::<LANES>() {
            Some(dst) => *dst = last,
            None => ys.copy_from_slice(&last[..n]),
        }
    }
}

/// `log_softmax`'s last pass: `y = x - m - ls` (`ls = log Σ exp(x - m)`; subtracted one after
/// the other as torch does, which keeps `x - m` exact for inputs close to their maximum). The
/// last values by one vector overlapping the whole ones when the line is long enough.
#[inline(always)]
fn shift<T: Float>(xs: &[T], ys: &mut [T], m: T, ls: T) {
    let (n, whole) = (xs.len(), xs.len() / LANES * LANES);
    let end = if n >= LANES { whole } else { n };
    for (y, &x) in ys[..end].iter_mut().zip(xs) {
        *y = x.sub(m).sub(ls);
    }
    if let (true, Some(last), Some(dst)) = (
        whole < n,
        xs.last_chunk::<LANES>(),
        ys.last_chunk_mut::<LANES>(),
    ) {
        *dst = last.map(|x| x.sub(m).sub(ls));
    }
}

/// `softmax` (or `log_softmax`) of one contiguous line: the maximum, then `Σ exp(x - max)`
/// (storing the terms for softmax), then one pass that scales or shifts.
#[inline(always)]
fn softmax_line<T: Float>(xs: &[T], ys: &mut [T], log: bool, fma: bool) {
    let m = line_max(xs);
    if log {
        shift(xs, ys, m, exp_sum(xs, m, fma).ln_libm());
    } else {
        let (s, terms) = exp_store_sum(xs, m, ys, fma);
        scale(ys, T::one().div(s), &terms);
    }
}

/// Lines taken together by [`softmax_block`].
pub const BLOCK_LINES: usize = 8;

/// [`softmax_line`] of up to [`BLOCK_LINES`] consecutive lines of `n` elements, pass by pass:
/// every line's maximum and sum of terms, then the sums' logarithms or reciprocals, then every
/// line's last pass (as PyTorch does). The lines' steps are then independent work that the
/// core overlaps, where a line at a time waits on its own sum, `ln` or division.
#[inline(always)]
fn softmax_block<T: Float>(xs: &[T], ys: &mut [T], n: usize, log: bool, fma: bool) {
    let mut m = [T::zero(); BLOCK_LINES];
    let mut f = [T::one(); BLOCK_LINES];
    let mut last = [[T::zero(); LANES]; BLOCK_LINES];
    let lines = xs.chunks_exact(n).zip(ys.chunks_exact_mut(n));
    for ((x, y), (m, (f, last))) in lines.zip(m.iter_mut().zip(f.iter_mut().zip(&mut last))) {
        *m = line_max(x);
        if log {
            *f = exp_sum(x, *m, fma);
        } else {
            (*f, *last) = exp_store_sum(x, *m, y, fma);
        }
    }
    for f in &mut f {
        *f = if log { f.ln_libm() } else { T::one().div(*f) };
    }
    let lines = xs.chunks_exact(n).zip(ys.chunks_exact_mut(n));
    for ((x, y), (&m, (&f, last))) in lines.zip(m.iter().zip(f.iter().zip(&last))) {
        if log {
            shift(x, y, m, f);
        } else {
            scale(y, f, last);
        }
    }
}

/// [`softmax_line`] of two lines of the same length (at least [`LANES`]), side by side: their
/// chains of dependent steps (the maximum and sum folded as trees, `ln` or the reciprocal,
/// between the passes) overlap instead of each line waiting on its own, which bounds lines of
/// a few vectors. Each line ends with its last vector, overlapping the one before (a maximum
/// may see values twice; the sum masks them; the stores write the same results again).
#[inline(always)]
fn softmax_pair<T: Float, const LOG: bool>(x: [&[T]; 2], y: [&mut [T]; 2], fma: bool) {
    let [y0, y1] = y;
    let (Some(l0), Some(l1)) = (x[0].last_chunk::<LANES>(), x[1].last_chunk::<LANES>()) else {
        return;
    };
    let n = x[0].len();
    let (c0, c1) = (x[0].as_chunks::<LANES>().0, x[1].as_chunks::<LANES>().0);
    let (mut a, mut b) = (*l0, *l1);
    for (u, v) in c0.iter().zip(c1) {
        for k in 0..LANES {
            a[k] = max(a[k], u[k]);
            b[k] = max(b[k], v[k]);
        }
    }
    let (m0, m1) = (tree(a, max), tree(b, max));
    // the last vectors' terms; the lanes the whole vectors hold add zero
    let seen = LANES - n % LANES;
    let (mut e0, mut e1) = ([T::zero(); LANES], [T::zero(); LANES]);
    let (mut s0, mut s1) = ([T::zero(); LANES], [T::zero(); LANES]);
    for k in 0..LANES {
        e0[k] = l0[k].sub(m0).exp_below_max(fma);
        e1[k] = l1[k].sub(m1).exp_below_max(fma);
        s0[k] = if k >= seen { e0[k] } else { T::zero() };
        s1[k] = if k >= seen { e1[k] } else { T::zero() };
    }
    let (w0, w1) = (y0.as_chunks_mut::<LANES>().0, y1.as_chunks_mut::<LANES>().0);
    for (((u, v), p), q) in c0.iter().zip(c1).zip(w0.iter_mut()).zip(w1.iter_mut()) {
        for k in 0..LANES {
            let (f, g) = (
                u[k].sub(m0).exp_below_max(fma),
                v[k].sub(m1).exp_below_max(fma),
            );
            s0[k] = s0[k].add(f);
            s1[k] = s1[k].add(g);
            if LOG {
                continue;
            }
            p[k] = f;
            q[k] = g;
        }
    }
    let (t0, t1) = (tree(s0, T::add), tree(s1, T::add));
    if LOG {
        shift(x[0], y0, m0, t0.ln_libm());
        shift(x[1], y1, m1, t1.ln_libm());
    } else {
        scale(y0, T::one().div(t0), &e0);
        scale(y1, T::one().div(t1), &e1);
    }
}

/// [`softmax_pair`] over the pairs of lines of `n` elements in `xs` (to `ys`).
#[inline(always)]
fn pairs<T: Float, const LOG: bool>(xs: &[T], ys: &mut [T], n: usize, fma: bool) {
    for (x, y) in xs.chunks_exact(2 * n).zip(ys.chunks_exact_mut(2 * n)) {
        let (y0, y1) = y.split_at_mut(n);
        softmax_pair::<T, LOG>([&x[..n], &x[n..]], [y0, y1], fma);
    }
}

/// Lines up to this long (and not a whole number of vectors) are folded two at a time by
/// [`softmax_pair`].
const MID_LINES: usize = 4 * LANES - 1;

/// How [`softmax`] takes lines along the last dimension: four short ones padded
/// ([`softmax_short_lines`]), two at a time ([`softmax_pair`]), or blocks pass by pass
/// ([`softmax_block`]).
#[derive(Clone, Copy)]
enum Group {
    Short,
    Pair,
    Block,
}

impl Group {
    /// Lines per group.
    fn lines(self) -> usize {
        match self {
            Group::Short => SHORT_LINES,
            Group::Pair => 2,
            Group::Block => BLOCK_LINES,
        }
    }
}

/// Lines folded together by [`softmax_short_lines`].
pub const SHORT_LINES: usize = 4;

/// [`softmax_line`] of [`SHORT_LINES`] consecutive lines of `n <= W` elements each (`W` one or
/// two vectors' worth): each line padded to `W` with `-inf`, and the lines' chains of dependent
/// steps (maximum, `exp` polynomial, sum, scale) side by side, so that they overlap instead of
/// each waiting on the last (a ten-class line is otherwise bound by that latency).
#[inline(always)]
fn softmax_short_lines<T: Float, const W: usize>(
    xs: &[T],
    ys: &mut [T],
    n: usize,
    log: bool,
    fma: bool,
) {
    let mut v = [[T::from_f64(f64::NEG_INFINITY); W]; SHORT_LINES];
    for (g, line) in v.iter_mut().enumerate() {
        for (t, &x) in line.iter_mut().zip(&xs[g * n..g * n + n]) {
            *t = x;
        }
    }
    let mut m = [T::zero(); SHORT_LINES];
    for g in 0..SHORT_LINES {
        m[g] = tree(v[g], max);
    }
    let mut e = [[T::zero(); W]; SHORT_LINES];
    for g in 0..SHORT_LINES {
        for k in 0..W {
            e[g][k] = v[g][k].sub(m[g]).exp_below_max(fma);
        }
    }
    for g in 0..SHORT_LINES {
        let s = tree(e[g], T::add);
        let out = &mut ys[g * n..g * n + n];
        if log {
            let ls = s.ln_libm();
            for (y, &x) in out.iter_mut().zip(&v[g]) {
                *y = x.sub(m[g]).sub(ls);
            }
        } else {
            let r = T::one().div(s);
            for (y, &x) in out.iter_mut().zip(&e[g]) {
                *y = x.mul(r);
            }
        }
    }
}

/// [`max_logsumexp_line`] of [`SHORT_LINES`] consecutive lines of `n <= LANES` elements each,
/// side by side as in [`softmax_short_lines`] (the cross-entropy rows of a ten-class
/// classifier). Call it inside [`simd::best_fma`].
#[inline(always)]
pub fn max_logsumexp_short_lines<T: Float>(xs: &[T], n: usize, fma: bool) -> [(T, T); SHORT_LINES] {
    let mut v = [[T::from_f64(f64::NEG_INFINITY); LANES]; SHORT_LINES];
    for (g, line) in v.iter_mut().enumerate() {
        for (t, &x) in line.iter_mut().zip(&xs[g * n..g * n + n]) {
            *t = x;
        }
    }
    let mut m = [T::zero(); SHORT_LINES];
    for g in 0..SHORT_LINES {
        m[g] = tree(v[g], max);
    }
    let mut e = [[T::zero(); LANES]; SHORT_LINES];
    for g in 0..SHORT_LINES {
        for k in 0..LANES {
            e[g][k] = v[g][k].sub(m[g]).exp_below_max(fma);
        }
    }
    let mut out = [(T::zero(), T::zero()); SHORT_LINES];
    for g in 0..SHORT_LINES {
        out[g] = (m[g], tree(e[g], T::add).ln_libm());
    }
    out
}

/// `log Σ exp(x)` of one line, as `m + log Σ exp(x - m)` with `m` its maximum. Call it inside
/// [`simd::best_fma`].
#[inline(always)]
pub fn logsumexp_line<T: Float>(xs: &[T], fma: bool) -> T {
    let (m, ls) = max_logsumexp_line(xs, fma);
    m.add(ls)
}

/// `(m, log Σ exp(x - m))` of one line, `m` its maximum: the cross-entropy rows' kernel, which
/// computes a loss as `(m - x_y) + log Σ exp(x - m)` (adding `m` first would round the loss to
/// the precision of `m`). Call it inside [`simd::best_fma`].
#[inline(always)]
pub fn max_logsumexp_line<T: Float>(xs: &[T], fma: bool) -> (T, T) {
    let m = line_max(xs);
    (m, exp_sum(xs, m, fma).ln_libm())
}

/// `log Σ exp(x)` of each of the `outer` contiguous lines of `n` elements at `src`, to `dst`,
/// as PyTorch computes it: `m + log Σ exp(x - m)` with `m` the line's maximum, taken as zero
/// where it is infinite (a line of `-inf` gives `-inf`, one holding `inf` gives `inf`, NaN
/// gives NaN). One pass for the maximum and one for the sum; short lines several at a time.
///
/// # Safety
/// `src` must hold `outer * n` elements and `dst` `outer`, `n >= 1`.
pub unsafe fn logsumexp<T: Float>(src: *const T, dst: *mut T, outer: usize, n: usize) {
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    let lines = |o0: usize, o1: usize| {
        // SAFETY: lines `o0..o1` and their outputs; tasks own their lines.
        let (xs, out) = unsafe {
            (
                std::slice::from_raw_parts(src.get().add(o0 * n), (o1 - o0) * n),
                std::slice::from_raw_parts_mut(dst.get().add(o0), o1 - o0),
            )
        };
        // Lines up to a vector long [`LANES`] at a time, across them (measured 2-3 times as
        // fast as padding each to a vector); longer ones, and the last lines, one at a time.
        let across = n <= LANES;
        let group = if across { LANES } else { 1 };
        let grouped = (o1 - o0) / group * group;
        let ((gx, rx), (go, ro)) = (xs.split_at(grouped * n), out.split_at_mut(grouped));
        simd::best_fma(
            #[inline(always)]
            |fma| {
                for (x, o) in gx.chunks_exact(group * n).zip(go.chunks_exact_mut(group)) {
                    if across {
                        // columns held for the lines' widths, in registers where few
                        match n {
                            0..=4 => logsumexp_short_lines::<T, 4>(x, o, n, fma),
                            5..=8 => logsumexp_short_lines::<T, 8>(x, o, n, fma),
                            _ => logsumexp_short_lines::<T, LANES>(x, o, n, fma),
                        }
                    } else {
                        let (m, ls) = max_logsumexp_line(x, fma);
                        o[0] = m.add(ls);
                    }
                }
                for (x, o) in rx.chunks_exact(n).zip(ro) {
                    let (m, ls) = max_logsumexp_line(x, fma);
                    *o = m.add(ls);
                }
            },
        );
        // An infinite maximum makes the terms NaN (`inf - inf`), as NaN input does: such lines
        // again, by the definition.
        for (x, o) in xs.chunks_exact(n).zip(out) {
            if !o.to_f64().is_finite() {
                *o = logsumexp_by_definition(x);
            }
        }
    };
    if worth_parallel(outer * n * EXP_WORK) && outer > 1 {
        par_ranges(outer, outer.div_ceil(16), lines);
    } else {
        lines(0, outer);
    }
}

/// `log Σ exp(x)` of [`LANES`] consecutive lines of `n <= W <= LANES` values: the lines' k-th
/// values gathered into a vector, so that the maxima, the terms, the sums and the logarithms
/// are each a few vector operations for all the lines (padding each line to a vector would
/// spend most lanes on nothing). A line with an infinite maximum or NaN gives NaN here.
#[inline(always)]
fn logsumexp_short_lines<T: Float, const W: usize>(xs: &[T], out: &mut [T], n: usize, fma: bool) {
    let mut cols = [[T::zero(); LANES]; W];
    for (k, col) in cols.iter_mut().enumerate().take(n) {
        for (c, line) in col.iter_mut().zip(xs.chunks_exact(n)) {
            *c = line[k];
        }
    }
    let mut m = cols[0];
    for col in &cols[1..n] {
        for l in 0..LANES {
            m[l] = max(m[l], col[l]);
        }
    }
    let mut s = [T::zero(); LANES];
    for col in &cols[..n] {
        for l in 0..LANES {
            s[l] = s[l].add(col[l].sub(m[l]).exp_below_max(fma));
        }
    }
    let mut lse = [T::zero(); LANES];
    for l in 0..LANES {
        lse[l] = m[l].add(s[l].ln());
    }
    out.copy_from_slice(&lse);
}

/// PyTorch's `logsumexp` of a line, value by value (for lines with infinities or NaN).
fn logsumexp_by_definition<T: Float>(xs: &[T]) -> T {
    if xs.iter().any(|x| x.is_nan()) {
        return T::from_f64(f64::NAN);
    }
    let m = xs
        .iter()
        .fold(T::from_f64(f64::NEG_INFINITY), |m, &x| max(m, x));
    let m = if m.to_f64().is_finite() { m } else { T::zero() };
    let s = xs.iter().fold(T::zero(), |s, &x| s.add(x.sub(m).exp()));
    m.add(s.ln_libm())
}

/// The work of a softmax per element, counted in elementwise additions (the unit of
/// [`worth_parallel`]): an `exp`, a maximum, a sum and a scale, measured at about four. Lines
/// go parallel from a quarter as many elements as an addition does (PyTorch's do earlier
/// still).
const EXP_WORK: usize = 4;

/// `softmax` (or `log_softmax` when `log`) along each line: `exp(x - max) / Σ exp(x - max)`.
///
/// # Safety
/// As for [`scan`].
pub unsafe fn softmax<T: Float>(
    src: *const T,
    dst: *mut T,
    (outer, n, inner): (usize, usize, usize),
    log: bool,
) {
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    if inner == 1 {
        let lines = |o0: usize, o1: usize| {
            // SAFETY: lines `o0..o1` of both buffers; tasks own their lines.
            let (xs, ys) = unsafe {
                (
                    std::slice::from_raw_parts(src.get().add(o0 * n), (o1 - o0) * n),
                    std::slice::from_raw_parts_mut(dst.get().add(o0 * n), (o1 - o0) * n),
                )
            };
            // Lines up to two vectors long four at a time, each padded (see
            // `softmax_short_lines`); up to `MID_LINES` and ending in a partial vector two at
            // a time (with whole vectors only, or longer, one line keeps the core busy enough:
            // pairs measured slower there). The last lines (fewer than a group) one at a time.
            let group = match n {
                n if n <= 2 * LANES => Group::Short,
                n if n <= MID_LINES && !n.is_multiple_of(LANES) => Group::Pair,
                _ => Group::Block,
            };
            let split = (o1 - o0) / group.lines() * group.lines() * n;
            let ((gx, rx), (gy, ry)) = (xs.split_at(split), ys.split_at_mut(split));
            #[inline(always)]
            fn each<T: Float>(xs: &[T], ys: &mut [T], len: usize, f: impl Fn(&[T], &mut [T])) {
                for (x, y) in xs.chunks_exact(len).zip(ys.chunks_exact_mut(len)) {
                    f(x, y);
                }
            }
            simd::best_fma(
                #[inline(always)]
                |fma| match (group, log) {
                    (Group::Block, _) => each(
                        gx,
                        gy,
                        BLOCK_LINES * n,
                        #[inline(always)]
                        |x, y| softmax_block(x, y, n, log, fma),
                    ),
                    (Group::Pair, false) => pairs::<T, false>(gx, gy, n, fma),
                    (Group::Pair, true) => pairs::<T, true>(gx, gy, n, fma),
                    (Group::Short, _) if n <= LANES => each(
                        gx,
                        gy,
                        SHORT_LINES * n,
                        #[inline(always)]
                        |x, y| softmax_short_lines::<T, LANES>(x, y, n, log, fma),
                    ),
                    (Group::Short, _) => each(
                        gx,
                        gy,
                        SHORT_LINES * n,
                        #[inline(always)]
                        |x, y| softmax_short_lines::<T, { 2 * LANES }>(x, y, n, log, fma),
                    ),
                },
            );
            for (x, y) in rx.chunks_exact(n).zip(ry.chunks_exact_mut(n)) {
                simd::best_fma(
                    #[inline(always)]
                    |fma| softmax_line(x, y, log, fma),
                );
            }
        };
        if worth_parallel(outer * n * EXP_WORK) && outer > 1 {
            par_ranges(outer, outer.div_ceil(16), lines);
        } else {
            lines(0, outer);
        }
        return;
    }
    for_each_block(outer, n, inner, |o, i0, i1| {
        // SAFETY: the block's columns `i0..i1` of line group `o` lie inside both buffers;
        // tasks write disjoint columns.
        simd::best_fma(
            #[inline(always)]
            |fma| unsafe {
                softmax_columns(
                    src.get(),
                    dst.get(),
                    o * n * inner + i0,
                    (n, inner),
                    i1 - i0,
                    (log, fma),
                )
            },
        );
    });
}

/// Softmax of `w` side-by-side lines of `n` elements `inner` apart, starting at `base`: each
/// pass walks rows of `w` contiguous elements, which vectorises.
///
/// # Safety
/// Every `base + k * inner + j` (`k < n`, `j < w`) must be inside both buffers, and no other
/// thread may touch those elements of `dst`.
#[inline(always)]
unsafe fn softmax_columns<T: Float>(
    src: *const T,
    dst: *mut T,
    base: usize,
    (n, inner): (usize, usize),
    w: usize,
    (log, fma): (bool, bool),
) {
    // SAFETY: row k is inside both buffers (the caller's contract).
    let row = |k: usize| unsafe { std::slice::from_raw_parts(src.add(base + k * inner), w) };
    // SAFETY: as above; each row is borrowed mutably once at a time.
    let out = |k: usize| unsafe { std::slice::from_raw_parts_mut(dst.add(base + k * inner), w) };
    let mut max = vec![T::from_f64(f64::NEG_INFINITY); w];
    let mut sum = vec![T::zero(); w];
    for k in 0..n {
        for (m, &x) in max.iter_mut().zip(row(k)) {
            if x > *m || x.is_nan() {
                *m = x;
            }
        }
    }
    for k in 0..n {
        if log {
            for ((&x, &m), s) in row(k).iter().zip(&max).zip(sum.iter_mut()) {
                *s = s.add(x.sub(m).exp_below_max(fma));
            }
        } else {
            for (((y, &x), &m), s) in out(k).iter_mut().zip(row(k)).zip(&max).zip(sum.iter_mut()) {
                let e = x.sub(m).exp_below_max(fma);
                *s = s.add(e);
                *y = e;
            }
        }
    }
    if log {
        for s in sum.iter_mut() {
            *s = s.ln();
        }
    }
    for k in 0..n {
        let ys = out(k);
        if log {
            for (((y, &x), &m), &ls) in ys.iter_mut().zip(row(k)).zip(&max).zip(&sum) {
                *y = x.sub(m).sub(ls);
            }
        } else {
            for (y, &s) in ys.iter_mut().zip(&sum) {
                *y = y.div(s);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumsum_along_rows_and_columns() {
        let x: Vec<f64> = (0..6).map(|i| i as f64).collect();
        let mut out = vec![0.0; 6];
        // SAFETY: both buffers hold 6 elements.
        unsafe {
            scan(
                x.as_ptr(),
                out.as_mut_ptr(),
                (2, 3, 1),
                0.0,
                |a, b| a + b,
                |v| v,
                |v| v,
            )
        };
        assert_eq!(out, vec![0.0, 1.0, 3.0, 3.0, 7.0, 12.0]);
        // SAFETY: as above.
        unsafe {
            scan(
                x.as_ptr(),
                out.as_mut_ptr(),
                (1, 2, 3),
                0.0,
                |a, b| a + b,
                |v| v,
                |v| v,
            )
        };
        assert_eq!(out, vec![0.0, 1.0, 2.0, 3.0, 5.0, 7.0]);
    }

    #[test]
    fn softmax_is_stable_for_large_inputs() {
        let x = [1000.0f32, 1000.0];
        let mut out = [0.0f32; 2];
        // SAFETY: two elements each.
        unsafe { softmax(x.as_ptr(), out.as_mut_ptr(), (1, 2, 1), false) };
        assert_eq!(out, [0.5, 0.5]);
        // SAFETY: as above.
        unsafe { softmax(x.as_ptr(), out.as_mut_ptr(), (1, 2, 1), true) };
        assert!((out[0] + std::f32::consts::LN_2).abs() < 1e-6);
    }

    #[test]
    fn logsumexp_of_lines_of_every_width_matches_the_formula() {
        for n in 1..=20 {
            for outer in [1, 15, 16, 17, 40] {
                let x: Vec<f64> = (0..outer * n)
                    .map(|i| ((i * 37 % 101) as f64 - 50.0) * 0.3)
                    .collect();
                let mut out = vec![0.0; outer];
                // SAFETY: `x` holds `outer * n` values and `out` `outer`.
                unsafe { logsumexp(x.as_ptr(), out.as_mut_ptr(), outer, n) };
                for (l, &got) in out.iter().enumerate() {
                    let line = &x[l * n..(l + 1) * n];
                    let m = line.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let want = m + line.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                    assert!((got - want).abs() <= 1e-13 * want.abs().max(1.0), "{n} {l}");
                }
            }
        }
    }

    #[test]
    fn softmax_rows_and_columns_agree_with_the_formula() {
        // 3 lines of 37 elements (more than LANES, with a remainder), as rows and as columns.
        let (lines, n) = (3usize, 37usize);
        let x: Vec<f32> = (0..lines * n)
            .map(|i| ((i * 7919) % 101) as f32 / 10.0 - 5.0)
            .collect();
        let xt: Vec<f32> = (0..lines * n)
            .map(|i| x[(i % lines) * n + i / lines])
            .collect();
        for log in [false, true] {
            let (mut rows, mut cols) = (vec![0.0f32; lines * n], vec![0.0f32; lines * n]);
            // SAFETY: every buffer holds lines * n elements.
            unsafe {
                softmax(x.as_ptr(), rows.as_mut_ptr(), (lines, n, 1), log);
                softmax(xt.as_ptr(), cols.as_mut_ptr(), (1, n, lines), log);
            }
            for l in 0..lines {
                let line: Vec<f64> = x[l * n..(l + 1) * n].iter().map(|&v| v as f64).collect();
                let m = line.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let lse = m + line.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
                for k in 0..n {
                    let want = if log {
                        line[k] - lse
                    } else {
                        (line[k] - lse).exp()
                    };
                    for got in [rows[l * n + k], cols[k * lines + l]] {
                        let err = (got as f64 - want).abs() / want.abs().max(1e-30);
                        assert!(
                            err < 8.0 * f32::EPSILON as f64,
                            "{log} {l} {k}: {got} {want}"
                        );
                    }
                }
                let lse32 = simd::best_fma(
                    #[inline(always)]
                    |fma| logsumexp_line(&x[l * n..(l + 1) * n], fma),
                );
                assert!((lse32 as f64 - lse).abs() < 1e-5 * lse.abs());
            }
        }
    }
}
