"""Precision: narrow floats sum in float32, any byte order is read right, and divisions round
in PyTorch's order.

* Every average-type pooling (average, adaptive average, SPP average, Lp, global average)
  sums float16 in float32 and returns the input's dtype, in either byte order: a float16
  running sum stops growing at 2048 when it adds ones, so a window of 5000 ones averaged
  0.4097 before.
* Every op accepts a non-native byte order (``'>f4'`` on a little-endian machine) and gives
  exactly what the native array gives.
* Adaptive average backward divides a bin's gradient by its height, then by its width, as
  PyTorch's CPU kernel does (one division by ``kh*kw`` differed in the last bit in ~5 % of
  float32 cases); a 1 x 1 output is PyTorch's ``mean``: one division by ``H*W``.
* On the CPU PyTorch computes the backward of half-precision average pooling in half
  (each division and each accumulation rounded to float16); poolkit does the same, bit for
  bit (checked against torch below).
"""

import numpy as np
import pytest

import poolkit as pk

SWAPPED = {np.dtype(t): np.dtype(t).newbyteorder("S") for t in ("f2", "f4", "f8")}


def _swapped(a):
    """The same values in the non-native byte order."""
    return a.astype(a.dtype.newbyteorder("S"))


# ----------------------------------------------------------------- float16 sums in float32

@pytest.mark.parametrize("order", ["<", ">"])
def test_float16_long_average_sums_in_float32(order):
    dt = np.dtype(order + "f2")
    ones = np.ones((1, 1, 5000), dt)
    out = pk.avg_pool1d(ones, 5000)
    assert out.dtype == dt and out.item() == 1.0
    plane = np.ones((1, 1, 50, 100), dt)                       # 5000 cells
    for out in (pk.avg_pool2d(plane, (50, 100)), pk.adaptive_avg_pool2d(plane, 1),
                pk.adaptive_avg_pool2d(plane, (1, 2)), pk.adaptive_avg_pool2d(plane, (1, 3)),
                pk.global_avg_pool2d(plane), pk.spatial_pyramid_pool2d(plane, (1, 2), mode="avg"),
                pk.AvgPool2d((50, 100))(plane), pk.GlobalAvgPool2d()(plane)):
        assert out.dtype == dt
        np.testing.assert_array_equal(out.astype(np.float64), 1.0)
    assert pk.avg_pool2d_naive(plane, (50, 100)).item() == 1.0   # the reference too
    assert pk.adaptive_avg_pool2d_naive(plane, (1, 3)).astype(float).tolist() == [[[[1.0, 1.0, 1.0]]]]
    assert pk.global_avg_pool2d_naive(plane).item() == 1.0


@pytest.mark.parametrize("order", ["<", ">"])
def test_float16_lp_pooling_in_float32(order):
    dt = np.dtype(order + "f2")
    x = np.ones((1, 1, 50, 100), dt)
    out = pk.lp_pool2d(x, 1, (50, 100))                        # a sum of 5000 ones
    assert out.dtype == dt and out.item() == 5000.0
    big = np.full((1, 1, 1, 4), 300.0, dt)                     # 300**2 = 90000 > float16's 65504
    assert pk.lp_pool2d(big, 2, (1, 4)).item() == 600.0
    g = pk.lp_pool2d_backward(np.ones((1, 1, 1, 1), dt), big, 2, (1, 4))
    assert g.dtype == dt
    np.testing.assert_allclose(g.astype(float), 0.5, rtol=1e-3)   # d/dx sqrt(4 x^2) = 1/2 each


def test_float32_and_float64_keep_their_dtype():
    for dt in ("<f4", ">f4", "<f8", ">f8"):
        x = np.ones((1, 1, 4, 4), dt)
        for out in (pk.avg_pool2d(x, 2), pk.adaptive_avg_pool2d(x, 3), pk.lp_pool2d(x, 2, 2),
                    pk.global_avg_pool2d(x)):
            assert out.dtype == np.dtype(dt)


