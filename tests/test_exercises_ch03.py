"""Chapter 3 checkers: right answers pass, usual mistakes get their own hint, junk never raises.

The right adaptive pooling below is written from the bin formula with plain loops (not
poolkit), and the stochastic-pooling value is worked out from its definition.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from poolkit.course.exercises import ch03

FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+[eE][-+]?\d+)")  # a printed float value


def one_line(capsys) -> str:
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1, out
    assert not FLOAT.search(lines[0]), lines[0]
    return lines[0]


def _pool(x, rows, cols):
    out = np.zeros((len(rows), len(cols)))
    for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
            out[i, j] = x[r0:r1, c0:c1].max()
    return out


def adaptive_right(x, out_size):
    import math

    (H, W), (OH, OW) = x.shape, out_size
    rows = [(math.floor(i * H / OH), math.ceil((i + 1) * H / OH)) for i in range(OH)]
    cols = [(math.floor(j * W / OW), math.ceil((j + 1) * W / OW)) for j in range(OW)]
    return _pool(x, rows, cols)


def adaptive_floor_end(x, out_size):
    (H, W), (OH, OW) = x.shape, out_size
    rows = [(i * H // OH, max((i + 1) * H // OH, i * H // OH + 1)) for i in range(OH)]
    cols = [(j * W // OW, max((j + 1) * W // OW, j * W // OW + 1)) for j in range(OW)]
    return _pool(x, rows, cols)


def adaptive_published(x, out_size):
    (H, W), (OH, OW) = x.shape, out_size
    rows = [(i * (H // OH), i * (H // OH) + -(-H // OH)) for i in range(OH)]
    cols = [(j * (W // OW), j * (W // OW) + -(-W // OW)) for j in range(OW)]
    return _pool(x, rows, cols)


def test_bins_of_the_chapter_by_hand():
    # 5 cells into 3 bins: [0, 2), [1, 4), [3, 5) -- floor(i*5/3), ceil((i+1)*5/3).
    assert ch03.bin_edges(5, 3) == [(0, 2), (1, 4), (3, 5)]
    assert ch03.bin_edges(5, 3, "published") == [(0, 2), (1, 3), (2, 4)]


def test_adaptive_right_solution_passes(capsys):
    assert ch03.check_adaptive_max_pool(adaptive_right).passed
    assert one_line(capsys) == "Passes all 6 cases."


@pytest.mark.parametrize("fn, words", [
    (adaptive_floor_end, "rounded up"),
    (adaptive_published, "published window"),
])
def test_adaptive_mistakes_get_their_hint(capsys, fn, words):
    assert not ch03.check_adaptive_max_pool(fn).passed
    line = one_line(capsys)
    assert line.startswith("Case ") and words in line, line


def test_adaptive_transposed_output_gets_shape_hint(capsys):
    ch03.check_adaptive_max_pool(lambda x, out_size: adaptive_right(x, out_size[::-1]))
    line = one_line(capsys)
    assert "wrong shape" in line and "OH bins along the rows" in line, line


def test_adaptive_not_attempted(capsys):
    def stub(x, out_size):
        raise NotImplementedError

    assert ch03.check_adaptive_max_pool(stub).status == "not attempted"
    assert one_line(capsys).startswith("Not attempted yet:")


@pytest.mark.parametrize("junk", [None, ..., 7, "adaptive", [[1.0]], lambda *a: None,
                                  lambda *a: 1 / 0, lambda x, o: x.tolist(), lambda x, o: x,
                                  lambda x, o: np.full(o, np.nan), lambda x, o: x.sort()])
def test_adaptive_junk_never_raises(capsys, junk):
    assert not ch03.check_adaptive_max_pool(junk).passed
    one_line(capsys)


def test_gap_matrix_choice(capsys):
    assert ch03.check_gap_matrix("c").passed
    assert one_line(capsys).startswith("Correct: C.")
    for letter, words in [("A", "fully connected"), ("B", "all channels together"),
                          ("D", "global max pooling")]:
        assert not ch03.check_gap_matrix(letter).passed
        assert words in one_line(capsys)


@pytest.mark.parametrize("junk", [None, "", "E", 1, ["C", "D"], {"Z"}])
def test_gap_matrix_junk(capsys, junk):
    assert not ch03.check_gap_matrix(junk).passed
    one_line(capsys)


def test_stochastic_value_from_definition():
    a = np.array(ch03.STOCHASTIC_WINDOW)
    p = a / a.sum()
    assert ch03.STOCHASTIC_TEST_OUTPUT == pytest.approx(float((p * a).sum()))


def test_stochastic(capsys):
    for good in (3, 3.0, np.float64(3.0), 24 / 8):
        assert ch03.check_stochastic_test_output(good).passed
        assert one_line(capsys) == "Correct."
    for wrong, words in [(2, "plain mean"), (4, "maximum"), (24, "divide by"), (8, "sum of the values"),
                         (0.5, "probability of the largest"), (3.5, "sum(p_i * a_i)")]:
        assert not ch03.check_stochastic_test_output(wrong).passed
        assert words in one_line(capsys)


@pytest.mark.parametrize("junk", [None, ..., "3", [3], np.nan, np.inf, np.array([3.0, 3.0]), object()])
def test_stochastic_junk(capsys, junk):
    assert not ch03.check_stochastic_test_output(junk).passed
    one_line(capsys)


def test_quiz_is_valid():
    from poolkit.course.exercises import quiz

    quiz.validate(ch03.QUIZ)
    assert 3 <= len(ch03.QUIZ) <= 5
    for q in ch03.QUIZ:
        assert sum(a["correct"] for a in q["answers"]) == 1
        assert all(a["feedback"] for a in q["answers"])


# --------------------------------------------------------------------------- hard exercises (issue 12)
# ex-ch03-softmax-backward: learner versions written from the formula, and a forward for
# central differences (independent of the checker's loop).


def softmax_forward(x, k, beta):
    oh, ow = x.shape[0] // k, x.shape[1] // k
    blocks = x[:oh * k, :ow * k].reshape(oh, k, ow, k).transpose(0, 2, 1, 3).reshape(oh, ow, k * k)
    z = beta * blocks
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    return (p * blocks).sum(axis=-1)


def numeric_backward(g, x, k, beta, eps=1e-6):
    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        grad[idx] = ((g * softmax_forward(up, k, beta)).sum()
                     - (g * softmax_forward(down, k, beta)).sum()) / (2 * eps)
    return grad


def softmax_right(grad_out, x, k, beta):
    oh, ow = x.shape[0] // k, x.shape[1] // k
    grad_x = np.zeros(x.shape)
    for i in range(oh):
        for j in range(ow):
            w = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            z = beta * w
            p = np.exp(z - z.max())
            p = p / p.sum()
            y = (p * w).sum()
            grad_x[i * k:(i + 1) * k, j * k:(j + 1) * k] += grad_out[i, j] * p * (1 + beta * (w - y))
    return grad_x


def softmax_vectorised(grad_out, x, k, beta):
    oh, ow = x.shape[0] // k, x.shape[1] // k
    blocks = x[:oh * k, :ow * k].reshape(oh, k, ow, k)
    z = beta * blocks
    p = np.exp(z - z.max(axis=(1, 3), keepdims=True))
    p /= p.sum(axis=(1, 3), keepdims=True)
    y = (p * blocks).sum(axis=(1, 3), keepdims=True)
    grad_x = np.zeros(x.shape)
    grad_x[:oh * k, :ow * k] = (grad_out[:, None, :, None] * p * (1 + beta * (blocks - y))).reshape(oh * k, ow * k)
    return grad_x


def _learner(dy):
    """A learner's loop with the derivative dy(p, w, y, beta) of their choice."""
    def fn(grad_out, x, k, beta):
        grad_x = np.zeros(x.shape)
        for i in range(x.shape[0] // k):
            for j in range(x.shape[1] // k):
                w = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
                z = beta * w
                p = np.exp(z - z.max())
                p = p / p.sum()
                y = (p * w).sum()
                grad_x[i * k:(i + 1) * k, j * k:(j + 1) * k] = grad_out[i, j] * dy(p, w, y, beta)
        return grad_x
    return fn


def softmax_no_shift(grad_out, x, k, beta):
    grad_x = np.zeros(x.shape)
    for i in range(x.shape[0] // k):
        for j in range(x.shape[1] // k):
            w = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            p = np.exp(beta * w) / np.exp(beta * w).sum()
            y = (p * w).sum()
            grad_x[i * k:(i + 1) * k, j * k:(j + 1) * k] = grad_out[i, j] * p * (1 + beta * (w - y))
    return grad_x


def softmax_max_route(grad_out, x, k, beta):
    grad_x = np.zeros(x.shape)
    for i in range(x.shape[0] // k):
        for j in range(x.shape[1] // k):
            w = x[i * k:(i + 1) * k, j * k:(j + 1) * k]
            r, c = np.unravel_index(np.argmax(w), w.shape)
            grad_x[i * k + r, j * k + c] += grad_out[i, j]
    return grad_x


def test_softmax_expected_values_match_central_differences():
    for case in ch03.SOFTMAX_BACKWARD.build_cases():
        g, x, k, beta = case.args
        if np.abs(x).max() > 100:           # the overflow case: differences of huge numbers
            continue
        np.testing.assert_allclose(case.expected, numeric_backward(g, x, k, beta), rtol=1e-5, atol=1e-7)


def test_softmax_large_values_case_is_finite_and_agrees_with_the_shifted_vectorised_form():
    case = ch03.SOFTMAX_BACKWARD.build_cases()[-1]
    assert np.isfinite(case.expected).all()
    np.testing.assert_allclose(case.expected, softmax_vectorised(*case.args), rtol=1e-12)


@pytest.mark.parametrize("fn", [softmax_right, softmax_vectorised])
def test_softmax_right_answers_pass(capsys, fn):
    assert ch03.check_softmax_pool_backward(fn).passed
    assert one_line(capsys) == "Passes all 7 cases."


@pytest.mark.parametrize("fn, words", [
    (_learner(lambda p, w, y, b: p), "treated the weights p_i as constants"),
    (_learner(lambda p, w, y, b: p * (1 - b * (w - y))), "check the sign"),
    (_learner(lambda p, w, y, b: p * (1 + (w - y))), "brings a factor beta"),
    (_learner(lambda p, w, y, b: np.full(w.shape, 1 / w.size)), "average pooling's backward"),
    (softmax_max_route, "max pooling's backward"),
    (softmax_no_shift, "subtract each window's maximum"),
])
def test_softmax_mistakes_get_their_hint(capsys, fn, words):
    assert not ch03.check_softmax_pool_backward(fn).passed
    line = one_line(capsys)
    assert line.startswith("Case ") and words in line, line


@pytest.mark.parametrize("junk", [None, ..., 3, "code", [1, 2], np.zeros((2, 2)),
                                  lambda g, x, k, beta: None, lambda g, x, k, beta: g])
def test_softmax_junk_never_raises(capsys, junk):
    assert not ch03.check_softmax_pool_backward(junk).passed
    one_line(capsys)
