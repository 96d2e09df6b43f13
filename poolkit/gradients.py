"""Numerical gradients and gradient checks: is a backward pass right?

(The module is ``poolkit.gradients``; ``pk.gradcheck`` is its main function.)

A backward function returns ``grad_x``, the gradient of ``L = sum(f(x) * grad_out)``
with respect to ``x``, for an upstream gradient ``grad_out``. The same
gradient can be estimated without any calculus by central differences,
``dL/dx_i ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)``, whose error shrinks
like ``eps**2``. Comparing the two on a random ``grad_out`` (never all ones:
that would hide a wrong routing of the gradient whenever the wrong cell
happens to receive the same total) is the standard test of a backward pass.

Max pooling is only piecewise differentiable: keep every window's maximum
unique and further than ``eps`` from the runner-up, or the estimate is
taken across a kink.
"""

import math
import numbers

import numpy as np

from . import params as _p

__all__ = ["numerical_gradient", "relative_error", "gradcheck"]


def _check_callable(f, name, what):
    if not callable(f):
        raise TypeError(f"{name}={f!r} must be a function, {what}; got a {type(f).__name__}")


def _check_eps(eps):
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, numbers.Real):
        raise TypeError(f"eps={eps!r} must be a positive number (e.g. 1e-6), not "
                        f"{type(eps).__name__}")
    if not (math.isfinite(eps) and eps > 0 and math.isfinite(2.0 * float(eps))):
        raise ValueError(f"eps={eps!r} must be a finite positive number (e.g. 1e-6): the step of "
                         f"(L(x + eps) - L(x - eps)) / (2 eps)")
    return float(eps)


def _real64(a, name):
    """``a`` as a float64 array; bool, complex and non-numeric values are refused."""
    return _p.as_numeric_array(a, name).astype(np.float64)


def _output(f, x, shape=None):
    """``f(x)`` as a float64 array, which must be numeric (and have ``shape``, if given)."""
    out = _real64(f(x), "f(x)")
    if shape is not None and out.shape != shape:
        raise ValueError(f"f(x) has shape {out.shape} at one point and {shape} at another; "
                         f"f must return arrays of one shape")
    return out


def numerical_gradient(f, x, grad_out, eps=1e-6):
    """Central-difference gradient of ``sum(f(x) * grad_out)`` with respect to ``x``.

    Works in float64 on a copy of ``x`` (the caller's array is never changed),
    with one call of ``f`` to check shapes and two per element of ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` with the shape of ``grad_out``.
    x : array_like
        Point at which to differentiate (real numbers; not bool or complex).
    grad_out : array_like
        Upstream gradient (the weights of the sum), exactly the shape of
        ``f(x)``: it is never broadcast.
    eps : float
        Step size, finite and positive.

    Returns
    -------
    ndarray, float64, shape of ``x``

    Examples
    --------
    >>> g = numerical_gradient(lambda x: x ** 2, np.array([1., 3.]), np.array([1., 10.]))
    >>> np.round(g, 6).tolist()
    [2.0, 60.0]
    """
    _check_callable(f, "f", "f(x) -> ndarray")
    eps = _check_eps(eps)
    x = _real64(x, "x")                  # a copy: the caller's array is never changed
    grad_out = _real64(grad_out, "grad_out")
    shape = _output(f, x).shape
    if grad_out.shape != shape:          # never broadcast: a wrong shape is a wrong weighting
        raise ValueError(f"grad_out has shape {grad_out.shape} but f(x) has shape {shape}; "
                         f"grad_out must have exactly that shape (it is not broadcast)")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = np.sum(_output(f, x, shape) * grad_out)
        x[i] = old - eps
        minus = np.sum(_output(f, x, shape) * grad_out)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """Relative difference of two arrays: ``||a - b|| / (||a|| + ||b||)`` (Euclidean norms).

    0 when they are equal (including both zero), at most 1; about 1e-8 or
    less means agreement for a float64 central-difference check. Using norms
    rather than element-wise ratios keeps entries that should be 0 (and are
    1e-11 numerically) from looking like large relative errors.

    Parameters
    ----------
    a, b : array_like
        Same shape.

    Returns
    -------
    float

    Examples
    --------
    >>> relative_error([3., 4.], [3., 4.]), relative_error([3., 0.], [1., 0.])
    (0.0, 0.5)
    """
    a = _real64(a, "a")
    b = _real64(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a has shape {a.shape} and b has shape {b.shape}; they must match")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / denom)


def gradcheck(f, f_backward, x, grad_out=None, *, eps=1e-6, seed=0):
    """Compare an analytic backward with central differences; return the relative error.

    Parameters
    ----------
    f : callable
        Forward, ``f(x) -> out``.
    f_backward : callable
        Backward, ``f_backward(grad_out, x) -> grad_x``.
    x : array_like
        Input (converted to float64).
    grad_out : array_like, optional
        Upstream gradient; by default standard normal numbers from ``seed``
        (random, so that a misrouted gradient cannot cancel out).
    eps : float
        Step of the central differences.
    seed : int
        Seed of the default ``grad_out``.

    Returns
    -------
    float
        :func:`relative_error` between the analytic and numerical gradients.

    Examples
    --------
    >>> import poolkit as pk
    >>> x = np.arange(16.).reshape(1, 4, 4)
    >>> err = gradcheck(lambda x: pk.avg_pool2d(x, 2), lambda g, x: pk.avg_pool2d_backward(g, x, 2), x)
    >>> err < 1e-8
    True
    """
    _check_callable(f, "f", "the forward f(x) -> out")
    _check_callable(f_backward, "f_backward", "the backward f_backward(grad_out, x) -> grad_x")
    eps = _check_eps(eps)
    seed = _p.check_int(seed, "seed")
    if seed < 0:
        raise ValueError(f"seed={seed!r} must be a non-negative integer (numpy's seeds are)")
    x = _real64(x, "x")
    out = _output(f, x)
    if grad_out is None:
        grad_out = np.random.default_rng(seed).standard_normal(out.shape)
    grad_out = _real64(grad_out, "grad_out")
    if grad_out.shape != out.shape:
        raise ValueError(f"grad_out has shape {grad_out.shape} but f(x) has shape {out.shape}")
    analytic = _real64(f_backward(grad_out, x.copy()), "f_backward(grad_out, x)")
    if analytic.shape != x.shape:
        raise ValueError(f"f_backward returned shape {analytic.shape}, but x has shape {x.shape}")
    numeric = numerical_gradient(f, x, grad_out, eps=eps)
    return relative_error(analytic, numeric)
