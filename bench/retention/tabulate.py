"""tabulate: one module, ``tabulate/__init__.py`` (3000 lines); tests live in test/ (plain pytest
functions, a shared test/common.py imported as ``common``). wcwidth is installed so the
wide-character tests run; numpy and pandas are not (those tests skip).

The refactor splits the module the way a maintainer would: the table formats go to
tabulate/formats.py (their constants spelled in capitals, imported back), the ANSI helpers and the
text wrapper to tabulate/wrapping.py (``_CustomTextWrap`` made public as ``AnsiTextWrapper``).
test_cli runs ``python tabulate/__init__.py`` as a script, so the new imports fall back to plain
``from formats import ...`` there, in the ``try``/``except ImportError`` the module already uses for
its version. Earlier, simple_separated_format is renamed with a deprecated alias that a later
commit drops, as a deprecation cycle does. tabulate has no ``typing`` imports: one commit annotates three helpers, a
later one drops ``Callable``, and then ``import tabulate`` fails (NameError) everywhere.

There is no module to delete: the package is one module until this refactor splits it, so the
"deleted module" step is left out here (boltons and toolz have it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "tabulate"
VERSION = "0.10.0"
SOURCE = ["tabulate/**/*.py"]
TESTS = ["test/**/*.py"]
REQUIREMENTS = ["wcwidth==0.9.4"]

INIT = "tabulate/__init__.py"


def cut_between(e: Edits, relative: str, start: str, end: str) -> str:
    """Remove the text from ``start`` (included) to ``end`` (excluded) and return it."""
    text = e.read(relative)
    i = text.find(start)
    j = text.find(end, i + 1) if i >= 0 else -1
    if i < 0 or j < 0:
        e.replace(relative, f"{start} ... {end}", "")  # raises SpecError: the markers are not there
    block = text[i:j]
    e.replace(relative, block, "")  # and fails loudly if the block is not unique
    return block


def guard_test_import(e: Edits) -> None:
    """Tests: test_textwrapper exits with a message when the wrapper cannot be imported."""
    e.replace("test/test_textwrapper.py",
              "import datetime\n\nfrom tabulate import _CustomTextWrap as CTW, tabulate, _strip_ansi\n",
              "import datetime\n"
              "import sys\n"
              "\n"
              "try:\n"
              "    from tabulate import _CustomTextWrap as CTW, tabulate, _strip_ansi\n"
              "except ImportError as error:\n"
              "    print(f\"tabulate's text wrapper is not importable: {error}\")\n"
              "    sys.exit(1)\n")


def annotate_helpers(e: Edits) -> None:
    e.replace(INIT, "import dataclasses\nimport sys\n",
              "import dataclasses\nimport sys\nfrom typing import Callable, Union\n")
    e.replace(INIT, "def _strip_ansi(s):\n", "def _strip_ansi(s: Union[str, bytes]) -> Union[str, bytes]:\n")
    e.replace(INIT, "def _visible_width(s):\n", "def _visible_width(s: Union[str, bytes]) -> int:\n")
    e.replace(INIT, "def _multiline_width(multiline_s, line_width_fn=len):\n",
              "def _multiline_width(multiline_s: str, line_width_fn: Callable[[str], int] = len) -> int:\n")


def rename_separated_format(e: Edits) -> None:
    """The new name, and the old one kept as a deprecated alias for a release."""
    e.rename("simple_separated_format", "separated_format")
    e.replace(INIT, '__all__ = ["tabulate", "tabulate_formats", "separated_format"]\n',
              '__all__ = ["tabulate", "tabulate_formats", "separated_format", "simple_separated_format"]\n')
    e.replace(INIT, "\n\ndef _isnumber_with_thousands_separator(string):\n",
              "\n\n# Deprecated: use separated_format. Removed in the next release.\n"
              "simple_separated_format = separated_format\n"
              "\n\ndef _isnumber_with_thousands_separator(string):\n")


def rename_line_types(e: Edits) -> None:
    """Line/DataRow become LineFormat/RowFormat (in code; a prose "Line Wrapping" stays)."""
    e.replace(INIT, 'Line = namedtuple("Line", ', 'LineFormat = namedtuple("LineFormat", ')
    text = e.read(INIT)
    updated, found = re.subn(r"\bLine\(", "LineFormat(", text)
    if not found:
        e.replace(INIT, "Line(", "LineFormat(")  # raises SpecError: no Line(...) call left to rename
    e.write(INIT, updated.replace("#   - or a Line tuple,", "#   - or a LineFormat tuple,"))
    e.rename("DataRow", "RowFormat")


def move_formats(e: Edits) -> None:
    """The table formats to tabulate/formats.py: TABLE_FORMATS, TABULATE_FORMATS, MULTILINE_FORMATS."""
    types = cut_between(e, INIT, 'LineFormat = namedtuple("LineFormat", ', "def _is_separating_line_value(value):")
    formats = cut_between(e, INIT, "def _pipe_segment_with_colons(", "# TODO: Add multiline support")
    simple_row = e.cut_definition(INIT, "_build_simple_row")
    e.write("tabulate/formats.py",
            '"""The table formats tabulate knows, and the types they are made of."""\n'
            "\n"
            "from collections import namedtuple\n"
            "from functools import partial\n"
            "from html import escape as htmlescape\n"
            "\n"
            "\n" + types.rstrip("\n") + "\n\n\n" + simple_row.rstrip("\n") + "\n\n\n" + formats.rstrip("\n") + "\n")
    names = ("LineFormat, RowFormat, TableFormat, _build_simple_row, _html_begin_table_without_header,\n"
             "        _rst_escape_first_column, _table_formats, multiline_formats, tabulate_formats,\n")
    e.replace(INIT, 'SEPARATING_LINE = "\\001"\n\n',
              'SEPARATING_LINE = "\\001"\n'
              "\n"
              "try:\n"
              "    from .formats import (\n        " + names + "    )\n"
              "except ImportError:  # running __init__.py as a script, as the CLI tests do\n"
              "    from formats import (\n        " + names + "    )\n"
              "\n")
    # renamed everywhere, the import above included
    e.rename("_table_formats", "TABLE_FORMATS")
    e.rename("tabulate_formats", "TABULATE_FORMATS")
    e.rename("multiline_formats", "MULTILINE_FORMATS")


def move_wrapping(e: Edits) -> None:
    """The ANSI helpers and the text wrapper to tabulate/wrapping.py; the wrapper becomes public."""
    ansi = cut_between(e, INIT, "# Handle ANSI escape sequences for both",
                       "_float_with_thousands_separators = re.compile(")
    strip_ansi = e.cut_definition(INIT, "_strip_ansi")
    wrapper = e.cut_definition(INIT, "_CustomTextWrap")
    e.write("tabulate/wrapping.py",
            '"""Text wrapping for tabulate: wide characters count double, ANSI escape codes count nothing."""\n'
            "\n"
            "import re\n"
            "import textwrap\n"
            "from typing import Union\n"
            "\n"
            "try:\n"
            "    import wcwidth  # optional wide-character (CJK) support\n"
            "except ImportError:\n"
            "    wcwidth = None\n"
            "\n"
            + ansi.rstrip("\n") + "\n\n\n" + strip_ansi.rstrip("\n") + "\n\n\n" + wrapper.rstrip("\n") + "\n")
    e.replace(INIT, "except ImportError:\n    wcwidth = None\n",
              "except ImportError:\n    wcwidth = None\n\n"
              "try:\n"
              "    from .wrapping import _CustomTextWrap, _ansi_codes, _strip_ansi\n"
              "except ImportError:  # running __init__.py as a script, as the CLI tests do\n"
              "    from wrapping import _CustomTextWrap, _ansi_codes, _strip_ansi\n")
    e.rename("_CustomTextWrap", "AnsiTextWrapper")


def drop_deprecated_alias(e: Edits) -> None:
    e.replace(INIT, "\n\n# Deprecated: use separated_format. Removed in the next release.\n"
                    "simple_separated_format = separated_format\n", "")
    e.replace(INIT, ', "separated_format", "simple_separated_format"]\n', ', "separated_format"]\n')


def drop_callable_import(e: Edits) -> None:
    e.replace(INIT, "from typing import Callable, Union\n", "from typing import Union\n")


DAMAGE = [
    ("Tests: say why the text wrapper cannot be imported, and stop", guard_test_import),
    ("Annotate _strip_ansi, _visible_width and _multiline_width", annotate_helpers),
    ("Rename simple_separated_format to separated_format (old name deprecated)", rename_separated_format),
    ("Rename Line/DataRow to LineFormat/RowFormat", rename_line_types),
    ("Move the table formats to tabulate/formats.py; constants in capitals", move_formats),
    ("Move the ANSI helpers and the text wrapper to tabulate/wrapping.py (public AnsiTextWrapper)", move_wrapping),
    ("Drop the deprecated simple_separated_format alias", drop_deprecated_alias),
    ("Remove unused typing import", drop_callable_import),
]


def reference(e: Edits) -> None:
    """What a careful person writes: the import, aliases for the old names, a skip for the exit."""
    e.replace(INIT, "from typing import Union\n", "from typing import Callable, Union\n")
    e.replace(INIT, '\n\nif __name__ == "__main__":\n',
              "\n\n# Old names, so that existing imports go on working.\n"
              "simple_separated_format = separated_format\n"
              "Line = LineFormat\n"
              "DataRow = RowFormat\n"
              "tabulate_formats = TABULATE_FORMATS\n"
              "multiline_formats = MULTILINE_FORMATS\n"
              "_table_formats = TABLE_FORMATS\n"
              "_CustomTextWrap = AnsiTextWrapper\n"
              '\n\nif __name__ == "__main__":\n')
    e.replace("test/test_textwrapper.py", "    sys.exit(1)\n",
              "    import pytest\n\n    pytest.skip(str(error), allow_module_level=True)\n")
