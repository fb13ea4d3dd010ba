//! Matrix products: `gemm` (runtime-dispatched SIMD micro-kernels; bands of the output in
//! parallel, see [`split_gemm`]) for float32/float64, and a plain row-times-matrix loop for
//! integers.
//!
//! Operands are strided matrices (`rows`, `cols` strides in elements); `gemm` packs strided
//! inputs itself, so transposed views are multiplied without a copy.

use super::math::Arith;
use super::parallel::{num_threads, worth_parallel};
use super::reduce::par_ranges;
use super::{Element, SendPtr};

/// A matrix operand: pointer to element (0, 0) and element strides.
#[derive(Clone, Copy)]
pub struct Mat<T> {
    pub ptr: *const T,
    pub rs: usize,
    pub cs: usize,
}

/// One single-threaded `gemm` call on a block of the output.
trait GemmBlock: Element {
    /// `dst (m×n, rows dst_rs apart, contiguous columns) = a (m×k) · b (k×n)` on the calling
    /// thread.
    ///
    /// # Safety
    /// `a`, `b` valid for their strides over `m×k` and `k×n`; `dst` for the `m×n` block.
    unsafe fn gemm_block(
        dst: *mut Self,
        dst_rs: usize,
        a: Mat<Self>,
        b: Mat<Self>,
        m: usize,
        k: usize,
        n: usize,
    );
}

/// Rows (or columns) of the output per band of [`split_gemm`] are a multiple of this, so that
/// every band but the last fills `gemm`'s micro-kernels.
const BAND_ALIGN: usize = 64;

/// `dst = a · b` with the output cut into `threads` bands (of rows, or of columns when the
/// product is wider than tall), each band one single-threaded `gemm` call, the bands run in
/// parallel. Each call packs its own copy of the operand all bands share (`b` for row bands):
/// O(k·n) of copying per band against O(m·k·n / threads) of arithmetic, and in exchange the
/// threads never wait for each other inside a product. `gemm`'s own rayon parallelism
/// synchronises its threads at every block; on two cores (AVX2, Zen 3, float32, interleaved
/// runs) it took 1.3-1.4x the time of this split at 256² and 1024², 1.05x at 2048².
///
/// # Safety
/// As for [`MatMul::matmul`].
unsafe fn split_gemm<T: GemmBlock>(
    dst: *mut T,
    a: Mat<T>,
    b: Mat<T>,
    m: usize,
    k: usize,
    n: usize,
    threads: usize,
) {
    let by_rows = m >= n;
    let long = if by_rows { m } else { n };
    let band = long.div_ceil(threads.max(1)).next_multiple_of(BAND_ALIGN);
    if band >= long {
        // SAFETY: forwarded from the caller.
        unsafe { T::gemm_block(dst, n, a, b, m, k, n) };
        return;
    }
    let (dp, ap, bp) = (
        SendPtr(dst),
        SendPtr(a.ptr as *mut T),
        SendPtr(b.ptr as *mut T),
    );
    par_ranges(long, band, |s, e| {
        // SAFETY: bands are disjoint blocks of `dst`, inside it as the caller promises; `a`
        // and `b` are only read, each band within its rows (columns) of them.
        unsafe {
            let (a, b) = (Mat { ptr: ap.get(), ..a }, Mat { ptr: bp.get(), ..b });
            if by_rows {
                let a = Mat {
                    ptr: a.ptr.add(s * a.rs),
                    ..a
                };
                T::gemm_block(dp.get().add(s * n), n, a, b, e - s, k, n);
            } else {
                let b = Mat {
                    ptr: b.ptr.add(s * b.cs),
                    ..b
                };
                T::gemm_block(dp.get().add(s), n, a, b, m, k, e - s);
            }
        }
    });
}

/// Element types with a matrix-product kernel.
pub trait MatMul: Element + Arith {
    /// `dst (m×n, row-major, contiguous) = a (m×k) · b (k×n)`; `threads` is the parallelism
    /// the kernel may use.
    ///
    /// # Safety
    /// `a`, `b` valid for their strides over `m×k` and `k×n`; `dst` for `m*n` writes.
    unsafe fn matmul(
        dst: *mut Self,
        a: Mat<Self>,
        b: Mat<Self>,
        m: usize,
        k: usize,
        n: usize,
        threads: usize,
    );
}

