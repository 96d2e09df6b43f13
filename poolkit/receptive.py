"""Receptive field of a stack of convolution and pooling layers.

Along one axis, with input cells centred at 0, 1, 2, ..., every layer with
kernel ``k``, stride ``s``, padding ``p`` and dilation ``d`` (effective kernel
``k_eff = d(k-1) + 1``) updates three numbers:

* jump ``j``: distance, in input cells, between neighbouring outputs,
  ``j_out = j_in * s``;
* size ``r``: input cells seen by one output, ``r_out = r_in + (k_eff - 1) * j_in``;
* start: centre of the first output's field, in input coordinates,
  ``start_out = start_in + ((k_eff - 1)/2 - p) * j_in``.

The input starts at ``r = 1``, ``j = 1``, ``start = 0``. (Padding moves the
field; for the first outputs part of it may lie in the padding.)
"""

from collections.abc import Mapping
from typing import NamedTuple

from . import params as _p

__all__ = ["RFLayer", "ReceptiveField", "receptive_field", "receptive_cone"]

_KEYS = {"name", "kernel_size", "stride", "padding", "dilation", "ceil_mode"}


class RFLayer(NamedTuple):
    """One row of :func:`receptive_field`: a layer's arguments and the field after it."""

    name: str
    kernel_size: int
    stride: int
    padding: int
    dilation: int
    size: int
    jump: int
    start: float


