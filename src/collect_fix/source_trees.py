"""Python source -> ``ast`` tree, parsed once per content for the whole run.

Planners ask many questions of the same files (where is this name used, what does that module
import, which names does it bind), and each question used to parse the files it read: on a
3,000-test suite, hundreds of parses of a few hundred files per round. Here a tree is kept by
the exact bytes it came from, so a file is parsed again only after it changed. The trees are
shared: callers read them and never change them. Kept within a bound on the source bytes held.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path
from typing import Iterator, Optional

_LIMIT = 64 * 1024 * 1024  # bytes of source whose trees are kept
_trees: dict[bytes, Optional[ast.Module]] = {}
_held = 0


def tree_of(source: bytes) -> Optional[ast.Module]:
    """The module's tree; None when this interpreter cannot parse it. Never raises."""
    global _held
    if source in _trees:
        return _trees[source]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" and such: not ours to say
            tree: Optional[ast.Module] = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if _held + len(source) > _LIMIT:
        _trees.clear()
        _held = 0
    _trees[source] = tree
    _held += len(source)
    return tree


def kept(source: bytes) -> Optional[ast.Module]:
    """The tree of ``source`` if one is kept already; None otherwise (not parsed yet, or not
    parseable). For a caller that parses on its own rather than hold every tree it reads
    (the pre-commit hook reads thousands of files once each)."""
    return _trees.get(source)


def tree_of_file(path: Path) -> Optional[ast.Module]:
    """The tree of the file at ``path``; None when it cannot be read or parsed."""
    try:
        return tree_of(path.read_bytes())
    except OSError:
        return None


def statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement of ``tree`` at any depth (in functions, classes, branches, handlers and
    match cases), in source order. An import is a statement, so a question about imports walks
    these: a few thousand nodes of a long test file instead of the hundreds of thousands of its
    expressions that ``ast.walk`` visits."""
    pending: list[ast.AST] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.stmt):
            yield node
        inner: list[ast.AST] = []
        for field in _BODIES:
            inner.extend(getattr(node, field, ()))
        pending.extend(reversed(inner))


# Where statements nest: compound statements' bodies, except handlers' and match cases' bodies.
_BODIES = ("body", "handlers", "orelse", "finalbody", "cases")


def forget() -> None:
    """Drop every kept tree (tests that rewrite files with the same bytes elsewhere need not)."""
    global _held
    _trees.clear()
    _held = 0
