"""The course's inputs: hand-checked values, the tie, and an offline, deterministic photo."""

from __future__ import annotations

import socket

import numpy as np
import pytest

import poolkit as pk
from poolkit.course import data


def test_running_example_values_and_copy():
    x = data.running_example()
    assert x.dtype == np.float64
    assert x.tolist() == [[1, 3, 4, 7], [6, 2, 7, 2], [0, 4, 1, 3], [8, 4, 2, 2]]
    x[0, 0] = 99
    assert data.running_example()[0, 0] == 1  # every call is a fresh copy


def test_running_example_has_exactly_one_tied_2x2_window():
    x = data.running_example()
    ties = []
    for i in range(0, 4, 2):
        for j in range(0, 4, 2):
            window = x[i:i + 2, j:j + 2]
            if (window == window.max()).sum() > 1:
                ties.append((i // 2, j // 2))
    assert ties == [(0, 1)]  # the top-right window: 7 at (0, 3) and (1, 2)


def test_running_example_pools_to_whole_numbers():
    x = data.running_example()
    # By hand: maxima 6, 7 / 8, 3 and means 12/4, 20/4 / 16/4, 8/4.
    assert pk.max_pool2d(x[None], 2)[0].tolist() == [[6, 7], [8, 3]]
    assert pk.avg_pool2d(x[None], 2)[0].tolist() == [[3, 5], [4, 2]]
    # The tie goes to the first maximum in row-major window order: (0, 3) = flat index 3.
    _, idx = pk.max_pool2d(x[None], 2, return_indices=True)
    assert idx[0, 0, 1] == 3


def test_signals():
    assert data.signal_1d().tolist() == [1.0, 5.0, 3.0]
    assert data.shifted_signal_1d().tolist() == [0.0, 1.0, 5.0]
    # The shift: one step right, a zero enters, the last value falls off.
    assert data.shifted_signal_1d()[1:].tolist() == data.signal_1d()[:-1].tolist()


def test_photo_is_a_real_gray_image_in_unit_range():
    img = data.photo()
    assert img.shape == (600, 512) and img.dtype == np.float64
    assert 0.0 <= img.min() and img.max() <= 1.0
    assert img.std() > 0.1  # a photograph, not a flat field
    assert np.array_equal(img, data.photo())  # deterministic


def test_photo_gray_matches_pillows_own_luma_conversion():
    from matplotlib import cbook
    from PIL import Image

    with Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)) as im:
        luma = np.asarray(im.convert("L"), dtype=np.float64) / 255.0  # ITU-R 601-2, rounded to 8 bits
    assert np.abs(data.photo() - luma).max() <= 1.0 / 255.0 + 1e-12


def test_photo_rgb_is_channels_first_and_consistent_with_gray():
    rgb = data.photo_rgb()
    assert rgb.shape == (3, 600, 512)
    assert np.array_equal(data.photo(gray=False), rgb)
    gray = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    assert np.allclose(data.photo(), gray)


def test_photo_resizing():
    assert data.photo(size=64).shape == (64, 64)
    assert data.photo(size=(60, 50)).shape == (60, 50)
    assert data.photo_rgb(size=(30, 20)).shape == (3, 30, 20)
    small = data.photo(size=(60, 50))
    assert 0.0 <= small.min() and small.max() <= 1.0
    assert np.array_equal(small, data.photo(size=(60, 50)))


def test_photo_needs_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("photo() tried to open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert data.photo(size=16).shape == (16, 16)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"size": 0}, ValueError, "size must be positive, got height 0"),
        ({"size": (10, -1)}, ValueError, "size must be positive, got width -1"),
        ({"size": "big"}, TypeError, "size must be None, an int or a pair of ints, got 'big'"),
        ({"size": (10, 2.5)}, TypeError, "size must hold ints, got width 2.5"),
        ({"size": True}, TypeError, "size must be None, an int or a pair of ints, got True"),
        ({"gray": "yes"}, TypeError, "gray must be True or False, got 'yes'"),
    ],
)
def test_photo_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        data.photo(**kwargs)
