"""Average pooling (1-D and 2-D), with its backward pass.

As in :mod:`poolkit.max_pool`, each public function validates
(:func:`poolkit.arguments.avg_pool_args`), reshapes to planes ``(P, H, W)`` and calls
:mod:`poolkit.kernels`; its plain-loop twin is in :mod:`poolkit.reference`
(``avg_pool2d_naive`` here is ``reference.avg_pool2d``). Integer inputs are converted to
float64; float32 stays float32. Lp pooling is in :mod:`poolkit.lp_pool`.

Average pooling pads with zeros. The divisor of each window is PyTorch's
(:func:`poolkit.geometry.divisors`):

* ``divisor_override`` if given;
* otherwise, with ``count_include_pad=True``, the window's size clipped to
  the padded input (a ceil-mode window hanging over the bottom/right edge
  counts only the cells up to the padding);
* with ``count_include_pad=False``, the number of real (unpadded) cells.
"""

import numpy as np  # noqa: F401  (the doctests use np)

from . import arguments as _args
from . import kernels as _k
from . import params as _p
from . import reference as _ref

__all__ = [
    "avg_pool1d", "avg_pool1d_naive", "avg_pool2d", "avg_pool2d_naive",
    "avg_pool1d_backward", "avg_pool1d_backward_naive",
    "avg_pool2d_backward", "avg_pool2d_backward_naive",
]


# ---------------------------------------------------------------------------
# average pooling, fast
# ---------------------------------------------------------------------------

def _avg_pool(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd):
    x, geom, cip, div = _args.avg_pool_args(x, kernel_size, stride, padding, ceil_mode,
                                            count_include_pad, divisor_override, nd)
    g2 = _p.geometry_2d(geom)
    out = _k.avg_planes(_p.to_planes(x, nd), g2.kernel, g2.stride, g2.padding, g2.out, cip, div)
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
    x, geom, cip, div = _args.avg_pool_args(x, kernel_size, stride, padding, ceil_mode,
                                            count_include_pad, divisor_override, nd)
    grad = _p.as_grad(grad_out, x.shape[:-nd] + geom.out)
    g2 = _p.geometry_2d(geom)
    in_hw = _p.to_planes(x, nd).shape[1:]
    grad_x = _k.avg_planes_backward(grad.reshape((-1,) + g2.out), in_hw, g2.kernel, g2.stride,
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
        Each window's gradient divided by its divisor, on each of its real cells.

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


# the plain-loop references (poolkit.reference), under their historical names
avg_pool2d_naive = _ref.avg_pool2d
avg_pool1d_naive = _ref.avg_pool1d
avg_pool2d_backward_naive = _ref.avg_pool2d_backward
avg_pool1d_backward_naive = _ref.avg_pool1d_backward
