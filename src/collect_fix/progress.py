"""A live progress line on a terminal: the round and the files collected so far, on stderr.

Only a terminal gets it; piped or redirected output gets nothing extra. The collector waits for
pytest through ``wait`` (output in files) or ``communicate`` (output on pipes), which count the
files in the probe's records file (one ``begin`` record per file, flushed as it is written) while
they wait, for whoever listens; with nobody listening they are the plain subprocess calls.
"""

from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence, TextIO, TypeVar

from collect_fix.records_tail import RecordsTail

FilesListener = Callable[[int], None]

_POLL_SECONDS = 0.25
_MEANWHILE_SECONDS = 0.02
_listener: ContextVar[Optional[FilesListener]] = ContextVar("collect_fix_files_listener", default=None)


@contextmanager
def listening(listener: FilesListener) -> Iterator[None]:
    """Within the block, collections report how many files they have reached to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def wait(
    process: "subprocess.Popen[bytes]", timeout: float, records: Sequence[Path],
    meanwhile: Optional[Callable[[], bool]] = None,
) -> None:
    """``process.wait(timeout=timeout)`` (output going to files); with a listener, it is told
    every quarter second how many files the collection has reached (in all of ``records``: the
    shards of one collection count together). Raises TimeoutExpired at the same deadline.
    ``meanwhile`` runs between the waits, every few hundredths of a second, and again at once
    (after a look at the process) while it says it has work left."""
    _poll(lambda seconds: process.wait(timeout=seconds), timeout, records, meanwhile)


def communicate(process: "subprocess.Popen[str]", timeout: float, records: Path) -> tuple[str, str]:
    """``process.communicate(timeout=timeout)`` (output on pipes), reporting files as ``wait`` does.
    Retrying communicate after TimeoutExpired loses no output (subprocess docs)."""
    stdout, stderr = _poll(lambda seconds: process.communicate(timeout=seconds), timeout, (records,))
    return stdout, stderr


_T = TypeVar("_T")


def _poll(
    step: Callable[[float], _T], timeout: float, records: Sequence[Path], meanwhile: Optional[Callable[[], bool]] = None
) -> _T:
    listener = _listener.get()
    if listener is None and meanwhile is None:
        return step(timeout)
    deadline = time.monotonic() + timeout
    counters = [_FileCounter(each) for each in records]
    told = 0.0
    busy = False  # meanwhile has work left: only look at the process before calling it again
    while True:
        seconds = 0.0 if busy else _MEANWHILE_SECONDS if meanwhile is not None else _POLL_SECONDS
        try:
            return step(max(0.0, min(seconds, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise
            if listener is not None and time.monotonic() - told >= _POLL_SECONDS:
                listener(sum(counter.count() for counter in counters))
                told = time.monotonic()
            if meanwhile is not None:
                busy = meanwhile()


class _FileCounter:
    """Distinct test files in the probe's ``begin`` records, read incrementally."""

    def __init__(self, records: Path) -> None:
        self._tail = RecordsTail(records)
        self._files: set[str] = set()

    def count(self) -> int:
        for record in self._tail.new_records():
            path = record.get("path") if record["type"] == "begin" else None
            if isinstance(path, str) and path.endswith(".py"):
                self._files.add(path)
        return len(self._files)


class LiveLine:
    """One status line on a terminal, rewritten in place and cleared before the report prints."""

    def __init__(self, stream: TextIO, width: Callable[[], int]) -> None:
        self._stream, self._width = stream, width
        self._stage = ""
        self._files: Optional[int] = None
        self._since = time.monotonic()
        self._shown = False

    def stage(self, message: str) -> None:
        """A new step of the run (``collecting``, ``round 2: ...``); the file count starts over."""
        self._stage, self._files, self._since = message, None, time.monotonic()
        self._draw()

    def files(self, count: int) -> None:
        self._files = count
        self._draw()

    def clear(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False

    def _draw(self) -> None:
        details = []
        if self._files is not None:
            details.append(f"{self._files} file{'' if self._files == 1 else 's'} so far")
        elapsed = time.monotonic() - self._since
        if elapsed >= 2:
            details.append(f"{elapsed:.0f}s")
        text = f"collect-fix: {self._stage}" + (f" ({', '.join(details)})" if details else "")
        limit = max(self._width() - 1, 20)
        self._stream.write("\r" + text[:limit] + "\x1b[K")
        self._stream.flush()
        self._shown = True
