"""Multiple-choice quizzes that work in a notebook and on the static site.

Questions use jupyterquiz's format (a list of dicts); :func:`show` renders
them with jupyterquiz's own JavaScript, embedded in the output, so the quiz
runs in the browser with no kernel and fetches nothing. Unlike
``jupyterquiz.display_quiz`` it gives each quiz a stable id derived from its
content (stored outputs do not change between runs) and it waits for the
page's own MathJax instead of loading one from a CDN.

Build questions with :func:`mc` (one right answer) or write the dicts by
hand::

    {"question": "...", "type": "multiple_choice",
     "answers": [{"answer": "...", "correct": True, "feedback": "..."}, ...]}

Every answer needs feedback: a learner who clicks a wrong answer is told why.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import importlib.resources
import json
from collections import Counter
from typing import Any, Mapping, Sequence

from .authoring import FAILED, NOT_ATTEMPTED, PASSED, finish, sentence
from .choices import BLANK, MISSING, WRONG, mark_choice

__all__ = ["mc", "validate", "show", "quiz_html", "questions_to_markdown", "grade"]

_TYPES = ("multiple_choice", "many_choice")

# Okabe-Ito colours (readable by colour-blind readers) on jupyterquiz's layout.
_COLORS = {
    "--jq-multiple-choice-bg": "#2f4b7c",
    "--jq-mc-button-bg": "#fafafa",
    "--jq-mc-button-border": "#e0e0e0e0",
    "--jq-mc-button-inset-shadow": "#555555",
    "--jq-many-choice-bg": "#6a3d9a",
    "--jq-numeric-bg": "#2f4b7c",
    "--jq-numeric-input-bg": "#c0c0c0",
    "--jq-numeric-input-label": "#101010",
    "--jq-numeric-input-shadow": "#999999",
    "--jq-string-bg": "#4c1a57",
    "--jq-incorrect-color": "#d55e00",
    "--jq-correct-color": "#009e73",
    "--jq-text-color": "#fafafa",
    "--jq-link-color": "#9abafa",
}

# jupyterquiz loads MathJax from a CDN when it finds a half-loaded MathJax;
# that branch is never taken here (see _SUFFIX), and the URL is neutralised.
_CDN_MATHJAX = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"
_NO_OP_SCRIPT = "data:text/javascript,"

# Shows the questions once the container exists. If the page's MathJax is
# configured but not loaded yet, hide it from jupyterquiz while rendering
# (jupyterquiz would otherwise fail on it or fetch MathJax from a CDN), then
# typeset the quiz when MathJax is ready.
_SUFFIX = """
(function () {
  var divId = "%(id)s";
  var tries = 0;
  function mathjaxReady() {
    var mj = window.MathJax;
    return !mj || (typeof mj.version === "string" && typeof mj.typeset === "function");
  }
  function typesetLater(el) {
    var waited = 0;
    (function poll() {
      var mj = window.MathJax;
      if (mj && typeof mj.version === "string" && typeof mj.typeset === "function") {
        try { mj.typeset([el]); } catch (err) { console.log("quiz: typeset skipped", err); }
      } else if (waited++ < 100) {
        setTimeout(poll, 100);
      }
    })();
  }
  function go() {
    var el = document.getElementById(divId);
    if (!el) {
      if (tries++ < 100) { setTimeout(go, 100); }
      return;
    }
    if (el.dataset.pkShown === "1") { return; }
    el.dataset.pkShown = "1";
    var still = el.querySelector(".pk-quiz-static");   // the questions shown before any script ran
    if (still) { still.remove(); }
    if (mathjaxReady()) {
      show_questions(questions%(id)s, el);
      return;
    }
    var saved = window.MathJax;
    window.MathJax = undefined;
    try { show_questions(questions%(id)s, el); } finally { window.MathJax = saved; }
    typesetLater(el);
  }
  go();
})();
"""

_seen: Counter = Counter()


def mc(question: str, answers: Sequence[Sequence[Any]], *, code: str | None = None,
       many: bool = False) -> dict:
    """Build one multiple-choice question in jupyterquiz's format.

    Parameters
    ----------
    question : str
        The question (HTML and ``$...$`` maths allowed).
    answers : sequence of (text, correct, feedback)
        Each answer with whether it is right and the feedback shown when it
        is clicked (say *why*).
    code : str, optional
        A code snippet shown under the question.
    many : bool, optional
        ``True`` for "select all that apply" (several right answers).

    Returns
    -------
    dict

    Examples
    --------
    >>> q = mc("Max of (1, 5, 3)?", [("5", True, "The largest value."),
    ...                              ("3", False, "That is the last value.")])
    >>> q["type"], len(q["answers"]), q["answers"][0]["correct"]
    ('multiple_choice', 2, True)
    """
    q = {
        "question": question,
        "type": "many_choice" if many else "multiple_choice",
        "answers": [],
    }
    if code is not None:
        q["code"] = code
    for i, a in enumerate(answers):
        if not isinstance(a, (tuple, list)) or len(a) != 3:
            raise ValueError(
                f"answers[{i}] must be a (text, correct, feedback) triple, got {a!r}"
            )
        text, correct, feedback = a
        q["answers"].append({"answer": text, "correct": correct, "feedback": feedback})
    validate([q])
    return q


def validate(questions: Any) -> list[dict]:
    """Check that ``questions`` is a well-formed quiz; return it as a list.

    Raises
    ------
    TypeError, ValueError
        Naming the question and answer at fault and the rule broken.

    Examples
    --------
    >>> validate([{"question": "?", "type": "multiple_choice", "answers": []}])
    Traceback (most recent call last):
    ...
    ValueError: questions[0] needs at least 2 answers, got 0
    """
    if isinstance(questions, Mapping):
        questions = [questions]
    if not isinstance(questions, (list, tuple)) or not questions:
        raise TypeError(f"questions must be a non-empty list of dicts, got {questions!r}")
    for i, q in enumerate(questions):
        where = f"questions[{i}]"
        if not isinstance(q, Mapping):
            raise TypeError(f"{where} must be a dict, got {type(q).__name__}")
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            raise ValueError(f"{where} needs a non-empty 'question' string")
        if q.get("type") not in _TYPES:
            raise ValueError(f"{where} 'type' must be one of {_TYPES}, got {q.get('type')!r}")
        answers = q.get("answers")
        if not isinstance(answers, (list, tuple)) or len(answers) < 2:
            n = len(answers) if isinstance(answers, (list, tuple)) else answers
            raise ValueError(f"{where} needs at least 2 answers, got {n!r}")
        n_right = 0
        for j, a in enumerate(answers):
            aw = f"{where} answers[{j}]"
            if not isinstance(a, Mapping):
                raise TypeError(f"{aw} must be a dict, got {type(a).__name__}")
            if not isinstance(a.get("answer"), str) or not a["answer"].strip():
                raise ValueError(f"{aw} needs a non-empty 'answer' string")
            if not isinstance(a.get("correct"), bool):
                raise TypeError(f"{aw} 'correct' must be True or False, got {a.get('correct')!r}")
            if not isinstance(a.get("feedback"), str) or not a["feedback"].strip():
                raise ValueError(f"{aw} needs 'feedback' saying why it is right or wrong")
            n_right += a["correct"]
        if q["type"] == "multiple_choice" and n_right != 1:
            raise ValueError(f"{where} is multiple_choice and needs exactly 1 correct answer, got {n_right}")
        if q["type"] == "many_choice" and n_right < 1:
            raise ValueError(f"{where} is many_choice and needs at least 1 correct answer, got 0")
    return [dict(q) for q in questions]


def _stable_id(payload: str) -> str:
    """A JS-identifier id from the content; repeats of one quiz get new ids."""
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    _seen[digest] += 1
    if _seen[digest] > 1:
        digest = hashlib.sha256(f"{payload}#{_seen[digest]}".encode("utf-8")).hexdigest()
    letters = "".join(chr(ord("a") + int(c, 16)) for c in digest[:16])
    return "pkquiz" + letters


def _jupyterquiz_js() -> str:
    js_dir = importlib.resources.files("jupyterquiz").joinpath("js")
    parts = [
        f.read_text(encoding="utf-8")
        for f in sorted(js_dir.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".js")
    ]
    return "".join(parts).replace(_CDN_MATHJAX, _NO_OP_SCRIPT)


def _jupyterquiz_css() -> str:
    return importlib.resources.files("jupyterquiz").joinpath("styles.css").read_text(encoding="utf-8")


def _static_html(questions: list[dict]) -> str:
    """The questions and their options as plain HTML, for where the quiz's script has not run.

    A notebook opened before it is run (or not trusted) shows this inside the
    quiz's box; the script replaces it with the clickable quiz. No answer is
    marked and no feedback is given.
    """
    items = []
    for q in questions:
        options = "".join(f"<li>{a['answer']}</li>" for a in q["answers"])
        code = f"<pre>{html_lib.escape(q['code'])}</pre>" if q.get("code") else ""
        many = " <em>(choose every right answer)</em>" if q["type"] == "many_choice" else ""
        items.append(f"<li><p>{q['question']}{many}</p>{code}"
                     f"<ol type=\"A\">{options}</ol></li>")
    return ('<div class="pk-quiz-static"><p><strong>Quiz.</strong> Run this cell to answer it here '
            "and see why each answer is right or wrong.</p>"
            f"<ol>{''.join(items)}</ol></div>")


def quiz_html(questions, *, shuffle_answers: bool = True, max_width: int = 600) -> tuple[str, str]:
    """The quiz as ``(html, javascript)`` strings (what :func:`show` displays).

    Parameters
    ----------
    questions : list of dict
        In jupyterquiz's format (see :func:`mc`).
    shuffle_answers : bool, optional
        Shuffle the answers in the browser on each page load.
    max_width : int, optional
        Width of the quiz box in pixels.

    Returns
    -------
    (str, str)
        The container (holding the questions as plain HTML until the script
        runs) and styles, and the script that fills it.
    """
    questions = validate(questions)
    if not isinstance(max_width, int) or isinstance(max_width, bool) or max_width < 200:
        raise ValueError(f"max_width must be an int of at least 200 pixels, got {max_width!r}")
    data = json.dumps(questions, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    div_id = _stable_id(data + f"|{bool(shuffle_answers)}|{max_width}")
    html = (
        f'<div id="{div_id}" class="pk-quiz" data-shufflequestions="False" '
        f'data-shuffleanswers="{bool(shuffle_answers)}" data-preserveresponses="false" '
        f'data-numquestions="{len(questions)}" data-maxwidth="{max_width}" '
        f'style="border-radius: 10px; text-align: left">{_static_html(questions)}</div>\n'
        "<style>\n#" + div_id + " {\n"
        + "".join(f"   {k}: {v};\n" for k, v in _COLORS.items())
        + "}\n" + _jupyterquiz_css() + "</style>"
    )
    script = (
        f"var questions{div_id}={data};\n"
        "if (typeof Question === 'undefined') {\n"
        + _jupyterquiz_js()
        + _SUFFIX % {"id": div_id}
        + "\n}\n"
    )
    return html, script


def show(questions, *, shuffle_answers: bool = True, max_width: int = 600) -> None:
    """Display a multiple-choice quiz (notebook and static site, no kernel needed).

    Parameters
    ----------
    questions : list of dict
        In jupyterquiz's format (see :func:`mc`); each answer needs feedback.
    shuffle_answers : bool, optional
        Shuffle the answers in the browser on each page load (default).
    max_width : int, optional
        Width of the quiz box in pixels.

    Notes
    -----
    Two outputs are displayed: an HTML container and the JavaScript that fills
    it. Both are deterministic in a fresh kernel, so stored outputs do not
    churn. Returns ``None`` so the cell shows nothing else.
    """
    from IPython.display import HTML, display

    html, script = quiz_html(questions, shuffle_answers=shuffle_answers, max_width=max_width)
    display(HTML(html))
    # No text/plain repr ("<IPython.core.display.Javascript object>"): where the script may not
    # run (a notebook not yet run or not trusted) the box above already shows the questions.
    display({"application/javascript": script, "text/plain": ""}, raw=True)


def _letters(n: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(n)]


def questions_to_markdown(questions, *, answers: bool = False) -> str:
    """The quiz as Markdown, answers lettered A, B, ... in the given order.

    Parameters
    ----------
    questions : list of dict
        In jupyterquiz's format.
    answers : bool, optional
        Also mark the right answers and give every feedback (an answer key).

    Returns
    -------
    str

    Examples
    --------
    >>> q = mc("Max of (1, 5, 3)?", [("5", True, "The largest value."),
    ...                              ("3", False, "That is the last value.")])
    >>> print(questions_to_markdown([q]))
    1. Max of (1, 5, 3)?
       - A. 5
       - B. 3
    >>> print(questions_to_markdown([q], answers=True))
    1. Max of (1, 5, 3)?
       - A. 5 (right: The largest value.)
       - B. 3 (wrong: That is the last value.)
    """
    questions = validate(questions)
    lines = []
    for i, q in enumerate(questions, 1):
        lines.append(f"{i}. {q['question']}")
        if q.get("code"):
            lines.append("   ```python")
            lines.extend("   " + ln for ln in str(q["code"]).splitlines())
            lines.append("   ```")
        for letter, a in zip(_letters(len(q["answers"])), q["answers"]):
            line = f"   - {letter}. {a['answer']}"
            if answers:
                verdict = "right" if a["correct"] else "wrong"
                line += f" ({verdict}: {sentence(a['feedback'])})"
            lines.append(line)
    return "\n".join(lines)


def _problem(k: int, mark, q: dict, letters: list[str]) -> str:
    """What is wrong with the answer to question ``k``, for :func:`grade`'s line."""
    if mark.verdict == BLANK:
        return f"Question {k} is unanswered."
    if mark.verdict == WRONG:
        return f"Question {k}, {mark.letter}: {sentence(q['answers'][letters.index(mark.letter)]['feedback'])}"
    if mark.verdict == MISSING:
        return f"Question {k}: a right option is missing."
    return f"Question {k}: use one of the letters {', '.join(letters)}."


