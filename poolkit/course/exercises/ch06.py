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

import contextlib
import sys

import numpy as np

from .authoring import Case, CodeExercise, Mistake, check_choice, check_value, checker
from .authoring import FAILED, Timeout, call_quietly, check_function, diagnose, fail_line, finish, same_array
from .checks import REFERENCE_UNAVAILABLE
from .guard import copy_arg
from .quiz import mc

__all__ = ["check_comparisons", "bytes_moved_reference", "check_bytes_moved", "check_training_claim",
           "QUIZ", "count_line_events", "check_max_backward_vectorised"]


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


# --- hard exercises (issue 12) ---

# ---------------------------------------------------------------------------
# Code exercise: max backward with no Python loop over the windows
# ---------------------------------------------------------------------------

def _backward_variant(grad_out, x, k, s, variant="right"):
    """Max backward (2-D, no padding, floor mode) written as a loop, with switches for the usual mistakes.

    ``"right"`` is the answer: each window sends its gradient to its first
    maximum in row-major order, and overlapping windows add up.
    """
    x = np.asarray(x, dtype=float)
    grad_x = np.zeros(x.shape)
    oh, ow = grad_out.shape
    for i in range(oh):
        for j in range(ow):
            window = x[i * s:i * s + k, j * s:j * s + k]
            g = grad_out[i, j]
            flat = window.ravel()
            winners = np.flatnonzero(flat == flat.max())
            if variant == "spread":
                grad_x[i * s:i * s + k, j * s:j * s + k] += g / (k * k)
                continue
            if variant == "last":
                targets, share = winners[-1:], g
            elif variant == "all_tied":
                targets, share = winners, g
            elif variant == "split":
                targets, share = winners, g / len(winners)
            else:
                targets, share = winners[:1], g
            for t in targets:
                r, c = divmod(int(t), k)
                if variant == "transposed":
                    r, c = c, r
                if variant == "no_stride":
                    row, col = i + r, j + c
                else:
                    row, col = i * s + r, j * s + c
                if variant == "assign":
                    grad_x[row, col] = share
                else:
                    grad_x[row, col] += share
    return grad_x


_VEC_HINTS = {
    "assign": "where windows overlap (stride < kernel) a cell can win several windows and must get "
              "the sum of their gradients; grad_x[rows, cols] += g keeps only one of them: use "
              "np.add.at(grad_x, (rows, cols), g)",
    "last": "on a tie you sent the gradient to the last maximum; argmax over the window's k*k "
            "values in row-major order gives the first one",
    "all_tied": "every tied maximum received the full gradient (a mask window == max); only the "
                "first one in row-major order should",
    "split": "you split the gradient between tied maxima; all of it goes to the first one in "
             "row-major order",
    "spread": "you spread the gradient over the whole window, which is average pooling's backward",
    "transposed": "you decoded the flat offset the wrong way round: in a k x k window, "
                  "offset t is row t // k and column t % k",
    "no_stride": "window (i, j) starts at row i * stride and column j * stride",
}

#: Line events of the learner's code allowed to grow between the small and the large map.
LINE_SLACK = 5


def _vec_cases():
    from poolkit.max_pool import max_pool2d_backward

    rng = np.random.default_rng(61)

    def case(x, k, s, label):
        x = np.asarray(x, dtype=np.float64)
        oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
        g = rng.integers(1, 10, size=(oh, ow)).astype(np.float64)
        expected = max_pool2d_backward(g[None], x[None], k, stride=s)[0]
        return Case(args=(g, x), kwargs={"kernel_size": k, "stride": s}, expected=expected, label=label)

    centre = rng.permutation(25).reshape(5, 5).astype(float)
    centre[2, 2] = 30.0
    return [
        case(rng.permutation(16).reshape(4, 4), 2, 2, "4x4 map, k=2, s=2, no ties"),
        case(rng.permutation(30).reshape(5, 6), 3, 2, "5x6 map, k=3, s=2, no ties"),
        case(rng.permutation(18).reshape(3, 6), 2, 2, "3x6 map, k=2, s=2 (not square)"),
        case(np.array([[0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0]]), 2, 2,
             "4x4 map of 0s and 1s, k=2, s=2 (ties in every window)"),
        case(centre, 3, 2, "5x5 map, k=3, s=2 (overlapping windows share their maximum)"),
        case(rng.permutation(36).reshape(6, 6), 3, 1, "6x6 map, k=3, s=1 (heavy overlap)"),
        case(rng.integers(0, 3, size=(7, 7)), 3, 2, "7x7 map of 0, 1 and 2, k=3, s=2 (ties and overlaps)"),
        case(rng.permutation(64).reshape(8, 8), 2, 3, "8x8 map, k=2, s=3 (gaps between windows)"),
    ]


