//! Products: `dot`, `mv`, `mm`, `bmm`, `matmul` (torch's dispatch on dimensions, with batch
//! broadcasting), `outer` and `inner`. Operands must share a dtype (no promotion, as in torch);
//! messages follow torch's.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::matmul::{batched, dot as dot_kernel, Mat};
use crate::layout::{broadcast_shapes, contiguous_strides, fmt_shape, Layout};
use crate::ops::elementwise::{binary, Arg, BinaryOp};
use crate::tensor::Tensor;

/// The C++ type name torch prints in some dtype messages (`float != double`).
fn cpp_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F32 => "float",
        DType::F64 => "double",
    }
}

fn check_mm_dtypes(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "expected m1 and m2 to have the same dtype, but got: {} != {}",
            cpp_name(a.dtype()),
            cpp_name(b.dtype())
        )));
    }
    not_bool(a.dtype(), "addmm_impl_cpu_")
}

fn not_bool(d: DType, kernel: &str) -> Result<()> {
    if d == DType::Bool {
        return Err(Error::Runtime(format!(
            "\"{kernel}\" not implemented for 'Bool'"
        )));
    }
    Ok(())
}

/// A view of `t` with a new shape (copying first when `t` is not contiguous).
pub fn reshape_contiguous(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let c = t.contiguous()?;
    let offset = c.layout().offset;
    c.with_layout(Layout {
        shape: shape.into(),
        strides: contiguous_strides(shape),
        offset,
    })
}

/// `torch.dot(a, b)`: the inner product of two 1-d tensors, 0-d result.
pub fn dot(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 1 || b.ndim() != 1 {
        return Err(Error::Runtime(format!(
            "1D tensors expected, but got {}D and {}D tensors",
            a.ndim(),
            b.ndim()
        )));
    }
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "dot : expected both vectors to have same dtype, but found {} and {}",
            a.dtype().torch_name(),
            b.dtype().torch_name()
        )));
    }
    let (n, m) = (a.numel(), b.numel());
    if n != m {
        return Err(Error::Runtime(format!(
            "inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number \
             of elements, but got {n} and {m} elements respectively"
        )));
    }
    not_bool(a.dtype(), "dot")?;
    let out = Tensor::zeros(&[], a.dtype())?;
    crate::with_dtype!(a.dtype(), T => {
        // SAFETY: both vectors hold n elements at their strides; `out` holds one element.
        unsafe {
            *out.data_ptr::<T>() =
                dot_kernel(a.data_ptr::<T>(), a.strides()[0], b.data_ptr::<T>(), b.strides()[0], n);
        }
    });
    Ok(out)
}

fn mat<T>(t: &Tensor, rs: usize, cs: usize) -> Mat<T> {
    Mat {
        // SAFETY: only the address is taken; kernels read within the layout.
        ptr: unsafe { t.data_ptr::<T>() },
        rs,
        cs,
    }
}

/// `dst = a · b` for matrices given by strides, into a fresh contiguous `(m, n)`-shaped buffer.
fn product(
    a: &Tensor,
    (ars, acs): (usize, usize),
    b: &Tensor,
    (brs, bcs): (usize, usize),
    (m, k, n): (usize, usize, usize),
    out_shape: &[usize],
) -> Result<Tensor> {
    let out = Tensor::uninit(out_shape, a.dtype())?;
    crate::with_dtype!(a.dtype(), T => {
        // SAFETY: the strides describe `a` (m×k) and `b` (k×n) inside their layouts; `out` is
        // fresh with m*n elements.
        unsafe {
            batched::<T>(out.data_ptr::<T>(), mat(a, ars, acs), mat(b, brs, bcs), (m, k, n), 1, |_| (0, 0));
        }
    });
    Ok(out)
}

/// `torch.mv(a, x)`: matrix (m, n) times vector (n,).
pub fn mv(a: &Tensor, x: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 || x.ndim() != 1 {
        return Err(Error::Runtime(format!(
            "vector + matrix @ vector expected, got 1, {}, {}",
            a.ndim(),
            x.ndim()
        )));
    }
    let (m, n) = (a.shape()[0], a.shape()[1]);
    if n != x.shape()[0] {
        return Err(Error::Runtime(format!(
            "size mismatch, got input ({m}), mat ({m}x{n}), vec ({})",
            x.shape()[0]
        )));
    }
    if a.dtype() != x.dtype() {
        return Err(Error::Runtime(format!(
            "expected scalar type {} but found {}",
            a.dtype().torch_name(),
            x.dtype().torch_name()
        )));
    }
    not_bool(a.dtype(), "addmv_impl_cpu")?;
    let s = a.strides();
    product(a, (s[0], s[1]), x, (x.strides()[0], 1), (m, n, 1), &[m])
}

