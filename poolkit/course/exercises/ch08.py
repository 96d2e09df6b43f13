"""The course self-test (chapter 8): the :mod:`poolkit.course.exercises.selftest` package under the chapter's name.

``from poolkit.course.exercises import ch08; test = ch08.SelfTest()`` is what the
chapter runs; ``QUESTIONS``, ``CHOICES``, ``QUIZ`` and the answers
``Q10_ANSWER`` ... ``Q17_ANSWER``, ``Q23_ANSWER``, ``Q24_ANSWER``, ``Q26_ANSWER`` are the self-test's data.
"""

from __future__ import annotations

from .selftest import (
    BY_NUMBER,
    CHOICE_NUMBERS,
    CHOICE_EXERCISES,
    CHAIN_3X3,
    CHOICES,
    CODE_CHECKS,
    Q10_ANSWER,
    Q11_ANSWER,
    Q12_ANSWER,
    Q13_ANSWER,
    Q14_ANSWER,
    Q15_ANSWER,
    Q16_ANSWER,
    Q17_ANSWER,
    Q18_CASES,
    Q19_CASES,
    Q20_CASES,
    Q21_CASES,
    Q21_MISTAKES,
    Q23_ANSWER,
    Q24_ANSWER,
    Q24_TOLERANCE,
    Q26_ANSWER,
    QUESTIONS,
    QUIZ,
    SOFTMAX_GRAD,
    STRETCH_NUMBERS,
    VALUE_CHECKS,
    Question,
    SelfTest,
    VGG_PIXELS,
    Where,
    q21_divisors,
)

__all__ = ["SelfTest"]
