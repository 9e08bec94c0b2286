"""Whether a module imports here, read statically: collect-fix never imports the project.

A compat shim's ``try`` imports ``pkg._speedups`` or else falls back on ``json``; which branch ran
decides what the shim returned. A module of the project imports where its file is (or its
extension module is built) and what its top imports unconditionally does too; any other module
where the project's interpreter finds it (``dependencies.findable``), and a module of the
standard library has the names taken from it there (``provides_here``).
"""

from __future__ import annotations

import ast
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import json
import subprocess
from functools import lru_cache

from collect_fix import source_trees
from collect_fix.collector import find_interpreter
from collect_fix.definitions import absolute_module, package_of
from collect_fix.dependencies import findable
from collect_fix.git_evidence import bindings
from collect_fix.name_sources import stdlib_module_names
from collect_fix.project import Project


def imports_here(project: Project, module: str, depth: int = 1) -> bool:
    """Whether ``module`` imports here: another where the project's interpreter finds it; the
    project's own where its file is, an extension module built, and (``depth`` levels down) what
    its top imports unconditionally is found too (``_speedups.py`` importing an unbuilt ``_cjson``
    fails, and the shim's handler runs)."""
    if not project.owns_module(module):
        return findable(project, module)
    path = project.module_file(module)
    if path is None:
        return _built(project, module)
    return depth <= 0 or all(imports_here(project, imported, depth - 1) for imported in _imported_at_top(project, path))


def _built(project: Project, module: str) -> bool:
    """Whether a compiled extension module of the project is there (``_cjson.cpython-311-x86_64-linux-gnu.so``)."""
    parent, _, last = module.rpartition(".")
    parent_file = project.module_file(parent) if parent else None
    folders = [parent_file.parent] if parent_file is not None else [] if parent else list(project.source_roots)
    return any(candidate.name.endswith(tuple(EXTENSION_SUFFIXES))
               for folder in folders for candidate in folder.glob(f"{last}.*"))


def _imported_at_top(project: Project, path: Path) -> list[str]:
    """The modules ``path``'s unconditional top-level imports need: ``import a.b`` needs ``a.b``,
    ``from pkg import name`` the submodule ``pkg.name`` where ``pkg``'s own file does not bind it."""
    tree = source_trees.tree_of(project.source(path) or b"")
    package = package_of(project, path)
    needed: list[str] = []
    for statement in tree.body if tree is not None else ():
        if isinstance(statement, ast.Import):
            needed.extend(alias.name for alias in statement.names)
        elif isinstance(statement, ast.ImportFrom):
            base = absolute_module("." * statement.level + (statement.module or ""), package) if statement.level \
                else statement.module
            if not base:
                continue
            needed.append(base)
            base_file = project.module_file(base) if project.owns_module(base) else None
            bound = bindings(project.source(base_file) or b"") if base_file is not None else {}
            needed.extend(f"{base}.{alias.name}" for alias in statement.names
                          if base_file is not None and alias.name != "*" and alias.name not in bound)
    return needed


def provides_here(project: Project, module: str, names: tuple[str, ...] = ()) -> bool:
    """``imports_here``, and a module of the standard library has each of ``names`` in the
    project's interpreter (review hAN 05: ``itertools.batched`` is Python 3.12's; on 3.11 a shim's
    ``from itertools import batched`` fails and its handler runs). Another module's names are not
    looked at: that would import it."""
    if not imports_here(project, module):
        return False
    if not names or module.partition(".")[0] not in stdlib_module_names():
        return True
    interpreter = find_interpreter(project.history_root or project.root)
    return not _lacking(interpreter, module, tuple(sorted(set(names) - {"*"})))


_LACKING_SCRIPT = """
import importlib, json, sys
try:
    module = importlib.import_module(sys.argv[1])
except Exception:
    print(json.dumps(sys.argv[2:]))
else:
    print(json.dumps([name for name in sys.argv[2:] if not hasattr(module, name)]))
"""


@lru_cache(maxsize=64)
def _lacking(python: str, module: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Of ``names``, those the standard library's ``module`` lacks in ``python``; none when it cannot tell."""
    try:
        result = subprocess.run([python, "-c", _LACKING_SCRIPT, module, *names], capture_output=True, text=True,
                                errors="replace", stdin=subprocess.DEVNULL, timeout=60)
        lacking = json.loads(result.stdout) if result.returncode == 0 else []
    except (OSError, subprocess.SubprocessError, ValueError):
        return ()
    return tuple(name for name in lacking if name in names) if isinstance(lacking, list) else ()
