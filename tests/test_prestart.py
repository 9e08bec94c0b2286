"""The prestarted pytest (``prestart``): a collection it runs sees what a new pytest would see,
including files written after it started, and it steps aside where it cannot promise that."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from collect_fix.collector import RunCollector

from conftest import write_files

pytestmark = pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="tells the processes apart by /proc")

# A test module that writes down how its collecting process looks from inside.
LOOKS = """\
import json, os, sys
_main = sys.modules["__main__"]
_scratch = os.path.dirname(os.environ["COLLECT_FIX_RECORDS"])
def _plain(value):
    return json.loads(json.dumps(value).replace(_scratch, "<scratch>"))
with open(os.environ["LOOKS_FILE"], "w") as handle:
    json.dump(_plain({
        "argv": sys.argv,
        "command": open("/proc/self/cmdline", "rb").read().decode().split(chr(0)),
        "path": sys.path,
        "cwd": os.getcwd(),
        "env": {key: value for key, value in os.environ.items() if key != "LOOKS_FILE"},
        "stdin": [os.fstat(0).st_rdev, os.fstat(0).st_ino],
        "main": [_main.__name__, getattr(_main.__spec__, "name", None), getattr(_main, "__file__", None)],
    }), handle)

def test_it():
    pass
"""


COMMAND_SEEN = (
    "import json, os, pathlib\n"
    "command = open('/proc/self/cmdline', 'rb').read().decode().split(chr(0))\n"
    "pathlib.Path(os.environ['PWD_OF_TEST'], 'command.json').write_text(json.dumps(command))\n"
)


def collect_prestarted(root: Path, python: str, *pytest_args: str) -> tuple[object, list[str]]:
    """A collection handed to a prestarted pytest once it waits; (collection, the collecting
    process's command line as a test module saw it)."""
    collections = RunCollector(root, python, timeout=60, pytest_args=pytest_args)
    try:
        collections.prestart_next()
        collection = collections.collect(("startup/settings.py",) if (root / "startup").is_dir() else ())
    finally:
        collections.close()
    return collection, json.loads((root / "command.json").read_text(encoding="utf-8"))


def waits_for_its_arguments_or_ends(collections: RunCollector) -> None:
    """Until the prestarted process has read its start-up (it waits, or has said no and ended)."""
    prestarted = collections._prestarted
    assert prestarted is not None and prestarted._process is not None
    process = prestarted._process
    wchan = Path(f"/proc/{process.pid}/wchan")
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        try:
            if "pipe" in wchan.read_text():
                return
        except OSError:
            return
        time.sleep(0.01)


def virtualenv_borrowing_this_pytest(folder: Path) -> str:
    """A virtualenv at ``folder`` whose site-packages point at this interpreter's (pytest): its python."""
    import site
    import subprocess

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = str(folder / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "borrow.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return python


def looks(root: Path, tmp_path: Path, prestarted: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    record = tmp_path / f"looks-{prestarted}.json"
    monkeypatch.setenv("LOOKS_FILE", str(record))
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        if prestarted:
            collections.prestart_next()
        collection = collections.collect()
    finally:
        collections.close()
    assert collection.tests_per_file == {"tests/test_looks.py": 1}
    seen: dict[str, object] = json.loads(record.read_text(encoding="utf-8"))
    return seen


def test_a_prestarted_collection_looks_from_inside_like_a_new_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_files(tmp_path / "project", {"pytest.ini": "[pytest]\n", "tests/test_looks.py": LOOKS})

    new = looks(root, tmp_path, prestarted=False, monkeypatch=monkeypatch)
    prestarted = looks(root, tmp_path, prestarted=True, monkeypatch=monkeypatch)

    assert "_collect_fix_prestart" in prestarted["command"]  # the prestarted process collected
    assert "_collect_fix_prestart" not in new["command"]
    for key in ("argv", "path", "cwd", "env", "stdin", "main"):
        assert prestarted[key] == new[key], key
    null = os.stat(os.devnull)
    assert new["stdin"] == [null.st_rdev, null.st_ino]


def test_a_module_written_after_the_start_is_imported(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "tests/test_new.py": "from helper_written_later import VALUE\n\ndef test_value():\n    assert VALUE\n",
    })
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        collections.prestart_next()  # it lists the project folder while it imports pytest
        collection = collections.collect()
        assert [error.exc_type for error in collection.errors] == ["ModuleNotFoundError"]

        collections.prestart_next()
        waits_for_its_arguments_or_ends(collections)  # it has imported pytest (and listed the folder)
        (root / "helper_written_later.py").write_text("VALUE = 1\n", encoding="utf-8")
        collection = collections.collect(("helper_written_later.py",))
    finally:
        collections.close()

    assert collection.errors == ()
    assert collection.tests_per_file == {"tests/test_new.py": 1}


def test_an_environment_changed_since_the_start_gets_a_new_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "seen.json"
    root = write_files(tmp_path / "project", {
        "pytest.ini": "[pytest]\n",
        "tests/test_env.py": (
            "import json, os\n"
            "command = open('/proc/self/cmdline', 'rb').read().decode().split(chr(0))\n"
            f"json.dump([os.environ.get('CHANGED_LATER'), command], open({str(record)!r}, 'w'))\n"
            "def test_it():\n    pass\n"
        ),
    })
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        collections.prestart_next()
        monkeypatch.setenv("CHANGED_LATER", "yes")  # Python reads some variables only at start
        collection = collections.collect()
    finally:
        collections.close()

    assert collection.tests == 1
    value, argv = json.loads(record.read_text(encoding="utf-8"))
    assert value == "yes"
    assert argv[1:3] == ["-m", "pytest"]


def test_an_unused_prestart_ends_with_the_run(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"pytest.ini": "[pytest]\n", "tests/test_a.py": "def test_a():\n    pass\n"})
    collections = RunCollector(root, sys.executable, timeout=60)
    collections.prestart_next()
    prestarted = collections._prestarted
    assert prestarted is not None
    process = prestarted._process
    scratch = Path(prestarted.scratch.name)
    assert process is not None and scratch.is_dir()

    collections.close()

    assert process.poll() is not None
    assert not scratch.exists()


def test_it_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECT_FIX_NO_PRESTART", "1")
    collections = RunCollector(tmp_path, sys.executable, timeout=60)
    collections.prestart_next()
    assert collections._prestarted is None
    collections.close()


@pytest.mark.parametrize("inside_the_prefix", [False, True], ids=["project", "project-in-the-interpreters-prefix"])
def test_a_module_it_loaded_from_the_tree_sends_it_back_to_a_new_pytest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inside_the_prefix: bool
) -> None:
    """A ``sitecustomize`` in the project imports project code at start-up: a repair written after
    the prestart must still be seen, so a new pytest collects. Also where the tree lies in the
    interpreter's ``sys.prefix`` (``/usr/src/app`` with /usr/bin/python, ``$VIRTUAL_ENV/src/pkg``)."""
    python, parent = sys.executable, tmp_path
    if inside_the_prefix:
        python, parent = virtualenv_borrowing_this_pytest(tmp_path / "env"), tmp_path / "env" / "src"
    root = write_files(parent / "app", {
        "pytest.ini": "[pytest]\n",
        "startup/sitecustomize.py": "import settings\n",
        "startup/settings.py": "COUNT = 1\n",
        "tests/test_count.py": COMMAND_SEEN + (
            "import pytest, settings\n\n@pytest.mark.parametrize('n', range(settings.COUNT))\ndef test_n(n):\n    pass\n"
        ),
    })
    monkeypatch.setenv("PYTHONPATH", str(root / "startup"))
    monkeypatch.setenv("PWD_OF_TEST", str(root))
    collections = RunCollector(root, python, timeout=60)
    try:
        collections.prestart_next()
        waits_for_its_arguments_or_ends(collections)  # its start-up has read settings
        (root / "startup/settings.py").write_text("COUNT = 3\n", encoding="utf-8")
        collection = collections.collect(("startup/settings.py",))
    finally:
        collections.close()

    assert collection.errors == ()
    assert collection.tests == 3
    assert "_collect_fix_prestart" not in json.loads((root / "command.json").read_text(encoding="utf-8"))