# ----------------------------------------------------------------- non-native byte order

def _ops(x, g_of):
    """(name, value) of every op on x; g_of(shape) gives the upstream gradient."""
    out = {}
    o, i = pk.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    out["max"], out["max idx"] = o, i
    out["max bwd"] = pk.max_pool2d_backward(g_of(o.shape), x, 3, stride=2, padding=1)
    out["max bwd idx"] = pk.max_pool2d_backward(g_of(o.shape), x, 3, stride=2, padding=1, indices=i)
    out["max1d"] = pk.max_pool1d(x[:, 0], 2, return_indices=True)[1]
    o = pk.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
    out["avg"] = o
    out["avg bwd"] = pk.avg_pool2d_backward(g_of(o.shape), x, 3, stride=2, padding=1,
                                            count_include_pad=False)
    tiles = x[..., :6, :8]                          # 2 x 2 tiles: the pairs fast path
    o = pk.avg_pool2d(tiles, 2)
    out["avg tiled"] = o
    out["avg bwd tiled"] = pk.avg_pool2d_backward(g_of(o.shape), tiles, 2)
    for size in ((2, 3), (3, 5), 1):
        o, i = pk.adaptive_max_pool2d(x, size, return_indices=True)
        out[f"amax {size}"], out[f"amax idx {size}"] = o, i
        out[f"amax bwd {size}"] = pk.adaptive_max_pool2d_backward(g_of(o.shape), x, size)
        o = pk.adaptive_avg_pool2d(x, size)
        out[f"aavg {size}"] = o
        out[f"aavg bwd {size}"] = pk.adaptive_avg_pool2d_backward(g_of(o.shape), x, size)
    o, i = pk.global_max_pool2d(x, return_indices=True)
    out["gmax"], out["gmax idx"] = o, i
    out["gmax bwd"] = pk.global_max_pool2d_backward(g_of(o.shape), x)
    out["gavg"] = pk.global_avg_pool2d(x)
    out["gavg bwd"] = pk.global_avg_pool2d_backward(g_of(o.shape), x)
    for mode in ("max", "avg"):
        o = pk.spatial_pyramid_pool2d(x, (1, 2, 3), mode=mode)
        out[f"spp {mode}"] = o
        out[f"spp bwd {mode}"] = pk.spatial_pyramid_pool2d_backward(g_of(o.shape), x, (1, 2, 3), mode=mode)
    for p in (1, 2, np.inf):
        o = pk.lp_pool2d(x, p, 2)
        out[f"lp {p}"] = o
        out[f"lp bwd {p}"] = pk.lp_pool2d_backward(g_of(o.shape), x, p, 2)
    pooled, idx = pk.max_pool2d(x, 2, return_indices=True)
    u = pk.max_unpool2d(pooled, idx, 2, output_size=x.shape[-2:])
    out["unpool"] = u
    out["unpool bwd"] = pk.max_unpool2d_backward(g_of(u.shape), pooled, idx, 2, output_size=x.shape[-2:])
    layer = pk.MaxPool2d(2)
    out["layer"] = layer(x)
    out["layer bwd"] = layer.backward(g_of(out["layer"].shape))
    return out


@pytest.mark.parametrize("dtype", ["f2", "f4", "f8"])
def test_every_op_reads_a_non_native_byte_order_right(rng, dtype):
    native = rng.integers(-4, 5, size=(2, 3, 7, 9)).astype(dtype)   # ties
    native[0, 1, 2, 3] = np.nan
    swapped = _swapped(native)
    grads = {}

    def g_native(shape):
        return grads.setdefault(shape, rng.normal(size=shape).astype(dtype))

    def g_swapped(shape):
        return _swapped(grads[shape])

    want = _ops(native, g_native)
    got = _ops(swapped, g_swapped)
    for name in want:
        assert got[name].shape == want[name].shape, name
        np.testing.assert_array_equal(np.asarray(got[name], dtype=want[name].dtype.newbyteorder("=")),
                                      want[name], err_msg=name)


