//! Shapes, strides and broadcasting.
//!
//! A [`Layout`] maps a multi-index to an element of a storage: `offset + Σ index[d] * strides[d]`,
//! in elements. Strides are never negative (PyTorch forbids negative steps too), so every view a
//! layout describes lies in `[offset, offset + span)`, which [`Layout::span`] computes for bounds
//! checks.

use smallvec::SmallVec;

use crate::error::{Error, Result};

/// Dimensions of a tensor.
pub type Shape = SmallVec<[usize; 4]>;
/// Element strides of a tensor.
pub type Strides = SmallVec<[usize; 4]>;

/// Which elements of a storage a tensor sees.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Shape,
    pub strides: Strides,
    pub offset: usize,
}

impl Clone for Layout {
    /// A plain copy (`SmallVec`'s own `clone` goes element by element, which shows in the
    /// per-call cost of small ops).
    fn clone(&self) -> Layout {
        Layout {
            shape: SmallVec::from_slice(&self.shape),
            strides: SmallVec::from_slice(&self.strides),
            offset: self.offset,
        }
    }
}

/// Number of elements of a shape, or an error if it overflows.
pub fn checked_numel(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            Error::Runtime(format!(
                "the number of elements of shape {shape:?} overflows"
            ))
        })
}

/// Row-major strides of a shape.
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = SmallVec::from_elem(0, shape.len());
    let mut acc = 1usize;
    for d in (0..shape.len()).rev() {
        strides[d] = acc;
        acc = acc.saturating_mul(shape[d]);
    }
    strides
}

/// Whether `strides` cover `shape` without gaps or overlaps in some order of the dimensions
/// (torch's `is_non_overlapping_and_dense`: `x.T` is, `x[:, ::2]` is not).
pub fn is_non_overlapping_and_dense(shape: &[usize], strides: &[usize]) -> bool {
    let mut dims: SmallVec<[usize; 8]> = (0..shape.len()).collect();
    // size 0 or 1 dimensions last (any stride), the others by stride
    dims.sort_by_key(|&d| (shape[d] < 2, strides[d]));
    let mut expected = 1usize;
    for d in dims {
        if shape[d] < 2 {
            return true;
        }
        if strides[d] != expected {
            return false;
        }
        expected *= shape[d];
    }
    true
}

/// An input of an elementwise op as [`result_strides`] sees it: its own shape and strides (a
/// Python scalar is a 0-d input).
pub type InputLayout<'a> = (&'a [usize], &'a [usize]);

/// The strides torch's `TensorIterator` gives the result of an elementwise op over `inputs`
/// broadcast to `shape`, or `None` for row-major. Results follow the inputs' memory order:
/// `x.T + 1` has `x.T`'s strides and `x.T.exp()` too, so NumPy and torch walk the memory in
/// order (and so does rustgrad); `x[:, ::2] + 1` is row-major.
///
/// As torch does it: inputs all of the result's shape, all row-major, give a row-major result;
/// all non-overlapping and dense with the same strides, those strides. Otherwise the dimensions
/// are ordered fastest first by an insertion sort that asks each input in turn (skipping a
/// broadcast dimension of either, and on equal strides moving a larger dimension out), and the
/// result is dense in that order.
pub fn result_strides(shape: &[usize], inputs: &[InputLayout]) -> Option<Strides> {
    let nd = shape.len();
    if nd < 2 || inputs.iter().all(|&(s, st)| is_exactly_row_major(s, st)) {
        return None;
    }
    if inputs.iter().all(|&(s, _)| s == shape) {
        if inputs.iter().all(|&(s, st)| is_row_major(s, st)) {
            return None;
        }
        let first = inputs[0].1;
        if inputs
            .iter()
            .all(|&(s, st)| st == first && is_non_overlapping_and_dense(s, st))
        {
            return Some(SmallVec::from_slice(first));
        }
    }
    // Each input's strides broadcast to `shape` (0 along dimensions it is broadcast over).
    let broadcast: SmallVec<[Strides; 4]> = inputs
        .iter()
        .map(|&(s, st)| {
            let extra = nd - s.len();
            (0..nd)
                .map(|d| match d.checked_sub(extra) {
                    Some(k) if !(s[k] == 1 && shape[d] != 1) => st[k],
                    _ => 0,
                })
                .collect()
        })
        .collect();
    // 1 if `d0` goes after (is slower than) `d1`, -1 before, 0 if no input tells.
    let order = |d0: usize, d1: usize| -> i32 {
        for st in &broadcast {
            let (s0, s1) = (st[d0], st[d1]);
            if s0 == 0 || s1 == 0 {
                continue;
            }
            if s0 != s1 {
                return if s0 < s1 { -1 } else { 1 };
            }
            if shape[d0] > shape[d1] {
                return 1;
            }
        }
        0
    };
    // fastest dimension first; row-major to start with
    let mut perm: SmallVec<[usize; 8]> = (0..nd).rev().collect();
    for i in 1..nd {
        let mut d1 = i;
        for d0 in (0..i).rev() {
            match order(perm[d0], perm[d1]) {
                1 => {
                    perm.swap(d0, d1);
                    d1 = d0;
                }
                -1 => break,
                _ => {}
            }
        }
    }
    if perm.iter().enumerate().all(|(j, &d)| d == nd - 1 - j) {
        return None;
    }
    let mut strides: Strides = SmallVec::from_elem(0, nd);
    let mut next = 1usize;
    for &d in &perm {
        strides[d] = next;
        next = next.saturating_mul(shape[d]);
    }
    Some(strides)
}

