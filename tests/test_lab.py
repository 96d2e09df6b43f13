"""The chapters as a learner runs them: JupyterLab 4 in headless Chromium.

One JupyterLab server (127.0.0.1, a random port and token) serves a copy of ``book/*.ipynb``
in a temporary folder; its kernel imports this checkout's ``poolkit`` (``PYTHONPATH``).
Playwright drives Chromium (the flags of ``tests/test_site.py``) through chapter 1:

- before running: exercises are rendered MyST (jupyterlab-myst), not raw directives;
  every solution is collapsed until the learner opens it; the live explorer's stored
  output is a sentence saying to run it (not ``VBox(children=...)``); the animation shows
  its first frame; the quiz shows its questions;
- after Run All: the learner's own check still says "Not attempted yet" (no solution
  overwrote the answer, and no solution's "Correct" line is on show); the animation shows a
  picture, and the first click on Play plays it.

Skips with a reason when Chromium or playwright is missing (a failure when ``CI=true``).
About 30-60 s. Run it in its own pytest process (``make test-site`` does): playwright's sync API
cannot start a second browser driver next to ``tests/test_site.py``'s.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_site import CHROMIUM, CHROMIUM_FLAGS, unavailable

REPO = Path(__file__).resolve().parents[1]
# LAB_BOOK_DIR: test other copies of the chapters (e.g. an older checkout, to see a test fail).
BOOK = Path(os.environ.get("LAB_BOOK_DIR", REPO / "book"))
CHAPTER = "01-definition.ipynb"
START_TIMEOUT_S = 60
RUN_ALL_TIMEOUT_MS = 90_000
# MyST that plain Markdown would show as text: directive fences, roles, directive options.
RAW_MYST = re.compile(r"```|\{(exercise|solution-start|solution-end|term|cite|cite:p|ref|eq|note)\}|:label:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _myst_extension_installed() -> bool:
    from jupyter_core.paths import jupyter_path

    return any((Path(p) / "jupyterlab-myst" / "package.json").is_file() for p in jupyter_path("labextensions"))


@pytest.fixture(scope="module")
def lab():
    """(base URL, token) of a JupyterLab server on a copy of the chapters."""
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed (it is pinned in requirements.txt)")
    if not _myst_extension_installed():
        pytest.fail("the jupyterlab-myst extension is not installed (it is pinned in requirements.txt: "
                    "run `make venv`)")
    root = Path(tempfile.mkdtemp(prefix="lab-test-"))
    work = root / "book"
    work.mkdir()
    for nb in BOOK.glob("*.ipynb"):
        shutil.copy(nb, work)
    settings = root / "settings"
    # Every cell in the DOM (no virtual scrolling), and no news pop-up over the notebook.
    for ext, name, value in (("notebook-extension", "tracker", {"windowingMode": os.environ.get("LAB_WINDOWING", "none")}),
                             ("apputils-extension", "notification", {"fetchNews": "false",
                                                                     "checkForUpdates": False})):
        folder = settings / "@jupyterlab" / ext
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(value))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(REPO)] + [p for p in [os.environ.get("PYTHONPATH")] if p]),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               PYDEVD_DISABLE_FILE_VALIDATION="1",
               JUPYTER_CONFIG_DIR=str(root / "config"), JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"))
    log = open(root / "server.log", "w")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={work}",
           "--ServerApp.port_retries=0"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + (root / "server.log").read_text()[-2000:])
                time.sleep(0.25)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def notebook(lab):
    """Chapter 1 open in JupyterLab (as opened, not yet run)."""
    from playwright.sync_api import sync_playwright

    base, token = lab
    user_data = tempfile.mkdtemp(prefix="lab-test-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(user_data, executable_path=CHROMIUM, headless=True,
                                                        args=CHROMIUM_FLAGS,
                                                        viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownCell.jp-mod-rendered")
        # Wait until the last cell is rendered and MyST has typeset the exercises.
        page.wait_for_function("() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > 60")
        page.wait_for_timeout(1500)
        try:
            yield page
        finally:
            context.close()
            shutil.rmtree(user_data, ignore_errors=True)


def _cell(page, has_text: str, kind: str = ".jp-Cell"):
    return page.locator(f".jp-Notebook {kind}", has_text=has_text).first


def _visible_text(locator) -> str:
    """What the learner reads in an element (JupyterLab skips painting cells off screen)."""
    locator.scroll_into_view_if_needed()
    return locator.evaluate("e => e.innerText")


# ------------------------------------------------------------------ before running


def test_exercises_render_as_myst(notebook):
    page = notebook
    exercise = _cell(page, "Which statements are true", ".jp-MarkdownCell")
    text = _visible_text(exercise)
    assert not RAW_MYST.search(text), f"the exercise shows raw MyST: {text[:300]!r}"
    assert re.search(r"Exercise\s*\d*\s*\(?Which statements are true\?", text), text[:200]
    # Bold answers and typeset maths, not `**A.**` and `$2 \times 2$`.
    assert exercise.locator("strong", has_text="A.").count() == 1
    assert exercise.locator("mjx-container, .MathJax, .katex").count() > 0, "no typeset maths in the exercise"
    texts = page.locator(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown").evaluate_all(
        "cells => cells.map(c => c.textContent)")
    raw = [t[:120] for t in texts if RAW_MYST.search(t)]
    assert not raw, "markdown cells showing raw MyST:\n  " + "\n  ".join(raw)


def test_solutions_are_folded_until_opened(notebook):
    page = notebook
    text = page.locator(".jp-Notebook .jp-MarkdownCell", has_text="A, B and E. Max pooling has nothing to learn")
    assert text.count() == 1
    assert not text.is_visible(), "a solution's text is on show before the learner asks for it"
    for code in ("true_statements_solution", "def max_pool2d_simple_solution"):
        assert not page.locator(".jp-CodeCell", has_text=code).first.is_visible(), f"solution code {code!r} is on show"
    assert not page.locator(".jp-OutputArea-output", has_text="Correct: A, B, E").first.is_visible()
    # Each solution has the learner's control to open it.
    solutions = sum("{solution-start}" in "".join(c["source"]) for c in json.loads(
        (BOOK / CHAPTER).read_text(encoding="utf8"))["cells"])
    assert solutions >= 4
    assert page.locator(".jp-showHiddenCellsButton").count() == solutions, \
        f"expected one 'cells hidden' button per solution ({solutions})"


def test_explorer_output_before_running_is_a_sentence(notebook):
    out = _cell(notebook, "pk.widgets.PoolingExplorer()", ".jp-CodeCell").locator(".jp-OutputArea")
    text = _visible_text(out)
    assert "VBox(" not in text and "children=" not in text, f"explorer shown as {text[:120]!r}"
    assert "run this cell" in text.lower(), f"explorer's stored output does not say how to use it: {text[:160]!r}"


def test_animation_shows_first_frame_before_running(notebook):
    img = _cell(notebook, "pk.animate.to_html", ".jp-CodeCell").locator(".jp-OutputArea img").first
    img.scroll_into_view_if_needed()
    assert img.evaluate("i => i.complete && i.naturalWidth > 0"), "the animation shows no picture"
    assert img.bounding_box()["height"] > 100


def test_quiz_shows_its_questions_before_running(notebook):
    out = _cell(notebook, "quiz.show(ch01.QUIZ)", ".jp-CodeCell").locator(".jp-OutputArea")
    text = _visible_text(out)
    assert len(text.strip()) > 40 and "IPython.core.display" not in text, f"quiz before running: {text[:120]!r}"


# ------------------------------------------------------------------ after Run All


@pytest.fixture(scope="module")
def ran(notebook):
    page = notebook
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    prompts = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')].map(p => p.innerText.trim())"
    # Stored prompts are already [1]..[n]: wait for the run to start ([*]), then to end.
    page.wait_for_function(f"() => {prompts}.includes('[*]:')", timeout=RUN_ALL_TIMEOUT_MS)
    page.wait_for_function(f"() => !{prompts}.includes('[*]:')", timeout=RUN_ALL_TIMEOUT_MS)
    page.wait_for_timeout(1000)
    return page


def test_run_all_leaves_the_learners_answers_alone(ran):
    page = ran
    mine = _cell(page, "true_statements = ...", ".jp-CodeCell").locator(".jp-OutputArea")
    assert _visible_text(mine).startswith("Not attempted yet"), _visible_text(mine)[:200]
    shown = [o for o in page.locator(".jp-OutputArea-output").all()
             if o.is_visible() and re.match(r"(Correct|Passes all)", (_visible_text(o) or "").strip())]
    assert not shown, f"{len(shown)} solution results on show after Run All, e.g. {_visible_text(shown[0])[:80]!r}"
    # The learner's stub is still theirs: checking it again does not say it passes.
    stub = _cell(page, "def max_pool2d_simple(x, k):", ".jp-CodeCell").locator(".jp-OutputArea")
    assert "Not attempted yet" in _visible_text(stub), _visible_text(stub)[:200]


def test_animation_after_run_all_shows_a_frame_and_plays_on_first_click(ran):
    page = ran
    cell = _cell(page, "pk.animate.to_html", ".jp-CodeCell")
    img = cell.locator(".jp-OutputArea img").first
    img.scroll_into_view_if_needed()
    assert img.evaluate("i => i.complete && i.naturalWidth > 0"), "no picture after Run All"
    top = cell.locator("button[title='Play']").bounding_box()["y"]
    first = img.get_attribute("src")
    cell.locator("button[title='Play']").click()
    page.wait_for_function("([i, s]) => i.src !== s", arg=[img.element_handle(), first], timeout=5000)
    assert abs(cell.locator("button[title='Play']").bounding_box()["y"] - top) < 2, "the player moved on play"


def test_explorer_is_live_after_run_all(ran):
    cell = _cell(ran, "pk.widgets.PoolingExplorer()", ".jp-CodeCell")
    cell.locator(".widget-slider, .jupyter-widgets").first.wait_for(timeout=15_000)
    assert cell.locator(".widget-slider").count() >= 4


def test_a_solution_opens_when_asked_for(ran):
    page = ran
    text = page.locator(".jp-Notebook .jp-MarkdownCell", has_text="A, B and E. Max pooling has nothing to learn")
    assert not text.is_visible()
    button = page.locator(".jp-showHiddenCellsButton").first
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_timeout(300)
    assert text.is_visible(), "clicking the folded solution does not open it"
    result = page.locator(".jp-OutputArea-output", has_text="Correct: A, B, E").first
    result.scroll_into_view_if_needed()
    assert result.is_visible(), "the opened solution does not show its (passing) check"
