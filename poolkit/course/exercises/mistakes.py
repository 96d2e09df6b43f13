"""Known mistakes and the one mechanism that recognises them.

A :class:`Mistake` is a hint and a way to recognise the mistake:

- for a code exercise, ``wrong(case)`` computes what the mistaken function
  returns on a case; :func:`diagnose` runs the learner's function case by
  case and, at the first failing case, puts the hint of the mistake whose
  result the learner's equals on that case;
- for a value exercise, ``answer`` is the mistaken answer itself, or
  ``when(answer)`` says whether the answer shows the mistake;
  :func:`diagnose_answer` gives the first matching mistake's hint.

Neither raises: a mistake whose ``wrong`` or ``when`` fails is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

import numpy as np

from .compare import matches, same_array
from .guard import Failure, attempt, call_quietly, copy_arg

__all__ = ["Mistake", "NO_ANSWER", "diagnose", "diagnose_answer", "as_mistakes"]


class _NoAnswer:
    def __repr__(self) -> str:
        return "NO_ANSWER"


#: A :class:`Mistake` recognised by ``wrong`` or ``when``, not by a wrong answer.
NO_ANSWER = _NoAnswer()


@dataclass(frozen=True)
class Mistake:
    """A known mistake: its hint, and how to recognise it.

    Parameters
    ----------
    hint : str
        What the learner sees after ``Hint:``.
    wrong : callable, optional
        Code exercises: ``wrong(case)`` is what the mistaken function returns
        on ``case`` (an exception skips the mistake on that case).
    answer : object, optional
        Value exercises: the mistaken answer itself (compared like the right one).
    when : callable, optional
        Value exercises: ``when(answer)`` is true when the answer shows the
        mistake (an exception counts as false).

    Examples
    --------
    >>> Mistake("you doubled it", wrong=lambda case: 2 * case.args[0]).hint
    'you doubled it'
    """

    hint: str
    wrong: Callable[[Any], Any] | None = None
    answer: Any = NO_ANSWER
    when: Callable[[Any], bool] | None = None


def as_mistakes(mistakes: Any) -> list[Mistake]:
    """A catalogue as a list of :class:`Mistake`.

    Accepts Mistakes, ``(hint, wrong)`` pairs (code exercises) and a
    ``{wrong answer: hint}`` dict (value exercises).

    Examples
    --------
    >>> as_mistakes({4: "dropped the padding"})
    [Mistake(hint='dropped the padding', wrong=None, answer=4, when=None)]
    """
    if not mistakes:
        return []
    if isinstance(mistakes, dict):
        return [Mistake(hint, answer=answer) for answer, hint in mistakes.items()]
    out = []
    for m in mistakes:
        out.append(m if isinstance(m, Mistake) else Mistake(m[0], wrong=m[1]))
    return out


def _when(test, answer) -> bool:
    with np.errstate(all="ignore"):
        return bool(test(answer))


def diagnose_answer(answer: Any, mistakes: Iterable, *, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """The hint of the first mistake ``answer`` shows, or None. Never raises.

    Examples
    --------
    >>> catalogue = [Mistake("that is k*k", answer=9), Mistake("negative?", when=lambda a: a < 0)]
    >>> diagnose_answer(9, catalogue), diagnose_answer(-1, catalogue), diagnose_answer(8, catalogue)
    ('that is k*k', 'negative?', None)
    """
    for m in as_mistakes(mistakes):
        if m.answer is not NO_ANSWER and matches(answer, m.answer, rtol, atol):
            return m.hint
        if m.when is not None and attempt(_when, m.when, answer) is True:
            return m.hint
    return None


def diagnose(fn: Any, cases: list, mistakes: Iterable, *,
             same: Callable[[Any, Any], bool] = same_array,
             shape_hint: str | None = None, timeout: int | None = 10) -> list:
    """Put a targeted hint on the first failing case when a known mistake explains it.

    The learner's ``fn`` runs quietly, with a time limit, on copies of each
    case's arguments until a case fails. If its result equals what one of the
    ``mistakes`` gives on that case (and that differs from the right answer),
    the case's hint becomes the mistake's; otherwise nothing changes and
    ``check_function`` reports the failure with the case's own hint.

    Parameters
    ----------
    fn : any
        The learner's function; anything else returns ``cases`` unchanged.
    cases : list of Case
    mistakes : iterable of Mistake or (str, callable)
        Tried in order; ``wrong(case)`` returns the mistaken result on
        ``case`` (an exception skips the mistake).
    same : callable
        ``same(got, expected) -> bool``; must not raise.
    shape_hint : str, optional
        The hint when the learner returns an array of another shape.
    timeout : int, optional
        Seconds allowed per call at most; the check's one budget (see
        ``checker``) applies to the diagnosis and the check together.

    Returns
    -------
    list of Case
        ``cases`` itself, with at most one hint replaced. A learner's function
        that raises, times out or returns ``None`` or ``...`` leaves it unchanged.

    Examples
    --------
    >>> from poolkit.course.exercises.checks import Case
    >>> cases = [Case(args=(3,), expected=9, hint="square it")]
    >>> mistakes = [Mistake("you doubled it", wrong=lambda c: 2 * c.args[0])]
    >>> diagnose(lambda n: n + n, cases, mistakes, same=lambda a, b: a == b)[0].hint
    'you doubled it'
    """
    if not callable(fn):
        return cases
    catalogue = [m for m in as_mistakes(mistakes) if m.wrong is not None]
    for case in cases:
        args = tuple(copy_arg(a) for a in case.args)
        got = attempt(call_quietly, fn, args, dict(case.kwargs), timeout, label=case.label)
        if isinstance(got, Failure) or got is None or got is Ellipsis:
            return cases
        if same(got, case.expected):
            continue
        if shape_hint is not None and isinstance(got, np.ndarray) and got.shape != np.shape(case.expected):
            case.hint = shape_hint
            return cases
        for m in catalogue:
            candidate = attempt(m.wrong, case)
            if isinstance(candidate, Failure):
                continue
            if not same(candidate, case.expected) and same(got, candidate):
                case.hint = m.hint
                break
        return cases
    return cases
