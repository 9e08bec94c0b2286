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
