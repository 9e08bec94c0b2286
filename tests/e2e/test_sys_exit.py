"""Issue 2 acceptance: a module-level sys.exit(1) hides the whole suite; --apply restores it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import collect_only, collected_ids, copy_fixture, run_collect_fix, run_in_process, snapshot

OTHER_TESTS = [
    "tests/test_bucket.py::test_starts_full",
    "tests/test_bucket.py::test_empties",
    "tests/test_bucket.py::test_refills[0.5-False]",
    "tests/test_bucket.py::test_refills[1.0-True]",
    "tests/test_bucket.py::test_refills[5.0-True]",
    "tests/test_clock.py::test_default_clock_is_monotonic",
    "tests/test_clock.py::test_rate_kept",
]


def test_plain_pytest_collects_nothing_before(fixture_project) -> None:
    root = fixture_project("sys_exit_on_import")
    result = collect_only(root)
    assert "INTERNALERROR" in result.stdout + result.stderr
    assert collected_ids(root) == []


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The fixture after one ``--apply``, shared by the tests that read what it left."""
    root = copy_fixture("sys_exit_on_import", tmp_path_factory.mktemp("applied"))
    return root, run_in_process(root, "--apply")


def test_apply_restores_collection_and_skips_the_file(applied: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, result = applied

    assert result.returncode == 0, result.stdout + result.stderr
    assert collected_ids(root) == OTHER_TESTS
    plain = collect_only(root)
    assert plain.returncode == 0, plain.stdout
    assert "INTERNALERROR" not in plain.stdout + plain.stderr
    assert "7 tests collected" in plain.stdout
    verbose = collect_only(root, "-rs")
    assert "SKIPPED [1] tests/test_api_rate_limiting.py" in verbose.stdout  # pytest reports the file as skipped
    # the report's numbers are pytest's: 0 before (INTERNALERROR) ... 7 after
    assert "tests collected" in result.stdout


def test_second_apply_changes_nothing(applied: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    root, _ = applied
    state = snapshot(root)

    again = run_in_process(root, "--apply")

    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(root) == state


def test_dry_run_writes_nothing_prints_the_diff_and_exits_1(fixture_project) -> None:
    root = fixture_project("sys_exit_on_import")
    state = snapshot(root)

    result = run_collect_fix(root, "--dry-run")

    assert result.returncode == 1, result.stdout + result.stderr
    assert snapshot(root) == state
    assert "--- a/tests/test_api_rate_limiting.py" in result.stdout
    assert "+++ b/tests/test_api_rate_limiting.py" in result.stdout
    assert "dry run" in result.stdout


def test_no_mode_flag_means_dry_run(fixture_project) -> None:
    root = fixture_project("sys_exit_on_import")
    state = snapshot(root)
    result = run_in_process(root)  # the real process's exit 1 and no write: the test above
    assert result.returncode == 1
    assert snapshot(root) == state


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_dry_run_diff_applied_to_a_copy_gives_the_apply_tree(
    fixture_project, applied: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    patched = fixture_project("sys_exit_on_import")

    diff = run_in_process(patched, "--dry-run", "--quiet").stdout
    patch_text = diff[: diff.index("\ncollect-fix report")] if "\ncollect-fix report" in diff else diff
    (tmp_path / "dry.patch").write_text(patch_text.rstrip("\n") + "\n", encoding="utf-8")
    subprocess.run(["git", "apply", str(tmp_path / "dry.patch")], cwd=patched, check=True)

    assert snapshot_bytes(patched) == snapshot_bytes(applied[0])


def snapshot_bytes(root: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(root).items()}
