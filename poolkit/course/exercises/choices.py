"""The one multiple-choice grader: what a learner's letters say about one question.

:func:`mark_choice` reads the letters and classifies the answer; the three
places that grade letters (:func:`~poolkit.course.exercises.checks.check_choice`, a
quiz's :func:`~poolkit.course.exercises.quiz.grade` and the self-test's
``check_choices``) only word the
verdict, each in its own line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .text import parse_letters

__all__ = ["Mark", "mark_choice", "BLANK", "RIGHT", "WRONG", "MISSING", "UNREADABLE", "UNKNOWN", "TOO_MANY"]

BLANK = "blank"            # None, ..., or an empty string: not answered
RIGHT = "right"            # exactly the right letter(s)
WRONG = "wrong"            # a wrong letter chosen (``Mark.letter`` is the first, alphabetically)
MISSING = "missing"        # only right letters, but not all of them
UNREADABLE = "unreadable"  # not letters at all (a number, a list holding a number, "")
UNKNOWN = "unknown"        # a letter that is not an option (``Mark.letter``)
TOO_MANY = "too many"      # several different letters where one is asked for


@dataclass(frozen=True)
class Mark:
    """The verdict on one multiple-choice answer."""

    verdict: str
    chosen: tuple = ()          # the letters read, upper case, in the learner's order
    letter: str | None = None   # the first wrong (or unknown) letter

    @property
    def right(self) -> bool:
        return self.verdict == RIGHT


def _blank(answer: Any) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


def mark_choice(answer: Any, letters: Iterable[str], correct: str | Iterable[str], *, one: bool | None = None) -> Mark:
    """Classify the letter(s) ``answer`` against the options ``letters`` and the right ``correct``.

    Parameters
    ----------
    answer : object
        What the learner wrote: ``"b"``, ``"(B)"``, ``"A, C"``, ``["A", "C"]``, ...
    letters : iterable of str
        The options' letters, e.g. ``"ABCD"``.
    correct : str or iterable of str
        The right letter, or every right letter.
    one : bool, optional
        Whether exactly one letter is asked for (default: when one letter is right).

    Returns
    -------
    Mark

    Examples
    --------
    >>> mark_choice("b", "ABCD", "B").verdict, mark_choice("a, c", "ABCD", ("B", "C")).letter
    ('right', 'A')
    >>> [mark_choice(a, "ABCD", "B").verdict for a in (..., 3, "E", "A B")]
    ['blank', 'unreadable', 'unknown', 'too many']
    >>> mark_choice("A", "ABCD", ("A", "C")).verdict
    'missing'
    """
    letters = [str(k).upper() for k in letters]
    right = {c.upper() for c in ([correct] if isinstance(correct, str) else correct)}
    one = len(right) == 1 if one is None else one
    if _blank(answer):
        return Mark(BLANK)
    chosen = parse_letters(answer, letters)
    if not chosen:
        return Mark(UNREADABLE)
    chosen = tuple(chosen)
    unknown = [c for c in chosen if c not in letters]
    if unknown:
        return Mark(UNKNOWN, chosen, unknown[0])
    picked = set(chosen)
    if one and len(picked) > 1:
        return Mark(TOO_MANY, chosen)
    if picked == right:
        return Mark(RIGHT, chosen)
    wrong = sorted(picked - right)
    if wrong:
        return Mark(WRONG, chosen, wrong[0])
    return Mark(MISSING, chosen)
