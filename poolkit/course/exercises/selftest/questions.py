"""The self-test's questions as data: where each is taught, and the choice questions with their options.

``QUESTIONS`` lists all 26 (number, kind, topic, the variable or function the
learner sets, and the chapter section that teaches it), ``CHOICES`` holds the
choice questions (Q1 to Q9, Q22 and Q25) with their options and why each is right
or wrong, ``CHOICE_EXERCISES`` the same as declarations, and ``QUIZ`` is Q1
to Q9 in jupyterquiz's format. Q22 to Q26 (``STRETCH_NUMBERS``) draw on
the hard exercises of chapters 1, 2, 3, 5 and 6 and point at them.
"""

from __future__ import annotations

from typing import NamedTuple

from ..authoring import ChoiceExercise, letters, sentence
from ..quiz import mc

__all__ = ["Where", "Question", "QUESTIONS", "BY_NUMBER", "CHOICE_NUMBERS", "STRETCH_NUMBERS", "CHOICES",
           "CHOICE_EXERCISES", "QUIZ", "reread"]


# ----------------------------------------------------------------------------
# Where each question is taught
# ----------------------------------------------------------------------------


class Where(NamedTuple):
    """The chapter section that teaches a question's topic."""

    chapter: int
    label: str      # the chapter's cross-reference label, e.g. "ch-sizes"
    section: str    # the section title, as printed in the chapter
    exercise: str | None = None     # the exercise's label, for a question drawn on one

    def text(self) -> str:
        """``chapter 5, "Section title"`` (used in checker lines), and ``, exercise <label>`` for one."""
        where = f'chapter {self.chapter}, "{self.section}"'
        return f"{where}, exercise {self.exercise}" if self.exercise else where


class Question(NamedTuple):
    """One question of the self-test."""

    number: int
    kind: str       # "choice", "value" or "code"
    topic: str      # a few words, used in the chapter's table
    name: str       # the variable or function the learner sets
    where: Where


def _w(chapter: int, section: str, exercise: str | None = None) -> Where:
    labels = {1: "ch-definition", 2: "ch-purpose", 3: "ch-types", 4: "ch-backward",
              5: "ch-sizes", 6: "ch-cost", 7: "ch-drawbacks"}
    return Where(chapter, labels[chapter], section, exercise)


#: The 26 questions, in order. ``where`` names the section to reread (and, for Q22 to Q26, the exercise).
QUESTIONS: tuple[Question, ...] = (
    Question(1, "choice", "channels of a colour photo", "mc_answers",
             _w(1, "Each channel is pooled on its own")),
    Question(2, "choice", "which invariance pooling gives", "mc_answers",
             _w(2, "Small shifts: tolerance inside a window")),
    Question(3, "choice", "parameters versus compute", "mc_answers",
             _w(2, "Parameters: only size-dependent layers shrink")),
    Question(4, "choice", "why not one image-sized window", "mc_answers",
             _w(2, "Why not one huge window?")),
    Question(5, "choice", "global average pooling as a linear map", "mc_answers",
             _w(3, "Global pooling")),
    Question(6, "choice", "copying the gradient", "mc_answers",
             _w(4, "Copying the gradient is the backward of sum pooling")),
    Question(7, "choice", "padding limit and fill value", "mc_answers",
             _w(5, "Padding is at most half the kernel")),
    Question(8, "choice", "why pooling is memory-bound", "mc_answers",
             _w(6, "Counting bytes")),
    Question(9, "choice", "blur before subsampling", "mc_answers",
             _w(7, "Blur before you subsample")),
    Question(10, "value", "overlapping max pooling by hand", "pooled_3x3",
             _w(1, "Pooling keeps one number per window")),
    Question(11, "value", "length of a pyramid pooling vector", "spp_lengths",
             _w(3, "Spatial pyramid pooling: one length for every input size")),
    Question(12, "value", "gradient at a tie", "tie_grads",
             _w(4, "Ties go to the first maximum")),
    Question(13, "value", "gradient total with padding", "padded_total",
             _w(4, "The gradients keep their total, until padding")),
    Question(14, "value", "output sizes with dilation and ceil mode", "widths",
             _w(5, "Ceil mode keeps a partial window, with one exception")),
    Question(15, "value", "input sizes that share an output size", "input_sizes",
             _w(5, "Unpooling: going back up is ambiguous")),
    Question(16, "value", "exact operation counts", "op_counts",
             _w(6, "Counting operations, two ways")),
    Question(17, "value", "a one-pixel shift", "shifted_output",
             _w(7, "A one-pixel shift can change everything")),
    Question(18, "code", "receptive field of a stack", "receptive_field_size",
             _w(2, "Pooling grows the receptive field")),
    Question(19, "code", "adaptive pooling bins", "adaptive_bins",
             _w(5, "Adaptive pooling picks the windows for you")),
    Question(20, "code", "max pooling backward in 1-D", "max_pool1d_backward",
             _w(4, "Overlapping windows add up")),
    Question(21, "code", "average pooling divisors", "avg_divisors",
             _w(5, "The average's divisor at the edges")),
    Question(22, "choice", "windows where no convolution is max pooling", "not_conv_choice",
             _w(1, "Exercises", "ex-ch01-not-a-convolution")),
    Question(23, "value", "the pixels a VGG-16 unit sees", "vgg_pixels",
             _w(2, "Exercises", "ex-ch02-vgg-field")),
    Question(24, "value", "the backward of softmax pooling", "softmax_grad",
             _w(3, "Exercises", "ex-ch03-softmax-backward")),
    Question(25, "choice", "a window of padding only", "all_padding_choice",
             _w(5, "Exercises", "ex-ch05-all-padding")),
    Question(26, "value", "a chain of small pools for a large one", "chain_3x3",
             _w(6, "Exercises", "ex-ch06-sppf")),
)

