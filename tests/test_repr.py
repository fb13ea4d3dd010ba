"""How tensors print (spec 1.2): every expected text below is what torch 2.15 prints for the same
expression, with `torch.` written `rustgrad.`."""

import math

import numpy as np
import pytest

import rustgrad as rg

# (test id, expression, torch's text as one string or a list of lines)
CASES = [
    ("float", "rg.tensor([0.0, 1.0, 2.0, 3.0])", "tensor([0., 1., 2., 3.])"),
    ("float_decimals", "rg.tensor([1.5, -2.25])", "tensor([ 1.5000, -2.2500])"),
    ("float_int_mode_alignment", "rg.tensor([0.0, 1.0, 10.0])", "tensor([ 0.,  1., 10.])"),
    (
        "int_alignment",
        "rg.tensor([[1, -2], [300, 4]])",
        [
            "tensor([[  1,  -2],",
            "        [300,   4]])",
        ],
    ),
    ("bool", "rg.tensor([True, False])", "tensor([ True, False])"),
    (
        "bool_matrix",
        "rg.tensor([[True, False]] * 3)",
        [
            "tensor([[ True, False],",
            "        [ True, False],",
            "        [ True, False]])",
        ],
    ),
    ("zero_dim_float", "rg.tensor(66.0)", "tensor(66.)"),
    ("zero_dim_int", "rg.tensor(3)", "tensor(3)"),
    ("zero_dim_bool", "rg.tensor(True)", "tensor(True)"),
    ("negative_zero", "rg.tensor(-0.0)", "tensor(-0.)"),
    (
        "zero_dim_float64",
        "rg.tensor(2.5, dtype=rg.float64)",
        "tensor(2.5000, dtype=rustgrad.float64)",
    ),
    ("zero_dim_int32", "rg.tensor(7, dtype=rg.int32)", "tensor(7, dtype=rustgrad.int32)"),
    (
        "float64_suffix",
        "rg.tensor([1.0, 2.0], dtype=rg.float64)",
        "tensor([1., 2.], dtype=rustgrad.float64)",
    ),
    ("int32_suffix", "rg.tensor([1, 2], dtype=rg.int32)", "tensor([1, 2], dtype=rustgrad.int32)"),
    ("uint8_suffix", "rg.tensor([1, 2], dtype=rg.uint8)", "tensor([1, 2], dtype=rustgrad.uint8)"),
    ("empty_1d", "rg.zeros(0)", "tensor([])"),
    ("empty_2d", "rg.zeros(0, 3)", "tensor([], size=(0, 3))"),
    (
        "empty_int64",
        "rg.zeros(2, 0, dtype=rg.int64)",
        "tensor([], size=(2, 0), dtype=rustgrad.int64)",
    ),
    ("empty_float64", "rg.zeros(0, dtype=rg.float64)", "tensor([], dtype=rustgrad.float64)"),
    ("empty_bool", "rg.zeros(0, dtype=rg.bool)", "tensor([], dtype=rustgrad.bool)"),
    ("sci_small", "rg.tensor([1e-5, 1.0])", "tensor([1.0000e-05, 1.0000e+00])"),
    ("sci_large", "rg.tensor([1e9])", "tensor([1.0000e+09])"),
    ("sci_ratio_int_mode", "rg.tensor([1001.0, 1.0])", "tensor([1.0010e+03, 1.0000e+00])"),
    ("no_sci_ratio_1000", "rg.tensor([1000.0, 1.0])", "tensor([1000.,    1.])"),
    ("sci_min_below_1e-4", "rg.tensor([0.5, 5e-5])", "tensor([5.0000e-01, 5.0000e-05])"),
    ("no_sci_min_1e-4", "rg.tensor([0.5, 1e-4])", "tensor([5.0000e-01, 1.0000e-04])"),
    ("sci_big_int_mode", "rg.tensor([123456789.0])", "tensor([1.2346e+08])"),
    ("sci_mixed", "rg.tensor([1.5e10, 2.5])", "tensor([1.5000e+10, 2.5000e+00])"),
    (
        "exp_e10",
        "rg.exp(rg.tensor([1.0, 2, 4, 8]))",
        "tensor([2.7183e+00, 7.3891e+00, 5.4598e+01, 2.9810e+03])",
    ),
    ("nan", "rg.tensor([math.nan, 1.0])", "tensor([nan, 1.])"),
    ("inf", "rg.tensor([math.inf, -math.inf, 1.5])", "tensor([   inf,   -inf, 1.5000])"),
    ("only_nan", "rg.tensor([math.nan])", "tensor([nan])"),
    ("zero_and_nan", "rg.tensor([0.0, math.nan])", "tensor([0., nan])"),
    ("inf_int_mode", "rg.tensor([math.inf, 2.0])", "tensor([inf, 2.])"),
    (
        "sci_2d",
        "rg.tensor([[1e-6, 1.0], [2.0, 3.5]])",
        [
            "tensor([[1.0000e-06, 1.0000e+00],",
            "        [2.0000e+00, 3.5000e+00]])",
        ],
    ),
    (
        "mixed_width",
        "rg.tensor([0.1, 0.25, 100.5])",
        "tensor([1.0000e-01, 2.5000e-01, 1.0050e+02])",
    ),
    ("summarized_int", "rg.arange(2000)", "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (
        "summarized_float_sci",
        "rg.arange(2000.0)",
        [
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,",
            "        1.9990e+03])",
        ],
    ),
    ("summarized_1001", "rg.arange(1001)", "tensor([   0,    1,    2,  ...,  998,  999, 1000])"),
    (
        "summarized_2d",
        "rg.ones(40, 40)",
        [
            "tensor([[1., 1., 1.,  ..., 1., 1., 1.],",
            "        [1., 1., 1.,  ..., 1., 1., 1.],",
            "        [1., 1., 1.,  ..., 1., 1., 1.],",
            "        ...,",
            "        [1., 1., 1.,  ..., 1., 1., 1.],",
            "        [1., 1., 1.,  ..., 1., 1., 1.],",
            "        [1., 1., 1.,  ..., 1., 1., 1.]])",
        ],
    ),
    (
        "summarized_wide_rows",
        "rg.zeros(5, 300)",
        [
            "tensor([[0., 0., 0.,  ..., 0., 0., 0.],",
            "        [0., 0., 0.,  ..., 0., 0., 0.],",
            "        [0., 0., 0.,  ..., 0., 0., 0.],",
            "        [0., 0., 0.,  ..., 0., 0., 0.],",
            "        [0., 0., 0.,  ..., 0., 0., 0.]])",
        ],
    ),
    (
        "summarized_3d",
        "rg.zeros(2, 3, 200)",
        [
            "tensor([[[0., 0., 0.,  ..., 0., 0., 0.],",
            "         [0., 0., 0.,  ..., 0., 0., 0.],",
            "         [0., 0., 0.,  ..., 0., 0., 0.]],",
            "",
            "        [[0., 0., 0.,  ..., 0., 0., 0.],",
            "         [0., 0., 0.,  ..., 0., 0., 0.],",
            "         [0., 0., 0.,  ..., 0., 0., 0.]]])",
        ],
    ),
    (
        "summarized_bool",
        "rg.arange(1100) > 500",
        "tensor([False, False, False,  ...,  True,  True,  True])",
    ),
    (
        "three_d_blank_line",
        "rg.zeros(2, 3, 4)",
        [
            "tensor([[[0., 0., 0., 0.],",
            "         [0., 0., 0., 0.],",
            "         [0., 0., 0., 0.]],",
            "",
            "        [[0., 0., 0., 0.],",
            "         [0., 0., 0., 0.],",
            "         [0., 0., 0., 0.]]])",
        ],
    ),
    (
        "four_d_two_blank_lines",
        "rg.ones(2, 2, 2, 2)",
        [
            "tensor([[[[1., 1.],",
            "          [1., 1.]],",
            "",
            "         [[1., 1.],",
            "          [1., 1.]]],",
            "",
            "",
            "        [[[1., 1.],",
            "          [1., 1.]],",
            "",
            "         [[1., 1.],",
            "          [1., 1.]]]])",
        ],
    ),
    (
        "three_d_ints",
        "rg.tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])",
        [
            "tensor([[[1, 2],",
            "         [3, 4]],",
            "",
            "        [[5, 6],",
            "         [7, 8]]])",
        ],
    ),
    (
        "wrap_e86",
        "rg.arange(40.0) * 0.1",
        [
            "tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000,",
            "        0.9000, 1.0000, 1.1000, 1.2000, 1.3000, 1.4000, 1.5000, 1.6000, 1.7000,",
            "        1.8000, 1.9000, 2.0000, 2.1000, 2.2000, 2.3000, 2.4000, 2.5000, 2.6000,",
            "        2.7000, 2.8000, 2.9000, 3.0000, 3.1000, 3.2000, 3.3000, 3.4000, 3.5000,",
            "        3.6000, 3.7000, 3.8000, 3.9000])",
        ],
    ),
    (
        "wrap_int",
        "rg.arange(100)",
        [
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,",
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35,",
            "        36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,",
            "        54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71,",
            "        72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,",
            "        90, 91, 92, 93, 94, 95, 96, 97, 98, 99])",
        ],
    ),
    (
        "wrap_thousands",
        "rg.arange(30) * 1000",
        [
            "tensor([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,  9000,",
            "        10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000, 18000, 19000,",
            "        20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000, 28000, 29000])",
        ],
    ),
    (
        "wrap_negative",
        "rg.tensor([-1.5] * 30)",
        [
            "tensor([-1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000,",
            "        -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000,",
            "        -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000,",
            "        -1.5000, -1.5000, -1.5000, -1.5000, -1.5000, -1.5000])",
        ],
    ),
    (
        "wrap_2d",
        "rg.tensor([[1.5] * 20] * 2)",
        [
            "tensor([[1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,",
            "         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,",
            "         1.5000, 1.5000],",
            "        [1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,",
            "         1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,",
            "         1.5000, 1.5000]])",
        ],
    ),
    (
        "wrap_then_suffix_same_line",
        "rg.tensor([1.5] * 15, dtype=rg.float64)",
        [
            "tensor([1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000,",
            "        1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000], dtype=rustgrad.float64)",
        ],
    ),
    (
        "suffix_on_new_line",
        "rg.ones(12, dtype=rg.float64) * 1e-7",
        [
            "tensor([1.0000e-07, 1.0000e-07, 1.0000e-07, 1.0000e-07, 1.0000e-07, 1.0000e-07,",
            "        1.0000e-07, 1.0000e-07, 1.0000e-07, 1.0000e-07, 1.0000e-07, 1.0000e-07],",
            "       dtype=rustgrad.float64)",
        ],
    ),
    (
        "int32_wrap",
        "rg.ones(20, dtype=rg.int32)",
        [
            "tensor([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],",
            "       dtype=rustgrad.int32)",
        ],
    ),
    (
        "transposed_view",
        "rg.tensor([[-1, 2], [3, -40]]).T",
        [
            "tensor([[ -1,   3],",
            "        [  2, -40]])",
        ],
    ),
    (
        "float64_thirds",
        "rg.tensor([1, 2, 3], dtype=rg.float64) / 3",
        "tensor([0.3333, 0.6667, 1.0000], dtype=rustgrad.float64)",
    ),
    (
        "int32_big",
        "rg.tensor([[1, 2, 3]], dtype=rg.int32) * 100000000",
        "tensor([[100000000, 200000000, 300000000]], dtype=rustgrad.int32)",
    ),
    (
        "float64_huge",
        "rg.tensor([1e100], dtype=rg.float64)",
        "tensor([1.0000e+100], dtype=rustgrad.float64)",
    ),
    (
        "float64_subnormal",
        "rg.tensor([1e-320], dtype=rg.float64)",
        "tensor([9.9999e-321], dtype=rustgrad.float64)",
    ),
]


