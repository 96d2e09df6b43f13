"""Property-based sweep: every pooling, fast against its plain-loop ``*_naive`` reference, on
kernel sizes up to 1024 (wider than the 256 that one-byte winner codes hold) and every float
dtype in both byte orders (float16, float32, float64; ``'<'`` and ``'>'``).

Inputs are thin, one to three rows by up to 1030 columns (or the transpose, which exercises
the row codes), so that the naive loops stay cheap. Exact equality is asserted where poolkit
promises it (max values and indices, every backward except Lp's, average sums added in the
same order); elsewhere the tolerance is that of a sum in float32 (float16 too: a float16
running sum of ~1000 terms would miss it) or float64, against the reference in float64.

Hypothesis runs derandomized (a fixed sequence of examples, no example database), so the
sweep is the same on every run.
"""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import poolkit as pk  # noqa: E402

DTYPES = [np.dtype(order + t) for t in ("f2", "f4", "f8") for order in "<>"]
SWEEP = settings(max_examples=10, derandomize=True, database=None, deadline=None,
                 suppress_health_check=list(HealthCheck))
KERNELS = st.one_of(st.sampled_from([1, 2, 255, 256, 257, 300, 511, 512, 1000, 1023, 1024]),
                    st.integers(1, 1024))
#: Relative precision of a sum computed in float32 (float16 inputs) or the dtype itself.
SUM_RTOL = {2: 2.0 ** -10, 4: 2e-5, 8: 1e-12}


