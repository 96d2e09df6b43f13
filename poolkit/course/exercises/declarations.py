"""Exercises as declarations: code, value and choice exercises with their known mistakes.

A chapter declares each exercise once, as data::

    RF = ValueExercise("rf", 10, mistakes={8: "after the stride-2 pooling the jump is 2"},
                       hint="walk through the layers", task="set rf to ...")

    @RF.entry
    def check_receptive_field(answer):
        '''The notebook-facing checker, documented in the chapter.'''
        return RF.run(answer)

:meth:`Exercise.run` does the check (one line, see :mod:`poolkit.course.exercises.text`);
:meth:`Exercise.entry` guards a chapter's function with the declaration's name
and time limit (:func:`~poolkit.course.exercises.guard.checker`); ``Exercise.check``
is the same check, guarded, for direct use. Every declaration is listed by
:func:`registered_exercises`, which the tests use to hold every exercise to
the checkers' promises.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Callable, Iterable, Mapping, Sequence

from .checks import Case, check_choice, check_function, check_value, with_reference_cases
from .compare import same_array
from .guard import Timeout, call_quietly, checker, copy_arg
from .mistakes import Mistake, as_mistakes, diagnose, diagnose_answer  # noqa: F401 - Mistake: the doctests use it
from .results import FAILED, NOT_ATTEMPTED, PASSED, finish
from .text import fail_line, letters, sentence

__all__ = ["Exercise", "CodeExercise", "ValueExercise", "ChoiceExercise", "PropertyExercise",
           "NotCheckable", "registered_exercises", "passes_all"]


@dataclasses.dataclass(frozen=True)
class NotCheckable:
    """What a ``read``/``prepare`` hook returns for an answer of the wrong form.

    The check prints ``Not checkable: <detail>. Hint: <hint>.``
    """

    detail: str
    hint: str

    def report(self, name: str):
        return finish(name, FAILED, fail_line("Not checkable", self.detail, self.hint))


_REGISTRY: list["Exercise"] = []


def registered_exercises() -> list["Exercise"]:
    """Every exercise declared so far (import the chapter modules first), in declaration order."""
    return list(_REGISTRY)


def _declaring_module() -> str:
    frame = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
    return frame.f_globals.get("__name__", "?") if frame is not None else "?"


class Exercise:
    """What every declared exercise has: a name, a time limit, a guarded check.

    Parameters
    ----------
    name : str
        The exercise's name as the learner sees it (the variable or function).
    limit : float, optional
        Seconds for the whole check (default 10).
    task : str, optional
        The *Not attempted yet* text.
    hint : str, optional
        The fallback hint.
    """

    kind = "exercise"

    def __init__(self, name: str, *, limit: float | None = 10, task: str | None = None,
                 hint: str | None = None):
        self.name = str(name)
        self.limit = limit
        self.task = task
        self.hint = hint
        self.module = _declaring_module()
        self.check = self.entry(self._check_entry())
        _REGISTRY.append(self)

    def _check_entry(self):
        def check(answer: Any):
            return self.run(answer)

        check.__name__ = check.__qualname__ = f"check_{self.name}"
        return check

    @property
    def id(self) -> str:
        """``<chapter module>.<name>``, e.g. ``ch02.rf``."""
        return f"{self.module.rsplit('.', 1)[-1]}.{self.name}"

    def entry(self, func: Callable) -> Callable:
        """Guard ``func``, a chapter's ``check_xxx(answer)``, with this exercise's name and limit."""
        return checker(self.limit, name=self.name)(func)

    def run(self, answer: Any):
        """Check ``answer`` and print one line (unguarded: call it from a guarded checker)."""
        raise NotImplementedError

    def __call__(self, answer: Any = ...):
        return self.check(answer)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ValueExercise(Exercise):
    """An exercise whose answer is a value: a number, a tuple, an array.

    Parameters
    ----------
    name : str
    answer : object
        The right answer (ints and tuples exactly, floats within ``rtol``/``atol``).
    mistakes : dict or list of Mistake, optional
        ``{wrong answer: hint}``, or Mistakes recognised by ``answer`` or ``when``; the first match wins.
    hint, task, limit
        See ``Exercise``.
    rtol, atol : float, optional
    prepare : callable, optional
        ``prepare(answer)`` gives the value compared (e.g. a list of lists
        made an array); it may return the answer unchanged, ``None`` (not
        attempted) or a ``NotCheckable`` (an answer of the wrong form).

    Examples
    --------
    >>> rf = ValueExercise("rf", 10, mistakes={8: "the jump is 2 after the pooling"}, hint="walk the layers")
    >>> r = rf.check(8)
    Not quite: rf is too small. Hint: the jump is 2 after the pooling.
    >>> r = rf.check(9)
    Not quite: rf is too small. Hint: walk the layers.
    """

    kind = "value"

    def __init__(self, name: str, answer: Any, *, mistakes: Mapping | Iterable = (), hint: str | None = None,
                 task: str | None = None, limit: float | None = 10, rtol: float = 1e-6, atol: float = 1e-9,
                 prepare: Callable[[Any], Any] | None = None):
        self.answer = answer
        self.mistakes = as_mistakes(mistakes)
        self.rtol, self.atol = rtol, atol
        self.prepare = prepare
        super().__init__(name, limit=limit, task=task, hint=hint)

    def run(self, answer: Any):
        if self.prepare is not None:
            answer = self.prepare(answer)
            if isinstance(answer, NotCheckable):
                return answer.report(self.name)
        return check_value(answer, self.answer, name=self.name, task=self.task, hint=self.hint,
                           hints=self.mistakes, rtol=self.rtol, atol=self.atol)


class ChoiceExercise(Exercise):
    """A multiple-choice exercise answered with a letter.

    Parameters
    ----------
    name : str
    options : dict or sequence of str
        ``{"A": text, ...}``, or texts lettered A, B, C, ... (:func:`~poolkit.course.exercises.text.letters`).
    correct : str or iterable of str
        The right letter(s).
    why : dict, optional
        Why each option is right or wrong, by letter; every wrong option should have its own.
    hint, task, limit
        See ``Exercise``.

    Examples
    --------
    >>> q = ChoiceExercise("q", ["Zero", "Minus infinity"], "B", why={"A": "Zero can win.", "B": "It never wins."})
    >>> r = q.check("a")
    Not quite: A is not right. Zero can win.
    """

    kind = "choice"

    def __init__(self, name: str, options: Mapping[str, str] | Sequence[str], correct: str | Iterable[str],
                 why: Mapping[str, str] | None = None, *, hint: str | None = None, task: str | None = None,
                 limit: float | None = 10):
        if not isinstance(options, Mapping):
            options = dict(zip(letters(len(options)), options))
        self.options = dict(options)
        self.correct = correct
        self.why = dict(why or {})
        super().__init__(name, limit=limit, task=task, hint=hint)

    @property
    def wrong_letters(self) -> list[str]:
        """The letters of the wrong options."""
        right = {self.correct} if isinstance(self.correct, str) else set(self.correct)
        return [k for k in self.options if k not in right]

    def run(self, answer: Any):
        return check_choice(answer, self.correct, options=self.options, explanations=self.why,
                            name=self.name, task=self.task, hint=self.hint)


class CodeExercise(Exercise):
    """An exercise whose answer is a function, checked on cases, with its catalogue of mistakes.

    Parameters
    ----------
    name : str
        The function's name.
    cases : list of Case, or callable
        The cases, or a function building them with poolkit's reference (then a
        broken installation gives one *Not checkable* line).
    mistakes : list of Mistake, optional
        Each with ``wrong(case)``: at the first failing case, a learner's result
        equal to a mistake's gets that mistake's hint (:func:`~poolkit.course.exercises.mistakes.diagnose`).
    hints : dict, optional
        Hints by kind of failure (see :func:`~poolkit.course.exercises.checks.check_function`).
    hint, task, limit
        See ``Exercise``; the limit is the whole check's budget.
    same : callable, optional
        ``same(got, expected)`` for the diagnosis (default: same float array).
    shape_hint : str, optional
        The diagnosis's hint for a result of another shape.
    timeout : float, optional
        ``check_function``'s per-call limit (default: ``limit``).
    adapt : callable, optional
        ``adapt(fn)`` gives the function actually checked (e.g. one that
        converts the learner's result); applied to callables only.
    after_pass : callable, optional
        ``after_pass(fn)``: a further test once every case passes (a loop or
        speed test); it returns a failing line, or None when ``fn`` passes it.
    rtol, atol : float, optional

    Examples
    --------
    >>> square = CodeExercise("square", [Case(args=(3,), expected=9, label="3")],
    ...                       mistakes=[Mistake("you doubled it", wrong=lambda c: 2 * c.args[0])],
    ...                       same=lambda a, b: a == b)
    >>> r = square.check(lambda n: n + n)
    Case 3: the result is too small. Hint: you doubled it.
    """

    kind = "code"

    def __init__(self, name: str, cases: Sequence[Case] | Callable[[], list], *, mistakes: Iterable = (),
                 hints: Mapping[str, str] | None = None, hint: str | None = None, task: str | None = None,
                 limit: float | None = 10, same: Callable[[Any, Any], bool] = same_array,
                 shape_hint: str | None = None, timeout: float | None = None,
                 adapt: Callable[[Callable], Callable] | None = None,
                 after_pass: Callable[[Callable], str | None] | None = None, rtol: float = 1e-7,
                 atol: float = 1e-9):
        self.cases = cases
        self.after_pass = after_pass
        self.mistakes = as_mistakes(mistakes)
        self.hints = dict(hints or {})
        self.same = same
        self.shape_hint = shape_hint
        self.timeout = limit if timeout is None else timeout
        self.adapt = adapt
        self.rtol, self.atol = rtol, atol
        super().__init__(name, limit=limit, task=task, hint=hint)

    def build_cases(self) -> list:
        """Fresh cases (a diagnosis changes one case's hint)."""
        if callable(self.cases):
            return self.cases()
        return [dataclasses.replace(c) for c in self.cases]

    def run(self, fn: Any):
        if callable(fn) and self.adapt is not None:
            fn = self.adapt(fn)

        def go(cases):
            if self.mistakes or self.shape_hint:
                cases = diagnose(fn, cases, self.mistakes, same=self.same, shape_hint=self.shape_hint,
                                 timeout=self.timeout)
            if self.after_pass is not None and passes_all(fn, cases, same=self.same, timeout=self.timeout):
                problem = self.after_pass(fn)
                if problem is not None:
                    return finish(self.name, FAILED, problem)
            return check_function(fn, cases, name=self.name, task=self.task, hint=self.hint,
                                  hints=self.hints or None, rtol=self.rtol, atol=self.atol,
                                  timeout=self.timeout)

        return with_reference_cases(self.name, self.build_cases, go)


def passes_all(fn: Any, cases: Sequence[Case], *, same: Callable[[Any, Any], bool] = same_array,
               timeout: float | None = 10) -> bool:
    """Does ``fn`` give every case's expected value (quietly, on copies)? A time-out still stops the check.

    Examples
    --------
    >>> passes_all(lambda n: n * n, [Case(args=(3,), expected=9)], same=lambda a, b: a == b)
    True
    """
    if not callable(fn):
        return False
    for case in cases:
        args = tuple(copy_arg(a) for a in case.args)
        try:
            got = call_quietly(fn, args, dict(case.kwargs), timeout)
        except (KeyboardInterrupt, Timeout):
            raise
        except BaseException:
            return False
        if not same(got, case.expected):
            return False
    return True


class PropertyExercise(Exercise):
    """An exercise whose answer is right when it has a property, not when it equals one value.

    E.g. "give three windows on which no convolution equals max pooling": many
    answers are right, and each wrong one is wrong for a reason.

    Parameters
    ----------
    name : str
    holds : callable
        ``holds(value)`` is true for a right answer (``value`` is what ``read`` gave).
    read : callable, optional
        ``read(answer)`` gives the value judged, ``None`` for *not attempted*, or a
        ``NotCheckable``; default: the answer itself.
    passed : str
        The passing line, e.g. ``"Correct: ..."``.
    mistakes : list of Mistake
        Each with ``when(value)``; the first that matches gives the hint.
    detail : str or callable
        The failing line's detail (``detail(value)`` when callable).
    hint, task, limit
        See ``Exercise``; ``hint`` when no mistake matches.

    Examples
    --------
    >>> even = PropertyExercise("n", lambda n: n % 2 == 0, passed="Correct: an even number.",
    ...                         detail="n is odd", mistakes=[Mistake("1 is odd", when=lambda n: n == 1)])
    >>> r = even.check(1)
    Not quite: n is odd. Hint: 1 is odd.
    """

    kind = "property"

    def __init__(self, name: str, holds: Callable[[Any], bool], *, passed: str,
                 detail: str | Callable[[Any], str], read: Callable[[Any], Any] | None = None,
                 mistakes: Iterable = (), hint: str | None = None, task: str | None = None,
                 limit: float | None = 10):
        self.holds = holds
        self.read = read
        self.passed = passed
        self.detail = detail
        self.mistakes = as_mistakes(mistakes)
        super().__init__(name, limit=limit, task=task, hint=hint)

    def run(self, answer: Any):
        value = answer if self.read is None else self.read(answer)
        if value is None or value is Ellipsis:
            task = sentence(self.task) if self.task else f"replace ... in `{self.name} = ...` and run this cell again."
            return finish(self.name, NOT_ATTEMPTED, "Not attempted yet: " + task)
        if isinstance(value, NotCheckable):
            return value.report(self.name)
        if self.holds(value):
            return finish(self.name, PASSED, self.passed)
        detail = self.detail(value) if callable(self.detail) else self.detail
        hint = diagnose_answer(value, self.mistakes) or self.hint or "reread the section and try again"
        return finish(self.name, FAILED, fail_line("Not quite", detail, hint))


