"""Work shared with a forked copy gives what doing it here gives, whatever happens to the copy
(second_core)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import THREADS, can_fork

from collect_fix import second_core

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs Linux, fork and two cores")


class DictCarry:
    """A cache the copy fills, carried back the way transforms' remembered edits are."""

    def __init__(self) -> None:
        self.cache: dict[int, int] = {}

    def before(self) -> frozenset[int]:
        return frozenset(self.cache)

    def since(self, before: frozenset[int]) -> dict[int, int]:
        return {key: value for key, value in self.cache.items() if key not in before}

    def absorb(self, added: Any) -> None:
        self.cache.update(added)


def busy(seconds: float) -> None:
    """CPU work standing in for planning one diagnosis (a sleep would let one process take all)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_results_are_in_order_and_both_processes_worked() -> None:
    parent = os.getpid()

    def work(item: int) -> tuple[int, int]:
        busy(0.01)
        return item * item, os.getpid()

    results = second_core.share(list(range(40)), work)

    assert [value for value, _ in results] == [item * item for item in range(40)]
    workers = {pid for _, pid in results}
    assert parent in workers and len(workers) == 2


def test_what_the_copy_adds_to_a_carried_cache_is_found_here() -> None:
    carry = DictCarry()
    carry.cache[-1] = -1  # there before the fork: not sent back, still here

    def work(item: int) -> int:
        busy(0.005)
        carry.cache[item] = item * 2
        return item

    second_core.share(list(range(30)), work, carry=(carry,))

    assert carry.cache == {-1: -1, **{item: item * 2 for item in range(30)}}


def test_nothing_is_forked_when_the_user_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(second_core.NO_FORK_ENV, "1")

    assert set(second_core.share(list(range(10)), lambda item: os.getpid())) == {os.getpid()}


def test_items_the_copy_failed_on_are_done_here() -> None:
    """An item that raises in the copy (or anything it cannot pickle back) is done again here,
    and raises here if it raises here too, as doing it here would."""
    parent = os.getpid()

    def work(item: int) -> int:
        busy(0.005)
        if os.getpid() != parent:
            raise RuntimeError("only in the copy")
        return item + 1

    assert second_core.share(list(range(20)), work) == list(range(1, 21))


def test_a_copy_killed_by_a_signal_leaves_its_items_here() -> None:
    parent = os.getpid()

    def work(item: int) -> int:
        busy(0.005)
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return -item

    assert second_core.share(list(range(20)), work) == [-item for item in range(20)]


def test_a_copy_that_hangs_is_stopped_and_its_items_done_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(second_core, "_PATIENCE", 0.5)
    parent = os.getpid()
    copy_pid = tmp_path / "copy.pid"

    def work(item: int) -> int:
        if os.getpid() != parent:
            written = tmp_path / "copy.pid.part"
            written.write_text(str(os.getpid()))
            os.replace(written, copy_pid)  # whole, or not there
            threading.Event().wait()  # never set
        while not copy_pid.exists():  # the copy is at work (on a loaded machine it may start late)
            time.sleep(0.01)
        busy(0.005)
        return item

    started = time.monotonic()
    assert second_core.share(list(range(20)), work) == list(range(20))
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):  # stopped and reaped: not even a zombie
        os.kill(int(copy_pid.read_text()), 0)


@pytest.mark.parametrize("raised", [ValueError, KeyboardInterrupt])
def test_what_stops_this_process_also_stops_the_copy(raised: type[BaseException], tmp_path: Path) -> None:
    """A bug or Ctrl-C here while the copy works: the copy is stopped and reaped, the error raised."""
    parent = os.getpid()
    copy_pid = tmp_path / "copy.pid"

    def work(item: int) -> int:
        if os.getpid() != parent:
            written = tmp_path / "copy.pid.part"
            written.write_text(str(os.getpid()))
            os.replace(written, copy_pid)  # whole: this process stops the copy as soon as it sees the file
            threading.Event().wait()
        while not copy_pid.exists():
            time.sleep(0.01)
        raise raised("here")

    with pytest.raises(raised):
        second_core.share(list(range(4)), work)
    with pytest.raises(ProcessLookupError):
        os.kill(int(copy_pid.read_text()), 0)


def test_the_copy_leaves_no_files_and_runs_no_exit_handlers(tmp_path: Path) -> None:
    """It ends with os._exit: a temporary folder of this process is not removed by the copy's
    exit handlers (a ``sys.exit`` there would run ``weakref.finalize``'s)."""
    import tempfile

    kept = tempfile.TemporaryDirectory(dir=tmp_path)
    try:
        second_core.share(list(range(10)), lambda item: busy(0.005))
        assert Path(kept.name).is_dir()
    finally:
        kept.cleanup()


def test_no_process_to_be_had_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork)

    assert second_core.share(list(range(5)), lambda item: (item, os.getpid())) == [(item, os.getpid()) for item in range(5)]


