"""Issue acceptance: configuration-level errors are repaired in the config or layout, the
report-only ones are explained and left byte for byte as they were. Real CLI, real pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, NamedTuple

import pytest
from conftest import collect_only, collected_ids, copy_fixture, run_collect_fix, run_in_process, snapshot

FIXTURES = Path(__file__).parent.parent / "fixtures"

MISMATCH_IDS = [
    "tests/integration/store/test_queries.py::test_value_of_found_items",
    "tests/integration/test_models.py::test_restock_cycle",
    "tests/unit/store/test_queries.py::test_find_skips_sold_out_items",
    "tests/unit/test_models.py::test_add_accumulates",
    "tests/unit/test_models.py::test_remove_more_than_available_fails",
    "tests/unit/test_pricing.py::test_price_is_in_cents",
]

WEATHER_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "weather"
version = "0.3.1"
dependencies = []  # stdlib only

[tool.pytest.ini_options]
# Typos in marker names must fail, not silently select nothing.
addopts = "--strict-markers -ra"
testpaths = ["tests"]
pythonpath = ["."]
markers = [
    "network: talks to the forecast service",  # deselected in CI with -m "not network"
    "integration",
    "slow",
    "offline",
]

[tool.coverage.run]
branch = true
source = ["weather"]
"""

SLUGS_TOX_INI = """\
; tox and pytest share this file.
[tox]
envlist = py311, lint

[testenv]
deps = pytest
commands = pytest {posargs}

[pytest]
# Unknown markers are errors here.
addopts = --strict-markers
testpaths = tests
pythonpath = .
markers =
    unicode: inputs outside ASCII
    smoke
    regression
    ; keep the list sorted

[testenv:lint]
deps = ruff
commands = ruff check slugs tests
"""

LEDGER_PYPROJECT_TAIL = """\
[tool.pytest.ini_options]
testpaths = ["tests"]
# Shared test helpers live outside the test directories.
pythonpath = ["tests/support", "src"]
"""

REPAIRABLE = [
    pytest.param(
        "import_mismatch",
        {name: "" for name in (
            "tests/integration/__init__.py", "tests/integration/store/__init__.py",
            "tests/unit/__init__.py", "tests/unit/store/__init__.py",
        )},
        MISMATCH_IDS,
        id="import file mismatch",
    ),
    pytest.param(
        "unknown_marker_pyproject",
        {"pyproject.toml": WEATHER_PYPROJECT},
        [
            "tests/test_forecast.py::test_daily_high",
            "tests/test_forecast.py::test_warming_hours",
            "tests/test_units.py::test_freezing_point",
            "tests/test_units.py::test_round_trip_over_a_wide_range",
            "tests/test_units.py::test_knots",
        ],
        id="unknown markers, pyproject.toml",
    ),
    pytest.param(
        "unknown_marker_ini",
        {"tox.ini": SLUGS_TOX_INI},
        [
            "tests/test_separators.py::test_custom_separator[_]",
            "tests/test_separators.py::test_custom_separator[.]",
            "tests/test_slugify.py::test_spaces_become_dashes",
            "tests/test_slugify.py::test_accents_are_dropped",
            "tests/test_slugify.py::test_trailing_punctuation",
        ],
        id="unknown markers, tox.ini",
    ),
    pytest.param(
        "src_layout_not_importable",
        {"pyproject.toml": (FIXTURES / "src_layout_not_importable/pyproject.toml").read_text().replace(
            'pythonpath = ["tests/support"]', 'pythonpath = ["tests/support", "src"]')},
        [
            "tests/test_accounts.py::test_opening_balance",
            "tests/test_accounts.py::test_posting_adds_up",
            "tests/test_money.py::test_currencies_do_not_mix",
        ],
        id="src layout not on sys.path",
    ),
]


