"""The checkers' contract, for every entry point and every careless or hostile answer.

Every checker a learner can call (the four of ``poolkit.course.exercises``, every
``check_*`` of chapters 1 to 7, and each of the 26 questions and the choice
grid of the self-test) is called with nothing, ``None``, ``...``, a string, a
number, a list, a complex array, and functions that raise, return ``None``,
loop for ever inside ``try/except``, print a lot, exit the process or modify
their input. Each call must print exactly one line, in one write, return a
:class:`CheckResult` and end within the checker's stated limit plus a small
margin. The limits are scaled down (``_sandbox.TIME_SCALE``) so that the
endless loops cost a fraction of a second each; ``test_real_limits`` checks
two unscaled limits.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import signal
import sys
import threading
import time

import numpy as np
import pytest

from poolkit.course.exercises import (
    Case,
    CheckResult,
    SCORECARD,
    _sandbox,
    check_choice,
    check_function,
    check_output_size_fn,
    check_value,
)
from poolkit.course.exercises import ch05, ch08
from poolkit.course.exercises.guard import runs_no_code
from tests.test_exercises_core import _WriteLog

# A printed float: 0.5, 1e-3, nan, inf (a sentence ending in a digit, "1/9.", is not one).
_FLOAT = re.compile(r"(?<![\w.])\d*\.\d+|\d[eE][-+]?\d|\b(?:nan|inf)\b", re.IGNORECASE)

SCALE = 0.02            # a 10 s limit becomes 200 ms, a 2 s limit 40 ms
MARGIN = 1.5            # seconds: starting the child, the machine's noise


@pytest.fixture
def card():
    """A clean score card, and the real time limits (for tests whose line must not be a time-out)."""
    SCORECARD.clear()
    yield
    SCORECARD.clear()


@pytest.fixture
def scaled(monkeypatch):
    monkeypatch.setattr(_sandbox, "TIME_SCALE", SCALE)
    SCORECARD.clear()
    yield
    SCORECARD.clear()


# ---------------------------------------------------------------------------
# the answers
# ---------------------------------------------------------------------------

def _raises(*args, **kwargs):
    raise RuntimeError("learner bug 1.5")


def _returns_none(*args, **kwargs):
    return None


def _loops_in_try(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except:  # noqa: E722 - the careless learner's bare except
            pass


def _sleeps_in_try(*args, **kwargs):
    # The timer's exception arrives inside sleep(), inside the try: before the sandbox,
    # this hung a check for ever.
    while True:
        try:
            time.sleep(0.05)
        except:  # noqa: E722
            pass


def _loops_plain(*args, **kwargs):
    while True:
        pass


def _prints_a_lot(*args, **kwargs):
    for i in range(200_000):
        print("debug", i, 0.5)
    return args[0] if args else None


def _modifies_input(*args, **kwargs):
    for a in args:
        if isinstance(a, np.ndarray) and a.size:
            a.flat[0] = 12345.0
            return a
        if isinstance(a, list) and a:
            a.append(a[0])
            return a
    return 0


def _exits(*args, **kwargs):
    os._exit(7)


def _sys_exit(*args, **kwargs):
    sys.exit("bye")


class _Weird:
    """An object of the learner's own class whose comparison never ends."""

    def __eq__(self, other):
        while True:
            try:
                pass
            except:  # noqa: E722
                pass

    __ne__ = __eq__
    __hash__ = object.__hash__


def _returns_own_object(*args, **kwargs):
    return _Weird()


def _recurses(*args, **kwargs):
    return _recurses(*args, **kwargs)


def _returns_generator(*args, **kwargs):
    return (v for v in args)


NOTHING = object()          # call the checker without its answer

ANSWERS = {
    "nothing": NOTHING,
    "None": None,
    "Ellipsis": ...,
    "string": "zzz",
    "number": 7,
    "list": [1, 2],
    "complex array": np.ones((2, 2), dtype=complex),
    "raises": _raises,
    "returns None": _returns_none,
    "loops in try/except": _loops_in_try,
    "sleeps in try/except": _sleeps_in_try,
    "prints a lot": _prints_a_lot,
    "modifies its input": _modifies_input,
    "os._exit": _exits,
    "sys.exit": _sys_exit,
    "own class": _Weird(),
    "returns own class": _returns_own_object,
    "recurses": _recurses,
    "returns a generator": _returns_generator,
    "float array": np.full((2, 2), 0.5),
}


# ---------------------------------------------------------------------------
# the entry points: (id, call(answer), stated limit in seconds)
# ---------------------------------------------------------------------------

