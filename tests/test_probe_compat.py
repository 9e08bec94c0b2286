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


# Collection errors of the kinds whose tracebacks pass through several files: a multi-line import,
# a source module failing in a decorated function and in a class body it runs at import.
_FAILING = {
    "src_pkg/__init__.py": "",
    "src_pkg/decorated.py": (
        "import functools\n\n\ndef traced(function):\n    @functools.wraps(function)\n"
        "    def wrapper(*args):\n        return function(*args)\n    return wrapper\n\n\n"
        "@traced\ndef build(\n    size,\n):\n    return (\n        size\n        + undefined_total\n    )\n\n\n"
        "TABLE = build(3)\n"
    ),
    "src_pkg/classes.py": "class Config:\n    if True:\n        limit = MISSING_LIMIT\n",
    "tests/test_multiline.py": "from src_pkg import (\n    decorated,\n    not_there,\n)\n\n\ndef test_a():\n    pass\n",
    "tests/test_decorated.py": "from src_pkg.decorated import TABLE\n\n\ndef test_b():\n    pass\n",
    "tests/test_classes.py": "from src_pkg.classes import Config\n\n\ndef test_c():\n    pass\n",
    "tests/test_fine.py": "def test_d():\n    pass\n",
}


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("style", [(), ("--tb=short",), ("--tb=long",)], ids=["default", "short", "long"])
def test_pytest_reports_collection_errors_in_the_same_words_with_the_probe(
    tmp_path, python: str, style: tuple[str, ...]
) -> None:
    """The probe formats pytest's short tracebacks without parsing each file in them (a speed-up
    of a private API): pytest's whole output must stay as pytest alone writes it."""
    from collect_fix.collector import install_probe

    for relative, text in _FAILING.items():
        path = tmp_path / "project" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "probe").mkdir()
    install_probe(tmp_path / "probe")
    command = [python, "-m", "pytest", "--collect-only", "-p", "no:cacheprovider", "-p", "no:randomly", *style]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "COLLECT_FIX_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    def output(extra: tuple[str, ...], path: str) -> str:
        run = subprocess.run(
            [*command, *extra], cwd=tmp_path / "project", capture_output=True, text=True, timeout=120,
            env=dict(env, PYTHONPATH=path),
        )
        return run.stdout.rsplit(" in ", 1)[0]  # the summary line's duration differs

    alone = output((), "")
    with_probe = output(("-p", "_collect_fix_probe"), str(tmp_path / "probe"))

    assert "3 errors" in alone and "NameError: name 'undefined_total' is not defined" in alone
    assert "+ undefined_total" in alone and "from src_pkg import (" in alone  # source lines, as pytest shows them
    assert with_probe == alone


@pytest.mark.parametrize("python", PYTHONS)
def test_the_probe_formats_short_tracebacks_itself_with_this_pytest(tmp_path, python: str) -> None:
    """What the speed-up replaces is still there, under the name the probe looks for."""
    from collect_fix.collector import install_probe

    install_probe(tmp_path)
    check = (
        "import _collect_fix_probe\nfrom _pytest._code import code\n"
        "formatter = getattr(code, 'ExceptionInfoFormatter', None) or code.FormattedExcinfo\n"
        "print(formatter._getentrysource.__module__)\n"
    )
    run = subprocess.run([python, "-c", check], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=str(tmp_path)))
    assert run.stdout.strip() == "_collect_fix_probe", run.stderr
