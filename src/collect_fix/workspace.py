"""The tree being edited, with an undo for every file it touches.

Writes are atomic (temp file in the same directory, then ``os.replace``) and keep the file's
mode; sources are handled as bytes end to end, so encoding and newlines are whatever the
codemod kept. Nothing is ever written outside the root or into a file the project marks as not
editable.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from collect_fix.project import Project
from collect_fix.transforms import TransformError, run_edit
from collect_fix.types import Edit


class EditRefused(Exception):
    """The edit would leave the project root or touch a protected file."""


@dataclass
class Workspace:
    project: Project
    originals: dict[str, Optional[bytes]] = field(default_factory=dict)  # None: did not exist
    checkpoint: dict[str, Optional[bytes]] = field(default_factory=dict)  # as at begin_batch()
    created_dirs: list[Path] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.project.root

    def read(self, relative: str) -> Optional[bytes]:
        path = self.root / relative
        return path.read_bytes() if path.is_file() else None

    def compute(self, edits: tuple[Edit, ...]) -> dict[str, bytes]:
        """New contents for every file the edits touch; several edits on one file chain.

        Raises TransformError or EditRefused; writes nothing.
        """
        contents: dict[str, bytes] = {}
        for edit in edits:
            path = self._checked_path(edit.path)
            source = contents[edit.path] if edit.path in contents else self.read(edit.path)
            module_name = self.project.module_name(path) if path.suffix == ".py" else None
            contents[edit.path] = run_edit(edit, source, path, module_name)
        return {relative: data for relative, data in contents.items() if data != self.read(relative)}

    def begin_batch(self) -> None:
        """Remember the tree as it is now, so a rejected repair goes back to this point."""
        self.checkpoint = {}

    def write(self, contents: dict[str, bytes]) -> None:
        for relative, data in contents.items():
            current = self.read(relative)
            self.originals.setdefault(relative, current)
            self.checkpoint.setdefault(relative, current)
            self._write_atomic(self._target(relative), data)

    def restore(self, relatives: set[str] | list[str]) -> None:
        """Put the files back as they were at the last begin_batch()."""
        for relative in relatives:
            if relative not in self.checkpoint:
                continue
            original = self.checkpoint[relative]
            path = self._target(relative)
            if original is None:
                if path.exists():
                    path.unlink()
            else:
                self._write_atomic(path, original)
        for directory in reversed(self.created_dirs):
            try:
                directory.rmdir()  # only succeeds when nothing else lives there
            except OSError:
                pass

    def changed_files(self) -> list[str]:
        return sorted(relative for relative, original in self.originals.items() if self.read(relative) != original)

    def _target(self, relative: str) -> Path:
        """The file to write: a symlink's target (checked to be in the project), not the link."""
        path = self.root / relative
        return path.resolve() if path.is_symlink() else path

    def _checked_path(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        root = self.root.resolve()
        if path != root and root not in path.parents:
            raise EditRefused(f"{relative} is outside the project root")
        reason = self.project.editable(path)
        if reason:
            raise EditRefused(reason)
        return path

    def _write_atomic(self, path: Path, data: bytes) -> None:
        self._make_parents(path.parent)
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".collect-fix")
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            if mode is not None:
                os.chmod(temp_name, mode)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp_name, 0o666 & ~umask)
            os.replace(temp_name, path)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise

    def _make_parents(self, directory: Path) -> None:
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for created in reversed(missing):
            created.mkdir()
            self.created_dirs.append(created)


__all__ = ["Workspace", "EditRefused", "TransformError"]
