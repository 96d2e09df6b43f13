"""Tests of the fast kernels in ``poolkit.kernels``, called directly on planes.

Expected values come from two independent sources:

* a plain-loop reference written here (not the library's naive functions), which
  spells out PyTorch's CPU rules cell by cell: windows visited in row-major order,
  the running maximum replaced when ``v > max or isnan(v)``, the start index of a
  window stepped by the dilation until it is non-negative, gradients accumulated
  in row-major order of the outputs;
* PyTorch itself when it is installed (skipped otherwise, but a failure when the
  environment variable ``CI`` is ``"true"``).

The kernels process planes in chunks and have special branches (padded buffer,
NaN redo, ``-inf`` fix-up, one-shot scatter of the max gradient with its check
and the sequential scatter-add behind it, repeated tiles for the average
backward). The chunk size is shrunk so that small inputs cross several chunks,
and the hand-picked geometries name the branch they are there for.
"""

import math

import numpy as np
import pytest

from tests._support import out_len, require_torch

from poolkit import geometry as G
from poolkit import kernels as K
from poolkit.kernels import _plumbing as KP

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover - depends on the environment
    torch = None
else:
    torch.set_num_threads(1)             # tiny tensors: threads only add waiting

pytestmark = pytest.mark.filterwarnings("error")   # no warning may escape a kernel


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Chunks of about two small planes, so that every loop runs several times."""
    monkeypatch.setattr(KP, "CHUNK_BYTES", 700)


def need_torch():
    if torch is None:
        require_torch()


# ---------------------------------------------------------------------------
# the plain-loop reference
# ---------------------------------------------------------------------------


def lowest(dtype):
    return -math.inf if dtype.kind == "f" else int(np.iinfo(dtype).min)


def ref_max(x, k, s, p, d, out_hw):
    P, H, W = x.shape
    out = np.empty((P,) + out_hw, x.dtype)
    idx = np.empty((P,) + out_hw, np.int64)
    for n in range(P):
        for oh in range(out_hw[0]):
            for ow in range(out_hw[1]):
                top, left = oh * s[0] - p[0], ow * s[1] - p[1]
                r0, c0 = top, left
                while r0 < 0:
                    r0 += d[0]
                while c0 < 0:
                    c0 += d[1]
                best, where = lowest(x.dtype), r0 * W + c0
                for i in range(k[0]):
                    r = top + i * d[0]
                    for j in range(k[1]):
                        c = left + j * d[1]
                        if 0 <= r < H and 0 <= c < W:
                            v = x[n, r, c].item()
                            if v > best or v != v:
                                best, where = v, r * W + c
                out[n, oh, ow], idx[n, oh, ow] = best, where
    return out, idx


def ref_max_backward(g, idx, hw):
    P = g.shape[0]
    gx = np.zeros((P, hw[0] * hw[1]), g.dtype)
    for n in range(P):
        for o, i in zip(g[n].ravel(), idx[n].ravel()):
            if 0 <= i < gx.shape[1]:
                gx[n, i] += o            # dtype arithmetic, in output order
    return gx.reshape((P,) + tuple(hw))


def ref_divisor(oh, ow, hw, k, s, p, cip, dov):
    if dov is not None:
        return dov
    sizes = []
    for o, n, kk, ss, pp in zip((oh, ow), hw, k, s, p):
        start = o * ss - pp
        end = min(start + kk, n + pp)
        pool = end - start
        valid = min(end, n) - max(start, 0)
        sizes.append(pool if cip else valid)
    return sizes[0] * sizes[1]


def ref_avg(x, k, s, p, out_hw, cip, dov):
    P, H, W = x.shape
    t = x.dtype.type
    out = np.empty((P,) + out_hw, x.dtype)
    for n in range(P):
        for oh in range(out_hw[0]):
            for ow in range(out_hw[1]):
                acc = t(0)
                for i in range(k[0]):
                    for j in range(k[1]):
                        r, c = oh * s[0] - p[0] + i, ow * s[1] - p[1] + j
                        if 0 <= r < H and 0 <= c < W:
                            acc = acc + x[n, r, c]
                out[n, oh, ow] = acc / t(ref_divisor(oh, ow, (H, W), k, s, p, cip, dov))
    return out


def ref_avg_backward(g, hw, k, s, p, cip, dov):
    P, OH, OW = g.shape
    H, W = hw
    t = g.dtype.type
    gx = np.zeros((P, H, W), g.dtype)
    for n in range(P):
        for oh in range(OH):
            for ow in range(OW):
                share = g[n, oh, ow] / t(ref_divisor(oh, ow, hw, k, s, p, cip, dov))
                for i in range(k[0]):
                    for j in range(k[1]):
                        r, c = oh * s[0] - p[0] + i, ow * s[1] - p[1] + j
                        if 0 <= r < H and 0 <= c < W:
                            gx[n, r, c] += share
    return gx


def ref_global_argmax(plane):
    best, where = -math.inf, 0
    for i, v in enumerate(plane.ravel().tolist()):
        if v > best or v != v:
            best, where = v, i
    return where


def close_avg(got, want, x, k, s, p, out_hw, cip, dov):
    """Average pooling up to the rounding of a sum taken in another order.

    poolkit sums a window separably, PyTorch (and the reference) cell by cell:
    both are within ``(m - 1) * eps * sum|x|`` of the exact sum of the ``m`` cells,
    so they differ by at most twice that (divided by the same divisor).
    """
    assert got.shape == want.shape and got.dtype == want.dtype
    bad = ~np.isfinite(want)
    assert np.array_equal(got[bad], want[bad], equal_nan=True)
    m = k[0] * k[1]
    scale = ref_avg(np.abs(np.where(np.isfinite(x), x, 0)), k, s, p, out_hw, cip, dov)
    tol = 2 * m * np.finfo(got.dtype).eps * scale + np.finfo(got.dtype).tiny
    diff = np.abs(got[~bad] - want[~bad])
    assert (diff <= tol[~bad]).all(), diff.max()


def same(a, b):
    """Equal shapes, dtypes and values (NaN equal to NaN)."""
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.shape, b.dtype)
    assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), np.argwhere(
        ~((a == b) | ((a != a) & (b != b))))[:5]


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------

def tie_heavy(rng, shape, dtype=np.float32, nan=0.0, neginf=0.0):
    """Small integer values (many ties), optionally some NaN and -inf."""
    x = rng.integers(-3, 4, shape).astype(dtype)
    if nan:
        x[rng.random(shape) < nan] = np.nan
    if neginf:
        x[rng.random(shape) < neginf] = -np.inf
    return x


def random_geometry(rng, dilation=True):
    """A valid PyTorch geometry: padding <= kernel // 2, at least one output."""
    while True:
        H, W = (int(v) for v in rng.integers(1, 14, 2))
        k = tuple(int(v) for v in rng.integers(1, 5, 2))
        s = tuple(int(v) for v in rng.integers(1, 5, 2))
        p = tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k)
        d = tuple(int(v) for v in rng.integers(1, 4, 2)) if dilation else (1, 1)
        ceil = bool(rng.integers(2))
        out_hw = (out_len(H, k[0], s[0], p[0], d[0], ceil), out_len(W, k[1], s[1], p[1], d[1], ceil))
        if min(out_hw) >= 1:
            return (H, W), k, s, p, d, ceil, out_hw


