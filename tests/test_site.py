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

REPO = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("BOOK_HTML_DIR", "_build/html"))
if not SITE.is_absolute():
    SITE = REPO / SITE
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
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


def open_page(browser, base_url, docname: str, query: str = "") -> Visit:
    browser.recorder.clear()
    page = browser.new_page()
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