def test_a_new_pytest_started_instead_keeps_the_interpreters_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--python`` may be a wrapper that adds options (``-O``): the pytest started instead of a
    prestarted one that says no is the plain command, through the wrapper."""
    wrapper = tmp_path / "python-O"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} -O \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    root = write_files(tmp_path / "project", {
        "pytest.ini": "[pytest]\n",
        "startup/sitecustomize.py": "import settings\n",
        "startup/settings.py": "",
        "tests/test_flags.py": COMMAND_SEEN + "import sys\nassert sys.flags.optimize == 1, 'not optimized'\n\ndef test_a():\n    pass\n",
    })
    monkeypatch.setenv("PYTHONPATH", str(root / "startup"))
    monkeypatch.setenv("PWD_OF_TEST", str(root))

    collection, command = collect_prestarted(root, str(wrapper))

    assert collection.errors == ()  # type: ignore[attr-defined]
    assert collection.tests == 1  # type: ignore[attr-defined]
    assert command[1:4] == ["-O", "-m", "pytest"]


def test_start_up_code_that_reads_stdin_finds_it_empty_as_in_a_new_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = write_files(tmp_path / "outside", {"sitecustomize.py": "import sys\nSTDIN = sys.stdin.read()\n"})
    root = write_files(tmp_path / "project", {
        "pytest.ini": "[pytest]\n",
        "tests/test_a.py": COMMAND_SEEN + "import sitecustomize\nassert sitecustomize.STDIN == ''\n\ndef test_a():\n    pass\n",
    })
    monkeypatch.setenv("PYTHONPATH", str(outside))
    monkeypatch.setenv("PWD_OF_TEST", str(root))

    collection, command = collect_prestarted(root, sys.executable)

    assert collection.errors == ()  # type: ignore[attr-defined]
    assert collection.tests == 1  # type: ignore[attr-defined]
    assert "_collect_fix_prestart" in command


def test_arguments_longer_than_a_pipe_holds_reach_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_files(tmp_path / "project", {
        "pytest.ini": "[pytest]\n",
        "tests/test_a.py": COMMAND_SEEN + "def test_a():\n    pass\n\ndef test_b():\n    pass\n",
    })
    monkeypatch.setenv("PWD_OF_TEST", str(root))
    deselected = [f"--deselect=tests/test_a.py::test_never_{index:05d}" for index in range(3000)]  # about 140 KB

    collection, command = collect_prestarted(root, sys.executable, *deselected, "--deselect=tests/test_a.py::test_b")

    assert "_collect_fix_prestart" in command
    assert collection.tests_per_file == {"tests/test_a.py": 1}  # type: ignore[attr-defined]


def test_a_start_up_slower_than_the_timeout_is_a_timeout_as_in_a_new_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The prestarted process's wait for its arguments does not stretch ``--timeout``."""
    outside = write_files(tmp_path / "outside", {"sitecustomize.py": "import time\ntime.sleep(8)\n"})
    root = write_files(tmp_path / "project", {"pytest.ini": "[pytest]\n", "tests/test_a.py": "def test_a():\n    pass\n"})
    monkeypatch.setenv("PYTHONPATH", str(outside))
    longer_than_a_pipe_holds = tuple(f"--deselect=tests/test_a.py::test_never_{index:05d}" for index in range(3000))
    collections = RunCollector(root, sys.executable, timeout=2, pytest_args=longer_than_a_pipe_holds)
    began = time.monotonic()
    try:
        collections.prestart_next()
        collection = collections.collect()
    finally:
        collections.close()

    assert [error.exc_type for error in collection.errors] == ["Timeout"]
    assert time.monotonic() - began < 3.2  # one timeout (2 s), not a second one for a new pytest


