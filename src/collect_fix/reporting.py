"""Report -> the text a person reads, and the views every format shares.

Every number printed is one pytest produced. The other formats (report_json, report_github,
report_sarif) build on the same two views: ``repair_groups`` (one entry per repair, with the
errors it fixed) and ``remaining_causes`` (one entry per cause, with how many files it stops).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import groupby
from typing import Optional

from collect_fix.stubs import SHIM_KINDS, kind_of
from collect_fix.types import Diagnosis, Outcome, Plan, Repair, Report, Status

_EXAMPLES = 3  # errors shown under a repair that fixed several; the JSON report lists them all
_LISTED_SHIM = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<text>.*)$")


@dataclass(frozen=True)
class RepairGroup:
    """One repair and every error it was tried on (a pythonpath edit can fix dozens)."""

    status: Status
    repair: Optional[Repair]
    outcomes: tuple[Outcome, ...]

    @property
    def diagnoses(self) -> tuple[Diagnosis, ...]:
        return tuple(outcome.diagnosis for outcome in self.outcomes)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(path for outcome in self.outcomes for path in outcome.files))

    @property
    def reason(self) -> str:
        return next((outcome.reason for outcome in self.outcomes if outcome.reason), "")

    @property
    def description(self) -> str:
        return self.repair.description if self.repair else ""


def repair_groups(report: Report, *statuses: Status) -> list[RepairGroup]:
    """Outcomes with one of ``statuses``, one group per (status, repair), in first-seen order."""
    grouped: dict[object, list[Outcome]] = {}
    for outcome in report.outcomes:
        if outcome.status in statuses:
            grouped.setdefault(_repair_key(outcome), []).append(outcome)
    return [RepairGroup(items[0].status, items[0].repair, tuple(items)) for items in grouped.values()]


def _repair_key(outcome: Outcome) -> object:
    try:
        hash(outcome.repair)
    except TypeError:  # a repair with unhashable arguments is its own group
        return (outcome.status, id(outcome.repair))
    return (outcome.status, outcome.repair)


def remaining_causes(plans: tuple[Plan, ...] | list[Plan]) -> list[tuple[Plan, int]]:
    """One entry per cause: a broken source module reached from several test files is one
    problem for a person, though pytest reports it once per test file."""
    counts: dict[tuple[object, ...], int] = {}
    first: dict[tuple[object, ...], Plan] = {}
    for plan in plans:
        cause = (plan.diagnosis.key, plan.diagnosis.line, plan.diagnosis.summary, plan.advice)
        counts[cause] = counts.get(cause, 0) + 1
        first.setdefault(cause, plan)
    return [(first[cause], counts[cause]) for cause in first]


def next_step(plan: Plan) -> str:
    if plan.advice:
        return plan.advice
    if plan.alternatives:
        return "run collect-fix --apply"
    return "no automatic repair for this category; fix it by hand"


def listed_shim(entry: str) -> tuple[str, int, str]:
    """(path, line, text) of a ``path:line: text`` entry of Report.stubs."""
    matched = _LISTED_SHIM.match(entry)
    if matched is None:
        return entry, 0, entry
    return matched["path"], int(matched["line"]), matched["text"]


def shims_in_tree(report: Report) -> list[tuple[str, int, str]]:
    """(path, line, text) of the shims in the tree as it is now. After --apply: every one left.
    After a dry run (markers found in the scratch copy): those that were already there, at their
    lines in the unchanged tree; the ones the run would write are its repairs' business."""
    shims = [listed_shim(entry) for entry in report.stubs]
    if report.applied or not report.diff:
        return shims
    from collect_fix.report_diff import file_changes, line_before

    changes = file_changes(report.diff)
    found = []
    for path, line, text in shims:
        before = line_before(changes[path], line) if path in changes else line
        if before is not None:
            found.append((path, before, text))
    return found


