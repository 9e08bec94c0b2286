"""Report -> SARIF 2.1.0 (``--format sarif``), for code-scanning uploads.

One rule per error category (and one per kind of shim collect-fix leaves); one result per cause
that remains (level error), per repair (error with its ``fixes`` in a dry run, where the problem is
still in the tree; note after --apply, where it is gone) and per shim left (warning). A repair's
fix is the change the run made to each file the repair touched, read back from the diff (when two
repairs share a file, both carry that file's whole change). Fixes are only given for a dry run:
after --apply their regions would point into text that is no longer there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote

from collect_fix.report_diff import Change, FileChange, file_changes
from collect_fix.report_json import tool_version
from collect_fix.reporting import (
    RepairGroup,
    next_step,
    remaining_causes,
    repair_groups,
    shims_in_tree,
    where,
)
from collect_fix.stubs import SHIM_KINDS, kind_of
from collect_fix.types import Category, Diagnosis, Report, Status

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_BASE_ID = "PROJECTROOT"

# What each category means, for the rule's description; a new category without an entry still
# gets a rule, described by its name.
CATEGORY_DESCRIPTIONS: dict[Category, str] = {
    Category.SYS_EXIT: "SystemExit raised while pytest imports a module (sys.exit, exit, quit, raise SystemExit)",
    Category.PROCESS_EXIT: "The collecting process died (os._exit) while importing a file",
    Category.MISSING_MODULE: "A module of the project itself cannot be found",
    Category.MISSING_DEPENDENCY: "A third-party module is not installed",
    Category.MISSING_NAME: "A name cannot be imported from a module that exists (moved, renamed or never written)",
    Category.UNDEFINED_NAME: "NameError while a module is imported (a missing import)",
    Category.SYNTAX_ERROR: "A file does not parse",
    Category.CONFTEST: "A conftest failed to load",
    Category.IMPORT_MISMATCH: "Two test files with one basename in package-less directories",
    Category.UNKNOWN_MARKER: "--strict-markers and an unregistered marker",
    Category.PROJECT_NOT_IMPORTABLE: "The project's package is not on sys.path (src/ layout)",
    Category.CIRCULAR_IMPORT: "An import cycle stops a module from being imported",
    Category.CLASS_CREATION: "A class cannot be created at import time (MRO conflict, bad base)",
    Category.MISSING_PLUGIN: "A pytest plugin named by the configuration is not there",
    Category.TIMEOUT: "Collection did not finish in time",
    Category.OTHER: "Any other error while pytest collects",
}


def render_sarif(report: Report, base: Path, prefix: str = "") -> dict[str, Any]:
    """The SARIF log for ``report``. Paths are relative URIs (``prefix`` + project-relative) against
    ``base``, which is given as the ``PROJECTROOT`` base URI."""
    rules = _rules()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    locate = _Locator(prefix)
    results: list[dict[str, Any]] = []
    for plan, count in remaining_causes(report.remaining):
        diagnosis = plan.diagnosis
        text = "\n".join([diagnosis.summary, *diagnosis.notes, f"next step: {next_step(plan)}"])
        result = _result(diagnosis.category.value, index, "error", text, locate.at(diagnosis.path, diagnosis.line))
        result["properties"] = {"testFilesStopped": count}
        results.append(result)
    changes = file_changes(report.diff)
    for group in repair_groups(report, Status.REPAIRED):
        results.append(_repair_result(group, report, index, locate, changes))
    for path, line, text in shims_in_tree(report):
        kind = kind_of(text) or "stub"
        results.append(_result(f"shim/{kind}", index, "warning", f"{kind} left by collect-fix: {text}", locate.at(path, line)))
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "collect-fix", "version": tool_version(), "rules": rules}},
        "originalUriBaseIds": {_BASE_ID: {"uri": base.resolve().as_uri().rstrip("/") + "/"}},
        "invocations": [{"executionSuccessful": True}],
        "results": results,
        "properties": {
            "applied": report.applied,
            "interpreter": report.python,
            "before": {"tests": report.before.tests, "errors": len(report.before.errors)},
            "after": {"tests": report.after.tests, "errors": len(report.after.errors)},
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rules() -> list[dict[str, Any]]:
    rules = [
        {
            "id": category.value,
            "name": "".join(part.capitalize() for part in category.value.split("_")),
            "shortDescription": {"text": CATEGORY_DESCRIPTIONS.get(category, f"collection error: {category.value}")},
            "defaultConfiguration": {"level": "error"},
        }
        for category in Category
    ]
    rules.extend(
        {
            "id": f"shim/{kind}",
            "name": "Leftover" + "".join(part.capitalize() for part in kind.split("-")),
            "shortDescription": {"text": f"collect-fix left {heading}; replace them with the real code"},
            "defaultConfiguration": {"level": "warning"},
        }
        for kind, heading in SHIM_KINDS.items()
    )
    return rules


def _result(rule: str, index: dict[str, int], level: str, text: str, location: Optional[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {"ruleId": rule, "level": level, "message": {"text": text}}
    if rule in index:
        result["ruleIndex"] = index[rule]
    if location is not None:
        result["locations"] = [location]
    return result


def _repair_result(
    group: RepairGroup, report: Report, index: dict[str, int], locate: _Locator, changes: dict[str, FileChange]
) -> dict[str, Any]:
    first: Diagnosis = group.diagnoses[0]
    verb = "repaired" if report.applied else "would be repaired by collect-fix --apply"
    fixed = len(group.outcomes)
    text = f"{first.summary}: {verb}: {group.description}" if fixed == 1 else (
        f"{fixed} collection errors {verb}: {group.description} (first: {where(first.path, first.line)}: {first.summary})"
    )
    if group.repair and group.repair.evidence:
        text += f"\nevidence: {group.repair.evidence}"
    result = _result(first.category.value, index, "note" if report.applied else "error", text, locate.at(first.path, first.line))
    related = [
        dict(location, id=number, message={"text": f"{where(d.path, d.line)}: {d.summary}"})
        for number, d in enumerate(group.diagnoses[1:], start=1)
        if (location := locate.at(d.path, d.line)) is not None
    ]
    if related:
        result["relatedLocations"] = related
    result["properties"] = {"errorsFixed": fixed, "files": list(group.files)}
    if not report.applied:
        artifact_changes = [_artifact_change(changes[path], locate) for path in group.files if path in changes]
        if artifact_changes:
            result["fixes"] = [{"description": {"text": group.description}, "artifactChanges": artifact_changes}]
    return result


def _artifact_change(change: FileChange, locate: _Locator) -> dict[str, Any]:
    if change.created or not change.changes:
        text = "".join(line for run in change.changes for line in run.added)
        replacements = [{"deletedRegion": {"charOffset": 0, "charLength": 0}, "insertedContent": {"text": text}}]
    else:
        replacements = [_replacement(run) for run in change.changes]
    return {"artifactLocation": locate.artifact(change.path), "replacements": replacements}


def _replacement(run: Change) -> dict[str, Any]:
    """The run's removed lines as a region of the file before the change (columns in UTF-16
    code units, SARIF's default), the added lines as the text that replaces them."""
    start = run.old_start
    if not run.removed:
        region = {"startLine": start, "startColumn": 1, "endLine": start, "endColumn": 1}  # an insertion point
    elif run.removed[-1].endswith("\n"):
        region = {"startLine": start, "startColumn": 1, "endLine": start + len(run.removed), "endColumn": 1}
    else:  # the file's last line, without a newline
        last = run.removed[-1]
        region = {
            "startLine": start, "startColumn": 1, "endLine": start + len(run.removed) - 1,
            "endColumn": len(last.encode("utf-16-le", errors="surrogatepass")) // 2 + 1,
        }
    replacement: dict[str, Any] = {"deletedRegion": region}
    if run.added:
        replacement["insertedContent"] = {"text": "".join(run.added)}
    return replacement


class _Locator:
    def __init__(self, prefix: str) -> None:
        self._prefix = "" if prefix in ("", ".") else prefix.rstrip("/") + "/"

    def artifact(self, path: str) -> dict[str, Any]:
        return {"uri": quote(self._prefix + path, errors="surrogateescape"), "uriBaseId": _BASE_ID}

    def at(self, path: Optional[str], line: Optional[int]) -> Optional[dict[str, Any]]:
        if not path:
            return None
        physical: dict[str, Any] = {"artifactLocation": self.artifact(path)}
        if line:
            physical["region"] = {"startLine": line}
        return {"physicalLocation": physical}
