//! Element types and PyTorch's type-promotion rules.
//!
//! The six dtypes form a chain `bool < uint8 < int32 < int64 < float32 < float64`, so promoting two
//! tensor dtypes is taking the larger. Python scalars and 0-d tensors rank below dimensioned tensors
//! and only matter when their category (bool < integer < floating) is higher: see [`result_type`].

use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};

/// The element type of a tensor. Bools are stored as one byte holding 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I32,
    I64,
    F32,
    F64,
}

/// Category of a dtype or scalar: bool < integer < floating.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integer,
    Floating,
}

impl DType {
    /// All dtypes, in promotion order.
    pub const ALL: [DType; 6] = [
        DType::Bool,
        DType::U8,
        DType::I32,
        DType::I64,
        DType::F32,
        DType::F64,
    ];

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 => 1,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 => 8,
        }
    }

    /// The name after `rustgrad.` (`float32`, `int64`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The C++ scalar-type name PyTorch uses in messages (`Float`, `Long`, ...).
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F32 => "Float",
            DType::F64 => "Double",
        }
    }

    /// Parses a dtype name (`"float32"`, `"float"`, `"long"`, ...).
    pub fn from_name(name: &str) -> Result<DType> {
        Ok(match name {
            "bool" => DType::Bool,
            "uint8" => DType::U8,
            "int32" | "int" => DType::I32,
            "int64" | "long" => DType::I64,
            "float32" | "float" => DType::F32,
            "float64" | "double" => DType::F64,
            _ => return Err(Error::Type(format!("unknown dtype '{name}'"))),
        })
    }

    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::U8 | DType::I32 | DType::I64 => Category::Integer,
            DType::F32 | DType::F64 => Category::Floating,
        }
    }

    pub fn is_float(self) -> bool {
        self.category() == Category::Floating
    }

    /// True for the integer dtypes and bool.
    pub fn is_integral(self) -> bool {
        !self.is_float()
    }

    /// Can a value of dtype `from` be stored in `self` by an in-place op? (torch's `canCast`:
    /// no floating into integral, no non-bool into bool.)
    pub fn can_hold(self, from: DType) -> bool {
        from.category() <= self.category()
    }
}

static DEFAULT_FLOAT: AtomicU8 = AtomicU8::new(DType::F32 as u8);

/// The default floating dtype (`rustgrad.get_default_dtype()`): float32 unless changed.
pub fn default_float() -> DType {
    if DEFAULT_FLOAT.load(Ordering::Relaxed) == DType::F64 as u8 {
        DType::F64
    } else {
        DType::F32
    }
}

/// Sets the default floating dtype (float32 or float64).
pub fn set_default_float(dtype: DType) -> Result<()> {
    if !dtype.is_float() {
        return Err(Error::Type(format!(
            "only floating-point types are supported as the default type, got {}",
            dtype.name()
        )));
    }
    DEFAULT_FLOAT.store(dtype as u8, Ordering::Relaxed);
    Ok(())
}

/// Promotes two tensor dtypes of the same rank.
pub fn promote(a: DType, b: DType) -> DType {
    a.max(b)
}

/// A Python number taking part in an operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl Scalar {
    pub fn category(self) -> Category {
        match self {
            Scalar::Bool(_) => Category::Bool,
            Scalar::Int(_) => Category::Integer,
            Scalar::Float(_) => Category::Floating,
        }
    }

    /// The dtype a Python scalar contributes when it decides the result type.
    pub fn default_dtype(self, default_float: DType) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => default_float,
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as u8 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) => f,
        }
    }

    pub fn as_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) => f as i64,
        }
    }
}

/// One operand of an operation, as torch's `result_type` ranks it.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// A tensor with at least one dimension.
    Dim(DType),
    /// A 0-d tensor.
    ZeroDim(DType),
    /// A Python scalar, already turned into the dtype of its category (`Scalar::default_dtype`).
    Wrapped(DType),
}

/// torch's `combine_categories(higher, lower)`: the higher-ranked result wins unless the lower one
/// is of a higher category.
fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (h, None) => h,
        (Some(h), Some(l)) => {
            if h.is_float() {
                Some(h)
            } else if h == DType::Bool || l.is_float() {
                Some(promote(h, l))
            } else {
                Some(h)
            }
        }
    }
}

/// The result dtype of an operation on these operands (torch's `torch.result_type`).
pub fn result_type(operands: &[Operand]) -> DType {
    let (mut dim, mut zero, mut wrapped): (Option<DType>, Option<DType>, Option<DType>) =
        (None, None, None);
    for op in operands {
        let (slot, d) = match *op {
            Operand::Dim(d) => (&mut dim, d),
            Operand::ZeroDim(d) => (&mut zero, d),
            Operand::Wrapped(d) => (&mut wrapped, d),
        };
        *slot = Some(slot.map_or(d, |s| promote(s, d)));
    }
    combine(dim, combine(zero, wrapped)).unwrap_or(DType::F32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn tensor_tensor_promotion_takes_the_wider() {
        assert_eq!(result_type(&[Operand::Dim(F32), Operand::Dim(F64)]), F64);
        assert_eq!(result_type(&[Operand::Dim(I32), Operand::Dim(U8)]), I32);
        assert_eq!(result_type(&[Operand::Dim(Bool), Operand::Dim(Bool)]), Bool);
    }

    #[test]
    fn scalars_count_only_when_of_a_higher_category() {
        // int64 tensor * 2.5 -> float32; float32 tensor * python float -> float32
        assert_eq!(
            result_type(&[Operand::Dim(I64), Operand::Wrapped(F32)]),
            F32
        );
        assert_eq!(
            result_type(&[Operand::Dim(F32), Operand::Wrapped(F32)]),
            F32
        );
        // int32 tensor + python int -> int32; bool tensor + python int -> int64
        assert_eq!(
            result_type(&[Operand::Dim(I32), Operand::Wrapped(I64)]),
            I32
        );
        assert_eq!(
            result_type(&[Operand::Dim(Bool), Operand::Wrapped(I64)]),
            I64
        );
        // float32 tensor + 0-d float64 tensor -> float32; int tensor + 0-d float64 -> float64
        assert_eq!(
            result_type(&[Operand::Dim(F32), Operand::ZeroDim(F64)]),
            F32
        );
        assert_eq!(
            result_type(&[Operand::Dim(I64), Operand::ZeroDim(F64)]),
            F64
        );
    }

    #[test]
    fn can_hold_follows_categories() {
        assert!(F32.can_hold(I64));
        assert!(!I64.can_hold(F32));
        assert!(!Bool.can_hold(U8));
        assert!(I32.can_hold(I64)); // same category: torch allows the narrowing cast
    }
}
