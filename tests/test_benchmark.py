"""The benchmark script runs and checks poolkit against PyTorch (no timing is asserted).

Speed is the benchmark's job, not the test suite's; these tests only make sure that
``python benchmarks/bench_pooling.py`` still runs, that its equality checks accept poolkit's
results and reject a wrong one, and that its options work, on tiny workloads.
"""

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

from tests._support import require_torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_pooling",
                                                  ROOT / "benchmarks" / "bench_pooling.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if mod.torch is None:
        require_torch()
    monkeypatch.setattr(mod, "WORKLOADS", {
        "tiny": ((2, 3, 8, 10), 2, 2, 0),
        "tinystem": ((2, 3, 9, 9), 3, 2, 1),
        "gap": ((2, 5, 3, 3), None, None, None),
    })
    monkeypatch.setattr(mod, "copy_bandwidth", lambda *a, **k: 1e10)
    return mod


def test_table_checks_every_op(bench):
    out = io.StringIO()
    rows, misses, header = bench.run(["tiny", "tinystem", "gap"], None, budget=0,
                                     min_reps=1, max_reps=1, out=out)
    ops = {(r[0], r[1]) for r in rows}
    assert ops == {(n, op) for n in ("tiny", "tinystem") for op in bench.WINDOW_OPS} | \
        {("gap", op) for op in bench.GLOBAL_OPS}
    assert all(r[8] in ("exact", "rounding") for r in rows)      # every result was compared
    # max, indices and gradients must agree bit for bit, not merely up to rounding
    assert all(r[8] == "exact" for r in rows if r[1] in ("max", "max+idx", "max bwd", "gmax"))
    assert "torch" in header and "tiny" in out.getvalue()


def test_check_rejects_a_wrong_result(bench):
    x = np.random.default_rng(0).standard_normal((1, 1, 4, 4), dtype=np.float32)
    xt = bench.torch.from_numpy(x)
    theirs = bench.F.max_pool2d(xt, 2, 2)
    ours = theirs.numpy().copy()
    assert bench._check("max", ours, theirs, 1.0) == "exact"
    ours[0, 0, 0, 0] += 1
    with pytest.raises(AssertionError, match="differs from PyTorch"):
        bench._check("max", ours, theirs, 1.0)


def test_bounds_and_markdown(bench, tmp_path):
    out = io.StringIO()
    bench.backward_bounds(["tiny", "tinystem", "gap"], budget=0, out=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("tiny ") for line in lines)
    assert not any(line.startswith("tinystem") for line in lines)   # overlapping windows: skipped
    md = tmp_path / "table.md"
    status = bench.main(["--workloads", "tiny", "--ops", "max", "--budget", "0",
                         "--markdown", str(md)])
    assert status in (0, 1)
    text = md.read_text(encoding="utf-8")
    assert "| tiny | max |" in text and "bench_pooling.py --workloads tiny" in text
