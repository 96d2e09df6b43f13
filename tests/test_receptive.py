"""Receptive field through a stack of layers: hand-worked, published, and brute force.

The brute-force reference follows actual input positions through the stack: output 0
of the last layer reads a set of positions of the layer below, and so on down to the
input. Its extent gives the size, its centre the start, and the distance between the
centres of outputs 0 and 1 the jump -- no formula involved.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import poolkit as pk


def conv(k, s=1, p=0, d=1, name=None):
    return dict(kernel_size=k, stride=s, padding=p, dilation=d, **({"name": name} if name else {}))


def pool(k, s=None, p=0, name=None):
    return dict(kernel_size=k, stride=k if s is None else s, padding=p, **({"name": name} if name else {}))


def _brute_force(layers, out_index):
    """Input positions (padding included, as integer coordinates) that output `out_index` depends on."""
    positions = {out_index}
    for layer in reversed(layers):
        k, s = layer["kernel_size"], layer["stride"]
        p, d = layer.get("padding", 0), layer.get("dilation", 1)
        positions = {o * s - p + m * d for o in positions for m in range(k)}
    return positions


def _rows(rf):
    return [(r.size, r.jump, r.start) for r in rf]


def test_vgg_style_block_by_hand():
    # conv3 (p=1): output 0 sees input -1..1: size 3, centre 0.
    # conv3 (p=1): sees conv1 outputs -1..1, i.e. input -2..2: size 5, centre 0.
    # pool2 (s=2): sees conv2 outputs 0..1, i.e. input -2..3: size 6, centre 0.5; neighbours 2 apart.
    rf = pk.receptive_field([conv(3, p=1), conv(3, p=1), pool(2)])
    assert _rows(rf) == [(3, 1, 0.0), (5, 1, 0.0), (6, 2, 0.5)]
    assert (rf.size, rf.jump, rf.start) == (6, 2, 0.5)


def test_three_3x3_convs_see_as_much_as_one_7x7():
    # CS231n / Simonyan & Zisserman: three stacked 3x3 convolutions have a 7x7 field
    assert pk.receptive_field([conv(3)] * 3).size == 7
    assert pk.receptive_field([conv(7)]).size == 7


def test_vgg16_to_pool5_matches_published_value():
    # Araujo, Norris & Sim (Distill 2019), "Computing receptive fields of CNNs": VGG-16 has a
    # receptive field of 212 with effective stride 32 and effective padding 90, so the centre
    # of the first field is -90 + (212 - 1)/2 = 15.5.
    blocks = [2, 2, 3, 3, 3]
    layers = []
    for n in blocks:
        layers += [conv(3, p=1)] * n + [pool(2)]
    rf = pk.receptive_field(layers)
    assert (rf.size, rf.jump) == (212, 32)
    assert rf.start == pytest.approx(15.5)


def test_alexnet_v2_matches_published_value():
    # Araujo et al. 2019 list AlexNet (v2) with a receptive field of 195 and effective stride 32:
    # conv 11/4, pool 3/2, conv 5, pool 3/2, conv 3, conv 3, conv 3, pool 3/2.
    layers = [conv(11, s=4), pool(3, s=2), conv(5, p=2), pool(3, s=2),
              conv(3, p=1), conv(3, p=1), conv(3, p=1), pool(3, s=2)]
    rf = pk.receptive_field(layers)
    assert (rf.size, rf.jump) == (195, 32)
    # by hand: 11, 19, 51, 67, 99, 131, 163, 195
    assert [r.size for r in rf] == [11, 19, 51, 67, 99, 131, 163, 195]


def test_dilation_grows_the_field_without_stride():
    # Yu & Koltun: dilations 1, 2, 4 of 3x3 convolutions -> 3, 7, 15 (exponential growth)
    rf = pk.receptive_field([conv(3, d=1), conv(3, d=2), conv(3, d=4)])
    assert [r.size for r in rf] == [3, 7, 15]
    assert [r.jump for r in rf] == [1, 1, 1]


def test_padding_moves_the_start_by_hand():
    # pool 3, stride 2, padding 1: output 0 reads -1..1 -> centre 0 ; without padding 0..2 -> centre 1
    assert pk.receptive_field([pool(3, s=2, p=1)]).start == 0.0
    assert pk.receptive_field([pool(3, s=2)]).start == 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 3)),
                min_size=1, max_size=5))
def test_receptive_field_matches_brute_force(spec):
    layers = [dict(kernel_size=k, stride=s, padding=p, dilation=d) for k, s, p, d in spec]
    rf = pk.receptive_field(layers)
    assert len(rf) == len(layers)
    for depth in range(1, len(layers) + 1):
        sub = layers[:depth]
        first, second = _brute_force(sub, 0), _brute_force(sub, 1)
        row = rf[depth - 1]
        assert row.size == max(first) - min(first) + 1
        assert row.start == pytest.approx((max(first) + min(first)) / 2)
        assert row.jump == min(second) - min(first)


def test_accepts_poolkit_layer_objects():
    rf = pk.receptive_field([pk.MaxPool2d(2), pk.MaxPool2d(3, stride=2, padding=1)])
    # pool2/2: size 2, jump 2 ; then 3/2: 2 + 2*2 = 6, jump 4
    assert [(r.size, r.jump) for r in rf] == [(2, 2), (6, 4)]


def test_rows_carry_names_and_arguments():
    rf = pk.receptive_field([conv(3, p=1, name="conv1"), pool(2, name="pool1")])
    assert [r.name for r in rf] == ["conv1", "pool1"]
    assert (rf[1].kernel_size, rf[1].stride, rf[1].padding) == (2, 2, 0)
    assert "pool1" in repr(rf)


@pytest.mark.parametrize("layers, exc", [
    ([], ValueError),
    ([dict(kernel_size=0)], ValueError),
    ([dict(kernel_size=3, stride=0)], ValueError),
    ([dict(kernel_size=2.5)], TypeError),
    ([dict(stride=2)], ValueError),
    ([dict(kernel_size=3, strides=2)], ValueError),   # misspelt key is not silently ignored
    ("conv", TypeError),
    ([42], TypeError),
])
def test_bad_stacks_are_refused(layers, exc):
    with pytest.raises(exc):
        pk.receptive_field(layers)


def test_does_not_modify_the_layer_list():
    layers = [conv(3, p=1), pool(2)]
    copy = [dict(layer) for layer in layers]
    pk.receptive_field(layers)
    assert layers == copy


def test_field_of_pool_then_pool_is_not_additive_in_kernel_sizes():
    # A common mistake: 2x2/2 twice is not a 3x3 field (2 + 2 - 1) but 4x4 (the jump doubles).
    assert pk.receptive_field([pool(2), pool(2)]).size == 4
    assert np.isclose(pk.receptive_field([pool(2), pool(2)]).start, 1.5)


def _html_cells(markup):
    """(tag, style, text) of every th/td in ``markup``, in order, by a plain HTML parser."""
    from html.parser import HTMLParser

    cells = []

    class Cells(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("th", "td"):
                cells.append([tag, dict(attrs).get("style", ""), ""])

        def handle_data(self, data):
            if cells:
                cells[-1][2] += data

    Cells(convert_charrefs=True).feed(markup)
    return [tuple(c) for c in cells]


def test_html_table_has_padded_aligned_cells_and_the_same_values_as_the_text():
    rf = pk.receptive_field([conv(3, p=1, name="conv1"), pool(2, name="pool<1>")])
    cells = _html_cells(rf._repr_html_())
    # Worked by hand: conv 3/1 pad 1 -> size 3, jump 1, start 0 + (1 - 1) * 1 = 0;
    # pool 2/2 -> size 3 + 1 * 1 = 4, jump 2, start 0 + (0.5 - 0) * 1 = 0.5.
    expected = [["layer", "k", "s", "p", "d", "size", "jump", "start"],
                ["input", "", "", "", "", "1", "1", "0"],
                ["conv1", "3", "1", "1", "1", "3", "1", "0"],
                ["pool<1>", "2", "2", "0", "1", "4", "2", "0.5"]]
    assert [c[2] for c in cells] == [v for row in expected for v in row]
    assert [c[0] for c in cells] == ["th"] * 8 + ["td"] * 24
    for n, (_, style, _) in enumerate(cells):
        assert "padding:" in style, style
        assert f"text-align: {'left' if n % 8 == 0 else 'right'}" in style, (n, style)
    # The text form is unchanged: a plain, space-aligned table.
    assert repr(rf).splitlines() == [
        "layer    k  s  p  d  size  jump  start",
        "input                   1     1      0",
        "conv1    3  1  1  1     3     1      0",
        "pool<1>  2  2  0  1     4     2    0.5",
    ]


# ---------------------------------------------------------------- the dependency cone (finite input)

CONE_STACK = [dict(name="conv1", kernel_size=3, padding=1), dict(name="pool1", kernel_size=2, stride=2),
              dict(name="conv2", kernel_size=3, padding=1)]


def test_receptive_cone_by_hand():
    from poolkit.receptive import receptive_cone

    lengths, cone = receptive_cone(CONE_STACK, 16)
    # Lengths: 16 -> conv keeps 16 -> pool halves to 8 -> conv keeps 8; the middle unit is 4.
    assert lengths == [16, 16, 8, 8]
    # Back from conv2 unit 4: pool1 3..5 -> conv1 6..11 -> input 5..12 (8 cells = the field size).
    assert [sorted(c) for c in cone] == [list(range(5, 13)), list(range(6, 12)), [3, 4, 5], [4]]
    _, cone = receptive_cone(CONE_STACK, 16, unit=0)
    assert sorted(cone[0]) == [0, 1, 2, 3, 4]  # the border cuts the field: padding is not a cell


def test_receptive_cone_far_from_the_border_spans_the_field():
    # Property: away from the border the cone's input cells are exactly the field's size,
    # contiguous, centred on the unit's start + unit * jump.
    from poolkit.receptive import receptive_cone

    rf = pk.receptive_field(CONE_STACK)
    lengths, cone = receptive_cone(CONE_STACK, 64, unit=16)
    cells = sorted(cone[0])
    assert len(cells) == rf.size and cells == list(range(cells[0], cells[0] + rf.size))
    assert (cells[0] + cells[-1]) / 2 == rf[-1].start + 16 * rf.jump


def test_receptive_cone_errors_name_the_argument():
    from poolkit.receptive import receptive_cone

    with pytest.raises(ValueError, match=r"size=1 is too small for this stack: layer 1 \(kernel_size=2\)"):
        receptive_cone(CONE_STACK, 1)
    with pytest.raises(ValueError, match=r"unit=8 must be in \[0, 8\)"):
        receptive_cone(CONE_STACK, 16, unit=8)
    with pytest.raises(ValueError, match="size=0 must be at least 1"):
        receptive_cone(CONE_STACK, 0)
