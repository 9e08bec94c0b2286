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
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from collect_fix import bytecode_cache, prestart, progress, sharding
from collect_fix.types import Collection, CollectionError, Frame, PytestSettings, distinct_errors

PROBE_MODULE = "_collect_fix_probe"
LEAVE_OUT_ENV = "COLLECT_FIX_LEAVE_OUT"  # the probe's: a file naming the test files to leave out
RECORDS_NAME = "records.jsonl"  # in a collection's scratch folder
NO_TESTS_COLLECTED = 5  # pytest's exit code
NO_TESTS = "NoTestsCollected"  # the error a full collection that found nothing gets
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
        shards: Sequence[Sequence[Path]] = (),
    ) -> None:
        self._root, self._python, self._timeout = root, python, timeout
        self._pytest_args, self._path_map = pytest_args, path_map
        # The test files dealt into groups (sharding.deal): a full collection runs one pytest per
        # group at once, each leaving out the other groups' files. One group or none: one pytest.
        real_root = os.path.realpath(root)
        self._shards = [
            frozenset(os.path.join(real_root, os.path.relpath(path, root)) for path in group) for group in shards
        ] if len(shards) > 1 else []
        self._sizes = {os.path.relpath(path, root): _size(path) for group in shards for path in group}
        self._dead: dict[str, CollectionError] = {}
        # Test files that caught an import failure and then exited or skipped: later collections
        # ask the probe to report that failure again if it is still there (see _probe).
        self._watched: set[str] = set()
        self._started: list[PendingCollection] = []
        self._prestarted: Optional[prestart.PrestartedPytest] = None  # for the next collection
        # Bytecode goes here, never into the project (bytecode_cache says why it outlives the run).
        self._bytecode: Optional[bytecode_cache.Prefix] = None

    @property
    def root(self) -> Path:
        """The tree this run collects (a scratch copy's root for a copy)."""
        return self._root

    def close(self) -> None:
        """Stop every collection this run started that is still going, and remove its files."""
        for pending in self._started:
            pending.cancel()
        self._started.clear()
        if self._prestarted is not None:
            self._prestarted.stop()
            self._prestarted = None
        if self._bytecode is not None:
            self._bytecode.close()
            self._bytecode = None

    def start(
        self, touched: tuple[str, ...] = (), extra_args: tuple[str, ...] = (), whole: bool = True
    ) -> "PendingCollection | ShardedCollection":
        """Launch a collection; ``touched`` (relative paths) are collected again even if dead.
        ``whole``: the arguments select the whole suite, so it may be split into shards."""
        retry = {str((self._root / path).resolve()) for path in touched}
        known_dead = {path: error for path, error in self._dead.items() if path not in retry}
        created = self._bytecode is None
        bytecode = self._bytecode_prefix()
        if not created:  # a new prefix holds nothing of the project yet: no walk over the cache
            bytecode.prepare(self._root / path for path in touched)
        groups: list[frozenset[str]] = self._shards if whole and self._shards else [frozenset()]
        prestarted, self._prestarted = self._prestarted, None
        parts = [
            PendingCollection(
                self._root, self._python, self._timeout, (*self._pytest_args, *extra_args), self._path_map,
                known_dead, on_result=self._remember, watched=frozenset(self._watched), bytecode=bytecode.path,
                leave_out=frozenset().union(*(other for other in groups if other is not group)),
                prestarted=prestarted if index == 0 else None,
            )
            for index, group in enumerate(groups)
        ]
        for part in parts:
            part.count_also(tuple(other.records_file for other in parts if other is not part))
        self._started = [each for each in self._started if not each.done] + parts
        return parts[0] if len(parts) == 1 else ShardedCollection(parts)

    def prestart_next(self) -> None:
        """Start the next collection's pytest now (``prestart``), when a collection will follow
        (a round is about to write its repairs); the next ``start`` sends it its arguments."""
        if self._prestarted is not None or not prestart.enabled():
            return
        scratch = tempfile.TemporaryDirectory(prefix="collect-fix-")
        folder = Path(scratch.name)
        install_probe(folder)
        records = folder / RECORDS_NAME
        env = probe_environment(folder, records, self._path_map, frozenset(self._watched), self._bytecode_prefix().path)
        try:
            self._prestarted = prestart.PrestartedPytest(
                self._root, self._python, scratch, env, lambda process: kill_group(process, records)
            )
        except OSError:  # the collection will say why pytest cannot start
            scratch.cleanup()

    def _bytecode_prefix(self) -> bytecode_cache.Prefix:
        if self._bytecode is None:
            self._bytecode = bytecode_cache.Prefix(self._root, self._path_map[0] if self._path_map else None)
        return self._bytecode

    def collect(
        self, touched: tuple[str, ...] = (), extra_args: tuple[str, ...] = (),
        meanwhile: Optional[Callable[[Path], bool]] = None,
    ) -> Collection:
        """A full collection; ``meanwhile`` as for ``PendingCollection.result`` (one pytest only)."""
        pending = self.start(touched, extra_args)
        return pending.result(meanwhile) if isinstance(pending, PendingCollection) else pending.result()

    def recollect(
        self, previous: Collection, scope: "Scope", touched: tuple[str, ...] = (),
        meanwhile: Optional[Callable[[Path], bool]] = None,
    ) -> Collection:
        """Collect only ``scope`` again and return ``previous`` with those files' results replaced.

        The partial run gets the same rootdir as ``previous`` (pytest would otherwise pick the
        common ancestor of the paths when the project has no configuration file).
        """
        if not scope.files and not scope.directories:
            return previous
        dead = {_relative(self._root, Path(path)) for path in self._dead} - set(touched)
        paths = sorted(scope.arguments() - dead)
        rootdir = (f"--rootdir={previous.rootdir}",) if previous.rootdir else ()
        parts = [
            self.start(touched, (*rootdir, *(path or "." for path in group)), whole=False)
            for group in self._split(paths)
        ]
        only = parts[0] if len(parts) == 1 and isinstance(parts[0], PendingCollection) else None
        partial = only.result(meanwhile) if only is not None else sharding.combine([part.result() for part in parts])
        if not partial.completed:
            return self.collect(touched, meanwhile=meanwhile)  # something ended the partial session: judge on a full one
        return merge(previous, partial, scope, self._root)

    def _split(self, paths: list[str]) -> list[list[str]]:
        """The paths of a partial collection dealt into shards, when there are enough test files
        among them to pay for more than one pytest (a directory weighs what it holds)."""
        if not self._shards:
            return [paths]
        weights = [(path, self._weight(path)) for path in paths]
        if sum(weight for _, weight in weights) < sharding.MIN_BYTES:
            return [paths]
        groups = sharding.deal([(Path(path), weight) for path, weight in weights], len(self._shards))
        return [[path.as_posix() for path in group] for group in groups]

    def _weight(self, path: str) -> int:
        if path in self._sizes:
            return self._sizes[path]
        prefix = f"{path}/" if path else ""
        return sum(size for file, size in self._sizes.items() if file.startswith(prefix)) or 1

    def learn(self, collection: Collection) -> None:
        """Take in what ``collection`` (of this tree) found, as if this run had made it."""
        self._remember(collection)

    def forget(self) -> None:
        """Drop what this run has learnt of the tree (the files that killed or hung a collection,
        the test modules that caught a failure): a replay that did not hold learnt it from the
        dry run's collection or a tree since undone, and the search must learn it afresh."""
        self._dead.clear()
        self._watched.clear()

    def _remember(self, collection: Collection) -> None:
        for error in collection.errors:
            if error.phase == "process" and error.path:
                self._dead[error.path] = error
        self._watched.update(error.path for error in collection.masked if error.path)


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
        watched: frozenset[str] = frozenset(),
        bytecode: Optional[Path] = None,
        leave_out: frozenset[str] = frozenset(),
        prestarted: Optional[prestart.PrestartedPytest] = None,
    ) -> None:
        self._root, self._python, self._timeout = root, python, timeout
        self._watched = watched
        self._leave_out = leave_out  # other shards' test files (absolute paths)
        self._counted_too: tuple[Path, ...] = ()  # other shards' records, for the live file count
        self._bytecode = bytecode
        self._known_dead = known_dead  # files an earlier collection of this run saw kill or hang it
        self._on_result = on_result
        self._pytest_args, self._path_map = pytest_args, path_map
        self._prestarted = prestarted  # its scratch folder holds the probe already
        self._start_up = 0.0  # what waiting for the prestarted pytest took of the timeout
        self._scratch = prestarted.scratch if prestarted is not None else tempfile.TemporaryDirectory(prefix="collect-fix-")
        if prestarted is None:
            install_probe(Path(self._scratch.name))
        self._ignored: list[str] = list(known_dead)
        self.done = False  # result() returned or cancel() ran: nothing of it is left
        self._process = self._launch()

    def cancel(self) -> None:
        """Stop the collection and everything it started, and remove its files (a run leaves
        nothing behind, also when a test module forked a child that outlives pytest)."""
        kill_group(self._process, self.records_file)
        self._process.wait()
        self._scratch.cleanup()
        self.done = True

    def result(self, meanwhile: Optional[Callable[[Path], bool]] = None) -> Collection:
        """Wait for the collection (restarting it without a file that killed or hung it); call
        ``meanwhile`` with its records file between the waits (``early_plans``)."""
        synthetic: list[CollectionError] = list(self._known_dead.values())
        between = (lambda: meanwhile(self.records_file)) if meanwhile is not None else None
        try:
            for attempt in range(_MAX_RESTARTS):
                if attempt:
                    self._process = self._launch()
                run = self._wait(between)
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
            if not collection.completed and not any(record["type"] == "start" for record in run.records):
                collection = self._with_config_import_failures(collection)
            if self._on_result is not None:
                self._on_result(collection)
            return collection
        finally:
            self.cancel()  # interrupted (Ctrl-C): leave no pytest behind

    def _with_config_import_failures(self, collection: Collection) -> Collection:
        """pytest stopped before it was configured (the probe never heard from it): where its
        warning filters name classes of the project, each such module imported on its own in the
        project's interpreter (``config_imports``); how those fail, in place of the session's text."""
        from collect_fix.config_imports import named_modules
        from collect_fix.project import Project
        from collect_fix.pytest_config import configuration, pythonpath

        project = Project(self._root)
        modules = named_modules(project, self._pytest_args)
        if not modules:
            return collection
        scratch = Path(self._scratch.name)
        records = scratch / "config-imports.jsonl"
        records.write_text("", encoding="utf-8")
        env = probe_environment(scratch, records, self._path_map)
        env["PYTHONPATH"] = os.pathsep.join([str(scratch), *(str(path) for path in pythonpath(configuration(project))),
                                             *env["PYTHONPATH"].split(os.pathsep)[1:]])
        try:
            subprocess.run([self._python, "-m", PROBE_MODULE, *modules], cwd=self._root, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=self._timeout, start_new_session=True, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return collection
        found = [_error_from_record(record) for record in read_records(records) if record["type"] == "error"]
        if not found:
            return collection
        kept = [error for error in collection.errors if error.phase != "session"]
        return replace(collection, errors=tuple(distinct_errors([*found, *kept])))

    def count_also(self, records: tuple[Path, ...]) -> None:
        """While waiting, count the files of these records too (the other shards')."""
        self._counted_too = records

    @property
    def records_file(self) -> Path:
        return Path(self._scratch.name) / RECORDS_NAME

    def _output(self, stream: str) -> Path:
        return Path(self._scratch.name) / f"{stream}.txt"

    def _launch(self) -> "subprocess.Popen[bytes]":
        prestarted, self._prestarted = self._prestarted, None  # the first launch only, not a restart
        self._start_up = 0.0
        try:
            return self._start(prestarted)
        except BaseException:
            if prestarted is not None:  # its process, even handed over: this collection never kept it
                prestarted.abandon()
            raise

    def _start(self, prestarted: Optional[prestart.PrestartedPytest]) -> "subprocess.Popen[bytes]":
        scratch = Path(self._scratch.name)
        self.records_file.write_text("", encoding="utf-8")
        env = probe_environment(scratch, self.records_file, self._path_map, self._watched, self._bytecode)
        if self._leave_out:
            listing = scratch / "leave-out.txt"
            listing.write_text("".join(f"{path}\n" for path in sorted(self._leave_out)), encoding="utf-8")
            env[LEAVE_OUT_ENV] = str(listing)
        arguments = [
            "--collect-only", "-q",
            "-p", PROBE_MODULE,
            "-o", f"cache_dir={scratch / 'pytest-cache'}",  # the project's .pytest_cache stays untouched
            *(f"--ignore={path}" for path in self._ignored),
            "--maxfail=0",  # an -x in the project's addopts must not hide the files after an error
            # Collecting needs no rewritten asserts, and rewriting is most of the cost of importing
            # a long test module (a 6,000-line file: 3.7 s of 3.8). An explicit --assert in the
            # user's pytest arguments comes later and wins.
            "--assert=plain",
            *self._pytest_args,
        ]
        if prestarted is not None:
            asked = time.monotonic()
            process = prestarted.run(arguments, env, self._timeout)  # ends its process unless it returns it
            if process is not None:
                self._start_up = time.monotonic() - asked  # its start-up counts in --timeout, as a new pytest's does
                return process
        command = [self._python, "-m", "pytest", *arguments]
        # Output goes to files, not pipes: a daemon the project starts may keep a pipe open after
        # pytest has ended, and reading to the end of it would never finish.
        try:
            with self._output("stdout").open("wb") as stdout, self._output("stderr").open("wb") as stderr:
                return subprocess.Popen(
                    command, cwd=self._root, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                    start_new_session=True,  # a timeout kills whatever the collection started, too
                )
        except OSError as exc:
            self._scratch.cleanup()
            raise CollectorUnavailable(f"cannot run {self._python}: {exc}") from exc

    def _wait(self, meanwhile: Optional[Callable[[], bool]] = None) -> _Run:
        process = self._process
        try:
            progress.wait(
                process, max(0.0, self._timeout - self._start_up), (self.records_file, *self._counted_too), meanwhile
            )
            exit_code, timed_out = process.returncode, False
        except subprocess.TimeoutExpired:
            kill_group(process, self.records_file)
            process.wait()
            exit_code, timed_out = -9, True
        stdout, stderr = _tail(self._output("stdout")), _tail(self._output("stderr"))
        records = read_records(self.records_file)
        if not records and not timed_out:
            _raise_if_unusable(self._python, self._root, (stdout or "") + (stderr or ""))
        return _Run(records, exit_code, stderr or "", stdout or "", timed_out)


class ShardedCollection:
    """One collection run as several pytest processes at once (sharding), merged when all end."""

    def __init__(self, parts: list[PendingCollection]) -> None:
        self._parts = parts

    @property
    def done(self) -> bool:
        return all(part.done for part in self._parts)

    def cancel(self) -> None:
        for part in self._parts:
            part.cancel()

    def result(self) -> Collection:
        try:
            return sharding.combine([part.result() for part in self._parts])
        finally:
            self.cancel()  # interrupted while waiting for one: stop the others too


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def install_probe(scratch: Path) -> None:
    """Put the probe where ``probe_environment``'s PYTHONPATH finds it, under a name no project uses."""
    shutil.copyfile(Path(__file__).with_name("_probe.py"), scratch / f"{PROBE_MODULE}.py")


def probe_environment(
    scratch: Path, records: Path, path_map: Optional[tuple[Path, Path]], watched: frozenset[str] = frozenset(),
    bytecode: Optional[Path] = None,
) -> dict[str, str]:
    """The environment of a pytest run with the probe: ours, plus where the probe and its records
    are. Bytecode goes to ``bytecode`` (PYTHONPYCACHEPREFIX, which pytest's assertion rewriting
    honours too), or nowhere: never a ``__pycache__`` in the project."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(scratch), env.get("PYTHONPATH", "")]))
    env["COLLECT_FIX_RECORDS"] = str(records)
    if bytecode is not None:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COLLECT_FIX_WATCH"] = os.pathsep.join(sorted(watched))
    if path_map is not None:
        env["COLLECT_FIX_PATH_MAP"] = f"{path_map[0]}{os.pathsep}{path_map[1]}"
    return env


@dataclass(frozen=True)
class Scope:
    """What a partial collection covers: project-relative files, and directories (everything
    below them, "" being the root)."""

    files: frozenset[str] = frozenset()
    directories: frozenset[str] = frozenset()

    def covers(self, relative: Optional[str]) -> bool:
        if relative is None:
            return True  # errors outside any file (a hanging plugin hook): a partial run sees them again
        return relative in self.files or self._below_a_directory(relative)

    def arguments(self) -> set[str]:
        """The paths to give pytest: none that lies below a directory given too. pytest 8
        collects only ``tests/test_a.py`` of ``pytest tests tests/test_a.py`` (pytest 9 collects
        all of ``tests``), so a file beside its own directory would lose the directory's other files."""
        paths = self.files | self.directories
        return {path for path in paths if not any(_strictly_below(path, other) for other in self.directories)}

    def _below_a_directory(self, relative: str) -> bool:
        return any(
            not directory or relative == directory or relative.startswith(directory + "/")
            for directory in self.directories
        )


def _strictly_below(path: str, directory: str) -> bool:
    return path != directory and (not directory or path.startswith(directory + "/"))


def merge(previous: Collection, partial: Collection, scope: Scope, root: Path) -> Collection:
    """``previous`` with every result inside ``scope`` replaced by what ``partial`` collected
    (``root``: the project root the scope's paths are relative to)."""

    def covered(error: CollectionError) -> bool:
        return scope.covers(_relative(root, Path(error.path)) if error.path else None)

    per_file = {path: count for path, count in previous.tests_per_file.items() if not scope.covers(path)}
    per_file.update(partial.tests_per_file)
    skipped = [path for path in previous.skipped_files if not scope.covers(path)] + list(partial.skipped_files)
    origins = {path: origin for path, origin in previous.skip_origins.items() if not scope.covers(path)}
    origins.update(partial.skip_origins)
    # A partial run of files without tests says nothing about the suite's size.
    new_errors = [error for error in partial.errors if error.exc_type != NO_TESTS]
    errors = [error for error in previous.errors if not covered(error)] + new_errors
    masked = [error for error in previous.masked if not covered(error)] + list(partial.masked)
    return Collection(
        tests=sum(per_file.values()),
        errors=tuple(distinct_errors(errors)),
        tests_per_file=dict(sorted(per_file.items())),
        skipped_files=tuple(dict.fromkeys(skipped)),
        skip_origins=origins,
        masked=tuple(distinct_errors(masked)),
        exit_code=partial.exit_code if errors else 0,
        completed=True,
        stderr_tail=partial.stderr_tail,
        python_version=partial.python_version,
        pytest_version=partial.pytest_version,
        rootdir=previous.rootdir,
        inifile=previous.inifile,  # an edited configuration is always collected in full
        settings=previous.settings,
        recollected=len(scope.files) + len(scope.directories),
        modules=frozenset({path for path in previous.modules if not scope.covers(path)} | partial.modules),
    )


def _tail(path: Path, limit: int = 64 * 1024) -> str:
    """The end of an output file: a test module printing gigabytes costs no memory here."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - limit))
            return handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def kill_group(process: "subprocess.Popen[bytes]", records: Optional[Path] = None) -> None:
    """Kill the process's group (pytest runs in a session of its own) and, with ``records``, every
    process still carrying that records file in its environment: a daemon a test module started in
    a session of its own escapes the group, not its inherited environment (Linux /proc)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # the group is empty: everything in it has ended
    except (OSError, AttributeError):  # no process groups (Windows)
        if process.poll() is None:
            process.kill()
    if records is not None:
        _kill_carriers(f"COLLECT_FIX_RECORDS={records}".encode())


def _kill_carriers(marker: bytes) -> None:
    proc = Path("/proc")
    if not proc.is_dir():
        return
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):  # gone meanwhile, or another user's
            continue


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


