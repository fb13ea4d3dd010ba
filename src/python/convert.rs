//! Python values to tensors and back: nested sequences, scalars, NumPy arrays, sizes.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};

use crate::dtype::{default_float, DType, Scalar};
use crate::python::interop::tensor_from_array;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

/// A Python number as a [`Scalar`], or `None` if `obj` is not a number.
pub fn extract_scalar(obj: &Bound<'_, PyAny>) -> PyResult<Option<Scalar>> {
    if obj.is_instance_of::<PyBool>() {
        return Ok(Some(Scalar::Bool(obj.extract::<bool>()?)));
    }
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<i64>() {
            Ok(i) => Ok(Some(Scalar::Int(i))),
            Err(_) => Err(PyRuntimeError::new_err(format!(
                "Overflow when unpacking long: {}",
                obj.repr()?
            ))),
        };
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Some(Scalar::Float(obj.extract::<f64>()?)));
    }
    // NumPy scalars (np.float64(2.0), np.int64(3), np.bool_(True)).
    if obj.cast::<PyTensor>().is_err()
        && obj.hasattr("dtype")?
        && obj.hasattr("item")?
        && !obj.hasattr("__len__")?
    {
        let item = obj.call_method0("item")?;
        if item.is_instance_of::<PyBool>()
            || item.is_instance_of::<PyInt>()
            || item.is_instance_of::<PyFloat>()
        {
            return extract_scalar(&item);
        }
    }
    Ok(None)
}

/// Python object for a scalar.
pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Bool(b) => PyBool::new(py, b).to_owned().into_any().unbind(),
        Scalar::Int(i) => i.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(f) => f.into_pyobject(py)?.into_any().unbind(),
    })
}

/// Values gathered from nested Python data.
struct Gathered {
    shape: Vec<usize>,
    values: Vec<Scalar>,
    /// Highest category seen: 0 bool, 1 int, 2 float.
    kind: u8,
    /// dtype of tensors or arrays found inside, which wins within its category.
    inner_dtype: Option<DType>,
    /// An integer beyond int64 was seen (kept as a float: an error unless the result is floating).
    big_int: bool,
}

fn is_sequence(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || (!obj.is_instance_of::<PyString>() && obj.cast::<PySequence>().is_ok())
}

fn gather(obj: &Bound<'_, PyAny>, depth: usize, g: &mut Gathered) -> PyResult<()> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = t.borrow().tensor().clone();
        return gather_tensor(&t, depth, g);
    }
    if obj.hasattr("__array_interface__")? && !obj.is_instance_of::<PyList>() {
        let t = tensor_from_array(obj, true)?;
        return gather_tensor(&t, depth, g);
    }
    let scalar = match extract_scalar(obj) {
        Err(_) if obj.is_instance_of::<PyInt>() => {
            g.big_int = true;
            Some((Scalar::Float(obj.extract::<f64>()?), 1))
        }
        s => s?.map(|s| (s, s.category() as u8)),
    };
    if let Some((s, kind)) = scalar {
        if depth != g.shape.len() {
            // torch's wording for a scalar among sequences
            return Err(PyTypeError::new_err("not a sequence"));
        }
        g.kind = g.kind.max(kind);
        g.values.push(s);
        return Ok(());
    }
    if !is_sequence(obj) {
        let name = obj.get_type().name()?;
        if obj.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "new(): invalid data type '{name}'"
            )));
        }
        return Err(PyRuntimeError::new_err(format!(
            "Could not infer dtype of {name}"
        )));
    }
    let seq = obj.cast::<PySequence>()?;
    let n = seq.len()?;
    if depth == g.shape.len() {
        if !g.values.is_empty() {
            // torch's wording for a sequence among scalars
            return Err(PyTypeError::new_err(format!(
                "'{}' object cannot be interpreted as an integer",
                obj.get_type().name()?
            )));
        }
        g.shape.push(n);
    } else if g.shape[depth] != n {
        return Err(PyValueError::new_err(format!(
            "expected sequence of length {} at dim {} (got {})",
            g.shape[depth], depth, n
        )));
    }
    for item in seq.try_iter()? {
        gather(&item?, depth + 1, g)?;
    }
    Ok(())
}

fn gather_tensor(t: &Tensor, depth: usize, g: &mut Gathered) -> PyResult<()> {
    // A tensor inside a list contributes its shape below `depth`.
    if depth == g.shape.len() && g.values.is_empty() {
        g.shape.extend_from_slice(t.shape());
    } else if g.shape.len() < depth + t.ndim() || g.shape[depth..depth + t.ndim()] != *t.shape() {
        return Err(PyValueError::new_err(format!(
            "expected sequence of shape {:?} at dim {depth}",
            &g.shape[depth..]
        )));
    }
    let d = t.dtype();
    g.kind = g.kind.max(d.category() as u8);
    g.inner_dtype = Some(g.inner_dtype.map_or(d, |x| x.max(d)));
    match d {
        DType::Bool => g
            .values
            .extend(t.to_vec::<u8>().into_iter().map(|v| Scalar::Bool(v != 0))),
        d if d.is_float() => g
            .values
            .extend(t.to_vec::<f64>().into_iter().map(Scalar::Float)),
        _ => g
            .values
            .extend(t.to_vec::<i64>().into_iter().map(Scalar::Int)),
    }
    Ok(())
}

