//! The tensor value: a storage, a layout over it and a dtype. Cloning a `Tensor` is cheap and
//! makes another handle to the same elements (a view); [`Tensor::deep_clone`] copies them.

use std::sync::Arc;

use crate::dtype::{DType, Scalar};
use crate::error::{Error, Result};
use crate::kernels::element::convert;
use crate::kernels::elementwise::{cast1, Raw};
use crate::kernels::Element;
use crate::layout::{checked_numel, fmt_shape, Layout, Strides};
use crate::storage::Storage;
use crate::with_dtype;

/// An N-d array of one dtype over a shared storage.
#[derive(Clone, Debug)]
pub struct Tensor {
    storage: Arc<Storage>,
    layout: Layout,
    dtype: DType,
}

impl Tensor {
    /// A tensor over `storage`, after checking that `layout` stays inside it.
    pub fn from_parts(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Result<Tensor> {
        let needed = layout.span().checked_mul(dtype.size()).ok_or_else(|| {
            Error::Runtime(format!("shape {} is too large", fmt_shape(&layout.shape)))
        })?;
        if needed > storage.nbytes() {
            return Err(Error::Runtime(format!(
                "setStorage: sizes {}, strides {:?}, storage offset {}, and itemsize {} requiring a \
                 storage size of {needed} are out of bounds for storage of size {}",
                fmt_shape(&layout.shape),
                layout.strides.as_slice(),
                layout.offset,
                dtype.size(),
                storage.nbytes()
            )));
        }
        Ok(Tensor {
            storage,
            layout,
            dtype,
        })
    }

    /// A new zero-filled contiguous tensor. Errors on sizes whose byte count overflows or that
    /// the machine cannot allocate.
    pub fn zeros(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::alloc(shape, dtype, Storage::zeroed)
    }

    /// A new contiguous tensor whose elements are unspecified, for a result that the caller
    /// writes in full before anything reads it (see [`Storage::uninit`]).
    pub fn uninit(shape: &[usize], dtype: DType) -> Result<Tensor> {
        Tensor::alloc(shape, dtype, Storage::uninit)
    }

    /// An uninitialised tensor laid out with `strides` (dense in some order of the dimensions,
    /// as [`result_strides`](crate::layout::result_strides) gives), or row-major for `None`.
    pub fn uninit_strided(
        shape: &[usize],
        strides: Option<Strides>,
        dtype: DType,
    ) -> Result<Tensor> {
        let mut out = Tensor::uninit(shape, dtype)?;
        if let Some(strides) = strides {
            out.layout.strides = strides;
        }
        Ok(out)
    }

    fn alloc(
        shape: &[usize],
        dtype: DType,
        storage: fn(usize) -> Result<Storage>,
    ) -> Result<Tensor> {
        let numel = checked_numel(shape)?;
        let nbytes = numel.checked_mul(dtype.size()).ok_or_else(|| {
            Error::Runtime(format!(
                "shape {} is too large to allocate",
                fmt_shape(shape)
            ))
        })?;
        if nbytes > isize::MAX as usize {
            return Err(Error::OutOfMemory(nbytes));
        }
        Ok(Tensor {
            storage: Arc::new(storage(nbytes)?),
            layout: Layout::contiguous(shape),
            dtype,
        })
    }

    /// A contiguous tensor holding `data` (of the Rust type of `dtype`).
    pub fn from_vec<T: Element>(data: &[T], shape: &[usize], dtype: DType) -> Result<Tensor> {
        if checked_numel(shape)? != data.len() {
            return Err(Error::Runtime(format!(
                "shape {} does not match {} elements",
                fmt_shape(shape),
                data.len()
            )));
        }
        let t = Tensor::uninit(shape, dtype)?;
        with_dtype!(dtype, S => {
            if std::mem::size_of::<S>() != std::mem::size_of::<T>() || S::DTYPE.is_float() != T::DTYPE.is_float() {
                return Err(Error::Runtime(format!("from_vec: {:?} data for dtype {}", T::DTYPE, dtype.name())));
            }
        });
        // SAFETY: `t` is a fresh contiguous buffer of `data.len()` elements of T's size.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), t.data_ptr::<T>(), data.len()) };
        Ok(t)
    }

    /// A 0-d tensor holding `value` converted to `dtype`.
    pub fn scalar(value: Scalar, dtype: DType) -> Result<Tensor> {
        let t = Tensor::zeros(&[], dtype)?;
        t.fill(value);
        Ok(t)
    }

    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }
    pub fn strides(&self) -> &[usize] {
        &self.layout.strides
    }
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    /// Another view of the same storage with a new layout (checked against the storage).
    pub fn with_layout(&self, layout: Layout) -> Result<Tensor> {
        Tensor::from_parts(self.storage.clone(), layout, self.dtype)
    }

