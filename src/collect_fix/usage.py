"""Infer what a never-written name must be (class, function...) from how the project uses it.

A stub has to survive the import that failed and whatever runs at import time afterwards (class
statements subclassing it, decorators), so its shape comes from the importing code. Every project
file that imports the name from the module is read statically with LibCST; nothing is imported.
"""

from __future__ import annotations

import ast
from typing import Optional, Union

import libcst as cst
from libcst.metadata import FullyQualifiedNameProvider, MetadataWrapper, ParentNodeProvider
from libcst.helpers import ModuleNameAndPackage

from collect_fix.project import Project

# What each way of using a name says about it; the kinds are tried in this order.
_CLASS_USES = frozenset({"subclassed", "isinstance", "with", "attribute", "instance attribute"})
_ORDER = (
    ("class", _CLASS_USES),
    ("async_function", frozenset({"awaited"})),
    ("decorator", frozenset({"decorator"})),
    ("function", frozenset({"called"})),
)
_ASYNC_RUNNERS = ("asyncio.",)

Reference = Union[cst.Name, cst.Attribute]


def infer_stub_kind(project: Project, module: str, name: str) -> str:
    """"class" | "function" | "async_function" | "decorator" | "constant" for ``module.name``."""
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
    target = f"{module}.{name}"
    own_file = project.module_file(module)
    needle = name.encode()
    found: set[str] = set()
    for path in project.python_files():
        if own_file is not None and path.resolve() == own_file.resolve():
            continue
        try:
            source = path.read_bytes()
        except OSError:
            continue
        if needle in source:
            found |= file_usages(source, target, project.module_name(path), path.name == "__init__.py")
    return frozenset(found)


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
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return set()
    name = module_name or "__main__"
    package = name if is_package else name.rpartition(".")[0]
    wrapper = MetadataWrapper(tree, cache={FullyQualifiedNameProvider: ModuleNameAndPackage(name, package)})
    visitor = _UsageVisitor(target)
    wrapper.visit(visitor)
    return visitor.uses()


class _UsageVisitor(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider, ParentNodeProvider)

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.found: set[str] = set()
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

    def visit_WithItem(self, node: cst.WithItem) -> None:
        item = node.item.func if isinstance(node.item, cst.Call) else node.item
        if self._is_target(item):
            self.found.add("with")

    def visit_Attribute(self, node: cst.Attribute) -> None:
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

