//! The reductions' element-combining rules ([`Fold`]s) and their vectorised slice loops.
//!
//! Slice loops keep [`LANES`] or [`WIDE`] independent accumulators so the compiler can use SIMD
//! registers (it may not reorder float additions itself). Sums are pairwise: blocks of 16 rows of
//! [`LANES`] values are summed down their columns as balanced trees, and the block sums are
//! combined as a balanced tree too, so the rounding error grows with `log n` rather than `n`.

use std::mem::MaybeUninit;

use super::math::Arith;
use super::reduce::Fold;
use super::Element;

/// Independent accumulators of the vectorised loops.
pub const LANES: usize = 16;
/// Accumulators of the loops whose additions or comparisons would otherwise wait on each
/// other: four AVX-512 registers of float32.
pub const WIDE: usize = 4 * LANES;
/// Values per summation block: 16 rows of [`LANES`] columns.
const BLOCK: usize = 16 * LANES;

/// The sum down column `k` of a block of 16 rows of [`LANES`], as a balanced tree (four levels
/// of additions; callers loop over `k`, which vectorises across the columns). A fixed-size
/// block: constant indices let the compiler keep it all in vector registers. Repeated values
/// add exactly.
#[inline(always)]
fn column_sum<T: Arith>(xs: &[T; BLOCK], k: usize, f: impl Fn(T) -> T) -> T {
    let x = |row: usize| f(xs[row * LANES + k]);
    let four = |row: usize| x(row).add(x(row + 1)).add(x(row + 2).add(x(row + 3)));
    four(0).add(four(4)).add(four(8).add(four(12)))
}

/// Folds `xs` with an associative `op` into [`WIDE`] accumulators, then combines them as a
/// balanced tree.
#[inline(always)]
fn lanes<T: Copy>(xs: &[T], init: T, op: impl Fn(T, T) -> T + Copy) -> T {
    lanes_by(xs, init, op, op)
}

/// [`lanes`] with accumulators of another type: `step(acc, x)` takes each value into a lane,
/// `combine` merges lanes. A short row uses one vector's worth of lanes (fewer to combine at
/// the end), a longer one [`WIDE`].
#[inline(always)]
fn lanes_by<T: Copy, A: Copy>(
    xs: &[T],
    init: A,
    step: impl Fn(A, T) -> A + Copy,
    combine: impl Fn(A, A) -> A + Copy,
) -> A {
    if xs.len() < WIDE {
        fold_lanes::<T, A, LANES>(xs, init, step, combine)
    } else {
        fold_lanes::<T, A, WIDE>(xs, init, step, combine)
    }
}

/// [`lanes_by`] with `N` accumulators: independent chains, so that an operation's latency (a
/// multiplication's four cycles) does not bound the loop; then single vectors, then the last
/// values.
#[inline(always)]
fn fold_lanes<T: Copy, A: Copy, const N: usize>(
    xs: &[T],
    init: A,
    step: impl Fn(A, T) -> A,
    combine: impl Fn(A, A) -> A,
) -> A {
    let mut acc = [init; N];
    let mut rest = xs;
    while let Some((c, after)) = rest.split_first_chunk::<N>() {
        for k in 0..N {
            acc[k] = step(acc[k], c[k]);
        }
        rest = after;
    }
    while let Some((c, after)) = rest.split_first_chunk::<LANES>() {
        for k in 0..LANES {
            acc[k] = step(acc[k], c[k]);
        }
        rest = after;
    }
    let mut width = N / 2;
    while width > 0 {
        for k in 0..width {
            acc[k] = combine(acc[k], acc[k + width]);
        }
        width /= 2;
    }
    rest.iter().fold(acc[0], |a, &x| step(a, x))
}

/// Pairwise sum of a slice: blocks reduced by [`column_sum`] to [`LANES`] column sums, the
/// blocks' column sums combined as a balanced binary tree (vector additions), and the columns
/// added as a tree at the end. Iterative (a binary counter over the blocks, holding one vector
/// of partial sums per level), so that it inlines into [`simd::best`](super::simd::best)'s
/// vector code; a recursive version would stay a baseline-SSE2 function.
#[inline(always)]
pub fn pairwise_sum<T: Arith + Element>(xs: &[T]) -> T {
    pairwise_sum_by(xs, |x| x)
}

