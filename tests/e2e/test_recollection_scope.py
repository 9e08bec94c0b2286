"""End to end: what a round's re-collection covers. A conftest whose imports reach an edited file
sends everything below it back to pytest, whatever it holds: pytest takes hooks and fixtures from
every name a conftest binds, imported ones too, and an edit can change what those do."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import collect_only, run_in_process, write_files

from collect_fix import collector
from collect_fix.api import _collect_again
from collect_fix.import_graph import ImportGraph
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Repair
from collect_fix.verification import Applied, judge

# A conftest of imports and plain fixtures: nothing in it changes how the files below it collect,
# but whether it still imports does.
PLAIN = '''"""Fixtures."""
import os.path
import pytest
from pytest import fixture

from pkg.mod import Store, LIMIT
from pkg import mod
from helpers import plain, Record

NAMES: tuple = ("a", "b")


@pytest.fixture
def store():
    return Store()


@fixture(scope="module", autouse=True)
def limit():
    return LIMIT


def helper():
    return 1
'''

MODULES = {
    "pytest.ini": "[pytest]\npythonpath = .\n",
    "pkg/__init__.py": "",
    "pkg/mod.py": "LIMIT = 3\n\n\nclass Store:\n    pass\n",
    "helpers.py": "import pytest\n\n\n@pytest.fixture\ndef plain():\n    return 1\n\n\nclass Record:\n    key = ''\n",
}

PROJECT = {
    **MODULES,
    "tests/conftest.py": PLAIN,
    **{f"tests/test_{name}.py": f"def test_{name}_1():\n    pass\n\n\ndef test_{name}_2():\n    pass\n"
       for name in ("a", "b", "c", "d")},
}


# Written to test_d.py behind the run's back: it shows whether pytest collected that file again.
THIRD_TEST = "def test_d_1():\n    pass\n\n\ndef test_d_2():\n    pass\n\n\ndef test_d_3():\n    pass\n"


def _recollect_after_editing(root: Path, new_mod: str) -> tuple[collector.Collection, collector.Collection]:
    collections = collector.RunCollector(root, sys.executable)
    try:
        before = collections.collect()
        (root / "pkg/mod.py").write_text(new_mod, encoding="utf-8")
        (root / "tests/test_d.py").write_text(THIRD_TEST, encoding="utf-8")
        after = _collect_again(collections, ImportGraph(), Project(root), before, ("pkg/mod.py",))
    finally:
        collections.close()
    return before, after



def test_an_edit_that_breaks_a_plain_conftest_is_not_kept(tmp_path: Path) -> None:
    """The one file collected again loses its tests: the verifier undoes the edit."""
    root = write_files(tmp_path, PROJECT)
    project = Project(root)

    before, after = _recollect_after_editing(root, "class Store:\n    pass\n")  # LIMIT gone
    target = Diagnosis(Category.MISSING_NAME, "tests/test_x.py", 1, "cannot import name", subject="X", module="pkg.mod")
    (verdict,) = judge([Applied(target, Repair("edit pkg/mod.py", ()), ("pkg/mod.py",))], before, after, [], project)

    assert not verdict.kept
    assert "collected fewer tests" in verdict.reason


def test_an_edit_a_conftest_imports_sends_everything_below_it_back(tmp_path: Path) -> None:
    root = write_files(tmp_path, PROJECT)

    _, after = _recollect_after_editing(root, "LIMIT = 3\n\n\nclass Store:\n    pass\n\n\nALIAS = Store\n")

    assert after.tests == 9  # everything below the conftest collected again, test_d.py included


def test_a_hook_a_conftest_imports_sees_the_edit_and_the_apply_counts_what_pytest_then_collects(tmp_path: Path) -> None:
    """The stub for ``compute_tax`` makes ``testsupport.HAVE_TAX`` true, so the conftest's imported
    hook stops ignoring ``test_tax_report.py``, which then fails (review): the apply must say so."""
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["."]\n',
        "shop/__init__.py": "",
        "shop/pricing.py": "def total(items):\n    return sum(items)\n",
        "testsupport.py": (
            "try:\n    from shop.pricing import compute_tax\n    HAVE_TAX = True\n"
            "except ImportError:\n    HAVE_TAX = False\n\n\n"
            "def pytest_ignore_collect(collection_path, config):\n"
            "    if not HAVE_TAX and 'tax' in collection_path.name:\n        return True\n"
        ),
        "tests/conftest.py": "from testsupport import pytest_ignore_collect\n",
        "tests/test_a.py": "from shop.pricing import compute_tax\n\n\ndef test_a():\n    pass\n",
        "tests/test_b.py": "def test_b():\n    pass\n",
        "tests/test_tax_report.py": "import not_installed_pkg_q\n\n\ndef test_report():\n    pass\n",
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 1, result.stdout
    assert "tests/test_tax_report.py" in result.stdout
    assert "not_installed_pkg_q" in collect_only(root).stdout


def test_a_fixture_a_conftest_imports_that_an_edit_parametrizes_sends_everything_below_it_back(tmp_path: Path) -> None:
    """``helpers.backend`` becomes a parametrized fixture (whose ids then fail) once
    ``mylib.api.fast_backend`` exists: the stub for it must be judged on every file that uses the
    fixture, and undone (second review: it was kept, and the apply exited 0 while pytest failed)."""
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\ntestpaths = ["tests"]\n',
        "mylib/__init__.py": "",
        "mylib/api.py": "def slow_backend():\n    return 'slow'\n",
        "tests/helpers.py": (
            "import pytest\n\n\n@pytest.fixture\ndef backend():\n    return 'slow'\n\n\n"
            "try:\n    from mylib.api import fast_backend\nexcept ImportError:\n    pass\nelse:\n"
            "    @pytest.fixture(params=['slow', 'fast'], ids=lambda p: p.label)\n"
            "    def backend(request):\n        return request.param\n"
        ),
        "tests/conftest.py": "from helpers import backend\n",
        "tests/test_0_basic.py": "def test_one():\n    pass\n",
        "tests/test_fast.py": "from mylib.api import fast_backend\n\n\ndef test_fast():\n    assert fast_backend\n",
        "tests/test_uses_backend.py": "".join(f"def test_{n}(backend):\n    assert backend\n\n\n" for n in "abc"),
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 1
    assert "fast_backend" not in (root / "mylib/api.py").read_text()
    assert "error" not in collect_only(root, "tests/test_uses_backend.py").stdout
