"""The checker-authoring API: everything a chapter's exercise module needs, in one place.

A chapter declares its exercises (``CodeExercise``, ``ValueExercise``,
``ChoiceExercise``, each with its catalogue of known ``Mistake`` s)
and exposes each declaration's ``check`` as the notebook's ``check_xxx``.
When a checker needs more than a declaration gives, it is written with the
building blocks below and decorated with ``checker``.

The line grammar
----------------
Every checker prints exactly one line; ``LINE_FORMS`` holds one regular
expression per form, ``PASSING_LINE`` and ``FAILING_LINE`` the two
that tell a passing line from a failing one (the notebook tests import them);
:mod:`poolkit.course.exercises.text` lists the forms.

A line never holds a float or a traceback (``quote`` makes learner text
safe), and a checker never raises (``checker``, ``never_raise``).

Building blocks
---------------
- lines: ``fail_line``, ``sentence``, ``quote``, ``typename``,
  ``one_line``, ``parse_letters``, ``letters``;
- results: ``finish`` (print, record, return), ``CheckResult``,
  ``Scorecard``, ``SCORECARD``;
- checkers: ``check_function`` with ``Case`` s, ``check_value``,
  ``check_choice``, ``with_reference_cases``;
- multiple choice: ``mark_choice``, the one grader of letters (a ``Mark``);
- guards: ``checker``, ``never_raise``, ``attempt`` (the one guard
  for code that may fail, returning a ``Failure``);
- mistakes: ``diagnose`` (code), ``diagnose_answer`` (values);
- loops: ``count_python_lines`` (a "no Python loop" test).

Examples
--------
>>> from poolkit.course.exercises.authoring import ValueExercise, Mistake
>>> size = ValueExercise("out_size", 3, mistakes=[Mistake("drop the window in the padding", answer=4)])
>>> r = size.check(4)
Not quite: out_size is too large. Hint: drop the window in the padding.
"""

from __future__ import annotations

from .choices import BLANK, MISSING, RIGHT, TOO_MANY, UNKNOWN, UNREADABLE, WRONG, Mark, mark_choice
from .checks import (
    DEFAULT_HINTS,
    Case,
    check_choice,
    check_function,
    check_value,
    with_reference_cases,
)
from .compare import Mismatch, compare, matches, same_array
from .declarations import (ChoiceExercise, CodeExercise, Exercise, NotCheckable, PropertyExercise, ValueExercise,
                           passes_all, registered_exercises)
from .guard import Failure, Timeout, attempt, call_quietly, checker, never_raise
from .mistakes import Mistake, diagnose, diagnose_answer
from .results import FAILED, NOT_ATTEMPTED, PASSED, SCORECARD, CheckResult, Scorecard, emit, finish, safe_summary
from .tracing import count_python_lines
from .text import (
    FAILING_LINE,
    LINE_FORMS,
    PASSING_LINE,
    fail_line,
    letters,
    one_line,
    parse_letters,
    quote,
    sentence,
    typename,
)

__all__ = [
    # declarations
    "Exercise", "CodeExercise", "ValueExercise", "ChoiceExercise", "PropertyExercise", "Mistake",
    "NotCheckable", "registered_exercises", "passes_all",
    # checkers and their cases
    "Case", "check_function", "check_value", "check_choice", "with_reference_cases", "DEFAULT_HINTS",
    # mistakes
    "diagnose", "diagnose_answer",
    # multiple choice: the one grader
    "mark_choice", "Mark", "BLANK", "RIGHT", "WRONG", "MISSING", "UNREADABLE", "UNKNOWN", "TOO_MANY",
    # guards
    "checker", "never_raise", "attempt", "Failure", "call_quietly", "Timeout",
    # results
    "CheckResult", "Scorecard", "SCORECARD", "finish", "emit", "safe_summary", "PASSED", "FAILED", "NOT_ATTEMPTED",
    # lines
    "LINE_FORMS", "PASSING_LINE", "FAILING_LINE", "fail_line", "sentence", "quote", "typename",
    "one_line", "parse_letters", "letters",
    # loops
    "count_python_lines",
    # comparison
    "compare", "matches", "same_array", "Mismatch",
]
