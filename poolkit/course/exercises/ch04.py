"""Checkers and quiz for chapter 4, *Send gradients back through pooling* (``ch-backward``).

Each exercise is a declaration (:mod:`poolkit.course.exercises.authoring`) with its known
mistakes; each checker prints one line, never raises and never prints a float.

==============================  ===========================================  ===============================
exercise                        what the learner writes                      checker
==============================  ===========================================  ===============================
``ex-ch04-tie``                 a letter                                     :func:`check_tie_rule`
``ex-ch04-padding-sum``         a number (the total of ``grad_x``)           :func:`check_padding_sum`
``ex-ch04-max-backward``        ``max_backward(grad_out, x, k, s)``          :func:`check_max_backward`
``ex-ch04-avg-backward``        ``avg_backward(grad_out, x, k, s, p)``       :func:`check_avg_backward`
``ex-ch04-vectorised``          ``max_backward_vectorised(grad_out, x, …)``  :func:`check_max_backward_vectorised`
==============================  ===========================================  ===============================

The code checkers compare the learner's function with poolkit's backward functions
(themselves checked against PyTorch and numerical gradients) on 2-D maps; a wrong result
equal to a usual mistake (gradient to the last maximum, split between tied maxima,
assignment instead of accumulation, the gradient copied instead of divided, the divisor
without padding) gets that mistake's hint.

Examples
--------
>>> r = check_padding_sum(100 / 9)
Correct.
>>> r = check_padding_sum(16)
Not quite: grad_total is too large. Hint: 16 is the total of grad_out; with count_include_pad=True a border window divides by 9 but covers fewer real cells, so part of its gradient falls on padding and is dropped.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import poolkit as pk

from .authoring import (Case, ChoiceExercise, CodeExercise, Mistake, ValueExercise, call_quietly,
                        Timeout, count_python_lines, fail_line, same_array)
from .quiz import mc

__all__ = [
    "check_tie_rule",
    "check_padding_sum",
    "check_max_backward",
    "check_avg_backward",
    "check_max_backward_vectorised",
    "QUIZ",
]


# ---------------------------------------------------------------------------
# Conceptual exercise: the tie rule
# ---------------------------------------------------------------------------

TIE_OPTIONS = {
    "A": "(1.25, 1.25, 1.25, 1.25)",
    "B": "(5, 5, 5, 5)",
    "C": "(5, 0, 0, 0)",
    "D": "(0, 0, 0, 0), because the maximum has no derivative at a tie",
}
TIE_EXPLANATIONS = {
    "A": "An even split is a valid subgradient too, but it is not what poolkit or PyTorch's CPU "
         "kernel computes: they send everything to the first maximum",
    "B": "Copying g to every cell multiplies the gradient by four; no subgradient of the maximum "
         "does that",
    "C": "All four cells tie, and the convention (PyTorch's CPU kernel, poolkit) gives the whole "
         "gradient to the first maximum in row-major order, the top-left cell",
    "D": "At a tie the maximum has no derivative, but it has subgradients; frameworks pick one "
         "rather than dropping the gradient",
}
TIE = ChoiceExercise("tie_answer", TIE_OPTIONS, "C", why=TIE_EXPLANATIONS)


@TIE.entry
def check_tie_rule(answer: Any):
    """Check the letter chosen in ``ex-ch04-tie`` (a window of four zeros, g = 5).

    Examples
    --------
    >>> r = check_tie_rule("c")
    Correct: C. All four cells tie, and the convention (PyTorch's CPU kernel, poolkit) gives the whole gradient to the first maximum in row-major order, the top-left cell.
    """
    return TIE.run(answer)


# ---------------------------------------------------------------------------
# Numeric exercise: the gradient total with counted padding
# ---------------------------------------------------------------------------

#: Total of grad_x for avg pooling k=3, s=1, p=1 (padding counted) of a 4x4 map, grad_out = 1.
#: Per axis the 4 windows cover cells (2, 3, 3, 2) times: 10 coverings, 100 in 2-D, each worth 1/9.
PADDING_SUM = 100 / 9


def _rounded(answer: Any, exact: float = PADDING_SUM) -> bool:
    """Is ``answer`` a number within 1 % of ``exact`` but not equal to it (a rounded decimal)?"""
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (numbers.Real, np.floating, np.integer)):
        return False
    v = float(answer)
    return abs(v - exact) <= 1e-2 * abs(exact) and not math.isclose(v, exact, rel_tol=1e-6)


_GRAD_OUT_TOTAL = ("16 is the total of grad_out; with count_include_pad=True a border window divides by 9 "
                   "but covers fewer real cells, so part of its gradient falls on padding and is dropped")
PADDING_TOTAL = ValueExercise(
    "grad_total", PADDING_SUM, rtol=1e-6,
    mistakes=[
        Mistake("that is 100/9 rounded; the exercise asks for the exact value: write it as a "
                "fraction, grad_total = 100 / 9", when=_rounded),
        Mistake(_GRAD_OUT_TOTAL, answer=16),
        Mistake("100 counts the (window, cell) pairs; each pair carries 1/9 of a gradient, not 1", answer=100),
        Mistake("144 would be 16 windows of 9 cells each, but the border windows cover padding cells, "
                "which belong to no input", answer=144),
        Mistake(_GRAD_OUT_TOTAL, answer=144 / 9),
        Mistake("give the exact value (a fraction such as 100 / 9 is fine), not a rounded one", answer=11),
    ],
    task="replace ... in `grad_total = ...` with the total of grad_x and run this cell again",
    hint="count, along one axis, how many windows contain each input cell; square the count "
         "for two dimensions, then multiply by 1/9")


@PADDING_TOTAL.entry
def check_padding_sum(answer: Any):
    """Check the total of ``grad_x`` in ``ex-ch04-padding-sum`` (exactly 100/9).

    The exercise asks for the exact value: ``100 / 9`` or ``Fraction(100, 9)`` is
    right (to a relative 1e-6, float32 precision); a rounded decimal such as 11.11 is named as
    rounded.

    Examples
    --------
    >>> r = check_padding_sum(100 / 9)
    Correct.
    >>> r = check_padding_sum(11.11)
    Not quite: grad_total is too small. Hint: that is 100/9 rounded; the exercise asks for the exact value: write it as a fraction, grad_total = 100 / 9.
    >>> r = check_padding_sum(100)
    Not quite: grad_total is too large. Hint: 100 counts the (window, cell) pairs; each pair carries 1/9 of a gradient, not 1.
    """
    return PADDING_TOTAL.run(answer)


# ---------------------------------------------------------------------------
# Helpers for the code exercises
# ---------------------------------------------------------------------------

_RNG_SEED = 404


def _windows(shape, k, s, p=0):
    """(i, j, top, left) of every window in padded coordinates, floor mode."""
    H, W = shape
    oh = (H + 2 * p - k) // s + 1
    ow = (W + 2 * p - k) // s + 1
    return [(i, j, i * s, j * s) for i in range(oh) for j in range(ow)]


def _max_variant(grad_out, x, k, s, variant):
    """Max backward written plainly, with switches that reproduce the usual mistakes."""
    grad_x = np.zeros(x.shape)
    for i, j, top, left in _windows(x.shape, k, s):
        window = x[top:top + k, left:left + k]
        g = grad_out[i, j]
        winners = np.argwhere(window == window.max())
        if variant == "last":
            targets, share = [winners[-1]], g
        elif variant == "split":
            targets, share = winners, g / len(winners)
        elif variant == "all_tied":
            targets, share = winners, g
        elif variant == "spread":
            grad_x[top:top + k, left:left + k] += g / (k * k)
            continue
        else:  # "right" or "assign"
            targets, share = [winners[0]], g
        for r, c in targets:
            if variant == "assign":
                grad_x[top + r, left + c] = share
            else:
                grad_x[top + r, left + c] += share
    return grad_x


def _avg_variant(grad_out, x, k, s, p, variant):
    """Average backward written plainly, with switches that reproduce the usual mistakes."""
    H, W = x.shape
    padded = np.zeros((H + 2 * p, W + 2 * p))
    real = np.zeros_like(padded)
    real[p:p + H, p:p + W] = 1.0
    for i, j, top, left in _windows(x.shape, k, s, p):
        g = grad_out[i, j]
        if variant == "copy":
            share = g
        elif variant == "divide_by_k":
            share = g / k
        elif variant == "real_count":
            share = g / real[top:top + k, left:left + k].sum()
        else:
            share = g / (k * k)
        if variant == "assign":
            padded[top:top + k, left:left + k] = share
        else:
            padded[top:top + k, left:left + k] += share
    return padded[p:p + H, p:p + W]


_SHAPE_HINT = "grad_x has the shape of x (not of grad_out, nor of the padded map)"


# ---------------------------------------------------------------------------
# Code exercise: max backward
# ---------------------------------------------------------------------------

_MAX_HINTS = {
    "last": "on a tie you sent the gradient to the last maximum; send all of it to the first one "
            "in row-major order (np.argmax on the window does this)",
    "split": "you split the gradient between tied maxima; poolkit and PyTorch send all of it to "
             "the first maximum in row-major order",
    "all_tied": "every tied maximum received the full gradient; only the first one in row-major "
                "order should, the others get 0",
    "spread": "you spread the gradient over the whole window, which is average pooling's backward; "
              "max backward sends it to the one cell that won the window",
    "assign": "a cell that wins two overlapping windows must receive both gradients; add them "
              "with +=, do not overwrite with =",
}


def _max_cases() -> list[Case]:
    rng = np.random.default_rng(_RNG_SEED)

    def case(x, k, s, label, hint):
        x = np.asarray(x, dtype=np.float64)
        oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
        g = rng.integers(1, 10, size=(oh, ow)).astype(np.float64)
        expected = pk.max_pool2d_backward(g[None], x[None], k, stride=s)[0]
        return Case(args=(g, x), kwargs={"kernel_size": k, "stride": s}, expected=expected,
                    label=label, hint=hint)

    distinct = rng.permutation(16).reshape(4, 4)
    binary = np.array([[0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0]])
    five = rng.permutation(25).reshape(5, 5)
    centre = rng.permutation(25).reshape(5, 5).astype(float)
    centre[2, 2] = 30.0                     # the maximum of all four 3x3 windows
    ties7 = rng.integers(0, 3, size=(7, 7))
    rect = rng.permutation(18).reshape(3, 6)
    route = "send each window's gradient to the cell holding its maximum; every other cell gets 0"
    return [
        case(distinct, 2, 2, "4x4 map, k=2, s=2, no ties", route),
        case(pk.data.running_example(), 2, 2, "the running example, k=2, s=2 (two 7s tie)",
             "with a tie, send all of the gradient to the first maximum in row-major order "
             "(np.argmax on the window finds it)"),
        case(binary, 2, 2, "4x4 map of 0s and 1s, k=2, s=2 (ties in every window)",
             "with a tie, send all of the gradient to the first maximum in row-major order"),
        case(five, 2, 2, "5x5 map, k=2, s=2 (last row and column in no window)",
             "the last row and column belong to no window, so their gradient is 0; grad_x has "
             "the shape of x"),
        case(rect, 2, 2, "3x6 map, k=2, s=2 (not square)",
             "loop over the rows and columns of grad_out separately; the map need not be square"),
        case(centre, 3, 2, "5x5 map, k=3, s=2 (overlapping windows share their maximum)",
             "a cell that wins several overlapping windows receives the sum of their gradients: "
             "add with +="),
        case(ties7, 3, 2, "7x7 map of 0, 1 and 2, k=3, s=2 (ties and overlaps)",
             "first maximum in row-major order within each window, and += where windows overlap"),
    ]


def _mistakes(variant_fn, hints: dict, keys=None) -> list[Mistake]:
    """One Mistake per variant: ``variant_fn(grad_out, x, k, s[, p], variant)`` on the case's arguments."""
    def wrong(variant):
        return lambda c: variant_fn(c.args[0], c.args[1], *(c.kwargs[k] for k in ("kernel_size", "stride", "padding")
                                                             if k in c.kwargs), variant)

    return [Mistake(hints[v], wrong=wrong(v)) for v in (keys or hints)]


_CODE_HINTS = {"shape": _SHAPE_HINT, "type": "return a numpy array with the shape of x"}

MAX_BACKWARD = CodeExercise(
    "max_backward", _max_cases, mistakes=_mistakes(_max_variant, _MAX_HINTS), shape_hint=_SHAPE_HINT,
    task="complete `max_backward` so that it returns the gradient with respect to x", hints=_CODE_HINTS)


@MAX_BACKWARD.entry
def check_max_backward(fn: Any):
    """Check the learner's ``max_backward(grad_out, x, kernel_size=2, stride=2)`` (2-D, no padding).

    The cases: distinct values, the running example's tie, a map of 0s and 1s
    (ties everywhere), an odd size, a non-square map, and overlapping windows
    (k=3, s=2) that share a maximum, with and without ties. The expected
    gradients come from :func:`poolkit.max_pool2d_backward`.

    Examples
    --------
    >>> def max_backward(grad_out, x, kernel_size=2, stride=2):
    ...     k, s = kernel_size, stride
    ...     grad_x = np.zeros(x.shape)
    ...     for i in range(grad_out.shape[0]):
    ...         for j in range(grad_out.shape[1]):
    ...             w = x[i*s:i*s+k, j*s:j*s+k]
    ...             r, c = np.unravel_index(np.argmax(w), w.shape)
    ...             grad_x[i*s + r, j*s + c] += grad_out[i, j]
    ...     return grad_x
    >>> r = check_max_backward(max_backward)
    Passes all 7 cases.
    >>> r = check_max_backward(None)
    Not attempted yet: complete `max_backward` so that it returns the gradient with respect to x.
    """
    return MAX_BACKWARD.run(fn)


# ---------------------------------------------------------------------------
# Code exercise: average backward
# ---------------------------------------------------------------------------

_AVG_HINTS = {
    "copy": "you copied the gradient to every cell of the window: that is the backward of sum "
            "pooling; the mean divides by n, so each cell gets grad_out / (k * k)",
    "divide_by_k": "a k x k window has k * k cells, so each receives grad_out / (k * k), not / k",
    "real_count": "with count_include_pad=True the divisor is the full k * k, padding included; "
                  "you divided by the real cells only (that is count_include_pad=False)",
    "assign": "a cell in two overlapping windows must receive both shares; add them with +=, do "
              "not overwrite with =",
}


def _avg_cases() -> list[Case]:
    rng = np.random.default_rng(_RNG_SEED + 1)

    def case(shape, k, s, p, label, hint):
        x = rng.standard_normal(shape)
        oh, ow = (shape[0] + 2 * p - k) // s + 1, (shape[1] + 2 * p - k) // s + 1
        g = rng.integers(1, 10, size=(oh, ow)).astype(np.float64)
        expected = pk.avg_pool2d_backward(g[None], x[None], k, stride=s, padding=p)[0]
        return Case(args=(g, x), kwargs={"kernel_size": k, "stride": s, "padding": p},
                    expected=expected, label=label, hint=hint)

    return [
        case((4, 4), 2, 2, 0, "4x4 map, k=2, s=2",
             "each cell of a window receives grad_out / n, with n = k * k cells"),
        case((5, 5), 2, 2, 0, "5x5 map, k=2, s=2 (last row and column in no window)",
             "the last row and column belong to no window, so their gradient is 0; grad_x has "
             "the shape of x"),
        case((5, 5), 3, 2, 0, "5x5 map, k=3, s=2 (overlapping windows)",
             "a cell in several windows receives a share from each: add with +="),
        case((4, 4), 3, 2, 1, "4x4 map, k=3, s=2, p=1 (padding counted in the divisor)",
             "work on the padded map: spread grad_out / (k * k) over each whole window, then cut "
             "the padding off; the share that lands on padding is dropped"),
        case((5, 4), 2, 1, 1, "5x4 map, k=2, s=1, p=1 (overlap and padding)",
             "padded map, divisor k * k, += for overlaps, then cut the padding off"),
    ]


AVG_BACKWARD = CodeExercise(
    "avg_backward", _avg_cases, mistakes=_mistakes(_avg_variant, _AVG_HINTS), shape_hint=_SHAPE_HINT,
    task="complete `avg_backward` so that it returns the gradient with respect to x", hints=_CODE_HINTS)


@AVG_BACKWARD.entry
def check_avg_backward(fn: Any):
    """Check the learner's ``avg_backward(grad_out, x, kernel_size=2, stride=2, padding=0)``.

    2-D maps, ``count_include_pad=True`` (every window divides by ``k*k``). The
    cases: non-overlapping windows, an odd size, overlapping windows, padding,
    and overlap with padding. The expected gradients come from
    :func:`poolkit.avg_pool2d_backward`.

    Examples
    --------
    >>> def avg_backward(grad_out, x, kernel_size=2, stride=2, padding=0):
    ...     k, s, p = kernel_size, stride, padding
    ...     return np.kron(grad_out, np.ones((k, k)))      # copies the gradient: wrong
    >>> r = check_avg_backward(avg_backward)
    Case 4x4 map, k=2, s=2: the result has wrong values at 16 of 16 positions (first at index (0, 0)). Hint: you copied the gradient to every cell of the window: that is the backward of sum pooling; the mean divides by n, so each cell gets grad_out / (k * k).
    """
    return AVG_BACKWARD.run(fn)


# ---------------------------------------------------------------------------
# Quiz
# ---------------------------------------------------------------------------

#: Five questions for ``pk.exercises.quiz.show(ch04.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("Max pooling with $2 \\times 2$ windows and stride 2 maps a $4 \\times 4$ input to a "
       "$2 \\times 2$ output. How many entries of the input gradient can be non-zero?",
       [("At most 4", True, "Each of the 4 windows sends its gradient to one cell, and these windows "
                            "do not overlap."),
        ("Exactly 16", False, "Cells that win no window get 0: they did not affect the output."),
        ("At most 1", False, "Every window has its own winner; there are 4 windows."),
        ("None: max pooling is not differentiable", False,
         "It is differentiable except at ties, and even there a subgradient is used.")]),
    mc("With $3 \\times 3$ windows and stride 1, one input cell is the maximum of three windows "
       "whose upstream gradients are 1, 2 and 4. What gradient does it receive?",
       [("7", True, "Overlapping windows accumulate: 1 + 2 + 4."),
        ("4", False, "That keeps only the last window's gradient, the bug of assigning instead of "
                     "adding."),
        ("7/3", False, "Max backward does not average; each window sends its whole gradient."),
        ("1", False, "That keeps only the first window's gradient.")]),
    mc("Average pooling over $2 \\times 2$ windows, upstream gradient $g$. A backward pass copies "
       "$g$ to all four cells. What is it?",
       [("The exact gradient of sum pooling, 4 times the gradient of average pooling", True,
         "The sum has derivative 1 per cell; the mean 1/4."),
        ("The exact gradient of average pooling", False, "The mean's derivative is 1/4 per cell, "
                                                         "so each cell should get g/4."),
        ("A valid subgradient of average pooling", False, "Average pooling is linear and has "
                                                          "exactly one gradient."),
        ("The gradient of max pooling at a tie", False,
         "A subgradient of the max gives weights that sum to 1, never 4.")]),
    mc("Which backward pass can make the total of the input gradient smaller than the total of "
       "the upstream gradient?",
       [("Average pooling with padding and count_include_pad=True", True,
         "Border windows divide by $k^2$ but cover fewer real cells; the share on padding is "
         "dropped."),
        ("Max pooling with padding", False, "Padding is $-\\infty$ and never wins, so every "
                                            "gradient reaches a real cell."),
        ("Max pooling with overlapping windows", False, "Overlap moves gradients onto shared "
                                                        "cells but loses none."),
        ("Average pooling without padding", False, "Each window's shares $g/n$ add up to $g$.")]),
    mc("Why does a numerical gradient check of max pooling use random inputs?",
       [("At a tie the maximum has no derivative, and central differences give $g/2$ to every "
         "tied cell, which is a subgradient only for a two-way tie", True,
         "Random real inputs have no ties (with probability one)."),
        ("Because max pooling is only defined for random inputs", False,
         "It is defined for any input; the issue is differentiability at ties."),
        ("To make the check faster", False, "Speed is the same; ties are the issue."),
        ("Because integer inputs overflow", False, "The check works in float64; ties are the "
                                                   "issue.")]),
]


