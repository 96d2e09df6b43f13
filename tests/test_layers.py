"""Layer objects: forward equals the functional form and caches, backward equals the functional backward."""

import numpy as np
import pytest

import poolkit as pk

# (layer factory, functional forward, functional backward, input shape); the functional
# forms get exactly the arguments the layer was built with.
CASES = {
    "MaxPool2d": (lambda: pk.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
                  lambda x: pk.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
                  lambda g, x: pk.max_pool2d_backward(g, x, 3, stride=2, padding=1, ceil_mode=True),
                  (2, 3, 7, 6)),
    "MaxPool2d-dilated": (lambda: pk.MaxPool2d((2, 3), stride=1, dilation=2),
                          lambda x: pk.max_pool2d(x, (2, 3), stride=1, dilation=2),
                          lambda g, x: pk.max_pool2d_backward(g, x, (2, 3), stride=1, dilation=2),
                          (3, 7, 8)),
    "MaxPool1d": (lambda: pk.MaxPool1d(3, stride=1, padding=1),
                  lambda x: pk.max_pool1d(x, 3, stride=1, padding=1),
                  lambda g, x: pk.max_pool1d_backward(g, x, 3, stride=1, padding=1),
                  (2, 3, 9)),
    "AvgPool2d": (lambda: pk.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
                  lambda x: pk.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
                  lambda g, x: pk.avg_pool2d_backward(g, x, 3, stride=2, padding=1, count_include_pad=False),
                  (2, 3, 7, 6)),
    "AvgPool2d-divisor": (lambda: pk.AvgPool2d(2, ceil_mode=True, divisor_override=3),
                          lambda x: pk.avg_pool2d(x, 2, ceil_mode=True, divisor_override=3),
                          lambda g, x: pk.avg_pool2d_backward(g, x, 2, ceil_mode=True, divisor_override=3),
                          (2, 2, 5, 5)),
    "AvgPool1d": (lambda: pk.AvgPool1d(2),
                  lambda x: pk.avg_pool1d(x, 2),
                  lambda g, x: pk.avg_pool1d_backward(g, x, 2),
                  (2, 3, 8)),
    "LPPool2d": (lambda: pk.LPPool2d(3, 2, stride=1),
                 lambda x: pk.lp_pool2d(x, 3, 2, stride=1),
                 lambda g, x: pk.lp_pool2d_backward(g, x, 3, 2, stride=1),
                 (2, 3, 5, 6)),
    "AdaptiveMaxPool2d": (lambda: pk.AdaptiveMaxPool2d((3, 2)),
                          lambda x: pk.adaptive_max_pool2d(x, (3, 2)),
                          lambda g, x: pk.adaptive_max_pool2d_backward(g, x, (3, 2)),
                          (2, 3, 7, 5)),
    "AdaptiveAvgPool2d": (lambda: pk.AdaptiveAvgPool2d(4),
                          lambda x: pk.adaptive_avg_pool2d(x, 4),
                          lambda g, x: pk.adaptive_avg_pool2d_backward(g, x, 4),
                          (2, 3, 7, 5)),
    "GlobalMaxPool2d": (lambda: pk.GlobalMaxPool2d(),
                        pk.global_max_pool2d, pk.global_max_pool2d_backward, (2, 3, 4, 5)),
    "GlobalAvgPool2d": (lambda: pk.GlobalAvgPool2d(),
                        pk.global_avg_pool2d, pk.global_avg_pool2d_backward, (2, 3, 4, 5)),
    "SpatialPyramidPool2d": (lambda: pk.SpatialPyramidPool2d((1, 2, 3), mode="avg"),
                             lambda x: pk.spatial_pyramid_pool2d(x, (1, 2, 3), mode="avg"),
                             lambda g, x: pk.spatial_pyramid_pool2d_backward(g, x, (1, 2, 3), mode="avg"),
                             (2, 3, 7, 5)),
    "SpatialPyramidPool2d-max": (lambda: pk.SpatialPyramidPool2d(),
                                 lambda x: pk.spatial_pyramid_pool2d(x),
                                 lambda g, x: pk.spatial_pyramid_pool2d_backward(g, x),
                                 (2, 3, 8, 8)),
}

IDS = list(CASES)


@pytest.fixture(params=IDS)
def case(request):
    return CASES[request.param]


def _input(rng, shape):
    return rng.permutation(int(np.prod(shape))).astype(float).reshape(shape) / 7 - 3


def test_forward_and_backward_equal_the_functional_forms(case, rng):
    make, fwd, bwd, shape = case
    x = _input(rng, shape)
    layer = make()
    out = layer.forward(x)
    np.testing.assert_array_equal(out, fwd(x))
    g = rng.normal(size=out.shape)  # random upstream gradient
    np.testing.assert_allclose(layer.backward(g), bwd(g, x), rtol=1e-14, atol=1e-14)


