//! Matrix helpers: `trace`, `diag`, `tril`/`triu`, and `einsum` for one or two operands
//! (contractions are rewritten as one batched matrix product).

use crate::error::{Error, Result};
use crate::kernels::Element;
use crate::layout::Layout;
use crate::ops::matmul::{bmm, reshape_contiguous};
use crate::ops::reduce::sum;
use crate::ops::views::permute;
use crate::tensor::Tensor;
use crate::with_dtype;

/// The `offset`-th diagonal of a matrix as a strided view (length 0 when out of range).
fn diagonal_view(t: &Tensor, offset: i64) -> Result<Tensor> {
    let (m, n) = (t.shape()[0] as i64, t.shape()[1] as i64);
    let (s0, s1) = (t.strides()[0], t.strides()[1]);
    let (len, start) = if offset >= 0 {
        ((n - offset).min(m).max(0), offset as usize * s1)
    } else {
        ((m + offset).min(n).max(0), (-offset) as usize * s0)
    };
    t.with_layout(Layout {
        shape: [len as usize].into_iter().collect(),
        strides: [s0 + s1].into_iter().collect(),
        offset: t.layout().offset + if len > 0 { start } else { 0 },
    })
}

/// `torch.trace(t)`: the sum of a matrix's diagonal (int64 for integer input).
pub fn trace(t: &Tensor) -> Result<Tensor> {
    if t.ndim() != 2 {
        return Err(Error::Runtime(format!(
            "trace: expected a matrix, but got tensor with dim {}",
            t.ndim()
        )));
    }
    sum(&diagonal_view(t, 0)?, None, false, None)
}

/// `torch.diag(t, diagonal)`: a vector's diagonal matrix, or a copy of a matrix's diagonal.
pub fn diag(t: &Tensor, diagonal: i64) -> Result<Tensor> {
    match t.ndim() {
        1 => {
            let n = t.shape()[0] + diagonal.unsigned_abs() as usize;
            let out = Tensor::zeros(&[n, n], t.dtype())?;
            diagonal_view(&out, diagonal)?.assign(t)?;
            Ok(out)
        }
        2 => diagonal_view(t, diagonal)?.deep_clone(),
        d => Err(Error::Runtime(format!(
            "diag(): Supports 1D or 2D tensors. Got {d}D"
        ))),
    }
}

/// `tril` (`lower`) or `triu`: a copy with the elements above (below) the `diagonal`-th
/// diagonal of every matrix set to zero.
pub fn triangle(t: &Tensor, diagonal: i64, lower: bool) -> Result<Tensor> {
    let name = if lower { "tril" } else { "triu" };
    if t.ndim() < 2 {
        return Err(Error::Runtime(format!(
            "{name}: input tensor must have at least 2 dimensions"
        )));
    }
    let out = t.deep_clone()?;
    let (m, n) = (t.shape()[t.ndim() - 2], t.shape()[t.ndim() - 1]);
    let mats = t.numel().checked_div(m * n).unwrap_or(0);
    with_dtype!(t.dtype(), T => {
        // SAFETY: `out` is a fresh contiguous buffer of mats*m*n elements of type T.
        let v = unsafe { std::slice::from_raw_parts_mut(out.data_ptr::<T>(), mats * m * n) };
        for (idx, x) in v.iter_mut().enumerate() {
            let (i, j) = ((idx / n % m) as i64, (idx % n) as i64);
            let keep = if lower { j - i <= diagonal } else { j - i >= diagonal };
            if !keep {
                *x = T::zero();
            }
        }
    });
    Ok(out)
}

/// An operand with one label per dimension (repeated labels already turned into diagonals).
struct Labelled {
    t: Tensor,
    labels: Vec<char>,
}