class Applied(NamedTuple):
    root: Path
    before: dict[str, tuple[bytes, int]]
    plain_before: subprocess.CompletedProcess[str]
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Applied]:
    """A fixture project after one ``--apply`` (made once per module, shared by the tests that read it)."""
    trees: dict[str, Applied] = {}

    def apply(name: str) -> Applied:
        if name not in trees:
            root = copy_fixture(name, tmp_path_factory.mktemp(name))
            before, plain_before = snapshot(root), collect_only(root)
            trees[name] = Applied(root, before, plain_before, run_in_process(root, "--apply"))
        return trees[name]

    return apply


@pytest.mark.parametrize(("name", "changed", "ids"), REPAIRABLE)
def test_apply_repairs_and_changes_only_what_it_must(
    applied: Callable[[str], Applied], name: str, changed: dict[str, str], ids: list[str]
) -> None:
    root, before, plain_before, result = applied(name)
    assert plain_before.returncode == 2  # plain pytest: collection errors

    assert result.returncode == 0, result.stdout + result.stderr
    plain = collect_only(root)
    assert plain.returncode == 0, plain.stdout
    assert collected_ids(root) == ids
    after = snapshot(root)
    assert {path for path in after if before.get(path) != after[path]} == set(changed)
    for path, text in changed.items():
        assert (root / path).read_text(encoding="utf-8") == text


def test_src_layout_config_keeps_everything_else(applied: Callable[[str], Applied]) -> None:
    root = applied("src_layout_not_importable").root

    assert (root / "pyproject.toml").read_text().endswith(LEDGER_PYPROJECT_TAIL)


@pytest.mark.parametrize(
    "name", ["import_mismatch", "unknown_marker_pyproject", "unknown_marker_ini", "src_layout_not_importable"]
)
def test_second_apply_changes_nothing(applied: Callable[[str], Applied], name: str) -> None:
    root = applied(name).root
    state = snapshot(root)

    again = run_in_process(root, "--apply")

    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(root) == state


REPORT_ONLY_ERRORS = ["tests/test_customers.py", "tests/test_payments.py", "tests/test_receipts.py"]


def _error_files(root: Path) -> list[str]:
    output = collect_only(root, "-rE").stdout
    return sorted({line.split()[1] for line in output.splitlines() if line.startswith("ERROR ")})


def test_missing_plugin_stops_everything_and_is_only_reported(fixture_project) -> None:
    root = fixture_project("report_only")
    state = snapshot(root)

    result = run_collect_fix(root, "--apply")  # a real process: exit 1 while errors remain

    assert result.returncode == 1, result.stdout + result.stderr
    assert snapshot(root) == state
    assert "missing_plugin:" in result.stdout
    assert "'some_missing_plugin' (named in tests/conftest.py:3) is not installed" in result.stdout


def test_after_apply_only_report_only_errors_remain_untouched(fixture_project) -> None:
    root = fixture_project("report_only")
    conftest = root / "tests/conftest.py"
    # The person follows the advice for the missing plugin; the rest of the suite becomes visible.
    conftest.write_text(conftest.read_text().replace('pytest_plugins = ["some_missing_plugin"]\n', ""))
    assert _error_files(root) == sorted([*REPORT_ONLY_ERRORS, "tests/test_pricing.py"])
    before = snapshot(root)

    result = run_in_process(root, "--apply")

    assert result.returncode == 1, result.stdout + result.stderr
    assert _error_files(root) == REPORT_ONLY_ERRORS
    assert "tests/test_pricing.py::test_every_percentage" in collected_ids(root)
    after = snapshot(root)
    assert {path for path in after if before.get(path) != after[path]} == {"pyproject.toml"}
    assert (root / "pyproject.toml").read_text().endswith(
        textwrap.dedent("""\
            pythonpath = ["."]
            markers = [
                "slow",
            ]
            """)
    )
    report = result.stdout
    for category in ("circular_import:", "class_creation:", "syntax_error:"):
        assert category in report
    assert "Circular import shop.customers -> shop.orders -> shop.customers (shop/orders.py:3)" in report
    assert "A class at shop/payments.py:11 cannot be created" in report
    assert "SyntaxError at shop/receipts.py:6:21: '(' was never closed" in report

    again = run_in_process(root, "--apply")

    assert again.returncode == 1
    assert snapshot(root) == after


