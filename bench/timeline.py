"""Where one run's wall time goes: collect-fix's steps and the processes it starts, on a clock.

Runs ``collect_fix.cli.main(ARGS)`` in this process with its main steps timed (collections
started and awaited, diagnosis, planning, the batch of edits, re-collections, the diff) and every
process it starts watched until it exits (pytest, git, the interpreter checks), then prints one
line per step or process, in start order, to stderr: start, end and duration in seconds since
this script started. collect-fix's own output goes to stdout as usual.

A profile says which functions cost CPU; this says what waits for what on the way from start to
report (a collection the main process could not overlap, a git call on the critical path). It
reaches into collect-fix's internals by name, so it breaks when they are renamed: it is a
developer's tool, not a benchmark (``bench_apply.py`` is the benchmark).

    python bench/timeline.py --dry-run /path/to/project > /dev/null
    COLLECT_FIX_NO_REPLAY=1 python bench/timeline.py --apply /path/to/project > /dev/null
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
import time
from typing import Any, Callable

START = time.perf_counter()
_LINES: list[tuple[float, float, str]] = []
_LOCK = threading.Lock()


def _record(began: float, label: str) -> None:
    with _LOCK:
        _LINES.append((began, time.perf_counter() - START, label))


def _timed(owner: Any, name: str, label: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter() - START
        try:
            return original(*args, **kwargs)
        finally:
            _record(began, label)

    setattr(owner, name, timed)


class _WatchedPopen(subprocess.Popen):  # type: ignore[type-arg]
    """A Popen whose process is watched until it exits (a zombie in /proc, or gone), so its
    lifetime is known even when nobody waits for it at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        began = time.perf_counter() - START
        command = args[0] if args else kwargs.get("args", "")
        text = " ".join(map(str, command)) if isinstance(command, (list, tuple)) else str(command)
        label = "process: " + " ".join(text.split())[:90]
        threading.Thread(target=self._watch, args=(began, label), daemon=True).start()

    def _watch(self, began: float, label: str) -> None:
        while True:
            try:
                with open(f"/proc/{self.pid}/stat", encoding="ascii", errors="replace") as stat:
                    state = stat.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                state = "gone"
            if state in ("Z", "gone"):
                _record(began, label)
                return
            time.sleep(0.002)


def main(argv: list[str]) -> int:
    from collect_fix import api, cli, collector

    for name in ("copy_project", "read_ahead", "diagnose_collection", "_baseline", "plan_all", "_decide_by_tests",
                 "_next_batch", "_collect_again", "judge", "_run_repaired_tests", "_diff", "_as_original"):
        if hasattr(api, name):
            _timed(api, name, f"api.{name}")
    _timed(collector.RunCollector, "start", "RunCollector.start")
    _timed(collector.PendingCollection, "result", "PendingCollection.result (waits, plans meanwhile)")
    subprocess.Popen = _WatchedPopen  # type: ignore[misc]
    imported = time.perf_counter() - START
    code: int = cli.main(argv)
    ended = time.perf_counter() - START
    time.sleep(0.01)  # the watchers of processes that just exited
    print(f"{'start':>7} {'end':>7} {'took':>6}", file=sys.stderr)
    print(f"{0:7.2f} {imported:7.2f} {imported:6.2f} imports of collect-fix (cli)", file=sys.stderr)
    with _LOCK:
        for began, finished, label in sorted(_LINES):
            print(f"{began:7.2f} {finished:7.2f} {finished - began:6.2f} {label}", file=sys.stderr)
    print(f"{ended:7.2f} {'':7} {'':6} end (exit {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
