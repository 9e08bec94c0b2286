"""Missing names (`cannot import name 'X' from 'pkg.mod'`, `module 'pkg.mod' has no attribute 'X'`).

The evidence decides, in this order: git history of the module (the change that removed X): a
removed alias or re-export comes back as it was, a removed definition is aliased to the one the
same change added in its place; then X is defined in another project module (moved: re-export
it, or first rewrite the importer's import where that module loads this one when it is imported:
the re-export would then fail whenever that module is imported first); then the module defines a
successor spelled like a rename of X (alias it); else X was never written, or deleted with nothing
in its place (stub it, shaped by history and by how the project uses it). A successor must fit that use. With ``rewrite_imports`` moved and renamed names are
fixed in the importing file instead. Only the project's own modules are edited; the project is
never imported.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Sequence

from collect_fix.definitions import (
    Definition,
    absolute_module,
    find_definitions,
    imports_at_load,
    module_definitions,
    package_of,
    runs_as_script,
    top_level_statements,
)
from collect_fix.git_evidence import (
    DEFINITION_KINDS,
    Binding,
    Change,
    DeletedModule,
    bindings,
    deleted_module,
    file_before,
    moved_in_change,
    name_change,
    same_code_under_another_name,
    takes_every_parameter,
    never_named,
)
from collect_fix.import_siblings import names_after, tolerated
from collect_fix.kinds import CALLABLE_KINDS, fits, stub_kind
from collect_fix.planners.missing_modules import plan_submodule
from collect_fix.project import Project
from collect_fix.reexport_cycles import order_dependent, reexports_behind_rewrites
from collect_fix.script_modules import is_script
from collect_fix.source_trees import tree_of, tree_of_file
from collect_fix.spelling import similarity, why_similar
from collect_fix.stubs import is_marked
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair
from collect_fix.usage import import_time_blockers, imported_with, infer_usage, usages

CATEGORIES = (Category.MISSING_NAME,)
# Names after the missing one decided with it: each costs what its own round's planning would.
_MAX_JOINED = 16

@dataclass(frozen=True)
class _Found:
    """A decision with the evidence for it; ``repair`` None means report ``advice`` instead."""

    repair: Optional[Repair] = None
    rewrite: Optional[Edit] = None  # the same fix applied to the importer, when there is one
    rewrite_evidence: str = ""  # where the importer's rewrite is the only fix (no ``repair``): why
    advice: str = ""
    # Equally likely successors: with --run-tests, the tests of the importers decide among these.
    choices: tuple[Repair, ...] = ()
    # ``repair`` works only in some import orders (a re-export into a module its home imports at
    # load): the importer's rewrite, which works in any order, is tried first.
    order_dependent: bool = False


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    name, module = diagnosis.subject, diagnosis.module
    if not name or not module:
        return Plan(diagnosis, advice="the error names no missing name or module; fix the import by hand")
    if not project.owns_module(module):
        return Plan(
            diagnosis,
            advice=f"'{module}' is not part of the project: the installed version may not provide '{name}' "
            "(version mismatch?); install the version the code expects or change the import",
        )
    submodule = plan_submodule(diagnosis, project, options)
    if submodule is not None:
        return submodule  # ``from pkg import sub`` where sub is used as a module: a missing module
    submodule_file = project.module_file(f"{module}.{name}")
    if submodule_file is not None:
        return Plan(
            diagnosis,
            advice=f"'{name}' is the submodule {project.relative(submodule_file)}, which nothing imported yet: "
            f"add `import {module}.{name}` before using it",
        )
    module_file = project.module_file(module)
    if module_file is None:
        return Plan(diagnosis, advice=f"'{module}' has no module file to define '{name}' in; create it or fix the import")
    found = _decide(project, name, module)
    if tolerated(project, diagnosis) and not _renamed_with_the_same_body(found):
        return Plan(diagnosis, advice=f"the test module catches this failure and binds a fallback for '{name}' "
                    "(it may be gone on purpose): only a rename git shows with the same body is repaired there")
    if found.choices and options.run_tests:
        return Plan(diagnosis, found.choices, choose_by_tests=True)
    if found.repair is None:
        only = _rewrite_repair(diagnosis, project, found, module, options) if found.rewrite_evidence else None
        if only is None:
            return Plan(diagnosis, advice=found.advice)
        together = _rewrites_after(diagnosis, project, only, module, options) if not found.choices else None
        return Plan(diagnosis, tuple(repair for repair in (together, only) if repair is not None))
    rewrite = _rewrite_repair(diagnosis, project, found, module, options)
    edited = {project.root / edit.path for edit in found.repair.edits}
    refusal = next((reason for path in sorted(edited) if (reason := project.editable(path))), None)
    if refusal is not None:
        if rewrite is not None:
            return Plan(diagnosis, (rewrite,))
        return Plan(diagnosis, advice=f"'{name}' is missing from {module} but {refusal}; fix the import by hand")
    if options.rewrite_imports and rewrite is not None:
        return Plan(diagnosis, (rewrite,))
    ordered = (rewrite, found.repair) if found.order_dependent else (found.repair, rewrite)
    joins = not (found.choices or found.order_dependent or options.rewrite_imports)
    together = _with_names_after(diagnosis, project, found.repair) if joins else None
    return Plan(diagnosis, tuple(repair for repair in (together, *ordered) if repair is not None))


def _with_names_after(
    diagnosis: Diagnosis, project: Project, repair: Repair, left_to_others: frozenset[Edit] = frozenset()
) -> Optional[Repair]:
    """``repair`` with the aliases of the names its import statement would stop at next
    (``import_siblings``), each as clear as it would be in its own round: one round instead of
    one per name. If the whole is not kept, ``repair`` alone is the next alternative. None when
    no other name needs one. Only aliases join (renamed, restored): a stub would stand for a
    name nothing showed missing, and re-exports keep their own rounds (``review`` orders them
    one edit at a time), as do those another plan of the round makes itself (``left_to_others``)."""
    module = diagnosis.module
    if module is None or _reexports(repair):
        return None
    parts = [repair]
    for other in names_after(project, diagnosis)[:_MAX_JOINED]:
        found = _decide(project, other, module)
        extra = found.repair
        if extra is None or found.choices or found.order_dependent:
            continue
        if not all(edit.transform == "add_alias" for edit in extra.edits):
            continue
        if left_to_others.intersection(extra.edits):
            continue
        if any(project.editable(project.root / edit.path) is not None for edit in extra.edits):
            continue
        parts.append(extra)
    if len(parts) == 1:
        return None
    return Repair(
        f"{repair.description}; for the names imported after it in {diagnosis.path}: "
        + "; ".join(part.description for part in parts[1:]),
        tuple(dict.fromkeys(edit for part in parts for edit in part.edits)),
        evidence="; ".join(part.evidence for part in parts if part.evidence),
    )


def _rewrites_after(
    diagnosis: Diagnosis, project: Project, repair: Repair, module: str, options: Options
) -> Optional[Repair]:
    """``repair`` (the importing file rewritten for one moved and renamed name) with the same
    rewrite for each name its import statement would stop at next that moved and was renamed
    too (``NaN, PosInf, NegInf`` of one ``from pkg.decoder import``, all in ``pkg._constants``
    now): one round instead of one per name; if the whole is not kept, ``repair`` alone is next."""
    parts = [repair]
    for other in names_after(project, diagnosis)[:_MAX_JOINED]:
        found = _decide(project, other, module)
        if found.repair is not None or found.choices or not found.rewrite_evidence:
            continue
        extra = _rewrite_repair(replace(diagnosis, subject=other), project, found, module, options)
        if extra is not None:
            parts.append(extra)
    if len(parts) == 1:
        return None
    return Repair(
        f"{repair.description}; for the names imported after it: " + "; ".join(part.description for part in parts[1:]),
        tuple(dict.fromkeys(edit for part in parts for edit in part.edits)),
        evidence="; ".join(part.evidence for part in parts if part.evidence),
    )


def _renamed_with_the_same_body(found: _Found) -> bool:
    """An alias to the successor git paired with the name by an unchanged body: the one repair
    made where the module tolerates the name's absence (it falls back, its test skips)."""
    evidence = found.repair.evidence if found.repair is not None else ""
    return evidence.startswith("renamed (git):") and "the same body" in evidence


