"""A project module that does not exist -> one stub module providing all the project takes from it.

Every importer in the tree is read (``module_imports.scan``), so one repair serves all of them.
Only modules of the project are stubbed; a missing third-party module is a dependency to install
and is left to its own repair. ``from pkg import sub``, where ``sub`` is used as a module and
``pkg`` is a package, fails as a missing *name*; ``plan_submodule`` recognises it so the
missing-names planner can hand it over.
"""

from __future__ import annotations

import copy
import re
import os
import shlex
from pathlib import Path
from typing import Optional

from collect_fix import source_trees
from collect_fix.conditional_blocks import Block
from collect_fix.definitions import runs_as_script
from collect_fix.deleted_homes import Home, Homes, Whole, evidence as home_evidence, listed_as_written
from collect_fix.git_evidence import DEFINITION_KINDS, DeletedModule
from collect_fix.test_folders import deleted_beside
from collect_fix.kinds import stub_kind
from collect_fix.module_imports import ProjectImports, scan
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair
from collect_fix.usage import import_time_blockers, infer_usage, usages

CATEGORIES = (Category.MISSING_MODULE,)


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    module = diagnosis.module
    beside = None
    if module and not project.owns_module(module) and diagnosis.path:
        beside = deleted_beside(project, module, diagnosis.path)  # tests/helpers.py, imported as helpers
    if not module or not (project.owns_module(module) or beside):
        return Plan(diagnosis, advice=f"'{module}' is not a module of this project: install the package providing it")
    existing = _existing(project, module)
    if existing is not None:
        return Plan(diagnosis, advice=f"{project.relative(existing)} exists but is not importable as '{module}': "
                                      "check the pytest pythonpath / rootdir")
    return _plan_stubs(diagnosis, project, scan(project), module, options, beside.folder if beside else None)


def plan_submodule(diagnosis: Diagnosis, project: Project, options: Options) -> Optional[Plan]:
    """A Plan creating ``pkg/sub.py`` when "cannot import name 'sub' from 'pkg'" means a module.

    None when the missing name is an ordinary name: ``pkg`` is not a package of the project,
    ``pkg.sub`` exists, or no importer reads attributes off ``sub`` (or one calls, subclasses
    or decorates with it).
    """
    package, name = diagnosis.module, diagnosis.subject
    if not package or not name or not name.isidentifier() or not project.owns_module(package):
        return None
    if _package_dir(project, package) is None:
        return None
    module = f"{package}.{name}"
    if _existing(project, module) is not None:
        return None
    imports = scan(project)
    found = imports.get(module)
    if not found.as_module or found.not_as_module:
        return None
    return _plan_stubs(diagnosis, project, imports, module, options)


def _plan_stubs(
    diagnosis: Diagnosis, project: Project, imports: ProjectImports, module: str, options: Options,
    folder: Optional[Path] = None,
) -> Plan:
    """The same Repair for every diagnosis of one module, so the applier applies it once."""
    layout = _Layout(project, imports, module, options.python, folder, options.pytest_args)
    if layout.problem:
        return Plan(diagnosis, advice=layout.problem)
    if folder is not None and not layout.guessed() and not any(
            layout.moved(needed, name) for needed in layout.needed for name in layout.names(needed)):
        deleted = layout.history(module)
        where = f"{deleted.path}, which {deleted.where} deleted" if deleted else "deleted"
        return Plan(diagnosis, advice=f"'{module}' was {where}, and none of its names lives on: restore it, or "
                                      "install the package the tests import by that name now, if they use one")
    repairs: list[Repair] = []
    advice = ""
    for each in _variants(layout):
        edits = each.edits()
        blocked = each.blocked(edits)
        if blocked:
            advice = advice or blocked
            continue
        refused = [reason for edit in edits if (reason := project.editable(project.root / edit.path))]
        if refused:
            return Plan(diagnosis, advice=f"cannot create stub module {module}: {refused[0]}")
        evidence = _evidence(imports, each.needed) + each.history_evidence()
        repairs.append(Repair(each.description(), tuple(edits), evidence))
    return Plan(diagnosis, tuple(repairs)) if repairs else Plan(diagnosis, advice=advice)


