"""Tests for the chapter 1 checkers (poolkit.course.exercises.ch01).

Each checker must: pass a correct answer, give the specific feedback line for
the typical mistakes it was written to catch, and print exactly one line with
no floating-point number, without raising, whatever it is given.
"""

import math
import re


import numpy as np
import pytest

from poolkit.course.exercises import ch01

# A printed float: a decimal point or an exponent ("NaN" as a word is allowed:
# the framework names the problem, it does not print a value).
FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+[eE][-+]?\d+)")


def one_line(capsys):
    """The single line a checker printed (fails if it printed more or less)."""
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1, f"expected exactly one line, got {out!r}"
    assert not FLOAT.search(lines[0]), f"a float leaked into {lines[0]!r}"
    return lines[0]


# ---------------------------------------------------------------------------
# Learner functions: one right answer per exercise and the usual mistakes.
# ---------------------------------------------------------------------------


def max_right(x, k):
    # The by-the-book solution: compare values one by one, start from the
    # window's first value.
    H, W = x.shape
    out = np.empty((H // k, W // k))
    for i in range(H // k):
        for j in range(W // k):
            best = x[i * k, j * k]
            for a in range(k):
                for b in range(k):
                    best = max(best, x[i * k + a, j * k + b])
            out[i, j] = best
    return out


def max_right_list_comprehension(x, k):
    # A different correct style: blocks via slicing, np.max.
    return np.array([[x[r:r + k, c:c + k].max() for c in range(0, x.shape[1] - k + 1, k)]
                     for r in range(0, x.shape[0] - k + 1, k)], dtype=float).reshape(
        x.shape[0] // k, x.shape[1] // k)


def max_zero_init(x, k):
    H, W = x.shape
    out = np.zeros((H // k, W // k))
    for i in range(H // k):
        for j in range(W // k):
            best = 0
            for a in range(k):
                for b in range(k):
                    best = max(best, x[i * k + a, j * k + b])
            out[i, j] = best
    return out


def max_ceil(x, k):
    # Keeps the partial windows at the right and bottom edges.
    H, W = x.shape
    out = np.empty((math.ceil(H / k), math.ceil(W / k)))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return out


def max_square_only(x, k):
    # Uses the height for both axes.
    H = x.shape[0]
    out = np.empty((H // k, H // k))
    for i in range(H // k):
        for j in range(H // k):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].max()
    return out


def max_fixed_window(x, k):
    # Moves by k but always looks at a 2x2 block.
    H, W = x.shape
    out = np.empty((H // k, W // k))
    for i in range(H // k):
        for j in range(W // k):
            out[i, j] = x[i * k:i * k + 2, j * k:j * k + 2].max()
    return out


def max_stride_one(x, k):
    H, W = x.shape
    out = np.empty((H - k + 1, W - k + 1))
    for i in range(H - k + 1):
        for j in range(W - k + 1):
            out[i, j] = x[i:i + k, j:j + k].max()
    return out


def max_in_place(x, k):
    x[0, 0] = x.max()
    return max_right(x, k)


def avg_right(x, k):
    H, W = x.shape
    out = np.empty((H // k, W // k))
    for i in range(H // k):
        for j in range(W // k):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].sum() / (k * k)
    return out


def avg_floor_div(x, k):
    H, W = x.shape
    out = np.empty((H // k, W // k))
    for i in range(H // k):
        for j in range(W // k):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].sum() // (k * k)
    return out


def avg_divide_by_k(x, k):
    H, W = x.shape
    out = np.empty((H // k, W // k))
    for i in range(H // k):
        for j in range(W // k):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].sum() / k
    return out


def avg_int_output(x, k):
    H, W = x.shape
    out = np.zeros((H // k, W // k), dtype=int)
    for i in range(H // k):
        for j in range(W // k):
            out[i, j] = x[i * k:(i + 1) * k, j * k:(j + 1) * k].mean()
    return out


def stub(x, k):
    """The stub as the chapter gives it."""
    ...


def not_implemented(x, k):
    raise NotImplementedError


def explodes(x, k):
    raise RuntimeError("boom 1.5")


def returns_nan(x, k):
    return np.full((x.shape[0] // k, x.shape[1] // k), np.nan)


# ---------------------------------------------------------------------------
# ex-ch01-max-pool
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [max_right, max_right_list_comprehension])
def test_max_pool_right_answers_pass(fn, capsys):
    r = ch01.check_max_pool2d_simple(fn)
    assert one_line(capsys) == "Passes all 8 cases."
    assert r.passed


@pytest.mark.parametrize("fn, case, hint", [
    (max_zero_init, "4x4 map of negative numbers", "not from 0"),
    (max_ceil, "5x7 map, k=2 (not divisible)", "only whole windows count"),
    (max_square_only, "2x6 map, k=2", "H // k rows and W // k columns, with H, W = x.shape"),
    (max_fixed_window, "3x5 map, k=1", "not a fixed 2"),
    (max_stride_one, "4x4 running example", "H // k rows and W // k columns"),
    (max_in_place, "4x4 running example", "changed its input `x` in place"),
    (avg_right, "4x4 running example", "largest value of its own k x k block"),
    (returns_nan, "4x4 running example", "NaN"),
    (explodes, "4x4 running example", "raised RuntimeError"),
])
def test_max_pool_mistakes_get_their_feedback(fn, case, hint, capsys):
    r = ch01.check_max_pool2d_simple(fn)
    line = one_line(capsys)
    assert line.startswith(f"Case {case}"), line
    assert hint in line, line
    assert r.status == "failed"


@pytest.mark.parametrize("fn", [None, ..., stub, not_implemented])
def test_max_pool_stub_is_not_attempted(fn, capsys):
    r = ch01.check_max_pool2d_simple(fn)
    assert one_line(capsys).startswith("Not attempted yet: complete `max_pool2d_simple(x, k)`")
    assert r.status == "not attempted"


@pytest.mark.parametrize("junk", [3, "max_pool2d_simple", [1, 2], np.zeros((2, 2)),
                                  lambda: 1, lambda x, k: "nope", lambda x, k: [[6, 7], [8, 3]],
                                  lambda x, k: np.zeros((2, 2, 2)), lambda x, k: x.astype(bool)])
def test_max_pool_junk_never_raises(junk, capsys):
    r = ch01.check_max_pool2d_simple(junk)
    line = one_line(capsys)
    assert not r.passed
    assert line.startswith(("Not checkable", "Case ")), line


def test_max_pool_expected_values_are_right():
    # The checker's own expectations, checked against an independent
    # computation (torch when installed, else explicit loops over windows).
    cases = ch01.MAX_POOL2D_SIMPLE.build_cases()
    assert cases[0].expected.tolist() == [[6.0, 7.0], [8.0, 3.0]]  # by hand
    for c in cases:
        x, k = c.args
        want = [[x[i * k:(i + 1) * k, j * k:(j + 1) * k].max() for j in range(x.shape[1] // k)]
                for i in range(x.shape[0] // k)]
        assert np.array_equal(c.expected, np.array(want)), c.label
    try:
        import torch
    except ImportError:
        return
    for c in cases:
        x, k = c.args
        t = torch.nn.functional.max_pool2d(torch.from_numpy(x)[None, None], k)[0, 0].numpy()
        assert np.array_equal(c.expected, t), c.label


# ---------------------------------------------------------------------------
# ex-ch01-avg-pool
# ---------------------------------------------------------------------------


def test_avg_pool_right_answer_passes(capsys):
    r = ch01.check_avg_pool2d_simple(avg_right)
    assert one_line(capsys) == "Passes all 8 cases."
    assert r.passed


@pytest.mark.parametrize("fn, case, hint", [
    (avg_floor_div, "4x4 map whose means are fractions", "divide with /, not //"),
    (avg_divide_by_k, "4x4 running example", "divided by k * k"),
    (avg_int_output, "4x4 running example", "float array"),
    (max_right, "4x4 running example", "mean of its k x k block"),
    (max_ceil, "4x4 running example", "mean of its k x k block"),
])
def test_avg_pool_mistakes_get_their_feedback(fn, case, hint, capsys):
    ch01.check_avg_pool2d_simple(fn)
    line = one_line(capsys)
    assert line.startswith(f"Case {case}"), line
    assert hint in line, line


def test_avg_pool_stub_and_junk(capsys):
    assert ch01.check_avg_pool2d_simple(stub).status == "not attempted"
    one_line(capsys)
    for junk in (None, 1.5, "f", returns_nan, explodes):
        ch01.check_avg_pool2d_simple(junk)
        one_line(capsys)


def test_avg_pool_expected_values_are_right():
    # Fraction and negative cases were computed by hand in ch01; recheck them
    # (and every shared case) with explicit window means.
    c_frac, c_neg = [c for c in _avg_cases() if "fractions" in c.label or "negative" in c.label]
    assert c_frac.expected.tolist() == [[0.75, 0.75], [0.75, 5.25]]
    assert c_neg.expected.tolist() == [[-1.75, -0.25], [-1.75, -2.25]]
    for c in _avg_cases():
        x, k = c.args
        want = [[x[i * k:(i + 1) * k, j * k:(j + 1) * k].sum() / (k * k)
                 for j in range(x.shape[1] // k)] for i in range(x.shape[0] // k)]
        np.testing.assert_allclose(c.expected, np.array(want), rtol=0, atol=1e-12, err_msg=c.label)


def _avg_cases():
    # The cases the avg checker uses, from its declaration.
    return ch01.AVG_POOL2D_SIMPLE.build_cases()


# ---------------------------------------------------------------------------
# ex-ch01-by-hand
# ---------------------------------------------------------------------------


def test_by_hand_map_and_answers():
    # The exercise map as printed in the chapter, pooled independently.
    x = np.array(ch01.BY_HAND_MAP, dtype=float)
    blocks = x.reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(2, 2, 4)
    assert blocks.max(axis=-1).tolist() == [[3, 6], [-1, 7]]
    assert blocks.mean(axis=-1).tolist() == [[1, 2], [-4, 4.5]]


@pytest.mark.parametrize("answer", [[[3, 6], [-1, 7]], ((3.0, 6.0), (-1.0, 7.0)),
                                    np.array([[3, 6], [-1, 7]]), np.array([[3.0, 6], [-1, 7]])])
def test_max_by_hand_right(answer, capsys):
    assert ch01.check_max_by_hand(answer).passed
    assert one_line(capsys) == "Correct."


@pytest.mark.parametrize("answer, hint", [
    ([[3, 6], [0, 7]], "only negative numbers"),
    ([[3, -1], [6, 7]], "transposed"),
    ([[1, 2], [-4, 4.5]], "those are the means"),
    ([[-1, -2], [-7, 1]], "smallest values"),
    (np.zeros((3, 3)), "do not overlap"),
    ([[3, 6], [-1, 8]], "work window by window"),
])
def test_max_by_hand_mistakes(answer, hint, capsys):
    assert not ch01.check_max_by_hand(answer).passed
    line = one_line(capsys)
    assert line.startswith("Not quite: max_by_hand"), line
    assert hint in line, line


@pytest.mark.parametrize("answer, hint", [
    ([[1, 2], [-4, 4]], "rounding down"),
    ([[1, 2], [-4, 5]], "instead of rounding"),
    ([[4, 8], [-16, 18]], "window sums"),
    ([[2, 4], [-8, 9]], "not by 2"),
    ([[3, 6], [-1, 7]], "those are the maxima"),
    ([[1, -4], [2, 4.5]], "transposed"),
])
def test_avg_by_hand_mistakes(answer, hint, capsys):
    assert not ch01.check_avg_by_hand(answer).passed
    line = one_line(capsys)
    assert line.startswith("Not quite: avg_by_hand"), line
    assert hint in line, line


def test_avg_by_hand_right(capsys):
    assert ch01.check_avg_by_hand([[1, 2], [-4, 4.5]]).passed
    assert one_line(capsys) == "Correct."


@pytest.mark.parametrize("answer", [None, ..., [[..., ...], [..., ...]]])
def test_by_hand_not_attempted(answer, capsys):
    for check in (ch01.check_max_by_hand, ch01.check_avg_by_hand):
        assert check(answer).status == "not attempted"
        assert one_line(capsys).startswith("Not attempted yet: replace ...")


@pytest.mark.parametrize("junk", ["3 6 -1 7", 5, 2.5, {"a": 1}, [[3, 6], [-1]], [[True, 6], [-1, 7]],
                                  [["3", "6"], ["-1", "7"]], [[3, 6], [-1, np.nan]],
                                  [[3, 6], [-1, float("inf")]], np.array(["a", "b"]), [],
                                  [[[3, 6], [-1, 7]]], object(), max])
def test_by_hand_junk_never_raises(junk, capsys):
    for check in (ch01.check_max_by_hand, ch01.check_avg_by_hand):
        r = check(junk)
        assert not r.passed
        assert one_line(capsys).startswith(("Not quite", "Not checkable")), junk


# ---------------------------------------------------------------------------
# ex-ch01-true-statements
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["A, B, E", "abe", ["E", "B", "A"], "A and B and E"])
def test_statements_right(answer, capsys):
    assert ch01.check_statements(answer).passed
    assert one_line(capsys).startswith("Correct: A, B, E.")


@pytest.mark.parametrize("answer, feedback", [
    ("A, B, C, E", "C is not right. Only a shift that keeps each maximum inside its window"),
    ("A, B, D, E", "D is not right. Each channel is pooled on its own"),
    ("A, B", "1 right option(s) missing"),
])
def test_statements_wrong_get_explanations(answer, feedback, capsys):
    assert not ch01.check_statements(answer).passed
    assert feedback in one_line(capsys)


def test_statements_each_wrong_option_explained():
    # Every false statement has its own explanation.
    assert set(ch01.TRUE_STATEMENTS.wrong_letters) <= set(ch01.TRUE_STATEMENTS.why)


@pytest.mark.parametrize("junk", [None, ..., "", "Z", 3, ["A", 1], {"A": True}, "A, B, E, F"])
def test_statements_junk_never_raises(junk, capsys):
    r = ch01.check_statements(junk)
    assert not r.passed
    one_line(capsys)


def test_statements_match_the_claims():
    # The two claims the answer key relies on, computed directly.
    b = np.array([0, 0, 5, 0, 0, 0], dtype=float)
    pool = lambda v: v.reshape(-1, 3).max(axis=1).tolist()  # noqa: E731  window 3, stride 3
    assert pool(b) != pool(np.roll(b, 1))                    # C is false
    assert max([-3.0, -1.0, -4.0, -2.0]) < 0                 # E is true


# ---------------------------------------------------------------------------
# The quiz
# ---------------------------------------------------------------------------


def test_quiz_is_well_formed_and_its_keys_are_right():
    from poolkit.course.exercises import quiz

    qs = quiz.validate(ch01.QUIZ)
    assert 3 <= len(qs) <= 5
    right = [[a["answer"] for a in q["answers"] if a["correct"]] for q in qs]
    # Recomputed here: the output shape, a max of negatives, the shift, the parameter count.
    n, c, h, w = 8, 64, 32, 32
    assert right[0] == [str((n, c, (h - 2) // 2 + 1, (w - 2) // 2 + 1))]
    assert right[1] == ["\u2212" + str(-max(-3, -1, -4, -2))]
    b = np.array([0, 0, 5, 0, 0, 0])
    pool = lambda v: v.reshape(-1, 3).max(axis=1).tolist()  # noqa: E731
    assert pool(np.roll(b, -1)) == pool(b) != pool(np.roll(b, 1))
    assert right[2] == ["Shifting left by one step"]
    assert right[3] == ["0"]


# ---------------------------------------------------------------------------
# The chapter shows what the checkers grade
# ---------------------------------------------------------------------------


def _chapter_markdown(label):
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "book" / "01-definition.ipynb"
    if not path.exists():
        pytest.skip("book/01-definition.ipynb is not there")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    texts = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    found = [t for t in texts if f":label: {label}" in t]
    assert len(found) == 1, f"no single exercise cell labelled {label}"
    return found[0]


def _plain(text):
    return " ".join(text.replace("$", "").replace("**", "").split())


def test_chapter_lists_the_graded_statements():
    text = _plain(_chapter_markdown("ex-ch01-true-statements"))
    for letter, statement in ch01.STATEMENTS.items():
        assert f"{letter}. {_plain(statement)}" in text, letter


def test_chapter_shows_the_graded_map():
    text = _chapter_markdown("ex-ch01-by-hand")
    rows = re.findall(r"^\s*(-?\d+(?:\s*&\s*-?\d+)+)\s*(?:\\\\)?\s*$", text, flags=re.M)
    shown = tuple(tuple(int(v) for v in row.split("&")) for row in rows)
    assert shown == ch01.BY_HAND_MAP


# ---------------------------------------------------------------------------
# Hard exercises (issue 12): ex-ch01-not-a-convolution
# ---------------------------------------------------------------------------


def _fits(windows):
    """Independent test: does some (w1, w2, b) fit max(u, v) on the windows? (least squares, floats)"""
    a = np.array([[u, v, 1.0] for u, v in windows])
    y = np.array([max(u, v) for u, v in windows], dtype=float)
    coef = np.linalg.lstsq(a, y, rcond=None)[0]
    return np.allclose(a @ coef, y, atol=1e-9)


@pytest.mark.parametrize("windows", [
    [(0, 2), (2, 0), (1, 1)],                 # the solution: a line crossing u = v and its midpoint
    [(0.0, 2.5), (2.5, 0.0), (1.25, 1.25)],
    [(-3, 1), (1, -3), (0, -2)],              # on the line u + v = -2, crossing u = v at (-1, -1)
    np.array([[0, 4], [4, 0], [3, 1]]),       # not the midpoint, still bent: 3 on the far side
])
def test_not_a_convolution_right_answers_pass(capsys, windows):
    assert not _fits([tuple(map(float, w)) for w in windows])
    assert ch01.check_not_a_convolution(windows).passed
    assert one_line(capsys).startswith("Correct: no convolution")


@pytest.mark.parametrize("windows, words", [
    ([(3, 1), (5, 2), (4, 0)], "the maximum is in the same cell"),        # all u > v
    ([(1, 2), (3, 4), (5, 6)], "the maximum is in the same cell"),        # on a line, one side
    ([(2, 2), (3, 1), (4, 0)], "the maximum is in the same cell"),        # touches u = v only
    ([(0, 1), (1, 0), (3, 7)], "do not lie on one line"),                 # "max is not linear, any will do"
    ([(1, 5), (4, 2), (0, 0)], "do not lie on one line"),
    ([(0, 1), (1, 0), (0, 1)], "two of your windows are the same"),
    ([(0, 2), (2, 0)], "two windows are never enough"),
    ([(0, 2), (2, 0), (1, 1), (5, 5)], "asks for exactly three"),
])
def test_not_a_convolution_mistakes_get_their_hint(capsys, windows, words):
    if len(windows) == 3:
        assert _fits(windows)                 # the hint is right that a convolution fits them
    assert not ch01.check_not_a_convolution(windows).passed
    line = one_line(capsys)
    assert line.startswith("Not quite:") and words in line, line


def test_not_a_convolution_near_miss_is_decided_exactly(capsys):
    # One window moved off the line by 1e-7: three points in general position, a plane fits.
    assert not ch01.check_not_a_convolution([(0, 2), (2, 0), (1, 1.0000001)]).passed
    assert "do not lie on one line" in one_line(capsys)


@pytest.mark.parametrize("junk", [None, ..., [(..., ...), (..., ...), (..., ...)], "abc", 3,
                                  [(1, float("nan")), (1, 2), (3, 4)], [(1, 2, 3)], [("a", 1)],
                                  [(True, 1), (0, 1), (1, 0)], np.zeros((3, 3)), [[1], [2], [3]]])
def test_not_a_convolution_junk_never_raises(capsys, junk):
    result = ch01.check_not_a_convolution(junk)
    assert not result.passed
    one_line(capsys)
