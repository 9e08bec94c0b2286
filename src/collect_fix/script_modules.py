"""Which project modules are scripts: importing one runs it (a purge job that deletes files).

collect-fix imports what it re-exports from (a moved name's new home, the source of an undefined
name) when it verifies a repair. A module whose import does more than bind names (a call, a loop
at its top level: ``definitions.code_run_at_import``), which no file of the project imports and
which is no package's ``__init__.py``, is a script: it is never such a source. One the project
imports already runs whenever its importers load (a library ``__init__`` that calls
``warnings.filterwarnings``); code the tests ran before is not new either: what the module a
module was moved into (``git mv``) ran, what a module ran while a deleted facade still imported it.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Optional

from collect_fix import source_trees
from collect_fix.definitions import code_run_at_import
from collect_fix.module_imports import scan
from collect_fix.project import Project


def is_script(project: Project, path: Path, ran_before: Optional[bytes] = None) -> bool:
    """Whether importing the project file ``path`` would run code nothing in the project runs
    now; ``ran_before``: a module whose import-time code the tests ran (the one ``path`` took its
    code from, ``path`` itself as a deleted importer saw it), which is not new."""
    if path.name == "__init__.py":
        return False
    tree = source_trees.tree_of(project.source(path) or b"")
    run = code_run_at_import(tree.body) if tree is not None else []
    if run and ran_before is not None:
        before = source_trees.tree_of(ran_before)
        ran = {ast.dump(statement) for statement in code_run_at_import(before.body)} if before is not None else set()
        run = [statement for statement in run if ast.dump(statement) not in ran]
    if not run:
        return False
    module = project.module_name(path)
    return module is None or not scan(project).get(module).importers
