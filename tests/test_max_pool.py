"""Max pooling, 1-D and 2-D: hand-worked cases, naive == fast, gradients, properties.

Every expected value below is either worked out by hand in the comment next to
it, or follows from a property (or from the small independent reference
``_ref_max_pool2d`` written here with a different algorithm: one strided slice
per kernel tap instead of one window per output).
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import poolkit as pk
from tests._support import HYP, X4, out_len  # X4: a 4x4 map; its flat (row-major) indices are 0..15


def _ref_max_pool2d(x, k, s, p, d, ceil):
    """Independent reference: loop over the kh*kw taps, each a strided slice of the padded map.

    Ties keep the first tap in row-major order (strictly greater replaces), a NaN tap
    always replaces (as PyTorch's CPU kernel does), a window that has only padding
    keeps -inf.  Returns (out, indices) with indices flat per plane of the unpadded input.
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = k, s, p, d
    H, W = x.shape[-2:]
    OH, OW = out_len(H, kh, sh, ph, dh, ceil), out_len(W, kw, sw, pw, dw, ceil)
    need_h = (OH - 1) * sh + dh * (kh - 1) + 1
    need_w = (OW - 1) * sw + dw * (kw - 1) + 1
    pad = [(0, 0)] * (x.ndim - 2) + [(ph, max(0, need_h - H - ph)), (pw, max(0, need_w - W - pw))]
    xp = np.pad(x.astype(np.float64), pad, constant_values=-np.inf)
    ip = np.pad(np.broadcast_to(np.arange(H * W).reshape(H, W), x.shape), pad, constant_values=-1)
    best = np.full(x.shape[:-2] + (OH, OW), -np.inf)
    best_i = np.full(x.shape[:-2] + (OH, OW), -1, dtype=np.int64)
    for a in range(kh):
        for b in range(kw):
            rows = slice(a * dh, a * dh + (OH - 1) * sh + 1, sh)
            cols = slice(b * dw, b * dw + (OW - 1) * sw + 1, sw)
            v, i = xp[..., rows, cols], ip[..., rows, cols]
            take = (i >= 0) & ((v > best) | np.isnan(v) | (best_i < 0))
            best = np.where(take, v, best)
            best_i = np.where(take, i, best_i)
    return best, best_i


# ---------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------

def test_source_note_1d_example_and_its_shift():
    # The note: max over (1, 5, 3) is 5; shifted right by one, (0, 1, 5), still 5.
    out, idx = pk.max_pool1d(np.array([[1.0, 5.0, 3.0]]), 3, return_indices=True)
    assert out.tolist() == [[5.0]] and idx.tolist() == [[1]]
    out, idx = pk.max_pool1d(np.array([[0.0, 1.0, 5.0]]), 3, return_indices=True)
    # Same value, but the argmax moved with the input: invariance of the value only.
    assert out.tolist() == [[5.0]] and idx.tolist() == [[2]]


def test_2x2_stride_2_by_hand():
    # Windows: {1,3,4,6} -> 6 at (1,1)=5, {2,1,5,0} -> 5 at (1,2)=6,
    #          {7,2,1,0} -> 7 at (2,0)=8, {9,8,3,4} -> 9 at (2,2)=10.
    out, idx = pk.max_pool2d(X4[None, None], 2, return_indices=True)
    np.testing.assert_array_equal(out[0, 0], [[6, 5], [7, 9]])
    np.testing.assert_array_equal(idx[0, 0], [[5, 6], [8, 10]])
    assert out.shape == (1, 1, 2, 2) and idx.shape == (1, 1, 2, 2)


def test_3x3_stride_1_overlapping_windows_share_one_maximum():
    # All four 3x3 windows of X4 contain the 9 at (2,2) (flat 10), and nothing larger.
    out, idx = pk.max_pool2d(X4[None, None], 3, stride=1, return_indices=True)
    np.testing.assert_array_equal(out[0, 0], [[9, 9], [9, 9]])
    np.testing.assert_array_equal(idx[0, 0], [[10, 10], [10, 10]])


def test_overlapping_windows_accumulate_gradient_on_shared_maximum():
    # Same windows as above: the 9 receives the sum of all four upstream gradients,
    # every other cell receives nothing.
    g = np.array([[[[0.5, -2.0], [3.0, 0.25]]]])
    gx = pk.max_pool2d_backward(g, X4[None, None], 3, stride=1)
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 2, 2] = 0.5 - 2.0 + 3.0 + 0.25
    np.testing.assert_allclose(gx, expected, rtol=0, atol=1e-12)


