"""Pooling layers as small objects: ``forward`` remembers, ``backward`` uses.

A layer holds its arguments (validated when it is built), and ``forward(x)``
stores what the backward pass needs: a copy of the input (so that changing
the caller's array afterwards cannot change the gradient), and for max
pooling the position of each window's maximum (the "max id"). ``backward(grad_out)``
returns the gradient with respect to that input. Pooling layers have no
parameters: ``parameters()`` is an empty list.

>>> import numpy as np
>>> pool = MaxPool2d(2)
>>> pool
MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
>>> out = pool.forward(np.array([[[1., 2.], [4., 3.]]]))
>>> pool.indices.tolist(), pool.backward(np.array([[[5.]]])).tolist()
([[[2]]], [[[0.0, 0.0], [5.0, 0.0]]])
"""

import numpy as np

from . import adaptive as _a
from . import arguments as _args
from . import avg_pool as _avg
from . import global_pool as _g
from . import lp_pool as _lp
from . import max_pool as _m
from . import params as _p
from . import pyramid as _s
from . import unpool as _u

__all__ = [
    "BackwardBeforeForwardError",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "LPPool2d",
    "AdaptiveMaxPool2d", "AdaptiveAvgPool2d", "GlobalMaxPool2d", "GlobalAvgPool2d",
    "SpatialPyramidPool2d", "MaxUnpool2d",
]


class BackwardBeforeForwardError(RuntimeError, ValueError):
    """``backward`` was called on a layer whose ``forward`` has not run yet."""


class _Pool:
    """Shared behaviour: call = forward, no parameters, a readable repr, the cache check."""

    _fields = ()

    def __init__(self):
        self._x = None

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        """Trainable parameters: none, pooling has nothing to learn."""
        return []

    def _cached_input(self):
        if self._x is None:
            raise BackwardBeforeForwardError(
                f"{type(self).__name__}.backward() was called before forward(): the backward pass "
                f"needs what forward(x) records (the input"
                f"{' and the position of each maximum' if 'Max' in type(self).__name__ else ''}); "
                f"call forward first")
        return self._x

    def __repr__(self):
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({args})"


class _MaxPoolNd(_Pool):
    _fields = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, *, ceil_mode=False):
        super().__init__()
        _p.check_kernel_args(kernel_size, stride, padding, dilation, self._nd)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.ceil_mode = _p.check_bool(ceil_mode, "ceil_mode")
        self.indices = None

    def _kwargs(self):
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation,
                    ceil_mode=self.ceil_mode)

    def forward(self, x):
        """Pool ``x`` and record the position of each maximum in ``self.indices``."""
        f = _m.max_pool2d if self._nd == 2 else _m.max_pool1d
        out, self.indices = f(x, self.kernel_size, return_indices=True, **self._kwargs())
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input, routed through ``self.indices``."""
        x = self._cached_input()
        f = _m.max_pool2d_backward if self._nd == 2 else _m.max_pool1d_backward
        return f(grad_out, x, self.kernel_size, indices=self.indices, **self._kwargs())


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling layer; see :func:`poolkit.max_pool2d`.

    Parameters
    ----------
    kernel_size, stride, padding, dilation : int or (int, int)
    ceil_mode : bool

    Attributes
    ----------
    indices : ndarray of int64 or None
        Set by ``forward``: flat position of each window's maximum (the "max id").
    """

    _nd = 2


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling layer; see :func:`poolkit.max_pool1d`.

    Examples
    --------
    >>> pool = MaxPool1d(2)
    >>> pool([[1., 3., 2., 0.]]).tolist(), pool.indices.tolist()
    ([[3.0, 2.0]], [[1, 2]])
    """

    _nd = 1


class _AvgPoolNd(_Pool):
    _fields = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
               "divisor_override")
    _nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, *, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        _p.check_kernel_args(kernel_size, stride, padding, 1, self._nd)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = _p.check_bool(ceil_mode, "ceil_mode")
        self.count_include_pad = _p.check_bool(count_include_pad, "count_include_pad")
        self.divisor_override = _p.check_divisor_override(divisor_override)

    def _kwargs(self):
        return dict(stride=self.stride, padding=self.padding, ceil_mode=self.ceil_mode,
                    count_include_pad=self.count_include_pad,
                    divisor_override=self.divisor_override)

    def forward(self, x):
        """Average-pool ``x`` (and remember it for backward)."""
        f = _avg.avg_pool2d if self._nd == 2 else _avg.avg_pool1d
        out = f(x, self.kernel_size, **self._kwargs())
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input."""
        x = self._cached_input()
        f = _avg.avg_pool2d_backward if self._nd == 2 else _avg.avg_pool1d_backward
        return f(grad_out, x, self.kernel_size, **self._kwargs())


