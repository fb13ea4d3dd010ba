//! Arithmetic, comparison and elementwise math on `rustgrad.Tensor`: Python operators and their
//! method forms, thin wrappers over the differentiable ops of `crate::autograd::ops::elementwise`.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;

use crate::autograd::ops::elementwise::{
    binary_op, clamp_op, unary_op, where_op, Operand as AgOperand,
};
use crate::autograd::{check_inplace, is_grad_enabled, Var, V};
use crate::dtype::{default_float, Scalar};
use crate::kernels::parallel::PARALLEL_THRESHOLD;
use crate::ops::elementwise::{
    add_scaled_inplace, binary_inplace, unary, unary_inplace, Arg, BinaryOp, UnaryOp,
};
use crate::python::convert::extract_scalar;
use crate::python::interop::tensor_from_array;
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;

/// The other operand of a binary op: a tensor (with its autograd state) or a Python number.
pub enum Operand {
    T(Var),
    S(Scalar),
}

impl Operand {
    pub fn arg(&self) -> Arg<'_> {
        match self {
            Operand::T(v) => Arg::T(&v.t),
            Operand::S(s) => Arg::S(*s),
        }
    }

    pub fn ag(&self) -> AgOperand<'_> {
        match self {
            Operand::T(v) => AgOperand::T(v.v()),
            Operand::S(s) => AgOperand::S(*s),
        }
    }

    /// The operand as a tensor (a scalar becomes a 0-d tensor of its default dtype).
    pub fn into_tensor(self) -> crate::Result<Tensor> {
        match self {
            Operand::T(v) => Ok(v.t),
            Operand::S(s) => Tensor::scalar(s, s.default_dtype(default_float())),
        }
    }
}

/// Reads a tensor, a Python number or an ndarray; `None` for anything else (the operator then
/// returns `NotImplemented`).
pub fn operand(obj: &Bound<'_, PyAny>) -> PyResult<Option<Operand>> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(Some(Operand::T(t.borrow().to_var())));
    }
    if let Some(s) = extract_scalar(obj)? {
        return Ok(Some(Operand::S(s)));
    }
    if obj.hasattr("__array_interface__")? {
        return Ok(Some(Operand::T(Var::plain(tensor_from_array(obj, true)?))));
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
    if work_of(inputs) < PARALLEL_THRESHOLD {
        return f();
    }
    let storages: Vec<_> = inputs.iter().map(|t| t.storage().clone()).collect();
    py.detach(move || {
        // Recursive: two inputs may share a storage, and a plain second read would wait behind
        // a writer queued after the first one (which waits for us: a deadlock).
        let _guards: Vec<_> = storages.iter().map(|s| s.lock().read_recursive()).collect();
        f()
    })
}

/// A size for the work on `inputs`: the largest input, or the shape they broadcast to when that
/// is larger (`(n, 1) + (1, n)` writes n² elements from 2n).
fn work_of(inputs: &[&Tensor]) -> usize {
    let largest = inputs.iter().map(|t| t.numel()).max().unwrap_or(0);
    let ndim = inputs.iter().map(|t| t.ndim()).max().unwrap_or(0);
    let broadcast = (0..ndim)
        .map(|i| {
            inputs
                .iter()
                .filter_map(|t| (t.ndim() + i).checked_sub(ndim).map(|j| t.shape()[j]))
                .max()
                .unwrap_or(1)
        })
        .fold(1usize, usize::saturating_mul);
    largest.max(broadcast)
}

fn new_obj(py: Python<'_>, v: Var) -> PyResult<Py<PyAny>> {
    Ok(Bound::new(py, PyTensor::from_var(v))?.into_any().unbind())
}

/// `a op b` (or `b op a` when `reflected`), recorded for autograd.
pub fn run_binary(
    py: Python<'_>,
    op: BinaryOp,
    a: &Var,
    o: &Operand,
    reflected: bool,
) -> PyResult<Var> {
    let first = &a.t;
    let both;
    let inputs: &[&Tensor] = match o {
        Operand::T(v) => {
            both = [first, &v.t];
            &both
        }
        Operand::S(_) => std::slice::from_ref(&first),
    };
    Ok(compute(py, inputs, || {
        binary_op(op, a.v(), o.ag(), reflected)
    })?)
}

