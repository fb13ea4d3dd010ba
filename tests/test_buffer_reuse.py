"""Recycled buffers: results written into reused memory must not show its old contents.

Large results (128 KiB and more) are written into mappings recycled from freed tensors
(`rustgrad._core._cached_bytes()` reports what is kept); smaller ones come from the allocator,
which also hands back memory that held other values. Each test first leaves garbage behind.
"""

import numpy as np
import pytest

import rustgrad as rg
from rustgrad import _core

N = 1 << 18  # 1 MiB of float32


def _leave_garbage(n=N, value=7.5):
    t = rg.full((n,), value)
    del t


def test_freed_large_buffers_are_kept_and_released():
    _core._empty_cache()
    t = rg.ones(N)
    u = t + 1.0
    del u
    assert _core._cached_bytes() >= N * 4
    assert _core._empty_cache() >= N * 4
    assert _core._cached_bytes() == 0


def test_zeros_is_zero_after_garbage():
    _leave_garbage()
    z = rg.zeros(N)
    assert float(z.abs().sum()) == 0.0
    _leave_garbage(1000)
    assert float(rg.zeros(1000).abs().sum()) == 0.0


@pytest.mark.parametrize("n", [3, 1000, N, N + 5])
def test_results_in_recycled_memory(n):
    a_np = np.linspace(-1.0, 1.0, n, dtype=np.float32)
    a = rg.from_numpy(a_np)
    _leave_garbage(n)
    np.testing.assert_array_equal((a + 2.0).numpy(), a_np + np.float32(2.0))
    _leave_garbage(n)
    np.testing.assert_array_equal(a.relu().numpy(), np.maximum(a_np, 0))
    _leave_garbage(n)
    np.testing.assert_array_equal((a > 0).numpy(), a_np > 0)
    _leave_garbage(n)
    np.testing.assert_array_equal(a.to(rg.float64).numpy(), a_np.astype(np.float64))


def test_products_and_copies_in_recycled_memory():
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((300, 200)).astype(np.float32)
    y_np = rng.standard_normal((200, 250)).astype(np.float32)
    x, y = rg.from_numpy(x_np), rg.from_numpy(y_np)
    _leave_garbage(300 * 250)
    np.testing.assert_allclose((x @ y).numpy(), x_np @ y_np, rtol=1e-4, atol=1e-4)
    _leave_garbage(300 * 200)
    np.testing.assert_array_equal(x.T.contiguous().numpy(), x_np.T)
    _leave_garbage(600 * 200)
    np.testing.assert_array_equal(rg.cat([x, x]).numpy(), np.concatenate([x_np, x_np]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_add_and_sub_with_alpha_in_one_pass(dtype):
    rng = np.random.default_rng(1)
    p_np = rng.standard_normal((5, 7)).astype(dtype)
    g_np = rng.standard_normal((5, 7)).astype(dtype)
    a = dtype(-0.1)
    p, g = rg.tensor(p_np), rg.tensor(g_np)
    p.add_(g, alpha=-0.1)
    np.testing.assert_array_equal(p.numpy(), p_np + a * g_np)
    p.sub_(g, alpha=-0.1)
    np.testing.assert_array_equal(p.numpy(), (p_np + a * g_np) - a * g_np)
    q = rg.tensor(p_np)
    q.add_(q, alpha=2)
    np.testing.assert_array_equal(q.numpy(), p_np + dtype(2) * p_np)
    # a transposed destination, and a broadcast source (the general path)
    t = rg.tensor(p_np.T.copy()).T
    t.add_(g, alpha=0.5)
    np.testing.assert_array_equal(t.numpy(), p_np + dtype(0.5) * g_np)
    r = rg.tensor(p_np)
    r.add_(rg.tensor(g_np[0]), alpha=3)
    np.testing.assert_array_equal(r.numpy(), p_np + dtype(3) * g_np[0])


def test_add_with_alpha_keeps_autograd_rules():
    w = rg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(rg.ones(3), alpha=2)
    with rg.no_grad():
        w.add_(rg.ones(3), alpha=2)
    assert w.tolist() == [3.0, 3.0, 3.0]
    x = rg.ones(3, requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    y.add_(rg.ones(3), alpha=0.5)  # recorded: y is a non-leaf
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
