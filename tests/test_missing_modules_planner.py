"""The missing-modules planner: which files it plans, for which modules, and when it declines."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from textwrap import dedent
from typing import Callable, Optional

import pytest

from collect_fix.planners import missing_modules
from collect_fix.planners.missing_modules import plan, plan_submodule
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan


def make_project(root: Path, files: dict[str, str]) -> Project:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return Project(root)


def missing_module(module: str, path: str = "tests/test_a.py") -> Diagnosis:
    return Diagnosis(Category.MISSING_MODULE, path, 1, f"project module '{module}' does not exist", module=module)


def missing_name(module: str, name: str, path: str = "tests/test_a.py") -> Diagnosis:
    return Diagnosis(Category.MISSING_NAME, path, 1, f"cannot import name '{name}'", subject=name, module=module)


def planned(project: Project, diagnosis: Diagnosis) -> Plan:
    return plan(diagnosis, project, Options(project.root))


def edits_of(result: Optional[Plan]) -> tuple[Edit, ...]:
    assert result is not None and result.alternatives, result
    return result.alternatives[0].edits


def stubs(*pairs: tuple[str, ...]) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    return (("stubs", tuple(pairs)),)


@pytest.fixture
def shop(fixture_project: Callable[[str], Path]) -> Project:
    return Project(fixture_project("missing_modules"))


def test_deep_module_gets_every_missing_package_on_its_path(shop: Project) -> None:
    # Python names the first missing package, not the module the statement imports.
    result = planned(shop, missing_module("shop.integrations", "tests/test_checkout.py"))
    assert edits_of(result) == (
        Edit("src/shop/integrations/__init__.py", "create_empty"),
        Edit("src/shop/integrations/payments/__init__.py", "create_empty"),
        Edit("src/shop/integrations/payments/gateways/__init__.py", "create_empty"),
        Edit(
            "src/shop/integrations/payments/gateways/stripe.py", "add_stubs",
            stubs(("StripeGateway", "class"), ("charge", "function")),
        ),
    )
    repair = result.alternatives[0]
    assert repair.description == "create stub module shop.integrations.payments.gateways.stripe (2 names)"
    assert repair.evidence == "imported by tests/test_checkout.py"


def test_full_module_name_plans_the_same_files(shop: Project) -> None:
    prefix = planned(shop, missing_module("shop.integrations"))
    full = planned(shop, missing_module("shop.integrations.payments.gateways.stripe"))
    assert edits_of(full) == edits_of(prefix)


def test_one_stub_module_provides_the_names_of_every_importer(shop: Project) -> None:
    result = planned(shop, missing_module("shop.notifications", "tests/test_orders.py"))
    (edit,) = edits_of(result)
    assert edit.path == "src/shop/notifications.py"
    assert edit.transform == "add_stubs"
    names = [name for name, _ in edit.kwargs()["stubs"]]
    assert names == ["DEFAULT_SENDER", "NotificationError", "Outbox", "notify_user", "send_email"]
    repair = result.alternatives[0]
    assert repair.description == "create stub module shop.notifications (5 names)"
    assert repair.evidence == (
        "imported by tests/conftest.py, tests/test_cart.py, tests/test_orders.py, tests/test_users.py"
    )


def test_diagnoses_of_one_module_from_different_files_give_equal_repairs(shop: Project) -> None:
    first = planned(shop, missing_module("shop.notifications", "tests/test_orders.py"))
    second = planned(shop, missing_module("shop.notifications", "tests/test_users.py"))
    assert first.alternatives == second.alternatives


def test_module_missing_from_a_source_relative_import(shop: Project) -> None:
    result = planned(shop, missing_module("shop.pricing.discounts", "src/shop/cart.py"))
    assert edits_of(result) == (Edit("src/shop/pricing/discounts.py", "add_stubs", stubs(("apply_discount", "function"))),)
    assert result.alternatives[0].evidence == "imported by src/shop/cart.py"


def test_third_party_module_is_not_claimed(shop: Project) -> None:
    result = planned(shop, missing_module("nonexistent_vendor_lib", "tests/test_vendor.py"))
    assert result.alternatives == ()
    assert "not a module of this project" in result.advice


def test_existing_module_is_not_stubbed(shop: Project) -> None:
    result = planned(shop, missing_module("shop.pricing.tax"))
    assert result.alternatives == ()
    assert "src/shop/pricing/tax.py exists" in result.advice


def test_submodule_of_a_plain_module_needs_a_person(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, {"app/__init__.py": "", "app/mail.py": "", "tests/test_a.py": "from app.mail.smtp import send\n"}
    )
    result = planned(project, missing_module("app.mail.smtp"))
    assert result.alternatives == ()
    assert "'app.mail' is a module, not a package" in result.advice


def test_unused_module_is_created_empty(tmp_path: Path) -> None:
    project = make_project(tmp_path, {"app/__init__.py": "", "tests/test_a.py": "import app.plugins\n"})
    result = planned(project, missing_module("app.plugins"))
    assert edits_of(result) == (Edit("app/plugins.py", "create_empty"),)
    assert result.alternatives[0].description == "create stub module app.plugins (0 names)"


def test_module_whose_constant_is_used_at_import_time_is_reported(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "tests/test_a.py": """\
            import pytest
            from app.cases import CASES, check


            @pytest.mark.parametrize("case", CASES)
            def test_case(case):
                check(case)
        """,
    }
    result = planned(make_project(tmp_path, files), missing_module("app.cases"))
    assert not result.alternatives
    assert "'app.cases.CASES' is used at import time (passed to a decorator at tests/test_a.py:5)" in result.advice


def test_module_that_holds_an_imported_submodule_becomes_a_package(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "tests/test_a.py": "from app.mail import send\nfrom app.mail.smtp import Server\n",
    }
    result = planned(make_project(tmp_path, files), missing_module("app.mail"))
    assert edits_of(result) == (
        Edit("app/mail/__init__.py", "add_stubs", stubs(("send", "constant"))),
        Edit("app/mail/smtp.py", "add_stubs", stubs(("Server", "constant"))),
    )
    assert result.alternatives[0].description == "create stub modules app.mail (1 name), app.mail.smtp (1 name)"


def test_namespace_top_level_package_gets_no_init_files(tmp_path: Path) -> None:
    # acme/ has no __init__.py on purpose: it is shared by several distributions.
    files = {
        "acme/core/__init__.py": "",
        "tests/test_a.py": "from acme.billing.tax.rates import VAT\n",
    }
    result = planned(make_project(tmp_path, files), missing_module("acme.billing"))
    assert edits_of(result) == (Edit("acme/billing/tax/rates.py", "add_stubs", stubs(("VAT", "constant"))),)
    assert not any(edit.path.endswith("__init__.py") for edit in edits_of(result))


def test_new_files_go_under_the_source_root_of_the_package(tmp_path: Path) -> None:
    files = {
        "src/app/__init__.py": "",
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        "tests/test_a.py": "import app.reports.weekly as weekly\nweekly.render()\n",
    }
    result = planned(make_project(tmp_path, files), missing_module("app.reports"))
    assert edits_of(result) == (
        Edit("src/app/reports/__init__.py", "create_empty"),
        Edit("src/app/reports/weekly.py", "add_stubs", stubs(("render", "function"))),
    )


def test_submodule_used_through_attributes_is_planned_as_a_module(shop: Project) -> None:
    result = plan_submodule(missing_name("shop.payments", "receipts", "tests/test_receipts.py"), shop, Options(shop.root))
    assert edits_of(result) == (
        Edit("src/shop/payments/receipts.py", "add_stubs", stubs(("FOOTER", "constant"), ("render_receipt", "function"))),
    )
    repair = result.alternatives[0]
    assert repair.description == "create stub module shop.payments.receipts (2 names)"
    assert "'from shop.payments import receipts' is used as a module (receipts.FOOTER, receipts.render_receipt)" in (
        repair.evidence
    )


def test_submodule_repair_equals_the_missing_module_repair(shop: Project) -> None:
    submodule = plan_submodule(missing_name("shop.payments", "receipts"), shop, Options(shop.root))
    module = planned(shop, missing_module("shop.payments.receipts"))
    assert submodule is not None and submodule.alternatives == module.alternatives


@pytest.mark.parametrize(
    "files,package,name",
    [
        pytest.param({"tests/test_a.py": "from app import render\nrender()\n"}, "app", "render", id="called"),
        pytest.param(
            {"tests/test_a.py": "from app import Base\nBase.registry\nclass Child(Base):\n    pass\n"},
            "app", "Base", id="subclassed",
        ),
        pytest.param({"tests/test_a.py": "from app import VERSION\nprint(VERSION)\n"}, "app", "VERSION", id="no attribute read"),
        pytest.param(
            {"app/mail.py": "", "tests/test_a.py": "from app.mail import smtp\nsmtp.send()\n"}, "app.mail", "smtp",
            id="parent is a module",
        ),
        pytest.param(
            {"app/mail.py": "", "tests/test_a.py": "from app import mail\nmail.send()\n"}, "app", "mail",
            id="submodule exists",
        ),
        pytest.param({"tests/test_a.py": "from vendor import api\napi.get()\n"}, "vendor", "api", id="third-party package"),
    ],
)
def test_missing_name_that_is_not_a_submodule_is_left_to_the_names_planner(
    tmp_path: Path, files: dict[str, str], package: str, name: str
) -> None:
    project = make_project(tmp_path, {"app/__init__.py": "", **files})
    assert plan_submodule(missing_name(package, name), project, Options(project.root)) is None


def test_refused_paths_are_reported_not_planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, {"app/__init__.py": "", "tests/test_a.py": "from app.mail import send\n"})
    monkeypatch.setattr(Project, "editable", lambda self, path: f"{path.name} is marked @generated")
    result = planned(project, missing_module("app.mail"))
    assert result.alternatives == ()
    assert result.advice == "cannot create stub module app.mail: mail.py is marked @generated"


def test_planner_handles_only_missing_modules() -> None:
    assert missing_modules.CATEGORIES == (Category.MISSING_MODULE,)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_deleted_module_stubs_take_kinds_and_signatures_from_history(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/legacy.py": """\
            class Store:
                def __init__(self, url, *, timeout=30):
                    self.url = url


            def load_config(path, strict=False):
                return {"path": path}


            LIMIT = 3
        """,
        "tests/test_a.py": """\
            from app.legacy import LIMIT, Store, load_config


            def test_it():
                assert load_config("x").path and Store("u").url and LIMIT
        """,
    }
    project = make_project(tmp_path, files)
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "start")):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *command],
                       cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / "app/legacy.py").unlink()  # deleted, not committed yet
    result = planned(project, missing_module("app.legacy"))
    # Usage alone calls load_config a class (attributes of its result are read); history knows better.
    assert edits_of(result) == (Edit("app/legacy.py", "add_stubs", stubs(
        ("LIMIT", "constant"), ("Store", "class", "(url, *, timeout=30)"),
        ("load_config", "function", "(path, strict=False)"),
    )),)
    assert result.alternatives[0].evidence.endswith(
        "; the uncommitted changes in the work tree deleted app/legacy.py, whose last version gives the kinds of "
        "LIMIT, Store, load_config and the parameters of Store, load_config"
    )


PARSE_TEST = """\
    from app.helpers import parse


    def test_parse():
        assert parse("12") == 12
