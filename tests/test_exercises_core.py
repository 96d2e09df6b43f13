"""The checker framework: one deterministic line, never an exception, never a float.

Every expected line below is written out by hand. The reference pooling here is
a hand-computed table (the course's 4x4 map pooled 2x2: max [[6, 7], [8, 3]]),
not the library's output.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from poolkit.course.exercises import authoring
from poolkit.course.exercises import (
    FAILED,
    NOT_ATTEMPTED,
    PASSED,
    Case,
    CheckResult,
    Scorecard,
    check_choice,
    check_function,
    check_output_size_fn,
    check_value,
    score,
)

X = np.array([[1.0, 3, 4, 7], [6, 2, 7, 2], [0, 4, 1, 3], [8, 4, 2, 2]])
ONE = np.array([[1.0, 2.0], [3.0, 4.0]])
WITH_NAN = np.array([[np.nan, 1.0], [2.0, 3.0]])


def cases():
    return [
        Case(args=(X.copy(), 2), expected=np.array([[6.0, 7.0], [8.0, 3.0]]), label="4x4, k=2"),
        Case(args=(ONE.copy(), 1), expected=ONE.copy(), label="k=1"),
        Case(args=(WITH_NAN.copy(), 2), expected=np.array([[np.nan]]), label="NaN"),
    ]


def good(x, k):
    h, w = x.shape
    out = np.zeros((h // k, w // k))
    for i in range(h // k):
        for j in range(w // k):
            out[i, j] = np.max(x[i * k:(i + 1) * k, j * k:(j + 1) * k])
    return out


FLOAT = re.compile(r"\d\.\d|\d\.(?=[,;)\]])")


def run(capsys, fn, **kw):
    """Check ``fn`` against the standard cases; return (result, printed text)."""
    result = check_function(fn, cases(), name="pool", **kw)
    out = capsys.readouterr()
    assert out.err == ""
    return result, out.out


def one_line(text):
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    assert not FLOAT.search(text), f"a float was printed: {text!r}"
    return text[:-1]


# --------------------------------------------------------------------------
# check_function: every kind of learner input
# --------------------------------------------------------------------------

NOT_ATTEMPTED_LINE = "Not attempted yet: complete `pool` and run this cell again."


def test_correct_function_passes(capsys):
    r, out = run(capsys, good)
    assert one_line(out) == "Passes all 3 cases."
    assert r.passed and r.status == PASSED and r.attempted and bool(r)


@pytest.mark.parametrize("stub", [None, Ellipsis], ids=["None", "Ellipsis"])
def test_missing_function_is_not_attempted(capsys, stub):
    r, out = run(capsys, stub)
    assert one_line(out) == NOT_ATTEMPTED_LINE
    assert r.status == NOT_ATTEMPTED and not r.attempted and not r.passed


def test_not_implemented_stub_is_not_attempted(capsys):
    def pool(x, k):
        raise NotImplementedError("write me")

    r, out = run(capsys, pool)
    assert one_line(out) == NOT_ATTEMPTED_LINE
    assert r.status == NOT_ATTEMPTED


def test_stub_returning_none_is_not_attempted_with_a_nudge(capsys):
    def pool(x, k):
        out = good(x, k)  # noqa: F841  (forgot to return it)

    r, out = run(capsys, pool)
    assert one_line(out) == ("Not attempted yet: complete `pool` and run this cell again "
                             "(`pool` returned None; did you forget `return`?).")
    assert r.status == NOT_ATTEMPTED


def test_stub_returning_ellipsis_is_not_attempted(capsys):
    r, out = run(capsys, lambda x, k: ...)
    assert one_line(out) == ("Not attempted yet: complete `pool` and run this cell again "
                             "(`pool` returned ...; did you forget `return`?).")


def test_custom_task_text(capsys):
    r = check_function(None, cases(), name="pool", task="write pool(x, k) with two loops")
    assert not r.passed
    assert one_line(capsys.readouterr().out) == "Not attempted yet: write pool(x, k) with two loops."


@pytest.mark.parametrize(
    "value, line",
    [
        ([1, 2], "Not checkable: `pool` should be a function, got list (did you call it? pass the "
                 "function itself). Hint: pass the function itself, e.g. check(pool), not check(pool(...))."),
        ("pool", "Not checkable: `pool` should be a function, got str. "
                 "Hint: pass the function itself, e.g. check(pool), not check(pool(...))."),
        (np.zeros((2, 2)), "Not checkable: `pool` should be a function, got a numpy array of dtype "
                           "float64 (did you call it? pass the function itself). "
                           "Hint: pass the function itself, e.g. check(pool), not check(pool(...))."),
        (3.5, "Not checkable: `pool` should be a function, got float (did you call it? pass the "
              "function itself). Hint: pass the function itself, e.g. check(pool), not check(pool(...))."),
    ],
    ids=["list", "str", "array", "float"],
)
def test_non_function_is_explained(capsys, value, line):
    r, out = run(capsys, value)
    assert one_line(out) == line
    assert r.status == FAILED


def test_returning_a_list(capsys):
    r, out = run(capsys, lambda x, k: good(x, k).tolist())
    assert one_line(out) == ("Case 4x4, k=2: the result should be a numpy array, got list "
                             "(wrap it with np.array). Hint: return the kind of object the exercise asks for.")
    assert r.status == FAILED


def test_returning_a_scalar_or_a_generator(capsys):
    _, out = run(capsys, lambda x, k: 7.5)
    assert one_line(out) == ("Case 4x4, k=2: the result should be a numpy array, got float. "
                             "Hint: return the kind of object the exercise asks for.")
    _, out = run(capsys, lambda x, k: (v for v in x))
    assert one_line(out).startswith("Case 4x4, k=2: the result should be a numpy array, got generator.")


def test_wrong_shape(capsys):
    _, out = run(capsys, lambda x, k: x.copy())
    assert one_line(out) == (
        "Case 4x4, k=2: the result has the wrong shape (expected shape (2, 2), got (4, 4)). "
        "Hint: check the output-size formula: out = floor((in + 2p - d(k-1) - 1) / s) + 1.")


def test_wrong_dtype(capsys):
    _, out = run(capsys, lambda x, k: good(x, k).astype(np.int64))
    assert one_line(out) == (
        "Case 4x4, k=2: the result has the wrong dtype (expected a float array, got int64). "
        "Hint: build the output with a float dtype, e.g. np.zeros(shape) or x.astype(float).")


def test_float32_is_accepted(capsys):
    _, out = run(capsys, lambda x, k: good(x, k).astype(np.float32))
    assert one_line(out) == "Passes all 3 cases."


def test_wrong_values_names_count_and_first_index(capsys):
    def pool(x, k):  # takes the min instead of the max
        return -good(-x, k)

    _, out = run(capsys, pool)
    assert one_line(out) == (
        "Case 4x4, k=2: the result has wrong values at 4 of 4 positions (first at index (0, 0)). "
        "Hint: compare your result with a hand computation on this case.")


def test_one_wrong_value(capsys):
    def pool(x, k):
        out = good(x, k)
        if x.shape == (4, 4):
            out[1, 1] += 1e-3
        return out

    _, out = run(capsys, pool)
    assert one_line(out) == (
        "Case 4x4, k=2: the result has wrong values at 1 of 4 positions (first at index (1, 1)). "
        "Hint: compare your result with a hand computation on this case.")


def test_tiny_float_error_is_tolerated(capsys):
    _, out = run(capsys, lambda x, k: good(x, k) * (1 + 1e-12))
    assert one_line(out) == "Passes all 3 cases."


def test_nan_where_a_number_belongs(capsys):
    _, out = run(capsys, lambda x, k: np.full((x.shape[0] // k, x.shape[1] // k), np.nan))
    assert one_line(out) == (
        "Case 4x4, k=2: the result is NaN at index (0, 0) where a number was expected. "
        "Hint: a NaN appeared where the input has none: look for 0/0 or cells of np.empty never filled.")


def test_nan_not_propagated(capsys):
    def pool(x, k):  # np.nanmax skips NaN
        h, w = x.shape
        return np.array([[np.nanmax(x[i * k:(i + 1) * k, j * k:(j + 1) * k])
                          for j in range(w // k)] for i in range(h // k)])

    _, out = run(capsys, pool)
    assert one_line(out) == (
        "Case NaN: the result should be NaN at index (0, 0) but is a number. Hint: NaN must "
        "propagate: a window holding NaN pools to NaN (np.max does, np.nanmax does not).")


def test_function_that_raises_reports_type_and_message_without_floats(capsys):
    def pool(x, k):
        raise ValueError("window 0.5 too big\nsee   1e-3 and nan")

    _, out = run(capsys, pool)
    assert one_line(out) == (
        "Case 4x4, k=2: raised ValueError: window <number> too big see <number> and <number>. "
        "Hint: run your function on this case by itself and read the error.")
    assert "Traceback" not in out


def test_long_exception_message_is_truncated(capsys):
    def pool(x, k):
        raise IndexError("index " + "9" * 200 + " is out of bounds")

    _, out = run(capsys, pool)
    line = one_line(out)
    assert line.startswith("Case 4x4, k=2: raised IndexError: index 999")
    assert "9 […]. Hint:" in line and "out of bounds" not in line and len(line) < 200


def test_wrong_signature(capsys):
    def pool(x):
        return x

    _, out = run(capsys, pool)
    line = one_line(out)
    assert line.startswith("Case 4x4, k=2: raised TypeError: ")
    assert line.endswith("Hint: run your function on this case by itself and read the error.")


def test_function_that_exits_is_caught(capsys):
    def pool(x, k):
        sys.exit(3)

    _, out = run(capsys, pool)
    assert one_line(out) == ("Case 4x4, k=2: raised SystemExit: 3. "
                             "Hint: run your function on this case by itself and read the error.")


def test_prints_and_warnings_of_the_learner_are_swallowed(capsys):
    import warnings

    def pool(x, k):
        print("debugging", 1.5)
        print("more", file=sys.stderr)
        warnings.warn("careful 0.1", stacklevel=2)
        np.log(np.zeros(1))  # a numpy RuntimeWarning
        return good(x, k)

    r, out = run(capsys, pool)
    assert one_line(out) == "Passes all 3 cases."


def test_mutating_the_input_is_detected_and_the_case_is_untouched(capsys):
    c = cases()
    original = c[0].args[0].copy()

    def pool(x, k):
        x[0, 0] = 100.0
        return good(x, k)

    r = check_function(pool, c, name="pool")
    assert one_line(capsys.readouterr().out) == (
        "Case 4x4, k=2: your function changed its input `x` in place. "
        "Hint: work on a copy (x.copy()) or build a new output array.")
    assert np.array_equal(c[0].args[0], original)
    assert r.status == FAILED


def test_in_place_sort_of_a_list_argument_is_detected(capsys):
    def total(values):
        values.sort()
        return float(sum(values))

    check_function(total, [Case(args=([3.0, 1.0],), expected=4.0, label="list")], name="total")
    assert one_line(capsys.readouterr().out) == (
        "Case list: your function changed its input `values` in place. "
        "Hint: work on a copy (x.copy()) or build a new output array.")


def test_endless_loop_times_out(capsys):
    def pool(x, k):
        while True:
            pass

    _, out = run(capsys, pool, timeout=1)
    assert one_line(out) == ("Case 4x4, k=2: took longer than 1 s. "
                             "Hint: look for a loop whose condition never becomes false.")


def test_later_stub_behaviour_is_a_failure_not_a_skip(capsys):
    def pool(x, k):
        if k == 1:
            return None
        return good(x, k)

    _, out = run(capsys, pool)
    assert one_line(out) == ("Case k=1: returned None instead of a result. "
                             "Hint: make sure every path through your function ends in return.")

    def pool2(x, k):
        if k == 1:
            raise NotImplementedError
        return good(x, k)

    _, out = run(capsys, pool2)
    assert one_line(out) == ("Case k=1: raised NotImplementedError. "
                             "Hint: run your function on this case by itself and read the error.")


def test_expected_exception_cases(capsys):
    def strict(x, k):
        if k < 1:
            raise ValueError("k must be positive")
        return good(x, k)

    c = cases()[:1] + [Case(args=(X.copy(), 0), raises=ValueError, label="k=0")]
    r = check_function(strict, c, name="pool")
    assert r.passed
    assert one_line(capsys.readouterr().out) == "Passes all 2 cases."
    r = check_function(lambda x, k: good(x, max(k, 1)), c, name="pool")
    assert one_line(capsys.readouterr().out) == (
        "Case k=0: returned a result but should raise ValueError. "
        "Hint: reject invalid arguments with raise ValueError(...).")


def test_hint_priority_case_then_kind_then_general(capsys):
    c = cases()
    c[0].hint = "look at the top-right window"
    check_function(lambda x, k: x.copy(), c, name="pool", hints={"shape": "kind hint"}, hint="general")
    assert one_line(capsys.readouterr().out).endswith("Hint: look at the top-right window.")
    check_function(lambda x, k: x.copy(), cases(), name="pool", hints={"shape": "kind hint"}, hint="general")
    assert one_line(capsys.readouterr().out).endswith("Hint: kind hint.")
    check_function(lambda x, k: x.copy(), cases(), name="pool", hint="general")
    assert one_line(capsys.readouterr().out).endswith("Hint: general.")


def test_cases_as_dicts_and_default_labels(capsys):
    check_function(lambda x: x * 2, [{"args": (1,), "expected": 2}, {"args": (2,), "expected": 4}],
                   name="double")
    assert one_line(capsys.readouterr().out) == "Passes all 2 cases."
    check_function(lambda x: x * 3, [{"args": (1,), "expected": 2}], name="double")
    assert one_line(capsys.readouterr().out) == (
        "Case 1: the result is too large. Hint: compare your result with a hand computation on this case.")


def test_scalar_results(capsys):
    c = [Case(args=(5,), expected=3, label="in=5")]
    check_function(lambda n: 3.0, c, name="size")
    assert one_line(capsys.readouterr().out) == (
        "Case in=5: the result should be an integer, got float. "
        "Hint: return the kind of object the exercise asks for.")
    check_function(lambda n: np.int64(3), c, name="size")
    assert one_line(capsys.readouterr().out) == "Passes all 1 cases."
    check_function(lambda n: True, c, name="size")
    assert one_line(capsys.readouterr().out) == (
        "Case in=5: the result should be an integer, got bool. "
        "Hint: return the kind of object the exercise asks for.")


def test_uncomparable_result(capsys):
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("no")

    check_function(lambda: Weird(), [Case(args=(), expected=object(), label="w")], name="f")
    line = one_line(capsys.readouterr().out)
    assert line == ("Case w: returned Weird, which cannot be compared (RuntimeError). "
                    "Hint: return the kind of object the exercise asks for.")


def test_bad_cases_from_the_author_do_not_raise(capsys):
    r = check_function(good, [42], name="pool")
    assert one_line(capsys.readouterr().out) == (
        "Not checkable: the checker itself failed (TypeError). "
        "Hint: restart the kernel and run the notebook from the top.")
    assert r.status == FAILED


# --------------------------------------------------------------------------
# check_value
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, expected, line",
    [
        (3, 3, "Correct."),
        (np.int64(3), 3, "Correct."),
        ((2, 2), (2, 2), "Correct."),
        ([2, 2], (2, 2), "Correct."),
        (np.array([2, 2]), (2, 2), "Not quite: out should be a tuple, got a numpy array of dtype int64. "
                                   "Hint: check the type the exercise asks for."),
        ((2, 3), (2, 2), "Not quite: item 1 of out is too large. Hint: redo the computation step by step."),
        ((2, 2, 1), (2, 2), "Not quite: out has the wrong length (expected 2 items, got 3). "
                            "Hint: redo the computation step by step."),
        (4, 3, "Not quite: out is too large. Hint: redo the computation step by step."),
        (2, 3, "Not quite: out is too small. Hint: redo the computation step by step."),
        (3.0, 3, "Not quite: out should be an integer, got float. Hint: check the type the exercise asks for."),
        (True, 1, "Not quite: out should be an integer, got bool. Hint: check the type the exercise asks for."),
        ("3", 3, "Not quite: out should be an integer, got str. Hint: write the number itself, without quotes."),
        (0.75, 0.75, "Correct."),
        (0.7500000001, 0.75, "Correct."),
        (0.7, 0.75, "Not quite: out is too small. Hint: redo the computation step by step."),
        (float("nan"), 0.75, "Not quite: out is NaN where a number was expected. Hint: redo the computation step by step."),
        (np.array([[6.0, 7.0]]), np.array([[6.0, 7.0]]), "Correct."),
        (np.array([[6.0, 8.0]]), np.array([[6.0, 7.0]]),
         "Not quite: out has wrong values at 1 of 2 positions (first at index (0, 1)). "
         "Hint: redo the computation step by step."),
        ([[6, 7]], np.array([[6.0, 7.0]]), "Not quite: out should be a numpy array, got list (wrap it with "
                                            "np.array). Hint: check the type the exercise asks for."),
    ],
)
def test_check_value(capsys, answer, expected, line):
    r = check_value(answer, expected, name="out")
    assert one_line(capsys.readouterr().out) == line
    assert r.passed == (line == "Correct.")


@pytest.mark.parametrize("answer", [None, Ellipsis])
def test_check_value_not_attempted(capsys, answer):
    r = check_value(answer, 3, name="out")
    assert one_line(capsys.readouterr().out) == (
        "Not attempted yet: replace ... in `out = ...` with your answer and run this cell again.")
    assert r.status == NOT_ATTEMPTED


def test_check_value_targeted_hints(capsys):
    hints = {4: "you kept the window that starts in the padding", (3, 3): "unused"}
    check_value(4, 3, name="out", hints=hints, hint="general")
    assert one_line(capsys.readouterr().out) == (
        "Not quite: out is too large. Hint: you kept the window that starts in the padding.")
    check_value(5, 3, name="out", hints=hints, hint="general")
    assert one_line(capsys.readouterr().out) == "Not quite: out is too large. Hint: general."


# --------------------------------------------------------------------------
# check_choice
# --------------------------------------------------------------------------

OPTIONS = {"A": "zero", "B": "minus infinity", "C": "the mean"}
WHY = {
    "A": "A zero could beat an all-negative window",
    "B": "Minus infinity never wins a max, so padding never changes the result",
    "C": "The mean depends on the window, which padding is part of",
}


@pytest.mark.parametrize("answer", ["B", "b", " (b) ", "B.", ["b"]])
def test_check_choice_right_in_any_spelling(capsys, answer):
    r = check_choice(answer, "B", options=OPTIONS, explanations=WHY, name="q1")
    assert one_line(capsys.readouterr().out) == (
        "Correct: B. Minus infinity never wins a max, so padding never changes the result.")
    assert r.passed


def test_check_choice_wrong_option_gets_its_own_explanation(capsys):
    check_choice("a", "B", options=OPTIONS, explanations=WHY, name="q1")
    assert one_line(capsys.readouterr().out) == "Not quite: A is not right. A zero could beat an all-negative window."
    check_choice("C", "B", options=OPTIONS, explanations=WHY, name="q1")
    assert one_line(capsys.readouterr().out) == (
        "Not quite: C is not right. The mean depends on the window, which padding is part of.")


@pytest.mark.parametrize(
    "answer, line",
    [
        (None, 'Not attempted yet: set q1 to the letter of your choice, e.g. q1 = "A", and run this cell again.'),
        ("", 'Not attempted yet: set q1 to the letter of your choice, e.g. q1 = "A", and run this cell again.'),
        (Ellipsis, 'Not attempted yet: set q1 to the letter of your choice, e.g. q1 = "A", and run this cell again.'),
        ("E", 'Not checkable: "E" is not one of the options A, B, C. Hint: set q1 to one of the letters A, B, C.'),
        (2, 'Not checkable: expected a letter such as "A", got int. Hint: set q1 to one of the letters A, B, C.'),
        (2.5, 'Not checkable: expected a letter such as "A", got float. Hint: set q1 to one of the letters A, B, C.'),
        ("A, B", "Not quite: choose exactly one option (you gave 2). Hint: set q1 to one of the letters A, B, C."),
        ("minus infinity", 'Not checkable: "minus infinity" is not one of the options A, B, C. '
                           "Hint: set q1 to one of the letters A, B, C."),
    ],
)
def test_check_choice_bad_answers(capsys, answer, line):
    check_choice(answer, "B", options=OPTIONS, explanations=WHY, name="q1")
    assert one_line(capsys.readouterr().out) == line


def test_check_choice_several_right_options(capsys):
    opts = ["max", "mean", "strided convolution", "sort"]  # lettered A..D
    why = {"D": "Sorting is not a pooling"}
    for answer in ("A, B", "AB", ["a", "b"], "b and a"):
        check_choice(answer, ["A", "B"], options=opts, explanations=why, name="q2")
        assert one_line(capsys.readouterr().out) == "Correct: A, B."
    check_choice("A", ["A", "B"], options=opts, explanations=why, name="q2")
    assert one_line(capsys.readouterr().out) == (
        "Not quite: 1 right option(s) missing. Hint: more than one option is right; check each one on its own.")
    check_choice("A, B, D", ["A", "B"], options=opts, explanations=why, name="q2")
    assert one_line(capsys.readouterr().out) == "Not quite: D is not right. Sorting is not a pooling."


# --------------------------------------------------------------------------
# the example checker, results and the score card
# --------------------------------------------------------------------------


def size_right(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    if ceil_mode:
        out = -(-span // stride) + 1
        if (out - 1) * stride >= size + padding:
            out -= 1
        return out
    return span // stride + 1


def test_check_output_size_fn(capsys):
    check_output_size_fn(size_right)
    assert one_line(capsys.readouterr().out) == "Passes all 7 cases."

    def no_drop(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
        span = size + 2 * padding - dilation * (kernel_size - 1) - 1
        return (-(-span // stride) if ceil_mode else span // stride) + 1

    check_output_size_fn(no_drop)
    assert one_line(capsys.readouterr().out) == (
        "Case in=5, k=2, s=2, p=1, ceil mode (window in padding dropped): the result is too large. "
        "Hint: out = floor((in + 2p - d(k-1) - 1) / s) + 1; in ceil mode use ceil, then drop a last "
        "window that would start in the right padding.")

    check_output_size_fn(lambda size, k, s, padding=0, dilation=1, ceil_mode=False:
                         (size + 2 * padding - dilation * (k - 1) - 1) / s + 1)
    assert one_line(capsys.readouterr().out) == (
        "Case in=4, k=2, s=2: the result should be an integer, got float. "
        "Hint: return an int, e.g. with // for floor division or math.ceil.")

    check_output_size_fn(None)
    assert one_line(capsys.readouterr().out) == (
        "Not attempted yet: complete `output_size` so that it returns the number of windows along one axis.")


def test_result_displays_nothing_in_ipython(capsys):
    from IPython.core.formatters import DisplayFormatter

    r = check_value(3, 3, name="out")
    capsys.readouterr()
    data, metadata = DisplayFormatter().format(r)
    assert data == {} and metadata == {}
    assert r._ipython_display_() is None
    assert repr(r) == "CheckResult(name='out', status='passed')"
    assert isinstance(r, CheckResult) and r.message == "Correct."


def test_scorecard_and_score(capsys):
    card = Scorecard()
    card.record(CheckResult("q1", PASSED, "Correct."))
    card.record(CheckResult("q2", FAILED, "Not quite."))
    card.record(CheckResult("q2", PASSED, "Correct."))  # the latest attempt counts
    card.record(CheckResult("q3", FAILED, "Not quite."))
    card.record(CheckResult("q4", NOT_ATTEMPTED, "Not attempted yet."))
    assert card.summary() == "Score: 2 of 4 passed. To revisit: q3. Not attempted yet: q4."
    assert card.summary(["q1", "q5"]) == "Score: 1 of 2 passed. Not attempted yet: q5."
    line = score(["q1", "q2"], card=card)
    assert capsys.readouterr().out == "Score: 2 of 2 passed.\n"
    assert line == "Score: 2 of 2 passed."


def test_checkers_record_into_the_session_scorecard(capsys):
    authoring.SCORECARD.clear()
    check_value(3, 3, name="alpha")
    check_value(2, 3, name="beta")
    check_choice(None, "A", options=["x", "y"], name="gamma")
    capsys.readouterr()
    score(["alpha", "beta", "gamma", "delta"])
    assert capsys.readouterr().out == (
        "Score: 1 of 4 passed. To revisit: beta. Not attempted yet: gamma, delta.\n")
    authoring.SCORECARD.clear()


def test_quote_removes_every_float_but_keeps_integers():
    text = authoring.quote("got 1.5, .25, 2., 1e-3, -0.5, NaN and inf; shape (2, 3); np.nanmax; 7", limit=500)
    assert text == ("got <number>, <number>, <number>, <number>, <number>, <number> and <number>; "
                    "shape (2, 3); np.nanmax; 7")


def test_package_imports_chapters_lazily():
    import poolkit.course.exercises as ex

    assert "ch08" in dir(ex) and "quiz" in dir(ex)
    assert ex.quiz.show is not None
    with pytest.raises(AttributeError, match="no attribute 'ch99'"):
        ex.ch99  # noqa: B018


def test_checker_output_in_a_real_kernel(tmp_path):
    """In a notebook the checker's line is the cell's only output, even as the last expression."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from poolkit.course.exercises import check_value, check_function, Case\n"
            "check_value(3, 3, name='out')"),
        nbformat.v4.new_code_cell(
            "def pool(x):\n    print('noise', 0.5)\n    raise KeyError('boom 2.5')\n"
            "check_function(pool, [Case(args=(1,), expected=2, label='one')], name='pool')"),
    ]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outs = [cell.outputs for cell in nb.cells]
    assert [o.output_type for o in outs[0]] == ["stream"]
    assert outs[0][0].text == "Correct.\n"
    assert [o.output_type for o in outs[1]] == ["stream"]
    assert outs[1][0].text == ("Case one: raised KeyError: 'boom <number>'. "
                               "Hint: run your function on this case by itself and read the error.\n")


