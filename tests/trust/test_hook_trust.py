"""The README's promises about the pre-commit hook, each tried against the real ``collect-fix-hook``.

Every test runs the installed entry point as a subprocess (as pre-commit does) on real files in
tmp_path and tries to break one promise; its docstring names the promise. Where pytest's own
behaviour is the point, real pytest collects the result.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import collect_only, collected_ids, snapshot

SCRIPT = Path(sys.executable).with_name("collect-fix-hook")
HOOK = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "collect_fix.hook"]
# The modules of the package the hook may load without --fix: the stdlib-only exit analysis.
OWN_MODULES = {"collect_fix", "collect_fix.hook", "collect_fix.exit_spelling", "collect_fix.exit_walk",
               "collect_fix.exit_scopes", "collect_fix.source_trees"}


def hook(cwd: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """The real entry point; its stderr must never hold a traceback."""
    result = subprocess.run([*prefix, *HOOK, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def positions(output: str, code: str = "CFX001") -> list[str]:
    return [line.split(f": {code} ")[0] for line in output.splitlines() if f": {code} " in line]


def unprivileged() -> tuple[str, ...]:
    """A command prefix under which file permissions bind (root reads a chmod 000 file otherwise)."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions do not bind root")
    drop = "-dac_override,-dac_read_search"
    return (setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}")


EVERY_SPELLING = """\
    import os
    import sys
    import sys as s
    from sys import exit as bye


    def cleanup():
        def exit(code):
            return code
        return exit(3)


    if not os.environ.get("SERVICE"):
        sys.exit("the service is down")
    try:
        import numpy
    except ImportError:
        raise SystemExit(1)
    with open(__file__) as handle:
        for line in handle:
            s.exit(2)
    class TestService:
        quit()
        def test_call(self):
            bye()
    handler = lambda: exit()
    print(cleanup())


    def helper():
        os._exit(4)


    if __name__ == "__main__":
        sys.exit(0)
    else:
        raise SystemExit
"""


def test_reports_every_spelling_outside_the_main_guard(tmp_path: Path) -> None:
    """Promise: sys.exit, exit, quit, os._exit and raise SystemExit (also renamed by an import) are
    reported as ``path:line:col: CFX001 message`` outside the body of ``if __name__ == "__main__":``;
    a function named like an exit is not an exit."""
    write(tmp_path, {"tests/test_service.py": EVERY_SPELLING})
    result = hook(tmp_path, "tests/test_service.py")
    assert result.returncode == 1 and result.stderr == ""
    assert positions(result.stdout) == [f"tests/test_service.py:{spot}" for spot in (
        "14:5", "18:5", "21:9", "23:5", "25:9", "26:19", "31:5", "37:5",
    )]
    lines = result.stdout.splitlines()
    assert "sys.exit() at import time kills pytest collection" in lines[0]
    assert "s.exit() (sys.exit) at import time" in lines[2]  # module-level with/for bodies run on import
    assert "quit() at import time" in lines[3]  # a class body runs on import
    assert "bye() (sys.exit) in a function raises SystemExit" in lines[4]
    assert "os._exit() in a function kills the pytest process" in lines[6]
    assert lines[7].endswith("raise SystemExit at import time kills pytest collection; use pytest.skip(reason, "
                             'allow_module_level=True), a skipif mark or an `if __name__ == "__main__":` '
                             "guard (--fix does it)")  # the else of the main guard runs on import


def test_checks_only_files_pytest_collects_as_tests_and_conftests(tmp_path: Path) -> None:
    """Promise: it checks test files and conftests by pytest's default naming (test_*.py,
    *_test.py, conftest.py); --python-files changes the test file patterns."""
    exit_line = "import sys\nsys.exit(1)\n"
    names = ["tests/test_a.py", "tests/a_test.py", "tests/conftest.py", "tests/helpers.py", "tests/contest.py",
             "tests/testing/util.py", "scripts/check_a.py", "tests/test_b.txt"]
    write(tmp_path, {name: exit_line for name in names})
    result = hook(tmp_path, *names)
    assert positions(result.stdout) == ["tests/test_a.py:2:1", "tests/a_test.py:2:1", "tests/conftest.py:2:1"]
    result = hook(tmp_path, "--python-files", "check_*.py", *names)
    assert positions(result.stdout) == ["tests/conftest.py:2:1", "scripts/check_a.py:2:1"]


