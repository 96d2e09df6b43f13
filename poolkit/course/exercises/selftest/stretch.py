"""The self-test's Q23, Q24 and Q26, drawn on the hard exercises of chapters 2, 3 and 6 (Q22 and Q25,
choices, are in ``questions``): value exercises declared with their catalogues of known mistakes.

Each answer is worked out by hand below; the tests check it against
:func:`poolkit.receptive_field` (with chapter 2's ``VGG_STAGES``), against a
numerical derivative and against :func:`poolkit.max_pool2d` and :func:`poolkit.pool_flops`.
"""

from __future__ import annotations

import math
from typing import Any

from ..authoring import Mistake, ValueExercise
from .answers import as_ints

__all__ = ["Q23_ANSWER", "Q24_ANSWER", "Q26_ANSWER", "VGG_PIXELS", "SOFTMAX_GRAD", "CHAIN_3X3", "STRETCH_CHECKS"]


# Q23. VGG-16's first three stages: conv 3x3 (stride 1, padding 1) twice, max pool 2x2 stride 2,
# twice more, then three convolutions and a third pooling. Along one axis:
#   size  1 -> 3 -> 5 -> 6 (jump 2) -> 10 -> 14 -> 16 (jump 4) -> 24 -> 32 -> 40 -> 44 (jump 8);
#   centre: a padded 3x3 convolution moves it by ((3 - 1) / 2 - 1) * j = 0, a 2x2 pooling by half
#   the jump before it: 1/2 + 1 + 2 = 3.5.
# The first unit sees pixels 3.5 - 43/2 = -18 to 3.5 + 43/2 = 25, both included.
Q23_ANSWER = (-18, 25)


def _ends(answer: Any) -> tuple:
    return as_ints(answer, 2) or (None, None)


def _span(answer: Any):
    first, last = _ends(answer)
    return None if first is None else last - first + 1


def _stub_as_blank(answer: Any) -> Any:
    """``(..., ...)``, the stub, is no answer yet."""
    if isinstance(answer, (tuple, list)) and answer and all(v is Ellipsis for v in answer):
        return None
    return answer


VGG_PIXELS = ValueExercise(
    "vgg_pixels", Q23_ANSWER, prepare=_stub_as_blank,
    mistakes=[
        Mistake("that field starts at pixel 0, as if there were no padding; with padding 1 a 3x3 "
                "convolution does not move the centre, so the first unit's field reaches into the "
                "padding, at negative pixels", when=lambda a: _ends(a) == (0, 43)),
        Mistake("first and last are both included: last = first + size - 1", when=lambda a: _span(a) == 45),
        Mistake("the centre of the field is not at 0: each 2x2 pooling moves it by half the jump "
                "before it, 1/2 + 1 + 2 = 7/2 pixels in all", when=lambda a: _ends(a) in ((-22, 21), (-21, 22))),
        Mistake("that field has 40 pixels, the size before the third pooling, which adds (2 - 1) times "
                "the jump 4", when=lambda a: _span(a) == 40),
        Mistake("the size is 44 pixels, but the field is shifted: follow its centre layer by layer",
                when=lambda a: _span(a) == 44),
    ],
    task="set vgg_pixels to (first, last), two integers, and run this cell again",
    hint="grow the size with r += (k - 1) * j and the centre with c += ((k - 1) / 2 - p) * j, "
         "then first and last are c -+ (size - 1) / 2")


# Q24. Softmax pooling of the window (1, 3), beta = 1: p = (1, e^2) / (1 + e^2), so
# p2 = e^2 / (1 + e^2) ~ 0.881 and y = p1 * 1 + p2 * 3 = 1 + 2 p2 ~ 2.762.
# dy/dx2 = p2 (1 + beta (x2 - y)) ~ 0.881 * 1.238 ~ 1.09 (dy/dx1 ~ -0.09: the two add up to 1).
_P2 = math.exp(2) / (1 + math.exp(2))
_Y = 1 + 2 * _P2
Q24_ANSWER = _P2 * (1 + (3 - _Y))

