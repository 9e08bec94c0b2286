"""import_siblings: the names a failing ``from m import ...`` would stop at next, read statically."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from collect_fix.import_siblings import names_after, tolerated
from collect_fix.project import Project
from collect_fix.types import Category, CollectionError, Diagnosis, Frame
from conftest import write_files

INVENTORY = "class Cart:\n    pass\n\n\ndef tally(cart):\n    return 0\n"
IMPORTER = "from shop.inventory import Cart, Basket, count_items, restock\n"


def missing(name: str, module: str = "shop.inventory", importer: str = "tests/test_it.py", line: int = 1,
            held: tuple[str, ...] = ("Cart", "tally"), frames: tuple[Frame, ...] = ()) -> Diagnosis:
    """The diagnosis of the ImportError, with what the probe records: what ``module`` held then."""
    message = f"cannot import name '{name}' from '{module}'"
    error = CollectionError(importer, importer, "ImportError", message, attrs={"module_names": list(held)}, frames=frames)
    return Diagnosis(Category.MISSING_NAME, importer, line, message, subject=name, module=module, error=error)


def project(root: Path, inventory: str = INVENTORY, importer: str = IMPORTER, **more: str) -> Project:
    files = {"pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n', "shop/__init__.py": "",
             "shop/inventory.py": inventory, "tests/test_it.py": importer, **more}
    return Project(write_files(root, files))


def test_the_names_after_the_failing_one_that_the_module_lacks(tmp_path: Path) -> None:
    """Cart was imported before Basket failed; count_items and restock come next."""
    assert names_after(project(tmp_path), missing("Basket")) == ["count_items", "restock"]


def test_a_name_the_module_spells_anywhere_may_be_bound_and_is_left_out(tmp_path: Path) -> None:
    inventory = INVENTORY + "\n\ndef refill(restock=None):\n    return restock\n"
    assert names_after(project(tmp_path, inventory), missing("Basket")) == ["count_items"]


@pytest.mark.parametrize("dynamic", [
    "from shop.extra import *\n",
    "def __getattr__(name):\n    return name\n",
    "import lazy_loader\n__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, ['restock'])\n",
    "from shop._deprecation import deprecated\n__getattr__ = deprecated({'restock': print})\n",
    "from shop._deprecation import __getattr__\n",
    "def _export():\n    globals()['restock'] = print\n\n\n_export()\n",
    "vars().update(restock=print)\n",
    "import sys\nsys.modules[__name__].restock = print\n",
    "import sys\nsys.modules['shop.inventory'] = sys\n",
    "exec('restock = 1')\n",
    "exec('restock = 1', globals())\n",
])
def test_a_module_that_may_bind_names_its_source_never_spells_gives_none(tmp_path: Path, dynamic: str) -> None:
    assert names_after(project(tmp_path, INVENTORY + dynamic), missing("Basket")) == []


def test_what_functions_do_to_other_objects_does_not_count(tmp_path: Path) -> None:
    """A method ``__getattr__``, ``setattr`` on an instance, another object's ``__dict__``,
    reading ``sys.modules`` and ``exec`` into a namespace of its own: common in real modules, none
    of them binds a name of the module."""
    inventory = INVENTORY + (
        "import sys\n\n\nclass Proxy:\n    def __getattr__(self, name):\n        return name\n\n"
        "    def set(self, name, value):\n        setattr(self, name, value)\n        self.__dict__[name] = value\n\n\n"
        "def module_of(name):\n    return sys.modules[name]\n\n\n"
        "def build(code):\n    namespace = {}\n    exec(code, namespace)\n    return namespace\n"
    )
    assert names_after(project(tmp_path, inventory), missing("Basket")) == ["count_items", "restock"]


def test_a_submodule_of_a_package_is_imported_not_missing(tmp_path: Path) -> None:
    root = project(tmp_path, importer="from shop import Basket, inventory, reports, audit\n",
                   **{"shop/reports/__init__.py": "", "shop/audit.py": ""}).root
    assert names_after(Project(root), missing("Basket", module="shop")) == []


def test_a_relative_import_in_a_multiline_statement(tmp_path: Path) -> None:
    importer = "from .inventory import (\n    Basket,\n    count_items,\n)\n"
    root = project(tmp_path, **{"shop/cli.py": importer}).root
    assert names_after(Project(root), missing("Basket", importer="shop/cli.py", line=2)) == ["count_items"]


def test_only_the_statement_at_the_error_counts(tmp_path: Path) -> None:
    importer = "from shop.inventory import Cart\nfrom shop.inventory import Basket, count_items\n"
    root = project(tmp_path, importer=importer).root
    assert names_after(Project(root), missing("Basket", line=1)) == []
    assert names_after(Project(root), missing("Basket", line=2)) == ["count_items"]
    assert names_after(Project(root), missing("Basket", module="shop.other", line=2)) == []


def test_a_name_the_module_held_when_the_import_failed_is_not_missing(tmp_path: Path) -> None:
    """A conftest or a plugin may have set it: what the probe saw wins over the source."""
    assert names_after(project(tmp_path), missing("Basket", held=("Cart", "tally", "restock"))) == ["count_items"]
    assert names_after(project(tmp_path), replace(missing("Basket"), error=None)) == []  # nothing known


def test_dunders_and_an_extended_package_path_are_left_alone(tmp_path: Path) -> None:
    root = project(tmp_path, importer="from shop.inventory import Basket, __file__ as where, count_items\n").root
    assert names_after(Project(root), missing("Basket")) == ["count_items"]
    extended = INVENTORY + "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"
    assert names_after(project(tmp_path / "extended", extended), missing("Basket")) == []


@pytest.mark.parametrize("importer,expected", [
    # The handler binds a fallback, or looks at the message: failing is expected, nothing joins.
    ("try:\n    from shop.inventory import Cart, Basket, count_items\nexcept ImportError:\n    count_items = None\n", []),
    ("try:\n    from shop.inventory import Cart, Basket, count_items\nexcept ImportError as exc:\n"
     "    if 'count_items' not in str(exc):\n        raise\n    count_items = None\n", []),
    ("import contextlib\nwith contextlib.suppress(ImportError):\n    from shop.inventory import Cart, Basket, count_items\n",
     []),
    # The handler says why and stops the module: every name was needed.
    ("import sys\ntry:\n    from shop.inventory import Cart, Basket, count_items\nexcept ImportError as exc:\n"
     "    print('cannot test:', exc)\n    sys.exit(1)\n", ["count_items"]),
    ("try:\n    from shop.inventory import Cart, Basket, count_items\nexcept ModuleNotFoundError:\n    count_items = None\n",
     ["count_items"]),
])
def test_an_import_whose_failure_the_code_handles_and_goes_on(tmp_path: Path, importer: str, expected: list[str]) -> None:
    line = next(number for number, text in enumerate(importer.splitlines(), 1) if "from shop.inventory" in text)
    assert names_after(project(tmp_path, importer=importer), missing("Basket", line=line)) == expected


FLAGGED = (
    "import sys\ntry:\n    from shop.inventory import Cart, Basket, count_items\n    HAVE_SHOP = True\n"
    "except ImportError:\n    HAVE_SHOP = False\nif not HAVE_SHOP:\n    sys.exit(1)\n"
)


def test_a_module_that_stopped_on_the_failure_did_not_expect_it(tmp_path: Path) -> None:
    """Its handler only sets a flag and the module exits on it later (or collect-fix turned that
    exit into a skip): the probe reports the caught failure as masked, and every name was needed."""
    shop = project(tmp_path, importer=FLAGGED)
    assert names_after(shop, missing("Basket", line=3)) == []  # seen alone, the handler goes on
    assert names_after(shop, replace(missing("Basket", line=3), masked=True)) == ["count_items"]


def test_a_module_that_stopped_but_tolerates_a_later_name_keeps_its_fallback(tmp_path: Path) -> None:
    """The handler exits unless the message names count_items, for which it binds a fallback (its
    test skips): count_items is not needed, whatever the first name did (a hostile review)."""
    importer = (
        "import sys\nif sys.version_info >= (3, 8):\n    try:\n        from shop.inventory import Cart, Basket, count_items\n"
        "    except ImportError as exc:\n        if 'count_items' not in str(exc):\n            sys.exit(1)\n"
        "        count_items = None\n"
    )
    shop = project(tmp_path, importer=importer)
    assert names_after(shop, replace(missing("Basket", line=4), masked=True)) == []


def test_a_masked_failure_caught_and_tolerated_on_the_way_still_counts(tmp_path: Path) -> None:
    """The test module stopped, but the failing import sits in a helper whose handler binds a
    fallback: that handler is not the test module's, and it still says failing is expected."""
    helper = "try:\n    " + IMPORTER + "except ImportError:\n    restock = None\n"
    root = project(tmp_path, importer=FLAGGED.replace("from shop.inventory import Cart, Basket, count_items",
                                                      "import tests.helpers"),
                   **{"tests/__init__.py": "", "tests/helpers.py": helper}).root
    frames = (Frame(str(root / "tests/test_it.py"), 3, "<module>", True),
              Frame(str(root / "tests/helpers.py"), 2, "<module>", True))
    diagnosis = replace(missing("Basket", importer="tests/helpers.py", line=2, frames=frames), masked=True)
    diagnosis = replace(diagnosis, error=replace(diagnosis.error, path=str(root / "tests/test_it.py")))
    assert names_after(Project(root), diagnosis) == []


