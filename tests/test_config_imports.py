"""config_imports: the project modules pytest's warning filters make it import as it starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix.config_imports import named_modules
from collect_fix.project import Project
from conftest import write_files


def test_the_project_modules_named_by_warning_filters_in_the_configuration_and_the_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files(tmp_path, {
        "pkg/__init__.py": "", "pkg/sanitizer.py": "", "pkg/deep/__init__.py": "", "pkg/deep/warn.py": "",
        "setup.cfg": ("[tool:pytest]\nfilterwarnings =\n    error\n    ignore::pkg.sanitizer.NoCssWarning\n"
                      "    ignore:some text:DeprecationWarning\n    ignore::yaml.YAMLLoadWarning\n"
                      "    default::pkg.sanitizer.OtherWarning\n"),
    })
    monkeypatch.setenv("PYTEST_ADDOPTS", "-q -W ignore::pkg.deep.warn.Loud")
    assert named_modules(Project(root), ("-Wignore::pkg.Top",)) == ["pkg.sanitizer", "pkg", "pkg.deep.warn"]
    monkeypatch.delenv("PYTEST_ADDOPTS")
    assert named_modules(Project(root)) == ["pkg.sanitizer"]
