"""End to end: moved, renamed and never-written names are repaired, verified by real pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest
from conftest import collect_only, collected_ids, run_in_process, run_tests, snapshot, write_files

# Every test of every file that failed to collect (11 missing names, 10 failing collectors).
EXPECTED_IDS = {
    "tests/api/test_orders_api.py::test_token_is_accepted",
    "tests/api/test_orders_api.py::test_garbage_is_rejected",
    "tests/test_cache.py::test_cached_result_is_correct",
    "tests/test_cache.py::test_invalidate_unknown_key_is_fine",
    "tests/test_checkout.py::test_checkout_builds_one_line_per_product",
    "tests/test_checkout.py::test_checkout_totals_the_basket",
    "tests/test_discounts.py::test_apply_discount_takes_percent_off",
    "tests/test_discounts.py::test_unknown_code_gives_no_discount",
    "tests/test_discounts.py::test_price_with_code",
    "tests/test_formatting.py::test_format_price_uses_two_decimals",
    "tests/test_formatting.py::test_default_currency_is_a_code",
    "tests/test_inventory.py::test_reserve_fails_without_stock",
    "tests/test_inventory.py::test_restock_then_reserve",
    "tests/test_middleware.py::test_subclass_processes_request",
    "tests/test_middleware.py::test_base_passes_request_through",
    "tests/test_notifications.py::test_email_notifier_sends_to_customer",
    "tests/test_notifications.py::test_plain_notifier_can_be_created",
    "tests/test_notifications.py::test_slack_notifier_formats",
    "tests/test_payments.py::test_charge_reports_amount",
    "tests/test_payments.py::test_refund_marks_payment",
    "tests/test_sms.py::test_send_sms_returns_receipt",
}
# Tests that exercise a moved or renamed name: they pass once repaired, they do not need a stub.
PASSING_AFTER_REPAIR = [
    "tests/test_checkout.py",
    "tests/test_discounts.py",
    "tests/test_inventory.py",
    "tests/test_middleware.py",
    "tests/test_payments.py",
]


def collection_errors(root: Path) -> list[str]:
    return [line for line in collect_only(root).stdout.splitlines() if line.startswith("ERROR ")]




def test_apply_repairs_every_missing_name(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_names")
    assert collected_ids(root) == []
    assert len(collection_errors(root)) == 10

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert collection_errors(root) == []
    assert set(collected_ids(root)) == EXPECTED_IDS
    assert run_tests(root, *PASSING_AFTER_REPAIR).returncode == 0

    source = {path: (root / path).read_text() for path in (
        "shop/discounts.py", "shop/inventory.py", "shop/middleware.py", "shop/payments.py", "shop/models.py",
        "shop/notifications.py", "shop/auth.py", "shop/cache.py", "shop/formatting.py",
    )}
    # moved: imported from its new home where that imports the old module (a re-export would break
    # whoever imports shop.pricing first); else re-exported, and listed in __all__.
    assert "apply_discount" not in source["shop/discounts.py"]
    assert (root / "tests/test_discounts.py").read_text().startswith(
        "from shop.discounts import code_percent\nfrom shop.pricing import apply_discount, price_with_code\n"
    )
    assert "from shop.warehouse import restock\n" in source["shop/inventory.py"]
    assert '    "restock",\n]' in source["shop/inventory.py"]
    # renamed: aliased with a marker.
    assert "BaseMiddleware = Middleware  # collect-fix: alias -> Middleware (renamed)" in source["shop/middleware.py"]
    assert "charge = charge_card  # collect-fix: alias -> charge_card (renamed)" in source["shop/payments.py"]
    assert "LineItem = OrderLineItem  # collect-fix: alias" in source["shop/models.py"]
    # never written: stubs shaped by use.
    assert "class EmailNotifier(_CollectFixStub):  # collect-fix: stub" in source["shop/notifications.py"]
    assert "class Notifier(_CollectFixStub):  # collect-fix: stub" in source["shop/notifications.py"]
    assert "async def send_sms(*args: object, **kwargs: object) -> NoReturn:  # collect-fix: stub" in source[
        "shop/notifications.py"
    ]
    assert "def make_token(*args: object, **kwargs: object) -> Any:  # collect-fix: stub" in source["shop/auth.py"]
    assert "def cached(func: Any) -> Any:  # collect-fix: stub" in source["shop/cache.py"]
    assert 'DEFAULT_CURRENCY: Any = _CollectFixStub._value("DEFAULT_CURRENCY")  # collect-fix: stub' in source[
        "shop/formatting.py"
    ]
    assert not any("collect-fix" in path.read_text() for path in (root / "tests").rglob("*.py"))

    listed = run_in_process(root, "--list-stubs")
    assert listed.returncode == 1
    marked = [line for line in listed.stdout.splitlines() if "# collect-fix:" in line]
    assert len(marked) == 10  # 9 stubs and aliases, 1 re-export of a moved name
    assert sum("# collect-fix: re-export" in line for line in marked) == 1

    after = snapshot(root)
    second = run_in_process(root, "--apply")
    assert second.returncode == 0, second.stdout + second.stderr
    assert snapshot(root) == after


def test_rewrite_imports_fixes_moved_and_renamed_names_in_the_importers(
    fixture_project: Callable[[str], Path],
) -> None:
    root = fixture_project("missing_names")
    untouched = {path: (root / path).read_bytes() for path in (
        "shop/discounts.py", "shop/inventory.py", "shop/middleware.py", "shop/payments.py", "shop/models.py",
    )}

    result = run_in_process(root, "--apply", "--rewrite-imports")

    assert result.returncode == 0, result.stdout + result.stderr
    assert set(collected_ids(root)) == EXPECTED_IDS
    assert {path: (root / path).read_bytes() for path in untouched} == untouched
    # The test modules use the new names: the import and every use (the sorted import merges, as ruff wants).
    middleware = (root / "tests/test_middleware.py").read_text()
    assert "from shop.middleware import Middleware\n" in middleware and "BaseMiddleware" not in middleware
    # A project module keeps the old name (others may import or patch shop.checkout.LineItem); an
    # import with "as" stays on its own line, as ruff's and isort's default (combine-as-imports off) want.
    checkout = (root / "shop/checkout.py").read_text()
    assert "from shop.models import Order\nfrom shop.models import OrderLineItem as LineItem\n" in checkout
    assert "LineItem(product" in checkout
    discounts = (root / "tests/test_discounts.py").read_text()
    assert discounts.startswith("from shop.discounts import code_percent\nfrom shop.pricing import apply_discount, price_with_code\n")
    assert run_tests(root, *PASSING_AFTER_REPAIR).returncode == 0


def test_rewrite_imports_can_be_set_in_pyproject(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_names")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.collect-fix]\nrewrite-imports = true\n")
    middleware = (root / "shop/middleware.py").read_bytes()

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "shop/middleware.py").read_bytes() == middleware  # no alias in the source
    assert "from shop.middleware import Middleware\n" in (root / "tests/test_middleware.py").read_text()


def test_the_command_line_wins_over_pyproject(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_names")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.collect-fix]\nrewrite-imports = true\n")

    result = run_in_process(root, "--apply", "--no-rewrite-imports")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BaseMiddleware = Middleware  # collect-fix: alias" in (root / "shop/middleware.py").read_text()


def test_a_name_moved_into_a_module_that_imports_back_is_imported_from_its_new_home(tmp_path: Path) -> None:
    """``normalize_policy_key`` moved to shop.notice, which imports shop.policy when it loads: a
    re-export in shop.policy would break whoever imports shop.notice first (the conftest below),
    so the test's import is rewritten, first time, and the package keeps importing in any order."""
    from conftest import MOVED_INTO_A_MODULE_THAT_IMPORTS_BACK as files, write_files

    root = write_files(tmp_path, files)

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "partially initialized" not in result.stdout  # no re-export was tried
    assert (root / "shop/policy.py").read_text() == files["shop/policy.py"]
    assert "from shop.notice import normalize_policy_key" in (root / "tests/test_policy.py").read_text()
    assert collected_ids(root) == ["tests/role/test_role.py::test_role", "tests/test_policy.py::test_key"]
    assert "1 passed" in run_tests(root, "tests/test_policy.py").stdout