def test_a_handler_anywhere_along_the_traceback_counts(tmp_path: Path) -> None:
    """The test imports a helper under ``try``; the helper's import is the one that failed."""
    root = project(tmp_path, importer="try:\n    import tests.helpers\nexcept ImportError:\n    helpers = None\n",
                   **{"tests/__init__.py": "", "tests/helpers.py": IMPORTER}).root
    frames = (Frame(str(root / "tests/test_it.py"), 2, "<module>", True),
              Frame(str(root / "tests/helpers.py"), 1, "<module>", True))
    diagnosis = missing("Basket", importer="tests/helpers.py", frames=frames)
    assert names_after(Project(root), diagnosis) == []
    assert names_after(Project(root), replace(diagnosis, error=replace(diagnosis.error, frames=frames[1:]))) == [
        "count_items", "restock"]


def test_a_fallback_imported_from_elsewhere_counts_too(tmp_path: Path) -> None:
    importer = ("import sys\ntry:\n    from shop.inventory import Cart, Basket, count_items\nexcept ImportError:\n"
                "    from shop.legacy import count_items\n    HAVE = False\nif not HAVE:\n    sys.exit(1)\n")
    shop = project(tmp_path, importer=importer)
    assert names_after(shop, replace(missing("Basket", line=3), masked=True)) == []


def test_a_failure_the_module_caught_and_went_on_from_with_a_fallback_is_tolerated(tmp_path: Path) -> None:
    """Asked again after collect-fix turned the module's exit into a skip: it went on (no exit, no
    skip), binding a fallback for the name, so the name is not an error to repair."""
    importer = ("import sys\ntry:\n    from shop.inventory import Cart, Basket\nexcept ImportError as exc:\n"
                "    if 'Basket' not in str(exc):\n        sys.exit(1)\n    Basket = None\n")
    shop = project(tmp_path, importer=importer)
    caught = replace(missing("Basket", line=3), masked=True)
    assert tolerated(shop, caught)
    assert not tolerated(shop, replace(caught, masked=False))
    stopped = replace(caught, error=replace(caught.error, attrs={**caught.error.attrs, "stopped_by": "SystemExit"}))
    assert not tolerated(shop, stopped)  # it exited on it: a cause to repair
    flag_only = project(tmp_path / "flag", importer=FLAGGED)
    assert not tolerated(flag_only, replace(missing("Basket", line=3), masked=True))
