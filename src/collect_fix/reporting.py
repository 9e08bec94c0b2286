"""Report -> text and JSON. Every number printed is one pytest produced."""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from typing import Any

from collect_fix.types import Collection, Diagnosis, Plan, Report, Status


def render_summary(report: Report) -> str:
    before, after = report.before, report.after
    lines = ["", "collect-fix report" + ("" if report.applied else " (dry run: nothing was written)")]
    lines.append(f"{'':24}{'before':>8}{'after':>8}")
    lines.append(f"{'tests collected':24}{before.tests:>8}{after.tests:>8}")
    lines.append(f"{'collection errors':24}{len(before.errors):>8}{len(after.errors):>8}")
    categories_before = _by_category(report.before_diagnoses)
    categories_after = _by_category(report.after_diagnoses)
    for category in sorted(set(categories_before) | set(categories_after)):
        lines.append(f"{'  ' + category:24}{categories_before.get(category, 0):>8}{categories_after.get(category, 0):>8}")
    changed = len(report.files_changed)
    lines.append(f"{'files changed':24}{'':>8}{changed:>8}" + ("" if report.applied else "  (would change)"))
    if not before.completed:
        lines.append("note: the first collection did not run to the end (see errors)")
    if any(error.exc_type == "SystemExit" for error in before.errors):
        lines.append(
            "note: plain pytest ends the whole session with INTERNALERROR at a module-level SystemExit;"
            " these counts come from the same pytest run with collect-fix's probe containing it"
        )
    if any(error.phase == "process" for error in before.errors):
        lines.append("note: a file killed or hung the collecting process; it was named and left out of the run")

    repaired = [outcome for outcome in report.outcomes if outcome.status is Status.REPAIRED]
    if repaired:
        lines.append("")
        lines.append("repaired:" if report.applied else "would repair (verified on a scratch copy):")
        for outcome in repaired:
            where = _where(outcome.diagnosis.path, outcome.diagnosis.line)
            assert outcome.repair is not None
            lines.append(f"  {where}: {outcome.diagnosis.summary}")
            lines.append(f"      -> {outcome.repair.description}")
            if outcome.repair.evidence:
                lines.append(f"         evidence: {outcome.repair.evidence}")
    undone = [o for o in report.outcomes if o.status in (Status.REVERTED, Status.FAILED)]
    if undone:
        lines.append("")
        lines.append("tried and not kept:")
        for outcome in undone:
            description = outcome.repair.description if outcome.repair else ""
            lines.append(f"  {_where(outcome.diagnosis.path, outcome.diagnosis.line)}: {description}: {outcome.reason}")
    if report.remaining:
        lines.append("")
        lines.append("left for a person, by category:")
        ordered = sorted(report.remaining, key=lambda plan: plan.diagnosis.category.value)
        for category, plans in groupby(ordered, key=lambda plan: plan.diagnosis.category.value):
            lines.append(f"  {category}:")
            for plan, blocked in _one_per_cause(list(plans)):
                diagnosis = plan.diagnosis
                also = f" (stops {blocked} test files from collecting)" if blocked > 1 else ""
                lines.append(f"    {_where(diagnosis.path, diagnosis.line)}: {diagnosis.summary}{also}")
                for note in diagnosis.notes:
                    lines.append(f"      {note}")
                if plan.advice:
                    lines.append(f"      next step: {plan.advice}")
                elif plan.alternatives:
                    lines.append("      next step: run collect-fix --apply")
                else:
                    lines.append("      next step: no automatic repair for this category; fix it by hand")
    if report.install_command:
        lines.append("")
        lines.append(f"install the missing dependencies: {report.install_command}")
    if report.stubs:
        lines.append("")
        lines.append("stubs and aliases left in the tree (collect-fix --list-stubs):")
        lines.extend(f"  {stub}" for stub in report.stubs)
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"


def _one_per_cause(plans: list[Plan]) -> list[tuple[Plan, int]]:
    """One entry per cause: a broken source module reached from several test files is one
    problem for a person, though pytest reports it once per test file."""
    counts: dict[tuple[object, ...], int] = {}
    first: dict[tuple[object, ...], Plan] = {}
    for plan in plans:
        cause = (plan.diagnosis.key, plan.diagnosis.line, plan.diagnosis.summary, plan.advice)
        counts[cause] = counts.get(cause, 0) + 1
        first.setdefault(cause, plan)
    return [(first[cause], counts[cause]) for cause in first]


def _by_category(diagnoses: tuple[Diagnosis, ...]) -> dict[str, int]:
    return dict(Counter(diagnosis.category.value for diagnosis in diagnoses))


def _where(path: str | None, line: int | None) -> str:
    if not path:
        return "<session>"
    return f"{path}:{line}" if line else path


def to_json(report: Report) -> str:
    def collection(data: Collection, diagnoses: tuple[Diagnosis, ...]) -> dict[str, Any]:
        return {
            "tests": data.tests,
            "errors": len(data.errors),
            "errors_by_category": _by_category(diagnoses),
            "completed": data.completed,
            "exit_code": data.exit_code,
        }

    def plan_record(plan: Any) -> dict[str, Any]:
        d = plan.diagnosis
        return {
            "category": d.category.value, "path": d.path, "line": d.line, "summary": d.summary,
            "subject": d.subject, "module": d.module, "notes": list(d.notes), "advice": plan.advice,
        }

    payload = {
        "applied": report.applied,
        "before": collection(report.before, report.before_diagnoses),
        "after": collection(report.after, report.after_diagnoses),
        "files_changed": list(report.files_changed),
        "outcomes": [
            {
                "status": outcome.status.value,
                "category": outcome.diagnosis.category.value,
                "path": outcome.diagnosis.path,
                "line": outcome.diagnosis.line,
                "summary": outcome.diagnosis.summary,
                "repair": outcome.repair.description if outcome.repair else None,
                "evidence": outcome.repair.evidence if outcome.repair else None,
                "reason": outcome.reason,
                "files": list(outcome.files),
            }
            for outcome in report.outcomes
        ],
        "remaining": [plan_record(plan) for plan in report.remaining],
        "install_command": report.install_command,
        "stubs": list(report.stubs),
        "warnings": list(report.warnings),
    }
    return json.dumps(payload, indent=2) + "\n"