@pytest.mark.parametrize(("expr", "text"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_repr_matches_torch(expr, text):
    if isinstance(text, list):
        text = "\n".join(text)
    t = eval(expr, {"rg": rg, "math": math})
    assert repr(t) == text
    assert str(t) == text


def test_a_thousand_elements_are_not_summarized():
    text = repr(rg.arange(1000))
    # width 3, so floor((80 - 7) / (3 + 2)) = 14 per line
    assert "..." not in text and len(text.split("\n")) == 72
    assert text.endswith("\n        994, 995, 996, 997, 998, 999])")


def test_e86_forty_element_gradient_wraps_twelve_per_line():
    # x.grad of E86 is 4 * arange(40.) (autograd is not needed to check its text)
    assert repr(rg.arange(40.0) * 4) == (
        "tensor([  0.,   4.,   8.,  12.,  16.,  20.,  24.,  28.,  32.,  36.,  40.,  44.,\n"
        "         48.,  52.,  56.,  60.,  64.,  68.,  72.,  76.,  80.,  84.,  88.,  92.,\n"
        "         96., 100., 104., 108., 112., 116., 120., 124., 128., 132., 136., 140.,\n"
        "        144., 148., 152., 156.])"
    )


def test_non_contiguous_and_strided_views_print_their_own_values():
    base = np.arange(12.0).reshape(3, 4)
    t = rg.from_numpy(base[:, ::2])
    assert repr(t) == (
        "tensor([[ 0.,  2.],\n        [ 4.,  6.],\n        [ 8., 10.]], dtype=rustgrad.float64)"
    )
    rows = list(rg.tensor([[1.5, 2.0], [3.0, 4.0]]))
    assert repr(rows[1]) == "tensor([3., 4.])"


@pytest.fixture
def printoptions():
    yield rg.set_printoptions
    rg.set_printoptions(profile="default")


@pytest.mark.parametrize(
    ("options", "expr", "text"),
    [
        ({"precision": 2}, "rg.tensor([1.2345, 2.5])", "tensor([1.23, 2.50])"),
        ({"precision": 6}, "rg.tensor([1.2345, 2.5])", "tensor([1.234500, 2.500000])"),
        ({"precision": 2}, "rg.tensor([1e-5, 1.0])", "tensor([1.00e-05, 1.00e+00])"),
        ({"sci_mode": True}, "rg.tensor([1.5, 2.0])", "tensor([1.5000e+00, 2.0000e+00])"),
        ({"sci_mode": False}, "rg.tensor([1e-5, 1.0])", "tensor([0.0000, 1.0000])"),
        ({"threshold": 5}, "rg.arange(10)", "tensor([0, 1, 2,  ..., 7, 8, 9])"),
        (
            {"threshold": 5, "edgeitems": 1},
            "rg.ones(4, 4)",
            "tensor([[1.,  ..., 1.],\n        ...,\n        [1.,  ..., 1.]])",
        ),
        (
            {"linewidth": 40},
            "rg.arange(12)",
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,\n         8,  9, 10, 11])",
        ),
        ({"profile": "short"}, "rg.tensor([1.2345, 2.5])", "tensor([1.23, 2.50])"),
        (
            {"linewidth": 30},
            "rg.tensor([1.0, 2.0], dtype=rg.float64)",
            "tensor([1., 2.],\n       dtype=rustgrad.float64)",
        ),
    ],
)
def test_set_printoptions(printoptions, options, expr, text):
    printoptions(**options)
    assert repr(eval(expr, {"rg": rg})) == text