# hand-picked geometries: (H, W), kernel, stride, padding, dilation, ceil, branch exercised
FIXED = [
    ((8, 8), (2, 2), (2, 2), (0, 0), (1, 1), False, "k == s, uint64 pair tiles (avg backward)"),
    ((9, 7), (2, 2), (2, 2), (0, 0), (1, 1), False, "k == s, odd size: leftover row and column"),
    ((7, 7), (2, 2), (2, 2), (1, 1), (1, 1), True, "ceil mode overhang and padding"),
    ((6, 9), (3, 3), (3, 3), (0, 0), (1, 1), False, "k == s == 3: tiles copied per offset"),
    ((9, 9), (3, 3), (2, 2), (1, 1), (1, 1), False, "k > s: overlap (the 'stem' layer)"),
    ((8, 8), (3, 3), (1, 1), (1, 1), (1, 1), False, "stride 1, heavy overlap"),
    ((10, 10), (2, 2), (3, 3), (0, 0), (1, 1), False, "k < s: gaps between windows"),
    ((1, 13), (1, 3), (1, 2), (0, 1), (1, 1), False, "1-D pooling as a plane of height 1"),
    ((1, 2), (1, 2), (1, 1), (0, 1), (1, 3), False, "a window of padding only"),
    ((5, 11), (2, 3), (1, 2), (1, 1), (3, 2), True, "dilation with padding and ceil mode"),
    ((12, 12), (4, 4), (4, 4), (2, 2), (1, 1), False, "k == s with padding"),
]