# --- hard exercises (issue 12) ---
#
# ``ex-ch04-vectorised``: max backward with no Python loop over the windows (CS231n's bar).
# Once the values are right, the checker counts the Python lines the learner's function runs
# on a small and a large map (:func:`~poolkit.course.exercises.tracing.count_python_lines`).

_VEC_HINTS = {
    "buffered": "a cell that wins several overlapping windows must collect all their gradients, "
                "but grad_x[rows, cols] += g with a repeated (row, col) adds only once (numpy "
                "buffers it): use np.add.at(grad_x, (rows, cols), g)",
    "colmajor": "on a tie you picked the first maximum in column-major order: flatten each window "
                "row by row, e.g. view.reshape(OH, OW, k * k).argmax(axis=-1) on the "
                "(OH, OW, k, k) window view",
    "stride_as_k": "the window of output (i, j) starts at row i * stride and column j * stride; "
                   "you placed it at i * k, which is right only when the windows do not overlap",
    "unravel_by_s": "a flat index inside a k x k window splits as (idx // k, idx % k): the window "
                    "is k cells wide, whatever the stride",
}

#: Python line events allowed beyond the small map's count on the large map.
LOOP_SLACK = 60   # a loop over the 841 windows of the 60x60 map (or even its 29 rows of windows) adds far more line events; a vectorised solution adds none, up to a few in numpy's Python wrappers (9 measured)


