"""Exit codes, configuration, --list-stubs, progress and the README's examples, through the real
command (main(argv) in-process; a few real subprocess runs)."""

from __future__ import annotations

import json
import os
import pty
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from collect_fix.cli import main
from conftest import FIXTURES

README = Path(__file__).parents[1] / "README.md"

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
    (clean_project / "pyproject.toml").write_text("[tool.collect-fix]\ncolour = true\ntimout = 5\nmax_rounds = 2\n", encoding="utf-8")
    assert main([str(clean_project)]) == 0
    err = capsys.readouterr().err
    assert "unknown key [tool.collect-fix] 'colour' ignored\n" in err
    assert "unknown key [tool.collect-fix] 'timout' ignored (did you mean 'timeout'?)" in err
    assert "unknown key [tool.collect-fix] 'max_rounds' ignored (did you mean 'max-rounds'?)" in err


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
    assert "--python /bin/false is not a Python interpreter" in capsys.readouterr().err


def test_a_python_without_pytest_exits_2_naming_it(clean_project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bare = tmp_path / "bare" / "python"
    bare.parent.mkdir()
    bare.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n')  # -S: no site-packages, no pytest
    bare.chmod(0o755)
    assert main(["--python", str(bare), str(clean_project)]) == 2
    assert f"{bare} cannot run pytest" in capsys.readouterr().err


# --- --list-stubs ------------------------------------------------------------------------------

SHIMS = {
    "shop/auth.py": 'def make_token(*args, **kwargs):  # collect-fix: stub\n    raise NotImplementedError("stub")\n',
    "shop/models.py": "class Order:\n    pass\n\n\nPurchase = Order  # collect-fix: alias -> Order (renamed)\n",
    "shop/orders.py": "from shop.models import Order  # collect-fix: re-export (moved to shop.models)\n",
    "shop/hook.py": "import sys\nsys.exit(0)  # collect-fix: allow-exit\n",
}


def test_list_stubs_groups_shims_by_kind(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (clean_project / "shop").mkdir()
    for path, text in SHIMS.items():
        (clean_project / path).write_text(text, encoding="utf-8")

    assert main(["--list-stubs", str(clean_project)]) == 1

    captured = capsys.readouterr()
    assert captured.out.splitlines() == [  # stdout: locations only, by kind, for grep and editors
        "shop/auth.py:1: def make_token(*args, **kwargs):  # collect-fix: stub",
        "shop/models.py:5: Purchase = Order  # collect-fix: alias -> Order (renamed)",
        "shop/orders.py:1: from shop.models import Order  # collect-fix: re-export (moved to shop.models)",
    ]
    headings = captured.err.splitlines()
    assert [heading.split(":")[0] for heading in headings] == ["stub", "alias", "re-export"]
    assert all(heading.endswith("(1)") for heading in headings)

    assert main(["--list-stubs", "--format", "json", str(clean_project)]) == 1
    listed = json.loads(capsys.readouterr().out)
    assert listed["by_kind"] == {"stub": 1, "alias": 1, "re-export": 1}
    assert {(shim["kind"], shim["path"], shim["line"]) for shim in listed["shims"]} == {
        ("stub", "shop/auth.py", 1), ("alias", "shop/models.py", 5), ("re-export", "shop/orders.py", 1),
    }


def test_an_empty_list_of_stubs_says_so(clean_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-stubs", str(clean_project)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"collect-fix: no shims left in {clean_project.resolve()} (no stub, alias, ")


def test_the_list_of_stubs_from_a_real_apply_is_grouped(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_project("missing_names")
    main(["--apply", str(root)])
    report = capsys.readouterr().out
    assert "shims left in the tree, by kind (collect-fix --list-stubs):" in report

    assert main(["--list-stubs", str(root)]) == 1

    captured = capsys.readouterr()
    kinds = [line.split(":")[0] for line in captured.err.splitlines()]
    assert kinds == ["stub", "alias", "re-export"]  # the moved names' re-exports carry a marker too
    counts = [int(re.search(r"\((\d+)\)$", line)[1]) for line in captured.err.splitlines()]  # type: ignore[index]
    assert sum(counts) == len(captured.out.splitlines()) == 10  # 9 stubs and aliases, 1 re-export
    assert all(f"  {line}" in report for line in captured.out.splitlines())


# --- the project's interpreter -----------------------------------------------------------------


def project_venv(root: Path) -> Path:
    """A ``.venv/bin/python`` for the project: a wrapper around this interpreter (a symlinked venv
    python outside its venv loses the venv)."""
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return python


def test_the_install_line_uses_the_project_interpreter(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_project("missing_dependencies")
    python = project_venv(root)

    assert main(["--dry-run", str(root)]) == 1

    out = capsys.readouterr().out
    assert f"collected with {python} (Python " in out
    install = [line for line in out.splitlines() if "pip install" in line]
    assert install == [
        f"install the missing dependencies: {python} -m pip install beautifulsoup4 opencv-python pillow python-dateutil"
    ]


# --- progress ----------------------------------------------------------------------------------


def test_piped_output_gets_no_progress(clean_project: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collect_fix", str(clean_project)], capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0
    assert result.stderr == ""


def test_a_terminal_gets_a_live_line_with_the_round_and_the_files(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("src_layout_not_importable")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "collect_fix", "--no-color", str(root)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower,
    )
    os.close(follower)
    screen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        screen += chunk
    stdout = process.communicate(timeout=300)[0].decode()
    os.close(leader)

    updates = screen.decode().split("\r")
    assert "collect-fix: collecting\x1b[K" in updates
    # the round's line is drawn when the round starts; whether a file count follows depends on how
    # long its collection takes (counts are polled every quarter second: tests/test_progress.py)
    assert any(re.fullmatch(r"collect-fix: round 1: .*\x1b\[K", update) for update in updates), updates
    assert updates[-1] == "\x1b[K"  # the line is cleared before the report
    assert "\x1b" not in stdout and "collect-fix report" in stdout


# --- the README's examples ---------------------------------------------------------------------


def _readme_section(title: str) -> str:
    return README.read_text(encoding="utf-8").split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_ci_job_runs_as_written_on_a_bundled_fixture(tmp_path: Path) -> None:
    import shutil

    commands = [
        line.split("run:", 1)[1].strip()
        for line in _readme_section("In CI").splitlines()
        if line.strip().startswith("run: collect-fix")
    ]
    assert "collect-fix --dry-run --format github" in commands
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "sys_exit_on_import", root)
    (root / "tests").mkdir(exist_ok=True)
    for written in commands:
        argv = shlex.split(written.split(">")[0])
        assert argv[0] == "collect-fix"
        result = subprocess.run(  # from the checkout's root, no PATH: as the job runs it
            [sys.executable, "-m", "collect_fix", *argv[1:]], cwd=root, capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 1, result.stderr  # a repair is pending: the job fails, as it should
        if "github" in argv:
            lines = result.stdout.splitlines()
            notices = [line for line in lines if line.startswith("::notice file=tests/test_api_rate_limiting.py,line=")]
            assert notices and lines[-1] == "::endgroup::"
        else:
            assert json.loads(result.stdout)["version"] == "2.1.0"


def test_the_readme_pins_the_package_version() -> None:
    from importlib.metadata import version

    revs = re.findall(r"^\s*rev: (\S+)", README.read_text(encoding="utf-8"), re.MULTILINE)
    assert revs and set(revs) == {f"v{version('collect-fix')}"}
    assert f"@v{version('collect-fix')}" in _readme_section("In CI")


def test_every_option_in_the_readme_exists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    usage = _readme_section("Usage")
    options = set(re.findall(r"^\| `(-[-\w]+)", usage, re.MULTILINE))
    assert {"--dry-run", "--apply", "--list-stubs", "--format", "--python", "--timeout", "--json", "-q"} <= options
    for option in options:
        assert re.search(rf"(^|[ ,]){re.escape(option)}\b", help_text, re.MULTILINE), option


def test_colour_codes_stay_on_their_line() -> None:
    from collect_fix.cli import _colour_diff

    coloured = _colour_diff("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a = 1\n+a = 2\n")

    lines = coloured.splitlines()
    assert len(lines) == 5
    assert all(line.endswith("\x1b[0m") for line in lines)
    assert lines[3] == "\x1b[31m-a = 1\x1b[0m" and lines[4] == "\x1b[32m+a = 2\x1b[0m"