BY_NUMBER = {q.number: q for q in QUESTIONS}
#: Part 4: the questions drawn on the chapters' hard exercises.
STRETCH_NUMBERS = (22, 23, 24, 25, 26)
#: Part 1: the multiple-choice questions graded together by ``SelfTest.check_choices``.
CHOICE_NUMBERS = tuple(q.number for q in QUESTIONS if q.kind == "choice" and q.number not in STRETCH_NUMBERS)


def reread(q: Question) -> str:
    """``Reread chapter N, "Section".``: the end of a wrong answer's line."""
    return f"Reread {q.where.text()}."


# ----------------------------------------------------------------------------
# The multiple-choice questions: Part 1 (Q1 to Q9), Q22 and Q25
# ----------------------------------------------------------------------------

# Each question: (number, text, [(option, correct, why), ...]). Options are
# lettered A, B, C, D in this order (the quiz is shown unshuffled).
_CHOICE_DATA = (
    (1, "A colour photo (three channels: red, green, blue) goes through 2×2 max pooling with "
        "stride 2. Which statement is true?", [
        ("Each output pixel is an exact copy of one of the four input pixels of its window.", False,
         "Each channel picks its own maximum, and the three maxima can sit at different pixels."),
        ("Each channel picks its own maximum, so one output pixel can combine the red of one input "
         "pixel with the green of another.", True,
         "Pooling works on every channel separately; mixing channels is the job of convolutions."),
        ("The three channels are first averaged into one gray channel, then pooled.", False,
         "Pooling never mixes channels: the output still has three."),
        ("The output has 3 × 4 = 12 channels, one per cell of each window.", False,
         "The number of channels does not change; only height and width shrink."),
    ]),
    (2, "What kind of invariance does a spatial max pooling layer actually give a network?", [
        ("Exact invariance to any translation of the input.", False,
         "Only shifts that keep each maximum inside its window leave the output alone; with stride 2 "
         "a one-pixel shift can change it."),
        ("Approximate invariance to small shifts that keep each maximum inside its window.", True,
         "That is all spatial pooling promises (Goodfellow, Bengio and Courville, Deep Learning, "
         "on pooling)."),
        ("Scale invariance: the same object at twice the size gives the same output.", False,
         "Twice the size is a large change: pooling tolerates only small rescalings, as it "
         "tolerates small shifts; spatial pyramid pooling gives a fixed-length output for any input "
         "size, which is a different property."),
        ("Rotation invariance.", False,
         "Spatial pooling tolerates only small rotations (1 degree keeps about half the pooled "
         "values, 5 degrees almost none); pooling across the channels of detectors tuned to "
         "rotated patterns can learn more."),
    ]),
    (3, "A 2×2 max pooling layer with stride 2 is inserted between two 3×3 convolutions, each with "
        "64 input and 64 output channels. What happens to the second convolution?", [
        ("It keeps the same number of weights and does about a quarter of the multiply-adds.", True,
         "Its weights, 64 × 64 × 3 × 3, do not depend on the map size, but it now visits a quarter "
         "of the positions."),
        ("It has a quarter of the weights and does a quarter of the multiply-adds.", False,
         "A convolution's weights do not depend on the map size; only a layer whose size depends on "
         "its input, such as a fully connected layer after flattening, loses parameters."),
        ("Nothing changes: pooling only reduces overfitting.", False,
         "The convolution now works on a map with a quarter of the positions; the effect on "
         "overfitting is weak and indirect."),
        ("It gains parameters, because the pooling layer's weights are learned with it.", False,
         "A pooling layer has no parameters at all."),
    ]),
    (4, "Why not grow the receptive field in one step, with a single pooling window as large as "
        "the whole map?", [
        ("Windows larger than 3×3 are not allowed.", False,
         "Any window size is allowed; a window as large as the map is global pooling."),
        ("A window as large as the map is global pooling: it throws away all spatial layout at "
         "once, so it belongs at the head, after small layers have built features.", True,
         "Stacked small layers grow the receptive field step by step, with a non-linearity at "
         "every step."),
        ("It would have more parameters than the rest of the network.", False,
         "Pooling has no parameters at any size."),
        ("Its output would be larger than its input.", False,
         "A window as large as the map gives one value per channel, the smallest output possible."),
    ]),
    (5, "Global average pooling maps a (C, H, W) feature map to C numbers. Written as a linear map "
        "from the C·H·W inputs to the C outputs, what is its weight matrix?", [
        ("Dense, with every weight equal to 1/(H·W): each output sees all channels.", False,
         "Each output averages only its own channel; its weights on the other channels are 0."),
        ("Block-diagonal and fixed: output c has weight 1/(H·W) on the cells of channel c and 0 "
         "elsewhere; nothing is learned.", True,
         "It is a fixed linear map, unlike a fully connected layer, which learns a dense matrix."),
        ("Learned during training, like a fully connected layer.", False,
         "The weights are fixed at 1/(H·W); global pooling has nothing to learn."),
        ("The identity: each output equals one input cell.", False,
         "Each output is the mean of all H·W cells of its channel."),
    ]),
    (6, "In the backward pass of 2×2 average pooling, someone copies each upstream gradient g, "
        "unchanged, to all four cells of its window. What have they computed?", [
        ("The correct gradient, because the total of the gradients is kept.", False,
         "The copy multiplies the total by 4; the derivative of a mean of n cells is 1/n per cell."),
        ("The exact gradient of sum pooling, which is 4 times the gradient of average pooling.", True,
         "Copying g to every cell differentiates the window sum, a different function."),
        ("A gradient that becomes infinite within this one layer.", False,
         "In one layer it is off by exactly n = 4; stacked layers multiply the factors, but "
         "nothing becomes infinite."),
        ("The gradient of max pooling.", False,
         "Max backward sends g to a single cell, the window's first maximum."),
    ]),
    (7, "For max pooling with kernel size 3, which padding do PyTorch and poolkit accept, and what "
        "fills the padded cells?", [
        ("Padding 0 or 1, filled with −∞, so a padded cell never wins a window.", True,
         "The limit is floor(k/2) = 1 for k = 3, and −∞ can never be a window's maximum."),
        ("Padding 0, 1 or 2, filled with 0.", False,
         "2 is more than floor(3/2) = 1, so both raise a ValueError; and a padded 0 would win a "
         "window of negative values."),
        ("Any padding, filled with copies of the edge values.", False,
         "Padding above floor(k/2) raises a ValueError, and max pooling pads with −∞ (average "
         "pooling with 0)."),
        ("Padding 0 or 1, filled with 0.", False,
         "The limit is right, but a padded 0 would win a window of negative values; max pooling "
         "pads with −∞."),
    ]),
    (8, "Why is the speed of a pooling layer limited by memory traffic rather than by arithmetic?", [
        ("It must load many learned weights for every window.", False,
         "A pooling layer has no weights at all."),
        ("Comparisons are far slower than multiplications.", False,
         "A comparison costs about as much as an addition; the problem is how few operations there "
         "are per byte moved."),
        ("It does about one cheap operation per value it reads, so the processor spends its time "
         "waiting for data rather than computing.", True,
         "2×2 max pooling in float32 does 3 comparisons per output while moving 20 bytes (16 read, "
         "4 written)."),
        ("It has to copy its input once for every window.", False,
         "No copy is needed: a window view reads each input value in place."),
    ]),
    (9, "The anti-aliased max pooling of Zhang (2019) replaces MaxPool(kernel 2, stride 2) with:", [
        ("MaxPool(kernel 4, stride 2): a bigger window.", False,
         "A bigger window still subsamples without low-pass filtering first, so it still aliases."),
        ("AvgPool(kernel 2, stride 2), which is exactly invariant to shifts.", False,
         "Average pooling with stride 2 subsamples too, and no layer with stride 2 is exactly "
         "invariant to one-pixel shifts."),
        ("A blur applied after MaxPool(kernel 2, stride 2).", False,
         "Once the stride-2 step has subsampled, the aliasing has happened: the blur must come "
         "before the subsampling."),
        ("MaxPool(kernel 2, stride 1), then a small blur, then subsampling by 2.", True,
         "The max at stride 1 commutes with shifts; the blur removes the detail that subsampling "
         "would alias."),
    ]),
    (22, "You want three windows (u, v) on which no convolution with kernel size 2, stride 2 and a "
         "bias, w1 u + w2 v + b, equals max pooling, max(u, v). Which set works?", [
        ("(3, 1), (5, 2), (4, 0)", False,
         "In every one of these windows the first cell is the maximum, and there max pooling is "
         "linear: w = (1, 0), b = 0 reproduces it."),
        ("(0, 1), (1, 0), (3, 7)", False,
         "These three windows are not on one line, so a plane w1 u + w2 v + b fits them: the three "
         "equations have exactly one solution (w = (2/3, 2/3), b = 1/3)."),
        ("(0, 2), (2, 0), (1, 1)", True,
         "(1, 1) is the midpoint of the other two windows, so any convolution gives it the mean of "
         "their outputs, 2, but max pooling gives 1."),
        ("Any three windows, since max is not linear.", False,
         "Three equations in the three unknowns w1, w2, b usually have a solution: non-linearity is "
         "not enough, the windows must lie on one line that crosses u = v."),
    ]),
    (25, "PyTorch 2.13 accepts max_pool1d(x, kernel_size=2, stride=1, padding=1, dilation=d) on an input "
         "of n cells. When can a window read only padding?", [
        ("Never: padding ≤ kernel_size/2 guarantees a real cell.", False,
         "True only without dilation, where the first window's last tap lands on cell k - 1 ≥ p, a real "
         "one; a dilation spaces the taps d apart, and a large enough d jumps over the whole input."),
        ("When d ≥ n + 1.", True,
         "The first window taps padded cell 0, left of the input, and cell d, right of it once d ≥ n + 1: "
         "it outputs −∞ and gets no gradient (with d = n + 1 it is the only window; a larger d leaves none, "
         "and PyTorch refuses an empty output)."),
        ("Whenever d ≥ 2.", False,
         "With d ≤ n some tap of every window lands on the input: for n = 4, d = 3 the first window reads "
         "padded cells 0 and 3, and cell 3 is real."),
        ("Only if the padding exceeds kernel_size/2.", False,
         "PyTorch refuses that padding: with kernel_size 2, padding 2 raises an error before any pooling."),
    ]),
)