def test_check_value_with_an_answer_that_cannot_be_compared(capsys):
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("no")

    r = check_value(Weird(), object(), name="out")
    assert one_line(capsys.readouterr().out) == (
        "Not checkable: out is Weird, which cannot be compared (RuntimeError). "
        "Hint: give a number, a tuple or an array as asked.")
    assert r.status == FAILED


# --------------------------------------------------------------------------
# One write per checker call: a notebook never splits the line in two outputs
# --------------------------------------------------------------------------


class _WriteLog:
    """A stand-in for sys.stdout that records every write separately."""

    def __init__(self):
        self.writes = []

    def write(self, text):
        self.writes.append(text)
        return len(text)

    def flush(self):
        pass


def _writes_of(monkeypatch, call):
    log = _WriteLog()
    monkeypatch.setattr(sys, "stdout", log)
    call()
    monkeypatch.undo()
    return log.writes


def _noisy_fail(x, k):
    print("learner noise", 0.5)
    raise KeyError("boom")


CORE_CALLS = {
    "function passes": lambda: check_function(good, cases(), name="pool"),
    "function fails": lambda: check_function(lambda x, k: x.copy(), cases(), name="pool"),
    "function prints and raises": lambda: check_function(_noisy_fail, cases(), name="pool"),
    "function not attempted": lambda: check_function(None, cases(), name="pool"),
    "value correct": lambda: check_value(3, 3, name="out"),
    "value wrong": lambda: check_value(4, 3, name="out"),
    "value not attempted": lambda: check_value(..., 3, name="out"),
    "choice correct": lambda: check_choice("a", "A", options=["x", "y"], name="q"),
    "choice unknown letter": lambda: check_choice("Z", "A", options=["x", "y"], name="q"),
    "output size not attempted": lambda: check_output_size_fn(None),
    "score": lambda: score(["a", "b"], card=Scorecard()),
}