"""


def _committed(root: Path, files: dict[str, str]) -> Project:
    project = make_project(root, files)
    for command in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "start")):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *command],
                       cwd=root, check=True, capture_output=True)
    return project


@pytest.mark.parametrize("case", ["unrelated-namesake", "never-existed", "main-module"])
def test_a_namesake_elsewhere_is_no_new_home_without_history(tmp_path: Path, case: str) -> None:
    """Re-exporting a same-named definition would run other code under the test's name (and
    import a script or a ``__main__`` module, which runs it): a deleted module is stubbed."""
    helpers = "def parse(text):\n    return int(text)\n"
    files = {"app/__init__.py": "", "tests/test_a.py": PARSE_TEST}
    if case != "never-existed":
        files["app/helpers.py"] = helpers
    if case == "unrelated-namesake":
        files["app/dates.py"] = "def parse(text):\n    year, month, day = text.split('-')\n    return (year, month, day)\n"
    if case == "main-module":
        files["app/__main__.py"] = helpers + "\n\nprint(parse('1'))\n"
    project = _committed(tmp_path, files)
    (tmp_path / "app/helpers.py").unlink(missing_ok=True)
    if case == "never-existed":
        (tmp_path / "app/dates.py").write_text(helpers)
    result = planned(project, missing_module("app.helpers"))
    assert [edit.transform for edit in edits_of(result)] == ["add_stubs"]
    assert "moved" not in result.alternatives[0].evidence


def _git_commit(root: Path, message: str) -> None:
    for command in (("add", "-A"), ("commit", "-q", "-m", message)):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *command],
                       cwd=root, check=True, capture_output=True)


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "in the work tree"])
def test_a_deleted_module_whose_definition_the_same_change_moved_re_exports_it(tmp_path: Path, committed: bool) -> None:
    """tomlkit folded ``_compat.decode`` into ``_utils`` and deleted ``_compat``; its toml-test
    suite (680 tests) imports ``tomlkit._compat.decode``. The change that deleted the module
    added the same body under the same name in the same package: the module comes back as that
    re-export, not as a stub (a review on real projects)."""
    helpers = "def parse(text):\n    return int(text)\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/text.py": "SEP = ','\n", "app/helpers.py": helpers,
                                    "tests/test_a.py": PARSE_TEST})
    (tmp_path / "app/helpers.py").unlink()
    (tmp_path / "app/text.py").write_text("SEP = ','\n\n\n" + helpers)
    (tmp_path / "app/numbers.py").write_text("def parse(text):\n    return float(text)\n")  # a namesake, another body
    if committed:
        _git_commit(tmp_path, "Fold helpers into text")
    result = planned(project, missing_module("app.helpers"))
    whole, repair = result.alternatives[:2]  # all of it went there: first, the module as that module
    assert [(edit.transform, edit.kwargs()["module"]) for edit in whole.edits] == [("alias_module", "app.text")]
    assert whole.description == "recreate module app.helpers (as app.text, the module it became)"
    assert repair.edits == (Edit("app/helpers.py", "add_reexport", (("from_module", "app.text"), ("name", "parse"))),)
    assert repair.description == "recreate module app.helpers (1 name, re-exporting parse from where it moved)"
    assert "deleted app/helpers.py and added 'parse' to app.text with the same code" in repair.evidence


@pytest.mark.parametrize("case", ["another body", "a script outside the package"])
def test_a_deleted_module_is_re_exported_only_from_where_the_same_change_put_the_same_body(
    tmp_path: Path, case: str
) -> None:
    helpers = "def parse(text):\n    return int(text)\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "scripts/__init__.py": "",
                                    "tests/test_a.py": PARSE_TEST})
    (tmp_path / "app/helpers.py").unlink()
    home = "scripts/tools.py" if case == "a script outside the package" else "app/text.py"
    body = helpers.replace("int(text)", "int(text, 16)") if case == "another body" else helpers
    if case == "a later change":
        _git_commit(tmp_path, "Drop helpers")
    (tmp_path / home).write_text(body)
    _git_commit(tmp_path, "Add " + home)
    result = planned(project, missing_module("app.helpers"))
    assert [edit.transform for edit in edits_of(result)] == ["add_stubs"]


@pytest.mark.parametrize("case", ["copied, then deleted", "deleted, then its home renamed", "two copies"])
def test_a_deleted_module_whose_code_lives_on_in_one_module_re_exports_it(tmp_path: Path, case: str) -> None:
    """A fold over two commits (copy, then delete) or a home renamed since gave stubs (a hostile
    review): the one module of the package with the same code is the new home; two are a guess."""
    helpers = "def parse(text):\n    return int(text.strip().replace('_', ''))\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "tests/test_a.py": PARSE_TEST})
    home = "app/text.py"
    if case == "copied, then deleted":
        (tmp_path / home).write_text("SEP = ','\n\n\n" + helpers)
        _git_commit(tmp_path, "Copy parse into text")
        (tmp_path / "app/helpers.py").unlink()
        _git_commit(tmp_path, "Drop helpers")
    else:
        (tmp_path / "app/helpers.py").unlink()
        (tmp_path / "app/texts.py").write_text(helpers)
        _git_commit(tmp_path, "Fold helpers into texts")
        (tmp_path / "app/texts.py").rename(tmp_path / home)
        if case == "two copies":
            (tmp_path / "app/numbers.py").write_text(helpers)
        _git_commit(tmp_path, "Rename texts to text")
    result = planned(project, missing_module("app.helpers"))
    if case == "two copies":
        assert [edit.transform for edit in edits_of(result)] == ["add_stubs"]
        return
    assert edits_of(result) == (Edit("app/helpers.py", "add_reexport", (("from_module", "app.text"), ("name", "parse"))),)
    assert "deleted app/helpers.py, whose 'parse' lives on in app.text with the same code" in result.alternatives[0].evidence


@pytest.mark.parametrize("case", ["reads another global", "a script", "a script behind a main guard"])
def test_a_living_copy_must_mean_the_same_and_be_safe_to_import(tmp_path: Path, case: str) -> None:
    """A hostile review: ``with_tax`` re-exported from another subpackage whose ``RATE`` is 5%, not
    20%; ``chunks`` re-exported from a script that deletes files at import (``--apply`` ran it)."""
    helpers = "RATE = 0.2\n\n\ndef parse(text):\n    return int(text.strip().replace('_', '')) * (1 + RATE)\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "tests/test_a.py": PARSE_TEST})
    purge = "for path in __import__('pathlib').Path('exports').glob('*.csv'):\n    path.unlink()\n"
    home = {
        "reads another global": helpers.replace("0.2", "0.05"),
        "a script": helpers + "\n\n" + purge,
        "a script behind a main guard": helpers + '\n\nif __name__ == "__main__":\n    ' + purge.replace("\n", "\n    ").rstrip(" "),
    }[case]
    (tmp_path / "app/other.py").write_text(home)
    _git_commit(tmp_path, "Copy parse")
    (tmp_path / "app/helpers.py").unlink()
    _git_commit(tmp_path, "Drop helpers")
    result = planned(project, missing_module("app.helpers"))
    expected = ["add_reexport"] if case == "a script behind a main guard" else ["add_stubs"]
    assert [edit.transform for edit in edits_of(result)] == expected


def test_a_deleted_module_whose_definition_moved_under_another_name_re_exports_it_as_the_old_one(
    tmp_path: Path,
) -> None:
    """A hostile review: ``git mv app/helpers.py app/text.py`` that also renamed ``parse`` (the same
    code, its docstring along) gave a stub; the module comes back as the module it became, reading
    and patching ``parse`` as ``parse_int``, and next as ``from app.text import parse_int as parse``."""
    helpers = 'def parse(text):\n    """The integer ``text`` spells."""\n    return int(text.strip())\n'
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "tests/test_a.py": PARSE_TEST})
    (tmp_path / "app/helpers.py").unlink()
    (tmp_path / "app/text.py").write_text(helpers.replace("def parse(", "def parse_int("))
    _git_commit(tmp_path, "helpers -> text, parse -> parse_int")
    whole, by_name = planned(project, missing_module("app.helpers")).alternatives
    assert [(edit.transform, edit.kwargs().get("renamed")) for edit in whole.edits] == [("alias_module", "parse=parse_int")]
    assert "'parse' as 'parse_int'" in whole.evidence and "reads, sets and deletes an old name as its new one" \
        in whole.evidence
    assert by_name.edits == (Edit("app/helpers.py", "add_reexport", (
        ("from_module", "app.text"), ("name", "parse"), ("new_name", "parse_int"))),)
    assert "deleted app/helpers.py and added 'parse' as 'parse_int' to app.text with the same code" in by_name.evidence


ERRORS_TEST = """\
    from app.errors import AppError, NotFound


    def test_hierarchy():
        assert issubclass(NotFound, AppError)
