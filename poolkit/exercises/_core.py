"""The checker framework behind every exercise of the course.

A checker takes what the learner wrote (a function or a value), tries it, and
prints exactly one line, always one of these forms::

    Not attempted yet: <what to do>.
    Passes all <N> cases.                      (functions)
    Correct. / Correct: <letter>. <why>        (values and choices)
    Case <label>: <what is wrong>. Hint: <hint>.
    Not quite: <what is wrong>. Hint: <hint>.
    Not checkable: <what is wrong>. Hint: <hint>.

A checker never raises and never prints a floating-point number, whatever it
is given: ``None``, ``...``, a list, a string, an array of the wrong shape or
dtype, NaN, or a function that raises, prints, returns ``None``, mutates its
input, loops for ever (even inside a bare ``except:``) or ends the process;
nor when it is called with no answer at all (*Not attempted yet*) or
interrupted with Ctrl-C (``Check interrupted.``). It returns a
:class:`CheckResult`, which displays nothing in a notebook (the printed line
is the whole output), so a checker call can be the last line of a cell.

Every checker entry point is wrapped by :func:`checker`: when the answer can
run the learner's code, the whole check runs in a child process with one
time budget (10 s unless the checker states another), and the line names
the case that was running when the time ran out.

Every result is also recorded in :data:`SCORECARD`, and :func:`score` prints
a one-line summary (used by the self-test chapter).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import io
import math
import numbers
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import _sandbox

__all__ = [
    "Case",
    "CheckResult",
    "Scorecard",
    "SCORECARD",
    "check_function",
    "check_value",
    "check_choice",
    "check_output_size_fn",
    "checker",
    "score",
    "NOT_ATTEMPTED",
    "PASSED",
    "FAILED",
]

NOT_ATTEMPTED = "not attempted"
PASSED = "passed"
FAILED = "failed"

#: Longest learner-provided text (an exception message) quoted in a line.
MAX_QUOTE = 60

# ----------------------------------------------------------------------------
# Results and the score card
# ----------------------------------------------------------------------------


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

    def summary(self, names: Iterable[str] | None = None) -> str:
        """One line: how many passed, which to revisit, which are not attempted.

        Parameters
        ----------
        names : iterable of str, optional
            The exercises that count (those never checked count as not
            attempted). Default: every exercise checked so far, in order.
        """
        names = list(self._results) if names is None else [str(n) for n in names]
        passed = [n for n in names if n in self._results and self._results[n].passed]
        failed = [
            n for n in names if n in self._results and self._results[n].status == FAILED
        ]
        todo = [n for n in names if n not in passed and n not in failed]
        line = f"Score: {len(passed)} of {len(names)} passed."
        if failed:
            line += " To revisit: " + ", ".join(failed) + "."
        if todo:
            line += " Not attempted yet: " + ", ".join(todo) + "."
        return line


#: The session's score card; every checker records into it.
SCORECARD = Scorecard()


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
    try:
        line = (SCORECARD if card is None else card).summary(names)
    except Exception as exc:  # never raise in a learner's notebook
        line = f"Could not compute the score ({type(exc).__name__})."
    _emit(line)
    return line


def _emit(line: str) -> None:
    """Print ``line`` and its newline in a single write.

    ``print(line)`` writes the text and the newline separately; a notebook
    kernel may flush between the two and show a second, empty output box.
    """
    sys.stdout.write(line + "\n")


def _finish(name: str, status: str, message: str, record: bool = True) -> CheckResult:
    """Print the one line (in a single write), record and return the result."""
    message = _one_line(message)
    _emit(message)
    result = CheckResult(name, status, message)
    if record:
        SCORECARD.record(result)
    return result


# ----------------------------------------------------------------------------
# Text helpers: one line, no floats, no tracebacks
# ----------------------------------------------------------------------------

_FLOAT_RE = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][-+]?\d+)?"
    r"|\b(?:nan|inf)\b",
    re.IGNORECASE,
)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _sentence(text: str) -> str:
    """Strip ``text`` and make sure it ends with one full stop."""
    text = _one_line(text)
    if text and text[-1] not in ".!?":
        text += "."
    return text


def _quote(text: Any, limit: int = MAX_QUOTE) -> str:
    """Learner-provided text made safe to print: one line, short, no floats."""
    try:
        text = str(text)
    except Exception:
        text = "<unprintable>"
    text = _FLOAT_RE.sub("<number>", _one_line(text))
    if len(text) > limit:
        text = text[: limit - 4].rstrip() + " […]"
    return text


def _typename(obj: Any) -> str:
    if obj is None:
        return "None"
    if obj is Ellipsis:
        return "... (Ellipsis)"
    if isinstance(obj, np.ndarray):
        return f"a numpy array of dtype {obj.dtype}"
    return type(obj).__name__


def _fmt_index(idx) -> str:
    idx = tuple(int(i) for i in idx)
    return str(idx[0]) if len(idx) == 1 else str(idx)


# ----------------------------------------------------------------------------
# Comparing a learner's result with the expected one
# ----------------------------------------------------------------------------

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
    "timeout": "look for a loop whose condition never becomes false",
    "length": "count the items the exercise asks for",
}


class _Mismatch(Exception):
    """Internal: carries a (kind, detail) description of a wrong result."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _is_int_like(v) -> bool:
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _is_real_like(v) -> bool:
    return isinstance(v, (numbers.Real, np.floating, np.integer)) and not isinstance(
        v, (bool, np.bool_)
    )


