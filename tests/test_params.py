"""Argument normalisation: ints vs tuples, the kinds of value accepted, and their error messages.

Mostly through the public pooling functions (what users meet); a few direct checks of
``poolkit.params`` helpers that the chapters and exercise checkers reuse.
"""

import numpy as np
import pytest

import poolkit as pk
from poolkit import params

X = np.random.default_rng(0).normal(size=(2, 3, 7, 6))


# ---------------------------------------------------------------------------
# through the public API
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    (dict(kernel_size=2), dict(kernel_size=(2, 2))),
    (dict(kernel_size=2), dict(kernel_size=[2, 2])),
    (dict(kernel_size=2), dict(kernel_size=2, stride=2)),              # stride defaults to kernel
    (dict(kernel_size=(3, 2)), dict(kernel_size=(3, 2), stride=(3, 2))),
    (dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))),
    (dict(kernel_size=2, dilation=2), dict(kernel_size=2, dilation=(2, 2))),
    (dict(kernel_size=np.int64(2), stride=np.int32(1)), dict(kernel_size=2, stride=1)),
])
def test_int_tuple_list_and_numpy_ints_are_equivalent(a, b):
    np.testing.assert_array_equal(pk.max_pool2d(X, **a), pk.max_pool2d(X, **b))


def test_stride_none_means_kernel_for_every_function():
    np.testing.assert_array_equal(pk.max_pool1d(X[:, :, 0], 3, stride=None), pk.max_pool1d(X[:, :, 0], 3, stride=3))
    np.testing.assert_allclose(pk.avg_pool2d(X, 2, stride=None), pk.avg_pool2d(X, 2, stride=2), rtol=0)
    np.testing.assert_allclose(pk.lp_pool2d(X, 2, 3, stride=None), pk.lp_pool2d(X, 2, 3, stride=3), rtol=0)


def test_keyword_only_after_kernel_size():
    # DESIGN.md: everything after kernel_size is keyword-only (stride cannot be passed positionally)
    with pytest.raises(TypeError):
        pk.max_pool2d(X, 2, 1)  # noqa - deliberate misuse
    with pytest.raises(TypeError):
        pk.avg_pool2d(X, 2, 1)


def test_nested_lists_are_accepted_as_input():
    out = pk.max_pool2d([[[1, 2], [3, 4]]], 2)
    assert out.tolist() == [[[4]]]


def test_ceil_mode_must_be_bool():
    with pytest.raises(TypeError, match="ceil_mode"):
        pk.max_pool2d(X, 2, ceil_mode="yes")
    with pytest.raises(TypeError, match="count_include_pad"):
        pk.avg_pool2d(X, 2, count_include_pad=1.0)


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-1, ValueError), (True, TypeError),
                                      (1.0, TypeError), ("3", TypeError), ((2, 2, 2), ValueError)])
def test_message_names_parameter_and_value(bad, exc):
    with pytest.raises(exc) as info:
        pk.max_pool2d(X, bad)
    msg = str(info.value)
    assert "kernel_size" in msg and repr(bad) in msg, msg


# ---------------------------------------------------------------------------
# poolkit.params helpers
# ---------------------------------------------------------------------------

def test_check_int_accepts_integers_only():
    assert params.check_int(3, "stride") == 3
    assert type(params.check_int(np.int16(3), "stride")) is int
    for bad in (True, np.bool_(False), 2.0, 2.5, "2", None, np.float64(2.0)):
        with pytest.raises(TypeError, match="stride"):
            params.check_int(bad, "stride")


def test_to_tuple():
    assert params.to_tuple(2, "kernel_size", 2) == (2, 2)
    assert params.to_tuple((2, 3), "kernel_size", 2) == (2, 3)
    assert params.to_tuple([4], "kernel_size", 1) == (4,)
    with pytest.raises(ValueError, match="kernel_size"):
        params.to_tuple((2, 3), "kernel_size", 1)
    with pytest.raises(TypeError, match="kernel_size"):
        params.to_tuple((2, 2.5), "kernel_size", 2)


def test_check_norm_type():
    assert params.check_norm_type(2) == 2.0
    assert params.check_norm_type(0.5) == 0.5
    for bad, exc in ((0, ValueError), (-2, ValueError), (float("nan"), ValueError),
                     (True, TypeError), ("2", TypeError), (None, TypeError)):
        with pytest.raises(exc, match="norm_type"):
            params.check_norm_type(bad)


def test_check_divisor_override():
    assert params.check_divisor_override(None) is None
    assert params.check_divisor_override(3) == 3
    for bad, exc in ((0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(exc, match="divisor_override"):
            params.check_divisor_override(bad)


def test_input_kinds():
    with pytest.raises(TypeError, match="x"):
        params.as_input(np.ones((1, 2, 2), dtype=bool))          # bool is not a number here
    with pytest.raises(TypeError, match="x"):
        params.as_input(np.ones((1, 2, 2), dtype=complex))       # complex has no order
    with pytest.raises(ValueError, match="x"):
        params.as_input([[[1, 2], [3]]])                         # ragged
    x = np.ones((1, 2, 2), np.float32)
    assert params.as_input(x) is x                               # no copy of a good array


@pytest.mark.parametrize("n, k, s, p, d, ceil, expected", [
    (5, 2, 2, 1, 1, True, 3),     # FACTS example
    (5, 2, 2, 1, 1, False, 3),
    (6, 3, 2, 0, 1, False, 2),
    (6, 3, 2, 0, 1, True, 3),
    (7, 3, 1, 0, 2, False, 3),
    (2, 3, 1, 0, 1, False, 0),    # raw length may be < 1 (the validating callers refuse it)
])
def test_output_length_raw(n, k, s, p, d, ceil, expected):
    assert params.output_length(n, k, s, p, d, ceil) == expected


def test_to_planes_folds_leading_axes_and_keeps_cells():
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    planes = params.to_planes(x)
    assert planes.shape == (6, 4, 5)
    np.testing.assert_array_equal(planes[4], x[1, 1])            # plane n*C + c is x[n, c]
    sig = np.arange(2 * 3 * 7).reshape(2, 3, 7)
    rows = params.to_planes(sig, nd=1)
    assert rows.shape == (6, 1, 7)
    np.testing.assert_array_equal(rows[5, 0], sig[1, 2])


def test_geometry_2d_adds_a_trivial_axis_to_1d_and_keeps_2d():
    g1 = params.pool_geometry((7,), 3, stride=2, padding=1)      # out = (7 + 2 - 3)//2 + 1 = 4
    g2 = params.geometry_2d(g1)
    assert g2 == params.Geometry((1, 3), (1, 2), (0, 1), (1, 1), (1, 4))
    g = params.pool_geometry((5, 6), (2, 3))
    assert params.geometry_2d(g) == g
