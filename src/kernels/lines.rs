//! Kernels that transform every line along one dimension of a contiguous tensor: running
//! sums and products (`cumsum`, `cumprod`) and the fused, numerically stable `softmax` and
//! `log_softmax`.
//!
//! A contiguous tensor seen along dimension `d` is `(outer, n, inner)`: line `(o, i)` holds the
//! elements `o * n * inner + k * inner + i` for `k < n`. With `inner == 1` each line is
//! contiguous; otherwise the loops walk `inner` lines side by side, which vectorises.

use super::folds::LANES;
use super::math::Float;
use super::parallel::worth_parallel;
use super::reduce::par_ranges;
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

/// `exp` in a form the compiler vectorises: a branch-free polynomial for float32 (Cephes'
/// `expf`, within 3 ulp; 0 below -87.3 and inf above 88.3, where float32 is near its limits),
/// the C library's for float64. Softmax only evaluates it at `x - max <= 0`.
pub trait VecExp: Float {
    fn vexp(self) -> Self;
}

impl VecExp for f32 {
    #[inline(always)]
    fn vexp(self) -> f32 {
        const LOG2E: f32 = std::f32::consts::LOG2_E;
        // 1.5 * 2^23: adding it rounds to an integer held in the low mantissa bits.
        const SHIFTER: f32 = 12_582_912.0;
        let x = self.clamp(-87.3, 88.3);
        let t = x * LOG2E + SHIFTER;
        let n = t - SHIFTER;
        let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
        let z = r * r;
        let p = (((((1.987_569_2e-4 * r + 1.398_2e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2)
            * r
            + 1.666_666_5e-1)
            * r
            + 0.5)
            * z
            + r
            + 1.0;
        let bits = (t.to_bits() << 23).wrapping_add(127 << 23);
        let v = p * f32::from_bits(bits);
        let v = if self < -87.3 { 0.0 } else { v };
        if self > 88.3 {
            f32::INFINITY
        } else {
            v
        }
    }
}

impl VecExp for f64 {
    #[inline(always)]
    fn vexp(self) -> f64 {
        self.exp()
    }
}

/// `softmax` (or `log_softmax`) of one contiguous line. The maximum and the sum use
/// [`LANES`] independent accumulators so that both passes vectorise.
#[inline(always)]
fn softmax_line<T: VecExp>(xs: &[T], ys: &mut [T], log: bool) {
    let max_nan = |m: T, x: T| if x > m || x.is_nan() { x } else { m };
    let mut lanes = [T::from_f64(f64::NEG_INFINITY); LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..LANES {
            lanes[k] = max_nan(lanes[k], c[k]);
        }
    }
    let m = rest.iter().fold(
        lanes.iter().fold(lanes[0], |a, &b| max_nan(a, b)),
        |a, &b| max_nan(a, b),
    );
    let mut sums = [T::zero(); LANES];
    let full = xs.len() / LANES * LANES;
    for (yc, xc) in ys[..full]
        .chunks_exact_mut(LANES)
        .zip(xs[..full].chunks_exact(LANES))
    {
        for k in 0..LANES {
            let e = xc[k].sub(m).vexp();
            sums[k] = sums[k].add(e);
            yc[k] = e;
        }
    }
    let mut s = sums.iter().fold(T::zero(), |a, &b| a.add(b));
    for (y, &x) in ys[full..].iter_mut().zip(&xs[full..]) {
        let e = x.sub(m).vexp();
        s = s.add(e);
        *y = e;
    }
    if log {
        let ls = s.ln();
        for (y, &x) in ys.iter_mut().zip(xs) {
            *y = x.sub(m).sub(ls);
        }
    } else {
        for y in ys.iter_mut() {
            *y = y.div(s);
        }
    }
}

/// [`softmax_line`] compiled for AVX2 and FMA (chosen at run time).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_line_avx2<T: VecExp>(xs: &[T], ys: &mut [T], log: bool) {
    softmax_line(xs, ys, log)
}

fn softmax_line_dispatch<T: VecExp>(xs: &[T], ys: &mut [T], log: bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports the features the function was compiled for.
        return unsafe { softmax_line_avx2(xs, ys, log) };
    }
    softmax_line(xs, ys, log)
}

/// `softmax` (or `log_softmax` when `log`) along each line: `exp(x - max) / Σ exp(x - max)`.
///
/// # Safety
/// As for [`scan`].
pub unsafe fn softmax<T: VecExp>(
    src: *const T,
    dst: *mut T,
    (outer, n, inner): (usize, usize, usize),
    log: bool,
) {
    let (src, dst) = (SendPtr(src as *mut T), SendPtr(dst));
    if inner == 1 {
        let lines = |o0: usize, o1: usize| {
            for o in o0..o1 {
                // SAFETY: line o is `o * n .. o * n + n` of both buffers; tasks own their lines.
                let (xs, ys) = unsafe {
                    (
                        std::slice::from_raw_parts(src.get().add(o * n), n),
                        std::slice::from_raw_parts_mut(dst.get().add(o * n), n),
                    )
                };
                softmax_line_dispatch(xs, ys, log);
            }
        };
        if worth_parallel(outer * n) && outer > 1 {
            par_ranges(outer, outer.div_ceil(16), lines);
        } else {
            lines(0, outer);
        }
        return;
    }
    for_each_block(outer, n, inner, |o, i0, i1| {
        let w = i1 - i0;
        let base = o * n * inner + i0;
        // SAFETY: row k of this task is `base + k * inner .. + w`, inside both buffers; tasks
        // write disjoint columns.
        let row =
            |k: usize| unsafe { std::slice::from_raw_parts(src.get().add(base + k * inner), w) };
        // SAFETY: as above.
        let out = |k: usize| unsafe {
            std::slice::from_raw_parts_mut(dst.get().add(base + k * inner), w)
        };
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
            let ys = out(k);
            for (((y, &x), &m), s) in ys.iter_mut().zip(row(k)).zip(&max).zip(sum.iter_mut()) {
                let e = x.sub(m).vexp();
                *s = s.add(e);
                *y = e;
            }
        }
        for k in 0..n {
            let ys = out(k);
            if log {
                for (((y, &x), &m), &s) in ys.iter_mut().zip(row(k)).zip(&max).zip(&sum) {
                    *y = x.sub(m).sub(s.ln());
                }
            } else {
                for (y, &s) in ys.iter_mut().zip(&sum) {
                    *y = y.div(s);
                }
            }
        }
    });
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
    fn vectorisable_exp_is_accurate() {
        let mut worst = 0.0f64;
        for i in -87_000..88_000 {
            let x = i as f32 / 1000.0;
            let (got, want) = (x.vexp() as f64, (x as f64).exp());
            worst = worst.max(((got - want) / want).abs());
        }
        assert!(worst < 3.0 * f32::EPSILON as f64, "{worst}");
        assert_eq!((-100.0f32).vexp(), 0.0);
        assert_eq!(100.0f32.vexp(), f32::INFINITY);
        assert!(f32::NAN.vexp().is_nan());
    }
}
