"""Shape arithmetic: output sizes (published and hand-worked), padding limit, adaptive bins, unpool size."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poolkit as pk
from poolkit import shapes

HYP = settings(max_examples=100, deadline=None)


# ---------------------------------------------------------------------------
# output_size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, kw, expected, why", [
    ((5, 2), dict(stride=2, padding=1, ceil_mode=True), 3,
     "FACTS: ceil((5+2-2)/2)+1 = 4, but the 4th window would start at 6 >= 5+1 (right padding)"),
    ((5, 2), dict(stride=2, padding=1), 3, "floor(5/2)+1 = 3"),
    ((6, 3), dict(stride=2), 2, "floor((6-3)/2)+1 = 2"),
    ((6, 3), dict(stride=2, ceil_mode=True), 3, "ceil(3/2)+1 = 3; last window starts at 4 < 6"),
    ((5, 2), dict(ceil_mode=True), 3, "ceil(3/2)+1 = 3: windows {0,1} {2,3} {4}"),
    ((7, 3), dict(stride=1, dilation=2), 3, "effective kernel 2*(3-1)+1 = 5: 7-5+1 = 3"),
    ((4, 2), {}, 2, "stride defaults to the kernel: 4/2"),
    ((1, 1), {}, 1, "a 1x1 window on one cell"),
    ((55, 3), dict(stride=2), 27, "AlexNet (Krizhevsky et al. 2012): 55x55 conv1 maps pool to 27x27"),
    ((27, 3), dict(stride=2), 13, "AlexNet: 27 -> 13 after the second overlapping pool"),
    ((112, 3), dict(stride=2, padding=1), 56, "ResNet (He et al. 2016, Table 1): 112 -> 56 by 3x3/2 max pool"),
    ((224, 2), dict(stride=2), 112, "VGG (Simonyan & Zisserman 2015): 2x2/2 pooling halves 224"),
    ((14, 2), dict(stride=2), 7, "VGG: the last pool gives 7x7"),
])
def test_output_size_hand_and_published(args, kw, expected, why):
    assert pk.output_size(*args, **kw) == expected, why


def test_output_size_per_axis_tuples():
    # H: floor((32-3)/2)+1 = 15 ; W: floor((7-3)/2)+1 = 3
    assert pk.output_size((32, 7), 3, stride=2) == (15, 3)
    # H: k=1 -> 6 ; W: k=2, s=2, ceil on 5 -> 3
    assert pk.output_size((6, 5), (1, 2), stride=(1, 2), ceil_mode=True) == (6, 3)


@HYP
@given(st.integers(1, 40), st.integers(1, 6), st.integers(1, 6), st.integers(0, 3),
       st.integers(1, 3), st.booleans())
def test_output_size_counts_the_windows(n, k, s, p, d, ceil):
    # Independent count, window by window, in padded coordinates (input occupies [p, n+p)):
    # floor mode keeps the windows at t = 0, s, 2s, ... whose last tap t + eff - 1 is inside
    # the padded length n + 2p. Ceil mode adds one partial window when cells are left over
    # after the last full one, unless that window would start in the right padding (t >= n+p).
    # With no full window at all, floor mode must refuse; PyTorch's ceil formula still keeps one
    # partial window at t = 0 when n + 2p - eff > -s (torch 2.13 does), and poolkit follows it.
    p = min(p, k // 2)
    eff = d * (k - 1) + 1
    full = [t for t in range(0, n + 2 * p, s) if t + eff <= n + 2 * p]
    if not full and not (ceil and n + 2 * p - eff > -s):
        with pytest.raises(ValueError, match="kernel_size"):
            pk.output_size(n, k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
        return
    if not full:
        expected = 1
    else:
        expected = len(full)
        if ceil and full[-1] + eff < n + 2 * p and full[-1] + s < n + p:
            expected += 1
    assert pk.output_size(n, k, stride=s, padding=p, dilation=d, ceil_mode=ceil) == expected


@HYP
@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2),
       st.integers(1, 2), st.booleans())
def test_output_size_matches_actual_pooling_shape(h, w, k, s, p, d, ceil):
    p = min(p, k // 2)
    if min(h, w) + 2 * p < d * (k - 1) + 1:
        return
    x = np.zeros((1, 1, h, w))
    kw = dict(stride=s, padding=p, dilation=d, ceil_mode=ceil)
    assert pk.max_pool2d(x, k, **kw).shape[-2:] == pk.output_size((h, w), k, **kw)
    kw.pop("dilation")
    assert pk.avg_pool2d(x, k, **kw).shape[-2:] == pk.output_size((h, w), k, **kw)


def test_published_spp_window_and_stride_give_the_wrong_bin_count():
    # SPP-net: window ceil(a/n), stride floor(a/n).
    # a=7, n=4 -> window 2, stride 1 -> 6 bins per axis (not 4)
    assert pk.output_size(7, -(-7 // 4), stride=7 // 4) == 6
    # a=5, n=3 -> window 2, stride 1 -> 4 bins (not 3)
    assert pk.output_size(5, -(-5 // 3), stride=5 // 3) == 4
    # ... while adaptive bins always give n
    assert len(pk.adaptive_bins(7, 4)) == 4 and len(pk.adaptive_bins(5, 3)) == 3


# ---------------------------------------------------------------------------
# padding limit
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("k, expected", [(1, 0), (2, 1), (3, 1), (4, 2), (5, 2), (7, 3)])
def test_max_padding_is_half_the_kernel(k, expected):
    assert pk.max_padding(k) == expected


def test_max_padding_ignores_dilation_like_pytorch_2_13():
    # torch 2.13: "pad should be at most half of kernel size" for dilated max pooling too
    assert pk.max_padding(3, dilation=2) == 1
    assert pk.max_padding((3, 2), dilation=2) == (1, 1)


def test_max_padding_is_accepted_and_one_more_is_refused():
    x = np.zeros((1, 1, 9, 9))
    for k in (1, 2, 3, 4, 5):
        pk.max_pool2d(x, k, padding=pk.max_padding(k))
        pk.avg_pool2d(x, k, padding=pk.max_padding(k))
        with pytest.raises(ValueError, match="padding"):
            pk.max_pool2d(x, k, padding=pk.max_padding(k) + 1)


# ---------------------------------------------------------------------------
# adaptive bins
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n_in, n_out, expected", [
    # [floor(i*in/out), ceil((i+1)*in/out)) worked by hand
    (5, 3, [(0, 2), (1, 4), (3, 5)]),            # 5/3 = 1.67: [0,1.67) [1.67,3.33) [3.33,5)
    (7, 4, [(0, 2), (1, 4), (3, 6), (5, 7)]),    # 7/4 = 1.75
    (6, 3, [(0, 2), (2, 4), (4, 6)]),            # divisible: plain 2-wide windows
    (2, 4, [(0, 1), (0, 1), (1, 2), (1, 2)]),    # more bins than cells: cells repeat
    (1, 1, [(0, 1)]),
    (10, 1, [(0, 10)]),
])
def test_adaptive_bins_by_hand(n_in, n_out, expected):
    assert [tuple(b) for b in pk.adaptive_bins(n_in, n_out)] == expected


@HYP
@given(st.integers(1, 60), st.integers(1, 60))
def test_adaptive_bins_properties(n_in, n_out):
    bins = [tuple(b) for b in pk.adaptive_bins(n_in, n_out)]
    assert len(bins) == n_out
    assert bins[0][0] == 0 and bins[-1][1] == n_in           # cover the whole axis
    for (a0, a1), (b0, b1) in zip(bins, bins[1:]):
        assert a0 <= b0 and a1 <= b1                         # move monotonically
        assert b0 <= a1                                      # no gap between neighbours
    sizes = [b - a for a, b in bins]
    assert min(sizes) >= 1
    assert max(sizes) - min(sizes) <= 1 or n_in % n_out != 0 and max(sizes) <= -(-n_in // n_out) + 1
    if n_in % n_out == 0:                                    # divisible: a plain partition
        assert bins == [(i * (n_in // n_out), (i + 1) * (n_in // n_out)) for i in range(n_out)]


# ---------------------------------------------------------------------------
# unpool size
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("args, kw, expected", [
    ((2, 2), {}, 4),                               # (2-1)*2 + 2
    ((3, 3), dict(stride=2, padding=1), 5),        # (3-1)*2 - 2 + 3
    ((27, 3), dict(stride=2), 55),                 # AlexNet's pool, backwards: (27-1)*2 + 3
    ((1, 3), {}, 3),
    (((3, 4), (2, 3)), dict(stride=(2, 1)), (6, 6)),  # H: 2*2+2 ; W: 3*1+3
])
def test_unpool_size_by_hand(args, kw, expected):
    assert pk.unpool_size(*args, **kw) == expected


@HYP
@given(st.integers(1, 30), st.integers(1, 5), st.integers(1, 5), st.integers(0, 2))
def test_unpool_size_is_the_smallest_input_that_pools_back(n, k, s, p):
    p = min(p, k // 2)
    size = (n - 1) * s - 2 * p + k
    if size < 1:
        return
    u = pk.unpool_size(n, k, stride=s, padding=p)
    assert u == size
    if u + 2 * p >= k:
        assert pk.output_size(u, k, stride=s, padding=p) == n
        # every input up to stride-1 cells larger pools to the same size
        assert pk.output_size(u + s - 1, k, stride=s, padding=p) == n
        assert pk.output_size(u + s, k, stride=s, padding=p) == n + 1


def test_shapes_module_exports():
    for name in ("output_size", "max_padding", "adaptive_bins", "unpool_size"):
        assert getattr(shapes, name) is getattr(pk, name)
