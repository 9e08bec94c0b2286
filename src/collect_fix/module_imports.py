"""Every static import of the project's modules, and what each importer takes from them.

A missing module is repaired once for all of its importers, so the whole tree is read (tests,
conftests, source), not only the file in the first traceback. Static only: the project is never
imported, and a file that does not parse is left out rather than guessed at.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Optional

from collect_fix import source_trees
from collect_fix.project import Project


# What the import system gives every module object: read off a module, never a name it must bind.
MODULE_ATTRIBUTES = frozenset({"__name__", "__doc__", "__file__", "__dict__", "__spec__", "__loader__", "__package__",
                               "__path__", "__cached__", "__builtins__", "__class__", "__annotations__"})
# Of those, what only a module has: read off a binding, it says the binding is a module (a class
# and a function have a ``__name__`` and a ``__doc__`` too).
ONLY_MODULES_HAVE = frozenset({"__file__", "__spec__", "__loader__", "__package__", "__path__", "__cached__",
                               "__builtins__"})


@dataclass(frozen=True)
class ModuleImports:
    """How the project uses one dotted module.

    ``names``: what importers take from it (``from m import a``, ``m.a``, ``alias.a``).
    ``importers``: project-relative paths of the files that import it.
    ``as_module``: files whose use proves it is a module (imported as one, or attributes read
    off the binding of ``from pkg import m``).
    ``not_as_module``: files that call, subclass or decorate with the ``from pkg import m``
    binding, i.e. treat it as a function or class rather than a module.
    ``starred``: files that take everything it exports (``from m import *``).
    """

    module: str
    names: frozenset[str] = frozenset()
    importers: frozenset[str] = frozenset()
    as_module: frozenset[str] = frozenset()
    not_as_module: frozenset[str] = frozenset()
    starred: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProjectImports:
    """The result of one scan: definite imports, plus ``from pkg import x`` that may be modules.

    ``from pkg import x`` only says ``x`` is a name of ``pkg``; it is counted as an import of the
    module ``pkg.x`` when asked about ``pkg.x`` by name, never when listing modules under ``pkg``.
    """

    definite: dict[str, ModuleImports] = field(default_factory=dict)
    possible: dict[str, ModuleImports] = field(default_factory=dict)

    def get(self, module: str) -> ModuleImports:
        """Everything known about ``module``, merged from both kinds of import."""
        parts = [found for found in (self.definite.get(module), self.possible.get(module)) if found]
        return ModuleImports(
            module,
            names=frozenset().union(*(part.names for part in parts)),
            importers=frozenset().union(*(part.importers for part in parts)),
            as_module=frozenset().union(*(part.as_module for part in parts)),
            not_as_module=frozenset().union(*(part.not_as_module for part in parts)),
            starred=frozenset().union(*(part.starred for part in parts)),
        )

    def under(self, module: str) -> tuple[str, ...]:
        """Sorted modules imported as modules that are ``module`` or inside it."""
        return tuple(sorted(name for name in self.definite if name == module or name.startswith(module + ".")))


@lru_cache(maxsize=2)  # keyed by the Project snapshot (compared by identity): once per round
def scan(project: Project) -> ProjectImports:
    """Read every Python file of the project; never raises for the project's own code.

    Each file's findings are kept by its path, size and mtime (``_per_file``), so asking again
    after a round of repairs reads only the files the round changed.
    """
    definite: dict[str, _Accumulator] = defaultdict(_Accumulator)
    possible: dict[str, _Accumulator] = defaultdict(_Accumulator)
    for path in project.python_files():
        found = _per_file(project, path)
        if found is None:
            continue
        for target, source in ((definite, found[0]), (possible, found[1])):
            for module, record in source.items():
                target[module].add(record)
    return ProjectImports(
        {name: found.freeze(name) for name, found in definite.items()},
        {name: found.freeze(name) for name, found in possible.items()},
    )


_Found = tuple[dict[str, "_Accumulator"], dict[str, "_Accumulator"]]
_SCANNED: dict[tuple[Path, int, int, Optional[str], str], Optional[_Found]] = {}
_MAX_SCANNED = 20_000


def _per_file(project: Project, path: Path) -> Optional[_Found]:
    """One file's imports, by (path, mtime, size, package, relative path): parsed once per content."""
    try:
        status = path.stat()
    except OSError:
        return None
    relative = project.relative(path)
    package = _package_of(project, path)
    key = (path, status.st_mtime_ns, status.st_size, package, relative)
    if key not in _SCANNED:
        if len(_SCANNED) >= _MAX_SCANNED:
            _SCANNED.clear()
        try:
            tree = source_trees.tree_of(path.read_bytes())  # shared with the other planners' questions
        except OSError:
            tree = None
        if tree is None:
            _SCANNED[key] = None
        else:
            definite: dict[str, _Accumulator] = defaultdict(_Accumulator)
            possible: dict[str, _Accumulator] = defaultdict(_Accumulator)
            _FileScanner(relative, package, definite, possible).scan(tree)
            _SCANNED[key] = (dict(definite), dict(possible))
    return _SCANNED[key]


