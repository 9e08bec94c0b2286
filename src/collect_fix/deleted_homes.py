"""Where each name of a deleted module lives now, so the module recreated in its place
re-exports the real object instead of a stub.

The evidence, strongest first: the change that deleted the module moved the definition
(``git_evidence.moved_in_change``), or the one module of the package holds the same code
(``living_copies``); a name bound under an ``if`` or ``try`` is re-exported from the module the
deleted module's definitions went to, or its block restored as written (``conditional_blocks``);
a name the deleted module imported comes from where it came from. A home only the collection can
tell works (``Home.sure`` False) is a guess, which the plan follows with stubs.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from pathlib import Path
from typing import Iterable, NamedTuple, Optional

from collect_fix import source_trees
from collect_fix.conditional_blocks import Block, binding_block
from collect_fix.definitions import absolute_module, package_of
from collect_fix.dependencies import absent_at_import, findable
from collect_fix.git_evidence import (
    DEFINITION_KINDS,
    Binding,
    DeletedModule,
    bindings,
    deleted_module,
    moved_in_change,
    name_change,
    source_before,
    tells_under_another_name,
)
from collect_fix.living_copies import living_copy
from collect_fix.project import Project
from collect_fix.script_modules import is_script


class Home(NamedTuple):
    """Where a deleted module's definition lives now: its module, its name there, and whether the
    change that deleted the module put it there (else: the one module with the same code)."""

    module: str
    name: str
    how: str  # "moved" (by the change that deleted it), "lives on" (the same code), "imported", "restored",
    # "became" (defined in the one module the deleted one's definitions went to)
    sure: bool = True  # False: imported from a module collect-fix could not find outside pytest
    via: str = ""  # imported from this module of the project, deleted too, whose name is now here
    block: Optional[Block] = None  # "restored": the if/try block that bound it, as written
    renamed: str = ""  # a rename before the module went, as git tells it ("commit 1a2b renamed ...")
    then: str = ""  # a rename in its new home since

    def spelled(self, old_name: str) -> str:
        return old_name if self.name == old_name else f"{old_name}' as '{self.name}"


def _written_alike(old: Binding, new: Optional[Binding]) -> bool:
    """Whether ``new`` binds its name as ``old`` did, word for word (an import, a constant, an
    alias; under the same ``if`` or ``try`` or none)."""
    return new is not None and (old.kind, old.text, old.target, old.imported, old.shape, old.conditional) == (
        new.kind, new.text, new.target, new.imported, new.shape, new.conditional)


def evidence(deleted: DeletedModule, name: str, home: "Home") -> str:
    """What tells that ``home`` is where the deleted module's ``name`` lives now, for the plan's evidence."""
    if home.renamed:
        return f"; {home.renamed}" + evidence(deleted, home.name, home._replace(renamed=""))
    if home.then:
        return evidence(deleted, name, home._replace(name=name, then="")) + f"; {home.then}"
    if home.how == "moved":
        return f"; {deleted.where} deleted {deleted.path} and added '{home.spelled(name)}' to {home.module} with the same code"
    if home.how == "became":
        return (f"; {deleted.where} deleted {deleted.path}, whose definitions all went to {home.module}, "
                f"which defines '{name}'")
    if home.how == "restored" and home.block is not None and not home.block.imports and name == "__all__":
        return f"; {deleted.where} deleted {deleted.path}, which listed its names as `{home.block.segment}`: back as written"
    if home.how == "restored":
        return (f"; {deleted.where} deleted {deleted.path}, which bound '{name}' under an if or a try: "
                "the block comes back as written, for the interpreter to take the branch it took before")
    if home.how == "imported":
        source = f"{home.via}, since moved to {home.module}" if home.via else home.module
        return (f"; {deleted.where} deleted {deleted.path}, which imported '{home.spelled(name)}' from {source}"
                + ("" if home.sure else " (not found outside pytest: the collection tells whether it imports)"))
    return (f"; {deleted.where} deleted {deleted.path}, whose '{name}' lives on in {home.module} with the same code "
            f"(the only module of the package with it)")


class Whole(NamedTuple):
    """The module a deleted module became as a whole, and the names renamed on the way (old, new)."""

    module: str
    renamed: tuple[tuple[str, str], ...] = ()


class Homes:
    """The homes of the names of modules deleted under ``base`` (the source root a missing module
    is recreated in, or ``folder``: the test folder on ``sys.path`` it was deleted from), asked
    once each: the layout's edits, description and evidence all ask."""

    def __init__(self, project: Project, base: Path, folder: Optional[Path], python: Optional[str]) -> None:
        self.project = project
        self.blocks_first = False  # a name bound under an if or a try comes back as its block first
        self.base = base
        self.folder = folder
        self.python = python  # the interpreter pytest runs with (--python), which must find a source
        self._history: dict[str, Optional[DeletedModule]] = {}
        self._found: dict[tuple[str, str], Optional[Home]] = {}

    def history(self, module: str) -> Optional[DeletedModule]:
        """The module's last version, when a change deleted its file (as a module or a package)."""
        if module not in self._history:
            target = self.base.joinpath(*module.split("."))
            paths = (target.with_suffix(".py"), target / "__init__.py")
            self._history[module] = deleted_module(self.project, [self.project.relative(path) for path in paths])
        return self._history[module]

    def blocks_restored(self) -> "Homes":
        """The same homes, except that a name bound under an ``if`` or ``try`` comes back as its
        block, restored, wherever that can be: the next choice when the module that holds it now
        fails to import (a console script of a missing extra, a sibling with the same lines)."""
        other = copy.copy(self)
        other.blocks_first, other._found = True, {}
        return other

    def of(self, module: str, name: str) -> Optional[Home]:
        """Where ``module``'s ``name`` lives now, by the strongest evidence there is; None when
        nothing tells (a stub then stands in for it)."""
        if (module, name) not in self._found:
            self._found[module, name] = None  # asked: a cycle of imports between deleted modules ends here
            deleted = self.history(module)
            binding = deleted.get(name) if deleted is not None else None
            home: Optional[Home] = None
            if deleted is not None and binding is None:
                home = self._renamed_before(module, deleted, name) or self._defined_where_it_went(module, deleted, name)
            if deleted is not None and binding is not None:
                if name == "__all__":  # a list as written, not a re-export of the list it moved into
                    home = listed_as_written(deleted)
                if home is None and self.blocks_first and binding.conditional:
                    home = self._restored(deleted, name)
                if home is None and binding.kind != "import":
                    # A name each branch binds its own way (``if WINDOWS: def sep(): ...`` / ``else:
                    # def sep(): ...``): the same code elsewhere is only the branch it copies.
                    home = self._moved_definition(deleted, binding, copies=not (binding.conditional and binding.branches))
                if home is None and binding.conditional:
                    home = self._block_lives_on(module, deleted, name)  # the same object, not a copy
                if home is not None and binding.conditional and home.how == "lives on" and self._fails_to_import(home):
                    home = None  # the same lines in a module that imports what is not installed: restored instead
                if home is None and binding.conditional:
                    home = self._restored(deleted, name)
                if home is None and binding.kind == "import":
                    home = self._imported(deleted, binding)
                if home is None and binding.kind == "alias":
                    home = self._aliased(deleted, binding)
            self._found[module, name] = home
        return self._found[module, name]

    def _moved_definition(self, deleted: DeletedModule, binding: Binding, copies: bool = True) -> Optional[Home]:
        """Where the deleted module's definition went (``git_evidence.moved_in_change``), else the
        one module of the package with its code (``living_copies``), unless ``copies`` is False."""
        found = moved_in_change(self.project, deleted.commit, deleted.path, binding, renamed=False) \
            or moved_in_change(self.project, deleted.commit, deleted.path, binding, renamed=True)
        home_now = bindings(self.project.source(self.project.root / found[0]) or b"") if found else {}
        then = ""
        if found is not None and found[1].name not in home_now:  # moved there, and moved or renamed on since
            onward = name_change(self.project, found[0], found[1].name)
            successor = onward.successor if onward is not None else None
            if onward is None or successor is None or successor.name not in home_now:
                found = None
            else:
                then = f"{onward.where} renamed it to '{successor.name}' in {found[0]} ({onward.why})"
                found = (found[0], successor)
        elif found is not None and found[1].shape and home_now[found[1].name].shape != found[1].shape:
            # Another definition by that name now: where the moved code itself went, if it did
            # (renamed, the name reused); else the definition was only edited since.
            same = [now for now in home_now.values() if now.kind == found[1].kind and now.shape == found[1].shape]
            if len(same) == 1 and tells_under_another_name(found[1], same[0]):  # a ``return {}`` tells nothing
                then = (f"its code is '{same[0].name}' in {found[0]} now, and '{found[1].name}' there is "
                        f"another definition")
                found = (found[0], same[0])
        how = "moved" if found is not None else "lives on"
        if found is None and copies:
            found = living_copy(self.project, deleted, binding)
        module_name = self._module_name(self.project.root / found[0]) if found else None
        return Home(module_name, found[1].name, how, then=then) if found and module_name else None

    def whole(self, module: str, taken: Iterable[str]) -> Optional[Whole]:
        """The module ``module`` became as a whole (``git mv``), with the names the same change
        renamed in it: the one module git shows its definitions went to, which binds every name in
        ``taken`` (what importers take from it) or its new name, every other name it bound the same
        way (or not at all, where no importer takes it: an import a later change dropped), and no
        old name for something else; a name importers take that it did not bind is that module's
        own (added by the move), not one renamed before and reused there. None otherwise."""
        deleted = self.history(module)
        went = self._went_to(module, deleted) if deleted is not None else None
        if deleted is None or went is None:
            return None
        became, renamed = went
        path = self._module_file(became)
        now = bindings(self.project.source(path) or b"") if path is not None else {}
        taken = set(taken)
        if not taken <= set(now) | set(renamed) or set(renamed) & set(now):
            return None
        for name in taken - set(renamed):
            home = self.of(module, name) if deleted.get(name) is None else None
            if deleted.get(name) is None and (home is None or (home.module, home.name) != (became, name)):
                return None  # renamed before the move (its name reused there since), or not the module's
        same = all(binding.kind in DEFINITION_KINDS and not binding.conditional  # moved: the same code
                   and (binding.name != "__all__" or binding.name not in taken)  # a list importers read: as written
                   or _written_alike(binding, now.get(binding.name))
                   or binding.name not in now and binding.name not in taken for binding in deleted.bindings)
        return Whole(became, tuple(sorted(renamed.items()))) if same else None

    def _went_to(self, module: str, deleted: DeletedModule) -> Optional[tuple[str, dict[str, str]]]:
        """The one module the change that deleted ``module`` moved all its unconditional
        definitions to, and the ones it renamed on the way (old -> new)."""
        homes = [(binding.name, self.of(module, binding.name)) for binding in _definitions(deleted)]
        went = {home.module for _, home in homes if home is not None}
        if not homes or len(went) != 1 or any(home is None or home.how != "moved" or home.then for _, home in homes):
            return None
        return went.pop(), {name: home.name for name, home in homes if home is not None and home.name != name}

    def _defined_where_it_went(self, module: str, deleted: DeletedModule, name: str) -> Optional[Home]:
        """A name the deleted module never bound, defined in the one module all its definitions
        went to (``git mv helpers.py factories.py``, which added ``make_group``), or in just one of
        the modules they were split into (``assertions.py`` beside ``factories.py``, which added
        ``assert_all_valid``): an importer written against the old name, as before, means that module."""
        if name_change(self.project, deleted.path, name) is not None:
            return None  # the module had it once and lost it before: an importer means that one, not a namesake
        went = self._went_to(module, deleted)
        modules = [went[0]] if went is not None else self._split_into(module, deleted)
        found = []
        for candidate in modules:
            path = self._module_file(candidate)
            binding = bindings(self.project.source(path) or b"").get(name) if path is not None else None
            if binding is not None and binding.kind in DEFINITION_KINDS:
                found.append(candidate)
        return Home(found[0], name, "became") if len(found) == 1 else None

    def _split_into(self, module: str, deleted: DeletedModule) -> list[str]:
        """The modules the change that deleted ``module`` moved all its unconditional definitions
        to, when they went to several; none where one of them did not move."""
        homes = [self.of(module, binding.name) for binding in _definitions(deleted)]
        if not homes or any(home is None or home.how != "moved" or home.then for home in homes):
            return []
        return sorted({home.module for home in homes if home is not None})

    def _renamed_before(self, module: str, deleted: DeletedModule, name: str) -> Optional[Home]:
        """A name the deleted module's last version no longer bound, renamed in it by an earlier
        change (git pairs the two): where its successor lives now, under the successor's name."""
        change = name_change(self.project, deleted.path, name)
        successor = change.successor if change is not None else None
        if change is None or successor is None or deleted.get(successor.name) is None:
            return None
        home = self.of(module, successor.name)
        if home is None or home.how == "restored":
            return None
        step = f"{change.where} renamed '{name}' to '{successor.name}' in {deleted.path} ({change.why})"
        return home._replace(renamed="; ".join(filter(None, (step, home.renamed))))

    def _block_lives_on(self, module: str, deleted: DeletedModule, name: str) -> Optional[Home]:
        """The ``if``/``try`` block that bound ``name``, as written, in the one module the deleted
        module's unconditional definitions went to (the module ``git mv``-ed), or else the one
        the block's definitions went to (the block folded into a module of its own): re-exported
        from there, importers share its object (a registry, an exception class) instead of a
        copy. The same lines elsewhere (a stock ``try: import simplejson as json``) tell no move."""
        block = binding_block(deleted.source, name)
        if block is None or not block.segment:
            return None
        definitions = [binding for binding in deleted.bindings
                       if binding.kind in DEFINITION_KINDS and not binding.conditional]
        went = {home.module for binding in definitions for home in [self.of(module, binding.name)]
                if home is not None and home.how in ("moved", "lives on")}
        mates = [binding for other in sorted(block.names) for binding in [deleted.get(other)]
                 if binding is not None and binding.kind in DEFINITION_KINDS]
        mates_went = {home.module for binding in mates for home in [self._moved_definition(deleted, binding)]
                      if home is not None}
        for homes in (went, mates_went):
            if len(homes) != 1:
                continue  # all of it under blocks, or split: the same lines elsewhere tell no move
            path = self._module_file(next(iter(homes)))
            source = (self.project.source(path) or b"") if path is not None else b""
            if path is None or block.segment not in source.decode("utf-8", errors="replace") \
                    or name not in bindings(source) or is_script(self.project, path, ran_before=deleted.source):
                continue
            home_module = self._module_name(path)
            return Home(home_module, name, "lives on") if home_module else None
        return None

    def _fails_to_import(self, home: Home) -> bool:
        """Whether importing the home's module fails here: it imports, unconditionally, a package
        the project's interpreter does not find (a console script of an extra not installed)."""
        path = self._module_file(home.module)
        return path is not None and bool(absent_at_import(self.project, path, self.python))

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

    def _imported(self, deleted: DeletedModule, binding: Binding) -> Optional[Home]:
        """A name the deleted module imported (a facade's ``from app.models import User``, a
        ``from pathlib import Path``), from where it came: a module of the project that still
        binds it and is no script (what it ran at import while the deleted module imported it
        unconditionally is not new), or one the project's interpreter finds. A module it cannot
        find (a conftest may put a folder on ``sys.path``), or the first branch that would work of
        an ``if`` or ``try`` whose block could not be restored, is only a guess: the verifying
        collection judges it, with stubs as the next alternative."""
        guess: Optional[Home] = None
        package = package_of(self.project, self.project.root / deleted.path)
        for branch in (binding, *binding.branches):
            source = absolute_module(branch.target, package) if branch.kind == "import" and branch.imported else None
            if not source:
                continue
            path = self.project.module_file(source)
            home: Optional[Home] = None
            if path is not None:
                # Only an unconditional import surely ran: a branch not taken here (win32) never did.
                before = None if binding.conditional else source_before(self.project, deleted, self.project.relative(path))
                if branch.imported in bindings(self.project.source(path) or b"") \
                        and not is_script(self.project, path, ran_before=before):
                    home = Home(source, branch.imported, "imported")
            elif self.project.owns_module(source):
                moved_on = self.of(source, branch.imported)  # that module went too: where its name is now
                if moved_on is not None and moved_on.how != "restored":
                    home = moved_on._replace(how="imported", via=source)
            else:
                home = Home(source, branch.imported, "imported", sure=findable(self.project, source, self.python))
            if home is not None and home.sure and not binding.conditional:
                return home
            guess = guess or (home._replace(sure=False) if home is not None else None)
        return guess

    def _aliased(self, deleted: DeletedModule, binding: Binding) -> Optional[Home]:
        """``cache_size = _utils.cache_size``, where the deleted module imported ``_utils`` (``from
        app import utils as _utils``): as if it had imported the attribute from that module, which
        comes back from where it is now (``_imported``)."""
        head, _, attribute = binding.target.partition(".")
        source = deleted.get(head) if attribute and attribute.isidentifier() else None
        if source is None or source.kind != "import" or source.conditional:
            return None
        module = source.target if not source.imported else (
            source.target + source.imported if source.target.endswith(".") else f"{source.target}.{source.imported}")
        return self._imported(deleted, replace(binding, kind="import", target=module, imported=attribute))

    def _restored(self, deleted: DeletedModule, name: str) -> Optional[Home]:
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
        return Home("", name, "restored", sure=sure, block=block)


