//! Fused loss kernels: cross-entropy over class indices (log-softmax and NLL in one pass).

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::folds::LANES;
use crate::kernels::lines::{max_logsumexp_line, max_logsumexp_short_lines, SHORT_LINES};
use crate::kernels::math::Float;
use crate::kernels::parallel::for_each_chunk;
use crate::kernels::simd;
use crate::kernels::SendPtr;
use crate::tensor::Tensor;

/// Per-sample cross-entropy of `logits` (N, C) against class indices `target` (N,):
/// `loss_i = logsumexp(x_i) - x_i[y_i]`, 0 where `y_i == ignore_index`. Returns the losses and
/// each row's logsumexp (saved for backward).
pub fn cross_entropy_rows(
    logits: &Tensor,
    target: &Tensor,
    ignore_index: i64,
) -> Result<(Tensor, Tensor)> {
    let (n, c) = check(logits, target)?;
    let x = logits.contiguous()?;
    let y = target.to_dtype(DType::I64)?.contiguous()?.to_vec::<i64>();
    for &t in &y {
        if t != ignore_index && (t < 0 || t as usize >= c) {
            return Err(Error::Index(format!("Target {t} is out of bounds.")));
        }
    }
    let losses = Tensor::zeros(&[n], x.dtype())?;
    let lse = Tensor::zeros(&[n], x.dtype())?;
    crate::with_float_dtype!(x.dtype(), T => {
        // SAFETY: `x` is a contiguous (n, c) buffer, `losses` and `lse` fresh (n,) buffers, and
        // each row is written by one chunk only.
        unsafe {
            let (px, pl, ps) = (SendPtr(x.data_ptr::<T>()), SendPtr(losses.data_ptr::<T>()), SendPtr(lse.data_ptr::<T>()));
            for_each_chunk(n * c.max(1), |start, end| {
                let mut rows = start.div_ceil(c.max(1))..end.div_ceil(c.max(1)).min(n);
                // the loss as (m - x_y) + log Σ exp(x - m): no rounding to m's precision
                let put = |i: usize, (m, ls): (T, T)| {
                    let row = std::slice::from_raw_parts(px.get().add(i * c), c);
                    *ps.get().add(i) = m + ls;
                    *pl.get().add(i) = if y[i] == ignore_index { 0.0 } else { (m - row[y[i] as usize]) + ls };
                };
                if c <= LANES {
                    // short rows several at a time (see `max_logsumexp_short_lines`)
                    while rows.len() >= SHORT_LINES {
                        let i = rows.start;
                        let group = std::slice::from_raw_parts(px.get().add(i * c), SHORT_LINES * c);
                        let ls = simd::best_fma(#[inline(always)] |fma| max_logsumexp_short_lines(group, c, fma));
                        for (g, &l) in ls.iter().enumerate() {
                            put(i + g, l);
                        }
                        rows.start += SHORT_LINES;
                    }
                }
                for i in rows {
                    let row = std::slice::from_raw_parts(px.get().add(i * c), c);
                    put(i, simd::best_fma(#[inline(always)] |fma| max_logsumexp_line(row, fma)));
                }
            });
        }
    }, _ => return Err(Error::Runtime(format!("\"log_softmax_lastdim_kernel_impl\" not implemented for '{}'", x.dtype().torch_name()))));
    Ok((losses, lse))
}

/// Gradient of the per-sample losses with respect to the logits, given the upstream gradient
/// of each sample's loss `g` (N,): `(softmax(x_i) - onehot(y_i)) * g_i`.
pub fn cross_entropy_rows_backward(
    logits: &Tensor,
    target: &Tensor,
    lse: &Tensor,
    g: &Tensor,
    ignore_index: i64,
) -> Result<Tensor> {
    let (n, c) = check(logits, target)?;
    let x = logits.contiguous()?;
    let y = target.to_dtype(DType::I64)?.contiguous()?.to_vec::<i64>();
    let out = Tensor::zeros(&[n, c], x.dtype())?;
    crate::with_float_dtype!(x.dtype(), T => {
        let gv = g.to_vec::<T>();
        let lv = lse.to_vec::<T>();
        // SAFETY: as in `cross_entropy_rows`; `out` is a fresh contiguous (n, c) buffer.
        unsafe {
            let (px, po) = (SendPtr(x.data_ptr::<T>()), SendPtr(out.data_ptr::<T>()));
            for_each_chunk(n * c.max(1), |start, end| {
                let rows = start.div_ceil(c.max(1))..end.div_ceil(c.max(1)).min(n);
                for i in rows {
                    if y[i] == ignore_index {
                        continue;
                    }
                    let row = std::slice::from_raw_parts(px.get().add(i * c), c);
                    let dst = std::slice::from_raw_parts_mut(po.get().add(i * c), c);
                    let (gi, li) = (gv[i], lv[i]);
                    simd::best_fma(#[inline(always)] |fma| scaled_softmax(row, li, gi, dst, fma));
                    dst[y[i] as usize] -= gi;
                }
            });
        }
    }, _ => return Err(Error::Runtime("cross_entropy: floating logits expected".into())));
    Ok(out)
}

/// `dst = exp(x - lse) * g`: a softmax row from its saved logsumexp, scaled.
#[inline(always)]
fn scaled_softmax<T: Float>(xs: &[T], lse: T, g: T, dst: &mut [T], fma: bool) {
    for (d, &v) in dst.iter_mut().zip(xs) {
        *d = v.sub(lse).exp_below_max(fma).mul(g);
    }
}

fn check(logits: &Tensor, target: &Tensor) -> Result<(usize, usize)> {
    if logits.ndim() != 2 || target.ndim() != 1 || logits.shape()[0] != target.shape()[0] {
        return Err(Error::Runtime(format!(
            "Expected input batch_size ({}) to match target batch_size ({}).",
            logits.shape().first().copied().unwrap_or(0),
            target.shape().first().copied().unwrap_or(0)
        )));
    }
    if target.dtype().is_float() {
        return Err(Error::Runtime(format!(
            "expected scalar type Long but found {}",
            target.dtype().torch_name()
        )));
    }
    Ok((logits.shape()[0], logits.shape()[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_composed_formula() {
        let x = Tensor::from_vec(&[1.0f64, 2.0, 3.0, 0.5, 0.5, 0.5], &[2, 3], DType::F64).unwrap();
        let y = Tensor::from_vec(&[2i64, 0], &[2], DType::I64).unwrap();
        let (l, lse) = cross_entropy_rows(&x, &y, -100).unwrap();
        let l = l.to_vec::<f64>();
        let lse0 = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
        assert!((l[0] - (lse0 - 3.0)).abs() < 1e-12);
        assert!((l[1] - 3f64.ln()).abs() < 1e-12);
        let g = Tensor::from_vec(&[1.0f64, 1.0], &[2], DType::F64).unwrap();
        let d = cross_entropy_rows_backward(&x, &y, &lse, &g, -100)
            .unwrap()
            .to_vec::<f64>();
        assert!((d[3] - (1.0 / 3.0 - 1.0)).abs() < 1e-12);
        assert!((d[0..3].iter().sum::<f64>()).abs() < 1e-12);
    }

    #[test]
    fn bad_targets_are_errors() {
        let x = Tensor::zeros(&[2, 3], DType::F32).unwrap();
        let y = Tensor::from_vec(&[3i64, 0], &[2], DType::I64).unwrap();
        assert!(matches!(
            cross_entropy_rows(&x, &y, -100),
            Err(Error::Index(_))
        ));
    }
}
