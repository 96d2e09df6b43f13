"""Lp (power-average) pooling: ``(sum over the window of |x|^p)^(1/p)``, and its backward pass.

Window sums come from the average-pooling kernel with ``divisor_override=1``, ``p = inf``
from the max-pooling kernel; the plain-loop references are :func:`poolkit.reference.lp_pool2d`
and :func:`poolkit.reference.lp_pool2d_backward` (``lp_pool2d_naive`` here).
"""

import numpy as np

from . import arguments as _args
from . import kernels as _k
from . import params as _p
from . import reference as _ref

__all__ = ["lp_pool2d", "lp_pool2d_naive", "lp_pool2d_backward", "lp_pool2d_backward_naive"]


def _lp_forward_planes(planes, p, g):
    """Lp pooling of planes, in :func:`poolkit.params.accumulator_dtype` (at least float32:
    ``|x|^p`` of float16 overflows at 65504 and its window sums lose precision)."""
    if np.isinf(p):                      # a max: exact in any dtype
        out, _ = _k.max_planes(np.abs(planes), g.kernel, g.stride, g.padding, g.dilation, g.out,
                               False)
        return out
    acc = _p.accumulator_dtype(planes.dtype)
    with np.errstate(over="ignore"):
        powers = np.abs(planes.astype(acc, copy=False)) ** p
        sums = _k.avg_planes(powers, g.kernel, g.stride, g.padding, g.out, True, 1)
        return sums ** (1.0 / p)


def lp_pool2d(x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """2-D power-average (Lp) pooling: ``out = (sum over the window of |x|^p)^(1/p)``.

    ``p = 1`` is sum pooling (of ``|x|``), ``p = 2`` the Euclidean norm of
    the window, and ``p -> inf`` tends to max pooling of ``|x|``;
    ``norm_type=float('inf')`` computes that limit. There is no padding
    argument (as in PyTorch). Window sums come from the average-pooling
    kernel with ``divisor_override=1``; powers and sums are computed in at
    least float32 (float16 too) and the result has the input's dtype.

    How PyTorch differs: ``torch.nn.functional.lp_pool2d`` computes
    ``sum(x^p)^(1/p)`` without the absolute value, so negative inputs give
    signed sums (p = 1) or NaN (e.g. p = 3 with a negative sum, or any
    non-integer p); and in ceil mode it scales a window clipped at the edge
    by ``kernel area / clipped area``. For non-negative inputs and windows
    inside the input the two agree. For large ``p`` (roughly > 50),
    ``|x|^p`` may overflow: use ``p = inf``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
    norm_type : float
        ``p > 0``, or ``float('inf')``.
    kernel_size, stride : int or (int, int)
        ``stride`` defaults to ``kernel_size``.
    ceil_mode : bool
        Keep partial windows at the bottom/right edge.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW)

    Examples
    --------
    >>> x = np.array([[[3., -4.], [0., 0.]]])
    >>> lp_pool2d(x, 2, 2).tolist(), lp_pool2d(x, 1, 2).tolist()
    ([[[5.0]]], [[[7.0]]])
    """
    x, p, geom = _args.lp_pool_args(x, norm_type, kernel_size, stride, ceil_mode)
    out = _lp_forward_planes(_p.to_planes(x), p, geom).astype(x.dtype, copy=False)
    return out.reshape(x.shape[:-2] + geom.out)


def lp_pool2d_backward(grad_out, x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """Gradient of :func:`lp_pool2d` with respect to ``x``.

    For a cell ``x`` of a window with output ``out``:
    ``d out / d x = sign(x) * |x|^(p-1) * out^(1-p) = sign(x) * (|x| / out)^(p-1)``,
    summed over the windows that contain the cell. Where this is undefined a
    finite subgradient is used: 0 for the cells of a window whose output is 0
    (all its cells are 0; 0 is a valid subgradient of the norm there) and 0
    for a cell equal to 0 (for p < 1 the one-sided derivatives are +-inf).
    For ``p = inf`` the gradient goes, with the sign of ``x``, to the first
    cell of largest ``|x|`` (as in max pooling).

    Parameters
    ----------
    grad_out : array_like, shape of the forward output
    x, norm_type, kernel_size, stride, ceil_mode
        The forward's arguments.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each window's gradient times ``sign(x) * (|x| / out)^(p-1)``, summed over the windows of each cell.

    Examples
    --------
    >>> x = np.array([[[3., -4.], [0., 0.]]])
    >>> lp_pool2d_backward([[[10.]]], x, 2, 2).tolist()
    [[[6.0, -8.0], [0.0, 0.0]]]
    """
    x, p, geom = _args.lp_pool_args(x, norm_type, kernel_size, stride, ceil_mode)
    grad = _p.as_grad(grad_out, x.shape[:-2] + geom.out)
    planes = _p.to_planes(x)
    g = grad.reshape((-1,) + geom.out)
    in_hw = planes.shape[1:]
    sign = np.sign(planes)
    if np.isinf(p):
        _, idx = _k.max_planes(np.abs(planes), geom.kernel, geom.stride, geom.padding,
                               geom.dilation, geom.out, True)
        grad_x = _k.max_planes_backward(g, idx, in_hw) * sign
        return grad_x.astype(grad.dtype, copy=False).reshape(x.shape)
    acc = np.promote_types(_p.accumulator_dtype(planes.dtype),       # as the forward: at
                           _p.accumulator_dtype(g.dtype))            # least float32
    out = _lp_forward_planes(planes, p, geom).astype(acc, copy=False)
    ga, ax = g.astype(acc, copy=False), np.abs(planes.astype(acc, copy=False))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        per_window = np.where(out > 0, ga * out ** (1.0 - p), acc.type(0))  # grad * out^(1-p)
        summed = _k.avg_planes_backward(per_window.astype(acc, copy=False), in_hw, geom.kernel,
                                        geom.stride, geom.padding, True, 1)
        per_cell = np.where(ax > 0, sign * ax ** (p - 1.0), acc.type(0))  # sign(x) |x|^(p-1)
    grad_x = summed * per_cell
    return grad_x.astype(grad.dtype, copy=False).reshape(x.shape)


# the plain-loop references, under their historical names
lp_pool2d_naive = _ref.lp_pool2d
lp_pool2d_backward_naive = _ref.lp_pool2d_backward
