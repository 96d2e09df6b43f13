"""The kernels' plumbing: scratch buffers, chunks of planes, staging, and the bit tricks.

Nothing here knows what pooling is; :mod:`._max`, :mod:`._avg` and :mod:`._global` hold
the numerics. The scratch contract is stated in :mod:`poolkit.kernels`: buffers from
:func:`temp` are uninitialised and shared across calls, so every kernel overwrites every
cell it reads.
"""

import threading
from typing import NamedTuple

import numpy as np

__all__ = [
    "CHUNK_BYTES", "STAGE_BYTES", "SPLIT_MAX_OW", "INT32_INDICES", "scratch",
    "Geo", "temp", "planes_per_chunk", "staged_chunks", "code_dtype", "index_dtype", "uint",
    "select", "write_pairs", "no_write_lost", "valid_outputs", "in_slice",
]

# Bytes of input handled per chunk of planes: the chunk and its temporaries
# should stay in the L2/L3 cache. Measured on a 2-core AMD EPYC (1 MiB L2).
CHUNK_BYTES = 1 << 20
# Inputs at least this large are copied chunk by chunk into a cache-sized buffer before the
# forward reductions (see staged_chunks); smaller ones are read in place.
STAGE_BYTES = 16 << 20
# Max with indices: widest output rows for which window rows are split into blocks.
SPLIT_MAX_OW = 32
# Max with indices: planes whose flat indices and offsets stay below this are indexed in int32.
INT32_INDICES = 2 ** 31

# Temporaries (chunk-sized work arrays) are kept between calls, per thread: freeing and
# reallocating them on every call makes the C library hand the memory back to the
# system and fault it in again, which costs more than the pooling of a small input.
scratch = threading.local()
SCRATCH_MAX = 32 << 20                   # larger requests get a fresh array
VIEWS_MAX = 256                          # shapes remembered by temp


class Geo(NamedTuple):
    """The window grid a kernel works on (all ints, already validated)."""

    oh: int   # output rows
    ow: int   # output columns
    kh: int   # window height
    kw: int   # window width
    sh: int   # stride down
    sw: int   # stride across
    dh: int   # dilation down
    dw: int   # dilation across


def temp(name, shape, dtype):
    """A reusable **uninitialised** work array (per thread, per ``name``).

    Parameters
    ----------
    name : str
        The buffer's role; two roles never share memory.
    shape : tuple of int
    dtype : numpy type
        The same requests (name, shape, dtype) as a recent call return the same view
        without arithmetic.

    Returns
    -------
    ndarray
        A view of a per-thread buffer: its content is whatever the last user left.
    """
    views = getattr(scratch, "views", None)
    if views is None:
        views = scratch.views = {}
        scratch.pool = {}
    key = (name, shape, dtype)
    view = views.get(key)                # the same request as a recent call: no arithmetic
    if view is not None:
        return view
    dtype = np.dtype(dtype)
    count = 1
    for n in shape:
        count *= int(n)
    nbytes = count * dtype.itemsize
    if nbytes > SCRATCH_MAX:
        return np.empty(shape, dtype=dtype)
    pool = scratch.pool
    buf = pool.get(name)
    if buf is None or buf.size < nbytes:
        buf = pool[name] = np.empty(max(nbytes, 4096), dtype=np.uint8)
        for old in [k for k in views if k[0] == name]:   # they hold the replaced buffer
            del views[old]
    if len(views) >= VIEWS_MAX:
        views.clear()
    view = views[key] = buf[:nbytes].view(dtype).reshape(shape)
    return view