def _reexports(repair: Repair) -> bool:
    return any(edit.transform == "add_reexport" for edit in repair.edits)


@dataclass(frozen=True)
class _Home:
    """A module where the missing name may have lived, with what history says happened to it there.

    ``importer``: the module the project imports the name from; ``module``: that module or one it
    star-imports (``from .more import *``), whose renames reach the importers through the star.
    """

    importer: str
    module: str
    relative: str
    uses: frozenset[str]
    change: Optional[Change]


def _decide(project: Project, name: str, module: str) -> _Found:
    module_file = project.module_file(module)
    relative = project.relative(module_file) if module_file else module
    here = [definition for definition in module_definitions(project, module) if definition.name == name]
    if here:
        return _Found(
            advice=f"'{name}' is defined in {relative}:{here[0].line} but was not importable when the import ran: "
            "a circular import or a conditional definition? Check the import order."
        )
    used_as, described = infer_usage(project, module, name)
    uses = usages(project, module, name)
    homes = [
        _Home(module, home, home_relative, uses, name_change(project, home_relative, name))
        for home, home_relative in _homes(project, module)
    ]
    for home in homes:
        for decide in (_restored, _renamed_in_history):
            found = decide(project, name, home)
            if found is not None:
                return found
    change = next((home.change for home in homes if home.module == module and home.change is not None), None)
    moved = _moved(project, name, module, uses, change) or _moved_and_renamed(project, name, module, homes)
    if moved is not None:
        return moved
    never_there: list[_Home] = []
    for home in homes:
        renamed = _renamed(project, name, home)
        if renamed is not None and home.change is None and never_named(project, home.relative, name):
            never_there.append(home)  # spelled like a rename, but no version of the file ever had the name
        elif renamed is not None:
            return renamed
    change = next((home.change for home in homes if home.change is not None), None)
    for home in homes:
        replaced = _imported_elsewhere_now(project, name, home)
        if replaced is not None:
            return replaced
    return _stub(project, name, module, relative, used_as, described, change, never_there)


def _imported_elsewhere_now(project: Project, name: str, home: _Home) -> Optional[_Found]:
    """A name the change removed while it made the project's other files import it from another
    module (``import_replacements``): that import, back in the module."""
    change = home.change
    if change is None or change.successor is not None or change.removed.kind in CALLABLE_KINDS:
        return None  # a class or function of its own is no namesake's (``isclose`` is no ``math.isclose``)
    from collect_fix.import_replacements import replacement

    source = replacement(project, change, home.module)
    if source is None:
        return None
    statement = f"from {source} import {name}"
    edit = Edit(home.relative, "add_alias", (("name", name), ("target", f"{source}.{name}"), ("statement", statement),
                                             ("reason", "restored"), *_export(home)))
    evidence = (f"imported elsewhere now: {change.where} removed '{name}' from {home.relative} and made the "
                f"project's files that took it from {home.module} import it from {source} instead")
    return _Found(Repair(f"restore '{name}' in {home.module} as `{statement}`", (edit,), evidence),
                  _import_edit(home.importer, name, source, name))


def _stub(
    project: Project, name: str, module: str, relative: str, used_as: str, described: str, change: Optional[Change],
    never_there: Sequence[_Home] = (),
) -> _Found:
    kind = stub_kind(used_as, usages(project, module, name), change.removed.kind if change is not None else None)
    blockers = import_time_blockers(project, module, name, kind)
    if blockers:
        # No honest stub survives e.g. parametrize(..., CASES): None fails collection again.
        listed = "; ".join(str(blocker) for blocker in blockers[:3])
        return _Found(
            advice=f"'{name}' is missing from {module} and is used at import time ({listed}): no stub value can "
            f"stand in for it; define it in {relative} with its real value"
        )
    words = kind.replace("_", " ")
    article = "an" if words[0] in "aeiou" else "a"
    description = f"add {article} {words} stub '{name}' to {module}"
    if change is not None and change.removed.kind in DEFINITION_KINDS:
        removed = change.removed
        paired = (f"added '{change.successor.name}' in its place, which is no longer that code there"
                  if change.successor is not None else "added nothing git pairs with it")
        evidence = (
            f"deleted: {change.where} removed the {removed.kind.replace('_', ' ')} '{name}"
            f"{removed.signature or ''}' from {change.path} and {paired}"
            f"{_tie(change)}; the project still uses it ({described})"
        )
    elif change is not None:
        evidence = (f"removed: {change.where} removed `{change.removed.text}` from {change.path}, and nothing "
                    f"tells what it is here now; the project's use of it ({described}) makes it {article} {words}")
    elif never_there:
        files = " or ".join(home.relative for home in never_there)
        evidence = (
            f"never written: '{name}' is defined nowhere in the project, and git shows no version of {files} "
            f"that named it, so no name spelled like it there is its successor; the project's use of it "
            f"({described}) makes it {article} {words}"
        )
    else:
        evidence = (
            f"never written: '{name}' is defined nowhere in the project and {module} defines no name spelled like it; "
            f"the project's use of it ({described}) makes it {article} {words}"
        )
    stub: tuple[str, ...] = (name, kind)
    if change is not None and change.removed.kind == kind and change.removed.signature is not None:
        stub = (name, kind, change.removed.signature)  # the stub takes the arguments the deleted one took
    edit = Edit(relative, "add_stubs", (("stubs", (stub,)),))
    return _Found(Repair(description, (edit,), evidence))


def _tie(change: Change) -> str:
    if not change.rivals:
        return ""
    return f" (it added {' and '.join(repr(rival) for rival in change.rivals)}, equally alike, none of them fitting)"


