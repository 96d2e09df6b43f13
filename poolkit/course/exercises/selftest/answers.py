"""Reading the self-test's answers: blanks, integers, numbers, grids; never raising."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..authoring import FAILED, CheckResult, fail_line, finish

__all__ = ["blank", "is_int", "as_ints", "as_number", "as_grid", "not_checkable"]


def blank(v: Any) -> bool:
    """``None``, ``...`` or blank text: not answered yet."""
    return v is None or v is Ellipsis or (isinstance(v, str) and not v.strip())


def is_int(v: Any) -> bool:
    """An integer (0-d arrays too), not a bool."""
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def as_ints(answer: Any, n: int | None = None) -> tuple | None:
    """``answer`` as a tuple of Python ints (length ``n`` if given), or None."""
    if isinstance(answer, np.ndarray):
        if answer.ndim != 1:
            return None
        answer = answer.tolist()
    if isinstance(answer, (set, frozenset)):
        answer = sorted(answer) if all(is_int(v) for v in answer) else None
    if not isinstance(answer, (tuple, list)):
        return None
    if not all(is_int(v) for v in answer):
        return None
    if n is not None and len(answer) != n:
        return None
    return tuple(int(v) for v in answer)


def as_number(answer: Any) -> float | None:
    """A real number as a float (ints, floats, numpy scalars), or None."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer[()]
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, (numbers.Real, np.integer, np.floating)):
        return float(answer)
    return None


def as_grid(answer: Any) -> np.ndarray | None:
    """A nested list / array of numbers as a 2-D float array, or None."""
    try:
        if isinstance(answer, np.ndarray):
            arr = answer
        elif isinstance(answer, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in answer):
            flat = [v for r in answer for v in r]
            if not flat or not all(as_number(v) is not None for v in flat):
                return None
            if len({len(r) for r in answer}) != 1:
                return None
            arr = np.array(answer, dtype=np.float64)
        else:
            return None
        if arr.ndim != 2 or arr.dtype.kind not in "iuf":
            return None
        return arr.astype(np.float64)
    except Exception:
        return None


def not_checkable(name: str, detail: str, hint: str) -> CheckResult:
    """Print, record and return a *Not checkable* line."""
    return finish(name, FAILED, fail_line("Not checkable", detail, hint))
