"""Every invalid call raises ValueError or TypeError naming the parameter (and the value).

One row per case from issue 2's "Bad input" list, then the calls found by the later review
(outputs larger than ``params.MAX_OUTPUT_CELLS``, shape helpers, ``pool_bytes``'s dtype, the
numerical-gradient helpers). Each row: the expected exception type,
the parameter name the message must contain, a string the message must contain to show
the offending value (or None when the value is an array), and the call.
"""

import re

import numpy as np
import pytest

import poolkit as pk

X = np.arange(2 * 3 * 6 * 6, dtype=np.float64).reshape(2, 3, 6, 6)
X1 = np.arange(2 * 3 * 8, dtype=np.float64).reshape(2, 3, 8)
SMALL = np.ones((1, 1, 2, 2))
POOLED, IDX = pk.max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)  # 2x2 at [5,7,13,15]


def _case(id_, exc, param, shown, call):
    return pytest.param(exc, param, shown, call, id=id_)


CASES = [
    # kernel larger than the (padded) input; output size below 1
    _case("kernel-larger-than-input", ValueError, "kernel_size", "3", lambda: pk.max_pool2d(SMALL, 3)),
    _case("kernel-larger-than-input-avg", ValueError, "kernel_size", "3", lambda: pk.avg_pool2d(SMALL, 3)),
    _case("kernel-larger-1d", ValueError, "kernel_size", "9", lambda: pk.max_pool1d(X1, 9)),
    _case("dilated-kernel-larger", ValueError, "kernel_size|dilation", None,
          lambda: pk.max_pool2d(np.ones((1, 1, 3, 3)), 2, dilation=3)),
    _case("lp-kernel-larger", ValueError, "kernel_size", "7", lambda: pk.lp_pool2d(X, 2, 7)),
    _case("output-size-helper-below-1", ValueError, "kernel_size|size", None, lambda: pk.output_size(2, 3)),
    _case("adaptive-output-size-0", ValueError, "output_size", "0", lambda: pk.adaptive_avg_pool2d(X, 0)),
    _case("adaptive-output-size-0-tuple", ValueError, "output_size", "0",
          lambda: pk.adaptive_max_pool2d(X, (2, 0))),
    _case("adaptive-output-size-negative", ValueError, "output_size", "-1",
          lambda: pk.adaptive_max_pool2d(X, -1)),
    # zero or negative stride or kernel
    _case("kernel-0", ValueError, "kernel_size", "0", lambda: pk.max_pool2d(X, 0)),
    _case("kernel-negative", ValueError, "kernel_size", "-2", lambda: pk.avg_pool2d(X, -2)),
    _case("kernel-0-in-tuple", ValueError, "kernel_size", "0", lambda: pk.max_pool2d(X, (2, 0))),
    _case("stride-0", ValueError, "stride", "0", lambda: pk.max_pool2d(X, 2, stride=0)),
    _case("stride-negative", ValueError, "stride", "-1", lambda: pk.avg_pool2d(X, 2, stride=-1)),
    _case("stride-0-1d", ValueError, "stride", "0", lambda: pk.max_pool1d(X1, 2, stride=0)),
    _case("stride-0-lp", ValueError, "stride", "0", lambda: pk.lp_pool2d(X, 2, 2, stride=0)),
    _case("stride-0-unpool", ValueError, "stride", "0", lambda: pk.max_unpool2d(POOLED, IDX, 2, stride=0)),
    _case("kernel-0-unpool", ValueError, "kernel_size", "0", lambda: pk.max_unpool2d(POOLED, IDX, 0)),
    _case("output-size-helper-stride-0", ValueError, "stride", "0", lambda: pk.output_size(5, 2, stride=0)),
    # padding over the limit (and negative)
    _case("padding-over-limit-max", ValueError, "padding", "2", lambda: pk.max_pool2d(X, 2, padding=2)),
    _case("padding-over-limit-max-k3", ValueError, "padding", "2", lambda: pk.max_pool2d(X, 3, padding=2)),
    _case("padding-over-limit-avg", ValueError, "padding", "2", lambda: pk.avg_pool2d(X, 3, padding=2)),
    _case("padding-over-limit-1d", ValueError, "padding", "3", lambda: pk.max_pool1d(X1, 4, padding=3)),
    _case("padding-over-limit-tuple", ValueError, "padding", "2", lambda: pk.max_pool2d(X, 2, padding=(0, 2))),
    _case("padding-negative", ValueError, "padding", "-1", lambda: pk.max_pool2d(X, 2, padding=-1)),
    _case("padding-over-limit-helper", ValueError, "padding", "2", lambda: pk.output_size(6, 2, padding=2)),
    # dilation < 1
    _case("dilation-0", ValueError, "dilation", "0", lambda: pk.max_pool2d(X, 2, dilation=0)),
    _case("dilation-negative-1d", ValueError, "dilation", "-1", lambda: pk.max_pool1d(X1, 2, dilation=-1)),
    # wrong number of dimensions
    _case("2d-on-2d-array", ValueError, r"\bx\b", "2", lambda: pk.max_pool2d(np.ones((4, 4)), 2)),
    _case("2d-on-5d-array", ValueError, r"\bx\b", "5", lambda: pk.avg_pool2d(np.ones((1, 1, 1, 4, 4)), 2)),
    _case("1d-on-4d-array", ValueError, r"\bx\b", "4", lambda: pk.max_pool1d(X, 2)),
    _case("1d-on-1d-array", ValueError, r"\bx\b", "1", lambda: pk.avg_pool1d(np.ones(8), 2)),
    _case("global-on-2d-array", ValueError, r"\bx\b", "2", lambda: pk.global_avg_pool2d(np.ones((4, 4)))),
    _case("adaptive-on-1d-array", ValueError, r"\bx\b", "1", lambda: pk.adaptive_max_pool2d(np.ones(4), 2)),
    _case("spp-on-2d-array", ValueError, r"\bx\b", "2", lambda: pk.spatial_pyramid_pool2d(np.ones((4, 4)))),
    # tuple of the wrong length
    _case("kernel-3-tuple", ValueError, "kernel_size", None, lambda: pk.max_pool2d(X, (2, 2, 2))),
    _case("stride-1-tuple", ValueError, "stride", None, lambda: pk.avg_pool2d(X, 2, stride=(1,))),
    _case("padding-3-tuple", ValueError, "padding", None, lambda: pk.max_pool2d(X, 2, padding=(0, 0, 0))),
    _case("dilation-3-tuple", ValueError, "dilation", None, lambda: pk.max_pool2d(X, 2, dilation=(1, 1, 1))),
    _case("1d-kernel-2-tuple", ValueError, "kernel_size", None, lambda: pk.max_pool1d(X1, (2, 2))),
    _case("adaptive-output-3-tuple", ValueError, "output_size", None,
          lambda: pk.adaptive_avg_pool2d(X, (2, 2, 2))),
    _case("empty-tuple-kernel", ValueError, "kernel_size", None, lambda: pk.max_pool2d(X, ())),
    # non-integer sizes
    _case("kernel-float", TypeError, "kernel_size", "2.5", lambda: pk.max_pool2d(X, 2.5)),
    _case("kernel-float-integral", TypeError, "kernel_size", "2.0", lambda: pk.max_pool2d(X, 2.0)),
    _case("kernel-str", TypeError, "kernel_size", "'2'", lambda: pk.avg_pool2d(X, "2")),
    _case("kernel-none", TypeError, "kernel_size", "None", lambda: pk.max_pool2d(X, None)),
    _case("stride-float", TypeError, "stride", "1.5", lambda: pk.max_pool2d(X, 2, stride=1.5)),
    _case("padding-float", TypeError, "padding", "0.5", lambda: pk.avg_pool2d(X, 2, padding=0.5)),
    _case("dilation-float-in-tuple", TypeError, "dilation", "1.5",
          lambda: pk.max_pool2d(X, 2, dilation=(1, 1.5))),
    _case("adaptive-output-float", TypeError, "output_size", "2.5", lambda: pk.adaptive_max_pool2d(X, 2.5)),
    _case("spp-level-float", TypeError, "levels", "1.5", lambda: pk.spatial_pyramid_pool2d(X, levels=(1, 1.5))),
    _case("unpool-output-size-float", TypeError, "output_size", "4.5",
          lambda: pk.max_unpool2d(POOLED, IDX, 2, output_size=(4.5, 4))),
    _case("divisor-float", TypeError, "divisor_override", "1.5",
          lambda: pk.avg_pool2d(X, 2, divisor_override=1.5)),
    _case("helper-size-float", TypeError, "size", "5.5", lambda: pk.output_size(5.5, 2)),
    # bool where an int is meant
    _case("kernel-bool", TypeError, "kernel_size", "True", lambda: pk.max_pool2d(X, True)),
    _case("stride-bool", TypeError, "stride", "True", lambda: pk.avg_pool2d(X, 2, stride=True)),
    _case("padding-bool", TypeError, "padding", "False", lambda: pk.max_pool2d(X, 2, padding=False)),
    _case("dilation-bool-in-tuple", TypeError, "dilation", "True",
          lambda: pk.max_pool2d(X, 2, dilation=(1, True))),
    _case("adaptive-output-bool", TypeError, "output_size", "True", lambda: pk.adaptive_avg_pool2d(X, True)),
    _case("divisor-bool", TypeError, "divisor_override", "True",
          lambda: pk.avg_pool2d(X, 2, divisor_override=True)),
    _case("kernel-numpy-bool", TypeError, "kernel_size", "True", lambda: pk.max_pool1d(X1, np.bool_(True))),
    # empty arrays
    _case("empty-height", ValueError, r"\bx\b", None, lambda: pk.max_pool2d(np.ones((1, 1, 0, 4)), 1)),
    _case("empty-width-avg", ValueError, r"\bx\b", None, lambda: pk.avg_pool2d(np.ones((1, 1, 4, 0)), 1)),
    _case("empty-channels", ValueError, r"\bx\b", None, lambda: pk.max_pool2d(np.ones((1, 0, 4, 4)), 2)),
    _case("empty-length-1d", ValueError, r"\bx\b", None, lambda: pk.max_pool1d(np.ones((1, 2, 0)), 1)),
    _case("empty-global", ValueError, r"\bx\b", None, lambda: pk.global_max_pool2d(np.ones((1, 2, 0, 3)))),
    _case("empty-adaptive", ValueError, r"\bx\b", None, lambda: pk.adaptive_max_pool2d(np.ones((2, 0, 3)), 1)),
    # non-numeric dtypes
    _case("str-dtype", TypeError, r"\bx\b", None, lambda: pk.max_pool2d(np.full((1, 1, 2, 2), "a"), 2)),
    _case("object-dtype", TypeError, r"\bx\b", None,
          lambda: pk.avg_pool2d(np.array([[[[1, None], [2, 3]]]], dtype=object), 2)),
    _case("str-dtype-global", TypeError, r"\bx\b", None, lambda: pk.global_avg_pool2d(np.full((1, 2, 2), "a"))),
    _case("str-dtype-1d", TypeError, r"\bx\b", None, lambda: pk.max_pool1d(np.full((1, 4), "a"), 2)),
    # divisor_override
    _case("divisor-0", ValueError, "divisor_override", "0", lambda: pk.avg_pool2d(X, 2, divisor_override=0)),
    _case("divisor-negative", ValueError, "divisor_override", "-3",
          lambda: pk.avg_pool2d(X, 2, divisor_override=-3)),
    _case("divisor-0-1d", ValueError, "divisor_override", "0", lambda: pk.avg_pool1d(X1, 2, divisor_override=0)),
    # norm_type <= 0
    _case("norm-0", ValueError, "norm_type", "0", lambda: pk.lp_pool2d(X, 0, 2)),
    _case("norm-negative", ValueError, "norm_type", "-1", lambda: pk.lp_pool2d(X, -1.5, 2)),
    _case("norm-nan", ValueError, "norm_type", "nan", lambda: pk.lp_pool2d(X, float("nan"), 2)),
    _case("norm-str", TypeError, "norm_type", "'2'", lambda: pk.lp_pool2d(X, "2", 2)),
    _case("norm-bool", TypeError, "norm_type", "True", lambda: pk.lp_pool2d(X, True, 2)),
    # indices that do not fit the output of max_unpool2d
    _case("unpool-index-too-large", ValueError, "indices", "16",
          lambda: pk.max_unpool2d(POOLED, np.array([[[[0, 1], [2, 16]]]]), 2)),
    _case("unpool-index-negative", ValueError, "indices", "-1",
          lambda: pk.max_unpool2d(POOLED, np.array([[[[0, 1], [2, -1]]]]), 2)),
    _case("unpool-index-shape", ValueError, "indices", None,
          lambda: pk.max_unpool2d(POOLED, np.zeros((1, 1, 2, 3), dtype=np.int64), 2)),
    _case("unpool-index-float", TypeError, "indices", None,
          lambda: pk.max_unpool2d(POOLED, IDX.astype(float), 2)),
    # output_size that no input could produce
    _case("unpool-output-size-too-large", ValueError, "output_size", "7",
          lambda: pk.max_unpool2d(POOLED, IDX, 2, output_size=(7, 7))),
    _case("unpool-output-size-too-small", ValueError, "output_size", "1",
          lambda: pk.max_unpool2d(POOLED, IDX, 2, output_size=(1, 1))),
    _case("unpool-output-size-wrong-length", ValueError, "output_size", None,
          lambda: pk.max_unpool2d(POOLED, IDX, 2, output_size=(4, 4, 4))),
    # unknown SPP mode, bad levels
    _case("spp-unknown-mode", ValueError, "mode", "'median'",
          lambda: pk.spatial_pyramid_pool2d(X, mode="median")),
    _case("spp-level-0", ValueError, "levels", "0", lambda: pk.spatial_pyramid_pool2d(X, levels=(1, 0))),
    _case("spp-no-levels", ValueError, "levels", None, lambda: pk.spatial_pyramid_pool2d(X, levels=())),
    _case("spp-level-bool", TypeError, "levels", "True",
          lambda: pk.spatial_pyramid_pool2d(X, levels=(True, 2))),
    # upstream gradients of the wrong shape are refused, never broadcast
    _case("grad-out-shape-max", ValueError, "grad_out", None,
          lambda: pk.max_pool2d_backward(np.ones((2, 3, 3, 2)), X, 2)),
    _case("grad-out-shape-avg", ValueError, "grad_out", None,
          lambda: pk.avg_pool2d_backward(np.ones((2, 3, 1, 1)), X, 2)),
    _case("grad-out-shape-avg1d", ValueError, "grad_out", None,
          lambda: pk.avg_pool1d_backward(np.ones((2, 3, 1)), X1, 2)),
    _case("grad-out-shape-global", ValueError, "grad_out", None,
          lambda: pk.global_avg_pool2d_backward(np.ones((2, 3, 1, 1)), X)),
    _case("grad-out-shape-adaptive", ValueError, "grad_out", None,
          lambda: pk.adaptive_max_pool2d_backward(np.ones((2, 3, 2, 2)), X, 3)),
    _case("grad-out-shape-spp", ValueError, "grad_out", None,
          lambda: pk.spatial_pyramid_pool2d_backward(np.ones((2, 3)), X)),
    _case("grad-out-shape-lp", ValueError, "grad_out", None,
          lambda: pk.lp_pool2d_backward(np.ones((2, 3, 2, 2)), X, 2, 2)),
    _case("grad-out-shape-unpool", ValueError, "grad_out", None,
          lambda: pk.max_unpool2d_backward(np.ones((1, 1, 3, 3)), POOLED, IDX, 2)),
    _case("max-backward-indices-shape", ValueError, "indices", None,
          lambda: pk.max_pool2d_backward(np.ones((2, 3, 3, 3)), X, 2, indices=np.zeros((2, 3, 2, 2), np.int64))),
    # outputs whose size is asked for directly are bounded (params.MAX_OUTPUT_CELLS) before
    # anything is allocated: numpy's "array is too big" and MemoryError before
    _case("adaptive-output-size-huge", ValueError, "output_size", "1000000000",
          lambda: pk.adaptive_avg_pool2d(X, 10 ** 9)),
    _case("adaptive-output-size-huge-pair", ValueError, "output_size", "MAX_OUTPUT_CELLS",
          lambda: pk.adaptive_avg_pool2d(X, (10 ** 6, 10 ** 6))),
    _case("adaptive-max-output-size-huge", ValueError, "output_size", "1000000",
          lambda: pk.adaptive_max_pool2d(X, (10 ** 6, 10 ** 6), return_indices=True)),
    _case("adaptive-backward-output-size-huge", ValueError, "output_size", "1000000",
          lambda: pk.adaptive_avg_pool2d_backward(np.ones((2, 3, 3, 3)), X, (10 ** 6, 10 ** 6))),
    _case("adaptive-layer-output-size-huge", ValueError, "output_size", "100000",
          lambda: pk.AdaptiveMaxPool2d(10 ** 5).forward(X)),
    _case("adaptive-bins-huge", ValueError, "out_size", "MAX_OUTPUT_CELLS",
          lambda: pk.adaptive_bins(5, 10 ** 12)),
    _case("spp-level-huge", ValueError, "levels", "100000", lambda: pk.spatial_pyramid_pool2d(X, (1, 10 ** 5))),
    _case("spp-backward-level-huge", ValueError, "levels", "100000",
          lambda: pk.spatial_pyramid_pool2d_backward(np.ones((2, 3)), X, (10 ** 5,))),
    _case("unpool-stride-huge", ValueError, "stride", "1000000000",
          lambda: pk.max_unpool2d(POOLED, IDX, 2, stride=10 ** 9)),
    _case("unpool-kernel-huge", ValueError, "kernel_size", "1000000000",
          lambda: pk.max_unpool2d(POOLED, IDX, 10 ** 9)),
    _case("unpool-backward-kernel-huge", ValueError, "kernel_size", "1000000000",
          lambda: pk.max_unpool2d_backward(np.ones((1, 1, 4, 4)), POOLED, IDX, 10 ** 9)),
    # sizes beyond int64 (PyTorch's type for them): an OverflowError from numpy before
    _case("stride-beyond-int64", ValueError, "stride", "100000000000000000000",
          lambda: pk.max_pool2d(X, 2, stride=10 ** 20, return_indices=True)),
    _case("stride-beyond-int64-backward", ValueError, "stride", "2**63",
          lambda: pk.max_pool2d_backward(np.ones((2, 3, 1, 1)), X, 2, stride=10 ** 20)),
    _case("stride-beyond-int64-avg-ceil", ValueError, "stride", "2**63",
          lambda: pk.avg_pool2d(X, 2, stride=10 ** 20, padding=1, ceil_mode=True)),
    _case("stride-beyond-int64-layer", ValueError, "stride", "2**63", lambda: pk.MaxPool2d(2, stride=10 ** 20)),
    _case("divisor-beyond-int64", ValueError, "divisor_override", "2**63",
          lambda: pk.avg_pool2d(X, 2, divisor_override=10 ** 400)),
    _case("dilation-beyond-int64", ValueError, "dilation", "2**63",
          lambda: pk.max_pool2d(X, 1, dilation=(1, 2 ** 63))),
    # shape helpers
    _case("max-padding-empty-tuple", ValueError, "kernel_size", "()", lambda: pk.max_padding(())),
    # pool_bytes' dtype: only the types poolkit pools (str gave 0 bytes, None float64)
    _case("pool-bytes-dtype-str", TypeError, "dtype", "str", lambda: pk.pool_bytes((1, 1, 4, 4), 2, dtype=str)),
    _case("pool-bytes-dtype-none", TypeError, "dtype", "None", lambda: pk.pool_bytes((1, 1, 4, 4), 2, dtype=None)),
    _case("pool-bytes-dtype-object", TypeError, "dtype", "object",
          lambda: pk.pool_bytes((1, 1, 4, 4), 2, dtype=object)),
    _case("pool-bytes-dtype-bool", TypeError, "dtype", "bool", lambda: pk.pool_bytes((1, 1, 4, 4), 2, dtype=bool)),
    _case("pool-bytes-dtype-complex", TypeError, "dtype", "complex",
          lambda: pk.pool_bytes((1, 1, 4, 4), 2, dtype=np.complex64)),
    # numerical gradients: never broadcast grad_out, a finite step, real numbers, callables
    _case("numgrad-grad-out-shape", ValueError, "grad_out", "(3, 1)",
          lambda: pk.numerical_gradient(lambda z: z, np.ones((1, 3)), np.ones((3, 1)))),
    _case("numgrad-grad-out-scalar", ValueError, "grad_out", "()",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), 2.0)),
    _case("numgrad-grad-out-none", TypeError, "grad_out", None,
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), None)),
    _case("numgrad-grad-out-complex", TypeError, "grad_out", "complex",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), np.ones(3, complex))),
    _case("numgrad-eps-inf", ValueError, "eps", "inf",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), np.ones(3), eps=float("inf"))),
    _case("numgrad-eps-nan", ValueError, "eps", "nan",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), np.ones(3), eps=float("nan"))),
    _case("numgrad-eps-overflowing", ValueError, "eps", "1e+308",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), np.ones(3), eps=1e308)),
    _case("numgrad-eps-str", TypeError, "eps", "'1e-6'",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3), np.ones(3), eps="1e-6")),
    _case("numgrad-x-none", TypeError, r"\bx\b", None, lambda: pk.numerical_gradient(lambda z: z, None, 1.0)),
    _case("numgrad-x-complex", TypeError, r"\bx\b", "complex",
          lambda: pk.numerical_gradient(lambda z: z, np.ones(3, complex), np.ones(3))),
    _case("numgrad-x-str", TypeError, r"\bx\b", None, lambda: pk.numerical_gradient(lambda z: z, "abc", np.ones(3))),
    _case("numgrad-f-returns-none", TypeError, r"f\(x\)", None,
          lambda: pk.numerical_gradient(lambda z: None, np.ones(3), np.ones(3))),
    _case("numgrad-f-not-callable", TypeError, r"\bf\b", "'abs'",
          lambda: pk.numerical_gradient("abs", np.ones(3), np.ones(3))),
    _case("gradcheck-f-none", TypeError, r"\bf\b", "None",
          lambda: pk.gradcheck(None, lambda g, z: g, np.ones(3))),
    _case("gradcheck-backward-none", TypeError, "f_backward", "None",
          lambda: pk.gradcheck(lambda z: z, None, np.ones(3))),
    _case("gradcheck-eps-inf", ValueError, "eps", "inf",
          lambda: pk.gradcheck(lambda z: z, lambda g, z: g, np.ones(3), eps=float("inf"))),
    _case("gradcheck-seed-str", TypeError, "seed", "'0'",
          lambda: pk.gradcheck(lambda z: z, lambda g, z: g, np.ones(3), seed="0")),
    _case("gradcheck-seed-negative", ValueError, "seed", "-1",
          lambda: pk.gradcheck(lambda z: z, lambda g, z: g, np.ones(3), seed=-1)),
    _case("gradcheck-x-bool", TypeError, r"\bx\b", "bool",
          lambda: pk.gradcheck(lambda z: z, lambda g, z: g, np.ones(3, bool))),
    _case("gradcheck-grad-out-shape", ValueError, "grad_out", "(3, 1)",
          lambda: pk.gradcheck(lambda z: z, lambda g, z: g, np.ones((1, 3)), np.ones((3, 1)))),
    _case("relative-error-str", TypeError, r"\ba\b", None, lambda: pk.relative_error("abc", np.ones(3))),
    _case("relative-error-complex", TypeError, r"\bb\b", "complex",
          lambda: pk.relative_error(np.ones(3), np.ones(3, complex))),
    _case("relative-error-ragged", ValueError, r"\bb\b", None, lambda: pk.relative_error([1, 2], [[1], [1, 2]])),
]


