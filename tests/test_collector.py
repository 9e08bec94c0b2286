"""The collector against real pytest on small projects written into tmp_path."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pytest

from collect_fix.collector import CollectorUnavailable, RunCollector, collect, find_interpreter


def write(root: Path, files: dict[str, str]) -> Path:
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


TWO_TESTS = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"


@pytest.mark.parametrize(
    "exit_line",
    ["import sys\nsys.exit(1)", "exit(3)", "quit()", "raise SystemExit('no backend')", "from sys import exit as bye\nbye()"],
    ids=["sys.exit", "exit", "quit", "raise SystemExit", "aliased"],
)
def test_a_module_level_exit_is_one_error_and_the_rest_is_collected(tmp_path: Path, exit_line: str) -> None:
    root = write(tmp_path, {"tests/test_a_exits.py": exit_line + "\n", "tests/test_b.py": TWO_TESTS, "tests/test_c.py": TWO_TESTS})

    collection = collect(root, sys.executable, timeout=60)

    assert collection.tests == 4
    assert collection.tests_per_file == {"tests/test_b.py": 2, "tests/test_c.py": 2}
    (error,) = collection.errors
    assert error.exc_type == "SystemExit"
    assert error.path == str(root / "tests/test_a_exits.py")
    assert any(frame.in_project and frame.path.endswith("test_a_exits.py") for frame in error.frames)


@pytest.mark.parametrize("code", [7, 0])
def test_os_exit_names_the_file_and_collection_goes_on(tmp_path: Path, code: int) -> None:
    root = write(tmp_path, {"tests/test_a_dies.py": f"import os\nos._exit({code})\n", "tests/test_b.py": TWO_TESTS})

    collection = collect(root, sys.executable, timeout=60)

    assert collection.tests == 2
    (error,) = collection.errors
    assert error.phase == "process"
    assert error.exc_type == "ProcessExit"
    assert error.path == str(root / "tests/test_a_dies.py")
    assert f"exited with code {code}" in error.message


def test_a_hanging_import_is_stopped_by_the_timeout_and_named(tmp_path: Path) -> None:
    root = write(tmp_path, {"tests/test_a_hangs.py": "import time\ntime.sleep(60)\n", "tests/test_b.py": TWO_TESTS})

    collection = collect(root, sys.executable, timeout=3)

    assert collection.tests == 2
    (error,) = collection.errors
    assert error.exc_type == "Timeout"
    assert error.path == str(root / "tests/test_a_hangs.py")
    assert "did not finish within 3s" in error.message


def test_import_errors_carry_the_exception_attributes(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "tests/test_missing_module.py": "import not_a_real_module_xyz\n",
            "tests/test_missing_name.py": "from os.path import not_there\n",
            "tests/test_name_error.py": "x: Optional[int] = None\n",
        },
    )

    errors = {Path(error.path).name: error for error in collect(root, sys.executable, timeout=60).errors}

    assert errors["test_missing_module.py"].exc_type == "ModuleNotFoundError"
    assert errors["test_missing_module.py"].attrs["name"] == "not_a_real_module_xyz"
    assert errors["test_missing_name.py"].exc_type == "ImportError"
    assert "not_there" in errors["test_missing_name.py"].message
    assert errors["test_name_error.py"].exc_type == "NameError"
    # NameError.name exists from Python 3.10 on; before that only the message says it.
    assert errors["test_name_error.py"].attrs.get("name", "Optional") == "Optional"
    assert "'Optional'" in errors["test_name_error.py"].message


def test_a_nested_conftest_failure_is_unwrapped(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {"tests/sub/conftest.py": "from os import nope\n", "tests/sub/test_x.py": TWO_TESTS, "tests/test_ok.py": TWO_TESTS},
    )

    collection = collect(root, sys.executable, timeout=60)

    assert collection.tests == 2
    (error,) = collection.errors
    assert error.wrapper == "ConftestImportFailure"
    assert error.exc_type == "ImportError"
    assert error.path == str(root / "tests/sub/conftest.py")


def test_an_initial_conftest_failure_is_recorded(tmp_path: Path) -> None:
    root = write(tmp_path, {"conftest.py": "import missing_plugin_dependency_q\n", "tests/test_ok.py": TWO_TESTS})

    collection = collect(root, sys.executable, timeout=60)

    assert not collection.completed
    (error,) = collection.errors
    assert error.phase == "initial_conftest"
    assert error.exc_type == "ModuleNotFoundError"
    assert error.attrs["name"] == "missing_plugin_dependency_q"


@pytest.mark.parametrize("given", ["ini", "arguments", "conftest"])
def test_the_files_pytest_imports_by_path_are_what_its_own_config_says(tmp_path: Path, given: str) -> None:
    """A fourteenth review: ``python_files`` given only in ``--pytest-args``, or ``--doctest-modules``
    set by a conftest's ``pytest_configure``, were unseen by a reading of the configuration file."""
    files = {"tests/check_x.py": TWO_TESTS}
    args: tuple[str, ...] = ()
    if given == "ini":
        files["pytest.ini"] = "[pytest]\npython_files = check_*.py\n"
    elif given == "arguments":
        args = ("-o", "python_files=check_*.py", "--doctest-modules")
    else:
        files["pytest.ini"] = "[pytest]\npython_files = check_*.py\n"
        files["conftest.py"] = "def pytest_configure(config):\n    config.option.doctestmodules = True\n"
    root = write(tmp_path, files)

    collection = collect(root, sys.executable, timeout=60, pytest_args=args)

    assert collection.tests == 2
    assert collection.settings is not None
    assert collection.settings.python_files == ("check_*.py",)
    assert collection.settings.doctest_modules is (given != "ini")


def test_collection_leaves_no_cache_or_bytecode_in_the_project(tmp_path: Path) -> None:
    root = write(tmp_path, {"tests/test_b.py": TWO_TESTS})
    before = sorted(path.relative_to(root) for path in root.rglob("*"))

    collect(root, sys.executable, timeout=60)

    assert sorted(path.relative_to(root) for path in root.rglob("*")) == before


def test_an_edit_of_the_same_size_in_the_same_second_is_compiled_afresh(tmp_path: Path) -> None:
    root = write(tmp_path, {"tests/test_b.py": "def test_one():\n    pass\n"})
    test_file = root / "tests/test_b.py"
    stamp = test_file.stat()
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        assert collections.collect().tests_per_file == {"tests/test_b.py": 1}
        edited = "import no_such_module_q\n"
        test_file.write_text(edited + "#" * (stamp.st_size - len(edited)), encoding="utf-8")
        os.utime(test_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        assert test_file.stat().st_size == stamp.st_size

        again = collections.collect(touched=("tests/test_b.py",))
    finally:
        collections.close()

    assert again.tests == 0
    (error,) = again.errors
    assert error.attrs["name"] == "no_such_module_q"


def test_an_interpreter_without_pytest_is_a_clear_error(tmp_path: Path) -> None:
    root = write(tmp_path, {"tests/test_b.py": TWO_TESTS})
    with pytest.raises(CollectorUnavailable, match="cannot run"):
        collect(root, str(tmp_path / "no-such-python"), timeout=60)


def test_the_project_venv_interpreter_is_the_default(tmp_path: Path) -> None:
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    assert find_interpreter(tmp_path) == str(python)
    assert find_interpreter(tmp_path, "/explicit/python") == "/explicit/python"
    assert find_interpreter(tmp_path / ".venv") == sys.executable
