"""Plans made while pytest still collects are the plans made after it (early_plans)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import can_fork, copy_fixture, run_in_process, write_files

from collect_fix import collector, early_plans, planning, second_core
from collect_fix.diagnosis import diagnose_collection
from collect_fix.early_plans import EarlyPlans
from collect_fix.planning import plan_all
from collect_fix.project import Project
from collect_fix.types import Category, Collection, CollectionError, Diagnosis, Options, Plan

# Collected last (pytest walks test files in name order): holds the session open a while, so the
# errors of the files before it are read and planned before the collection ends.
SLOW_LAST = "import time\n\ntime.sleep(1.5)\n\n\ndef test_last():\n    pass\n"


def test_plans_made_while_pytest_collects_are_the_ones_made_after_it(tmp_path: Path) -> None:
    root = copy_fixture("refactor_fallout", tmp_path)
    write_files(root, {"tests/test_zz_slow_last.py": SLOW_LAST})
    options = Options(root=root)

    def project_at_start(collected: Collection) -> Project:
        return Project(root, inifile=collected.inifile, settings=collected.settings)

    pending = collector.start(root, sys.executable)
    assert isinstance(pending, collector.PendingCollection)
    early = EarlyPlans(root, project_at_start, options)
    collection = pending.result(meanwhile=early.step)

    assert early.project is not None
    diagnoses = diagnose_collection(collection, early.project)
    assert len(diagnoses) > 5
    made_early = [diagnosis.key for diagnosis in diagnoses if diagnosis.key in early.plans]
    assert len(made_early) == len(diagnoses)  # every error came before the slow file
    fresh = Project(root, inifile=collection.inifile)
    assert plan_all(diagnoses, early.project, options, early.plans) == plan_all(diagnoses, fresh, options)


def test_a_collection_under_way_without_errors_reports_none(tmp_path: Path) -> None:
    """Not the stand-in error a finished session without a result gets."""
    records = [{"type": "start", "rootdir": str(tmp_path), "inifile": ""}, {"type": "begin", "nodeid": "t.py", "path": str(tmp_path / "t.py")}]

    assert collector.so_far(tmp_path, records).errors == ()


def test_plans_made_before_a_test_module_writes_to_the_project_are_dropped(tmp_path: Path) -> None:
    """``compute_tax`` is missing until ``test_z.py`` writes ``shop/taxes.py`` while pytest imports
    it, after the error was planned (review): the plan must be made on the tree as it is after
    the collection, where the name has a home, as a plain run's planning would see it."""
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n',
        "shop/__init__.py": "",
        "shop/pricing.py": "def total(items):\n    return sum(items)\n",
        "tests/test_a.py": "from shop.pricing import compute_tax\n\n\ndef test_tax():\n    assert compute_tax(10) == 1\n",
        "tests/test_m.py": "import time\n\ntime.sleep(1.5)\n\n\ndef test_m():\n    pass\n",
        "tests/test_z.py": (
            "import pathlib\n\n"
            "target = pathlib.Path(__file__).resolve().parent.parent / 'shop' / 'taxes.py'\n"
            "target.write_text('def compute_tax(amount):\\n    return amount / 10\\n')\n\n\n"
            "def test_z():\n    pass\n"
        ),
    })

    result = run_in_process(root, "--dry-run")

    assert "re-export 'compute_tax' from shop.taxes in shop.pricing" in result.stdout, result.stdout


