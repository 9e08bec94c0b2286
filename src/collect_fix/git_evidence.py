"""What git history says about a name or a module that disappeared, from the change that removed it.

The newest change counts: uncommitted edits first (the work tree against HEAD is the newest
"commit"), then the last commits that changed the file, newest first, whose diff adds or removes
a line naming the name (like ``git log -G``; ``-S`` would miss ``charge`` -> ``charge_card``,
where the count of the string does not change). Both versions of the file are
parsed with ``ast``, so a removed binding is known as what it was (a class or function with its
parameters, an alias ``Old = New``, a re-export ``from .x import Old``, an ``__all__`` entry), and
the definitions the same change added are paired with every definition it removed at once, on
kind, parameters, body and spelling, so two renames in one commit are each matched.

Bounded: one ``rev-parse`` per snapshot of the tree (a round), one or two ``cat-file --batch``
calls per question, one ``log -p`` of the file's last 200 commits per file, all under a time
budget. Patches and blobs are cached by commit hash, which never changes, so a later round asks
git nothing new but ``rev-parse`` (save for what a forked copy asked while planning beside this
process, ``second_core``: its caches stay with it). Every failure (no git, not a repository, a timeout) means
"no evidence".
"""

from __future__ import annotations

import ast
import builtins
import copy
import difflib
import hashlib
import re
import subprocess
import time
import weakref
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Optional, Union, cast

from collect_fix import matching_characters, source_trees, spelling
from collect_fix.definitions import (
    absolute_module,
    package_of,
    target_names,
    top_level_statements,
)
from collect_fix.exit_spelling import SourceError, decode
from collect_fix.project import Project
from collect_fix.script_modules import is_script
from collect_fix.spelled_alike import Constants, alike_in_use, same_value, spelled_alike, value_of
from collect_fix.stubs import markers_in

WORK_TREE = "work tree"
_BUDGET = 20.0  # seconds of git per question, all calls together
_MAX_HISTORY = 200  # commits that changed the file, newest first, whose diffs are read
_MAX_COMMITS = 8  # of those, commits mentioning the name whose two versions are read
_CHUNK = 4  # commits whose two versions one cat-file call fetches
_MAX_BODY = 20_000  # characters of a body compared when pairing definitions
_MAX_MOVED_FILES = 64  # files one change touched, beyond which where a definition went is not looked for
_MIN_SIMILAR_BODY = 400  # characters of ast.dump below which a body is alike by its shape alone
_SIMILAR_BODY_ALONE = 0.8  # how alike two bodies must be to pair without a name alike (0.6 with one)
DEFINITION_KINDS = ("class", "function", "async_function", "constant")


@dataclass(frozen=True)
class Binding:
    """How one version of a module binds ``name`` at module level when it runs.

    ``kind``: class | function | async_function | constant | alias (``Old = New``) | import.
    ``text``: for an alias, an import or a constant assigned to it alone, one statement that binds
    just this name, as written. ``reads``: the names a constant's value, or a definition's
    decorators, bases and body, read.
    ``target``: an alias's dotted target; an import's module as written (``.x`` stays relative).
    ``imported``: the name an import takes from its module (``from m import New as Old`` -> New).
    ``signature``: a function's parameters, or a class's constructor's without ``self``, as
    ``"(path, *, strict=False)"``: annotations dropped and defaults other than literals set to
    None, so the text is valid in any module. None when unknown.
    """

    name: str
    kind: str
    line: int
    text: str = ""
    target: str = ""
    imported: str = ""
    signature: Optional[str] = None
    params: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    body: str = field(default="", repr=False, compare=False)
    code: str = field(default="", repr=False, compare=False)  # a definition's body without its docstring
    # What the definition is, docstrings aside, even a ``pass`` alone (decorators, bases, body);
    # a constant's value. Under one name, the same shape is the same definition.
    shape: str = field(default="", repr=False, compare=False)
    doc: str = field(default="", repr=False, compare=False)  # a definition's own docstring
    # Bound under a top-level if or try (``try: import tomllib as t`` ...), not unconditionally.
    conditional: bool = field(default=False, compare=False)
    # Of a name bound under an if or try: how the other branches bind it, in order (``except
    # ImportError: from json import dumps``).
    branches: tuple["Binding", ...] = field(default=(), compare=False)
    # For ``import a.b``: the modules later unconditional ``import a.c`` statements import under
    # the same name (each makes its submodule an attribute of ``a``).
    submodules: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Change:
    """The newest change that removed ``removed.name`` from ``path``, and what replaced it.

    ``successor``: the definition the same change added that pairs with the removed one (None
    when none does, or when ``rivals`` tie for it); ``why`` says what paired them. ``existed``:
    the names the file bound before the change, none of which can have replaced the removed one.
    """

    commit: str  # short hash, or WORK_TREE
    path: str
    removed: Binding
    listed_in_all: bool = False
    successor: Optional[Binding] = None
    rivals: tuple[str, ...] = ()
    why: str = ""
    existed: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def where(self) -> str:
        return "the uncommitted changes in the work tree" if self.commit == WORK_TREE else f"commit {self.commit}"


@dataclass(frozen=True)
class DeletedModule:
    """A module file the newest change deleted, with what its last version bound."""

    commit: str  # short hash, or WORK_TREE
    path: str
    bindings: tuple[Binding, ...]
    # The names its literal ``__all__`` lists (``+=`` included); None without one, or where it is
    # built otherwise (``__all__.extend(...)``, a computed value).
    listed: Optional[frozenset[str]] = None
    source: bytes = field(default=b"", repr=False, compare=False)  # the last version itself

    def get(self, name: str) -> Optional[Binding]:
        return next((binding for binding in self.bindings if binding.name == name), None)

    @property
    def where(self) -> str:
        return "the uncommitted changes in the work tree" if self.commit == WORK_TREE else f"commit {self.commit}"


def history_root(project: Project) -> Path:
    """Where history lives: the original tree even when a dry run works on a scratch copy."""
    return getattr(project, "history_root", None) or project.root


def name_change(project: Project, path: str, name: str) -> Optional[Change]:
    """The newest change that removed ``name`` from the project file ``path`` (project-relative).

    The file as it is now is read from the project (the scratch copy in a dry run); committed
    versions from the history root. None without a repository or when no change removed it.
    """
    current = _read(project.root / path)
    if current is not None and name in bindings(current):
        return None
    head = _head_of(project)
    if head is None:
        return None
    return _name_change(history_root(project), head, path, name, current)


def history_state(project: Project) -> str:
    """What the evidence read from history depends on: HEAD, and whether the clone is shallow
    (fetching the rest changes the answers). Empty outside a repository."""
    root = history_root(project)
    head = _head(root)
    if head is None:
        return ""
    deadline = time.monotonic() + _BUDGET
    shallow = (_git(root, deadline, "rev-parse", "--is-shallow-repository") or "").strip()
    if shallow != "false":  # where the clone is cut (``git fetch --deepen`` moves it)
        where = (_git(root, deadline, "rev-parse", "--git-path", "shallow") or "").strip()
        cut = _read(root / where) if where else None
        shallow += " " + hashlib.sha256(cut or b"").hexdigest()
    return f"{head} shallow={shallow}"


def never_named(project: Project, path: str, name: str) -> bool:
    """Whether no committed version of the project file ``path`` ever named ``name``: git tracks
    the file, its whole history was read (fewer than ``_MAX_HISTORY`` commits changed it; a file
    renamed into ``path`` starts with all its lines added) and no line any commit added or removed
    names it. False wherever that cannot be told (no repository, an untracked file, a longer
    history, git failing): absence of evidence is not evidence of absence."""
    head = _head_of(project)
    if head is None:
        return False
    root = history_root(project)
    patches = _patches(root, head, path, time.monotonic() + _BUDGET)
    if not patches or len(patches) >= _MAX_HISTORY:
        return False
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    if any(word.search(changed) for _, changed in patches):
        return False
    return _whole_history(root, patches[-1][0], name)


