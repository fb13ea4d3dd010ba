//! Summing a gradient back to the shape of an input that was broadcast.

use crate::error::Result;
use crate::kernels::math::Arith;
use crate::kernels::strided::for_each_run;
use crate::layout::{coalesce, Strides};
use crate::tensor::Tensor;
use crate::with_dtype;

/// `g` summed over the dimensions along which `shape` was broadcast to `g.shape()`.
pub fn sum_to(g: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g.clone());
    }
    let out = Tensor::zeros(shape, g.dtype())?;
    // The output seen with g's shape: stride 0 along every summed dimension.
    let acc = out.broadcast_to(g.shape())?;
    let numel = g.numel();
    if numel == 0 {
        return Ok(out);
    }
    let (cshape, [so, sg]) = coalesce(g.shape(), [acc.strides(), g.strides()]);
    let strides: [Strides; 2] = [so, sg];
    let last = cshape.len() - 1;
    let (io, ig) = (strides[0][last], strides[1][last]);
    with_dtype!(g.dtype(), T => {
        // SAFETY: both layouts were checked against their storages; the loop is serial, so the
        // repeated writes to one output element (stride 0) never race.
        unsafe {
            let (po, pg) = (acc.data_ptr::<T>(), g.data_ptr::<T>());
            for_each_run(&cshape, &strides, 0, numel, |_, len, [oo, og]| {
                for i in 0..len {
                    let o = po.add(oo + i * io);
                    *o = Arith::add(*o, *pg.add(og + i * ig));
                }
            });
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn sums_broadcast_dimensions() {
        let g = Tensor::from_vec(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], DType::F32).unwrap();
        assert_eq!(
            sum_to(&g, &[3]).unwrap().to_vec::<f32>(),
            vec![5.0, 7.0, 9.0]
        );
        assert_eq!(
            sum_to(&g, &[2, 1]).unwrap().to_vec::<f32>(),
            vec![6.0, 15.0]
        );
        assert_eq!(sum_to(&g, &[]).unwrap().to_vec::<f32>(), vec![21.0]);
    }
}
