"""Kernel-free animations: the pooling window sliding, and the gradient flowing back.

:func:`sliding_window` builds a matplotlib ``FuncAnimation``; :func:`to_html`
turns it into a self-contained HTML player (frames embedded as PNG, play
controls in plain JavaScript) that works on the static site with no kernel
and no network. Each frame is drawn with the grid toolkit :mod:`poolkit.course.grid`
and the numbers come from poolkit's public functions (through :func:`poolkit.course.plot.pool_map`).

Typical use, as the last line of a notebook cell::

    pk.animate.to_html(pk.animate.sliding_window(x, 2))
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections import Counter

from .deps import requires

with requires("poolkit.course.animate"):
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.animation import FuncAnimation

    from . import grid
    from .plot import pool_backward_map, pool_map

__all__ = ["sliding_window", "to_html", "MAX_FRAMES"]

#: The most windows an animation may show (animations are meant to be small).
MAX_FRAMES = 64

#: Frames are drawn at twice the CSS pixel density (the player shows them at half their pixel size).
_DPI = 144
_SCALE = 2
_seen: Counter = Counter()


def _player(order, caption, start_text, fill, highlight):
    """``draw(t)`` for frame ``t``, and the number of frames (one per window, after a start frame).

    Each frame removes the previous frame's outlines, calls ``fill(t)`` to show the cells done
    after ``t`` windows and, from frame 1, ``highlight(i, j, color)`` for the ``t``-th window,
    which draws its outlines and returns ``(artists, caption text)``.
    """
    moving: list = []

    def draw(t: int):
        for artist in moving:
            artist.remove()
        moving.clear()
        fill(t)
        if 0 < t <= len(order):
            i, j = order[t - 1]
            artists, text = highlight(i, j, grid.WINDOW_COLORS[0])
            moving.extend(artists)
            caption.set_text(text)
        else:
            caption.set_text(start_text)
        return []

    return draw, len(order) + 1


def _forward_frames(x, geom, out, argmax, mode, ax_in, ax_out, norm, decimals, caption):
    """Draw the still parts once; return ``draw(t)`` that updates only what changes."""
    oh, ow = out.shape
    order = [(i, j) for i in range(oh) for j in range(ow)]
    grid.draw_padded_input(ax_in, x, geom, mode, norm, annotate=True, decimals=decimals)
    grid.draw_values(ax_out, out, norm, grid.CMAP, annotate=True, decimals=decimals)
    grid.style_grid_axes(ax_out, oh, ow)
    ax_in.set_title(f"input {x.shape[0]}\u00d7{x.shape[1]}", fontsize=10)
    ax_out.set_title(f"output {oh}\u00d7{ow}", fontsize=10)
    image, labels = ax_out.images[0], list(ax_out.texts)
    word = "max" if mode == "max" else "mean"

    def fill(t):
        done = np.zeros((oh, ow), dtype=bool)
        for i, j in order[:t]:
            done[i, j] = True
        image.set_data(np.where(done & np.isfinite(out), out, np.nan))
        for label, shown in zip(labels, done.ravel()):
            label.set_visible(bool(shown))

    def highlight(i, j, color):
        artists = [*grid.outline_window(ax_in, i, j, geom, color), grid.outline(ax_out, i, j, 1, 1, color)]
        if argmax is not None:
            artists.extend(grid.mark_winner(ax_in, *argmax[i, j], geom, color, markersize=6))
        return artists, f"window ({i}, {j}): {word} = {grid.fmt_value(float(out[i, j]), decimals)}"

    return _player(order, caption, "start: the output is empty", fill, highlight)


def _backward_frames(x, geom, g, contributions, argmax, mode, axes, norms, decimals, caption):
    """Draw the still parts once; return ``draw(t)`` that updates only what changes."""
    oh, ow = g.shape
    h, w = x.shape
    order = [(i, j) for i in range(oh) for j in range(ow)]
    ax_x, ax_g, ax_gx = axes
    xnorm, norm = norms
    cmap = plt.get_cmap(grid.CMAP)
    grid.draw_padded_input(ax_x, x, geom, mode, xnorm, annotate=True, decimals=decimals)
    grid.draw_values(ax_g, g, norm, grid.CMAP, annotate=True, decimals=decimals)
    grid.style_grid_axes(ax_g, oh, ow)
    grid.draw_values(ax_gx, np.zeros((h, w)), norm, grid.CMAP, annotate=True, decimals=decimals)
    grid.style_grid_axes(ax_gx, h, w)
    ax_x.set_title("input x", fontsize=10)
    ax_g.set_title("grad_out", fontsize=10)
    ax_gx.set_title("grad_x (accumulating)", fontsize=10)
    image, labels = ax_gx.images[0], list(ax_gx.texts)
    base = grid.base_fontsize(h, w)
    what = "to the window's maximum" if mode == "max" else "evenly over the window"

    def fill(t):
        gx = np.zeros((h, w)) if t == 0 else contributions[:t].sum(axis=0)
        image.set_data(gx)
        for label, v in zip(labels, gx.ravel()):
            text, color, size = grid.cell_label(float(v), norm, cmap, decimals, base)
            label.set_text(text)
            label.set_color(color)
            label.set_fontsize(size)

    def highlight(i, j, color):
        artists = [grid.outline(ax_g, i, j, 1, 1, color), *grid.outline_window(ax_x, i, j, geom, color)]
        if argmax is not None:
            artists.extend(grid.mark_winner(ax_x, *argmax[i, j], geom, color, markersize=6))
        reached = np.argwhere(contributions[i * ow + j] != 0)  # the cells this gradient lands on
        artists.extend(grid.outline(ax_gx, r, c, 1, 1, color) for r, c in reached)
        return artists, f"grad_out[{i}, {j}] flows back {what}"

    return _player(order, caption, "start: grad_x is all zeros", fill, highlight)


def sliding_window(x, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
                   mode: str = "max", count_include_pad: bool = True, backward: bool = False,
                   grad_out=None, interval: int = 900, decimals: int | None = None) -> FuncAnimation:
    """Animate pooling one window at a time (or, with ``backward``, its gradient).

    Forward: frame 0 shows the input and an empty output; each next frame
    outlines one window (the winner dotted, for max) and fills in its output
    cell. Backward: each frame sends one ``grad_out`` cell back and adds it to
    ``grad_x``, which ends equal to poolkit's backward function.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A small map (leading axes of size 1 are dropped).
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`poolkit.max_pool2d`.
    mode : {"max", "avg"}, optional
        ``"mean"`` is accepted for ``"avg"``.
    count_include_pad : bool, optional
        For average pooling.
    backward : bool, optional
        Animate the backward pass instead of the forward pass.
    grad_out : array_like, shape (OH, OW), optional
        Upstream gradient for ``backward``; default ``1, 2, 3, ...``.
    interval : int, optional
        Milliseconds per frame.
    decimals : int, optional
        Decimals for non-integer values.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        Pass it to :func:`to_html` to display it.

    Raises
    ------
    ValueError
        If the pooling has more than :data:`MAX_FRAMES` windows, or the
        library rejects the arguments.

    Examples
    --------
    >>> from poolkit.course.data import running_example
    >>> anim = sliding_window(running_example(), 2)
    >>> html = to_html(anim)
    >>> "https://" in html.data, html.data.count("<img id=")
    (False, 1)
    """
    if not isinstance(backward, (bool, np.bool_)):
        raise TypeError(f"backward must be True or False, got {backward!r}")
    if isinstance(interval, bool) or not isinstance(interval, (int, np.integer)) or interval < 50:
        raise ValueError(f"interval must be an int of at least 50 milliseconds, got {interval!r}")
    mode = grid.check_mode(mode)
    xm = grid.as_map(x)
    out, argmax, geom = pool_map(xm, kernel_size, stride=stride, padding=padding, dilation=dilation,
                                 ceil_mode=ceil_mode, mode=mode, count_include_pad=count_include_pad)
    oh, ow = out.shape
    if oh * ow > MAX_FRAMES:
        raise ValueError(f"x gives {oh * ow} windows ({oh}x{ow} output); an animation shows at most "
                         f"{MAX_FRAMES}: use a smaller x or a larger stride")
    h, w = xm.shape
    rows, cols = grid.padded_extent(xm.shape, geom)
    cell = grid.CELL_INCH
    if not backward:
        fig, panels = grid.new_figure(max(4.0, cell * (cols + ow) + 1.4), cell * max(rows, oh) + 1.5,
                                      ncols=2, dpi=_DPI, gridspec_kw={"width_ratios": [cols, max(ow, 1)]})
        ax_a, ax_b = panels[0]
        norm = grid.norm_for(xm, out)
        caption = fig.supxlabel(" ", fontsize=10)
        draw, n = _forward_frames(xm, geom, out, argmax, mode, ax_a, ax_b, norm, decimals, caption)
    else:
        if grad_out is None:
            g = np.arange(1, oh * ow + 1, dtype=np.float64).reshape(oh, ow)
        else:
            g = grid.as_map(grad_out, "grad_out")
            if g.shape != (oh, ow):
                raise ValueError(f"grad_out must have the output's shape {(oh, ow)}, got {g.shape}")
        contributions = np.stack([
            _backward_one(xm, g, i, j, kernel_size, stride, padding, dilation, ceil_mode, mode,
                          count_include_pad)
            for i in range(oh) for j in range(ow)
        ])
        fig, panels = grid.new_figure(max(5.5, cell * (cols + ow + w) + 2.0), cell * max(rows, oh) + 1.5,
                                      ncols=3, dpi=_DPI, gridspec_kw={"width_ratios": [cols, max(ow, 1), w]})
        total = contributions.sum(axis=0)
        norms = (grid.norm_for(xm, out), grid.norm_for(g, total, vmin=min(0.0, float(np.nanmin(g)))))
        caption = fig.supxlabel(" ", fontsize=10)
        draw, n = _backward_frames(xm, geom, g, contributions, argmax, mode, tuple(panels[0]), norms,
                                   decimals, caption)
    # Lay the figure out once, on its first frame, then freeze it: the frames
    # only change cell contents, and re-solving the layout per frame is slow.
    draw(0)
    fig.canvas.draw()
    fig.set_layout_engine("none")
    anim = FuncAnimation(fig, draw, frames=n, interval=int(interval), blit=False, repeat=False)
    plt.close(fig)
    return anim


def _backward_one(x, g, i, j, kernel_size, stride, padding, dilation, ceil_mode, mode, count_include_pad):
    """grad_x contributed by grad_out[i, j] alone (the backward pass is linear in grad_out)."""
    one = np.zeros_like(g)
    one[i, j] = g[i, j]
    return pool_backward_map(x, one, kernel_size, stride=stride, padding=padding, dilation=dilation,
                             ceil_mode=ceil_mode, mode=mode, count_include_pad=count_include_pad)


# Inline SVG icons replacing the Font Awesome ones matplotlib links from a CDN.
_ICON_PATHS = {
    "fa fa-minus": "M2 7h12v2H2z",
    "fa fa-plus": "M2 7h12v2H2zM7 2h2v12H7z",
    "fa fa-fast-backward": "M1 2h2v12H1zM9 2L3 8l6 6zM15 2L9 8l6 6z",
    "fa fa-step-backward": "M2 2h3v12H2zM14 2L6 8l8 6z",
    "fa fa-play fa-flip-horizontal": "M13 2L3 8l10 6z",
    "fa fa-pause": "M3 2h4v12H3zM9 2h4v12H9z",
    "fa fa-play": "M3 2l10 6-10 6z",
    "fa fa-step-forward": "M2 2l8 6-8 6zM11 2h3v12h-3z",
    "fa fa-fast-forward": "M1 2l6 6-6 6zM7 2l6 6-6 6zM13 2h2v12h-2z",
}
_FA_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>\s*", re.IGNORECASE)
_FA_ICON = re.compile(r'<i class="(fa [^"]*)"></i>')
_ANIM_ID = re.compile(r"_anim_img([0-9a-f]{32})")
_FIRST_FRAME = re.compile(r'frames\[0\] = "data:image/png;base64,((?:[^"\\]|\\\n)*)"')
_IMG_TAG = re.compile(r'<img id="(_anim_img[0-9a-f]+)">')
_START = re.compile(r"setTimeout\(function\(\) \{\s*(anim[0-9a-f]+) = new Animation\(([^;]*)\);\s*\}, 0\);")


def _svg_icon(match: re.Match) -> str:
    path = _ICON_PATHS.get(match.group(1))
    if path is None:
        return ""
    return ('<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" '
            f'style="vertical-align:middle"><path d="{path}" fill="currentColor"/></svg>')


def _offline(html: str) -> str:
    """Drop the CDN stylesheet and draw the buttons' icons inline."""
    html = _FA_LINK.sub("", html)
    return _FA_ICON.sub(_svg_icon, html)