def test_what_the_copy_prints_never_reaches_the_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    """A warning printed by the copy would be printed twice: once there, once here."""
    parent = os.getpid()

    def work(item: int) -> int:
        busy(0.005)
        where = "here" if os.getpid() == parent else "copy"
        print(f"{where} out {item}")
        os.write(2, f"{where} err {item}\n".encode())
        return item

    results = second_core.share(list(range(30)), work)

    out, err = capfd.readouterr()
    assert results == list(range(30))
    assert "here out" in out and "here err" in err
    assert "copy" not in out + err


def test_many_more_items_than_tokens_are_all_done_once() -> None:
    """Past 1,024 items a token stands for a run of them (the queue is written in one page)."""
    seen: list[int] = []

    def work(item: int) -> int:
        seen.append(item)
        return item * 3

    assert second_core.share(list(range(5000)), work) == [item * 3 for item in range(5000)]
    assert len(seen) == len(set(seen))  # here, nothing done twice (the copy's share came back)


COPY_INTERRUPTED = """
import os, signal, subprocess, sys, time
from collect_fix import second_core

def interrupted(*args):  # what a signal handled in the copy before its own handlers are set raises
    raise KeyboardInterrupt

second_core._in_the_copy = interrupted
bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # same process group
results = second_core.share(list(range(10)), lambda item: item + 1)
time.sleep(0.2)
print(results, bystander.poll())
bystander.kill()
"""


def test_an_interrupt_in_the_copy_before_it_is_set_up_ends_only_the_copy(tmp_path: Path) -> None:
    """Never this process's code running on in the copy, never a kill of the process group
    (this process, the shell or CI that started it)."""
    import subprocess
    import sys

    script = tmp_path / "copy_interrupted.py"
    script.write_text(COPY_INTERRUPTED, encoding="utf-8")
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60,
                         start_new_session=True)

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10] None"
    assert "Traceback" not in ran.stderr


def test_the_copy_runs_none_of_this_processs_signal_handlers(tmp_path: Path) -> None:
    """A SIGTERM the copy gets ends it (the default action), as a Ctrl-C does; the handler this
    process installed (collect-fix's undoes unverified edits) runs only here."""
    parent = os.getpid()
    handled = tmp_path / "handled"

    def handler(signum: int, frame: object) -> None:
        with handled.open("a") as record:
            record.write(f"{os.getpid()}\n")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        def work(item: int) -> int:
            busy(0.005)
            if os.getpid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                busy(0.5)  # a handler that returned would let the copy go on
            return item

        assert second_core.share(list(range(20)), work) == list(range(20))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not handled.exists()


def mask() -> set[int]:
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, ()))


def test_the_signal_mask_is_as_it_was_after_sharing_and_after_a_failed_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    before = mask()
    second_core.share(list(range(10)), lambda item: busy(0.002))
    assert mask() == before

    def fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork)
    second_core.share(list(range(10)), lambda item: item)
    assert mask() == before


def test_no_pipe_to_be_had_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def pipe() -> tuple[int, int]:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(os, "pipe", pipe)

    assert second_core.share(list(range(5)), lambda item: (item, os.getpid())) == [(item, os.getpid()) for item in range(5)]


