"""Collections split across processes (sharding) against real pytest: the same result as one
session, each test file imported by exactly one shard, every conftest seen by every shard."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from collect_fix import collector, sharding
from collect_fix.cli import main
from collect_fix.project import Project
from collect_fix.types import Collection

from conftest import FIXTURES, collected_ids, write_files

# Each test module writes "<its name> <pid>" when imported: which process imported what.
_LOGGED = "import os, pathlib\npathlib.Path(os.environ['IMPORT_LOG']).open('a').write(f'{__name__} {os.getpid()}\\n')\n"
_TESTS = "\ndef test_one():\n    pass\n\ndef test_two():\n    pass\n"


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shard whatever the machine and the suite's size: the behaviour, not the threshold, is under test."""
    monkeypatch.setattr(sharding, "usable_cores", lambda: 2)
    monkeypatch.setattr(sharding, "MIN_BYTES", 0)
    monkeypatch.setenv("COLLECT_FIX_SHARDS", "2")


def suite(root: Path) -> Path:
    return write_files(root, {
        "pytest.ini": "[pytest]\n",
        "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef shared():\n    return 1\n",
        "tests/test_a.py": _LOGGED + _TESTS,
        "tests/test_b.py": _LOGGED + "from missing_module import thing\n" + _TESTS,
        "tests/deep/__init__.py": "",
        "tests/deep/conftest.py": "import pytest\n\n@pytest.fixture\ndef deep():\n    return 2\n",
        "tests/deep/test_c.py": _LOGGED + _TESTS + "\ndef test_three(deep, shared):\n    pass\n",
        "tests/deep/test_d.py": _LOGGED + "import sys\nsys.exit(1)\n",
        "tests/test_e.py": _LOGGED + "def helper():\n    pass\n",  # no tests at all
        "tests/test_f.py": _LOGGED + _TESTS,
    })


def collect(root: Path, shards: list[list[Path]]) -> Collection:
    runs = collector.RunCollector(root, sys.executable, timeout=120, shards=shards)
    try:
        return runs.collect()
    finally:
        runs.close()


def imports(log: Path) -> list[tuple[str, str]]:
    return [tuple(line.split()) for line in log.read_text().splitlines()]  # type: ignore[misc]


def test_deal_balances_bytes_largest_first_and_is_deterministic() -> None:
    files = [(Path("big.py"), 900), (Path("a.py"), 300), (Path("b.py"), 300), (Path("c.py"), 200), (Path("d.py"), 100)]

    groups = sharding.deal(files, 2)

    assert groups == [[Path("big.py")], [Path("a.py"), Path("b.py"), Path("c.py"), Path("d.py")]]
    assert sharding.deal(list(reversed(files)), 2) == groups
    assert sharding.deal(files, 1) == [sorted(path for path, _ in files)]
    assert sharding.deal(files[:1], 3) == [[Path("big.py")]]  # no empty shards


def test_shards_only_when_asked_for_a_large_suite_on_several_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLLECT_FIX_SHARDS", raising=False)
    monkeypatch.setattr(sharding, "usable_cores", lambda: 4)
    assert sharding.shard_count(10 * sharding.MIN_BYTES) == 1  # off unless asked for
    monkeypatch.setenv("COLLECT_FIX_SHARDS", "8")
    assert sharding.shard_count(sharding.MIN_BYTES - 1) == 1
    assert sharding.shard_count(sharding.MIN_BYTES) == 4
    monkeypatch.setenv("COLLECT_FIX_SHARDS", "3")
    assert sharding.shard_count(sharding.MIN_BYTES) == 3
    monkeypatch.setenv("COLLECT_FIX_SHARDS", "1")
    assert sharding.shard_count(10 * sharding.MIN_BYTES) == 1
    monkeypatch.setattr(sharding, "usable_cores", lambda: 1)
    monkeypatch.setenv("COLLECT_FIX_SHARDS", "8")
    assert sharding.shard_count(10 * sharding.MIN_BYTES) == 1


def test_without_asking_a_large_suite_is_one_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = suite(tmp_path / "project")
    monkeypatch.setattr(sharding, "usable_cores", lambda: 2)
    monkeypatch.setattr(sharding, "MIN_BYTES", 0)
    monkeypatch.delenv("COLLECT_FIX_SHARDS", raising=False)
    assert sharding.groups(Project(root)) == []
    monkeypatch.setenv("COLLECT_FIX_SHARDS", "2")
    assert len(sharding.groups(Project(root))) == 2


