//! Elementwise operations with broadcasting and PyTorch's type promotion.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::dtype::{default_float, result_type, DType, Operand, Scalar};
use crate::error::{Error, Result};
use crate::kernels::element::from_scalar;
use crate::kernels::elementwise::{map1, map2, map3, Raw};
use crate::kernels::math::{Arith, Float};
use crate::kernels::Element;
use crate::layout::{broadcast_shapes, result_strides, InputLayout, Strides};
use crate::tensor::Tensor;

/// An operand of an elementwise op: a tensor or a Python scalar.
#[derive(Clone, Copy, Debug)]
pub enum Arg<'a> {
    T(&'a Tensor),
    S(Scalar),
}

impl Arg<'_> {
    fn rank(&self) -> Operand {
        match self {
            Arg::T(t) if t.ndim() == 0 => Operand::ZeroDim(t.dtype()),
            Arg::T(t) => Operand::Dim(t.dtype()),
            Arg::S(s) => Operand::Wrapped(s.default_dtype(default_float())),
        }
    }

    fn shape(&self) -> &[usize] {
        match self {
            Arg::T(t) => t.shape(),
            Arg::S(_) => &[],
        }
    }

    /// Shape and strides, as [`result_strides`] takes them (a scalar is 0-d).
    fn layout(&self) -> InputLayout<'_> {
        match self {
            Arg::T(t) => (t.shape(), t.strides()),
            Arg::S(_) => (&[], &[]),
        }
    }

    /// The operand as a tensor of `dtype` broadcast to `shape`.
    fn materialize(&self, dtype: DType, shape: &[usize]) -> Result<Tensor> {
        match self {
            Arg::T(t) => t.to_dtype(dtype)?.broadcast_to(shape),
            Arg::S(s) => Tensor::scalar(*s, dtype)?.broadcast_to(shape),
        }
    }
}

/// An operand ready for a kernel: a tensor of the compute dtype broadcast to the output's shape
/// (borrowed when it already is one), or a scalar that the kernel reads with zero strides.
enum Prepared<'a> {
    T(Cow<'a, Tensor>),
    S(Scalar),
}

impl<'a> Prepared<'a> {
    fn new(arg: Arg<'a>, dtype: DType, shape: &[usize]) -> Result<Prepared<'a>> {
        Ok(match arg {
            Arg::T(t) if t.dtype() == dtype && t.shape() == shape => Prepared::T(Cow::Borrowed(t)),
            Arg::T(t) => Prepared::T(Cow::Owned(t.to_dtype(dtype)?.broadcast_to(shape)?)),
            Arg::S(s) => Prepared::S(s),
        })
    }

    /// The scalar converted to `T` (of `dtype`), or a placeholder for tensors.
    fn value<T: Element>(&self, dtype: DType) -> T {
        match self {
            Prepared::S(s) => from_scalar(*s, dtype),
            Prepared::T(_) => T::default(),
        }
    }

    /// The kernel operand: the tensor, or `value` (from [`Prepared::value`]) with `zeros` strides.
    ///
    /// # Safety
    /// `T` must be the element type of the tensor's dtype.
    unsafe fn raw<'s, T>(&'s self, value: &'s T, zeros: &'s [usize]) -> Raw<'s, T> {
        match self {
            // SAFETY: forwarded to the caller.
            Prepared::T(t) => unsafe { t.raw::<T>() },
            Prepared::S(_) => Raw {
                ptr: value,
                strides: zeros,
            },
        }
    }
}

/// The result dtype of `a op b` for an arithmetic op, before op-specific rules.
pub fn binary_result_type(a: Arg, b: Arg) -> DType {
    result_type(&[a.rank(), b.rank()])
}

/// Binary elementwise operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Rem,
    Pow,
    Maximum,
    Minimum,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
}

