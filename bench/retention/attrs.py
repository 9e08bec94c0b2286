"""attrs: a src/ layout (src/attr, and src/attrs re-exporting it); ``attr/__init__.py`` imports every
module of the package at start-up and answers ``__version__`` through a module ``__getattr__``.
Tests live in tests/ (classes and hypothesis strategies, a conftest that imports
``attr._compat``), run with ``--import-mode=importlib`` from the project's pyproject.toml.
hypothesis, pympler and cloudpickle are installed; pyright and pytest-mypy-plugins are not (those
tests skip or are not collected). test_packaging reads the installed distribution's metadata,
which no tree has: those tests fail in every tree and are not counted.

A src/ layout is importable only once installed, and the bench installs nothing of the project:
PATHS puts each tree's src/ on sys.path, as ``pip install -e .`` would.

The refactor: VersionInfo becomes ReleaseVersion; the ``PY_3_1x_PLUS`` flags move to a new
attr/_pyversions.py spelled ``PY31x`` and are imported back into _compat (the conftest imports the
old names: every test fails to collect); _AnnotationExtractor moves from _compat into _make, not
imported back (importing it back would be circular: _make imports _compat); _cmp.py is renamed
_comparison.py; the 30-line attr/_config.py is folded into attr/setters.py. The tests assign
``_config._run_validators`` and read it back through the functions, so only the old module itself
(``sys.modules`` alias), not a copy of its names, keeps them passing. The ``Mapping``/``Sequence``
re-exports _compat kept for compatibility are dropped; test_config exits when ``attr._config``
cannot be imported; attr/__init__.py loses ``Callable``, which an annotation it evaluates reads, so
``import attr`` fails (NameError) everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "attrs"
VERSION = "26.1.0"
SOURCE = ["src/**/*.py"]
TESTS = ["tests/**/*.py"]

COMPAT = "src/attr/_compat.py"
INIT = "src/attr/__init__.py"
MAKE = "src/attr/_make.py"
SETTERS = "src/attr/setters.py"


REQUIREMENTS = ["hypothesis==6.170.17", "pympler==1.1", "cloudpickle==3.1.3"]
PATHS = ["src"]  # a src/ layout, as `pip install -e .` would put it on sys.path

PY_FLAGS = ["PY_3_10_PLUS", "PY_3_11_PLUS", "PY_3_12_PLUS", "PY_3_13_PLUS", "PY_3_14_PLUS"]


def short_flag(flag: str) -> str:
    """PY_3_10_PLUS -> PY310."""
    return "PY" + flag[len("PY_"):-len("_PLUS")].replace("_", "")


def guard_test_import(e: Edits) -> None:
    """Tests: test_config exits with a message when attr._config cannot be imported."""
    e.replace("tests/test_config.py", "import pytest\n\nfrom attr import _config\n",
              "import sys\n"
              "\n"
              "import pytest\n"
              "\n"
              "try:\n"
              "    from attr import _config\n"
              "except ImportError as error:\n"
              "    print(f'attr._config is not importable: {error}')\n"
              "    sys.exit(1)\n")


def rename_version_info(e: Edits) -> None:
    e.rename("VersionInfo", "ReleaseVersion")


def move_version_flags(e: Edits) -> None:
    """The PY_3_1x_PLUS flags become PY31x in attr/_pyversions.py; _compat imports them back."""
    for flag in PY_FLAGS:
        e.rename(flag, short_flag(flag))
    lines = "".join(f"{short_flag(flag)} = sys.version_info[:2] >= (3, {flag.split('_')[2]})\n" for flag in PY_FLAGS)
    e.replace(COMPAT, lines, "")
    e.write("src/attr/_pyversions.py",
            "# SPDX-License-Identifier: MIT\n"
            "\n"
            '"""Which Python runs attrs: one flag per version whose features attrs uses."""\n'
            "\n"
            "import sys\n"
            "\n"
            "\n" + lines)
    e.replace(COMPAT, "from typing import _GenericAlias\n",
              "from typing import _GenericAlias\n"
              "\n"
              "from ._pyversions import " + ", ".join(short_flag(flag) for flag in PY_FLAGS) + "\n")


def move_annotation_extractor(e: Edits) -> None:
    """_AnnotationExtractor to _make, which uses it; converters imports it from there."""
    e.move_definition("_AnnotationExtractor", COMPAT, MAKE, before="class _CacheHashWrapper(int):")
    e.replace(MAKE, "    _AnnotationExtractor,\n    _get_annotations,\n", "    _get_annotations,\n")
    e.replace("src/attr/converters.py",
              "from ._compat import _AnnotationExtractor\nfrom ._make import NOTHING, Converter, Factory, pipe\n",
              "from ._make import NOTHING, Converter, Factory, _AnnotationExtractor, pipe\n")


def rename_cmp_module(e: Edits) -> None:
    """attr/_cmp.py becomes attr/_comparison.py (git mv: a delete and a write), its stub too."""
    for suffix in (".py", ".pyi"):
        e.write(f"src/attr/_comparison{suffix}", e.read(f"src/attr/_cmp{suffix}"))
        e.delete(f"src/attr/_cmp{suffix}")
    e.replace(INIT, "from ._cmp import cmp_using\n", "from ._comparison import cmp_using\n")
    e.replace("src/attr/__init__.pyi", "from ._cmp import cmp_using as cmp_using\n",
              "from ._comparison import cmp_using as cmp_using\n")


def fold_config(e: Edits) -> None:
    """attr/_config.py (the run-validators switch) goes into attr/setters.py, which reads it."""
    config = e.read("src/attr/_config.py")
    body = config[config.index("_run_validators = True\n"):]
    e.replace(SETTERS, "from . import _config\nfrom .exceptions import FrozenAttributeError\n",
              "from .exceptions import FrozenAttributeError\n\n\n" + body.rstrip("\n") + "\n")
    e.replace(SETTERS, "    if _config._run_validators is False:\n", "    if _run_validators is False:\n")
    e.replace(MAKE, "from . import _compat, _config, setters\n", "from . import _compat, setters\n")
    e.replace(MAKE, "    if _config._run_validators is False:\n", "    if setters._run_validators is False:\n")
    e.replace(MAKE, '        names_for_globals["_config"] = _config\n'
                    '        lines.append("if _config._run_validators is True:")\n',
              '        names_for_globals["_setters"] = setters\n'
              '        lines.append("if _setters._run_validators is True:")\n')
    e.replace(INIT, "from ._config import get_run_validators, set_run_validators\n",
              "from .setters import get_run_validators, set_run_validators\n")
    e.replace("src/attr/validators.py", "from ._config import get_run_validators, set_run_validators\n",
              "from .setters import get_run_validators, set_run_validators\n")
    e.delete("src/attr/_config.py")


def drop_abc_reexports(e: Edits) -> None:
    """Mapping and Sequence were re-exported for compatibility; nothing in attr reads them there."""
    e.replace(COMPAT, "from collections.abc import Mapping, Sequence  # noqa: F401\n", "")


def drop_callable_import(e: Edits) -> None:
    e.replace(INIT, "from typing import Callable, Literal, Protocol\n", "from typing import Literal, Protocol\n")


DAMAGE = [
    ("Tests: say why attr._config cannot be imported, and stop", guard_test_import),
    ("Rename VersionInfo to ReleaseVersion", rename_version_info),
    ("Move the PY_3_1x_PLUS flags to attr/_pyversions.py as PY31x, imported back into _compat", move_version_flags),
    ("Move _AnnotationExtractor from _compat to _make, its user", move_annotation_extractor),
    ("Rename attr/_cmp.py to attr/_comparison.py", rename_cmp_module),
    ("Fold attr/_config.py into attr/setters.py", fold_config),
    ("_compat: drop the Mapping/Sequence re-exports", drop_abc_reexports),
    ("Remove unused typing import", drop_callable_import),
]


def reference(e: Edits) -> None:
    """What a careful person writes: the import, aliases, a lazy re-export, module aliases, a skip."""
    e.replace(INIT, "from typing import Literal, Protocol\n", "from typing import Callable, Literal, Protocol\n")
    e.replace(INIT, "\n\ns = attributes = attrs\n",
              "\nVersionInfo = ReleaseVersion  # old name\n\ns = attributes = attrs\n")
    e.replace(COMPAT, "from typing import _GenericAlias\n",
              "from collections.abc import Mapping, Sequence  # noqa: F401  (old imports)\n"
              "from typing import _GenericAlias\n")
    e.append(COMPAT,
             "# Old names of the version flags.\n"
             + "".join(f"{flag} = {short_flag(flag)}\n" for flag in PY_FLAGS)
             + "\n\n"
             "def __getattr__(name):\n"
             "    # _AnnotationExtractor moved to _make, which imports this module: look it up lazily.\n"
             '    if name == "_AnnotationExtractor":\n'
             "        from ._make import _AnnotationExtractor\n"
             "\n"
             "        return _AnnotationExtractor\n"
             '    msg = f"module {__name__!r} has no attribute {name!r}"\n'
             "    raise AttributeError(msg)\n")
    e.write("src/attr/_cmp.py",
            '"""Renamed attr._comparison: this name is that module."""\n'
            "\n"
            "import sys\n"
            "\n"
            "from . import _comparison\n"
            "\n"
            "sys.modules[__name__] = _comparison\n")
    e.write("src/attr/_config.py",
            '"""Folded into attr.setters: this name is that module, so that its switch is one."""\n'
            "\n"
            "import sys\n"
            "\n"
            "from . import setters\n"
            "\n"
            "sys.modules[__name__] = setters\n")
    e.replace("tests/test_config.py", "    sys.exit(1)\n",
              "    pytest.skip(str(error), allow_module_level=True)\n")
