"""simplejson: ``simplejson/__init__.py`` imports errors, raw_json, decoder (and through it scanner)
and encoder at start-up; the tests live inside the package, in simplejson/tests (unittest style, a
shared simplejson/tests/_helpers.py). The C extension (_speedups.c) is not built: the pure-Python
code runs and the speedups tests skip.

The tests reach most names as attributes (``json.dumps``, ``simplejson.decoder.py_scanstring``), so
only their from-imports break collection: ``simplejson.compat`` (long_type, reload_module),
``from simplejson import OrderedDict``, ``from simplejson.decoder import NaN, PosInf, NegInf``,
``from simplejson import encoder, decoder, scanner``, and the guarded import added to
test_encode_for_html. simplejson has no ``typing`` imports: one commit annotates errors.py, a later
one drops ``Optional`` from that import, and then the whole package fails to import (NameError).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retention import Edits

NAME = "simplejson"
VERSION = "4.3.0"
SOURCE = ["simplejson/**/*.py"]
TESTS = ["simplejson/tests/**/*.py"]


def guard_test_import(e: Edits) -> None:
    """Tests: test_encode_for_html imports the HTML encoder by name and exits when it cannot."""
    path = "simplejson/tests/test_encode_for_html.py"
    e.replace(path, "import unittest\n\nimport simplejson as json\n",
              "import sys\n"
              "import unittest\n"
              "\n"
              "import simplejson as json\n"
              "\n"
              "try:\n"
              "    from simplejson import JSONEncoderForHTML\n"
              "except ImportError as error:\n"
              "    print(f'simplejson.JSONEncoderForHTML is not importable: {error}')\n"
              "    sys.exit(1)\n")
    e.replace(path, "json.JSONEncoderForHTML(", "JSONEncoderForHTML(", count=2)


def annotate_errors(e: Edits) -> None:
    path = "simplejson/errors.py"
    e.replace(path, '"""Error classes used by simplejson\n"""\n',
              '"""Error classes used by simplejson\n"""\nfrom typing import Optional, Tuple\n\n')
    e.replace(path, "def linecol(doc, pos):\n", "def linecol(doc: str, pos: int) -> Tuple[int, int]:\n")
    e.replace(path, "def errmsg(msg, doc, pos, end=None):\n",
              "def errmsg(msg: str, doc: str, pos: int, end: Optional[int] = None) -> str:\n")
    e.replace(path, "    def __init__(self, msg, doc, pos, end=None):\n",
              "    def __init__(self, msg: str, doc: str, pos: int, end: Optional[int] = None) -> None:\n")


def rename_html_encoder(e: Edits) -> None:
    e.rename("JSONEncoderForHTML", "HTMLSafeJSONEncoder")


def move_float_constants(e: Edits) -> None:
    """NaN/PosInf/NegInf become NAN/POS_INF/NEG_INF in simplejson/_constants.py; the decoder and the
    encoder import them from there (the strings 'NaN', 'Infinity' of the JSON text stay)."""
    e.write("simplejson/_constants.py",
            '"""Float constants shared by the decoder and the encoder."""\n'
            "\n"
            "NAN = float('nan')\n"
            "POS_INF = float('inf')\n"
            "NEG_INF = float('-inf')\n")
    decoder = "simplejson/decoder.py"
    e.replace(decoder, "from .scanner import make_scanner, JSONDecodeError\n",
              "from .scanner import make_scanner, JSONDecodeError\nfrom ._constants import NAN, POS_INF, NEG_INF\n")
    e.replace(decoder, "def _floatconstants():\n    return float('nan'), float('inf'), float('-inf')\n\n"
                       "NaN, PosInf, NegInf = _floatconstants()\n\n", "")
    e.replace(decoder, "    '-Infinity': NegInf,\n    'Infinity': PosInf,\n    'NaN': NaN,\n",
              "    '-Infinity': NEG_INF,\n    'Infinity': POS_INF,\n    'NaN': NAN,\n")
    encoder = "simplejson/encoder.py"
    e.replace(encoder, "from .decoder import PosInf\n", "from ._constants import POS_INF, NEG_INF\n")
    e.replace(encoder, "_inf=PosInf, _neginf=-PosInf):", "_inf=POS_INF, _neginf=NEG_INF):")


def drop_compat_leftovers(e: Edits) -> None:
    """long_type and reload_module: Python 2 spellings nothing in the package uses any more."""
    path = "simplejson/compat.py"
    e.replace(path, "    reload_module = reload\n", "")
    e.replace(path, "    from importlib import reload as reload_module\n", "")
    e.replace(path, "\nlong_type = integer_types[-1]\n", "")


def drop_ordered_dict_shim(e: Edits) -> None:
    init = "simplejson/__init__.py"
    e.replace(init, "    'OrderedDict', 'simple_first', 'RawJSON'\n", "    'simple_first', 'RawJSON'\n")
    e.replace(init, "def _import_OrderedDict():\n"
                    "    import collections\n"
                    "    try:\n"
                    "        return collections.OrderedDict\n"
                    "    except AttributeError:\n"
                    "        from . import ordered_dict\n"
                    "        return ordered_dict.OrderedDict\n"
                    "OrderedDict = _import_OrderedDict()\n\n", "")
    tool = "simplejson/tool.py"
    e.replace(tool, "import sys\nimport simplejson as json\n",
              "import sys\nfrom collections import OrderedDict\n\nimport simplejson as json\n")
    e.replace(tool, "object_pairs_hook=json.OrderedDict,", "object_pairs_hook=OrderedDict,")
    e.delete("simplejson/ordered_dict.py")


def fold_scanner(e: Edits) -> None:
    """scanner.py goes into decoder.py, its only importer; _toggle_speedups switches the decoder's."""
    scanner = "simplejson/scanner.py"
    e.replace(scanner, '"""JSON token scanner\n"""\nimport re\nfrom .errors import JSONDecodeError\n', "")
    e.replace(scanner, "__all__ = ['make_scanner', 'JSONDecodeError']\n\n", "")
    body = e.read(scanner).strip("\n") + "\n"
    decoder = "simplejson/decoder.py"
    e.replace(decoder, "from .scanner import make_scanner, JSONDecodeError\n", "from .errors import JSONDecodeError\n")
    e.replace(decoder, "c_scanstring = _import_c_scanstring()\n",
              "c_scanstring = _import_c_scanstring()\n\n" + body)
    init = "simplejson/__init__.py"
    e.replace(init, "    from . import scanner as scan\n", "")
    e.replace(init, "        scan.make_scanner = scan.c_make_scanner or scan.py_make_scanner\n",
              "        dec.make_scanner = dec.c_make_scanner or dec.py_make_scanner\n")
    e.replace(init, "        scan.make_scanner = scan.py_make_scanner\n    dec.make_scanner = scan.make_scanner\n",
              "        dec.make_scanner = dec.py_make_scanner\n")
    e.delete(scanner)


