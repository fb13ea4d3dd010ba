//! Unary and binary elementwise loops over strided operands.
//!
//! Every loop writes operand 0 (the output) and reads the others. The inner loop is specialised
//! for the layouts that dominate real programs (all contiguous, one side broadcast), which the
//! compiler vectorises; other layouts take a strided loop.

use super::parallel::{for_each_chunk, par_ranges, worth_parallel};
use super::strided::{for_each_run, is_row_major, Transpose};
use super::{simd, SendPtr};
use crate::layout::{coalesce, Strides};

/// A raw operand: base pointer (already offset) and element strides.
#[derive(Clone, Copy)]
pub struct Raw<'a, T> {
    pub ptr: *const T,
    pub strides: &'a [usize],
}

/// `out[i] = f(a[i])` over `shape`.
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
    let (shape, [so, sa]) = coalesce(shape, [out.1, a.strides]);
    let strides: [Strides; 2] = [so, sa];
    let (po, pa) = (SendPtr(out.0), SendPtr(a.ptr as *mut A));
    let last = shape.len() - 1;
    let (io, ia) = (strides[0][last], strides[1][last]);
    if let Some(t) = Transpose::find(&shape, &strides) {
        let ([ro, ra], ca) = (t.row_strides, t.col_strides[1]);
        let run = |u0: usize, u1: usize| {
            t.for_each_tile(u0, u1, |[oo, oa], rows, cols| {
                for i in 0..rows {
                    // SAFETY: the tile lies inside both operands (caller's contract); units
                    // are disjoint parts of the output.
                    unsafe {
                        let o = po.get().add(oo + i * ro);
                        let a = pa.get().add(oa + i * ra) as *const A;
                        for j in 0..cols {
                            *o.add(j) = f(*a.add(j * ca));
                        }
                    }
                }
            })
        };
        let units = t.units();
        if worth_parallel(numel) && units > 1 {
            par_ranges(units, units.div_ceil(8), run);
        } else {
            run(0, units);
        }
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
                    // a strided view into a contiguous result (`x[:, ::2].contiguous()`): the
                    // stores in order, from a pointer stepped by the stride
                    (1, _) => {
                        let mut p = a;
                        for i in 0..len {
                            *o.add(i) = f(*p);
                            p = p.wrapping_add(ia);
                        }
                    }
                    _ => {
                        for i in 0..len {
                            *o.add(i * io) = f(*a.add(i * ia));
                        }
                    }
                }
            }
        });
    });
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
    let (shape, [so, sa, sb]) = coalesce(shape, [out.1, a.strides, b.strides]);
    let strides: [Strides; 3] = [so, sa, sb];
    let (po, pa, pb) = (
        SendPtr(out.0),
        SendPtr(a.ptr as *mut A),
        SendPtr(b.ptr as *mut B),
    );
    let last = shape.len() - 1;
    let (io, ia, ib) = (strides[0][last], strides[1][last], strides[2][last]);
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
                    for i in 0..len {
                        *o.add(i * io) = f(*a.add(i * ia), *b.add(i * ib));
                    }
                }
            }
        });
    });
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
    let (shape, [so, sa, sb, sc]) = coalesce(shape, [out.1, a.strides, b.strides, c.strides]);
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
