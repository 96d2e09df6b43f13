"""One contract for every operation: poolkit's fast function and poolkit.reference agree.

Parametrised over (operation, geometry) instead of hand-named pairs, and over
implementation for the hand-computed cases: each case's expected values are worked out
on paper, so both implementations are checked against something independent of either.
(PyTorch comparisons are in test_against_torch.py, properties in test_property_sweep.py.)
"""

import numpy as np
import pytest

import poolkit as pk
from poolkit import reference as ref

nan = float("nan")

# operation: (fast, reference, how to call it with a geometry dict and input x)
WINDOWED = {
    "max_pool2d": (pk.max_pool2d, ref.max_pool2d, dict(return_indices=True)),
    "avg_pool2d": (pk.avg_pool2d, ref.avg_pool2d, {}),
    "avg_pool2d/no-pad-count": (pk.avg_pool2d, ref.avg_pool2d, dict(count_include_pad=False)),
}
BACKWARD = {
    "max_pool2d_backward": (pk.max_pool2d_backward, ref.max_pool2d_backward, pk.max_pool2d),
    "avg_pool2d_backward": (pk.avg_pool2d_backward, ref.avg_pool2d_backward, pk.avg_pool2d),
}
GEOMETRIES = {
    "2x2": dict(kernel_size=2),
    "3x3 s2 p1": dict(kernel_size=3, stride=2, padding=1),
    "3x2 s1 ceil": dict(kernel_size=(3, 2), stride=(1, 2), ceil_mode=True),
    "2x2 s2 p1 ceil": dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    "dilated": dict(kernel_size=2, stride=1, padding=1, dilation=3),
}


def _x(seed, shape=(2, 3, 7, 8)):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, shape).astype(np.float64)     # small ints: many ties
    x[rng.random(shape) < 0.05] = nan
    x[rng.random(shape) < 0.05] = -np.inf
    return x


def _same(a, b):
    np.testing.assert_array_equal(a, b)
    assert np.asarray(a).dtype == np.asarray(b).dtype


def _args(op, geom):
    if "avg" in op and "dilation" in geom:
        pytest.skip("average pooling has no dilation")
    return dict(geom)


@pytest.mark.parametrize("geom", GEOMETRIES.values(), ids=GEOMETRIES.keys())
@pytest.mark.parametrize("op", WINDOWED)
def test_forward_reference_equals_fast(op, geom):
    fast, naive, extra = WINDOWED[op]
    kw = _args(op, geom) | extra
    x = _x(0) if op.startswith("max") else np.nan_to_num(_x(0), neginf=-2.0)
    got, want = fast(x, **kw), naive(x, **kw)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        if op.startswith("avg"):
            np.testing.assert_allclose(g, w, rtol=1e-12)    # another summation order
        else:
            _same(g, w)


@pytest.mark.parametrize("geom", GEOMETRIES.values(), ids=GEOMETRIES.keys())
@pytest.mark.parametrize("op", BACKWARD)
def test_backward_reference_equals_fast(op, geom):
    fast, naive, forward = BACKWARD[op]
    kw = _args(op, geom)
    x = np.nan_to_num(_x(1), nan=5.0, neginf=-3.0)
    g = np.random.default_rng(2).standard_normal(forward(x, **kw).shape)
    _same(fast(g, x, **kw), naive(g, x, **kw))


@pytest.mark.parametrize("name", ["max_pool1d", "avg_pool1d", "lp_pool2d", "adaptive_max_pool2d",
                                  "adaptive_avg_pool2d", "global_max_pool2d", "global_avg_pool2d",
                                  "spatial_pyramid_pool2d"])