@pytest.mark.parametrize("call", CORE_CALLS.values(), ids=list(CORE_CALLS))
def test_each_core_checker_call_is_a_single_write(monkeypatch, call):
    writes = _writes_of(monkeypatch, call)
    assert len(writes) == 1, writes
    assert writes[0].endswith("\n") and writes[0].count("\n") == 1 and writes[0].strip()


def _chapter_checkers():
    import importlib

    found = []
    for n in range(1, 8):
        mod = importlib.import_module(f"poolkit.course.exercises.ch0{n}")
        for attr in mod.__all__:
            if attr.startswith("check_"):
                found.append(pytest.param(getattr(mod, attr), id=f"ch0{n}.{attr}"))
    return found


@pytest.mark.parametrize("checker", _chapter_checkers())
@pytest.mark.parametrize("answer", [None, "zzz", _noisy_fail], ids=["None", "text", "noisy function"])
def test_each_chapter_checker_call_is_a_single_write(monkeypatch, checker, answer):
    authoring.SCORECARD.clear()
    writes = _writes_of(monkeypatch, lambda: checker(answer))
    authoring.SCORECARD.clear()
    assert len(writes) == 1, writes
    assert writes[0].endswith("\n") and writes[0].count("\n") == 1 and writes[0].strip()


def test_self_test_calls_are_single_writes(monkeypatch):
    from poolkit.course.exercises import ch08

    test = ch08.SelfTest()
    for call in (lambda: test.check(1, None), lambda: test.check(1, "zzz"),
                 lambda: test.check(99, "A"), lambda: test.check_choices(None), test.summary):
        writes = _writes_of(monkeypatch, call)
        assert len(writes) == 1, writes
        assert writes[0].endswith("\n") and writes[0].count("\n") == 1
    authoring.SCORECARD.clear()


