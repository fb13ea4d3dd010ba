//! Module-level factories: `tensor`, `zeros`, `arange`, `randn`, ...

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::dtype::{default_float, DType, Scalar};
use crate::ops::creation;
use crate::python::convert::{extract_scalar, parse_shape, shape_from_sequence, tensor_from_data};
use crate::python::dtype::{dtype_object, extract_dtype, extract_opt_dtype, PyDType};
use crate::python::interop;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

/// Shape from `*size` varargs or the `size=` keyword.
fn size_arg(args: &Bound<'_, PyTuple>, size: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<usize>> {
    match size {
        Some(s) if !s.is_none() => {
            if !args.is_empty() {
                return Err(PyTypeError::new_err(
                    "size given both positionally and as a keyword",
                ));
            }
            if s.extract::<i64>().is_ok() {
                return shape_from_sequence(&PyTuple::new(s.py(), [s])?.into_any());
            }
            shape_from_sequence(s)
        }
        _ => parse_shape(args),
    }
}

/// Wraps a new tensor, applying `requires_grad`.
fn finish(py: Python<'_>, t: Tensor, requires_grad: bool) -> PyResult<Py<PyAny>> {
    let obj = Bound::new(py, PyTensor::new(t))?;
    if requires_grad {
        obj.call_method1("requires_grad_", (true,))?;
    }
    Ok(obj.into_any().unbind())
}

fn scalar_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Scalar> {
    extract_scalar(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{name} must be a number, not {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })
}

#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false))]
pub fn tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    let t = tensor_from_data(data, extract_opt_dtype(dtype)?)?;
    finish(py, t, requires_grad)
}

#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    let dtype = extract_opt_dtype(dtype)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        let inner = t.borrow().tensor().clone();
        if dtype.is_none_or(|d| d == inner.dtype()) {
            return Ok(t.clone().into_any().unbind());
        }
        return finish(py, inner.cast_copy(dtype.unwrap_or(inner.dtype()))?, false);
    }
    let np = interop::numpy(py).ok();
    if let Some(np) = np {
        if data.is_instance(&np.getattr("ndarray")?)? {
            let t = interop::tensor_from_array(data, false)?;
            let t = match dtype {
                Some(d) if d != t.dtype() => t.cast_copy(d)?,
                _ => t,
            };
            return finish(py, t, false);
        }
    }
    finish(py, tensor_from_data(data, dtype)?, false)
}

#[pyfunction]
pub fn from_numpy(py: Python<'_>, ndarray: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    finish(py, interop::from_numpy(ndarray)?, false)
}

/// Defines a factory `name(*size, <ignored keywords>=None, dtype=None, device=None,
/// requires_grad=False, size=None)` returning `make(shape, dtype)`, the dtype defaulting to
/// `get_default_dtype()`. The ignored keywords are torch's (`out`, `layout`, `generator`) that
/// have one possible value here.
macro_rules! sized_factory {
    ($(#[$doc:meta])* $name:ident($($ignored:ident),*) => $make:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (*args, $($ignored=None,)* dtype=None, device=None, requires_grad=false, size=None))]
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            py: Python<'_>,
            args: &Bound<'_, PyTuple>,
            $($ignored: Option<&Bound<'_, PyAny>>,)*
            dtype: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
            size: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<Py<PyAny>> {
            let _ = ($($ignored,)* device);
            let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_float);
            let make: fn(&[usize], DType) -> crate::error::Result<Tensor> = $make;
            finish(py, make(&size_arg(args, size)?, dtype)?, requires_grad)
        }
    };
}

sized_factory!(
    /// Zeros of the given shape (`zeros(2, 3)` or `zeros((2, 3))`).
    zeros(out, layout) => |shape, dtype| creation::full(shape, Scalar::Int(0), dtype)
);
sized_factory!(
    /// Ones of the given shape.
    ones(out, layout) => |shape, dtype| creation::full(shape, Scalar::Int(1), dtype)
);
sized_factory!(
    /// `empty` returns zeros: fresh memory is zeroed anyway (calloc), so this costs nothing extra.
    empty(out, layout) => |shape, dtype| creation::full(shape, Scalar::Int(0), dtype)
);
sized_factory!(
    /// Standard normal draws of the given shape.
    randn(generator) => |shape, dtype| creation::randn(shape, 0.0, 1.0, dtype)
);
sized_factory!(
    /// Uniform draws from [0, 1) of the given shape.
    rand(generator) => |shape, dtype| creation::rand(shape, 0.0, 1.0, dtype)
);

#[pyfunction]
#[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full(
    py: Python<'_>,
    size: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    let v = scalar_arg(fill_value, "fill_value")?;
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(|| v.default_dtype(default_float()));
    finish(
        py,
        creation::full(&shape_from_sequence(size)?, v, dtype)?,
        requires_grad,
    )
}

