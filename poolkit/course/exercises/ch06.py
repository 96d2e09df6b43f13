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

import math
import numbers

import numpy as np

from .authoring import Case, CodeExercise, Mistake, NotCheckable, ValueExercise, check_choice, check_value, checker
from .authoring import matches, typename
from .quiz import mc

__all__ = ["check_comparisons", "bytes_moved_reference", "check_bytes_moved", "check_training_claim",
           "QUIZ", "chain_reference", "check_chain_equivalent", "check_sppf_counts"]


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


# ---------------------------------------------------------------------------
# Hard exercise: SPPF, three chained 5 x 5 pools for SPP's 5, 9 and 13
# ---------------------------------------------------------------------------
#
# ``ex-ch06-sppf``. YOLOv5's SPPF block (Jocher et al.) replaces SPP's three parallel stride-1 max
# pools (5 x 5, 9 x 9, 13 x 13, padding k // 2) with one 5 x 5 pool applied three times: a max of
# maxes is the max over the union of the windows, and k x k windows chained t times reach
# t (k - 1) + 1 cells. Part (a) is that rule as a function, part (b) what it saves and costs.

#: The kernel sizes of SPP's three parallel pools, and the one kernel SPPF chains.
SPP_KERNELS = (5, 9, 13)
SPPF_KERNEL = 5