def test_padding_3x3_stride_2_by_hand():
    # out = floor((4 + 2 - 3) / 2) + 1 = 2. Window rows/cols start at -1 and 1.
    # (0,0): real cells rows 0-1, cols 0-1 {1,3,4,6} -> 6 (flat 5)
    # (0,1): rows 0-1, cols 1-3 {3,2,1,6,5,0} -> 6 (flat 5)
    # (1,0): rows 1-3, cols 0-1 {4,6,7,2,1,0} -> 7 (flat 8)
    # (1,1): rows 1-3, cols 1-3 {6,5,0,2,9,8,0,3,4} -> 9 (flat 10)
    out, idx = pk.max_pool2d(X4[None, None], 3, stride=2, padding=1, return_indices=True)
    np.testing.assert_array_equal(out[0, 0], [[6, 6], [7, 9]])
    np.testing.assert_array_equal(idx[0, 0], [[5, 5], [8, 10]])


def test_padding_is_minus_infinity_not_zero():
    # An all-negative map: zero padding would wrongly return 0 at the border windows.
    x = -np.ones((1, 1, 3, 3))
    out = pk.max_pool2d(x, 2, stride=2, padding=1)
    np.testing.assert_array_equal(out, -np.ones((1, 1, 2, 2)))


def test_dilation_1d_by_hand():
    # k=2, d=2 -> taps i and i+2; out = 7 - 3 + 1 = 5.
    # {1,2}->2@2, {7,8}->8@3, {2,3}->3@4, {8,0}->8@3, {3,4}->4@6
    x = np.array([[1.0, 7, 2, 8, 3, 0, 4]])
    out, idx = pk.max_pool1d(x, 2, stride=1, dilation=2, return_indices=True)
    assert out.tolist() == [[2, 8, 3, 8, 4]]
    assert idx.tolist() == [[2, 3, 4, 3, 6]]


def test_ceil_mode_keeps_clipped_last_window_1d():
    # floor: (5-2)//2+1 = 2 windows {1,2},{3,4}; ceil: 3, the last one clipped to {5}.
    x = np.array([[1.0, 2, 3, 4, 5]])
    assert pk.max_pool1d(x, 2).tolist() == [[2, 4]]
    out, idx = pk.max_pool1d(x, 2, ceil_mode=True, return_indices=True)
    assert out.tolist() == [[2, 4, 5]] and idx.tolist() == [[1, 3, 4]]


def test_ceil_mode_drops_window_starting_in_right_padding():
    # FACTS: in=5, k=2, s=2, p=1, ceil -> 3, not 4. Windows start at -1, 1, 3:
    # {pad,1}->1@0, {2,3}->3@2, {4,5}->5@4. A fourth window would start at 5 (padding).
    x = np.array([[1.0, 2, 3, 4, 5]])
    out, idx = pk.max_pool1d(x, 2, stride=2, padding=1, ceil_mode=True, return_indices=True)
    assert out.tolist() == [[1, 3, 5]] and idx.tolist() == [[0, 2, 4]]


def test_ties_go_to_first_maximum_1d():
    # Windows {3,3} -> first (0), {3,1} -> 1, {1,3} -> 3.
    out, idx = pk.max_pool1d(np.array([[3.0, 3, 1, 3]]), 2, stride=1, return_indices=True)
    assert out.tolist() == [[3, 3, 3]] and idx.tolist() == [[0, 1, 3]]


def test_ties_go_to_first_maximum_in_row_major_order_2d():
    # [[1,5],[5,1]]: the first 5 in row-major order is (0,1) -> flat 1, not (1,0) -> 2.
    x = np.array([[[[1.0, 5], [5, 1]]]])
    _, idx = pk.max_pool2d(x, 2, return_indices=True)
    assert idx.item() == 1
    gx = pk.max_pool2d_backward(np.array([[[[2.0]]]]), x, 2)
    np.testing.assert_array_equal(gx[0, 0], [[0, 2], [0, 0]])


def test_per_axis_tuples():
    # kernel (1, 2), stride (1, 2): pairs along rows only.
    # rows of X4: [1,3|2,1] -> 3,2 ; [4,6|5,0] -> 6,5 ; [7,2|9,8] -> 7,9 ; [1,0|3,4] -> 1,4
    out = pk.max_pool2d(X4[None, None], (1, 2))
    np.testing.assert_array_equal(out[0, 0], [[3, 2], [6, 5], [7, 9], [1, 4]])
    # kernel (2, 1) is the transpose problem.
    out_t = pk.max_pool2d(X4.T[None, None].copy(), (2, 1))
    np.testing.assert_array_equal(out_t[0, 0], np.array([[3, 2], [6, 5], [7, 9], [1, 4]]).T)


