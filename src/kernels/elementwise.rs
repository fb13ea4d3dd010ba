//! Unary and binary elementwise loops over strided operands.
//!
//! Every loop writes operand 0 (the output) and reads the others. The inner loop is specialised
//! for the layouts that dominate real programs (all contiguous, one side broadcast), which the
//! compiler vectorises; other layouts take a strided loop.

use std::mem::MaybeUninit;

use super::parallel::{for_each_chunk, par_ranges, worth_parallel};
use super::strided::{coalesce_in_output_order, for_each_run, is_row_major, Transpose};
use super::{simd, SendPtr};
use crate::layout::Strides;

/// A raw operand: base pointer (already offset) and element strides.
#[derive(Clone, Copy)]
pub struct Raw<'a, T> {
    pub ptr: *const T,
    pub strides: &'a [usize],
}

/// `out[i] = f(a[i])` over `shape`, for an `f` that computes (`exp`, `neg`): strided values
/// are gathered a [`BATCH`] at a time and `f` runs over them as a vector loop.
///
/// # Safety
/// Every pointer must be valid for every offset its strides reach over `shape`; `out` must not
/// reach one element through two indices, and may overlap `a` only at identical positions.
pub unsafe fn map1<A: Copy + Sync, R: Copy + Send>(
    shape: &[usize],
    out: (*mut R, &[usize]),
    a: Raw<'_, A>,
    f: impl Fn(A) -> R + Sync + Send + Copy,
) {
    // SAFETY: forwarded.
    unsafe { map1_with::<A, R, true>(shape, out, a, f) }
}

/// [`map1`] for an `f` that only moves or converts a value (copies, casts, fills): strided
/// values are read by a pointer stepped down the view and stored at once, with no buffer
/// between (`x.T.contiguous()` of 1000² float32: 321 µs so, 363 through the buffer).
///
/// # Safety
/// As for [`map1`].
pub unsafe fn cast1<A: Copy + Sync, R: Copy + Send>(
    shape: &[usize],
    out: (*mut R, &[usize]),
    a: Raw<'_, A>,
    f: impl Fn(A) -> R + Sync + Send + Copy,
) {
    // SAFETY: forwarded.
    unsafe { map1_with::<A, R, false>(shape, out, a, f) }
}

/// [`map1`] (`BATCHED`) or [`cast1`].
///
/// # Safety
/// As for [`map1`].
#[inline(always)]
unsafe fn map1_with<A: Copy + Sync, R: Copy + Send, const BATCHED: bool>(
    shape: &[usize],
    out: (*mut R, &[usize]),
    a: Raw<'_, A>,
    f: impl Fn(A) -> R + Sync + Send + Copy,
) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    if is_row_major(shape, out.1) && is_row_major(shape, a.strides) {
        let (po, pa) = (SendPtr(out.0), SendPtr(a.ptr as *mut A));
        for_each_chunk(numel, |start, end| {
            // SAFETY: both operands are row-major over `shape`, so offsets `0..numel` are valid
            // (caller's contract); chunks are disjoint ranges of the output.
            unsafe {
                let (o, a) = (po.get().add(start), pa.get().add(start) as *const A);
                run1_best(o, a, end - start, f);
            }
        });
        return;
    }
    let (shape, [so, sa]) = coalesce_in_output_order(shape, [out.1, a.strides]);
    let strides: [Strides; 2] = [so, sa];
    let (po, pa) = (SendPtr(out.0), SendPtr(a.ptr as *mut A));
    let last = shape.len() - 1;
    let (io, ia) = (strides[0][last], strides[1][last]);
    if let Some(t) = Transpose::find(&shape, &strides) {
        let ca = t.col_strides[1];
        for_each_tile_row(
            &t,
            numel,
            #[inline(always)]
            |[oo, oa], cols| {
                // SAFETY: the tile's row lies inside both operands (caller's contract); units
                // are disjoint parts of the output.
                unsafe {
                    let o = po.get().add(oo);
                    let a = pa.get().add(oa) as *const A;
                    if BATCHED {
                        run1_strided(o, 1, a, ca, cols, f);
                    } else {
                        run1_stepped(o, 1, a, ca, cols, f);
                    }
                }
            },
        );
        return;
    }
    for_each_chunk(numel, |start, end| {
        for_each_run(&shape, &strides, start, end, |_, len, [oo, oa]| {
            // SAFETY: the caller guarantees every offset the strides reach is valid, and chunks
            // are disjoint ranges of the output.
            unsafe {
                let (o, a) = (po.get().add(oo), pa.get().add(oa) as *const A);
                match (io, ia) {
                    (1, 1) => run1_best(o, a, len, f),
                    (1, 0) => {
                        let v = f(*a);
                        for i in 0..len {
                            *o.add(i) = v;
                        }
                    }
                    _ if BATCHED => simd::best(
                        #[inline(always)]
                        || run1_strided(o, io, a, ia, len, f),
                    ),
                    _ => run1_stepped(o, io, a, ia, len, f),
                }
            }
        });
    });
}

