"""poolkit.geometry: the window rules and the tie rule, by hand and by property.

The hand-computed cases are worked out on paper (cell lists written out); the properties
compare the vectorised forms with the scalar ones, and the fast max-with-indices kernel
(ArgmaxWork) with the scalar tie rule on random blocks full of ties, NaN and -inf.
"""

import numpy as np
import pytest

from poolkit import geometry as G
from poolkit import kernels as K
from poolkit.params import Geometry, geometry_2d, pool_geometry


# --- where windows lie ------------------------------------------------------------------

@pytest.mark.parametrize("n, k, s, p, d, ceil, want", [
    (4, 2, 2, 0, 1, False, 2),      # [0,1] [2,3]
    (5, 2, 2, 0, 1, False, 2),      # the last cell is dropped
    (5, 2, 2, 0, 1, True, 3),       # ceil: a partial window [4]
    (5, 2, 2, 1, 1, True, 3),       # [-1,0] [1,2] [3,4]; a 4th would start at 5 = n + p: dropped
    (7, 3, 1, 0, 2, False, 3),      # cells 0,2,4 / 1,3,5 / 2,4,6
    (2, 3, 1, 0, 1, False, 0),      # kernel larger than the input
])
def test_output_length_by_hand(n, k, s, p, d, ceil, want):
    assert G.output_length(n, k, s, p, d, ceil) == want


def test_padded_extent_is_the_span_of_the_windows():
    for n, k, s, p, d in [(7, 3, 2, 1, 1), (9, 2, 3, 1, 3), (5, 1, 1, 0, 1)]:
        out = G.output_length(n, k, s, p, d, False)
        cells = [o * s + m * d for o in range(out) for m in range(k)]     # from -p
        assert G.padded_extent(out, k, s, d) == max(cells) + 1


def test_first_real_scalar_and_vector_agree():
    starts = np.arange(-9, 6)
    for d in (1, 2, 3, 4):
        want = [next(c for c in range(st, st + 40 * d, d) if c >= 0) for st in starts]
        assert [G.first_real(int(st), d) for st in starts] == want
        assert G.first_real(starts, d).tolist() == want


def test_axis_windows_by_hand():
    assert G.axis_windows(4, 2, 2, 0, 1, 2) == [[0, 1], [2, 3]]
    assert G.axis_windows(5, 3, 2, 1, 1, 3) == [[0, 1], [1, 2, 3], [3, 4]]
    assert G.axis_windows(7, 3, 1, 0, 2, 3) == [[0, 2, 4], [1, 3, 5], [2, 4, 6]]
    assert G.axis_windows(5, 2, 2, 0, 1, 3) == [[0, 1], [2, 3], [4]]   # ceil mode's last window


def test_adaptive_bins_by_hand():
    assert G.adaptive_bins(5, 3) == [(0, 2), (1, 4), (3, 5)]
    assert G.adaptive_bins(7, 7) == [(i, i + 1) for i in range(7)]
    assert G.adaptive_windows(3, 2) == [[0, 1], [1, 2]]