impl BinaryOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    /// torch's kernel name, used in "not implemented for" messages.
    fn name(self) -> &'static str {
        match self {
            BinaryOp::BitAnd => "bitwise_and_cpu",
            BinaryOp::BitOr => "bitwise_or_cpu",
            BinaryOp::BitXor => "bitwise_xor_cpu",
            BinaryOp::FloorDiv => "div_floor_cpu",
            BinaryOp::Rem => "remainder_cpu",
            BinaryOp::Pow => "pow",
            _ => "binary op",
        }
    }

    /// The checks torch makes on the operands themselves, beyond their common dtype: no `-`
    /// with a bool operand (a Python `True` included), no bool power unless the exponent is a
    /// Python bool, and no negative Python integer exponent for an integer power.
    fn check_args(self, a: Arg, b: Arg, common: DType) -> Result<()> {
        let is_bool = |x: Arg| match x {
            Arg::T(t) => t.dtype() == DType::Bool,
            Arg::S(s) => matches!(s, Scalar::Bool(_)),
        };
        match self {
            BinaryOp::Sub if is_bool(a) && is_bool(b) => Err(Error::Runtime(
                "Subtraction, the `-` operator, with two bool tensors is not supported. \
                 Use the `^` or `logical_xor()` operator instead."
                    .into(),
            )),
            BinaryOp::Sub if is_bool(a) || is_bool(b) => Err(Error::Runtime(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you are \
                 trying to invert a mask, use the `~` or `logical_not()` operator instead."
                    .into(),
            )),
            // (a bool tensor to a Python bool power is allowed: torch special-cases 0 and 1)
            BinaryOp::Pow if common == DType::Bool && !matches!(b, Arg::S(_)) => {
                Err(Error::Runtime("\"pow\" not implemented for 'Bool'".into()))
            }
            BinaryOp::Pow
                if common.is_integral() && matches!(b, Arg::S(Scalar::Int(e)) if e < 0) =>
            {
                Err(Error::Runtime(
                    "Integers to negative integer powers are not allowed.".into(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// (dtype the kernel computes in, dtype of the result) for this op on operands whose promoted
    /// type is `common`.
    pub fn dtypes(self, common: DType) -> Result<(DType, DType)> {
        use BinaryOp::*;
        Ok(match self {
            Div if common.is_integral() => (default_float(), default_float()),
            Sub if common == DType::Bool => {
                return Err(Error::Runtime(
                    "Subtraction, the `-` operator, with two bool tensors is not supported. \
                     Use the `^` or `logical_xor()` operator instead."
                        .into(),
                ))
            }
            FloorDiv | Rem if common == DType::Bool => {
                return Err(Error::Runtime(format!(
                    "\"{}\" not implemented for 'Bool'",
                    self.name()
                )))
            }
            BitAnd | BitOr | BitXor if common.is_float() => {
                return Err(Error::Runtime(format!(
                    "\"{}\" not implemented for '{}'",
                    self.name(),
                    common.torch_name()
                )))
            }
            op if op.is_comparison() => (common, DType::Bool),
            _ => (common, common),
        })
    }
}

/// `a op b` with broadcasting into a new tensor.
pub fn binary(op: BinaryOp, a: Arg, b: Arg) -> Result<Tensor> {
    let common = binary_result_type(a, b);
    op.check_args(a, b, common)?;
    let (compute, out_dtype) = op.dtypes(common)?;
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let strides = result_strides(&shape, &[a.layout(), b.layout()]);
    let out = Tensor::uninit_strided(&shape, strides, out_dtype)?;
    let (pa, pb) = (
        Prepared::new(a, compute, &shape)?,
        Prepared::new(b, compute, &shape)?,
    );
    run_binary(op, compute, &out, &pa, &pb)?;
    Ok(out)
}

/// `dst op= other` in place, with torch's rule that the result must be storable in `dst`'s dtype.
pub fn binary_inplace(op: BinaryOp, dst: &Tensor, other: Arg) -> Result<()> {
    let common = binary_result_type(Arg::T(dst), other);
    op.check_args(Arg::T(dst), other, common)?;
    let (compute, out_dtype) = op.dtypes(common)?;
    if !dst.dtype().can_hold(out_dtype) {
        return Err(Error::Runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            out_dtype.torch_name(),
            dst.dtype().torch_name()
        )));
    }
    dst.check_writable()?;
    let shape = broadcast_shapes(dst.shape(), other.shape())?;
    if shape.as_slice() != dst.shape() {
        return Err(Error::Runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            crate::layout::fmt_shape(dst.shape()),
            crate::layout::fmt_shape(&shape)
        )));
    }
    let tb = Prepared::new(other, compute, &shape)?;
    // A source that shares memory with the destination through another layout is copied first.
    let tb = match tb {
        Prepared::T(t) if tb_overlaps(&t, dst) => Prepared::T(Cow::Owned(t.deep_clone()?)),
        tb => tb,
    };
    if compute == dst.dtype() && out_dtype == dst.dtype() {
        run_binary(op, compute, dst, &Prepared::T(Cow::Borrowed(dst)), &tb)?;
    } else {
        let ta = Prepared::T(Cow::Owned(dst.to_dtype(compute)?));
        let tmp = Tensor::uninit(&shape, out_dtype)?;
        run_binary(op, compute, &tmp, &ta, &tb)?;
        dst.copy_from_unchecked(&tmp);
    }
    dst.storage().bump_version();
    Ok(())
}

/// `dst += alpha * other` in one pass (the optimizers' update, `p.add_(g, alpha=-lr)`), for a
/// float `dst` and an `other` of its dtype and shape that does not overlap it through another
/// layout. Returns false, having done nothing, when those conditions do not hold: the caller then
/// takes the general path.
pub fn add_scaled_inplace(dst: &Tensor, other: &Tensor, alpha: f64) -> Result<bool> {
    if other.dtype() != dst.dtype() || other.shape() != dst.shape() || tb_overlaps(other, dst) {
        return Ok(false);
    }
    dst.check_writable()?;
    crate::with_float_dtype!(dst.dtype(), T => {
        let a = alpha as T;
        // SAFETY: both tensors have `dst`'s shape and were checked against their storages;
        // `other` is `dst` itself or does not overlap it, so each element is read before it is
        // written.
        unsafe {
            map2::<T, T, T>(dst.shape(), (dst.data_ptr::<T>(), dst.strides()), dst.raw::<T>(),
                other.raw::<T>(), move |x, y| x + a * y);
        }
    }, _ => return Ok(false));
    dst.storage().bump_version();
    Ok(true)
}

/// Does `src` share `dst`'s memory through another layout (so that writing `dst` would change
/// elements of `src` not yet read)?
fn tb_overlaps(src: &Tensor, dst: &Tensor) -> bool {
    src.shares_storage(dst) && src.layout() != dst.layout()
}

/// Runs the kernel for `op` on operands of dtype `compute` broadcast to `out`'s shape.
fn run_binary(
    op: BinaryOp,
    compute: DType,
    out: &Tensor,
    a: &Prepared,
    b: &Prepared,
) -> Result<()> {
    let flag = AtomicBool::new(false);
    let flag = &flag;
    let is_bool = compute == DType::Bool;
    let zeros: Strides = smallvec::smallvec![0; out.ndim()];
    macro_rules! go {
        ($T:ty, $R:ty, $f:expr) => {{
            let (va, vb) = (a.value::<$T>(compute), b.value::<$T>(compute));
            // SAFETY: `out` is fresh or was checked writable, `a` and `b` are of the compute
            // dtype and broadcast to its shape (or scalars read through zero strides), and a
            // source sharing its storage has the same layout or was copied.
            unsafe {
                map2::<$T, $T, $R>(
                    out.shape(),
                    (out.data_ptr::<$R>(), out.strides()),
                    a.raw::<$T>(&va, &zeros),
                    b.raw::<$T>(&vb, &zeros),
                    $f,
                )
            }
        }};
    }
    macro_rules! arith {
        ($T:ty) => {{
            match op {
                BinaryOp::Add if is_bool => go!($T, $T, |x: $T, y: $T| ((x.to_i64() | y.to_i64())
                    != 0) as u8
                    as i64
                    as $T),
                BinaryOp::Mul if is_bool => go!($T, $T, |x: $T, y: $T| ((x.to_i64() & y.to_i64())
                    != 0) as u8
                    as i64
                    as $T),
                BinaryOp::Add => go!($T, $T, |x: $T, y: $T| x.add(y)),
                BinaryOp::Sub => go!($T, $T, |x: $T, y: $T| x.sub(y)),
                BinaryOp::Mul => go!($T, $T, |x: $T, y: $T| x.mul(y)),
                BinaryOp::Div => go!($T, $T, |x: $T, y: $T| Arith::div(x, y)),
                BinaryOp::FloorDiv => go!($T, $T, |x: $T, y: $T| x.floor_div(y, flag)),
                BinaryOp::Rem => go!($T, $T, |x: $T, y: $T| x.rem(y, flag)),
                BinaryOp::Pow => go!($T, $T, |x: $T, y: $T| Arith::pow(x, y, flag)),
                BinaryOp::Maximum => go!($T, $T, |x: $T, y: $T| x.max_nan(y)),
                BinaryOp::Minimum => go!($T, $T, |x: $T, y: $T| x.min_nan(y)),
                BinaryOp::Eq => go!($T, u8, |x: $T, y: $T| (x == y) as u8),
                BinaryOp::Ne => go!($T, u8, |x: $T, y: $T| (x != y) as u8),
                BinaryOp::Lt => go!($T, u8, |x: $T, y: $T| (x < y) as u8),
                BinaryOp::Le => go!($T, u8, |x: $T, y: $T| (x <= y) as u8),
                BinaryOp::Gt => go!($T, u8, |x: $T, y: $T| (x > y) as u8),
                BinaryOp::Ge => go!($T, u8, |x: $T, y: $T| (x >= y) as u8),
                BinaryOp::BitAnd => go!($T, $T, |x: $T, y: $T| x.bit_and(y)),
                BinaryOp::BitOr => go!($T, $T, |x: $T, y: $T| x.bit_or(y)),
                BinaryOp::BitXor => go!($T, $T, |x: $T, y: $T| x.bit_xor(y)),
            }
        }};
    }
    match compute {
        DType::Bool | DType::U8 => arith!(u8),
        DType::I32 => arith!(i32),
        DType::I64 => arith!(i64),
        DType::F32 => arith!(f32),
        DType::F64 => arith!(f64),
    }
    if flag.load(Ordering::Relaxed) {
        return Err(Error::Runtime("ZeroDivisionError".into()));
    }
    Ok(())
}

/// Unary elementwise operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Abs,
    Sign,
    Relu,
    Floor,
    Ceil,
    Round,
    Trunc,
    BitNot,
    Exp,
    Log,
    Log2,
    Log10,
    Log1p,
    Expm1,
    Sqrt,
    Rsqrt,
    Sin,
    Cos,
    Tan,
    Tanh,
    Sigmoid,
    Reciprocal,
}

