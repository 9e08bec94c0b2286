"""Infer what a never-written name must be (class, function...) from how the project uses it.

A stub has to survive the import that failed and whatever runs at import time afterwards (class
statements subclassing it, decorators, ``store = Store()``), so its shape comes from the
importing code. Every project file mentioning the name is read statically with ``ast``; nothing
is imported. A reference is resolved through the file's own imports, scope by scope (a parameter
or local variable of the same name hides an import), relative imports by the standard library's
``importlib.util.resolve_name`` (see ``name_resolution``). LibCST's qualified-name provider gave
the same answers in 19 s to 40 s on a 6,000-line test file; ``ast`` takes 0.14 s to 0.6 s (machine
load), most of it the parse (``bench/bench_usage.py``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Union

from collect_fix.name_resolution import (
    COMPREHENSIONS,
    DEFINITIONS,
    FUNCTIONS,
    SCOPES,
    Resolver,
    from_module,
    import_bindings,
    imports,
    package_of,
)
from collect_fix.project import Project
from collect_fix.source_trees import tree_of

# What each way of using a name says about it; the kinds are tried in this order.
_CLASS_USES = frozenset({"subclassed", "isinstance", "with", "attribute", "instance attribute"})
_ORDER = (
    ("class", _CLASS_USES),
    ("async_function", frozenset({"awaited"})),
    ("decorator_factory", frozenset({"decorator factory"})),
    ("decorator", frozenset({"decorator"})),
    ("function", frozenset({"called"})),
)
_ASYNC_RUNNERS = ("asyncio.",)
# At import time a stub can be called (a class built), subclassed, used as a decorator or in
# ``with``, and passed around; every other use of it, or of what calling it returned, raises.
# Use -> the kinds it defeats (None: every kind). Uses not listed here every stub survives.
_CALLABLE_KINDS = frozenset({"class", "function", "async_function"})
_FATAL_AT_IMPORT: dict[str, Optional[frozenset[str]]] = {
    "iterated": None,
    "unpacked": None,
    "subscripted": None,
    "attribute read": None,
    "awaited": None,
    # a class or function is true, equal to itself and printable; a stub constant is not
    "passed to a decorator": frozenset({"constant"}),
    "truth-tested": frozenset({"constant"}),
    "compared": frozenset({"constant"}),
    "formatted": frozenset({"constant"}),
    "operated on": frozenset({"constant"}),
    **{f"result {use}": _CALLABLE_KINDS for use in (
        "iterated", "unpacked", "subscripted", "attribute read", "awaited", "truth-tested", "compared",
        "formatted", "operated on",
    )},
}
# Nodes that never hold a name: not worth a visit.
_LEAVES = frozenset(
    {ast.Constant, ast.Pass, ast.Break, ast.Continue}
    | {kind for base in (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop) for kind in base.__subclasses__()}
)
_BINDS_ITS_NAME = (*DEFINITIONS, ast.ExceptHandler)

Reference = Union[ast.Name, ast.Attribute]


@dataclass(frozen=True)
class ImportTimeUse:
    """A use of the name evaluated while ``path`` (project-relative) is imported."""

    path: str
    line: int
    use: str  # "called", "subclassed", "with", "decorator"... or one of _FATAL_AT_IMPORT

    def __str__(self) -> str:
        return f"{self.use} at {self.path}:{self.line}"


def infer_stub_kind(project: Project, module: str, name: str) -> str:
    """"class" | "function" | "async_function" | "decorator" | "decorator_factory" | "constant"."""
    return infer_usage(project, module, name)[0]


def infer_usage(project: Project, module: str, name: str) -> tuple[str, str]:
    """The stub kind and the uses that decided it, e.g. ("class", "subclassed, called")."""
    uses = usages(project, module, name)
    for kind, telling in _ORDER:
        if uses & telling:
            return kind, ", ".join(sorted(uses))
    return "constant", ", ".join(sorted(uses)) or "no call, subclass, await or decorator use"


def usages(project: Project, module: str, name: str) -> frozenset[str]:
    """Every way project files use ``module.name``: called, awaited, subclassed, decorator..."""
    found: set[str] = set()
    for _, usage in _visits(project, module, name):
        found |= usage.found
    return frozenset(found)


def import_time_uses(project: Project, module: str, name: str) -> list[ImportTimeUse]:
    """Every use of ``module.name`` evaluated while a project file is imported, by path and line."""
    found = {
        ImportTimeUse(project.relative(path), line, use)
        for path, usage in _visits(project, module, name)
        for line, use in usage.at_import
    }
    return sorted(found, key=lambda use: (use.path, use.line, use.use))


def import_time_blockers(project: Project, module: str, name: str, kind: str) -> list[ImportTimeUse]:
    """Uses evaluated at import time that a ``kind`` stub of ``module.name`` cannot survive.

    ``@pytest.mark.parametrize("case", CASES)`` with a stub ``CASES`` fails collection as surely
    as the missing name did: such a name needs its real value, not a stub.
    """
    return [
        use for use in import_time_uses(project, module, name)
        if use.use in _FATAL_AT_IMPORT and _defeats(_FATAL_AT_IMPORT[use.use], kind)
    ]


def _defeats(kinds: Optional[frozenset[str]], kind: str) -> bool:
    return kinds is None or kind in kinds


def imported_with(project: Project, module: str, name: str) -> frozenset[str]:
    """Other names imported from ``module`` in the same statements as ``name``.

    Importers that ask for both ``Old`` and ``New`` show that ``New`` did not replace ``Old``.
    """
    found: set[str] = set()
    for path in project.files_mentioning(name):
        source = project.source(path)
        tree = _parse(source) if source is not None else None
        if tree is None:
            continue
        package = package_of(project.module_name(path), path.name == "__init__.py")
        for node, _, _ in imports(tree):
            if isinstance(node, ast.ImportFrom) and from_module(node, package) == module:
                names = {alias.name for alias in node.names}
                if name in names:
                    found |= names - {name, "*"}
    return frozenset(found)


def file_usages(source: bytes, target: str, module_name: Optional[str], is_package: bool = False) -> set[str]:
    """The uses of the fully qualified ``target`` in one file; unparsable files use nothing."""
    usage = _file_usage(source, target, module_name, is_package)
    return set(usage.found) if usage is not None else set()


def _visits(project: Project, module: str, name: str) -> Iterator[tuple[Path, _FileUsage]]:
    """What every project file (but ``module``'s own) mentioning ``name`` does with it."""
    target = f"{module}.{name}"
    own_file = project.module_file(module)
    own = own_file.resolve() if own_file is not None else None
    for path in project.files_mentioning(name):
        if own is not None and path.name == own.name and path.resolve() == own:  # resolve only namesakes
            continue
        source = project.source(path)
        if source is not None:
            usage = _file_usage(source, target, project.module_name(path), path.name == "__init__.py")
            if usage is not None:
                yield path, usage


@dataclass(frozen=True)
class _FileUsage:
    """What one file does with the target, frozen so it can be cached."""

    found: frozenset[str]
    at_import: tuple[tuple[int, str], ...]  # (line, use) evaluated when the file is imported


_NOTHING = _FileUsage(frozenset(), ())


# Keyed on the content, not the path: each pipeline round has a new Project but mostly the same files.
@lru_cache(maxsize=256)
def _file_usage(source: bytes, target: str, module_name: Optional[str], is_package: bool) -> Optional[_FileUsage]:
    tree = _parse(source)
    if tree is None:
        return None
    package = package_of(module_name, is_package)
    found_imports = list(imports(tree))
    # Only names some import binds to the target, or to a module on its path, can reach it.
    candidates = {
        bound for node, _, _ in found_imports for bound, qualified in import_bindings(node, package)
        if target == qualified or target.startswith(qualified + ".")
    }
    if not candidates:
        return _NOTHING
    finder = _UsageFinder(target, candidates)
    try:
        finder.visit(tree, at_import=True, decorating=False)
    except RecursionError:
        return None  # absurdly nested code: say nothing rather than guess
    finder.judge(Resolver(tree, package, finder.bound, found_imports))
    return _FileUsage(frozenset(finder.uses()), tuple(finder.at_import))


def _parse(source: bytes) -> Optional[ast.Module]:
    return tree_of(source)  # parsed once per content for the whole run


@dataclass(frozen=True)
class _Reference:
    """A name or dotted name that may stand for the target, and what surrounds it."""

    node: Reference
    around: tuple[ast.AST, ...]  # parent, grandparent, great-grandparent
    scopes: tuple[ast.AST, ...]  # the functions, classes, comprehensions around it, outermost first
    at_import: bool  # evaluated when the file is imported
    decorating: bool  # inside a decorator expression


class _UsageFinder:
    """Walks a file once, keeping the references that may be the target; ``judge`` reads them.

    Names are resolved after the walk, when every binding in the file is known: a function that
    assigns a name anywhere makes it local everywhere in the function.
    """

    def __init__(self, target: str, candidates: set[str]) -> None:
        self.target = target
        self.last = target.rpartition(".")[2]
        self.candidates = candidates
        self.references: list[_Reference] = []
        self.bound: set[str] = set()  # names bound other than by imports
        self.found: set[str] = set()
        self.at_import: list[tuple[int, str]] = []
        self.instances: set[str] = set()  # variables bound to ``target(...)``
        self.attribute_owners: set[str] = set()  # variables whose attributes are read
        self.ancestors: list[ast.AST] = []
        self.scopes: list[ast.AST] = []
        self.resolver: Optional[Resolver] = None

    def uses(self) -> set[str]:
        if self.instances & self.attribute_owners:
            return self.found | {"instance attribute"}
        return set(self.found)

    def visit(self, node: ast.AST, at_import: bool, decorating: bool) -> None:
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name):
                self.attribute_owners.add(node.value.id)
            if node.attr == self.last and isinstance(node.ctx, ast.Load) and self._root(node) in self.candidates:
                self._keep(node, at_import, decorating)
                return
        elif isinstance(node, _BINDS_ITS_NAME) and node.name:
            self.bound.add(node.name)
        elif isinstance(node, ast.arg):
            self.bound.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            self.bound.update(node.names)
        special = isinstance(node, (*SCOPES, ast.If))
        self.ancestors.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            child_at_import, child_decorating, inner = at_import, decorating, False
            if special:
                inner = isinstance(node, COMPREHENSIONS) or name == "body" and not isinstance(node, ast.If)
                runs_later = isinstance(node, FUNCTIONS) or isinstance(node, ast.If) and _never_runs_on_import(node)
                child_at_import = at_import and not (name == "body" and runs_later)
                child_decorating = name == "decorator_list" or decorating and name != "body"
            if inner:
                self.scopes.append(node)
            for child in value if isinstance(value, list) else (value,):
                if type(child) is ast.Name:
                    if not isinstance(child.ctx, ast.Load):
                        self.bound.add(child.id)
                    elif child.id in self.candidates:
                        self._keep(child, child_at_import, child_decorating)
                elif isinstance(child, ast.AST) and type(child) not in _LEAVES:
                    self.visit(child, child_at_import, child_decorating)
            if inner:
                self.scopes.pop()
        self.ancestors.pop()

    def _keep(self, node: Reference, at_import: bool, decorating: bool) -> None:
        around = tuple(reversed(self.ancestors[-3:]))
        self.references.append(_Reference(node, around, tuple(self.scopes), at_import, decorating))

    @staticmethod
    def _root(node: ast.Attribute) -> Optional[str]:
        value: ast.expr = node
        while isinstance(value, ast.Attribute):
            value = value.value
        return value.id if isinstance(value, ast.Name) else None

    def judge(self, resolver: Resolver) -> None:
        """Record what the file does with every kept reference that stands for the target."""
        self.resolver = resolver
        for reference in self.references:
            if self.target in resolver.qualified(reference.node, reference.scopes):
                self._found(reference)

    def _qualified(self, node: ast.expr, reference: _Reference) -> set[str]:
        assert self.resolver is not None
        return self.resolver.qualified(node, reference.scopes)

    # What the code around a reference does with it -------------------------------------------

    def _found(self, reference: _Reference) -> None:
        node = reference.node
        parent, grandparent = (*reference.around, None)[:2]
        assert parent is not None
        use: Optional[str] = None
        if isinstance(parent, ast.ClassDef) and _contains(parent.bases, node):
            use = "subclassed"
        elif isinstance(parent, DEFINITIONS) and _contains(parent.decorator_list, node):
            use = "decorator"
        elif isinstance(parent, ast.withitem) and parent.context_expr is node:
            use = "with"
        elif isinstance(parent, ast.Attribute) and parent.value is node:
            self.found.add("attribute")
        elif isinstance(parent, ast.Call) and parent.func is node:
            use = self._called(parent, reference)
        if self._in_isinstance(node, parent, grandparent, reference):
            self.found.add("isinstance")
        if use is not None:
            self.found.add(use)
        else:
            use = self._value_use(node, parent, grandparent, reference, reference.decorating)
        if use is not None and reference.at_import:
            self.at_import.append((node.lineno, use))

    def _called(self, call: ast.Call, reference: _Reference) -> str:
        """Record what is done with ``target(...)``; the use to record for the call itself."""
        parent, grandparent = (*reference.around[1:], None, None)[:2]
        self.found.add("called")
        use = "called"
        if isinstance(parent, ast.Await) or isinstance(parent, ast.Call) and _contains(parent.args, call) and any(
            name.startswith(_ASYNC_RUNNERS) for name in self._qualified(parent.func, reference)
        ):
            use = "awaited"
        elif isinstance(parent, DEFINITIONS) and _contains(parent.decorator_list, call):
            use = "decorator factory"  # ``@requires("pg")``: its result decorates
        elif isinstance(parent, ast.withitem):
            use = "with"
        elif isinstance(parent, ast.Attribute) and parent.value is call:
            self.found.add("instance attribute")
        elif isinstance(parent, ast.Assign) and parent.value is call:
            self.instances.update(target.id for target in parent.targets if isinstance(target, ast.Name))
        if reference.at_import and parent is not None:
            result = f"result {self._value_use(call, parent, grandparent, reference, decorating=False)}"
            if result in _FATAL_AT_IMPORT:
                self.at_import.append((call.lineno, result))
        return use

    def _in_isinstance(
        self, node: Reference, parent: ast.AST, grandparent: Optional[ast.AST], reference: _Reference
    ) -> bool:
        call, classes = (grandparent, parent) if isinstance(parent, ast.Tuple) else (parent, node)
        return (
            isinstance(call, ast.Call) and len(call.args) >= 2 and call.args[1] is classes
            and bool({"builtins.isinstance", "builtins.issubclass"} & self._qualified(call.func, reference))
        )

    def _value_use(
        self, node: ast.expr, parent: ast.AST, grandparent: Optional[ast.AST], reference: _Reference, decorating: bool
    ) -> Optional[str]:
        """What the expression around ``node`` does with its value that a stub value cannot bear."""
        if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is node:
            return "iterated"
        if isinstance(parent, ast.Compare):
            return _compared(node, parent)
        if isinstance(parent, ast.Starred) or isinstance(parent, ast.keyword) and parent.arg is None:
            return "unpacked"
        if isinstance(parent, ast.Dict) and any(key is None and value is node for key, value in zip(parent.keys, parent.values)):
            return "unpacked"
        if isinstance(parent, ast.Assign) and parent.value is node and any(
            isinstance(target, (ast.Tuple, ast.List)) for target in parent.targets
        ):
            return "unpacked"
        if isinstance(parent, ast.Subscript) and parent.value is node:
            return "subscripted"
        if isinstance(parent, ast.Attribute):
            return "attribute read"
        if isinstance(parent, (ast.If, ast.While, ast.IfExp, ast.Assert)) and parent.test is node:
            return "truth-tested"
        if isinstance(parent, ast.BoolOp) or isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.Not):
            return "truth-tested"
        if isinstance(parent, (ast.BinOp, ast.UnaryOp, ast.AugAssign)):
            return "operated on"
        if isinstance(parent, ast.FormattedValue) and parent.value is node:
            return "formatted"
        if isinstance(parent, ast.Await):
            return "awaited"
        call = grandparent if isinstance(parent, ast.keyword) else parent
        if isinstance(call, ast.Call) and call.func is not node:
            called = self._qualified(call.func, reference)
            if called & {"builtins.str", "builtins.print", "builtins.format"}:
                return "formatted"
            if decorating or any(name.endswith(".parametrize") for name in called):
                return "passed to a decorator"
        return None


def _never_runs_on_import(node: ast.If) -> bool:
    """``if __name__ == "__main__":`` and ``if TYPE_CHECKING:`` bodies do not run on import."""
    test = node.test
    if isinstance(test, (ast.Name, ast.Attribute)):
        return (test.id if isinstance(test, ast.Name) else test.attr) == "TYPE_CHECKING"
    return (
        isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
        and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _compared(node: ast.expr, compare: ast.Compare) -> Optional[str]:
    """``X in Y`` iterates Y and compares X; ``is`` touches neither."""
    operands = [compare.left, *compare.comparators]
    index = next(index for index, operand in enumerate(operands) if operand is node)
    if index > 0 and isinstance(compare.ops[index - 1], (ast.In, ast.NotIn)):
        return "iterated"
    if all(isinstance(op, (ast.Is, ast.IsNot)) for op in compare.ops[max(index - 1, 0) : index + 1]):
        return None
    return "compared"


def _contains(nodes: list[ast.expr], node: ast.AST) -> bool:
    return any(candidate is node for candidate in nodes)
