"""Max unpooling: placement by hand, output_size, partial-inverse property, gradients."""

import numpy as np
import pytest

import poolkit as pk
from tests._support import X4


def test_unpool_of_running_example_by_hand():
    # max_pool2d(X4, 2) -> [[6, 5], [7, 9]] at flat [[5, 6], [8, 10]]
    out, idx = pk.max_pool2d(X4[None, None], 2, return_indices=True)
    up = pk.max_unpool2d(out, idx, 2)
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 2], expected[2, 0], expected[2, 2] = 6, 5, 7, 9
    np.testing.assert_array_equal(up[0, 0], expected)
    assert up.shape == (1, 1, 4, 4)


def test_unpool_explicit_values_and_indices():
    # values [[1, 2], [3, 4]] at flat [0, 3, 9, 14] of a 4x4 plane (row-major)
    x = np.array([[[[1.0, 2], [3, 4]]]])
    idx = np.array([[[[0, 3], [9, 14]]]])
    up = pk.max_unpool2d(x, idx, 2)
    expected = np.zeros((4, 4))
    expected[0, 0], expected[0, 3], expected[2, 1], expected[3, 2] = 1, 2, 3, 4
    np.testing.assert_array_equal(up[0, 0], expected)


def test_output_size_restores_odd_input_size():
    # A 5x5 map pools (k=2) to 2x2; the default unpool size is (2-1)*2 + 2 = 4, but the
    # indices were computed on a 5-wide plane: output_size=(5, 5) must put each max back
    # where it came from.
    rng = np.random.default_rng(0)
    x = rng.permutation(2 * 3 * 25).astype(float).reshape(2, 3, 5, 5)
    out, idx = pk.max_pool2d(x, 2, return_indices=True)
    up = pk.max_unpool2d(out, idx, 2, output_size=(5, 5))
    assert up.shape == (2, 3, 5, 5)
    mask = np.zeros(x.shape, bool)
    mask.reshape(2, 3, 25)[np.arange(2)[:, None, None], np.arange(3)[None, :, None],
                          idx.reshape(2, 3, 4)] = True
    np.testing.assert_array_equal(up, np.where(mask, x, 0.0))
    # and each window's maximum is where we expect it
    assert mask.sum() == 2 * 3 * 4


def test_default_size_uses_unpool_formula():
    # (in - 1) * s - 2p + k: in=3, k=3, s=2, p=1 -> 4 - 2 + 3 = 5
    x = np.ones((1, 1, 3, 3))
    idx = np.zeros((1, 1, 3, 3), dtype=np.int64)
    assert pk.max_unpool2d(x, idx, 3, stride=2, padding=1).shape == (1, 1, 5, 5)
    # unequal sides and strides: H: (2-1)*3 + 2 = 5 ; W: (4-1)*1 + 2 = 5 ... with k=(2,2), s=(3,1)
    x = np.ones((1, 1, 2, 4))
    idx = np.zeros((1, 1, 2, 4), dtype=np.int64)
    assert pk.max_unpool2d(x, idx, 2, stride=(3, 1)).shape == (1, 1, 5, 5)


def test_unpool_is_a_partial_inverse(rng):
    # Non-overlapping windows: pooling the unpooled maxima gives the maxima back,
    # but the non-maximal cells are lost (0).
    x = rng.uniform(1, 2, size=(2, 3, 6, 8))
    out, idx = pk.max_pool2d(x, 2, return_indices=True)
    up = pk.max_unpool2d(out, idx, 2)
    np.testing.assert_array_equal(pk.max_pool2d(up, 2), out)
    assert np.count_nonzero(up) == out.size
    assert not np.array_equal(up, x)


def test_chw_input_and_no_mutation(rng):
    x = rng.normal(size=(3, 6, 6))
    out, idx = pk.max_pool2d(x, 3, stride=3, return_indices=True)
    out0, idx0 = out.copy(), idx.copy()
    up = pk.max_unpool2d(out, idx, 3)
    assert up.shape == (3, 6, 6)
    np.testing.assert_array_equal(out, out0)
    np.testing.assert_array_equal(idx, idx0)
    g = rng.normal(size=up.shape)
    g0 = g.copy()
    pk.max_unpool2d_backward(g, out, idx, 3)
    np.testing.assert_array_equal(g, g0)


