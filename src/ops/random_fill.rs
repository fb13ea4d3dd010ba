//! In-place random fills: `normal_` and `uniform_` (through views too), drawing from the global
//! generator of [`crate::random`].

use crate::bail;
use crate::dtype::DType;
use crate::error::Result;
use crate::random;
use crate::tensor::Tensor;

fn check_float(t: &Tensor, kernel: &str) -> Result<()> {
    if !t.dtype().is_float() {
        bail!(
            "\"{kernel}\" not implemented for '{}'",
            t.dtype().torch_name()
        );
    }
    Ok(())
}

/// Writes `values` (row-major, one per element) into `t`.
fn write(t: &Tensor, values: Vec<f64>) -> Result<()> {
    let src = Tensor::from_vec(&values, t.shape(), DType::F64)?;
    t.assign(&src)
}

/// `t.normal_(mean, std)`: every element drawn from N(mean, std²).
pub fn normal_(t: &Tensor, mean: f64, std: f64) -> Result<()> {
    check_float(t, "normal_kernel_cpu")?;
    if std < 0.0 || std.is_nan() {
        bail!("normal expects std >= 0.0, but found std {std}");
    }
    t.check_writable()?;
    let values = random::normal_f64(t.numel())
        .into_iter()
        .map(|z| mean + std * z)
        .collect();
    write(t, values)
}

/// `t.uniform_(from, to)`: every element drawn from U[from, to).
pub fn uniform_(t: &Tensor, from: f64, to: f64) -> Result<()> {
    check_float(t, "check_uniform_bounds")?;
    if from > to {
        bail!("uniform_ expects to return a [from, to) range, but found from={from} > to={to}");
    }
    t.check_writable()?;
    let values = random::uniform_f64(t.numel())
        .into_iter()
        .map(|u| from + (to - from) * u)
        .collect();
    write(t, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::views::slice;

    #[test]
    fn fills_through_views() {
        let t = Tensor::zeros(&[10], DType::F32).unwrap();
        let v = slice(&t, 0, 0, 10, 2).unwrap();
        uniform_(&v, 2.0, 3.0).unwrap();
        let all = t.to_vec::<f32>();
        assert!(all.iter().step_by(2).all(|&x| (2.0..3.0).contains(&x)));
        assert!(all.iter().skip(1).step_by(2).all(|&x| x == 0.0));
        normal_(&v, 0.0, 1.0).unwrap();
        let i = Tensor::zeros(&[2], DType::I64).unwrap();
        assert!(normal_(&i, 0.0, 1.0).is_err());
        assert!(uniform_(&t, 1.0, 0.0).is_err());
    }
}
