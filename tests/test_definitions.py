"""definitions: the static index of where each name is defined in the project."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from collect_fix.definitions import (
    Definition,
    find_definitions,
    imports_at_load,
    is_test_file,
    module_definitions,
    module_imports,
)
from collect_fix.project import Project


def write(root: Path, files: dict[str, str]) -> Project:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Project(root, extra_paths=(".",))


@pytest.fixture
def shop(tmp_path: Path) -> Project:
    return write(
        tmp_path,
        {
            "shop/__init__.py": "from shop.models import Order\n",
            "shop/models.py": (
                "import typing\n"
                "if typing.TYPE_CHECKING:\n"
                "    from shop.pricing import Price\n"
                "    class OnlyForTypes: ...\n"
                "\n"
                "class Order:\n"
                "    def total(self): ...\n"
                "\n"
                "async def fetch(): ...\n"
                "def helper(): ...\n"
                "LIMIT = 10\n"
                "RATE: float = 0.2\n"
                "Purchase = Order\n"
                "try:\n"
                "    import ujson as json\n"
                "except ImportError:\n"
                "    def json(): ...\n"
            ),
            "shop/pricing.py": "from .models import Order, helper as help_me\n\ndef helper(): ...\n",
            "tests/test_models.py": "class Order: ...\n",
            "shop/conftest.py": "def helper(): ...\n",
        },
    )


def test_each_kind_of_top_level_definition_is_found_with_its_line(shop: Project) -> None:
    by_name = {definition.name: definition for definition in module_definitions(shop, "shop.models")}
    assert by_name["Order"] == Definition("Order", "shop.models", "shop/models.py", 6, "class")
    assert by_name["fetch"].kind == "async_function"
    assert by_name["helper"].kind == "function"
    assert (by_name["LIMIT"].kind, by_name["RATE"].kind) == ("constant", "constant")
    assert by_name["json"].kind == "function"  # the fallback in a top-level try/except counts


def test_an_alias_keeps_the_kind_of_what_it_names(shop: Project) -> None:
    assert [d.kind for d in module_definitions(shop, "shop.models") if d.name == "Purchase"] == ["class"]


def test_imports_and_type_checking_blocks_define_nothing(shop: Project) -> None:
    names = {definition.name for definition in module_definitions(shop, "shop.models")}
    assert not names & {"typing", "Price", "OnlyForTypes", "total"}
    assert find_definitions(shop, "Order") == [Definition("Order", "shop.models", "shop/models.py", 6, "class")]


def test_tests_and_conftests_are_not_homes_for_names(shop: Project) -> None:
    assert [definition.module for definition in find_definitions(shop, "helper")] == ["shop.models", "shop.pricing"]
    assert is_test_file(shop, "tests/test_api.py") and is_test_file(shop, "shop/conftest.py")
    assert is_test_file(shop, "x_test.py") and not is_test_file(shop, "shop/testing_tools.py")


def test_helpers_under_testing_directories_are_homes_for_names(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "app/testing/__init__.py": "", "app/testing/factories.py": "def make_user(): ...\n",
        "tests/__init__.py": "", "tests/helpers.py": "def login(): ...\n",
    })
    assert [definition.module for definition in find_definitions(project, "make_user")] == ["app.testing.factories"]
    assert [definition.module for definition in find_definitions(project, "login")] == ["tests.helpers"]


def test_the_projects_own_python_files_decide_what_a_test_module_is(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n',
        "app/__init__.py": "", "app/check_orders.py": "def helper(): ...\n", "app/test_data.py": "def rows(): ...\n",
    })
    assert find_definitions(project, "helper") == []
    assert [definition.module for definition in find_definitions(project, "rows")] == ["app.test_data"]


def test_unknown_module_has_no_definitions(shop: Project) -> None:
    assert module_definitions(shop, "shop.nope") == []
    assert find_definitions(shop, "Nope") == []


def test_an_edited_file_is_read_again(shop: Project) -> None:
    assert find_definitions(shop, "restock") == []
    path = shop.root / "shop" / "pricing.py"
    path.write_text(path.read_text() + "\n\ndef restock(): ...\n")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    # A Project is one snapshot of the tree (its answers are kept for it): the pipeline takes a
    # new one after every write, and the edited file is read again for it.
    fresh = Project(shop.root)
    assert [definition.module for definition in find_definitions(fresh, "restock")] == ["shop.pricing"]


def test_module_imports_resolve_relative_imports(shop: Project) -> None:
    assert {"shop.models", "shop.models.Order"} <= module_imports(shop, "shop.pricing")
    assert "shop.pricing" not in module_imports(shop, "shop.models")  # only under TYPE_CHECKING


def test_imports_at_load_follows_project_imports_transitively(tmp_path: Path) -> None:
    project = write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",
            "pkg/b.py": "import pkg.c\n",
            "pkg/c.py": "import os\n\ndef later():\n    import pkg.a\n",
        },
    )
    assert imports_at_load(project, "pkg.a", "pkg.c")
    assert not imports_at_load(project, "pkg.c", "pkg.a")  # the import inside a function does not count


def test_a_few_thousand_files_are_indexed_quickly(tmp_path: Path) -> None:
    files = {f"big/sub{i // 100}/mod{i}.py": f"import os\n\nclass Thing{i}:\n    pass\n\n\ndef run{i}():\n    return {i}\n"
             for i in range(3000)}
    files.update({f"big/sub{i}/__init__.py": "" for i in range(30)})
    files["big/__init__.py"] = ""
    project = write(tmp_path, files)
    start = time.perf_counter()
    assert [d.module for d in find_definitions(project, "Thing2999")] == ["big.sub29.mod2999"]
    first = time.perf_counter() - start
    start = time.perf_counter()
    assert [d.module for d in find_definitions(project, "run7")] == ["big.sub0.mod7"]
    again = time.perf_counter() - start
    assert first < 20 and again < 5, (first, again)
    assert again < first


def test_stubs_collect_fix_generated_are_not_definitions(tmp_path) -> None:
    from collect_fix.definitions import clear_cache, find_definitions
    from collect_fix.project import Project

    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "real.py").write_text("def charge(amount):\n    return amount\n")
    (tmp_path / "shop" / "stubbed.py").write_text(
        "def charge(*args, **kwargs):  # collect-fix: stub\n    raise NotImplementedError\n"
    )
    clear_cache()
    assert [d.module for d in find_definitions(Project(tmp_path), "charge")] == ["shop.real"]