    /// Pointer to the first element (at the layout's offset), typed as `T`.
    ///
    /// # Safety
    /// `T` must be the element type of the dtype; reads and writes through the pointer must stay
    /// within the offsets the layout reaches.
    pub unsafe fn data_ptr<T>(&self) -> *mut T {
        // `wrapping_add`: an empty view may start past the end of its storage (torch keeps the
        // offset of `x[3:, 4:]`); such a pointer is never dereferenced.
        (self.storage.as_ptr() as *mut T).wrapping_add(self.layout.offset)
    }

    /// Address of the first element in bytes (the layout's offset counts elements).
    pub fn data_address(&self) -> usize {
        (self.storage.as_ptr() as usize).wrapping_add(self.layout.offset * self.dtype.size())
    }

    /// The tensor as a raw kernel operand.
    ///
    /// # Safety
    /// As for [`Tensor::data_ptr`].
    pub unsafe fn raw<T>(&self) -> Raw<'_, T> {
        Raw {
            // SAFETY: forwarded to the caller.
            ptr: unsafe { self.data_ptr::<T>() },
            strides: &self.layout.strides,
        }
    }

    /// Do two tensors share memory?
    pub fn shares_storage(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// Sets every element to `value` (converted to the dtype).
    pub fn fill(&self, value: Scalar) {
        with_dtype!(self.dtype, T => {
            let v: T = match value {
                Scalar::Float(f) => convert::<f64, T>(f, self.dtype),
                Scalar::Int(i) => convert::<i64, T>(i, self.dtype),
                Scalar::Bool(b) => convert::<u8, T>(b as u8, self.dtype),
            };
            // SAFETY: writes stay within the layout; a stride-0 destination writes one value.
            unsafe {
                let out = self.data_ptr::<T>();
                cast1::<T, T>(self.shape(), (out, self.strides()), Raw { ptr: out, strides: self.strides() }, move |_| v);
            }
        });
        self.storage.bump_version();
    }

    /// A contiguous copy converted to `dtype`.
    pub fn cast_copy(&self, dtype: DType) -> Result<Tensor> {
        let out = Tensor::uninit(self.shape(), dtype)?;
        out.copy_from_unchecked(self);
        Ok(out)
    }

    /// A copy converted to `dtype` laid out as torch's `preserve_format` does (`clone()`,
    /// `to()`; see [`dense_strides`](Self::dense_strides)).
    pub fn copy_preserving(&self, dtype: DType) -> Result<Tensor> {
        let out = Tensor::uninit_strided(self.shape(), self.dense_strides(), dtype)?;
        out.copy_from_unchecked(self);
        Ok(out)
    }

    /// The layout torch's `preserve_format` gives a copy or a `*_like` tensor: this tensor's
    /// strides when they are dense in some order (`x.T`), else dense strides in their order
    /// (`x.T[:, ::2]`); `None` for row-major.
    pub fn dense_strides(&self) -> Option<Strides> {
        let layout = &self.layout;
        crate::layout::result_strides(&layout.shape, &[(&layout.shape, &layout.strides)])
    }

    /// A fresh row-major tensor in which every element has the same value, relaid with
    /// `strides` (dense in some order: the same elements, `*_like` of a permuted tensor).
    pub fn relaid_uniform(mut self, strides: Option<Strides>) -> Tensor {
        if let Some(strides) = strides {
            debug_assert!(self.layout.is_contiguous() && self.layout.offset == 0);
            self.layout.strides = strides;
        }
        self
    }

    /// This tensor if it already has `dtype`, else a converted copy.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype {
            Ok(self.clone())
        } else {
            self.cast_copy(dtype)
        }
    }

    /// This tensor if it is contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            Ok(self.clone())
        } else {
            self.cast_copy(self.dtype)
        }
    }

    /// A contiguous copy with its own storage.
    pub fn deep_clone(&self) -> Result<Tensor> {
        self.cast_copy(self.dtype)
    }

    /// Copies `src` (same shape, any dtype) into `self`, converting. `src` must not share storage
    /// with `self` unless it is the same view.
    pub(crate) fn copy_from_unchecked(&self, src: &Tensor) {
        let dst_dtype = self.dtype;
        if src.dtype == dst_dtype {
            with_dtype!(dst_dtype, T => {
                // SAFETY: as below; the same type on both sides, copied as it is.
                unsafe {
                    cast1::<T, T>(self.shape(), (self.data_ptr::<T>(), self.strides()), src.raw::<T>(),
                        |v| v);
                }
            });
            return;
        }
        with_dtype!(src.dtype, S => with_dtype!(dst_dtype, D => {
            // SAFETY: both layouts were checked against their storages; the caller guarantees
            // no partial overlap.
            unsafe {
                cast1::<S, D>(self.shape(), (self.data_ptr::<D>(), self.strides()), src.raw::<S>(),
                    move |v| convert::<S, D>(v, dst_dtype));
            }
        }));
    }

    /// Copies `src` into `self` with broadcasting and dtype conversion (`Tensor.copy_`).
    pub fn assign(&self, src: &Tensor) -> Result<()> {
        self.check_writable()?;
        let src = src.broadcast_to(self.shape())?;
        let src = if src.shares_storage(self) && src.layout != self.layout {
            src.deep_clone()?
        } else {
            src
        };
        self.copy_from_unchecked(&src);
        self.storage.bump_version();
        Ok(())
    }

    /// In-place writes need a destination where no element is reached twice.
    pub fn check_writable(&self) -> Result<()> {
        if self.layout.has_internal_overlap() {
            return Err(Error::Runtime(
                "unsupported operation: more than one element of the written-to tensor refers to a \
                 single memory location. Please clone() the tensor before performing the operation."
                    .into(),
            ));
        }
        Ok(())
    }

    /// A view broadcast to `shape` (stride 0 along expanded dimensions).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        Ok(Tensor {
            storage: self.storage.clone(),
            layout: self.layout.broadcast_to(shape)?,
            dtype: self.dtype,
        })
    }

    /// The elements in row-major order, converted to `T`.
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        let mut out = vec![T::default(); self.numel()];
        let dst = T::DTYPE;
        with_dtype!(self.dtype, S => {
            let strides = crate::layout::contiguous_strides(self.shape());
            // SAFETY: `out` is a contiguous buffer of the tensor's shape.
            unsafe {
                cast1::<S, T>(self.shape(), (out.as_mut_ptr(), &strides), self.raw::<S>(), move |v| convert::<S, T>(v, dst));
            }
        });
        out
    }

    /// The one element of a one-element tensor.
    pub fn item(&self) -> Result<Scalar> {
        if self.numel() != 1 {
            return Err(Error::Runtime(format!(
                "a Tensor with {} elements cannot be converted to Scalar",
                self.numel()
            )));
        }
        Ok(match self.dtype {
            DType::Bool => Scalar::Bool(self.to_vec::<u8>()[0] != 0),
            d if d.is_float() => Scalar::Float(self.to_vec::<f64>()[0]),
            _ => Scalar::Int(self.to_vec::<i64>()[0]),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cast_and_item() {
        let t = Tensor::from_vec(&[1.5f32, -2.7], &[2], DType::F32).unwrap();
        assert_eq!(
            t.cast_copy(DType::I64).unwrap().to_vec::<i64>(),
            vec![1, -2]
        );
        assert_eq!(t.cast_copy(DType::Bool).unwrap().to_vec::<u8>(), vec![1, 1]);
        assert!(t.item().is_err());
        let s = Tensor::scalar(Scalar::Int(7), DType::F64).unwrap();
        assert_eq!(s.item().unwrap(), Scalar::Float(7.0));
    }

    #[test]
    fn out_of_bounds_layouts_are_rejected() {
        let t = Tensor::zeros(&[4], DType::F32).unwrap();
        let bad = Layout {
            shape: [5].into_iter().collect(),
            strides: [1].into_iter().collect(),
            offset: 0,
        };
        assert!(t.with_layout(bad).is_err());
    }

    #[test]
    fn huge_shapes_are_errors() {
        assert!(Tensor::zeros(&[usize::MAX, 2], DType::F32).is_err());
        assert!(matches!(
            Tensor::zeros(&[1 << 58], DType::F64),
            Err(Error::OutOfMemory(_))
        ));
    }
}