/// `strides` are [`contiguous_strides`] of `shape` (size-1 dimensions included).
#[inline]
fn is_exactly_row_major(shape: &[usize], strides: &[usize]) -> bool {
    let mut expected = 1usize;
    for (&n, &s) in shape.iter().zip(strides).rev() {
        if s != expected {
            return false;
        }
        expected = expected.saturating_mul(n);
    }
    true
}

/// Do `strides` walk `shape` in row-major order without gaps (size-1 dimensions may have any
/// stride)? Then element `i` of the operand is at offset `i`.
#[inline]
pub fn is_row_major(shape: &[usize], strides: &[usize]) -> bool {
    let mut expected = 1usize;
    for (&n, &s) in shape.iter().zip(strides).rev() {
        if n != 1 {
            if s != expected {
                return false;
            }
            expected *= n;
        }
    }
    true
}

/// Formats a shape as torch does in messages: `[2, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    let items: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    format!("[{}]", items.join(", "))
}

impl Layout {
    /// A row-major layout starting at element 0.
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout {
            shape: SmallVec::from_slice(shape),
            strides: contiguous_strides(shape),
            offset: 0,
        }
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Row-major with no gaps (size-1 dimensions may have any stride).
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1usize;
        for d in (0..self.shape.len()).rev() {
            if self.shape[d] != 1 {
                if self.strides[d] != expected {
                    return false;
                }
                expected *= self.shape[d];
            }
        }
        true
    }

    /// One past the largest element offset the layout reaches (0 when empty).
    pub fn span(&self) -> usize {
        if self.shape.contains(&0) {
            return 0;
        }
        self.offset
            + 1
            + self
                .shape
                .iter()
                .zip(&self.strides)
                .map(|(&n, &s)| (n - 1) * s)
                .sum::<usize>()
    }

    /// True when two different indices can reach the same element (a stride-0 dimension of size
    /// above one, as `expand` makes). An empty layout reaches no element at all.
    pub fn has_internal_overlap(&self) -> bool {
        !self.shape.contains(&0)
            && self
                .shape
                .iter()
                .zip(&self.strides)
                .any(|(&n, &s)| n > 1 && s == 0)
    }

    /// The layout seen through broadcasting to `shape` (which must be compatible: see
    /// [`broadcast_shapes`]).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Layout> {
        let extra = shape.len().checked_sub(self.ndim()).ok_or_else(|| {
            Error::Runtime(format!(
                "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension 0.  Target sizes: {}.  Tensor sizes: {}",
                shape.len(), self.ndim(), fmt_shape(shape), fmt_shape(&self.shape)
            ))
        })?;
        let mut strides: Strides = SmallVec::from_elem(0, shape.len());
        for (d, &target) in shape.iter().enumerate().skip(extra) {
            let (n, s) = (self.shape[d - extra], self.strides[d - extra]);
            strides[d] = if n == target {
                s
            } else if n == 1 {
                0
            } else {
                return Err(Error::Runtime(format!(
                    "The expanded size of the tensor ({target}) must match the existing size ({n}) at non-singleton dimension {d}.  Target sizes: {}.  Tensor sizes: {}",
                    fmt_shape(shape), fmt_shape(&self.shape)
                )));
            };
        }
        Ok(Layout {
            shape: shape.into(),
            strides,
            offset: self.offset,
        })
    }
}

/// The broadcast shape of two shapes, with torch's message when they do not broadcast.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Shape> {
    if a == b {
        return Ok(SmallVec::from_slice(a));
    }
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::from_elem(0, n);
    // From the trailing dimension, as torch's `infer_size`: its message names the last mismatch.
    for i in (0..n).rev() {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::Runtime(format!(
                "The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}"
            )));
        };
    }
    Ok(out)
}