def _library_dirs() -> tuple[str, ...]:
    """Folders whose code is not the learner's: numpy, poolkit and the standard library."""
    import os
    import sysconfig

    dirs = {os.path.dirname(np.__file__), os.path.dirname(os.path.dirname(__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        with contextlib.suppress(Exception):
            dirs.add(sysconfig.get_paths()[key])
    return tuple(os.path.join(os.path.realpath(d), "") for d in dirs if d)


def count_line_events(fn, *args, **kwargs) -> int:
    """Call ``fn(*args, **kwargs)`` and count the Python lines it runs outside numpy, poolkit and the standard library.

    A loop over windows runs its body once per window, so the count grows with
    the map; whole-array code (and a loop over the ``k*k`` offsets) does not.

    Examples
    --------
    >>> def loop(n):
    ...     total = 0
    ...     for i in range(n):
    ...         total += i
    ...     return total
    >>> count_line_events(loop, 10) - count_line_events(loop, 5)
    10
    """
    import os

    skip = _library_dirs()
    counted: dict = {}
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def tracer(frame, event, arg):
        code = frame.f_code
        mine = counted.get(code)
        if mine is None:
            name = code.co_filename
            path = os.path.realpath(name) if not name.startswith("<") else name
            mine = counted[code] = not (name.startswith("<frozen") or path.startswith(skip))
        return local if mine else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn(*args, **kwargs)
    finally:
        sys.settrace(previous)
    return count


def _growth(fn):
    """Extra line events on a 24 x 24 map over an 8 x 8 one (16 and 144 windows), or None if it cannot run."""
    rng = np.random.default_rng(62)
    counts = []
    for n in (8, 24):
        x = rng.standard_normal((n, n))
        g = np.ones((n // 2, n // 2))
        try:
            counts.append(call_quietly(count_line_events, (fn, g, x), {"kernel_size": 2, "stride": 2},
                                            5, label=f"{n}x{n} map, line count"))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            # a loop over windows traced line by line can run out of time: count it as growth
            return LINE_SLACK + 1 if isinstance(exc, Timeout) else None
    return counts[1] - counts[0]


@checker(limit=20, name="max_backward_vectorised")
def check_max_backward_vectorised(fn):
    """Check ``max_backward_vectorised(grad_out, x, kernel_size, stride)``: right values, no loop over windows.

    The gradients must equal :func:`poolkit.max_pool2d_backward` (2-D maps,
    no padding, floor mode) on eight cases with ties, overlaps and gaps.
    Then the Python lines the learner's code runs are counted
    (:func:`count_line_events`) on an 8 x 8 and a 24 x 24 map: they may grow
    by at most ``LINE_SLACK``, so a loop over the windows (or over rows
    of windows) fails while a loop over the ``k*k`` offsets passes. The
    usual mistakes are named: fancy-index ``+=`` on overlaps, the last or
    every tied maximum, a split gradient, average pooling's backward, a
    transposed offset and a window origin without the stride.

    Examples
    --------
    >>> def max_backward_vectorised(grad_out, x, kernel_size=2, stride=2):
    ...     grad_x = np.zeros(x.shape)
    ...     for i in range(grad_out.shape[0]):
    ...         for j in range(grad_out.shape[1]):
    ...             w = x[i * stride:i * stride + kernel_size, j * stride:j * stride + kernel_size]
    ...             r, c = divmod(int(np.argmax(w)), kernel_size)
    ...             grad_x[i * stride + r, j * stride + c] += grad_out[i, j]
    ...     return grad_x
    >>> r = check_max_backward_vectorised(max_backward_vectorised)
    Not quite: the values are right, but your code runs more Python lines on a 24 x 24 map than on an 8 x 8 one (a loop over the windows or their rows). Hint: loop at most over the k*k offsets of a window; find every window's first maximum at once (np.lib.stride_tricks.sliding_window_view, then argmax) and scatter with np.add.at.
    """
    name = "max_backward_vectorised"
    try:
        cases = _vec_cases()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return finish(name, FAILED, REFERENCE_UNAVAILABLE.format(type(exc).__name__))

    def wrong(variant):
        return lambda c: _backward_variant(c.args[0], c.args[1], c.kwargs["kernel_size"],
                                           c.kwargs["stride"], variant)

    mistakes = [(hint, wrong(v)) for v, hint in _VEC_HINTS.items()]
    cases = diagnose(fn, cases, mistakes, shape_hint="grad_x has the shape of x, "
                                  "including rows and columns no window covers (they get 0)", timeout=5)

    def run():
        return check_function(
            fn, cases, name=name,
            task="complete `max_backward_vectorised` with whole-array numpy, no loop over the windows",
            hints={"values": "each window sends its gradient to its first maximum (row-major); "
                             "overlapping windows add up",
                   "shape": "grad_x has the shape of x"},
            timeout=5)

    if not callable(fn) or not all(same_array(_safe_call(fn, c), c.expected) for c in cases):
        return run()
    grown = _growth(fn)
    if grown is not None and grown > LINE_SLACK:
        return finish(name, FAILED, fail_line(
            "Not quite", "the values are right, but your code runs more Python lines on a 24 x 24 map "
                         "than on an 8 x 8 one (a loop over the windows or their rows)",
            "loop at most over the k*k offsets of a window; find every window's first maximum at once "
            "(np.lib.stride_tricks.sliding_window_view, then argmax) and scatter with np.add.at"))
    return run()


def _safe_call(fn, case):
    try:
        return call_quietly(fn, tuple(copy_arg(a) for a in case.args), dict(case.kwargs), 5,
                                 label=case.label)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return None