def test_never_runs_pytest_or_the_checked_code(tmp_path: Path) -> None:
    """Promise: it never runs pytest: nothing in the checked files runs, even with --fix."""
    side_effect = "open(__file__ + '.ran', 'w').close()\n"
    write(tmp_path, {
        "conftest.py": side_effect + "def pytest_configure(config):\n    open('configured', 'w').close()\n",
        "test_effects.py": side_effect + "import sys\nif sys.argv:\n    sys.exit('stop')\n",
    })
    for args in (["test_effects.py", "conftest.py"], ["--fix", "test_effects.py", "conftest.py"]):
        result = hook(tmp_path, *args)
        assert result.returncode == 1
    assert sorted(path.name for path in tmp_path.iterdir()) == ["conftest.py", "test_effects.py"]


def test_files_that_cannot_hold_an_exit_are_not_parsed(tmp_path: Path) -> None:
    """Promise: it only parses files that can contain an exit call: one that does not parse but
    names no exit passes (its syntax is for other hooks and pytest); the exit code is prose."""
    write(tmp_path, {
        "test_typo.py": "def test_a(:\n    assert True\n",
        "test_cli.py": '"""The exit code of the CLI: exit cleanly."""\ndef test_a(result):\n    assert result.exit_code == 0\n',
    })
    result = hook(tmp_path, "test_typo.py", "test_cli.py")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_allow_comment_on_any_line_of_the_statement(tmp_path: Path) -> None:
    """Promise: a trailing ``# collect-fix: allow-exit`` on any line of the statement allows that
    exit, and only that one; the same text in a string is not a comment."""
    write(tmp_path, {"test_cli.py": """\
        import sys
        sys.exit(
            0,
        )  # collect-fix: allow-exit
        sys.exit("# collect-fix: allow-exit")
        def test_a():
            sys.exit(1)  # collect-fix: allow-exit
    """})
    result = hook(tmp_path, "test_cli.py")
    assert result.returncode == 1 and positions(result.stdout) == ["test_cli.py:5:1"]
    before = (tmp_path / "test_cli.py").read_bytes()
    result = hook(tmp_path, "--fix", "test_cli.py")  # an allowed import-time exit: --fix leaves the file
    assert (tmp_path / "test_cli.py").read_bytes() == before and "fixed" not in result.stdout


def test_fix_skips_in_place_and_moves_a_closing_exit_under_the_main_guard(tmp_path: Path) -> None:
    """Promise: --fix turns an import-time exit into ``pytest.skip(..., allow_module_level=True)`` at
    the same place (the module stops where it used to), and a script-style closing ``sys.exit(main())``
    moves under the ``__main__`` guard; pytest then collects the suite; a second run changes nothing."""
    write(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "test_gpu.py": """\
            import sys
            if sys.platform != "no-such-platform":
                sys.exit("needs the GPU platform")
            open(__file__ + ".ran-past-the-exit", "w").close()
            def test_kernel():
                pass
            """,
        "test_script.py": """\
            import sys
            def main():
                return 3
            def test_main():
                assert main() == 3
            sys.exit(main())
            """,
        "test_plain.py": "def test_plain():\n    pass\n",
    })
    assert collect_only(tmp_path).returncode != 0  # broken before
    result = hook(tmp_path, "--fix", "test_gpu.py", "test_script.py", "test_plain.py")
    assert result.returncode == 1  # files changed: pre-commit stops the commit
    assert result.stdout.splitlines() == ["test_gpu.py: fixed 1 import-time exit(s)",
                                          "test_script.py: fixed 1 import-time exit(s)"]
    gpu = (tmp_path / "test_gpu.py").read_text(encoding="utf-8")
    assert 'pytest.skip("needs the GPU platform", allow_module_level=True)' in gpu
    assert "if __name__ == " in (tmp_path / "test_script.py").read_text(encoding="utf-8")
    assert sorted(collected_ids(tmp_path)) == ["test_plain.py::test_plain", "test_script.py::test_main"]
    assert not list(tmp_path.glob("*.ran-past-the-exit"))  # the module stopped at the skip, as at the exit
    assert subprocess.run([sys.executable, "test_script.py"], cwd=tmp_path).returncode == 3  # still a script
    before = snapshot(tmp_path)
    result = hook(tmp_path, "--fix", "test_gpu.py", "test_script.py", "test_plain.py")
    assert (result.returncode, result.stdout) == (0, "") and snapshot(tmp_path) == before


