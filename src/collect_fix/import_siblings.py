"""The names a failing ``from m import a, b, c`` would stop at next.

Python imports the names of such a statement in order and raises at the first that ``m`` lacks,
so a refactor that renamed ``a``, ``b`` and ``c`` costs a collection round for each. Read
statically, the names after the failing one that ``m`` never spells anywhere are the next errors
of the same statement: planning them with it saves those rounds. Only a module whose names can be
read off its source counts: one with ``from x import *``, a module ``__getattr__``, ``globals()``,
``exec`` or ``sys.modules`` tricks may provide any name, and gives none.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Optional

from collect_fix.definitions import absolute_module, package_of
from collect_fix.project import Project
from collect_fix.source_trees import statements, tree_of_file
from collect_fix.types import Diagnosis

# Calls through which a module may bind names its source never spells.
_DYNAMIC_CALLS = frozenset({"globals", "vars", "locals", "exec", "eval", "setattr", "__import__", "import_module"})


def names_after(project: Project, diagnosis: Diagnosis) -> list[str]:
    """The names imported after ``diagnosis.subject`` by the ``from diagnosis.module import ...``
    statement at the diagnosis's line that the module cannot provide, in the statement's order."""
    module, name = diagnosis.module, diagnosis.subject
    if not (module and name and diagnosis.path and diagnosis.line):
        return []
    importer = project.root / diagnosis.path
    later = _later_in_statement(project, importer, diagnosis.line, module, name)
    if not later:
        return []
    module_file = project.module_file(module)
    tree = tree_of_file(module_file) if module_file is not None else None
    if module_file is None or tree is None or not _names_readable(tree):
        return []
    spelled = _identifiers(tree)
    return [
        other for other in later
        if other not in spelled and not _is_submodule(module_file, other)
    ]


def _later_in_statement(project: Project, importer: Path, line: int, module: str, name: str) -> list[str]:
    tree = tree_of_file(importer)
    if tree is None:
        return []
    package = package_of(project, importer)
    for statement in statements(tree):
        if not isinstance(statement, ast.ImportFrom):
            continue
        if not statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            continue
        if absolute_module("." * statement.level + (statement.module or ""), package) != module:
            continue
        names = [alias.name for alias in statement.names]
        if name in names:
            return list(dict.fromkeys(other for other in names[names.index(name) + 1:] if other != name))
    return []


def _names_readable(tree: ast.Module) -> bool:
    """Whether every name the module can provide is spelled in its source."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return False
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("__getattr__", "__dir__"):
            return False
        if isinstance(node, ast.Call) and _called(node.func) in _DYNAMIC_CALLS:
            return False
        if isinstance(node, ast.Attribute) and node.attr in ("modules", "__dict__"):
            return False  # sys.modules[__name__] = ..., module.__dict__.update(...)
    return True


def _called(func: ast.expr) -> Optional[str]:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _identifiers(tree: ast.Module) -> set[str]:
    """Every identifier the module spells: any of them may be a binding of that name."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.partition(".")[0])
            found.add(node.name)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            found.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            found.add(node.arg)
        else:
            for field in ("name", "rest"):  # match patterns: MatchAs, MatchStar, MatchMapping
                value = getattr(node, field, None)
                if isinstance(value, str):
                    found.add(value)
    return found


def _is_submodule(module_file: Path, name: str) -> bool:
    """``from pkg import sub`` imports the submodule (a file, a package, an extension)."""
    if module_file.name != "__init__.py":
        return False
    try:
        entries = os.listdir(module_file.parent)
    except OSError:
        return True
    return any(entry == name or entry.startswith(name + ".") for entry in entries)
