"""Shared fixtures for the poolkit test suite.

Kept deliberately small: a seeded random generator, an independent
central-difference gradient (written here, not taken from ``poolkit.gradcheck``,
so that backward tests do not trust the library to check itself), and the
"torch or skip / fail in CI" switch used by the PyTorch cross-check.
"""


import numpy as np
import pytest

from tests._support import require_torch


@pytest.fixture
def rng():
    """A seeded generator, so that every failure can be reproduced."""
    return np.random.default_rng(20240611)


def _numerical_grad(f, x, grad_out, eps=1e-6):
    """Gradient of ``sum(f(x) * grad_out)`` with respect to ``x`` by central differences.

    ``x`` is copied to float64 and perturbed one entry at a time; ``f`` must return
    an array broadcastable against ``grad_out``.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        plus = float(np.sum(np.asarray(f(x), dtype=np.float64) * grad_out))
        x[idx] = old - eps
        minus = float(np.sum(np.asarray(f(x), dtype=np.float64) * grad_out))
        x[idx] = old
        grad[idx] = (plus - minus) / (2.0 * eps)
    return grad


@pytest.fixture
def num_grad():
    """``num_grad(f, x, grad_out, eps=1e-6)``: central-difference gradient in float64."""
    return _numerical_grad


@pytest.fixture
def distinct(rng):
    """``distinct(shape)``: float64 values that are pairwise at least 0.1 apart.

    A shuffled arithmetic sequence: every max window has a unique argmax that a
    step of 1e-6 cannot flip, so finite differences of max pooling are valid.
    """

    def make(shape):
        n = int(np.prod(shape))
        return (rng.permutation(n).astype(np.float64) * 0.1 - 0.05 * n).reshape(shape)

    return make


@pytest.fixture
def torch_or_skip():
    """Return the ``torch`` module, or skip; in CI (``CI=true``) a missing torch is a failure."""
    return require_torch()
