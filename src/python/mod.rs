//! The PyO3 layer: `rustgrad._core`. Each file wraps one area of the core; no computation lives
//! here beyond argument parsing and object creation.

mod arith;
mod autograd;
mod convert;
mod creation;
mod dtype;
mod error;
mod fill;
mod format;
mod indexing;
mod interop;
mod linalg;
mod memory;
mod nn;
mod reduce;
mod shape;
mod tensor;

use pyo3::prelude::*;

use crate::dtype::DType;

#[pymodule(gil_used = true)]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<tensor::PyTensor>()?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<interop::StorageRef>()?;
    m.add_class::<autograd::PyNode>()?;
    m.add_function(wrap_pyfunction!(nn::linear, m)?)?;
    m.add_function(wrap_pyfunction!(nn::mse_loss, m)?)?;
    m.add_function(wrap_pyfunction!(nn::cross_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::grad, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::py_is_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::py_graph_size, m)?)?;
    m.add_function(wrap_pyfunction!(memory::_empty_cache, m)?)?;
    m.add_function(wrap_pyfunction!(memory::_cached_bytes, m)?)?;
    for d in DType::ALL {
        m.add(d.name(), dtype::dtype_object(py, d))?;
    }
    m.add_function(wrap_pyfunction!(creation::tensor, m)?)?;
    m.add_function(wrap_pyfunction!(creation::as_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(creation::from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(creation::zeros, m)?)?;
    m.add_function(wrap_pyfunction!(creation::ones, m)?)?;
    m.add_function(wrap_pyfunction!(creation::empty, m)?)?;
    m.add_function(wrap_pyfunction!(creation::full, m)?)?;
    m.add_function(wrap_pyfunction!(creation::zeros_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::ones_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::empty_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::full_like, m)?)?;
    m.add_function(wrap_pyfunction!(creation::arange, m)?)?;
    m.add_function(wrap_pyfunction!(creation::linspace, m)?)?;
    m.add_function(wrap_pyfunction!(creation::eye, m)?)?;
    m.add_function(wrap_pyfunction!(creation::randn, m)?)?;
    m.add_function(wrap_pyfunction!(creation::rand, m)?)?;
    m.add_function(wrap_pyfunction!(creation::randint, m)?)?;
    m.add_function(wrap_pyfunction!(creation::normal, m)?)?;
    m.add_function(wrap_pyfunction!(creation::manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(creation::initial_seed, m)?)?;
    m.add_function(wrap_pyfunction!(creation::get_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(creation::set_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(creation::set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(creation::get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(creation::result_type, m)?)?;
    m.add_function(wrap_pyfunction!(linalg::einsum, m)?)?;
    m.add_function(wrap_pyfunction!(shape::cat, m)?)?;
    m.add_function(wrap_pyfunction!(shape::stack, m)?)?;
    Ok(())
}
