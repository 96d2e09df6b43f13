"""The grid-drawing toolkit that every course figure, animation and explorer shares.

A pooling figure is built from a few pieces, each one function here:

* **input coercion**: :func:`as_map` (a 2-D float map from what a learner passes),
  :func:`check_mode` (``"max"``/``"avg"``, ``"mean"`` accepted);
* **figures**: :func:`new_figure` / :func:`figure_for` create one (white, constrained
  layout), :func:`finish` closes a figure the function created (so a notebook shows it
  exactly once) after :func:`fit_width` shrinks it to :data:`MAX_WIDTH_INCHES`;
  :func:`white_background` whitens a figure and its axes;
* **cells**: :func:`draw_values` (coloured cells with their values), :func:`style_grid_axes`
  (square cells, white separators, row/column indices), :func:`draw_padded_input` (the
  input inside its hatched padding ring and any ceil-mode overhang);
* **outlines**: :func:`outline` (a rectangle of cells), :func:`outline_window` (one pooling
  window, each tap marked when it is dilated), :func:`mark_winner` (the dot on a window's
  maximum);
* **values and labels**: :func:`fmt_value` (``3``, ``2.5``, ``−∞``, ``NaN``),
  :func:`cell_label` (text, contrasting colour and size for a cell), :func:`base_fontsize`,
  :func:`norm_for` (one colour scale over several arrays);
* **geometry**: :func:`window_taps_2d` and :func:`padded_extent`, in padded coordinates
  (cell ``(0, 0)`` is the first padding cell).

Conventions: cell ``(r, c)`` of a grid is centred at ``x = c``, ``y = r`` (rows grow
downwards); colours are the colour-blind-safe Okabe-Ito palette (:data:`WINDOW_COLORS`) and
the ``cividis`` colour map (:data:`CMAP`); outlines and text carry a white halo so they stay
visible on any cell. Importing this module in a Jupyter kernel switches the inline backend to
``retina`` PNG (:func:`crisp_inline_png`).
"""

from __future__ import annotations

import math
from typing import Any

from poolkit import geometry as _geometry

from .deps import requires

with requires("poolkit.course.grid"):
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

__all__ = [
    "VERMILION", "BLUE", "GREEN", "PURPLE", "ORANGE", "SKY_BLUE", "BLACK", "YELLOW", "GREY",
    "WINDOW_COLORS", "CMAP", "PAD_COLOR", "OUTSIDE_COLOR", "EMPTY_COLOR", "CELL_INCH",
    "MAX_WIDTH_INCHES", "HALO", "TEXT_HALO",
    "as_map", "check_mode", "crisp_inline_png", "new_figure", "figure_for", "fit_width",
    "white_background", "finish", "fmt_value", "text_color", "cell_label", "base_fontsize",
    "norm_for", "style_grid_axes", "draw_values", "outline", "cells", "window_taps_2d",
    "padded_extent", "draw_padded_input", "outline_window", "mark_winner",
]

# The Okabe-Ito colours, distinguishable by colour-blind readers: the course's one palette.
VERMILION, BLUE, GREEN, PURPLE = "#D55E00", "#0072B2", "#009E73", "#CC79A7"
ORANGE, SKY_BLUE, BLACK, YELLOW = "#E69F00", "#56B4E9", "#000000", "#F0E442"
#: A neutral grey for what is out of reach (ceil-mode overhang, "below the floor").
GREY = "#999999"
#: One colour per window, in the order windows are outlined.
WINDOW_COLORS = (VERMILION, BLUE, GREEN, PURPLE, ORANGE, SKY_BLUE, BLACK, YELLOW)

#: The colour map for values (colour-blind safe, readable in gray).
CMAP = "cividis"
#: The colour of padding cells.
PAD_COLOR = "#d9d9d9"
#: The colour of cells a ceil-mode window reaches beyond the padding.
OUTSIDE_COLOR = "#f2f2f2"
#: The colour of cells with no value yet (or a non-finite one).
EMPTY_COLOR = "#ececec"
#: Size of one grid cell in inches.
CELL_INCH = 0.42
#: The widest figure in inches (6.6 in at 100 dpi fits the 672-pixel figure column of the site at 1280 pixels).
MAX_WIDTH_INCHES = 6.6
#: The white halo around outlines.
HALO = [patheffects.withStroke(linewidth=3.5, foreground="white")]
#: The white halo around text drawn on cells.
TEXT_HALO = [patheffects.withStroke(linewidth=2.0, foreground="white")]


# ----------------------------------------------------------------------------
# input coercion
# ----------------------------------------------------------------------------


