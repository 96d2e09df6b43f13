"""How much a pooled map changes when its input shifts: the shift-invariance figures.

:func:`show_shift_change` plots a change measure against the input shift, one line per
method (max pooling, average pooling, blurred pooling...), as chapters 2 and 7 measure it.
"""

from __future__ import annotations

from .deps import requires

with requires("poolkit.course.invariance"):
    from .grid import BLUE, GREEN, VERMILION, figure_for, finish, white_background

__all__ = ["show_shift_change"]


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
        The curves, on ``ax`` or in a new figure closed in pyplot (so it shows once).

    Examples
    --------
    >>> fig = show_shift_change([0, 1, 2], {"max pool": [0, 0.2, 0]})
    >>> len(fig.axes)
    1
    """
    fig, ax, created = figure_for(ax, (6.0, 3.6))
    styles = [(VERMILION, "s", "-"), (BLUE, "o", "--"), (GREEN, "^", "-.")]
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
    return finish(white_background(fig), created)
