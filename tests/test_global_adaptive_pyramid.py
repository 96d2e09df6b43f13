"""Global, adaptive and spatial pyramid pooling: bins by hand, published sizes, gradients."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import poolkit as pk
from tests._support import HYP, X4


def _bins(n_in, n_out):
    """FACTS.md: bin i spans [floor(i*in/out), ceil((i+1)*in/out)), integer arithmetic."""
    return [((i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)) for i in range(n_out)]


def _ref_adaptive(x, out_hw, reduce):
    oh, ow = out_hw
    rows, cols = _bins(x.shape[-2], oh), _bins(x.shape[-1], ow)
    out = np.empty(x.shape[:-2] + (oh, ow))
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[..., i, j] = reduce(x[..., r0:r1, c0:c1], axis=(-2, -1))
    return out


# ---------------------------------------------------------------------------
# Global pooling
# ---------------------------------------------------------------------------

def test_global_pooling_of_running_example_by_hand():
    # max of X4 is 9; row sums 7, 15, 26, 8 -> total 56 -> mean 56/16 = 3.5
    x = X4[None, None]
    assert pk.global_max_pool2d(x).tolist() == [[9.0]]
    np.testing.assert_allclose(pk.global_avg_pool2d(x), [[3.5]], rtol=1e-15)


def test_global_pooling_shapes(rng):
    x = rng.normal(size=(2, 3, 5, 4))
    assert pk.global_max_pool2d(x).shape == (2, 3)
    assert pk.global_avg_pool2d(x).shape == (2, 3)
    assert pk.global_max_pool2d(x[0]).shape == (3,)
    assert pk.global_avg_pool2d(x[0]).shape == (3,)
    np.testing.assert_array_equal(pk.global_max_pool2d(x), x.max(axis=(2, 3)))
    np.testing.assert_allclose(pk.global_avg_pool2d(x), x.mean(axis=(2, 3)), rtol=1e-14)
    np.testing.assert_array_equal(pk.global_max_pool2d(x[0]), x[0].max(axis=(1, 2)))


def test_global_avg_is_a_fixed_block_diagonal_linear_map(rng):
    # The note's "FC layer with weights 1/(W*H)": only block-diagonal, each output channel
    # sees only its own channel.
    N, C, H, W = 2, 3, 4, 5
    x = rng.normal(size=(N, C, H, W))
    weight = np.kron(np.eye(C), np.full((1, H * W), 1.0 / (H * W)))  # (C, C*H*W)
    np.testing.assert_allclose(pk.global_avg_pool2d(x), x.reshape(N, -1) @ weight.T, rtol=1e-13)


def test_global_equals_pooling_with_the_whole_map_as_window(rng):
    x = rng.normal(size=(2, 3, 5, 7))
    np.testing.assert_array_equal(pk.global_max_pool2d(x), pk.max_pool2d(x, (5, 7))[..., 0, 0])
    np.testing.assert_allclose(pk.global_avg_pool2d(x), pk.avg_pool2d(x, (5, 7))[..., 0, 0], rtol=1e-14)


def test_global_backward_by_hand():
    # avg: every cell gets g / 16 ; max: the 9 at (2,2) gets g, ties elsewhere impossible
    x = X4[None, None]
    g = np.array([[8.0]])
    np.testing.assert_allclose(pk.global_avg_pool2d_backward(g, x), np.full((1, 1, 4, 4), 0.5), rtol=1e-15)
    expected = np.zeros((1, 1, 4, 4))
    expected[0, 0, 2, 2] = 8.0
    np.testing.assert_array_equal(pk.global_max_pool2d_backward(g, x), expected)


def test_global_max_backward_ties_go_to_first_maximum():
    x = np.array([[[[1.0, 7], [7, 7]]]])
    gx = pk.global_max_pool2d_backward(np.array([[3.0]]), x)
    np.testing.assert_array_equal(gx[0, 0], [[0, 3], [0, 0]])


@pytest.mark.parametrize("name", ["global_max_pool2d", "global_avg_pool2d"])
def test_global_backward_matches_numerical_gradient(name, distinct, num_grad, rng):
    x = distinct((2, 3, 4, 5))
    f = getattr(pk, name)
    g = rng.normal(size=(2, 3))
    numeric = num_grad(f, x, g)
    np.testing.assert_allclose(getattr(pk, name + "_backward")(g, x), numeric, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(getattr(pk, name + "_backward")(g[0], x[0]), numeric[0], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["global_max_pool2d", "global_avg_pool2d"])
def test_global_naive_equals_fast(name, rng):
    x = rng.integers(-3, 4, size=(2, 3, 6, 5)).astype(float)
    np.testing.assert_allclose(getattr(pk, name)(x), getattr(pk, name + "_naive")(x), rtol=1e-14)
    g = rng.normal(size=(2, 3))
    np.testing.assert_allclose(getattr(pk, name + "_backward")(g, x),
                               getattr(pk, name + "_backward_naive")(g, x), rtol=1e-14)


# ---------------------------------------------------------------------------
# Adaptive pooling
# ---------------------------------------------------------------------------

def test_adaptive_avg_uneven_overlapping_bins_by_hand():
    # in=5 -> out=3: bins [0,2), [1,4), [3,5) (sizes 2, 3, 2; bins 0/1 and 1/2 overlap)
    x = np.array([[[[1.0, 2, 3, 4, 5]]]])
    np.testing.assert_allclose(pk.adaptive_avg_pool2d(x, (1, 3)), [[[[1.5, 3.0, 4.5]]]], rtol=1e-15)


def test_adaptive_max_indices_and_shared_maximum_by_hand():
    # bins [0,2): {1,5} -> 5@1 ; [1,4): {5,2,4} -> 5@1 ; [3,5): {4,3} -> 4@3
    x = np.array([[[[1.0, 5, 2, 4, 3]]]])
    out, idx = pk.adaptive_max_pool2d(x, (1, 3), return_indices=True)
    assert out.tolist() == [[[[5.0, 5.0, 4.0]]]]
    assert idx.tolist() == [[[[1, 1, 3]]]]
    assert idx.dtype == np.int64
    # the shared maximum collects both gradients
    gx = pk.adaptive_max_pool2d_backward(np.array([[[[2.0, 3.0, -1.0]]]]), x, (1, 3))
    assert gx.tolist() == [[[[0.0, 5.0, 0.0, -1.0, 0.0]]]]


def test_adaptive_7_to_4_bins_by_hand():
    # in=7 -> out=4: [0,2), [1,4), [3,6), [5,7)
    x = np.arange(7.0).reshape(1, 1, 1, 7)
    np.testing.assert_allclose(pk.adaptive_avg_pool2d(x, (1, 4)), [[[[0.5, 2.0, 4.0, 5.5]]]], rtol=1e-15)
    assert pk.adaptive_max_pool2d(x, (1, 4)).tolist() == [[[[1.0, 3.0, 5.0, 6.0]]]]


def test_adaptive_upsampling_repeats_cells():
    # in=2 -> out=4: bins [0,1), [0,1), [1,2), [1,2)
    x = np.array([[[[3.0, 8.0]]]])
    assert pk.adaptive_avg_pool2d(x, (1, 4)).tolist() == [[[[3.0, 3.0, 8.0, 8.0]]]]
    out, idx = pk.adaptive_max_pool2d(x, (1, 4), return_indices=True)
    assert idx.tolist() == [[[[0, 0, 1, 1]]]]


def test_adaptive_with_divisible_sizes_is_ordinary_pooling(rng):
    x = rng.normal(size=(2, 3, 6, 8))
    np.testing.assert_allclose(pk.adaptive_avg_pool2d(x, (3, 2)), pk.avg_pool2d(x, (2, 4)), rtol=1e-14)
    np.testing.assert_array_equal(pk.adaptive_max_pool2d(x, (3, 2)), pk.max_pool2d(x, (2, 4)))


def test_adaptive_int_output_size_means_square(rng):
    x = rng.normal(size=(1, 2, 7, 9))
    np.testing.assert_array_equal(pk.adaptive_max_pool2d(x, 3), pk.adaptive_max_pool2d(x, (3, 3)))
    np.testing.assert_allclose(pk.adaptive_avg_pool2d(x, 3), pk.adaptive_avg_pool2d(x, (3, 3)), rtol=0)
    assert pk.adaptive_avg_pool2d(x, 3).shape == (1, 2, 3, 3)


def test_adaptive_chw_dtypes_and_no_mutation(rng):
    x = rng.normal(size=(3, 7, 5)).astype(np.float32)
    x0 = x.copy()
    out = pk.adaptive_avg_pool2d(x, (2, 3))
    assert out.shape == (3, 2, 3) and out.dtype == np.float32
    out, idx = pk.adaptive_max_pool2d(x, (2, 3), return_indices=True)
    assert out.shape == (3, 2, 3) and out.dtype == np.float32 and idx.shape == (3, 2, 3)
    pk.adaptive_max_pool2d_backward(np.ones((3, 2, 3), np.float32), x, (2, 3))
    pk.adaptive_avg_pool2d_backward(np.ones((3, 2, 3), np.float32), x, (2, 3))
    np.testing.assert_array_equal(x, x0)


def test_adaptive_max_integer_input_keeps_dtype():
    x = X4.astype(np.int32)[None, None]
    out = pk.adaptive_max_pool2d(x, (2, 2))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out[0, 0], [[6, 5], [7, 9]])


@st.composite
def adaptive_cases(draw):
    h, w = draw(st.integers(1, 11)), draw(st.integers(1, 11))
    oh, ow = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    shape = ((draw(st.integers(1, 2)),) if draw(st.booleans()) else ()) + (draw(st.integers(1, 3)), h, w)
    x = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).integers(-3, 4, size=shape).astype(float)
    return x, (oh, ow)


@HYP
@given(adaptive_cases(), st.integers(0, 2**32 - 1))
def test_adaptive_naive_equals_fast_equals_bins(case, seed):
    x, osz = case
    mx, mi = pk.adaptive_max_pool2d(x, osz, return_indices=True)
    mxn, min_ = pk.adaptive_max_pool2d_naive(x, osz, return_indices=True)
    np.testing.assert_array_equal(mx, mxn)
    np.testing.assert_array_equal(mi, min_)
    np.testing.assert_array_equal(mx, _ref_adaptive(x, osz, np.max))
    av = pk.adaptive_avg_pool2d(x, osz)
    np.testing.assert_allclose(av, pk.adaptive_avg_pool2d_naive(x, osz), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(av, _ref_adaptive(x, osz, np.mean), rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(seed).normal(size=mx.shape)
    np.testing.assert_allclose(pk.adaptive_max_pool2d_backward(g, x, osz),
                               pk.adaptive_max_pool2d_backward_naive(g, x, osz), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pk.adaptive_avg_pool2d_backward(g, x, osz),
                               pk.adaptive_avg_pool2d_backward_naive(g, x, osz), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("osz", [(3, 2), (4, 4), (6, 9), (1, 1)])
def test_adaptive_backward_matches_numerical_gradient(osz, distinct, num_grad, rng):
    x = distinct((2, 2, 5, 7))
    g = rng.normal(size=(2, 2) + osz)
    for name in ("adaptive_max_pool2d", "adaptive_avg_pool2d"):
        f = getattr(pk, name)
        numeric = num_grad(lambda z, f=f: f(z, osz), x, g)
        np.testing.assert_allclose(getattr(pk, name + "_backward")(g, x, osz), numeric,
                                   rtol=1e-6, atol=1e-7, err_msg=name)


def test_adaptive_large_planes(rng):
    x = rng.integers(-10, 11, size=(2, 64, 40, 40)).astype(float)
    np.testing.assert_array_equal(pk.adaptive_max_pool2d(x, (7, 6)), _ref_adaptive(x, (7, 6), np.max))
    np.testing.assert_allclose(pk.adaptive_avg_pool2d(x, (7, 6)), _ref_adaptive(x, (7, 6), np.mean),
                               rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------
# Spatial pyramid pooling
# ---------------------------------------------------------------------------

def test_published_spp_formula_does_not_always_give_n_bins():
    # SPP-net's window ceil(a/n) and stride floor(a/n), fed to the output-size formula:
    # a=7, n=4: window 2, stride 1 -> (7-2)//1 + 1 = 6 bins, not 4.
    assert pk.output_size(7, 2, stride=1) == 6
    # a=5, n=3: window 2, stride 1 -> 4 bins, not 3.
    assert pk.output_size(5, 2, stride=1) == 4
    # a=13, n=6 (SPP-net's conv5 on 224 images): window 3, stride 2 -> (13-3)//2 + 1 = 6, as published.
    assert pk.output_size(13, 3, stride=2) == 6


@pytest.mark.parametrize("hw", [(7, 7), (5, 5), (5, 9), (1, 1), (3, 2)])
def test_spp_levels_always_have_n_by_n_bins(hw, rng):
    # Built on adaptive bins: level n always has n*n bins, whatever the input size.
    x = rng.normal(size=(2, 3) + hw)
    out = pk.spatial_pyramid_pool2d(x, levels=(1, 2, 4))
    assert out.shape == (2, 3 * (1 + 4 + 16))


def test_spp_net_imagenet_pyramid_has_12800_features(rng):
    # {6x6, 3x3, 2x2, 1x1} = 36 + 9 + 4 + 1 = 50 bins; conv5 has 256 channels: 50 * 256 = 12800
    for hw in [(13, 13), (10, 17)]:
        x = rng.normal(size=(1, 256) + hw)
        assert pk.spatial_pyramid_pool2d(x, levels=(6, 3, 2, 1)).shape == (1, 12800)


def test_spp_default_levels_and_chw(rng):
    x = rng.normal(size=(3, 8, 8))
    out = pk.spatial_pyramid_pool2d(x)  # levels (1, 2, 4)
    assert out.shape == (3 * 21,)
    np.testing.assert_allclose(out, pk.spatial_pyramid_pool2d(x[None])[0], rtol=0)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_spp_is_concatenation_of_flattened_adaptive_levels(mode, rng):
    # Level by level, each (N, C, n, n) flattened to (N, C*n*n), then concatenated.
    x = rng.normal(size=(2, 3, 7, 5))
    levels = (1, 2, 3)
    pool = pk.adaptive_max_pool2d if mode == "max" else pk.adaptive_avg_pool2d
    expected = np.concatenate([pool(x, n).reshape(2, -1) for n in levels], axis=1)
    np.testing.assert_allclose(pk.spatial_pyramid_pool2d(x, levels=levels, mode=mode), expected, rtol=1e-14)


def test_spp_level_1_is_global_pooling(rng):
    x = rng.normal(size=(2, 4, 6, 5))
    np.testing.assert_array_equal(pk.spatial_pyramid_pool2d(x, levels=(1,)), pk.global_max_pool2d(x))
    np.testing.assert_allclose(pk.spatial_pyramid_pool2d(x, levels=(1,), mode="avg"),
                               pk.global_avg_pool2d(x), rtol=1e-14)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_spp_backward_matches_numerical_gradient(mode, distinct, num_grad, rng):
    x = distinct((2, 2, 5, 7))
    levels = (1, 2, 4)
    out = pk.spatial_pyramid_pool2d(x, levels=levels, mode=mode)
    g = rng.normal(size=out.shape)
    numeric = num_grad(lambda z: pk.spatial_pyramid_pool2d(z, levels=levels, mode=mode), x, g)
    np.testing.assert_allclose(pk.spatial_pyramid_pool2d_backward(g, x, levels=levels, mode=mode),
                               numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_spp_naive_equals_fast(mode, rng):
    x = rng.integers(-3, 4, size=(2, 3, 9, 6)).astype(float)
    levels = (1, 2, 4)
    out = pk.spatial_pyramid_pool2d(x, levels=levels, mode=mode)
    np.testing.assert_allclose(out, pk.spatial_pyramid_pool2d_naive(x, levels=levels, mode=mode), rtol=1e-13)
    g = rng.normal(size=out.shape)
    np.testing.assert_allclose(pk.spatial_pyramid_pool2d_backward(g, x, levels=levels, mode=mode),
                               pk.spatial_pyramid_pool2d_backward_naive(g, x, levels=levels, mode=mode),
                               rtol=1e-13, atol=1e-13)


def test_dtypes_of_global_and_pyramid_pooling(rng):
    x32 = rng.normal(size=(2, 3, 5, 4)).astype(np.float32)
    assert pk.global_max_pool2d(x32).dtype == np.float32
    assert pk.global_avg_pool2d(x32).dtype == np.float32
    assert pk.spatial_pyramid_pool2d(x32).dtype == np.float32
    assert pk.spatial_pyramid_pool2d(x32, mode="avg").dtype == np.float32
    xi = X4.astype(np.int16)[None, None]
    out = pk.global_max_pool2d(xi)
    assert out.dtype == np.int16 and out.tolist() == [[9]]
    assert pk.spatial_pyramid_pool2d(xi, levels=(1, 2)).tolist() == [[9, 6, 5, 7, 9]]


def test_global_and_pyramid_do_not_modify_inputs(rng):
    x = rng.normal(size=(2, 3, 5, 4))
    x0 = x.copy()
    for mode in ("max", "avg"):
        out = pk.spatial_pyramid_pool2d(x, mode=mode)
        g = rng.normal(size=out.shape)
        g0 = g.copy()
        pk.spatial_pyramid_pool2d_backward(g, x, mode=mode)
        np.testing.assert_array_equal(g, g0)
    pk.global_max_pool2d_backward(rng.normal(size=(2, 3)), x)
    pk.global_avg_pool2d_backward(rng.normal(size=(2, 3)), x)
    np.testing.assert_array_equal(x, x0)


# ---------------------------------------------------------------------------
# global max pooling with indices
# ---------------------------------------------------------------------------

def test_global_max_indices_by_hand():
    # ties keep the first maximum (row-major); a plane with NaN records its last NaN
    x = np.array([[[[1.0, 7], [7, 7]], [[np.nan, 2], [np.nan, 9]], [[-np.inf, -np.inf], [-np.inf, -np.inf]]]])
    out, idx = pk.global_max_pool2d(x, return_indices=True)
    assert idx.dtype == np.int64 and idx.tolist() == [[1, 2, 0]]
    np.testing.assert_array_equal(out, pk.global_max_pool2d(x))
    out3, idx3 = pk.global_max_pool2d(x[0], return_indices=True)
    assert idx3.tolist() == [1, 2, 0] and out3.shape == (3,)


def test_global_max_indices_equal_torch(torch_or_skip, rng):
    torch = torch_or_skip
    for dtype in (np.float32, np.float64):
        x = rng.integers(-3, 4, size=(3, 5, 6, 7)).astype(dtype)      # many ties
        x[0, 1, 2, 3] = x[1, 2, 0, 0] = x[1, 2, 4, 5] = np.nan           # NaN planes
        x[2, 3] = -np.inf
        out, idx = pk.global_max_pool2d(x, return_indices=True)
        t_out, t_idx = torch.nn.functional.adaptive_max_pool2d(torch.from_numpy(x), 1, return_indices=True)
        np.testing.assert_array_equal(idx, t_idx.numpy()[..., 0, 0])
        np.testing.assert_array_equal(out, t_out.numpy()[..., 0, 0])


def test_global_max_backward_with_indices_equals_without(rng):
    x = rng.integers(-2, 3, size=(4, 3, 5, 6)).astype(np.float32)
    x[1, 1, 0, 4] = np.nan
    g = rng.normal(size=(4, 3)).astype(np.float32)
    _, idx = pk.global_max_pool2d(x, return_indices=True)
    want = pk.global_max_pool2d_backward(g, x)
    np.testing.assert_array_equal(pk.global_max_pool2d_backward(g, x, indices=idx), want)
    np.testing.assert_array_equal(pk.global_max_pool2d_backward(g, x, indices=idx.astype(np.int32)), want)
    np.testing.assert_array_equal(pk.global_max_pool2d_backward(g[0], x[0], indices=idx[0]), want[0])
    np.testing.assert_array_equal(want, pk.global_max_pool2d_backward_naive(g, x))


def test_global_max_backward_uses_the_given_indices():
    # the backward trusts the indices: a different (valid) position receives the gradient
    x = np.array([[[1.0, 7], [3, 2]]])
    assert pk.global_max_pool2d_backward([5.0], x, indices=[3]).tolist() == [[[0, 0], [0, 5.0]]]


@pytest.mark.parametrize("bad, err, match", [
    (np.array([4]), ValueError, r"indices contains 4, outside the input plane of 4 cells"),
    (np.array([-1]), ValueError, r"indices contains -1, outside the input plane of 4 cells"),
    (np.array([0.0]), TypeError, r"indices has dtype float64; it must be an integer array"),
    (np.array([0, 1]), ValueError, r"indices has shape \(2,\) but the pooled output has shape \(1,\)"),
])
def test_global_max_backward_rejects_bad_indices(bad, err, match):
    with pytest.raises(err, match=match):
        pk.global_max_pool2d_backward([1.0], np.zeros((1, 2, 2)), indices=bad)


def test_global_max_return_indices_must_be_bool():
    with pytest.raises(TypeError, match="return_indices=1 must be True or False"):
        pk.global_max_pool2d(np.zeros((1, 2, 2)), return_indices=1)


def test_global_max_layer_caches_indices(rng):
    x = rng.integers(-2, 3, size=(2, 3, 4, 5)).astype(float)
    layer = pk.GlobalMaxPool2d()
    out = layer(x)
    _, idx = pk.global_max_pool2d(x, return_indices=True)
    np.testing.assert_array_equal(layer.indices, idx)
    np.testing.assert_array_equal(out, pk.global_max_pool2d(x))
    g = rng.normal(size=(2, 3))
    np.testing.assert_array_equal(layer.backward(g), pk.global_max_pool2d_backward_naive(g, x))
