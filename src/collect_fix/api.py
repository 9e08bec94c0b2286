"""run(options) -> Report: collect, diagnose, plan, apply, verify, repeat. No printing here.

``--dry-run`` runs exactly the same loop on a scratch copy of the project and reports the diff
between the copy and the original, so it shows what ``--apply`` would write, including repairs
that only become visible after earlier ones.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, TypeVar, cast

from collect_fix import collector, file_edits, pytest_config, replay, sharding
from collect_fix.dependencies import describe, describe_diagnosis, install_command, missing_beside
from collect_fix.diagnosis import diagnose_collection
from collect_fix.early_plans import EarlyPlans
from collect_fix.diffing import unified_diff
from collect_fix.import_graph import ImportGraph
from collect_fix.prefetch import read_ahead, settled
from collect_fix.interrupts import (
    RunInterrupted, Terminated, interrupt_in, interrupt_says, signal_name, signals_deferred, signals_ignored, terminate_raises,
)
from collect_fix.planning import Key, plan_all, planners
from collect_fix.project import Project
from collect_fix.run_lock import project_lock
from collect_fix.scratch import copy_project, holds
from collect_fix.suite_run import run_tests, total
from collect_fix.types import (
    Category, Collection, Diagnosis, Edit, Options, Outcome, Plan, Repair, RepairTests, Report, Status,
)
from collect_fix.verification import Applied, Verdict, added_lines, judge

if TYPE_CHECKING:
    from collect_fix.workspace import Workspace

Progress = Callable[[str], None]
_T = TypeVar("_T")


def run(options: Options, progress: Optional[Progress] = None) -> Report:
    """Repair the project at ``options.root`` (or a scratch copy of it, for a dry run).

    Raises collector.CollectorUnavailable when pytest cannot run at all; everything the project
    itself gets wrong ends up in the Report.
    """
    say = progress or (lambda message: None)
    original = options.root.resolve()
    python = collector.find_interpreter(original, options.python)
    with terminate_raises():
        try:
            return _locked_run(options, original, python, say)
        except BaseException as exc:  # before the loop: nothing was written yet
            interrupt = interrupt_in(exc)
            if interrupt is None:
                raise
            raise _interrupted(interrupt, set(), {}, options.apply) from exc


def _locked_run(options: Options, original: Path, python: str, say: Progress) -> Report:
    with project_lock(original, exclusive=options.apply):
        key = replay.tree_key(Project(original), python, options)
        if options.apply:
            report, _ = _repair(original, options, python, say, path_map=None, verified=replay.load(key, original))
            with interrupt_says("after the run", written_by(report)):
                replay.forget(key, original)
            return report
        with tempfile.TemporaryDirectory(prefix="collect-fix-dry-run-") as scratch:
            copy = copy_project(original, Path(scratch))
            report, workspace = _repair(copy, options, python, say, path_map=(original, copy), history=original)
            report = _as_original(report, original, copy, Path(scratch))
            changed = workspace.changed_files()
            verified = replay.Verified(
                {relative: workspace.read(relative) for relative in changed},
                {relative: workspace.originals[relative] for relative in changed},
                report,
            )
        # With the copy gone: a TMPDIR inside the project would otherwise put it in the tree.
        if replay.tree_key(Project(original), python, options) == key:  # nobody changed it meanwhile
            replay.save(key, verified, original)
        return report


def written_by(report: Report) -> str:
    """What a finished run left on disk, for a signal that comes after it."""
    return "its verified repairs are kept" if report.applied and report.files_changed else "nothing was written"


def _repair(
    root: Path,
    options: Options,
    python: str,
    say: Progress,
    path_map: Optional[tuple[Path, Path]],
    history: Optional[Path] = None,
    verified: Optional[replay.Verified] = None,
) -> tuple[Report, Workspace]:
    """The loop, on ``root`` (or the replay of ``verified``, when it still holds); whatever ends
    it early (a signal, a bug) first undoes the round under way, whose repairs nobody verified,
    and stops every collection it started."""
    project = Project(root, history_root=history or root)
    collections = collector.RunCollector(
        root, python, timeout=options.timeout, pytest_args=options.pytest_args, path_map=path_map,
        shards=sharding.groups(project),
    )
    outcomes: dict[tuple[object, ...], Outcome] = {}
    workspace: Optional[Workspace] = None
    collected: Optional[Collection] = None
    try:
        if verified is not None:
            from collect_fix.workspace import Workspace

            workspace = Workspace(project)
            replayed = _replay(collections, workspace, verified, outcomes, say, python, options)
            if isinstance(replayed, Report):
                return replayed, workspace
            collected = replayed
        if collected is None:
            say("collecting")
        first = _Collected(collected) if collected is not None else collections.start()
        # While pytest collects on the other core: load LibCST (the workspace's transforms), the
        # codemods and the planners, and read the project the way the first round's planning will.
        from collect_fix.transforms import codemods
        from collect_fix.workspace import Workspace

        codemods()
        planners()
        workspace = workspace or Workspace(project)
        graph = ImportGraph()
        read_ahead(workspace.project, graph)
        with settled():
            report = _rounds(first, collections, workspace, graph, outcomes, options, python, say, history or root)
        return report, workspace
    except BaseException as exc:
        with signals_ignored():
            collections.close()
            undone = workspace.unverified() if workspace is not None else set()
            if workspace is not None:
                workspace.restore(undone)
        interrupt = interrupt_in(exc)
        if interrupt is not None:
            raise _interrupted(interrupt, undone, outcomes, options.apply) from exc
        raise
    finally:
        try:
            collections.close()  # removing the run's bytecode takes a moment on a large project
        except (KeyboardInterrupt, Terminated) as exc:  # the round is settled: nothing to undo
            raise _interrupted(exc, set(), outcomes, options.apply) from exc


def _replay(
    collections: collector.RunCollector,
    workspace: Workspace,
    verified: replay.Verified,
    outcomes: dict[tuple[object, ...], Outcome],
    say: Progress,
    python: str,
    options: Options,
) -> Report | Collection | None:
    """Write what the dry run verified when pytest sees this tree as the dry run saw it, both as
    it is and as repaired. Its report when pytest agrees both times; else, with the tree as it
    was, None, or the first collection when what it saw differed (the search starts from it).

    The record says the tree's Python and configuration files are as they were, not that pytest
    sees them alike: an environment variable, a package, a file outside the project may differ.
    The two collections run side by side (``_side_by_side``), unless the scratch copy that needs
    would lie in the tree (TMPDIR in the project): then one after the other, in place.
    """
    if not verified.contents or any(workspace.read(path) != data for path, data in verified.originals.items()):
        return None
    project = Project(workspace.root, history_root=workspace.project.history_root)
    changes = {path: data for path, data in verified.contents.items() if data is not None}
    in_turn = holds(workspace.root, Path(tempfile.gettempdir()))
    if in_turn:
        say("collecting, to compare with the dry run")
        before = collections.collect()
    else:
        say("collecting the tree as it is (in a scratch copy) and with the dry run's repairs written, side by side")
        before, after = _side_by_side(collections, workspace, changes, verified, python, options)
    if not _agrees(before, project, verified.report.before, verified.report.before_diagnoses):
        workspace.restore(workspace.unverified())
        workspace.begin_batch()
        if not in_turn:
            collections.forget()  # it learnt from the dry run's collection and the repaired tree
        say("pytest does not collect this tree as the dry run did: searching for repairs")
        return before if in_turn else None  # the search starts from a collection of the tree in place
    if in_turn:
        say("writing the repairs the dry run verified, then collecting once to check them")
        workspace.begin_batch()
        workspace.write(changes)
        # A full collection, not the files the repairs can reach: what else changed since the dry
        # run (a data file a test module parametrizes from, an installed package) shows in its counts.
        after = collections.collect(tuple(sorted(changes)))
    if not _agrees(after, project, verified.report.after, verified.report.after_diagnoses):
        workspace.restore(workspace.unverified())
        workspace.begin_batch()
        collections.forget()  # what the repaired tree's collection taught it may not hold without the repairs
        say("pytest did not confirm the dry run's result here: searching for repairs again")
        return None
    with signals_deferred():  # verified, and an interrupt from here on says so
        outcomes.update((outcome.diagnosis.key, outcome) for outcome in verified.report.outcomes)
        workspace.begin_batch()
    return replace(
        verified.report, before=before, after=after,
        after_diagnoses=tuple(diagnosis for diagnosis in diagnose_collection(after, project) if not diagnosis.masked),
        applied=True, diff=_diff(workspace), files_changed=tuple(workspace.changed_files()),
        stubs=tuple(_stubs(project)), warnings=(*verified.report.warnings, *workspace.notices), replayed=True,
    )


def _side_by_side(
    collections: collector.RunCollector,
    workspace: Workspace,
    changes: dict[str, bytes],
    verified: replay.Verified,
    python: str,
    options: Options,
) -> tuple[Collection, Collection]:
    """(before, after): the tree as it is, collected in a scratch copy (as a dry run collects it)
    while the repaired tree is collected in place, on another core: one collection's wall time,
    not two. ``before`` is spelled in the original's paths.

    Both are full collections: what changed since the dry run outside the Python files (a data
    file a test module parametrizes from, an installed package) shows in their counts. The
    collection in place is told what the dry run's first one learnt (files that kill the
    process, test modules that catch a failure), as it would have learnt it from ``before``.
    """
    original = workspace.root
    with tempfile.TemporaryDirectory(prefix="collect-fix-replay-") as scratch:
        copy = copy_project(original, Path(scratch))
        as_it_is = collector.RunCollector(
            copy, python, timeout=options.timeout, pytest_args=options.pytest_args, path_map=(original, copy)
        )
        try:
            pending = as_it_is.start()
            collections.learn(verified.report.before)
            workspace.begin_batch()
            workspace.write(changes)
            after = collections.collect(tuple(sorted(changes)))
            before = pending.result()
        finally:
            as_it_is.close()
        return _as_original(before, original, copy, Path(scratch)), after


def _agrees(collection: Collection, project: Project, expected: Collection, diagnoses: tuple[Diagnosis, ...]) -> bool:
    """The same errors (as diagnosed) and the same tests per file as the dry run's collection."""
    found = {diagnosis.identity for diagnosis in diagnose_collection(collection, project) if not diagnosis.masked}
    return found == {diagnosis.identity for diagnosis in diagnoses} and collection.tests_per_file == expected.tests_per_file


