"""Checkers and quiz for chapter 7, "Weigh the drawbacks and the alternatives".

Each checker prints one line and never raises (see :mod:`poolkit.course.exercises.authoring`).

Examples
--------
>>> r = check_fc_head_params(7 * 7 * 512 * 4096 + 4096)
Correct.
>>> r = check_fc_head_params(7 * 7 * 512 * 4096)
Not quite: fc_params is too small. Hint: you left out the 4096 biases, one per output unit.
"""

from __future__ import annotations

import numpy as np

import poolkit as pk

from .authoring import Case, CodeExercise, Mistake, check_choice, check_value, checker
from .authoring import FAILED, call_quietly, check_function, fail_line, finish, quote, with_reference_cases
from .quiz import mc

__all__ = ["max_blur_pool1d_reference", "check_max_blur_pool1d", "check_fc_head_params",
           "MaxNotAllowed", "NoMaxArray", "relu", "check_max_pool_relu",
           "check_shift_reason", "QUIZ"]


# ---------------------------------------------------------------------------
# Numeric exercise: parameters of a fully connected head
# ---------------------------------------------------------------------------

_C, _S, _UNITS = 512, 7, 4096
FC_PARAMS = _C * _S * _S * _UNITS + _UNITS          # weights + biases: 102,764,544

_FC_HINTS = {
    _C * _S * _S * _UNITS: "you left out the 4096 biases, one per output unit",
    _C * _UNITS + _UNITS: "the layer sees the whole 7 x 7 x 512 map flattened, so each unit has "
                          "7 * 7 * 512 inputs, not 512",
    _C * _UNITS: "each unit has 7 * 7 * 512 inputs (the flattened map) plus one bias",
    _C * _S * _S * _UNITS + _C * _S * _S: "there is one bias per output unit (4096), not per input",
    _C * _S * _S: "that is the number of inputs of one unit; multiply by the 4096 units and add their biases",
    _C + _UNITS: "count the weights: every one of the 4096 units is connected to every input",
}


@checker(limit=10, name="fc_params")
def check_fc_head_params(fc_params):
    """Check the parameter count of a 7 x 7 x 512 -> 4096 fully connected layer.

    Parameters
    ----------
    fc_params : int
        The learner's count; ``...`` or ``None`` means not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_fc_head_params(512 * 4096 + 4096)
    Not quite: fc_params is too small. Hint: the layer sees the whole 7 x 7 x 512 map flattened, so each unit has 7 * 7 * 512 inputs, not 512.
    """
    return check_value(fc_params, FC_PARAMS, name="fc_params", hints=_FC_HINTS,
                       task="set fc_params to the number of weights and biases and run this cell again",
                       hint="weights = inputs per unit x units; then add one bias per unit")


# ---------------------------------------------------------------------------
# Code exercise: a 1-D anti-aliased max pooling
# ---------------------------------------------------------------------------

def max_blur_pool1d_reference(x):
    """Anti-aliased max pooling of a circular 1-D signal of even length.

    Max over each pair ``(x[i], x[i+1])`` at stride 1 (wrapping around), then
    the blur ``[1, 2, 1] / 4`` (wrapping around), then keep samples 0, 2, 4, ...

    Parameters
    ----------
    x : numpy.ndarray
        Shape ``(n,)`` with ``n`` even.

    Returns
    -------
    numpy.ndarray
        Shape ``(n // 2,)``.

    Examples
    --------
    >>> max_blur_pool1d_reference(np.array([0.0, 0, 1, 1, 0, 0, 1, 1])).tolist()
    [0.5, 1.0, 0.5, 1.0]
    >>> max_blur_pool1d_reference(np.array([1.0, 0, 0, 1, 1, 0, 0, 1])).tolist()
    [0.75, 0.75, 0.75, 0.75]
    """
    x = np.asarray(x, dtype=float)
    m = np.maximum(x, np.roll(x, -1))
    b = (np.roll(m, 1) + 2 * m + np.roll(m, -1)) / 4
    return b[::2]


def _plain_max(x):
    x = np.asarray(x, dtype=float)
    return np.maximum(x[0::2], x[1::2])


def _blur_after(x):
    y = _plain_max(x)
    return (np.roll(y, 1) + 2 * y + np.roll(y, -1)) / 4


