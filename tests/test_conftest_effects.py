"""A conftest that only imports and defines plain fixtures is re-collected through one file below
it; any other conftest that reaches an edit sends everything below it back to pytest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import write_files

from collect_fix import collector
from collect_fix.api import _collect_again
from collect_fix.conftest_effects import only_its_import_matters
from collect_fix.import_graph import ImportGraph
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Repair
from collect_fix.verification import Applied, judge

PLAIN = '''"""Fixtures."""
import pytest

from pkg.mod import Store, LIMIT

DEFAULT = LIMIT
NAMES: tuple = ("a", "b")


@pytest.fixture
def store():
    return Store()


@pytest.fixture(scope="module", autouse=True)
def limit():
    return LIMIT


def helper():
    return 1
'''

WITH_EFFECTS = {
    "a hook": "def pytest_collection_modifyitems(items):\n    items.reverse()\n",
    "a parametrized fixture": "import pytest\n\n@pytest.fixture(params=[1, 2])\ndef n(request):\n    return request.param\n",
    "fixture arguments unpacked": "import pytest\n\n@pytest.fixture(**OPTIONS)\ndef n():\n    return 1\n",
    "collect_ignore": "collect_ignore = ['test_old.py']\n",
    "pytestmark": "import pytest\n\npytestmark = pytest.mark.slow\n",
    "a call at load": "import sys\n\nsys.path.insert(0, 'lib')\n",
    "a computed value": "from pkg.mod import make\n\nVALUES = make()\n",
    "a branch": "import os\n\nif os.environ.get('CI'):\n    collect_ignore = ['x']\n",
    "another decorator": "import functools\n\n@functools.lru_cache\ndef n():\n    return 1\n",
    "a class": "class Plugin:\n    def pytest_ignore_collect(self, collection_path):\n        return True\n",
    "a syntax error": "def (:\n",
}


def test_imports_bindings_and_plain_fixtures_change_only_whether_it_imports(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(PLAIN, encoding="utf-8")
    assert only_its_import_matters(tmp_path / "conftest.py")


@pytest.mark.parametrize("source", WITH_EFFECTS.values(), ids=WITH_EFFECTS.keys())
def test_what_may_change_collection_counts_as_an_effect(tmp_path: Path, source: str) -> None:
    (tmp_path / "conftest.py").write_text(source, encoding="utf-8")
    assert not only_its_import_matters(tmp_path / "conftest.py")


PROJECT = {
    "pytest.ini": "[pytest]\npythonpath = .\n",
    "pkg/__init__.py": "",
    "pkg/mod.py": "LIMIT = 3\n\n\nclass Store:\n    pass\n",
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


def test_an_edit_a_plain_conftest_imports_is_checked_through_one_file_below_it(tmp_path: Path) -> None:
    root = write_files(tmp_path, PROJECT)

    before, after = _recollect_after_editing(root, "LIMIT = 3\n\n\nclass Store:\n    pass\n\n\nALIAS = Store\n")

    assert before.tests == after.tests == 8 and not after.errors  # test_d.py not collected again
    assert after.recollected == 1


def test_an_edit_that_breaks_a_plain_conftest_is_not_kept(tmp_path: Path) -> None:
    """The one file collected again loses its tests: the verifier undoes the edit."""
    root = write_files(tmp_path, PROJECT)
    project = Project(root)

    before, after = _recollect_after_editing(root, "class Store:\n    pass\n")  # LIMIT gone
    target = Diagnosis(Category.MISSING_NAME, "tests/test_x.py", 1, "cannot import name", subject="X", module="pkg.mod")
    (verdict,) = judge([Applied(target, Repair("edit pkg/mod.py", ()), ("pkg/mod.py",))], before, after, [], project)

    assert not verdict.kept
    assert "collected fewer tests" in verdict.reason


def test_an_edit_a_conftest_with_a_hook_imports_sends_everything_below_it_back(tmp_path: Path) -> None:
    files = dict(PROJECT)
    files["tests/conftest.py"] = PLAIN + "\n\ndef pytest_collection_modifyitems(items):\n    pass\n"
    root = write_files(tmp_path, files)

    _, after = _recollect_after_editing(root, "LIMIT = 3\n\n\nclass Store:\n    pass\n\n\nALIAS = Store\n")

    assert after.tests == 9  # everything below the conftest collected again, test_d.py included
