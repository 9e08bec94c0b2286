"""The missing-names planner: moved -> re-export, renamed -> alias, never written -> stub."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from collect_fix.planners.missing_names import plan
from collect_fix.planning import plan_all
from collect_fix.project import Project
from collect_fix.transforms import run_edit
from collect_fix.types import Category, CollectionError, Diagnosis, Edit, Options, Plan, Repair
from conftest import collect_only, collected_ids, failing_files, run_tests


def make(root: Path, files: dict[str, str]) -> Project:
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Project(root)


def missing(name: str, module: str, importer: str = "tests/test_it.py", line: int = 1) -> Diagnosis:
    return Diagnosis(
        Category.MISSING_NAME, importer, line, f"cannot import name '{name}' from '{module}'", subject=name, module=module
    )


def planned(project: Project, diagnosis: Diagnosis, **options: object) -> Plan:
    return plan(diagnosis, project, Options(root=project.root, **options))  # type: ignore[arg-type]


def apply(project: Project, edit: Edit) -> None:
    path = project.root / edit.path
    source = path.read_bytes() if path.exists() else None
    path.write_bytes(run_edit(edit, source, path, project.module_name(path)))


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root, check=True, capture_output=True,
    )


MOVED = {
    "shop/__init__.py": "",
    "shop/discounts.py": '"""Codes."""\n\nCODES = {"VIP": 25}\n\n\ndef code_percent(code):\n    return CODES.get(code, 0)\n',
    "shop/pricing.py": "def apply_discount(price, percent):\n    return price * (100 - percent) / 100\n",
    "tests/test_it.py": "from shop.discounts import apply_discount\n\n\ndef test_it():\n    assert apply_discount(10, 0) == 10\n",
}


def test_moved_name_is_reexported_from_its_old_module(tmp_path: Path) -> None:
    project = make(tmp_path, MOVED)
    result = planned(project, missing("apply_discount", "shop.discounts"))
    first, fallback = result.alternatives
    assert first.edits == (
        Edit("shop/discounts.py", "add_reexport", (("from_module", "shop.pricing"), ("name", "apply_discount"))),
    )
    assert first.evidence.startswith("moved: 'apply_discount' is defined in shop.pricing (shop/pricing.py:1)")
    assert fallback.edits[0].path == "tests/test_it.py" and fallback.edits[0].transform == "rewrite_import"
    apply(project, first.edits[0])
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_it"]


def test_a_name_defined_only_in_a_script_is_never_reexported_from_it(tmp_path: Path) -> None:
    """A hostile review: ``chunks`` was re-exported from a script of the package that deletes
    export files at its top level; ``--apply`` imported it while verifying, and the files were gone."""
    script = MOVED["shop/pricing.py"] + "\n\nfor path in __import__('pathlib').Path('exports').glob('*.csv'):\n    path.unlink()\n"
    project = make(tmp_path, {**MOVED, "shop/pricing.py": script})
    result = planned(project, missing("apply_discount", "shop.discounts"))
    assert all(edit.transform != "add_reexport" and "shop.pricing" not in str(edit.args)
               for repair in result.alternatives for edit in repair.edits)


def test_moved_name_whose_new_home_imports_the_old_module_is_imported_from_its_home_first(tmp_path: Path) -> None:
    """A re-export into a module its new home imports at load works only where that module is
    imported first: importing the home first then fails. The importer's import comes first."""
    files = dict(MOVED)
    files["shop/pricing.py"] = "from shop.discounts import code_percent\n\n\n" + MOVED["shop/pricing.py"]
    project = make(tmp_path, files)
    rewrite, reexport = planned(project, missing("apply_discount", "shop.discounts")).alternatives
    assert [edit.transform for edit in rewrite.edits] == ["rewrite_import"]
    assert rewrite.edits[0].path == "tests/test_it.py"
    assert ("at_end", True) in reexport.edits[0].args
    assert "would work only where shop.discounts is imported first" in reexport.evidence

    apply(project, reexport.edits[0])
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_it"]  # shop.discounts is imported first here
    home_first = subprocess.run([sys.executable, "-c", "import shop.pricing"], cwd=tmp_path, capture_output=True,
                                text=True)
    assert "partially initialized module 'shop.pricing'" in home_first.stderr


@pytest.mark.parametrize(("package_init", "order_dependent"), [
    ("from shop import discounts\n", False),                # the package loads the old module first
    ("from shop import discounts, pricing\n", False),
    ("from shop import pricing, discounts\n", True),        # the new home first: it would fail there
    ("", True),                                               # nothing decides: whoever imports first
    ("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from shop import discounts\n", True),
    # An optional accelerator that loads the new home may run first: nothing is certain.
    ("try:\n    from shop import accel\nexcept ImportError:\n    pass\nfrom shop import discounts\n", True),
    # A compiled accelerator (no source to follow) or the old module: either may run.
    ("try:\n    from shop._speedups import apply_discount\nexcept ImportError:\n    from shop import discounts\n", True),
    # One that reaches neither module changes nothing.
    ("try:\n    import json\nexcept ImportError:\n    pass\nfrom shop import discounts\n", False),
])
def test_a_package_that_loads_the_old_module_first_makes_its_reexport_safe(
    tmp_path: Path, package_init: str, order_dependent: bool
) -> None:
    """cachetools: typedkey moved to cachetools.typedkeys, which imports cachetools.keys; the
    package's __init__ imports keys first, so every import of either loads keys first and a
    re-export at its end always works (a test reading cachetools.keys.typedkey at run time needs it)."""
    files = dict(MOVED)
    files["shop/pricing.py"] = "from shop.discounts import code_percent\n\n\n" + MOVED["shop/pricing.py"]
    files["shop/__init__.py"] = package_init
    files["shop/accel.py"] = "from shop.pricing import apply_discount\n"
    project = make(tmp_path, files)
    first, *_ = planned(project, missing("apply_discount", "shop.discounts")).alternatives
    assert [edit.transform for edit in first.edits] == (["rewrite_import"] if order_dependent else ["add_reexport"])
    if not order_dependent:
        apply(project, first.edits[0])
        for module in ("shop.pricing", "shop.discounts"):
            loaded = subprocess.run([sys.executable, "-c", f"import {module}; import shop.discounts as d; d.apply_discount"],
                                    cwd=tmp_path, capture_output=True, text=True, timeout=60)
            assert loaded.returncode == 0, loaded.stderr


JOINT_CYCLE = {
    "shop/__init__.py": "",
    "shop/policy.py": "class Policy:\n    pass\n",
    "shop/notice.py": "def normalize_policy_key(key):\n    return key.lower()\n",
    "shop/stock.py": "from shop.policy import Policy\n\n\ndef notice_checksum(text):\n    return len(text)\n",
    "shop/tally.py": "def tally_total(values):\n    return sum(values)\n",
    "shop/report.py": "",
    "tests/test_policy.py": "from shop.policy import normalize_policy_key\n",
    "tests/test_notice.py": "from shop.notice import notice_checksum\n",
    "tests/test_report.py": "from shop.report import tally_total\n",
}


def test_reexports_that_close_an_import_cycle_together_come_after_the_importers_rewrite(tmp_path: Path) -> None:
    """shop.policy re-exporting from shop.notice, and shop.notice from shop.stock, are harmless one by
    one; with shop.stock's import of shop.policy they are a cycle, which a round applying both closes.
    One of them (the first by name: shop.notice's) goes behind its rewrite, which breaks the cycle;
    the other stays first. A re-export off the cycle (shop.report's from shop.tally) stays first too."""
    project = make(tmp_path, JOINT_CYCLE)
    diagnoses = [
        missing("normalize_policy_key", "shop.policy", "tests/test_policy.py"),
        missing("notice_checksum", "shop.notice", "tests/test_notice.py"),
        missing("tally_total", "shop.report", "tests/test_report.py"),
    ]
    alone = [planned(project, diagnosis) for diagnosis in diagnoses]
    assert [plan.alternatives[0].edits[0].transform for plan in alone] == ["add_reexport"] * 3

    together = plan_all(diagnoses, project, Options(root=project.root))
    reversed_order = plan_all(diagnoses[::-1], project, Options(root=project.root))[::-1]

    firsts = [plan.alternatives[0] for plan in together]
    assert [first.edits[0].transform for first in firsts] == ["add_reexport", "rewrite_import", "add_reexport"]
    assert [plan.alternatives for plan in reversed_order] == [plan.alternatives for plan in together]
    assert "shop.stock would load shop.notice when it is imported" in firsts[1].evidence
    assert [alternative.edits[0].transform for alternative in together[1].alternatives] == [
        "rewrite_import", "add_reexport"
    ]
    # Why: both re-exports applied, importing the home of one first fails ...
    for cyclic in together[:2]:
        apply(project, next(edit for repair in cyclic.alternatives for edit in repair.edits if edit.transform == "add_reexport"))
    notice_first = subprocess.run([sys.executable, "-c", "import shop.notice"], cwd=tmp_path, capture_output=True,
                                  text=True)
    assert "partially initialized module" in notice_first.stderr
    # ... and with the one kept, every module imports first.
    (tmp_path / "shop/notice.py").write_text(JOINT_CYCLE["shop/notice.py"])
    for module in ("shop.policy", "shop.notice", "shop.stock"):
        alone_first = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=tmp_path, capture_output=True,
                                     text=True)
        assert alone_first.returncode == 0, alone_first.stderr


def test_a_cycle_through_a_reexport_with_no_rewrite_is_still_seen(tmp_path: Path) -> None:
    """A re-export that cannot fall back on a rewrite (its importer is generated) stays first, and
    counts: the one it closes a cycle with goes behind its rewrite."""
    files = dict(JOINT_CYCLE)
    files["tests/test_notice.py"] = "# @generated\n" + JOINT_CYCLE["tests/test_notice.py"]
    project = make(tmp_path, files)
    diagnoses = [
        missing("normalize_policy_key", "shop.policy", "tests/test_policy.py"),
        missing("notice_checksum", "shop.notice", "tests/test_notice.py"),
    ]

    policy, notice = plan_all(diagnoses, project, Options(root=project.root))

    assert [alternative.edits[0].transform for alternative in notice.alternatives] == ["add_reexport"]
    assert [alternative.edits[0].transform for alternative in policy.alternatives] == ["rewrite_import", "add_reexport"]


