"""The three checkers every exercise is built on: code, value and choice.

- :func:`check_function` runs the learner's function on :class:`Case` s;
- :func:`check_value` checks a number, a tuple or an array;
- :func:`check_choice` checks the letter(s) of a multiple-choice answer.

Each is a guarded entry point (:func:`~poolkit.course.exercises.guard.checker`,
:func:`~poolkit.course.exercises.guard.never_raise`): it prints one line of the line
grammar (:mod:`poolkit.course.exercises.text`), records it and returns a
:class:`~poolkit.course.exercises.results.CheckResult`. Chapters usually declare
their exercises instead (:mod:`poolkit.course.exercises.declarations`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import _sandbox
from .choices import BLANK, RIGHT, TOO_MANY, UNKNOWN, UNREADABLE, WRONG, mark_choice
from .compare import Mismatch, compare
from .guard import (Failure, TIMEOUT_HINT, Timeout, arg_names, attempt, call_quietly, changed,
                    checker, copy_arg, never_raise)
from .mistakes import diagnose_answer
from .results import FAILED, NOT_ATTEMPTED, PASSED, CheckResult, finish
from .text import fail_line, fmt_limit, letters as make_letters, quote, sentence, typename

__all__ = [
    "DEFAULT_HINTS",
    "Case",
    "as_case",
    "check_function",
    "check_value",
    "check_choice",
    "with_reference_cases",
    "check_output_size_fn",
]

#: Default hints, by kind of problem found.
DEFAULT_HINTS = {
    "type": "return the kind of object the exercise asks for",
    "shape": "check the output-size formula: out = floor((in + 2p - d(k-1) - 1) / s) + 1",
    "dtype": "build the output with a float dtype, e.g. np.zeros(shape) or x.astype(float)",
    "values": "compare your result with a hand computation on this case",
    "nan": "a NaN appeared where the input has none: look for 0/0 or cells of np.empty never filled",
    "nan_missing": "NaN must propagate: a window holding NaN pools to NaN (np.max does, np.nanmax does not)",
    "raised": "run your function on this case by itself and read the error",
    "none": "make sure every path through your function ends in return",
    "mutated": "work on a copy (x.copy()) or build a new output array",
    "should_raise": "reject invalid arguments with raise ValueError(...)",
    "timeout": TIMEOUT_HINT,
    "length": "count the items the exercise asks for",
}


@dataclass
class Case:
    """One test case for :func:`check_function`.

    Parameters
    ----------
    args : tuple
        Positional arguments for the learner's function (copied before each
        call, so the originals are never changed).
    expected : object, optional
        The right answer, computed by poolkit's reference (naive or fast) or
        by hand. Arrays are compared in shape, dtype kind and value (floats
        with a tolerance, NaN where NaN is expected); ints and tuples exactly.
    label : str, optional
        How the case is named in a failure line, e.g. ``"4x4, k=2"``.
    hint : str, optional
        A hint specific to this case, used whatever went wrong.
    kwargs : dict, optional
        Keyword arguments for the learner's function.
    raises : exception type or tuple of them, optional
        The learner's function must raise this (e.g. ``ValueError`` for an
        invalid padding); ``expected`` is then ignored.
    """

    args: tuple = ()
    expected: Any = None
    label: str = ""
    hint: str | None = None
    kwargs: dict = field(default_factory=dict)
    raises: Any = None


def as_case(c, i: int) -> Case:
    if isinstance(c, Case):
        case = c
    elif isinstance(c, Mapping):
        case = Case(**c)
    else:
        raise TypeError(f"cases[{i}] must be a Case or a dict, got {type(c).__name__}")
    if not isinstance(case.args, tuple):
        case.args = tuple(case.args) if isinstance(case.args, list) else (case.args,)
    if not case.label:
        case.label = str(i + 1)
    return case


#: Kinds of failure whose own hint wins over a case's hint: the case's hint is about its values.
_KIND_HINT_FIRST = frozenset({"timeout", "mutated"})


def _hint_for(kind: str, case: Case | None, hints: Mapping | None, hint: str | None) -> str:
    if kind in _KIND_HINT_FIRST:
        return (hints or {}).get(kind) or DEFAULT_HINTS[kind]
    if case is not None and case.hint:
        return case.hint
    if hints and kind in hints:
        return hints[kind]
    if hint:
        return hint
    return DEFAULT_HINTS.get(kind, DEFAULT_HINTS["values"])


def _is_stub_result(value) -> bool:
    return value is None or value is Ellipsis


@checker(limit_arg="timeout", name_arg="name", answers=("fn",))
@never_raise(name_arg="name")
def check_function(
    fn: Any,
    cases: Sequence[Case | Mapping],
    *,
    name: str,
    task: str | None = None,
    hint: str | None = None,
    hints: Mapping[str, str] | None = None,
    rtol: float = 1e-7,
    atol: float = 1e-9,
    timeout: int | None = 10,
) -> CheckResult:
    """Run the learner's function on ``cases`` and print one line about it.

    Parameters
    ----------
    fn : callable
        The learner's function. ``None``, ``...``, a function that raises
        ``NotImplementedError`` or that returns ``None`` / ``...`` on the
        first case count as *not attempted*.
    cases : sequence of Case or dict
        Checked in order; put the simplest first. The first failing case is
        reported.
    name : str
        The exercise's name, as the learner sees it (e.g. ``"pool2d"``).
    task : str, optional
        What to do, shown as ``Not attempted yet: <task>.``
    hint : str, optional
        Fallback hint for any failure.
    hints : dict, optional
        Hints by kind of failure: ``"type"``, ``"shape"``, ``"dtype"``,
        ``"values"``, ``"nan"`` (NaN where a number belongs),
        ``"nan_missing"`` (a number where NaN belongs), ``"raised"``,
        ``"none"``, ``"mutated"``,
        ``"should_raise"``, ``"timeout"``, ``"length"``. A case's own hint
        wins over these, these over ``hint``, ``hint`` over the defaults.
    rtol, atol : float, optional
        Tolerance for float results (never printed).
    timeout : int or None, optional
        Seconds allowed for the whole check, every case together; ``None``
        for no limit. The learner's function runs in a child process that is
        stopped at the limit (see ``checker``).

    Returns
    -------
    CheckResult
        Displays nothing in a notebook; the line is already printed.

    Examples
    --------
    >>> import numpy as np
    >>> cases = [Case(args=(np.array([1.0, 5.0, 3.0]),), expected=5.0, label="(1, 5, 3)")]
    >>> r = check_function(lambda x: x.max(), cases, name="biggest")
    Passes all 1 cases.
    >>> r = check_function(lambda x: x.min(), cases, name="biggest")
    Case (1, 5, 3): the result is too small. Hint: compare your result with a hand computation on this case.
    >>> r = check_function(None, cases, name="biggest")
    Not attempted yet: complete `biggest` and run this cell again.
    """
    name = str(name)
    task_text = sentence(task) if task else f"complete `{name}` and run this cell again."
    not_attempted = "Not attempted yet: " + task_text
    if fn is None or fn is Ellipsis:
        return finish(name, NOT_ATTEMPTED, not_attempted)
    if not callable(fn):
        extra = ""
        if isinstance(fn, (np.ndarray, list, tuple, numbers.Number)):
            extra = " (did you call it? pass the function itself)"
        return finish(
            name, FAILED,
            fail_line("Not checkable", f"`{name}` should be a function, got {typename(fn)}{extra}",
                       f"pass the function itself, e.g. check({name}), not check({name}(...))"),
        )
    cases = [as_case(c, i) for i, c in enumerate(cases)]
    for i, case in enumerate(cases):
        prefix = f"Case {case.label}"
        originals = case.args
        given = tuple(copy_arg(a) for a in originals)
        given_kw = {k: copy_arg(v) for k, v in case.kwargs.items()}
        try:
            got = call_quietly(fn, given, given_kw, timeout, name=name, label=case.label,
                              hint=_hint_for("timeout", case, hints, hint))
        except Timeout:
            limit = _sandbox.current_limit() or timeout
            return finish(name, FAILED, fail_line(
                prefix, f"took longer than {fmt_limit(limit)}", _hint_for("timeout", case, hints, hint)))
        except NotImplementedError as exc:
            if i == 0:
                return finish(name, NOT_ATTEMPTED, not_attempted)
            return finish(name, FAILED, fail_line(
                prefix, f"raised NotImplementedError{_exc_detail(exc)}",
                _hint_for("raised", case, hints, hint)))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            if case.raises is not None and _isinstance_safe(exc, case.raises):
                continue
            return finish(name, FAILED, fail_line(
                prefix, f"raised {type(exc).__name__}{_exc_detail(exc)}",
                _hint_for("raised", case, hints, hint)))
        if _is_stub_result(got):
            if i == 0:
                return finish(name, NOT_ATTEMPTED, _not_attempted_stub(not_attempted, name, got))
            return finish(name, FAILED, fail_line(
                prefix, f"returned {typename(got)} instead of a result",
                _hint_for("none", case, hints, hint)))
        argnames = arg_names(fn, given, given_kw)
        for j, (before, after) in enumerate(zip(originals, given)):
            if changed(before, after):
                return finish(name, FAILED, fail_line(
                    prefix, f"your function changed its input `{argnames[j]}` in place",
                    _hint_for("mutated", case, hints, hint)))
        for key, before in case.kwargs.items():
            if changed(before, given_kw[key]):
                return finish(name, FAILED, fail_line(
                    prefix, f"your function changed its input `{key}` in place",
                    _hint_for("mutated", case, hints, hint)))
        if case.raises is not None:
            return finish(name, FAILED, fail_line(
                prefix, f"returned a result but should raise {_exc_names(case.raises)}",
                _hint_for("should_raise", case, hints, hint)))
        try:
            compare(got, case.expected, rtol=rtol, atol=atol)
        except Mismatch as m:
            return finish(name, FAILED, fail_line(prefix, m.detail, _hint_for(m.kind, case, hints, hint)))
        except Exception as exc:
            return finish(name, FAILED, fail_line(
                prefix, f"returned {typename(got)}, which cannot be compared ({type(exc).__name__})",
                _hint_for("type", case, hints, hint)))
    return finish(name, PASSED, f"Passes all {len(cases)} cases.")


def _not_attempted_stub(line: str, name: str, got) -> str:
    """``Not attempted`` line that also says the function returned a stub."""
    what = "None" if got is None else "..."
    return line.rstrip(".") + f" (`{name}` returned {what}; did you forget `return`?)."


def _exc_detail(exc: BaseException) -> str:
    text = quote(exc) if str(exc) else ""
    return f": {text}" if text else ""


def _exc_names(raises) -> str:
    if isinstance(raises, tuple):
        return " or ".join(getattr(r, "__name__", str(r)) for r in raises)
    return getattr(raises, "__name__", str(raises))


def _isinstance_safe(obj, types) -> bool:
    try:
        return isinstance(obj, types)
    except TypeError:
        return False


@checker(name_arg="name", answers=("answer",))
@never_raise(name_arg="name")
def check_value(
    answer: Any,
    expected: Any,
    *,
    name: str,
    task: str | None = None,
    hint: str | None = None,
    hints: Mapping[Any, str] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> CheckResult:
    """Check a numeric answer (a number, a tuple, an array) and print one line.

    Integers and tuples of integers must match exactly; floats within
    ``rtol``/``atol``. Neither the answer nor the expected value is printed.

    Parameters
    ----------
    answer : object
        The learner's answer. ``None`` or ``...`` means not attempted.
    expected : object
        The right answer.
    name : str
        The exercise's name (e.g. the variable the learner sets).
    task : str, optional
        What to do, shown while not attempted.
    hint : str, optional
        Shown after any wrong answer without a specific hint.
    hints : dict, optional
        Targeted hints for known wrong answers, e.g. ``{4: "You kept the
        window that starts in the padding."}``.
    rtol, atol : float, optional
        Tolerance for floats.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_value(3, 3, name="out_size")
    Correct.
    >>> r = check_value(4, 3, name="out_size", hints={4: "in ceil mode, drop a window that starts in the padding"})
    Not quite: out_size is too large. Hint: in ceil mode, drop a window that starts in the padding.
    >>> r = check_value("3", 3, name="out_size")
    Not quite: out_size should be an integer, got str. Hint: write the number itself, without quotes.
    """
    name = str(name)
    if answer is None or answer is Ellipsis:
        task_text = sentence(task) if task else f"replace ... in `{name} = ...` with your answer and run this cell again."
        return finish(name, NOT_ATTEMPTED, "Not attempted yet: " + task_text)
    try:
        compare(answer, expected, rtol=rtol, atol=atol, what=name)
    except Mismatch as m:
        targeted = diagnose_answer(answer, hints or {}, rtol=rtol, atol=atol)
        if targeted is None:
            if m.kind == "type" and isinstance(answer, str):
                targeted = "write the number itself, without quotes"
            else:
                targeted = hint or ("check the type the exercise asks for" if m.kind == "type"
                                    else "redo the computation step by step")
        return finish(name, FAILED, fail_line("Not quite", m.detail, targeted))
    except Exception as exc:
        return finish(name, FAILED, fail_line(
            "Not checkable", f"{name} is {typename(answer)}, which cannot be compared "
            f"({type(exc).__name__})", hint or "give a number, a tuple or an array as asked"))
    return finish(name, PASSED, "Correct.")


@checker(name_arg="name", answers=("answer",))
@never_raise(name_arg="name")
def check_choice(
    answer: Any,
    correct: str | Iterable[str],
    *,
    options: Mapping[str, str] | Sequence[str],
    explanations: Mapping[str, str] | None = None,
    name: str = "answer",
    task: str | None = None,
    hint: str | None = None,
) -> CheckResult:
    """Check a multiple-choice answer given as a letter and print one line.

    Parameters
    ----------
    answer : str or iterable of str
        The learner's letter(s), any case: ``"b"``, ``"B"``, ``"(b)"``; for
        several correct options ``"A, C"``, ``"AC"`` or ``["A", "C"]``.
        ``None``, ``...`` and ``""`` mean not attempted.
    correct : str or iterable of str
        The right letter, or every right letter (then all must be chosen).
    options : dict or sequence
        ``{"A": text, ...}``, or a list of texts lettered A, B, C, ...
    explanations : dict, optional
        Why each option is right or wrong, by letter; each wrong option
        should have its own.
    name : str, optional
        The variable holding the answer, used in messages.
    task, hint : str, optional
        Not-attempted text and fallback hint.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> opts = {"A": "Zero", "B": "Minus infinity"}
    >>> why = {"A": "A zero could beat negative inputs.", "B": "Minus infinity never wins a max."}
    >>> r = check_choice("b", "B", options=opts, explanations=why, name="q1")
    Correct: B. Minus infinity never wins a max.
    >>> r = check_choice("A", "B", options=opts, explanations=why, name="q1")
    Not quite: A is not right. A zero could beat negative inputs.
    >>> r = check_choice("E", "B", options=opts, name="q1")
    Not checkable: "E" is not one of the options A, B. Hint: set q1 to one of the letters A, B.
    """
    name = str(name)
    if isinstance(options, Mapping):
        letters = [str(k).upper() for k in options]
    else:
        letters = make_letters(len(options))
    valid = ", ".join(letters)
    explanations = {str(k).upper(): v for k, v in (explanations or {}).items()}
    correct_set = {c.upper() for c in ([correct] if isinstance(correct, str) else correct)}
    multi = len(correct_set) > 1
    mark = mark_choice(answer, letters, correct_set)
    if mark.verdict == BLANK:
        task_text = sentence(task) if task else (
            f"set {name} to the letter of your choice, e.g. {name} = \"{letters[0]}\", and run this cell again.")
        return finish(name, NOT_ATTEMPTED, "Not attempted yet: " + task_text)
    fix = f"set {name} to one of the letters {valid}" if not multi else (
        f"set {name} to the letters of every right option, e.g. \"{letters[0]}, {letters[-1]}\"")
    if mark.verdict == UNREADABLE:
        return finish(name, FAILED, fail_line(
            "Not checkable", f"expected a letter such as \"{letters[0]}\", got {typename(answer)}", fix))
    if mark.verdict == UNKNOWN:
        shown = answer.strip() if isinstance(answer, str) else mark.letter
        return finish(name, FAILED, fail_line(
            "Not checkable", f"\"{quote(shown, 24)}\" is not one of the options {valid}", fix))
    if mark.verdict == TOO_MANY:
        return finish(name, FAILED, fail_line(
            "Not quite", f"choose exactly one option (you gave {len(set(mark.chosen))})", fix))
    if mark.verdict == RIGHT:
        chosen_set = set(mark.chosen)
        picked = ", ".join(sorted(chosen_set))
        why = " ".join(sentence(explanations[c]) for c in sorted(chosen_set) if c in explanations)
        return finish(name, PASSED, f"Correct: {picked}." + (f" {why}" if why else ""))
    if mark.verdict == WRONG:
        w = mark.letter
        if w in explanations:
            return finish(name, FAILED, f"Not quite: {w} is not right. {sentence(explanations[w])}")
        return finish(name, FAILED, fail_line(
            "Not quite", f"{w} is not right", hint or "reread the section and try again"))
    return finish(name, FAILED, fail_line(
        "Not quite", f"{len(correct_set - set(mark.chosen))} right option(s) missing",
        hint or "more than one option is right; check each one on its own"))


REFERENCE_UNAVAILABLE = ("Not checkable: poolkit's reference is unavailable ({}). "
                         "Hint: reinstall the course environment.")


def with_reference_cases(name: str, build: Callable[[], list], run: Callable[[list], Any]):
    """Build a checker's cases, then return ``run(cases)``.

    ``build`` computes the expected values with poolkit itself. If it fails
    (a broken installation), the checker prints one "Not checkable" line
    instead and returns its result; a ``KeyboardInterrupt`` still stops the cell.

    Examples
    --------
    >>> r = with_reference_cases("demo", lambda: 1 / 0, lambda cases: None)
    Not checkable: poolkit's reference is unavailable (ZeroDivisionError). Hint: reinstall the course environment.
    """
    cases = attempt(build)
    if isinstance(cases, Failure):
        return finish(name, FAILED, REFERENCE_UNAVAILABLE.format(type(cases.error).__name__))
    return run(cases)


#: (size, kernel_size, stride, padding, dilation, ceil_mode, label)
_OUTPUT_SIZE_CASES = (
    (4, 2, 2, 0, 1, False, "in=4, k=2, s=2"),
    (5, 2, 2, 0, 1, False, "in=5, k=2, s=2 (last row dropped)"),
    (5, 3, 1, 1, 1, False, "in=5, k=3, s=1, p=1 (same size)"),
    (7, 3, 2, 0, 2, False, "in=7, k=3, s=2, d=2"),
    (5, 2, 2, 0, 1, True, "in=5, k=2, s=2, ceil mode"),
    (5, 2, 2, 1, 1, True, "in=5, k=2, s=2, p=1, ceil mode (window in padding dropped)"),
    (1, 1, 1, 0, 1, False, "in=1, k=1"),
)


@checker(name="output_size")
def check_output_size_fn(fn: Any) -> CheckResult:
    """Check a learner's ``output_size(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False)``.

    The expected sizes come from :func:`poolkit.output_size`. The cases cover
    floor and ceil mode, padding, dilation and the ceil-mode rule that drops a
    window starting in the right padding (in=5, k=2, s=2, p=1 gives 3).

    Examples
    --------
    >>> import math
    >>> def output_size(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    ...     span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    ...     out = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    ...     if ceil_mode and (out - 1) * stride >= size + padding:
    ...         out -= 1
    ...     return out
    >>> r = check_output_size_fn(output_size)
    Passes all 7 cases.
    """
    def build():
        from poolkit import output_size as reference

        return [
            Case(
                args=(n, k, s),
                kwargs={"padding": p, "dilation": d, "ceil_mode": c},
                expected=int(reference(n, k, stride=s, padding=p, dilation=d, ceil_mode=c)),
                label=label,
            )
            for n, k, s, p, d, c, label in _OUTPUT_SIZE_CASES
        ]

    return with_reference_cases("output_size", build, lambda cases: check_function(
        fn, cases, name="output_size",
        task="complete `output_size` so that it returns the number of windows along one axis",
        hints={
            "values": "out = floor((in + 2p - d(k-1) - 1) / s) + 1; in ceil mode use ceil, "
                      "then drop a last window that would start in the right padding",
            "type": "return an int, e.g. with // for floor division or math.ceil",
        },
    ))
