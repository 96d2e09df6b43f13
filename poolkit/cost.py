"""What pooling costs: parameters, arithmetic and memory traffic, next to a convolution's.

Conventions, stated once:

* A *window* is one output value: ``N*C*OH*OW`` windows.
* ``pool_flops(...).convention`` is the common textbook count
  ``N*C*OH*OW*kh*kw`` (one operation per window cell). It is an upper bound.
* ``pool_flops(...).exact`` counts the operations a window really needs if
  every window is treated as full (padded cells included): max pooling needs
  ``kh*kw - 1`` comparisons per window; average pooling ``kh*kw - 1``
  additions and one division, i.e. ``kh*kw`` operations per window.
* ``conv2d_flops`` counts multiply-accumulates (MACs) per output value,
  ``C_in*kh*kw``, and FLOPs as ``2 * MACs`` (a multiply and an add each; with
  a bias the last add is the bias, so the count is exact).
* Memory traffic (``pool_bytes``) is each input element read once and each
  output element written once, the least any implementation must move. Pooling
  does little arithmetic per byte, so in practice it is limited by memory
  traffic, not by arithmetic.
"""

from typing import NamedTuple

import numpy as np

from . import params as _p

__all__ = ["num_parameters", "PoolFlops", "pool_flops", "PoolBytes", "pool_bytes",
           "ConvFlops", "conv2d_flops", "conv2d_params"]


def num_parameters(layer):
    """Number of trainable parameters of a layer: 0 for every pooling layer.

    Parameters
    ----------
    layer : object with a ``parameters()`` method
        A poolkit layer (or anything whose ``parameters()`` returns arrays).

    Returns
    -------
    int

    Examples
    --------
    >>> from poolkit.layers import MaxPool2d
    >>> num_parameters(MaxPool2d(2))
    0
    """
    params = getattr(layer, "parameters", None)
    if not callable(params):
        raise TypeError(f"layer={layer!r} has no parameters() method; pass a layer object "
                        f"such as poolkit.MaxPool2d(2)")
    return int(sum(np.size(p) for p in params()))


def _shape4(input_shape, name="input_shape"):
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (3, 4):
        raise ValueError(f"{name}={input_shape!r} must be a tuple (N, C, H, W) or (C, H, W)")
    dims = tuple(_p.check_int(v, name) for v in input_shape)
    if min(dims) < 1:
        raise ValueError(f"{name}={input_shape!r} must have every dimension at least 1")
    return dims if len(dims) == 4 else (1,) + dims


class PoolFlops(NamedTuple):
    """Operation counts of a pooling layer (see the module docstring for the conventions)."""

    output_shape: tuple
    windows: int
    convention: int
    exact: int


def pool_flops(input_shape, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
               mode="max"):
    """Arithmetic of a pooling layer: the textbook convention and the exact count.

    ``convention = N*C*OH*OW*kh*kw``; ``exact = N*C*OH*OW*(kh*kw - 1)``
    comparisons for ``mode="max"``, ``N*C*OH*OW*kh*kw`` (``kh*kw - 1``
    additions and 1 division per window) for ``mode="avg"``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(N, C, H, W)`` or ``(C, H, W)`` (then ``N = 1``).
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`poolkit.max_pool2d`.
    mode : {"max", "avg"}

    Returns
    -------
    PoolFlops
        ``output_shape`` (in the form of ``input_shape``), ``windows``,
        ``convention`` and ``exact``.

    Examples
    --------
    >>> r = pool_flops((1, 64, 224, 224), 2)
    >>> r.output_shape, r.convention, r.exact
    ((1, 64, 112, 112), 3211264, 2408448)
    """
    mode = _p.check_mode(mode)
    N, C, H, W = _shape4(input_shape)
    if mode == "avg":
        dilation = _p.to_tuple(dilation, "dilation", 2)
        if dilation != (1, 1):
            raise ValueError(f"dilation={dilation!r} must be 1 for mode='avg' "
                             f"(average pooling has no dilation)")
    g = _p.pool_geometry((H, W), kernel_size, stride, padding, dilation, ceil_mode)
    OH, OW = g.out
    k = g.kernel[0] * g.kernel[1]
    windows = N * C * OH * OW
    exact = windows * (k - 1) if mode == "max" else windows * k
    out_shape = (N, C, OH, OW) if len(input_shape) == 4 else (C, OH, OW)
    return PoolFlops(out_shape, windows, windows * k, exact)


class PoolBytes(NamedTuple):
    """Bytes a pooling layer must read and write."""

    read: int
    written: int
    total: int