# Stated limits of the chapter checkers that are not 10 s (their docstrings say so too).
_LIMITS = {"check_output_size": 2, "check_bytes_moved": 2, "check_max_blur_pool1d": 2}

_CASES = [Case(args=(np.array([1.0, 5.0, 3.0]),), expected=5.0, label="(1, 5, 3)")]


def _entry_points():
    points = [
        ("core.check_function", lambda a: check_function(a, _CASES, name="biggest") if a is not NOTHING
         else check_function(cases=_CASES, name="biggest"), 10),
        ("core.check_value", lambda a: check_value(a, 3, name="out") if a is not NOTHING
         else check_value(expected=3, name="out"), 10),
        ("core.check_choice", lambda a: check_choice(a, "A", options=["x", "y"], name="q") if a is not NOTHING
         else check_choice(correct="A", options=["x", "y"], name="q"), 10),
        ("core.check_output_size_fn", lambda a: check_output_size_fn(a) if a is not NOTHING
         else check_output_size_fn(), 10),
    ]
    for n in range(1, 8):
        mod = importlib.import_module(f"poolkit.course.exercises.ch0{n}")
        for attr in mod.__all__:
            if not attr.startswith("check_"):
                continue
            fn = getattr(mod, attr)
            points.append((f"ch0{n}.{attr}", (lambda f: lambda a: f(a) if a is not NOTHING else f())(fn),
                           _LIMITS.get(attr, 10)))

    def question(q):
        return lambda a: ch08.SelfTest().check(q, a) if a is not NOTHING else ch08.SelfTest().check(q)

    for q in range(1, len(ch08.QUESTIONS) + 1):   # every question of the self-test, however many
        points.append((f"ch08.Q{q}", question(q), 10))
    points.append(("ch08.check_choices", lambda a: ch08.SelfTest().check_choices(a) if a is not NOTHING
                   else ch08.SelfTest().check_choices(), 10))
    return points


ENTRY_POINTS = _entry_points()


def test_every_public_checker_is_an_entry_point():
    """A new checker is covered here automatically; one without the guard fails this test."""
    assert len(ENTRY_POINTS) >= 50
    for n in range(1, 8):
        mod = importlib.import_module(f"poolkit.course.exercises.ch0{n}")
        for attr in mod.__all__:
            if attr.startswith("check_"):
                assert hasattr(getattr(mod, attr), "__wrapped_checker__"), f"ch0{n}.{attr} has no guard"
    for number, check in ch08.VALUE_CHECKS.items():        # Q10 to Q21, Q23, Q24, Q26 (the others are letters)
        assert hasattr(check, "__wrapped_checker__"), f"self-test Q{number} has no guard"


def _call(call, answer):
    log = _WriteLog()
    saved = sys.stdout
    sys.stdout = log
    start = time.monotonic()
    try:
        result = call(answer)
    finally:
        sys.stdout = saved
    return result, log.writes, time.monotonic() - start


@pytest.mark.parametrize("answer", list(ANSWERS.values()), ids=list(ANSWERS))
@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_one_line_within_the_limit(scaled, entry, answer):
    name, call, limit = entry
    result, writes, took = _call(call, answer)
    assert isinstance(result, CheckResult), (name, result)
    assert len(writes) == 1, writes
    line = writes[0]
    assert line.endswith("\n") and line.count("\n") == 1 and line.strip(), line
    assert "Traceback" not in line
    assert not _FLOAT.search(line), line                  # never a float, not even quoted
    assert took <= limit * SCALE + MARGIN, f"{name} took {took:.2f} s"


@pytest.mark.parametrize("entry", [e for e in ENTRY_POINTS if e[0] in {
    "core.check_function", "core.check_output_size_fn", "ch01.check_max_pool2d_simple",
    "ch02.check_rf_size", "ch03.check_adaptive_max_pool", "ch04.check_max_backward",
    "ch04.check_avg_backward", "ch05.check_output_size", "ch06.check_bytes_moved",
    "ch07.check_max_blur_pool1d", "ch08.Q18", "ch08.Q20"}], ids=lambda e: e[0])
@pytest.mark.parametrize("loop", [_loops_in_try, _sleeps_in_try], ids=["busy", "sleeping"])
def test_an_endless_loop_inside_try_except_is_a_time_out(scaled, entry, loop):
    name, call, limit = entry
    result, writes, took = _call(call, loop)
    line = writes[0]
    assert result.status == "failed"
    assert "took longer than" in line, line
    assert "Hint: look for a loop whose condition never becomes false." in line, line
    assert took <= limit * SCALE + MARGIN