def test_stride_defaults_to_kernel():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    np.testing.assert_array_equal(pk.max_pool2d(x, 3), pk.max_pool2d(x, 3, stride=3))
    assert pk.max_pool2d(x, 3).shape == (1, 1, 2, 2)


def test_int_and_tuple_arguments_agree():
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    a = pk.max_pool2d(x, 3, stride=2, padding=1, dilation=1)
    b = pk.max_pool2d(x, (3, 3), stride=(2, 2), padding=(1, 1), dilation=(1, 1))
    np.testing.assert_array_equal(a, b)


def test_numpy_integers_accepted_as_sizes():
    x = np.random.default_rng(1).normal(size=(1, 2, 6, 6))
    np.testing.assert_array_equal(pk.max_pool2d(x, np.int64(2), stride=np.int32(2)),
                                  pk.max_pool2d(x, 2, stride=2))


# ---------------------------------------------------------------------------
# dtypes, layouts, no mutation, special values
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8])
def test_integer_input_works_and_keeps_dtype(dtype):
    x = X4.astype(dtype)[None, None]
    out, idx = pk.max_pool2d(x, 2, return_indices=True)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out[0, 0], [[6, 5], [7, 9]])
    np.testing.assert_array_equal(idx[0, 0], [[5, 6], [8, 10]])


def test_integer_input_with_padding_is_not_affected_by_padding():
    # Integer maps cannot hold -inf; padding must still never win (values here are negative).
    x = -np.arange(1, 10, dtype=np.int32).reshape(1, 1, 3, 3)
    out = pk.max_pool2d(x, 2, stride=2, padding=1)
    # windows: {-1} | {-2,-3} | {-4,-7} | {-5,-6,-8,-9}
    np.testing.assert_array_equal(out[0, 0], [[-1, -2], [-4, -5]])
    assert out.dtype == np.int32


@pytest.mark.parametrize("fn", ["max_pool1d", "max_pool2d"])
def test_float32_stays_float32(fn):
    shape = (2, 3, 8) if fn == "max_pool1d" else (2, 3, 8, 8)
    x = np.random.default_rng(2).normal(size=shape).astype(np.float32)
    out, idx = getattr(pk, fn)(x, 2, return_indices=True)
    assert out.dtype == np.float32
    assert np.issubdtype(idx.dtype, np.integer)


def test_indices_are_int64():
    _, idx = pk.max_pool2d(X4[None, None], 2, return_indices=True)
    assert idx.dtype == np.int64


def test_chw_input_gives_chw_output():
    x = np.random.default_rng(3).normal(size=(3, 6, 5))
    out, idx = pk.max_pool2d(x, 2, return_indices=True)
    out4, idx4 = pk.max_pool2d(x[None], 2, return_indices=True)
    assert out.shape == (3, 3, 2) and idx.shape == (3, 3, 2)
    np.testing.assert_array_equal(out, out4[0])
    np.testing.assert_array_equal(idx, idx4[0])
    g = np.random.default_rng(4).normal(size=out.shape)
    gx = pk.max_pool2d_backward(g, x, 2)
    assert gx.shape == x.shape


def test_cl_input_gives_cl_output_1d():
    x = np.random.default_rng(5).normal(size=(4, 9))
    out = pk.max_pool1d(x, 3)
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(out, pk.max_pool1d(x[None], 3)[0])


def test_max_pool1d_is_max_pool2d_on_a_single_row():
    rng = np.random.default_rng(6)
    x = rng.integers(-3, 4, size=(2, 3, 11)).astype(np.float64)
    o1, i1 = pk.max_pool1d(x, 3, stride=2, padding=1, dilation=2, ceil_mode=True, return_indices=True)
    o2, i2 = pk.max_pool2d(x[:, :, None, :], (1, 3), stride=(1, 2), padding=(0, 1),
                           dilation=(1, 2), ceil_mode=True, return_indices=True)
    np.testing.assert_array_equal(o1, o2[:, :, 0])
    np.testing.assert_array_equal(i1, i2[:, :, 0])