def test_a_name_moved_out_of_a_package_into_its_own_submodule_is_reexported_by_the_package(tmp_path: Path) -> None:
    """mylib.core imports mylib, but Python imports a package before any of its submodules: the
    re-export last in mylib/__init__.py works in every order, so it stays the repair."""
    project = make(tmp_path, {
        "mylib/__init__.py": 'VERSION = "1"\n',
        "mylib/core.py": "from mylib import VERSION\n\n\ndef make():\n    return VERSION\n",
        "tests/test_it.py": "from mylib import make\n",
    })

    first = planned(project, missing("make", "mylib")).alternatives[0]

    assert first.edits[0].transform == "add_reexport" and ("at_end", True) in first.edits[0].args
    assert "work only where" not in first.evidence
    apply(project, first.edits[0])
    for module in ("mylib", "mylib.core"):
        loaded = subprocess.run([sys.executable, "-c", f"import {module}; {module}.make"], cwd=tmp_path,
                                capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr


def test_rewrite_imports_option_edits_the_importer_only(tmp_path: Path) -> None:
    project = make(tmp_path, MOVED)
    (only,) = planned(project, missing("apply_discount", "shop.discounts"), rewrite_imports=True).alternatives
    assert only.edits == (
        Edit("tests/test_it.py", "rewrite_import", (("module", "shop.discounts"), ("name", "apply_discount"),
                                                     ("new_module", "shop.pricing"), ("new_name", "apply_discount"))),
    )
    apply(project, only.edits[0])
    assert (tmp_path / "tests/test_it.py").read_text().startswith("from shop.pricing import apply_discount\n")
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_it"]


def test_the_same_missing_name_gets_the_same_repair_from_every_importer(tmp_path: Path) -> None:
    project = make(tmp_path, MOVED)
    one = planned(project, missing("apply_discount", "shop.discounts", "tests/test_it.py"))
    other = planned(project, missing("apply_discount", "shop.discounts", "shop/checkout.py"))
    assert one.alternatives[0] == other.alternatives[0]  # so planning merges them into one edit


def test_name_defined_in_two_other_places_is_not_guessed(tmp_path: Path) -> None:
    files = dict(MOVED)
    files["shop/legacy.py"] = MOVED["shop/pricing.py"]
    result = planned(make(tmp_path, files), missing("apply_discount", "shop.discounts"))
    assert not result.alternatives
    assert "shop.legacy" in result.advice and "shop.pricing" in result.advice


RENAMED = {
    "shop/__init__.py": "",
    "shop/middleware.py": "class Middleware:\n    pass\n\n\nclass LoggingMiddleware(Middleware):\n    pass\n",
    "tests/test_it.py": (
        "from shop.middleware import BaseMiddleware\n\n\nclass Timing(BaseMiddleware):\n    pass\n\n\n"
        "def test_it():\n    assert Timing()\n"
    ),
}


def test_renamed_name_gets_an_alias_to_its_evident_successor(tmp_path: Path) -> None:
    project = make(tmp_path, RENAMED)
    first = planned(project, missing("BaseMiddleware", "shop.middleware")).alternatives[0]
    assert first.edits == (Edit("shop/middleware.py", "add_alias", (("name", "BaseMiddleware"), ("target", "Middleware"))),)
    assert first.evidence.startswith("renamed: shop.middleware has no 'BaseMiddleware' but defines the class 'Middleware'")
    assert "no git history" in first.evidence
    apply(project, first.edits[0])
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_it"]


def test_two_equally_good_successors_are_reported_not_guessed(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/handlers.py": "class BaseHandler:\n    pass\n\n\nclass HandlerBase:\n    pass\n"}
    result = planned(make(tmp_path, files), missing("Handler", "shop.handlers"))
    assert not result.alternatives
    assert "'BaseHandler' or 'HandlerBase'" in result.advice


def test_git_history_names_the_successor_even_when_names_are_not_alike(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/payments.py": "def charge(amount):\n    return amount\n\n\ndef refund(p):\n    return p\n"}
    project = make(tmp_path, files)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "payments")
    payments = tmp_path / "shop/payments.py"
    payments.write_text(payments.read_text().replace("def charge(", "def settle("))
    git(tmp_path, "commit", "-q", "-am", "settle instead of charge")
    # charge_amount is the closer spelling, but the commit that removed charge added settle.
    payments.write_text(payments.read_text() + "\n\ndef charge_amount(a):\n    return a\n")
    git(tmp_path, "commit", "-q", "-am", "charge an amount")
    first = planned(project, missing("charge", "shop.payments")).alternatives[0]
    assert first.edits == (Edit("shop/payments.py", "add_alias", (("name", "charge"), ("target", "settle"))),)
    assert first.evidence.startswith("renamed (git): commit ")
    assert "removed 'charge' and added 'settle' in shop/payments.py" in first.evidence


def test_never_written_name_gets_a_stub_shaped_by_its_use(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/notifications.py": "def format_message(text):\n    return text\n",
        "tests/test_it.py": (
            "from shop.notifications import EmailNotifier, Notifier\n\n\nclass Slack(Notifier):\n    pass\n\n\n"
            "def test_it():\n    assert Notifier() and EmailNotifier().send\n"
        ),
    }
    project = make(tmp_path, files)
    # Notifier, imported after it, is missing too; a stub waits until Python says so (its own round).
    first, = planned(project, missing("EmailNotifier", "shop.notifications")).alternatives
    assert first.edits == (Edit("shop/notifications.py", "add_stubs", (("stubs", (("EmailNotifier", "class"),)),)),)
    assert first.evidence.startswith("never written: 'EmailNotifier' is defined nowhere")
    apply(project, first.edits[0])
    # The new stub is not mistaken for the successor of Notifier, imported right beside it.
    second = planned(project, missing("Notifier", "shop.notifications")).alternatives[0]
    assert second.edits[0].transform == "add_stubs"
    apply(project, second.edits[0])
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_it"]


def test_third_party_module_gets_advice_and_no_edit(tmp_path: Path) -> None:
    result = planned(make(tmp_path, RENAMED), missing("NoSuchThing", "json"))
    assert not result.alternatives
    assert "not part of the project" in result.advice and "version" in result.advice


def test_generated_module_is_fixed_in_the_importer_or_reported(tmp_path: Path) -> None:
    files = dict(RENAMED)
    files["shop/middleware.py"] = "# @generated by a tool\n" + RENAMED["shop/middleware.py"]
    project = make(tmp_path, files)
    (only,) = planned(project, missing("BaseMiddleware", "shop.middleware")).alternatives
    assert only.edits[0].path == "tests/test_it.py"
    stub = planned(project, missing("Unknown", "shop.middleware"))
    assert not stub.alternatives and "@generated" in stub.advice


def test_name_the_module_defines_is_reported_as_an_import_order_problem(tmp_path: Path) -> None:
    result = planned(make(tmp_path, RENAMED), missing("Middleware", "shop.middleware"))
    assert not result.alternatives and "shop/middleware.py:1" in result.advice


@pytest.mark.parametrize("diagnosis", [missing("", "shop.middleware"), missing("X", "shop.nothere")])
def test_incomplete_or_fileless_diagnosis_gets_advice(tmp_path: Path, diagnosis: Diagnosis) -> None:
    result = planned(make(tmp_path, RENAMED), diagnosis)
    assert not result.alternatives and result.advice
    assert collect_only(tmp_path).returncode != 0  # the planner itself wrote nothing


def test_attribute_that_is_an_unimported_submodule_is_not_shadowed_by_a_stub(tmp_path: Path) -> None:
    files = dict(RENAMED)
    files["tests/test_it.py"] = "import shop\n\nLOG = shop.middleware.LoggingMiddleware\n"
    diagnosis = Diagnosis(Category.MISSING_NAME, "tests/test_it.py", 3, "module 'shop' has no attribute 'middleware'",
                          subject="middleware", module="shop")
    result = planned(make(tmp_path, files), diagnosis)
    assert not result.alternatives and "import shop.middleware" in result.advice


def test_git_rename_to_a_different_kind_of_definition_is_not_an_alias(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/mw.py": "class BaseMiddleware:\n    pass\n\n\ndef helper():\n    return 1\n"}
    files["tests/test_it.py"] = RENAMED["tests/test_it.py"].replace("shop.middleware", "shop.mw")
    project = make(tmp_path, files)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "middleware")
    (tmp_path / "shop/mw.py").write_text("TIMEOUT = 5\n\n\ndef helper():\n    return 1\n")
    git(tmp_path, "commit", "-q", "-am", "drop the middleware, add a timeout")
    first = planned(project, missing("BaseMiddleware", "shop.mw")).alternatives[0]
    assert first.edits == (Edit("shop/mw.py", "add_stubs", (("stubs", (("BaseMiddleware", "class"),)),)),)


def test_constant_used_at_import_time_is_reported_not_stubbed(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/cases.py": "def existing():\n    return 1\n",
        "tests/test_it.py": (
            "import pytest\n\nfrom shop.cases import SAMPLE_CASES\n\n\n"
            "@pytest.mark.parametrize('case', SAMPLE_CASES)\ndef test_it(case):\n    assert case\n"
        ),
    }
    result = planned(make(tmp_path, files), missing("SAMPLE_CASES", "shop.cases", line=3))
    assert not result.alternatives
    assert "'SAMPLE_CASES'" in result.advice and "passed to a decorator at tests/test_it.py:6" in result.advice


def test_decorator_factory_gets_a_stub_that_lets_the_tests_collect(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/backends.py": "def existing():\n    return 1\n",
        "tests/test_it.py": (
            "from shop.backends import requires_backend\n\n\n"
            "@requires_backend('postgres')\ndef test_query():\n    assert True\n"
        ),
    }
    project = make(tmp_path, files)
    first = planned(project, missing("requires_backend", "shop.backends")).alternatives[0]
    assert first.edits == (
        Edit("shop/backends.py", "add_stubs", (("stubs", (("requires_backend", "decorator_factory"),)),)),
    )
    apply(project, first.edits[0])
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_query"]


def test_moved_name_with_a_farther_second_home_names_it_in_the_evidence(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/core/__init__.py": "",
        "app/core/api.py": "Y = 1\n",
        "app/core/models.py": "class Config:\n    pass\n",
        "app/web/__init__.py": "",
        "app/web/settings.py": "class Config:\n    pass\n",
        "tests/test_it.py": "from app.core.api import Config\n\n\ndef test_it():\n    assert Config()\n",
    }
    first = planned(make(tmp_path, files), missing("Config", "app.core.api")).alternatives[0]
    assert first.edits[0].kwargs()["from_module"] == "app.core.models"
    assert "also defined in app.web.settings (app/web/settings.py:1)" in first.evidence


def test_helpers_in_a_testing_package_are_definitions(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/utils.py": "X = 1\n",
        "app/testing/__init__.py": "",
        "app/testing/factories.py": "def make_user():\n    return {}\n",
        "tests/test_it.py": "from app.utils import make_user\n\n\ndef test_it():\n    assert make_user() == {}\n",
    }
    first = planned(make(tmp_path, files), missing("make_user", "app.utils")).alternatives[0]
    assert first.edits[0].transform == "add_reexport"
    assert first.edits[0].kwargs()["from_module"] == "app.testing.factories"


# --- history used fully, successors that fit the use, spelling rules --------------------------------

def committed(root: Path, files: dict[str, str], message: str = "change") -> None:
    for relative, text in files.items():
        (root / relative).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def started(root: Path, files: dict[str, str]) -> Project:
    project = make(root, files)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return project


INVENTORY = (
    "class Basket:\n    def __init__(self, owner):\n        self.owner = owner\n        self.items = []\n\n\n"
    "def count_items(basket):\n    return len(basket.items)\n"
)
INVENTORY_TEST = (
    "from shop.inventory import Basket, count_items\n\n\n"
    "def test_it():\n    basket = Basket('ann')\n    basket.items.append(1)\n    assert count_items(basket) == 1\n"
)


def test_a_name_another_plan_repairs_leaves_the_join_and_the_others_stay(tmp_path: Path) -> None:
    """Basket's import lists count_items and empty after it, both renamed too; test_other's own
    plan repairs count_items: Basket's repair joins empty only."""
    inventory = INVENTORY + "\n\ndef empty(basket):\n    basket.items.clear()\n"
    project = started(tmp_path, {"shop/__init__.py": "", "shop/inventory.py": inventory, "tests/test_it.py": (
        "from shop.inventory import Basket, count_items, empty\n"), "tests/test_other.py": "from shop.inventory import count_items\n"})
    renamed = inventory.replace("class Basket", "class Cart").replace("def count_items", "def tally").replace("def empty", "def clear")
    committed(tmp_path, {"shop/inventory.py": renamed}, "cart, tally, clear")

    def failed(name: str, importer: str) -> Diagnosis:
        diagnosis = missing(name, "shop.inventory", importer=importer)
        return replace(diagnosis, error=CollectionError(importer, importer, "ImportError", diagnosis.summary,
                                                        attrs={"module_names": ["Cart", "clear", "tally"]}))

    def names(repair: Repair) -> list[str]:
        return [edit.kwargs()["name"] for edit in repair.edits]

    alone = planned(project, failed("Basket", "tests/test_it.py"))
    assert names(alone.alternatives[0]) == ["Basket", "count_items", "empty"]
    for order in (1, -1):
        reviewed = plan_all([failed("Basket", "tests/test_it.py"), failed("count_items", "tests/test_other.py")][::order],
                            project, Options(root=project.root))
        basket, count = sorted(reviewed, key=lambda plan: plan.diagnosis.subject or "")
        assert [names(repair) for repair in basket.alternatives[:2]] == [["Basket", "empty"], ["Basket"]]
        assert names(count.alternatives[0]) == ["count_items"]


def test_two_renames_in_one_commit_each_get_their_alias(tmp_path: Path) -> None:
    project = started(tmp_path, {"shop/__init__.py": "", "shop/inventory.py": INVENTORY, "tests/test_it.py": INVENTORY_TEST})
    renamed = INVENTORY.replace("class Basket", "class Cart").replace("def count_items", "def tally")
    committed(tmp_path, {"shop/inventory.py": renamed}, "cart and tally")
    aliases = {old: Edit("shop/inventory.py", "add_alias", (("name", old), ("target", new)))
               for old, new in (("Basket", "Cart"), ("count_items", "tally"))}
    # count_items comes after Basket in the failing import, and shop.inventory held neither when it
    # failed (what the probe records): both are planned at once, Basket alone next.
    diagnosis = missing("Basket", "shop.inventory")
    failed = CollectionError("tests/test_it.py", "tests/test_it.py", "ImportError", diagnosis.summary,
                             attrs={"module_names": ["Cart", "__name__", "tally"]})
    together, alone = planned(project, replace(diagnosis, error=failed)).alternatives[:2]
    assert together.edits == (aliases["Basket"], aliases["count_items"])
    assert alone.edits == (aliases["Basket"],)
    assert together.evidence.startswith("renamed (git): commit ")
    for old, new in (("Basket", "Cart"), ("count_items", "tally")):
        assert f"removed '{old}' and added '{new}' in shop/inventory.py (the same body, the same parameters)" in together.evidence
    # Where another file's plan repairs count_items itself this round, Basket's repair leaves it to
    # that plan: each file is judged and reported for what repaired it.
    other = replace(missing("count_items", "shop.inventory", importer="tests/test_other.py"), error=replace(
        failed, nodeid="tests/test_other.py", path="tests/test_other.py"))
    (tmp_path / "tests/test_other.py").write_text("from shop.inventory import count_items\n")
    basket, count = plan_all([replace(diagnosis, error=failed), other], project, Options(root=project.root))
    assert basket.alternatives[0].edits == (aliases["Basket"],)
    assert count.alternatives[0].edits == (aliases["count_items"],)
    for edit in together.edits:
        apply(project, edit)
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0



def test_with_rewrite_imports_no_name_joins_a_repair_kept_in_the_module(tmp_path: Path) -> None:
    """--rewrite-imports fixes renamed names in the importers: the later name's alias must not
    join a restored alias that has no importer-side form (``rest = partial(drop, 1)``)."""
    tools = ("from functools import partial\n\n\ndef drop(n, seq):\n    return seq[n:]\n\n\n"
             "rest = partial(drop, 1)\n\n\ndef old_first(seq):\n    return seq[0]\n")
    test = "from shop.tools import rest, old_first\n\n\ndef test_it():\n    assert old_first(rest([1, 2])) == 2\n"
    project = started(tmp_path, {"shop/__init__.py": "", "shop/tools.py": tools, "tests/test_it.py": test})
    committed(tmp_path, {"shop/tools.py": tools.replace("rest = partial(drop, 1)\n", "").replace("old_first", "first")})
    diagnosis = missing("rest", "shop.tools")
    failed = CollectionError("tests/test_it.py", "tests/test_it.py", "ImportError", diagnosis.summary,
                             attrs={"module_names": ["drop", "first", "partial"]})
    joined = planned(project, replace(diagnosis, error=failed)).alternatives
    assert [[edit.transform for edit in repair.edits] for repair in joined] == [["add_alias", "add_alias"], ["add_alias"]]
    alone = planned(project, replace(diagnosis, error=failed), rewrite_imports=True).alternatives
    assert [[edit.kwargs()["name"] for edit in repair.edits] for repair in alone] == [["rest"]]

CONFIG = "class Config:\n    def __init__(self, name):\n        self.name = name\n\n\ndef load_config(name):\n    return Config(name)\n"
CONFIG_TEST = "from shop.config import load_config\n\n\ndef test_it():\n    cfg = load_config('x')\n    assert cfg.name == 'x'\n"


@pytest.mark.parametrize("history", [True, False], ids=["git", "spelling"])
def test_function_renamed_to_its_private_spelling_is_aliased_though_its_result_has_attributes(
    tmp_path: Path, history: bool
) -> None:
    files = {"shop/__init__.py": "", "shop/config.py": CONFIG, "tests/test_it.py": CONFIG_TEST}
    private = {"shop/config.py": CONFIG.replace("def load_config", "def _load_config")}
    if history:
        project = started(tmp_path, files)
        committed(tmp_path, private)
    else:
        project = make(tmp_path, {**files, **private})
    first = planned(project, missing("load_config", "shop.config")).alternatives[0]
    assert first.edits == (Edit("shop/config.py", "add_alias", (("name", "load_config"), ("target", "_load_config"))),)
    assert first.evidence.startswith("renamed (git)" if history else "renamed: shop.config has no 'load_config'")
    apply(project, first.edits[0])
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_removed_compatibility_alias_is_restored_as_it_was(tmp_path: Path) -> None:
    models = "class Order:\n    pass\n\n\nPurchase: type = Order\n"
    test = "from shop.models import Purchase\n\n\ndef test_it():\n    assert Purchase.__name__ == 'Order'\n"
    project = started(tmp_path, {"shop/__init__.py": "", "shop/models.py": models, "tests/test_it.py": test})
    committed(tmp_path, {"shop/models.py": "class Order:\n    pass\n"}, "drop the old name")
    first = planned(project, missing("Purchase", "shop.models")).alternatives[0]
    assert first.edits == (Edit("shop/models.py", "add_alias", (
        ("name", "Purchase"), ("target", "Order"), ("statement", "Purchase: type = Order"), ("reason", "restored"),
    )),)
    assert first.evidence.startswith("restored: commit ") and "removed `Purchase: type = Order`" in first.evidence
    apply(project, first.edits[0])
    assert "Purchase: type = Order  # collect-fix: alias -> Order (restored)\n" in (tmp_path / "shop/models.py").read_text()
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_removed_reexport_is_restored_from_where_it_still_lives(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": '"""Shop."""\n\nfrom .http import Client, Session\n\n__all__ = ["Client", "Session"]\n',
        "shop/http.py": "class Client:\n    pass\n\n\nclass Session:\n    pass\n",
        "tests/test_it.py": "from shop import Session\n\n\ndef test_it():\n    assert Session()\n",
    }
    project = started(tmp_path, files)
    committed(tmp_path, {"shop/__init__.py": '"""Shop."""\n\nfrom .http import Client\n\n__all__ = ["Client"]\n'})
    first = planned(project, missing("Session", "shop")).alternatives[0]
    assert first.edits[0].kwargs() == {
        "name": "Session", "target": "shop.http.Session", "statement": "from .http import Session", "reason": "restored",
    }
    assert "removed `from .http import Session` from shop/__init__.py" in first.evidence
    apply(project, first.edits[0])
    # The importers name it: __all__ (what a star import sees) is left as the change made it.
    assert (tmp_path / "shop/__init__.py").read_text() == (
        '"""Shop."""\n\nfrom .http import Client\nfrom .http import Session  # collect-fix: alias -> shop.http.Session '
        '(restored)\n\n__all__ = ["Client"]\n'
    )
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


RENAMED_BEHIND_REEXPORT = {
    "shop/__init__.py": '"""Shop."""\n\nfrom .http import Client, Session\nfrom .http import TIMEOUT\n\n'
                        '__all__ = ["Client", "Session"]\n',
    "shop/http.py": "TIMEOUT = 3\n\n\nclass Client:\n    pass\n\n\nclass Session(ValueError):\n    pass\n",
    "tests/test_it.py": "import pytest\n\nfrom shop import Session\n\n\n"
                        "def test_it():\n    with pytest.raises(Session):\n        raise Session('x')\n",
}


def test_reexport_of_a_name_its_submodule_renamed_is_aliased_to_the_new_name(tmp_path: Path) -> None:
    project = started(tmp_path, RENAMED_BEHIND_REEXPORT)
    committed(tmp_path, {
        relative: text.replace("Session", "HttpSession") for relative, text in RENAMED_BEHIND_REEXPORT.items()
        if relative.startswith("shop/")
    })
    assert failing_files(tmp_path) == ["tests/test_it.py"]
    first = planned(project, missing("Session", "shop", line=3)).alternatives[0]
    assert first.edits == (Edit("shop/__init__.py", "add_alias", (("name", "Session"), ("target", "HttpSession"))),)
    assert "removed `from .http import Session` from shop/__init__.py" in first.evidence
    assert "renamed 'Session' to 'HttpSession' in shop/http.py" in first.evidence
    apply(project, first.edits[0])
    assert (tmp_path / "shop/__init__.py").read_text() == (
        '"""Shop."""\n\nfrom .http import Client, HttpSession\nfrom .http import TIMEOUT\n\n'
        "Session = HttpSession  # collect-fix: alias -> HttpSession (renamed)\n\n"
        '__all__ = ["Client", "HttpSession"]\n'
    )
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_reexport_dropped_while_its_submodule_renamed_the_name_imports_the_new_name(tmp_path: Path) -> None:
    project = started(tmp_path, RENAMED_BEHIND_REEXPORT)
    committed(tmp_path, {
        "shop/__init__.py": '"""Shop."""\n\nfrom .http import Client\nfrom .http import TIMEOUT\n\n__all__ = ["Client"]\n',
        "shop/http.py": RENAMED_BEHIND_REEXPORT["shop/http.py"].replace("Session", "HttpSession"),
    })
    first = planned(project, missing("Session", "shop", line=3)).alternatives[0]
    assert first.edits[0].kwargs() == {
        "name": "Session", "target": "shop.http.HttpSession", "statement": "from .http import HttpSession as Session",
        "reason": "renamed",
    }
    apply(project, first.edits[0])
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0
    assert collected_ids(tmp_path) == ["tests/test_it.py::test_it"]


def test_alias_whose_target_was_renamed_too_follows_it(tmp_path: Path) -> None:
    body = "    def total(self):\n        return sum(line.price * line.quantity for line in self.lines)\n"
    models = "class Order:\n" + body + "\n\nPurchase = Order\n"
    project = started(tmp_path, {"shop/__init__.py": "", "shop/models.py": models})
    committed(tmp_path, {"shop/models.py": "class PlacedOrder:\n" + body})  # a class of pass alone pairs with nothing
    first = planned(project, missing("Purchase", "shop.models")).alternatives[0]
    assert first.edits == (Edit("shop/models.py", "add_alias", (("name", "Purchase"), ("target", "PlacedOrder"))),)
    assert "renamed 'Order' to 'PlacedOrder'" in first.evidence


@pytest.mark.parametrize("successor_moved", ["", "from .formats import LineFormat\n",
                                             "try:\n    from .formats import LineFormat\nexcept ImportError:\n"
                                             "    from formats import LineFormat\n"],
                         ids=["renamed", "renamed, then moved and imported back", "imported back, as a script too"])
def test_a_name_renamed_and_later_moved_out_follows_it_where_the_module_imports_it_back(
    tmp_path: Path, successor_moved: str
) -> None:
    """tabulate (retention): ``Line`` became ``LineFormat``; a later change moved ``LineFormat`` to
    ``formats`` and imported it back (under a ``try`` whose handler serves ``python
    tabulate/__init__.py``): the tests taking ``Line`` from the package got a stub."""
    body = ('class Line:\n    """One line of a table format."""\n\n    def __init__(self, begin, end):\n'
            "        self.begin, self.end = begin, end\n")
    project = started(tmp_path, {"pkg/__init__.py": body, "pkg/formats.py": ""})
    committed(tmp_path, {"pkg/__init__.py": body.replace("class Line:", "class LineFormat:")})
    if successor_moved:
        committed(tmp_path, {"pkg/__init__.py": successor_moved,
                             "pkg/formats.py": body.replace("class Line:", "class LineFormat:")})

    first = planned(project, missing("Line", "pkg")).alternatives[0]

    assert first.edits == (Edit("pkg/__init__.py", "add_alias", (("name", "Line"), ("target", "LineFormat"))),)


@pytest.mark.parametrize("later", ["another LineFormat imported", "renamed again", "renamed twice more",
                                   "renamed again, a new class taking its name",
                                   "renamed again and edited, a new class of its parameters taking its name"])
def test_a_successor_gone_since_is_followed_only_to_its_own_code(tmp_path: Path, later: str) -> None:
    """Review hAO 06: after ``Line`` -> ``LineFormat``, a later change deleted ``LineFormat`` and
    imported another class of that name (line endings): no alias to it; renamed again in place
    (``LineStyle``), the alias follows it."""
    body = ('class Line:\n    """One line of a table format."""\n\n    def __init__(self, begin, end):\n'
            "        self.begin, self.end = begin, end\n")
    project = started(tmp_path, {"pkg/__init__.py": body,
                                 "pkg/formats.py": "class LineFormat:\n    UNIX = '\\n'\n    WINDOWS = '\\r\\n'\n"})
    committed(tmp_path, {"pkg/__init__.py": body.replace("class Line:", "class LineFormat:")})
    style = body.replace("class Line:", "class LineStyle:")
    if later.startswith("renamed again and edited"):  # review hAR 05
        style += ("\n    def __repr__(self):\n        return 'LineStyle'\n\n\nclass LineFormat:\n"
                  '    """A cell format."""\n\n    def __init__(self, begin, end):\n        self.cell = begin + end\n')
    committed(tmp_path, {"pkg/__init__.py": "from .formats import LineFormat\n" if later.startswith("another")
                         else style + "\n\nclass LineFormat:\n    SPEC = 'a'\n" if later.endswith("taking its name")
                         and not later.startswith("renamed again and edited") else style})
    if later == "renamed twice more":
        committed(tmp_path, {"pkg/__init__.py": body.replace("class Line:", "class LineSpec:")})
    final = "LineSpec" if later == "renamed twice more" else "LineStyle"

    first = planned(project, missing("Line", "pkg")).alternatives[0]

    if later.startswith("another") or later.startswith("renamed again and edited"):
        assert "stub" in first.description and "added 'LineFormat' in its place" in first.evidence
    else:
        assert first.edits == (Edit("pkg/__init__.py", "add_alias", (("name", "Line"), ("target", final))),)
        assert f"'{final}'" in first.evidence


BRANCHES = {  # the old compat module, the branches both removed: what comes back
    "one branch binds here": ("import sys\n\nif sys.version_info[0] < 3:\n    PY3 = False\n    reload_module = reload\n"
                              "else:\n    PY3 = True\n    from importlib import reload as reload_module\n",
                              "from importlib import reload as reload_module"),
    "either could": ("import sys\n\nif sys.version_info >= (3, 9):\n    PY39 = True\n    from math import floor as least\n"
                     "else:\n    PY39 = False\n    from math import ceil as least\n", None),
    "only one is there": ("import sys\n\nif sys.version_info >= (3, 9):\n    PY39 = True\n    from math import lcm as least\n"
                          "else:\n    PY39 = False\n    from fractions import gcd as least\n",  # gone in 3.9
                          "from math import lcm as least"),
    "a try's body that fails on another import": (  # review hAQ 06: the handler ran
        "try:\n    import tomllib\n    from tomllib import loads as least\n    from not_installed_q import dumps\n"
        "except ImportError:\n    tomllib = None\n    from json import loads as least\n",
        "from json import loads as least"),
    "a try's body that runs more than imports": (  # review hAR 01: a later statement may raise
        "try:\n    import tomllib\n    from tomllib import loads as least\n    least('a = 1')\n"
        "except (ImportError, TypeError):\n    tomllib = None\n    from json import loads as least\n", None),
    "a try's body where it binds": ("try:\n    import tomllib\n    from tomllib import loads as least\n"
                                    "except ImportError:\n    tomllib = None\n    from json import loads as least\n",
                                    "from tomllib import loads as least"),
    "the other branch's module went with it": (  # review hAO 07: the Windows alias is no answer on Linux
        "import sys\n\n\ndef _win(path):\n    return path.lower()\n\n\nif sys.platform == 'win32':\n"
        "    PY3 = True\n    reload_module = _win\nelse:\n    PY3 = True\n    from pkg._posix import reload_module\n", None),
    "a branch defines it": ("import sys\n\nif sys.version_info[0] < 3:\n    PY3 = False\n    reload_module = reload\n"
                            "else:\n    PY3 = True\n\n    def reload_module(module):\n        return module\n", None),
}


@pytest.mark.parametrize("case", BRANCHES)
def test_a_name_every_branch_bound_comes_back_as_the_one_binding_that_can_bind_it_here(tmp_path: Path, case: str) -> None:
    """simplejson (retention): ``reload_module = reload`` (Python 2) and ``from importlib import
    reload as reload_module`` (3) both went; the tests got a stub "never written". Only the import
    can bind it here. Where both could, or a branch defines it, which ran the code does not say."""
    old, statement = BRANCHES[case]
    name = "reload_module" if "reload" in old else "least"
    posix = "pkg._posix" in old  # a module the same change deleted: it existed, its branch could bind
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": old,
                                 **({"pkg/_posix.py": "def reload_module(m):\n    return m\n"} if posix else {})})
    if posix:
        (tmp_path / "pkg/_posix.py").unlink()
    committed(tmp_path, {"pkg/compat.py": "\n".join(line for line in old.splitlines()
                                                   if name not in line and "return module" not in line) + "\n"})

    first = planned(project, missing(name, "pkg.compat")).alternatives[0]

    assert dict(first.edits[0].args).get("statement") == statement, first
    assert statement is None or "not `" in first.evidence


NAMESAKES = {  # how jsonutil came to define ``dumps``: re-exported from there?
    "there all along, other code": (True, False, False),
    "added by the change that removed it": (False, False, True),
    "copied there a change before": (False, True, True),
    "imported there from it before": (False, False, True),  # toolz: recipes imported frequencies, then got it
}


@pytest.mark.parametrize("case", NAMESAKES)
def test_a_name_defined_elsewhere_is_where_it_moved_only_if_it_was_not_a_namesake_there_before(
    tmp_path: Path, case: str
) -> None:
    """Reviews hAM 05, hAO 03: ``compat.dumps`` (its own code) went, and ``jsonutil`` had its own
    ``dumps`` all along: re-exporting that namesake changed what the tests got. Where the change
    put it there, or an earlier one copied the very code there ahead of the removal, it moved."""
    already, copied, moved = NAMESAKES[case]
    own = "import json\n\n\ndef dumps(obj):\n    return json.dumps(obj, separators=(',', ':'))\n"
    other = "import json\n\n\ndef dumps(obj):\n    return json.dumps(obj, sort_keys=True)\n"
    imported = case.startswith("imported")
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": own,
                                 "pkg/jsonutil.py": other if already else
                                 "from pkg.compat import dumps\n" if imported else "import json\n"})
    if copied:
        committed(tmp_path, {"pkg/jsonutil.py": own})
    committed(tmp_path, {"pkg/compat.py": "", "pkg/jsonutil.py": other if already else own})

    first = planned(project, missing("dumps", "pkg.compat")).alternatives[0]

    assert (first.edits[0].transform == "add_reexport") is moved, first


WRAPPERS = {  # api.py's ``loads`` before: restored as written?
    "hands its parameter on": ('def loads(string):\n    """Alias for parse()."""\n    return parse(string)\n', True),
    "by keyword": ("def loads(string, strict=True):\n    return parse(string, strict=strict)\n", True),
    "does more": ("def loads(string):\n    return parse(string.strip())\n", False),
    "calls what is gone": ("def loads(string):\n    return old_parse(string)\n", False),
}


@pytest.mark.parametrize("case", WRAPPERS)
@pytest.mark.parametrize("reexported", [False, True], ids=["imported from api", "imported from the package"])
def test_a_function_that_only_hands_its_parameters_on_comes_back_as_written(
    tmp_path: Path, case: str, reexported: bool
) -> None:
    """tomlkit (retention): ``def loads(string): return parse(string)`` went from ``api.py`` with
    the package's ``from tomlkit.api import loads``: an alias in a function's form, so back as
    written (and the package's import), as ``rest = partial(drop, 1)`` is; a function that does
    more, or calls what is gone, is deleted code: a stub."""
    wrapper, restored = WRAPPERS[case]
    parse = "def parse(string, strict=True):\n    return {'text': string}\n"
    project = started(tmp_path, {"pkg/__init__.py": "from pkg.api import loads, parse\n" if reexported else "",
                                 "pkg/api.py": f"{wrapper}\n\n{parse}"})
    committed(tmp_path, {"pkg/__init__.py": "from pkg.api import parse\n" if reexported else "", "pkg/api.py": parse})

    first = planned(project, missing("loads", "pkg" if reexported else "pkg.api")).alternatives[0]

    blocks = [edit for edit in first.edits if edit.transform == "restore_block"]
    assert bool(blocks) is restored, first
    if restored:
        assert blocks[0].path == "pkg/api.py" and blocks[0].kwargs()["statement"] == wrapper.rstrip("\n")
        for edit in first.edits:
            apply(project, edit)
        (tmp_path / "tests").mkdir(exist_ok=True)
        (tmp_path / "tests/test_loads.py").write_text(
            f"from {'pkg' if reexported else 'pkg.api'} import loads\n\n\ndef test_loads():\n"
            "    assert loads('a') == {'text': 'a'}\n")
        assert run_tests(tmp_path, "tests/test_loads.py").returncode == 0


@pytest.mark.parametrize("parse_after", [
    pytest.param("def parse(string, strict=True):\n    return {'lines': string.splitlines()}\n", id="other code took its name"),
    pytest.param("def parse(strict, string):\n    return {'text': string}\n", id="its parameters reordered"),
])
def test_a_forwarding_function_is_not_restored_where_what_it_called_changed(tmp_path: Path, parse_after: str) -> None:
    """Review hAP 01, 03: the same change that dropped ``loads`` rebound ``parse`` to other code, or
    reordered its parameters: the wrapper as written would call something else; a stub."""
    parse = "def parse(string, strict=True):\n    return {'text': string}\n"
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/api.py": f"{WRAPPERS['hands its parameter on'][0]}\n\n{parse}"})
    committed(tmp_path, {"pkg/api.py": parse_after})

    first = planned(project, missing("loads", "pkg.api")).alternatives[0]

    assert "stub" in first.description, first


@pytest.mark.parametrize("before,after,moved", [
    pytest.param("own", "edited", False, id="a copy there, edited by the change"),
    pytest.param("own", "defaulted", False, id="a copy there, its default changed"),
    pytest.param("other", "own", True, id="other code there, now its very code"),
])
def test_a_namesake_is_judged_by_the_code_it_holds_now(tmp_path: Path, before: str, after: str, moved: bool) -> None:
    """Review hAP 13, 05: a copy in jsonutil that the same change edited is no longer the removed
    code (a stub); jsonutil's own dumps rewritten to compat's very code is where it went."""
    code = {"own": "import json\n\n\ndef dumps(obj):\n    return json.dumps(obj, separators=(',', ':'))\n",
            "edited": "import json\n\n\ndef dumps(obj):\n    return json.dumps(obj, separators=(';', ':'))\n",
            "defaulted": "import json\n\n\ndef dumps(obj=None):\n    return json.dumps(obj, separators=(',', ':'))\n",
            "other": "import json\n\n\ndef dumps(obj):\n    return json.dumps(obj, sort_keys=True)\n"}
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": code["own"], "pkg/jsonutil.py": code[before]})
    committed(tmp_path, {"pkg/compat.py": "", "pkg/jsonutil.py": code[after]})

    first = planned(project, missing("dumps", "pkg.compat")).alternatives[0]

    assert (first.edits[0].transform == "add_reexport") is moved, first


@pytest.mark.parametrize("via", ["pkg.core", "pkg.compat"], ids=["imported from it", "through a re-export"])
def test_a_forwarding_function_is_not_restored_where_the_module_it_imports_from_changed_its_callee(
    tmp_path: Path, via: str
) -> None:
    """Reviews hAQ 03, hAR 03: ``from pkg.core import parse`` stayed (or ``compat``'s re-export of
    it), but the same change renamed ``core.parse`` to ``parse_json`` and gave the name to other
    code: a stub, not ``parse(text)``."""
    core = "def parse(text):\n    return {'text': text}\n"
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/core.py": core, "pkg/compat.py": "from pkg.core import parse\n",
                                 "pkg/api.py": f"from {via} import parse\n\n\ndef loads(text):\n    return parse(text)\n"})
    committed(tmp_path, {"pkg/core.py": core.replace("def parse", "def parse_json")
                         + "\n\ndef parse(line):\n    return dict([line.split('=')])\n",
                         "pkg/api.py": f"from {via} import parse\n"})

    first = planned(project, missing("loads", "pkg.api")).alternatives[0]

    assert "stub" in first.description, first


def test_a_try_body_importing_a_module_the_change_added_is_not_what_ran(tmp_path: Path) -> None:
    """Review hAR 09: ``try: from pkg._fast import loads`` / ``except ImportError: from json import
    loads``, and ``pkg/_fast.py`` came with the change that dropped the block: json's ran."""
    old = ("try:\n    import json\n    from pkg._fast import loads\nexcept ImportError:\n    json = None\n"
           "    from json import loads\n")
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": old})
    committed(tmp_path, {"pkg/compat.py": "try:\n    import json\nexcept ImportError:\n    json = None\n",
                         "pkg/_fast.py": "def loads(text):\n    return dict([text.split('=')])\n"})

    first = planned(project, missing("loads", "pkg.compat")).alternatives[0]

    assert dict(first.edits[0].args).get("statement") == "from json import loads", first


def test_uncommitted_rename_is_read_from_the_work_tree(tmp_path: Path) -> None:
    price = "def render_price(amount):\n    return f'{amount:.2f}'\n"
    project = started(tmp_path, {"shop/__init__.py": "", "shop/price.py": price})
    (tmp_path / "shop/price.py").write_text(price.replace("render_price", "price_label"))
    first = planned(project, missing("render_price", "shop.price")).alternatives[0]
    assert first.edits == (Edit("shop/price.py", "add_alias", (("name", "render_price"), ("target", "price_label"))),)
    assert first.evidence.startswith("renamed (git): the uncommitted changes in the work tree removed 'render_price'")


def test_deleted_function_without_successor_is_stubbed_as_what_it_was(tmp_path: Path) -> None:
    """Deleted code that did more than hand its parameters on (``Config(name.strip())``) is not
    brought back: a stub says so (a bare ``return Config(name)`` is an alias in a function's form)."""
    config = CONFIG.replace("return Config(name)", "return Config(name.strip())")
    project = started(tmp_path, {"shop/__init__.py": "", "shop/config.py": config, "tests/test_it.py": CONFIG_TEST})
    committed(tmp_path, {"shop/config.py": config.split("\n\n\ndef load_config")[0] + "\n"})
    first = planned(project, missing("load_config", "shop.config")).alternatives[0]
    assert first.edits[0].kwargs()["stubs"] == (("load_config", "function", "(name)"),)  # usage alone says class
    assert first.evidence.startswith("deleted: commit ") and "the function 'load_config(name)'" in first.evidence
    apply(project, first.edits[0])
    result = run_tests(tmp_path, "tests/test_it.py")
    assert "NotImplementedError" in result.stdout and "1 failed" in result.stdout


def test_history_tie_that_fits_both_ways_is_reported(tmp_path: Path) -> None:
    project = started(tmp_path, {"shop/__init__.py": "", "shop/handlers.py": "class Handler:\n    pass\n"})
    committed(tmp_path, {"shop/handlers.py": "class BaseHandler:\n    pass\n\n\nclass HandlerBase:\n    pass\n"})
    result = planned(project, missing("Handler", "shop.handlers"))
    assert not result.alternatives
    assert "'BaseHandler' or 'HandlerBase'" in result.advice and "commit " in result.advice


def test_subclassing_demands_a_class_successor(tmp_path: Path) -> None:
    files = {
        "shop/__init__.py": "",
        "shop/mw.py": "def middleware(request):\n    return request\n\n\nclass BaseMiddleware:\n    pass\n",
        "tests/test_it.py": "from shop.mw import Middleware\n\n\nclass Timing(Middleware):\n    pass\n",
    }
    first = planned(make(tmp_path, files), missing("Middleware", "shop.mw")).alternatives[0]
    assert first.edits[0].kwargs() == {"name": "Middleware", "target": "BaseMiddleware"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Store", "AbstractStore"), ("BaseStore", "Store"), ("parse", "parse_impl"), ("ParserImpl", "Parser"),
        ("loadConfig", "load_config"), ("load_config", "LoadConfig"), ("_helper", "helper"),
    ],
)
def test_spelling_rules_cover_the_usual_refactors_both_ways(tmp_path: Path, old: str, new: str) -> None:
    files = {"shop/__init__.py": "", "shop/m.py": f"class {new}:\n    pass\n\n\nclass Unrelated:\n    pass\n"}
    first = planned(make(tmp_path, files), missing(old, "shop.m")).alternatives[0]
    assert first.edits[0].kwargs() == {"name": old, "target": new}


def test_rename_inside_a_star_imported_module_is_aliased_where_it_happened(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "from .more import *  # noqa\n",
        "pkg/more.py": '__all__ = ["windows"]\n\n\ndef windows(seq, n):\n    return [seq[i:i + n] for i in range(len(seq) - n + 1)]\n',
        "tests/test_it.py": "from pkg import windows\n\n\ndef test_it():\n    assert windows([1, 2, 3], 2) == [[1, 2], [2, 3]]\n",
    }
    project = started(tmp_path, files)
    committed(tmp_path, {"pkg/more.py": files["pkg/more.py"].replace("windows", "sliding_window")})
    first = planned(project, missing("windows", "pkg")).alternatives[0]
    assert first.edits == (
        Edit("pkg/more.py", "add_alias", (("name", "windows"), ("target", "sliding_window"), ("export", True))),
    )
    assert "removed 'windows' and added 'sliding_window' in pkg/more.py" in first.evidence
    apply(project, first.edits[0])
    assert '__all__ = ["sliding_window", "windows"]' in (tmp_path / "pkg/more.py").read_text()
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_removed_module_import_is_restored(tmp_path: Path) -> None:
    files = {"shop/__init__.py": "", "shop/util.py": "import json as serializer\n\nVERSION = 1\n",
             "tests/test_it.py": "from shop.util import serializer\n\n\ndef test_it():\n    assert serializer.dumps(1) == '1'\n"}
    project = started(tmp_path, files)
    committed(tmp_path, {"shop/util.py": "VERSION = 1\n"})
    (only,) = planned(project, missing("serializer", "shop.util")).alternatives
    assert only.edits[0].kwargs()["statement"] == "import json as serializer"
    apply(project, only.edits[0])
    assert (tmp_path / "shop/util.py").read_text().startswith(
        "import json as serializer  # collect-fix: alias -> json (restored)\n"
    )
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_removed_alias_built_from_existing_names_is_restored_after_them(tmp_path: Path) -> None:
    itertoolz = (
        "from functools import partial\n\n\ndef drop(n, seq):\n    return list(seq)[n:]\n\n\n"
        "rest = partial(drop, 1)\n\n\ndef take(n, seq):\n    return list(seq)[:n]\n"
    )
    test = "from pkg.itertoolz import rest\n\n\ndef test_it():\n    assert rest([1, 2, 3]) == [2, 3]\n"
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/itertoolz.py": itertoolz, "tests/test_it.py": test})
    committed(tmp_path, {"pkg/itertoolz.py": itertoolz.replace("rest = partial(drop, 1)\n\n\n", "")})
    (first,) = planned(project, missing("rest", "pkg.itertoolz")).alternatives
    assert first.edits[0].kwargs() == {
        "name": "rest", "target": "drop", "statement": "rest = partial(drop, 1)", "reason": "restored",
    }
    assert "'drop', 'partial' still bound there" in first.evidence
    apply(project, first.edits[0])
    assert "    return list(seq)[n:]\n\n\nrest = partial(drop, 1)  # collect-fix: alias -> drop (restored)\n\n\ndef take" in (
        tmp_path / "pkg/itertoolz.py"
    ).read_text()
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_removed_literal_constant_is_not_brought_back(tmp_path: Path) -> None:
    project = started(tmp_path, {"pkg/__init__.py": "", "pkg/settings.py": "TIMEOUT = 30\nRETRIES = 3\n"})
    committed(tmp_path, {"pkg/settings.py": "RETRIES = 3\n"})
    first = planned(project, missing("TIMEOUT", "pkg.settings")).alternatives[0]
    assert first.edits[0].transform == "add_stubs"
    assert first.evidence.startswith("deleted: commit ") and "removed the constant 'TIMEOUT'" in first.evidence


def test_a_constant_git_renames_serves_the_uses_the_old_constant_served(tmp_path: Path) -> None:
    """tabulate renamed ``TableFormat = namedtuple(...)`` to ``TableStyle``; its tests call it. A
    constant does not "fit" a call by usage alone, but the removed one was a constant called the
    same way: the successor git pairs is aliased, not stubbed (a review on real projects)."""
    style = 'from collections import namedtuple\n\n{} = namedtuple("{}", ["above", "below", "padding"])\n'
    project = started(tmp_path, {"shop/__init__.py": "", "shop/table.py": style.format("TableFormat", "TableFormat"),
                                 "tests/test_it.py": "from shop.table import TableFormat\n\nROW = TableFormat(1, 2, 3)\n"})
    committed(tmp_path, {"shop/table.py": style.format("TableStyle", "TableStyle")}, "Rename TableFormat to TableStyle")
    first = planned(project, missing("TableFormat", "shop.table")).alternatives[0]
    assert first.description == "alias 'TableFormat' to 'TableStyle' in shop.table"
    assert first.evidence.startswith("renamed (git): commit ")


def _retired(tmp_path: Path, then_moved: bool) -> Project:
    """pkg re-exports impl's ``createparser`` and its deprecated alias ``cmd_nextver``; one commit
    renames the first everywhere (``create_parser``), another retires the alias from both files;
    with ``then_moved`` impl.py is ``git mv``-ed to legacy.py in between (semver's history)."""
    impl = ("def createparser():\n    return 'parser'\n\n\ndef cmd_next_version(args):\n    return args\n\n\n"
            "cmd_nextver = cmd_next_version\n")
    package = "from .impl import (\n    cmd_next_version,\n    cmd_nextver,\n    createparser,\n)\n"
    project = make(tmp_path, {"pkg/impl.py": impl, "pkg/__init__.py": package})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    for path in ("pkg/impl.py", "pkg/__init__.py"):
        (tmp_path / path).write_text((tmp_path / path).read_text().replace("createparser", "create_parser"))
    git(tmp_path, "commit", "-q", "-am", "create_parser")
    module = "impl"
    if then_moved:
        git(tmp_path, "mv", "pkg/impl.py", "pkg/legacy.py")
        (tmp_path / "pkg/__init__.py").write_text(package.replace(".impl", ".legacy").replace("createparser", "create_parser"))
        git(tmp_path, "commit", "-q", "-am", "impl -> legacy")
        module = "legacy"
    source = tmp_path / f"pkg/{module}.py"
    source.write_text(source.read_text().replace("\n\ncmd_nextver = cmd_next_version\n", ""))
    init = tmp_path / "pkg/__init__.py"
    init.write_text(init.read_text().replace("    cmd_nextver,\n", ""))
    git(tmp_path, "commit", "-q", "-am", "retire cmd_nextver")
    return project


@pytest.mark.parametrize("then_moved", [False, True])
def test_a_rename_whose_module_moved_later_and_an_alias_retired_from_two_files_come_back(
    tmp_path: Path, then_moved: bool
) -> None:
    """semver: ``createparser`` was stubbed as never written once ``impl.py`` had been renamed
    after the rename, and ``cmd_nextver`` (an alias dropped from the module and from the
    package's re-export at once) was stubbed as a constant."""
    project = _retired(tmp_path, then_moved)
    renamed = planned(project, missing("createparser", "pkg")).alternatives[0]
    assert renamed.edits[0].kwargs() == {"name": "createparser", "target": "create_parser"}
    assert renamed.evidence.startswith("renamed (git): ")
    assert ("deleted pkg/impl.py, and pkg binds 'create_parser' now" in renamed.evidence) == then_moved
    retired = planned(project, missing("cmd_nextver", "pkg")).alternatives[0]
    assert retired.edits[0].kwargs() == {"name": "cmd_nextver", "target": "cmd_next_version", "reason": "restored"}
    assert "removed `cmd_nextver = cmd_next_version` from pkg/" in retired.evidence


NUMBERS = {
    "pkg/__init__.py": "from pkg.number import intcomma, intword\n",
    "pkg/number.py": "def intcomma(value):\n    return f'{value:,}'\n\n\n"
                     "def intword(value):\n    if value >= 1_000_000:\n        return f'{value / 1_000_000:.1f} million'\n"
                     "    return str(value)\n",
    "tests/test_it.py": "import pkg\n\n\ndef test_it():\n    assert pkg.intword(12) == '12'\n",
}


@pytest.mark.parametrize(("package_imports_it", "recreated"), [(True, False), (False, False), (True, True)],
                         ids=["imported", "not imported", "the old module recreated since"])
def test_a_name_renamed_by_the_change_that_renamed_its_module_follows_it(
    tmp_path: Path, package_imports_it: bool, recreated: bool
) -> None:
    """humanize (a review on real projects): ``number.py`` became ``numbers.py`` and ``intword``
    became ``int_word`` in one commit; the package's re-export of ``intword`` was stubbed as never
    written, also once an earlier round had recreated ``number.py`` for the tests that import it.
    git pairs the deleted module's definition with the new one."""
    project = started(tmp_path, NUMBERS)
    (tmp_path / "pkg/numbers.py").write_text(NUMBERS["pkg/number.py"].replace("intword", "int_word"))
    (tmp_path / "pkg/number.py").unlink()
    init = "from pkg.numbers import intcomma, int_word\n" if package_imports_it else "from pkg.numbers import intcomma\n"
    committed(tmp_path, {"pkg/__init__.py": init}, "number -> numbers, intword -> int_word")
    if recreated:
        (tmp_path / "pkg/number.py").write_text("from pkg.numbers import intcomma\n")
    first = planned(project, missing("intword", "pkg")).alternatives[0]
    assert "deleted pkg/number.py and added 'int_word' to pkg/numbers.py with the same code" in first.evidence
    apply(project, first.edits[0])
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


def test_an_alias_retired_while_its_module_moved_comes_back_as_an_alias_of_where_its_target_went(tmp_path: Path) -> None:
    """A twelfth review: ``Bill = Invoice`` retired from ``app/models.py`` and from the package's
    re-export, while the same change moved ``models.py`` to ``billing.py``: ``Bill`` was stubbed
    as never written."""
    project = started(tmp_path, {
        "app/__init__.py": "from .models import Bill, Invoice\n",
        "app/models.py": "class Invoice:\n    def __init__(self, total):\n        self.total = total\n\n\nBill = Invoice\n",
        "tests/test_it.py": "from app import Bill\n\n\ndef test_it():\n    assert Bill(1).total == 1\n",
    })
    (tmp_path / "app/billing.py").write_text("class Invoice:\n    def __init__(self, total):\n        self.total = total\n")
    (tmp_path / "app/models.py").unlink()
    committed(tmp_path, {"app/__init__.py": "from .billing import Invoice\n"}, "2.0: retire Bill, models -> billing")
    first = planned(project, missing("Bill", "app")).alternatives[0]
    assert first.edits[0].kwargs() == {"name": "Bill", "target": "Invoice", "reason": "restored"}
    assert "held `Bill = Invoice`" in first.evidence
    apply(project, first.edits[0])
    assert run_tests(tmp_path, "tests/test_it.py").returncode == 0


SHIM = ("import json\n\n\ndef _import_OrderedDict():\n    import collections\n    try:\n"
        "        return collections.OrderedDict\n    except AttributeError:\n        from . import ordered_dict\n"
        "        return ordered_dict.OrderedDict\n"
        "OrderedDict = _import_OrderedDict()\n\n\ndef loads(s, object_pairs_hook=None):\n"
        "    return json.loads(s, object_pairs_hook=object_pairs_hook)\n")


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "in the work tree"])
@pytest.mark.parametrize("agree", [True, False], ids=["every importer repointed to one module", "two modules"])
def test_a_name_the_project_imports_from_elsewhere_now_comes_back_as_that_import(
    tmp_path: Path, agree: bool, committed: bool
) -> None:
    """simplejson (a review on real projects): the shim ``OrderedDict = _import_OrderedDict()``
    went in the change that made ``pkg.tool`` import ``OrderedDict`` from ``collections``; the
    tests that took it from ``pkg`` got a stub (3 tests). The project's code says what it is now."""
    project = make(tmp_path, {"pkg/__init__.py": SHIM,
                              "pkg/tool.py": "import pkg\n\n\ndef main(t):\n    return pkg.loads(t, pkg.OrderedDict)\n",
                              "pkg/cli.py": "from pkg import OrderedDict\n\n\ndef run():\n    return OrderedDict()\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    init = tmp_path / "pkg/__init__.py"
    init.write_text(init.read_text().split("def _import_OrderedDict")[0] + "def loads(s, object_pairs_hook=None):\n"
                    "    return json.loads(s, object_pairs_hook=object_pairs_hook)\n")
    (tmp_path / "pkg/tool.py").write_text("from collections import OrderedDict\n\nimport pkg\n\n\n"
                                          "def main(t):\n    return pkg.loads(t, OrderedDict)\n")
    source = "collections" if agree else "typing"
    (tmp_path / "pkg/cli.py").write_text(f"from {source} import OrderedDict\n\n\ndef run():\n    return OrderedDict()\n")
    if committed:
        git(tmp_path, "commit", "-q", "-am", "no py2 shim")
    first = planned(project, missing("OrderedDict", "pkg")).alternatives[0]
    if agree:
        assert first.edits[0].transform == "add_alias"
        assert dict(first.edits[0].args)["statement"] == "from collections import OrderedDict"
        assert first.evidence.startswith("imported elsewhere now: ")
    else:
        assert "stub" in first.description


CONDITIONAL_IMPORTS = {
    "in a try": "try:\n    from ordered import OrderedDict\nexcept ImportError:\n    from collections import OrderedDict\n",
    "for type checkers": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from collections import OrderedDict\n",
}


OWN_VALUES = {  # the module's own value of a name callers now import from the standard library
    "the module's own function": ("isclose", "math", "def isclose(a, b, tol=1e-6):\n    return abs(a - b) <= tol\n"),
    "a value made from the other": ("dumps", "json", "import functools\nimport json\n\n"
                                                     "dumps = functools.partial(json.dumps, sort_keys=True)\n"),
    "a shim returning a wrapper of its own": ("dumps", "json", "import functools\nimport json\n\n\ndef _stable():\n"
                                              "    dumps = functools.partial(json.dumps, sort_keys=True)\n"
                                              "    return dumps\n\n\ndumps = _stable()\n"),
}


@pytest.mark.parametrize("case", [*OWN_VALUES, *CONDITIONAL_IMPORTS])
def test_a_name_is_no_import_from_elsewhere_where_it_was_own_code_or_the_importer_takes_it_conditionally(
    tmp_path: Path, case: str
) -> None:
    """Reviews hAI 02-04 and hAK 09: ``isclose`` the project wrote is not ``math.isclose`` because
    a caller imports that now, nor ``partial(json.dumps, sort_keys=True)`` ``json.dumps``; an import
    under a ``try`` (``orjson`` or else ``json``) or for type checkers only is no value the name
    had. An honest stub, as before the rule."""
    own = case in OWN_VALUES
    name, source, shim = OWN_VALUES[case] if own else ("OrderedDict", "collections", SHIM)
    project = make(tmp_path, {"pkg/__init__.py": shim,
                              "pkg/tool.py": f"from pkg import {name}\n\n\ndef main():\n    return {name}\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (tmp_path / "pkg/__init__.py").write_text("")
    imports = f"from {source} import {name}\n" if own else CONDITIONAL_IMPORTS[case]
    (tmp_path / "pkg/tool.py").write_text(f"{imports}\n\ndef main():\n    return {name}\n")
    git(tmp_path, "commit", "-q", "-am", "drop it")

    first = planned(project, missing(name, "pkg")).alternatives[0]

    assert "stub" in first.description and "imported elsewhere" not in first.evidence


COMPAT_ALIASES = {  # the module's old source: what ``dumps`` comes back as
    "import json": ("import json\n\ndumps = json.dumps\n", "from json import dumps"),
    "a package not installed, else json": ("try:\n    import not_installed_json_q as json\nexcept ImportError:\n"
                                            "    import json\n\ndumps = json.dumps\n", "from json import dumps"),
    "a module found, else json": ("try:\n    import pickle as json\nexcept ImportError:\n    import json\n\n"
                                  "dumps = json.dumps\n", "from pickle import dumps"),
    "one branch of a version check": ("import json\nimport sys\n\nif sys.version_info >= (3, 99):\n"
                                      "    dumps = json.dumps\nelse:\n    def dumps(obj):\n"
                                      "        return json.dumps(obj, sort_keys=True)\n", None),
}


@pytest.mark.parametrize("case", COMPAT_ALIASES)
@pytest.mark.parametrize("namesake", [True, False], ids=["a namesake elsewhere in the project", "none"])
def test_an_alias_removed_with_the_import_it_read_comes_back_as_that_import(
    tmp_path: Path, case: str, namesake: bool
) -> None:
    """Review hAM 10: ``dumps = json.dumps`` went with ``import json``, and the report module
    switched to the project's ``jsonutil.dumps`` (which sorts keys): the tests taking ``dumps``
    from ``compat`` had got that namesake re-exported. It was ``json.dumps``. Review hAN 06, 13:
    under a ``try``, the import that runs here (the body's where its module is found, else the
    handler's); an alias in one branch of a version check is not known to be the one that ran."""
    compat, statement = COMPAT_ALIASES[case]
    helper = "import json\n\n\ndef dumps(obj):\n    return json.dumps(obj, sort_keys=True)\n" if namesake else ""
    project = make(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": compat,
                              "pkg/jsonutil.py": helper, "pkg/report.py": "from pkg.compat import dumps\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (tmp_path / "pkg/compat.py").write_text("text_type = str\n")
    (tmp_path / "pkg/report.py").write_text("from pkg.jsonutil import dumps\n" if namesake else "import json\n")
    git(tmp_path, "commit", "-q", "-am", "stable reports")

    first = planned(project, missing("dumps", "pkg.compat")).alternatives[0]

    assert dict(first.edits[0].args).get("statement") == statement, first


CODEC_V1 = ('import base64\n\n\ndef encode(data):\n    """Encode bytes for the wire (format 1: plain base64)."""\n'
            '    return base64.b64encode(data).decode("ascii")\n')


CODEC_ALIASES = {  # the compat module before, after: what ``encode`` comes back as
    "the import kept": ("from pkg import codec\n\nencode = codec.encode\n", "from pkg import codec\n",
                        "encode = codec.encode_v1"),
    "the import dropped too": ("from pkg import codec\n\nencode = codec.encode\n", "",
                               "from pkg.codec import encode_v1 as encode"),
    "a re-export dropped": ("from .codec import encode\n", "", "from .codec import encode_v1 as encode"),
}


@pytest.mark.parametrize("case", CODEC_ALIASES)
def test_an_alias_whose_target_s_code_the_change_renamed_follows_the_code(tmp_path: Path, case: str) -> None:
    """Reviews hAN 07, hAO 05: ``encode = codec.encode`` (or ``from .codec import encode``) went in
    the change that renamed ``codec.encode`` to ``encode_v1`` (its very code) and wrote a new
    ``encode`` (format 2): the alias was that code, now ``encode_v1``, not the new function."""
    before, after, expected = CODEC_ALIASES[case]
    project = make(tmp_path, {"pkg/__init__.py": "", "pkg/codec.py": CODEC_V1, "pkg/compat.py": before})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (tmp_path / "pkg/codec.py").write_text(CODEC_V1.replace("def encode(", "def encode_v1(") + (
        '\n\ndef encode(data):\n    """Encode bytes for the wire (format 2: versioned)."""\n'
        '    return "v2:" + base64.urlsafe_b64encode(data).decode("ascii")\n'))
    (tmp_path / "pkg/compat.py").write_text(after)
    git(tmp_path, "commit", "-q", "-am", "codec v2")

    first = planned(project, missing("encode", "pkg.compat")).alternatives[0]

    assert dict(first.edits[0].args).get("statement") == expected, first


FLOATS = ("import json\n\n\ndef _floatconstants():\n    return float('nan'), float('inf'), -float('inf')\n\n\n"
          "NaN, PosInf, NegInf = _floatconstants()\n_CONSTANTS = {'NaN': NaN, 'Infinity': PosInf, '-Infinity': NegInf}\n\n\n"
          "def loads(s):\n    return json.loads(s, parse_constant=_CONSTANTS.__getitem__)\n")


@pytest.mark.parametrize("imports_back", [True, False])
def test_constants_renamed_in_another_style_and_imported_back_are_followed_together(
    tmp_path: Path, imports_back: bool
) -> None:
    """simplejson (a review on real projects): ``NaN, PosInf, NegInf = _floatconstants()`` became
    ``NAN``, ``POS_INF``, ``NEG_INF`` in ``_constants``, which the decoder imports back; the tests'
    ``from pkg.decoder import NaN, PosInf, NegInf`` got stubs. The same names in another style,
    imported back, are the same constants; the names of one import statement go in one round."""
    project = make(tmp_path, {"pkg/__init__.py": "", "pkg/decoder.py": FLOATS,
                              "tests/test_it.py": "from pkg.decoder import NaN, PosInf, loads\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    back = "from ._constants import NAN, NEG_INF, POS_INF\n" if imports_back else ""
    reads = "_CONSTANTS = {'NaN': NAN, 'Infinity': POS_INF, '-Infinity': NEG_INF}\n" if imports_back else ""
    (tmp_path / "pkg/decoder.py").write_text(f"import json\n\n{back}{reads}\n\ndef loads(s):\n    return json.loads(s)\n")
    (tmp_path / "pkg/_constants.py").write_text("NAN = float('nan')\nPOS_INF = float('inf')\nNEG_INF = -POS_INF\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "constants")
    diagnosis = missing("NaN", "pkg.decoder")
    module_names = ["json", "loads", *(["NAN", "NEG_INF", "POS_INF"] if imports_back else [])]
    diagnosis = replace(diagnosis, error=CollectionError("tests/test_it.py", "tests/test_it.py", "ImportError",
                                                         diagnosis.summary, attrs={"module_names": module_names}))
    first = planned(project, diagnosis).alternatives[0]
    if imports_back:
        assert [dict(edit.args)["new_name"] for edit in first.edits] == ["NAN", "POS_INF"]
        assert "imports back: the same name in another style" in first.evidence
    else:
        assert "stub" in first.description


CLASS_SUCCESSORS = {  # case: (the module's file, the class before, the module after, the name it gets)
    # Review hAI 08: ``connect(path)`` returns a plain sqlite3 connection, not what the class made.
    "a function of a name alike": ("app/db.py", "import sqlite3\n\n\nclass Connection:\n    def __init__(self, path=':memory:'):\n"
                                   "        self.raw = sqlite3.connect(path)\n",
                                   "import sqlite3\n\n\ndef connect(path=':memory:'):\n    return sqlite3.connect(path)\n", None),
    # Review hAK 04: an alias may hold a class, and ``pytest.raises(JSONError)`` needs one.
    "an alias of a class": ("app/db.py", "import json\n\n\nclass JSONError(ValueError):\n    pass\n",
                            "import json\n\nJsonError = json.JSONDecodeError\n", "JsonError"),
    # Review hAL 11: ``TIMEOUT = DEFAULT_TIMEOUT`` (30) holds no class.
    "an alias of a number": ("app/db.py", "class Timeout(Exception):\n    pass\n",
                             "DEFAULT_TIMEOUT = 30\nTIMEOUT = DEFAULT_TIMEOUT\n", None),
}


@pytest.mark.parametrize("case", CLASS_SUCCESSORS)
def test_a_class_gone_is_renamed_only_to_what_may_hold_a_class(tmp_path: Path, case: str) -> None:
    """A name alike of another kind: an alias of a class is the class renamed; a function, or an
    alias of a number, makes or holds something else: an honest stub."""
    path, before, after, successor = CLASS_SUCCESSORS[case]
    name = before.split("class ", 1)[1].split(":")[0].split("(")[0]
    project = make(tmp_path, {"app/__init__.py": "", path: before})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (tmp_path / path).write_text(after)
    git(tmp_path, "commit", "-q", "-am", "v2")

    first = planned(project, missing(name, "app.db")).alternatives[0]

    if successor is None:
        assert "stub" in first.description, first.description
    else:
        assert "alias" in first.description and successor in first.description, first.description


def test_an_alias_through_an_import_as_is_that_object(tmp_path: Path) -> None:
    """Review hAL 08: ``Mapping = cabc.Mapping`` after ``import collections.abc as cabc`` is
    ``collections.abc.Mapping``, which the callers now import: it comes back as that import."""
    project = make(tmp_path, {"pkg/__init__.py": "import collections.abc as cabc\n\nMapping = cabc.Mapping\n",
                              "pkg/tool.py": "from pkg import Mapping\n\n\ndef main(x):\n    return isinstance(x, Mapping)\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/tool.py").write_text("from collections.abc import Mapping\n\n\ndef main(x):\n"
                                          "    return isinstance(x, Mapping)\n")
    git(tmp_path, "commit", "-q", "-am", "drop the compat alias")

    first = planned(project, missing("Mapping", "pkg")).alternatives[0]

    assert dict(first.edits[0].args).get("statement") == "from collections.abc import Mapping", first


@pytest.mark.parametrize("old", ["import collections.abc as cabc\n\nMapping = cabc.Mapping\n",
                                 "import collections.abc\n\nMapping = collections.abc.Mapping\n",
                                 "def _m():\n    import collections.abc\n    return collections.abc.Mapping\n\n\nMapping = _m()\n"])
def test_that_very_object_is_read_through_the_module_s_imports(old: str) -> None:
    """``import a.b`` binds ``a``: ``a.b.Mapping`` is read as written, ``import a.b as c`` makes
    ``c.Mapping`` ``a.b.Mapping`` (the before-stop read-through: the first was read as ``a.b.b``)."""
    from collect_fix.import_replacements import _was_that_object

    assert _was_that_object(old.encode(), "Mapping", "collections.abc", "", lambda module, names: True)
    assert not _was_that_object(old.encode(), "Mapping", "typing", "", lambda module, names: True)


PREFERRING = ("def _loads():\n    try:\n        from {preferred} import loads\n        return loads\n"
              "    except ImportError:\n        from json import loads\n        return loads\n\n\nloads = _loads()\n")


@pytest.mark.parametrize("preferred", ["fastjson", "._speedups"])
@pytest.mark.parametrize("found", [True, False], ids=["the preferred module is found", "it is not"])
def test_a_shim_returns_what_its_try_imports_where_that_is_found_else_its_fallback(preferred: str, found: bool) -> None:
    """Review hAM 04: the shim's ``try`` imports a loader of the project's own (or a package) and
    falls back on ``json.loads``: where the preferred module is there, ``loads`` never was
    ``json.loads`` (the handler's import had won, read after the body's); where it is not, it was."""
    from collect_fix.import_replacements import _was_that_object

    old = PREFERRING.format(preferred=preferred).encode()
    assert _was_that_object(old, "loads", "json", "pkg", lambda module, names: found or module == "json") is not found
