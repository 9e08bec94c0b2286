"""import_siblings: the names a failing ``from m import ...`` would stop at next, read statically."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix.import_siblings import names_after
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis
from conftest import write_files

INVENTORY = "class Cart:\n    pass\n\n\ndef tally(cart):\n    return 0\n"
IMPORTER = "from shop.inventory import Cart, Basket, count_items, restock\n"


def missing(name: str, module: str = "shop.inventory", importer: str = "tests/test_it.py", line: int = 1) -> Diagnosis:
    return Diagnosis(Category.MISSING_NAME, importer, line, f"cannot import name '{name}' from '{module}'",
                     subject=name, module=module)


def project(root: Path, inventory: str = INVENTORY, importer: str = IMPORTER, **more: str) -> Project:
    files = {"pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n', "shop/__init__.py": "",
             "shop/inventory.py": inventory, "tests/test_it.py": importer, **more}
    return Project(write_files(root, files))


def test_the_names_after_the_failing_one_that_the_module_lacks(tmp_path: Path) -> None:
    """Cart was imported before Basket failed; count_items and restock come next."""
    assert names_after(project(tmp_path), missing("Basket")) == ["count_items", "restock"]


def test_a_name_the_module_spells_anywhere_may_be_bound_and_is_left_out(tmp_path: Path) -> None:
    inventory = INVENTORY + "\n\ndef refill(restock=None):\n    return restock\n"
    assert names_after(project(tmp_path, inventory), missing("Basket")) == ["count_items"]


@pytest.mark.parametrize("dynamic", [
    "from shop.extra import *\n",
    "def __getattr__(name):\n    return name\n",
    "globals()['restock'] = print\n",
    "import sys\nsys.modules[__name__].restock = print\n",
    "exec('restock = 1')\n",
])
def test_a_module_that_may_bind_names_its_source_never_spells_gives_none(tmp_path: Path, dynamic: str) -> None:
    assert names_after(project(tmp_path, INVENTORY + dynamic), missing("Basket")) == []


def test_a_submodule_of_a_package_is_imported_not_missing(tmp_path: Path) -> None:
    root = project(tmp_path, importer="from shop import Basket, inventory, reports, audit\n",
                   **{"shop/reports/__init__.py": "", "shop/audit.py": ""}).root
    assert names_after(Project(root), missing("Basket", module="shop")) == []


def test_a_relative_import_in_a_multiline_statement(tmp_path: Path) -> None:
    importer = "from .inventory import (\n    Basket,\n    count_items,\n)\n"
    root = project(tmp_path, **{"shop/cli.py": importer}).root
    assert names_after(Project(root), missing("Basket", importer="shop/cli.py", line=2)) == ["count_items"]


def test_only_the_statement_at_the_error_counts(tmp_path: Path) -> None:
    importer = "from shop.inventory import Cart\nfrom shop.inventory import Basket, count_items\n"
    root = project(tmp_path, importer=importer).root
    assert names_after(Project(root), missing("Basket", line=1)) == []
    assert names_after(Project(root), missing("Basket", line=2)) == ["count_items"]
    assert names_after(Project(root), missing("Basket", module="shop.other", line=2)) == []
