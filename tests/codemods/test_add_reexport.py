"""add_reexport: a moved name stays importable from its old module."""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.add_reexport import AddReexportCommand



def context() -> CodemodContext:
    """A fresh context per case: scheduled imports live in the context's scratch."""
    return CodemodContext(full_module_name="pkg.mod", full_package_name="pkg")


def transform(source: str, **args: object) -> str:
    return AddReexportCommand(CodemodContext(full_module_name="pkg.mod"), **args).transform_module(
        cst.parse_module(source)
    ).code


class TestAddReexport(CodemodTest):
    TRANSFORM = AddReexportCommand

    def test_a_name_moved_and_renamed_is_imported_under_its_old_name(self) -> None:
        before = """
            \"""Strings.\"""
            __all__ = ["shout"]

            from pkg.base import shout
        """
        after = """
            \"""Strings.\"""
            __all__ = ["shout", "slugify"]

            from pkg.base import shout

            # collect-fix: re-export slugify (moved to pkg.text.make_slug)
            from pkg.text import make_slug as slugify
        """
        self.assertCodemod(before, after, from_module="pkg.text", name="slugify", new_name="make_slug",
                           context_override=context())
        again = transform(textwrap.dedent(after), from_module="pkg.text", name="slugify", new_name="make_slug")
        assert again == textwrap.dedent(after)

    def test_a_name_the_old_module_only_imported_says_where_it_came_from(self) -> None:
        result = transform("", from_module="pkg.models", name="User", imported=True)
        assert result == "# collect-fix: re-export User (imported from pkg.models)\nfrom pkg.models import User\n"

    def test_import_joins_the_other_imports(self) -> None:
        before = """
            import os


            def helper():
                return os.sep
        """
        after = """
            import os

            # collect-fix: re-export Widget (moved to pkg.other)
            from pkg.other import Widget


            def helper():
                return os.sep
        """
        self.assertCodemod(before, after, from_module="pkg.other", name="Widget", context_override=context())

    def test_import_merges_into_an_existing_import_from_the_same_module(self) -> None:
        before = """
            from pkg.other import helper
        """
        after = """
            # collect-fix: re-export Widget (moved to pkg.other)
            from pkg.other import Widget, helper
        """
        self.assertCodemod(before, after, from_module="pkg.other", name="Widget", context_override=context())

    def test_module_without_imports_gets_the_import_below_its_docstring(self) -> None:
        source = '"""Stock levels."""\n\n_STOCK = {}\n'
        assert transform(source, from_module="pkg.other", name="restock") == (
            '"""Stock levels."""\n\n# collect-fix: re-export restock (moved to pkg.other)\nfrom pkg.other import restock\n\n_STOCK = {}\n'
        )

    def test_multiline_all_gets_the_name_in_its_own_style(self) -> None:
        before = """
            import os

            __all__ = [
                'helper',
                'other',
            ]
        """
        after = """
            import os

            # collect-fix: re-export Widget (moved to pkg.other)
            from pkg.other import Widget

            __all__ = [
                'helper',
                'other',
                'Widget',
            ]
        """
        self.assertCodemod(before, after, from_module="pkg.other", name="Widget", context_override=context())

    def test_one_line_all_tuple_gets_the_name(self) -> None:
        before = """
            import os
            __all__ = ("helper",)
        """
        after = """
            import os

            # collect-fix: re-export Widget (moved to pkg.other)
            from pkg.other import Widget

            __all__ = ("helper", "Widget")
        """
        self.assertCodemod(before, after, from_module="pkg.other", name="Widget", context_override=context())

    def test_circular_home_puts_the_reexport_after_the_module_own_definitions(self) -> None:
        # pkg.other imports pkg.mod at load time: a top-of-file import would be circular.
        before = """
            CODES = {"VIP": 25}


            def code_percent(code):
                return CODES.get(code, 0)
        """
        after = """
            CODES = {"VIP": 25}


            def code_percent(code):
                return CODES.get(code, 0)


            # Imported last: pkg.other imports this module.
            # collect-fix: re-export apply_discount (moved to pkg.other)
            from pkg.other import apply_discount
        """
        self.assertCodemod(
            before, after, from_module="pkg.other", name="apply_discount", at_end=True, context_override=context()
        )

    def test_second_run_changes_nothing(self) -> None:
        for at_end in (False, True):
            once = transform('__all__ = ["a"]\n\n\ndef a():\n    pass\n', from_module="pkg.other", name="W", at_end=at_end)
            assert transform(once, from_module="pkg.other", name="W", at_end=at_end) == once
            assert once.count('"W"') == 1

    def test_name_already_bound_is_left_alone(self) -> None:
        before = """
            from pkg.elsewhere import Widget
        """
        self.assertCodemod(before, before, from_module="pkg.other", name="Widget", context_override=context())

    def test_empty_module_gets_just_the_import(self) -> None:
        assert transform("", from_module="pkg.other", name="Widget") == (
            "# collect-fix: re-export Widget (moved to pkg.other)\nfrom pkg.other import Widget\n"
        )

    def test_reexport_from_the_module_itself_is_skipped(self) -> None:
        self.assertCodemod(
            "x = 1\n", "x = 1\n", from_module="pkg.mod", name="Widget", context_override=context(), expected_skip=True
        )

    def test_name_bound_only_for_type_checkers_is_imported_at_runtime(self) -> None:
        before = """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from pkg.other import Thing


            def a():
                pass
        """
        after = """
            from typing import TYPE_CHECKING

            # collect-fix: re-export Thing (moved to pkg.other)
            from pkg.other import Thing

            if TYPE_CHECKING:
                from pkg.other import Thing


            def a():
                pass
        """
        self.assertCodemod(before, after, from_module="pkg.other", name="Thing", context_override=context())
        once = transform(textwrap.dedent(before), from_module="pkg.other", name="Thing")
        assert transform(once, from_module="pkg.other", name="Thing") == once


SCRIPT = '''"""Tables."""
__all__ = ["table"]


def table():
    return 1


if __name__ == "__main__":
    print(table())
'''


def test_a_module_that_runs_as_a_script_imports_the_name_only_when_imported() -> None:
    """A module that also runs as a script (``python pkg/__init__.py``) imports nothing new when
    it runs; imported, it binds the name as before (star imports and ``dir()`` see it)."""
    once = transform(SCRIPT, from_module="pkg.formats", name="sep_format", at_end=True, outside_main=True)
    assert once.startswith('"""Tables."""\n__all__ = ["table", "sep_format"]\n')
    assert once.endswith(
        "\n\n# Imported last: pkg.formats imports this module.\n"
        "# collect-fix: re-export sep_format (moved to pkg.formats)\n"
        'if __name__ != "__main__":  # run as a script, pkg.formats cannot import\n'
        "    from pkg.formats import sep_format\n"
    )
    assert transform(once, from_module="pkg.formats", name="sep_format", at_end=True, outside_main=True) == once
    twice = transform(once, from_module="pkg.formats", name="grid", new_name="grid_format", at_end=True,
                      outside_main=True)
    assert twice.endswith('if __name__ != "__main__":  # run as a script, pkg.formats cannot import\n'
                          "    from pkg.formats import grid_format as grid\n")
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(twice, "pkg/__init__.py", "exec"), namespace)  # run as a script: nothing imported
    assert "sep_format" not in namespace and "grid" not in namespace
