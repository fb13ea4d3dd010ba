"""Spec sections 2.1 and 2.2: the examples that use only what exists so far (creation,
elementwise math, printing, NumPy interop), each with its exact expected output. Examples that
need reshape, indexing, cat or reductions are covered with those features.

Outputs are compared as IPython displays them (spec section 0): `display()` below lays out
tuples as IPython's pretty printer does.
"""

import contextlib
import io

import numpy as np
import pytest

import rustgrad as rg


def display(value) -> str:
    """IPython's display of a cell's value: a tuple on one line if it fits in 79 columns and no
    element spans several lines, else one element per line with continuation lines indented by
    one space; classes as `module.name`; a tuple subclass with its own repr (`Size`) by it."""
    if type(value) is tuple:
        items = [display(v) for v in value]
        one_line = "(" + ", ".join(items) + ")"
        if len(one_line) <= 79 and "\n" not in one_line:
            return one_line
        return "(" + ",\n ".join(item.replace("\n", "\n ") for item in items) + ")"
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


def test_display_helper_lays_out_like_ipython():
    assert display((1, "a")) == "(1, 'a')"
    assert display((np.ndarray, rg.Tensor)) == "(numpy.ndarray, rustgrad.Tensor)"
    assert display((rg.zeros(2, 1), 1)) == "(tensor([[0.],\n         [0.]]),\n 1)"


def test_e1_arange_gives_an_int64_vector():
    x = rg.arange(12)
    assert display(x) == "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11])"


def test_e2_shape():
    x = rg.arange(12)
    assert display(x.shape) == "rustgrad.Size([12])"


def test_e3_number_of_elements():
    x = rg.arange(12)
    assert display(x.numel()) == "12"


def test_e5_zeros():
    assert display(rg.zeros((2, 3, 4))) == (
        "tensor([[[0., 0., 0., 0.],\n"
        "         [0., 0., 0., 0.],\n"
        "         [0., 0., 0., 0.]],\n"
        "\n"
        "        [[0., 0., 0., 0.],\n"
        "         [0., 0., 0., 0.],\n"
        "         [0., 0., 0., 0.]]])"
    )


def test_e6_ones():
    assert display(rg.ones((2, 3, 4))) == (
        "tensor([[[1., 1., 1., 1.],\n"
        "         [1., 1., 1., 1.],\n"
        "         [1., 1., 1., 1.]],\n"
        "\n"
        "        [[1., 1., 1., 1.],\n"
        "         [1., 1., 1., 1.],\n"
        "         [1., 1., 1., 1.]]])"
    )


def test_e7_standard_normal_samples():
    # output varies: shape [3, 4], float32, i.i.d. N(0, 1)
    t = rg.randn(3, 4)
    assert display(t.shape) == "rustgrad.Size([3, 4])"
    assert t.dtype == rg.float32
    many = rg.randn(100_000).numpy()
    assert abs(many.mean()) < 0.02 and abs(many.std() - 1) < 0.02
    assert abs(np.corrcoef(many[:-1], many[1:])[0, 1]) < 0.02  # independent draws


def test_e8_tensor_from_nested_lists():
    assert display(rg.tensor([[1, 2, 3, 4], [5, 6, 7, 8]])) == (
        "tensor([[1, 2, 3, 4],\n        [5, 6, 7, 8]])"
    )


def test_e9_elementwise_arithmetic_float32_with_int64_operand():
    x = rg.tensor([1.0, 2, 4, 8])
    y = rg.tensor([2, 2, 2, 2])
    assert display((x + y, x - y, x * y, x / y, x**y)) == (
        "(tensor([ 3.,  4.,  6., 10.]),\n"
        " tensor([-1.,  0.,  2.,  6.]),\n"
        " tensor([ 2.,  4.,  8., 16.]),\n"
        " tensor([0.5000, 1.0000, 2.0000, 4.0000]),\n"
        " tensor([ 1.,  4., 16., 64.]))"
    )


