"""Plan a collection's errors while pytest is still collecting.

The first collection is the one collect-fix cannot avoid, and on a large suite planning the first
round takes about as long again, while the main process only waits; so does each round's
re-collection, whose new errors the next round plans. The probe writes each error as it finds it
(the records file, flushed per record), so between its waits the main process diagnoses those
errors and plans them, on another core. collect-fix writes nothing while pytest collects (and
plans are dropped when the project's files changed meanwhile: ``tree_unchanged``), so a plan
made early is the plan ``plan_all`` would make on the same snapshot of the tree, for a diagnosis
that comes out the same from the whole collection (an exit's diagnosis names the causes its
module caught, and one of those may come later): ``plan_all`` takes only such plans. Plans made
during a re-collection serve only when the round's verdicts undid nothing (``api._rounds``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Optional

from collect_fix import collector
from collect_fix.pytest_config import CONFIG_FILES
from collect_fix.diagnosis import diagnose_collection
from collect_fix.interrupts import interrupt_in
from collect_fix.planning import Key, plan_each, plan_for, plan_one
from collect_fix.project import Project
from collect_fix.records_tail import RecordsTail
from collect_fix.types import Collection, Diagnosis, Options, Plan

_STEP_SECONDS = 0.03  # planning per step, before the caller checks whether pytest has ended


class EarlyPlans:
    """Reads the records of the collection under way and plans what they report, a step at a time."""

    def __init__(self, root: Path, project_at_start: Callable[[Collection], Project], options: Options) -> None:
        self._root, self._options = root, options
        self._tail: Optional[RecordsTail] = None  # the records file of the collection under way
        self._project_at_start = project_at_start  # the Project plan_all gets, from pytest's inifile and settings
        self._project: Optional[Project] = None
        self._records: list[dict[str, Any]] = []
        self._reported = 0  # error and masked records read so far
        self.plans: dict[Key, Plan] = {}
        self._stopped = False
        self._stamps: Optional[frozenset[tuple[str, int, int]]] = None  # the tree when planning began
        self._unplanned: list[Diagnosis] = []  # diagnosed from the records, not planned yet
        self._order: list[Key] = []  # the diagnoses of the records so far, in order

    def tree_unchanged(self) -> bool:
        """Whether the tree is still the one the plans were made on. A test module may write to
        the project while pytest imports it (generated code, a fixture file): then the plans,
        and the snapshot's scans, are of a tree that no longer is, and are dropped."""
        return self._stamps is None or _tree_stamps(self._root) == self._stamps

    @property
    def project(self) -> Optional[Project]:
        """The snapshot of the tree the plans were made on (None before the first plan)."""
        return self._project

    @property
    def complete(self) -> bool:
        """pytest has collected (its ``finish`` record is read) and everything it reported is planned."""
        return not self._stopped and not self._unplanned and _collected(self._records)

    def ordered_plans(self) -> list[Plan]:
        """The plans, in the order of the diagnoses they were made for (the applier's order)."""
        return [self.plans[key] for key in self._order if key in self.plans]

    def step(self, records: Path) -> bool:
        """Plan what the records file (of the collection under way) added since the last step
        reports, for a few hundredths of a second; whether planning is left for the next step
        (the caller checks on pytest, then calls again at once). Planning is left rather than
        done at one go because once pytest has collected (its ``finish`` record), what is left
        is shared with the core pytest used (``second_core``), here or in ``plan_all``. Never fails the run: what goes wrong here stops the
        early planning, and ``plan_all`` plans as it would have anyway."""
        if self._stopped:
            return False
        if self._tail is None or records != self._tail.path:  # another collection (a partial one ended early)
            self._tail, self._records, self._reported, self._unplanned = RecordsTail(records), [], 0, []
        try:
            self._step()
        except Exception as exc:  # noqa: BLE001 - an optimisation, never a reason to fail
            if interrupt_in(exc) is not None:
                raise  # a signal Python wrapped: still the user's Ctrl-C
            self._stopped = True
            self.plans.clear()
            self._unplanned = []
        return bool(self._unplanned)

    def _step(self) -> None:
        if self._read() and any(record["type"] == "start" for record in self._records):
            reported = sum(1 for record in self._records if record["type"] in ("error", "masked"))
            if reported != self._reported:
                self._reported = reported
                self._unplanned = self._diagnosed()
        if self._project is None or not self._unplanned:
            return
        if _collected(self._records):  # pytest has collected, and is exiting
            planned = plan_each(self._unplanned, self._project, self._options)
            self.plans.update((diagnosis.key, plan) for diagnosis, plan in zip(self._unplanned, planned))
            self._unplanned = []
            return
        deadline = time.monotonic() + _STEP_SECONDS
        while self._unplanned:  # one plan at least, however long it takes
            diagnosis = self._unplanned.pop(0)
            self.plans[diagnosis.key] = plan_one(diagnosis, self._project, self._options)
            if time.monotonic() >= deadline:
                break

    def _diagnosed(self) -> list[Diagnosis]:
        """The diagnoses of the records so far that have no plan made for them as they are now."""
        so_far = collector.so_far(self._root, self._records)
        if self._project is None:
            self._stamps = _tree_stamps(self._root)
            self._project = self._project_at_start(so_far)
        unplanned = []
        diagnoses = diagnose_collection(so_far, self._project)
        self._order = [diagnosis.key for diagnosis in diagnoses]
        for diagnosis in diagnoses:
            known = self.plans.get(diagnosis.key)
            if known is None or plan_for(known, diagnosis) is None:
                unplanned.append(diagnosis)
        return unplanned

    def _read(self) -> bool:
        """Take in the complete records written since the last read; whether there were any."""
        if self._tail is None:
            return False
        new = self._tail.new_records()
        if self._tail.restarted:  # the collection restarted without a file: its records start over
            self._records, self._reported = [], 0
        self._records.extend(new)
        return bool(new)


def _collected(records: list[dict[str, Any]]) -> bool:
    return any(record["type"] == "finish" for record in records)


def _tree_stamps(root: Path) -> frozenset[tuple[str, int, int]]:
    """The project's Python and configuration files by name, modification time and size."""
    files = [*Project(root).python_files(), *(root / name for name in CONFIG_FILES)]  # a fresh walk
    stamps = set()
    for path in files:
        try:
            status = path.stat()
        except OSError:
            continue
        stamps.add((str(path), status.st_mtime_ns, status.st_size))
    return frozenset(stamps)
