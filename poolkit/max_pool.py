"""Max pooling (1-D and 2-D), its backward pass, and max unpooling.

Each function comes twice: the public one (``max_pool2d``) validates its
arguments, reshapes the input to planes ``(P, H, W)`` and calls the fast
kernels of :mod:`poolkit.kernels`; the ``_naive`` one computes the same thing
with plain loops that read like the definition. Both share the validation,
so they accept and reject exactly the same calls.

Semantics are PyTorch's (CPU, checked against torch 2.13):

* padding is ``-inf``: padded cells never win;
* within a window, cells are visited in row-major order and the running
  maximum is replaced by a strictly larger value or by a NaN, so ties keep
  the first maximum and a NaN propagates (the last NaN is recorded);
* ``indices`` are flat positions ``ih*W + iw`` in each ``(N, C)`` plane of the
  unpadded input;
* the backward pass sends each window's gradient to that recorded cell and
  accumulates where windows overlap.
"""

import numpy as np

from . import kernels as _k
from . import params as _p

__all__ = [
    "max_pool1d", "max_pool1d_naive", "max_pool2d", "max_pool2d_naive",
    "max_pool1d_backward", "max_pool1d_backward_naive",
    "max_pool2d_backward", "max_pool2d_backward_naive",
    "max_unpool2d", "max_unpool2d_naive", "max_unpool2d_backward", "max_unpool2d_backward_naive",
]



# ---------------------------------------------------------------------------
# shared set-up
# ---------------------------------------------------------------------------

def _setup(x, kernel_size, stride, padding, dilation, ceil_mode, nd):
    """Validate the input and the geometry; ``nd`` is the number of spatial axes."""
    x = _p.as_input(x, ndims=(nd + 1, nd + 2), layout=_p.LAYOUTS[nd])
    geom = _p.pool_geometry(x.shape[-nd:], kernel_size, stride, padding, dilation, ceil_mode)
    return x, geom


def _lowest(dtype):
    """The value padded cells take: ``-inf`` for floats, the smallest integer for ints."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _first_real(start, dilation):
    """PyTorch's starting cell of a window: its start stepped by the dilation until >= 0."""
    while start < 0:
        start += dilation
    return start


def _has_real_cell(start, k, d, n):
    """Does the window ``start, start+d, ..., start+(k-1)d`` touch ``[0, n)``?"""
    return any(0 <= start + m * d < n for m in range(k))


def _dead_possible(n, geom_axis):
    """Can a window on this axis be made only of padding? (cheap, exact sufficient test)

    Window ``o`` covers ``start + m*d`` for ``m < k``, ``start = o*s - p``, an
    increasing sequence. It misses ``[0, n)`` only if it ends left of it
    (``start + (k-1)d < 0``, worst for ``o = 0``: ``(k-1)d < p``), starts right
    of it (``start >= n``, worst for the last window), or jumps over it, which
    needs a step ``d > n``. If none of the three holds for the extreme
    windows, every window has a real cell.
    """
    k, s, p, d, out = geom_axis
    return d > n or (k - 1) * d < p or (out - 1) * s - p >= n