"""


@pytest.mark.parametrize("case", ["split in two", "beside an import of its base"])
def test_exceptions_of_a_pass_or_a_docstring_follow_a_split_module(tmp_path: Path, case: str) -> None:
    """A hostile review: ``errors.py`` split into new modules (each holding a small share of its
    names) stubbed its exceptions, and so did a class moved beside ``from app.base import AppError``,
    the very class it had read in the old module."""
    errors = 'class AppError(Exception):\n    """Base."""\n\n\nclass NotFound(AppError):\n    pass\n\n\n' \
             'class Conflict(AppError):\n    pass\n'
    project = _committed(tmp_path, {"app/__init__.py": "", "app/errors.py": errors, "tests/test_a.py": ERRORS_TEST})
    (tmp_path / "app/errors.py").unlink()
    (tmp_path / "app/base.py").write_text('class AppError(Exception):\n    """Base."""\n')
    lookup = "from app.base import AppError\n\n\nclass NotFound(AppError):\n    pass\n"
    if case == "split in two":
        (tmp_path / "app/lookup.py").write_text(lookup + "\n\nclass Conflict(AppError):\n    pass\n")
    else:
        (tmp_path / "app/lookup.py").write_text(lookup)
        (tmp_path / "app/writes.py").write_text("from app.base import AppError\n\n\nclass Conflict(AppError):\n    pass\n")
    _git_commit(tmp_path, "Split errors")
    result = planned(project, missing_module("app.errors"))
    assert edits_of(result) == (
        Edit("app/errors.py", "add_reexport", (("from_module", "app.base"), ("name", "AppError"))),
        Edit("app/errors.py", "add_reexport", (("from_module", "app.lookup"), ("name", "NotFound"))),
    )


def test_a_living_copy_reads_alike_through_the_functions_it_calls(tmp_path: Path) -> None:
    """A hostile review: ``with_tax`` calls ``rate()``, which reads ``RATE``; a copy whose ``RATE``
    is another one is other code, one call down too."""
    helpers = "RATE = 0.2\n\n\ndef rate():\n    return RATE\n\n\ndef parse(text):\n    return int(text.strip()) * (1 + rate())\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "tests/test_a.py": PARSE_TEST})
    (tmp_path / "app/other.py").write_text(helpers.replace("0.2", "0.07"))
    _git_commit(tmp_path, "Copy")
    (tmp_path / "app/helpers.py").unlink()
    _git_commit(tmp_path, "Drop helpers")
    assert [edit.transform for edit in edits_of(planned(project, missing_module("app.helpers")))] == ["add_stubs"]


def test_a_deleted_module_star_imported_comes_back_with_what_it_exported(tmp_path: Path) -> None:
    """A hostile review: ``from app.helpers import *`` after a ``git mv`` gave a module of no names,
    reported as repaired, and every test failed on a NameError."""
    helpers = "def parse(text):\n    return int(text)\n\n\ndef _private():\n    pass\n\n\nSEP = ','\n"
    star = "from app.helpers import *\n\n\ndef test_parse():\n    assert parse('1') == 1 and SEP == ','\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "tests/test_a.py": star})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")
    result = planned(project, missing_module("app.helpers"))
    assert [(edit.transform, edit.kwargs().get("name")) for edit in edits_of(result)] == [
        ("add_reexport", "SEP"), ("add_reexport", "parse")]


def test_a_living_copy_must_import_the_very_objects_the_deleted_code_imported(tmp_path: Path) -> None:
    """A third review: each subpackage has ``from .rates import rate`` and the same ``with_tax``,
    but its own ``RATE``: the same shape imported from another module is another object."""
    rates = "RATE = {}\n\n\ndef rate():\n    return RATE\n"
    vat = "from .rates import rate\n\n\ndef parse(text):\n    return int(text.strip()) * (1 + rate())\n"
    project = _committed(tmp_path, {
        "app/__init__.py": "", "app/billing/__init__.py": "", "app/billing/rates.py": rates.format("0.2"),
        "app/billing/vat.py": vat, "app/shop/__init__.py": "", "app/shop/rates.py": rates.format("0.07"),
        "app/shop/tax.py": vat,
        "tests/test_a.py": PARSE_TEST.replace("app.helpers", "app.billing.vat"),
    })
    (tmp_path / "app/billing/vat.py").unlink()
    _git_commit(tmp_path, "Drop billing.vat")
    assert [edit.transform for edit in edits_of(planned(project, missing_module("app.billing.vat")))] == ["add_stubs"]


@pytest.mark.parametrize("listed", [False, True], ids=["no __all__", "an __all__"])
def test_a_star_imported_facade_comes_back_with_the_names_it_imported_and_listed(tmp_path: Path, listed: bool) -> None:
    """A third review: the names a deleted facade only imported (``from app.models import User``)
    were left out, and a helper its ``__all__`` kept private was exported. Review hAO 08: its
    ``__all__`` comes back too, as written, so the star takes what it took (not every re-export)."""
    facade = ('__all__ = ["User", "greet"]\n\n' if listed else "") + \
        "from app.models import User\n\n\ndef greet(user):\n    return 'hi ' + user.name\n\n\ndef format(user):\n    return user\n"
    star = "from app.api import *\n\n\ndef test_greet():\n    assert greet(User('a')) == 'hi a'\n"
    project = _committed(tmp_path, {
        "app/__init__.py": "", "app/models.py": "class User:\n    def __init__(self, name):\n        self.name = name\n",
        "app/api.py": facade, "tests/test_a.py": star,
    })
    (tmp_path / "app/api.py").rename(tmp_path / "app/public.py")
    _git_commit(tmp_path, "api -> public")
    result = planned(project, missing_module("app.api"))
    reexported = {(edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in edits_of(result)
                  if edit.transform == "add_reexport"}
    expected = {("User", "app.models"), ("greet", "app.public")} | (set() if listed else {("format", "app.public")})
    assert reexported == expected
    restored = [edit.kwargs()["statement"] for edit in edits_of(result) if edit.transform == "restore_block"]
    assert restored == (['__all__ = ["User", "greet"]\n'] if listed else [])
    assert "deleted app/api.py, which imported 'User' from app.models" in result.alternatives[0].evidence
    assert "from where each is now" in result.alternatives[0].description


def test_a_living_copy_whose_reads_import_each_other_is_compared_once_each(tmp_path: Path) -> None:
    """A fourth review: ``node.py`` and ``visitor.py`` import each other; comparing what ``walk``
    reads followed the cycle until a RecursionError, and nothing was planned."""
    node = "class Node:\n    def accept(self, visitor):\n        return Visitor.visit(visitor, self)\n"
    visitor = "class Visitor:\n    def visit(self, node):\n        return type(node).__name__ == Node.__name__\n"
    walk = "def parse(text):\n    return Node.accept(text, Visitor())\n"
    project = _committed(tmp_path, {
        "app/__init__.py": "", "app/node.py": node + "\n\nfrom app.visitor import Visitor  # noqa: E402\n",
        "app/visitor.py": "from app.node import Node\n\n\n" + visitor,
        "app/helpers.py": "from app.node import Node\nfrom app.visitor import Visitor\n\n\n" + walk,
        "tests/test_a.py": PARSE_TEST,
    })
    (tmp_path / "app/tree.py").write_text(node + "\n\n" + visitor + "\n\n" + walk)
    _git_commit(tmp_path, "tree")
    (tmp_path / "app/helpers.py").unlink()
    _git_commit(tmp_path, "Drop helpers")
    result = planned(project, missing_module("app.helpers"))
    assert [edit.transform for edit in edits_of(result)] in (["add_stubs"], ["add_reexport"])


@pytest.mark.parametrize("extended", ["__all__ += ['farewell']\n", "__all__.append('farewell')\n"])
def test_a_star_imported_module_whose_all_grows_exports_every_name_it_lists(tmp_path: Path, extended: str) -> None:
    """A fourth review: only the first ``__all__ = [...]`` was read, and ``farewell`` was dropped;
    a star import also takes ``from pathlib import Path``, from pathlib (it was stubbed)."""
    module = ("from pathlib import Path\n\n__all__ = ['greet', 'Path']\n" + extended
              + "\n\ndef greet():\n    return 'hi'\n\n\ndef farewell():\n    return 'bye'\n")
    star = "from app.helpers import *\n\n\ndef test_a():\n    assert greet() + farewell() and Path('.')\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": module, "tests/test_a.py": star})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")
    result = planned(project, missing_module("app.helpers"))
    homes = {(edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in edits_of(result)}
    assert homes == {("Path", "pathlib"), ("farewell", "app.text"), ("greet", "app.text")}


@pytest.mark.parametrize("block", [
    pytest.param("try:\n    from cf_absent_json import dumps\nexcept ImportError:\n    from json import dumps\n",
                 id="an ImportError fallback"),
    pytest.param("if sys.version_info >= (3, 99):\n    from json import dumps\nelse:\n    from cf_absent_json import dumps\n",
                 id="a version check"),
    pytest.param("if sys.platform == 'cf-nowhere':\n    from app._nowhere import dumps\nelse:\n"
                 "    def dumps(value):\n        return lru_cache(value)\n", id="a platform check, a def in one branch"),
])
def test_a_name_bound_under_a_try_or_an_if_comes_back_as_that_block(tmp_path: Path, block: str) -> None:
    """Reviews five to seven: re-exporting the first branch of a fallback failed the whole
    recreated module; stubbing every conditional name stubbed ``typing.Literal``; the first branch
    that imports took ``typing.override`` on a Python without it, and ``app._win``'s code on
    Linux. Which branch binds it is the interpreter's choice: the block comes back as written,
    after the module's imports it reads (here it lives on nowhere: where it does, its names come
    from there)."""
    module = "import sys\nfrom functools import lru_cache\n\n" + block + "\n\ndef greet():\n    return 'hi'\n"
    star = "from app.helpers import *\n\n\ndef test_a():\n    assert greet() and dumps\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/_nowhere.py": "X = 1\n", "app/helpers.py": module,
                                    "tests/test_a.py": star})
    (tmp_path / "app/helpers.py").unlink()  # greet moved, the compatibility block dropped
    (tmp_path / "app/text.py").write_text("def greet():\n    return 'hi'\n")
    _git_commit(tmp_path, "helpers -> text")
    result = planned(project, missing_module("app.helpers"))
    assert len(result.alternatives) == 1
    edits = edits_of(result)
    reexported = {(edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in edits
                  if edit.transform == "add_reexport"}
    assert reexported == {("greet", "app.text"), ("lru_cache", "functools")}  # what the star took
    restored = [edit.kwargs() for edit in edits if edit.transform == "restore_block"]
    assert [each["names"] for each in restored] == ["dumps"]
    statement = restored[0]["statement"]
    assert statement.endswith(block)
    assert ("import sys\n" in statement) == ("sys." in block)  # the imports it reads, and only those
    assert ("from functools import lru_cache\n" in statement) == ("lru_cache" in block)


def test_a_block_that_reads_the_modules_own_definitions_is_not_restored(tmp_path: Path) -> None:
    """A block reading a definition of the module is not the block alone: its names are judged as
    any other (here a guess from a module not found, with stubs as the next alternative)."""
    module = "def fast():\n    return True\n\n\nif fast():\n    from cf_absent_json import dumps\n\n\ndef greet():\n    return 'hi'\n"
    star = "from app.helpers import *\n\n\ndef test_a():\n    assert greet() and dumps\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": module, "tests/test_a.py": star})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")
    result = planned(project, missing_module("app.helpers"))
    assert not any(edit.transform == "restore_block" for repair in result.alternatives for edit in repair.edits)
    assert len(result.alternatives) == 2


def test_a_name_from_a_module_not_found_outside_pytest_is_tried_then_stubbed(tmp_path: Path) -> None:
    """A sixth review: a package only the suite's conftest puts on ``sys.path`` was stubbed,
    because the interpreter alone does not find it. The re-export comes first, for the
    collection to judge; stubbing it is the next alternative."""
    module = "from cf_absent_json import dumps\n\n\ndef greet():\n    return 'hi'\n"
    star = "from app.helpers import *\n\n\ndef test_a():\n    assert greet() and dumps\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": module, "tests/test_a.py": star})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")
    result = planned(project, missing_module("app.helpers"))
    first, second = result.alternatives
    assert {(edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in first.edits
            if edit.transform == "add_reexport"} == {("greet", "app.text"), ("dumps", "cf_absent_json")}
    assert "not found outside pytest" in first.evidence
    assert [edit.kwargs()["from_module"] for edit in second.edits if edit.transform == "add_reexport"] == ["app.text"]
    assert [stub[0] for edit in second.edits for stub in edit.kwargs().get("stubs", ())] == ["dumps"]


@pytest.mark.parametrize("turned_into_a_script", [False, True])
def test_a_source_that_ran_code_while_the_facade_imported_it_is_no_script(
    tmp_path: Path, turned_into_a_script: bool
) -> None:
    """A sixth review: a library module whose import adds a log handler, which only the deleted
    facade imported, was taken for a script and its names stubbed. The tests ran that code
    whenever they imported the facade; code the deleting change added is new, and is one."""
    signals = "import logging\n\nlogging.getLogger(__name__).addHandler(logging.NullHandler())\n\n\n" \
              "def send(value):\n    return value\n"
    facade = "from app.signals import send\n"
    test = "from app.api import send\n\n\ndef test_a():\n    assert send(1) == 1\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/signals.py": signals, "app/api.py": facade,
                                    "tests/test_a.py": test})
    (tmp_path / "app/api.py").unlink()
    if turned_into_a_script:
        (tmp_path / "app/signals.py").write_text(signals + "\nfor path in []:\n    path.unlink()\n")
    _git_commit(tmp_path, "no facade")
    edits = edits_of(planned(project, missing_module("app.api")))
    reexported = [edit.kwargs()["from_module"] for edit in edits if edit.transform == "add_reexport"]
    assert reexported == ([] if turned_into_a_script else ["app.signals"])


def test_a_name_imported_from_a_module_the_same_change_moved_comes_back_from_its_new_home(tmp_path: Path) -> None:
    """A fifth review: a deleted facade imported ``User`` from ``app.models``, which the same
    change moved to ``app.core.models``; ``User`` was stubbed. A source deleted too is asked
    where its name went, as the facade's own names are."""
    user = "class User:\n    def __init__(self, name):\n        self.name = name\n"
    facade = "from app.models import User\n\n\ndef make_user(name):\n    return User(name.title())\n"
    star = "from app.facade import *\n\n\ndef test_a():\n    assert isinstance(make_user('a'), User)\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/models.py": user, "app/facade.py": facade,
                                    "tests/test_a.py": star})
    (tmp_path / "app/core").mkdir()
    (tmp_path / "app/core/__init__.py").write_text("")
    (tmp_path / "app/models.py").rename(tmp_path / "app/core/models.py")
    (tmp_path / "app/facade.py").rename(tmp_path / "app/core/users.py")
    (tmp_path / "app/core/users.py").write_text(facade.replace("app.models", "app.core.models"))
    _git_commit(tmp_path, "core")
    result = planned(project, missing_module("app.facade"))
    homes = {(edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in edits_of(result)
             if edit.transform == "add_reexport"}
    assert homes == {("User", "app.core.models"), ("make_user", "app.core.users")}
    assert "which imported 'User' from app.models, since moved to app.core.models" in result.alternatives[0].evidence


def test_a_block_that_moved_with_its_module_is_re_exported_not_copied(tmp_path: Path) -> None:
    """An eighth review: a ``git mv``-ed module's registry, bound under a version check, was
    restored as a copy of the block in the recreated module: a second dict, which the moved
    ``register`` never filled. Where the block lives on, its names come from there."""
    plugins = ("import sys\nfrom collections import OrderedDict\n\nif sys.version_info >= (3, 7):\n    REGISTRY = {}\n"
               "else:\n    REGISTRY = OrderedDict()\n\n\ndef register(name):\n    REGISTRY[name] = True\n")
    test = "from app.plugins import REGISTRY, register\n\n\ndef test_a():\n    register('a')\n    assert REGISTRY['a']\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/core/__init__.py": "", "app/plugins.py": plugins,
                                    "tests/test_a.py": test})
    (tmp_path / "app/plugins.py").rename(tmp_path / "app/core/plugins.py")
    _git_commit(tmp_path, "plugins -> core")
    whole, by_name, restored = planned(project, missing_module("app.plugins")).alternatives
    assert [(edit.transform, edit.kwargs()["module"]) for edit in whole.edits] == [("alias_module", "app.core.plugins")]
    assert [(edit.transform, edit.kwargs().get("name"), edit.kwargs().get("from_module")) for edit in by_name.edits] == [
        ("add_reexport", "REGISTRY", "app.core.plugins"), ("add_reexport", "register", "app.core.plugins")]
    # Should the module holding the block fail to import, the block restored as written comes
    # next, before any stub.
    assert [(edit.transform, edit.kwargs().get("names") or edit.kwargs().get("name")) for edit in restored.edits] == [
        ("restore_block", "REGISTRY"), ("add_reexport", "register")]


