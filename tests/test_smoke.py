"""A first end-to-end check that the extension imports and computes."""

import rustgrad as rg


def test_add_and_print():
    x = rg.arange(4, dtype=rg.float32)
    assert repr(x + 1) == "tensor([1., 2., 3., 4.])"
    assert (x * 2).tolist() == [0.0, 2.0, 4.0, 6.0]
