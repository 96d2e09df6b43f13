"""The course self-test (chapter 8, ``ch-self-test``): 21 questions and a score card.

The questions cover every chapter. Q1 to Q9 are multiple choice: they are
shown with :func:`poolkit.exercises.quiz.show` (clickable on the static site,
answers in the order A, B, C, D) and graded in a notebook by
:meth:`SelfTest.check_choices`. Q10 to Q17 ask for numbers, Q18 to Q21 for
small functions; :meth:`SelfTest.check` grades any question by its number.

Every check prints one line (not attempted yet / correct or passes N cases /
what is wrong, with a hint), never raises and never prints a float. A wrong
answer's line ends with the chapter and section to reread, and
:meth:`SelfTest.summary` prints the score with every section to reread::

    >>> test = SelfTest()
    >>> r = test.check(11, (5376, 5376))
    Correct.
    >>> r = test.check(12, (1, 1))
    Not quite: item 0 of tie_grads is too small. Hint: half each is what a central difference gives at a two-way tie (g/2 to every tied cell); the rule gives the whole gradient to the first maximum in row-major order. Reread chapter 4, "Ties go to the first maximum".
    >>> test.summary()
    Score: 1/21 — reread: chapter 4, "Ties go to the first maximum" (Q12) — not attempted yet: Q1–Q10, Q13–Q21.

The questions are data: ``QUESTIONS`` lists all 21 (number, kind, topic,
the variable or function the learner sets, and the chapter section that
teaches it), ``CHOICES`` holds Q1 to Q9 with their options and why each is
right or wrong, and ``QUIZ`` is the same nine questions in jupyterquiz's
format, for ``quiz.show(QUIZ, shuffle_answers=False)``.

The expected answers were worked out by hand (the comments give the working);
``tests/test_exercises_ch08.py`` checks each one against poolkit as well.
"""

from __future__ import annotations

import contextlib
import io
import math
import numbers
import re
import sys
from typing import Any, Callable, NamedTuple

import numpy as np

from ._core import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    SCORECARD,
    Case,
    CheckResult,
    _fail_line,
    _finish,
    _one_line,
    _quote,
    _parse_letters,
    _sentence,
    _typename,
    _diagnose_cases,
    check_choice,
    checker,
    check_function,
    check_value,
)
from .quiz import mc

# The API page documents the score card; the question data (QUESTIONS, CHOICES, QUIZ) is
# described in the module docstring rather than printed in full.
__all__ = ["SelfTest"]


# ----------------------------------------------------------------------------
# Where each question is taught
# ----------------------------------------------------------------------------


class Where(NamedTuple):
    """The chapter section that teaches a question's topic."""

    chapter: int
    label: str      # the chapter's cross-reference label, e.g. "ch-sizes"
    section: str    # the section title, as printed in the chapter

    def text(self) -> str:
        """``chapter 5, "Section title"`` (used in checker lines)."""
        return f'chapter {self.chapter}, "{self.section}"'


class Question(NamedTuple):
    """One question of the self-test."""

    number: int
    kind: str       # "choice", "value" or "code"
    topic: str      # a few words, used in the chapter's table
    name: str       # the variable or function the learner sets
    where: Where


def _w(chapter: int, section: str) -> Where:
    labels = {1: "ch-definition", 2: "ch-purpose", 3: "ch-types", 4: "ch-backward",
              5: "ch-sizes", 6: "ch-cost", 7: "ch-drawbacks"}
    return Where(chapter, labels[chapter], section)


#: The 21 questions, in order. ``where`` names the section to reread.
QUESTIONS: tuple[Question, ...] = (
    Question(1, "choice", "channels of a colour photo", "mc_answers",
             _w(1, "Each channel is pooled on its own")),
    Question(2, "choice", "which invariance pooling gives", "mc_answers",
             _w(2, "Small shifts: tolerance inside a window")),
    Question(3, "choice", "parameters versus compute", "mc_answers",
             _w(2, "Parameters: only size-dependent layers shrink")),
    Question(4, "choice", "why not one image-sized window", "mc_answers",
             _w(2, "Why not one huge window?")),
    Question(5, "choice", "global average pooling as a linear map", "mc_answers",
             _w(3, "Global pooling")),
    Question(6, "choice", "copying the gradient", "mc_answers",
             _w(4, "Copying the gradient is the backward of sum pooling")),
    Question(7, "choice", "padding limit and fill value", "mc_answers",
             _w(5, "Padding is at most half the kernel")),
    Question(8, "choice", "why pooling is memory-bound", "mc_answers",
             _w(6, "Counting bytes")),
    Question(9, "choice", "blur before subsampling", "mc_answers",
             _w(7, "Blur before you subsample")),
    Question(10, "value", "overlapping max pooling by hand", "pooled_3x3",
             _w(1, "Pooling keeps one number per window")),
    Question(11, "value", "length of a pyramid pooling vector", "spp_lengths",
             _w(3, "Spatial pyramid pooling: one length for every input size")),
    Question(12, "value", "gradient at a tie", "tie_grads",
             _w(4, "Ties go to the first maximum")),
    Question(13, "value", "gradient total with padding", "padded_total",
             _w(4, "The gradients keep their total, until padding")),
    Question(14, "value", "output sizes with dilation and ceil mode", "widths",
             _w(5, "Ceil mode keeps a partial window, with one exception")),
    Question(15, "value", "input sizes that share an output size", "input_sizes",
             _w(5, "Unpooling: going back up is ambiguous")),
    Question(16, "value", "exact operation counts", "op_counts",
             _w(6, "Counting operations, two ways")),
    Question(17, "value", "a one-pixel shift", "shifted_output",
             _w(7, "A one-pixel shift can change everything")),
    Question(18, "code", "receptive field of a stack", "receptive_field_size",
             _w(2, "Pooling grows the receptive field")),
    Question(19, "code", "adaptive pooling bins", "adaptive_bins",
             _w(5, "Adaptive pooling picks the windows for you")),
    Question(20, "code", "max pooling backward in 1-D", "max_pool1d_backward",
             _w(4, "Overlapping windows add up")),
    Question(21, "code", "average pooling divisors", "avg_divisors",
             _w(5, "The average's divisor at the edges")),
)

_BY_NUMBER = {q.number: q for q in QUESTIONS}
_CHOICE_NUMBERS = tuple(q.number for q in QUESTIONS if q.kind == "choice")


