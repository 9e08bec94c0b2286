"""importability: whether a module imports here, read statically (the project is never imported)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from collect_fix.importability import imports_here, provides_here
from collect_fix.project import Project


def make(root: Path, files: dict[str, str]) -> Project:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return Project(root)


@pytest.mark.parametrize("extension", [None, "py", "so"], ids=["not built", "a module", "an extension built"])
@pytest.mark.parametrize("statement", ["from pkg import _cjson", "import pkg._cjson"])
def test_a_module_of_the_project_imports_where_what_its_top_imports_is_there(
    tmp_path: Path, extension: Optional[str], statement: str
) -> None:
    """Review hAN 04: the shim's ``try`` imports ``pkg._speedups``, whose file is there but imports
    an unbuilt C extension: the handler's ``json.loads`` is what ran."""
    files = {"pkg/__init__.py": "", "pkg/_speedups.py": f"{statement}\n"}
    if extension is not None:
        files["pkg/_cjson.py" if extension == "py" else "pkg/_cjson.cpython-311-x86_64-linux-gnu.so"] = ""
    project = make(tmp_path, files)

    assert imports_here(project, "pkg._speedups") is (extension is not None)
    assert imports_here(project, "json") and not imports_here(project, "pkg._gone")


def test_a_module_of_the_standard_library_provides_only_the_names_it_has_here(tmp_path: Path) -> None:
    """Review hAN 05: ``from itertools import batched`` fails before Python 3.12, and the shim's
    handler runs; asked in the project's interpreter (this one), not read off a version table."""
    import itertools

    project = make(tmp_path, {"pkg/__init__.py": ""})

    assert provides_here(project, "itertools", ("islice", "chain"))
    assert provides_here(project, "itertools", ("batched",)) is hasattr(itertools, "batched")
    assert not provides_here(project, "itertools", ("no_such_name_q",))
    assert provides_here(project, "pkg", ("anything",))  # the project's own: its names are not imported
