"""Naive references: every pooling operation as a loop over its windows, reading like the maths.

Each function here has the name, the arguments and the results of the public function of
the same name (``reference.max_pool2d`` and :func:`poolkit.max_pool2d`), and starts with
the same validation (:mod:`poolkit.arguments`), so the two accept and reject exactly the
same calls. ``pk.max_pool2d_naive`` and the other ``*_naive`` names are these functions.

Every reference has the same three steps (tinygrad's ``pad -> windows -> reduce``):

1. fold the leading axes into planes ``(P, H, W)`` (a 1-D signal is a plane of height 1);
2. list the real cells of each window along each axis (:mod:`poolkit.geometry`:
   :func:`~poolkit.geometry.axis_windows` for a kernel and a stride,
   :func:`~poolkit.geometry.adaptive_windows` for adaptive bins, one bin for global pooling);
3. ``for p, i, j, cells in windows(planes, rows, cols)``: reduce the cells with the
   operation's rule (:func:`poolkit.geometry.first_max` for max, a sum and a divisor for the
   average, a norm for Lp) and write output ``(p, i, j)``.

Padding is never read: a padded cell is not in ``cells``, so it never wins a max and adds
nothing to a sum, which is what padding with ``-inf`` or zeros means.
"""

import numpy as np

from . import arguments as _args
from . import geometry as _geo
from . import params as _p

__all__ = [
    "windows",
    "max_pool1d", "max_pool2d", "max_pool1d_backward", "max_pool2d_backward",
    "avg_pool1d", "avg_pool2d", "avg_pool1d_backward", "avg_pool2d_backward",
    "lp_pool2d", "lp_pool2d_backward",
    "adaptive_max_pool2d", "adaptive_avg_pool2d",
    "adaptive_max_pool2d_backward", "adaptive_avg_pool2d_backward",
    "global_max_pool2d", "global_avg_pool2d", "global_max_pool2d_backward",
    "global_avg_pool2d_backward",
    "max_unpool2d", "max_unpool2d_backward",
    "spatial_pyramid_pool2d", "spatial_pyramid_pool2d_backward",
]


def windows(planes, rows, cols):
    """Every window of every plane: yield ``(p, i, j, cells)``.

    ``rows[i]`` and ``cols[j]`` list the real input rows and columns of output ``(i, j)``;
    ``cells`` are the window's flat positions ``r*W + c`` in row-major order.

    Examples
    --------
    >>> [w for w in windows(np.zeros((1, 2, 3)), [[0, 1]], [[0, 1], [2]])]
    [(0, 0, 0, [0, 1, 3, 4]), (0, 0, 1, [2, 5])]
    """
    P, H, W = planes.shape
    for p in range(P):
        for i, rr in enumerate(rows):
            for j, cc in enumerate(cols):
                yield p, i, j, [r * W + c for r in rr for c in cc]


def _strided(in_hw, g):
    """``rows, cols`` of a kernel-and-stride geometry (2-D)."""
    return [_geo.axis_windows(n, g.kernel[a], g.stride[a], g.padding[a], g.dilation[a], g.out[a])
            for a, n in enumerate(in_hw)]


# ---------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------

def _max(x, nd, geom):
    """Values and indices of max pooling over ``nd`` axes, shaped like the output."""
    planes, g = _p.to_planes(x, nd), _p.geometry_2d(geom)
    P, H, W = planes.shape
    flat, low = planes.reshape(P, -1), _geo.lowest(x.dtype)
    out = np.empty((P,) + g.out, dtype=x.dtype)
    idx = np.empty((P,) + g.out, dtype=np.int64)
    for p, i, j, cells in windows(planes, *_strided((H, W), g)):
        m, out[p, i, j] = _geo.first_max([flat[p, c] for c in cells], low)
        if cells:
            idx[p, i, j] = cells[m]
        else:                        # padding only: PyTorch records the stepped start cell
            idx[p, i, j] = (_geo.first_real(i * g.stride[0] - g.padding[0], g.dilation[0]) * W
                            + _geo.first_real(j * g.stride[1] - g.padding[1], g.dilation[1]))
    shape = x.shape[:-nd] + geom.out
    return out.reshape(shape), idx.reshape(shape)


