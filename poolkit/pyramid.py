"""Spatial pyramid pooling: a fixed-length vector from an input of any size.

He et al. (SPP-net; ECCV 2014, TPAMI 2015) pool the last feature map over
several grids, ``n x n`` bins for each pyramid level ``n``, and concatenate the
results, so the length ``C * sum(n*n)`` does not depend on the input size.
Their ImageNet pyramid {6, 3, 2, 1} has 50 bins per channel.

The paper implements level ``n`` on an ``a x a`` map as a pooling window of
``ceil(a/n)`` with stride ``floor(a/n)``. That formula does not always give
``n`` bins: ``a=7, n=4`` gives window 2, stride 1 and therefore 6 bins;
``a=5, n=3`` gives 4 (see :func:`poolkit.published_spp_bins`). poolkit builds every
level from adaptive bins instead (:mod:`poolkit.adaptive`), which give
exactly ``n x n`` bins covering the whole map for every size ``a >= 1``.
"""

import numpy as np

from . import adaptive as _a
from . import arguments as _args
from . import params as _p
from . import reference as _ref

__all__ = [
    "spatial_pyramid_pool2d", "spatial_pyramid_pool2d_naive",
    "spatial_pyramid_pool2d_backward", "spatial_pyramid_pool2d_backward_naive",
    "published_spp_window", "published_spp_bins",
]

_FUNCS = {"max": (_a.adaptive_max_pool2d, _a.adaptive_max_pool2d_backward),
          "avg": (_a.adaptive_avg_pool2d, _a.adaptive_avg_pool2d_backward)}


def _pyramid(x, levels, mode):
    x, levels, mode = _args.pyramid_args(x, levels, mode)
    forward = _FUNCS[mode][0]
    lead = x.shape[:-3]
    parts = [forward(x, n).reshape(lead + (-1,)) for n in levels]   # (N, C*n*n) per level
    # concatenate would return the native byte order; keep the levels' dtype
    return np.concatenate(parts, axis=-1).astype(parts[0].dtype, copy=False)


def spatial_pyramid_pool2d(x, levels=(1, 2, 4), *, mode="max"):
    """Spatial pyramid pooling (He et al. 2014) with adaptive bins.

    Each level ``n`` pools ``x`` into ``n x n`` adaptive bins; the levels are
    flattened and concatenated.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
    levels : tuple of int
        Bins per axis at each level, e.g. ``(1, 2, 4)`` (21 bins per channel)
        or the paper's ``(6, 3, 2, 1)`` (50).
    mode : {"max", "avg"}
        Reduction within each bin.

    Returns
    -------
    out : ndarray, shape (N, C * sum(n*n)) or (C * sum(n*n),)
        Ordered level by level (in the order given), then channel, then bin
        row-major: ``out[n, offset_l + c*n_l*n_l + i*n_l + j]`` is bin
        ``(i, j)`` of channel ``c`` at level ``l``. The length does not
        depend on ``H`` or ``W``.

    Notes
    -----
    The paper's recipe (window ``ceil(a/n)``, stride ``floor(a/n)``) does not
    always give ``n`` bins (``a=7, n=4`` gives 6, see
    :func:`published_spp_bins`), so the fixed length would break; adaptive
    bins always give exactly ``n x n``.

    Examples
    --------
    >>> x = np.arange(16.).reshape(1, 4, 4)
    >>> spatial_pyramid_pool2d(x, (1, 2)).tolist()
    [15.0, 5.0, 7.0, 13.0, 15.0]
    >>> spatial_pyramid_pool2d(np.zeros((2, 3, 7, 5)), (6, 3, 2, 1)).shape
    (2, 150)
    """
    return _pyramid(x, levels, mode)


def _pyramid_backward(grad_out, x, levels, mode):
    x, levels, mode = _args.pyramid_args(x, levels, mode)
    lead, C = x.shape[:-3], x.shape[-3]
    total = C * sum(n * n for n in levels)
    grad = _p.as_grad(grad_out, lead + (total,), what="the pyramid output")
    backward = _FUNCS[mode][1]
    starts = np.cumsum([0] + [C * n * n for n in levels])
    grad_x = None
    # Each level is an independent pooling: gradients add, the last level's first, as PyTorch's
    # autograd adds them for torch.cat of adaptive poolings (so float32 sums agree bit for bit).
    for n, start in reversed(list(zip(levels, starts[:-1]))):
        part = grad[..., start:start + C * n * n].reshape(lead + (C, n, n))
        g = backward(part, x, n)
        grad_x = g if grad_x is None else grad_x + g
    return grad_x


def spatial_pyramid_pool2d_backward(grad_out, x, levels=(1, 2, 4), *, mode="max"):
    """Gradient of :func:`spatial_pyramid_pool2d` with respect to ``x``.

    The levels are independent poolings of the same input, so their
    gradients (each an adaptive pooling backward) add up, the last level's
    first (the order in which PyTorch's autograd adds the gradients of
    ``torch.cat`` of adaptive poolings).

    Parameters
    ----------
    grad_out : array_like, shape (N, C * sum(n*n)) or (C * sum(n*n),)
    x, levels, mode
        The forward's arguments.

    Returns
    -------
    grad_x : ndarray, shape of ``x``
        The sum over the pyramid's levels of each bin's gradient, routed as that level's pooling routes it.

    Examples
    --------
    >>> x = np.arange(16.).reshape(1, 4, 4)
    >>> g = spatial_pyramid_pool2d_backward([1., 2., 3., 4., 5.], x, (1, 2))
    >>> g[0].tolist()
    [[0.0, 0.0, 0.0, 0.0], [0.0, 2.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0], [0.0, 4.0, 0.0, 6.0]]
    """
    return _pyramid_backward(grad_out, x, levels, mode)


def published_spp_window(size, n):
    """The SPP-net paper's pooling window and stride for ``n`` bins on an axis of length ``size``.

    ``window = ceil(size / n)``, ``stride = floor(size / n)`` (He et al. 2014, Sec. 2.3).

    Parameters
    ----------
    size : int
        Length of the feature map's axis, ``a`` in the paper.
    n : int
        Bins wanted along that axis.

    Returns
    -------
    (int, int)
        ``(window, stride)``.

    Examples
    --------
    >>> published_spp_window(13, 3)
    (5, 4)
    """
    a = _p.check_int(size, "size")
    n = _p.check_int(n, "n")
    if n < 1:
        raise ValueError(f"n={n!r} must be at least 1 (the number of bins)")
    if a < n:
        raise ValueError(f"size={size!r} must be at least n={n}: the published stride "
                         f"floor(size/n) = {a // n} would be 0")
    return -(-a // n), a // n


def published_spp_bins(size, n):
    """How many bins the SPP-net paper's window/stride formula really gives.

    With window ``ceil(a/n)`` and stride ``floor(a/n)`` the number of windows
    is ``floor((a - window) / stride) + 1``, which is not always ``n``.
    That is why :func:`spatial_pyramid_pool2d` uses adaptive bins.

    Parameters
    ----------
    size : int
        Length ``a`` of the feature map's axis (``size >= n``).
    n : int
        Bins wanted.

    Returns
    -------
    int

    Examples
    --------
    >>> published_spp_bins(13, 3), published_spp_bins(7, 4), published_spp_bins(5, 3)
    (3, 6, 4)
    """
    window, stride = published_spp_window(size, n)
    return (size - window) // stride + 1


# the references (poolkit.reference, on the adaptive references), under their historical names
spatial_pyramid_pool2d_naive = _ref.spatial_pyramid_pool2d
spatial_pyramid_pool2d_backward_naive = _ref.spatial_pyramid_pool2d_backward
