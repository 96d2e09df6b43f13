"""Self-assessment for the course: code checkers, value checkers and quizzes.

The framework is a small core (:mod:`~poolkit.exercises.text`,
:mod:`~poolkit.exercises.results`, :mod:`~poolkit.exercises.compare`,
:mod:`~poolkit.exercises.guard`, :mod:`~poolkit.exercises.mistakes`,
:mod:`~poolkit.exercises.checks`, :mod:`~poolkit.exercises.declarations`),
and a chapter module imports what it needs from
:mod:`poolkit.exercises.authoring`; the main names are re-exported here.
Each chapter's checkers live in ``poolkit.exercises.chNN``, the self-test in
:mod:`poolkit.exercises.selftest` (``ch08``) and the quiz helpers in
:mod:`poolkit.exercises.quiz`. Those submodules are imported on
first use, so a missing chapter module never breaks ``import
poolkit.exercises``::

    from poolkit.exercises import ch01     # or: import poolkit.exercises as ex; ex.ch01
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
