"""Promises (issue 8, "Data and writes"): one run at a time per project: a second ``--apply`` (or a
dry run) while an ``--apply`` works says a run is in progress and exits 2, writing nothing, and
the first run's result is what it would have been alone; dry runs, which write nothing, may run
side by side. An undo never overwrites or deletes what someone else saved during the run: the
file is left as they saved it, and the report says so.

Deterministic, no fixed delays: the first run is held inside its first collection by a test module
that waits on a FIFO (see GATE) until the test has run the second one; the "user" saving files during a
run is a conftest that writes them the first time a collection finds collect-fix's edit on disk,
that is, after collect-fix wrote it and before its verdict.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from cli_runs import cli, computed_once, environment, in_parallel, scratch_left, temp_files_in, tree, write_tree

EXIT = "import sys\n\nsys.exit(1)\n\n\ndef test_exit():\n    pass\n"
# Held while TRUST_GATE names a FIFO: the import waits until the test closes the FIFO's other end.
# Only the first import waits (a marker says it passed); later collections go straight through.
GATE = """\
import os

GATE = os.environ.get("TRUST_GATE")
if GATE and not os.path.exists(GATE + ".passed"):
    with open(GATE, "rb") as fifo:  # blocks until the test opens the writing end
        fifo.read()  # returns when the test closes it
    open(GATE + ".passed", "w").close()


def test_gate():
    pass
