"""SIGINT and SIGTERM during a run: stop cleanly, undo what was not verified, say so.

SIGINT already raises KeyboardInterrupt; SIGTERM (what a CI runner or ``kill`` sends) is made to
raise ``Terminated`` the same way, so one ``except`` in the pipeline undoes the round under way
for both. While that undo runs, both signals are ignored: a second Ctrl-C must not leave half of
it done. While one file is written they are held back and delivered after it: a signal between
creating a temp file and renaming it over the target would leave the temp file behind.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from types import FrameType
from typing import Iterable, Iterator, Optional


class Terminated(BaseException):
    """SIGTERM arrived (a BaseException, like KeyboardInterrupt, so no ``except Exception`` eats it)."""


class RunInterrupted(Exception):
    """The run was stopped by a signal after undoing its unverified edits; ``exit_code`` is the
    shell's convention (128 + the signal number)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def interrupt_in(exc: BaseException) -> Optional[BaseException]:
    """The KeyboardInterrupt or Terminated that ``exc`` is, or was raised from: Python
    up to 3.11 wraps one raised inside ``__set_name__`` (a signal while a module defines its
    classes, LibCST's loading under the first collection) in a RuntimeError, which is still the
    signal, not an internal error. None for a RunInterrupted: that one is handled already."""
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, RunInterrupted):  # already handled, and said what was undone
            return None
        if isinstance(current, (KeyboardInterrupt, Terminated)):
            return current
        seen.add(id(current))
        # The cause only: an error raised while handling a signal (an undo that failed) has the
        # signal as its context, and is that error, not the signal.
        current = current.__cause__
    return None


def signal_name(interrupt: BaseException) -> tuple[str, int]:
    """("SIGINT", 130) or ("SIGTERM", 143) for what ``interrupt`` stands for."""
    if isinstance(interrupt, Terminated):
        return "SIGTERM", 128 + signal.SIGTERM
    return "SIGINT", 128 + signal.SIGINT


@contextmanager
def terminate_raises() -> Iterator[None]:
    """Within the block, SIGTERM raises Terminated (main thread only: Python delivers signals there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def signals_ignored() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM are ignored: for the undo that an interrupt starts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM wait: the kernel holds them and they are delivered
    (and raise) when it ends. Nests: each block puts back the mask it found. Where signals cannot
    be masked (Windows, a thread other than the main one) the block runs as it is."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    with signals_held((signal.SIGINT, signal.SIGTERM)):
        yield


@contextmanager
def signals_held(signals: Iterable[int]) -> Iterator[None]:
    """Within the block the kernel holds ``signals``; they are delivered (and raise) after it, the
    mask put back as it was. The mask is read first, with a call that changes nothing: the call
    that sets it runs the Python handlers already pending, and one that raised there, before the
    block began, would leave the signals held for good, in this process and every one it starts."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def interrupt_says(when: str, written: str) -> Iterator[None]:
    """Within the block, SIGINT or SIGTERM ends the command with 130 or 143, saying when it came
    and what was written by then (outside the run, where no undo is under way: loading, checking
    the options, printing the report)."""
    try:
        yield
    except BaseException as exc:  # the signal itself, or one Python wrapped (interrupt_in)
        interrupt = interrupt_in(exc)
        if interrupt is None:
            raise
        name, code = signal_name(interrupt)
        raise RunInterrupted(f"interrupted ({name}) {when}; {written}", code) from exc


def raise_terminated(number: int, frame: Optional[FrameType]) -> None:
    """The SIGTERM handler: raise Terminated where the main thread is."""
    raise Terminated()
