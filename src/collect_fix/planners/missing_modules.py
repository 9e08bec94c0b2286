"""A project module that does not exist -> one stub module providing all the project takes from it.

Every importer in the tree is read (``module_imports.scan``), so one repair serves all of them.
Only modules of the project are stubbed; a missing third-party module is a dependency to install
and is left to its own repair. ``from pkg import sub``, where ``sub`` is used as a module and
``pkg`` is a package, fails as a missing *name*; ``plan_submodule`` recognises it so the
missing-names planner can hand it over.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import NamedTuple, Optional

from collect_fix.conditional_blocks import Block, binding_block
from collect_fix.definitions import absolute_module, package_of
from collect_fix.git_evidence import (
    DEFINITION_KINDS,
    Binding,
    DeletedModule,
    bindings,
    deleted_module,
    moved_in_change,
    source_before,
)
from collect_fix.dependencies import findable
from collect_fix.living_copies import living_copy
from collect_fix.script_modules import is_script
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
    return _plan_stubs(diagnosis, project, scan(project), module, options.python, beside.folder if beside else None)


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
    return _plan_stubs(diagnosis, project, imports, module, options.python)


def _plan_stubs(
    diagnosis: Diagnosis, project: Project, imports: ProjectImports, module: str, python: Optional[str],
    folder: Optional[Path] = None,
) -> Plan:
    """The same Repair for every diagnosis of one module, so the applier applies it once."""
    layout = _Layout(project, imports, module, python, folder)
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
    for each in (layout, layout.without_guesses()) if layout.guessed() else (layout,):
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


def _evidence(imports: ProjectImports, modules: tuple[str, ...]) -> str:
    importers = sorted(set().union(*(imports.get(module).importers for module in modules)))
    found = "imported by " + (", ".join(importers) if importers else "no file found statically")
    for module in modules:
        taken = imports.possible.get(module)
        if taken is not None and taken.as_module:
            package, _, name = module.rpartition(".")
            examples = ", ".join(f"{name}.{attribute}" for attribute in sorted(taken.names)[:3])
            found += f"; 'from {package} import {name}' is used as a module ({examples})"
    return found


def _exported(deleted: DeletedModule) -> set[str]:
    """The names ``from module import *`` took from a deleted module's last version: its literal
    ``__all__`` (``+=`` included), else what it bound not spelled private (definitions, aliases,
    names it imported; not modules it imported)."""
    if deleted.listed is not None:
        return set(deleted.listed)
    return {binding.name for binding in deleted.bindings if not binding.name.startswith("_") and (
        binding.kind in (*DEFINITION_KINDS, "alias") or (binding.kind == "import" and binding.imported))}


def _home_evidence(deleted: DeletedModule, name: str, home: "_Home") -> str:
    if home.how == "moved":
        return f"; {deleted.where} deleted {deleted.path} and added '{home.spelled(name)}' to {home.module} with the same code"
    if home.how == "restored":
        return (f"; {deleted.where} deleted {deleted.path}, which bound '{name}' under an if or a try: "
                "the block comes back as written, for the interpreter to take the branch it took before")
    if home.how == "imported":
        source = f"{home.via}, since moved to {home.module}" if home.via else home.module
        return (f"; {deleted.where} deleted {deleted.path}, which imported '{home.spelled(name)}' from {source}"
                + ("" if home.sure else " (not found outside pytest: the collection tells whether it imports)"))
    return (f"; {deleted.where} deleted {deleted.path}, whose '{name}' lives on in {home.module} with the same code "
            f"(the only module of the package with it)")


class _Home(NamedTuple):
    """Where a deleted module's definition lives now: its module, its name there, and whether the
    change that deleted the module put it there (else: the one module with the same code)."""

    module: str
    name: str
    how: str  # "moved" (by the change that deleted it), "lives on" (the same code), "imported", "restored"
    sure: bool = True  # False: imported from a module collect-fix could not find outside pytest
    via: str = ""  # imported from this module of the project, deleted too, whose name is now here
    block: Optional[Block] = None  # "restored": the if/try block that bound it, as written

    def spelled(self, old_name: str) -> str:
        return old_name if self.name == old_name else f"{old_name}' as '{self.name}"


class _Layout:
    """The modules a missing module needs, and the files that create them.

    ``needed``: the missing module, every missing module the project imports inside it, and
    every missing package on the way there, in sorted order so equal diagnoses give equal edits.
    """

    def __init__(
        self, project: Project, imports: ProjectImports, module: str, python: Optional[str] = None,
        folder: Optional[Path] = None,
    ) -> None:
        self.project = project
        self.folder = folder  # a test folder on sys.path the module was deleted from (``test_folders``)
        self.python = python  # the interpreter pytest runs with (--python), which must find a source
        self.guesses = True  # re-export what only the collection can tell works (``_Home.sure``)
        self.imports = imports
        self.top = module.split(".")[0]
        self.base = folder or _source_root(project, module)
        self.problem = ""
        self._history: dict[str, Optional[DeletedModule]] = {}
        self._moved: dict[tuple[str, str], Optional[_Home]] = {}  # edits, description and evidence each ask
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
        if deleted is not None:
            found |= _exported(deleted)
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
        if module not in self._history:
            target = self.base.joinpath(*module.split("."))
            paths = (target.with_suffix(".py"), target / "__init__.py")
            self._history[module] = deleted_module(self.project, [self.project.relative(path) for path in paths])
        return self._history[module]

    def moved(self, module: str, name: str) -> Optional[_Home]:
        """Where ``module``'s definition of ``name`` lives now: where the change that deleted
        ``module`` moved it, under that name or (the same code) another
        (``git_evidence.moved_in_change``), else the one module of the package with the same code
        under that name (``living_copies``: a fold over two commits, a home renamed since); None
        when neither tells."""
        home = self._home(module, name)
        return home if home is None or home.sure or self.guesses else None

    def _home(self, module: str, name: str) -> Optional[_Home]:
        if (module, name) not in self._moved:
            self._moved[module, name] = None  # asked: a cycle of imports between deleted modules ends here
            deleted = self.history(module)
            binding = deleted.get(name) if deleted is not None else None
            home: Optional[_Home] = None
            if deleted is not None and binding is not None:
                if binding.kind != "import":
                    home = self._moved_definition(deleted, binding)
                if home is None and binding.conditional:
                    home = self._block_lives_on(module, deleted, name)  # the same object, not a copy
                if home is None and binding.conditional:
                    home = self._restored(deleted, name)
                if home is None and binding.kind == "import":
                    home = self._imported(deleted, binding)
            self._moved[module, name] = home
        return self._moved[module, name]

    def guessed(self) -> bool:
        """Whether some name comes back from a module only the collection can tell works."""
        return any(home is not None and not home.sure
                   for module in self.needed for home in (self.moved(module, name) for name in self.names(module)))

    def without_guesses(self) -> "_Layout":
        """The same layout with the guessed names stubbed (the answers asked so far are shared)."""
        other = copy.copy(self)
        other.guesses = False
        return other

    def _moved_definition(self, deleted: DeletedModule, binding: Binding) -> Optional[_Home]:
        """Where the deleted module's definition went (``git_evidence.moved_in_change``), else the
        one module of the package with its code (``living_copies``)."""
        found = moved_in_change(self.project, deleted.commit, deleted.path, binding, renamed=False) \
            or moved_in_change(self.project, deleted.commit, deleted.path, binding, renamed=True)
        home_now = bindings(self.project.source(self.project.root / found[0]) or b"") if found else {}
        if found is not None and found[1].name not in home_now:
            found = None  # moved there, and moved or renamed on since
        how = "moved" if found is not None else "lives on"
        found = found or living_copy(self.project, deleted, binding)
        module_name = self._module_name(self.project.root / found[0]) if found else None
        return _Home(module_name, found[1].name, how) if found and module_name else None

    def _block_lives_on(self, module: str, deleted: DeletedModule, name: str) -> Optional[_Home]:
        """The ``if``/``try`` block that bound ``name``, as written, in the one module the deleted
        module's unconditional definitions went to (the module ``git mv``-ed): re-exported from
        there, importers share its object (a registry, an exception class) instead of a copy. The
        same lines elsewhere (a stock ``try: import simplejson as json``) tell no move."""
        block = binding_block(deleted.source, name)
        if block is None or not block.segment:
            return None
        definitions = [binding for binding in deleted.bindings
                       if binding.kind in DEFINITION_KINDS and not binding.conditional]
        homes = {home.module for binding in definitions for home in [self._home(module, binding.name)]
                 if home is not None and home.how in ("moved", "lives on")}
        if len(homes) != 1:
            return None  # all of it under blocks, or split: the same lines elsewhere tell no move
        path = self._module_file(homes.pop())
        source = (self.project.source(path) or b"") if path is not None else b""
        if path is None or block.segment not in source.decode("utf-8", errors="replace") \
                or name not in bindings(source) or is_script(self.project, path, ran_before=deleted.source):
            return None
        home_module = self._module_name(path)
        return _Home(home_module, name, "lives on") if home_module else None

    def _module_file(self, module: str) -> Optional[Path]:
        if self.folder is not None:
            base = self.folder.joinpath(*module.split("."))
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if candidate.is_file():
                    return candidate
        return self.project.module_file(module)

    def _module_name(self, path: Path) -> Optional[str]:
        """How the recreated module imports the project file ``path``: from the test folder on
        ``sys.path`` it was deleted from when ``path`` is there, else from its source root."""
        if self.folder is not None and self.folder in path.parents:
            parts = list(path.relative_to(self.folder).with_suffix("").parts)
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            return ".".join(parts) if parts and all(part.isidentifier() for part in parts) else None
        return self.project.module_name(path)

    def _imported(self, deleted: DeletedModule, binding: Binding) -> Optional[_Home]:
        """A name the deleted module imported (a facade's ``from app.models import User``, a
        ``from pathlib import Path``), from where it came: a module of the project that still
        binds it and is no script (what it ran at import while the deleted module imported it
        unconditionally is not new), or one the project's interpreter finds. A module it cannot
        find (a conftest may put a folder on ``sys.path``), or the first branch that would work of
        an ``if`` or ``try`` whose block could not be restored, is only a guess: the verifying
        collection judges it, with stubs as the next alternative."""
        guess: Optional[_Home] = None
        package = package_of(self.project, self.project.root / deleted.path)
        for branch in (binding, *binding.branches):
            source = absolute_module(branch.target, package) if branch.kind == "import" and branch.imported else None
            if not source:
                continue
            path = self.project.module_file(source)
            home: Optional[_Home] = None
            if path is not None:
                # Only an unconditional import surely ran: a branch not taken here (win32) never did.
                before = None if binding.conditional else source_before(self.project, deleted, self.project.relative(path))
                if branch.imported in bindings(self.project.source(path) or b"") \
                        and not is_script(self.project, path, ran_before=before):
                    home = _Home(source, branch.imported, "imported")
            elif self.project.owns_module(source):
                moved_on = self._home(source, branch.imported)  # that module went too: where its name is now
                if moved_on is not None and moved_on.how != "restored":
                    home = moved_on._replace(how="imported", via=source)
            else:
                home = _Home(source, branch.imported, "imported", sure=findable(self.project, source, self.python))
            if home is not None and home.sure and not binding.conditional:
                return home
            guess = guess or (home._replace(sure=False) if home is not None else None)
        return guess

    def _restored(self, deleted: DeletedModule, name: str) -> Optional[_Home]:
        """A name the deleted module bound under an ``if`` or ``try``, as that block
        (``conditional_blocks``): the interpreter chooses the branch, as it did before. None when
        the block reads the module's other names, or imports a project module that is now a
        script; a guess (stubs next) when it imports one of the project's that is gone."""
        block = binding_block(deleted.source, name)
        if block is None:
            return None
        package = package_of(self.project, self.project.root / deleted.path)
        sure = True
        for written, level in block.imports:
            source = absolute_module("." * level + written, package) if level else written
            path = self.project.module_file(source) if source else None
            if path is not None:
                before = source_before(self.project, deleted, self.project.relative(path))
                if is_script(self.project, path, ran_before=before):
                    return None  # it ran a branch's code before; it runs more now
            elif not source or self.project.owns_module(source):
                sure = False
        return _Home("", name, "restored", sure=sure, block=block)

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
            moved = {name: home for name in self.names(module) if (home := self.moved(module, name))}
            found.extend(_home_evidence(deleted, name, home) for name, home in sorted(moved.items()))
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
            edits.extend(Edit(self.path(module), "restore_block", (
                ("statement", block.text), ("names", ",".join(restored)),
                ("source", f"as {deleted.path} had it before {deleted.where}" if deleted else "as it was written")))
                for block, restored in blocks.items())
            edits.extend(Edit(self.path(module), "add_reexport", (("from_module", home.module), ("name", name))
                              + ((("new_name", home.name),) if home.name != name else ())
                              + ((("imported", True),) if home.how == "imported" else ()))
                         for name, home in sorted(moved.items()) if home.block is None)
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
            restored = [name for name, home in homes[module].items() if home and home.how == "restored"]
            reexported = [name for name in moved[module] if name not in restored]
            parts.append(f"{module} ({_count(len(self.names(module)))}"
                         + (f", re-exporting {', '.join(reexported)} from {self._where(module, reexported)}"
                            if reexported else "")
                         + (f", restoring {', '.join(restored)} as it was bound" if restored else "") + ")")
        noun = "module" if len(parts) == 1 else "modules"
        every_name_moved = any(moved.values()) and all(len(moved[module]) == len(self.names(module)) for module in created)
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
