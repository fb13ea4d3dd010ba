//! NumPy interop through NumPy's array interface protocol (version 3).
//!
//! Export (`Tensor.numpy()`, `__array__`): a small `_StorageRef` object that holds the tensor's
//! `Arc<Storage>` publishes `__array_interface__`; `numpy.asarray` makes an array over the same
//! memory whose `base` is that object, so the memory outlives the tensor if the array does.
//! Import (`from_numpy`): the array's `__array_interface__` gives pointer, shape and strides; the
//! storage keeps a reference to the array, so the memory outlives the array's Python name.

use std::ptr::NonNull;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use crate::dtype::DType;
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::Tensor;

static NUMPY: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The `numpy` module, imported on first use.
pub fn numpy(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    NUMPY
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("numpy")?.unbind()))
        .map(|m| m.bind(py))
}

fn typestr(d: DType) -> &'static str {
    match d {
        DType::Bool => "|b1",
        DType::U8 => "|u1",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
    }
}

/// The byte-order character of this machine in NumPy's type strings.
const NATIVE: &str = if cfg!(target_endian = "little") {
    "<"
} else {
    ">"
};

/// Is this a supported type string in the other byte order (`>f8` on x86)?
fn is_byteswapped(s: &str) -> bool {
    let (order, rest) = s.split_at(1.min(s.len()));
    order != "|" && order != NATIVE && dtype_of_typestr(&format!("{NATIVE}{rest}")).is_some()
}

fn dtype_of_typestr(s: &str) -> Option<DType> {
    let (order, rest) = s.split_at(1.min(s.len()));
    if order != "|" && order != NATIVE {
        return None;
    }
    Some(match rest {
        "b1" => DType::Bool,
        "u1" => DType::U8,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "f4" => DType::F32,
        "f8" => DType::F64,
        _ => return None,
    })
}

/// Keeps a storage alive for NumPy and describes the view over it.
#[pyclass(name = "_StorageRef", module = "rustgrad", frozen)]
pub struct StorageRef {
    tensor: Tensor,
}

#[pymethods]
impl StorageRef {
    #[getter]
    fn __array_interface__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = &self.tensor;
        let d = PyDict::new(py);
        let size = t.dtype().size();
        d.set_item("shape", PyTuple::new(py, t.shape())?)?;
        d.set_item("typestr", typestr(t.dtype()))?;
        let ptr = t.data_address();
        d.set_item("data", (ptr, false))?;
        let strides: Vec<usize> = t.strides().iter().map(|s| s * size).collect();
        d.set_item("strides", PyTuple::new(py, strides)?)?;
        d.set_item("version", 3)?;
        Ok(d)
    }
}

/// An ndarray sharing `t`'s memory.
pub fn to_numpy<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let holder = Bound::new(py, StorageRef { tensor: t.clone() })?;
    numpy(py)?.call_method1("asarray", (holder,))
}