def _homes(project: Project, module: str) -> list[tuple[str, str]]:
    """(module, file) for ``module`` and each project module it star-imports, in that order."""
    module_file = project.module_file(module)
    if module_file is None:
        return []
    homes = [(module, project.relative(module_file))]
    tree = tree_of_file(module_file)
    if tree is None:
        return homes
    package = package_of(project, module_file)
    for statement in top_level_statements(tree.body):
        if isinstance(statement, ast.ImportFrom) and any(alias.name == "*" for alias in statement.names):
            source = absolute_module("." * statement.level + (statement.module or ""), package)
            if source is None or source == module or not project.owns_module(source):
                continue
            source_file = project.module_file(source)
            if source_file is not None:
                homes.append((source, project.relative(source_file)))
    return homes


def _restored(project: Project, name: str, home: _Home) -> Optional[_Found]:
    """A removed alias or re-export whose target still exists comes back as it was, marked."""
    change = home.change
    if change is None:
        return None
    from collect_fix.import_replacements import as_it_is_now

    branch = ""
    if change.removed.conditional and change.removed.branches:
        ran = _the_branch_that_binds_here(project, home, change.removed,
                                          file_before(project, change.commit, change.path), change)
        if ran is None:
            return None
        others = [each.text for each in (change.removed, *change.removed.branches) if each is not ran]
        branch = f" (of the branches that bound it, the one that can here; not {', '.join(f'`{t}`' for t in others)})"
        change = replace(change, removed=replace(ran, conditional=False, branches=()))
    if change.removed.kind == "constant":
        return _restored_value(project, name, home, change)
    if change.removed.kind == "function":  # with nothing in its place; a successor is a rename's
        return _restored_wrapper(project, name, home, change) if change.successor is None and not change.rivals else None
    if change.removed.kind not in ("alias", "import"):
        return None
    removed = change.removed
    listed = " (and its __all__ entry)" if change.listed_in_all and _export(home) else ""
    if removed.kind == "alias":
        head = removed.target.partition(".")[0]
        if head not in _bound_now(project, home.module):
            return _alias_to_renamed_target(project, name, home, change) \
                or _alias_of_a_dropped_import(project, name, home, change)
        target, statement = removed.target, removed.text
        rewrite = _import_edit(home.importer, name, home.module, target) if "." not in target else None
        still = f"'{head}' is still bound there"
        followed = _as_its_code_is_named_now(project, home, change)
        if followed is not None:  # ``codec.encode`` is ``codec.encode_v1`` now, beside a new ``encode``
            target, statement = followed, f"{name} = {followed}"
            still += f", and its '{removed.target.rpartition('.')[2]}' is '{followed.rpartition('.')[2]}' now"
    else:
        module_file = project.module_file(home.module)
        source = absolute_module(removed.target, package_of(project, module_file)) if module_file else None
        if source is None:
            return None
        if not _provides(project, source, removed.imported):
            return _import_of_renamed(project, name, home, change, source)
        if not removed.imported:  # ``import x.y`` binds a module; the importer's fix is by hand
            target, rewrite, still = source, None, f"{source} still exists"
        else:
            target = f"{source}.{removed.imported}"
            rewrite = _import_edit(home.importer, name, source, removed.imported)
            still = f"{source} still provides '{removed.imported}'"
        statement = removed.text
        followed = as_it_is_now(project, change, target) if removed.imported else target
        if followed != target:  # review hAO 05: ``from .codec import encode``, encode now encode_v1's code
            imported = followed.rpartition(".")[2]
            statement = f"from {removed.target} import {imported} as {name}"
            rewrite = _import_edit(home.importer, name, source or "", imported)
            still = f"{source} holds its code as '{imported}' now, beside another '{removed.imported}'"
            target = followed
    edit = Edit(home.relative, "add_alias", (("name", name), ("target", target), ("statement", statement),
                                             ("reason", "restored"), *_export(home)))
    evidence = f"restored: {change.where} removed `{removed.text}`{listed} from {home.relative}{branch}; {still}"
    return _Found(Repair(f"restore `{statement}` in {home.module}", (edit,), evidence), rewrite)


def _the_branch_that_binds_here(project: Project, home: _Home, removed: Binding,
                                was: Optional[bytes] = None, change: Optional[Change] = None) -> Optional[Binding]:
    """Of a name each branch of an ``if``/``try`` bound (simplejson: ``reload_module = reload`` on
    Python 2, ``from importlib import reload as reload_module`` on 3), the one binding that could
    bind it: an alias of a builtin or of a name the module bound (``was``: the module before the
    change that removed the branches; else now), of a standard library module's attribute it has
    here (``itertools.batched`` is 3.12's), an import of the project's own module or of one that
    imports here; and it must bind it here now. A ``try``'s body binds it where it can, before
    its handlers (``from tomllib import loads``). None where a branch defines it, or several
    could (review hAO 07: ``normalize = _win_normalize`` on Windows, the deleted ``app._posix``'s
    elsewhere: which ran, the code does not say)."""
    from collect_fix.import_replacements import imported_modules
    from collect_fix.importability import provides_here

    module_file = project.module_file(home.module)
    package = package_of(project, module_file) if module_file is not None else ""
    now = _bindings_now(project, home.module)
    then = bindings(was) if was is not None else now

    def existed(module: str) -> bool:
        """A project module before the change (review hAR 09: not one the change added)."""
        if change is None:
            return project.module_file(module) is not None
        return any(file_before(project, change.commit, path) is not None for path in _module_paths(project, module))

    def could_bind(branch: Binding, bound: dict[str, Binding], here: bool) -> bool:
        if branch.kind == "alias":
            head, _, attribute = branch.target.partition(".")
            imported = bound.get(head)
            if imported is not None and imported.kind == "import" and not imported.imported and attribute \
                    and "." not in attribute:  # ``itertools.batched`` after ``import itertools``
                return provides_here(project, imported.target, (attribute,))
            return head in bound or hasattr(builtins, head)
        source = absolute_module(branch.target, package) if branch.target.startswith(".") else branch.target
        if not source:
            return False
        if not here and project.owns_module(source):
            return existed(source)
        return provides_here(project, source, (branch.imported,) if branch.imported else ())

    branches = (removed, *removed.branches)
    if any(branch.kind not in ("alias", "import") for branch in branches):
        return None
    body = _try_body_of(was, removed)
    if body is not None:  # the whole body bound it before, or a handler ran (review hAQ 06: tomli_w missing)
        if not all(isinstance(statement, (ast.Import, ast.ImportFrom)) or statement.lineno == removed.line
                   for statement in body):
            return None  # a body that runs more than imports and the binding may raise after them (hAR 01)
        if all(existed(module) if project.owns_module(module) else provides_here(project, module, names)
               for module, names in imported_modules(body, package)) and could_bind(removed, then, here=False):
            return removed if could_bind(removed, now, here=True) else None
        branches = removed.branches
    able = [branch for branch in branches if could_bind(branch, then, here=False)]
    return able[0] if len(able) == 1 and could_bind(able[0], now, here=True) else None