#: Two decimals are enough: an answer within this of the exact value passes.
Q24_TOLERANCE = 0.006

SOFTMAX_GRAD = ValueExercise(
    "softmax_grad", Q24_ANSWER, rtol=0, atol=Q24_TOLERANCE,
    mistakes=[
        Mistake("that is p2, the weight of x2 treated as a constant; the weights depend on x2 too, "
                "which adds beta p2 (x2 - y)", answer=_P2),
        Mistake("check the sign: raising x2 above y raises its weight, so dy/dx2 = p2 (1 + beta (x2 - y)), "
                "with a plus", answer=_P2 * (1 - (3 - _Y))),
        Mistake("1 is max pooling's backward, the limit beta -> infinity; with beta = 1 the other cell "
                "keeps a share", answer=1),
        Mistake("1/2 is average pooling's backward, beta = 0; with beta = 1 the larger cell weighs more",
                answer=0.5),
        Mistake("that is dy/dx1, the derivative for the smaller cell; the two derivatives add up to 1",
                answer=1 - Q24_ANSWER),
        Mistake("that is the output y itself; the question asks for its derivative with respect to x2",
                answer=_Y),
    ],
    task="set softmax_grad to dy/dx2, to two decimals, and run this cell again",
    hint="differentiate y = p1 x1 + p2 x2 with the product rule; dp_j/dx_i = beta p_j (delta_ij - p_i)")


# Q26. Stride-1 3x3 max pools with padding 1 chained for one 9x9 pool with padding 4 (chapter 6's
# SPPF exercise): each pool reaches one more cell on each side, so 1 + 2t = 9 gives t = 4 pools,
# and each 3x3 maximum takes 3^2 - 1 = 8 comparisons: 4 * 8 = 32 per output cell (one 9x9 pool: 80).
Q26_ANSWER = (4, 32)


def _pools(answer: Any):
    return _ends(answer)[0]


def _count(answer: Any):
    return _ends(answer)[1]


CHAIN_3X3 = ValueExercise(
    "chain_3x3", Q26_ANSWER, prepare=_stub_as_blank,
    mistakes=[
        Mistake("the windows overlap: each further 3x3 pool widens the window by k - 1 = 2 cells, not 3, "
                "so t pools reach 1 + 2t cells and 9 needs t = 4", when=lambda a: _pools(a) == 3),
        Mistake("the reaches add, they do not multiply: 9 = 1 + 2t cells needs t = 4 pools",
                when=lambda a: _pools(a) == 2),
        Mistake("each pool widens the window by 2 cells (one on each side), so 9 cells take 4 pools, not 9",
                when=lambda a: _pools(a) == 9),
        Mistake("a max of 9 values takes 8 comparisons, not 9: count k^2 - 1 per pool",
                when=lambda a: _ends(a) == (4, 36)),
        Mistake("that is the separable count, 2 (3 - 1) per pool; this question takes each 3x3 maximum "
                "directly, k^2 - 1", when=lambda a: _ends(a) == (4, 16)),
        Mistake("that is one 3x3 pool's count; the chain runs all of its pools",
                when=lambda a: _ends(a) == (4, 8)),
        Mistake("80 is one 9x9 pool taken directly; count the chain's pools, 8 comparisons each",
                when=lambda a: _count(a) == 80),
    ],
    task="set chain_3x3 to (pools, comparisons), two integers, and run this cell again",
    hint="a stride-1 k x k pool with padding k // 2 widens the window by k - 1; a max of n values takes n - 1 comparisons")


#: Q23, Q24 and Q26's checks, by number (unguarded: the score card guards them).
STRETCH_CHECKS = {23: VGG_PIXELS.run, 24: SOFTMAX_GRAD.run, 26: CHAIN_3X3.run}