def test_descriptors_numbered_past_1024_are_waited_on() -> None:
    """select() cannot wait on a descriptor numbered 1024 or more; poll() can."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("cannot open 1,100 files here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200) if hard == resource.RLIM_INFINITY else min(max(soft, 1200), hard), hard))
    opened = []
    try:
        while not opened or opened[-1] < 1100:
            opened.append(os.open(os.devnull, os.O_RDONLY))
        assert second_core.share(list(range(20)), lambda item: busy(0.005) or item) == list(range(20))
    finally:
        for descriptor in opened:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_cpu_quota_of_the_cgroups_counts(tmp_path: Path) -> None:
    """Without a readable mount list: the hierarchies where systemd mounts them."""
    proc = tmp_path / "cgroup"
    mounted = tmp_path / "fs"
    unlisted = tmp_path / "no-mountinfo"
    proc.write_text("0::/ci/job\n", encoding="ascii")
    (mounted / "ci" / "job").mkdir(parents=True)
    (mounted / "ci" / "job" / "cpu.max").write_text("max 100000\n", encoding="ascii")
    assert second_core.cgroup_cpus(proc, mounted, unlisted) == float("inf")
    (mounted / "ci" / "cpu.max").write_text("150000 100000\n", encoding="ascii")  # set on the parent group
    assert second_core.cgroup_cpus(proc, mounted, unlisted) == 1.5

    proc.write_text("5:cpuacct,cpu:/docker/abc\n3:memory:/docker/abc\n", encoding="ascii")  # cgroup v1
    folder = mounted / "cpuacct,cpu" / "docker" / "abc"
    folder.mkdir(parents=True)
    (folder / "cpu.cfs_quota_us").write_text("100000\n", encoding="ascii")
    (folder / "cpu.cfs_period_us").write_text("100000\n", encoding="ascii")
    assert second_core.cgroup_cpus(proc, mounted, unlisted) == 1.0
    (folder / "cpu.cfs_quota_us").write_text("-1\n", encoding="ascii")  # no limit
    assert second_core.cgroup_cpus(proc, mounted, unlisted) == float("inf")
    assert second_core.cgroup_cpus(tmp_path / "nowhere", mounted, unlisted) == float("inf")


def test_the_cgroup_hierarchies_are_found_where_they_are_mounted(tmp_path: Path) -> None:
    """A v1 ``cpu`` controller in a folder named in another order than the kernel lists it, a v2
    hierarchy under ``unified/``, a mount point with a space, a mount that shows a container's
    group as its top: read where the mount list says, never guessed from the names."""
    proc = tmp_path / "cgroup"
    mountinfo = tmp_path / "mountinfo"
    v1 = tmp_path / "cg v1" / "cpuacct,cpu"
    v2 = tmp_path / "fs" / "unified"
    mountinfo.write_text(
        f"31 23 0:28 / {tmp_path}/fs rw,relatime - tmpfs tmpfs rw,mode=755\n"
        f"32 31 0:29 /docker/abc {str(v1).replace(' ', chr(92) + '040')} rw,relatime shared:9 - cgroup cgroup rw,cpuacct,cpu\n"
        f"33 31 0:30 / {tmp_path}/fs/memory rw,relatime - cgroup cgroup rw,memory\n"
        f"41 31 0:38 / {v2} rw,relatime - cgroup2 cgroup2 rw\n"
        "not a mount line\n",
        encoding="ascii",
    )
    proc.write_text("2:cpu,cpuacct:/docker/abc/job\n4:memory:/docker/abc\n", encoding="ascii")
    (v1 / "job").mkdir(parents=True)
    (v1 / "job" / "cpu.cfs_quota_us").write_text("-1\n", encoding="ascii")
    (v1 / "job" / "cpu.cfs_period_us").write_text("100000\n", encoding="ascii")
    (v1 / "cpu.cfs_quota_us").write_text("100000\n", encoding="ascii")  # the container's own group
    (v1 / "cpu.cfs_period_us").write_text("100000\n", encoding="ascii")
    assert second_core.cgroup_cpus(proc, tmp_path / "fs", mountinfo) == 1.0

    proc.write_text("0::/ci\n", encoding="ascii")
    (v2 / "ci").mkdir(parents=True)
    (v2 / "ci" / "cpu.max").write_text("50000 100000\n", encoding="ascii")
    (tmp_path / "fs" / "ci").mkdir(parents=True)
    (tmp_path / "fs" / "ci" / "cpu.max").write_text("max 100000\n", encoding="ascii")  # not the hierarchy
    assert second_core.cgroup_cpus(proc, tmp_path / "fs", mountinfo) == 0.5


def test_a_mount_of_another_groups_part_of_the_hierarchy_is_not_read(tmp_path: Path) -> None:
    """A mount whose top is a child, a sibling or a name-prefix of this process's group shows
    other groups' quotas; a period of 0 is no quota."""
    proc = tmp_path / "cgroup"
    mountinfo = tmp_path / "mountinfo"
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "cpu.max").write_text("50000 100000\n", encoding="ascii")
    for group, root in (("/svc", "/svc/child"), ("/a", "/b"), ("/ab", "/a")):
        proc.write_text(f"0::{group}\n", encoding="ascii")
        mountinfo.write_text(f"40 1 0:38 {root} {tmp_path}/fs rw - cgroup2 cgroup2 rw\n", encoding="ascii")
        assert second_core.cgroup_cpus(proc, tmp_path / "fs", mountinfo) == float("inf"), (group, root)
    proc.write_text("0::/\n", encoding="ascii")
    mountinfo.write_text(f"40 1 0:38 / {tmp_path}/fs rw - cgroup2 cgroup2 rw\n", encoding="ascii")
    assert second_core.cgroup_cpus(proc, tmp_path / "fs", mountinfo) == 0.5
    (tmp_path / "fs" / "cpu.max").write_text("50000 0\n", encoding="ascii")
    assert second_core.cgroup_cpus(proc, tmp_path / "fs", mountinfo) == float("inf")


def test_large_results_do_not_stall_the_copy() -> None:
    """Its results are read as it hands them back: with only a pipe's worth waiting, it would
    stall and leave this process all the rest."""
    parent = os.getpid()

    def work(item: int) -> tuple[int, bytes]:
        busy(0.01)
        return os.getpid(), bytes(100_000)

    results = second_core.share(list(range(40)), work)

    assert len(results) == 40 and all(len(data) == 100_000 for _, data in results)
    assert sum(1 for pid, _ in results if pid != parent) >= 3  # 1 when it stalls


def test_a_running_thread_means_no_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread holding a lock at the fork would leave the copy waiting on it for ever."""
    monkeypatch.setattr(second_core, "_threads", THREADS)  # the real count (conftest)
    before = second_core._threads()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert second_core._threads() == before + 1
        assert not second_core.available()
    finally:
        stop.set()
        thread.join()


def test_cgroup_lines_that_do_not_parse_are_skipped(tmp_path: Path) -> None:
    proc = tmp_path / "cgroup"
    proc.write_bytes("\nnonsense\n0::/user.slice/caf\u00e9.scope\n".encode("utf-8"))

    assert second_core.cgroup_cpus(proc, tmp_path / "fs", tmp_path / "no-mountinfo") == float("inf")