def as_map(x: Any, name: str = "x") -> np.ndarray:
    """A 2-D float64 array from ``x``; leading axes of size 1 are dropped.

    Raises
    ------
    TypeError
        If ``x`` is not an array of real numbers (the message names ``name``).
    ValueError
        If ``x`` is not 2-D after dropping leading axes of size 1, or is empty.

    Examples
    --------
    >>> as_map([[[1, 2], [3, 4]]]).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    try:
        arr = np.asarray(x)
    except Exception:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(x).__name__}") from None
    if arr.dtype.kind not in "iufb":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    while arr.ndim > 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D map (H, W) (leading axes of size 1 are dropped), "
            f"got shape {np.shape(x)}"
        )
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr.astype(np.float64)


def check_mode(mode: Any) -> str:
    """``"max"`` or ``"avg"`` (``"mean"`` is accepted for ``"avg"``); a clear ValueError otherwise.

    >>> check_mode("mean")
    'avg'
    """
    if mode == "mean":
        mode = "avg"
    if mode not in ("max", "avg"):
        raise ValueError(f"mode={mode!r} must be 'max' or 'avg' (also spelled 'mean')")
    return mode


# ----------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------


def crisp_inline_png() -> bool:
    """In a Jupyter kernel, show figures as 2x (``retina``) PNG; True if it did."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None or "IPKernelApp" not in shell.config:
            return False
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
        return True
    except Exception:  # pragma: no cover - never stop a notebook for a display preference
        return False


crisp_inline_png()


def new_figure(width: float, height: float, ncols: int = 1, nrows: int = 1, **kw):
    """A white figure of ``width`` x ``height`` inches and its ``(nrows, ncols)`` array of axes.

    The layout is ``"constrained"`` unless ``layout`` is given; other keywords go to
    :func:`matplotlib.pyplot.subplots`.
    """
    kw.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False, **kw)
    fig.patch.set_facecolor("white")
    return fig, axes


def figure_for(ax, figsize) -> tuple[Figure, Any, bool]:
    """``(fig, ax, created)``: ``ax``'s figure, or a new figure of ``figsize`` inches if ``ax`` is None."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax, True
    return ax.figure, ax, False


def fit_width(fig: Figure) -> Figure:
    """Shrink a figure wider than :data:`MAX_WIDTH_INCHES` to that width, keeping its aspect."""
    w, h = fig.get_size_inches()
    if w > MAX_WIDTH_INCHES:
        fig.set_size_inches(MAX_WIDTH_INCHES, h * MAX_WIDTH_INCHES / w)
    return fig


def white_background(fig: Figure) -> Figure:
    """White figure and axes backgrounds (readable in the site's dark mode)."""
    fig.patch.set_facecolor("white")
    for ax in fig.axes:
        ax.set_facecolor("white")
    return fig


def finish(fig: Figure, created: bool) -> Figure:
    """Close a figure the caller created, no wider than the column; leave a given one open.

    A closed figure still displays when it is a cell's result, exactly once.
    """
    if created:
        fit_width(fig)
        plt.close(fig)
    return fig


# ----------------------------------------------------------------------------
# values and labels
# ----------------------------------------------------------------------------


def fmt_value(v: float, decimals: int | None = None) -> str:
    """A value as a cell shows it: integers without decimals, a true minus sign, ``±∞``, ``NaN``.

    >>> fmt_value(3.0), fmt_value(-2.5), fmt_value(1 / 3), fmt_value(float("-inf")), fmt_value(10.2, 0)
    ('3', '−2.5', '0.33', '−∞', '10')
    """
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "\u2212\u221e" if v < 0 else "\u221e"
    if decimals is None:
        if float(v).is_integer():
            return f"{int(v)}".replace("-", "\u2212")
        decimals = 2
    text = f"{v:.{decimals}f}"
    if "." in text:  # trailing zeros of the decimals only (decimals=0 once turned 10 into "1")
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "\u2212")


def text_color(rgba) -> str:
    """``"black"`` on a light cell colour, ``"white"`` on a dark one."""
    r, g, b = rgba[:3]
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if lum > 0.45 else "white"


def cell_label(v: float, norm, cmap, decimals, fontsize) -> tuple[str, str, float]:
    """Text, colour (contrasting with the cell) and size for a value drawn in a cell.

    Texts longer than three characters are drawn smaller, so they fit their cell.
    """
    color = "black" if not np.isfinite(v) else text_color(cmap(norm(v)))
    text = fmt_value(v, decimals)
    size = fontsize if len(text) <= 3 else fontsize * (0.8 if len(text) == 4 else 0.68)
    return text, color, size


