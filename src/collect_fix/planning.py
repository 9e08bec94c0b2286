"""Diagnoses -> Plans, by the planner module that owns each category.

Planners live in ``collect_fix.planners``; each module declares ``CATEGORIES`` and a
``plan(diagnosis, project, options) -> Plan`` function, and may have a ``review(plans, project)``
that looks at one round's plans together. They are found by scanning the package. A module that
declares ``READS_ERROR = False`` plans from the diagnosis alone, never from the collection error
behind it: equal diagnoses reported by different test files (a source module's NameError, met by
every test module that imports it) then share one plan instead of planning the same file again.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import replace
from functools import lru_cache
from types import ModuleType
from typing import Callable, Mapping, Optional, Sequence

from collect_fix import second_core
from collect_fix.interrupts import interrupt_in
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Options, Plan

Planner = Callable[[Diagnosis, Project, Options], Plan]
Key = tuple[str, Optional[str], Optional[str], Optional[str]]  # Diagnosis.key
Review = Callable[[list[Plan], Project], list[Plan]]


@lru_cache(maxsize=1)
def _planner_modules() -> tuple[ModuleType, ...]:
    package = importlib.import_module("collect_fix.planners")
    return tuple(importlib.import_module(f"{package.__name__}.{info.name}") for info in pkgutil.iter_modules(package.__path__))


@lru_cache(maxsize=1)
def planners() -> dict[Category, Planner]:
    found: dict[Category, Planner] = {}
    for module in _planner_modules():
        for category in getattr(module, "CATEGORIES", ()):
            found[category] = module.plan
    return found


@lru_cache(maxsize=1)
def _error_blind() -> frozenset[Category]:
    """The categories whose planner declares ``READS_ERROR = False``."""
    return frozenset(category for module in _planner_modules() if getattr(module, "READS_ERROR", True) is False
                     for category in getattr(module, "CATEGORIES", ()))


def plan_for(plan: Plan, diagnosis: Diagnosis) -> Optional[Plan]:
    """``plan`` as the plan of ``diagnosis``, where it is one: made for an equal diagnosis from the
    same collection error, or from any error where the planner reads none; else None."""
    if plan.diagnosis != diagnosis:
        return None
    if plan.diagnosis.error == diagnosis.error:
        return plan
    return replace(plan, diagnosis=diagnosis) if diagnosis.category in _error_blind() else None


@lru_cache(maxsize=1)
def reviews() -> tuple[Review, ...]:
    """Planner modules' ``review(plans, project)``: a second look at one round's plans together,
    for what no plan sees alone (re-exports that close an import cycle only together)."""
    return tuple(module.review for module in _planner_modules() if callable(getattr(module, "review", None)))


def plan_all(
    diagnoses: list[Diagnosis], project: Project, options: Options, early: Optional[Mapping[Key, Plan]] = None
) -> list[Plan]:
    """One Plan per diagnosis, in order (the applier applies a repair shared by several plans once).

    ``early``: plans made for this very tree before (``early_plans``), each taken for a diagnosis
    equal to its own, error included.
    """
    def made_early(diagnosis: Diagnosis) -> Optional[Plan]:
        found = (early or {}).get(diagnosis.key)
        return plan_for(found, diagnosis) if found is not None else None

    unplanned = [diagnosis for diagnosis in diagnoses if made_early(diagnosis) is None]
    made = dict(zip(map(id, unplanned), plan_each(unplanned, project, options)))
    plans = [made_early(diagnosis) or made[id(diagnosis)] for diagnosis in diagnoses]
    for review in reviews():
        try:
            plans = review(plans, project)
        except Exception as exc:  # noqa: BLE001 - a bug in a second look keeps the first one's plans
            if interrupt_in(exc) is not None:
                raise
            continue
    return plans


def plan_each(diagnoses: Sequence[Diagnosis], project: Project, options: Options) -> list[Plan]:
    """``plan_one`` of each diagnosis, in order; shared with a forked copy of this process
    (``second_core``), which hands back its plans and the edits it tried."""
    from collect_fix.transforms import RememberedEdits

    def planned(diagnosis: Diagnosis) -> Plan:
        return plan_one(diagnosis, project, options)

    blind = _error_blind()
    first: dict[Diagnosis, Diagnosis] = {}  # an error-blind diagnosis -> the equal one planned
    for diagnosis in diagnoses:
        if diagnosis.category in blind:
            first.setdefault(diagnosis, diagnosis)
    unique = [diagnosis for diagnosis in diagnoses if first.get(diagnosis, diagnosis) is diagnosis]
    made = dict(zip(map(id, unique), second_core.share(unique, planned, carry=(RememberedEdits(),))))
    # A plan made for an equal diagnosis, or by the copy (which holds a copy of its diagnosis):
    # the diagnosis itself takes its place, with the collection error it came from (not part of
    # a diagnosis's equality).
    plans = [made[id(first.get(diagnosis, diagnosis))] for diagnosis in diagnoses]
    return [replace(plan, diagnosis=diagnosis) if plan.diagnosis is not diagnosis and plan.diagnosis == diagnosis
            else plan for plan, diagnosis in zip(plans, diagnoses)]


def plan_one(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    """The diagnosis's Plan by its category's planner, before any review.

    A planner that raises is a bug in collect-fix, not in the project: the diagnosis is kept and
    reported with the cause, never dropped.
    """
    planner = planners().get(diagnosis.category)
    if planner is None:
        return Plan(diagnosis, advice="")
    try:
        plan = planner(diagnosis, project, options)
    except Exception as exc:  # keep going: one planner bug must not hide other repairs
        if interrupt_in(exc) is not None:
            raise  # a signal Python wrapped (interrupts.interrupt_in): the user's Ctrl-C
        return Plan(diagnosis, advice=f"collect-fix could not plan a repair: {exc!r}")
    return _without_stubs(plan) if diagnosis.masked else plan


# Edits that write stand-ins for code that does not exist (codemods/add_stubs.py, new packages).
_STUB_TRANSFORMS = frozenset({"add_stubs", "create_empty"})


def _without_stubs(plan: Plan) -> Plan:
    """A cause a module guards itself (``except ImportError: <skip or exit>``) is repaired only
    where the real code is there to point at (an alias, a re-export, an import). A stub would
    turn the guard's honest skip into failures: tests that cannot pass either way."""
    kept = tuple(
        repair for repair in plan.alternatives
        if not any(edit.transform in _STUB_TRANSFORMS for edit in repair.edits)
    )
    if kept or not plan.alternatives:
        return replace(plan, alternatives=kept)
    return Plan(plan.diagnosis, advice=(
        "the test module guards this import itself, and only a stub could stand in for it: the guard's "
        "skip is kept; write the missing code, or drop the guard"
    ))
