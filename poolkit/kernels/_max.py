"""Max pooling of planes: the forward (with and without indices) and the backward scatter."""

import numpy as np

from .. import geometry as _geo
from . import _plumbing as _pl   # its size knobs are read at call time (tests vary them)
from ._plumbing import (
    Geo, code_dtype, index_dtype, no_write_lost, planes_per_chunk,
    select, staged_chunks, temp,
)

__all__ = ["max_planes", "max_planes_backward", "separable", "ArgmaxWork"]


def _init_index(W, out_hw, stride, padding, dilation):
    """``(OH, OW)`` index PyTorch reports for a window whose real cells are all the lowest value."""
    rows = _geo.first_real(np.arange(out_hw[0], dtype=np.int64) * stride[0] - padding[0], dilation[0])
    cols = _geo.first_real(np.arange(out_hw[1], dtype=np.int64) * stride[1] - padding[1], dilation[1])
    return rows[:, None] * W + cols[None, :]


def max_planes(x, kernel, stride, padding, dilation, out_hw, return_indices):
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
    The tie rule is :func:`poolkit.geometry.first_max` (padded cells never win; ties keep
    the first maximum in row-major order; a NaN wins and the last NaN is recorded), computed
    by :class:`ArgmaxWork`. A window whose real cells all hold the lowest value (``-inf``),
    or that has no real cell, reports PyTorch's start index: the window's top-left cell,
    each coordinate stepped by the dilation until it is non-negative
    (:func:`poolkit.geometry.first_real`; for a window of padding only, this may lie
    outside the plane).

    Examples
    --------
    >>> x = np.array([[[1., 3.], [3., 2.]]])
    >>> out, idx = max_planes(x, (2, 2), (2, 2), (0, 0), (1, 1), (1, 1), True)
    >>> out.tolist(), idx.tolist()
    ([[[3.0]]], [[[1]]])
    """
    P, H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    OH, OW = out_hw
    out = np.empty((P, OH, OW), dtype=x.dtype)
    idx = np.empty((P, OH, OW), dtype=np.int64) if return_indices else None
    if out.size == 0:
        return out, idx
    lowest = _geo.lowest(x.dtype)
    need_h = _geo.padded_extent(OH, kh, sh, dh)       # rows spanned by the windows, from -ph
    need_w = _geo.padded_extent(OW, kw, sw, dw)
    if min(H, need_h - ph) <= 0 or min(W, need_w - pw) <= 0:   # every window in the padding
        out.fill(lowest)
        if return_indices:
            idx[...] = _init_index(W, out_hw, stride, padding, dilation)
        return out, idx
    # Staging (see staged_chunks) pays for a large input; one that fits in the cache gains
    # nothing from the extra copy, and the path with indices already starts with contiguous
    # copies of the strided columns (benchmarks/RESULTS.md, "Kernel notes").
    padded = ph > 0 or pw > 0 or need_h > H or need_w > W
    stage = padded or (not return_indices and x.nbytes >= _pl.STAGE_BYTES)
    cb = planes_per_chunk(P, need_h * need_w * x.dtype.itemsize)
    buf = temp("max.buf", (cb, need_h, need_w), x.dtype) if stage else None
    if padded:
        buf.fill(lowest)
    geo = Geo(OH, OW, kh, kw, sh, sw, dh, dw)
    chunks = staged_chunks(x, cb, buf, (need_h, need_w), padding)
    if not return_indices:
        t = temp("max.t", (cb, OH, need_w), x.dtype) if kh > 1 else None
        col = temp("max.col", (cb, OH, OW), x.dtype) if kw > 1 and sw > 1 else None
        for a, b, src in chunks:
            separable(src, out[a:b], t, col, geo, np.maximum)
        return out, idx
    idt = index_dtype(W, need_h, need_w, ph, pw)
    work = ArgmaxWork(cb, need_h, geo, x.dtype, idt)
    base = ((np.arange(OH, dtype=np.int64) * sh - ph)[:, None] * W
            + (np.arange(OW, dtype=np.int64) * sw - pw)[None, :]).astype(idt, copy=False)
    init = None
    for a, b, src in chunks:
        o, iv = out[a:b], idx[a:b]
        work.run(src, o, iv, base, W, nan_aware=False)
        low = o.min()
        if low != low:                  # NaN present: redo the codes with the NaN rule
            work.run(src, o, iv, base, W, nan_aware=True)
            low = o.min() if o.dtype.kind != "f" else np.fmin.reduce(o, axis=None)
        if low == lowest:               # windows of lowest values / of padding only
            if init is None:
                init = _init_index(W, out_hw, stride, padding, dilation)
            hit = o == lowest
            iv[hit] = np.broadcast_to(init, iv.shape)[hit]
    return out, idx


def separable(src, o, t, col, geo, op):
    """Reduce every window with ``op``: down the rows first (contiguous rows), then along them.

    ``t`` holds the ``(n, OH, W)`` partial results, ``col`` one ``(n, OH, OW)`` column. With
    ``np.maximum`` this is max pooling's value; with ``np.add`` the window sum (in a different
    order than a cell-by-cell loop, so it may differ from it in the last bit).
    """
    OH, OW, kh, kw, sh, sw, dh, dw = geo
    n = src.shape[0]
    if col is not None:
        col = col[:n]

    def rows(i):
        return src[:, i * dh:i * dh + (OH - 1) * sh + 1:sh]

    if kh == 1:
        tv = rows(0)
    else:
        tv = t[:n]
        op(rows(0), rows(1), out=tv)
        for i in range(2, kh):
            op(tv, rows(i), out=tv)

    def cols(j):
        return tv[:, :, j * dw:j * dw + (OW - 1) * sw + 1:sw]

    if kw == 1:
        np.copyto(o, cols(0))
    elif op is np.maximum and sw > 1:
        # numpy's strided maximum loop is slow (it checks for NaN element by element):
        # copying the strided columns to a contiguous buffer first is faster
        np.copyto(o, cols(0))
        for j in range(1, kw):
            np.copyto(col, cols(j))
            np.maximum(o, col, out=o)
    else:
        op(cols(0), cols(1), out=o)
        for j in range(2, kw):
            op(o, cols(j), out=o)


class ArgmaxWork:
    """Buffers and steps of max pooling with indices, for one chunk of planes.

    Row-major order decides ties and NaN, so the reduction runs along each row first (the
    winner of a row is its first maximum, or last NaN), then down the rows (the first row
    holding the maximum, or the last holding a NaN): the pair found is the row-major first
    maximum / last NaN, :func:`poolkit.geometry.first_max` (``tests/test_geometry.py``
    checks the two agree on random blocks with ties, NaN and ``-inf``). Each step keeps a
    small code (the offset that won) and the flat index is built once at the end.

    ``run`` does the three steps: :meth:`along_rows`, :meth:`down_rows`, :meth:`flat_index`.

    Buffers (from :func:`poolkit.kernels._plumbing.temp`; ``rows`` is ``(cb, need_h, OW)``,
    or ``(cb, OH, OW)`` per window-row offset in split mode; ``outs`` is ``(cb, OH, OW)``):

    ========  ======  =====================================================================
    name      shape   holds
    ========  ======  =====================================================================
    ``rv``    rows    running max of each row's windows (``(kh,) + rows`` in split mode)
    ``rc``    rows    code of its winning column (offset ``0..kw-1``)
    ``rmask`` rows    bool: "this column beats the running max"
    ``rtmp``  rows    scratch of :func:`select`
    ``rcol``  rows    a contiguous copy of one strided column offset
    ``ri``    outs    code of the winning row (offset ``0..kh-1``)
    ``cj``    outs    that row's winning column code
    ``omask`` outs    bool: "this row beats the running max"
    ``otmp``  outs    scratch of :func:`select`
    ``off``   outs    the winner's offset ``ri*dh*W + cj*dw`` (int32 or int64)
    ``off2``  outs    ``cj*dw`` when ``dw > 1``
    ========  ======  =====================================================================
    """

    def __init__(self, cb, need_h, geo, dtype, index_dtype=np.int32):
        OH, OW, kh, kw, sh, sw, dh, dw = geo
        self.geo = geo
        self.is_float = dtype.kind == "f"
        # Narrow outputs whose windows share no input row (sh >= the dilated kernel height,
        # e.g. k == s): the rows at each window-row offset go to their own contiguous block,
        # so the step down the rows runs on contiguous arrays instead of short strided rows,
        # for which numpy pays per row (measured gains: benchmarks/RESULTS.md, "Kernel
        # notes"). Otherwise each input row is reduced once, in place.
        self.split = kh > 1 and sh >= (kh - 1) * dh + 1 and OW <= _pl.SPLIT_MAX_OW
        code = self.code = code_dtype((kh, kw))
        self.one_byte = code is np.uint8    # 1-byte codes hold a comparison's bools in place
        if self.split:
            rows, self.rv = (cb, OH, OW), temp("arg.rvb", (kh, cb, OH, OW), dtype)
            self.rc = temp("arg.rcb", (kh, cb, OH, OW), code)
        else:
            rows = (cb, need_h, OW)
            self.rv = temp("arg.rv", rows, dtype) if kw > 1 else None
            self.rc = temp("arg.rc", rows, code)
        outs = (cb, OH, OW)
        self.rmask = temp("arg.rmask", rows, bool)
        self.rtmp = temp("arg.rtmp", rows, code)
        self.rcol = temp("arg.rcol", rows, dtype)
        self.ri = temp("arg.ri", outs, code)
        self.cj = temp("arg.cj", outs, code)
        self.omask = temp("arg.omask", outs, bool)
        self.otmp = temp("arg.otmp", outs, code)
        self.off_dtype = index_dtype
        self.off = temp("arg.off", outs, index_dtype)
        self.off2 = temp("arg.off2", outs, index_dtype) if dw > 1 else None

    def _greater(self, a, b, codes, mask, nan_aware):
        """``codes = (a > b) or isnan(a)`` as 0/1 codes (in place when codes are 1 byte)."""
        bits = codes.view(bool) if self.one_byte else mask
        np.greater(a, b, out=bits)
        if nan_aware:
            bits |= np.isnan(a)
        if not self.one_byte:
            np.copyto(codes, bits)

    def _row_windows(self, src, rv, rc, mask, tmp, col, nan_aware):
        """Max and winning column of the windows of every row of ``src``, into ``rv, rc``."""
        OH, OW, kh, kw, sh, sw, dh, dw = self.geo

        def cols(j):
            if sw == 1:
                return src[:, :, j * dw:j * dw + OW]
            # strided comparisons and maxima are slow in numpy: work on a contiguous copy
            np.copyto(col, src[:, :, j * dw:j * dw + (OW - 1) * sw + 1:sw])
            return col

        np.copyto(rv, src[:, :, :(OW - 1) * sw + 1:sw])
        v = cols(1)
        self._greater(v, rv, rc, mask, nan_aware)
        np.maximum(rv, v, out=rv)
        for j in range(2, kw):
            v = cols(j)
            np.greater(v, rv, out=mask)
            if nan_aware:
                mask |= np.isnan(v)
            np.maximum(rv, v, out=rv)
            select(mask, rc, self.code(j), rc, tmp)

    def along_rows(self, src, nan_aware):
        """Step 1: each window row's max and winning column, per window-row offset.

        Whole rows at once (one long strided loop), or, in split mode, per window-row offset
        into contiguous blocks. Returns the lists ``rv_i, rc_i`` (one entry per offset ``i``).
        """
        OH, OW, kh, kw, sh, sw, dh, dw = self.geo
        n = src.shape[0]
        mask, tmp, col = self.rmask[:n], self.rtmp[:n], self.rcol[:n]
        if self.split:
            rv_i, rc_i = [], []
            for i in range(kh):
                rows = src[:, i * dh:i * dh + (OH - 1) * sh + 1:sh]
                rv, rc = self.rv[i, :n], self.rc[i, :n]
                if kw == 1:
                    np.copyto(rv, rows[:, :, :(OW - 1) * sw + 1:sw])
                    rc.fill(0)
                else:
                    self._row_windows(rows, rv, rc, mask, tmp, col, nan_aware)
                rv_i.append(rv)
                rc_i.append(rc)
            return rv_i, rc_i
        rc = self.rc[:n]
        if kw == 1:
            rv = src[:, :, :(OW - 1) * sw + 1:sw]
            rc.fill(0)
        else:
            rv = self.rv[:n]
            self._row_windows(src, rv, rc, mask, tmp, col, nan_aware)
        rv_i = [rv[:, i * dh:i * dh + (OH - 1) * sh + 1:sh] for i in range(kh)]
        rc_i = [rc[:, i * dh:i * dh + (OH - 1) * sh + 1:sh] for i in range(kh)]
        return rv_i, rc_i

    def down_rows(self, rv_i, rc_i, o, nan_aware):
        """Step 2: ``o, ri`` = max and winning row over the window rows; ``cj`` = its column."""
        kh = self.geo.kh
        n = o.shape[0]
        ri, cj, mask, tmp = self.ri[:n], self.cj[:n], self.omask[:n], self.otmp[:n]
        if kh == 1:
            np.copyto(o, rv_i[0])
            np.copyto(cj, rc_i[0])
            ri.fill(0)
            return ri, cj
        self._greater(rv_i[1], rv_i[0], ri, mask, nan_aware)
        np.maximum(rv_i[0], rv_i[1], out=o)
        select(ri, rc_i[0], rc_i[1], cj, tmp)
        for i in range(2, kh):
            np.greater(rv_i[i], o, out=mask)
            if nan_aware:
                mask |= np.isnan(rv_i[i])
            np.maximum(o, rv_i[i], out=o)
            select(mask, ri, self.code(i), ri, tmp)
            select(mask, cj, rc_i[i], cj, tmp)
        return ri, cj

    def flat_index(self, ri, cj, base, W, iv):
        """Step 3: ``iv = base + ri * dh*W + cj * dw``.

        In int32, widened once, when ``base`` is int32 (all indices fit; faster than adding
        to an int64 base), in int64 otherwise (the offsets of a plane of 2**31 cells or more
        overflow int32 too).
        """
        dh, dw = self.geo.dh, self.geo.dw
        n = iv.shape[0]
        off, t = self.off[:n], self.off_dtype
        np.multiply(ri, dh * W, out=off, dtype=t)
        if dw == 1:
            np.add(off, cj, out=off, dtype=t)
        else:
            np.multiply(cj, dw, out=self.off2[:n], dtype=t)
            off += self.off2[:n]
        if base.dtype == np.int32:
            np.add(off, base, out=off)
            np.copyto(iv, off)
        else:
            np.add(base, off, out=iv)

    def run(self, src, o, iv, base, W, nan_aware):
        """Max ``o`` and flat index ``iv`` of every window of the chunk ``src``."""
        nan_aware = nan_aware and self.is_float
        rv_i, rc_i = self.along_rows(src, nan_aware)
        ri, cj = self.down_rows(rv_i, rc_i, o, nan_aware)
        self.flat_index(ri, cj, base, W, iv)


# ---------------------------------------------------------------------------
# backward
# ---------------------------------------------------------------------------

def max_planes_backward(grad_out, indices, in_hw, inside=False):
    """Gradient of max pooling: scatter-add ``grad_out`` to the recorded indices.

    Parameters
    ----------
    grad_out : ndarray, shape (P, OH, OW)
    indices : ndarray of int64, shape (P, OH, OW)
        Flat indices ``ih*W + iw`` from :func:`max_planes`.
    in_hw : tuple of int
        ``(H, W)``.
    inside : bool
        The caller has checked that every index lies in ``[0, H*W)`` (skips a pass).

    Returns
    -------
    grad_x : ndarray, shape (P, H, W), dtype of ``grad_out``
        ``grad_x[p].flat[indices[p, i, j]] += grad_out[p, i, j]``, accumulated
        in row-major order of the outputs (PyTorch's order, so overlapping
        windows give the same floating-point sums). Indices outside the plane
        (possible only for windows made of padding) are dropped.

    Notes
    -----
    Each chunk of planes is first written with one fancy assignment
    (``gx.flat[idx] = g``), which is right when no two windows picked the same
    cell: always for non-overlapping windows, often otherwise.
    :func:`~poolkit.kernels._plumbing.no_write_lost` detects a repeated index, and the
    chunk is then redone with a sequential scatter-add (``np.add.at``). Only a cell whose
    single gradient is ``-0.0`` differs from PyTorch, which adds it to ``+0.0`` and stores
    ``+0.0``.

    Examples
    --------
    >>> g = np.ones((1, 1, 2)); idx = np.array([[[1, 1]]])
    >>> max_planes_backward(g, idx, (1, 3)).tolist()
    [[[0.0, 2.0, 0.0]]]
    """
    P, OH, OW = grad_out.shape
    H, W = in_hw
    size = H * W
    indices = np.asarray(indices, dtype=np.int64)
    grad_x = np.empty((P, H, W), dtype=grad_out.dtype)
    if grad_x.size == 0:
        return grad_x
    if OH * OW == 0:
        grad_x.fill(0)
        return grad_x
    cb = planes_per_chunk(P, size * grad_out.dtype.itemsize)
    plane_start = (np.arange(cb, dtype=np.int64) * size)[:, None, None]
    flat = temp("maxb.flat", (cb, OH, OW), np.int64)
    assign = True                        # until a chunk shows two windows sharing a cell
    for a in range(0, P, cb):
        b = min(P, a + cb)
        n = b - a
        g, iv = grad_out[a:b], indices[a:b]
        gx = grad_x[a:b].reshape(-1)
        ok = inside or iv.size == 0 or iv.view(np.uint64).max() < size  # negatives look huge
        if assign and ok:
            gx.fill(0)
            np.add(iv, plane_start[:n], out=flat[:n])
            gx[flat[:n].reshape(-1)] = g.reshape(-1)
            if no_write_lost(gx, g):
                continue
            assign = False
        _scatter_add(gx.reshape(n, size), iv.reshape(n, -1), g.reshape(n, -1),
                     None if ok else (iv >= 0) & (iv < size))
    return grad_x


def _scatter_add(gx, iv, g, keep):
    """``gx[p, iv[p, k]] += g[p, k]`` in order, from zero (gx is (n, H*W)).

    ``keep`` (same shape as ``iv``, or None for all) selects the indices to use.
    """
    n, size = gx.shape
    gx.fill(0)
    flat = iv + (np.arange(n, dtype=np.int64) * size)[:, None]
    if keep is None:
        np.add.at(gx.reshape(-1), flat.reshape(-1), g.reshape(-1))
    else:
        keep = keep.reshape(flat.shape)
        np.add.at(gx.reshape(-1), flat[keep], g.reshape(flat.shape)[keep])
