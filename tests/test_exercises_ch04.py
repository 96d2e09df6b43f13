"""Chapter 4 checkers: right answers pass, usual mistakes get their own hint, junk never raises.

The "right" solutions below are plain loops written from the definitions (not poolkit), so
a checker whose expected values were wrong would fail here.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from poolkit.course.exercises import ch04
from poolkit.course.exercises.authoring import count_python_lines

FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+[eE][-+]?\d+)")  # a printed float value


def one_line(capsys) -> str:
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1, out
    assert not FLOAT.search(lines[0]), lines[0]
    return lines[0]


# --------------------------------------------------------------------------- learner solutions


def _windows(shape, k, s, p=0):
    H, W = shape
    for i in range((H + 2 * p - k) // s + 1):
        for j in range((W + 2 * p - k) // s + 1):
            yield i, j, i * s, j * s


def max_right(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i, j, top, left in _windows(x.shape, k, s):
        best = None
        for r in range(k):              # row-major scan, strictly larger replaces: first maximum
            for c in range(k):
                if best is None or x[top + r, left + c] > x[best]:
                    best = (top + r, left + c)
        grad_x[best] += grad_out[i, j]
    return grad_x


def max_last(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i, j, top, left in _windows(x.shape, k, s):
        best = None
        for r in range(k):
            for c in range(k):
                if best is None or x[top + r, left + c] >= x[best]:
                    best = (top + r, left + c)
        grad_x[best] += grad_out[i, j]
    return grad_x


def max_split(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i, j, top, left in _windows(x.shape, k, s):
        w = x[top:top + k, left:left + k]
        mask = w == w.max()
        grad_x[top:top + k, left:left + k] += mask * grad_out[i, j] / mask.sum()
    return grad_x


def max_assign(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i, j, top, left in _windows(x.shape, k, s):
        w = x[top:top + k, left:left + k]
        r, c = np.unravel_index(np.argmax(w), w.shape)
        grad_x[top + r, left + c] = grad_out[i, j]
    return grad_x


def max_spread(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i, j, top, left in _windows(x.shape, k, s):
        grad_x[top:top + k, left:left + k] += grad_out[i, j] / (k * k)
    return grad_x


def avg_right(grad_out, x, kernel_size=2, stride=2, padding=0, *, divisor=None, assign=False,
              real_count=False):
    k, s, p = kernel_size, stride, padding
    H, W = x.shape
    padded = np.zeros((H + 2 * p, W + 2 * p))
    real = np.zeros_like(padded)
    real[p:p + H, p:p + W] = 1
    for i, j, top, left in _windows(x.shape, k, s, p):
        n = divisor(k) if divisor else k * k
        if real_count:
            n = real[top:top + k, left:left + k].sum()
        if assign:
            padded[top:top + k, left:left + k] = grad_out[i, j] / n
        else:
            padded[top:top + k, left:left + k] += grad_out[i, j] / n
    return padded[p:p + H, p:p + W]


# --------------------------------------------------------------------------- max backward


def test_max_right_solution_passes(capsys):
    assert ch04.check_max_backward(max_right).passed
    assert one_line(capsys) == "Passes all 7 cases."


def test_max_cases_include_hand_computed_running_example():
    # Running example, g = 1..4: the winners are 6 at (1,0), the first 7 at (0,3), 8 at (3,0),
    # 3 at (2,3) -- worked out by hand in the chapter.
    case = ch04.MAX_BACKWARD.build_cases()[1]
    g = case.args[0]
    expected = np.zeros((4, 4))
    expected[1, 0], expected[0, 3], expected[3, 0], expected[2, 3] = g[0, 0], g[0, 1], g[1, 0], g[1, 1]
    np.testing.assert_array_equal(case.expected, expected)


@pytest.mark.parametrize("fn, words", [
    (max_last, "last maximum"),
    (max_split, "split the gradient"),
    (max_assign, "do not overwrite"),
    (max_spread, "average pooling's backward"),
])
def test_max_mistakes_get_their_hint(capsys, fn, words):
    result = ch04.check_max_backward(fn)
    assert not result.passed
    line = one_line(capsys)
    assert line.startswith("Case ") and words in line, line


def test_max_wrong_shape(capsys):
    ch04.check_max_backward(lambda g, x, kernel_size=2, stride=2: np.zeros(g.shape))
    line = one_line(capsys)
    assert "wrong shape" in line and "shape of x" in line


def test_max_not_attempted(capsys):
    def stub(grad_out, x, kernel_size=2, stride=2):
        raise NotImplementedError

    assert ch04.check_max_backward(stub).status == "not attempted"
    assert one_line(capsys).startswith("Not attempted yet:")


@pytest.mark.parametrize("junk", [None, ..., 42, "max_backward", [1, 2], np.zeros(3),
                                  lambda *a, **k: None, lambda *a, **k: 1 / 0,
                                  lambda *a, **k: [[0.0]], lambda *a, **k: "text",
                                  lambda *a, **k: np.full(a[1].shape, np.nan),
                                  lambda g, x, **k: x.fill(0)])
def test_max_junk_never_raises(capsys, junk):
    result = ch04.check_max_backward(junk)
    assert not result.passed
    one_line(capsys)


def test_max_mutating_input_is_reported(capsys):
    def mutating(grad_out, x, kernel_size=2, stride=2):
        out = max_right(grad_out, x, kernel_size, stride)
        x[...] = 0
        return out

    ch04.check_max_backward(mutating)
    assert "changed its input `x`" in one_line(capsys)


# --------------------------------------------------------------------------- average backward


def test_avg_right_solution_passes(capsys):
    assert ch04.check_avg_backward(avg_right).passed
    assert one_line(capsys) == "Passes all 5 cases."


@pytest.mark.parametrize("fn, words", [
    (lambda g, x, kernel_size=2, stride=2, padding=0:
        avg_right(g, x, kernel_size, stride, padding, divisor=lambda k: 1), "sum pooling"),
    (lambda g, x, kernel_size=2, stride=2, padding=0:
        avg_right(g, x, kernel_size, stride, padding, divisor=lambda k: k), "not / k"),
    (lambda g, x, kernel_size=2, stride=2, padding=0:
        avg_right(g, x, kernel_size, stride, padding, real_count=True), "count_include_pad=False"),
    (lambda g, x, kernel_size=2, stride=2, padding=0:
        avg_right(g, x, kernel_size, stride, padding, assign=True), "do not overwrite"),
])
def test_avg_mistakes_get_their_hint(capsys, fn, words):
    assert not ch04.check_avg_backward(fn).passed
    line = one_line(capsys)
    assert line.startswith("Case ") and words in line, line


def test_avg_padding_ignored_gets_padding_hint(capsys):
    # Windows placed on the unpadded map: fails first on the padded case with the case's hint.
    def no_padding(g, x, kernel_size=2, stride=2, padding=0):
        out = np.zeros(x.shape)
        k, s = kernel_size, stride
        for i in range(g.shape[0]):
            for j in range(g.shape[1]):
                out[i * s:i * s + k, j * s:j * s + k] += g[i, j] / (k * k)
        return out

    ch04.check_avg_backward(no_padding)
    line = one_line(capsys)
    assert "p=1" in line and "padding" in line, line


@pytest.mark.parametrize("junk", [None, ..., 3.5, lambda *a, **k: ..., lambda *a: 0,
                                  lambda *a, **k: np.zeros((1, 1)), lambda *a, **k: {"a": 1}])
def test_avg_junk_never_raises(capsys, junk):
    result = ch04.check_avg_backward(junk)
    assert not result.passed
    one_line(capsys)


# --------------------------------------------------------------------------- tie rule, numeric


def test_tie_rule(capsys):
    assert ch04.check_tie_rule("C").passed
    assert one_line(capsys).startswith("Correct: C.")
    for letter, words in [("A", "even split"), ("B", "multiplies the gradient by four"),
                          ("D", "subgradients")]:
        assert not ch04.check_tie_rule(letter).passed
        assert words in one_line(capsys)


@pytest.mark.parametrize("junk", [None, "", "Z", 3, ["A", "C"], object()])
def test_tie_rule_junk(capsys, junk):
    assert not ch04.check_tie_rule(junk).passed
    one_line(capsys)


def test_padding_sum_value_by_counting():
    # Count, for every cell of a 4x4 map, the 3x3 windows (stride 1, padding 1) that cover it.
    cover = np.zeros((4, 4))
    for ci in range(4):
        for cj in range(4):
            cover[max(ci - 1, 0):ci + 2, max(cj - 1, 0):cj + 2] += 1
    assert cover.sum() == 100
    assert ch04.PADDING_SUM == pytest.approx(cover.sum() / 9)


def test_padding_sum(capsys):
    from fractions import Fraction

    for good in (100 / 9, np.float64(100 / 9), Fraction(100, 9), np.float32(100 / 9).item()):
        assert ch04.check_padding_sum(good).passed, good
        assert one_line(capsys) == "Correct."
    # the exercise asks for the exact value: a rounded decimal is named as rounded (it passed before)
    for wrong, words in [(16, "total of grad_out"), (100, "(window, cell) pairs"), (144, "padding cells"),
                         (11, "exact value"), (5, "count, along one axis"), (11.11, "100/9 rounded"),
                         (11.111, "100/9 rounded"), (11.1, "100/9 rounded")]:
        assert not ch04.check_padding_sum(wrong).passed
        assert words in one_line(capsys)


@pytest.mark.parametrize("junk", [None, ..., "11.1", [11.1], np.nan, np.array([1.0, 2.0]), object()])
def test_padding_sum_junk(capsys, junk):
    result = ch04.check_padding_sum(junk)
    assert not result.passed
    one_line(capsys)


def test_quiz_is_valid():
    from poolkit.course.exercises import quiz

    assert len(ch04.QUIZ) >= 3
    quiz.validate(ch04.QUIZ)
    for q in ch04.QUIZ:
        assert sum(a["correct"] for a in q["answers"]) == 1
        assert all(a["feedback"] for a in q["answers"])


# --------------------------------------------------------------------------- hard exercises (issue 12)
# ex-ch04-vectorised: the learner versions below are written as a learner would, from numpy only.


def _winners(x, k, s, oh, ow, *, colmajor=False):
    view = np.lib.stride_tricks.sliding_window_view(x, (k, k))[::s, ::s][:oh, :ow]
    if colmajor:
        idx = view.swapaxes(-1, -2).reshape(oh, ow, k * k).argmax(axis=-1)
        return idx % k, idx // k
    idx = view.reshape(oh, ow, k * k).argmax(axis=-1)
    return idx // k, idx % k


def vec_right(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    a, b = _winners(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + a, np.arange(ow)[None, :] * s + b), grad_out)
    return grad_x


def vec_offsets(grad_out, x, kernel_size=2, stride=2):
    # Another right answer: a loop over the k * k offsets (not over windows), strict > keeps the first.
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    best = np.full((oh, ow), -np.inf)
    rows = np.zeros((oh, ow), dtype=int)
    cols = np.zeros((oh, ow), dtype=int)
    base_r, base_c = np.arange(oh)[:, None] * s, np.arange(ow)[None, :] * s
    for a in range(k):
        for b in range(k):
            v = x[a:a + s * (oh - 1) + 1:s, b:b + s * (ow - 1) + 1:s]
            better = v > best
            best = np.where(better, v, best)
            rows = np.where(better, base_r + a, rows)
            cols = np.where(better, base_c + b, cols)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (rows, cols), grad_out)
    return grad_x


def vec_buffered(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    a, b = _winners(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    grad_x[np.arange(oh)[:, None] * s + a, np.arange(ow)[None, :] * s + b] += grad_out
    return grad_x


def vec_colmajor(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    a, b = _winners(x, k, s, oh, ow, colmajor=True)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + a, np.arange(ow)[None, :] * s + b), grad_out)
    return grad_x


def vec_stride_as_k(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    a, b = _winners(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * k + a, np.arange(ow)[None, :] * k + b), grad_out)
    return grad_x


def vec_unravel_by_s(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    a, b = _winners(x, k, s, oh, ow)
    idx = a * k + b
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + idx // s, np.arange(ow)[None, :] * s + idx % s),
              grad_out)
    return grad_x


def vec_all_tied(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    view = np.lib.stride_tricks.sliding_window_view(x, (k, k))[::s, ::s][:oh, :ow]
    mask = view == view.max(axis=(-1, -2), keepdims=True)
    grad_x = np.zeros(x.shape)
    for a in range(k):
        for b in range(k):
            np.add.at(grad_x, (np.arange(oh)[:, None] * s + a, np.arange(ow)[None, :] * s + b),
                      grad_out * mask[..., a, b])
    return grad_x


def vec_row_loop(grad_out, x, kernel_size=2, stride=2):
    # Right values, but a Python loop over the rows of windows.
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    grad_x = np.zeros(x.shape)
    for i in range(oh):
        band = np.lib.stride_tricks.sliding_window_view(x[i * s:i * s + k], (k, k))[0, ::s][:ow]
        idx = band.reshape(ow, k * k).argmax(axis=-1)
        np.add.at(grad_x, (i * s + idx // k, np.arange(ow) * s + idx % k), grad_out[i])
    return grad_x


def vec_apply_along(grad_out, x, kernel_size=2, stride=2):
    # Right values, but np.apply_along_axis is a Python loop over the windows inside numpy.
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    view = np.lib.stride_tricks.sliding_window_view(x, (k, k))[::s, ::s][:oh, :ow]
    idx = np.apply_along_axis(np.argmax, -1, view.reshape(oh, ow, k * k))
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + idx // k, np.arange(ow)[None, :] * s + idx % k),
              grad_out)
    return grad_x


def vec_poolkit(grad_out, x, kernel_size=2, stride=2):
    import poolkit as pk

    return pk.max_pool2d_backward(grad_out[None], x[None], kernel_size, stride=stride)[0]


@pytest.mark.parametrize("fn", [vec_right, vec_offsets])
def test_vectorised_right_solutions_pass(capsys, fn):
    assert ch04.check_max_backward_vectorised(fn).passed
    assert one_line(capsys) == "Passes all 9 cases."


def test_vectorised_right_solution_agrees_with_the_plain_loop():
    # The cases' expected values (poolkit) against the test file's own loop, max_right.
    for case in ch04.MAX_BACKWARD_VECTORISED.build_cases():
        np.testing.assert_array_equal(case.expected, max_right(*case.args, **case.kwargs))


def test_vectorised_tie_case_separates_the_tie_mistakes():
    case = ch04.MAX_BACKWARD_VECTORISED.build_cases()[1]
    x = case.args[1]
    assert case.kwargs["kernel_size"] == 3
    assert np.argwhere(x == x.max()).tolist() == [[0, 2], [1, 0], [1, 2]]
    assert case.expected[0, 2] == 7 and case.expected.sum() == 7


@pytest.mark.parametrize("fn, words", [
    (vec_buffered, "np.add.at(grad_x"),
    (vec_colmajor, "column-major"),
    (vec_stride_as_k, "starts at row i * stride"),
    (vec_unravel_by_s, "(idx // k, idx % k)"),
    (vec_all_tied, "every tied maximum"),
    (max_last, "last maximum"),
    (max_spread, "average pooling's backward"),
])
def test_vectorised_mistakes_get_their_hint(capsys, fn, words):
    assert not ch04.check_max_backward_vectorised(fn).passed
    line = one_line(capsys)
    assert line.startswith("Case ") and words in line, line


@pytest.mark.parametrize("fn", [vec_row_loop, vec_apply_along, max_right])
def test_vectorised_loops_over_windows_are_named(capsys, fn):
    assert not ch04.check_max_backward_vectorised(fn).passed
    line = one_line(capsys)
    assert line.startswith("Not quite: the values are right, but your function ran"), line
    assert "Python loop still runs once per window" in line, line


def test_vectorised_line_count_of_a_right_solution_does_not_grow():
    x_small, x_large = np.zeros((6, 6)), np.zeros((40, 40))
    small = count_python_lines(vec_right, (np.ones((2, 2)), x_small), {"kernel_size": 3, "stride": 2})
    large = count_python_lines(vec_right, (np.ones((19, 19)), x_large), {"kernel_size": 3, "stride": 2})
    assert small[0] > 0 and abs(large[0] - small[0]) <= ch04.LOOP_SLACK
    assert not small[1] and not large[1]
    loop_small = count_python_lines(max_right, (np.ones((2, 2)), x_small), {"kernel_size": 3, "stride": 2})
    loop_large = count_python_lines(max_right, (np.ones((19, 19)), x_large), {"kernel_size": 3, "stride": 2})
    assert loop_large[0] > 50 * loop_small[0] / 4          # grows with the 361 / 4 windows


def test_vectorised_calling_poolkit_is_refused(capsys):
    assert not ch04.check_max_backward_vectorised(vec_poolkit).passed
    assert one_line(capsys).startswith("Not quite: your function calls poolkit.")


@pytest.mark.parametrize("junk", [None, ..., 3, "code", [1, 2], np.zeros((2, 2))])
def test_vectorised_junk_never_raises(capsys, junk):
    result = ch04.check_max_backward_vectorised(junk)
    assert not result.passed
    one_line(capsys)


def test_vectorised_stub_is_not_attempted(capsys):
    def max_backward_vectorised(grad_out, x, kernel_size=2, stride=2):
        raise NotImplementedError

    assert not ch04.check_max_backward_vectorised(max_backward_vectorised).attempted
    assert one_line(capsys).startswith("Not attempted yet")
