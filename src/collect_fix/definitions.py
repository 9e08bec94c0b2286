"""A static index of the project's top-level definitions, to tell where a missing name went.

Built with ``ast`` rather than rope's autoimport: both parse every file in about the same time,
but rope reports neither line numbers nor async functions, names modules from its own idea of
the source roots and would need a second pass anyway. Each file is parsed once and re-parsed only
when its size or mtime changes, so planners can ask again after every repair.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Collection, Mapping, Optional

from collect_fix import source_trees
from collect_fix.project import Project
from collect_fix.stubs import is_marked


@dataclass(frozen=True)
class Definition:
    """A name a module defines itself (not one it imports). ``path`` is project-relative posix."""

    name: str
    module: str
    path: str
    line: int
    kind: str  # "class" | "function" | "async_function" | "constant"


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int]
    module: Optional[str]
    definitions: tuple[Definition, ...]
    imports: frozenset[str]
    # The same, in the order the module's statements import them, each with whether it is certain
    # to run (a direct statement of the module, not under a top-level if or try).
    import_order: tuple[tuple[str, bool], ...] = ()


_CACHE: dict[tuple[Path, tuple[Path, ...]], dict[Path, _Entry]] = {}


def find_definitions(project: Project, name: str) -> list[Definition]:
    """Top-level definitions of ``name`` in any project module but test modules, by module name.

    Stubs and aliases collect-fix generated are not definitions: pointing a re-export or an
    import at one would hide the missing code behind another stub.
    """
    found = [
        definition
        for entry in _refresh_all(project).values()
        for definition in entry.definitions
        if definition.name == name and not is_marked(project, definition.path, definition.line)
    ]
    return sorted(found, key=lambda definition: (definition.module, definition.line))


def module_definitions(project: Project, module: str) -> list[Definition]:
    """Top-level definitions of one project module, in source order; [] when it has no file."""
    entry = _module_entry(project, module)
    return list(entry.definitions) if entry else []


def module_imports(project: Project, module: str) -> frozenset[str]:
    """Absolute names of the modules ``module`` imports at module level (not inside functions).

    ``from pkg import mod`` yields both ``pkg`` and ``pkg.mod``: statically it may be either.
    """
    entry = _module_entry(project, module)
    return entry.imports if entry else frozenset()


def imports_at_load(
    project: Project, start: str, target: str, added: Mapping[str, Collection[str]] = MappingProxyType({})
) -> bool:
    """Whether loading ``start`` loads ``target`` through project modules' module-level imports,
    with the ones repairs are about to add (``added``: module -> the modules it will import)."""
    return target in loaded_at_load(project, start, added)


def started_first(
    project: Project, start: str, targets: Collection[str], added: Mapping[str, Collection[str]] = MappingProxyType({})
) -> Optional[str]:
    """Of ``targets``, the module whose loading starts first when ``start`` loads (Python loads a
    module's packages first, then runs its module-level imports in order, each module once), with
    the imports repairs are about to add going last; None when loading ``start`` starts none of them,
    or when an import that may or may not run (under a top-level if or try: an optional
    accelerator) could start one of them before."""
    started: set[str] = set()

    class Uncertain(Exception):
        pass

    def enter(module: str) -> Optional[str]:
        for name in _with_parents(module):
            if name in started:
                continue
            started.add(name)
            if name in targets:
                return name
            if project.owns_module(name):
                entry = _module_entry(project, name)
                order = (*(entry.import_order if entry else ()), *((other, True) for other in added.get(name, ())))
                for imported, certain in order:
                    if not certain:
                        if imported in targets or any(target in targets for target in loaded_at_load(project, imported, added)):
                            raise Uncertain
                        continue
                    found = enter(imported)
                    if found is not None:
                        return found
        return None

    try:
        return enter(start)
    except (RecursionError, Uncertain):
        return None


def loaded_at_load(
    project: Project, start: str, added: Mapping[str, Collection[str]] = MappingProxyType({})
) -> set[str]:
    """Every module loading ``start`` loads: the packages each module lies in (Python loads them
    first) and what module-level imports load, followed through the project's own modules."""
    seen: set[str] = set()
    loaded: set[str] = set()
    pending = [start]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        for imported in (*_with_parents(current)[:-1], *module_imports(project, current), *added.get(current, ())):
            for name in _with_parents(imported):
                loaded.add(name)
                if project.owns_module(name) and name not in seen:
                    pending.append(name)
    return loaded


def is_test_file(project: Project, path: Path | str) -> bool:
    """Test modules (pytest's own ``python_files``) and conftests: never a home for names.

    Helper modules are homes wherever they live, ``app/testing/factories.py`` included.
    """
    return project.is_test_module(path) or project.is_conftest(path)


def index(project: Project) -> None:
    """Read every non-test module's definitions now (``prefetch``: while pytest collects)."""
    _refresh_all(project)


def clear_cache() -> None:
    _CACHE.clear()


def _files(project: Project) -> dict[Path, _Entry]:
    key = (project.root.resolve(), tuple(root.resolve() for root in project.source_roots))
    return _CACHE.setdefault(key, {})


@lru_cache(maxsize=2)  # noqa: B019 - keyed by the Project snapshot (compared by identity), one per round
def _refresh_all(project: Project) -> dict[Path, _Entry]:
    files = _files(project)
    present = set()
    for path in project.python_files():
        if is_test_file(project, path):
            continue
        present.add(path)
        _entry(project, path, files)
    for stale in set(files) - present:
        del files[stale]
    return {path: files[path] for path in present if path in files}


def _module_entry(project: Project, module: str) -> Optional[_Entry]:
    path = project.module_file(module)
    if path is None:
        return None
    return _entry(project, Path(os.path.normpath(path)), _files(project))


def _entry(project: Project, path: Path, files: dict[Path, _Entry]) -> Optional[_Entry]:
    try:
        status = path.stat()
    except OSError:
        files.pop(path, None)
        return None
    stamp = (status.st_mtime_ns, status.st_size)
    cached = files.get(path)
    if cached is not None and cached.stamp == stamp:
        return cached
    entry = _parse(project, path, stamp)
    files[path] = entry
    return entry


def _parse(project: Project, path: Path, stamp: tuple[int, int]) -> _Entry:
    module = project.module_name(path)
    tree = source_trees.tree_of_file(path)  # shared with the other planners' questions
    if tree is None or module is None:
        return _Entry(stamp, module, (), frozenset())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    statements = list(top_level_statements(tree.body))
    imports = _imports(statements, package)
    certain = set(_imports(tree.body, package))
    return _Entry(
        stamp,
        module,
        tuple(_definitions(statements, module, project.relative(path))),
        frozenset(imports),
        tuple((name, name in certain) for name in imports),
    )


def top_level_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements run when the module loads: also inside top-level if/try, not TYPE_CHECKING."""
    statements: list[ast.stmt] = []
    for statement in body:
        statements.append(statement)
        if isinstance(statement, ast.If):
            if not _is_type_checking(statement.test):
                statements.extend(top_level_statements(statement.body))
            statements.extend(top_level_statements(statement.orelse))
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody):
                statements.extend(top_level_statements(block))
            for handler in statement.handlers:
                statements.extend(top_level_statements(handler.body))
    return statements


def code_run_at_import(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of a module that do more than bind names when it is imported: a call, a
    loop, a ``with``, an assignment computed by a comprehension that calls (``[p.unlink() for p in
    ...]``). Imports, definitions, plain assignments and docstrings only bind; ``if``/``try`` blocks
    are looked into, and an ``if __name__ == "__main__":`` block never runs on import."""
    found: list[ast.stmt] = []
    for statement in body:
        if isinstance(statement, ast.If):
            if not _is_main_guard(statement.test):
                found += code_run_at_import(statement.body) + code_run_at_import(statement.orelse)
        elif isinstance(statement, ast.Try):
            for block in (statement.body, statement.orelse, statement.finalbody, *(each.body for each in statement.handlers)):
                found += code_run_at_import(block)
        elif isinstance(statement, ast.Expr):
            if not isinstance(statement.value, ast.Constant):
                found.append(statement)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            if statement.value is not None and _calls_in_a_comprehension(statement.value):
                found.append(statement)
        elif not isinstance(statement, _BINDING_STATEMENTS):
            found.append(statement)
    return found


def _calls_in_a_comprehension(value: ast.expr) -> bool:
    return any(isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
               and any(isinstance(inner, ast.Call) for inner in ast.walk(node))
               for node in ast.walk(value))


_BINDING_STATEMENTS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                       ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Pass)


