"""Module-level import edits (codemods/_imports.py) and the project's import settings (_import_style.py)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.metadata import MetadataWrapper

from collect_fix.codemods import _import_style, _imports
from collect_fix.codemods._import_style import ImportStyle, Section, Wrap


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
        pytest.param(
            "import os\n\nimport sys\nimport pytest\nsys.exit(1)\n", "import os\n\nimport pytest\n", id="section separator kept"
        ),
        pytest.param("import sys\n\nimport pytest\nsys.exit(1)\n", "import pytest\n", id="no blank line at the top"),
    ],
)
def test_remove_unused_imports(before: str, after: str) -> None:
    assert _remove_exit_call(before) == after


@pytest.mark.parametrize(
    "before,after",
    [
        pytest.param(
            '"""Doc."""\nimport os\n\nx = 1\n', '"""Doc."""\nimport os\n\nimport pytest\n\nx = 1\n', id="its own section"
        ),
        pytest.param("import pytest\n\nx = 1\n", "import pytest\n\nx = 1\n", id="already there"),
        pytest.param("x = 1\n", "import pytest\n\nx = 1\n", id="no imports yet"),
        pytest.param("import attr\nimport yaml\n", "import attr\nimport pytest\nimport yaml\n", id="sorted among third-party"),
        pytest.param(
            "import sys\nif sys.platform:\n    pytest.skip('x')\nimport pytest\n",
            "import sys\n\nimport pytest\n\nif sys.platform:\n    pytest.skip('x')\nimport pytest\n",
            id="an import after the first use does not count",
        ),
    ],
)
def test_add_import_pytest(before: str, after: str) -> None:
    assert _imports.add_import_pytest(cst.parse_module(before)).code == after


SHOP = ImportStyle(known=(("shop", Section.FIRST_PARTY),))


def _add(source: str, module: str, name: str = "", level: int = 0, style: ImportStyle = SHOP) -> str:
    return _imports.add_import(cst.parse_module(source), None, module, name, level, style=style).code


@pytest.mark.parametrize(
    "before,module,name,after",
    [
        pytest.param(
            "import os\n\nimport pytest\n\nfrom shop import a\n", "typing", "Optional",
            "import os\nfrom typing import Optional\n\nimport pytest\n\nfrom shop import a\n", id="stdlib with stdlib",
        ),
        pytest.param(
            "import os\n\nfrom shop import a\n\nX = 1\n", "yaml", "",
            "import os\n\nimport yaml\n\nfrom shop import a\n\nX = 1\n", id="new third-party section between",
        ),
        pytest.param(
            "import os\n\nimport pytest\n\nX = 1\n", "shop.models", "Order",
            "import os\n\nimport pytest\n\nfrom shop.models import Order\n\nX = 1\n", id="first-party last",
        ),
        pytest.param(
            "import pytest\n\n\ndef test():\n    pass\n", "os", "",
            "import os\n\nimport pytest\n\n\ndef test():\n    pass\n", id="new section first",
        ),
        pytest.param(
            "import os\nfrom pathlib import Path\n", "json", "",
            "import json\nimport os\nfrom pathlib import Path\n", id="plain imports before from imports",
        ),
        pytest.param(
            "from shop.models import Item, Order\n", "shop.models", "Customer",
            "from shop.models import Customer, Item, Order\n", id="merged in sorted position",
        ),
        pytest.param(
            "from shop.models import (\n    Item,\n    Order,\n)\n", "shop.models", "Customer",
            "from shop.models import (\n    Customer,\n    Item,\n    Order,\n)\n", id="merged one per line",
        ),
        pytest.param(
            "from x import CONST, Class, var\n", "x", "Other",
            "from x import CONST, Class, Other, var\n", id="constants, classes, then the rest",
        ),
        pytest.param(
            '"""Doc."""\n\nfrom __future__ import annotations\n\nX = 1\n', "os", "",
            '"""Doc."""\n\nfrom __future__ import annotations\n\nimport os\n\nX = 1\n', id="after docstring and future",
        ),
        pytest.param(
            '"""Doc."""\n\n# Imports\nimport sys\n', "abc", "",
            '"""Doc."""\n\n# Imports\nimport abc\nimport sys\n', id="comment above the block stays on top",
        ),
        pytest.param(
            "import os\n\n# configs\nimport yaml\n", "attr", "",
            "import os\n\nimport attr\n\n# configs\nimport yaml\n", id="comment stays on its import",
        ),
        pytest.param(
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from shop.models import Order\n\nX = 1\n",
            "shop.models", "Order",
            "from typing import TYPE_CHECKING\n\nfrom shop.models import Order\n\n"
            "if TYPE_CHECKING:\n    from shop.models import Order\n\nX = 1\n",
            id="type-checking block left alone",
        ),
        pytest.param(
            "X = Optional\n\nfrom typing import List\n", "typing", "Optional",
            "from typing import Optional\n\nX = Optional\n\nfrom typing import List\n", id="before the first use",
        ),
        pytest.param(
            "from shop import a\n\nfrom .b import c\n", "", "d",
            "from shop import a\n\nfrom . import d\nfrom .b import c\n", id="relative: local folder, last",
        ),
        pytest.param(
            "def f():\n    pass\n", "os", "", "import os\n\n\ndef f():\n    pass\n", id="two blank lines before a def",
        ),
        pytest.param("", "os", "", "import os\n", id="empty module"),
        pytest.param(
            "import sys\nsys.path.insert(0, 'lib')\n\nfrom shop import a\n", "shop.b", "c",
            "import sys\nsys.path.insert(0, 'lib')\n\nfrom shop import a\nfrom shop.b import c\n",
            id="the block that imports the same package",
        ),
    ],
)
def test_add_import(before: str, module: str, name: str, after: str) -> None:
    level = 1 if module == "" else 0
    assert _add(before, module, name, level) == after
    assert _add(after, module, name, level) == after, "a second run changes nothing"


def test_add_import_force_single_line() -> None:
    style = ImportStyle(force_single_line=True, known=SHOP.known)
    before = "from shop.models import Item\nfrom shop.models import Order\n"
    assert _add(before, "shop.models", "Customer", style=style) == f"from shop.models import Customer\n{before}"


def test_add_import_wraps_a_line_grown_too_long() -> None:
    style = ImportStyle(line_length=40)
    assert _add("from library import alpha, beta\n", "library", "gamma_delta", style=style) == (
        "from library import (\n    alpha,\n    beta,\n    gamma_delta,\n)\n"
    )
    grid = ImportStyle(line_length=40, wrap=Wrap.GRID, trailing_comma=False)
    assert _add("from library import alpha, beta\n", "library", "gamma_delta", style=grid) == (
        "from library import (alpha, beta,\n                     gamma_delta)\n"
    )


def test_add_import_lines_after_imports() -> None:
    assert _add("X = 1\n", "os", style=ImportStyle(lines_after_imports=2)) == "import os\n\n\nX = 1\n"


def _style(root: Path, files: dict[str, str], target: str = "tests/test_x.py") -> ImportStyle:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / target).parent.mkdir(parents=True, exist_ok=True)
    return _import_style.for_file(str(root / target))


def test_ruff_settings_are_read(tmp_path: Path) -> None:
    style = _style(tmp_path, {"pyproject.toml": (
        '[tool.ruff]\nline-length = 100\n\n[tool.ruff.lint.isort]\nknown-first-party = ["shop*"]\n'
        "force-single-line = true\nlines-after-imports = 2\n"
    )})
    assert (style.tool, style.line_length, style.force_single_line, style.lines_after_imports) == ("ruff", 100, True, 2)
    assert style.section("shopping.cart") is Section.FIRST_PARTY
    assert style.section("yaml") is Section.THIRD_PARTY and style.section("os.path") is Section.STANDARD_LIBRARY


def test_ruff_toml_and_legacy_isort_table(tmp_path: Path) -> None:
    style = _style(tmp_path, {"ruff.toml": '[isort]\nknown-first-party = ["shop"]\n'})
    assert style.section("shop") is Section.FIRST_PARTY


def test_isort_black_profile(tmp_path: Path) -> None:
    style = _style(tmp_path, {"pyproject.toml": '[tool.isort]\nprofile = "black"\nknown_first_party = ["shop"]\n'})
    assert (style.tool, style.line_length, style.wrap, style.trailing_comma) == ("isort", 88, Wrap.VERTICAL, True)
    assert style.section("shop.models") is Section.FIRST_PARTY


@pytest.mark.parametrize("name,header", [(".isort.cfg", "[settings]"), ("setup.cfg", "[isort]"), ("tox.ini", "[isort]")])
def test_isort_ini_files(tmp_path: Path, name: str, header: str) -> None:
    style = _style(tmp_path, {name: f"{header}\nforce_single_line = True\nknown_first_party = shop, orders\n"})
    assert (style.tool, style.force_single_line, style.line_length, style.wrap) == ("isort", True, 79, Wrap.GRID)
    assert style.section("orders.api") is Section.FIRST_PARTY


def test_without_settings_the_project_source_roots_are_first_party(tmp_path: Path) -> None:
    style = _style(tmp_path, {"pyproject.toml": "[project]\nname = 'shop'\n", "src/shop/__init__.py": "",
                              "src/shop/models.py": "", "helpers.py": "", "tests/__init__.py": ""})
    assert style.tool == "ruff"
    sections = {module: style.section(module) for module in ("shop", "shop.models", "shop.absent", "helpers", "tests.x", "yaml")}
    assert sections == {
        "shop": Section.FIRST_PARTY, "shop.models": Section.FIRST_PARTY,
        "shop.absent": Section.THIRD_PARTY,  # ruff resolves the whole dotted path under a source root
        "helpers": Section.FIRST_PARTY, "tests.x": Section.FIRST_PARTY,  # tests: the file's own package
        "yaml": Section.THIRD_PARTY,
    }