def test_inputs_are_not_modified():
    x = np.random.default_rng(7).normal(size=(2, 2, 7, 7))
    g = np.random.default_rng(8).normal(size=(2, 2, 4, 4))
    x0, g0 = x.copy(), g.copy()
    out, idx = pk.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    idx0 = idx.copy()
    pk.max_pool2d_backward(g, x, 3, stride=2, padding=1)
    pk.max_pool2d_backward(g, x, 3, stride=2, padding=1, indices=idx)
    pk.max_pool2d_naive(x, 3, stride=2, padding=1)
    pk.max_pool2d_backward_naive(g, x, 3, stride=2, padding=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)
    np.testing.assert_array_equal(idx, idx0)


def test_output_does_not_alias_input():
    # k=1, s=1 is the identity map; writing into the result must not write into x.
    x = np.random.default_rng(9).normal(size=(1, 1, 3, 3))
    x0 = x.copy()
    out = pk.max_pool2d(x, 1)
    np.testing.assert_array_equal(out, x)
    out[...] = 123.0
    np.testing.assert_array_equal(x, x0)


def test_nan_propagates():
    x = X4.copy()
    x[0, 1] = np.nan  # inside the top-left 2x2 window only
    out = pk.max_pool2d(x[None, None], 2)[0, 0]
    assert np.isnan(out[0, 0])
    np.testing.assert_array_equal(out.ravel()[1:], [5, 7, 9])
    out_naive = pk.max_pool2d_naive(x[None, None], 2)[0, 0]
    assert np.isnan(out_naive[0, 0])


def test_minus_infinity_windows():
    # A window full of -inf returns -inf, and its index points at a real cell of that window.
    x = np.full((1, 1, 4, 4), -np.inf)
    x[0, 0, 3, 3] = 1.0
    out, idx = pk.max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(out[0, 0], [[-np.inf, -np.inf], [-np.inf, 1.0]])
    assert idx[0, 0, 1, 1] == 15
    # the -inf windows' indices stay inside their own window
    assert idx[0, 0, 0, 0] in (0, 1, 4, 5)
    assert idx[0, 0, 0, 1] in (2, 3, 6, 7)
    assert idx[0, 0, 1, 0] in (8, 9, 12, 13)


def test_special_values_naive_equals_fast():
    rng = np.random.default_rng(10)
    x = rng.integers(-2, 3, size=(2, 3, 9, 8)).astype(np.float64)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.1] = -np.inf
    x[rng.random(x.shape) < 0.05] = np.inf
    for kw in [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), ceil_mode=True)]:
        o1, i1 = pk.max_pool2d(x, return_indices=True, **kw)
        o2, i2 = pk.max_pool2d_naive(x, return_indices=True, **kw)
        np.testing.assert_array_equal(o1, o2)  # treats NaN == NaN
        np.testing.assert_array_equal(i1, i2)


# ---------------------------------------------------------------------------
# naive == fast, on random arguments (hypothesis)
# ---------------------------------------------------------------------------

