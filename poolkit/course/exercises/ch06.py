"""Checkers and quiz for chapter 6, "Count what pooling costs".

Each checker prints one line and never raises (see :mod:`poolkit.course.exercises.authoring`).

Examples
--------
>>> r = check_comparisons(4 * 64 * 56 * 56 * 8)
Correct.
>>> r = check_comparisons(4 * 64 * 56 * 56 * 9)
Not quite: comparisons is too large. Hint: that is the k*k convention; a max over 9 values needs only 8 comparisons.
"""

from __future__ import annotations

import numpy as np

from .authoring import Case, CodeExercise, Mistake, check_choice, check_value, checker
from .quiz import mc

__all__ = ["check_comparisons", "bytes_moved_reference", "check_bytes_moved", "check_training_claim",
           "QUIZ"]


# ---------------------------------------------------------------------------
# Numeric exercise: exact comparisons of a ResNet-style max pooling
# ---------------------------------------------------------------------------

#: Max pooling, kernel 3, stride 2, padding 1, on a batch of shape (4, 64, 112, 112), gives 56 x 56.
_N, _C, _OUT, _IN, _K = 4, 64, 56, 112, 3
COMPARISONS = _N * _C * _OUT * _OUT * (_K * _K - 1)

_CMP_HINTS = {
    _N * _C * _OUT * _OUT * _K * _K: "that is the k*k convention; a max over 9 values needs only 8 comparisons",
    _C * _OUT * _OUT * (_K * _K - 1): "you counted one image; the batch holds 4",
    _N * _C * _OUT * _OUT: "that is the number of windows; each needs k*k - 1 = 8 comparisons",
    _N * _C * _IN * _IN * (_K * _K - 1): "count windows on the output grid (56 x 56), not on the input",
    _N * _C * 55 * 55 * (_K * _K - 1): "the output is 56 wide: floor((112 + 2*1 - 3) / 2) + 1 = 56 "
                                       "(you left out the padding)",
    _N * _OUT * _OUT * (_K * _K - 1): "pooling works on each of the 64 channels separately",
}


@checker(limit=10, name="comparisons")
def check_comparisons(comparisons):
    """Check the exact number of comparisons of the numeric exercise.

    Parameters
    ----------
    comparisons : int
        The learner's count; ``...`` or ``None`` means not attempted.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> r = check_comparisons(4 * 64 * 56 * 56)
    Not quite: comparisons is too small. Hint: that is the number of windows; each needs k*k - 1 = 8 comparisons.
    """
    return check_value(comparisons, COMPARISONS, name="comparisons", hints=_CMP_HINTS,
                       task="set comparisons to your count and run this cell again",
                       hint="windows = N * C * OH * OW, and each window needs k*k - 1 comparisons")


# ---------------------------------------------------------------------------
# Code exercise: bytes moved by a pooling layer
# ---------------------------------------------------------------------------