def fixed_cases():
    for hw, k, s, p, d, ceil, why in FIXED:
        out_hw = tuple(out_len(hw[a], k[a], s[a], p[a], d[a], ceil) for a in range(2))
        yield pytest.param(hw, k, s, p, d, ceil, out_hw, id=why)


# ---------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("hw, k, s, p, d, ceil, out_hw", list(fixed_cases()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.uint8])
def test_max_pool_matches_reference(tiny_chunks, rng, hw, k, s, p, d, ceil, out_hw, dtype):
    x = tie_heavy(rng, (5,) + hw, dtype) if dtype != np.uint8 else \
        rng.integers(0, 3, (5,) + hw).astype(np.uint8)
    if dtype == np.int32:
        x[0] = np.iinfo(np.int32).min   # a plane of the lowest integer: ties with the padding
    keep = x.copy()
    for want_idx in (True, False):
        out, idx = K.max_planes(x, k, s, p, d, out_hw, want_idx)
        r_out, r_idx = ref_max(x, k, s, p, d, out_hw)
        same(out, r_out)
        if want_idx:
            same(idx, r_idx)
        else:
            assert idx is None
    same(x, keep)                        # the input is not modified


@pytest.mark.parametrize("hw, k, s, p, d, ceil, out_hw", list(fixed_cases()))
def test_max_pool_nan_and_neginf(tiny_chunks, rng, hw, k, s, p, d, ceil, out_hw):
    """NaN chunks are redone with the NaN rule; -inf windows get PyTorch's start index."""
    x = tie_heavy(rng, (6,) + hw, nan=0.08, neginf=0.25)
    x[1] = -np.inf                       # a whole plane of -inf
    x[2] = 1.0                           # a clean plane between dirty ones
    out, idx = K.max_planes(x, k, s, p, d, out_hw, True)
    r_out, r_idx = ref_max(x, k, s, p, d, out_hw)
    same(out, r_out)
    same(idx, r_idx)
    same(K.max_planes(x, k, s, p, d, out_hw, False)[0], r_out)


def test_max_pool_random_geometries(tiny_chunks, rng):
    for _ in range(60):
        hw, k, s, p, d, ceil, out_hw = random_geometry(rng)
        x = tie_heavy(rng, (3,) + hw, nan=0.03, neginf=0.1)
        out, idx = K.max_planes(x, k, s, p, d, out_hw, True)
        r_out, r_idx = ref_max(x, k, s, p, d, out_hw)
        same(out, r_out)
        same(idx, r_idx)


@pytest.mark.parametrize("stage_bytes", [0, 1 << 40], ids=["staged", "in place"])
def test_staged_and_in_place_chunks(tiny_chunks, monkeypatch, rng, stage_bytes):
    """Large inputs are copied chunk by chunk into a buffer first; small ones are read in place."""
    monkeypatch.setattr(KP, "STAGE_BYTES", stage_bytes)
    for _ in range(25):
        hw, k, s, p, d, ceil, out_hw = random_geometry(rng)
        x = tie_heavy(rng, (3,) + hw, nan=0.03, neginf=0.1)
        r_out, r_idx = ref_max(x, k, s, p, d, out_hw)
        same(K.max_planes(x, k, s, p, d, out_hw, False)[0], r_out)
        out, idx = K.max_planes(x, k, s, p, d, out_hw, True)
        same(out, r_out)
        same(idx, r_idx)
        if d == (1, 1):
            xf = rng.standard_normal((3,) + hw).astype(np.float32)
            close_avg(K.avg_planes(xf, k, s, p, out_hw, True, None),
                      ref_avg(xf, k, s, p, out_hw, True, None), xf, k, s, p, out_hw, True, None)


@pytest.mark.parametrize("split_max_ow, int32_limit", [(0, 2 ** 31), (1 << 30, 2 ** 31), (1 << 30, 0)],
                         ids=["rows in place", "rows split", "int64 indexing"])