def _compare(got: Any, expected: Any, *, rtol: float, atol: float, what: str = "the result") -> None:
    """Raise :class:`_Mismatch` if ``got`` does not match ``expected``."""
    if isinstance(expected, np.ndarray):
        _compare_array(got, expected, rtol=rtol, atol=atol, what=what)
    elif isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            raise _Mismatch("type", f"{what} should be True or False, got {_typename(got)}")
        if bool(got) != bool(expected):
            raise _Mismatch("values", f"{what} is {'False' if expected else 'True'}; it should not be")
    elif _is_int_like(expected):
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got[()]
        if not _is_int_like(got):
            raise _Mismatch("type", f"{what} should be an integer, got {_typename(got)}")
        if int(got) != int(expected):
            side = "too large" if int(got) > int(expected) else "too small"
            raise _Mismatch("values", f"{what} is {side}")
    elif _is_real_like(expected):
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got[()]
        if not _is_real_like(got):
            raise _Mismatch("type", f"{what} should be a number, got {_typename(got)}")
        g, e = float(got), float(expected)
        if math.isnan(e) or math.isnan(g):
            if math.isnan(e) and math.isnan(g):
                return
            if math.isnan(g):
                raise _Mismatch("nan", f"{what} is NaN where a number was expected")
            raise _Mismatch("nan_missing", f"{what} should be NaN but is a number")
        if not math.isclose(g, e, rel_tol=rtol, abs_tol=atol) and not (g == e):
            side = "too large" if g > e else "too small"
            raise _Mismatch("values", f"{what} is {side}")
    elif isinstance(expected, (tuple, list)):
        # A list is as good as a tuple (and vice versa): the values are what count.
        kind = "tuple" if isinstance(expected, tuple) else "list"
        if isinstance(got, np.ndarray) or not isinstance(got, (tuple, list)):
            raise _Mismatch("type", f"{what} should be a {kind}, got {_typename(got)}")
        if len(got) != len(expected):
            raise _Mismatch(
                "length",
                f"{what} has the wrong length (expected {len(expected)} items, got {len(got)})",
            )
        for i, (g, e) in enumerate(zip(got, expected)):
            _compare(g, e, rtol=rtol, atol=atol, what=f"item {i} of {what}")
    elif isinstance(expected, str):
        if not isinstance(got, str):
            raise _Mismatch("type", f"{what} should be a string, got {_typename(got)}")
        if got.strip() != expected.strip():
            raise _Mismatch("values", f"{what} is not the expected text")
    else:
        if not bool(got == expected):  # an exception here means "cannot be compared"
            raise _Mismatch("values", f"{what} is not the expected value")


