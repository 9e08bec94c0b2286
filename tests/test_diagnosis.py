"""Diagnoses of real pytest collection errors, one small project per error shape."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from collect_fix.collector import collect
from collect_fix.diagnosis import diagnose
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis

TEST = "def test_x():\n    pass\n"


def diagnoses_of(root: Path, files: dict[str, str], ini: str = "[pytest]\npythonpath = .\n") -> list[Diagnosis]:
    (root / "pytest.ini").write_text(ini, encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    collection = collect(root, sys.executable, timeout=60)
    return diagnose(collection.errors, Project(root))


def only(diagnoses: list[Diagnosis]) -> Diagnosis:
    assert len(diagnoses) == 1, diagnoses
    return diagnoses[0]


def test_sys_exit_points_at_the_exit_line(tmp_path: Path) -> None:
    d = only(diagnoses_of(tmp_path, {"tests/test_a.py": "import sys\n\nif True:\n    sys.exit(2)\n"}))
    assert (d.category, d.path, d.line, d.subject) == (Category.SYS_EXIT, "tests/test_a.py", 4, "2")


def test_missing_project_module_vs_missing_dependency(tmp_path: Path) -> None:
    ds = diagnoses_of(
        tmp_path,
        {
            "shop/__init__.py": "",
            "tests/test_a.py": "from shop.billing.invoices import Invoice\n" + TEST,
            "tests/test_b.py": "import yaml_not_installed_zz.loader\n" + TEST,
        },
    )
    by_path = {d.path: d for d in ds}
    assert by_path["tests/test_a.py"].category is Category.MISSING_MODULE
    assert by_path["tests/test_a.py"].module == "shop.billing"
    assert by_path["tests/test_b.py"].category is Category.MISSING_DEPENDENCY
    assert by_path["tests/test_b.py"].module == "yaml_not_installed_zz"


def test_missing_name_from_import_and_from_attribute_access(tmp_path: Path) -> None:
    ds = diagnoses_of(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/cart.py": "class Cart:\n    pass\n",
            "tests/test_a.py": "from shop.cart import Basket\n" + TEST,
            "tests/test_b.py": "import shop.cart\n\nFACTORY = shop.cart.make_cart\n" + TEST,
        },
    )
    by_path = {d.path: d for d in ds}
    assert (by_path["tests/test_a.py"].category, by_path["tests/test_a.py"].subject, by_path["tests/test_a.py"].module) == (
        Category.MISSING_NAME, "Basket", "shop.cart")
    assert (by_path["tests/test_b.py"].subject, by_path["tests/test_b.py"].module, by_path["tests/test_b.py"].line) == (
        "make_cart", "shop.cart", 3)


def test_undefined_name_in_a_source_module_points_at_the_source(tmp_path: Path) -> None:
    d = only(
        diagnoses_of(
            tmp_path,
            {
                "shop/__init__.py": "",
                "shop/models.py": "def find(key: str) -> Optional[str]:\n    return None\n",
                "tests/test_a.py": "from shop.models import find\n" + TEST,
            },
        )
    )
    assert (d.category, d.subject, d.path, d.line) == (Category.UNDEFINED_NAME, "Optional", "shop/models.py", 1)
    assert d.error is not None and d.error.path == str(tmp_path / "tests/test_a.py")


def test_syntax_error_has_file_and_line(tmp_path: Path) -> None:
    d = only(diagnoses_of(tmp_path, {"tests/test_a.py": "x = 1\ndef broken(:\n    pass\n"}))
    assert (d.category, d.path, d.line) == (Category.SYNTAX_ERROR, "tests/test_a.py", 2)


def test_import_file_mismatch(tmp_path: Path) -> None:
    ds = diagnoses_of(tmp_path, {"tests/a/test_same.py": TEST, "tests/b/test_same.py": TEST})
    assert only(ds).category is Category.IMPORT_MISMATCH


def test_unknown_marker_under_strict_markers(tmp_path: Path) -> None:
    d = only(
        diagnoses_of(
            tmp_path,
            {"tests/test_a.py": "import pytest\n\n@pytest.mark.slowish\ndef test_x():\n    pass\n"},
            ini="[pytest]\naddopts = --strict-markers\n",
        )
    )
    assert (d.category, d.subject) == (Category.UNKNOWN_MARKER, "slowish")


def test_src_layout_package_not_on_the_path(tmp_path: Path) -> None:
    d = only(
        diagnoses_of(
            tmp_path, {"src/shop/__init__.py": "", "tests/test_a.py": "import shop\n" + TEST}, ini="[pytest]\n"
        )
    )
    assert (d.category, d.module) == (Category.PROJECT_NOT_IMPORTABLE, "shop")


def test_circular_import_prints_the_cycle(tmp_path: Path) -> None:
    d = only(
        diagnoses_of(
            tmp_path,
            {
                "shop/__init__.py": "",
                "shop/a.py": "from shop.b import B\n\nclass A:\n    pass\n",
                "shop/b.py": "from shop.a import A\n\nclass B:\n    pass\n",
                "tests/test_a.py": "import shop.a\n" + TEST,
            },
        )
    )
    assert d.category is Category.CIRCULAR_IMPORT
    assert d.notes and "shop.a -> shop.b -> shop.a" in d.notes[0]


def test_mro_conflict_is_a_class_creation_error(tmp_path: Path) -> None:
    d = only(
        diagnoses_of(
            tmp_path,
            {"tests/test_a.py": "class A: pass\nclass B(A): pass\nclass C(A, B): pass\n" + TEST},
        )
    )
    assert (d.category, d.line) == (Category.CLASS_CREATION, 3)


def test_missing_plugin_in_pytest_plugins(tmp_path: Path) -> None:
    ds = diagnoses_of(
        tmp_path, {"conftest.py": 'pytest_plugins = ["plugin_that_is_not_there_q"]\n', "tests/test_a.py": TEST}
    )
    assert only(ds).category is Category.MISSING_PLUGIN
    assert only(ds).subject == "plugin_that_is_not_there_q"


def test_nested_conftest_failure_keeps_its_cause(tmp_path: Path) -> None:
    d = only(
        diagnoses_of(tmp_path, {"tests/sub/conftest.py": "from os import nothing_here\n", "tests/sub/test_a.py": TEST})
    )
    assert (d.category, d.subject, d.module, d.path) == (Category.MISSING_NAME, "nothing_here", "os", "tests/sub/conftest.py")


@pytest.mark.parametrize("source", ["import os\nos._exit(3)\n"])
def test_process_exit(tmp_path: Path, source: str) -> None:
    d = only(diagnoses_of(tmp_path, {"tests/test_a.py": source}))
    assert (d.category, d.path) == (Category.PROCESS_EXIT, "tests/test_a.py")