def listed_as_written(deleted: DeletedModule) -> Optional[Home]:
    """The deleted module's ``__all__``, a literal list of names that an importer reads (review
    hAN 08: ``slugs.__all__``, ``from slugs import *``), back as written: it says what the old
    module exported, which no other module's list does. Only where that one statement is the
    whole list (no ``__all__ += [...]`` or ``.append`` after it)."""
    binding = deleted.get("__all__")
    tree = source_trees.tree_of(binding.text.encode()) if binding is not None and binding.kind == "constant" else None
    value = tree.body[0].value if tree is not None and len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign) else None
    if binding is None or value is None or not _names_listed(value) or not _listed_once(deleted.source):
        return None
    text = binding.text + "\n"
    return Home("", binding.name, "restored", block=Block(text, frozenset({binding.name}), (), binding.text))


def _listed_once(source: bytes) -> bool:
    """Whether one statement alone makes the module's ``__all__``: no ``+=``, ``.append``, second ``=``."""
    tree = source_trees.tree_of(source)
    if tree is None:
        return False
    assigned = [node for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
                and any(isinstance(target, ast.Name) and target.id == "__all__"
                        for target in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    used = any(isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "__all__"
               for node in ast.walk(tree))
    return len(assigned) == 1 and not used


def _names_listed(value: ast.expr) -> bool:
    """A list or tuple of string literals, or a sum of them (``["slugify"] + ["SEP"]``)."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        return _names_listed(value.left) and _names_listed(value.right)
    return isinstance(value, (ast.List, ast.Tuple)) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in value.elts)


def _definitions(deleted: DeletedModule) -> list[Binding]:
    """What the deleted module defined unconditionally, that its code moving elsewhere takes
    along: not its ``__all__``, which lists what it exported (attrs folded ``_config`` into
    ``setters``, which lists nothing, and the module had moved whole all the same)."""
    return [binding for binding in deleted.bindings
            if binding.kind in DEFINITION_KINDS and not binding.conditional and binding.name != "__all__"]