/// Strided values are gathered this many at a time into a buffer, and `f` runs over the buffer
/// as a vector loop (see [`run1_strided`]).
const BATCH: usize = 256;

/// `o[i * io] = f(a[i * ia])` for `i < len`, each value read through a pointer stepped down
/// the view and stored at once ([`cast1`]).
///
/// # Safety
/// As for [`run1_strided`].
#[inline(always)]
unsafe fn run1_stepped<A: Copy, R: Copy>(
    o: *mut R,
    io: usize,
    a: *const A,
    ia: usize,
    len: usize,
    f: impl Fn(A) -> R,
) {
    let (mut p, mut q) = (a, o);
    for _ in 0..len {
        // SAFETY: `p` and `q` step over the values and outputs `0..len` (caller's contract).
        unsafe { *q = f(*p) };
        p = p.wrapping_add(ia);
        q = q.wrapping_add(io);
    }
}

/// `o[i * io] = f(a[i * ia])` for `i < len`, a [`BATCH`] at a time: the values gathered into
/// a buffer by a pointer stepped down the view, `f` applied over the buffer by a vector loop,
/// and the results stored in order (or scattered through a second buffer when the output is
/// strided too, as in place on a view). `x[:, ::2].exp()` of a (1000, 100) float32 matrix:
/// 183 -> 24 µs (one `exp` at a time before; PyTorch 45).
///
/// # Safety
/// `o` must be valid for `len` writes `io` apart and `a` for `len` reads `ia` apart; where
/// they overlap, at the same positions.
#[inline(always)]
unsafe fn run1_strided<A: Copy, R: Copy>(
    o: *mut R,
    io: usize,
    a: *const A,
    ia: usize,
    len: usize,
    f: impl Fn(A) -> R,
) {
    let mut xs = [MaybeUninit::<A>::uninit(); BATCH];
    let mut ys = [MaybeUninit::<R>::uninit(); BATCH];
    let mut i = 0;
    while i < len {
        let n = (len - i).min(BATCH);
        // SAFETY: values `i..i + n` of the input (caller's contract).
        let xs = unsafe { gather(a, ia, i, n, &mut xs) };
        if io == 1 {
            for (k, &x) in xs.iter().enumerate() {
                // SAFETY: outputs `i..i + n`, contiguous (caller's contract).
                unsafe { *o.add(i + k) = f(x) };
            }
        } else {
            for (y, &x) in ys.iter_mut().zip(xs) {
                y.write(f(x));
            }
            // SAFETY: outputs `i..i + n` (caller's contract); `ys[..n]` was written above.
            unsafe { scatter(o, io, i, &ys[..n]) };
        }
        i += n;
    }
}