/// `torch.mm(a, b)`: (m, k) times (k, n).
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 2 {
        return Err(Error::Runtime("self must be a matrix".into()));
    }
    if b.ndim() != 2 {
        return Err(Error::Runtime("mat2 must be a matrix".into()));
    }
    let (m, k, k2, n) = (a.shape()[0], a.shape()[1], b.shape()[0], b.shape()[1]);
    if k != k2 {
        return Err(Error::Runtime(format!(
            "mat1 and mat2 shapes cannot be multiplied ({m}x{k} and {k2}x{n})"
        )));
    }
    check_mm_dtypes(a, b)?;
    let (sa, sb) = (a.strides(), b.strides());
    product(a, (sa[0], sa[1]), b, (sb[0], sb[1]), (m, k, n), &[m, n])
}

/// `torch.bmm(a, b)`: (B, m, k) times (B, k, n).
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() != 3 {
        return Err(Error::Runtime("batch1 must be a 3D tensor".into()));
    }
    if b.ndim() != 3 {
        return Err(Error::Runtime("batch2 must be a 3D tensor".into()));
    }
    let (bs, k) = (a.shape()[0], a.shape()[2]);
    if b.shape()[0] != bs || b.shape()[1] != k {
        return Err(Error::Runtime(format!(
            "Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] but got: [{}, {}].",
            b.shape()[0],
            b.shape()[1]
        )));
    }
    check_mm_dtypes(a, b)?;
    batched_product(a, b, &[bs])
}

/// `a @ b` for operands of at least 2 dimensions whose batch dimensions broadcast to `batch`
/// (already checked), into a contiguous `(*batch, m, n)` tensor.
fn batched_product(a: &Tensor, b: &Tensor, batch: &[usize]) -> Result<Tensor> {
    let (na, nb) = (a.ndim(), b.ndim());
    let (m, k, n) = (a.shape()[na - 2], a.shape()[na - 1], b.shape()[nb - 1]);
    let a_b = a
        .layout()
        .broadcast_to(&[batch, &a.shape()[na - 2..]].concat())?;
    let b_b = b
        .layout()
        .broadcast_to(&[batch, &b.shape()[nb - 2..]].concat())?;
    let nbatch: usize = batch.iter().product();
    let out = Tensor::uninit(&[batch, &[m, n]].concat(), a.dtype())?;
    let nd = batch.len();
    let offsets = |i: usize| {
        let (mut rem, mut oa, mut ob) = (i, 0, 0);
        for d in (0..nd).rev() {
            let idx = rem % batch[d];
            rem /= batch[d];
            oa += idx * a_b.strides[d];
            ob += idx * b_b.strides[d];
        }
        (oa, ob)
    };
    let (sa, sb) = (&a_b.strides[nd..], &b_b.strides[nd..]);
    crate::with_dtype!(a.dtype(), T => {
        // SAFETY: the broadcast layouts stay inside `a` and `b` (stride 0 where expanded);
        // `out` is fresh with nbatch*m*n elements.
        unsafe {
            batched::<T>(out.data_ptr::<T>(), mat(a, sa[0], sa[1]), mat(b, sb[0], sb[1]), (m, k, n), nbatch, offsets);
        }
    });
    Ok(out)
}

fn unsqueeze(t: &Tensor, at: usize) -> Result<Tensor> {
    let mut l = t.layout().clone();
    l.shape.insert(at, 1);
    l.strides.insert(at, 0);
    t.with_layout(l)
}

