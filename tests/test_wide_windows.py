"""Wide windows: max pooling with indices keeps the winning offset as a code, and a kernel side
over 256 must not overflow it (numpy 2 raised OverflowError, numpy 1.26 wrapped the code
around silently). Every path that builds codes is checked against the plain-loop references
or a hand computation: max with and without indices, max backward, the MaxPool layers,
adaptive max and its backward, SPP on a large map and Lp backward with ``p = inf``.

Inputs are thin (one or two rows) so that the naive loops stay cheap.
"""

import numpy as np
import pytest

import poolkit as pk
from poolkit.kernels import _plumbing as KP


def _ties(rng, shape, dtype=np.float64):
    """Few distinct values: many ties, so "first maximum" is really tested."""
    return rng.integers(-3, 4, size=shape).astype(dtype)


@pytest.mark.parametrize("k", [256, 257, 300, 1024])
def test_max_pool_with_indices_on_a_wide_row(rng, k):
    x = _ties(rng, (1, 2, 2, k + 6))
    x[0, 1, 1, k - 1] = 9.0                       # the maximum at the window's last offset
    for kernel, stride in (((1, k), (1, 3)), ((2, k), (1, 5))):
        out, idx = pk.max_pool2d(x, kernel, stride=stride, return_indices=True)
        want, want_idx = pk.max_pool2d_naive(x, kernel, stride=stride, return_indices=True)
        np.testing.assert_array_equal(out, want)
        np.testing.assert_array_equal(idx, want_idx)
    # by hand: one window over the whole row of channel 1: the 9 at column k-1 of row 1
    _, idx = pk.max_pool2d(x[:, :, :, :k], (2, k), return_indices=True)
    assert idx[0, 1, 0, 0] == 1 * k + (k - 1)


def test_max_pool_with_indices_on_a_tall_column(rng):
    x = _ties(rng, (1, 1, 300, 2))
    x[0, 0, 299, 1] = 5.0
    out, idx = pk.max_pool2d(x, (300, 2), return_indices=True)
    assert out.item() == 5.0 and idx.item() == 299 * 2 + 1
    got = pk.max_pool2d(x, (290, 1), stride=(3, 1), return_indices=True)
    want = pk.max_pool2d_naive(x, (290, 1), stride=(3, 1), return_indices=True)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_max_pool_wide_with_nan_padding_and_dilation(rng):
    x = _ties(rng, (1, 1, 1, 700))
    x[0, 0, 0, [10, 400]] = np.nan              # the last NaN of a window is recorded
    kw = dict(kernel_size=(1, 301), stride=(1, 7), padding=(0, 150), dilation=(1, 2))
    got = pk.max_pool2d(x, return_indices=True, **kw)
    want = pk.max_pool2d_naive(x, return_indices=True, **kw)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_max_pool_codes_wider_than_16_bits(rng):
    k = (1 << 16) + 1                             # uint32 codes
    x = rng.normal(size=(1, 1, 1, k + 2))
    x[0, 0, 0, k - 1] = 100.0
    out, idx = pk.max_pool2d(x, (1, k), stride=(1, 2), return_indices=True)
    # windows start at columns 0 and 2; both hold column k-1
    assert out.tolist() == [[[[100.0, 100.0]]]] and idx.tolist() == [[[[k - 1, k - 1]]]]


def test_max_backward_and_layers_with_wide_windows(rng):
    x = _ties(rng, (1, 2, 1, 520))
    kw = dict(stride=(1, 2))
    g = rng.normal(size=pk.max_pool2d(x, (1, 500), **kw).shape)
    want = pk.max_pool2d_backward_naive(g, x, (1, 500), **kw)
    np.testing.assert_array_equal(pk.max_pool2d_backward(g, x, (1, 500), **kw), want)
    layer = pk.MaxPool2d((1, 500), **kw)
    np.testing.assert_array_equal(layer(x), pk.max_pool2d_naive(x, (1, 500), **kw))
    np.testing.assert_array_equal(layer.backward(g), want)
    x1 = x[:, :, 0]
    g1 = g[:, :, 0]
    layer1 = pk.MaxPool1d(500, stride=2)
    np.testing.assert_array_equal(layer1(x1), pk.max_pool1d_naive(x1, 500, stride=2))
    np.testing.assert_array_equal(layer1.backward(g1), pk.max_pool1d_backward_naive(g1, x1, 500, stride=2))


