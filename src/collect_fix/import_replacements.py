"""A name a module dropped because the project imports it from elsewhere now.

simplejson: ``OrderedDict = _import_OrderedDict()`` (a shim that returned ``collections.OrderedDict``)
left ``simplejson/__init__.py`` in the change that turned ``simplejson/tool.py``'s
``json.OrderedDict`` into ``from collections import OrderedDict``. The project's own code says
what the name is now: tests that still take it from the module get that import back there, not a
stub. Only where every file the change repointed took it from the same module, under its name, at
its top and unconditionally, and where the name was that module's very object (imported, aliased,
or returned by a shim of the module's own): an ``isclose`` the project wrote is not
``math.isclose``, nor a ``partial(json.dumps, sort_keys=True)`` ``json.dumps``, whatever imports
the callers switched to.
"""

from __future__ import annotations

import ast
from typing import Optional

from collect_fix import source_trees
from collect_fix.definitions import absolute_module, package_of
from collect_fix.git_evidence import Binding, Change, bindings, modified_by
from collect_fix.module_imports import dotted_name
from collect_fix.project import Project


def replacement(project: Project, change: Change, module: str) -> Optional[str]:
    """The module the change that removed ``change.removed.name`` from ``module`` made the
    project's other files import that name from instead (``collections``); None when none did,
    or they disagree."""
    name = change.removed.name
    sources: set[str] = set()
    was: Optional[bytes] = None  # the module as it was before the change
    for path, before, after in modified_by(project, change.commit):
        if path == change.path:
            was = before
        if path == change.path or before is None or after is None:
            continue
        package = package_of(project, project.root / path)
        if name in _taken_from(before, module, package) and name not in _taken_from(after, module, package):
            source = _imported_from(after, name, package)
            if source is None or source == module:
                return None  # it went some other way in one of them: nothing to go by
            sources.add(source)
    if len(sources) != 1 or was is None:
        return None
    source = sources.pop()
    return source if _was_that_object(was, name, source, package_of(project, project.root / change.path)) else None


def _was_that_object(source: bytes, name: str, module: str, package: str) -> bool:
    """Whether ``name`` in the module's old ``source`` was ``module``'s object of that name: an
    import of it (``from collections import OrderedDict``), an alias of it (``dumps = json.dumps``,
    ``Mapping = cabc.Mapping`` after ``import collections.abc as cabc``), or a call of the module's
    own shim whose every return but in ``except`` handlers is that import (``OrderedDict =
    _import_OrderedDict()``, returning ``collections.OrderedDict``, a module of its own on Python
    2.6). Never a value made from it (``dumps = partial(json.dumps, sort_keys=True)``, or a shim
    returning one): the callers' new arguments say it differed."""
    names = bindings(source)
    bound = names.get(name)
    if bound is None:
        return False
    if bound.kind == "import":
        return absolute_module(bound.target, package) == module and bound.imported == name
    if bound.kind == "alias":
        return _spelled_through(bound.target, names, package) == f"{module}.{name}"
    tree = source_trees.tree_of(bound.text.encode()) if bound.kind == "constant" and bound.text else None
    value = tree.body[0].value if tree is not None and tree.body and isinstance(tree.body[0], ast.Assign) else None
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args and not value.keywords):
        return False
    whole = source_trees.tree_of(source)
    shims = [node for node in (whole.body if whole is not None else ())
             if isinstance(node, ast.FunctionDef) and node.name == value.func.id]
    if len(shims) != 1:
        return False
    imported = {alias.asname or alias.name: f"{_absolute(node, package)}.{alias.name}"
                for node in ast.walk(shims[0]) if isinstance(node, ast.ImportFrom) for alias in node.names}
    for node in ast.walk(shims[0]):
        for alias in node.names if isinstance(node, ast.Import) else ():
            top = alias.name.partition(".")[0]  # ``import a.b`` binds ``a``, read as ``a.b.x``
            imported[alias.asname or top] = alias.name if alias.asname else top
    returned = [node.value for node in _outside_handlers(shims[0]) if isinstance(node, ast.Return) and node.value is not None]

    def resolved(expression: ast.expr) -> str:
        dotted = dotted_name(expression) or ""
        head, dot, rest = dotted.partition(".")
        inner = imported.get(head)
        return f"{inner}{dot}{rest}" if inner else _spelled_through(dotted, names, package)

    return bool(returned) and all(resolved(each) == f"{module}.{name}" for each in returned)


def _outside_handlers(function: ast.FunctionDef) -> list[ast.AST]:
    """The nodes of ``function`` but those in ``except`` handlers: a fallback for another Python
    (``except AttributeError: return ordered_dict.OrderedDict``) is not what the shim returns here."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        found.append(node)
        pending.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, ast.ExceptHandler))
    return found


def _spelled_through(dotted: str, names: dict[str, Binding], package: str) -> str:
    """``dotted`` with its first name read through the module's import of it (``cabc.Mapping``
    -> ``collections.abc.Mapping``); as it is where that name is no import."""
    head, dot, rest = dotted.partition(".")
    bound = names.get(head)
    if bound is None or bound.kind != "import" or not bound.imported and bound.target.partition(".")[0] == head:
        return dotted  # no import, or ``import a.b`` binding ``a``: read as written
    base = absolute_module(bound.target, package) or bound.target
    full = f"{base}.{bound.imported}" if bound.imported else base
    return f"{full}{dot}{rest}"


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