# ---------------------------------------------------------------------------
# helpers shared by the chapters' code checkers
# ---------------------------------------------------------------------------

def test_with_reference_cases_runs_on_the_built_cases():
    got = authoring.with_reference_cases("demo", lambda: [1, 2], lambda cases: ("ran", cases))
    assert got == ("ran", [1, 2])


def test_with_reference_cases_reports_a_broken_reference_in_one_line(capsys):
    def broken():
        raise ImportError("no poolkit")

    r = authoring.with_reference_cases("demo", broken, lambda cases: pytest.fail("must not run"))
    assert capsys.readouterr().out == ("Not checkable: poolkit's reference is unavailable (ImportError). "
                                       "Hint: reinstall the course environment.\n")
    assert r.status == FAILED


def test_with_reference_cases_lets_an_interrupt_through():
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        authoring.with_reference_cases("demo", interrupted, lambda cases: None)


def _square_cases():
    return [Case(args=(np.array([1.0, 2.0]),), expected=np.array([1.0, 4.0]), label="a", hint="own a"),
            Case(args=(np.array([3.0, -1.0]),), expected=np.array([9.0, 1.0]), label="b", hint="own b")]


# Two known mistakes of a learner asked to square each value.
_SQUARE_MISTAKES = [("you doubled", lambda c: 2 * c.args[0]),
                    ("you took abs", lambda c: np.abs(c.args[0]))]


