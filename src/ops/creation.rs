//! Factories: ranges, identity matrices and random tensors.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::dtype::{default_float, DType, Scalar};
use crate::error::{Error, Result};
use crate::kernels::element::{convert, Element};
use crate::random::with_rng;
use crate::tensor::Tensor;
use crate::with_dtype;

/// A new contiguous tensor whose element `i` (row-major) is `f(i)` converted to `dtype`.
///
/// The tensor is allocated first and written in place, so an impossible size is an error (not
/// an abort in a temporary `Vec`) and no second buffer is needed.
fn from_fn<S: Element>(
    shape: &[usize],
    dtype: DType,
    mut f: impl FnMut(usize) -> S,
) -> Result<Tensor> {
    let t = Tensor::zeros(shape, dtype)?;
    let n = t.numel();
    with_dtype!(dtype, D => {
        // SAFETY: `t` is a fresh contiguous buffer of `n` elements of `D` that nothing else
        // references yet.
        let out = unsafe { std::slice::from_raw_parts_mut(t.data_ptr::<D>(), n) };
        for (i, o) in out.iter_mut().enumerate() {
            *o = convert::<S, D>(f(i), dtype);
        }
    });
    Ok(t)
}

/// A tensor of `shape` filled with `value`.
pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
    let t = Tensor::zeros(shape, dtype)?;
    let is_zero = match value {
        Scalar::Bool(b) => !b,
        Scalar::Int(i) => i == 0,
        Scalar::Float(f) => f == 0.0 && f.is_sign_positive(),
    };
    if !is_zero {
        t.fill(value);
    }
    Ok(t)
}

/// `torch.arange(start, end, step)`: `ceil((end - start) / step)` values. `dtype` defaults to
/// int64 when every argument is an integer and to the default float otherwise.
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: Option<DType>) -> Result<Tensor> {
    let all_int = [start, end, step]
        .iter()
        .all(|s| !matches!(s, Scalar::Float(_)));
    let dtype = dtype.unwrap_or(if all_int { DType::I64 } else { default_float() });
    let (s, e, st) = (start.as_f64(), end.as_f64(), step.as_f64());
    if st == 0.0 {
        return Err(Error::Runtime("step must be nonzero".into()));
    }
    if !(s.is_finite() && e.is_finite()) {
        return Err(Error::Runtime(format!("unsupported range: {s} -> {e}")));
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        return Err(Error::Runtime(
            "upper bound and lower bound inconsistent with step sign".into(),
        ));
    }
    let n = if all_int {
        let (s, e, st) = (
            start.as_i64() as i128,
            end.as_i64() as i128,
            step.as_i64() as i128,
        );
        ((e - s + st - st.signum()) / st).max(0) as f64
    } else {
        ((e - s) / st).ceil()
    };
    if n > (isize::MAX as f64) {
        return Err(Error::Runtime(format!(
            "invalid size, possible overflow?: {n}"
        )));
    }
    let n = n as usize;
    if all_int && dtype.is_integral() {
        let (s, st) = (start.as_i64(), step.as_i64());
        return from_fn(&[n], dtype, |i| s.wrapping_add((i as i64).wrapping_mul(st)));
    }
    from_fn(&[n], dtype, |i| s + i as f64 * st)
}

/// `torch.linspace(start, end, steps)`, computed as torch's CPU kernel does: in the output
/// dtype (in f64 for integer dtypes, whose bounds are truncated first), the first half from
/// `start` and the second half from `end`, each value `start + step * i` rounded once (torch's
/// kernel is compiled with fused multiply-adds), so that the printed values match torch's.
pub fn linspace(start: f64, end: f64, steps: i64, dtype: Option<DType>) -> Result<Tensor> {
    if steps < 0 {
        return Err(Error::Runtime(
            "number of steps must be non-negative".into(),
        ));
    }
    let dtype = dtype.unwrap_or_else(default_float);
    let n = steps as usize;
    if n == 1 {
        return full(&[1], Scalar::Float(start), dtype);
    }
    let half = n / 2;
    // (index from the nearer end, and whether that end is `start`)
    let from_end = |i: usize| {
        if i < half {
            (i, true)
        } else {
            (n - 1 - i, false)
        }
    };
    if dtype == DType::F32 {
        let (s, e) = (start as f32, end as f32);
        let step = (e - s) / (n - 1) as f32;
        return from_fn(&[n], dtype, |i| match from_end(i) {
            (k, true) => step.mul_add(k as f32, s),
            (k, false) => (-step).mul_add(k as f32, e),
        });
    }
    let (s, e) = if dtype.is_float() {
        (start, end)
    } else {
        (start.trunc(), end.trunc())
    };
    let step = (e - s) / (n - 1) as f64;
    from_fn(&[n], dtype, |i| match from_end(i) {
        (k, true) => step.mul_add(k as f64, s),
        (k, false) => (-step).mul_add(k as f64, e),
    })
}

/// `torch.eye(n, m)`.
pub fn eye(n: usize, m: usize, dtype: DType) -> Result<Tensor> {
    let t = Tensor::zeros(&[n, m], dtype)?;
    let diag = t.with_layout(crate::layout::Layout {
        shape: [n.min(m)].into_iter().collect(),
        strides: [m + 1].into_iter().collect(),
        offset: 0,
    })?;
    diag.fill(Scalar::Int(1));
    Ok(t)
}

/// N(mean, std²) draws of `shape` from the global generator.
pub fn randn(shape: &[usize], mean: f64, std: f64, dtype: DType) -> Result<Tensor> {
    check_float(dtype, "normal_kernel_cpu")?;
    with_rng(|rng| {
        from_fn(shape, dtype, |_| {
            let z: f64 = StandardNormal.sample(rng);
            mean + std * z
        })
    })
}

/// U[low, high) draws of `shape` from the global generator.
pub fn rand(shape: &[usize], low: f64, high: f64, dtype: DType) -> Result<Tensor> {
    check_float(dtype, "check_uniform_bounds")?;
    with_rng(|rng| from_fn(shape, dtype, |_| low + (high - low) * rng.random::<f64>()))
}

/// Integers uniform in `low..high` of `shape` from the global generator.
pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType) -> Result<Tensor> {
    if high <= low {
        return Err(Error::Runtime(format!(
            "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )));
    }
    with_rng(|rng| from_fn(shape, dtype, |_| rng.random_range(low..high)))
}

fn check_float(dtype: DType, what: &str) -> Result<()> {
    if !dtype.is_float() {
        return Err(Error::Runtime(format!(
            "\"{what}\" not implemented for '{}'",
            dtype.torch_name()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arange_sizes_and_dtypes() {
        let t = arange(Scalar::Int(0), Scalar::Int(12), Scalar::Int(1), None).unwrap();
        assert_eq!((t.dtype(), t.numel()), (DType::I64, 12));
        let t = arange(
            Scalar::Float(-8.0),
            Scalar::Float(8.0),
            Scalar::Float(0.1),
            None,
        )
        .unwrap();
        assert_eq!((t.dtype(), t.numel()), (DType::F32, 160));
        let t = arange(Scalar::Int(1), Scalar::Int(10), Scalar::Int(3), None).unwrap();
        assert_eq!(t.to_vec::<i64>(), vec![1, 4, 7]);
    }

    #[test]
    fn eye_and_linspace() {
        assert_eq!(
            eye(2, 3, DType::I64).unwrap().to_vec::<i64>(),
            vec![1, 0, 0, 0, 1, 0]
        );
        assert_eq!(
            linspace(0.0, 1.0, 5, Some(DType::F64))
                .unwrap()
                .to_vec::<f64>(),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
    }
}
