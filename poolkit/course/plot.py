"""Figures for the course: maps as annotated grids, pooling windows, gradient routing, receptive fields.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure`. When it
creates the figure itself it closes it in pyplot before returning, so a
notebook shows it exactly once (as the cell's result) and nothing leaks. When
you pass ``ax``/``axes``, it draws there and returns that figure, left open.

Design choices, the same in every figure: a white background (readable in the
site's dark mode), the colour-blind-safe ``cividis`` colour map for values, the
Okabe-Ito colours for window outlines, a white halo around outlines and text so
they stay visible on any cell, and PNG output only (nbval compares SVG).

Crisp and readable at the course's column width: no figure is wider than
:data:`~poolkit.course.grid.MAX_WIDTH_INCHES` (at matplotlib's 100 dpi that is the site's 672-pixel
figure column, so text is shown at its full size), and in a Jupyter kernel
importing this module switches the inline backend to ``retina`` PNG: twice the
pixels, displayed at the figure's size (the PNG's width is stored in the output's
metadata, which JupyterLab and the site both honour).

The pooling itself is always computed by poolkit's public functions, so a
figure can never disagree with the library.
"""

from __future__ import annotations

import math
from typing import Sequence

from .deps import requires

with requires("poolkit.course.plot"):
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.figure import Figure
    from matplotlib.patches import ConnectionPatch, Rectangle

    import poolkit as pk
    from poolkit.params import pool_geometry
    from poolkit.receptive import receptive_cone

    from .grid import (
        CELL_INCH, CMAP, MAX_WIDTH_INCHES, WINDOW_COLORS, as_map, cells, check_mode, draw_padded_input,
        draw_values, finish, fit_width, mark_winner, new_figure, norm_for, outline, outline_window,
        padded_extent, style_grid_axes, window_taps_2d,
    )
    from .images import show_images  # noqa: F401  (pk.plot.show_images)

# WINDOW_COLORS and MAX_WIDTH_INCHES (poolkit.course.grid's) and show_images (poolkit.course.images')
# stay importable from here, as pk.plot.show_images is what the chapters call; they are documented
# in their own modules.
__all__ = [
    "show_map",
    "show_pooling",
    "show_pooling_grid",
    "show_routing",
    "show_receptive_field",
    "pool_map",
    "pool_backward_map",
]

# ----------------------------------------------------------------------------
# pooling through the library, on one 2-D map
# ----------------------------------------------------------------------------


