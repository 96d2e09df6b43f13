"""Live explorers, driven from code: set a control, check what is computed and shown."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import poolkit as pk  # noqa: E402
from poolkit.course import widgets  # noqa: E402
from poolkit.course.data import running_example  # noqa: E402

X = running_example()
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def explorer():
    return widgets.PoolingExplorer()


@pytest.fixture(autouse=True)
def no_figures_left():
    yield
    assert plt.get_fignums() == []


def reset(ex):
    ex.set(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False, mode="max",
           count_include_pad=True, show_gradient=False)


def test_default_state(explorer):
    reset(explorer)
    assert explorer.result.tolist() == [[6, 7], [8, 3]]  # by hand
    assert explorer.message.splitlines() == [
        "OH = floor((H + 2p − d(k−1) − 1) / s) + 1 = floor((4 + 2·0 − 1·(2−1) − 1) / 2) + 1 = 2",
        "OW = floor((W + 2p − d(k−1) − 1) / s) + 1 = floor((4 + 2·0 − 1·(2−1) − 1) / 2) + 1 = 2",
    ]
    assert bytes(explorer.image.value).startswith(PNG)
    assert "floor((4 + 2·0" in explorer.text.value
    assert set(explorer.controls) == {"kernel_size", "stride", "padding", "dilation", "ceil_mode", "mode",
                                      "count_include_pad", "show_gradient"}
    assert explorer.widget.children[-2] is explorer.image


def test_moving_a_slider_recomputes_at_once(explorer):
    reset(explorer)
    explorer.controls["stride"].value = 1
    assert explorer.result.shape == (3, 3)
    assert explorer.result[0].tolist() == [6, 7, 7]  # by hand: windows at columns 0-1, 1-2, 2-3
    assert np.array_equal(explorer.result, pk.max_pool2d(X[None], 2, stride=1)[0])
    assert explorer.message.splitlines()[0].endswith("/ 1) + 1 = 3")


def test_padding_over_the_limit_shows_the_librarys_message(explorer):
    reset(explorer)
    explorer.controls["padding"].value = 2
    assert explorer.result is None
    assert explorer.message.startswith("Invalid settings: ")
    assert "padding" in explorer.message and "Traceback" not in explorer.message
    with pytest.raises(ValueError) as err:
        pk.max_pool2d(X[None], 2, stride=2, padding=2)
    assert explorer.message == f"Invalid settings: {err.value}"
    assert bytes(explorer.image.value) == b""
    assert "Invalid settings" in explorer.text.value
    explorer.controls["padding"].value = 1  # back to valid: it recovers
    assert explorer.result.shape == (3, 3)


def test_kernel_larger_than_the_input_is_explained(explorer):
    reset(explorer)
    explorer.set(kernel_size=3, dilation=3)
    assert explorer.result is None and explorer.message.startswith("Invalid settings: ")


def test_mean_mode(explorer):
    reset(explorer)
    explorer.controls["mode"].value = "avg"
    assert explorer.result.tolist() == [[3, 5], [4, 2]]  # by hand
    assert explorer.controls["dilation"].disabled and not explorer.controls["count_include_pad"].disabled
    explorer.set(kernel_size=3, stride=2, padding=1)
    counted = explorer.result
    explorer.controls["count_include_pad"].value = False
    not_counted = explorer.result
    assert np.array_equal(counted, pk.avg_pool2d(X[None], 3, stride=2, padding=1)[0])
    assert np.array_equal(not_counted, pk.avg_pool2d(X[None], 3, stride=2, padding=1, count_include_pad=False)[0])
    # Corner window: 4 real cells (1, 3, 6, 2) -> sum 12; divided by 9 or by 4.
    assert counted[0, 0] == pytest.approx(12 / 9) and not_counted[0, 0] == pytest.approx(3.0)


def test_mean_ignores_dilation_and_says_so(explorer):
    reset(explorer)
    explorer.set(dilation=2, mode="avg")
    assert explorer.result.tolist() == [[3, 5], [4, 2]]
    assert explorer.message.splitlines()[-1] == "(average pooling has no dilation: d = 1 is used)"


def test_ceil_mode_formula_mentions_the_dropped_window():
    ex = widgets.PoolingExplorer(np.arange(25.0).reshape(5, 5), padding=1, ceil_mode=True)
    assert ex.result.shape == (3, 3)
    assert ex.message.splitlines()[0] == (
        "OH = ceil((H + 2p − d(k−1) − 1) / s) + 1 = ceil((5 + 2·1 − 1·(2−1) − 1) / 2) + 1 = 4; "
        "window 4 would start at 6 ≥ H + p = 6, in the right padding, so it is dropped: OH = 3")


def test_gradient_routing(explorer):
    reset(explorer)
    explorer.controls["show_gradient"].value = True
    expected = np.zeros((4, 4))
    expected[1, 0], expected[0, 3], expected[3, 0], expected[2, 3] = 1, 2, 3, 4  # by hand, tie to (0, 3)
    assert np.array_equal(explorer.grad_x, expected)
    assert bytes(explorer.image.value).startswith(PNG)
    explorer.controls["mode"].value = "avg"
    assert explorer.grad_x[0].tolist() == [0.25, 0.25, 0.5, 0.5]
    explorer.controls["show_gradient"].value = False
    assert explorer.grad_x is None


def test_set_updates_once_and_rejects_unknown_controls(explorer, monkeypatch):
    calls = []
    monkeypatch.setattr(explorer, "update", lambda: calls.append(1))
    explorer.set(kernel_size=3, stride=1, padding=1)
    assert calls == [1]
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"unknown control\(s\) \['size'\]"):
        explorer.set(size=3)


def test_display_shows_the_root_widget(explorer, monkeypatch):
    import IPython.display as disp

    shown = []
    monkeypatch.setattr(disp, "display", lambda *objs, **kw: shown.append((objs, kw)))
    explorer._ipython_display_()
    [((bundle,), kw)] = shown
    assert kw == {"raw": True}
    # The live view of the root widget ...
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.widget.model_id
    # ... and, where it cannot be drawn (a notebook not yet run), a sentence, not VBox(children=...).
    assert bundle["text/plain"] == explorer.fallback_text()
    assert "VBox" not in bundle["text/plain"] and "run this cell" in bundle["text/plain"]
    assert "run this cell" in bundle["text/html"] and 'src="data:image/png;base64,' in bundle["text/html"]
    assert "<script" not in bundle["text/html"]


def test_calculator_display_says_what_it_is(monkeypatch):
    import IPython.display as disp

    from poolkit.course.widgets import OutputSizeCalculator

    shown = []
    monkeypatch.setattr(disp, "display", lambda *objs, **kw: shown.append(objs[0]))
    OutputSizeCalculator()._ipython_display_()
    assert shown[0]["text/plain"].startswith("OutputSizeCalculator: a live output-size calculator")
    assert "<img" not in shown[0]["text/html"]  # it has no figure


def test_figure_snapshot(explorer):
    reset(explorer)
    fig = explorer.figure()
    assert [ax.get_title() for ax in fig.axes] == ["input 4×4", "output 2×2"]
    explorer.controls["padding"].value = 2
    assert explorer.figure() is None


def test_custom_input_and_bad_input():
    ex = widgets.PoolingExplorer(np.arange(36.0).reshape(6, 6), kernel_size=3, stride=3)
    assert ex.result.tolist() == [[14, 17], [32, 35]]
    with pytest.raises(ValueError, match=r"x must be a 2-D map"):
        widgets.PoolingExplorer(np.zeros((2, 3, 3)))


# --------------------------------------------------------------------------
# the output-size calculator and the formula text
# --------------------------------------------------------------------------


def test_output_size_calculator():
    calc = widgets.OutputSizeCalculator()
    assert calc.result == (2, 2)
    calc.set(height=5, width=7, kernel_size=2, stride=2, padding=1, ceil_mode=True)
    # By hand: H: ceil(5/2)+1 = 4, window 4 starts at 6 >= 5+1 -> 3; W: ceil(7/2)+1 = 5, starts at 8 >= 8 -> 4.
    assert calc.result == (3, 4)
    assert calc.message.splitlines()[-1] == "output: 3 × 4"
    calc.controls["padding"].value = 2
    assert calc.result is None and "padding" in calc.message
    calc.set(padding=0, height=1, kernel_size=3)
    assert calc.result is None and calc.message.startswith("Invalid settings: ")


@pytest.mark.parametrize("n, k, s, p, d, ceil, out", [
    (4, 2, 2, 0, 1, False, 2), (5, 2, 2, 0, 1, False, 2), (5, 2, 2, 0, 1, True, 3),
    (5, 2, 2, 1, 1, True, 3), (7, 3, 2, 0, 2, False, 2), (32, 3, 2, 1, 1, False, 16),
])
def test_size_formula_by_hand(n, k, s, p, d, ceil, out):
    text, value = widgets.size_formula(n, k, s, p, d, ceil)
    assert value == out
    assert text.startswith(f"out = {'ceil' if ceil else 'floor'}((in + 2p − d(k−1) − 1) / s) + 1 = ")
    assert text.endswith(f" = {out}")


def test_size_formula_text_agrees_with_the_library_everywhere():
    for n in range(1, 9):
        for k in range(1, 4):
            for s in range(1, 4):
                for p in range(0, k // 2 + 1):
                    for d in (1, 2):
                        for ceil in (False, True):
                            try:
                                ref = pk.output_size(n, k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
                            except ValueError:
                                continue
                            text, value = widgets.size_formula(n, k, s, p, d, ceil)
                            assert value == ref
                            assert int(text.rsplit(" ", 1)[1]) == ref  # the text ends in the same number