@lru_cache(maxsize=256)
def _whole_history(root: Path, first: str, name: str) -> bool:
    """Whether the commit that first touched a file is where the file began, as far as ``name``
    goes: not the cut of a shallow clone (CI checks out one commit), nor a move from a Python file
    the same commit deleted that named it (``git mv``, which ``--no-renames`` shows as a new file)."""
    deadline = time.monotonic() + _BUDGET
    shallow = _git(root, deadline, "rev-parse", "--is-shallow-repository")
    if shallow is None or shallow.strip() != "false":
        return False
    changed = _git(root, deadline, "show", "--no-renames", "--name-status", "--format=", first)
    if changed is None:
        return False
    # git names them from the top of the repository, which may hold the project in a folder
    deleted = [f":(top){line[2:]}" for line in changed.splitlines() if line.startswith("D\t") and line.endswith(".py")]
    if len(deleted) > _MAX_COMMITS:
        return False
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    for path in deleted:  # each one's own history, up to its deletion, never named it either
        earlier = _patches(root, f"{first}^", path, deadline)
        if not earlier or len(earlier) >= _MAX_HISTORY or any(word.search(lines) for _, lines in earlier):
            return False
        if earlier[-1][0] != first and not _whole_history(root, earlier[-1][0], name):
            return False
    return True


def moved_in_change(
    project: Project, commit: str, path: str, removed: Binding, renamed: bool
) -> Optional[tuple[str, Binding]]:
    """Where the change ``commit`` (a hash, or WORK_TREE) that removed the definition ``removed``
    from the project file ``path`` added it again: in another module of the same top-level
    package, a definition of its kind and parameters that change added: (that file, the new
    binding). Under the same name, the same shape: decorators, bases and body, docstrings aside
    (one is often added on the way), even a ``pass`` alone (a module renamed keeps its
    exceptions); a constant's value. A ``pass``, a docstring or a short literal alone also needs
    the same docstring and what it reads to mean the same (``reads_alike``), and a short literal
    or an undocumented class on builtins alone the module most of its module's names went to
    (``_kinship``). Under another name
    (``renamed``), the same code with its references to itself read under the new one, and only
    code that tells (``tells_under_another_name``). Helpers renamed on the way are read under
    their new names. Of several homes, the one with the most kinship; None when that is no single
    one, or git cannot tell. A move into ``setup.py``, a test file or a script
    (``script_modules``) is not a move of the package's code."""
    head = _head_of(project)
    if head is None or removed.kind not in DEFINITION_KINDS or not removed.body:
        return None
    root = history_root(project)
    package = (project.module_name(project.root / path) or "").partition(".")[0]
    deadline = time.monotonic() + _BUDGET
    if commit == WORK_TREE:
        listed = _git(root, deadline, "diff", "--no-renames", "--name-status", "--relative", head)
        untracked = _git(root, deadline, "ls-files", "--others", "--exclude-standard")
        if listed is None or untracked is None:
            return None
        changed = [*listed.splitlines(), *(f"A\t{line}" for line in untracked.splitlines())]
        before = head
    else:
        files = _files_of_commit(root, commit, deadline)
        if files is None:
            return None
        changed, before = list(files), f"{commit}^"
    others = [line[2:] for line in changed
              if line[:1] in "AM" and line.endswith(".py") and line[2:] != path and may_hold_code(line[2:])]
    if not package or len(others) > _MAX_MOVED_FILES:
        return None
    # The same top-level package; a top-level module's siblings in its folder (a helper beside the tests).
    top_level = "." not in (project.module_name(project.root / path) or "")
    others = [other for other in others
              if (Path(other).parent == Path(path).parent if top_level
                  else (project.module_name(project.root / other) or "").partition(".")[0] == package)]
    olds = _blobs(root, [(before, other) for other in [path, *others]], deadline)
    news = [_read(project.root / other) for other in [path, *others]] if commit == WORK_TREE \
        else _blobs(root, [(commit, other) for other in [path, *others]], deadline)
    left, news = (news[0], news[1:]) if news else (None, [])
    removed_from = _bindings(olds[0]) if olds and olds[0] is not None else {}
    left_bound = _bindings(left) if left is not None and removed.name not in _bindings(left) else {}
    old_package = package_of(project, project.root / path)
    old_module = project.module_name(project.root / path) or ""
    found: list[tuple[str, Binding, float]] = []
    spelled: list[tuple[str, Binding, float]] = []  # the same name in another style: only where nothing else came
    parsed = {other: _bindings(new) for other, new in zip(others, news) if new is not None}
    earlier_by = {other: _bindings(old) for other, old in zip(others, olds[1:]) if old is not None}

    def importers_switched(new_name: str, new_module: str) -> bool:
        """Whether the change turned a module's import of the removed name from the file it left
        into an import of ``new_name`` from ``new_module`` (every caller repointed)."""
        for other in others:
            was = earlier_by.get(other, {}).get(removed.name)
            now = parsed.get(other, {}).get(new_name)
            package = package_of(project, project.root / other)
            if was is not None and now is not None and _imported_back(was, removed.name, package, old_module) \
                    and _imported_back(now, new_name, package, new_module):
                return True
        return False

    left_names = set(_bindings(left)) if left is not None else set()

    def rivals(binding: Binding, renames: dict[str, str]) -> bool:
        """Whether another name the change removed from the file has the same code as ``binding``:
        then an import of it back, or an importer repointed to it, says nothing of which one it is
        (``TIMEOUT = 30`` and ``RETRY_DELAY = 30`` split into two modules)."""
        return any(other.name != removed.name and other.name not in left_names and other.kind == removed.kind
                   and _same_under_another_name(other, binding, renames) for other in removed_from.values())

    def constants_at(revision: str) -> Callable[[str], dict[str, Binding]]:
        """The bindings of a module of the project, by its dotted name, as of ``revision`` (the
        change's, or the one before it): where a constant's value comes from an import."""
        def lookup(module: str) -> dict[str, Binding]:
            file = project.module_file(module)
            if file is None:
                return {}
            relative = project.relative(file)
            if revision == WORK_TREE:
                source = _read(file)
            else:
                source = _blobs(root, [(revision, relative)], deadline)[0]
            return _bindings(source) if source is not None else {}
        return lookup

    for other, old, new in zip(others, olds[1:], news):
        if new is None:
            continue
        if is_script(project, project.root / other, ran_before=olds[0]):
            continue  # importing it would run it
        earlier = _bindings(old) if old is not None else {}
        now = parsed[other]
        kin = _kinship(removed_from, now)
        new_module = project.module_name(project.root / other) or ""
        back = {name for name, bound in left_bound.items() if _imported_back(bound, name, old_package, new_module)}
        renames = _renamed_beside(removed_from, now, back)  # a helper it calls, renamed on the way
        for binding in now.values():
            before_here = earlier.get(binding.name)  # an import the definition replaced was no definition
            added = before_here is None or before_here.kind not in DEFINITION_KINDS
            if not added or binding.kind != removed.kind or binding.signature != removed.signature:
                continue  # other parameters, another definition
            if renamed and binding.name != removed.name and (
                    tells_under_another_name(removed, binding)
                    or (_imported_back(left_bound.get(binding.name), binding.name, old_package, new_module)
                        or not _bare(removed) and importers_switched(binding.name, new_module)
                        and reads_alike(removed, Scope(removed_from, old_package, old_module),
                                        Scope(now, package_of(project, project.root / other), new_module),
                                        resolver(project)))
                    and not rivals(binding, renames)) \
                    and _same_under_another_name(removed, binding, renames):
                found.append((other, binding, kin))
            elif renamed and binding.name != removed.name and spelled_alike(removed.name, binding.name) \
                    and binding.name not in removed_from \
                    and _imported_back(left_bound.get(binding.name), binding.name, old_package, new_module) \
                    and alike_in_use(olds[0], left, removed, Constants(removed_from, old_package, constants_at(before)),
                                     binding, Constants(now, package_of(project, project.root / other),
                                                        constants_at(commit))):
                # ``NaN, PosInf = _floatconstants()`` became ``NAN = float('nan')`` ... in ``_constants``,
                # which the file imports back and now reads where it read the old one (``spelled_alike``);
                # never a name the file had itself (``Mb`` is no ``MB``, which moved too), and only where
                # nothing of the same code came (``KIB = 1 << 10``).
                spelled.append((other, binding, kin))
            elif not renamed and binding.name == removed.name and binding.shape \
                    and _renaming(removed.shape, renames) == binding.shape:
                if _weak(removed) and not (
                    (kin >= 0.5 or removed.kind != "constant" and (
                        removed.doc or not _bare(removed)
                        or _imported_beside(project, removed_from, parsed, other, new_module, removed.name)))
                    and removed.doc == binding.doc
                    and reads_alike(removed, Scope(removed_from, old_package, old_module),
                                    Scope(now, package_of(project, project.root / other), new_module), resolver(project))
                ):
                    continue  # a pass or a literal alone: the same docstring and reads; a literal where the module went
                found.append((other, binding, kin))
    found = found or spelled
    closest = [each for each in found if each[2] == max((kin for _, _, kin in found), default=0.0)]
    return (closest[0][0], closest[0][1]) if len(closest) == 1 else None