def test_e10_exponential_scientific_notation():
    x = rg.tensor([1.0, 2, 4, 8])
    assert display(rg.exp(x)) == "tensor([2.7183e+00, 7.3891e+00, 5.4598e+01, 2.9810e+03])"


def test_e16_broadcasting_numpy_original():
    a = np.array([1, 2, 3])
    b = np.array([[4], [5], [6]])
    c = a + b
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print(c)
    assert out.getvalue() == "[[5 6 7]\n [6 7 8]\n [7 8 9]]\n"


def test_e17_same_broadcast_with_rustgrad():
    assert display(rg.tensor([1, 2, 3]) + rg.tensor([[4], [5], [6]])) == (
        "tensor([[5, 6, 7],\n        [6, 7, 8],\n        [7, 8, 9]])"
    )


def test_e26_to_numpy_and_back_with_a_tensor_made_here():
    # E26 reshapes X first; the types do not depend on it
    X = rg.arange(12, dtype=rg.float32)
    A = X.numpy()
    B = rg.tensor(A)
    assert display((type(A), type(B))) == "(numpy.ndarray, rustgrad.Tensor)"


def test_e27_numpy_shares_memory_tensor_copies():
    t = rg.arange(3)
    n = t.numpy()
    c = rg.tensor(n)
    t += 10
    assert display((n, c)) == "(array([10, 11, 12]), tensor([0, 1, 2]))"


def test_e28_one_element_tensor_to_python_scalar():
    a = rg.tensor([3.5])
    assert display((a, a.item(), float(a), int(a))) == "(tensor([3.5000]), 3.5, 3.5, 3)"


def test_e30_default_dtypes():
    value = (
        rg.tensor([1, 2]).dtype,
        rg.tensor([1.0]).dtype,
        rg.tensor([1, 2.0]).dtype,
        rg.tensor([True]).dtype,
        rg.arange(12).dtype,
        rg.arange(4.0).dtype,
        rg.tensor(np.ones(2)).dtype,
        rg.ones(2).dtype,
    )
    assert display(value) == (
        "(rustgrad.int64,\n"
        " rustgrad.float32,\n"
        " rustgrad.float32,\n"
        " rustgrad.bool,\n"
        " rustgrad.int64,\n"
        " rustgrad.float32,\n"
        " rustgrad.float64,\n"
        " rustgrad.float32)"
    )


def test_e31_type_promotion_without_the_sum():
    # E31's third item, rg.tensor([True, False]).sum(), is a reduction (tested with them)
    items = ((rg.arange(3) + rg.ones(3)).dtype, (rg.arange(3) / 2).dtype, rg.arange(3) * 2.5)
    assert display(items) == (
        "(rustgrad.float32, rustgrad.float32, tensor([0.0000, 2.5000, 5.0000]))"
    )


def test_e32_errors_that_need_no_reductions_or_reshape():
    out = io.StringIO()
    exprs = [
        "rg.tensor([1., 2.]).item()",
        "float(rg.tensor([1., 2.]))",
        "bool(rg.tensor([1., 2.]))",
        "len(rg.tensor(1.))",
        "rg.ones(2, 3) + rg.ones(3, 2)",
    ]
    with contextlib.redirect_stdout(out):
        for expr in exprs:
            try:
                eval(expr)
            except Exception as e:
                print(type(e).__name__ + ":", e)
    assert out.getvalue() == (
        "RuntimeError: a Tensor with 2 elements cannot be converted to Scalar\n"
        "ValueError: only one element tensors can be converted to Python scalars\n"
        "RuntimeError: Boolean value of Tensor with more than one value is ambiguous\n"
        "TypeError: len() of a 0-d tensor\n"
        "RuntimeError: The size of tensor a (3) must match the size of tensor b (2) at "
        "non-singleton dimension 1\n"
    )


