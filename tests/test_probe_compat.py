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


# Projects' plugins that write down what they see at a collection's end, each through something
# the probe's shortcut (taking "N errors during collection" as the end) would change for it: the
# files each adds to a project, and the options it adds to addopts.
_SEEN = "import os\n\ndef _saw(session, what):\n    with open(os.path.join(str(session.config.rootpath), 'seen.txt'), 'a') as out:\n        out.write(what + '\\n')\n"
_FINISH = "def pytest_sessionfinish(self, session, exitstatus):\n        _saw(session, 'finish %d %d' % (int(exitstatus), int(session.exitstatus)))\n"
_LISTENERS = {
    "runtestloop": ({"conftest.py": _SEEN + "def pytest_runtestloop(session):\n    _saw(session, 'loop')\n"}, ""),
    "runtestloop-wrapper": ({"conftest.py": _SEEN + (  # pytest-cov's style: its data file is written after the yield
        "import pytest\n\n@pytest.hookimpl(wrapper=True)\ndef pytest_runtestloop(session):\n"
        "    result = yield\n    _saw(session, 'after the loop')\n    return result\n"
    )}, ""),
    "runtestloop-hookwrapper": ({"conftest.py": _SEEN + (
        "import pytest\n\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtestloop(session):\n"
        "    outcome = yield\n    _saw(session, 'loop raised %s' % (outcome.excinfo is not None))\n"
    )}, ""),
    "sessionfinish": ({"conftest.py": _SEEN + (
        "def pytest_sessionfinish(session, exitstatus):\n"
        "    _saw(session, 'finish %d %d' % (int(exitstatus), int(session.exitstatus)))\n"
    )}, ""),
    "sessionfinish-tryfirst": ({"conftest.py": _SEEN + (
        "import pytest\n\n@pytest.hookimpl(tryfirst=True)\ndef pytest_sessionfinish(session, exitstatus):\n"
        "    _saw(session, 'finish %d %d' % (int(exitstatus), int(session.exitstatus)))\n"
    )}, ""),
    "sessionfinish-exit-code": ({"conftest.py": (  # pytest-custom-exit-code's style: the argument decides the code
        "def pytest_sessionfinish(session, exitstatus):\n    if exitstatus == 2:\n        session.exitstatus = 7\n"
    )}, ""),
    "terminal-summary": ({"conftest.py": _SEEN + (
        "def pytest_terminal_summary(terminalreporter, exitstatus, config):\n"
        "    _saw(terminalreporter._session, 'summary %d' % int(exitstatus))\n"
    )}, ""),
    "keyboard-interrupt": ({"conftest.py": (
        "def pytest_keyboard_interrupt(excinfo):\n    open('seen.txt', 'a').write('interrupt %s\\n' % excinfo.typename)\n"
    )}, ""),
    "class-instance": ({"conftest.py": _SEEN + (  # pytest-cov registers its plugin so
        "class Listener:\n    " + _FINISH + "\ndef pytest_configure(config):\n    config.pluginmanager.register(Listener())\n"
    )}, ""),
    "class-calling-itself-pytests": ({"conftest.py": _SEEN + (
        "class Listener:\n    " + _FINISH + "\nListener.__module__ = '_pytest.terminal'\n\n"
        "def pytest_configure(config):\n    config.pluginmanager.register(Listener())\n"
    )}, ""),
    "module-named-like-pytest": ({"_pytest_like.py": _SEEN + _FINISH.replace("self, ", "").replace("\n        ", "\n    "),
                                  "conftest.py": "pytest_plugins = ['_pytest_like']\n"}, ""),
    "pytest-method-replaced": ({"conftest.py": _SEEN + (
        "import pytest\nimport _pytest.terminal\n\n_pytests = _pytest.terminal.TerminalReporter.pytest_sessionfinish\n\n"
        "@pytest.hookimpl(wrapper=True)\ndef _finish(self, session, exitstatus):\n"
        "    _saw(session, 'finish %d' % int(exitstatus))\n    return (yield from _pytests(self, session, exitstatus))\n\n"
        "_pytest.terminal.TerminalReporter.pytest_sessionfinish = _finish\n"
    )}, ""),
    "session-asked-to-stop": ({"conftest.py": (
        "def pytest_collection_modifyitems(session, config, items):\n    session.shouldstop = 'a plugin asked to stop'\n"
    )}, ""),
    "hook-calls-traced": ({}, "--debug"),
}


def _collect_only(python: str, root, scratch, probe: bool):
    """pytest's collection of ``root`` on collect-fix's command line, with or without the probe."""
    from collect_fix.collector import PROBE_MODULE, install_probe

    scratch.mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    for name in ("COLLECT_FIX_RECORDS", "PYTEST_DEBUG", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    arguments = [python, "-m", "pytest", "--collect-only", "-q", "-o", f"cache_dir={scratch / 'cache'}", "--maxfail=0",
                 "--assert=plain"]
    if probe:
        install_probe(scratch)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(scratch), env.get("PYTHONPATH", "")]))
        arguments[4:4] = ["-p", PROBE_MODULE]
    run = subprocess.run(arguments, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    output = [re.sub(r" in [0-9.]+s\b", " in (time)", line.replace(str(root), "(root)"))
              for line in (run.stdout + run.stderr).splitlines()]
    return run.returncode, output


def _project(root, files) -> None:
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("listener", sorted(_LISTENERS))
def test_what_other_plugins_see_at_the_end_is_what_pytest_alone_shows_them(tmp_path, python: str, listener: str) -> None:
    """Where anything but pytest's own code would see the shortcut, a collection with errors
    ends as pytest alone ends it: the same exit code, output and hook calls with the same status.
    (Collections it does not apply to: the test below.)"""
    files, options = _LISTENERS[listener]
    files = {**files, "pytest.ini": f"[pytest]\naddopts = {options}\n", "test_a.py": "def test_a():\n    pass\n",
             "test_b.py": "import not_a_module_anywhere\n"}
    seen = {}
    for who in ("pytest", "probe"):
        _project(tmp_path / who, files)
        code, output = _collect_only(python, tmp_path / who, tmp_path / f"{who}-scratch", probe=who == "probe")
        witness = tmp_path / who / "seen.txt"
        seen[who] = (code, output, witness.read_text() if witness.exists() else None)
    assert seen["probe"] == seen["pytest"]
    assert any("Interrupted: 1 error during collection" in line for line in seen["pytest"][1])


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
        _project(case, files)
        alone = _collect_only(python, case, tmp_path / "alone", probe=False)
        probed = _collect_only(python, case, tmp_path / "probed", probe=True)
        assert alone[0] == probed[0] == code
        interrupted = [line for line in alone[1] if "Interrupted: 1 error during collection" in line]
        assert len(interrupted) == (1 if broken and not addopts else 0)
        assert probed[1] == [line for line in alone[1] if line not in interrupted]
