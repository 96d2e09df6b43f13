"""Max unpooling: the partial inverse of max pooling, and its backward pass.

``max_unpool2d`` puts each pooled value back at the position max pooling recorded for it
(``return_indices=True``), with zeros elsewhere. Its arguments are checked by
:func:`poolkit.arguments.unpool_args` (the default size is :func:`poolkit.unpool_size`, the
indices go through :func:`poolkit.params.check_indices`); the plain-loop references are
:func:`poolkit.reference.max_unpool2d` and :func:`poolkit.reference.max_unpool2d_backward`.
"""

import numpy as np

from . import arguments as _args
from . import params as _p
from . import reference as _ref

__all__ = [
    "max_unpool2d", "max_unpool2d_naive", "max_unpool2d_backward", "max_unpool2d_backward_naive",
]


def _last_writer(flat_idx):
    """Mask of entries that are the last to write their (plane, index) cell."""
    P, K = flat_idx.shape
    key = (np.arange(P)[:, None] * (flat_idx.max() + 1) + flat_idx).ravel()
    rev = key[::-1]
    _, first_in_rev = np.unique(rev, return_index=True)
    keep = np.zeros(P * K, dtype=bool)
    keep[P * K - 1 - first_in_rev] = True
    return keep.reshape(P, K)


def max_unpool2d(x, indices, kernel_size, *, stride=None, padding=0, output_size=None):
    """Partial inverse of max pooling: put each value back at its recorded position, zeros elsewhere.

    ``out[n, c].flat[indices[n, c, i, j]] = x[n, c, i, j]``; every other cell is 0.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Pooled values.
    indices : array_like of int, shape of ``x``
        Flat positions from ``max_pool2d(..., return_indices=True)``.
    kernel_size, stride, padding : int or (int, int)
        The pooling layer's arguments (``stride=None`` means ``kernel_size``).
    output_size : int or tuple, optional
        ``(OH, OW)`` (or the full shape). Defaults to
        ``(H-1)*stride - 2*padding + kernel_size`` per axis. Pooling maps
        several input sizes to the same output size, so the size to restore
        can be given; PyTorch accepts sizes strictly between ``default - stride``
        and ``default + stride`` (the larger ones come from floor mode, the
        smaller ones from ceil mode), and so does poolkit.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW), dtype of ``x``
        If two entries share a position (overlapping windows that chose the
        same cell), the later one in row-major order is kept (PyTorch leaves
        the choice unspecified).

    Examples
    --------
    >>> out = max_unpool2d([[[4., 5.]]], [[[5, 2]]], 2)
    >>> out.tolist()
    [[[0.0, 0.0, 5.0, 0.0], [0.0, 4.0, 0.0, 0.0]]]
    """
    x, idx, size = _args.unpool_args(x, indices, kernel_size, stride, padding, output_size)
    P = int(np.prod(x.shape[:-2]))
    vals = x.reshape(P, -1)
    flat_idx = idx.reshape(P, -1)
    keep = _last_writer(flat_idx)
    out = np.zeros((P, size[0] * size[1]), dtype=x.dtype)
    rows = np.broadcast_to(np.arange(P)[:, None], flat_idx.shape)
    out[rows[keep], flat_idx[keep]] = vals[keep]
    return out.reshape(x.shape[:-2] + size)


def max_unpool2d_backward(grad_out, x, indices, kernel_size, *, stride=None, padding=0,
                          output_size=None):
    """Gradient of :func:`max_unpool2d` with respect to ``x``: read ``grad_out`` at the indices.

    ``grad_x[n, c, i, j] = grad_out[n, c].flat[indices[n, c, i, j]]``. Where
    several entries share a position only the one the forward kept (the last
    in row-major order) gets the gradient; the others did not reach the
    output. (PyTorch's backward gives every such entry the gradient.)

    Parameters
    ----------
    grad_out : array_like, shape of the unpooled output
    x, indices, kernel_size, stride, padding, output_size
        The forward's arguments.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        The gradient of each input value: the upstream gradient at the position it was written to.

    Examples
    --------
    >>> g = [[[1., 2., 3., 4.], [5., 6., 7., 8.]]]
    >>> max_unpool2d_backward(g, [[[4., 5.]]], [[[5, 2]]], 2).tolist()
    [[[6.0, 3.0]]]
    """
    x, idx, size = _args.unpool_args(x, indices, kernel_size, stride, padding, output_size)
    grad = _p.as_grad(grad_out, x.shape[:-2] + size, what="the unpooled output")
    P = int(np.prod(x.shape[:-2]))
    flat_idx = idx.reshape(P, -1)
    keep = _last_writer(flat_idx)
    gathered = np.take_along_axis(grad.reshape(P, -1), flat_idx, axis=1)
    return np.where(keep, gathered, 0).astype(grad.dtype, copy=False).reshape(x.shape)


# the plain-loop references, under their historical names
max_unpool2d_naive = _ref.max_unpool2d
max_unpool2d_backward_naive = _ref.max_unpool2d_backward