def _png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG frame")
    return struct.unpack(">II", data[16:24])


def _first_frame(html: str, alt: str) -> str:
    """Show frame 0 before any script runs, at its final size, and start the player robustly.

    matplotlib's player leaves ``<img>`` empty until its script runs, so a notebook
    that is not trusted (or not yet run) shows no picture, and the picture's late
    arrival pushes the controls down. Here the first frame is the image's ``src``
    with its width and height set. The player is created once its elements are in
    the page (JupyterLab runs the script before it inserts the output), so the first
    click on Play is never lost.
    """
    m = _FIRST_FRAME.search(html)
    if m is None:
        return html
    b64 = m.group(1).replace("\\\n", "")
    width, height = _png_size(base64.b64decode(b64))
    w, h = width // _SCALE, height // _SCALE
    style = f"max-width:100%;height:auto;aspect-ratio:{w}/{h}"
    html = _IMG_TAG.sub(lambda t: (f'<img id="{t.group(1)}" src="data:image/png;base64,{b64}" '
                                   f'width="{w}" height="{h}" style="{style}" alt="{_escape(alt)}">'),
                        html, count=1)
    # The frame lines before have no semicolons: start with one, or this is parsed as a call.
    return _START.sub(lambda t: (";(function start(tries) {\n"
                                 "        if (!document.getElementById(img_id) && tries < 400) {\n"
                                 "            return setTimeout(function() { start(tries + 1); }, 25);\n"
                                 "        }\n"
                                 f"        {t.group(1)} = new Animation({t.group(2)});\n"
                                 "    })(0);"), html, count=1)


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;"))


