"""The declarations (CodeExercise, ValueExercise, ChoiceExercise), the one mistake mechanism,
the authoring API's line grammar, and every chapter's answer-option text against its notebook."""

from __future__ import annotations

import importlib
import json
import pathlib
import re

import numpy as np
import pytest

import poolkit as pk
from poolkit.course.exercises import SCORECARD
from poolkit.course.exercises.authoring import (
    BLANK,
    FAILING_LINE,
    LINE_FORMS,
    MISSING,
    PASSING_LINE,
    RIGHT,
    TOO_MANY,
    UNKNOWN,
    UNREADABLE,
    WRONG,
    Case,
    ChoiceExercise,
    CodeExercise,
    Failure,
    Mistake,
    NotCheckable,
    PropertyExercise,
    ValueExercise,
    attempt,
    count_python_lines,
    mark_choice,
    passes_all,
    diagnose,
    diagnose_answer,
    fail_line,
    letters,
    never_raise,
    parse_letters,
    registered_exercises,
)

BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"
for _n in range(1, 9):
    importlib.import_module(f"poolkit.course.exercises.ch0{_n}")


@pytest.fixture(autouse=True)
def _clean_card():
    SCORECARD.clear()
    yield
    SCORECARD.clear()


# ---------------------------------------------------------------------------
# declarations: a wrong answer is caught, a known mistake gets its own hint
# ---------------------------------------------------------------------------

# A square function: 3 -> 9, 4 -> 16 (by hand); doubling is the known mistake (3 -> 6).
SQUARE = CodeExercise("square", [Case(args=(3,), expected=9, label="3"), Case(args=(4,), expected=16, label="4")],
                      mistakes=[Mistake("you doubled it", wrong=lambda c: 2 * c.args[0])],
                      same=lambda a, b: a == b, hint="multiply n by itself")


def test_code_exercise_passes_catches_and_diagnoses(capsys):
    assert SQUARE.check(lambda n: n * n).passed
    r = SQUARE.check(lambda n: n + n)
    assert not r.passed and r.message.endswith("Hint: you doubled it.")
    r = SQUARE.check(lambda n: n + 1)                       # wrong, no known mistake
    assert r.message == "Case 3: the result is too small. Hint: multiply n by itself."
    assert SQUARE.check().status == "not attempted"


def test_code_exercise_cases_are_fresh_each_check(capsys):
    SQUARE.check(lambda n: n + n)                           # the diagnosis sets case 3's hint
    assert SQUARE.check(lambda n: n + 1).message.endswith("multiply n by itself.")


def test_code_exercise_broken_reference_is_one_line(capsys):
    broken = CodeExercise("broken", lambda: 1 / 0)
    assert broken.check(lambda x: x).message.startswith("Not checkable: poolkit's reference is unavailable")


# 2x2 windows on in=5, p=1, ceil mode: 3 windows (the 4th starts in the padding); 4 is the known slip.
SIZE = ValueExercise("out_size", 3, mistakes={4: "drop the window that starts in the padding"},
                     hint="count the windows")


def test_value_exercise(capsys):
    assert SIZE.check(3).passed
    assert SIZE.check(4).message == "Not quite: out_size is too large. Hint: drop the window that starts in the padding."
    assert SIZE.check(2).message == "Not quite: out_size is too small. Hint: count the windows."
    assert SIZE.check("3").message.endswith("write the number itself, without quotes.")


def test_value_mistake_by_predicate(capsys):
    ex = ValueExercise("pair", (2, 0), mistakes=[Mistake("half each", when=lambda a: tuple(a) == (1, 1))])
    assert ex.check([1, 1]).message.endswith("Hint: half each.")
    assert ex.check(None).status == "not attempted"


CHOICE = ChoiceExercise("q", ["Zero", "Minus infinity"], "B",
                        why={"A": "Zero could beat negative inputs.", "B": "It never wins a max."})


def test_choice_exercise(capsys):
    assert CHOICE.options == {"A": "Zero", "B": "Minus infinity"}
    assert CHOICE.check("b").message == "Correct: B. It never wins a max."
    assert CHOICE.check("A").message == "Not quite: A is not right. Zero could beat negative inputs."
    assert CHOICE.check("E").message.startswith("Not checkable:")
    assert CHOICE.wrong_letters == ["A"]


def test_entry_keeps_the_chapter_name_and_guard(capsys):
    @SIZE.entry
    def check_out_size(answer):
        return SIZE.run(answer)

    assert hasattr(check_out_size, "__wrapped_checker__")
    assert check_out_size(3).passed
    assert check_out_size(1, 2).message.startswith("Not checkable: check_out_size takes 1 answer")


# ---------------------------------------------------------------------------
# the one mistake mechanism
# ---------------------------------------------------------------------------

def test_diagnose_answer_first_match_and_never_raises():
    cat = [Mistake("nine", answer=9), Mistake("boom", when=lambda a: 1 / 0), Mistake("neg", when=lambda a: a < 0)]
    assert diagnose_answer(9, cat) == "nine"
    assert diagnose_answer(-2, cat) == "neg"
    assert diagnose_answer("text", cat) is None


