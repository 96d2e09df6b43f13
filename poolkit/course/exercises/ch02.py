"""Checkers and quiz for chapter 2, *Explain why networks pool* (``ch-purpose``).

Each exercise is a declaration (:mod:`poolkit.course.exercises.authoring`) with its known
mistakes; each checker prints one line, never raises and never prints a float.

===========================  =========================================  ===============================
exercise                     what the learner writes                    checker
===========================  =========================================  ===============================
``ex-ch02-parameters``       a letter                                   :func:`check_parameters`
``ex-ch02-receptive-field``  an int (receptive field of a small stack)  :func:`check_receptive_field`
``ex-ch02-rf-function``      ``rf_size(layers)``                        :func:`check_rf_size`
``ex-ch02-vgg-field``        ``(size, jump, first, last)``              :func:`check_vgg_field`
===========================  =========================================  ===============================

The receptive-field checker compares with :func:`poolkit.receptive_field` and
recognises the usual mistakes: forgetting that the jump grows after a strided
layer, updating the jump before using it, and adding kernel sizes.

Examples
--------
>>> r = check_receptive_field(10)
Correct.
>>> r = check_receptive_field(8)
Not quite: rf is too small. Hint: after the stride-2 pooling, neighbouring cells are 2 input cells apart (the jump is 2), so the last 3x3 convolution adds (3 - 1) * 2 = 4 cells, not 2.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import poolkit as pk

from .authoring import Case, ChoiceExercise, CodeExercise, Mistake, ValueExercise
from .quiz import mc

__all__ = ["check_parameters", "check_receptive_field", "check_rf_size", "VGG_STAGES", "check_vgg_field",
           "QUIZ"]


# ---------------------------------------------------------------------------
# Conceptual exercise: which parameters shrink
# ---------------------------------------------------------------------------

PARAMETER_OPTIONS = {
    "A": "Every later convolution's weights grow, because they see larger maps",
    "B": "Only the first fully connected layer after the flattening grows, because its input grows",
    "C": "Nothing changes anywhere: pooling has no parameters",
    "D": "The pooling layer's own weights disappear",
}
PARAMETER_EXPLANATIONS = {
    "A": "A convolution's weights (C_out x C_in x k x k) do not depend on the size of its input "
         "map; only its compute and memory do",
    "B": "Flattening makes the next layer's input length C x H x W, so its weight matrix grows "
         "with H and W; convolutions keep their weights",
    "C": "The pooling layer has none, but removing it changes H and W for everything after it, "
         "and a fully connected layer after flattening has weights for every input value",
    "D": "Pooling has no weights to lose",
}

PARAMETERS = ChoiceExercise("parameter_answer", PARAMETER_OPTIONS, "B", why=PARAMETER_EXPLANATIONS)


@PARAMETERS.entry
def check_parameters(answer: Any):
    """Check the letter chosen in ``ex-ch02-parameters`` (removing a pooling layer of a CNN).

    Examples
    --------
    >>> r = check_parameters("A")
    Not quite: A is not right. A convolution's weights (C_out x C_in x k x k) do not depend on the size of its input map; only its compute and memory do.
    """
    return PARAMETERS.run(answer)


# ---------------------------------------------------------------------------
# Numeric exercise: receptive field of a small stack
# ---------------------------------------------------------------------------

#: conv 3x3 (pad 1) -> conv 3x3 (pad 1) -> max pool 2x2 stride 2 -> conv 3x3 (pad 1)
RF_STACK = ((3, 1), (3, 1), (2, 2), (3, 1))
#: 1 -> 3 -> 5 -> 6 (jump 2) -> 6 + 2 * 2 = 10
RF_SIZE = 10

_RF_HINTS = {
    8: "after the stride-2 pooling, neighbouring cells are 2 input cells apart (the jump is 2), so "
       "the last 3x3 convolution adds (3 - 1) * 2 = 4 cells, not 2",
    11: "the jump that multiplies (k - 1) is the one before the layer; the pooling itself still "
        "reads cells 1 apart, so it adds (2 - 1) * 1 = 1",
    15: "each layer adds (k - 1) times the jump, not k: a 3x3 convolution on the input grows the "
        "field from 1 to 3",
    54: "receptive fields add up layer by layer; they do not multiply",
    7: "the pooling layer grows the field too, and after it the jump is 2",
    5: "the pooling and the last convolution also grow the field",
    6: "the last convolution also grows the field, by (3 - 1) times the jump 2",
}

RF = ValueExercise(
    "rf", RF_SIZE, mistakes=_RF_HINTS,
    task="replace ... in `rf = ...` with the receptive field (a number of input cells) and run "
         "this cell again",
    hint="walk through the layers: r += (k - 1) * j, then j *= s")


@RF.entry
def check_receptive_field(answer: Any):
    """Check the receptive field of ``ex-ch02-receptive-field`` (exactly 10 input cells).

    Examples
    --------
    >>> r = check_receptive_field(11)
    Not quite: rf is too large. Hint: the jump that multiplies (k - 1) is the one before the layer; the pooling itself still reads cells 1 apart, so it adds (2 - 1) * 1 = 1.
    """
    return RF.run(answer)


# ---------------------------------------------------------------------------
# Code exercise: the receptive-field recurrence
# ---------------------------------------------------------------------------

_RF_MISTAKES = {
    "no_jump": "a layer adds (k - 1) times the jump, the distance in input cells between "
               "neighbouring cells of its input; after a stride-s layer the jump is multiplied by s",
    "jump_first": "use the jump before the layer when adding (k - 1) * j, and only then multiply "
                  "it by the layer's stride",
    "sum_k": "the field grows by k - 1 per layer (times the jump), not by k",
    "product": "receptive fields add up layer by layer (r += (k - 1) * j); they do not multiply",
}


def _rf_variant(layers, variant="right"):
    r, j = 1, 1
    for k, s in layers:
        if variant == "no_jump":
            r += k - 1
        elif variant == "jump_first":
            j *= s
            r += (k - 1) * j
            continue
        elif variant == "sum_k":
            r += k * j
        elif variant == "product":
            r *= k
        else:
            r += (k - 1) * j
        j *= s
    return r


#: (layers, label) pairs; layers are (kernel_size, stride) pairs.
_RF_CASES = (
    (((3, 1),), "one 3x3 convolution"),
    (((3, 1), (3, 1), (3, 1)), "three 3x3 convolutions"),
    (((3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)), "two VGG blocks"),
    (((7, 2), (3, 2)), "the ResNet stem (7x7 stride 2, then 3x3 max pooling stride 2)"),
    (((11, 4), (3, 2), (5, 1), (3, 2)), "AlexNet's first layers (11/4, pool 3/2, 5/1, pool 3/2)"),
    (((2, 2), (2, 2), (2, 2)), "three 2x2 poolings with stride 2"),
    ((), "no layers at all (one input cell sees itself)"),
)


def _rf_cases() -> list[Case]:
    cases = []
    for layers, label in _RF_CASES:
        if layers:
            rf = pk.receptive_field([dict(kernel_size=k, stride=s) for k, s in layers])
            expected = int(rf.size)
        else:
            expected = 1
        cases.append(Case(args=([tuple(layer) for layer in layers],), expected=expected,
                          label=label,
                          hint="start from r = 1, j = 1; for each layer r += (k - 1) * j, then "
                               "j *= s"))
    return cases


def _same_int(got, expected) -> bool:
    """``got == expected`` for an int answer (``True`` is not 1 here); never raises."""
    try:
        return bool(got == expected) and not isinstance(got, bool)
    except Exception:
        return False


RF_FUNCTION = CodeExercise(
    "rf_size", _rf_cases, same=_same_int,
    mistakes=[Mistake(hint, wrong=lambda case, v=v: _rf_variant(case.args[0], v)) for v, hint in _RF_MISTAKES.items()],
    task="complete `rf_size` so that it returns the receptive field size, an int",
    hints={"type": "return an int, the number of input cells one output cell sees"})


@RF_FUNCTION.entry
def check_rf_size(fn: Any):
    """Check the learner's ``rf_size(layers)``: receptive field of a stack of (kernel, stride) layers.

    Expected values come from :func:`poolkit.receptive_field`; the cases run
    from one convolution to AlexNet's first layers, and the empty stack.

    Examples
    --------
    >>> def rf_size(layers):
    ...     r, j = 1, 1
    ...     for k, s in layers:
    ...         r += (k - 1) * j
    ...         j *= s
    ...     return r
    >>> r = check_rf_size(rf_size)
    Passes all 7 cases.
    """
    return RF_FUNCTION.run(fn)


# ---------------------------------------------------------------------------
# Quiz
# ---------------------------------------------------------------------------

#: Five questions for ``pk.exercises.quiz.show(ch02.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("You remove the last max pooling layer of VGG-16 (before the fully connected layers). "
       "What happens to the weights of the first fully connected layer?",
       [("They grow 4 times: it now reads 512 x 14 x 14 values instead of 512 x 7 x 7", True,
         "A fully connected layer after flattening has one weight per input value and output."),
        ("Nothing: pooling has no parameters", False, "Pooling has none, but the layer after "
                                                      "the flattening does, one per input value."),
        ("They shrink 4 times", False, "Without the pooling its input is larger, not smaller."),
        ("Every convolution's weights grow too", False,
         "Convolution weights do not depend on the map size.")]),
    mc("Max pooling with 2 x 2 windows and stride 2. You shift the input by exactly 2 pixels "
       "(with wrap-around). What happens to the output?",
       [("It shifts by exactly one cell", True, "Every window lands on the same pixels, one "
                                                "output step further: the pooling is equivariant "
                                                "to shifts by its stride."),
        ("It does not change", False, "The pixels moved by a whole window, so the output moves "
                                      "by one cell."),
        ("It changes unpredictably", False, "That happens for a 1-pixel shift, which regroups the "
                                            "pixels into different windows."),
        ("It shifts by 2 cells", False, "Each output cell stands for 2 input pixels.")]),
    mc("How can a network become invariant to the rotation of a pattern?",
       [("By taking the maximum across channels whose detectors are tuned to rotated versions "
         "of the pattern", True, "Pooling across channels, as in Deep Learning's Fig. 9.9; the "
                                 "detectors must be learned."),
        ("By max pooling over space with a large window", False,
         "Spatial pooling tolerates only small rotations, as it tolerates small shifts (1 degree "
         "keeps about half of a photo's 4 x 4 max-pooled values, 5 degrees almost none); a "
         "90-degree rotation turns the pooled map with the input (when the size is a multiple "
         "of the stride) instead of leaving it unchanged."),
        ("By spatial pyramid pooling", False,
         "SPP gives one output length for any input size and nearly the same vector when the "
         "whole image is resized, but its bins do not turn: a rotated pattern falls into other "
         "bins."),
        ("Pooling gives it automatically", False,
         "Spatial pooling gives approximate tolerance to small shifts, small rotations and small "
         "rescalings, and no invariance to large ones.")]),
    mc("Three stacked 3 x 3 convolutions versus one 7 x 7 convolution, C channels in and out. "
       "Which is true?",
       [("Same receptive field, 27C^2 versus 49C^2 weights, three non-linearities versus one",
         True, "The stack sees 7 x 7 cells with fewer weights and more non-linearity."),
        ("The 7 x 7 convolution sees more of the input", False, "Both see 7 x 7 input cells."),
        ("The stack has more weights", False, "3 x 9 C^2 = 27 C^2 is less than 49 C^2."),
        ("They compute the same function", False, "The stack has non-linearities in between; "
                                                  "one 7 x 7 layer has one.")]),
    mc("What did AlexNet's authors report about pooling and overfitting?",
       [("Overlapping pooling made models slightly more difficult to overfit", True,
         "A weak, indirect effect; pooling is not a regulariser you can count on."),
        ("Pooling prevents overfitting", False, "Nothing in the paper supports so strong a claim."),
        ("Pooling causes overfitting", False, "They observed the opposite, slightly."),
        ("Pooling has no effect on anything", False, "Overlapping pooling lowered their error "
                                                     "rates a little.")]),
]


# --- hard exercises (issue 12) ---
#
# ``ex-ch02-vgg-field``: where, exactly, does one unit after VGG-16's third pooling layer look?
# The learner gives (size, jump, first, last): the field's size, the jump, and the first and last
# input pixels (inclusive, padding counted as negative or past-the-end positions) of the first
# unit's field. The expected values come from :func:`poolkit.receptive_field`, whose start is the
# centre of the first unit's field: first = start - (size - 1) / 2, last = start + (size - 1) / 2.

#: The layers of VGG-16's first three stages, as (kernel_size, stride, padding), after Simonyan
#: and Zisserman (2015), 3x3 convolutions with stride 1 and padding 1, and 2x2 max pooling with stride 2.
VGG_STAGES = ((3, 1, 1), (3, 1, 1), (2, 2, 0),
              (3, 1, 1), (3, 1, 1), (2, 2, 0),
              (3, 1, 1), (3, 1, 1), (3, 1, 1), (2, 2, 0))


def vgg_field() -> tuple[int, int, int, int]:
    """(size, jump, first, last) of the first unit after :data:`VGG_STAGES`, from :func:`poolkit.receptive_field`.

    Examples
    --------
    >>> vgg_field()
    (44, 8, -18, 25)
    """
    rf = pk.receptive_field([dict(kernel_size=k, stride=s, padding=p) for k, s, p in VGG_STAGES])
    half = (rf.size - 1) / 2
    first, last = rf.start - half, rf.start + half
    assert first == int(first) and last == int(last)
    return int(rf.size), int(rf.jump), int(first), int(last)


_SIZE, _JUMP, _FIRST, _LAST = VGG_FIELD_ANSWER = vgg_field()
_LAYERS = [(k, st) for k, st, _ in VGG_STAGES]


def _ints4(answer):
    """``answer`` as four ints (a tuple or list of integral numbers), or None."""
    if not isinstance(answer, (tuple, list)) or len(answer) != 4:
        return None
    if any(isinstance(v, (bool, np.bool_)) or int(v) != v for v in answer):
        return None
    return tuple(int(v) for v in answer)


def _vgg(test):
    """A ``when`` for the catalogue: ``test(size, jump, first, last)`` on an answer of four ints."""
    return lambda answer: (a := _ints4(answer)) is not None and bool(test(*a))


# Tried in order, first match wins: a wrong size first, then a wrong jump, then the field's ends.
_VGG_MISTAKES = [
    Mistake(_RF_MISTAKES["no_jump"], when=_vgg(lambda s, j, f, l: s != _SIZE and s == _rf_variant(_LAYERS, "no_jump"))),
    Mistake(_RF_MISTAKES["jump_first"],
            when=_vgg(lambda s, j, f, l: s != _SIZE and s == _rf_variant(_LAYERS, "jump_first"))),
    Mistake(_RF_MISTAKES["sum_k"], when=_vgg(lambda s, j, f, l: s != _SIZE and s == _rf_variant(_LAYERS, "sum_k"))),
    Mistake("the third pooling layer grows the field too, by (2 - 1) times the jump before it, 4",
            when=_vgg(lambda s, j, f, l: s != _SIZE and s == _rf_variant(_LAYERS[:-1]))),
    Mistake("walk through the ten layers with r += (k - 1) * j, then j *= s",
            when=_vgg(lambda s, j, f, l: s != _SIZE)),
    Mistake("that is the jump before the third pooling; after it the jump is 2 * 2 * 2 = 8",
            when=_vgg(lambda s, j, f, l: j == _JUMP // 2)),
    Mistake("only the three poolings have stride 2, so the jump is 2 ** 3", when=_vgg(lambda s, j, f, l: j != _JUMP)),
    Mistake("that field starts at pixel 0, as if there were no padding; with padding 1 a 3x3 "
            "convolution does not move the centre ((3 - 1) / 2 - 1 = 0), so the first unit's "
            "field reaches into the padding, at negative pixels",
            when=_vgg(lambda s, j, f, l: (f, l) == (0, _SIZE - 1))),
    Mistake("first and last are both inclusive: last = first + size - 1",
            when=_vgg(lambda s, j, f, l: l - f == _SIZE)),
    Mistake("the size is right but the field is shifted: track its centre, start += "
            "((k - 1) / 2 - p) * j for each layer; a padded 3x3 convolution does not move it, "
            "a 2x2 pooling moves it by half the jump before it",
            when=_vgg(lambda s, j, f, l: l - f == _SIZE - 1 and f != _FIRST)),
    Mistake("the field has size cells, so last - first = size - 1", when=_vgg(lambda s, j, f, l: l - f != _SIZE - 1)),
]

VGG_FIELD = ValueExercise(
    "vgg_field", VGG_FIELD_ANSWER, mistakes=_VGG_MISTAKES,
    task="replace ... in `vgg_field = ...` with (size, jump, first, last), four integers, "
         "and run this cell again",
    hint="use the size, jump and centre recurrences layer by layer; first and last are "
         "the centre minus and plus (size - 1) / 2")


@VGG_FIELD.entry
def check_vgg_field(answer: Any):
    """Check ``(size, jump, first, last)`` for one unit after VGG-16's third pooling layer.

    ``first`` and ``last`` are the first and last input pixels (inclusive) of the field of the
    first unit (row or column 0); a negative pixel is padding. Expected values from
    :func:`poolkit.receptive_field` (size 44, jump 8, centre 3.5). Hints: the receptive-field
    recurrence's usual mistakes, the jump before the last pooling, the field without padding,
    an exclusive last pixel and a shifted centre.

    Examples
    --------
    >>> r = check_vgg_field((44, 8, -18, 25))
    Correct.
    >>> r = check_vgg_field((44, 8, 0, 43))
    Not quite: item 2 of vgg_field is too large. Hint: that field starts at pixel 0, as if there were no padding; with padding 1 a 3x3 convolution does not move the centre ((3 - 1) / 2 - 1 = 0), so the first unit's field reaches into the padding, at negative pixels.
    """
    return VGG_FIELD.run(answer)
