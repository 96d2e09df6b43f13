"""Checkers and quiz for chapter 5, "Work out every output size".

Each checker prints one line and never raises (see :mod:`poolkit.course.exercises.authoring`).
When an answer is wrong, the line says which rule of the output-size formula
was broken: the padding, the floor, the dilation, the ``+ 1`` or the
ceil-mode rule that drops a last window starting in the right padding.

Examples
--------
>>> r = check_widths(6, 5)
Correct.
>>> r = check_widths(8, 5)
Not quite: width_a is too large. Hint: you left out the dilation: the window reaches d(k-1)+1 = 9 cells, not k = 5.
"""

from __future__ import annotations

import numbers
from typing import Callable, NamedTuple

import numpy as np

from .authoring import Case, ChoiceExercise, CodeExercise, Mistake, ValueExercise, check_value, checker
from .authoring import FAILED, fail_line, finish, typename
from .compare import is_real_like
from .quiz import mc

__all__ = ["check_widths", "check_output_size", "check_unpool_reason", "QUIZ",
           "window_taps", "padding_only_windows", "check_all_padding"]


def _size(n, k, s, p=0, d=1, ceil_mode=False, *, rule=True):
    """Output size by the formula, with switches to reproduce the usual mistakes.

    ``rule=False`` leaves out the ceil-mode last-window rule; ``rule="no padding"`` applies it
    against the input's end ``n`` instead of the right padding's start ``n + p``.
    """
    span = n + 2 * p - d * (k - 1) - 1
    out = (-((-span) // s) if ceil_mode else span // s) + 1
    end = n if rule == "no padding" else n + p
    if ceil_mode and rule and (out - 1) * s >= end:
        out -= 1
    return out


# ---------------------------------------------------------------------------
# Numeric exercise: two widths
# ---------------------------------------------------------------------------

#: Part (a), kernel_size=5, stride=2, padding=2, dilation=2 on a 16-wide input (floor mode).
A_ARGS = dict(n=16, k=5, s=2, p=2, d=2)
#: Part (b), kernel_size=2, stride=2, padding=1 on a 9-wide input, ceil mode.
B_ARGS = dict(n=9, k=2, s=2, p=1, d=1)

_A_HINTS = {
    _size(16, 5, 2, 0, 2): "you left out the padding: the padded input has in + 2p = 20 cells",
    _size(16, 5, 2, 2, 2, True): "you rounded up; this layer is in floor mode, so a partial window is dropped",
    _size(16, 5, 2, 2, 1): "you left out the dilation: the window reaches d(k-1)+1 = 9 cells, not k = 5",
    _size(16, 5, 2, 2, 2) - 1: "you left out the + 1 (the window that starts at cell 0) "
                               "or padded only one side",
}
_B_HINTS = {
    _size(9, 2, 2, 1, 1, True, rule=False): "you kept the last window, but it would start in the right "
                                            "padding, so ceil mode drops it",
    _size(9, 2, 2, 1, 1, True) - 1: "you left out the + 1 (the window that starts at cell 0)",
}


def _is_int(v) -> bool:
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _blank(v) -> bool:
    return v is None or v is Ellipsis


def _right(v, expected) -> bool:
    try:
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        return _is_int(v) and int(v) == expected
    except Exception:
        return False


WIDTH_A = ValueExercise("width_a", _size(**A_ARGS), mistakes=_A_HINTS,
                        hint="start from out = floor((in + 2p - d(k-1) - 1) / s) + 1")
WIDTH_B = ValueExercise("width_b", _size(**B_ARGS, ceil_mode=True), mistakes=_B_HINTS,
                        hint="round up, then check where the last window starts")


@checker(limit=10, name="widths")
def check_widths(width_a, width_b=None):
    """Check the two output widths of the numeric exercise and print one line.

    Part (a) is a dilated floor-mode layer, part (b) a ceil-mode layer whose
    last window would start in the padding. The first wrong part is reported,
    with the rule that the wrong number breaks.

    Parameters
    ----------
    width_a, width_b : int
        The learner's answers; ``...`` or ``None`` means not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_widths(..., ...)
    Not attempted yet: set width_a and width_b to your two answers and run this cell again.
    >>> r = check_widths(6, 6)
    Not quite: width_b is too large. Hint: you kept the last window, but it would start in the right padding, so ceil mode drops it.
    """
    if _blank(width_a) and _blank(width_b):
        return check_value(None, 0, name="widths",
                           task="set width_a and width_b to your two answers and run this cell again")
    if not _right(width_a, WIDTH_A.answer):
        return WIDTH_A.run(width_a)
    if not _right(width_b, WIDTH_B.answer):
        return WIDTH_B.run(width_b)
    return check_value((int(width_a), int(width_b)), (WIDTH_A.answer, WIDTH_B.answer), name="widths")


# ---------------------------------------------------------------------------
# Code exercise: output_size with a diagnosis of the broken rule
# ---------------------------------------------------------------------------

#: (size, kernel_size, stride, padding, dilation, ceil_mode), simplest first.
CASES = (
    (8, 2, 2, 0, 1, False),
    (7, 3, 2, 0, 1, False),
    (7, 3, 1, 1, 1, False),
    (9, 3, 1, 0, 2, False),
    (6, 3, 2, 0, 1, True),
    (5, 2, 2, 1, 1, True),
    (32, 3, 2, 1, 1, False),
    (224, 7, 2, 3, 1, False),
    (16, 5, 2, 2, 2, False),
    (9, 2, 2, 1, 1, True),
    (4, 2, 2, 1, 1, True),     # the last window starts at padded cell 4 = in: real, kept (3, not 2)
    (13, 3, 3, 1, 2, True),
    (1, 1, 1, 0, 1, False),
)

#: The usual mistakes, in the order they are suspected, with the line's hint.
_MISTAKES = (
    # First: on a ceil-mode case with padding it gives what "forgot padding" gives, and a learner
    # who forgot the padding already fails an earlier case (in=7, k=3, s=1, p=1), where this is None.
    ("last-window rule against the input's end", lambda n, k, s, p, d, c:
        _size(n, k, s, p, d, True, rule="no padding") if c and p else None,
     "drop the last window only if it would start in the right padding: compare (out-1)*s with "
     "in + p, not with in: padded cells p to in + p - 1 are real, so a window starting at in still "
     "starts on a real cell"),
    ("forgot padding", lambda n, k, s, p, d, c: _size(n, k, s, 0, d, c),
     "you forgot the padding: the window slides over in + 2p cells"),
    ("one-sided padding", lambda n, k, s, p, d, c: _size(n + p, k, s, 0, d, c) if p else None,
     "pad both sides: the padded length is in + 2p, not in + p"),
    ("forgot dilation", lambda n, k, s, p, d, c: _size(n, k, s, p, 1, c),
     "you forgot the dilation: a window of k taps spaced d apart spans d(k-1)+1 cells"),
    ("ceil instead of floor", lambda n, k, s, p, d, c: _size(n, k, s, p, d, True) if not c else None,
     "with ceil_mode=False round down (//): a partial window at the right edge is dropped"),
    ("floor instead of ceil", lambda n, k, s, p, d, c: _size(n, k, s, p, d, False) if c else None,
     "with ceil_mode=True round up, so a partial window at the right edge is kept"),
    ("ignored the last-window rule", lambda n, k, s, p, d, c: _size(n, k, s, p, d, True, rule=False) if c else None,
     "in ceil mode drop the last window if it would start in the right padding: (out-1)*s >= in + p"),
    ("forgot the + 1", lambda n, k, s, p, d, c: _size(n, k, s, p, d, c) - 1,
     "add 1: the window that starts at cell 0 counts too"),
)


def _label(n, k, s, p, d, c) -> str:
    text = f"in={n}, k={k}, s={s}"
    if p:
        text += f", p={p}"
    if d > 1:
        text += f", d={d}"
    if c:
        text += ", ceil mode"
    return text


def _wrong(variant):
    """A mistake of :data:`_MISTAKES` as ``case -> wrong size`` for :func:`~poolkit.course.exercises.mistakes.diagnose`."""
    def wrong(case):
        n, k, s = case.args
        return variant(n, k, s, case.kwargs["padding"], case.kwargs["dilation"], case.kwargs["ceil_mode"])
    return wrong


OUTPUT_SIZE = CodeExercise(
    "output_size",
    [Case(args=(n, k, s), kwargs={"padding": p, "dilation": d, "ceil_mode": c},
          expected=_size(n, k, s, p, d, c), label=_label(n, k, s, p, d, c)) for n, k, s, p, d, c in CASES],
    mistakes=[Mistake(hint, wrong=_wrong(variant)) for _name, variant, hint in _MISTAKES],
    same=_right, limit=2,
    task="complete `output_size` so that it returns the number of windows along one axis",
    hints={
        "values": "count the windows: out = floor((in + 2p - d(k-1) - 1) / s) + 1, "
                  "and in ceil mode round up, then apply the last-window rule",
        "type": "return an int: use // for floor division, or -(-a // b) for ceil",
    })


@OUTPUT_SIZE.entry
def check_output_size(fn):
    """Check ``output_size(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False)``.

    The expected sizes come from the formula in the chapter, cross-checked
    against :func:`poolkit.output_size` by the tests. A wrong size is explained
    by the rule it breaks (padding, floor, dilation, ``+ 1``, the ceil-mode
    last-window rule) when one of them reproduces it.

    Parameters
    ----------
    fn : callable
        The learner's function.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> def output_size(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    ...     return (size - kernel_size) // stride + 1
    >>> r = check_output_size(output_size)
    Case in=7, k=3, s=1, p=1: the result is too small. Hint: you forgot the padding: the window slides over in + 2p cells.
    """
    return OUTPUT_SIZE.run(fn)


# ---------------------------------------------------------------------------
# Conceptual exercise: why unpooling needs output_size
# ---------------------------------------------------------------------------

UNPOOL_OPTIONS = {
    "A": "The indices it receives are relative to each window, so it cannot tell where the map ends.",
    "B": "Max pooling with k = 2, s = 2 maps both 6 x 6 and 7 x 7 inputs to 3 x 3, so the pooled map "
         "alone cannot say which one it came from.",
    "C": "Unpooling is learned during training, and its weights fix the size.",
    "D": "A 7 x 7 map cannot be unpooled at all; output_size only pads the result with zeros.",
}
UNPOOL_WHY = {
    "A": "The indices are flat positions in the whole input plane, not in the window; but a flat "
         "index does not reveal the plane's width, so the indices cannot fix the size either",
    "B": "The floor in the output-size formula throws away the remainder (in - k) mod s, "
         "so s different input sizes share each output size",
    "C": "Max unpooling has no weights; it only places each value back at its recorded position",
    "D": "A 7 x 7 map is a valid target: it is one of the two sizes that pool to 3 x 3, "
         "and the extra row and column receive zeros except where a maximum came from",
}

UNPOOL_REASON = ChoiceExercise("unpool_reason", UNPOOL_OPTIONS, "B", why=UNPOOL_WHY)


@UNPOOL_REASON.entry
def check_unpool_reason(answer):
    """Check the multiple-choice answer on why ``max_unpool2d`` takes ``output_size``.

    Examples
    --------
    >>> r = check_unpool_reason("c")
    Not quite: C is not right. Max unpooling has no weights; it only places each value back at its recorded position.
    """
    return UNPOOL_REASON.run(answer)


# ---------------------------------------------------------------------------
# Construction exercise: a window of padding only that PyTorch accepts
# ---------------------------------------------------------------------------
#
# ``ex-ch05-all-padding``. The setting is judged by the rules below, in order (the first broken
# one gives the line); a setting that keeps them all has a window of padding only, and then
# the value that window outputs is judged by the value exercise ALL_PADDING_VALUE.

#: A setting (size, kernel_size, stride, padding, dilation) with a window of padding only.
ALL_PADDING_EXAMPLE = (1, 2, 1, 1, 2)


def window_taps(size, kernel_size, stride, padding=0, dilation=1):
    """The padded-coordinate cells each window reads, one tuple per window (floor mode).

    Cells ``0 .. padding-1`` and ``size+padding .. size+2*padding-1`` are
    padding; window ``i`` reads ``i*stride + j*dilation`` for ``j < kernel_size``.

    Examples
    --------
    >>> window_taps(1, 2, 1, 1, 2)
    [(0, 2)]
    >>> window_taps(4, 2, 2, 1)
    [(0, 1), (2, 3), (4, 5)]
    """
    n, k, s, p, d = size, kernel_size, stride, padding, dilation
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    return [tuple(i * s + j * d for j in range(k)) for i in range(max(out, 0))]


def padding_only_windows(size, kernel_size, stride, padding=0, dilation=1):
    """Indices of the windows (floor mode) whose taps all land on padding.

    Examples
    --------
    >>> padding_only_windows(1, 2, 1, 1, 2), padding_only_windows(4, 2, 2, 1)
    ([0], [])
    """
    n, p = size, padding
    return [i for i, taps in enumerate(window_taps(size, kernel_size, stride, padding, dilation))
            if all(t < p or t >= n + p for t in taps)]


def _setting(value):
    """``value`` as five ints, or None."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (tuple, list)) or len(value) != 5:
        return None
    if not all(_is_int(v) for v in value):
        return None
    return tuple(int(v) for v in value)


#: Largest number in a setting the checker enumerates.
MAX_SETTING = 10_000

_PAD_TASK = ("set all_padding_setting to (size, kernel_size, stride, padding, dilation) and "
             "all_padding_value to what max pooling outputs for that window, then run this cell again")


class SettingRule(NamedTuple):
    """A rule an all-padding setting must keep; ``detail`` and ``hint`` may be ``f(n, k, s, p, d)``."""

    broken: Callable[..., bool]
    detail: str | Callable[..., str]
    hint: str | Callable[..., str]

    def line(self, setting) -> str:
        text = [t(*setting) if callable(t) else t for t in (self.detail, self.hint)]
        return fail_line("Not quite", *text)


def _all_real(n, k, s, p, d) -> bool:
    # d <= n leaves a real tap in every window (see the solution), so nothing to enumerate then
    return d <= n or not padding_only_windows(n, k, s, p, d)


#: The rules, in the order they are tried; the first one broken gives the line. The size cap
#: comes before the rest, so that a huge setting is never enumerated.
SETTING_RULES = (
    SettingRule(lambda n, k, s, p, d: min(n, k, s, d) < 1 or p < 0,
                "size, kernel_size, stride and dilation must be at least 1 and padding at least 0",
                "PyTorch rejects anything else before it pools"),
    SettingRule(lambda n, k, s, p, d: max(n, k, s, p, d) > MAX_SETTING,
                f"these numbers are too large to check (keep each at most {MAX_SETTING})",
                "a small example exists: a window of padding only needs just a few cells"),
    SettingRule(lambda n, k, s, p, d: p > k // 2,
                lambda n, k, s, p, d: f"PyTorch refuses this setting (padding {p} is more than "
                                      f"kernel_size // 2 = {k // 2})",
                "keep padding <= kernel_size // 2; poolkit raises a ValueError that names the same rule"),
    SettingRule(lambda n, k, s, p, d: n + 2 * p < d * (k - 1) + 1,
                lambda n, k, s, p, d: f"no window fits: the window spans d(k-1)+1 = {d * (k - 1) + 1} "
                                      f"cells and the padded input has only {n + 2 * p}",
                "PyTorch raises an error when the output would be empty; make the padded input "
                "at least as long as the window's span"),
    SettingRule(lambda n, k, s, p, d: _all_real(n, k, s, p, d) and p == 0,
                "with padding 0 every tap reads a real cell",
                "pad the input (padding >= 1, so kernel_size >= 2) and let the taps land on it"),
    SettingRule(lambda n, k, s, p, d: _all_real(n, k, s, p, d) and d == 1,
                "every window of this setting reads a real cell",
                "without dilation the first window's last tap lands on cell k-1 >= p, so it "
                "is real; an all-padding window needs taps spaced far enough apart to jump "
                "over the input (a dilation)"),
    SettingRule(_all_real,
                "every window of this setting reads a real cell",
                lambda n, k, s, p, d: f"taps are d = {d} cells apart and the input is {n} wide, so a "
                                      "window starting in the left padding lands a tap on the input "
                                      "before it reaches the right padding: the dilation must exceed the size"),
)


def _scalar_value(value):
    """A 0-d array as its scalar; anything else unchanged."""
    return value[()] if isinstance(value, np.ndarray) and value.ndim == 0 else value


ALL_PADDING_VALUE = ValueExercise(
    "all_padding_value", -np.inf, prepare=_scalar_value,
    mistakes=[Mistake("max pooling pads with minus infinity (PyTorch's docs call it implicit negative "
                      "infinity padding), not 0, and this window reads nothing else",
                      when=lambda v: is_real_like(v) and v == 0)],
    task="the setting is right; now set all_padding_value to what max pooling outputs for that window",
    hint="the window reads padding only, and max pooling's padding is minus infinity: the maximum of "
         "minus infinities")


@checker(limit=10, name="all_padding")
def check_all_padding(setting, value=None):
    """Check a setting PyTorch accepts in which a max-pooling window reads only padding.

    ``setting`` is ``(size, kernel_size, stride, padding, dilation)`` for one
    axis in floor mode; it must satisfy PyTorch 2.13's rules (every argument
    at least 1, padding at least 0 and at most ``kernel_size // 2``, at least
    one window) and have a window whose taps all fall on padding.
    ``value`` is what max pooling outputs for that window. Each usual
    mistake gets its own hint (``SETTING_RULES``): a padding PyTorch refuses,
    no window at all, no padding, no dilation, a dilation that cannot jump over
    the input (with padding, ``dilation > size`` always makes one), and a fill
    value of 0 (``ALL_PADDING_VALUE``).

    Examples
    --------
    >>> r = check_all_padding((4, 2, 1, 2, 1), float("-inf"))
    Not quite: PyTorch refuses this setting (padding 2 is more than kernel_size // 2 = 1). Hint: keep padding <= kernel_size // 2; poolkit raises a ValueError that names the same rule.
    >>> r = check_all_padding((1, 2, 1, 1, 2), 0)
    Not quite: all_padding_value is too large. Hint: max pooling pads with minus infinity (PyTorch's docs call it implicit negative infinity padding), not 0, and this window reads nothing else.
    """
    name = "all_padding"
    try:
        if _blank(setting) and _blank(value):
            return check_value(None, 0, name=name, task=_PAD_TASK)
        if _blank(setting):
            return check_value(None, 0, name=name, task="set all_padding_setting too")
        s = _setting(setting)
        if s is None:
            return finish(name, FAILED, fail_line(
                "Not checkable", f"all_padding_setting should be five integers, got {typename(setting)}",
                "write it as a tuple (size, kernel_size, stride, padding, dilation), e.g. (4, 2, 2, 1, 1)"))
        for rule in SETTING_RULES:
            if rule.broken(*s):
                return finish(name, FAILED, rule.line(s))
        return ALL_PADDING_VALUE.run(value)
    except Exception as exc:  # never raise in a learner's notebook
        return finish(name, FAILED,
                      f"Not checkable: the checker itself failed ({type(exc).__name__}). "
                      "Hint: restart the kernel and run the notebook from the top.")


# ---------------------------------------------------------------------------
# Quiz
# ---------------------------------------------------------------------------

#: Four questions for ``pk.exercises.quiz.show(ch05.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("A batch of shape (8, 64, 56, 56) goes through max pooling with kernel 2 and stride 2. "
       "What is the output shape?",
       [("(8, 64, 28, 28)", True, "Pooling works on each channel of each image separately, so N and C "
                                  "stay; only H and W shrink: floor((56 - 2)/2) + 1 = 28."),
        ("(8, 16, 28, 28)", False, "Pooling never mixes or drops channels: C stays 64."),
        ("(4, 64, 28, 28)", False, "The batch axis is untouched: each image is pooled on its own."),
        ("(8, 64, 27, 27)", False, "Count again: (56 - 2) // 2 + 1 = 28.")]),
    mc("Which setting keeps a 32 x 32 map at 32 x 32?",
       [("kernel 3, stride 1, padding 1", True, "(32 + 2 - 3) // 1 + 1 = 32: one cell of padding "
                                                "on each side makes up for the two cells a 3-wide window loses."),
        ("kernel 3, stride 1, padding 0", False, "(32 - 3) // 1 + 1 = 30: without padding a 3-wide window "
                                                 "loses one cell at each edge."),
        ("kernel 2, stride 2, padding 1", False, "(32 + 2 - 2) // 2 + 1 = 17: a stride of 2 roughly halves the size."),
        ("kernel 3, stride 1, padding 2", False, "padding 2 is more than kernel_size // 2 = 1, so the layer "
                                                 "rejects it.")]),
    mc("In ceil mode, when does PyTorch (and poolkit) drop the last window?",
       [("When it would start in the right padding", True, "A window that starts in the padding would "
                                                            "read no real cell, so it is dropped."),
        ("When it hangs over the right edge at all", False, "Those windows are exactly what ceil mode keeps; "
                                                            "only a window that starts in the padding goes."),
        ("Never: ceil mode always rounds up", False, "in=5, k=2, s=2, p=1 gives 3 in ceil mode, not 4."),
        ("When the stride is larger than the kernel", False, "The rule is about where the last window "
                                                             "starts, not about the stride.")]),
    mc("Adaptive average pooling turns a length-7 axis into 3 bins. Which bins does it use?",
       [("[0, 3), [2, 5), [4, 7)", True, "Bin i spans floor(7i/3) to ceil(7(i+1)/3): neighbouring bins "
                                          "overlap by one cell."),
        ("[0, 2), [2, 4), [4, 7)", False, "The bins are not cut by a fixed stride; each one is "
                                          "floor(i*in/out) to ceil((i+1)*in/out)."),
        ("[0, 3), [3, 6), [6, 7)", False, "That is a stride-3 window with ceil mode; adaptive bins "
                                          "spread evenly over the axis instead."),
        ("[0, 3), [3, 5), [5, 7)", False, "Compute the bounds: floor(7/3) = 2, so the second bin starts at 2.")]),
]
