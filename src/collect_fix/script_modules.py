"""Which project modules are scripts: importing one runs it (a purge job that deletes files).

collect-fix imports what it re-exports from (a moved name's new home, the source of an undefined
name) when it verifies a repair. A module whose import does more than bind names (a call, a loop
at its top level), which no file of the project imports and which is no package's
``__init__.py``, is a script: it is never such a source. One the project imports already runs
whenever its importers load (a library ``__init__`` that calls ``warnings.filterwarnings``).
"""

from __future__ import annotations

from pathlib import Path

from collect_fix import source_trees
from collect_fix.definitions import runs_only_definitions
from collect_fix.module_imports import scan
from collect_fix.project import Project


def is_script(project: Project, path: Path) -> bool:
    """Whether importing the project file ``path`` would run code nothing in the project runs now."""
    if path.name == "__init__.py":
        return False
    tree = source_trees.tree_of(project.source(path) or b"")
    if tree is None or runs_only_definitions(tree.body):
        return False
    module = project.module_name(path)
    return module is None or not scan(project).get(module).importers
