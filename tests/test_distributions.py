"""rustgrad.distributions: sample shapes and dtypes, multinomial counts summing to total_count,
log_prob against closed forms (spec 2.6, 2.7: E87-E92)."""

import math

import numpy as np
import pytest

import rustgrad as rg
from rustgrad import distributions as D
from rustgrad.distributions import multinomial


@pytest.fixture(autouse=True)
def seed():
    rg.manual_seed(0)


def test_imports_and_dir_e92():
    names = dir(rg.distributions)
    assert names == sorted(names)
    for name in ("Distribution", "Multinomial", "multinomial", "__name__", "__doc__"):
        assert name in names
    assert multinomial.Multinomial is D.Multinomial
    assert issubclass(D.Multinomial, D.Distribution)


def test_fair_probs_e87():
    fair_probs = rg.ones([6]) / 6
    assert repr(fair_probs) == "tensor([0.1667, 0.1667, 0.1667, 0.1667, 0.1667, 0.1667])"


@pytest.mark.parametrize("total", [1, 10])
def test_one_sample_e88_e89(total):
    counts = multinomial.Multinomial(total, rg.ones([6]) / 6).sample()
    v = counts.numpy()
    assert counts.dtype == rg.float32 and counts.shape == rg.Size([6])
    assert (v >= 0).all() and (v == np.round(v)).all() and v.sum() == total
    if total == 1:
        assert set(v.tolist()) <= {0.0, 1.0}


def test_relative_frequencies_e90():
    counts = multinomial.Multinomial(1000, rg.ones([6]) / 6).sample()
    freq = counts / 1000
    assert freq.dtype == rg.float32 and freq.shape == rg.Size([6])
    assert abs(freq.sum().item() - 1.0) < 1e-6
    assert np.all(np.abs(freq.numpy() - 1 / 6) < 0.05)


def test_running_estimates_e91():
    fair_probs = rg.ones([6]) / 6
    counts = multinomial.Multinomial(10, fair_probs).sample((500,))
    cum_counts = counts.cumsum(dim=0)
    estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
    assert (counts.shape, estimates.shape, estimates[:, 0].numpy().shape) == (
        rg.Size([500, 6]),
        rg.Size([500, 6]),
        (500,),
    )
    assert (counts.sum(dim=1) == 10).all()
    np.testing.assert_allclose(estimates.sum(dim=1).numpy(), 1.0, rtol=1e-6)
    assert np.all(np.abs(estimates[-1].numpy() - 1 / 6) < 0.04)


def test_multinomial_unnormalised_probs_batch_and_zero_weight():
    probs = rg.tensor([[1.0, 0.0, 3.0], [0.0, 2.0, 0.0]])
    counts = multinomial.Multinomial(400, probs).sample((5,))
    v = counts.numpy()
    assert counts.shape == rg.Size([5, 2, 3])
    assert (v.sum(-1) == 400).all()
    assert (v[:, 0, 1] == 0).all() and (v[:, 1] == [0, 400, 0]).all()
    assert np.abs(v[:, 0, 2].mean() / 400 - 0.75) < 0.05


def test_multinomial_log_prob_closed_form():
    p = [0.2, 0.3, 0.5]
    d = multinomial.Multinomial(5, rg.tensor(p))
    x = [1.0, 1.0, 3.0]
    expected = math.log(math.factorial(5) / (1 * 1 * 6)) + sum(
        xi * math.log(pi) for xi, pi in zip(x, p)
    )
    assert d.log_prob(rg.tensor(x)).item() == pytest.approx(expected, rel=1e-5)
    assert d.mean.tolist() == pytest.approx([1.0, 1.5, 2.5], rel=1e-6)


def test_multinomial_mean_frequency_is_unbiased():
    counts = multinomial.Multinomial(20, rg.tensor([0.1, 0.9])).sample((2000,))
    assert abs(counts.numpy()[:, 0].mean() - 2.0) < 0.1