def pool_map(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
             mode="max", count_include_pad=True):
    """Pool one 2-D map with poolkit's public functions; return ``(out, argmax, geometry)``.

    ``argmax`` holds, for max pooling, the ``(row, col)`` of each window's
    maximum in ``x`` (first maximum in row-major window order), else ``None``.
    ``geometry`` has per-axis ``kernel``, ``stride``, ``padding``,
    ``dilation`` and ``out``. Invalid arguments raise the library's own
    ``ValueError``/``TypeError``.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> out, arg, g = pool_map(running_example(), 2)
    >>> out.tolist(), arg[0, 1].tolist()
    ([[6.0, 7.0], [8.0, 3.0]], [0, 3])
    """
    mode = check_mode(mode)
    x = as_map(x)
    h, w = x.shape
    if mode == "max":
        out, idx = pk.max_pool2d(x[None], kernel_size, stride=stride, padding=padding,
                                 dilation=dilation, ceil_mode=ceil_mode, return_indices=True)
        out, idx = out[0], idx[0]
        argmax = np.stack([idx // w, idx % w], axis=-1)
    else:
        if dilation not in (1, (1, 1), [1, 1]):
            raise ValueError(f"dilation={dilation!r} must be 1 for average pooling "
                             "(avg_pool2d, like PyTorch's, has no dilation)")
        out = pk.avg_pool2d(x[None], kernel_size, stride=stride, padding=padding,
                            ceil_mode=ceil_mode, count_include_pad=count_include_pad)[0]
        argmax = None
    geom = pool_geometry((h, w), kernel_size, stride, padding, dilation, ceil_mode)
    return np.asarray(out, dtype=np.float64), argmax, geom


def pool_backward_map(x, grad_out, kernel_size, *, stride=None, padding=0, dilation=1,
                      ceil_mode=False, mode="max", count_include_pad=True) -> np.ndarray:
    """``grad_x`` of one 2-D map for the upstream gradient ``grad_out``, by poolkit's backward functions.

    The arguments are :func:`pool_map`'s; ``grad_out`` has the output's shape.
    Invalid arguments raise the library's own ``ValueError``/``TypeError``.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> pool_backward_map(running_example(), [[1.0, 2.0], [3.0, 4.0]], 2)[:2].tolist()
    [[0.0, 0.0, 0.0, 2.0], [1.0, 0.0, 0.0, 0.0]]
    """
    mode = check_mode(mode)
    x = as_map(x)
    g = np.asarray(grad_out, dtype=np.float64)
    if mode == "max":
        gx = pk.max_pool2d_backward(g[None], x[None], kernel_size, stride=stride, padding=padding,
                                    dilation=dilation, ceil_mode=ceil_mode)[0]
    else:
        gx = pk.avg_pool2d_backward(g[None], x[None], kernel_size, stride=stride, padding=padding,
                                    ceil_mode=ceil_mode, count_include_pad=count_include_pad)[0]
    return np.asarray(gx, dtype=np.float64)


def _pick_windows(oh: int, ow: int, windows) -> list[tuple[int, int]]:
    if windows == "all":
        return [(i, j) for i in range(oh) for j in range(ow)]
    if windows is None or windows == "none":
        return []
    if isinstance(windows, int) and not isinstance(windows, bool):
        allw = [(i, j) for i in range(oh) for j in range(ow)]
        return allw[:windows]
    return cells(windows)


# ----------------------------------------------------------------------------
# public figures
# ----------------------------------------------------------------------------


def show_map(x, ax=None, *, annotate: bool = True, highlight=None, title: str | None = None,
             vmin=None, vmax=None, decimals: int | None = None,
             highlight_color: str = WINDOW_COLORS[0]) -> Figure:
    """Draw a 2-D map as a grid of coloured cells with their values.

    Parameters
    ----------
    x : array_like, shape (H, W)
        Leading axes of size 1 are dropped, so ``(1, 1, H, W)`` works too.
    ax : matplotlib Axes, optional
        Draw here instead of in a new figure.
    annotate : bool, optional
        Write each value in its cell (integers without decimals).
    highlight : cells, optional
        ``(row, col)``, a list of them, or a boolean mask: cells to outline.
    title : str, optional
        Axes title.
    vmin, vmax : float, optional
        Colour-scale limits (default: the finite range of ``x``).
    decimals : int, optional
        Decimals shown for non-integers (default 2, trailing zeros dropped).
    highlight_color : str, optional
        Outline colour.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax``'s figure (left open), or a new one closed in pyplot.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> fig = show_map(running_example(), highlight=[(0, 3), (1, 2)], title="two 7s")
    >>> len(fig.axes)
    1
    """
    x = as_map(x)
    created = ax is None
    if created:
        h, w = x.shape
        fig, axes = new_figure(max(1.6, CELL_INCH * w + 0.6), max(1.4, CELL_INCH * h + 0.7))
        ax = axes[0, 0]
    norm = norm_for(x, vmin=vmin, vmax=vmax)
    draw_values(ax, x, norm, CMAP, annotate=annotate, decimals=decimals)
    style_grid_axes(ax, *x.shape)
    for r, c in cells(highlight):
        outline(ax, r, c, 1, 1, highlight_color)
    if title:
        ax.set_title(title, fontsize=10)
    return finish(ax.figure, created)


def show_pooling(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
                 mode: str = "max", count_include_pad: bool = True, windows="all",
                 annotate: bool | None = None, axes=None, title: str | None = None,
                 decimals: int | None = None) -> Figure:
    """Draw the input with its pooling windows outlined, next to the output.

    Each outlined window and the output cell it produces share a colour. For
    max pooling a dot marks the cell that wins each window (PyTorch's rule:
    the first maximum in row-major window order). Padding cells are hatched
    and labelled with what they hold (``-inf`` for max, ``0`` for average).

    Parameters
    ----------
    x : array_like, shape (H, W)
        The map (leading axes of size 1 are dropped).
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`poolkit.max_pool2d`.
    mode : {"max", "avg"}, optional
        ``"mean"`` is accepted for ``"avg"``.
    count_include_pad : bool, optional
        For average pooling, as in :func:`poolkit.avg_pool2d`.
    windows : "all", int, list of (i, j) or None, optional
        Which windows to outline (an int: the first n in row-major order).
        ``"all"`` is capped at the first 8 windows when there are more.
    annotate : bool, optional
        Write values in cells; default when the map is at most 12x12.
    axes : (Axes, Axes), optional
        Draw input and output here instead of in a new figure.
    title : str, optional
        Figure title (default: the call, e.g. ``max pooling, k=2, s=2``).
    decimals : int, optional
        Decimals for non-integer values.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, input and output (``axes``' figure, or a new closed one).

    Raises
    ------
    ValueError, TypeError
        The library's own message for invalid arguments.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> fig = show_pooling(running_example(), 2, stride=2)
    >>> [ax.get_title() for ax in fig.axes]
    ['input 4\u00d74', 'output 2\u00d72']
    """
    mode = check_mode(mode)
    x = as_map(x)
    out, argmax, geom = pool_map(x, kernel_size, stride=stride, padding=padding, dilation=dilation,
                                 ceil_mode=ceil_mode, mode=mode, count_include_pad=count_include_pad)
    h, w = x.shape
    oh, ow = out.shape
    if annotate is None:
        annotate = max(h, w) <= 12
    picked = _pick_windows(oh, ow, windows)
    if windows == "all" and len(picked) > len(WINDOW_COLORS):
        picked = picked[: len(WINDOW_COLORS)]
    for i, j in picked:
        if not (0 <= i < oh and 0 <= j < ow):
            raise ValueError(f"windows entry {(i, j)} is outside the {oh}x{ow} output")
    rows, cols = padded_extent(x.shape, geom)
    created = axes is None
    if created:
        width = CELL_INCH * (cols + ow) + 1.4
        height = CELL_INCH * max(rows, oh) + 1.2
        fig, grid = new_figure(max(3.2, width), max(2.0, height), ncols=2,
                                gridspec_kw={"width_ratios": [cols, max(ow, 1)]})
        ax_in, ax_out = grid[0]
    else:
        ax_in, ax_out = axes
        fig = ax_in.figure
    norm = norm_for(x, out)
    draw_padded_input(ax_in, x, geom, mode, norm, annotate=annotate, decimals=decimals)
    draw_values(ax_out, out, norm, CMAP, annotate=annotate, decimals=decimals)
    style_grid_axes(ax_out, oh, ow)
    for n, (i, j) in enumerate(picked):
        color = WINDOW_COLORS[n % len(WINDOW_COLORS)]
        outline_window(ax_in, i, j, geom, color)
        outline(ax_out, i, j, 1, 1, color)
        if argmax is not None:
            mark_winner(ax_in, *argmax[i, j], geom, color)
    ax_in.set_title(f"input {h}\u00d7{w}", fontsize=10)
    ax_out.set_title(f"output {oh}\u00d7{ow}", fontsize=10)
    if created:
        fig.suptitle(title if title is not None else _describe(mode, geom, ceil_mode, count_include_pad),
                     fontsize=10)
    return finish(fig, created)


def _describe(mode, geom, ceil_mode, count_include_pad=True) -> str:
    def one(t):
        return str(t[0]) if t[0] == t[1] else f"({t[0]}, {t[1]})"

    parts = [f"{'max' if mode == 'max' else 'average'} pooling", f"k={one(geom.kernel)}",
             f"s={one(geom.stride)}"]
    if any(geom.padding):
        parts.append(f"p={one(geom.padding)}")
    if any(d != 1 for d in geom.dilation):
        parts.append(f"d={one(geom.dilation)}")
    if ceil_mode:
        parts.append("ceil mode")
    if mode == "avg" and any(geom.padding) and not count_include_pad:
        parts.append("padding not counted")
    return ", ".join(parts)


def show_pooling_grid(x, settings: Sequence[dict], *, mode: str = "max", ncols: int = 2,
                      annotate: bool | None = None) -> Figure:
    """Several :func:`show_pooling` panels in one figure, one per setting.

    A kernel-free stand-in for the live explorer: precompute the settings
    you want to compare.

    Parameters
    ----------
    x : array_like, shape (H, W)
    settings : list of dict
        Keyword arguments for :func:`show_pooling`, e.g.
        ``[{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}]``;
        each may also set ``mode``.
    mode : {"max", "avg"}, optional
        Default mode for settings that do not set one.
    ncols : int, optional
        Settings per row.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels per setting, closed in pyplot.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> fig = show_pooling_grid(running_example(), [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1}])
    >>> len(fig.axes)
    4
    """
    if not isinstance(settings, (list, tuple)) or not settings:
        raise ValueError(f"settings must be a non-empty list of dicts, got {settings!r}")
    if not isinstance(ncols, int) or isinstance(ncols, bool) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    x = as_map(x)
    ncols = min(ncols, len(settings))
    h, w = x.shape
    panel = CELL_INCH * 2.2 * (w + 2) + 1.2
    # Fewer columns rather than smaller text: a row must fit the column width.
    while ncols > 1 and ncols * panel > MAX_WIDTH_INCHES:
        ncols -= 1
    nrows = math.ceil(len(settings) / ncols)
    fig = plt.figure(figsize=(ncols * panel, nrows * (CELL_INCH * (h + 4) + 1.0)))
    fig.patch.set_facecolor("white")
    outer = fig.add_gridspec(nrows, ncols, hspace=0.45, wspace=0.25)
    try:
        for n, s in enumerate(settings):
            if not isinstance(s, dict) or "kernel_size" not in s:
                raise ValueError(f"settings[{n}] must be a dict with at least 'kernel_size', got {s!r}")
            s = dict(s)
            k = s.pop("kernel_size")
            s.setdefault("mode", mode)
            sub = outer[n // ncols, n % ncols].subgridspec(1, 2, width_ratios=[w + 2, w / 2 + 1], wspace=0.15)
            ax_in, ax_out = fig.add_subplot(sub[0]), fig.add_subplot(sub[1])
            show_pooling(x, k, axes=(ax_in, ax_out), annotate=annotate, **s)
            _, _, geom = pool_map(x, k, stride=s.get("stride"), padding=s.get("padding", 0),
                                  dilation=s.get("dilation", 1), ceil_mode=s.get("ceil_mode", False),
                                  mode=s["mode"], count_include_pad=s.get("count_include_pad", True))
            # An Axes' titles all sit on one line, so the setting (left title) would cover
            # "input HxW". Move "input HxW" / "output OHxOW" into x labels above the column
            # indices; the titles are then placed above those labels, on their own line.
            for ax in (ax_in, ax_out):
                label = ax.get_title()
                ax.set_title("")
                ax.xaxis.set_label_position("top")
                ax.set_xlabel(label, fontsize=10, labelpad=4)
            ax_in.set_title(_describe(check_mode(s["mode"]), geom, s.get("ceil_mode", False),
                                      s.get("count_include_pad", True)), fontsize=9, loc="left")
            # Keep the setting's line above the output's label too (it may run over it).
            fig.align_titles([ax_in, ax_out])
    finally:
        plt.close(fig)
    return fit_width(fig)


def show_routing(x, grad_out=None, kernel_size=2, *, stride=None, padding=0, dilation=1,
                 ceil_mode=False, mode: str = "max", count_include_pad: bool = True,
                 decimals: int | None = None) -> Figure:
    """Show where the backward pass sends each upstream gradient.

    Three panels: the input (each window's winner marked, for max), the
    upstream gradient ``grad_out`` and the resulting ``grad_x``, computed by
    poolkit's backward functions. For max pooling an arrow carries each
    ``grad_out`` cell to the one input cell that won its window (an input
    that wins several overlapping windows adds up their gradients). For
    average pooling each ``grad_out`` cell is spread evenly, ``g / n``, over
    its window, outlined in the gradient panel.

    Parameters
    ----------
    x : array_like, shape (H, W)
    grad_out : array_like, shape (OH, OW), optional
        Upstream gradient; default ``1, 2, 3, ...`` in row-major order so that
        every route is visible.
    kernel_size, stride, padding, dilation, ceil_mode, count_include_pad
        As in the forward function.
    mode : {"max", "avg"}, optional
    decimals : int, optional
        Decimals for non-integer gradients.

    Returns
    -------
    matplotlib.figure.Figure
        Three panels (input, upstream gradient, input gradient), closed in pyplot.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> fig = show_routing(running_example(), kernel_size=2)
    >>> [ax.get_title() for ax in fig.axes]
    ['input x', 'grad_out (upstream)', 'grad_x']
    """
    mode = check_mode(mode)
    x = as_map(x)
    out, argmax, geom = pool_map(x, kernel_size, stride=stride, padding=padding, dilation=dilation,
                                 ceil_mode=ceil_mode, mode=mode, count_include_pad=count_include_pad)
    oh, ow = out.shape
    if grad_out is None:
        g = np.arange(1, oh * ow + 1, dtype=np.float64).reshape(oh, ow)
    else:
        g = as_map(grad_out, "grad_out")
        if g.shape != (oh, ow):
            raise ValueError(f"grad_out must have the output's shape {(oh, ow)}, got {g.shape}")
    gx = pool_backward_map(x, g, kernel_size, stride=stride, padding=padding, dilation=dilation,
                           ceil_mode=ceil_mode, mode=mode, count_include_pad=count_include_pad)
    h, w = x.shape
    (ph, pw) = geom.padding
    fig, grid = new_figure(max(6.0, CELL_INCH * (2 * w + ow) + 2.4), max(2.2, CELL_INCH * max(h, oh) + 1.3),
                            ncols=3, gridspec_kw={"width_ratios": [w, max(ow, 1), w], "wspace": 0.45})
    ax_x, ax_g, ax_gx = grid[0]
    annotate = max(h, w) <= 12
    show_map(x, ax=ax_x, annotate=annotate, decimals=decimals, title="input x")
    gnorm = norm_for(g, gx, vmin=min(0.0, float(np.nanmin(g))))
    draw_values(ax_g, g, gnorm, CMAP, annotate=annotate, decimals=decimals)
    style_grid_axes(ax_g, oh, ow)
    draw_values(ax_gx, gx, gnorm, CMAP, annotate=annotate, decimals=decimals)
    style_grid_axes(ax_gx, h, w)
    ax_g.set_title("grad_out (upstream)", fontsize=10)
    ax_gx.set_title("grad_x", fontsize=10)
    many = oh * ow > len(WINDOW_COLORS)
    for n, (i, j) in enumerate((i, j) for i in range(oh) for j in range(ow)):
        color = WINDOW_COLORS[n % len(WINDOW_COLORS)]
        if not many:
            outline(ax_g, i, j, 1, 1, color)
        if mode == "max":
            r, c = (int(v) for v in argmax[i, j])
            if not many:
                outline(ax_x, r, c, 1, 1, color, inset=0.1 * (n % 3))
            if not many:
                outline(ax_gx, r, c, 1, 1, color, inset=0.1 * (n % 3))
            arrow = ConnectionPatch(xyA=(j + 0.3, i), coordsA="data", axesA=ax_g, xyB=(c - 0.3, r),
                                    coordsB="data", axesB=ax_gx, arrowstyle="-|>", color=color,
                                    linewidth=1.3, mutation_scale=9, shrinkA=2, shrinkB=2, zorder=10,
                                    alpha=0.9)
            arrow.set_path_effects([patheffects.withStroke(linewidth=3, foreground="white")])
            fig.add_artist(arrow)
        elif not many:
            rows, cols = window_taps_2d(i, j, geom)
            r0, r1 = max(rows[0] - ph, 0), min(rows[-1] - ph, h - 1)
            c0, c1 = max(cols[0] - pw, 0), min(cols[-1] - pw, w - 1)
            if r1 >= r0 and c1 >= c0:
                outline(ax_gx, r0, c0, r1 - r0 + 1, c1 - c0 + 1, color, inset=0.06 * (n % 3))
    verb = "routes each gradient to its window's maximum" if mode == "max" else \
        "spreads each gradient evenly over its window"
    fig.suptitle(f"{_describe(mode, geom, ceil_mode, count_include_pad)}: backward {verb}", fontsize=10)
    return finish(fig, True)


def show_receptive_field(layers, size: int = 16, *, unit: int | None = None) -> Figure:
    """Draw which input cells one unit of the last layer sees, through a stack of layers.

    One axis only. Rows from bottom to top: the input, then each layer's
    output, each cell placed at the centre of its own receptive field. The
    chosen unit, and every cell it depends on, is coloured; lines join each
    such cell to the cells it reads in the row below.

    Parameters
    ----------
    layers : sequence
        As for :func:`poolkit.receptive_field`, e.g.
        ``[dict(name="conv1", kernel_size=3, padding=1), dict(name="pool1", kernel_size=2, stride=2)]``.
    size : int, optional
        Input length.
    unit : int, optional
        Which unit of the last layer (default: the middle one).

    Returns
    -------
    matplotlib.figure.Figure
        One panel, closed in pyplot.

    Examples
    --------
    >>> fig = show_receptive_field([dict(name="conv", kernel_size=3, padding=1),
    ...                             dict(name="pool", kernel_size=2, stride=2)], size=8)
    >>> fig.axes[0].get_title()
    'one pool unit sees 4 input cells'
    """
    lengths, cone = receptive_cone(layers, size, unit)
    rf = pk.receptive_field(layers)
    names = ["input"] + [r.name for r in rf]
    starts = [0.0] + [r.start for r in rf]
    jumps = [1] + [r.jump for r in rf]
    specs = [(r.kernel_size, r.stride, r.padding, r.dilation) for r in rf]
    rows = len(lengths)
    fig, axes = new_figure(max(4.0, 0.32 * size + 2.0), 0.62 * rows + 1.0)
    ax = axes[0, 0]
    cone_color, unit_color, idle = WINDOW_COLORS[1], WINDOW_COLORS[0], "#d9d9d9"
    for li in range(rows):
        for c in range(lengths[li]):
            x = starts[li] + c * jumps[li]
            inside = c in cone[li]
            color = unit_color if (inside and li == rows - 1) else (cone_color if inside else idle)
            ax.add_patch(Rectangle((x - 0.4, li - 0.3), 0.8, 0.6, facecolor=color, edgecolor="white",
                                   linewidth=1.0, zorder=3))
        if li > 0:
            k, st, p, d = specs[li - 1]
            for o in cone[li]:
                x_top = starts[li] + o * jumps[li]
                for t in range(k):
                    c = o * st - p + d * t
                    if 0 <= c < lengths[li - 1]:
                        x_bot = starts[li - 1] + c * jumps[li - 1]
                        ax.plot([x_top, x_bot], [li - 0.3, li - 1 + 0.3], color=cone_color,
                                linewidth=0.8, alpha=0.6, zorder=2)
        ax.text(size - 0.2, li, f"  r={1 if li == 0 else rf[li - 1].size}, j={jumps[li]}",
                va="center", ha="left", fontsize=8, color="#444444")
    ax.set_xlim(-1.0, size + 2.5)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.set_yticks(range(rows))
    ax.set_yticklabels(names, fontsize=9)
    ax.set_xticks(range(size))
    ax.tick_params(axis="x", labelsize=7, length=0)
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    seen = len(cone[0])
    title = f"one {names[-1]} unit sees {seen} input cells"
    if seen < rf.size:
        title += f" (its field of {rf.size} is cut by the border)"
    ax.set_title(title, fontsize=10)
    ax.set_facecolor("white")
    return finish(fig, True)