/// Calls `row(offsets, cols)` for every row of every tile of `t` (the operands' offsets of the
/// row's first element), each tile's rows inside [`simd::best`], over both threads when the
/// `numel` elements are worth it.
fn for_each_tile_row<const N: usize>(
    t: &Transpose<N>,
    numel: usize,
    row: impl Fn([usize; N], usize) + Sync + Send + Copy,
) {
    let run = |u0: usize, u1: usize| {
        t.for_each_tile(u0, u1, |offs, rows, cols| {
            simd::best(
                #[inline(always)]
                || {
                    for i in 0..rows {
                        row(
                            std::array::from_fn(|k| offs[k] + i * t.row_strides[k]),
                            cols,
                        );
                    }
                },
            )
        })
    };
    let units = t.units();
    if worth_parallel(numel) && units > 1 {
        par_ranges(units, units.div_ceil(8), run);
    } else {
        run(0, units);
    }
}

/// `o[i] = f(a[i])` for `i < len`, in the widest vector instructions the CPU has
/// ([`simd::best`]): compute-bound unary ops (`exp`, `sigmoid`) run two to four times as fast
/// as in the baseline build.
///
/// # Safety
/// `o` must be valid for `len` writes and `a` for `len` reads; they are equal or do not overlap.
#[inline(always)]
unsafe fn run1_best<A: Copy, R: Copy>(o: *mut R, a: *const A, len: usize, f: impl Fn(A) -> R) {
    simd::best(
        #[inline(always)]
        // SAFETY: forwarded to the caller.
        || unsafe { run1(o, a, len, f) },
    )
}

/// `o[i] = f(a[i])` for `i < len`.
///
/// # Safety
/// As for [`run1_best`].
#[inline(always)]
unsafe fn run1<A: Copy, R: Copy>(o: *mut R, a: *const A, len: usize, f: impl Fn(A) -> R) {
    // SAFETY: forwarded to the caller.
    unsafe {
        if std::ptr::eq(o as *const u8, a as *const u8) && size_of::<A>() == size_of::<R>() {
            // In place: through one pointer, the compiler needs no overlap check to vectorise.
            for i in 0..len {
                *o.add(i) = f(*(o.add(i) as *const A));
            }
        } else {
            for i in 0..len {
                *o.add(i) = f(*a.add(i));
            }
        }
    }
}

/// `out[i] = f(a[i], b[i])` over `shape` (operands already broadcast to it).
///
/// # Safety
/// As for [`map1`], for both inputs.
pub unsafe fn map2<A: Copy + Sync, B: Copy + Sync, R: Copy + Send>(
    shape: &[usize],
    out: (*mut R, &[usize]),
    a: Raw<'_, A>,
    b: Raw<'_, B>,
    f: impl Fn(A, B) -> R + Sync + Send + Copy,
) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    if is_row_major(shape, out.1) {
        // The common layouts: operands contiguous or a single broadcast value.
        let flat = |s: &[usize]| {
            if is_row_major(shape, s) {
                Some(1)
            } else if s.iter().all(|&x| x == 0) {
                Some(0)
            } else {
                None
            }
        };
        if let (Some(ia), Some(ib)) = (flat(a.strides), flat(b.strides)) {
            let (po, pa, pb) = (
                SendPtr(out.0),
                SendPtr(a.ptr as *mut A),
                SendPtr(b.ptr as *mut B),
            );
            for_each_chunk(numel, |start, end| {
                // SAFETY: the output and stride-1 inputs are row-major over `shape` (offsets
                // `0..numel` valid by the caller's contract); stride-0 inputs read one element.
                unsafe {
                    let o = po.get().add(start);
                    let a = pa.get().add(start * ia) as *const A;
                    let b = pb.get().add(start * ib) as *const B;
                    zip2(o, a, b, (ia, ib), end - start, f);
                }
            });
            return;
        }
    }
    let (shape, [so, sa, sb]) = coalesce_in_output_order(shape, [out.1, a.strides, b.strides]);
    let strides: [Strides; 3] = [so, sa, sb];
    let (po, pa, pb) = (
        SendPtr(out.0),
        SendPtr(a.ptr as *mut A),
        SendPtr(b.ptr as *mut B),
    );
    let last = shape.len() - 1;
    let (io, ia, ib) = (strides[0][last], strides[1][last], strides[2][last]);
    if let Some(t) = Transpose::find(&shape, &strides) {
        // An input transposed (`x.T + 1`): tile by tile, as in `map1`.
        let [_, ca, cb] = t.col_strides;
        for_each_tile_row(
            &t,
            numel,
            #[inline(always)]
            |[oo, oa, ob], cols| {
                // SAFETY: as in `map1`.
                unsafe {
                    let o = po.get().add(oo);
                    let a = pa.get().add(oa) as *const A;
                    let b = pb.get().add(ob) as *const B;
                    run2_strided(o, 1, (a, ca), (b, cb), cols, f);
                }
            },
        );
        return;
    }
    for_each_chunk(numel, |start, end| {
        for_each_run(&shape, &strides, start, end, |_, len, [oo, oa, ob]| {
            // SAFETY: as in `map1`.
            unsafe {
                let o = po.get().add(oo);
                let a = pa.get().add(oa) as *const A;
                let b = pb.get().add(ob) as *const B;
                if io == 1 && ia <= 1 && ib <= 1 {
                    zip2(o, a, b, (ia, ib), len, f);
                } else {
                    simd::best(
                        #[inline(always)]
                        || run2_strided(o, io, (a, ia), (b, ib), len, f),
                    );
                }
            }
        });
    });
}

