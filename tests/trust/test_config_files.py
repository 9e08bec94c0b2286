"""Promise: a configuration repair (a marker to register, a ``pythonpath`` entry) edits the file
pytest itself read for the run, in place, and never creates one that would hide it. A file outside
PATH (a monorepo's root configuration) is never edited: the report names it and the exact lines
to add, and the run exits 1. Only where pytest read no file at all is one created, in PATH. The dry
run shows exactly what ``--apply`` writes.

Real small projects, the real CLI, real pytest run from the places a person runs it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import collected_ids, failing_files, run_in_process, snapshot

from collect_fix import collector

PYTHONS = [pytest.param(sys.executable, id="this-python")]
if os.environ.get("COLLECT_FIX_PYTEST8_PYTHON"):  # CI: Python 3.8 with pytest 8, see .ci/run
    PYTHONS.append(pytest.param(os.environ["COLLECT_FIX_PYTEST8_PYTHON"], id="pytest-8"))

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git apply replays the dry run's diff")

SLOW_TEST = """\
    import pytest


    @pytest.mark.slow
    def test_total():
        assert 1 + 1 == 2
    """
SRC_TEST = """\
    from billing import RATE


    def test_rate():
        assert RATE == 2
    """
ROOT_INI = """\
    [pytest]
    # One configuration for the whole repository.
    addopts = --strict-markers
    markers =
        network: talks to the network
    """
MONOREPO = {
    "pytest.ini": ROOT_INI,
    "billing/pyproject.toml": '[project]\nname = "billing"\nversion = "1.0"\n',
    "billing/src/billing/__init__.py": "RATE = 2\n",
    "billing/tests/test_total.py": SLOW_TEST,
    "billing/tests/test_rate.py": SRC_TEST,
    "shipping/tests/test_ship.py": "def test_ship():\n    pass\n",
}
ALL_TESTS = [
    "billing/tests/test_rate.py::test_rate", "billing/tests/test_total.py::test_total", "shipping/tests/test_ship.py::test_ship",
]


@pytest.mark.parametrize("python", PYTHONS)
def test_the_root_configuration_of_a_monorepo_is_named_never_shadowed(tmp_path: Path, python: str) -> None:
    mono = write_project(tmp_path / "mono", MONOREPO)
    billing = mono / "billing"
    before = snapshot(mono)
    assert failing_files(mono) == ["billing/tests/test_rate.py", "billing/tests/test_total.py"]

    dry = cli(billing, "--dry-run", "--python", python)
    applied = cli(billing, "--apply", "--python", python)

    assert snapshot(mono) == before  # no pytest.ini in billing/, no table in its pyproject.toml
    assert (dry.returncode, applied.returncode) == (1, 1)
    assert report(dry)["diff"] == report(applied)["diff"] == ""
    assert report(dry)["remaining"] == report(applied)["remaining"]
    advice = {entry["category"]: entry["advice"] for entry in report(applied)["remaining"]}
    root_ini = mono / "pytest.ini"
    assert advice["unknown_marker"].startswith(f"Register 'slow' under `markers` in {root_ini} [pytest]: ")
    assert "after line 5 add `    slow`" in advice["unknown_marker"]
    # Entries of pythonpath are relative to the file's folder: the repository's root.
    assert f"Add 'billing/src' to `pythonpath` in {root_ini} [pytest]: " in advice["project_not_importable"]

    # A person follows the advice, one run at a time, each on the file as it is then.
    follow(advice["unknown_marker"])
    follow({entry["category"]: entry["advice"] for entry in report(cli(billing, "--apply", "--python", python))["remaining"]}[
        "project_not_importable"
    ])
    assert cli(billing, "--apply", "--python", python).returncode == 0
    assert collected_ids(mono) == ALL_TESTS  # pytest from the root of the repository
    assert collected_ids(billing) == ALL_TESTS[:2]  # from billing/: still the root's configuration and rootdir
    assert root_ini.read_text().startswith(textwrap.dedent(ROOT_INI).rstrip("\n") + "\n    slow\n")


@pytest.mark.parametrize("python", PYTHONS)
def test_the_collector_reports_the_file_pytest_read(tmp_path: Path, python: str) -> None:
    mono = write_project(tmp_path / "mono", MONOREPO)
    bare = write_project(tmp_path / "bare", {"test_a.py": "def test_a():\n    pass\n"})

    assert collector.collect(mono / "billing", python).inifile == str(mono / "pytest.ini")
    assert collector.collect(bare, python).inifile == ""


SUB_PYPROJECT = """\
    [project]
    name = "billing"  # the distribution
    version = "1.0"

    [tool.pytest.ini_options]
    # Strict: a typo in a marker must fail.
    addopts = "--strict-markers"
    markers = [
        "network: talks to the network",  # deselected in CI
    ]

    [tool.coverage.run]
    branch = true
    """
SUB_PYPROJECT_AFTER = """\
    [project]
    name = "billing"  # the distribution
    version = "1.0"

    [tool.pytest.ini_options]
    # Strict: a typo in a marker must fail.
    addopts = "--strict-markers"
    markers = [
        "network: talks to the network",  # deselected in CI
        "slow",
    ]
    pythonpath = ["src"]

    [tool.coverage.run]
    branch = true
    """


@pytest.mark.parametrize("python", PYTHONS)
def test_a_sub_project_with_its_own_table_is_edited_in_place(tmp_path: Path, python: str) -> None:
    mono = write_project(tmp_path / "mono", {
        **MONOREPO, "pytest.ini": "[pytest]\n# no strict markers here\n", "billing/pyproject.toml": SUB_PYPROJECT,
    })
    billing = mono / "billing"
    root_ini = (mono / "pytest.ini").read_bytes()

    changed = dry_run_then_apply(billing, tmp_path, "--python", python)

    assert changed == {"pyproject.toml": textwrap.dedent(SUB_PYPROJECT_AFTER)}
    assert (mono / "pytest.ini").read_bytes() == root_ini
    assert collected_ids(billing) == ["tests/test_rate.py::test_rate", "tests/test_total.py::test_total"]


PROJECT_TESTS = {
    "src/billing/__init__.py": "RATE = 2\n",
    "tests/test_total.py": SLOW_TEST,
    "tests/test_rate.py": SRC_TEST,
}

FORMATS = [
    pytest.param(
        {"setup.cfg": """\
            [metadata]
            name = billing

            [tool:pytest]
            # strict on purpose
            addopts = --strict-markers
            testpaths = tests

            [flake8]
            max-line-length = 100
            """},
        {"setup.cfg": """\
            [metadata]
            name = billing

            [tool:pytest]
            # strict on purpose
            addopts = --strict-markers
            testpaths = tests
            pythonpath = src
            markers =
                slow

            [flake8]
            max-line-length = 100
            """},
        {}, id="setup.cfg [tool:pytest]",
    ),
    pytest.param(
        {"tox.ini": """\
            ; tox and pytest share this file
            [tox]
            envlist = py3

            [pytest]
            addopts = --strict-markers
            markers =
                network: talks to the network
                ; keep sorted

            [testenv]
            commands = pytest {posargs}
            """},
        {"tox.ini": """\
            ; tox and pytest share this file
            [tox]
            envlist = py3

            [pytest]
            addopts = --strict-markers
            markers =
                network: talks to the network
                slow
                ; keep sorted
            pythonpath = src

            [testenv]
            commands = pytest {posargs}
            """},
        {}, id="tox.ini [pytest]",
    ),
    pytest.param(
        {"pyproject.toml": '[project]\nname = "billing"  # no pytest table\n'},
        {"pyproject.toml": '[project]\nname = "billing"  # no pytest table\n\n'
                           '[tool.pytest.ini_options]\npythonpath = ["src"]\nmarkers = [\n    "slow",\n]\n'},
        {"PYTEST_ADDOPTS": "--strict-markers"}, id="pyproject.toml without a table, read by pytest all the same",
    ),
    pytest.param(
        {},
        {"pytest.ini": "[pytest]\npythonpath = src\nmarkers =\n    slow\n"},
        {"PYTEST_ADDOPTS": "--strict-markers"}, id="no configuration at all: a new pytest.ini",
    ),
]


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize(("config", "expected", "env"), FORMATS)
def test_each_file_pytest_reads_is_edited_in_place(
    tmp_path: Path, config: dict[str, str], expected: dict[str, str], env: dict[str, str], python: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    project = write_project(tmp_path / "billing", {**PROJECT_TESTS, **config})

    changed = dry_run_then_apply(project, tmp_path, "--python", python)

    assert changed == {name: textwrap.dedent(text) for name, text in expected.items()}
    assert collected_ids(project) == ["tests/test_rate.py::test_rate", "tests/test_total.py::test_total"]
    again = snapshot(project)
    assert cli(project, "--apply", "--python", python).returncode == 0
    assert snapshot(project) == again


# -- helpers -------------------------------------------------------------------------------------


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI (``main(argv)``, in this process) with its JSON report on stdout."""
    return run_in_process(root, "--format", "json", *args)


