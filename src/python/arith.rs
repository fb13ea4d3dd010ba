//! Arithmetic, comparison and elementwise math on `rustgrad.Tensor`: Python operators and their
//! method forms. Every method is a thin wrapper over `crate::ops::elementwise`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

use crate::dtype::Scalar;
use crate::kernels::parallel::PARALLEL_THRESHOLD;
use crate::ops::elementwise::{
    binary, binary_inplace, clamp, unary, unary_inplace, where_, Arg, BinaryOp, UnaryOp,
};
use crate::python::convert::extract_scalar;
use crate::python::interop::tensor_from_array;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

/// The other operand of a binary op.
pub enum Operand {
    T(Tensor),
    S(Scalar),
}

impl Operand {
    pub fn arg(&self) -> Arg<'_> {
        match self {
            Operand::T(t) => Arg::T(t),
            Operand::S(s) => Arg::S(*s),
        }
    }
}

/// Reads a tensor, a Python number or an ndarray; `None` for anything else (the operator then
/// returns `NotImplemented`).
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Option<Operand>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Operand::T(t.borrow().t.clone())));
    }
    if let Some(s) = extract_scalar(obj)? {
        return Ok(Some(Operand::S(s)));
    }
    if obj.hasattr("__array_interface__")? {
        return Ok(Some(Operand::T(tensor_from_array(obj, true)?)));
    }
    Ok(None)
}

/// Like [`operand`], but a TypeError for other types (for method forms such as `x.add(y)`).
pub fn require_operand(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Operand> {
    operand(obj)?.ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{what}(): argument 'other' must be Tensor or Number, not {}",
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })
}

/// Runs `f` without the GIL when the work is large enough to be worth it. Kernels running
/// detached only read shared storages (holding their read locks) and write fresh tensors.
pub fn compute<R: Send>(py: Python<'_>, inputs: &[&Tensor], f: impl FnOnce() -> R + Send) -> R {
    let work = inputs.iter().map(|t| t.numel()).max().unwrap_or(0);
    if work < PARALLEL_THRESHOLD {
        return f();
    }
    let storages: Vec<_> = inputs.iter().map(|t| t.storage().clone()).collect();
    py.detach(move || {
        let _guards: Vec<_> = storages.iter().map(|s| s.lock().read()).collect();
        f()
    })
}

fn new_obj(py: Python<'_>, t: Tensor) -> PyResult<Py<PyAny>> {
    Ok(Bound::new(py, PyTensor::new(t))?.into_any().unbind())
}

/// `a op b` (or `b op a` when `reflected`), or `NotImplemented` for an unknown operand.
fn binary_dunder(
    slf: &Bound<'_, PyTensor>,
    other: &Bound<'_, PyAny>,
    op: BinaryOp,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let Some(o) = operand(other)? else {
        return Ok(py.NotImplemented());
    };
    let a = slf.borrow().t.clone();
    let out = run_binary(py, op, &a, &o, reflected)?;
    new_obj(py, out)
}

pub fn run_binary(
    py: Python<'_>,
    op: BinaryOp,
    a: &Tensor,
    o: &Operand,
    reflected: bool,
) -> PyResult<Tensor> {
    let inputs: Vec<&Tensor> = match o {
        Operand::T(t) => vec![a, t],
        Operand::S(_) => vec![a],
    };
    let (x, y) = if reflected {
        (o.arg(), Arg::T(a))
    } else {
        (Arg::T(a), o.arg())
    };
    Ok(compute(py, &inputs, || binary(op, x, y))?)
}