_LETTERS = "".join(letters(4))


class _Choice(NamedTuple):
    text: str
    options: dict          # letter -> option text
    correct: str           # the right letter
    why: dict              # letter -> why it is right or wrong


#: Where each question's right option is placed, so that the right letters are balanced over
#: A to D (Q1 to Q9: 2, 3, 2, 2; with Q22 and Q25: 2, 3, 3, 3) with no pattern to guess from; the wrong
#: options keep their order.
_RIGHT_LETTER = {1: "B", 2: "D", 3: "A", 4: "C", 5: "B", 6: "A", 7: "D", 8: "C", 9: "B", 22: "C", 25: "D"}


def _build_choices() -> dict[int, _Choice]:
    out = {}
    for number, text, options in _CHOICE_DATA:
        options = list(options)
        right_at = [i for i, (_, ok, _) in enumerate(options) if ok]
        assert len(right_at) == 1, number
        options.insert(_LETTERS.index(_RIGHT_LETTER[number]), options.pop(right_at[0]))
        letters = _LETTERS[: len(options)]
        right = [l for l, (_, ok, _) in zip(letters, options) if ok]
        assert len(right) == 1, number
        out[number] = _Choice(
            text=text,
            options={l: o for l, (o, _, _) in zip(letters, options)},
            correct=right[0],
            why={l: w for l, (_, _, w) in zip(letters, options)},
        )
    return out


