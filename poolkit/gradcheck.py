"""Numerical gradient checks: is a backward pass right?

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

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "gradcheck"]


def numerical_gradient(f, x, grad_out, eps=1e-6):
    """Central-difference gradient of ``sum(f(x) * grad_out)`` with respect to ``x``.

    Works in float64 on a copy of ``x`` (the caller's array is never changed),
    with two calls of ``f`` per element of ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` with the shape of ``grad_out``.
    x : array_like
        Point at which to differentiate.
    grad_out : array_like
        Upstream gradient (the weights of the sum).
    eps : float
        Step size.

    Returns
    -------
    ndarray, float64, shape of ``x``

    Examples
    --------
    >>> g = numerical_gradient(lambda x: x ** 2, np.array([1., 3.]), np.array([1., 10.]))
    >>> np.round(g, 6).tolist()
    [2.0, 60.0]
    """
    if not callable(f):
        raise TypeError(f"f={f!r} must be a function of x")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not eps > 0:
        raise ValueError(f"eps={eps!r} must be a positive number (e.g. 1e-6)")
    x = np.array(x, dtype=np.float64, copy=True)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = np.sum(np.asarray(f(x), dtype=np.float64) * grad_out)
        x[i] = old - eps
        minus = np.sum(np.asarray(f(x), dtype=np.float64) * grad_out)
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
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
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
    x = np.array(x, dtype=np.float64, copy=True)
    out = np.asarray(f(x))
    if grad_out is None:
        grad_out = np.random.default_rng(seed).standard_normal(out.shape)
    grad_out = np.asarray(grad_out, dtype=np.float64)
    if grad_out.shape != out.shape:
        raise ValueError(f"grad_out has shape {grad_out.shape} but f(x) has shape {out.shape}")
    analytic = np.asarray(f_backward(grad_out, x.copy()), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"f_backward returned shape {analytic.shape}, but x has shape {x.shape}")
    numeric = numerical_gradient(f, x, grad_out, eps=eps)
    return relative_error(analytic, numeric)
