"""Text of a checker line: one line, no floats, learner text quoted safely, and the line grammar.

Every checker prints exactly one line of one of these forms (the *line grammar*;
:data:`LINE_FORMS` holds one regular expression for each, and :data:`PASSING_LINE`,
:data:`FAILING_LINE` the two the notebook tests use)::

    Not attempted yet: <what to do>.
    Passes all <N> cases.                      (functions)
    Correct. / Correct: <letter>. <why>        (values and choices)
    Case <label>: <what is wrong>. Hint: <hint>.
    Not quite: <what is wrong>. Hint: <hint>.
    Not checkable: <what is wrong>. Hint: <hint>.
    Check interrupted.

The functions here build those lines; none of them prints.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

import numpy as np

__all__ = [
    "MAX_QUOTE",
    "FLOAT_RE",
    "LINE_FORMS",
    "PASSING_LINE",
    "FAILING_LINE",
    "one_line",
    "sentence",
    "quote",
    "typename",
    "fmt_index",
    "fmt_limit",
    "fail_line",
    "parse_letters",
    "letters",
]

#: Longest learner-provided text (an exception message) quoted in a line.
MAX_QUOTE = 60

#: A floating-point number in text (``1.5``, ``.25``, ``2.``, ``1e-3``, ``nan``, ``inf``).
FLOAT_RE = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?"
    r"|\b(?:nan|inf)\b",
    re.IGNORECASE,
)

#: Each form a checker line may take, by name, as a regular expression matching the start of the line.
LINE_FORMS = {
    "not attempted": re.compile(r"^Not attempted yet: "),
    "passes": re.compile(r"^Passes all \d+ cases\."),
    "correct": re.compile(r"^Correct\b"),
    "case": re.compile(r"^Case .+?: .+\. Hint: "),
    "not quite": re.compile(r"^Not quite: "),
    "not checkable": re.compile(r"^Not checkable: "),
    "interrupted": re.compile(r"^Check interrupted\.$"),
}

#: A line that says the answer passed (the self-test's score line says "full marks").
PASSING_LINE = re.compile(r"^(Passes all \d+ cases\.|Correct\b)|full marks")
#: A line that says the answer is missing or wrong.
FAILING_LINE = re.compile(r"^(Not attempted yet|Case |Not quite|Not checkable)")


def one_line(text: Any) -> str:
    """``text`` with every run of whitespace (newlines too) made one space.

    Examples
    --------
    >>> one_line("two\\n  lines ")
    'two lines'
    """
    return " ".join(str(text).split())


def sentence(text: Any) -> str:
    """Strip ``text`` and make sure it ends with one full stop (or ``!``, ``?``).

    Examples
    --------
    >>> sentence(" reread the section ")
    'reread the section.'
    """
    text = one_line(text)
    if text and text[-1] not in ".!?":
        text += "."
    return text


def quote(text: Any, limit: int = MAX_QUOTE) -> str:
    """Learner-provided text made safe to print: one line, at most ``limit`` characters, no floats.

    Examples
    --------
    >>> quote("got 1.5 and nan")
    'got <number> and <number>'
    """
    try:
        text = str(text)
    except Exception:
        text = "<unprintable>"
    text = FLOAT_RE.sub("<number>", one_line(text))
    if len(text) > limit:
        text = text[: limit - 4].rstrip() + " […]"
    return text


def typename(obj: Any) -> str:
    """How a line names the kind of ``obj``: ``None``, ``... (Ellipsis)``, ``a numpy array of dtype ...``.

    Examples
    --------
    >>> typename([1, 2]), typename(None)
    ('list', 'None')
    """
    if obj is None:
        return "None"
    if obj is Ellipsis:
        return "... (Ellipsis)"
    if isinstance(obj, np.ndarray):
        return f"a numpy array of dtype {obj.dtype}"
    return type(obj).__name__


def fmt_index(idx) -> str:
    """An array index as a line shows it: ``3`` or ``(1, 2)``."""
    idx = tuple(int(i) for i in idx)
    return str(idx[0]) if len(idx) == 1 else str(idx)


def fmt_limit(seconds) -> str:
    """A time limit as the line says it: ``10 s``, or ``250 ms`` below a second (no floats).

    Examples
    --------
    >>> fmt_limit(10), fmt_limit(0.25)
    ('10 s', '250 ms')
    """
    if seconds is None:
        return "the time limit"
    seconds = float(seconds)
    if seconds >= 1 and abs(seconds - round(seconds)) < 1e-9:
        return f"{int(round(seconds))} s"
    return f"{max(1, int(round(seconds * 1000)))} ms"


def fail_line(prefix: str, detail: str, hint: str) -> str:
    """A failing line: ``<prefix>: <detail>. Hint: <hint>.``

    Parameters
    ----------
    prefix : str
        ``"Not quite"``, ``"Not checkable"`` or ``"Case <label>"``.
    detail : str
        What is wrong (a trailing full stop is dropped).
    hint : str
        What to try; a full stop is added.

    Examples
    --------
    >>> fail_line("Not quite", "rf is too small.", "walk through the layers")
    'Not quite: rf is too small. Hint: walk through the layers.'
    """
    detail = one_line(detail).rstrip(".")
    return f"{prefix}: {detail}. Hint: {sentence(hint)}"


def letters(n: int) -> list[str]:
    """The first ``n`` option letters, ``["A", "B", ...]``: the one place letters are made.

    Examples
    --------
    >>> letters(4)
    ['A', 'B', 'C', 'D']
    """
    return [chr(ord("A") + i) for i in range(n)]


_LETTER_SPLIT = re.compile(r"[\s,;/&+]+|\band\b", re.IGNORECASE)


def parse_letters(answer: Any, valid: Iterable[str] = ()) -> list[str] | None:
    """Letters chosen by the learner (upper case), or None if the answer is not text.

    ``"b"``, ``"(B)"``, ``"A, C"``, ``"a and c"`` and ``["A", "C"]`` all work; a run
    such as ``"AC"`` is split into letters when each one is in ``valid``.

    Examples
    --------
    >>> parse_letters("a and (c)"), parse_letters("AC", "ABCD"), parse_letters(3)
    (['A', 'C'], ['A', 'C'], None)
    """
    valid = set(valid)
    if isinstance(answer, str):
        parts = [p for p in _LETTER_SPLIT.split(answer.strip()) if p]
        chosen: list[str] = []
        for p in parts:
            p = p.strip("()[]{}.'\"").upper()
            if not p:
                continue
            if len(p) > 1 and valid and all(ch in valid for ch in p):
                chosen.extend(p)  # "AC" -> A, C
            else:
                chosen.append(p)
        return chosen
    if isinstance(answer, (list, tuple, set, frozenset)):
        chosen = []
        for a in answer:
            if not isinstance(a, str):
                return None
            sub = parse_letters(a, valid)
            if sub is None:
                return None
            chosen.extend(sub)
        return chosen
    return None
