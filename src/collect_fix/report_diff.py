"""Read back the run's git-style diff (diffing.unified_diff) as per-file changes, for the
formats that point at lines (github annotations) or carry fixes (SARIF replacements)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from collect_fix.diffing import unquote_path

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_NO_NEWLINE = "\\ No newline at end of file"


@dataclass(frozen=True)
class Change:
    """A run of removed and added lines. ``old_start``: the first removed line, or for a pure
    insertion the line the new text goes before (line numbers of the file before the change)."""

    old_start: int
    new_start: int
    removed: tuple[str, ...]  # with their line endings; the last may have none
    added: tuple[str, ...]


@dataclass(frozen=True)
class FileChange:
    path: str
    created: bool = False
    deleted: bool = False
    changes: tuple[Change, ...] = field(default=())


def file_changes(diff: str) -> dict[str, FileChange]:
    """Project-relative path -> its change, for every file in ``diff``."""
    result: dict[str, FileChange] = {}
    for section in re.split(r"(?m)^(?=diff --git )", diff):
        if section.startswith("diff --git "):
            change = _file_change(section)
            result[change.path] = change
    return result


def _file_change(section: str) -> FileChange:
    lines = re.findall(r"[^\n]*\n|[^\n]+$", section)
    path = _path(lines[0][len("diff --git "):].rstrip("\n"))
    created = any(line.startswith("new file mode") for line in lines[:3])
    deleted = any(line.startswith("deleted file mode") for line in lines[:3])
    changes: list[Change] = []
    old_line = new_line = 0
    removed: list[str] = []
    added: list[str] = []
    run_old = run_new = 0
    last: list[str] = removed

    def close_run() -> None:
        if removed or added:
            changes.append(Change(run_old, run_new, tuple(removed), tuple(added)))
            removed.clear()
            added.clear()

    for line in lines[1:]:
        hunk = _HUNK.match(line)
        if hunk:
            close_run()
            old_line = int(hunk.group(1)) or 1  # "-0,0": an empty file, insert before line 1
            new_line = int(hunk.group(3)) or 1
            continue
        if line.startswith(("--- ", "+++ ", "new file mode", "deleted file mode", "index ")) and not old_line:
            continue
        if line.startswith(_NO_NEWLINE):
            if last:
                last[-1] = last[-1].removesuffix("\n")
            continue
        if line.startswith(("-", "+")):
            if not removed and not added:
                run_old, run_new = old_line, new_line
            last = removed if line[0] == "-" else added
            last.append(line[1:])
            old_line, new_line = (old_line + 1, new_line) if line[0] == "-" else (old_line, new_line + 1)
        else:  # context
            close_run()
            last = []
            old_line += 1
            new_line += 1
    close_run()
    return FileChange(path, created, deleted, tuple(changes))


def _path(names: str) -> str:
    """The path of ``a/PATH b/PATH`` (one path twice: this diff never renames), each side bare or
    quoted by git's rules (diffing.quote_path); a path may itself hold " b/"."""
    if names.startswith('"'):
        return unquote_path(names[names.index(' "b/') + 1:])[2:] if ' "b/' in names else names
    return names[2:2 + (len(names) - 5) // 2]


def first_line(change: FileChange, applied: bool) -> int:
    """The first line the change touches: in the file as it is now (after an apply, before a dry run)."""
    if not change.changes:
        return 1
    first = change.changes[0]
    return first.new_start if applied else first.old_start


def line_before(change: FileChange, new_line: int) -> Optional[int]:
    """The line of the file before the change that is line ``new_line`` after it; None for a
    line the change itself wrote (or a file it created)."""
    if change.created:
        return None
    shift = 0
    for run in change.changes:
        if new_line < run.new_start:
            break
        if new_line < run.new_start + len(run.added):
            return None
        shift = (run.old_start + len(run.removed)) - (run.new_start + len(run.added))
    return new_line + shift
