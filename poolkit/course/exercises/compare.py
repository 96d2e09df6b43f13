"""Comparing a learner's result with the expected one, by the expected value's type.

:func:`compare` raises :class:`Mismatch` ``(kind, detail)`` when the result
is wrong; the kind (``"type"``, ``"shape"``, ``"dtype"``, ``"values"``,
``"nan"``, ``"nan_missing"``, ``"length"``) picks the hint. Each type of
expected value has one comparer in :data:`COMPARERS`, tried in order.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

import numpy as np

from .text import fmt_index, typename

__all__ = ["Mismatch", "compare", "matches", "same_array", "is_int_like", "is_real_like", "COMPARERS"]


class Mismatch(Exception):
    """A wrong result: ``kind`` names the problem (it picks the hint), ``detail`` says it."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def is_int_like(v) -> bool:
    """An integer (Python or numpy), not a bool."""
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def is_real_like(v) -> bool:
    """A real number (Python or numpy), not a bool."""
    return isinstance(v, (numbers.Real, np.floating, np.integer)) and not isinstance(
        v, (bool, np.bool_)
    )


def _scalar(got):
    return got[()] if isinstance(got, np.ndarray) and got.ndim == 0 else got


def _compare_array(got, expected: np.ndarray, rtol, atol, what) -> None:
    if not isinstance(got, np.ndarray):
        extra = " (wrap it with np.array)" if isinstance(got, (list, tuple)) else ""
        raise Mismatch("type", f"{what} should be a numpy array, got {typename(got)}{extra}")
    if got.shape != expected.shape:
        raise Mismatch(
            "shape", f"{what} has the wrong shape (expected shape {expected.shape}, got {got.shape})"
        )
    ek, gk = expected.dtype.kind, got.dtype.kind
    for wrong, kind_text in (
        (ek in "fc" and gk not in "fc", "a float array"),
        (ek == "f" and gk == "c", "a real float array"),
        (ek in "iu" and gk not in "iu", "an integer array"),
        (ek == "b" and gk != "b", "a bool array"),
    ):
        if wrong:
            raise Mismatch("dtype", f"{what} has the wrong dtype (expected {kind_text}, got {got.dtype})")
    if got.size == 0:
        return
    if ek in "fc":
        with np.errstate(all="ignore"):
            g_nan, e_nan = np.isnan(got), np.isnan(expected)
            bad = np.argwhere(g_nan & ~e_nan)
            if bad.size:
                raise Mismatch("nan", f"{what} is NaN at index {fmt_index(bad[0])} where a number was expected")
            bad = np.argwhere(e_nan & ~g_nan)
            if bad.size:
                raise Mismatch(
                    "nan_missing", f"{what} should be NaN at index {fmt_index(bad[0])} but is a number"
                )
            ok = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True) | (got == expected)
    else:
        ok = got == expected
    ok = np.asarray(ok, dtype=bool)
    if not ok.all():
        wrong = np.argwhere(~ok)
        raise Mismatch(
            "values",
            f"{what} has wrong values at {len(wrong)} of {got.size} positions "
            f"(first at index {fmt_index(wrong[0])})",
        )


def _compare_bool(got, expected, rtol, atol, what) -> None:
    if not isinstance(got, (bool, np.bool_)):
        raise Mismatch("type", f"{what} should be True or False, got {typename(got)}")
    if bool(got) != bool(expected):
        raise Mismatch("values", f"{what} is {'False' if expected else 'True'}; it should not be")


def _compare_int(got, expected, rtol, atol, what) -> None:
    got = _scalar(got)
    if not is_int_like(got):
        raise Mismatch("type", f"{what} should be an integer, got {typename(got)}")
    if int(got) != int(expected):
        raise Mismatch("values", f"{what} is {'too large' if int(got) > int(expected) else 'too small'}")


def _compare_real(got, expected, rtol, atol, what) -> None:
    got = _scalar(got)
    if not is_real_like(got):
        raise Mismatch("type", f"{what} should be a number, got {typename(got)}")
    g, e = float(got), float(expected)
    if math.isnan(e) or math.isnan(g):
        if math.isnan(e) and math.isnan(g):
            return
        if math.isnan(g):
            raise Mismatch("nan", f"{what} is NaN where a number was expected")
        raise Mismatch("nan_missing", f"{what} should be NaN but is a number")
    if not math.isclose(g, e, rel_tol=rtol, abs_tol=atol) and not (g == e):
        raise Mismatch("values", f"{what} is {'too large' if g > e else 'too small'}")


def _compare_sequence(got, expected, rtol, atol, what) -> None:
    # A list is as good as a tuple (and vice versa): the values are what count.
    kind = "tuple" if isinstance(expected, tuple) else "list"
    if isinstance(got, np.ndarray) or not isinstance(got, (tuple, list)):
        raise Mismatch("type", f"{what} should be a {kind}, got {typename(got)}")
    if len(got) != len(expected):
        raise Mismatch(
            "length", f"{what} has the wrong length (expected {len(expected)} items, got {len(got)})"
        )
    for i, (g, e) in enumerate(zip(got, expected)):
        compare(g, e, rtol=rtol, atol=atol, what=f"item {i} of {what}")


def _compare_text(got, expected, rtol, atol, what) -> None:
    if not isinstance(got, str):
        raise Mismatch("type", f"{what} should be a string, got {typename(got)}")
    if got.strip() != expected.strip():
        raise Mismatch("values", f"{what} is not the expected text")


def _compare_other(got, expected, rtol, atol, what) -> None:
    if not bool(got == expected):  # an exception here means "cannot be compared"
        raise Mismatch("values", f"{what} is not the expected value")


#: ``(is this the expected value's type, comparer)`` rules, tried in order; the last takes anything.
COMPARERS: list[tuple[Callable[[Any], bool], Callable]] = [
    (lambda e: isinstance(e, np.ndarray), _compare_array),
    (lambda e: isinstance(e, (bool, np.bool_)), _compare_bool),
    (is_int_like, _compare_int),
    (is_real_like, _compare_real),
    (lambda e: isinstance(e, (tuple, list)), _compare_sequence),
    (lambda e: isinstance(e, str), _compare_text),
    (lambda e: True, _compare_other),
]


def compare(got: Any, expected: Any, *, rtol: float, atol: float, what: str = "the result") -> None:
    """Raise :class:`Mismatch` if ``got`` does not match ``expected``.

    Arrays are compared in shape, dtype kind and value (floats within
    ``rtol``/``atol``, NaN where NaN is expected); ints exactly; tuples and
    lists item by item; strings without surrounding whitespace.

    Examples
    --------
    >>> compare(3, 3, rtol=0, atol=0)
    >>> try:
    ...     compare(4, 3, rtol=0, atol=0, what="out")
    ... except Mismatch as m:
    ...     print(m.kind, "-", m.detail)
    values - out is too large
    """
    for applies, comparer in COMPARERS:
        if applies(expected):
            return comparer(got, expected, rtol, atol, what)
    return None


def matches(answer: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """Does ``answer`` match ``expected`` under :func:`compare`? Never raises."""
    try:
        compare(answer, expected, rtol=rtol, atol=atol)
        return True
    except Exception:
        return False


def same_array(a: Any, b: np.ndarray) -> bool:
    """Does ``a``, read as a float array, have ``b``'s shape and values (to 1e-7)? Never raises."""
    try:
        a = np.asarray(a, dtype=np.float64)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-7, atol=1e-9))
    except Exception:
        return False
