"""more-itertools: tests use ``import more_itertools as mi`` and ``mi.name`` (attribute access), so a
rename breaks collection only where a class body reads the name at import (``cls = mi.peekable``,
``cls = mi.seekable``), or through the guarded import added to test_recipes. more.py has no typing
import: one commit annotates ``one`` with Optional, a later one drops the import (the whole
package then fails to import)."""
from __future__ import annotations

NAME = "more-itertools"
VERSION = "11.2.1"
SOURCE = ["more_itertools/*.py"]
TESTS = ["tests/*.py"]


def guard(e):
    e.replace("tests/test_recipes.py", "import more_itertools as mi\n",
              "import more_itertools as mi\nimport sys\n\n"
              "try:\n    from more_itertools.recipes import pad_none, padnone\n"
              "except ImportError as error:\n"
              "    print(f'more_itertools.recipes is not importable: {error}')\n"
              "    sys.exit(1)\n")
    e.replace("tests/test_recipes.py", "for func in (mi.pad_none, mi.padnone):", "for func in (pad_none, padnone):")


def annotate(e):
    e.replace("more_itertools/more.py", "import types\n", "import types\nfrom typing import Optional\n")
    e.replace("more_itertools/more.py", "def one(iterable, too_short=None, too_long=None):",
              "def one(\n    iterable,\n    too_short: Optional[BaseException] = None,\n"
              "    too_long: Optional[BaseException] = None,\n):")


def rename_peekable(e):
    e.rename("peekable", "Peekable")


def rename_two(e):
    e.rename("seekable", "Seekable")
    e.rename("pad_none", "pad_with_none")


def drop_padnone(e):
    e.replace("more_itertools/recipes.py", "padnone = pad_with_none\n\n\n", "")
    e.replace("more_itertools/recipes.py", "    'padnone',\n", "")


def drop_optional(e):
    e.replace("more_itertools/more.py", "from typing import Optional\n", "")


DAMAGE = [
    ("Tests: say why more_itertools.recipes cannot be imported, and stop", guard),
    ("Annotate one()", annotate),
    ("Rename peekable to Peekable", rename_peekable),
    ("Rename seekable to Seekable and pad_none to pad_with_none", rename_two),
    ("Drop the padnone alias", drop_padnone),
    ("Remove unused typing import", drop_optional),
]


def reference(e):
    e.replace("more_itertools/more.py", "import types\n", "import types\nfrom typing import Optional\n")
    e.append("more_itertools/more.py", "peekable = Peekable\nseekable = Seekable\n__all__ += ['peekable', 'seekable']\n")
    e.append("more_itertools/recipes.py", "pad_none = padnone = pad_with_none\n__all__ += ['pad_none', 'padnone']\n")
    e.replace("tests/test_recipes.py", "    sys.exit(1)\n", "    raise\n")
