"""Figures specific to chapters 5-7 (sizes, cost, drawbacks).

The general figures live in :mod:`poolkit.plot`; the three drawings here serve
one chapter each: where the windows of a 1-D pooling fall
(:func:`show_windows_1d`), how fast pooling runs next to the memory floor
(:func:`show_timings`), and how much a pooled map changes under small shifts
(:func:`show_shift_change`). Every figure has a white background and uses
colour-blind-safe colours, so it reads in light and dark mode.
"""

from __future__ import annotations

from . import params as _p

__all__ = ["window_taps", "show_windows_1d", "show_timings", "show_shift_change"]

# Colour-blind-safe qualitative colours (Okabe & Ito).
_BLUE, _ORANGE, _GREEN, _GREY, _VERMILION = "#0072B2", "#E69F00", "#009E73", "#999999", "#D55E00"


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
    span = n + 2 * p - d * (k - 1) - 1
    if span < 0:
        raise ValueError(f"kernel_size={kernel_size!r} with dilation={dilation!r} does not fit "
                         f"in the padded input ({n} + 2*{p} cells)")
    raw = (-((-span) // s) if ceil_mode else span // s) + 1
    kept = _p.output_length(n, k, s, p, d, ceil_mode)
    return [([j * s + i * d for i in range(k)], j < kept) for j in range(raw)]


def _figure(ax, figsize):
    """``(fig, ax, created)``: ``ax``'s figure, or a new figure of ``figsize`` inches if ``ax`` is None."""
    import matplotlib.pyplot as plt

    from . import plot  # noqa: F401  (in a kernel: crisp 2x PNG, as for every course figure)

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax, True
    return ax.figure, ax, False


def _white(fig, created):
    """White background (readable in dark mode); close a figure we created.

    A closed figure still displays when it is a cell's result, exactly once.
    """
    import matplotlib.pyplot as plt

    fig.patch.set_facecolor("white")
    for ax in fig.axes:
        ax.set_facecolor("white")
    if created:
        from .plot import _fit_width

        _fit_width(fig)
        plt.close(fig)
    return fig


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
        Closed in pyplot if it was created here, so a notebook shows it once,
        as the cell's result.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = show_windows_1d(5, 2, stride=2, padding=1, ceil_mode=True)
    >>> len(fig.axes)
    1
    """
    from matplotlib.patches import Rectangle

    wins = window_taps(size, kernel_size, stride=stride, padding=padding,
                       dilation=dilation, ceil_mode=ceil_mode)
    k, s, p, d = (t[0] for t in _p.check_kernel_args(kernel_size, stride, padding, dilation, 1))
    n = int(size)
    padded = n + 2 * p
    last = max(max(t) for t, _ in wins)
    width = max(padded, last + 1)
    fig, ax, created = _figure(ax, (0.55 * width + 1.8, 0.55 * (len(wins) + 1) + 0.9))
    for c in range(width):
        if c >= padded:
            ax.add_patch(Rectangle((c, 0), 1, 1, fill=False, ec=_GREY, ls=":", lw=1))
            continue
        real = p <= c < p + n
        ax.add_patch(Rectangle((c, 0), 1, 1, fc="white" if real else "#dddddd",
                               ec="black", lw=1, hatch=None if real else "//"))
        ax.text(c + 0.5, 0.5, str(c - p) if real else "pad", ha="center", va="center",
                fontsize=9 if real else 7, color="black")
    n_kept = sum(kept for _, kept in wins)
    for j, (taps, kept) in enumerate(wins):
        y = -0.9 * (j + 1) + 0.5
        colour = _BLUE if kept else _VERMILION
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
    return _white(fig, created)


def show_timings(sizes, timings, floor, *, xlabel="input height = width", ax=None):
    """Plot run time against input size, one line per implementation, with the memory floor.

    Parameters
    ----------
    sizes : sequence of int
        Input sizes (x axis).
    timings : dict of str to sequence of float
        Seconds per call for each implementation; ``nan`` marks a size not timed.
    floor : sequence of float
        Seconds needed just to read the input and write the output once at the
        measured memory bandwidth.
    xlabel : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Closed in pyplot if it was created here, so a notebook shows it once,
        as the cell's result.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = show_timings([8, 16], {"fast": [1e-5, 4e-5]}, [1e-6, 4e-6])
    >>> len(fig.axes)
    1
    """
    fig, ax, created = _figure(ax, (6.4, 4.0))
    styles = [(_VERMILION, "s"), (_BLUE, "o"), (_GREEN, "^"), (_ORANGE, "D")]
    for (name, ts), (colour, marker) in zip(timings.items(), styles):
        ax.loglog(sizes, ts, marker=marker, color=colour, label=name)
    ax.loglog(sizes, floor, color="black", ls="--", label="memory floor (read input + write output)")
    bottom = min(floor) / 3
    ax.fill_between(sizes, [bottom] * len(sizes), floor, color=_GREY, alpha=0.25, lw=0,
                    label="below the floor: out of reach")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds per call (log scale)")
    ax.set_xticks(list(sizes))
    ax.set_xticklabels([str(v) for v in sizes])
    ax.minorticks_off()
    ax.grid(True, which="major", color="#e0e0e0")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_ylim(bottom=bottom)
    return _white(fig, created)


def show_shift_change(shifts, curves, *, ylabel="change of the pooled map", title=None, ax=None):
    """Plot a change measure against the input shift, one line per method.

    Parameters
    ----------
    shifts : sequence of int
        Input shifts in pixels (x axis).
    curves : dict of str to sequence of float
        The change for each method at each shift.
    ylabel, title : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        Closed in pyplot if it was created here, so a notebook shows it once,
        as the cell's result.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = show_shift_change([0, 1, 2], {"max pool": [0, 0.2, 0]})
    >>> len(fig.axes)
    1
    """
    fig, ax, created = _figure(ax, (6.0, 3.6))
    styles = [(_VERMILION, "s", "-"), (_BLUE, "o", "--"), (_GREEN, "^", "-.")]
    for (name, ys), (colour, marker, ls) in zip(curves.items(), styles):
        ax.plot(list(shifts), list(ys), marker=marker, color=colour, ls=ls, label=name)
    ax.set_xlabel("shift of the input (pixels)")
    ax.set_ylabel(ylabel)
    ax.set_xticks(list(shifts))
    top = max(max(ys) for ys in curves.values())
    ax.set_ylim(0, 1.45 * top if top > 0 else 1)   # room for the legend above the peaks
    ax.grid(True, color="#e0e0e0")
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    if title:
        ax.set_title(title, fontsize=10)
    return _white(fig, created)