fn like(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    value: Scalar,
    dtype: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let t = input.cast::<PyTensor>()?.borrow().tensor().clone();
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(t.dtype());
    let out = creation::full(t.shape(), value, dtype)?.relaid_uniform(t.dense_strides());
    finish(py, out, requires_grad)
}

/// Defines `name(input, *, dtype=None, device=None, requires_grad=False)`: a tensor of
/// `input`'s shape (and dtype, by default) filled with `value`.
macro_rules! like_factory {
    ($(#[$doc:meta])* $name:ident => $value:expr) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
        pub fn $name(
            py: Python<'_>,
            input: &Bound<'_, PyAny>,
            dtype: Option<&Bound<'_, PyAny>>,
            device: Option<&Bound<'_, PyAny>>,
            requires_grad: bool,
        ) -> PyResult<Py<PyAny>> {
            let _ = device;
            like(py, input, $value, dtype, requires_grad)
        }
    };
}

like_factory!(
    /// Zeros of `input`'s shape and dtype.
    zeros_like => Scalar::Int(0)
);
like_factory!(
    /// Ones of `input`'s shape and dtype.
    ones_like => Scalar::Int(1)
);
like_factory!(
    /// Zeros, as `empty`.
    empty_like => Scalar::Int(0)
);

#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full_like(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    like(
        py,
        input,
        scalar_arg(fill_value, "fill_value")?,
        dtype,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (*args, dtype=None, device=None, requires_grad=false, start=None, end=None, step=None))]