def planes_per_chunk(P, plane_bytes, budget=None):
    """How many planes go in one chunk so that a chunk's work stays in the cache.

    Parameters
    ----------
    P : int
        Planes in all.
    plane_bytes : int
        Bytes one plane's work needs (its staged copy or its output).
    budget : int, optional
        Bytes per chunk; :data:`CHUNK_BYTES` by default.

    Returns
    -------
    int
        Between 1 and ``P``.

    Examples
    --------
    >>> planes_per_chunk(100, 1 << 18), planes_per_chunk(3, 1 << 30)
    (4, 1)
    """
    budget = CHUNK_BYTES if budget is None else budget
    return int(max(1, min(P, budget // max(1, plane_bytes))))


def staged_chunks(x, cb, buf, need_hw, padding):
    """Yield ``(a, b, src)``: planes ``a:b`` of ``x``, ready to be reduced.

    With a staging buffer ``buf`` (shape ``(cb, need_h, need_w)``, its border already
    filled with the padding value), each chunk is copied into it at ``padding``: a
    contiguous copy streams from memory far faster than the reductions' row-by-row reads,
    which then run in cache, and a window that overhangs the padding or the bottom/right
    edge reads the border. Without one (``buf=None``: an input that fits in the cache,
    no padding), ``src`` is a view of ``x``.
    """
    P, H, W = x.shape
    need_h, need_w = need_hw
    ph, pw = padding
    hc, wc = min(H, need_h - ph), min(W, need_w - pw)   # input rows / columns that are used
    for a in range(0, P, cb):
        b = min(P, a + cb)
        if buf is None:
            yield a, b, x[a:b, :need_h, :need_w]
        else:
            src = buf[:b - a]
            src[:, ph:ph + hc, pw:pw + wc] = x[a:b, :hc, :wc]
            yield a, b, src


def code_dtype(kernel):
    """Unsigned type of the winner codes of max with indices: an offset in ``[0, k)`` per axis.

    uint8 while every side of the kernel is at most 256 (the usual case, and the fastest),
    then uint16 and uint32: a wide window (``kernel_size=(1, 300)``, adaptive bins of 300
    cells) must not overflow its code.
    """
    k = max(kernel)
    if k <= 1 << 8:                      # numpy types, not dtypes: the keys temp remembers
        return np.uint8
    if k <= 1 << 16:
        return np.uint16
    return np.uint32


def index_dtype(W, need_h, need_w, ph, pw):
    """int32 when every flat index ``r*W + c`` built by max with indices fits in it, else int64.

    Rows ``r`` run over ``[-ph, need_h - ph)`` and columns ``c`` over ``[-pw, need_w - pw)``
    (windows may overhang the bottom/right edge), so ``|r*W + c| < (need_h + ph) *
    (need_w + pw + W)``; the window offsets ``ri*dh*W + cj*dw`` are smaller still.
    """
    if (need_h + ph) * (need_w + pw + W) < INT32_INDICES:
        return np.int32
    return np.int64


def uint(dtype):
    """Unsigned integer type of the same size, to move floats bit for bit."""
    return np.dtype(f"u{dtype.itemsize}")


# ---------------------------------------------------------------------------
# bit tricks, each behind a name (and a unit test in tests/test_kernels.py)
# ---------------------------------------------------------------------------

def select(m, a, b, out, tmp):
    """``out = b where m else a`` for small unsigned codes, without a masked copy.

    ``a ^ ((a ^ b) * m)``: three contiguous integer ops, several times faster
    than ``np.copyto(..., where=m)`` on random masks.
    """
    np.bitwise_xor(a, b, out=tmp)
    np.multiply(tmp, m, out=tmp)
    np.bitwise_xor(a, tmp, out=out)


def write_pairs(dst, src):
    """Write every 32-bit value of ``src`` into two adjacent 32-bit cells of ``dst``.

    ``dst`` is a uint64 view; one multiply by ``2**32 + 1`` puts the bits of a value in
    both halves of a 64-bit word, so a pair of float32 cells is written by one store.
    ``src`` (float32 or uint32) must broadcast to ``dst``'s shape.
    """
    np.multiply(src.view(np.uint32), np.uint64(0x100000001), out=dst)


def no_write_lost(written, values):
    """After ``written[idx] = values`` on a zeroed array: did every non-zero value land?

    A repeated index makes a later value overwrite an earlier one; the earlier one's
    non-zero bits are then missing, so the number of non-zero words drops. (Bit patterns
    are compared, so ``-0.0`` counts as non-zero.)
    """
    u = uint(values.dtype)
    return np.count_nonzero(written.view(u)) == np.count_nonzero(values.view(u))


# ---------------------------------------------------------------------------
# which outputs an offset reaches
# ---------------------------------------------------------------------------

def valid_outputs(n, out, stride, pad, off):
    """Outputs ``[lo, hi)`` whose cell ``o*stride - pad + off`` lies inside ``[0, n)``."""
    lo = max(0, -((off - pad) // stride))  # ceil((pad - off) / stride)
    hi = min(out, (n - 1 + pad - off) // stride + 1)
    return lo, max(lo, hi)


def in_slice(lo, hi, stride, pad, off):
    """Input slice holding the cells at offset ``off`` of outputs ``lo .. hi-1``."""
    start = lo * stride - pad + off
    return slice(start, start + (hi - lo - 1) * stride + 1, stride)
