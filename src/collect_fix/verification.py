"""Judge applied repairs by what pytest collected before and after them.

A repair is kept only when the error it targeted is gone and nothing that collected before broke
or lost tests. A new error in the repaired file itself is progress (the module got further and
uncovered the next problem), except for repairs that promise the file then collects cleanly, an
error raised at a line the repair wrote, and a circular import that runs through such a line. So
is an error in a file pytest never reached before (an initial conftest failed, or collection
stopped early): it was hidden, not caused.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from collect_fix.project import Project
from collect_fix.types import Category, Collection, Diagnosis, Frame, Repair


@dataclass(frozen=True)
class Applied:
    diagnosis: Diagnosis
    repair: Repair
    files: tuple[str, ...]
    # Per file, the line numbers (in the new text) that the repair added or changed.
    added_lines: tuple[tuple[str, frozenset[int]], ...] = ()
    created: tuple[str, ...] = ()  # the files it wrote that were not there


@dataclass(frozen=True)
class Verdict:
    kept: bool
    reason: str
    # The cause could not be pinned to one repair of the batch: retry them in smaller batches.
    ambiguous: bool = False


def judge(
    applied: list[Applied],
    before: Collection,
    after: Collection,
    diagnoses_after: list[Diagnosis],
    project: Project,
    compare_counts: bool = True,
) -> list[Verdict]:
    """One verdict per applied repair, in order. Identical repairs share one verdict.

    ``compare_counts`` False: ``before`` is a baseline collected without something the repaired
    tree has (the conftests), so its test counts say nothing about losses.

    ``diagnoses_after`` may hold masked causes (``Diagnosis.masked``): they tell whether a repaired
    cause is still there, but they are no collection errors, so nothing else is judged on them.
    """
    failing_before = {project.relative_or_none(error.path) for error in before.errors}
    errors_before = {(error.path, error.exc_type, error.message) for error in before.errors}
    identities_after = {diagnosis.identity for diagnosis in diagnoses_after}
    diagnoses_after = [diagnosis for diagnosis in diagnoses_after if not diagnosis.masked]
    skips_carried = _skips_carried(before, after, project)

    def collected_cleanly_before(path: Optional[str]) -> bool:
        """pytest reached the file before and it did not fail. A file it never reached (below a
        conftest that failed, a package whose import failed) had no result to lose."""
        if path is None or path in failing_before:
            return False
        return path in before.modules or path in before.tests_per_file or path in before.skipped_files

    broken = [d for d in diagnoses_after if collected_cleanly_before(_collector_of(project, d))]
    shrunk = sorted(
        path for path, count in before.tests_per_file.items()
        if compare_counts and collected_cleanly_before(path) and after.tests_per_file.get(path, 0) < count
    )
    unexplained_errors = [d for d in broken if not any(_touches(d, item, project) for item in applied)]
    unexplained_shrinks = [path for path in shrunk if not any(path in item.files for item in applied)]
    verdicts = [
        _verdict(item, identities_after, diagnoses_after, broken, shrunk, skips_carried, project, errors_before)
        for item in applied
    ]
    if unexplained_errors or unexplained_shrinks:
        what = (
            f"a new error appeared in {_collector_of(project, unexplained_errors[0])}: {unexplained_errors[0].summary}"
            if unexplained_errors else f"{unexplained_shrinks[0]} collected fewer tests afterwards"
        )
        verdicts = [
            verdict if not verdict.kept else Verdict(False, what, ambiguous=len(applied) > 1)
            for verdict in verdicts
        ]
    return _shared(applied, verdicts)


def _verdict(
    item: Applied,
    identities_after: set[tuple[Optional[str], str, Optional[str], Optional[str]]],
    diagnoses_after: list[Diagnosis],
    broken: list[Diagnosis],
    shrunk: list[str],
    skips_carried: dict[str, str],
    project: Project,
    errors_before: set[tuple[Optional[str], str, str]],
) -> Verdict:
    target = item.diagnosis
    if target.identity in identities_after:
        return Verdict(False, f"re-collection still shows the error: {target.summary}")
    own = [d for d in diagnoses_after if _raised_in_added_lines(d, item) and not _uncovered_beside(d, item, project)]
    if own:
        return Verdict(False, f"the code it added fails: {own[0].summary}")
    created = [d for d in diagnoses_after if _collector_of(project, d) in item.created]
    if created:  # pytest collects the file it wrote (doctests), and it fails: an import file mismatch
        return Verdict(False, f"{_collector_of(project, created[0])}, which it wrote, fails to collect: "
                              f"{created[0].summary}")
    cycles = [
        d for d in diagnoses_after
        if _cycle_through_added_lines(d, item, project) and not _was_there(d, errors_before)  # an older one
    ]
    if cycles:
        return Verdict(False, f"an import it added closes a cycle: {cycles[0].summary}")
    carried = sorted(path for path, origin in skips_carried.items() if origin in item.files)
    if carried:
        origin = skips_carried[carried[0]]
        return Verdict(False, f"its skip in {origin} also skips {', '.join(carried)}, which import it")
    target_file = _collector_of(project, target)
    if item.repair.requires_clean and target_file:
        still = [d for d in diagnoses_after if _collector_of(project, d) == target_file]
        if still:
            return Verdict(False, f"{target_file} still fails to collect: {still[0].summary}")
    caused = [d for d in broken if _touches(d, item, project)]
    if caused:
        return Verdict(False, f"it broke {_collector_of(project, caused[0])}: {caused[0].summary}")
    lost = [path for path in shrunk if path in item.files]
    if lost:
        return Verdict(False, f"{lost[0]} collected fewer tests afterwards")
    return Verdict(True, "")


def _skips_carried(before: Collection, after: Collection, project: Project) -> dict[str, str]:
    """Files skipped after, by a skip raised in another file (a module they import), that were
    not skipped from there before: a skip travels with the import and takes their tests along.
    The file that raised it is judged on its own; these files lost tests they never failed.
    (A test file that is a symlink raises its skip from the file it points to: the same file.)"""

    def same_file(first: str, second: str) -> bool:
        return first == second or (project.root / first).resolve() == (project.root / second).resolve()

    return {
        path: origin
        for path, origin in after.skip_origins.items()
        if not same_file(origin, path) and before.skip_origins.get(path) != origin
    }


def _raised_in_added_lines(diagnosis: Diagnosis, item: Applied) -> bool:
    """A new error raised at a line this repair wrote is its own failure, not progress, even in
    the file it repaired. (Only where it is raised: an added import that runs into an older bug
    elsewhere has uncovered that bug, not caused it.) ``diagnosis.path``/``line`` is the
    innermost project frame."""
    lines = dict(item.added_lines).get(diagnosis.path or "")
    return lines is not None and diagnosis.line in lines


def _uncovered_beside(diagnosis: Diagnosis, item: Applied, project: Project) -> bool:
    """Another name missing from the very module the repaired one was missing from, raised where
    the repair rewrote their import (``from app.units import human, kb, mb`` with ``kb`` taken from
    its new home: Python now stops at ``mb``). It was missing before, behind the first, and the
    repair did not touch that module: the repair uncovered it, as the next one in line."""
    target = item.diagnosis
    return (diagnosis.category is Category.MISSING_NAME is target.category and diagnosis.module is not None
            and diagnosis.module == target.module and diagnosis.subject != target.subject
            and all(project.module_name(project.root / path) != diagnosis.module for path in item.files))


def _cycle_through_added_lines(diagnosis: Diagnosis, item: Applied, project: Project) -> bool:
    """A circular import whose cycle runs through a line this repair wrote. The error is raised
    further on, in a module the added import loads, so it is no failure "of the added code" by
    where it is raised; but the cycle needs that import (an import added to ``a`` of a module that
    imports ``a`` back), so the file has not got further. The cycle is the stretch of the
    traceback from the partially initialised module's own frame on: an added import that only
    leads into an older cycle (``p`` imports ``a``, and ``a`` and ``b`` import each other) is
    before it, and has uncovered that cycle, not made it."""
    if diagnosis.category is not Category.CIRCULAR_IMPORT or diagnosis.error is None:
        return False
    frames = list(diagnosis.error.frames)
    start = _cycle_start(diagnosis.error.message, frames, project)
    if start is not None:
        frames = frames[start:]  # else the whole traceback: no narrower stretch is known
    lines = dict(item.added_lines)
    for frame in frames:
        added = lines.get(project.relative_or_none(frame.path) or "")
        if added is not None and frame.line in added:
            return True
    return False


def _was_there(diagnosis: Diagnosis, errors_before: set[tuple[Optional[str], str, str]]) -> bool:
    """The same error, word for word, in the same file before the round: a cycle already there,
    which a line the repair rewrote (an import it added a name to) now merely passes through."""
    error = diagnosis.error
    return error is not None and (error.path, error.exc_type, error.message) in errors_before


_PARTIALLY_INITIALISED = re.compile(r"partially initialized module '([^']+)'")
_MODULE_FILE = re.compile(r"\(([^()]+)\)\s*$")  # Python names the module's file last: "(.../mod.py)"


def _cycle_start(message: str, frames: list[Frame], project: Project) -> Optional[int]:
    """The index of the partially initialised module's first frame: by the file the message
    names (the name it was imported under may not be the one ``module_name`` computes: a test
    directory pytest put on ``sys.path`` imports ``tests/factories.py`` as ``factories``), else by
    that name. None when neither is in the traceback."""
    named = _MODULE_FILE.search(message)
    if named is not None:
        target = _resolved(named.group(1))
        found = next((i for i, f in enumerate(frames) if f.function == "<module>" and _resolved(f.path) == target), None)
        if found is not None:
            return found
    partial = _PARTIALLY_INITIALISED.search(message)
    if partial is None:
        return None
    return next(
        (i for i, f in enumerate(frames) if f.function == "<module>" and project.module_name(Path(f.path)) == partial.group(1)),
        None,
    )


def _resolved(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):
        return path


def added_lines(old: bytes | None, new: bytes) -> frozenset[int]:
    """1-based line numbers of ``new`` that are not in ``old`` (inserted or replaced).

    A shortest edit script (Myers): a repair changes a few lines of a file that may hold tens of
    thousands, many alike (``pass``), where ``difflib`` takes seconds; this takes time in
    proportion to the file's length times the number of changed lines.
    """
    old_lines = (old or b"").splitlines()
    new_lines = new.splitlines()
    if not old_lines:
        return frozenset(range(1, len(new_lines) + 1))
    inserted = _inserted(old_lines, new_lines, limit=_MAX_EDITS)
    if inserted is None:  # a rewrite more than a repair: difflib's answer will do
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        inserted = {
            line for tag, _, _, start, end in matcher.get_opcodes() if tag in ("insert", "replace")
            for line in range(start, end)
        }
    return frozenset(index + 1 for index in inserted)


_MAX_EDITS = 2000


def _inserted(a: list[bytes], b: list[bytes], limit: int) -> Optional[set[int]]:
    """0-based indexes of ``b`` that a shortest edit script from ``a`` inserts; None beyond
    ``limit`` edits."""
    n, m = len(a), len(b)
    frontier = {1: 0}  # diagonal k -> furthest x reached
    trace: list[dict[int, int]] = []
    for d in range(min(n + m, limit) + 1):
        trace.append(dict(frontier))
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and frontier[k - 1] < frontier[k + 1]):
                x = frontier[k + 1]  # a step down: b[y] inserted
            else:
                x = frontier[k - 1] + 1  # a step right: a[x] deleted
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            frontier[k] = x
            if x >= n and y >= m:
                return _walk_back(trace, n, m)
    return None


def _walk_back(trace: list[dict[int, int]], x: int, y: int) -> set[int]:
    inserted: set[int] = set()
    for d in range(len(trace) - 1, 0, -1):
        frontier = trace[d]
        k = x - y
        down = k == -d or (k != d and frontier[k - 1] < frontier[k + 1])
        previous_k = k + 1 if down else k - 1
        previous_x = frontier[previous_k]
        previous_y = previous_x - previous_k
        if down:
            inserted.add(previous_y)
        x, y = previous_x, previous_y
    return inserted


def _shared(applied: list[Applied], verdicts: list[Verdict]) -> list[Verdict]:
    """A repair applied once for several diagnoses stands or falls as one."""
    rejected = {item.repair: verdict for item, verdict in zip(applied, verdicts) if not verdict.kept}
    return [
        rejected[item.repair] if verdict.kept and item.repair in rejected else verdict
        for item, verdict in zip(applied, verdicts)
    ]


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
