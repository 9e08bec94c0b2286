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
from typing import Callable, Optional

from collect_fix import source_trees
from collect_fix.definitions import absolute_module, package_of
from collect_fix.git_evidence import Binding, Change, bindings, file_before, modified_by, tells_under_another_name
from collect_fix.importability import provides_here
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
    package = package_of(project, project.root / change.path)
    return source if _was_that_object(was, name, source, package, lambda module, names: provides_here(project, module, names)) else None


# Whether a module imports here and provides the names taken from it (``importability.provides_here``).
_Found = Callable[[str, tuple[str, ...]], bool]


def dropped_with_its_import(project: Project, change: Change) -> Optional[str]:
    """The object an alias the change removed was, where the same change dropped the import it
    read (``dumps = json.dumps`` and ``import json`` both gone): ``json.dumps``, read through the
    module's imports as they were, where that module still imports here (and, the project's own,
    still binds the name); None otherwise."""
    removed = change.removed
    head, _, rest = removed.target.partition(".")
    if removed.kind != "alias" or removed.conditional or not rest:
        return None  # one branch's alias of a version check: which one ran, the change does not say
    was = file_before(project, change.commit, change.path)
    names = bindings(was) if was is not None else {}
    read = names.get(head)
    package = package_of(project, project.root / change.path)
    if read is None or read.kind != "import":
        return None
    if read.conditional:  # ``simplejson`` or else ``json`` under a ``try``: the one that imports here
        tree = source_trees.tree_of(was) if was is not None else None
        runs = _run_here(tree.body, package, lambda module, names: provides_here(project, module, names)) if tree is not None else []
        bound = [what for name, what in _imports_in(runs, package) if name == head]
        if len(bound) != 1:
            return None
        dotted = f"{bound[0]}.{rest}"
    else:
        dotted = spelled_through(removed.target, names, package)
    module, _, attribute = dotted.rpartition(".")
    if not module or not provides_here(project, module, (attribute,)):
        return None
    if project.owns_module(module):
        path = project.module_file(module)
        if path is None or attribute not in bindings(project.source(path) or b""):
            return None
    return as_it_is_now(project, change, dotted)


def as_it_is_now(project: Project, change: Change, dotted: str) -> str:
    """``dotted``, an object of a project module an alias the change removed pointed at, under the
    name its code has now: where the same change gave that name to other code and kept the old
    code under one other name (review hAN 07: ``codec.encode`` became ``encode_v1`` beside a new
    ``encode``), that one; else itself (edited or not, the same definition)."""
    module, _, attribute = dotted.rpartition(".")
    path = project.module_file(module) if project.owns_module(module) else None
    before = file_before(project, change.commit, project.relative(path)) if path is not None else None
    old = bindings(before).get(attribute) if before is not None else None
    now = bindings(project.source(path) or b"") if path is not None and old is not None else {}
    if old is None or not old.shape or attribute not in now or now[attribute].shape == old.shape:
        return dotted
    same = [binding for binding in now.values() if binding.kind == old.kind and binding.shape == old.shape]
    return f"{module}.{same[0].name}" if len(same) == 1 and tells_under_another_name(old, same[0]) else dotted


def _was_that_object(source: bytes, name: str, module: str, package: str, found: _Found) -> bool:
    """Whether ``name`` in the module's old ``source`` was ``module``'s object of that name: an
    import of it (``from collections import OrderedDict``), an alias of it (``dumps = json.dumps``,
    ``Mapping = cabc.Mapping`` after ``import collections.abc as cabc``), or a call of the module's
    own shim whose every return that runs here is that import (``OrderedDict =
    _import_OrderedDict()``, returning ``collections.OrderedDict``, a module of its own on Python
    2.6: see ``_run_here``; ``found`` tells whether the project's interpreter finds a module).
    Never a value made from it (``dumps = partial(json.dumps, sort_keys=True)``, or a shim
    returning one): the callers' new arguments say it differed."""
    names = bindings(source)
    bound = names.get(name)
    if bound is None:
        return False
    if bound.kind == "import":
        return absolute_module(bound.target, package) == module and bound.imported == name
    if bound.kind == "alias":
        return spelled_through(bound.target, names, package) == f"{module}.{name}"
    tree = source_trees.tree_of(bound.text.encode()) if bound.kind == "constant" and bound.text else None
    value = tree.body[0].value if tree is not None and tree.body and isinstance(tree.body[0], ast.Assign) else None
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args and not value.keywords):
        return False
    whole = source_trees.tree_of(source)
    shims = [node for node in (whole.body if whole is not None else ())
             if isinstance(node, ast.FunctionDef) and node.name == value.func.id]
    if len(shims) != 1:
        return False
    runs = _run_here(shims[0].body, package, found)
    imported = dict(_imports_in(runs, package))
    returned = [node.value for node in runs if isinstance(node, ast.Return) and node.value is not None]

    def resolved(expression: ast.expr) -> str:
        dotted = dotted_name(expression) or ""
        head, dot, rest = dotted.partition(".")
        inner = imported.get(head)
        return f"{inner}{dot}{rest}" if inner else spelled_through(dotted, names, package)

    return bool(returned) and all(resolved(each) == f"{module}.{name}" for each in returned)


def _imports_in(nodes: list[ast.AST], package: str) -> list[tuple[str, str]]:
    """(the name bound, what it is) for each import among ``nodes``: ``from x import y as z`` is
    (``z``, ``x.y``), ``import a.b`` binds ``a`` (read as ``a.b.x``), ``import s as j`` (``j``, ``s``)."""
    found: list[tuple[str, str]] = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            found.extend((alias.asname or alias.name, f"{_absolute(node, package)}.{alias.name}") for alias in node.names)
        for alias in node.names if isinstance(node, ast.Import) else ():
            top = alias.name.partition(".")[0]
            found.append((alias.asname or top, alias.name if alias.asname else top))
    return found


def _run_here(statements: list[ast.stmt], package: str, found: _Found) -> list[ast.AST]:
    """The nodes of ``statements`` (a shim's body, a module's) that run here, their imports and returns: a ``try``'s body and not
    its ``except`` handlers (a fallback for another Python, ``except AttributeError: return
    ordered_dict.OrderedDict``, or for a package not installed), but the handlers instead where
    the body imports a module the project's interpreter does not find (``from ujson import
    loads`` not installed: ``json.loads`` is what the shim returns here)."""
    runs: list[ast.AST] = []
    pending: list[ast.AST] = list(statements)
    while pending:
        node = pending.pop()
        runs.append(node)
        if not isinstance(node, ast.Try):
            pending.extend(ast.iter_child_nodes(node))
        elif all(found(module, names) for module, names in imported_modules(node.body, package)):
            pending.extend([*node.body, *node.orelse, *node.finalbody])
        else:
            pending.extend([*(child for handler in node.handlers for child in handler.body), *node.finalbody])
    return runs


def imported_modules(statements: list[ast.stmt], package: str) -> list[tuple[str, tuple[str, ...]]]:
    """The absolute modules the import statements among ``statements`` (nested too) import, each
    with the names taken from it (``from itertools import batched``: batched)."""
    modules: list[tuple[str, tuple[str, ...]]] = []
    for node in (inner for statement in statements for inner in ast.walk(statement)):
        if isinstance(node, ast.Import):
            modules.extend((alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.append((_absolute(node, package) or "", tuple(alias.name for alias in node.names)))
    return modules


def spelled_through(dotted: str, names: dict[str, Binding], package: str) -> str:
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
