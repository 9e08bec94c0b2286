"""Infer what a never-written name must be (class, function...) from how the project uses it.

A stub has to survive the import that failed and whatever runs at import time afterwards (class
statements subclassing it, decorators), so its shape comes from the importing code. Every project
file that imports the name from the module is read statically with LibCST; nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional, Union

import libcst as cst
from libcst.helpers import ModuleNameAndPackage
from libcst.metadata import FullyQualifiedNameProvider, MetadataWrapper, ParentNodeProvider, PositionProvider

from collect_fix.project import Project

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
# Uses at import time that no stub survives: a stub class or function has no items or
# attributes, and None is no argument for parametrize. Use -> the kinds it defeats.
_FATAL_AT_IMPORT = {
    "iterated": None,  # every kind
    "unpacked": None,
    "subscripted": None,
    "attribute read": None,
    "passed to a decorator": frozenset({"constant"}),
}

Reference = Union[cst.Name, cst.Attribute]


@dataclass(frozen=True)
class ImportTimeUse:
    """A use of the name evaluated while ``path`` (project-relative) is imported."""

    path: str
    line: int
    use: str  # "iterated" | "unpacked" | "subscripted" | "attribute read" | "passed to a decorator"

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


def import_time_blockers(project: Project, module: str, name: str, kind: str) -> list[ImportTimeUse]:
    """Uses evaluated at import time that a ``kind`` stub of ``module.name`` cannot survive.

    ``@pytest.mark.parametrize("case", CASES)`` with ``CASES = None`` fails collection as surely
    as the missing name did: such a name needs its real value, not a stub.
    """
    found: list[ImportTimeUse] = []
    for path, usage in _visits(project, module, name):
        relative = project.relative(path)
        for line, use in usage.at_import:
            defeated = _FATAL_AT_IMPORT[use]
            if defeated is None or kind in defeated:
                found.append(ImportTimeUse(relative, line, use))
    return sorted(set(found), key=lambda use: (use.path, use.line, use.use))


def _visits(project: Project, module: str, name: str) -> Iterator[tuple[Path, _FileUsage]]:
    """What every project file (but ``module``'s own) mentioning ``name`` does with it."""
    target = f"{module}.{name}"
    own_file = project.module_file(module)
    needle = name.encode()
    for path in project.python_files():
        if own_file is not None and path.resolve() == own_file.resolve():
            continue
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if needle in source:
            usage = _file_usage(source, target, project.module_name(path), path.name == "__init__.py")
            if usage is not None:
                yield path, usage


def imported_with(project: Project, module: str, name: str) -> frozenset[str]:
    """Other names imported from ``module`` in the same statements as ``name``.

    Importers that ask for both ``Old`` and ``New`` show that ``New`` did not replace ``Old``.
    """
    needle = name.encode()
    found: set[str] = set()
    for path in project.python_files():
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if needle not in source:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        own = project.module_name(path) or ""
        package = own if path.name == "__init__.py" else own.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and _absolute(node, package) == module:
                names = {alias.name for alias in node.names}
                if name in names:
                    found |= names - {name, "*"}
    return frozenset(found)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if node.level == 0:
        return node.module or ""
    parts = package.split(".") if package else []
    base = parts[: max(len(parts) - (node.level - 1), 0)]
    return ".".join([*base, node.module] if node.module else base)


def file_usages(source: bytes, target: str, module_name: Optional[str], is_package: bool = False) -> set[str]:
    """The uses of the fully qualified ``target`` in one file; unparsable files use nothing."""
    usage = _file_usage(source, target, module_name, is_package)
    return set(usage.found) if usage is not None else set()


@dataclass(frozen=True)
class _FileUsage:
    """What one file does with the target: the visitor's findings, frozen so they can be cached."""

    found: frozenset[str]
    at_import: tuple[tuple[int, str], ...]  # (line, use) evaluated when the file is imported


_NOTHING = _FileUsage(frozenset(), ())


# Keyed on the content, not the path: each pipeline round has a new Project but mostly the same
# files, and LibCST's name resolution over a long test file costs seconds.
@lru_cache(maxsize=256)
def _file_usage(source: bytes, target: str, module_name: Optional[str], is_package: bool) -> Optional[_FileUsage]:
    if not _may_refer_to(source, target, module_name):
        return _NOTHING
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None
    name = module_name or "__main__"
    package = name if is_package else name.rpartition(".")[0]
    wrapper = MetadataWrapper(tree, cache={FullyQualifiedNameProvider: ModuleNameAndPackage(name, package)})
    visitor = _UsageVisitor(target)
    wrapper.visit(visitor)
    return _FileUsage(frozenset(visitor.uses()), tuple(visitor.at_import))


def _may_refer_to(source: bytes, target: str, module_name: Optional[str]) -> bool:
    """Whether any name in the file can resolve to ``target``; a cheap ``ast`` pass that errs on yes.

    Resolving names with LibCST is the slow part, and most files that mention the name reach a
    different ``module.name`` (``import pkg as p; p.name`` is not ``pkg.mod.name``). A reference
    resolves to ``target`` only through an import binding a prefix of it followed by attribute
    reads of the rest, through the file's own definitions, or through builtins.
    """
    own = module_name or "__main__"
    if _under(target, own) or _under(target, "builtins"):
        return True
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return True  # LibCST decides
    words: set[str] = set()
    bound: list[str] = []  # qualified names the file's imports bind
    relative = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                words.update(parts)
                if alias.asname is not None:
                    bound.append(alias.name)
                else:
                    bound.extend(".".join(parts[: index + 1]) for index in range(len(parts)))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                relative = True
            base = node.module or ""
            words.update(base.split("."))
            for alias in node.names:
                words.add(alias.name)
                if not node.level:
                    bound.append(base if alias.name == "*" else f"{base}.{alias.name}")
    if relative and target.rpartition(".")[2] in words:
        return True
    return any(_under(target, prefix) and set(target[len(prefix) + 1 :].split(".")) <= words | {""}
               for prefix in bound)


def _under(target: str, prefix: str) -> bool:
    return target == prefix or target.startswith(prefix + ".")


class _UsageVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider, ParentNodeProvider, PositionProvider)

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.found: set[str] = set()
        self.at_import: list[tuple[int, str]] = []  # (line, use) evaluated when the file is imported
        self.instances: set[str] = set()  # variables bound to ``target(...)``
        self.attribute_owners: set[str] = set()  # variables whose attributes are read

    def uses(self) -> set[str]:
        if self.instances & self.attribute_owners:
            return self.found | {"instance attribute"}
        return set(self.found)

    def _is_target(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return False
        names = self.get_metadata(FullyQualifiedNameProvider, node, set())
        return any(qualified.name == self.target for qualified in names)

    def _qualified(self, node: cst.CSTNode) -> set[str]:
        return {qualified.name for qualified in self.get_metadata(FullyQualifiedNameProvider, node, set())}

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if any(self._is_target(base.value) for base in node.bases):
            self.found.add("subclassed")

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if self._is_target(node.decorator):
            self.found.add("decorator")
        elif isinstance(node.decorator, cst.Call) and self._is_target(node.decorator.func):
            self.found.add("decorator factory")  # ``@requires("pg")``: its result decorates

    def visit_Name(self, node: cst.Name) -> None:
        self._check_import_time(node)

    def _check_import_time(self, node: Reference) -> None:
        if not self._is_target(node):
            return
        use = self._import_time_use(node)
        if use is not None and self._at_import(node):
            self.at_import.append((self.get_metadata(PositionProvider, node).start.line, use))

    def _import_time_use(self, node: Reference) -> Optional[str]:
        """What the expression around ``node`` does with it that a stub value cannot bear."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return "iterated"
        if isinstance(parent, cst.ComparisonTarget) and isinstance(parent.operator, (cst.In, cst.NotIn)):
            return "iterated"
        if isinstance(parent, (cst.StarredElement, cst.StarredDictElement)):
            return "unpacked"
        if isinstance(parent, cst.Arg) and parent.star:
            return "unpacked"
        if isinstance(parent, cst.Assign) and parent.value is node:
            if any(isinstance(target.target, (cst.Tuple, cst.List)) for target in parent.targets):
                return "unpacked"
        if isinstance(parent, cst.Subscript) and parent.value is node:
            return "subscripted"
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return "attribute read"
        if isinstance(parent, cst.Arg) and self._decorates(parent):
            return "passed to a decorator"
        return None

    def _decorates(self, argument: cst.Arg) -> bool:
        """Whether ``argument`` goes to a decorator or to ``parametrize`` (``pytestmark = ...``)."""
        call = self.get_metadata(ParentNodeProvider, argument, None)
        if isinstance(call, cst.Call) and any(name.endswith(".parametrize") for name in self._qualified(call.func)):
            return True
        node: Optional[cst.CSTNode] = call
        while node is not None and not isinstance(node, (cst.BaseStatement, cst.BaseSmallStatement)):
            if isinstance(node, cst.Decorator):
                return True
            node = self.get_metadata(ParentNodeProvider, node, None)
        return False

    def _at_import(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is evaluated when its module loads: not inside a function or lambda body."""
        child, parent = node, self.get_metadata(ParentNodeProvider, node, None)
        while parent is not None:
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)) and child is parent.body:
                return False
            child, parent = parent, self.get_metadata(ParentNodeProvider, parent, None)
        return True

    def visit_WithItem(self, node: cst.WithItem) -> None:
        item = node.item.func if isinstance(node.item, cst.Call) else node.item
        if self._is_target(item):
            self.found.add("with")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._check_import_time(node)
        if self._is_target(node.value):
            self.found.add("attribute")
        elif isinstance(node.value, cst.Call) and self._is_target(node.value.func):
            self.found.add("instance attribute")
        elif isinstance(node.value, cst.Name):
            self.attribute_owners.add(node.value.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        if isinstance(node.value, cst.Call) and self._is_target(node.value.func):
            self.instances.update(
                target.target.value for target in node.targets if isinstance(target.target, cst.Name)
            )

    def visit_Call(self, node: cst.Call) -> None:
        if {"builtins.isinstance", "builtins.issubclass"} & self._qualified(node.func) and len(node.args) >= 2:
            classes = node.args[1].value
            candidates = [element.value for element in classes.elements] if isinstance(classes, cst.Tuple) else [classes]
            if any(self._is_target(candidate) for candidate in candidates):
                self.found.add("isinstance")
        if not self._is_target(node.func):
            return
        self.found.add("called")
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Await):
            self.found.add("awaited")
        elif isinstance(parent, cst.Arg):
            runner = self.get_metadata(ParentNodeProvider, parent, None)
            if isinstance(runner, cst.Call) and any(
                name.startswith(_ASYNC_RUNNERS) for name in self._qualified(runner.func)
            ):
                self.found.add("awaited")