fn inplace(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<()> {
    let Some(o) = operand(other)? else {
        return Err(PyTypeError::new_err(format!(
            "unsupported operand type for in-place op: '{}'",
            other.get_type().name()?
        )));
    };
    let a = slf.borrow().t.clone();
    let _guard = a.storage().lock().write();
    binary_inplace(op, &a, o.arg())?;
    Ok(())
}

fn scaled(
    py: Python<'_>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Operand> {
    let o = require_operand(other, what)?;
    match alpha {
        None => Ok(o),
        Some(a) => {
            let s =
                extract_scalar(a)?.ok_or_else(|| PyTypeError::new_err("alpha must be a number"))?;
            let scaled = run_binary(
                py,
                BinaryOp::Mul,
                &scalar_tensor_like(&o)?,
                &Operand::S(s),
                false,
            )?;
            Ok(Operand::T(scaled))
        }
    }
}

fn scalar_tensor_like(o: &Operand) -> PyResult<Tensor> {
    Ok(match o {
        Operand::T(t) => t.clone(),
        Operand::S(s) => Tensor::scalar(*s, s.default_dtype(crate::dtype::default_float()))?,
    })
}

macro_rules! unary_methods {
    ($($name:ident, $inplace:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "`.")]
                fn $name(&self, py: Python<'_>) -> PyResult<PyTensor> {
                    let t = &self.t;
                    Ok(PyTensor::new(compute(py, &[t], || unary(UnaryOp::$op, t))?))
                }

                #[doc = concat!("In-place `", stringify!($name), "`; returns self.")]
                fn $inplace(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                    let t = slf.borrow().t.clone();
                    let _guard = t.storage().lock().write();
                    unary_inplace(UnaryOp::$op, &t)?;
                    Ok(slf.clone().into_any().unbind())
                }
            )*
        }
    };
}

unary_methods! {
    neg, neg_ => Neg;
    abs, abs_ => Abs;
    sign, sign_ => Sign;
    relu, relu_ => Relu;
    floor, floor_ => Floor;
    ceil, ceil_ => Ceil;
    round, round_ => Round;
    trunc, trunc_ => Trunc;
    exp, exp_ => Exp;
    log, log_ => Log;
    log2, log2_ => Log2;
    log10, log10_ => Log10;
    log1p, log1p_ => Log1p;
    expm1, expm1_ => Expm1;
    sqrt, sqrt_ => Sqrt;
    rsqrt, rsqrt_ => Rsqrt;
    sin, sin_ => Sin;
    cos, cos_ => Cos;
    tan, tan_ => Tan;
    tanh, tanh_ => Tanh;
    sigmoid, sigmoid_ => Sigmoid;
    reciprocal, reciprocal_ => Reciprocal;
    bitwise_not, bitwise_not_ => BitNot;
}

macro_rules! binary_methods {
    ($($name:ident, $inplace:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "` with broadcasting.")]
                fn $name(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
                    let o = require_operand(other, stringify!($name))?;
                    Ok(PyTensor::new(run_binary(py, BinaryOp::$op, &self.t, &o, false)?))
                }

                #[doc = concat!("In-place `", stringify!($name), "`; returns self.")]
                fn $inplace(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
                    inplace(slf, other, BinaryOp::$op)?;
                    Ok(slf.clone().into_any().unbind())
                }
            )*
        }
    };
}

binary_methods! {
    multiply, multiply_ => Mul;
    true_divide, true_divide_ => Div;
    floor_divide, floor_divide_ => FloorDiv;
    remainder, remainder_ => Rem;
    pow, pow_ => Pow;
    maximum, maximum_ => Maximum;
    minimum, minimum_ => Minimum;
    eq, eq_ => Eq;
    ne, ne_ => Ne;
    lt, lt_ => Lt;
    le, le_ => Le;
    gt, gt_ => Gt;
    ge, ge_ => Ge;
    bitwise_and, bitwise_and_ => BitAnd;
    bitwise_or, bitwise_or_ => BitOr;
    bitwise_xor, bitwise_xor_ => BitXor;
}