def pool_bytes(input_shape, kernel_size, *, stride=None, padding=0, dilation=1, ceil_mode=False,
               dtype="float32", return_indices=False):
    """Least memory traffic of a pooling layer: the input read once, the output written once.

    ``read = N*C*H*W*itemsize``, ``written = N*C*OH*OW*itemsize`` (plus 8
    bytes per output for int64 indices if ``return_indices``).

    Parameters
    ----------
    input_shape : tuple of int
        ``(N, C, H, W)`` or ``(C, H, W)``.
    kernel_size, stride, padding, dilation, ceil_mode
        As in :func:`poolkit.max_pool2d`.
    dtype : numpy dtype or str
        Element type of input and output: an integer or floating type, as
        pooling accepts (not ``None``, a string type or ``bool``).
    return_indices : bool
        Count the int64 indices that max pooling also writes.

    Returns
    -------
    PoolBytes
        ``read``, ``written``, ``total``.

    Examples
    --------
    >>> pool_bytes((1, 64, 224, 224), 2)
    PoolBytes(read=12845056, written=3211264, total=16056320)
    """
    N, C, H, W = _shape4(input_shape)
    if dtype is None:                    # np.dtype(None) would silently mean float64
        raise TypeError("dtype=None must be a numpy dtype, the type poolkit pools, such as "
                        "'float32'")
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"dtype={dtype!r} is not a numpy dtype (try 'float32')") from None
    if dt.kind not in "iuf" or dt.itemsize == 0:
        raise TypeError(f"dtype={dtype!r} ({dt}) is not a type poolkit pools: pass an integer or "
                        f"floating dtype such as 'float32'")
    itemsize = dt.itemsize
    return_indices = _p.check_bool(return_indices, "return_indices")
    g = _p.pool_geometry((H, W), kernel_size, stride, padding, dilation, ceil_mode)
    n_out = N * C * g.out[0] * g.out[1]
    read = N * C * H * W * itemsize
    written = n_out * itemsize + (n_out * 8 if return_indices else 0)
    return PoolBytes(read, written, read + written)


class ConvFlops(NamedTuple):
    """Arithmetic of a convolution: multiply-accumulates and FLOPs (= 2 MACs)."""

    output_shape: tuple
    macs: int
    flops: int


def conv2d_flops(input_shape, out_channels, kernel_size, *, stride=1, padding=0, dilation=1):
    """Multiply-accumulates of a 2-D convolution: ``N*C_out*OH*OW * C_in*kh*kw``.

    ``OH = floor((H + 2p - d(kh-1) - 1) / s) + 1`` (same for ``OW``);
    ``flops = 2 * macs``.

    Parameters
    ----------
    input_shape : tuple of int
        ``(N, C_in, H, W)`` or ``(C_in, H, W)``.
    out_channels : int
    kernel_size, stride, padding, dilation : int or (int, int)
        A convolution's padding has no upper limit.

    Returns
    -------
    ConvFlops
        ``output_shape``, ``macs``, ``flops``.

    Examples
    --------
    >>> conv2d_flops((1, 3, 32, 32), 16, 3, padding=1)
    ConvFlops(output_shape=(1, 16, 32, 32), macs=442368, flops=884736)
    """
    N, C, H, W = _shape4(input_shape)
    cout = _p.check_int(out_channels, "out_channels")
    if cout < 1:
        raise ValueError(f"out_channels={out_channels!r} must be at least 1")
    g = _p.pool_geometry((H, W), kernel_size, stride, padding, dilation, False, pad_limit=False)
    OH, OW = g.out
    macs = N * cout * OH * OW * C * g.kernel[0] * g.kernel[1]
    out_shape = (N, cout, OH, OW) if len(input_shape) == 4 else (cout, OH, OW)
    return ConvFlops(out_shape, macs, 2 * macs)


def conv2d_params(in_channels, out_channels, kernel_size, *, bias=True):
    """Trainable parameters of a 2-D convolution: ``C_out*C_in*kh*kw`` weights (+ ``C_out`` biases).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    bias : bool

    Returns
    -------
    int

    Examples
    --------
    >>> 3 * conv2d_params(64, 64, 3, bias=False), conv2d_params(64, 64, 7, bias=False)
    (110592, 200704)
    """
    cin = _p.check_int(in_channels, "in_channels")
    cout = _p.check_int(out_channels, "out_channels")
    if cin < 1 or cout < 1:
        raise ValueError(f"in_channels={in_channels!r} and out_channels={out_channels!r} "
                         f"must be at least 1")
    k = _p.to_tuple(kernel_size, "kernel_size", 2)
    if min(k) < 1:
        raise ValueError(f"kernel_size={kernel_size!r} must be at least 1 on every axis")
    bias = _p.check_bool(bias, "bias")
    return cout * cin * k[0] * k[1] + (cout if bias else 0)