def grade(questions, answers, *, name: str = "quiz"):
    """Grade letters typed by the learner against a quiz; print one line.

    Answers are lettered A, B, ... in the order given (as in
    :func:`questions_to_markdown`; show the quiz with
    ``shuffle_answers=False`` if learners read letters off it). The result is
    recorded in the session's score card like any checker's.

    Parameters
    ----------
    questions : list of dict
        In jupyterquiz's format.
    answers : sequence of str
        One entry per question: a letter (or letters for many-choice), or
        ``None``/``...`` for unanswered.
    name : str, optional
        The name used in the score card.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> q = mc("Max of (1, 5, 3)?", [("5", True, "The largest value."),
    ...                              ("3", False, "That is the last value.")])
    >>> r = grade([q, q], ["A", "b"], name="demo")
    Not quite: 1 of 2 right. Question 2, B: That is the last value.
    >>> r = grade([q, q], ["A", "A"], name="demo")
    Correct: 2 of 2 right.
    """
    try:
        questions = validate(questions)
    except (TypeError, ValueError) as exc:
        return finish(str(name), FAILED, f"Not checkable: the quiz itself is malformed ({type(exc).__name__}).")
    try:
        if answers is None or answers is Ellipsis:
            answers = [None] * len(questions)
        answers = list(answers) if not isinstance(answers, str) else [answers]
    except Exception:
        return finish(str(name), FAILED,
                       "Not checkable: answers should be a list of letters. "
                       "Hint: one letter per question, e.g. [\"A\", \"C\"].")
    if len(answers) != len(questions):
        return finish(str(name), FAILED,
                       f"Not checkable: expected {len(questions)} answers, got {len(answers)}. "
                       "Hint: one letter per question, None for a question you skip.")
    if all(a is None or a is Ellipsis or (isinstance(a, str) and not a.strip()) for a in answers):
        return finish(str(name), NOT_ATTEMPTED,
                       "Not attempted yet: put one letter per question in the list and run this cell again.")
    right = 0
    first_problem = None
    for k, (q, a) in enumerate(zip(questions, answers), 1):
        letters = _letters(len(q["answers"]))
        correct = {l for l, ans in zip(letters, q["answers"]) if ans["correct"]}
        mark = mark_choice(a, letters, correct, one=False)
        if mark.right:
            right += 1
        elif first_problem is None:
            first_problem = _problem(k, mark, q, letters)
    if right == len(questions):
        return finish(str(name), PASSED, f"Correct: {right} of {len(questions)} right.")
    return finish(str(name), FAILED, f"Not quite: {right} of {len(questions)} right. {first_problem}")
