"""Promise: bad usage is exit 2 with one line on stderr and no traceback, found before anything
runs, so nothing is written (issue 8, "Clear errors for bad usage"). And run from a folder inside a
project, collect-fix finds the project and its .venv, and says which interpreter it used.

Most cases run in-process through main(argv); each kind is also run once as a real process, and the
permission cases as an unprivileged user (root reads and writes everything).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from collect_fix import cli
from collect_fix.cli import main
from conftest import snapshot

EXIT_AT_IMPORT = "import sys\n\nsys.exit(1)\n\n\ndef test_never_collected():\n    pass\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project that --apply would change (a module-level sys.exit), so a write would show."""
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n", encoding="utf-8")
    (root / "tests" / "test_exit.py").write_text(EXIT_AT_IMPORT, encoding="utf-8")
    (root / "tests" / "test_ok.py").write_text("def test_ok():\n    pass\n", encoding="utf-8")
    return root


def usage_error(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run main(args); assert exit 2, nothing on stdout, one line on stderr; return that line."""
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2, captured.out + captured.err
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("collect-fix: error: "), captured.err
    return lines[0]


def set_config(root: Path, table: str) -> None:
    (root / "pyproject.toml").write_text(f"[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n\n[tool.collect-fix]\n{table}\n")


# --- conflicting modes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "modes",
    [["--dry-run", "--apply"], ["--apply", "--dry-run"], ["--apply", "--list-stubs"], ["--dry-run", "--list-stubs"],
     ["--list-stubs", "--apply", "--dry-run"]],
)
def test_conflicting_modes_are_a_usage_error_and_write_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], modes: list[str]
) -> None:
    before = snapshot(project)
    line = usage_error([*modes, str(project)], capsys)
    assert "cannot be used together" in line
    assert all(mode in line for mode in modes)
    assert snapshot(project) == before


# --- timeouts and rounds -----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "0", "0.0", "1e400"])
def test_a_bad_timeout_option_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    before = snapshot(project)
    line = usage_error(["--apply", "--timeout", value, str(project)], capsys)
    assert "'--timeout'" in line and "must be a positive number of seconds" in line
    assert snapshot(project) == before


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "-inf", "0", "0.0", "-0.5"])
def test_a_bad_timeout_in_the_config_is_a_usage_error_naming_the_file(
    project: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    set_config(project, f"timeout = {value}")
    before = snapshot(project)
    line = usage_error(["--apply", str(project)], capsys)
    assert f"{project / 'pyproject.toml'}: [tool.collect-fix] timeout must be a positive number of seconds" in line
    assert snapshot(project) == before


def test_the_timeout_help_says_zero_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "0 is refused" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("value", ["0", "-1", "-100"])
def test_max_rounds_below_one_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    set_config(project, f"max-rounds = {value}")
    line = usage_error(["--apply", str(project)], capsys)
    assert f"[tool.collect-fix] max-rounds must be at least 1, got {int(value)}" in line


@pytest.mark.parametrize("table", ['max-rounds = "3"', "max-rounds = true", 'pytest-args = ["-p", 3]', "timeout = true"])
def test_wrongly_typed_config_values_are_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str], table: str) -> None:
    set_config(project, table)
    assert "[tool.collect-fix]" in usage_error(["--apply", str(project)], capsys)


# --- --json ------------------------------------------------------------------------------------


def test_json_into_a_missing_folder_fails_before_anything_is_written(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project)
    line = usage_error(["--apply", "--json", str(project / "no" / "such" / "report.json"), str(project)], capsys)
    assert f"{project / 'no' / 'such'} is not a directory" in line
    assert snapshot(project) == before


def test_json_onto_a_directory_fails_before_anything_is_written(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(project)
    assert "is a directory" in usage_error(["--apply", "--json", str(project / "tests"), str(project)], capsys)
    assert snapshot(project) == before


def test_json_where_no_file_can_be_created_fails_first_even_for_root(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.isdir("/proc/self"):
        pytest.skip("needs /proc, where nobody (not even root) can create a file")
    before = snapshot(project)
    line = usage_error(["--apply", "--json", "/proc/report.json", str(project)], capsys)
    assert line.startswith("collect-fix: error: --json /proc/report.json cannot be written: ")
    assert snapshot(project) == before


# --- PATH --------------------------------------------------------------------------------------


def test_a_symlink_loop_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert f"PATH {tmp_path / 'a'} is a symlink loop" in usage_error([str(tmp_path / "a")], capsys)


def test_a_path_that_is_a_file_or_missing_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "is not a directory" in usage_error([str(project / "pyproject.toml")], capsys)
    assert "does not exist" in usage_error([str(project / "nowhere")], capsys)


# --- --python ----------------------------------------------------------------------------------


def script(folder: Path, name: str, body: str, mode: int = 0o755) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        ("/bin/false", "is not a Python interpreter"),
        ("/bin/echo", "is not a Python interpreter"),
        ("prints-python", "is not a Python interpreter"),
        ("not-executable", "cannot run it (Permission denied)"),
        ("missing", "cannot run it (No such file or directory)"),
        ("folder", "cannot run it (Permission denied)"),
    ],
)
def test_a_python_that_is_not_python_is_a_usage_error(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], program: str, expected: str
) -> None:
    made = {
        "prints-python": lambda: script(tmp_path, "fake", "#!/bin/sh\necho 'Python 3.12.1'\n"),
        "not-executable": lambda: script(tmp_path, "plain", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', 0o644),
        "missing": lambda: tmp_path / "no-python",
        "folder": lambda: tmp_path,
    }
    python = str(made[program]()) if program in made else program
    before = snapshot(project)
    line = usage_error(["--apply", "--python", python, str(project)], capsys)
    assert line.startswith(f"collect-fix: error: --python {python}") and expected in line
    assert snapshot(project) == before


def test_a_python_from_the_config_that_is_not_python_names_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    set_config(project, 'python = "/bin/true"')
    line = usage_error([str(project)], capsys)
    assert line == "collect-fix: error: [tool.collect-fix] python /bin/true is not a Python interpreter (it did not run a Python -c script)"


def test_python_2_is_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    python2 = next(iter(sorted(Path.home().glob(".pyenv/versions/2.7*/bin/python2.7"))), None) or shutil.which("python2.7")
    if python2 is None:
        pytest.skip("no Python 2.7 on this machine")
    assert "is Python 2.7; pytest 8 needs Python 3.8 or later" in usage_error(["--python", str(python2), str(project)], capsys)


def test_a_python_that_hangs_is_given_up_on(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_PYTHON_CHECK_SECONDS", 1)  # the real limit is 30 s
    hangs = script(tmp_path, "hangs", "#!/bin/sh\nexec sleep 60\n")
    assert f"--python {hangs}: no answer within 1s; is it Python?" in usage_error(["--python", str(hangs), str(project)], capsys)


def test_the_interpreter_running_collect_fix_is_not_started_to_be_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []
    real_run = subprocess.run

    def recorded(command: list[str], *args: object, **kwargs: object) -> object:
        started.append(list(command))
        return real_run(command, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(cli.subprocess, "run", recorded)
    link = tmp_path / "python-link"  # another spelling of the same program
    link.symlink_to(sys.executable)
    for python in (sys.executable, str(link)):
        assert cli._pick_interpreter(python, None, tmp_path) == python
    assert started == []


def test_a_path_that_only_reads_like_this_interpreter_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # collect-fix runs as env/bin/python; env/bin/elsewhere/../python reads the same, but the
    # system follows the link elsewhere -> other/sub, and other/python is a shell script.
    (tmp_path / "env" / "bin").mkdir(parents=True)
    running = tmp_path / "env" / "bin" / "python"
    running.symlink_to(sys.executable)
    monkeypatch.setattr(sys, "executable", str(running))
    (tmp_path / "other" / "sub").mkdir(parents=True)
    script(tmp_path / "other", "python", "#!/bin/sh\necho 'Python 3.12.1'\n")
    (tmp_path / "env" / "bin" / "elsewhere").symlink_to(tmp_path / "other" / "sub")
    disguised = str(tmp_path / "env" / "bin" / "elsewhere" / ".." / "python")
    assert os.path.abspath(disguised) == sys.executable  # as text, the running interpreter
    line = usage_error(["--python", disguised, str(project)], capsys)
    assert line.startswith(f"collect-fix: error: --python {disguised}") and "is not a Python interpreter" in line
    # Gone since: named as text, it is still looked for.
    running.unlink()
    line = usage_error(["--python", str(running), str(project)], capsys)
    assert "cannot run it (No such file or directory)" in line


# --- as a real process -------------------------------------------------------------------------


def run_cli(*args: str, cwd: Path | None = None, user: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(user or []), sys.executable, "-m", "collect_fix", *args], cwd=cwd, capture_output=True, text=True,
        timeout=300, env=dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1"),
    )


@pytest.mark.parametrize(
    "args",
    [["--dry-run", "--apply"], ["--apply", "--timeout", "nan"], ["--apply", "--python", "/bin/false"],
     ["--apply", "--json", "/nonexistent/dir/r.json"], ["--apply", "--format", "yaml"], ["--apply", "--no-such-option"]],
)
def test_a_real_process_prints_one_line_and_exits_2(project: Path, args: list[str]) -> None:
    before = snapshot(project)
    result = run_cli(*args, str(project))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("collect-fix: error: ")
    assert snapshot(project) == before


# --- as a user who cannot read or write everything --------------------------------------------


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="collect-fix-trust-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in folder.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def unprivileged() -> list[str]:
    """The command prefix that runs a program as an ordinary user here (none when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot test permissions")
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    check = subprocess.run([*prefix, sys.executable, "-c", "import collect_fix"], capture_output=True, timeout=60)
    if check.returncode != 0:
        pytest.skip("an unprivileged user cannot run this interpreter")
    return prefix


def test_an_unreadable_directory_is_a_usage_error(shared_folder: Path) -> None:
    user = unprivileged()
    locked = shared_folder / "locked"
    locked.mkdir()
    (locked / "pyproject.toml").write_text("")
    locked.chmod(0o000)

    result = run_cli(str(locked), user=user)

    assert result.returncode == 2, result.stderr
    assert result.stderr == f"collect-fix: error: PATH {locked} cannot be read: Permission denied\n"


def test_json_where_the_user_cannot_write_fails_before_anything_is_written(shared_folder: Path) -> None:
    user = unprivileged()
    project = shared_folder / "project"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (project / "tests" / "test_exit.py").write_text(EXIT_AT_IMPORT)
    for path in (project, project / "tests"):
        path.chmod(0o777)  # the project is the user's to repair; the report folder is not
    (project / "tests" / "test_exit.py").chmod(0o666)
    reports = shared_folder / "reports"
    reports.mkdir(mode=0o755)
    before = snapshot(project)

    result = run_cli("--apply", "--json", str(reports / "r.json"), str(project), user=user)

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == f"collect-fix: error: --json {reports / 'r.json'} cannot be written: Permission denied\n"
    assert snapshot(project) == before
    (reports / "r.json").write_text("")
    (reports / "r.json").chmod(0o444)
    result = run_cli("--apply", "--json", str(reports / "r.json"), str(project), user=user)
    assert result.stderr == f"collect-fix: error: --json {reports / 'r.json'} cannot be written: Permission denied\n"
    assert (reports / "r.json").read_bytes() == b""
    assert snapshot(project) == before


# --- run from a folder inside the project ------------------------------------------------------


def test_run_from_a_subfolder_finds_the_project_and_its_venv(project: Path) -> None:
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')  # the project's own interpreter
    python.chmod(0o755)

    result = run_cli(cwd=project / "tests")

    assert result.returncode == 1, result.stderr  # the exit repair is pending
    assert result.stderr == f"collect-fix: project root {project} (found above {project / 'tests'})\n"
    assert "diff --git a/tests/test_exit.py b/tests/test_exit.py" in result.stdout
    assert f"collected with {python} (Python " in result.stdout
    assert "pip install" not in result.stdout  # it did not ask the user to install their own project


def test_run_from_a_subfolder_in_process(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project / "tests")
    assert main(["-q", "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "+++ b/tests/test_exit.py" in out
    assert "collection errors              1       0" in out