def _unnormalised(x):
    return 4 * max_blur_pool1d_reference(x)


def _odd_phase(x):
    x = np.asarray(x, dtype=float)
    m = np.maximum(x, np.roll(x, -1))
    return ((np.roll(m, 1) + 2 * m + np.roll(m, -1)) / 4)[1::2]


def _zero_padded(x):
    x = np.asarray(x, dtype=float)
    m = np.maximum(x, np.append(x[1:], -np.inf))
    m[-1] = x[-1]
    return (np.convolve(m, [1, 2, 1], mode="same") / 4)[::2]


def _no_max(x):
    x = np.asarray(x, dtype=float)
    return ((np.roll(x, 1) + 2 * x + np.roll(x, -1)) / 4)[::2]


_BLUR_MISTAKES = (
    (_plain_max, "this is plain max pooling with stride 2: blur the stride-1 maxima before you subsample"),
    (_blur_after, "you blurred after subsampling; blur the full-rate maxima first, then keep every other sample"),
    (_unnormalised, "divide the blur by 4 so that its taps [1, 2, 1] sum to 1"),
    (_odd_phase, "keep samples 0, 2, 4, ... (start at index 0)"),
    (_zero_padded, "wrap around at the ends (np.roll), as the signal is circular"),
    (_no_max, "take the max of each pair (x[i], x[i+1]) before blurring"),
)


def _cases():
    rng = np.random.default_rng(7)
    signals = [
        ("(0, 0, 1, 1, 0, 0, 1, 1)", np.array([0.0, 0, 1, 1, 0, 0, 1, 1])),
        ("a one-pixel shift of it", np.array([1.0, 0, 0, 1, 1, 0, 0, 1])),
        ("(3, 1, 4, 1, 5, 9)", np.array([3.0, 1, 4, 1, 5, 9])),
        ("negative values", -np.arange(1.0, 9.0)),
        ("random, length 16", rng.standard_normal(16)),
        ("random, length 2", rng.standard_normal(2)),
    ]
    return signals


def _same_signal(got, expected) -> bool:
    """``got``, read as a float array, has ``expected``'s shape and values; never raises."""
    try:
        got = np.asarray(got, dtype=float)
        return got.shape == expected.shape and bool(np.allclose(got, expected))
    except Exception:
        return False


MAX_BLUR_POOL1D = CodeExercise(
    "max_blur_pool1d",
    lambda: [Case(args=(x,), expected=max_blur_pool1d_reference(x), label=label) for label, x in _cases()],
    mistakes=[Mistake(hint, wrong=lambda case, v=variant: v(case.args[0])) for variant, hint in _BLUR_MISTAKES],
    same=_same_signal, limit=2,
    task="complete `max_blur_pool1d`: max of each pair at stride 1, blur with [1, 2, 1] / 4, "
         "keep every other sample",
    hints={"values": "compute the three steps separately and print each one on the first case",
           "shape": "the output has half as many samples as the input"},
)


@MAX_BLUR_POOL1D.entry
def check_max_blur_pool1d(fn):
    """Check a learner's ``max_blur_pool1d(x)`` for circular 1-D signals of even length.

    The expected outputs come from :func:`max_blur_pool1d_reference`. A wrong
    output that matches a usual mistake (no blur, blur after subsampling, an
    unnormalised filter, the odd phase, zero padding, no max) is named.

    Examples
    --------
    >>> def max_blur_pool1d(x):
    ...     return np.maximum(x[0::2], x[1::2])
    >>> r = check_max_blur_pool1d(max_blur_pool1d)
    Case (0, 0, 1, 1, 0, 0, 1, 1): the result has wrong values at 2 of 4 positions (first at index 0). Hint: this is plain max pooling with stride 2: blur the stride-1 maxima before you subsample.
    """
    return MAX_BLUR_POOL1D.run(fn)


# ---------------------------------------------------------------------------
# Conceptual exercise: which shifts are harmless
# ---------------------------------------------------------------------------