#[pymethods]
impl PyTensor {
    fn __add__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Add, false)
    }
    fn __radd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Add, true)
    }
    fn __sub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Sub, false)
    }
    fn __rsub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Sub, true)
    }
    fn __mul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Mul, false)
    }
    fn __rmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Mul, true)
    }
    fn __truediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Div, false)
    }
    fn __rtruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Div, true)
    }
    fn __floordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::FloorDiv, false)
    }
    fn __rfloordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::FloorDiv, true)
    }
    fn __mod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Rem, false)
    }
    fn __rmod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Rem, true)
    }
    fn __pow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Pow, false)
    }
    fn __rpow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::Pow, true)
    }
    fn __and__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::BitAnd, false)
    }
    fn __rand__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::BitAnd, true)
    }
    fn __or__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::BitOr, false)
    }
    fn __ror__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::BitOr, true)
    }
    fn __xor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::BitXor, false)
    }
    fn __rxor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        binary_dunder(slf, other, BinaryOp::BitXor, true)
    }

    fn __iadd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Add)
    }
    fn __isub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Sub)
    }
    fn __imul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Mul)
    }
    fn __itruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Div)
    }
    fn __ifloordiv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::FloorDiv)
    }
    fn __imod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Rem)
    }
    fn __ipow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Pow)
    }
    fn __iand__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitAnd)
    }
    fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitOr)
    }
    fn __ixor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitXor)
    }

    fn __neg__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        self.neg(py)
    }
    fn __pos__(slf: &Bound<'_, Self>) -> Py<PyAny> {
        slf.clone().into_any().unbind()
    }
    fn __abs__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        self.abs(py)
    }
    fn __invert__(&self, py: Python<'_>) -> PyResult<PyTensor> {
        self.bitwise_not(py)
    }

    fn __richcmp__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        op: CompareOp,
    ) -> PyResult<Py<PyAny>> {
        let op = match op {
            CompareOp::Eq => BinaryOp::Eq,
            CompareOp::Ne => BinaryOp::Ne,
            CompareOp::Lt => BinaryOp::Lt,
            CompareOp::Le => BinaryOp::Le,
            CompareOp::Gt => BinaryOp::Gt,
            CompareOp::Ge => BinaryOp::Ge,
        };
        binary_dunder(slf, other, op, false)
    }

    /// `self + alpha * other`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn add(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let o = scaled(py, other, alpha, "add")?;
        Ok(PyTensor::new(run_binary(
            py,
            BinaryOp::Add,
            &self.t,
            &o,
            false,
        )?))
    }

    /// In place `self += alpha * other`; returns self.
    #[pyo3(signature = (other, *, alpha=None))]
    fn add_(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let o = scaled(slf.py(), other, alpha, "add_")?;
        let a = slf.borrow().t.clone();
        let _guard = a.storage().lock().write();
        binary_inplace(BinaryOp::Add, &a, o.arg())?;
        Ok(slf.clone().into_any().unbind())
    }

    /// `self - alpha * other`.
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let o = scaled(py, other, alpha, "sub")?;
        Ok(PyTensor::new(run_binary(
            py,
            BinaryOp::Sub,
            &self.t,
            &o,
            false,
        )?))
    }

    /// In place `self -= alpha * other`; returns self.
    #[pyo3(signature = (other, *, alpha=None))]
    fn sub_(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        alpha: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let o = scaled(slf.py(), other, alpha, "sub_")?;
        let a = slf.borrow().t.clone();
        let _guard = a.storage().lock().write();
        binary_inplace(BinaryOp::Sub, &a, o.arg())?;
        Ok(slf.clone().into_any().unbind())
    }

    fn mul(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyTensor> {
        self.multiply(py, other)
    }
    fn mul_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, other, BinaryOp::Mul)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// `self / other`; `rounding_mode='floor'` or `'trunc'` rounds the quotient.
    #[pyo3(signature = (other, *, rounding_mode=None))]
    fn div(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        rounding_mode: Option<&str>,
    ) -> PyResult<PyTensor> {
        let o = require_operand(other, "div")?;
        let t = match rounding_mode {
            None => run_binary(py, BinaryOp::Div, &self.t, &o, false)?,
            Some("floor") => run_binary(py, BinaryOp::FloorDiv, &self.t, &o, false)?,
            Some("trunc") => {
                let q = run_binary(py, BinaryOp::Div, &self.t, &o, false)?;
                let q = unary(UnaryOp::Trunc, &q)?;
                let common = crate::ops::elementwise::binary_result_type(Arg::T(&self.t), o.arg());
                q.to_dtype(common)?
            }
            Some(m) => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
            )))
            }
        };
        Ok(PyTensor::new(t))
    }
    fn div_(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        inplace(slf, other, BinaryOp::Div)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// Values limited to `[min, max]` (either bound may be None).
    #[pyo3(signature = (min=None, max=None))]
    fn clamp(
        &self,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        let lo = min
            .filter(|m| !m.is_none())
            .map(|m| require_operand(m, "clamp"))
            .transpose()?;
        let hi = max
            .filter(|m| !m.is_none())
            .map(|m| require_operand(m, "clamp"))
            .transpose()?;
        Ok(PyTensor::new(clamp(
            &self.t,
            lo.as_ref().map(|o| o.arg()),
            hi.as_ref().map(|o| o.arg()),
        )?))
    }

    #[pyo3(signature = (min=None, max=None))]
    fn clip(
        &self,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyTensor> {
        self.clamp(min, max)
    }

    /// In-place clamp; returns self.
    #[pyo3(signature = (min=None, max=None))]
    fn clamp_(
        slf: &Bound<'_, Self>,
        min: Option<&Bound<'_, PyAny>>,
        max: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let out = slf.borrow().clamp(min, max)?;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        t.assign(&out.t)?;
        Ok(slf.clone().into_any().unbind())
    }

    /// Elements of self where `condition` holds, else of `other`.
    fn r#where(
        &self,
        condition: &Bound<'_, PyAny>,
        other: &Bound<'_, PyAny>,
    ) -> PyResult<PyTensor> {
        let c = condition.cast::<PyTensor>()?.borrow().t.clone();
        let o = require_operand(other, "where")?;
        Ok(PyTensor::new(where_(&c, Arg::T(&self.t), o.arg())?))
    }

    fn square(&self, py: Python<'_>) -> PyResult<PyTensor> {
        Ok(PyTensor::new(run_binary(
            py,
            BinaryOp::Mul,
            &self.t,
            &Operand::T(self.t.clone()),
            false,
        )?))
    }

    /// Sets every element to `value`; returns self.
    fn fill_(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let t = slf.borrow().t.clone();
        let v = match operand(value)? {
            Some(Operand::S(s)) => s,
            Some(Operand::T(v)) if v.ndim() == 0 => v.item()?,
            _ => {
                return Err(PyTypeError::new_err(
                    "fill_(): argument 'value' must be Number or a 0-dim Tensor",
                ))
            }
        };
        t.check_writable()?;
        let _guard = t.storage().lock().write();
        t.fill(v);
        Ok(slf.clone().into_any().unbind())
    }

    /// Sets every element to 0; returns self.
    fn zero_(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let t = slf.borrow().t.clone();
        t.check_writable()?;
        let _guard = t.storage().lock().write();
        t.fill(Scalar::Int(0));
        Ok(slf.clone().into_any().unbind())
    }

    /// Copies `src` into self with broadcasting and dtype conversion; returns self.
    #[pyo3(signature = (src, non_blocking=false))]
    fn copy_(
        slf: &Bound<'_, Self>,
        src: &Bound<'_, PyAny>,
        non_blocking: bool,
    ) -> PyResult<Py<PyAny>> {
        let _ = non_blocking;
        let s = match require_operand(src, "copy_")? {
            Operand::T(t) => t,
            Operand::S(s) => Tensor::scalar(s, s.default_dtype(crate::dtype::default_float()))?,
        };
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        t.assign(&s)?;
        Ok(slf.clone().into_any().unbind())
    }
}