def _variants(layout: "_Layout") -> list["_Layout"]:
    """The layouts to try, in order, each with other edits: the one the evidence points to (a
    module moved whole kept as the module it became), then its names re-exported one by one, then
    the names bound under an ``if`` or ``try`` restored as their blocks (should the module holding
    them now fail to import), then the guessed names stubbed."""
    variants = [layout]
    if any(layout.became(module) for module in layout.needed):
        variants.append(layout.without_aliases())
    if layout.blocks_elsewhere():
        variants.append(layout.without_aliases().blocks_restored())
    if layout.guessed():
        variants.append(layout.without_guesses())
    unique: list[_Layout] = []
    for variant in variants:
        if all(variant.edits() != other.edits() for other in unique):
            unique.append(variant)
    return unique


def _evidence(imports: ProjectImports, modules: tuple[str, ...]) -> str:
    importers = sorted(set().union(*(imports.get(module).importers for module in modules)))
    found = "imported by " + (", ".join(importers) if importers else "no file found statically")
    for module in modules:
        taken = imports.possible.get(module)
        if taken is not None and taken.as_module:
            package, _, name = module.rpartition(".")
            examples = ", ".join(f"{name}.{attribute}" for attribute in sorted(taken.names)[:3])
            found += f"; 'from {package} import {name}' is used as a module" + (f" ({examples})" if examples else "")
    return found


def _exported(deleted: DeletedModule) -> set[str]:
    """The names ``from module import *`` took from a deleted module's last version: its literal
    ``__all__`` (``+=`` included), else what it bound not spelled private (definitions, aliases,
    names it imported; not modules it imported)."""
    if deleted.listed is not None:
        return set(deleted.listed)
    return {binding.name for binding in deleted.bindings if not binding.name.startswith("_") and (
        binding.kind in (*DEFINITION_KINDS, "alias") or (binding.kind == "import" and binding.imported))}


# What may turn doctests on in a conftest: the option attribute assigned anything but a literal
# False, directly, through ``vars()`` or by ``setattr``, or the flag given as an argument. Reading
# it (``getoption``, ``getattr``, ``==``, into a local ``doctestmodules``) does not.
_TURNS_DOCTESTS_ON = re.compile(rb"\.doctestmodules\s*=(?!=)(?!\s*False\b)"
                                rb"|\[\s*[\"']doctestmodules[\"']\s*\]\s*=(?!=)(?!\s*False\b)"
                                rb"|setattr\s*\([^,()]*,\s*[\"']doctestmodules[\"']\s*,(?!\s*False\b)"
                                rb"|[\"']--doctest-modules[\"']")


