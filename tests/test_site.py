"""Browser tests of the built site: headless Chromium, served on 127.0.0.1, no network.

The site comes from the folder named by ``BOOK_HTML_DIR`` (default ``_build/html``);
``make test`` points it at its fresh strict build. Tests skip with a reason when
Chromium, playwright or the built site is missing, and fail instead when ``CI=true``.
Tests of features that no page has yet (solutions, quizzes, animations) skip until a
page in the table of contents has one; pages are inspected in the browser, so what
counts is the DOM a reader gets.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tests._support import CHROMIUM, IN_CI

REPO = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BOOK_HTML_DIR", "_build/html"))
if not SITE.is_absolute():
    SITE = REPO / SITE
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOST = "127.0.0.1"
TIMEOUT_MS = 20_000
SETTLE_MS = 300
# Viewport widths: a phone, a tablet (both below the theme's 960 px breakpoint, where the
# sidebars become pop-up dialogs) and a desktop.
PHONE, TABLET, DESKTOP = 390, 768, 1280
VIEWPORT_HEIGHT = 800
# Pages are large and the machine small: on each page, click through this many solutions,
# quizzes and animations (every solution is still checked to be hidden).
INTERACTIONS_PER_PAGE = 2

# TeX that MathJax should have replaced: a display/inline delimiter or a common command.
RAW_TEX = re.compile(
    r"\$\$|\\\(|\\\)|\\\[|\\\]|\\(?:frac|sum|max|min|begin|end|left|right|mathbb|mathrm|"
    r"cdot|times|lfloor|rfloor|lceil|rceil|infty|sqrt|operatorname|text)\b"
)


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail when running in CI (a skip in CI is a failure)."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)")
    pytest.skip(reason)


def toc_docnames(toc_path: Path = REPO / "_toc.yml") -> list[str]:
    """Every document listed in the table of contents, in reading order."""
    import yaml

    toc = yaml.safe_load(toc_path.read_text(encoding="utf8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return [re.sub(r"\.(md|ipynb)$", "", n) for n in names]


PAGES = toc_docnames()


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        unavailable(f"no built site at {SITE} (run `make book`, or set BOOK_HTML_DIR)")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _is_local(url: str) -> bool:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in {"data", "blob", "about", "javascript"}:
        return True
    return parsed.hostname == LOCAL_HOST


@dataclass
class Recorder:
    """Everything the browser asked for, with foreign requests kept apart."""

    requests: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def clear(self):
        self.requests.clear()
        self.foreign.clear()


@pytest.fixture(scope="session")
def browser(base_url):
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (it is pinned in requirements.txt)")
    recorder = Recorder()
    user_data = tempfile.mkdtemp(prefix="site-test-chromium-")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
        )

        def route(r):
            # Record every request; never let one leave 127.0.0.1.
            url = r.request.url
            if _is_local(url):
                r.continue_()
            else:
                recorder.foreign.append(url)
                r.abort()

        context.route("**/*", route)
        context.on("request", lambda req: recorder.requests.append(req.url))
        context.recorder = recorder
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(user_data, ignore_errors=True)


@dataclass
class Visit:
    """One page load: the live page and what went wrong while loading it."""

    page: object
    status: int | None
    console_errors: list[str]
    foreign: list[str]
    bad_responses: list[str]


def open_page(browser, base_url, docname: str, query: str = "", width: int = DESKTOP) -> Visit:
    browser.recorder.clear()
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": VIEWPORT_HEIGHT})
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    bad: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on(
        "response",
        lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    response = page.goto(f"{base_url}/{docname}.html{query}", wait_until="load")
    # Wait for MathJax (if the page loads it) to finish typesetting, then for the network.
    page.evaluate(
        "() => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " ? MathJax.startup.promise.then(() => true) : true"
    )
    # Not "networkidle": a looping animation swaps data: frames forever. Give late scripts
    # (quizzes, theme, fonts) a moment to run and to report errors instead.
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_timeout(SETTLE_MS)
    return Visit(
        page,
        response.status if response else None,
        errors,
        list(browser.recorder.foreign)
        + [u for u in browser.recorder.requests if not _is_local(u)],
        bad,
    )


def check_solutions(page, name: str) -> list[str]:
    """Every solution is hidden; the first few open when their toggle button is clicked."""
    failures = []
    solutions = page.locator("article div.solution")
    for i in range(solutions.count()):
        sol = solutions.nth(i)
        body = sol.locator(":scope > :not(.admonition-title)").first
        label = f"{name} solution #{i + 1}"
        if body.count() == 0:
            failures.append(f"{label}: empty solution")
            continue
        if body.is_visible():
            failures.append(f"{label}: visible before its toggle is clicked")
            continue
        if i >= INTERACTIONS_PER_PAGE:
            continue  # every solution must be hidden; opening a few shows the toggles work
        # The reader's control: sphinx-togglebutton's button in the title (the title's
        # centre may be the link back to the exercise).
        toggle = sol.locator(".admonition-title button.toggle-button")
        if toggle.count() == 0:
            failures.append(f"{label}: hidden, but has no toggle button to open it")
            continue
        toggle.scroll_into_view_if_needed()
        toggle.click()
        try:
            body.wait_for(state="visible", timeout=3_000)
        except Exception:
            failures.append(f"{label}: still hidden after clicking its toggle")
    return failures


def check_quizzes(page, name: str) -> list[str]:
    """Choosing an answer in the first few quizzes shows feedback."""
    failures = []
    quizzes = page.locator("article .Quiz")
    for i in range(min(quizzes.count(), INTERACTIONS_PER_PAGE)):
        quiz = quizzes.nth(i)
        label = f"{name} quiz #{i + 1}"
        choices = quiz.locator("label.MCButton")
        feedback = quiz.locator(".Feedback").first
        if choices.count() == 0 or feedback.count() == 0:
            failures.append(f"{label}: no multiple-choice answer to click")
            continue
        before = feedback.inner_text().strip()
        choices.first.scroll_into_view_if_needed()
        choices.first.click()
        try:
            page.wait_for_function(
                "([el, before]) => el.innerText.trim() !== '' && el.innerText.trim() !== before",
                arg=[feedback.element_handle(), before],
                timeout=3_000,
            )
        except Exception:
            failures.append(f"{label}: no feedback after choosing an answer")
    return failures


def check_animations(page, name: str) -> list[str]:
    """Pressing play in the first few animations changes the frame shown."""
    failures = []
    animations = page.locator("article .animation")
    for i in range(min(animations.count(), INTERACTIONS_PER_PAGE)):
        anim = animations.nth(i)
        label = f"{name} animation #{i + 1}"
        img = anim.locator("img").first
        play = anim.locator("button[title='Play']").first
        if img.count() == 0 or play.count() == 0:
            failures.append(f"{label}: no frame image or no play button")
            continue
        before = img.get_attribute("src")
        play.scroll_into_view_if_needed()
        play.click()
        try:
            page.wait_for_function(
                "([el, src]) => el.getAttribute('src') !== src",
                arg=[img.element_handle(), before],
                timeout=5_000,
            )
        except Exception:
            failures.append(f"{label}: the frame did not change after pressing play")
        pause = anim.locator("button[title='Pause']").first
        if pause.count():
            pause.click()
    return failures


@dataclass
class PageSurvey:
    """What one load of a page showed; interactive checks ran on that same load."""

    status: int | None
    console_errors: list[str]
    foreign: list[str]
    bad_responses: list[str]
    math_elements: int
    mathjax_outputs: int
    raw_tex: list[str]
    cjk_text: bool
    cjk_font_loaded: bool
    solutions: int
    quizzes: int
    animations: int
    solution_failures: list[str]
    quiz_failures: list[str]
    animation_failures: list[str]
    layout: dict = field(default_factory=dict)  # LAYOUT_JS at DESKTOP width, before any click


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# The vendored "Course CJK" font (book/_static_assets/course.css) loaded and drawing glyphs.
CJK_FONT_JS = """async () => {
  await document.fonts.ready;
  return [...document.fonts].some(f => f.family.replace(/"/g, '') === 'Course CJK' && f.status === 'loaded');
}"""

VISIBLE_TEXT_JS = """() => {
  const root = document.querySelector('article') || document.body;
  const copy = root.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, .highlight, mjx-container, mjx-assistive-mml')
      .forEach(e => e.remove());
  return copy.textContent;
}"""


# What a reader sees of the page's layout, measured in the browser (boxes are
# [left, top, right, bottom] in CSS pixels, relative to the viewport).
LAYOUT_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const shown = e => {
    if (!e || e.closest('dialog:not([open])')) return false;
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden';
  };
  const article = document.querySelector('article.bd-article');
  const scroller = e => {  // nearest ancestor inside the article that scrolls sideways
    for (let a = e.parentElement; a && a !== article; a = a.parentElement)
      if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a;
    return null;
  };
  const equations = [...document.querySelectorAll('article div.math')].flatMap(div => {
    const number = div.querySelector(':scope > span.eqno');
    const box_ = div.querySelector(':scope > mjx-container[display]');
    const formula = box_ && box_.querySelector(':scope > mjx-math');
    if (!number || !formula) return [];
    const s = getComputedStyle(box_);
    return [{label: number.textContent.replace(/#/g, '').trim(), div: box(div), box: box(box_),
             formula: box(formula), number: box(number), overflow_x: s.overflowX,
             scroll_width: box_.scrollWidth, client_width: box_.clientWidth}];
  });
  const tables = [...document.querySelectorAll('article table')].map(t => {
    const s = scroller(t);
    return {width: t.getBoundingClientRect().width, scroller: s && box(s),
            column: article.getBoundingClientRect().width};
  });
  const links = nav => [...nav.querySelectorAll('a')].map(a => a.textContent.trim());
  const caption = [...document.querySelectorAll('nav.bd-docs-nav p.caption')]
      .find(c => c.textContent.trim() === 'Chapters');
  const chapterTable = [...document.querySelectorAll('article table')].find(t =>
      [...t.querySelectorAll('thead th')].some(th => th.textContent.trim() === 'Chapter'));
  let introChapters = null;
  if (chapterTable) {
    const col = [...chapterTable.querySelectorAll('thead th')].findIndex(th => th.textContent.trim() === 'Chapter');
    introChapters = [...chapterTable.querySelectorAll('tbody tr')].map(tr => tr.children[col].textContent.trim());
  }
  const header = document.querySelector('.bd-header-article');
  const sidebar = document.querySelector('#pst-primary-sidebar');
  return {
    viewport: window.innerWidth,
    page_width: document.documentElement.scrollWidth,
    equations, tables,
    mathjax_tags: document.querySelectorAll('article mjx-labels').length,
    search_fields: [...document.querySelectorAll('.search-button__button, form.bd-search, input[type=search]')]
        .filter(shown).map(e => e.className),
    article_header_top: shown(header) ? header.getBoundingClientRect().top : null,
    sidebar_top: shown(sidebar) ? sidebar.getBoundingClientRect().top : null,
    nav_chapters: caption ? links(caption.nextElementSibling) : [],
    intro_chapters: introChapters,
  };
}"""


def _overlap(a, b, tolerance: float = 0.5) -> bool:
    """Whether boxes [left, top, right, bottom] overlap by more than `tolerance` px each way."""
    return (
        min(a[2], b[2]) - max(a[0], b[0]) > tolerance
        and min(a[3], b[3]) - max(a[1], b[1]) > tolerance
    )


def _inside(inner, outer, tolerance: float = 1.0) -> bool:
    """Whether box `inner` lies within box `outer` horizontally."""
    return inner[0] >= outer[0] - tolerance and inner[2] <= outer[2] + tolerance


def equation_problems(layout: dict, where: str) -> list[str]:
    """Every numbered display equation shows its whole formula (in full, or in a box that
    scrolls sideways to all of it) and its number, and the two do not overlap."""
    problems = []
    if layout["mathjax_tags"]:
        problems.append(f"{where}: MathJax \\tag labels, which this test does not measure yet")
    for eq in layout["equations"]:
        label = f"{where} equation {eq['label']}"
        formula, number, box = eq["formula"], eq["number"], eq["box"]
        if _overlap(formula, number):
            problems.append(f"{label}: the formula {formula} overlaps its number {number}")
        if not _inside(number, eq["div"]) or number[0] < 0 or number[2] > layout["viewport"] + 1:
            problems.append(f"{label}: the number {number} is cut off (equation {eq['div']})")
        if not _inside(box, eq["div"]):
            problems.append(f"{label}: the formula's box {box} is clipped by the equation {eq['div']}")
        width = formula[2] - formula[0]
        if width <= eq["client_width"] + 1:
            if not _inside(formula, box):
                problems.append(f"{label}: the formula {formula} sticks out of its box {box}")
        elif eq["overflow_x"] not in ("auto", "scroll") or eq["scroll_width"] < width - 1 or formula[0] < box[0] - 1:
            problems.append(
                f"{label}: the formula ({width:.0f} px) is wider than its box "
                f"({eq['client_width']} px) and cannot be scrolled to in full"
            )
    return problems


def overflow_problems(layout: dict, where: str) -> list[str]:
    """The page never scrolls sideways; a table wider than the column scrolls in its own box."""
    problems = []
    if layout["page_width"] > layout["viewport"]:
        problems.append(
            f"{where}: the page is {layout['page_width']} px wide in a {layout['viewport']} px viewport"
        )
    for i, table in enumerate(layout["tables"], 1):
        if table["width"] <= table["column"] + 1:
            continue
        box = table["scroller"]
        if box is None or box[0] < -1 or box[2] > layout["viewport"] + 1:
            problems.append(f"{where} table #{i}: {table['width']:.0f} px wide and not in a scrolling box")
    return problems


def top_band_problems(layout: dict, where: str) -> list[str]:
    """Exactly one search control is shown, and nothing sits in a band above the article's
    header and the sidebar (both start at the top of the window)."""
    problems = []
    if len(layout["search_fields"]) != 1:
        problems.append(f"{where}: {len(layout['search_fields'])} search controls shown: {layout['search_fields']}")
    for what in ("article_header_top", "sidebar_top"):
        top = layout[what]
        if top is not None and top > 1:
            problems.append(f"{where}: a {top:.0f} px band above the {what.rsplit('_', 1)[0].replace('_', ' ')}")
    if layout["article_header_top"] is None:
        problems.append(f"{where}: no article header (with the menu buttons) is shown")
    return problems


@pytest.fixture(scope="session")
def phone_layout(browser, base_url) -> dict[str, dict]:
    """LAYOUT_JS of every page at phone width (one load each, no clicks)."""
    result = {}
    for name in PAGES:
        visit = open_page(browser, base_url, name, width=PHONE)
        result[name] = visit.page.evaluate(LAYOUT_JS)
        visit.page.close()
    return result


@pytest.fixture(scope="session")
def survey(browser, base_url) -> dict[str, PageSurvey]:
    """Load every page of the table of contents once, record what it shows, and exercise
    its solutions, quizzes and animations on that same load (pages are large: one load each)."""
    result = {}
    for name in PAGES:
        visit = open_page(browser, base_url, name)
        p = visit.page
        text = p.evaluate(VISIBLE_TEXT_JS)
        counts = {
            "math_elements": p.locator("article .math").count(),
            "mathjax_outputs": p.locator("article mjx-container").count(),
            "solutions": p.locator("article div.solution").count(),
            "quizzes": p.locator("article .Quiz").count(),
            "animations": p.locator("article .animation").count(),
        }
        cjk_font_loaded = p.evaluate(CJK_FONT_JS)
        layout = p.evaluate(LAYOUT_JS)
        solution_failures = check_solutions(p, name)
        quiz_failures = check_quizzes(p, name)
        animation_failures = check_animations(p, name)
        p.wait_for_timeout(200)  # errors raised by the interactions
        result[name] = PageSurvey(
            status=visit.status,
            console_errors=list(visit.console_errors),
            foreign=sorted(set(visit.foreign + browser.recorder.foreign)),
            bad_responses=list(visit.bad_responses),
            raw_tex=sorted(set(RAW_TEX.findall(text))),
            cjk_text=bool(CJK.search(text)),
            cjk_font_loaded=cjk_font_loaded,
            solution_failures=solution_failures,
            quiz_failures=quiz_failures,
            animation_failures=animation_failures,
            layout=layout,
            **counts,
        )
        p.close()
    return result


def pages_with(survey, attr: str) -> list[str]:
    return [name for name, s in survey.items() if getattr(s, attr) > 0]


# ------------------------------------------------------------------ every page


@pytest.mark.parametrize("docname", PAGES)
def test_page_loads_without_console_errors(survey, docname):
    s = survey[docname]
    assert s.status == 200, f"{docname}: HTTP status {s.status}"
    assert not s.bad_responses, f"{docname}: failed requests {s.bad_responses}"
    assert not s.console_errors, f"{docname}: console errors {s.console_errors}"


@pytest.mark.parametrize("docname", PAGES)
def test_page_fetches_nothing_from_other_hosts(survey, docname):
    assert not survey[docname].foreign, (
        f"{docname} requested resources from other hosts (offline readers lose them): "
        f"{survey[docname].foreign}"
    )


@pytest.mark.parametrize("docname", PAGES)
def test_maths_is_typeset(survey, docname):
    s = survey[docname]
    if s.math_elements:
        assert s.mathjax_outputs > 0, f"{docname}: {s.math_elements} maths elements, none typeset"
    assert not s.raw_tex, f"{docname}: raw TeX left in the text: {s.raw_tex}"


@pytest.mark.parametrize("docname", PAGES)
def test_chinese_text_uses_the_vendored_font(survey, docname):
    """Chinese terms must render with no CJK font installed: the page loads the course's own."""
    s = survey[docname]
    if s.cjk_text:
        assert s.cjk_font_loaded, f"{docname}: Chinese text, but the 'Course CJK' font did not load"


def test_no_page_references_assets_on_other_hosts(site):
    """Static check of every HTML file: no script, stylesheet, font or image from another host,
    not even one that only a code path rarely taken would load."""
    tag_url = re.compile(
        r"<(?:script|img|iframe|source|audio|video)\b[^>]*\bsrc\s*=\s*[\"']?(https?:)?//"
        r"|<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//",
        re.I,
    )
    inline_block = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.I | re.S)
    url_in_code = re.compile(r"""(?:src\s*=|href\s*=|url\(|@import|import\()\s*["']?(?:https?:)?//""", re.I)
    problems = []
    for html in sorted(site.rglob("*.html")):
        text = html.read_text(encoding="utf8", errors="replace")
        rel = html.relative_to(site)
        for m in tag_url.finditer(text):
            tag = text[m.start() : text.find(">", m.start()) + 1]
            if tag.lower().startswith("<link") and not re.search(
                r"rel\s*=\s*[\"']?(stylesheet|preload|modulepreload|icon|shortcut icon|manifest)",
                tag,
                re.I,
            ):
                continue  # e.g. rel="canonical": a link, not a fetched asset
            problems.append(f"{rel}: {tag[:160]}")
        for m in inline_block.finditer(text):
            if "json" in m.group(2).lower():
                continue  # data, not code (ipywidgets state, MathJax config)
            for u in url_in_code.finditer(m.group(3)):
                body = m.group(3)
                problems.append(f"{rel}: inline {m.group(1)} loads {body[u.start() : u.start() + 120]!r}")
    for css in sorted(site.rglob("*.css")):
        for u in re.finditer(r"(?:url\(|@import)\s*[\"']?(?:https?:)?//[^)\"';]*", css.read_text("utf8", "replace")):
            problems.append(f"{css.relative_to(site)}: {u.group(0)[:120]}")
    assert not problems, "assets from other hosts:\n" + "\n".join(problems)


# ------------------------------------------------------------------ features


def test_search_finds_pooling(browser, base_url, site):
    visit = open_page(browser, base_url, "search", "?q=pooling")
    page = visit.page
    page.wait_for_selector("#search-results ul.search li")
    hits = page.locator("#search-results ul.search li").count()
    page.close()
    assert hits > 0, "search for 'pooling' returned nothing"
    assert not visit.console_errors, f"search page console errors: {visit.console_errors}"
    assert not visit.foreign, f"search page requested other hosts: {visit.foreign}"


def _feature(survey, count_attr: str, failures_attr: str, what: str) -> None:
    names = pages_with(survey, count_attr)
    if not names:
        pytest.skip(f"no page in the table of contents has {what} yet")
    failures = [f for name in names for f in getattr(survey[name], failures_attr)]
    assert not failures, "\n".join(failures)


def test_solutions_hidden_until_toggled(survey):
    _feature(survey, "solutions", "solution_failures", "a solution")


def test_quiz_answer_gives_feedback(survey):
    _feature(survey, "quizzes", "quiz_failures", "a quiz")


def test_animation_frame_changes_after_play(survey):
    _feature(survey, "animations", "animation_failures", "an animation")


# ------------------------------------------------------------------ the test's own logic


def test_toc_lists_root_and_reference_pages():
    """The page list comes from _toc.yml (not from the build), so a page that fails to
    build is reported as missing rather than silently left out."""
    assert PAGES[0] == "book/intro"
    assert "book/bibliography" in PAGES and "book/api" in PAGES


def test_raw_tex_pattern():
    assert RAW_TEX.search(r"we have \(x\) here")
    assert RAW_TEX.search(r"$$ y = x $$")
    assert RAW_TEX.search(r"y = \frac{1}{n}")
    assert not RAW_TEX.search("max pooling keeps the largest value; cost is $5")


def test_overlap_and_inside():
    assert _overlap([0, 0, 10, 10], [5, 5, 20, 20])
    assert not _overlap([0, 0, 10, 10], [10, 0, 20, 10])  # touching is not overlapping
    assert not _overlap([0, 0, 100, 10], [50, 12, 90, 20])  # a number below the formula
    assert _inside([5, 0, 95, 9], [0, 0, 100, 10]) and not _inside([5, 0, 120, 9], [0, 0, 100, 10])
    wide = {"label": "(1.1)", "div": [0, 0, 300, 50], "box": [0, 0, 240, 50], "formula": [0, 0, 280, 40],
            "number": [250, 10, 300, 30], "overflow_x": "auto", "scroll_width": 280, "client_width": 240}
    assert any("overlaps" in p for p in equation_problems({"mathjax_tags": 0, "viewport": 390, "equations": [wide]}, "x"))
    wrapped = dict(wide, box=[0, 0, 300, 50], number=[250, 55, 300, 70], div=[0, 0, 300, 70], client_width=300)
    assert not equation_problems({"mathjax_tags": 0, "viewport": 390, "equations": [wrapped]}, "x")
    clipped = dict(wrapped, overflow_x="hidden", formula=[0, 0, 400, 40], scroll_width=300)
    assert equation_problems({"mathjax_tags": 0, "viewport": 390, "equations": [clipped]}, "x")


def test_is_local():
    assert _is_local("http://127.0.0.1:8000/x.js")
    assert _is_local("data:image/png;base64,AAAA")
    assert not _is_local("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js")
    assert not _is_local("http://localhost:8000/")  # only the server we started


def test_ci_turns_only_missing_tool_skips_into_failures():
    from tests.site_conftest import must_not_skip

    assert must_not_skip("torch is not installed", in_ci=True)
    assert must_not_skip(f"no Chromium at {CHROMIUM}", in_ci=True)
    assert must_not_skip("no built site at _build/html", in_ci=True)
    assert not must_not_skip("torch is not installed", in_ci=False)
    assert not must_not_skip("no page in the table of contents has a quiz yet", in_ci=True)


def test_api_page_documents_every_public_name_and_module():
    """book/api.md must list every name in poolkit.__all__ and every poolkit module, so
    that nothing new goes undocumented (and its docstring is checked by the strict build)."""
    import pkgutil

    import poolkit

    api = (REPO / "book" / "api.md").read_text(encoding="utf8")
    listed = set(re.findall(r"^\.\. auto(?:function|class|data):: (\w+)\s*$", api, re.M))
    missing = sorted(set(poolkit.__all__) - listed)
    assert not missing, f"add to book/api.md (under `.. currentmodule:: poolkit`): {missing}"
    modules = set(re.findall(r"^\.\. (?:automodule|py:module):: ([\w.]+)", api, re.M))
    found = {
        m.name
        for m in pkgutil.walk_packages(poolkit.__path__, prefix="poolkit.")
        if not m.name.rsplit(".", 1)[1].startswith("_")
    }
    undocumented = sorted(found - modules)
    assert not undocumented, f"add an automodule section to book/api.md for {undocumented}"


# ------------------------------------------------------------------ layout at phone and desktop widths


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("docname", PAGES)
def test_numbered_equations_show_formula_and_number_apart(survey, phone_layout, docname, width):
    layout = phone_layout[docname] if width == PHONE else survey[docname].layout
    problems = equation_problems(layout, f"{docname} at {width} px")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("docname", PAGES)
def test_page_does_not_scroll_sideways(survey, phone_layout, docname, width):
    layout = phone_layout[docname] if width == PHONE else survey[docname].layout
    problems = overflow_problems(layout, f"{docname} at {width} px")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("docname", PAGES)
def test_one_search_control_and_no_empty_band_at_the_top(survey, phone_layout, docname, width):
    layout = phone_layout[docname] if width == PHONE else survey[docname].layout
    problems = top_band_problems(layout, f"{docname} at {width} px")
    assert not problems, "\n".join(problems)


def test_intro_chapter_table_names_the_chapters_as_the_navigation_does(survey):
    layout = survey[PAGES[0]].layout
    nav = [re.sub(r"^\d+\.\s*", "", text) for text in layout["nav_chapters"]]
    assert nav, "no 'Chapters' section in the navigation"
    assert layout["intro_chapters"] is not None, "the intro has no table with a 'Chapter' column"
    assert layout["intro_chapters"] == nav, (
        "the intro's chapter table and the navigation name the chapters differently:\n"
        + "\n".join(f"  {a!r} vs {b!r}" for a, b in zip(layout["intro_chapters"], nav) if a != b)
    )


# ------------------------------------------------------------------ menus below 960 px


def _shown(locator):
    """The first of `locator`'s elements that is visible (hidden copies of a button exist)."""
    for i in range(locator.count()):
        if locator.nth(i).is_visible():
            return locator.nth(i)
    return None


MENU_CASES = [(PHONE, "book/intro"), (PHONE, "book/05-sizes"), (PHONE, "book/cheatsheet"), (TABLET, "book/03-types")]


@pytest.mark.parametrize("width,docname", MENU_CASES)
def test_menu_button_opens_the_navigation_and_a_link_works(browser, base_url, width, docname):
    visit = open_page(browser, base_url, docname, width=width)
    page = visit.page
    try:
        assert not page.locator("#pst-primary-sidebar a.reference").first.is_visible(), (
            f"{docname} at {width} px: the navigation is visible before ☰ is clicked (is this narrow?)"
        )
        toggle = _shown(page.locator(".primary-toggle"))
        assert toggle is not None, f"{docname} at {width} px: no visible ☰ button"
        toggle.click()
        nav = page.locator("#pst-primary-sidebar-modal[open] nav.bd-docs-nav")
        try:
            nav.wait_for(state="visible", timeout=3_000)
        except Exception:
            pytest.fail(f"{docname} at {width} px: clicking ☰ did not show the navigation")
        here = page.url.split("#")[0].rsplit("/", 1)[1]
        links = nav.locator("a.reference.internal")
        target = next(
            (links.nth(i) for i in range(links.count())
             if links.nth(i).get_attribute("href").split("#")[0] not in ("", "#", here)),
            None,
        )
        assert target is not None, f"{docname}: the navigation links to no other page"
        href = target.get_attribute("href")
        with page.expect_navigation(timeout=5_000):
            target.click()
        assert page.url.split("#")[0].endswith("/" + href.split("#")[0].lstrip("./")), (
            f"{docname} at {width} px: clicking {href!r} in the menu led to {page.url}"
        )
    finally:
        page.close()


@pytest.mark.parametrize("width,docname", MENU_CASES)
def test_contents_button_shows_the_page_sections_and_a_link_works(browser, base_url, width, docname):
    visit = open_page(browser, base_url, docname, width=width)
    page = visit.page
    try:
        toggle = _shown(page.locator(".secondary-toggle"))
        assert toggle is not None, f"{docname} at {width} px: no visible page-contents button"
        toggle.click()
        toc = page.locator("#pst-secondary-sidebar-modal[open] nav.page-toc")
        try:
            toc.wait_for(state="visible", timeout=3_000)
        except Exception:
            pytest.fail(f"{docname} at {width} px: clicking the page-contents button showed nothing")
        sections = page.evaluate(
            "() => [...document.querySelectorAll('article section > h2')]"
            ".map(h => h.closest('section').id)"
        )
        links = toc.locator("a.nav-link")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        missing = [s for s in sections if f"#{s}" not in hrefs]
        assert sections and not missing, f"{docname}: page contents lack sections {missing or '(none found)'}"
        last = links.nth(links.count() - 1)
        last.click()
        page.wait_for_function("h => location.hash === h", arg=hrefs[-1], timeout=3_000)
    finally:
        page.close()


def test_menu_buttons_work_from_the_keyboard(browser, base_url):
    visit = open_page(browser, base_url, "book/02-purpose", width=PHONE)
    page = visit.page
    try:
        for button, dialog in ((".primary-toggle", "#pst-primary-sidebar-modal"),
                               (".secondary-toggle", "#pst-secondary-sidebar-modal")):
            toggle = _shown(page.locator(button))
            assert toggle is not None, f"no visible {button}"
            toggle.focus()
            page.keyboard.press("Enter")
            try:
                page.locator(f"{dialog}[open]").wait_for(state="visible", timeout=3_000)
            except Exception:
                pytest.fail(f"Enter on the focused {button} did not open {dialog}")
            page.keyboard.press("Escape")
            try:
                page.locator(f"{dialog}[open]").wait_for(state="detached", timeout=3_000)
            except Exception:
                pytest.fail(f"Escape did not close {dialog}")
    finally:
        page.close()
