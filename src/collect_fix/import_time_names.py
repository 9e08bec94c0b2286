"""Names a module reads while it is imported but never binds: the NameErrors after the first.

Python stops at the first NameError; finding the rest statically lets one repair add every import
the module lacks instead of one collection round per name. The walk is ``exit_walk``'s, which
reproduces LibCST's ScopeProvider on ``ast`` (a name bound in the read's own scope counts only when
it is bound before the read, as at import): the same answers at a small part of the cost, on a tree
that planning has parsed already. Three things differ from LibCST, each to report fewer names, never
a wrong one: a name a ``match`` pattern captures is bound (LibCST reads it), a dunder such as
``__file__`` is the module's own, and a module with ``from m import *`` reports nothing (any name
may come from ``m``).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Optional

from collect_fix.exit_scopes import Scope
from collect_fix.exit_spelling import SourceError, parse
from collect_fix.exit_walk import Exit, ExitWalk
from collect_fix.source_trees import statements


def undefined_at_import(path: Path) -> list[str]:
    """The names, sorted. Function and lambda bodies, generator expressions past their first
    iterable, PEP 695 scopes and postponed annotations (``from __future__ import annotations``)
    do not run at import, so names read only there are left out. A file that cannot be read or
    parsed has none."""
    try:
        tree, text = parse(path.read_bytes())
    except (OSError, SourceError):
        return []
    if _star_import(tree):
        return []
    walk = _ImportTimeReads(tree, text)
    try:
        walk.body(tree.body)
    except RecursionError:
        return []
    return walk.undefined(_postpones_annotations(tree))


class _ImportTimeReads(ExitWalk):
    """The walk, noting each name read at import with the scope and position it is read from."""

    def __init__(self, tree: ast.Module, text: str) -> None:
        super().__init__(tree, text, imported=set())
        self.reads: list[tuple[str, Scope, int, bool]] = []  # name, scope, position, in an annotation

    def undefined(self, postponed: bool) -> list[str]:
        names = set()
        for name, scope, index, annotation in self.reads:
            if postponed and annotation or _dunder(name) or not _runs_at_import(scope):
                continue
            if not scope.referents(name, index):
                names.add(name)
        return sorted(names)

    def note(self, node: Exit, target: Optional[ast.expr]) -> None:
        """Exits are not this walk's question."""

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.scope.record(node.id)
        elif not self.functions and not self.generators:  # a read (``del`` reads too)
            self.reads.append((node.id, self.scope, self.scope.count, self.annotations > 0))

    def visit_MatchAs(self, node: ast.AST) -> None:
        self.children(node)
        self._capture(getattr(node, "name", None))

    def visit_MatchStar(self, node: ast.AST) -> None:
        self._capture(getattr(node, "name", None))

    def visit_MatchMapping(self, node: ast.AST) -> None:
        self.children(node)
        self._capture(getattr(node, "rest", None))

    def _capture(self, name: Optional[str]) -> None:
        if name is not None:
            self.scope.record(name)
            self.scope.count += 1


def _runs_at_import(scope: Scope) -> bool:
    """Module level, a class body or a comprehension in them; not a function or PEP 695 scope."""
    while scope.kind != "global":
        if scope.kind in ("function", "annotation"):
            return False
        scope = scope.parent
    return True


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _star_import(tree: ast.Module) -> bool:
    return any(
        isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names)
        for statement in statements(tree)
    )


def _postpones_annotations(tree: ast.Module) -> bool:
    return any(
        isinstance(statement, ast.ImportFrom) and statement.module == "__future__" and not statement.level
        and any(alias.name == "annotations" for alias in statement.names)
        for statement in tree.body
    )