def test_dtype_preserved(rng):
    x = rng.normal(size=(1, 2, 4, 4)).astype(np.float32)
    out, idx = pk.max_pool2d(x, 2, return_indices=True)
    assert pk.max_unpool2d(out, idx, 2).dtype == np.float32
    xi = X4.astype(np.int32)[None, None]
    out, idx = pk.max_pool2d(xi, 2, return_indices=True)
    assert pk.max_unpool2d(out, idx, 2).dtype == np.int32


def test_unpool_backward_by_hand():
    # grad_x[i] = grad_out at the cell where value i was placed
    x = np.array([[[[1.0, 2], [3, 4]]]])
    idx = np.array([[[[0, 3], [9, 14]]]])
    g = np.arange(16.0).reshape(1, 1, 4, 4) * 10
    gx = pk.max_unpool2d_backward(g, x, idx, 2)
    np.testing.assert_array_equal(gx, [[[[0.0, 30], [90, 140]]]])


@pytest.mark.parametrize("hw, kw", [
    ((4, 6), dict(kernel_size=2)),
    ((4, 7), dict(kernel_size=3, stride=3, padding=1)),    # default size: (2-1)*3-2+3=4, (3-1)*3-2+3=7
    ((5, 7), dict(kernel_size=3, stride=3, padding=1, output_size=(5, 7))),
    ((5, 7), dict(kernel_size=2, output_size=(5, 7))),
])
def test_unpool_backward_matches_numerical_gradient(hw, kw, distinct, num_grad, rng):
    # Non-overlapping windows only: with overlap, two pooled entries can carry the same index
    # and the one written last hides the other, so f would not depend on both.
    src = distinct((2, 2) + hw)
    pool_kw = {k: v for k, v in kw.items() if k != "output_size"}
    x, idx = pk.max_pool2d(src, return_indices=True, **pool_kw)
    up = pk.max_unpool2d(x, idx, **kw)
    g = rng.normal(size=up.shape)
    numeric = num_grad(lambda z: pk.max_unpool2d(z, idx, **kw), x, g)
    np.testing.assert_allclose(pk.max_unpool2d_backward(g, x, idx, **kw), numeric, rtol=1e-6, atol=1e-7)


def test_unpool_naive_equals_fast(rng):
    # the first two use the default size ((4-1)*2+2 = 8, (3-1)*2+2 = 6 ; (5-1)*2-2+3 = 9, (4-1)*2-2+3 = 7)
    for hw, kw in [((8, 6), dict(kernel_size=2)), ((9, 7), dict(kernel_size=3, stride=2, padding=1)),
                   ((9, 7), dict(kernel_size=2, output_size=(9, 7)))]:
        src = rng.normal(size=(2, 3) + hw)
        pool_kw = {k: v for k, v in kw.items() if k != "output_size"}
        x, idx = pk.max_pool2d(src, return_indices=True, **pool_kw)
        fast = pk.max_unpool2d(x, idx, **kw)
        np.testing.assert_array_equal(fast, pk.max_unpool2d_naive(x, idx, **kw))
        g = rng.normal(size=fast.shape)
        np.testing.assert_array_equal(pk.max_unpool2d_backward(g, x, idx, **kw),
                                      pk.max_unpool2d_backward_naive(g, x, idx, **kw))


def test_unpool_large_planes(rng):
    src = rng.normal(size=(2, 64, 40, 40))
    x, idx = pk.max_pool2d(src, 2, return_indices=True)
    up = pk.max_unpool2d(x, idx, 2)
    # every window keeps exactly its maximum, in place
    np.testing.assert_array_equal(up, np.where(up != 0, src, 0.0))
    np.testing.assert_array_equal(pk.max_pool2d(np.where(up != 0, src, -np.inf), 2), x)
