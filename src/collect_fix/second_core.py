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
work that has handed back nothing for a minute) leaves its items to this process, and so does a
fork or a pipe that cannot be had: the results are those of ``[work(item) for item in items]``
either way, in order. The caches the copy fills but ``carry`` does not name (parsed trees, git
answers) stay with it: this process reads again what it needs.

Only where ``os.fork`` is safe to use without ``exec`` (Linux, a process that runs no other
thread, as collect-fix's does not), with two cores to use and ``COLLECT_FIX_NO_FORK`` unset.
"""

from __future__ import annotations

import errno
import gc
import os
import pickle
import re
import select
import signal
import struct
import sys
from pathlib import Path
from typing import Any, Callable, ContextManager, Iterator, Protocol, Sequence, TypeVar

from collect_fix.interrupts import signals_held

_T = TypeVar("_T")
_R = TypeVar("_R")
_S = TypeVar("_S")

NO_FORK_ENV = "COLLECT_FIX_NO_FORK"
_TOKEN = struct.Struct("!I")
_FRAME = struct.Struct("!Q")  # the length of one pickled message from the copy
# Every token is written to the queue before the fork, in one write no larger than the smallest
# pipe (one page): past that many items, a token stands for a run of consecutive items.
_MAX_TOKENS = 1024
# The copy hands back each item as it is done; once this process has done its share it waits
# this long for the next one before taking the copy's items back: longer than any item planning
# legitimately takes (a git question has 20 s), since the copy does what this process would.
_PATIENCE = 60.0
_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM, signal.SIGHUP})


class Carry(Protocol[_S]):
    """A cache the copy fills that this process should get: what it held at the fork
    (``before``), what the copy added since (``since``, pickled back), and taking that in
    (``absorb``)."""

    def before(self) -> _S: ...

    def since(self, before: _S) -> object: ...

    def absorb(self, added: Any) -> None: ...


def available() -> bool:
    """Whether work may be shared with a forked copy here: Linux, no other thread running, and
    two cores this process may run on (its CPU affinity) and use (its cgroup's CPU quota)."""
    if os.environ.get(NO_FORK_ENV) or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if _threads() != 1:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except OSError:
        return False
    return cores >= 2 and cgroup_cpus() >= 2


def _threads() -> int:
    """The threads this process runs, started by Python or not (0 when it cannot be told)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 0


def cgroup_cpus(
    proc: Path = Path("/proc/self/cgroup"),
    mounted: Path = Path("/sys/fs/cgroup"),
    mountinfo: Path = Path("/proc/self/mountinfo"),
) -> float:
    """The CPUs the cgroups this process is in let it use (the smallest quota from its own
    group up, cgroup v2 or v1's ``cpu`` controller); infinity where none is set or readable.

    The hierarchies are found where ``mountinfo`` says they are mounted (a v1 ``cpu`` controller
    may share a folder named in any order, a v2 one may sit in ``unified/``); where it cannot be
    read, under ``mounted`` as systemd lays them out."""
    try:
        lines = proc.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return float("inf")
    mounts = _cgroup_mounts(mountinfo)
    limits = [float("inf")]
    for line in lines:
        fields = line.split(":", 2)
        if len(fields) != 3:
            continue  # not a "hierarchy:controllers:path" line
        _, controllers, group = fields
        if controllers == "":  # v2: 0::/path, cpu.max holds "quota period" or "max period"
            read = _v2_quota
            places = [(root, point) for kind, _, root, point in mounts if kind == "cgroup2"] if mounts is not None \
                else [("/", mounted)]
        elif "cpu" in controllers.split(","):  # v1
            read = _v1_quota
            places = [(root, point) for kind, names, root, point in mounts if kind == "cgroup" and "cpu" in names] \
                if mounts is not None else [("/", mounted / controllers), ("/", mounted / "cpu")]
        else:
            continue
        for root, folder in places:
            below = _below(group, root)
            if below is None:
                continue  # not this process's group, nor one above it
            here = folder / below
            while True:
                limits.append(read(here))
                if here == folder:
                    break
                here = here.parent
    return min(limits)


def _cgroup_mounts(mountinfo: Path) -> list[tuple[str, frozenset[str], str, Path]] | None:
    """(``cgroup`` or ``cgroup2``, v1 controllers, the group mounted, where) for every cgroup
    mount ``mountinfo`` lists; None when it cannot be read."""
    try:
        text = mountinfo.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    found = []
    for line in text.splitlines():
        # "id parent major:minor root mount-point options [optional fields] - type source super-options"
        head, separator, tail = line.partition(" - ")
        fields, described = head.split(), tail.split()
        if not separator or len(fields) < 5 or len(described) < 3 or described[0] not in ("cgroup", "cgroup2"):
            continue
        controllers = frozenset(described[2].split(",")) if described[0] == "cgroup" else frozenset()
        found.append((described[0], controllers, _unescaped(fields[3]), Path(_unescaped(fields[4]))))
    return found


def _unescaped(field: str) -> str:
    """A mountinfo path: space, tab, newline and backslash are written as octal escapes."""
    return re.sub(r"\\([0-7]{3})", lambda match: chr(int(match.group(1), 8)), field)


def _below(group: str, root: str) -> str | None:
    """``group`` relative to the group a hierarchy's mount shows as its top (``root``); None when
    ``group`` is not under it (the mount shows another group's part of the hierarchy)."""
    top = root.rstrip("/")
    if group == top or group.startswith(top + "/"):
        return group[len(top):].lstrip("/")
    return None


def _v2_quota(folder: Path) -> float:
    try:
        quota, period = (folder / "cpu.max").read_text(encoding="ascii").split()
        return float("inf") if quota == "max" or int(period) <= 0 else int(quota) / int(period)
    except (OSError, ValueError):
        return float("inf")


def _v1_quota(folder: Path) -> float:
    try:
        quota = int((folder / "cpu.cfs_quota_us").read_text(encoding="ascii"))
        period = int((folder / "cpu.cfs_period_us").read_text(encoding="ascii"))
        return float("inf") if quota < 0 or period <= 0 else quota / period
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
        with _held():
            try:
                child = os.fork()
            except OSError:  # no process to be had (EAGAIN, ENOMEM): this process does it all
                child = -1
            if child == 0:  # pragma: no cover - the copy's coverage is not recorded (os._exit)
                try:
                    _in_the_copy(items, work, carry, queue_read, results_read, results_write, parent, run)
                finally:
                    os._exit(1)
        if child < 0:
            return [work(item) for item in items]
        _close(descriptors, results_write)
        inbox = _Inbox(results_read)
        done: dict[int, _R] = {}
        for index in _claims(queue_read, run, len(items)):
            done[index] = work(items[index])
            inbox.take()  # what the copy handed back so far: a full pipe would stall it
        finished = inbox.wait(child)
        child = 0  # reaped
        if finished:
            for each, added in zip(carry, inbox.carried):
                each.absorb(added)
        done.update(inbox.done)
        return [done[index] if index in done else work(items[index]) for index in range(len(items))]
    finally:
        def clean_up() -> None:
            nonlocal child
            if child > 0:  # this process was interrupted, or failed, while the copy worked
                _stop(child)
                child = 0
            for descriptor in list(descriptors):
                _close(descriptors, descriptor)

        try:
            with _held():  # a second Ctrl-C must not leave the copy or a descriptor behind
                clean_up()
        except BaseException:  # it came as the signals were being held: clean up all the same
            clean_up()
            raise


def _held() -> ContextManager[None]:
    """SIGINT, SIGTERM and SIGHUP held by the kernel within the block (``signals_held``)."""
    return signals_held(_SIGNALS)


def _pipe(descriptors: list[int]) -> tuple[int, int]:
    with _held():
        read, write = os.pipe()
        descriptors.extend((read, write))
    return read, write


def _close(descriptors: list[int], descriptor: int) -> None:
    """Close one of ``descriptors``, once (closing twice would replace an interrupt with EBADF)."""
    with _held():
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
        for signum in _SIGNALS:
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
        for index in _claims(queue, run, len(items)):
            if os.getppid() != parent:  # this process is gone: nobody waits for the rest
                return
            try:
                message = pickle.dumps(("item", index, work(items[index])), pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - this process does the item again, and raises as it would have
                continue
            _send(results_write, message)
        carried = [each.since(start) for each, start in zip(carry, before)]
        _send(results_write, pickle.dumps(("carry", carried), pickle.HIGHEST_PROTOCOL))
        status = 0
    except BaseException:  # noqa: BLE001 - whatever it was, this process takes the items back
        pass
    finally:
        os._exit(status)


def _send(results: int, message: bytes) -> None:  # pragma: no cover - runs in the forked copy
    view = memoryview(_FRAME.pack(len(message)) + message)
    while view:
        view = view[os.write(results, view):]


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


class _Inbox:
    """What the copy hands back: one frame (a length, then a pickle) per item as it is done,
    then its carried caches. Read as it comes, and to the end by ``wait``."""

    def __init__(self, results: int) -> None:
        self._results = results
        self._buffer = bytearray()
        self._poller = select.poll()  # not select(): no limit on the descriptor's number
        self._poller.register(results, select.POLLIN)
        self._ended = False
        self.done: dict[int, Any] = {}
        self.carried: list[Any] = []

    def take(self, timeout: float = 0.0) -> bool:
        """Read what the copy has handed back, waiting up to ``timeout`` seconds for something;
        whether anything came (or the pipe ended)."""
        came = False
        while not self._ended and self._poller.poll(timeout * 1000):
            chunk = os.read(self._results, 1 << 20)
            self._ended = not chunk
            self._buffer += chunk
            self._parse()
            came, timeout = True, 0.0
        return came

    def wait(self, child: int) -> bool:
        """Read to the end, and reap the copy; whether it finished its work (its carried caches
        came). A copy that hands back nothing for ``_PATIENCE`` seconds is stopped: what it
        handed back counts."""
        while not self._ended:
            if not self.take(_PATIENCE):
                _stop(child)
                return False
        return _reaped_status(child) == 0 and not self._buffer

    def _parse(self) -> None:
        buffer = self._buffer
        while len(buffer) >= _FRAME.size:
            (size,) = _FRAME.unpack_from(buffer)
            if len(buffer) < _FRAME.size + size:
                return
            message = bytes(buffer[_FRAME.size:_FRAME.size + size])
            del buffer[:_FRAME.size + size]
            try:
                kind, *payload = pickle.loads(message)
            except Exception:  # noqa: BLE001 - an item that does not come back is done here
                continue
            if kind == "item":
                self.done[payload[0]] = payload[1]
            else:
                self.carried = payload[0]


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
