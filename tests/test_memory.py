"""Memory use of the public pooling functions (issue 3: "no more than one temporary the size
of the input per call").

tracemalloc sees numpy's array allocations. Each function is called once to warm up (the
kernels keep chunk-sized work buffers between calls), then the peak of a second call is
compared with the bytes of its result: what lies above the result is the call's temporaries,
which must stay within one input's size (plus a little for bookkeeping). The kept work
buffers themselves must not grow with the input.
"""

import threading
import tracemalloc

import numpy as np
import pytest

import poolkit as pk
from poolkit.kernels import _plumbing as KP

SLACK = 256 << 10          # small arrays: index grids, divisor tables, chunk views


def _extra_bytes(f):
    f()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = f()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    arrays = result if isinstance(result, tuple) else (result,)
    return peak - before - sum(a.nbytes for a in arrays)


def _window_ops(x, k, s, p, ceil):
    kw = dict(stride=s, padding=p, ceil_mode=ceil)
    _, idx = pk.max_pool2d(x, k, return_indices=True, **kw)
    g = np.random.default_rng(1).standard_normal(idx.shape).astype(x.dtype)
    return {
        "max": lambda: pk.max_pool2d(x, k, **kw),
        "max+idx": lambda: pk.max_pool2d(x, k, return_indices=True, **kw),
        "max bwd": lambda: pk.max_pool2d_backward(g, x, k, indices=idx, **kw),
        "max bwd, no indices": lambda: pk.max_pool2d_backward(g, x, k, **kw),
        "avg": lambda: pk.avg_pool2d(x, k, **kw),
        "avg bwd": lambda: pk.avg_pool2d_backward(g, x, k, **kw),
    }


CASES = [
    ((4, 64, 64, 64), np.float32, 2, 2, 0, False),     # tiled, several chunks
    ((4, 64, 64, 64), np.float32, 3, 2, 1, False),     # overlapping, padded (staged copy)
    ((2, 16, 57, 61), np.float64, 3, 2, 1, True),      # ceil mode, odd sizes, float64
    ((2, 32, 224, 224), np.float32, 2, 2, 0, False),   # large planes, above the staging size
]


@pytest.mark.parametrize("shape, dtype, k, s, p, ceil", CASES)
def test_window_pooling_keeps_one_temporary_at_most(shape, dtype, k, s, p, ceil):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    x.flat[::97] = np.nan                               # takes the NaN redo path too
    for name, f in _window_ops(x, k, s, p, ceil).items():
        extra = _extra_bytes(f)
        assert extra <= x.nbytes + SLACK, (
            f"{name}: {extra / x.nbytes:.2f} x the input in temporaries")


def test_global_pooling_keeps_one_temporary_at_most():
    x = np.random.default_rng(0).standard_normal((32, 512, 7, 7)).astype(np.float32)
    _, idx = pk.global_max_pool2d(x, return_indices=True)
    g = np.ones((32, 512), np.float32)
    ops = {
        "gmax": lambda: pk.global_max_pool2d(x),
        "gavg": lambda: pk.global_avg_pool2d(x),
        "gmax bwd": lambda: pk.global_max_pool2d_backward(g, x, indices=idx),
        "gmax bwd, no indices": lambda: pk.global_max_pool2d_backward(g, x),
        "gavg bwd": lambda: pk.global_avg_pool2d_backward(g, x),
    }
    for name, f in ops.items():
        extra = _extra_bytes(f)
        assert extra <= x.nbytes + SLACK, f"{name}: {extra / x.nbytes:.2f} x the input"


def test_kept_work_buffers_do_not_grow_with_the_input(monkeypatch):
    monkeypatch.setattr(KP, "scratch", threading.local())     # start from no buffers

    def kept():
        return sum(buf.nbytes for buf in getattr(KP.scratch, "pool", {}).values())

    # 128 planes of 64x64 fill whole 1 MiB chunks; 8x more planes need no larger buffers
    small = np.random.default_rng(0).standard_normal((2, 64, 64, 64)).astype(np.float32)
    large = np.random.default_rng(0).standard_normal((16, 64, 64, 64)).astype(np.float32)
    for f in _window_ops(small, 3, 2, 1, False).values():
        f()
    after_small = kept()
    for f in _window_ops(large, 3, 2, 1, False).values():
        f()
    assert 0 < after_small
    assert kept() == after_small
    assert kept() <= 16 << 20