SHIFT_OPTIONS = {
    "A": "A 2-pixel shift moves every window onto the same cells one output step further, so the "
         "output just shifts by one cell; a 1-pixel shift regroups the cells into different windows.",
    "B": "A 1-pixel shift is smaller than the window, so it can never change a maximum.",
    "C": "Max pooling is shift invariant; only average pooling changes under a 1-pixel shift.",
    "D": "A 2-pixel shift changes the output less only because images are smooth.",
}
SHIFT_WHY = {
    "A": "Stride-2 pooling commutes with shifts by multiples of 2 (apart from the borders), "
         "but not with odd shifts: that is aliasing",
    "B": "A 1-pixel shift regroups the pixels, e.g. (0, 0, 1, 1, 0, 0, 1, 1) pools to (0, 1, 0, 1) "
         "but its shift pools to (1, 1, 1, 1)",
    "C": "Max pooling with stride 2 changes under odd shifts too; the chapter measures it on the photo",
    "D": "For a shift by 2 the output is exactly the shifted output, on any input, smooth or not",
}


@checker(limit=10, name="shift_reason")
def check_shift_reason(answer):
    """Check the multiple-choice answer on why a 2-pixel shift is harmless and a 1-pixel shift is not.

    Examples
    --------
    >>> r = check_shift_reason("A")
    Correct: A. Stride-2 pooling commutes with shifts by multiples of 2 (apart from the borders), but not with odd shifts: that is aliasing.
    """
    return check_choice(answer, "A", options=SHIFT_OPTIONS, explanations=SHIFT_WHY, name="shift_reason")


# ---------------------------------------------------------------------------
# Quiz
# ---------------------------------------------------------------------------

#: Four questions for ``pk.exercises.quiz.show(ch07.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("After 2 x 2 max pooling with stride 2 and max unpooling with the recorded indices, "
       "what fraction of a photo's pixels can still hold their original value (no ties)?",
       [("One quarter", True, "One value per 2 x 2 window survives; the other three become 0."),
        ("Three quarters", False, "That is the fraction set to zero."),
        ("All of them", False, "Unpooling is only a partial inverse: the non-maxima are gone."),
        ("None of them", False, "The maxima go back exactly where they came from.")]),
    mc("Which network reuses the max-pooling indices of its encoder to upsample in its decoder?",
       [("SegNet", True, "SegNet's decoder unpools with the stored indices, then convolves."),
        ("U-Net", False, "U-Net concatenates encoder feature maps into its decoder instead."),
        ("Network in Network", False, "NiN is a classifier; it introduced global average pooling heads."),
        ("VGG", False, "VGG is a classifier with no decoder.")]),
    mc("What does BlurPool (Zhang, 2019) change in MaxPool(k=2, s=2)?",
       [("Max at stride 1, then a low-pass blur, then subsampling by 2", True,
         "Blurring before subsampling removes the detail that would alias."),
        ("It replaces the max by an average", False, "The max is kept; only the subsampling is made "
                                                     "anti-aliased."),
        ("It subsamples first and blurs afterwards", False, "Blurring after subsampling is too late: "
                                                            "the aliasing has already happened."),
        ("It adds learned weights to the window", False, "The blur filter is fixed (e.g. [1, 2, 1] / 4 "
                                                         "in each direction); nothing is learned.")]),
    mc("Why can a network with a global average pooling head accept inputs of different sizes?",
       [("The head averages each channel to one number whatever the map's height and width", True,
         "The output is (N, C) for any H and W, so the classifier after it always sees C inputs."),
        ("Because global pooling resizes the image", False, "Nothing is resized; each channel is averaged."),
        ("Because it has learned one weight per pixel", False, "Global average pooling has no weights at all."),
        ("It cannot; the input size is fixed by the head", False, "That is true of a flattening "
                                                                  "fully connected head, not of global pooling.")]),
]


# ---------------------------------------------------------------------------
# Code exercise: max pooling from ReLUs and linear operations only
# ---------------------------------------------------------------------------

class MaxNotAllowed(TypeError):
    """Raised when code checked by :func:`check_max_pool_relu` uses a max-like operation."""


_MAX_UFUNCS = frozenset({"maximum", "minimum", "fmax", "fmin", "greater", "greater_equal", "less",
                         "less_equal", "sign", "heaviside", "clip"})
_MAX_FUNCTIONS = frozenset({"max", "amax", "min", "amin", "argmax", "argmin", "nanmax", "nanmin",
                            "nanargmax", "nanargmin", "sort", "argsort", "partition", "argpartition",
                            "median", "nanmedian", "percentile", "nanpercentile", "quantile",
                            "nanquantile", "ptp", "clip", "where", "select", "piecewise", "maximum",
                            "minimum", "lexsort", "unique"})