def test_a_helper_deleted_beside_the_tests_with_nothing_left_of_it_is_advice_not_a_stub_module(tmp_path: Path) -> None:
    """A stub module in a test folder would shadow a package of that name once installed: where
    none of the deleted helper's names lives on, the advice says what the file was."""
    project = _committed(tmp_path, {"tests/helpers.py": "def make_user(name):\n    return name\n",
                                    "tests/test_a.py": "from helpers import make_user\n"})
    (tmp_path / "tests/helpers.py").unlink()
    _git_commit(tmp_path, "no helpers")
    result = planned(project, missing_module("helpers"))
    assert not result.alternatives
    assert result.advice.startswith("'helpers' was tests/helpers.py, which commit ")


@pytest.mark.parametrize("holder", ["app/cli.py", "app/tests/test_stats.py"])
def test_the_same_lines_in_a_module_the_names_did_not_go_to_tell_no_move(tmp_path: Path, holder: str) -> None:
    """A ninth review: the stock ``try: import simplejson as json`` of a deleted compat module was
    re-exported from a console script that happens to hold the same lines (importing it pulled
    in a missing extra), or from a test module. Only the module the deleted module's
    definitions went to tells a move; elsewhere the block is restored."""
    block = "try:\n    import simplejson as json\nexcept ImportError:\n    import json\n"
    compat = block + "\n\ndef dumps(value):\n    return json.dumps(value)\n"
    test = "from app.compat import dumps, json\n\n\ndef test_a():\n    assert json.loads(dumps(1)) == 1\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/tests/__init__.py": "", "app/compat.py": compat,
                                    holder: block + "\nimport cf_absent_extra  # noqa\n", "tests/test_a.py": test})
    (tmp_path / "app/compat.py").unlink()
    (tmp_path / "app/serial.py").write_text("import json\n\n\ndef dumps(value):\n    return json.dumps(value)\n")
    _git_commit(tmp_path, "compat -> serial")
    edits = edits_of(planned(project, missing_module("app.compat")))
    assert [(edit.transform, edit.kwargs().get("names") or edit.kwargs().get("from_module")) for edit in edits] == [
        ("restore_block", "json"), ("add_reexport", "app.serial")]


