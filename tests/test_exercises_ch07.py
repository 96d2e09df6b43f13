"""Checkers of chapter 7: right answers pass, usual mistakes get the right line, junk never raises."""

import re

import numpy as np
import pytest

import poolkit as pk
from poolkit.course.exercises import ch07


def line(capsys, fn, *args):
    result = fn(*args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out          # exactly one line
    text = out.strip()
    assert re.search(r"\d\.\d|\bnan\b|\binf\b", text) is None, text     # never a float
    return result, text


# --- fully connected head ----------------------------------------------------------

def test_fc_params_by_hand():
    # 7*7*512 = 25088 inputs per unit, 4096 units, 4096 biases
    assert ch07.FC_PARAMS == 25088 * 4096 + 4096 == 102_764_544
    assert pk.conv2d_params(512, 4096, 7) == ch07.FC_PARAMS      # the same layer as a 7x7 convolution


def test_fc_params_correct(capsys):
    result, text = line(capsys, ch07.check_fc_head_params, 102_764_544)
    assert result.passed and text == "Correct."


@pytest.mark.parametrize("answer, phrase", [
    (102_760_448, "biases"),
    (512 * 4096 + 4096, "7 * 7 * 512 inputs"),
    (25088 * 4096 + 25088, "one bias per output unit"),
])
def test_fc_params_mistakes(capsys, answer, phrase):
    result, text = line(capsys, ch07.check_fc_head_params, answer)
    assert not result.passed and phrase in text


@pytest.mark.parametrize("junk", [..., None, "102764544", 1.5e8, [1], np.zeros(2), object(), True])
def test_fc_params_junk(capsys, junk):
    result, text = line(capsys, ch07.check_fc_head_params, junk)
    assert not result.passed


# --- max_blur_pool1d --------------------------------------------------------------------

def test_reference_by_hand():
    # pairs max of (0,0,1,1,0,0,1,1) with wrap: (0,1,1,1,0,1,1,1); blur at even i:
    # (1+0+1)/4, (1+2+1)/4, (1+0+1)/4, (1+2+1)/4
    got = ch07.max_blur_pool1d_reference(np.array([0.0, 0, 1, 1, 0, 0, 1, 1]))
    assert got.tolist() == [0.5, 1.0, 0.5, 1.0]


def test_reference_matches_poolkit_and_numpy_blur():
    # a second implementation: poolkit's stride-1 max pooling on a wrapped signal, then a circular blur
    rng = np.random.default_rng(1)
    x = rng.standard_normal(12)
    m = pk.max_pool1d(np.append(x, x[0])[None], 2, stride=1)[0]
    kernel = np.array([1.0, 2.0, 1.0]) / 4
    b = np.array([kernel @ m[np.arange(i - 1, i + 2) % 12] for i in range(12)])
    np.testing.assert_allclose(ch07.max_blur_pool1d_reference(x), b[::2])


def good(x):
    m = np.maximum(x, np.roll(x, -1))
    return ((np.roll(m, 1) + 2 * m + np.roll(m, -1)) / 4)[::2]


def test_blurpool_correct(capsys):
    result, text = line(capsys, ch07.check_max_blur_pool1d, good)
    assert result.passed and text.startswith("Passes all")


def test_blurpool_stub(capsys):
    def stub(x):
        raise NotImplementedError
    result, text = line(capsys, ch07.check_max_blur_pool1d, stub)
    assert not result.attempted


def plain(x):
    return np.maximum(x[0::2], x[1::2])


def blur_after(x):
    y = np.maximum(x[0::2], x[1::2])
    return (np.roll(y, 1) + 2 * y + np.roll(y, -1)) / 4


def unnormalised(x):
    m = np.maximum(x, np.roll(x, -1))
    return (np.roll(m, 1) + 2 * m + np.roll(m, -1))[::2]


def odd(x):
    m = np.maximum(x, np.roll(x, -1))
    return ((np.roll(m, 1) + 2 * m + np.roll(m, -1)) / 4)[1::2]


@pytest.mark.parametrize("fn, phrase", [
    (plain, "plain max pooling"),
    (blur_after, "blurred after subsampling"),
    (unnormalised, "divide the blur by 4"),
    (odd, "start at index 0"),
])
def test_blurpool_names_the_mistake(capsys, fn, phrase):
    result, text = line(capsys, ch07.check_max_blur_pool1d, fn)
    assert not result.passed and phrase in text, text


def mutates(x):
    x[:] = 0
    return good(x)


@pytest.mark.parametrize("junk", [None, ..., 3, "f", lambda x: None, lambda x: 1 / 0,
                                  lambda x: "abc", lambda x: [0.5], lambda x: x, mutates,
                                  lambda x: np.full(len(x) // 2, np.nan)])
def test_blurpool_junk_never_raises(capsys, junk):
    result, text = line(capsys, ch07.check_max_blur_pool1d, junk)
    assert not result.passed


# --- shift choice and quiz ------------------------------------------------------------------

def test_shift_reason(capsys):
    result, text = line(capsys, ch07.check_shift_reason, "a")
    assert result.passed
    for wrong in "BCD":
        result, text = line(capsys, ch07.check_shift_reason, wrong)
        assert not result.passed and text.startswith(f"Not quite: {wrong} is not right.")
    for junk in [None, 1, "Q", ["A", "B"]]:
        result, text = line(capsys, ch07.check_shift_reason, junk)
        assert not result.passed


def test_quiz_is_valid():
    from poolkit.course.exercises import quiz
    questions = quiz.validate(ch07.QUIZ)
    assert 3 <= len(questions) <= 5
    for q in questions:
        assert sum(a["correct"] for a in q["answers"]) == 1


# --- hard exercises (issue 12): max pooling from ReLUs only ------------------------------------

relu = ch07.relu


def _four(x):
    x = x[:x.shape[0] // 2 * 2, :x.shape[1] // 2 * 2]
    return x[0::2, 0::2], x[0::2, 1::2], x[1::2, 0::2], x[1::2, 1::2]


def relu_good(x):
    a, b, c, d = _four(x)
    m = lambda p, q: p + relu(q - p)
    return m(m(a, b), m(c, d))


def relu_abs(x):
    # |t| = relu(t) + relu(-t), so the abs form is a ReLU network too
    a, b, c, d = _four(x)
    m = lambda p, q: (p + q + np.abs(p - q)) / 2
    return m(m(a, b), m(c, d))


def test_relu_identity_by_hand():
    # max(a, b) = a + relu(b - a): (3, 5) -> 3 + 2, (5, 3) -> 5 + 0, (-4, -1) -> -4 + 3
    a, b = np.array([3.0, 5.0, -4.0]), np.array([5.0, 3.0, -1.0])
    assert (a + relu(b - a)).tolist() == [5.0, 5.0, -1.0]


def test_no_max_array_refuses_max_like_operations():
    x = np.arange(4.0).view(ch07.NoMaxArray)
    for op in (lambda: np.maximum(x, 0), lambda: x.max(), lambda: np.max(x), lambda: np.sort(x),
               lambda: x > 1, lambda: np.where(x.view(np.ndarray) > 1, x, 0), lambda: max(x[:2], x[2:]),
               lambda: x.argmax(), lambda: np.clip(x, 0, 1), lambda: np.median(x)):
        with pytest.raises(ch07.MaxNotAllowed):
            op()
    assert ((x + 1) * 2 - x).view(np.ndarray).tolist() == [2.0, 3.0, 4.0, 5.0]


def test_relu_good_matches_poolkit():
    rng = np.random.default_rng(5)
    for shape in [(4, 4), (5, 7), (2, 2)]:
        x = rng.standard_normal(shape)
        np.testing.assert_allclose(relu_good(x), pk.max_pool2d(x[None], 2)[0])


@pytest.mark.parametrize("fn", [relu_good, relu_abs])
def test_relu_correct(capsys, fn):
    result, text = line(capsys, ch07.check_max_pool_relu, fn)
    assert result.passed and text == "Passes all 5 cases.", text


def _pairs(pair, pre=lambda x: x):
    def fn(x):
        a, b, c, d = _four(pre(x))
        return pair(pair(a, b), pair(c, d))
    return fn


def relu_sum4(x):
    a, b, c, d = _four(x)
    return a + relu(b - a) + relu(c - a) + relu(d - a)


def relu_no_crop(x):
    m = lambda p, q: p + relu(q - p)
    return m(m(x[0::2, 0::2], x[0::2, 1::2]), m(x[1::2, 0::2], x[1::2, 1::2]))


def relu_width_only(x):
    x = x[:, :x.shape[1] // 2 * 2]
    return x[:, 0::2] + relu(x[:, 1::2] - x[:, 0::2])


@pytest.mark.parametrize("fn, phrase", [
    (lambda x: np.maximum(np.maximum(*_four(x)[:2]), np.maximum(*_four(x)[2:])), "np.maximum is a max-like"),
    (lambda x: x[:x.shape[0] // 2 * 2, :x.shape[1] // 2 * 2].reshape(
        x.shape[0] // 2, 2, x.shape[1] // 2, 2).max(axis=(1, 3)), "max-like"),
    (lambda x: pk.max_pool2d(x[None], 2)[0], "max-like"),
    (lambda x: max(*_four(x)[:2]), "np.greater"),
    (_pairs(lambda p, q: p + relu(p - q)), "you wrote relu(a - b)"),
    (_pairs(lambda p, q: p + relu(q - p), pre=relu), "do not apply relu to the values"),
    (_pairs(lambda p, q: relu(p) + relu(q)), "relu(a) + relu(b)"),
    (relu_sum4, "chain the pairs"),
    (_pairs(lambda p, q: (p + q) / 2), "average pooling"),
    (relu_no_crop, "crop an odd size first"),
    (relu_width_only, "pool both axes"),
])
def test_relu_mistakes(capsys, fn, phrase):
    result, text = line(capsys, ch07.check_max_pool_relu, fn)
    assert not result.passed and phrase in text, text


def test_relu_stub_and_junk(capsys):
    def stub(x):
        raise NotImplementedError("replace this line with your code")

    result, text = line(capsys, ch07.check_max_pool_relu, stub)
    assert result.status == "not attempted"
    for junk in (None, ..., 3, "f", np.zeros(3), lambda x: None, lambda x: 1 / 0, lambda x: "max"):
        result, text = line(capsys, ch07.check_max_pool_relu, junk)
        assert not result.passed
