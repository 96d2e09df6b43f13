"""Adaptive max and average pooling: ask for the output size, get the bins.

Instead of a kernel and a stride, adaptive pooling takes the output size
``(OH, OW)`` and splits each axis into that many bins (PyTorch's rule, see
:func:`poolkit.adaptive_bins`): bin ``i`` of an axis of length ``n`` split
into ``m`` bins covers ``[floor(i*n/m), ceil((i+1)*n/m))``. Bins cover the
whole input, may differ in size by one cell, and overlap when ``m`` does not
divide ``n``. When it does, adaptive pooling is ordinary pooling with
``kernel_size = stride = n // m`` (the fast path below uses that). The plain-loop
references are in :mod:`poolkit.reference` (``adaptive_max_pool2d_naive`` here is
``reference.adaptive_max_pool2d``).
"""

import numpy as np

from . import arguments as _args
from . import geometry as _geo
from . import kernels as _k
from . import params as _p
from . import reference as _ref
from .geometry import adaptive_bins

__all__ = [
    "adaptive_max_pool2d", "adaptive_max_pool2d_naive",
    "adaptive_avg_pool2d", "adaptive_avg_pool2d_naive",
    "adaptive_max_pool2d_backward", "adaptive_max_pool2d_backward_naive",
    "adaptive_avg_pool2d_backward", "adaptive_avg_pool2d_backward_naive",
]


