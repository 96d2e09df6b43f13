"""Fast pooling kernels on planes ``(P, H, W)``, in pure numpy.

This module holds only the computation. The public functions in
:mod:`poolkit.max_pool`, :mod:`poolkit.avg_pool` and :mod:`poolkit.global_pool`
validate arguments, reshape inputs to planes and compute output sizes; the
kernels trust what they receive and never modify their inputs.

How they are fast
-----------------
The obvious numpy pooling, a window view followed by a reduction over its
last two axes, spends its time in tiny inner loops of ``k`` elements. These
kernels instead loop over the ``k`` window *offsets* and, for each one, apply
a whole-array ufunc to a strided slice that holds the cell at that offset for
every output position. Max and sum are separable, so a window is reduced
down its columns and then along the row of column results (``k_h + k_w``
slices instead of ``k_h * k_w``); numpy's strided ``maximum`` and comparisons
are slow, so strided columns are first copied to a contiguous buffer.
Planes are processed in chunks small enough for the temporaries to stay in
the CPU cache, so the input is read from memory once, and the temporaries
are kept between calls. A window that hangs over the padding or the
bottom/right edge is handled by the same copy: each chunk is copied into a
cache-sized buffer (a contiguous copy streams from memory much faster than
the reductions' row-by-row reads), whose border holds the padding value.
Indices are tracked as small codes (which offset won) and turned into flat
indices once at the end; gradients are scattered with one fancy assignment
when no two windows share a cell.

Semantics follow PyTorch's CPU kernels exactly, including ties, NaN, windows
of ``-inf`` and the order in which overlapping windows accumulate gradients
(see each function); average pooling's forward sum may differ from
PyTorch's in the last bits (a different summation order). The tests compare
every branch with a plain-loop reference and with PyTorch.
"""

import functools
import threading

import numpy as np

from .params import accumulator_dtype as _acc_dtype

__all__ = [
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool2d",
    "avg_pool2d_backward",
    "global_pool",
    "global_pool_backward",
    "global_max_indices",
]

# Bytes of input handled per chunk of planes: the chunk and its temporaries
# should stay in the L2/L3 cache. Measured on a 2-core AMD EPYC (1 MiB L2).
_CHUNK_BYTES = 1 << 20


# Temporaries (chunk-sized work arrays) are kept between calls, per thread: freeing and
# reallocating them on every call makes the C library hand the memory back to the
# system and fault it in again, which costs more than the pooling of a small input.
_scratch = threading.local()
_SCRATCH_MAX = 32 << 20
_VIEWS_MAX = 256                         # shapes remembered by _temp
# Max with indices: widest output rows for which window rows are split into blocks
# (_ArgmaxWork).
_SPLIT_MAX_OW = 32
# Max with indices: planes whose flat indices and offsets stay below this are indexed in int32.
_INT32_INDICES = 2 ** 31
# Inputs at least this large are copied chunk by chunk into a cache-sized buffer before the
# forward reductions (see max_pool2d); smaller ones are read in place.
_STAGE_BYTES = 16 << 20


def _code_dtype(kernel):
    """Unsigned type of the winner codes of max with indices: an offset in ``[0, k)`` per axis.

    uint8 while every side of the kernel is at most 256 (the usual case, and the fastest),
    then uint16 and uint32: a wide window (``kernel_size=(1, 300)``, adaptive bins of 300
    cells) must not overflow its code.
    """
    k = max(kernel)
    if k <= 1 << 8:                      # numpy types, not dtypes: the keys _temp remembers
        return np.uint8
    if k <= 1 << 16:
        return np.uint16
    return np.uint32


def _index_dtype(W, need_h, need_w, ph, pw):
    """int32 when every flat index ``r*W + c`` built by max with indices fits in it, else int64.

    Rows ``r`` run over ``[-ph, need_h - ph)`` and columns ``c`` over ``[-pw, need_w - pw)``
    (windows may overhang the bottom/right edge), so ``|r*W + c| < (need_h + ph) *
    (need_w + pw + W)``; the window offsets ``ri*dh*W + cj*dw`` are smaller still.
    """
    if (need_h + ph) * (need_w + pw + W) < _INT32_INDICES:
        return np.int32
    return np.int64