def _out(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def bytes_moved_reference(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    """Least bytes a 2-D pooling layer reads and writes (square kernel, floor mode).

    The input is read once (``N*C*H*W*itemsize`` bytes), the output written
    once (``N*C*OH*OW*itemsize``), plus 8 bytes per output for int64 indices
    when ``return_indices`` is true.

    Examples
    --------
    >>> bytes_moved_reference((1, 64, 224, 224), 2, 2)
    16056320
    """
    N, C, H, W = input_shape
    oh, ow = _out(H, kernel_size, stride, padding), _out(W, kernel_size, stride, padding)
    n_out = N * C * oh * ow
    return N * C * H * W * itemsize + n_out * itemsize + (8 * n_out if return_indices else 0)


#: (input_shape, kernel_size, stride, padding, itemsize, return_indices), simplest first.
BYTES_CASES = (
    ((1, 1, 4, 4), 2, 2, 0, 4, False),
    ((1, 64, 224, 224), 2, 2, 0, 4, False),
    ((2, 3, 5, 7), 2, 2, 0, 8, False),
    ((1, 64, 112, 112), 3, 2, 1, 4, False),
    ((1, 64, 113, 113), 3, 2, 1, 2, True),
    ((8, 16, 33, 33), 3, 2, 0, 2, True),
)


def _bytes_mistakes(shape, k, s, p, item, idx):
    N, C, H, W = shape
    oh, ow = _out(H, k, s, p), _out(W, k, s, p)
    n_in, n_out = N * C * H * W, N * C * oh * ow
    yield n_in * item + (8 * n_out if idx else 0), "add the output: every pooled value is written once"
    yield n_out * item + (8 * n_out if idx else 0), "add the input: every input value is read once"
    if idx:
        yield (n_in + n_out) * item, "with return_indices the layer also writes one int64 (8 bytes) per output"
        yield (n_in + 2 * n_out) * item, "indices are int64, 8 bytes each, whatever the itemsize of the values"
    else:
        yield (n_in + n_out) * item + 8 * n_out, "count indices only when return_indices is True"
    yield n_in + n_out + (8 * n_out if idx else 0), "multiply the element counts by itemsize (bytes per value)"
    ohp, owp = _out(H, k, s, 0), _out(W, k, s, 0)
    n_outp = N * C * ohp * owp
    yield n_in * item + n_outp * item + (8 * n_outp if idx else 0), \
        "compute the output size with the padding: floor((H + 2p - k) / s) + 1"
    yield (n_out * k * k + n_out) * item + (8 * n_out if idx else 0), \
        "each input value is read once; do not count it once per window"


def _case_args(case):
    """The ``BYTES_CASES`` row a case was built from."""
    kw = case.kwargs
    return (*case.args, kw["padding"], kw["itemsize"], kw["return_indices"])


def _mistake(hint):
    def wrong(case):
        values = {h: v for v, h in _bytes_mistakes(*_case_args(case))}
        return values[hint]            # a KeyError: this mistake does not apply to the case
    return Mistake(hint, wrong=wrong)


def _merged_order():
    # Without indices: output, input, indices counted anyway, itemsize, padding, read per window;
    # with indices the two index mistakes come after output and input. One order fits both.
    plain = [h for _, h in _bytes_mistakes(*BYTES_CASES[0])]
    with_idx = [h for _, h in _bytes_mistakes(*BYTES_CASES[-1])]
    return plain[:3] + with_idx[2:4] + plain[3:]


#: The usual mistakes, in the order they are tried (each applies to the cases it names).
_BYTES_MISTAKES = [_mistake(hint) for hint in _merged_order()]


def _same_count(got, expected) -> bool:
    """An int result (not a bool) equal to ``expected``; never raises."""
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    return isinstance(got, (int, np.integer)) and not isinstance(got, (bool, np.bool_)) and int(got) == expected


def _label(shape, k, s, p, item, idx):
    text = f"{tuple(shape)}, k={k}, s={s}"
    if p:
        text += f", p={p}"
    text += f", itemsize={item}"
    if idx:
        text += ", with indices"
    return text


BYTES_MOVED = CodeExercise(
    "bytes_moved",
    lambda: [Case(args=(a[0], a[1], a[2]), kwargs={"padding": a[3], "itemsize": a[4], "return_indices": a[5]},
                  expected=bytes_moved_reference(*a), label=_label(*a)) for a in BYTES_CASES],
    mistakes=_BYTES_MISTAKES, same=_same_count, limit=2,
    task="complete `bytes_moved` so that it returns the bytes read plus the bytes written",
    hints={"values": "read = N*C*H*W*itemsize; written = N*C*OH*OW*itemsize, "
                     "plus 8 bytes per output for the indices",
           "type": "return an int (use // for the output size)"},
)


@BYTES_MOVED.entry
def check_bytes_moved(fn):
    """Check ``bytes_moved(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False)``.

    The expected values come from :func:`bytes_moved_reference`, which the
    tests hold equal to :func:`poolkit.pool_bytes`. A wrong count that matches
    a usual mistake (input or output left out, indices forgotten or sized
    wrong, element counts not multiplied by the itemsize, padding ignored) is
    named.

    Examples
    --------
    >>> def bytes_moved(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    ...     N, C, H, W = input_shape
    ...     return N * C * H * W * itemsize
    >>> r = check_bytes_moved(bytes_moved)
    Case (1, 1, 4, 4), k=2, s=2, itemsize=4: the result is too small. Hint: add the output: every pooled value is written once.
    """
    return BYTES_MOVED.run(fn)


# ---------------------------------------------------------------------------
# Conceptual exercise: what "no parameters" means for training
# ---------------------------------------------------------------------------

TRAINING_OPTIONS = {
    "A": "Backpropagation can skip a pooling layer, since there is nothing in it to update.",
    "B": "The gradient still has to pass through it, and max pooling must keep where each "
         "maximum was (or its input) from the forward pass to route that gradient.",
    "C": "Pooling reduces the number of weights of every convolution that follows it.",
    "D": "A pooling layer needs its own learning rate, like any other layer.",
}
TRAINING_WHY = {
    "A": "The layers before it need the gradient with respect to its input, so the backward pass "
         "must go through it, even though it updates nothing",
    "B": "No weights means no update and no optimizer state, but the backward pass still routes the "
         "gradient, and max pooling needs the argmax positions to do it",
    "C": "A convolution's weights depend on its kernel and channels only; pooling cuts its compute "
         "and memory, and cuts weights only for a layer whose size depends on the input size, such "
         "as a fully connected layer after flattening",
    "D": "A learning rate scales weight updates, and a pooling layer has no weights to update",
}


@checker(limit=10, name="training_claim")
def check_training_claim(answer):
    """Check the multiple-choice answer on what having no parameters means for training.

    Examples
    --------
    >>> r = check_training_claim("B")
    Correct: B. No weights means no update and no optimizer state, but the backward pass still routes the gradient, and max pooling needs the argmax positions to do it.
    """
    return check_choice(answer, "B", options=TRAINING_OPTIONS, explanations=TRAINING_WHY,
                        name="training_claim")


# ---------------------------------------------------------------------------
# Quiz
# ---------------------------------------------------------------------------

#: Four questions for ``pk.exercises.quiz.show(ch06.QUIZ)``; every answer says why.
#:
#: :meta hide-value:
QUIZ = [
    mc("How many comparisons does one 2 x 2 max pooling window need?",
       [("3", True, "Compare the first two values, then the winner with the third, then with the fourth: "
                    "k*k - 1 = 3."),
        ("4", False, "That is the k*k convention, one operation per cell; the first value needs no comparison."),
        ("2", False, "Two comparisons reduce three values; a window has four."),
        ("1", False, "One comparison picks the larger of two values only.")]),
    mc("Why is pooling usually limited by memory traffic rather than arithmetic?",
       [("With the usual stride of at least k, it does less than one operation per byte it moves, far "
         "below what a processor can compute while waiting for memory", True, "A 2 x 2 max does 3 comparisons per 20 bytes (four float32 reads "
                                           "and one write): the processor mostly waits for data."),
        ("Comparisons are slower than multiplications", False, "Comparisons are as cheap as additions; "
                                                               "the bottleneck is fetching the data."),
        ("Because it has no parameters to load", False, "Having no weights saves memory, but the input "
                                                        "still has to be read once and the output written once."),
        ("It is not: pooling is compute-bound like convolution", False, "A convolution reuses each input "
                                                                        "value for many weights; pooling "
                                                                        "uses each value about once.")]),
    mc("In the ResNet stem (7 x 7 convolution, then 3 x 3 max pooling with stride 2), what share of the "
       "arithmetic does the pooling do?",
       [("Under 1 %", True, "About 1.6 million comparisons against about 236 million convolution FLOPs."),
        ("About a quarter", False, "That would need a far larger window; count the FLOPs with pk.pool_flops "
                                   "and pk.conv2d_flops."),
        ("About half", False, "That is closer to its share of the memory traffic, not of the arithmetic."),
        ("None: pooling does no arithmetic", False, "Each window still needs k*k - 1 = 8 comparisons.")]),
    mc("Which layer's parameter count shrinks when a pooling layer is added before it?",
       [("A fully connected layer on the flattened feature map", True, "Its weights are (C*H*W) x units, "
                                                                       "so a 2 x 2 pooling divides them by 4."),
        ("A 3 x 3 convolution", False, "Its weights are C_out x C_in x 3 x 3 whatever the map's height and "
                                       "width; only its compute shrinks."),
        ("A batch normalisation layer", False, "It has two parameters per channel, whatever the map size."),
        ("Every later layer", False, "Only layers whose weights depend on the spatial size.")]),
]
