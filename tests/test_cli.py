"""Exit codes, configuration and the JSON report, through the real command (main(argv))."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from collect_fix.cli import main

TESTS = "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n"


@pytest.fixture
def clean_project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_ok.py").write_text(TESTS, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("mode", ["--dry-run", "--apply"])
def test_a_clean_project_exits_0(clean_project: Path, mode: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([mode, str(clean_project)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"tests collected\s+2\s+2\n", out)
    assert re.search(r"collection errors\s+0\s+0\n", out)


def test_remaining_errors_exit_1_and_are_reported_by_category(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clean_project / "tests" / "test_broken.py").write_text("def broken(:\n", encoding="utf-8")
    assert main(["--apply", str(clean_project)]) == 1
    out = capsys.readouterr().out
    assert "syntax_error:" in out
    assert "tests/test_broken.py:1" in out


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["--dry-run", str(tmp_path / "nope")]) == 2


def test_a_wrongly_typed_config_key_is_a_usage_error_naming_the_file(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clean_project / "pyproject.toml").write_text('[tool.collect-fix]\ntimeout = "soon"\n', encoding="utf-8")
    assert main([str(clean_project)]) == 2
    assert "pyproject.toml" in capsys.readouterr().err


def test_unknown_config_keys_are_warned_about(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clean_project / "pyproject.toml").write_text("[tool.collect-fix]\ncolour = true\n", encoding="utf-8")
    assert main([str(clean_project)]) == 0
    assert "unknown key [tool.collect-fix] 'colour'" in capsys.readouterr().err


def test_an_interpreter_that_cannot_run_pytest_exits_2(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--python", str(clean_project / "missing-python"), str(clean_project)]) == 2
    assert "error:" in capsys.readouterr().err


def test_json_report_carries_pytest_numbers(clean_project: Path, tmp_path: Path) -> None:
    (clean_project / "tests" / "test_broken.py").write_text("import not_installed_anywhere_zz\n", encoding="utf-8")
    report_file = tmp_path / "report.json"

    main(["--apply", "--json", str(report_file), str(clean_project)])

    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["before"]["tests"] == 2
    assert report["before"]["errors"] == 1
    assert report["after"]["errors_by_category"] == {"missing_dependency": 1}
    assert report["remaining"][0]["path"] == "tests/test_broken.py"


def test_a_relative_python_is_taken_from_the_current_directory(
    clean_project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    link_dir = tmp_path / "bin"
    link_dir.mkdir()
    # A wrapper, not a symlink: a symlinked venv python outside its venv loses the venv (3.13).
    (link_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (link_dir / "python").chmod(0o755)
    monkeypatch.chdir(tmp_path)
    assert main(["--dry-run", "--python", "bin/python", str(clean_project)]) == 0


def test_a_json_path_in_a_missing_directory_fails_before_anything_is_written(
    clean_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (clean_project / "tests" / "test_exit.py").write_text("import sys\nsys.exit(1)\n", encoding="utf-8")
    before = (clean_project / "tests" / "test_exit.py").read_bytes()

    assert main(["--apply", "--json", str(clean_project / "no" / "such" / "dir.json"), str(clean_project)]) == 2

    assert (clean_project / "tests" / "test_exit.py").read_bytes() == before


def test_an_interpreter_that_is_not_python_exits_2(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--python", "/bin/false", str(clean_project)]) == 2
    assert "cannot run pytest" in capsys.readouterr().err


def test_colour_codes_stay_on_their_line() -> None:
    from collect_fix.cli import _colour_diff

    coloured = _colour_diff("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n")

    lines = coloured.splitlines()
    assert len(lines) == 5
    assert all(line.endswith("\x1b[0m") for line in lines)
    assert lines[3] == "\x1b[31m-a = 1\x1b[0m" and lines[4] == "\x1b[32m+a = 2\x1b[0m"