def _try_body_of(source: Optional[bytes], binding: Binding) -> Optional[list[ast.stmt]]:
    """The body of the top-level ``try`` of ``source`` that binds ``binding`` there (not in a handler)."""
    tree = tree_of(source) if source is not None else None
    for statement in tree.body if tree is not None else ():
        if isinstance(statement, ast.Try) and any(inner.lineno == binding.line for inner in statement.body):
            return statement.body
    return None


def _as_its_code_is_named_now(project: Project, home: _Home, change: Change) -> Optional[str]:
    """``head.name`` for a removed ``X = head.name``, where ``head`` imports a project module whose
    ``name`` the same change gave to other code, keeping the old under another name
    (``import_replacements.as_it_is_now``); None otherwise."""
    from collect_fix.import_replacements import as_it_is_now, spelled_through

    head, _, attribute = change.removed.target.partition(".")
    module_file = project.module_file(home.module)
    if not attribute or "." in attribute or module_file is None:
        return None
    full = spelled_through(change.removed.target, _bindings_now(project, home.module), package_of(project, module_file))
    now = as_it_is_now(project, change, full)
    return f"{head}.{now.rpartition('.')[2]}" if now != full else None


def _import_of_renamed(project: Project, name: str, home: _Home, change: Change, source: str) -> Optional[_Found]:
    """``from .impl import Old`` was removed and ``impl`` renamed ``Old`` too (a package that
    re-exports a class its submodule renamed, both changed by one refactor): ``Old`` follows it
    to its successor, the name the module imports now, or imports it under the old name."""
    imported = change.removed.imported
    source_file = project.module_file(source)
    if not imported or not project.owns_module(source):
        return None
    gone = deleted_module(project, _module_paths(project, source)) if source_file is None else None
    path = gone.path if gone is not None else project.relative(source_file) if source_file is not None else None
    if path is None:
        return None
    onward = name_change(project, path, imported)
    if onward is None:  # the file went (a module recreated since stands in its place)
        gone = gone or deleted_module(project, _module_paths(project, source), recreated=True)
        return _import_of_moved_and_renamed(project, name, home, change, gone, imported) if gone else None
    if onward is not None and onward.successor is None:
        return _alias_dropped_below(project, name, home, change, onward)
    if onward is None or onward.successor is None:
        return None
    # What the removed binding served (``createparser = deprecated(...)``, called by the tests) a
    # successor of its kind, paired by git, serves too; another kind must fit the uses.
    if onward.successor.kind != onward.removed.kind and not fits(onward.successor.kind, home.uses):
        return None
    successor = onward.successor.name
    evidence = (
        f"renamed (git): {change.where} removed `{change.removed.text}` from {home.relative}, and "
        f"{onward.where} renamed '{imported}' to '{successor}' in {onward.path} ({onward.why})"
    )
    if gone is not None:
        # The module went later (``git mv``): the name the home binds now, wherever from.
        if successor not in _bindings_now(project, home.module):
            return None
        return _alias(home, name, successor, f"{evidence}; {gone.where} deleted {gone.path}, and "
                                            f"{home.module} binds '{successor}' now")
    if not _provides(project, source, successor):
        return None
    if _imports_from(project, home.module, successor, source):
        return _alias(home, name, successor, evidence)
    statement = f"from {change.removed.target} import {successor} as {name}"
    edit = Edit(home.relative, "add_alias", (("name", name), ("target", f"{source}.{successor}"),
                                             ("statement", statement), ("reason", "renamed"), *_export(home)))
    repair = Repair(f"import '{successor}' from {source} as '{name}' in {home.module}", (edit,), evidence)
    return _Found(repair, _import_edit(home.importer, name, source, successor))


def _import_of_moved_and_renamed(
    project: Project, name: str, home: _Home, change: Change, gone: DeletedModule, imported: str
) -> Optional[_Found]:
    """``from .number import intword`` was removed, and the change that deleted ``number``
    (``git mv number.py numbers.py``) renamed ``intword`` in it too: ``intword`` follows the
    definition git pairs with it, the same code under a new name in another module. Or the
    deleted module held ``Bill = Invoice``, retired in that change: ``Bill`` comes back as an
    alias of where ``Invoice`` went. As the name the home binds now, or imported from there."""
    removed = gone.get(imported)
    if removed is None:
        return None
    if removed.kind == "alias" and removed.target.isidentifier():
        target = gone.get(removed.target)
        found = moved_in_change(project, gone.commit, gone.path, target, renamed=False) \
            or moved_in_change(project, gone.commit, gone.path, target, renamed=True) if target is not None else None
        why = f", which held `{removed.text}`, and added '{found[1].name if found else ''}' to {found[0] if found else ''}"
    elif removed.kind in DEFINITION_KINDS:
        found = moved_in_change(project, gone.commit, gone.path, removed, renamed=True)
        why = f" and added '{found[1].name if found else ''}' to {found[0] if found else ''}"
    else:
        return None
    new_module = project.module_name(project.root / found[0]) if found is not None else None
    if found is None or not new_module or found[1].name not in _bound_now(project, new_module):
        return None
    successor = found[1].name
    reason = "restored" if removed.kind == "alias" else "renamed"
    evidence = (f"{reason}{'' if reason == 'restored' else ' (git)'}: {change.where} removed `{change.removed.text}` "
                f"from {home.relative}, and {gone.where} deleted {gone.path}{why} with the same code")
    if _imports_from(project, home.module, successor, new_module):
        edit = Edit(home.relative, "add_alias", (("name", name), ("target", successor), ("reason", reason), *_export(home)))
        repair = Repair(f"alias '{name}' to '{successor}' in {home.module}", (edit,),
                        f"{evidence}; {home.module} imports it from there")
        return _Found(repair, _import_edit(home.importer, name, home.module, successor))
    statement = f"from {new_module} import {successor} as {name}"
    edit = Edit(home.relative, "add_alias", (("name", name), ("target", f"{new_module}.{successor}"),
                                             ("statement", statement), ("reason", reason), *_export(home)))
    repair = Repair(f"import '{successor}' from {new_module} as '{name}' in {home.module}", (edit,), evidence)
    return _Found(repair, _import_edit(home.importer, name, new_module, successor))


def _alias_dropped_below(project: Project, name: str, home: _Home, change: Change, onward: Change) -> Optional[_Found]:
    """``from .impl import Old`` was removed, and ``impl`` dropped ``Old = New`` (a deprecated
    alias retired from both files): ``Old`` comes back as an alias of ``New`` where the home
    binds ``New`` now, as a restored alias."""
    dropped = onward.removed
    target = dropped.target
    if dropped.kind == "function":  # ``def loads(s): return parse(s)`` went from api.py with the import of it
        return _wrapper_and_its_import(project, name, home, change, onward)
    if dropped.kind != "alias" or not target or "." in target or target not in _bindings_now(project, home.module):
        return None
    evidence = (f"restored: {change.where} removed `{change.removed.text}` from {home.relative}, and {onward.where} "
                f"removed `{dropped.text}` from {onward.path}; {home.module} binds '{target}' now")
    repair = Repair(f"restore '{name}' as an alias of '{target}' in {home.module}", (Edit(
        home.relative, "add_alias", (("name", name), ("target", target), ("reason", "restored"), *_export(home))),),
        evidence)
    return _Found(repair, _import_edit(home.importer, name, home.module, target))