/// `rustgrad.tensor(data)`: a new tensor holding a copy of `data`, with torch's dtype inference.
pub fn tensor_from_data(data: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    if let Ok(t) = data.cast::<PyTensor>() {
        let t = t.borrow().tensor().clone();
        return Ok(t.cast_copy(dtype.unwrap_or(t.dtype()))?);
    }
    if data.hasattr("__array_interface__")? && !is_plain_sequence(data) {
        let t = tensor_from_array(data, true)?;
        return Ok(t.cast_copy(dtype.unwrap_or(t.dtype()))?);
    }
    let mut g = Gathered {
        shape: vec![],
        values: vec![],
        kind: 0,
        inner_dtype: None,
        big_int: false,
    };
    gather(data, 0, &mut g)?;
    let inferred = match (g.kind, g.inner_dtype) {
        (k, Some(d)) if d.category() as u8 == k => d,
        // no values at all (`tensor([])`): the default float dtype
        (0, None) if g.values.is_empty() => default_float(),
        (0, _) => DType::Bool,
        (1, _) => DType::I64,
        _ => default_float(),
    };
    let dtype = dtype.unwrap_or(inferred);
    if g.big_int && !dtype.is_float() {
        return Err(PyValueError::new_err("Overflow when unpacking long long"));
    }
    Ok(tensor_from_scalars(&g.values, &g.shape, dtype)?)
}

fn is_plain_sequence(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()
}

/// A tensor of `dtype` holding `values` (row-major) of `shape`.
pub fn tensor_from_scalars(
    values: &[Scalar],
    shape: &[usize],
    dtype: DType,
) -> crate::Result<Tensor> {
    if dtype.is_float() {
        let v: Vec<f64> = values.iter().map(|s| s.as_f64()).collect();
        Tensor::from_vec(&v, shape, DType::F64)?.to_dtype(dtype)
    } else if dtype == DType::Bool {
        let v: Vec<u8> = values.iter().map(|s| (s.as_f64() != 0.0) as u8).collect();
        Tensor::from_vec(&v, shape, DType::Bool)
    } else {
        let v: Vec<i64> = values.iter().map(|s| s.as_i64()).collect();
        Tensor::from_vec(&v, shape, DType::I64)?.to_dtype(dtype)
    }
}

/// Nested Python lists of a tensor's values (`Tensor.tolist()`).
pub fn tensor_to_list(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    fn build<T: Copy>(
        py: Python<'_>,
        shape: &[usize],
        vals: &[T],
        conv: &dyn Fn(Python<'_>, T) -> PyResult<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        if shape.is_empty() {
            return conv(py, vals[0]);
        }
        let step = shape[1..].iter().product::<usize>();
        let items: PyResult<Vec<Py<PyAny>>> = (0..shape[0])
            .map(|i| build(py, &shape[1..], &vals[i * step..], conv))
            .collect();
        Ok(PyList::new(py, items?)?.into_any().unbind())
    }
    let shape = t.shape();
    if t.numel() == 0 && !shape.is_empty() {
        // Lists of empty lists down to the first zero-sized dimension.
        let z = shape.iter().position(|&d| d == 0).unwrap_or(0);
        fn empty(py: Python<'_>, shape: &[usize], z: usize) -> PyResult<Py<PyAny>> {
            if z == 0 {
                return Ok(PyList::empty(py).into_any().unbind());
            }
            let items: PyResult<Vec<Py<PyAny>>> = (0..shape[0])
                .map(|_| empty(py, &shape[1..], z - 1))
                .collect();
            Ok(PyList::new(py, items?)?.into_any().unbind())
        }
        return empty(py, shape, z);
    }
    match t.dtype() {
        DType::Bool => build(py, shape, &t.to_vec::<u8>(), &|py, v| {
            scalar_to_py(py, Scalar::Bool(v != 0))
        }),
        d if d.is_float() => build(py, shape, &t.to_vec::<f64>(), &|py, v| {
            scalar_to_py(py, Scalar::Float(v))
        }),
        _ => build(py, shape, &t.to_vec::<i64>(), &|py, v| {
            scalar_to_py(py, Scalar::Int(v))
        }),
    }
}

/// Reads sizes given as varargs (`zeros(2, 3)`) or one sequence (`zeros((2, 3))`, `zeros([6])`).
pub fn parse_shape(args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    if args.len() == 1 {
        let first = args.get_item(0)?;
        if is_sequence(&first) && first.cast::<PyTensor>().is_err() {
            return shape_from_sequence(&first);
        }
    }
    shape_from_sequence(args.as_any())
}

/// Reads a sequence of sizes, rejecting negative ones as torch does.
pub fn shape_from_sequence(obj: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
    let mut dims = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        let d: i64 = item.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "expected a sequence of integers or a single integer, but got an element of type '{}'",
                item.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        dims.push(d);
    }
    if let Some(&neg) = dims.iter().find(|&&d| d < 0) {
        return Err(PyRuntimeError::new_err(format!(
            "Trying to create tensor with negative dimension {neg}: {dims:?}"
        )));
    }
    Ok(dims.into_iter().map(|d| d as usize).collect())
}

/// Reads dimensions given as varargs or one sequence (`permute(1, 0)`, `permute((1, 0))`).
pub fn parse_dims(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    let seq = if args.len() == 1 && is_sequence(&args.get_item(0)?) {
        args.get_item(0)?
    } else {
        args.clone().into_any()
    };
    seq.try_iter()?.map(|d| d?.extract::<i64>()).collect()
}
