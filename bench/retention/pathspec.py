"""pathspec: ``pathspec/__init__.py`` imports every module at start-up; native ``typing``
annotations, evaluated at import; tests live in tests/ (unittest style, a shared tests/util.py).

No module of the package is imported by tests alone, so the "deleted test-only module" step is
left out here (boltons and toolz have it). Source indented with tabs, as in the project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "pathspec"
VERSION = "0.12.1"
SOURCE = ["pathspec/**/*.py"]
TESTS = ["tests/**/*.py"]

UTIL_IMPORT = (
    "from pathspec.util import (\n"
    "\tRecursionError,\n"
    "\tcheck_match_file,\n"
    "\titer_tree_entries,\n"
    "\titer_tree_files,\n"
    "\tmatch_file,\n"
    "\tnormalize_file)\n"
)


def guard_test_import(e: Edits) -> None:
    indented = "".join("\t" + line + "\n" for line in UTIL_IMPORT.splitlines())
    e.replace("tests/test_01_util.py", "import shutil\n", "import shutil\nimport sys\n")
    e.replace("tests/test_01_util.py", UTIL_IMPORT,
              "try:\n" + indented + "except ImportError as error:\n"
              "\tprint(f\"pathspec.util is not importable: {error}\")\n"
              "\tsys.exit(1)\n")


def rename_lookup_pattern(e: Edits) -> None:
    e.rename("lookup_pattern", "get_pattern_factory")


def rename_iter_tree(e: Edits) -> None:
    e.rename("iter_tree_entries", "walk_tree_entries")
    e.rename("iter_tree_files", "walk_tree_files")


def privatise_normalize_file(e: Edits) -> None:
    e.rename("normalize_file", "_normalize_file")


def move_check_match_file(e: Edits) -> None:
    e.move_definition("check_match_file", "pathspec/util.py", "pathspec/pathspec.py",
                      before="Self = TypeVar(\"Self\", bound=\"PathSpec\")")
    e.replace("pathspec/pathspec.py", "\tOptional,  # Replaced by `X | None` in 3.10.\n",
              "\tOptional,  # Replaced by `X | None` in 3.10.\n\tTuple,  # Replaced by `tuple` in 3.9.\n")
    e.replace("pathspec/pathspec.py", "_match_file = staticmethod(util.check_match_file)",
              "_match_file = staticmethod(check_match_file)")


def drop_regexpattern_reexport(e: Edits) -> None:
    e.replace("pathspec/__init__.py", "from .pattern import (\n\tPattern,\n\tRegexPattern)\n",
              "from .pattern import (\n\tPattern)\n")
    e.replace("pathspec/__init__.py", "\t'RegexPattern',\n", "")


def drop_iterable_import(e: Edits) -> None:
    e.replace("pathspec/pathspec.py", "\tIterable,  # Replaced by `collections.abc.Iterable` in 3.9.\n", "")


DAMAGE = [
    ("Tests: say why pathspec.util cannot be imported, and stop", guard_test_import),
    ("Rename lookup_pattern to get_pattern_factory", rename_lookup_pattern),
    ("Rename iter_tree_entries/iter_tree_files to walk_tree_*", rename_iter_tree),
    ("normalize_file is internal: rename it _normalize_file", privatise_normalize_file),
    ("Move check_match_file next to PathSpec, its only user", move_check_match_file),
    ("RegexPattern is an implementation detail: import it from pathspec.pattern", drop_regexpattern_reexport),
    ("Remove unused typing import", drop_iterable_import),
]


def reference(e: Edits) -> None:
    """What a careful person writes: aliases, a lazy re-export (util cannot import pathspec.py at
    load time: pathspec.py imports util), the re-export, the import, the exit replaced."""
    e.append("pathspec/util.py",
             "lookup_pattern = get_pattern_factory\n"
             "iter_tree_entries = walk_tree_entries\n"
             "iter_tree_files = walk_tree_files\n"
             "normalize_file = _normalize_file\n\n\n"
             "def check_match_file(patterns, file):\n"
             "\tfrom .pathspec import check_match_file as moved\n"
             "\treturn moved(patterns, file)\n")
    e.replace("pathspec/__init__.py", "from .pattern import (\n\tPattern)\n",
              "from .pattern import (\n\tPattern,\n\tRegexPattern)\n")
    e.replace("pathspec/pathspec.py", "\tIterator,  # Replaced",
              "\tIterable,  # Replaced by `collections.abc.Iterable` in 3.9.\n\tIterator,  # Replaced")
    e.replace("tests/test_01_util.py", "\tsys.exit(1)\n",
              "\timport pytest\n\tpytest.skip(str(error), allow_module_level=True)\n")