def _reread(q: Question) -> str:
    return f"Reread {q.where.text()}."


# ----------------------------------------------------------------------------
# Part 1: multiple choice (Q1 to Q9)
# ----------------------------------------------------------------------------

# Each question: (number, text, [(option, correct, why), ...]). Options are
# lettered A, B, C, D in this order (the quiz is shown unshuffled).
_CHOICE_DATA = (
    (1, "A colour photo (three channels: red, green, blue) goes through 2×2 max pooling with "
        "stride 2. Which statement is true?", [
        ("Each output pixel is an exact copy of one of the four input pixels of its window.", False,
         "Each channel picks its own maximum, and the three maxima can sit at different pixels."),
        ("Each channel picks its own maximum, so one output pixel can combine the red of one input "
         "pixel with the green of another.", True,
         "Pooling works on every channel separately; mixing channels is the job of convolutions."),
        ("The three channels are first averaged into one gray channel, then pooled.", False,
         "Pooling never mixes channels: the output still has three."),
        ("The output has 3 × 4 = 12 channels, one per cell of each window.", False,
         "The number of channels does not change; only height and width shrink."),
    ]),
    (2, "What kind of invariance does a spatial max pooling layer actually give a network?", [
        ("Exact invariance to any translation of the input.", False,
         "Only shifts that keep each maximum inside its window leave the output alone; with stride 2 "
         "a one-pixel shift can change it."),
        ("Approximate invariance to small shifts that keep each maximum inside its window.", True,
         "That is all spatial pooling promises (Goodfellow, Bengio and Courville, Deep Learning, "
         "on pooling)."),
        ("Scale invariance: the same object at twice the size gives the same output.", False,
         "Twice the size is a large change: pooling tolerates only small rescalings, as it "
         "tolerates small shifts; spatial pyramid pooling gives a fixed-length output for any input "
         "size, which is a different property."),
        ("Rotation invariance.", False,
         "Spatial pooling tolerates only small rotations (1 degree keeps about half the pooled "
         "values, 5 degrees almost none); pooling across the channels of detectors tuned to "
         "rotated patterns can learn more."),
    ]),
    (3, "A 2×2 max pooling layer with stride 2 is inserted between two 3×3 convolutions, each with "
        "64 input and 64 output channels. What happens to the second convolution?", [
        ("It keeps the same number of weights and does about a quarter of the multiply-adds.", True,
         "Its weights, 64 × 64 × 3 × 3, do not depend on the map size, but it now visits a quarter "
         "of the positions."),
        ("It has a quarter of the weights and does a quarter of the multiply-adds.", False,
         "A convolution's weights do not depend on the map size; only a layer whose size depends on "
         "its input, such as a fully connected layer after flattening, loses parameters."),
        ("Nothing changes: pooling only reduces overfitting.", False,
         "The convolution now works on a map with a quarter of the positions; the effect on "
         "overfitting is weak and indirect."),
        ("It gains parameters, because the pooling layer's weights are learned with it.", False,
         "A pooling layer has no parameters at all."),
    ]),
    (4, "Why not grow the receptive field in one step, with a single pooling window as large as "
        "the whole map?", [
        ("Windows larger than 3×3 are not allowed.", False,
         "Any window size is allowed; a window as large as the map is global pooling."),
        ("A window as large as the map is global pooling: it throws away all spatial layout at "
         "once, so it belongs at the head, after small layers have built features.", True,
         "Stacked small layers grow the receptive field step by step, with a non-linearity at "
         "every step."),
        ("It would have more parameters than the rest of the network.", False,
         "Pooling has no parameters at any size."),
        ("Its output would be larger than its input.", False,
         "A window as large as the map gives one value per channel, the smallest output possible."),
    ]),
    (5, "Global average pooling maps a (C, H, W) feature map to C numbers. Written as a linear map "
        "from the C·H·W inputs to the C outputs, what is its weight matrix?", [
        ("Dense, with every weight equal to 1/(H·W): each output sees all channels.", False,
         "Each output averages only its own channel; its weights on the other channels are 0."),
        ("Block-diagonal and fixed: output c has weight 1/(H·W) on the cells of channel c and 0 "
         "elsewhere; nothing is learned.", True,
         "It is a fixed linear map, unlike a fully connected layer, which learns a dense matrix."),
        ("Learned during training, like a fully connected layer.", False,
         "The weights are fixed at 1/(H·W); global pooling has nothing to learn."),
        ("The identity: each output equals one input cell.", False,
         "Each output is the mean of all H·W cells of its channel."),
    ]),
    (6, "In the backward pass of 2×2 average pooling, someone copies each upstream gradient g, "
        "unchanged, to all four cells of its window. What have they computed?", [
        ("The correct gradient, because the total of the gradients is kept.", False,
         "The copy multiplies the total by 4; the derivative of a mean of n cells is 1/n per cell."),
        ("The exact gradient of sum pooling, which is 4 times the gradient of average pooling.", True,
         "Copying g to every cell differentiates the window sum, a different function."),
        ("A gradient that becomes infinite within this one layer.", False,
         "In one layer it is off by exactly n = 4; stacked layers multiply the factors, but "
         "nothing becomes infinite."),
        ("The gradient of max pooling.", False,
         "Max backward sends g to a single cell, the window's first maximum."),
    ]),
    (7, "For max pooling with kernel size 3, which padding do PyTorch and poolkit accept, and what "
        "fills the padded cells?", [
        ("Padding 0 or 1, filled with −∞, so a padded cell never wins a window.", True,
         "The limit is floor(k/2) = 1 for k = 3, and −∞ can never be a window's maximum."),
        ("Padding 0, 1 or 2, filled with 0.", False,
         "2 is more than floor(3/2) = 1, so both raise a ValueError; and a padded 0 would win a "
         "window of negative values."),
        ("Any padding, filled with copies of the edge values.", False,
         "Padding above floor(k/2) raises a ValueError, and max pooling pads with −∞ (average "
         "pooling with 0)."),
        ("Padding 0 or 1, filled with 0.", False,
         "The limit is right, but a padded 0 would win a window of negative values; max pooling "
         "pads with −∞."),
    ]),
    (8, "Why is the speed of a pooling layer limited by memory traffic rather than by arithmetic?", [
        ("It must load many learned weights for every window.", False,
         "A pooling layer has no weights at all."),
        ("Comparisons are far slower than multiplications.", False,
         "A comparison costs about as much as an addition; the problem is how few operations there "
         "are per byte moved."),
        ("It does about one cheap operation per value it reads, so the processor spends its time "
         "waiting for data rather than computing.", True,
         "2×2 max pooling in float32 does 3 comparisons per output while moving 20 bytes (16 read, "
         "4 written)."),
        ("It has to copy its input once for every window.", False,
         "No copy is needed: a window view reads each input value in place."),
    ]),
    (9, "The anti-aliased max pooling of Zhang (2019) replaces MaxPool(kernel 2, stride 2) with:", [
        ("MaxPool(kernel 4, stride 2): a bigger window.", False,
         "A bigger window still subsamples without low-pass filtering first, so it still aliases."),
        ("AvgPool(kernel 2, stride 2), which is exactly invariant to shifts.", False,
         "Average pooling with stride 2 subsamples too, and no layer with stride 2 is exactly "
         "invariant to one-pixel shifts."),
        ("A blur applied after MaxPool(kernel 2, stride 2).", False,
         "Once the stride-2 step has subsampled, the aliasing has happened: the blur must come "
         "before the subsampling."),
        ("MaxPool(kernel 2, stride 1), then a small blur, then subsampling by 2.", True,
         "The max at stride 1 commutes with shifts; the blur removes the detail that subsampling "
         "would alias."),
    ]),
)