def test_argmax_row_layouts(tiny_chunks, monkeypatch, rng, split_max_ow, int32_limit):
    """Max with indices reduces window rows in place or, for narrow outputs whose windows share
    no row, in separate blocks, and builds indices in int32 unless a plane is too large: every
    variant gives the reference on every geometry."""
    monkeypatch.setattr(KP, "SPLIT_MAX_OW", split_max_ow)
    monkeypatch.setattr(KP, "INT32_INDICES", int32_limit)
    cases = [(hw, k, s, p, d, out_hw) for hw, k, s, p, d, ceil, why in FIXED
             for out_hw in [tuple(out_len(hw[a], k[a], s[a], p[a], d[a], ceil) for a in range(2))]]
    for _ in range(40):
        hw, k, s, p, d, ceil, out_hw = random_geometry(rng)
        cases.append((hw, k, s, p, d, out_hw))
    for hw, k, s, p, d, out_hw in cases:
        for dtype in (np.float32, np.int32):
            if dtype == np.float32:
                x = tie_heavy(rng, (5,) + hw, nan=0.05, neginf=0.15)
            else:
                x = tie_heavy(rng, (5,) + hw, dtype)
            out, idx = K.max_planes(x, k, s, p, d, out_hw, True)
            r_out, r_idx = ref_max(x, k, s, p, d, out_hw)
            same(out, r_out)
            same(idx, r_idx)


def test_max_pool_non_contiguous_input(rng):
    x = tie_heavy(rng, (4, 9, 10)).transpose(0, 2, 1)[:, ::-1]     # (4, 10, 9), odd strides
    out, idx = K.max_planes(x, (2, 3), (2, 2), (1, 1), (1, 1), (6, 5), True)
    r_out, r_idx = ref_max(np.ascontiguousarray(x), (2, 3), (2, 2), (1, 1), (1, 1), (6, 5))
    same(out, r_out)
    same(idx, r_idx)


def test_max_pool_hand_cases():
    # ties: the first maximum in row-major order wins, not the first in column order
    x = np.array([[[1., 5.], [5., 1.]]], np.float32)
    out, idx = K.max_planes(x, (2, 2), (2, 2), (0, 0), (1, 1), (1, 1), True)
    assert (out.item(), idx.item()) == (5.0, 1)
    # NaN: the last NaN in row-major order is recorded
    x = np.array([[[np.nan, 9.], [np.nan, 2.]]], np.float32)
    out, idx = K.max_planes(x, (2, 2), (2, 2), (0, 0), (1, 1), (1, 1), True)
    assert np.isnan(out.item()) and idx.item() == 2
    # all -inf with left padding: the first real cell
    x = np.full((1, 1, 3), -np.inf, np.float32)
    out, idx = K.max_planes(x, (1, 2), (1, 2), (0, 1), (1, 1), (1, 2), True)
    assert out.tolist() == [[[-np.inf, -np.inf]]] and idx.tolist() == [[[0, 1]]]
    # W=2, k=2, dilation=3, padding=1: the window is padding only; PyTorch reports index 2
    x = np.array([[[5., 7.]]], np.float32)
    out, idx = K.max_planes(x, (1, 2), (1, 1), (0, 1), (1, 3), (1, 1), True)
    assert out.tolist() == [[[-np.inf]]] and idx.tolist() == [[[2]]]


