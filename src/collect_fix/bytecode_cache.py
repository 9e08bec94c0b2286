"""Where a run's collections keep compiled modules (their PYTHONPYCACHEPREFIX).

A collection never writes a ``__pycache__`` into the project: its bytecode goes under a prefix.
An empty prefix made every run compile the standard library, pytest and its plugins again before
its first collection (about 0.9 s, more than a plain collection of a small suite), so the prefix
is one directory in the user's cache (``user_cache``), shared by runs.

Python takes a compiled file for its source's when the source's size and mtime in whole seconds
match what the file recorded, so an edit of the same size in the same second would pass for
unchanged. Before every collection, a compiled file of the project is therefore removed when its
source was written after it, or less than a second before it (clocks of two file systems may
differ): the edits of this run (repairs, undos, a replay), under whatever path the file was
imported by (a symlinked checkout on PYTHONPATH, a link to one of its files from elsewhere). What
a run compiled of its project is removed when it starts and ends: an edit between runs is always
compiled afresh, and the cache does not grow with every project and copy it sees. A virtualenv
inside the project (.venv, .tox/py311) is kept: it is the environment, not the project. Outside
the project, Python's own rule holds, as in any ``__pycache__``.

Where the cache is not safely ours, or lies in the project, the prefix is a temporary directory
of the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Optional

from collect_fix import user_cache

_OWN_TEMPORARY = "collect-fix-"  # how collect-fix's temporary directories (dry-run copies) begin
_CLOCK_SKEW_NS = 1_000_000_000


class Prefix:
    """The bytecode directory of one run's collections of ``root`` (a dry run's copy of
    ``original``: the cache must lie outside both)."""

    def __init__(self, root: Path, original: Optional[Path] = None) -> None:
        self._root = root
        shared = user_cache.directory("bytecode", create=True, outside=(root, original or root))
        self._temporary: Optional[tempfile.TemporaryDirectory[str]] = None
        if shared is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="collect-fix-bytecode-")
            shared = Path(self._temporary.name)
        self.path = shared
        self._links: dict[str, frozenset[str]] = {}  # folder outside the project -> its links into it
        self._environments: Optional[list[str]] = None  # virtualenvs directly in the project
        if self._temporary is None:
            self._drop_project()
            self._drop_orphans()

    def prepare(self, edited: Iterable[Path]) -> None:
        """Before a collection: remove what was compiled of the project's files that may be
        older than its source, and of ``edited`` (written by this run, whatever their mtime says)."""
        for source in edited:
            for spelled in {Path(os.path.abspath(source)), source.resolve()}:  # imported by either path
                mirror = self._mirror(spelled.parent)
                for compiled in mirror.glob(f"{spelled.stem}.*.pyc") if mirror.is_dir() else ():
                    compiled.unlink(missing_ok=True)
        for directory, sources, names in self._project_directories():
            for name in names:
                if name.endswith(".pyc"):
                    _drop_if_stale(os.path.join(directory, name), sources, name)

    def close(self) -> None:
        """Leave nothing of the project behind (the shared part stays for the next run)."""
        if self._temporary is not None:
            self._temporary.cleanup()
        else:
            self._drop_project()
            self._drop_orphans()  # the probe's own directories, gone by now

    def _drop_project(self) -> None:
        """Remove what was compiled of the project's files, under whatever path they were
        imported by (a symlinked checkout on PYTHONPATH mirrors them a second time)."""
        emptied = []
        for directory, _, names in self._project_directories():
            for name in names:
                _unlink(os.path.join(directory, name))
            emptied.append(directory)
        for directory in sorted(emptied, key=len, reverse=True):
            self._remove_empty(Path(directory))

    def _project_directories(self) -> Iterator[tuple[str, str, list[str]]]:
        """(directory in the prefix, the directory it mirrors, file names) for every directory of
        the project, however spelled, but its virtualenv. Only the project's files are checked:
        the cache also holds the compiled packages of every environment collect-fix ran in, so
        the walk is ``os.walk``'s, top-down without following links, with a folder's real path
        taken from its parent's (one ``lstat``, not one per level of the path), afresh each walk:
        a link made during the run (a conftest's, a user's ``ln -sfn``) is seen by the next."""
        root = os.path.realpath(self._root)
        if self._environments is None:
            self._environments = _virtualenvs(root)
        pending = [(str(self.path), os.sep, os.sep)]  # (directory in the prefix, the one it mirrors, its real path)
        while pending:
            directory, sources, real = pending.pop()
            if any(user_cache.within(real, environment) for environment in self._environments):
                continue
            found = _entries(directory)
            if found is None:
                continue
            names = [name for name, is_directory, _ in found if not is_directory]
            if user_cache.within(real, root):
                yield directory, sources, names
            else:  # a folder elsewhere may still link to a file of the project
                linked = self._links_into_project(sources, root)
                if linked:
                    yield directory, sources, [name for name in names if linked.intersection(_sources_of(name))]
            for name, is_directory, is_link in found:
                if is_directory and not is_link:
                    inner = os.path.join(sources, name)
                    pending.append((os.path.join(directory, name), inner, _real(inner, real, name)))

    def _links_into_project(self, folder: str, root: str) -> frozenset[str]:
        """The names of the files in ``folder`` (outside the project) that are symlinks to files
        of the project; read once per run."""
        if folder not in self._links:
            try:
                with os.scandir(folder) as entries:
                    links = [entry.name for entry in entries if entry.is_symlink()]
            except OSError:
                links = []
            self._links[folder] = frozenset(
                name for name in links if user_cache.within(os.path.realpath(os.path.join(folder, name)), root)
            )
        return self._links[folder]

    def _remove_empty(self, directory: Path) -> None:
        """``directory`` and its parents while they are empty, up to the prefix."""
        while directory != self.path and self.path in directory.parents:
            try:
                directory.rmdir()
            except FileNotFoundError:
                pass
            except OSError:  # not empty: a kept virtualenv, another project's files
                return
            directory = directory.parent

    def _drop_orphans(self) -> None:
        """What was compiled of collect-fix's own temporary directories that are gone: the
        probe's, a dry run's copy of the project (left by a run that was killed)."""
        temporary = Path(tempfile.gettempdir()).resolve()
        mirror = self._mirror(temporary)
        for entry in mirror.iterdir() if mirror.is_dir() else ():
            if entry.name.startswith(_OWN_TEMPORARY) and not (temporary / entry.name).exists():
                shutil.rmtree(entry, ignore_errors=True)

    def _mirror(self, directory: Path) -> Path:
        """Where Python puts what it compiles of files in ``directory`` (absolute)."""
        return self.path.joinpath(*directory.parts[1:])


def _real(sources: str, parent_real: str, name: str) -> str:
    """The real path of ``sources``: ``name`` in a folder whose real path is ``parent_real``."""
    if os.path.islink(sources):
        return os.path.realpath(sources)
    return os.path.join(parent_real, name)  # not a link (or not there): as realpath would say


def _entries(directory: str) -> Optional[list[tuple[str, bool, bool]]]:
    """(name, is a directory, is a link) of what ``directory`` holds, as ``os.walk`` tells them
    apart (an entry that cannot be examined is a file, and not a link); None if unreadable."""
    found = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    is_directory = entry.is_dir()
                except OSError:
                    is_directory = False
                try:
                    is_link = entry.is_symlink()
                except OSError:
                    is_link = False
                found.append((entry.name, is_directory, is_link))
    except OSError:
        return None
    return found


def _drop_if_stale(compiled: str, sources: str, name: str) -> None:
    """Remove ``compiled`` unless its source was last written well before it (a compiled file
    without its source is never imported from a prefix: removed too).

    ``name`` is ``<module>.<cache tag>[.opt-N].pyc``, and module and tag may both hold dots
    (``test_a.v2``, ``cpython-311-pytest-8.3.5``): every file the name can stand for counts.
    """
    try:
        written = os.stat(compiled).st_mtime_ns
        candidates = (os.path.join(sources, candidate) for candidate in _sources_of(name))
        found = [os.stat(candidate).st_mtime_ns for candidate in candidates if os.path.isfile(candidate)]
        if found and all(mtime + _CLOCK_SKEW_NS <= written for mtime in found):
            return
    except OSError:
        pass
    _unlink(compiled)


def _sources_of(name: str) -> list[str]:
    """The source file names a compiled file's name can stand for."""
    parts = name.split(".")
    return [".".join(parts[:end]) + ".py" for end in range(1, len(parts) - 1)]


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:  # gone meanwhile (another run), or a directory
        pass


def _virtualenvs(root: str) -> list[str]:
    """The virtualenvs in the project: directly in it (.venv), or one level down in a hidden
    directory (.tox/py311, .nox/tests)."""
    candidates = _subdirectories(root)
    candidates += [inner for outer in candidates if os.path.basename(outer).startswith(".") for inner in _subdirectories(outer)]
    return [path for path in candidates if os.path.isfile(os.path.join(path, "pyvenv.cfg"))]


def _subdirectories(folder: str) -> list[str]:
    try:
        return [entry.path for entry in os.scandir(folder) if entry.is_dir()]
    except OSError:
        return []
