"""Gradient checks of views, shape ops, indexing and joins (float64 finite differences)."""

import numpy as np
import pytest

import rustgrad as rg
from rustgrad.autograd import gradcheck

rng = np.random.default_rng(2)


def f64(*shape):
    return rg.tensor(rng.standard_normal(shape), requires_grad=True)


CASES = {
    # name: (input shape, function, grad_fn name of the result)
    "reshape": ((2, 6), lambda t: t.reshape(3, 4) * 2, None),
    "reshape_noncontig": ((3, 4), lambda t: t.T.reshape(-1), "ViewBackward0"),
    "view": ((2, 6), lambda t: t.view(4, 3), "ViewBackward0"),
    "flatten": ((2, 3, 2), lambda t: t.flatten(1), "ViewBackward0"),
    "squeeze": ((3, 1, 2), lambda t: t.squeeze(1), "SqueezeBackward0"),
    "unsqueeze": ((3, 2), lambda t: t.unsqueeze(0), "UnsqueezeBackward0"),
    "transpose": ((3, 2, 4), lambda t: t.transpose(0, 2), "TransposeBackward0"),
    "T": ((3, 4), lambda t: t.T, "PermuteBackward0"),
    "permute": ((2, 3, 4), lambda t: t.permute(2, 0, 1), "PermuteBackward0"),
    "expand": ((3, 1), lambda t: t.expand(3, 4), "ExpandBackward0"),
    "broadcast_to": ((4,), lambda t: t.broadcast_to((2, 4)), "ExpandBackward0"),
    "repeat": ((2, 3), lambda t: t.repeat(2, 1, 2), "RepeatBackward0"),
    "flip": ((2, 3), lambda t: t.flip(1), "FlipBackward0"),
    "narrow": ((5, 2), lambda t: t.narrow(0, 1, 3), "SliceBackward0"),
    "select": ((3, 4), lambda t: t.select(1, 2), "SelectBackward0"),
    "getitem_int": ((3, 4), lambda t: t[1], "SelectBackward0"),
    "getitem_col": ((3, 4), lambda t: t[:, 1], "SelectBackward0"),
    "getitem_slice": ((5, 4), lambda t: t[1:4:2], "SliceBackward0"),
    "getitem_index": ((5, 3), lambda t: t[rg.tensor([0, 2, 2, 4])], "IndexBackward0"),
    "getitem_pairs": ((4, 3), lambda t: t[[0, 1, 1], [2, 0, 0]], "IndexBackward0"),
    "getitem_mask": ((4,), lambda t: t[rg.tensor([True, False, True, True])], "IndexBackward0"),
    "gather": (
        (3, 4),
        lambda t: t.gather(1, rg.tensor([[0, 0], [1, 3], [2, 2]])),
        "GatherBackward0",
    ),
    "index_select": ((4, 3), lambda t: t.index_select(0, rg.tensor([3, 0, 3])), None),
    "masked_fill": ((2, 3), lambda t: t.masked_fill(t > 0, 0.0), "MaskedFillBackward0"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op_gradients(name):
    shape, fn, grad_fn = CASES[name]
    x = f64(*shape)
    assert gradcheck(fn, (x,))
    if grad_fn:
        assert fn(x).grad_fn.name() == grad_fn


def test_join_and_split_gradients():
    a, b = f64(2, 3), f64(4, 3)
    assert gradcheck(lambda a, b: rg.cat((a, b), dim=0), (a, b))
    assert rg.cat((a, b)).grad_fn.name() == "CatBackward0"
    c = f64(2, 3)
    assert gradcheck(lambda a, c: rg.stack([a, c], dim=1), (a, c))
    assert gradcheck(lambda t: t.split(2, dim=1)[1] * 3, (a,))
    assert gradcheck(lambda t: t.chunk(2)[0], (b,))
    assert gradcheck(lambda t: t.unbind(1)[2], (a,))


def test_setitem_records_copy_slices():
    x = f64(4)
    v = f64(2)
    y = x * 1
    y[1:3] = v * 2
    assert y.grad_fn.name() == "CopySlices"
    y.backward(rg.tensor([1.0, 2.0, 3.0, 4.0], dtype=rg.float64))
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 4.0]
    assert v.grad.tolist() == [4.0, 6.0]
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x[0] = 1.0


def test_repeated_indices_accumulate():
    x = rg.zeros(3, requires_grad=True)
    x[rg.tensor([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
