"""Self-assessment for the course: code checkers, value checkers and quizzes.

The framework lives in :mod:`poolkit.exercises._core` and is re-exported here;
each chapter's checkers live in ``poolkit.exercises.chNN`` and the quiz
helpers in :mod:`poolkit.exercises.quiz`. Those submodules are imported on
first use, so a missing chapter module never breaks ``import
poolkit.exercises``::

    from poolkit.exercises import ch01     # or: import poolkit.exercises as ex; ex.ch01
"""

from __future__ import annotations

import importlib

from ._core import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    SCORECARD,
    Case,
    CheckResult,
    Scorecard,
    check_choice,
    check_function,
    check_output_size_fn,
    check_value,
    checker,
    score,
)

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

_LAZY = frozenset({"quiz"} | {f"ch{i:02d}" for i in range(1, 9)})


def __getattr__(name: str):
    # Import ``quiz`` and ``ch01`` ... ``ch08`` on first access (PEP 562).
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _LAZY)
