"""Figures: what each panel shows (values, windows, routes), closed figures, PNG, errors."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import ConnectionPatch, Rectangle  # noqa: E402

from poolkit.course import grid, plot  # noqa: E402
from poolkit.course.data import running_example  # noqa: E402

X = running_example()
MINUS_INF = "\u2212\u221e"


def texts(ax):
    return [t.get_text() for t in ax.texts]


def outlines(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()]


@pytest.fixture(autouse=True)
def no_figures_left():
    plt.close("all")
    yield
    assert plt.get_fignums() == [], "a plot function left a figure open in pyplot"


def png(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_show_map_values_highlight_and_background():
    fig = plot.show_map(X, highlight=[(0, 3), (1, 2)], title="two 7s")
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert texts(ax) == ["1", "3", "4", "7", "6", "2", "7", "2", "0", "4", "1", "3", "8", "4", "2", "2"]
    assert [(o.get_x() + 0.5, o.get_y() + 0.5) for o in outlines(ax)] == [(3, 0), (2, 1)]
    assert ax.get_title() == "two 7s"
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_show_map_formats_special_values():
    fig = plot.show_map(np.array([[0.25, -np.inf], [np.nan, -2.5]]), highlight=np.array([[True, False], [False, False]]))
    assert texts(fig.axes[0]) == ["0.25", MINUS_INF, "NaN", "\u22122.5"]
    assert len(outlines(fig.axes[0])) == 1


def test_show_map_draws_into_a_given_axes_and_leaves_it_open():
    fig, ax = plt.subplots()
    assert plot.show_map(X, ax=ax) is fig
    assert plt.get_fignums() == [fig.number]
    plt.close(fig)


def test_show_map_accepts_batched_and_rejects_bad_maps():
    assert texts(plot.show_map(X[None, None]).axes[0])[:2] == ["1", "3"]
    with pytest.raises(ValueError, match=r"x must be a 2-D map \(H, W\).*got shape \(2, 4, 4\)"):
        plot.show_map(np.zeros((2, 4, 4)))
    with pytest.raises(TypeError, match="x must hold real numbers, got dtype <U1"):
        plot.show_map(np.array([["a"]]))


def test_show_pooling_max_output_windows_and_winners():
    fig = plot.show_pooling(X, 2, stride=2)
    ax_in, ax_out = fig.axes
    assert [ax_in.get_title(), ax_out.get_title()] == ["input 4\u00d74", "output 2\u00d72"]
    assert texts(ax_out) == ["6", "7", "8", "3"]  # by hand
    assert len(outlines(ax_in)) == 4 and len(outlines(ax_out)) == 4
    # One winner dot per window, at the first maximum: (1, 0), (0, 3) for the tie, (3, 0), (2, 3).
    dots = [(round(line.get_xdata()[0] - 0.3), round(line.get_ydata()[0] + 0.3)) for line in ax_in.lines]
    assert dots == [(0, 1), (3, 0), (0, 3), (3, 2)]  # (col, row)
    assert fig._suptitle.get_text() == "max pooling, k=2, s=2"


def test_show_pooling_mean():
    fig = plot.show_pooling(X, 2, mode="mean")
    assert texts(fig.axes[1]) == ["3", "5", "4", "2"]
    assert len(fig.axes[0].lines) == 0  # no winners for a mean
    assert fig._suptitle.get_text() == "average pooling, k=2, s=2"


def test_show_pooling_padding_cells_say_what_they_hold():
    fig = plot.show_pooling(X, 3, stride=2, padding=1)
    ax_in = fig.axes[0]
    assert texts(ax_in).count(MINUS_INF) == 6 * 6 - 16
    fig = plot.show_pooling(X, 3, stride=2, padding=1, mode="avg")
    assert texts(fig.axes[0]).count("0") == 6 * 6 - 16 + 1  # padding zeros + the 0 in the map
    assert fig._suptitle.get_text() == "average pooling, k=3, s=2, p=1"


def test_show_pooling_ceil_mode_shows_clipped_windows():
    x5 = np.arange(25.0).reshape(5, 5)
    fig = plot.show_pooling(x5, 2, stride=2, ceil_mode=True)
    ax_in, ax_out = fig.axes
    assert ax_out.get_title() == "output 3\u00d73"
    # By hand: the last row/column of windows hold only column/row 4.
    assert texts(ax_out) == ["6", "8", "9", "16", "18", "19", "21", "23", "24"]
    assert ax_in.get_xlim() == (-0.5, 5.5)  # the grid reaches the clipped windows' far edge
    assert fig._suptitle.get_text() == "max pooling, k=2, s=2, ceil mode"


def test_show_pooling_dilation_marks_each_tap():
    fig = plot.show_pooling(X, 2, stride=1, dilation=2, windows=[(0, 0)])
    ax_in, ax_out = fig.axes
    assert len(outlines(ax_in)) == 1 + 4  # the dashed span and four taps
    assert texts(ax_out) == ["4", "7", "8", "4"]  # max of x[i::2, j::2] for i, j in {0, 1}


def test_show_pooling_window_selection():
    assert len(outlines(plot.show_pooling(X, 2, windows=1).axes[0])) == 1
    assert len(outlines(plot.show_pooling(X, 2, windows=None).axes[0])) == 0
    many = plot.show_pooling(np.arange(64.0).reshape(8, 8), 2)
    assert len(outlines(many.axes[0])) == len(plot.WINDOW_COLORS)  # capped
    with pytest.raises(ValueError, match=r"windows entry \(5, 0\) is outside the 2x2 output"):
        plot.show_pooling(X, 2, windows=[(5, 0)])


def test_show_pooling_invalid_arguments_raise_the_librarys_message():
    with pytest.raises(ValueError, match="padding"):
        plot.show_pooling(X, 2, padding=2)
    with pytest.raises(ValueError, match=r"dilation=2 must be 1 for average pooling"):
        plot.show_pooling(X, 2, dilation=2, mode="avg")
    with pytest.raises(ValueError, match=r"mode='median' must be 'max' or 'avg'"):
        plot.show_pooling(X, 2, mode="median")


def test_show_routing_max_sends_each_gradient_to_its_winner():
    fig = plot.show_routing(X, kernel_size=2)
    ax_x, ax_g, ax_gx = fig.axes
    assert texts(ax_g) == ["1", "2", "3", "4"]
    # By hand: winners (1, 0), (0, 3) (tie: first in row-major order), (3, 0), (2, 3).
    expected = np.zeros((4, 4), dtype=int)
    expected[1, 0], expected[0, 3], expected[3, 0], expected[2, 3] = 1, 2, 3, 4
    assert texts(ax_gx) == [str(v) for v in expected.ravel()]
    arrows = [a for a in fig.artists if isinstance(a, ConnectionPatch)]
    assert len(arrows) == 4
    assert [ax.get_title() for ax in fig.axes] == ["input x", "grad_out (upstream)", "grad_x"]


def test_show_routing_overlapping_windows_accumulate():
    g = np.ones((3, 3))
    fig = plot.show_routing(X, g, kernel_size=2, stride=1)
    # By hand, the 3x3 windows' winners: 6 (1,0) twice... count each cell's wins.
    wins = np.zeros((4, 4), dtype=int)
    for i in range(3):
        for j in range(3):
            w = X[i:i + 2, j:j + 2]
            r, c = np.unravel_index(np.argmax(w), w.shape)  # first maximum, row-major
            wins[i + r, j + c] += 1
    assert texts(fig.axes[2]) == [str(v) for v in wins.ravel()]
    assert wins.max() > 1  # the case really has an input that wins several windows


def test_show_routing_mean_spreads_evenly():
    fig = plot.show_routing(X, kernel_size=2, mode="avg")
    assert texts(fig.axes[2]) == ["0.25", "0.25", "0.5", "0.5", "0.25", "0.25", "0.5", "0.5",
                                  "0.75", "0.75", "1", "1", "0.75", "0.75", "1", "1"]
    assert [a for a in fig.artists if isinstance(a, ConnectionPatch)] == []


def test_show_routing_checks_grad_out_shape():
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(2, 2\), got \(3, 3\)"):
        plot.show_routing(X, np.ones((3, 3)), kernel_size=2)


def test_show_images_sizes_and_layouts():
    rgb_chw = np.random.default_rng(0).random((3, 8, 6))
    fig = plot.show_images([np.zeros((8, 6)), rgb_chw, np.ones((4, 3))], ["a", "b", "c"], suptitle="s")
    assert [ax.get_title() for ax in fig.axes] == [
        "a\n8\u00d76 pixels", "b\n8\u00d76 pixels", "c\n4\u00d73 pixels"]
    assert fig.axes[1].images[0].get_array().shape == (8, 6, 3)  # CHW shown as HWC
    with pytest.raises(ValueError, match="titles must be a list of 1 strings"):
        plot.show_images([np.zeros((2, 2))], ["a", "b"])
    with pytest.raises(ValueError, match=r"images\[0\] must be \(H, W\), \(3, H, W\) or \(H, W, 3\)"):
        plot.show_images([np.zeros((5, 2, 2))])


def test_figures_fit_the_column_width():
    # Five photo panels side by side would be 12 inches wide: shrunk to the column, aspect kept.
    fig = plot.show_images([np.zeros((128, 128))] * 5, height=2.0)
    w, h = fig.get_size_inches()
    assert w == pytest.approx(plot.MAX_WIDTH_INCHES) and h == pytest.approx(2.8 * w / 12.0)
    # A grid of settings takes fewer columns rather than smaller text.
    grid = plot.show_pooling_grid(X, [{"kernel_size": 2}, {"kernel_size": 2, "mode": "avg"}], ncols=2)
    assert grid.get_size_inches()[0] <= plot.MAX_WIDTH_INCHES
    assert grid.axes[2].get_position().y1 < grid.axes[0].get_position().y0  # second setting below the first
    small = plot.show_map(X)
    assert small.get_size_inches()[0] < plot.MAX_WIDTH_INCHES  # small figures keep their size


def test_inline_figures_are_retina_png_in_a_kernel(monkeypatch):
    import IPython

    class Shell:
        config = {"IPKernelApp": {}}

    calls = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    import matplotlib_inline.backend_inline as inline

    monkeypatch.setattr(inline, "set_matplotlib_formats", lambda *f: calls.append(f))
    assert grid.crisp_inline_png() is True and calls == [("retina",)]
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert grid.crisp_inline_png() is False and calls == [("retina",)]


def test_show_pooling_grid():
    fig = plot.show_pooling_grid(X, [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
                                     {"kernel_size": 2, "mode": "avg"}], ncols=2)
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title(loc="left") == "max pooling, k=2, s=2"
    assert fig.axes[2].get_title(loc="left") == "max pooling, k=3, s=1, p=1"
    assert texts(fig.axes[5]) == ["3", "5", "4", "2"]
    with pytest.raises(ValueError, match=r"settings\[0\] must be a dict with at least 'kernel_size'"):
        plot.show_pooling_grid(X, [{"stride": 2}])


def _headings(ax):
    """The non-empty titles and the x label of ``ax`` (the text drawn above its cells)."""
    from matplotlib.text import Text

    titles = [c for c in ax.get_children() if isinstance(c, Text) and c.get_text()
              and c.get_text() in {ax.get_title(loc=loc) for loc in ("left", "center", "right")}]
    return titles + ([ax.xaxis.label] if ax.xaxis.label.get_text() else [])


@pytest.mark.parametrize("x, settings", [
    (X, [{"kernel_size": 2}, {"kernel_size": 2, "mode": "avg"}]),
    (np.arange(25.0).reshape(5, 5), [{"kernel_size": 3, "stride": 1, "padding": 1},
                                     {"kernel_size": 2, "mode": "avg", "padding": 1, "ceil_mode": True,
                                      "count_include_pad": False}]),
])
def test_show_pooling_grid_headings_do_not_overlap(x, settings):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plot.show_pooling_grid(x, settings, ncols=2)
    canvas = FigureCanvasAgg(fig)  # the returned figure is closed: give it a canvas to draw on
    canvas.draw()
    renderer = canvas.get_renderer()
    h, w = x.shape
    for n in range(len(settings)):
        ax_in, ax_out = fig.axes[2 * n], fig.axes[2 * n + 1]
        shown = [t.get_text() for t in _headings(ax_in) + _headings(ax_out)]
        assert f"input {h}\u00d7{w}" in shown and any(t.startswith("output ") for t in shown)
        assert ax_in.get_title(loc="left") in shown
        boxes = [t.get_window_extent(renderer) for t in _headings(ax_in) + _headings(ax_out)]
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                assert not boxes[i].overlaps(boxes[j]), (shown[i], shown[j])
        # The setting's line sits above everything drawn above the cells of both panels.
        setting = next(t for t in _headings(ax_in) if t.get_text() == ax_in.get_title(loc="left"))
        top_of_rest = max(ax.xaxis.get_tightbbox(renderer).y1 for ax in (ax_in, ax_out))
        assert setting.get_window_extent(renderer).y0 >= top_of_rest


def test_figures_are_deterministic():
    assert png(plot.show_pooling(X, 2)) == png(plot.show_pooling(X, 2))


def test_pool_backward_map_routes_and_spreads_by_hand():
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    # max, 2x2 windows of the running example: the winners are (1, 0)=6, (0, 3)=7 (the first of
    # the tied 7s in row-major order), (3, 0)=8 and (2, 3)=3.
    want = np.zeros((4, 4))
    want[1, 0], want[0, 3], want[3, 0], want[2, 3] = 1, 2, 3, 4
    assert np.array_equal(plot.pool_backward_map(X, g, 2), want)
    # avg: each window's gradient g / 4 on each of its four cells.
    assert np.array_equal(plot.pool_backward_map(X, g, 2, mode="mean"), np.kron(g / 4, np.ones((2, 2))))


def test_pool_map_matches_the_public_functions():
    import poolkit as pk

    out, arg, geom = plot.pool_map(X, 3, stride=1, padding=1)
    ref, idx = pk.max_pool2d(X[None], 3, stride=1, padding=1, return_indices=True)
    assert np.array_equal(out, ref[0])
    assert np.array_equal(arg[..., 0] * 4 + arg[..., 1], idx[0])
    assert geom.out == (4, 4)


STACK = [dict(name="conv1", kernel_size=3, padding=1), dict(name="pool1", kernel_size=2, stride=2),
         dict(name="conv2", kernel_size=3, padding=1)]


def test_show_receptive_field():
    fig = plot.show_receptive_field(STACK, 16)
    ax = fig.axes[0]
    assert ax.get_title() == "one conv2 unit sees 8 input cells"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["input", "conv1", "pool1", "conv2"]
    coloured = [p for p in ax.patches if p.get_facecolor()[:3] != (217 / 255,) * 3]
    assert len(coloured) == 8 + 6 + 3 + 1
    fig = plot.show_receptive_field(STACK, 16, unit=0)
    assert fig.axes[0].get_title() == "one conv2 unit sees 5 input cells (its field of 8 is cut by the border)"


def test_show_receptive_field_errors():
    with pytest.raises(ValueError, match=r"size=1 is too small for this stack: layer 1 \(kernel_size=2\)"):
        plot.show_receptive_field(STACK, 1)
    with pytest.raises(ValueError, match=r"unit=8 must be in \[0, 8\)"):
        plot.show_receptive_field(STACK, 16, unit=8)
    with pytest.raises(ValueError, match="needs a 'kernel_size'"):
        plot.show_receptive_field([dict(stride=2)], 8)


def test_chapter_figures_draw_on_a_given_axes_or_on_a_new_closed_figure():
    from poolkit.course import invariance, timing

    fig, ax = plt.subplots()
    try:
        got = invariance.show_shift_change([0, 1, 2], {"max": [0.0, 0.2, 0.0]}, ax=ax)
        assert got is fig                                   # drew on the caller's axes
        assert plt.fignum_exists(fig.number)                # and left the caller's figure open
    finally:
        plt.close(fig)
    new = invariance.show_shift_change([0, 1, 2], {"max": [0.0, 0.2, 0.0]})
    assert tuple(new.get_size_inches()) == (6.0, 3.6)       # a figure of its own (6.0 x 3.6 inches)
    assert not plt.fignum_exists(new.number)                # closed in pyplot: shown once
    wide = timing.show_timings([8, 16], {"fast": [1e-5, 4e-5]}, [1e-6, 4e-6])
    assert tuple(wide.get_size_inches()) == (6.4, 4.0)
