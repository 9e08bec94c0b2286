"""Missing names (`cannot import name 'X' from 'pkg.mod'`, `module 'pkg.mod' has no attribute 'X'`).

The evidence decides, in this order: X is defined in another project module (moved: re-export
it), the module defines an evident successor of X (renamed: alias it; git history beats name
similarity), or X was never written (stub it, shaped by how the project uses it). With
``rewrite_imports`` moved and renamed names are fixed in the importing file instead. Only the
project's own modules are edited; everything is found statically.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Optional

from collect_fix.definitions import find_definitions, imports_at_load, module_definitions
from collect_fix.git_evidence import find_rename
from collect_fix.planners.missing_modules import plan_submodule
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair
from collect_fix.stubs import is_marked
from collect_fix.usage import import_time_blockers, imported_with, infer_usage

CATEGORIES = (Category.MISSING_NAME,)

# Which existing kinds can stand in for a name used as ...; "constant" use says nothing.
_COMPATIBLE = {
    "class": {"class"},
    "function": {"function", "class"},
    "async_function": {"async_function"},
    "decorator": {"function", "class"},
    "decorator_factory": {"function", "class"},
    "constant": {"class", "function", "async_function", "constant"},
}
_MIN_RATIO = 0.8


@dataclass(frozen=True)
class _Found:
    """A decision with the evidence for it; ``repair`` None means report ``advice`` instead."""

    repair: Optional[Repair] = None
    rewrite: Optional[Edit] = None  # the same fix applied to the importer, when there is one
    advice: str = ""


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
    if found.repair is None:
        return Plan(diagnosis, advice=found.advice)
    rewrite = _rewrite_repair(diagnosis, project, found, module)
    refusal = project.editable(module_file)
    if refusal is not None:
        if rewrite is not None:
            return Plan(diagnosis, (rewrite,))
        return Plan(diagnosis, advice=f"'{name}' is missing from {module} but {refusal}; fix the import by hand")
    if options.rewrite_imports and rewrite is not None:
        return Plan(diagnosis, (rewrite,))
    return Plan(diagnosis, tuple(repair for repair in (found.repair, rewrite) if repair is not None))


def _decide(project: Project, name: str, module: str) -> _Found:
    module_file = project.module_file(module)
    relative = project.relative(module_file) if module_file else module
    here = [definition for definition in module_definitions(project, module) if definition.name == name]
    if here:
        return _Found(
            advice=f"'{name}' is defined in {relative}:{here[0].line} but was not importable when the import ran: "
            "a circular import or a conditional definition? Check the import order."
        )
    used_as, uses = infer_usage(project, module, name)
    moved = _moved(project, name, module, used_as)
    if moved is not None:
        return moved
    renamed = _renamed(project, name, module, relative, used_as)
    if renamed is not None:
        return renamed
    blockers = import_time_blockers(project, module, name, used_as)
    if blockers:
        # No honest stub survives e.g. parametrize(..., CASES): None fails collection again.
        uses = "; ".join(str(blocker) for blocker in blockers[:3])
        return _Found(
            advice=f"'{name}' is missing from {module} and is used at import time ({uses}): no stub value can "
            f"stand in for it; define it in {relative} with its real value"
        )
    kind = used_as.replace("_", " ")
    article = "an" if kind[0] in "aeiou" else "a"
    description = f"add {article} {kind} stub '{name}' to {module}"
    evidence = (
        f"never written: '{name}' is defined nowhere in the project and {module} has no similar name; "
        f"the project's use of it ({uses}) makes it {article} {kind}"
    )
    edit = Edit(relative, "add_stubs", (("stubs", ((name, used_as),)),))
    return _Found(Repair(description, (edit,), evidence))


def _moved(project: Project, name: str, module: str, used_as: str) -> Optional[_Found]:
    elsewhere = [definition for definition in find_definitions(project, name) if definition.module != module]
    fitting = [definition for definition in elsewhere if definition.kind in _COMPATIBLE[used_as]] or elsewhere
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
    if circular:
        evidence += f"; {home.module} imports {module} when it loads, so the re-export goes last in the module"
    args: tuple[tuple[str, object], ...] = (("from_module", home.module), ("name", name))
    if circular:
        args += (("at_end", True),)
    repair = Repair(
        f"re-export '{name}' from {home.module} in {module}",
        (Edit(relative, "add_reexport", args),),
        evidence,
    )
    rewrite = _import_edit(module, name, home.module, name)
    return _Found(repair, rewrite)


def _renamed(project: Project, name: str, module: str, relative: str, used_as: str) -> Optional[_Found]:
    # Neither a stub collect-fix wrote nor a name imported alongside the missing one is its successor.
    unrelated = imported_with(project, module, name)
    definitions = [
        d for d in module_definitions(project, module)
        if d.name != name and not _is_dunder(d.name) and d.name not in unrelated and not is_marked(project, d.path, d.line)
    ]
    fitting = {d.name: d for d in definitions if d.kind in _COMPATIBLE[used_as]}
    rename = find_rename(project, relative, name, [d.name for d in definitions])
    if rename is not None:
        # Only a definition of a fitting kind can stand in: a removed class is not a new constant.
        chosen = _best(name, [new for new in rename.new if new in fitting])
        if len(chosen) == 1:
            target = chosen[0]
            evidence = f"renamed (git): commit {rename.commit} removed '{name}' and added '{target}' in {rename.path}"
            return _alias(module, relative, name, target, evidence)
    similar = _best(name, [candidate for candidate in fitting if _similarity(name, candidate) is not None])
    if not similar:
        return None
    if len(similar) > 1:
        options = " or ".join(f"'{candidate}'" for candidate in similar)
        return _Found(
            advice=f"'{name}' may have been renamed to {options} in {module}, equally likely and no git history "
            f"tells which: add `{name} = <the new name>` to {relative} or fix the import"
        )
    target = similar[0]
    definition = fitting[target]
    evidence = (
        f"renamed: {module} has no '{name}' but defines the {definition.kind.replace('_', ' ')} '{target}' "
        f"({relative}:{definition.line}), {_why_similar(name, target)}; no git history confirms it"
    )
    return _alias(module, relative, name, target, evidence)


def _alias(module: str, relative: str, name: str, target: str, evidence: str) -> _Found:
    repair = Repair(
        f"alias '{name}' to '{target}' in {module}",
        (Edit(relative, "add_alias", (("name", name), ("target", target))),),
        evidence,
    )
    return _Found(repair, _import_edit(module, name, module, target))


def _import_edit(module: str, name: str, new_module: str, new_name: str) -> Edit:
    """The importer-side fix; its path is filled in per diagnosis by _rewrite_repair."""
    return Edit(
        "", "rewrite_import", (("module", module), ("name", name), ("new_module", new_module), ("new_name", new_name))
    )


def _rewrite_repair(diagnosis: Diagnosis, project: Project, found: _Found, module: str) -> Optional[Repair]:
    if found.rewrite is None or found.repair is None or not diagnosis.path:
        return None
    importer = project.root / diagnosis.path
    module_file = project.module_file(module)
    if not importer.is_file() or project.editable(importer) is not None:
        return None
    if module_file is not None and importer.resolve() == module_file.resolve():
        return None
    args = found.rewrite.kwargs()
    target = f"{args['new_module']}.{args['new_name']}"
    return Repair(
        f"import '{args['name']}' as {target} in {diagnosis.path}",
        (Edit(diagnosis.path, "rewrite_import", found.rewrite.args),),
        found.repair.evidence + "; the importing file is rewritten instead of the module",
    )


def _best(name: str, candidates: list[str]) -> list[str]:
    """The candidates most similar to ``name``; more than one means it is a tie."""
    scored = {candidate: _similarity(name, candidate) or (0, 0.0) for candidate in candidates}
    if not scored:
        return []
    top = max(scored.values())
    return sorted(candidate for candidate, score in scored.items() if score == top)


def _similarity(old: str, new: str) -> Optional[tuple[int, float]]:
    """(tier, ratio): 3 same words in another case style, 2 one contains the other, 1 close spelling."""
    a, b = _normal(old), _normal(new)
    ratio = round(difflib.SequenceMatcher(None, a, b).ratio(), 6)
    if a == b:
        return 3, ratio
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and short in long and 2 * len(short) >= len(long):
        return 2, ratio
    if ratio >= _MIN_RATIO:
        return 1, ratio
    return None


def _why_similar(old: str, new: str) -> str:
    tier = (_similarity(old, new) or (0, 0.0))[0]
    return {3: "the same name in another case style", 2: "one name contains the other"}.get(tier, "a close spelling")


def _normal(name: str) -> str:
    return name.replace("_", "").lower()


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _common_prefix(first: str, second: str) -> int:
    count = 0
    for a, b in zip(first.split("."), second.split(".")):
        if a != b:
            break
        count += 1
    return count