class _Layout:
    """The modules a missing module needs, and the files that create them.

    ``needed``: the missing module, every missing module the project imports inside it, and
    every missing package on the way there, in sorted order so equal diagnoses give equal edits.
    """

    def __init__(
        self, project: Project, imports: ProjectImports, module: str, python: Optional[str] = None,
        folder: Optional[Path] = None, pytest_args: tuple[str, ...] = (),
    ) -> None:
        self.project = project
        self.folder = folder  # a test folder on sys.path the module was deleted from (``test_folders``)
        self.guesses = True  # re-export what only the collection can tell works (``Home.sure``)
        self.aliases = True  # a module moved whole is kept as the module it became
        self.imports = imports
        self.top = module.split(".")[0]
        self.base = folder or _source_root(project, module)
        self.problem = ""
        self.homes = Homes(project, self.base, folder, python)
        self.pytest_args = pytest_args  # what pytest runs with beyond its ini file (--pytest-args)
        wanted = [name for name in (module, *imports.under(module)) if _existing(project, name) is None]
        needed: set[str] = set()
        top_level = 1 if folder is not None else 2  # a source root's top-level package is there
        for name in wanted:
            parts = name.split(".")
            for depth in range(top_level, len(parts) + 1):
                ancestor = ".".join(parts[:depth])
                if _existing(project, ancestor) is None:
                    needed.add(ancestor)
                elif _package_dir(project, ancestor) is None and ancestor != name:
                    self.problem = (f"'{ancestor}' is a module, not a package, so it cannot hold '{name}': "
                                    f"turn it into a package by hand")
        self.needed = tuple(sorted(needed))

    def is_package(self, module: str) -> bool:
        return any(other.startswith(module + ".") for other in self.needed)

    def names(self, module: str) -> tuple[str, ...]:
        """What importers take from ``module``, minus the submodules this repair creates; with a
        ``from module import *``, also what the deleted module's last version exported."""
        taken = self.imports.get(module)
        found = set(taken.names)
        deleted = self.history(module) if taken.starred else None
        if deleted is not None:  # and its list, which decides what the star takes (review hAO 08)
            found |= _exported(deleted) | ({"__all__"} if listed_as_written(deleted) else set())
        return tuple(sorted(name for name in found if f"{module}.{name}" not in self.needed))

    def regular(self, package: str) -> bool:
        """Whether ``package`` has (or gets) an ``__init__.py``: only those get new ones below them."""
        if package not in self.needed:
            directory = _package_dir(self.project, package)
            return directory is not None and (directory / "__init__.py").is_file()
        return bool(self.names(package)) or self.regular(package.rpartition(".")[0])

    def path(self, module: str) -> str:
        target = self.base.joinpath(*module.split("."))
        target = target / "__init__.py" if self.is_package(module) else target.with_suffix(".py")
        return self.project.relative(target)

    def history(self, module: str) -> Optional[DeletedModule]:
        """The module's last version, when a change deleted its file (as a module or a package)."""
        return self.homes.history(module)

    def moved(self, module: str, name: str) -> Optional[Home]:
        """Where ``module``'s definition of ``name`` lives now: where the change that deleted
        ``module`` moved it, under that name or (the same code) another
        (``git_evidence.moved_in_change``), else the one module of the package with the same code
        under that name (``living_copies``: a fold over two commits, a home renamed since); None
        when neither tells."""
        home = self.homes.of(module, name)
        return home if home is None or home.sure or self.guesses else None

    def guessed(self) -> bool:
        """Whether some name comes back from a module only the collection can tell works."""
        return any(home is not None and not home.sure
                   for module in self.needed for home in (self.moved(module, name) for name in self.names(module)))

    def became(self, module: str) -> Optional[Whole]:
        """The module ``module`` became as a whole (``Homes.whole``), when it is recreated as that
        very module (``sys.modules``): attributes and patches by dotted name reach the code."""
        if not self.aliases or self.is_package(module) or self.imports.get(module).starred:
            return None  # a star import takes what the module exported: each name, as before
        if self._collected_by_pytest(self.path(module)):
            return None  # pytest imports it by its path: another file's module there is an "import file mismatch"
        return self.homes.whole(module, self.names(module))

    def _collected_by_pytest(self, relative: str) -> bool:
        """Whether pytest collects the file itself: a test module, or any module for doctests."""
        if self.project.is_test_module(relative) or self.project.is_conftest(relative):
            return True
        if self.project.settings is not None:  # what pytest's own config said, however it was configured
            return self.project.settings.doctest_modules
        from collect_fix.pytest_config import configuration, doctest_modules

        given = (*self.pytest_args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", "")))
        # pytest stopped before it was configured (a conftest failed): one that may turn doctests on is taken at its word.
        return doctest_modules(configuration(self.project), given) or any(
            _TURNS_DOCTESTS_ON.search(self.project.source(path) or b"")
            for path in self.project.python_files() if self.project.is_conftest(path))

    def _runs_as_script(self, module: str) -> bool:
        """Whether ``module`` has a top-level ``if __name__ == "__main__":`` (``python -m`` runs it)."""
        path = self.project.module_file(module)
        tree = source_trees.tree_of(self.project.source(path) or b"") if path is not None else None
        return tree is not None and runs_as_script(tree)

    def without_aliases(self) -> "_Layout":
        """The same layout with every module's names re-exported one by one."""
        other = copy.copy(self)
        other.aliases = False
        return other

    def blocks_elsewhere(self) -> bool:
        """Whether some name bound under an ``if`` or ``try`` comes back from another module."""
        for module in self.needed:
            deleted = self.history(module)
            for name in self.names(module) if deleted is not None else ():
                binding = deleted.get(name) if deleted is not None else None
                home = self.moved(module, name)
                if binding is not None and binding.conditional and home is not None and home.how != "restored":
                    return True
        return False

    def blocks_restored(self) -> "_Layout":
        """The same layout with the names bound under an ``if`` or ``try`` restored as blocks."""
        other = copy.copy(self)
        other.homes = self.homes.blocks_restored()
        return other

    def without_guesses(self) -> "_Layout":
        """The same layout with the guessed names stubbed (the answers asked so far are shared)."""
        other = copy.copy(self)
        other.guesses = False
        return other

    def stub(self, module: str, name: str) -> tuple[str, ...]:
        """(name, kind) from usage, or (name, kind, signature) when history knows the definition."""
        used_as, _ = infer_usage(self.project, module, name)
        deleted = self.history(module)
        binding = deleted.get(name) if deleted is not None else None
        if binding is None:
            return name, used_as
        kind = stub_kind(used_as, usages(self.project, module, name), binding.kind)
        if kind == binding.kind and binding.signature is not None:
            return name, kind, binding.signature
        return name, kind

    def history_evidence(self) -> str:
        found: list[str] = []
        for module in self.needed:
            deleted = self.history(module)
            if deleted is None:
                continue
            became = self.became(module)
            if became is not None:
                renamed = "".join(f", '{old}' as '{new}'" for old, new in became.renamed)
                found.append(f"; {deleted.where} deleted {deleted.path} and moved its definitions to {became.module}"
                             f"{renamed}, which binds every other name it bound that its importers take, the same "
                             "way: kept as that very module"
                             + (" (a module object of its own that reads, sets and deletes an old name as its new "
                                "one)" if renamed else "")
                             + ", so its attributes and patches by dotted name reach the code")
                continue
            moved = {name: home for name in self.names(module) if (home := self.moved(module, name))}
            found.extend(home_evidence(deleted, name, home) for name, home in sorted(moved.items()))
            known = [name for name in self.names(module) if deleted.get(name) is not None and name not in moved]
            signed = [name for name in known if len(self.stub(module, name)) == 3]
            if known or not moved:
                found.append(
                    f"; {deleted.where} deleted {deleted.path}, whose last version gives the kinds of "
                    f"{', '.join(known) or 'none of the names'}"
                    + (f" and the parameters of {', '.join(signed)}" if signed else "")
                )
        return "".join(found)

    def edits(self) -> list[Edit]:
        edits = []
        for module in self.needed:
            became = self.became(module)
            if became is not None:
                deleted = self.history(module)
                renamed = ",".join(f"{old}={new}" for old, new in became.renamed)
                edits.append(Edit(self.path(module), "alias_module", (
                    ("module", became.module), ("source", f"moved whole by {deleted.where}" if deleted else "moved whole"))
                    + ((("renamed", renamed),) if renamed else ())
                    + ((("main", "1"),) if self._runs_as_script(became.module) else ())))
                continue
            names = self.names(module)
            moved = {name: home for name in names if (home := self.moved(module, name))}
            stubs = tuple(self.stub(module, name) for name in names if name not in moved)
            if stubs:
                edits.append(Edit(self.path(module), "add_stubs", (("stubs", stubs),)))
            blocks: dict[Block, list[str]] = {}
            for name, home in sorted(moved.items()):
                if home.block is not None:
                    blocks.setdefault(home.block, []).append(name)
            deleted = self.history(module)  # blocks first: a re-export's marker stays above its import
            restores = [Edit(self.path(module), "restore_block", (
                ("statement", block.text), ("names", ",".join(restored)),
                ("source", f"as {deleted.path} had it before {deleted.where}" if deleted else "as it was written")))
                for block, restored in blocks.items()]
            edits.extend(edit for edit in restores if edit.kwargs()["names"] != "__all__")
            edits.extend(Edit(self.path(module), "add_reexport", (("from_module", home.module), ("name", name))
                              + ((("new_name", home.name),) if home.name != name else ())
                              + ((("imported", True),) if home.how == "imported" else ()))
                         for name, home in sorted(moved.items()) if home.block is None)
            # The old list last: the names re-exported above it are not added to it (``_normalize``).
            edits.extend(edit for edit in restores if edit.kwargs()["names"] == "__all__")
            if not names and (not self.is_package(module) or self.regular(module.rpartition(".")[0])):
                edits.append(Edit(self.path(module), "create_empty"))
        return sorted(edits, key=lambda edit: edit.path)  # stable: a file's stubs come before its re-exports

    def blocked(self, edits: list[Edit]) -> str:
        """Why no stub module can work, when a stub would be used at import time; else ""."""
        for edit in edits:
            module = next(name for name in self.needed if self.path(name) == edit.path)
            for stub in edit.kwargs().get("stubs", ()):
                name, kind = stub[0], stub[1]
                blockers = import_time_blockers(self.project, module, name, kind)
                if blockers:
                    uses = "; ".join(str(blocker) for blocker in blockers[:3])
                    return (f"'{module}.{name}' is used at import time ({uses}): no stub value can stand in for "
                            f"it; create {edit.path} with its real value")
        return ""

    def _where(self, module: str, names: list[str]) -> str:
        homes = [self.moved(module, name) for name in names]
        imported = [home is not None and home.how == "imported" for home in homes]
        return "where it came from" if all(imported) else "where it moved" if not any(imported) else "where each is now"

    def description(self) -> str:
        created = [module for module in self.needed if self.names(module) or not self.is_package(module)]
        homes = {module: {name: self.moved(module, name) for name in self.names(module)} for module in created}
        moved = {module: [name for name, home in homes[module].items() if home] for module in created}
        parts = []
        for module in created:
            became = self.became(module)
            if became is not None:
                parts.append(f"{module} (as {became.module}, the module it became)")
                continue
            restored = [name for name, home in homes[module].items() if home and home.how == "restored"]
            reexported = [name for name in moved[module] if name not in restored]
            parts.append(f"{module} ({_count(len(self.names(module)))}"
                         + (f", re-exporting {', '.join(reexported)} from {self._where(module, reexported)}"
                            if reexported else "")
                         + (f", restoring {', '.join(restored)} as it was bound" if restored else "") + ")")
        noun = "module" if len(parts) == 1 else "modules"
        whole = {module for module in created if self.became(module)}
        every_name_moved = (any(moved.values()) or bool(whole)) and all(
            module in whole or len(moved[module]) == len(self.names(module)) for module in created)
        return f"{'recreate' if every_name_moved else 'create stub'} {noun} {', '.join(parts)}"


def _count(number: int) -> str:
    return f"{number} name" if number == 1 else f"{number} names"


def _existing(project: Project, module: str) -> Optional[Path]:
    """The file or package directory of ``module`` on any source root, or None."""
    return project.module_file(module) or _package_dir(project, module)


def _package_dir(project: Project, module: str) -> Optional[Path]:
    """The directory of package ``module`` (regular or namespace) on any source root, or None."""
    for source_root in project.source_roots:
        directory = source_root.joinpath(*module.split("."))
        if directory.is_dir():
            return directory
    return None


def _source_root(project: Project, module: str) -> Path:
    """Where new files go: beside the deepest existing package on the module's path."""
    parts = module.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        for source_root in reversed(project.source_roots):
            if source_root.joinpath(*parts[:depth]).is_dir():
                return source_root
    return project.package_root(parts[0])