# ---------------------------------------------------------------------------
# max pooling, backward
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("hw, k, s, p, d, ceil, out_hw", list(fixed_cases()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_backward_matches_reference(tiny_chunks, rng, hw, k, s, p, d, ceil, out_hw, dtype):
    x = tie_heavy(rng, (5,) + hw, dtype, nan=0.02, neginf=0.05)
    _, idx = K.max_planes(x, k, s, p, d, out_hw, True)
    g = rng.standard_normal(idx.shape).astype(dtype)
    g[0, 0, 0] = np.nan                  # gradients pass bit for bit, even NaN and -0.0
    g.flat[-1] = -0.0
    keep_g, keep_i = g.copy(), idx.copy()
    gx = K.max_planes_backward(g, idx, hw)
    same(gx, ref_max_backward(g, idx, hw))
    same(g, keep_g)
    same(idx, keep_i)


def test_max_backward_random_geometries(tiny_chunks, rng):
    for _ in range(60):
        hw, k, s, p, d, ceil, out_hw = random_geometry(rng)
        x = tie_heavy(rng, (3,) + hw)
        _, idx = K.max_planes(x, k, s, p, d, out_hw, True)
        g = rng.standard_normal(idx.shape).astype(np.float32)
        same(K.max_planes_backward(g, idx, hw), ref_max_backward(g, idx, hw))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_backward_repeated_indices(tiny_chunks, rng, dtype):
    """Repeated indices make the one-shot assignment lose gradients: detected, scatter-add instead."""
    g = rng.standard_normal((7, 4, 4)).astype(dtype)
    idx = rng.integers(0, 64, (7, 4, 4))
    idx[3] = 5                           # one cell receives a whole plane of gradients
    same(K.max_planes_backward(g, idx, (8, 8)), ref_max_backward(g, idx, (8, 8)))
    idx[1, 0, 0], idx[2, 1, 1], idx[4, 2, 2] = -1, 64, 70   # outside the plane: dropped
    same(K.max_planes_backward(g, idx, (8, 8)), ref_max_backward(g, idx, (8, 8)))
    same(K.max_planes_backward(g, idx.astype(np.int32), (8, 8)), ref_max_backward(g, idx, (8, 8)))
    # one repeated index in a late chunk, after clean chunks written in one shot
    _, good = K.max_planes(tie_heavy(rng, (7, 8, 8), dtype), (2, 2), (2, 2), (0, 0), (1, 1),
                           (4, 4), True)
    good[5, 1, 1] = 0
    same(K.max_planes_backward(g, good, (8, 8)), ref_max_backward(g, good, (8, 8)))


def test_max_backward_accumulates_in_output_order():
    """Three windows send gradients to one cell; float32 sums depend on the order."""
    g = np.array([[[1e8, -1e8, 1.0]]], np.float32)
    idx = np.array([[[1, 1, 1]]])
    # (0 + 1e8) - 1e8 + 1 = 1 in float32; the reverse order gives (1 - 1e8) + 1e8 = 0
    assert K.max_planes_backward(g, idx, (1, 3)).tolist() == [[[0.0, 1.0, 0.0]]]


# ---------------------------------------------------------------------------
# average pooling
# ---------------------------------------------------------------------------

AVG_OPTIONS = [(True, None), (False, None), (True, 3), (False, 5)]


@pytest.mark.parametrize("hw, k, s, p, d, ceil, out_hw", [c for c in fixed_cases()
                                                          if c.values[4] == (1, 1)])
@pytest.mark.parametrize("cip, dov", AVG_OPTIONS)
def test_avg_pool_matches_reference(tiny_chunks, rng, hw, k, s, p, d, ceil, out_hw, cip, dov):
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((5,) + hw).astype(dtype)
        x[1, 0, 0] = np.nan
        x[2, 0, 0] = np.inf
        keep = x.copy()
        close_avg(K.avg_planes(x, k, s, p, out_hw, cip, dov), ref_avg(x, k, s, p, out_hw, cip, dov),
                  x, k, s, p, out_hw, cip, dov)
        same(x, keep)
        g = rng.standard_normal((5,) + out_hw).astype(dtype)
        g[3, 0, 0] = np.nan
        same(K.avg_planes_backward(g, hw, k, s, p, cip, dov),
             ref_avg_backward(g, hw, k, s, p, cip, dov))


def test_avg_pool_random_geometries(tiny_chunks, rng):
    for _ in range(60):
        hw, k, s, p, _, ceil, out_hw = random_geometry(rng, dilation=False)
        cip, dov = AVG_OPTIONS[rng.integers(len(AVG_OPTIONS))]
        x = rng.standard_normal((3,) + hw).astype(np.float32)
        close_avg(K.avg_planes(x, k, s, p, out_hw, cip, dov), ref_avg(x, k, s, p, out_hw, cip, dov),
                  x, k, s, p, out_hw, cip, dov)
        g = rng.standard_normal((3,) + out_hw).astype(np.float32)
        same(K.avg_planes_backward(g, hw, k, s, p, cip, dov),
             ref_avg_backward(g, hw, k, s, p, cip, dov))


def test_avg_pool_float16_sums_in_float32(rng):
    x = rng.standard_normal((2, 6, 6)).astype(np.float16)
    got = K.avg_planes(x, (3, 3), (3, 3), (0, 0), (2, 2), True, None)
    x32 = x.astype(np.float32)
    want = ref_avg(x32, (3, 3), (3, 3), (0, 0), (2, 2), True, None)
    # float32 sums rounded once to float16 (a float16 sum would be off by several ulps)
    assert got.dtype == np.float16
    np.testing.assert_allclose(got, want, rtol=np.finfo(np.float16).eps)


def test_avg_backward_overlap_order():
    """An input cell shared by three windows gets their shares in output order."""
    g = np.array([[[1e8, -1e8, 1.0]]], np.float32)
    gx = K.avg_planes_backward(g, (1, 3), (1, 3), (1, 1), (0, 1), True, 1)
    # cell 1 is in all three windows: (1e8 - 1e8) + 1 = 1 in float32, the reverse order gives 0;
    # cell 0 gets 1e8 - 1e8 = 0, cell 2 gets -1e8 + 1 = -1e8 (rounded)
    assert gx.tolist() == [[[0.0, 1.0, -1e8]]]


# ---------------------------------------------------------------------------
# global pooling
# ---------------------------------------------------------------------------

def test_global_pool(rng):
    x = tie_heavy(rng, (6, 5, 7), nan=0.0)
    x[1, 2, 3] = np.nan
    x[1, 4, 0] = np.nan
    x[2] = -np.inf
    mx = K.global_planes(x, "max")
    assert np.isnan(mx[1]) and mx[2] == -np.inf
    same(mx[[0, 3, 4, 5]], x[[0, 3, 4, 5]].reshape(4, -1).max(axis=1))
    avg = K.global_planes(x.astype(np.float64), "avg")
    np.testing.assert_allclose(avg[[0, 3]], [x[0].mean(dtype=np.float64),
                                             x[3].mean(dtype=np.float64)], rtol=1e-12)
    g = rng.standard_normal(6).astype(np.float32)
    gx = K.global_planes_backward(g, x, "max")
    for n in range(6):
        want = np.zeros(35, np.float32)
        want[ref_global_argmax(x[n])] = g[n]
        same(gx[n].ravel(), want)
    idx = K.global_max_positions(x)
    assert idx.dtype == np.int64
    assert idx.tolist() == [ref_global_argmax(x[n]) for n in range(6)]
    same(K.global_planes_backward(g, x, "max", idx), gx)          # given the forward's indices
    same(K.global_max_positions(x[:, ::-1]), np.array(           # non-contiguous planes
        [ref_global_argmax(x[n, ::-1]) for n in range(6)]))
    gx = K.global_planes_backward(g, x, "avg")
    same(gx, np.broadcast_to((g / np.float32(35))[:, None, None], x.shape).copy())
    xi = rng.integers(-5, 5, (4, 3, 3)).astype(np.int16)        # integer planes
    same(K.global_planes(xi, "max"), xi.reshape(4, -1).max(axis=1))


# ---------------------------------------------------------------------------
# against PyTorch
# ---------------------------------------------------------------------------

def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))[None]


