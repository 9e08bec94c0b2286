"""Where a deleted module's definition lives on: the same code, under its name, in another module
of the package, in the work tree as it is now.

A module is often folded into another over several commits (copied first, deleted later), or its
new home is renamed afterwards; the change that deleted it then added nothing
(``git_evidence.moved_in_change`` asks only that change). The code itself is the evidence: a
definition of the same kind, name, parameters and code (docstrings aside) in exactly one other
module of the same top-level package is what the deleted one's importers meant. A ``pass``, an
ellipsis or a docstring alone is never the same code: unrelated definitions share those.
"""

from __future__ import annotations

from typing import Optional

from collect_fix.git_evidence import Binding, bindings, may_hold_code
from collect_fix.project import Project


def living_copy(project: Project, deleted_path: str, removed: Binding) -> Optional[tuple[str, Binding]]:
    """(project-relative file, its binding) of the one module of ``deleted_path``'s top-level
    package that defines ``removed`` again with the same code; None when none or several do."""
    if not removed.code:
        return None
    package = (project.module_name(project.root / deleted_path) or "").partition(".")[0]
    if not package:
        return None
    found = []
    for path in project.files_mentioning(removed.name):
        relative = project.relative(path)
        if relative == deleted_path or not may_hold_code(relative) or project.is_test_module(path):
            continue
        if (project.module_name(path) or "").partition(".")[0] != package:
            continue
        binding = bindings(project.source(path) or b"").get(removed.name)
        if binding is not None and binding.kind == removed.kind and binding.signature == removed.signature \
                and binding.code == removed.code:
            found.append((relative, binding))
    return found[0] if len(found) == 1 else None
