"""Names a module's functions read that nothing in the module binds: NameErrors waiting for a call.

A refactor that drops a module's imports drops those read only inside functions too, and those
do not stop collection: the module imports, and the tests that call the function fail. When a
module is repaired for a name it reads at import (``import_time_names``), the names its functions
read and that it binds nowhere are repaired with it, on the same evidence (git shows the change
that dropped the first name's import dropped theirs too), so scopes are read exactly, by the
compiler's own symbol tables: a parameter ``settings`` of one function does not bind the
``settings`` another function reads. Builtins are not reported: a change that dropped an import
shadowing one (``from codecs import open``) may have meant the builtin. Reads under a ``try``
whose handler names NameError are left out: there
the absence is expected (a bare ``except`` or ``except Exception`` is error handling, not that).
A module that may bind names without spelling them (``from m import *``, ``globals()``, a module
``__getattr__``) reports none.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from pathlib import Path
from typing import Any, Iterator

from collect_fix.except_clauses import catches
from collect_fix.import_siblings import names_readable
from collect_fix.source_trees import tree_of_file

_AT_CALL = frozenset({"function"})  # the tables whose code runs when called, not at import
_BUILTINS = frozenset(dir(builtins))


def unbound_in_functions(path: Path) -> list[str]:
    """The names, sorted; none for a file that cannot be read or parsed."""
    tree = tree_of_file(path)
    if tree is None or not names_readable(tree):
        return []
    try:
        module = symtable.symtable(path.read_bytes(), str(path), "exec")  # type: ignore[arg-type]
    except (OSError, SyntaxError, ValueError):
        return []
    tables = list(_tables(module, at_call=False))
    bound = {symbol.get_name() for symbol in module.get_symbols() if symbol.is_assigned() or symbol.is_imported()}
    bound |= {  # ``global name`` and an assignment in a function: the module has it once that ran
        symbol.get_name() for table, _ in tables for symbol in table.get_symbols()
        if symbol.is_declared_global() and (symbol.is_assigned() or symbol.is_imported())
    }
    read = {
        symbol.get_name() for table, at_call in tables if at_call for symbol in table.get_symbols()
        if symbol.is_referenced() and symbol.is_global()
    }
    expected = _NameErrorExpected()
    expected.visit(tree)
    return sorted(name for name in read - bound - expected.names - _BUILTINS if not name.startswith("__"))


def _tables(table: symtable.SymbolTable, at_call: bool) -> Iterator[tuple[symtable.SymbolTable, bool]]:
    """Every table below ``table``, each with whether its code runs only when a function is called."""
    for child in table.get_children():
        runs_at_call = at_call or str(child.get_type()) in _AT_CALL
        yield child, runs_at_call
        yield from _tables(child, runs_at_call)


class _NameErrorExpected(ast.NodeVisitor):
    """The names read in the body of a ``try`` whose handler names NameError."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Try(self, node: ast.Try) -> None:
        self._try(node)

    def visit_TryStar(self, node: ast.AST) -> None:  # ``try``/``except*`` (Python 3.11)
        self._try(node)

    def _try(self, node: Any) -> None:
        if any(handler.type is not None and catches(handler.type, frozenset({"NameError"})) for handler in node.handlers):
            self.names.update(each.id for statement in node.body for each in ast.walk(statement)
                              if isinstance(each, ast.Name) and isinstance(each.ctx, ast.Load))
        self.generic_visit(node)