@pytest.mark.parametrize("answer", [_exits, _sys_exit], ids=["os._exit", "sys.exit"])
def test_a_function_that_ends_the_process_is_reported(card, answer):
    result, writes, _ = _call(lambda a: check_function(a, _CASES, name="biggest"), answer)
    assert result.status == "failed"
    if answer is _exits:
        assert writes[0].startswith("Not checkable: your code ended the Python process that ran the check "
                                    "(exit code 7)."), writes
    else:
        assert writes[0].startswith("Case (1, 5, 3): raised SystemExit"), writes


def test_the_learners_object_with_an_endless_comparison(scaled):
    # compared with ==, as for any expected value that is not a number, text, tuple or array
    result, writes, took = _call(lambda a: check_value(a, object(), name="out"), _Weird())
    assert "took longer than" in writes[0] and result.status == "failed"
    assert took <= 10 * SCALE + MARGIN


# ---------------------------------------------------------------------------
# one budget per check, and the real limits
# ---------------------------------------------------------------------------

def test_real_limits():
    """Unscaled: ch05's 2 s and a 1 s check_function hold against a bare except."""
    for call, limit in ((lambda: ch05.check_output_size(_sleeps_in_try), 2),
                        (lambda: check_function(_sleeps_in_try, _CASES, name="biggest", timeout=1), 1)):
        result, writes, took = _call(lambda a, call=call: call(), None)
        assert f"took longer than {limit} s" in writes[0], writes
        assert limit <= took <= limit + MARGIN, took
    SCORECARD.clear()


def test_diagnosis_and_check_share_one_budget(scaled):
    """A function that is slow on every case: the diagnosis pass must not double the limit."""
    def slow(*args, **kwargs):
        time.sleep(2 * SCALE * 0.6)       # 60 % of ch05's scaled limit per call
        return 1

    result, writes, took = _call(lambda a: ch05.check_output_size(a), slow)
    assert "took longer than 40 ms" in writes[0], writes
    assert took <= 2 * SCALE + MARGIN


def test_the_time_out_line_has_the_time_out_hint_not_the_cases_hint(scaled):
    cases = [Case(args=(1,), expected=2, label="one", hint="the case's own hint")]
    _, writes, _ = _call(lambda a: check_function(a, cases, name="f"), _loops_plain)
    assert writes == ["Case one: took longer than 200 ms. "
                      "Hint: look for a loop whose condition never becomes false.\n"]


def test_the_time_out_is_recorded_on_the_score_card(scaled):
    _call(lambda a: check_function(a, _CASES, name="biggest"), _loops_in_try)
    assert SCORECARD.results()["biggest"].status == "failed"


# ---------------------------------------------------------------------------
# in the learner's process (no fork: Windows, a browser's Python, or switched off)
# ---------------------------------------------------------------------------

IN_PROCESS_ANSWERS = {k: v for k, v in ANSWERS.items()
                      if k not in ("loops in try/except", "sleeps in try/except", "os._exit", "own class",
                                   "returns own class")}


@pytest.mark.parametrize("answer", list(IN_PROCESS_ANSWERS.values()), ids=list(IN_PROCESS_ANSWERS))
@pytest.mark.parametrize("entry", [e for e in ENTRY_POINTS if not e[0].startswith("ch08.Q1")],
                         ids=lambda e: e[0] if isinstance(e, tuple) else None)
def test_in_process_one_line(scaled, monkeypatch, entry, answer):
    monkeypatch.setenv(_sandbox.ENV_SWITCH, "off")
    name, call, limit = entry
    result, writes, took = _call(call, answer)
    assert isinstance(result, CheckResult)
    assert len(writes) == 1 and writes[0].count("\n") == 1, writes
    assert took <= limit * SCALE + MARGIN


def test_in_process_a_plain_endless_loop_still_times_out(scaled, monkeypatch):
    monkeypatch.setenv(_sandbox.ENV_SWITCH, "off")
    _, writes, took = _call(lambda a: ch05.check_output_size(a), _loops_plain)
    assert "took longer than 40 ms" in writes[0], writes
    assert took <= 2 * SCALE + MARGIN


def test_in_process_side_effects_stay_visible(monkeypatch):
    """Switched off, the learner's function runs in this process (as before the sandbox)."""
    monkeypatch.setenv(_sandbox.ENV_SWITCH, "off")
    seen = []
    check_function(lambda x: seen.append(1) or x.max(), _CASES, name="biggest")
    assert seen == [1]
    SCORECARD.clear()


# ---------------------------------------------------------------------------
# Ctrl-C: the same line everywhere
# ---------------------------------------------------------------------------

def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


