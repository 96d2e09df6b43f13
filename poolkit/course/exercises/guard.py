"""Guards: the checker entry-point decorator, the "never raise" decorator, and calling learner code.

- :func:`checker` makes a function a checker entry point: one line, one time
  budget, the learner's code in a child process (``_sandbox`` is the mechanism).
- :func:`never_raise` turns any exception escaping a checker into its one
  *Not checkable* line (Ctrl-C into ``Check interrupted.``).
- :func:`attempt` calls code that may fail (the learner's function while a
  mistake is diagnosed, poolkit's reference while cases are built) and gives
  back a :class:`Failure` instead of raising; Ctrl-C still stops the cell.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import io
from typing import Callable, Sequence

import numpy as np

from . import _sandbox
from .compare import is_real_like
from .results import FAILED, NOT_ATTEMPTED, SCORECARD, CheckResult, emit, finish
from .text import fail_line, fmt_limit, quote

__all__ = [
    "CRASH_LINE",
    "INTERRUPTED_LINE",
    "TIMEOUT_HINT",
    "Failure",
    "Timeout",
    "attempt",
    "call_quietly",
    "never_raise",
    "checker",
    "runs_no_code",
    "copy_arg",
    "changed",
    "arg_names",
]

#: The line of a checker that failed itself (a bug in the course, or a broken kernel).
CRASH_LINE = ("Not checkable: the checker itself failed ({}). "
              "Hint: restart the kernel and run the notebook from the top.")
#: The line after Ctrl-C.
INTERRUPTED_LINE = "Check interrupted."
#: The hint of a time-out line when the checker gives none.
TIMEOUT_HINT = "look for a loop whose condition never becomes false"

Timeout = _sandbox.Timeout


class Failure:
    """What :func:`attempt` returns when the call raised: falsy, with the exception as ``error``."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException):
        self.error = error

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Failure({type(self.error).__name__})"