def _imported_beside(project: Project, removed_from: dict[str, Binding], parsed: dict[str, dict[str, Binding]],
                     candidate: str, module: str, name: str) -> bool:
    """Whether another module the change gave names of the same old module imports ``name`` from
    ``module`` (the file ``candidate``): a split (``text.py`` took the functions and imports
    ``SlugError`` from the new ``errors.py``)."""
    for other, bound in parsed.items():
        if other == candidate or not _kinship(removed_from, bound):
            continue
        package = package_of(project, project.root / other)
        if any(binding.kind == "import" and binding.imported == name
               and (absolute_module(binding.target, package) or binding.target) == module for binding in bound.values()):
            return True
    return False


def _renamed_beside(old: dict[str, Binding], new: dict[str, Binding], back: frozenset[str] | set[str] = frozenset()
                    ) -> dict[str, str]:
    """Old name -> new name of the definitions of ``old`` that ``new`` holds under another name
    with the very code that tells (``_words`` moved along as ``split_words``); and of its constants
    that ``new`` holds under another name with the same value, imported back (``back``) into the
    file they left, where no other constant of ``new`` has that value (``kb = 1024`` as ``KIB``,
    so ``mb = 1024 * kb`` is ``MIB = 1024 * KIB``)."""
    added: dict[str, list[str]] = {}
    for name, binding in new.items():
        if binding.kind in DEFINITION_KINDS and (binding.code or binding.kind == "constant" and binding.shape) \
                and name not in old:
            added.setdefault(binding.code or f"= {binding.shape}", []).append(name)
    renames: dict[str, str] = {}
    for name, binding in old.items():
        if binding.kind not in DEFINITION_KINDS or name in new:
            continue
        if binding.kind == "constant" and binding.shape:
            successors = [each for each in added.get(f"= {binding.shape}", []) if each in back]
            if len(successors) == 1 and len(added[f"= {binding.shape}"]) == 1:
                renames[name] = successors[0]
            continue
        if not binding.code or _bare(binding):
            continue
        successors = added.get(binding.code, [])  # self-references would differ: rare in helpers
        if len(successors) == 1:
            renames[name] = successors[0]
    return renames


def _renaming(dump: str, renames: dict[str, str]) -> str:
    """``dump`` (``ast.dump``) reading each renamed name under its new one."""
    for old, new in renames.items():
        dump = dump.replace(f"id={old!r}", f"id={new!r}")
    return dump


def _weak(binding: Binding) -> bool:
    """A definition of a ``pass`` or a docstring alone, or a short constant of literals: its shape
    tells little, under its name too (``HANDLERS = []``, ``class NotFound(Error): pass``)."""
    return _bare(binding) if binding.kind == "constant" else not binding.code


def _kinship(removed_from: dict[str, Binding], module: dict[str, Binding]) -> float:
    """The share of the definitions of the module a name was removed from that ``module`` binds:
    1.0 for the module renamed or folded into ``module``, little for a namesake's module."""
    defined = [name for name, binding in removed_from.items() if binding.kind in DEFINITION_KINDS]
    return sum(name in module for name in defined) / len(defined) if defined else 0.0


@dataclass(frozen=True)
class Scope:
    """A module's top-level bindings, with the package its relative imports start from, and its
    name (what a definition of it is, as an object: (module, name))."""

    bindings: dict[str, Binding]
    package: str
    module: str = ""


Resolver = Callable[[str, str], Optional[tuple[Binding, Scope]]]  # (module, name) -> its definition now


def resolver(project: Project) -> Resolver:
    """Where a module of ``project`` defines a name now, read from its file."""
    def definition_in(module: str, name: str) -> Optional[tuple[Binding, Scope]]:
        path = project.module_file(module)
        found = _bindings(project.source(path) or b"") if path is not None else {}
        binding = found.get(name)
        if path is None or binding is None or binding.kind not in DEFINITION_KINDS:
            return None
        return binding, Scope(found, package_of(project, path), module)
    return definition_in


def reads_alike(removed: Binding, old: Scope, new: Scope, resolve: Resolver) -> bool:
    """Whether every module-level name ``removed`` reads in ``old`` means the same as in ``new``:
    the very object (a name both import from one module), or a definition of the same shape that
    reads alike in turn, in its own module (``with_tax`` calls ``rate()``, which reads ``RATE``;
    a class moved along beside ``from app.base import AppError`` is the one it read). The same code
    reading another ``RATE``, or another subpackage's ``Error``, is other code."""
    return all(name == removed.name or _alike(old.bindings.get(name), old, new.bindings.get(name), new, resolve, set())
               for name in removed.reads)


def _alike(first: Optional[Binding], first_scope: Scope, second: Optional[Binding], second_scope: Scope,
           resolve: Resolver, seen: set[tuple[str, str, str, str]]) -> bool:
    one, one_scope, one_is = _followed(first, first_scope, resolve)
    two, two_scope, two_is = _followed(second, second_scope, resolve)
    if one_is is not None and two_is is not None:
        return one_is == two_is  # both name an object that exists now: the same one, or not
    for identity, other, other_scope in ((one_is, second, second_scope), (two_is, first, first_scope)):
        if identity is not None and other is not None and other.kind in DEFINITION_KINDS \
                and identity == (other_scope.module, other.name):
            return True  # one imports from the other's module the very definition the other holds
    if one is None or two is None or one.kind not in DEFINITION_KINDS or two.kind not in DEFINITION_KINDS:
        return _meaning(one, one_scope.package) == _meaning(two, two_scope.package)
    if (one.kind, one.shape) != (two.kind, two.shape):
        return False
    key = (one_scope.module or str(id(one_scope)), one.name, two_scope.module or str(id(two_scope)), two.name)
    if key in seen:
        return True
    seen.add(key)
    return all(name == one.name or _alike(one_scope.bindings.get(name), one_scope, two_scope.bindings.get(name),
                                          two_scope, resolve, seen)
               for name in one.reads)