def drop_optional_import(e: Edits) -> None:
    e.replace("simplejson/errors.py", "from typing import Optional, Tuple\n", "from typing import Tuple\n")


DAMAGE = [
    ("Tests: say why JSONEncoderForHTML cannot be imported, and stop", guard_test_import),
    ("Annotate linecol, errmsg and JSONDecodeError", annotate_errors),
    ("Rename JSONEncoderForHTML to HTMLSafeJSONEncoder", rename_html_encoder),
    ("Move the float constants to simplejson._constants as NAN/POS_INF/NEG_INF", move_float_constants),
    ("compat: drop long_type and reload_module, Python 2 leftovers", drop_compat_leftovers),
    ("Drop the OrderedDict shim and ordered_dict.py: use collections.OrderedDict", drop_ordered_dict_shim),
    ("Fold scanner.py into decoder.py, its only user", fold_scanner),
    ("Remove unused typing import", drop_optional_import),
]


def reference(e: Edits) -> None:
    """What a careful person writes: aliases, re-exports, a stub module, the import, a skip."""
    e.replace("simplejson/errors.py", "from typing import Tuple\n", "from typing import Optional, Tuple\n")
    e.append("simplejson/encoder.py", "JSONEncoderForHTML = HTMLSafeJSONEncoder  # old name\n")
    e.append("simplejson/__init__.py",
             "from collections import OrderedDict  # the shim is gone; old imports still work\n"
             "from .encoder import JSONEncoderForHTML  # old name of HTMLSafeJSONEncoder\n")
    e.append("simplejson/decoder.py", "NaN, PosInf, NegInf = NAN, POS_INF, NEG_INF  # old names\n")
    e.append("simplejson/compat.py", "long_type = integer_types[-1]\nfrom importlib import reload as reload_module\n")
    e.write("simplejson/scanner.py",
            '"""JSON token scanner: folded into simplejson.decoder, kept for old imports."""\n'
            "from .decoder import (  # noqa: F401\n"
            "    NUMBER_RE, JSONDecodeError, c_make_scanner, make_scanner, py_make_scanner,\n"
            ")\n")
    e.replace("simplejson/tests/test_encode_for_html.py", "    sys.exit(1)\n",
              "    import pytest\n    pytest.skip(str(error), allow_module_level=True)\n")
