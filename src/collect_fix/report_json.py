"""Report -> the versioned JSON report (``--format json``, ``--json FILE``).

Driven by the Report dataclass: every field is written, shaped by its type (``plain``); only the
few fields below that need a person's view get one (counts beside the collections, the diagnoses
folded into them, repairs grouped). A field added to Report appears without a change here; the
schema (tests/schemas/collect-fix-report.schema.json) and the README's field list must then name
it, and a test checks that they do.

``schema_version`` changes when a field is removed or changes meaning; new fields do not change it.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import PurePath
from typing import Any, Callable

from collect_fix.reporting import by_category, remaining_causes, repair_groups
from collect_fix.types import Collection, CollectionError, Diagnosis, Outcome, Plan, Report, Status

SCHEMA_VERSION = 1

# Fields of these types that a report leaves out: bulky, or repeated elsewhere in it.
_LEFT_OUT: dict[type, frozenset[str]] = {
    Collection: frozenset({"stderr_tail"}),
    CollectionError: frozenset({"longrepr", "frames"}),
    Diagnosis: frozenset({"error"}),
}


def plain(value: Any) -> Any:
    """``value`` as JSON data: dataclasses as objects (minus _LEFT_OUT), enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        skip = _LEFT_OUT.get(type(value), frozenset())
        return {item.name: plain(getattr(value, item.name)) for item in dataclasses.fields(value) if item.name not in skip}
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):  # sorted, so one run gives one JSON text
        return sorted((plain(item) for item in value), key=str)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def _collection(data: Collection, diagnoses: tuple[Diagnosis, ...]) -> dict[str, Any]:
    shaped = plain(data)
    shaped["errors"] = len(data.errors)  # pytest's count; the diagnoses say what each one is
    shaped["errors_by_category"] = by_category(diagnoses)
    return dict(shaped)


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
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


def _error(diagnosis: Diagnosis) -> dict[str, Any]:
    return {"category": diagnosis.category.value, "path": diagnosis.path, "line": diagnosis.line, "summary": diagnosis.summary}


def _plan(plan: Plan) -> dict[str, Any]:
    d = plan.diagnosis
    return {
        "category": d.category.value, "path": d.path, "line": d.line, "summary": d.summary,
        "subject": d.subject, "module": d.module, "notes": list(d.notes), "advice": plan.advice,
    }


def _repairs(report: Report) -> list[dict[str, Any]]:
    statuses = (Status.REPAIRED, Status.REVERTED, Status.FAILED)
    return [
        {
            "status": group.status.value,
            "repair": group.description or None,
            "evidence": group.repair.evidence if group.repair else None,
            "files": list(group.files),
            "reason": group.reason,
            "errors_fixed": len(group.outcomes) if group.status is Status.REPAIRED else 0,
            "errors": [_error(diagnosis) for diagnosis in group.diagnoses],
        }
        for group in repair_groups(report, *statuses)
    ]


def _causes_left(report: Report) -> list[dict[str, Any]]:
    return [dict(_plan(plan), test_files=count) for plan, count in remaining_causes(report.remaining)]


# Report fields with a shape of their own (None: folded into another field, not written alone).
_FIELDS: dict[str, Callable[[Report], Any] | None] = {
    "before": lambda report: _collection(report.before, report.before_diagnoses),
    "after": lambda report: _collection(report.after, report.after_diagnoses),
    "before_diagnoses": None,
    "after_diagnoses": None,
    "outcomes": lambda report: [_outcome(outcome) for outcome in report.outcomes],
    "remaining": lambda report: [_plan(plan) for plan in report.remaining],
}
# Views computed from the fields, written after them.
_VIEWS: dict[str, Callable[[Report], Any]] = {
    "repairs": _repairs,
    "remaining_causes": _causes_left,
}


def report_data(report: Report) -> dict[str, Any]:
    """The JSON report as data: ``schema_version``, ``tool``, every Report field, the views."""
    data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "tool": {"name": "collect-fix", "version": tool_version()}}
    for item in dataclasses.fields(report):
        if item.name not in _FIELDS:
            data[item.name] = plain(getattr(report, item.name))
            continue
        shape = _FIELDS[item.name]
        if shape is not None:
            data[item.name] = shape(report)
    for name, view in _VIEWS.items():
        data[name] = view(report)
    return data


def to_json(report: Report) -> str:
    return json.dumps(report_data(report), indent=2) + "\n"


def tool_version() -> str:
    try:
        return version("collect-fix")
    except PackageNotFoundError:
        return "unknown"
