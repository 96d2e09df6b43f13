"""The validated arguments of each pooling operation, shared by the fast and the naive side.

Every public pooling function and its reference in :mod:`poolkit.reference` start with the
same call from here, so the two accept and reject exactly the same calls. The checks
themselves (one rule, one message) are in :mod:`poolkit.params`; the arithmetic of windows
is in :mod:`poolkit.geometry`.
"""

import numpy as np

from . import geometry as _geo
from . import params as _p
from .shapes import unpool_size

__all__ = [
    "max_pool_args", "avg_pool_args", "lp_pool_args", "adaptive_args", "global_args",
    "unpool_args", "pyramid_args", "check_output_size", "check_levels",
]


def max_pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, nd):
    """``(x, geom)`` of max pooling over ``nd`` spatial axes (integers keep their dtype)."""
    x = _p.as_input(x, ndims=(nd + 1, nd + 2), layout=_p.LAYOUTS[nd])
    geom = _p.pool_geometry(x.shape[-nd:], kernel_size, stride, padding, dilation, ceil_mode)
    return x, geom


def avg_pool_args(x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                  divisor_override, nd):
    """``(x, geom, count_include_pad, divisor_override)`` of average pooling (ints become float64)."""
    x = _p.as_float(_p.as_input(x, ndims=(nd + 1, nd + 2), layout=_p.LAYOUTS[nd]))
    geom = _p.pool_geometry(x.shape[-nd:], kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = _p.check_bool(count_include_pad, "count_include_pad")
    divisor_override = _p.check_divisor_override(divisor_override)
    return x, geom, count_include_pad, divisor_override


def lp_pool_args(x, norm_type, kernel_size, stride, ceil_mode):
    """``(x, p, geom)`` of Lp pooling (no padding, no dilation, as in PyTorch)."""
    p = _p.check_norm_type(norm_type)
    x = _p.as_float(_p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2]))
    geom = _p.pool_geometry(x.shape[-2:], kernel_size, stride, 0, 1, ceil_mode)
    return x, p, geom


def check_output_size(output_size, in_hw):
    """Adaptive pooling's ``output_size`` as ``(OH, OW)``: an int, or a pair whose ``None``
    entries keep the input size.

    Examples
    --------
    >>> check_output_size((None, 3), (5, 7))
    (5, 3)
    """
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 2:
            raise ValueError(f"output_size={output_size!r} must be an int or a tuple of 2 ints "
                             f"(OH, OW), got {len(output_size)} entries")
        out = []
        for v, n in zip(output_size, in_hw):
            if v is None:
                out.append(n)
                continue
            try:
                out.append(_p.check_int(v, "output_size"))
            except TypeError:
                raise TypeError(f"output_size={output_size!r}: entry {v!r} must be an integer "
                                f"(or None to keep the input size)") from None
        out = tuple(out)
    else:
        out = (_p.check_int(output_size, "output_size"),) * 2
    if min(out) < 1:
        raise ValueError(f"output_size={output_size!r} must be at least 1 on every axis "
                         f"(it is the number of bins)")
    return out


def adaptive_args(x, output_size, mode):
    """``(x, out_hw)`` of adaptive pooling; ``mode="avg"`` converts integers to float64."""
    x = _p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2])
    if mode == "avg":
        x = _p.as_float(x)
    out_hw = check_output_size(output_size, x.shape[-2:])
    _p.check_output_cells(x.shape[:-2] + out_hw, f"output_size={output_size!r}")
    return x, out_hw


def global_args(x, mode):
    """``x`` of global pooling; ``mode="avg"`` converts integers to float64."""
    x = _p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2])
    return _p.as_float(x) if mode == "avg" else x


def check_levels(levels):
    """Spatial pyramid levels as a tuple of positive ints (bin counts per axis).

    Examples
    --------
    >>> check_levels(2), check_levels([1, 2, 4])
    ((2,), (1, 2, 4))
    """
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, (bool, np.bool_)):
        levels = (levels,)
    elif not isinstance(levels, (tuple, list)):
        raise TypeError(f"levels={levels!r} must be a tuple of ints, the number of bins per "
                        f"axis at each pyramid level, e.g. (1, 2, 4)")
    if len(levels) == 0:
        raise ValueError(f"levels={levels!r} must name at least one pyramid level, e.g. (1, 2, 4)")
    out = []
    for n in levels:
        try:
            n = _p.check_int(n, "levels")
        except TypeError:
            raise TypeError(f"levels={levels!r}: entry {n!r} must be an integer "
                            f"(a number of bins per axis)") from None
        if n < 1:
            raise ValueError(f"levels={levels!r}: every level must have at least 1 bin per axis, "
                             f"got {n}")
        out.append(n)
    return tuple(out)


def pyramid_args(x, levels, mode):
    """``(x, levels, mode)`` of spatial pyramid pooling; refuses a pyramid whose output would
    exceed :data:`poolkit.params.MAX_OUTPUT_CELLS`."""
    levels = check_levels(levels)
    mode = _p.check_mode(mode)
    x = _p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2])
    bins = sum(n * n for n in levels)
    _p.check_output_cells(x.shape[:-3] + (x.shape[-3] * bins,), f"levels={levels!r}")
    return x, levels, mode


def _unpool_output(x, kernel_size, stride, padding, output_size):
    """The unpooled plane size: the default of :func:`poolkit.unpool_size`, or a checked
    ``output_size`` within ``stride - 1`` of it (PyTorch's rule)."""
    if output_size is None:          # the default, which must be at least 1
        return unpool_size(tuple(x.shape[-2:]), kernel_size, stride=stride, padding=padding)
    k, s, p, _ = _p.check_kernel_args(kernel_size, stride, padding, 1, 2, pad_limit=False)
    default = tuple(_geo.unpool_length(n, *a) for n, a in zip(x.shape[-2:], zip(k, s, p)))
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
    return size


def unpool_args(x, indices, kernel_size, stride, padding, output_size):
    """``(x, indices as int64, (OH, OW))`` of max unpooling."""
    x = _p.as_input(x, ndims=(3, 4), layout=_p.LAYOUTS[2])
    size = _unpool_output(x, kernel_size, stride, padding, output_size)
    _p.check_output_cells(
        x.shape[:-2] + tuple(size),
        f"output_size={output_size!r}" if output_size is not None else
        f"kernel_size={kernel_size!r}, stride={stride!r} and padding={padding!r} "
        f"(the unpooled size (in-1)*stride - 2*padding + kernel_size = {size})")
    indices = _p.check_indices(indices, x.shape, size[0] * size[1], shape_of="x",
                               plane=f"the output plane of {size[0]}*{size[1]} =")
    return x, indices, size
