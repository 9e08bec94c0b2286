"""Edits a linter accepts: every file ``ruff check --select I`` accepted before a codemod added an
import, it still accepts after (issue 10). The real ruff judges, over realistic module headers in
projects configured the common ways (ruff defaults, isort's black profile, force-single-line ...).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from collect_fix.transforms import run_edit
from collect_fix.types import Edit
from conftest import run_in_process, snapshot

pytest.importorskip("ruff", reason="ruff is in the test extra: pip install -e '.[test]'")


@dataclass(frozen=True)
class Project:
    files: dict[str, str]
    ruff_args: tuple[str, ...] = ()  # the same settings for ruff, where the project configures isort
    source_root: str = "src"  # where the project's package ``shop`` lives


PROJECTS = {
    "ruff defaults": Project({"pyproject.toml": "[project]\nname = 'shop'\n"}),
    "isort black profile": Project(
        # shop lives outside the source roots: only known_first_party makes it first-party.
        {"pyproject.toml": "[tool.isort]\nprofile = 'black'\nknown_first_party = ['shop']\n"},
        ("--config", "lint.isort.known-first-party = ['shop']"),
        source_root="lib",
    ),
    "ruff force-single-line": Project({"pyproject.toml": "[tool.ruff.lint.isort]\nforce-single-line = true\n"}),
    "setup.cfg isort": Project(
        {"setup.cfg": "[isort]\nprofile = black\nforce_single_line = true\nknown_first_party = shop\n"},
        ("--config", "lint.isort.force-single-line = true", "--config", "lint.isort.known-first-party = ['shop']"),
    ),
    "ruff two lines after imports, short lines": Project(
        {"ruff.toml": "line-length = 60\n[lint.isort]\nlines-after-imports = 2\nknown-first-party = ['shop']\n"}
    ),
}

HEADERS = {
    "three groups": '''"""Checkout tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from attr import define

from shop.discounts import apply_discount
from shop.models import LineItem, Order


def test_checkout(tmp_path: Path) -> None:
    assert json and os and pytest and define and apply_discount and LineItem and Order
''',
    "wrapped first-party import": '''import os

import pytest

from shop.models import (
    Customer,
    LineItem,
    Order,
)


def test_customer():
    assert os and pytest and Customer and LineItem and Order
''',
    "no imports": '''def test_nothing():
    assert True
''',
    "docstring and future import": '''"""Only a docstring and a future import."""

from __future__ import annotations

LIMIT = 3
''',
    "comments and TYPE_CHECKING": '''# Copyright the shop authors.
"""Typed helpers."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

# Third party, for the fixtures.
import pytest

from shop import models

if TYPE_CHECKING:
    from shop.discounts import apply_discount

ROOT = os.sep


@pytest.fixture
def order():
    return models
''',
    "a missing dependency": '''import os

import pytest
import yaml
from attr import define

from shop.models import Order


def test_yaml():
    assert os and pytest and yaml and define and Order
''',
    "an exit at import": '''import os
import sys

import attr
import yaml

from shop import models

if sys.platform == "win32":
    sys.exit("posix only")


def test_posix():
    assert os.sep == "/" and attr and yaml and models
''',
}

# (codemod key, arguments): the edits collect-fix makes that add an import.
EDITS: list[tuple[str, dict[str, Any]]] = [
    ("add_missing_import", {"module": "typing", "name": "Optional"}),
    ("add_missing_import", {"module": "collections", "name": ""}),
    ("add_missing_import", {"module": "shop.models", "name": "Customer"}),
    ("add_missing_import", {"module": "shop.pricing", "name": "total"}),
    ("add_missing_import", {"module": "attr", "name": "field"}),
    ("guard_missing_dependency", {"module": "yaml"}),
    ("guard_module_exit", {}),
    ("rewrite_import", {"module": "shop.discounts", "name": "apply_discount", "new_module": "shop.pricing",
                        "new_name": "apply_discount"}),
    ("rewrite_import", {"module": "shop.models", "name": "LineItem", "new_module": "shop.models",
                        "new_name": "OrderLineItem"}),
    ("add_reexport", {"from_module": "shop.pricing", "name": "apply_discount"}),
    ("add_stubs", {"stubs": (("cached", "decorator"),)}),
]


def ruff_rejects(root: Path, project: Project, files: list[str]) -> dict[str, str]:
    """The files ``ruff check --select I`` rejects, with its message."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "I", "--output-format", "json",
         *project.ruff_args, *files],
        cwd=root, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return {Path(item["filename"]).relative_to(root).as_posix(): item["message"] for item in json.loads(result.stdout)}


