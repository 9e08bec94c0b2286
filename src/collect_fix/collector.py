"""Run ``pytest --collect-only`` in the project's interpreter and read the probe's records.

The subprocess keeps the project's environment out of ours (extension modules, plugins, its own
pytest version). A file that kills the process (``os._exit``) or hangs is named from the probe's
last unfinished ``begin`` record, then collection runs again without it, so one file never hides
the rest of the suite.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from collect_fix import progress
from collect_fix.types import Collection, CollectionError, Frame

PROBE_MODULE = "_collect_fix_probe"
# Files that mark a project's root folder (a virtualenv is looked for up to there).
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "pytest.ini", "tox.ini", ".git")
_MAX_RESTARTS = 20


class CollectorUnavailable(Exception):
    """The interpreter cannot run pytest at all (not found, pytest missing, probe rejected)."""


@dataclass
class _Run:
    records: list[dict[str, Any]]
    exit_code: int
    stderr: str
    stdout: str
    timed_out: bool


def find_interpreter(root: Path, explicit: Optional[str] = None) -> str:
    """``--python`` if given, else the project's own ``.venv``/``venv``, else this interpreter.

    The virtualenv is looked for from ``root`` up to the project's root folder, so a folder inside
    a project (``cd tests && collect-fix``) finds the project's ``.venv``.
    """
    if explicit:
        return explicit
    for folder in project_folders(root):
        for venv in (".venv", "venv"):
            for candidate in (folder / venv / "bin" / "python", folder / venv / "Scripts" / "python.exe"):
                if candidate.is_file():
                    return str(candidate)
    return sys.executable


def project_folders(start: Path) -> tuple[Path, ...]:
    """``start`` and its parents up to the first folder with a project file (PROJECT_MARKERS),
    the project's root; only ``start`` when no folder above has one."""
    chain: list[Path] = []
    for folder in (start, *start.parents):
        chain.append(folder)
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return tuple(chain)
    return (start,)


def collect(
    root: Path,
    python: str,
    *,
    timeout: float = 300.0,
    pytest_args: tuple[str, ...] = (),
    path_map: Optional[tuple[Path, Path]] = None,
) -> Collection:
    """Collect the project at ``root``. Never raises for the project's own errors.

    Raises CollectorUnavailable only when pytest itself cannot be started in ``python``.
    """
    return start(root, python, timeout=timeout, pytest_args=pytest_args, path_map=path_map).result()


def start(
    root: Path,
    python: str,
    *,
    timeout: float = 300.0,
    pytest_args: tuple[str, ...] = (),
    path_map: Optional[tuple[Path, Path]] = None,
    known_dead: Optional[dict[str, CollectionError]] = None,
) -> "PendingCollection":
    """Launch the collection and return at once; ``.result()`` waits for it.

    Lets the caller do its own start-up work (imports) while pytest collects on another core.
    """
    return PendingCollection(root, python, timeout, pytest_args, path_map, known_dead or {})


class RunCollector:
    """The collections of one collect-fix run, which share what they learn.

    A file that killed or hung the collecting process stays out of this run's later collections
    (each would cost a full timeout again), its error carried over, unless a repair touched it.
    """

    def __init__(
        self,
        root: Path,
        python: str,
        *,
        timeout: float = 300.0,
        pytest_args: tuple[str, ...] = (),
        path_map: Optional[tuple[Path, Path]] = None,
    ) -> None:
        self._root, self._python, self._timeout = root, python, timeout
        self._pytest_args, self._path_map = pytest_args, path_map
        self._dead: dict[str, CollectionError] = {}

    def start(self, touched: tuple[str, ...] = ()) -> "PendingCollection":
        """Launch a collection; ``touched`` (relative paths) are collected again even if dead."""
        retry = {str((self._root / path).resolve()) for path in touched}
        known_dead = {path: error for path, error in self._dead.items() if path not in retry}
        return PendingCollection(
            self._root, self._python, self._timeout, self._pytest_args, self._path_map, known_dead,
            on_result=self._remember,
        )

    def collect(self, touched: tuple[str, ...] = ()) -> Collection:
        return self.start(touched).result()

    def _remember(self, collection: Collection) -> None:
        for error in collection.errors:
            if error.phase == "process" and error.path:
                self._dead[error.path] = error