# Moved names where a re-export would put two modules on an import cycle (hostile reviews).
IMPORT_ORDER_CASES = {
    'package re-export on a cycle through a module outside it': {
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'mylib/__init__.py': 'VERSION = "1"\n',
        'mylib/core.py': 'from tools import fmt\n\n\ndef make():\n    return fmt()\n',
        'tools.py': 'from mylib import VERSION\n\n\ndef fmt():\n    return VERSION\n',
        'tests/test_it.py': "from mylib import make\n\n\ndef test_it():\n    assert make() == '1'\n",
        'tests/test_tools.py': "from tools import fmt\n\n\ndef test_fmt():\n    assert fmt() == '1'\n",
    },
    "two packages' re-exports closing a cycle together": {
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'p/__init__.py': 'VERSION = "1"\n',
        'p/x.py': 'from q import QV\n\n\ndef make():\n    return QV\n',
        'q/__init__.py': 'QV = "q"\n',
        'q/y.py': 'from p import VERSION\n\n\ndef thing():\n    return VERSION\n',
        'tests/test_p.py': "from p import make\n\n\ndef test_p():\n    assert make() == 'q'\n",
        'tests/test_q.py': "from q import thing\n\n\ndef test_q():\n    assert thing() == '1'\n",
    },
    'a rewrite in a project module closing a cycle with a kept re-export': {
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'm1.py': 'X = 1\n',
        'm2.py': "def a():\n    return 'a'\n",
        'm3.py': 'from m1 import a\n\n\ndef b():\n    return a()\n',
        'tests/test_a.py': "import m3\n\n\ndef test_a():\n    assert m3.b() == 'a'\n",
        'tests/test_b.py': "from m2 import b\n\n\ndef test_b():\n    assert b() == 'a'\n",
    },
    'package re-export on a cycle through a sibling module': {
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'a/__init__.py': '',
        'a/b/__init__.py': "VERSION = '1'\n",
        'a/b/c.py': 'from a.d import fmt\n\n\ndef make():\n    return fmt()\n',
        'a/d.py': 'from a.b import VERSION\n\n\ndef fmt():\n    return VERSION\n',
        'tests/test_it.py': "from a.b import make\n\n\ndef test_it():\n    assert make() == '1'\n",
        'tests/test_z.py': "from a.d import fmt\n\n\ndef test_fmt():\n    assert fmt() == '1'\n",
    },
    'package re-export whose submodule reaches the package only through modules inside it': {
        'pkg/__init__.py': '\n',
        'pkg/consts.py': 'CONST = 1\n',
        'pkg/sub.py': 'from pkg.util import helper\n\n\ndef moved():\n    return helper()\n',
        'pkg/util.py': 'from . import consts\n\ndef helper():\n    return consts.CONST\n',
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'tests/test_a.py': 'from pkg import moved\n\ndef test_a():\n    assert moved() == 1\n',
        'tests/test_b.py': 'from pkg import moved\n\ndef test_b():\n    assert moved() == 1\n',
    },
    "package re-export on a cycle through a module its home's parent package imports": {
        'pkg/__init__.py': 'CONST = 1\n',
        'pkg/sub/__init__.py': 'from xmod import thing\n',
        'pkg/sub/deep.py': 'def moved():\n    return 2\n',
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'tests/test_a.py': 'from pkg import moved\n\ndef test_a():\n    assert moved() == 2\n',
        'tests/test_b.py': 'from pkg import moved\n\ndef test_b():\n    assert moved() == 2\n',
        'xmod.py': 'from pkg import CONST\n\nthing = CONST + 1\n',
    },
    "package re-export on a cycle through the home's parent package and its own import": {
        'pkg/__init__.py': 'CONST = 1\n',
        'pkg/sub/__init__.py': 'from xmod import thing\n',
        'pkg/sub/deep.py': 'from pkg import CONST\n\ndef moved():\n    return CONST + 1\n',
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'tests/test_a.py': 'from pkg import moved\n\ndef test_a():\n    assert moved() == 2\n',
        'tests/test_b.py': 'from pkg import moved\n\ndef test_b():\n    assert moved() == 2\n',
        'xmod.py': 'from pkg import CONST\n\nthing = CONST + 1\n',
    },
    're-export on a cycle closed by a rewrite another plan tries first': {
        'P.py': 'from mB import b\n',
        'hA.py': 'import P\n\n\ndef a():\n    return 1\n',
        'hB.py': 'import mB\nimport mA\n\n\ndef b():\n    return 2\n',
        'mA.py': 'VALUE = 1\n',
        'mB.py': 'X = 1\n',
        'pytest.ini': '[pytest]\npythonpath = .\n',
        'tests/test_a.py': 'from mA import a\n\ndef test_a():\n    assert a() == 1\n',
        'tests/test_p.py': 'import P\n\ndef test_p():\n    assert P.b() == 2\n',
    },
}


