"""Names a module reads while it is imported but never binds: the NameErrors after the first.

Python stops at the first NameError; finding the rest statically lets one repair add every import
the module lacks instead of one collection round per name. The walk is ``exit_walk``'s, which
reproduces LibCST's ScopeProvider on ``ast`` (a name bound in the read's own scope counts only when
it is bound before the read, as at import): the same answers at a small part of the cost, on a tree
that planning has parsed already. What differs from LibCST reports fewer names, never a wrong one:
a name a ``match`` pattern captures is bound (LibCST reads it), a dunder such as ``__file__`` is the
module's own, a module with ``from m import *`` reports nothing (any name may come from ``m``), a
walrus in a comprehension binds where the comprehension runs (PEP 572), and reads under
``if __name__ == "__main__":`` or in a ``try`` that handles the NameError are not import's problem.
A file only a newer Python parses is read by LibCST, with the first three of these.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from collect_fix.except_clauses import catches
from collect_fix.exit_scopes import Scope
from collect_fix.exit_spelling import SourceError, parse
from collect_fix.exit_walk import Exit, ExitWalk
from collect_fix.source_trees import statements

if TYPE_CHECKING:
    import libcst as cst

# Handlers of these catch a NameError.
_NAME_ERROR_CAUGHT = frozenset({"NameError", "Exception", "BaseException"})


def undefined_at_import(path: Path) -> list[str]:
    """The names, sorted. Function and lambda bodies, generator expressions past their first
    iterable and postponed annotations (``from __future__ import annotations``) do not run at
    import, so names read only there are left out; so are those read in PEP 695 scopes (LibCST's
    rule: fewer names, never a wrong one). A file that cannot be read or parsed has none."""
    try:
        source = path.read_bytes()
    except OSError:
        return []
    try:
        tree, text = parse(source)
    except SourceError:
        # Newer syntax than this interpreter's (the project's Python may be newer): LibCST reads it.
        return _read_with_libcst(source)
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
        self.name_errors_handled = 0  # inside ``try`` bodies whose handlers catch a NameError

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
        # A read (``del`` reads too) that runs at import: not under ``if __name__ == "__main__":``,
        # and not where the module handles the NameError itself (``try: X except NameError: ...``).
        elif not (self.functions or self.generators or self.guards or self.name_errors_handled):
            self.reads.append((node.id, self.scope, self.scope.count, self.annotations > 0))

    def visit_Try(self, node: ast.Try) -> None:
        handled = any(catches(handler.type, _NAME_ERROR_CAUGHT) for handler in node.handlers)
        self.name_errors_handled += handled
        self.body(node.body)
        self.name_errors_handled -= handled
        for handler in node.handlers:
            self.visit(handler)
        self.body(node.orelse)
        self.body(node.finalbody)

    visit_TryStar = visit_Try

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        """``(x := value)`` in a comprehension binds ``x`` where the comprehension runs (PEP 572)."""
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension":
            scope = scope.parent
        if isinstance(node.target, ast.Name):
            scope.record(node.target.id)

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


def _read_with_libcst(source: bytes) -> list[str]:
    """The same question answered by LibCST's ScopeProvider, for syntax this Python's ``ast``
    cannot parse; captures, dunders and star imports as above."""
    import libcst as cst
    from libcst.metadata import ClassScope, ComprehensionScope, GlobalScope, MetadataWrapper, ScopeProvider

    try:
        module = cst.parse_module(source)
        scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return []
    captured: set[str] = set()
    postponed = star = False
    for node in _cst_nodes(module):
        if isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            captured.add(node.name.value)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            captured.add(node.rest.value)
        elif isinstance(node, cst.ImportFrom):
            star = star or isinstance(node.names, cst.ImportStar)
            postponed = postponed or (
                isinstance(node.module, cst.Name) and node.module.value == "__future__"
                and not isinstance(node.names, cst.ImportStar)
                and any(alias.evaluated_name == "annotations" for alias in node.names)
            )
    if star:
        return []

    def at_import(scope: object) -> bool:
        while not isinstance(scope, GlobalScope):
            if isinstance(scope, ComprehensionScope) and isinstance(scope.node, cst.GeneratorExp):
                return False
            if not isinstance(scope, (ClassScope, ComprehensionScope)):
                return False
            scope = scope.parent
        return True

    names = {
        access.node.value
        for scope in {scope for scope in scopes.values() if scope is not None} if at_import(scope)
        for access in scope.accesses
        if not access.referents and isinstance(access.node, cst.Name) and not (postponed and access.is_annotation)
    }
    return sorted(name for name in names if name not in captured and not _dunder(name))


def _cst_nodes(module: cst.Module) -> list[cst.CSTNode]:
    """Every node of a LibCST tree."""
    import libcst

    found: list[libcst.CSTNode] = []

    class _Every(libcst.CSTVisitor):
        def on_visit(self, node: libcst.CSTNode) -> bool:
            found.append(node)
            return True

    module.visit(_Every())
    return found
