"""The numerical gradient helpers the chapters use: exact on known functions, and able to catch bugs."""

import numpy as np
import pytest

import poolkit as pk


def test_numerical_gradient_of_a_square():
    # d/dx sum(g * x^2) = 2 x g
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = np.array([[1.0, 10.0], [-3.0, 0.25]])
    np.testing.assert_allclose(pk.numerical_gradient(lambda z: z ** 2, x, g), 2 * x * g, rtol=1e-7)


def test_numerical_gradient_of_a_linear_map_is_its_transpose(rng):
    A = rng.normal(size=(4, 6))
    x = rng.normal(size=6)
    g = rng.normal(size=4)
    np.testing.assert_allclose(pk.numerical_gradient(lambda z: A @ z, x, g), A.T @ g, rtol=1e-7, atol=1e-9)


def test_numerical_gradient_does_not_modify_x_and_works_in_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    x0 = x.copy()
    grad = pk.numerical_gradient(lambda z: z ** 3, x, np.ones(2))
    np.testing.assert_array_equal(x, x0)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [3.0, 12.0], rtol=1e-7)


@pytest.mark.parametrize("a, b, expected", [
    ([3.0, 4.0], [3.0, 4.0], 0.0),
    ([3.0, 0.0], [1.0, 0.0], 0.5),        # |3-1| / (3 + 1)
    ([0.0, 0.0], [0.0, 0.0], 0.0),        # both zero: equal, not 0/0
    ([1.0, 0.0], [-1.0, 0.0], 1.0),       # opposite: the maximum
    ([3.0, 4.0], [0.0, 0.0], 1.0),        # ||a|| / ||a||
])
def test_relative_error_by_hand(a, b, expected):
    assert pk.relative_error(np.array(a), np.array(b)) == pytest.approx(expected)


def test_relative_error_is_symmetric_and_scale_free(rng):
    a, b = rng.normal(size=10), rng.normal(size=10)
    assert pk.relative_error(a, b) == pytest.approx(pk.relative_error(b, a))
    assert pk.relative_error(5 * a, 5 * b) == pytest.approx(pk.relative_error(a, b))


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError):
        pk.relative_error(np.ones(3), np.ones(4))


def test_gradcheck_accepts_correct_backwards(distinct):
    x = distinct((2, 3, 6, 6))
    assert pk.gradcheck(lambda z: pk.avg_pool2d(z, 3, stride=2, padding=1),
                        lambda g, z: pk.avg_pool2d_backward(g, z, 3, stride=2, padding=1), x) < 1e-8
    assert pk.gradcheck(lambda z: pk.max_pool2d(z, 2),
                        lambda g, z: pk.max_pool2d_backward(g, z, 2), x) < 1e-8


def test_gradcheck_catches_a_scaled_backward(rng):
    # "copy the gradient n times": the note's mistaken mean backward (sum pooling's backward)
    x = rng.normal(size=(1, 2, 4, 4))
    err = pk.gradcheck(lambda z: pk.avg_pool2d(z, 2), lambda g, z: 4 * pk.avg_pool2d_backward(g, z, 2), x)
    assert err > 0.5  # |4-1| / (4+1) = 0.6


def test_gradcheck_catches_a_misrouted_gradient_that_keeps_the_sum(distinct):
    # Send each window's gradient to its minimum instead of its maximum: the gradient sum
    # is unchanged, the routing is wrong.
    x = distinct((1, 2, 4, 4))

    def wrong_backward(g, z):
        _, idx = pk.max_pool2d(-z, 2, return_indices=True)
        return pk.max_pool2d_backward(g, z, 2, indices=idx)

    assert pk.gradcheck(lambda z: pk.max_pool2d(z, 2), wrong_backward, x) > 0.5


def test_default_upstream_gradient_is_random_not_ones(rng):
    # A backward that ignores grad_out and always returns the all-ones answer passes an
    # all-ones check; the default random grad_out must expose it.
    x = rng.normal(size=(1, 1, 4, 4))

    def lazy_backward(g, z):
        return pk.avg_pool2d_backward(np.ones_like(g), z, 2)

    assert pk.gradcheck(lambda z: pk.avg_pool2d(z, 2), lazy_backward, x, np.ones((1, 1, 2, 2))) < 1e-8
    assert pk.gradcheck(lambda z: pk.avg_pool2d(z, 2), lazy_backward, x) > 1e-2


def test_gradcheck_does_not_modify_x(rng):
    x = rng.normal(size=(1, 1, 4, 4))
    x0 = x.copy()
    pk.gradcheck(lambda z: pk.avg_pool2d(z, 2), lambda g, z: pk.avg_pool2d_backward(g, z, 2), x)
    np.testing.assert_array_equal(x, x0)


def test_gradcheck_refuses_wrong_shapes(rng):
    x = rng.normal(size=(1, 1, 4, 4))
    with pytest.raises(ValueError):
        pk.gradcheck(lambda z: pk.avg_pool2d(z, 2), lambda g, z: pk.avg_pool2d_backward(g, z, 2), x,
                     np.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError):
        pk.gradcheck(lambda z: pk.avg_pool2d(z, 2), lambda g, z: np.ones(3), x)


def test_numerical_gradient_bad_arguments():
    with pytest.raises(TypeError):
        pk.numerical_gradient("not a function", np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="eps"):
        pk.numerical_gradient(lambda z: z, np.ones(2), np.ones(2), eps=0)