def _first_winners(x, k, s, order="C"):
    """(OH, OW) row and column offsets of each window's first maximum (loop, for the checker)."""
    oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    a, b = np.zeros((oh, ow), dtype=int), np.zeros((oh, ow), dtype=int)
    for i in range(oh):
        for j in range(ow):
            flat = x[i * s:i * s + k, j * s:j * s + k].ravel(order=order)
            a[i, j], b[i, j] = np.unravel_index(int(np.argmax(flat)), (k, k), order=order)
    return a, b


def _vec_variant(grad_out, x, k, s, variant):
    """A vectorised learner's usual mistakes, written plainly."""
    if variant in _MAX_HINTS:
        return _max_variant(grad_out, x, k, s, variant)
    a, b = _first_winners(x, k, s, order="F" if variant == "colmajor" else "C")
    oh, ow = grad_out.shape
    ii, jj = np.meshgrid(np.arange(oh), np.arange(ow), indexing="ij")
    if variant == "stride_as_k":
        rows, cols = ii * k + a, jj * k + b
    elif variant == "unravel_by_s":
        idx = a * k + b
        rows, cols = ii * s + idx // s, jj * s + idx % s
    else:
        rows, cols = ii * s + a, jj * s + b
    grad_x = np.zeros(x.shape)
    if variant == "buffered":
        grad_x[rows, cols] += grad_out
    else:
        np.add.at(grad_x, (rows, cols), grad_out)
    return grad_x