/// [`pairwise_sum`] of `f(x)`.
#[inline(always)]
pub fn pairwise_sum_by<T: Arith + Element>(xs: &[T], f: impl Fn(T) -> T + Copy) -> T {
    // `levels[i]` holds the column sums of 2^i blocks while bit i of `blocks` is set; it is
    // uninitialised otherwise (setting up 64 vectors per call would cost more than short sums).
    let mut levels = [const { MaybeUninit::<[T; LANES]>::uninit() }; usize::BITS as usize];
    let mut blocks = 0usize;
    let mut rest = xs;
    while let Some((block, after)) = rest.split_first_chunk::<BLOCK>() {
        let mut cols = [T::zero(); LANES];
        for (k, col) in cols.iter_mut().enumerate() {
            *col = column_sum(block, k, f);
        }
        let mut level = 0;
        while blocks & (1 << level) != 0 {
            // SAFETY: bit `level` is set, so `levels[level]` was written and not yet consumed.
            let below = unsafe { levels[level].assume_init_ref() };
            for k in 0..LANES {
                cols[k] = below[k].add(cols[k]);
            }
            level += 1;
        }
        levels[level].write(cols);
        blocks += 1;
        rest = after;
    }
    // The tail: its rows summed down the columns (pairs of rows at a time, two chains of
    // additions), its last values added to the first columns, then the levels.
    let mut cols = [T::zero(); LANES];
    let pairs = rest.chunks_exact(2 * LANES);
    let mut last = pairs.remainder();
    let mut odd = [T::zero(); LANES];
    for pair in pairs {
        for k in 0..LANES {
            cols[k] = cols[k].add(f(pair[k]));
            odd[k] = odd[k].add(f(pair[LANES + k]));
        }
    }
    if let Some((row, after)) = last.split_first_chunk::<LANES>() {
        for k in 0..LANES {
            odd[k] = odd[k].add(f(row[k]));
        }
        last = after;
    }
    for (k, &x) in last.iter().enumerate() {
        odd[k] = odd[k].add(f(x));
    }
    for k in 0..LANES {
        cols[k] = cols[k].add(odd[k]);
    }
    let depth = (usize::BITS - blocks.leading_zeros()) as usize;
    for (level, sums) in levels[..depth].iter().enumerate() {
        if blocks & (1 << level) != 0 {
            // SAFETY: as above.
            let sums = unsafe { sums.assume_init_ref() };
            for k in 0..LANES {
                cols[k] = sums[k].add(cols[k]);
            }
        }
    }
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            cols[k] = cols[k].add(cols[k + width]);
        }
        width /= 2;
    }
    cols[0]
}

/// `Σ x` (wrapping for integers).
pub struct Sum;

impl<T: Arith + Element> Fold<T> for Sum {
    type Acc = T;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> T {
        T::zero()
    }
    #[inline(always)]
    fn step(&self, acc: T, x: T, _: usize) -> T {
        acc.add(x)
    }
    fn merge(&self, a: T, b: T) -> T {
        a.add(b)
    }
    unsafe fn fast_columns(
        &self,
        src: *const T,
        rows: usize,
        stride: usize,
        out: *mut T,
        len: usize,
    ) -> bool {
        // SAFETY: forwarded.
        unsafe { T::fast_sum_rows(src, rows, stride, out, len) }
    }
    #[inline(always)]
    fn fold_slice(&self, acc: T, xs: &[T], _: usize) -> T {
        if let Some(s) = T::fast_sum(xs) {
            return acc.add(s);
        }
        acc.add(pairwise_sum(xs))
    }
}

/// `Σ x` of float32 values, returned in float64 for the caller to round once.
///
/// Blocks of 16 rows of a vector's width are summed down their columns as balanced float32
/// trees, and the blocks' column sums are accumulated in float64. A block's rounding error is
/// thus at most `4u Σ|x|` over its values (`u = 2⁻²⁴`) whatever the length, where NumPy's
/// float32 pairwise sum allows about `(18 + log₂(n/128)) u` (35u at 10⁷ values); and repeated
/// values add exactly (`16 · 0.1f` sums with no error, unlike a running float32 total). One
/// float32 addition per element instead of widening every element.
///
/// With AVX-512 the loop is [`avx512::sum_f32`](super::avx512::sum_f32): blocks of 16
/// vectors read in order, and a run shorter than 1024 values (a row of a matrix) folded in
/// four vectors with its last values in one masked load (at most `17u Σ|x|` there); it
/// prefetches ahead when the input is larger than half a core's L2 cache, so partly read from
/// L3 or memory. With AVX2 it is [`avx2::sum_f32`](super::avx2::sum_f32), elsewhere
/// [`portable_sum_f32`].
pub struct WideSum {
    prefetch: bool,
}