def test_an_interrupt_while_it_starts_ends_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collect_fix.prestart import PrestartedPytest

    root = write_files(tmp_path, {"pytest.ini": "[pytest]\n", "tests/test_a.py": "def test_a():\n    pass\n"})
    collections = RunCollector(root, sys.executable, timeout=60)
    collections.prestart_next()
    prestarted = collections._prestarted
    assert prestarted is not None and prestarted._process is not None
    process, scratch = prestarted._process, Path(prestarted.scratch.name)

    def interrupted(self: PrestartedPytest, timeout: float) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(PrestartedPytest, "_answer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        collections.collect()
    collections.close()

    assert process.poll() is not None
    assert not scratch.exists()


def test_many_open_files_and_a_huge_timeout_are_no_obstacle(tmp_path: Path) -> None:
    """Descriptors numbered above 1023 (``select.select`` refuses them) and a ``--timeout`` no
    clock can wait for."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip("cannot open 1,100 files here")
    root = write_files(tmp_path, {"pytest.ini": "[pytest]\n", "tests/test_a.py": "def test_a():\n    pass\n"})
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    opened = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        collections = RunCollector(root, sys.executable, timeout=1e12)
        try:
            collections.prestart_next()
            collection = collections.collect()
        finally:
            collections.close()
    finally:
        for descriptor in opened:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    assert collection.tests_per_file == {"tests/test_a.py": 1}


def test_an_interrupt_just_after_the_handover_ends_the_collecting_pytest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collect_fix.prestart import PrestartedPytest

    root = write_files(tmp_path, {"pytest.ini": "[pytest]\n", "tests/test_slow.py": "import time\ntime.sleep(60)\n"})
    handed: list[object] = []
    run = PrestartedPytest.run

    def interrupted_after(self: PrestartedPytest, *args: object, **kwargs: object) -> object:
        handed.append(run(self, *args, **kwargs))  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(PrestartedPytest, "run", interrupted_after)
    collections = RunCollector(root, sys.executable, timeout=120)
    collections.prestart_next()
    with pytest.raises(KeyboardInterrupt):
        collections.collect()
    collections.close()

    (process,) = handed
    assert process is not None
    assert process.poll() is not None  # type: ignore[attr-defined]


def test_without_a_request_it_waits_to_be_ended_also_behind_a_wrapper(tmp_path: Path) -> None:
    """A ``--python`` wrapper that does not ``exec`` is the process's parent, not collect-fix:
    it still waits (ending on its own could pass for a collection that said nothing)."""
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f"#!/bin/sh\n{sys.executable} \"$@\"\n", encoding="utf-8")
    wrapper.chmod(0o755)
    root = write_files(tmp_path / "project", {"pytest.ini": "[pytest]\n"})
    collections = RunCollector(root, str(wrapper), timeout=60)
    collections.prestart_next()
    prestarted = collections._prestarted
    assert prestarted is not None and prestarted._process is not None
    process = prestarted._process
    try:
        assert prestarted._answer(30) == b"1"
        prestarted._close_pipes()  # no request

        time.sleep(0.5)
        assert process.poll() is None
    finally:
        collections.close()
    assert process.poll() is not None