def test_adaptive_max_on_a_large_map(rng):
    x = _ties(rng, (1, 2, 300, 300))
    x[0, 0, 123, 45] = 7.0
    out = pk.adaptive_max_pool2d(x, 1)             # no indices asked: raised OverflowError
    assert out[0, 0, 0, 0] == 7.0
    out, idx = pk.adaptive_max_pool2d(x, (1, 2), return_indices=True)
    want, want_idx = pk.adaptive_max_pool2d_naive(x, (1, 2), return_indices=True)
    np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(idx, want_idx)
    g = rng.normal(size=out.shape)
    np.testing.assert_array_equal(pk.adaptive_max_pool2d_backward(g, x, (1, 2)),
                                  pk.adaptive_max_pool2d_backward_naive(g, x, (1, 2)))
    layer = pk.AdaptiveMaxPool2d((1, 2))
    np.testing.assert_array_equal(layer(x), want)
    np.testing.assert_array_equal(layer.backward(g), pk.adaptive_max_pool2d_backward_naive(g, x, (1, 2)))


def test_spp_on_a_large_map(rng):
    x = _ties(rng, (1, 1, 520, 2))
    levels = (1, 2)
    np.testing.assert_array_equal(pk.spatial_pyramid_pool2d(x, levels),
                                  pk.spatial_pyramid_pool2d_naive(x, levels))
    g = rng.normal(size=pk.spatial_pyramid_pool2d(x, levels).shape)
    np.testing.assert_array_equal(pk.spatial_pyramid_pool2d_backward(g, x, levels),
                                  pk.spatial_pyramid_pool2d_backward_naive(g, x, levels))


def test_lp_backward_p_inf_with_a_wide_window(rng):
    x = rng.normal(size=(1, 1, 1, 600))
    g = rng.normal(size=(1, 1, 1, 2))
    np.testing.assert_array_equal(pk.lp_pool2d_backward(g, x, np.inf, (1, 300)),
                                  pk.lp_pool2d_backward_naive(g, x, np.inf, (1, 300)))


@pytest.mark.parametrize("k, dtype", [(1, np.uint8), (256, np.uint8), (257, np.uint16),
                                      (1 << 16, np.uint16), ((1 << 16) + 1, np.uint32)])
def test_code_dtype_is_the_narrowest_that_holds_every_offset(k, dtype):
    assert KP.code_dtype((1, k)) == dtype
    assert KP.code_dtype((k, 2)) == dtype
    assert np.iinfo(KP.code_dtype((k, 1))).max >= k - 1
    assert np.iinfo(np.uint8).max + 1 == 256                    # uint8 holds offsets 0..255


def test_index_dtype_switches_to_int64_exactly_at_2_to_the_31():
    # (need_h + ph) * (need_w + pw + W) bounds every |flat index| and every offset
    W = 2 ** 30 - 1
    assert (1 + 0) * (1 + 0 + W) < 2 ** 31
    assert KP.index_dtype(W, 1, 1, 0, 0) == np.int32
    # 2 * (2**30 - 1 + 1) = 2**31: no longer fits
    assert KP.index_dtype(W, 2, 1, 0, 0) == np.int64
    assert KP.index_dtype(2 ** 30 - 2, 2, 1, 0, 0) == np.int32   # 2 * (2**30 - 1) < 2**31


def test_int64_indexing_path_matches_on_wide_windows(rng, monkeypatch):
    """Force the int64 index/offset path (as a plane of 2**31 cells would) on a wide window."""
    monkeypatch.setattr(KP, "INT32_INDICES", 0)
    x = _ties(rng, (1, 1, 3, 400))
    kw = dict(kernel_size=(2, 300), stride=(1, 9), padding=(1, 100), dilation=(2, 1))
    got = pk.max_pool2d(x, return_indices=True, **kw)
    want = pk.max_pool2d_naive(x, return_indices=True, **kw)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
