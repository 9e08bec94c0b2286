"""Names a module's functions read that nothing in the module binds: NameErrors waiting for a call.

A refactor that drops a module's imports drops those read only inside functions too, and those
do not stop collection: the module imports, and the tests that call the function fail. When a
module is repaired for a name it reads at import (``import_time_names``), the names its functions
read and that it binds nowhere are repaired with it, on the same evidence.

Deliberately coarse, so it reports fewer names, never a wrong one: a name bound anywhere in the
module, in any scope (an assignment, a parameter, an import, ``global``), counts as bound, and
reads under a ``try`` that handles NameError are left out. A module that may bind names without
spelling them (``from m import *``, ``globals()``, a module ``__getattr__``) reports none.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path
from typing import Any

from collect_fix.except_clauses import catches
from collect_fix.import_siblings import names_readable
from collect_fix.source_trees import tree_of_file

_NAME_ERROR_CAUGHT = frozenset({"NameError", "Exception", "BaseException"})
_BUILTINS = frozenset(dir(builtins))


def unbound_in_functions(path: Path) -> list[str]:
    """The names, sorted; none for a file that cannot be read or parsed."""
    tree = tree_of_file(path)
    if tree is None or not names_readable(tree):
        return []
    reads = _FunctionReads()
    reads.visit(tree)
    return sorted(reads.names - _bound(tree) - _BUILTINS - {name for name in reads.names if name.startswith("__")})


class _FunctionReads(ast.NodeVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()
        self._functions = 0
        self._handled = 0

    def _inside(self, node: ast.AST) -> None:
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _inside

    def visit_Try(self, node: ast.Try) -> None:
        self._try(node)

    def visit_TryStar(self, node: ast.AST) -> None:  # ``try``/``except*`` (Python 3.11)
        self._try(node)

    def _try(self, node: Any) -> None:
        handled = any(catches(handler.type, _NAME_ERROR_CAUGHT) for handler in node.handlers)
        self._handled += handled
        for statement in node.body:
            self.visit(statement)
        self._handled -= handled
        for part in (*node.handlers, *node.orelse, *node.finalbody):
            self.visit(part)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load) and self._functions and not self._handled:
            self.names.add(node.id)


def _bound(tree: ast.Module) -> set[str]:
    """Every name the module binds anywhere, in any scope."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).partition(".")[0] for alias in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        else:
            for field in ("name", "rest"):  # match captures (MatchAs, MatchStar, MatchMapping), PEP 695 type parameters
                value = getattr(node, field, None)
                if isinstance(value, str) and not isinstance(node, ast.alias):
                    bound.add(value)
    return bound
