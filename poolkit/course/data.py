"""The course's inputs: tiny hand-made maps and a real photograph.

Everything here is deterministic and offline. The photograph is the portrait of
Grace Hopper that matplotlib ships as sample data, so no download is needed.
The small maps need numpy only; the photograph needs matplotlib and Pillow
(the ``course`` extra), imported when it is first asked for.
"""

from __future__ import annotations

import numpy as np

from .deps import requires

__all__ = [
    "running_example",
    "signal_1d",
    "shifted_signal_1d",
    "photo",
    "photo_rgb",
]

# The running example, chosen so that 2x2 pooling with stride 2 is easy by hand:
#
#     1  3 | 4  7        max per window:  6  7      mean per window:  3  5
#     6  2 | 7  2                         8  3                        4  2
#     -----+-----
#     0  4 | 1  3
#     8  4 | 2  2
#
# Exactly one 2x2 window has a tie for its maximum: the top-right one holds 7 at
# (0, 3) and at (1, 2). Row-major order within the window reaches (0, 3) first,
# so that is the cell the backward pass credits (PyTorch's rule). Every window
# sum is a multiple of 4, so the means are whole numbers.
_RUNNING_EXAMPLE = (
    (1, 3, 4, 7),
    (6, 2, 7, 2),
    (0, 4, 1, 3),
    (8, 4, 2, 2),
)

# Luma weights of ITU-R BT.601, the usual RGB -> gray conversion.
_LUMA = (0.299, 0.587, 0.114)


def running_example() -> np.ndarray:
    """Return the course's 4x4 running example as a new float64 array.

    The values are small integers chosen so that 2x2 pooling with stride 2
    gives whole numbers: max pooling gives ``[[6, 7], [8, 3]]`` and mean
    pooling ``[[3, 5], [4, 2]]``. One window (the top-right one) has a tie for
    its maximum, 7 at ``(0, 3)`` and ``(1, 2)``, to teach the tie rule.

    Returns
    -------
    numpy.ndarray
        Shape ``(4, 4)``, dtype float64. A fresh copy on every call, so a
        learner may modify it freely.

    Examples
    --------
    >>> x = running_example()
    >>> x.shape, x.dtype
    ((4, 4), dtype('float64'))
    >>> x[:2, 2:]
    array([[4., 7.],
           [7., 2.]])
    """
    return np.array(_RUNNING_EXAMPLE, dtype=np.float64)


def signal_1d() -> np.ndarray:
    """Return the 1-D signal ``(1, 5, 3)`` from the source note, as float64.

    Examples
    --------
    >>> signal_1d()
    array([1., 5., 3.])
    """
    return np.array([1.0, 5.0, 3.0])


def shifted_signal_1d() -> np.ndarray:
    """Return ``(0, 1, 5)``: :func:`signal_1d` shifted right by one step.

    A zero enters on the left and the last value (3) falls off the end.

    Examples
    --------
    >>> shifted_signal_1d()
    array([0., 1., 5.])
    """
    return np.array([0.0, 1.0, 5.0])


def _load_photo_uint8() -> np.ndarray:
    """Read matplotlib's sample portrait as a ``(H, W, 3)`` uint8 array."""
    with requires("poolkit.course.data.photo"):
        from matplotlib import cbook
        from PIL import Image

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8).copy()


def _normalise_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    if isinstance(size, (bool, np.bool_)):
        raise TypeError(f"size must be None, an int or a pair of ints, got {size!r}")
    if isinstance(size, (int, np.integer)):
        size = (int(size), int(size))
    try:
        h, w = size
    except (TypeError, ValueError):
        raise TypeError(
            f"size must be None, an int or a pair of ints, got {size!r}"
        ) from None
    for name, v in (("height", h), ("width", w)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"size must hold ints, got {name} {v!r}")
        if v < 1:
            raise ValueError(f"size must be positive, got {name} {int(v)}")
    return int(h), int(w)


def photo_rgb(size=None) -> np.ndarray:
    """Return the sample photograph in colour, channels first.

    Parameters
    ----------
    size : None, int or (int, int), optional
        ``None`` keeps the original 600x512 (H x W) pixels. An int ``n`` or a
        pair ``(H, W)`` resizes with Pillow's bilinear filter (deterministic).

    Returns
    -------
    numpy.ndarray
        Shape ``(3, H, W)`` (CHW, the layout poolkit expects), float64 in
        ``[0, 1]``.

    Examples
    --------
    >>> img = photo_rgb(size=(60, 50))
    >>> img.shape, bool(img.min() >= 0.0), bool(img.max() <= 1.0)
    ((3, 60, 50), True, True)
    """
    hw = _normalise_size(size)
    rgb = _load_photo_uint8()
    if hw is not None:
        from PIL import Image

        im = Image.fromarray(rgb).resize((hw[1], hw[0]), Image.Resampling.BILINEAR)
        rgb = np.asarray(im, dtype=np.uint8)
    return np.ascontiguousarray(rgb.transpose(2, 0, 1), dtype=np.float64) / 255.0


def photo(gray: bool = True, size=None) -> np.ndarray:
    """Return a real photograph as floats in ``[0, 1]``.

    The portrait of Grace Hopper shipped with matplotlib's sample data, read
    from disk (no network) and identical on every call.

    Parameters
    ----------
    gray : bool, optional
        ``True`` (default) converts to gray with the ITU-R BT.601 luma weights
        ``0.299 R + 0.587 G + 0.114 B`` and returns shape ``(H, W)``.
        ``False`` returns the colour image as ``(3, H, W)``, like
        :func:`photo_rgb`.
    size : None, int or (int, int), optional
        Resize to this many pixels (see :func:`photo_rgb`).

    Returns
    -------
    numpy.ndarray
        float64 in ``[0, 1]``, shape ``(H, W)`` or ``(3, H, W)``.

    Examples
    --------
    >>> img = photo(size=64)
    >>> img.shape, img.dtype
    ((64, 64), dtype('float64'))
    """
    if not isinstance(gray, (bool, np.bool_)):
        raise TypeError(f"gray must be True or False, got {gray!r}")
    rgb = photo_rgb(size)
    if not gray:
        return rgb
    weights = np.asarray(_LUMA).reshape(3, 1, 1)
    return np.clip((rgb * weights).sum(axis=0), 0.0, 1.0)
