"""Diagnoses -> Plans, by the planner module that owns each category.

Planners live in ``collect_fix.planners``; each module declares ``CATEGORIES`` and a
``plan(diagnosis, project, options) -> Plan`` function. They are found by scanning the package.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
import pkgutil
from functools import lru_cache
from typing import Callable

from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Options, Plan

Planner = Callable[[Diagnosis, Project, Options], Plan]


@lru_cache(maxsize=1)
def planners() -> dict[Category, Planner]:
    package = importlib.import_module("collect_fix.planners")
    found: dict[Category, Planner] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for category in getattr(module, "CATEGORIES", ()):
            found[category] = module.plan
    return found


def plan_all(diagnoses: list[Diagnosis], project: Project, options: Options) -> list[Plan]:
    """One Plan per diagnosis, in order (the applier applies a repair shared by several plans once).

    A planner that raises is a bug in collect-fix, not in the project: the diagnosis is kept and
    reported with the cause, never dropped.
    """
    plans: list[Plan] = []
    for diagnosis in diagnoses:
        planner = planners().get(diagnosis.category)
        if planner is None:
            plans.append(Plan(diagnosis, advice=""))
            continue
        try:
            plan = planner(diagnosis, project, options)
        except Exception as exc:  # keep going: one planner bug must not hide other repairs
            plans.append(Plan(diagnosis, advice=f"collect-fix could not plan a repair: {exc!r}"))
            continue
        plans.append(_without_stubs(plan) if diagnosis.masked else plan)
    return plans


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