def test_conftest_is_reported_never_rewritten_and_never_told_to_skip(tmp_path: Path) -> None:
    """Promise: exits in a conftest are reported, never rewritten (not even a closing
    ``sys.exit(main())``), and the advice never suggests pytest.skip, which would end the session."""
    write(tmp_path, {
        "tests/conftest.py": """\
            import os
            import sys
            if os.environ.get("NO_SERVICE"):
                sys.exit("the service is down")
            """,
        "tools/conftest.py": """\
            import sys
            def main():
                return 0
            sys.exit(main())
            """,
        "tests/test_a.py": "def test_a():\n    pass\n",
    })
    before = snapshot(tmp_path)
    result = hook(tmp_path, "--fix", "tests/conftest.py", "tools/conftest.py")
    assert result.returncode == 1 and snapshot(tmp_path) == before
    assert positions(result.stdout) == ["tests/conftest.py:4:5", "tools/conftest.py:4:1"]
    for line in result.stdout.splitlines():
        assert "skip" not in line.lower() and "collect_ignore" in line and "__main__" in line, line


def test_files_it_cannot_check_fail_with_one_line_each_and_the_rest_are_checked(tmp_path: Path) -> None:
    """Promise: a file it cannot check (not valid in its encoding, a NUL byte, does not parse, a
    symlink loop or to nothing, missing, not a regular file) is one CFX002 line and a failure (exit
    1), never a traceback; the other files are still checked, with and without --fix."""
    write(tmp_path, {"test_last.py": "import sys\nif sys.argv:\n    sys.exit(1)\n"})
    (tmp_path / "test_latin.py").write_bytes(b"import sys\nNAME = '\xe9t\xe9'\nsys.exit(1)\n")
    (tmp_path / "test_nul.py").write_bytes(b"import sys\nsys.exit(1)\x00\n")
    (tmp_path / "test_syntax.py").write_text("import sys\nsys.exit(1\ndef test_a(:\n", encoding="utf-8")
    (tmp_path / "test_loop.py").symlink_to("test_loop.py")
    (tmp_path / "test_dangling.py").symlink_to("nowhere.py")
    os.mkfifo(tmp_path / "test_fifo.py")  # reading it would hang the hook
    names = ["test_latin.py", "test_nul.py", "test_syntax.py", "test_loop.py", "test_dangling.py", "test_fifo.py",
             "test_missing.py", "test_last.py"]
    for args, last in ((names, "test_last.py:3:5: CFX001 sys.exit() at import time kills pytest collection"),
                       (["--fix", *names], "test_last.py: fixed 1 import-time exit(s)")):
        result = hook(tmp_path, *args)
        assert result.returncode == 1 and result.stderr == ""
        *unchecked, checked = result.stdout.splitlines()
        assert [line.split(": ")[0] for line in unchecked] == [
            "test_latin.py:2", "test_nul.py:2", unchecked[2].split(": ")[0], "test_loop.py", "test_dangling.py",
            "test_fifo.py", "test_missing.py",
        ]
        assert unchecked[2].startswith("test_syntax.py:")  # the line of the error, as this Python reports it
        assert all(": CFX002 could not check this file for exits: " in line for line in unchecked)
        assert "not valid utf-8 (byte 0xe9 on line 2)" in unchecked[0] and "NUL byte" in unchecked[1]
        assert "does not parse as Python" in unchecked[2] and "symbolic links" in unchecked[3]
        assert "a symbolic link to a missing file" in unchecked[4] and "not a regular file" in unchecked[5]
        assert "no such file" in unchecked[6]
        assert checked.startswith(last)  # checked (and fixed) despite the others


