"""Find the stubs and aliases collect-fix left in a tree: they are debt a person must pay.

Every generated stub and alias carries a marker comment; only real comments count (tokenize),
so a string that merely contains the marker text, such as a test of collect-fix, is not listed.
"""

from __future__ import annotations

import io
import re
import tokenize

from collect_fix.project import Project

STUB_MARKER = "# collect-fix: stub"
ALIAS_MARKER = "# collect-fix: alias"
_MARKER = re.compile(r"# collect-fix: (?:stub|alias)\b")
_NEEDLE = b"collect-fix:"


def find_markers(project: Project) -> list[tuple[str, int, str]]:
    """(project-relative path, line, stripped source line) for every marker comment, by path."""
    found: list[tuple[str, int, str]] = []
    for path in project.python_files():
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if _NEEDLE in source:
            relative = project.relative(path)
            found.extend((relative, line, text) for line, text in markers_in(source))
    return found


def markers_in(source: bytes) -> list[tuple[int, str]]:
    """(line, stripped source line) of each marker comment in one file's source."""
    lines = source.decode("utf-8", errors="replace").splitlines()
    found: list[tuple[int, str]] = []
    try:
        for token in tokenize.tokenize(io.BytesIO(source).readline):
            if token.type == tokenize.COMMENT and _MARKER.match(token.string):
                line = token.start[0]
                found.append((line, lines[line - 1].strip()))
    except (tokenize.TokenError, SyntaxError):
        pass  # a file that does not tokenize keeps the markers found before the error
    return found


def is_marked(project: Project, path: str, line: int) -> bool:
    """Whether line ``line`` of the project file ``path`` carries a collect-fix marker."""
    try:
        source = (project.root / path).read_bytes()
    except OSError:
        return False
    return _NEEDLE in source and any(found == line for found, _ in markers_in(source))