def _compare_array(got: Any, expected: np.ndarray, *, rtol: float, atol: float, what: str) -> None:
    if not isinstance(got, np.ndarray):
        extra = " (wrap it with np.array)" if isinstance(got, (list, tuple)) else ""
        raise _Mismatch("type", f"{what} should be a numpy array, got {_typename(got)}{extra}")
    if got.shape != expected.shape:
        raise _Mismatch(
            "shape", f"{what} has the wrong shape (expected shape {expected.shape}, got {got.shape})"
        )
    ek, gk = expected.dtype.kind, got.dtype.kind
    if ek in "fc" and gk not in "fc":
        raise _Mismatch("dtype", f"{what} has the wrong dtype (expected a float array, got {got.dtype})")
    if ek == "f" and gk == "c":
        raise _Mismatch("dtype", f"{what} has the wrong dtype (expected a real float array, got {got.dtype})")
    if ek in "iu" and gk not in "iu":
        raise _Mismatch(
            "dtype", f"{what} has the wrong dtype (expected an integer array, got {got.dtype})"
        )
    if ek == "b" and gk != "b":
        raise _Mismatch("dtype", f"{what} has the wrong dtype (expected a bool array, got {got.dtype})")
    if got.size == 0:
        return
    if ek in "fc":
        with np.errstate(all="ignore"):
            g_nan, e_nan = np.isnan(got), np.isnan(expected)
            bad = np.argwhere(g_nan & ~e_nan)
            if bad.size:
                raise _Mismatch(
                    "nan", f"{what} is NaN at index {_fmt_index(bad[0])} where a number was expected"
                )
            bad = np.argwhere(e_nan & ~g_nan)
            if bad.size:
                raise _Mismatch(
                    "nan_missing", f"{what} should be NaN at index {_fmt_index(bad[0])} but is a number"
                )
            ok = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True) | (got == expected)
    else:
        ok = got == expected
    ok = np.asarray(ok, dtype=bool)
    if not ok.all():
        wrong = np.argwhere(~ok)
        raise _Mismatch(
            "values",
            f"{what} has wrong values at {len(wrong)} of {got.size} positions "
            f"(first at index {_fmt_index(wrong[0])})",
        )


# ----------------------------------------------------------------------------
# Running the learner's code safely
# ----------------------------------------------------------------------------


_Timeout = _sandbox.Timeout


def _quiet_call(fn: Callable, args: tuple, kwargs: dict, timeout: int | None = None, *,
                name: str | None = None, label: str | None = None, hint: str | None = None):
    """Call ``fn`` with its prints, warnings and numpy errors silenced (see ``_sandbox.quiet_call``)."""
    return _sandbox.quiet_call(fn, args, kwargs, timeout, name=name, label=label, hint=hint)


def _fmt_limit(seconds) -> str:
    """A time limit as the line says it: ``10 s``, or ``250 ms`` below a second (no floats)."""
    if seconds is None:
        return "the time limit"
    seconds = float(seconds)
    if seconds >= 1 and abs(seconds - round(seconds)) < 1e-9:
        return f"{int(round(seconds))} s"
    return f"{max(1, int(round(seconds * 1000)))} ms"


_PLAIN_LEAVES = (type(None), type(Ellipsis), bool, int, float, complex, str, bytes, np.generic)


def _runs_no_code(value, budget: list | None = None) -> bool:
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
        return all(_runs_no_code(v, budget) for v in value)
    if type(value) is dict:
        return all(_runs_no_code(k, budget) and _runs_no_code(v, budget) for k, v in value.items())
    return False


_CHILD = "poolkit-check-child"


