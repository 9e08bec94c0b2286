"""Share collect-fix's own CPU work with a forked copy of this process, between collections.

Planning a round and computing its edits is work in collect-fix's own process (LibCST, ``ast``,
git), and between two collections the core pytest collected on is idle: on a 3,000-test suite
the first round spends about a second there. A forked copy starts with everything this process
has loaded and read (LibCST, the planners, the files parsed so far), takes items from the same
queue, and hands back what it made, pickled: its results and what it added to the caches in
``carry`` (``Carry``), so this process finds them as if it had made them itself.

Nothing else of the copy survives. It runs none of this process's signal handlers (signals are
held from before the fork until its own are set: a Ctrl-C ends it), prints nothing (its streams
go to the null device), never collects garbage (an object this process dropped is finalised here,
once), and ends with ``os._exit`` (no atexit handler, no buffered output written twice). Anything
that goes wrong in it (an exception, a signal, a result that does not unpickle, a copy still at
work a minute after this process did its share) leaves its items to this process, and so does a
fork or a pipe that cannot be had: the results are those of ``[work(item) for item in items]``
either way, in order. The caches the copy fills but ``carry`` does not name (parsed trees, git
answers) stay with it: this process reads again what it needs.

Only where ``os.fork`` is safe to use without ``exec`` (Linux, and a process that runs no threads,
as collect-fix's does not), with two usable cores and ``COLLECT_FIX_NO_FORK`` unset.
"""

from __future__ import annotations

import errno
import gc
import os
import pickle
import select
import signal
import struct
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol, Sequence, TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")
_S = TypeVar("_S")

NO_FORK_ENV = "COLLECT_FIX_NO_FORK"
_TOKEN = struct.Struct("!I")
# Every token is written to the queue before the fork, in one write no larger than the smallest
# pipe (one page): past that many items, a token stands for a run of consecutive items.
_MAX_TOKENS = 1024
# The copy has this long after this process finished its own share before its items are taken
# back: long enough for any item planning legitimately takes (a git question has 20 s), since
# what the copy does is what this process would have done.
_PATIENCE, _PATIENCE_FACTOR = 60.0, 10.0
_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


class Carry(Protocol[_S]):
    """A cache the copy fills that this process should get: what it held at the fork
    (``before``), what the copy added since (``since``, pickled back), and taking that in
    (``absorb``)."""

    def before(self) -> _S: ...

    def since(self, before: _S) -> object: ...

    def absorb(self, added: Any) -> None: ...


def available() -> bool:
    """Whether work may be shared with a forked copy here: Linux, two cores this process may
    run on (its CPU affinity) and may use (its cgroup's CPU quota)."""
    if os.environ.get(NO_FORK_ENV) or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except OSError:
        return False
    return cores >= 2 and _quota() >= 2


def _quota() -> float:
    """The CPUs the cgroup (v2) this process runs in may use; infinity without a limit."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text(encoding="ascii").split()
        return float("inf") if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return float("inf")


def share(items: Sequence[_T], work: Callable[[_T], _R], carry: Sequence[Carry[Any]] = ()) -> list[_R]:
    """``[work(item) for item in items]``, the items shared with a forked copy of this process
    when there are two or more and ``available()``. ``work`` must read, not write: the copy's
    changes to anything but ``carry`` are lost."""
    if len(items) < 2 or not available():
        return [work(item) for item in items]
    run = -(-len(items) // _MAX_TOKENS)  # items per token
    descriptors: list[int] = []
    child = 0
    try:
        try:
            queue_read, queue_write = _pipe(descriptors)
            results_read, results_write = _pipe(descriptors)
        except OSError:  # out of descriptors: this process does it all
            return [work(item) for item in items]
        os.write(queue_write, b"".join(_TOKEN.pack(start) for start in range(0, len(items), run)))
        _close(descriptors, queue_write)
        os.set_blocking(queue_read, False)
        parent = os.getpid()
        # A signal between the fork and the copy's own handlers would run this process's
        # handlers in the copy (an interrupt raised there, in this code): held until they are set.
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            child = os.fork()
        except OSError:  # no process to be had (EAGAIN, ENOMEM): this process does it all
            child = -1
        if child == 0:  # pragma: no cover - the copy's coverage is not recorded (os._exit)
            try:
                _in_the_copy(items, work, carry, queue_read, results_read, results_write, parent, run)
            finally:
                os._exit(1)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if child < 0:
            return [work(item) for item in items]
        _close(descriptors, results_write)
        started = time.monotonic()
        done: dict[int, _R] = {index: work(items[index]) for index in _claims(queue_read, run, len(items))}
        patience = max(_PATIENCE, _PATIENCE_FACTOR * (time.monotonic() - started))
        theirs, carried = _received(results_read, child, patience)
        child = 0  # reaped
        for each, added in zip(carry, carried):
            each.absorb(added)
        done.update(theirs)
        return [done[index] if index in done else work(items[index]) for index in range(len(items))]
    finally:
        if child > 0:  # this process was interrupted, or failed, while the copy worked
            _stop(child)
        for descriptor in list(descriptors):
            _close(descriptors, descriptor)


def _pipe(descriptors: list[int]) -> tuple[int, int]:
    read, write = os.pipe()
    descriptors.extend((read, write))
    return read, write


def _close(descriptors: list[int], descriptor: int) -> None:
    """Close one of ``descriptors`` once: it leaves the list first, so an interrupt here never
    makes it closed twice (the second close would replace the interrupt with EBADF)."""
    descriptors.remove(descriptor)
    try:
        os.close(descriptor)
    except OSError:  # pragma: no cover - closed already
        pass


def _in_the_copy(
    items: Sequence[_T], work: Callable[[_T], _R], carry: Sequence[Carry[Any]],
    queue: int, results_read: int, results_write: int, parent: int, run: int,
) -> None:  # pragma: no cover - runs in the forked copy
    status = 1
    try:
        gc.disable()
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)  # Ctrl-C ends the copy; this process handles it
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        os.close(results_read)
        # Nothing the copy (or a git it runs) might print reaches the terminal: a warning would be
        # printed twice, and its results come back through the pipe.
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - ends with the copy
        before = [each.before() for each in carry]
        done: dict[int, Any] = {}
        for index in _claims(queue, run, len(items)):
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


def _claims(queue: int, run: int, count: int) -> Iterator[int]:
    """The indexes this process takes from the queue, a token (a run of items) at a time, until
    it is empty. A pipe read of one token is atomic, so the two processes never take the same one."""
    while True:
        try:
            token = os.read(queue, _TOKEN.size)
        except BlockingIOError:
            return
        if len(token) < _TOKEN.size:
            return
        (start,) = _TOKEN.unpack(token)
        yield from range(start, min(start + run, count))


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