@st.composite
def pool2d_cases(draw, max_side=9):
    """(x, kwargs) for max_pool2d: padding, stride != kernel, dilation, ceil, ties, CHW or NCHW."""
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    eff = [d[i] * (k[i] - 1) + 1 for i in range(2)]
    # PyTorch 2.13's limit is half the *undilated* kernel (FACTS.md's d(k-1)+1 form is looser)
    p = tuple(draw(st.integers(0, k[i] // 2)) for i in range(2))
    s = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    hw = tuple(draw(st.integers(max(1, eff[i] - 2 * p[i]), max(1, eff[i] - 2 * p[i]) + max_side))
               for i in range(2))
    batch = draw(st.booleans())
    shape = ((draw(st.integers(1, 2)),) if batch else ()) + (draw(st.integers(1, 3)),) + hw
    seed = draw(st.integers(0, 2**32 - 1))
    # integer values in a small range: ties are common, which tests "first maximum"
    x = np.random.default_rng(seed).integers(-3, 4, size=shape).astype(np.float64)
    kwargs = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=draw(st.booleans()))
    return x, kwargs


@st.composite
def pool1d_cases(draw, max_len=12):
    k, d = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    eff = d * (k - 1) + 1
    p = draw(st.integers(0, k // 2))
    s = draw(st.integers(1, 5))
    L = draw(st.integers(max(1, eff - 2 * p), max(1, eff - 2 * p) + max_len))
    batch = draw(st.booleans())
    shape = ((draw(st.integers(1, 2)),) if batch else ()) + (draw(st.integers(1, 3)), L)
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-3, 4, size=shape).astype(float)
    return x, dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=draw(st.booleans()))


@HYP
@given(pool2d_cases())
def test_max_pool2d_naive_equals_fast_with_ties(case):
    x, kw = case
    o_fast, i_fast = pk.max_pool2d(x, return_indices=True, **kw)
    o_naive, i_naive = pk.max_pool2d_naive(x, return_indices=True, **kw)
    np.testing.assert_array_equal(o_fast, o_naive)
    np.testing.assert_array_equal(i_fast, i_naive)
    # and both agree with the independent tap-by-tap reference (first maximum on ties)
    x4 = x if x.ndim == 4 else x[None]
    o_ref, i_ref = _ref_max_pool2d(x4, *(kw[n] for n in ("kernel_size", "stride", "padding", "dilation")),
                                   kw["ceil_mode"])
    if x.ndim == 3:
        o_ref, i_ref = o_ref[0], i_ref[0]
    np.testing.assert_array_equal(o_fast, o_ref)
    real = np.isfinite(o_ref)  # windows that contain only padding: index is not specified here
    np.testing.assert_array_equal(i_fast[real], i_ref[real])


@HYP
@given(pool2d_cases(), st.integers(0, 2**32 - 1))
def test_max_pool2d_backward_naive_equals_fast_with_ties(case, seed):
    x, kw = case
    out = pk.max_pool2d(x, **kw)
    g = np.random.default_rng(seed).normal(size=out.shape)
    gf = pk.max_pool2d_backward(g, x, **kw)
    gn = pk.max_pool2d_backward_naive(g, x, **kw)
    assert gf.shape == x.shape
    np.testing.assert_allclose(gf, gn, rtol=1e-12, atol=1e-12)
    _, idx = pk.max_pool2d(x, return_indices=True, **kw)
    np.testing.assert_allclose(pk.max_pool2d_backward(g, x, indices=idx, **kw), gf, rtol=1e-12, atol=1e-12)


@HYP
@given(pool1d_cases(), st.integers(0, 2**32 - 1))
def test_max_pool1d_naive_equals_fast_with_ties(case, seed):
    x, kw = case
    o_fast, i_fast = pk.max_pool1d(x, return_indices=True, **kw)
    o_naive, i_naive = pk.max_pool1d_naive(x, return_indices=True, **kw)
    np.testing.assert_array_equal(o_fast, o_naive)
    np.testing.assert_array_equal(i_fast, i_naive)
    assert o_fast.shape[-1] == out_len(x.shape[-1], kw["kernel_size"], kw["stride"],
                                        kw["padding"], kw["dilation"], kw["ceil_mode"])
    g = np.random.default_rng(seed).normal(size=o_fast.shape)
    np.testing.assert_allclose(pk.max_pool1d_backward(g, x, **kw),
                               pk.max_pool1d_backward_naive(g, x, **kw), rtol=1e-12, atol=1e-12)


LARGE_CASES = [
    ((40, 40), dict(kernel_size=2)),                       # disjoint 2x2 tiles
    ((40, 40), dict(kernel_size=(2, 4))),                  # disjoint 2x4 tiles
    ((41, 39), dict(kernel_size=2)),                       # tiles that do not cover the plane
    ((40, 40), dict(kernel_size=3, stride=2, padding=1)),
    ((40, 40), dict(kernel_size=3, stride=1)),             # heavy overlap
    ((40, 40), dict(kernel_size=21, stride=19)),           # H == stride*OH... but windows overlap
    ((4, 4), dict(kernel_size=3, stride=1)),               # same coincidence, small
    ((40, 40), dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), dilation=(2, 1), ceil_mode=True)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("hw, kw", LARGE_CASES)
def test_large_planes_against_reference(hw, kw, dtype):
    # 2 x 64 planes of about 40 x 40: large enough for any chunked / tiled branch of the kernels.
    rng = np.random.default_rng(11)
    x = rng.integers(-20, 21, size=(2, 64) + hw).astype(dtype)  # many ties
    out, idx = pk.max_pool2d(x, return_indices=True, **kw)
    assert out.dtype == dtype
    full = {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, **kw}
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    k = pair(full["kernel_size"])
    o_ref, i_ref = _ref_max_pool2d(x, k, pair(full["stride"] or k), pair(full["padding"]),
                                   pair(full["dilation"]), full["ceil_mode"])
    np.testing.assert_array_equal(out, o_ref)
    np.testing.assert_array_equal(idx, i_ref)
    g = rng.normal(size=out.shape).astype(dtype)
    gx = pk.max_pool2d_backward(g, x, **kw)
    gx_idx = pk.max_pool2d_backward(g, x, indices=idx, **kw)
    # reference backward: scatter-add by index, plane by plane, in float64
    P = 2 * 64
    ref = np.zeros((P, hw[0] * hw[1]))
    planes = np.repeat(np.arange(P), out[0, 0].size)
    np.add.at(ref, (planes, i_ref.reshape(-1)), g.astype(np.float64).reshape(-1))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(gx, ref.reshape(x.shape), rtol=tol, atol=tol)
    np.testing.assert_allclose(gx_idx, ref.reshape(x.shape), rtol=tol, atol=tol)


def test_large_planes_float32_and_special_values_match_naive():
    rng = np.random.default_rng(12)
    x = rng.integers(-5, 6, size=(2, 64, 40, 40)).astype(np.float32)
    x[rng.random(x.shape) < 0.01] = np.nan
    x[rng.random(x.shape) < 0.01] = -np.inf
    o1, i1 = pk.max_pool2d(x, 2, return_indices=True)
    o2, i2 = pk.max_pool2d_naive(x, 2, return_indices=True)
    assert o1.dtype == np.float32
    np.testing.assert_array_equal(o1, o2)
    np.testing.assert_array_equal(i1, i2)


# ---------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=1),                       # overlapping windows
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), ceil_mode=True),
])
def test_max_pool2d_backward_matches_numerical_gradient(kw, distinct, num_grad, rng):
    x = distinct((2, 2, 6, 7))
    out = pk.max_pool2d(x, **kw)
    g = rng.normal(size=out.shape)  # random upstream gradient, never all ones
    numeric = num_grad(lambda z: pk.max_pool2d(z, **kw), x, g)
    np.testing.assert_allclose(pk.max_pool2d_backward(g, x, **kw), numeric, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(pk.max_pool2d_backward_naive(g, x, **kw), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1, dilation=2),
                                dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)])
