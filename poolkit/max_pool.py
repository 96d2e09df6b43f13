"""Max pooling (1-D and 2-D) and its backward pass.

Each public function validates its arguments (:mod:`poolkit.arguments`), reshapes the
input to planes ``(P, H, W)`` and calls the fast kernels of :mod:`poolkit.kernels`. Its
plain-loop twin, with the same validation, is in :mod:`poolkit.reference`
(``max_pool2d_naive`` here is ``reference.max_pool2d``). Max unpooling is in
:mod:`poolkit.unpool`.

Semantics are PyTorch's (CPU, checked against torch 2.13):

* padding is ``-inf``: padded cells never win;
* the tie rule is :func:`poolkit.geometry.first_max`: within a window, cells are
  visited in row-major order and the running maximum is replaced by a strictly
  larger value or by a NaN, so ties keep the first maximum and a NaN propagates
  (the last NaN is recorded);
* ``indices`` are flat positions ``ih*W + iw`` in each ``(N, C)`` plane of the
  unpadded input;
* the backward pass sends each window's gradient to that recorded cell and
  accumulates where windows overlap.
"""

import numpy as np

from . import arguments as _args
from . import geometry as _geo
from . import kernels as _k
from . import params as _p
from . import reference as _ref

__all__ = [
    "max_pool1d", "max_pool1d_naive", "max_pool2d", "max_pool2d_naive",
    "max_pool1d_backward", "max_pool1d_backward_naive",
    "max_pool2d_backward", "max_pool2d_backward_naive",
]


# ---------------------------------------------------------------------------
# forward, fast
# ---------------------------------------------------------------------------

def _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    x, geom = _args.max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    return_indices = _p.check_bool(return_indices, "return_indices")
    g2 = _p.geometry_2d(geom)
    out, idx = _k.max_planes(_p.to_planes(x, nd), g2.kernel, g2.stride, g2.padding, g2.dilation,
                             g2.out, return_indices)
    shape = x.shape[:-nd] + geom.out
    out = out.reshape(shape)
    if return_indices:
        return out, idx.reshape(shape)
    return out


def max_pool2d(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling.

    ``out[n, c, i, j] = max over a, b of xpad[n, c, i*sh + a*dh, j*sw + b*dw]``
    where ``xpad`` is ``x`` padded with ``-inf``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Float or integer input (integers keep their dtype).
    kernel_size : int or (int, int)
        Window size ``(kh, kw)``.
    stride : int or (int, int), optional
        Step between windows; defaults to ``kernel_size``.
    padding : int or (int, int)
        Cells of ``-inf`` added on each side; at most ``kernel_size // 2``.
    dilation : int or (int, int)
        Spacing between window cells (1 = contiguous).
    ceil_mode : bool
        Round the output size up, keeping partial windows at the bottom/right
        edge, but never a window that would start in the right padding.
    return_indices : bool
        Also return the flat position ``ih*W + iw`` of each maximum in its
        ``(N, C)`` plane of the unpadded input.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW)
        ``OH = floor((H + 2*ph - dh*(kh-1) - 1) / sh) + 1`` (ceil in ceil mode), same for ``OW``.
    indices : ndarray of int64, same shape as ``out``
        Only if ``return_indices``. Ties record the first maximum in
        row-major window order; a NaN propagates and the last NaN is recorded.

    Examples
    --------
    >>> x = np.array([[[1, 2, 0, 5], [3, 4, 1, 0], [0, 0, 2, 2], [1, 0, 2, 1]]])
    >>> out, idx = max_pool2d(x, 2, return_indices=True)
    >>> out.tolist(), idx.tolist()
    ([[[4, 5], [1, 2]]], [[[5, 3], [12, 10]]])
    """
    return _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool1d(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling: ``out[n, c, i] = max over a of xpad[n, c, i*s + a*d]``.

    Parameters
    ----------
    x : array_like, shape (N, C, L) or (C, L)
    kernel_size, stride, padding, dilation : int or (int,)
        As in :func:`max_pool2d`, for one axis.
    ceil_mode, return_indices : bool
        As in :func:`max_pool2d`; indices are positions along ``L``.

    Returns
    -------
    out : ndarray, shape (N, C, OL) or (C, OL)
    indices : ndarray of int64, only if ``return_indices``

    Examples
    --------
    >>> out, idx = max_pool1d([[3., 1., 4., 1., 5.]], 2, return_indices=True)
    >>> out.tolist(), idx.tolist()
    ([[3.0, 4.0]], [[0, 2]])
    """
    return _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