@dataclass
class _Accumulator:
    names: set[str] = field(default_factory=set)
    importers: set[str] = field(default_factory=set)
    as_module: set[str] = field(default_factory=set)
    not_as_module: set[str] = field(default_factory=set)
    starred: set[str] = field(default_factory=set)

    def add(self, other: "_Accumulator") -> None:
        self.names |= other.names
        self.importers |= other.importers
        self.as_module |= other.as_module
        self.not_as_module |= other.not_as_module
        self.starred |= other.starred

    def freeze(self, module: str) -> ModuleImports:
        return ModuleImports(
            module, frozenset(self.names), frozenset(self.importers), frozenset(self.as_module),
            frozenset(self.not_as_module), frozenset(self.starred),
        )


class _FileScanner:
    """One file: record its imports, then read every attribute taken off a module binding.

    Scopes are not tracked: a local that shadows a module binding is rare in test code, and an
    extra stub name costs less than a missing one.
    """

    def __init__(
        self,
        relative: str,
        package: Optional[str],
        definite: dict[str, _Accumulator],
        possible: dict[str, _Accumulator],
    ) -> None:
        self.relative = relative
        self.package = package
        self.definite = definite
        self.possible = possible
        self.bindings: dict[str, tuple[str, bool]] = {}  # dotted expression -> (module, definite)

    def scan(self, tree: ast.Module) -> None:
        for node in source_trees.statements(tree):
            if isinstance(node, ast.Import):
                self._import(node)
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node)
        if self.bindings:
            self._read_uses(tree)

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            record = self.definite[alias.name]
            record.importers.add(self.relative)
            record.as_module.add(self.relative)
            # ``import a.b`` binds ``a``, so ``a.b`` is the expression that denotes the module.
            self.bindings[alias.asname or alias.name] = (alias.name, True)

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = self._resolve(node)
        if base is None:
            return
        record = self.definite[base]
        record.importers.add(self.relative)
        record.as_module.add(self.relative)
        for alias in node.names:
            if alias.name == "*":
                record.starred.add(self.relative)
                continue
            record.names.add(alias.name)
            candidate = self.possible[f"{base}.{alias.name}"]
            candidate.importers.add(self.relative)
            self.bindings[alias.asname or alias.name] = (f"{base}.{alias.name}", False)

    def _resolve(self, node: ast.ImportFrom) -> Optional[str]:
        if not node.level:
            return node.module
        if self.package is None:
            return None
        parts = self.package.split(".") if self.package else []
        if node.level - 1 >= len(parts):
            return None  # beyond the top-level package: Python refuses it too
        parts = parts[: len(parts) - (node.level - 1)]
        if node.module:
            parts.append(node.module)
        return ".".join(parts)

    def _read_uses(self, tree: ast.Module) -> None:
        """Every node once, in any order (what is recorded are sets): a plain walk, without a
        NodeVisitor's method lookup and recursion per node (a 3,000-test suite has 118,000)."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                self._attribute(node)
            elif isinstance(node, ast.Call):
                self._used_as_object(node.func)
                self._getattr(node)
            elif isinstance(node, ast.ClassDef):
                for used in (*node.bases, *node.decorator_list):
                    self._used_as_object(used)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for decorator in node.decorator_list:
                    self._used_as_object(decorator)

    def _attribute(self, node: ast.Attribute) -> None:
        target = self.bindings.get(dotted_name(node.value) or "")
        if target is not None and isinstance(node.ctx, ast.Load):
            module, definite = target
            record = (self.definite if definite else self.possible)[module]
            if node.attr not in MODULE_ATTRIBUTES:  # every module has one: no name of it to provide
                record.names.add(node.attr)
            if node.attr not in MODULE_ATTRIBUTES or node.attr in ONLY_MODULES_HAVE:
                record.as_module.add(self.relative)  # ``render.__file__`` too; ``Circle.__name__`` says nothing

    def _getattr(self, node: ast.Call) -> None:
        """``getattr(module, "name")`` (a default or not) reads ``name`` as ``module.name`` does."""
        if isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            self._attribute(ast.Attribute(value=node.args[0], attr=node.args[1].value, ctx=ast.Load()))

    def _used_as_object(self, node: ast.expr) -> None:
        """A ``from pkg import x`` binding that is called, subclassed or applied: not a module."""
        if isinstance(node, ast.Name) and node.id in self.bindings:
            module, definite = self.bindings[node.id]
            if not definite:
                self.possible[module].not_as_module.add(self.relative)


def dotted_name(node: ast.expr) -> Optional[str]:
    """``a.b.c`` for attributes taken off a name, else None. A loop, as the walk is: generated
    code nests thousands deep, and recursing on it raised RecursionError (no repair planned)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _package_of(project: Project, path: Path) -> Optional[str]:
    """The package relative imports in ``path`` start from ('' for a top-level module)."""
    module = project.module_name(path)
    if module is None:
        return None
    if path.name == "__init__.py":
        return module
    return module.rpartition(".")[0]