/// The operator form: `NotImplemented` for an unknown operand.
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
    let a = slf.borrow().to_var();
    new_obj(py, run_binary(py, op, &a, &o, reflected)?)
}

/// `self op= other`: keeps the object and its storage. When autograd records, the result is
/// computed from a snapshot of the old value and written back, and `self` takes the new node.
pub fn inplace_binary(slf: &Bound<'_, PyTensor>, o: &Operand, op: BinaryOp) -> PyResult<()> {
    let a = slf.borrow().to_var();
    check_inplace(&a.g)?;
    let o_grad = matches!(o, Operand::T(v) if v.g.requires_grad());
    if is_grad_enabled() && (a.g.requires_grad() || o_grad) {
        let snapshot = a.t.deep_clone()?;
        let out = binary_op(
            op,
            V {
                t: &snapshot,
                g: &a.g,
            },
            o.ag(),
            false,
        )?;
        if !a.t.dtype().can_hold(out.t.dtype()) {
            return Err(PyRuntimeError::new_err(format!(
                "result type {} can't be cast to the desired output type {}",
                out.t.dtype().torch_name(),
                a.t.dtype().torch_name()
            )));
        }
        let _guard = a.t.storage().lock().write();
        a.t.assign(&out.t)?;
        slf.borrow_mut().set_grad_state(out.g);
        return Ok(());
    }
    let _guard = a.t.storage().lock().write();
    binary_inplace(op, &a.t, o.arg())?;
    Ok(())
}

fn inplace(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: BinaryOp) -> PyResult<()> {
    let Some(o) = operand(other)? else {
        return Err(PyTypeError::new_err(format!(
            "unsupported operand type for in-place op: '{}'",
            other.get_type().name()?
        )));
    };
    inplace_binary(slf, &o, op)
}

/// `self += sign * alpha * other` in one pass when `alpha` is given, `other` is a tensor and
/// no gradient is recorded (the optimizers' updates); false when the general path must run.
fn add_scaled_fast(
    slf: &Bound<'_, PyTensor>,
    other: &Bound<'_, PyAny>,
    alpha: Option<&Bound<'_, PyAny>>,
    sign: f64,
) -> PyResult<bool> {
    let (Some(alpha), Ok(other)) = (alpha, other.cast::<PyTensor>()) else {
        return Ok(false);
    };
    let Some(s) = extract_scalar(alpha)? else {
        return Ok(false);
    };
    let a = slf.borrow().to_var();
    let o = other.borrow().to_var();
    if is_grad_enabled() && (a.g.requires_grad() || o.g.requires_grad()) {
        return Ok(false);
    }
    check_inplace(&a.g)?;
    let _guard = a.t.storage().lock().write();
    Ok(add_scaled_inplace(&a.t, &o.t, sign * s.as_f64())?)
}

/// `alpha * other` for `add(other, alpha=...)`.
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
            match o {
                Operand::S(x) => Ok(Operand::S(Scalar::Float(x.as_f64() * s.as_f64()))),
                Operand::T(v) => Ok(Operand::T(run_binary(
                    py,
                    BinaryOp::Mul,
                    &v,
                    &Operand::S(s),
                    false,
                )?)),
            }
        }
    }
}

fn unary_inplace_method(slf: &Bound<'_, PyTensor>, op: UnaryOp) -> PyResult<Py<PyAny>> {
    let a = slf.borrow().to_var();
    check_inplace(&a.g)?;
    if is_grad_enabled() && a.g.requires_grad() {
        let snapshot = a.t.deep_clone()?;
        let out = unary_op(
            op,
            V {
                t: &snapshot,
                g: &a.g,
            },
        )?;
        let _guard = a.t.storage().lock().write();
        a.t.assign(&out.t)?;
        slf.borrow_mut().set_grad_state(out.g);
    } else {
        let _guard = a.t.storage().lock().write();
        unary_inplace(op, &a.t)?;
    }
    Ok(slf.clone().into_any().unbind())
}