@dataclass(frozen=True)
class _Collected:
    """A collection already made, where the loop expects one under way."""

    collection: Collection

    def result(self) -> Collection:
        return self.collection


def _rounds(
    first: collector.PendingCollection | collector.ShardedCollection | _Collected,
    collections: collector.RunCollector,
    workspace: Workspace,
    graph: ImportGraph,
    outcomes: dict[tuple[object, ...], Outcome],
    options: Options,
    python: str,
    say: Progress,
    history: Path,
) -> Report:
    root = workspace.root

    def project_at_start(collected: Collection) -> Project:
        plain = Project(root, history_root=history, inifile=collected.inifile, settings=collected.settings)
        return replace(plain, markers_at_start=_registered_markers(plain))

    def snapshot_of_tree() -> Project:
        # With the configuration file pytest read: repairs edit that file, never a new one.
        return Project(root, history_root=history, inifile=before.inifile, markers_at_start=markers_at_start,
                       settings=before.settings)

    def planning_while_collecting(snapshot: Project) -> EarlyPlans:
        return EarlyPlans(root, lambda collected: snapshot, options)

    def made_early() -> Optional[dict[Key, Plan]]:
        """The plans made while pytest collected, if made on the snapshot of the tree planned now
        (``early`` is dropped when the tree changed while pytest collected)."""
        return early.plans if early is not None and early.project is project else None

    from collect_fix.edit_warmup import while_pytest_exits

    tried: set[tuple[object, ...]] = set()  # (diagnosis key, repair) pairs already tried
    batch_limit: Optional[int] = None  # how many repairs a round applies; halved when a round is ambiguous
    early: Optional[EarlyPlans] = None
    if isinstance(first, collector.PendingCollection):  # plan its errors while it collects
        early = EarlyPlans(root, project_at_start, options)
        before = first.result(meanwhile=while_pytest_exits(early, tried, workspace, batch_limit))
        early = early if early.tree_unchanged() else None
    else:
        before = first.result()
    # The snapshot the early plans were made on, where there is one: its scans are cached on it.
    project = early.project if early is not None and early.project is not None else None
    if project is None or project.inifile != before.inifile or project.settings != before.settings:
        project = project_at_start(before)
    markers_at_start = project.markers_at_start
    baseline, baseline_note, counts_comparable = _baseline(collections, before, project, say)
    diagnoses = diagnose_collection(before, project)
    before_diagnoses = [diagnosis for diagnosis in diagnoses if not diagnosis.masked]
    before_causes = [diagnosis for diagnosis in diagnoses if diagnosis.masked]
    current, judged_against = before, baseline
    seen = [*before_diagnoses, *before_causes]  # every round's, for --run-tests: a chain credits each repair
    round_number, last_round = 0, options.max_rounds
    decided: dict[tuple[object, ...], Plan] = {}  # equally likely repairs, settled by their tests
    unchanged_plans: Optional[list[Plan]] = None  # the plans of the tree the rounds ended on, if any
    while round_number < last_round:
        early_plans = made_early()
        if early_plans and _untried(early_plans.values(), tried):  # its pytest starts while this round is planned
            collections.prestart_next()
        plans = unchanged_plans = plan_all(diagnoses, project, options, early_plans)
        plans = [
            _decide_by_tests(plan, decided, workspace, collections, graph, current, diagnoses, history, python, options,
                             say)
            if plan.choose_by_tests else plan
            for plan in plans
        ]
        if _untried(plans, tried):  # a round will likely follow: its pytest starts meanwhile
            collections.prestart_next()
        batch = _next_batch(plans, tried, workspace, outcomes, limit=batch_limit)
        if not batch:
            break
        unchanged_plans = None  # what follows changes the tree
        round_number += 1
        say(f"round {round_number}: applying {len(batch)} repair(s), re-collecting")
        touched = tuple(sorted({path for item in batch for path in item.files}))
        edits = tuple(edit for item in batch for edit in item.repair.edits)
        project = snapshot_of_tree()
        early = planning_while_collecting(project)  # the next round's plans, while pytest re-collects
        after = _collect_again(collections, graph, project, current, touched, edits,
                               meanwhile=while_pytest_exits(early, tried, workspace, batch_limit))
        early = early if early.tree_unchanged() else None
        diagnoses_after = diagnose_collection(after, project)
        compare_counts = counts_comparable or judged_against is not baseline
        verdicts = judge(batch, judged_against, after, diagnoses_after, project, compare_counts=compare_counts)
        while any(verdict.ambiguous for verdict in verdicts):
            # Something broke that no repair explains. Repairs that failed on their own (the code
            # one added fails, say a circular import) are the first suspects: undo those, look again.
            failed = [(item, verdict) for item, verdict in zip(batch, verdicts) if not verdict.kept and not verdict.ambiguous]
            if not failed:
                break
            for item, verdict in failed:
                outcomes[item.diagnosis.key] = _outcome(item, verdict, outcomes)
            _undo(workspace, batch, [item for item, _ in failed])
            batch = [item for item in batch if not any(item is each for each, _ in failed)]
            project = snapshot_of_tree()
            after = _collect_again(collections, graph, project, current, touched, edits)
            diagnoses_after = diagnose_collection(after, project)
            verdicts = judge(batch, judged_against, after, diagnoses_after, project, compare_counts=compare_counts)
        if any(verdict.ambiguous for verdict in verdicts):
            # Still no single repair explains it: undo the batch and try half as many repairs per
            # round (down to one), so the culprit is found in a few rounds, not one per repair.
            _undo(workspace, batch, batch)
            workspace.begin_batch()  # settled: nothing of this round is left on disk
            for item in batch:
                tried.discard((item.diagnosis.key, item.repair))
            batch_limit = max(1, len(batch) // 2)
            last_round = max(last_round, round_number + 2 * len(batch))
            project = snapshot_of_tree()
            continue
        rejected = [item for item, verdict in zip(batch, verdicts) if not verdict.kept]
        for item, verdict in zip(batch, verdicts):
            outcomes[item.diagnosis.key] = _outcome(item, verdict, outcomes)
        if rejected:
            _undo(workspace, batch, rejected)
            project = snapshot_of_tree()
            early = planning_while_collecting(project)
            after = _collect_again(collections, graph, project, current, touched, edits, meanwhile=early.step)
            early = early if early.tree_unchanged() else None
            diagnoses_after = diagnose_collection(after, project)
        workspace.begin_batch()  # settled: what is on disk now was verified
        current, judged_against, diagnoses = after, after, diagnoses_after
        seen.extend(diagnoses_after)
        if batch_limit is not None:
            batch_limit *= 2  # the culprit of the ambiguous round may be behind us: grow again
    remaining = unchanged_plans if unchanged_plans is not None else plan_all(diagnoses, project, options, made_early())
    tests = _run_repaired_tests(workspace, history, python, options, seen, current, outcomes)
    return Report(
        before=before,
        after=current,
        outcomes=tuple(outcomes.values()),
        remaining=tuple(_explain(plan, outcomes) for plan in remaining),
        diff=_diff(workspace),
        files_changed=tuple(workspace.changed_files()),
        stubs=tuple(_stubs(project)),
        applied=options.apply,
        warnings=tuple(workspace.notices),
        before_diagnoses=tuple(before_diagnoses),
        after_diagnoses=tuple(diagnosis for diagnosis in diagnoses if not diagnosis.masked),
        install_command=_install_command(remaining, project, python),
        python=python,
        baseline=baseline_note,
        causes=tuple(before_causes),
        tests=tests,
    )


def _untried(plans: Iterable[Plan], tried: set[tuple[object, ...]]) -> bool:
    """Whether a plan has a repair this run has not tried: a round will likely follow."""
    return any((plan.diagnosis.key, repair) not in tried for plan in plans for repair in plan.alternatives)


def _registered_markers(project: Project) -> Optional[tuple[str, ...]]:
    """The markers the configuration registers now; None when it cannot be read (the marker
    planner reports that if it matters)."""
    try:
        return pytest_config.registered_markers(pytest_config.configuration(project))
    except Exception:  # noqa: BLE001 - a broken configuration file is the project's error to report
        return None


def _run_repaired_tests(
    workspace: Workspace,
    original: Path,
    python: str,
    options: Options,
    diagnosed: list[Diagnosis],
    after: Collection,
    outcomes: dict[tuple[object, ...], Outcome],
) -> tuple[RepairTests, ...]:
    """``--run-tests``: run the tests of every test file a kept repair made collect, once, and
    count them per repair (a file several repairs needed, in one round or one after another,
    counts for each). ``diagnosed``: the diagnoses of every round."""
    if not options.run_tests:
        return ()
    project = workspace.project
    failing = {project.relative_or_none(error.path) for error in after.errors}
    files_of: dict[Repair, set[str]] = {}
    for outcome in outcomes.values():
        if outcome.status is not Status.REPAIRED or outcome.repair is None:
            continue
        files = files_of.setdefault(outcome.repair, set())
        for diagnosis in diagnosed:
            collector_file = project.relative_or_none(diagnosis.error.path) if diagnosis.error else None
            if (diagnosis.key == outcome.diagnosis.key and collector_file and collector_file not in failing
                    and project.is_test_module(collector_file)):
                files.add(collector_file)
    every_file = sorted(set().union(*files_of.values())) if files_of else []
    results = run_tests(workspace.root, original, python, every_file, timeout=options.timeout,
                        pytest_args=options.pytest_args)
    return tuple(
        RepairTests(repair.description, tuple(sorted(files)), total(results, sorted(files)))
        for repair, files in files_of.items() if files
    )


def _as_original(report: _T, original: Path, copy: Path, scratch: Path) -> _T:
    """A dry run's report (or collection) as the original tree would give it: every path of the scratch copy
    (pytest's rootdir, the configuration it read, file names in error messages and tracebacks)
    spelled as the original's. The copy sits at ``scratch/<top>/...``, ``<top>`` being the
    project or, when pytest's configuration lives above it, the folder holding that."""
    inside = copy.relative_to(scratch).parts
    top_copy = scratch / inside[0]
    top_original = original.parents[len(inside) - 2] if len(inside) > 1 else original
    return _with_paths_moved(report, str(top_copy), str(top_original))


def _with_paths_moved(value: _T, old: str, new: str) -> _T:
    """``value`` with ``old`` replaced by ``new`` in every string it holds (dataclasses, tuples,
    lists, dicts and sets of them, as the report's types are)."""
    moved: Any
    if isinstance(value, str):
        moved = value.replace(old, new) if old in value else value
    elif is_dataclass(value) and not isinstance(value, type):
        moved = replace(value, **{
            field.name: _with_paths_moved(getattr(value, field.name), old, new) for field in fields(value) if field.init
        })
    elif isinstance(value, (tuple, list, frozenset, set)):
        moved = type(value)(_with_paths_moved(item, old, new) for item in value)
    elif isinstance(value, dict):
        moved = {_with_paths_moved(key, old, new): _with_paths_moved(item, old, new) for key, item in value.items()}
    else:
        moved = value
    return cast(_T, moved)


def _decide_by_tests(
    plan: Plan,
    decided: dict[tuple[object, ...], Plan],
    workspace: Workspace,
    collections: collector.RunCollector,
    graph: ImportGraph,
    current: Collection,
    diagnoses: list[Diagnosis],
    original: Path,
    python: str,
    options: Options,
    say: Progress,
) -> Plan:
    """Equally likely repairs (two successors of one renamed name): each is applied in turn,
    verified by collection, the tests of the files that failed for it run, and undone; the one
    under which more tests pass is the plan's only alternative, its evidence the counts. A tie, or
    none verifying, leaves it to a person."""
    key = plan.diagnosis.key
    if key in decided:
        return decided[key]
    from collect_fix.transforms import TransformError
    from collect_fix.workspace import EditRefused

    counted: list[tuple[Repair, RepairTests]] = []
    for repair in plan.alternatives:
        say(f"letting the tests decide: {repair.description}")
        workspace.begin_batch()
        try:
            contents = workspace.compute(repair.edits)
            added, created = _added_and_created(workspace, contents)
            workspace.write(contents)
        except (TransformError, EditRefused):
            continue
        try:
            touched = tuple(sorted(contents))
            project = Project(workspace.root, history_root=original, inifile=current.inifile, settings=current.settings)
            after = _collect_again(collections, graph, project, current, touched, repair.edits)
            (verdict,) = judge([Applied(plan.diagnosis, repair, touched, added, created)], current, after,
                               diagnose_collection(after, project), project)
            if verdict.kept:
                files = sorted({  # the test files that failed for want of the name
                    relative for diagnosis in diagnoses if diagnosis.key == key and diagnosis.error is not None
                    and (relative := project.relative_or_none(diagnosis.error.path)) and project.is_test_module(relative)
                })
                results = run_tests(workspace.root, original, python, files, timeout=options.timeout,
                                    pytest_args=options.pytest_args)
                counted.append((repair, RepairTests(repair.description, tuple(files), total(results, files))))
        finally:
            workspace.restore(workspace.unverified())
            workspace.begin_batch()
    counted.sort(key=lambda found: -found[1].outcomes.passed)
    summary = "; ".join(
        f"{tests.repair}: {tests.outcomes.passed} passed, {tests.outcomes.failed} failed" for _, tests in counted
    )
    if not counted or len(counted) > 1 and counted[0][1].outcomes.passed == counted[1][1].outcomes.passed:
        why = f"the tests did not decide ({summary})" if counted else "none of the candidates verified"
        decided[key] = Plan(plan.diagnosis, advice=f"{why}: choose the successor by hand")
    else:
        best = counted[0][0]
        decided[key] = Plan(plan.diagnosis, (replace(best, evidence=f"{best.evidence}; the tests decided: {summary}"),))
    return decided[key]


def _interrupted(
    signal: BaseException, undone: set[str], outcomes: dict[tuple[object, ...], Outcome], applied: bool
) -> RunInterrupted:
    name, code = signal_name(signal)
    if not applied:
        return RunInterrupted(f"interrupted ({name}); a dry run writes nothing, and nothing was written", code)
    kept = sorted({path for outcome in outcomes.values() if outcome.status is Status.REPAIRED for path in outcome.files})
    parts = [f"interrupted ({name})"]
    parts.append(f"the unverified edits of the round under way were undone ({', '.join(sorted(undone))})"
                 if undone else "no unverified edit was on disk")
    parts.append(f"repairs verified in earlier rounds stay in {', '.join(kept)}" if kept else "no repair was kept")
    return RunInterrupted("; ".join(parts), code)


def _collect_again(
    collections: collector.RunCollector, graph: ImportGraph, project: Project, current: Collection,
    touched: tuple[str, ...], edits: tuple[Edit, ...] = (), meanwhile: Optional[Callable[[Path], bool]] = None,
) -> Collection:
    """Collect what the round's edits (``touched``) can change; the rest is as ``current`` has it.

    A test file's collection depends on its own source, what it imports, the conftests above it
    and the configuration. So: the files that failed (each may have been repaired), the files
    pytest collected whose imports reach an edited file, and everything below an edited conftest
    (or below a conftest that imports an edited file). An edited configuration file (but for a
    marker registered, ``file_edits.LOCAL_EDITS``), an error outside any file, or a collection that
    did not run to the end: everything.
    """
    local = {edit.path for edit in edits if edit.transform in file_edits.LOCAL_EDITS}
    if not current.completed or any(not path.endswith(".py") and path not in local for path in touched):
        return collections.collect(touched, meanwhile=meanwhile)
    reached = graph.reached_by(project, touched)
    directories = {_directory(path) for path in reached if project.is_conftest(path)}
    files = {path for path in reached if path in current.modules}
    for error in (*current.errors, *current.masked):
        relative = _as_collected(project, error.path)
        if relative is None:
            return collections.collect(touched, meanwhile=meanwhile)
        if project.is_conftest(relative):
            directories.add(_directory(relative))
        elif (project.root / relative).is_dir():
            directories.add("" if relative == "." else relative)
        else:
            files.add(relative)
    if "" in directories:
        return collections.collect(touched, meanwhile=meanwhile)
    scope = collector.Scope(frozenset(files), frozenset(directories))
    return collections.recollect(current, scope, touched, meanwhile)


def _as_collected(project: Project, path: Optional[str]) -> Optional[str]:
    """The project-relative path pytest collected a file under (a symlink stays the link)."""
    if not path:
        return None
    relative = Path(os.path.relpath(path, project.root))
    return None if relative.parts[:1] == ("..",) else relative.as_posix()


def _directory(relative: str) -> str:
    """The project-relative directory of a project-relative file, "" for the root."""
    parent = Path(relative).parent.as_posix()
    return "" if parent == "." else parent


def _baseline(
    collections: collector.RunCollector, before: Collection, project: Project, say: Progress
) -> tuple[Collection, str, bool]:
    """What the verifier compares the first round with: (collection, how it was made, whether
    its test counts can be compared with a repaired tree's).

    Files that kill or hang the process are already left out of the first collection (the
    collector restarts without them). What still ends a session early is a conftest that fails
    while pytest starts: nothing is collected then, so every other file would go unjudged.
    A second collection without conftests shows what those files collect on their own.
    """
    if before.completed:
        return before, "the first collection", True
    # A warning filter naming a class of the project fails the same without conftests.
    failed = [error for error in before.errors if error.phase == "initial_conftest" and error.wrapper != "UsageError"]
    if not failed:
        return before, "the first collection, which did not run to the end", True
    say("the session ended at a conftest: collecting once more without conftests, for a baseline")
    baseline = collections.collect(extra_args=("--noconftest",))
    where = project.relative_or_none(failed[0].path) or "a conftest"
    if not baseline.completed:
        return before, f"the first collection, which ended at {where}", True
    note = (f"a second collection without conftests, because {where} failed at start-up "
            "(errors compared per file; test counts are not, the conftests may change them)")
    return baseline, note, False


def _next_batch(
    plans: list[Plan],
    tried: set[tuple[object, ...]],
    workspace: Workspace,
    outcomes: dict[tuple[object, ...], Outcome],
    limit: Optional[int] = None,
) -> list[Applied]:
    """Apply the first untried alternative of every plan (of ``limit`` plans at most);
    identical repairs are applied once."""
    from collect_fix.edit_warmup import warm
    from collect_fix.transforms import TransformError
    from collect_fix.workspace import EditRefused

    warm(plans, tried, workspace, limit)
    workspace.begin_batch()
    batch: list[Applied] = []
    applied_repairs: dict[Repair, Applied] = {}
    causes: set[tuple[object, ...]] = set()
    for plan in plans:
        if limit is not None and len(applied_repairs) >= limit:
            break
        if plan.diagnosis.key in causes:
            continue  # one cause reported by several files: its next alternative waits for the verdict
        causes.add(plan.diagnosis.key)
        for repair in plan.alternatives:
            attempt = (plan.diagnosis.key, repair)
            if attempt in tried:
                continue
            tried.add(attempt)
            if repair in applied_repairs:
                shared = applied_repairs[repair]
                batch.append(Applied(plan.diagnosis, repair, shared.files, shared.added_lines, shared.created))
                break
            try:
                contents = workspace.compute(repair.edits)
                if not contents:
                    break  # already in place (another repair of this batch made it): not a new attempt
                added, created = _added_and_created(workspace, contents)
                workspace.write(contents)  # all of it or nothing, each target checked first
            except (TransformError, EditRefused) as exc:
                outcomes[plan.diagnosis.key] = Outcome(
                    plan.diagnosis, Status.FAILED, repair, str(exc), earlier=_earlier(outcomes.get(plan.diagnosis.key))
                )
                continue
            applied_repairs[repair] = Applied(plan.diagnosis, repair, tuple(sorted(contents)), added, created)
            batch.append(applied_repairs[repair])
            break
    return batch


def _outcome(item: Applied, verdict: Verdict, outcomes: dict[tuple[object, ...], Outcome]) -> Outcome:
    """What the verdict on an applied repair makes of its diagnosis, with what was tried before."""
    status = Status.REPAIRED if verdict.kept else Status.REVERTED
    return Outcome(
        item.diagnosis, status, item.repair, verdict.reason, item.files,
        earlier=_earlier(outcomes.get(item.diagnosis.key)),
    )


def _added_and_created(workspace: Workspace, contents: dict[str, bytes]
                       ) -> tuple[tuple[tuple[str, frozenset[int]], ...], tuple[str, ...]]:
    """Per file about to be written, the lines it adds or changes; and the files it creates."""
    before = {path: workspace.read(path) for path in sorted(contents)}
    added = tuple((path, added_lines(before[path], contents[path])) for path in before)
    return added, tuple(path for path, old in before.items() if old is None)


def _earlier(previous: Optional[Outcome]) -> tuple[str, ...]:
    """What an outcome's predecessors for the same cause tried and why they were not kept."""
    if previous is None or previous.status is Status.REPAIRED:
        return ()
    description = previous.repair.description if previous.repair else "repair"
    return (*previous.earlier, f"{description}: {previous.reason}")


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
    """One install line for every missing distribution, also those the same files import next."""
    missing = []
    for plan in remaining:
        if plan.diagnosis.category is Category.MISSING_DEPENDENCY:
            missing.append(describe_diagnosis(project, plan.diagnosis, python))
            missing.extend(describe(project, name, python) for name in missing_beside(project, plan.diagnosis, python))
    return install_command(missing, python) if missing else ""


def _stubs(project: Project) -> list[str]:
    try:
        from collect_fix.stubs import find_markers
    except ImportError:
        return []
    return [f"{path}:{line}: {text}" for path, line, text in find_markers(project)]
