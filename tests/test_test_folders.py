"""The folder pytest puts on sys.path for a test file, and the modules git shows were deleted there."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional

import pytest

from collect_fix import git_evidence
from collect_fix.project import Project
from collect_fix.test_folders import deleted_beside, inserted_folder
from conftest import write_files


@pytest.mark.parametrize(("files", "test", "folder"), [
    pytest.param({"tests/test_a.py": ""}, "tests/test_a.py", "tests", id="a folder that is no package"),
    pytest.param({"tests/__init__.py": "", "tests/unit/__init__.py": "", "tests/unit/test_a.py": ""},
                 "tests/unit/test_a.py", "", id="packages up to the root"),
    pytest.param({"tests/unit/__init__.py": "", "tests/unit/test_a.py": ""},
                 "tests/unit/test_a.py", "tests", id="the first folder up that is no package"),
    pytest.param({"tests/conftest.py": ""}, "tests/conftest.py", "tests", id="a conftest"),
    pytest.param({"tests/helpers.py": ""}, "tests/helpers.py", None, id="no test module"),
    pytest.param({"pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--import-mode=importlib'\n",
                  "tests/test_a.py": ""}, "tests/test_a.py", None, id="importlib mode"),
])
def test_the_folder_pytest_inserts(tmp_path: Path, files: dict[str, str], test: str, folder: Optional[str]) -> None:
    project = Project(write_files(tmp_path, files))
    found = inserted_folder(project, test)
    assert found == (None if folder is None else tmp_path / folder)


def test_a_module_deleted_beside_the_tests_is_found_in_history(tmp_path: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    write_files(tmp_path, {"tests/helpers.py": "X = 1\n", "tests/test_a.py": "from helpers import X\n"})
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=tmp_path, check=True)
    subprocess.run([*git, "rm", "-q", "tests/helpers.py"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "v2"], cwd=tmp_path, check=True)
    project = Project(tmp_path)
    found = deleted_beside(project, "helpers", "tests/test_a.py")
    assert found is not None and found.deleted.path == "tests/helpers.py" and found.folder == tmp_path / "tests"
    assert deleted_beside(project, "requests", "tests/test_a.py") is None


def _history(root: Path, files: dict[str, str], *changes: tuple[str, ...]) -> Project:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    write_files(root, files)
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=root, check=True)
    for change in changes:
        subprocess.run([*git, *change], cwd=root, check=True)
        subprocess.run([*git, "commit", "-qam", " ".join(change)], cwd=root, check=True)
    return Project(root)


def test_a_helper_the_conftest_folder_provides_to_a_nested_test_is_found(tmp_path: Path) -> None:
    """A seventh review: ``tests/unit/test_users.py`` imports ``helpers`` from ``tests/``, which
    is on sys.path because ``tests/conftest.py`` is."""
    project = _history(tmp_path, {"tests/conftest.py": "", "tests/helpers.py": "X = 1\n",
                                  "tests/unit/test_users.py": "from helpers import X\n"},
                       ("mv", "tests/helpers.py", "tests/factories.py"))
    found = deleted_beside(project, "helpers", "tests/unit/test_users.py")
    assert found is not None and found.deleted.path == "tests/helpers.py"


def test_a_local_module_that_gave_way_to_a_declared_dependency_is_the_dependency(tmp_path: Path) -> None:
    """A seventh review: an old commit deleted a fake ``tests/mock.py`` when the suite moved to
    the ``mock`` package, declared in requirements-dev.txt: recreating the fake would shadow the
    package once installed."""
    project = _history(tmp_path, {"requirements-dev.txt": "mock>=5\n", "tests/mock.py": "X = 1\n",
                                  "tests/test_a.py": "import mock\n"},
                       ("rm", "-q", "tests/mock.py"))
    assert deleted_beside(project, "mock", "tests/test_a.py") is None


def test_a_stand_in_for_a_package_the_project_imports_itself_is_the_package(tmp_path: Path) -> None:
    """A twelfth review: a stand-in ``tests/requests.py`` was deleted when the test began to patch
    the real package; recreating it shadowed the package the project's own ``app/client.py``
    imports (declared where collect-fix did not look)."""
    project = _history(tmp_path, {"app/__init__.py": "", "app/client.py": "import requests\n",
                                  "tests/requests.py": "def get(url):\n    return url\n",
                                  "tests/test_a.py": "import requests\n"},
                       ("rm", "-q", "tests/requests.py"))
    assert deleted_beside(project, "requests", "tests/test_a.py") is None
    (tmp_path / "app/client.py").write_text("")
    assert deleted_beside(Project(tmp_path), "requests", "tests/test_a.py") is not None


def test_the_deleted_files_are_read_in_one_walk_of_the_history(tmp_path: Path) -> None:
    """A seventh review: one ``git log`` per missing module and folder took 135 s on a history of
    50,000 commits; the deleted paths are read once per HEAD."""
    project = _history(tmp_path, {"tests/helpers.py": "X = 1\n", "tests/test_a.py": "", "tests/b/test_b.py": ""},
                       ("rm", "-q", "tests/helpers.py"))
    (tmp_path / "tests/test_a.py").unlink()  # an uncommitted deletion counts too
    assert git_evidence.recently_deleted(project) == {"tests/helpers.py", "tests/test_a.py"}
    git_evidence._recently_deleted.cache_clear()
    for folder in "abcdefghij":
        deleted_beside(project, f"cf_absent_{folder}", "tests/b/test_b.py")
    assert git_evidence._recently_deleted.cache_info().misses == 1


def test_a_module_declared_under_its_distribution_name_is_the_dependency(tmp_path: Path) -> None:
    """An eighth review: ``bs4`` declared as beautifulsoup4 (the well-known table's name)."""
    project = _history(tmp_path, {"requirements-dev.txt": "beautifulsoup4\n", "tests/bs4.py": "X = 1\n",
                                  "tests/test_a.py": "import bs4\n"},
                       ("rm", "-q", "tests/bs4.py"))
    assert deleted_beside(project, "bs4", "tests/test_a.py") is None


@pytest.mark.parametrize("declared", ["PyMySQL", "pylint", "python-utils"])
def test_a_distribution_named_py_and_the_helpers_name_is_no_claim_on_the_helper(tmp_path: Path, declared: str) -> None:
    """A fifteenth review: ``tests/mysql.py`` moved, and the project declares PyMySQL (which
    provides ``pymysql``): a bare "py" taken off its name "declared" ``mysql``, and collect-fix
    said to install PyMySQL; so did python-utils (``python_utils``) for ``tests/utils.py``. Only a
    distribution's name as it is, or the table, counts."""
    helper = declared.lower().removeprefix("python-").removeprefix("py")
    project = _history(tmp_path, {"setup.py": f"from setuptools import setup\n\nsetup(install_requires=['{declared}'])\n",
                                  f"tests/{helper}.py": "X = 1\n", "tests/test_a.py": f"from {helper} import X\n"},
                       ("mv", f"tests/{helper}.py", "tests/columns.py"))
    found = deleted_beside(project, helper, "tests/test_a.py")
    assert found is not None and found.deleted.path == f"tests/{helper}.py"


def test_a_test_whose_import_the_deleting_change_rewrote_means_the_package(tmp_path: Path) -> None:
    """A tenth review: a fake ``tests/requests.py`` was deleted (its ``get`` moved to
    ``tests/fakes.py``) while the test went from ``from requests import get`` to ``import
    requests``: recreating the fake would shadow the real package once installed."""
    _history(tmp_path, {"tests/requests.py": "def get(url):\n    return url\n",
                                  "tests/test_a.py": "from requests import get\n"})
    (tmp_path / "tests/requests.py").rename(tmp_path / "tests/fakes.py")
    (tmp_path / "tests/test_a.py").write_text("import requests\n\nimport fakes\n")
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "real requests"],
                   cwd=tmp_path, check=True)
    assert deleted_beside(Project(tmp_path), "requests", "tests/test_a.py") is None


