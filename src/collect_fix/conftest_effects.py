"""Whether a conftest can change how the files below it collect other than by failing to import.

After a round, the files whose collection an edit can change are collected again. A conftest
whose imports reach an edited file puts everything below it on that list, because a conftest
can change collection: hooks (``pytest_collection_modifyitems``, ``pytest_generate_tests``,
``pytest_ignore_collect``), parametrized fixtures, ``collect_ignore``, ``pytestmark``, or any
code that runs when it loads. Most conftests hold only imports and plain fixtures, which pytest
does not run while collecting: for those the edit can change only whether the conftest still
imports, which one file below it shows. ``only_its_import_matters`` says which conftests those
are, by what their module level holds; anything it does not know counts as a possible effect.
"""

from __future__ import annotations

import ast
from pathlib import Path

from collect_fix.source_trees import tree_of_file

# Module-level names pytest reads from a conftest (or a test module) while collecting.
_READ_BY_PYTEST = frozenset({"collect_ignore", "collect_ignore_glob", "pytest_plugins", "pytestmark"})
_FIXTURE = frozenset({"fixture", "pytest.fixture"})


def only_its_import_matters(path: Path) -> bool:
    """The conftest at ``path`` imports, binds names and defines plain fixtures and functions;
    nothing at its module level runs during collection or is read by pytest then."""
    tree = tree_of_file(path)
    return tree is not None and all(_inert(statement) for statement in tree.body)


def _inert(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(statement, ast.Expr):  # a docstring; a call may do anything
        return isinstance(statement.value, ast.Constant)
    if isinstance(statement, ast.Assign):
        return all(_plain_target(target) for target in statement.targets) and _inert_value(statement.value)
    if isinstance(statement, ast.AnnAssign):
        return _plain_target(statement.target) and (statement.value is None or _inert_value(statement.value))
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return not statement.name.startswith("pytest_") and all(_plain_fixture(each) for each in statement.decorator_list)
    return False  # a class (a plugin object), a branch, a try, a with: not looked into


def _plain_target(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id not in _READ_BY_PYTEST and not target.id.startswith("pytest_")


def _inert_value(value: ast.expr) -> bool:
    """A value whose computing runs no code of the project: a literal, a name, an attribute."""
    return isinstance(value, (ast.Constant, ast.Name, ast.Attribute)) or (
        isinstance(value, (ast.Tuple, ast.List, ast.Set)) and all(_inert_value(each) for each in value.elts)
    )


def _plain_fixture(decorator: ast.expr) -> bool:
    """``@pytest.fixture`` or ``@fixture``, bare or called without ``params`` (a parametrized
    fixture multiplies the tests that use it while pytest collects them)."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if _dotted(target) not in _FIXTURE:
        return False
    return not isinstance(decorator, ast.Call) or all(keyword.arg not in ("params", None) for keyword in decorator.keywords)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""