def test_full_profile_prints_everything(printoptions):
    printoptions(profile="full")
    assert "..." not in repr(rg.arange(1200))
    printoptions(profile="default")
    assert "..." in repr(rg.arange(1200))


def test_size_and_dtype_reprs():
    assert repr(rg.zeros(5, 4).shape) == "rustgrad.Size([5, 4])"
    assert str(rg.zeros(5, 4).shape) == "rustgrad.Size([5, 4])"
    assert repr(rg.zeros(()).shape) == "rustgrad.Size([])"
    assert repr(rg.Size([2, 3])) == "rustgrad.Size([2, 3])"
    assert rg.Size([2, 3]).numel() == 6 and rg.Size([]).numel() == 1
    assert rg.Size([2, 3]) + (4,) == rg.Size([2, 3, 4])
    assert isinstance(rg.Size([2, 3]) + (4,), rg.Size)
    assert repr(rg.float32) == "rustgrad.float32" and repr(rg.float64) == "rustgrad.float64"
    assert repr(rg.int64) == "rustgrad.int64" and repr(rg.bool) == "rustgrad.bool"
    assert repr(rg.tensor([1]).dtype) == "rustgrad.int64"
    assert str(type(rg.zeros(1))) == "<class 'rustgrad.Tensor'>"


def test_repr_does_not_change_the_tensor():
    t = rg.tensor([[1.5, 2.0]]).T
    before = (t.shape, t.stride(), t.tolist())
    repr(t)
    assert (t.shape, t.stride(), t.tolist()) == before