def test_a_dependency_a_tox_environment_declares_is_the_dependency(tmp_path: Path) -> None:
    project = _history(tmp_path, {"tox.ini": "[testenv]\ndeps =\n    pytest\n    requests>=2\n",
                                  "tests/requests.py": "X = 1\n", "tests/test_a.py": "import requests\n"},
                       ("rm", "-q", "tests/requests.py"))
    assert deleted_beside(project, "requests", "tests/test_a.py") is None


@pytest.mark.parametrize("rewritten", [
    pytest.param("from helpers import make_admin, make_user\n", id="names re-sorted"),
    pytest.param("from helpers import make_admin\nfrom helpers import make_user\n", id="split over two lines"),
    pytest.param("from factories import make_admin\nfrom helpers import make_user\n", id="one name moved on"),
])
def test_an_import_the_deleting_change_only_reshaped_still_means_the_helper(tmp_path: Path, rewritten: str) -> None:
    """An eleventh review: a refactor that re-sorted or split the test's import of the helper it
    moved made collect-fix call the helper a package to ``pip install``."""
    _history(tmp_path, {"tests/helpers.py": "def make_user(name):\n    return name\n\n\ndef make_admin(name):\n    return name\n",
                        "tests/test_a.py": "from helpers import make_user, make_admin\n"})
    (tmp_path / "tests/helpers.py").rename(tmp_path / "tests/factories.py")
    (tmp_path / "tests/test_a.py").write_text(rewritten)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "helpers -> factories"],
                   cwd=tmp_path, check=True)
    assert deleted_beside(Project(tmp_path), "helpers", "tests/test_a.py") is not None