@st.composite
def wide_config(draw, dilation=True, padding=True):
    """A thin input shape and valid pooling arguments with a wide kernel along one axis."""
    k = draw(KERNELS)
    d = draw(st.integers(1, 3)) if dilation and 3 * (k - 1) + 1 <= 1030 else 1
    keff = d * (k - 1) + 1
    p = draw(st.integers(0, min(k // 2, 3))) if padding else 0
    W = draw(st.integers(max(1, keff - 2 * p), max(1, keff - 2 * p) + 6))
    H = draw(st.integers(1, 3))
    kh = draw(st.integers(1, H))
    ph = draw(st.integers(0, kh // 2)) if padding else 0
    s = (draw(st.integers(1, 3)), draw(st.sampled_from([1, 2, 3, 7, 100, 500])))
    ceil = draw(st.booleans())
    kw = dict(kernel_size=(kh, k), stride=s, padding=(ph, p), ceil_mode=ceil)
    if dilation:
        kw["dilation"] = (1, d)
    shape = (1, draw(st.integers(1, 2)), H, W)
    if draw(st.booleans()):                        # tall instead of wide
        shape = shape[:2] + shape[2:][::-1]
        kw = {key: (v[::-1] if isinstance(v, tuple) else v) for key, v in kw.items()}
    return shape, kw


def _values(seed, shape, dtype, nan=True):
    """Tie-heavy values (seed odd: few ties), some NaN and -inf when ``nan`` and the seed
    says so, in ``dtype`` (its byte order included); and the generator, for gradients."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=shape).astype(np.float64)
    if seed % 2:
        x += rng.normal(size=shape) * 0.25          # few ties
    if nan and seed % 3 == 0:
        x[rng.random(shape) < 0.002] = np.nan
        x[rng.random(shape) < 0.01] = -np.inf
    return x.astype(dtype), rng


def _grad(rng, shape, dtype):
    return rng.normal(size=shape).astype(dtype)


def _same(a, b):
    """Bit-for-bit equal values (NaN equal to NaN), whatever the byte orders."""
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.asarray(a, dtype=a.dtype.newbyteorder("=")),
                                  np.asarray(b, dtype=b.dtype.newbyteorder("=")))


def _close(fast, x, reference, dtype, cells, **kw):
    """``fast`` within the rounding of a float32 (or float64) sum of ``cells`` terms of the
    exact result, ``reference`` called on ``x`` in float64."""
    exact = reference(x.astype(np.float64), **kw)
    scale = np.nanmax(np.abs(x.astype(np.float64))) if x.size else 1.0
    rtol = SUM_RTOL[dtype.itemsize]
    np.testing.assert_allclose(fast.astype(np.float64), exact, rtol=rtol,
                               atol=rtol * scale * max(1, cells) ** 0.5 + 1e-300)


def check_max(cfg, dtype, seed):
    shape, kw = cfg
    x, rng = _values(seed, shape, dtype)
    out, idx = pk.max_pool2d(x, return_indices=True, **kw)
    want, want_idx = pk.max_pool2d_naive(x, return_indices=True, **kw)
    _same(out, want)
    _same(idx, want_idx)
    _same(pk.max_pool2d(x, **kw), want)
    g = _grad(rng, out.shape, dtype)
    want_g = pk.max_pool2d_backward_naive(g, x, **kw)
    _same(pk.max_pool2d_backward(g, x, **kw), want_g)
    _same(pk.max_pool2d_backward(g, x, indices=idx, **kw), want_g)
    layer = pk.MaxPool2d(kw["kernel_size"], kw["stride"], kw["padding"], kw.get("dilation", 1),
                         ceil_mode=kw["ceil_mode"])
    _same(layer(x), want)
    _same(layer.backward(g), want_g)
    if shape[2] == 1:                               # one row: the 1-D functions too
        kw1 = {key: (v[1] if isinstance(v, tuple) else v) for key, v in kw.items()}
        o1, i1 = pk.max_pool1d(x[:, :, 0], return_indices=True, **kw1)
        _same(o1, want[:, :, 0])
        _same(i1, want_idx[:, :, 0])
        _same(pk.max_pool1d_backward(g[:, :, 0], x[:, :, 0], **kw1), want_g[:, :, 0])


def check_avg(cfg, dtype, seed, cip=True, div=None):
    shape, kw = cfg
    kw = dict(kw, count_include_pad=cip, divisor_override=div)
    x, rng = _values(seed, shape, dtype, nan=False)
    out = pk.avg_pool2d(x, **kw)
    assert out.dtype == dtype
    want = pk.avg_pool2d_naive(x, **kw)
    kh, kw_ = kw["kernel_size"]
    if kh == 1 or kw_ == 1:                          # one row or column: the same order of sums
        _same(out, want)
    _close(out, x, pk.avg_pool2d_naive, dtype, kh * kw_, **kw)
    g = _grad(rng, out.shape, dtype)
    _same(pk.avg_pool2d_backward(g, x, **kw), pk.avg_pool2d_backward_naive(g, x, **kw))
    layer = pk.AvgPool2d(kw["kernel_size"], kw["stride"], kw["padding"], ceil_mode=kw["ceil_mode"],
                         count_include_pad=cip, divisor_override=div)
    _same(layer(x), out)
    if shape[2] == 1:
        kw1 = {key: (v[1] if isinstance(v, tuple) else v) for key, v in kw.items()}
        _same(pk.avg_pool1d(x[:, :, 0], **kw1), pk.avg_pool1d_naive(x[:, :, 0], **kw1))
        _same(pk.avg_pool1d_backward(g[:, :, 0], x[:, :, 0], **kw1),
              pk.avg_pool1d_backward_naive(g[:, :, 0], x[:, :, 0], **kw1))


def check_lp(cfg, dtype, seed, p=2):
    shape, kw = cfg
    kw = {key: v for key, v in kw.items() if key != "padding"}
    x, rng = _values(seed, shape, dtype, nan=False)
    out = pk.lp_pool2d(x, p, **kw)
    assert out.dtype == dtype
    g = _grad(rng, out.shape, dtype)
    grad = pk.lp_pool2d_backward(g, x, p, **kw)
    if np.isinf(p):                                 # a max of |x|: exact
        _same(out, pk.lp_pool2d_naive(x, p, **kw))
        _same(grad, pk.lp_pool2d_backward_naive(g, x, p, **kw))
        return
    cells = kw["kernel_size"][0] * kw["kernel_size"][1]
    _close(out, x, lambda v, **k: pk.lp_pool2d_naive(v, p, **k), dtype, cells, **kw)
    rtol = {2: 4e-3, 4: 1e-4, 8: 1e-9}[dtype.itemsize]
    want = pk.lp_pool2d_backward_naive(g.astype(np.float64), x.astype(np.float64), p, **kw)
    np.testing.assert_allclose(grad.astype(np.float64), want, rtol=rtol,
                               atol=rtol * max(1.0, float(np.abs(want).max(initial=0))))


@st.composite
def adaptive_config(draw):
    W = draw(st.one_of(st.sampled_from([256, 257, 300, 512, 1024, 1030]), st.integers(1, 1030)))
    H = draw(st.integers(1, 3))
    ow = draw(st.one_of(st.sampled_from([1, 2, 3]), st.integers(1, 8)))
    oh = draw(st.integers(1, 3))
    shape, out = (1, draw(st.integers(1, 2)), H, W), (oh, ow)
    if draw(st.booleans()):
        shape, out = shape[:2] + (W, H), (ow, oh)
    return shape, out


def check_adaptive(cfg, dtype, seed):
    shape, out_hw = cfg
    x, rng = _values(seed, shape, dtype)
    out, idx = pk.adaptive_max_pool2d(x, out_hw, return_indices=True)
    want, want_idx = pk.adaptive_max_pool2d_naive(x, out_hw, return_indices=True)
    _same(out, want)
    _same(idx, want_idx)
    _same(pk.adaptive_max_pool2d(x, out_hw), want)
    g = _grad(rng, out.shape, dtype)
    want_g = pk.adaptive_max_pool2d_backward_naive(g, x, out_hw)
    _same(pk.adaptive_max_pool2d_backward(g, x, out_hw), want_g)
    _same(pk.adaptive_max_pool2d_backward(g, x, out_hw, indices=idx), want_g)
    # average: finite values
    x, rng = _values(seed, shape, dtype, nan=False)
    out = pk.adaptive_avg_pool2d(x, out_hw)
    assert out.dtype == dtype
    H, W = shape[-2:]
    uneven = H % out_hw[0] or W % out_hw[1]
    thin = H // out_hw[0] <= 1 or W // out_hw[1] <= 1
    if out_hw != (1, 1) and (uneven or thin):        # cell-by-cell sums in both
        _same(out, pk.adaptive_avg_pool2d_naive(x, out_hw))
    _close(out, x, pk.adaptive_avg_pool2d_naive, dtype, -(-H // out_hw[0]) * -(-W // out_hw[1]),
           output_size=out_hw)
    g = _grad(rng, out.shape, dtype)
    _same(pk.adaptive_avg_pool2d_backward(g, x, out_hw), pk.adaptive_avg_pool2d_backward_naive(g, x, out_hw))


def check_global_and_pyramid(cfg, dtype, seed, levels=(1, 2)):
    shape, _ = cfg
    x, rng = _values(seed, shape, dtype)
    out, idx = pk.global_max_pool2d(x, return_indices=True)
    _same(out, pk.global_max_pool2d_naive(x))
    g = _grad(rng, out.shape, dtype)
    want_g = pk.global_max_pool2d_backward_naive(g, x)
    _same(pk.global_max_pool2d_backward(g, x), want_g)
    _same(pk.global_max_pool2d_backward(g, x, indices=idx), want_g)
    s = pk.spatial_pyramid_pool2d(x, levels)
    _same(s, pk.spatial_pyramid_pool2d_naive(x, levels))
    gs = _grad(rng, s.shape, dtype)
    _same(pk.spatial_pyramid_pool2d_backward(gs, x, levels),
          pk.spatial_pyramid_pool2d_backward_naive(gs, x, levels))
    x, rng = _values(seed, shape, dtype, nan=False)
    out = pk.global_avg_pool2d(x)
    assert out.dtype == dtype
    _close(out, x, pk.global_avg_pool2d_naive, dtype, x.shape[-2] * x.shape[-1])
    _same(pk.global_avg_pool2d_backward(g, x), pk.global_avg_pool2d_backward_naive(g, x))
    s = pk.spatial_pyramid_pool2d(x, levels, mode="avg")
    assert s.dtype == dtype
    _close(s, x, lambda v: pk.spatial_pyramid_pool2d_naive(v, levels, mode="avg"), dtype,
           x.shape[-2] * x.shape[-1])
    _same(pk.spatial_pyramid_pool2d_backward(gs, x, levels, mode="avg"),
          pk.spatial_pyramid_pool2d_backward_naive(gs, x, levels, mode="avg"))


def check_unpool(cfg, dtype, seed):
    shape, kw = cfg
    x, rng = _values(seed, shape, dtype)
    kw = {key: v for key, v in kw.items() if key != "ceil_mode"}
    pooled, idx = pk.max_pool2d(x, return_indices=True, **kw)
    k, s, p = kw["kernel_size"], kw["stride"], kw["padding"]
    size = shape[-2:]
    default = tuple((n - 1) * si - 2 * pi + ki for n, ki, si, pi in zip(pooled.shape[-2:], k, s, p))
    if any(not (d - si < n < d + si) for d, si, n in zip(default, s, size)):
        return                                      # PyTorch's rule: this size cannot be restored
    u = pk.max_unpool2d(pooled, idx, k, stride=s, padding=p, output_size=size)
    _same(u, pk.max_unpool2d_naive(pooled, idx, k, stride=s, padding=p, output_size=size))
    g = _grad(rng, u.shape, dtype)
    _same(pk.max_unpool2d_backward(g, pooled, idx, k, stride=s, padding=p, output_size=size),
          pk.max_unpool2d_backward_naive(g, pooled, idx, k, stride=s, padding=p, output_size=size))


# ----------------------------------------------------------------- the sweep

SEEDS = st.integers(0, 2 ** 32 - 1)
BY_DTYPE = pytest.mark.parametrize("dtype", DTYPES, ids=str)


@BY_DTYPE
@SWEEP
@given(cfg=wide_config(), seed=SEEDS)
def test_max_pool_wide_windows(dtype, cfg, seed):
    check_max(cfg, dtype, seed)


@BY_DTYPE
@SWEEP
@given(cfg=wide_config(dilation=False), seed=SEEDS, cip=st.booleans(),
       div=st.sampled_from([None, None, 1, 3, 1000]))
def test_avg_pool_wide_windows(dtype, cfg, seed, cip, div):
    check_avg(cfg, dtype, seed, cip, div)


@BY_DTYPE
@SWEEP
@given(cfg=wide_config(dilation=False, padding=False), seed=SEEDS,
       p=st.sampled_from([1, 2, 3, 1.5, np.inf]))
def test_lp_pool_wide_windows(dtype, cfg, seed, p):
    check_lp(cfg, dtype, seed, p)


@BY_DTYPE
@SWEEP
@given(cfg=adaptive_config(), seed=SEEDS)
def test_adaptive_pool_wide_bins(dtype, cfg, seed):
    check_adaptive(cfg, dtype, seed)


@BY_DTYPE
@SWEEP
@given(cfg=adaptive_config(), seed=SEEDS, levels=st.sampled_from([(1,), (1, 2), (3, 2, 1), (1, 2, 4)]))
def test_global_and_pyramid_on_wide_maps(dtype, cfg, seed, levels):
    check_global_and_pyramid(cfg, dtype, seed, levels)


@BY_DTYPE
@SWEEP
@given(cfg=wide_config(dilation=False), seed=SEEDS)
def test_unpool_after_wide_windows(dtype, cfg, seed):
    check_unpool(cfg, dtype, seed)


# ----------------------------------------------------------------- corners, always run

def _wide(k, W, **kw):
    shape = (1, 2, 2, W)
    return shape, dict(dict(kernel_size=(2, k), stride=(1, 3), padding=(1, 2), ceil_mode=True), **kw)


@BY_DTYPE
@pytest.mark.parametrize("k", [256, 257, 1024])
def test_corners_every_pooling_at_the_code_boundaries(dtype, k):
    """Kernel sides 256 (the last one-byte code), 257 and 1024, on every pooling, every dtype."""
    check_max(_wide(k, k + 6), dtype, 3)
    check_max(_wide(k // 4, k + 6, dilation=(1, 4), padding=(1, 0)), dtype, 4)
    check_avg(_wide(k, k + 6), dtype, 5, cip=False)
    check_avg(_wide(k, k + 6), dtype, 6, div=7)
    for p in (1, 2, np.inf):
        check_lp(_wide(k, k + 6), dtype, 7, p)
    for out_hw in ((1, 1), (2, 1), (1, 3), (2, 4)):
        check_adaptive(((1, 2, 2, k + 2), out_hw), dtype, 9)
        check_adaptive(((1, 2, k + 2, 2), out_hw[::-1]), dtype, 10)
    check_global_and_pyramid(((1, 2, 2, k), None), dtype, 11, (1, 2, 4))
    check_unpool(_wide(k, k + 1, padding=(0, 0), stride=(2, 1)), dtype, 12)
