"""Which files a change can reach through imports: what a partial re-collection collects again."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from conftest import write_files

from collect_fix import import_graph
from collect_fix.import_graph import ImportGraph
from collect_fix.project import Project


def project(root: Path) -> Project:
    return Project(write_files(root, {
        "pkg/__init__.py": "",
        "pkg/low.py": "VALUE = 1\n",
        "pkg/mid.py": "from pkg.low import VALUE\n",
        "pkg/other.py": "import json\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/leaf.py": "from .. import other\n",
        "tests/test_mid.py": "from pkg import mid\n",
        "tests/test_late.py": "def test_x():\n    import importlib\n    importlib.import_module('pkg.low')\n",
        "tests/test_leaf.py": "from pkg.sub.leaf import other\n",
        "tests/test_alone.py": "import os\n",
    }))


def test_a_change_reaches_its_importers_and_theirs(tmp_path: Path) -> None:
    reached = ImportGraph().reached_by(project(tmp_path), ["pkg/low.py"])

    assert reached == {"pkg/low.py", "pkg/mid.py", "tests/test_mid.py", "tests/test_late.py"}


def test_a_package_reaches_every_module_loaded_through_it(tmp_path: Path) -> None:
    reached = ImportGraph().reached_by(project(tmp_path), ["pkg/__init__.py"])

    assert reached == {
        "pkg/__init__.py", "pkg/low.py", "pkg/mid.py", "pkg/other.py", "pkg/sub/__init__.py", "pkg/sub/leaf.py",
        "tests/test_mid.py", "tests/test_late.py", "tests/test_leaf.py",
    }


def test_a_relative_import_and_a_file_nothing_imports(tmp_path: Path) -> None:
    graph = ImportGraph()
    tree = project(tmp_path)

    assert graph.reached_by(tree, ["pkg/other.py"]) == {"pkg/other.py", "pkg/sub/leaf.py", "tests/test_leaf.py"}
    assert graph.reached_by(tree, ["tests/test_alone.py"]) == {"tests/test_alone.py"}


def test_an_answer_is_kept_for_the_package_it_was_read_in(tmp_path: Path) -> None:
    """The same unchanged file means other modules once ``pythonpath`` makes its folder a source
    root: a relative import resolves against the package, so the graph reads it again."""
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\n",
        "ci.ini": "[pytest]\npythonpath = lib\n",
        "lib/pkg/__init__.py": "",
        "lib/pkg/x.py": "thing = 1\n",
        "lib/pkg/mod.py": "from .x import thing\n",
        "tests/test_m.py": "from pkg.mod import thing\n",
    })
    graph = ImportGraph()
    graph.read(Project(root))  # the snapshot read while pytest collects: pytest.ini, no pythonpath

    reached = graph.reached_by(Project(root, inifile=str(root / "ci.ini")), ["lib/pkg/x.py"])

    assert reached == {"lib/pkg/x.py", "lib/pkg/mod.py", "tests/test_m.py"}


def test_imports_at_any_depth_and_import_calls_in_any_spelling_count(tmp_path: Path) -> None:
    """Imports are found by walking statements only, unless the file may call an import function:
    the ones nested in classes, handlers and loops count, and so does a call spelled with a
    character Python normalises (NFKC) to ``import_module``."""
    root = write_files(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "", "pkg/b.py": "", "pkg/c.py": "", "pkg/d.py": "",
        "tests/test_nested.py": (
            "class TestX:\n"
            "    def test_x(self):\n"
            "        try:\n"
            "            pass\n"
            "        except ImportError:\n"
            "            for _ in ():\n"
            "                pass\n"
            "            else:\n"
            "                import pkg.a\n"
        ),
        "tests/test_plugins.py": "if True:\n    pytest_plugins = ['pkg.b']\n",
        "tests/test_call.py": "import importlib\nimportlib.import_module('pkg.c')\n",
        "tests/test_spelled.py": "import importlib\nimportlib.\uff49mport_module('pkg.d')\n",
    })
    graph, tree = ImportGraph(), Project(root)

    assert graph.reached_by(tree, ["pkg/a.py"]) == {"pkg/a.py", "tests/test_nested.py"}
    assert graph.reached_by(tree, ["pkg/b.py"]) == {"pkg/b.py", "tests/test_plugins.py"}
    assert graph.reached_by(tree, ["pkg/c.py"]) == {"pkg/c.py", "tests/test_call.py"}
    assert graph.reached_by(tree, ["pkg/d.py"]) == {"pkg/d.py", "tests/test_spelled.py"}


def test_an_import_call_spelled_in_a_declared_encoding_counts(tmp_path: Path) -> None:
    """UTF-7 writes ``import_module`` as ``import+AF8-module``: pure ASCII bytes without the name,
    which Python decodes to a call of it all the same."""
    root = write_files(tmp_path, {"pkg/__init__.py": "", "pkg/hidden.py": ""})
    (root / "tests").mkdir()
    (root / "tests/test_u7.py").write_bytes(
        b"# coding: utf-7\nimport importlib\nmod = importlib.import+AF8-module('pkg.hidden')\n"
    )

    assert ImportGraph().reached_by(Project(root), ["pkg/hidden.py"]) == {"pkg/hidden.py", "tests/test_u7.py"}


def test_a_touched_file_is_not_read_and_changes_nothing_it_reaches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A touched file is reached whatever it imports, and its imports could only make it reached:
    the graph does not parse a file a round just edited (a long test module costs a parse)."""
    tree = project(tmp_path)
    read: list[Path] = []
    real_read = import_graph._read_imports

    def recording_read(path: Path, package: Optional[str]) -> set[str]:
        read.append(path)
        return real_read(path, package)

    monkeypatch.setattr(import_graph, "_read_imports", recording_read)
    reached = ImportGraph().reached_by(tree, ["pkg/mid.py", "tests/test_leaf.py"])

    assert reached == {"pkg/mid.py", "tests/test_mid.py", "tests/test_leaf.py"}
    assert tmp_path / "pkg/mid.py" not in read and tmp_path / "tests/test_leaf.py" not in read
    assert tmp_path / "tests/test_mid.py" in read