impl UnaryOp {
    /// Ops that always produce floats (integer inputs are promoted to the default float).
    fn is_float_only(self) -> bool {
        use UnaryOp::*;
        !matches!(
            self,
            Neg | Abs | Sign | Relu | Floor | Ceil | Round | Trunc | BitNot
        )
    }

    fn out_dtype(self, input: DType) -> Result<DType> {
        match self {
            UnaryOp::Neg if input == DType::Bool => Err(Error::Runtime(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to \
                 invert a mask, use the `~` or `logical_not()` operator instead."
                    .into(),
            )),
            UnaryOp::BitNot if input.is_float() => Err(Error::Runtime(format!(
                "\"bitwise_not_cpu\" not implemented for '{}'",
                input.torch_name()
            ))),
            UnaryOp::Relu if input == DType::Bool => Err(Error::Runtime(
                "Boolean inputs not supported for relu".into(),
            )),
            UnaryOp::Abs | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Trunc
                if input == DType::Bool =>
            {
                let kernel = match self {
                    UnaryOp::Abs => "abs_cpu",
                    UnaryOp::Floor => "floor_vml_cpu",
                    UnaryOp::Ceil => "ceil_vml_cpu",
                    UnaryOp::Round => "round_vml_cpu",
                    _ => "trunc_vml_cpu",
                };
                Err(Error::Runtime(format!(
                    "\"{kernel}\" not implemented for 'Bool'"
                )))
            }
            op if op.is_float_only() && input.is_integral() => Ok(default_float()),
            _ => Ok(input),
        }
    }
}

