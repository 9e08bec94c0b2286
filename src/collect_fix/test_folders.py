"""The folders pytest puts on ``sys.path`` for a test file, and the modules deleted from them.

In its default import mode (``prepend``; ``append`` too) pytest inserts the first folder upward
from a test module or conftest that is no package (holds no ``__init__.py``): ``tests/helpers.py``
is imported as ``helpers`` by the tests beside it. Such a module is the project's, though it is
under no source root; when git shows the project deleted it (``git mv tests/helpers.py
tests/factories.py``), it is a missing module of the project to recreate, never a distribution to
install (a name on the package index may be anyone's); unless the project declares a dependency of
that name (a local ``tests/mock.py`` that gave way to the ``mock`` package). The folders on pytest's
``pythonpath`` option are on ``sys.path`` for every test, in every import mode: the same holds there.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import NamedTuple, Optional

from collect_fix import source_trees
from collect_fix.dependencies import declared_dependency
from collect_fix.module_imports import scan
from collect_fix.git_evidence import (
    DEFINITION_KINDS,
    DeletedModule,
    bindings,
    deleted_module,
    moved_in_change,
    recently_deleted,
    source_after,
    source_before,
)
from collect_fix.project import Project, pytest_pythonpath
from collect_fix.pytest_config import configuration, import_mode


class DeletedBeside(NamedTuple):
    folder: Path  # the folder on sys.path the module was deleted from
    deleted: DeletedModule


def inserted_folder(project: Project, relative: str) -> Optional[Path]:
    """The folder pytest puts on ``sys.path`` when it imports the test module or conftest
    ``relative``; None for other files, under ``--import-mode=importlib``, or outside the project."""
    if not (project.is_test_module(relative) or project.is_conftest(relative)):
        return None
    if import_mode(configuration(project)) == "importlib":
        return None
    folder = (project.root / relative).parent
    while (folder / "__init__.py").is_file() and folder != project.root:
        folder = folder.parent
    return folder if folder == project.root or project.root in folder.parents else None


def _test_file_beside(project: Project, relative: str) -> Optional[str]:
    """A test module or conftest in the folder of ``relative`` (not a package), if there is one."""
    folder = (project.root / relative).parent
    if (folder / "__init__.py").is_file():
        return None
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    return next((project.relative(folder / name) for name in names
                 if name.endswith(".py") and (project.is_test_module(name) or project.is_conftest(name))), None)


def importable_folders(project: Project, relative: str) -> list[Path]:
    """The folders on ``sys.path`` whenever pytest imports the test module ``relative``: its own,
    then those of the conftests above it (each loaded before it), nearest first, then the
    project's folders on pytest's ``pythonpath`` (in every import mode). For a helper module
    beside the tests, those of a test module or conftest in its folder."""
    if not (project.is_test_module(relative) or project.is_conftest(relative)):
        # A helper beside the tests (``tests/factories.py``, imported as ``factories``) is imported
        # from where the test modules or conftests of its folder put it: theirs are its folders.
        sibling = _test_file_beside(project, relative)
        if sibling is None:
            return [Path(entry) for entry in pytest_pythonpath(project)]
        relative = sibling
    folders = []
    own = inserted_folder(project, relative)
    if own is not None:
        folders.append(own)
    folder = (project.root / relative).parent
    while folder == project.root or project.root in folder.parents:
        conftest = folder / "conftest.py"
        if conftest.is_file():
            found = inserted_folder(project, project.relative(conftest))
            if found is not None and found not in folders:
                folders.append(found)
        if folder == project.root:
            break
        folder = folder.parent
    for entry in pytest_pythonpath(project):
        path = Path(entry)
        if path not in folders:
            folders.append(path)
    return folders


def deleted_beside(project: Project, module: str, importer: str) -> Optional[DeletedBeside]:
    """``module``, when git shows the project deleted its file from a folder pytest puts on
    ``sys.path`` for ``importer`` (a test module or conftest), in the uncommitted changes or a
    recent commit (``git_evidence.recently_deleted``), the deleting change took nothing new from
    it in ``importer`` (``_imported_alike``), and the project neither declares a dependency of
    that name (a local ``tests/mock.py`` replaced by the ``mock`` package) nor imports it from
    its own packages; None otherwise. Where
    none of its names lives on, the planner gives advice rather than a stub module, which would
    shadow a package of that name once installed."""
    folders = importable_folders(project, importer)
    if not folders:
        return None
    deleted = recently_deleted(project)
    for folder in folders:
        base = folder.joinpath(*module.split("."))
        candidates = [project.relative(base.with_suffix(".py")), project.relative(base / "__init__.py")]
        if not any(candidate in deleted for candidate in candidates):
            continue
        if declared_dependency(project, module) or _imported_by_the_package(project, module):
            return None
        found = deleted_module(project, candidates)
        if found is not None and _imported_alike(project, found, importer, module, folder):
            return DeletedBeside(folder, found)
    return None


def _imported_by_the_package(project: Project, module: str) -> bool:
    """Whether a module of the project's own packages (no test, no conftest) imports ``module``
    by that name: it is a distribution the package depends on (``requests``), whatever a test
    folder once held under that name (a stand-in ``tests/requests.py``)."""
    for importer in scan(project).get(module).importers:
        if project.is_test_module(importer) or project.is_conftest(importer):
            continue
        if _test_file_beside(project, importer) is not None:
            continue  # a helper beside the tests (``tests/factories.py``): the suite's, not the package's
        name = project.module_name(project.root / importer)
        if name and project.owns_module(name):
            return True
    return False


def _imported_alike(project: Project, deleted: DeletedModule, importer: str, module: str, folder: Path) -> bool:
    """Whether the change that deleted ``module``'s file left ``importer`` taking it for that file:
    it only kept or dropped what it took (names re-sorted, split over lines, some moved to the new
    home), or it took something new that the module the file's definitions went to defines, and
    does not import that module itself (written against the old name, as before; of a file split
    in two, the test may import one half and take by the old name what the other defines). A change that
    took something new by that name otherwise (``from requests import get`` -> ``import requests``
    beside ``import fakes``; ``Session``, which neither file had) meant another ``module``. An
    importer git has no earlier version of (the test renamed on the way) tells nothing either way."""
    before = source_before(project, deleted, importer)
    if before is None:
        return True
    after = source_after(project, deleted, importer)
    new = _taken(after, module) - _taken(before, module)
    if not new:
        return True
    homes = _went_to(project, deleted, folder)
    if not homes:
        return False
    # Written against the old name only if what it takes anew is defined where the file went.
    defined = set().union(*(_defined(folder, home) for home in homes))
    imported = {home for home in homes if _taken(after, home)}
    elsewhere = set().union(*(_defined(folder, home) for home in homes - imported))
    if imported and all(name and name in elsewhere for _, name in new):
        return True  # what another of the split file's homes defines: the test half updated
    return not imported and all(name in defined for _, name in new if name)


def _defined(folder: Path, module: str) -> set[str]:
    """The names the module ``module`` (imported from ``folder``) binds at its top level now
    (annotated, and under an ``if`` or ``try``, too)."""
    path = folder.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    try:
        return set(bindings(path.read_bytes()))
    except OSError:
        return set()


def _went_to(project: Project, deleted: DeletedModule, folder: Path) -> set[str]:
    """The modules, as imported from ``folder``, that the change deleting the file moved its
    definitions to (``git_evidence.moved_in_change``)."""
    homes = set()
    for binding in deleted.bindings:
        found = moved_in_change(project, deleted.commit, deleted.path, binding, renamed=False) \
            if binding.kind in DEFINITION_KINDS else None
        path = project.root / found[0] if found is not None else None
        if path is not None and folder in path.parents:
            parts = path.relative_to(folder).with_suffix("").parts
            homes.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return homes


def _taken(source: Optional[bytes], module: str) -> set[tuple[str, str]]:
    """(module, name) for what ``source`` takes under ``module``'s top-level name: the names it
    imports from it, and for ``import module`` (name "") the attributes it reads off it
    (``requests.Session``)."""
    tree = source_trees.tree_of(source) if source is not None else None
    top = module.partition(".")[0]
    found: set[tuple[str, str]] = set()
    bound: dict[str, str] = {}  # the name ``import module [as name]`` binds -> the module
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.partition(".")[0] == top:
                    found.add((alias.name, ""))
                    bound[alias.asname or alias.name.partition(".")[0]] = alias.asname and alias.name or top
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").partition(".")[0] == top:
            found |= {(node.module or "", alias.name) for alias in node.names}
    for node in ast.walk(tree) if tree is not None and bound else ():
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
            found.add((bound[node.value.id], node.attr))
    return found
