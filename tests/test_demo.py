"""The main job (python -m rustgrad.demo) and its IPython-style display helper."""

import subprocess
import sys

import rustgrad as rg
from rustgrad import nn
from rustgrad.demo import __main__ as demo
from rustgrad.demo.display import pretty, run_cell
from rustgrad.utils import data


def test_pretty_tuple_layout_e99():
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.copy_(rg.tensor([[2.0, -3.4]]))
    net[0].bias.data.fill_(4.2)
    shown = pretty((net, net(rg.tensor([[1.0, 1.0], [0.0, 2.0]]))))
    assert shown == (
        "(Sequential(\n"
        "   (0): Linear(in_features=2, out_features=1, bias=True)\n"
        " ),\n"
        " tensor([[ 2.8000],\n"
        "         [-2.6000]], grad_fn=<AddmmBackward0>))"
    )


def test_pretty_nested_list_e96():
    features = rg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    labels = rg.tensor([1.0, 2.0, 3.0])
    loader = data.DataLoader(data.TensorDataset(features, labels), 2, shuffle=False)
    assert pretty(list(loader)) == (
        "[[tensor([[1., 2.],\n"
        "          [3., 4.]]),\n"
        "  tensor([1., 2.])],\n"
        " [tensor([[5., 6.]]), tensor([3.])]]"
    )


def test_pretty_short_and_types():
    assert pretty((rg.Size([500, 6]), rg.Size([500, 6]), (500,))) == (
        "(rustgrad.Size([500, 6]), rustgrad.Size([500, 6]), (500,))"
    )
    import numpy as np

    assert pretty((np.ndarray, rg.Tensor)) == "(numpy.ndarray, rustgrad.Tensor)"
    assert pretty((1,)) == "(1,)" and pretty([]) == "[]"


def test_run_cell_displays_last_expression_only():
    ns = {"rg": rg}
    assert run_cell("x = rg.arange(3)\nx + 1", ns) == "tensor([1, 2, 3])"
    assert run_cell("y = 2", ns) is None
    assert run_cell("None", ns) is None


def test_tour_runs_every_example(capsys):
    from rustgrad.demo.tour import run_tour

    lines = []
    assert run_tour(out=lines.append) == 0
    text = "\n".join(lines)
    assert "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11])" in text
    assert (
        "(rustgrad.float32, rustgrad.float32, tensor(1), tensor([0.0000, 2.5000, 5.0000]))" in text
    )
    assert "tensor(28., grad_fn=<MulBackward0>)" in text
    printed = capsys.readouterr().out
    assert (
        "RuntimeError: a Tensor with 2 elements cannot be converted to Scalar\n"
        "ValueError: only one element tensors can be converted to Python scalars\n"
        "RuntimeError: Boolean value of Tensor with more than one value is ambiguous\n"
        "TypeError: len() of a 0-d tensor\n"
        "RuntimeError: mean(): could not infer output dtype. Input dtype must be either a floating "
        "point or complex dtype. Got: Long\n"
        "RuntimeError: The size of tensor a (3) must match the size of tensor b (2) at "
        "non-singleton dimension 1\n"
        "RuntimeError: shape '[5, 3]' is invalid for input of size 12\n"
    ) in printed


def test_demo_main_trains_and_writes_plot(tmp_path, capsys):
    out = tmp_path / "curves.png"
    assert demo.main(["--no-tour", "--epochs", "2", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "error in estimating w" in text
    assert text.count("epoch  2:") == 3
    try:
        import matplotlib  # noqa: F401  (an optional extra: `pip install 'rustgrad[demo]'`)
    except ImportError:
        assert "matplotlib is not installed: no plot written" in text
        assert not out.exists()
        return
    assert f"plot written to {out}" in text
    assert out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_with_idx_data_dir(tmp_path, capsys):
    import numpy as np

    from rustgrad.data_utils.idx import write_idx

    rng = np.random.default_rng(0)
    for prefix, n in (("train", 64), ("t10k", 32)):
        write_idx(
            str(tmp_path / f"{prefix}-images-idx3-ubyte.gz"),
            rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        )
        write_idx(
            str(tmp_path / f"{prefix}-labels-idx1-ubyte.gz"),
            rng.integers(0, 10, n).astype(np.uint8),
        )
    args = [
        "--no-tour",
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--data-dir",
        str(tmp_path),
        "--out",
        str(tmp_path / "p.png"),
    ]
    assert demo.main(args) == 0
    text = capsys.readouterr().out
    assert "Fashion-MNIST IDX files" in text and "(64 training / 32 test images)" in text
    assert "Linear(in_features=784, out_features=256, bias=True)" in text


def test_demo_help_as_a_module():
    res = subprocess.run(
        [sys.executable, "-m", "rustgrad.demo", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in ("--data-dir", "--epochs", "--batch-size", "--out", "--no-tour"):
        assert option in res.stdout
