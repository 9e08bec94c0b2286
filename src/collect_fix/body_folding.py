"""Fold function bodies out of a module before LibCST parses it, and put them back after.

A codemod that edits only what runs at import (the exit guard) never looks inside a function
body, yet parsing one costs LibCST as much as any other line, and a 6,000-line test module is
mostly function bodies. So before parsing, each run of module-level functions that nothing at
import depends on (no decorators, defaults or annotations) becomes one placeholder line, and the
body of every other function (at module level or in a class there) one placeholder line of its
own (the ``def`` line, decorators, defaults and annotations stay: those do run at import); the
codemod's output gets them back, byte for byte. ``unfold`` refuses when a placeholder did not come through exactly once, so a
codemod that touched one never gets its output half restored.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Optional, Union

from collect_fix.exit_spelling import SourceError, parse

_MIN_LINES = 2  # a one-line body is not worth a placeholder
_PLACEHOLDER = "...  # collect-fix: folded body {number}"
_INDENT = re.compile(rb"[ \t]*")

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]


class UnfoldError(ValueError):
    """A placeholder is missing from the codemod's output, or there more than once."""


# CodemodContext.scratch key: the words of the folded bodies, for a codemod that must know every
# name the module uses (is an import still used? is a new name free?).
FOLDED_WORDS = "collect_fix.folded_words"


@dataclass(frozen=True)
class Folded:
    """``source`` with function bodies replaced; ``bodies[n]`` are the lines placeholder n stands for."""

    source: bytes
    bodies: tuple[bytes, ...]
    placeholders: tuple[bytes, ...]

    @property
    def words(self) -> frozenset[str]:
        """Every word of the folded bodies: the names they may use."""
        return frozenset(re.findall(r"\w+", b"".join(self.bodies).decode("utf-8", "replace")))

    def unfold(self, output: bytes) -> bytes:
        """``output`` with each placeholder line replaced by the body it stands for, in one pass."""
        bodies = dict(zip(self.placeholders, self.bodies))
        lines = output.splitlines(keepends=True)
        restored = [bodies.get(line, line) for line in lines]
        found = [line for line in lines if line in bodies]
        if len(found) != len(bodies) or len(set(found)) != len(found):
            raise UnfoldError("a folded function body did not come through as it was")
        return b"".join(restored)


@functools.lru_cache(maxsize=4)  # the exit codemod's strategies for one file fold the same source
def fold(source: bytes, whole: bool = True) -> Optional[Folded]:
    """``source`` with its function bodies folded, or None when there is nothing worth folding
    (or the standard library cannot read it: then LibCST gets the whole file, as before).
    ``whole=False`` keeps every ``def`` line (no run of functions becomes one placeholder): for
    a codemod that places code after a definition, or asks what the module binds."""
    try:
        tree, _ = parse(source)
    except SourceError:
        return None
    lines = source.splitlines(keepends=True)
    if any(line.endswith(b"\r") and not line.endswith(b"\r\n") for line in lines):
        return None  # CR-only line ends: line numbers would not match ast's
    # A body on the file's last line without a line end stays: LibCST may end a module's last
    # line differently, and its placeholder would not come back as it went.
    ranges = [(first, last) for first, last in _ranges(tree.body, whole) if lines[last].endswith(b"\n")]
    if not ranges:
        return None
    folded: list[bytes] = []
    bodies: list[bytes] = []
    placeholders: list[bytes] = []
    position = 0
    for number, (first, last) in enumerate(ranges):
        folded.extend(lines[position:first])
        body = b"".join(lines[first:last + 1])
        indent = _INDENT.match(lines[first])
        newline = b"\r\n" if lines[last].endswith(b"\r\n") else b"\n"
        placeholder = (indent.group(0) if indent else b"") + _PLACEHOLDER.format(number=number).encode() + newline
        if placeholder in source:
            return None  # the file already holds our placeholder's text: do not fold it
        folded.append(placeholder)
        bodies.append(body)
        placeholders.append(placeholder)
        position = last + 1
    folded.extend(lines[position:])
    return Folded(b"".join(folded), tuple(bodies), tuple(placeholders))


def _ranges(body: list[ast.stmt], whole: bool) -> list[tuple[int, int]]:
    """0-based line ranges to fold, in order: runs of whole module-level functions whose
    signature and name matter to nobody at import (only with ``whole``), else function bodies."""
    ranges: list[tuple[int, int]] = []
    run: Optional[tuple[int, int]] = None
    for statement in body:
        if whole and _foldable_whole(statement) and statement.end_lineno is not None:
            start = run[0] if run is not None else statement.lineno - 1
            run = (start, statement.end_lineno - 1)
            continue
        if run is not None:
            ranges.append(run)
            run = None
        functions = [statement] if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) else (
            _functions(statement.body) if isinstance(statement, ast.ClassDef) else []
        )
        ranges.extend(span for function in functions if (span := _body_lines(function)) is not None)
    if run is not None:
        ranges.append(run)
    return ranges


def _foldable_whole(statement: ast.stmt) -> bool:
    """A module-level function nothing at import depends on but its name: no decorators, no
    defaults or annotations (they run at import), and not named like what the exit codemod
    resolves (a function called ``exit`` or ``print`` changes what those calls mean)."""
    if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) or statement.decorator_list:
        return False
    arguments = statement.args
    signature = [*arguments.defaults, *(d for d in arguments.kw_defaults if d is not None), statement.returns,
                 *(a.annotation for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                                          arguments.vararg, arguments.kwarg] if a is not None)]
    return statement.name not in _RESOLVED_NAMES and not any(part is not None for part in signature)


# Names the exit codemod resolves at module level: a function so named must stay visible to it.
_RESOLVED_NAMES = frozenset({"exit", "quit", "_exit", "SystemExit", "print", "sys", "os", "pytest", "warnings",
                             "pytestmark", "builtins"})


def _functions(body: list[ast.stmt]) -> list[Function]:
    """Functions defined at module level or in classes at module level, in source order."""
    found: list[Function] = []
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append(statement)
        elif isinstance(statement, ast.ClassDef):
            found.extend(_functions(statement.body))
    return found


def _body_lines(function: Function) -> Optional[tuple[int, int]]:
    """0-based (first, last) line of the body, when it stands on lines of its own (not on the
    line where a signature spread over several lines ends)."""
    first_statement = function.body[0]
    decorators = getattr(first_statement, "decorator_list", [])
    first = min([first_statement.lineno, *(decorator.lineno for decorator in decorators)])
    last = function.end_lineno
    header = [function.args, *([function.returns] if function.returns is not None else [])]
    header_end = max([function.lineno, *(getattr(node, "end_lineno", 0) or 0 for part in header for node in ast.walk(part))])
    if last is None or first <= header_end or last - first + 1 < _MIN_LINES:
        return None
    return first - 1, last - 1