/// A tensor over an object's `__array_interface__`: sharing its memory (`copy == false`, the
/// storage keeps the object alive) or copying it.
///
/// Arrays that cannot be shared safely are copied: read-only memory, negative or unaligned
/// strides, non-native byte order, and bool arrays holding bytes other than 0 and 1.
pub fn tensor_from_array(obj: &Bound<'_, PyAny>, copy: bool) -> PyResult<Tensor> {
    let py = obj.py();
    let iface = obj.getattr("__array_interface__")?;
    let typestr: String = iface.get_item("typestr")?.extract()?;
    if is_byteswapped(&typestr) {
        if !copy {
            return Err(PyValueError::new_err(
                "given numpy array has byte order different from the native byte order. \
                 Conversion between byte orders is currently not supported.",
            ));
        }
        let native = obj.getattr("dtype")?.call_method1("newbyteorder", ("=",))?;
        return tensor_from_array(&obj.call_method1("astype", (native,))?, true);
    }
    let Some(dtype) = dtype_of_typestr(&typestr) else {
        let name = obj
            .getattr("dtype")
            .and_then(|d| d.getattr("type"))
            .and_then(|t| t.getattr("__name__"));
        let name = name.map(|n| n.to_string()).unwrap_or(typestr);
        return Err(PyTypeError::new_err(format!(
            "can't convert np.ndarray of type numpy.{name}. The only supported types are: float64, \
             float32, int64, int32, uint8, and bool."
        )));
    };
    let shape: Vec<usize> = iface.get_item("shape")?.extract()?;
    let (ptr, readonly): (usize, bool) = iface.get_item("data")?.extract()?;
    let size = dtype.size();
    let strides_obj = iface.get_item("strides")?;
    let byte_strides: Option<Vec<isize>> = if strides_obj.is_none() {
        None
    } else {
        Some(strides_obj.extract()?)
    };
    let shareable = !readonly
        && ptr % size == 0
        && byte_strides.as_ref().is_none_or(|s| {
            s.iter()
                .all(|&b| b >= 0 && (b as usize).is_multiple_of(size))
        });
    // Anything that cannot be shared is copied from a contiguous, native version of the array.
    if copy || !shareable || (dtype == DType::Bool && has_non_01_bytes(obj)?) {
        let np = numpy(py)?;
        let contiguous = np.call_method1("ascontiguousarray", (obj,))?;
        let contiguous = if dtype == DType::Bool {
            // Normalise any non-zero byte to 1 (`astype(bool)` would keep the bytes as they are).
            let bytes = contiguous.call_method1("view", (np.getattr("uint8")?,))?;
            np.call_method1("not_equal", (bytes, 0))?
        } else {
            contiguous
        };
        let t = Tensor::zeros(&shape, dtype)?;
        let iface = contiguous.getattr("__array_interface__")?;
        let (src, _): (usize, bool) = iface.get_item("data")?.extract()?;
        let nbytes = t.numel() * size;
        if nbytes > 0 {
            // SAFETY: `contiguous` is a C-contiguous array of `shape` and `dtype`, so it holds
            // exactly `nbytes` bytes at `src`; `t` is a fresh buffer of the same size.
            unsafe { std::ptr::copy_nonoverlapping(src as *const u8, t.data_ptr::<u8>(), nbytes) };
        }
        return Ok(t);
    }
    let strides: Vec<usize> = match byte_strides {
        Some(s) => s.iter().map(|&b| b as usize / size).collect(),
        None => crate::layout::contiguous_strides(&shape).to_vec(),
    };
    let layout = Layout {
        shape: shape.iter().copied().collect(),
        strides: strides.iter().copied().collect(),
        offset: 0,
    };
    let nbytes = layout.span() * size;
    let owner: Py<PyAny> = obj.clone().unbind();
    let Some(nn) = NonNull::new(ptr as *mut u8) else {
        // NumPy gives a non-null pointer even for empty arrays; be safe anyway.
        return Ok(Tensor::zeros(&shape, dtype)?);
    };
    // SAFETY: NumPy guarantees `ptr` is valid for the extent its shape and strides reach
    // (`nbytes` bytes from `ptr`, strides being non-negative), writable (checked above), and
    // aligned for `dtype` (checked above); `owner` keeps the array alive.
    let storage = unsafe { Storage::foreign(nn, nbytes, Box::new(owner)) };
    Ok(Tensor::from_parts(Arc::new(storage), layout, dtype)?)
}

fn has_non_01_bytes(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let py = obj.py();
    let np = numpy(py)?;
    let bytes = obj.call_method1("view", (np.getattr("uint8")?,))?;
    let max = np
        .call_method1("max", (bytes,))
        .and_then(|m| m.extract::<u8>())
        .unwrap_or(0);
    Ok(max > 1)
}

/// `rustgrad.from_numpy(ndarray)`: a tensor sharing the array's memory.
///
/// As torch: negative strides and a foreign byte order are a `ValueError`. Arrays whose memory
/// cannot be written safely (read-only ones, such as `np.broadcast_to` views or pandas' `.values`)
/// are copied with a `UserWarning`, where torch shares them and leaves writes undefined.
pub fn from_numpy(obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let py = obj.py();
    let np = numpy(py)?;
    if !obj.is_instance(&np.getattr("ndarray")?)? {
        return Err(PyTypeError::new_err(format!(
            "expected np.ndarray (got {})",
            obj.get_type().name()?
        )));
    }
    let strides = obj.getattr("strides")?.extract::<Vec<isize>>()?;
    if strides.iter().any(|&s| s < 0) {
        return Err(PyValueError::new_err(
            "At least one stride in the given numpy array is negative, and tensors with negative \
             strides are not currently supported. (You can probably work around this by making a \
             copy of your array  with array.copy().) ",
        ));
    }
    let t = tensor_from_array(obj, false)?;
    if !t.storage().is_foreign() && t.numel() > 0 {
        let warning = py.get_type::<pyo3::exceptions::PyUserWarning>();
        PyErr::warn(
            py,
            &warning,
            c"The given NumPy array cannot share its memory with a tensor (it is not writable, \
              misaligned, or a bool array holding bytes other than 0 and 1), so rustgrad copied \
              it: changes to the array and to the tensor are not seen by each other.",
            1,
        )?;
    }
    Ok(t)
}