FUNCTION_CHECKERS = [e for e in ENTRY_POINTS if e[0] in {
    "core.check_function", "core.check_output_size_fn", "ch01.check_max_pool2d_simple",
    "ch01.check_avg_pool2d_simple", "ch02.check_rf_size", "ch03.check_adaptive_max_pool",
    "ch04.check_max_backward", "ch04.check_avg_backward", "ch05.check_output_size",
    "ch06.check_bytes_moved", "ch07.check_max_blur_pool1d"}]


@pytest.mark.parametrize("mode", ["fork", "off"])
@pytest.mark.parametrize("entry", FUNCTION_CHECKERS, ids=lambda e: e[0])
def test_an_interrupt_in_the_learners_code_is_check_interrupted(card, monkeypatch, entry, mode):
    monkeypatch.setenv(_sandbox.ENV_SWITCH, mode)
    result, writes, _ = _call(entry[1], _interrupt)
    assert writes == ["Check interrupted.\n"], writes
    assert result.status == "not attempted"


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or not hasattr(os, "fork"), reason="POSIX only")
def test_ctrl_c_while_the_check_waits(scaled):
    """A real SIGINT to this process while the child loops: one line, and the child is gone."""
    timer = threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        result, writes, took = _call(lambda a: check_function(a, _CASES, name="biggest", timeout=30),
                                     _loops_in_try)
    finally:
        timer.cancel()
    assert writes == ["Check interrupted.\n"], writes
    assert took < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)        # no child left behind


# ---------------------------------------------------------------------------
# answers of the wrong kind
# ---------------------------------------------------------------------------