@pytest.mark.parametrize("files", IMPORT_ORDER_CASES.values(), ids=list(IMPORT_ORDER_CASES))
def test_every_module_still_imports_first_and_every_test_file_collects_alone(tmp_path: Path, files: dict[str, str]) -> None:
    """A repair that collects in one order but breaks another is wrong: after --apply, every module
    of the project imports in a fresh interpreter as the first one, and every test file collects alone."""
    from conftest import write_files

    root = write_files(tmp_path, files)

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    modules = sorted({
        ".".join(Path(path).with_suffix("").parts).removesuffix(".__init__")
        for path in files if path.endswith(".py") and not path.startswith("tests/")
    })
    for module in modules:
        first = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=root, capture_output=True, text=True)
        assert first.returncode == 0, f"import {module} first: {first.stderr}"
    for test_file in sorted(path for path in files if path.startswith("tests/test_")):
        alone = collect_only(root, test_file)
        assert alone.returncode == 0, f"{test_file} alone: {alone.stdout}"
    assert "partially initialized" not in result.stdout  # decided before the round, not by a failed one


def test_a_package_reexport_its_submodule_reaches_only_through_the_package_stays_one_edit(tmp_path: Path) -> None:
    """Modules inside a package are never imported before it: a re-export last in the package is
    safe in every order, so the two importers are left alone."""
    from conftest import write_files

    files = IMPORT_ORDER_CASES["package re-export whose submodule reaches the package only through modules inside it"]
    root = write_files(tmp_path, files)

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "pkg/__init__.py").read_text().rstrip().endswith("from pkg.sub import moved")
    assert all((root / test).read_text() == files[test] for test in ("tests/test_a.py", "tests/test_b.py"))