def test_git_s_move_wins_over_a_copy_of_the_block_elsewhere(tmp_path: Path) -> None:
    """A ninth review: the moved module's block was reworded on the way, and a module begun as a
    copy still held it word for word: its own registry was re-exported instead of the moved one."""
    plugins = ("import sys\n\nif sys.version_info >= (3, 7):\n    REGISTRY = {}  # insertion ordered\n"
               "else:\n    REGISTRY = {}\n\n\ndef register(name):\n    REGISTRY[name] = True\n")
    test = "from app.plugins import REGISTRY, register\n\n\ndef test_a():\n    register('a')\n    assert REGISTRY['a']\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/core/__init__.py": "", "app/plugins.py": plugins,
                                    "app/exporters.py": plugins, "tests/test_a.py": test})
    (tmp_path / "app/plugins.py").unlink()
    (tmp_path / "app/core/plugins.py").write_text(plugins.replace("insertion ordered", "ordered since 3.7"))
    _git_commit(tmp_path, "plugins -> core")
    whole, by_name = planned(project, missing_module("app.plugins")).alternatives[:2]
    assert [(edit.transform, edit.kwargs()["module"]) for edit in whole.edits] == [("alias_module", "app.core.plugins")]
    assert {(edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in by_name.edits} == {
        ("REGISTRY", "app.core.plugins"), ("register", "app.core.plugins")}


def test_a_module_all_under_one_block_is_restored_not_taken_from_a_copy_elsewhere(tmp_path: Path) -> None:
    """Reviews ten and eleven: a registry and its ``register()``, all under one version check.
    Taking the one module holding the block as written picked a sibling begun as a copy, with its
    own live registry (and a console script of an extra not installed). With no definition
    outside the block, nothing tells where it went: the block is restored (a fold of such a
    module over two commits gets a copy of its registry: a limit the stop note names)."""
    plugins = ("import sys\n\nif sys.version_info >= (3, 7):\n    REGISTRY = {}\n\n    def register(name):\n"
               "        REGISTRY[name] = True\nelse:\n    REGISTRY = {}\n\n    def register(name):\n        REGISTRY[name] = 1\n")
    test = "from app.plugins import REGISTRY, register\n\n\ndef test_a():\n    register('a')\n    assert REGISTRY['a']\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/core/__init__.py": "", "app/plugins.py": plugins,
                                    "app/exporters.py": plugins + "\nregister('csv')\n", "tests/test_a.py": test})
    (tmp_path / "app/core/plugins.py").write_text(plugins.replace("REGISTRY = {}", "REGISTRY: dict = {}"))
    _git_commit(tmp_path, "core plugins")
    (tmp_path / "app/plugins.py").unlink()
    _git_commit(tmp_path, "drop the old one")
    edits = edits_of(planned(project, missing_module("app.plugins")))
    assert not any(edit.kwargs().get("from_module") == "app.exporters" for edit in edits), edits
    assert [(edit.transform, edit.kwargs().get("names")) for edit in edits] == [("restore_block", "REGISTRY,register")]


