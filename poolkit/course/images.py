"""Photos side by side: what pooling a real image does to its detail.

:func:`show_images` shows images at the same display size, pixels as squares, so a pooled
photo's blocks make the loss of detail visible. It is also ``pk.plot.show_images``.
"""

from __future__ import annotations

from typing import Sequence

from .deps import requires

with requires("poolkit.course.images"):
    import numpy as np
    from matplotlib.figure import Figure

    from .grid import finish, new_figure

__all__ = ["show_images"]


def _as_image(img, name: str) -> tuple[np.ndarray, bool]:
    arr = np.asarray(img)
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a numeric image, got dtype {arr.dtype}")
    while arr.ndim > 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim == 3 and arr.shape[0] in (3, 4) and arr.shape[-1] not in (3, 4):
        arr = np.moveaxis(arr, 0, -1)  # CHW -> HWC for imshow
    if arr.ndim == 3 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim == 2:
        return arr.astype(np.float64), True
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        return np.clip(arr.astype(np.float64), 0.0, 1.0), False
    raise ValueError(f"{name} must be (H, W), (3, H, W) or (H, W, 3), got shape {np.shape(img)}")


def show_images(images: Sequence, titles: Sequence[str] | None = None, *, cmap: str = "gray",
                suptitle: str | None = None, height: float = 2.6, show_size: bool = True) -> Figure:
    """Show images side by side at the same display size, pixels as squares.

    A pooled photo has fewer pixels; shown at the same size, its blocks make
    the loss of detail visible. Gray images in ``[0, 1]`` use a fixed
    0..1 scale so brightness compares across panels.

    Parameters
    ----------
    images : sequence of arrays
        Each ``(H, W)``, ``(3, H, W)`` (CHW, as poolkit uses) or ``(H, W, 3)``.
    titles : sequence of str, optional
        One per image.
    cmap : str, optional
        Colour map for gray images.
    suptitle : str, optional
        Figure title.
    height : float, optional
        Height of each panel in inches.
    show_size : bool, optional
        Add each image's pixel size to its title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = show_images([np.zeros((8, 8)), np.ones((4, 4))], ["before", "after"])
    >>> [ax.get_title() for ax in fig.axes]
    ['before\\n8\u00d78 pixels', 'after\\n4\u00d74 pixels']
    """
    if isinstance(images, np.ndarray) and images.ndim in (2, 3) and not (images.ndim == 3 and images.shape[0] > 4):
        images = [images]
    if not isinstance(images, (list, tuple)) or not images:
        raise ValueError("images must be a non-empty list of arrays")
    if titles is not None:
        if isinstance(titles, str) or len(titles) != len(images):
            raise ValueError(f"titles must be a list of {len(images)} strings, got {titles!r}")
    prepared = [_as_image(im, f"images[{i}]") for i, im in enumerate(images)]
    ratios = [im.shape[1] / im.shape[0] for im, _ in prepared]
    fig, grid = new_figure(sum(height * r for r in ratios) + 0.4 * len(images), height + 0.8,
                            ncols=len(images), gridspec_kw={"width_ratios": ratios})
    for n, ((im, gray), ax) in enumerate(zip(prepared, grid[0])):
        if gray:
            in_unit = float(np.nanmin(im)) >= 0.0 and float(np.nanmax(im)) <= 1.0
            ax.imshow(im, cmap=cmap, vmin=0.0 if in_unit else None, vmax=1.0 if in_unit else None,
                      interpolation="nearest")
        else:
            ax.imshow(im, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        label = titles[n] if titles is not None else ""
        if show_size:
            size = f"{im.shape[0]}\u00d7{im.shape[1]} pixels"
            label = f"{label}\n{size}" if label else size
        ax.set_title(label, fontsize=10)
    if suptitle:
        fig.suptitle(suptitle, fontsize=11)
    return finish(fig, True)
