"""The self-test's Q10 to Q17: numbers worked out by hand, each with its catalogue of mistakes.

Each ``check_qNN(answer)`` prints one line (see :mod:`poolkit.course.exercises.text`);
the self-test's score card guards it and adds the section to reread.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..authoring import (
    FAILED, PASSED, check_value, CheckResult, diagnose_answer, fail_line, finish, Mistake, typename,
)
from .answers import as_grid, as_ints, as_number, blank, is_int, not_checkable

__all__ = ["Q10_ANSWER", "Q11_ANSWER", "Q12_ANSWER", "Q13_ANSWER", "Q14_ANSWER", "Q15_ANSWER",
           "Q16_ANSWER", "Q17_ANSWER", "Q11_MISTAKES", "Q12_MISTAKES", "Q13_MISTAKES", "Q15_MISTAKES",
           "Q16_MISTAKES", "Q17_MISTAKES", "VALUE_CHECKS"]


# Q10. Max pooling of the running example with 3x3 windows and stride 1.
# The map is [[1, 3, 4, 7], [6, 2, 7, 2], [0, 4, 1, 3], [8, 4, 2, 2]];
# (4 - 3) // 1 + 1 = 2 windows per axis, and they overlap:
#   rows 0-2, cols 0-2: 1 3 4 / 6 2 7 / 0 4 1 -> 7
#   rows 0-2, cols 1-3: 3 4 7 / 2 7 2 / 4 1 3 -> 7
#   rows 1-3, cols 0-2: 6 2 7 / 0 4 1 / 8 4 2 -> 8
#   rows 1-3, cols 1-3: 2 7 2 / 4 1 3 / 4 2 2 -> 7
Q10_ANSWER = ((7.0, 7.0), (8.0, 7.0))
# The window means (sums 28, 33, 32, 27, over 9), a typical wrong answer.
_Q10_MEANS = ((28 / 9, 33 / 9), (32 / 9, 27 / 9))


def _check_q10(answer: Any) -> CheckResult:
    name = "pooled_3x3"
    leaves = answer if isinstance(answer, (list, tuple)) else None
    if leaves is not None and all(isinstance(r, (list, tuple)) for r in leaves) and all(
            v is Ellipsis for r in leaves for v in r):
        answer = None
    if blank(answer):
        return check_value(None, None, name=name,
                           task=f"replace ... in `{name} = ...` with the 2x2 result as a list of "
                                "lists, e.g. [[1, 2], [3, 4]], and run this cell again")
    grid = as_grid(answer)
    if grid is None:
        return not_checkable(name, f"{name} should be a list of lists of numbers, got "
                              f"{typename(answer)}", "write the numbers themselves, e.g. [[1, 2], [3, 4]]")
    hint = "the windows overlap: write out each 3 x 3 block, starting at rows 0 and 1 and columns 0 and 1"
    if grid.shape == (3, 3):
        hint = ("a 3 x 3 result comes from 2 x 2 windows; with 3 x 3 windows and stride 1 a 4 x 4 map has "
                "(4 - 3) // 1 + 1 = 2 windows per axis")
    elif grid.shape == (1, 1):
        hint = "stride 1 moves the window one cell at a time, so there are 2 windows per axis, and they overlap"
    elif grid.shape == (2, 2):
        if np.allclose(grid, _Q10_MEANS, atol=1e-6):
            hint = "those are the means; max pooling keeps the largest value of each window"
        elif grid[1, 1] != 7.0 and np.allclose(grid[[0, 0, 1], [0, 1, 0]], [7.0, 7.0, 8.0]):
            hint = ("the bottom-right window covers rows 1-3 and columns 1-3, which include the 7 at "
                    "row 1, column 2: overlapping windows can share a maximum")
    return check_value(grid, np.array(Q10_ANSWER), name=name, hint=hint)


# Q11. Spatial pyramid pooling with levels (1, 2, 4) on 256 channels: level n
# has n x n bins per channel, so 1 + 4 + 16 = 21 bins, and 21 * 256 = 5376
# values, for a 13 x 13 map and for a 20 x 20 map alike.
Q11_ANSWER = (5376, 5376)


def _spp(answer):
    return as_ints(answer, 2) or (None, None)


#: Q11's known mistakes, tried in order.
Q11_MISTAKES = [
    Mistake("the length does not depend on the input size: level n always has n x n bins per "
            "channel, whatever the map's height and width", when=lambda a: _spp(a)[0] != _spp(a)[1]),
    Mistake("21 is the number of bins of one channel; every one of the 256 channels is pooled: multiply by C",
            when=lambda a: _spp(a)[0] == 21),
    Mistake("level n has n x n bins, not n: 1 + 4 + 16 = 21 bins per channel",
            when=lambda a: _spp(a)[0] == (1 + 2 + 4) * 256),
    Mistake("the levels are concatenated: the 1 x 1, 2 x 2 and 4 x 4 bins all count",
            when=lambda a: _spp(a)[0] == 16 * 256),
]


def _check_q11(answer: Any) -> CheckResult:
    return check_value(answer, Q11_ANSWER, name="spp_lengths",
                       task="set spp_lengths to the two lengths, e.g. (100, 200), and run this cell again",
                       hint=diagnose_answer(answer, Q11_MISTAKES)
                       or "count the bins of one channel over all levels, then multiply by the channels")


# Q12. 2x2 max pooling, stride 2, of the running example; grad_out = [[1, 2], [3, 4]].
# The top-right window (rows 0-1, cols 2-3) holds 4, 7, 7, 2: the 7 at (0, 3)
# comes first in row-major order and gets the whole gradient 2; the 7 at (1, 2) gets 0.
Q12_ANSWER = (2.0, 0.0)


def _pair(answer):
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and all(as_number(x) is not None for x in answer):
        return tuple(as_number(x) for x in answer)
    return (None, None)


#: Q12's known mistakes, tried in order.
Q12_MISTAKES = [
    Mistake("half each is what a central difference gives at a two-way tie (g/2 to every tied cell); "
            "the rule gives the whole gradient to the first maximum in row-major order",
            when=lambda a: _pair(a) == (1, 1)),
    Mistake("row-major order reads row 0 before row 1, so the 7 at (0, 3) comes first",
            when=lambda a: _pair(a) == (0, 2)),
    Mistake("a window sends its gradient to one cell only, even when its maximum is tied",
            when=lambda a: _pair(a) == (2, 2)),
    Mistake("that is average backward (g / 4 to every cell); max backward picks one cell",
            when=lambda a: _pair(a) == (0.5, 0.5)),
    Mistake("the top-right window's upstream gradient is grad_out[0, 1] = 2",
            when=lambda a: _pair(a)[1] == 0 and _pair(a)[0] in (1, 3, 4)),
]


def _check_q12(answer: Any) -> CheckResult:
    return check_value(answer, Q12_ANSWER, name="tie_grads",
                       task="set tie_grads to the two gradients, e.g. (5, 6), and run this cell again",
                       hint=diagnose_answer(answer, Q12_MISTAKES)
                       or "find the window that holds both cells, and which of its two 7s comes first")


# Q13. 4x4 input, average pooling kernel 3, stride 2, padding 1,
# count_include_pad=True; grad_out is 1 everywhere (2x2 outputs, total 4).
# Along one axis the windows cover padded cells 0-2 and 2-4, i.e. real cells
# {0, 1} and {1, 2, 3}: 5 (window, cell) pairs. In 2-D: 5 * 5 = 25 pairs, each
# receiving 1/9, so the total is 25/9.
Q13_ANSWER = 25 / 9


def _near(answer, value, rel_tol=1e-9):
    x = as_number(answer)
    return x is not None and math.isclose(x, value, rel_tol=rel_tol)


#: Q13's known mistakes, tried in order.
Q13_MISTAKES = [
    Mistake("give the exact value, e.g. 25 / 9, not a rounded decimal",
            when=lambda a: _near(a, Q13_ANSWER, 2e-2) and not _near(a, Q13_ANSWER, 1e-6)),
    Mistake("the total is kept only if each window divides by its number of real cells; here a "
            "border window divides by 9 but covers fewer real cells, and the rest falls on padding",
            when=lambda a: _near(a, 4.0)),
    Mistake("count, along one axis, which real cells each window covers: 0-1 and 1-3",
            when=lambda a: _near(a, 36 / 9) or _near(a, 16 / 9)),
]


def _check_q13(answer: Any) -> CheckResult:
    return check_value(answer, Q13_ANSWER, name="padded_total",
                       task="set padded_total to the total of grad_x and run this cell again",
                       hint=diagnose_answer(answer, Q13_MISTAKES)
                       or "each window gives 1/9 to every real cell it covers: count the (window, real cell) pairs")


# Q14. Output widths.
#  (a) in=10, k=3, s=3, p=1, d=2, floor: k_eff = 2*2 + 1 = 5; (10 + 2 - 5) // 3 + 1 = 2 + 1 = 3
#  (b) the same in ceil mode: ceil(7 / 3) + 1 = 4; the last window starts at padded cell
#      3 * 3 = 9 < in + p = 11, inside the input, so it stays: 4
#  (c) in=7, k=2, s=2, p=1, ceil: ceil((7 + 2 - 2) / 2) + 1 = 5; the last window would start
#      at padded cell 4 * 2 = 8 >= in + p = 8, in the right padding, so it is dropped: 4
Q14_ANSWER = (3, 4, 4)
_Q14_HINTS = (
    {4: "you left out the dilation: the window spans d(k - 1) + 1 = 5 cells, not 3",
     2: "you left out the padding: the padded input has in + 2p = 12 cells",
     5: "divide by the stride, s = 3"},
    {3: "ceil mode rounds (in + 2p - d(k-1) - 1) / s = 7/3 up to 3, then adds 1",
     5: "you left out the dilation or the padding; the window spans 5 cells of the 12 padded ones"},
    {5: "the fifth window would start at padded cell 8 = in + p, which is right padding, so ceil "
        "mode drops it",
     3: "ceil mode rounds (7 + 2 - 2) / 2 up to 4, then adds 1, and only then checks the last window"},
)


def _check_q14(answer: Any) -> CheckResult:
    name = "widths"
    if blank(answer) or (isinstance(answer, (tuple, list)) and answer and all(blank(v) for v in answer)):
        return check_value(None, None, name=name,
                           task="set widths to your three answers, e.g. (1, 2, 3), and run this cell again")
    vals = answer.tolist() if isinstance(answer, np.ndarray) and answer.ndim == 1 else answer
    if not isinstance(vals, (tuple, list)) or len(vals) != 3:
        return not_checkable(name, f"widths should be three integers, got {typename(answer)}"
                              + (f" of length {len(vals)}" if isinstance(vals, (tuple, list)) else ""),
                              "write widths = (a, b, c)")
    for i, (got, want) in enumerate(zip(vals, Q14_ANSWER)):
        part = "abc"[i]
        if blank(got):
            return finish(name, FAILED, fail_line("Not quite", f"part ({part}) is missing",
                                                    "give all three widths"))
        if not is_int(got):
            return finish(name, FAILED, fail_line(
                "Not quite", f"part ({part}) should be an integer, got {typename(got)}",
                "a width counts windows: use // for floor division and -(-a // b) for the ceiling"))
        if int(got) != want:
            side = "too large" if int(got) > want else "too small"
            hint = _Q14_HINTS[i].get(int(got), "start from out = floor((in + 2p - d(k-1) - 1) / s) + 1")
            return finish(name, FAILED, fail_line("Not quite", f"part ({part}) is {side}", hint))
    return finish(name, PASSED, "Correct.")


# Q15. Kernel 3, stride 2, padding 1: out = (n + 2 - 3) // 2 + 1 = (n - 1) // 2 + 1 = 7
# exactly when (n - 1) // 2 = 6, i.e. n = 13 or n = 14. (The default unpooled size,
# (7 - 1) * 2 - 2 + 3 = 13, is the smaller one.)
Q15_ANSWER = [13, 14]


#: Q15's known mistakes, tried in order.
Q15_MISTAKES = [
    Mistake("the floor discards a remainder, so s = 2 input sizes share every output size: "
            "look for a second one", when=lambda a: len(as_ints(a)) == 1),
    Mistake("12 gives (12 + 2 - 3) // 2 + 1 = 6", when=lambda a: 12 in as_ints(a)),
    Mistake("15 gives (15 + 2 - 3) // 2 + 1 = 8", when=lambda a: 15 in as_ints(a)),
]


def _check_q15(answer: Any) -> CheckResult:
    vals = as_ints(answer)
    got = sorted(vals) if vals is not None else answer
    return check_value(got, Q15_ANSWER, name="input_sizes",
                       task="set input_sizes to a list of every input size that pools to 7, e.g. [5, 6], "
                            "and run this cell again",
                       hint=diagnose_answer(answer, Q15_MISTAKES)
                       or "try n = 11, 12, ..., 16 in out = (n + 2p - k) // s + 1")


# Q16. Input (C, H, W) = (2, 5, 5), kernel 3, stride 2: (5 - 3) // 2 + 1 = 2, so
# 2 * 2 * 2 = 8 windows of 9 cells. Max: 9 - 1 = 8 comparisons each -> 64.
# Average: 8 additions and 1 division each -> 72. (The convention counts 9 per window: 72.)
Q16_ANSWER = (64, 72)


#: Q16's known mistakes, tried in order.
Q16_MISTAKES = [
    Mistake("that is the textbook convention, k x k per window; a max over 9 values needs only 8 "
            "comparisons", when=lambda a: as_ints(a, 2) == (72, 72)),
    Mistake("the average needs 8 additions and 1 division per window", when=lambda a: as_ints(a, 2) == (64, 64)),
    Mistake("there are 2 channels: 8 windows in all", when=lambda a: as_ints(a, 2) in ((32, 36), (36, 36))),
    Mistake("summing 9 numbers takes 8 additions, then 1 division: 9 operations per window",
            when=lambda a: as_ints(a, 2) == (64, 80)),
]


def _check_q16(answer: Any) -> CheckResult:
    return check_value(answer, Q16_ANSWER, name="op_counts",
                       task="set op_counts to (comparisons for max, operations for average) and run this cell again",
                       hint=diagnose_answer(answer, Q16_MISTAKES)
                       or "count the windows first (channels x output height x output width), then the "
                          "operations one window needs")


# Q17. x = (3, 1, 4, 1, 5, 9, 2, 6); np.roll(x, 1) = (6, 3, 1, 4, 1, 5, 9, 2);
# pairs (6, 3), (1, 4), (1, 5), (9, 2) -> (6, 4, 5, 9). The unshifted output is
# (3, 4, 9, 6) and a 2-pixel shift gives (6, 3, 4, 9), its shifted copy; the
# 1-pixel output is neither.
Q17_ANSWER = [6.0, 4.0, 5.0, 9.0]


def _four(answer):
    if not isinstance(answer, (list, tuple, np.ndarray)) or len(answer) != 4:
        return None
    vals = [as_number(x) for x in answer]
    if any(x is None or not float(x).is_integer() for x in vals):
        return None
    return tuple(int(x) for x in vals)


#: Q17's known mistakes, tried in order.
Q17_MISTAKES = [
    Mistake("that is the output for the unshifted signal; shift it first", when=lambda a: _four(a) == (3, 4, 9, 6)),
    Mistake("that is the output for a 2-pixel shift (the old output moved by one cell); a "
            "1-pixel shift regroups the pixels into different pairs", when=lambda a: _four(a) == (6, 3, 4, 9)),
    Mistake("np.roll(x, 1) moves every value one place right and the last value, 6, to the front",
            when=lambda a: _four(a) in ((3, 4, 9, 2), (3, 4, 5, 9), (3, 4, 5, 6))),
]


def _check_q17(answer: Any) -> CheckResult:
    got = answer
    if isinstance(answer, (list, tuple)) and all(as_number(v) is not None for v in answer):
        got = [float(as_number(v)) for v in answer]
    elif isinstance(answer, np.ndarray) and answer.ndim == 1 and answer.dtype.kind in "iuf":
        got = [float(v) for v in answer.tolist()]
    return check_value(got, Q17_ANSWER, name="shifted_output",
                       task="set shifted_output to the four pooled values as a list and run this cell again",
                       hint=diagnose_answer(answer, Q17_MISTAKES)
                       or "write out np.roll(x, 1) first (the last value moves to the front), then take "
                          "the max of each pair")


#: Q10 to Q17's checkers, by number.
VALUE_CHECKS = {10: _check_q10, 11: _check_q11, 12: _check_q12, 13: _check_q13, 14: _check_q14,
                15: _check_q15, 16: _check_q16, 17: _check_q17}
