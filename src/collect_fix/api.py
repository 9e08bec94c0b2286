"""run(options) -> Report: collect, diagnose, plan, apply, verify, repeat. No printing here.

``--dry-run`` runs exactly the same loop on a scratch copy of the project and reports the diff
between the copy and the original, so it shows what ``--apply`` would write, including repairs
that only become visible after earlier ones.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from collect_fix import collector
from collect_fix.dependencies import describe_diagnosis, install_command
from collect_fix.diagnosis import diagnose
from collect_fix.diffing import unified_diff
from collect_fix.planning import plan_all, planners
from collect_fix.project import Project
from collect_fix.scratch import copy_project
from collect_fix.types import Category, Options, Outcome, Plan, Repair, Report, Status
from collect_fix.verification import Applied, added_lines, judge

if TYPE_CHECKING:
    from collect_fix.workspace import Workspace

Progress = Callable[[str], None]


def run(options: Options, progress: Optional[Progress] = None) -> Report:
    """Repair the project at ``options.root`` (or a scratch copy of it, for a dry run).

    Raises collector.CollectorUnavailable when pytest cannot run at all; everything the project
    itself gets wrong ends up in the Report.
    """
    say = progress or (lambda message: None)
    original = options.root.resolve()
    python = collector.find_interpreter(original, options.python)
    if options.apply:
        return _repair(original, options, python, say, path_map=None)
    with tempfile.TemporaryDirectory(prefix="collect-fix-dry-run-") as scratch:
        copy = copy_project(original, Path(scratch))
        return _repair(copy, options, python, say, path_map=(original, copy), history=original)


def _repair(
    root: Path,
    options: Options,
    python: str,
    say: Progress,
    path_map: Optional[tuple[Path, Path]],
    history: Optional[Path] = None,
) -> Report:
    collections = collector.RunCollector(
        root, python, timeout=options.timeout, pytest_args=options.pytest_args, path_map=path_map
    )

    def snapshot_of_tree() -> Project:
        return Project(root, history_root=history or root)

    say("collecting")
    first = collections.start()
    # While pytest collects on the other core: load LibCST, the codemods and the planners.
    from collect_fix.transforms import codemods
    from collect_fix.workspace import Workspace

    codemods()
    planners()
    project = snapshot_of_tree()
    workspace = Workspace(project)
    before = first.result()
    before_diagnoses = diagnose(before.errors, project)
    current, diagnoses = before, before_diagnoses
    outcomes: dict[tuple[object, ...], Outcome] = {}
    tried: set[tuple[object, ...]] = set()  # (diagnosis key, repair) pairs already tried
    one_at_a_time = False
    round_number, last_round = 0, options.max_rounds
    while round_number < last_round:
        plans = plan_all(diagnoses, project, options)
        batch = _next_batch(plans, tried, workspace, outcomes, limit=1 if one_at_a_time else None)
        if not batch:
            break
        round_number += 1
        say(f"round {round_number}: applying {len(batch)} repair(s), re-collecting")
        touched = tuple(sorted({path for item in batch for path in item.files}))
        after = collections.collect(touched)
        project = snapshot_of_tree()
        diagnoses_after = diagnose(after.errors, project)
        verdicts = judge(batch, current, after, diagnoses_after, project)
        if any(verdict.ambiguous for verdict in verdicts):
            # Something broke and no single repair of the batch explains it: undo the batch and
            # try its repairs one per round, so each is judged on its own.
            _undo(workspace, batch, batch)
            for item in batch:
                tried.discard((item.diagnosis.key, item.repair))
            one_at_a_time = True
            last_round = max(last_round, round_number + 2 * len(batch))
            project = snapshot_of_tree()
            continue
        rejected = [item for item, verdict in zip(batch, verdicts) if not verdict.kept]
        for item, verdict in zip(batch, verdicts):
            status = Status.REPAIRED if verdict.kept else Status.REVERTED
            outcomes[item.diagnosis.key] = Outcome(item.diagnosis, status, item.repair, verdict.reason, item.files)
        if rejected:
            _undo(workspace, batch, rejected)
            after = collections.collect(touched)
            project = snapshot_of_tree()
            diagnoses_after = diagnose(after.errors, project)
        current, diagnoses = after, diagnoses_after
    remaining = plan_all(diagnoses, project, options)
    return Report(
        before=before,
        after=current,
        outcomes=tuple(outcomes.values()),
        remaining=tuple(_explain(plan, outcomes) for plan in remaining),
        diff=_diff(workspace),
        files_changed=tuple(workspace.changed_files()),
        stubs=tuple(_stubs(project)),
        applied=options.apply,
        before_diagnoses=tuple(before_diagnoses),
        after_diagnoses=tuple(diagnoses),
        install_command=_install_command(remaining, project, python),
        python=python,
    )


def _next_batch(
    plans: list[Plan],
    tried: set[tuple[object, ...]],
    workspace: Workspace,
    outcomes: dict[tuple[object, ...], Outcome],
    limit: Optional[int] = None,
) -> list[Applied]:
    """Apply the first untried alternative of every plan (of ``limit`` plans at most);
    identical repairs are applied once."""
    from collect_fix.transforms import TransformError
    from collect_fix.workspace import EditRefused

    workspace.begin_batch()
    batch: list[Applied] = []
    applied_repairs: dict[Repair, Applied] = {}
    for plan in plans:
        if limit is not None and len(applied_repairs) >= limit:
            break
        for repair in plan.alternatives:
            attempt = (plan.diagnosis.key, repair)
            if attempt in tried:
                continue
            tried.add(attempt)
            if repair in applied_repairs:
                shared = applied_repairs[repair]
                batch.append(Applied(plan.diagnosis, repair, shared.files, shared.added_lines))
                break
            try:
                contents = workspace.compute(repair.edits)
            except (TransformError, EditRefused) as exc:
                outcomes[plan.diagnosis.key] = Outcome(plan.diagnosis, Status.FAILED, repair, str(exc))
                continue
            if not contents:
                break  # already in place (another repair of this batch made it): not a new attempt
            added = tuple((path, added_lines(workspace.read(path), data)) for path, data in sorted(contents.items()))
            workspace.write(contents)
            applied_repairs[repair] = Applied(plan.diagnosis, repair, tuple(sorted(contents)), added)
            batch.append(applied_repairs[repair])
            break
    return batch


def _undo(workspace: Workspace, batch: list[Applied], rejected: list[Applied]) -> None:
    """Restore the rejected repairs' files, then re-apply kept repairs that shared a file."""
    from collect_fix.transforms import TransformError
    from collect_fix.workspace import EditRefused

    undone = {path for item in rejected for path in item.files}
    workspace.restore(undone)
    rejected_ids = {id(item) for item in rejected}
    for item in batch:
        if id(item) in rejected_ids or not undone.intersection(item.files):
            continue
        try:
            workspace.write(workspace.compute(item.repair.edits))
        except (TransformError, EditRefused):
            pass


def _explain(plan: Plan, outcomes: dict[tuple[object, ...], Outcome]) -> Plan:
    """A remaining error whose repairs were all tried says why they did not hold."""
    outcome = outcomes.get(plan.diagnosis.key)
    if plan.advice or outcome is None or outcome.status is Status.REPAIRED:
        return plan
    return Plan(plan.diagnosis, plan.alternatives, advice=f"repair not kept: {outcome.reason}")


def _diff(workspace: Workspace) -> str:
    return "".join(
        unified_diff(relative, workspace.originals[relative], workspace.read(relative))
        for relative in workspace.changed_files()
    )


def _install_command(remaining: list[Plan], project: Project, python: str) -> str:
    missing = [
        describe_diagnosis(project, plan.diagnosis, python)
        for plan in remaining
        if plan.diagnosis.category is Category.MISSING_DEPENDENCY
    ]
    return install_command(missing, python) if missing else ""


def _stubs(project: Project) -> list[str]:
    try:
        from collect_fix.stubs import find_markers
    except ImportError:
        return []
    return [f"{path}:{line}: {text}" for path, line, text in find_markers(project)]