def report(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        raise AssertionError(result.stdout + result.stderr) from None
    return loaded


def dry_run_then_apply(project: Path, tmp_path: Path, *options: str) -> dict[str, str]:
    """Dry run, then ``--apply``; the dry run wrote nothing and its diff, replayed with
    ``git apply`` on the original files, gives exactly what ``--apply`` wrote. Returns the
    files ``--apply`` changed, with their new text."""
    before, originals = snapshot(project), files_of(project)
    dry = cli(project, "--dry-run", *options)
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert snapshot(project) == before
    applied = cli(project, "--apply", *options)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    replay = tmp_path / "replay"
    for name, data in originals.items():
        (replay / name).parent.mkdir(parents=True, exist_ok=True)
        (replay / name).write_bytes(data)
    replay.mkdir(exist_ok=True)
    subprocess.run(["git", "apply", "-"], input=report(dry)["diff"], text=True, cwd=replay, check=True)
    after = files_of(project)
    assert files_of(replay) == after
    assert report(dry)["files_changed"] == report(applied)["files_changed"]
    return {name: data.decode() for name, data in after.items() if originals.get(name) != data}


def files_of(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def write_project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


_STEP = re.compile(r"(?:after line (?P<after>\d+) add|replace line (?P<line>\d+) with) (?P<lines>`[^`]*`(?:, `[^`]*`)*)")


def follow(advice: str) -> None:
    """Make the edit the advice describes, as a person would, in the file it names."""
    named = re.search(r" in (?P<file>/\S+) \[", advice)
    assert named is not None, advice
    path = Path(named["file"])
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    steps = list(_STEP.finditer(advice))
    assert steps, advice
    for step in reversed(steps):
        new = [f"{text}\n" for text in re.findall(r"`([^`]*)`", step["lines"])]
        if step["after"] is not None:
            at = int(step["after"])
            lines[at:at] = new
        else:
            at = int(step["line"]) - 1
            lines[at:at + 1] = new
    path.write_text("".join(lines), encoding="utf-8")
