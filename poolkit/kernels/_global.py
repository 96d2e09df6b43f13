"""Global pooling of planes: one max or mean per plane, and their gradients."""

import numpy as np

from .. import geometry as _geo
from ..params import accumulator_dtype as _acc_dtype

__all__ = ["global_planes", "global_planes_backward", "global_max_positions"]


def global_planes(x, mode):
    """Global max or average over each plane.

    Parameters
    ----------
    x : ndarray, shape (P, H, W)
    mode : {"max", "avg"}

    Returns
    -------
    out : ndarray, shape (P,)
        ``"max"`` propagates NaN. ``"avg"`` sums (float16 in float32) and
        divides by ``H*W``.

    Examples
    --------
    >>> global_planes(np.arange(8.).reshape(2, 2, 2), "avg").tolist()
    [1.5, 5.5]
    """
    P = x.shape[0]
    flat = x.reshape(P, -1)
    if mode == "max":
        if flat.size == 0:
            return flat.max(axis=1)
        # reduceat runs one short loop per plane with less overhead than max(axis=1)
        return np.maximum.reduceat(flat.reshape(-1), np.arange(0, flat.size, flat.shape[1]))
    acc = _acc_dtype(x.dtype)
    if flat.shape[1] == 0:
        with np.errstate(invalid="ignore"):
            return np.full(P, np.nan, dtype=x.dtype)
    total = np.einsum("ij->i", flat.astype(acc, copy=False))
    total /= acc.type(flat.shape[1])
    return total.astype(x.dtype, copy=False) if x.dtype.kind == "f" else total


def global_max_positions(x):
    """Flat index of each plane's maximum, as PyTorch's ``adaptive_max_pool2d(x, 1)`` records it.

    Parameters
    ----------
    x : ndarray, shape (P, H, W)

    Returns
    -------
    indices : ndarray of int64, shape (P,)
        The tie rule, :func:`poolkit.geometry.first_max_rows`: the first maximum in
        row-major order, or the last NaN of a plane that holds NaN.

    Examples
    --------
    >>> global_max_positions(np.array([[[1., 5.], [5., 0.]], [[np.nan, 1.], [np.nan, 2.]]])).tolist()
    [1, 2]
    """
    return _geo.first_max_rows(x.reshape(x.shape[0], -1)).astype(np.int64, copy=False)


def global_planes_backward(grad_out, x, mode, indices=None):
    """Gradient of :func:`global_planes`.

    ``"avg"`` spreads ``grad_out / (H*W)`` over the plane; ``"max"`` sends
    all of it to the first maximum in row-major order (or, where the plane
    holds NaN, to the last NaN, as PyTorch's ``adaptive_max_pool2d`` does).
    ``indices`` (optional, ``"max"`` only): the positions from
    :func:`global_max_positions`, in ``[0, H*W)``; without them the maxima are
    searched again in ``x``, which costs more than the scatter itself.

    Returns
    -------
    grad_x : ndarray, shape (P, H, W), dtype of ``grad_out``

    Examples
    --------
    >>> x = np.array([[[1., 5.], [5., 0.]]])
    >>> global_planes_backward(np.array([2.]), x, "max").tolist()
    [[[0.0, 2.0], [0.0, 0.0]]]
    """
    P, H, W = x.shape
    if mode == "avg":
        grad_x = np.empty((P, H, W), dtype=grad_out.dtype)
        if grad_x.size:
            share = grad_out / grad_out.dtype.type(H * W)
            np.copyto(grad_x, share[:, None, None])
        return grad_x
    grad_x = np.zeros((P, H * W), dtype=grad_out.dtype)
    if grad_x.size:
        pos = _geo.first_max_rows(x.reshape(P, -1)) if indices is None else indices
        grad_x.reshape(-1)[np.arange(0, P * H * W, H * W) + pos] = grad_out
    return grad_x.reshape(P, H, W)
