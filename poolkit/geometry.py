"""Window semantics in one place: where windows lie, which cells are real, who wins a tie.

Every pooling function of poolkit, fast or naive, takes these rules from here:

* **output length** ``floor((n + 2p - d(k-1) - 1) / s) + 1`` (ceil in ceil mode, without a
  last window that would start in the right padding): :func:`output_length`;
* **padded extent** ``(o-1)*s + d*(k-1) + 1``, the cells the windows span from ``-p``:
  :func:`padded_extent`;
* **first real cell** of a window (PyTorch's index for a window that never updates):
  :func:`first_real`;
* **real cells** of each window along an axis (:func:`axis_windows`, :func:`adaptive_windows`)
  and the windows made only of padding (:func:`dead_windows`);
* **window bounds and divisors** of average pooling: :func:`window_bounds`, :func:`divisors`;
* **adaptive bins** ``[floor(i*n/m), ceil((i+1)*n/m))``: :func:`adaptive_bins`;
* **the tie rule** "ties keep the first maximum in row-major order, a NaN wins and the last
  NaN is recorded, padding never wins", once for a list (:func:`first_max`) and once for
  the rows of an array (:func:`first_max_rows`).

Nothing here validates: the arguments come from :mod:`poolkit.params`, which checks them
(and :mod:`poolkit.shapes` offers the validated public forms). This module imports only numpy.
"""

import functools

import numpy as np

__all__ = [
    "windows_before_drop",
    "output_length", "padded_extent", "unpool_length", "first_real", "lowest",
    "axis_windows", "adaptive_windows", "adaptive_bins", "dead_windows",
    "window_bounds", "divisors", "first_max", "first_max_rows",
]


# ---------------------------------------------------------------------------
# where windows lie
# ---------------------------------------------------------------------------

def output_length(n, k, s, p, d, ceil_mode):
    """Raw PyTorch output length on one axis (no validation; may be < 1).

    ``floor((n + 2p - d(k-1) - 1) / s) + 1``; in ceil mode ``ceil`` instead of
    ``floor``, then one less if the last window would start in the right
    padding, i.e. if ``(out - 1) * s >= n + p``.

    Examples
    --------
    >>> output_length(5, 2, 2, 1, 1, False), output_length(5, 2, 2, 1, 1, True)
    (3, 3)
    >>> output_length(6, 3, 2, 0, 1, False), output_length(6, 3, 2, 0, 1, True)
    (2, 3)
    """
    out = windows_before_drop(n, k, s, p, d, ceil_mode)
    if ceil_mode and (out - 1) * s >= n + p:   # last window would start in the right padding
        out -= 1
    return out