def test_a_marker_is_judged_against_what_the_project_registered_not_what_the_run_did(tmp_path: Path) -> None:
    """``legacy`` beside ``legacy_v2``, neither registered: both are the project's markers, whatever
    round each error shows in. Here ``legacy`` is hidden behind a source module that fails to
    import until round 1 repairs it, after round 1 registered ``legacy_v2``: it must be registered
    too, not called a typo of a name collect-fix wrote itself a moment before."""
    from conftest import write_files

    root = write_files(tmp_path / "project", {
        "pyproject.toml": textwrap.dedent("""\
            [tool.pytest.ini_options]
            addopts = "--strict-markers"
            markers = ["slow: takes a while"]
        """),
        "pkg/__init__.py": "",
        "pkg/util.py": "def helper(value: Optional[int]) -> int:\n    return 1\n",
        "tests/test_new.py": "import pytest\n\n\n@pytest.mark.legacy_v2\ndef test_new():\n    pass\n",
        "tests/test_old.py": (
            "import pytest\n\nfrom pkg.util import helper\n\n\n"
            "@pytest.mark.legacy\ndef test_old():\n    assert helper(1) == 1\n"
        ),
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    pyproject = (root / "pyproject.toml").read_text()
    assert '"legacy_v2"' in pyproject and '"legacy"' in pyproject
    assert collected_ids(root) == ["tests/test_new.py::test_new", "tests/test_old.py::test_old"]


WARNING_CLASS_PYTHONS = [pytest.param(sys.executable, id="this-pytest")]
if os.environ.get("COLLECT_FIX_PYTEST8_PYTHON"):  # .ci/run provides one (tests/test_probe_compat.py)
    WARNING_CLASS_PYTHONS.append(pytest.param(os.environ["COLLECT_FIX_PYTEST8_PYTHON"], id="pytest-8"))


@pytest.mark.parametrize("python", WARNING_CLASS_PYTHONS)
def test_a_warning_filter_naming_a_class_of_the_project_is_no_reason_to_give_up(tmp_path: Path, python: str) -> None:
    """bleach (a review on real projects): ``filterwarnings = ignore::bleach.sanitizer.NoCssSanitizerWarning``
    makes pytest import the package while it reads its configuration; a refactor dropped
    ``Optional`` from a module the package imports, and pytest stopped with a usage error before
    any test (pytest 9 before any plugin loads, the probe included): 448 tests, no repair. The
    failure is the project's own, and is repaired like any other."""
    root = tmp_path / "proj"
    files = {
        "pyproject.toml": ("[tool.pytest.ini_options]\ntestpaths = ['tests']\n"
                           "filterwarnings = ['error', 'ignore::pkg.sanitizer.NoCssWarning']\n"),
        "pkg/__init__.py": "from pkg.linkifier import linkify\n",
        "pkg/sanitizer.py": "class NoCssWarning(UserWarning):\n    pass\n",
        "pkg/linkifier.py": ("from typing import Iterable, Optional\n\n\n"
                             "def linkify(text: str, skip: Optional[Iterable[str]] = None) -> str:\n"
                             "    return '<a>' + text + '</a>'\n"),
        "tests/test_linkify.py": "from pkg import linkify\n\n\ndef test_linkify():\n    assert linkify('x') == '<a>x</a>'\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"]):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *command], cwd=root, check=True)
    linkifier = root / "pkg/linkifier.py"
    linkifier.write_text(linkifier.read_text().replace(", Optional", ""))
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "unused import"],
                   cwd=root, check=True)
    ran = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert ran.returncode == 4 and "warning configuration" in ran.stdout + ran.stderr  # what the user meets

    result = run_in_process(root, "--apply", "--python", python)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "add `from typing import Optional` to pkg/linkifier.py" in result.stdout
    ran = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=root, capture_output=True,
                         text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert "1 passed" in ran.stdout, ran.stdout + ran.stderr