macro_rules! gemm_matmul {
    ($t:ty) => {
        impl MatMul for $t {
            unsafe fn matmul(
                dst: *mut $t,
                a: Mat<$t>,
                b: Mat<$t>,
                m: usize,
                k: usize,
                n: usize,
                threads: usize,
            ) {
                if m == 0 || n == 0 {
                    return;
                }
                if k == 0 {
                    // SAFETY: `dst` holds m*n elements.
                    unsafe { std::ptr::write_bytes(dst, 0, m * n) };
                    return;
                }
                if n == 1 && a.cs == 1 {
                    // SAFETY: forwarded from the caller.
                    unsafe { row_dots(dst, a, b, m, k, threads) };
                    return;
                }
                // SAFETY: forwarded from the caller.
                unsafe { split_gemm(dst, a, b, m, k, n, threads) }
            }
        }

        impl GemmBlock for $t {
            unsafe fn gemm_block(
                dst: *mut $t,
                dst_rs: usize,
                a: Mat<$t>,
                b: Mat<$t>,
                m: usize,
                k: usize,
                n: usize,
            ) {
                // SAFETY: forwarded from the caller. gemm computes dst = alpha*dst + beta*a*b;
                // with read_dst = false, dst is only written.
                unsafe {
                    gemm::gemm(
                        m,
                        n,
                        k,
                        dst,
                        1,
                        dst_rs as isize,
                        false,
                        a.ptr,
                        a.cs as isize,
                        a.rs as isize,
                        b.ptr,
                        b.cs as isize,
                        b.rs as isize,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    )
                }
            }
        }
    };
}

gemm_matmul!(f32);
gemm_matmul!(f64);

macro_rules! loop_matmul {
    ($t:ty) => {
        impl MatMul for $t {
            unsafe fn matmul(
                dst: *mut $t,
                a: Mat<$t>,
                b: Mat<$t>,
                m: usize,
                k: usize,
                n: usize,
                threads: usize,
            ) {
                // SAFETY: forwarded from the caller.
                unsafe { int_matmul(dst, a, b, m, k, n, threads) }
            }
        }
    };
}

loop_matmul!(u8);
loop_matmul!(i32);
loop_matmul!(i64);

/// `dst[i, :] = Σ_p a[i, p] * b[p, :]`, rows of `dst` in parallel; the inner loop runs along a
/// row of `b` and vectorises when `b`'s rows are contiguous. Integer arithmetic wraps.
///
/// # Safety
/// As for [`MatMul::matmul`].
unsafe fn int_matmul<T: Element + Arith>(
    dst: *mut T,
    a: Mat<T>,
    b: Mat<T>,
    m: usize,
    k: usize,
    n: usize,
    threads: usize,
) {
    let (dst, ap, bp) = (
        SendPtr(dst),
        SendPtr(a.ptr as *mut T),
        SendPtr(b.ptr as *mut T),
    );
    let rows = |r0: usize, r1: usize| {
        for i in r0..r1 {
            // SAFETY: row i of dst is written by this task only; reads stay in a and b.
            unsafe {
                let out = std::slice::from_raw_parts_mut(dst.get().add(i * n), n);
                out.fill(T::zero());
                for p in 0..k {
                    let s = *ap.get().add(i * a.rs + p * a.cs);
                    let brow = bp.get().add(p * b.rs);
                    if b.cs == 1 {
                        let brow = std::slice::from_raw_parts(brow, n);
                        for (o, &x) in out.iter_mut().zip(brow) {
                            *o = o.add(s.mul(x));
                        }
                    } else {
                        for (j, o) in out.iter_mut().enumerate() {
                            *o = o.add(s.mul(*brow.add(j * b.cs)));
                        }
                    }
                }
            }
        }
    };
    let threads = if worth_parallel(m * n * k) {
        threads
    } else {
        1
    };
    split_rows(m, threads, rows);
}

/// Runs `rows(r0, r1)` over `0..m`: in chunks of rows split between `threads`, or at once on
/// the calling thread when that is one.
fn split_rows(m: usize, threads: usize, rows: impl Fn(usize, usize) + Sync + Send) {
    if threads > 1 && m > 1 {
        par_ranges(m, m.div_ceil(threads * 4), rows);
    } else {
        rows(0, m);
    }
}

/// Products with fewer multiply-adds than this run on the calling thread: handing work to the
/// pool costs several microseconds, as much as a 256×10×256 product takes on one core.
const PARALLEL_MACS: usize = 1 << 22;