def test_dead_windows_equal_empty_windows():
    # a window is dead exactly when it lists no real cell
    rng = np.random.default_rng(0)
    checked = 0
    for _ in range(400):
        hw = tuple(int(v) for v in rng.integers(1, 7, 2))
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        d = tuple(int(v) for v in rng.integers(1, 5, 2))
        s = tuple(int(v) for v in rng.integers(1, 4, 2))
        p = tuple(int(rng.integers(0, ki // 2 + 1)) for ki in k)
        try:
            g = pool_geometry(hw, k, s, p, d, bool(rng.integers(2)))
        except ValueError:
            continue
        rows, cols = (G.axis_windows(n, g.kernel[a], g.stride[a], g.padding[a], g.dilation[a],
                                     g.out[a]) for a, n in enumerate(hw))
        want = np.array([[not (r and c) for c in cols] for r in rows])
        dead = G.dead_windows(hw, g)
        got = np.zeros(g.out, bool) if dead is None else dead
        assert got.tolist() == want.tolist(), (hw, g)
        checked += 1
    assert checked > 100


def test_window_bounds_and_divisors_by_hand():
    # n=4, k=3, p=1, stride 2: windows [-1,2) [1,4) [3,6) (the last clipped to n+p = 5)
    lo, hi, pool = G.window_bounds(np.array([-1, 1, 3]), 3, 1, 4)
    assert lo.tolist() == [0, 1, 3] and hi.tolist() == [2, 4, 4] and pool.tolist() == [3, 3, 2]
    # 4x4 input, 3x3 windows, stride 2, padding 1, ceil mode: 3x3 outputs
    with_pad = G.divisors((4, 4), (3, 3), (3, 3), (2, 2), (1, 1), True, None)
    real = G.divisors((4, 4), (3, 3), (3, 3), (2, 2), (1, 1), False, None)
    assert with_pad.tolist() == [[9, 9, 6], [9, 9, 6], [6, 6, 4]]
    assert real.tolist() == [[4, 6, 2], [6, 9, 3], [2, 3, 1]]
    assert G.divisors((4, 4), (3, 3), (3, 3), (2, 2), (1, 1), True, 5) == 5
    assert G.divisors((4, 4), (2, 2), (2, 2), (2, 2), (0, 0), False, (2, 2)) == (2, 2)


# --- the tie rule -----------------------------------------------------------------------

nan, inf = float("nan"), float("inf")


@pytest.mark.parametrize("values, want", [
    ([1., 3., 3., 2.], 1),             # ties keep the first maximum
    ([2., nan, 5., nan, 1.], 3),       # a NaN wins, the last NaN is recorded
    ([nan], 0),
    ([-inf, -inf, -inf], 0),           # nothing beats the padding value: the first cell
    ([-inf, -2., -inf], 1),
    ([5, 5, 7, 7], 2),                 # integers
])
def test_first_max_by_hand(values, want):
    pos, value = G.first_max(values)
    assert pos == want
    assert value == values[want] or (value != value and values[want] != values[want])


def test_first_max_integer_lowest():
    low = G.lowest(np.dtype(np.int16))
    assert G.first_max([low, low], low) == (0, low)
    assert G.first_max([], low) == (0, low)


def _tie_blocks(rng, shape, dtype=np.float64):
    """Small values (many ties), with NaN and -inf sprinkled in."""
    x = rng.integers(0, 3, shape).astype(dtype)
    if np.dtype(dtype).kind == "f":
        x[rng.random(shape) < 0.1] = -np.inf
        x[rng.random(shape) < 0.05] = np.nan
        x[rng.random(shape[:-1]) < 0.2] = -np.inf          # whole rows of -inf
    return x


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32])
def test_first_max_rows_equals_the_scalar_rule(dtype):
    rng = np.random.default_rng(1)
    for width in (1, 2, 5, 9):
        block = _tie_blocks(rng, (300, width), dtype)
        want = [G.first_max(list(row), G.lowest(block.dtype))[0] for row in block]
        assert G.first_max_rows(block).tolist() == want
        assert G.first_max_rows(np.asfortranarray(block)).tolist() == want  # non-contiguous


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int16])
@pytest.mark.parametrize("kernel, stride, dilation", [
    ((2, 2), (2, 2), (1, 1)),          # split mode (windows share no row)
    ((3, 3), (1, 1), (1, 1)),          # overlapping windows, rows reduced in place
    ((2, 3), (2, 1), (2, 2)),          # dilated
    ((1, 4), (1, 4), (1, 1)),
])
def test_argmax_kernel_equals_the_scalar_rule(dtype, kernel, stride, dilation):
    # ArgmaxWork's codes, turned into flat indices, must pick the cell first_max picks
    rng = np.random.default_rng(2)
    x = _tie_blocks(rng, (40, 9, 10), dtype)
    g = pool_geometry((9, 10), kernel, stride, 0, dilation, False)
    out, idx = K.max_planes(x, g.kernel, g.stride, g.padding, g.dilation, g.out, True)
    rows, cols = (G.axis_windows(n, g.kernel[a], g.stride[a], 0, g.dilation[a], g.out[a])
                  for a, n in enumerate((9, 10)))
    low = G.lowest(x.dtype)
    for p in range(x.shape[0]):
        flat = x[p].reshape(-1)
        for i, rr in enumerate(rows):
            for j, cc in enumerate(cols):
                cells = [r * 10 + c for r in rr for c in cc]
                m, _ = G.first_max([flat[c] for c in cells], low)
                assert idx[p, i, j] == cells[m], (p, i, j)


def test_geometry_2d_of_1d_and_dead_window_example():
    g = geometry_2d(pool_geometry((2,), 2, 1, 1, 3, False))
    assert g == Geometry((1, 2), (1, 1), (0, 1), (1, 3), (1, 1))
    assert G.dead_windows((1, 2), g).tolist() == [[True]]