/// `op(a)` into a new tensor.
pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    let dtype = op.out_dtype(a.dtype())?;
    let src = a.to_dtype(dtype)?;
    let strides = result_strides(a.shape(), &[(a.shape(), a.strides())]);
    let out = Tensor::uninit_strided(a.shape(), strides, dtype)?;
    run_unary(op, &out, &src);
    Ok(out)
}

/// `a = op(a)` in place (`relu_`, `neg_`, ...).
pub fn unary_inplace(op: UnaryOp, a: &Tensor) -> Result<()> {
    let dtype = op.out_dtype(a.dtype())?;
    if dtype != a.dtype() {
        return Err(Error::Runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            dtype.torch_name(),
            a.dtype().torch_name()
        )));
    }
    a.check_writable()?;
    run_unary(op, a, a);
    a.storage().bump_version();
    Ok(())
}

fn run_unary(op: UnaryOp, out: &Tensor, a: &Tensor) {
    macro_rules! go {
        ($T:ty, $f:expr) => {{
            // SAFETY: `out` has `a`'s shape and is either fresh or `a` itself (same layout).
            unsafe {
                map1::<$T, $T>(
                    a.shape(),
                    (out.data_ptr::<$T>(), out.strides()),
                    a.raw::<$T>(),
                    $f,
                )
            }
        }};
    }
    macro_rules! exact {
        ($T:ty) => {
            match op {
                UnaryOp::Neg => go!($T, |x: $T| x.neg()),
                UnaryOp::Abs => go!($T, |x: $T| x.abs()),
                UnaryOp::Sign => go!($T, |x: $T| x.sign()),
                UnaryOp::Relu => go!($T, |x: $T| if x > <$T>::zero() { x } else { <$T>::zero() }),
                UnaryOp::BitNot => go!($T, |x: $T| !x),
                // floor, ceil, round and trunc of an integer are the integer
                _ => go!($T, |x: $T| x),
            }
        };
    }
    macro_rules! float {
        ($T:ty) => {
            match op {
                UnaryOp::Neg => go!($T, |x: $T| -x),
                UnaryOp::Abs => go!($T, |x: $T| x.abs()),
                UnaryOp::Sign => go!($T, |x: $T| Arith::sign(x)),
                UnaryOp::Relu => go!($T, |x: $T| if x > 0.0 {
                    x
                } else if x.is_nan() {
                    x
                } else {
                    0.0
                }),
                UnaryOp::Floor => go!($T, |x: $T| x.floor()),
                UnaryOp::Ceil => go!($T, |x: $T| x.ceil()),
                UnaryOp::Round => go!($T, |x: $T| x.round_ties_even()),
                UnaryOp::Trunc => go!($T, |x: $T| x.trunc()),
                UnaryOp::Exp => go!($T, |x: $T| Float::exp(x)),
                UnaryOp::Log => go!($T, |x: $T| Float::ln(x)),
                UnaryOp::Log2 => go!($T, |x: $T| x.log2()),
                UnaryOp::Log10 => go!($T, |x: $T| x.log10()),
                UnaryOp::Log1p => go!($T, |x: $T| x.ln_1p()),
                UnaryOp::Expm1 => go!($T, |x: $T| x.exp_m1()),
                UnaryOp::Sqrt => go!($T, |x: $T| x.sqrt()),
                UnaryOp::Rsqrt => go!($T, |x: $T| 1.0 / x.sqrt()),
                UnaryOp::Sin => go!($T, |x: $T| x.sin()),
                UnaryOp::Cos => go!($T, |x: $T| x.cos()),
                UnaryOp::Tan => go!($T, |x: $T| x.tan()),
                UnaryOp::Tanh => go!($T, |x: $T| Float::tanh(x)),
                UnaryOp::Sigmoid => go!($T, |x: $T| Float::sigmoid(x)),
                UnaryOp::Reciprocal => go!($T, |x: $T| 1.0 / x),
                UnaryOp::BitNot => {}
            }
        };
    }
    match a.dtype() {
        DType::Bool => match op {
            UnaryOp::BitNot => go!(u8, |x: u8| (x == 0) as u8),
            _ => exact!(u8),
        },
        DType::U8 => exact!(u8),
        DType::I32 => exact!(i32),
        DType::I64 => exact!(i64),
        DType::F32 => float!(f32),
        DType::F64 => float!(f64),
    }
}