def _followed(binding: Optional[Binding], scope: Scope, resolve: Resolver
              ) -> tuple[Optional[Binding], Scope, Optional[tuple[str, str]]]:
    """``binding`` followed through an import to the definition it names now: (that, its module's
    scope, (module, name) when it is an object that exists now)."""
    if binding is not None and binding.kind == "import" and binding.imported:
        module = absolute_module(binding.target, scope.package) or binding.target
        found = resolve(module, binding.imported)
        if found is not None:
            return found[0], found[1], (module, binding.imported)
    return binding, scope, None


def _meaning(binding: Optional[Binding], package: str) -> Optional[tuple[str, ...]]:
    if binding is None:
        return None
    if binding.kind == "import":
        return ("import", absolute_module(binding.target, package) or binding.target, binding.imported)
    if binding.kind == "alias":
        return ("alias", binding.target)
    return (binding.kind, binding.shape)


def _imported_back(binding: Optional[Binding], name: str, package: str, module: str) -> bool:
    """Whether ``binding`` imports ``name`` from ``module``, by that name: in the file the
    definition left (``from ._spans import encode_span``, where ``_encode_range`` was defined),
    that file itself says the two are one, however short the code; so does an importer of the old
    name that the same change repointed to the new one."""
    return binding is not None and binding.kind == "import" and binding.imported == name \
        and absolute_module(binding.target, package) == module


def _same_under_another_name(removed: Binding, added: Binding, renames: dict[str, str]) -> bool:
    """The same code with its references to itself read under the new name (helpers renamed on
    the way too); for a constant, the same value."""
    if removed.kind == "constant":
        return bool(removed.shape) and _renaming(removed.shape, renames) == added.shape
    return bool(removed.code) and _renaming(_under_name(removed, added.name, code=True), renames) == added.code


def same_code_under_another_name(removed: Binding, added: Binding) -> bool:
    """The same code under another name, its references to itself read under the new one (a
    namedtuple's own name too); a constant's same value."""
    return _same_under_another_name(removed, added, {removed.name: added.name})


def tells_under_another_name(removed: Binding, added: Binding) -> bool:
    """Whether the same code under another name tells a move: code long enough, or documented the
    same way, that unrelated definitions do not share it by chance (a ``pass``, ``return 50``)."""
    if not removed.code or _bare(removed):
        return False
    return len(removed.code) >= _MIN_SIMILAR_BODY or (bool(removed.doc) and removed.doc == added.doc)


_COMMIT_FILES: dict[tuple[Path, str], tuple[str, ...]] = {}  # a commit's files never change


def _files_of_commit(root: Path, commit: str, deadline: float) -> Optional[tuple[str, ...]]:
    """``git show --name-status`` of a commit: "M\tpath" lines, paths relative to ``root``. Every
    name of one deleted module asks about the same commit; a failure is not remembered."""
    if (root, commit) not in _COMMIT_FILES:
        listed = _git(root, deadline, "show", "--no-renames", "--name-status", "--relative", "--format=", commit)
        if listed is None:
            return None
        if len(_COMMIT_FILES) >= 256:
            _COMMIT_FILES.clear()
        _COMMIT_FILES[root, commit] = tuple(listed.splitlines())
    return _COMMIT_FILES[root, commit]


def modified_by(project: Project, commit: str) -> list[tuple[str, Optional[bytes], Optional[bytes]]]:
    """Each Python file a commit (or the uncommitted changes) modified, as it was before and
    after; nothing where git cannot tell (``import_replacements``)."""
    root, deadline = history_root(project), time.monotonic() + _BUDGET
    if commit == WORK_TREE:
        head = _head_of(project)
        listed = _git(root, deadline, "diff", "--no-renames", "--name-status", "--relative", "HEAD") if head else None
        paths = [line[2:] for line in (listed or "").splitlines()
                 if line[:1] == "M" and line.endswith(".py")][:_MAX_MOVED_FILES]
        befores = _blobs(root, [(head or "HEAD", path) for path in paths], deadline)
        return list(zip(paths, befores, [_read(project.root / path) for path in paths]))
    files = _files_of_commit(root, commit, deadline)
    paths = [line[2:] for line in files or () if line[:1] == "M" and line.endswith(".py")][:_MAX_MOVED_FILES]
    befores = _blobs(root, [(f"{commit}^", path) for path in paths], deadline)
    afters = _blobs(root, [(commit, path) for path in paths], deadline)
    return list(zip(paths, befores, afters))


def may_hold_code(path: str) -> bool:
    """Whether a file may hold a package's code (not a test, a conftest, setup.py, a __main__)."""
    name = path.rpartition("/")[2]
    return not (name.startswith("test_") or name.endswith("_test.py")
                or name in ("conftest.py", "setup.py", "__main__.py"))


def deleted_module(project: Project, paths: Iterable[str], recreated: bool = False) -> Optional[DeletedModule]:
    """The last version of a module file deleted at one of ``paths`` (``pkg/mod.py``,
    ``pkg/mod/__init__.py``); with ``recreated``, also where a file stands there again (a module
    collect-fix recreated earlier in the run, not committed)."""
    root = history_root(project)
    head = _head_of(project)
    if head is None:
        return None
    for path in paths:
        if (project.root / path).exists() and not recreated:
            continue
        found = _deleted(root, head, path)
        if found is not None:
            return found
    return None


def source_before(project: Project, deleted: DeletedModule, path: str) -> Optional[bytes]:
    """The project file ``path`` as it was while ``deleted`` last existed (before the change
    that deleted it); None where it did not exist or git cannot tell."""
    return file_before(project, deleted.commit, path)


def file_before(project: Project, commit: str, path: str) -> Optional[bytes]:
    """The project file ``path`` as it was before ``commit`` (or the uncommitted changes); None
    where it did not exist or git cannot tell."""
    head = _head_of(project)
    if head is None:
        return None
    revision = head if commit == WORK_TREE else f"{commit}^"
    return _blobs(history_root(project), ((revision, path),), time.monotonic() + _BUDGET)[0]


def source_after(project: Project, deleted: DeletedModule, path: str) -> Optional[bytes]:
    """The project file ``path`` as the change that deleted ``deleted`` left it (the file on
    disk for the uncommitted changes); None where it did not exist or git cannot tell."""
    if deleted.commit == WORK_TREE:
        return _read(project.root / path)
    return _blobs(history_root(project), ((deleted.commit, path),), time.monotonic() + _BUDGET)[0]


def recently_deleted(project: Project) -> frozenset[str]:
    """The project-relative paths the uncommitted changes or the newest commits (``_MAX_HISTORY``)
    deleted. One walk per HEAD however many paths are asked about: a question per missing module
    and folder would walk a long history each time."""
    head = _head_of(project)
    return _recently_deleted(history_root(project), head) if head is not None else frozenset()


@lru_cache(maxsize=8)
def _recently_deleted(root: Path, head: str) -> frozenset[str]:
    deadline = time.monotonic() + _BUDGET
    committed = _git(root, deadline, "log", "--diff-filter=D", "--no-renames", "--name-only", "--relative",
                     "--format=", f"-n{_MAX_HISTORY}", head)
    uncommitted = _git(root, deadline, "diff", "--diff-filter=D", "--no-renames", "--name-only", "--relative", head)
    return frozenset(line for output in (committed, uncommitted) for line in (output or "").splitlines() if line)


