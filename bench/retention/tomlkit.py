"""tomlkit: a flat package (``tomlkit/__init__.py`` imports api, which imports container, items,
parser, _utils, _compat and _types at start-up; toml_file.py is imported by nothing but its test).
Tests live in tests/ (plain pytest functions, a shared tests/util.py imported as ``tests.util``, the
toml-test corpus under tests/toml-test). Nothing beyond pytest is needed.

The refactor: SingleKey becomes SimpleKey; ``loads``, the alias of ``parse``, is dropped (its
users spell ``parse``); the two-function tomlkit/_compat.py is folded into tomlkit/_utils.py; the
RFC 3339 parsing goes to a new tomlkit/_datetime.py, where ``_utc`` is spelled ``UTC``, and all of it
is imported back into _utils; toml_file.py is renamed file.py (a delete and a write, as ``git mv``
shows it) and TOMLFile exported from the package. Two test commits come first: test_toml_tests
exits when ``tomlkit._compat`` cannot be imported, and test_keep_old_eol patches
``tomlkit.toml_file.parse`` by its dotted name to see what TOMLFile.read parses, so only the old
module itself (``sys.modules`` alias), not a copy of its names, keeps it passing. The modules use
``from __future__ import annotations``: the dropped typing import is ``overload``, which items.py
applies as a decorator, so ``import tomlkit`` fails (NameError) everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "tomlkit"
VERSION = "0.15.2"
SOURCE = ["tomlkit/**/*.py"]
TESTS = ["tests/**/*.py"]

UTILS = "tomlkit/_utils.py"


def guard_test_import(e: Edits) -> None:
    """Tests: test_toml_tests exits with a message when tomlkit._compat cannot be imported."""
    e.replace("tests/test_toml_tests.py",
              "import json\nimport os\n",
              "import json\nimport os\nimport sys\n")
    e.replace("tests/test_toml_tests.py",
              "from tomlkit import parse\nfrom tomlkit._compat import decode\n",
              "from tomlkit import parse\n"
              "\n"
              "try:\n"
              "    from tomlkit._compat import decode\n"
              "except ImportError as error:\n"
              "    print(f'tomlkit._compat is not importable: {error}')\n"
              "    sys.exit(1)\n"
              "\n")


def rename_single_key(e: Edits) -> None:
    e.rename("SingleKey", "SimpleKey")


def drop_loads_alias(e: Edits) -> None:
    """``loads`` was ``parse`` under another name: its users spell ``parse`` now."""
    api = "tomlkit/api.py"
    e.replace(api, 'def loads(string: str | bytes) -> TOMLDocument:\n'
                   '    """\n'
                   '    Parses a string into a TOMLDocument.\n'
                   '\n'
                   '    Alias for parse().\n'
                   '    """\n'
                   '    return parse(string)\n\n\n', "")
    init = "tomlkit/__init__.py"
    e.replace(init, "from tomlkit.api import loads\n", "")
    e.replace(init, '    "loads",\n', "")
    toml_file = "tomlkit/toml_file.py"
    e.replace(toml_file, "from tomlkit.api import loads\n", "from tomlkit.api import parse\n")
    e.replace(toml_file, "            return loads(content)\n", "            return parse(content)\n")


