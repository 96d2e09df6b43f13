"""Shape arithmetic: output sizes, the padding limit, adaptive bins, unpooling sizes.

These are the formulas of the chapter on input/output analysis, as small
functions that validate their arguments like the pooling functions do.
(The receptive field of a stack of layers is in :mod:`poolkit.receptive`.)
"""

from . import geometry as _geo
from . import params as _p

__all__ = ["output_size", "max_padding", "adaptive_bins", "unpool_size"]


def _sizes(size):
    """``size`` (an int or a non-empty tuple/list of ints, each >= 1) as a tuple of ints."""
    if isinstance(size, (tuple, list)):
        sizes = tuple(_p.check_int(v, "size") for v in size)
        if len(sizes) == 0:
            raise ValueError(f"size={size!r} must be an int or a non-empty tuple of ints")
    else:
        sizes = (_p.check_int(size, "size"),)
    if min(sizes) < 1:
        raise ValueError(f"size={size!r} must be at least 1 on every axis")
    return sizes


def output_size(size, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output size of a pooling layer (PyTorch's rule).

    ``out = floor((size + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``.
    In ceil mode ``ceil`` replaces ``floor``, and the last window is dropped
    if it would start in the right padding (``(out-1)*stride >= size + padding``).

    Parameters
    ----------
    size : int or tuple of int
        Input size along each spatial axis (``L``, or ``(H, W)``).
    kernel_size, stride, padding, dilation : int or tuple of int
        As in :func:`poolkit.max_pool2d`; ``stride=None`` means ``kernel_size``.
    ceil_mode : bool
        Round up instead of down.

    Returns
    -------
    int or tuple of int
        Same form as ``size``.

    Raises
    ------
    ValueError
        If the padding exceeds ``kernel_size // 2`` or the output would be empty.

    Examples
    --------
    >>> output_size(5, 2, stride=2, padding=1, ceil_mode=True)
    3
    >>> output_size((32, 7), 3, stride=2)
    (15, 3)
    """
    sizes = _sizes(size)
    geom = _p.pool_geometry(sizes, kernel_size, stride, padding, dilation, ceil_mode)
    return geom.out if isinstance(size, (tuple, list)) else geom.out[0]


def max_padding(kernel_size, dilation=1):
    """Largest padding PyTorch's pooling accepts: ``kernel_size // 2`` (per axis).

    PyTorch 2.13 applies the limit to the *undilated* kernel size for max
    pooling (``padding <= kernel_size // 2``), so ``dilation`` does not raise
    it; the argument is accepted, and validated, for symmetry with the
    pooling functions.

    Parameters
    ----------
    kernel_size : int or tuple of int
    dilation : int or tuple of int

    Returns
    -------
    int or tuple of int
        Same form as ``kernel_size``.

    Examples
    --------
    >>> max_padding(3), max_padding(4), max_padding((3, 2), dilation=2)
    (1, 2, (1, 1))
    """
    n = len(kernel_size) if isinstance(kernel_size, (tuple, list)) else 1
    if n == 0:
        raise ValueError(f"kernel_size={kernel_size!r} must be an int or a non-empty tuple of "
                         f"ints (one per spatial axis)")
    k, _, _, _ = _p.check_kernel_args(kernel_size, None, 0, dilation, n)
    limit = tuple(ki // 2 for ki in k)
    return limit if isinstance(kernel_size, (tuple, list)) else limit[0]


def adaptive_bins(in_size, out_size):
    """Bins of adaptive pooling along one axis (PyTorch's rule).

    Bin ``i`` covers ``[floor(i*in_size/out_size), ceil((i+1)*in_size/out_size))``.
    Bins cover the whole axis, may differ in size by one cell, and overlap
    when ``in_size`` is not a multiple of ``out_size``.

    Parameters
    ----------
    in_size, out_size : int
        Input length and number of bins, both at least 1.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` of each bin, end exclusive.

    Examples
    --------
    >>> adaptive_bins(5, 3)
    [(0, 2), (1, 4), (3, 5)]
    >>> adaptive_bins(6, 3)
    [(0, 2), (2, 4), (4, 6)]
    """
    n = _p.check_int(in_size, "in_size")
    m = _p.check_int(out_size, "out_size")
    if n < 1:
        raise ValueError(f"in_size={in_size!r} must be at least 1")
    if m < 1:
        raise ValueError(f"out_size={out_size!r} must be at least 1 (the number of bins)")
    _p.check_output_cells((m,), f"out_size={out_size!r}")
    return _geo.adaptive_bins(n, m)


def unpool_size(size, kernel_size, *, stride=None, padding=0):
    """Default output size of max unpooling: ``(size - 1)*stride - 2*padding + kernel_size``.

    This is the smallest input size that max pooling with the same arguments
    (floor mode) maps to ``size``; inputs up to ``stride - 1`` cells larger
    map to the same size, which is why :func:`poolkit.max_unpool2d` accepts an
    explicit ``output_size``.

    Parameters
    ----------
    size : int or tuple of int
        Pooled size along each spatial axis.
    kernel_size, stride, padding : int or tuple of int
        The pooling layer's arguments; ``stride=None`` means ``kernel_size``.

    Returns
    -------
    int or tuple of int
        Same form as ``size``.

    Examples
    --------
    >>> unpool_size(2, 2)
    4
    >>> unpool_size((3, 3), 3, stride=2, padding=1)
    (5, 5)
    """
    sizes = _sizes(size)
    k, s, p, _ = _p.check_kernel_args(kernel_size, stride, padding, 1, len(sizes), pad_limit=False)
    out = tuple(_geo.unpool_length(n, ki, si, pi) for n, ki, si, pi in zip(sizes, k, s, p))
    if min(out) < 1:
        raise ValueError(f"padding={padding!r} is too large: the unpooled size "
                         f"(size-1)*stride - 2*padding + kernel_size would be {out}, below 1")
    return out if isinstance(size, (tuple, list)) else out[0]