def interpreter_line(report: Report) -> str:
    """``collected with <python> (Python x.y.z, pytest a.b.c)``, from what the probe reported."""
    versions = [
        f"{name} {version}"
        for name, version in (("Python", report.before.python_version), ("pytest", report.before.pytest_version))
        if version
    ]
    if not report.python and not versions:
        return ""
    return f"collected with {report.python or 'the project interpreter'}" + (f" ({', '.join(versions)})" if versions else "")


def by_category(diagnoses: tuple[Diagnosis, ...]) -> dict[str, int]:
    return dict(Counter(diagnosis.category.value for diagnosis in diagnoses))


def where(path: str | None, line: int | None) -> str:
    if not path:
        return "<session>"
    return f"{path}:{line}" if line else path


def render_summary(report: Report, quiet: bool = False) -> str:
    """The text report; ``quiet``: only the before/after table."""
    lines = _table(report)
    if quiet:
        return "\n".join(lines) + "\n"
    lines.extend(_notes(report))
    lines.extend(_repaired(report))
    lines.extend(_not_kept(report))
    lines.extend(_remaining(report))
    lines.extend(_per_file(report))
    lines.extend(_tests(report))
    if report.install_command:
        lines.extend(["", f"install the missing dependencies: {report.install_command}"])
    lines.extend(_shims(report))
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    return "\n".join(lines) + "\n"


def _table(report: Report) -> list[str]:
    before, after = report.before, report.after
    lines = ["", "collect-fix report" + ("" if report.applied else " (dry run: nothing was written)")]
    lines.append(f"{'':24}{'before':>8}{'after':>8}")
    lines.append(f"{'tests collected':24}{before.tests:>8}{after.tests:>8}")
    lines.append(f"{'collection errors':24}{len(before.errors):>8}{len(after.errors):>8}")
    categories_before = by_category(report.before_diagnoses)
    categories_after = by_category(report.after_diagnoses)
    for category in sorted(set(categories_before) | set(categories_after)):
        lines.append(f"{'  ' + category:24}{categories_before.get(category, 0):>8}{categories_after.get(category, 0):>8}")
    changed = len(report.files_changed)
    lines.append(f"{'files changed':24}{'':>8}{changed:>8}" + ("" if report.applied else "  (would change)"))
    return lines


def _notes(report: Report) -> list[str]:
    lines = []
    collected_with = interpreter_line(report)
    if collected_with:
        lines.append(collected_with)
    if not report.before.completed:
        lines.append("note: the first collection did not run to the end (see errors)")
    if any(error.exc_type == "SystemExit" for error in report.before.errors):
        lines.append(
            "note: plain pytest ends the whole session with INTERNALERROR at a module-level SystemExit;"
            " these counts come from the same pytest run with collect-fix's probe containing it"
        )
    if any(error.phase == "process" for error in report.before.errors):
        lines.append("note: a file killed or hung the collecting process; it was named and left out of the run")
    if report.baseline != "the first collection":
        lines.append(f"note: files were judged against {report.baseline}")
    if report.after.recollected:
        lines.append(
            f"note: after: the last collection took only the {report.after.recollected} path(s) the last repairs "
            "could change; the other files' counts are those of an earlier collection of this run"
        )
    if report.replayed:
        lines.append("note: wrote the repairs a dry run of this same tree verified, once pytest collected the tree as "
                     "the dry run did, both as it was (in a scratch copy, as a dry run collects) and as repaired")
    return lines


def _repaired(report: Report) -> list[str]:
    groups = repair_groups(report, Status.REPAIRED)
    if not groups:
        return []
    lines = ["", "repaired:" if report.applied else "would repair (verified on a scratch copy):"]
    for group in groups:
        evidence = group.repair.evidence if group.repair else ""
        if len(group.outcomes) == 1:
            diagnosis = group.diagnoses[0]
            lines.append(f"  {where(diagnosis.path, diagnosis.line)}: {diagnosis.summary}")
            lines.extend(f"      {note}" for note in diagnosis.notes)
            lines.append(f"      -> {group.description}")
            if evidence:
                lines.append(f"         evidence: {evidence}")
            lines.extend(f"         first tried, not kept: {earlier}" for earlier in group.outcomes[0].earlier)
            continue
        lines.append(f"  {group.description}  (fixes {len(group.outcomes)} collection errors)")
        for diagnosis in group.diagnoses[:_EXAMPLES]:
            lines.append(f"      {where(diagnosis.path, diagnosis.line)}: {diagnosis.summary}")
        if len(group.outcomes) > _EXAMPLES:
            lines.append(f"      ... and {len(group.outcomes) - _EXAMPLES} more (--format json lists every one)")
        if evidence:
            lines.append(f"      evidence: {evidence}")
        lines.extend(f"      first tried, not kept: {earlier}"
                     for earlier in dict.fromkeys(item for outcome in group.outcomes for item in outcome.earlier))
    return lines


