"""Module-level import edits used by the exit codemod (codemods/_imports.py)."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.metadata import MetadataWrapper

from collect_fix.codemods import _imports


def _remove_exit_call(source: str) -> str:
    """Remove the module's last statement (the exit call) and its now-unused imports."""
    tree = cst.parse_module(source)
    # As under the codemod runner: the context's wrapper holds the tree's scope metadata.
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    gone = tree.body[-1]
    kept = tree.with_changes(body=tree.body[:-1])
    return _imports.remove_unused_imports(CodemodContext(wrapper=wrapper, full_package_name=""), kept, [gone]).code


@pytest.mark.parametrize(
    "before,after",
    [
        pytest.param("import sys\nx = 1\nsys.exit(1)\n", "x = 1\n", id="lone import goes"),
        pytest.param("import os, sys\nos.getcwd()\nsys.exit(1)\n", "import os\nos.getcwd()\n", id="one alias of several"),
        pytest.param("import sys\nprint(sys.argv)\nsys.exit(1)\n", "import sys\nprint(sys.argv)\n", id="still used: kept"),
        pytest.param(
            "from sys import argv, exit\nprint(argv)\nexit(1)\n", "from sys import argv\nprint(argv)\n", id="from-import alias"
        ),
        pytest.param('import sys\n__all__ = ["sys"]\nsys.exit(1)\n', 'import sys\n__all__ = ["sys"]\n', id="named in __all__: kept"),
        pytest.param("import sys; x = 1\nsys.exit(1)\n", "x = 1\n", id="semicolon line"),
    ],
)
def test_remove_unused_imports(before: str, after: str) -> None:
    assert _remove_exit_call(before) == after


@pytest.mark.parametrize(
    "before,after",
    [
        pytest.param('"""Doc."""\nimport os\n\nx = 1\n', '"""Doc."""\nimport os\nimport pytest\n\nx = 1\n', id="after the leading imports"),
        pytest.param("import pytest\n\nx = 1\n", "import pytest\n\nx = 1\n", id="already there"),
        pytest.param("x = 1\n", "import pytest\n\nx = 1\n", id="no imports yet"),
    ],
)
def test_add_import_pytest(before: str, after: str) -> None:
    assert _imports.add_import_pytest(cst.parse_module(before)).code == after
