"""Checkers of chapter 5: right answers pass, usual mistakes get the right line, junk never raises."""

import math
import re

import numpy as np
import pytest

import poolkit as pk
from poolkit.course.exercises import ch05


def line(capsys, fn, *args):
    result = fn(*args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out          # exactly one line
    return result, out.strip()


# --- the two widths -------------------------------------------------------------

def test_widths_hand_values_match_poolkit():
    # by hand: (16 + 4 - 9) // 2 + 1 = 6; ceil((9 + 2 - 2) / 2) + 1 = 6, last window starts
    # at 10 >= 9 + 1, so 5
    assert pk.output_size(16, 5, stride=2, padding=2, dilation=2) == 6
    assert pk.output_size(9, 2, stride=2, padding=1, ceil_mode=True) == 5


def test_widths_correct(capsys):
    result, text = line(capsys, ch05.check_widths, 6, 5)
    assert result.passed and text == "Correct."
    result, text = line(capsys, ch05.check_widths, np.int64(6), np.array(5))
    assert result.passed


def test_widths_not_attempted(capsys):
    result, text = line(capsys, ch05.check_widths, ..., ...)
    assert not result.attempted and text.startswith("Not attempted yet")


@pytest.mark.parametrize("a, phrase", [
    (4, "left out the padding"),
    (7, "you rounded up"),
    (8, "left out the dilation"),
    (5, "+ 1"),
])
def test_widths_part_a_mistakes(capsys, a, phrase):
    result, text = line(capsys, ch05.check_widths, a, 5)
    assert not result.passed and "width_a" in text and phrase in text


def test_widths_part_b_last_window_rule(capsys):
    result, text = line(capsys, ch05.check_widths, 6, 6)
    assert not result.passed and "width_b" in text and "right padding" in text


@pytest.mark.parametrize("junk", [None, "6", 6.0, [6], float("nan"), np.zeros(3), object(), True])
def test_widths_junk_never_raises(capsys, junk):
    result, text = line(capsys, ch05.check_widths, junk, junk)
    assert not result.passed
    assert re.search(r"\d\.\d|nan|inf", text) is None, text


# --- output_size with diagnosis -----------------------------------------------------

def reference(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    out = (math.ceil(span / stride) if ceil_mode else math.floor(span / stride)) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def test_cases_agree_with_poolkit():
    for n, k, s, p, d, c in ch05.CASES:
        assert reference(n, k, s, p, d, c) == pk.output_size(n, k, stride=s, padding=p, dilation=d,
                                                              ceil_mode=c)


def test_output_size_correct(capsys):
    result, text = line(capsys, ch05.check_output_size, reference)
    assert result.passed and text == f"Passes all {len(ch05.CASES)} cases."


def test_output_size_stub(capsys):
    def stub(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
        raise NotImplementedError
    result, text = line(capsys, ch05.check_output_size, stub)
    assert not result.attempted


def no_padding(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    return reference(size, kernel_size, stride, 0, dilation, ceil_mode)


def no_dilation(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    return reference(size, kernel_size, stride, padding, 1, ceil_mode)


def always_ceil(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    return reference(size, kernel_size, stride, padding, dilation, True)


def always_floor(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    return reference(size, kernel_size, stride, padding, dilation, False)


def no_rule(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    return (math.ceil(span / stride) if ceil_mode else span // stride) + 1


def rule_without_padding(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    # the review's near miss: the last-window rule compared with the input's end, not in + p
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    out = (math.ceil(span / stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size:
        out -= 1
    return out


def test_the_cases_catch_the_rule_without_padding():
    # in=4, k=2, s=2, p=1, ceil: the windows start at padded cells 0, 2, 4; cell 4 is the real
    # cell 3, so PyTorch keeps 3 windows; comparing with in = 4 drops the last one
    assert pk.output_size(4, 2, stride=2, padding=1, ceil_mode=True) == 3
    assert rule_without_padding(4, 2, 2, 1, 1, True) == 2
    assert any(rule_without_padding(*c) != reference(*c) for c in ch05.CASES)


def no_plus_one(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    return reference(size, kernel_size, stride, padding, dilation, ceil_mode) - 1


@pytest.mark.parametrize("fn, phrase", [
    (no_padding, "forgot the padding"),
    (no_dilation, "forgot the dilation"),
    (always_ceil, "round down"),
    (always_floor, "round up"),
    (no_rule, "start in the right padding"),
    (rule_without_padding, "compare (out-1)*s with in + p, not with in"),
    (no_plus_one, "add 1"),
])
def test_output_size_names_the_broken_rule(capsys, fn, phrase):
    result, text = line(capsys, ch05.check_output_size, fn)
    assert not result.passed and phrase in text, text


@pytest.mark.parametrize("junk", [None, ..., 3, "output_size", lambda *a, **k: "3",
                                  lambda *a, **k: 1 / 0, lambda *a, **k: None, lambda: 3,
                                  lambda *a, **k: 3.0, lambda *a, **k: float("nan")])
def test_output_size_junk_never_raises(capsys, junk):
    result, text = line(capsys, ch05.check_output_size, junk)
    assert not result.passed


# --- unpooling choice -----------------------------------------------------------

def test_unpool_reason(capsys):
    result, text = line(capsys, ch05.check_unpool_reason, "b")
    assert result.passed and text.startswith("Correct: B.")
    for wrong in "ACD":
        result, text = line(capsys, ch05.check_unpool_reason, wrong)
        assert not result.passed and text.startswith(f"Not quite: {wrong} is not right.")
    for junk in [None, 2, "Z", ["A", "B"], np.array(1)]:
        result, text = line(capsys, ch05.check_unpool_reason, junk)
        assert not result.passed


def test_quiz_is_valid():
    from poolkit.course.exercises import quiz
    questions = quiz.validate(ch05.QUIZ)
    assert 3 <= len(questions) <= 5
    for q in questions:
        assert sum(a["correct"] for a in q["answers"]) == 1


# --- hard exercises (issue 12): a window of padding only that PyTorch accepts -------------

def test_window_taps_by_hand():
    # in=1, k=2, p=1, d=2: padded cells 0 (pad), 1 (real), 2 (pad); one window reading 0 and 2
    assert ch05.window_taps(1, 2, 1, 1, 2) == [(0, 2)]
    assert ch05.padding_only_windows(1, 2, 1, 1, 2) == [0]
    # in=7, k=3, s=2: windows start at 0, 2, 4 (the chapter's figure)
    assert ch05.window_taps(7, 3, 2) == [(0, 1, 2), (2, 3, 4), (4, 5, 6)]


def test_padding_only_windows_match_poolkit():
    # a second implementation: on an all-zero input, max pooling is minus infinity exactly where a
    # window reads padding only; and such a window needs dilation > size (taps jump over the input)
    seen = 0
    for n in range(1, 7):
        for k in range(1, 5):
            for s in range(1, 4):
                for p in range(k // 2 + 1):
                    for d in range(1, 9):
                        if n + 2 * p < d * (k - 1) + 1:
                            continue
                        y = pk.max_pool1d(np.zeros((1, n)), k, stride=s, padding=p, dilation=d)[0]
                        mine = ch05.padding_only_windows(n, k, s, p, d)
                        assert np.flatnonzero(np.isneginf(y)).tolist() == mine, (n, k, s, p, d)
                        assert not mine or d > n
                        seen += bool(mine)
    assert seen > 10


def test_all_padding_example_in_torch(torch_or_skip):
    torch = torch_or_skip
    n, k, s, p, d = ch05.ALL_PADDING_EXAMPLE
    y = torch.nn.functional.max_pool1d(torch.full((1, 1, n), 5.0), k, stride=s, padding=p, dilation=d)
    assert y.flatten().tolist() == [float("-inf")]
    with pytest.raises(RuntimeError, match="half"):
        torch.nn.functional.max_pool1d(torch.ones(1, 1, 4), 2, stride=1, padding=2)


def test_all_padding_correct(capsys):
    for setting in [(1, 2, 1, 1, 2), [3, 2, 2, 1, 4], np.array([2, 2, 1, 1, 3])]:
        result, text = line(capsys, ch05.check_all_padding, setting, float("-inf"))
        assert result.passed and text == "Correct.", text
    result, text = line(capsys, ch05.check_all_padding, (1, 2, 1, 1, 2), -math.inf)
    assert result.passed


@pytest.mark.parametrize("setting, value, phrase", [
    ((4, 2, 1, 2, 1), -math.inf, "PyTorch refuses this setting"),          # p > k // 2
    ((4, 3, 1, 2, 1), -math.inf, "PyTorch refuses this setting"),
    ((4, 2, 1, 1, 1), -math.inf, "without dilation"),                      # d = 1: a real cell each
    ((4, 2, 1, 1, 3), -math.inf, "the dilation must exceed the size"),     # d <= n
    ((1, 1, 1, 0, 3), -math.inf, "with padding 0"),
    ((1, 2, 1, 1, 5), -math.inf, "no window fits"),                        # span 6 > 3 padded cells
    ((0, 2, 1, 1, 2), -math.inf, "at least 1"),
    ((10 ** 30, 2, 1, 1, 10 ** 31), -math.inf, "too large to check"),   # never enumerated
    ((1, 2, 1, 1, 2), 0, "not 0"),                                         # padding filled with zeros
    ((1, 2, 1, 1, 2), 0.0, "not 0"),
    ((1, 2, 1, 1, 2), 5.0, "maximum of minus infinities"),
    ((1, 2, 1, 1, 2), "-inf", "without quotes"),
])
def test_all_padding_mistakes(capsys, setting, value, phrase):
    result, text = line(capsys, ch05.check_all_padding, setting, value)
    assert not result.passed and phrase in text, text
    assert re.search(r"\d\.\d|\bnan\b|\binf\b", text) is None, text


def test_all_padding_not_attempted(capsys):
    result, text = line(capsys, ch05.check_all_padding, ..., ...)
    assert result.status == "not attempted" and text.startswith("Not attempted yet")
    result, text = line(capsys, ch05.check_all_padding, (1, 2, 1, 1, 2), ...)
    assert result.status == "not attempted" and "the setting is right" in text


@pytest.mark.parametrize("junk", [None, "x", 3, (1, 2), (1.0, 2, 1, 1, 2), (True, 2, 1, 1, 2),
                                  [[1]], object(), np.zeros(5), (10 ** 30, 2, 1, 1, 2)])
def test_all_padding_junk(capsys, junk):
    result, text = line(capsys, ch05.check_all_padding, junk, float("nan"))
    assert not result.passed


def test_every_setting_rule_is_reached_by_a_learners_setting():
    """Each rule of ch05.SETTING_RULES is the first broken one for some setting a learner might write."""
    settings = [(0, 2, 1, 1, 2), (10 ** 30, 2, 1, 1, 10 ** 31), (4, 2, 1, 2, 1), (1, 2, 1, 1, 5),
                (1, 1, 1, 0, 3), (4, 2, 1, 1, 1), (4, 2, 1, 1, 3)]
    first = [next(i for i, r in enumerate(ch05.SETTING_RULES) if r.broken(*s)) for s in settings]
    assert first == list(range(len(ch05.SETTING_RULES)))
    assert not any(r.broken(*ch05.ALL_PADDING_EXAMPLE) for r in ch05.SETTING_RULES)