@pytest.mark.parametrize("exc, param, shown, call", CASES)
def test_bad_input_raises_clear_error(exc, param, shown, call):
    with pytest.raises(exc, match=param) as info:
        call()
    message = str(info.value)
    if shown is not None:
        assert shown in message, f"the message should show the value {shown}: {message!r}"
    # a rule, not just a name: the message says something beyond the parameter itself
    assert len(re.sub(param, "", message).strip()) > 10, message


@pytest.mark.parametrize("call", [
    lambda: pk.max_pool2d(X, np.int64(2), stride=np.int32(1), padding=np.int16(1)),
    lambda: pk.avg_pool2d(X, (np.int64(2), 3), divisor_override=np.int8(3)),
    lambda: pk.adaptive_avg_pool2d(X, np.int64(3)),
    lambda: pk.spatial_pyramid_pool2d(X, levels=[np.int64(1), 2]),
    lambda: pk.lp_pool2d(X, np.float32(2.0), 2),
    lambda: pk.lp_pool2d(X, 2, 2),
], ids=["np-ints", "np-ints-tuple", "adaptive-np-int", "levels-list", "norm-np-float", "norm-int"])
def test_numpy_scalars_and_lists_are_accepted(call):
    call()


def test_padding_at_the_limit_is_accepted_and_one_more_is_not():
    # PyTorch 2.13: p <= k // 2, on the undilated kernel: k=2 -> 1, k=3 -> 1, k=4 -> 2.
    pk.max_pool2d(X, 2, padding=1)
    pk.max_pool2d(X, 3, padding=1)
    pk.max_pool2d(X, 3, padding=1, dilation=2)
    pk.avg_pool2d(X, 4, padding=2)
    pk.max_pool1d(X1, 4, padding=2, dilation=2)
    # dilation does not raise the limit (torch: "pad should be at most half of kernel size")
    with pytest.raises(ValueError, match="padding"):
        pk.max_pool2d(X, 3, padding=2, dilation=2)
    with pytest.raises(ValueError, match="padding"):
        pk.max_pool1d(X1, 2, padding=2, dilation=3)


def test_validation_happens_before_any_work_and_leaves_inputs_alone():
    x = X.copy()
    with pytest.raises(ValueError):
        pk.max_pool2d(x, 2, padding=2)
    np.testing.assert_array_equal(x, X)


def test_layers_validate_too():
    with pytest.raises(ValueError, match="kernel_size"):
        pk.MaxPool2d(0).forward(X)
    with pytest.raises(ValueError, match="stride"):
        pk.AvgPool2d(2, stride=0).forward(X)
    with pytest.raises(ValueError, match="norm_type"):
        pk.LPPool2d(0, 2).forward(X)
    with pytest.raises(ValueError, match="mode"):
        pk.SpatialPyramidPool2d(mode="median").forward(X)
    with pytest.raises(ValueError, match="output_size"):
        pk.AdaptiveAvgPool2d(0).forward(X)