/// `o[i * io] = f(a[i * ia], b[i * ib])` for `i < len`, a [`BATCH`] at a time as in
/// [`run1_strided`]: strided inputs gathered into buffers (contiguous and broadcast ones read
/// in place), [`zip2`] over them, the results stored in order or scattered.
/// `x[:, ::2] + 1` of a (1000, 100) float32 matrix: 24.5 -> 13.2 µs (PyTorch 18.3).
///
/// # Safety
/// As for [`run1_strided`], for both inputs.
#[inline(always)]
unsafe fn run2_strided<A: Copy, B: Copy, R: Copy>(
    o: *mut R,
    io: usize,
    (a, ia): (*const A, usize),
    (b, ib): (*const B, usize),
    len: usize,
    f: impl Fn(A, B) -> R,
) {
    if ia > 1 && ib > 1 && io == 1 {
        // Both strided: gathering them costs more than `f` saves as a vector loop; two
        // pointers stepped together in the best instruction set (`x[:, 0] + x[:, 1]` of a
        // (100000, 4) float32 matrix: 50 -> 29 µs, PyTorch 33).
        let (mut pa, mut pb) = (a, b);
        for k in 0..len {
            // SAFETY: `pa` and `pb` step over the inputs' values (caller's contract), `k` over
            // the contiguous outputs.
            unsafe { *o.add(k) = f(*pa, *pb) };
            pa = pa.wrapping_add(ia);
            pb = pb.wrapping_add(ib);
        }
        return;
    }
    let mut xa = [MaybeUninit::<A>::uninit(); BATCH];
    let mut xb = [MaybeUninit::<B>::uninit(); BATCH];
    let mut ys = [MaybeUninit::<R>::uninit(); BATCH];
    let mut i = 0;
    while i < len {
        let n = (len - i).min(BATCH);
        // SAFETY: values `i..i + n` of each input (caller's contract) into its buffer.
        let (pa, sa) = unsafe { batch(a, ia, i, n, &mut xa) };
        // SAFETY: as above.
        let (pb, sb) = unsafe { batch(b, ib, i, n, &mut xb) };
        if io == 1 {
            // SAFETY: outputs `i..i + n`, contiguous; the inputs' first `n` values.
            unsafe { zip2(o.add(i), pa, pb, (sa, sb), n, &f) };
        } else {
            // SAFETY: `ys` holds `n` values; the inputs' first `n` values.
            unsafe { zip2(ys.as_mut_ptr().cast::<R>(), pa, pb, (sa, sb), n, &f) };
            // SAFETY: outputs `i..i + n` (caller's contract); `ys[..n]` was written by `zip2`.
            unsafe { scatter(o, io, i, &ys[..n]) };
        }
        i += n;
    }
}

