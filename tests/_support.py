"""What the test files share: the CI policy, and the optional tools they need.

In CI (``CI=true``) a missing optional tool is a failure, not a skip: torch for the PyTorch
cross-checks, Chromium and playwright for the browser tests. ``tests/site_conftest.py`` turns
any remaining skip that names one of them into a failure too, so nothing is silently left out.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def missing(what: str, fix: str = "") -> None:
    """Skip the test because ``what`` is missing, or fail it in CI."""
    if IN_CI:
        pytest.fail(f"{what} (CI=true, so this is a failure){': ' + fix if fix else ''}")
    pytest.skip(what)


def require_torch():
    """The torch module, set to one thread; skip (fail in CI) when it is not installed."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        missing("PyTorch is not installed; the PyTorch cross-check is skipped",
                "pip install torch==2.13.0 (CPU wheel)")
    torch.set_num_threads(1)
    return torch


def require_chromium() -> str:
    """The path of headless Chromium; skip (fail in CI) when it is not there."""
    if not Path(CHROMIUM).exists():
        missing(f"no Chromium at {CHROMIUM}", "apt-get install chromium, or set CHROMIUM=/path")
    return CHROMIUM


# ---------------------------------------------------------------- shared data and oracles

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

#: The 4x4 map the library tests compute by hand (not the course's running example).
X4 = np.array(
    [[1, 3, 2, 1],
     [4, 6, 5, 0],
     [7, 2, 9, 8],
     [1, 0, 3, 4]], dtype=np.float64)

#: Hypothesis settings of the property tests over random pooling arguments.
HYP = settings(max_examples=60, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def out_len(n, k, s, p, d, ceil):
    """PyTorch's output length on one axis, written out from the formula, independently of poolkit.

    ``floor`` (or ``ceil``) of ``(n + 2p - d(k-1) - 1) / s``, plus 1; in ceil mode one less when
    the last window would start in the right padding. 0 when no window fits.
    """
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        return 0
    o = (-(-span // s) if ceil else span // s) + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o