def _max_forward(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    x, geom = _args.max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    return_indices = _p.check_bool(return_indices, "return_indices")
    out, idx = _max(x, nd, geom)
    return (out, idx) if return_indices else out


def max_pool2d(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Plain-loop reference for :func:`poolkit.max_pool2d` (same arguments, same results).

    Examples
    --------
    >>> max_pool2d([[[1., 2.], [4., 3.]]], 2).tolist()
    [[[4.0]]]
    """
    return _max_forward(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool1d(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Plain-loop reference for :func:`poolkit.max_pool1d` (same arguments, same results).

    Examples
    --------
    >>> max_pool1d([[3., 1., 4., 1., 5.]], 2, stride=1).tolist()
    [[3.0, 4.0, 4.0, 5.0]]
    """
    return _max_forward(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def _max_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode, indices, nd):
    x, geom = _args.max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, nd)
    out_shape = x.shape[:-nd] + geom.out
    grad = _p.as_grad(grad_out, out_shape)
    planes, g = _p.to_planes(x, nd), _p.geometry_2d(geom)
    P, H, W = planes.shape
    if indices is None:
        _, indices = _max(x, nd, geom)
    else:
        dead = _geo.dead_windows((H, W), g)
        dead = None if dead is None else np.broadcast_to(dead.reshape(geom.out), out_shape)
        indices = _p.check_indices(indices, out_shape, H * W, dead)
    idx, gr = indices.reshape((P,) + g.out), grad.reshape((P,) + g.out)
    grad_x = np.zeros((P, H * W), dtype=grad.dtype)
    for p, i, j, cells in windows(planes, *_strided((H, W), g)):
        if cells:                    # a window of padding only has a constant output
            grad_x[p, idx[p, i, j]] += gr[p, i, j]     # += : windows may share a maximum
    return grad_x.reshape(x.shape)


def max_pool2d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, dilation=1,
                        ceil_mode=False, indices=None):
    """Plain-loop reference for :func:`poolkit.max_pool2d_backward`.

    Examples
    --------
    >>> max_pool2d_backward([[[7.]]], [[[1., 2.], [4., 3.]]], 2).tolist()
    [[[0.0, 0.0], [7.0, 0.0]]]
    """
    return _max_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode,
                         indices, 2)


def max_pool1d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, dilation=1,
                        ceil_mode=False, indices=None):
    """Plain-loop reference for :func:`poolkit.max_pool1d_backward`.

    Examples
    --------
    >>> max_pool1d_backward([[1., 2.]], [[0., 3., 1.]], 2, stride=1).tolist()   # 3 wins both windows
    [[0.0, 3.0, 0.0]]
    """
    return _max_backward(grad_out, x, kernel_size, stride, padding, dilation, ceil_mode,
                         indices, 1)


# ---------------------------------------------------------------------------
# average pooling
# ---------------------------------------------------------------------------

def _avg_windows(x, nd, geom, cip, div):
    """Planes, ``rows, cols`` and the ``(OH, OW)`` divisors of average pooling."""
    planes, g = _p.to_planes(x, nd), _p.geometry_2d(geom)
    in_hw = planes.shape[1:]
    divs = _geo.divisors(in_hw, g.out, g.kernel, g.stride, g.padding, cip, div)
    return planes, _strided(in_hw, g), np.broadcast_to(divs, g.out), g


def _avg_forward(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override, nd):
    x, geom, cip, div = _args.avg_pool_args(x, kernel_size, stride, padding, ceil_mode,
                                            count_include_pad, divisor_override, nd)
    planes, (rows, cols), divs, g = _avg_windows(x, nd, geom, cip, div)
    flat = planes.reshape(planes.shape[0], -1)
    acc = _p.accumulator_dtype(x.dtype).type       # float16 sums in float32
    out = np.empty((planes.shape[0],) + g.out, dtype=x.dtype)
    for p, i, j, cells in windows(planes, rows, cols):
        total = acc(0)
        for c in cells:              # padded cells are zeros: they add nothing
            total += flat[p, c]
        out[p, i, j] = total / acc(divs[i, j])
    return out.reshape(x.shape[:-nd] + geom.out)


