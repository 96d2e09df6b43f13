"""poolkit: exact, validated, fast pooling layers in pure numpy.

Every pooling function takes PyTorch's arguments and gives PyTorch's answer
(CPU, checked against torch 2.13), validates its input with messages that
explain the rule that was broken, and has a ``_backward`` twin and plain-loop
plain-loop references that read like the maths (:mod:`poolkit.reference`, also
reachable as ``pk.max_pool2d_naive`` and the other ``*_naive`` names). Window
rules live in :mod:`poolkit.geometry`, argument checks in :mod:`poolkit.params`
and :mod:`poolkit.arguments`, the fast kernels in :mod:`poolkit.kernels`.

>>> import poolkit as pk
>>> pk.max_pool2d([[[1, 2], [3, 4]]], 2).tolist()
[[[4]]]
"""

from .adaptive import (
    adaptive_avg_pool2d, adaptive_avg_pool2d_backward, adaptive_avg_pool2d_backward_naive,
    adaptive_avg_pool2d_naive,
    adaptive_max_pool2d, adaptive_max_pool2d_backward, adaptive_max_pool2d_backward_naive,
    adaptive_max_pool2d_naive,
)
from .avg_pool import (
    avg_pool1d, avg_pool1d_backward, avg_pool1d_backward_naive, avg_pool1d_naive,
    avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_naive, avg_pool2d_naive,
)
from .cost import (
    ConvFlops, PoolBytes, PoolFlops, conv2d_flops, conv2d_params, num_parameters, pool_bytes,
    pool_flops,
)
from .global_pool import (
    global_avg_pool2d, global_avg_pool2d_backward, global_avg_pool2d_backward_naive,
    global_avg_pool2d_naive,
    global_max_pool2d, global_max_pool2d_backward, global_max_pool2d_backward_naive,
    global_max_pool2d_naive,
)
from .gradients import gradcheck, numerical_gradient, relative_error
from .layers import (
    AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, BackwardBeforeForwardError,
    GlobalAvgPool2d, GlobalMaxPool2d, LPPool2d, MaxPool1d, MaxPool2d, MaxUnpool2d,
    SpatialPyramidPool2d,
)
from .lp_pool import lp_pool2d, lp_pool2d_backward, lp_pool2d_backward_naive, lp_pool2d_naive
from .max_pool import (
    max_pool1d, max_pool1d_backward, max_pool1d_backward_naive, max_pool1d_naive,
    max_pool2d, max_pool2d_backward, max_pool2d_backward_naive, max_pool2d_naive,
)
from .pyramid import (
    published_spp_bins, published_spp_window,
    spatial_pyramid_pool2d, spatial_pyramid_pool2d_backward, spatial_pyramid_pool2d_backward_naive,
    spatial_pyramid_pool2d_naive,
)
from .receptive import RFLayer, ReceptiveField, receptive_field
from .shapes import adaptive_bins, max_padding, output_size, unpool_size
from .unpool import (
    max_unpool2d, max_unpool2d_backward, max_unpool2d_backward_naive, max_unpool2d_naive,
)

__version__ = "0.1.0"

__all__ = [
    'AdaptiveAvgPool2d', 'AdaptiveMaxPool2d', 'AvgPool1d', 'AvgPool2d',
    'BackwardBeforeForwardError', 'ConvFlops', 'GlobalAvgPool2d', 'GlobalMaxPool2d', 'LPPool2d',
    'MaxPool1d', 'MaxPool2d', 'MaxUnpool2d', 'PoolBytes', 'PoolFlops', 'RFLayer', 'ReceptiveField',
    'SpatialPyramidPool2d', 'adaptive_avg_pool2d', 'adaptive_avg_pool2d_backward',
    'adaptive_avg_pool2d_backward_naive', 'adaptive_avg_pool2d_naive', 'adaptive_bins',
    'adaptive_max_pool2d', 'adaptive_max_pool2d_backward', 'adaptive_max_pool2d_backward_naive',
    'adaptive_max_pool2d_naive', 'avg_pool1d', 'avg_pool1d_backward',
    'avg_pool1d_backward_naive', 'avg_pool1d_naive', 'avg_pool2d', 'avg_pool2d_backward',
    'avg_pool2d_backward_naive', 'avg_pool2d_naive', 'conv2d_flops', 'conv2d_params',
    'global_avg_pool2d', 'global_avg_pool2d_backward', 'global_avg_pool2d_backward_naive',
    'global_avg_pool2d_naive', 'global_max_pool2d', 'global_max_pool2d_backward',
    'global_max_pool2d_backward_naive', 'global_max_pool2d_naive', 'gradcheck', 'lp_pool2d',
    'lp_pool2d_backward', 'lp_pool2d_backward_naive', 'lp_pool2d_naive', 'max_padding',
    'max_pool1d', 'max_pool1d_backward', 'max_pool1d_backward_naive', 'max_pool1d_naive',
    'max_pool2d', 'max_pool2d_backward', 'max_pool2d_backward_naive', 'max_pool2d_naive',
    'max_unpool2d', 'max_unpool2d_backward', 'max_unpool2d_backward_naive',
    'max_unpool2d_naive', 'num_parameters', 'numerical_gradient', 'output_size', 'pool_bytes',
    'pool_flops', 'published_spp_bins', 'published_spp_window', 'receptive_field',
    'relative_error', 'spatial_pyramid_pool2d', 'spatial_pyramid_pool2d_backward',
    'spatial_pyramid_pool2d_backward_naive', 'spatial_pyramid_pool2d_naive', 'unpool_size',
]

# The library's modules, and the teaching layer's (poolkit.course, which loads matplotlib and
# ipywidgets), are imported on first use (PEP 562): ``pk.plot.show_map(...)`` works after
# ``import poolkit as pk`` while a plain ``import poolkit`` stays light. A course alias
# names the module it stands for; ``pk.plot`` is ``poolkit.course.plot``.
_SUBMODULES = {
    name: f"{__name__}.{name}" for name in (
        "adaptive", "arguments", "avg_pool", "cost", "geometry", "global_pool", "gradients",
        "kernels", "layers", "lp_pool", "max_pool", "params", "pyramid", "receptive", "reference",
        "shapes", "unpool", "course",
    )
} | {
    name: f"{__name__}.course.{name}" for name in (
        "animate", "data", "exercises", "grid", "images", "invariance", "plot", "timing", "widgets",
        "windows",
    )
}


def __getattr__(name):
    if name in _SUBMODULES:
        import importlib
        return importlib.import_module(_SUBMODULES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