impl WideSum {
    /// Inputs larger than this are taken to be read partly from L3 or memory (measured: rows of
    /// 2 MB inputs gained 10–20%, a 1.2 MB input's single run lost nothing).
    const PREFETCH_MIN_BYTES: usize = 1 << 20;

    /// The sum of an input of `bytes` bytes.
    pub fn for_input(bytes: usize) -> Self {
        WideSum {
            prefetch: bytes > Self::PREFETCH_MIN_BYTES,
        }
    }
}

impl Fold<f32> for WideSum {
    type Acc = f64;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> f64 {
        0.0
    }
    #[inline(always)]
    fn step(&self, acc: f64, x: f32, _: usize) -> f64 {
        acc + x as f64
    }
    fn merge(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    #[inline(always)]
    fn fold_slice(&self, acc: f64, xs: &[f32], _: usize) -> f64 {
        #[cfg(target_arch = "x86_64")]
        if super::avx512::available() {
            // SAFETY: the CPU has AVX-512F.
            return acc + unsafe { super::avx512::sum_f32(xs, self.prefetch) };
        }
        #[cfg(target_arch = "x86_64")]
        if super::avx2::available() {
            // SAFETY: the CPU has AVX2.
            return acc + unsafe { super::avx2::sum_f32(xs) };
        }
        acc + portable_sum_f32(xs)
    }
}

/// Adds the column sums of a float32 block (16 rows of [`LANES`]; four levels of float32
/// additions: at most `4u Σ|x|` of rounding error, none on repeated values) to float64 `lanes`.
///
/// Always inlined: as a closure called twice it was compiled out of line as baseline SSE2
/// code, outside `simd::best`'s AVX2. The widening is a loop of its own: in the same loop, the
/// compiler vectorised the whole at four lanes (one AVX2 register of float64), running the
/// float32 tree at half width.
#[inline(always)]
fn add_block_f32(lanes: &mut [f64; LANES], block: &[f32; BLOCK]) {
    let mut sums = [0.0f32; LANES];
    for (k, s) in sums.iter_mut().enumerate() {
        *s = column_sum(block, k, |x| x);
    }
    for (lane, s) in lanes.iter_mut().zip(sums) {
        *lane += s as f64;
    }
}

/// Float32 sums of many blocks read [`STREAMS`] parts of their input side by side: one
/// sequential stream of loads kept too few cache misses in flight (AVX2, Zen 3, 64 MB on one
/// core: 17 GB/s; four streams: 28).
pub(crate) const STREAMS: usize = 4;

/// Blocks per stream of a float32 sum of `n` values: every whole block in [`STREAMS`] equal
/// parts (the few left over are read after them), or none below 16 blocks.
#[inline(always)]
pub(crate) fn stream_blocks(n: usize) -> usize {
    let per_stream = n / (STREAMS * BLOCK);
    if per_stream >= 4 {
        per_stream
    } else {
        0
    }
}

/// [`WideSum`] by loops the compiler vectorises: whole blocks of 16 rows of [`LANES`]
/// ([`add_block_f32`]; from [`STREAMS`] parts in turn when there are many) and then the rest
/// ([`add_short_f32`]) into sixteen float64 lanes, folded as a tree at the end. With AVX2 the
/// same additions in the same order are [`avx2::sum_f32`](super::avx2::sum_f32) (bit for bit,
/// tested): the compiler made two-lane
/// pieces of the short part, and its lanes added one after another were a chain of sixteen
/// dependent additions at the end of every row.
#[inline(always)]
pub(crate) fn portable_sum_f32(xs: &[f32]) -> f64 {
    // Plain loops, not iterator adaptors taking closures: those may be compiled out of
    // line, outside `simd::best`'s vector instructions.
    let mut lanes = [0.0f64; LANES];
    let per_stream = stream_blocks(xs.len());
    let (streamed, mut rest) = xs.split_at(STREAMS * per_stream * BLOCK);
    let (blocks, _) = streamed.as_chunks::<BLOCK>();
    for b in 0..per_stream {
        for s in 0..STREAMS {
            add_block_f32(&mut lanes, &blocks[s * per_stream + b]);
        }
    }
    while let Some((block, after)) = rest.split_first_chunk::<BLOCK>() {
        add_block_f32(&mut lanes, block);
        rest = after;
    }
    add_short_f32(&mut lanes, rest);
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            lanes[k] += lanes[k + width];
        }
        width /= 2;
    }
    lanes[0]
}