_LETTERS = "ABCD"


class _Choice(NamedTuple):
    text: str
    options: dict          # letter -> option text
    correct: str           # the right letter
    why: dict              # letter -> why it is right or wrong


#: Where each question's right option is placed, so that the right letters are balanced over
#: A to D (2, 3, 2, 2) with no pattern to guess from; the wrong options keep their order.
_RIGHT_LETTER = {1: "B", 2: "D", 3: "A", 4: "C", 5: "B", 6: "A", 7: "D", 8: "C", 9: "B"}


def _build_choices() -> dict[int, _Choice]:
    out = {}
    for number, text, options in _CHOICE_DATA:
        options = list(options)
        right_at = [i for i, (_, ok, _) in enumerate(options) if ok]
        assert len(right_at) == 1, number
        options.insert(_LETTERS.index(_RIGHT_LETTER[number]), options.pop(right_at[0]))
        letters = _LETTERS[: len(options)]
        right = [l for l, (_, ok, _) in zip(letters, options) if ok]
        assert len(right) == 1, number
        out[number] = _Choice(
            text=text,
            options={l: o for l, (o, _, _) in zip(letters, options)},
            correct=right[0],
            why={l: w for l, (_, _, w) in zip(letters, options)},
        )
    return out


#: The multiple-choice questions Q1 to Q9, by number (question, options by letter, the right
#: letter, and why each option is right or wrong).
CHOICES: dict[int, _Choice] = _build_choices()


def _quiz_question(number: int) -> dict:
    c = CHOICES[number]
    q = _BY_NUMBER[number]
    answers = []
    for letter, option in c.options.items():
        right = letter == c.correct
        feedback = _sentence(c.why[letter])
        if not right:
            feedback += " " + _reread(q)
        answers.append((f"{letter}. {option}", right, feedback))
    return mc(f"Q{number}. {c.text}", answers)


#: Q1 to Q9 in jupyterquiz's format, for ``quiz.show(QUIZ, shuffle_answers=False)``.
#: Every wrong answer's feedback names the section to reread.
QUIZ: list[dict] = [_quiz_question(n) for n in _CHOICE_NUMBERS]


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------


def _blank(v: Any) -> bool:
    return v is None or v is Ellipsis or (isinstance(v, str) and not v.strip())


def _is_int(v: Any) -> bool:
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _ints(answer: Any, n: int | None = None) -> tuple | None:
    """``answer`` as a tuple of Python ints (length ``n`` if given), or None."""
    if isinstance(answer, np.ndarray):
        if answer.ndim != 1:
            return None
        answer = answer.tolist()
    if isinstance(answer, (set, frozenset)):
        answer = sorted(answer) if all(_is_int(v) for v in answer) else None
    if not isinstance(answer, (tuple, list)):
        return None
    if not all(_is_int(v) for v in answer):
        return None
    if n is not None and len(answer) != n:
        return None
    return tuple(int(v) for v in answer)


def _number(answer: Any) -> float | None:
    """A real number as a float (ints, floats, numpy scalars), or None."""
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer[()]
    if isinstance(answer, (bool, np.bool_)):
        return None
    if isinstance(answer, (numbers.Real, np.integer, np.floating)):
        return float(answer)
    return None


def _safe(diagnose: Callable[[Any], str | None], answer: Any) -> str | None:
    try:
        with np.errstate(all="ignore"):
            return diagnose(answer)
    except Exception:
        return None


def _grid(answer: Any) -> np.ndarray | None:
    """A nested list / array of numbers as a 2-D float array, or None."""
    try:
        if isinstance(answer, np.ndarray):
            arr = answer
        elif isinstance(answer, (list, tuple)) and all(isinstance(r, (list, tuple)) for r in answer):
            flat = [v for r in answer for v in r]
            if not flat or not all(_number(v) is not None for v in flat):
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


def _emit(line: str) -> None:
    """Print one line with a single write, so that a notebook never splits it in two outputs."""
    sys.stdout.write(line + "\n")


def _done(name: str, status: str, message: str, record: bool = True) -> CheckResult:
    """Like ``_core._finish`` (print, record, return), with a single write."""
    with contextlib.redirect_stdout(io.StringIO()):
        result = _finish(name, status, message, record=record)
    _emit(result.message)
    return result


def _not_checkable(name: str, detail: str, hint: str) -> CheckResult:
    return _done(name, FAILED, _fail_line("Not checkable", detail, hint))


# ----------------------------------------------------------------------------
# Part 2: numbers (Q10 to Q17)
# ----------------------------------------------------------------------------

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
    if _blank(answer):
        return check_value(None, None, name=name,
                           task=f"replace ... in `{name} = ...` with the 2x2 result as a list of "
                                "lists, e.g. [[1, 2], [3, 4]], and run this cell again")
    grid = _grid(answer)
    if grid is None:
        return _not_checkable(name, f"{name} should be a list of lists of numbers, got "
                              f"{_typename(answer)}", "write the numbers themselves, e.g. [[1, 2], [3, 4]]")
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


