"""How fast pooling runs: run time against input size, next to the memory floor.

:func:`show_timings` draws the measurements chapter 6 makes (one line per
implementation, log scales) above the time needed just to read the input and write
the output once, the floor no implementation can beat. The counts behind it are
:mod:`poolkit.cost`'s.
"""

from __future__ import annotations

from .deps import requires

with requires("poolkit.course.timing"):
    from .grid import BLUE, GREEN, GREY, ORANGE, VERMILION, figure_for, finish, white_background

__all__ = ["show_timings"]


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
        The timing plot, on ``ax`` or in a figure of its own (closed in pyplot, shown once).

    Examples
    --------
    >>> fig = show_timings([8, 16], {"fast": [1e-5, 4e-5]}, [1e-6, 4e-6])
    >>> len(fig.axes)
    1
    """
    fig, ax, created = figure_for(ax, (6.4, 4.0))
    styles = [(VERMILION, "s"), (BLUE, "o"), (GREEN, "^"), (ORANGE, "D")]
    for (name, ts), (colour, marker) in zip(timings.items(), styles):
        ax.loglog(sizes, ts, marker=marker, color=colour, label=name)
    ax.loglog(sizes, floor, color="black", ls="--", label="memory floor (read input + write output)")
    bottom = min(floor) / 3
    ax.fill_between(sizes, [bottom] * len(sizes), floor, color=GREY, alpha=0.25, lw=0,
                    label="below the floor: out of reach")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds per call (log scale)")
    ax.set_xticks(list(sizes))
    ax.set_xticklabels([str(v) for v in sizes])
    ax.minorticks_off()
    ax.grid(True, which="major", color="#e0e0e0")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_ylim(bottom=bottom)
    return finish(white_background(fig), created)