def _vec_mistakes() -> list[Mistake]:
    # The buffered add first: on overlapping windows it looks like "assign" and deserves
    # the np.add.at hint; then the plain loop's mistakes.
    hints = {**_MAX_HINTS, **_VEC_HINTS}
    order = ["buffered"] + [v for v in _MAX_HINTS if v != "assign"] + [v for v in _VEC_HINTS if v != "buffered"]
    return _mistakes(_vec_variant, hints, order)


def _vec_cases() -> list[Case]:
    cases = _max_cases()
    # Three tied 5s at (0, 2), (1, 0) and (1, 2): the first in row-major order is (0, 2), the
    # last is (1, 2), the first in column-major order (1, 0), and flat index 2 split by the
    # stride 1 instead of k lands on (2, 0), so each mistake shows apart.
    tie3 = np.array([[0.0, 1.0, 5.0], [5.0, 2.0, 5.0], [1.0, 0.0, 3.0]])
    first = np.zeros((3, 3))
    first[0, 2] = 7.0
    cases.insert(1, Case(args=(np.array([[7.0]]), tie3), kwargs={"kernel_size": 3, "stride": 1},
                         expected=first, label="3x3 map, k=3, one window with three tied 5s",
                         hint="with a tie, send all of the gradient to the first maximum in "
                              "row-major order"))
    rng = np.random.default_rng(_RNG_SEED + 12)
    x = rng.integers(0, 4, size=(9, 11)).astype(np.float64)      # ties and overlaps, k=3, s=1
    g = rng.integers(1, 10, size=(7, 9)).astype(np.float64)
    cases.append(Case(args=(g, x), kwargs={"kernel_size": 3, "stride": 1},
                      expected=pk.max_pool2d_backward(g[None], x[None], 3, stride=1)[0],
                      label="9x11 map of 0 to 3, k=3, s=1 (a cell can win up to 9 windows)",
                      hint="first maximum in row-major order within each window, and np.add.at "
                           "where windows overlap"))
    return cases


