"""Average pooling of planes: the separable window sum, the divisors, the backward spread."""

import numpy as np

from .. import geometry as _geo
from ..params import accumulator_dtype as _acc_dtype
from ._max import separable
from . import _plumbing as _pl   # its size knobs are read at call time (tests vary them)
from ._plumbing import (
    Geo, in_slice, planes_per_chunk, staged_chunks, temp, valid_outputs,
    write_pairs,
)

__all__ = ["avg_planes", "avg_planes_backward", "divide"]


def divide(acc, div, dtype, out=None):
    """``out = acc / div`` (in place by default) with the divisor converted to ``dtype``, as
    PyTorch does. ``div`` comes from :func:`poolkit.geometry.divisors`."""
    out = acc if out is None else out
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(div, tuple):
            np.divide(acc, out.dtype.type(div[0]), out=out)
            np.divide(out, out.dtype.type(div[1]), out=out)
        elif isinstance(div, int):
            np.divide(acc, out.dtype.type(div), out=out)
        else:
            np.divide(acc, div.astype(out.dtype), out=out)


def avg_planes(x, kernel, stride, padding, out_hw, count_include_pad, divisor_override):
    """Average pooling of planes with zero padding, PyTorch CPU semantics.

    Parameters
    ----------
    x : ndarray, shape (P, H, W), floating dtype
    kernel, stride, padding : tuple of int
    out_hw : tuple of int
    count_include_pad : bool
    divisor_override : int, (int, int) or None

    Returns
    -------
    out : ndarray, shape (P, OH, OW), dtype of ``x``
        The window sum divided by :func:`poolkit.geometry.divisors`: ``divisor_override``
        or the window size (padded cells counted when ``count_include_pad``, a ceil-mode
        window overhanging the bottom/right edge counted only up to the padding).
        float16 (either byte order) is summed and divided in float32, as PyTorch
        does; a non-native byte order is summed in the native one.
        ``divisor_override`` may also be a pair ``(a, b)``: divide by ``a``, then
        by ``b`` (PyTorch's adaptive average pooling divides by ``kh``, then ``kw``).

    Notes
    -----
    The sum is separable (columns of the window first, then the column sums),
    twice as fast as adding cell by cell. PyTorch adds cell by cell in
    row-major order, so the two may differ in the last bits (a relative
    difference of a few ``eps`` of the dtype); the backward pass is exact.

    Examples
    --------
    >>> x = np.arange(4.).reshape(1, 2, 2)
    >>> avg_planes(x, (2, 2), (2, 2), (0, 0), (1, 1), True, None).tolist()
    [[[1.5]]]
    """
    P, H, W = x.shape
    OH, OW = out_hw
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    acc_dtype = _acc_dtype(x.dtype)
    out = np.empty((P, OH, OW), dtype=acc_dtype)
    if out.size == 0:
        return out.astype(x.dtype)
    div = _geo.divisors((H, W), out_hw, kernel, stride, padding, count_include_pad,
                        divisor_override)
    need_h, need_w = _geo.padded_extent(OH, kh, sh), _geo.padded_extent(OW, kw, sw)
    padded = ph > 0 or pw > 0 or need_h > H or need_w > W
    stage = padded or acc_dtype != x.dtype or x.nbytes >= _pl.STAGE_BYTES   # as in max_planes
    cb = planes_per_chunk(P, need_h * need_w * acc_dtype.itemsize)
    buf = temp("avg.buf", (cb, need_h, need_w), acc_dtype) if stage else None
    if padded:
        buf.fill(0)
    t = temp("avg.t", (cb, OH, need_w), acc_dtype) if kh > 1 else None
    geo = Geo(OH, OW, kh, kw, sh, sw, 1, 1)
    for a, b, src in staged_chunks(x, cb, buf, (need_h, need_w), padding):
        separable(src, out[a:b], t, None, geo, np.add)
        divide(out[a:b], div, acc_dtype)
    return out if acc_dtype == x.dtype else out.astype(x.dtype)


def _offset_ranges(H, W, OH, OW, kernel, stride, padding):
    """Per window offset, in reverse row-major order: the outputs whose cell at that offset is
    real, and the input cells they reach, as ``(out rows, out cols, in rows, in cols)`` slices."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ranges = []
    for i in reversed(range(kh)):
        rlo, rhi = valid_outputs(H, OH, sh, ph, i)
        for j in reversed(range(kw)):
            clo, chi = valid_outputs(W, OW, sw, pw, j)
            if rhi > rlo and chi > clo:
                ranges.append((slice(rlo, rhi), slice(clo, chi),
                               in_slice(rlo, rhi, sh, ph, i), in_slice(clo, chi, sw, pw, j)))
    return ranges


def avg_planes_backward(grad_out, in_hw, kernel, stride, padding, count_include_pad,
                        divisor_override):
    """Gradient of average pooling.

    Each output's gradient is divided by the forward's divisor and added to
    every real cell of its window. Overlapping windows accumulate in row-major
    order of the outputs (PyTorch's order): the offsets are visited in reverse
    row-major order, which hands each input cell its contributions from the
    first window to the last.

    Returns
    -------
    grad_x : ndarray, shape (P, H, W), dtype of ``grad_out``

    Examples
    --------
    >>> g = np.array([[[4.]]])
    >>> avg_planes_backward(g, (2, 2), (2, 2), (2, 2), (0, 0), True, None).tolist()
    [[[1.0, 1.0], [1.0, 1.0]]]
    """
    P, OH, OW = grad_out.shape
    H, W = in_hw
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    grad_x = np.empty((P, H, W), dtype=grad_out.dtype)
    if grad_x.size == 0:
        return grad_x
    if grad_out.size == 0:
        grad_x.fill(0)
        return grad_x
    div = _geo.divisors((H, W), (OH, OW), kernel, stride, padding, count_include_pad,
                        divisor_override)
    item = grad_out.dtype.itemsize
    cb = planes_per_chunk(P, H * W * item)
    gd = temp("avgb.gd", (cb, OH, OW), grad_out.dtype)
    tiled = (kh, kw) == (sh, sw) and (ph, pw) == (0, 0) and (H, W) == (OH * sh, OW * sw)
    pairs = tiled and kw == 2 and item == 4 and grad_out.dtype.kind == "f"
    ranges = [] if tiled else _offset_ranges(H, W, OH, OW, kernel, stride, padding)
    for a in range(0, P, cb):
        b = min(P, a + cb)
        g = gd[:b - a]
        divide(grad_out[a:b], div, g.dtype, out=g)
        gx = grad_x[a:b]
        if pairs:
            # both cells of a tile row get the same value, written to the kh rows of every
            # tile at once
            write_pairs(gx.view(np.uint64).reshape(b - a, OH, sh, OW), g[:, :, None, :])
        elif tiled:
            for c in range(sw):
                np.copyto(gx[:, 0::sh, c::sw], g)
            for r in range(1, sh):
                np.copyto(gx[:, r::sh], gx[:, 0::sh])
        else:
            gx.fill(0)
            for orow, ocol, irow, icol in ranges:
                view = gx[:, irow, icol]
                np.add(view, g[:, orow, ocol], out=view)
    return grad_x
