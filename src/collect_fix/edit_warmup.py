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

from typing import Iterable, Optional

from collect_fix import second_core
from collect_fix.types import Plan, Repair
from collect_fix.workspace import EditRefused, Workspace


def warm(plans: Iterable[Plan], tried: set[tuple[object, ...]], workspace: Workspace, limit: Optional[int]) -> None:
    """Compute, on two cores, the repairs ``_next_batch`` will apply first (``limit`` of them at
    most); what goes wrong here is left for the applier to meet and report."""
    if not second_core.available():
        return
    from collect_fix.transforms import RememberedEdits

    chains = _chains(_first_repairs(plans, tried, limit))
    if len(chains) < 2:
        return

    def computed(chain: list[Repair]) -> None:
        _compute(chain, workspace)

    second_core.share(chains, computed, carry=(RememberedEdits(),))


def _first_repairs(plans: Iterable[Plan], tried: set[tuple[object, ...]], limit: Optional[int]) -> list[Repair]:
    """The repair the applier tries first for each plan, once each, in its order."""
    repairs: list[Repair] = []
    causes: set[tuple[object, ...]] = set()
    for plan in plans:
        if limit is not None and len(repairs) >= limit:
            break
        if plan.diagnosis.key in causes:
            continue
        causes.add(plan.diagnosis.key)
        untried = [repair for repair in plan.alternatives if (plan.diagnosis.key, repair) not in tried]
        if untried and untried[0] not in repairs:
            repairs.append(untried[0])
    return repairs


def _chains(repairs: list[Repair]) -> list[list[Repair]]:
    """The repairs grouped so that two sharing a file are in one group, each in batch order."""
    chain_of: dict[str, int] = {}  # file -> index of its chain in chains
    chains: list[Optional[list[Repair]]] = []
    for repair in repairs:
        joined = sorted({chain_of[edit.path] for edit in repair.edits if edit.path in chain_of})
        merged: list[Repair] = []
        for index in joined:  # this repair links chains that shared no file until now
            merged.extend(chains[index] or [])
            chains[index] = None
        merged.sort(key=repairs.index)
        merged.append(repair)
        chains.append(merged)
        for each in merged:
            for edit in each.edits:
                chain_of[edit.path] = len(chains) - 1
    return [chain for chain in chains if chain]


def _compute(chain: list[Repair], workspace: Workspace) -> None:
    """Each repair of the chain computed on the files as the ones before it left them."""
    from collect_fix.transforms import TransformError

    ahead: dict[str, Optional[bytes]] = {}
    for repair in chain:
        try:
            ahead.update(workspace.compute(repair.edits, ahead))
        except (TransformError, EditRefused):
            continue  # the applier tries the next alternative, which the warm-up did not guess