def windows_before_drop(n, k, s, p, d, ceil_mode):
    """Output length before ceil mode's last-window rule: ``floor`` or ``ceil`` of ``span / s``, plus 1.

    ``span = n + 2p - d(k-1) - 1``. In floor mode this is the output length; in ceil mode
    :func:`output_length` drops the last window when it would start in the right padding.

    Examples
    --------
    >>> windows_before_drop(5, 2, 2, 1, 1, True), output_length(5, 2, 2, 1, 1, True)
    (4, 3)
    """
    span = n + 2 * p - d * (k - 1) - 1
    if ceil_mode:
        return -((-span) // s) + 1             # ceil(span / s) + 1, exact in integers
    return span // s + 1                       # floor(span / s) + 1 (Python's // floors)


def padded_extent(out, k, s, d=1):
    """Cells spanned by ``out`` windows, counted from the first padded cell: ``(out-1)*s + d*(k-1) + 1``.

    Examples
    --------
    >>> padded_extent(3, 2, 2)          # windows [0, 2), [2, 4), [4, 6)
    6
    >>> padded_extent(2, 3, 1, d=2)     # cells 0, 2, 4 and 1, 3, 5
    6
    """
    return (out - 1) * s + d * (k - 1) + 1


def unpool_length(n, k, s, p):
    """Default length of max unpooling on one axis: ``(n - 1)*s - 2p + k`` (may be < 1).

    The smallest input length that max pooling (floor mode) maps to ``n``.

    Examples
    --------
    >>> unpool_length(2, 2, 2, 0), unpool_length(3, 3, 2, 1)
    (4, 5)
    """
    return (n - 1) * s - 2 * p + k


def first_real(start, d):
    """PyTorch's start cell of a window: ``start`` stepped by the dilation until it is ``>= 0``.

    ``start`` may be an int or an integer array (one start per window).

    Examples
    --------
    >>> first_real(-3, 2), first_real(4, 2)
    (1, 4)
    >>> first_real(np.array([-2, 0, 2]), 3).tolist()
    [1, 0, 2]
    """
    if isinstance(start, np.ndarray):
        start = start.copy()
        neg = start < 0
        start[neg] += (-start[neg] + d - 1) // d * d
        return start
    return start + (-start + d - 1) // d * d if start < 0 else start


def lowest(dtype):
    """The value of max pooling's padding: ``-inf`` for floats, ``False``, or the smallest int.

    Examples
    --------
    >>> lowest(np.dtype(np.float32)), lowest(np.dtype(np.int8)), lowest(np.dtype(bool))
    (-inf, -128, False)
    """
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def axis_windows(n, k, s, p, d, out):
    """The real cells of each window along one axis, in order.

    Window ``o`` reads ``o*s - p + m*d`` for ``m < k``; the cells outside ``[0, n)`` are
    padding and are left out (a window of padding only gets an empty list).

    Examples
    --------
    >>> axis_windows(5, 2, 2, 1, 1, 3)
    [[0], [1, 2], [3, 4]]
    >>> axis_windows(2, 2, 1, 1, 3, 2)  # dilation 3 jumps over the input: the first window is dead
    [[], [0]]
    """
    return [[c for c in range(o * s - p, o * s - p + k * d, d) if 0 <= c < n] for o in range(out)]


def adaptive_bins(n, m):
    """Bins ``[floor(i*n/m), ceil((i+1)*n/m))`` of adaptive pooling (no validation).

    Examples
    --------
    >>> adaptive_bins(5, 3)
    [(0, 2), (1, 4), (3, 5)]
    """
    return [((i * n) // m, -((-(i + 1) * n) // m)) for i in range(m)]   # exact integer floor/ceil


def adaptive_windows(n, m):
    """The cells of each adaptive bin along one axis (all real: adaptive pooling has no padding).

    Examples
    --------
    >>> adaptive_windows(5, 3)
    [[0, 1], [1, 2, 3], [3, 4]]
    """
    return [list(range(lo, hi)) for lo, hi in adaptive_bins(n, m)]


def _dead_possible(n, k, s, p, d, out):
    """Can a window on this axis be made only of padding? (cheap, exact sufficient test)

    Window ``o`` covers ``start + m*d`` for ``m < k``, ``start = o*s - p``, an
    increasing sequence. It misses ``[0, n)`` only if it ends left of it
    (``start + (k-1)d < 0``, worst for ``o = 0``: ``(k-1)d < p``), starts right
    of it (``start >= n``, worst for the last window), or jumps over it, which
    needs a step ``d > n``. If none of the three holds for the extreme
    windows, every window has a real cell.
    """
    return d > n or (k - 1) * d < p or (out - 1) * s - p >= n


def _dead_axis(n, k, s, p, d, out):
    """Boolean mask over the outputs of one axis: windows made only of padding."""
    start = np.arange(out) * s - p
    first = np.maximum(-(start // d), 0)               # first m with start + m*d >= 0 (ceil)
    last = np.minimum(-((start - n) // d) - 1, k - 1)  # last m with start + m*d < n
    return first > last


def dead_windows(in_hw, geom):
    """``(OH, OW)`` mask of the windows with no real cell, or None if there is none.

    Such windows exist only with dilation (e.g. W=2, k=2, dilation=3, padding=1).
    Their max is the constant padding value, so they get no gradient.

    Parameters
    ----------
    in_hw : (int, int)
        Plane size ``(H, W)``.
    geom : poolkit.params.Geometry
        A 2-D geometry (see :func:`poolkit.params.geometry_2d`).

    Examples
    --------
    >>> from poolkit.params import Geometry
    >>> dead_windows((2, 2), Geometry((1, 2), (1, 1), (0, 1), (1, 3), (2, 2))).tolist()
    [[True, False], [True, False]]
    >>> dead_windows((4, 4), Geometry((2, 2), (2, 2), (0, 0), (1, 1), (2, 2))) is None
    True
    """
    axes = [(n, geom.kernel[a], geom.stride[a], geom.padding[a], geom.dilation[a], geom.out[a])
            for a, n in enumerate(in_hw)]
    if not any(_dead_possible(*axis) for axis in axes):
        return None                  # the usual case: no loop, no mask
    dh, dw = (_dead_axis(*axis) for axis in axes)
    if not (dh.any() or dw.any()):
        return None
    return dh[:, None] | dw[None, :]


# ---------------------------------------------------------------------------
# average pooling's divisors
# ---------------------------------------------------------------------------

def window_bounds(start, k, p, n):
    """PyTorch's bounds of average-pooling windows along one axis (ints or integer arrays).

    Returns ``(lo, hi, pool)``: the real cells ``[lo, hi)`` and the window's size clipped to
    the padded input (what ``count_include_pad=True`` divides by; a ceil-mode window that
    overhangs the right padding counts only up to it).

    Examples
    --------
    >>> [int(v) for v in window_bounds(-1, 3, 1, 4)]     # cells -1, 0, 1: two real
    [0, 2, 3]
    >>> [int(v) for v in window_bounds(3, 3, 1, 4)]      # cells 3, 4 (padding), 5 (beyond it)
    [3, 4, 2]
    >>> [v.tolist() for v in window_bounds(np.array([-1, 1, 3]), 3, 1, 4)]
    [[0, 1, 3], [2, 4, 4], [3, 3, 2]]
    """
    end = np.minimum(start + k, n + p)
    return np.maximum(start, 0), np.minimum(end, n), end - start


def divisors(in_hw, out_hw, kernel, stride, padding, count_include_pad, divisor_override):
    """Average pooling's divisor per output: an int (all equal), a pair, or an (OH, OW) array.

    ``divisor_override`` wins (an int, or a pair ``(a, b)``: divide by ``a``, then by ``b``, as
    adaptive average pooling does); otherwise the product of the two axes' window sizes from
    :func:`window_bounds`: clipped to the padded input with ``count_include_pad``, the real
    cells without. A table is read-only (cached: a layer asks for the same one every batch).

    Examples
    --------
    >>> divisors((4, 4), (2, 2), (2, 2), (2, 2), (0, 0), True, None)
    4
    >>> divisors((3, 3), (2, 2), (2, 2), (2, 2), (1, 1), False, None).tolist()
    [[1, 2], [2, 4]]
    """
    if isinstance(divisor_override, tuple):
        return divisor_override
    if divisor_override is not None:
        return int(divisor_override)
    (H, W), (kh, kw), (ph, pw) = in_hw, kernel, padding
    if (ph, pw) == (0, 0) and (out_hw[0] - 1) * stride[0] + kh <= H \
            and (out_hw[1] - 1) * stride[1] + kw <= W:
        return kh * kw                   # every window lies inside the input
    return _divisor_table(H, W, tuple(out_hw), tuple(kernel), tuple(stride), tuple(padding),
                          bool(count_include_pad))


@functools.lru_cache(maxsize=64)
def _divisor_table(H, W, out_hw, kernel, stride, padding, count_include_pad):
    sizes = []
    for n, o, k, s, p in zip((H, W), out_hw, kernel, stride, padding):
        lo, hi, pool = window_bounds(np.arange(o, dtype=np.int64) * s - p, k, p, n)
        sizes.append(pool if count_include_pad else hi - lo)
    div = sizes[0][:, None] * sizes[1][None, :]
    if div.size and (div == div.flat[0]).all():
        return int(div.flat[0])
    div.flags.writeable = False          # shared by every call through the cache
    return div


# ---------------------------------------------------------------------------
# the tie rule
# ---------------------------------------------------------------------------

def first_max(values, lowest=-np.inf):
    """The tie rule for one window: ``(position, value)`` of its maximum, as PyTorch records it.

    Values are visited in order (row-major for a window) and the running maximum, which
    starts at ``lowest`` (the padding value), is replaced only by a strictly larger value or
    by a NaN: ties keep the first maximum, a NaN wins and the last NaN is recorded, and a
    padded cell (never in ``values``) cannot win. If nothing beats ``lowest`` (every value
    is the lowest one), position 0 is the first maximum. An empty list gives ``(0, lowest)``.

    Examples
    --------
    >>> first_max([1., 3., 3., 2.])
    (1, 3.0)
    >>> first_max([1., float("nan"), 5., float("nan")])
    (3, nan)
    >>> first_max([-np.inf, -np.inf])
    (0, -inf)
    """
    best, where = lowest, 0
    for m, v in enumerate(values):
        if v > best or v != v:           # v != v only for NaN
            best, where = v, m
    return where, best


def first_max_rows(block):
    """The tie rule, vectorised: per row of a 2-D ``block``, the position :func:`first_max` gives.

    ``np.argmax`` finds the first maximum, but stops at the first NaN; a row whose
    maximum is NaN therefore records its last NaN instead.

    Examples
    --------
    >>> first_max_rows(np.array([[1., 3., 3.], [np.nan, 2., np.nan], [-np.inf, -np.inf, -np.inf]]))
    array([1, 2, 0])
    """
    pos = np.argmax(block, axis=1)       # first maximum (or first NaN)
    if block.dtype.kind == "f" and block.size:
        if block.flags.c_contiguous:     # one flat gather, cheaper than a 2-D fancy index
            top = block.reshape(-1)[np.arange(0, block.size, block.shape[1]) + pos]
        else:
            top = block[np.arange(block.shape[0]), pos]
        nan_rows = np.isnan(top)         # argmax stops at a NaN: it found one iff the row has one
        if nan_rows.any():
            rows = block[nan_rows]
            pos[nan_rows] = rows.shape[1] - 1 - np.argmax(np.isnan(rows[:, ::-1]), axis=1)
    return pos