def patch_parse_in_test(e: Edits) -> None:
    """Tests: test_keep_old_eol also checks what TOMLFile.read parses (CRLF normalised to LF)."""
    path = "tests/test_toml_file.py"
    e.replace(path, "from tomlkit.toml_document import TOMLDocument\n",
              "from tomlkit import parse\nfrom tomlkit.toml_document import TOMLDocument\n")
    e.replace(path,
              "def test_keep_old_eol(tmp_path: Path) -> None:\n"
              "    toml_path = tmp_path / \"pyproject.toml\"\n"
              "    with open(toml_path, \"wb+\") as fh:\n"
              "        fh.write(b\"a = 1\\r\\nb = 2\\r\\n\")\n"
              "\n"
              "    toml_f = TOMLFile(toml_path)\n"
              "    content = toml_f.read()\n",
              "def test_keep_old_eol(tmp_path: Path, monkeypatch) -> None:\n"
              "    toml_path = tmp_path / \"pyproject.toml\"\n"
              "    with open(toml_path, \"wb+\") as fh:\n"
              "        fh.write(b\"a = 1\\r\\nb = 2\\r\\n\")\n"
              "\n"
              "    parsed = []\n"
              "\n"
              "    def recording_parse(text):\n"
              "        parsed.append(text)\n"
              "        return parse(text)\n"
              "\n"
              "    monkeypatch.setattr(\"tomlkit.toml_file.parse\", recording_parse)\n"
              "    toml_f = TOMLFile(toml_path)\n"
              "    content = toml_f.read()\n"
              "    assert parsed == [\"a = 1\\nb = 2\\n\"]\n")


def fold_compat(e: Edits) -> None:
    """tomlkit/_compat.py (PY38 and decode) goes into tomlkit/_utils.py, its importers follow."""
    e.replace(UTILS, "import re\n\nfrom collections.abc import Collection\n",
              "import contextlib\nimport re\nimport sys\n\nfrom collections.abc import Collection\n")
    e.replace(UTILS, "from tomlkit._compat import decode\n\n\n",
              "\n"
              "PY38 = sys.version_info >= (3, 8)\n"
              "\n"
              "\n"
              "def decode(string: str | bytes, encodings: list[str] | None = None) -> str:\n"
              "    if not isinstance(string, bytes):\n"
              "        return string\n"
              "\n"
              '    encodings = encodings or ["utf-8", "latin1", "ascii"]\n'
              "\n"
              "    for encoding in encodings:\n"
              "        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):\n"
              "            return string.decode(encoding)\n"
              "\n"
              '    return string.decode(encodings[0], errors="ignore")\n'
              "\n"
              "\n")
    e.replace("tomlkit/container.py", "from tomlkit._compat import decode\nfrom tomlkit._types import _CustomDict\n"
                                      "from tomlkit._utils import merge_dicts\n",
              "from tomlkit._types import _CustomDict\nfrom tomlkit._utils import decode\n"
              "from tomlkit._utils import merge_dicts\n")
    e.replace("tomlkit/items.py", "from tomlkit._compat import PY38\nfrom tomlkit._compat import decode\n", "")
    e.replace("tomlkit/items.py", "from tomlkit._utils import CONTROL_CHARS\n",
              "from tomlkit._utils import CONTROL_CHARS\nfrom tomlkit._utils import PY38\n")
    e.replace("tomlkit/items.py", "from tomlkit._utils import escape_string\n",
              "from tomlkit._utils import decode\nfrom tomlkit._utils import escape_string\n")
    e.replace("tomlkit/parser.py", "from tomlkit._compat import decode\nfrom tomlkit._utils import RFC_3339_LOOSE\n",
              "from tomlkit._utils import RFC_3339_LOOSE\n")
    e.replace("tomlkit/parser.py", "from tomlkit._utils import _escaped\n",
              "from tomlkit._utils import _escaped\nfrom tomlkit._utils import decode\n")
    e.delete("tomlkit/_compat.py")


