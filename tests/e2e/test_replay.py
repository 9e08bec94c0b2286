"""End to end: ``--dry-run`` then ``--apply`` replays what the dry run verified, and its counts
are pytest's for the tree as it is when ``--apply`` runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

import pytest
from conftest import collect_only, copy_fixture, run_in_process, write_files

PROJECT = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "pkg/__init__.py": "",
    "pkg/mod.py": "def compute_total(xs):\n    return sum(xs)\n",
    "tests/test_total.py": "from pkg.mod import comptue_total\n\n\ndef test_total():\n    assert comptue_total([1, 2]) == 3\n",
    "tests/test_cases.py": (
        "import pathlib\n\nimport pytest\n\n"
        'CASES = pathlib.Path(__file__).with_name("cases.txt").read_text().split()\n\n\n'
        '@pytest.mark.parametrize("case", CASES)\ndef test_case(case):\n    assert case\n'
    ),
    "tests/cases.txt": "a b\n",
}


def report(root: Path, *args: str, env: Optional[dict[str, str]] = None) -> dict[str, object]:
    result = run_in_process(root, *args, "--rewrite-imports", "--format", "json", env=env)
    assert result.returncode in (0, 1), result.stderr
    found: dict[str, object] = json.loads(result.stdout)
    return found


def test_an_apply_after_a_dry_run_of_the_same_tree_replays_it(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", PROJECT)
    dry = report(root, "--dry-run")

    applied = report(root, "--apply")

    assert applied["replayed"] is True
    assert applied["diff"] == dry["diff"] != ""
    assert applied["after"]["tests"] == 3  # type: ignore[index]
    assert "3 tests collected" in collect_only(root).stdout


def test_a_dry_run_read_from_other_history_is_not_replayed(tmp_path: Path) -> None:
    """The same files, another HEAD (a commit since, a shallow clone fetched whole): the renames
    history shows may differ, so the apply searches again (a hostile review)."""
    root = write_files(tmp_path / "project", PROJECT)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "start"], cwd=root, check=True)
    report(root, "--dry-run")
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "later"], cwd=root, check=True)

    assert report(root, "--apply")["replayed"] is False


def test_a_replay_that_holds_never_loads_libcst(tmp_path: Path) -> None:
    """A replay writes the bytes the dry run verified: nothing in it needs LibCST, whose import
    (about 0.4 s, longer than a small project's collection) came before its first collection."""
    root = write_files(tmp_path / "project", PROJECT)
    report(root, "--dry-run")
    script = (
        "import sys\n"
        "from collect_fix.cli import main\n"
        f"code = main(['--apply', '--rewrite-imports', '--format', 'json', {str(root)!r}])\n"
        "print(code, 'libcst' in sys.modules, file=sys.stderr)\n"
    )

    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)

    assert json.loads(result.stdout)["replayed"] is True
    assert result.stderr.splitlines()[-1] == "0 False", result.stderr
    assert "3 tests collected" in collect_only(root).stdout


def test_what_changed_outside_the_python_files_since_the_dry_run_is_counted_as_pytest_counts_it(
    tmp_path: Path,
) -> None:
    """A data file a test module parametrizes from is not part of the tree the replay checks
    statically; the collection that checks the replay sees it."""
    root = write_files(tmp_path / "project", PROJECT)
    report(root, "--dry-run")
    (root / "tests" / "cases.txt").write_text("a b c\n", encoding="utf-8")

    applied = report(root, "--apply")

    assert applied["after"]["tests"] == 4  # type: ignore[index]
    assert "4 tests collected" in collect_only(root).stdout


def test_a_tree_pytest_collects_otherwise_than_the_dry_run_saw_it_is_not_replayed(tmp_path: Path) -> None:
    """The same files, another environment: the error the dry run repaired is not there."""
    files = dict(PROJECT)
    files["tests/test_total.py"] = (
        "import os\n\nif os.environ.get('LEGACY_Q'):\n    from pkg.mod import comptue_total\n"
        "else:\n    from pkg.mod import compute_total\n\n\ndef test_total():\n    pass\n"
    )
    root = write_files(tmp_path / "project", files)
    dry = report(root, "--dry-run", env={"LEGACY_Q": "1"})
    assert dry["diff"] != ""

    applied = report(root, "--apply")

    assert applied["replayed"] is False
    assert applied["diff"] == "" and applied["files_changed"] == []
    assert applied["before"]["tests"] == applied["after"]["tests"] == 3  # type: ignore[index]


def test_a_dry_run_with_its_temporary_directory_inside_the_project_is_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files(tmp_path / "project", PROJECT)
    (root / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root / "tmp"))
    report(root, "--dry-run")

    assert report(root, "--apply")["replayed"] is True


def test_a_dry_run_by_another_version_of_collect_fix_is_not_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another build may plan other repairs: the record names the collect-fix that made it."""
    import collect_fix
    from collect_fix import replay

    root = write_files(tmp_path / "project", PROJECT)
    report(root, "--dry-run")
    monkeypatch.setattr(collect_fix, "__version__", collect_fix.__version__ + ".post1")  # an upgrade meanwhile
    replay._own_code.cache_clear()
    try:
        applied = report(root, "--apply")
    finally:
        monkeypatch.undo()
        replay._own_code.cache_clear()

    assert applied["replayed"] is False
    assert applied["after"]["tests"] == 3  # type: ignore[index]


def test_a_replay_that_does_not_hold_leaves_nothing_learnt_behind(tmp_path: Path) -> None:
    """The dry run saw a test file kill the collecting process (an environment variable set); the
    apply, without it, must not take that file for dead, nor repair it (review)."""
    root = copy_fixture("sys_exit_on_import", tmp_path)
    kill = 'import os\n\nif os.environ.get("KILL_Q"):\n    os._exit(3)\n\n\ndef test_kill():\n    pass\n'
    write_files(root, {"tests/test_kill.py": kill})
    dry = report(root, "--dry-run", env={"KILL_Q": "1"})
    assert "process_exit" in json.dumps(dry["before"])

    applied = report(root, "--apply")

    assert applied["replayed"] is False
    assert "process_exit" not in json.dumps(applied["before"])
    assert (root / "tests/test_kill.py").read_text() == kill
    assert "tests/test_kill.py" not in applied["files_changed"]  # type: ignore[operator]
