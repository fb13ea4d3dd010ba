"""format(t, spec) and f-strings (spec 1.2, E103): 0-d tensors format their value."""

import pytest

import rustgrad as rg


def test_format_spec_on_0d_tensor_e103():
    l = rg.tensor(0.000123)  # noqa: E741 (the spec's name)
    assert (f"loss {l:f}", f"{float(l):f}") == ("loss 0.000123", "0.000123")


@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        (rg.tensor(2.5), ".2f", "2.50"),
        (rg.tensor(7), "03d", "007"),
        (rg.tensor(True), "", "True"),
        (rg.tensor(1.0, dtype=rg.float64), "e", "1.000000e+00"),
        (rg.tensor(3), "", "3"),
    ],
)
def test_format_0d_values(value, spec, expected):
    assert format(value, spec) == expected


def test_format_of_a_0d_result_with_grad():
    w = rg.tensor([1.0, 2.0], requires_grad=True)
    assert f"{(w * w).sum():.1f}" == "5.0"


def test_empty_spec_on_other_tensors_is_str_and_other_specs_fail():
    t = rg.tensor([1.5, 2.0])
    assert f"{t}" == str(t) == "tensor([1.5000, 2.0000])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{t:f}"  # noqa: B018