# ----------------------------------------------------------------- rounding order

def _differs_by_order(kh, kw, dtype=np.float32):
    """A gradient value whose (g / kh) / kw and g / (kh*kw) differ in the last bit."""
    t = np.dtype(dtype).type
    for g in np.linspace(1, 2, 4001, dtype=dtype):
        if (g / t(kh)) / t(kw) != g / t(kh * kw):
            return g
    raise AssertionError("no such value")               # pragma: no cover


@pytest.mark.parametrize("in_hw, out_hw, k", [((3, 10), (1, 2), (3, 5)),     # even bins
                                              ((3, 13), (1, 2), (3, 7))])    # uneven: [0,7), [6,13)
def test_adaptive_avg_backward_divides_by_height_then_width(in_hw, out_hw, k):
    kh, kw = k
    g = _differs_by_order(kh, kw)
    grad = np.full((1, 1) + out_hw, g, np.float32)
    want = (g / np.float32(kh)) / np.float32(kw)        # PyTorch's CPU kernel: / kh / kw
    for f in (pk.adaptive_avg_pool2d_backward, pk.adaptive_avg_pool2d_backward_naive):
        got = f(grad, np.zeros((1, 1) + in_hw, np.float32), out_hw)
        assert got[0, 0, 0, 0] == want, f.__name__
        assert got[0, 0, 0, 0] != g / np.float32(kh * kw)


def test_adaptive_avg_forward_divides_by_height_then_width():
    # a bin of 3 x 5 cells whose sum s is exact: the result is (s / 3) / 5, not s / 15
    s = _differs_by_order(3, 5)
    x = np.zeros((1, 1, 3, 10), np.float32)
    x[0, 0, 0, 0] = s
    for f in (pk.adaptive_avg_pool2d, pk.adaptive_avg_pool2d_naive):
        assert f(x, (1, 2))[0, 0, 0, 0] == (s / np.float32(3)) / np.float32(5), f.__name__


def test_adaptive_avg_1x1_is_the_mean_one_division():
    g = _differs_by_order(3, 5)
    got = pk.adaptive_avg_pool2d_backward(np.full((1, 1, 1, 1), g, np.float32),
                                          np.zeros((1, 1, 3, 5), np.float32), 1)
    np.testing.assert_array_equal(got, g / np.float32(15))
    np.testing.assert_array_equal(pk.adaptive_avg_pool2d_backward_naive(
        np.full((1, 1, 1, 1), g, np.float32), np.zeros((1, 1, 3, 5), np.float32), 1), got)


# ----------------------------------------------------------------- against PyTorch

SEEDS = range(150)


def _bins_config(rng):
    H, W = (int(v) for v in rng.integers(1, 13, 2))
    return (int(rng.integers(1, 3)), int(rng.integers(1, 4)), H, W), (int(rng.integers(1, H + 1)),
                                                                      int(rng.integers(1, W + 1)))


