"""Whether a conftest can change how the files below it collect other than by failing to import.

After a round, the files whose collection an edit can change are collected again. A conftest
whose imports reach an edited file puts everything below it on that list, because a conftest
can change collection: hooks (``pytest_collection_modifyitems``, ``pytest_generate_tests``,
``pytest_ignore_collect``), parametrized fixtures, ``collect_ignore``, ``pytestmark``, or any
code that runs when it loads. pytest takes hooks and fixtures from every name the conftest binds,
imported ones included. Most conftests hold only imports and plain fixtures, which pytest does
not run while collecting: for those the edit can change only whether the conftest still
imports, which one file below it shows. ``only_its_import_matters`` says which conftests those
are, by what their module level holds; anything it does not know counts as a possible effect.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path
from typing import Optional

from collect_fix.project import Project
from collect_fix.source_trees import tree_of_file

# Module-level names pytest reads from a conftest (or a test module) while collecting.
_READ_BY_PYTEST = frozenset({"collect_ignore", "collect_ignore_glob", "pytest_plugins", "pytestmark"})


def only_its_import_matters(project: Project, path: Path) -> bool:
    """The conftest at ``path`` binds only modules, names from outside the project, names a project
    module binds once, at its top level, to an undecorated class, a plain function or fixture, or
    a literal; and itself defines only plain functions, fixtures without params and literals.
    Nothing at its module level runs during collection or is read by pytest then."""
    tree = tree_of_file(path)
    if tree is None:
        return False
    facts = _facts(tree)
    return all(_inert(project, path, statement, facts) for statement in tree.body)


def _inert(project: Project, path: Path, statement: ast.stmt, facts: "_Facts") -> bool:
    if isinstance(statement, ast.Import):
        return all(_plain_name(alias.asname or alias.name.partition(".")[0]) for alias in statement.names)
    if isinstance(statement, ast.ImportFrom):
        return _inert_import(project, path, statement)
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr):  # a docstring; a call may do anything
        return isinstance(statement.value, ast.Constant)
    if isinstance(statement, ast.Assign):
        return all(_plain_target(target) for target in statement.targets) and _literal(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return _plain_target(statement.target) and (statement.value is None or _literal(statement.value))
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _plain_function(statement, facts)
    return False  # a class (a plugin object), a branch, a try, a with: not looked into


def _inert_import(project: Project, path: Path, statement: ast.ImportFrom) -> bool:
    """``from M import names``: a star or a name pytest reads is an effect; names from outside the
    project are as they were (an edit changes only project files); a project module's names must
    be modules, classes, plain functions or fixtures, or literals there."""
    if any(alias.name == "*" or not _plain_name(alias.asname or alias.name) for alias in statement.names):
        return False
    candidates = _module_files(project, path, statement.module or "", statement.level)
    if candidates is None:
        return True  # not a module of this project
    if not candidates:
        return False  # the project's, but not found where this import would find it: unknown
    return all(
        _plain_binding(candidate, alias.name) or _submodule(candidate, alias.name) is not None
        for candidate in candidates for alias in statement.names
    )


def _module_files(project: Project, conftest: Path, module: str, level: int) -> Optional[list[Path]]:
    """The project files ``from <level dots><module> import ...`` in ``conftest`` may load; None
    when its top-level name is no file or package of the project (the standard library, pytest,
    an installed package). A name pytest may import from several places (a test directory on
    ``sys.path``, a source root) gives every file it could be."""
    parts = module.split(".") if module else []
    if level:
        base = conftest.parent
        for _ in range(level - 1):
            base = base.parent
        found = _as_module(base.joinpath(*parts)) if parts else _as_module(base)
        return [found] if found is not None else []
    if not parts or parts[0] not in _project_names(project):
        return None
    suffix = Path(*parts)
    return [
        file for file in project.python_files()
        if file.with_suffix("").as_posix().endswith("/" + suffix.as_posix())
        or (file.name == "__init__.py" and file.parent.as_posix().endswith("/" + suffix.as_posix()))
    ]


@functools.lru_cache(maxsize=4)
def _project_names(project: Project) -> frozenset[str]:
    """Every name a project file or package could be imported under at the top."""
    names = set()
    for file in project.python_files():
        names.add(file.stem)
        names.update(part for part in file.relative_to(project.root).parts[:-1])
    return frozenset(names)


def _as_module(base: Path) -> Optional[Path]:
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _submodule(module_file: Path, name: str) -> Optional[Path]:
    """``from package import name`` where ``name`` is a module of the package: a module object."""
    return _as_module(module_file.parent / name) if module_file.name == "__init__.py" else None


def _plain_binding(module_file: Path, name: str) -> bool:
    """The module binds ``name`` once, at its top level, to an undecorated class, a plain function
    or fixture, or a literal, and nowhere else (in a branch, a ``try``, through ``global``): so it
    is no hook and no parametrized fixture, whatever the edit changed."""
    tree = tree_of_file(module_file)
    if tree is None:
        return False
    facts = _facts(tree)
    bindings = [statement for statement in tree.body if name in _bound_names(statement)]
    return len(bindings) == 1 and name not in facts.bound_elsewhere and _plain_definition(bindings[0], facts)


class _Facts:
    """What a module's code says about its names beyond its top-level statements: the names bound
    inside module-level branches, loops, ``try`` and ``with`` blocks or declared ``global``, and
    the spellings that mean pytest's ``fixture`` there (``pytest.fixture`` after ``import pytest``,
    ``fixture`` after ``from pytest import fixture``; a name bound twice means nothing)."""

    def __init__(self, bound_elsewhere: frozenset[str], fixture: frozenset[str]) -> None:
        self.bound_elsewhere, self.fixture = bound_elsewhere, fixture


@functools.lru_cache(maxsize=64)
def _facts(tree: ast.Module) -> _Facts:
    nested: set[str] = set()
    for statement in tree.body:
        if not isinstance(statement, _SIMPLE):
            nested.update(_bound_in_blocks(statement))
    declared = {name for node in ast.walk(tree) if isinstance(node, ast.Global) for name in node.names}
    counts: dict[str, int] = {}
    for statement in tree.body:
        for name in _bound_names(statement):
            counts[name] = counts.get(name, 0) + 1
    once = {name for name, count in counts.items() if count == 1} - nested - declared
    fixture: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            fixture.update(f"{alias.asname or alias.name}.fixture" for alias in statement.names
                           if alias.name == "pytest" and (alias.asname or alias.name) in once)
        elif isinstance(statement, ast.ImportFrom) and statement.module == "pytest" and not statement.level:
            fixture.update(alias.asname or alias.name for alias in statement.names
                           if alias.name == "fixture" and (alias.asname or alias.name) in once)
    return _Facts(frozenset(nested | declared), frozenset(fixture))


# Module-level statements that hold no block of statements of their own.
_SIMPLE = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Pass,
           ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _bound_in_blocks(statement: ast.stmt) -> set[str]:
    """Every name a module-level compound statement (if, try, for, while, with, match) may bind,
    at any depth of its blocks: any name it stores to, defines, imports or catches as. Generous on
    purpose (a name stored inside a function defined there counts too)."""
    found: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(alias.asname or alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        elif type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None):
            found.add(getattr(node, "name"))
    return found


def _bound_names(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.partition(".")[0] for alias in statement.names}
    targets = statement.targets if isinstance(statement, ast.Assign) else (
        [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else []
    )
    return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}


def _plain_definition(statement: ast.stmt, facts: _Facts) -> bool:
    if isinstance(statement, ast.ClassDef):
        return not statement.decorator_list  # a decorator may return anything, a fixture too
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _plain_function(statement, facts)
    if isinstance(statement, ast.Assign):
        return _literal(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return statement.value is not None and _literal(statement.value)
    return False  # imported or computed there: what it is depends on more than this module


def _plain_function(function: ast.FunctionDef | ast.AsyncFunctionDef, facts: _Facts) -> bool:
    return _plain_name(function.name) and all(_plain_fixture(each, facts) for each in function.decorator_list)


def _plain_name(name: str) -> bool:
    return name not in _READ_BY_PYTEST and not name.startswith("pytest_")


def _plain_target(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and _plain_name(target.id)


def _literal(value: ast.expr) -> bool:
    """A value that runs no code and refers to nothing: a constant, or a container of them."""
    return isinstance(value, ast.Constant) or (
        isinstance(value, (ast.Tuple, ast.List, ast.Set)) and all(_literal(each) for each in value.elts)
    )


def _plain_fixture(decorator: ast.expr, facts: _Facts) -> bool:
    """pytest's ``fixture`` (as the module spells it), bare or called without ``params`` (a
    parametrized fixture multiplies the tests that use it while pytest collects them)."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if _dotted(target) not in facts.fixture:
        return False
    return not isinstance(decorator, ast.Call) or all(keyword.arg not in ("params", None) for keyword in decorator.keywords)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""