def test_a_block_whose_only_copy_imports_a_package_not_installed_is_restored(tmp_path: Path) -> None:
    """A twelfth review: the only module with the same lines was a console script of an extra not
    installed; the re-export from it traded the missing module for a missing package."""
    block = ("if sys.version_info >= (3, 9):\n    def removeprefix(text, prefix):\n        return text.removeprefix(prefix)\n"
             "else:\n    def removeprefix(text, prefix):\n        return text[len(prefix):]\n")
    project = _committed(tmp_path, {"app/__init__.py": "", "app/compat.py": "import sys\n\n" + block,
                                    "app/cli.py": "import sys\n\nimport cf_absent_extra  # noqa\n\n" + block,
                                    "tests/test_a.py": "from app.compat import removeprefix\n"})
    (tmp_path / "app/compat.py").unlink()
    _git_commit(tmp_path, "drop compat")
    (only,) = planned(project, missing_module("app.compat")).alternatives
    assert [(edit.transform, edit.kwargs().get("names")) for edit in only.edits] == [("restore_block", "removeprefix")]


_DB = ("ROWS = [(1, 'ann')]\n\n\ndef fetch_rows(table, limit=None):\n    rows = [row for row in ROWS if table == 'users']\n"
       "    return rows if limit is None else rows[:limit]\n\n\ndef count(table):\n    return len(fetch_rows(table))\n")


@pytest.mark.parametrize("renamed_first", [True, False], ids=["renamed, then moved", "moved, then renamed"])
def test_a_name_renamed_in_one_change_and_moved_with_its_module_in_another_comes_back_renamed(
    tmp_path: Path, renamed_first: bool
) -> None:
    """A twelfth review: ``fetch_rows`` became ``fetch_all_rows`` in one commit and ``app/db.py``
    moved to ``app/storage/db.py`` in another (either order): it was stubbed. git pairs the
    rename, and the move, step by step."""
    test = "from app.db import count, fetch_rows\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/db.py": _DB, "tests/test_a.py": test})
    (tmp_path / "app/storage").mkdir()
    (tmp_path / "app/storage/__init__.py").write_text("")
    steps = ["rename", "move"] if renamed_first else ["move", "rename"]
    for step in steps:
        db = tmp_path / ("app/db.py" if step == "rename" and renamed_first else "app/storage/db.py")
        if step == "rename":
            db.write_text(db.read_text().replace("fetch_rows", "fetch_all_rows"))
        else:
            (tmp_path / "app/db.py").rename(tmp_path / "app/storage/db.py")
        _git_commit(tmp_path, step)
    result = planned(project, missing_module("app.db"))
    assert {(edit.kwargs()["name"], edit.kwargs().get("new_name")) for edit in edits_of(result)} == {
        ("count", None), ("fetch_rows", "fetch_all_rows")}
    assert "renamed" in result.alternatives[0].evidence and "stub" not in result.alternatives[0].description


def test_a_block_folded_into_a_module_of_its_own_comes_from_there_with_all_its_names(tmp_path: Path) -> None:
    """A twelfth review: a registry block went to ``app/registry.py`` in one commit and the
    module's unconditional ``slugify`` to ``app/text.py`` in the next. ``register`` was
    re-exported from the registry module, ``REGISTRY`` restored as a copy: a second, empty
    registry. The module the block's definitions went to holds the block: all of it comes from there."""
    block = ("import sys\n\nif sys.version_info >= (3, 8):\n    REGISTRY = {}\n\n    def register(name):\n"
             "        REGISTRY[name] = True\nelse:\n    REGISTRY = {}\n\n    def register(name):\n        REGISTRY[name] = 1\n")
    slug = "\n\ndef slugify(text):\n    return '-'.join(text.lower().split())\n"
    test = "from app.plugins import REGISTRY, register, slugify\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/plugins.py": block + slug, "tests/test_a.py": test})
    (tmp_path / "app/registry.py").write_text(block)
    _git_commit(tmp_path, "registry: its own module")
    (tmp_path / "app/text.py").write_text("import re\n" + slug)
    (tmp_path / "app/plugins.py").unlink()
    _git_commit(tmp_path, "text: slugify; drop plugins")
    edits = edits_of(planned(project, missing_module("app.plugins")))
    assert {(edit.transform, edit.kwargs().get("name"), edit.kwargs().get("from_module")) for edit in edits} == {
        ("add_reexport", "REGISTRY", "app.registry"), ("add_reexport", "register", "app.registry"),
        ("add_reexport", "slugify", "app.text")}


@pytest.mark.parametrize("branches", ["imports", "defs"])
def test_a_block_that_reads_a_setting_of_its_module_comes_back_with_it_never_as_one_branch(
    tmp_path: Path, branches: str
) -> None:
    """A twelfth review: ``WINDOWS = sys.platform.startswith("win")`` then ``if WINDOWS: from
    app._win import path_sep`` / ``else: from app._posix import path_sep``; the block read a
    setting, so the first branch was re-exported: on Linux, the Windows separator. With defs in
    the branches, the one module holding the first branch's code was taken. The setting comes
    along and the block is restored: the interpreter takes the branch it took before."""
    if branches == "imports":
        block = "if WINDOWS:\n    from app._win import path_sep\nelse:\n    from app._posix import path_sep\n"
    else:
        block = "if WINDOWS:\n    def path_sep():\n        return '\\\\'\nelse:\n    def path_sep():\n        return '/'\n"
    compat = "import sys\n\nWINDOWS = sys.platform.startswith('win')\n\n" + block
    project = _committed(tmp_path, {"app/__init__.py": "", "app/compat.py": compat,
                                    "app/_win.py": "def path_sep():\n    return '\\\\'\n",
                                    "app/_posix.py": "def path_sep():\n    return '/'\n",
                                    "tests/test_a.py": "from app.compat import path_sep\n"})
    (tmp_path / "app/compat.py").unlink()
    _git_commit(tmp_path, "drop compat")
    (first, *_) = planned(project, missing_module("app.compat")).alternatives
    assert [(edit.transform, edit.kwargs().get("names")) for edit in first.edits] == [("restore_block", "path_sep")]
    assert "WINDOWS = sys.platform.startswith('win')\n\nif WINDOWS:" in first.edits[0].kwargs()["statement"]


