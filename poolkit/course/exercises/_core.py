"""Compatibility: the names of the old one-file checker framework.

The framework now lives in small modules (:mod:`~poolkit.course.exercises.text`,
:mod:`~poolkit.course.exercises.results`, :mod:`~poolkit.course.exercises.compare`,
:mod:`~poolkit.course.exercises.guard`, :mod:`~poolkit.course.exercises.mistakes`,
:mod:`~poolkit.course.exercises.checks`, :mod:`~poolkit.course.exercises.declarations`),
and a chapter module imports what it needs from
:mod:`poolkit.course.exercises.authoring`. This module keeps the old names (the
private ones too, as aliases of the public ones) so that code written against
them still runs; new code should not import from here.
"""

from __future__ import annotations

from .checks import (
    DEFAULT_HINTS,
    REFERENCE_UNAVAILABLE as _REFERENCE_UNAVAILABLE,
    Case,
    as_case as _as_case,
    check_choice,
    check_function,
    check_output_size_fn,
    check_value,
    with_reference_cases as _with_reference_cases,
)
from .compare import Mismatch as _Mismatch, compare as _compare, matches as _matches, same_array as _same_array
from .guard import (
    Timeout as _Timeout,
    arg_names as _arg_names,
    call_quietly as _quiet_call,
    changed as _changed,
    checker,
    copy_arg as _copy_arg,
    runs_no_code as _runs_no_code,
)
from .mistakes import diagnose as _diagnose_cases
from .results import FAILED, NOT_ATTEMPTED, PASSED, SCORECARD, CheckResult, Scorecard, emit as _emit, finish as _finish, score
from .text import (
    MAX_QUOTE,
    fail_line as _fail_line,
    fmt_index as _fmt_index,
    fmt_limit as _fmt_limit,
    one_line as _one_line,
    parse_letters as _parse_letters,
    quote as _quote,
    sentence as _sentence,
    typename as _typename,
)

__all__ = sorted(name for name in dir() if not name.startswith("_") and name != "annotations")
