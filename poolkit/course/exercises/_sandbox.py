"""Running a learner's code safely: quietly, and within one time budget per check.

A checker must print its one line within its stated time limit, whatever the
learner's code does: loop for ever, catch every exception (a bare
``except:`` swallows the interruption that a timer raises), print without
end, or end the process. So on Linux and macOS a whole check runs in a
forked child process. The child has everything the notebook has (the
learner's functions, globals and imports, no pickling needed); it sends back
only the line it printed and the result it recorded. The parent waits at most
the check's limit and then kills the child. Where ``os.fork`` is missing
(Windows, a browser's Python), or with ``POOLKIT_CHECK_ISOLATION=off`` in the
environment, the check runs in the learner's process and the limit is a
timer signal (main thread, POSIX only), which a bare ``except:`` can defeat.

The child reports its progress (which exercise and which case is running,
and the hint for a time-out) as it goes, so the parent can say which case
was running when the time ran out.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import select
import signal
import struct
import sys
import threading
import time
import warnings
from typing import Any, Callable

import numpy as np

__all__ = ["Outcome", "isolated", "in_process", "quiet_call", "progress", "inside_check", "current_limit", "Timeout"]

#: Environment variable that turns process isolation off (``off``) or forces it (``fork``).
ENV_SWITCH = "POOLKIT_CHECK_ISOLATION"

#: Every check's time limit is multiplied by this (the tests shrink it to check the limits fast).
TIME_SCALE = 1.0

_state = threading.local()      # in_check, deadline, fd (the pipe to the parent), progress


class Timeout(BaseException):
    """The learner's code ran past the check's time budget (in-process mode)."""


class _Discard(io.TextIOBase):
    """A text stream that forgets everything written to it (a learner may print without end)."""

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        return len(text)


def _fork_available() -> bool:
    setting = os.environ.get(ENV_SWITCH, "").strip().lower()
    if setting in ("off", "0", "no", "false", "inline"):
        return False
    if not hasattr(os, "fork"):
        return False
    return setting == "fork" or sys.platform.startswith(("linux", "darwin"))


def inside_check() -> bool:
    """True while a guarded check runs (in its child process, or in process)."""
    return bool(getattr(_state, "in_check", False))


def current_limit() -> float | None:
    """The time limit of the check that is running (``None`` outside one, or without a limit)."""
    return getattr(_state, "limit", None)


# ----------------------------------------------------------------------------
# What the child tells the parent
# ----------------------------------------------------------------------------

def _send(fd: int, message: tuple) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    data = struct.pack("<I", len(data)) + data
    while data:
        n = os.write(fd, data)
        data = data[n:]


def progress(name: str | None, label: str | None, hint: str | None) -> None:
    """Say which exercise and case is about to run the learner's code.

    Used for the line printed when the time runs out; cheap, and a no-op
    outside a guarded check.
    """
    info = (name, label, hint)
    _state.progress = info
    fd = getattr(_state, "fd", None)
    if fd is not None:
        try:
            _send(fd, ("progress",) + info)
        except Exception:
            pass


class Outcome:
    """How a guarded check ended.

    ``kind`` is ``"done"`` (``value`` is what the check returned: in a child,
    the tuple built by ``child_body``), ``"timeout"``, ``"interrupted"``,
    ``"died"`` (``value`` says how) or ``"error"`` (``value`` is the
    exception's type name). ``progress`` is the last ``(name, label, hint)``
    reported, or ``None``.
    """

    __slots__ = ("kind", "value", "progress")

    def __init__(self, kind: str, value: Any = None, progress: tuple | None = None):
        self.kind = kind
        self.value = value
        self.progress = progress

    def __repr__(self) -> str:
        return f"Outcome({self.kind!r}, {self.value!r}, {self.progress!r})"


# ----------------------------------------------------------------------------
# The guard
# ----------------------------------------------------------------------------

def isolated(child_body: Callable[[], Any], inline_body: Callable[[], Any],
             limit: float | None) -> Outcome:
    """Run one check within ``limit`` seconds (``None``: no limit).

    In a child process, ``child_body()`` runs and its (picklable) return value
    comes back as ``Outcome("done", value)``; in process, ``inline_body()``
    runs instead. Never raises, not even on Ctrl-C (``"interrupted"``).
    """
    if _fork_available():
        try:
            return _in_child(child_body, limit)
        except _NoFork:
            pass
    return _in_process(inline_body, limit)


def in_process(body: Callable[[], Any], limit: float | None) -> Outcome:
    """Run ``body()`` in this process within ``limit`` seconds (a timer); never raises.

    For a check whose answers cannot run the learner's code (plain data), where a
    child process would only cost time.
    """
    return _in_process(body, limit)


class _NoFork(Exception):
    """The child process could not be started."""


def _in_process(body: Callable[[], Any], limit: float | None) -> Outcome:
    _state.in_check, _state.progress, _state.limit = True, None, limit
    _state.deadline = None if limit is None else time.monotonic() + limit
    try:
        return Outcome("done", body())
    except Timeout:
        return Outcome("timeout", None, _state.progress)
    except KeyboardInterrupt:
        return Outcome("interrupted", None, _state.progress)
    except BaseException as exc:
        return Outcome("error", type(exc).__name__, _state.progress)
    finally:
        _state.in_check, _state.deadline, _state.limit = False, None, None


def _in_child(body: Callable[[], Any], limit: float | None) -> Outcome:
    try:
        r, w = os.pipe()
    except OSError as exc:
        raise _NoFork from exc
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns that fork() in a process with threads may deadlock the child;
            # the child runs only this check and never touches the parent's other threads' state.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError as exc:
        os.close(r)
        os.close(w)
        raise _NoFork from exc
    if pid == 0:                                     # the child: never returns
        _child(body, r, w, limit)
    os.close(w)
    last = None
    start = time.monotonic()
    deadline = None if limit is None else start + limit
    buf, result, alive = b"", None, True
    try:
        while True:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and wait <= 0:
                return Outcome("timeout", None, last)
            ready, _, _ = select.select([r], [], [], wait)
            if not ready:
                continue
            chunk = os.read(r, 1 << 16)
            if not chunk:                            # the child has exited
                break
            buf += chunk
            while len(buf) >= 4:
                (size,) = struct.unpack("<I", buf[:4])
                if len(buf) < 4 + size:
                    break
                message, buf = pickle.loads(buf[4:4 + size]), buf[4 + size:]
                if message[0] == "progress":
                    last = tuple(message[1:])
                else:
                    result = message
        _, status = os.waitpid(pid, 0)
        alive = False
        if result is None:
            return Outcome("died", _how_it_ended(status), last)
        if result[0] == "done":
            return Outcome("done", result[1], last)
        if result[0] == "interrupted":
            return Outcome("interrupted", None, last)
        return Outcome("error", result[1], last)
    except KeyboardInterrupt:
        return Outcome("interrupted", None, last)
    finally:
        os.close(r)
        if alive:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(pid, 0)


def _how_it_ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    if os.WIFEXITED(status):
        return f"exit code {os.WEXITSTATUS(status)}"
    return "an unknown way"


def _child(body: Callable[[], Any], r: int, w: int, limit: float | None) -> None:
    """In the forked child: run ``body``, send its value, exit without cleanup."""
    code = 0
    try:
        os.close(r)
        # Ctrl-C reaches the parent (and, from a terminal or Jupyter, the whole process
        # group): the parent stops the child, which must not print a traceback of its own.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 0)
        # Anything written straight to the file descriptors (C code, os.write) is dropped.
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        sys.stdout = sys.stderr = _Discard()
        _state.in_check, _state.fd, _state.deadline, _state.progress = True, w, None, None
        _state.limit = limit
        try:
            value = body()
            message = ("done", value)
        except KeyboardInterrupt:
            message = ("interrupted",)
        except BaseException as exc:
            message = ("error", type(exc).__name__)
        try:
            _send(w, message)
        except Exception:
            _send(w, ("error", "PicklingError"))
    except BaseException:
        code = 70
    finally:
        os._exit(code)


# ----------------------------------------------------------------------------
# Calling the learner's function
# ----------------------------------------------------------------------------

@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """In-process mode: raise :class:`Timeout` after ``seconds`` (main thread, POSIX only)."""
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _raise(signum, frame):
        raise Timeout()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, max(float(seconds), 1e-3))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _seconds_left(timeout: float | None) -> float | None:
    """The in-process limit for one call: the check's remaining budget, capped by ``timeout``."""
    if getattr(_state, "fd", None) is not None:
        return None                                   # in a child: the parent keeps the time
    deadline = getattr(_state, "deadline", None)
    left = None if deadline is None else deadline - time.monotonic()
    if timeout is not None and timeout:
        left = timeout if left is None else min(left, timeout)
    return left


def quiet_call(fn: Callable, args: tuple, kwargs: dict, timeout: float | None = None, *,
               name: str | None = None, label: str | None = None, hint: str | None = None):
    """Call ``fn(*args, **kwargs)`` with its prints, warnings and numpy errors silenced.

    ``name``, ``label`` and ``hint`` say which exercise and case this is
    (reported for the time-out line). In a child process the parent keeps
    the time; in process the call gets the rest of the check's budget (at
    most ``timeout`` seconds) and raises :class:`Timeout` past it.
    """
    if name is not None or label is not None:
        progress(name, label, hint)
    sink = _Discard()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
            warnings.catch_warnings(), np.errstate(all="ignore"), _time_limit(_seconds_left(timeout)):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)
