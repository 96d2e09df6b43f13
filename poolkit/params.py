"""Argument normalisation and validation, with messages that teach.

Every public function in poolkit sends its arguments through this module
first. A bad argument raises ``TypeError`` (wrong kind of value: a float or a
``bool`` where an integer is meant, a string, a complex array) or
``ValueError`` (right kind, wrong value: a zero stride, too much padding, a
kernel larger than the padded input). Each message names the parameter, the
value it received and the rule it broke, so that the error itself explains
the arithmetic.

The geometry rules are PyTorch's (checked against ``torch`` 2.13):

* ``kernel_size >= 1``, ``stride >= 1`` (``None`` means "equal to the
  kernel"), ``dilation >= 1``, ``padding >= 0``;
* ``padding <= kernel_size // 2`` on each axis. PyTorch's max pooling applies
  this limit to the *undilated* kernel size, so dilation does not raise it;
* the output size, ``floor((in + 2p - d(k-1) - 1) / s) + 1`` (ceil instead of
  floor in ceil mode, then one window less if the last one would start in
  the right padding), must be at least 1.
"""

import math
import numbers
from typing import NamedTuple

import numpy as np

from .geometry import output_length  # re-exported: the one-axis rule lives in geometry

__all__ = [
    "MAX_OUTPUT_CELLS",
    "check_output_cells",
    "check_bool",
    "check_int",
    "check_norm_type",
    "check_divisor_override",
    "check_mode",
    "check_indices",
    "to_tuple",
    "as_input",
    "as_float",
    "accumulator_dtype",
    "as_grad",
    "output_length",
    "Geometry",
    "geometry_2d",
    "to_planes",
    "check_kernel_args",
    "pool_geometry",
    "unbatch",
    "as_numeric_array",
    "LAYOUTS",
]


#: The largest output, in cells, that poolkit allocates when its size is asked for directly.
#: Adaptive pooling (its ``output_size``), spatial pyramid pooling (its ``levels``), max
#: unpooling (its output size, from ``output_size`` or ``kernel_size``, ``stride`` and
#: ``padding``) and :func:`poolkit.adaptive_bins` refuse, before allocating anything, an output
#: of more cells than this, 2**30 (8 GiB of float64): such a size is a typo, not a request.
#: Windowed pooling needs no such bound, since its output is never much larger than its input.
MAX_OUTPUT_CELLS = 2 ** 30


def check_output_cells(shape, message):
    """Raise ``ValueError(message + ...)`` if an output of ``shape`` has more than ``MAX_OUTPUT_CELLS`` cells.

    ``message`` names the parameter and its value; the sentence is completed
    with the shape, its number of cells and the limit.

    Examples
    --------
    >>> check_output_cells((2, 3, 4, 4), "output_size=4")
    >>> check_output_cells((1, 1, 10**6, 10**6), "output_size=1000000")
    Traceback (most recent call last):
    ...
    ValueError: output_size=1000000 asks for an output of shape (1, 1, 1000000, 1000000) = 1000000000000 cells, more than poolkit allocates: MAX_OUTPUT_CELLS = 2**30 = 1073741824
    """
    cells = 1
    for n in shape:
        cells *= int(n)
    if cells > MAX_OUTPUT_CELLS:
        raise ValueError(f"{message} asks for an output of shape {tuple(shape)} = {cells} cells, "
                         f"more than poolkit allocates: MAX_OUTPUT_CELLS = 2**30 = {MAX_OUTPUT_CELLS}")


# ---------------------------------------------------------------------------
# scalars
# ---------------------------------------------------------------------------