def test_early_planning_goes_a_plan_at_a_time_and_the_rest_at_once_when_pytest_has_collected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step plans for a few hundredths of a second (here: one plan) and says whether work is
    left; once the records hold pytest's ``finish``, the rest is planned in that step (shared with
    a forked copy where there is one), and the plans are the ones planning after would make."""
    root = copy_fixture("refactor_fallout", tmp_path / "project")
    write_files(root, {"tests/test_zz_slow_last.py": SLOW_LAST})
    options = Options(root=root)
    saved = tmp_path / "records.jsonl"

    def keep_records(records: Path) -> bool:
        shutil.copyfile(records, saved)
        return False

    pending = collector.start(root, sys.executable)
    assert isinstance(pending, collector.PendingCollection)
    pending.result(meanwhile=keep_records)
    lines = [line for line in saved.read_text(encoding="utf-8").splitlines(keepends=True) if line.endswith("\n")]
    saved.write_text("".join(line for line in lines if json.loads(line)["type"] != "finish"), encoding="utf-8")

    monkeypatch.setattr(early_plans, "_STEP_SECONDS", 0.0)
    early = EarlyPlans(root, lambda collected: Project(root, inifile=collected.inifile), options)
    assert early.step(saved) is True and len(early.plans) == 1
    assert early.step(saved) is True and len(early.plans) == 2
    with saved.open("a", encoding="utf-8") as records:
        records.write(json.dumps({"type": "finish", "tests": 0, "per_file": {}}) + "\n")
    assert early.step(saved) is False

    assert early.project is not None
    records = [json.loads(line) for line in saved.read_text(encoding="utf-8").splitlines()]
    diagnoses = diagnose_collection(collector.so_far(root, records), early.project)
    assert len(diagnoses) > 5 and set(early.plans) == {diagnosis.key for diagnosis in diagnoses}
    fresh = Project(root, inifile=early.project.inifile)
    assert plan_all(diagnoses, early.project, options, early.plans) == plan_all(diagnoses, fresh, options)


@pytest.mark.skipif(not can_fork(), reason="needs Linux, fork and two cores")
def test_plans_made_by_the_forked_copy_hold_the_diagnoses_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan comes back from the copy pickled, with a copy of its diagnosis: the diagnosis
    itself takes its place (with the collection error, which is not part of its equality)."""
    root = copy_fixture("refactor_fallout", tmp_path / "project")
    project = Project(root)
    diagnoses = diagnose_collection(collector.start(root, sys.executable).result(), project)
    planned_in = tmp_path / "planned-in"
    plan_one = planning.plan_one

    def recorded(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
        with planned_in.open("a", encoding="utf-8") as record:
            record.write(f"{os.getpid()}\n")
        time.sleep(0.02)  # each plan takes a while: the copy gets its share
        return plan_one(diagnosis, project, options)

    monkeypatch.setattr(planning, "plan_one", recorded)
    plans = planning.plan_each(diagnoses, project, Options(root=root))

    assert len(set(planned_in.read_text(encoding="utf-8").split())) == 2  # both processes planned
    assert all(plan.diagnosis is diagnosis for plan, diagnosis in zip(plans, diagnoses))
    monkeypatch.setenv(second_core.NO_FORK_ENV, "1")
    assert planning.plan_each(diagnoses, Project(root), Options(root=root)) == plans


def test_equal_diagnoses_from_several_test_files_share_one_plan_where_the_planner_reads_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source module's NameError stops every test module that imports it: one diagnosis per
    test file, equal but for the collection error. The undefined-name planner reads none of the
    error (``READS_ERROR = False``), so the module is planned once, before and after pytest ends,
    and each diagnosis gets that plan as its own, with its own error."""
    tests = {f"tests/test_{name}.py": f"from shop.pricing import total\n\n\ndef test_{name}():\n    assert total([1]) == 1\n"
             for name in ("a", "b", "c")}
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n',
        "shop/__init__.py": "",
        "shop/pricing.py": "from typing import List\n\nLIMIT: Optional[int] = None\n\n\ndef total(items: List[int]) -> int:\n"
                           "    return sum(items)\n",
        **tests,
    })
    monkeypatch.setenv(second_core.NO_FORK_ENV, "1")
    project, options = Project(root), Options(root=root)
    diagnoses = diagnose_collection(collector.start(root, sys.executable).result(), project)
    assert len(diagnoses) == 3 and len(set(diagnoses)) == 1  # equal, from three errors
    assert len({diagnosis.error.path for diagnosis in diagnoses if diagnosis.error is not None}) == 3
    one_by_one = [planning.plan_one(diagnosis, project, options) for diagnosis in diagnoses]
    planned: list[Diagnosis] = []
    plan_one = planning.plan_one

    def counted(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
        planned.append(diagnosis)
        return plan_one(diagnosis, project, options)

    monkeypatch.setattr(planning, "plan_one", counted)
    plans = planning.plan_each(diagnoses, project, options)

    assert planned == diagnoses[:1]
    assert all(plan.diagnosis is diagnosis for plan, diagnosis in zip(plans, diagnoses))
    assert [plan.alternatives for plan in plans] == [plan.alternatives for plan in one_by_one]
    assert plans[0].alternatives and "from typing import Optional" in plans[0].alternatives[0].description
    early = {diagnoses[0].key: plans[0]}  # what early planning keeps: one plan per key
    assert plan_all(diagnoses, project, options, early) == plans and planned == diagnoses[:1]


def test_equal_diagnoses_from_several_test_files_are_planned_apart_where_the_planner_may_read_the_error() -> None:
    """A module-level exit's plan reads which file pytest imported (its error): never shared."""
    error_a = CollectionError("tests/test_a.py", "tests/test_a.py", "SystemExit", "1")
    error_b = CollectionError("tests/test_b.py", "tests/test_b.py", "SystemExit", "1")
    exits = [Diagnosis(Category.SYS_EXIT, "tests/helpers.py", 3, "exit", subject="1", error=error)
             for error in (error_a, error_b)]
    plan = Plan(exits[0])

    assert planning.plan_for(plan, exits[0]) is plan
    assert planning.plan_for(plan, exits[1]) is None
    blind = [replace(diagnosis, category=Category.UNDEFINED_NAME) for diagnosis in exits]
    shared = planning.plan_for(Plan(blind[0]), blind[1])
    assert shared is not None and shared.diagnosis is blind[1]