def _moved_in_one_change(root: Path, old: str, new: str, files: dict[str, str]) -> None:
    """``git mv old new`` and ``files`` written, as one commit."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "mv", old, new], cwd=root, check=True)
    write_files(root, files)
    subprocess.run([*git, "commit", "-qam", f"{old} -> {new}"], cwd=root, check=True)


@pytest.mark.parametrize("imports_the_new_home", [False, True])
def test_a_test_taking_something_new_by_the_old_name_without_importing_the_new_home_means_the_helper(
    tmp_path: Path, imports_the_new_home: bool
) -> None:
    """A twelfth review: the test began to take ``make_group`` from ``helpers`` when the helper
    moved to ``factories``, which defines it. Had the same change made it import ``factories``
    too, ``helpers`` would mean another module (a package's)."""
    project = _history(tmp_path, {"tests/helpers.py": "def make_user():\n    return 1\n",
                                  "tests/test_a.py": "from helpers import make_user\n"})
    _moved_in_one_change(tmp_path, "tests/helpers.py", "tests/factories.py", {
        "tests/factories.py": "def make_user():\n    return 1\n\n\ndef make_group():\n    return 2\n",
        "tests/test_a.py": ("import factories\n" if imports_the_new_home else "") + "from helpers import make_group, make_user\n",
    })
    found = deleted_beside(project, "helpers", "tests/test_a.py")
    assert (found is None) == imports_the_new_home


@pytest.mark.parametrize("test", [
    pytest.param("from requests import Session, get\n", id="a name neither file defines"),
    pytest.param("import fakes\nimport requests\n\nrequests.get = fakes.get\nrequests.Session\n",
                 id="an attribute read beside an import of the new home"),
])
def test_a_test_taking_what_the_moved_stand_in_never_had_means_the_package(tmp_path: Path, test: str) -> None:
    """A thirteenth review: the stand-in ``tests/requests.py`` moved to ``tests/fakes.py`` while the
    test began to take ``Session`` from ``requests`` (by name, or reading ``requests.Session``
    beside ``import fakes``), which neither file defines: that is the package."""
    project = _history(tmp_path, {"tests/requests.py": "def get(url):\n    return url\n",
                                  "tests/test_a.py": "import requests\n\nrequests.get('x')\n"})
    _moved_in_one_change(tmp_path, "tests/requests.py", "tests/fakes.py", {"tests/test_a.py": test})
    assert deleted_beside(project, "requests", "tests/test_a.py") is None


@pytest.mark.parametrize("bound", ["outbox: list = []\n", "try:\n    outbox = []\nexcept Exception:\n    outbox = None\n"])
def test_a_name_the_new_home_binds_annotated_or_under_a_try_is_defined_there(tmp_path: Path, bound: str) -> None:
    """A fourteenth review: ``outbox: list = []`` in the helper's new home was not seen, and the
    helper was taken for a package (``pip install mailer``)."""
    project = _history(tmp_path, {"tests/mailer.py": "def send(to):\n    return to\n",
                                  "tests/test_a.py": "from mailer import send\n"})
    _moved_in_one_change(tmp_path, "tests/mailer.py", "tests/support.py", {
        "tests/support.py": "def send(to):\n    return to\n\n\n" + bound,
        "tests/test_a.py": "from mailer import outbox, send\n",
    })
    assert deleted_beside(project, "mailer", "tests/test_a.py") is not None


def test_a_helper_split_in_two_with_the_test_half_updated_is_the_helper(tmp_path: Path) -> None:
    """A fifteenth review: ``tests/helpers.py`` split into ``factories.py`` and ``assertions.py``;
    the test imports ``factories`` but still takes ``assert_all_valid``, which ``assertions.py``
    added, from ``helpers``: written against the old name, and ``pip install helpers`` was said."""
    project = _history(tmp_path, {
        "tests/helpers.py": ('def make_user():\n    """A user."""\n    return {"name": "ann"}\n\n\n'
                             'def assert_valid(user):\n    """Fail unless valid."""\n    assert user["name"]\n'),
        "tests/test_a.py": "from helpers import assert_valid, make_user\n"})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "rm", "-q", "tests/helpers.py"], cwd=tmp_path, check=True)
    write_files(tmp_path, {
        "tests/factories.py": 'def make_user():\n    """A user."""\n    return {"name": "ann"}\n',
        "tests/assertions.py": ('def assert_valid(user):\n    """Fail unless valid."""\n    assert user["name"]\n\n\n'
                                'def assert_all_valid(users):\n    """Fail unless all are valid."""\n'
                                '    for user in users:\n        assert_valid(user)\n'),
        "tests/test_a.py": "from factories import make_user\nfrom helpers import assert_all_valid, assert_valid\n"})
    subprocess.run([*git, "add", "-A"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "split helpers"], cwd=tmp_path, check=True)
    found = deleted_beside(project, "helpers", "tests/test_a.py")
    assert found is not None and found.deleted.path == "tests/helpers.py"


def test_a_helper_imported_by_another_helper_beside_the_tests_is_the_helper(tmp_path: Path) -> None:
    """A fifteenth review: ``tests/factories.py`` (no test module itself, imported by one) still
    imports the moved ``helpers``: it is imported from the folder the tests put on ``sys.path``,
    and it is the suite's, not a module of the package that would make ``helpers`` a dependency."""
    project = _history(tmp_path, {"tests/helpers.py": "def make_user():\n    return 1\n",
                                  "tests/factories.py": "from helpers import make_user\n",
                                  "tests/test_a.py": "from factories import make_user\n"},
                       ("mv", "tests/helpers.py", "tests/support.py"))
    found = deleted_beside(project, "helpers", "tests/factories.py")
    assert found is not None and found.deleted.path == "tests/helpers.py"