def check_bool(value, name):
    """Return ``value`` as a Python ``bool``; anything but ``True``/``False`` is a TypeError.

    Examples
    --------
    >>> check_bool(True, "ceil_mode")
    True
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name}={value!r} must be True or False, not {type(value).__name__}")


def check_int(value, name):
    """Return ``value`` as a Python ``int``.

    ``bool`` is rejected although Python treats it as an integer (``True``
    would silently mean 1), and so are floats, even integral ones such as
    ``2.0``: sizes count cells.

    Examples
    --------
    >>> check_int(3, "stride")
    3
    >>> check_int(2.0, "stride")
    Traceback (most recent call last):
    ...
    TypeError: stride=2.0 must be an integer (it counts cells), not a float; write 2
    """
    if type(value) is int:           # the common case, without the slow abstract-class checks
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}={value!r} must be an integer, not a bool")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        hint = f"; write {int(value)}" if math.isfinite(value) and float(value).is_integer() else ""
        raise TypeError(f"{name}={value!r} must be an integer (it counts cells), not a float{hint}")
    raise TypeError(f"{name}={value!r} must be an integer, not {type(value).__name__}")


def to_tuple(value, name, n):
    """Normalise an ``int`` or a length-``n`` tuple/list of ints to a tuple of ``n`` Python ints.

    Examples
    --------
    >>> to_tuple(2, "kernel_size", 2)
    (2, 2)
    >>> to_tuple([3, 1], "stride", 2)
    (3, 1)
    """
    if type(value) is int:           # the common case (bool is not int's type)
        return (value,) * n
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(
                f"{name}={value!r} must be an int or a tuple of {n} int{'s' if n > 1 else ''} "
                f"(one per spatial axis), got {len(value)} entr{'y' if len(value) == 1 else 'ies'}")
        out = []
        for i, v in enumerate(value):
            try:
                out.append(check_int(v, name))
            except TypeError:
                raise TypeError(f"{name}={value!r}: entry {i} ({v!r}) must be an integer, "
                                f"not {type(v).__name__}") from None
        return tuple(out)
    return (check_int(value, name),) * n


def check_norm_type(norm_type):
    """Validate the ``p`` of Lp pooling: a real number > 0 (``float('inf')`` allowed).

    Examples
    --------
    >>> check_norm_type(2)
    2.0
    """
    name = "norm_type"
    if isinstance(norm_type, (bool, np.bool_)):
        raise TypeError(f"{name}={norm_type!r} must be a positive number, not a bool")
    if not isinstance(norm_type, numbers.Real):
        raise TypeError(f"{name}={norm_type!r} must be a positive real number, "
                        f"not {type(norm_type).__name__}")
    p = float(norm_type)
    if math.isnan(p) or p <= 0:
        raise ValueError(f"{name}={norm_type!r} must be > 0: (sum |x|^p)^(1/p) needs a positive p "
                         f"(p=1 is sum pooling, p=inf is max of |x|)")
    return p


def check_divisor_override(divisor_override):
    """Validate ``divisor_override``: ``None`` or a positive integer.

    PyTorch rejects 0 and accepts negative divisors; poolkit rejects every
    divisor below 1, since a negative "average" is never what is meant.

    Examples
    --------
    >>> check_divisor_override(4), check_divisor_override(None)
    (4, None)
    """
    if divisor_override is None:
        return None
    d = check_int(divisor_override, "divisor_override")
    _check_int64((d,), divisor_override, "divisor_override")
    if d < 1:
        raise ValueError(f"divisor_override={divisor_override!r} must be a positive integer "
                         f"(or None to divide by the window size); dividing by {d} is undefined"
                         if d == 0 else
                         f"divisor_override={divisor_override!r} must be a positive integer "
                         f"(or None to divide by the window size)")
    return d


def check_mode(mode, name="mode", allowed=("max", "avg")):
    """Validate a reduction name such as ``"max"`` or ``"avg"``.

    Examples
    --------
    >>> check_mode("avg")
    'avg'
    """
    if not isinstance(mode, str):
        raise TypeError(f"{name}={mode!r} must be a string, one of {', '.join(map(repr, allowed))}")
    if mode not in allowed:
        raise ValueError(f"{name}={mode!r} is not a known mode; use one of {', '.join(map(repr, allowed))}")
    return mode


# ---------------------------------------------------------------------------
# arrays
# ---------------------------------------------------------------------------

def as_numeric_array(x, name):
    """``np.asarray`` with clear errors for ragged lists and non-numeric or complex dtypes."""
    if not isinstance(x, np.ndarray):
        try:
            x = np.asarray(x)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{name} could not be read as a rectangular array of numbers "
                             f"(ragged nested lists?): {err}") from None
    kind = x.dtype.kind
    if kind == "b":
        raise TypeError(f"{name} has dtype bool; pooling needs numbers: convert with "
                        f"{name}.astype(float) (or int)")
    if kind == "c":
        raise TypeError(f"{name} has complex dtype {x.dtype}; complex numbers have no order, "
                        f"so their max (and poolkit's pooling) is undefined")
    if kind not in "iuf":
        raise TypeError(f"{name} has dtype {x.dtype}, which is not a real number type; "
                        f"pass an array of ints or floats")
    return x


# The accepted input layouts, as named in error messages (1-D and 2-D pooling).
LAYOUTS = {1: "(C, L) or (N, C, L)", 2: "(C, H, W) or (N, C, H, W)"}


def as_input(x, name="x", ndims=(3, 4), layout=LAYOUTS[2]):
    """Return ``x`` as a numeric ndarray with an allowed number of dimensions and no empty axis.

    Lists are accepted; arrays are not copied.

    Examples
    --------
    >>> as_input([[[1, 2], [3, 4]]]).shape
    (1, 2, 2)
    """
    x = as_numeric_array(x, name)
    if x.ndim not in ndims:
        allowed = " or ".join(str(d) for d in ndims)
        raise ValueError(f"{name} must have {allowed} dimensions, {layout}; "
                         f"got shape {x.shape} with {x.ndim}")
    if x.size == 0:
        raise ValueError(f"{name} has shape {x.shape} with a zero-length axis; "
                         f"pooling needs at least one cell in every axis")
    return x


def as_float(x):
    """Integer arrays become float64; floating arrays keep their dtype (no copy).

    Examples
    --------
    >>> as_float(np.array([1, 2])).dtype, as_float(np.ones(2, np.float32)).dtype
    (dtype('float64'), dtype('float32'))
    """
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def accumulator_dtype(dtype):
    """The floating type in which average-type pooling sums (and divides) an input of ``dtype``.

    At least float32, in the machine's byte order: float16 (either byte order)
    sums in float32, as PyTorch does on the CPU, so that a long window of
    float16 values does not lose its precision; float32 and float64 sum in
    themselves; integers in float64. Results are then returned in the
    input's own dtype.

    Examples
    --------
    >>> accumulator_dtype(np.dtype(">f2")), accumulator_dtype(np.dtype(">f8"))
    (dtype('float32'), dtype('float64'))
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        return np.dtype(np.float64)
    if dtype.itemsize < 4:
        return np.dtype(np.float32)
    return dtype.newbyteorder("=")


