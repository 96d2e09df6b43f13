"""Cross-check against PyTorch (an independent implementation): forward, indices, backward.

Runs only when torch is importable; in CI (``CI=true``) a missing torch is a failure, not
a skip (see ``torch_or_skip`` in conftest.py). Configurations are drawn from seeded
generators so that a failure names a reproducible case.
"""

import numpy as np
import pytest

import poolkit as pk
from tests._support import out_len

SEEDS = range(40)


@pytest.fixture
def torch(torch_or_skip):
    return torch_or_skip


@pytest.fixture
def F(torch):
    return torch.nn.functional


def _has_real_tap(n, k, s, p, d, out):
    """True if every window along this axis has at least one tap inside the unpadded input."""
    for o in range(out):
        start = o * s - p
        if not any(0 <= start + j * d < n for j in range(k)):
            return False
    return True


def _random_max_config(rng, dims):
    """Random (shape, kwargs) for max pooling in `dims` spatial dims, valid for torch."""
    while True:
        k = tuple(int(v) for v in rng.integers(1, 5, size=dims))
        d = tuple(int(v) for v in rng.integers(1, 4, size=dims))
        eff = [d[i] * (k[i] - 1) + 1 for i in range(dims)]
        p = tuple(int(rng.integers(0, k[i] // 2 + 1)) for i in range(dims))  # torch: p <= k // 2
        s = tuple(int(v) for v in rng.integers(1, 5, size=dims))
        ceil = bool(rng.integers(0, 2))
        size = tuple(int(max(1, eff[i] - 2 * p[i]) + rng.integers(0, 9)) for i in range(dims))
        outs = [out_len(size[i], k[i], s[i], p[i], d[i], ceil) for i in range(dims)]
        if min(outs) < 1:
            continue
        # PyTorch returns out-of-plane indices for windows made only of padding; skip those.
        if all(_has_real_tap(size[i], k[i], s[i], p[i], d[i], outs[i]) for i in range(dims)):
            shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4))) + size
            return shape, dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)


def _random_avg_config(rng, dims):
    k = tuple(int(v) for v in rng.integers(1, 5, size=dims))
    p = tuple(int(rng.integers(0, ki // 2 + 1)) for ki in k)
    s = tuple(int(v) for v in rng.integers(1, 5, size=dims))
    size = tuple(int(max(1, k[i] - 2 * p[i]) + rng.integers(0, 9)) for i in range(dims))
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4))) + size
    return shape, dict(kernel_size=k, stride=s, padding=p, ceil_mode=bool(rng.integers(0, 2)),
                       count_include_pad=bool(rng.integers(0, 2)))


def _values(rng, shape, ties):
    if ties:  # integer-valued floats: many ties, so "first maximum" is really tested
        return rng.integers(-3, 4, size=shape).astype(np.float64)
    return rng.normal(size=shape)


def _tt(torch, a, grad=False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


# ---------------------------------------------------------------------------
# Max pooling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_max_pool2d_matches_torch(seed, torch, F):
    rng = np.random.default_rng(1000 + seed)
    shape, kw = _random_max_config(rng, 2)
    x = _values(rng, shape, ties=seed % 2 == 0)
    out, idx = pk.max_pool2d(x, return_indices=True, **kw)
    xt = _tt(torch, x, grad=True)
    ot, it = F.max_pool2d(xt, return_indices=True, **kw)
    msg = f"shape={shape} {kw}"
    np.testing.assert_array_equal(out, ot.detach().numpy(), err_msg=msg)
    np.testing.assert_array_equal(idx, it.numpy(), err_msg=msg)
    g = rng.normal(size=out.shape)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.max_pool2d_backward(g, x, **kw), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)
    np.testing.assert_allclose(pk.max_pool2d_backward(g, x, indices=idx, **kw), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)


