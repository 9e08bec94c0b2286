"""conditional_blocks: the if/try block that bound a name, ready to be restored as written."""

from __future__ import annotations

from typing import Optional

import pytest

from collect_fix.conditional_blocks import binding_block

FALLBACK = "import sys\n\ntry:\n    from functools import cache\nexcept ImportError:\n    cache = None\n"
BRANCHES = "if WINDOWS:\n    from app._win import path_sep\nelse:\n    from app._posix import path_sep\n"


def test_the_block_comes_with_the_plain_imports_it_reads() -> None:
    block = binding_block(FALLBACK.replace("cache = None", "cache = sys.intern").encode(), "cache")
    assert block is not None and block.names == frozenset({"cache"})
    assert block.text == "import sys\n\n" + FALLBACK.split("\n\n", 1)[1].replace("cache = None", "cache = sys.intern")


@pytest.mark.parametrize("setting", ["sys.platform.startswith('win')", "bool(os.environ.get('CI'))",
                                     "sys.version_info >= (3, 8)", "shutil.which('git') is not None",
                                     "importlib.util.find_spec('ujson') is not None"])
def test_settings_of_plain_values_come_along(setting: str) -> None:
    source = f"import importlib.util\nimport os\nimport shutil\nimport sys\n\nWINDOWS = {setting}\n\n" + BRANCHES
    block = binding_block(source.encode(), "path_sep")
    assert block is not None and f"WINDOWS = {setting}" in block.text


def test_a_one_line_setting_the_block_reads_comes_along_before_it() -> None:
    """A twelfth review: ``WINDOWS = sys.platform.startswith("win")`` / ``if WINDOWS: ...`` (the
    module's other code may read it too: a copy of a flag is the same flag)."""
    source = "import sys\n\nWINDOWS = sys.platform.startswith('win')\n\n" + BRANCHES + "\n\ndef is_windows():\n    return WINDOWS\n"
    block = binding_block(source.encode(), "path_sep")
    assert block is not None
    assert block.text == "import sys\n\nWINDOWS = sys.platform.startswith('win')\n\n" + BRANCHES


@pytest.mark.parametrize(("source", "why"), [
    ("import sys\n\nPOSIX = False\nif sys.platform != 'win32':\n    POSIX = True\n\n" + BRANCHES.replace("WINDOWS", "POSIX"),
     "bound again under an if: its first value alone would take the other branch"),
    ("from collections import OrderedDict\n\nHOOKS = OrderedDict()\n\nif True:\n    def hook(name):\n        HOOKS[name] = 1\n",
     "a container: module state, which a copy would split"),
    ("REGISTRY = {}\n\nif True:\n    def register(name):\n        REGISTRY[name] = 1\n\n\ndef run(name):\n    return REGISTRY[name]\n",
     "a registry the module's functions share"),
    ("def fast():\n    return True\n\n\nif fast():\n    from json import dumps\n", "a definition of the module"),
    ("MISSING = object()\n\nif True:\n    def lookup(key):\n        return MISSING\n",
     "a sentinel: a copy is another object, and `is MISSING` no longer matches (a fifteenth review)"),
    ("import threading\n\nLOCK = threading.Lock()\n\nif True:\n    def register(name):\n        with LOCK:\n"
     "            pass\n", "an object of a class, made by its module"),
    ("from app.reg import Registry\n\nHOOKS = (Registry(),)\n\nif True:\n    def hook(name):\n        HOOKS[0].add(name)\n",
     "an object of the project's class, even inside a tuple"),
    ("import threading\n\n_state = threading.local()\n\nif True:\n    def register(name):\n        _state.name = name\n",
     "state made by a lowercase function of a module (a sixteenth review)"),
    ("import itertools\n\n_ids = itertools.count()\n\nif True:\n    def register(name):\n        return next(_ids)\n",
     "a counter"),
    ("import os\n\nBUILT = os.system('make') == 0\n\nif BUILT:\n    def register(name):\n        return name\n",
     "a command a copy would run again"),
])
def test_a_block_reading_what_is_more_than_a_setting_of_its_own_is_not_the_block_alone(source: str, why: str) -> None:
    """A thirteenth review: ``POSIX = False`` then ``if ...: POSIX = True`` was taken for a
    setting, and the restored block took the Windows branch on Linux; ``REGISTRY = {}``, read by
    ``run`` too, was copied in front of the restored ``register``, which filled the copy."""
    name = next(name for name in ("register", "hook", "dumps", "path_sep", "lookup") if f"{name}" in source)
    found: Optional[object] = binding_block(source.encode(), name)
    assert found is None, why