def test_a_name_the_module_never_had_is_a_stub_even_beside_one_spelled_like_it(tmp_path: Path) -> None:
    """cachetools: a test written before its class imports WeakLRUCache; the package defines
    LRUCache, and "one name contains the other". Without history that reads as a rename; here
    git shows no version of the package that ever named WeakLRUCache, so an alias would make its
    tests pass against another class. It gets a stub, and its test fails as it should."""
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    (root / "pkg/__init__.py").write_text(
        "class LRUCache(dict):\n    def __init__(self, maxsize):\n        super().__init__()\n        self.maxsize = maxsize\n"
    )
    (root / "tests/test_lru.py").write_text("from pkg import LRUCache\n\n\ndef test_lru():\n    assert LRUCache(2).maxsize == 2\n")
    _committed(root, "lru", init=True)
    (root / "tests/test_weak.py").write_text(
        "from pkg import WeakLRUCache\n\n\ndef test_weak():\n    assert WeakLRUCache(3).maxsize == 3\n"
    )
    _committed(root, "Tests: WeakLRUCache, not written yet")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "-> add a class stub 'WeakLRUCache' to pkg" in result.stdout
    assert "git shows no version of pkg/__init__.py that named it" in result.stdout
    assert "WeakLRUCache = LRUCache" not in (root / "pkg/__init__.py").read_text()
    outcome = run_tests(root).stdout
    assert "1 failed, 1 passed" in outcome and "NotImplementedError" in outcome


