"""The probe runs next to whatever pytest the project has: 8.x as well as 9.x.

CI provides a second interpreter with pytest 8 in COLLECT_FIX_PYTEST8_PYTHON (see .ci/run); it has
nothing of collect-fix installed, which is the point: the probe needs only pytest there.
"""

from __future__ import annotations

import json
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


# Projects' plugins that write down what they see at a collection's end: the hooks a probe that
# ended the session early would change for them (the files each adds to a project).
_SEEN = "import os\n\ndef _saw(session, what):\n    with open(os.path.join(str(session.config.rootpath), 'seen.txt'), 'a') as out:\n        out.write(what + '\\n')\n"
_LISTENERS = {
    "none": {},
    "runtestloop-wrapper": {"conftest.py": _SEEN + (  # pytest-cov's style: its data file is written after the yield
        "import pytest\n\n@pytest.hookimpl(wrapper=True)\ndef pytest_runtestloop(session):\n"
        "    _saw(session, 'loop begins')\n    result = yield\n    _saw(session, 'after the loop')\n    return result\n"
    )},
    "sessionfinish-exit-code": {"conftest.py": (  # pytest-custom-exit-code's style: the argument decides the code
        "def pytest_sessionfinish(session, exitstatus):\n    if exitstatus == 2:\n        session.exitstatus = 7\n"
    )},
    "terminal-summary": {"conftest.py": _SEEN + (
        "def pytest_terminal_summary(terminalreporter, exitstatus, config):\n"
        "    _saw(terminalreporter._session, 'summary %d' % int(exitstatus))\n"
    )},
    "keyboard-interrupt-by-a-registered-instance": {"conftest.py": _SEEN + (  # pytest-cov registers its plugin so
        "class Listener:\n    def pytest_sessionfinish(self, session, exitstatus):\n"
        "        _saw(session, 'finish %d %d' % (int(exitstatus), int(session.exitstatus)))\n\n"
        "    def pytest_keyboard_interrupt(self, excinfo):\n        open('seen.txt', 'a').write('interrupt %s\\n' % excinfo.typename)\n\n"
        "def pytest_configure(config):\n    config.pluginmanager.register(Listener())\n"
    )},
    "hook-calls-monitored": {"conftest.py": (  # every hook called once collection is over, with its arguments
        "import os\n\ndef pytest_configure(config):\n    over = []\n\n"
        "    def before(name, implementations, arguments):\n"
        "        if name == 'pytest_collection_finish':\n            over.append(True)\n"
        "        elif over:\n"
        "            with open(os.path.join(str(config.rootpath), 'seen.txt'), 'a') as out:\n"
        "                out.write('%s %s %s\\n' % (name, sorted(arguments), arguments.get('exitstatus')))\n\n"
        "    config.pluginmanager.add_hookcall_monitoring(before, lambda *_: None)\n"
    )},
}


def _collect_only(python: str, root, scratch, probe: bool):
    """pytest's collection of ``root`` on collect-fix's command line and, with the probe, in the
    environment collect-fix gives it (records written); stdout and stderr, each as lines."""
    from collect_fix.collector import PROBE_MODULE, install_probe, probe_environment

    scratch.mkdir(exist_ok=True)
    arguments = [python, "-m", "pytest", "--collect-only", "-q", "-o", f"cache_dir={scratch / 'cache'}", "--maxfail=0",
                 "--assert=plain"]
    if probe:
        install_probe(scratch)
        env = probe_environment(scratch, scratch / "records", None)
        arguments[4:4] = ["-p", PROBE_MODULE]
    else:
        env = {name: value for name, value in os.environ.items() if not name.startswith("COLLECT_FIX_")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    for name in ("PYTEST_DEBUG", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    run = subprocess.run(arguments, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    return run.returncode, [
        [re.sub(r" in [0-9.]+s\b", " in (time)", line.replace(str(root), "(root)")) for line in stream.splitlines()]
        for stream in (run.stdout, run.stderr)
    ]


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("listener", sorted(_LISTENERS))
def test_a_collection_with_errors_ends_for_other_plugins_as_under_pytest_alone(tmp_path, python: str, listener: str) -> None:
    """The probe only listens: a collection with errors ends as pytest alone ends it, with the same
    exit code, output (its ``Interrupted`` line too) and hook calls with the same status."""
    files = {**_LISTENERS[listener], "test_a.py": "def test_a():\n    pass\n", "test_b.py": "import not_a_module_anywhere\n"}
    seen = {}
    for who in ("pytest", "probe"):
        root = tmp_path / who
        root.mkdir()
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        code, output = _collect_only(python, root, tmp_path / f"{who}-scratch", probe=who == "probe")
        witness = root / "seen.txt"
        seen[who] = (code, output, witness.read_text() if witness.exists() else None)
    records = [json.loads(line)["type"] for line in (tmp_path / "probe-scratch" / "records").read_text().splitlines()]
    assert "error" in records and "finish" in records  # the probe was at work, as in collect-fix's collections
    assert seen["probe"] == seen["pytest"]
    assert any("Interrupted: 1 error during collection" in line for line in seen["pytest"][1][0])
    assert seen["pytest"][0] == (7 if listener == "sessionfinish-exit-code" else 2)
    assert listener in ("none", "sessionfinish-exit-code") or seen["pytest"][2]