def test_e37_values_without_pandas():
    # the arrays pandas' `.values` gives in E37: float64 kept (suffix shown), int64 kept
    inputs = np.array([[3.0, 1, 0], [2, 0, 1], [4, 0, 1], [3, 0, 1]])
    outputs = np.array([127500, 106000, 178100, 140000])
    X, y = rg.tensor(inputs), rg.tensor(outputs)
    assert display((X, y)) == (
        "(tensor([[3., 1., 0.],\n"
        "         [2., 0., 1.],\n"
        "         [4., 0., 1.],\n"
        "         [3., 0., 1.]], dtype=rustgrad.float64),\n"
        " tensor([127500, 106000, 178100, 140000]))"
    )
    assert rg.tensor(inputs, dtype=rg.float32).dtype == rg.float32


# --- 2.2 with pandas ---------------------------------------------------------------------------

CSV = "NumRooms,Alley,Price\nNA,Pave,127500\n2,NA,106000\n4,NA,178100\nNA,NA,140000\n"


@pytest.fixture
def house_tiny(tmp_path, monkeypatch):
    """Runs in a fresh directory whose `../data/house_tiny.csv` the examples write."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    pd = pytest.importorskip("pandas")
    import os

    os.makedirs(os.path.join("..", "data"), exist_ok=True)
    data_file = os.path.join("..", "data", "house_tiny.csv")
    with open(data_file, "w") as f:
        f.write(CSV)
    return pd, pd.read_csv(data_file)


def printed(*values) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print(*values)
    return out.getvalue()


def test_e33_write_and_read_the_tiny_csv(house_tiny):
    _, data = house_tiny
    assert printed(data) == (
        "   NumRooms Alley   Price\n"
        "0       NaN  Pave  127500\n"
        "1       2.0   NaN  106000\n"
        "2       4.0   NaN  178100\n"
        "3       NaN   NaN  140000\n"
    )


def steps_e34_to_e36(pd, data):
    inputs, outputs = data.iloc[:, 0:1], data.iloc[:, 2]
    inputs = inputs.fillna(inputs.mean())
    e34 = pd.concat((inputs, data.iloc[:, 1]), axis=1)
    e35 = pd.get_dummies(e34, dummy_na=True)
    e36 = e35 * 1
    return e34, e35, e36, outputs


def test_e34_e35_e36_preprocessing(house_tiny):
    pd, data = house_tiny
    e34, e35, e36, _ = steps_e34_to_e36(pd, data)
    assert printed(e34) == (
        "   NumRooms Alley\n0       3.0  Pave\n1       2.0   NaN\n2       4.0   NaN\n"
        "3       3.0   NaN\n"
    )
    assert printed(e35) == (
        "   NumRooms  Alley_Pave  Alley_nan\n"
        "0       3.0        True      False\n"
        "1       2.0       False       True\n"
        "2       4.0       False       True\n"
        "3       3.0       False       True\n"
    )
    assert printed(e36) == (
        "   NumRooms  Alley_Pave  Alley_nan\n"
        "0       3.0           1          0\n"
        "1       2.0           0          1\n"
        "2       4.0           0          1\n"
        "3       3.0           0          1\n"
    )


def test_e37_dataframe_values_to_tensors(house_tiny):
    pd, data = house_tiny
    _, e35, inputs, outputs = steps_e34_to_e36(pd, data)
    X, y = rg.tensor(inputs.values), rg.tensor(outputs.values)
    assert display((X, y)) == (
        "(tensor([[3., 1., 0.],\n"
        "         [2., 0., 1.],\n"
        "         [4., 0., 1.],\n"
        "         [3., 0., 1.]], dtype=rustgrad.float64),\n"
        " tensor([127500, 106000, 178100, 140000]))"
    )
    # without the `* 1` step, the mixed float/bool frame has an object `.values` (spec 2.2 c)
    with pytest.raises(TypeError, match=r"can't convert np.ndarray of type numpy.object_"):
        rg.tensor(e35.values)
