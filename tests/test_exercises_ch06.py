"""Checkers of chapter 6: right answers pass, usual mistakes get the right line, junk never raises."""

import re

import numpy as np
import pytest

import poolkit as pk
from poolkit.course.exercises import ch06


def line(capsys, fn, *args):
    result = fn(*args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out          # exactly one line
    text = out.strip()
    assert re.search(r"\d\.\d|\bnan\b|\binf\b", text) is None, text     # never a float
    return result, text


# --- comparisons ---------------------------------------------------------------------

def test_comparisons_by_hand_and_by_poolkit():
    # out = (112 + 2 - 3) // 2 + 1 = 56; 4*64*56*56 windows, 8 comparisons each
    assert ch06.COMPARISONS == 802_816 * 8 == 6_422_528
    assert pk.pool_flops((4, 64, 112, 112), 3, stride=2, padding=1).exact == ch06.COMPARISONS


def test_comparisons_correct(capsys):
    result, text = line(capsys, ch06.check_comparisons, 6_422_528)
    assert result.passed and text == "Correct."


@pytest.mark.parametrize("answer, phrase", [
    (4 * 64 * 56 * 56 * 9, "k*k convention"),
    (64 * 56 * 56 * 8, "one image"),
    (4 * 64 * 56 * 56, "number of windows"),
    (4 * 64 * 112 * 112 * 8, "output grid"),
    (4 * 64 * 55 * 55 * 8, "padding"),
])
def test_comparisons_mistakes(capsys, answer, phrase):
    result, text = line(capsys, ch06.check_comparisons, answer)
    assert not result.passed and phrase in text, text


@pytest.mark.parametrize("junk", [..., None, "6422528", 6.4e6, [1], np.zeros(2), True])
def test_comparisons_junk(capsys, junk):
    result, text = line(capsys, ch06.check_comparisons, junk)
    assert not result.passed


# --- bytes_moved ------------------------------------------------------------------------

def test_reference_by_hand():
    # 1*64*224*224 floats in, 1*64*112*112 out, 4 bytes each
    assert ch06.bytes_moved_reference((1, 64, 224, 224), 2, 2) == 4 * (3_211_264 + 802_816)
    # with indices: 8 more bytes per output
    assert (ch06.bytes_moved_reference((1, 1, 4, 4), 2, 2, return_indices=True)
            == 4 * 16 + 4 * 4 + 8 * 4)


@pytest.mark.parametrize("args", ch06.BYTES_CASES)
def test_reference_matches_poolkit(args):
    shape, k, s, p, item, idx = args
    dtype = {2: "float16", 4: "float32", 8: "float64"}[item]
    assert ch06.bytes_moved_reference(*args) == pk.pool_bytes(
        shape, k, stride=s, padding=p, dtype=dtype, return_indices=idx).total


def good(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    N, C, H, W = input_shape
    oh = (H + 2 * padding - kernel_size) // stride + 1
    ow = (W + 2 * padding - kernel_size) // stride + 1
    return N * C * (H * W * itemsize + oh * ow * (itemsize + (8 if return_indices else 0)))


def test_bytes_correct(capsys):
    result, text = line(capsys, ch06.check_bytes_moved, good)
    assert result.passed and text.startswith("Passes all")


def test_bytes_stub(capsys):
    def stub(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
        raise NotImplementedError
    result, text = line(capsys, ch06.check_bytes_moved, stub)
    assert not result.attempted


def input_only(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    N, C, H, W = input_shape
    return N * C * H * W * itemsize


def no_indices(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    return good(input_shape, kernel_size, stride, padding, itemsize, False)


def indices_at_itemsize(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    N, C, H, W = input_shape
    oh = (H + 2 * padding - kernel_size) // stride + 1
    ow = (W + 2 * padding - kernel_size) // stride + 1
    return N * C * (H * W + oh * ow * (2 if return_indices else 1)) * itemsize


def no_itemsize(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    return good(input_shape, kernel_size, stride, padding, 1, False) + (
        0 if not return_indices else 0)


def no_padding(input_shape, kernel_size, stride, padding=0, itemsize=4, return_indices=False):
    return good(input_shape, kernel_size, stride, 0, itemsize, return_indices)


@pytest.mark.parametrize("fn, phrase", [
    (input_only, "add the output"),
    (no_indices, "8 bytes"),
    (indices_at_itemsize, "int64"),
    (no_itemsize, "itemsize"),
    (no_padding, "padding"),
])
def test_bytes_names_the_mistake(capsys, fn, phrase):
    result, text = line(capsys, ch06.check_bytes_moved, fn)
    assert not result.passed and phrase in text, text


@pytest.mark.parametrize("junk", [None, ..., 3, "f", lambda *a, **k: None, lambda *a, **k: 1 / 0,
                                  lambda *a, **k: 1.5, lambda *a, **k: "12", lambda: 1,
                                  lambda *a, **k: np.int64(80)])
def test_bytes_junk_never_raises(capsys, junk):
    result, text = line(capsys, ch06.check_bytes_moved, junk)
    assert not result.passed


# --- training choice and quiz -----------------------------------------------------------

def test_training_claim(capsys):
    result, text = line(capsys, ch06.check_training_claim, "b")
    assert result.passed
    for wrong in "ACD":
        result, text = line(capsys, ch06.check_training_claim, wrong)
        assert not result.passed and text.startswith(f"Not quite: {wrong} is not right.")
    for junk in [None, 2, "Z", ["A", "B"]]:
        result, text = line(capsys, ch06.check_training_claim, junk)
        assert not result.passed


def test_quiz_is_valid():
    from poolkit.course.exercises import quiz
    questions = quiz.validate(ch06.QUIZ)
    assert 3 <= len(questions) <= 5
    for q in questions:
        assert sum(a["correct"] for a in q["answers"]) == 1


def test_quiz_numbers_are_right():
    # the ResNet-stem question: pooling's share of the FLOPs is under 1 %
    conv = pk.conv2d_flops((1, 3, 224, 224), 64, 7, stride=2, padding=3).flops
    pool = pk.pool_flops((1, 64, 112, 112), 3, stride=2, padding=1).exact
    assert pool / (conv + pool) < 0.01


# --- hard exercises (issue 12): max backward with no Python loop over the windows ----------

from numpy.lib.stride_tricks import sliding_window_view as _windows


def _first_max(x, k, s, oh, ow):
    return _windows(x, (k, k))[::s, ::s][:oh, :ow].reshape(oh, ow, k * k).argmax(axis=-1)


def vec_good(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    first = _first_max(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + first // k, np.arange(ow) * s + first % k), grad_out)
    return grad_x


def vec_offsets(grad_out, x, kernel_size=2, stride=2):
    # a loop over the k*k offsets only: allowed
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    best, arg = np.full((oh, ow), -np.inf), np.zeros((oh, ow), dtype=int)
    for t in range(k * k):
        r, c = divmod(t, k)
        v = x[r:r + s * (oh - 1) + 1:s, c:c + s * (ow - 1) + 1:s]
        better = v > best
        best, arg = np.where(better, v, best), np.where(better, t, arg)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + arg // k, np.arange(ow) * s + arg % k), grad_out)
    return grad_x


def vec_assign(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    first = _first_max(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    grad_x[np.arange(oh)[:, None] * s + first // k, np.arange(ow) * s + first % k] += grad_out
    return grad_x


def vec_last(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    flat = _windows(x, (k, k))[::s, ::s][:oh, :ow].reshape(oh, ow, k * k)
    last = k * k - 1 - flat[..., ::-1].argmax(axis=-1)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + last // k, np.arange(ow) * s + last % k), grad_out)
    return grad_x


def _masked(grad_out, x, k, s, split):
    oh, ow = grad_out.shape
    win = _windows(x, (k, k))[::s, ::s][:oh, :ow]
    mask = (win == win.max(axis=(-2, -1), keepdims=True)).astype(float)
    if split:
        mask /= mask.sum(axis=(-2, -1), keepdims=True)
    grad_x = np.zeros(x.shape)
    for r in range(k):
        for c in range(k):
            np.add.at(grad_x, (np.arange(oh)[:, None] * s + r, np.arange(ow) * s + c),
                      grad_out * mask[..., r, c])
    return grad_x


def vec_all_tied(grad_out, x, kernel_size=2, stride=2):
    return _masked(grad_out, x, kernel_size, stride, split=False)


def vec_split(grad_out, x, kernel_size=2, stride=2):
    return _masked(grad_out, x, kernel_size, stride, split=True)


def vec_spread(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    grad_x = np.zeros(x.shape)
    for r in range(k):
        for c in range(k):
            np.add.at(grad_x, (np.arange(oh)[:, None] * s + r, np.arange(ow) * s + c), grad_out / (k * k))
    return grad_x


def vec_transposed(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    first = _first_max(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + first % k, np.arange(ow) * s + first // k), grad_out)
    return grad_x


def vec_no_stride(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    first = _first_max(x, k, s, oh, ow)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] + first // k, np.arange(ow) + first % k), grad_out)
    return grad_x


def vec_pooled_shape(grad_out, x, kernel_size=2, stride=2):
    return grad_out.copy()


def loop_windows(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            r, c = divmod(int(np.argmax(x[i * s:i * s + k, j * s:j * s + k])), k)
            grad_x[i * s + r, j * s + c] += grad_out[i, j]
    return grad_x


def loop_rows(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    grad_x = np.zeros(x.shape)
    for i in range(oh):
        first = _windows(x[i * s:i * s + k], (k, k))[0, ::s][:ow].reshape(ow, k * k).argmax(axis=-1)
        np.add.at(grad_x, (i * s + first // k, np.arange(ow) * s + first % k), grad_out[i])
    return grad_x


def loop_comprehension(grad_out, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    oh, ow = grad_out.shape
    firsts = [int(np.argmax(x[i * s:i * s + k, j * s:j * s + k])) for i in range(oh) for j in range(ow)]
    first = np.array(firsts).reshape(oh, ow)
    grad_x = np.zeros(x.shape)
    np.add.at(grad_x, (np.arange(oh)[:, None] * s + first // k, np.arange(ow) * s + first % k), grad_out)
    return grad_x


def test_vectorised_reference_variant_matches_poolkit():
    # the loop written in the checker ("right") against poolkit and the whole-array answer
    rng = np.random.default_rng(3)
    for shape, k, s in [((6, 7), 3, 2), ((5, 5), 2, 1), ((8, 8), 2, 3)]:
        x = rng.integers(0, 3, size=shape).astype(float)
        g = rng.standard_normal(((shape[0] - k) // s + 1, (shape[1] - k) // s + 1))
        want = pk.max_pool2d_backward(g[None], x[None], k, stride=s)[0]
        np.testing.assert_array_equal(ch06._backward_variant(g, x, k, s), want)
        np.testing.assert_array_equal(vec_good(g, x, k, s), want)


def test_count_line_events_grows_with_a_loop_only():
    x8, x24 = np.zeros((8, 8)), np.zeros((24, 24))
    g8, g24 = np.ones((4, 4)), np.ones((12, 12))
    assert ch06.count_line_events(vec_good, g8, x8) == ch06.count_line_events(vec_good, g24, x24) > 0
    small, large = ch06.count_line_events(loop_windows, g8, x8), ch06.count_line_events(loop_windows, g24, x24)
    assert large - small >= 128            # 144 - 16 more windows, at least one line each


@pytest.mark.parametrize("fn", [vec_good, vec_offsets])
def test_vectorised_correct(capsys, fn):
    result = ch06.check_max_backward_vectorised(fn)
    text = capsys.readouterr().out.strip()
    assert result.passed and text == "Passes all 8 cases.", text


@pytest.mark.parametrize("fn, phrase", [
    (vec_assign, "np.add.at"),
    (vec_last, "last maximum"),
    (vec_all_tied, "every tied maximum"),
    (vec_split, "you split the gradient"),
    (vec_spread, "average pooling's backward"),
    (vec_transposed, "the wrong way round"),
    (vec_no_stride, "starts at row i * stride"),
    (vec_pooled_shape, "has the shape of x"),
    (loop_windows, "more Python lines"),
    (loop_rows, "more Python lines"),
    (loop_comprehension, "more Python lines"),
])
def test_vectorised_mistakes(capsys, fn, phrase):
    result = ch06.check_max_backward_vectorised(fn)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and not result.passed and phrase in out, out
    assert re.search(r"\d\.\d|\bnan\b|\binf\b", out) is None, out


def test_vectorised_stub_and_junk(capsys):
    def stub(grad_out, x, kernel_size=2, stride=2):
        raise NotImplementedError("replace this line with your code")

    assert ch06.check_max_backward_vectorised(stub).status == "not attempted"
    for junk in (None, ..., 3, "f", np.zeros(3), lambda *a, **k: None, lambda *a, **k: 1 / 0):
        result = ch06.check_max_backward_vectorised(junk)
        assert not result.passed
    out = capsys.readouterr().out
    assert out.count("\n") == 8
