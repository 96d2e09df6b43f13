"""What a check found: :class:`CheckResult`, the score card, and printing the one line.

A checker ends with :func:`finish`, which prints its line in a single write,
records the result in the session's :data:`SCORECARD` and returns it.
"""

from __future__ import annotations

import sys
from typing import Iterable

from .text import one_line

__all__ = [
    "NOT_ATTEMPTED",
    "PASSED",
    "FAILED",
    "CheckResult",
    "Scorecard",
    "SCORECARD",
    "score",
    "emit",
    "finish",
]

NOT_ATTEMPTED = "not attempted"
PASSED = "passed"
FAILED = "failed"


class CheckResult:
    """What a checker found; it has already printed :attr:`message`.

    Attributes
    ----------
    name : str
        The exercise's name.
    status : str
        ``"passed"``, ``"failed"`` or ``"not attempted"``.
    message : str
        The line that was printed.

    Notes
    -----
    In a notebook the object displays nothing (``_ipython_display_`` is a
    no-op), so the printed line is the cell's only output. ``bool(result)``
    is ``result.passed``.
    """

    __slots__ = ("name", "status", "message")

    def __init__(self, name: str, status: str, message: str):
        self.name = name
        self.status = status
        self.message = message

    @property
    def passed(self) -> bool:
        """True when every case passed (or the value / choice is right)."""
        return self.status == PASSED

    @property
    def attempted(self) -> bool:
        """False while the learner's answer is still a stub."""
        return self.status != NOT_ATTEMPTED

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return f"CheckResult(name={self.name!r}, status={self.status!r})"

    def _ipython_display_(self) -> None:
        # The checker already printed its one line; show nothing more.
        return None


class Scorecard:
    """The latest result of each exercise checked in this session.

    Examples
    --------
    >>> card = Scorecard()
    >>> card.record(CheckResult("q1", PASSED, "Correct."))
    >>> card.record(CheckResult("q2", FAILED, "Not quite: ..."))
    >>> card.summary(["q1", "q2", "q3"])
    'Score: 1 of 3 passed. To revisit: q2. Not attempted yet: q3.'
    >>> card.status("q3")
    'not attempted'
    """

    def __init__(self) -> None:
        self._results: dict[str, CheckResult] = {}

    def record(self, result: CheckResult) -> None:
        """Remember ``result`` as the latest one for its exercise."""
        self._results[result.name] = result

    def clear(self) -> None:
        """Forget every result."""
        self._results.clear()

    def results(self) -> dict[str, CheckResult]:
        """A copy of the recorded results, by exercise name."""
        return dict(self._results)

    def get(self, name: str) -> CheckResult | None:
        """The latest result of exercise ``name``, or None if it was never checked."""
        return self._results.get(name)

    def status(self, name: str) -> str:
        """``"passed"``, ``"failed"`` or ``"not attempted"`` (never checked) for one exercise."""
        r = self._results.get(name)
        return NOT_ATTEMPTED if r is None else r.status

    def summary(self, names: Iterable[str] | None = None) -> str:
        """One line: how many passed, which to revisit, which are not attempted.

        Parameters
        ----------
        names : iterable of str, optional
            The exercises that count (those never checked count as not
            attempted). Default: every exercise checked so far, in order.
        """
        names = list(self._results) if names is None else [str(n) for n in names]
        passed = [n for n in names if self.status(n) == PASSED]
        failed = [n for n in names if self.status(n) == FAILED]
        todo = [n for n in names if n not in passed and n not in failed]
        line = f"Score: {len(passed)} of {len(names)} passed."
        if failed:
            line += " To revisit: " + ", ".join(failed) + "."
        if todo:
            line += " Not attempted yet: " + ", ".join(todo) + "."
        return line


#: The session's score card; every checker records into it.
SCORECARD = Scorecard()


def emit(line: str) -> None:
    """Print ``line`` and its newline in a single write.

    ``print(line)`` writes the text and the newline separately; a notebook
    kernel may flush between the two and show a second, empty output box.
    """
    sys.stdout.write(line + "\n")


def finish(name: str, status: str, message: str, record: bool = True) -> CheckResult:
    """Print the one line (in a single write), record it in :data:`SCORECARD` and return the result.

    Parameters
    ----------
    name : str
        The exercise's name.
    status : str
        ``PASSED``, ``FAILED`` or ``NOT_ATTEMPTED``.
    message : str
        The line; whitespace runs become one space.
    record : bool, optional
        False for a line that is about the call, not the answer.

    Examples
    --------
    >>> r = finish("demo", PASSED, "Correct.", record=False)
    Correct.
    """
    message = one_line(message)
    emit(message)
    result = CheckResult(name, status, message)
    if record:
        SCORECARD.record(result)
    return result


def score(names: Iterable[str] | None = None, *, card: Scorecard | None = None) -> str:
    """Print (and return) a one-line summary of the exercises checked so far.

    Parameters
    ----------
    names : iterable of str, optional
        The exercises to count, e.g. every exercise of the self-test; those
        not yet checked count as not attempted. Default: all checked so far.
    card : Scorecard, optional
        Defaults to the session's :data:`SCORECARD`.

    Returns
    -------
    str
        The printed line.
    """
    line = safe_summary(lambda: (SCORECARD if card is None else card).summary(names))
    emit(line)
    return line


def safe_summary(summary) -> str:
    """``summary()``, or a "Could not compute the score" line if it fails (never raises)."""
    try:
        return summary()
    except Exception as exc:  # never raise in a learner's notebook
        return f"Could not compute the score ({type(exc).__name__})."


__all__.append("safe_summary")