def _num(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


class ReceptiveField(tuple):
    """The rows of :func:`receptive_field` (a tuple of :class:`RFLayer`), printed as a table.

    ``size``, ``jump`` and ``start`` give the values after the last layer.
    """

    @property
    def size(self):
        """Receptive field size after the last layer."""
        return self[-1].size

    @property
    def jump(self):
        """Jump (cumulative stride) after the last layer."""
        return self[-1].jump

    @property
    def start(self):
        """Centre of the first output's field after the last layer."""
        return self[-1].start

    _HEAD = ("layer", "k", "s", "p", "d", "size", "jump", "start")

    def _cells(self):
        rows = [("input", "", "", "", "", "1", "1", "0")]
        for r in self:
            rows.append((r.name, str(r.kernel_size), str(r.stride), str(r.padding),
                         str(r.dilation), str(r.size), str(r.jump), _num(r.start)))
        return rows

    def __repr__(self):
        rows = [self._HEAD] + self._cells()
        widths = [max(len(row[i]) for row in rows) for i in range(len(self._HEAD))]
        lines = []
        for row in rows:
            first = row[0].ljust(widths[0])
            rest = [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
            lines.append("  ".join([first] + rest).rstrip())
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self):
        # Inline styles only (a notebook or the static site needs no extra CSS): padded cells,
        # the layer name on the left, numbers on the right in digits of equal width.
        def esc(s):
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def cell(tag, text, i, extra=""):
            align = "left" if i == 0 else "right"
            return (f'<{tag} style="padding: 0.25em 0.75em; text-align: {align};{extra}">'
                    f"{esc(text)}</{tag}>")

        rule = " border-bottom: 1px solid;"
        head = "".join(cell("th", h, i, rule) for i, h in enumerate(self._HEAD))
        body = "".join("<tr>" + "".join(cell("td", c, i) for i, c in enumerate(row)) + "</tr>"
                       for row in self._cells())
        return ('<table style="border-collapse: collapse; font-variant-numeric: tabular-nums;">'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _one_axis(value, name, where):
    """A per-layer argument as one int (a tuple is accepted if all its entries agree)."""
    try:
        if isinstance(value, (tuple, list)):
            vals = {_p.check_int(v, name) for v in value}
        else:
            vals = {_p.check_int(value, name)}
    except TypeError as err:
        raise TypeError(f"{where}: {err}") from None
    if len(vals) != 1:
        raise ValueError(f"{where}: {name}={value!r} differs between axes (or is empty); "
                         f"receptive_field works on one axis, so pass that axis's value")
    return vals.pop()


def _read_layer(layer, i):
    where = f"layers[{i}]"
    if isinstance(layer, Mapping):
        unknown = set(layer) - _KEYS
        if unknown:
            raise ValueError(f"{where} has unknown key(s) {sorted(unknown)}; use "
                             f"{sorted(_KEYS - {'ceil_mode'})}")
        if "kernel_size" not in layer:
            raise ValueError(f"{where}={dict(layer)!r} needs a 'kernel_size'")
        get = layer.get
    else:
        if not hasattr(layer, "kernel_size"):
            raise TypeError(f"{where}={layer!r} must be a dict or an object with a kernel_size "
                            f"attribute (and optionally stride, padding, dilation, name)")

        def get(key, default=None):
            return getattr(layer, key, default)
    k = _one_axis(get("kernel_size"), "kernel_size", where)
    stride = get("stride", 1)
    s = k if stride is None else _one_axis(stride, "stride", where)
    p = _one_axis(get("padding", 0), "padding", where)
    d = _one_axis(get("dilation", 1), "dilation", where)
    if k < 1 or s < 1 or d < 1 or p < 0:
        raise ValueError(f"{where}: kernel_size={k}, stride={s} and dilation={d} must be at least 1 "
                         f"and padding={p} non-negative")
    name = get("name", None)
    if name is None:
        name = type(layer).__name__ if not isinstance(layer, Mapping) else f"layer{i + 1}"
    return str(name), k, s, p, d


def receptive_field(layers):
    """Receptive field size, jump and start after each layer of a stack.

    Parameters
    ----------
    layers : sequence of dict or layer objects
        Each gives ``kernel_size`` and optionally ``stride`` (default 1, as a
        convolution; ``None`` means ``kernel_size``, as a pooling layer),
        ``padding`` (0), ``dilation`` (1) and ``name``. poolkit layers (and
        PyTorch's ``Conv2d``/``MaxPool2d``) work as they are.

    Returns
    -------
    ReceptiveField
        A tuple of :class:`RFLayer` rows, one per layer, that prints as a table.

    Examples
    --------
    >>> rf = receptive_field([dict(name="conv1", kernel_size=3, padding=1),
    ...                       dict(name="pool1", kernel_size=2, stride=2),
    ...                       dict(name="conv2", kernel_size=3, padding=1)])
    >>> rf
    layer  k  s  p  d  size  jump  start
    input                 1     1      0
    conv1  3  1  1  1     3     1      0
    pool1  2  2  0  1     4     2    0.5
    conv2  3  1  1  1     8     2    0.5
    >>> rf.size, rf.jump
    (8, 2)
    """
    if isinstance(layers, (Mapping, str)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers={layers!r} must be a sequence of layers (dicts or layer objects)")
    rows = []
    r, j, start = 1, 1, 0.0
    for i, layer in enumerate(layers):
        name, k, s, p, d = _read_layer(layer, i)
        k_eff = d * (k - 1) + 1
        start = start + ((k_eff - 1) / 2 - p) * j
        r = r + (k_eff - 1) * j
        j = j * s
        rows.append(RFLayer(name, k, s, p, d, r, j, float(start)))
    if not rows:
        raise ValueError("layers is empty; give at least one layer")
    return ReceptiveField(rows)


def receptive_cone(layers, size: int, unit: int | None = None):
    """Which cells of each layer one output unit depends on, along one axis.

    The field of :func:`poolkit.receptive_field` counted on a finite input: cells in the
    padding are left out, so near the border a unit sees fewer cells than its
    field's size.

    Parameters
    ----------
    layers : sequence
        As for :func:`poolkit.receptive_field` (dicts or layer objects).
    size : int
        Input length.
    unit : int, optional
        Index of the unit in the last layer (default: the middle one).

    Returns
    -------
    lengths : list of int
        Cells per row: the input, then each layer's output.
    cone : list of set of int
        For each row, the cells the chosen unit depends on (padding excluded).

    Examples
    --------
    >>> lengths, cone = receptive_cone([dict(kernel_size=3, padding=1), dict(kernel_size=2, stride=2)], 8)
    >>> lengths, sorted(cone[0]), sorted(cone[-1])
    ([8, 8, 4], [3, 4, 5, 6], [2])
    """
    rf = receptive_field(layers)  # validates every layer with the library's messages
    size = _p.check_int(size, "size")
    if size < 1:
        raise ValueError(f"size={size} must be at least 1")
    specs = [(r.kernel_size, r.stride, r.padding, r.dilation) for r in rf]
    lengths = [size]
    for i, (k, st, p, d) in enumerate(specs):
        n = _p.output_length(lengths[-1], k, st, p, d, False)
        if n < 1:
            raise ValueError(f"size={size} is too small for this stack: layer {i} "
                             f"(kernel_size={k}) gets {lengths[-1]} cells and has no output")
        lengths.append(n)
    if unit is None:
        unit = lengths[-1] // 2
    unit = _p.check_int(unit, "unit")
    if not 0 <= unit < lengths[-1]:
        raise ValueError(f"unit={unit} must be in [0, {lengths[-1]}) (the last layer has {lengths[-1]} units)")
    cone = [set() for _ in lengths]
    cone[-1] = {unit}
    for li in range(len(specs) - 1, -1, -1):
        k, st, p, d = specs[li]
        below = set()
        for o in cone[li + 1]:
            for t in range(k):
                c = o * st - p + d * t
                if 0 <= c < lengths[li]:
                    below.add(c)
        cone[li] = below
    return lengths, cone
