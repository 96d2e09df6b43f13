"""Animations: frames show the right numbers, the HTML is offline, stable and plays without a kernel."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from poolkit.course import animate  # noqa: E402
from poolkit.course.data import running_example  # noqa: E402
from tests._support import CHROMIUM, require_chromium

X = running_example()


TINY = np.array([[1.0, 2.0], [3.0, 4.0]])  # one window: a fast two-frame animation


def texts(ax):
    return [t.get_text() for t in ax.texts if t.get_visible()]


def frame(anim, t):
    anim._draw_was_started = True  # drawn by hand: tell matplotlib not to warn when it is collected
    anim._func(t)
    return anim._fig


def test_forward_frames_fill_the_output_one_window_at_a_time():
    anim = animate.sliding_window(X, 2)
    assert isinstance(anim, FuncAnimation)
    assert anim._save_count == 5  # an empty start + one frame per window
    fig = frame(anim, 0)
    assert texts(fig.axes[1]) == []
    assert fig._supxlabel.get_text() == "start: the output is empty"
    fig = frame(anim, 2)
    assert texts(fig.axes[1]) == ["6", "7"]
    assert fig._supxlabel.get_text() == "window (0, 1): max = 7"
    fig = frame(anim, 4)
    assert texts(fig.axes[1]) == ["6", "7", "8", "3"]
    fig = frame(animate.sliding_window(X, 2, mode="mean"), 4)
    assert texts(fig.axes[1]) == ["3", "5", "4", "2"]
    assert fig._supxlabel.get_text() == "window (1, 1): mean = 2"


def test_backward_frames_accumulate_to_the_full_gradient():
    anim = animate.sliding_window(X, 2, stride=1, backward=True, grad_out=np.ones((3, 3)))
    assert anim._save_count == 10
    fig = frame(anim, 0)
    assert texts(fig.axes[2]) == ["0"] * 16
    fig = frame(anim, 9)
    wins = np.zeros((4, 4), dtype=int)  # by hand: each window's first maximum gets 1
    for i in range(3):
        for j in range(3):
            w = X[i:i + 2, j:j + 2]
            r, c = np.unravel_index(np.argmax(w), w.shape)
            wins[i + r, j + c] += 1
    assert texts(fig.axes[2]) == [str(v) for v in wins.ravel()]
    assert [ax.get_title() for ax in fig.axes] == ["input x", "grad_out", "grad_x (accumulating)"]


def test_backward_mean_frames():
    fig = frame(animate.sliding_window(X, 2, mode="avg", backward=True), 1)
    assert texts(fig.axes[2]) == ["0.25", "0.25", "0", "0", "0.25", "0.25", "0", "0"] + ["0"] * 8
    assert fig._supxlabel.get_text() == "grad_out[0, 0] flows back evenly over the window"


def test_argument_errors():
    with pytest.raises(ValueError, match=r"x gives 100 windows \(10x10 output\); an animation shows at most 64"):
        animate.sliding_window(np.zeros((20, 20)), 2)
    with pytest.raises(ValueError, match="interval must be an int of at least 50 milliseconds, got 10"):
        animate.sliding_window(X, 2, interval=10)
    with pytest.raises(TypeError, match="backward must be True or False, got 'yes'"):
        animate.sliding_window(X, 2, backward="yes")
    with pytest.raises(ValueError, match="padding"):
        animate.sliding_window(X, 2, padding=3)
    with pytest.raises(ValueError, match=r"grad_out must have the output's shape \(2, 2\), got \(1, 1\)"):
        animate.sliding_window(X, 2, backward=True, grad_out=np.ones((1, 1)))
    with pytest.raises(TypeError, match="anim must be a matplotlib Animation, got str"):
        animate.to_html("not an animation")
    anim = animate.sliding_window(TINY, 2)
    with pytest.raises(ValueError, match="default_mode='forever' must be 'once', 'loop' or 'reflect'"):
        animate.to_html(anim, default_mode="forever")
    anim._draw_was_started = True
    assert plt.get_fignums() == []


def test_html_is_offline_complete_and_closes_the_figure():
    html = animate.to_html(animate.sliding_window(X, 2)).data
    assert plt.get_fignums() == []  # no duplicate still image in a notebook
    assert html.count("data:image/png;base64,") == 6  # five frames, and the first again as the image's src
    assert "://" not in html and "<link" not in html and "font-awesome" not in html
    assert 'class="fa' not in html
    assert html.count("<svg") == 9  # every player button has an inline icon
    assert 'value="once" id="_anim_radio1_' in html
    assert re.search(r'value="once" id="_anim_radio1_[0-9a-f]{32}"\s*checked', html)


def test_first_frame_shows_without_scripts_at_its_final_size():
    import base64

    html = animate.to_html(animate.sliding_window(X, 2), alt="The window slides.").data
    img = re.search(r'<img id="_anim_img[0-9a-f]{32}" src="data:image/png;base64,([^"]+)" '
                    r'width="(\d+)" height="(\d+)" style="[^"]*" alt="The window slides.">', html)
    assert img, "the player's image has no first frame, size or alt text"
    first = re.search(r'frames\[0\] = "data:image/png;base64,((?:[^"\\]|\\\n)*)"', html).group(1)
    assert img.group(1) == first.replace("\\\n", "")
    width, height = animate._png_size(base64.b64decode(img.group(1)))
    # Frames are drawn at twice the density they are shown at (crisp on high-density screens).
    assert (width, height) == (2 * int(img.group(2)), 2 * int(img.group(3)))
    # The player starts once its elements are in the page, however late (JupyterLab).
    assert "setTimeout(function() { start(tries + 1); }, 25)" in html
    assert ", 0);\n  })()" not in html


def test_html_ids_are_stable_and_unique_per_page():
    animate._seen.clear()
    first = animate.to_html(animate.sliding_window(TINY, 2)).data
    animate._seen.clear()
    again = animate.to_html(animate.sliding_window(TINY, 2)).data
    assert first == again  # the same stored output on every fresh run
    second_on_page = animate.to_html(animate.sliding_window(TINY, 2)).data
    ids = {re.search(r"_anim_img([0-9a-f]{32})", h).group(1) for h in (first, second_on_page)}
    assert len(ids) == 2


def test_animation_plays_in_a_browser_without_kernel_or_network(tmp_path):
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    html = animate.to_html(animate.sliding_window(TINY, 2, interval=100)).data
    page_file = tmp_path / "anim.html"
    page_file.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{html}</body></html>",
                         encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        page = browser.new_page()
        errors, remote = [], []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def guard(route):
            if route.request.url.startswith(("file://", "data:")):
                route.continue_()
            else:
                remote.append(route.request.url)
                route.abort()

        page.route("**/*", guard)
        page.goto(page_file.as_uri())
        img = page.locator("img[id^=_anim_img]")
        first = img.get_attribute("src")
        assert page.locator("button[title=Play] svg").count() == 1
        page.locator("button[title=Play]").click()
        page.wait_for_function(
            "src => document.querySelector('img[id^=_anim_img]').src !== src", arg=first, timeout=10_000)
        browser.close()
    assert errors == [] and remote == []


def test_in_a_notebook_each_visual_is_shown_exactly_once(tmp_path):
    """A figure or an animation as the cell's last expression gives one output, no stray still image."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\nfrom poolkit.course import plot, animate\n"
                                  "x = np.array([[1.0, 2.0], [3.0, 4.0]])"),
        nbformat.v4.new_code_cell("plot.show_pooling(x, 2)"),
        nbformat.v4.new_code_cell("animate.to_html(animate.sliding_window(x, 2))"),
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nplt.get_fignums()"),
    ]
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    fig_out, anim_out, open_figs = (cell.outputs for cell in nb.cells[1:])
    assert [o.output_type for o in fig_out] == ["execute_result"]
    assert "image/png" in fig_out[0].data and "image/svg+xml" not in fig_out[0].data
    assert [o.output_type for o in anim_out] == ["execute_result"]
    assert set(anim_out[0].data) == {"text/html", "text/plain"}
    assert open_figs[0].data["text/plain"] == "[]"
