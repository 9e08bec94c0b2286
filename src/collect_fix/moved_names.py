"""Where a name missing from one module is defined now, elsewhere in the project.

A refactor that moves ``within_range`` from ``pkg.utils`` to ``pkg.ranges`` leaves importers of
the old place behind. The new home is the project's other definition of the name that fits how
the project uses it (or any, when none fits), nearest the old module in the package tree; none
when several are equally near (the planner reports those). Only for a module that still exists:
a deleted module is stubbed, since a namesake elsewhere is no evidence of a move.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from collect_fix.definitions import Definition, find_definitions
from collect_fix.kinds import fits
from collect_fix.project import Project


@dataclass(frozen=True)
class Whereabouts:
    """``home``: the one nearest definition (None when ``nearest`` holds several); ``fitting``:
    whether the candidates fit the project's use; ``elsewhere``: every definition outside the module."""

    home: Optional[Definition]
    nearest: tuple[Definition, ...]
    fitting: bool
    elsewhere: tuple[Definition, ...]


def whereabouts(project: Project, name: str, module: str, uses: frozenset[str]) -> Optional[Whereabouts]:
    """Where ``name`` lives outside ``module`` now; None when the project defines it nowhere else."""
    elsewhere = tuple(definition for definition in find_definitions(project, name) if definition.module != module)
    fitting = [definition for definition in elsewhere if fits(definition.kind, uses)]
    candidates = fitting or list(elsewhere)
    if not candidates:
        return None
    closeness = {definition: _common_prefix(definition.module, module) for definition in candidates}
    best = max(closeness.values())
    nearest = tuple(definition for definition in candidates if closeness[definition] == best)
    return Whereabouts(nearest[0] if len(nearest) == 1 else None, nearest, bool(fitting), elsewhere)


def _common_prefix(first: str, second: str) -> int:
    """How many leading dotted parts two module names share."""
    count = 0
    for a, b in zip(first.split("."), second.split(".")):
        if a != b:
            break
        count += 1
    return count
