"""restore_block: an if/try block that bound a name comes back as the module had it."""

from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest, SkipFile

from collect_fix.codemods.restore_block import RestoreBlockCommand

VERSION_CHECK = (
    "import sys\n\n"
    "if sys.version_info >= (3, 8):\n"
    "    from typing import Literal\n"
    "else:\n"
    "    from typing_extensions import Literal\n"
)
FALLBACK = (
    "from functools import lru_cache\n\n"
    "try:\n"
    "    from functools import cache\n"
    "except ImportError:  # Python 3.8\n"
    "    def cache(func):\n"
    "        return lru_cache(maxsize=None)(func)\n"
)
SOURCE = "as app/compat.py had it before commit 1a2b3c"


def transform(source: str, statement: str = VERSION_CHECK, names: str = "Literal") -> str:
    command = RestoreBlockCommand(CodemodContext(full_module_name="app.compat"), statement, names, SOURCE)
    return command.transform_module(cst.parse_module(source)).code


class TestRestoreBlock(CodemodTest):
    TRANSFORM = RestoreBlockCommand

    def test_the_block_comes_back_after_the_imports_with_the_imports_it_reads(self) -> None:
        before = """
            \"""Compatibility names.\"""  # kept

            from app._compat import norm  # the moved one


            def shout(text):
                return text.upper()
        """
        after = """
            \"""Compatibility names.\"""  # kept

            import sys

            from app._compat import norm  # the moved one

            # collect-fix: restored Literal (as app/compat.py had it before commit 1a2b3c)
            if sys.version_info >= (3, 8):
                from typing import Literal
            else:
                from typing_extensions import Literal


            def shout(text):
                return text.upper()
        """
        self.assertCodemod(before, after, statement=VERSION_CHECK, names="Literal", source=SOURCE,
                           context_override=CodemodContext(full_module_name="app.compat"))

    def test_a_def_in_a_branch_and_its_comments_come_back_as_written(self) -> None:
        result = transform("", FALLBACK, "cache")
        assert result == (
            "from functools import lru_cache\n\n"
            "# collect-fix: restored cache (as app/compat.py had it before commit 1a2b3c)\n"
            + FALLBACK.split("\n\n", 1)[1]
        )
        ast.parse(result)

    def test_a_second_run_changes_nothing(self) -> None:
        once = transform("import sys\n\nX = 1\n")
        assert transform(once) == once
        assert once.count("import sys") == 1
        ast.parse(once)

    def test_two_blocks_keep_their_order(self) -> None:
        both = transform(transform(""), FALLBACK, "cache")
        assert both.index("restored Literal") < both.index("restored cache")
        assert transform(both, FALLBACK, "cache") == both

    def test_a_module_binding_another_name_of_the_block_is_left_alone(self) -> None:
        statement = "try:\n    import ujson as json\n    FAST = True\nexcept ImportError:\n    import json\n    FAST = False\n"
        with pytest.raises(SkipFile, match="rebind FAST"):
            transform("FAST = None\n", statement, "json")

    def test_a_block_that_does_not_bind_the_name_is_refused(self) -> None:
        with pytest.raises(SkipFile, match="does not bind Final"):
            transform("", VERSION_CHECK, "Final")

    def test_formatting_outside_the_edit_survives(self) -> None:
        before = textwrap.dedent("""\
            import os   # odd spacing kept
            VALUE = {  'a' :1 }
        """)
        after = transform(before)
        assert after.startswith("import os   # odd spacing kept\nimport sys\n")
        assert "VALUE = {  'a' :1 }\n" in after

    def test_a_deleted_module_s_list_of_names_comes_back_as_written_after_its_imports(self) -> None:
        """Review hAN 08: a test reads ``slugs.__all__`` of a module folded into another: the
        recreated module lists what the old one listed, as written, once."""
        before = "# collect-fix: re-export slugify (moved to app.text)\nfrom app.text import slugify  # kept\n"
        listed = '__all__ = ["slugify"]  # the public API\n'
        after = transform(before, listed, "__all__")
        assert after == (before + "\n# collect-fix: restored __all__ (as app/compat.py had it before commit 1a2b3c)\n"
                         + listed)
        assert transform(after, listed, "__all__") == after
        assert ast.literal_eval(ast.parse(after).body[-1].value) == ["slugify"]  # type: ignore[attr-defined]
        with pytest.raises(SkipFile, match="nor in a module.s __all__"):
            transform("", "LIMIT = 3\n", "LIMIT")

    def test_a_forwarding_function_comes_back_as_written(self) -> None:
        """tomlkit (retention): ``def loads(string): return parse(string)``, an alias in a function's form."""
        wrapper = 'def loads(string):  # kept\n    """Alias for parse()."""\n    return parse(string)\n'
        before = "import json\n\n\ndef parse(string):\n    return json.loads(string)\n"
        after = transform(before, wrapper, "loads")
        assert "# collect-fix: restored loads (as app/compat.py had it before commit 1a2b3c)\n" + wrapper in after
        assert after.endswith(before.split("\n\n\n", 1)[1]) and transform(after, wrapper, "loads") == after
        ast.parse(after)

    def test_a_setting_the_block_reads_comes_along_before_it(self) -> None:
        """A twelfth review: ``WINDOWS = sys.platform.startswith("win")`` / ``if WINDOWS: ...``:
        the block read a setting, so it was not restored and its first branch was re-exported."""
        statement = ("import sys\n\nWINDOWS = sys.platform.startswith('win')  # the one check\n\n"
                     "if WINDOWS:\n    from app._win import path_sep\nelse:\n    from app._posix import path_sep\n")
        result = transform('"""Compat."""\nfrom app.x import y  # kept\n', statement, "path_sep")
        assert result == (
            '"""Compat."""\nimport sys\n\nfrom app.x import y  # kept\n\n'
            "# collect-fix: restored path_sep (as app/compat.py had it before commit 1a2b3c)\n"
            "WINDOWS = sys.platform.startswith('win')  # the one check\n\n"
            "if WINDOWS:\n    from app._win import path_sep\nelse:\n    from app._posix import path_sep\n"
        )
        assert transform(result, statement, "path_sep") == result
        ast.parse(result)


def test_a_block_reading_a_setting_restored_with_another_block_goes_after_both() -> None:
    """A fourteenth review: ``WINDOWS = ...`` came back with the ``if WINDOWS:`` block, and the
    ``try`` block whose handler reads it too went right after the imports, before the setting:
    ``name 'WINDOWS' is not defined``, the repair dropped (or, where the handler runs only on
    Windows, kept and broken there)."""
    setting = "import sys\n\nWINDOWS = sys.platform.startswith('win')\n\n"
    separator = setting + "if WINDOWS:\n    SEP = '\\\\'\nelse:\n    SEP = '/'\n"
    locking = setting + ("try:\n    import msvcrt as locking\nexcept ImportError:\n"
                         "    locking = 'fcntl' if not WINDOWS else None\n")
    both = transform(transform("", separator, "SEP"), locking, "locking")
    ast.parse(both)
    assert both.count("WINDOWS = ") == 1
    assert both.index("WINDOWS = ") < both.index("if WINDOWS:") < both.index("try:")
    assert both.index("restored SEP") < both.index("WINDOWS = ") and both.index("restored locking") < both.index("try:")
    assert transform(both, locking, "locking") == both
    namespace: dict[str, object] = {}
    exec(compile(both, "compat.py", "exec"), namespace)
    assert namespace["locking"] in ("fcntl", None) or namespace["locking"].__name__ == "msvcrt"  # type: ignore[attr-defined]