/// The gradient of relu from its output `y`: `g` where `y > 0`, else 0, in one pass (`g` may be
/// a broadcast view, as the gradient of a sum is).
pub fn relu_backward(g: &Tensor, y: &Tensor) -> Result<Tensor> {
    let shape = broadcast_shapes(g.shape(), y.shape())?;
    let dtype = y.dtype();
    let g = g.to_dtype(dtype)?.broadcast_to(&shape)?;
    let y = y.broadcast_to(&shape)?;
    let out = Tensor::uninit(&shape, dtype)?;
    crate::with_dtype!(dtype, T => {
        // SAFETY: `out` is fresh and written in full; `g` and `y` were broadcast to its shape.
        unsafe {
            map2::<T, T, T>(&shape, (out.data_ptr::<T>(), out.strides()), g.raw::<T>(), y.raw::<T>(),
                |g, y| if y > T::zero() { g } else { T::zero() });
        }
    });
    Ok(out)
}

/// `torch.where(cond, a, b)`: elements of `a` where `cond` is true, else of `b`.
pub fn where_(cond: &Tensor, a: Arg, b: Arg) -> Result<Tensor> {
    if cond.dtype() != DType::Bool && cond.dtype() != DType::U8 {
        return Err(Error::Runtime(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype().torch_name()
        )));
    }
    let dtype = binary_result_type(a, b);
    let shape = broadcast_shapes(&broadcast_shapes(cond.shape(), a.shape())?, b.shape())?;
    let (ta, tb) = (a.materialize(dtype, &shape)?, b.materialize(dtype, &shape)?);
    let c = cond.broadcast_to(&shape)?;
    let strides = result_strides(
        &shape,
        &[(cond.shape(), cond.strides()), a.layout(), b.layout()],
    );
    let out = Tensor::uninit_strided(&shape, strides, dtype)?;
    crate::with_dtype!(dtype, T => {
        // SAFETY: `out` is fresh; `c`, `ta` and `tb` were broadcast to its shape.
        unsafe {
            map3::<u8, T, T, T>(&shape, (out.data_ptr::<T>(), out.strides()), c.raw::<u8>(), ta.raw::<T>(),
                tb.raw::<T>(), |k, x, y| if k != 0 { x } else { y });
        }
    });
    Ok(out)
}

