"""Self-assessment for the course: code checkers, value checkers and quizzes.

The framework is a small core (:mod:`~poolkit.course.exercises.text`,
:mod:`~poolkit.course.exercises.results`, :mod:`~poolkit.course.exercises.compare`,
:mod:`~poolkit.course.exercises.guard`, :mod:`~poolkit.course.exercises.mistakes`,
:mod:`~poolkit.course.exercises.checks`, :mod:`~poolkit.course.exercises.declarations`),
and a chapter module imports what it needs from
:mod:`poolkit.course.exercises.authoring`; the main names are re-exported here.
Each chapter's checkers live in ``poolkit.course.exercises.chNN``, the self-test in
:mod:`poolkit.course.exercises.selftest` (``ch08``) and the quiz helpers in
:mod:`poolkit.course.exercises.quiz`. Those submodules are imported on
first use, so a missing chapter module never breaks ``import
poolkit.course.exercises``::

    from poolkit.course.exercises import ch01     # or: import poolkit.course.exercises as ex; ex.ch01
"""

from __future__ import annotations

import importlib

from .checks import Case, check_choice, check_function, check_output_size_fn, check_value
from .declarations import ChoiceExercise, CodeExercise, ValueExercise
from .guard import checker
from .mistakes import Mistake
from .results import FAILED, NOT_ATTEMPTED, PASSED, SCORECARD, CheckResult, Scorecard, score

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
    "CodeExercise",
    "ValueExercise",
    "ChoiceExercise",
    "Mistake",
    "NOT_ATTEMPTED",
    "PASSED",
    "FAILED",
]

_LAZY = frozenset({"quiz", "selftest", "authoring"} | {f"ch{i:02d}" for i in range(1, 9)})


def __getattr__(name: str):
    # Import ``quiz`` and ``ch01`` ... ``ch08`` on first access (PEP 562).
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
