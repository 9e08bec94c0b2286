"""The folder pytest puts on sys.path for a test file, and the modules git shows were deleted there."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional

import pytest

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
