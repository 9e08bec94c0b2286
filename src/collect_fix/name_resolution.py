"""What a name in one file stands for, from the file's own imports and scopes, with ``ast`` only.

``import shop.mod as m`` makes ``m.X`` stand for ``shop.mod.X``; a parameter or local variable
named like an import hides it inside its function; a class body's names are invisible in its
methods; relative imports are resolved by ``importlib.util.resolve_name``; ``*`` imports bind
nothing we can see. Nothing is imported. This is the part of LibCST's qualified-name provider
that usage inference needs, at the cost of a plain ``ast`` walk.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence, Union

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
SCOPES = (*FUNCTIONS, ast.ClassDef, *COMPREHENSIONS)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

Import = Union[ast.Import, ast.ImportFrom]


def package_of(module_name: Optional[str], is_package: bool) -> str:
    """The package relative imports in a file start from ("" when the file is no module)."""
    name = module_name or ""
    return name if is_package else name.rpartition(".")[0]


def from_module(node: ast.ImportFrom, package: str) -> Optional[str]:
    """The absolute module of ``from ... import``; None when a relative one leaves the package."""
    if not node.level:
        return node.module or ""
    try:
        return importlib.util.resolve_name("." * node.level + (node.module or ""), package)
    except (ImportError, ValueError):
        return None


def import_bindings(node: Import, package: str) -> Iterator[tuple[str, str]]:
    """(name bound, qualified name it stands for) for each name an import binds."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname is not None:
                yield alias.asname, alias.name
            else:
                top = alias.name.partition(".")[0]
                yield top, top
        return
    base = from_module(node, package)
    if base is None:
        return
    for alias in node.names:
        if alias.name != "*":
            yield alias.asname or alias.name, f"{base}.{alias.name}"


def imports(tree: ast.Module) -> Iterator[tuple[Import, bool, frozenset[str]]]:
    """Every import statement; whether it sits in a function or class; the names that function
    declares ``global`` (an import of one of them binds it at module level).

    Imports are statements, so only statement blocks are walked, never expressions.
    """
    pending: list[tuple[ast.stmt, bool, frozenset[str]]] = [(statement, False, frozenset()) for statement in tree.body]
    while pending:
        statement, nested, declared = pending.pop()
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement, nested, declared
            continue
        if isinstance(statement, DEFINITIONS):
            nested, declared = True, _declared_global(statement)
        pending.extend((child, nested, declared) for child in _blocks(statement))


def _blocks(statement: ast.stmt) -> list[ast.stmt]:
    """The statements directly inside a compound statement."""
    found: list[ast.stmt] = []
    for block in (getattr(statement, name, None) for name in ("body", "orelse", "finalbody")):
        if isinstance(block, list):
            found.extend(child for child in block if isinstance(child, ast.stmt))
    for handler in getattr(statement, "handlers", ()):
        found.extend(handler.body)
    for case in getattr(statement, "cases", ()):
        found.extend(case.body)
    return found


def _declared_global(definition: ast.stmt) -> frozenset[str]:
    if isinstance(definition, ast.ClassDef):
        return frozenset()
    names: set[str] = set()
    pending = _blocks(definition)
    while pending:
        statement = pending.pop()
        if isinstance(statement, ast.Global):
            names.update(statement.names)
        elif not isinstance(statement, DEFINITIONS):
            pending.extend(_blocks(statement))
    return frozenset(names)


@dataclass
class Scope:
    """The names one scope binds (``local``) and what its imports bind them to."""

    is_class: bool
    local: set[str] = field(default_factory=set)
    imports: dict[str, set[str]] = field(default_factory=dict)


class Resolver:
    """Resolves the names of one file; ``scopes``: the functions, classes and comprehensions
    around a name, outermost first (the module's own scope is always the last one asked).

    ``bound``: the names the file binds other than by import (assigned, parameters, functions,
    classes, ``except ... as``, ``global``), as a full walk of it finds them; ``found_imports``:
    what ``imports(tree)`` gives. A name bound only by module-level imports is resolved from them
    directly; only the others pay for building the scopes around them.
    """

    def __init__(
        self,
        tree: ast.Module,
        package: str,
        bound: set[str],
        found_imports: Sequence[tuple[Import, bool, frozenset[str]]],
    ) -> None:
        self.tree = tree
        self.package = package
        self.rebound = set(bound)
        self.module_imports: dict[str, set[str]] = {}
        for statement, nested, declared in found_imports:
            for name, qualified in import_bindings(statement, package):
                if nested:
                    self.rebound.add(name)
                if not nested or name in declared:
                    self.module_imports.setdefault(name, set()).add(qualified)
        self._scopes: dict[ast.AST, Scope] = {}

    def qualified(self, node: ast.expr, scopes: Sequence[ast.AST]) -> set[str]:
        """The fully qualified names ``node`` (a name or a dotted name) may stand for."""
        if isinstance(node, ast.Name):
            return self.resolve(node.id, scopes)
        if isinstance(node, ast.Attribute):
            return {f"{base}.{node.attr}" for base in self.qualified(node.value, scopes)}
        return set()

    def resolve(self, name: str, scopes: Sequence[ast.AST]) -> set[str]:
        if name not in self.rebound:
            return self.module_imports.get(name) or ({f"builtins.{name}"} if hasattr(builtins, name) else set())
        for node in (*reversed(scopes), self.tree):
            scope = self._scopes.get(node) or self._scope(node)
            if scope.is_class and node is not scopes[-1]:
                continue  # a class body's names are not visible in its methods
            if name in scope.local:
                return scope.imports.get(name, set())
        return {f"builtins.{name}"} if hasattr(builtins, name) else set()

    def _scope(self, node: ast.AST) -> Scope:
        scope = self._scopes[node] = _scope(node, self.package)
        if node is self.tree:  # with what functions import into it under ``global``
            scope.local.update(self.module_imports)
            scope.imports = self.module_imports
        return scope


def _scope(node: ast.AST, package: str) -> Scope:
    scope = Scope(isinstance(node, ast.ClassDef))
    declared: set[str] = set()
    if isinstance(node, FUNCTIONS):
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
        scope.local.update(argument.arg for argument in every if argument is not None)
    for child in _own_nodes(node):
        if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
            scope.local.add(child.id)
        elif isinstance(child, DEFINITIONS):
            scope.local.add(child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            for bound, qualified in import_bindings(child, package):
                scope.local.add(bound)
                scope.imports.setdefault(bound, set()).add(qualified)
        elif isinstance(child, (ast.Global, ast.Nonlocal)):
            declared.update(child.names)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            scope.local.add(child.name)
    scope.local -= declared
    return scope


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one scope: nested functions, classes and comprehensions are not entered."""
    if isinstance(scope, COMPREHENSIONS):
        pending = list(ast.iter_child_nodes(scope))
    elif isinstance(scope, ast.Lambda):
        pending = [scope.body]
    else:
        pending = list(getattr(scope, "body", []))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, SCOPES):
            pending.extend(ast.iter_child_nodes(node))