def test_max_pool1d_backward_matches_numerical_gradient(kw, distinct, num_grad, rng):
    x = distinct((2, 3, 10))
    out = pk.max_pool1d(x, **kw)
    g = rng.normal(size=out.shape)
    numeric = num_grad(lambda z: pk.max_pool1d(z, **kw), x, g)
    np.testing.assert_allclose(pk.max_pool1d_backward(g, x, **kw), numeric, rtol=1e-6, atol=1e-6)


@HYP
@given(pool2d_cases(), st.integers(0, 2**32 - 1))
def test_max_backward_preserves_gradient_sum(case, seed):
    # Each window sends its whole gradient to exactly one real cell (padding never wins
    # against a finite value), so the sum is preserved even with overlap and padding.
    x, kw = case
    out = pk.max_pool2d(x, **kw)
    g = np.random.default_rng(seed).normal(size=out.shape)
    gx = pk.max_pool2d_backward(g, x, **kw)
    real = np.isfinite(out)  # windows with at least one real cell
    assert math.isclose(gx.sum(), g[real].sum(), rel_tol=1e-9, abs_tol=1e-9)


def test_backward_with_indices_uses_them_and_does_not_recompute(rng):
    # Indices from one map, used with an all-zero map (where recomputing would pick
    # the first cell of every window): the gradient must follow the given indices.
    x = np.array([[[[1.0, 5, 2, 0], [3, 2, 7, 1]]]])
    _, idx = pk.max_pool2d(x, 2, return_indices=True)  # 5 at flat 1, 7 at flat 6
    g = np.array([[[[2.0, -3.0]]]])
    gx = pk.max_pool2d_backward(g, np.zeros_like(x), 2, indices=idx)
    np.testing.assert_array_equal(gx[0, 0], [[0, 2, 0, 0], [0, 0, -3, 0]])
    gx1 = pk.max_pool1d_backward(np.array([[2.0, -3.0]]), np.zeros((1, 4)), 2,
                                 indices=np.array([[1, 2]]))
    np.testing.assert_array_equal(gx1, [[0, 2, -3, 0]])


def test_backward_dtype_follows_gradient_for_float32():
    x = np.random.default_rng(13).normal(size=(1, 2, 4, 4)).astype(np.float32)
    g = np.ones((1, 2, 2, 2), dtype=np.float32) * 0.5
    assert pk.max_pool2d_backward(g, x, 2).dtype == np.float32