def test_other_operations_reference_equals_fast(name):
    x = np.nan_to_num(_x(3, (2, 3, 7, 5)), nan=4.0, neginf=-1.0)
    calls = {
        "max_pool1d": ((x[0], 3), dict(stride=2, padding=1, return_indices=True)),
        "avg_pool1d": ((x[0], 3), dict(stride=2, padding=1, ceil_mode=True)),
        "lp_pool2d": ((x, 2, 2), dict(stride=1)),
        "adaptive_max_pool2d": ((x, (3, 2)), dict(return_indices=True)),
        "adaptive_avg_pool2d": ((x, (3, 2)), {}),
        "global_max_pool2d": ((x,), dict(return_indices=True)),
        "global_avg_pool2d": ((x,), {}),
        "spatial_pyramid_pool2d": ((x, (1, 2, 3)), {}),
    }
    args, kw = calls[name]
    got, want = getattr(pk, name)(*args, **kw), getattr(ref, name)(*args, **kw)
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(g, w, rtol=1e-12)
        assert g.dtype == w.dtype and g.shape == w.shape


# --- hand-computed cases, for both implementations ---------------------------------------

IMPLEMENTATIONS = {"fast": pk, "reference": ref}
X = np.array([[[1., 3., 3., 0.],
               [2., 3., nan, 1.],
               [0., 5., 5., -np.inf]]])
HAND = [
    # 2x2 windows, stride 2, ceil mode: [1 3 / 2 3] -> 3 at 1 (first); [3 0 / nan 1] -> nan at 6;
    # the bottom row is a partial window: [0 5] -> 5 at 9, [5 -inf] -> 5 at 10
    ("max_pool2d", (X, 2), dict(ceil_mode=True, return_indices=True),
     ([[[3., nan], [5., 5.]]], [[[1, 6], [9, 10]]])),
    # 3-wide rows, stride 1, padding 1 (padding never wins): row 0 windows [p 1 3] [1 3 3] [3 3 0] [3 0 p]
    ("max_pool2d", (X[:, :1], (1, 3)), dict(stride=1, padding=(0, 1), return_indices=True),
     ([[[3., 3., 3., 3.]]], [[[1, 1, 1, 2]]])),
    # average of [1 3 / 2 3] = 9/4; with zero padding 1 and count_include_pad=False the corner
    # window holds only the cell 1: 1/1
    ("avg_pool2d", (X[:, :2, :2], 2), {}, [[[2.25]]]),
    ("avg_pool2d", (X[:, :2, :2], 2), dict(padding=1, count_include_pad=False),
     [[[1., 3.], [2., 3.]]]),
    # adaptive max of row [1 3 3 0] into 3 bins [0,2) [1,3) [2,4): 3 at 1, 3 at 1, 3 at 2
    ("adaptive_max_pool2d", (X[:, :1], (1, 3)), dict(return_indices=True),
     ([[[3., 3., 3.]]], [[[1, 1, 2]]])),
    ("global_max_pool2d", (X,), dict(return_indices=True), ([nan], [6])),
    ("lp_pool2d", (np.array([[[3., -4.], [0., 0.]]]), 2, 2), {}, [[[5.0]]]),
]


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("name, args, kw, want", HAND, ids=[f"{h[0]}-{i}" for i, h in enumerate(HAND)])
def test_hand_computed(impl, name, args, kw, want):
    got = getattr(IMPLEMENTATIONS[impl], name)(*args, **kw)
    if isinstance(want, tuple):
        np.testing.assert_array_equal(got[0], np.array(want[0]))
        np.testing.assert_array_equal(got[1], np.array(want[1]))
    else:
        np.testing.assert_array_equal(got, np.array(want))


def test_reference_mirrors_the_public_names():
    for name in ref.__all__:
        if name != "windows":
            assert callable(getattr(pk, name)), name
            assert getattr(pk, name + "_naive") is getattr(ref, name), name


def test_reference_rejects_what_the_fast_side_rejects():
    for call in (lambda m: m.max_pool2d(np.ones((1, 3, 3)), 2, padding=2),
                 lambda m: m.avg_pool2d(np.ones((3, 3)), 2),
                 lambda m: m.adaptive_max_pool2d(np.ones((1, 3, 3)), 0),
                 lambda m: m.max_unpool2d(np.ones((1, 2, 2)), np.zeros((1, 2, 2), int), 2,
                                          output_size=(9, 9))):
        with pytest.raises(ValueError) as fast_err:
            call(pk)
        with pytest.raises(ValueError) as ref_err:
            call(ref)
        assert str(fast_err.value) == str(ref_err.value)
