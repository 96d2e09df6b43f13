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


# --- the SPPF exercise: chained 5 x 5 pools for SPP's 5, 9, 13 -------------------------

def _pool(x, k, p):
    return pk.max_pool2d(x, k, stride=1, padding=p)


@pytest.mark.parametrize("k,times", ch06.CHAIN_CASES)
def test_chain_reference_is_what_poolkit_computes(k, times):
    # a map with negative values and ties, small enough that the padding reaches far in
    rng = np.random.default_rng(k * 10 + times)
    x = rng.integers(-5, 3, size=(2, 11, 13)).astype(float)
    chained = x
    for _ in range(times):
        chained = _pool(chained, k, k // 2)
    kernel, padding = ch06.chain_reference(k, times)
    assert np.array_equal(chained, _pool(x, kernel, padding))
    assert padding <= kernel // 2                                  # a padding PyTorch accepts


def test_sppf_numbers_by_hand():
    assert (ch06.chain_reference(5, 2), ch06.chain_reference(5, 3)) == ((9, 4), (13, 6))
    assert ch06.SPP_DIRECT == 24 + 80 + 168 == 272
    assert ch06.SPPF_DIRECT == 3 * 24 == 72
    assert ch06.SPP_SEPARABLE == (4 + 4) + (8 + 8) + (12 + 12) == 48
    assert ch06.SPPF_SEPARABLE == 3 * (4 + 4) == 24


def test_sppf_numbers_by_poolkit():
    shape = (1, 8, 20, 20)

    def per_cell(k, p):
        f = pk.pool_flops(shape, k, stride=1, padding=p)
        assert f.output_shape == shape                       # the size is kept
        return f.exact // f.windows

    assert sum(per_cell(k, k // 2) for k in (5, 9, 13)) == ch06.SPP_DIRECT
    assert 3 * per_cell(5, 2) == ch06.SPPF_DIRECT
    separable = lambda k: per_cell((1, k), (0, k // 2)) + per_cell((k, 1), (k // 2, 0))  # noqa: E731
    assert sum(separable(k) for k in (5, 9, 13)) == ch06.SPP_SEPARABLE
    assert 3 * separable(5) == ch06.SPPF_SEPARABLE
    one = pk.pool_bytes(shape, 13, stride=1, padding=6).total
    five = pk.pool_bytes(shape, 5, stride=1, padding=2).total
    spp = sum(pk.pool_bytes(shape, k, stride=1, padding=k // 2).total for k in (5, 9, 13))
    assert 3 * five / one == ch06.TRAFFIC_13 and 3 * five / spp == ch06.TRAFFIC_SPP


def test_sppf_is_spp_in_torch():
    torch = pytest.importorskip("torch")
    x = torch.randn(2, 4, 12, 12)
    m5 = torch.nn.MaxPool2d(5, 1, 2)
    y1 = m5(x)
    y2 = m5(y1)
    assert torch.equal(y2, torch.nn.MaxPool2d(9, 1, 4)(x))
    assert torch.equal(m5(y2), torch.nn.MaxPool2d(13, 1, 6)(x))


def chain_good(kernel_size, times):
    return times * (kernel_size - 1) + 1, times * (kernel_size // 2)


def chain_array(kernel_size, times):
    return np.array([times * (kernel_size - 1) + 1, times * (kernel_size // 2)])


def chain_fixed_padding(kernel_size, times):
    return times * (kernel_size - 1) + 1, kernel_size // 2


def chain_reversed(kernel_size, times):
    return times * (kernel_size // 2), times * (kernel_size - 1) + 1


def chain_times_k(kernel_size, times):
    return times * kernel_size, times * (kernel_size // 2)


def chain_times_k_half(kernel_size, times):
    return times * kernel_size, times * kernel_size // 2


def chain_power(kernel_size, times):
    return kernel_size ** times, kernel_size ** times // 2


def chain_only_kernel(kernel_size, times):
    return times * (kernel_size - 1) + 1


@pytest.mark.parametrize("fn", [chain_good, chain_array])
def test_chain_correct(capsys, fn):
    result, text = line(capsys, ch06.check_chain_equivalent, fn)
    assert result.status == "passed", text


@pytest.mark.parametrize("fn,phrase", [
    (chain_fixed_padding, "the padding grows with the window"),
    (chain_reversed, "return (kernel, padding) in that order"),
    (chain_times_k, "reaches k - 1 more cells, not k"),
    (chain_times_k_half, "reaches k - 1 more cells, not k"),
    (chain_power, "the reaches add, they do not multiply"),
    (chain_only_kernel, "return a tuple of two ints"),
])
def test_chain_names_the_mistake(capsys, fn, phrase):
    result, text = line(capsys, ch06.check_chain_equivalent, fn)
    assert result.status == "failed" and phrase in text, text


def test_chain_stub(capsys):
    def chain_equivalent(kernel_size, times):
        raise NotImplementedError("replace this line with your code")

    result, text = line(capsys, ch06.check_chain_equivalent, chain_equivalent)
    assert result.status == "not attempted", text


GOOD_COUNTS = {"spp_direct": 272, "sppf_direct": 72, "spp_separable": 48, "sppf_separable": 24,
               "traffic_13": 3, "traffic_spp": 1}


def test_counts_correct(capsys):
    result, text = line(capsys, ch06.check_sppf_counts, GOOD_COUNTS)
    assert result.status == "passed" and text == "Correct.", text
    # counts computed with divisions (floats with integral values) and numpy numbers pass too
    as_floats = {k: float(v) for k, v in GOOD_COUNTS.items()}
    as_numpy = {k: np.int64(v) for k, v in GOOD_COUNTS.items()}
    for counts in (as_floats, as_numpy):
        result, text = line(capsys, ch06.check_sppf_counts, counts)
        assert result.status == "passed", text


@pytest.mark.parametrize("key,wrong,phrase", [
    ("spp_direct", 25 + 81 + 169, "takes n - 1 comparisons, not n"),
    ("spp_direct", 168, "side by side: add their counts"),
    ("spp_direct", 72, "that is SPPF's chain"),
    ("spp_direct", 48, "that is the separable count"),
    ("sppf_direct", 75, "takes n - 1 comparisons, not n"),
    ("sppf_direct", 24, "three times its count"),
    ("sppf_direct", 168, "that is one 13 x 13 pool"),
    ("sppf_direct", 272, "that is SPP's count"),
    ("spp_separable", 10 + 18 + 26, "2 (k - 1), not 2k"),
    ("spp_separable", 4 + 8 + 12, "count both passes"),
    ("spp_separable", 272, "that is the direct count"),
    ("sppf_separable", 30, "2 (k - 1), not 2k"),
    ("sppf_separable", 12, "count both passes"),
    ("sppf_separable", 8, "three times its 2 (5 - 1)"),
    ("sppf_separable", 72, "the chain's direct count"),
    ("sppf_separable", 48, "SPP's separable count"),
    ("traffic_13", 1, "intermediate maps y1 and y2 are written to memory and read back"),
    ("traffic_13", 2, "written once and read once"),
    ("traffic_13", 6, "over the input's"),
    ("traffic_13", 1 / 3, "divide the chain's bytes by the one pool's"),
    ("traffic_spp", 3, "the chain costs no extra traffic here"),
    ("traffic_spp", 2 / 3, "reads its input once per pool"),
])
def test_counts_name_the_mistake(capsys, key, wrong, phrase):
    result, text = line(capsys, ch06.check_sppf_counts, {**GOOD_COUNTS, key: wrong})
    assert result.status == "failed" and phrase in text and text.startswith(f"Not quite: {key} "), text


def test_counts_stub_missing_and_junk(capsys):
    result, text = line(capsys, ch06.check_sppf_counts, ...)
    assert result.status == "not attempted" and "sppf_counts" in text, text
    result, text = line(capsys, ch06.check_sppf_counts, {**GOOD_COUNTS, "traffic_13": ...})
    assert result.status == "not attempted" and "traffic_13" in text, text
    result, text = line(capsys, ch06.check_sppf_counts, {k: v for k, v in GOOD_COUNTS.items() if k != "sppf_direct"})
    assert text.startswith("Not checkable: sppf_counts has no entry sppf_direct."), text
    result, text = line(capsys, ch06.check_sppf_counts, [272, 72])
    assert text.startswith("Not checkable: sppf_counts should be a dict, got list."), text
    result, text = line(capsys, ch06.check_sppf_counts, {**GOOD_COUNTS, "spp_direct": "272"})
    assert result.status == "failed" and "spp_direct" in text, text