def bindings(source: Union[str, bytes]) -> dict[str, Binding]:
    """Every name a module binds at module level when it runs, with how; {} if it does not parse.

    Lines carrying a collect-fix marker bind nothing: a generated stub or alias is not code.
    """
    return dict(_bindings(source if isinstance(source, bytes) else source.encode()))


# --- the question, answered from immutable inputs ----------------------------------------------

def _name_change(root: Path, head: str, path: str, name: str, current: Optional[bytes]) -> Optional[Change]:
    deadline = time.monotonic() + _BUDGET
    head_version = _blobs(root, ((head, path),), deadline)[0]
    if head_version is not None and name in _bindings(head_version):
        if current is None:
            return None  # the file itself went: that is a deleted module, not a rename
        return _compare(WORK_TREE, path, name, head_version, current)
    commits = _log(root, head, path, name, deadline)
    for start in range(0, len(commits), _CHUNK):
        chunk = commits[start : start + _CHUNK]
        specs = [spec for commit in chunk for spec in ((f"{commit}^", path), (commit, path))]
        versions = _blobs(root, specs, deadline)
        for index, commit in enumerate(chunk):
            old, new = versions[2 * index], versions[2 * index + 1]
            if old is not None and name in _bindings(old) and (new is None or name not in _bindings(new)):
                if new is None:
                    return None  # the file itself went: that is a deleted module, not a rename
                return _compare(commit[:10], path, name, old, new)
    return None


@lru_cache(maxsize=512)
def _deleted(root: Path, head: str, path: str) -> Optional[DeletedModule]:
    deadline = time.monotonic() + _BUDGET
    in_head = _blobs(root, ((head, path),), deadline)[0]
    if in_head is not None:
        return DeletedModule(WORK_TREE, path, tuple(_bindings(in_head).values()), _listed(in_head), in_head)
    log = _git(root, deadline, "log", "--diff-filter=D", "--no-renames", "--format=%H", "-n1", head, "--", path)
    commit = (log or "").strip()
    if not commit:
        return None
    old = _blobs(root, ((f"{commit}^", path),), deadline)[0]
    if old is None:
        return None
    return DeletedModule(commit[:10], path, tuple(_bindings(old).values()), _listed(old), old)


def _compare(commit: str, path: str, name: str, old_source: bytes, new_source: bytes) -> Change:
    old = _bindings(old_source)
    removed = old[name]
    listed = name in _dunder_all(old_source) and name not in _dunder_all(new_source)
    existed = frozenset(old)
    if removed.kind not in DEFINITION_KINDS:
        return Change(commit, path, removed, listed, existed=existed)
    pairs, ties = _pairs_between(old_source, new_source)
    if name in pairs:
        successor, why = pairs[name]
        return Change(commit, path, removed, listed, successor, why=why, existed=existed)
    return Change(commit, path, removed, listed, rivals=ties.get(name, ()), existed=existed)


# --- pairing what a change removed with what it added ------------------------------------------

_KIND_SCORE = {
    frozenset({"class"}): 3.0,
    frozenset({"function"}): 3.0,
    frozenset({"async_function"}): 3.0,
    frozenset({"constant"}): 3.0,
    frozenset({"function", "async_function"}): 1.5,
    frozenset({"class", "function"}): 1.0,
}


@lru_cache(maxsize=1024)  # every missing name of one changed module asks about the same pair of versions
def _pairs_between(
    old_source: bytes, new_source: bytes
) -> tuple[dict[str, tuple[Binding, str]], dict[str, tuple[str, ...]]]:
    return _pair(_bindings(old_source), _bindings(new_source))


def _pair(
    old: dict[str, Binding], new: dict[str, Binding]
) -> tuple[dict[str, tuple[Binding, str]], dict[str, tuple[str, ...]]]:
    """Removed name -> (added binding, why), and removed name -> rivals where the best pairs tie.

    Every candidate pair is scored; the best pairs are taken first, all at once, so the order in
    which the file lists its definitions decides nothing. A definition kept under its old name as
    an alias of a new one (``Old = New``) has already found its successor.

    How alike two long bodies are costs time quadratic in their length, so a pair's exact score
    waits until its upper bound (``_Likeness.bound``) could reach the best open score: a pair
    settled before that never needs it, and the pairs taken are the same.
    """
    added = {n: b for n, b in new.items() if n not in old and b.kind in DEFINITION_KINDS}
    for name, binding in new.items():
        if binding.kind == "alias" and name in old and old[name].kind in DEFINITION_KINDS:
            added.pop(binding.target, None)
    removed = {n: b for n, b in old.items() if n not in new and b.kind in DEFINITION_KINDS}
    candidates = [
        _Candidate(r, a, _Likeness(_under_name(r, a.name, code=True), a.code or a.body))
        for r in removed.values() for a in added.values()
        if _KIND_SCORE.get(frozenset({r.kind, a.kind})) is not None and not _beaten_by_its_value(r, old, a, new, added)
    ]
    pairs: dict[str, tuple[Binding, str]] = {}
    ties: dict[str, tuple[str, ...]] = {}
    taken: set[str] = set()
    while True:
        open_pairs = [each for each in candidates if each.old.name not in taken and each.new.name not in taken]
        _settle_any_that_could_be_best(open_pairs)
        scored = [(each.score, each.old.name, each.new.name) for each in open_pairs if each.settled and each.score is not None]
        if not scored:
            return pairs, ties
        best = max(score[0] for score, _, _ in scored)
        group = [(old_name, new_name, score[1]) for score, old_name, new_name in scored if score[0] == best]
        for old_name, new_name, why in group:
            rivals = sorted({item[1] for item in group if item[0] == old_name})
            claimants = {item[0] for item in group if item[1] == new_name}
            if len(rivals) == 1 and len(claimants) == 1:
                pairs[old_name] = (added[new_name], why)
            else:
                ties[old_name] = tuple(sorted(set(ties.get(old_name, ())) | set(rivals)))
        taken.update(item[0] for item in group)
        taken.update(item[1] for item in group)


def _under_name(old: Binding, new: str, code: bool = False) -> str:
    """A definition's body (``ast.dump``) as it reads renamed to ``new``: its references to itself
    (``isinstance(other, Vector2)``, a recursive call) follow the rename, and so does a constant's
    string that is its name (``TableFormat = namedtuple("TableFormat", ...)``); other strings stay
    as written (``stop`` passing "stop" on is no ``start``)."""
    body = (old.code or old.body) if code else old.body
    if not body or old.name == new:
        return body
    body = body.replace(f"id={old.name!r}", f"id={new!r}")
    return body.replace(f"value={old.name!r}", f"value={new!r}") if old.kind == "constant" else body


def _settle_any_that_could_be_best(candidates: list[_Candidate]) -> None:
    """Give every candidate whose bound reaches the best settled score its exact score,
    highest bound first (each settled one may raise the best)."""
    waiting = sorted((each for each in candidates if not each.settled), key=lambda each: -each.bound)
    best = max((each.score[0] for each in candidates if each.settled and each.score is not None), default=None)
    for candidate in waiting:
        if best is not None and candidate.bound < best:
            return
        candidate.settle()
        if candidate.score is not None:
            best = candidate.score[0] if best is None else max(best, candidate.score[0])


