"""Promise (README, exit codes; issue 8, "Honest exit codes"): 0 only when nothing needs repair and
collection is clean; collect-fix never reports success where plain pytest would not succeed: a
module raising KeyboardInterrupt at import (also in a conftest), an ``addopts`` or ``pytest-args``
path that does not exist, an option pytest rejects, an empty folder or one without test files
(pytest exits 5). Each ends in exit 1 with a report naming what pytest said, never 0, never a
traceback; in the dry run (the default, what CI runs) and with ``--apply``.

Small projects, one collection each, run side by side; a clean project and a repaired one show
that 0 is given where it is true.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest
from cli_runs import cli, computed_once, environment, in_parallel, plain_collection, write_tree

PYPROJECT = "[tool.pytest.ini_options]\n"
TEST = "def test_a():\n    pass\n"
# name -> (files, the words the report must hold: what pytest said)
BROKEN: dict[str, tuple[dict[str, str], str]] = {
    "interrupt_at_import": ({"pyproject.toml": PYPROJECT, "tests/test_a.py": TEST,
                             "tests/test_stop.py": "raise KeyboardInterrupt\n\n\ndef test_stop():\n    pass\n"},
                            "KeyboardInterrupt"),
    "interrupt_in_conftest": ({"pyproject.toml": PYPROJECT, "tests/test_a.py": TEST, "tests/conftest.py": "raise KeyboardInterrupt\n"},
                              "KeyboardInterrupt"),
    "addopts_path_missing": ({"pyproject.toml": PYPROJECT + 'addopts = "missing_dir"\n', "tests/test_a.py": TEST},
                             "missing_dir"),
    "pytest_args_path_missing": ({"pyproject.toml": PYPROJECT + '\n[tool.collect-fix]\npytest-args = ["no/such/path"]\n',
                                  "tests/test_a.py": TEST}, "no/such/path"),
    "pytest_args_unknown_option": ({"pyproject.toml": '[tool.collect-fix]\npytest-args = ["--no-such-option"]\n',
                                    "tests/test_a.py": TEST}, "--no-such-option"),
    "empty_folder": ({"pyproject.toml": ""}, "exit code 5"),
    "no_test_files": ({"pyproject.toml": PYPROJECT, "tests/helpers.py": "X = 1\n"}, "exit code 5"),
}
FINE = {
    "clean": {"pyproject.toml": PYPROJECT, "tests/test_a.py": TEST},
    "repairable": {"pyproject.toml": PYPROJECT, "tests/test_a.py": TEST,
                   "tests/test_exit.py": "import sys\n\nsys.exit(1)\n\n\ndef test_exit():\n    pass\n"},
}
# Plain pytest fails on these only through collect-fix's own configuration (pytest-args).
THROUGH_OUR_CONFIG = {"pytest_args_path_missing", "pytest_args_unknown_option"}


@dataclass
class Outcome:
    returncode: Optional[int]
    stderr: bytes
    report: dict[str, Any]
    plain: Optional[int]  # plain pytest --collect-only on the tree as the run left it


def _run(base: Path, name: str, files: dict[str, str], mode: str) -> Outcome:
    root = write_tree(base / f"{name}{mode}" / "project", files)
    home = base / f"{name}{mode}" / "home"
    run: "subprocess.CompletedProcess[bytes]" = cli(mode, "--format", "json", str(root), env=environment(home))
    report = json.loads(run.stdout) if run.stdout.startswith(b"{") else {}
    # Plain pytest once per broken tree (neither mode changes it), on every tree of the fine ones.
    plain = plain_collection(root, home) if mode == "--dry-run" or name in FINE else None
    return Outcome(run.returncode, run.stderr, report, plain)


# Every case as a dry run; --apply (the same loop on the tree itself) for one of each kind.
APPLIED = ["interrupt_at_import"]
CASES = [(name, files, "--dry-run") for name, (files, _) in BROKEN.items()] + [
    (name, BROKEN[name][0], "--apply") for name in APPLIED] + [
    ("clean", FINE["clean"], "--dry-run"), ("repairable", FINE["repairable"], "--dry-run"),
    ("repairable", FINE["repairable"], "--apply")]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Outcome]:
    def all_of_them(base: Path) -> dict[tuple[str, str], Outcome]:
        found = in_parallel([lambda case=case: _run(base, *case) for case in CASES], workers=4)
        return {(name, mode): outcome for (name, _, mode), outcome in zip(CASES, found)}

    return computed_once(tmp_path_factory, "exit-codes", all_of_them)


@pytest.mark.parametrize("name,mode", [
    pytest.param(name, mode) for name, _, mode in CASES if name in BROKEN])
def test_never_clean_where_pytest_fails(outcomes: dict[tuple[str, str], Outcome], name: str, mode: str) -> None:
    """Issue 8: never exit 0 ("clean") where plain pytest would not succeed; exit 1 with a report
    (not 2: the project is broken, not the usage), one entry left for a person saying what pytest
    said, and nothing written."""
    outcome = outcomes[(name, mode)]
    assert outcome.returncode == 1, outcome.stderr
    assert b"Traceback" not in outcome.stderr
    assert outcome.report["after"]["errors"] >= 1
    assert outcome.report["files_changed"] == []
    words = BROKEN[name][1]
    assert any(words in entry["summary"] + entry["advice"] for entry in outcome.report["remaining"]), outcome.report["remaining"]
    if mode == "--dry-run" and name not in THROUGH_OUR_CONFIG:
        assert outcome.plain not in (0, None)  # plain pytest agrees: it fails here too


def test_clean_is_zero_and_pytest_agrees(outcomes: dict[tuple[str, str], Outcome]) -> None:
    """README: 0 when nothing needs repair and collection is clean (so the checks above are not
    met by a collect-fix that always says 1)."""
    outcome = outcomes[("clean", "--dry-run")]
    assert (outcome.returncode, outcome.plain) == (0, 0), outcome.stderr


def test_pending_repairs_are_one_and_a_verified_apply_is_zero(outcomes: dict[tuple[str, str], Outcome]) -> None:
    """README: the dry run exits 1 while a repair is pending (like ``black --check``); --apply that
    repaired everything exits 0, and plain pytest then collects cleanly."""
    dry, applied = outcomes[("repairable", "--dry-run")], outcomes[("repairable", "--apply")]
    assert dry.returncode == 1 and dry.report["files_changed"] == ["tests/test_exit.py"]
    assert dry.plain != 0  # the dry run wrote nothing: the exit still ends plain pytest's session
    assert (applied.returncode, applied.plain) == (0, 0), applied.stderr
