"""Fast pooling kernels on planes ``(P, H, W)``.

This module holds only the computation. The public functions in
:mod:`poolkit.max_pool`, :mod:`poolkit.avg_pool` and :mod:`poolkit.global_pool`
validate arguments, reshape inputs to planes and compute output sizes; the
kernels trust what they receive and never modify their inputs.

Every kernel loops over the window *offsets* ``(i, j)`` and, for each offset,
works on a strided slice of the input that holds the cell at that offset for
every output position whose window sees a real (non-padded) cell there.
Semantics follow PyTorch's CPU kernels exactly (see each docstring).
"""

import numpy as np

__all__ = [
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "global_pool",
    "global_pool_backward",
]


def _valid(n, out, stride, pad, off):
    """Output range ``[lo, hi)`` whose input cell ``o*stride - pad + off`` lies in ``[0, n)``."""
    lo = max(0, -((off - pad) // stride))  # ceil((pad - off) / stride)
    hi = min(out, (n - 1 + pad - off) // stride + 1)
    return lo, max(lo, hi)


def _in_slice(lo, hi, stride, pad, off):
    """Input slice holding the cells at offset ``off`` of outputs ``lo .. hi-1``."""
    start = lo * stride - pad + off
    return slice(start, start + (hi - lo - 1) * stride + 1, stride)


def _first_real(n, out, stride, pad, dil):
    """PyTorch's start cell per output: the window start stepped by ``dil`` until >= 0."""
    start = np.arange(out, dtype=np.int64) * stride - pad
    neg = start < 0
    start[neg] += (-(start[neg]) + dil - 1) // dil * dil
    return start


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def max_pool2d(x, kernel, stride, padding, dilation, out_hw, return_indices):
    """Max pooling of planes, PyTorch CPU semantics.

    Parameters
    ----------
    x : ndarray, shape (P, H, W)
        Floating or integer input, any memory layout.
    kernel, stride, padding, dilation : tuple of int
        ``(h, w)`` pairs, already validated.
    out_hw : tuple of int
        Output size ``(OH, OW)``; windows may overhang the bottom/right edge.
    return_indices : bool
        Also return the flat index ``ih*W + iw`` of each maximum.

    Returns
    -------
    out : ndarray, shape (P, OH, OW), dtype of ``x``
    indices : ndarray of int64, shape (P, OH, OW), or None

    Notes
    -----
    Padded cells never win. Within a window, cells are visited in row-major
    order and the running maximum is replaced when ``v > max or isnan(v)``:
    ties keep the first maximum, NaN propagates and the last NaN is recorded.
    A window with no real cell gives the dtype's lowest value (``-inf``) and
    PyTorch's start index (the window start stepped by the dilation until it
    is non-negative, which may lie outside the plane).

    Examples
    --------
    >>> x = np.array([[[1., 3.], [3., 2.]]])
    >>> out, idx = max_pool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), (1, 1), True)
    >>> out.tolist(), idx.tolist()
    ([[[3.0]]], [[[1]]])
    """
    P, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    OH, OW = out_hw
    out = np.full((P, OH, OW), _lowest(x.dtype), dtype=x.dtype)
    idx = None
    if return_indices:
        rows0 = _first_real(H, OH, sh, ph, dh)
        cols0 = _first_real(W, OW, sw, pw, dw)
        idx = np.empty((P, OH, OW), dtype=np.int64)
        idx[...] = rows0[:, None] * W + cols0[None, :]
    is_float = x.dtype.kind == "f"
    for i in range(kh):
        rlo, rhi = _valid(H, OH, sh, ph, i * dh)
        if rhi <= rlo:
            continue
        rs = _in_slice(rlo, rhi, sh, ph, i * dh)
        for j in range(kw):
            clo, chi = _valid(W, OW, sw, pw, j * dw)
            if chi <= clo:
                continue
            cs = _in_slice(clo, chi, sw, pw, j * dw)
            v = x[:, rs, cs]
            m = out[:, rlo:rhi, clo:chi]
            upd = v > m
            if is_float:
                upd |= np.isnan(v)
            np.copyto(m, v, where=upd)
            if return_indices:
                flat = (np.arange(rs.start, rs.stop, rs.step)[:, None] * W
                        + np.arange(cs.start, cs.stop, cs.step)[None, :])
                np.copyto(idx[:, rlo:rhi, clo:chi], flat, where=upd)
    return out, idx


def max_pool2d_backward(grad_out, indices, in_hw):
    """Gradient of max pooling: scatter-add ``grad_out`` to the recorded indices.

    Parameters
    ----------
    grad_out : ndarray, shape (P, OH, OW)
    indices : ndarray of int64, shape (P, OH, OW)
        Flat indices ``ih*W + iw`` from :func:`max_pool2d`.
    in_hw : tuple of int
        ``(H, W)``.

    Returns
    -------
    grad_x : ndarray, shape (P, H, W), dtype of ``grad_out``
        Overlapping windows accumulate, in row-major order of the outputs.
        Indices outside the plane (windows made only of padding) are dropped.

    Examples
    --------
    >>> g = np.ones((1, 1, 2)); idx = np.array([[[1, 1]]])
    >>> max_pool2d_backward(g, idx, (1, 3)).tolist()
    [[[0.0, 2.0, 0.0]]]
    """
    P = grad_out.shape[0]
    H, W = in_hw
    grad_x = np.zeros((P, H * W), dtype=grad_out.dtype)
    flat_idx = indices.reshape(P, -1)
    g = grad_out.reshape(P, -1)
    ok = (flat_idx >= 0) & (flat_idx < H * W)
    planes = np.broadcast_to(np.arange(P)[:, None], flat_idx.shape)
    np.add.at(grad_x, (planes[ok], flat_idx[ok]), g[ok])
    return grad_x.reshape(P, H, W)


def _divisors(H, W, out_hw, kernel, stride, padding, count_include_pad, divisor_override, dtype):
    """Per-output divisor, PyTorch's rule, shape (OH, OW) (or a scalar)."""
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    sizes = []
    for n, o, k, s, p in zip((H, W), out_hw, kernel, stride, padding):
        start = np.arange(o, dtype=np.int64) * s - p
        end = np.minimum(start + k, n + p)
        pool = end - start
        valid = np.minimum(end, n) - np.maximum(start, 0)
        sizes.append(pool if count_include_pad else valid)
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)


def avg_pool2d(x, kernel, stride, padding, out_hw, count_include_pad, divisor_override):
    """Average pooling of planes with zero padding, PyTorch CPU semantics.

    Parameters
    ----------
    x : ndarray, shape (P, H, W), floating dtype
    kernel, stride, padding : tuple of int
    out_hw : tuple of int
    count_include_pad : bool
    divisor_override : int or None

    Returns
    -------
    out : ndarray, shape (P, OH, OW), dtype of ``x``
        The sum of the real cells, accumulated in row-major window order,
        divided by ``divisor_override`` or by the window size (padded cells
        counted when ``count_include_pad``; a ceil-mode window overhanging
        the bottom/right edge counts only up to the padding).

    Examples
    --------
    >>> x = np.arange(4.).reshape(1, 2, 2)
    >>> avg_pool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), True, None).tolist()
    [[[1.5]]]
    """
    P, H, W = x.shape
    OH, OW = out_hw
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    acc = np.zeros((P, OH, OW), dtype=x.dtype)
    for i in range(kh):
        rlo, rhi = _valid(H, OH, sh, ph, i)
        if rhi <= rlo:
            continue
        rs = _in_slice(rlo, rhi, sh, ph, i)
        for j in range(kw):
            clo, chi = _valid(W, OW, sw, pw, j)
            if chi <= clo:
                continue
            cs = _in_slice(clo, chi, sw, pw, j)
            acc[:, rlo:rhi, clo:chi] += x[:, rs, cs]
    div = _divisors(H, W, out_hw, kernel, stride, padding, count_include_pad,
                    divisor_override, x.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        acc /= div
    return acc


def avg_pool2d_backward(grad_out, in_hw, kernel, stride, padding, count_include_pad,
                        divisor_override):
    """Gradient of average pooling.

    Each output's gradient is divided by the forward's divisor and added to
    every real cell of its window; overlapping windows accumulate in row-major
    order of the outputs (as PyTorch does).

    Returns
    -------
    grad_x : ndarray, shape (P, H, W), dtype of ``grad_out``

    Examples
    --------
    >>> g = np.array([[[4.]]])
    >>> avg_pool2d_backward(g, (2, 2), (2, 2), (2, 2), (0, 0), True, None).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
    """
    P, OH, OW = grad_out.shape
    H, W = in_hw
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    div = _divisors(H, W, (OH, OW), kernel, stride, padding, count_include_pad,
                    divisor_override, grad_out.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        gd = grad_out / div
    grad_x = np.zeros((P, H, W), dtype=grad_out.dtype)
    # Offsets in reverse row-major order: each input cell then receives its
    # contributions in increasing (row-major) order of the output cells.
    for i in reversed(range(kh)):
        rlo, rhi = _valid(H, OH, sh, ph, i)
        if rhi <= rlo:
            continue
        rs = _in_slice(rlo, rhi, sh, ph, i)
        for j in reversed(range(kw)):
            clo, chi = _valid(W, OW, sw, pw, j)
            if chi <= clo:
                continue
            cs = _in_slice(clo, chi, sw, pw, j)
            grad_x[:, rs, cs] += gd[:, rlo:rhi, clo:chi]
    return grad_x


def global_pool(x, mode):
    """Global max or average over each plane.

    Parameters
    ----------
    x : ndarray, shape (P, H, W)
    mode : {"max", "avg"}

    Returns
    -------
    out : ndarray, shape (P,)
        ``"max"`` propagates NaN.

    Examples
    --------
    >>> global_pool(np.arange(8.).reshape(2, 2, 2), "avg").tolist()
    [1.5, 5.5]
    """
    P = x.shape[0]
    flat = x.reshape(P, -1)
    if mode == "max":
        return flat.max(axis=1)
    return flat.mean(axis=1, dtype=x.dtype)


def _global_argmax(flat):
    """Row-wise index PyTorch records: the first maximum, or the last NaN."""
    pos = np.argmax(flat, axis=1)  # first maximum; numpy's argmax stops at the first NaN
    if flat.dtype.kind == "f":
        nan_rows = np.isnan(flat[np.arange(flat.shape[0]), pos])
        if nan_rows.any():
            rows = flat[nan_rows]
            pos[nan_rows] = rows.shape[1] - 1 - np.argmax(np.isnan(rows[:, ::-1]), axis=1)
    return pos


def global_pool_backward(grad_out, x, mode):
    """Gradient of :func:`global_pool`.

    ``"avg"`` spreads ``grad_out / (H*W)`` over the plane; ``"max"`` sends
    all of it to the first maximum in row-major order (or, where the plane
    holds NaN, to the last NaN, as PyTorch's ``adaptive_max_pool2d`` does).

    Returns
    -------
    grad_x : ndarray, shape (P, H, W), dtype of ``grad_out``

    Examples
    --------
    >>> x = np.array([[[1., 5.], [5., 0.]]])
    >>> global_pool_backward(np.array([2.]), x, "max").tolist()
    [[[0.0, 2.0], [0.0, 0.0]]]
    """
    P, H, W = x.shape
    if mode == "avg":
        grad_x = np.empty((P, H, W), dtype=grad_out.dtype)
        grad_x[...] = (grad_out / (H * W))[:, None, None]
        return grad_x
    grad_x = np.zeros((P, H * W), dtype=grad_out.dtype)
    pos = _global_argmax(x.reshape(P, -1))
    grad_x[np.arange(P), pos] = grad_out
    return grad_x.reshape(P, H, W)