def _restored_wrapper(project: Project, name: str, home: _Home, change: Change) -> Optional[_Found]:
    """``def loads(string): return parse(string)``, a function that only hands its parameters on
    to one the module still binds (an alias in a function's form), removed with nothing in its
    place: back as written, like ``rest = partial(drop, 1)`` (tomlkit, retention)."""
    text = _forwarding_wrapper(project, change, _bindings_now(project, home.module))
    if text is None:
        return None
    edit = Edit(home.relative, "restore_block", (("statement", text), ("names", name),
                                                 ("source", f"as {change.path} had it before {change.where}")))
    evidence = (f"restored: {change.where} removed the function '{name}' from {home.relative}, which only hands "
                f"its parameters on to what the module still binds, and added nothing in its place")
    return _Found(Repair(f"restore the function '{name}' in {home.module} as written", (edit,), evidence))


def _wrapper_and_its_import(project: Project, name: str, home: _Home, change: Change, onward: Change
                            ) -> Optional[_Found]:
    """``from .api import loads`` was removed, and ``api`` dropped ``def loads(s): return
    parse(s)`` (a wrapper retired from both files): the wrapper back in ``api`` as written, and the
    import back in the home."""
    source = project.module_name(project.root / onward.path)
    source_file = project.root / onward.path
    if not source or not source_file.is_file() or is_script(project, source_file):
        return None  # importing a script would run it (review hAP 02)
    text = _forwarding_wrapper(project, onward, _bindings_now(project, source))
    if text is None:
        return None
    edits = (Edit(onward.path, "restore_block", (("statement", text), ("names", name),
                                                 ("source", f"as {onward.path} had it before {onward.where}"))),
             Edit(home.relative, "add_alias", (("name", name), ("target", f"{source}.{name}"),
                                               ("statement", change.removed.text), ("reason", "restored"),
                                               *_export(home))))
    evidence = (f"restored: {change.where} removed `{change.removed.text}` from {home.relative}, and {onward.where} "
                f"removed the function '{name}' from {onward.path}, which only hands its parameters on to what "
                f"{source} still binds")
    return _Found(Repair(f"restore the function '{name}' in {source} and `{change.removed.text}` in {home.module}",
                         edits, evidence))


def _forwarding_wrapper(project: Project, change: Change, now: dict[str, Binding]) -> Optional[str]:
    """The removed function's text as written, where its body (a docstring aside) is one ``return``
    of a call, with its parameters in order and nothing else, of a name the module binds ``now``
    as it bound it before the change (review hAP 01, 03: not a ``parse`` that took the name, nor
    one whose parameters were reordered)."""
    was = file_before(project, change.commit, change.path)
    tree = tree_of(was) if was is not None else None
    found = [node for node in (tree.body if tree is not None else ())
             if isinstance(node, ast.FunctionDef) and node.name == change.removed.name]
    if len(found) != 1 or found[0].decorator_list or was is None:
        return None
    function = found[0]
    body = function.body[1:] if ast.get_docstring(function) is not None else function.body
    call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Return) else None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id not in now:
        return None
    then, target = bindings(was).get(call.func.id), now[call.func.id]
    if then is None or not _unchanged(then, target) or not _imported_unchanged(project, change, target):
        return None
    arguments = function.args
    parameters = [parameter.arg for parameter in (*arguments.posonlyargs, *arguments.args)]
    passed = [argument.id if isinstance(argument, ast.Name) else None for argument in call.args]
    keywords = {keyword.arg: keyword.value.id if isinstance(keyword.value, ast.Name) else None
                for keyword in call.keywords}
    if arguments.vararg or arguments.kwarg or arguments.kwonlyargs or None in passed \
            or any(key != value for key, value in keywords.items()) or passed + list(keywords) != parameters:
        return None
    return ast.get_source_segment(was.decode("utf-8", errors="replace"), function)


def _unchanged(then: Binding, now: Binding) -> bool:
    return (then.kind, then.text, then.target, then.imported, then.signature, then.shape) == (
        now.kind, now.text, now.target, now.imported, now.signature, now.shape)


def _imported_unchanged(project: Project, change: Change, binding: Binding, in_file: Optional[str] = None,
                        depth: int = 5) -> bool:
    """Where ``binding`` (in the project file ``in_file``, else the one the change removed the name
    from) imports a name of a project module, whether that module bound it before the change as
    it does now, and so on through its own imports of it (reviews hAQ 03, hAR 03: ``core.parse``
    renamed, a new ``parse`` in its place, reached through ``compat``'s re-export)."""
    if binding.kind != "import" or not binding.imported:
        return True
    source = absolute_module(binding.target, package_of(project, project.root / (in_file or change.path)))
    path = project.module_file(source) if source and project.owns_module(source) else None
    if path is None:
        return not (source and project.owns_module(source))
    was = file_before(project, change.commit, project.relative(path))
    then = bindings(was).get(binding.imported) if was is not None else None
    now = bindings(project.source(path) or b"").get(binding.imported)
    return then is not None and now is not None and _unchanged(then, now) and depth > 0 \
        and _imported_unchanged(project, change, now, project.relative(path), depth - 1)


def _module_paths(project: Project, module: str) -> list[str]:
    """Where the files of project module ``module`` would be (``pkg/impl.py``, ``pkg/impl/__init__.py``)."""
    parts = module.split(".")
    base = project.package_root(parts[0]).joinpath(*parts)
    return [project.relative(base.with_suffix(".py")), project.relative(base / "__init__.py")]


def _imports_from(project: Project, module: str, name: str, source: str) -> bool:
    """Whether ``module`` binds ``name`` now by importing it, under that name, from ``source``."""
    binding = _bindings_now(project, module).get(name)
    module_file = project.module_file(module)
    if binding is None or binding.kind != "import" or binding.imported != name or module_file is None:
        return False
    return absolute_module(binding.target, package_of(project, module_file)) == source


def _restored_value(project: Project, name: str, home: _Home, change: Change) -> Optional[_Found]:
    """``rest = partial(drop, 1)``: an alias built from what the module still binds, removed with
    nothing in its place, comes back as written after the last of those bindings."""
    removed = change.removed
    if change.successor is not None or change.rivals or not removed.text:
        return None
    now = _bindings_now(project, home.module)
    local = [read for read in removed.reads if read in now]
    if not local or any(read not in now and not hasattr(builtins, read) for read in removed.reads):
        return None
    anchor = max(local, key=lambda read: now[read].line)
    edit = Edit(home.relative, "add_alias", (("name", name), ("target", anchor), ("statement", removed.text),
                                             ("reason", "restored"), *_export(home)))
    listed = " (and its __all__ entry)" if change.listed_in_all and _export(home) else ""
    evidence = (
        f"restored: {change.where} removed `{removed.text}`{listed} from {home.relative} and added nothing in "
        f"its place; {', '.join(repr(read) for read in local)} still bound there"
    )
    return _Found(Repair(f"restore `{removed.text}` in {home.module}", (edit,), evidence))