def test_shards_collect_what_one_session_collects_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None
) -> None:
    root = suite(tmp_path / "project")
    monkeypatch.setenv("IMPORT_LOG", str(tmp_path / "one.log"))
    one = collect(root, [])
    monkeypatch.setenv("IMPORT_LOG", str(tmp_path / "sharded.log"))
    groups = sharding.groups(Project(root))
    sharded = collect(root, groups)

    assert len(groups) == 2
    assert sharded.tests == one.tests == 7
    assert sharded.tests_per_file == one.tests_per_file
    assert [(error.path, error.exc_type, error.message) for error in sharded.errors] == [
        (error.path, error.exc_type, error.message) for error in one.errors
    ]
    assert {error.exc_type for error in sharded.errors} == {"ModuleNotFoundError", "SystemExit"}
    assert sharded.modules == one.modules and sharded.completed
    # Every test module was imported exactly once, by two processes between them.
    logged = imports(tmp_path / "sharded.log")
    assert sorted(name for name, _ in logged) == sorted(name for name, _ in imports(tmp_path / "one.log"))
    assert len({name for name, _ in logged}) == len(logged) == 6
    assert len({pid for _, pid in logged}) == 2


def test_a_failing_conftest_is_one_error_not_one_per_shard(tmp_path: Path, two_cores: None) -> None:
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "tests/conftest.py": "raise ImportError('no backend')\n",
        "tests/test_a.py": _TESTS,
        "tests/test_b.py": _TESTS,
        "tests/test_c.py": _TESTS,
    })
    groups = sharding.groups(Project(root))

    sharded = collect(root, groups)

    assert len(groups) == 2
    assert [error.exc_type for error in sharded.errors] == [error.exc_type for error in collect(root, []).errors]
    assert len(sharded.errors) == 1


def test_a_shard_without_tests_does_not_report_the_suite_empty(tmp_path: Path, two_cores: None) -> None:
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "tests/test_big_but_empty.py": "def helper():\n    pass\n" + "# padding\n" * 200,
        "tests/test_a.py": _TESTS,
    })
    groups = sharding.groups(Project(root))

    sharded = collect(root, groups)

    assert len(groups) == 2
    assert sharded.tests == 2 and sharded.errors == ()


def test_a_partial_collection_split_across_shards_merges_like_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None
) -> None:
    root = suite(tmp_path / "project")
    monkeypatch.setenv("IMPORT_LOG", str(tmp_path / "log"))
    groups = sharding.groups(Project(root))
    scope = collector.Scope(frozenset({"tests/test_a.py", "tests/test_b.py", "tests/test_f.py"}), frozenset({"tests/deep"}))

    def recollect(shards: list[list[Path]]) -> Collection:
        runs = collector.RunCollector(root, sys.executable, timeout=120, shards=shards)
        try:
            first = runs.collect()
            (root / "tests/test_b.py").write_text(_LOGGED + _TESTS, encoding="utf-8")  # repaired
            try:
                return runs.recollect(first, scope, ("tests/test_b.py",))
            finally:
                (root / "tests/test_b.py").write_text(_LOGGED + "from missing_module import thing\n" + _TESTS, encoding="utf-8")
        finally:
            runs.close()

    one, sharded = recollect([]), recollect(groups)

    assert sharded.tests == one.tests == 9
    assert sharded.tests_per_file == one.tests_per_file
    assert [error.exc_type for error in sharded.errors] == [error.exc_type for error in one.errors] == ["SystemExit"]


def test_apply_with_shards_writes_the_same_repairs(
    fixture_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_cores: None
) -> None:
    one_root = fixture_project("refactor_fallout")
    sharded_root = tmp_path / "sharded"
    os.rename(one_root, sharded_root)
    one_root = fixture_project("refactor_fallout")
    merged: list[int] = []
    combine = sharding.combine
    monkeypatch.setattr(sharding, "combine", lambda parts: merged.append(len(parts)) or combine(parts))

    sharded_code = main([str(sharded_root), "--apply", "--format", "json"])
    assert merged and set(merged) == {2}, "the collections ran as two shards"
    monkeypatch.delenv("COLLECT_FIX_SHARDS")
    del merged[:]
    one_code = main([str(one_root), "--apply", "--format", "json"])

    assert not merged
    assert sharded_code == one_code
    for path in sorted(one_root.rglob("*")):
        if path.is_file():
            relative = path.relative_to(one_root)
            assert (sharded_root / relative).read_bytes() == path.read_bytes(), relative
    assert any(
        path.is_file() and path.read_bytes() != (FIXTURES / "refactor_fallout" / path.relative_to(one_root)).read_bytes()
        for path in one_root.rglob("*.py")
    ), "the run repaired something"
    assert collected_ids(sharded_root) == collected_ids(one_root) != []