def checker(limit: float | None = 10, *, name: str | None = None, name_arg: str | None = None,
            limit_arg: str | None = None, answers: Sequence[str] | None = None):
    """Make ``func`` a checker entry point that keeps the checkers' promises.

    The decorated checker prints exactly one line and returns a
    :class:`CheckResult` whatever it is given:

    - a missing answer is ``...`` (so ``check_x()`` says *Not attempted yet*),
      and a call with arguments it does not take gets a *Not checkable* line;
    - when an answer can run the learner's code (a function, an object of
      their own class), the whole check, diagnosis included, runs in a child
      process (see ``poolkit.exercises._sandbox``) with one budget of
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
                if not _is_real_like(the_limit) or not the_limit > 0:
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

            plain = all(_runs_no_code(bound.arguments.get(a)) for a in answer_names)
            if plain:
                outcome = _sandbox._in_process(run, the_limit)
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
                _emit(text.rstrip("\n"))
            for rec in records:
                SCORECARD.record(CheckResult(*rec))
            return CheckResult(*res) if res is not None else None
        return value
    if outcome.kind == "timeout":
        label, hint = progress[1], progress[2]
        prefix = f"Case {label}" if label else "Not quite"
        subject = "" if label else "your function "
        return _finish(name, FAILED, _fail_line(
            prefix, f"{subject}took longer than {_fmt_limit(limit)}",
            hint or DEFAULT_HINTS["timeout"]))
    if outcome.kind == "interrupted":
        return _finish(name, NOT_ATTEMPTED, "Check interrupted.")
    if outcome.kind == "died":
        return _finish(name, FAILED, _fail_line(
            "Not checkable", f"your code ended the Python process that ran the check ({outcome.value})",
            "remove any call to exit(), sys.exit() or os._exit() and run your function on one case by itself"))
    return _finish(name, FAILED, f"Not checkable: the checker itself failed ({outcome.value}). "
                                 "Hint: restart the kernel and run the notebook from the top.")


def _bad_call(func, params, name: str, args: tuple, kwargs: dict, missing=()) -> CheckResult:
    """The line for a checker called with arguments it does not take (or without one it needs)."""
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    shown = ", ".join([p.name for p in positional if p.default is p.empty] +
                      [f"{p.name}=..." for p in params if p.kind == p.KEYWORD_ONLY and p.default is p.empty])
    unknown = [k for k in kwargs if k not in {p.name for p in params}]
    if missing:
        detail = f"{func.__name__} needs the argument `{missing[0]}`"
    elif unknown:
        detail = f"{func.__name__} has no argument named `{_quote(unknown[0], 24)}`"
    else:
        n = len(positional)
        detail = (f"{func.__name__} takes {n} answer{'s' if n != 1 else ''}, "
                  f"you gave {len(args)}")
    return _finish(name, FAILED, _fail_line(
        "Not checkable", detail, f"call it as {func.__name__}({shown})"), record=False)


def _copy_arg(a):
    try:
        return copy.deepcopy(a)
    except Exception:
        return a


def _changed(before, after) -> bool:
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


def _arg_names(fn: Callable, args: tuple, kwargs: dict) -> list[str]:
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


# ----------------------------------------------------------------------------
# The building blocks
# ----------------------------------------------------------------------------


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


def _as_case(c, i: int) -> Case:
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


def _fail_line(prefix: str, detail: str, hint_text: str) -> str:
    detail = _one_line(detail).rstrip(".")
    return f"{prefix}: {detail}. Hint: {_sentence(hint_text)}"


def _is_stub_result(value) -> bool:
    return value is None or value is Ellipsis


@checker(limit_arg="timeout", name_arg="name", answers=("fn",))
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
        stopped at the limit (see :func:`checker`).

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
    try:
        return _check_function(fn, cases, name=name, task=task, hint=hint, hints=hints,
                               rtol=rtol, atol=atol, timeout=timeout)
    except BaseException as exc:  # never raise in a learner's notebook
        if isinstance(exc, KeyboardInterrupt):
            return _finish(str(name), NOT_ATTEMPTED, "Check interrupted.")
        return _finish(
            str(name), FAILED,
            f"Not checkable: the checker itself failed ({type(exc).__name__}). "
            "Hint: restart the kernel and run the notebook from the top.",
        )


def _check_function(fn, cases, *, name, task, hint, hints, rtol, atol, timeout) -> CheckResult:
    name = str(name)
    task_text = _sentence(task) if task else f"complete `{name}` and run this cell again."
    not_attempted = "Not attempted yet: " + task_text
    if fn is None or fn is Ellipsis:
        return _finish(name, NOT_ATTEMPTED, not_attempted)
    if not callable(fn):
        extra = ""
        if isinstance(fn, (np.ndarray, list, tuple, numbers.Number)):
            extra = " (did you call it? pass the function itself)"
        return _finish(
            name, FAILED,
            _fail_line("Not checkable", f"`{name}` should be a function, got {_typename(fn)}{extra}",
                       f"pass the function itself, e.g. check({name}), not check({name}(...))"),
        )
    cases = [_as_case(c, i) for i, c in enumerate(cases)]
    for i, case in enumerate(cases):
        prefix = f"Case {case.label}"
        originals = case.args
        given = tuple(_copy_arg(a) for a in originals)
        given_kw = {k: _copy_arg(v) for k, v in case.kwargs.items()}
        try:
            got = _quiet_call(fn, given, given_kw, timeout, name=name, label=case.label,
                              hint=_hint_for("timeout", case, hints, hint))
        except _Timeout:
            limit = _sandbox.current_limit() or timeout
            return _finish(name, FAILED, _fail_line(
                prefix, f"took longer than {_fmt_limit(limit)}", _hint_for("timeout", case, hints, hint)))
        except NotImplementedError as exc:
            if i == 0:
                return _finish(name, NOT_ATTEMPTED, not_attempted)
            return _finish(name, FAILED, _fail_line(
                prefix, f"raised NotImplementedError{_exc_detail(exc)}",
                _hint_for("raised", case, hints, hint)))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            if case.raises is not None and _isinstance_safe(exc, case.raises):
                continue
            return _finish(name, FAILED, _fail_line(
                prefix, f"raised {type(exc).__name__}{_exc_detail(exc)}",
                _hint_for("raised", case, hints, hint)))
        if _is_stub_result(got):
            if i == 0:
                return _finish(name, NOT_ATTEMPTED, _not_attempted_stub(not_attempted, name, got))
            return _finish(name, FAILED, _fail_line(
                prefix, f"returned {_typename(got)} instead of a result",
                _hint_for("none", case, hints, hint)))
        argnames = _arg_names(fn, given, given_kw)
        for j, (before, after) in enumerate(zip(originals, given)):
            if _changed(before, after):
                return _finish(name, FAILED, _fail_line(
                    prefix, f"your function changed its input `{argnames[j]}` in place",
                    _hint_for("mutated", case, hints, hint)))
        for key, before in case.kwargs.items():
            if _changed(before, given_kw[key]):
                return _finish(name, FAILED, _fail_line(
                    prefix, f"your function changed its input `{key}` in place",
                    _hint_for("mutated", case, hints, hint)))
        if case.raises is not None:
            return _finish(name, FAILED, _fail_line(
                prefix, f"returned a result but should raise {_exc_names(case.raises)}",
                _hint_for("should_raise", case, hints, hint)))
        try:
            _compare(got, case.expected, rtol=rtol, atol=atol)
        except _Mismatch as m:
            return _finish(name, FAILED, _fail_line(prefix, m.detail, _hint_for(m.kind, case, hints, hint)))
        except Exception as exc:
            return _finish(name, FAILED, _fail_line(
                prefix, f"returned {_typename(got)}, which cannot be compared ({type(exc).__name__})",
                _hint_for("type", case, hints, hint)))
    return _finish(name, PASSED, f"Passes all {len(cases)} cases.")


def _not_attempted_stub(line: str, name: str, got) -> str:
    """``Not attempted`` line that also says the function returned a stub."""
    what = "None" if got is None else "..."
    return line.rstrip(".") + f" (`{name}` returned {what}; did you forget `return`?)."


def _exc_detail(exc: BaseException) -> str:
    text = _quote(exc) if str(exc) else ""
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


def _matches(answer, key, rtol, atol) -> bool:
    try:
        _compare(answer, key, rtol=rtol, atol=atol)
        return True
    except Exception:
        return False


@checker(name_arg="name", answers=("answer",))
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
    try:
        name = str(name)
        if answer is None or answer is Ellipsis:
            task_text = _sentence(task) if task else f"replace ... in `{name} = ...` with your answer and run this cell again."
            return _finish(name, NOT_ATTEMPTED, "Not attempted yet: " + task_text)
        try:
            _compare(answer, expected, rtol=rtol, atol=atol, what=name)
        except _Mismatch as m:
            targeted = None
            if hints:
                for key, text in hints.items():
                    if _matches(answer, key, rtol, atol):
                        targeted = text
                        break
            if targeted is None:
                if m.kind == "type" and isinstance(answer, str):
                    targeted = "write the number itself, without quotes"
                else:
                    targeted = hint or ("check the type the exercise asks for" if m.kind == "type"
                                        else "redo the computation step by step")
            return _finish(name, FAILED, _fail_line("Not quite", m.detail, targeted))
        except Exception as exc:
            return _finish(name, FAILED, _fail_line(
                "Not checkable", f"{name} is {_typename(answer)}, which cannot be compared "
                f"({type(exc).__name__})", hint or "give a number, a tuple or an array as asked"))
        return _finish(name, PASSED, "Correct.")
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            return _finish(str(name), NOT_ATTEMPTED, "Check interrupted.")
        return _finish(str(name), FAILED,
                       f"Not checkable: the checker itself failed ({type(exc).__name__}). "
                       "Hint: restart the kernel and run the notebook from the top.")


_LETTER_SPLIT = re.compile(r"[\s,;/&+]+|\band\b", re.IGNORECASE)


def _parse_letters(answer, valid: Iterable[str] = ()) -> list[str] | None:
    """Letters chosen by the learner (upper case), or None if the answer is not text.

    ``"b"``, ``"(B)"``, ``"A, C"``, ``"a and c"`` and ``["A", "C"]`` all work; a run
    such as ``"AC"`` is split into letters when each one is in ``valid``.
    """
    valid = set(valid)
    if isinstance(answer, str):
        parts = [p for p in _LETTER_SPLIT.split(answer.strip()) if p]
        letters: list[str] = []
        for p in parts:
            p = p.strip("()[]{}.'\"").upper()
            if not p:
                continue
            if len(p) > 1 and valid and all(ch in valid for ch in p):
                letters.extend(p)  # "AC" -> A, C
            else:
                letters.append(p)
        return letters
    if isinstance(answer, (list, tuple, set, frozenset)):
        letters = []
        for a in answer:
            if not isinstance(a, str):
                return None
            sub = _parse_letters(a, valid)
            if sub is None:
                return None
            letters.extend(sub)
        return letters
    return None


@checker(name_arg="name", answers=("answer",))
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
    try:
        return _check_choice(answer, correct, options=options, explanations=explanations,
                             name=name, task=task, hint=hint)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            return _finish(str(name), NOT_ATTEMPTED, "Check interrupted.")
        return _finish(str(name), FAILED,
                       f"Not checkable: the checker itself failed ({type(exc).__name__}). "
                       "Hint: restart the kernel and run the notebook from the top.")


def _check_choice(answer, correct, *, options, explanations, name, task, hint) -> CheckResult:
    name = str(name)
    if isinstance(options, Mapping):
        letters = [str(k).upper() for k in options]
    else:
        letters = [chr(ord("A") + i) for i in range(len(options))]
    valid = ", ".join(letters)
    explanations = {str(k).upper(): v for k, v in (explanations or {}).items()}
    correct_set = {c.upper() for c in ([correct] if isinstance(correct, str) else correct)}
    multi = len(correct_set) > 1
    if answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        task_text = _sentence(task) if task else (
            f"set {name} to the letter of your choice, e.g. {name} = \"{letters[0]}\", and run this cell again.")
        return _finish(name, NOT_ATTEMPTED, "Not attempted yet: " + task_text)
    chosen = _parse_letters(answer, letters)
    fix = f"set {name} to one of the letters {valid}" if not multi else (
        f"set {name} to the letters of every right option, e.g. \"{letters[0]}, {letters[-1]}\"")
    if chosen is None or not chosen:
        return _finish(name, FAILED, _fail_line(
            "Not checkable", f"expected a letter such as \"{letters[0]}\", got {_typename(answer)}", fix))
    unknown = [c for c in chosen if c not in letters]
    if unknown:
        shown = answer.strip() if isinstance(answer, str) else unknown[0]
        return _finish(name, FAILED, _fail_line(
            "Not checkable", f"\"{_quote(shown, 24)}\" is not one of the options {valid}", fix))
    chosen_set = set(chosen)
    if not multi and len(chosen_set) > 1:
        return _finish(name, FAILED, _fail_line(
            "Not quite", f"choose exactly one option (you gave {len(chosen_set)})", fix))
    if chosen_set == correct_set:
        picked = ", ".join(sorted(chosen_set))
        why = " ".join(_sentence(explanations[c]) for c in sorted(chosen_set) if c in explanations)
        return _finish(name, PASSED, f"Correct: {picked}." + (f" {why}" if why else ""))
    wrong = sorted(chosen_set - correct_set)
    if wrong:
        w = wrong[0]
        if w in explanations:
            return _finish(name, FAILED, f"Not quite: {w} is not right. {_sentence(explanations[w])}")
        return _finish(name, FAILED, _fail_line(
            "Not quite", f"{w} is not right", hint or "reread the section and try again"))
    return _finish(name, FAILED, _fail_line(
        "Not quite", f"{len(correct_set - chosen_set)} right option(s) missing",
        hint or "more than one option is right; check each one on its own"))


# ----------------------------------------------------------------------------
# Helpers shared by the chapters' code checkers
# ----------------------------------------------------------------------------

_REFERENCE_UNAVAILABLE = ("Not checkable: poolkit's reference is unavailable ({}). "
                          "Hint: reinstall the course environment.")


def _with_reference_cases(name: str, build: Callable[[], list], run: Callable[[list], Any]):
    """Build a checker's cases, then return ``run(cases)``.

    ``build`` computes the expected values with poolkit itself. If it fails
    (a broken installation), the checker prints one "Not checkable" line
    instead and returns its result; a ``KeyboardInterrupt`` still stops the cell.

    Examples
    --------
    >>> r = _with_reference_cases("demo", lambda: 1 / 0, lambda cases: None)
    Not checkable: poolkit's reference is unavailable (ZeroDivisionError). Hint: reinstall the course environment.
    """
    try:
        cases = build()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _finish(name, FAILED, _REFERENCE_UNAVAILABLE.format(type(exc).__name__))
    return run(cases)


def _same_array(a: Any, b: np.ndarray) -> bool:
    """Does ``a``, read as a float array, have ``b``'s shape and values (to 1e-7)? Never raises."""
    try:
        a = np.asarray(a, dtype=np.float64)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-7, atol=1e-9))
    except Exception:
        return False


