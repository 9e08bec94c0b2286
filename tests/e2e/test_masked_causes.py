"""Issues 7 and 11: the import failure behind an exit guard is repaired, and a repair never
silently skips test modules that only import the guarded one.

The fixture ``shared_test_base``: ``tests/test_base.py`` guards ``from shop.pricing import
PriceEngine`` (renamed to PricingEngine by a refactor) with ``except ImportError: sys.exit(1)``, and
two other test modules subclass its test classes. Every check runs the real CLI on a copy and asks
real pytest afterwards.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, collect_only, collected_ids, run_in_process, run_tests

IMPORTERS = ("tests/test_bulk.py", "tests/test_discounts.py")
ALL_TESTS = 11


def _copy(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    root = tmp_path_factory.mktemp(name) / "project"
    shutil.copytree(FIXTURES / "shared_test_base", root)
    return root


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _skipped_files(root: Path) -> set[str]:
    """The files real pytest reports skips in (``-rs`` summary lines)."""
    output = run_tests(root, "-rs").stdout
    return {match.group(1) for match in re.finditer(r"^SKIPPED \[\d+\] ([^:]+):", output, re.MULTILINE)}


@pytest.fixture(scope="module")
def renamed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The fixture after ``--apply``: the exit guard hides a rename collect-fix can repair."""
    root = _copy(tmp_path_factory, "renamed")
    result = run_in_process(root, "--apply")
    assert result.returncode == 0, result.stdout + result.stderr
    return root, result.stdout