def move_datetime_parsing(e: Edits) -> None:
    """The RFC 3339 patterns and parse_rfc3339 to tomlkit/_datetime.py, ``_utc`` spelled ``UTC``;
    _utils imports them back for its importers (api, parser)."""
    text = e.read(UTILS)
    start = text.find("RFC_3339_LOOSE = re.compile(\n")
    end = text.find("# https://toml.io/en/v1.0.0#string\n")
    if start < 0 or end < start:
        e.replace(UTILS, "RFC_3339_LOOSE ... # https://toml.io/en/v1.0.0#string", "")  # raises SpecError
    block = text[start:end]
    e.replace(UTILS, block, "from tomlkit._datetime import RFC_3339_LOOSE  # noqa: F401  (api, parser)\n"
                            "from tomlkit._datetime import UTC  # noqa: F401\n"
                            "from tomlkit._datetime import parse_rfc3339  # noqa: F401  (api, parser)\n"
                            "\n\n")
    block = block.replace("_utc = timezone(timedelta(), \"UTC\")\n", "UTC = timezone(timedelta(), \"UTC\")\n")
    block = block.replace("                tzinfo = _utc\n", "                tzinfo = UTC\n")
    if "_utc" in block:
        e.replace(UTILS, "_utc, still used after the rename", "")  # raises SpecError
    e.write("tomlkit/_datetime.py",
            '"""RFC 3339 dates, times and date-times, as TOML writes them."""\n'
            "\n"
            "from __future__ import annotations\n"
            "\n"
            "import re\n"
            "\n"
            "from datetime import date\n"
            "from datetime import datetime\n"
            "from datetime import time\n"
            "from datetime import timedelta\n"
            "from datetime import timezone\n"
            "\n"
            "\n" + block.rstrip("\n") + "\n")


def rename_toml_file_module(e: Edits) -> None:
    """tomlkit/toml_file.py becomes tomlkit/file.py (git mv: a delete and a write); the package
    exports TOMLFile."""
    e.write("tomlkit/file.py", e.read("tomlkit/toml_file.py"))
    e.delete("tomlkit/toml_file.py")
    init = "tomlkit/__init__.py"
    e.replace(init, "from tomlkit.api import ws\n", "from tomlkit.api import ws\nfrom tomlkit.file import TOMLFile\n")
    e.replace(init, '    "TOMLDocument",\n', '    "TOMLDocument",\n    "TOMLFile",\n')


def drop_overload_import(e: Edits) -> None:
    e.replace("tomlkit/items.py", "from typing import TypeVar\nfrom typing import overload\n",
              "from typing import TypeVar\n")


DAMAGE = [
    ("Tests: say why tomlkit._compat cannot be imported, and stop", guard_test_import),
    ("Rename SingleKey to SimpleKey", rename_single_key),
    ("Drop loads, an alias of parse: spell parse", drop_loads_alias),
    ("Tests: test_keep_old_eol checks what TOMLFile.read parses", patch_parse_in_test),
    ("Fold tomlkit/_compat.py into tomlkit/_utils.py", fold_compat),
    ("Move the RFC 3339 parsing to tomlkit/_datetime.py (_utc spelled UTC), imported back", move_datetime_parsing),
    ("Rename tomlkit/toml_file.py to tomlkit/file.py; export TOMLFile", rename_toml_file_module),
    ("Remove unused typing import", drop_overload_import),
]


def reference(e: Edits) -> None:
    """What a careful person writes: the import, aliases, a stub and a module alias, a skip."""
    e.replace("tomlkit/items.py", "from typing import TypeVar\n",
              "from typing import TypeVar\nfrom typing import overload\n")
    e.append("tomlkit/items.py", "SingleKey = SimpleKey  # old name\n")
    e.append("tomlkit/api.py", "loads = parse  # old alias, kept for existing callers\n")
    e.replace("tomlkit/__init__.py", "from tomlkit.api import load\n",
              "from tomlkit.api import load\nfrom tomlkit.api import loads\n")
    e.write("tomlkit/_compat.py",
            '"""Folded into tomlkit._utils; kept for old imports."""\n'
            "\n"
            "from tomlkit._utils import PY38  # noqa: F401\n"
            "from tomlkit._utils import decode  # noqa: F401\n")
    e.append(UTILS, "_utc = UTC  # old name\n")
    e.write("tomlkit/toml_file.py",
            '"""Renamed tomlkit.file: this name is that module, so that patching through it still works."""\n'
            "\n"
            "import sys\n"
            "\n"
            "from tomlkit import file\n"
            "\n"
            "sys.modules[__name__] = file\n")
    e.replace("tests/test_toml_tests.py", "    sys.exit(1)\n",
              "    import pytest\n\n    pytest.skip(str(error), allow_module_level=True)\n")
