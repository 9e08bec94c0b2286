"""The names a failing ``from m import a, b, c`` would stop at next.

Python imports the names of such a statement in order and raises at the first that ``m`` lacks,
so a refactor that renamed ``a``, ``b`` and ``c`` costs a collection round for each. The names
after the failing one that ``m`` lacked when it failed (the probe records what ``m`` held then,
conftests' additions included, unless ``m`` answers for names itself: a module ``__getattr__``, a
module of another class) and that its source can provide no other way are the next errors
of the same statement: planning them with it saves those rounds. A module whose names cannot be
read off its source gives none: one with ``from x import *``, a module ``__getattr__``,
``__path__`` extended, ``globals()``, ``exec`` or ``sys.modules[__name__]``. Neither does an
import where failing is expected: under a ``try`` whose ``ImportError`` handler goes on (binds a
fallback, looks at the message) or under ``contextlib.suppress``, anywhere along the traceback,
but for the test module that stopped on the failure (a masked error: it exited or skipped).
Only a rename's alias joins the failing name's repair (``planners.missing_names``).
"""

from __future__ import annotations

import ast
import os
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional

from collect_fix.definitions import absolute_module, package_of, top_level_statements
from collect_fix.except_clauses import catches
from collect_fix.project import Project
from collect_fix.source_trees import statements, tree_of_file
from collect_fix.types import Diagnosis

# What a module defines to answer for names it does not bind (PEP 562).
_MODULE_HOOKS = frozenset({"__getattr__", "__dir__"})
# Handlers of these catch a failing ``from m import name``.
_CATCHING = frozenset({"ImportError", "Exception", "BaseException"})
# Calls that end a handler's story: it stops the module rather than going on without the name.
_ENDING_CALLS = frozenset({"exit", "_exit", "quit", "skip", "fail", "abort"})


def names_after(project: Project, diagnosis: Diagnosis) -> list[str]:
    """The names imported after ``diagnosis.subject`` by the ``from diagnosis.module import ...``
    statement at the diagnosis's line that the module lacked too, in the statement's order."""
    module, name, error = diagnosis.module, diagnosis.subject, diagnosis.error
    held = error.attrs.get("module_names") if error is not None else None
    if not (module and name and diagnosis.path and diagnosis.line and isinstance(held, list)):
        return []
    importer = project.root / diagnosis.path
    later = [other for other in _later_in_statement(project, importer, diagnosis.line, module, name)
             if other not in held and not _dunder(other)]
    if not later or _failure_expected(project, importer, diagnosis, frozenset((name, *later))):
        return []
    module_file = project.module_file(module)
    tree = tree_of_file(module_file) if module_file is not None else None
    spelled = _spelled_if_readable(tree) if tree is not None else None
    if module_file is None or spelled is None:
        return []
    return [other for other in later if other not in spelled and not _is_submodule(module_file, other)]


@lru_cache(maxsize=64)  # by tree, which source_trees keeps per content: each round asks about the same modules
def _spelled_if_readable(tree: ast.Module) -> Optional[frozenset[str]]:
    """The identifiers of a module whose names can be read off its source; None otherwise."""
    return frozenset(_identifiers(tree)) if names_readable(tree) else None


def _failure_expected(project: Project, importer: Path, diagnosis: Diagnosis, names: frozenset[str]) -> bool:
    """Whether the import, or any project line on the way to it, sits where an ImportError is
    handled and the code goes on.

    In the test module that stopped on a masked failure (it exited, or skipped where collect-fix
    turned its exit into a skip), a handler that only sets a flag (one the module exits on later,
    collect-fix's own ``..._AVAILABLE``) is no fallback: there only a handler that binds one of the
    statement's ``names`` (``old_perimeter = None`` where the message names it) expects it."""
    places = [(importer, diagnosis.line or 0)]
    if diagnosis.error is not None:
        places += [(Path(frame.path), frame.line) for frame in diagnosis.error.frames if frame.in_project]
    stopped = project.root / diagnosis.error.path if diagnosis.masked and diagnosis.error and diagnosis.error.path \
        else None
    for path, line in places:
        tree = tree_of_file(path)
        if tree is None:
            return True  # cannot tell
        only_fallbacks = names if stopped is not None and _same_file(path, stopped) else None
        if any(_handles_and_goes_on(node, line, only_fallbacks) for node in _enclosing(tree.body, line)):
            return True
    return False


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _enclosing(body: list[ast.stmt], line: int) -> Iterator[ast.stmt]:
    """The compound statements holding ``line``, outermost first."""
    for statement in body:
        if statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            yield statement
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                for child in getattr(statement, field, ()):
                    inner = getattr(child, "body", None) if not isinstance(child, ast.stmt) else None
                    if inner is not None:  # an except handler or a match case
                        yield from _enclosing(inner, line)
                    else:
                        yield from _enclosing([child], line)
            return


