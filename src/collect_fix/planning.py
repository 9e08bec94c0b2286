"""Diagnoses -> Plans, by the planner module that owns each category.

Planners live in ``collect_fix.planners``; each module declares ``CATEGORIES`` and a
``plan(diagnosis, project, options) -> Plan`` function. They are found by scanning the package.
"""

from __future__ import annotations

import importlib
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
        plans.append(plan)
    return plans
