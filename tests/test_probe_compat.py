"""The probe runs next to whatever pytest the project has: 8.x as well as 9.x.

CI provides a second interpreter with pytest 8 in COLLECT_FIX_PYTEST8_PYTHON (see .ci/run); it has
nothing of collect-fix installed, which is the point: the probe needs only pytest there.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from collect_fix.collector import collect

PYTHONS = [pytest.param(sys.executable, id="this-pytest")]
if os.environ.get("COLLECT_FIX_PYTEST8_PYTHON"):
    PYTHONS.append(pytest.param(os.environ["COLLECT_FIX_PYTEST8_PYTHON"], id="pytest-8"))


@pytest.mark.parametrize("python", PYTHONS)
def test_sys_exit_fixture_collects_around_the_exit(fixture_project, python: str) -> None:
    version = subprocess.run([python, "-m", "pytest", "--version"], capture_output=True, text=True).stdout
    assert version.startswith("pytest ")
    root = fixture_project("sys_exit_on_import")

    collection = collect(root, python, timeout=120)

    assert collection.tests == 7
    (error,) = collection.errors
    assert error.exc_type == "SystemExit"
    assert error.path is not None and error.path.endswith("test_api_rate_limiting.py")


def test_ci_checks_pytest_8() -> None:
    if os.environ.get("CI") and not os.environ.get("COLLECT_FIX_PYTEST8_PYTHON"):
        pytest.fail(".ci/run must provide COLLECT_FIX_PYTEST8_PYTHON")


@pytest.mark.parametrize("python", PYTHONS)
def test_a_partial_collection_of_a_directory_and_a_file_in_it_collects_the_whole_directory(
    tmp_path, python: str
) -> None:
    """pytest 8 collects only the file of ``pytest tests tests/test_a.py``; the scope's arguments
    leave out what a directory given too holds."""
    from collect_fix.collector import RunCollector, Scope

    for name in ("a", "b"):
        (tmp_path / "tests").mkdir(exist_ok=True)
        (tmp_path / "tests" / f"test_{name}.py").write_text(f"def test_{name}():\n    pass\n", encoding="utf-8")
    collections = RunCollector(tmp_path, python, timeout=120)
    try:
        first = collections.collect()
        again = collections.recollect(first, Scope(frozenset({"tests/test_a.py"}), frozenset({"tests"})))
    finally:
        collections.close()

    assert first.tests_per_file == again.tests_per_file == {"tests/test_a.py": 1, "tests/test_b.py": 1}


@pytest.mark.parametrize("python", PYTHONS)
def test_a_prestarted_pytest_collects_with_this_pytest(tmp_path, python: str) -> None:
    """``_prestart`` runs in the project's interpreter too (Python 3.8 and later)."""
    from collect_fix.collector import RunCollector

    seen = tmp_path / "command"
    (tmp_path / "project" / "tests").mkdir(parents=True)
    (tmp_path / "project" / "tests" / "test_a.py").write_text(
        f"import sys\nopen({str(seen)!r}, 'w').write(' '.join(sys.argv))\n\ndef test_a():\n    pass\n",
        encoding="utf-8",
    )
    collections = RunCollector(tmp_path / "project", python, timeout=120)
    try:
        collections.prestart_next()
        prestarted = collections._prestarted
        collection = collections.collect()
    finally:
        collections.close()

    assert prestarted is not None
    assert collection.tests_per_file == {"tests/test_a.py": 1}
    assert collection.errors == ()
    assert seen.read_text(encoding="utf-8").split()[0].endswith("__main__.py")  # as ``python -m pytest`` has it


# A conftest that says what other plugins see at the session's end: whether its own
# pytest_runtestloop ran, and the session's exit status when pytest_sessionfinish runs.
_WITNESS = """
import os

def pytest_runtestloop(session):
    with open(os.path.join(str(session.config.rootpath), "loop.txt"), "w") as out:
        out.write("ran")

def pytest_sessionfinish(session, exitstatus):
    with open(os.path.join(str(session.config.rootpath), "finish.txt"), "w") as out:
        out.write(str(int(session.exitstatus)))
"""


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("addopts", ["", "--continue-on-collection-errors"])
@pytest.mark.parametrize("broken", [True, False], ids=["errors", "clean"])
def test_the_session_ends_with_the_code_and_hooks_of_pytest_alone(tmp_path, python: str, addopts: str, broken: bool) -> None:
    """The probe takes pytest's "N errors during collection" interruption as the end it stands
    for (formatting its traceback cost a tenth of a second per collection): the exit code, the
    other plugins' run-loop hooks and the status their session-finish hooks see stay pytest's own."""
    files = {"pytest.ini": f"[pytest]\naddopts = {addopts}\n", "conftest.py": _WITNESS,
             "test_a.py": "def test_a():\n    pass\n"}
    if broken:
        files["test_b.py"] = "import not_a_module_anywhere\n"
    seen = {}
    for who in ("pytest", "probe"):
        root = tmp_path / who
        root.mkdir()
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        if who == "pytest":
            plain = subprocess.run([python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], cwd=root,
                                   capture_output=True, text=True, timeout=120)
            code = plain.returncode
        else:
            collection = collect(root, python, timeout=120)
            code = collection.exit_code
            assert len(collection.errors) == (1 if broken else 0)
        seen[who] = (code, (root / "loop.txt").read_text(), (root / "finish.txt").read_text())
    assert seen["probe"] == seen["pytest"]
    assert seen["pytest"][0] == (2 if broken and not addopts else 1 if broken else 0)
