"""Where the windows of a 1-D pooling fall: the positions they read, and a figure of them.

:func:`window_taps` lists the cells every window of one axis reads (in padded
coordinates, with the window PyTorch's ceil-mode rule drops), and
:func:`show_windows_1d` draws them under the padded input. The 2-D window figures
are :func:`poolkit.course.plot.show_pooling` and
:func:`~poolkit.course.plot.show_pooling_grid`.
"""

from __future__ import annotations

from poolkit import geometry as _geometry
from poolkit import params as _p

from .deps import requires

with requires("poolkit.course.windows"):
    from matplotlib.patches import Rectangle

    from .grid import BLUE, GREY, VERMILION, figure_for, finish, white_background

__all__ = ["windows_before_drop", "window_taps", "show_windows_1d"]


def windows_before_drop(size: int, kernel_size: int, stride: int, padding: int, dilation: int,
                        ceil_mode: bool) -> int:
    """How many windows fit along one axis before PyTorch's ceil-mode rule drops a last one.

    ``floor`` (or ``ceil``) of ``(size + 2p - d(k-1) - 1) / s``, plus one; with validated
    ints (the output length itself is :func:`poolkit.params.output_length`).

    >>> windows_before_drop(5, 2, 2, 1, 1, True), windows_before_drop(5, 2, 2, 1, 1, False)
    (4, 3)
    """
    return _geometry.windows_before_drop(size, kernel_size, stride, padding, dilation, ceil_mode)


def window_taps(size, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Positions read by every window of a 1-D pooling, in padded coordinates.

    Cell ``0`` is the first padding cell, so the input occupies cells
    ``padding`` to ``padding + size - 1``. In ceil mode the list also holds the
    window that PyTorch's last-window rule drops, flagged ``kept=False``.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation : int
        As in :func:`poolkit.output_size` (one axis).
    ceil_mode : bool
        Round the window count up.

    Returns
    -------
    list of (list of int, bool)
        For each window: its tap positions and whether it is kept.

    Examples
    --------
    >>> window_taps(5, 2, stride=2, padding=1, ceil_mode=True)
    [([0, 1], True), ([2, 3], True), ([4, 5], True), ([6, 7], False)]
    """
    n = _p.check_int(size, "size")
    if n < 1:
        raise ValueError(f"size={size!r} must be at least 1")
    k, s, p, d = (t[0] for t in _p.check_kernel_args(kernel_size, stride, padding, dilation, 1))
    ceil_mode = _p.check_bool(ceil_mode, "ceil_mode")
    if n + 2 * p - d * (k - 1) - 1 < 0:
        raise ValueError(f"kernel_size={kernel_size!r} with dilation={dilation!r} does not fit "
                         f"in the padded input ({n} + 2*{p} cells)")
    raw = windows_before_drop(n, k, s, p, d, ceil_mode)
    kept = _p.output_length(n, k, s, p, d, ceil_mode)
    return [([j * s + i * d for i in range(k)], j < kept) for j in range(raw)]


def show_windows_1d(size, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
                    title=None, ax=None):
    """Draw a padded 1-D input and, below it, the cells each window reads.

    Real cells are white and numbered, padding cells are hatched grey. Each
    window is one row of dots (its taps) joined by a line (its span). A window
    that the ceil-mode rule drops is drawn hollow and dashed, and cells past
    the padded input are drawn dotted.

    Parameters
    ----------
    size, kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`window_taps`.
    title : str, optional
        Axes title; by default the arguments and the output size.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure is made if omitted.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax``'s figure (left open), or a new one closed by :func:`~poolkit.course.grid.finish`.

    Examples
    --------
    >>> fig = show_windows_1d(5, 2, stride=2, padding=1, ceil_mode=True)
    >>> len(fig.axes)
    1
    """
    wins = window_taps(size, kernel_size, stride=stride, padding=padding,
                       dilation=dilation, ceil_mode=ceil_mode)
    k, s, p, d = (t[0] for t in _p.check_kernel_args(kernel_size, stride, padding, dilation, 1))
    n = int(size)
    padded = n + 2 * p
    last = max(max(t) for t, _ in wins)
    width = max(padded, last + 1)
    fig, ax, created = figure_for(ax, (0.55 * width + 1.8, 0.55 * (len(wins) + 1) + 0.9))
    for c in range(width):
        if c >= padded:
            ax.add_patch(Rectangle((c, 0), 1, 1, fill=False, ec=GREY, ls=":", lw=1))
            continue
        real = p <= c < p + n
        ax.add_patch(Rectangle((c, 0), 1, 1, fc="white" if real else "#dddddd",
                               ec="black", lw=1, hatch=None if real else "//"))
        ax.text(c + 0.5, 0.5, str(c - p) if real else "pad", ha="center", va="center",
                fontsize=9 if real else 7, color="black")
    n_kept = sum(kept for _, kept in wins)
    for j, (taps, kept) in enumerate(wins):
        y = -0.9 * (j + 1) + 0.5
        colour = BLUE if kept else VERMILION
        xs = [t + 0.5 for t in taps]
        ax.plot([xs[0], xs[-1]], [y, y], color=colour, lw=2, ls="-" if kept else "--")
        ax.plot(xs, [y] * len(xs), "o", ms=8, color=colour, mfc=colour if kept else "white", mew=2)
        label = f"window {j}" if kept else f"window {j}: dropped"
        ax.text(-0.3, y, label, ha="right", va="center", fontsize=9, color=colour)
    ax.set_xlim(-3.2 if n_kept < len(wins) else -2.2, width + 0.2)
    ax.set_ylim(-0.9 * len(wins) - 0.2, 1.15)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        mode = "ceil" if ceil_mode else "floor"
        title = (f"in={n}, k={k}, s={s}, p={p}" + (f", d={d}" if d > 1 else "")
                 + f", {mode} mode: out={n_kept}")
    ax.set_title(title, fontsize=10)
    return finish(white_background(fig), created)