@pytest.mark.parametrize("seed", SEEDS)
def test_max_pool1d_matches_torch(seed, torch, F):
    rng = np.random.default_rng(2000 + seed)
    shape, kw = _random_max_config(rng, 1)
    kw = {k: (v[0] if isinstance(v, tuple) else v) for k, v in kw.items()}
    x = _values(rng, shape, ties=seed % 2 == 0)
    out, idx = pk.max_pool1d(x, return_indices=True, **kw)
    xt = _tt(torch, x, grad=True)
    ot, it = F.max_pool1d(xt, return_indices=True, **kw)
    msg = f"shape={shape} {kw}"
    np.testing.assert_array_equal(out, ot.detach().numpy(), err_msg=msg)
    np.testing.assert_array_equal(idx, it.numpy(), err_msg=msg)
    g = rng.normal(size=out.shape)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.max_pool1d_backward(g, x, **kw), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)


def test_max_pool2d_float32_and_chw_match_torch(torch, F):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 9, 8)).astype(np.float32)
    out, idx = pk.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)
    ot, it = F.max_pool2d(torch.from_numpy(x.copy()), 3, stride=2, padding=1, return_indices=True)
    assert out.dtype == np.float32 and out.shape == tuple(ot.shape)
    np.testing.assert_array_equal(out, ot.numpy())
    np.testing.assert_array_equal(idx, it.numpy())


def test_max_pool2d_nan_and_inf_match_torch(torch, F):
    # Values: NaN propagates (both). Indices on NaN windows are checked separately below.
    rng = np.random.default_rng(4)
    x = rng.integers(-2, 3, size=(2, 3, 9, 9)).astype(np.float64)
    x[rng.random(x.shape) < 0.08] = np.nan
    x[rng.random(x.shape) < 0.08] = -np.inf
    x[rng.random(x.shape) < 0.03] = np.inf
    for kw in [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
               dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)]:
        out, idx = pk.max_pool2d(x, return_indices=True, **kw)
        ot, it = F.max_pool2d(_tt(torch, x), return_indices=True, **kw)
        np.testing.assert_array_equal(out, ot.numpy(), err_msg=str(kw))
        no_nan = ~np.isnan(out)
        np.testing.assert_array_equal(idx[no_nan], it.numpy()[no_nan], err_msg=str(kw))


def test_max_pool2d_nan_indices_match_torch(torch, F):
    # PyTorch's CPU kernel lets any NaN replace the running maximum, so a window with two
    # NaNs reports the LAST one. DESIGN.md says indices are "as PyTorch returns them".
    x = np.array([[[[np.nan, 1.0], [np.nan, 2.0]]]])
    _, idx = pk.max_pool2d(x, 2, return_indices=True)
    _, it = F.max_pool2d(_tt(torch, x), 2, return_indices=True)
    assert idx.tolist() == it.tolist()


# ---------------------------------------------------------------------------
# Average pooling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_avg_pool2d_matches_torch(seed, torch, F):
    rng = np.random.default_rng(3000 + seed)
    shape, kw = _random_avg_config(rng, 2)
    if seed % 3 == 0:
        kw["divisor_override"] = int(rng.integers(1, 10))
    x = rng.normal(size=shape)
    out = pk.avg_pool2d(x, **kw)
    xt = _tt(torch, x, grad=True)
    ot = F.avg_pool2d(xt, **kw)
    msg = f"shape={shape} {kw}"
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12, atol=1e-12, err_msg=msg)
    g = rng.normal(size=out.shape)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.avg_pool2d_backward(g, x, **kw), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)


@pytest.mark.parametrize("seed", SEEDS)
def test_avg_pool1d_matches_torch(seed, torch, F):
    rng = np.random.default_rng(4000 + seed)
    shape, kw = _random_avg_config(rng, 1)
    kw = {k: (v[0] if isinstance(v, tuple) else v) for k, v in kw.items()}
    x = rng.normal(size=shape)
    xt = _tt(torch, x, grad=True)
    if seed % 3 == 0:
        # F.avg_pool1d has no divisor_override: compare with avg_pool2d on a single row
        kw["divisor_override"] = int(rng.integers(1, 10))
        kw2 = {k: ((1, v) if k in ("kernel_size", "stride") else (0, v) if k == "padding" else v)
               for k, v in kw.items()}
        ot = F.avg_pool2d(xt[:, :, None, :], **kw2)[:, :, 0, :]
    else:
        ot = F.avg_pool1d(xt, **kw)
    out = pk.avg_pool1d(x, **kw)
    msg = f"shape={shape} {kw}"
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12, atol=1e-12, err_msg=msg)
    g = rng.normal(size=out.shape)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.avg_pool1d_backward(g, x, **kw), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)