def test_against_torch_random(tiny_chunks, rng):
    need_torch()
    for trial in range(90):
        hw, k, s, p, d, ceil, out_hw = random_geometry(rng)
        dtype = [np.float32, np.float64, np.int32][trial % 3]
        x = tie_heavy(rng, (4,) + hw, dtype, nan=0.03 if dtype != np.int32 else 0,
                      neginf=0.1 if dtype != np.int32 else 0)
        out, idx = K.max_planes(x, k, s, p, d, out_hw, True)
        t_out, t_idx = F.max_pool2d(_t(x), k, s, p, d, ceil_mode=ceil, return_indices=True)
        same(out, t_out[0].numpy())
        same(idx, t_idx[0].numpy())
        same(K.max_planes(x, k, s, p, d, out_hw, False)[0],
             F.max_pool2d(_t(x), k, s, p, d, ceil_mode=ceil)[0].numpy())
        if dtype == np.int32 or idx.max() >= hw[0] * hw[1]:
            continue                     # PyTorch writes outside the plane for such indices
        g = rng.standard_normal(out.shape).astype(dtype)
        t_gx = torch.ops.aten.max_pool2d_with_indices_backward(
            _t(g), _t(x), k, s, p, d, ceil, t_idx)
        same(K.max_planes_backward(g, idx, hw), t_gx[0].numpy())
        if d != (1, 1):
            continue
        for cip, dov in AVG_OPTIONS:
            xf = rng.standard_normal((4,) + hw).astype(np.float32)
            close_avg(K.avg_planes(xf, k, s, p, out_hw, cip, dov),
                      F.avg_pool2d(_t(xf), k, s, p, ceil, cip, dov)[0].numpy(),
                      xf, k, s, p, out_hw, cip, dov)
            gf = rng.standard_normal((4,) + out_hw).astype(np.float32)
            t_gx = torch.ops.aten.avg_pool2d_backward(_t(gf), _t(xf), k, s, p, ceil, cip, dov)
            same(K.avg_planes_backward(gf, hw, k, s, p, cip, dov), t_gx[0].numpy())


