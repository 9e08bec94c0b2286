"""Judge applied repairs by what pytest collected before and after them.

A repair is kept only when the error it targeted is gone and nothing that collected before broke.
A new error in the repaired file itself is progress (the module got further and uncovered the
next problem), except for repairs that promise the file then collects cleanly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from collect_fix.project import Project
from collect_fix.types import Collection, Diagnosis, Repair


@dataclass(frozen=True)
class Applied:
    diagnosis: Diagnosis
    repair: Repair
    files: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    kept: bool
    reason: str


def judge(
    applied: list[Applied],
    before: Collection,
    after: Collection,
    diagnoses_after: list[Diagnosis],
    project: Project,
) -> list[Verdict]:
    """One verdict per applied repair, in order."""
    keys_after = {diagnosis.key for diagnosis in diagnoses_after}
    failing_before = {project.relative_or_none(error.path) for error in before.errors}
    broken = [
        diagnosis for diagnosis in diagnoses_after
        if _collector_of(project, diagnosis) not in failing_before
    ]
    shrunk = {
        path for path, count in before.tests_per_file.items()
        if path not in failing_before and after.tests_per_file.get(path, 0) < count
    }
    unexplained = [diagnosis for diagnosis in broken if not _blamed(diagnosis, applied, project)]
    verdicts = []
    for item in applied:
        verdicts.append(_verdict(item, keys_after, diagnoses_after, broken, shrunk, unexplained, project))
    return verdicts


def _verdict(
    item: Applied,
    keys_after: set[tuple[str, Optional[str], Optional[str], Optional[str]]],
    diagnoses_after: list[Diagnosis],
    broken: list[Diagnosis],
    shrunk: set[str],
    unexplained: list[Diagnosis],
    project: Project,
) -> Verdict:
    target = item.diagnosis
    if target.key in keys_after:
        return Verdict(False, f"re-collection still shows the error: {target.summary}")
    target_file = _collector_of(project, target)
    if item.repair.requires_clean:
        still = [d for d in diagnoses_after if _collector_of(project, d) == target_file and target_file]
        if still:
            return Verdict(False, f"{target_file} still fails to collect: {still[0].summary}")
    caused = [d for d in broken if _touches(d, item, project)]
    if caused:
        return Verdict(False, f"it broke {_collector_of(project, caused[0])}: {caused[0].summary}")
    lost = sorted(path for path in shrunk if path in item.files)
    if lost:
        return Verdict(False, f"{lost[0]} collected fewer tests afterwards")
    if unexplained:
        first = unexplained[0]
        return Verdict(False, f"a new error appeared in {_collector_of(project, first)}: {first.summary}")
    return Verdict(True, "")


def _blamed(diagnosis: Diagnosis, applied: list[Applied], project: Project) -> bool:
    return any(_touches(diagnosis, item, project) for item in applied)


def _touches(diagnosis: Diagnosis, item: Applied, project: Project) -> bool:
    """Did this repair edit a file the new error passes through?"""
    files = set(item.files)
    if _collector_of(project, diagnosis) in files or diagnosis.path in files:
        return True
    error = diagnosis.error
    if error is None:
        return False
    return any(project.relative_or_none(frame.path) in files for frame in error.frames)


def _collector_of(project: Project, diagnosis: Diagnosis) -> Optional[str]:
    if diagnosis.error is not None and diagnosis.error.path:
        return project.relative_or_none(diagnosis.error.path)
    return diagnosis.path