def runs_as_script(tree: ast.Module) -> bool:
    """Whether the module also runs as a script: it has a top-level ``if __name__ == "__main__":``."""
    return any(isinstance(statement, ast.If) and _is_main_guard(statement.test) for statement in tree.body)


def _is_main_guard(test: ast.expr) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__" \
        and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant) \
        and test.comparators[0].value == "__main__"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _definitions(statements: list[ast.stmt], module: str, relative: str) -> list[Definition]:
    kinds: dict[str, str] = {}
    lines: dict[str, int] = {}
    for statement in statements:
        for name, kind in _bound(statement, kinds):
            if name not in kinds:
                kinds[name] = kind
                lines[name] = statement.lineno
    return [Definition(name, module, relative, lines[name], kind) for name, kind in kinds.items()]


def _bound(statement: ast.stmt, kinds: dict[str, str]) -> list[tuple[str, str]]:
    if isinstance(statement, ast.ClassDef):
        return [(statement.name, "class")]
    if isinstance(statement, ast.AsyncFunctionDef):
        return [(statement.name, "async_function")]
    if isinstance(statement, ast.FunctionDef):
        return [(statement.name, "function")]
    if isinstance(statement, ast.Assign):
        # ``Old = New`` keeps New's kind, so an alias of a class still counts as a class.
        kind = kinds.get(statement.value.id, "constant") if isinstance(statement.value, ast.Name) else "constant"
        return [(name, kind) for target in statement.targets for name in target_names(target)]
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return [(name, "constant") for name in target_names(statement.target)]
    return []


def target_names(target: ast.expr) -> list[str]:
    """The names an assignment target binds (``a, (b, c) = ...`` -> a, b, c)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in target_names(element)]
    return []


def _imports(statements: list[ast.stmt], package: str) -> list[str]:
    """The modules the statements import, each once, in the order they run."""
    imported: dict[str, None] = {}
    for statement in statements:
        if isinstance(statement, ast.Import):
            imported.update(dict.fromkeys(alias.name for alias in statement.names))
        elif isinstance(statement, ast.ImportFrom):
            base = _absolute(statement.module, statement.level, package)
            if base is None:
                continue
            imported[base] = None
            imported.update(dict.fromkeys(f"{base}.{alias.name}" for alias in statement.names if alias.name != "*"))
    return list(imported)


def absolute_module(written: str, package: str) -> Optional[str]:
    """The absolute module an import in ``package`` spells as ``written`` (``..x`` -> parent's ``x``)."""
    level = len(written) - len(written.lstrip("."))
    return _absolute(written[level:] or None, level, package)


def package_of(project: Project, path: Path) -> str:
    """The package relative imports in the file ``path`` start from ("" outside any package)."""
    module = project.module_name(path) or ""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(module: Optional[str], level: int, package: str) -> Optional[str]:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:index]) for index in range(1, len(parts) + 1)]