def test_plain_pytest_dies_on_the_exit_before(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = _copy(tmp_path_factory, "before")
    result = collect_only(root)
    assert "INTERNALERROR" in result.stdout + result.stderr
    assert collected_ids(root) == []


def test_the_caught_import_failure_is_repaired_and_every_test_runs_and_passes(renamed: tuple[Path, str]) -> None:
    root, _ = renamed
    assert "PriceEngine = PricingEngine" in (root / "src/shop/pricing.py").read_text(encoding="utf-8")
    assert len(collected_ids(root)) == ALL_TESTS
    result = run_tests(root, "-rs")
    assert f"{ALL_TESTS} passed" in result.stdout, result.stdout
    assert "skipped" not in result.stdout


def test_the_report_shows_the_exit_and_its_cause(renamed: tuple[Path, str]) -> None:
    _, report = renamed
    assert "tests/test_base.py:8: module-level exit" in report
    assert "caused by: cannot import name 'PriceEngine' from 'shop.pricing'" in report
    assert "alias 'PriceEngine' to 'PricingEngine'" in report


def test_a_skip_that_would_travel_into_importers_is_not_kept(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The cause is a third-party package that is not installed: nothing repairs it, and a
    ``pytest.skip`` in test_base.py would skip the two modules importing its classes."""
    root = _copy(tmp_path_factory, "dependency")
    _rewrite(root / "tests/test_base.py", "from shop.pricing import PriceEngine", "from fastpricing_q import PriceEngine")

    result = run_in_process(root, "--apply")

    assert "its skip in tests/test_base.py also skips tests/test_bulk.py, tests/test_discounts.py" in result.stdout
    ids = collected_ids(root)
    assert len(ids) == ALL_TESTS, result.stdout
    assert not _skipped_files(root) & set(IMPORTERS)  # collected and run, not skipped
    assert _skipped_files(root) == {"tests/test_base.py"}  # its own tests: skipped, with the honest reason
    assert "fastpricing_q" in result.stdout  # reported as a missing dependency


def test_a_flag_set_in_the_handler_and_tested_later_is_followed_to_its_cause(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = _copy(tmp_path_factory, "flag")
    _rewrite(
        root / "tests/test_base.py",
        '''try:
    from shop.pricing import PriceEngine
except ImportError as error:
    print(f"pricing engine unavailable: {error}")
    sys.exit(1)
''',
        '''try:
    from shop.pricing import PriceEngine
    HAVE_ENGINE = True
except ImportError:
    HAVE_ENGINE = False

if not HAVE_ENGINE:
    sys.exit("the pricing engine is required")
''',
    )

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "caused by: cannot import name 'PriceEngine'" in result.stdout
    assert f"{ALL_TESTS} passed" in run_tests(root).stdout


def test_dry_run_shows_both_repairs_and_writes_nothing(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = _copy(tmp_path_factory, "dry")
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}

    result = run_in_process(root, "--dry-run")

    assert result.returncode == 1
    assert {path: path.read_bytes() for path in root.rglob("*") if path.is_file()} == before
    assert "+++ b/src/shop/pricing.py" in result.stdout
    assert "+++ b/tests/test_base.py" in result.stdout


def test_run_tests_counts_equal_an_independent_pytest_run(tmp_path_factory: pytest.TempPathFactory) -> None:
    """--run-tests: the report's counts are pytest's own, and a failure on a stub is named as such."""
    root = _copy(tmp_path_factory, "run_tests")
    (root / "tests/test_widgets.py").write_text(
        "from shop.catalog import lookup, make_widget\n\n\n"
        "def test_widget_has_a_name():\n    assert make_widget('w').name == 'w'\n\n\n"
        "def test_lookup_still_works():\n    assert lookup('A1') == {'sku': 'A1'}\n",
        encoding="utf-8",
    )

    result = run_in_process(root, "--apply", "--run-tests")

    report = result.stdout
    assert "tests of the repaired files, run (--run-tests):" in report
    exit_repair = re.search(r"replace the exit [^:]*: (\d+) passed, (\d+) failed, (\d+) skipped in 3 file", report)
    stub_repair = re.search(r"stub 'make_widget'[^:]*: (\d+) passed, (\d+) failed \((\d+) on a collect-fix stub\)", report)
    assert exit_repair and stub_repair, report
    independent = run_tests(root, "tests/test_base.py", "tests/test_bulk.py", "tests/test_discounts.py").stdout
    assert f"{exit_repair.group(1)} passed" in independent and exit_repair.group(2) == "0"
    widgets = run_tests(root, "tests/test_widgets.py").stdout
    assert "1 failed, 1 passed" in widgets and stub_repair.groups() == ("1", "1", "1")
    assert "NotImplementedError" in widgets  # the stub says what is missing, it does not pass


def test_run_tests_lets_the_tests_choose_between_equally_likely_successors(tmp_path: Path) -> None:
    """Issue 7: where two successors verify by collection, the one under which more of the
    affected tests pass wins, and the report says so; without --run-tests it stays a person's call."""
    root = tmp_path / "units"
    (root / "shop").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\ntestpaths = ['tests']\npythonpath = ['.']\n")
    (root / "shop/__init__.py").write_text("")
    (root / "shop/units.py").write_text(
        "def convert_old(euros):\n    return euros * 10\n\n\ndef convert_new(euros):\n    return euros * 100\n"
    )
    (root / "tests/test_units.py").write_text(
        "from shop.units import convert\n\n\ndef test_one_euro():\n    assert convert(1) == 100\n\n\n"
        "def test_two_euros():\n    assert convert(2) == 200\n"
    )
    undecided = tmp_path / "undecided"
    shutil.copytree(root, undecided)

    result = run_in_process(root, "--apply", "--run-tests")

    assert "convert = convert_new" in (root / "shop/units.py").read_text()
    assert "the tests decided" in result.stdout, result.stdout
    assert "2 passed" in run_tests(root).stdout
    plain = run_in_process(undecided, "--apply")
    assert "equally likely" in plain.stdout and "--run-tests" in plain.stdout
    assert "convert =" not in (undecided / "shop/units.py").read_text()


def test_run_tests_credits_every_repair_of_a_chain(tmp_path: Path) -> None:
    """A test module failed on its source module's NameError, then, once that was repaired, on a
    renamed name: it needed both repairs, so its tests count for both (a review found them all
    credited to the first)."""
    from conftest import write_files

    root = write_files(tmp_path / "project", {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
        "pkg/__init__.py": "",
        "pkg/mod.py": "LIMIT: Optional[int] = None\n\n\ndef compute_total(items):\n    return sum(items)\n",
        "tests/test_mod.py": "from pkg.mod import compute_totals\n\n\ndef test_total():\n    assert compute_totals([1, 2]) == 3\n",
    })

    result = run_in_process(root, "--apply", "--run-tests")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "add `from typing import Optional` to pkg/mod.py: 1 passed, 0 failed, 0 skipped in 1 file(s)" in result.stdout
    assert "alias 'compute_totals' to 'compute_total' in pkg.mod: 1 passed, 0 failed, 0 skipped in 1 file(s)" \
        in result.stdout