def _diagnose_cases(fn: Any, cases: list, mistakes: Iterable, *,
                    same: Callable[[Any, Any], bool] = _same_array,
                    shape_hint: str | None = None, timeout: int | None = 10) -> list:
    """Put a targeted hint on the first failing case when a known mistake explains it.

    The learner's ``fn`` runs quietly, with a time limit, on copies of each
    case's arguments until a case fails. If its result equals what one of the
    ``mistakes`` gives on that case (and that differs from the right answer),
    the case's hint becomes the mistake's; otherwise nothing changes and
    :func:`check_function` reports the failure with the case's own hint.

    Parameters
    ----------
    fn : any
        The learner's function; anything else returns ``cases`` unchanged.
    cases : list of Case
    mistakes : iterable of (str, callable)
        ``(hint, wrong)`` pairs, tried in order; ``wrong(case)`` returns the
        mistaken result on ``case`` (an exception skips the pair).
    same : callable
        ``same(got, expected) -> bool``; must not raise.
    shape_hint : str, optional
        The hint when the learner returns an array of another shape.
    timeout : int, optional
        Seconds allowed per call at most; the check's one budget (see
        :func:`checker`) applies to the diagnosis and the check together.

    Returns
    -------
    list of Case
        ``cases`` itself, with at most one hint replaced. A learner's function
        that raises, times out or returns ``None`` or ``...`` leaves it unchanged.

    Examples
    --------
    >>> cases = [Case(args=(3,), expected=9, hint="square it")]
    >>> mistakes = [("you doubled it", lambda c: 2 * c.args[0])]
    >>> _diagnose_cases(lambda n: n + n, cases, mistakes, same=lambda a, b: a == b)[0].hint
    'you doubled it'
    """
    if not callable(fn):
        return cases
    mistakes = list(mistakes)
    for case in cases:
        try:
            args = tuple(_copy_arg(a) for a in case.args)
            got = _quiet_call(fn, args, dict(case.kwargs), timeout, label=case.label)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            return cases
        if got is None or got is Ellipsis:
            return cases
        if same(got, case.expected):
            continue
        if shape_hint is not None and isinstance(got, np.ndarray) and got.shape != np.shape(case.expected):
            case.hint = shape_hint
            return cases
        for hint, wrong in mistakes:
            try:
                candidate = wrong(case)
            except Exception:
                continue
            if not same(candidate, case.expected) and same(got, candidate):
                case.hint = hint
                break
        return cases
    return cases


# ----------------------------------------------------------------------------
# A small, chapter-independent example checker
# ----------------------------------------------------------------------------

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
    name = "output_size"
    try:
        from poolkit import output_size as reference

        cases = [
            Case(
                args=(n, k, s),
                kwargs={"padding": p, "dilation": d, "ceil_mode": c},
                expected=int(reference(n, k, stride=s, padding=p, dilation=d, ceil_mode=c)),
                label=label,
            )
            for n, k, s, p, d, c, label in _OUTPUT_SIZE_CASES
        ]
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            return _finish(name, NOT_ATTEMPTED, "Check interrupted.")
        return _finish(name, FAILED,
                       f"Not checkable: poolkit's reference is unavailable ({type(exc).__name__}). "
                       "Hint: reinstall the course environment.")
    return check_function(
        fn, cases, name=name,
        task="complete `output_size` so that it returns the number of windows along one axis",
        hints={
            "values": "out = floor((in + 2p - d(k-1) - 1) / s) + 1; in ceil mode use ceil, "
                      "then drop a last window that would start in the right padding",
            "type": "return an int, e.g. with // for floor division or math.ceil",
        },
    )