class NoMaxArray(np.ndarray):
    """A numpy array that refuses every max-like operation (comparisons, max, sort, where, ...).

    Slicing, reshaping, ``+``, ``-``, ``*``, ``/`` and :func:`relu` work as
    usual, so max pooling can only be built from ReLUs and linear operations.

    Examples
    --------
    >>> a = np.array([1.0, -2.0]).view(NoMaxArray)
    >>> (a + 1).view(np.ndarray).tolist(), relu(a).view(np.ndarray).tolist()
    ([2.0, -1.0], [1.0, 0.0])
    >>> np.maximum(a, 0)
    Traceback (most recent call last):
    ...
    poolkit.course.exercises.ch07.MaxNotAllowed: np.maximum is a max-like operation; use relu
    """

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc.__name__ in _MAX_UFUNCS:
            raise MaxNotAllowed(f"np.{ufunc.__name__} is a max-like operation; use relu")
        plain = tuple(i.view(np.ndarray) if isinstance(i, NoMaxArray) else i for i in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, NoMaxArray) else o
                                  for o in kwargs["out"])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if isinstance(result, np.ndarray) and result.dtype.kind in "fc":
            return result.view(NoMaxArray)
        return result

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in _MAX_FUNCTIONS:
            raise MaxNotAllowed(f"np.{func.__name__} is a max-like operation; use relu")
        return super().__array_function__(func, types, args, kwargs)

    def _refuse(self, *args, **kwargs):
        raise MaxNotAllowed("a max-like array method; use relu")

    argmax = argmin = sort = argsort = partition = argpartition = max = min = clip = ptp = _refuse


def relu(t):
    """``max(t, 0)`` elementwise; the one nonlinearity :func:`check_max_pool_relu` allows.

    Examples
    --------
    >>> relu(np.array([-1.0, 0.0, 2.5])).tolist()
    [0.0, 0.0, 2.5]
    """
    guarded = isinstance(t, NoMaxArray)
    base = t.view(np.ndarray) if guarded else np.asarray(t, dtype=float)
    out = np.where(base > 0, base, 0.0)
    return out.view(NoMaxArray) if guarded else out


def _relu_pairs(x, pair):
    """2x2, stride-2 max pooling of ``x`` (floor mode) with ``pair(a, b)`` as the two-value max."""
    x = np.asarray(x, dtype=float)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    a, b = x[0:h:2, 0:w:2], x[0:h:2, 1:w:2]
    c, d = x[1:h:2, 0:w:2], x[1:h:2, 1:w:2]
    return pair(pair(a, b), pair(c, d))


def _relu_sum4(x):
    x = np.asarray(x, dtype=float)
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    a, b = x[0:h:2, 0:w:2], x[0:h:2, 1:w:2]
    c, d = x[1:h:2, 0:w:2], x[1:h:2, 1:w:2]
    return a + relu(b - a) + relu(c - a) + relu(d - a)


_RELU_MISTAKES = (
    (lambda x: _relu_pairs(x, lambda a, b: a + relu(a - b)),
     "max(a, b) = a + relu(b - a): you wrote relu(a - b), which adds the excess the wrong way"),
    (lambda x: _relu_pairs(relu(x), lambda a, b: a + relu(b - a)),
     "an all-negative window pools to a negative number: do not apply relu to the values themselves"),
    (lambda x: _relu_pairs(x, lambda a, b: relu(a) + relu(b)),
     "relu(a) + relu(b) is the max only when one of them is at most 0: use a + relu(b - a)"),
    (_relu_sum4,
     "a + relu(b - a) + relu(c - a) + relu(d - a) adds several excesses: chain the pairs, "
     "max(max(a, b), max(c, d))"),
    (lambda x: _relu_pairs(x, lambda a, b: (a + b) / 2),
     "that is average pooling: the max of a pair is a + relu(b - a)"),
)


#: The one task line of the stub.
_RELU_TASK = "complete `max_pool_relu` with slicing, +, - and relu only"
_ODD_HINT = ("crop an odd size first, x[:H // 2 * 2, :W // 2 * 2]: floor mode drops the last row "
             "and column, and the four slices x[0::2, 0::2], ... must have the same shape")


