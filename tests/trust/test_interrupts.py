"""Promise: a signal during ``--apply`` leaves every file either as it was or as a verified repair,
no temporary file in the project, no scratch copy and no collecting process behind it, and says
so in one line (README, "What a run leaves behind").

The project needs the exit guard and the rename behind it repaired and verified. Its conftest holds
every collection at a gate until the test lets it through (one file per arrival, one per release),
so each signal lands at a moment the test chose, whatever the machine's load: during the first
collection, right after the round's first edit is written, while those edits await their verdict
in the verifying collection, in the collection after it (later), and in the run's last one (late).
The run cannot have finished before the signal, so it must always end with the signal's exit code.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import FIXTURES, run_in_process

from collect_fix.interrupts import Terminated

GATE = """\
import os
import time

# The test holds each collection here until it releases it (trust/test_interrupts.py).
_gates = os.environ.get("COLLECT_FIX_TEST_GATES")
if _gates:
    _number = 0
    while True:
        try:
            os.close(os.open(os.path.join(_gates, f"arrived-{_number}"), os.O_CREAT | os.O_EXCL))
            break
        except FileExistsError:
            _number += 1
    _deadline = time.monotonic() + 60
    while time.monotonic() < _deadline and not any(
        os.path.exists(os.path.join(_gates, name)) for name in (f"go-{_number}", "go-all")
    ):
        time.sleep(0.005)
