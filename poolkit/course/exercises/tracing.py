"""Counting the Python lines a learner's function runs: the test for "no Python loop".

A loop over windows, rows or columns, a comprehension, ``np.vectorize`` or
``np.apply_along_axis`` runs Python lines once per item, so the count grows
with the input; window views, ``argmax`` and ``np.add.at`` do not. A checker
compares the counts on a small and a large input (see chapter 4's
``check_max_backward_vectorised``).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any, Callable

import poolkit

__all__ = ["count_python_lines"]

_EXERCISES_DIR = os.path.dirname(os.path.abspath(__file__))             # the checkers' own folder
_POOLKIT_DIR = os.path.dirname(os.path.abspath(poolkit.__file__))       # the library, wherever this folder is


def count_python_lines(fn: Callable, args: tuple, kwargs: dict) -> tuple[int, bool, Any]:
    """Run ``fn(*args, **kwargs)`` under ``sys.settrace``: (Python line events, called poolkit?, result).

    Lines of the checkers' own code (the timer) and of poolkit are not
    counted; a call into poolkit is reported, so that a checker can refuse
    an answer that calls the function it is compared with. The garbage
    collector is paused meanwhile, so that no finaliser of other objects
    runs (and counts).

    Examples
    --------
    >>> def loop(n):
    ...     total = 0
    ...     for i in range(n):
    ...         total += i
    ...     return total
    >>> few, _, _ = count_python_lines(loop, (2,), {})
    >>> many, used_poolkit, result = count_python_lines(loop, (20,), {})
    >>> many - few, used_poolkit, result
    (36, False, 190)
    """
    state = {"lines": 0, "poolkit": False}

    def local(frame, event, arg):
        if event == "line":
            state["lines"] += 1
        return local

    def tracer(frame, event, arg):
        name = frame.f_code.co_filename
        if name.startswith(_EXERCISES_DIR):
            return None
        if name.startswith(_POOLKIT_DIR):
            state["poolkit"] = True
            return None
        return local

    old, collecting = sys.gettrace(), gc.isenabled()
    gc.disable()
    sys.settrace(tracer)
    try:
        result = fn(*args, **kwargs)
    finally:
        sys.settrace(old)
        if collecting:
            gc.enable()
    return state["lines"], state["poolkit"], result
