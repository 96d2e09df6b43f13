"""The public max-pooling wrappers' shortcuts give the same answers as the slow way.

``_dead_windows`` skips its work when no window can be made only of padding;
``params.check_indices`` checks the largest index first and builds masks only on
failure. Expected values come from brute force over every window cell.
"""

import itertools

import numpy as np
import pytest

import poolkit as pk
from poolkit import geometry as geo
from poolkit import params as _p


def _brute_dead(n, k, s, p, d, out):
    """Windows of one axis with no cell in [0, n), by listing every cell."""
    return np.array([all(not (0 <= o * s - p + m * d < n) for m in range(k)) for o in range(out)])


def _geometries(pad_limit):
    for n, k, s, d, ceil in itertools.product(range(1, 9), range(1, 5), range(1, 5), range(1, 7),
                                              (False, True)):
        for p in range(0, (k // 2 if pad_limit else k + 3) + 1):
            out = _p.output_length(n, k, s, p, d, ceil)
            if out >= 1:
                yield n, k, s, p, d, out


@pytest.mark.parametrize("pad_limit", [True, False])
def test_dead_axis_matches_brute_force(pad_limit):
    checked = found = 0
    for n, k, s, p, d, out in _geometries(pad_limit):
        want = _brute_dead(n, k, s, p, d, out)
        got = geo._dead_axis(n, k, s, p, d, out)
        assert got.tolist() == want.tolist(), (n, k, s, p, d, out)
        if want.any():               # the shortcut may skip only geometries without dead windows
            assert geo._dead_possible(n, k, s, p, d, out), (n, k, s, p, d, out)
            found += 1
        checked += 1
    assert checked > 1000 and found > 10      # the sweep really covers dead windows


def test_dead_windows_none_without_dilation():
    # with dilation 1 and PyTorch's padding limit, every window holds a real cell
    for n, k, s, p, d, out in _geometries(True):
        if d == 1:
            assert not geo._dead_possible(n, k, s, p, d, out)


def test_dead_windows_example():
    # W=2, k=2, dilation=3, padding=1: one window, cells -1 and 2, both outside [0, 2)
    g = _p.geometry_2d(_p.pool_geometry((2,), 2, 1, 1, 3, False))
    dead = geo.dead_windows((1, 2), g)
    assert dead.tolist() == [[True]]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8, np.uint32])
def test_check_indices_accepts_and_converts(dtype):
    idx = np.array([[0, 3], [2, 1]], dtype=dtype)
    out = _p.check_indices(idx, (2, 2), 4, None)
    assert out.dtype == np.int64 and out.tolist() == [[0, 3], [2, 1]]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8])
@pytest.mark.parametrize("bad", [-1, 4, -128])
def test_check_indices_rejects_out_of_plane(dtype, bad):
    idx = np.array([[0, 3], [bad, 1]], dtype=dtype)
    with pytest.raises(ValueError, match=rf"indices contains {bad}, outside the input plane of 4 cells"):
        _p.check_indices(idx, (2, 2), 4, None)


def test_check_indices_non_contiguous_and_big_endian():
    base = np.arange(16, dtype=np.int64).reshape(4, 4) % 4
    assert _p.check_indices(base[:, ::2], (4, 2), 4, None).tolist() == base[:, ::2].tolist()
    be = np.array([[0, 3], [2, 1]], dtype=">i8")
    assert _p.check_indices(be, (2, 2), 4, None).tolist() == [[0, 3], [2, 1]]
    with pytest.raises(ValueError, match="contains -1"):
        _p.check_indices(np.array([[0, -1]], dtype=">i4"), (1, 2), 4, None)


def test_check_indices_dead_window_may_hold_out_of_plane_index():
    idx = np.array([[7, 1]])
    dead = np.array([[True, False]])
    assert _p.check_indices(idx, (1, 2), 2, dead).tolist() == [[7, 1]]
    with pytest.raises(ValueError, match="contains 7"):
        _p.check_indices(idx, (1, 2), 2, None)


@pytest.mark.parametrize("dilation,padding,ceil", [(1, 0, False), (3, 1, False), (4, 1, True), (2, 1, True)])
def test_backward_with_and_without_indices_match_naive(dilation, padding, ceil):
    rng = np.random.default_rng(7)
    x = rng.integers(-3, 4, size=(2, 3, 5, 6)).astype(np.float64)   # many ties
    kw = dict(stride=2, padding=padding, dilation=dilation, ceil_mode=ceil)
    out, idx = pk.max_pool2d_naive(x, 2, return_indices=True, **kw)
    g = rng.standard_normal(out.shape)
    want = pk.max_pool2d_backward_naive(g, x, 2, **kw)
    np.testing.assert_array_equal(pk.max_pool2d_backward(g, x, 2, **kw), want)
    np.testing.assert_array_equal(pk.max_pool2d_backward(g, x, 2, indices=idx, **kw), want)
