"""Errors the project's layout or pytest configuration causes, repaired there, never in code.

An unknown marker is registered in the file pytest reads its configuration from; a package under
``src/`` that is not on sys.path gets a ``pythonpath`` entry; two test files with one basename get
the ``__init__.py`` files that give them distinct module names.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from pathlib import Path
from typing import Optional

from collect_fix import pytest_config
from collect_fix.project import Project
from collect_fix.spelling import words
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair

CATEGORIES = (Category.IMPORT_MISMATCH, Category.UNKNOWN_MARKER, Category.PROJECT_NOT_IMPORTABLE)

BUILTIN_MARKERS = ("filterwarnings", "parametrize", "skip", "skipif", "usefixtures", "xfail")
# Markers that mean a plugin is missing: registering one would hide that, so say which to install.
PLUGIN_MARKERS = {
    "anyio": "anyio",
    "asyncio": "pytest-asyncio",
    "django_db": "pytest-django",
    "flaky": "pytest-rerunfailures (or flaky)",
    "freeze_time": "pytest-freezer",
    "order": "pytest-order",
    "timeout": "pytest-timeout",
    "trio": "pytest-trio",
    "vcr": "pytest-recording",
    "xdist_group": "pytest-xdist",
}
_UNKNOWN_MARKER = re.compile(r"'(?P<name>\w+)' not found in `markers` configuration option")
# A test package named like a stdlib module would hide it (``test`` is CPython's own suite).
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"test"}


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    if diagnosis.category is Category.UNKNOWN_MARKER:
        return _plan_marker(diagnosis, project)
    if diagnosis.category is Category.PROJECT_NOT_IMPORTABLE:
        return _plan_pythonpath(diagnosis, project)
    return _plan_mismatch(diagnosis, project, options)


# -- unknown marker ----------------------------------------------------------------------------


def _plan_marker(diagnosis: Diagnosis, project: Project) -> Plan:
    marker = diagnosis.subject or _marker_from_message(diagnosis)
    where = _where(diagnosis)
    if not marker:
        advice = f"Register the marker used at {where} under `markers` in the pytest configuration."
        return Plan(diagnosis, advice=advice)
    config = pytest_config.configuration(project)
    registered = pytest_config.registered_markers(config)
    if marker in PLUGIN_MARKERS:
        return Plan(
            diagnosis,
            advice=(
                f"@pytest.mark.{marker} ({where}) belongs to {PLUGIN_MARKERS[marker]}, which is not installed: "
                f"install it in the test environment (registering the marker would hide that it does nothing)."
            ),
        )
    # Judged against what the project registered, not what this run did: the outcome must not
    # depend on which round a test file's error first showed in.
    known = registered if project.markers_at_start is None else project.markers_at_start
    typo = [
        close for close in difflib.get_close_matches(marker, (*BUILTIN_MARKERS, *known), n=3, cutoff=0.8)
        if close in BUILTIN_MARKERS or not _variant(marker, close)
    ][:1]
    if typo:
        return Plan(
            diagnosis,
            advice=f"@pytest.mark.{marker} ({where}) looks like a typo of '{typo[0]}': fix the spelling in the test.",
        )
    refusal = _refusal(config, project)
    if refusal:
        steps = pytest_config.edit_by_hand(config, pytest_config.register_marker, marker=marker)
        how = f": {steps}" if steps else " by hand"
        return Plan(diagnosis, advice=f"Register '{marker}' under `markers` in {config.label}{how} ({refusal}).")
    repair = Repair(
        description=f"register marker '{marker}' in {config.label}",
        edits=(Edit(config.path, "register_marker", (("marker", marker), ("description", ""))),),
        evidence=(
            f"--strict-markers rejects @pytest.mark.{marker}; pytest reads {config.label}, "
            f"which does not list it" + ("" if config.exists else " (the section is new)")
        ),
    )
    return Plan(diagnosis, (repair,), advice=f"Add '{marker}' to `markers` in {config.label}.")


def _refusal(config: pytest_config.PytestConfig, project: Project) -> Optional[str]:
    """Why collect-fix may not edit the configuration file, or None.

    A file outside the project is pytest's all the same (a monorepo's root configuration): a new
    one inside the project would hide it, so the edit is left to a person, never moved.
    """
    if not config.inside:
        return "collect-fix edits nothing outside the project, and a new configuration file in it would hide this one"
    return project.editable(config.file)


def _marker_from_message(diagnosis: Diagnosis) -> Optional[str]:
    message = diagnosis.error.message if diagnosis.error else diagnosis.summary
    match = _UNKNOWN_MARKER.search(message or "")
    return match.group("name") if match else None


# -- package not importable --------------------------------------------------------------------


def _plan_pythonpath(diagnosis: Diagnosis, project: Project) -> Plan:
    module = diagnosis.module or (diagnosis.error.attrs.get("name") if diagnosis.error else None)
    if not module:
        advice = f"A module imported at {_where(diagnosis)} is not on sys.path; install the project"
        advice += " (pip install -e .)."
        return Plan(diagnosis, advice=advice)
    top = module.split(".", 1)[0]
    homes = project.package_homes(module)
    if not homes:
        advice = f"No directory of the project holds '{top}'; install the package that provides it."
        return Plan(diagnosis, advice=advice)
    home = homes[0]
    config = pytest_config.configuration(project)
    install = "or install the project into the test environment (pip install -e .)"
    directory = (project.root / home).resolve()
    if directory in pytest_config.pythonpath(config):
        return Plan(
            diagnosis,
            advice=(
                f"'{top}' lives in {home}/, which {config.label} already puts on pythonpath; "
                f"check that it imports, {install}."
            ),
        )
    # pytest resolves pythonpath entries against the configuration file's folder.
    entry = Path(os.path.relpath(directory, config.file.parent)).as_posix()
    refusal = _refusal(config, project)
    if refusal:
        steps = pytest_config.edit_by_hand(config, pytest_config.add_pythonpath, entry=entry)
        how = f": {steps}" if steps else ""
        return Plan(diagnosis, advice=f"Add '{entry}' to `pythonpath` in {config.label}{how} ({refusal}), {install}.")
    repair = Repair(
        description=f"add '{entry}' to pythonpath in {config.label}",
        edits=(Edit(config.path, "add_pythonpath", (("entry", entry),)),),
        evidence=f"'{top}' lives in {home}/, which is neither installed nor on pytest's pythonpath",
    )
    return Plan(diagnosis, (repair,), advice=f"Add '{entry}' to pythonpath in {config.label}, {install}.")


# -- import file mismatch ----------------------------------------------------------------------


def _plan_mismatch(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    mismatch = diagnosis.error.attrs.get("mismatch") if diagnosis.error else None
    if not mismatch or len(mismatch) != 3:
        return Plan(diagnosis, advice=_MISMATCH_ADVICE.format(where=_where(diagnosis)))
    module, existing, new = (str(value) for value in mismatch)
    root = project.root.resolve()
    files = [Path(path).resolve() for path in (existing, new) if path and path != "None"]
    shown = " and ".join(_show(project, path) for path in files)
    mode = pytest_config.import_mode(pytest_config.configuration(project), options.pytest_args)
    if mode == "importlib":
        return Plan(
            diagnosis,
            advice=(
                f"{shown} both import as '{module}', yet pytest runs with --import-mode=importlib here, where "
                f"they cannot clash: look for a second pytest configuration or a conftest that edits sys.path, "
                f"or rename one of the files."
            ),
        )
    ours = [path for path in files if _inside(path, root)]
    planned = _packages_needed(files, ours, root, project)
    repair = _init_repair(planned, files, module, project) if planned else None
    advice = (
        f"{shown} both import as '{module}': add __init__.py files to their directories, "
        f"rename one of them, or run pytest with --import-mode=importlib."
    )
    return Plan(diagnosis, (repair,) if repair else (), advice=advice)


_MISMATCH_ADVICE = (
    "Two test files import under one module name ({where}): add __init__.py files to their directories, "
    "rename one of them, or run pytest with --import-mode=importlib."
)


def _packages_needed(files: list[Path], ours: list[Path], root: Path, project: Project) -> Optional[frozenset[Path]]:
    """The fewest directories that, as packages, give every file its own module name.

    Each file's directories count from the file upwards, one level more per try, never the
    project root itself. None when no number of levels does it (a directory name that is not
    an identifier stops pytest's package walk; a name that would hide another module is refused).
    """
    chains = [_dirs_below(path.parent, root) for path in ours]
    if not chains or not all(chains):
        return None
    for depth in range(1, max(len(chain) for chain in chains) + 1):
        planned = frozenset(directory for chain in chains for directory in chain[:depth])
        if _distinct(files, planned, project):
            return planned
    return None


def _dirs_below(directory: Path, root: Path) -> list[Path]:
    """``directory`` and its parents, innermost first, down to (not including) ``root``."""
    chain = []
    while directory != root and _inside(directory, root):
        chain.append(directory)
        directory = directory.parent
    return chain


def _distinct(files: list[Path], planned: frozenset[Path], project: Project) -> bool:
    names = [_prepend_name(path, planned) for path in files]
    if len({name for name, _ in names}) != len(names):
        return False
    return not any(_shadows(name, base, project) for name, base in names if "." in name)


def _prepend_name(path: Path, planned: frozenset[Path]) -> tuple[str, Path]:
    """(module name, sys.path entry) pytest's prepend import mode gives ``path``.

    As pytest's ``resolve_package_path``: walk up while the directory holds an ``__init__.py``
    (or will) and its name is an identifier.
    """
    parts = [path.stem]
    directory = path.parent
    while directory.name.isidentifier() and (directory in planned or (directory / "__init__.py").is_file()):
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts), directory


def _shadows(name: str, base: Path, project: Project) -> bool:
    """Would the top-level package of ``name`` (under ``base``) hide another module?"""
    top = name.split(".", 1)[0]
    if top in _STDLIB:
        return True
    other = project.module_file(top)
    return other is not None and not _inside(other.resolve(), (base / top).resolve())


def _init_repair(planned: frozenset[Path], files: list[Path], module: str, project: Project) -> Optional[Repair]:
    missing = sorted(directory for directory in planned if not (directory / "__init__.py").is_file())
    if not missing or any(project.editable(directory / "__init__.py") for directory in missing):
        return None
    names = " and ".join(f"'{_prepend_name(path, planned)[0]}'" for path in files)
    shown = ", ".join(f"{_relative(project, directory)}/" for directory in missing)
    return Repair(
        description=f"add __init__.py to {shown}",
        edits=tuple(Edit(f"{_relative(project, directory)}/__init__.py", "create_empty") for directory in missing),
        evidence=(
            f"without __init__.py, pytest's prepend import mode names both files '{module}' after their basename; "
            f"as packages they import as {names}"
        ),
    )


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _relative(project: Project, path: Path) -> str:
    return path.resolve().relative_to(project.root.resolve()).as_posix()


def _show(project: Project, path: Path) -> str:
    return _relative(project, path) if _inside(path, project.root.resolve()) else str(path)


def _where(diagnosis: Diagnosis) -> str:
    if diagnosis.path and diagnosis.line:
        return f"{diagnosis.path}:{diagnosis.line}"
    return diagnosis.path or "an unknown file"


def _variant(marker: str, registered: str) -> bool:
    """Whether ``marker`` is a registered marker's name with whole words added (``network_v2``,
    ``nightly_network`` beside ``network``): a marker of its own, named after the other, not a
    misspelling of it. Never said of pytest's own markers: a look-alike of ``skip`` or ``xfail``
    registered would let a test run that was meant to be skipped."""
    added, base = words(marker), words(registered)
    extra = len(added) - len(base)
    return extra > 0 and bool(base) and (added[:len(base)] == base or added[extra:] == base)