class AvgPool2d(_AvgPoolNd):
    """2-D average pooling layer; see :func:`poolkit.avg_pool2d`.

    Examples
    --------
    >>> pool = AvgPool2d(2)
    >>> pool([[[1., 2.], [3., 6.]]]).tolist(), pool.backward([[[4.]]]).tolist()
    ([[[3.0]]], [[[1.0, 1.0], [1.0, 1.0]]])
    """

    _nd = 2


class AvgPool1d(_AvgPoolNd):
    """1-D average pooling layer; see :func:`poolkit.avg_pool1d`."""

    _nd = 1


class LPPool2d(_Pool):
    """2-D Lp pooling layer, ``(sum |x|^p)^(1/p)`` per window; see :func:`poolkit.lp_pool2d`.

    Examples
    --------
    >>> LPPool2d(2, 2)([[[3., 4.], [0., 0.]]]).tolist()
    [[[5.0]]]
    """

    _fields = ("norm_type", "kernel_size", "stride", "ceil_mode")

    def __init__(self, norm_type, kernel_size, stride=None, *, ceil_mode=False):
        super().__init__()
        _p.check_norm_type(norm_type)
        _p.check_kernel_args(kernel_size, stride, 0, 1, 2)
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.ceil_mode = _p.check_bool(ceil_mode, "ceil_mode")

    def forward(self, x):
        """Lp-pool ``x`` (and remember it for backward)."""
        out = _lp.lp_pool2d(x, self.norm_type, self.kernel_size, stride=self.stride,
                             ceil_mode=self.ceil_mode)
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input."""
        return _lp.lp_pool2d_backward(grad_out, self._cached_input(), self.norm_type,
                                      self.kernel_size, stride=self.stride,
                                      ceil_mode=self.ceil_mode)


class AdaptiveMaxPool2d(_Pool):
    """Adaptive max pooling layer; see :func:`poolkit.adaptive_max_pool2d`.

    Attributes
    ----------
    indices : ndarray of int64 or None
        Set by ``forward``: flat position of each bin's maximum.

    Examples
    --------
    >>> pool = AdaptiveMaxPool2d(1)
    >>> pool([[[1., 9.], [4., 3.]]]).tolist(), pool.indices.tolist()
    ([[[9.0]]], [[[1]]])
    """

    _fields = ("output_size",)

    def __init__(self, output_size):
        super().__init__()
        _args.check_output_size(output_size, (1, 1))
        self.output_size = output_size
        self.indices = None

    def forward(self, x):
        """Pool ``x`` into ``output_size`` bins and record each maximum's position."""
        out, self.indices = _a.adaptive_max_pool2d(x, self.output_size, return_indices=True)
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input, routed through ``self.indices``."""
        return _a.adaptive_max_pool2d_backward(grad_out, self._cached_input(), self.output_size,
                                               indices=self.indices)


class AdaptiveAvgPool2d(_Pool):
    """Adaptive average pooling layer; see :func:`poolkit.adaptive_avg_pool2d`.

    Examples
    --------
    >>> AdaptiveAvgPool2d((1, 2))([[[1., 2., 3., 4.]]]).tolist()
    [[[1.5, 3.5]]]
    """

    _fields = ("output_size",)

    def __init__(self, output_size):
        super().__init__()
        _args.check_output_size(output_size, (1, 1))
        self.output_size = output_size

    def forward(self, x):
        """Average ``x`` over ``output_size`` bins (and remember it for backward)."""
        out = _a.adaptive_avg_pool2d(x, self.output_size)
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input."""
        return _a.adaptive_avg_pool2d_backward(grad_out, self._cached_input(), self.output_size)


