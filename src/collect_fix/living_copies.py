"""Where a deleted module's definition lives on: the same code, under its name, in another module
of the package, in the work tree as it is now.

A module is often folded into another over several commits (copied first, deleted later), or its
new home is renamed afterwards; the change that deleted it then added nothing
(``git_evidence.moved_in_change`` asks only that change). The code itself is the evidence: a
definition of the same kind, name, parameters and code (docstrings aside) in exactly one other
module of the same top-level package is what the deleted one's importers meant, where every
module-level name it reads means the same there (the same code reading another ``RATE`` is other
code). A ``pass``, an ellipsis or a docstring alone is never the same code: unrelated definitions
share those. A script (``script_modules``) is never a home: importing it would run it.
"""

from __future__ import annotations

from typing import Optional

from collect_fix.definitions import package_of
from collect_fix.git_evidence import (
    Binding,
    DeletedModule,
    Scope,
    bindings,
    may_hold_code,
    reads_alike,
    resolver,
)
from collect_fix.project import Project
from collect_fix.script_modules import is_script


def living_copy(project: Project, deleted: DeletedModule, removed: Binding) -> Optional[tuple[str, Binding]]:
    """(project-relative file, its binding) of the one module of the deleted module's top-level
    package that defines ``removed`` again with the same code; None when none or several do."""
    if not removed.code:
        return None
    package = (project.module_name(project.root / deleted.path) or "").partition(".")[0]
    if not package:
        return None
    old = {binding.name: binding for binding in deleted.bindings}
    old_package = package_of(project, project.root / deleted.path)
    found = []
    for path in project.files_mentioning(removed.name):
        relative = project.relative(path)
        if relative == deleted.path or not may_hold_code(relative) or project.is_test_module(path):
            continue
        if (project.module_name(path) or "").partition(".")[0] != package:
            continue
        source = project.source(path) or b""
        now = bindings(source)
        binding = now.get(removed.name)
        if binding is None or binding.kind != removed.kind or binding.signature != removed.signature \
                or binding.code != removed.code:
            continue
        if is_script(project, path):
            continue
        old_scope = Scope(old, old_package, project.module_name(project.root / deleted.path) or "")
        if reads_alike(removed, old_scope, Scope(now, package_of(project, path), project.module_name(path) or ""),
                       resolver(project)):
            found.append((relative, binding))
    return found[0] if len(found) == 1 else None
