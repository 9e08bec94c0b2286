"""What git history says about a name that disappeared: which commit renamed it, and to what.

A rename shows as one commit that removes the old definition and adds the new one in the same
file. ``git log -G`` (the regex pickaxe) finds the commits whose diff adds or removes a line
mentioning the name; ``-S`` would miss ``charge`` -> ``charge_card``, where the count of the
string does not change. Every failure (no git, not a repository, timeout) means "no evidence".
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from collect_fix.project import Project

_TIMEOUT = 15.0
_MAX_COMMITS = 50
_COMMIT = "\x00commit "


@dataclass(frozen=True)
class Rename:
    """``commit`` (short hash) removed ``old`` and added each of ``new`` in ``path``."""

    commit: str
    path: str
    old: str
    new: tuple[str, ...]


def history_root(project: Project) -> Path:
    """Where history lives: the original tree even when a dry run works on a scratch copy."""
    return getattr(project, "history_root", None) or project.root


def find_rename(project: Project, path: str, old: str, candidates: Iterable[str]) -> Optional[Rename]:
    """The newest commit that removed ``old``'s definition from ``path`` and added candidates'."""
    wanted = set(candidates) - {old}
    if not wanted:
        return None
    log = _git(
        history_root(project),
        "log", f"-G{old}", "-p", "--no-color", "--no-ext-diff", "-U0", f"-n{_MAX_COMMITS}",
        "--format=%x00commit %h", "--", path,
    )
    if not log:
        return None
    for chunk in log.split(_COMMIT)[1:]:
        commit, _, patch = chunk.partition("\n")
        removed = _defined(patch, "-")
        if old not in removed:
            continue
        added = _defined(patch, "+") - removed
        new = tuple(sorted(added & wanted))
        if new:
            return Rename(commit.strip(), path, old, new)
    return None


def _defined(patch: str, sign: str) -> set[str]:
    """Names defined (class, def, async def, NAME =) on the patch's lines starting with ``sign``."""
    pattern = re.compile(
        rf"^{re.escape(sign)}(?!{re.escape(sign * 2)})\s*(?:(?:async\s+)?def|class)\s+(\w+)"
        rf"|^{re.escape(sign)}(\w+)\s*(?::[^=]*)?=(?!=)",
        re.MULTILINE,
    )
    return {match.group(1) or match.group(2) for match in pattern.finditer(patch)}


def _git(root: Path, *args: str) -> Optional[str]:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=_TIMEOUT, errors="replace"
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None
