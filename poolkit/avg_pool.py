"""Average pooling (1-D and 2-D) and Lp pooling, with their backward passes.

As in :mod:`poolkit.max_pool`, each public function validates, reshapes to
planes ``(P, H, W)`` and calls :mod:`poolkit.kernels`; its ``_naive`` twin
loops over the definition. Integer inputs are converted to float64; float32
stays float32.

Average pooling pads with zeros. The divisor of each window is PyTorch's:

* ``divisor_override`` if given;
* otherwise, with ``count_include_pad=True``, the window's size clipped to
  the padded input (a ceil-mode window hanging over the bottom/right edge
  counts only the cells up to the padding);
* with ``count_include_pad=False``, the number of real (unpadded) cells.
"""

import numpy as np

from . import kernels as _k
from . import params as _p

__all__ = [
    "avg_pool1d", "avg_pool1d_naive", "avg_pool2d", "avg_pool2d_naive",
    "avg_pool1d_backward", "avg_pool1d_backward_naive",
    "avg_pool2d_backward", "avg_pool2d_backward_naive",
    "lp_pool2d", "lp_pool2d_naive", "lp_pool2d_backward", "lp_pool2d_backward_naive",
]


# ---------------------------------------------------------------------------
# shared set-up
# ---------------------------------------------------------------------------

def _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd):
    x = _p.as_float(_p.as_input(x, ndims=(nd + 1, nd + 2), layout=_p.LAYOUTS[nd]))
    geom = _p.pool_geometry(x.shape[-nd:], kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = _p.check_bool(count_include_pad, "count_include_pad")
    divisor_override = _p.check_divisor_override(divisor_override)
    return x, geom, count_include_pad, divisor_override


def _divisor(start, k, p, n):
    """PyTorch's bounds of one window along one axis.

    Returns ``(lo, hi, pool)``: the real cells ``[lo, hi)`` and the window's
    size clipped to the padded input (what ``count_include_pad=True`` divides by).
    """
    end = min(start + k, n + p)
    pool = end - start
    return max(start, 0), min(end, n), pool


# ---------------------------------------------------------------------------
# average pooling, fast
# ---------------------------------------------------------------------------

def _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd):
    x, geom, cip, div = _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override, nd)
    g2 = _p.geometry_2d(geom)
    out = _k.avg_pool2d(_p.to_planes(x, nd), g2.kernel, g2.stride, g2.padding, g2.out, cip, div)
    return out.reshape(x.shape[:-nd] + geom.out)


