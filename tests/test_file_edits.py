"""The file edits as planners name them: run through transforms.run_edit with real Edit objects."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix import file_edits
from collect_fix.transforms import TransformError, run_edit
from collect_fix.types import Edit


def test_every_key_planners_use_is_registered() -> None:
    assert {"create_empty", "register_marker", "add_pythonpath"} <= set(file_edits.EDITS)


def test_create_empty_makes_a_new_file_and_keeps_an_existing_one(tmp_path: Path) -> None:
    edit = Edit("tests/unit/__init__.py", "create_empty")

    assert run_edit(edit, None, tmp_path / edit.path, None) == b""
    assert run_edit(edit, b"from .helpers import *\n", tmp_path / edit.path, None) == b"from .helpers import *\n"


def test_register_marker_edit_is_hashable_and_runs(tmp_path: Path) -> None:
    edit = Edit("tox.ini", "register_marker", (("marker", "slow"), ("description", "takes long")))
    source = b"[tox]\nenvlist = py3\n\n[pytest]\naddopts = --strict-markers\n"

    result = run_edit(edit, source, tmp_path / "tox.ini", None)

    assert hash(edit) == hash(Edit("tox.ini", "register_marker", (("marker", "slow"), ("description", "takes long"))))
    assert result == source + b"markers =\n    slow: takes long\n"
    assert run_edit(edit, result, tmp_path / "tox.ini", None) == result


def test_edits_on_one_file_chain(tmp_path: Path) -> None:
    """The applier feeds each edit the previous one's output; every change must survive."""
    path = tmp_path / "pyproject.toml"
    source = b'[project]\nname = "demo"\n'
    edits = (
        Edit("pyproject.toml", "register_marker", (("marker", "slow"), ("description", ""))),
        Edit("pyproject.toml", "add_pythonpath", (("entry", "src"),)),
        Edit("pyproject.toml", "register_marker", (("marker", "db"), ("description", ""))),
    )
    for edit in edits:
        source = run_edit(edit, source, path, None)

    assert source == (
        b'[project]\nname = "demo"\n\n'
        b'[tool.pytest.ini_options]\nmarkers = [\n    "slow",\n    "db",\n]\npythonpath = ["src"]\n'
    )


def test_a_config_file_that_does_not_parse_is_a_transform_error(tmp_path: Path) -> None:
    edit = Edit("pyproject.toml", "add_pythonpath", (("entry", "src"),))

    with pytest.raises(TransformError, match="add_pythonpath"):
        run_edit(edit, b"[tool.pytest.ini_options\npythonpath = [\n", tmp_path / "pyproject.toml", None)
