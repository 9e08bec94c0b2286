"""The scratch copy a dry run works on, made to collect exactly as the original does.

Left out: what collection never reads and copying would make slow (VCS data, virtualenvs,
caches) and what cannot be copied (pipes, sockets, devices). Kept: everything else, files named
``build`` or ``.env`` included. Symlinks lead where the original's lead, seen from the copy (see
``_repoint_links``), and when pytest's configuration lives in a directory above the project (a
monorepo), the files of the directories up to it are copied too, at the same relative places.

The collecting process then points the imports that would reach the original at the copy (the
probe, with the map ``collector`` passes it), except for what only the original has, what was
left out here.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Callable

from collect_fix import pytest_config

_NEVER_COPIED = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox",
     "node_modules"}
)


def copy_project(original: Path, scratch: Path) -> Path:
    """Copy ``original`` under ``scratch``; return the copy's root (the new project root)."""
    ancestors = _ancestors_up_to_config(original)
    top = ancestors[-1] if ancestors else original
    copy = scratch / top.name / original.relative_to(top) if ancestors else scratch / original.name
    for ancestor in ancestors:
        _copy_files_only(ancestor, scratch / top.name / ancestor.relative_to(top))
    try:
        shutil.copytree(original, copy, symlinks=True, ignore=_leaving_out(scratch))
    except shutil.Error as exc:
        _stand_ins(exc.args[0])
    _repoint_links(original, copy)
    return copy


def _stand_ins(failures: list[tuple[str, str, str]]) -> None:
    """What this user cannot read (a directory or file without permission) is there in the copy
    too, empty and with the same mode, so pytest fails on it there exactly as in the original."""
    for source, target, _ in failures:
        try:
            mode = os.lstat(source).st_mode
        except OSError:
            continue  # gone meanwhile: nothing to stand in for
        if os.path.lexists(target):
            continue
        if stat.S_ISDIR(mode):
            os.mkdir(target)
        else:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.chmod(target, stat.S_IMODE(mode))


def holds(original: Path, path: Path) -> bool:
    """Whether ``path`` lies in what ``copy_project`` copies of ``original`` (the project, or the
    directories up to pytest's configuration): a scratch copy there is in the tree pytest walks."""
    ancestors = _ancestors_up_to_config(original)
    top = os.path.realpath(ancestors[-1] if ancestors else original)
    return os.path.realpath(path).startswith(top.rstrip(os.sep) + os.sep)


def _ancestors_up_to_config(original: Path) -> list[Path]:
    """The parents of ``original`` up to the one holding pytest's configuration, if any."""
    found = pytest_config.find(original)
    if found is None:
        return []
    return [parent for parent in original.parents if parent == found.parent or found.parent in parent.parents]


def _copy_files_only(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for child in source.iterdir():
        if child.is_file() and not child.is_symlink():
            shutil.copy2(child, target / child.name)


def _leaving_out(scratch: Path) -> Callable[[str, list[str]], set[str]]:
    """``_left_out``, and ``scratch`` itself where it lies in the project (TMPDIR set to a folder
    of it): copied into itself, the copy would never end."""
    real = os.path.realpath(scratch)

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = _left_out(directory, names)
        if real.startswith(os.path.realpath(directory) + os.sep):
            skipped.update(name for name in names if os.path.realpath(os.path.join(directory, name)) == real)
        return skipped

    return ignore


def _left_out(directory: str, names: list[str]) -> set[str]:
    skipped = set()
    for name in names:
        path = os.path.join(directory, name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            skipped.add(name)
            continue
        if stat.S_ISLNK(mode):
            continue
        if stat.S_ISDIR(mode):
            if name in _NEVER_COPIED or os.path.isfile(os.path.join(path, "pyvenv.cfg")):
                skipped.add(name)
        elif not stat.S_ISREG(mode):
            skipped.add(name)  # a pipe, socket or device: reading it could block forever
    return skipped


def _repoint_links(original: Path, copy: Path) -> None:
    """Make every link of the copy lead where the original's leads, seen from the copy.

    A relative link out of the project would dangle in the copy: it becomes absolute. An absolute
    link into the project would lead back into the original, where the dry run neither sees nor
    shows what ``--apply`` writes through the link: it leads to the copy's counterpart instead,
    unless that was left out (a link into a virtualenv keeps its target).
    """
    original_root = original.resolve()
    for directory, dirnames, filenames in os.walk(copy):
        for name in dirnames + filenames:
            link = Path(directory, name)
            if not link.is_symlink():
                continue
            target = os.readlink(link)
            try:
                real = (original / Path(directory).relative_to(copy) / target).resolve()
            except (RuntimeError, OSError):  # a link loop (RuntimeError before Python 3.13): leads nowhere anyway
                continue
            inside = real == original_root or original_root in real.parents
            if not os.path.isabs(target) and not inside:
                _relink(link, real)
            elif os.path.isabs(target) and inside:
                counterpart = copy / real.relative_to(original_root)
                if os.path.lexists(counterpart):
                    _relink(link, counterpart)


def _relink(link: Path, target: Path) -> None:
    link.unlink()
    link.symlink_to(target)