@pytest.mark.parametrize("shape, k, s, p", [
    ((200, 40, 40), 2, 2, 0),            # vgg-like: two default-size (1 MiB) chunks
    ((40, 33, 35), 3, 2, 1),             # stem-like, odd sizes
    ((9, 224, 224), 2, 2, 0),            # large planes, one plane per chunk
])
def test_against_torch_default_chunks(rng, shape, k, s, p):
    """Workload-like shapes with the real chunk size, ReLU-like data (ties at 0)."""
    need_torch()
    x = np.maximum(rng.standard_normal(shape), 0).astype(np.float32)
    xt = _t(x)
    OH = (shape[1] + 2 * p - k) // s + 1
    OW = (shape[2] + 2 * p - k) // s + 1
    out, idx = K.max_planes(x, (k, k), (s, s), (p, p), (1, 1), (OH, OW), True)
    t_out, t_idx = F.max_pool2d(xt, k, s, p, return_indices=True)
    same(out, t_out[0].numpy())
    same(idx, t_idx[0].numpy())
    same(K.max_planes(x, (k, k), (s, s), (p, p), (1, 1), (OH, OW), False)[0], t_out[0].numpy())
    g = rng.standard_normal(out.shape).astype(np.float32)
    t_gx = torch.ops.aten.max_pool2d_with_indices_backward(
        _t(g), xt, (k, k), (s, s), (p, p), (1, 1), False, t_idx)
    same(K.max_planes_backward(g, idx, shape[1:]), t_gx[0].numpy())
    np.testing.assert_allclose(K.avg_planes(x, (k, k), (s, s), (p, p), (OH, OW), True, None),
                               F.avg_pool2d(xt, k, s, p)[0].numpy(), rtol=4 * k * k * 1.2e-7,
                               atol=1e-7)
    t_gx = torch.ops.aten.avg_pool2d_backward(_t(g), xt, (k, k), (s, s), (p, p), False, True, None)
    same(K.avg_planes_backward(g, shape[1:], (k, k), (s, s), (p, p), True, None), t_gx[0].numpy())


def test_global_against_torch(rng):
    need_torch()
    x = tie_heavy(rng, (64, 7, 7), nan=0.01)
    x[3] = -np.inf
    xt = _t(x)
    t_out, t_idx = F.adaptive_max_pool2d(xt, 1, return_indices=True)
    same(K.global_planes(x, "max"), t_out[0, :, 0, 0].numpy())
    g = rng.standard_normal(64).astype(np.float32)
    t_gx = torch.ops.aten.adaptive_max_pool2d_backward(_t(g)[..., None, None], xt, t_idx)
    same(K.global_planes_backward(g, x, "max"), t_gx[0].numpy())
    same(K.global_max_positions(x), t_idx[0, :, 0, 0].numpy())
    xf = rng.standard_normal((64, 7, 7)).astype(np.float32)
    np.testing.assert_allclose(K.global_planes(xf, "avg"),
                               F.adaptive_avg_pool2d(_t(xf), 1)[0, :, 0, 0].numpy(),
                               rtol=1e-6, atol=1e-7)


# --- the caches behind the kernels: repeated calls must not see stale or shared state ---------