def chain_reference(kernel_size, times):
    """The one stride-1 max pool equal to ``times`` chained ``kernel_size`` pools (padding ``k // 2``).

    Returns ``(kernel, padding)``: each pool widens the reach by ``k - 1`` and the padding by ``k // 2``.

    Examples
    --------
    >>> chain_reference(5, 2), chain_reference(5, 3)
    ((9, 4), (13, 6))
    """
    k, t = int(kernel_size), int(times)
    return t * (k - 1) + 1, t * (k // 2)


def _pair(v):
    """``v`` as a pair of Python ints, or None."""
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if not isinstance(v, (tuple, list)) or len(v) != 2:
        return None
    if not all(isinstance(a, (numbers.Integral, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in v):
        return None
    return int(v[0]), int(v[1])


def _same_pair(got, expected) -> bool:
    return _pair(got) == expected


def _as_pair(fn):
    """``fn`` whose result, a list or array of two ints, is returned as a tuple (anything else unchanged)."""
    def call(*args, **kwargs):
        got = fn(*args, **kwargs)
        pair = _pair(got) if isinstance(got, (list, np.ndarray)) else None
        return got if pair is None else pair

    return call


#: (kernel_size, times), simplest first: one pool is itself, then SPPF's two and three.
CHAIN_CASES = ((5, 1), (5, 2), (5, 3), (3, 2), (3, 4), (7, 2), (1, 3))


def _chain_wrong(rule):
    return lambda case: rule(*case.args)


_CHAIN_MISTAKES = [
    Mistake("the padding grows with the window: each pool pads k // 2 more cells, so the one pool "
            "needs padding times * (k // 2), (K - 1) / 2 for its K-wide window, to keep the map's size; "
            "with padding k // 2 its output is smaller",
            wrong=_chain_wrong(lambda k, t: (t * (k - 1) + 1, k // 2))),
    Mistake("return (kernel, padding) in that order",
            wrong=_chain_wrong(lambda k, t: chain_reference(k, t)[::-1])),
    Mistake("the windows overlap: each further k x k pool reaches k - 1 more cells, not k "
            "(two 5 x 5 pools reach 5 + 4 = 9 cells)",
            wrong=_chain_wrong(lambda k, t: (t * k, t * (k // 2)))),
    Mistake("the windows overlap: each further k x k pool reaches k - 1 more cells, not k "
            "(two 5 x 5 pools reach 5 + 4 = 9 cells)",
            wrong=_chain_wrong(lambda k, t: (t * k, t * k // 2))),
    Mistake("the reaches add, they do not multiply: 5, 9, 13, ... grows by k - 1 per pool",
            wrong=_chain_wrong(lambda k, t: (k ** t, k ** t // 2))),
]

CHAIN = CodeExercise(
    "chain_equivalent",
    [Case(args=(k, t), expected=chain_reference(k, t), label=f"k={k}, {t} pool{'s' if t > 1 else ''}")
     for k, t in CHAIN_CASES],
    mistakes=_CHAIN_MISTAKES, same=_same_pair, adapt=_as_pair, limit=2,
    task="complete `chain_equivalent` so that it returns (kernel, padding) of the one pool",
    hint="follow one output cell back through the pools: each adds k // 2 cells on each side",
    hints={"values": "each stride-1 k x k pool with padding k // 2 reaches k // 2 more cells on each "
                     "side: after t pools the window is t (k - 1) + 1 wide and the padding t (k // 2)",
           "type": "return a tuple of two ints, (kernel, padding)"})


@CHAIN.entry
def check_chain_equivalent(fn):
    """Check ``chain_equivalent(kernel_size, times)``: the one max pool equal to a chain (part a).

    ``times`` stride-1 max pools with an odd ``kernel_size`` and padding
    ``kernel_size // 2`` equal one stride-1 pool with kernel ``times (k - 1) + 1``
    and padding ``times (k // 2)`` (the tests check it against ``poolkit.max_pool2d``).
    Named mistakes: a padding that does not grow, the pair reversed, reaches of
    ``times * k`` and of ``k ** times``.

    Examples
    --------
    >>> def chain_equivalent(kernel_size, times):
    ...     return times * (kernel_size - 1) + 1, kernel_size // 2
    >>> r = check_chain_equivalent(chain_equivalent)
    Case k=5, 2 pools: item 1 of the result is too small. Hint: the padding grows with the window: each pool pads k // 2 more cells, so the one pool needs padding times * (k // 2), (K - 1) / 2 for its K-wide window, to keep the map's size; with padding k // 2 its output is smaller.
    """
    return CHAIN.run(fn)


def _comparisons(k: int, separable: bool = False) -> int:
    """Comparisons for one output cell of a k x k max: k^2 - 1, or 2 (k - 1) row then column."""
    return 2 * (k - 1) if separable else k * k - 1


#: Part (b), per output cell and channel: SPP's three pools side by side, and SPPF's chain.
SPP_DIRECT = sum(_comparisons(k) for k in SPP_KERNELS)                       # 24 + 80 + 168 = 272
SPPF_DIRECT = len(SPP_KERNELS) * _comparisons(SPPF_KERNEL)                   # 3 * 24 = 72
SPP_SEPARABLE = sum(_comparisons(k, True) for k in SPP_KERNELS)              # 8 + 16 + 24 = 48
SPPF_SEPARABLE = len(SPP_KERNELS) * _comparisons(SPPF_KERNEL, True)          # 3 * 8 = 24
# Bytes: a stride-1 pool that keeps the size reads one map and writes one map. One 13 x 13 pool:
# 2 maps; the chain for it alone: 3 pools, 6 maps (y1 and y2 written and read back). In SPP and
# SPPF every pooled map is an output (both concatenate x, y1, y2, y3): 3 reads and 3 writes each.
TRAFFIC_13 = 3.0
TRAFFIC_SPP = 1.0


def _integral(answer):
    """A float with an integral value (a count computed by a division) as an int; anything else unchanged."""
    if isinstance(answer, (float, np.floating)) and math.isfinite(answer) and float(answer).is_integer():
        return int(answer)
    return answer


_K2 = "a max of n values takes n - 1 comparisons, not n: 24 for 5 x 5, 80 for 9 x 9, 168 for 13 x 13"
_ROW = "a row of k values takes k - 1 comparisons, so a separable k x k max takes 2 (k - 1), not 2k"

SPPF_PARTS = (
    ValueExercise("spp_direct", SPP_DIRECT, prepare=_integral, mistakes=[
        Mistake(_K2, answer=25 + 81 + 169),
        Mistake("SPP computes all three pools, 5 x 5, 9 x 9 and 13 x 13, side by side: add their "
                "counts", answer=_comparisons(13)),
        Mistake("that is SPPF's chain; SPP pools the input three times, with 5 x 5, 9 x 9 and 13 x 13",
                answer=SPPF_DIRECT),
        Mistake("that is the separable count; this part takes each window directly, k^2 - 1",
                answer=SPP_SEPARABLE)],
        hint="add k^2 - 1 over the three windows 5, 9 and 13"),
    ValueExercise("sppf_direct", SPPF_DIRECT, prepare=_integral, mistakes=[
        Mistake(_K2, answer=3 * 25),
        Mistake("the chain runs the 5 x 5 pool three times (for y1, y2 and y3): three times its count",
                answer=_comparisons(5)),
        Mistake("that is one 13 x 13 pool; the chain reaches it through three 5 x 5 pools",
                answer=_comparisons(13)),
        Mistake("that is SPP's count; SPPF runs only 5 x 5 pools", answer=SPP_DIRECT)],
        hint="three 5 x 5 pools, each k^2 - 1 comparisons"),
    ValueExercise("spp_separable", SPP_SEPARABLE, prepare=_integral, mistakes=[
        Mistake(_ROW, answer=10 + 18 + 26),
        Mistake("a separable pass along rows, then one along columns: count both passes of all three "
                "pools, 2 (k - 1) each", answer=4 + 8 + 12),
        Mistake("that is the direct count; separably a k x k max takes 2 (k - 1)", answer=SPP_DIRECT)],
        hint="add 2 (k - 1) over the three windows 5, 9 and 13"),
    ValueExercise("sppf_separable", SPPF_SEPARABLE, prepare=_integral, mistakes=[
        Mistake(_ROW, answer=3 * 10),
        Mistake("count both passes, rows then columns, of each of the three pools", answer=3 * 4),
        Mistake("the chain runs the 5 x 5 pool three times: three times its 2 (5 - 1)", answer=8),
        Mistake("that is the chain's direct count; separably each 5 x 5 takes 2 (5 - 1)", answer=SPPF_DIRECT),
        Mistake("that is SPP's separable count; SPPF runs three 5 x 5 pools", answer=SPP_SEPARABLE)],
        hint="three 5 x 5 pools, each separably 2 (5 - 1)"),
    ValueExercise("traffic_13", TRAFFIC_13, mistakes=[
        Mistake("the chain's intermediate maps y1 and y2 are written to memory and read back: three "
                "pools read and write a map each, one 13 x 13 pool only one", answer=1.0),
        Mistake("each intermediate map is written once and read once: 3 reads and 3 writes for the "
                "chain, 1 and 1 for one pool", answer=2.0),
        Mistake("that is the chain's bytes over the input's; one 13 x 13 pool moves two maps too, its "
                "input and its output", answer=6.0),
        Mistake("that is one pool's bytes over the chain's: divide the chain's bytes by the one "
                "pool's", when=lambda a: abs(float(a) - 1 / 3) < 1e-6)],
        hint="count the maps each pool reads and writes (pk.pool_bytes), for the chain and for one pool"),
    ValueExercise("traffic_spp", TRAFFIC_SPP, mistakes=[
        Mistake("in SPP and SPPF all of y1, y2, y3 are outputs (both concatenate them): SPP writes "
                "its three maps too, and reads the input three times, so the chain costs no extra "
                "traffic here", answer=3.0),
        Mistake("SPP reads its input once per pool, three times, and SPPF reads x, y1 and y2 once "
                "each", when=lambda a: float(a) in (2.0, 0.5) or abs(float(a) - 2 / 3) < 1e-6
                or float(a) == 1.5)],
        hint="count the maps each block reads and writes: SPP's three pools and SPPF's three pools"),
)

_SPPF_TASK = ("set sppf_counts to a dict with the six numbers, "
              + ", ".join(e.name for e in SPPF_PARTS) + ", and run this cell again")


def _read_counts(counts):
    if counts is None or counts is Ellipsis:
        return None
    if not isinstance(counts, dict):
        return NotCheckable(f"sppf_counts should be a dict, got {typename(counts)}",
                            "write it as {\"spp_direct\": ..., \"sppf_direct\": ..., ...}, one entry per number")
    missing = [e.name for e in SPPF_PARTS if e.name not in counts]
    if missing:
        return NotCheckable(f"sppf_counts has no entry {missing[0]}",
                            "give all six keys: " + ", ".join(e.name for e in SPPF_PARTS))
    return counts


SPPF_COUNTS = ValueExercise("sppf_counts", tuple(e.answer for e in SPPF_PARTS), task=_SPPF_TASK)


@SPPF_COUNTS.entry
def check_sppf_counts(counts):
    """Check part (b): comparisons per output cell of SPP and SPPF, and what chaining does to the bytes.

    ``counts`` is a dict of six numbers: ``spp_direct`` (SPP's 5, 9 and 13 pools,
    each window taking k^2 - 1 comparisons: 272), ``sppf_direct`` (three 5 x 5
    pools: 72), ``spp_separable`` (rows then columns, 2 (k - 1) each: 48),
    ``sppf_separable`` (24), ``traffic_13`` (the bytes of three chained 5 x 5
    pools over one 13 x 13 pool's: 3) and ``traffic_spp`` (SPPF's bytes over
    SPP's: 1). The first wrong number is reported, with the hint of its
    mistake (k^2 instead of k^2 - 1, 2k for the separable count, one pool for
    three, the intermediate maps left out, ...).

    Examples
    --------
    >>> r = check_sppf_counts({"spp_direct": 275, "sppf_direct": 72, "spp_separable": 48,
    ...                        "sppf_separable": 24, "traffic_13": 3, "traffic_spp": 1})
    Not quite: spp_direct is too large. Hint: a max of n values takes n - 1 comparisons, not n: 24 for 5 x 5, 80 for 9 x 9, 168 for 13 x 13.
    """
    counts = _read_counts(counts)
    if counts is None:
        return SPPF_COUNTS.run(None)
    if isinstance(counts, NotCheckable):
        return counts.report("sppf_counts")
    if all(counts[e.name] is None or counts[e.name] is Ellipsis for e in SPPF_PARTS):
        return SPPF_COUNTS.run(None)
    for part in SPPF_PARTS:
        value = counts[part.name]
        if value is None or value is Ellipsis:
            return check_value(None, 0, name=part.name, task=f"set sppf_counts[\"{part.name}\"] too")
        if not matches(part.prepare(value) if part.prepare else value, part.answer, 1e-6, 1e-9):
            return part.run(value)
    return SPPF_COUNTS.run(SPPF_COUNTS.answer)
