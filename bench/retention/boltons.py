"""boltons: independent modules (``boltons/__init__.py`` imports nothing); tests live in tests/.

boltons has no ``typing`` imports and no package start-up, so one commit annotates mathutils (a
change that alters nothing) and a later one drops ``Optional`` from that import: importing
boltons.mathutils then raises NameError. boltons/queueutils.py is imported by nothing but its test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "boltons"
VERSION = "24.1.0"
SOURCE = ["boltons/**/*.py"]
TESTS = ["tests/**/*.py"]


def guard_test_import(e: Edits) -> None:
    e.replace(
        "tests/test_typeutils.py",
        "from boltons.typeutils import make_sentinel\n",
        "import sys\n"
        "\n"
        "try:\n"
        "    from boltons.typeutils import make_sentinel\n"
        "except ImportError:\n"
        "    print('boltons.typeutils is not importable; install boltons first')\n"
        "    sys.exit(1)\n",
    )


def annotate_mathutils(e: Edits) -> None:
    path = "boltons/mathutils.py"
    e.replace(path, "import bisect\nimport binascii\n",
              "import bisect\nimport binascii\nfrom typing import Optional, Sequence\n")
    e.replace(path, "def clamp(x, lower=float('-inf'), upper=float('inf')):\n",
              "def clamp(x: float, lower: float = float('-inf'), upper: float = float('inf')) -> float:\n")
    e.replace(path, "def ceil(x, options=None):\n",
              "def ceil(x: float, options: Optional[Sequence[float]] = None) -> float:\n")
    e.replace(path, "def floor(x, options=None):\n",
              "def floor(x: float, options: Optional[Sequence[float]] = None) -> float:\n")


def rename_daterange(e: Edits) -> None:
    e.rename("daterange", "date_range")


def rename_partials(e: Edits) -> None:
    e.rename("InstancePartial", "InstanceBoundPartial")
    e.rename("CachedInstancePartial", "CachedInstanceBoundPartial")


def privatise_make_sentinel(e: Edits) -> None:
    e.rename("make_sentinel", "_make_sentinel")


def move_iter_find_files(e: Edits) -> None:
    e.move_definition("iter_find_files", "boltons/fileutils.py", "boltons/pathutils.py")
    e.replace("boltons/fileutils.py", "'FilePerms',\n           'iter_find_files', 'copytree']",
              "'FilePerms',\n           'copytree']")
    e.replace("boltons/pathutils.py", "import os\n\n\n__all__ = [\n    'augpath', 'shrinkuser', 'expandpath',\n]",
              "import os\nimport re\nimport fnmatch\n\n\n__all__ = [\n    'augpath', 'shrinkuser', 'expandpath', "
              "'iter_find_files',\n]")


def drop_omd_alias(e: Edits) -> None:
    e.replace("boltons/dictutils.py", "OMD = OrderedMultiDict\n", "")
    e.replace("boltons/dictutils.py", "__all__ = ['MultiDict', 'OMD', 'OrderedMultiDict',",
              "__all__ = ['MultiDict', 'OrderedMultiDict',")


def drop_optional_import(e: Edits) -> None:
    e.replace("boltons/mathutils.py", "from typing import Optional, Sequence\n", "from typing import Sequence\n")


def delete_queueutils(e: Edits) -> None:
    e.delete("boltons/queueutils.py")


DAMAGE = [
    ("Tests: say why boltons.typeutils cannot be imported, and stop", guard_test_import),
    ("Annotate clamp, ceil and floor", annotate_mathutils),
    ("Rename daterange to date_range", rename_daterange),
    ("Rename InstancePartial/CachedInstancePartial to *BoundPartial", rename_partials),
    ("make_sentinel is internal: rename it _make_sentinel", privatise_make_sentinel),
    ("Move iter_find_files to pathutils", move_iter_find_files),
    ("Drop the OMD alias: spell OrderedMultiDict", drop_omd_alias),
    ("Remove unused typing import", drop_optional_import),
    ("Remove boltons.queueutils", delete_queueutils),
]


def reference(e: Edits) -> None:
    """What a careful person writes: aliases, the re-export, the import, a stub module."""
    e.append("boltons/timeutils.py", "daterange = date_range\n")
    e.append("boltons/funcutils.py", "InstancePartial = InstanceBoundPartial\n"
                                     "CachedInstancePartial = CachedInstanceBoundPartial\n")
    e.append("boltons/typeutils.py", "make_sentinel = _make_sentinel\n")
    e.append("boltons/fileutils.py", "from .pathutils import iter_find_files  # moved\n")
    e.replace("boltons/dictutils.py", "MultiDict = OrderedMultiDict\n",
              "OMD = OrderedMultiDict\nMultiDict = OrderedMultiDict\n")
    e.replace("boltons/mathutils.py", "from typing import Sequence\n", "from typing import Optional, Sequence\n")
    e.write("boltons/queueutils.py",
            '"""Removed: boltons.queueutils. Stubs so old imports still work."""\n\n\n'
            "class HeapPriorityQueue:\n"
            "    def __init__(self, *args, **kwargs):\n"
            "        raise NotImplementedError('boltons.queueutils was removed')\n\n\n"
            "class SortedPriorityQueue(HeapPriorityQueue):\n"
            "    pass\n")
    e.replace("tests/test_typeutils.py", "    sys.exit(1)\n",
              "    import pytest\n    pytest.skip('boltons.typeutils is not importable', allow_module_level=True)\n")