/// Adds fewer than a block of float32 values (a row of a matrix, or the end of a long run) to
/// float64 `lanes`: pairs of rows of [`LANES`] added in float32 and widened, then a last row,
/// half row and last values widened as they are, each into a lane of its own. Each value
/// meets at most one float32 rounding, so the error is at most `u Σ|x|` (tighter than a
/// block's), and repeated values add exactly. Read in place: a block padded with zeros was
/// copied through the stack, and the copy's loads stalled on its stores (AVX2:
/// `(1000, 100).sum(1)` 62 -> 24 µs).
#[inline(always)]
fn add_short_f32(lanes: &mut [f64; LANES], xs: &[f32]) {
    let pairs = xs.chunks_exact(2 * LANES);
    let mut rest = pairs.remainder();
    for pair in pairs {
        let mut sums = [0.0f32; LANES];
        for k in 0..LANES {
            sums[k] = pair[k] + pair[LANES + k];
        }
        for (lane, s) in lanes.iter_mut().zip(sums) {
            *lane += s as f64;
        }
    }
    if let Some((row, after)) = rest.split_first_chunk::<LANES>() {
        for k in 0..LANES {
            lanes[k] += row[k] as f64;
        }
        rest = after;
    }
    if let Some((half, after)) = rest.split_first_chunk::<{ LANES / 2 }>() {
        for k in 0..LANES / 2 {
            lanes[k] += half[k] as f64;
        }
        rest = after;
    }
    for (lane, &x) in lanes.iter_mut().zip(rest) {
        *lane += x as f64;
    }
}

/// `Σ f(x)`: sums of squares and of absolute values (norms) without a temporary tensor.
pub struct MapSum<G>(pub G);

impl<T: Arith + Element, G: Fn(T) -> T + Sync> Fold<T> for MapSum<G> {
    type Acc = T;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> T {
        T::zero()
    }
    #[inline(always)]
    fn step(&self, acc: T, x: T, _: usize) -> T {
        acc.add((self.0)(x))
    }
    fn merge(&self, a: T, b: T) -> T {
        a.add(b)
    }
    #[inline(always)]
    fn fold_slice(&self, acc: T, xs: &[T], _: usize) -> T {
        acc.add(pairwise_sum_by(xs, &self.0))
    }
}

/// `Π x` (wrapping for integers).
pub struct Prod;

impl<T: Arith + Element> Fold<T> for Prod {
    type Acc = T;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> T {
        T::one()
    }
    #[inline(always)]
    fn step(&self, acc: T, x: T, _: usize) -> T {
        acc.mul(x)
    }
    fn merge(&self, a: T, b: T) -> T {
        a.mul(b)
    }
    #[inline(always)]
    fn fold_slice(&self, acc: T, xs: &[T], _: usize) -> T {
        if let Some(p) = T::fast_prod(xs) {
            return acc.mul(p);
        }
        acc.mul(lanes(xs, T::one(), T::mul))
    }
}

/// `Π x` of float32 values accumulated in float64 (partial products may leave float32's range
/// and come back, and a 0 stays 0 whichever lanes meet it; torch's CPU kernel multiplies
/// float32 lanes, and gives `inf` or `nan` there: a difference the README lists),
/// returned in float64 for the caller to round once. The lanes of [`Prod`] over float64, each
/// value widened as it is read (no float64 copy of the input).
pub struct WideProd;

impl Fold<f32> for WideProd {
    type Acc = f64;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> f64 {
        1.0
    }
    #[inline(always)]
    fn step(&self, acc: f64, x: f32, _: usize) -> f64 {
        acc * x as f64
    }
    fn merge(&self, a: f64, b: f64) -> f64 {
        a * b
    }
    #[inline(always)]
    fn fold_slice(&self, acc: f64, xs: &[f32], _: usize) -> f64 {
        #[cfg(target_arch = "x86_64")]
        if super::avx512::available() {
            // SAFETY: the CPU has AVX-512F.
            return acc * unsafe { super::avx512::prod_f32(xs) };
        }
        #[cfg(target_arch = "x86_64")]
        if super::avx2::available() {
            // SAFETY: the CPU has AVX2.
            return acc * unsafe { super::avx2::prod_f32(xs) };
        }
        acc * lanes_by(xs, 1.0f64, |a, x| a * x as f64, |a, b| a * b)
    }
}

