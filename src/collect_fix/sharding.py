"""One collection split across the cores: the test files dealt into shards, collected at once.

pytest collects one file after another, in one process; on a large suite that is collect-fix's
longest wait, while the machine's other cores idle. Each shard is the very same pytest command
(same rootdir, configuration, plugins and arguments); every shard walks the whole tree and loads
every conftest, and the probe leaves out the test files dealt to the other shards
(``pytest_ignore_collect``). Separate processes do not share what one session accumulates while
it imports test modules (``sys.path`` entries, ``sys.modules``, a conftest's side effects), so
sharding is opt-in (``shard_count``; README: "Collections on several cores"). The shards' results
are merged into one Collection, errors in path order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional, Sequence

from collect_fix.project import Project
from collect_fix.types import Collection, CollectionError, distinct_errors

# Below this many bytes of test files, a second pytest's start-up (about 0.3 s) costs more than
# half the collection saves (bench/bench_apply.py: a 3,000-test suite holds about 1 MB).
MIN_BYTES = 256 * 1024
MAX_SHARDS = 8
_SHARDS_ENV = "COLLECT_FIX_SHARDS"  # how many shards at most; unset or 1: one pytest
NO_TESTS = "NoTestsCollected"  # collector.NO_TESTS (collector imports this module)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def shard_count(total_bytes: int) -> int:
    """How many shards to run for ``total_bytes`` of test files (1: one pytest, the default).

    Opt-in (``COLLECT_FIX_SHARDS=N``): separate processes do not share what importing a test module
    does to the session (pytest's ``sys.path`` insertions, ``sys.modules``), so a suite whose test
    folders are not packages can collect differently in shards (README).
    """
    wanted = os.environ.get(_SHARDS_ENV, "").strip()
    if not wanted.isdigit() or total_bytes < MIN_BYTES:
        return 1
    return max(1, min(int(wanted), usable_cores(), MAX_SHARDS))


def deal(files: Sequence[tuple[Path, int]], shards: int) -> list[list[Path]]:
    """``files`` (path, size) dealt into ``shards`` groups of about equal bytes: the largest file
    first, each to the group holding the fewest bytes. Deterministic for the same input."""
    groups: list[list[Path]] = [[] for _ in range(max(1, shards))]
    weights = [0] * len(groups)
    for path, size in sorted(files, key=lambda item: (-item[1], str(item[0]))):
        lightest = weights.index(min(weights))
        groups[lightest].append(path)
        weights[lightest] += max(size, 1)
    return [sorted(group) for group in groups if group]


def combine(parts: Sequence[Collection]) -> Collection:
    """The one Collection the shards make together (each left out the others' files)."""
    first = parts[0]
    per_file: dict[str, int] = {}
    for part in parts:
        per_file.update(part.tests_per_file)  # a file given as an argument is collected by every shard
    tests = sum(per_file.values())
    errors = _in_order(error for part in parts for error in part.errors)
    found_something = tests > 0 or any(error.exc_type != NO_TESTS for error in errors)
    if found_something:  # "no tests" is one shard's view, not the suite's
        errors = [error for error in errors if error.exc_type != NO_TESTS]
    codes = [part.exit_code for part in parts if part.exit_code not in (0, 5)]
    skipped = sorted(dict.fromkeys(path for part in parts for path in part.skipped_files), key=_order)
    origins: dict[str, str] = {}
    for part in parts:
        origins.update(part.skip_origins)
    return Collection(
        tests=tests,
        errors=tuple(errors),
        tests_per_file=dict(sorted(per_file.items(), key=lambda item: _order(item[0]))),
        skipped_files=tuple(skipped),
        skip_origins=origins,
        masked=tuple(_in_order(error for part in parts for error in part.masked)),
        exit_code=codes[0] if codes else (0 if found_something else 5),
        completed=all(part.completed for part in parts),
        stderr_tail="".join(part.stderr_tail for part in parts)[-4000:],
        python_version=first.python_version,
        pytest_version=first.pytest_version,
        rootdir=first.rootdir,
        inifile=first.inifile,
        settings=first.settings,
        recollected=first.recollected,
        modules=frozenset().union(*(part.modules for part in parts)),
    )


def _in_order(errors: Iterable[CollectionError]) -> list[CollectionError]:
    """Distinct errors, in the order one session reports them: errors outside any file first,
    then by path as pytest walks the tree (a stable sort: one file's errors keep their order)."""
    return sorted(distinct_errors(errors), key=lambda error: _order(error.path))


def _order(path: Optional[str]) -> tuple[str, ...]:
    """Sort key of a path in pytest's walk: a directory's entries by name, directories and files
    together, its conftest before all of them; no path at all before everything."""
    if not path:
        return ()
    parts = Path(path).parts
    if parts[-1] == "conftest.py":
        return (*parts[:-1], "")
    return parts



def groups(project: Project) -> list[list[Path]]:
    """The project's test modules dealt into as many shards as pay here; [] for one pytest."""
    if shard_count(MIN_BYTES) == 1:
        return []  # not asked for, or one core: no need to walk the tree before collecting
    files: list[tuple[Path, int]] = []
    for path in project.python_files():
        if project.is_test_module(path):
            try:
                files.append((path, path.stat().st_size))
            except OSError:
                continue
    count = shard_count(sum(size for _, size in files))
    return deal(files, count) if count > 1 else []