def _diagnose_q11(answer: Any) -> str | None:
    vals = _ints(answer, 2)
    if vals is None:
        return None
    a, b = vals
    if a != b:
        return ("the length does not depend on the input size: level n always has n x n bins per "
                "channel, whatever the map's height and width")
    if a == 21:
        return "21 is the number of bins of one channel; every one of the 256 channels is pooled: multiply by C"
    if a == (1 + 2 + 4) * 256:
        return "level n has n x n bins, not n: 1 + 4 + 16 = 21 bins per channel"
    if a == 16 * 256:
        return "the levels are concatenated: the 1 x 1, 2 x 2 and 4 x 4 bins all count"
    return None


def _check_q11(answer: Any) -> CheckResult:
    return check_value(answer, Q11_ANSWER, name="spp_lengths",
                       task="set spp_lengths to the two lengths, e.g. (100, 200), and run this cell again",
                       hint=_safe(_diagnose_q11, answer)
                       or "count the bins of one channel over all levels, then multiply by the channels")


# Q12. 2x2 max pooling, stride 2, of the running example; grad_out = [[1, 2], [3, 4]].
# The top-right window (rows 0-1, cols 2-3) holds 4, 7, 7, 2: the 7 at (0, 3)
# comes first in row-major order and gets the whole gradient 2; the 7 at (1, 2) gets 0.
Q12_ANSWER = (2.0, 0.0)


def _diagnose_q12(answer: Any) -> str | None:
    a = answer
    if isinstance(a, (tuple, list)) and len(a) == 2 and all(_number(v) is not None for v in a):
        a, b = (_number(v) for v in a)
        if a == b == 1:
            return ("half each is what a central difference gives at a two-way tie (g/2 to every tied cell); "
                    "the rule gives the whole "
                    "gradient to the first maximum in row-major order")
        if (a, b) == (0, 2):
            return "row-major order reads row 0 before row 1, so the 7 at (0, 3) comes first"
        if a == b == 2:
            return "a window sends its gradient to one cell only, even when its maximum is tied"
        if (a, b) == (0.5, 0.5):
            return "that is average backward (g / 4 to every cell); max backward picks one cell"
        if b == 0 and a in (1, 3, 4):
            return "the top-right window's upstream gradient is grad_out[0, 1] = 2"
    return None


def _check_q12(answer: Any) -> CheckResult:
    return check_value(answer, Q12_ANSWER, name="tie_grads",
                       task="set tie_grads to the two gradients, e.g. (5, 6), and run this cell again",
                       hint=_safe(_diagnose_q12, answer)
                       or "find the window that holds both cells, and which of its two 7s comes first")


# Q13. 4x4 input, average pooling kernel 3, stride 2, padding 1,
# count_include_pad=True; grad_out is 1 everywhere (2x2 outputs, total 4).
# Along one axis the windows cover padded cells 0-2 and 2-4, i.e. real cells
# {0, 1} and {1, 2, 3}: 5 (window, cell) pairs. In 2-D: 5 * 5 = 25 pairs, each
# receiving 1/9, so the total is 25/9.
Q13_ANSWER = 25 / 9


def _diagnose_q13(answer: Any) -> str | None:
    v = _number(answer)
    if v is None:
        return None
    if math.isclose(v, Q13_ANSWER, rel_tol=2e-2) and not math.isclose(v, Q13_ANSWER, rel_tol=1e-6):
        return "give the exact value, e.g. 25 / 9, not a rounded decimal"
    if math.isclose(v, 4.0):
        return ("the total is kept only if each window divides by its number of real cells; here a "
                "border window divides by 9 but covers fewer real cells, and the rest falls on padding")
    if math.isclose(v, 36 / 9) or math.isclose(v, 16 / 9):
        return "count, along one axis, which real cells each window covers: 0-1 and 1-3"
    return None


