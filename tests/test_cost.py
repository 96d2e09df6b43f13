"""Parameters (zero), FLOPs under the stated convention, and memory traffic, worked by hand."""

import numpy as np
import pytest

import poolkit as pk

LAYERS = [
    pk.MaxPool2d(2), pk.AvgPool2d(3, stride=2, padding=1), pk.MaxPool1d(2), pk.AvgPool1d(2),
    pk.LPPool2d(2, 2), pk.AdaptiveMaxPool2d(3), pk.AdaptiveAvgPool2d((2, 3)),
    pk.GlobalAvgPool2d(), pk.GlobalMaxPool2d(), pk.SpatialPyramidPool2d((1, 2, 4)),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_pooling_layers_have_no_parameters(layer):
    assert pk.num_parameters(layer) == 0


def test_num_parameters_counts_what_parameters_returns():
    class Fake:
        def parameters(self):
            return [np.zeros((3, 4)), np.zeros(5)]
    assert pk.num_parameters(Fake()) == 17
    with pytest.raises(TypeError):
        pk.num_parameters(object())


@pytest.mark.parametrize("C", [1, 16, 64, 256])
def test_three_3x3_convs_vs_one_7x7(C):
    # FACTS (CS231n; Simonyan & Zisserman 2015): same 7x7 field, 27 C^2 against 49 C^2 weights
    assert 3 * pk.conv2d_params(C, C, 3, bias=False) == 27 * C * C
    assert pk.conv2d_params(C, C, 7, bias=False) == 49 * C * C


def test_conv2d_params_by_hand():
    # 3 -> 16 channels, 5x3 kernel: 16*3*5*3 = 720 weights, plus 16 biases
    assert pk.conv2d_params(3, 16, (5, 3), bias=False) == 720
    assert pk.conv2d_params(3, 16, (5, 3)) == 736
    # AlexNet conv1 (Krizhevsky et al. 2012): 96 kernels of 11x11x3 = 34,848 weights (+96 biases)
    assert pk.conv2d_params(3, 96, 11, bias=False) == 34848


def test_pool_flops_by_hand():
    # (1, 64, 224, 224), 2x2/2 -> 64*112*112 = 802,816 windows
    r = pk.pool_flops((1, 64, 224, 224), 2)
    assert r.output_shape == (1, 64, 112, 112)
    assert r.windows == 802816
    assert r.convention == 802816 * 4          # the note's N*C*OH*OW*k*k
    assert r.exact == 802816 * 3               # k*k - 1 comparisons per max window
    avg = pk.pool_flops((1, 64, 224, 224), 2, mode="avg")
    assert avg.exact == 802816 * 4             # k*k - 1 additions + 1 division


def test_pool_flops_alexnet_overlapping_pool():
    # AlexNet: 3x3/2 pooling of 96 maps of 55x55 -> 27x27; windows 96*27*27 = 69,984
    r = pk.pool_flops((96, 55, 55), 3, stride=2)
    assert r.output_shape == (96, 27, 27)
    assert r.windows == 69984
    assert r.convention == 69984 * 9 and r.exact == 69984 * 8


def test_pool_flops_output_shape_matches_pooling(rng):
    x = rng.normal(size=(2, 3, 11, 9))
    for kw in [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
               dict(kernel_size=(2, 3), stride=1, dilation=2)]:
        assert pk.pool_flops(x.shape, **kw).output_shape == pk.max_pool2d(x, **kw).shape


def test_pool_bytes_by_hand():
    # float32: input 64*224*224*4 = 12,845,056 bytes read; output 802,816*4 = 3,211,264 written
    r = pk.pool_bytes((1, 64, 224, 224), 2)
    assert (r.read, r.written, r.total) == (12845056, 3211264, 16056320)
    # int64 indices add 8 bytes per output
    r = pk.pool_bytes((1, 64, 224, 224), 2, return_indices=True)
    assert r.written == 3211264 + 802816 * 8
    # float64 doubles everything
    r = pk.pool_bytes((64, 224, 224), 2, dtype="float64")
    assert (r.read, r.written) == (2 * 12845056, 2 * 3211264)


def test_pooling_is_memory_bound_compared_with_a_conv():
    # Arithmetic intensity (ops per byte) of a 2x2 max pool is below 1, far below a 3x3 conv's.
    shape = (1, 64, 56, 56)
    pool_ops = pk.pool_flops(shape, 2).exact
    pool_mem = pk.pool_bytes(shape, 2).total
    conv = pk.conv2d_flops(shape, 64, 3, padding=1)
    conv_mem = (np.prod(shape) + np.prod(conv.output_shape)) * 4 + pk.conv2d_params(64, 64, 3) * 4
    assert pool_ops / pool_mem < 1
    assert conv.flops / conv_mem > 100 * pool_ops / pool_mem


def test_conv2d_flops_by_hand():
    # (1, 3, 32, 32) -> 16 channels, 3x3, padding 1: 16*32*32 outputs x 3*3*3 MACs = 442,368
    r = pk.conv2d_flops((1, 3, 32, 32), 16, 3, padding=1)
    assert r.output_shape == (1, 16, 32, 32)
    assert r.macs == 442368 and r.flops == 2 * 442368
    # stride 2, no padding: (32-3)//2+1 = 15 -> 16*15*15*27
    assert pk.conv2d_flops((3, 32, 32), 16, 3, stride=2).macs == 16 * 15 * 15 * 27


def test_three_3x3_convs_cost_less_arithmetic_than_one_7x7():
    C = 64
    shape = (1, C, 56, 56)
    three = 3 * pk.conv2d_flops(shape, C, 3, padding=1).macs
    one = pk.conv2d_flops(shape, C, 7, padding=3).macs
    assert three * 49 == one * 27


@pytest.mark.parametrize("call, exc", [
    (lambda: pk.pool_flops((1, 1, 4, 4), 2, mode="median"), ValueError),
    (lambda: pk.pool_flops((4, 4), 2), ValueError),
    (lambda: pk.pool_flops((1, 1, 4, 4), 5), ValueError),
    (lambda: pk.pool_flops((1, 1, 4.0, 4), 2), TypeError),
    (lambda: pk.pool_bytes((1, 1, 4, 4), 2, dtype="banana"), TypeError),
    (lambda: pk.conv2d_params(0, 4, 3), ValueError),
    (lambda: pk.conv2d_params(3, 4, 3.5), TypeError),
    (lambda: pk.conv2d_flops((1, 3, 8, 8), 0, 3), ValueError),
])
def test_bad_cost_arguments(call, exc):
    with pytest.raises(exc):
        call()