/// The larger of two values, NaN winning (torch's `max` propagates NaN).
#[inline(always)]
fn max_nan<T: Arith>(a: T, x: T) -> T {
    if x > a || x.is_nan() {
        x
    } else {
        a
    }
}

#[inline(always)]
fn min_nan<T: Arith>(a: T, x: T) -> T {
    if x < a || x.is_nan() {
        x
    } else {
        a
    }
}

/// The largest (`Max(true)`) or smallest (`Max(false)`) value; NaN if any is NaN. The identity
/// is the first element, so callers must reject empty reductions.
pub struct Extreme {
    pub largest: bool,
}

/// Values that have a lowest and highest element (the identities of max and min).
pub trait Bounded: Copy {
    const LOWEST: Self;
    const HIGHEST: Self;
}

macro_rules! bounded {
    ($($t:ty: $lo:expr, $hi:expr;)*) => {
        $(impl Bounded for $t {
            const LOWEST: Self = $lo;
            const HIGHEST: Self = $hi;
        })*
    };
}

bounded! {
    u8: 0, u8::MAX;
    i32: i32::MIN, i32::MAX;
    i64: i64::MIN, i64::MAX;
    f32: f32::NEG_INFINITY, f32::INFINITY;
    f64: f64::NEG_INFINITY, f64::INFINITY;
}

impl<T: Arith + Bounded + Element> Fold<T> for Extreme {
    type Acc = T;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> T {
        if self.largest {
            T::LOWEST
        } else {
            T::HIGHEST
        }
    }
    #[inline(always)]
    fn step(&self, acc: T, x: T, _: usize) -> T {
        if self.largest {
            max_nan(acc, x)
        } else {
            min_nan(acc, x)
        }
    }
    fn merge(&self, a: T, b: T) -> T {
        self.step(a, b, 0)
    }
    fn fast_short_slices(&self) -> bool {
        T::fast_loops()
    }
    unsafe fn fast_columns(
        &self,
        src: *const T,
        rows: usize,
        stride: usize,
        out: *mut T,
        len: usize,
    ) -> bool {
        // SAFETY: forwarded.
        unsafe { T::fast_extreme_rows(src, rows, stride, out, len, self.largest) }
    }
    #[inline(always)]
    fn fold_slice(&self, acc: T, xs: &[T], _: usize) -> T {
        if self.largest {
            max_nan(acc, slice_extreme(xs, true))
        } else {
            min_nan(acc, slice_extreme(xs, false))
        }
    }
}

/// The largest (or smallest) of `xs`, NaN if any element is NaN: the hand-written vector
/// loop where there is one, else [`extreme_slice`].
#[inline(always)]
fn slice_extreme<T: Arith + Bounded + Element>(xs: &[T], largest: bool) -> T {
    if let Some(x) = T::fast_extreme(xs, largest) {
        return x;
    }
    if largest {
        extreme_slice(xs, T::LOWEST, |x, a| x > a, max_nan)
    } else {
        extreme_slice(xs, T::HIGHEST, |x, a| x < a, min_nan)
    }
}

/// The extreme of `xs` by `better(x, acc)`, NaN if any element is NaN.
///
/// The vector loop keeps [`WIDE`] lanes of plain compare-and-select accumulators (the shape
/// that compiles to vector max/min instructions; a select in which NaN wins does not
/// vectorise) and, beside them, lane sums that only serve to notice a NaN: any NaN makes them
/// NaN. Infinities of both signs can make a sum NaN too; the exact scalar fold `pick` then
/// decides, as it does for every short slice.
#[inline(always)]
fn extreme_slice<T: Arith + Element>(
    xs: &[T],
    init: T,
    better: impl Fn(T, T) -> bool,
    pick: impl Fn(T, T) -> T,
) -> T {
    let mut acc = [init; WIDE];
    let mut check = [T::zero(); WIDE];
    let mut rest = xs;
    while let Some((c, after)) = rest.split_first_chunk::<WIDE>() {
        for k in 0..WIDE {
            let x = c[k];
            acc[k] = if better(x, acc[k]) { x } else { acc[k] };
            check[k] = check[k].add(x);
        }
        rest = after;
    }
    while let Some((c, after)) = rest.split_first_chunk::<LANES>() {
        for k in 0..LANES {
            let x = c[k];
            acc[k] = if better(x, acc[k]) { x } else { acc[k] };
            check[k] = check[k].add(x);
        }
        rest = after;
    }
    let mut width = WIDE / 2;
    while width > 0 {
        for k in 0..width {
            let x = acc[k + width];
            acc[k] = if better(x, acc[k]) { x } else { acc[k] };
            check[k] = check[k].add(check[k + width]);
        }
        width /= 2;
    }
    if check[0].is_nan() {
        return xs.iter().fold(init, |r, &x| pick(r, x));
    }
    rest.iter().fold(acc[0], |r, &x| pick(r, x))
}