def _check_q13(answer: Any) -> CheckResult:
    return check_value(answer, Q13_ANSWER, name="padded_total",
                       task="set padded_total to the total of grad_x and run this cell again",
                       hint=_safe(_diagnose_q13, answer)
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
    if _blank(answer) or (isinstance(answer, (tuple, list)) and answer and all(_blank(v) for v in answer)):
        return check_value(None, None, name=name,
                           task="set widths to your three answers, e.g. (1, 2, 3), and run this cell again")
    vals = answer.tolist() if isinstance(answer, np.ndarray) and answer.ndim == 1 else answer
    if not isinstance(vals, (tuple, list)) or len(vals) != 3:
        return _not_checkable(name, f"widths should be three integers, got {_typename(answer)}"
                              + (f" of length {len(vals)}" if isinstance(vals, (tuple, list)) else ""),
                              "write widths = (a, b, c)")
    for i, (got, want) in enumerate(zip(vals, Q14_ANSWER)):
        part = "abc"[i]
        if _blank(got):
            return _finish(name, FAILED, _fail_line("Not quite", f"part ({part}) is missing",
                                                    "give all three widths"))
        if not _is_int(got):
            return _finish(name, FAILED, _fail_line(
                "Not quite", f"part ({part}) should be an integer, got {_typename(got)}",
                "a width counts windows: use // for floor division and -(-a // b) for the ceiling"))
        if int(got) != want:
            side = "too large" if int(got) > want else "too small"
            hint = _Q14_HINTS[i].get(int(got), "start from out = floor((in + 2p - d(k-1) - 1) / s) + 1")
            return _finish(name, FAILED, _fail_line("Not quite", f"part ({part}) is {side}", hint))
    return _finish(name, PASSED, "Correct.")


# Q15. Kernel 3, stride 2, padding 1: out = (n + 2 - 3) // 2 + 1 = (n - 1) // 2 + 1 = 7
# exactly when (n - 1) // 2 = 6, i.e. n = 13 or n = 14. (The default unpooled size,
# (7 - 1) * 2 - 2 + 3 = 13, is the smaller one.)
Q15_ANSWER = [13, 14]


def _diagnose_q15(answer: Any) -> str | None:
    vals = _ints(answer)
    if vals is None:
        return None
    if len(vals) == 1:
        return ("the floor discards a remainder, so s = 2 input sizes share every output size: "
                "look for a second one")
    if 12 in vals:
        return "12 gives (12 + 2 - 3) // 2 + 1 = 6"
    if 15 in vals:
        return "15 gives (15 + 2 - 3) // 2 + 1 = 8"
    return None


def _check_q15(answer: Any) -> CheckResult:
    vals = _ints(answer)
    got = sorted(vals) if vals is not None else answer
    return check_value(got, Q15_ANSWER, name="input_sizes",
                       task="set input_sizes to a list of every input size that pools to 7, e.g. [5, 6], "
                            "and run this cell again",
                       hint=_safe(_diagnose_q15, answer)
                       or "try n = 11, 12, ..., 16 in out = (n + 2p - k) // s + 1")


# Q16. Input (C, H, W) = (2, 5, 5), kernel 3, stride 2: (5 - 3) // 2 + 1 = 2, so
# 2 * 2 * 2 = 8 windows of 9 cells. Max: 9 - 1 = 8 comparisons each -> 64.
# Average: 8 additions and 1 division each -> 72. (The convention counts 9 per window: 72.)
Q16_ANSWER = (64, 72)


def _diagnose_q16(answer: Any) -> str | None:
    vals = _ints(answer, 2)
    if vals is None:
        return None
    if vals == (72, 72):
        return ("that is the textbook convention, k x k per window; a max over 9 values needs only 8 "
                "comparisons")
    if vals == (64, 64):
        return "the average needs 8 additions and 1 division per window"
    if vals == (32, 36) or vals == (36, 36):
        return "there are 2 channels: 8 windows in all"
    if vals == (64, 80):
        return "summing 9 numbers takes 8 additions, then 1 division: 9 operations per window"
    return None


def _check_q16(answer: Any) -> CheckResult:
    return check_value(answer, Q16_ANSWER, name="op_counts",
                       task="set op_counts to (comparisons for max, operations for average) and run this cell again",
                       hint=_safe(_diagnose_q16, answer)
                       or "count the windows first (channels x output height x output width), then the "
                          "operations one window needs")


# Q17. x = (3, 1, 4, 1, 5, 9, 2, 6); np.roll(x, 1) = (6, 3, 1, 4, 1, 5, 9, 2);
# pairs (6, 3), (1, 4), (1, 5), (9, 2) -> (6, 4, 5, 9). The unshifted output is
# (3, 4, 9, 6) and a 2-pixel shift gives (6, 3, 4, 9), its shifted copy; the
# 1-pixel output is neither.
Q17_ANSWER = [6.0, 4.0, 5.0, 9.0]


def _diagnose_q17(answer: Any) -> str | None:
    if not isinstance(answer, (list, tuple, np.ndarray)) or len(answer) != 4:
        return None
    vals = [_number(v) for v in answer]
    if any(v is None or not float(v).is_integer() for v in vals):
        return None
    vals = tuple(int(v) for v in vals)
    if vals == (3, 4, 9, 6):
        return "that is the output for the unshifted signal; shift it first"
    if vals == (6, 3, 4, 9):
        return ("that is the output for a 2-pixel shift (the old output moved by one cell); a "
                "1-pixel shift regroups the pixels into different pairs")
    if vals in ((3, 4, 9, 2), (3, 4, 5, 9), (3, 4, 5, 6)):
        return "np.roll(x, 1) moves every value one place right and the last value, 6, to the front"
    return None


def _check_q17(answer: Any) -> CheckResult:
    got = answer
    if isinstance(answer, (list, tuple)) and all(_number(v) is not None for v in answer):
        got = [float(_number(v)) for v in answer]
    elif isinstance(answer, np.ndarray) and answer.ndim == 1 and answer.dtype.kind in "iuf":
        got = [float(v) for v in answer.tolist()]
    return check_value(got, Q17_ANSWER, name="shifted_output",
                       task="set shifted_output to the four pooled values as a list and run this cell again",
                       hint=_safe(_diagnose_q17, answer)
                       or "write out np.roll(x, 1) first (the last value moves to the front), then take "
                          "the max of each pair")


# ----------------------------------------------------------------------------
# Part 3: code (Q18 to Q21)
# ----------------------------------------------------------------------------

# Q18. receptive_field_size(layers), layers = [(kernel_size, stride, dilation), ...].
# r starts at 1 and j at 1; each layer: r += (d(k-1) + 1 - 1) * j, then j *= s.
_Q18_CASES = (
    # (layers, expected, label, hint)
    ([(3, 1, 1)], 3, "one 3x3 convolution", None),
    ([(3, 1, 1)] * 3, 7, "three 3x3 convolutions",
     "each stride-1 layer adds k - 1 = 2 cells: 1 + 2 + 2 + 2"),
    ([(2, 2, 1), (2, 2, 1)], 4, "two 2x2 poolings, stride 2",          # 1 -> 2 (j=2) -> 2 + 1*2 = 4
     "the second pooling's window steps over cells that are j = 2 input cells apart"),
    ([(3, 1, 1), (3, 1, 1), (2, 2, 1), (3, 1, 1)], 10, "conv, conv, pool, conv",  # 3, 5, 6 (j=2), 10
     "after the pooling, neighbouring cells are 2 input cells apart, so the last 3x3 adds 2 * 2"),
    ([(3, 1, 1), (3, 1, 1), (2, 2, 1), (3, 1, 1), (3, 1, 1), (2, 2, 1)], 16,
     "two VGG blocks", None),                                          # 3, 5, 6, 10, 14, 16
    ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], 15, "3x3 convolutions with dilations 1, 2, 4",  # 3, 7, 15
     "a dilated kernel spans d(k - 1) + 1 cells"),
    ([(11, 4, 1), (3, 2, 1), (5, 1, 1)], 51, "11/4, then 3/2, then 5/1",  # 11 (j=4), 19 (j=8), 51
     "multiply each kernel's k_eff - 1 by the product of the strides before it"),
)


def _check_q18(fn: Any) -> CheckResult:
    cases = [Case(args=([tuple(layer) for layer in layers],), expected=expected, label=label, hint=hint)
             for layers, expected, label, hint in _Q18_CASES]
    return check_function(
        fn, cases, name="receptive_field_size",
        task="complete `receptive_field_size(layers)` and run this cell again",
        hints={"values": "r_out = r_in + (d(k - 1) + 1 - 1) * j_in and j_out = j_in * s, starting "
                         "from r = 1 and j = 1",
               "type": "return an int"},
    )