def attempt(func: Callable, *args, **kwargs):
    """``func(*args, **kwargs)``, or a :class:`Failure` if it raises anything but Ctrl-C.

    The one guard for code whose failure the checker survives: the learner's
    function while a mistake is diagnosed, poolkit's reference while cases are
    built. A time-out (:class:`Timeout`) or ``sys.exit`` counts as a failure;
    ``KeyboardInterrupt`` goes through.

    Examples
    --------
    >>> attempt(int, "7"), attempt(int, "seven")
    (7, Failure(ValueError))
    """
    try:
        return func(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        return Failure(exc)


def call_quietly(fn: Callable, args: tuple, kwargs: dict, timeout: float | None = None, *,
                 name: str | None = None, label: str | None = None, hint: str | None = None):
    """Call the learner's ``fn`` with prints, warnings and numpy errors silenced, within the budget.

    See ``poolkit.course.exercises._sandbox.quiet_call``; raises what ``fn`` raises
    (:class:`Timeout` past the time).
    """
    return _sandbox.quiet_call(fn, args, kwargs, timeout, name=name, label=label, hint=hint)


def never_raise(name: str | None = None, *, name_arg: str | None = None, record: bool = True):
    """Make ``func`` print its one line instead of raising, whatever happens inside.

    An exception escaping ``func`` becomes ``Not checkable: the checker itself
    failed (<type>). Hint: ...`` and Ctrl-C becomes ``Check interrupted.``,
    each recorded under the exercise's name (unless ``record`` is false).

    Parameters
    ----------
    name : str, optional
        The exercise's name in that line (default: the function's name
        without ``check_``).
    name_arg : str, optional
        Read the name from this argument of the call instead.
    record : bool, optional
        Record that line in the score card.

    Examples
    --------
    >>> @never_raise("demo", record=False)
    ... def check_demo(answer):
    ...     return 1 / 0
    >>> r = check_demo(3)
    Not checkable: the checker itself failed (ZeroDivisionError). Hint: restart the kernel and run the notebook from the top.
    """

    def wrap(func):
        sig = inspect.signature(func)
        default = name or func.__name__.removeprefix("check_")

        @functools.wraps(func)
        def safe(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except BaseException as exc:  # never raise in a learner's notebook
                the_name = default
                if name_arg is not None:
                    with contextlib.suppress(BaseException):
                        bound = sig.bind_partial(*args, **kwargs)
                        bound.apply_defaults()
                        the_name = str(bound.arguments[name_arg])
                if isinstance(exc, KeyboardInterrupt):
                    return finish(the_name, NOT_ATTEMPTED, INTERRUPTED_LINE, record=record)
                return finish(the_name, FAILED, CRASH_LINE.format(type(exc).__name__), record=record)

        return safe

    return wrap


_PLAIN_LEAVES = (type(None), type(Ellipsis), bool, int, float, complex, str, bytes, np.generic)


def runs_no_code(value, budget: list | None = None) -> bool:
    """True if comparing or printing ``value`` cannot run code the learner wrote.

    Numbers, strings, ``None``, ``...``, numpy arrays of numbers and
    (nested) tuples, lists and dicts of them are plain data; a function, an
    object of the learner's own class or an object array is not.
    """
    budget = [10_000] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if type(value) in _PLAIN_LEAVES or isinstance(value, np.generic):
        return True
    if type(value) is np.ndarray:
        return value.dtype.kind in "biufcSUMm"
    if type(value) in (tuple, list):
        return all(runs_no_code(v, budget) for v in value)
    if type(value) is dict:
        return all(runs_no_code(k, budget) and runs_no_code(v, budget) for k, v in value.items())
    return False


_CHILD = "poolkit-check-child"


def checker(limit: float | None = 10, *, name: str | None = None, name_arg: str | None = None,
            limit_arg: str | None = None, answers: Sequence[str] | None = None):
    """Make ``func`` a checker entry point that keeps the checkers' promises.

    The decorated checker prints exactly one line and returns a
    ``CheckResult`` whatever it is given:

    - a missing answer is ``...`` (so ``check_x()`` says *Not attempted yet*),
      and a call with arguments it does not take gets a *Not checkable* line;
    - when an answer can run the learner's code (a function, an object of
      their own class), the whole check, diagnosis included, runs in a child
      process (see ``poolkit.course.exercises._sandbox``) with one budget of
      ``limit`` seconds, which holds whatever the learner's code catches;
    - Ctrl-C prints ``Check interrupted.``

    Parameters
    ----------
    limit : float or None
        Seconds for the whole check.
    name : str, optional
        The exercise's name for a line the guard prints itself (time-out,
        interruption) when the check has not said it yet; default: the
        function's name without ``check_``.
    name_arg, limit_arg : str, optional
        Read the name, or the limit, from this argument instead.
    answers : sequence of str, optional
        The arguments that hold the learner's answers (default: all).
    """

    def wrap(func):
        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        default_name = name or func.__name__.removeprefix("check_").removeprefix("_check_")
        answer_names = tuple(answers) if answers is not None else tuple(p.name for p in params)

        @functools.wraps(func)
        def guarded(*args, **kwargs):
            try:
                bound = sig.bind_partial(*args, **kwargs)
            except TypeError:
                return _bad_call(func, params, default_name, args, kwargs)
            missing = []
            for p in params:
                if p.name not in bound.arguments and p.default is p.empty and \
                        p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                    if p.name in answer_names:
                        bound.arguments[p.name] = ...     # no answer yet: "Not attempted yet"
                    else:
                        missing.append(p.name)
            if missing:
                return _bad_call(func, params, default_name, args, kwargs, missing)
            bound.apply_defaults()
            the_name = default_name
            if name_arg is not None:
                with contextlib.suppress(Exception):
                    the_name = str(bound.arguments[name_arg])
            the_limit = limit
            if limit_arg is not None:
                the_limit = bound.arguments.get(limit_arg, limit)
                if not is_real_like(the_limit) or not the_limit > 0:
                    the_limit = None
            if the_limit is not None:
                the_limit = float(the_limit) * _sandbox.TIME_SCALE

            def run():
                return func(*bound.args, **bound.kwargs)

            if _sandbox.inside_check():               # a checker called by a checker
                return run()

            def in_child():
                records: list = []
                SCORECARD.record = records.append     # the parent records them
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    result = run()
                res = (result.name, result.status, result.message) \
                    if isinstance(result, CheckResult) else None
                return (_CHILD, out.getvalue(), [(r.name, r.status, r.message) for r in records], res)

            plain = all(runs_no_code(bound.arguments.get(a)) for a in answer_names)
            if plain:
                outcome = _sandbox.in_process(run, the_limit)
            else:
                outcome = _sandbox.isolated(in_child, run, the_limit)
            return _conclude(outcome, the_name, the_limit)

        guarded.__wrapped_checker__ = func
        return guarded

    return wrap


def _conclude(outcome, name: str, limit) -> CheckResult:
    """Print (in one write), record and return what a guarded check ended with."""
    progress = outcome.progress or (None, None, None)
    name = str(progress[0] or name)
    if outcome.kind == "done":
        value = outcome.value
        if isinstance(value, tuple) and len(value) == 4 and value[0] == _CHILD:
            _, text, records, res = value
            if text:
                emit(text.rstrip("\n"))
            for rec in records:
                SCORECARD.record(CheckResult(*rec))
            return CheckResult(*res) if res is not None else None
        return value
    if outcome.kind == "timeout":
        label, hint = progress[1], progress[2]
        prefix = f"Case {label}" if label else "Not quite"
        subject = "" if label else "your function "
        return finish(name, FAILED, fail_line(
            prefix, f"{subject}took longer than {fmt_limit(limit)}", hint or TIMEOUT_HINT))
    if outcome.kind == "interrupted":
        return finish(name, NOT_ATTEMPTED, INTERRUPTED_LINE)
    if outcome.kind == "died":
        return finish(name, FAILED, fail_line(
            "Not checkable", f"your code ended the Python process that ran the check ({outcome.value})",
            "remove any call to exit(), sys.exit() or os._exit() and run your function on one case by itself"))
    return finish(name, FAILED, CRASH_LINE.format(outcome.value))


def _bad_call(func, params, name: str, args: tuple, kwargs: dict, missing=()) -> CheckResult:
    """The line for a checker called with arguments it does not take (or without one it needs)."""
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    shown = ", ".join([p.name for p in positional if p.default is p.empty] +
                      [f"{p.name}=..." for p in params if p.kind == p.KEYWORD_ONLY and p.default is p.empty])
    unknown = [k for k in kwargs if k not in {p.name for p in params}]
    if missing:
        detail = f"{func.__name__} needs the argument `{missing[0]}`"
    elif unknown:
        detail = f"{func.__name__} has no argument named `{quote(unknown[0], 24)}`"
    else:
        n = len(positional)
        detail = (f"{func.__name__} takes {n} answer{'s' if n != 1 else ''}, "
                  f"you gave {len(args)}")
    return finish(name, FAILED, fail_line(
        "Not checkable", detail, f"call it as {func.__name__}({shown})"), record=False)


def copy_arg(a):
    """A deep copy of ``a`` for the learner's function (``a`` itself if it cannot be copied)."""
    try:
        return copy.deepcopy(a)
    except Exception:
        return a


def changed(before, after) -> bool:
    """True if ``after`` (what the learner received) differs from ``before``."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return True
        try:
            return not np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        except Exception:
            return not np.array_equal(before, after)
    if isinstance(before, (list, dict, set, bytearray)):
        try:
            return bool(before != after)
        except Exception:
            return False
    return False


def arg_names(fn: Callable, args: tuple, kwargs: dict) -> list[str]:
    """Names of the positional arguments as the learner's function calls them."""
    names = [f"argument {i + 1}" for i in range(len(args))]
    try:
        params = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        for i in range(min(len(params), len(args))):
            names[i] = params[i]
    except (TypeError, ValueError):
        pass
    return names