def _per_file(report: Report) -> list[str]:
    """Test counts per file where they changed: no file may lose tests it had no fault of its own
    to lose, and a file skipped by a module it imports says which."""
    before, after = report.before.tests_per_file, report.after.tests_per_file
    changed = sorted(path for path in set(before) | set(after) if before.get(path, 0) != after.get(path, 0))
    if not changed:
        return []
    lines = ["", "tests collected per file, where the count changed:"]
    for path in changed:
        origin = report.after.skip_origins.get(path)
        why = f"  (skipped by {origin})" if origin and origin != path else ""
        lines.append(f"  {path}: {before.get(path, 0)} -> {after.get(path, 0)}{why}")
    return lines


def _tests(report: Report) -> list[str]:
    """--run-tests: how the tests of the files each kept repair made collect ended."""
    if not report.tests:
        return []
    lines = ["", "tests of the repaired files, run (--run-tests):"]
    for result in report.tests:
        counted = result.outcomes
        stubs = f" ({len(counted.on_stubs)} on a collect-fix stub)" if counted.on_stubs else ""
        lines.append(f"  {result.repair}: {counted.passed} passed, {counted.failed} failed{stubs}, "
                     f"{counted.skipped} skipped in {len(result.files)} file(s)")
        if counted.note:
            lines.append(f"      {counted.note}")
    return lines


def _not_kept(report: Report) -> list[str]:
    groups = repair_groups(report, Status.REVERTED, Status.FAILED)
    if not groups:
        return []
    lines = ["", "tried and not kept:"]
    for group in groups:
        first = group.diagnoses[0]
        also = f" (and {len(group.outcomes) - 1} more errors)" if len(group.outcomes) > 1 else ""
        lines.append(f"  {where(first.path, first.line)}{also}: {group.description}: {group.reason}")
    return lines


def _remaining(report: Report) -> list[str]:
    if not report.remaining:
        return []
    lines = ["", "left for a person, by category:"]
    ordered = sorted(report.remaining, key=lambda plan: plan.diagnosis.category.value)
    for category, plans in groupby(ordered, key=lambda plan: plan.diagnosis.category.value):
        lines.append(f"  {category}:")
        for plan, blocked in remaining_causes(list(plans)):
            diagnosis = plan.diagnosis
            also = f" (stops {blocked} test files from collecting)" if blocked > 1 else ""
            lines.append(f"    {where(diagnosis.path, diagnosis.line)}: {diagnosis.summary}{also}")
            lines.extend(f"      {note}" for note in diagnosis.notes)
            lines.append(f"      next step: {next_step(plan)}")
    return lines


def _shims(report: Report) -> list[str]:
    if not report.stubs:
        return []
    heading = "shims left in the tree" if report.applied else "shims the tree will hold after --apply"
    lines = ["", f"{heading}, by kind (collect-fix --list-stubs):"]
    grouped: dict[str, list[str]] = {kind: [] for kind in SHIM_KINDS}
    for entry in report.stubs:
        grouped.setdefault(kind_of(entry) or "other", []).append(entry)
    for kind, entries in grouped.items():
        if entries:
            lines.append(f"  {kind}: {SHIM_KINDS.get(kind, 'other markers')} ({len(entries)})")
            lines.extend(f"    {entry}" for entry in entries)
    return lines