# ---------------------------------------------------------------------------
# backward, fast
# ---------------------------------------------------------------------------

def _max_pool_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode, indices, nd):
    x, geom = _args.max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    out_shape = x.shape[:-nd] + geom.out
    grad = _p.as_grad(grad_out, out_shape)
    g2 = _p.geometry_2d(geom)
    planes = _p.to_planes(x, nd)
    in_hw = planes.shape[1:]
    dead = _geo.dead_windows(in_hw, g2)
    if indices is None:
        _, idx = _k.max_planes(planes, g2.kernel, g2.stride, g2.padding, g2.dilation, g2.out, True)
    else:
        dead_out = None if dead is None else np.broadcast_to(dead.reshape(geom.out), out_shape)
        idx = _p.check_indices(indices, out_shape, in_hw[0] * in_hw[1], dead_out)
        idx = idx.reshape((-1,) + g2.out)
    grad = grad.reshape((-1,) + g2.out)
    if dead is not None:             # windows of padding only: constant output, no gradient
        grad = np.where(dead, 0, grad).astype(grad.dtype, copy=False)
        idx = np.where(dead, 0, idx)
    # indices are now inside the plane: recomputed, or checked (those of dead windows zeroed)
    grad_x = _k.max_planes_backward(grad, idx, in_hw, inside=True)
    return grad_x.reshape(x.shape)


def max_pool2d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, dilation=1,
                        ceil_mode=False, indices=None):
    """Gradient of :func:`max_pool2d` with respect to ``x``.

    ``grad_x[n, c, h, w] = sum of grad_out[n, c, i, j] over the windows (i, j)
    whose recorded maximum is (h, w)``: each window sends its gradient to its
    first maximum (row-major order) and overlapping windows accumulate.
    Padded cells get nothing, nor does a window made only of padding.

    Parameters
    ----------
    grad_out : array_like, shape of the forward output
        Upstream gradient.
    x : array_like, shape (N, C, H, W) or (C, H, W)
        The forward input.
    kernel_size, stride, padding, dilation, ceil_mode
        The forward's arguments.
    indices : array_like of int, optional
        The forward's indices (``return_indices=True``); if given they are not recomputed.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each window's gradient at the window's recorded maximum (1-D).
        Float dtype of ``grad_out`` (integers become float64).

    Examples
    --------
    >>> x = np.array([[[1., 3., 2.], [0., 3., 1.]]])
    >>> g = np.array([[[10., 20.]]])
    >>> max_pool2d_backward(g, x, 2, stride=1).tolist()
    [[[0.0, 30.0, 0.0], [0.0, 0.0, 0.0]]]
    """
    return _max_pool_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode,
                              indices, 2)


def max_pool1d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, dilation=1,
                        ceil_mode=False, indices=None):
    """Gradient of :func:`max_pool1d` with respect to ``x``.

    Each window's gradient goes to its first maximum; overlapping windows accumulate.

    Parameters
    ----------
    grad_out : array_like, shape of the forward output
    x : array_like, shape (N, C, L) or (C, L)
    kernel_size, stride, padding, dilation, ceil_mode
        The forward's arguments.
    indices : array_like of int, optional
        The forward's indices, reused if given.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        Each window's gradient at the window's recorded maximum.

    Examples
    --------
    >>> max_pool1d_backward([[1., 2., 3.]], [[5., 1., 2., 0.]], 2, stride=1).tolist()
    [[1.0, 0.0, 5.0, 0.0]]
    """
    return _max_pool_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode,
                              indices, 1)


# ---------------------------------------------------------------------------
# the plain-loop references (poolkit.reference), under their historical names
# ---------------------------------------------------------------------------

max_pool2d_naive = _ref.max_pool2d
max_pool1d_naive = _ref.max_pool1d
max_pool2d_backward_naive = _ref.max_pool2d_backward
max_pool1d_backward_naive = _ref.max_pool1d_backward