def test_diagnose_leaves_cases_when_learner_raises():
    cases = [Case(args=(3,), expected=9, hint="h")]
    assert diagnose(lambda n: 1 / 0, cases, [Mistake("x", wrong=lambda c: 0)])[0].hint == "h"


def test_attempt_and_never_raise(capsys):
    assert attempt(int, "7") == 7
    failure = attempt(int, "seven")
    assert isinstance(failure, Failure) and isinstance(failure.error, ValueError) and not failure

    with pytest.raises(KeyboardInterrupt):
        attempt(lambda: (_ for _ in ()).throw(KeyboardInterrupt))

    @never_raise("demo")
    def check_demo(answer):
        raise RuntimeError(answer)

    r = check_demo(1)
    assert r.message.startswith("Not checkable: the checker itself failed (RuntimeError).")


# ---------------------------------------------------------------------------
# the line grammar
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("line, passing", [
    ("Passes all 7 cases.", True), ("Correct.", True), ("Correct: B. Why.", True),
    ("Score: 26/26 — full marks: nothing to reread.", True),
    ("Case 4x4: the result is too small. Hint: x.", False), ("Not quite: a. Hint: b.", False),
    ("Not checkable: a. Hint: b.", False), ("Not attempted yet: do it.", False),
])
def test_line_grammar(line, passing):
    assert bool(PASSING_LINE.search(line)) is passing
    assert bool(FAILING_LINE.match(line)) is (not passing)
    assert any(f.match(line) for f in LINE_FORMS.values()) or "full marks" in line


def test_helpers():
    assert fail_line("Not quite", "x is wrong.", "try again") == "Not quite: x is wrong. Hint: try again."
    assert letters(3) == ["A", "B", "C"]
    assert parse_letters("a and c") == ["A", "C"] and parse_letters(5) is None


# ---------------------------------------------------------------------------
# every registered exercise keeps the promises
# ---------------------------------------------------------------------------

CHAPTER_EXERCISES = [e for e in registered_exercises() if re.fullmatch(r"ch0\d", e.module.rsplit(".", 1)[-1])]
JUNK = [None, ..., "", "zzz", 7, [1, 2], np.full((2, 2), 0.5), object(), lambda *a: 1 / 0]


def test_chapters_declare_exercises():
    assert {e.kind for e in CHAPTER_EXERCISES} >= {"code"}


@pytest.mark.parametrize("exercise", CHAPTER_EXERCISES, ids=lambda e: e.id)
def test_junk_never_raises_and_is_one_line(exercise, capsys):
    for answer in JUNK:
        r = exercise.check(answer)
        out = capsys.readouterr().out
        assert out.count("\n") == 1 and out.strip() == r.message
        assert not r.passed


@pytest.mark.parametrize("exercise", [e for e in CHAPTER_EXERCISES if e.kind == "choice"], ids=lambda e: e.id)
def test_every_wrong_option_has_its_own_feedback(exercise, capsys):
    for letter in exercise.wrong_letters:
        assert exercise.why.get(letter), f"{exercise.id}: option {letter} has no explanation"
        assert exercise.check(letter).message.startswith(f"Not quite: {letter} is not right. ")


# ---------------------------------------------------------------------------
# one source for answer-option text: every chapter's A-D list in its notebook equals the checker's
# ---------------------------------------------------------------------------

def _choice_tables():
    """(chapter, options dict) for every choice checker of ch01 to ch07, found by its OPTIONS table."""
    out = []
    for n in range(1, 8):
        mod = importlib.import_module(f"poolkit.course.exercises.ch0{n}")
        for attr in dir(mod):
            value = getattr(mod, attr)
            if attr.endswith("_OPTIONS") and isinstance(value, dict) and set(value) <= set("ABCDEFG"):
                out.append((n, attr, value))
        for e in registered_exercises():
            if e.kind == "choice" and e.module == mod.__name__:
                out.append((n, e.name, e.options))
    return out


_ITEM = re.compile(r"^\s*[-*]?\s*\**\(?([A-G])[.)]\**\s+(.*)$")


def _option_lines(n: int) -> set[str]:
    """Every lettered item of the chapter's markdown, continuation lines joined."""
    path, = BOOK.glob(f"0{n}-*.ipynb")
    items = set()
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        current = None
        for line in "".join(cell["source"]).splitlines() + [""]:
            m = _ITEM.match(line)
            if m or not line[:1].isspace() or not line.strip():
                if current is not None:
                    items.add(f"{current[0]}. {' '.join(current[1]).strip().rstrip('.')}")
                current = (m.group(1), [m.group(2).strip()]) if m else None
            elif current is not None:
                current[1].append(line.strip())
    return items