class _Likeness:
    """How alike two definitions' bodies are (0.0 below 0.6): ``exact`` at once where one pass
    over both settles it, else ``bound`` (at least the exact value) until ``value()`` is asked."""

    def __init__(self, first: str, second: str) -> None:
        self.exact: Optional[float] = None
        self.bound = 0.0
        self._texts: Optional[tuple[str, str]] = None
        if not first or not second:
            self.exact = 0.0
        elif first == second:
            self.exact = 1.0
        else:
            texts = first[:_MAX_BODY], second[:_MAX_BODY]
            matcher = difflib.SequenceMatcher(None, *texts, autojunk=False)
            quick = matcher.quick_ratio() if matcher.real_quick_ratio() >= 0.6 else 0.0
            if quick < 0.6:
                self.exact = 0.0
            else:
                self._texts, self.bound = texts, round(quick, 3)

    def value(self) -> float:
        """SequenceMatcher's ``ratio()`` of the two bodies (counted by ``matching_characters``,
        which gives the same value without its quadratic search)."""
        if self.exact is None:
            assert self._texts is not None
            self.exact = round(matching_characters.ratio(*self._texts), 3)
            self._texts = None
        return self.exact


class _Candidate:
    """A removed definition and an added one that may be its successor. ``score``, once settled:
    (score, why), or None when nothing pairs them; before that only ``bound`` is known."""

    def __init__(self, old: Binding, new: Binding, likeness: _Likeness) -> None:
        self.old, self.new, self._likeness = old, new, likeness
        self.settled = likeness.exact is not None
        first = _score(old, new, likeness.exact if likeness.exact is not None else likeness.bound)
        self.score = first if self.settled else None
        self.bound = first[0] if first is not None else 0.0

    def settle(self) -> None:
        if not self.settled:
            self.score = _score(self.old, self.new, self._likeness.value())
            self.settled = True


def _beaten_by_its_value(r: Binding, old: dict[str, Binding], a: Binding, new: dict[str, Binding],
                         added: dict[str, Binding]) -> bool:
    """A constant of other code or another value than ``r``'s, where another constant the change
    added, spelled like ``r`` too, has its very code, or its very value (worked out from the file,
    ``spelled_alike``): ``kb = 1 << 10`` is ``KIB = 1 << 10``, not the ``KB = 1000`` (or ``KB =
    KILO``, imported) added beside it. A value alone, spelled otherwise, is chance (``TIMEOUT = 30``
    became ``DEFAULT_TIMEOUT = 60``, not ``CACHE_TTL = 30``)."""
    if r.kind != "constant" or a.kind != "constant":
        return False
    alike = [other for other in added.values() if other is not a and other.kind == "constant"
             and spelling.similarity(r.name, other.name) is not None]
    if a.shape != r.shape and any(other.shape == r.shape for other in alike):
        return True  # ``mb = 1 << 20`` went as ``MIB = 1 << 20``, whatever ``MB`` holds
    was, then = _value_in(r, old), _value_in(a, new)
    if was is None or then is None or same_value(was, then):
        return False
    return any((value := _value_in(other, new)) is not None and same_value(was, value) for other in alike)


def _value_in(binding: Binding, names: dict[str, Binding]) -> Optional[object]:
    return value_of(binding, Constants(names, "", lambda module: {}))


def _score(r: Binding, a: Binding, body: float) -> Optional[tuple[float, str]]:
    """(score, why) of ``a`` as the successor of ``r``, whose bodies are ``body`` alike (their code:
    a docstring added or edited on the way is no difference); the score grows with ``body``. None unless the bodies or the names tell: being the only definition a
    change added, or taking the same parameters (every view takes ``request``), is no evidence.
    A constant's value is alike by its shape alone (``3`` and ``5``): only the same one counts, and
    not one of literals alone (``CACHE_TTL = 30`` is no ``TIMEOUT = 30``); a body of a line or two
    (``return a + b``, ``return x * y``) only when all but identical; a body of nothing but a
    docstring or ``pass`` never; a body between 0.6 and 0.8 alike only with a name alike. A name
    alike counts alone only where the new definition takes every parameter the old one took, and
    is of its kind: a function ``connect(path)`` that replaced a class ``Connection(path)`` returns
    something else than it made (review hAI 08)."""
    kind = _KIND_SCORE.get(frozenset({r.kind, a.kind}))
    if kind is None:
        return None
    reasons: list[str] = []
    alike = 0.0
    if body == 1.0 and (r.code or r.kind == "constant") and not _bare(r):
        reasons.append("the same body")
        alike = body
    elif r.kind != "constant" and r.code and a.code and not _bare(r) \
            and body >= (0.6 if min(len(r.code), len(a.code)) >= _MIN_SIMILAR_BODY else 0.98):
        reasons.append("a similar body")
        alike = body
    tier = (spelling.similarity(r.name, a.name) or (0, 0.0))[0]
    if tier and (alike or takes_every_parameter(r, a) and r.kind == a.kind):
        reasons.append(spelling.why_similar(r.name, a.name))
    else:
        tier = 0
    if not tier and 0.0 < alike < _SIMILAR_BODY_ALONE:
        return None  # ast.dump is mostly node names: two unrelated functions of a size score 0.7
    if not reasons:
        return None
    params = 1.0 if r.params == a.params else _overlap(r.params, a.params)
    if params == 1.0 and r.params:
        reasons.insert(len(reasons) - bool(tier), "the same parameters")
    score = kind + 4 * alike + 2 * params + tier
    return round(score, 3), ", ".join(reasons)


def takes_every_parameter(old: Binding, new: Binding) -> bool:
    """Whether ``new`` takes every parameter ``old`` took, by name: a name spelled alike is no
    successor otherwise (``get_users(db, limit)`` takes no ``uid`` of ``get_user(db, uid)``)."""
    return set(old.params) <= set(new.params)


def _bare(binding: Binding) -> bool:
    """A short constant or definition that reads no name but builtins (``30``, ``60 * 60``,
    ``set()``, ``return 50``, ``raise NotImplementedError``, ``code = 400``): many names share one
    by chance. A long one (a dict of settings, a class of limits) is no chance."""
    short = len(binding.shape or binding.body) < _MIN_SIMILAR_BODY
    return short and all(hasattr(builtins, name) for name in binding.reads)


def _overlap(first: tuple[str, ...], second: tuple[str, ...]) -> float:
    union = set(first) | set(second)
    return len(set(first) & set(second)) / len(union) if union else 1.0


# --- reading one version of a module ---------------------------------------------------------

@lru_cache(maxsize=256)
def _bindings(source: bytes) -> dict[str, Binding]:
    tree = source_trees.tree_of(source)  # shared with the planners' other questions
    if tree is None:
        return {}
    generated = {line for line, _ in markers_in(source)} if b"collect-fix:" in source else set()
    try:
        text = decode(source)  # as Python reads it: the columns count the bytes of its UTF-8 form
    except SourceError:
        text = source.decode("utf-8", errors="replace")
    lines = _source_lines(text)
    found: dict[str, Binding] = {}
    direct = {id(statement) for statement in tree.body}
    for statement in top_level_statements(tree.body):
        if statement.lineno in generated:
            continue
        for binding in _bound(statement, found, lines):
            if id(statement) not in direct:
                binding = replace(binding, conditional=True)
            first = found.setdefault(binding.name, binding)
            if first is not binding and _another_submodule(first, binding):
                found[binding.name] = replace(first, submodules=(*first.submodules, binding.target))
            elif first is not binding and first.conditional and binding.conditional:
                found[binding.name] = replace(first, branches=(*first.branches, binding))
    return found


def _another_submodule(first: Binding, later: Binding) -> bool:
    """``import a.b`` then ``import a.c``, both unconditional: the second binds ``a`` again."""
    return (first.kind == later.kind == "import" and not first.conditional and not later.conditional
            and first.text == f"import {first.target}" and later.text == f"import {later.target}"
            and "." in later.target and later.target not in (first.target, *first.submodules))


