"""script_modules: a module whose import runs code nothing in the project runs now is never imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix.project import Project
from collect_fix.script_modules import is_script
from conftest import write_files

PURGE = "import pathlib\n\n\ndef chunks(items):\n    return [items]\n\n\nfor path in pathlib.Path('exports').glob('*.csv'):\n    path.unlink()\n"


def project_of(root: Path, files: dict[str, str]) -> Project:
    return Project(write_files(root, files))


@pytest.mark.parametrize(("files", "script"), [
    pytest.param({"app/purge.py": PURGE}, True, id="a loop at the top, imported by nothing"),
    pytest.param({"app/purge.py": PURGE, "app/jobs.py": "from app import purge\n"}, False,
                 id="imported by the project: it runs whenever that loads"),
    pytest.param({"app/purge.py": PURGE, "tests/test_purge.py": "from app.purge import chunks\n"}, False,
                 id="imported by a test"),
    pytest.param({"app/purge.py": "import warnings\n\nwarnings.filterwarnings('ignore')\n"}, True,
                 id="a call at the top, imported by nothing"),
    pytest.param({"app/purge.py": PURGE.replace("for path", "if __name__ == '__main__':\n  for path").replace(
        "    path.unlink", "      path.unlink")}, False, id="behind a main guard"),
    pytest.param({"app/purge.py": "X = 1\n\n\ndef f():\n    pass\n\n\ntry:\n    import ujson\nexcept ImportError:\n"
                                  "    ujson = None\n"}, False, id="definitions, assignments and guarded imports"),
    pytest.param({"app/purge.py": "import pathlib\n\ndone = [path.unlink() for path in pathlib.Path('x').glob('*')]\n"},
                 True, id="an assignment a comprehension that calls computes (a hostile review)"),
])
def test_a_script_is_a_module_whose_import_runs_what_nothing_runs_now(
    tmp_path: Path, files: dict[str, str], script: bool
) -> None:
    project = project_of(tmp_path, {"app/__init__.py": "", **files})
    assert is_script(project, tmp_path / "app/purge.py") is script


def test_a_package_init_is_never_a_script(tmp_path: Path) -> None:
    project = project_of(tmp_path, {"app/__init__.py": "import logging\n\nlogging.getLogger(__name__).addHandler(logging.NullHandler())\n"})
    assert not is_script(project, tmp_path / "app/__init__.py")


def test_what_the_module_it_was_moved_from_ran_is_not_new(tmp_path: Path) -> None:
    """A hostile review: ``git mv app/text.py app/strings.py`` of a module that adds a log handler
    at import was stubbed; the tests ran that code whenever they imported the old module."""
    handler = "import logging\n\nlogging.getLogger(__name__).addHandler(logging.NullHandler())\n"
    project = project_of(tmp_path, {"app/__init__.py": "", "app/strings.py": handler + PURGE.replace("import pathlib\n", "")})
    assert is_script(project, tmp_path / "app/strings.py", ran_before=handler.encode())  # the loop is new
    project = project_of(tmp_path / "mv", {"app/__init__.py": "", "app/strings.py": handler})
    assert not is_script(project, tmp_path / "mv/app/strings.py", ran_before=handler.encode())
    assert is_script(project, tmp_path / "mv/app/strings.py")