fn label_operand(t: &Tensor, spec: &str, index: usize) -> Result<Labelled> {
    let chars: Vec<char> = spec.chars().collect();
    if chars.iter().any(|c| !c.is_ascii_alphabetic()) {
        return Err(Error::Runtime(format!(
            "einsum(): invalid subscript given at index {index} in the equation string, \
             subscripts must be in [a-zA-Z] (rustgrad does not support '...')"
        )));
    }
    if chars.len() != t.ndim() {
        return Err(Error::Runtime(format!(
            "einsum(): the number of subscripts in the equation ({}) does not match the number of \
             dimensions ({}) for operand {index} and no ellipsis was given",
            chars.len(),
            t.ndim()
        )));
    }
    let mut labels: Vec<char> = Vec::new();
    let mut layout = Layout {
        shape: Default::default(),
        strides: Default::default(),
        offset: t.layout().offset,
    };
    for (d, &c) in chars.iter().enumerate() {
        match labels.iter().position(|&l| l == c) {
            Some(p) => {
                if layout.shape[p] != t.shape()[d] {
                    return Err(Error::Runtime(format!(
                        "einsum(): subscript {c} is repeated for operand {index} but the sizes \
                         don't match, {} != {}",
                        layout.shape[p],
                        t.shape()[d]
                    )));
                }
                layout.strides[p] += t.strides()[d];
            }
            None => {
                labels.push(c);
                layout.shape.push(t.shape()[d]);
                layout.strides.push(t.strides()[d]);
            }
        }
    }
    Ok(Labelled {
        t: t.with_layout(layout)?,
        labels,
    })
}

impl Labelled {
    /// Sums away the labels not in `keep`.
    fn sum_except(self, keep: &[char]) -> Result<Labelled> {
        let dims: Vec<i64> = (0..self.labels.len())
            .filter(|&d| !keep.contains(&self.labels[d]))
            .map(|d| d as i64)
            .collect();
        if dims.is_empty() {
            return Ok(self);
        }
        let labels = self
            .labels
            .iter()
            .filter(|c| keep.contains(c))
            .copied()
            .collect();
        let t = sum(&self.t, Some(&dims), false, Some(self.t.dtype()))?;
        Ok(Labelled { t, labels })
    }

    /// Reorders the dimensions to `order` (a permutation of the labels).
    fn permuted(&self, order: &[char]) -> Result<Tensor> {
        let dims: Vec<i64> = order
            .iter()
            .filter_map(|c| self.labels.iter().position(|l| l == c))
            .map(|p| p as i64)
            .collect();
        permute(&self.t, &dims)
    }

    fn size(&self, c: char) -> usize {
        self.labels
            .iter()
            .position(|&l| l == c)
            .map_or(1, |p| self.t.shape()[p])
    }
}