def test_backward_uses_the_most_recent_forward(case, rng):
    make, fwd, bwd, shape = case
    x1, x2 = _input(rng, shape), -_input(rng, shape)
    layer = make()
    layer.forward(x1)
    out2 = layer.forward(x2)
    g = rng.normal(size=out2.shape)
    np.testing.assert_allclose(layer.backward(g), bwd(g, x2), rtol=1e-14, atol=1e-14)


def test_forward_records_what_backward_needs(case, rng):
    # The record is the layer's own: overwriting the caller's array after forward (an in-place
    # activation, a reused buffer) must not change the gradient of the forward that ran.
    make, fwd, bwd, shape = case
    x = _input(rng, shape)
    x_saved = x.copy()
    layer = make()
    out = layer.forward(x)
    x[...] = rng.normal(size=shape)
    g = rng.normal(size=out.shape)
    np.testing.assert_allclose(layer.backward(g), bwd(g, x_saved), rtol=1e-14, atol=1e-14)


def test_backward_before_forward_is_a_clear_error(case):
    make, _, _, shape = case
    layer = make()
    with pytest.raises(RuntimeError, match="forward"):
        layer.backward(np.ones(shape))
    assert issubclass(pk.BackwardBeforeForwardError, RuntimeError)


def test_parameters_is_empty(case):
    make = case[0]
    assert list(make().parameters()) == []


def test_layers_do_not_modify_inputs(case, rng):
    make, _, _, shape = case
    x = _input(rng, shape)
    x0 = x.copy()
    layer = make()
    out = layer.forward(x)
    g = rng.normal(size=out.shape)
    g0 = g.copy()
    layer.backward(g)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)


def test_max_layers_expose_the_max_ids():
    # The note's "max id": MaxPool2d(2) on the running 4x4 example records [[5, 6], [8, 10]].
    x = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]], dtype=float)[None, None]
    layer = pk.MaxPool2d(2)
    layer.forward(x)
    np.testing.assert_array_equal(layer.indices[0, 0], [[5, 6], [8, 10]])
    gx = layer.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 2], expected[2, 0], expected[2, 2] = 1, 2, 3, 4
    np.testing.assert_array_equal(gx[0, 0], expected)


def test_layer_arguments_are_validated():
    with pytest.raises(ValueError, match="kernel_size"):
        pk.MaxPool2d(0).forward(np.ones((1, 1, 4, 4)))
    with pytest.raises(TypeError, match="stride"):
        pk.AvgPool1d(2, stride=1.5).forward(np.ones((1, 1, 4)))


def test_backward_checks_grad_out_shape(rng):
    layer = pk.AvgPool2d(2)
    layer.forward(rng.normal(size=(1, 2, 4, 4)))
    with pytest.raises(ValueError, match="grad_out"):
        layer.backward(np.ones((1, 2, 3, 3)))


def test_max_unpool_layer_inverts_max_pool_layer_where_it_can():
    x = np.array([[[1., 2., 0., 5.], [3., 4., 1., 0.], [0., 0., 2., 2.], [1., 0., 2., 1.]]])
    pool, unpool = pk.MaxPool2d(2), pk.MaxUnpool2d(2)
    up = unpool(pool(x), pool.indices)
    # by hand: the maxima 4, 5, 1, 2 back at their cells 5, 3, 12, 10; zeros elsewhere
    want = np.zeros(16)
    want[[5, 3, 12, 10]] = [4., 5., 1., 2.]
    np.testing.assert_array_equal(up, want.reshape(1, 4, 4))
    g = np.arange(16.).reshape(1, 4, 4)
    np.testing.assert_array_equal(unpool.backward(g), [[[5., 3.], [12., 10.]]])
    assert repr(unpool) == "MaxUnpool2d(kernel_size=2, stride=2, padding=0)"
    with pytest.raises(pk.BackwardBeforeForwardError):
        pk.MaxUnpool2d(2).backward(g)


def test_max_unpool_layer_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6))
    for kw, out_size in [(dict(kernel_size=2), None), (dict(kernel_size=3, stride=2, padding=1), (7, 6)),
                         (dict(kernel_size=2), (7, 6))]:
        pool = pk.MaxPool2d(**kw)
        pooled = pool(x)
        ours = pk.MaxUnpool2d(**kw)(pooled, pool.indices, out_size)
        theirs = torch.nn.MaxUnpool2d(**kw)(torch.from_numpy(pooled), torch.from_numpy(pool.indices),
                                            output_size=out_size)
        np.testing.assert_array_equal(ours, theirs.numpy())