def as_grad(grad_out, expected_shape, name="grad_out", what="the forward output"):
    """Validate an upstream gradient: numeric, real, exactly ``expected_shape``; ints become float64.

    Examples
    --------
    >>> as_grad([[1, 2]], (1, 2)).dtype
    dtype('float64')
    """
    g = as_numeric_array(grad_out, name)
    if tuple(g.shape) != tuple(expected_shape):
        raise ValueError(f"{name} has shape {tuple(g.shape)} but {what} has shape "
                         f"{tuple(expected_shape)}; {name} must have exactly that shape")
    return as_float(g)


def unbatch(arr, batched):
    """Drop the leading batch axis that was added to a batch-less input.

    Parameters
    ----------
    arr : ndarray
        A result computed with a batch axis first.
    batched : bool
        Whether the caller's input had that axis.

    Returns
    -------
    ndarray
        ``arr`` if ``batched``, else ``arr[0]``.

    Examples
    --------
    >>> unbatch(np.zeros((1, 2, 3)), False).shape
    (2, 3)
    """
    return arr if batched else arr[0]


# ---------------------------------------------------------------------------
# geometry
# ---------------------------------------------------------------------------

class Geometry(NamedTuple):
    """Validated pooling geometry: per-axis tuples and the output size."""

    kernel: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    out: tuple


