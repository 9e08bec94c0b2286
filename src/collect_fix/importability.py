"""Whether a module imports here, read statically: collect-fix never imports the project.

A compat shim's ``try`` imports ``pkg._speedups`` or else falls back on ``json``; which branch ran
decides what the shim returned. A module of the project imports where its file is (or its
extension module is built) and what its top imports unconditionally does too; any other module
where the project's interpreter finds it (``dependencies.findable``).
"""

from __future__ import annotations

import ast
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from collect_fix import source_trees
from collect_fix.definitions import absolute_module, package_of
from collect_fix.dependencies import findable
from collect_fix.git_evidence import bindings
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
