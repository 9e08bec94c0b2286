"""ModuleNotFoundError for a third-party module: name what to install; never stub it.

With ``--skip-missing-deps`` the test module that imports it is guarded with
``pytest.importorskip`` so its tests are reported as skipped; source modules are never edited,
since skipping there would hide the missing dependency from every user of the package.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit

from collect_fix import dependencies
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair

CATEGORIES = (Category.MISSING_DEPENDENCY,)

_DEFAULT_TEST_FILES = ("test_*.py", "*_test.py")


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    """Advice naming the distribution; plus a guard repair on test files with skip_missing_deps."""
    missing = diagnosis.module or diagnosis.subject
    if not missing:
        return Plan(diagnosis, advice="a third-party module is not installed: install it in the test environment")
    relative = diagnosis.path
    dep = dependencies.describe_diagnosis(project, diagnosis)
    status = f"declared in {dep.declared_in}" if dep.declared_in else "not declared by the project"
    # The one install line for every missing distribution is the report's (install_command).
    advice = f"install {dep.distribution}, which provides {missing} ({status})"
    if not options.skip_missing_deps or not relative:
        return Plan(diagnosis, advice=advice)
    if not is_test_file(project, relative):
        return Plan(diagnosis, advice=f"{advice}; {relative} is not a test module, so it is never skipped")
    refusal = project.editable(project.root / relative)
    if refusal is not None:
        return Plan(diagnosis, advice=f"{advice}; {refusal}")
    edit = Edit(relative, "guard_missing_dependency", (("module", missing),))
    repair = Repair(
        f"skip {relative} while {missing} is missing (pytest.importorskip)",
        (edit,),
        evidence=f"--skip-missing-deps: {missing} comes from {dep.distribution}, {status}",
    )
    return Plan(diagnosis, (repair,), advice=advice)


def is_test_file(project: Project, relative: str) -> bool:
    """A conftest or a file pytest collects as a test module (``python_files``)."""
    name = PurePosixPath(relative).name
    return name == "conftest.py" or any(fnmatch.fnmatch(name, pattern) for pattern in _test_file_patterns(project.root))


def _test_file_patterns(root: Path) -> tuple[str, ...]:
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data: dict[str, Any] = tomlkit.parse(pyproject.read_text(encoding="utf-8")).unwrap()
        except Exception:  # an unreadable pyproject changes nothing here
            data = {}
        value = data.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("python_files")
        if isinstance(value, str):
            return tuple(value.split())
        if isinstance(value, list):
            return tuple(str(item) for item in value)
    return _DEFAULT_TEST_FILES