def _alias_of_a_dropped_import(project: Project, name: str, home: _Home, change: Change) -> Optional[_Found]:
    """``dumps = json.dumps`` was removed with the ``import json`` it read (review hAM 10): the
    same object back as an import, ``from json import dumps``, not a namesake the project defines
    elsewhere (a ``dumps`` that sorts keys)."""
    from collect_fix.import_replacements import dropped_with_its_import

    target = dropped_with_its_import(project, change)
    if target is None:
        return None
    source, _, imported = target.rpartition(".")
    statement = f"from {source} import {imported}" + (f" as {name}" if imported != name else "")
    edit = Edit(home.relative, "add_alias", (("name", name), ("target", target), ("statement", statement),
                                             ("reason", "restored"), *_export(home)))
    evidence = (f"restored: {change.where} removed `{change.removed.text}` from {home.relative}, and the import "
                f"it read with it; {source} still provides '{imported}'")
    return _Found(Repair(f"restore '{name}' in {home.module} as `{statement}`", (edit,), evidence),
                  _import_edit(home.importer, name, source, imported))


def _alias_to_renamed_target(project: Project, name: str, home: _Home, change: Change) -> Optional[_Found]:
    """``Old = Mid`` was removed and ``Mid`` renamed too: ``Old`` follows ``Mid`` to its successor."""
    target = change.removed.target
    if "." in target:
        return None
    onward = name_change(project, home.relative, target)
    if onward is None or onward.successor is None:
        return None
    successor = onward.successor.name
    current = {d.name: d for d in _candidates(project, name, home)}
    if successor not in current or not fits(current[successor].kind, home.uses):
        return None
    evidence = (
        f"restored: {change.where} removed `{change.removed.text}` from {home.relative}, and {onward.where} "
        f"renamed '{target}' to '{successor}' ({onward.why}), so the alias points at '{successor}'"
    )
    return _alias(home, name, successor, evidence)


def _renamed_in_history(project: Project, name: str, home: _Home) -> Optional[_Found]:
    """The change that removed ``name`` added the definition it pairs with: alias it."""
    change = home.change
    if change is None or change.removed.kind not in DEFINITION_KINDS:
        return None
    current = {d.name: d for d in _candidates(project, name, home)}
    named = (change.successor.name,) if change.successor else change.rivals
    then = ""
    if change.successor is not None:
        followed, then = _successor_now(project, home, change.successor, current)
        named = (followed,) if followed else ()  # its name went to other code, and its code nowhere
    # Of the removed name's own kind, it serves every use the old one did (a namedtuple constant, called).
    fitting = [candidate for candidate in named if candidate in current
               and (current[candidate].kind == change.removed.kind or fits(current[candidate].kind, home.uses))]
    if len(fitting) > 1:
        options = " or ".join(f"'{candidate}'" for candidate in fitting)
        return _Found(
            advice=f"'{name}' was removed from {home.relative} by {change.where}, which added {options}, equally "
            f"alike and fitting its use: add `{name} = <the new name>` to {home.relative} or fix the import "
            "(or let the tests decide: --run-tests)",
            choices=_choices(home, name, fitting, f"{change.where} removed '{name}' and added {options}"),
        )
    if not fitting:
        return None
    target = fitting[0]
    why = change.why or "the only one of them that fits how the project uses it"
    added = change.successor.name if change.successor is not None else target
    evidence = f"renamed (git): {change.where} removed '{name}' and added '{added}' in {change.path} ({why}){then}"
    return _alias(home, name, target, evidence)


_MAX_RENAMES = 32  # of one name followed through history, a bound for a cycle of renames


def _successor_now(project: Project, home: _Home, successor: Binding, current: dict[str, Definition]
                   ) -> tuple[str, str]:
    """The name ``successor``'s code has in the home module now, and how it got there: itself (edited
    or not); imported back from where a later change moved it (tabulate: ``LineFormat`` ->
    ``from .formats import LineFormat``, the same code: ``current`` learns it); renamed again, and
    again (reviews hAO 06, hAP 10: ``LineFormat`` -> ``LineStyle`` -> ``LineSpec``), or its code
    under one other name where its name went to other code. "" where none of these tells."""
    hops: list[str] = []
    for _ in range(_MAX_RENAMES):
        now = _bindings_now(project, home.module).get(successor.name)
        if successor.name in current and (now is None or now.shape == successor.shape):
            return successor.name, "".join(hops)
        if successor.name not in current:
            imported = _imported_back(project, home, successor)
            if imported is not None:
                current[successor.name] = imported
                return successor.name, "".join(hops)
        onward = name_change(project, home.relative, successor.name)
        if onward is not None and onward.successor is not None:
            hops.append(f", which {onward.where} renamed to '{onward.successor.name}' ({onward.why})")
            successor = onward.successor
            continue
        same = [binding for binding in _bindings_now(project, home.module).values()
                if binding.name != successor.name and binding.kind == successor.kind
                and same_code_under_another_name(successor, binding)]
        if len(same) == 1 and same[0].name in current:
            return same[0].name, "".join(hops) + f", whose code is '{same[0].name}' there now"
        kept = successor.name in current and now is not None and now.kind == successor.kind \
            and takes_every_parameter(successor, now)  # edited since, not another class taking its name
        documented = [binding for binding in _bindings_now(project, home.module).values()
                      if binding.name != successor.name and binding.kind == successor.kind and successor.doc
                      and binding.doc == successor.doc and (now is None or now.doc != successor.doc)]
        if kept and documented:  # its docstring went with other code (review hAR 05): which is it, unsure
            return "", "".join(hops)
        return (successor.name if kept else ""), "".join(hops)
    return "", ""


def _imported_back(project: Project, home: _Home, successor: Binding) -> Optional[Definition]:
    """The definition the home module imports as ``successor``'s name now (``from .formats import
    LineFormat``), under that name, from a project module that defines it with the successor's
    very code (not another class that took the name: review hAO 06); under a ``try``, by the one
    import of it that imports here."""
    name = successor.name
    binding = _bindings_now(project, home.module).get(name)
    if binding is not None and binding.conditional:  # ``try: from .formats ...`` / ``except ImportError`` (as a script)
        binding = _the_branch_that_binds_here(project, home, binding)
    module_file = project.module_file(home.module)
    if binding is None or binding.kind != "import" or binding.imported != name or module_file is None:
        return None
    source = absolute_module(binding.target, package_of(project, module_file))
    found = [d for d in module_definitions(project, source) if d.name == name] if source else []
    if len(found) != 1 or not successor.shape:
        return None
    there = bindings(project.source(project.root / found[0].path) or b"").get(name)
    return found[0] if there is not None and there.shape == successor.shape else None


def _candidates(project: Project, name: str, home: _Home) -> list[Definition]:
    """The definitions of the home module that may succeed ``name``.

    Neither a stub collect-fix wrote nor a name imported alongside the missing one is its successor.
    """
    unrelated = imported_with(project, home.importer, name)
    return [
        d for d in module_definitions(project, home.module)
        if d.name != name and not _is_dunder(d.name) and d.name not in unrelated and not is_marked(project, d.path, d.line)
    ]


