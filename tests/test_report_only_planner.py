"""Report-only categories: never an edit, always one line of advice with the place and a next step.

The CollectionErrors below have the shapes the probe records for the report_only fixture under
pytest 9 (exception type, message, attrs, frames).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import pytest

from collect_fix.planners import report_only
from collect_fix.project import Project
from collect_fix.types import Category, CollectionError, Diagnosis, Frame, Options, Plan

FixtureProject = Callable[[str], Path]


@pytest.fixture
def root(fixture_project: FixtureProject) -> Path:
    return fixture_project("report_only")


def _plan(root: Path, diagnosis: Diagnosis) -> Plan:
    return report_only.plan(diagnosis, Project(root), Options(root))


def _frames(root: Path, *places: tuple[str, int]) -> tuple[Frame, ...]:
    return tuple(Frame(str(root / path), line, "<module>", True) for path, line in places)


def _diagnosis(
    category: Category,
    path: Optional[str],
    line: Optional[int],
    error: CollectionError,
    subject: Optional[str] = None,
) -> Diagnosis:
    return Diagnosis(category, path, line, f"{error.exc_type}: {error.message}", subject=subject, error=error)


def test_every_report_only_category_is_planned_here() -> None:
    assert set(report_only.CATEGORIES) == {
        Category.SYNTAX_ERROR, Category.CIRCULAR_IMPORT, Category.CLASS_CREATION, Category.MISSING_PLUGIN,
        Category.CONFTEST, Category.TIMEOUT, Category.OTHER,
    }


def test_syntax_error_names_file_line_column_and_message(root: Path) -> None:
    error = CollectionError(
        nodeid="tests/test_receipts.py", path=str(root / "tests/test_receipts.py"), exc_type="SyntaxError",
        message="'(' was never closed (receipts.py, line 6)",
        attrs={"msg": "'(' was never closed", "filename": str(root / "shop/receipts.py"), "lineno": 6, "offset": 21},
        frames=_frames(root, ("tests/test_receipts.py", 1), ("shop/receipts.py", 6)),
    )

    plan = _plan(root, _diagnosis(Category.SYNTAX_ERROR, "shop/receipts.py", 6, error))

    assert plan.alternatives == ()
    assert plan.advice.startswith("SyntaxError at shop/receipts.py:6:21: '(' was never closed.")
    assert "python -m py_compile shop/receipts.py" in plan.advice


def _circular_error(root: Path) -> CollectionError:
    message = (
        "cannot import name 'Customer' from partially initialized module 'shop.customers' "
        f"(most likely due to a circular import) ({root / 'shop/customers.py'})"
    )
    return CollectionError(
        nodeid="tests/test_customers.py", path=str(root / "tests/test_customers.py"), exc_type="ImportError",
        message=message, attrs={"name": "shop.customers"},
        frames=_frames(root, ("tests/test_customers.py", 1), ("shop/customers.py", 3), ("shop/orders.py", 3)),
    )


def test_circular_import_cycle_is_read_from_frames_and_message(root: Path) -> None:
    diagnosis = _diagnosis(Category.CIRCULAR_IMPORT, "shop/orders.py", 3, _circular_error(root))

    assert report_only.import_cycle(diagnosis, Project(root)) == ("shop.customers", "shop.orders", "shop.customers")
    plan = _plan(root, diagnosis)
    assert plan.alternatives == ()
    assert "Circular import shop.customers -> shop.orders -> shop.customers (shop/orders.py:3)" in plan.advice


def test_circular_import_through_a_package_init_closes_on_the_partial_module(root: Path) -> None:
    error = CollectionError(
        nodeid="tests/test_customers.py", path=None, exc_type="ImportError",
        message=(
            "cannot import name 'Order' from partially initialized module 'shop' "
            "(most likely due to a circular import)"
        ),
        frames=_frames(root, ("tests/test_customers.py", 1), ("shop/orders.py", 3)),
    )
    diagnosis = _diagnosis(Category.CIRCULAR_IMPORT, "shop/orders.py", 3, error)

    assert report_only.import_cycle(diagnosis, Project(root)) == ("shop", "shop.orders", "shop")


def test_mro_conflict_says_how_to_order_the_bases(root: Path) -> None:
    error = CollectionError(
        nodeid="tests/test_payments.py", path=str(root / "tests/test_payments.py"), exc_type="TypeError",
        message="Cannot create a consistent method resolution\norder (MRO) for bases PaymentMethod, Card",
        frames=_frames(root, ("tests/test_payments.py", 1), ("shop/payments.py", 11)),
    )

    plan = _plan(root, _diagnosis(Category.CLASS_CREATION, "shop/payments.py", 11, error))

    assert plan.alternatives == ()
    assert "\n" not in plan.advice
    assert "shop/payments.py:11" in plan.advice
    assert "(MRO) for bases PaymentMethod, Card" in plan.advice
    assert "before its own bases" in plan.advice


def test_metaclass_conflict_has_its_own_next_step(root: Path) -> None:
    error = CollectionError(
        nodeid="x", path=None, exc_type="TypeError",
        message="metaclass conflict: the metaclass of a derived class must be a (non-strict) subclass",
    )

    plan = _plan(root, _diagnosis(Category.CLASS_CREATION, "shop/payments.py", 11, error))

    assert "metaclass that derives from the metaclasses of all its bases" in plan.advice


def test_missing_plugin_in_initial_conftest_points_at_pytest_plugins(root: Path) -> None:
    error = CollectionError(
        nodeid="", path=None, exc_type="UsageError", phase="initial_conftest",
        message="Error importing plugin \"some_missing_plugin\": No module named 'some_missing_plugin'",
    )

    plan = _plan(root, _diagnosis(Category.MISSING_PLUGIN, None, None, error, subject="some_missing_plugin"))

    assert plan.alternatives == ()
    assert "'some_missing_plugin' (named in tests/conftest.py:3) is not installed" in plan.advice
    assert "remove it from pytest_plugins" in plan.advice


def test_missing_plugin_from_addopts_without_subject(root: Path) -> None:
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"--strict-markers"', '"--strict-markers -p xdist_extra"'))
    error = CollectionError(
        nodeid="", path=None, exc_type="SessionError", phase="session",
        message="ERROR: Error importing plugin \"xdist_extra\": No module named 'xdist_extra'",
    )

    plan = _plan(root, _diagnosis(Category.MISSING_PLUGIN, None, None, error))

    assert "'xdist_extra' (named in addopts in pyproject.toml [tool.pytest.ini_options])" in plan.advice
    assert "remove -p xdist_extra from addopts" in plan.advice


def test_missing_plugin_that_is_a_project_module_says_so(root: Path) -> None:
    error = CollectionError(
        nodeid="", path=None, exc_type="UsageError",
        message="Error importing plugin \"shop.fixtures\": No module named 'shop.fixtures'",
    )

    plan = _plan(root, _diagnosis(Category.MISSING_PLUGIN, None, None, error, subject="shop.fixtures"))

    assert "'shop.fixtures' does not exist in the project" in plan.advice


def test_conftest_failure_names_the_directory_it_blocks(root: Path) -> None:
    error = CollectionError(
        nodeid="", path=str(root / "tests/conftest.py"), exc_type="KeyError", message="'DATABASE_URL'",
        wrapper="ConftestImportFailure",
    )

    plan = _plan(root, _diagnosis(Category.CONFTEST, "tests/conftest.py", 4, error))

    assert plan.advice.startswith("conftest tests/conftest.py:4 raised KeyError: 'DATABASE_URL'.")
    assert "No test under tests/ is collected" in plan.advice


def test_timeout_gives_the_limit_and_the_file(root: Path) -> None:
    error = CollectionError(
        nodeid="", path=str(root / "tests/test_pricing.py"), exc_type="Timeout", phase="process",
        message="collection did not finish within 30s while importing this file", attrs={"timeout": 30.0},
    )

    plan = _plan(root, _diagnosis(Category.TIMEOUT, "tests/test_pricing.py", None, error))

    assert plan.advice.startswith("Collecting tests/test_pricing.py did not finish within 30s")


def test_other_errors_are_cut_to_one_line(root: Path) -> None:
    error = CollectionError(nodeid="x", path=None, exc_type="RuntimeError", message="boom\n" + "x" * 500)

    plan = _plan(root, _diagnosis(Category.OTHER, "shop/pricing.py", 2, error))

    assert plan.alternatives == ()
    assert "\n" not in plan.advice
    assert plan.advice.startswith("RuntimeError at shop/pricing.py:2: boom xxx")
    assert plan.advice.endswith("pytest --collect-only shop/pricing.py")
    assert len(plan.advice) < 300