def _stable_ids(html: str) -> str:
    """Replace matplotlib's random uuid with one derived from the content."""
    m = _ANIM_ID.search(html)
    if not m:
        return html
    rand = m.group(1)
    body = html.replace(rand, "ID")
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    _seen[digest] += 1
    if _seen[digest] > 1:
        digest = hashlib.sha256(f"{digest}#{_seen[digest]}".encode()).hexdigest()
    return html.replace(rand, digest[:32])


def to_html(anim: FuncAnimation, *, default_mode: str = "once", fps: float | None = None,
            alt: str = "An animation of a pooling window sliding over a small map; the first frame is shown."):
    """Export an animation as a self-contained HTML player.

    The figure is closed first (so no duplicate still image appears), the
    frames are embedded as PNG, the play buttons' icons are inline SVG (no
    Font Awesome from a CDN) and the random id matplotlib uses is replaced by
    one derived from the content, so stored notebook outputs do not churn.
    The first frame is the image's source from the start (sized, so nothing
    moves when the player starts), so the picture shows even where scripts
    do not run, e.g. in a notebook JupyterLab does not trust yet.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        E.g. from :func:`sliding_window`.
    default_mode : {"once", "loop", "reflect"}, optional
        What the player does at the last frame.
    fps : float, optional
        Frames per second (default: from the animation's interval).
    alt : str, optional
        Alt text of the player's image.

    Returns
    -------
    IPython.display.HTML
        Display it (or make it the cell's last expression).
    """
    from matplotlib.animation import Animation

    with requires("poolkit.course.animate.to_html"):
        from IPython.display import HTML

    if not isinstance(anim, Animation):
        raise TypeError(f"anim must be a matplotlib Animation, got {type(anim).__name__}")
    if default_mode not in ("once", "loop", "reflect"):
        raise ValueError(f"default_mode={default_mode!r} must be 'once', 'loop' or 'reflect'")
    plt.close(anim._fig)
    html = anim.to_jshtml(fps=fps, embed_frames=True, default_mode=default_mode)
    return HTML(_stable_ids(_first_frame(_offline(html), alt)))