def _dead_axis(n, geom_axis):
    """Boolean mask over outputs of one axis: windows made only of padding."""
    k, s, p, d, out = geom_axis
    start = np.arange(out) * s - p
    first = np.maximum(-(start // d), 0)               # first m with start + m*d >= 0 (ceil)
    last = np.minimum(-((start - n) // d) - 1, k - 1)  # last m with start + m*d < n
    return first > last


def _dead_windows(in_hw, g2):
    """``(OH, OW)`` mask of windows with no real cell, or None if there is none.

    Such windows exist only with dilation (e.g. W=2, k=2, dilation=3,
    padding=1). Their output is the constant ``-inf``, so they get no gradient.
    """
    axes = [(n, (g2.kernel[a], g2.stride[a], g2.padding[a], g2.dilation[a], g2.out[a]))
            for a, n in enumerate(in_hw)]
    if not any(_dead_possible(n, ga) for n, ga in axes):
        return None                  # the usual case: no loop, no mask
    dh, dw = (_dead_axis(n, ga) for n, ga in axes)
    if not (dh.any() or dw.any()):
        return None
    return dh[:, None] | dw[None, :]


# ---------------------------------------------------------------------------
# forward, fast
# ---------------------------------------------------------------------------

def _max_pool(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    x, geom = _setup(x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    return_indices = _p.check_bool(return_indices, "return_indices")
    g2 = _p.geometry_2d(geom)
    out, idx = _k.max_pool2d(_p.to_planes(x, nd), g2.kernel, g2.stride, g2.padding, g2.dilation,
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
    x, geom = _setup(x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    out_shape = x.shape[:-nd] + geom.out
    grad = _p.as_grad(grad_out, out_shape)
    g2 = _p.geometry_2d(geom)
    planes = _p.to_planes(x, nd)
    in_hw = planes.shape[1:]
    dead = _dead_windows(in_hw, g2)
    if indices is None:
        _, idx = _k.max_pool2d(planes, g2.kernel, g2.stride, g2.padding, g2.dilation, g2.out, True)
    else:
        dead_out = None if dead is None else np.broadcast_to(dead.reshape(geom.out), out_shape)
        idx = _p.check_indices(indices, out_shape, in_hw[0] * in_hw[1], dead_out)
        idx = idx.reshape((-1,) + g2.out)
    grad = grad.reshape((-1,) + g2.out)
    if dead is not None:             # windows of padding only: constant output, no gradient
        grad = np.where(dead, 0, grad).astype(grad.dtype, copy=False)
        idx = np.where(dead, 0, idx)
    # indices are now inside the plane: recomputed, or checked (those of dead windows zeroed)
    grad_x = _k.max_pool2d_backward(grad, idx, in_hw, inside=True)
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

    Examples
    --------
    >>> max_pool1d_backward([[1., 2., 3.]], [[5., 1., 2., 0.]], 2, stride=1).tolist()
    [[1.0, 0.0, 5.0, 0.0]]
    """
    return _max_pool_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode,
                              indices, 1)


# ---------------------------------------------------------------------------
# naive references: loops that read like the definition
# ---------------------------------------------------------------------------

def _window_max(plane, top, left, kh, kw, dh, dw):
    """Max of one window of a 2-D plane, and the flat index ``r*W + c`` of the cell holding it.

    The window's cells are ``(top + a*dh, left + b*dw)``. Cells outside the
    plane are padding and never win. Cells are visited row by row, left to
    right; only a strictly larger value or a NaN replaces the running
    maximum, so ties keep the first maximum and the last NaN is recorded.
    """
    H, W = plane.shape
    best = _lowest(plane.dtype)
    # PyTorch's index for a window that never updates: its first row and column at or after 0
    best_index = _first_real(top, dh) * W + _first_real(left, dw)
    for a in range(kh):
        r = top + a * dh
        for b in range(kw):
            c = left + b * dw
            if 0 <= r < H and 0 <= c < W:
                v = plane[r, c]
                if v > best or v != v:          # v != v only for NaN
                    best, best_index = v, r * W + c
    return best, best_index


def max_pool2d_naive(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
                     return_indices=False):
    """Plain-loop reference for :func:`max_pool2d` (same arguments, same results).

    Examples
    --------
    >>> max_pool2d_naive([[[1., 2.], [4., 3.]]], 2).tolist()
    [[[4.0]]]
    """
    x, geom = _setup(x, kernel_size, stride, padding, dilation, ceil_mode, 2)
    return_indices = _p.check_bool(return_indices, "return_indices")
    x4 = x if x.ndim == 4 else x[None]
    N, C, H, W = x4.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = geom.kernel, geom.stride, geom.padding, geom.dilation
    OH, OW = geom.out
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    indices = np.empty((N, C, OH, OW), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    # window (i, j) starts at row i*sh - ph, column j*sw - pw of the unpadded input
                    out[n, c, i, j], indices[n, c, i, j] = _window_max(
                        x4[n, c], i * sh - ph, j * sw - pw, kh, kw, dh, dw)
    out, indices = _p.unbatch(out, x.ndim == 4), _p.unbatch(indices, x.ndim == 4)
    return (out, indices) if return_indices else out


def max_pool1d_naive(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
                     return_indices=False):
    """Plain-loop reference for :func:`max_pool1d` (same arguments, same results).

    Examples
    --------
    >>> max_pool1d_naive([[3., 1., 4., 1., 5.]], 2, stride=1).tolist()
    [[3.0, 4.0, 4.0, 5.0]]
    """
    x, geom = _setup(x, kernel_size, stride, padding, dilation, ceil_mode, 1)
    return_indices = _p.check_bool(return_indices, "return_indices")
    x3 = x if x.ndim == 3 else x[None]
    N, C, L = x3.shape
    (k,), (s,), (p,), (d,) = geom.kernel, geom.stride, geom.padding, geom.dilation
    (OL,) = geom.out
    out = np.empty((N, C, OL), dtype=x.dtype)
    indices = np.empty((N, C, OL), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for i in range(OL):
                best, best_index = _lowest(x.dtype), _first_real(i * s - p, d)
                for a in range(k):
                    pos = i * s - p + a * d
                    if 0 <= pos < L:                        # padding never wins
                        v = x3[n, c, pos]
                        if v > best or v != v:              # first max; NaN propagates
                            best, best_index = v, pos
                out[n, c, i], indices[n, c, i] = best, best_index
    out, indices = _p.unbatch(out, x.ndim == 3), _p.unbatch(indices, x.ndim == 3)
    return (out, indices) if return_indices else out


def max_pool2d_backward_naive(grad_out, x, kernel_size, *, stride=None, padding=0, dilation=1,
                              ceil_mode=False, indices=None):
    """Plain-loop reference for :func:`max_pool2d_backward`.

    Examples
    --------
    >>> max_pool2d_backward_naive([[[7.]]], [[[1., 2.], [4., 3.]]], 2).tolist()
    [[[0.0, 0.0], [7.0, 0.0]]]
    """
    x, geom = _setup(x, kernel_size, stride, padding, dilation, ceil_mode, 2)
    out_shape = x.shape[:-2] + geom.out
    grad = _p.as_grad(grad_out, out_shape)
    H, W = x.shape[-2:]
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = geom.kernel, geom.stride, geom.padding, geom.dilation
    OH, OW = geom.out
    live = np.array([[_has_real_cell(i * sh - ph, kh, dh, H) and _has_real_cell(j * sw - pw, kw, dw, W)
                      for j in range(OW)] for i in range(OH)], dtype=bool).reshape(OH, OW)
    if indices is None:
        _, indices = max_pool2d_naive(x, kernel_size, stride=stride, padding=padding,
                                      dilation=dilation, ceil_mode=ceil_mode, return_indices=True)
    else:
        dead = None if live.all() else np.broadcast_to(~live, out_shape)
        indices = _p.check_indices(indices, out_shape, H * W, dead)
    g4 = grad if grad.ndim == 4 else grad[None]
    i4 = indices if indices.ndim == 4 else indices[None]
    grad_x = np.zeros((g4.shape[0], g4.shape[1], H, W), dtype=grad.dtype)
    for n in range(g4.shape[0]):
        for c in range(g4.shape[1]):
            for i in range(OH):
                for j in range(OW):
                    if not live[i, j]:      # a window of padding only: its output is constant
                        continue
                    h, w = divmod(int(i4[n, c, i, j]), W)
                    grad_x[n, c, h, w] += g4[n, c, i, j]    # += : windows may share a maximum
    return _p.unbatch(grad_x, x.ndim == 4)


def max_pool1d_backward_naive(grad_out, x, kernel_size, *, stride=None, padding=0, dilation=1,
                              ceil_mode=False, indices=None):
    """Plain-loop reference for :func:`max_pool1d_backward`.

    Examples
    --------
    >>> max_pool1d_backward_naive([[1., 2., 3.]], [[5., 1., 2., 0.]], 2, stride=1).tolist()
    [[1.0, 0.0, 5.0, 0.0]]
    """
    x, geom = _setup(x, kernel_size, stride, padding, dilation, ceil_mode, 1)
    out_shape = x.shape[:-1] + geom.out
    grad = _p.as_grad(grad_out, out_shape)
    L = x.shape[-1]
    (k,), (s,), (p,), (d,) = geom.kernel, geom.stride, geom.padding, geom.dilation
    (OL,) = geom.out
    live = np.array([_has_real_cell(i * s - p, k, d, L) for i in range(OL)], dtype=bool)
    if indices is None:
        _, indices = max_pool1d_naive(x, kernel_size, stride=stride, padding=padding,
                                      dilation=dilation, ceil_mode=ceil_mode, return_indices=True)
    else:
        dead = None if live.all() else np.broadcast_to(~live, out_shape)
        indices = _p.check_indices(indices, out_shape, L, dead)
    g3 = grad if grad.ndim == 3 else grad[None]
    i3 = indices if indices.ndim == 3 else indices[None]
    grad_x = np.zeros((g3.shape[0], g3.shape[1], L), dtype=grad.dtype)
    for n in range(g3.shape[0]):
        for c in range(g3.shape[1]):
            for i in range(OL):
                if live[i]:
                    grad_x[n, c, i3[n, c, i]] += g3[n, c, i]
    return _p.unbatch(grad_x, x.ndim == 3)


# ---------------------------------------------------------------------------
# max unpooling
# ---------------------------------------------------------------------------

def _unpool_setup(x, indices, kernel_size, stride, padding, output_size):
    """Validate unpooling arguments; return x, indices (int64) and the output plane size."""
    x = _p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2])
    k, s, p, _ = _p.check_kernel_args(kernel_size, stride, padding, 1, 2, pad_limit=False)
    default = tuple((n - 1) * si - 2 * pi + ki for n, ki, si, pi in zip(x.shape[-2:], k, s, p))
    if output_size is None:
        if min(default) < 1:
            raise ValueError(f"padding={padding!r} is too large: the unpooled size "
                             f"(in-1)*stride - 2*padding + kernel_size would be {default}, below 1")
        size = default
    else:
        if isinstance(output_size, (tuple, list)) and len(output_size) == x.ndim:
            lead = tuple(_p.check_int(v, "output_size") for v in output_size[:-2])
            if lead != x.shape[:-2]:
                raise ValueError(f"output_size={output_size!r} must keep the leading dimensions "
                                 f"{x.shape[:-2]} of x; only the last two can change")
            output_size = tuple(output_size[-2:])
        size = _p.to_tuple(output_size, "output_size", 2)
        for axis in range(2):
            lo, hi = default[axis] - s[axis], default[axis] + s[axis]
            if not (lo < size[axis] < hi) or size[axis] < 1:
                raise ValueError(
                    f"output_size={output_size!r} cannot come from pooling to {x.shape[-2:]}: on axis "
                    f"{axis} it must lie strictly between {lo} and {hi} (the default size "
                    f"(in-1)*stride - 2*padding + kernel_size = {default[axis]}, plus or minus "
                    f"stride-1 = {s[axis] - 1}; PyTorch's rule)")
    _p.check_output_cells(
        x.shape[:-2] + tuple(size),
        f"output_size={output_size!r}" if output_size is not None else
        f"kernel_size={kernel_size!r}, stride={stride!r} and padding={padding!r} "
        f"(the unpooled size (in-1)*stride - 2*padding + kernel_size = {size})")
    if not isinstance(indices, np.ndarray):
        try:
            indices = np.asarray(indices)
        except (ValueError, TypeError) as err:
            raise ValueError(f"indices could not be read as an array: {err}") from None
    if indices.dtype.kind not in "iu":
        raise TypeError(f"indices has dtype {indices.dtype}; it must be an integer array "
                        f"(the flat positions returned by max_pool2d(..., return_indices=True))")
    if tuple(indices.shape) != tuple(x.shape):
        raise ValueError(f"indices has shape {tuple(indices.shape)} but x has shape {tuple(x.shape)}; "
                         f"they must match (one position per pooled value)")
    plane = size[0] * size[1]
    bad = (indices < 0) | (indices >= plane)
    if bad.any():
        v = int(indices[bad].flat[0])
        raise ValueError(f"indices contains {v}, which does not fit the output plane of "
                         f"{size[0]}*{size[1]} = {plane} cells (flat positions ih*W + iw must be in "
                         f"[0, {plane})); check kernel_size, stride, padding or output_size")
    return x, indices.astype(np.int64, copy=False), size


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
    x, idx, size = _unpool_setup(x, indices, kernel_size, stride, padding, output_size)
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

    Examples
    --------
    >>> g = [[[1., 2., 3., 4.], [5., 6., 7., 8.]]]
    >>> max_unpool2d_backward(g, [[[4., 5.]]], [[[5, 2]]], 2).tolist()
    [[[6.0, 3.0]]]
    """
    x, idx, size = _unpool_setup(x, indices, kernel_size, stride, padding, output_size)
    grad = _p.as_grad(grad_out, x.shape[:-2] + size, what="the unpooled output")
    P = int(np.prod(x.shape[:-2]))
    flat_idx = idx.reshape(P, -1)
    keep = _last_writer(flat_idx)
    gathered = np.take_along_axis(grad.reshape(P, -1), flat_idx, axis=1)
    return np.where(keep, gathered, 0).astype(grad.dtype, copy=False).reshape(x.shape)


def max_unpool2d_naive(x, indices, kernel_size, *, stride=None, padding=0, output_size=None):
    """Plain-loop reference for :func:`max_unpool2d`.

    Examples
    --------
    >>> max_unpool2d_naive([[[4.]]], [[[3]]], 2).tolist()
    [[[0.0, 0.0], [0.0, 4.0]]]
    """
    x, idx, (OH, OW) = _unpool_setup(x, indices, kernel_size, stride, padding, output_size)
    x4 = x if x.ndim == 4 else x[None]
    i4 = idx if idx.ndim == 4 else idx[None]
    N, C, H, W = x4.shape
    out = np.zeros((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(H):
                for j in range(W):       # row-major order: a later write wins
                    r, col = divmod(int(i4[n, c, i, j]), OW)
                    out[n, c, r, col] = x4[n, c, i, j]
    return _p.unbatch(out, x.ndim == 4)


def max_unpool2d_backward_naive(grad_out, x, indices, kernel_size, *, stride=None, padding=0,
                                output_size=None):
    """Plain-loop reference for :func:`max_unpool2d_backward`.

    Examples
    --------
    >>> max_unpool2d_backward_naive([[[1., 2.], [3., 4.]]], [[[9.]]], [[[2]]], 2).tolist()
    [[[3.0]]]
    """
    x, idx, (OH, OW) = _unpool_setup(x, indices, kernel_size, stride, padding, output_size)
    grad = _p.as_grad(grad_out, x.shape[:-2] + (OH, OW), what="the unpooled output")
    x4 = x if x.ndim == 4 else x[None]
    i4 = idx if idx.ndim == 4 else idx[None]
    g4 = grad if grad.ndim == 4 else grad[None]
    N, C, H, W = x4.shape
    grad_x = np.zeros((N, C, H, W), dtype=grad.dtype)
    for n in range(N):
        for c in range(C):
            written = set()
            for i in reversed(range(H)):            # walk backwards: the last writer comes first
                for j in reversed(range(W)):
                    pos = int(i4[n, c, i, j])
                    if pos not in written:          # only the value the forward kept
                        grad_x[n, c, i, j] = g4[n, c].flat[pos]
                        written.add(pos)
    return _p.unbatch(grad_x, x.ndim == 4)