/// `clamp(a, min, max)`: bounds may be absent; the result dtype follows promotion with them.
pub fn clamp(a: &Tensor, min: Option<Arg>, max: Option<Arg>) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        return Err(Error::Runtime(
            "torch.clamp: At least one of 'min' or 'max' must not be None".into(),
        ));
    }
    let ranks: Vec<Operand> = [Some(Arg::T(a)), min, max]
        .iter()
        .flatten()
        .map(|x| x.rank())
        .collect();
    if result_type(&ranks) == DType::Bool {
        let kernel = match (min, max) {
            (Some(Arg::T(_)), Some(Arg::T(_))) => "clamp_cpu",
            (Some(Arg::S(_)), Some(_)) | (Some(_), Some(Arg::S(_))) => "clamp_scalar_cpu",
            (Some(Arg::S(_)), None) => "clamp_min_scalar_cpu",
            (None, Some(Arg::S(_))) => "clamp_max_scalar_cpu",
            _ => "",
        };
        if !kernel.is_empty() {
            return Err(Error::Runtime(format!(
                "\"{kernel}\" not implemented for 'Bool'"
            )));
        }
    }
    let mut out = a.clone();
    if let Some(lo) = min {
        out = binary(BinaryOp::Maximum, Arg::T(&out), lo)?;
    }
    if let Some(hi) = max {
        out = binary(BinaryOp::Minimum, Arg::T(&out), hi)?;
    }
    Ok(out)
}
