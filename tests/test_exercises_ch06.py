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