/// Values `i..i + n` of an input `stride` apart, as a pointer and a stride of 0 or 1 for
/// [`zip2`]: in place when `stride` is 0 or 1, else gathered into `buf`.
///
/// # Safety
/// `x` must be valid for the reads of values `i..i + n`, `n <= BATCH`.
#[inline(always)]
unsafe fn batch<T: Copy>(
    x: *const T,
    stride: usize,
    i: usize,
    n: usize,
    buf: &mut [MaybeUninit<T>; BATCH],
) -> (*const T, usize) {
    if stride <= 1 {
        return (x.wrapping_add(i * stride), stride);
    }
    // SAFETY: forwarded.
    (unsafe { gather(x, stride, i, n, buf) }.as_ptr(), 1)
}

/// Values `i..i + n` of an input `stride` apart, copied into `buf` by a pointer stepped down
/// the view.
///
/// # Safety
/// As for [`batch`].
#[inline(always)]
unsafe fn gather<T: Copy>(
    x: *const T,
    stride: usize,
    i: usize,
    n: usize,
    buf: &mut [MaybeUninit<T>; BATCH],
) -> &[T] {
    let mut p = x.wrapping_add(i * stride);
    for v in &mut buf[..n] {
        // SAFETY: `p` steps over values `i..i + n` (caller's contract).
        v.write(unsafe { *p });
        p = p.wrapping_add(stride);
    }
    // SAFETY: the first `n` values of `buf` were written just above.
    unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<T>(), n) }
}

/// Stores `ys` at outputs `i..` `io` apart.
///
/// # Safety
/// `o` must be valid for writes of outputs `i..i + ys.len()`; `ys` must be initialised.
#[inline(always)]
unsafe fn scatter<R: Copy>(o: *mut R, io: usize, i: usize, ys: &[MaybeUninit<R>]) {
    let mut q = o.wrapping_add(i * io);
    for y in ys {
        // SAFETY: `q` steps over the outputs (caller's contract); `y` is initialised.
        unsafe { *q = y.assume_init() };
        q = q.wrapping_add(io);
    }
}

/// `o[i] = f(a[i * ia], b[i * ib])` for `i < len`, with `ia` and `ib` each 0 or 1: one loop per
/// case, so that the compiler vectorises each.
///
/// # Safety
/// `o` must be valid for `len` writes; `a` and `b` for the reads their strides reach.
#[inline(always)]
unsafe fn zip2<A: Copy, B: Copy, R: Copy>(
    o: *mut R,
    a: *const A,
    b: *const B,
    (ia, ib): (usize, usize),
    len: usize,
    f: impl Fn(A, B) -> R,
) {
    // SAFETY: forwarded to the caller.
    unsafe {
        match (ia, ib) {
            // In place (`x.add_(y)`): the same loop through one pointer. Written with `a` and
            // `o` apart, the compiler's overlap check sees them overlap and takes its scalar
            // loop, four times slower.
            (1, 1) if std::ptr::addr_eq(o, a) && std::ptr::addr_eq(a, b) => {
                let x = a as *const B;
                for i in 0..len {
                    *o.add(i) = f(*a.add(i), *x.add(i));
                }
            }
            (1, 1) if std::ptr::addr_eq(o, a) => {
                let x = o as *const A;
                for i in 0..len {
                    *o.add(i) = f(*x.add(i), *b.add(i));
                }
            }
            (1, 1) => {
                for i in 0..len {
                    *o.add(i) = f(*a.add(i), *b.add(i));
                }
            }
            (0, 1) => {
                let av = *a;
                for i in 0..len {
                    *o.add(i) = f(av, *b.add(i));
                }
            }
            // in place with a broadcast value (`x.add_(1)`): 24 -> 4.8 µs for 10^5 float32
            (1, 0) if std::ptr::addr_eq(o, a) => {
                let (x, bv) = (o as *const A, *b);
                for i in 0..len {
                    *o.add(i) = f(*x.add(i), bv);
                }
            }
            (1, 0) => {
                let bv = *b;
                for i in 0..len {
                    *o.add(i) = f(*a.add(i), bv);
                }
            }
            _ => {
                let v = f(*a, *b);
                for i in 0..len {
                    *o.add(i) = v;
                }
            }
        }
    }
}

