"""Checkers and quiz for chapter 3, *Choose among the kinds of pooling* (``ch-types``).

Each exercise is a declaration (:mod:`poolkit.course.exercises.authoring`) with its known
mistakes; each checker prints one line, never raises and never prints a float.

==========================  ==========================================  ====================================
exercise                    what the learner writes                     checker
==========================  ==========================================  ====================================
``ex-ch03-gap-matrix``      a letter                                    :func:`check_gap_matrix`
``ex-ch03-stochastic``      a number (stochastic pooling at test time)  :func:`check_stochastic_test_output`
``ex-ch03-adaptive``        ``adaptive_max_pool(x, out_size)``          :func:`check_adaptive_max_pool`
==========================  ==========================================  ====================================

The adaptive-pooling checker compares with :func:`poolkit.adaptive_max_pool2d`
(checked against PyTorch) and recognises two usual mistakes: rounding a bin's
end down, and using SPP-net's published window ``ceil(n/m)`` and stride
``floor(n/m)`` instead of adaptive bins.

Examples
--------
>>> r = check_stochastic_test_output(3)
Correct.
>>> r = check_stochastic_test_output(2)
Not quite: test_output is too small. Hint: 2 is the plain mean; at test time each value is weighted by its probability a_i / sum(a), so large values count more.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import poolkit as pk

from .authoring import Case, ChoiceExercise, CodeExercise, Mistake, ValueExercise
from .quiz import mc

__all__ = ["check_gap_matrix", "check_stochastic_test_output", "check_adaptive_max_pool",
           "check_softmax_pool_backward", "QUIZ"]


# ---------------------------------------------------------------------------
# Conceptual exercise: global average pooling as a matrix
# ---------------------------------------------------------------------------

GAP_OPTIONS = {
    "A": "A dense C x CHW matrix learned during training",
    "B": "A fixed C x CHW matrix whose entries are all 1/(CHW)",
    "C": "A fixed block-diagonal C x CHW matrix: row c holds 1/(HW) on channel c's entries and 0 elsewhere",
    "D": "None: global average pooling is not linear",
}
GAP_EXPLANATIONS = {
    "A": "That is a fully connected layer; global average pooling learns nothing and never mixes "
         "channels",
    "B": "That matrix would average all channels together into one number per row; global average "
         "pooling keeps the channels apart",
    "C": "Each output averages its own channel with equal weights 1/(HW); everything outside the "
         "diagonal blocks is 0 and nothing is learned",
    "D": "An average is linear; it is global max pooling that is not",
}

GAP = ChoiceExercise("gap_answer", GAP_OPTIONS, "C", why=GAP_EXPLANATIONS)


@GAP.entry
def check_gap_matrix(answer: Any):
    """Check the letter chosen in ``ex-ch03-gap-matrix``.

    Examples
    --------
    >>> r = check_gap_matrix("A")
    Not quite: A is not right. That is a fully connected layer; global average pooling learns nothing and never mixes channels.
    """
    return GAP.run(answer)


# ---------------------------------------------------------------------------
# Numeric exercise: stochastic pooling at test time
# ---------------------------------------------------------------------------

#: The window of the exercise, after a ReLU.
STOCHASTIC_WINDOW = (0.0, 2.0, 4.0, 2.0)
#: sum(a_i^2) / sum(a_i) = 24 / 8.
STOCHASTIC_TEST_OUTPUT = 3.0

_STOCHASTIC_HINTS = {
    2: "2 is the plain mean; at test time each value is weighted by its probability a_i / sum(a), "
       "so large values count more",
    4: "4 is the maximum, the most likely draw during training; at test time stochastic pooling "
       "outputs the probability-weighted mean sum(p_i a_i)",
    24: "24 is sum(a_i^2); divide by sum(a_i) = 8 to turn the values into probabilities",
    8: "8 is the sum of the values; the output is sum(p_i a_i) with p_i = a_i / 8",
    0.5: "1/2 is the probability of the largest value, not the output",
}

STOCHASTIC = ValueExercise(
    "test_output", STOCHASTIC_TEST_OUTPUT, mistakes=_STOCHASTIC_HINTS,
    task="replace ... in `test_output = ...` with the test-time output and run this cell again",
    hint="p_i = a_i / sum(a); the test-time output is sum(p_i * a_i)")


@STOCHASTIC.entry
def check_stochastic_test_output(answer: Any):
    """Check the test-time output of stochastic pooling on ``[[0, 2], [4, 2]]`` (exactly 3).

    Examples
    --------
    >>> r = check_stochastic_test_output(4)
    Not quite: test_output is too large. Hint: 4 is the maximum, the most likely draw during training; at test time stochastic pooling outputs the probability-weighted mean sum(p_i a_i).
    """
    return STOCHASTIC.run(answer)


# ---------------------------------------------------------------------------
# Code exercise: adaptive max pooling
# ---------------------------------------------------------------------------

_RNG_SEED = 303

_ADAPTIVE_MISTAKES = {
    "floor_end": "a bin ends at ceil((i+1) * n / m), rounded up: rounding the end down drops "
                 "cells (and can leave a bin empty)",
    "published": "that is SPP-net's published window ceil(n/m) with stride floor(n/m), which does "
                 "not always give m bins; adaptive bins run from floor(i*n/m) to ceil((i+1)*n/m)",
    "round_both": "use floor for a bin's start and ceil for its end, not round(): "
                  "[floor(i*n/m), ceil((i+1)*n/m))",
}


def bin_edges(n, m, variant="right"):
    """Bins (start, end) along one axis, with switches for the checker's usual mistakes.

    Examples
    --------
    >>> bin_edges(5, 3), bin_edges(5, 3, "published")
    ([(0, 2), (1, 4), (3, 5)], [(0, 2), (1, 3), (2, 4)])
    """
    out = []
    for i in range(m):
        if variant == "floor_end":
            out.append((i * n // m, (i + 1) * n // m))
        elif variant == "published":
            window, stride = -(-n // m), n // m
            out.append((i * stride, i * stride + window))
        elif variant == "round_both":
            out.append((int(round(i * n / m)), int(round((i + 1) * n / m))))
        else:
            out.append((i * n // m, -(-(i + 1) * n // m)))
    return out


def _adaptive_variant(x, out_size, variant):
    rows, cols = bin_edges(x.shape[0], out_size[0], variant), bin_edges(x.shape[1], out_size[1], variant)
    return np.array([[x[r0:r1, c0:c1].max() for c0, c1 in cols] for r0, r1 in rows])


_ADAPTIVE_SHAPE_HINT = ("the output has out_size = (OH, OW) cells: OH bins along the rows, OW "
                        "along the columns")


def _adaptive_cases() -> list[Case]:
    rng = np.random.default_rng(_RNG_SEED)
    specs = [
        ((4, 4), (2, 2), "4x4 to (2, 2) (even bins)"),
        ((5, 5), (3, 3), "5x5 to (3, 3) (bins of 2, 3 and 2 cells that overlap)"),
        ((7, 5), (4, 3), "7x5 to (4, 3) (rectangular, uneven)"),
        ((6, 6), (4, 4), "6x6 to (4, 4)"),
        ((3, 3), (3, 3), "3x3 to (3, 3) (one cell per bin)"),
        ((2, 3), (3, 4), "2x3 to (3, 4) (output larger than the input)"),
    ]
    cases = []
    for shape, out_size, label in specs:
        x = rng.standard_normal(shape)
        expected = pk.adaptive_max_pool2d(x[None], out_size)[0]
        cases.append(Case(args=(x, out_size), expected=expected, label=label,
                          hint="bin i of an axis with n cells and m bins covers "
                               "[floor(i*n/m), ceil((i+1)*n/m))"))
    return cases


ADAPTIVE = CodeExercise(
    "adaptive_max_pool", _adaptive_cases, shape_hint=_ADAPTIVE_SHAPE_HINT,
    mistakes=[Mistake(hint, wrong=lambda case, v=v: _adaptive_variant(case.args[0], case.args[1], v))
              for v, hint in _ADAPTIVE_MISTAKES.items()],
    task="complete `adaptive_max_pool` so that it returns the pooled map of shape out_size",
    hints={"type": "return a numpy array of shape out_size"})


@ADAPTIVE.entry
def check_adaptive_max_pool(fn: Any):
    """Check the learner's ``adaptive_max_pool(x, out_size)`` on 2-D maps.

    The cases: even bins, uneven overlapping bins, a rectangular map, an
    output as large as the input and one larger than the input. Expected
    values come from :func:`poolkit.adaptive_max_pool2d`.

    Examples
    --------
    >>> def adaptive_max_pool(x, out_size):
    ...     (H, W), (OH, OW) = x.shape, out_size
    ...     rows = [(i * H // OH, -(-(i + 1) * H // OH)) for i in range(OH)]
    ...     cols = [(j * W // OW, -(-(j + 1) * W // OW)) for j in range(OW)]
    ...     return np.array([[x[a:b, c:d].max() for c, d in cols] for a, b in rows])
    >>> r = check_adaptive_max_pool(adaptive_max_pool)
    Passes all 6 cases.
    """
    return ADAPTIVE.run(fn)


# ---------------------------------------------------------------------------
# Quiz
# ---------------------------------------------------------------------------

#: Five questions for ``pk.exercises.quiz.show(ch03.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("For one and the same window of real cells (no padding), which is always true?",
       [("max pooling's output is at least average pooling's", True,
         "A maximum is never below a mean."),
        ("average pooling's output is at least max pooling's", False,
         "The mean of some values cannot exceed their largest one."),
        ("the two outputs are equal", False, "Only when every value in the window is the same."),
        ("it depends on the padding", False, "Not for the same real cells. With padding the two "
         "layers see different windows (max pads with $-\\infty$, average with 0 counted in the "
         "divisor by default), and at the border of a negative map the average can exceed the "
         "maximum; this question has no padding.")]),
    mc("Spatial pyramid pooling with levels (1, 2, 4) on a map with 256 channels. How long is "
       "its output for a 13 x 13 map, and for a 10 x 20 map?",
       [("5376 both times", True, "256 x (1 + 4 + 16) = 5376, whatever the height and width."),
        ("21 both times", False, "21 bins per channel, and there are 256 channels."),
        ("It depends on the input size", False, "Fixed bins per level make the length fixed; "
                                                "that is the point of the pyramid."),
        ("256 both times", False, "That is global pooling, the level 1 alone.")]),
    mc("Adaptive pooling of an axis of 5 cells into 3 bins. Which bins does it use?",
       [("[0, 2), [1, 4), [3, 5)", True, "floor(i*5/3) to ceil((i+1)*5/3): sizes 2, 3, 2, "
                                          "overlapping at cells 1 and 3."),
        ("[0, 2), [2, 4), [4, 5)", False, "That is a window of 2 with stride 2 in ceil mode; "
                                          "adaptive bins cover the axis evenly."),
        ("[0, 1), [1, 3), [3, 5)", False, "That rounds the ends down; the end of a bin is "
                                          "rounded up."),
        ("[0, 2), [1, 3), [2, 4)", False, "That is SPP-net's published window ceil(5/3) = 2 with "
                                          "stride floor(5/3) = 1, whose windows go on to [3, 5): 4 "
                                          "bins, not 3.")]),
    mc("Which pooling did AlexNet use, and what did its authors report?",
       [("3 x 3 windows with stride 2; slightly lower error and slightly harder to overfit", True,
         "Top-1 and top-5 error fell by 0.4 and 0.3 points against 2 x 2 windows with stride 2."),
        ("2 x 2 windows with stride 2; much lower error", False,
         "That was the non-overlapping baseline they compared with."),
        ("global average pooling at the head", False, "AlexNet ends in fully connected layers; "
                                                      "NiN introduced global average pooling."),
        ("3 x 3 windows with stride 3; no effect", False, "Stride 3 with a 3 x 3 window does not "
                                                          "overlap.")]),
    mc("What does Lp pooling of a window tend to as p grows without bound?",
       [("the largest absolute value in the window", True, "The largest |x_i| dominates the sum "
                                                           "of p-th powers."),
        ("the sum of the window", False, "That is p = 1 (for non-negative values)."),
        ("the mean of the window", False, "No p gives the mean: p = 1 gives the sum, n times the "
                                          "mean."),
        ("zero", False, "The p-th root brings the sum of powers back to the scale of the "
                        "values.")]),
]


# --- hard exercises (issue 12) ---
#
# ``ex-ch03-softmax-backward``: the backward pass of softmax pooling. A window x_1 ... x_n
# pools to y = sum_i p_i x_i with p = softmax(beta x); beta = 0 is the mean, beta -> +inf the
# maximum, beta -> -inf the minimum. Its derivative is dy/dx_i = p_i (1 + beta (x_i - y)). The
# expected gradients come from the plain loop below, itself checked against central
# differences in the tests.


def _softmax_weights(w, beta):
    z = beta * w
    e = np.exp(z - z.max())                          # unchanged by the shift, never overflows
    return e / e.sum()


def _softmax_variant(grad_out, x, k, beta, variant="right"):
    """Softmax-pooling backward (stride k, no padding), with switches for the usual mistakes."""
    grad_x = np.zeros(x.shape)
    for i in range(x.shape[0] // k):
        for j in range(x.shape[1] // k):
            w = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            g = grad_out[i, j]
            if variant == "naive_exp":
                e = np.exp(beta * w)
                p = e / e.sum()
            else:
                p = _softmax_weights(w, beta)
            y = (p * w).sum()
            if variant == "constant_weights":
                d = p
            elif variant == "sign":
                d = p * (1 - beta * (w - y))
            elif variant == "no_beta":
                d = p * (1 + (w - y))
            elif variant == "max_route":
                d = np.zeros(w.shape)
                d.flat[np.argmax(w)] = 1.0
            elif variant == "mean_route":
                d = np.full(w.shape, 1.0 / w.size)
            else:                                    # "right" and "naive_exp"
                d = p * (1 + beta * (w - y))
            grad_x[i * k:(i + 1) * k, j * k:(j + 1) * k] = g * d
    return grad_x


_SOFTMAX_HINTS = {
    "constant_weights": "you treated the weights p_i as constants, but they depend on x too: "
                        "differentiate y = sum_j p_j x_j with the product rule, using "
                        "dp_j/dx_i = beta p_j (delta_ij - p_i)",
    "sign": "check the sign: raising x_i above the output y raises its weight, so "
            "dy/dx_i = p_i (1 + beta (x_i - y)), with a plus",
    "no_beta": "the chain rule through exp(beta x_i) brings a factor beta: "
               "dy/dx_i = p_i (1 + beta (x_i - y))",
    "max_route": "that is max pooling's backward, the limit beta -> infinity; for a finite beta "
                 "every cell of the window gets a share",
    "mean_route": "that is average pooling's backward, right only for beta = 0; the weights are "
                  "p_i = softmax(beta x)_i and the derivative p_i (1 + beta (x_i - y))",
}


def _softmax_cases() -> list[Case]:
    rng = np.random.default_rng(_RNG_SEED + 12)

    def case(x, k, beta, label, hint=None):
        x = np.asarray(x, dtype=np.float64)
        g = rng.integers(1, 10, size=(x.shape[0] // k, x.shape[1] // k)).astype(np.float64)
        return Case(args=(g, x, k, beta), expected=_softmax_variant(g, x, k, beta),
                    label=label, hint=hint)

    running = np.array([[1, 3, 4, 7], [6, 2, 7, 2], [0, 4, 1, 3], [8, 4, 2, 2]])
    big = 500.0 + rng.permutation(16).reshape(4, 4) * 30.0
    formula = "dy/dx_i = p_i (1 + beta (x_i - y)), with p = softmax(beta * window)"
    return [
        case(running, 2, 1.0, "the running example, k=2, beta=1", formula),
        case(rng.standard_normal((4, 6)), 2, 0.0, "4x6 map, k=2, beta=0 (the mean)",
             "with beta = 0 every weight is 1/n and softmax pooling is the mean: each cell gets "
             "grad_out / (k * k)"),
        case(rng.standard_normal((6, 6)), 3, 2.5, "6x6 map, k=3, beta=2.5", formula),
        case(rng.standard_normal((4, 4)), 2, -2.0, "4x4 map, k=2, beta=-2 (a soft minimum)",
             "the formula holds for a negative beta too: then the smallest cells get the largest "
             "weights"),
        case(np.full((2, 4), 3.0), 2, 4.0, "2x4 map of equal values, k=2, beta=4",
             "when all cells are equal, p_i = 1/n and x_i - y = 0, so each cell gets "
             "grad_out / n"),
        case(rng.standard_normal((5, 7)), 2, 1.5, "5x7 map, k=2, beta=1.5 (last row and column "
             "in no window)", "the cells in no window get gradient 0; grad_x has the shape of x"),
        case(big, 2, 3.0, "4x4 map of values from 500 to 950, k=2, beta=3",
             "exp(beta * x) overflows to inf for values this large (inf / inf is NaN): subtract "
             "each window's maximum of beta * x before exp, which leaves the softmax unchanged"),
    ]


SOFTMAX_BACKWARD = CodeExercise(
    "softmax_pool_backward", _softmax_cases, shape_hint="grad_x has the shape of x", rtol=1e-6, atol=1e-9,
    mistakes=[Mistake(text, wrong=lambda c, v=v: _softmax_variant(*c.args, variant=v))
              for v, text in _SOFTMAX_HINTS.items()],
    task="complete `softmax_pool_backward` so that it returns the gradient with respect to x",
    hints={"shape": "grad_x has the shape of x", "type": "return a numpy array with the shape of x"})


@SOFTMAX_BACKWARD.entry
def check_softmax_pool_backward(fn: Any):
    """Check ``softmax_pool_backward(grad_out, x, k, beta)``: softmax pooling's gradient (2-D, stride k).

    Each k x k window pools to ``y = sum_i p_i x_i`` with ``p = softmax(beta * window)``; the
    gradient is ``grad_out * p_i * (1 + beta * (x_i - y))``. Cases: the running example, the mean
    (``beta = 0``), ``k = 3``, a soft minimum (``beta < 0``), equal values, a map whose sides are
    not multiples of k, and values large enough to overflow ``exp`` unless each window's maximum
    is subtracted. Hints for weights treated as constants, a sign error, a missing factor beta,
    and max or average pooling's backward.

    Examples
    --------
    >>> def softmax_pool_backward(grad_out, x, k, beta):
    ...     grad_x = np.zeros(x.shape)
    ...     for i in range(x.shape[0] // k):
    ...         for j in range(x.shape[1] // k):
    ...             w = x[i*k:(i+1)*k, j*k:(j+1)*k]
    ...             e = np.exp(beta * w - (beta * w).max())
    ...             p = e / e.sum()
    ...             y = (p * w).sum()
    ...             grad_x[i*k:(i+1)*k, j*k:(j+1)*k] = grad_out[i, j] * p * (1 + beta * (w - y))
    ...     return grad_x
    >>> r = check_softmax_pool_backward(softmax_pool_backward)
    Passes all 7 cases.
    """
    return SOFTMAX_BACKWARD.run(fn)
