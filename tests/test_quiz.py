"""Quizzes: format validation, stable offline output, and that they work in a browser."""

from __future__ import annotations

import re

import pytest

from poolkit.course.exercises import quiz
from poolkit.course.exercises import FAILED, NOT_ATTEMPTED, PASSED
from tests._support import CHROMIUM, require_chromium

Q1 = quiz.mc(
    "Which value pads a max-pooling window?",
    [
        ("Zero", False, "A zero could beat an all-negative window."),
        ("Minus infinity", True, "It never wins a max, so padding never changes the result."),
        ("The mean of the window", False, "That would change the maximum of small windows."),
    ],
)
Q2 = quiz.mc(
    "Which poolings have no learnable parameters?",
    [
        ("Max pooling", True, "Right: a fixed reduction."),
        ("Average pooling", True, "Right: a fixed average."),
        ("A strided convolution", False, "Its kernel is learned."),
    ],
    many=True,
)


# --------------------------------------------------------------------------
# building and validating questions
# --------------------------------------------------------------------------


def test_mc_builds_jupyterquiz_format():
    assert Q1 == {
        "question": "Which value pads a max-pooling window?",
        "type": "multiple_choice",
        "answers": [
            {"answer": "Zero", "correct": False, "feedback": "A zero could beat an all-negative window."},
            {"answer": "Minus infinity", "correct": True,
             "feedback": "It never wins a max, so padding never changes the result."},
            {"answer": "The mean of the window", "correct": False,
             "feedback": "That would change the maximum of small windows."},
        ],
    }
    assert Q2["type"] == "many_choice"
    assert quiz.mc("q?", [("a", True, "yes"), ("b", False, "no")], code="x = 1")["code"] == "x = 1"


@pytest.mark.parametrize(
    "questions, error, message",
    [
        ([], TypeError, "questions must be a non-empty list of dicts"),
        (["text"], TypeError, r"questions\[0\] must be a dict, got str"),
        ([{"question": "", "type": "multiple_choice", "answers": []}], ValueError,
         r"questions\[0\] needs a non-empty 'question' string"),
        ([{"question": "q", "type": "numeric", "answers": []}], ValueError,
         r"questions\[0\] 'type' must be one of \('multiple_choice', 'many_choice'\), got 'numeric'"),
        ([{"question": "q", "type": "multiple_choice",
           "answers": [{"answer": "a", "correct": True, "feedback": "f"},
                       {"answer": "b", "correct": False}]}], ValueError,
         r"questions\[0\] answers\[1\] needs 'feedback' saying why it is right or wrong"),
        ([{"question": "q", "type": "multiple_choice",
           "answers": [{"answer": "a", "correct": 1, "feedback": "f"},
                       {"answer": "b", "correct": False, "feedback": "f"}]}], TypeError,
         r"questions\[0\] answers\[0\] 'correct' must be True or False, got 1"),
        ([{"question": "q", "type": "multiple_choice",
           "answers": [{"answer": "a", "correct": True, "feedback": "f"},
                       {"answer": "b", "correct": True, "feedback": "f"}]}], ValueError,
         r"questions\[0\] is multiple_choice and needs exactly 1 correct answer, got 2"),
    ],
)
def test_validate_names_the_question_and_the_rule(questions, error, message):
    with pytest.raises(error, match=message):
        quiz.validate(questions)


def test_mc_rejects_malformed_answers():
    with pytest.raises(ValueError, match=r"answers\[1\] must be a \(text, correct, feedback\) triple"):
        quiz.mc("q?", [("a", True, "yes"), ("b", False)])


# --------------------------------------------------------------------------
# the HTML and JavaScript
# --------------------------------------------------------------------------


def test_output_is_stable_and_ids_are_unique_per_page():
    quiz._seen.clear()
    first = quiz.quiz_html([Q1, Q2])
    quiz._seen.clear()
    again = quiz.quiz_html([Q1, Q2])
    assert first == again  # same content, fresh kernel -> same stored output
    second_on_page = quiz.quiz_html([Q1, Q2])
    ids = [re.search(r'<div id="([A-Za-z]+)"', h).group(1) for h, _ in (first, second_on_page)]
    assert ids[0] != ids[1]
    for div_id in ids:
        assert re.fullmatch(r"pkquiz[a-p]{16}", div_id)  # a valid JavaScript identifier


def test_output_loads_nothing_from_the_network():
    html, script = quiz.quiz_html([Q1])
    both = html + script
    assert "://" not in both
    assert "<link" not in both and "src=" not in html and "@import" not in both
    assert "cdn.jsdelivr" not in both
    assert "function show_questions" in script and "Question.register('multiple_choice'" in script


def test_questions_cannot_close_the_script_tag():
    q = quiz.mc("Is </script> safe?", [("yes", True, "escaped"), ("no", False, "it is")])
    _, script = quiz.quiz_html([q])
    assert "</script>" not in script and "<\\/script>" in script


def test_show_displays_container_then_script(monkeypatch):
    import IPython.display as disp

    shown = []
    monkeypatch.setattr(disp, "display", lambda *objs, **kw: shown.extend((o, kw) for o in objs))
    quiz._seen.clear()
    assert quiz.show([Q1]) is None
    quiz._seen.clear()
    html, script = quiz.quiz_html([Q1])
    assert type(shown[0][0]).__name__ == "HTML" and shown[0][0].data == html
    # The script as a raw bundle with an empty text/plain: no "<...Javascript object>" where it cannot run.
    assert shown[1] == ({"application/javascript": script, "text/plain": ""}, {"raw": True})
    assert len(shown) == 2