def _handles_and_goes_on(node: ast.stmt, line: int, only_fallbacks: Optional[frozenset[str]] = None) -> bool:
    """``only_fallbacks``: a handler counts only if it binds one of these names."""
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return any(_called(item.context_expr.func) == "suppress" for item in node.items
                   if isinstance(item.context_expr, ast.Call))
    if not isinstance(node, ast.Try) and type(node).__name__ != "TryStar":
        return False
    body = getattr(node, "body", [])
    if not body or not body[0].lineno <= line <= (body[-1].end_lineno or body[-1].lineno):
        return False  # in a handler, the else or the finally: this try does not catch it
    return any(
        catches(handler.type, _CATCHING) and not _ends(handler.body)
        and (only_fallbacks is None or _falls_back(handler, only_fallbacks))
        for handler in getattr(node, "handlers", [])
    )


def _falls_back(handler: ast.ExceptHandler, names: frozenset[str]) -> bool:
    """Whether the handler binds one of ``names`` (a fallback for it), anywhere in its body: an
    assignment, an import from elsewhere, a definition."""
    for node in ast.walk(handler):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in names:
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name).partition(".")[0] in names for alias in node.names
        ):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            return True
    return False


def tolerated(project: Project, diagnosis: Diagnosis) -> bool:
    """A masked failure the test module caught and went on from (no exit, no skip: a module
    collect-fix turned from exiting into skipping, asked again), under a handler that binds a
    fallback for the name: the module expects it, and it is no error to repair."""
    error = diagnosis.error
    name = diagnosis.subject
    if not diagnosis.masked or error is None or error.attrs.get("stopped_by") or not name:
        return False
    if not diagnosis.path or not diagnosis.line:
        return False
    tree = tree_of_file(project.root / diagnosis.path)
    if tree is None:
        return False
    names = frozenset({name, name.partition(".")[0], name.rpartition(".")[2]})
    return any(_handles_and_goes_on(node, diagnosis.line, names) for node in _enclosing(tree.body, diagnosis.line))


def _ends(body: list[ast.stmt]) -> bool:
    """A handler that reports and stops: calls, then a ``raise`` or an exit, nothing else."""
    if not body or not all(isinstance(statement, (ast.Expr, ast.Raise)) for statement in body):
        return False
    last = body[-1]
    return isinstance(last, ast.Raise) or (
        isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and _called(last.value.func) in _ENDING_CALLS
    )


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


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


def names_readable(tree: ast.Module) -> bool:
    """Whether every name the module can provide is spelled in its source: no ``import *``, no
    module ``__getattr__`` (also one a lazy loader returns), no ``__path__`` of its own, nothing
    that writes the module's namespace without naming what it writes (``globals()``, ``vars()``,
    ``exec``, ``eval``, ``sys.modules[__name__]``, an assignment into ``sys.modules``)."""
    for statement in top_level_statements(tree.body):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name in _MODULE_HOOKS:
            return False
        if isinstance(statement, (ast.Import, ast.ImportFrom)) and any(
            alias.name == "*" or (alias.asname or alias.name) in _MODULE_HOOKS for alias in statement.names
        ):
            return False
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else [])
        if any(isinstance(node, ast.Name) and node.id in _MODULE_HOOKS for target in targets for node in ast.walk(target)):
            return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            return False
        if isinstance(node, ast.Name) and node.id == "__path__":
            return False  # pkgutil.extend_path and the like: submodules from elsewhere
        if isinstance(node, ast.Call) and _writes_namespace(node):
            return False
        if isinstance(node, ast.Subscript) and _is_sys_modules(node.value) and (
            isinstance(node.ctx, ast.Store) or _mentions_name(node.slice)
        ):
            return False
    return True


def _writes_namespace(call: ast.Call) -> bool:
    """``globals()``, ``vars()``, ``locals()``; ``exec``/``eval`` but with a namespace of their own
    (``exec(code, namespace)``, as code generators call it)."""
    called = _called(call.func)
    if called == "globals":
        return True
    if called in ("exec", "eval"):
        return len(call.args) < 2 and not any(keyword.arg == "globals" for keyword in call.keywords)
    return called in ("vars", "locals") and not call.args


def _is_sys_modules(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "modules"


def _mentions_name(node: ast.AST) -> bool:
    return any(isinstance(each, ast.Name) and each.id == "__name__" for each in ast.walk(node))


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
