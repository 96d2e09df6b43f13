"""Checkers for chapter 1, *Pool a feature map, window by window* (``ch-definition``).

Each exercise is a declaration (:mod:`poolkit.course.exercises.authoring`) with its known
mistakes; each checker prints one line, never raises and never prints a float.

=============================  ============================  ===================================
exercise                       what the learner writes       checker
=============================  ============================  ===================================
``ex-ch01-true-statements``    letters, e.g. ``"A, C"``      :func:`check_statements`
``ex-ch01-by-hand``            two 2x2 lists of numbers      :func:`check_max_by_hand`,
                                                             :func:`check_avg_by_hand`
``ex-ch01-max-pool``           ``max_pool2d_simple(x, k)``   :func:`check_max_pool2d_simple`
``ex-ch01-avg-pool``           ``avg_pool2d_simple(x, k)``   :func:`check_avg_pool2d_simple`
``ex-ch01-not-a-convolution``  three windows ``(u, v)``      :func:`check_not_a_convolution`
=============================  ============================  ===================================

:data:`QUIZ` holds the chapter's quiz (shown with :func:`poolkit.course.exercises.quiz.show`), kept
here so that the notebook cell that shows it does not give the answers away. The expected
answers come from hand computation or from a reshape-based pooling written here
(``_reference_pool``), independently of poolkit's window view.
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from .authoring import (Case, ChoiceExercise, CodeExercise, Mistake, NotCheckable, PropertyExercise,
                        ValueExercise, typename)
from .quiz import mc

__all__ = [
    "QUIZ",
    "STATEMENTS",
    "BY_HAND_MAP",
    "check_statements",
    "check_max_by_hand",
    "check_avg_by_hand",
    "check_max_pool2d_simple",
    "check_avg_pool2d_simple",
    "check_not_a_convolution",
]

# ----------------------------------------------------------------------------
# Exercise ex-ch01-true-statements: which statements are true?
# ----------------------------------------------------------------------------

#: The options of the conceptual exercise (letter -> statement), as printed in the chapter.
#:
#: :meta hide-value:
STATEMENTS = {
    "A": "It has no parameters to learn.",
    "B": "It leaves the batch size N and the number of channels C unchanged, "
         "and halves an even height and width.",
    "C": "Its output does not change when the input is shifted by one pixel.",
    "D": "It combines the values of different channels at the same position.",
    "E": "If all four values in a window are negative, the output for that window is negative.",
}

TRUE_STATEMENTS = ChoiceExercise(
    "true_statements", STATEMENTS, ("A", "B", "E"),
    why={
        "A": "Max and mean are fixed functions: there is no weight to learn.",
        "B": "Pooling works on each (N, C) plane separately and only shrinks H and W.",
        "C": "Only a shift that keeps each maximum inside its window leaves the output alone; "
             "a one-pixel shift across a window edge changes it (the (0, 0, 5, 0, 0, 0) example).",
        "D": "Each channel is pooled on its own; mixing channels is what a convolution does.",
        "E": "The maximum of negative numbers is the largest of them, which is still negative.",
    },
    task='set true_statements to the letters of every true statement, e.g. "A, C", '
         "and run this cell again",
    hint="more than one statement is true; test each one on the running example",
)


@TRUE_STATEMENTS.entry
def check_statements(answer: Any):
    """Check the letters of every true statement about 2x2 max pooling, stride 2.

    Parameters
    ----------
    answer : str or list of str
        E.g. ``"A, C"`` or ``["A", "C"]``; ``...`` or ``None`` while not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_statements(...)
    Not attempted yet: set true_statements to the letters of every true statement, e.g. "A, C", and run this cell again.
    >>> r = check_statements("A, C")
    Not quite: C is not right. Only a shift that keeps each maximum inside its window leaves the output alone; a one-pixel shift across a window edge changes it (the (0, 0, 5, 0, 0, 0) example).
    """
    return TRUE_STATEMENTS.run(answer)


# ----------------------------------------------------------------------------
# Exercise ex-ch01-by-hand: pool a 4x4 map by hand
# ----------------------------------------------------------------------------

#: The map pooled by hand in ``ex-ch01-by-hand`` (2x2 windows, stride 2).
BY_HAND_MAP = (
    (2, -1, 0, 4),
    (3, 0, -2, 6),
    (-5, -3, 7, 7),
    (-1, -7, 1, 3),
)

# Worked out by hand, window by window (top-left, top-right, bottom-left,
# bottom-right):
#   cells (2, -1, 3, 0)    max 3   sum 4    mean 1
#   cells (0, 4, -2, 6)    max 6   sum 8    mean 2
#   cells (-5, -3, -1, -7) max -1  sum -16  mean -4
#   cells (7, 7, 1, 3)     max 7   sum 18   mean 9/2 (a tie for the max)
_BY_HAND_MAX = ((3.0, 6.0), (-1.0, 7.0))
_BY_HAND_AVG = ((1.0, 2.0), (-4.0, 4.5))

_TRANSPOSED = ("you transposed the result: the first row of the output comes from "
               "the top two rows of the map")
#: A 3x3 answer: the windows were moved by one cell (stride 1).
_OVERLAP = Mistake("2x2 windows with stride 2 do not overlap, so a 4x4 map gives a 2x2 output "
                   "(a 3x3 output would mean stride 1)", when=lambda grid: grid.shape == (3, 3))


def _leaves(a: Any) -> list | None:
    """The scalars of a nested list/tuple, or None if it is not one."""
    if not isinstance(a, (list, tuple)):
        return None
    out = []
    for v in a:
        if isinstance(v, (list, tuple)):
            sub = _leaves(v)
            if sub is None:
                return None
            out.extend(sub)
        else:
            out.append(v)
    return out


def _is_number(v: Any) -> bool:
    return isinstance(v, (numbers.Real, np.integer, np.floating)) and not isinstance(
        v, (bool, np.bool_))


def _read_grid(answer: Any, name: str):
    """A typed-in grid as a float array; None for the stub; NotCheckable for anything else."""
    leaves = _leaves(answer)
    if leaves is not None and leaves and all(v is Ellipsis for v in leaves):
        return None  # the stub [[..., ...], [..., ...]]
    if answer is None or answer is Ellipsis:
        return None
    grid = None
    if isinstance(answer, np.ndarray):
        grid = answer
    elif leaves is not None and leaves and all(_is_number(v) for v in leaves):
        try:
            grid = np.array(answer, dtype=np.float64)
        except ValueError:  # ragged rows
            grid = None
    if grid is None or grid.dtype.kind not in "iuf":
        return NotCheckable(f"{name} should be a 2x2 list of lists of numbers, got {typename(answer)}",
                            "write the numbers themselves, e.g. [[1, 2], [3, 4]]")
    return grid.astype(np.float64)


def _by_hand(name: str, expected, what: str, known: tuple) -> ValueExercise:
    """A 2x2 by-hand pooling: the right grid, and the wrong grids that have a known cause."""
    return ValueExercise(
        name, np.array(expected), prepare=lambda answer: _read_grid(answer, name),
        mistakes=[_OVERLAP] + [Mistake(text, answer=np.array(grid)) for grid, text in known],
        task=f"replace ... in `{name} = ...` with a 2x2 list of lists holding the {what}, "
             "e.g. [[1, 2], [3, 4]], and run this cell again",
        hint="work window by window: the top-left 2x2 block of the map gives the top-left output; "
             f"write down its {what.split(' of ')[0]}")


MAX_BY_HAND = _by_hand("max_by_hand", _BY_HAND_MAX, "maximum of each window", (
    (((3.0, 6.0), (0.0, 7.0)),
     "the bottom-left window holds only negative numbers, so its maximum is the largest of "
     "them, not 0"),
    (((3.0, -1.0), (6.0, 7.0)), _TRANSPOSED),
    (_BY_HAND_AVG, "those are the means; max pooling keeps the largest value of each window"),
    (((-1.0, -2.0), (-7.0, 1.0)),
     "those are the smallest values; max pooling keeps the largest value of each window"),
))

AVG_BY_HAND = _by_hand("avg_by_hand", _BY_HAND_AVG, "mean of each window", (
    (_BY_HAND_MAX, "those are the maxima; average pooling keeps the mean of each window"),
    (((4.0, 8.0), (-16.0, 18.0)),
     "those are the window sums; divide each by the number of cells, 4"),
    (((2.0, 4.0), (-8.0, 9.0)),
     "divide each window's sum by the number of cells, 2 x 2 = 4, not by 2"),
    (((1.0, 2.0), (-4.0, 4.0)),
     "the bottom-right sum, 18, is not a multiple of 4: keep the fraction instead of "
     "rounding down"),
    (((1.0, 2.0), (-4.0, 5.0)),
     "the bottom-right sum, 18, is not a multiple of 4: keep the fraction instead of rounding"),
    (((1.0, -4.0), (2.0, 4.5)), _TRANSPOSED),
))


@MAX_BY_HAND.entry
def check_max_by_hand(answer: Any):
    """Check the learner's 2x2 max pooling (stride 2) of :data:`BY_HAND_MAP`.

    Parameters
    ----------
    answer : list of lists, or array
        A 2x2 answer such as ``[[1, 2], [3, 4]]``; ``...`` while not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_max_by_hand([[3, 6], [0, 7]])
    Not quite: max_by_hand has wrong values at 1 of 4 positions (first at index (1, 0)). Hint: the bottom-left window holds only negative numbers, so its maximum is the largest of them, not 0.
    """
    return MAX_BY_HAND.run(answer)


@AVG_BY_HAND.entry
def check_avg_by_hand(answer: Any):
    """Check the learner's 2x2 average pooling (stride 2) of :data:`BY_HAND_MAP`.

    Parameters
    ----------
    answer : list of lists, or array
        A 2x2 answer; ``...`` while not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_avg_by_hand([[4, 8], [-16, 18]])
    Not quite: avg_by_hand has wrong values at 4 of 4 positions (first at index (0, 0)). Hint: those are the window sums; divide each by the number of cells, 4.
    """
    return AVG_BY_HAND.run(answer)


# ----------------------------------------------------------------------------
# Exercises ex-ch01-max-pool and ex-ch01-avg-pool: write the loops
# ----------------------------------------------------------------------------


def _reference_pool(x: np.ndarray, k: int, mode: str) -> np.ndarray:
    """Non-overlapping k x k pooling (stride k, no padding) by reshaping.

    Written independently of poolkit: crop to whole windows (floor), split
    each axis into (windows, k) and reduce over the two k axes.
    """
    h, w = x.shape
    oh, ow = h // k, w // k
    blocks = x[: oh * k, : ow * k].reshape(oh, k, ow, k)
    return blocks.max(axis=(1, 3)) if mode == "max" else blocks.mean(axis=(1, 3))


def _running_example() -> np.ndarray:
    # The course's 4x4 running example (poolkit.data.running_example), spelled
    # out so the checker's expected values are the hand-computed ones below.
    return np.array(
        [[1, 3, 4, 7], [6, 2, 7, 2], [0, 4, 1, 3], [8, 4, 2, 2]], dtype=np.float64
    )


def _shared_cases(mode: str) -> list[Case]:
    """The cases both code exercises use, simplest first."""
    rng = np.random.default_rng(2024)

    def grid(h, w):
        # Distinct small integers (as floats), so every case is easy to redo by hand.
        return rng.permutation(np.arange(1, h * w + 1)).reshape(h, w).astype(np.float64)

    wide, tall, one, k3, odd = grid(2, 6), grid(6, 4), grid(3, 5), grid(6, 6), grid(5, 7)
    by_hand = [[6.0, 7.0], [8.0, 3.0]] if mode == "max" else [[3.0, 5.0], [4.0, 2.0]]
    return [
        Case(args=(_running_example(), 2), expected=np.array(by_hand),
             label="4x4 running example, k=2"),
        Case(args=(wide, 2), expected=_reference_pool(wide, 2, mode),
             label="2x6 map, k=2"),
        Case(args=(tall, 2), expected=_reference_pool(tall, 2, mode),
             label="6x4 map, k=2"),
        Case(args=(one, 1), expected=_reference_pool(one, 1, mode),
             label="3x5 map, k=1",
             hint="with k = 1 every window is a single cell, so the output equals the input; "
                  "use k for the window size, not a fixed 2"),
        Case(args=(k3, 3), expected=_reference_pool(k3, 3, mode),
             label="6x6 map, k=3",
             hint="use k everywhere: the window is k x k and moves k cells at a time; "
                  "nothing should be fixed to 2"),
        Case(args=(odd, 2), expected=_reference_pool(odd, 2, mode),
             label="5x7 map, k=2 (not divisible)",
             hint="only whole windows count: 5 rows give 5 // 2 = 2 windows and the last row "
                  "(and column) is dropped, as PyTorch does by default (ceil_mode=False)"),
    ]


_TRANSPOSED_CODE = ("your result is transposed: out[i, j] comes from rows i*k to i*k+k-1 and "
                    "columns j*k to j*k+k-1 (row index first), and the output has H // k rows")

_SHAPE_HINT = ("stride = k and no padding: the output has H // k rows and W // k columns, "
               "with H, W = x.shape; a leftover row or column that cannot fill a whole "
               "window is dropped")
_TYPE_HINT = "return a numpy array, e.g. one made with np.empty((H // k, W // k))"


def _max_cases() -> list[Case]:
    negative = -np.arange(1.0, 17.0).reshape(4, 4)  # -1 ... -16, row by row
    ties = np.array([[5, 5, 0, 2], [5, 5, 2, 2], [3, 1, 9, 9], [1, 3, 9, 9]], dtype=np.float64)
    return _shared_cases("max") + [
        Case(args=(negative, 2), expected=np.array([[-1.0, -3.0], [-9.0, -11.0]]),
             label="4x4 map of negative numbers, k=2",
             hint="a window of negative numbers has a negative maximum: start each running "
                  "maximum from the window's first value, not from 0"),
        Case(args=(ties, 2), expected=np.array([[5.0, 2.0], [3.0, 9.0]]),
             label="4x4 map with ties, k=2",
             hint="when several cells share the largest value, that value is the maximum"),
    ]


def _avg_cases() -> list[Case]:
    fractions = np.array([[1, 2, 0, 1], [0, 0, 1, 1], [3, 0, 5, 5], [0, 0, 5, 6]], dtype=np.float64)
    negative = np.array([[-1, -2, 3, -3], [-2, -2, 0, -1], [-7, 1, -3, -2], [-1, 0, -2, -2]],
                        dtype=np.float64)
    shared = _shared_cases("avg")
    # The fraction case comes second: the running example's means are whole
    # numbers, so this is the first case where `//` shows.
    return shared[:1] + [
        Case(args=(fractions, 2), expected=np.array([[0.75, 0.75], [0.75, 5.25]]),
             label="4x4 map whose means are fractions, k=2",
             hint="divide with /, not //: a mean need not be a whole number"),
    ] + shared[1:] + [
        Case(args=(negative, 2), expected=np.array([[-1.75, -0.25], [-1.75, -2.25]]),
             label="4x4 map with negative numbers, k=2",
             hint="divide with /, not //: // rounds negative means down, away from zero"),
    ]


def _pool_exercise(name: str, cases, hints: dict) -> CodeExercise:
    return CodeExercise(
        name, cases, mistakes=[Mistake(_TRANSPOSED_CODE, wrong=lambda c: np.asarray(c.expected).T)],
        task=f"complete `{name}(x, k)` and run this cell again",
        hints={"shape": _SHAPE_HINT, **hints, "type": _TYPE_HINT})


MAX_POOL2D_SIMPLE = _pool_exercise("max_pool2d_simple", _max_cases, {
    "values": "each output cell is the largest value of its own k x k block: "
              "out[i, j] comes from rows i*k to i*k+k-1 and columns j*k to j*k+k-1"})
AVG_POOL2D_SIMPLE = _pool_exercise("avg_pool2d_simple", _avg_cases, {
    "values": "each output cell is the mean of its k x k block: the block's sum divided by k * k",
    "dtype": "build the output as a float array, e.g. np.empty((H // k, W // k)), "
             "so that means keep their fractions"})


@MAX_POOL2D_SIMPLE.entry
def check_max_pool2d_simple(fn: Any):
    """Check the learner's ``max_pool2d_simple(x, k)``: 2-D, stride k, no padding.

    Cases: the running example, non-square maps, ``k=1``, ``k=3``, a map
    whose sides are not multiples of ``k`` (floor: the leftover row and
    column are dropped), an all-negative map (catches a running maximum
    started at 0) and a map full of ties.

    Parameters
    ----------
    fn : callable
        ``fn(x, k)`` with ``x`` a float array of shape ``(H, W)`` and ``k`` an int.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def max_pool2d_simple(x, k):
    ...     H, W = x.shape
    ...     out = np.empty((H // k, W // k))
    ...     for i in range(H // k):
    ...         for j in range(W // k):
    ...             out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    ...     return out
    >>> r = check_max_pool2d_simple(max_pool2d_simple)
    Passes all 8 cases.
    """
    return MAX_POOL2D_SIMPLE.run(fn)


@AVG_POOL2D_SIMPLE.entry
def check_avg_pool2d_simple(fn: Any):
    """Check the learner's ``avg_pool2d_simple(x, k)``: 2-D, stride k, no padding.

    Cases: as :func:`check_max_pool2d_simple`, plus a map whose window means
    are not whole numbers (catches ``//``) and one with negative numbers.

    Parameters
    ----------
    fn : callable
        ``fn(x, k)`` with ``x`` a float array of shape ``(H, W)`` and ``k`` an int.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_avg_pool2d_simple(lambda x, k: x[::k, ::k])
    Case 4x4 running example, k=2: the result has wrong values at 4 of 4 positions (first at index (0, 0)). Hint: each output cell is the mean of its k x k block: the block's sum divided by k * k.
    """
    return AVG_POOL2D_SIMPLE.run(fn)


# ----------------------------------------------------------------------------
# The chapter's quiz
# ----------------------------------------------------------------------------

#: Four questions for ``pk.exercises.quiz.show(ch01.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("A batch of feature maps of shape (N, C, H, W) = (8, 64, 32, 32) goes through 2×2 max "
       "pooling with stride 2. What is the output shape?", [
           ("(8, 64, 16, 16)", True, "Only H and W shrink, each to (32 − 2) // 2 + 1 = 16."),
           ("(8, 32, 16, 16)", False, "Pooling never changes the number of channels C."),
           ("(4, 64, 16, 16)", False, "N counts the examples in the batch; pooling leaves it alone."),
           ("(8, 64, 31, 31)", False, "That would be stride 1; with stride 2 the windows do not overlap."),
       ]),
    mc("What does max pooling return for the window (−3, −1, −4, −2)?", [
        ("−1", True, "The largest of four negative numbers is the one closest to zero."),
        ("0", False, "0 is not in the window; a running maximum started at 0 would wrongly return it."),
        ("−4", False, "That is the minimum."),
        ("−2.5", False, "That is the mean, which average pooling would return."),
    ]),
    mc("Max pooling with window 3 and stride 3 maps (0, 0, 5, 0, 0, 0) to (5, 0). Which shift of "
       "the input (filling the gap with 0) leaves this output unchanged?", [
           ("Shifting left by one step", True,
            "(0, 5, 0, 0, 0, 0): the 5 stays in the first window."),
           ("Shifting right by one step", False,
            "(0, 0, 0, 5, 0, 0): the 5 crosses into the second window, and the output becomes (0, 5)."),
           ("Any shift: max pooling is shift invariant", False,
            "Only shifts that keep each maximum inside its window leave the output unchanged."),
       ]),
    mc("How many learnable parameters does a 3×3 max pooling layer on 64 channels have?", [
        ("0", True, "The maximum is a fixed function: there is nothing to learn."),
        ("9", False, "A 3×3 window has 9 cells, but no weights are attached to them."),
        ("576", False, "That is 64 × 9, the weights of a depthwise 3×3 convolution, not of pooling."),
        ("64", False, "Pooling has no per-channel weight or bias either."),
    ]),
]


# --- hard exercises (issue 12) ---
#
# ``ex-ch01-not-a-convolution``: three windows on which no convolution reproduces max pooling.
# A convolution with kernel size 2, stride 2 and a bias maps each window (u, v) to
# w1 u + w2 v + b. The learner gives three windows; they are a counter-example exactly when
# the three equations w1 u_i + w2 v_i + b = max(u_i, v_i) have no solution, which the checker
# decides in exact rational arithmetic (ranks of the system and of its augmented matrix).

def _fraction(v):
    """``v`` as an exact Fraction, or None if it is not a finite real number."""
    if isinstance(v, (bool, np.bool_)) or not _is_number(v) or not np.isfinite(float(v)):
        return None
    return Fraction(int(v)) if isinstance(v, (numbers.Integral, np.integer)) else Fraction(float(v))


def _rank(rows) -> int:
    """Rank of a small matrix of Fractions (Gaussian elimination, exact)."""
    m = [list(r) for r in rows]
    rank, cols = 0, len(m[0]) if m else 0
    for c in range(cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][c] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][c] != 0:
                factor = m[r][c] / m[rank][c]
                m[r] = [a - factor * b for a, b in zip(m[r], m[rank])]
        rank += 1
    return rank


def _read_windows(answer):
    """A list of (u, v) Fractions; None for the stub; NotCheckable if not a list of pairs of numbers."""
    if answer is None or answer is Ellipsis or (
            isinstance(answer, (list, tuple)) and answer and all(
                w is Ellipsis or (isinstance(w, (list, tuple)) and all(v is Ellipsis for v in w))
                for w in answer)):
        return None
    bad = NotCheckable(f"windows should be a list of pairs of finite numbers, got {typename(answer)}",
                       "write three windows, each a pair (u, v), e.g. [(1, 2), (3, 4), (5, 6)]")
    if isinstance(answer, np.ndarray):
        if answer.ndim != 2 or answer.shape[1] != 2 or answer.dtype.kind not in "iuf":
            return bad
        answer = answer.tolist()
    if not isinstance(answer, (list, tuple)):
        return bad
    out = []
    for w in answer:
        if isinstance(w, np.ndarray):
            w = w.tolist()
        if not isinstance(w, (list, tuple)) or len(w) != 2:
            return bad
        u, v = _fraction(w[0]), _fraction(w[1])
        if u is None or v is None:
            return bad
        out.append((u, v))
    return out


def _no_convolution_fits(windows) -> bool:
    """Three different windows on which no (w1, w2, b) solves w1 u + w2 v + b = max(u, v)."""
    if len(windows) != 3 or len(set(windows)) < 3:
        return False
    system = [(u, v, 1) for u, v in windows]
    augmented = [(u, v, 1, max(u, v)) for u, v in windows]
    return _rank(augmented) > _rank(system)


def _one_side(windows) -> bool:
    return all(u >= v for u, v in windows) or all(v >= u for u, v in windows)


def _count_detail(windows) -> str:
    if len(windows) != 3:
        return f"you gave {len(windows)} window{'s' if len(windows) != 1 else ''}, not three"
    return "a convolution reproduces max pooling on your three windows"


NOT_A_CONVOLUTION = PropertyExercise(
    "windows", _no_convolution_fits, read=_read_windows, detail=_count_detail,
    passed="Correct: no convolution with kernel size 2, stride 2 and a bias gives max pooling "
           "on these three windows.",
    mistakes=[
        Mistake("two windows are never enough: with three unknowns w1, w2 and b, two equations "
                "always have a solution", when=lambda w: len(w) < 3),
        Mistake("the exercise asks for exactly three windows, which is enough when they are chosen "
                "well: a plane w1 u + w2 v + b fits any three windows that are not on one line, so "
                "look at three that are", when=lambda w: len(w) > 3),
        Mistake("two of your windows are the same, so you have only two different equations, "
                "and two equations in w1, w2, b always have a solution", when=lambda w: len(set(w)) < 3),
        Mistake("in every one of your windows the maximum is in the same cell, and there max "
                "pooling is linear: w = (1, 0), b = 0 (or w = (0, 1)) reproduces it; a "
                "counter-example needs windows on both sides of u = v", when=_one_side),
        Mistake("your three windows do not lie on one line, so the three equations in w1, w2, b "
                "have exactly one solution (the plane through your three points fits them): put "
                "the three windows on one line that crosses u = v, and use what an affine map "
                "does to a midpoint", when=lambda w: True),
    ],
    task="set windows to a list of three windows, each a pair of numbers (u, v), e.g. "
         "[(1, 2), (3, 4), (5, 6)], and run this cell again")


@NOT_A_CONVOLUTION.entry
def check_not_a_convolution(answer: Any):
    """Check three windows ``(u, v)`` on which no convolution (kernel 2, stride 2, bias) is max pooling.

    The answer passes when the equations ``w1 u + w2 v + b = max(u, v)``, one per
    window, have no solution ``(w1, w2, b)``, decided exactly (rational arithmetic).
    A wrong answer is explained: fewer or more than three windows, a repeated window,
    windows whose maximum is always in the same cell (where max pooling is linear), or
    three windows in general position (a plane always fits three such points).

    Parameters
    ----------
    answer : list of pairs of numbers
        E.g. ``[(1, 2), (3, 4), (5, 6)]``; ``...`` while not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_not_a_convolution([(0, 2), (2, 0), (1, 1)])
    Correct: no convolution with kernel size 2, stride 2 and a bias gives max pooling on these three windows.
    >>> r = check_not_a_convolution([(3, 1), (5, 2), (4, 0)])
    Not quite: a convolution reproduces max pooling on your three windows. Hint: in every one of your windows the maximum is in the same cell, and there max pooling is linear: w = (1, 0), b = 0 (or w = (0, 1)) reproduces it; a counter-example needs windows on both sides of u = v.
    """
    return NOT_A_CONVOLUTION.run(answer)
