"""The self-test's checkers: hand-worked answers agree with poolkit, right answers pass, the usual
mistakes get the right hint and the section to reread, junk never raises, and the score card adds up."""

import math
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

import poolkit as pk
import poolkit.course.data  # pk.data, not imported by `import poolkit`
from poolkit.course.exercises import ch05, ch08, quiz
from poolkit.course.exercises import FAILED, NOT_ATTEMPTED, PASSED

BOOK = Path(__file__).resolve().parents[1] / "book"
FLOAT = re.compile(r"\d\.\d|\binf\b", re.IGNORECASE)  # "NaN" may name what the learner gave


def one_line(capsys, fn, *args):
    result = fn(*args)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out           # exactly one line
    text = out.strip()
    assert not FLOAT.search(text), text       # never a float
    return result, text


# ------------------------------------------------------------ correct learner answers

def rf_size(layers):
    r, j = 1, 1
    for k, s, d in layers:
        r += d * (k - 1) * j
        j *= s
    return r


def bins(n, m):
    return [(i * n // m, -(-(i + 1) * n // m)) for i in range(m)]


def max_bwd(grad_out, x, k, s):
    grad_x = np.zeros(x.shape)
    for j in range(len(grad_out)):
        grad_x[j * s + int(np.argmax(x[j * s:j * s + k]))] += grad_out[j]
    return grad_x


def divisors(n, k, s, p=0, ceil_mode=False, count_include_pad=True):
    span = n + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    result = []
    for j in range(out):
        a, b = j * s, min(j * s + k, n + 2 * p)
        result.append(b - a if count_include_pad else min(b, n + p) - max(a, p))
    return result


RIGHT = {
    10: [[7, 7], [8, 7]], 11: (5376, 5376), 12: (2, 0), 13: 25 / 9, 14: (3, 4, 4),
    15: [14, 13], 16: (64, 72), 17: [6, 4, 5, 9],
    18: rf_size, 19: bins, 20: max_bwd, 21: divisors,
    22: "C", 23: (-18, 25), 24: 1.09, 25: "D", 26: (4, 32),
}
RIGHT_LETTERS = ["B", "D", "A", "C", "B", "A", "D", "C", "B"]   # balanced over A to D


# ------------------------------------------------------------ the answers are right

def test_q10_matches_poolkit():
    x = pk.data.running_example()
    assert pk.max_pool2d(x[None], 3, stride=1)[0].tolist() == [list(r) for r in ch08.Q10_ANSWER]


def test_q11_matches_poolkit():
    lengths = tuple(pk.spatial_pyramid_pool2d(np.zeros((256, n, n)), (1, 2, 4)).shape[0] for n in (13, 20))
    assert lengths == ch08.Q11_ANSWER


def test_q12_matches_poolkit():
    x = pk.data.running_example()[None]
    g = pk.max_pool2d_backward(np.array([[[1.0, 2.0], [3.0, 4.0]]]), x, 2)
    assert (g[0, 0, 3], g[0, 1, 2]) == ch08.Q12_ANSWER


def test_q13_matches_poolkit():
    g = pk.avg_pool2d_backward(np.ones((1, 2, 2)), np.zeros((1, 4, 4)), 3, stride=2, padding=1)
    assert math.isclose(g.sum(), ch08.Q13_ANSWER)


def test_q14_matches_poolkit():
    got = (pk.output_size(10, 3, stride=3, padding=1, dilation=2),
           pk.output_size(10, 3, stride=3, padding=1, dilation=2, ceil_mode=True),
           pk.output_size(7, 2, stride=2, padding=1, ceil_mode=True))
    assert got == ch08.Q14_ANSWER


def test_q15_matches_poolkit():
    sizes = [n for n in range(1, 60) if pk.output_size(n, 3, stride=2, padding=1) == 7]
    assert sizes == ch08.Q15_ANSWER
    assert pk.unpool_size(7, 3, stride=2, padding=1) == min(sizes)


def test_q16_matches_poolkit():
    assert (pk.pool_flops((2, 5, 5), 3, stride=2).exact,
            pk.pool_flops((2, 5, 5), 3, stride=2, mode="avg").exact) == ch08.Q16_ANSWER


def test_q17_matches_poolkit():
    x = np.array([[3.0, 1, 4, 1, 5, 9, 2, 6]])
    assert pk.max_pool1d(np.roll(x, 1, axis=-1), 2)[0].tolist() == ch08.Q17_ANSWER
    # the distractors are what the chapter says they are
    assert pk.max_pool1d(x, 2)[0].tolist() == [3, 4, 9, 6]
    assert pk.max_pool1d(np.roll(x, 2, axis=-1), 2)[0].tolist() == [6, 3, 4, 9]


def test_q18_cases_match_poolkit():
    for layers, expected, _, _ in ch08.Q18_CASES:
        rf = pk.receptive_field([dict(kernel_size=k, stride=s, dilation=d) for k, s, d in layers])
        assert rf.size == expected == rf_size(layers)


def test_q19_cases_match_poolkit():
    for (n, m), expected, _, _ in ch08.Q19_CASES:
        assert pk.adaptive_bins(n, m) == expected


def test_q20_cases_match_poolkit():
    for g, x, k, s, expected, _, _ in ch08.Q20_CASES:
        got = pk.max_pool1d_backward(g[None], x[None], k, stride=s)[0]
        np.testing.assert_array_equal(got, expected)


def test_q21_cases_match_poolkit():
    for args, expected, _, _ in ch08.Q21_CASES:
        n, k, s, p, ceil_mode, include = (list(args) + [0, False, True][len(args) - 3:])[:6]
        ones = np.ones((1, n))
        real = pk.avg_pool1d(ones, k, stride=s, padding=p, ceil_mode=ceil_mode, divisor_override=1)
        mean = pk.avg_pool1d(ones, k, stride=s, padding=p, ceil_mode=ceil_mode, count_include_pad=include)
        assert np.rint(real / mean)[0].astype(int).tolist() == expected


def test_q22_only_c_defeats_every_convolution():
    # A least-squares fit of (w1, w2, b) to each set of windows leaves a residual only for C.
    sets = {"A": [(3, 1), (5, 2), (4, 0)], "B": [(0, 1), (1, 0), (3, 7)], "C": [(0, 2), (2, 0), (1, 1)]}
    for letter, windows in sets.items():
        system = np.array([[u, v, 1] for u, v in windows], dtype=float)
        maxima = np.array([max(u, v) for u, v in windows], dtype=float)
        w = np.linalg.lstsq(system, maxima, rcond=None)[0]
        assert np.allclose(system @ w, maxima) == (letter != "C"), letter
    assert ch08.CHOICES[22].options["C"] == "(0, 2), (2, 0), (1, 1)" and ch08.CHOICES[22].correct == "C"


def test_q23_matches_receptive_field_of_vgg_stages():
    from poolkit.course.exercises import ch02

    rf = pk.receptive_field([dict(kernel_size=k, stride=s, padding=p) for k, s, p in ch02.VGG_STAGES])
    half = (rf.size - 1) / 2
    assert ch08.Q23_ANSWER == (rf.start - half, rf.start + half) == (-18, 25)


def test_q24_matches_a_central_difference():
    def pool(x1, x2, beta=1.0):
        w = np.array([x1, x2])
        p = np.exp(beta * w) / np.exp(beta * w).sum()
        return float(p @ w)

    h = 1e-6
    numeric = (pool(1.0, 3.0 + h) - pool(1.0, 3.0 - h)) / (2 * h)
    assert abs(ch08.Q24_ANSWER - numeric) < 1e-8 and round(numeric, 2) == 1.09
    # the catalogue's limits: beta = 0 gives the mean's 1/2, a large beta max pooling's 1
    assert abs((pool(1.0, 3.0 + h, 0.0) - pool(1.0, 3.0 - h, 0.0)) / (2 * h) - 0.5) < 1e-6
    assert abs((pool(1.0, 3.0 + h, 30.0) - pool(1.0, 3.0 - h, 30.0)) / (2 * h) - 1) < 1e-6


@pytest.mark.parametrize("answer, passes", [(1.09, True), (1.091, True), (1.0908, True), (1.1, False),
                                             (1.08, False), (0.881, False)])
def test_q24_two_decimals_pass(capsys, answer, passes):
    result, text = one_line(capsys, ch08.SelfTest().check, 24, answer)
    assert result.passed == passes, text
    assert not re.search(r"\d\.\d", text.split("Reread")[0].replace("1/2", "")), text


def test_choices_are_well_formed():
    assert len(ch08.QUIZ) == len(ch08.CHOICE_NUMBERS) == 9 and set(ch08.CHOICES) == {*range(1, 10), 22, 25}
    quiz.validate(ch08.QUIZ)
    for (number, choice), question, letter in zip(ch08.CHOICES.items(), ch08.QUIZ, RIGHT_LETTERS):
        assert question["question"].startswith(f"Q{number}. ")
        assert choice.correct == letter
        for a, (opt_letter, text) in zip(question["answers"], choice.options.items()):
            assert a["answer"] == f"{opt_letter}. {text}"
            # a wrong answer's feedback says what to reread; a right one does not
            assert ("Reread chapter" in a["feedback"]) == (not a["correct"])


def test_every_question_points_to_a_chapter():
    assert [q.number for q in ch08.QUESTIONS] == list(range(1, 27))
    kinds = [q.kind for q in ch08.QUESTIONS]
    assert kinds.count("choice") == 11 and kinds.count("value") == 11 and kinds.count("code") == 4
    assert {q.where.chapter for q in ch08.QUESTIONS} == set(range(1, 8))
    # questions per chapter, as the chapter's introduction states them: (3, 5, 3, 4, 6, 3, 2)
    per_chapter = [sum(q.where.chapter == c for q in ch08.QUESTIONS) for c in range(1, 8)]
    assert per_chapter == [3, 5, 3, 4, 6, 3, 2]
    # Q22 to Q26 point at the hard exercises
    assert [ch08.BY_NUMBER[n].where.exercise for n in ch08.STRETCH_NUMBERS] == [
        "ex-ch01-not-a-convolution", "ex-ch02-vgg-field", "ex-ch03-softmax-backward",
        "ex-ch05-all-padding", "ex-ch06-sppf"]
    # each exercise label exists in its chapter
    for n in ch08.STRETCH_NUMBERS:
        where = ch08.BY_NUMBER[n].where
        found = sorted(BOOK.glob(f"{where.chapter:02d}-*.ipynb"))
        assert found and f":label: {where.exercise}" in found[0].read_text(), where


def test_choice_letters_are_balanced():
    right = [c.correct for c in ch08.CHOICES.values()]
    counts = sorted(right.count(letter) for letter in "ABCD")
    assert len(right) == 11 and counts == [2, 3, 3, 3], right


def _headings(path):
    nb = nbformat.read(path, as_version=4)
    return {line[3:].strip() for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if line.startswith("## ")}


@pytest.mark.parametrize("chapter", range(1, 8))
def test_sections_to_reread_exist(chapter):
    """The checker lines name real sections (chapters not written yet are skipped)."""
    found = sorted(BOOK.glob(f"{chapter:02d}-*.ipynb"))
    if not found:
        pytest.skip(f"chapter {chapter} is not written yet")
    nb = nbformat.read(found[0], as_version=4)
    headings = _headings(found[0])
    for q in ch08.QUESTIONS:
        if q.where.chapter == chapter:
            assert nb.cells[0].source.startswith(f"({q.where.label})="), q
            assert q.where.section in headings, (q.number, q.where.section, sorted(headings))


# ------------------------------------------------------------ right answers pass

@pytest.mark.parametrize("number", sorted(RIGHT))
def test_right_answer_passes(capsys, number):
    test = ch08.SelfTest()
    result, text = one_line(capsys, test.check, number, RIGHT[number])
    assert result.passed, text
    assert text == "Correct." or text.startswith(("Passes all", "Correct: C.", "Correct: D."))


@pytest.mark.parametrize("number, letter", list(zip(range(1, 10), RIGHT_LETTERS)))
def test_right_letter_passes(capsys, number, letter):
    result, text = one_line(capsys, ch08.SelfTest().check, number, letter.lower())
    assert result.passed and text.startswith(f"Correct: {letter}.")


def test_full_marks(capsys):
    test = ch08.SelfTest()
    result, text = one_line(capsys, test.check_choices, RIGHT_LETTERS)
    assert result.passed and text == "Correct: 9 of 9 right."
    for number, answer in RIGHT.items():
        test.check(number, answer)
    capsys.readouterr()
    _, text = one_line(capsys, test.summary)
    assert text == "Score: 26/26 — full marks: nothing to reread."


# ------------------------------------------------------------ not attempted

STUBS = {10: [[..., ...], [..., ...]], 11: ..., 12: None, 13: ..., 14: (..., ..., ...), 15: ...,
         16: ..., 17: ..., 22: ..., 23: (..., ...), 24: None, 25: ..., 26: (..., ...)}


def _raises(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("number", range(1, 27))
def test_stub_is_not_attempted(capsys, number):
    stub = STUBS.get(number, _raises if 18 <= number <= 21 else ...)
    result, text = one_line(capsys, ch08.SelfTest().check, number, stub)
    assert result.status == NOT_ATTEMPTED and text.startswith("Not attempted yet"), text


def test_fresh_summary(capsys):
    _, text = one_line(capsys, ch08.SelfTest().summary)
    assert text == "Score: 0/26 — not attempted yet: Q1–Q26."


def test_choices_stub(capsys):
    test = ch08.SelfTest()
    result, text = one_line(capsys, test.check_choices, [...] * 9)
    assert result.status == NOT_ATTEMPTED and text.startswith("Not attempted yet")
    assert all(test.status(n) == NOT_ATTEMPTED for n in range(1, 10))


# ------------------------------------------------------------ typical mistakes

MISTAKES = [
    (10, [[7, 7], [8, 3]], "overlapping windows can share a maximum"),
    (10, [[7, 7, 7], [8, 7, 7], [8, 4, 3]], "a 3 x 3 result comes from 2 x 2 windows"),
    (10, [[28 / 9, 33 / 9], [32 / 9, 27 / 9]], "those are the means"),
    (11, (21, 21), "multiply by C"),
    (11, (1792, 1792), "n x n bins, not n"),
    (11, (5376, 8000), "does not depend on the input size"),
    (12, (1, 1), "central difference"),
    (12, (0, 2), "row-major order"),
    (12, (2, 2), "one cell only"),
    (13, 2.78, "exact value"),
    (13, 4, "falls on padding"),
    (14, (4, 4, 4), "left out the dilation"),
    (14, (2, 4, 4), "left out the padding"),
    (14, (3, 3, 4), "rounds"),
    (14, (3, 4, 5), "right padding"),
    (15, [13], "second one"),
    (15, [12, 13], "12 gives"),
    (16, (72, 72), "textbook convention"),
    (16, (64, 64), "1 division"),
    (16, (32, 36), "2 channels"),
    (17, [3, 4, 9, 6], "unshifted"),
    (17, [6, 3, 4, 9], "2-pixel shift"),
    (22, "A", "first cell is the maximum"),
    (22, "b", "not on one line"),
    (22, "D", "non-linearity is not enough"),
    (23, (0, 43), "no padding"),
    (23, (-18, 26), "both included"),
    (23, (-22, 21), "half the jump"),
    (23, (-21, 22), "half the jump"),
    (23, (-18, 21), "before the third pooling"),
    (23, (-17, 26), "shifted"),
    (24, 0.88, "treated as a constant"),
    (24, 0.67, "sign"),
    (24, 1, "max pooling's backward"),
    (24, 0.5, "average pooling's backward"),
    (24, -0.09, "dy/dx1"),
    (24, 2.76, "output y itself"),
    (25, "A", "True only without dilation"),
    (25, "b", "for n = 4, d = 3"),
    (25, "C", "PyTorch refuses that padding"),
    (26, (3, 24), "widens the window by k - 1 = 2 cells, not 3"),
    (26, (2, 16), "they do not multiply"),
    (26, (9, 72), "take 4 pools, not 9"),
    (26, (4, 36), "takes 8 comparisons, not 9"),
    (26, (4, 16), "that is the separable count"),
    (26, (4, 8), "one 3x3 pool's count"),
    (26, (1, 80), "80 is one 9x9 pool"),
]


@pytest.mark.parametrize("number, answer, phrase", MISTAKES)
def test_mistake_gets_its_hint_and_section(capsys, number, answer, phrase):
    test = ch08.SelfTest()
    result, text = one_line(capsys, test.check, number, answer)
    assert result.status == FAILED, text
    assert phrase in text, text
    q = ch08.QUESTIONS[number - 1]
    assert text.endswith(f"Reread {q.where.text()}."), text


def rf_no_jump(layers):
    return 1 + sum(d * (k - 1) for k, s, d in layers)


def rf_no_dilation(layers):
    r, j = 1, 1
    for k, s, _d in layers:   # the mistake: dilation ignored
        r += (k - 1) * j
        j *= s
    return r


def bins_floor_end(n, m):
    return [(i * n // m, (i + 1) * n // m) for i in range(m)]


def bins_equal(n, m):
    w = n // m
    return [(i * w, i * w + w) for i in range(m)]


def bins_float(n, m):
    return [(np.floor(i * n / m), np.ceil((i + 1) * n / m)) for i in range(m)]


def max_bwd_assign(grad_out, x, k, s):
    grad_x = np.zeros(x.shape)
    for j in range(len(grad_out)):
        grad_x[j * s + int(np.argmax(x[j * s:j * s + k]))] = grad_out[j]
    return grad_x


def max_bwd_last_tie(grad_out, x, k, s):
    grad_x = np.zeros(x.shape)
    for j in range(len(grad_out)):
        w = x[j * s:j * s + k]
        grad_x[j * s + len(w) - 1 - int(np.argmax(w[::-1]))] += grad_out[j]
    return grad_x


def max_bwd_zero_start(grad_out, x, k, s):
    grad_x = np.zeros(x.shape)
    for j in range(len(grad_out)):
        best, at = 0.0, j * s
        for i in range(j * s, j * s + k):
            if x[i] > best:
                best, at = x[i], i
        grad_x[at] += grad_out[j]
    return grad_x


def divisors_always_k(n, k, s, p=0, ceil_mode=False, count_include_pad=True):
    return [k] * len(divisors(n, k, s, p, ceil_mode, count_include_pad))


def divisors_no_rule(n, k, s, p=0, ceil_mode=False, count_include_pad=True):
    span = n + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return [min(j * s + k, n + 2 * p) - j * s if count_include_pad
            else min(j * s + k, n + p) - max(j * s, p) for j in range(out)]


def divisors_array(*args, **kwargs):
    return np.array(divisors(*args, **kwargs))


CODE_MISTAKES = [
    (18, rf_no_jump, "j = 2 input cells apart"),
    (18, rf_no_dilation, "dilated kernel"),
    (19, bins_floor_end, "round each start down and each end up"),
    (19, bins_equal, "round each start down and each end up"),
    (19, bins_float, "Python ints"),
    (20, max_bwd_assign, "add both gradients"),
    (20, max_bwd_last_tie, "first maximum"),
    (20, max_bwd_zero_start, "not 0"),
    (21, divisors_always_k, "real cells"),
    (21, divisors_no_rule, "last window"),
]


@pytest.mark.parametrize("number, fn, phrase", CODE_MISTAKES)
def test_code_mistake_gets_its_hint(capsys, number, fn, phrase):
    result, text = one_line(capsys, ch08.SelfTest().check, number, fn)
    assert result.status == FAILED and phrase in text, text
    assert "Reread chapter" in text


def test_divisors_may_be_an_array(capsys):
    result, text = one_line(capsys, ch08.SelfTest().check, 21, divisors_array)
    assert result.passed, text


# ------------------------------------------------------------ multiple choice in one cell

def test_choices_wrong_letter_names_question_and_section(capsys):
    letters = list(RIGHT_LETTERS)
    letters[4] = "A"                               # Q5: dense weights
    result, text = one_line(capsys, ch08.SelfTest().check_choices, letters)
    assert result.status == FAILED
    assert text.startswith("Not quite: 8 of 9 right. Q5, A:")
    assert text.endswith('Reread chapter 3, "Global pooling".')


def test_choices_partial_and_string_forms(capsys):
    test = ch08.SelfTest()
    partial = list(RIGHT_LETTERS)
    partial[3] = ...
    result, text = one_line(capsys, test.check_choices, partial)
    assert result.status == FAILED and "not answered yet: Q4" in text
    assert test.status(4) == NOT_ATTEMPTED and test.status(5) == PASSED
    for form in ("".join(RIGHT_LETTERS), " ".join(RIGHT_LETTERS).lower(), ", ".join(RIGHT_LETTERS)):
        result, text = one_line(capsys, ch08.SelfTest().check_choices, form)
        assert result.passed, (form, text)


@pytest.mark.parametrize("junk", [5, {"1": "A"}, ["A"] * 8, ["E"] * 9, [1] * 9, ["AB"] * 9,
                                  "ABC", object(), np.array(["A"] * 9)])
def test_choices_junk_never_raises(capsys, junk):
    result, text = one_line(capsys, ch08.SelfTest().check_choices, junk)
    assert not result.passed


def test_summary_groups_sections_and_lists_the_rest(capsys):
    test = ch08.SelfTest()
    test.check(14, (3, 4, 5))     # chapter 5, ceil mode
    test.check(12, (1, 1))        # chapter 4, ties
    test.check(21, divisors_always_k)
    test.check(16, (64, 72))      # right
    capsys.readouterr()
    line = test.summary_line()
    assert line == ('Score: 1/26 — reread: chapter 4, "Ties go to the first maximum" (Q12); '
                    'chapter 5, "Ceil mode keeps a partial window, with one exception" (Q14); '
                    'chapter 5, "The average\'s divisor at the edges" (Q21) — '
                    'not attempted yet: Q1–Q11, Q13, Q15, Q17–Q20, Q22–Q26.')
    # a later right answer replaces a wrong one
    test.check(12, (2, 0))
    capsys.readouterr()
    assert "Q12" not in test.summary_line()


# ------------------------------------------------------------ junk never raises

def _explodes(*args):
    raise ZeroDivisionError("1.5 / 0")


def _prints(*args):
    print("hello 0.25")
    return None


def _mutates(grad_out, x, k, s):
    x[:] = 0
    return np.zeros(x.shape)


JUNK = [None, "3", 3, 2.5, float("nan"), [1, 2], (1, 2, 3, 4, 5), np.zeros((3, 3)), object(), True,
        [[1, "a"], [2, 3]], {1, 2}, _explodes, _prints, _mutates, lambda *a: "x", lambda *a: np.nan]


@pytest.mark.parametrize("number", range(1, 27))
@pytest.mark.parametrize("junk", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises(capsys, number, junk):
    result, text = one_line(capsys, ch08.SelfTest().check, number, junk)
    assert not result.passed, text
    if number >= 10:
        assert text.endswith("Reread " + ch08.QUESTIONS[number - 1].where.text() + ".") or \
            text.startswith(("Not attempted", "Not checkable")), text


@pytest.mark.parametrize("number", [0, 27, -1, "10", 10.0, None, [10]])
def test_unknown_question_number(capsys, number):
    result, text = one_line(capsys, ch08.SelfTest().check, number, 1)
    assert text.startswith("Not checkable: there is no question")


def test_repr_and_display(capsys):
    test = ch08.SelfTest()
    assert repr(test) == "SelfTest(0 of 26 passed)"
    test._ipython_display_()
    assert capsys.readouterr().out == "Score: 0/26 — not attempted yet: Q1–Q26.\n"


# ------------------------------------------------------------ the chapter notebook

def test_notebook_agrees_with_the_questions():
    """The chapter's table names the same sections as the checkers; stored outputs are 0/26 and 26/26."""
    path = BOOK / "08-self-test.ipynb"
    if not path.exists():
        pytest.skip("book/08-self-test.ipynb is not written yet")
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for q in ch08.QUESTIONS:
        row = (f"| Q{q.number} | {q.topic} | {{ref}}`chapter {q.where.chapter} <{q.where.label}>`, "
               f"*{q.where.section}*" + (f", {{ref}}`{q.where.exercise}`" if q.where.exercise else "") + " |")
        assert row in markdown, row
    outputs = {c.source.strip(): "".join(o.get("text", "") for o in c.outputs)
               for c in nb.cells if c.cell_type == "code"}
    assert outputs["test.summary()"] == "Score: 0/26 — not attempted yet: Q1–Q26.\n"
    assert outputs["key.summary()"] == "Score: 26/26 — full marks: nothing to reread.\n"
    # Q22's and Q25's options, as printed in the chapter, are the checker's
    for n in (22, 25):
        options = "\n".join(f"- {letter}. {text}" for letter, text in ch08.CHOICES[n].options.items())
        assert options in markdown, n


def test_q21_reference_reproduces_the_hand_worked_divisors():
    for args, expected, label, _ in ch08.Q21_CASES:
        assert ch08.q21_divisors(*args) == expected, label


def test_q21_names_a_last_window_rule_against_n(capsys):
    """The review's near miss: (out - 1) * s >= n instead of >= n + p (ch05's checker catches it too)."""
    def avg_divisors(n, k, s, p=0, ceil_mode=False, count_include_pad=True):
        span = n + 2 * p - k
        out = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (out - 1) * s >= n:
            out -= 1
        starts = [j * s for j in range(out)]
        if count_include_pad:
            return [min(a + k, n + 2 * p) - a for a in starts]
        return [min(a + k, n + p) - max(a, p) for a in starts]

    result = ch08.SelfTest().check(21, avg_divisors)
    text = capsys.readouterr().out
    assert result.status == "failed"
    assert "compare (out - 1) * s with n + p, not with n" in text, text
    assert "clip each window" not in text, text


def test_right_letters_are_balanced():
    """Review: 5 of 9 right answers were B. Each letter now is right two or three times."""
    from collections import Counter

    counts = Counter(c.correct for c in ch08.CHOICES.values())
    assert set(counts) == set("ABCD") and max(counts.values()) <= 3, counts
    assert [ch08.CHOICES[n].correct for n in range(1, 10)] == RIGHT_LETTERS


# ------------------------------------------------------------ Q25 and Q26, computed

def _all_padding_windows(n, d):
    """Windows of max_pool1d(kernel_size=2, stride=1, padding=1, dilation=d) on n cells reading padding only."""
    return ch05.padding_only_windows(n, 2, 1, 1, d)


def test_q25_claims_by_poolkit():
    # B: a window of padding only exactly when d >= n + 1 (d = n + 1 is the largest that leaves a window)
    for n in range(1, 7):
        for d in range(1, n + 2):
            assert bool(_all_padding_windows(n, d)) == (d >= n + 1), (n, d)
        x = np.arange(1.0, n + 1)[None]
        y = pk.max_pool1d(x, 2, stride=1, padding=1, dilation=n + 1)
        assert y.shape == (1, 1) and y[0, 0] == -np.inf
        with pytest.raises(ValueError):
            pk.max_pool1d(x, 2, stride=1, padding=1, dilation=n + 2)       # no window at all
    # C: n = 4, d = 3: every window has a real tap
    assert _all_padding_windows(4, 3) == [] and ch05.window_taps(4, 2, 1, 1, 3)[0] == (0, 3)
    # A: without dilation there is always a real cell
    assert all(not _all_padding_windows(n, 1) for n in range(1, 7))
    # D: padding above kernel_size / 2 is refused
    with pytest.raises(ValueError, match="padding"):
        pk.max_pool1d(np.ones((1, 4)), 2, stride=1, padding=2)


def test_q25_claims_by_torch():
    torch = pytest.importorskip("torch")
    n = 4
    x = torch.arange(1.0, n + 1).reshape(1, 1, n).requires_grad_()
    y = torch.nn.functional.max_pool1d(x, 2, stride=1, padding=1, dilation=n + 1)
    assert y.shape == (1, 1, 1) and y.item() == float("-inf")
    y3 = torch.nn.functional.max_pool1d(x, 2, stride=1, padding=1, dilation=3)
    assert torch.isfinite(y3).all()                                   # C: d <= n, a real tap everywhere
    with pytest.raises(RuntimeError):
        torch.nn.functional.max_pool1d(x, 2, stride=1, padding=2)     # D
    with pytest.raises(RuntimeError):
        torch.nn.functional.max_pool1d(x, 2, stride=1, padding=1, dilation=n + 2)


def test_q26_by_poolkit():
    x = np.random.default_rng(26).integers(-4, 4, size=(2, 10, 11)).astype(float)
    chained = x
    for _ in range(4):
        chained = pk.max_pool2d(chained, 3, stride=1, padding=1)
    assert np.array_equal(chained, pk.max_pool2d(x, 9, stride=1, padding=4))
    three = pk.max_pool2d(pk.max_pool2d(pk.max_pool2d(x, 3, stride=1, padding=1), 3, stride=1, padding=1),
                          3, stride=1, padding=1)
    assert not np.array_equal(three, pk.max_pool2d(x, 9, stride=1, padding=4))
    f = pk.pool_flops((1, 1, 10, 10), 3, stride=1, padding=1)
    assert ch08.Q26_ANSWER == (4, 4 * f.exact // f.windows) == (4, 32)