def test_unreadable_file_is_a_failure_not_a_pass(tmp_path: Path) -> None:
    """Promise: a file it cannot read (chmod 000) is reported and fails the hook; the rest are checked."""
    prefix = unprivileged()
    write(tmp_path, {"test_locked.py": "import sys\nsys.exit(1)\n", "test_open.py": "quit()\n"})
    (tmp_path / "test_locked.py").chmod(0)
    try:
        result = hook(tmp_path, "test_locked.py", "test_open.py", prefix=prefix)
    finally:
        (tmp_path / "test_locked.py").chmod(0o644)
    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.splitlines()[0] == (
        "test_locked.py: CFX002 could not check this file for exits: cannot read it (permission denied)"
    )
    assert positions(result.stdout) == ["test_open.py:1:1"]


def test_fix_that_cannot_be_written_leaves_the_file_and_no_temporary_file(tmp_path: Path) -> None:
    """Promise: writes are atomic: when the directory is read-only, the file keeps its bytes, no
    temporary file is left, the failure is one line and the hook fails."""
    prefix = unprivileged()
    write(tmp_path, {"tests/test_ro.py": "import sys\nif sys.argv:\n    sys.exit(1)\n"})
    before = (tmp_path / "tests/test_ro.py").read_bytes()
    (tmp_path / "tests").chmod(0o555)
    try:
        result = hook(tmp_path, "--fix", "tests/test_ro.py", prefix=prefix)
    finally:
        (tmp_path / "tests").chmod(0o755)
    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.splitlines()[0] == "tests/test_ro.py: CFX002 could not write the fix: permission denied"
    assert positions(result.stdout) == ["tests/test_ro.py:3:5"]  # still reported
    assert (tmp_path / "tests/test_ro.py").read_bytes() == before
    assert [path.name for path in (tmp_path / "tests").iterdir()] == ["test_ro.py"]


@pytest.mark.parametrize("absolute", [False, True], ids=["relative-link", "absolute-link"])
def test_fix_writes_through_a_symlink_and_keeps_it(tmp_path: Path, absolute: bool) -> None:
    """Promise: --fix on a symlinked test file rewrites the target and keeps the link (never
    replaces it with a regular file); the target keeps its mode."""
    write(tmp_path, {
        "shared/gpu_checks.py": """\
            import sys
            if sys.platform != "no-such-platform":
                sys.exit("needs the GPU platform")
            def test_kernel():
                pass
            """,
        "tests/test_plain.py": "def test_plain():\n    pass\n",
    })
    target = tmp_path / "shared/gpu_checks.py"
    target.chmod(0o640)
    link = tmp_path / "tests/test_gpu.py"
    link.symlink_to(target if absolute else Path("../shared/gpu_checks.py"))
    result = hook(tmp_path, "--fix", "tests/test_gpu.py")
    assert result.stdout.splitlines() == ["tests/test_gpu.py: fixed 1 import-time exit(s)"]
    assert link.is_symlink() and os.readlink(link) == (str(target) if absolute else "../shared/gpu_checks.py")
    assert "allow_module_level=True" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(path.name for path in (tmp_path / "shared").iterdir()) == ["gpu_checks.py"]
    assert collected_ids(tmp_path) == ["tests/test_plain.py::test_plain"]  # the linked module skips, as it exited


def test_fix_keeps_encoding_newlines_and_mode(tmp_path: Path) -> None:
    """Promise: --fix keeps the file's encoding, its newlines (CRLF stays CRLF) and its mode."""
    path = tmp_path / "test_latin.py"
    source = "# -*- coding: latin-1 -*-\r\nimport sys\r\nNAME = 'caf\xe9'\r\nif not NAME:\r\n    sys.exit(1)\r\n"
    path.write_bytes(source.encode("latin-1"))
    path.chmod(0o751)
    result = hook(tmp_path, "--fix", "test_latin.py")
    data = path.read_bytes()
    assert result.stdout.splitlines() == ["test_latin.py: fixed 1 import-time exit(s)"]
    assert "caf\xe9".encode("latin-1") in data and b'pytest.skip("not NAME", allow_module_level=True)\r\n' in data
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [child.name for child in tmp_path.iterdir()] == ["test_latin.py"]