# Q19. adaptive_bins(n, m): bin i spans [floor(i n / m), ceil((i + 1) n / m)).
_Q19_CASES = (
    ((6, 3), [(0, 2), (2, 4), (4, 6)], "n=6, m=3 (equal bins)", None),
    ((7, 3), [(0, 3), (2, 5), (4, 7)], "n=7, m=3 (overlapping bins)",
     "round each start down and each end up: bin 1 starts at floor(7/3) = 2 and ends at ceil(14/3) = 5"),
    ((5, 3), [(0, 2), (1, 4), (3, 5)], "n=5, m=3", None),
    ((10, 4), [(0, 3), (2, 5), (5, 8), (7, 10)], "n=10, m=4", None),
    ((3, 5), [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)], "n=3, m=5 (more bins than cells)",
     "with more bins than cells, bins repeat cells; the formula still holds"),
    ((1, 1), [(0, 1)], "n=1, m=1", None),
    ((13, 6), [(0, 3), (2, 5), (4, 7), (6, 9), (8, 11), (10, 13)], "n=13, m=6", None),
)


def _check_q19(fn: Any) -> CheckResult:
    cases = [Case(args=args, expected=expected, label=label, hint=hint)
             for args, expected, label, hint in _Q19_CASES]
    return check_function(
        fn, cases, name="adaptive_bins",
        task="complete `adaptive_bins(n, m)` and run this cell again",
        hints={"values": "bin i spans [floor(i * n / m), ceil((i + 1) * n / m)): round the start down "
                         "and the end up",
               "type": "return a list of (start, end) pairs of Python ints (// and -(-a // b) give "
                       "floor and ceiling without floats)",
               "length": "return one (start, end) pair per bin: m pairs"},
    )


# Q20. max_pool1d_backward(grad_out, x, k, s) on a 1-D signal, no padding.
# Each window sends its gradient to its first maximum; a cell that wins several
# windows adds their gradients. Expected values worked out by hand.
def _arr(*v: float) -> np.ndarray:
    return np.array(v, dtype=np.float64)


_Q20_CASES = (
    # (grad_out, x, k, s, expected, label, hint)
    (_arr(1, 2), _arr(1, 5, 3, 2), 2, 2, _arr(0, 1, 2, 0), "k=2, s=2", None),
    # windows (1, 5, 3), (5, 3, 2), (3, 2, 4): maxima at 1, 1, 4
    (_arr(1, 2, 3), _arr(1, 5, 3, 2, 4), 3, 1, _arr(0, 3, 0, 0, 3), "k=3, s=1 (overlap)",
     "the 5 at index 1 wins two windows: add both gradients (+=), do not overwrite"),
    # windows (2, 2), (7, 7), (0, 1): first maxima at 0, 2, 5
    (_arr(1, 2, 3), _arr(2, 2, 7, 7, 0, 1), 2, 2, _arr(1, 0, 2, 0, 0, 3), "ties inside windows",
     "at a tie the whole gradient goes to the first maximum of the window (np.argmax does this)"),
    # windows (-3, -1), (-4, -2): maxima at 1 and 3
    (_arr(5, -2), _arr(-3, -1, -4, -2), 2, 2, _arr(0, 5, 0, -2), "negative values and gradients",
     "a window of negative values still has a maximum: start from the window's first value, not 0"),
    # windows (0, 0) at 0, 1, 2 with stride 1: first maxima at 0, 1, 2
    (_arr(1, 2, 3), _arr(0, 0, 0, 0), 2, 1, _arr(1, 2, 3, 0), "all equal, k=2, s=1",
     "each window's first cell is its first maximum"),
    # windows start at 0, 2, 4: (4, 8, 1), (1, 6, 3), (3, 9, 2), maxima at 1, 3, 5;
    # cell 7 is in no window
    (_arr(1, -1, 2), _arr(4, 8, 1, 6, 3, 9, 2, 5), 3, 2, _arr(0, 1, 0, -1, 0, 2, 0, 0),
     "k=3, s=2, last cell unused", None),
)


def _check_q20(fn: Any) -> CheckResult:
    cases = [Case(args=(g, x, k, s), expected=e, label=label, hint=hint)
             for g, x, k, s, e, label, hint in _Q20_CASES]
    return check_function(
        fn, cases, name="max_pool1d_backward",
        task="complete `max_pool1d_backward(grad_out, x, k, s)` and run this cell again",
        hints={"values": "for window j (cells j*s to j*s + k - 1), add grad_out[j] at its first "
                         "maximum; every other cell gets nothing from that window",
               "shape": "grad_x has the shape of x",
               "type": "return a numpy array shaped like x, e.g. built from np.zeros(x.shape)",
               "dtype": "build grad_x as a float array, e.g. np.zeros(x.shape)"},
    )


# Q21. avg_divisors(n, k, s, p=0, ceil_mode=False, count_include_pad=True): the
# divisor of each window of 1-D average pooling. Windows start at j*s in padded
# coordinates (cells 0 .. n + 2p - 1, real cells p .. n + p - 1). With
# count_include_pad=True a window divides by its size clipped at n + 2p; with
# False, by the number of real cells it covers.
_Q21_CASES = (
    # (args, expected, label, hint)
    ((4, 2, 2), [2, 2], "n=4, k=2, s=2", None),
    # out = (5 + 2 - 3) // 2 + 1 = 3; windows padded 0-2, 2-4, 4-6
    ((5, 3, 2, 1), [3, 3, 3], "n=5, k=3, s=2, p=1",
     "with count_include_pad=True every full window divides by k, padding included"),
    ((5, 3, 2, 1, False, False), [2, 3, 2], "the same, count_include_pad=False",
     "with count_include_pad=False a window divides by the number of real cells it covers"),
    # ceil: ceil((5 - 2) / 2) + 1 = 3 windows; the last covers padded 4-5, clipped at 5: size 1
    ((5, 2, 2, 0, True), [2, 2, 1], "n=5, k=2, s=2, ceil mode",
     "a ceil-mode window that hangs past the end is clipped there, and divides by its clipped size"),
    # ceil: 3 windows at padded 0, 2, 4; the last is clipped at n + 2p = 6: size 2
    ((4, 3, 2, 1, True), [3, 3, 2], "n=4, k=3, s=2, p=1, ceil mode",
     "clip each window at the end of the right padding, n + 2p, and divide by what is left"),
    ((4, 3, 2, 1, True, False), [2, 3, 1], "the same, count_include_pad=False", None),
    # ceil gives 4 windows, but the 4th would start at padded 6 >= n + p = 6: dropped
    ((5, 2, 2, 1, True), [2, 2, 2], "n=5, k=2, s=2, p=1, ceil mode (last-window rule)",
     "ceil mode drops a last window that would start in the right padding: (out - 1) * s >= n + p"),
    ((5, 2, 2, 1, True, False), [1, 2, 2], "the same, count_include_pad=False", None),
)