"""
PROJECT = {"pyproject.toml": "[tool.pytest.ini_options]\n", "tests/test_exit.py": EXIT, "tests/test_gate.py": GATE}


class Gate:
    """The FIFO a gated run waits on: ``wait_until_held`` returns once the run is inside its
    first collection (holding the project's lock); ``open`` lets it go on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.writer: Optional[int] = None

    def wait_until_held(self, run: "subprocess.Popen[bytes]", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.writer is None:
            try:  # succeeds only once the module has opened the reading end
                self.writer = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO or run.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the gated run never reached its collection: {run.poll()}") from exc
                time.sleep(0.01)

    def open(self) -> None:
        if self.writer is not None:
            os.close(self.writer)
            self.writer = None


@dataclass
class Run:
    returncode: Optional[int]
    stdout: bytes
    stderr: bytes

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout) if self.stdout.startswith(b"{") else {}


def _as_run(done: "subprocess.CompletedProcess[bytes]") -> Run:
    return Run(done.returncode, done.stdout, done.stderr)


def _gated(base: Path, mode: str, while_held: Callable[[Path, dict[str, str]], list[Run]]) -> tuple[Run, list[Run], dict[str, bytes]]:
    """Start ``collect-fix MODE`` held at the gate, call ``while_held(project, env)`` (the runs made
    meanwhile, with the same environment), open the gate; return the gated run, the others, and
    the project's files at the end."""
    root = write_tree(base / "project", PROJECT)
    gate = Gate(base / "gate")
    env = environment(base / "home", COLLECT_FIX_NO_REPLAY="1")
    gated = subprocess.Popen([sys.executable, "-m", "collect_fix", mode, "--format", "json", str(root)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**env, "TRUST_GATE": str(gate.path)})
    try:
        gate.wait_until_held(gated)
        others = while_held(root, env)
    finally:
        gate.open()
        stdout, stderr = gated.communicate(timeout=120)
    return Run(gated.returncode, stdout, stderr), others, tree(root)


@dataclass
class Scenarios:
    alone: tuple[Run, dict[str, bytes]]  # the same --apply with no other run: what the others must match
    apply_then_second: tuple[Run, list[Run], dict[str, bytes]]
    apply_then_other_tmpdir: tuple[Run, list[Run], dict[str, bytes]]
    two_dry_runs: tuple[Run, list[Run], dict[str, bytes]]
    user_saves: tuple[Run, dict[str, bytes], list[str]]


# The "user": saves each file once, the first time a collection finds collect-fix's edit in it.
USER = '''\
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAVED = Path(os.environ["TRUST_SAVED"])


def save_once(relative, seen, content):
    path, done = ROOT / relative, SAVED / relative.replace("/", "_")
    if done.exists() or not path.exists() or seen not in path.read_text():
        return
    path.write_text(content)
    done.write_text(content)


# An edit of its own to a file collect-fix is repairing (the exit is still there, so the repair
# is judged a failure and undone)...
save_once("tests/test_exit.py", "pytest", "# saved by the user during the run\\n" + {exit!r})
# ...and a half-written module where collect-fix had just created a stub module.
save_once("shop/gone.py", "collect-fix", "def thing(:  # the user, half-way through writing it\\n")
'''.format(exit=EXIT)


def _user_saves(base: Path) -> tuple[Run, dict[str, bytes], list[str]]:
    root = write_tree(base / "project", {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "tests/test_exit.py": EXIT,
        "tests/conftest.py": USER,
        "shop/__init__.py": "",
        "tests/test_gone.py": "from shop.gone import thing\n\n\ndef test_gone():\n    assert thing\n",
    })
    (base / "saved").mkdir()
    env = environment(base / "home", TRUST_SAVED=str(base / "saved"), COLLECT_FIX_NO_REPLAY="1")
    run = _as_run(cli("--apply", "--format", "json", str(root), env=env))
    return run, tree(root), temp_files_in(root) + scratch_left(base / "home")


def _scenarios(base: Path) -> Scenarios:
    def second_apply_and_dry_run(root: Path, env: dict[str, str]) -> list[Run]:
        return [_as_run(cli("--apply", str(root), env=env)), _as_run(cli("--dry-run", str(root), env=env))]

    def apply_with_another_tmpdir(root: Path, env: dict[str, str]) -> list[Run]:
        return [_as_run(cli("--apply", str(root), env=environment(base / "elsewhere")))]

    def dry_run(root: Path, env: dict[str, str]) -> list[Run]:
        return [_as_run(cli("--dry-run", "--format", "json", str(root), env=env))]

    def alone() -> tuple[Run, dict[str, bytes]]:
        root = write_tree(base / "alone" / "project", PROJECT)
        run = cli("--apply", "--format", "json", str(root), env=environment(base / "alone" / "home"))
        return _as_run(run), tree(root)

    found = in_parallel([
        alone,
        lambda: _gated(base / "second", "--apply", second_apply_and_dry_run),
        lambda: _gated(base / "tmpdir", "--apply", apply_with_another_tmpdir),
        lambda: _gated(base / "dry", "--dry-run", dry_run),
        lambda: _user_saves(base / "user"),
    ], workers=5)
    return Scenarios(*found)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> Scenarios:
    return computed_once(tmp_path_factory, "concurrency", _scenarios)


def _refused(run: Run) -> None:
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout == b""
    lines = run.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("collect-fix: error: another collect-fix run is working on "), lines


def test_a_second_apply_says_a_run_is_in_progress(scenarios: Scenarios) -> None:
    """Issue 8: hold a lock so two runs on one project cannot interleave; the second says a run is
    in progress (exit 2, one line) and writes nothing."""
    _refused(scenarios.apply_then_second[1][0])


def test_a_dry_run_during_an_apply_is_refused_too(scenarios: Scenarios) -> None:
    """Issue 8 (one run at a time): a dry run copies the tree; a copy taken while --apply writes
    would show a half-repaired tree, so it is refused the same way."""
    _refused(scenarios.apply_then_second[1][1])


def test_the_first_run_ends_as_if_it_had_been_alone(scenarios: Scenarios) -> None:
    """Issue 8: nothing interleaved: the first run repairs the project and reports exactly that."""
    first, _, files = scenarios.apply_then_second
    alone, files_alone = scenarios.alone
    assert (first.returncode, alone.returncode) == (0, 0), first.stderr + alone.stderr
    assert first.report["files_changed"] == alone.report["files_changed"] == ["tests/test_exit.py"]
    assert first.report["diff"] == alone.report["diff"]
    assert files == files_alone
    assert first.report["warnings"] == []


def test_a_second_apply_with_another_tmpdir_is_refused(scenarios: Scenarios) -> None:
    """Issue 8: two runs on one project cannot interleave, whatever their environment."""
    _refused(scenarios.apply_then_other_tmpdir[1][0])


def test_dry_runs_may_run_side_by_side(scenarios: Scenarios) -> None:
    """README/run_lock: dry runs write nothing, so two of them on one project both run, and agree."""
    first, (second,), files = scenarios.two_dry_runs
    assert first.returncode == second.returncode == 1, first.stderr + second.stderr
    assert first.report["diff"] == second.report["diff"] != ""
    assert files["tests/test_exit.py"] == EXIT.encode()


def test_an_undo_never_overwrites_what_the_user_saved(scenarios: Scenarios) -> None:
    """Issue 8 (data loss): a file saved by someone else during the run is left as they saved it,
    whether collect-fix had edited it or created it; the report says so for each."""
    run, files, left_behind = scenarios.user_saves
    assert run.returncode == 1, run.stderr  # the user's half-written module does not parse
    assert files["tests/test_exit.py"].startswith(b"# saved by the user during the run\n")
    assert files["shop/gone.py"] == b"def thing(:  # the user, half-way through writing it\n"
    warnings = "\n".join(run.report["warnings"])
    for path in ("tests/test_exit.py", "shop/gone.py"):
        assert f"{path} was changed by someone else during the run: left as it is now" in warnings
    assert left_behind == []


def test_a_file_left_to_the_user_is_not_reported_as_a_change_of_the_run(scenarios: Scenarios) -> None:
    """README (report): ``files_changed`` and ``diff`` are the changes the run made; the module the
    user wrote where collect-fix's rejected stub was is theirs, not a stub collect-fix created."""
    run, _, _ = scenarios.user_saves
    assert "shop/gone.py" not in run.report["files_changed"]
    assert "shop/gone.py" not in run.report["diff"]