/// Threads a product of this size should use: one below [`PARALLEL_MACS`].
pub fn threads_for(m: usize, k: usize, n: usize) -> usize {
    if m.saturating_mul(k).saturating_mul(n) >= PARALLEL_MACS {
        num_threads()
    } else {
        1
    }
}

/// `dst[b] = a[b] · b[b]` for every matrix of a batch, laid out by `offsets(b) -> (a, b)`
/// element offsets; `dst` is contiguous `(batch, m, n)`. Large matrices use every thread
/// inside one product, small ones run in parallel across the batch.
///
/// # Safety
/// Every matrix the offsets and strides reach must be valid; `dst` holds `batch*m*n` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn batched<T: MatMul>(
    dst: *mut T,
    a: Mat<T>,
    b: Mat<T>,
    (m, k, n): (usize, usize, usize),
    batch: usize,
    offsets: impl Fn(usize) -> (usize, usize) + Sync,
) {
    let per = m.saturating_mul(k).saturating_mul(n);
    let (dst, ap, bp) = (
        SendPtr(dst),
        SendPtr(a.ptr as *mut T),
        SendPtr(b.ptr as *mut T),
    );
    let one = |i: usize, threads: usize| {
        let (oa, ob) = offsets(i);
        // SAFETY: forwarded from the caller; matrix i of dst is written once.
        unsafe {
            T::matmul(
                dst.get().add(i * m * n),
                Mat {
                    ptr: ap.get().add(oa),
                    ..a
                },
                Mat {
                    ptr: bp.get().add(ob),
                    ..b
                },
                m,
                k,
                n,
                threads,
            )
        }
    };
    if batch > 1 && per < PARALLEL_MACS && per.saturating_mul(batch) >= PARALLEL_MACS {
        par_ranges(batch, batch.div_ceil(num_threads() * 4), |b0, b1| {
            (b0..b1).for_each(|i| one(i, 1))
        });
    } else {
        let threads = threads_for(m, k, n);
        (0..batch).for_each(|i| one(i, threads));
    }
}

/// `dst[i] = a[i, :] · b[:, 0]` for a matrix `a` with contiguous rows (a matrix-vector product:
/// `mv`, `matmul` of a matrix and a vector): vectorised dots, four rows at a time when the
/// vector is contiguous ([`dot4`]), rows split between `threads`. Memory-bound: `gemm` with one
/// column read `a` more slowly, and so did one row at a time (AVX2, `mv` of 4096² float32 on
/// two threads: 4.0 ms with `gemm`, 2.0–3.3 ms a row at a time, 1.7 ms four at a time, NumPy
/// 1.0–1.6 ms; on one thread 3.9 → 2.1–2.5 ms, PyTorch 2.2–2.9).
///
/// # Safety
/// `a` valid for `m` rows of `k` contiguous elements `a.rs` apart, `b` for `k` elements
/// `b.rs` apart; `dst` for `m` writes.
unsafe fn row_dots<T: Element + Arith>(
    dst: *mut T,
    a: Mat<T>,
    b: Mat<T>,
    m: usize,
    k: usize,
    threads: usize,
) {
    let (dst, ap, bp) = (
        SendPtr(dst),
        SendPtr(a.ptr as *mut T),
        SendPtr(b.ptr as *mut T),
    );
    let rows = |r0: usize, r1: usize| {
        // (in bounds for every row the loops below read, as the caller promises)
        let row = |i: usize| ap.get().wrapping_add(i * a.rs) as *const T;
        let mut i = r0;
        if b.rs == 1 {
            while i + 4 <= r1 {
                // SAFETY: rows `i..i + 4` and the vector are valid as the caller promises;
                // `dst[i..i + 4]` is written by this range only.
                unsafe {
                    let rows = [row(i), row(i + 1), row(i + 2), row(i + 3)];
                    let dots = super::simd::best(
                        #[inline(always)]
                        || dot4(rows, bp.get() as *const T, k),
                    );
                    std::ptr::copy_nonoverlapping(dots.as_ptr(), dst.get().add(i), 4);
                }
                i += 4;
            }
        }
        for i in i..r1 {
            // SAFETY: row `i` and the vector are valid as the caller promises; `dst[i]` is
            // written by this range only.
            unsafe {
                *dst.get().add(i) = super::simd::best(
                    #[inline(always)]
                    || dot(row(i), 1, bp.get() as *const T, b.rs, k),
                );
            }
        }
    };
    split_rows(m, threads, rows);
}