def _q21_divisors(n, k, s, p=0, ceil_mode=False, count_include_pad=True, *, rule_end=None):
    """Q21's divisors by the rule, with ``rule_end`` to reproduce a last-window rule against another end.

    Windows start at ``j * s`` in padded coordinates (real cells ``p .. n + p - 1``); ceil mode
    drops a last window that starts at ``n + p`` or later (``rule_end``, the mistake: ``n``).
    """
    span = n + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    end = n + p if rule_end is None else rule_end
    if ceil_mode and (out - 1) * s >= end:
        out -= 1
    starts = [j * s for j in range(out)]
    if count_include_pad:
        return [min(a + k, n + 2 * p) - a for a in starts]
    return [min(a + k, n + p) - max(a, p) for a in starts]


_Q21_RULE_HINT = ("ceil mode drops the last window only if it would start in the right padding, at "
                  "n + p or later: compare (out - 1) * s with n + p, not with n")


def _q21_mistakes():
    def rule_against_n(case):
        n = case.args[0]
        return _q21_divisors(*case.args, rule_end=n)

    return [(_Q21_RULE_HINT, rule_against_n)]


def _as_list_of_ints(result: Any) -> Any:
    """Let the learner return a list, a tuple or an integer numpy array."""
    if isinstance(result, np.ndarray) and result.ndim == 1 and result.dtype.kind in "iu":
        return [int(v) for v in result.tolist()]
    if isinstance(result, tuple):
        return list(result)
    return result


def _check_q21(fn: Any) -> CheckResult:
    cases = [Case(args=args, expected=expected, label=label, hint=hint)
             for args, expected, label, hint in _Q21_CASES]
    target = fn
    if callable(fn):
        def target(*args, **kwargs):  # keeps NotImplementedError and stubs visible to the checker
            return _as_list_of_ints(fn(*args, **kwargs))
        # name the learner's parameters in messages, not the wrapper's
        target.__signature__ = _signature_or_none(fn)
        cases = _diagnose_cases(target, cases, _q21_mistakes(), same=_same_list)
    return check_function(
        target, cases, name="avg_divisors",
        task="complete `avg_divisors(n, k, s, p=0, ceil_mode=False, count_include_pad=True)` and run "
             "this cell again",
        hints={"length": "count the windows with the output-size formula, and in ceil mode apply the "
                         "last-window rule",
               "values": "with count_include_pad=True a window divides by its size clipped at n + 2p; "
                         "with False, by the real cells it covers",
               "type": "return a list of Python ints, one per window"},
    )


def _same_list(got: Any, expected: Any) -> bool:
    """``got == expected`` for Q21's lists of ints; never raises."""
    try:
        return isinstance(got, list) and got == expected
    except Exception:
        return False


def _signature_or_none(fn):
    import inspect
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


# Each question's checker is guarded like every chapter checker (one line, one time budget, the
# learner's code in a child process): Q18 to Q21 run the learner's function, also while diagnosing.
_VALUE_CHECKS: dict[int, Callable[[Any], CheckResult]] = {
    number: checker(name=f"q{number}")(check)
    for number, check in {
        10: _check_q10, 11: _check_q11, 12: _check_q12, 13: _check_q13, 14: _check_q14,
        15: _check_q15, 16: _check_q16, 17: _check_q17,
        18: _check_q18, 19: _check_q19, 20: _check_q20, 21: _check_q21,
    }.items()
}


# ----------------------------------------------------------------------------
# The score card
# ----------------------------------------------------------------------------


def _ranges(numbers_: list[int]) -> str:
    """[1, 2, 3, 5] -> 'Q1–Q3, Q5'."""
    out, start, prev = [], None, None
    for n in sorted(numbers_):
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"Q{start}" if start == prev else f"Q{start}–Q{prev}")
            start = prev = n
    if start is not None:
        out.append(f"Q{start}" if start == prev else f"Q{start}–Q{prev}")
    return ", ".join(out)


_CRASH = ("Not checkable: the checker itself failed ({}). "
          "Hint: restart the kernel and run the notebook from the top.")


