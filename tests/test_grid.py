"""The grid-drawing toolkit (poolkit.course.grid): each piece by hand, on small cases."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from poolkit.course import grid  # noqa: E402
from poolkit.params import pool_geometry  # noqa: E402


@pytest.fixture(autouse=True)
def no_figures_left():
    plt.close("all")
    yield
    plt.close("all")


def test_as_map_drops_leading_unit_axes_and_names_the_argument():
    assert grid.as_map([[[[1, 2]]]]).tolist() == [[1.0, 2.0]]
    assert grid.as_map(np.array([[True]])).dtype == np.float64
    with pytest.raises(TypeError, match="grad_out must hold real numbers"):
        grid.as_map([["a"]], "grad_out")
    with pytest.raises(ValueError, match=r"x must be a 2-D map \(H, W\).*got shape \(2, 2, 2\)"):
        grid.as_map(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="must not be empty"):
        grid.as_map(np.zeros((0, 3)))


def test_check_mode():
    assert [grid.check_mode(m) for m in ("max", "avg", "mean")] == ["max", "avg", "avg"]
    with pytest.raises(ValueError, match=r"mode='median' must be 'max' or 'avg'"):
        grid.check_mode("median")


@pytest.mark.parametrize("v, decimals, text", [
    (3.0, None, "3"), (-4.0, None, "\u22124"), (2.5, None, "2.5"), (1 / 3, None, "0.33"),
    (1 / 3, 3, "0.333"), (0.5, 0, "0"), (float("inf"), None, "\u221e"), (float("-inf"), None, "\u2212\u221e"),
    (float("nan"), None, "NaN"), (-0.125, 2, "\u22120.12"), (10.2, 0, "10"), (100.0, 1, "100"),
])
def test_fmt_value(v, decimals, text):
    assert grid.fmt_value(v, decimals) == text


def test_cell_label_contrasts_with_the_cell_and_shrinks_long_text():
    norm = grid.norm_for(np.array([0.0, 1.0]))
    cmap = plt.get_cmap(grid.CMAP)
    # cividis runs from dark blue (0) to light yellow (1): white text on the dark end, black on the light.
    assert grid.cell_label(0.0, norm, cmap, None, 10)[1:] == ("white", 10)
    assert grid.cell_label(1.0, norm, cmap, None, 10)[1:] == ("black", 10)
    assert grid.cell_label(float("nan"), norm, cmap, None, 10) == ("NaN", "black", 10)
    assert grid.cell_label(0.25, norm, cmap, None, 10)[2] == pytest.approx(8.0)    # 4 characters
    assert grid.cell_label(-0.25, norm, cmap, None, 10)[2] == pytest.approx(6.8)   # 5 characters


def test_norm_for_spans_the_finite_values_of_all_arrays():
    norm = grid.norm_for(np.array([1.0, np.inf]), np.array([[-2.0, np.nan]]))
    assert (norm.vmin, norm.vmax) == (-2.0, 1.0)
    assert (grid.norm_for(np.array([5.0])).vmin, grid.norm_for(np.array([5.0])).vmax) == (5.0, 6.0)
    assert (grid.norm_for(np.array([np.nan])).vmin, grid.norm_for(np.array([np.nan])).vmax) == (0.0, 1.0)
    assert grid.norm_for(np.array([1.0, 3.0]), vmin=0.0).vmin == 0.0


def test_base_fontsize_steps():
    assert [grid.base_fontsize(n, 1) for n in (6, 7, 10, 11)] == [11, 9, 9, 7]


def test_cells_accepts_a_pair_a_list_or_a_mask():
    assert grid.cells(None) == []
    assert grid.cells((2, 3)) == [(2, 3)]
    assert grid.cells([(0, 1), (1, 0)]) == [(0, 1), (1, 0)]
    assert grid.cells(np.array([[False, True], [True, False]])) == [(0, 1), (1, 0)]


@pytest.mark.parametrize("shape, args, extent", [
    ((4, 4), (2, 2, 0, 1, False), (4, 4)),     # no padding: the input itself
    ((4, 4), (3, 2, 1, 1, False), (6, 6)),     # one ring of padding
    ((5, 5), (2, 2, 0, 1, True), (6, 6)),      # ceil mode: the last window reaches one cell past
    ((5, 7), (3, 2, 1, 1, True), (7, 9)),      # ceil with padding: last window 4..6 fits in 0..6
    ((5, 5), (2, 1, 0, 2, False), (5, 5)),     # dilation: taps 0 and 2, last window ends at 4
])
def test_padded_extent_by_hand(shape, args, extent):
    assert grid.padded_extent(shape, pool_geometry(shape, *args)) == extent


def test_window_taps_2d_in_padded_coordinates():
    geom = pool_geometry((5, 5), 2, (1, 2), 0, (2, 1), False)
    rows, cols = grid.window_taps_2d(1, 1, geom)
    assert rows.tolist() == [1, 3] and cols.tolist() == [2, 3]


def test_outline_window_marks_each_tap_of_a_dilated_window():
    fig, ax = plt.subplots()
    plain = grid.outline_window(ax, 0, 0, pool_geometry((4, 4), 2, 2, 0, 1, False), grid.BLUE)
    assert len(plain) == 1 and (plain[0].get_width(), plain[0].get_height()) == (2, 2)
    dilated = grid.outline_window(ax, 0, 0, pool_geometry((5, 5), 2, 1, 0, 2, False), grid.BLUE)
    assert len(dilated) == 1 + 4                          # the dashed span and the 2x2 taps
    assert (dilated[0].get_width(), dilated[0].get_height()) == (3, 3)
    assert [r.get_xy() for r in dilated[1:]] == [(-0.42, -0.42), (1.58, -0.42), (-0.42, 1.58), (1.58, 1.58)]


def test_draw_padded_input_hatches_and_labels_the_padding():
    fig, ax = plt.subplots()
    x = np.arange(4.0).reshape(2, 2)
    geom = pool_geometry((2, 2), 2, 1, 1, 1, False)
    rows, cols = grid.draw_padded_input(ax, x, geom, "max", grid.norm_for(x), annotate=True, decimals=None)
    assert (rows, cols) == (4, 4)
    pads = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch() == "//"]
    assert len(pads) == 16 - 4
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("\u2212\u221e") == 12 and sorted(t for t in texts if t != "\u2212\u221e") == ["0", "1", "2", "3"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["", "0", "1", ""]   # real cells only
    ax.clear()
    grid.draw_padded_input(ax, x, geom, "avg", grid.norm_for(x), annotate=True, decimals=None)
    assert [t.get_text() for t in ax.texts].count("0") == 12 + 1


def test_mark_winner_sits_in_the_corner_of_the_real_cell():
    fig, ax = plt.subplots()
    (dot,) = grid.mark_winner(ax, 1, 2, pool_geometry((4, 4), 2, 2, 1, 1, False), grid.VERMILION)
    assert (float(dot.get_xdata()[0]), float(dot.get_ydata()[0])) == pytest.approx((3.3, 1.7))


def test_finish_closes_only_a_figure_it_was_told_was_created_and_fits_the_column():
    wide, _ = grid.new_figure(13.2, 2.0)
    assert wide.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert grid.finish(wide, True) is wide and not plt.fignum_exists(wide.number)
    assert tuple(wide.get_size_inches()) == pytest.approx((grid.MAX_WIDTH_INCHES, 1.0))
    fig, ax, created = grid.figure_for(None, (9.0, 3.0))
    assert created
    given, ax2, created2 = grid.figure_for(ax, (1.0, 1.0))
    assert given is fig and ax2 is ax and not created2
    grid.finish(grid.white_background(fig), created2)
    assert plt.fignum_exists(fig.number) and tuple(fig.get_size_inches()) == (9.0, 3.0)


def test_the_palette_is_okabe_ito():
    assert grid.WINDOW_COLORS[:5] == ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00")
    assert len(set(grid.WINDOW_COLORS)) == 8
