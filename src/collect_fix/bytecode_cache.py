"""Where a run's collections keep compiled modules (their PYTHONPYCACHEPREFIX).

A collection never writes a ``__pycache__`` into the project: its bytecode goes under a prefix.
An empty prefix made every run compile the standard library, pytest and its plugins again before
its first collection (about 0.9 s, more than a plain collection of a small suite), so the prefix
is one directory in the user's cache (``user_cache``), shared by runs. What lies outside the
project is compiled once and checked against its source like any ``__pycache__``.

The project's own files are compiled afresh by every run. A compiled file is checked against its
source's mtime in whole seconds and its size only, so an edit of the same size in the same second
would pass for unchanged. A run therefore removes what is compiled of its tree when it starts and
when it ends (a virtualenv inside the project is kept: it is the environment, not the project),
and, before collecting again, what it compiled of each file it edited.

Where the cache is not safely ours, the prefix is a temporary directory of the run, as before.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Optional

from collect_fix import user_cache

_OWN_TEMPORARY = "collect-fix-"  # how collect-fix's temporary directories (dry-run copies) begin


class Prefix:
    """The bytecode directory of one run's collections of ``root``."""

    def __init__(self, root: Path) -> None:
        self._root = root
        shared = user_cache.directory("bytecode", create=True)
        self._temporary: Optional[tempfile.TemporaryDirectory[str]] = None
        if shared is None:
            self._temporary = tempfile.TemporaryDirectory(prefix="collect-fix-bytecode-")
            shared = Path(self._temporary.name)
        self.path = shared
        if self._temporary is None:
            self._drop_project()
            self._drop_orphans()

    def forget(self, sources: Iterable[Path]) -> None:
        """Remove what was compiled of ``sources`` (edited since this run compiled them)."""
        for source in sources:
            for spelled in {Path(os.path.abspath(source)), source.resolve()}:  # imported by either path
                mirror = self._mirror(spelled.parent)
                for compiled in mirror.glob(f"{spelled.stem}.*.pyc") if mirror.is_dir() else ():
                    compiled.unlink(missing_ok=True)

    def close(self) -> None:
        """Leave nothing of the project behind (the shared part stays for the next run)."""
        if self._temporary is not None:
            self._temporary.cleanup()
        else:
            self._drop_project()
            self._drop_orphans()  # the probe's own directories, gone by now

    def _drop_project(self) -> None:
        for spelled in {Path(os.path.abspath(self._root)), self._root.resolve()}:
            mirror = self._mirror(spelled)
            if not mirror.is_dir():
                continue
            for entry in mirror.iterdir():
                if (spelled / entry.name / "pyvenv.cfg").is_file():
                    continue  # the project's virtualenv: its packages are not the project's code
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
            self._remove_empty(mirror)

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
