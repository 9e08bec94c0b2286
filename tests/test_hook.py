"""The pre-commit hook: CFX001 lines for every exit spelling, suppression, --fix, speed."""

from __future__ import annotations

import re
import stat
import sys
from pathlib import Path
from typing import Callable

import pytest

from collect_fix import exit_spelling, hook
from collect_fix.exit_spelling import ExitCall

from conftest import collect_only, collected_ids

PYTHON = "Python {}.{}".format(*sys.version_info)
FIXTURE_FINDINGS = [
    "tests/service/conftest.py:4:5",
    "tests/test_builtin_exit.py:6:5",
    "tests/test_builtin_quit.py:3:63",
    "tests/test_from_os_import_exit.py:6:5",
    "tests/test_from_sys_import_exit.py:6:5",
    "tests/test_os_exit.py:4:5",
    "tests/test_raise_system_exit.py:4:5",
    "tests/test_raise_system_exit_call.py:5:9",
    "tests/test_script_style.py:17:1",
    "tests/test_sys_alias.py:4:5",
    "tests/test_sys_exit.py:8:5",
    "tests/test_sys_exit.py:13:5",
]


def run_hook(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    status = hook.main(list(args))
    return status, capsys.readouterr().out.splitlines()


def fixture_files(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*.py"))


@pytest.fixture
def exit_spellings(fixture_project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = fixture_project("exit_spellings")
    monkeypatch.chdir(root)  # pre-commit runs in the repository root and passes relative paths
    return root


def test_reports_every_spelling_with_exact_positions(exit_spellings: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines = run_hook(capsys, *fixture_files(exit_spellings))
    assert status == 1
    assert [line.split(": CFX001 ")[0] for line in lines] == FIXTURE_FINDINGS
    assert lines[1] == (
        "tests/test_builtin_exit.py:6:5: CFX001 exit() at import time kills pytest collection; use "
        'pytest.skip(reason, allow_module_level=True), a skipif mark or an `if __name__ == "__main__":` '
        "guard (--fix does it)"
    )
    assert "_exit() (os._exit) at import time kills the pytest process" in lines[3]
    assert "system.exit() (sys.exit) at import time" in lines[9]
    assert lines[-1] == (
        "tests/test_sys_exit.py:13:5: CFX001 sys.exit() in a function raises SystemExit; "
        "use pytest.fail() or pytest.skip() in tests"
    )


def test_clean_tree_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_ok.py").write_text("import sys\n\ndef test_a():\n    assert sys.argv\n", encoding="utf-8")
    Path("conftest.py").write_text("if __name__ == '__main__':\n    raise SystemExit(0)\n", encoding="utf-8")
    Path("tool.py").write_text("import sys\nsys.exit(1)\n", encoding="utf-8")  # not a test file
    assert run_hook(capsys, "test_ok.py", "conftest.py", "tool.py", "missing.py") == (0, [])
    assert run_hook(capsys) == (0, [])


def test_suppression_comment_allows_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_cli.py").write_text(
        "import sys\n"
        "sys.exit(0)  # collect-fix: allow-exit\n"
        "def test_a():\n"
        "    sys.exit(1)\n"
        "def test_b():\n"
        "    sys.exit(2)  #collect-fix:allow-exit\n",
        encoding="utf-8",
    )
    status, lines = run_hook(capsys, "test_cli.py")
    assert status == 1
    assert [line.split(": CFX001 ")[0] for line in lines] == ["test_cli.py:4:5"]


def test_suppression_comment_on_any_line_of_the_statement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_multi.py").write_text(
        "import sys\n"
        "sys.exit(\n"
        "    0\n"
        ")  # collect-fix: allow-exit\n"
        "def test_a():\n"
        "    pass\n",
        encoding="utf-8",
    )
    assert run_hook(capsys, "test_multi.py") == (0, [])


def test_suppression_text_inside_a_string_is_not_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_str.py").write_text('import sys\nsys.exit("# collect-fix: allow-exit")\n', encoding="utf-8")
    status, lines = run_hook(capsys, "test_str.py")
    assert status == 1 and [line.split(": CFX001 ")[0] for line in lines] == ["test_str.py:2:1"]


def test_builtins_exit_is_displayed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_builtins.py").write_text("import builtins\nbuiltins.exit()\n", encoding="utf-8")
    _, lines = run_hook(capsys, "test_builtins.py")
    assert lines[0].startswith("test_builtins.py:2:1: CFX001 builtins.exit() at import time kills")


def test_fix_keeps_the_module_stopping_where_it_used_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    Path("test_gpu.py").write_text(
        "import sys\n"
        "no_gpu = True\n"
        "if no_gpu:\n"
        "    sys.exit('no GPU')\n"
        "import cupy_is_not_installed\n"
        "def test_kernel():\n"
        "    pass\n",
        encoding="utf-8",
    )
    status, lines = run_hook(capsys, "--fix", "test_gpu.py")
    assert status == 1 and lines == ["test_gpu.py: fixed 1 import-time exit(s)"]
    result = collect_only(tmp_path, "-rs")
    output = result.stdout + result.stderr
    assert result.returncode == 5 and "error" not in output.lower(), output  # 5: nothing collected, no error
    assert "test_gpu.py:5: no GPU" in output  # the skip where the exit was, below the new import


def test_python_files_option_changes_the_patterns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("check_api.py").write_text("quit()\n", encoding="utf-8")
    Path("test_api.py").write_text("quit()\n", encoding="utf-8")
    status, lines = run_hook(capsys, "--python-files", "check_*.py", "check_api.py", "test_api.py")
    assert status == 1 and [line.split(": ")[0] for line in lines] == ["check_api.py:1:1"]


def test_files_without_exit_words_are_never_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_plain.py").write_text("def test_a():\n    assert True\n", encoding="utf-8")
    Path("test_cli.py").write_text("def test_a(result):\n    assert result.exit_code == 0\n", encoding="utf-8")
    Path("test_broken.py").write_text("def test_a(:\n", encoding="utf-8")  # no exit word: never parsed

    def no_parsing(source: bytes) -> object:
        raise AssertionError("parsed a file without exit words")

    monkeypatch.setattr(exit_spelling, "parse", no_parsing)
    assert run_hook(capsys, "test_plain.py", "test_cli.py", "test_broken.py") == (0, [])


def test_files_that_cannot_be_checked_fail_and_the_rest_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("test_broken.py").write_text("import sys\nsys.exit(\n", encoding="utf-8")
    Path("test_bytes.py").write_bytes(b"import sys\nx = '\xff'\nsys.exit(1)\n")
    Path("test_nul.py").write_bytes(b"import sys\n\0\nsys.exit(1)\n")
    Path("test_real.py").write_text("quit()\n", encoding="utf-8")
    status, lines = run_hook(capsys, "test_broken.py", "test_bytes.py", "test_nul.py", "test_gone.py", "test_real.py")
    assert status == 1
    assert lines[0].startswith(f"test_broken.py:2: CFX002 could not check this file for exits: does not parse as {PYTHON}: ")
    assert lines[1:] == [
        "test_bytes.py:2: CFX002 could not check this file for exits: not valid utf-8 (byte 0xff on line 2)",
        "test_nul.py:2: CFX002 could not check this file for exits: contains a NUL byte (line 2)",
        "test_gone.py: CFX002 could not check this file for exits: no such file",
        "test_real.py:1:1: CFX001 quit() at import time kills pytest collection; use pytest.skip(reason, "
        'allow_module_level=True), a skipif mark or an `if __name__ == "__main__":` guard (--fix does it)',
    ]


def test_conftest_messages_never_suggest_a_skip() -> None:
    for spelling, import_time in (("sys.exit", True), ("sys.exit", False), ("os._exit", True)):
        found = ExitCall(1, 1, spelling, spelling, import_time, False)
        text = hook.message(found, conftest=True)
        assert "skip" not in text and "conftest" in text
        if import_time:
            assert "collect_ignore" in text and "__main__" in text
    assert "pytest.skip" in hook.message(ExitCall(1, 1, "exit", "builtins.exit", True, False))


def test_fix_rewrites_the_fixture_and_pytest_collects_it(
    exit_spellings: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = fixture_files(exit_spellings)
    status, lines = run_hook(capsys, "--fix", *files)
    assert status == 1  # files changed: pre-commit must stop the commit
    assert "tests/test_sys_exit.py: fixed 1 import-time exit(s)" in lines
    # the exit inside a function is left, reported; so is the conftest's (a skip there ends the session)
    fixed = (exit_spellings / "tests/test_sys_exit.py").read_text(encoding="utf-8").splitlines()
    left = fixed.index("    sys.exit(2)") + 1  # where the rewrite above it left the function's exit
    assert [line.split(": CFX001 ")[0] for line in lines if "CFX001" in line] == [
        "tests/service/conftest.py:4:5", f"tests/test_sys_exit.py:{left}:5",
    ]
    assert (exit_spellings / "tests/service/conftest.py").read_text().endswith(
        'raise SystemExit("the service tests need EXIT_SPELLINGS_SERVICE")\n'
    )
    monkeypatch.setenv("EXIT_SPELLINGS_SERVICE", "1")
    result = collect_only(exit_spellings)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "INTERNALERROR" not in output, output
    ids = collected_ids(exit_spellings, "-rs")
    assert "tests/test_clean.py::test_truth" in ids and "tests/test_sys_alias.py::test_future" not in ids  # skipped in place
    status, lines = run_hook(capsys, "--fix", *files)  # a second run has nothing to fix
    assert status == 1 and not any("fixed" in line for line in lines)


def test_fix_keeps_encoding_newlines_and_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    path = Path("test_latin.py")
    source = "# -*- coding: latin-1 -*-\r\nimport sys\r\nNAME = 'café'\r\nif not NAME:\r\n    sys.exit(1)\r\n"
    path.write_bytes(source.encode("latin-1"))
    path.chmod(0o751)
    status, _ = run_hook(capsys, "--fix", "test_latin.py")
    data = path.read_bytes()
    assert status == 1
    assert "café".encode("latin-1") in data
    assert b'    pytest.skip("not NAME", allow_module_level=True)\r\n' in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["test_latin.py"]  # no temporary file left


def test_fix_leaves_files_with_an_allowed_import_time_exit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    source = "import sys\nif sys.argv:\n    sys.exit(1)\nsys.exit(0)  # collect-fix: allow-exit\n"
    Path("test_mixed.py").write_text(source, encoding="utf-8")
    status, lines = run_hook(capsys, "--fix", "test_mixed.py")
    assert status == 1 and lines == [line for line in lines if "CFX001" in line] and len(lines) == 1
    assert Path("test_mixed.py").read_text(encoding="utf-8") == source


def test_pre_commit_hook_definition() -> None:
    text = (Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert text.count("- id:") == 1  # one hook, plain "key: value" lines (no YAML library needed)
    entry = dict(re.findall(r"^[- ] (\w+): (.*)$", text, re.MULTILINE))
    assert entry["id"] == "no-sys-exit-in-tests"
    assert entry["entry"] == "collect-fix-hook" and entry["language"] == "python" and entry["types"] == "[python]"
    pattern = re.compile(entry["files"])
    for name in ("tests/test_api.py", "test_api.py", "pkg/api_test.py", "tests/conftest.py", "conftest.py"):
        assert pattern.search(name), name
    for name in ("src/api.py", "tests/helpers.py", "contest.py", "tests/testing/util.py"):
        assert not pattern.search(name), name