class PendingCollection:
    """One collection under way, restarted without a file that killed or hung the process."""

    def __init__(
        self,
        root: Path,
        python: str,
        timeout: float,
        pytest_args: tuple[str, ...],
        path_map: Optional[tuple[Path, Path]],
        known_dead: dict[str, CollectionError],
        on_result: Optional[Callable[[Collection], None]] = None,
    ) -> None:
        self._root, self._python, self._timeout = root, python, timeout
        self._known_dead = known_dead  # files an earlier collection of this run saw kill or hang it
        self._on_result = on_result
        self._pytest_args, self._path_map = pytest_args, path_map
        self._scratch = tempfile.TemporaryDirectory(prefix="collect-fix-")
        scratch_dir = Path(self._scratch.name)
        shutil.copyfile(Path(__file__).with_name("_probe.py"), scratch_dir / f"{PROBE_MODULE}.py")
        self._ignored: list[str] = list(known_dead)
        self._process = self._launch()

    def result(self) -> Collection:
        synthetic: list[CollectionError] = list(self._known_dead.values())
        try:
            for attempt in range(_MAX_RESTARTS):
                if attempt:
                    self._process = self._launch()
                run = self._wait()
                if _finished(run.records):
                    break
                # os._exit(0) in a test file also exits 0: only a run that began no file is done.
                if run.exit_code == 0 and not any(record["type"] == "begin" for record in run.records):
                    break
                culprit = _unfinished_file(run.records)
                if culprit is None or culprit in self._ignored:
                    if run.timed_out:  # a hang outside any test file: a conftest or a plugin hook
                        synthetic.append(_death_record(None, run, self._timeout))
                    break
                self._ignored.append(culprit)
                synthetic.append(_death_record(culprit, run, self._timeout))
            collection = _to_collection(self._root, run, synthetic)
            if self._on_result is not None:
                self._on_result(collection)
            return collection
        finally:
            if self._process.poll() is None:  # interrupted (Ctrl-C): leave no pytest behind
                _kill_group(self._process)
            self._scratch.cleanup()

    @property
    def _records_file(self) -> Path:
        return Path(self._scratch.name) / "records.jsonl"

    def _launch(self) -> "subprocess.Popen[str]":
        scratch = Path(self._scratch.name)
        self._records_file.write_text("", encoding="utf-8")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(scratch), env.get("PYTHONPATH", "")]))
        env["COLLECT_FIX_RECORDS"] = str(self._records_file)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ behind in the project
        if self._path_map is not None:
            env["COLLECT_FIX_PATH_MAP"] = f"{self._path_map[0]}{os.pathsep}{self._path_map[1]}"
        command = [
            self._python, "-m", "pytest", "--collect-only", "-q",
            "-p", PROBE_MODULE,
            "-o", f"cache_dir={scratch / 'pytest-cache'}",  # the project's .pytest_cache stays untouched
            *(f"--ignore={path}" for path in self._ignored),
            "--maxfail=0",  # an -x in the project's addopts must not hide the files after an error
            *self._pytest_args,
        ]
        try:
            return subprocess.Popen(
                command, cwd=self._root, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, errors="replace",
                start_new_session=True,  # a timeout kills whatever the collection started, too
            )
        except OSError as exc:
            self._scratch.cleanup()
            raise CollectorUnavailable(f"cannot run {self._python}: {exc}") from exc

    def _wait(self) -> _Run:
        process = self._process
        try:
            stdout, stderr = progress.communicate(process, self._timeout, self._records_file)
            exit_code, timed_out = process.returncode, False
        except subprocess.TimeoutExpired:
            _kill_group(process)
            stdout, stderr = process.communicate()
            exit_code, timed_out = -9, True
        records = _read_records(self._records_file)
        if not records and not timed_out:
            _raise_if_unusable(self._python, self._root, (stdout or "") + (stderr or ""))
        return _Run(records, exit_code, stderr or "", stdout or "", timed_out)


def _kill_group(process: "subprocess.Popen[str]") -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):  # no process groups (Windows) or already gone
        process.kill()


