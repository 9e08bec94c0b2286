"""toolz: every module is imported by ``toolz/__init__.py`` at start-up; tests live in toolz/tests.

toolz has no ``typing`` imports, so one commit annotates a few functions of functoolz (a change
that alters nothing) and a later one drops ``Callable`` from that import, as a linter's
"unused import" fix gone wrong would. toolz/compatibility.py is imported by nothing but its test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "toolz"
VERSION = "1.0.0"
SOURCE = ["toolz/**/*.py", "tlz/**/*.py"]
TESTS = ["toolz/tests/**/*.py"]


def guard_test_import(e: Edits) -> None:
    """Tests: the dicttoolz test module exits with a message when its import fails."""
    e.replace(
        "toolz/tests/test_dicttoolz.py",
        "import os\n"
        "from toolz.dicttoolz import (merge, merge_with, valmap, keymap, update_in,\n"
        "                             assoc, dissoc, keyfilter, valfilter, itemmap,\n"
        "                             itemfilter, assoc_in)\n",
        "import os\n"
        "import sys\n"
        "try:\n"
        "    from toolz.dicttoolz import (merge, merge_with, valmap, keymap, update_in,\n"
        "                                 assoc, dissoc, keyfilter, valfilter, itemmap,\n"
        "                                 itemfilter, assoc_in)\n"
        "except ImportError as error:\n"
        "    print(f'toolz.dicttoolz is not importable: {error}')\n"
        "    sys.exit(1)\n",
    )


def annotate_functoolz(e: Edits) -> None:
    e.replace("toolz/functoolz.py", "from types import MethodType\n",
              "from types import MethodType\nfrom typing import Any, Callable\n")
    e.replace("toolz/functoolz.py", "def identity(x):\n", "def identity(x: Any) -> Any:\n")
    e.replace("toolz/functoolz.py", "def complement(func):\n", "def complement(func: Callable) -> Callable:\n")
    e.replace("toolz/functoolz.py", "def do(func, x):\n", "def do(func: Callable, x: Any) -> Any:\n")


def rename_merge_sorted(e: Edits) -> None:
    e.rename("merge_sorted", "sorted_merge")


def rename_valmap_keymap(e: Edits) -> None:
    e.rename("valmap", "map_values")
    e.rename("keymap", "map_keys")


def privatise_getter(e: Edits) -> None:
    e.rename("getter", "_getter")


def move_frequencies(e: Edits) -> None:
    e.move_definition("frequencies", "toolz/itertoolz.py", "toolz/recipes.py", before="def countby(")
    e.replace("toolz/itertoolz.py", "'interpose', 'frequencies', 'reduceby'", "'interpose', 'reduceby'")
    e.replace("toolz/recipes.py", "import itertools\nfrom .itertoolz import frequencies, pluck, _getter\n",
              "import collections\nimport itertools\nfrom .itertoolz import pluck, _getter\n")
    e.replace("toolz/recipes.py", "__all__ = ('countby', 'partitionby')",
              "__all__ = ('countby', 'frequencies', 'partitionby')")


def drop_rest_alias(e: Edits) -> None:
    e.replace("toolz/itertoolz.py", "rest = partial(drop, 1)\n\n\n", "")


def drop_callable_import(e: Edits) -> None:
    e.replace("toolz/functoolz.py", "from typing import Any, Callable\n", "from typing import Any\n")


def delete_compatibility(e: Edits) -> None:
    e.delete("toolz/compatibility.py")


DAMAGE = [
    ("Tests: say why toolz.dicttoolz cannot be imported, and stop", guard_test_import),
    ("Annotate identity, complement and do", annotate_functoolz),
    ("Rename merge_sorted to sorted_merge", rename_merge_sorted),
    ("Rename valmap/keymap to map_values/map_keys", rename_valmap_keymap),
    ("getter is internal: rename it _getter", privatise_getter),
    ("Move frequencies to recipes, next to countby", move_frequencies),
    ("Drop the rest alias", drop_rest_alias),
    ("Remove unused typing import", drop_callable_import),
    ("Remove the deprecated toolz.compatibility module", delete_compatibility),
]


def reference(e: Edits) -> None:
    """What a careful person writes: aliases, the re-export, the import, a stub module."""
    e.append("toolz/itertoolz.py", "merge_sorted = sorted_merge\ngetter = _getter\nrest = partial(drop, 1)\n"
             "from .recipes import frequencies  # noqa: E402  moved; recipes imports this module\n")
    e.append("toolz/dicttoolz.py", "valmap = map_values\nkeymap = map_keys\n")
    e.replace("toolz/functoolz.py", "from typing import Any\n", "from typing import Any, Callable\n")
    e.write("toolz/compatibility.py", '"""Removed in this release: a stub so old imports still work."""\n')
    e.replace("toolz/tests/test_dicttoolz.py", "    sys.exit(1)\n",
              "    import pytest\n    pytest.skip(str(error), allow_module_level=True)\n")