def test_show_rejects_bad_questions_before_displaying(monkeypatch):
    import IPython.display as disp

    shown = []
    monkeypatch.setattr(disp, "display", lambda *objs: shown.extend(objs))
    with pytest.raises(ValueError, match="needs at least 2 answers"):
        quiz.show([{"question": "q", "type": "multiple_choice", "answers": [{}]}])
    assert shown == []
    with pytest.raises(ValueError, match="max_width must be an int of at least 200 pixels, got 50"):
        quiz.show([Q1], max_width=50)


# --------------------------------------------------------------------------
# Markdown and grading
# --------------------------------------------------------------------------


def test_questions_to_markdown():
    assert quiz.questions_to_markdown([Q1, Q2]) == (
        "1. Which value pads a max-pooling window?\n"
        "   - A. Zero\n"
        "   - B. Minus infinity\n"
        "   - C. The mean of the window\n"
        "2. Which poolings have no learnable parameters?\n"
        "   - A. Max pooling\n"
        "   - B. Average pooling\n"
        "   - C. A strided convolution"
    )
    key = quiz.questions_to_markdown([Q1], answers=True)
    assert "   - B. Minus infinity (right: It never wins a max, so padding never changes the result.)" in key
    assert "   - A. Zero (wrong: A zero could beat an all-negative window.)" in key


@pytest.mark.parametrize(
    "answers, status, line",
    [
        (["B", "A, B"], PASSED, "Correct: 2 of 2 right."),
        (["b", "ab"], PASSED, "Correct: 2 of 2 right."),
        (["A", "A, B"], FAILED, "Not quite: 1 of 2 right. Question 1, A: A zero could beat an all-negative window."),
        (["B", "A"], FAILED, "Not quite: 1 of 2 right. Question 2: a right option is missing."),
        (["B", "A, C"], FAILED, "Not quite: 1 of 2 right. Question 2, C: Its kernel is learned."),
        ([None, "A, B"], FAILED, "Not quite: 1 of 2 right. Question 1 is unanswered."),
        (["Z", "A, B"], FAILED, "Not quite: 1 of 2 right. Question 1: use one of the letters A, B, C."),
        ([None, None], NOT_ATTEMPTED,
         "Not attempted yet: put one letter per question in the list and run this cell again."),
        (None, NOT_ATTEMPTED, "Not attempted yet: put one letter per question in the list and run this cell again."),
        (["B"], FAILED, "Not checkable: expected 2 answers, got 1. Hint: one letter per question, "
                        "None for a question you skip."),
        (5, FAILED, 'Not checkable: answers should be a list of letters. Hint: one letter per question, '
                    'e.g. ["A", "C"].'),
    ],
)
def test_grade(capsys, answers, status, line):
    r = quiz.grade([Q1, Q2], answers, name="quiz-test")
    assert capsys.readouterr().out == line + "\n"
    assert r.status == status


# --------------------------------------------------------------------------
# in a real browser, with no kernel and no network
# --------------------------------------------------------------------------

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (launching it is the slow part)."""
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser):
    """A fresh page that records console errors and refuses the network."""
    context = browser.new_context()
    page = context.new_page()
    page.errors, page.remote = [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))

    def guard(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            page.remote.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    yield page
    context.close()


def _page(tmp_path, body: str) -> str:
    path = tmp_path / "quiz.html"
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path.as_uri()


def _quiz_markup(questions, **kw):
    html, script = quiz.quiz_html(questions, shuffle_answers=False, **kw)
    return html + f"<script>{script}</script>"


def test_quiz_gives_feedback_in_a_browser(browser_page, tmp_path):
    page = browser_page
    page.goto(_page(tmp_path, _quiz_markup([Q1, Q2])))
    page.wait_for_selector(".MCButton", timeout=10_000)
    labels = page.locator(".MCButton")
    assert labels.count() == 6
    labels.nth(0).click()  # Q1, "Zero": wrong
    fb = page.locator(".Feedback").first
    assert fb.inner_text() == "A zero could beat an all-negative window."
    labels.nth(1).click()  # Q1, "Minus infinity": right
    assert fb.inner_text() == "It never wins a max, so padding never changes the result."
    assert "correct" in fb.get_attribute("class")
    assert page.errors == [] and page.remote == []


def test_quiz_waits_for_a_half_loaded_mathjax_and_never_fetches_one(browser_page, tmp_path):
    """Like a site page whose MathJax config exists but whose MathJax has not loaded yet."""
    page = browser_page
    before = "<script>window.MathJax = {tex: {inlineMath: [['$', '$']]}};</script>"
    after = """<script>
      setTimeout(function () {
        window.MathJax.version = "3.2.2";
        window.MathJax.typeset = function (els) { window.typesetCalls = (window.typesetCalls || 0) + 1; };
      }, 1200);
    </script>"""
    q = quiz.mc("Pool $x$?", [("$\\max$", True, "yes"), ("$\\min$", False, "no")])
    page.goto(_page(tmp_path, before + _quiz_markup([q]) + after))
    page.wait_for_selector(".MCButton", timeout=10_000)
    page.wait_for_function("window.typesetCalls >= 1", timeout=10_000)
    page.locator(".MCButton").nth(0).click()
    assert page.locator(".Feedback").first.inner_text() == "yes"
    assert page.errors == [] and page.remote == []
