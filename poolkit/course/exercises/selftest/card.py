"""The self-test's score card, :class:`SelfTest`: check any question by number, print the score.

The card is a view over a :class:`~poolkit.course.exercises.results.Scorecard` (one
result per question, ``q1`` to ``q26``); every result is also recorded in the
session's :data:`~poolkit.course.exercises.results.SCORECARD`.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any, Callable

from ..authoring import (
    FAILED, NOT_ATTEMPTED, PASSED, SCORECARD, WRONG, checker, CheckResult, emit, fail_line,
    finish, mark_choice, never_raise, one_line, quote, safe_summary, Scorecard, sentence, typename,
)
from .answers import blank, is_int, not_checkable
from .code import CODE_CHECKS as _CODE
from .questions import BY_NUMBER, CHOICE_EXERCISES, CHOICE_NUMBERS, CHOICES, QUESTIONS, Question, Where, reread
from .stretch import STRETCH_CHECKS as _STRETCH
from .values import VALUE_CHECKS as _VALUES

__all__ = ["SelfTest", "VALUE_CHECKS"]


def _ranges(numbers_: list[int]) -> str:
    """[1, 2, 3, 5] -> 'Q1–Q3, Q5'."""
    out, start, prev = [], None, None
    for n in sorted(numbers_):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"Q{start}" if start == prev else f"Q{start}–Q{prev}")
            start = prev = n
    if start is not None:
        out.append(f"Q{start}" if start == prev else f"Q{start}–Q{prev}")
    return ", ".join(out)


#: Q10 to Q21's, Q23's, Q24's and Q26's checkers, by number, each guarded like every chapter checker (one line, one time
#: budget, the learner's code in a child process, also while diagnosing).
VALUE_CHECKS: dict[int, Callable[[Any], CheckResult]] = {
    number: checker(name=f"q{number}")(check) for number, check in {**_VALUES, **_CODE, **_STRETCH}.items()
}


class SelfTest:
    """A score card for the course self-test: check answers, then print the score.

    Each check prints one line; a wrong answer's line ends with the chapter
    and section to reread. :meth:`summary` prints the score and every
    section to reread, grouped. Nothing here raises on any answer.

    Examples
    --------
    >>> test = SelfTest()
    >>> test.summary()
    Score: 0/26 — not attempted yet: Q1–Q26.
    >>> r = test.check(16, (72, 72))
    Not quite: item 0 of op_counts is too large. Hint: that is the textbook convention, k x k per window; a max over 9 values needs only 8 comparisons. Reread chapter 6, "Counting operations, two ways".
    >>> r = test.check(16, (64, 72))
    Correct.
    >>> test.summary_line()
    'Score: 1/26 — not attempted yet: Q1–Q15, Q17–Q26.'
    """

    def __init__(self) -> None:
        # This test's own view: the latest result of each question, under "q1" ... "q21".
        self._card = Scorecard()

    # -- checking ---------------------------------------------------------------

    @never_raise("self-test", record=False)
    def check(self, number: Any = None, answer: Any = ...) -> CheckResult:
        """Check the answer to question ``number`` (1 to 26) and print one line.

        Parameters
        ----------
        number : int
            The question's number.
        answer : object
            A letter (Q1 to Q9, Q22, Q25), a number, a tuple or a list (Q10 to Q17,
            Q23, Q24, Q26), or a function (Q18 to Q21); ``...`` or ``None`` while not attempted.

        Returns
        -------
        CheckResult
            Displays nothing in a notebook; the line is already printed.
        """
        if blank(number) and blank(answer):
            return finish("self-test", NOT_ATTEMPTED,
                         "Not attempted yet: give the question's number and your answer, "
                         "e.g. test.check(10, pooled_3x3), and run this cell again.", record=False)
        if not is_int(number) or int(number) not in BY_NUMBER:
            return finish("self-test", FAILED, fail_line(
                "Not checkable", f"there is no question {quote(repr(number), 20)}",
                f"give the question's number, 1 to {len(QUESTIONS)}, e.g. test.check(10, pooled_3x3)"),
                record=False)
        q = BY_NUMBER[int(number)]
        if q.kind == "choice":
            run = lambda: CHOICE_EXERCISES[q.number].run(answer)  # noqa: E731
        else:
            run = lambda: VALUE_CHECKS[q.number](answer)  # noqa: E731
        return self._run(q, run)

    @never_raise("mc_answers")
    def check_choices(self, answers: Any = ...) -> CheckResult:
        """Grade the letters chosen for Q1 to Q9 and print one line.

        Parameters
        ----------
        answers : sequence of str
            Nine letters, one per question in order, e.g. ``["B", "A", ...]``
            or ``"B A ..."``; ``...`` or ``None`` for a question skipped.

        Returns
        -------
        CheckResult
            Passed only if all nine are right. Each question is also
            recorded on its own, for :meth:`summary`.
        """
        return self._check_choices(answers)

    def _check_choices(self, answers: Any) -> CheckResult:
        name, n = "mc_answers", len(CHOICE_NUMBERS)
        task = (f"Not attempted yet: put the letter you chose for each of Q1 to Q{n} in mc_answers, "
                "in order, and run this cell again.")
        if blank(answers):
            answers = [None] * n
        if isinstance(answers, str):
            parts = [p for p in re.split(r"[\s,;]+", answers.strip()) if p]
            if len(parts) == 1 and len(parts[0]) == n:
                parts = list(parts[0])
            answers = parts
        if isinstance(answers, dict) or not isinstance(answers, (list, tuple)):
            return not_checkable(name, f"mc_answers should be a list of {n} letters, got {typename(answers)}",
                                  'write mc_answers = ["A", "B", ...] with one letter per question')
        if len(answers) != n:
            return not_checkable(name, f"mc_answers has {len(answers)} entries, not {n}",
                                  "one letter per question, in order; ... for a question you skip")
        if all(blank(a) for a in answers):
            for number in CHOICE_NUMBERS:
                self._record(number, CheckResult(f"q{number}", NOT_ATTEMPTED, task))
            return finish(name, NOT_ATTEMPTED, task)
        right, unanswered, first_problem = 0, [], None
        for number, a in zip(CHOICE_NUMBERS, answers):
            c, q = CHOICES[number], BY_NUMBER[number]
            if blank(a):
                unanswered.append(number)
                self._record(number, CheckResult(f"q{number}", NOT_ATTEMPTED, "not answered"))
                continue
            letters = list(c.options)
            mark = mark_choice(a, letters, c.correct, one=True)
            if mark.right:
                right += 1
                self._record(number, CheckResult(f"q{number}", PASSED, "Correct."))
                continue
            if mark.verdict == WRONG:
                problem = f"Q{number}, {mark.letter}: {sentence(c.why[mark.letter])} {reread(q)}"
            else:
                problem = f"Q{number}: use one of the letters {', '.join(letters)}."
            self._record(number, CheckResult(f"q{number}", FAILED, problem))
            first_problem = first_problem or problem
        if right == n:
            return finish(name, PASSED, f"Correct: {n} of {n} right.")
        line = f"Not quite: {right} of {n} right"
        if unanswered:
            line += f", not answered yet: {_ranges(unanswered)}"
        line += "." + (f" {first_problem}" if first_problem else "")
        return finish(name, FAILED, line)

    def _run(self, q: Question, run: Callable[[], CheckResult]) -> CheckResult:
        """Run a checker quietly, add the section to reread, print and record one line."""
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            result = run()
        message = result.message
        if result.status == FAILED:
            message = f"{message} {reread(q)}"
        message = one_line(message)
        emit(message)
        result = CheckResult(result.name, result.status, message)
        SCORECARD.record(result)
        self._record(q.number, result)
        return result

    def _record(self, number: int, result: CheckResult) -> None:
        self._card.record(CheckResult(f"q{number}", result.status, result.message))

    # -- the score --------------------------------------------------------------

    def results(self) -> dict[int, CheckResult]:
        """The latest result of each question checked so far, by number."""
        return {q.number: r for q in QUESTIONS if (r := self._card.get(f"q{q.number}")) is not None}

    def status(self, number: int) -> str:
        """``"passed"``, ``"failed"`` or ``"not attempted"`` for one question."""
        return self._card.status(f"q{number}")

    def summary_line(self) -> str:
        """The score and what to reread, as one line (what :meth:`summary` prints)."""
        total = len(QUESTIONS)
        passed = [q for q in QUESTIONS if self.status(q.number) == PASSED]
        failed = [q for q in QUESTIONS if self.status(q.number) == FAILED]
        todo = [q.number for q in QUESTIONS if self.status(q.number) == NOT_ATTEMPTED]
        line = f"Score: {len(passed)}/{total}"
        if not failed and not todo:
            return line + " — full marks: nothing to reread."
        if failed:
            groups: dict[Where, list[int]] = {}
            for q in sorted(failed, key=lambda q: (q.where.chapter, q.number)):
                groups.setdefault(q.where, []).append(q.number)
            line += " — reread: " + "; ".join(
                f"{w.text()} ({_ranges(nums)})" for w, nums in groups.items())
        if todo:
            line += " — not attempted yet: " + _ranges(todo)
        return line + "."

    def summary(self) -> None:
        """Print the score and the sections to reread (one line)."""
        emit(safe_summary(self.summary_line))

    def __repr__(self) -> str:
        passed = sum(self.status(q.number) == PASSED for q in QUESTIONS)
        return f"SelfTest({passed} of {len(QUESTIONS)} passed)"

    def _ipython_display_(self) -> None:
        # A bare `test` at the end of a cell shows the score line, nothing else.
        self.summary()
