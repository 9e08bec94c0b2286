"""NameError at import time: add the import that provides the name, when the evidence names one."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Optional

from collect_fix import name_sources
from collect_fix.git_evidence import name_change
from collect_fix.import_time_names import undefined_at_import
from collect_fix.project import Project
from collect_fix.source_trees import statements, tree_of_file
from collect_fix.unbound_names import unbound_in_functions
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair

CATEGORIES = (Category.UNDEFINED_NAME,)
READS_ERROR = False  # the NameError's file, line and name are the diagnosis's (planning.plan_for)


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    """One repair (add the import) when exactly one provider is supported by evidence, else advice."""
    name, relative = diagnosis.subject, diagnosis.path
    if not name or not relative:
        return Plan(diagnosis, advice="a name is not defined at import time: define or import it where it is used")
    where = f"{relative}:{diagnosis.line}" if diagnosis.line else relative
    path = project.root / relative
    refusal = project.editable(path)
    if refusal is not None:
        return Plan(diagnosis, advice=f"define or import {name} in {where} ({refusal}, so collect-fix leaves it)")
    resolution = name_sources.resolve(project, name, path)
    chosen = resolution.chosen
    if chosen is None:
        if resolution.history_refuses:
            return Plan(diagnosis, advice=f"{name} in {where}: {resolution.evidence}")
        if resolution.candidates:
            options_text = " | ".join(candidate.statement for candidate in resolution.candidates)
            return Plan(diagnosis, advice=f"{name} in {where} is ambiguous; add the right one of: {options_text}")
        return Plan(
            diagnosis,
            advice=f"{name} in {where} is defined nowhere collect-fix can see: fix the spelling, define it or import it",
        )
    edits = [_edit(project, path, relative, each) for each in (chosen, *resolution.also)]
    evidence = [f"{name}: {resolution.evidence}"]
    added = [chosen.module]
    # The module's other import-time names would each stop it in a later round: add every one
    # whose provider is as clear, in the same repair.
    at_import = undefined_at_import(path)
    _add_clear(project, path, relative, [other for other in at_import if other != name], edits, evidence, added)
    repair = _repair(relative, edits, evidence)
    # Names only its functions read fail when a test calls them, never at collection: the same
    # evidence adds them too, in a repair tried first, with the one above as its fallback.
    # Only on history, and only what the change that dropped this name's import dropped too:
    # collection never checks these, "only m provides it" can be wrong for a name the code gets
    # another way, and a removal in a commit of its own was meant (gettext's ``_`` put into builtins).
    change = name_change(project, relative, name)
    later = [other for other in unbound_in_functions(path)  # only what the old version bound has a removal
             if change is not None and other in change.existed and other != name and other not in at_import]
    restored = [found for other in later if change is not None
                and (found := name_sources.restored_import(project, other, path, commit=change.commit))]
    for found in restored:
        assert found.chosen is not None
        edits.extend(_edit(project, path, relative, each) for each in (found.chosen, *found.also))
        evidence.append(f"{found.name} (read in a function): {found.evidence}")
    if restored:
        return Plan(diagnosis, (_repair(relative, edits, evidence), repair))
    return Plan(diagnosis, (repair,))


def _add_clear(
    project: Project, path: Path, relative: str, names: list[str], edits: list[Edit], evidence: list[str],
    added: list[str],
) -> None:
    """Append the import of each of ``names`` whose provider the evidence names."""
    for other in names:
        extra = name_sources.resolve(project, other, path, also_imported=added)
        if extra.chosen is not None:
            edits.extend(_edit(project, path, relative, each) for each in (extra.chosen, *extra.also))
            evidence.append(f"{other}: {extra.evidence}")
            added.append(extra.chosen.module)


def _repair(relative: str, edits: list[Edit], evidence: list[str]) -> Repair:
    ordered = sorted(edits, key=lambda edit: (edit.kwargs()["name"] != "", edit.kwargs()["module"]))  # `import x` first
    return Repair(f"add {_statements(ordered)} to {relative}", tuple(ordered), evidence="; ".join(evidence))


def _edit(project: Project, path: Path, relative: str, candidate: name_sources.ImportCandidate) -> Edit:
    if candidate.asname:
        return Edit(relative, "add_missing_import", (("module", candidate.module), ("name", candidate.name),
                                                     ("asname", candidate.asname)))
    module = _spelled_module(project, path, candidate)
    return Edit(relative, "add_missing_import", (("module", module), ("name", candidate.name)))


def _statements(edits: list[Edit]) -> str:
    """``import json``, ``from typing import Dict, Optional``: what a person would read in the file."""
    names: dict[str, list[str]] = {}
    aliased: list[str] = []
    for edit in edits:
        args = edit.kwargs()
        if args.get("asname"):
            aliased.append(f"`from {args['module']} import {args['name']} as {args['asname']}`" if args["name"]
                           else f"`import {args['module']} as {args['asname']}`")
        else:
            names.setdefault(args["module"], []).append(args["name"])
    return ", ".join(aliased + [
        f"`import {module}`" if imported == [""] else f"`from {module} import {', '.join(sorted(imported))}`"
        for module, imported in names.items()
    ])


def _spelled_module(project: Project, path: Path, candidate: name_sources.ImportCandidate) -> str:
    """The candidate's module as this file would write it: relative if the file imports its own
    package relatively and never absolutely."""
    if candidate.origin != "project" or not candidate.name:
        return candidate.module
    here = project.module_name(path)
    if not here:
        return candidate.module
    package = here.split(".") if path.name == "__init__.py" else here.split(".")[:-1]
    target = candidate.module.split(".")
    if not package or target[0] != package[0] or not _imports_own_package_relatively(path, package[0]):
        return candidate.module
    common = 0
    while common < min(len(package), len(target)) and package[common] == target[common]:
        common += 1
    rest = target[common:]
    if not rest:
        return candidate.module  # ``from .. import X`` reads worse than the absolute spelling
    return "." * (len(package) - common + 1) + ".".join(rest)


def _imports_own_package_relatively(path: Path, top_level: str) -> bool:
    tree = _parse(path)
    if tree is None:
        return False
    relative = absolute = False
    for node in statements(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                relative = True
            elif (node.module or "").partition(".")[0] == top_level:
                absolute = True
        elif isinstance(node, ast.Import) and any(a.name.partition(".")[0] == top_level for a in node.names):
            absolute = True
    return relative and not absolute


def _parse(path: Path) -> Optional[ast.Module]:
    return tree_of_file(path)