def test_categorical():
    d = D.Categorical(rg.tensor([1.0, 1.0, 2.0]))
    s = d.sample((4000,))
    assert s.dtype == rg.int64 and s.shape == rg.Size([4000])
    freq = np.bincount(s.numpy(), minlength=3) / 4000
    np.testing.assert_allclose(freq, [0.25, 0.25, 0.5], atol=0.03)
    np.testing.assert_allclose(
        d.log_prob(rg.tensor([0, 2])).numpy(), [math.log(0.25), math.log(0.5)], rtol=1e-5
    )
    batch = D.Categorical(logits=rg.zeros(3, 4))
    assert batch.batch_shape == rg.Size([3]) and batch.sample((2,)).shape == rg.Size([2, 3])
    assert batch.entropy().numpy() == pytest.approx([math.log(4)] * 3, rel=1e-5)
    with pytest.raises(ValueError):
        D.Categorical()


def test_normal():
    d = D.Normal(rg.tensor([0.0, 5.0]), rg.tensor([1.0, 2.0]))
    s = d.sample((5000,))
    assert s.shape == rg.Size([5000, 2]) and not s.requires_grad
    np.testing.assert_allclose(s.numpy().mean(0), [0.0, 5.0], atol=0.1)
    np.testing.assert_allclose(s.numpy().std(0), [1.0, 2.0], rtol=0.05)
    x = rg.tensor([0.5, 4.0])
    expected = [
        -0.5 * 0.25 - 0.5 * math.log(2 * math.pi),
        -(1.0 / 8) - math.log(2) - 0.5 * math.log(2 * math.pi),
    ]
    np.testing.assert_allclose(d.log_prob(x).numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(
        d.entropy().numpy(),
        [0.5 + 0.5 * math.log(2 * math.pi) + math.log(s) for s in (1, 2)],
        rtol=1e-5,
    )
    assert repr(D.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"


def test_normal_rsample_is_differentiable():
    loc = rg.tensor([1.0], requires_grad=True)
    scale = rg.tensor([2.0], requires_grad=True)
    y = D.Normal(loc, scale).rsample((10,))
    y.sum().backward()
    assert loc.grad.tolist() == [10.0]
    assert scale.grad is not None


def test_bernoulli():
    d = D.Bernoulli(rg.tensor([0.2, 0.9]))
    s = d.sample((4000,))
    assert s.dtype == rg.float32 and s.shape == rg.Size([4000, 2])
    assert set(np.unique(s.numpy()).tolist()) <= {0.0, 1.0}
    np.testing.assert_allclose(s.numpy().mean(0), [0.2, 0.9], atol=0.03)
    lp = d.log_prob(rg.tensor([1.0, 0.0])).numpy()
    np.testing.assert_allclose(lp, [math.log(0.2), math.log(0.1)], rtol=1e-5)
    logits = D.Bernoulli(logits=rg.tensor([0.0]))
    assert logits.log_prob(rg.tensor([1.0])).item() == pytest.approx(math.log(0.5), rel=1e-6)


def test_uniform():
    d = D.Uniform(rg.tensor([0.0, -1.0]), rg.tensor([4.0, 1.0]))
    s = d.sample((3000,))
    v = s.numpy()
    assert s.shape == rg.Size([3000, 2])
    assert (v[:, 0] >= 0).all() and (v[:, 0] < 4).all() and (v[:, 1] >= -1).all()
    np.testing.assert_allclose(v.mean(0), [2.0, 0.0], atol=0.1)
    lp = d.log_prob(rg.tensor([1.0, 5.0])).numpy()
    assert lp[0] == pytest.approx(-math.log(4), rel=1e-6) and lp[1] == -np.inf
    np.testing.assert_allclose(d.variance.numpy(), [16 / 12, 4 / 12], rtol=1e-6)
    assert D.Uniform(0.0, 2.0).entropy().item() == pytest.approx(math.log(2), rel=1e-6)


def test_sample_shape_as_int_and_batch_shapes():
    d = D.Normal(rg.zeros(2, 3), 1.0)
    assert d.batch_shape == rg.Size([2, 3]) and d.event_shape == rg.Size([])
    assert d.sample(4).shape == rg.Size([4, 2, 3])
    m = multinomial.Multinomial(3, rg.ones(2, 4))
    assert m.batch_shape == rg.Size([2]) and m.event_shape == rg.Size([4])
    assert m.sample((3,)).shape == rg.Size([3, 2, 4])
