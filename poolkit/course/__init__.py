"""The course layer: the figures, animations, live explorers, data and exercises of the chapters.

``poolkit`` itself is the pooling library (numpy only). This subpackage is the teaching
layer built on it, and it depends on the library and never the reverse: every number it
shows is computed by the library's public functions (``pk.max_pool2d``,
``pk.max_pool2d_backward``, :func:`poolkit.output_size`, ...), so a figure cannot
disagree with what the chapters teach.

Modules
-------
:mod:`~poolkit.course.grid`
    The grid-drawing toolkit every figure, animation and explorer shares: cells, values,
    padding, window outlines, colour scales, labels, the palette, figure creation and closing.
:mod:`~poolkit.course.plot`
    Maps as annotated grids, pooling windows (:func:`~poolkit.course.plot.show_pooling`),
    gradient routing, receptive fields; :func:`~poolkit.course.plot.pool_map` and
    :func:`~poolkit.course.plot.pool_backward_map`.
:mod:`~poolkit.course.images`
    Photos side by side at the same size (a pooled photo's lost detail).
:mod:`~poolkit.course.windows`
    The windows of one axis: :func:`~poolkit.course.windows.window_taps` and the 1-D figure.
:mod:`~poolkit.course.timing`
    Run time against input size, next to the memory floor (chapter 6).
:mod:`~poolkit.course.invariance`
    How much a pooled map changes under shifts (chapters 2 and 7).
:mod:`~poolkit.course.animate`
    Kernel-free HTML animations of the sliding window and of the backward pass.
:mod:`~poolkit.course.widgets`
    Live ipywidgets explorers (need a running kernel).
:mod:`~poolkit.course.data`
    The running example, the 1-D signals and a real photograph, all offline.
:mod:`~poolkit.course.deps`
    The ``course`` extra's packages, and the clear ImportError when one is missing.

The chapters' exercise checkers (``pk.exercises``) belong to this layer too and are to join it
here as ``course/exercises/``.

The teaching modules need the packages of the ``course`` extra (matplotlib, ipywidgets,
Pillow, IPython, jupyterquiz): ``pip install "poolkit[course]"``. Without them the library
works, and importing a teaching module raises an ImportError that names the missing
package and that command. ``import poolkit`` and ``import poolkit.course`` import none of
them; after ``import poolkit as pk``, ``pk.plot``, ``pk.animate``, ``pk.widgets`` and
``pk.data`` load these modules on first use.
"""
