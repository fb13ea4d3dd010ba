"""``rustgrad.distributions``: probability distributions to sample from and score.

Example:
    >>> from rustgrad.distributions import multinomial
    >>> counts = multinomial.Multinomial(1000, rustgrad.ones([6]) / 6).sample()
    >>> counts.sum().item()
    1000.0
"""

from rustgrad.distributions import multinomial
from rustgrad.distributions.bernoulli import Bernoulli
from rustgrad.distributions.categorical import Categorical
from rustgrad.distributions.distribution import Distribution
from rustgrad.distributions.multinomial import Multinomial
from rustgrad.distributions.normal import Normal
from rustgrad.distributions.uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Multinomial",
    "Normal",
    "Uniform",
    "multinomial",
]