def avg_pool2d(x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling.

    ``out[n, c, i, j] = (sum of the window's cells) / divisor``, with zero padding.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Integer inputs are converted to float64.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int)
        Zeros added on each side; at most ``kernel_size // 2``.
    ceil_mode : bool
        Round the output size up (see :func:`poolkit.output_size`).
    count_include_pad : bool
        Count padded zeros in the divisor (default, as PyTorch) or only real cells.
    divisor_override : int, optional
        Divide every window by this positive number instead.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW)

    Examples
    --------
    >>> x = np.array([[[1, 2], [3, 4]]])
    >>> avg_pool2d(x, 2).tolist()
    [[[2.5]]]
    >>> avg_pool2d(x, 2, stride=1, padding=1).tolist()[0][0]
    [0.25, 0.75, 0.5]
    """
    return _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 2)


def avg_pool1d(x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """1-D average pooling over the last axis.

    Parameters
    ----------
    x : array_like, shape (N, C, L) or (C, L)
    kernel_size, stride, padding : int or (int,)
    ceil_mode, count_include_pad : bool
    divisor_override : int, optional
        As in :func:`avg_pool2d` (PyTorch's ``avg_pool1d`` has no such
        argument; poolkit keeps it for symmetry).

    Returns
    -------
    out : ndarray, shape (N, C, OL) or (C, OL)

    Examples
    --------
    >>> avg_pool1d([[1., 2., 3., 4.]], 2).tolist()
    [[1.5, 3.5]]
    >>> avg_pool1d([[1., 2., 3.]], 2, padding=1, count_include_pad=False).tolist()
    [[1.0, 2.5]]
    """
    return _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, 1)


def _avg_pool_backward(grad_out, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, nd):
    x, geom, cip, div = _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override, nd)
    grad = _p.as_grad(grad_out, x.shape[:-nd] + geom.out)
    g2 = _p.geometry_2d(geom)
    in_hw = _p.to_planes(x, nd).shape[1:]
    grad_x = _k.avg_pool2d_backward(grad.reshape((-1,) + g2.out), in_hw, g2.kernel, g2.stride,
                                    g2.padding, cip, div)
    return grad_x.reshape(x.shape)


def avg_pool2d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool2d` with respect to ``x``.

    ``grad_x[h, w] = sum over windows containing (h, w) of grad_out[i, j] / divisor[i, j]``.
    Average pooling is linear, so this is exact. Without padding the sum of
    ``grad_x`` equals the sum of ``grad_out`` (each window's divisor is its
    size); with ``count_include_pad=True`` and padding, the share of padded
    cells is dropped, so ``grad_x`` sums to less.

    Parameters
    ----------
    grad_out : array_like, shape of the forward output
    x : array_like
        The forward input (its shape sets the gradient's shape).
    kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
        The forward's arguments.

    Returns
    -------
    grad_x : ndarray, shape of ``x``

    Examples
    --------
    >>> avg_pool2d_backward([[[8.]]], np.zeros((1, 2, 2)), 2).tolist()
    [[[2.0, 2.0], [2.0, 2.0]]]
    """
    return _avg_pool_backward(grad_out, x, kernel_size, stride, padding, ceil_mode,
                              count_include_pad, divisor_override, 2)


def avg_pool1d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Gradient of :func:`avg_pool1d` with respect to ``x``.

    Examples
    --------
    >>> avg_pool1d_backward([[2., 4.]], np.zeros((1, 3)), 2, stride=1).tolist()
    [[1.0, 3.0, 2.0]]
    """
    return _avg_pool_backward(grad_out, x, kernel_size, stride, padding, ceil_mode,
                              count_include_pad, divisor_override, 1)


# ---------------------------------------------------------------------------
# average pooling, naive
# ---------------------------------------------------------------------------

def avg_pool2d_naive(x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`avg_pool2d` (same arguments, same results).

    Examples
    --------
    >>> avg_pool2d_naive([[[1., 2.], [3., 4.]]], 2).tolist()
    [[[2.5]]]
    """
    x, geom, cip, div = _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override, 2)
    x4 = x if x.ndim == 4 else x[None]
    N, C, H, W = x4.shape
    (kh, kw), (sh, sw), (ph, pw) = geom.kernel, geom.stride, geom.padding
    OH, OW = geom.out
    acc = _p.accumulator_dtype(x.dtype).type       # float16 sums in float32
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                r0, r1, pool_h = _divisor(i * sh - ph, kh, ph, H)
                for j in range(OW):
                    c0, c1, pool_w = _divisor(j * sw - pw, kw, pw, W)
                    total = acc(0)
                    for r in range(r0, r1):             # padded cells are zeros: skip them
                        for col in range(c0, c1):
                            total += x4[n, c, r, col]
                    if div is not None:
                        divisor = div
                    elif cip:
                        divisor = pool_h * pool_w
                    else:
                        divisor = (r1 - r0) * (c1 - c0)
                    out[n, c, i, j] = total / acc(divisor)
    return _p.unbatch(out, x.ndim == 4)