# ---------------------------------------------------------------------------
# Adaptive, global, pyramid
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_adaptive_pooling_matches_torch(seed, torch, F):
    rng = np.random.default_rng(5000 + seed)
    shape = (int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 12)), int(rng.integers(1, 12)))
    osz = (int(rng.integers(1, 9)), int(rng.integers(1, 9)))
    x = _values(rng, shape, ties=seed % 2 == 0)
    msg = f"shape={shape} output_size={osz}"
    g = rng.normal(size=shape[:2] + osz)

    out, idx = pk.adaptive_max_pool2d(x, osz, return_indices=True)
    xt = _tt(torch, x, grad=True)
    ot, it = F.adaptive_max_pool2d(xt, osz, return_indices=True)
    np.testing.assert_array_equal(out, ot.detach().numpy(), err_msg=msg)
    np.testing.assert_array_equal(idx, it.numpy(), err_msg=msg)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.adaptive_max_pool2d_backward(g, x, osz), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)

    out = pk.adaptive_avg_pool2d(x, osz)
    xt = _tt(torch, x, grad=True)
    ot = F.adaptive_avg_pool2d(xt, osz)
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-12, atol=1e-12, err_msg=msg)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.adaptive_avg_pool2d_backward(g, x, osz), xt.grad.numpy(),
                               rtol=1e-12, atol=1e-12, err_msg=msg)


def test_global_and_pyramid_match_torch_adaptive(torch, F):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 3, 7, 5))
    xt = _tt(torch, x)
    np.testing.assert_allclose(pk.global_avg_pool2d(x), F.adaptive_avg_pool2d(xt, 1).numpy()[..., 0, 0],
                               rtol=1e-13)
    np.testing.assert_array_equal(pk.global_max_pool2d(x), F.adaptive_max_pool2d(xt, 1).numpy()[..., 0, 0])
    for mode, pool in (("max", F.adaptive_max_pool2d), ("avg", F.adaptive_avg_pool2d)):
        levels = (4, 2, 1)
        expected = torch.cat([pool(xt, n).flatten(1) for n in levels], dim=1).numpy()
        np.testing.assert_allclose(pk.spatial_pyramid_pool2d(x, levels=levels, mode=mode), expected,
                                   rtol=1e-13, err_msg=mode)