def geometry_2d(geom):
    """A 1-D or 2-D :class:`Geometry` as a 2-D one (a 1-D one gets a trivial first axis).

    Examples
    --------
    >>> geometry_2d(Geometry((3,), (2,), (1,), (1,), (4,)))
    Geometry(kernel=(1, 3), stride=(1, 2), padding=(0, 1), dilation=(1, 1), out=(1, 4))
    """
    if len(geom.kernel) == 2:
        return geom
    return Geometry((1,) + geom.kernel, (1,) + geom.stride, (0,) + geom.padding,
                    (1,) + geom.dilation, (1,) + geom.out)


def to_planes(x, nd=2):
    """View ``x`` as planes ``(P, H, W)``; with ``nd=1`` a signal becomes planes of height 1.

    ``nd`` is the number of spatial axes at the end of ``x``; all leading axes
    (batch, channels) are folded into ``P``.

    Examples
    --------
    >>> to_planes(np.zeros((2, 3, 4, 5))).shape
    (6, 4, 5)
    >>> to_planes(np.zeros((2, 3, 7)), nd=1).shape
    (6, 1, 7)
    """
    if nd == 2:
        return x.reshape(-1, x.shape[-2], x.shape[-1])
    return x.reshape(-1, 1, x.shape[-1])


_INT64_MAX = 2 ** 63 - 1


def _check_int64(values, value, name):
    """Sizes are int64, as in PyTorch: a larger one (``stride=10**20``) is refused by name."""
    if max(values) > _INT64_MAX:
        raise ValueError(f"{name}={value!r} must be at most 2**63 - 1 = {_INT64_MAX} on every axis "
                         f"(sizes are 64-bit integers, as in PyTorch)")