@pytest.mark.parametrize("hw, k, s, p, cip", [
    ((7, 6), (3, 2), (2, 2), (1, 1), True),
    ((7, 6), (3, 2), (2, 2), (1, 1), False),
    ((5, 5), (2, 2), (2, 2), (0, 0), True),     # ceil-mode style overhang: out (3, 3)
])
def test_divisors_cached_read_only_and_equal_to_reference(hw, k, s, p, cip):
    out = tuple((n + 2 * pp - kk + ss - 1) // ss + 1 for n, kk, ss, pp in zip(hw, k, s, p))
    first = G.divisors(hw, out, k, s, p, cip, None)
    again = G.divisors(hw, out, k, s, p, cip, None)
    ref = np.array([[ref_divisor(i, j, hw, k, s, p, cip, None) for j in range(out[1])]
                    for i in range(out[0])])
    if isinstance(first, int):
        assert (ref == first).all()
        return
    assert again is first                       # served from the cache
    np.testing.assert_array_equal(first, ref)
    with pytest.raises(ValueError):             # a caller cannot corrupt the shared table
        first[0, 0] = 99


def test_divisors_constant_when_no_window_reaches_padding():
    # every 2x2 window lies inside a 6x4 input: one divisor, whatever count_include_pad says
    for cip in (True, False):
        assert G.divisors((6, 4), (3, 2), (2, 2), (2, 2), (0, 0), cip, None) == 4
    assert G.divisors((6, 4), (3, 2), (2, 2), (2, 2), (0, 0), True, 3) == 3


def test_temp_view_follows_a_replaced_buffer():
    small = KP.temp("test.t", (4,), np.float32)
    big = KP.temp("test.t", (1 << 16,), np.float32)        # outgrows the buffer: new one
    again = KP.temp("test.t", (4,), np.float32)
    assert np.shares_memory(again, big)
    assert not np.shares_memory(again, small)
    other = KP.temp("test.u", (4,), np.float32)             # another name: its own memory
    assert not np.shares_memory(other, again)


def test_kernels_repeatable_with_cached_buffers(rng):
    # the same call twice, with a differently shaped call in between, gives the same results
    x = tie_heavy(rng, (5, 9, 8), nan=0.02)
    args = ((3, 2), (2, 2), (1, 0), (1, 1), (5, 4), True)
    out1, idx1 = K.max_planes(x, *args)
    K.max_planes(tie_heavy(rng, (40, 30, 31)), (2, 2), (2, 2), (0, 0), (1, 1), (15, 15), True)
    out2, idx2 = K.max_planes(x, *args)
    same(out1, out2)
    same(idx1, idx2)
    ref_out, ref_idx = ref_max(x, *args[:-1])
    same(out1, ref_out)
    same(idx1, ref_idx)


# --- the kernels' plumbing and bit tricks, one by one ------------------------------------

def test_select_is_a_branch_free_where():
    rng = np.random.default_rng(5)
    a = rng.integers(0, 200, 1000).astype(np.uint8)
    b = rng.integers(0, 200, 1000).astype(np.uint8)
    m = (rng.random(1000) < 0.5).astype(np.uint8)
    out, tmp = np.empty_like(a), np.empty_like(a)
    KP.select(m, a, b, out, tmp)
    same(out, np.where(m.astype(bool), b, a))


def test_write_pairs_puts_each_value_in_two_adjacent_cells():
    g = np.array([[1.5, -2.0, np.inf], [0.0, -0.0, 3.25]], dtype=np.float32)
    dst = np.empty((2, 6), dtype=np.float32)
    KP.write_pairs(dst.view(np.uint64), g)
    same(dst, np.repeat(g, 2, axis=1))


def test_no_write_lost_detects_a_repeated_index():
    g = np.array([1.0, 2.0, 3.0])
    gx = np.zeros(4)
    gx[[0, 1, 2]] = g
    assert KP.no_write_lost(gx, g)
    gx = np.zeros(4)
    gx[[0, 1, 1]] = g                 # 2.0 overwritten by 3.0: one value lost
    assert not KP.no_write_lost(gx, g)
    gx = np.zeros(4)
    gx[[0, 1, 1]] = np.array([1.0, 0.0, 3.0])   # a lost zero changes nothing
    assert KP.no_write_lost(gx, np.array([1.0, 0.0, 3.0]))


@pytest.mark.parametrize("padding", [(0, 0), (1, 2)])
def test_staged_chunks_cover_every_plane_once(padding):
    x = np.arange(7 * 3 * 4, dtype=np.float64).reshape(7, 3, 4)
    need = (3 + 2 * padding[0], 4 + 2 * padding[1])
    buf = None if padding == (0, 0) else np.full((3,) + need, -1.0)
    seen = []
    for a, b, src in KP.staged_chunks(x, 3, buf, need, padding):
        ph, pw = padding
        same(src[:, ph:ph + 3, pw:pw + 4], x[a:b])
        if buf is not None:
            assert (src[:, :ph] == -1).all() and (src[:, :, :pw] == -1).all()   # the border
        seen.extend(range(a, b))
    assert seen == list(range(7))


def test_entry_points_are_not_named_like_the_public_api():
    assert not hasattr(K, "max_pool2d") and not hasattr(K, "avg_pool2d")
    assert callable(K.max_planes) and callable(K.avg_planes_backward)