def _bound_now(project: Project, module: str) -> frozenset[str]:
    return frozenset(_bindings_now(project, module))


def _bindings_now(project: Project, module: str) -> dict[str, Binding]:
    path = project.module_file(module)
    try:
        return bindings(path.read_bytes()) if path is not None else {}
    except OSError:
        return {}


def _provides(project: Project, module: str, name: str) -> bool:
    """Whether ``from module import name`` works now, as far as static reading can tell.

    Modules outside the project are not read: re-collection verifies those.
    """
    if not project.owns_module(module):
        return True
    if not name:
        return project.module_file(module) is not None
    return name in _bound_now(project, module) or project.module_file(f"{module}.{name}") is not None


def _moved(project: Project, name: str, module: str, uses: frozenset[str], change: Optional[Change] = None
           ) -> Optional[_Found]:
    # A script's definition is never re-exported: importing the script would run it (delete files).
    elsewhere = [definition for definition in find_definitions(project, name)
                 if definition.module != module and not is_script(project, project.root / definition.path)
                 and not _a_namesake_already_there(project, definition, change)]
    fitting = [definition for definition in elsewhere if fits(definition.kind, uses)] or elsewhere
    if not fitting:
        return None
    closeness = {definition: _common_prefix(definition.module, module) for definition in fitting}
    best = max(closeness.values())
    nearest = [definition for definition in fitting if closeness[definition] == best]
    if len(nearest) > 1:
        homes = ", ".join(f"{definition.module} ({definition.path}:{definition.line})" for definition in nearest)
        return _Found(advice=f"'{name}' is defined in several modules: {homes}; import it from the right one")
    home = nearest[0]
    module_file = project.module_file(module)
    relative = project.relative(module_file) if module_file else module
    circular = imports_at_load(project, home.module, module)
    evidence = f"moved: '{name}' is defined in {home.module} ({home.path}:{home.line}), not in {module}"
    others = [definition for definition in elsewhere if definition != home]
    if others:
        homes = ", ".join(f"{other.module} ({other.path}:{other.line})" for other in others)
        evidence += f"; also defined in {homes}, farther from {module} or of another kind"
    first_only = circular and order_dependent(project, home.module, module)
    if circular:
        evidence += f"; {home.module} loads {module} when it is imported, so a re-export would go last in {module}"
    if first_only:
        evidence += f", and would work only where {module} is imported first"
    args: tuple[tuple[str, object], ...] = (("from_module", home.module), ("name", name))
    if circular:
        args += (("at_end", True),)
    if circular and module_file is not None and _script_never_reading(module_file, name):
        args += (("outside_main", True),)
        evidence += f"; {module} also runs as a script and never reads '{name}' itself: imported only when imported"
    repair = Repair(
        f"re-export '{name}' from {home.module} in {module}",
        (Edit(relative, "add_reexport", args),),
        evidence,
    )
    rewrite = _import_edit(module, name, home.module, name)
    return _Found(repair, rewrite, order_dependent=first_only)


def _a_namesake_already_there(project: Project, definition: Definition, change: Optional[Change]) -> bool:
    """Whether the module of ``definition`` bound its name before the change that removed it from
    the module the project imports it from, and ``definition`` is not the removed code now (reviews
    hAM 05, hAO 03: ``dumps = json.dumps`` went, and the project's own key-sorting
    ``jsonutil.dumps`` had been there all along): a namesake, not where the name moved. An import
    of it removed is that very object."""
    if change is None or change.removed.kind == "import":
        return False
    was = file_before(project, change.commit, definition.path)
    there = bindings(was).get(definition.name) if was is not None else None
    # Anything bound there before (a definition, or an import: review hAQ 01) is where it moved only
    # where it holds the removed code now (reviews hAP 05, 13; hAO 03; toolz: recipes' import of
    # frequencies, then the very code of it).
    if there is None:
        return False
    now = bindings(project.source(project.root / definition.path) or b"").get(definition.name)
    return now is None or (now.shape, now.signature) != (change.removed.shape, change.removed.signature)


def _script_never_reading(path: Path, name: str) -> bool:
    """Whether the module at ``path`` also runs as a script (``python pkg/__init__.py``, where a
    re-export from its own package cannot import) and its code never reads ``name``: then a
    re-export under ``if __name__ != "__main__":`` serves importers and imports nothing when it
    runs."""
    tree = tree_of_file(path)
    return tree is not None and runs_as_script(tree) and not any(
        isinstance(node, ast.Name) and node.id == name for node in ast.walk(tree))


def _moved_and_renamed(project: Project, name: str, module: str, homes: Sequence[_Home]) -> Optional[_Found]:
    """git shows the change that removed ``name`` from a home added its body under another name
    to another module of the package (``git_evidence.moved_in_change``): the importer is pointed
    there, ``from new import new_name as name``, which works in any import order."""
    for home in homes:
        change = _definition_removed(project, home)
        if change is None or change.successor is not None:
            continue
        found = moved_in_change(project, change.commit, change.path, change.removed, renamed=True)
        new_module = project.module_name(project.root / found[0]) if found is not None else None
        if found is None or not new_module or found[1].name == name or found[1].name not in _bound_now(project, new_module):
            continue
        new_name = found[1].name
        how = "with the same code" if found[1].shape == change.removed.shape else (
            f", which {change.path} imports back: the same name in another style")
        return _Found(
            rewrite=_import_edit(module, name, new_module, new_name),
            rewrite_evidence=f"moved and renamed (git): {change.where} removed '{name}' from {change.path} and "
            f"added '{new_name}' to {found[0]}{how if how.startswith(',') else ' ' + how}",
            advice=f"'{name}' is now {new_module}.{new_name}: import it from there",
        )
    return None


def _definition_removed(project: Project, home: _Home) -> Optional[Change]:
    """The change that removed the name's definition: the home's, or where the home imported it
    from a project module (``from .helpers import fetch_rows``, dropped with the definition) and
    that module no longer defines it, that module's."""
    change = home.change
    if change is None or change.removed.kind in DEFINITION_KINDS:
        return change
    removed = change.removed
    if removed.kind != "import" or not removed.imported:
        return None
    home_file = project.module_file(home.module)
    source = absolute_module(removed.target, package_of(project, home_file)) if home_file is not None else None
    source_file = project.module_file(source) if source else None
    if source_file is None:
        return None
    deeper = name_change(project, project.relative(source_file), removed.imported)
    return deeper if deeper is not None and deeper.removed.kind in DEFINITION_KINDS else None


# A class and a function: what one makes, the other does not (``JsonError = json.JSONDecodeError``,
# an alias, may well hold a class).
_CLASS_AND_FUNCTION = ({"class", "function"}, {"class", "async_function"})