def _even(in_hw, out_hw):
    """Kernel (= stride) when every bin has the same size, else None."""
    if in_hw[0] % out_hw[0] == 0 and in_hw[1] % out_hw[1] == 0:
        return (in_hw[0] // out_hw[0], in_hw[1] // out_hw[1])
    return None


def _adaptive_max_planes(planes, out_hw):
    """Fast adaptive max on planes ``(P, H, W)``: values and flat indices."""
    P, H, W = planes.shape
    k = _even((H, W), out_hw)
    if k is not None:
        return _k.max_planes(planes, k, k, (0, 0), (1, 1), out_hw, True)
    out = np.empty((P,) + out_hw, dtype=planes.dtype)
    idx = np.empty((P,) + out_hw, dtype=np.int64)
    rows = np.arange(P)
    for i, (h0, h1) in enumerate(adaptive_bins(H, out_hw[0])):
        for j, (w0, w1) in enumerate(adaptive_bins(W, out_hw[1])):
            block = planes[:, h0:h1, w0:w1].reshape(P, -1)
            pos = _geo.first_max_rows(block)
            out[:, i, j] = block[rows, pos]
            idx[:, i, j] = (h0 + pos // (w1 - w0)) * W + (w0 + pos % (w1 - w0))
    return out, idx


def adaptive_max_pool2d(x, output_size, *, return_indices=False):
    """Adaptive 2-D max pooling: the maximum of each of ``OH x OW`` bins.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Integer inputs keep their dtype.
    output_size : int or (int or None, int or None)
        Number of bins per axis; ``None`` keeps that axis's input size.
    return_indices : bool
        Also return the flat position ``ih*W + iw`` of each maximum.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW)
    indices : ndarray of int64, only if ``return_indices``
        First maximum in row-major order within the bin; a NaN propagates
        and the last NaN is recorded (PyTorch's rule).

    Examples
    --------
    >>> x = np.array([[[1, 5, 2, 0, 3]]])        # W = 5 into 3 bins: [0,2), [1,4), [3,5)
    >>> out, idx = adaptive_max_pool2d(x, (1, 3), return_indices=True)
    >>> out.tolist(), idx.tolist()
    ([[[5, 5, 3]]], [[[1, 1, 4]]])
    """
    x, out_hw = _args.adaptive_args(x, output_size, "max")
    return_indices = _p.check_bool(return_indices, "return_indices")
    out, idx = _adaptive_max_planes(_p.to_planes(x), out_hw)
    shape = x.shape[:-2] + out_hw
    return (out.reshape(shape), idx.reshape(shape)) if return_indices else out.reshape(shape)


def adaptive_avg_pool2d(x, output_size):
    """Adaptive 2-D average pooling: the mean of each of ``OH x OW`` bins.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Integer inputs are converted to float64.
    output_size : int or (int or None, int or None)
        Number of bins per axis; ``None`` keeps that axis's input size.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW)
        Each bin's sum divided by its height, then by its width (PyTorch's
        order of the two roundings); a ``1 x 1`` output is the mean, divided
        once by ``H*W`` (PyTorch computes it with ``mean``). Sums run in at
        least float32 and the result has the input's dtype.

    Notes
    -----
    Bins of unequal sizes are summed cell by cell in row-major order, as
    PyTorch's CPU kernel does, so float32 results agree with it bit for bit.
    Bins that tile the input evenly go through the average-pooling kernel,
    which sums down the columns first (faster): bins of more than one row and
    one column may then differ from PyTorch in the last bits (a relative
    difference of a few ``eps``). A ``1 x 1`` output is summed in another
    order than PyTorch's ``mean``, with the same effect. The backward pass
    agrees bit for bit.

    Examples
    --------
    >>> adaptive_avg_pool2d([[[1, 5, 2, 0, 3]]], (1, 3)).tolist()
    [[[3.0, 2.3333333333333335, 1.5]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "avg")
    planes = _p.to_planes(x)
    P, H, W = planes.shape
    k = _even((H, W), out_hw)
    if out_hw == (1, 1):                 # PyTorch: the mean, one division by H*W
        out = _k.global_planes(planes, "avg").reshape(P, 1, 1)
    elif k is not None:
        out = _k.avg_planes(planes, k, k, (0, 0), out_hw, True, k)     # divide by kh, then kw
    else:
        acc = _p.accumulator_dtype(planes.dtype)
        out = np.empty((P,) + out_hw, dtype=acc)
        for i, (h0, h1) in enumerate(adaptive_bins(H, out_hw[0])):
            for j, (w0, w1) in enumerate(adaptive_bins(W, out_hw[1])):
                # cumsum adds cell by cell in row-major order, as PyTorch's loop does
                cells = planes[:, h0:h1, w0:w1].reshape(P, -1)
                total = np.cumsum(cells, axis=1, dtype=acc)[:, -1]
                out[:, i, j] = total / acc.type(h1 - h0) / acc.type(w1 - w0)
        out = out.astype(planes.dtype, copy=False)
    return out.reshape(x.shape[:-2] + out_hw)


def adaptive_max_pool2d_backward(grad_out, x, output_size, *, indices=None):
    """Gradient of :func:`adaptive_max_pool2d`: each bin's gradient to its recorded maximum.

    Overlapping bins that share a maximum accumulate.

    Parameters
    ----------
    grad_out : array_like, shape (N, C, OH, OW) or (C, OH, OW)
    x : array_like
        The forward input.
    output_size : int or tuple
        The forward's argument.
    indices : array_like of int, optional
        The forward's indices, reused if given.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each bin's gradient, at the bin's recorded maximum.

    Examples
    --------
    >>> adaptive_max_pool2d_backward([[[1., 2., 3.]]], [[[1, 5, 2, 0, 3]]], (1, 3)).tolist()
    [[[0.0, 3.0, 0.0, 0.0, 3.0]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "max")
    shape = x.shape[:-2] + out_hw
    grad = _p.as_grad(grad_out, shape)
    planes = _p.to_planes(x)
    H, W = planes.shape[1:]
    if indices is None:
        _, idx = _adaptive_max_planes(planes, out_hw)
    else:
        idx = _p.check_indices(indices, shape, H * W)
    grad_x = _k.max_planes_backward(grad.reshape((-1,) + out_hw), idx.reshape((-1,) + out_hw), (H, W))
    return grad_x.reshape(x.shape)


def adaptive_avg_pool2d_backward(grad_out, x, output_size):
    """Gradient of :func:`adaptive_avg_pool2d`: each bin's gradient, divided by its size, to its cells.

    Overlapping bins accumulate; the gradient sum is preserved. As in
    PyTorch, each bin's gradient is divided by the bin's height, then by its
    width (once by ``H*W`` for a ``1 x 1`` output), in the dtype of ``grad_out``.

    Parameters
    ----------
    grad_out : array_like, shape (N, C, OH, OW) or (C, OH, OW)
    x : array_like
        The forward input.
    output_size : int or tuple
        The forward's argument.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each bin's gradient divided by its cell count, on each of its cells.

    Examples
    --------
    >>> adaptive_avg_pool2d_backward([[[2., 3., 4.]]], np.zeros((1, 1, 5)), (1, 3)).tolist()
    [[[1.0, 2.0, 1.0, 3.0, 2.0]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "avg")
    grad = _p.as_grad(grad_out, x.shape[:-2] + out_hw)
    P = int(np.prod(x.shape[:-2]))
    H, W = x.shape[-2:]
    g = grad.reshape((P,) + out_hw)
    k = _even((H, W), out_hw)
    if out_hw == (1, 1):                 # PyTorch: the mean's gradient, one division by H*W
        grad_x = _k.global_planes_backward(g.reshape(P), np.broadcast_to(np.zeros((), bool), (P, H, W)),
                                           "avg")
    elif k is not None:
        grad_x = _k.avg_planes_backward(g, (H, W), k, k, (0, 0), True, k)   # / kh, then / kw
    else:
        t = grad.dtype.type
        grad_x = np.zeros((P, H, W), dtype=grad.dtype)
        for i, (h0, h1) in enumerate(adaptive_bins(H, out_hw[0])):
            for j, (w0, w1) in enumerate(adaptive_bins(W, out_hw[1])):
                grad_x[:, h0:h1, w0:w1] += (g[:, i, j] / t(h1 - h0) / t(w1 - w0))[:, None, None]
    return grad_x.reshape(x.shape)


# the plain-loop references (poolkit.reference), under their historical names
adaptive_max_pool2d_naive = _ref.adaptive_max_pool2d
adaptive_avg_pool2d_naive = _ref.adaptive_avg_pool2d
adaptive_max_pool2d_backward_naive = _ref.adaptive_max_pool2d_backward
adaptive_avg_pool2d_backward_naive = _ref.adaptive_avg_pool2d_backward