def test_a_complex_result_is_not_accepted_as_a_float_array(card):
    from poolkit.course.exercises import ch01

    def complex_pool(x, k):
        H, W = x.shape
        return x[:H // k * k, :W // k * k].reshape(H // k, k, W // k, k).max(axis=(1, 3)).astype(complex)

    result, writes, _ = _call(ch01.check_max_pool2d_simple, complex_pool)
    assert result.status == "failed"
    assert "expected a real float array, got complex128" in writes[0], writes


def test_a_complex_value_is_not_a_number(card):
    result, writes, _ = _call(lambda a: check_value(a, 2.5, name="out"), 2.5 + 0j)
    assert result.status == "failed" and "should be a number, got complex" in writes[0], writes


@pytest.mark.parametrize("call, line", [
    (lambda: ch05.check_widths(), "Not attempted yet: set width_a and width_b to your two answers"),
    (lambda: ch05.check_output_size(), "Not attempted yet: complete `output_size`"),
    (lambda: ch08.SelfTest().check(), "Not attempted yet: give the question's number and your answer"),
    (lambda: ch08.SelfTest().check(12), "Not attempted yet"),
    (lambda: check_output_size_fn(), "Not attempted yet: complete `output_size`"),
])
def test_no_argument_is_not_attempted(card, call, line):
    result, writes, _ = _call(lambda a: call(), None)
    assert writes[0].startswith(line), writes
    assert result.status == "not attempted"


@pytest.mark.parametrize("call, line", [
    (lambda: ch05.check_output_size(len, 3), "Not checkable: check_output_size takes 1 answer, you gave 2. "
                                             "Hint: call it as check_output_size(fn)."),
    (lambda: ch05.check_widths(6, 5, 4), "Not checkable: check_widths takes 2 answers, you gave 3. "
                                         "Hint: call it as check_widths(width_a)."),
    (lambda: check_value(3, 3, name="x", bogus=1), "Not checkable: check_value has no argument named `bogus`."),
    (lambda: check_value(3, name="x"), "Not checkable: check_value needs the argument `expected`."),
])
def test_a_wrong_call_of_a_checker_says_how_to_call_it(card, call, line):
    result, writes, _ = _call(lambda a: call(), None)
    assert writes[0].startswith(line), writes
    assert result.status == "failed"
    assert SCORECARD.results() == {}          # a wrong call is not an attempt


def test_checker_signatures_are_kept_for_help():
    assert list(inspect.signature(ch05.check_widths).parameters) == ["width_a", "width_b"]
    assert ch05.check_output_size.__doc__ and "output_size" in ch05.check_output_size.__doc__


def test_runs_no_code_classifies_answers():
    plain = [None, ..., 3, 2.5, "x", np.ones(3), [1, (2, 3.0)], {"a": 1}, np.float64(1), True]
    assert all(runs_no_code(v) for v in plain)
    code = [len, lambda: 0, _Weird(), np.array([_Weird()], dtype=object), [1, _Weird()], {1: len}]
    assert not any(runs_no_code(v) for v in code)


# ---------------------------------------------------------------------------
# near misses: diagnosed the same in the child process and in process
# ---------------------------------------------------------------------------

def _max_backward(grad_out, x, kernel_size=2, stride=2, *, last=False, assign=False):
    k, s = kernel_size, stride
    grad_x = np.zeros(x.shape)
    for i in range(grad_out.shape[0]):
        for j in range(grad_out.shape[1]):
            w = x[i * s:i * s + k, j * s:j * s + k]
            flat = w.size - 1 - int(np.argmax(w.ravel()[::-1])) if last else int(np.argmax(w))
            r, c = divmod(flat, w.shape[1])
            if assign:
                grad_x[i * s + r, j * s + c] = grad_out[i, j]
            else:
                grad_x[i * s + r, j * s + c] += grad_out[i, j]
    return grad_x


def _avg_floor_division(x, k):
    H, W = x.shape
    blocks = x[:H // k * k, :W // k * k].reshape(H // k, k, W // k, k)
    return blocks.sum(axis=(1, 3)) // (k * k)


def _max_transposed(x, k):
    H, W = x.shape
    return x[:H // k * k, :W // k * k].reshape(H // k, k, W // k, k).max(axis=(1, 3)).T


def _output_size_without_the_rule(size, kernel_size, stride, padding=0, dilation=1, ceil_mode=False):
    span = size + 2 * padding - dilation * (kernel_size - 1) - 1
    return (-(-span // stride) if ceil_mode else span // stride) + 1


def _q20_assign(grad_out, x, k, s):
    grad_x = np.zeros(x.shape)
    for j in range(len(grad_out)):
        grad_x[j * s + int(np.argmax(x[j * s:j * s + k]))] = grad_out[j]
    return grad_x


NEAR_MISSES = {
    "tie to the last maximum": (lambda: __import__("poolkit.course.exercises.ch04", fromlist=["x"]).check_max_backward,
                                lambda *a, **k: _max_backward(*a, **k, last=True), "send all of it to the first one"),
    "= instead of +=": (lambda: __import__("poolkit.course.exercises.ch04", fromlist=["x"]).check_max_backward,
                        lambda *a, **k: _max_backward(*a, **k, assign=True), "+="),
    "floor division": (lambda: __import__("poolkit.course.exercises.ch01", fromlist=["x"]).check_avg_pool2d_simple,
                       _avg_floor_division, "divide with /, not //"),
    "transposed": (lambda: __import__("poolkit.course.exercises.ch01", fromlist=["x"]).check_max_pool2d_simple,
                   _max_transposed, "your result is transposed"),
    "transposed by hand": (lambda: __import__("poolkit.course.exercises.ch01", fromlist=["x"]).check_max_by_hand,
                           [[3, -1], [6, 7]], "you transposed the result"),
    "ceil-mode last window": (lambda: ch05.check_output_size, _output_size_without_the_rule,
                              "drop the last window if it would start in the right padding"),
    "self-test Q20, = instead of +=": (lambda: (lambda fn: ch08.SelfTest().check(20, fn)), _q20_assign,
                                       "add both gradients (+=), do not overwrite"),
}


@pytest.mark.parametrize("mode", ["fork", "off"])
@pytest.mark.parametrize("mistake", list(NEAR_MISSES), ids=list(NEAR_MISSES))
def test_near_misses_are_named(monkeypatch, mistake, mode):
    monkeypatch.setenv(_sandbox.ENV_SWITCH, mode)
    get_checker, answer, words = NEAR_MISSES[mistake]
    result, writes, _ = _call(get_checker(), answer)
    SCORECARD.clear()
    assert result.status == "failed"
    assert len(writes) == 1 and words in writes[0], writes


def test_in_a_real_kernel_a_bare_except_loop_is_stopped(tmp_path):
    """The notebook case: a kernel with its own threads forks the check; one output, on time."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import time\nfrom poolkit.course.exercises import ch05"),
        nbformat.v4.new_code_cell(
            "def output_size(*args, **kwargs):\n"
            "    while True:\n"
            "        try:\n"
            "            print('still going', 0.5)\n"
            "            time.sleep(0.01)\n"
            "        except:\n"
            "            pass\n"
            "start = time.monotonic()\n"
            "ch05.check_output_size(output_size)"),
        nbformat.v4.new_code_cell("took = time.monotonic() - start\nprint(2 <= took < 2 + 1.5)"),
    ]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outs = nb.cells[1].outputs
    assert [o.output_type for o in outs] == ["stream"], outs
    assert outs[0].text == ("Case in=8, k=2, s=2: took longer than 2 s. "
                            "Hint: look for a loop whose condition never becomes false.\n")
    assert nb.cells[2].outputs[0].text == "True\n"