def _relu_cases() -> list[Case]:
    """Five maps, one all negative, one with ties, one of odd size; expected values by ``pk.max_pool2d``."""
    rng = np.random.default_rng(71)
    maps = [
        ("4x4 map, distinct values", rng.permutation(16).reshape(4, 4).astype(float)),
        ("2x2 map, all negative", np.array([[-3.0, -1.0], [-4.0, -2.0]])),
        ("4x6 map with ties", rng.integers(-2, 3, size=(4, 6)).astype(float)),
        ("5x7 map (odd sizes: floor mode drops the last row and column)",
         rng.standard_normal((5, 7))),
        ("6x6 random map", rng.standard_normal((6, 6))),
    ]
    return [Case(args=(x,), expected=pk.max_pool2d(x[None], 2)[0], label=label,
                 hint=_ODD_HINT if "odd" in label else None) for label, x in maps]


def _guarded(fn):
    """``fn`` called on a :class:`NoMaxArray` view, its result returned as a plain array."""
    import functools

    @functools.wraps(fn)
    def call(x, *args, **kwargs):
        got = fn(np.asarray(x).view(NoMaxArray), *args, **kwargs)
        return got.view(np.ndarray) if isinstance(got, NoMaxArray) else got

    return call


def _max_like_line(fn, cases):
    """The failing line if ``fn`` (guarded) uses a max-like operation on a case's map before failing otherwise."""
    guarded = _guarded(fn)
    for case in cases:
        try:
            call_quietly(guarded, (case.args[0].copy(),), {}, 5, label=case.label)
        except MaxNotAllowed as exc:
            return finish("max_pool_relu", FAILED, fail_line(
                "Not quite", f"your code uses a max-like operation ({quote(exc)})",
                "write max(a, b) as a + relu(b - a) with ch07.relu, then take the max of the two "
                "pairs of each window the same way"))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            break
    return None


MAX_POOL_RELU = CodeExercise(
    "max_pool_relu", _relu_cases, adapt=_guarded, timeout=5, task=_RELU_TASK,
    mistakes=[Mistake(hint, wrong=(lambda c, w=wrong: w(c.args[0]))) for wrong, hint in _RELU_MISTAKES],
    shape_hint="pool both axes with 2x2 windows at stride 2: an H x W map gives H // 2 x W // 2 "
               "(floor mode drops an odd last row or column)",
    hints={"values": "the four cells of each window are x[0::2, 0::2], x[0::2, 1::2], x[1::2, 0::2] "
                     "and x[1::2, 1::2]; max(a, b) = a + relu(b - a)"})


@MAX_POOL_RELU.entry
def check_max_pool_relu(fn):
    """Check ``max_pool_relu(x)``: 2x2, stride-2 max pooling of a 2-D map built from :func:`relu` only.

    ``x`` arrives as a :class:`NoMaxArray`, which refuses comparisons, max,
    sort, ``where`` and every other max-like operation, so only slicing,
    linear operations and :func:`relu` remain. The result must equal
    ``poolkit.max_pool2d(x, 2)`` (floor mode) on five maps, one of them all
    negative, one with ties and one of odd size. Named mistakes: a max-like
    call, ``a + relu(a - b)``, relu applied to the values, ``relu(a) +
    relu(b)``, a sum of excesses over the first cell, and the average.

    Examples
    --------
    >>> def max_pool_relu(x):
    ...     return np.maximum(np.maximum(x[0::2, 0::2], x[0::2, 1::2]), np.maximum(x[1::2, 0::2], x[1::2, 1::2]))
    >>> r = check_max_pool_relu(max_pool_relu)
    Not quite: your code uses a max-like operation (np.maximum is a max-like operation; use relu). Hint: write max(a, b) as a + relu(b - a) with ch07.relu, then take the max of the two pairs of each window the same way.
    """
    if fn is None or fn is Ellipsis or not callable(fn):
        return check_function(fn, [], name="max_pool_relu", task=_RELU_TASK)

    def run(cases):
        refused = _max_like_line(fn, cases)
        return MAX_POOL_RELU.run(fn) if refused is None else refused

    return with_reference_cases("max_pool_relu", _relu_cases, run)