def base_fontsize(rows: int, cols: int) -> float:
    """The font size of cell values in a ``rows`` x ``cols`` grid (smaller grids, larger text)."""
    return 11 if max(rows, cols) <= 6 else (9 if max(rows, cols) <= 10 else 7)


def norm_for(*arrays: np.ndarray, vmin=None, vmax=None) -> Normalize:
    """One colour scale over the finite values of all ``arrays`` (``vmin``/``vmax`` override it)."""
    finite = [a[np.isfinite(a)] for a in arrays]
    finite = [f for f in finite if f.size]
    lo = min(float(f.min()) for f in finite) if finite else 0.0
    hi = max(float(f.max()) for f in finite) if finite else 1.0
    lo = lo if vmin is None else vmin
    hi = hi if vmax is None else vmax
    if hi <= lo:
        hi = lo + 1.0
    return Normalize(vmin=lo, vmax=hi)


# ----------------------------------------------------------------------------
# cells
# ----------------------------------------------------------------------------


def style_grid_axes(ax, rows: int, cols: int, *, row0: int = 0, col0: int = 0,
                    index_labels: bool = True) -> None:
    """Square cells, white separators, optional row/column indices (for grids up to 16x16)."""
    ax.set_xlim(col0 - 0.5, col0 + cols - 0.5)
    ax.set_ylim(row0 + rows - 0.5, row0 - 0.5)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(col0 - 0.5, col0 + cols, 1.0), minor=True)
    ax.set_yticks(np.arange(row0 - 0.5, row0 + rows, 1.0), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0, labelsize=7, colors="#444444")
    for spine in ax.spines.values():
        spine.set_visible(False)
    if index_labels and rows <= 16 and cols <= 16:
        ax.set_xticks(np.arange(col0, col0 + cols))
        ax.set_yticks(np.arange(row0, row0 + rows))
        ax.set_xticklabels([str(c) for c in range(cols)])
        ax.set_yticklabels([str(r) for r in range(rows)])
        ax.xaxis.tick_top()
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_facecolor("white")


def draw_values(ax, values: np.ndarray, norm, cmap=CMAP, *, annotate: bool, origin=(0, 0),
                decimals: int | None = None, fontsize: float | None = None,
                mask: np.ndarray | None = None) -> None:
    """Coloured cells with their values; cell (r, c) is centred at (c + c0, r + r0).

    Cells where ``mask`` is False are left blank (an output not computed yet), and so are
    non-finite values' colours (:data:`EMPTY_COLOR`); their text still says ``NaN`` or ``±∞``.
    """
    r0, c0 = origin
    rows, cols = values.shape
    cmap = plt.get_cmap(cmap).with_extremes(bad=EMPTY_COLOR)
    shown = np.where(np.isfinite(values), values, np.nan)
    if mask is not None:
        shown = np.where(mask, shown, np.nan)
    ax.imshow(shown, cmap=cmap, norm=norm, interpolation="nearest",
              extent=(c0 - 0.5, c0 + cols - 0.5, r0 + rows - 0.5, r0 - 0.5))
    if not annotate:
        return
    if fontsize is None:
        fontsize = base_fontsize(rows, cols)
    for r in range(rows):
        for c in range(cols):
            if mask is not None and not mask[r, c]:
                continue
            text, color, size = cell_label(float(values[r, c]), norm, cmap, decimals, fontsize)
            ax.text(c0 + c, r0 + r, text, ha="center", va="center", fontsize=size, color=color)


def outline(ax, r: float, c: float, h: float, w: float, color: str, *, lw: float = 2.5,
            ls: str = "-", inset: float = 0.0) -> Rectangle:
    """Outline the ``h`` x ``w`` cells whose top-left cell is ``(r, c)``; return the patch."""
    rect = Rectangle((c - 0.5 + inset, r - 0.5 + inset), w - 2 * inset, h - 2 * inset,
                     fill=False, edgecolor=color, linewidth=lw, linestyle=ls, zorder=5)
    rect.set_path_effects(HALO)
    ax.add_patch(rect)
    return rect


def cells(spec) -> list[tuple[int, int]]:
    """``(row, col)`` pairs from one pair, a list of pairs or a boolean mask (``None``: none).

    >>> cells((1, 2)), cells([[True, False], [False, True]])
    ([(1, 2)], [(0, 0), (1, 1)])
    """
    if spec is None:
        return []
    arr = np.asarray(spec)
    if arr.dtype == bool:
        return [tuple(int(i) for i in rc) for rc in np.argwhere(arr)]
    if arr.ndim == 1 and arr.size == 2:
        return [(int(arr[0]), int(arr[1]))]
    return [(int(r), int(c)) for r, c in arr.reshape(-1, 2)]


