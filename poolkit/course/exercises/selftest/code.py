"""The self-test's Q18 to Q21: small functions, checked on cases worked out by hand.

Each ``check_qNN(fn)`` prints one line; the self-test's score card guards it
(the learner's function runs in a child process, also while diagnosing) and
adds the section to reread.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..authoring import Case, check_function, CheckResult, diagnose, Mistake

__all__ = ["Q18_CASES", "Q19_CASES", "Q20_CASES", "Q21_CASES", "Q21_MISTAKES", "q21_divisors", "CODE_CHECKS"]


# Q18. receptive_field_size(layers), layers = [(kernel_size, stride, dilation), ...].
# r starts at 1 and j at 1; each layer: r += (d(k-1) + 1 - 1) * j, then j *= s.
Q18_CASES = (
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
             for layers, expected, label, hint in Q18_CASES]
    return check_function(
        fn, cases, name="receptive_field_size",
        task="complete `receptive_field_size(layers)` and run this cell again",
        hints={"values": "r_out = r_in + (d(k - 1) + 1 - 1) * j_in and j_out = j_in * s, starting "
                         "from r = 1 and j = 1",
               "type": "return an int"},
    )


# Q19. adaptive_bins(n, m): bin i spans [floor(i n / m), ceil((i + 1) n / m)).
Q19_CASES = (
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
             for args, expected, label, hint in Q19_CASES]
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


Q20_CASES = (
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
             for g, x, k, s, e, label, hint in Q20_CASES]
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
Q21_CASES = (
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


def q21_divisors(n, k, s, p=0, ceil_mode=False, count_include_pad=True, *, rule_end=None):
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


def _rule_against_n(case):
    return q21_divisors(*case.args, rule_end=case.args[0])


#: Q21's known mistakes: each one's divisors on a case.
Q21_MISTAKES = [Mistake(_Q21_RULE_HINT, wrong=_rule_against_n)]


def _as_list_of_ints(result: Any) -> Any:
    """Let the learner return a list, a tuple or an integer numpy array."""
    if isinstance(result, np.ndarray) and result.ndim == 1 and result.dtype.kind in "iu":
        return [int(v) for v in result.tolist()]
    if isinstance(result, tuple):
        return list(result)
    return result


def _check_q21(fn: Any) -> CheckResult:
    cases = [Case(args=args, expected=expected, label=label, hint=hint)
             for args, expected, label, hint in Q21_CASES]
    target = fn
    if callable(fn):
        def target(*args, **kwargs):  # keeps NotImplementedError and stubs visible to the checker
            return _as_list_of_ints(fn(*args, **kwargs))
        # name the learner's parameters in messages, not the wrapper's
        target.__signature__ = _signature_or_none(fn)
        cases = diagnose(target, cases, Q21_MISTAKES, same=_same_list)
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


#: Q18 to Q21's checkers, by number.
CODE_CHECKS = {18: _check_q18, 19: _check_q19, 20: _check_q20, 21: _check_q21}
