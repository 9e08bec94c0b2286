"""The next collection's pytest, started while the round is still being planned and written.

A re-collection of a few files costs little more than starting Python and importing pytest
(about 0.15 s here), and a run makes one per round. Started as soon as a round will likely follow
(a plan has a repair not tried yet), the interpreter does that on another core meanwhile; then it
says on a pipe whether it can run the collection, and the collection hands it its arguments
(``_prestart`` runs in the project's interpreter and says why it collects as ``python -m pytest``
would). Used only when the environment it started with is the one the collection needs, but for
the entries that change per collection (``PER_COLLECTION``); otherwise, or when it says no or has
died, the collection starts a new pytest as before. ``COLLECT_FIX_NO_PRESTART=1`` turns it off.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Mapping, Optional

MODULE = "_collect_fix_prestart"
# What a collection sets in the probe's environment that the interpreter does not read at start.
PER_COLLECTION = frozenset({"COLLECT_FIX_WATCH", "COLLECT_FIX_LEAVE_OUT"})
_OFF_ENV = "COLLECT_FIX_NO_PRESTART"
_LONGEST_WAIT = 24 * 3600.0  # seconds; --timeout may be longer than poll() can wait


def enabled() -> bool:
    """On by default where processes can be handed descriptors (POSIX, with poll)."""
    return os.name == "posix" and hasattr(select, "poll") and not os.environ.get(_OFF_ENV)


class PrestartedPytest:
    """An interpreter in ``root`` that imports pytest and then waits for a collection's arguments.

    It owns ``scratch`` (where the probe is installed and its records and output go) until a
    collection adopts it; ``stop`` ends the process and removes the folder.
    """

    def __init__(
        self, root: Path, python: str, scratch: tempfile.TemporaryDirectory[str], env: Mapping[str, str],
        stop_group: Callable[[subprocess.Popen[bytes]], None],
    ) -> None:
        self.scratch, self.env = scratch, dict(env)
        self._stop_group = stop_group
        folder = Path(scratch.name)
        shutil.copyfile(Path(__file__).with_name("_prestart.py"), folder / f"{MODULE}.py")
        ready_read, ready_write = os.pipe()
        go_read, go_write = os.pipe()
        try:
            with (folder / "stdout.txt").open("wb") as stdout, (folder / "stderr.txt").open("wb") as stderr:
                self._process: Optional[subprocess.Popen[bytes]] = subprocess.Popen(
                    [python, "-m", MODULE, str(ready_write), str(go_read), str(os.getpid())], cwd=root, env=self.env,
                    stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, pass_fds=(ready_write, go_read),
                    start_new_session=True,
                )
        except BaseException:
            for descriptor in (ready_read, go_write):
                os.close(descriptor)
            raise
        finally:
            os.close(ready_write)
            os.close(go_read)
        self._ready, self._go = ready_read, go_write
        self._request = folder / "request.json"
        self._handed: Optional[subprocess.Popen[bytes]] = None  # what ``run`` returned

    def run(
        self, arguments: list[str], env: Mapping[str, str], timeout: float
    ) -> Optional[subprocess.Popen[bytes]]:
        """Start the collection of ``arguments`` (pytest's, after ``-m pytest``) with ``env``, once
        the process says it can; None when it cannot (it has loaded a module of the tree, has
        ended, or ``env`` differs where the interpreter has already read it): it is stopped then,
        and the caller starts pytest itself. A process still starting after ``timeout`` is
        returned as it is: its start-up has had a whole collection's time, as a new pytest's
        would have, and the caller's wait ends it as one that timed out."""
        process, self._process = self._process, None
        if process is None:
            return None
        try:
            changed = {key: env.get(key) for key in set(env) | set(self.env) if env.get(key) != self.env.get(key)}
            answer = self._answer(timeout) if set(changed) <= PER_COLLECTION else b""
            if answer is None:
                self._handed = process
                self._close_pipes()  # it waits to be ended (_prestart)
                return process
            if answer != b"1":
                self._end(process)
                return None
            self._request.write_text(json.dumps({"args": arguments, "env": changed}), encoding="utf-8")
            self._handed = process
            self._close_pipes()  # closing GO hands the request over
            return process
        except BaseException:  # an interrupt, a full disk: end it like any collection
            self._end(process)
            raise

    def stop(self) -> None:
        """End the process if no collection took it, and remove the scratch folder."""
        process, self._process = self._process, None
        if process is not None:
            self._end(process)
        self.scratch.cleanup()

    def abandon(self) -> None:
        """``stop``, and end the process also if ``run`` handed it over: the collection that
        took it failed before it could keep it (an interrupt in between)."""
        handed, self._handed = self._handed, None
        if handed is not None:
            self._end(handed)
        self.stop()

    def _answer(self, timeout: float) -> Optional[bytes]:
        """What the process says on READY: b"1" (it can run the collection), b"0" (it cannot),
        b"" (it ended); None while it is still starting after ``timeout``."""
        waiting = select.poll()  # not select.select: a descriptor above 1023 is fine
        waiting.register(self._ready, select.POLLIN | select.POLLHUP)
        if not waiting.poll(min(max(timeout, 0.0), _LONGEST_WAIT) * 1000):
            return None
        try:
            return os.read(self._ready, 1)
        except OSError:
            return b""

    def _end(self, process: subprocess.Popen[bytes]) -> None:
        self._close_pipes()
        self._stop_group(process)
        process.wait()

    def _close_pipes(self) -> None:
        for descriptor in (self._ready, self._go):
            if descriptor >= 0:
                os.close(descriptor)
        self._ready = self._go = -1