@pytest.mark.parametrize(("before", "after"), [
    ("from .helpers import *\n", "from .helpers import *\nfrom .textutil import *\n"),
    ("from .helpers import count_rows, fetch_rows\n", "from .helpers import count_rows\nfrom .textutil import fetch_all_rows\n"),
], ids=["star imports", "explicit imports"])
def test_a_name_moved_and_renamed_in_one_change_is_imported_from_its_new_home(
    tmp_path: Path, before: str, after: str
) -> None:
    """One commit moved ``fetch_rows`` out of ``pkg/helpers.py`` into a new ``pkg/textutil.py`` as
    ``fetch_all_rows``, same body. The test's import is pointed there (a hostile review: a stub
    failed two passing tests, under the untrue evidence "added nothing git pairs with it")."""
    from conftest import write_files

    body = "(db, limit=None):\n    rows = [row for row in db if row is not None]\n    return rows if limit is None else rows[:limit]\n"
    count = "\n\ndef count_rows(db):\n    return len(db)\n"
    root = write_files(tmp_path / "project", {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
        "pkg/__init__.py": before,
        "pkg/helpers.py": "def fetch_rows" + body + count,
        "tests/test_rows.py": "from pkg import count_rows, fetch_rows\n\n\ndef test_fetch():\n"
                              "    assert fetch_rows([1, None, 2], limit=1) == [1]\n\n\ndef test_count():\n"
                              "    assert count_rows([1]) == 1\n",
    })
    _committed(root, "rows", init=True)
    write_files(root, {"pkg/__init__.py": after, "pkg/helpers.py": count.lstrip("\n"),
                       "pkg/textutil.py": "def fetch_all_rows" + body})
    _committed(root, "Move fetch_rows to textutil as fetch_all_rows")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "-> import 'fetch_rows' as pkg.textutil.fetch_all_rows in tests/test_rows.py" in result.stdout
    assert "moved and renamed (git): commit " in result.stdout
    # As the report says: under the old name, no use renamed (another module may import or patch it).
    rewritten = (root / "tests/test_rows.py").read_text()
    assert "from pkg.textutil import fetch_all_rows as fetch_rows\n" in rewritten
    assert "fetch_rows([1, None, 2], limit=1)" in rewritten
    assert "2 passed" in run_tests(root).stdout


def _committed(root: Path, message: str, init: bool = False) -> None:
    """Commit everything under ``root`` (a new repository first, with ``init``)."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in ([["init", "-q"]] if init else []) + [["add", "-A"], ["commit", "-q", "-m", message]]:
        subprocess.run([*git, *command], cwd=root, check=True)


def test_a_name_moved_out_of_a_package_that_also_runs_as_a_script_is_resolved_when_first_read(tmp_path: Path) -> None:
    """tabulate: ``simple_separated_format`` moved to ``tabulate.formats``, which imports the
    package, and the CLI tests run ``tabulate/__init__.py`` as a script, where ``from
    tabulate.formats import ...`` cannot import. A re-export imported last broke the 7 CLI tests;
    one imported only when the module is imported (not run) imports nothing when the file runs,
    and star importers still see the name (a module ``__getattr__`` would hide it from them)."""
    root = write_files(tmp_path / "proj", {
        "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = ['.']\n",
        "pkg/__init__.py": "def table():\n    return 1\n\n\nif __name__ == '__main__':\n    print(table())\n",
        "pkg/formats.py": "from pkg import table\n\n\ndef sep_format(sep):\n    return sep * table()\n",
        "tests/test_api.py": "from pkg import sep_format\n\n\ndef test_sep():\n    assert sep_format('|') == '|'\n",
        "tests/test_star.py": "from pkg import *\n\n\ndef test_star():\n    assert sep_format('-') == '-'\n",
        "tests/test_cli.py": "import pathlib\nimport subprocess\nimport sys\n\n\ndef test_script():\n"
                             "    script = pathlib.Path(__file__).parent.parent / 'pkg' / '__init__.py'\n"
                             "    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)\n"
                             "    assert ran.stdout == '1\\n', ran.stderr\n",
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert 'if __name__ != "__main__":' in (root / "pkg/__init__.py").read_text()
    ran = run_tests(root)
    assert "3 passed" in ran.stdout, ran.stdout