class SelfTest:
    """A score card for the course self-test: check answers, then print the score.

    Each check prints one line; a wrong answer's line ends with the chapter
    and section to reread. :meth:`summary` prints the score and every
    section to reread, grouped. Nothing here raises on any answer.

    Examples
    --------
    >>> test = SelfTest()
    >>> test.summary()
    Score: 0/21 — not attempted yet: Q1–Q21.
    >>> r = test.check(16, (72, 72))
    Not quite: item 0 of op_counts is too large. Hint: that is the textbook convention, k x k per window; a max over 9 values needs only 8 comparisons. Reread chapter 6, "Counting operations, two ways".
    >>> r = test.check(16, (64, 72))
    Correct.
    >>> test.summary_line()
    'Score: 1/21 — not attempted yet: Q1–Q15, Q17–Q21.'
    """

    def __init__(self) -> None:
        self._results: dict[int, CheckResult] = {}

    # -- checking ---------------------------------------------------------------

    def check(self, number: Any = None, answer: Any = ...) -> CheckResult:
        """Check the answer to question ``number`` (1 to 21) and print one line.

        Parameters
        ----------
        number : int
            The question's number.
        answer : object
            A letter (Q1 to Q9), a number, a tuple or a list (Q10 to Q17),
            or a function (Q18 to Q21); ``...`` or ``None`` while not attempted.

        Returns
        -------
        CheckResult
            Displays nothing in a notebook; the line is already printed.
        """
        try:
            if _blank(number) and _blank(answer):
                return _done("self-test", NOT_ATTEMPTED,
                             "Not attempted yet: give the question's number and your answer, "
                             "e.g. test.check(10, pooled_3x3), and run this cell again.", record=False)
            if not _is_int(number) or int(number) not in _BY_NUMBER:
                return _done("self-test", FAILED, _fail_line(
                    "Not checkable", f"there is no question {_quote(repr(number), 20)}",
                    f"give the question's number, 1 to {len(QUESTIONS)}, e.g. test.check(10, pooled_3x3)"),
                    record=False)
            q = _BY_NUMBER[int(number)]
            if q.kind == "choice":
                c = CHOICES[q.number]
                run = lambda: check_choice(answer, c.correct, options=c.options, explanations=c.why,  # noqa: E731
                                           name=f"q{q.number}")
            else:
                run = lambda: _VALUE_CHECKS[q.number](answer)  # noqa: E731
            return self._run(q, run)
        except BaseException as exc:  # never raise in a learner's notebook
            if isinstance(exc, KeyboardInterrupt):
                return _done("self-test", NOT_ATTEMPTED, "Check interrupted.", record=False)
            return _done("self-test", FAILED, _CRASH.format(type(exc).__name__), record=False)

    def check_choices(self, answers: Any = ...) -> CheckResult:
        """Grade the letters chosen for Q1 to Q9 and print one line.

        Parameters
        ----------
        answers : sequence of str
            Nine letters, one per question in order, e.g. ``["B", "A", ...]``
            or ``"B A ..."``; ``...`` or ``None`` for a question skipped.

        Returns
        -------
        CheckResult
            Passed only if all nine are right. Each question is also
            recorded on its own, for :meth:`summary`.
        """
        try:
            return self._check_choices(answers)
        except BaseException as exc:  # never raise in a learner's notebook
            if isinstance(exc, KeyboardInterrupt):
                return _done("mc_answers", NOT_ATTEMPTED, "Check interrupted.")
            return _done("mc_answers", FAILED, _CRASH.format(type(exc).__name__))

    def _check_choices(self, answers: Any) -> CheckResult:
        name, n = "mc_answers", len(_CHOICE_NUMBERS)
        task = (f"Not attempted yet: put the letter you chose for each of Q1 to Q{n} in mc_answers, "
                "in order, and run this cell again.")
        if _blank(answers):
            answers = [None] * n
        if isinstance(answers, str):
            parts = [p for p in re.split(r"[\s,;]+", answers.strip()) if p]
            if len(parts) == 1 and len(parts[0]) == n:
                parts = list(parts[0])
            answers = parts
        if isinstance(answers, dict) or not isinstance(answers, (list, tuple)):
            return _not_checkable(name, f"mc_answers should be a list of {n} letters, got {_typename(answers)}",
                                  f'write mc_answers = ["A", "B", ...] with one letter per question')
        if len(answers) != n:
            return _not_checkable(name, f"mc_answers has {len(answers)} entries, not {n}",
                                  "one letter per question, in order; ... for a question you skip")
        if all(_blank(a) for a in answers):
            for number in _CHOICE_NUMBERS:
                self._record(number, CheckResult(f"q{number}", NOT_ATTEMPTED, task))
            return _done(name, NOT_ATTEMPTED, task)
        right, unanswered, first_problem = 0, [], None
        for number, a in zip(_CHOICE_NUMBERS, answers):
            c, q = CHOICES[number], _BY_NUMBER[number]
            if _blank(a):
                unanswered.append(number)
                self._record(number, CheckResult(f"q{number}", NOT_ATTEMPTED, "not answered"))
                continue
            letters = list(c.options)
            chosen = _parse_letters(a, letters)
            if chosen and len(chosen) == 1 and chosen[0] == c.correct:
                right += 1
                self._record(number, CheckResult(f"q{number}", PASSED, "Correct."))
                continue
            if not chosen or any(ch not in letters for ch in chosen) or len(chosen) != 1:
                problem = f"Q{number}: use one of the letters {', '.join(letters)}."
            else:
                problem = f"Q{number}, {chosen[0]}: {_sentence(c.why[chosen[0]])} {_reread(q)}"
            self._record(number, CheckResult(f"q{number}", FAILED, problem))
            first_problem = first_problem or problem
        if right == n:
            return _done(name, PASSED, f"Correct: {n} of {n} right.")
        line = f"Not quite: {right} of {n} right"
        if unanswered:
            line += f", not answered yet: {_ranges(unanswered)}"
        line += "." + (f" {first_problem}" if first_problem else "")
        return _done(name, FAILED, line)

    def _run(self, q: Question, run: Callable[[], CheckResult]) -> CheckResult:
        """Run a checker quietly, add the section to reread, print and record one line."""
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink):
            result = run()
        message = result.message
        if result.status == FAILED:
            message = f"{message} {_reread(q)}"
        message = _one_line(message)
        _emit(message)
        result = CheckResult(result.name, result.status, message)
        SCORECARD.record(result)
        self._record(q.number, result)
        return result

    def _record(self, number: int, result: CheckResult) -> None:
        self._results[number] = result

    # -- the score --------------------------------------------------------------

    def results(self) -> dict[int, CheckResult]:
        """The latest result of each question checked so far, by number."""
        return dict(self._results)

    def status(self, number: int) -> str:
        """``"passed"``, ``"failed"`` or ``"not attempted"`` for one question."""
        r = self._results.get(number)
        return NOT_ATTEMPTED if r is None else r.status

    def summary_line(self) -> str:
        """The score and what to reread, as one line (what :meth:`summary` prints)."""
        total = len(QUESTIONS)
        passed = [q for q in QUESTIONS if self.status(q.number) == PASSED]
        failed = [q for q in QUESTIONS if self.status(q.number) == FAILED]
        todo = [q.number for q in QUESTIONS if self.status(q.number) == NOT_ATTEMPTED]
        line = f"Score: {len(passed)}/{total}"
        if not failed and not todo:
            return line + " — full marks: nothing to reread."
        if failed:
            groups: dict[Where, list[int]] = {}
            for q in sorted(failed, key=lambda q: (q.where.chapter, q.number)):
                groups.setdefault(q.where, []).append(q.number)
            line += " — reread: " + "; ".join(
                f"{w.text()} ({_ranges(nums)})" for w, nums in groups.items())
        if todo:
            line += " — not attempted yet: " + _ranges(todo)
        return line + "."

    def summary(self) -> None:
        """Print the score and the sections to reread (one line)."""
        try:
            line = self.summary_line()
        except Exception as exc:  # never raise in a learner's notebook
            line = f"Could not compute the score ({type(exc).__name__})."
        _emit(line)

    def __repr__(self) -> str:
        passed = sum(self.status(q.number) == PASSED for q in QUESTIONS)
        return f"SelfTest({passed} of {len(QUESTIONS)} passed)"

    def _ipython_display_(self) -> None:
        # A bare `test` at the end of a cell shows the score line, nothing else.
        self.summary()
