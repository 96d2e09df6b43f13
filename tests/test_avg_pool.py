"""Average pooling, 1-D and 2-D: divisors worked by hand, naive == fast, gradients, gradient sums.

Expected values are worked by hand in the comments, or come from ``_ref_avg_pool2d``,
an independent tap-by-tap implementation of the divisor rules stated in FACTS.md.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import poolkit as pk
from tests._support import HYP, X4


def _axis_plan(n, k, s, p, ceil):
    """Per output position: window start/end in the unpadded axis, and the two divisor counts."""
    num = n + 2 * p - k
    out = (-(-num // s) if ceil else num // s) + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)          # a ceil-mode window is clipped at the padded edge
    with_pad = end - start                       # cells counted when count_include_pad=True
    real = np.minimum(end, n) - np.maximum(start, 0)
    return out, with_pad, real


def _ref_avg_pool2d(x, k, s, p, ceil, count_include_pad, divisor_override):
    (kh, kw), (sh, sw), (ph, pw) = k, s, p
    H, W = x.shape[-2:]
    OH, ph_cnt, rh_cnt = _axis_plan(H, kh, sh, ph, ceil)
    OW, pw_cnt, rw_cnt = _axis_plan(W, kw, sw, pw, ceil)
    need_h, need_w = (OH - 1) * sh + kh, (OW - 1) * sw + kw
    pad = [(0, 0)] * (x.ndim - 2) + [(ph, max(0, need_h - H - ph)), (pw, max(0, need_w - W - pw))]
    xp = np.pad(x.astype(np.float64), pad)
    total = np.zeros(x.shape[:-2] + (OH, OW))
    for a in range(kh):
        for b in range(kw):
            total += xp[..., a:a + (OH - 1) * sh + 1:sh, b:b + (OW - 1) * sw + 1:sw]
    if divisor_override is not None:
        div = float(divisor_override)
    elif count_include_pad:
        div = np.outer(ph_cnt, pw_cnt)
    else:
        div = np.outer(rh_cnt, rw_cnt)
    return total / div


# ---------------------------------------------------------------------------
# Hand-worked cases
# ---------------------------------------------------------------------------

def test_2x2_stride_2_by_hand():
    # (1+3+4+6)/4 = 3.5, (2+1+5+0)/4 = 2, (7+2+1+0)/4 = 2.5, (9+8+3+4)/4 = 6
    out = pk.avg_pool2d(X4[None, None], 2)
    np.testing.assert_allclose(out[0, 0], [[3.5, 2.0], [2.5, 6.0]], rtol=1e-15)


def test_padding_count_include_pad_true_and_false_by_hand():
    # k=3, s=2, p=1 -> 2x2 windows; real-cell sums 14 (4 cells), 17 (6), 20 (6), 37 (9).
    x = X4[None, None]
    np.testing.assert_allclose(pk.avg_pool2d(x, 3, stride=2, padding=1)[0, 0],
                               np.array([[14, 17], [20, 37]]) / 9, rtol=1e-14)
    np.testing.assert_allclose(pk.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)[0, 0],
                               [[14 / 4, 17 / 6], [20 / 6, 37 / 9]], rtol=1e-14)


def test_divisor_override_by_hand():
    # window sums 14, 8, 10, 24, each divided by 2
    out = pk.avg_pool2d(X4[None, None], 2, divisor_override=2)
    np.testing.assert_allclose(out[0, 0], [[7, 4], [5, 12]], rtol=1e-15)
    # the override wins over count_include_pad as well
    out = pk.avg_pool2d(X4[None, None], 3, stride=2, padding=1, divisor_override=3, count_include_pad=False)
    np.testing.assert_allclose(out[0, 0], np.array([[14, 17], [20, 37]]) / 3, rtol=1e-14)


def test_ceil_mode_clipped_window_divides_by_its_clipped_size():
    # [1..5], k=2, s=2, ceil: windows {1,2}, {3,4}, {5}; the last one is clipped to 1 cell,
    # so it averages to 5 (not 2.5), whatever count_include_pad says.
    x = np.array([[1.0, 2, 3, 4, 5]])
    np.testing.assert_allclose(pk.avg_pool1d(x, 2, ceil_mode=True), [[1.5, 3.5, 5.0]], rtol=1e-15)
    np.testing.assert_allclose(pk.avg_pool1d(x, 2, ceil_mode=True, count_include_pad=False),
                               [[1.5, 3.5, 5.0]], rtol=1e-15)


def test_facts_example_in5_k2_s2_p1_ceil():
    # 3 windows starting at -1, 1, 3: {pad,1}, {2,3}, {4,5}.
    x = np.array([[1.0, 2, 3, 4, 5]])
    np.testing.assert_allclose(pk.avg_pool1d(x, 2, stride=2, padding=1, ceil_mode=True),
                               [[0.5, 2.5, 4.5]], rtol=1e-15)
    np.testing.assert_allclose(pk.avg_pool1d(x, 2, stride=2, padding=1, ceil_mode=True,
                                             count_include_pad=False), [[1.0, 2.5, 4.5]], rtol=1e-15)


def test_ceil_mode_window_clipped_at_the_padded_edge():
    # in=6, k=3, s=2, p=1, ceil -> 4 windows starting at -1, 1, 3, 5 (padded edge at 7):
    #   {pad,1,2}: 3/3 = 1 (incl.)  or 3/2 = 1.5 (excl.)
    #   {2,3,4}: 3            {4,5,6}: 5
    #   {6,pad} clipped at the padded edge (cell 7 does not exist): 6/2 = 3 (incl.) or 6/1 = 6
    x = np.array([[1.0, 2, 3, 4, 5, 6]])
    np.testing.assert_allclose(pk.avg_pool1d(x, 3, stride=2, padding=1, ceil_mode=True),
                               [[1, 3, 5, 3]], rtol=1e-15)
    np.testing.assert_allclose(pk.avg_pool1d(x, 3, stride=2, padding=1, ceil_mode=True,
                                             count_include_pad=False), [[1.5, 3, 5, 6]], rtol=1e-15)


def test_avg_pool1d_is_avg_pool2d_on_a_single_row():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 11))
    for kw1, kw2 in [(dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                      dict(kernel_size=(1, 3), stride=(1, 2), padding=(0, 1), ceil_mode=True)),
                     (dict(kernel_size=4, stride=3, padding=2, count_include_pad=False),
                      dict(kernel_size=(1, 4), stride=(1, 3), padding=(0, 2), count_include_pad=False))]:
        np.testing.assert_allclose(pk.avg_pool1d(x, **kw1), pk.avg_pool2d(x[:, :, None], **kw2)[:, :, 0],
                                   rtol=1e-13)


def test_per_axis_tuples():
    # kernel (1, 2): averages of horizontal pairs of X4
    out = pk.avg_pool2d(X4[None, None], (1, 2))
    np.testing.assert_allclose(out[0, 0], [[2, 1.5], [5, 2.5], [4.5, 8.5], [0.5, 3.5]], rtol=1e-15)


def test_stride_defaults_to_kernel():
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    np.testing.assert_allclose(pk.avg_pool2d(x, 3), pk.avg_pool2d(x, 3, stride=3), rtol=0)
    assert pk.avg_pool2d(x, 3).shape == (1, 1, 2, 2)


def test_constant_map_without_padding_is_unchanged():
    # The mean of a constant is that constant, for any window/stride (no padding).
    x = np.full((2, 3, 7, 5), 2.5)
    np.testing.assert_allclose(pk.avg_pool2d(x, (3, 2), stride=(2, 1), ceil_mode=True), 2.5, rtol=1e-15)


# ---------------------------------------------------------------------------
# dtypes, layouts, no mutation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["avg_pool1d", "avg_pool2d"])
def test_float32_stays_float32(fn):
    shape = (2, 3, 8) if fn == "avg_pool1d" else (2, 3, 8, 8)
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    assert getattr(pk, fn)(x, 2).dtype == np.float32
    assert getattr(pk, fn)(x, 3, stride=2, padding=1, count_include_pad=False).dtype == np.float32


def test_chw_input_gives_chw_output():
    x = np.random.default_rng(2).normal(size=(3, 7, 5))
    out = pk.avg_pool2d(x, 3, stride=2, padding=1)
    assert out.shape == (3, 4, 3)
    np.testing.assert_allclose(out, pk.avg_pool2d(x[None], 3, stride=2, padding=1)[0], rtol=1e-15)
    gx = pk.avg_pool2d_backward(np.ones(out.shape), x, 3, stride=2, padding=1)
    assert gx.shape == x.shape


def test_cl_input_gives_cl_output_1d():
    x = np.random.default_rng(3).normal(size=(4, 9))
    out = pk.avg_pool1d(x, 3)
    assert out.shape == (4, 3)
    np.testing.assert_allclose(out, x.reshape(4, 3, 3).mean(axis=-1), rtol=1e-14)


def test_inputs_are_not_modified():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2, 7, 7))
    g = rng.normal(size=(2, 2, 4, 4))
    x0, g0 = x.copy(), g.copy()
    pk.avg_pool2d(x, 3, stride=2, padding=1)
    pk.avg_pool2d_naive(x, 3, stride=2, padding=1)
    pk.avg_pool2d_backward(g, x, 3, stride=2, padding=1)
    pk.avg_pool2d_backward_naive(g, x, 3, stride=2, padding=1)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)


# ---------------------------------------------------------------------------
# naive == fast == reference (hypothesis)
# ---------------------------------------------------------------------------

@st.composite
def avg2d_cases(draw, max_side=9):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    p = tuple(draw(st.integers(0, k[i] // 2)) for i in range(2))
    s = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    hw = tuple(draw(st.integers(max(1, k[i] - 2 * p[i]), max(1, k[i] - 2 * p[i]) + max_side))
               for i in range(2))
    batch = draw(st.booleans())
    shape = ((draw(st.integers(1, 2)),) if batch else ()) + (draw(st.integers(1, 3)),) + hw
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-3, 4, size=shape).astype(float)
    kwargs = dict(kernel_size=k, stride=s, padding=p, ceil_mode=draw(st.booleans()),
                  count_include_pad=draw(st.booleans()),
                  divisor_override=draw(st.one_of(st.none(), st.integers(1, 7))))
    return x, kwargs


@st.composite
def avg1d_cases(draw, max_len=12):
    k = draw(st.integers(1, 5))
    p = draw(st.integers(0, k // 2))
    L = draw(st.integers(max(1, k - 2 * p), max(1, k - 2 * p) + max_len))
    batch = draw(st.booleans())
    shape = ((draw(st.integers(1, 2)),) if batch else ()) + (draw(st.integers(1, 3)), L)
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(size=shape)
    return x, dict(kernel_size=k, stride=draw(st.integers(1, 5)), padding=p,
                   ceil_mode=draw(st.booleans()), count_include_pad=draw(st.booleans()),
                   divisor_override=draw(st.one_of(st.none(), st.integers(1, 7))))


def _ref_avg_backward(g, x_shape, kw):
    """Reference backward, tap by tap: each window spreads g/divisor over its cells (padding dropped)."""
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    (kh, kw_), (sh, sw) = pair(kw["kernel_size"]), pair(kw.get("stride") or kw["kernel_size"])
    (ph, pw) = pair(kw.get("padding", 0))
    H, W = x_shape[-2:]
    OH, ph_cnt, rh_cnt = _axis_plan(H, kh, sh, ph, kw.get("ceil_mode", False))
    OW, pw_cnt, rw_cnt = _axis_plan(W, kw_, sw, pw, kw.get("ceil_mode", False))
    if kw.get("divisor_override") is not None:
        div = float(kw["divisor_override"])
    elif kw.get("count_include_pad", True):
        div = np.outer(ph_cnt, pw_cnt)
    else:
        div = np.outer(rh_cnt, rw_cnt)
    share = g / div
    need_h, need_w = (OH - 1) * sh + kh, (OW - 1) * sw + kw_
    gp = np.zeros(x_shape[:-2] + (ph + max(H + ph, need_h), pw + max(W + pw, need_w)))
    for a in range(kh):
        for b in range(kw_):
            gp[..., a:a + (OH - 1) * sh + 1:sh, b:b + (OW - 1) * sw + 1:sw] += share
    return gp[..., ph:ph + H, pw:pw + W]


def _ref_from_kwargs(x, kw):
    pair = lambda v: v if isinstance(v, tuple) else (v, v)  # noqa: E731
    k = pair(kw["kernel_size"])
    s = pair(kw.get("stride") or k)
    x4 = x if x.ndim == 4 else x[None]
    out = _ref_avg_pool2d(x4, k, s, pair(kw.get("padding", 0)), kw.get("ceil_mode", False),
                          kw.get("count_include_pad", True), kw.get("divisor_override"))
    return out if x.ndim == 4 else out[0]


@HYP
@given(avg2d_cases(), st.integers(0, 2**32 - 1))
def test_avg_pool2d_naive_equals_fast_equals_reference(case, seed):
    x, kw = case
    fast = pk.avg_pool2d(x, **kw)
    np.testing.assert_allclose(fast, pk.avg_pool2d_naive(x, **kw), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast, _ref_from_kwargs(x, kw), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed).normal(size=fast.shape)
    gf = pk.avg_pool2d_backward(g, x, **kw)
    assert gf.shape == x.shape
    np.testing.assert_allclose(gf, pk.avg_pool2d_backward_naive(g, x, **kw), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gf, _ref_avg_backward(g, x.shape, kw), rtol=1e-12, atol=1e-12)


@HYP
@given(avg1d_cases(), st.integers(0, 2**32 - 1))
def test_avg_pool1d_naive_equals_fast(case, seed):
    x, kw = case
    fast = pk.avg_pool1d(x, **kw)
    np.testing.assert_allclose(fast, pk.avg_pool1d_naive(x, **kw), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed).normal(size=fast.shape)
    np.testing.assert_allclose(pk.avg_pool1d_backward(g, x, **kw),
                               pk.avg_pool1d_backward_naive(g, x, **kw), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=1, padding=1, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=(2, 3), padding=(1, 0), ceil_mode=True, divisor_override=5),
    dict(kernel_size=(2, 4)),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_planes_against_reference(kw, dtype):
    # 2 x 64 x 40 x 40 exercises any chunked branch of the fast kernels.
    rng = np.random.default_rng(5)
    x = rng.normal(size=(2, 64, 40, 40)).astype(dtype)
    out = pk.avg_pool2d(x, **kw)
    assert out.dtype == dtype
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out, _ref_from_kwargs(x, kw), rtol=tol, atol=tol)
    g = rng.normal(size=out.shape).astype(dtype)
    gx = pk.avg_pool2d_backward(g, x, **kw)
    assert gx.shape == x.shape
    # backward of a linear map is its transpose: <A x, g> == <x, A^T g> for any x, g
    x64, g64 = x.astype(np.float64), g.astype(np.float64)
    lhs = np.sum(_ref_from_kwargs(x64, kw) * g64)
    rhs = np.sum(x64 * gx.astype(np.float64))
    assert math.isclose(lhs, rhs, rel_tol=tol * 100, abs_tol=tol * 1000)
    np.testing.assert_allclose(gx, _ref_avg_backward(g64, x.shape, kw), rtol=tol, atol=tol)


# ---------------------------------------------------------------------------
# Gradients and gradient sums
# ---------------------------------------------------------------------------

DIVISOR_VARIANTS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),                                   # include pad
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, divisor_override=4),
    dict(kernel_size=(2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True),    # clipped windows
    dict(kernel_size=(2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True, count_include_pad=False),
    dict(kernel_size=3, stride=1),                                              # overlapping
]


@pytest.mark.parametrize("kw", DIVISOR_VARIANTS)
def test_avg_pool2d_backward_matches_numerical_gradient(kw, num_grad, rng):
    x = rng.normal(size=(2, 2, 6, 7))
    out = pk.avg_pool2d(x, **kw)
    g = rng.normal(size=out.shape)
    numeric = num_grad(lambda z: pk.avg_pool2d(z, **kw), x, g)
    np.testing.assert_allclose(pk.avg_pool2d_backward(g, x, **kw), numeric, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(pk.avg_pool2d_backward_naive(g, x, **kw), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("kw", [dict(kernel_size=3), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=4, stride=3, padding=2, count_include_pad=False),
                                dict(kernel_size=2, divisor_override=3)])
def test_avg_pool1d_backward_matches_numerical_gradient(kw, num_grad, rng):
    x = rng.normal(size=(2, 3, 10))
    out = pk.avg_pool1d(x, **kw)
    g = rng.normal(size=out.shape)
    numeric = num_grad(lambda z: pk.avg_pool1d(z, **kw), x, g)
    np.testing.assert_allclose(pk.avg_pool1d_backward(g, x, **kw), numeric, rtol=1e-6, atol=1e-7)


def test_backward_by_hand_is_grad_over_n_not_a_copy():
    # The note's warning: each input gets grad / n (here n = 4), not a copy of grad.
    g = np.array([[[[4.0, 8.0], [-4.0, 2.0]]]])
    gx = pk.avg_pool2d_backward(g, X4[None, None], 2)
    np.testing.assert_allclose(gx[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [-1, -1, 0.5, 0.5], [-1, -1, 0.5, 0.5]],
                               rtol=1e-15)


def test_backward_with_padding_by_hand():
    # [1..5] (values irrelevant), k=2, s=2, p=1, ceil: windows {pad,x0}, {x1,x2}, {x3,x4}, divisor 2.
    g = np.array([[2.0, 4.0, 6.0]])
    gx = pk.avg_pool1d_backward(g, np.arange(5.0)[None], 2, stride=2, padding=1, ceil_mode=True)
    np.testing.assert_allclose(gx, [[1, 2, 2, 3, 3]], rtol=1e-15)  # half of g[0] went to padding
    gx = pk.avg_pool1d_backward(g, np.arange(5.0)[None], 2, stride=2, padding=1, ceil_mode=True,
                                count_include_pad=False)
    np.testing.assert_allclose(gx, [[2, 2, 2, 3, 3]], rtol=1e-15)  # divisor 1 for the first window


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(3, 2)),
                                dict(kernel_size=2, ceil_mode=True),  # clipped windows, clipped divisor
                                dict(kernel_size=3, padding=1, count_include_pad=False)])
def test_gradient_sum_preserved_when_no_padding_is_counted(kw, rng):
    # Non-overlapping windows (stride = kernel): each window hands its gradient g to its
    # cells as g/n over exactly the n cells it divides by, so sum(grad_x) == sum(grad_out).
    x = rng.normal(size=(2, 3, 7, 9))
    out = pk.avg_pool2d(x, **kw)
    g = rng.normal(size=out.shape)
    gx = pk.avg_pool2d_backward(g, x, **kw)
    assert math.isclose(gx.sum(), g.sum(), rel_tol=1e-10, abs_tol=1e-10)


def test_gradient_sum_strictly_smaller_with_counted_padding(rng):
    # count_include_pad=True: border windows divide by 9 but have fewer than 9 real cells;
    # the share of the (positive) gradient that lands on padding is dropped.
    x = rng.normal(size=(1, 2, 6, 6))
    out = pk.avg_pool2d(x, 3, stride=3, padding=1, count_include_pad=True)
    g = rng.uniform(0.5, 1.5, size=out.shape)
    gx = pk.avg_pool2d_backward(g, x, 3, stride=3, padding=1, count_include_pad=True)
    assert gx.sum() < g.sum() - 1e-3
    # By hand: on a 6x6 map, windows start at -1 and 2: rows {-1,0,1} (2 real), {2,3,4} (3 real).
    # Real fraction of each window = (rh * rw) / 9 with rh, rw in {2, 3}.
    frac = np.outer([2, 3], [2, 3]) / 9
    assert math.isclose(gx.sum(), float(np.sum(g * frac)), rel_tol=1e-12)