# ---------------------------------------------------------------------------
# Unpooling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_max_unpool2d_matches_torch(seed, torch, F):
    rng = np.random.default_rng(7000 + seed)
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = k  # non-overlapping windows: no index is written twice
    p = (int(rng.integers(0, k[0] // 2 + 1)), int(rng.integers(0, k[1] // 2 + 1)))
    hw = (int(k[0] + rng.integers(0, 7)), int(k[1] + rng.integers(0, 7)))
    src = rng.normal(size=(2, 2) + hw)
    x, idx = pk.max_pool2d(src, k, stride=s, padding=p, return_indices=True)
    use_size = seed % 2 == 0
    extra = dict(output_size=hw) if use_size else {}
    msg = f"src={src.shape} k={k} p={p} {extra}"
    try:
        up = pk.max_unpool2d(x, idx, k, stride=s, padding=p, **extra)
    except ValueError:
        # Without output_size the default size may be too small for these indices;
        # then torch must refuse as well.
        assert not use_size, msg
        with pytest.raises(RuntimeError):
            F.max_unpool2d(_tt(torch, x), torch.from_numpy(idx), k, s, p)
        return
    xt = _tt(torch, x, grad=True)
    ut = F.max_unpool2d(xt, torch.from_numpy(idx), k, s, p, **extra)
    np.testing.assert_array_equal(up, ut.detach().numpy(), err_msg=msg)
    g = rng.normal(size=up.shape)
    ut.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.max_unpool2d_backward(g, x, idx, k, stride=s, padding=p, **extra),
                               xt.grad.numpy(), rtol=1e-12, atol=1e-12, err_msg=msg)


# ---------------------------------------------------------------------------
# Lp pooling
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(20))
def test_lp_pool2d_matches_torch_on_nonnegative_inputs(seed, torch, F):
    rng = np.random.default_rng(8000 + seed)
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    hw = (int(k[0] + rng.integers(0, 7)), int(k[1] + rng.integers(0, 7)))
    p = float(rng.choice([1.0, 1.5, 2.0, 3.0]))
    x = rng.uniform(0.1, 2.0, size=(2, 2) + hw)
    xt = _tt(torch, x, grad=True)
    ot = F.lp_pool2d(xt, p, k, stride=s)
    out = pk.lp_pool2d(x, p, k, stride=s)
    msg = f"shape={x.shape} p={p} k={k} s={s}"
    np.testing.assert_allclose(out, ot.detach().numpy(), rtol=1e-11, atol=1e-12, err_msg=msg)
    g = rng.normal(size=out.shape)
    ot.backward(_tt(torch, g))
    np.testing.assert_allclose(pk.lp_pool2d_backward(g, x, p, k, stride=s), xt.grad.numpy(),
                               rtol=1e-9, atol=1e-11, err_msg=msg)


def test_lp_pool2d_negative_inputs_differ_from_torch_by_design(torch, F):
    # PyTorch raises x to the power p without |.|: for odd p a window sum can be negative,
    # giving a signed result (p=1) or NaN (p=3). poolkit returns the norm of |x|, which
    # equals PyTorch's answer on |x|.
    x = np.array([[[[-1.0, -2.0], [0.5, -3.0]]]])  # p=1: torch -5.5 ; poolkit 6.5
    t1 = F.lp_pool2d(_tt(torch, x), 1, 2).numpy()
    np.testing.assert_allclose(t1, [[[[-5.5]]]], rtol=1e-14)
    np.testing.assert_allclose(pk.lp_pool2d(x, 1, 2), [[[[6.5]]]], rtol=1e-14)
    t3 = F.lp_pool2d(_tt(torch, x), 3, 2).numpy()
    assert np.isnan(t3).all()
    for p in (1, 3, 1.5):
        np.testing.assert_allclose(pk.lp_pool2d(x, p, 2), F.lp_pool2d(_tt(torch, np.abs(x)), p, 2).numpy(),
                                   rtol=1e-13)


def test_lp_pool2d_ceil_mode_clipped_window_differs_from_torch_by_design(torch, F):
    # PyTorch computes avg_pool(x^p) * kw*kh: a clipped ceil-mode window is averaged over
    # its clipped size and then multiplied by the full area. With p=1, window {5} of [1..5]
    # gives 5 * 2 = 10 in PyTorch; the definition (sum over the window) gives 5.
    x = np.arange(1.0, 6.0).reshape(1, 1, 1, 5)
    assert F.lp_pool2d(_tt(torch, x), 1, (1, 2), ceil_mode=True).numpy().ravel().tolist() == [3, 7, 10]
    assert pk.lp_pool2d(x, 1, (1, 2), ceil_mode=True).ravel().tolist() == [3, 7, 5]


# ---------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(60))
def test_output_size_matches_torch_shapes(seed, torch, F):
    rng = np.random.default_rng(9000 + seed)
    shape, kw = _random_max_config(rng, 2)
    ot = F.max_pool2d(torch.zeros(shape, dtype=torch.float64), **kw)
    for axis in range(2):
        one = {k: v[axis] for k, v in kw.items() if isinstance(v, tuple)}
        assert pk.output_size(shape[2 + axis], one["kernel_size"], stride=one["stride"],
                              padding=one["padding"], dilation=one["dilation"],
                              ceil_mode=kw["ceil_mode"]) == ot.shape[2 + axis], (shape, kw)
