"""Share collect-fix's own CPU work with a forked copy of this process, between collections.

Planning a round and computing its edits is work in collect-fix's own process (LibCST, ``ast``,
git), and between two collections the core pytest collected on is idle: on a 3,000-test suite
the first round spends about a second there. A forked copy starts with everything this process
has loaded and read (LibCST, the planners, the files parsed so far), takes items from the same
queue, and hands back what it made, pickled: its results and what it added to the caches in
``carry`` (``Carry``), so this process finds them as if it had made them itself.

Nothing else of the copy survives. It writes no file, runs no signal handler of this process,
and ends with ``os._exit`` (no atexit handler, no finaliser of a temporary folder runs twice).
Anything that goes wrong in it (an exception, a signal, a result that does not unpickle, a copy
that takes far longer than this process did) leaves its items to this process: the results are
those of ``[work(item) for item in items]`` either way, in order.

Only where ``os.fork`` is safe to use without ``exec`` (Linux), with two usable cores and
``COLLECT_FIX_NO_FORK`` unset.
"""

from __future__ import annotations

import errno
import os
import pickle
import select
import signal
import struct
import sys
import time
from typing import Any, Callable, Iterator, Optional, Protocol, Sequence, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")
_S = TypeVar("_S")

NO_FORK_ENV = "COLLECT_FIX_NO_FORK"
_TOKEN = struct.Struct("!I")
_MAX_ITEMS = 16384  # one token each, all written to the queue before the fork: within a pipe's 64 KiB
# The copy has this long after this process finished its own share (at least _PATIENCE seconds)
# before its items are taken back.
_PATIENCE, _PATIENCE_FACTOR = 10.0, 10.0


class Carry(Protocol[_S]):
    """A cache the copy fills that this process should get: what it held at the fork
    (``before``), what the copy added since (``since``, pickled back), and taking that in
    (``absorb``)."""

    def before(self) -> _S: ...

    def since(self, before: _S) -> object: ...

    def absorb(self, added: Any) -> None: ...


def available() -> bool:
    """Whether work may be shared with a forked copy here."""
    if os.environ.get(NO_FORK_ENV) or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except OSError:
        return False


def share(items: Sequence[_T], work: Callable[[_T], _R], carry: Sequence[Carry[Any]] = ()) -> list[_R]:
    """``[work(item) for item in items]``, the items shared with a forked copy of this process
    when there are two or more and ``available()``. ``work`` must read, not write: the copy's
    changes to anything but ``carry`` are lost."""
    if len(items) < 2 or len(items) > _MAX_ITEMS or not available():
        return [work(item) for item in items]
    queue_read, queue_write = os.pipe()
    results_read, results_write = os.pipe()
    child: Optional[int] = None
    try:
        os.write(queue_write, b"".join(_TOKEN.pack(index) for index in range(len(items))))
        os.close(queue_write)
        queue_write = -1
        os.set_blocking(queue_read, False)
        parent = os.getpid()
        try:
            child = os.fork()
        except OSError:  # no process to be had (EAGAIN, ENOMEM): this process does it all
            return [work(item) for item in items]
        if child == 0:  # pragma: no cover - the copy's coverage is not recorded (os._exit)
            _in_the_copy(items, work, carry, queue_read, results_read, results_write, parent)
        os.close(results_write)
        results_write = -1
        started = time.monotonic()
        done: dict[int, _R] = {index: work(items[index]) for index in _claims(queue_read)}
        patience = max(_PATIENCE, _PATIENCE_FACTOR * (time.monotonic() - started))
        theirs, carried = _received(results_read, child, patience)
        child = None  # reaped
        for each, added in zip(carry, carried):
            each.absorb(added)
        done.update(theirs)
        return [done[index] if index in done else work(items[index]) for index in range(len(items))]
    finally:
        if child is not None:  # this process was interrupted, or failed, while the copy worked
            _stop(child)
        for descriptor in (queue_read, queue_write, results_read, results_write):
            if descriptor >= 0:
                os.close(descriptor)


def _in_the_copy(
    items: Sequence[_T], work: Callable[[_T], _R], carry: Sequence[Carry[Any]],
    queue: int, results_read: int, results_write: int, parent: int,
) -> None:  # pragma: no cover - runs in the forked copy
    status = 1
    try:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)  # Ctrl-C ends the copy; this process handles it
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
        os.close(results_read)
        # Nothing the copy (or a git it runs) might print reaches the terminal: a warning would be
        # printed twice, and its results come back through the pipe.
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - ends with the copy
        before = [each.before() for each in carry]
        done: dict[int, Any] = {}
        for index in _claims(queue):
            if os.getppid() != parent:  # this process is gone: nobody waits for the rest
                return
            try:
                done[index] = work(items[index])
            except Exception:  # noqa: BLE001 - this process does the item again, and raises as it would have
                continue
        payload = pickle.dumps((done, [each.since(start) for each, start in zip(carry, before)]), pickle.HIGHEST_PROTOCOL)
        view = memoryview(payload)
        while view:
            view = view[os.write(results_write, view):]
        status = 0
    except BaseException:  # noqa: BLE001 - whatever it was, this process takes the items back
        pass
    finally:
        os._exit(status)


def _claims(queue: int) -> Iterator[int]:
    """The indexes this process takes from the queue, one at a time, until it is empty. A pipe
    read of one token is atomic, so the two processes never take the same one."""
    while True:
        try:
            token = os.read(queue, _TOKEN.size)
        except BlockingIOError:
            return
        if len(token) < _TOKEN.size:
            return
        (index,) = _TOKEN.unpack(token)
        yield int(index)


def _received(results: int, child: int, patience: float) -> tuple[dict[int, Any], list[Any]]:
    """The copy's results and carried caches; ({}, []) when it failed or took too long (it is
    stopped then). The copy is reaped either way."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + patience
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            _stop(child)
            return {}, []
        try:
            ready, _, _ = select.select([results], [], [], left)
        except InterruptedError:  # pragma: no cover - PEP 475 retries select itself
            continue
        if not ready:
            continue
        chunk = os.read(results, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    if _reaped_status(child) != 0:
        return {}, []
    try:
        done, carried = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - a copy cut short: its items are done here
        return {}, []
    return done, carried


def _reaped_status(child: int) -> int:
    while True:
        try:
            _, status = os.waitpid(child, 0)
        except ChildProcessError:  # pragma: no cover - reaped by someone else (a SIGCHLD handler)
            return -1
        except InterruptedError:  # pragma: no cover - PEP 475 retries waitpid itself
            continue
        return os.waitstatus_to_exitcode(status)


def _stop(child: int) -> None:
    try:
        os.kill(child, signal.SIGKILL)
    except OSError as exc:  # pragma: no cover - gone already
        if exc.errno != errno.ESRCH:
            raise
    _reaped_status(child)
