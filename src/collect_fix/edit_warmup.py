"""Compute a round's edits on two cores before the applier computes them on one.

The applier (``api._next_batch``) computes each plan's repair on the tree as the repairs before
it in the batch left it, and writes it: one after another, in collect-fix's own process, while
the core pytest collected on is idle (on a 3,000-test suite, about half a second of LibCST).
Repairs that share no file do not depend on each other, so ``warm`` groups the repairs the
applier will try first into chains that do (a file edited by several repairs, in batch order),
computes each chain on what the repairs before it would leave, without writing, and shares the
chains with a forked copy of this process (``second_core``). The applier then finds each edit
already made (``transforms.run_edit`` remembers edits by their exact input), and computes only
what the warm-up guessed wrong: a repair that fails and falls back to its next alternative.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Optional

from collect_fix import second_core
from collect_fix.early_plans import EarlyPlans
from collect_fix.interrupts import interrupt_in
from collect_fix.types import Plan, Repair
from collect_fix.workspace import EditRefused, Workspace


def warm(plans: Iterable[Plan], tried: set[tuple[object, ...]], workspace: Workspace, limit: Optional[int]) -> None:
    """Compute, on two cores, the repairs ``_next_batch`` will apply first (``limit`` of them at
    most); what goes wrong here is left for the applier to meet and report."""
    if not second_core.available():
        return
    from collect_fix.transforms import RememberedEdits, forgotten

    global _last_warmed
    repairs = _first_repairs(plans, tried, limit)
    chains = _chains(repairs)
    if len(chains) < 2:
        return
    warmed = (workspace.root, tuple(repairs), tuple((path, workspace.read(path)) for path in sorted(_paths(repairs))))
    if _last_warmed == (warmed, forgotten()):
        return  # warmed while pytest exited, and nothing forgotten since: the applier's own call finds it done

    def computed(chain: list[Repair]) -> None:
        _compute(chain, workspace)

    second_core.share(chains, computed, carry=(RememberedEdits(),))
    _last_warmed = (warmed, forgotten())


# The repairs last warmed, with the tree and the files they start from, and how many edits
# run_edit had forgotten by then.
_last_warmed: Optional[tuple[tuple[Path, tuple[Repair, ...], tuple[tuple[str, Optional[bytes]], ...]], int]] = None


def while_pytest_exits(
    early: EarlyPlans, tried: set[tuple[object, ...]], workspace: Workspace, limit: Optional[int]
) -> Callable[[Path], bool]:
    """``early.step``, for a collection's ``meanwhile``; and once pytest has collected and
    everything it reported is planned, those plans' repairs warmed while pytest exits (its
    session teardown and interpreter shutdown take a tenth of a second and more on a large
    suite). A verdict that undoes a file they start from makes them misses, never wrong edits:
    an edit is remembered by its exact input."""
    warmed = False

    def step(records: Path) -> bool:
        nonlocal warmed
        busy = early.step(records)
        if not busy and not warmed and early.complete:
            warmed = True
            try:
                warm(early.ordered_plans(), tried, workspace, limit)
            except Exception as exc:  # noqa: BLE001 - an optimisation, never a reason to fail
                if interrupt_in(exc) is not None:
                    raise  # a signal Python wrapped: still the user's Ctrl-C
        return busy

    return step


def _first_repairs(plans: Iterable[Plan], tried: set[tuple[object, ...]], limit: Optional[int]) -> list[Repair]:
    """The repair the applier tries first for each plan, once each, in its order."""
    repairs: dict[Repair, None] = {}
    causes: set[tuple[object, ...]] = set()
    for plan in plans:
        if limit is not None and len(repairs) >= limit:
            break
        if plan.diagnosis.key in causes:
            continue
        causes.add(plan.diagnosis.key)
        untried = [repair for repair in plan.alternatives if (plan.diagnosis.key, repair) not in tried]
        if untried:
            repairs.setdefault(untried[0])
    return list(repairs)


def _chains(repairs: list[Repair]) -> list[list[Repair]]:
    """The repairs grouped so that two sharing a file are in one group, each in batch order;
    the groups in the order of their first repair."""
    group_of_file: dict[str, int] = {}
    members: dict[int, list[int]] = {}  # group -> positions of its repairs in ``repairs``
    files: dict[int, set[str]] = {}  # group -> the files its repairs edit
    for position, repair in enumerate(repairs):
        paths = {edit.path for edit in repair.edits}
        joined = {group_of_file[path] for path in paths if path in group_of_file}
        kept = max(joined, key=lambda group: len(files[group]), default=position)  # the smaller ones join it
        members.setdefault(kept, []).append(position)
        moved = set(paths)
        for group in joined - {kept}:
            members[kept].extend(members.pop(group))
            moved |= files.pop(group)
        files.setdefault(kept, set()).update(moved)
        for path in moved:
            group_of_file[path] = kept
    return [[repairs[position] for position in sorted(group)] for group in sorted(members.values(), key=min)]


def _paths(repairs: Iterable[Repair]) -> set[str]:
    return {edit.path for repair in repairs for edit in repair.edits}


def _compute(chain: list[Repair], workspace: Workspace) -> None:
    """Each repair of the chain computed on the files as the ones before it left them."""
    from collect_fix.transforms import TransformError

    ahead: dict[str, Optional[bytes]] = {}
    for repair in chain:
        try:
            ahead.update(workspace.compute(repair.edits, ahead))
        except (TransformError, EditRefused):
            continue  # the applier tries the next alternative, which the warm-up did not guess