def _vec_loop_problem(fn, timeout=10):
    """None if ``fn``'s Python line count does not grow with the number of windows, else a line."""
    rng = np.random.default_rng(_RNG_SEED + 13)
    counts = []
    for size in (6, 60):
        x = rng.standard_normal((size, size))
        oh = (size - 3) // 2 + 1
        g = rng.standard_normal((oh, oh))
        try:
            runs = [call_quietly(count_python_lines, (fn, (g, x), {"kernel_size": 3, "stride": 2}),
                                {}, timeout, label=f"{size}x{size} map, k=3, s=2") for _ in range(2)]
            lines = min(r[0] for r in runs)               # the quieter of two runs
            used_poolkit, got = runs[0][1], runs[0][2]
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, Timeout)):
                raise
            return None                                  # check_function reports the error
        if used_poolkit:
            return fail_line("Not quite", "your function calls poolkit",
                              "find the winners yourself with numpy (a window view and argmax) and "
                              "route the gradients with np.add.at; poolkit's backward is what the "
                              "checker compares with")
        expected = pk.max_pool2d_backward(g[None], x[None], 3, stride=2)[0]
        if not same_array(got, expected):
            return None                                  # check_function reports the values
        counts.append((size, oh * oh, lines))
    (s1, w1, l1), (s2, w2, l2) = counts
    if l2 > l1 + LOOP_SLACK:
        return fail_line(
            "Not quite",
            f"the values are right, but your function ran {l1} Python lines for the {w1} windows "
            f"of a {s1}x{s1} map and {l2} for the {w2} windows of a {s2}x{s2} map",
            "some Python loop still runs once per window (or per row of windows): a for loop, a "
            "comprehension, np.vectorize or np.apply_along_axis; build all windows at once with "
            "np.lib.stride_tricks.sliding_window_view, take argmax over each flattened window and "
            "add with np.add.at (a loop over the k * k offsets of a window is fine)")
    return None


