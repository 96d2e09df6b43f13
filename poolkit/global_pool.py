"""Global max and average pooling: one number per channel.

Global pooling is pooling with a window as large as the input. It keeps the
batch and channel axes and throws away all spatial layout, so it belongs at
the head of a network (Lin et al. 2013, Network in Network). Global average
pooling is a fixed linear map with weights ``1/(H*W)``, block-diagonal over
channels (each output sees only its own channel), with nothing to learn.
"""


import numpy as np  # noqa: F401 - the doctests use it

from . import arguments as _args
from . import kernels as _k
from . import params as _p
from . import reference as _ref

__all__ = [
    "global_max_pool2d", "global_max_pool2d_naive", "global_avg_pool2d", "global_avg_pool2d_naive",
    "global_max_pool2d_backward", "global_max_pool2d_backward_naive",
    "global_avg_pool2d_backward", "global_avg_pool2d_backward_naive",
]


def _global(x, mode, return_indices=False):
    x = _args.global_args(x, mode)
    return_indices = _p.check_bool(return_indices, "return_indices")
    planes = _p.to_planes(x)
    out = _k.global_planes(planes, mode).reshape(x.shape[:-2])
    if return_indices:
        return out, _k.global_max_positions(planes).reshape(x.shape[:-2])
    return out


def _global_backward(grad_out, x, mode, indices=None):
    x = _args.global_args(x, mode)
    grad = _p.as_grad(grad_out, x.shape[:-2])
    planes = _p.to_planes(x)
    if indices is not None:
        indices = _p.check_indices(indices, x.shape[:-2], x.shape[-2] * x.shape[-1]).reshape(-1)
    grad_x = _k.global_planes_backward(grad.reshape(-1), planes, mode, indices=indices)
    return grad_x.reshape(x.shape)


def global_max_pool2d(x, *, return_indices=False):
    """Largest value of each channel: ``out[n, c] = max over h, w of x[n, c, h, w]``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Integer inputs keep their dtype. A NaN propagates.
    return_indices : bool
        Also return the flat position ``h*W + w`` of each maximum in its
        ``(N, C)`` plane: the first maximum in row-major order, or the last
        NaN of a plane that holds NaN (PyTorch's ``adaptive_max_pool2d(x, 1,
        return_indices=True)``). Pass them to
        :func:`global_max_pool2d_backward` to skip the search for the maxima.

    Returns
    -------
    out : ndarray, shape (N, C) or (C,)
    indices : ndarray of int64, same shape as ``out``
        Only if ``return_indices``.

    Examples
    --------
    >>> global_max_pool2d([[[1, 7], [3, 2]], [[0, 0], [5, 0]]]).tolist()
    [7, 5]
    >>> out, idx = global_max_pool2d([[[1, 7], [7, 2]]], return_indices=True)
    >>> out.tolist(), idx.tolist()
    ([7], [1])
    """
    return _global(x, "max", return_indices)


def global_avg_pool2d(x):
    """Mean of each channel: ``out[n, c] = sum over h, w of x[n, c, h, w] / (H*W)``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Integer inputs are converted to float64.

    Returns
    -------
    out : ndarray, shape (N, C) or (C,)
        Summed in at least float32 (float16 too), in the input's dtype.

    Examples
    --------
    >>> global_avg_pool2d([[[1, 7], [3, 1]], [[0, 0], [6, 2]]]).tolist()
    [3.0, 2.0]
    """
    return _global(x, "avg")


def global_max_pool2d_backward(grad_out, x, *, indices=None):
    """Gradient of :func:`global_max_pool2d`: all of ``grad_out[n, c]`` goes to the first maximum.

    "First" is in row-major order; if a channel holds NaN the gradient goes
    to the last NaN, as in PyTorch's ``adaptive_max_pool2d(x, 1)``.

    Parameters
    ----------
    grad_out : array_like, shape (N, C) or (C,)
    x : array_like, shape (N, C, H, W) or (C, H, W)
    indices : array_like of int, shape of ``grad_out``, optional
        The forward's indices (``return_indices=True``), flat positions in
        ``[0, H*W)``; if given, the maxima are not searched again.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each plane's gradient at the plane's maximum.

    Examples
    --------
    >>> global_max_pool2d_backward([2.], [[[1., 7.], [7., 0.]]]).tolist()
    [[[0.0, 2.0], [0.0, 0.0]]]
    >>> global_max_pool2d_backward([2.], [[[1., 7.], [7., 0.]]], indices=[2]).tolist()
    [[[0.0, 0.0], [2.0, 0.0]]]
    """
    return _global_backward(grad_out, x, "max", indices)


def global_avg_pool2d_backward(grad_out, x):
    """Gradient of :func:`global_avg_pool2d`: ``grad_x[n, c, h, w] = grad_out[n, c] / (H*W)``.

    Parameters
    ----------
    grad_out : array_like, shape (N, C) or (C,)
    x : array_like, shape (N, C, H, W) or (C, H, W)

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each plane's gradient divided by ``H * W``, on every cell.

    Examples
    --------
    >>> global_avg_pool2d_backward([8.], np.zeros((1, 2, 2))).tolist()
    [[[2.0, 2.0], [2.0, 2.0]]]
    """
    return _global_backward(grad_out, x, "avg")


# the plain-loop references (poolkit.reference: adaptive pooling into one bin), under their
# historical names
global_max_pool2d_naive = _ref.global_max_pool2d
global_avg_pool2d_naive = _ref.global_avg_pool2d
global_max_pool2d_backward_naive = _ref.global_max_pool2d_backward
global_avg_pool2d_backward_naive = _ref.global_avg_pool2d_backward