def avg_pool1d_naive(x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`avg_pool1d`.

    Examples
    --------
    >>> avg_pool1d_naive([[1., 2., 3., 4.]], 2).tolist()
    [[1.5, 3.5]]
    """
    x, geom, cip, div = _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override, 1)
    x3 = x if x.ndim == 3 else x[None]
    N, C, L = x3.shape
    (k,), (s,), (p,) = geom.kernel, geom.stride, geom.padding
    (OL,) = geom.out
    acc = _p.accumulator_dtype(x.dtype).type       # float16 sums in float32
    out = np.empty((N, C, OL), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OL):
                lo, hi, pool = _divisor(i * s - p, k, p, L)
                total = acc(0)
                for pos in range(lo, hi):
                    total += x3[n, c, pos]
                divisor = div if div is not None else (pool if cip else hi - lo)
                out[n, c, i] = total / acc(divisor)
    return _p.unbatch(out, x.ndim == 3)


def avg_pool2d_backward_naive(grad_out, x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`avg_pool2d_backward`.

    Examples
    --------
    >>> avg_pool2d_backward_naive([[[8.]]], np.zeros((1, 2, 2)), 2).tolist()
    [[[2.0, 2.0], [2.0, 2.0]]]
    """
    x, geom, cip, div = _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override, 2)
    grad = _p.as_grad(grad_out, x.shape[:-2] + geom.out)
    g4 = grad if grad.ndim == 4 else grad[None]
    N, C, OH, OW = g4.shape
    H, W = x.shape[-2:]
    (kh, kw), (sh, sw), (ph, pw) = geom.kernel, geom.stride, geom.padding
    grad_x = np.zeros((N, C, H, W), dtype=grad.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                r0, r1, pool_h = _divisor(i * sh - ph, kh, ph, H)
                for j in range(OW):
                    c0, c1, pool_w = _divisor(j * sw - pw, kw, pw, W)
                    if div is not None:
                        divisor = div
                    elif cip:
                        divisor = pool_h * pool_w
                    else:
                        divisor = (r1 - r0) * (c1 - c0)
                    share = g4[n, c, i, j] / grad.dtype.type(divisor)   # d(mean)/d(cell)
                    for r in range(r0, r1):             # padded cells get nothing
                        for col in range(c0, c1):
                            grad_x[n, c, r, col] += share
    return _p.unbatch(grad_x, x.ndim == 4)


def avg_pool1d_backward_naive(grad_out, x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                              count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`avg_pool1d_backward`.

    Examples
    --------
    >>> avg_pool1d_backward_naive([[2., 4.]], np.zeros((1, 3)), 2, stride=1).tolist()
    [[1.0, 3.0, 2.0]]
    """
    x, geom, cip, div = _setup(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                               divisor_override, 1)
    grad = _p.as_grad(grad_out, x.shape[:-1] + geom.out)
    g3 = grad if grad.ndim == 3 else grad[None]
    N, C, OL = g3.shape
    L = x.shape[-1]
    (k,), (s,), (p,) = geom.kernel, geom.stride, geom.padding
    grad_x = np.zeros((N, C, L), dtype=grad.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OL):
                lo, hi, pool = _divisor(i * s - p, k, p, L)
                divisor = div if div is not None else (pool if cip else hi - lo)
                for pos in range(lo, hi):
                    grad_x[n, c, pos] += g3[n, c, i] / grad.dtype.type(divisor)
    return _p.unbatch(grad_x, x.ndim == 3)


# ---------------------------------------------------------------------------
# Lp pooling
# ---------------------------------------------------------------------------

def _lp_setup(x, norm_type, kernel_size, stride, ceil_mode):
    p = _p.check_norm_type(norm_type)
    x = _p.as_float(_p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2]))
    geom = _p.pool_geometry(x.shape[-2:], kernel_size, stride, 0, 1, ceil_mode)
    return x, p, geom


def _lp_forward_planes(planes, p, g):
    """Lp pooling of planes, in :func:`poolkit.params.accumulator_dtype` (at least float32:
    ``|x|^p`` of float16 overflows at 65504 and its window sums lose precision)."""
    if np.isinf(p):                      # a max: exact in any dtype
        out, _ = _k.max_pool2d(np.abs(planes), g.kernel, g.stride, g.padding, g.dilation, g.out, False)
        return out
    acc = _p.accumulator_dtype(planes.dtype)
    with np.errstate(over="ignore"):
        powers = np.abs(planes.astype(acc, copy=False)) ** p
        sums = _k.avg_pool2d(powers, g.kernel, g.stride, g.padding, g.out, True, 1)
        return sums ** (1.0 / p)


def lp_pool2d(x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """2-D power-average (Lp) pooling: ``out = (sum over the window of |x|^p)^(1/p)``.

    ``p = 1`` is sum pooling (of ``|x|``), ``p = 2`` the Euclidean norm of
    the window, and ``p -> inf`` tends to max pooling of ``|x|``;
    ``norm_type=float('inf')`` computes that limit. There is no padding
    argument (as in PyTorch). Window sums come from the average-pooling
    kernel with ``divisor_override=1``; powers and sums are computed in at
    least float32 (float16 too) and the result has the input's dtype.

    How PyTorch differs: ``torch.nn.functional.lp_pool2d`` computes
    ``sum(x^p)^(1/p)`` without the absolute value, so negative inputs give
    signed sums (p = 1) or NaN (e.g. p = 3 with a negative sum, or any
    non-integer p); and in ceil mode it scales a window clipped at the edge
    by ``kernel area / clipped area``. For non-negative inputs and windows
    inside the input the two agree. For large ``p`` (roughly > 50),
    ``|x|^p`` may overflow: use ``p = inf``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
    norm_type : float
        ``p > 0``, or ``float('inf')``.
    kernel_size, stride : int or (int, int)
        ``stride`` defaults to ``kernel_size``.
    ceil_mode : bool
        Keep partial windows at the bottom/right edge.

    Returns
    -------
    out : ndarray, shape (N, C, OH, OW) or (C, OH, OW)

    Examples
    --------
    >>> x = np.array([[[3., -4.], [0., 0.]]])
    >>> lp_pool2d(x, 2, 2).tolist(), lp_pool2d(x, 1, 2).tolist()
    ([[[5.0]]], [[[7.0]]])
    """
    x, p, geom = _lp_setup(x, norm_type, kernel_size, stride, ceil_mode)
    out = _lp_forward_planes(_p.to_planes(x), p, geom).astype(x.dtype, copy=False)
    return out.reshape(x.shape[:-2] + geom.out)


def lp_pool2d_backward(grad_out, x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """Gradient of :func:`lp_pool2d` with respect to ``x``.

    For a cell ``x`` of a window with output ``out``:
    ``d out / d x = sign(x) * |x|^(p-1) * out^(1-p) = sign(x) * (|x| / out)^(p-1)``,
    summed over the windows that contain the cell. Where this is undefined a
    finite subgradient is used: 0 for the cells of a window whose output is 0
    (all its cells are 0; 0 is a valid subgradient of the norm there) and 0
    for a cell equal to 0 (for p < 1 the one-sided derivatives are +-inf).
    For ``p = inf`` the gradient goes, with the sign of ``x``, to the first
    cell of largest ``|x|`` (as in max pooling).

    Parameters
    ----------
    grad_out : array_like, shape of the forward output
    x, norm_type, kernel_size, stride, ceil_mode
        The forward's arguments.

    Returns
    -------
    grad_x : ndarray, shape of ``x``

    Examples
    --------
    >>> x = np.array([[[3., -4.], [0., 0.]]])
    >>> lp_pool2d_backward([[[10.]]], x, 2, 2).tolist()
    [[[6.0, -8.0], [0.0, 0.0]]]
    """
    x, p, geom = _lp_setup(x, norm_type, kernel_size, stride, ceil_mode)
    grad = _p.as_grad(grad_out, x.shape[:-2] + geom.out)
    planes = _p.to_planes(x)
    g = grad.reshape((-1,) + geom.out)
    in_hw = planes.shape[1:]
    sign = np.sign(planes)
    if np.isinf(p):
        _, idx = _k.max_pool2d(np.abs(planes), geom.kernel, geom.stride, geom.padding,
                               geom.dilation, geom.out, True)
        grad_x = _k.max_pool2d_backward(g, idx, in_hw) * sign
        return grad_x.astype(grad.dtype, copy=False).reshape(x.shape)
    acc = np.promote_types(_p.accumulator_dtype(planes.dtype),       # as the forward: at
                           _p.accumulator_dtype(g.dtype))            # least float32
    out = _lp_forward_planes(planes, p, geom).astype(acc, copy=False)
    ga, ax = g.astype(acc, copy=False), np.abs(planes.astype(acc, copy=False))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        per_window = np.where(out > 0, ga * out ** (1.0 - p), acc.type(0))  # grad * out^(1-p)
        summed = _k.avg_pool2d_backward(per_window.astype(acc, copy=False), in_hw, geom.kernel,
                                        geom.stride, geom.padding, True, 1)
        per_cell = np.where(ax > 0, sign * ax ** (p - 1.0), acc.type(0))  # sign(x) |x|^(p-1)
    grad_x = summed * per_cell
    return grad_x.astype(grad.dtype, copy=False).reshape(x.shape)


def lp_pool2d_naive(x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """Plain-loop reference for :func:`lp_pool2d`.

    Examples
    --------
    >>> lp_pool2d_naive([[[3., -4.], [0., 0.]]], 2, 2).tolist()
    [[[5.0]]]
    """
    x, p, geom = _lp_setup(x, norm_type, kernel_size, stride, ceil_mode)
    x4 = x if x.ndim == 4 else x[None]
    N, C, H, W = x4.shape
    (kh, kw), (sh, sw) = geom.kernel, geom.stride
    OH, OW = geom.out
    out = np.empty((N, C, OH, OW), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    cells = [abs(float(x4[n, c, r, col]))                 # in float64
                             for r in range(i * sh, min(i * sh + kh, H))      # ceil mode may clip
                             for col in range(j * sw, min(j * sw + kw, W))]
                    if np.isinf(p):
                        out[n, c, i, j] = _first_max(cells)[1]
                    else:
                        out[n, c, i, j] = sum(v ** p for v in cells) ** (1.0 / p)
    return _p.unbatch(out, x.ndim == 4)


def _first_max(values):
    """Position and value of the first maximum of a list (a NaN wins, the last one)."""
    best, where = -np.inf, 0
    for m, v in enumerate(values):
        if v > best or v != v:
            best, where = v, m
    return where, best


def lp_pool2d_backward_naive(grad_out, x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """Plain-loop reference for :func:`lp_pool2d_backward`.

    Examples
    --------
    >>> lp_pool2d_backward_naive([[[10.]]], [[[3., -4.], [0., 0.]]], 2, 2).tolist()
    [[[6.0, -8.0], [0.0, 0.0]]]
    """
    x, p, geom = _lp_setup(x, norm_type, kernel_size, stride, ceil_mode)
    grad = _p.as_grad(grad_out, x.shape[:-2] + geom.out)
    out = lp_pool2d_naive(x, norm_type, kernel_size, stride=stride, ceil_mode=ceil_mode)
    x4, g4, o4 = (a if a.ndim == 4 else a[None] for a in (x, grad, out))
    N, C, H, W = x4.shape
    (kh, kw), (sh, sw) = geom.kernel, geom.stride
    OH, OW = geom.out
    grad_x = np.zeros((N, C, H, W), dtype=grad.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(OH):
                for j in range(OW):
                    cells = [(r, col) for r in range(i * sh, min(i * sh + kh, H))
                             for col in range(j * sw, min(j * sw + kw, W))]
                    g, o = g4[n, c, i, j], o4[n, c, i, j]
                    if np.isinf(p):         # like max pooling of |x|, with the sign of x
                        m, _ = _first_max([abs(x4[n, c, r, col]) for r, col in cells])
                        r, col = cells[m]
                        grad_x[n, c, r, col] += g * np.sign(x4[n, c, r, col])
                        continue
                    if o == 0:              # all cells 0: choose the subgradient 0
                        continue
                    g, o = float(g), float(o)   # in float64
                    for r, col in cells:
                        v = float(x4[n, c, r, col])
                        if v != 0:          # d out/dv = sign(v) (|v|/out)^(p-1)
                            grad_x[n, c, r, col] += g * np.sign(v) * (abs(v) / o) ** (p - 1.0)
    return _p.unbatch(grad_x, x.ndim == 4)