/// `out[i] = f(a[i], b[i], c[i])` over `shape` (a plain strided loop: used by `where`).
///
/// # Safety
/// As for [`map1`], for all three inputs.
pub unsafe fn map3<A: Copy + Sync, B: Copy + Sync, C: Copy + Sync, R: Copy + Send>(
    shape: &[usize],
    out: (*mut R, &[usize]),
    a: Raw<'_, A>,
    b: Raw<'_, B>,
    c: Raw<'_, C>,
    f: impl Fn(A, B, C) -> R + Sync + Send + Copy,
) {
    let numel: usize = shape.iter().product();
    if numel == 0 {
        return;
    }
    let (shape, [so, sa, sb, sc]) =
        coalesce_in_output_order(shape, [out.1, a.strides, b.strides, c.strides]);
    let strides: [Strides; 4] = [so, sa, sb, sc];
    let ptrs = (
        SendPtr(out.0),
        SendPtr(a.ptr as *mut A),
        SendPtr(b.ptr as *mut B),
        SendPtr(c.ptr as *mut C),
    );
    let last = shape.len() - 1;
    let inner: [usize; 4] = std::array::from_fn(|k| strides[k][last]);
    for_each_chunk(numel, |start, end| {
        let (po, pa, pb, pc) = ptrs;
        for_each_run(&shape, &strides, start, end, |_, len, [oo, oa, ob, oc]| {
            for i in 0..len {
                // SAFETY: as in `map1`.
                unsafe {
                    *po.get().add(oo + i * inner[0]) = f(
                        *pa.get().add(oa + i * inner[1]),
                        *pb.get().add(ob + i * inner[2]),
                        *pc.get().add(oc + i * inner[3]),
                    );
                }
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instruction_set_variant_gives_the_same_bits() {
        let x: Vec<f32> = (0..1000).map(|i| (i as f32 - 500.0) * 0.2137).collect();
        let exp = |v: f32| crate::kernels::exp::exp_f32(v, false);
        let want: Vec<f32> = x.iter().map(|&v| exp(v)).collect();
        let mut got = vec![0.0f32; x.len()];
        // SAFETY: both buffers hold `x.len()` elements.
        unsafe { run1(got.as_mut_ptr(), x.as_ptr(), x.len(), exp) };
        assert_eq!(got, want);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                got.fill(0.0);
                // SAFETY: as above, and the CPU has AVX2 (and FMA, which `simd` also enables).
                unsafe {
                    simd::with_avx2(
                        #[inline(always)]
                        || run1(got.as_mut_ptr(), x.as_ptr(), x.len(), exp),
                    )
                };
                assert_eq!(got, want);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                got.fill(0.0);
                // SAFETY: as above, and the CPU has AVX-512F.
                unsafe {
                    simd::with_avx512(
                        #[inline(always)]
                        || run1(got.as_mut_ptr(), x.as_ptr(), x.len(), exp),
                    )
                };
                assert_eq!(got, want);
            }
        }
        // in place
        let mut y = x.clone();
        // SAFETY: one buffer of `y.len()` elements, read and written at the same positions.
        unsafe { run1_best(y.as_mut_ptr(), y.as_ptr(), y.len(), exp) };
        assert_eq!(y, want);
    }

    #[test]
    fn broadcast_add() {
        let a = [1.0f32, 2.0, 3.0];
        let b = [10.0f32, 20.0];
        let mut out = [0.0f32; 6];
        // (3, 1) + (1, 2) -> (3, 2)
        // SAFETY: strides stay within the arrays above.
        unsafe {
            map2(
                &[3, 2],
                (out.as_mut_ptr(), &[2, 1]),
                Raw {
                    ptr: a.as_ptr(),
                    strides: &[1, 0],
                },
                Raw {
                    ptr: b.as_ptr(),
                    strides: &[0, 1],
                },
                |x, y| x + y,
            );
        }
        assert_eq!(out, [11.0, 21.0, 12.0, 22.0, 13.0, 23.0]);
    }
}
