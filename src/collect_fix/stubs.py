"""Find the shims collect-fix left in a tree (stubs, aliases, ...): debt a person must pay.

The marker grammar: every shim a codemod writes carries a comment ``# collect-fix: <kind>``,
optionally followed by details (``# collect-fix: alias -> Order (renamed)``); ``<kind>`` is a
lowercase word (hyphens allowed). The kinds are those of SHIM_KINDS (with their headings) and every
other kind a codemod spells in a marker constant (``PLACEHOLDER_MARKER = "# collect-fix:
placeholder"``): the codemods are scanned, so a new kind of shim is listed under its own heading
without a list to keep in sync. ``collect-fix:`` comments that are directives, such as the hook's
``allow-exit``, are not debt. Only real comments count (tokenize), so a string that merely
contains the marker text, such as a test of collect-fix, is not listed.
"""

from __future__ import annotations

import importlib.util
import io
import re
import tokenize
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from collect_fix.project import Project

# kind -> heading, in the order reports list them; kinds found only in the codemods follow.
_HEADINGS: dict[str, str] = {
    "stub": "stubs (raise NotImplementedError when used)",
    "alias": "aliases that keep an old name alive",
    "re-export": "re-exports of moved names",
    "restored": "restored definitions",
    "placeholder": "placeholders bound where a failed import stood",
    "module-alias": "modules kept as the module they became (moved whole)",
}
DIRECTIVES = frozenset({"allow-exit"})  # collect-fix: comments that ask for something, not debt
_SPELLED = re.compile(r"""["']# collect-fix: ([a-z][a-z0-9]*(?:-[a-z0-9]+)*)""")


def _codemod_kinds() -> list[str]:
    """Kinds the shipped codemods spell in string literals (their marker constants)."""
    spec = importlib.util.find_spec("collect_fix.codemods")
    kinds: list[str] = []
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for source in sorted(Path(folder).glob("*.py")):
            try:
                kinds.extend(_SPELLED.findall(source.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
    return kinds


SHIM_KINDS: dict[str, str] = {
    kind: _HEADINGS.get(kind, f"{kind} markers")
    for kind in dict.fromkeys([*_HEADINGS, *_codemod_kinds()])
    if kind not in DIRECTIVES
}


def marker(kind: str) -> str:
    """The comment that marks a shim of ``kind`` (one of SHIM_KINDS)."""
    if kind not in SHIM_KINDS:
        raise ValueError(f"unknown shim kind {kind!r}: add it to collect_fix.stubs._HEADINGS")
    return f"# collect-fix: {kind}"


STUB_MARKER = marker("stub")
ALIAS_MARKER = marker("alias")
REEXPORT_MARKER = marker("re-export")
RESTORED_MARKER = marker("restored")
PLACEHOLDER_MARKER = marker("placeholder")
# Longest kinds first, and a kind must end there: "stubborn" is not "stub".
_MARKER = re.compile(
    r"# collect-fix: (?P<kind>" + "|".join(re.escape(kind) for kind in sorted(SHIM_KINDS, key=len, reverse=True))
    + r")(?![\w-])"
)
_NEEDLE = b"collect-fix:"


@dataclass(frozen=True)
class Marker:
    """One shim in the tree: project-relative path, line, its kind and the stripped source line."""

    path: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def find_markers(project: Project) -> list[tuple[str, int, str]]:
    """(project-relative path, line, stripped source line) for every marker comment, by path."""
    return [(found.path, found.line, found.text) for found in find_shims(project)]


def find_shims(project: Project) -> list[Marker]:
    """Every marked shim in the project's Python files, by path and line."""
    found: list[Marker] = []
    for path in project.files_mentioning(_NEEDLE.decode()):
        source = project.source(path)
        if source is not None:
            relative = project.relative(path)
            found.extend(Marker(relative, line, kind, text) for line, kind, text in _markers(source))
    return found


def markers_in(source: bytes) -> list[tuple[int, str]]:
    """(line, stripped source line) of each marker comment in one file's source."""
    return [(line, text) for line, _, text in _markers(source)]


def kind_of(text: str) -> Optional[str]:
    """The shim kind a listed line (``path:line: text`` or the source line) is marked with."""
    found = _MARKER.search(text)
    return found.group("kind") if found else None


def by_kind(shims: list[Marker]) -> dict[str, list[Marker]]:
    """The shims grouped under their kinds, in SHIM_KINDS order; kinds with none left out."""
    grouped: dict[str, list[Marker]] = {kind: [] for kind in SHIM_KINDS}
    for shim in shims:
        grouped.setdefault(shim.kind, []).append(shim)
    return {kind: items for kind, items in grouped.items() if items}


def _markers(source: bytes) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    try:
        for token in tokenize.tokenize(io.BytesIO(source).readline):
            if token.type != tokenize.COMMENT:
                continue
            matched = _MARKER.match(token.string)
            if matched:
                # The tokenizer's own line: in the file's encoding, and a form feed or U+2028 above
                # it does not shift it (str.splitlines would split there, Python does not).
                found.append((token.start[0], matched.group("kind"), token.line.strip()))
    except (tokenize.TokenError, SyntaxError):
        pass  # a file that does not tokenize keeps the markers found before the error
    return found


def is_marked(project: Project, path: str, line: int) -> bool:
    """Whether line ``line`` of the project file ``path`` carries a collect-fix marker."""
    source = project.source(project.root / path)
    return source is not None and _NEEDLE in source and line in _marked_lines(source)


@lru_cache(maxsize=64)
def _marked_lines(source: bytes) -> frozenset[int]:
    return frozenset(found for found, _ in markers_in(source))