#[allow(clippy::too_many_arguments)]
pub fn arange(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    start: Option<&Bound<'_, PyAny>>,
    end: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    let vals: Vec<Scalar> = args
        .iter()
        .map(|a| scalar_arg(&a, "arange() argument"))
        .collect::<PyResult<_>>()?;
    let kw =
        |o: Option<&Bound<'_, PyAny>>| o.map(|v| scalar_arg(v, "arange() argument")).transpose();
    let (kstart, kend, kstep) = (kw(start)?, kw(end)?, kw(step)?);
    let (s, e, st) = match vals.as_slice() {
        [] => (
            kstart.unwrap_or(Scalar::Int(0)),
            kend.ok_or_else(|| PyTypeError::new_err("arange() missing 'end'"))?,
            kstep.unwrap_or(Scalar::Int(1)),
        ),
        [e] => (
            kstart.unwrap_or(Scalar::Int(0)),
            *e,
            kstep.unwrap_or(Scalar::Int(1)),
        ),
        [s, e] => (*s, *e, kstep.unwrap_or(Scalar::Int(1))),
        [s, e, st] => (*s, *e, *st),
        _ => {
            return Err(PyTypeError::new_err(
                "arange() takes at most 3 positional arguments",
            ))
        }
    };
    finish(
        py,
        creation::arange(s, e, st, extract_opt_dtype(dtype)?)?,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (start, end, steps, *, dtype=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn linspace(
    py: Python<'_>,
    start: f64,
    end: f64,
    steps: i64,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    finish(
        py,
        creation::linspace(start, end, steps, extract_opt_dtype(dtype)?)?,
        requires_grad,
    )
}

#[pyfunction]
#[pyo3(signature = (n, m=None, *, dtype=None, device=None, requires_grad=false))]
pub fn eye(
    py: Python<'_>,
    n: i64,
    m: Option<i64>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = device;
    let m = m.unwrap_or(n);
    if n < 0 || m < 0 {
        return Err(PyRuntimeError::new_err(format!(
            "n must be greater or equal to 0, got {}",
            n.min(m)
        )));
    }
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_float);
    finish(
        py,
        creation::eye(n as usize, m as usize, dtype)?,
        requires_grad,
    )
}

/// `randint(high, size)` or `randint(low, high, size)`.
#[pyfunction]
#[pyo3(signature = (*args, size=None, generator=None, dtype=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn randint(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (generator, device);
    let items: Vec<Bound<'_, PyAny>> = args.iter().collect();
    let (low, high, shape_obj) = match (items.as_slice(), size) {
        ([h], Some(s)) => (0, h.extract::<i64>()?, s.clone()),
        ([l, h], Some(s)) => (l.extract::<i64>()?, h.extract::<i64>()?, s.clone()),
        ([h, s], None) => (0, h.extract::<i64>()?, s.clone()),
        ([l, h, s], None) => (l.extract::<i64>()?, h.extract::<i64>()?, s.clone()),
        _ => {
            return Err(PyTypeError::new_err(
                "randint(low=0, high, size): expected high and size",
            ))
        }
    };
    let dtype = extract_opt_dtype(dtype)?.unwrap_or(DType::I64);
    finish(
        py,
        creation::randint(low, high, &shape_from_sequence(&shape_obj)?, dtype)?,
        requires_grad,
    )
}

/// `normal(mean, std, size)` with float mean and std.
#[pyfunction]
#[pyo3(signature = (mean, std, size=None, *, generator=None, dtype=None, device=None, requires_grad=false))]
#[allow(clippy::too_many_arguments)]
pub fn normal(
    py: Python<'_>,
    mean: &Bound<'_, PyAny>,
    std: &Bound<'_, PyAny>,
    size: Option<&Bound<'_, PyAny>>,
    generator: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyAny>> {
    let _ = (generator, device);
    let dtype = extract_opt_dtype(dtype)?.unwrap_or_else(default_float);
    let mean_t = mean
        .cast::<PyTensor>()
        .ok()
        .map(|t| t.borrow().tensor().clone());
    let std_t = std
        .cast::<PyTensor>()
        .ok()
        .map(|t| t.borrow().tensor().clone());
    if mean_t.is_some() || std_t.is_some() {
        // Tensor mean and/or std: draws of the broadcast shape, mean + std * z.
        use crate::ops::elementwise::{binary, Arg, BinaryOp};
        let m = mean_t.map_or_else(
            || Ok::<_, PyErr>(Tensor::scalar(scalar_arg(mean, "mean")?, dtype)?),
            Ok,
        )?;
        let s = std_t.map_or_else(
            || Ok::<_, PyErr>(Tensor::scalar(scalar_arg(std, "std")?, dtype)?),
            Ok,
        )?;
        let shape = crate::layout::broadcast_shapes(m.shape(), s.shape())?;
        let z = creation::randn(&shape, 0.0, 1.0, m.dtype().max(s.dtype()).max(DType::F32))?;
        let t = binary(
            BinaryOp::Add,
            Arg::T(&m),
            Arg::T(&binary(BinaryOp::Mul, Arg::T(&s), Arg::T(&z))?),
        )?;
        return finish(py, t, requires_grad);
    }
    let (m, s) = (
        scalar_arg(mean, "mean")?.as_f64(),
        scalar_arg(std, "std")?.as_f64(),
    );
    if s < 0.0 {
        return Err(PyRuntimeError::new_err(format!(
            "normal expects std >= 0.0, but found std {s}"
        )));
    }
    let size =
        size.ok_or_else(|| PyTypeError::new_err("normal() missing required argument 'size'"))?;
    finish(
        py,
        creation::randn(&shape_from_sequence(size)?, m, s, dtype)?,
        requires_grad,
    )
}

#[pyfunction]
pub fn manual_seed(seed: i64) {
    crate::random::manual_seed(seed as u64);
}

#[pyfunction]
pub fn initial_seed() -> u64 {
    crate::random::initial_seed()
}

#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> Bound<'_, PyDType> {
    dtype_object(py, default_float())
}

#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    Ok(crate::dtype::set_default_float(extract_dtype(d)?)?)
}

#[pyfunction]
pub fn set_num_threads(n: i64) -> PyResult<()> {
    if n < 1 {
        return Err(PyRuntimeError::new_err(
            "set_num_threads expects a positive integer",
        ));
    }
    crate::kernels::parallel::set_num_threads(n as usize);
    Ok(())
}

#[pyfunction]
pub fn get_num_threads() -> usize {
    crate::kernels::parallel::num_threads()
}

/// The dtype promotion of two operands (`torch.result_type`).
#[pyfunction]
pub fn result_type<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDType>> {
    use crate::python::arith::require_operand;
    let (oa, ob) = (
        require_operand(a, "result_type")?,
        require_operand(b, "result_type")?,
    );
    Ok(dtype_object(
        py,
        crate::ops::elementwise::binary_result_type(oa.arg(), ob.arg()),
    ))
}