/// Position of the first largest (or smallest) value, NaN counting as the largest and the
/// smallest (torch's `argmax`/`max(dim)`). The accumulator is (value, position); position
/// `usize::MAX` means no element yet.
pub struct ArgExtreme {
    pub largest: bool,
}

impl ArgExtreme {
    #[inline(always)]
    fn better<T: Arith>(&self, x: T, cur: T) -> bool {
        if cur.is_nan() {
            return false;
        }
        x.is_nan() || if self.largest { x > cur } else { x < cur }
    }
}

impl<T: Arith + Bounded + Element + Default> Fold<T> for ArgExtreme {
    type Acc = (T, usize);
    fn identity(&self) -> (T, usize) {
        (T::default(), usize::MAX)
    }
    #[inline(always)]
    fn step(&self, acc: (T, usize), x: T, idx: usize) -> (T, usize) {
        if acc.1 == usize::MAX || self.better(x, acc.0) {
            (x, idx)
        } else {
            acc
        }
    }
    fn merge(&self, a: (T, usize), b: (T, usize)) -> (T, usize) {
        if b.1 == usize::MAX || (a.1 != usize::MAX && !self.better(b.0, a.0)) {
            a
        } else {
            b
        }
    }
    /// The extreme value by the vectorised [`extreme_slice`] (or a hand-written loop), then
    /// the first position holding it: two quick passes over a slice instead of one scalar pass
    /// carrying an index, whose branch on each comparison is mispredicted often (a row of 37
    /// float64 values took 78 ns that way on a Zen 3 core, 20 ns in two passes).
    #[inline(always)]
    fn fold_slice(&self, acc: (T, usize), xs: &[T], idx0: usize) -> (T, usize) {
        let value = if xs.len() < WIDE && !T::fast_loops() {
            match T::fast_extreme(xs, self.largest) {
                Some(value) => value,
                // short rows: one pass costs less than the portable vector loops' set-up
                None => {
                    return xs
                        .iter()
                        .enumerate()
                        .fold(acc, |a, (i, &x)| self.step(a, x, idx0 + i))
                }
            }
        } else {
            slice_extreme(xs, self.largest)
        };
        let pos = match T::fast_find(xs, value) {
            Some(pos) => pos,
            None if value.is_nan() => xs.iter().position(|x| x.is_nan()),
            None => first_equal(xs, value),
        };
        // `value` equals an element of `xs` unless `xs` is empty; the element itself is the
        // result (the vector extreme of 0.0 and -0.0 may be either)
        pos.map_or(acc, |p| self.merge(acc, (xs[p], idx0 + p)))
    }
}

/// The position of the first element equal to `value`: blocks of [`LANES`] are tested with a
/// vectorisable comparison before the block that holds it is searched.
#[inline(always)]
fn first_equal<T: Arith>(xs: &[T], value: T) -> Option<usize> {
    let mut start = 0;
    let mut rest = xs;
    while let Some((c, after)) = rest.split_first_chunk::<LANES>() {
        if c.iter().fold(false, |found, &x| found | (x == value)) {
            break;
        }
        start += LANES;
        rest = after;
    }
    rest.iter().position(|&x| x == value).map(|p| start + p)
}

/// `all` (`Logic(true)`) or `any` (`Logic(false)`) of bytes holding 0 or 1.
pub struct Logic {
    pub all: bool,
}

impl Fold<u8> for Logic {
    type Acc = u8;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> u8 {
        self.all as u8
    }
    #[inline(always)]
    fn step(&self, acc: u8, x: u8, _: usize) -> u8 {
        if self.all {
            acc & x
        } else {
            acc | x
        }
    }
    fn merge(&self, a: u8, b: u8) -> u8 {
        self.step(a, b, 0)
    }
    #[inline(always)]
    fn fold_slice(&self, acc: u8, xs: &[u8], _: usize) -> u8 {
        if self.all {
            acc & lanes(xs, 1, |a, x| a & x)
        } else {
            acc | lanes(xs, 0, |a, x| a | x)
        }
    }
}

/// Number of non-zero elements (NaN counts).
pub struct CountNonzero;

