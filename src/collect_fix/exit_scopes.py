"""LibCST's scope rules (ScopeProvider, QualifiedNameProvider) reproduced on ``ast``.

Only what resolving an exit's name needs: scopes (global, function, class, comprehension, PEP 695
annotation, builtins), where an assignment lands (``global``/``nonlocal``), which assignments a
read may refer to (a class body is hidden from the functions in it; an assignment in the read's own
scope counts only when it ends before the read), and the qualified names each assignment gives.
The rules are LibCST's, quirks included, because the codemod that repairs an exit resolves names
that way.
"""

from __future__ import annotations

import ast
import builtins
from typing import Iterator, Optional, Union

ImportNode = Union[ast.Import, ast.ImportFrom]


class Binding:
    """An assignment of ``name`` in ``scope``: ``index`` orders it among the scope's assignments."""

    __slots__ = ("name", "scope", "index", "statement")

    def __init__(self, name: str, scope: Scope, index: int, statement: Optional[ImportNode]) -> None:
        self.name = name
        self.scope = scope
        self.index = index
        self.statement = statement  # the import that bound it; None for any other assignment

    def qualified_names(self, full_name: str) -> set[str]:
        if self.scope.kind == "builtin":
            return {f"builtins.{self.name}"}
        if self.statement is None:
            return {f"{self.scope.prefix}.{full_name}" if self.scope.prefix else full_name}
        return imported_names(self.statement, full_name)


def imported_names(statement: ImportNode, full_name: str) -> set[str]:
    """ImportAssignment.get_qualified_names_for, quirks included (every alias of the statement)."""
    module = ""
    if isinstance(statement, ast.ImportFrom):
        module = "." * statement.level + (statement.module or "")
    results: set[str] = set()
    for alias in statement.names:
        if alias.name == "*":
            continue
        parts = alias.name.split(".")
        for real_name in (".".join(parts[:i]) for i in range(len(parts), 0, -1)):
            as_name = alias.asname or real_name
            if module.endswith("."):
                real_name = f"{module}{real_name}"
            elif module:
                real_name = f"{module}.{real_name}"
            if full_name.startswith(as_name):
                remaining = full_name.split(as_name, 1)[1]
                if remaining and not remaining.startswith("."):
                    continue
                remaining = remaining.lstrip(".")
                results.add(f"{real_name}.{remaining}" if remaining else real_name)
                break
    return results


class Scope:
    """A LibCST scope: global, function, class, comprehension, annotation (PEP 695) or builtin."""

    __slots__ = ("kind", "parent", "prefix", "assignments", "count", "overwrites")
    prefix: str  # for qualified names: "" at module level, "f.<locals>", "Class" ...

    def __init__(self, kind: str, parent: Optional[Scope], name: Optional[str] = None) -> None:
        self.kind = kind
        self.parent = parent if parent is not None else self
        self.assignments: dict[str, list[Binding]] = {}
        self.count = 0
        self.overwrites: dict[str, Scope] = {}
        above = self.parent.prefix if parent is not None else ""
        parts: list[Optional[str]] = [above]  # an annotation scope is transparent
        if kind == "function":
            parts += [name, "<locals>"]
        elif kind == "class":
            parts += [name]
        elif kind == "comprehension":
            parts += ["<comprehension>"]
        self.prefix = ".".join(part for part in parts if part)

    @property
    def globals(self) -> Scope:
        scope = self
        while scope.kind != "global":
            scope = scope.parent
        return scope

    def visible_from_children(self, from_scope: Scope) -> bool:
        return self.kind != "class" or (from_scope.parent is self and from_scope.kind == "annotation")

    def next_visible_parent(self, from_scope: Scope, first: Optional[Scope] = None) -> Scope:
        parent = first if first is not None else self.parent
        while not parent.visible_from_children(from_scope):
            parent = parent.parent
        return parent

    def contains(self, name: str) -> bool:
        if self.kind == "builtin":
            return hasattr(builtins, name)
        if self.kind != "global" and name in self.overwrites:
            return self.overwrites[name].contains(name)
        if name in self.assignments:
            return True
        return self.next_visible_parent(self).contains(name)

    def resolve(self, name: str, from_scope: Scope) -> list[Binding]:
        """Every assignment ``name`` may refer to from ``from_scope`` (order ignored)."""
        if self.kind == "builtin":
            if name not in self.assignments and hasattr(builtins, name):
                self.assignments[name] = [Binding(name, self, -1, None)]
            return self.assignments.get(name, [])
        if self.kind != "global" and name in self.overwrites:
            return self.next_visible_parent(from_scope, self.overwrites[name]).resolve(name, from_scope)
        if name in self.assignments:
            return self.assignments[name]
        return self.next_visible_parent(from_scope).resolve(name, from_scope)

    def target(self, name: str) -> Scope:
        """Where an assignment of ``name`` made here lands (``global``/``nonlocal`` move it)."""
        if self.kind not in ("global", "builtin") and name in self.overwrites:
            return self.next_visible_parent(self, self.overwrites[name]).target(name)
        return self

    def record(self, name: str, statement: Optional[ImportNode] = None) -> None:
        target = self.target(name)
        target.assignments.setdefault(name, []).append(Binding(name, target, target.count, statement))

    def referents(self, name: str, index: int) -> list[Binding]:
        """Access.record_assignments: what a name read here at ``index`` refers to."""
        found = self.resolve(name, self)
        earlier = [binding for binding in found if binding.scope is not self or binding.index < index]
        if not earlier and found and self.parent is not self:
            earlier = self.parent.resolve(name, self)
        return earlier


def dotted_names(node: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    """LibCST's _gen_dotted_names: ``a.b.c`` -> ("a.b.c", node), ("a.b", ...), ("a", ...)."""
    if isinstance(node, ast.Name):
        yield node.id, node
    elif _constant_name(node) is not None:
        yield str(_constant_name(node)), node
    elif isinstance(node, ast.Attribute):
        value = node.value.func if isinstance(node.value, ast.Call) else node.value
        if not isinstance(value, (ast.Attribute, ast.Name)) and _constant_name(value) is None:
            return
        names = dotted_names(value)
        first = next(names, None)
        if first is None:
            return
        if not isinstance(node.value, ast.Call):
            yield f"{first[0]}.{node.attr}", node
        yield first
        yield from names


def full_name(node: ast.expr) -> Optional[str]:
    """LibCST's get_full_name_for_node (``None`` in the middle prints as "None", as there)."""
    if isinstance(node, ast.Name):
        return node.id
    if _constant_name(node) is not None:
        return _constant_name(node)
    if isinstance(node, ast.Attribute):
        return f"{full_name(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return full_name(node.func)
    if isinstance(node, ast.Subscript):
        return full_name(node.value)
    return None


def _constant_name(node: ast.expr) -> Optional[str]:
    """``None``, ``True`` and ``False`` are Names in LibCST."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
        return str(node.value)
    return None