"""


def _project(parent: Path, name: str) -> Path:
    root = parent / name
    shutil.copytree(FIXTURES / "shared_test_base", root)
    (root / "conftest.py").write_text(GATE, encoding="utf-8")
    return root


def _project_let_through(parent: Path) -> tuple[Path, dict[str, str]]:
    """The project, and the environment of a run whose collections its gate lets through."""
    root, gates = _project(parent, "project"), parent / "gates"
    gates.mkdir()
    (gates / "go-all").touch()
    return root, {"COLLECT_FIX_TEST_GATES": str(gates)}


def _tree(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _processes_in(root: Path) -> list[int]:
    """Processes whose working directory is inside ``root`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if cwd == str(root) or cwd.startswith(str(root) + os.sep):
                found.append(int(entry.name))
    return found


def _scratch_left(temp: Path) -> list[str]:
    """What the run left in its temporary directory, but the lock file (kept, and released)."""
    return sorted(path.name for path in temp.iterdir() if not path.name.endswith(".lock"))


def _start(root: Path, gates: Path, temp: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "collect_fix", "--apply", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, TMPDIR=str(temp), COLLECT_FIX_TEST_GATES=str(gates)),
    )


def _wait(condition: object, process: subprocess.Popen[str], what: str) -> None:
    """Poll ``condition`` (a callable) until it holds; fail if the run ends first or it takes a minute."""
    deadline = time.monotonic() + 60
    while not condition():  # type: ignore[operator]
        assert process.poll() is None, f"the run ended before {what}: " + "".join(process.communicate())
        assert time.monotonic() < deadline, f"no {what} within a minute"
        time.sleep(0.005)


@pytest.fixture(scope="module")
def repaired(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes], int]:
    """The tree before and after an uninterrupted --apply (the only states a file may end in), and
    how many collections that run made."""
    root, env = _project_let_through(tmp_path_factory.mktemp("reference"))
    before = _tree(root)
    result = run_in_process(root, "--apply", env=env)  # no signal: no process
    assert result.returncode == 0, result.stdout + result.stderr
    collections = len(list(Path(env["COLLECT_FIX_TEST_GATES"]).glob("arrived-*")))
    assert collections >= 2, "a collection, then the one that verifies the repairs"
    return before, _tree(root), collections


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc to find left-over processes")
@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", ["first-collection", "edits-written", "verifying", "later", "late"])
def test_a_signal_leaves_only_original_or_verified_files(
    tmp_path: Path, repaired: tuple[dict[str, bytes], dict[str, bytes], int], signal_number: int, moment: str
) -> None:
    before, after, collections = repaired
    root = _project(tmp_path, "project")
    gates = tmp_path / "gates"
    gates.mkdir()
    temp = tmp_path / "tmp"  # the run's own temporary directory: scratch copies and probe files go there
    temp.mkdir()
    # The collection held when the signal comes; the ones before it are let through.
    held = {"first-collection": 0, "edits-written": 1, "verifying": 1, "later": min(2, collections - 1),
            "late": collections - 1}[moment]
    process = _start(root, gates, temp)
    for number in range(held):
        _wait((gates / f"arrived-{number}").exists, process, f"collection {number}")
        (gates / f"go-{number}").touch()
    if moment == "edits-written":  # the first edit is on disk; the verifying collection may not have started
        _wait(lambda: _tree(root) != before, process, "the first edit")
    else:
        _wait((gates / f"arrived-{held}").exists, process, f"collection {held}")
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=60)

    tree = _tree(root)
    for path, data in tree.items():
        assert data in (before.get(path), after.get(path)), f"{path} is neither original nor a verified repair"
    assert not [path for path in tree if path.endswith(".collect-fix")], "a temporary file was left"
    assert _processes_in(root) == []
    assert _scratch_left(temp) == []
    assert process.returncode == 128 + signal_number, stdout + stderr
    name = "SIGINT" if signal_number == signal.SIGINT else "SIGTERM"
    assert f"collect-fix: interrupted ({name})" in stderr
    assert "Traceback" not in stderr


_DEFERRED = """
import os, signal
from collect_fix.interrupts import signals_deferred
finished = []
try:
    with signals_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        finished.append("the block")
except KeyboardInterrupt:
    print("interrupted after", finished)
"""


def test_a_signal_during_a_deferred_block_arrives_when_it_ends() -> None:
    """What keeps a temp file from outliving a Ctrl-C: the write runs to its end, then the
    signal raises as usual."""
    result = subprocess.run([sys.executable, "-c", _DEFERRED], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "interrupted after ['the block']", result.stderr


_PENDING_HANDLER = """
import signal
from collect_fix.interrupts import signals_deferred

real = signal.pthread_sigmask


def holding_runs_a_pending_handler(how, mask):
    # CPython runs the Python handlers of signals already pending when pthread_sigmask returns:
    # a Ctrl-C that came just before the block raises inside the call that holds the signals.
    previous = real(how, mask)
    if how == signal.SIG_BLOCK and set(mask):
        raise KeyboardInterrupt
    return previous


signal.pthread_sigmask = holding_runs_a_pending_handler
try:
    with signals_deferred():
        print("the block ran")
except KeyboardInterrupt:
    print("interrupted")
finally:
    signal.pthread_sigmask = real
print("held after:", sorted(int(number) for number in real(signal.SIG_BLOCK, ())))
"""


def test_an_interrupt_as_a_deferred_block_begins_leaves_no_signal_held() -> None:
    """A Ctrl-C pending as the block holds the signals raises there: the mask must be put back,
    or this process, and every pytest it starts, would hold Ctrl-C for good."""
    result = subprocess.run([sys.executable, "-c", _PENDING_HANDLER], capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == ["interrupted", "held after: []"], result.stderr


_LOAD_INTERRUPTED = """
import os, sys, time

class SignalWhileLoading:
    def find_spec(self, name, path=None, target=None):
        if name == "collect_fix.cli":
            os.kill(os.getpid(), int(sys.argv[1]))
            time.sleep(5)  # the handler raises long before
        return None

sys.meta_path.insert(0, SignalWhileLoading())
from collect_fix.__main__ import entry
entry()
"""


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_the_command_loads_is_reported_not_a_traceback(tmp_path: Path, signal_number: int) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_INTERRUPTED, str(signal_number)], capture_output=True, text=True, timeout=60,
        cwd=tmp_path,
    )
    name = signal.Signals(signal_number).name
    assert result.returncode == 128 + signal_number, result.stderr
    assert result.stderr == f"collect-fix: interrupted ({name}) before the run began; nothing was written\n"


@pytest.mark.parametrize("replayed", [False, True], ids=["searched", "replayed"])
def test_a_ctrl_c_while_the_run_removes_its_bytecode_says_the_verified_repairs_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repaired: tuple[dict[str, bytes], dict[str, bytes], int],
    replayed: bool,
) -> None:
    """The run is over; only its bytecode is being removed (``replayed``: the repairs of a dry run
    of the same tree, written and verified)."""
    root, env = _project_let_through(tmp_path)
    if replayed:
        assert run_in_process(root, "--dry-run", env=env).returncode == 1
    # Not a replay's scratch copy, closed while the edits await their check.
    _ctrl_c_after_closing(monkeypatch, lambda collections: collections.root == root)
    result = run_in_process(root, "--apply", env=env)

    assert result.returncode == 130
    assert "repairs verified in earlier rounds stay in" in result.stderr.splitlines()[-1]
    assert _tree(root) == repaired[1]


def test_a_ctrl_c_while_a_replay_awaits_its_scratch_collection_undoes_the_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repaired: tuple[dict[str, bytes], dict[str, bytes], int],
) -> None:
    """A replay writes the dry run's repairs while the tree as it was is collected in a scratch
    copy: until both collections agree with the dry run, the edits are unverified."""
    root, env = _project_let_through(tmp_path)
    assert run_in_process(root, "--dry-run", env=env).returncode == 1
    # The scratch copy's collection, done while the edits are on disk.
    _ctrl_c_after_closing(monkeypatch, lambda collections: collections.root != root)
    result = run_in_process(root, "--apply", env=env)

    assert result.returncode == 130
    assert "the unverified edits of the round under way were undone" in result.stderr.splitlines()[-1]
    assert _tree(root) == repaired[0]


def _ctrl_c_after_closing(monkeypatch: pytest.MonkeyPatch, which: Callable[[Any], bool]) -> None:
    """Ctrl-C right after the run's collections ``which`` picks are closed."""
    from collect_fix import collector

    close = collector.RunCollector.close

    def interrupted_after(self: collector.RunCollector) -> None:
        close(self)
        if which(self):
            raise KeyboardInterrupt

    monkeypatch.setattr(collector.RunCollector, "close", interrupted_after)


_CAUGHT_IN_EXEC = """
import sys
from collect_fix.__main__ import _clear_interrupt_mark

try:
    exec("import os, signal\\nos.kill(os.getpid(), signal.SIGINT)\\nfor _ in range(10000):\\n    pass\\n")
except KeyboardInterrupt:
    print("caught")
_clear_interrupt_mark()
sys.exit(7)
"""


def test_an_interrupt_the_command_handled_leaves_it_its_exit_code(tmp_path: Path) -> None:
    """Under ``python -m`` CPython would otherwise end the process by SIGINT: the interrupt left
    code run from a string (a dataclass being built while LibCST loads)."""
    (tmp_path / "caught_in_exec.py").write_text(_CAUGHT_IN_EXEC, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "caught_in_exec"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert (result.returncode, result.stdout) == (7, "caught\n"), result.stderr


def test_a_ctrl_c_before_the_run_says_nothing_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collect_fix import cli

    root = _project(tmp_path, "project")
    before = _tree(root)

    def interrupted(*args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_pick_interpreter", interrupted)
    result = run_in_process(root, "--apply")

    assert result.returncode == 130
    assert result.stderr.splitlines()[-1] == "collect-fix: interrupted (SIGINT) before the run began; nothing was written"
    assert _tree(root) == before


@pytest.mark.parametrize(
    ("module", "step", "when"),
    [("replay", "forget", "after the run"), ("cli", "_print", "after the run, while reporting")],
    ids=["dropping the replay record", "reporting"],
)
def test_a_ctrl_c_once_the_apply_has_ended_says_its_verified_repairs_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repaired: tuple[dict[str, bytes], dict[str, bytes], int],
    module: str, step: str, when: str,
) -> None:
    """The run is over; the signal comes during ``step`` of ``collect_fix.<module>``."""
    owner = importlib.import_module(f"collect_fix.{module}")
    root, env = _project_let_through(tmp_path)
    done = getattr(owner, step)

    def interrupted_after(*args: Any) -> None:
        done(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(owner, step, interrupted_after)
    result = run_in_process(root, "--apply", env=env)

    assert result.returncode == 130
    assert result.stderr.splitlines()[-1] == f"collect-fix: interrupted (SIGINT) {when}; its verified repairs are kept"
    assert _tree(root) == repaired[1]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, Terminated], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_a_module_defines_its_classes_is_the_signal_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupt: type[BaseException]
) -> None:
    """While pytest collects, the run loads LibCST and the planners: a signal that lands while one
    of their classes is built raises inside ``__set_name__``, and Python up to 3.11 hands it on
    wrapped in a RuntimeError (seen in this suite as "internal error: RuntimeError('Error calling
    __set_name__ ...')", exit 2)."""
    from collect_fix import api

    root = _project(tmp_path, "project")
    before = _tree(root)

    class SignalOnSetName:
        def __set_name__(self, owner: type, name: str) -> None:
            raise interrupt

    def loading_interrupted() -> None:
        type("Node", (), {"field": SignalOnSetName()})

    monkeypatch.setattr(api, "planners", loading_interrupted)
    result = run_in_process(root, "--apply")

    name, code = ("SIGINT", 130) if interrupt is KeyboardInterrupt else ("SIGTERM", 143)
    assert result.returncode == code, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"collect-fix: interrupted ({name}); no unverified edit was on disk; no repair was kept"
    )
    assert _tree(root) == before


def test_an_error_raised_while_handling_a_signal_is_that_error_not_the_signal() -> None:
    """An undo that fails after Ctrl-C must be reported as the failure it is (review); a signal
    Python wraps in a RuntimeError (``__set_name__``) is still the signal."""
    from collect_fix.interrupts import interrupt_in

    class SignalOnSetName:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    try:
        type("Node", (), {"field": SignalOnSetName()})
    except BaseException as wrapped:  # RuntimeError up to 3.11, the KeyboardInterrupt itself after
        assert isinstance(interrupt_in(wrapped), KeyboardInterrupt)
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise OSError("the undo failed")
    except OSError as failed:
        assert interrupt_in(failed) is None


def test_a_signal_wrapped_inside_a_planner_is_not_taken_for_a_planner_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    from collect_fix import planning
    from collect_fix.types import Category, Diagnosis, Options

    def planner(*args: object) -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__") from exc

    monkeypatch.setattr(planning, "planners", lambda: {Category.OTHER: planner})
    with pytest.raises(RuntimeError):
        planning.plan_one(Diagnosis(Category.OTHER, "t.py", 1, "x"), object(), Options(root=Path(".")))  # type: ignore[arg-type]