/// Resolves a possibly negative dimension against `ndim` (torch's `maybe_wrap_dim`).
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::Index(format!(
            "Dimension out of range (expected to be in range of [{}, {}], but got {dim})",
            -n,
            n - 1
        )));
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// Merges dimensions that every operand walks as one (size-1 dimensions are dropped), so that
/// kernels run long inner loops. Returns the merged shape and each operand's strides.
pub fn coalesce<const N: usize>(shape: &[usize], strides: [&[usize]; N]) -> (Shape, [Strides; N]) {
    let mut out_shape: Shape = SmallVec::new();
    let mut out_strides: [Strides; N] = std::array::from_fn(|_| SmallVec::new());
    for d in 0..shape.len() {
        let n = shape[d];
        if n == 1 {
            continue;
        }
        let mergeable = match out_shape.last() {
            Some(&prev_n) => {
                (0..N).all(|k| *out_strides[k].last().unwrap_or(&0) == strides[k][d] * n)
                    && prev_n > 0
            }
            None => false,
        };
        if mergeable {
            let last = out_shape.len() - 1;
            out_shape[last] *= n;
            for k in 0..N {
                out_strides[k][last] = strides[k][d];
            }
        } else {
            out_shape.push(n);
            for k in 0..N {
                out_strides[k].push(strides[k][d]);
            }
        }
    }
    if out_shape.is_empty() {
        out_shape.push(1);
        for s in out_strides.iter_mut() {
            s.push(0);
        }
    }
    (out_shape, out_strides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_error_names_the_rightmost_mismatch() {
        // ones(2, 3) + ones(3, 2): torch compares from the right and stops at dimension 1
        let err = broadcast_shapes(&[2, 3], &[3, 2]).unwrap_err().to_string();
        assert!(err.contains(
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
        ));
    }

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(
            broadcast_shapes(&[3, 1], &[1, 2]).unwrap().as_slice(),
            &[3, 2]
        );
        assert_eq!(broadcast_shapes(&[4], &[2, 1]).unwrap().as_slice(), &[2, 4]);
        assert_eq!(broadcast_shapes(&[], &[2]).unwrap().as_slice(), &[2]);
        let err = broadcast_shapes(&[2, 3], &[2, 4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
        );
        let err = broadcast_shapes(&[2, 3], &[3, 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
        );
    }

    #[test]
    fn contiguity_and_span() {
        let l = Layout::contiguous(&[2, 3]);
        assert!(l.is_contiguous());
        assert_eq!(l.span(), 6);
        let t = Layout {
            shape: [3, 2].into_iter().collect(),
            strides: [1, 3].into_iter().collect(),
            offset: 0,
        };
        assert!(!t.is_contiguous());
        assert_eq!(t.span(), 6);
    }

    #[test]
    fn coalesce_merges_contiguous_runs() {
        let (shape, [s]) = coalesce(&[2, 3, 4], [&[12, 4, 1]]);
        assert_eq!(shape.as_slice(), &[24]);
        assert_eq!(s.as_slice(), &[1]);
        let (shape, [a, b]) = coalesce(&[4, 5], [&[1, 0], &[0, 1]]);
        assert_eq!(shape.as_slice(), &[4, 5]);
        assert_eq!((a.as_slice(), b.as_slice()), (&[1, 0][..], &[0, 1][..]));
    }

    #[test]
    fn results_follow_their_inputs_memory_order() {
        let strided = |v: &[usize]| -> Option<Strides> { Some(SmallVec::from_slice(v)) };
        // x.T of a (3, 4) matrix, alone or with a scalar: its strides
        assert_eq!(
            result_strides(&[4, 3], &[(&[4, 3], &[1, 4])]),
            strided(&[1, 4])
        );
        assert_eq!(
            result_strides(&[4, 3], &[(&[4, 3], &[1, 4]), (&[], &[])]),
            strided(&[1, 4])
        );
        // the first input that tells decides: x.T + y, y + x.T
        let (xt, y): (InputLayout, InputLayout) = ((&[4, 3], &[1, 4]), (&[4, 3], &[3, 1]));
        assert_eq!(result_strides(&[4, 3], &[xt, y]), strided(&[1, 4]));
        assert_eq!(result_strides(&[4, 3], &[y, xt]), None);
        // strided, not dense: row-major; broadcast dimensions are skipped
        assert_eq!(result_strides(&[3, 2], &[(&[3, 2], &[4, 2])]), None);
        // x.T + zeros(2, 1, 1) (torch: strides (12, 1, 4))
        assert_eq!(
            result_strides(&[2, 4, 3], &[xt, (&[2, 1, 1], &[1, 1, 1])]),
            strided(&[12, 1, 4])
        );
        assert!(is_non_overlapping_and_dense(&[4, 3], &[1, 4]));
        assert!(!is_non_overlapping_and_dense(&[3, 2], &[4, 2]));
        assert!(is_non_overlapping_and_dense(&[2, 1, 3], &[3, 99, 1]));
    }

    #[test]
    fn wrap_dim_accepts_negative() {
        assert_eq!(wrap_dim(-1, 3).unwrap(), 2);
        assert!(matches!(wrap_dim(3, 3), Err(Error::Index(_))));
    }
}
