"""The CI policy of tests/_support.py: a missing tool skips locally and fails in CI."""

import sys

import pytest

from tests import _support


@pytest.mark.parametrize("in_ci, outcome", [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_missing_torch_skips_locally_and_fails_in_ci(monkeypatch, in_ci, outcome):
    monkeypatch.setattr(_support, "IN_CI", in_ci)
    monkeypatch.setitem(sys.modules, "torch", None)      # `import torch` now raises ImportError
    with pytest.raises(outcome, match="PyTorch is not installed"):
        _support.require_torch()


@pytest.mark.parametrize("in_ci, outcome", [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_missing_chromium_skips_locally_and_fails_in_ci(monkeypatch, tmp_path, in_ci, outcome):
    monkeypatch.setattr(_support, "IN_CI", in_ci)
    monkeypatch.setattr(_support, "CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(outcome, match="no Chromium at"):
        _support.require_chromium()