def test_exit_status_says_what_happened(tmp_path: Path) -> None:
    """Promise: exit 0 and silent when every file was checked and is clean; 1 when an exit was
    reported, a file could not be checked or --fix changed a file; 2 with one usage line for bad usage."""
    write(tmp_path, {"test_clean.py": "def test_a():\n    pass\n", "test_exit.py": "quit()\n"})
    (tmp_path / "test_bad.py").write_bytes(b"quit()\xff\n")
    assert hook(tmp_path, "test_clean.py").returncode == 0
    assert hook(tmp_path).returncode == 0  # pre-commit may pass no file
    assert hook(tmp_path, "test_exit.py").returncode == 1
    assert hook(tmp_path, "test_bad.py").returncode == 1
    assert hook(tmp_path, "--fix", "test_exit.py").returncode == 1
    assert hook(tmp_path, "--fix", "test_exit.py").returncode == 0  # nothing left to fix
    usage = hook(tmp_path, "--no-such-option", "test_clean.py")
    assert usage.returncode == 2 and usage.stdout == ""
    assert usage.stderr.splitlines()[-1] == "collect-fix-hook: error: unrecognized arguments: --no-such-option"


# Runs the entry point as pre-commit does, then lists sys.modules (on stderr: the hook prints on stdout).
LIST_MODULES = """\
import json, runpy, sys
sys.argv = sys.argv[1:]
try:
    if sys.argv[0] == "-m":
        sys.argv = sys.argv[1:]
        runpy.run_module("collect_fix.hook", run_name="__main__", alter_sys=True)
    elif sys.argv[0]:
        runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def imported_modules(cwd: Path, *args: str) -> set[str]:
    """Every module the hook's process holds at its end, beyond a bare interpreter's (``sys.modules``)."""
    entry = [str(SCRIPT)] if SCRIPT.exists() else ["-m"]
    run = subprocess.run([sys.executable, "-c", LIST_MODULES, *entry, *args], cwd=cwd, capture_output=True,
                         text=True, timeout=120)
    bare = subprocess.run([sys.executable, "-c", LIST_MODULES, ""], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    loaded = set(json.loads(run.stderr.splitlines()[-1]))
    assert "collect_fix.hook" in loaded, run.stderr[-2000:]
    return loaded - set(json.loads(bare.stderr.splitlines()[-1]))


def test_start_up_imports_only_the_standard_library(tmp_path: Path) -> None:
    """Promise: the hook starts fast: it imports nothing beyond the standard library unless --fix
    has a file to rewrite (LibCST, the codemods and tomlkit only then)."""
    write(tmp_path, {
        "test_clean.py": "import sys\n\ndef test_a():\n    assert sys.argv\n",
        "test_guarded.py": "import sys\ndef main():\n    return 0\nif __name__ == '__main__':\n    sys.exit(main())\n",
        "test_exit.py": "import sys\nif sys.argv:\n    sys.exit(1)\n",
    })
    stdlib = getattr(sys, "stdlib_module_names", None)
    for files, walked in ((["test_clean.py"], False), (["test_clean.py", "test_guarded.py", "test_exit.py"], True)):
        loaded = imported_modules(tmp_path, *files)
        ours = {name for name in loaded if name.split(".")[0] == "collect_fix"}
        assert ours <= OWN_MODULES, ours - OWN_MODULES
        assert ("collect_fix.exit_walk" in ours) == walked  # the analysis loads only for a file naming an exit
        others = loaded - ours
        if stdlib is not None:
            assert {name for name in others if name.split(".")[0] not in stdlib} == set()
        assert not {"libcst", "tomlkit", "pytest", "_pytest", "click", "rope"} & {name.split(".")[0] for name in loaded}
    fixing = imported_modules(tmp_path, "--fix", "test_exit.py")
    assert "libcst" in fixing and "collect_fix.transforms" in fixing  # what the check above would catch


def test_prints_nothing_but_its_own_lines(tmp_path: Path) -> None:
    """Promise: one line per exit or unchecked file, nothing else: the compiler's warnings about the
    checked code (invalid escapes, ``is`` with a literal) are not the hook's to print."""
    write(tmp_path, {"test_warnings.py": 'import sys\nx = "\\d"\nif x is 1:\n    pass\nsys.exit(1)\n'})
    result = hook(tmp_path, "test_warnings.py")
    assert result.stderr == "" and positions(result.stdout) == ["test_warnings.py:5:1"]
    assert len(result.stdout.splitlines()) == 1
