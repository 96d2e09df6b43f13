"""poolkit: exact, validated, fast pooling layers in pure numpy.

Every pooling function takes PyTorch's arguments and gives PyTorch's answer
(CPU, checked against torch 2.13), validates its input with messages that
explain the rule that was broken, and has a ``_backward`` twin and plain-loop
``_naive`` references that read like the maths.

>>> import poolkit as pk
>>> pk.max_pool2d([[[1, 2], [3, 4]]], 2).tolist()
[[[4]]]
"""

from .avg_pool import (
    avg_pool1d, avg_pool1d_backward, avg_pool1d_backward_naive, avg_pool1d_naive,
    avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_naive, avg_pool2d_naive,
    lp_pool2d, lp_pool2d_backward, lp_pool2d_backward_naive, lp_pool2d_naive,
)
from .max_pool import (
    max_pool1d, max_pool1d_backward, max_pool1d_backward_naive, max_pool1d_naive,
    max_pool2d, max_pool2d_backward, max_pool2d_backward_naive, max_pool2d_naive,
    max_unpool2d, max_unpool2d_backward, max_unpool2d_backward_naive, max_unpool2d_naive,
)
from .shapes import adaptive_bins, max_padding, output_size, unpool_size

__version__ = "0.1.0"
