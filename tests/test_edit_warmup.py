"""A round's edits computed ahead on two cores are the ones the applier makes (edit_warmup)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import can_fork, copy_fixture, snapshot

from collect_fix import api, collector, edit_warmup, second_core, transforms
from collect_fix.diagnosis import diagnose_collection
from collect_fix.early_plans import EarlyPlans
from collect_fix.edit_warmup import _chains, warm, while_pytest_exits
from collect_fix.planning import plan_all
from collect_fix.project import Project
from collect_fix.types import Edit, Options, Repair
from collect_fix.workspace import Workspace


def contents(root: Path) -> dict[str, bytes]:
    return {relative: data for relative, (data, _) in snapshot(root).items()}


def repair(name: str, *paths: str) -> Repair:
    return Repair(name, tuple(Edit(path, "add_alias", (("name", name),)) for path in paths))


def test_repairs_that_share_a_file_are_one_chain_in_batch_order() -> None:
    a, b, c, d = repair("a", "x.py"), repair("b", "y.py"), repair("c", "z.py"), repair("d", "y.py", "x.py")

    assert _chains([a, b, c, d]) == [[a, b, d], [c]]
    assert _chains([c, a, d, b]) == [[c], [a, d, b]]
    assert _chains([a, c]) == [[a], [c]]


@pytest.mark.skipif(not can_fork(), reason="needs Linux, fork and two cores")
def test_the_applier_finds_every_edit_made_ahead_and_writes_what_it_would_have(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture("refactor_fallout", tmp_path)
    project = Project(root)
    collection = collector.start(root, sys.executable).result()
    plans = plan_all(diagnose_collection(collection, project), project, Options(root=root))
    untouched = contents(root)

    # The applier alone, nothing made ahead.
    with monkeypatch.context() as alone:
        alone.setenv(second_core.NO_FORK_ENV, "1")
        transforms.forget_edits()
        workspace = Workspace(project)
        batch = api._next_batch(plans, set(), workspace, {})
        written_alone = contents(root)
        workspace.restore(workspace.unverified())
    assert contents(root) == untouched
    assert len(_chains([item.repair for item in batch])) >= 2  # something to share

    transforms.forget_edits()
    monkeypatch.setattr(edit_warmup, "_last_warmed", None)
    workspace = Workspace(project)
    warm(plans, set(), workspace, None)
    assert contents(root) == untouched  # computed, not written
    made_ahead = len(transforms._results)
    transforms.forget_edits()  # what was warmed is gone: the next warm-up is not skipped
    warm(plans, set(), workspace, None)
    assert len(transforms._results) == made_ahead
    api._next_batch(plans, set(), workspace, {})

    assert len(transforms._results) == made_ahead  # the applier computed nothing new
    assert contents(root) == written_alone
    workspace.restore(workspace.unverified())


# pytest's teardown made long: the process lingers after its last record, as a large suite's does.
SLOW_EXIT = "\n\ndef pytest_unconfigure(config):\n    import time\n\n    time.sleep(2)\n"


@pytest.mark.skipif(not can_fork(), reason="needs Linux, fork and two cores")
def test_the_repairs_of_a_collection_are_computed_while_pytest_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture("refactor_fallout", tmp_path)
    with (root / "tests" / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(SLOW_EXIT)
    options = Options(root=root)
    workspace = Workspace(Project(root))
    monkeypatch.setattr(edit_warmup, "_last_warmed", None)
    transforms.forget_edits()

    early = EarlyPlans(root, lambda collected: Project(root, inifile=collected.inifile), options)
    pending = collector.start(root, sys.executable)
    assert isinstance(pending, collector.PendingCollection)
    collection = pending.result(meanwhile=while_pytest_exits(early, set(), workspace, None))
    assert early.project is not None
    plans = plan_all(diagnose_collection(collection, early.project), early.project, options, early.plans)
    made_ahead = len(transforms._results)
    batch = api._next_batch(plans, set(), workspace, {})

    assert len(batch) > 2
    assert len(transforms._results) == made_ahead  # the applier computed nothing new
    workspace.restore(workspace.unverified())


def test_remembered_edits_are_bounded_by_size_and_the_oldest_go_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """A round's warm-up remembers every first repair of the round; what no longer fits pushes
    out the oldest edits, not everything (which would drop the warm-up's own results)."""
    monkeypatch.setattr(transforms, "_MAX_REMEMBERED_BYTES", 1000)
    transforms.forget_edits()
    carry = transforms.RememberedEdits()
    keys = [(Edit(f"m{index}.py", "add_alias"), b"x" * 100, Path(f"m{index}.py"), None) for index in range(12)]
    carry.absorb({key: b"y" * 100 for key in keys})  # 200 bytes each: five fit

    assert carry.before() == frozenset(keys[-5:])
    transforms.forget_edits()
    assert carry.before() == frozenset()
