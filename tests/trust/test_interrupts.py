"""Promise: a signal during ``--apply`` leaves every file either as it was or as a verified repair,
no temporary file in the project, no scratch copy and no collecting process behind it, and says
so in one line (README, "What a run leaves behind").

The project needs two rounds (the exit guard and the rename behind it, then a repair that only the
second collection uncovers), and each collection takes a moment (a test module sleeps while it is
imported), so signals land before any write, while a round's edits wait for their verdict, and
between rounds: some a fixed delay after the start, some a delay after the first edit appears.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES

SLOW_IMPORT = "import time\n\ntime.sleep(0.6)\n\n\ndef test_slow():\n    pass\n"


def _project(parent: Path, name: str) -> Path:
    root = parent / name
    shutil.copytree(FIXTURES / "shared_test_base", root)
    (root / "tests/test_slow.py").write_text(SLOW_IMPORT, encoding="utf-8")
    return root


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


@pytest.fixture(scope="module")
def repaired(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The tree before, and after an uninterrupted --apply: the only states a file may end in."""
    root = _project(tmp_path_factory.mktemp("reference"), "project")
    before = _tree(root)
    result = subprocess.run([sys.executable, "-m", "collect_fix", "--apply", str(root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return before, _tree(root)


def _first_write(root: Path, before: dict[str, bytes], process: "subprocess.Popen[str]") -> None:
    """Wait until collect-fix has written its first edit (a round's repairs await their verdict)."""
    while process.poll() is None and _tree(root) == before:
        time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc to find left-over processes")
@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(
    "after_first_write,delay",
    [(False, 0.3), (True, 0.0), (True, 0.4), (True, 1.2), (False, 2.5)],
    ids=["first-collection", "edits-written", "verifying", "later", "late"],
)
def test_a_signal_leaves_only_original_or_verified_files(
    tmp_path: Path, repaired: tuple[dict[str, bytes], dict[str, bytes]], signal_number: int,
    after_first_write: bool, delay: float,
) -> None:
    before, after = repaired
    root = _project(tmp_path, "project")
    temp = tmp_path / "tmp"  # the run's own temporary directory: scratch copies and probe files go there
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "collect_fix", "--apply", str(root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, TMPDIR=str(temp)),
    )
    if after_first_write:
        _first_write(root, before, process)
    time.sleep(delay)
    process.send_signal(signal_number)
    stdout, stderr = process.communicate(timeout=60)

    tree = _tree(root)
    for path, data in tree.items():
        assert data in (before.get(path), after.get(path)), f"{path} is neither original nor a verified repair"
    assert not [path for path in tree if path.endswith(".collect-fix")], "a temporary file was left"
    assert _processes_in(root) == []
    assert _scratch_left(temp) == []
    if process.returncode != 0:  # the run may have finished before the signal arrived
        assert process.returncode == 128 + signal_number, stdout + stderr
        name = "SIGINT" if signal_number == signal.SIGINT else "SIGTERM"
        assert f"collect-fix: interrupted ({name})" in stderr
        assert "Traceback" not in stderr