#: The multiple-choice questions Q1 to Q9, Q22 and Q25, by number (question, options by letter, the
#: right letter, and why each option is right or wrong).
CHOICES: dict[int, _Choice] = _build_choices()

#: The same questions as declarations: ``CHOICE_EXERCISES[n].check(letter)`` grades question n
#: (named ``q1`` ... ``q9`` in their lines, Q22 and Q25 by the variable the chapter sets).
CHOICE_EXERCISES: dict[int, ChoiceExercise] = {
    n: ChoiceExercise(BY_NUMBER[n].name if n in STRETCH_NUMBERS else f"q{n}", c.options, c.correct, why=c.why)
    for n, c in CHOICES.items()}


def _quiz_question(number: int) -> dict:
    c = CHOICES[number]
    q = BY_NUMBER[number]
    answers = []
    for letter, option in c.options.items():
        right = letter == c.correct
        feedback = sentence(c.why[letter])
        if not right:
            feedback += " " + reread(q)
        answers.append((f"{letter}. {option}", right, feedback))
    return mc(f"Q{number}. {c.text}", answers)


#: Q1 to Q9 in jupyterquiz's format, for ``quiz.show(QUIZ, shuffle_answers=False)``.
#: Every wrong answer's feedback names the section to reread.
QUIZ: list[dict] = [_quiz_question(n) for n in CHOICE_NUMBERS]