/// `torch.einsum(equation, *operands)` for one or two operands: diagonals (`ii->i`), sums
/// (`ij->i`), transposes (`ij->ji`), and contractions such as `ij,jk->ik`, `bij,bjk->bik`,
/// `i,i->`, `i,j->ij`. Without `->` the output is the labels seen once, in alphabetical order.
pub fn einsum(equation: &str, operands: &[Tensor]) -> Result<Tensor> {
    let eq: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
    let (lhs, rhs) = match eq.split_once("->") {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (eq.clone(), None),
    };
    let specs: Vec<&str> = lhs.split(',').collect();
    if specs.len() != operands.len() {
        return Err(Error::Runtime(format!(
            "einsum(): {} operands were provided but the equation specifies {}",
            operands.len(),
            specs.len()
        )));
    }
    if operands.is_empty() || operands.len() > 2 {
        return Err(Error::Runtime(
            "einsum(): rustgrad supports one or two operands".into(),
        ));
    }
    let mut ops = Vec::new();
    for (i, (t, s)) in operands.iter().zip(&specs).enumerate() {
        ops.push(label_operand(t, s, i)?);
    }
    let all: Vec<char> = specs.iter().flat_map(|s| s.chars()).collect();
    let out: Vec<char> = match rhs {
        Some(r) => r.chars().collect(),
        None => {
            let mut once: Vec<char> = all
                .iter()
                .filter(|c| all.iter().filter(|d| d == c).count() == 1)
                .copied()
                .collect();
            once.sort_unstable();
            once
        }
    };
    for (i, c) in out.iter().enumerate() {
        if !all.contains(c) {
            return Err(Error::Runtime(format!(
                "einsum(): output subscript {c} does not appear in the equation for any input operand"
            )));
        }
        if out[..i].contains(c) {
            return Err(Error::Runtime(format!(
                "einsum(): output subscript {c} appears more than once in the output"
            )));
        }
    }
    if ops.len() == 1 {
        let a = ops.remove(0).sum_except(&out)?;
        return a.permuted(&out)?.contiguous();
    }
    let b = ops.remove(1);
    let a = ops.remove(0);
    // Labels only one operand has and the output lacks can be summed first.
    let a = a.sum_except(&[&out[..], &b.labels[..]].concat())?;
    let b = b.sum_except(&[&out[..], &a.labels[..]].concat())?;
    let in_both = |c: &char| a.labels.contains(c) && b.labels.contains(c);
    let batch: Vec<char> = out.iter().filter(|c| in_both(c)).copied().collect();
    let a_kept: Vec<char> = out
        .iter()
        .filter(|c| a.labels.contains(c) && !b.labels.contains(c))
        .copied()
        .collect();
    let b_kept: Vec<char> = out
        .iter()
        .filter(|c| b.labels.contains(c) && !a.labels.contains(c))
        .copied()
        .collect();
    let contracted: Vec<char> = a
        .labels
        .iter()
        .filter(|c| in_both(c) && !out.contains(c))
        .copied()
        .collect();
    for &c in batch.iter().chain(&contracted) {
        if a.size(c) != b.size(c) {
            return Err(Error::Runtime(format!(
                "einsum(): operands do not broadcast: subscript {c} has size {} for operand 0 and {} for operand 1",
                a.size(c),
                b.size(c)
            )));
        }
    }
    let prod = |t: &Labelled, cs: &[char]| cs.iter().map(|&c| t.size(c)).product::<usize>();
    let (nb, m, k, n) = (
        prod(&a, &batch),
        prod(&a, &a_kept),
        prod(&a, &contracted),
        prod(&b, &b_kept),
    );
    let a3 = reshape_contiguous(
        &a.permuted(&[&batch[..], &a_kept, &contracted].concat())?,
        &[nb, m, k],
    )?;
    let b3 = reshape_contiguous(
        &b.permuted(&[&batch[..], &contracted, &b_kept].concat())?,
        &[nb, k, n],
    )?;
    let r = bmm(&a3, &b3)?;
    let order: Vec<char> = [&batch[..], &a_kept, &b_kept].concat();
    let shape: Vec<usize> = order
        .iter()
        .map(|&c| {
            if a.labels.contains(&c) {
                a.size(c)
            } else {
                b.size(c)
            }
        })
        .collect();
    let r = Labelled {
        t: reshape_contiguous(&r, &shape)?,
        labels: order,
    };
    r.permuted(&out)?.contiguous()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    fn t(v: &[f64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape, DType::F64).unwrap()
    }

    #[test]
    fn diagonals_triangles_and_einsum() {
        let a = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
        assert_eq!(trace(&a).unwrap().to_vec::<f64>(), vec![6.]);
        assert_eq!(diag(&a, 1).unwrap().to_vec::<f64>(), vec![2., 6.]);
        assert_eq!(
            diag(&t(&[1., 2.], &[2]), -1).unwrap().to_vec::<f64>(),
            vec![0., 0., 0., 1., 0., 0., 0., 2., 0.]
        );
        assert_eq!(
            triangle(&a, 0, true).unwrap().to_vec::<f64>(),
            vec![1., 0., 0., 4., 5., 0.]
        );
        assert_eq!(
            triangle(&a, 1, false).unwrap().to_vec::<f64>(),
            vec![0., 2., 3., 0., 0., 6.]
        );
        let at = einsum("ij->ji", std::slice::from_ref(&a)).unwrap();
        assert_eq!(at.to_vec::<f64>(), vec![1., 4., 2., 5., 3., 6.]);
        let g = einsum("ij,kj->ik", &[a.clone(), a.clone()]).unwrap();
        assert_eq!(g.to_vec::<f64>(), vec![14., 32., 32., 77.]);
        assert_eq!(
            einsum("ij,ij", &[a.clone(), a.clone()])
                .unwrap()
                .to_vec::<f64>(),
            vec![91.]
        );
        assert!(einsum("ij,jk->ik", &[a.clone(), a]).is_err());
    }
}
