"""Git-style unified diffs of what a run changed; ``git apply`` accepts them."""

from __future__ import annotations

import difflib
from typing import Optional

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(relative: str, before: Optional[bytes], after: Optional[bytes]) -> str:
    """The diff of one file; ``None`` content means the file does not exist on that side."""
    old_lines = _lines(relative, before)
    new_lines = _lines(relative, after)
    header = [f"diff --git {quote_path('a/' + relative)} {quote_path('b/' + relative)}\n"]
    if before is None:
        header.append("new file mode 100644\n")
    elif after is None:
        header.append("deleted file mode 100644\n")
    old_name = "/dev/null" if before is None else quote_path(f"a/{relative}")
    new_name = "/dev/null" if after is None else quote_path(f"b/{relative}")
    if not old_lines and not new_lines:
        return "".join(header)  # an empty new file: git's header alone creates it
    body = [f"--- {old_name}{_tab_after(old_name)}\n", f"+++ {new_name}{_tab_after(new_name)}\n"]
    # difflib's first two lines are its own (nameless) ---/+++ header; a removed line "-- x" is not one.
    for line in list(difflib.unified_diff(old_lines, new_lines, n=3))[2:]:
        if line.endswith("\n"):
            body.append(line)
        else:
            body.append(line + "\n" + _NO_NEWLINE)
    return "".join(header + body)


# git's C-style quoting (core.quotePath): what a path must not hold bare in a diff header.
_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
            0x22: '\\"', 0x5C: "\\\\"}


def quote_path(name: str) -> str:
    """``name`` as git writes it in a diff header: bare, or in double quotes with C escapes when it
    holds a quote, a backslash, a control character (a newline would end the header) or a
    non-ASCII byte. ``git apply`` reads both; ``unquote_path`` reverses it."""
    raw = name.encode("utf-8", errors="surrogateescape")
    if not any(byte < 0x20 or byte >= 0x7F or byte in (0x22, 0x5C) for byte in raw):
        return name
    return '"' + "".join(_ESCAPES.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}")
                         for byte in raw) + '"'


def unquote_path(name: str) -> str:
    """The path ``quote_path`` (or git) wrote as ``name``."""
    if not (len(name) >= 2 and name[0] == name[-1] == '"'):
        return name
    unescape = {escape[1]: byte for byte, escape in _ESCAPES.items()}
    raw, text, index = bytearray(), name[1:-1], 0
    while index < len(text):
        char = text[index]
        if char != "\\" or index + 1 == len(text):
            raw += char.encode("utf-8", errors="surrogateescape")
            index += 1
        elif text[index + 1] in unescape:
            raw.append(unescape[text[index + 1]])
            index += 2
        else:
            raw.append(int(text[index + 1:index + 4], 8))
            index += 4
    return raw.decode("utf-8", errors="surrogateescape")


def _tab_after(name: str) -> str:
    """git ends a ``---``/``+++`` name that holds a space with a tab, so no reader takes the rest
    of the line for a timestamp."""
    return "\t" if " " in name else ""


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
