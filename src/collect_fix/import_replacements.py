"""A name a module dropped because the project imports it from elsewhere now.

simplejson: ``OrderedDict = _import_OrderedDict()`` (a shim that returned ``collections.OrderedDict``)
left ``simplejson/__init__.py`` in the change that turned ``simplejson/tool.py``'s
``json.OrderedDict`` into ``from collections import OrderedDict``. The project's own code says
what the name is now: tests that still take it from the module get that import back there, not a
stub. Only where every file the change repointed took it from the same module, under its name, at
its top and unconditionally; and only for a name that was no class or function of the module's own
(the planner's rule): an ``isclose`` the project wrote is not ``math.isclose``, whatever imports
the callers switched to.
"""

from __future__ import annotations

import ast
from typing import Optional

from collect_fix import source_trees
from collect_fix.definitions import absolute_module, package_of
from collect_fix.git_evidence import Change, modified_by
from collect_fix.module_imports import dotted_name
from collect_fix.project import Project


def replacement(project: Project, change: Change, module: str) -> Optional[str]:
    """The module the change that removed ``change.removed.name`` from ``module`` made the
    project's other files import that name from instead (``collections``); None when none did,
    or they disagree."""
    name = change.removed.name
    sources: set[str] = set()
    for path, before, after in modified_by(project, change.commit):
        if path == change.path or before is None or after is None:
            continue
        package = package_of(project, project.root / path)
        if name in _taken_from(before, module, package) and name not in _taken_from(after, module, package):
            source = _imported_from(after, name, package)
            if source is None or source == module:
                return None  # it went some other way in one of them: nothing to go by
            sources.add(source)
    return sources.pop() if len(sources) == 1 else None


def _taken_from(source: bytes, module: str, package: str) -> set[str]:
    """The names ``source`` takes from ``module``: ``from module import x``, ``module.x``."""
    tree = source_trees.tree_of(source)
    taken: set[str] = set()
    bound: set[str] = set()  # what ``import module [as m]`` binds
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.ImportFrom) and _absolute(node, package) == module:
            taken.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            bound.update(alias.asname or alias.name for alias in node.names if alias.name == module)
    for node in ast.walk(tree) if tree is not None and bound else ():
        if isinstance(node, ast.Attribute) and dotted_name(node.value) in bound:
            taken.add(node.attr)
    return taken


def _imported_from(source: bytes, name: str, package: str) -> Optional[str]:
    """The module an unconditional ``from m import name`` (under its own name) at the top of
    ``source`` takes it from; None where there is none, or the file also imports it under an
    ``if`` or a ``try`` or in a function: ``orjson``'s or else ``json``'s ``dumps``, a class
    imported only for type checkers are no value the module had."""
    tree = source_trees.tree_of(source)
    found: Optional[str] = None
    top = {id(statement) for statement in tree.body} if tree is not None else set()
    for node in source_trees.statements(tree) if tree is not None else ():
        if isinstance(node, ast.ImportFrom) and any(alias.name == name and alias.asname in (None, name)
                                                    for alias in node.names):
            if id(node) not in top:
                return None
            found = found or _absolute(node, package)
    return found


def _absolute(node: ast.ImportFrom, package: str) -> Optional[str]:
    return absolute_module("." * node.level + (node.module or ""), package) if node.level else node.module