# ----------------------------------------------------------------------------
# pooling windows, in padded coordinates
# ----------------------------------------------------------------------------


def window_taps_2d(i: int, j: int, geom) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns (padded coordinates) read by window ``(i, j)`` of a pooling ``geom``.

    ``geom`` is :func:`poolkit.params.pool_geometry`'s result (per-axis ``kernel``,
    ``stride``, ``padding``, ``dilation`` and ``out``).
    """
    (kh, kw), (sh, sw), (dh, dw) = geom.kernel, geom.stride, geom.dilation
    rows = i * sh + dh * np.arange(kh)
    cols = j * sw + dw * np.arange(kw)
    return rows, cols


def padded_extent(shape, geom) -> tuple[int, int]:
    """Rows and columns a figure draws for an input of ``shape``: the padded input, and any
    cells past it that a ceil-mode window reaches.

    >>> from poolkit.params import pool_geometry
    >>> padded_extent((5, 5), pool_geometry((5, 5), 2, 2, 0, 1, True))
    (6, 6)
    """
    return tuple(max(n + 2 * p, _geometry.padded_extent(o, k, s, d))
                 for n, p, o, k, s, d in zip(shape, geom.padding, geom.out, geom.kernel, geom.stride,
                                             geom.dilation))


def draw_padded_input(ax, x: np.ndarray, geom, mode: str, norm, *, annotate: bool,
                      decimals: int | None) -> tuple[int, int]:
    """Input with its padding ring (and any ceil-mode overhang); returns the padded extent.

    Padding cells are hatched and say what they hold (``−∞`` for max, ``0`` for average);
    the row and column indices count real cells only.
    """
    h, w = x.shape
    (ph, pw) = geom.padding
    rows, cols = padded_extent(x.shape, geom)
    pad_label = "\u2212\u221e" if mode == "max" else "0"
    small = max(rows, cols) > 10
    for r in range(rows):
        for c in range(cols):
            inside = ph <= r < ph + h and pw <= c < pw + w
            if inside:
                continue
            is_pad = r < h + 2 * ph and c < w + 2 * pw
            ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor=PAD_COLOR if is_pad else OUTSIDE_COLOR,
                                   edgecolor="white", linewidth=1.5, hatch="//" if is_pad else None,
                                   zorder=1))
            if annotate and is_pad and not small:
                ax.text(c, r, pad_label, ha="center", va="center", fontsize=9, color="#555555", zorder=2,
                        path_effects=TEXT_HALO)
    draw_values(ax, x, norm, CMAP, annotate=annotate, origin=(ph, pw), decimals=decimals)
    style_grid_axes(ax, rows, cols)
    if (ph or pw or rows > h + 2 * ph or cols > w + 2 * pw) and rows <= 16 and cols <= 16:
        # Index labels count real cells only.
        ax.set_xticklabels([str(c - pw) if 0 <= c - pw < w else "" for c in range(cols)])
        ax.set_yticklabels([str(r - ph) if 0 <= r - ph < h else "" for r in range(rows)])
    return rows, cols


def outline_window(ax, i: int, j: int, geom, color: str) -> list[Rectangle]:
    """Outline window ``(i, j)`` in padded coordinates; return the patches drawn.

    A dilated window gets a dashed outline of the span it covers and a small outline
    on each cell it reads.
    """
    rows, cols = window_taps_2d(i, j, geom)
    (kh, kw), (dh, dw) = geom.kernel, geom.dilation
    if dh == 1 and dw == 1:
        return [outline(ax, rows[0], cols[0], kh, kw, color)]
    drawn = [outline(ax, rows[0], cols[0], rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1, color,
                     lw=1.2, ls="--")]
    for r in rows:
        for c in cols:
            drawn.append(outline(ax, r, c, 1, 1, color, lw=2.0, inset=0.08))
    return drawn


def mark_winner(ax, r: int, c: int, geom, color: str, *, markersize: float = 5) -> list:
    """A dot in the top-right corner of input cell ``(r, c)`` (real coordinates): a window's maximum."""
    (ph, pw) = geom.padding
    return ax.plot(c + pw + 0.3, r + ph - 0.3, "o", color=color, markersize=markersize,
                   markeredgecolor="white", markeredgewidth=1.0, zorder=6)
