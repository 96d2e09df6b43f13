"""Fast pooling kernels on planes ``(P, H, W)``, in pure numpy.

This package holds only the computation. The public functions in
:mod:`poolkit.max_pool`, :mod:`poolkit.avg_pool` and :mod:`poolkit.global_pool`
validate arguments, reshape inputs to planes and compute output sizes; the
kernels trust what they receive and never modify their inputs. Their names say
so: ``max_planes`` is not :func:`poolkit.max_pool2d` (other arguments, no checks).

Where things are
----------------
* ``_plumbing``: scratch buffers, chunks of planes, staging, the bit tricks;
* ``_max``: max pooling, forward (``max_planes``, the separable reduction,
  ``ArgmaxWork`` for indices) and backward (``max_planes_backward``);
* ``_avg``: average pooling (``avg_planes``, ``avg_planes_backward``);
* ``_global``: global pooling (``global_planes``, ``global_planes_backward``,
  ``global_max_positions``).

The window rules themselves (padded extent, first real cell, divisors, the tie rule)
come from :mod:`poolkit.geometry`.

The scratch contract
--------------------
Work arrays come from ``_plumbing.temp``: they are **uninitialised and shared
across calls** (per thread, per role), because allocating them anew costs more than
pooling a small input. Every kernel therefore overwrites every cell it reads before
reading it, and never returns a scratch buffer. The tests check that a kernel repeats
exactly after a differently shaped call.

How they are fast
-----------------
The obvious numpy pooling, a window view followed by a reduction over its
last two axes, spends its time in tiny inner loops of ``k`` elements. These
kernels instead loop over the ``k`` window *offsets* and, for each one, apply
a whole-array ufunc to a strided slice that holds the cell at that offset for
every output position. Max and sum are separable, so a window is reduced
down its columns and then along the row of column results (``k_h + k_w``
slices instead of ``k_h * k_w``); numpy's strided ``maximum`` and comparisons
are slow, so strided columns are first copied to a contiguous buffer.
Planes are processed in chunks small enough for the temporaries to stay in
the CPU cache, so the input is read from memory once. A window that hangs over
the padding or the bottom/right edge is handled by the same copy: each chunk is
copied into a cache-sized buffer whose border holds the padding value
(``_plumbing.staged_chunks``). Indices are tracked as small codes (which
offset won) and turned into flat indices once at the end; gradients are
scattered with one fancy assignment when no two windows share a cell. Measured
gains are in ``benchmarks/RESULTS.md``.

Semantics follow PyTorch's CPU kernels exactly, including ties, NaN, windows
of ``-inf`` and the order in which overlapping windows accumulate gradients
(see each function); average pooling's forward sum may differ from
PyTorch's in the last bits (a different summation order). The tests compare
every branch with the references of :mod:`poolkit.reference` and with PyTorch.
"""

from ._avg import avg_planes, avg_planes_backward
from ._global import global_max_positions, global_planes, global_planes_backward
from ._max import max_planes, max_planes_backward

__all__ = [
    "max_planes",
    "max_planes_backward",
    "avg_planes",
    "avg_planes_backward",
    "global_planes",
    "global_planes_backward",
    "global_max_positions",
]