/// The [`dot`]s of four contiguous rows with one contiguous vector, each row's additions in
/// `dot`'s order (bit for bit): four streams of loads in flight where one row at a time kept
/// too few cache misses outstanding, and each vector load serving four rows.
///
/// # Safety
/// Each of `rows` and `b` valid for `n` elements.
#[inline(always)]
unsafe fn dot4<T: Element + Arith>(rows: [*const T; 4], b: *const T, n: usize) -> [T; 4] {
    const L: usize = super::folds::LANES;
    let full = n / L * L;
    // SAFETY: the caller's promise.
    let (xb, xa) = unsafe {
        (
            std::slice::from_raw_parts(b, n),
            rows.map(|r| std::slice::from_raw_parts(r, n)),
        )
    };
    let (cb, _) = xb[..full].as_chunks::<L>();
    let ca = xa.map(|x| x[..full].as_chunks::<L>().0);
    let [mut a0, mut a1, mut a2, mut a3] = [[T::zero(); L]; 4];
    let chunks = cb.iter().zip(ca[0]).zip(ca[1]).zip(ca[2]).zip(ca[3]);
    for ((((cb, c0), c1), c2), c3) in chunks {
        for l in 0..L {
            a0[l] = a0[l].add(c0[l].mul(cb[l]));
            a1[l] = a1[l].add(c1[l].mul(cb[l]));
            a2[l] = a2[l].add(c2[l].mul(cb[l]));
            a3[l] = a3[l].add(c3[l].mul(cb[l]));
        }
    }
    let mut out = [T::zero(); 4];
    for (r, acc) in [a0, a1, a2, a3].iter().enumerate() {
        let mut s = acc.iter().fold(T::zero(), |x, &y| x.add(y));
        for i in full..n {
            s = s.add(xa[r][i].mul(xb[i]));
        }
        out[r] = s;
    }
    out
}

