"""Lp pooling, ``(sum |x|^p)^(1/p)`` over each window: hand cases, limits, naive == fast, gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import poolkit as pk
from tests._support import HYP


def test_p2_is_euclidean_norm_by_hand():
    # window {3, 4, 0, 0}: sqrt(9 + 16) = 5 ; window {1, 2, 2, 4}: sqrt(1+4+4+16) = 5
    x = np.array([[[[3.0, 4, 1, 2], [0, 0, 2, 4]]]])
    np.testing.assert_allclose(pk.lp_pool2d(x, 2, 2), [[[[5.0, 5.0]]]], rtol=1e-14)


def test_p1_is_sum_of_absolute_values_by_hand():
    # |1| + |-2| + |3| + |-4| = 10
    x = np.array([[[[1.0, -2], [3, -4]]]])
    np.testing.assert_allclose(pk.lp_pool2d(x, 1, 2), [[[[10.0]]]], rtol=1e-15)


def test_p3_by_hand():
    # (1 + 8 + 8 + 0)^(1/3) = 17^(1/3)
    x = np.array([[[[1.0, 2], [2, 0]]]])
    np.testing.assert_allclose(pk.lp_pool2d(x, 3, 2)[0, 0, 0, 0], 17 ** (1 / 3), rtol=1e-14)


def test_float_norm_type():
    # p = 1.5 on {1, 4}: (1 + 8)^(2/3) = 9^(2/3)
    x = np.array([[[[1.0, 4.0]]]])
    np.testing.assert_allclose(pk.lp_pool2d(x, 1.5, (1, 2))[0, 0, 0, 0], 9 ** (2 / 3), rtol=1e-14)


def test_negative_inputs_use_absolute_values():
    # The mathematical definition takes |x|; PyTorch's LPPool does not (see FACTS.md).
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 6, 6))
    for p in (1, 3, 2.5):
        np.testing.assert_allclose(pk.lp_pool2d(x, p, 2), pk.lp_pool2d(np.abs(x), p, 2), rtol=1e-13)
        assert np.all(np.isfinite(pk.lp_pool2d(x, p, 2)))


def test_p1_equals_sum_pooling_of_abs(rng):
    # sum pooling = average pooling times the window area (no padding, no clipping)
    x = rng.normal(size=(2, 3, 6, 8))
    np.testing.assert_allclose(pk.lp_pool2d(x, 1, (2, 4)), pk.avg_pool2d(np.abs(x), (2, 4)) * 8, rtol=1e-13)


def test_large_p_approaches_max_of_abs(rng):
    # ||v||_inf <= ||v||_p <= n^(1/p) ||v||_inf, with n = 4 window cells
    x = rng.uniform(0.5, 2.0, size=(1, 2, 6, 6))
    p = 40.0
    lp = pk.lp_pool2d(x, p, 2)
    mx = pk.max_pool2d(x, 2)
    assert np.all(lp >= mx * (1 - 1e-12))
    assert np.all(lp <= mx * 4 ** (1 / p) * (1 + 1e-12))


def test_stride_and_overlap(rng):
    # k=2, s=1 over a row [1, 2, 2]: sqrt(1+4)=sqrt5, sqrt(4+4)=sqrt8
    x = np.array([[[[1.0, 2.0, 2.0]]]])
    np.testing.assert_allclose(pk.lp_pool2d(x, 2, (1, 2), stride=1)[0, 0, 0], [5 ** 0.5, 8 ** 0.5], rtol=1e-14)


def test_ceil_mode_clipped_window_sums_only_real_cells():
    # [1..5], kernel (1, 2), ceil, p=1: {1,2} -> 3, {3,4} -> 7, {5} -> 5.
    # (PyTorch's lp_pool2d would return 10 for the clipped window: it rescales an average
    #  over the clipped window by the full window area. The definition says 5.)
    x = np.arange(1.0, 6.0).reshape(1, 1, 1, 5)
    np.testing.assert_allclose(pk.lp_pool2d(x, 1, (1, 2), ceil_mode=True), [[[[3, 7, 5]]]], rtol=1e-15)


def test_float32_stays_float32():
    x = np.random.default_rng(1).normal(size=(1, 2, 4, 4)).astype(np.float32)
    assert pk.lp_pool2d(x, 2, 2).dtype == np.float32


def test_chw_input_and_no_mutation(rng):
    x = rng.normal(size=(3, 6, 4))
    x0 = x.copy()
    out = pk.lp_pool2d(x, 2, 2)
    assert out.shape == (3, 3, 2)
    np.testing.assert_allclose(out, pk.lp_pool2d(x[None], 2, 2)[0], rtol=1e-15)
    g = rng.normal(size=out.shape)
    g0 = g.copy()
    pk.lp_pool2d_backward(g, x, 2, 2)
    pk.lp_pool2d_naive(x, 2, 2)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)


@st.composite
def lp_cases(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    hw = (draw(st.integers(k[0], k[0] + 7)), draw(st.integers(k[1], k[1] + 7)))
    shape = ((draw(st.integers(1, 2)),) if draw(st.booleans()) else ()) + (draw(st.integers(1, 3)),) + hw
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).normal(size=shape)
    p = draw(st.sampled_from([1, 1.5, 2, 3, 4.5]))
    return x, p, dict(kernel_size=k, stride=s, ceil_mode=draw(st.booleans()))


@HYP
@given(lp_cases(), st.integers(0, 2**32 - 1))
def test_lp_naive_equals_fast(case, seed):
    x, p, kw = case
    fast = pk.lp_pool2d(x, p, **kw)
    np.testing.assert_allclose(fast, pk.lp_pool2d_naive(x, p, **kw), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed).normal(size=fast.shape)
    np.testing.assert_allclose(pk.lp_pool2d_backward(g, x, p, **kw),
                               pk.lp_pool2d_backward_naive(g, x, p, **kw), rtol=1e-10, atol=1e-10)


def test_large_planes_against_definition(rng):
    x = rng.normal(size=(2, 64, 40, 40))
    out = pk.lp_pool2d(x, 3, 2)
    ref = (np.abs(x) ** 3).reshape(2, 64, 20, 2, 20, 2).sum(axis=(3, 5)) ** (1 / 3)
    np.testing.assert_allclose(out, ref, rtol=1e-12)


@pytest.mark.parametrize("p", [1, 1.5, 2, 3])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1),
                                dict(kernel_size=(2, 3), stride=(2, 2), ceil_mode=True)])
def test_lp_backward_matches_numerical_gradient(p, kw, num_grad, rng):
    # values kept away from 0, where |x|^p is not differentiable for p <= 1
    x = rng.uniform(0.3, 2.0, size=(2, 2, 5, 6)) * rng.choice([-1.0, 1.0], size=(2, 2, 5, 6))
    out = pk.lp_pool2d(x, p, **kw)
    g = rng.normal(size=out.shape)
    numeric = num_grad(lambda z: pk.lp_pool2d(z, p, **kw), x, g)
    np.testing.assert_allclose(pk.lp_pool2d_backward(g, x, p, **kw), numeric, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pk.lp_pool2d_backward_naive(g, x, p, **kw), numeric, rtol=1e-5, atol=1e-6)


def test_lp_backward_by_hand_p2():
    # d/dx_i sqrt(sum x^2) = x_i / ||x||: window {3, 4} -> (3/5, 4/5), times upstream 10
    x = np.array([[[[3.0, -4.0]]]])
    gx = pk.lp_pool2d_backward(np.array([[[[10.0]]]]), x, 2, (1, 2))
    np.testing.assert_allclose(gx, [[[[6.0, -8.0]]]], rtol=1e-14)


def test_lp_backward_all_zero_window_is_finite():
    # p >= 1 at an all-zero window: a subgradient (0 is the natural one); never NaN.
    x = np.zeros((1, 1, 2, 2))
    gx = pk.lp_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2, 2)
    assert np.all(np.isfinite(gx))


def test_p_infinity_is_max_pooling_of_abs(rng, num_grad):
    # the limit p -> inf of the p-norm is the max norm (documented: norm_type=float('inf'))
    n = 2 * 2 * 6 * 6
    mag = (rng.permutation(n) + 1.0).reshape(2, 2, 6, 6) * 0.1   # distinct magnitudes
    x = mag * rng.choice([-1.0, 1.0], size=mag.shape)
    out = pk.lp_pool2d(x, float("inf"), 2)
    np.testing.assert_array_equal(out, pk.max_pool2d(np.abs(x), 2))
    g = rng.normal(size=out.shape)
    numeric = num_grad(lambda z: pk.lp_pool2d(z, float("inf"), 2), x, g)
    np.testing.assert_allclose(pk.lp_pool2d_backward(g, x, float("inf"), 2), numeric, rtol=1e-6, atol=1e-7)
