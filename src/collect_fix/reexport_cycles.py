"""Re-exports that work only when their module is imported first: a round's re-exports together
can close an import cycle that none closes alone.

A re-export in ``module`` from ``home`` runs ``from home import name`` while ``module`` loads; when
``home`` loads ``module`` in turn, whichever of the two is imported first decides whether the name
is there yet. Each plan is made on the tree as it is, and a round applies them together, so the
round's plans are looked at together (``missing_names.review``).
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Collection, Mapping, Optional

from collect_fix.definitions import imports_at_load, loaded_at_load, started_first
from collect_fix.project import Project
from collect_fix.types import Category, Edit, Plan


def reexports_behind_rewrites(plans: list[Plan], project: Project) -> list[Plan]:
    """A re-export that the round's other re-exports put on an import cycle comes after the
    importer's rewrite.

    Each plan is made on the tree as it is, and a round applies them together: re-exports that are
    harmless alone (shop.policy's from shop.notice, shop.notice's from shop.stock) can close a cycle
    with the tree's own imports (shop.stock imports shop.policy), and a re-export on a cycle fails
    whenever its home is imported first. One re-export at a time is moved behind its rewrite until
    no cycle is left, taken in the order of their names, never of the diagnoses: the same tree gets
    the same repairs. Re-exports with no rewrite to fall back on stay, and count for the others.
    """
    planned: dict[tuple[str, str, str], list[int]] = {}  # (module, home, name) -> plans it comes first in
    for index, plan in enumerate(plans):
        edit = _first_reexport(plan)
        module = _module_of(project, edit.path) if edit is not None else None
        if edit is None or module is None:
            continue
        home, name = edit.kwargs().get("from_module"), edit.kwargs().get("name")
        if isinstance(home, str) and isinstance(name, str):
            planned.setdefault((module, home, name), []).append(index)
    added: dict[str, list[str]] = {}  # module -> the homes this round's re-exports and rewrites make it import
    for module, home, _ in planned:
        added.setdefault(module, []).append(home)
    for plan in plans:  # a rewrite tried first makes its importer (a project module, maybe) import the home
        rewrite = plan.alternatives[0].edits[0] if plan.alternatives and plan.alternatives[0].edits else None
        importer = _module_of(project, rewrite.path) if rewrite and rewrite.transform == "rewrite_import" else None
        new_module = rewrite.kwargs().get("new_module") if rewrite is not None else None
        if importer is not None and isinstance(new_module, str):
            added.setdefault(importer, []).append(new_module)
    reviewed = list(plans)
    for (module, home, name), indexes in sorted(planned.items()):
        if not all(_rewrite_follows(plans[index]) for index in indexes):
            continue
        if not order_dependent(project, home, module, added):
            continue
        added[module].remove(home)
        for index in indexes:  # the rewrite makes its importer import the home (a module may import too)
            importer = _module_of(project, plans[index].diagnosis.path)
            if importer is not None:
                added.setdefault(importer, []).append(home)
        note = (f"; with this round's other re-exports, {home} would load {module} when it is imported, so a "
                f"re-export there would work only where {module} is imported first")
        for index in indexes:
            first, *rest = (replace(alternative, evidence=alternative.evidence + note)
                            for alternative in plans[index].alternatives)
            reviewed[index] = replace(plans[index], alternatives=(*rest, first))
    return reviewed


def _module_of(project: Project, path: Optional[str]) -> Optional[str]:
    return project.module_name(project.root / path) if path else None


def _first_reexport(plan: Plan) -> Optional[Edit]:
    """The re-export a missing name's plan tries first, if that is what it tries first."""
    first = plan.alternatives[0] if plan.alternatives else None
    if plan.diagnosis.category is not Category.MISSING_NAME or first is None or len(first.edits) != 1:
        return None
    return first.edits[0] if first.edits[0].transform == "add_reexport" else None


def _rewrite_follows(plan: Plan) -> bool:
    return any(edit.transform == "rewrite_import" for alternative in plan.alternatives[1:] for edit in alternative.edits)


def order_dependent(
    project: Project, home: str, module: str, added: Mapping[str, Collection[str]] = MappingProxyType({})
) -> bool:
    """Whether a re-export in ``module`` from ``home`` fails when some module on their import cycle
    is imported first: ``home`` loads ``module`` when it loads (``added``: the imports this round's
    repairs add). When ``module`` is a package holding ``home``, only a module outside the package
    that ``home`` loads and that loads the package back can be imported before it: a module inside
    is never imported before its package."""
    if not imports_at_load(project, home, module, added):
        return False
    if not home.startswith(module + "."):
        # Unless the package holding both loads ``module`` first: importing either loads it first.
        shared = ".".join(_common_parts(home, module))
        return not (shared and started_first(project, shared, (home, module), added) == module)
    return any(
        other != module and not other.startswith(module + ".") and imports_at_load(project, other, module, added)
        for other in loaded_at_load(project, home, added)
    )


def _common_parts(first: str, second: str) -> list[str]:
    """The packages two modules both lie in, outermost first, as dotted parts."""
    parts = []
    for one, other in zip(first.split(".")[:-1], second.split(".")[:-1]):
        if one != other:
            break
        parts.append(one)
    return parts