def _bound(statement: ast.stmt, known: dict[str, Binding], lines: list[str]) -> list[Binding]:
    if isinstance(statement, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign, ast.AnnAssign)):
        return _as_written(statement, lines)
    if isinstance(statement, ast.ImportFrom):
        module = "." * statement.level + (statement.module or "")
        return [
            Binding(alias.asname or alias.name, "import", statement.lineno, text=_import_text(module, alias),
                    target=module, imported=alias.name)
            for alias in statement.names if alias.name != "*"
        ]
    if isinstance(statement, ast.Import):
        return [
            Binding(alias.asname or alias.name.partition(".")[0], "import", statement.lineno,
                    text=f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""), target=alias.name)
            for alias in statement.names
        ]
    return []


_LINE_END = re.compile(r"\r\n|\r|\n")


def _source_lines(text: str) -> list[str]:
    """``text`` split where Python counts lines (not at form feeds, as ``str.splitlines`` would)."""
    lines, start = [], 0
    for end in _LINE_END.finditer(text):
        lines.append(text[start:end.end()])
        start = end.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _segment(lines: list[str], node: ast.stmt) -> Optional[str]:
    """``ast.get_source_segment`` on lines split once: it splits the whole source on every call
    (a long module's renames cost a second)."""
    if node.end_lineno is None or node.end_col_offset is None or node.end_lineno > len(lines):
        return None
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
    head = lines[first].encode()[node.col_offset:].decode()
    tail = lines[last].encode()[:node.end_col_offset].decode()
    return "".join([head, *lines[first + 1:last], tail])


def _import_text(module: str, alias: ast.alias) -> str:
    return f"from {module} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


# Definitions and assignments by their text as written: the versions of one module that history
# reads share most of them, and what a Binding holds of one (dumps, reads, signature) is the same
# for the same text wherever it sits. Bounded: cleared when full.
_READ: dict[str, tuple[Binding, ...]] = {}
_MAX_READ = 4_096


def _as_written(statement: Union[ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign, ast.AnnAssign],
                lines: list[str]) -> list[Binding]:
    """What the statement binds, taken from ``_READ`` when the same text was read before, at this
    statement's line. A definition's text is its lines whole, decorators to the last (nothing
    else starts or ends on them); an assignment's, its exact span (``a = 1; b = 2`` share lines)."""
    if isinstance(statement, (ast.Assign, ast.AnnAssign)):
        segment = _segment(lines, statement)
        key = f"= {segment}" if segment is not None else ""
    else:
        first = min([statement.lineno, *(decorator.lineno for decorator in statement.decorator_list)])
        end = statement.end_lineno or statement.lineno
        key = "def " + "".join(lines[first - 1:end]) if end <= len(lines) else ""
    found = _READ.get(key) if key else None
    if found is None:
        found = tuple(_assigned(statement, lines) if isinstance(statement, (ast.Assign, ast.AnnAssign))
                      else [_defined(statement)])
        if key:
            if len(_READ) >= _MAX_READ:
                _READ.clear()
            _READ[key] = found
    return [binding if binding.line == statement.lineno else replace(binding, line=statement.lineno)
            for binding in found]


def _defined(statement: Union[ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef]) -> Binding:
    if isinstance(statement, ast.ClassDef):
        params, signature = _class_signature(statement)
        return _definition(statement, "class", params, signature)
    kind = "async_function" if isinstance(statement, ast.AsyncFunctionDef) else "function"
    params, signature = _signature(statement.args)
    return _definition(statement, kind, params, signature)


def _assigned(statement: Union[ast.Assign, ast.AnnAssign], lines: list[str]) -> list[Binding]:
    if statement.value is None:
        return []
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    names = [target.id for target in targets if isinstance(target, ast.Name)]
    dotted = _dotted(statement.value)
    if len(names) == 1 and len(targets) == 1 and dotted and dotted.partition(".")[0] != names[0]:
        segment = _segment(lines, statement) or f"{names[0]} = {dotted}"
        return [Binding(names[0], "alias", statement.lineno, text=segment, target=dotted)]
    body = ast.dump(statement.value)
    names = [name for target in targets for name in target_names(target)]
    if len(names) == 1 and len(targets) == 1 and isinstance(targets[0], ast.Name):
        reads = tuple(sorted({node.id for node in ast.walk(statement.value)
                              if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}))
        segment = _segment(lines, statement) or ""
        return [Binding(names[0], "constant", statement.lineno, text=segment, reads=reads, body=body, shape=body)]
    return [Binding(name, "constant", statement.lineno, body=body, shape=body) for name in names]