def _temp(name, shape, dtype):
    """A reusable uninitialised work array (per thread, per ``name``)."""
    views = getattr(_scratch, "views", None)
    if views is None:
        views = _scratch.views = {}
        _scratch.pool = {}
    key = (name, shape, dtype)
    view = views.get(key)                # the same request as a recent call: no arithmetic
    if view is not None:
        return view
    dtype = np.dtype(dtype)
    count = 1
    for n in shape:
        count *= int(n)
    nbytes = count * dtype.itemsize
    if nbytes > _SCRATCH_MAX:
        return np.empty(shape, dtype=dtype)
    pool = _scratch.pool
    buf = pool.get(name)
    if buf is None or buf.size < nbytes:
        buf = pool[name] = np.empty(max(nbytes, 4096), dtype=np.uint8)
        for old in [k for k in views if k[0] == name]:   # they hold the replaced buffer
            del views[old]
    if len(views) >= _VIEWS_MAX:
        views.clear()
    view = views[key] = buf[:nbytes].view(dtype).reshape(shape)
    return view


def _planes_per_chunk(P, plane_bytes, budget=None):
    budget = _CHUNK_BYTES if budget is None else budget
    return int(max(1, min(P, budget // max(1, plane_bytes))))


# ---------------------------------------------------------------------------
# geometry helpers
# ---------------------------------------------------------------------------

def _valid(n, out, stride, pad, off):
    """Outputs ``[lo, hi)`` whose cell ``o*stride - pad + off`` lies inside ``[0, n)``."""
    lo = max(0, -((off - pad) // stride))  # ceil((pad - off) / stride)
    hi = min(out, (n - 1 + pad - off) // stride + 1)
    return lo, max(lo, hi)


def _in_slice(lo, hi, stride, pad, off):
    """Input slice holding the cells at offset ``off`` of outputs ``lo .. hi-1``."""
    start = lo * stride - pad + off
    return slice(start, start + (hi - lo - 1) * stride + 1, stride)


def _first_real(out, stride, pad, dil):
    """PyTorch's start cell per output: the window start stepped by ``dil`` until >= 0."""
    start = np.arange(out, dtype=np.int64) * stride - pad
    neg = start < 0
    start[neg] += (-start[neg] + dil - 1) // dil * dil
    return start


def _init_index(W, out_hw, stride, padding, dilation):
    """``(OH, OW)`` index PyTorch reports for a window whose real cells are all the lowest value."""
    rows = _first_real(out_hw[0], stride[0], padding[0], dilation[0])
    cols = _first_real(out_hw[1], stride[1], padding[1], dilation[1])
    return rows[:, None] * W + cols[None, :]


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def _uint(dtype):
    """Unsigned integer type of the same size, to move floats bit for bit."""
    return np.dtype(f"u{dtype.itemsize}")


# ---------------------------------------------------------------------------
# max pooling, forward
# ---------------------------------------------------------------------------

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
    A window whose real cells all hold the lowest value (``-inf``), or that has
    no real cell, reports PyTorch's start index: the window's top-left cell,
    each coordinate stepped by the dilation until it is non-negative (for a
    window of padding only, this may lie outside the plane).

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
    out = np.empty((P, OH, OW), dtype=x.dtype)
    idx = np.empty((P, OH, OW), dtype=np.int64) if return_indices else None
    if out.size == 0:
        return out, idx
    lowest = _lowest(x.dtype)
    need_h = (OH - 1) * sh + (kh - 1) * dh + 1      # rows spanned by the windows, from -ph
    need_w = (OW - 1) * sw + (kw - 1) * dw + 1
    hc, wc = min(H, need_h - ph), min(W, need_w - pw)  # input rows / columns that are used
    if hc <= 0 or wc <= 0:                         # every window lies in the padding
        out.fill(lowest)
        if return_indices:
            idx[...] = _init_index(W, out_hw, stride, padding, dilation)
        return out, idx
    # A large input is first copied, chunk by chunk, into a cache-sized buffer (with a border
    # of padding if needed): a contiguous copy streams from memory far faster than the
    # row-by-row reads of the reductions, which then run in cache (1.5x faster on the vgg
    # layer). An input that fits in the cache gains nothing from the extra copy, and the
    # path with indices already starts with contiguous copies of the strided columns.
    padded = ph > 0 or pw > 0 or need_h > H or need_w > W
    stage = padded or (not return_indices and x.nbytes >= _STAGE_BYTES)
    cb = _planes_per_chunk(P, need_h * need_w * x.dtype.itemsize)
    buf = _temp("max.buf", (cb, need_h, need_w), x.dtype) if stage else None
    if padded:
        buf.fill(lowest)
    geo = (OH, OW, kh, kw, sh, sw, dh, dw)
    if return_indices:
        index_dtype = _index_dtype(W, need_h, need_w, ph, pw)
        work = _ArgmaxWork(cb, need_h, geo, x.dtype, index_dtype)
        base = ((np.arange(OH, dtype=np.int64) * sh - ph)[:, None] * W
                + (np.arange(OW, dtype=np.int64) * sw - pw)[None, :])
        base = base.astype(index_dtype, copy=False)
        init = None
    else:
        t = _temp("max.t", (cb, OH, need_w), x.dtype) if kh > 1 else None
        col = _temp("max.col", (cb, OH, OW), x.dtype) if kw > 1 and sw > 1 else None
    for a in range(0, P, cb):
        b = min(P, a + cb)
        if stage:
            src = buf[:b - a]
            src[:, ph:ph + hc, pw:pw + wc] = x[a:b, :hc, :wc]
        else:
            src = x[a:b, :need_h, :need_w]
        if not return_indices:
            _separable(src, out[a:b], t, col, geo, np.maximum)
            continue
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


def _separable(src, o, t, col, geo, op):
    """Reduce every window with ``op``: down the rows first (contiguous rows), then along them.

    ``t`` holds the ``(n, OH, W)`` partial results, ``col`` one ``(n, OH, OW)`` column. With ``np.maximum`` this is
    max pooling's value; with ``np.add`` the window sum (in a different order
    than a cell-by-cell loop, so it may differ from it in the last bit).
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


def _select(m, a, b, out, tmp):
    """``out = b where m else a`` for small unsigned codes, without a masked copy.

    ``a ^ ((a ^ b) * m)``: three contiguous integer ops, several times faster
    than ``np.copyto(..., where=m)`` on random masks.
    """
    np.bitwise_xor(a, b, out=tmp)
    np.multiply(tmp, m, out=tmp)
    np.bitwise_xor(a, tmp, out=out)


class _ArgmaxWork:
    """Buffers and steps of max pooling with indices, for one chunk of planes.

    Row-major order decides ties and NaN, so the reduction runs along each
    row first (the winner of a row is its first maximum, or last NaN), then
    down the rows (the first row holding the maximum, or the last holding a
    NaN): the pair found is the row-major first maximum / last NaN. Each step
    keeps a small code (the offset that won) and the flat index is built once
    at the end.
    """

    def __init__(self, cb, need_h, geo, dtype, index_dtype=np.int32):
        OH, OW, kh, kw, sh, sw, dh, dw = geo
        self.geo = geo
        self.is_float = dtype.kind == "f"
        # Narrow outputs whose windows share no input row (sh >= the dilated kernel height,
        # e.g. k == s): the rows at each window-row offset go to their own contiguous block,
        # so the step down the rows runs on contiguous arrays instead of short strided rows,
        # for which numpy pays per row (max with indices, 2x2 windows on 2048 planes: 25-30%
        # faster for 10-wide outputs, 8-20% for 14-28, none at 32, 0-10% slower at 56).
        # Otherwise each input row is reduced once, in place.
        self.split = kh > 1 and sh >= (kh - 1) * dh + 1 and OW <= _SPLIT_MAX_OW
        code = self.code = _code_dtype((kh, kw))
        self.one_byte = code is np.uint8    # 1-byte codes hold a comparison's bools in place
        if self.split:
            rows, self.rv = (cb, OH, OW), _temp("arg.rvb", (kh, cb, OH, OW), dtype)
            self.rc = _temp("arg.rcb", (kh, cb, OH, OW), code)
        else:
            rows = (cb, need_h, OW)
            self.rv = _temp("arg.rv", rows, dtype) if kw > 1 else None
            self.rc = _temp("arg.rc", rows, code)                # winning column per row
        self.rmask = _temp("arg.rmask", rows, bool)
        self.rtmp = _temp("arg.rtmp", rows, code)
        self.rcol = _temp("arg.rcol", rows, dtype)
        self.ri = _temp("arg.ri", (cb, OH, OW), code)            # winning row
        self.cj = _temp("arg.cj", (cb, OH, OW), code)            # its winning column
        self.omask = _temp("arg.omask", (cb, OH, OW), bool)
        self.otmp = _temp("arg.otmp", (cb, OH, OW), code)
        self.off_dtype = off = index_dtype
        self.off = _temp("arg.off", (cb, OH, OW), off)
        self.off2 = _temp("arg.off2", (cb, OH, OW), off) if dw > 1 else None

    def _greater(self, a, b, codes, mask, nan_aware):
        """``codes = (a > b) or isnan(a)`` as 0/1 codes (in place when codes are 1 byte)."""
        bits = codes.view(bool) if self.one_byte else mask
        np.greater(a, b, out=bits)
        if nan_aware:
            bits |= np.isnan(a)
        if not self.one_byte:
            np.copyto(codes, bits)

    def _along_rows(self, src, rv, rc, mask, tmp, col, nan_aware):
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
            _select(mask, rc, self.code(j), rc, tmp)

    def run(self, src, o, iv, base, W, nan_aware):
        OH, OW, kh, kw, sh, sw, dh, dw = self.geo
        n = src.shape[0]
        nan_aware = nan_aware and self.is_float

        # 1. along each row: whole rows at once (one long strided loop), or per window-row
        #    offset into contiguous blocks when windows share no row
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
                    self._along_rows(rows, rv, rc, mask, tmp, col, nan_aware)
                rv_i.append(rv)
                rc_i.append(rc)
        else:
            rc = self.rc[:n]
            if kw == 1:
                rv = src[:, :, :(OW - 1) * sw + 1:sw]
                rc.fill(0)
            else:
                rv = self.rv[:n]
                self._along_rows(src, rv, rc, mask, tmp, col, nan_aware)
            rv_i = [rv[:, i * dh:i * dh + (OH - 1) * sh + 1:sh] for i in range(kh)]
            rc_i = [rc[:, i * dh:i * dh + (OH - 1) * sh + 1:sh] for i in range(kh)]

        # 2. down the rows: o, ri = max and winning row; cj = that row's winning column
        ri, cj, mask, tmp = self.ri[:n], self.cj[:n], self.omask[:n], self.otmp[:n]
        if kh == 1:
            np.copyto(o, rv_i[0])
            np.copyto(cj, rc_i[0])
            ri.fill(0)
        else:
            self._greater(rv_i[1], rv_i[0], ri, mask, nan_aware)
            np.maximum(rv_i[0], rv_i[1], out=o)
            _select(ri, rc_i[0], rc_i[1], cj, tmp)
            for i in range(2, kh):
                np.greater(rv_i[i], o, out=mask)
                if nan_aware:
                    mask |= np.isnan(rv_i[i])
                np.maximum(o, rv_i[i], out=o)
                _select(mask, ri, self.code(i), ri, tmp)
                _select(mask, cj, rc_i[i], cj, tmp)

        # 3. flat index = base + ri * dh*W + cj * dw, in int32 and widened once when ``base``
        #    is int32 (all indices fit; 20-30% faster than adding to an int64 base), in int64
        #    otherwise (the offsets of a plane of 2**31 cells or more overflow int32 too)
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


# ---------------------------------------------------------------------------
# max pooling, backward
# ---------------------------------------------------------------------------

def max_pool2d_backward(grad_out, indices, in_hw, inside=False):
    """Gradient of max pooling: scatter-add ``grad_out`` to the recorded indices.

    Parameters
    ----------
    grad_out : ndarray, shape (P, OH, OW)
    indices : ndarray of int64, shape (P, OH, OW)
        Flat indices ``ih*W + iw`` from :func:`max_pool2d`.
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
    cell: always for non-overlapping windows, often otherwise. A repeated
    index makes a later gradient overwrite an earlier one, which loses its
    non-zero bits; comparing the number of non-zero words before and after
    detects that, and the chunk is then redone with a sequential scatter-add
    (``np.add.at``). Only a cell whose single gradient is ``-0.0`` differs
    from PyTorch, which adds it to ``+0.0`` and stores ``+0.0``.

    Examples
    --------
    >>> g = np.ones((1, 1, 2)); idx = np.array([[[1, 1]]])
    >>> max_pool2d_backward(g, idx, (1, 3)).tolist()
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
    cb = _planes_per_chunk(P, size * grad_out.dtype.itemsize)
    plane_start = (np.arange(cb, dtype=np.int64) * size)[:, None, None]
    flat = _temp("maxb.flat", (cb, OH, OW), np.int64)
    u = _uint(grad_out.dtype)
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
            if np.count_nonzero(gx.view(u)) == np.count_nonzero(g.view(u)):
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


# ---------------------------------------------------------------------------
# average pooling
# ---------------------------------------------------------------------------

def _divisors(H, W, out_hw, kernel, stride, padding, count_include_pad, divisor_override):
    """PyTorch's divisor per output, as an int (all equal) or a read-only (OH, OW) int64 array."""
    if isinstance(divisor_override, tuple):
        return divisor_override          # (a, b): divide by a, then by b
    if divisor_override is not None:
        return int(divisor_override)
    (kh, kw), (ph, pw) = kernel, padding
    if (ph, pw) == (0, 0) and (out_hw[0] - 1) * stride[0] + kh <= H \
            and (out_hw[1] - 1) * stride[1] + kw <= W:
        return kh * kw                   # every window lies inside the input
    return _divisor_table(H, W, tuple(out_hw), tuple(kernel), tuple(stride), tuple(padding),
                          bool(count_include_pad))


@functools.lru_cache(maxsize=64)
def _divisor_table(H, W, out_hw, kernel, stride, padding, count_include_pad):
    """:func:`_divisors` for windows that reach the padding or overhang (cached: a layer
    calls it with the same geometry on every batch)."""
    sizes = []
    for n, o, k, s, p in zip((H, W), out_hw, kernel, stride, padding):
        start = np.arange(o, dtype=np.int64) * s - p
        end = np.minimum(start + k, n + p)
        pool = end - start
        valid = np.minimum(end, n) - np.maximum(start, 0)
        sizes.append(pool if count_include_pad else valid)
    div = sizes[0][:, None] * sizes[1][None, :]
    if div.size and (div == div.flat[0]).all():
        return int(div.flat[0])
    div.flags.writeable = False          # shared by every call through the cache
    return div


def _divide(acc, div, dtype, out=None):
    """``out = acc / div`` (in place by default) with the divisor converted to ``dtype``, as
    PyTorch does."""
    out = acc if out is None else out
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(div, tuple):
            np.divide(acc, out.dtype.type(div[0]), out=out)
            np.divide(out, out.dtype.type(div[1]), out=out)
        elif isinstance(div, int):
            np.divide(acc, out.dtype.type(div), out=out)
        else:
            np.divide(acc, div.astype(out.dtype), out=out)


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
        The window sum divided by ``divisor_override`` or by the window size:
        padded cells counted when ``count_include_pad``, a ceil-mode window
        overhanging the bottom/right edge counted only up to the padding.
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
    >>> avg_pool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), True, None).tolist()
    [[[1.5]]]
    """
    P, H, W = x.shape
    OH, OW = out_hw
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    acc_dtype = _acc_dtype(x.dtype)
    out = np.empty((P, OH, OW), dtype=acc_dtype)
    if out.size == 0:
        return out.astype(x.dtype)
    div = _divisors(H, W, out_hw, kernel, stride, padding, count_include_pad, divisor_override)
    need_h, need_w = (OH - 1) * sh + kh, (OW - 1) * sw + kw
    hc, wc = min(H, need_h - ph), min(W, need_w - pw)
    padded = ph > 0 or pw > 0 or need_h > H or need_w > W
    stage = padded or acc_dtype != x.dtype or x.nbytes >= _STAGE_BYTES   # as in max_pool2d
    cb = _planes_per_chunk(P, need_h * need_w * acc_dtype.itemsize)
    buf = _temp("avg.buf", (cb, need_h, need_w), acc_dtype) if stage else None
    if padded:
        buf.fill(0)
    t = _temp("avg.t", (cb, OH, need_w), acc_dtype) if kh > 1 else None
    geo = (OH, OW, kh, kw, sh, sw, 1, 1)
    for a in range(0, P, cb):
        b = min(P, a + cb)
        if stage:
            src = buf[:b - a]
            src[:, ph:ph + hc, pw:pw + wc] = x[a:b, :hc, :wc]
        else:
            src = x[a:b, :need_h, :need_w]
        _separable(src, out[a:b], t, None, geo, np.add)
        _divide(out[a:b], div, acc_dtype)
    return out if acc_dtype == x.dtype else out.astype(x.dtype)


def _offset_ranges(H, W, OH, OW, kernel, stride, padding):
    """Per window offset, in reverse row-major order: the outputs whose cell at that offset is
    real, and the input cells they reach, as ``(out rows, out cols, in rows, in cols)`` slices."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    ranges = []
    for i in reversed(range(kh)):
        rlo, rhi = _valid(H, OH, sh, ph, i)
        for j in reversed(range(kw)):
            clo, chi = _valid(W, OW, sw, pw, j)
            if rhi > rlo and chi > clo:
                ranges.append((slice(rlo, rhi), slice(clo, chi),
                               _in_slice(rlo, rhi, sh, ph, i), _in_slice(clo, chi, sw, pw, j)))
    return ranges


def avg_pool2d_backward(grad_out, in_hw, kernel, stride, padding, count_include_pad,
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
    >>> avg_pool2d_backward(g, (2, 2), (2, 2), (2, 2), (0, 0), True, None).tolist()
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
    div = _divisors(H, W, (OH, OW), kernel, stride, padding, count_include_pad,
                    divisor_override)
    item = grad_out.dtype.itemsize
    cb = _planes_per_chunk(P, H * W * item)
    gd = _temp("avgb.gd", (cb, OH, OW), grad_out.dtype)
    tiled = (kh, kw) == (sh, sw) and (ph, pw) == (0, 0) and (H, W) == (OH * sh, OW * sw)
    pairs = tiled and kw == 2 and item == 4 and grad_out.dtype.kind == "f"
    ranges = [] if tiled else _offset_ranges(H, W, OH, OW, kernel, stride, padding)
    for a in range(0, P, cb):
        b = min(P, a + cb)
        g = gd[:b - a]
        _divide(grad_out[a:b], div, g.dtype, out=g)
        gx = grad_x[a:b]
        if pairs:
            # both cells of a tile row get the same value: one uint64 = bits * (2**32 + 1),
            # written to the kh rows of every tile at once
            rows = gx.view(np.uint64).reshape(b - a, OH, sh, OW)
            np.multiply(g.view(np.uint32)[:, :, None, :], np.uint64(0x100000001), out=rows)
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


# ---------------------------------------------------------------------------
# global pooling
# ---------------------------------------------------------------------------

def global_pool(x, mode):
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
    >>> global_pool(np.arange(8.).reshape(2, 2, 2), "avg").tolist()
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


def global_max_indices(x):
    """Flat index of each plane's maximum, as PyTorch's ``adaptive_max_pool2d(x, 1)`` records it.

    Parameters
    ----------
    x : ndarray, shape (P, H, W)

    Returns
    -------
    indices : ndarray of int64, shape (P,)
        The first maximum in row-major order, or the last NaN of a plane that
        holds NaN.

    Examples
    --------
    >>> global_max_indices(np.array([[[1., 5.], [5., 0.]], [[np.nan, 1.], [np.nan, 2.]]])).tolist()
    [1, 2]
    """
    return _global_argmax(x.reshape(x.shape[0], -1)).astype(np.int64, copy=False)


def _global_argmax(flat):
    """Row-wise index PyTorch records: the first maximum, or the last NaN."""
    pos = np.argmax(flat, axis=1)  # first maximum; numpy's argmax stops at the first NaN
    if flat.dtype.kind == "f" and flat.size:
        first = np.arange(0, flat.size, flat.shape[1])
        top = flat.reshape(-1)[first + pos] if flat.flags.c_contiguous else \
            flat[np.arange(flat.shape[0]), pos]
        nan_rows = np.isnan(top)
        if nan_rows.any():
            rows = flat[nan_rows]
            pos[nan_rows] = rows.shape[1] - 1 - np.argmax(np.isnan(rows[:, ::-1]), axis=1)
    return pos


def global_pool_backward(grad_out, x, mode, indices=None):
    """Gradient of :func:`global_pool`.

    ``"avg"`` spreads ``grad_out / (H*W)`` over the plane; ``"max"`` sends
    all of it to the first maximum in row-major order (or, where the plane
    holds NaN, to the last NaN, as PyTorch's ``adaptive_max_pool2d`` does).
    ``indices`` (optional, ``"max"`` only): the positions from
    :func:`global_max_indices`, in ``[0, H*W)``; without them the maxima are
    searched again in ``x``, which costs more than the scatter itself.

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
        if grad_x.size:
            share = grad_out / grad_out.dtype.type(H * W)
            np.copyto(grad_x, share[:, None, None])
        return grad_x
    grad_x = np.zeros((P, H * W), dtype=grad_out.dtype)
    if grad_x.size:
        pos = _global_argmax(x.reshape(P, -1)) if indices is None else indices
        grad_x.reshape(-1)[np.arange(0, P * H * W, H * W) + pos] = grad_out
    return grad_x.reshape(P, H, W)
