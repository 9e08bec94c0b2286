"""The probe runs next to whatever pytest the project has: 8.x as well as 9.x.

CI provides a second interpreter with pytest 8 in COLLECT_FIX_PYTEST8_PYTHON (see .ci/run); it has
nothing of collect-fix installed, which is the point: the probe needs only pytest there.
"""

from __future__ import annotations

import os
import re
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


# Conftests that write down what a plugin sees at a collection's end, each through a hook the
# probe's shortcut (taking "N errors during collection" as the end) would change for it.
_SEEN = "import os\n\ndef _saw(session, what):\n    with open(os.path.join(str(session.config.rootpath), 'seen.txt'), 'a') as out:\n        out.write(what + '\\n')\n"
_LISTENERS = {
    "runtestloop": "def pytest_runtestloop(session):\n    _saw(session, 'loop')\n",
    "runtestloop-wrapper": (  # pytest-cov's style: its data file is written after the yield
        "import pytest\n\n@pytest.hookimpl(wrapper=True)\ndef pytest_runtestloop(session):\n"
        "    result = yield\n    _saw(session, 'after the loop')\n    return result\n"
    ),
    "runtestloop-hookwrapper": (
        "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtestloop(session):\n"
        "    outcome = yield\n    _saw(session, 'loop raised %s' % (outcome.excinfo is not None))\n"
    ),
    "sessionfinish": (
        "def pytest_sessionfinish(session, exitstatus):\n"
        "    _saw(session, 'finish %d %d' % (int(exitstatus), int(session.exitstatus)))\n"
    ),
    "sessionfinish-tryfirst": (
        "import pytest\n\n@pytest.hookimpl(tryfirst=True)\ndef pytest_sessionfinish(session, exitstatus):\n"
        "    _saw(session, 'finish %d %d' % (int(exitstatus), int(session.exitstatus)))\n"
    ),
    "sessionfinish-exit-code": (  # pytest-custom-exit-code's style: the argument decides the code
        "def pytest_sessionfinish(session, exitstatus):\n"
        "    if exitstatus == 2:\n        session.exitstatus = 7\n"
    ),
    "terminal-summary": "def pytest_terminal_summary(terminalreporter, exitstatus, config):\n    _saw(terminalreporter._session, 'summary %d' % int(exitstatus))\n",
    "keyboard-interrupt": "def pytest_keyboard_interrupt(excinfo):\n    import pytest\n    open('seen.txt', 'a').write('interrupt %s\\n' % excinfo.typename)\n",
}


def _collect_only(python: str, root, probe=None):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("COLLECT_FIX_RECORDS", None)
    arguments = [python, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    if probe is not None:
        from collect_fix.collector import PROBE_MODULE, install_probe

        probe.mkdir(exist_ok=True)
        install_probe(probe)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(probe), env.get("PYTHONPATH", "")]))
        arguments += ["-p", PROBE_MODULE]
    return subprocess.run(arguments, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def _write(root, files) -> None:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("addopts", ["", "--continue-on-collection-errors"])
@pytest.mark.parametrize("broken", [True, False], ids=["errors", "clean"])
@pytest.mark.parametrize("listener", sorted(_LISTENERS))
def test_what_other_plugins_see_at_the_end_is_what_pytest_alone_shows_them(
    tmp_path, python: str, addopts: str, broken: bool, listener: str
) -> None:
    """Where a plugin other than pytest's own listens to a hook the shortcut would change, the
    collection ends as pytest alone ends it: the same exit code, the same hooks called with the
    same status, and pytest's ``Interrupted`` line printed."""
    files = {"pytest.ini": f"[pytest]\naddopts = {addopts}\n", "conftest.py": _SEEN + _LISTENERS[listener],
             "test_a.py": "def test_a():\n    pass\n"}
    if broken:
        files["test_b.py"] = "import not_a_module_anywhere\n"
    seen = {}
    for who in ("pytest", "probe"):
        _write(tmp_path / who, files)
        run = _collect_only(python, tmp_path / who, probe=tmp_path / "probe" if who == "probe" else None)
        witness = tmp_path / who / "seen.txt"
        seen[who] = (run.returncode, witness.read_text() if witness.exists() else None, "Interrupted:" in run.stdout)
    assert seen["probe"] == seen["pytest"]
    if broken and not addopts:
        assert seen["pytest"][2] and seen["pytest"][0] == (7 if listener == "sessionfinish-exit-code" else 2)


@pytest.mark.parametrize("python", PYTHONS)
def test_where_only_pytest_listens_a_collection_with_errors_ends_without_formatting_its_interruption(
    tmp_path, python: str
) -> None:
    """pytest formats the "N errors during collection" traceback only to print its one line; the
    probe ends the collection there without it, with pytest's exit code and everything else it
    prints, and ends a clean collection, or one with its errors let through, as pytest does."""
    for broken, addopts, code in ((True, "", 2), (True, "--continue-on-collection-errors", 1), (False, "", 0)):
        files = {"pytest.ini": f"[pytest]\naddopts = {addopts}\n", "test_a.py": "def test_a():\n    pass\n"}
        if broken:
            files["test_b.py"] = "import not_a_module_anywhere\n"
        case = tmp_path / f"{broken}{bool(addopts)}"
        _write(case, files)
        alone, probed = _collect_only(python, case), _collect_only(python, case, probe=tmp_path / "probe")
        assert alone.returncode == probed.returncode == code
        shortcut = broken and not addopts
        assert ("Interrupted: 1 error during collection" in alone.stdout) is shortcut
        assert "Interrupted" not in probed.stdout
        lines = [_untimed(line) for line in alone.stdout.splitlines() if "Interrupted: 1 error during collection" not in line]
        assert [_untimed(line) for line in probed.stdout.splitlines()] == lines


def _untimed(line: str) -> str:
    return re.sub(r" in [0-9.]+s\b", " in (time)", line)