def _raise_if_unusable(python: str, root: Path, output: str) -> None:
    """pytest wrote no record at all: tell a broken interpreter from a broken project.

    A project can stop pytest before the probe loads (a missing ``-p`` plugin in addopts): that
    is diagnosed from the output. An interpreter that cannot even import pytest is a usage error.
    """
    if f"No module named '{PROBE_MODULE}'" in output or f'Error importing plugin "{PROBE_MODULE}' in output:
        raise CollectorUnavailable(f"the collect-fix probe could not be loaded into {python}:\n{output[-2000:]}")
    check = subprocess.run(
        [python, "-c", "import pytest"], cwd=root, capture_output=True, text=True, errors="replace",
        stdin=subprocess.DEVNULL, timeout=60,
    )
    if check.returncode != 0:
        detail = (check.stderr or check.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise CollectorUnavailable(
            f"{python} cannot run pytest ({detail[0]}); install pytest there or pass --python PATH"
        )


def _read_records(path: Path) -> list[dict[str, Any]]:
    records = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a line cut short by a dying process
    return records


def _finished(records: list[dict[str, Any]]) -> bool:
    return any(record["type"] == "finish" for record in records)


def _unfinished_file(records: list[dict[str, Any]]) -> Optional[str]:
    """The collector that began and never ended: the one that killed or hung the process."""
    open_nodes: dict[str, Optional[str]] = {}
    last: Optional[str] = None
    for record in records:
        if record["type"] == "begin":
            open_nodes[record["nodeid"]] = record.get("path")
            last = record["nodeid"]
        elif record["type"] == "end":
            open_nodes.pop(record["nodeid"], None)
    if last is None or last not in open_nodes:
        return None
    return open_nodes[last]


def _death_record(culprit: Optional[str], run: _Run, timeout: float) -> CollectionError:
    if run.timed_out:
        where = "while importing this file" if culprit else "outside any test file (a conftest or a plugin hook)"
        message = f"collection did not finish within {timeout:g}s {where}"
        return CollectionError(
            nodeid="", path=culprit, exc_type="Timeout", message=message, phase="process",
            attrs={"timeout": timeout}, longrepr=run.stderr[-2000:],
        )
    message = f"the collecting process exited with code {run.exit_code} while importing this file"
    return CollectionError(
        nodeid="", path=culprit, exc_type="ProcessExit", message=message, phase="process",
        attrs={"code": run.exit_code}, longrepr=(run.stdout + run.stderr)[-2000:],
    )


def _to_collection(root: Path, run: _Run, synthetic: list[CollectionError]) -> Collection:
    rootdir = root
    tests = 0
    per_file: dict[str, int] = {}
    errors: list[CollectionError] = []
    skipped: list[str] = []
    versions = ("", "")  # (python, pytest) as the probe's start record gives them
    for record in run.records:
        kind = record["type"]
        if kind == "start":
            rootdir = Path(record["rootdir"])
            versions = (str(record.get("python", "")), str(record.get("pytest", "")))
        elif kind == "finish":
            tests = int(record["tests"])
            per_file = {_relative(root, rootdir / name): count for name, count in record["per_file"].items()}
        elif kind == "skipped" and record.get("path"):
            skipped.append(_relative(root, Path(record["path"])))
        elif kind == "error":
            errors.append(_error_from_record(record))
    errors.extend(synthetic)
    finished = _finished(run.records)
    if not finished and not errors:
        errors.append(
            CollectionError(
                nodeid="", path=None, exc_type="SessionError", phase="session",
                message=_last_lines(run.stdout + "\n" + run.stderr),
                longrepr=(run.stdout + run.stderr)[-4000:],
            )
        )
    return Collection(
        tests=tests,
        errors=tuple(_dedupe(errors)),
        tests_per_file=per_file,
        skipped_files=tuple(dict.fromkeys(skipped)),
        exit_code=run.exit_code,
        completed=finished,
        stderr_tail=(run.stdout + run.stderr)[-4000:],
        python_version=versions[0],
        pytest_version=versions[1],
    )


def _error_from_record(record: dict[str, Any]) -> CollectionError:
    return CollectionError(
        nodeid=record.get("nodeid", ""),
        path=record.get("path"),
        exc_type=record.get("exc_type", ""),
        message=record.get("message", ""),
        phase=record.get("phase", "collect"),
        attrs=record.get("attrs", {}),
        frames=tuple(Frame(**frame) for frame in record.get("frames", [])),
        wrapper=record.get("wrapper"),
        longrepr=record.get("longrepr", ""),
    )


def _dedupe(errors: list[CollectionError]) -> list[CollectionError]:
    seen = set()
    unique = []
    for error in errors:
        identity = (error.path, error.exc_type, error.message, error.nodeid)
        if identity not in seen:
            seen.add(identity)
            unique.append(error)
    return unique


def _relative(root: Path, path: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return path.as_posix()


def _last_lines(text: str, count: int = 5) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(lines[-count:])