@pytest.mark.parametrize("name", list(PROJECTS))
def test_files_ruff_accepted_stay_accepted_after_every_import_edit(tmp_path: Path, name: str) -> None:
    project = PROJECTS[name]
    package = f"{project.source_root}/shop"
    modules = {f"{package}/{module}.py": "" for module in ("__init__", "discounts", "models", "pricing")}
    for relative, text in {**project.files, **modules}.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    (tmp_path / "tests").mkdir()
    cases = {}
    for header_index, (header, source) in enumerate(HEADERS.items()):
        for edit_index, (key, args) in enumerate(EDITS):
            # add_reexport edits a project module; every other edit a test module.
            relative = f"{package}/m{header_index}_{edit_index}.py" if key == "add_reexport" else (
                f"tests/test_{header_index}_{edit_index}.py"
            )
            (tmp_path / relative).write_text(source)
            cases[relative] = (header, key, args)
    before = ruff_rejects(tmp_path, project, sorted(cases))
    if name in ("ruff defaults", "isort black profile"):
        assert before == {}, "the corpus must be accepted before the edits"
    # Elsewhere some headers are not accepted to begin with (one name per line, two blank lines
    # after imports): only the accepted ones are edited.
    cases = {relative: case for relative, case in cases.items() if relative not in before}
    assert len(cases) >= 3 * len(EDITS)

    changed = 0
    for relative, (header, key, args) in cases.items():
        path = tmp_path / relative
        source = path.read_bytes()
        module = relative[len(project.source_root) + 1:-3].replace("/", ".") if key == "add_reexport" else None
        edited = run_edit(Edit(relative, key, tuple(args.items())), source, path, module)
        compile(edited, relative, "exec")
        changed += edited != source
        path.write_bytes(edited)

    after = ruff_rejects(tmp_path, project, sorted(cases))
    assert after == {}, "\n".join(
        f"{relative} ({cases[relative][0]}, {cases[relative][1]}): {message}\n{(tmp_path / relative).read_text()}"
        for relative, message in after.items()
    )
    assert changed >= len(cases) // 2  # most edits apply: the corpus exercises them


@pytest.mark.parametrize(
    "fixture,options",
    [
        ("undefined_names", ()),
        ("missing_names", ("--rewrite-imports",)),
        ("missing_dependencies", ("--skip-missing-deps",)),
        ("sys_exit_on_import", ()),
    ],
)
def test_apply_keeps_every_file_ruff_accepted(
    fixture_project: Callable[[str], Path], fixture: str, options: tuple[str, ...]
) -> None:
    """The acceptance point of issue 10, end to end: after --apply every file ruff accepted before
    is still accepted."""
    root = fixture_project(fixture)
    python_files = sorted(path.relative_to(root).as_posix() for path in root.rglob("*.py"))
    before = ruff_rejects(root, Project({}), python_files)
    untouched = snapshot(root)

    result = run_in_process(root, "--apply", *options)

    assert result.returncode in (0, 1), result.stderr
    edited = [relative for relative in python_files if snapshot(root).get(relative) != untouched.get(relative)]
    assert edited, "the fixture's repairs edit Python files"
    after = ruff_rejects(root, Project({}), sorted(path.relative_to(root).as_posix() for path in root.rglob("*.py")))
    assert set(after) <= set(before), {relative: (root / relative).read_text() for relative in set(after) - set(before)}