def check_kernel_args(kernel_size, stride, padding, dilation, n, *, pad_limit=True):
    """Normalise and check kernel_size, stride, padding, dilation (everything that does not need the input size).

    Returns ``(kernel, stride, padding, dilation)`` as tuples of ``n`` ints.

    Examples
    --------
    >>> check_kernel_args(3, None, 1, 1, 2)
    ((3, 3), (3, 3), (1, 1), (1, 1))
    """
    k = to_tuple(kernel_size, "kernel_size", n)
    _check_int64(k, kernel_size, "kernel_size")
    if min(k) < 1:
        raise ValueError(f"kernel_size={kernel_size!r} must be at least 1 on every axis "
                         f"(a window needs at least one cell)")
    if stride is None:
        s = k
    else:
        s = to_tuple(stride, "stride", n)
        if min(s) < 1:
            raise ValueError(f"stride={stride!r} must be at least 1 on every axis "
                             f"(the window has to move; use None for stride = kernel_size)")
    _check_int64(s, stride, "stride")
    p = to_tuple(padding, "padding", n)
    _check_int64(p, padding, "padding")
    if min(p) < 0:
        raise ValueError(f"padding={padding!r} must be non-negative on every axis")
    d = to_tuple(dilation, "dilation", n)
    _check_int64(d, dilation, "dilation")
    if min(d) < 1:
        raise ValueError(f"dilation={dilation!r} must be at least 1 on every axis "
                         f"(1 means no gaps between window cells)")
    if pad_limit:
        limit = tuple(ki // 2 for ki in k)
        if any(pi > li for pi, li in zip(p, limit)):
            per_axis = isinstance(padding, (tuple, list)) or isinstance(kernel_size, (tuple, list))
            lim = limit if per_axis else limit[0]
            note = " (PyTorch's rule: dilation does not raise the limit)" if max(d) > 1 else ""
            raise ValueError(f"padding={padding!r} must be at most half the kernel size: "
                             f"kernel_size // 2 = {lim}{note}")
    return k, s, p, d


def pool_geometry(in_size, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                  *, pad_limit=True):
    """Validate pooling arguments against a spatial input size and compute the output size.

    Parameters
    ----------
    in_size : tuple of int
        Spatial input size, ``(H, W)`` or ``(L,)``.
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`poolkit.max_pool2d`.
    pad_limit : bool
        Enforce ``padding <= kernel_size // 2``.

    Returns
    -------
    Geometry
        ``kernel, stride, padding, dilation, out``, each a tuple with one int per axis.

    Examples
    --------
    >>> pool_geometry((5, 5), 2, padding=1, ceil_mode=True).out
    (3, 3)
    """
    n = len(in_size)
    k, s, p, d = check_kernel_args(kernel_size, stride, padding, dilation, n, pad_limit=pad_limit)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    out = []
    for axis in range(n):
        o = output_length(in_size[axis], k[axis], s[axis], p[axis], d[axis], ceil_mode)
        if o < 1:
            keff = d[axis] * (k[axis] - 1) + 1
            padded = in_size[axis] + 2 * p[axis]
            where = f" on axis {axis}" if n > 1 else ""
            raise ValueError(
                f"kernel_size={kernel_size!r} is too large for the input{where}: the effective kernel "
                f"size dilation*(kernel_size-1)+1 = {keff} is larger than the padded input size "
                f"in + 2*padding = {in_size[axis]} + 2*{p[axis]} = {padded}, so the output size "
                f"would be {o} (it must be at least 1)")
        out.append(o)
    return Geometry(k, s, p, d, tuple(out))


def check_indices(indices, out_shape, plane_size, dead=None, name="indices",
                  shape_of="the pooled output", plane="the input plane of"):
    """Validate max-pooling indices: integer, shaped like the output, inside the plane.

    Used by max, adaptive max and global max pooling and by unpooling.

    Parameters
    ----------
    indices : array_like of int
        Flat positions ``ih*W + iw``.
    out_shape : tuple of int
        The shape ``indices`` must have.
    plane_size : int
        Cells per plane: every index must lie in ``[0, plane_size)``.
    dead : ndarray of bool, optional
        Mask shaped like the output of the windows made only of padding, for which
        PyTorch may record an index outside the plane; those are not errors.
    name, shape_of, plane : str
        How the messages name the indices, the array they must match and the plane.

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> check_indices([[1, 3]], (1, 2), 4).dtype
    dtype('int64')
    """
    if not isinstance(indices, np.ndarray):
        try:
            indices = np.asarray(indices)
        except (ValueError, TypeError) as err:
            raise ValueError(f"{name} could not be read as an array: {err}") from None
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{name} has dtype {indices.dtype}; it must be an integer array "
                        f"(the flat positions returned with return_indices=True)")
    if tuple(indices.shape) != tuple(out_shape):
        raise ValueError(f"{name} has shape {tuple(indices.shape)} but {shape_of} has shape "
                         f"{tuple(out_shape)}; pass the indices returned by the same forward call")
    # one pass in the usual case: as unsigned words, negative indices become huge
    words = indices.view(indices.dtype.str.replace("i", "u")) if indices.dtype.kind == "i" else indices
    if words.size and int(words.max()) >= plane_size:
        bad = (indices < 0) | (indices >= plane_size)
        if dead is not None:
            bad = bad & ~dead        # PyTorch may record an out-of-plane index for an all-padding window
        if bad.any():
            v = indices[bad].flat[0]
            raise ValueError(f"{name} contains {int(v)}, outside {plane} {plane_size} "
                             f"cells; indices are flat positions ih*W + iw in [0, {plane_size})")
    return indices.astype(np.int64, copy=False)
