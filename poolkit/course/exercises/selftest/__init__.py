"""The course self-test (chapter 8, ``ch-self-test``): 26 questions and a score card.

The questions cover every chapter. Q1 to Q9 are multiple choice: they are
shown with :func:`poolkit.course.exercises.quiz.show` (clickable on the static site,
answers in the order A, B, C, D) and graded in a notebook by
``SelfTest.check_choices``. Q10 to Q17 ask for numbers, Q18 to Q21 for
small functions, and Q22 to Q26 (two choices and three numbers) draw on the hard
exercises of chapters 1, 2, 3, 5 and 6; ``SelfTest.check`` grades any question by its number.

The package has five parts: ``questions`` (the questions as data, where
each is taught, the choice questions' options), ``values``, ``code``
and ``stretch`` (the checkers of Q10 to Q26, each with its catalogue of known mistakes),
``card`` (the score card), and ``answers`` (reading answers).
``poolkit.course.exercises.ch08`` is this package under the chapter's name.

Examples
--------
>>> test = SelfTest()
>>> r = test.check(11, (5376, 5376))
Correct.
>>> r = test.check(12, (1, 1))
Not quite: item 0 of tie_grads is too small. Hint: half each is what a central difference gives at a two-way tie (g/2 to every tied cell); the rule gives the whole gradient to the first maximum in row-major order. Reread chapter 4, "Ties go to the first maximum".
>>> test.summary()
Score: 1/26 — reread: chapter 4, "Ties go to the first maximum" (Q12) — not attempted yet: Q1–Q10, Q13–Q26.
"""

from __future__ import annotations

from .card import VALUE_CHECKS, SelfTest
from .code import CODE_CHECKS, Q18_CASES, Q19_CASES, Q20_CASES, Q21_CASES, Q21_MISTAKES, q21_divisors
from .questions import (BY_NUMBER, CHOICE_EXERCISES, CHOICE_NUMBERS, CHOICES, QUESTIONS, QUIZ, STRETCH_NUMBERS,
                        Question, Where)
from .stretch import CHAIN_3X3, Q23_ANSWER, Q24_ANSWER, Q24_TOLERANCE, Q26_ANSWER, SOFTMAX_GRAD, VGG_PIXELS
from .values import (Q10_ANSWER, Q11_ANSWER, Q12_ANSWER, Q13_ANSWER, Q14_ANSWER, Q15_ANSWER, Q16_ANSWER,
                     Q17_ANSWER)

__all__ = ["SelfTest"]