class GlobalMaxPool2d(_Pool):
    """Global max pooling layer, ``(N, C, H, W) -> (N, C)``; see :func:`poolkit.global_max_pool2d`.

    Attributes
    ----------
    indices : ndarray of int64 or None
        Set by ``forward``: flat position ``h*W + w`` of each channel's maximum.

    Examples
    --------
    >>> GlobalMaxPool2d()([[[1., 9.], [4., 3.]]]).tolist()
    [9.0]
    """

    def __init__(self):
        super().__init__()
        self.indices = None

    def forward(self, x):
        """Largest value of each channel; the input and ``self.indices`` are kept for backward."""
        out, self.indices = _g.global_max_pool2d(x, return_indices=True)
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input, routed through ``self.indices``."""
        return _g.global_max_pool2d_backward(grad_out, self._cached_input(), indices=self.indices)


class GlobalAvgPool2d(_Pool):
    """Global average pooling layer, ``(N, C, H, W) -> (N, C)``; see :func:`poolkit.global_avg_pool2d`.

    Examples
    --------
    >>> pool = GlobalAvgPool2d()
    >>> pool([[[1., 9.], [4., 2.]]]).tolist(), pool.backward([8.]).tolist()
    ([4.0], [[[2.0, 2.0], [2.0, 2.0]]])
    """

    def forward(self, x):
        """Mean of each channel (the input is remembered for backward)."""
        out = _g.global_avg_pool2d(x)
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input."""
        return _g.global_avg_pool2d_backward(grad_out, self._cached_input())


class SpatialPyramidPool2d(_Pool):
    """Spatial pyramid pooling layer, ``(N, C, H, W) -> (N, C*sum(n*n))``.

    See :func:`poolkit.spatial_pyramid_pool2d`.

    Examples
    --------
    >>> spp = SpatialPyramidPool2d((1, 2), mode="avg")
    >>> spp(np.ones((2, 3, 5, 7))).shape
    (2, 15)
    """

    _fields = ("levels", "mode")

    def __init__(self, levels=(1, 2, 4), *, mode="max"):
        super().__init__()
        self.levels = _args.check_levels(levels)
        self.mode = _p.check_mode(mode)

    def forward(self, x):
        """Pool ``x`` over every pyramid level and concatenate (the input is remembered)."""
        out = _s.spatial_pyramid_pool2d(x, self.levels, mode=self.mode)
        self._x = np.array(x, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's input."""
        return _s.spatial_pyramid_pool2d_backward(grad_out, self._cached_input(), self.levels,
                                                  mode=self.mode)


class MaxUnpool2d(_Pool):
    """Max unpooling layer, the partial inverse of :class:`MaxPool2d`; see :func:`poolkit.max_unpool2d`.

    ``forward(x, indices, output_size=None)`` takes the pooled values and the pooling
    layer's ``indices`` (as ``torch.nn.MaxUnpool2d``); ``backward(grad_out)`` returns the
    gradient with respect to those values.

    Parameters
    ----------
    kernel_size, stride, padding : int or (int, int)
        The pooling layer's arguments (``stride=None`` means ``kernel_size``).

    Examples
    --------
    >>> pool, unpool = MaxPool2d(2), MaxUnpool2d(2)
    >>> x = np.array([[[1., 2.], [4., 3.]]])
    >>> unpool(pool(x), pool.indices).tolist()
    [[[0.0, 0.0], [4.0, 0.0]]]
    >>> unpool.backward(np.array([[[1., 2.], [3., 4.]]])).tolist()
    [[[3.0]]]
    """

    _fields = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        _p.check_kernel_args(kernel_size, stride, padding, 1, 2, pad_limit=False)
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self._indices = self._output_size = None

    def __call__(self, x, indices, output_size=None):
        return self.forward(x, indices, output_size)

    def _kwargs(self):
        return dict(stride=self.stride, padding=self.padding, output_size=self._output_size)

    def forward(self, x, indices, output_size=None):
        """Put each value of ``x`` back at its position in ``indices``, zeros elsewhere."""
        self._output_size = output_size
        out = _u.max_unpool2d(x, indices, self.kernel_size, **self._kwargs())
        self._x = np.array(x, copy=True)
        self._indices = np.array(indices, copy=True)
        return out

    def backward(self, grad_out):
        """Gradient with respect to the last forward's ``x``: ``grad_out`` read at the indices."""
        x = self._cached_input()
        return _u.max_unpool2d_backward(grad_out, x, self._indices, self.kernel_size,
                                        **self._kwargs())
