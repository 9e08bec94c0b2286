"""collect-fix's directory in the user's cache (``$XDG_CACHE_HOME/collect-fix``).

What is kept there gets executed (a pickled record, compiled modules), so a directory is used only
when it belongs to this user and nobody else can write to it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional, Sequence


def directory(*parts: str, create: bool, outside: Sequence[Path]) -> Optional[Path]:
    """``collect-fix/<parts>`` in the user's cache, or None: missing (``create`` false), not
    creatable, not safely ours, or inside one of ``outside`` (the project: a CI job may put its
    cache there, and collect-fix writes nothing into a project but repairs). Each level it
    creates is readable by this user only."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: invalid, the XDG specification says
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home directory either
        return None
    path = Path(base, "collect-fix")
    levels = [path] + [path.joinpath(*parts[: index + 1]) for index in range(len(parts))]
    folders = [os.path.realpath(folder) for folder in outside]

    def in_a_project() -> bool:  # any level: one may be a symlink into the project
        return any(within(os.path.realpath(level), folder) for level in levels for folder in folders)

    try:
        if in_a_project() or not _guarded(Path(base)):
            return None
        if create:
            Path(base).mkdir(parents=True, exist_ok=True)
            for level in levels:
                level.mkdir(exist_ok=True, mode=0o700)
        if not _guarded(Path(base)) or in_a_project():
            return None
        return levels[-1] if all(private(level) for level in levels) else None
    except OSError:
        return None


def _guarded(base: Path) -> bool:
    """Nobody else can replace ``base`` or what is ours in it: every folder and symlink met on
    the way to it (links followed one by one, as far as the path exists) belongs to this user or
    to root, and no folder is writable by others but with the sticky bit (as /tmp), which keeps
    them from renaming what is not theirs."""
    owner = getattr(os, "getuid", lambda: 0)()
    pending = list(reversed(base.parts))
    current, links = Path(base.anchor), 0
    while True:
        status = os.lstat(current)
        if status.st_uid not in (owner, 0):
            return False
        if stat.S_ISLNK(status.st_mode):
            links += 1
            if links > 40:  # a loop
                return False
            target = Path(os.readlink(current))
            pending.extend(reversed(target.parts))
            current = current.parent
            if target.is_absolute():
                current = Path(target.anchor)
                pending.pop()  # the anchor itself
            continue
        if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not status.st_mode & stat.S_ISVTX:
            return False
        while pending and pending[-1] in (".", current.anchor):
            pending.pop()
        if not pending:
            return True
        name = pending.pop()
        current = current.parent if name == ".." else current / name
        if not os.path.lexists(current):
            return True  # made below, by this user, in a folder checked above


def within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or below it (both absolute, symlinks resolved)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def private(path: Path) -> bool:
    """Owned by this user and writable by nobody else: only then is what it holds ours."""
    status = path.stat()
    owner = getattr(os, "getuid", lambda: status.st_uid)()
    return status.st_uid == owner and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