impl<T: Element> Fold<T> for CountNonzero {
    type Acc = i64;
    const ORDER_FREE: bool = true;
    fn identity(&self) -> i64 {
        0
    }
    #[inline(always)]
    fn step(&self, acc: i64, x: T, _: usize) -> i64 {
        acc + (x != T::zero()) as i64
    }
    fn merge(&self, a: i64, b: i64) -> i64 {
        a + b
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::simd;
    use super::*;

    /// `len` pseudo-random values in [-300, 700) (a linear congruential generator: the
    /// kernels' tests need no random crate, and each test's `seed` makes it repeatable).
    pub(crate) fn values(len: usize, seed: &mut u64) -> Vec<f64> {
        (0..len)
            .map(|_| {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((*seed >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 1e3
            })
            .collect()
    }

    /// Checks a hand-written loop's products of float64 and float32 rows (float64 partial
    /// products) against the products in order: within the rounding bound on values near
    /// one; exact on small powers of two, with every value counted once (a 4 at any of the
    /// last 40 positions); 0 with a zero and NaN with a NaN anywhere.
    pub(crate) fn check_row_products(
        prod_f64: impl Fn(&[f64]) -> f64,
        prod_f32: impl Fn(&[f32]) -> f64,
        lengths: impl IntoIterator<Item = usize>,
    ) {
        let narrow = |xs: &[f64]| xs.iter().map(|&x| x as f32).collect::<Vec<f32>>();
        let mut seed = 5;
        for len in lengths {
            // values near one, so that long products stay in range
            let xs: Vec<f64> = values(len, &mut seed)
                .iter()
                .map(|v| 1.0 + v / 1e6)
                .collect();
            let bound = |exact: f64| (len as f64 + 4.0) * f64::EPSILON * exact.abs();
            let exact: f64 = xs.iter().product();
            let ours = prod_f64(&xs);
            assert!(
                (ours - exact).abs() <= bound(exact),
                "len {len}: {ours} vs {exact}"
            );
            let xs32 = narrow(&xs);
            let exact: f64 = xs32.iter().map(|&x| x as f64).product();
            let ours = prod_f32(&xs32);
            assert!(
                (ours - exact).abs() <= bound(exact),
                "len {len}: {ours} vs {exact}"
            );
            let mut twos: Vec<f64> = (0..len).map(|i| [0.5, 2.0, 1.0][i % 3]).collect();
            let exact: f64 = twos.iter().product();
            assert_eq!(prod_f64(&twos), exact, "len {len}");
            assert_eq!(prod_f32(&narrow(&twos)), exact, "len {len}");
            for k in 0..len.min(40) {
                let mut ys = twos.clone();
                ys[len - 1 - k] *= 4.0;
                let got = (prod_f64(&ys), prod_f32(&narrow(&ys)));
                assert_eq!(got, (exact * 4.0, exact * 4.0), "len {len}, k {k}");
            }
            if len > 0 {
                for special in [0.0, f64::NAN] {
                    twos[len / 2] = special;
                    for got in [prod_f64(&twos), prod_f32(&narrow(&twos))] {
                        assert_eq!(got.is_nan(), special.is_nan(), "len {len}");
                        assert!(special.is_nan() || got == 0.0, "len {len}");
                    }
                }
            }
        }
    }

    /// Neumaier's compensated sum: the reference for float64 sums.
    pub(crate) fn compensated_sum(xs: &[f64]) -> f64 {
        let (mut sum, mut comp) = (0.0f64, 0.0f64);
        for &x in xs {
            let t = sum + x;
            comp += if sum.abs() >= x.abs() {
                (sum - t) + x
            } else {
                (x - t) + sum
            };
            sum = t;
        }
        sum + comp
    }

    #[test]
    fn pairwise_sum_is_exact_on_integers_and_accurate_on_floats() {
        let xs: Vec<f32> = (0..100_000).map(|i| (i % 10) as f32).collect();
        assert_eq!(pairwise_sum(&xs), 450_000.0);
        // 0.1 added ten million times: naive f32 accumulation is off by ~8%.
        let tenth = vec![0.1f32; 10_000_000];
        let s = pairwise_sum(&tenth) as f64;
        assert!((s - 1_000_000.014_901_161_2).abs() < 0.5, "{s}");
    }

    #[test]
    fn pairwise_sums_of_every_tail_length_are_accurate_and_exact_on_integers() {
        let mut seed = 11u64;
        for len in [
            0, 1, 15, 16, 17, 31, 32, 33, 255, 256, 257, 511, 512, 513, 1000, 4097, 100_003,
        ] {
            let xs: Vec<f64> = (0..len)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.4
                })
                .collect();
            let exact = compensated_sum(&xs);
            let abs: f64 = xs.iter().map(|x| x.abs()).sum();
            let ours = simd::best(|| pairwise_sum(&xs));
            let bound = (20.0 + (len as f64).log2().max(0.0)) * f64::EPSILON / 2.0 * abs;
            assert!(
                (ours - exact).abs() <= bound,
                "len {len}: {ours} vs {exact}"
            );
            let ints: Vec<i64> = (0..len as i64).map(|i| i * 7 - 3).collect();
            assert_eq!(simd::best(|| pairwise_sum(&ints)), ints.iter().sum::<i64>());
        }
    }

    #[test]
    fn portable_float32_sums_are_exact_on_repeats_and_within_their_bound_otherwise() {
        // 16 rows of one value add exactly (x + x doubles), so repeats carry no error
        let tenth = vec![0.1f32; 1 << 20];
        let sum = simd::best(|| portable_sum_f32(&tenth));
        assert_eq!(sum, (1 << 20) as f64 * 0.1f32 as f64);
        // and so do rows shorter than a block (pairs of values, then values widened)
        for len in [7, 31, 100, 255] {
            let sum = simd::best(|| portable_sum_f32(&tenth[..len]));
            assert_eq!(sum, len as f64 * 0.1f32 as f64, "{len}");
        }
        // around block boundaries and with a tail: at most 4u Σ|x| from the float64 sum
        let mut seed = 7u64;
        for len in [
            0,
            1,
            15,
            16,
            24,
            31,
            32,
            33,
            63,
            64,
            65,
            100,
            255,
            256,
            257,
            511,
            1000,
            4096 + 17,
            100_003,
        ] {
            let xs: Vec<f32> = values(len, &mut seed).iter().map(|&x| x as f32).collect();
            let exact: f64 = xs.iter().map(|&x| x as f64).sum();
            let abs: f64 = xs.iter().map(|&x| (x as f64).abs()).sum();
            let ours = simd::best(|| portable_sum_f32(&xs));
            let bound = 4.0 * f32::EPSILON as f64 / 2.0 * abs + 1e-9 * abs;
            assert!(
                (ours - exact).abs() <= bound,
                "len {len}: {ours} vs {exact}"
            );
        }
    }

    #[test]
    fn portable_extremes_match_a_scalar_fold_and_see_every_nan() {
        for len in [1usize, 15, 16, 17, 63, 64, 65, 200, 1000] {
            let xs: Vec<f64> = (0..len)
                .map(|i| ((i * 7919) % 1013) as f64 - 500.0)
                .collect();
            let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
            let big = simd::best(|| extreme_slice(&xs, f64::NEG_INFINITY, |x, a| x > a, max_nan));
            let small = simd::best(|| extreme_slice(&xs, f64::INFINITY, |x, a| x < a, min_nan));
            assert_eq!((big, small), (max, min), "len {len}");
            for at in [0, len / 2, len - 1] {
                let mut xn = xs.clone();
                xn[at] = f64::NAN;
                let r = simd::best(|| extreme_slice(&xn, f64::NEG_INFINITY, |x, a| x > a, max_nan));
                assert!(r.is_nan(), "len {len} at {at}");
            }
        }
    }

    #[test]
    fn extremes_propagate_nan_and_argmax_takes_the_first() {
        let xs = [1.0f64, 5.0, 5.0, -2.0];
        assert_eq!(
            Extreme { largest: true }.fold_slice(f64::NEG_INFINITY, &xs, 0),
            5.0
        );
        assert_eq!(
            Extreme { largest: false }.fold_slice(f64::INFINITY, &xs, 0),
            -2.0
        );
        let nan = [1.0f64, f64::NAN, 3.0];
        assert!(Extreme { largest: true }
            .fold_slice(f64::NEG_INFINITY, &nan, 0)
            .is_nan());
        let arg = ArgExtreme { largest: true };
        let acc = Fold::<f64>::fold_slice(&arg, Fold::<f64>::identity(&arg), &xs, 0);
        assert_eq!(acc.1, 1);
        let acc = Fold::<f64>::fold_slice(&arg, Fold::<f64>::identity(&arg), &nan, 0);
        assert_eq!(acc.1, 1);
        // merging keeps the earlier of equal values
        assert_eq!(arg.merge((5.0, 1), (5.0, 7)), (5.0, 1));
    }
}
