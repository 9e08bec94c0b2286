"""Git-style unified diffs of what a run changed; ``git apply`` accepts them."""

from __future__ import annotations

import difflib
from typing import Optional

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(relative: str, before: Optional[bytes], after: Optional[bytes]) -> str:
    """The diff of one file; ``None`` content means the file does not exist on that side."""
    old_lines = _lines(relative, before)
    new_lines = _lines(relative, after)
    header = [f"diff --git a/{relative} b/{relative}\n"]
    if before is None:
        header.append("new file mode 100644\n")
    elif after is None:
        header.append("deleted file mode 100644\n")
    old_name = "/dev/null" if before is None else f"a/{relative}"
    new_name = "/dev/null" if after is None else f"b/{relative}"
    if not old_lines and not new_lines:
        return "".join(header)  # an empty new file: git's header alone creates it
    body = []
    for line in difflib.unified_diff(old_lines, new_lines, old_name, new_name, n=3):
        if line.startswith(("---", "+++")):
            body.append(line if line.endswith("\n") else line + "\n")
            continue
        if line.endswith("\n"):
            body.append(line)
        else:
            body.append(line + "\n" + _NO_NEWLINE)
    return "".join(header + body)


def _lines(relative: str, content: Optional[bytes]) -> list[str]:
    if not content:
        return []
    # Split on "\n" only: str.splitlines would also split on form feeds and other separators.
    parts = _decode(relative, content).split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _decode(relative: str, content: bytes) -> str:
    """UTF-8 with surrogateescape: encoding the diff back the same way gives the file's exact
    bytes, whatever its declared encoding, so ``git apply`` reproduces it."""
    return content.decode("utf-8", errors="surrogateescape")


def encode_diff(diff: str) -> bytes:
    return diff.encode("utf-8", errors="surrogateescape")