@pytest.mark.parametrize("utils_moved", [False, True])
def test_an_alias_of_an_imported_modules_attribute_comes_back_from_where_that_module_is(
    tmp_path: Path, utils_moved: bool
) -> None:
    """A twelfth review: a deleted facade held ``from app import utils as _utils`` and
    ``cache_size = _utils.cache_size``; ``cache_size`` was stubbed though ``app.utils`` (or, moved
    by the same change, ``app.text.utils``) defines it."""
    utils = "def cache_size():\n    return 0\n"
    facade = "from app import utils as _utils\n\ncache_size = _utils.cache_size\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/utils.py": utils, "app/compat.py": facade,
                                    "tests/test_a.py": "from app.compat import cache_size\n"})
    (tmp_path / "app/compat.py").unlink()
    if utils_moved:
        (tmp_path / "app/text").mkdir()
        (tmp_path / "app/text/__init__.py").write_text("")
        (tmp_path / "app/utils.py").rename(tmp_path / "app/text/utils.py")
    _git_commit(tmp_path, "drop compat")
    edits = edits_of(planned(project, missing_module("app.compat")))
    home = "app.text.utils" if utils_moved else "app.utils"
    assert [(edit.transform, edit.kwargs()["name"], edit.kwargs()["from_module"]) for edit in edits] == [
        ("add_reexport", "cache_size", home)]


def test_a_name_reused_for_other_code_after_the_move_is_followed_to_where_its_code_went(tmp_path: Path) -> None:
    """A thirteenth review: ``app/db.py`` moved to ``app/storage/db.py``; a later commit renamed
    ``fetch_rows`` (a list) to ``fetch_all_rows`` and added a new, streaming ``fetch_rows``. The
    module was kept as the one it became, and the tests got the generator."""
    project = _committed(tmp_path, {"app/__init__.py": "", "app/db.py": _DB, "tests/test_a.py": "from app.db import count, fetch_rows\n"})
    (tmp_path / "app/storage").mkdir()
    (tmp_path / "app/storage/__init__.py").write_text("")
    (tmp_path / "app/db.py").rename(tmp_path / "app/storage/db.py")
    _git_commit(tmp_path, "move")
    db = tmp_path / "app/storage/db.py"
    db.write_text(db.read_text().replace("fetch_rows", "fetch_all_rows")
                  + "\n\ndef fetch_rows(table):\n    yield from fetch_all_rows(table)\n")
    _git_commit(tmp_path, "stream rows")
    first = planned(project, missing_module("app.db")).alternatives[0]
    assert {(edit.transform, edit.kwargs().get("name"), edit.kwargs().get("new_name")) for edit in first.edits} == {
        ("add_reexport", "count", None), ("add_reexport", "fetch_rows", "fetch_all_rows")}


def test_modules_merged_with_names_renamed_each_forward_their_own_old_name(tmp_path: Path) -> None:
    """A fourteenth review: ``mysql.py`` and ``sqlite.py``, each with a ``Backend``, merged into
    ``backends.py`` as ``MysqlBackend`` and ``SqliteBackend``: kept as that module with ``Backend``
    bound there, the second import overwrote the first one's ``Backend``. Each old module forwards
    its own old name (``tests/codemods/test_alias_module.py`` runs both), nothing bound on the
    merged module; re-exported under the old name is the next alternative."""
    backend = "class Backend:\n    name = '{}'\n\n    def connect(self):\n        return self.name + ':connected'\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/mysql.py": backend.format("mysql"),
                                    "app/sqlite.py": backend.format("sqlite"),
                                    "tests/test_a.py": "from app.mysql import Backend\nfrom app.sqlite import Backend\n"})
    (tmp_path / "app/mysql.py").unlink()
    (tmp_path / "app/sqlite.py").unlink()
    (tmp_path / "app/backends.py").write_text(backend.format("mysql").replace("Backend", "MysqlBackend") + "\n\n"
                                              + backend.format("sqlite").replace("Backend", "SqliteBackend"))
    _git_commit(tmp_path, "one backends module")
    for old, new in (("mysql", "MysqlBackend"), ("sqlite", "SqliteBackend")):
        whole, by_name = planned(project, missing_module(f"app.{old}")).alternatives
        assert [edit.kwargs().get("renamed") for edit in whole.edits if edit.path == f"app/{old}.py"] == [
            f"Backend={new}"]
        assert by_name.edits == (Edit(f"app/{old}.py", "add_reexport", (
            ("from_module", "app.backends"), ("name", "Backend"), ("new_name", new))),)


def test_a_moved_definition_edited_since_is_not_taken_for_another_with_its_old_short_code(tmp_path: Path) -> None:
    """A fourteenth review: ``default_headers`` (``return {}``) moved, then was edited in place;
    ``default_params`` there still reads ``return {}``, and was taken for it."""
    helpers = "def default_headers():\n    return {}\n\n\ndef default_params():\n    return {}\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers,
                                    "tests/test_a.py": "from app.helpers import default_headers\n"})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/storage.py")
    _git_commit(tmp_path, "helpers -> storage")
    storage = tmp_path / "app/storage.py"
    storage.write_text(storage.read_text().replace("    return {}\n", "    return {'Accept': 'json'}\n", 1))
    _git_commit(tmp_path, "headers")
    first = planned(project, missing_module("app.helpers")).alternatives[0]
    assert all(edit.kwargs().get("new_name") in (None, "default_headers") for edit in first.edits), first.edits


TURNING_DOCTESTS_ON = {  # how a conftest pytest never got to configure turns them on
    "a conftest pytest never got to configure": "config.option.doctestmodules = True",
    "a conftest setting it from the environment": "config.option.doctestmodules = not os.environ.get('NO_DOCTESTS')",
    "a conftest setting it by name": "setattr(config.option, 'doctestmodules', True)",
    "a conftest setting it through vars()": "vars(config.option)['doctestmodules'] = True",
}