def read_records(path: Path) -> list[dict[str, Any]]:
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


def so_far(root: Path, records: list[dict[str, Any]]) -> Collection:
    """What the records of a collection still under way hold, read as its result would be: its
    errors and masked causes so far (nothing else is complete)."""
    collection = _to_collection(root, _Run(records, 0, "", "", False), [])
    if not any(record["type"] == "error" for record in records):  # not the "pytest failed" stand-in
        return replace(collection, errors=())
    return collection


def _to_collection(root: Path, run: _Run, synthetic: list[CollectionError]) -> Collection:
    rootdir = root
    tests = 0
    per_file: dict[str, int] = {}
    errors: list[CollectionError] = []
    masked: list[CollectionError] = []
    skipped: list[str] = []
    versions = ("", "")  # (python, pytest) as the probe's start record gives them
    inifile: Optional[str] = None
    settings: Optional[PytestSettings] = None
    skip_origins: dict[str, str] = {}
    modules: set[str] = set()
    for record in run.records:
        kind = record["type"]
        if kind == "begin" and str(record.get("path") or "").endswith(".py"):
            modules.add(_relative(root, Path(record["path"])))
        elif kind == "start":
            rootdir = Path(record["rootdir"])
            versions = (str(record.get("python", "")), str(record.get("pytest", "")))
            inifile = str(record.get("inifile") or "")
            if isinstance(record.get("python_files"), list):
                settings = PytestSettings(tuple(str(each) for each in record["python_files"]),
                                          bool(record.get("doctest_modules")))
        elif kind == "finish":
            tests = int(record["tests"])
            per_file = {_relative(root, rootdir / name): count for name, count in record["per_file"].items()}
        elif kind == "skipped" and record.get("path"):
            skipped.append(_relative(root, Path(record["path"])))
            if record.get("origin"):
                skip_origins[skipped[-1]] = _relative(root, Path(record["origin"]))
        elif kind == "error":
            errors.append(_error_from_record(record))
        elif kind == "masked":
            masked.append(_error_from_record(record))
    errors.extend(synthetic)
    finished = _finished(run.records)
    if not errors and (not finished or run.exit_code not in (0, NO_TESTS_COLLECTED)):
        # pytest failed without a collector to blame: a usage error (an addopts path that does not
        # exist), an internal error, an interrupt in a hook. Never a clean collection.
        errors.append(
            CollectionError(
                nodeid="", path=None, exc_type="SessionError", phase="session",
                message=_last_lines(run.stdout + "\n" + run.stderr),
                longrepr=(run.stdout + run.stderr)[-4000:], attrs={"exit_code": run.exit_code},
            )
        )
    elif not errors and run.exit_code == NO_TESTS_COLLECTED:
        errors.append(
            CollectionError(
                nodeid="", path=None, exc_type=NO_TESTS, phase="session",
                message=f"pytest collects no tests here (its exit code {NO_TESTS_COLLECTED})",
                attrs={"exit_code": run.exit_code},
            )
        )
    return Collection(
        tests=tests,
        errors=tuple(distinct_errors(errors)),
        tests_per_file=per_file,
        skipped_files=tuple(dict.fromkeys(skipped)),
        skip_origins=skip_origins,
        masked=tuple(distinct_errors(masked)),
        exit_code=run.exit_code,
        completed=finished,
        stderr_tail=(run.stdout + run.stderr)[-4000:],
        python_version=versions[0],
        pytest_version=versions[1],
        rootdir=str(rootdir),
        inifile=inifile,
        modules=frozenset(modules),
        settings=settings,
    )


def _error_from_record(record: dict[str, Any]) -> CollectionError:
    attrs = dict(record.get("attrs", {}))
    for key in ("stopped_by", "stopped_in", "stopped_at"):  # masked records: what the module did after the failure
        if record.get(key) is not None:
            attrs[key] = record[key]
    return CollectionError(
        nodeid=record.get("nodeid", ""),
        path=record.get("path"),
        exc_type=record.get("exc_type", ""),
        message=record.get("message", ""),
        phase=record.get("phase", "collect"),
        attrs=attrs,
        frames=tuple(Frame(**frame) for frame in record.get("frames", [])),
        wrapper=record.get("wrapper"),
        longrepr=record.get("longrepr", ""),
    )


def _relative(root: Path, path: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return path.as_posix()


def _last_lines(text: str, count: int = 5) -> str:
    """What pytest said went wrong: its ``ERROR:`` lines when it printed any, else its last lines."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    complaints = [line for line in lines if line.startswith("ERROR:") or ": error: " in line]
    return "\n".join((complaints or lines)[-count:])