def avg_pool2d(x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`poolkit.avg_pool2d` (same arguments, same results).

    Examples
    --------
    >>> avg_pool2d([[[1., 2.], [3., 4.]]], 2).tolist()
    [[[2.5]]]
    """
    return _avg_forward(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, 2)


def avg_pool1d(x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`poolkit.avg_pool1d`.

    Examples
    --------
    >>> avg_pool1d([[1., 2., 3., 4.]], 2).tolist()
    [[1.5, 3.5]]
    """
    return _avg_forward(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, 1)


def _avg_backward(grad_out, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override, nd):
    x, geom, cip, div = _args.avg_pool_args(x, kernel_size, stride, padding, ceil_mode,
                                            count_include_pad, divisor_override, nd)
    grad = _p.as_grad(grad_out, x.shape[:-nd] + geom.out)
    planes, (rows, cols), divs, g = _avg_windows(x, nd, geom, cip, div)
    P = planes.shape[0]
    gr = grad.reshape((P,) + g.out)
    grad_x = np.zeros((P, planes.shape[1] * planes.shape[2]), dtype=grad.dtype)
    for p, i, j, cells in windows(planes, rows, cols):
        share = gr[p, i, j] / grad.dtype.type(divs[i, j])   # d(mean)/d(cell)
        for c in cells:              # padded cells get nothing
            grad_x[p, c] += share
    return grad_x.reshape(x.shape)


def avg_pool2d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`poolkit.avg_pool2d_backward`.

    Examples
    --------
    >>> avg_pool2d_backward([[[4.]]], np.zeros((1, 2, 2)), 2).tolist()   # 4 split over 4 cells
    [[[1.0, 1.0], [1.0, 1.0]]]
    """
    return _avg_backward(grad_out, x, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override, 2)


def avg_pool1d_backward(grad_out, x, kernel_size, *, stride=None, padding=0, ceil_mode=False,
                        count_include_pad=True, divisor_override=None):
    """Plain-loop reference for :func:`poolkit.avg_pool1d_backward`.

    Examples
    --------
    >>> avg_pool1d_backward([[6.]], np.zeros((1, 3)), 3).tolist()   # 6 split over 3 cells
    [[2.0, 2.0, 2.0]]
    """
    return _avg_backward(grad_out, x, kernel_size, stride, padding, ceil_mode,
                         count_include_pad, divisor_override, 1)


# ---------------------------------------------------------------------------
# Lp pooling
# ---------------------------------------------------------------------------

def lp_pool2d(x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """Plain-loop reference for :func:`poolkit.lp_pool2d`, in float64.

    Examples
    --------
    >>> lp_pool2d([[[3., -4.], [0., 0.]]], 2, 2).tolist()
    [[[5.0]]]
    """
    x, p_norm, geom = _args.lp_pool_args(x, norm_type, kernel_size, stride, ceil_mode)
    planes = _p.to_planes(x)
    flat = planes.reshape(planes.shape[0], -1)
    out = np.empty((planes.shape[0],) + geom.out, dtype=x.dtype)
    for p, i, j, cells in windows(planes, *_strided(planes.shape[1:], geom)):
        values = [abs(float(flat[p, c])) for c in cells]          # ceil mode may clip
        if np.isinf(p_norm):
            out[p, i, j] = _geo.first_max(values)[1]
        else:
            out[p, i, j] = sum(v ** p_norm for v in values) ** (1.0 / p_norm)
    return out.reshape(x.shape[:-2] + geom.out)


def lp_pool2d_backward(grad_out, x, norm_type, kernel_size, *, stride=None, ceil_mode=False):
    """Plain-loop reference for :func:`poolkit.lp_pool2d_backward`, in float64.

    Examples
    --------
    >>> lp_pool2d_backward([[[10.]]], [[[3., -4.], [0., 0.]]], 2, 2).tolist()
    [[[6.0, -8.0], [0.0, 0.0]]]
    """
    x, p_norm, geom = _args.lp_pool_args(x, norm_type, kernel_size, stride, ceil_mode)
    grad = _p.as_grad(grad_out, x.shape[:-2] + geom.out)
    out = lp_pool2d(x, norm_type, kernel_size, stride=stride, ceil_mode=ceil_mode)
    planes = _p.to_planes(x)
    P = planes.shape[0]
    flat = planes.reshape(P, -1)
    gr, o4 = grad.reshape((P,) + geom.out), out.reshape((P,) + geom.out)
    grad_x = np.zeros(flat.shape, dtype=grad.dtype)
    for p, i, j, cells in windows(planes, *_strided(planes.shape[1:], geom)):
        g, o = gr[p, i, j], o4[p, i, j]
        if np.isinf(p_norm):         # like max pooling of |x|, with the sign of x
            c = cells[_geo.first_max([abs(flat[p, c]) for c in cells])[0]]
            grad_x[p, c] += g * np.sign(flat[p, c])
            continue
        if o == 0:                   # all cells 0: choose the subgradient 0
            continue
        g, o = float(g), float(o)    # in float64
        for c in cells:
            v = float(flat[p, c])
            if v != 0:               # d out/dv = sign(v) (|v|/out)^(p-1)
                grad_x[p, c] += g * np.sign(v) * (abs(v) / o) ** (p_norm - 1.0)
    return grad_x.reshape(x.shape)


# ---------------------------------------------------------------------------
# adaptive and global pooling: windows are bins
# ---------------------------------------------------------------------------

def _bins(planes, out_hw):
    return [_geo.adaptive_windows(n, m) for n, m in zip(planes.shape[1:], out_hw)]


def _adaptive_max(x, out_hw):
    planes = _p.to_planes(x)
    P = planes.shape[0]
    flat, low = planes.reshape(P, -1), _geo.lowest(x.dtype)
    out = np.empty((P,) + out_hw, dtype=x.dtype)
    idx = np.empty((P,) + out_hw, dtype=np.int64)
    for p, i, j, cells in windows(planes, *_bins(planes, out_hw)):
        m, out[p, i, j] = _geo.first_max([flat[p, c] for c in cells], low)
        idx[p, i, j] = cells[m]
    return out.reshape(x.shape[:-2] + out_hw), idx.reshape(x.shape[:-2] + out_hw)


def _adaptive_avg(x, out_hw):
    planes = _p.to_planes(x)
    P, H, W = planes.shape
    flat = planes.reshape(P, -1)
    acc = _p.accumulator_dtype(x.dtype).type       # float16 sums in float32
    rows, cols = _bins(planes, out_hw)
    out = np.empty((P,) + out_hw, dtype=x.dtype)
    for p, i, j, cells in windows(planes, rows, cols):
        total = acc(0)
        for c in cells:
            total += flat[p, c]
        if out_hw == (1, 1):         # PyTorch's mean: one division
            out[p, i, j] = total / acc(H * W)
        else:                        # PyTorch: by the height, then the width
            out[p, i, j] = total / acc(len(rows[i])) / acc(len(cols[j]))
    return out.reshape(x.shape[:-2] + out_hw)


def _adaptive_max_backward(grad, x, out_hw, indices):
    planes = _p.to_planes(x)
    P, H, W = planes.shape
    if indices is None:
        _, indices = _adaptive_max(x, out_hw)
    else:
        indices = _p.check_indices(indices, x.shape[:-2] + out_hw, H * W)
    idx, gr = indices.reshape((P,) + out_hw), grad.reshape((P,) + out_hw)
    grad_x = np.zeros((P, H * W), dtype=grad.dtype)
    for p, i, j, _ in windows(planes, *_bins(planes, out_hw)):
        grad_x[p, idx[p, i, j]] += gr[p, i, j]
    return grad_x.reshape(x.shape)


def _adaptive_avg_backward(grad, x, out_hw):
    planes = _p.to_planes(x)
    P, H, W = planes.shape
    t = grad.dtype.type
    rows, cols = _bins(planes, out_hw)
    gr = grad.reshape((P,) + out_hw)
    grad_x = np.zeros((P, H * W), dtype=grad.dtype)
    for p, i, j, cells in windows(planes, rows, cols):
        if out_hw == (1, 1):         # the mean's gradient: one division
            share = gr[p, i, j] / t(H * W)
        else:                        # by the height, then the width
            share = gr[p, i, j] / t(len(rows[i])) / t(len(cols[j]))
        for c in cells:
            grad_x[p, c] += share
    return grad_x.reshape(x.shape)


def adaptive_max_pool2d(x, output_size, *, return_indices=False):
    """Plain-loop reference for :func:`poolkit.adaptive_max_pool2d`.

    Examples
    --------
    >>> adaptive_max_pool2d([[[1, 5, 2, 0, 3]]], (1, 3)).tolist()
    [[[5, 5, 3]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "max")
    return_indices = _p.check_bool(return_indices, "return_indices")
    out, idx = _adaptive_max(x, out_hw)
    return (out, idx) if return_indices else out


def adaptive_avg_pool2d(x, output_size):
    """Plain-loop reference for :func:`poolkit.adaptive_avg_pool2d`.

    Examples
    --------
    >>> adaptive_avg_pool2d([[[1, 5, 2, 0, 3]]], (1, 3)).tolist()
    [[[3.0, 2.3333333333333335, 1.5]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "avg")
    return _adaptive_avg(x, out_hw)


def adaptive_max_pool2d_backward(grad_out, x, output_size, *, indices=None):
    """Plain-loop reference for :func:`poolkit.adaptive_max_pool2d_backward`.

    Examples
    --------
    >>> adaptive_max_pool2d_backward([[[1., 2., 3.]]], [[[1, 5, 2, 0, 3]]], (1, 3)).tolist()
    [[[0.0, 3.0, 0.0, 0.0, 3.0]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "max")
    grad = _p.as_grad(grad_out, x.shape[:-2] + out_hw)
    return _adaptive_max_backward(grad, x, out_hw, indices)


def adaptive_avg_pool2d_backward(grad_out, x, output_size):
    """Plain-loop reference for :func:`poolkit.adaptive_avg_pool2d_backward`.

    Examples
    --------
    >>> adaptive_avg_pool2d_backward([[[6.]]], np.zeros((1, 1, 3)), 1).tolist()   # one bin of 3 cells
    [[[2.0, 2.0, 2.0]]]
    """
    x, out_hw = _args.adaptive_args(x, output_size, "avg")
    grad = _p.as_grad(grad_out, x.shape[:-2] + out_hw)
    return _adaptive_avg_backward(grad, x, out_hw)


def global_max_pool2d(x, *, return_indices=False):
    """Plain-loop reference for :func:`poolkit.global_max_pool2d`: one bin per plane.

    Examples
    --------
    >>> global_max_pool2d([[[1, 7], [3, 2]]]).tolist()
    [7]
    """
    x = _args.global_args(x, "max")
    return_indices = _p.check_bool(return_indices, "return_indices")
    out, idx = (a.reshape(x.shape[:-2]) for a in _adaptive_max(x, (1, 1)))
    return (out, idx) if return_indices else out


def global_avg_pool2d(x):
    """Plain-loop reference for :func:`poolkit.global_avg_pool2d`: one bin per plane.

    Examples
    --------
    >>> global_avg_pool2d([[[1, 7], [3, 1]]]).tolist()
    [3.0]
    """
    x = _args.global_args(x, "avg")
    return _adaptive_avg(x, (1, 1)).reshape(x.shape[:-2])


def global_max_pool2d_backward(grad_out, x, *, indices=None):
    """Plain-loop reference for :func:`poolkit.global_max_pool2d_backward`.

    Examples
    --------
    >>> global_max_pool2d_backward([2.], [[[1., 7.], [7., 0.]]]).tolist()
    [[[0.0, 2.0], [0.0, 0.0]]]
    """
    x = _args.global_args(x, "max")
    grad = _p.as_grad(grad_out, x.shape[:-2])
    if indices is not None:
        indices = _p.check_indices(indices, x.shape[:-2], x.shape[-2] * x.shape[-1])
        indices = indices.reshape(x.shape[:-2] + (1, 1))
    return _adaptive_max_backward(grad.reshape(grad.shape + (1, 1)), x, (1, 1), indices)


def global_avg_pool2d_backward(grad_out, x):
    """Plain-loop reference for :func:`poolkit.global_avg_pool2d_backward`.

    Examples
    --------
    >>> global_avg_pool2d_backward([8.], np.zeros((1, 2, 2))).tolist()
    [[[2.0, 2.0], [2.0, 2.0]]]
    """
    x = _args.global_args(x, "avg")
    grad = _p.as_grad(grad_out, x.shape[:-2])
    return _adaptive_avg_backward(grad.reshape(grad.shape + (1, 1)), x, (1, 1))


# ---------------------------------------------------------------------------
# max unpooling: every pooled value back to its recorded cell
# ---------------------------------------------------------------------------

def max_unpool2d(x, indices, kernel_size, *, stride=None, padding=0, output_size=None):
    """Plain-loop reference for :func:`poolkit.max_unpool2d`.

    Examples
    --------
    >>> max_unpool2d([[[4.]]], [[[3]]], 2).tolist()
    [[[0.0, 0.0], [0.0, 4.0]]]
    """
    x, idx, size = _args.unpool_args(x, indices, kernel_size, stride, padding, output_size)
    P = int(np.prod(x.shape[:-2]))
    vals, pos = x.reshape(P, -1), idx.reshape(P, -1)
    out = np.zeros((P, size[0] * size[1]), dtype=x.dtype)
    for p in range(P):
        for k in range(vals.shape[1]):   # row-major order: a later write wins
            out[p, pos[p, k]] = vals[p, k]
    return out.reshape(x.shape[:-2] + size)


def max_unpool2d_backward(grad_out, x, indices, kernel_size, *, stride=None, padding=0,
                          output_size=None):
    """Plain-loop reference for :func:`poolkit.max_unpool2d_backward`.

    Examples
    --------
    >>> max_unpool2d_backward([[[1., 2.], [3., 4.]]], [[[9.]]], [[[2]]], 2).tolist()
    [[[3.0]]]
    """
    x, idx, size = _args.unpool_args(x, indices, kernel_size, stride, padding, output_size)
    grad = _p.as_grad(grad_out, x.shape[:-2] + size, what="the unpooled output")
    P = int(np.prod(x.shape[:-2]))
    pos, gr = idx.reshape(P, -1), grad.reshape(P, -1)
    grad_x = np.zeros(pos.shape, dtype=grad.dtype)
    for p in range(P):
        written = set()
        for k in reversed(range(pos.shape[1])):   # backwards: the last writer comes first
            if pos[p, k] not in written:          # only the value the forward kept
                grad_x[p, k] = gr[p, pos[p, k]]
                written.add(pos[p, k])
    return grad_x.reshape(x.shape)


# ---------------------------------------------------------------------------
# spatial pyramid pooling: adaptive poolings, concatenated
# ---------------------------------------------------------------------------

def spatial_pyramid_pool2d(x, levels=(1, 2, 4), *, mode="max"):
    """Reference for :func:`poolkit.spatial_pyramid_pool2d`, on the adaptive references.

    Examples
    --------
    >>> spatial_pyramid_pool2d(np.arange(16.).reshape(1, 4, 4), (1, 2), mode="avg").tolist()
    [7.5, 2.5, 4.5, 10.5, 12.5]
    """
    x, levels, mode = _args.pyramid_args(x, levels, mode)
    pool = _adaptive_max if mode == "max" else _adaptive_avg
    parts = [pool(_p.as_float(x) if mode == "avg" else x, (n, n)) for n in levels]
    parts = [(a[0] if mode == "max" else a).reshape(x.shape[:-3] + (-1,)) for a in parts]
    return np.concatenate(parts, axis=-1).astype(parts[0].dtype, copy=False)


def spatial_pyramid_pool2d_backward(grad_out, x, levels=(1, 2, 4), *, mode="max"):
    """Reference for :func:`poolkit.spatial_pyramid_pool2d_backward`: the levels' gradients
    added, the last level's first (PyTorch's autograd order for ``torch.cat``).

    Examples
    --------
    >>> g = spatial_pyramid_pool2d_backward([4.], np.arange(16.).reshape(1, 4, 4), (1,), mode="avg")
    >>> float(g.sum()), float(g[0, 0, 0])
    (4.0, 0.25)
    """
    x, levels, mode = _args.pyramid_args(x, levels, mode)
    lead, C = x.shape[:-3], x.shape[-3]
    grad = _p.as_grad(grad_out, lead + (C * sum(n * n for n in levels),),
                      what="the pyramid output")
    starts = np.cumsum([0] + [C * n * n for n in levels])
    xf = _p.as_float(x) if mode == "avg" else x
    grad_x = None
    for n, start in reversed(list(zip(levels, starts[:-1]))):
        part = grad[..., start:start + C * n * n].reshape(lead + (C, n, n))
        g = (_adaptive_max_backward(part, x, (n, n), None) if mode == "max"
             else _adaptive_avg_backward(part, xf, (n, n)))
        grad_x = g if grad_x is None else grad_x + g
    return grad_x
