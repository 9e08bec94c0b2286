"""The tree being edited, with an undo for every file it touches.

Writes are atomic (temp file in the same directory, then ``os.replace``) and keep the file's
mode and, where the OS allows, its owner; sources are handled as bytes end to end, so encoding
and newlines are whatever the codemod kept. Nothing is ever written outside the root or into a
file the project marks as not editable.

An undo never overwrites or deletes what someone else saved during the run: a file is restored
only while it still holds exactly what collect-fix wrote; otherwise it is left and a notice says
so. Targets are checked to be writable before a repair writes anything.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from collect_fix.interrupts import signals_deferred
from collect_fix.project import Project
from collect_fix.types import Edit


class EditRefused(Exception):
    """The edit would leave the project root or touch a protected file."""


@dataclass
class Workspace:
    project: Project
    originals: dict[str, Optional[bytes]] = field(default_factory=dict)  # None: did not exist
    checkpoint: dict[str, Optional[bytes]] = field(default_factory=dict)  # as at begin_batch()
    created_dirs: list[Path] = field(default_factory=list)
    written: dict[str, Optional[bytes]] = field(default_factory=dict)  # what collect-fix last left in each file
    notices: list[str] = field(default_factory=list)  # what the user must be told (kept edits, hard links)
    # A dry run: per hard-linked file of the original (device, inode), the names this run replaced.
    replaced_names: dict[tuple[int, int], set[str]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.project.root

    def read(self, relative: str) -> Optional[bytes]:
        """The file's bytes, None when it does not exist; EditRefused (naming it) when unreadable."""
        path = self.root / relative
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError as exc:
            raise EditRefused(f"cannot read {relative}: {exc.strerror or exc}") from exc

    def compute(
        self, edits: tuple[Edit, ...], ahead: Optional[Mapping[str, Optional[bytes]]] = None
    ) -> dict[str, bytes]:
        """New contents for every file the edits touch; several edits on one file chain.
        ``ahead``: files as a repair computed before this one left them, not written yet
        (``edit_warmup``).

        Raises TransformError or EditRefused (and, the first time, whatever importing LibCST
        raises); writes nothing.
        """
        # LibCST loads here, not with this module: a replay writes what a dry run verified, and
        # its collections start without waiting for LibCST's 0.4 s import.
        from collect_fix.transforms import run_edit

        def read(relative: str) -> Optional[bytes]:
            return ahead[relative] if ahead is not None and relative in ahead else self.read(relative)

        contents: dict[str, bytes] = {}
        for edit in edits:
            path = self._checked_path(edit.path)
            source = contents[edit.path] if edit.path in contents else read(edit.path)
            module_name = self.project.module_name(path) if path.suffix == ".py" else None
            contents[edit.path] = run_edit(edit, source, path, module_name)
        contents = {relative: _keep_newlines(read(relative), data) for relative, data in contents.items()}
        return {relative: data for relative, data in contents.items() if data != read(relative)}

    def begin_batch(self) -> None:
        """Remember the tree as it is now, so a rejected repair goes back to this point."""
        self.checkpoint = {}

    def unverified(self) -> set[str]:
        """Files written since begin_batch(): what an interrupted round must undo."""
        return set(self.checkpoint)

    def write(self, contents: dict[str, bytes]) -> None:
        """Write every file or none: each target is checked first; a write that fails anyway
        (disk full) puts back what this call wrote and raises EditRefused naming the file."""
        for relative in contents:
            self._check_writable(relative)
        before = {relative: self.read(relative) for relative in contents}
        done: list[str] = []
        dirs_before = len(self.created_dirs)
        try:
            for relative, data in contents.items():
                self.originals.setdefault(relative, before[relative])
                self.checkpoint.setdefault(relative, before[relative])
                with signals_deferred():  # the file and the record of it change together
                    self._write_atomic(self._target(relative), data, relative)
                    self.written[relative] = data
                done.append(relative)
        except OSError as exc:
            for relative in done:
                self._put_back(relative, before[relative])
            for directory in reversed(self.created_dirs[dirs_before:]):  # a folder made for a file never written
                try:
                    directory.rmdir()
                except OSError:
                    pass
            del self.created_dirs[dirs_before:]
            raise EditRefused(f"cannot write {relative}: {exc.strerror or exc}") from exc

    def restore(self, relatives: set[str] | list[str]) -> None:
        """Put the files back as they were at the last begin_batch(), each only while it still
        holds what collect-fix wrote (a file saved by someone else meanwhile is left, with a notice)."""
        for relative in sorted(relatives):
            if relative in self.checkpoint:
                self._put_back(relative, self.checkpoint[relative])
        for directory in reversed(self.created_dirs):
            try:
                directory.rmdir()  # only succeeds when nothing else lives there
            except OSError:
                pass

    def _put_back(self, relative: str, data: Optional[bytes]) -> None:
        path = self._target(relative)
        try:
            current = path.read_bytes() if path.is_file() else None
        except OSError:
            current = b""  # unreadable now: certainly not what collect-fix left there
        if current != self.written.get(relative, current):
            notice = (f"{relative} was changed by someone else during the run: left as it is now, "
                      "collect-fix's unverified edit there was not undone")
            if notice not in self.notices:  # once, however many of its repairs were undone
                self.notices.append(notice)
            return
        with signals_deferred():
            if data is None:
                if path.exists():
                    path.unlink()
            else:
                self._write_atomic(path, data, relative)
            self.written[relative] = data

    def changed_files(self) -> list[str]:
        """Files the run changed: they differ from their original and still hold what collect-fix
        last wrote there (a file someone else saved meanwhile, and that was left to them, is theirs)."""
        changed = []
        for relative, original in self.originals.items():
            current = self.read(relative)
            if current != original and current == self.written.get(relative, current):
                changed.append(relative)
        return sorted(changed)

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

    def _check_writable(self, relative: str) -> None:
        """EditRefused naming the path when the file, or the directory its temp file goes to,
        cannot be written: checked before anything of a repair is written."""
        path = self._target(relative)
        directory = path.parent
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
        if not os.access(directory, os.W_OK | os.X_OK):
            raise EditRefused(f"cannot write {relative}: the directory {self.project.relative(directory)} is not writable")
        if path.exists() and not os.access(path, os.W_OK):
            raise EditRefused(f"cannot write {relative}: the file is read-only")

    def _write_atomic(self, path: Path, data: bytes, relative: str) -> None:
        """Write through a temp file renamed over ``path``; callers hold signals back
        (signals_deferred) so no temp file outlives an interrupt."""
        self._make_parents(path.parent)
        status = path.stat() if path.exists() else None
        handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".collect-fix")
        try:
            with os.fdopen(handle, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            if status is not None:
                os.chmod(temp_name, stat.S_IMODE(status.st_mode))
                _keep_owner(temp_name, status)
                links = self._names_in_the_tree(relative, status)
                notice = (f"{relative} had {links} hard links: the repaired file replaces this name only, "
                          "the other links keep the old content")
                if links > 1 and notice not in self.notices:
                    self.notices.append(notice)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp_name, 0o666 & ~umask)
            os.replace(temp_name, path)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise

    def _names_in_the_tree(self, relative: str, status: os.stat_result) -> int:
        """How many hard links the file has where the user will see it: a dry run's scratch copy
        does not keep them, so they are counted on the original (its history root), less the
        names of that file this run has replaced already, as --apply will find them there."""
        original = self.project.history_root
        if original is None or original == self.root:
            return status.st_nlink
        try:
            found = os.stat(original / relative)
        except OSError:
            return status.st_nlink
        inode = (found.st_dev, found.st_ino)
        replaced = self.replaced_names.get(inode, set())
        self.replaced_names[inode] = replaced | {relative}
        return found.st_nlink - len(replaced - {relative})

    def _make_parents(self, directory: Path) -> None:
        missing = []
        while not directory.exists():
            missing.append(directory)
            directory = directory.parent
        for created in reversed(missing):
            created.mkdir()
            self.created_dirs.append(created)


def _keep_newlines(original: Optional[bytes], new: bytes) -> bytes:
    """``new`` with the CRLF line ends of a file that had only those: code a codemod builds from
    Python strings (a stub's docstring) comes with bare LFs. Safe in a source file, where Python
    reads every line end as one; a file with mixed or LF line ends is left as the edit made it."""
    if not original or b"\r\n" not in original or re.search(rb"(?<!\r)\n", original):
        return new
    return re.sub(rb"(?<!\r)\n", b"\r\n", new)


def _keep_owner(temp_name: str, status: os.stat_result) -> None:
    """Give the new file the old one's owner and group, where this process may (root may)."""
    if (os.stat(temp_name).st_uid, os.stat(temp_name).st_gid) == (status.st_uid, status.st_gid):
        return
    try:
        os.chown(temp_name, status.st_uid, status.st_gid)
    except (OSError, AttributeError):  # not permitted (not root), or no chown (Windows)
        pass


__all__ = ["Workspace", "EditRefused"]