@pytest.mark.parametrize("fn, hints", [
    (lambda x: x ** 2, ["own a", "own b"]),                        # right: nothing changes
    (lambda x: 2 * x, ["you doubled", "own b"]),                   # first failing case gets the hint
    (lambda x: x ** 2 if x[0] < 2 else np.abs(x), ["own a", "you took abs"]),   # a passes, b explained
    (lambda x: x + 5, ["own a", "own b"]),                         # wrong, but no known mistake
    (lambda x: None, ["own a", "own b"]),
    (lambda x: 1 / 0, ["own a", "own b"]),
    (lambda x: np.zeros(3), ["shape!", "own b"]),                  # another shape: the shape hint
    (None, ["own a", "own b"]),
])
def test_diagnose_cases_puts_the_mistake_hint_on_the_first_failing_case(fn, hints):
    cases = authoring.diagnose(fn, _square_cases(), _SQUARE_MISTAKES, shape_hint="shape!")
    assert [c.hint for c in cases] == hints


def test_diagnose_cases_gives_the_learner_copies():
    x = np.array([1.0, 2.0])
    cases = [Case(args=(x,), expected=np.array([1.0, 4.0]))]

    def mutating(a):
        a[:] = 0
        return a

    authoring.diagnose(mutating, cases, _SQUARE_MISTAKES)
    np.testing.assert_array_equal(cases[0].args[0], [1.0, 2.0])


def test_diagnose_cases_with_an_int_comparison():
    cases = [Case(args=(3,), expected=9, hint="own")]
    mistakes = [("you doubled", lambda c: 2 * c.args[0])]
    assert authoring.diagnose(lambda n: n + n, cases, mistakes, same=lambda a, b: a == b)[0].hint \
        == "you doubled"