macro_rules! unary_methods {
    ($($name:ident, $inplace:ident => $op:ident;)*) => {
        #[pymethods]
        impl PyTensor {
            $(
                #[doc = concat!("Elementwise `", stringify!($name), "`.")]
                fn $name(&self, py: Python<'_>) -> PyResult<PyTensor> {
                    let a = self.v();
                    Ok(PyTensor::from_var(compute(py, &[a.t], || unary_op(UnaryOp::$op, a))?))
                }

                #[doc = concat!("In-place `", stringify!($name), "`; returns self.")]
                fn $inplace(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
                    unary_inplace_method(slf, UnaryOp::$op)
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
                    Ok(PyTensor::from_var(run_binary(py, BinaryOp::$op, &self.to_var(), &o, false)?))
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
    mul, mul_ => Mul;
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
    fn __iand__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitAnd)
    }
    fn __ior__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitOr)
    }
    fn __ixor__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        inplace(slf, other, BinaryOp::BitXor)
    }
}

#[pymethods]
impl PyTensor {
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
    fn __ipow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        inplace(slf, other, BinaryOp::Pow)
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
        if self.t.dtype().is_float() {
            return Err(PyTypeError::new_err(
                "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
            ));
        }
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
        Ok(PyTensor::from_var(run_binary(
            py,
            BinaryOp::Add,
            &self.to_var(),
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
        if !add_scaled_fast(slf, other, alpha, 1.0)? {
            let o = scaled(slf.py(), other, alpha, "add_")?;
            inplace_binary(slf, &o, BinaryOp::Add)?;
        }
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
        Ok(PyTensor::from_var(run_binary(
            py,
            BinaryOp::Sub,
            &self.to_var(),
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
        if !add_scaled_fast(slf, other, alpha, -1.0)? {
            let o = scaled(slf.py(), other, alpha, "sub_")?;
            inplace_binary(slf, &o, BinaryOp::Sub)?;
        }
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
        let a = self.to_var();
        let out = match rounding_mode {
            None => run_binary(py, BinaryOp::Div, &a, &o, false)?,
            Some("floor") => run_binary(py, BinaryOp::FloorDiv, &a, &o, false)?,
            Some("trunc") => {
                let q = run_binary(py, BinaryOp::Div, &a, &o, false)?;
                let common = crate::ops::elementwise::binary_result_type(Arg::T(&a.t), o.arg());
                Var::plain(unary(UnaryOp::Trunc, &q.t)?.to_dtype(common)?)
            }
            Some(m) => {
                return Err(PyValueError::new_err(format!(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
            )))
            }
        };
        Ok(PyTensor::from_var(out))
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
        Ok(PyTensor::from_var(clamp_op(
            self.v(),
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
        let g = slf.borrow().g.clone();
        check_inplace(&g)?;
        let out = slf.borrow().clamp(min, max)?;
        let t = slf.borrow().t.clone();
        let _guard = t.storage().lock().write();
        t.assign(&out.t)?;
        if out.g.requires_grad() {
            slf.borrow_mut().set_grad_state(out.g);
        }
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
        Ok(PyTensor::from_var(where_op(
            &c,
            AgOperand::T(self.v()),
            o.ag(),
        )?))
    }

    fn square(&self, py: Python<'_>) -> PyResult<PyTensor> {
        let a = self.to_var();
        Ok(PyTensor::from_var(run_binary(
            py,
            BinaryOp::Pow,
            &a,
            &Operand::S(Scalar::Int(2)),
            false,
        )?))
    }

    /// Sets every element to `value`; returns self.
    fn fill_(slf: &Bound<'_, Self>, value: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let a = slf.borrow().to_var();
        check_inplace(&a.g)?;
        let v = match operand(value)? {
            Some(Operand::S(s)) => s,
            Some(Operand::T(v)) if v.t.ndim() == 0 => v.t.item()?,
            _ => {
                return Err(PyTypeError::new_err(
                    "fill_(): argument 'value' must be Number or a 0-dim Tensor",
                ))
            }
        };
        a.t.check_writable()?;
        let _guard = a.t.storage().lock().write();
        a.t.fill(v);
        Ok(slf.clone().into_any().unbind())
    }

    /// Sets every element to 0; returns self.
    fn zero_(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let a = slf.borrow().to_var();
        check_inplace(&a.g)?;
        a.t.check_writable()?;
        let _guard = a.t.storage().lock().write();
        a.t.fill(Scalar::Int(0));
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
        let a = slf.borrow().to_var();
        check_inplace(&a.g)?;
        let s = require_operand(src, "copy_")?.into_tensor()?;
        let _guard = a.t.storage().lock().write();
        a.t.assign(&s)?;
        Ok(slf.clone().into_any().unbind())
    }
}