def _renamed(project: Project, name: str, home: _Home) -> Optional[_Found]:
    """A definition of the home module spelled like a rename of ``name`` (no history pairs one).

    When history shows the change that removed ``name``, what the file already defined before it
    did not replace it: ``Config`` is no successor of a ``load_config`` deleted beside it.
    """
    change = home.change
    existed = change.existed if change is not None else frozenset()
    fitting = {
        d.name: d for d in _candidates(project, name, home) if fits(d.kind, home.uses) and d.name not in existed
    }
    similar = _best(name, [candidate for candidate in fitting if similarity(name, candidate) is not None])
    if not similar:
        return None
    if len(similar) > 1:
        options = " or ".join(f"'{candidate}'" for candidate in similar)
        return _Found(
            advice=f"'{name}' may have been renamed to {options} in {home.module}, equally likely and no git "
            f"history tells which: add `{name} = <the new name>` to {home.relative} or fix the import "
            "(or let the tests decide: --run-tests)",
            choices=_choices(home, name, similar, f"{home.module} defines {options}, each spelled like a rename"),
        )
    target = similar[0]
    definition = fitting[target]
    now = _bindings_now(project, home.module).get(target)
    if change is not None and now is not None and not takes_every_parameter(change.removed, now):
        return None  # spelled like the removed one, but no call of it could reach this one
    if change is not None and now is not None and {change.removed.kind, now.kind} in _CLASS_AND_FUNCTION:
        return None  # a function ``connect(path)`` that replaced a class ``Connection(path)`` makes something else
    if change is not None and now is not None and change.removed.kind == "class" and now.kind == "alias" \
            and getattr(_bindings_now(project, home.module).get(now.target), "kind", None) == "constant":
        return None  # ``TIMEOUT = DEFAULT_TIMEOUT``, a number of the module's, holds no class
    if change is None:
        confirmed = "no git history confirms it"
    else:
        confirmed = f"git shows {change.where} removed it, and '{target}' came later"
    evidence = (
        f"renamed: {home.module} has no '{name}' but defines the {definition.kind.replace('_', ' ')} '{target}' "
        f"({home.relative}:{definition.line}), {why_similar(name, target)}; {confirmed}"
    )
    return _alias(home, name, target, evidence)


def _choices(home: _Home, name: str, targets: list[str], why: str) -> tuple[Repair, ...]:
    """One alias per equally likely successor, for the tests to choose among."""
    return tuple(
        repair for target in targets
        if (repair := _alias(home, name, target, f"one of {len(targets)} equally likely successors: {why}").repair)
    )


def _alias(home: _Home, name: str, target: str, evidence: str) -> _Found:
    repair = Repair(
        f"alias '{name}' to '{target}' in {home.module}",
        (Edit(home.relative, "add_alias", (("name", name), ("target", target), *_export(home))),),
        evidence,
    )
    return _Found(repair, _import_edit(home.importer, name, home.module, target))


def _export(home: _Home) -> tuple[tuple[str, object], ...]:
    """The alias joins ``__all__`` only where the importers reach it through a star import."""
    return (("export", True),) if home.module != home.importer else ()


def review(plans: list[Plan], project: Project) -> list[Plan]:
    """One round's missing-name plans together: joined names another plan repairs itself, and
    re-exports that close an import cycle together."""
    return reexports_behind_rewrites(_joins_left_to_their_own_plans(plans, project), project)


def _joins_left_to_their_own_plans(plans: list[Plan], project: Project) -> list[Plan]:
    """A name joined to a repair (``_with_names_after``) that another plan repairs itself this
    round is left to that plan, which is judged and reported for its own file; the repair is
    joined again without it (and without any name another plan repairs)."""
    own = frozenset(edit for plan in plans if plan.alternatives for edit in _own_first(plan).edits)
    reviewed = []
    for plan in plans:
        if not own.intersection(_joined_edits(plan)):
            reviewed.append(plan)
            continue
        alone, *rest = plan.alternatives[1:]
        again = _with_names_after(plan.diagnosis, project, alone, left_to_others=own - frozenset(alone.edits))
        reviewed.append(replace(plan, alternatives=(*([again] if again is not None else []), alone, *rest)))
    return reviewed


def _joined_edits(plan: Plan) -> tuple[Edit, ...]:
    """The edits ``_with_names_after`` joined to the plan's first repair, if it did."""
    if plan.diagnosis.category is not Category.MISSING_NAME or len(plan.alternatives) < 2:
        return ()
    together, alone = plan.alternatives[:2]
    size = len(alone.edits)
    return together.edits[size:] if len(together.edits) > size and together.edits[:size] == alone.edits else ()


def _own_first(plan: Plan) -> Repair:
    """The plan's first repair without the names it joined."""
    return plan.alternatives[1] if _joined_edits(plan) else plan.alternatives[0]


def _import_edit(module: str, name: str, new_module: str, new_name: str) -> Edit:
    """The importer-side fix; its path is filled in per diagnosis by _rewrite_repair."""
    return Edit(
        "", "rewrite_import", (("module", module), ("name", name), ("new_module", new_module), ("new_name", new_name))
    )


def _rewrite_repair(
    diagnosis: Diagnosis, project: Project, found: _Found, module: str, options: Options
) -> Optional[Repair]:
    """The importing file points at where the name lives now. Under the old name
    (``from new import new_name as name``), unless ``--rewrite-imports`` asks for the uses to be
    renamed in a test module or conftest: any other module may be imported or patched by its
    old name (``mock.patch("tests.helpers.slugify")``)."""
    if found.rewrite is None or (found.repair is None and not found.rewrite_evidence) or not diagnosis.path:
        return None
    importer = project.root / diagnosis.path
    module_file = project.module_file(module)
    if not importer.is_file() or project.editable(importer) is not None:
        return None
    if module_file is not None and importer.resolve() == module_file.resolve():
        return None
    args = found.rewrite.kwargs()
    target = f"{args['new_module']}.{args['new_name']}"
    evidence = found.repair.evidence + "; the importing file is rewritten instead of the module" \
        if found.repair is not None else found.rewrite_evidence
    description = f"import '{args['name']}' as {target} in {diagnosis.path}"
    edit = Edit(diagnosis.path, "rewrite_import", found.rewrite.args)
    if args["name"] != args["new_name"]:
        if options.rewrite_imports and (project.is_test_module(importer) or project.is_conftest(importer)):
            description = (f"import {target} instead of '{args['name']}' in {diagnosis.path} "
                           f"(its uses renamed, unless that could change what a name means there)")
        else:
            edit = Edit(diagnosis.path, "rewrite_import", (*found.rewrite.args, ("keep_name", True)))
    return Repair(description, (edit,), evidence)


def _best(name: str, candidates: list[str]) -> list[str]:
    """The candidates most similar to ``name``; more than one means it is a tie."""
    scored = {candidate: similarity(name, candidate) or (0, 0.0) for candidate in candidates}
    if not scored:
        return []
    top = max(scored.values())
    return sorted(candidate for candidate, score in scored.items() if score == top)


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _common_prefix(first: str, second: str) -> int:
    count = 0
    for a, b in zip(first.split("."), second.split(".")):
        if a != b:
            break
        count += 1
    return count