@pytest.mark.parametrize("given", ["args", "environment", *TURNING_DOCTESTS_ON])
def test_no_module_alias_where_doctest_modules_comes_from_the_run_or_the_environment(
    tmp_path: Path, given: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fourteenth review: ``--doctest-modules`` given through ``--pytest-args`` or
    ``PYTEST_ADDOPTS`` (not the ini file) still makes pytest import every module by its path."""
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": "def parse(text):\n    return int(text)\n",
                                    "tests/test_a.py": PARSE_TEST})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")
    assert [edit.transform for edit in edits_of(planned(project, missing_module("app.helpers")))] == ["alias_module"]
    args: tuple[str, ...] = ()
    if given == "args":
        args = ("--doctest-modules",)
    elif given == "environment":
        monkeypatch.setenv("PYTEST_ADDOPTS", "-q --doctest-modules")
    else:  # reviews 16 and hAI 09: the conftest failed on the move, so the probe never saw pytest configured
        (tmp_path / "conftest.py").write_text("import os\n\nfrom app.helpers import parse\n\n\n"
                                             f"def pytest_configure(config):\n    {TURNING_DOCTESTS_ON[given]}\n")
        project = Project(tmp_path)
    result = missing_modules.plan(missing_module("app.helpers"), project, Options(root=tmp_path, pytest_args=args))
    assert [edit.transform for edit in edits_of(result)] == ["add_reexport"]


@pytest.mark.parametrize("taken", [False, True], ids=["an import nobody takes", "an import a test takes"])
def test_a_module_moved_whole_stays_whole_when_a_later_change_dropped_an_import_nobody_takes(
    tmp_path: Path, taken: bool
) -> None:
    """click (a review on real projects): ``_termui_impl`` moved whole to ``_termui_backend``; a
    later commit replaced its ``from ._compat import term_len`` with another helper. No test takes
    ``term_len`` from the old module, so it is still the module it became; a test that takes it
    would find it missing there, so then the names come back one by one."""
    impl = ("from app._compat import term_len\n\n\ndef width(text):\n    \"\"\"The width of ``text`` on a terminal.\"\"\""
            "\n    return term_len(text)\n")
    test = "from app import _impl\n\n\ndef test_w():\n    assert _impl.width('ab') == 2\n"
    if taken:
        test += "\n\ndef test_t():\n    assert _impl.term_len('ab') == 2\n"
    project = _committed(tmp_path, {"app/__init__.py": "", "app/_compat.py": "def term_len(text):\n    return len(text)\n",
                                    "app/_impl.py": impl, "tests/test_a.py": test})
    (tmp_path / "app/_impl.py").rename(tmp_path / "app/_backend.py")
    _git_commit(tmp_path, "_impl -> _backend")
    (tmp_path / "app/_utils.py").write_text("def display_width(text):\n    return len(text)\n")
    backend = tmp_path / "app/_backend.py"
    backend.write_text(impl.replace("from app._compat import term_len", "from app._utils import display_width")
                       .replace("return term_len(", "return display_width("))
    _git_commit(tmp_path, "term_len -> display_width")
    transforms = [edit.transform for edit in edits_of(planned(project, missing_module("app._impl")))]
    assert ("alias_module" in transforms) is not taken, transforms


@pytest.mark.parametrize("before_the_move", ["renamed", "deleted"])
def test_no_module_alias_where_a_name_taken_was_gone_before_the_move_and_its_name_reused(
    tmp_path: Path, before_the_move: str
) -> None:
    """Fifteenth and sixteenth reviews: ``format_size`` (SI units) became ``format_size_si``, or
    was deleted; a later change moved the module and wrote a new, binary ``format_size`` there.
    Kept as that module, the test got the new function: the name comes back from its rename, or
    as a stub, instead."""
    units = 'def format_size(n):\n    """Bytes in SI units."""\n    return f"{n / 1000:.1f} kB"\n\n\nUNIT = "B"\n'
    project = _committed(tmp_path, {"app/__init__.py": "", "app/units.py": units,
                                    "tests/test_a.py": "from app.units import UNIT, format_size\n"})
    gone = units.replace("def format_size(", "def format_size_si(") if before_the_move == "renamed" else 'UNIT = "B"\n'
    (tmp_path / "app/units.py").write_text(gone)
    _git_commit(tmp_path, f"format_size {before_the_move}")
    (tmp_path / "app/units.py").rename(tmp_path / "app/sizes.py")
    sizes = tmp_path / "app/sizes.py"
    sizes.write_text(sizes.read_text() + '\n\ndef format_size(n):\n    """Bytes in binary units."""\n'
                                         '    return f"{n / 1024:.1f} KiB"\n')
    _git_commit(tmp_path, "units -> sizes, binary format_size")
    edits = edits_of(planned(project, missing_module("app.units")))
    assert "alias_module" not in [edit.transform for edit in edits]
    if before_the_move == "renamed":
        assert ("add_reexport", "format_size", "format_size_si") in [
            (edit.transform, edit.kwargs().get("name"), edit.kwargs().get("new_name")) for edit in edits]


def test_a_name_the_module_never_bound_comes_from_the_one_module_of_its_split_that_defines_it(tmp_path: Path) -> None:
    """A fifteenth review: ``helpers`` split into ``factories`` and ``assertions``, which added
    ``assert_all_valid``; a test half updated takes it by the old name: from ``assertions``."""
    make = 'def make_user():\n    """A user."""\n    return {"name": "ann"}\n'
    check = 'def assert_valid(user):\n    """Fail unless valid."""\n    assert user["name"]\n'
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": make + "\n\n" + check,
                                    "tests/test_a.py": "from app.helpers import assert_all_valid, assert_valid\n"})
    (tmp_path / "app/helpers.py").unlink()
    (tmp_path / "app/factories.py").write_text(make)
    (tmp_path / "app/assertions.py").write_text(check + '\n\ndef assert_all_valid(users):\n    """All valid."""\n'
                                                '    for user in users:\n        assert_valid(user)\n')
    _git_commit(tmp_path, "split helpers")
    edits = edits_of(planned(project, missing_module("app.helpers")))
    assert {(edit.kwargs().get("name"), edit.kwargs().get("from_module")) for edit in edits} == {
        ("assert_all_valid", "app.assertions"), ("assert_valid", "app.assertions")}


@pytest.mark.parametrize("reads", ["assert not config.getoption('doctestmodules')",
                                   "assert config.option.doctestmodules == False",
                                   "config.option.doctestmodules = False",
                                   "print(getattr(config.option, 'doctestmodules', None))",
                                   "print(config.getoption('doctestmodules', default=None))",
                                   "doctestmodules = getattr(config.option, 'doctestmodules', None)"])
def test_a_conftest_that_only_reads_the_doctest_option_keeps_the_module_alias(tmp_path: Path, reads: str) -> None:
    """An eighteenth review: the conftest failed on the move, so pytest was never configured, and
    one that only read ``config.getoption("doctestmodules")`` was taken for turning doctests on."""
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": "def parse(text):\n    return int(text)\n",
                                    "tests/test_a.py": PARSE_TEST,
                                    "conftest.py": "from app.helpers import parse\n\n\ndef pytest_configure(config):\n"
                                                   f"    {reads}\n"})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")
    assert [edit.transform for edit in edits_of(planned(project, missing_module("app.helpers")))] == ["alias_module"]


@pytest.mark.parametrize("script", [False, True], ids=["a module", "a module that runs as a script too"])
def test_a_module_moved_whole_that_runs_as_a_script_is_run_by_python_m_of_the_old_name(
    tmp_path: Path, script: bool
) -> None:
    """Review hAI 06: ``python -m app.helpers`` must run what ``app.text`` runs as a script."""
    helpers = "def parse(text):\n    return int(text)\n" + ("\n\nif __name__ == '__main__':\n    print(parse('1'))\n"
                                                          if script else "")
    project = _committed(tmp_path, {"app/__init__.py": "", "app/helpers.py": helpers, "tests/test_a.py": PARSE_TEST})
    (tmp_path / "app/helpers.py").rename(tmp_path / "app/text.py")
    _git_commit(tmp_path, "helpers -> text")

    (edit,) = edits_of(planned(project, missing_module("app.helpers")))

    assert edit.transform == "alias_module" and edit.kwargs().get("main") == ("1" if script else None)


@pytest.mark.parametrize("own_all", [False, True], ids=["the module lists nothing", "the module lists its own"])
@pytest.mark.parametrize("read", ["", "_config.__all__", "getattr(_config, '__all__')"],
                         ids=["no test reads its __all__", "a test reads its __all__", "a test reads it by getattr"])
def test_a_module_folded_whole_into_another_is_that_module_unless_a_test_reads_a_list_it_lost(
    tmp_path: Path, own_all: bool, read: str
) -> None:
    """attrs (a review on real projects): ``_config`` (its ``__all__``, a flag and the functions
    setting it) was folded word for word into ``setters``. Re-exported, the flag was a copy: tests
    setting ``_config._run_validators`` never reached the code. Reviews hAK 06, hAL 07: where a
    test reads the old ``__all__`` (as an attribute or by ``getattr``), ``setters``' list (its own,
    or none) is no answer: names one by one. Review hAM 08, 11: where none reads it, what
    ``setters`` lists decides nothing."""
    config = ("__all__ = ['set_run']\n\n_run = True\n\n\ndef set_run(run):\n    global _run\n    _run = run\n")
    listed = "__all__ = ['frozen']\n\n\n" if own_all else ""
    test = "from pkg import _config\n\n\ndef test_off():\n    _config._run = False\n    _config.set_run(True)\n"
    if read:
        test += f"\n\ndef test_api():\n    assert {read} == ['set_run']\n"
    project = _committed(tmp_path, {"pkg/__init__.py": "", "pkg/_config.py": config,
                                    "pkg/setters.py": f"{listed}def frozen():\n    raise AttributeError\n",
                                    "tests/test_a.py": test})
    (tmp_path / "pkg/setters.py").write_text(listed + config.split("\n\n", 1)[1]
                                             + "\n\ndef frozen():\n    raise AttributeError\n")
    (tmp_path / "pkg/_config.py").unlink()
    _git_commit(tmp_path, "fold _config into setters")

    edits = edits_of(planned(project, missing_module("pkg._config")))

    assert any(edit.transform == "alias_module" for edit in edits) is not bool(read)
    assert read or edits[0].kwargs()["module"] == "pkg.setters"