MAX_BACKWARD_VECTORISED = CodeExercise(
    "max_backward_vectorised", _vec_cases, mistakes=_vec_mistakes(), shape_hint=_SHAPE_HINT,
    after_pass=_vec_loop_problem, hints=_CODE_HINTS,
    task="complete `max_backward_vectorised`, with no Python loop over the windows")


@MAX_BACKWARD_VECTORISED.entry
def check_max_backward_vectorised(fn: Any):
    """Check ``max_backward_vectorised(grad_out, x, kernel_size=2, stride=2)``: no loop over windows.

    First the values, on the cases of :func:`check_max_backward` plus a window with three
    tied maxima (first, last and column-major first all differ) and a 9x11 map with
    ``k=3, s=1`` (a cell can win nine windows). Then the loop test: the Python line events
    (``sys.settrace``, the fewer of two runs, with the garbage collector paused) counted while the
    function runs on a 6x6 map (4 windows of ``k=3, s=2``) and on a 60x60 map (841 windows) may
    differ by at most ``LOOP_SLACK`` = 60 (a loop over the windows adds over 800; a vectorised
    solution a few, 9 measured). A call into poolkit is refused.

    Examples
    --------
    >>> def max_backward_vectorised(grad_out, x, kernel_size=2, stride=2):
    ...     k, s = kernel_size, stride
    ...     view = np.lib.stride_tricks.sliding_window_view(x, (k, k))[::s, ::s]
    ...     oh, ow = grad_out.shape
    ...     idx = view[:oh, :ow].reshape(oh, ow, k * k).argmax(axis=-1)
    ...     rows = np.arange(oh)[:, None] * s + idx // k
    ...     cols = np.arange(ow)[None, :] * s + idx % k
    ...     grad_x = np.zeros(x.shape)
    ...     np.add.at(grad_x, (rows, cols), grad_out)
    ...     return grad_x
    >>> r = check_max_backward_vectorised(max_backward_vectorised)
    Passes all 9 cases.
    """
    return MAX_BACKWARD_VECTORISED.run(fn)