def _plain(text: str) -> str:
    """Markdown maths as the checker writes it: $6 \\times 6$ -> 6 x 6."""
    text = text.replace("$", "").replace("`", "").replace("\\times", "x").replace("\\,", " ")
    return " ".join(text.split()).rstrip(".")


@pytest.mark.parametrize("n, table, options", _choice_tables(), ids=lambda v: str(v) if not isinstance(v, dict) else "")
def test_notebook_options_equal_the_checker(n, table, options):
    shown = {_plain(line) for line in _option_lines(n)}
    for letter, text in options.items():
        want = _plain(f"{letter}. {text}")
        assert want in shown, f"chapter {n}, {table}: the notebook does not show {want!r}"


# ---------------------------------------------------------------------------
# round 2: NotCheckable, PropertyExercise, after_pass, the one choice grader, the line counter
# ---------------------------------------------------------------------------

def test_prepare_may_refuse_an_answer(capsys):
    ex = ValueExercise("pair", (1, 2), prepare=lambda a: NotCheckable("pair should be two numbers", "write (1, 2)")
                       if isinstance(a, str) else a)
    assert not ex.check("1, 2").passed
    assert capsys.readouterr().out == "Not checkable: pair should be two numbers. Hint: write (1, 2).\n"
    assert ex.check((1, 2)).passed


def test_property_exercise_passes_any_answer_with_the_property(capsys):
    even = PropertyExercise("n", lambda n: n % 2 == 0, passed="Correct: an even number.", detail="n is odd",
                            read=lambda a: None if a is Ellipsis else a,
                            mistakes=[Mistake("1 is odd", when=lambda n: n == 1)], hint="try 2")
    assert even.check(2).passed and even.check(40).passed
    capsys.readouterr()
    assert not even.check(1).passed and capsys.readouterr().out == "Not quite: n is odd. Hint: 1 is odd.\n"
    assert not even.check(3).passed and capsys.readouterr().out == "Not quite: n is odd. Hint: try 2.\n"
    assert even.check(...).status == "not attempted"


def test_after_pass_runs_only_once_every_case_passes(capsys):
    calls = []

    def no_sevens(fn):
        calls.append(fn)
        return "Not quite: it printed 7. Hint: print nothing." if fn(7) == 49 else None

    square = CodeExercise("square", [Case(args=(3,), expected=9, label="3")], same=lambda a, b: a == b,
                          after_pass=no_sevens)
    assert not square.check(lambda n: n + n).passed and calls == []        # a wrong value: no extra test
    assert capsys.readouterr().out.startswith("Case 3:")
    assert not square.check(lambda n: n * n).passed
    assert capsys.readouterr().out == "Not quite: it printed 7. Hint: print nothing.\n"
    assert passes_all(lambda n: n * n, [Case(args=(3,), expected=9)], same=lambda a, b: a == b)
    assert not passes_all(lambda n: 1 / 0, [Case(args=(3,), expected=9)])


@pytest.mark.parametrize("answer, correct, verdict, letter", [
    ("b", "B", RIGHT, None), ("(B)", "B", RIGHT, None), ("a", "B", WRONG, "A"), (..., "B", BLANK, None),
    ("  ", "B", BLANK, None), (3, "B", UNREADABLE, None), (["A", 1], "B", UNREADABLE, None),
    ("E", "B", UNKNOWN, "E"), ("A, B", "B", TOO_MANY, None), ("A, C", ("A", "C"), RIGHT, None),
    ("A", ("A", "C"), MISSING, None), ("A, B", ("A", "C"), WRONG, "B"), ("AC", ("A", "C"), RIGHT, None),
])
def test_mark_choice(answer, correct, verdict, letter):
    mark = mark_choice(answer, "ABCD", correct)
    assert (mark.verdict, mark.letter) == (verdict, letter)


def test_the_three_graders_agree_on_a_wrong_letter(capsys):
    from poolkit.course.exercises import ch08, quiz

    c = ch08.CHOICES[22]
    ch08.CHOICE_EXERCISES[22].check("A")
    single = capsys.readouterr().out
    quiz.grade([q for q in ch08.QUIZ][:1], ["A"], name="demo")
    graded = capsys.readouterr().out
    assert single == f"Not quite: A is not right. {c.why['A']}\n"
    assert graded.startswith("Not quite: 0 of 1 right. Question 1, A: ")


def test_count_python_lines_grows_with_a_loop_only():
    def loop(xs):
        total = 0
        for v in xs:
            total += v
        return total

    def vectorised(xs):
        return np.asarray(xs).sum()

    small, large = [1] * 5, [1] * 500
    assert count_python_lines(loop, (large,), {})[0] - count_python_lines(loop, (small,), {})[0] >= 2 * 495
    assert count_python_lines(vectorised, (large,), {})[0] == count_python_lines(vectorised, (small,), {})[0]
    lines, used_poolkit, result = count_python_lines(lambda: pk.max_pool2d(np.zeros((1, 2, 2)), 2), (), {})
    assert used_poolkit and result.shape == (1, 1, 1)