/// `torch.matmul(a, b)` / `a @ b`: dot, mv or mm by the operands' dimensions; 1-d operands
/// gain (then lose) a dimension; batch dimensions broadcast.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (na, nb) = (a.ndim(), b.ndim());
    match (na, nb) {
        (0, _) | (_, 0) => Err(Error::Runtime(format!(
            "both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        ))),
        (1, 1) => dot(a, b),
        (2, 1) => mv(a, b),
        (1, 2) => {
            let r = mm(&unsqueeze(a, 0)?, b)?;
            reshape_contiguous(&r, &[b.shape()[1]])
        }
        (2, 2) => mm(a, b),
        _ => {
            let a2 = if na == 1 { unsqueeze(a, 0)? } else { a.clone() };
            let b2 = if nb == 1 { unsqueeze(b, 1)? } else { b.clone() };
            let (ka, kb) = (a2.shape()[a2.ndim() - 1], b2.shape()[b2.ndim() - 2]);
            if ka != kb {
                let rows: usize = a2.shape()[..a2.ndim() - 1].iter().product();
                return Err(Error::Runtime(if nb <= 2 {
                    if nb == 1 {
                        format!("size mismatch, got input ({rows}), mat ({rows}x{ka}), vec ({kb})")
                    } else {
                        format!(
                            "mat1 and mat2 shapes cannot be multiplied ({rows}x{ka} and {kb}x{})",
                            b.shape()[1]
                        )
                    }
                } else {
                    let bs: usize = b2.shape()[..nb - 2].iter().product();
                    format!(
                        "Expected size for first two dimensions of batch2 tensor to be: [{bs}, {ka}] but got: [{bs}, {kb}]."
                    )
                }));
            }
            check_mm_dtypes(&a2, &b2)?;
            let batch =
                broadcast_shapes(&a2.shape()[..a2.ndim() - 2], &b2.shape()[..b2.ndim() - 2])?;
            let out = batched_product(&a2, &b2, &batch)?;
            let mut shape: Vec<usize> = batch.to_vec();
            if na > 1 {
                shape.push(a2.shape()[a2.ndim() - 2]);
            }
            if nb > 1 {
                shape.push(b2.shape()[b2.ndim() - 1]);
            }
            reshape_contiguous(&out, &shape)
        }
    }
}

/// `torch.outer(a, b)`: `a[i] * b[j]` (dtypes promote, as `*` does).
pub fn outer(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    for (t, name) in [(a, "self"), (b, "vec2")] {
        if t.ndim() != 1 {
            return Err(Error::Runtime(format!(
                "outer: Expected 1-D argument {name}, but got {}-D",
                t.ndim()
            )));
        }
    }
    let col = a.with_layout(Layout {
        shape: [a.shape()[0], 1].into_iter().collect(),
        strides: [a.strides()[0], 0].into_iter().collect(),
        offset: a.layout().offset,
    })?;
    binary(BinaryOp::Mul, Arg::T(&col), Arg::T(b))
}

/// `torch.inner(a, b)`: sums over the last dimension of both; 0-d operands multiply.
pub fn inner(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return binary(BinaryOp::Mul, Arg::T(a), Arg::T(b));
    }
    let (ka, kb) = (a.shape()[a.ndim() - 1], b.shape()[b.ndim() - 1]);
    if ka != kb {
        return Err(Error::Runtime(format!(
            "inner() the last dimension must match on both input tensors but got shapes {} and {}",
            fmt_shape(a.shape()),
            fmt_shape(b.shape())
        )));
    }
    let (ra, rb) = (&a.shape()[..a.ndim() - 1], &b.shape()[..b.ndim() - 1]);
    let a2 = reshape_contiguous(a, &[ra.iter().product(), ka])?;
    let b2 = reshape_contiguous(b, &[rb.iter().product(), kb])?;
    let bt = crate::ops::views::reverse_dims(&b2)?;
    let r = mm(&a2, &bt)?;
    reshape_contiguous(&r, &[ra, rb].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f32], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape, DType::F32).unwrap()
    }

    #[test]
    fn matmul_dispatch_and_messages() {
        let a = t(&(0..20).map(|i| i as f32).collect::<Vec<_>>(), &[5, 4]);
        let x = t(&[0., 1., 2., 3.], &[4]);
        assert_eq!(
            mv(&a, &x).unwrap().to_vec::<f32>(),
            vec![14., 38., 62., 86., 110.]
        );
        assert_eq!(matmul(&x, &x).unwrap().to_vec::<f32>(), vec![14.]);
        let b = t(&[1.0; 12], &[4, 3]);
        assert_eq!(matmul(&a, &b).unwrap().shape(), &[5, 3]);
        let err = mm(&a, &t(&[1.0; 12], &[3, 4])).unwrap_err().to_string();
        assert_eq!(
            err,
            "mat1 and mat2 shapes cannot be multiplied (5x4 and 3x4)"
        );
        let batch = t(&[1.0; 24], &[2, 3, 4]);
        assert_eq!(matmul(&batch, &b).unwrap().shape(), &[2, 3, 3]);
        assert_eq!(
            matmul(
                &x,
                &batch.with_layout(Layout::contiguous(&[2, 4, 3])).unwrap()
            )
            .unwrap()
            .shape(),
            &[2, 3]
        );
        assert_eq!(inner(&x, &x).unwrap().to_vec::<f32>(), vec![14.]);
        assert_eq!(outer(&x, &x).unwrap().shape(), &[4, 4]);
    }
}