@pytest.mark.parametrize("seed", SEEDS)
def test_adaptive_avg_float32_bit_for_bit_with_torch(torch_or_skip, seed):
    torch = torch_or_skip
    F = torch.nn.functional
    rng = np.random.default_rng(seed)
    shape, out_hw = _bins_config(rng)
    x = rng.normal(size=shape).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    ot = F.adaptive_avg_pool2d(xt, out_hw)
    g = rng.normal(size=tuple(ot.shape)).astype(np.float32)
    ot.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(pk.adaptive_avg_pool2d_backward(g, x, out_hw), xt.grad.numpy())
    np.testing.assert_array_equal(pk.adaptive_avg_pool2d_backward_naive(g, x, out_hw), xt.grad.numpy())
    # the naive reference adds cell by cell like PyTorch: bit for bit, except a 1 x 1 output
    # (PyTorch's mean sums in another order)
    H, W = shape[-2:]
    if out_hw != (1, 1):
        np.testing.assert_array_equal(pk.adaptive_avg_pool2d_naive(x, out_hw), ot.detach().numpy())
    if (H % out_hw[0] or W % out_hw[1]) and out_hw != (1, 1):   # uneven bins: cell-by-cell sums
        np.testing.assert_array_equal(pk.adaptive_avg_pool2d(x, out_hw), ot.detach().numpy())
    else:
        np.testing.assert_allclose(pk.adaptive_avg_pool2d(x, out_hw), ot.detach().numpy(),
                                   rtol=1e-6, atol=1e-6)
    # SPP average: levels of adaptive pooling, concatenated; their gradients add up
    levels = (1, 2, 3)
    xt = torch.tensor(x, requires_grad=True)
    st = torch.cat([F.adaptive_avg_pool2d(xt, n).reshape(shape[0], -1) for n in levels], -1)
    gs = rng.normal(size=tuple(st.shape)).astype(np.float32)
    st.backward(torch.from_numpy(gs))
    np.testing.assert_array_equal(pk.spatial_pyramid_pool2d_backward(gs, x, levels, mode="avg"),
                                  xt.grad.numpy())
    np.testing.assert_allclose(pk.spatial_pyramid_pool2d(x, levels, mode="avg"), st.detach().numpy(),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_average_backward_float32_and_float16_bit_for_bit_with_torch(torch_or_skip, seed):
    torch = torch_or_skip
    F = torch.nn.functional
    rng = np.random.default_rng(1000 + seed)
    dt = (np.float32, np.float16)[seed % 2]
    H, W = (int(v) for v in rng.integers(1, 11, 2))
    kh, kw = int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1))
    kw_ = dict(stride=(int(rng.integers(1, 4)), int(rng.integers(1, 4))),
               padding=(int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))),
               ceil_mode=bool(rng.integers(0, 2)), count_include_pad=bool(rng.integers(0, 2)),
               divisor_override=(None, int(rng.integers(1, 9)))[int(rng.integers(0, 2))])
    x = rng.normal(size=(2, 3, H, W)).astype(dt)
    xt = torch.tensor(x, requires_grad=True)
    ot = F.avg_pool2d(xt, (kh, kw), **kw_)
    g = rng.normal(size=tuple(ot.shape)).astype(dt)
    ot.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(pk.avg_pool2d_backward(g, x, (kh, kw), **kw_), xt.grad.numpy())
    np.testing.assert_array_equal(pk.avg_pool2d_backward(_swapped(g), _swapped(x), (kh, kw), **kw_),
                                  xt.grad.numpy())
    # forward: the same up to the summation order (float16: summed in float32 by both)
    tol = dict(rtol=2e-3, atol=2e-3) if dt == np.float16 else dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pk.avg_pool2d(x, (kh, kw), **kw_).astype(float),
                               ot.detach().numpy().astype(float), **tol)
    if kh == 1 or kw == 1:           # a window of one row or column: the same order, bit for bit
        np.testing.assert_array_equal(pk.avg_pool2d(x, (kh, kw), **kw_), ot.detach().numpy())
    # adaptive and global, float16 too
    out_hw = (int(rng.integers(1, H + 1)), int(rng.integers(1, W + 1)))
    xt = torch.tensor(x, requires_grad=True)
    ot = F.adaptive_avg_pool2d(xt, out_hw)
    g = rng.normal(size=tuple(ot.shape)).astype(dt)
    ot.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(pk.adaptive_avg_pool2d_backward(g, x, out_hw), xt.grad.numpy())
    xt = torch.tensor(x, requires_grad=True)
    gg = rng.normal(size=(2, 3)).astype(dt)
    F.adaptive_avg_pool2d(xt, 1).backward(torch.from_numpy(gg[..., None, None]))
    np.testing.assert_array_equal(pk.global_avg_pool2d_backward(gg, x), xt.grad.numpy())