/// `Σ a[i] * b[i]` over `n` strided elements, with lane accumulators.
///
/// # Safety
/// `a` and `b` valid for `n` elements at their strides.
#[inline(always)]
pub unsafe fn dot<T: Element + Arith>(
    a: *const T,
    sa: usize,
    b: *const T,
    sb: usize,
    n: usize,
) -> T {
    const L: usize = super::folds::LANES;
    let mut acc = [T::zero(); L];
    let full = n / L * L;
    // SAFETY: every index is below n.
    unsafe {
        if sa == 1 && sb == 1 {
            let (xa, xb) = (
                std::slice::from_raw_parts(a, n),
                std::slice::from_raw_parts(b, n),
            );
            for (ca, cb) in xa[..full].chunks_exact(L).zip(xb[..full].chunks_exact(L)) {
                for l in 0..L {
                    acc[l] = acc[l].add(ca[l].mul(cb[l]));
                }
            }
        } else {
            for i in (0..full).step_by(L) {
                for (l, s) in acc.iter_mut().enumerate() {
                    *s = s.add((*a.add((i + l) * sa)).mul(*b.add((i + l) * sb)));
                }
            }
        }
        let mut s = acc.iter().fold(T::zero(), |x, &y| x.add(y));
        for i in full..n {
            s = s.add((*a.add(i * sa)).mul(*b.add(i * sb)));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: MatMul + PartialEq + std::fmt::Debug>(from: fn(i64) -> T) {
        // a = [[1, 2, 3], [4, 5, 6]], b = a^T (read through strides)
        let a: Vec<T> = (1..=6).map(from).collect();
        let mut out = vec![T::zero(); 4];
        // SAFETY: both operands index inside `a`; out holds 2x2.
        unsafe {
            T::matmul(
                out.as_mut_ptr(),
                Mat {
                    ptr: a.as_ptr(),
                    rs: 3,
                    cs: 1,
                },
                Mat {
                    ptr: a.as_ptr(),
                    rs: 1,
                    cs: 3,
                },
                2,
                3,
                2,
                1,
            )
        };
        assert_eq!(out, [14, 32, 32, 77].map(from).to_vec());
    }

    #[test]
    fn matmul_with_a_transposed_operand() {
        check::<f32>(|v| v as f32);
        check::<f64>(|v| v as f64);
        check::<i64>(|v| v);
        check::<i32>(|v| v as i32);
    }

    #[test]
    fn dot_strided_and_contiguous() {
        let x: Vec<f64> = (0..40).map(|i| i as f64).collect();
        // SAFETY: indices stay below 40.
        let (c, s) = unsafe {
            (
                dot(x.as_ptr(), 1, x.as_ptr(), 1, 40),
                dot(x.as_ptr(), 2, x.as_ptr(), 2, 20),
            )
        };
        assert_eq!(c, (0..40).map(|i| (i * i) as f64).sum::<f64>());
        assert_eq!(s, (0..20).map(|i| (4 * i * i) as f64).sum::<f64>());
    }

    #[test]
    fn matrix_vector_products_as_row_dots_on_one_and_two_threads() {
        // rows of `a` with a gap after each (row stride k + 3); the vector contiguous (rows four
        // at a time, `dot4`) or read every other element; integer values, so every product
        // and sum is exact in float64
        for (m, k, vs) in [
            (37, 1001, 2),
            (37, 1001, 1),
            (6, 15, 1),
            (9, 16, 1),
            (1, 40, 1),
        ] {
            let a: Vec<f64> = (0..m * (k + 3)).map(|i| (i % 7) as f64 - 3.0).collect();
            let v: Vec<f64> = (0..vs * k).map(|i| (i % 5) as f64).collect();
            let expected: Vec<f64> = (0..m)
                .map(|i| (0..k).map(|p| a[i * (k + 3) + p] * v[vs * p]).sum())
                .collect();
            for threads in [1, 2] {
                let mut out = vec![0.0f64; m];
                // SAFETY: the strides stay inside `a` and `v`; `out` holds m elements.
                unsafe {
                    f64::matmul(
                        out.as_mut_ptr(),
                        Mat {
                            ptr: a.as_ptr(),
                            rs: k + 3,
                            cs: 1,
                        },
                        Mat {
                            ptr: v.as_ptr(),
                            rs: vs,
                            cs: 1,
                        },
                        m,
                        k,
                        1,
                        threads,
                    )
                };
                assert_eq!(out, expected, "{m}x{k}, stride {vs}, {threads} threads");
            }
        }
    }

    #[test]
    fn four_row_dots_are_each_rows_dot_bit_for_bit() {
        let mut seed = 9;
        for n in [0, 1, 15, 16, 17, 100, 1000] {
            let a: Vec<f32> = crate::kernels::folds::tests::values(5 * n, &mut seed)
                .iter()
                .map(|&x| x as f32)
                .collect();
            let v = &a[4 * n..];
            let rows = [0, n, 2 * n, 3 * n].map(|r| a[r..].as_ptr());
            // SAFETY: each row and `v` hold n values.
            let four = unsafe { dot4(rows, v.as_ptr(), n) };
            // SAFETY: as above.
            let one = rows.map(|r| unsafe { dot(r, 1, v.as_ptr(), 1, n) });
            assert_eq!(four.map(f32::to_bits), one.map(f32::to_bits), "n {n}");
        }
    }
    #[test]
    fn products_split_in_bands_of_rows_or_columns_match_the_plain_product() {
        // tall (bands of rows), wide (bands of columns), lengths not multiples of the band
        // alignment; `a` read transposed (column-major); integer values keep float64 exact
        for (m, k, n) in [(200, 50, 70), (70, 50, 200), (130, 3, 129), (64, 9, 65)] {
            let a: Vec<f64> = (0..m * k).map(|i| (i % 11) as f64 - 5.0).collect();
            let b: Vec<f64> = (0..k * n).map(|i| (i % 7) as f64 - 3.0).collect();
            // a[i, p] = a[p * m + i], b[p, j] = b[p * n + j]
            let expected: Vec<f64> = (0..m * n)
                .map(|ij| {
                    let (i, j) = (ij / n, ij % n);
                    (0..k).map(|p| a[p * m + i] * b[p * n + j]).sum()
                })
                .collect();
            for threads in [1, 2, 3] {
                let mut out = vec![f64::NAN; m * n];
                // SAFETY: the strides stay inside `a` and `b`; `out` holds m*n elements.
                unsafe {
                    f64::matmul(
                        out.as_mut_ptr(),
                        Mat {
                            ptr: a.as_ptr(),
                            rs: 1,
                            cs: m,
                        },
                        Mat {
                            ptr: b.as_ptr(),
                            rs: n,
                            cs: 1,
                        },
                        m,
                        k,
                        n,
                        threads,
                    )
                };
                assert_eq!(out, expected, "{m}x{k}x{n} on {threads} threads");
            }
        }
    }
}