def _definition(
    statement: Union[ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef], kind: str,
    params: tuple[str, ...], signature: Optional[str],
) -> Binding:
    """A class or function as a Binding. ``shape``: its decorators, a class's bases, its body
    without docstrings, as ``ast.dump``; ``code``: the same, but "" when the body is nothing more
    than a docstring, ``pass`` or ``...``: such definitions (``class NotFound(APIError): pass``)
    are alike by chance."""
    documented = _docstring_first(statement.body)
    body = statement.body[1:] if documented else statement.body
    head: list[ast.AST] = [*statement.decorator_list]
    if isinstance(statement, ast.ClassDef):
        head += [*statement.bases, *statement.keywords]
    shape = " ".join(ast.dump(node) for node in head) + _dump(_without_docstrings(body))
    trivial = all(isinstance(each, ast.Pass) or (isinstance(each, ast.Expr) and isinstance(each.value, ast.Constant))
                  for each in body)
    reads = {node.id for part in (*head, *body) for node in ast.walk(part)
             if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    doc = (ast.get_docstring(statement, clean=False) or "") if documented else ""
    return Binding(statement.name, kind, statement.lineno, signature=signature, params=params,
                   reads=tuple(sorted(reads)), body=_dump(statement.body), code="" if trivial else shape,
                   shape=shape, doc=doc)


def _without_docstrings(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` with the docstrings of the classes and functions inside it left out: a method
    documented on the way is the same code. Nothing is changed in place (the trees are shared):
    what holds a docstring is copied, the rest is the same objects, unlike a deep copy of a
    large class (most of the time a long module's history took)."""
    return [cast(ast.stmt, _undocumented(statement)) for statement in body]


_NESTED = ("body", "orelse", "finalbody", "handlers", "cases")  # where statements nest


def _undocumented(node: ast.AST) -> ast.AST:
    """``node``, or a shallow copy of it with its own docstring (a class or function's) and those
    of the statements nested in it left out (a body of nothing but one becomes ``pass``)."""
    changed: dict[str, list[ast.AST]] = {}
    for name in _NESTED:
        value = getattr(node, name, None)
        if not isinstance(value, list):
            continue
        items = [_undocumented(each) for each in value]
        if name == "body" and isinstance(node, _DEFINITIONS) and _docstring_first(cast(list[ast.stmt], items)):
            items = items[1:] or [ast.Pass()]
        if len(items) != len(value) or any(new is not old for new, old in zip(items, value)):
            changed[name] = items
    if not changed:
        return node
    copied = copy.copy(node)
    for name, items in changed.items():
        setattr(copied, name, items)
    return copied


_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstring_first(body: list[ast.stmt]) -> bool:
    first = body[0] if body else None
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _dump(body: list[ast.stmt]) -> str:
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def _signature(args: ast.arguments, drop_first: bool = False) -> tuple[tuple[str, ...], str]:
    """(parameter names, "(a, b=1, *rest, flag=False, **options)")."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    parts: list[str] = []
    names: list[str] = []
    for index, (argument, default) in enumerate(zip(positional, defaults)):
        if drop_first and index == 0:
            continue
        parts.append(argument.arg + (f"={_default(default)}" if default is not None else ""))
        names.append(argument.arg)
        if args.posonlyargs and index == len(args.posonlyargs) - 1 and parts:
            parts.append("/")
    if args.vararg is not None:
        parts.append(f"*{args.vararg.arg}")
        names.append(args.vararg.arg)
    elif args.kwonlyargs:
        parts.append("*")
    for argument, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        parts.append(argument.arg + (f"={_default(kw_default)}" if kw_default is not None else ""))
        names.append(argument.arg)
    if args.kwarg is not None:
        parts.append(f"**{args.kwarg.arg}")
        names.append(args.kwarg.arg)
    return tuple(names), f"({', '.join(parts)})"


def _default(node: ast.expr) -> str:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return "None"  # a default naming the module's own objects would not exist in a stub
    return ast.unparse(node)


def _class_signature(node: ast.ClassDef) -> tuple[tuple[str, ...], Optional[str]]:
    """The constructor's parameters: ``__init__`` without ``self``, or a dataclass's / NamedTuple's fields."""
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__init__":
            params, signature = _signature(statement.args, drop_first=True)
            return params, signature
    fields_like = any(_dotted(d.func if isinstance(d, ast.Call) else d).rpartition(".")[2] == "dataclass"
                      for d in node.decorator_list)
    fields_like = fields_like or any(_dotted(base).rpartition(".")[2] == "NamedTuple" for base in node.bases)
    if not fields_like:
        return (), None
    names: list[str] = []
    parts: list[str] = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if "ClassVar" in ast.dump(statement.annotation):
                continue
            names.append(statement.target.id)
            default = f"={_default(statement.value)}" if statement.value is not None else ""
            parts.append(statement.target.id + default)
    return tuple(names), f"({', '.join(parts)})"


@lru_cache(maxsize=256)
def _listed(source: bytes) -> Optional[frozenset[str]]:
    """``_dunder_all`` where that is all ``__all__`` holds: None without one, or where a call or a
    computed value builds it."""
    tree = source_trees.tree_of(source)
    if tree is None or "__all__" not in _bindings(source):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "__all__":
            return None  # __all__.append(...), __all__.extend(...)
    for statement in top_level_statements(tree.body):
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and statement.value is not None:
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            named = any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets)
            literal = isinstance(statement.value, (ast.List, ast.Tuple)) and all(
                isinstance(element, ast.Constant) and isinstance(element.value, str) for element in statement.value.elts)
            if named and not literal:
                return None
    return _dunder_all(source)


def _dunder_all(source: bytes) -> frozenset[str]:
    """The names a literal top-level ``__all__`` lists (``+=`` extensions included)."""
    tree = source_trees.tree_of(source)
    if tree is None:
        return frozenset()
    found: set[str] = set()
    for statement in top_level_statements(tree.body):
        if not isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        named = any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets)
        if named and isinstance(statement.value, (ast.List, ast.Tuple)):
            found.update(element.value for element in statement.value.elts
                         if isinstance(element, ast.Constant) and isinstance(element.value, str))
    return frozenset(found)


# --- git, bounded -------------------------------------------------------------------------------

_PATCHES: dict[tuple[Path, str, str], tuple[tuple[str, str], ...]] = {}
_MAX_PATCHES = 64


def _log(root: Path, head: str, path: str, name: str, deadline: float) -> tuple[str, ...]:
    """The newest commits up to ``head`` whose diff of ``path`` adds or removes a line naming ``name``."""
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    found = [commit for commit, changed in _patches(root, head, path, deadline) if word.search(changed)]
    return tuple(found[:_MAX_COMMITS])


def _patches(root: Path, head: str, path: str, deadline: float) -> tuple[tuple[str, str], ...]:
    """(commit, its added and removed lines) for the last commits that changed ``path``.

    One ``git log -p`` per file serves every name asked about in it: asking ``-G<name>`` per name
    would walk the whole history again for each name that never existed.
    """
    key = (root, head, path)
    if key not in _PATCHES:
        out = _git(root, deadline, "log", "-p", "-U0", "--no-color", "--no-ext-diff", "--no-renames",
                   f"-n{_MAX_HISTORY}", "--format=%x00%H", head, "--", path)
        if out is None:
            return ()  # a failure is not remembered: the next question may have the time
        if len(_PATCHES) >= _MAX_PATCHES:
            _PATCHES.clear()
        patches = []
        for chunk in out.split("\x00")[1:]:
            commit, _, patch = chunk.partition("\n")
            changed = "\n".join(line for line in patch.splitlines()
                                if line[:1] in "+-" and not line.startswith(("+++ ", "--- ")))
            patches.append((commit.strip(), changed))
        _PATCHES[key] = tuple(patches)
    return _PATCHES[key]


_HEADS: "weakref.WeakKeyDictionary[Project, str]" = weakref.WeakKeyDictionary()


def _head_of(project: Project) -> Optional[str]:
    """HEAD when one snapshot of the tree (a round's ``Project``) first asked: one ``rev-parse``
    per round, not one per question (a 3,000-test suite asks dozens), and one HEAD for all the
    round's evidence. A commit made meanwhile shows from the next round on. A failure is not
    remembered."""
    head = _HEADS.get(project)
    if head is None:
        head = _head(history_root(project))
        if head is not None:
            _HEADS[project] = head
    return head


def _head(root: Path) -> Optional[str]:
    out = _git(root, time.monotonic() + _BUDGET, "rev-parse", "-q", "--verify", "HEAD^{commit}")
    return (out.strip() or None) if out else None


_BLOBS: dict[tuple[Path, str, str], Optional[bytes]] = {}
_MAX_BLOBS = 256


def _blobs(root: Path, specs: Iterable[tuple[str, str]], deadline: float) -> list[Optional[bytes]]:
    """The file at each (revision, path); None where it does not exist. One git call for all.

    Revisions are commit hashes (or ``hash^``), so a cached blob can never go stale.
    """
    wanted = list(specs)
    missing = [spec for spec in wanted if (root, *spec) not in _BLOBS]
    if missing:
        request = "".join(f"{rev}:./{path}\n" for rev, path in missing)
        output = _git_bytes(root, deadline, request.encode(), "cat-file", "--batch")
        if output is None:
            return [_BLOBS.get((root, *spec)) for spec in wanted]
        if len(_BLOBS) + len(missing) > _MAX_BLOBS:
            # Emptied to make room, but never of this question's versions: those held until now
            # would come back None, as if the file had not existed (the answer would depend on
            # what earlier questions cached).
            held = {(root, *spec): _BLOBS[(root, *spec)] for spec in wanted if (root, *spec) in _BLOBS}
            _BLOBS.clear()
            _BLOBS.update(held)
        for spec, blob in zip(missing, _parse_batch(output, len(missing))):
            _BLOBS[(root, *spec)] = blob
    return [_BLOBS.get((root, *spec)) for spec in wanted]


def _parse_batch(output: bytes, count: int) -> list[Optional[bytes]]:
    blobs: list[Optional[bytes]] = []
    position = 0
    for _ in range(count):
        end = output.find(b"\n", position)
        if end < 0:
            break
        header = output[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            blobs.append(output[position : position + size])
            position += size + 1
        else:
            blobs.append(None)  # "<spec> missing", or a tree
            if len(header) == 3 and header[2].isdigit():
                position += int(header[2]) + 1
    return blobs + [None] * (count - len(blobs))


def _git(root: Path, deadline: float, *args: str) -> Optional[str]:
    output = _git_bytes(root, deadline, None, *args)
    return output.decode("utf-8", errors="replace") if output is not None else None


def _git_bytes(root: Path, deadline: float, stdin: Optional[bytes], *args: str) -> Optional[bytes]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args], cwd=root, input=stdin, capture_output=True,
            timeout=remaining,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:
        return None
