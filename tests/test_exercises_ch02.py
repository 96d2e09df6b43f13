"""Chapter 2 checkers: right answers pass, usual mistakes get their own hint, junk never raises.

The right receptive-field function below is the recurrence written from its definition, and
the expected sizes of a few stacks are worked out by hand.
"""

from __future__ import annotations

import re

import pytest

from poolkit.course.exercises import ch02

FLOAT = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d+|\.\d+|\d+[eE][-+]?\d+)")  # a printed float value


def one_line(capsys) -> str:
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 1, out
    assert not FLOAT.search(lines[0]), lines[0]
    return lines[0]


def rf_right(layers):
    size, jump = 1, 1
    for kernel, stride in layers:
        size += (kernel - 1) * jump
        jump *= stride
    return size


def rf_no_jump(layers):
    return 1 + sum(k - 1 for k, _ in layers)


def rf_jump_first(layers):
    size, jump = 1, 1
    for kernel, stride in layers:
        jump *= stride
        size += (kernel - 1) * jump
    return size


def rf_sum_k(layers):
    size, jump = 1, 1
    for kernel, stride in layers:
        size += kernel * jump
        jump *= stride
    return size


@pytest.mark.parametrize("layers, size", [
    ([(3, 1)], 3),                      # one 3x3 convolution sees 3 cells
    ([(3, 1)] * 3, 7),                  # three of them see 7, like one 7x7
    ([(7, 2), (3, 2)], 11),             # ResNet stem: 7, then 7 + 2 * 2
    ([(2, 2)] * 3, 8),                  # three 2x2/2 poolings tile 8 cells
])
def test_hand_computed_sizes_match_the_checker_reference(layers, size):
    cases = {c.label: c for c in ch02.RF_FUNCTION.build_cases()}
    matching = [c for c in cases.values() if c.args[0] == layers]
    assert matching and matching[0].expected == size


def test_numeric_answer_by_hand():
    assert rf_right(ch02.RF_STACK) == ch02.RF_SIZE == 10


def test_rf_right_solution_passes(capsys):
    assert ch02.check_rf_size(rf_right).passed
    assert one_line(capsys) == "Passes all 7 cases."


@pytest.mark.parametrize("fn, words", [
    (rf_no_jump, "the jump"),
    (rf_jump_first, "before the layer"),
    (rf_sum_k, "not by k"),
])
def test_rf_mistakes_get_their_hint(capsys, fn, words):
    assert not ch02.check_rf_size(fn).passed
    line = one_line(capsys)
    assert line.startswith("Case ") and words in line, line


def test_rf_not_attempted(capsys):
    def stub(layers):
        raise NotImplementedError

    assert ch02.check_rf_size(stub).status == "not attempted"
    assert one_line(capsys).startswith("Not attempted yet:")


@pytest.mark.parametrize("junk", [None, ..., 3, "rf", [1, 2], lambda layers: None,
                                  lambda layers: 1 / 0, lambda layers: "7", lambda layers: 7.5,
                                  lambda layers: True, lambda layers: [rf_right(layers)],
                                  lambda layers: layers.clear()])
def test_rf_junk_never_raises(capsys, junk):
    assert not ch02.check_rf_size(junk).passed
    one_line(capsys)


def test_parameters_choice(capsys):
    assert ch02.check_parameters("b").passed
    assert one_line(capsys).startswith("Correct: B.")
    for letter, words in [("A", "do not depend on the size"), ("C", "fully connected layer"),
                          ("D", "no weights")]:
        assert not ch02.check_parameters(letter).passed
        assert words in one_line(capsys)


@pytest.mark.parametrize("junk", [None, "", "Q", 2, ["A", "B"], object()])
def test_parameters_junk(capsys, junk):
    assert not ch02.check_parameters(junk).passed
    one_line(capsys)


def test_receptive_field_numeric(capsys):
    assert ch02.check_receptive_field(10).passed
    assert one_line(capsys) == "Correct."
    for wrong, words in [(rf_no_jump(ch02.RF_STACK), "the jump is 2"),
                         (rf_jump_first(ch02.RF_STACK), "one before the layer"),
                         (rf_sum_k(ch02.RF_STACK), "not k"),
                         (7, "pooling layer grows the field"), (9, "r += (k - 1) * j")]:
        assert not ch02.check_receptive_field(wrong).passed
        assert words in one_line(capsys), wrong


@pytest.mark.parametrize("junk", [None, ..., "10", [10], 10.5, float("nan"), object()])
def test_receptive_field_junk(capsys, junk):
    assert not ch02.check_receptive_field(junk).passed
    one_line(capsys)


def test_quiz_is_valid():
    from poolkit.course.exercises import quiz

    quiz.validate(ch02.QUIZ)
    assert 3 <= len(ch02.QUIZ) <= 5
    for q in ch02.QUIZ:
        assert sum(a["correct"] for a in q["answers"]) == 1
        assert all(a["feedback"] for a in q["answers"])


# --------------------------------------------------------------------------- hard exercises (issue 12)
# ex-ch02-vgg-field: (size, jump, first, last) of the first unit after VGG-16's third pooling.


def _field_by_brute_force():
    """The pixels the first unit depends on, found by propagating index sets (no recurrence)."""
    cells = {0}                                           # the first output unit
    for k, s, p in reversed(ch02.VGG_STAGES):             # back through the layers
        cells = {o * s - p + a for o in cells for a in range(k)}
    return min(cells), max(cells), len(cells)


def test_vgg_field_expected_matches_brute_force():
    first, last, count = _field_by_brute_force()
    size, jump, f, l = ch02.vgg_field()
    assert (f, l) == (first, last) == (-18, 25)
    assert size == count == last - first + 1 == 44
    assert jump == 2 ** 3


def test_vgg_field_right(capsys):
    assert ch02.check_vgg_field((44, 8, -18, 25)).passed
    assert one_line(capsys) == "Correct."
    assert ch02.check_vgg_field([44, 8, -18, 25]).passed
    one_line(capsys)


@pytest.mark.parametrize("answer, words", [
    ((44, 8, 0, 43), "as if there were no padding"),
    ((44, 8, -18, 26), "both inclusive"),
    ((44, 8, -22, 21), "track its centre"),             # centre left at 0: poolings not moving it
    ((44, 8, -21, 22), "track its centre"),
    ((18, 8, -6, 11), "after a stride-s layer the jump is multiplied"),
    ((51, 8, -25, 25), "use the jump before the layer"),
    ((69, 8, -30, 38), "not by k"),
    ((40, 4, -18, 21), "the third pooling layer grows the field too"),
    ((44, 4, -18, 25), "jump before the third pooling"),
    ((44, 16, -18, 25), "2 ** 3"),
    ((44, 8, -20, 20), "last - first = size - 1"),
])
def test_vgg_field_mistakes_get_their_hint(capsys, answer, words):
    assert not ch02.check_vgg_field(answer).passed
    line = one_line(capsys)
    assert line.startswith("Not quite:") and words in line, line


@pytest.mark.parametrize("junk", [None, ..., (..., ..., ..., ...), "44, 8", 44, (44, 8, -18),
                                  (44.5, 8, -18, 25), (True, 8, -18, 25), [[44]], {"size": 44}])
def test_vgg_field_junk_never_raises(capsys, junk):
    assert not ch02.check_vgg_field(junk).passed
    one_line(capsys)
