"""Report -> GitHub Actions workflow commands (``--format github``), so the errors appear on the
pull request's lines: ``::error`` per cause that remains, ``::notice`` per repair (made, or would
be made by --apply), ``::warning`` per shim left in the tree. The human report and the diff follow
in a collapsed log group, with workflow commands stopped inside it: a hostile error message or
source line cannot issue commands.

Escaping follows the runner's rules (actions/toolkit ``command.ts``): in the message ``%``, CR and
LF; in property values also ``:`` and ``,``.
"""

from __future__ import annotations

import secrets
from typing import Optional

from collect_fix.report_diff import file_changes, first_line
from collect_fix.reporting import (
    RepairGroup,
    next_step,
    remaining_causes,
    render_summary,
    repair_groups,
    shims_in_tree,
    where,
)
from collect_fix.stubs import kind_of
from collect_fix.types import Report, Status


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: Optional[object]) -> str:
    """One workflow command line; properties that are None are left out."""
    given = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name}{' ' + given if given else ''}::{escape_data(message)}"


def render_github(report: Report, prefix: str = "") -> str:
    """Workflow commands for ``report``. ``prefix`` turns project-relative paths into paths
    relative to the repository checkout (the project in a subfolder of $GITHUB_WORKSPACE)."""
    lines: list[str] = []
    for plan, count in remaining_causes(report.remaining):
        diagnosis = plan.diagnosis
        stops = f" (stops {count} test files from collecting)" if count > 1 else ""
        message = "\n".join([f"{diagnosis.summary}{stops}", *diagnosis.notes, f"next step: {next_step(plan)}"])
        lines.append(
            command(
                "error", message, file=_path(prefix, diagnosis.path), line=diagnosis.line if diagnosis.path else None,
                title=f"collect-fix: {diagnosis.category.value}",
            )
        )
    for group in repair_groups(report, Status.REPAIRED):
        path, line = _repair_location(group, report)
        lines.append(
            command(
                "notice", _repair_message(group, report.applied), file=_path(prefix, path), line=line if path else None,
                title="collect-fix: repaired" if report.applied else "collect-fix: would repair (run collect-fix --apply)",
            )
        )
    for path, line, text in shims_in_tree(report):
        kind = kind_of(text) or "shim"
        lines.append(
            command(
                "warning", f"{kind} left by collect-fix: {text}", file=_path(prefix, path), line=line or None,
                title=f"collect-fix: {kind} left in the tree",
            )
        )
    token = secrets.token_hex(16)
    lines.append("::group::collect-fix report")
    lines.append(f"::stop-commands::{token}")
    lines.append(render_summary(report).strip("\n"))
    if report.diff and not report.applied:
        lines.append(report.diff.rstrip("\n"))
    lines.append(f"::{token}::")
    lines.append("::endgroup::")
    return "\n".join(lines) + "\n"


def _repair_message(group: RepairGroup, applied: bool) -> str:
    verb = "repaired" if applied else "would repair"
    fixed = [f"{where(d.path, d.line)}: {d.summary}" for d in group.diagnoses]
    head = f"{verb}: {group.description}"
    if len(fixed) == 1:
        lines = [head, f"error: {fixed[0]}"]
    else:
        lines = [f"{head} (fixes {len(fixed)} collection errors)", *fixed]
    if group.repair and group.repair.evidence:
        lines.append(f"evidence: {group.repair.evidence}")
    return "\n".join(lines)


def _repair_location(group: RepairGroup, report: Report) -> tuple[Optional[str], Optional[int]]:
    """Where the repair shows: at the error when the repair edits that file, else at the first
    line the repair changes."""
    for diagnosis in group.diagnoses:
        if diagnosis.path and diagnosis.path in group.files:
            return diagnosis.path, diagnosis.line
    changes = file_changes(report.diff)
    for path in group.files:  # a file the dry run would create is not in the tree to point at
        if path in changes and (report.applied or not changes[path].created):
            return path, first_line(changes[path], report.applied)
    first = group.diagnoses[0]
    return first.path, first.line


def _path(prefix: str, path: Optional[str]) -> Optional[str]:
    if not path:
        return None
    return f"{prefix.rstrip('/')}/{path}" if prefix and prefix != "." else path
