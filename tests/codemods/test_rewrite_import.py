"""rewrite_import: the importer follows a renamed or moved name, and so does every use of it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.rewrite_import import RewriteImportCommand
from conftest import run_tests

RENAMED = {"module": "shop.middleware", "name": "BaseMiddleware", "new_module": "shop.middleware", "new_name": "Middleware"}
MOVED = {"module": "shop.discounts", "name": "apply_discount", "new_module": "shop.pricing", "new_name": "apply_discount"}


def context() -> CodemodContext:
    return CodemodContext(full_module_name="tests.test_shop", full_package_name="tests")


def transform(source: str, **args: object) -> str:
    return RewriteImportCommand(context(), **args).transform_module(cst.parse_module(source)).code


class TestRewriteImport(CodemodTest):
    TRANSFORM = RewriteImportCommand

    def test_renamed_name_is_imported_and_used_under_its_new_name(self) -> None:
        before = """
            from shop.middleware import BaseMiddleware, LoggingMiddleware  # the pipeline


            class Timing(BaseMiddleware):
                def process(self, request):
                    return BaseMiddleware.process(self, request)


            def test_chain():
                assert isinstance(LoggingMiddleware(), BaseMiddleware)
        """
        after = """
            from shop.middleware import LoggingMiddleware, Middleware  # the pipeline


            class Timing(Middleware):
                def process(self, request):
                    return Middleware.process(self, request)


            def test_chain():
                assert isinstance(LoggingMiddleware(), Middleware)
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

    def test_only_references_of_the_import_are_renamed(self) -> None:
        # A local of the same name, a longer name, an attribute, a string and a comment stay.
        before = """
            from shop.middleware import BaseMiddleware


            def make(BaseMiddleware=None):
                return BaseMiddleware


            def test_wrap():
                BaseMiddlewares = [BaseMiddleware]  # BaseMiddleware here
                assert config.BaseMiddleware and "BaseMiddleware" and BaseMiddlewares
        """
        after = """
            from shop.middleware import Middleware


            def make(BaseMiddleware=None):
                return BaseMiddleware


            def test_wrap():
                BaseMiddlewares = [Middleware]  # BaseMiddleware here
                assert config.BaseMiddleware and "BaseMiddleware" and BaseMiddlewares
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

    def test_import_inside_a_function_renames_the_uses_in_that_function(self) -> None:
        before = """
            def test_lazy():
                from shop.middleware import BaseMiddleware
                assert BaseMiddleware()
        """
        after = """
            def test_lazy():
                from shop.middleware import Middleware
                assert Middleware()
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

    def test_keeps_the_old_name_as_alias_when_renaming_could_change_meaning(self) -> None:
        for why, source in {
            "the new name is bound": "from shop.middleware import BaseMiddleware\nMiddleware = 1\nX = BaseMiddleware\n",
            "the new name is read": "from shop.middleware import BaseMiddleware\n\n\ndef later():\n    return Middleware\n",
            "the old name is rebound": "from shop.middleware import BaseMiddleware\nBaseMiddleware = wrap(BaseMiddleware)\n",
            "exported": '__all__ = ["BaseMiddleware"]\nfrom shop.middleware import BaseMiddleware\n',
            "string annotation": 'from shop.middleware import BaseMiddleware\nx: "BaseMiddleware" = BaseMiddleware()\n',
        }.items():
            result = transform(source, **RENAMED)
            assert "from shop.middleware import Middleware as BaseMiddleware\n" in result, why
            assert result.count("BaseMiddleware") == source.count("BaseMiddleware"), why

    def test_keep_name_imports_the_new_name_as_the_old_one_and_renames_no_use(self) -> None:
        """A hostile review: a helper module's uses were renamed, so ``mock.patch("tests.helpers.slugify")``
        and other modules' ``from tests.helpers import slugify`` broke."""
        before = """
            from shop.discounts import apply_discount  # prices


            def discounted(cart):
                return apply_discount(cart, 10)
        """
        after = """
            from shop.pricing import discount as apply_discount  # prices


            def discounted(cart):
                return apply_discount(cart, 10)
        """
        self.assertCodemod(before, after, context_override=context(), **{**MOVED, "new_name": "discount"}, keep_name=True)
        again = transform(textwrap.dedent(after), **{**MOVED, "new_name": "discount", "keep_name": True})
        assert again == textwrap.dedent(after)

    def test_a_moved_name_takes_its_comment_along(self) -> None:
        """A hostile review: the TODO on ``apply_discount,`` ended up on the name before it."""
        todo = "  # TODO(ana): drop with the old checkout\n"
        for after in ("", "    total,\n"):  # the last name, or one in the middle
            before = "from shop.discounts import (\n    Coupon,\n    apply_discount," + todo + after + ")\n"
            result = transform(before, **{**MOVED, "new_name": "discount", "keep_name": True})
            assert "from shop.pricing import discount as apply_discount" + todo in result, result
            assert result.count("TODO") == 1 and "    Coupon,\n" in result, result
        # The last name without a comma, and a comment line above it (a second review).
        before = "from shop.discounts import (\n    Coupon,\n    # why: the old checkout\n    apply_discount" + todo + ")\n"
        result = transform(before, **{**MOVED, "new_name": "discount", "keep_name": True})
        assert "# why: the old checkout\nfrom shop.pricing import discount as apply_discount" + todo in result, result
        assert result.count("TODO") == 1 and result.count("# why") == 1 and "    Coupon\n)" in result, result

    def test_renamed_name_stays_in_place_among_unsorted_names(self) -> None:
        before = """
            from shop.middleware import Logging, BaseMiddleware, Auth

            X = BaseMiddleware
        """
        after = """
            from shop.middleware import Logging, Middleware, Auth

            X = Middleware
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

    def test_moved_name_merges_into_an_import_from_its_new_home(self) -> None:
        before = """
            from shop.discounts import apply_discount, code_percent
            from shop.pricing import total
        """
        after = """
            from shop.discounts import code_percent
            from shop.pricing import apply_discount, total
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_patch_target_strings_follow_the_name(self) -> None:
        before = """
            from unittest import mock

            from shop.discounts import apply_discount


            @mock.patch("shop.discounts.apply_discount")
            def test_patched(patched):
                assert apply_discount is not patched
        """
        after = """
            from unittest import mock

            from shop.pricing import apply_discount


            @mock.patch("shop.pricing.apply_discount")
            def test_patched(patched):
                assert apply_discount is not patched
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_renamed_name_keeps_an_existing_local_alias(self) -> None:
        before = """
            from shop.middleware import BaseMiddleware as Base
        """
        after = """
            from shop.middleware import Middleware as Base
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

    def test_moved_name_alone_replaces_the_import_in_place(self) -> None:
        before = """
            import os

            # discounts under test
            from shop.discounts import apply_discount  # moved?

            ROOT = os.sep
        """
        after = """
            import os

            # discounts under test
            from shop.pricing import apply_discount  # moved?

            ROOT = os.sep
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_moved_name_leaves_its_neighbours_in_a_parenthesized_import(self) -> None:
        before = """
            from shop.discounts import (
                code_percent,
                apply_discount,
            )
        """
        after = """
            from shop.discounts import (
                code_percent,
            )
            from shop.pricing import apply_discount
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_moved_name_first_in_a_one_line_import(self) -> None:
        before = """
            from shop.discounts import apply_discount, code_percent
        """
        after = """
            from shop.discounts import code_percent
            from shop.pricing import apply_discount
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_relative_import_of_the_module_is_rewritten(self) -> None:
        before = """
            from .discounts import apply_discount
        """
        after = """
            from shop.pricing import apply_discount
        """
        context = CodemodContext(full_module_name="shop.checkout", full_package_name="shop")
        self.assertCodemod(before, after, context_override=context, **MOVED)

    def test_attribute_use_follows_a_rename(self) -> None:
        before = """
            import shop.middleware as middleware

            Base = middleware.BaseMiddleware
        """
        after = """
            import shop.middleware as middleware

            Base = middleware.Middleware
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

    def test_attribute_use_follows_a_move(self) -> None:
        before = """
            import shop.discounts

            RULE = shop.discounts.apply_discount
        """
        after = """
            import shop.discounts
            import shop.pricing

            RULE = shop.pricing.apply_discount
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_one_command_over_two_modules_reads_each_module_s_own_scopes(self) -> None:
        """The scope analysis is resolved when first needed and kept for that module only."""
        command = RewriteImportCommand(context(), **MOVED)
        for number in (1, 2):
            source = f"import shop.discounts\n\nx{number} = shop.discounts.apply_discount({number})\n"
            assert f"shop.pricing.apply_discount({number})" in command.transform_module(cst.parse_module(source)).code

    def test_second_run_changes_nothing(self) -> None:
        for args in (RENAMED, MOVED):
            source = f"from {args['module']} import {args['name']}, other\n"
            once = transform(source, **args)
            assert once != source
            assert transform(once, **args) == once

    def test_other_modules_and_names_are_left_alone(self) -> None:
        before = """
            from shop.pricing import apply_discount
            from shop.middleware import LoggingMiddleware
            from elsewhere import BaseMiddleware
        """
        self.assertCodemod(before, before, context_override=context(), **RENAMED)
        self.assertCodemod(before, before, context_override=context(), **MOVED)

    def test_import_in_a_one_line_suite_is_rewritten_in_place(self) -> None:
        before = """
            import sys
            if sys.version_info > (3,): from shop.discounts import apply_discount

            def test_a():
                x = 1
                assert apply_discount
        """
        after = """
            import sys
            if sys.version_info > (3,): from shop.pricing import apply_discount

            def test_a():
                x = 1
                assert apply_discount
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)

    def test_one_line_suite_keeps_its_other_statements(self) -> None:
        before = """
            try: from shop.discounts import apply_discount, other; import os
            except ImportError: pass
        """
        after = """
            try: from shop.discounts import other; from shop.pricing import apply_discount; import os
            except ImportError: pass
        """
        self.assertCodemod(before, after, context_override=context(), **MOVED)
        once = transform(textwrap.dedent(before), **MOVED)
        assert transform(once, **MOVED) == once

    def test_rewrite_to_the_same_import_is_skipped(self) -> None:
        same = {"module": "shop.a", "name": "X", "new_module": "shop.a", "new_name": "X"}
        self.assertCodemod("from shop.a import X\n", "from shop.a import X\n", expected_skip=True, **same)


TREE = '''"""Nested data helpers."""


def remap_tree(root, visit=lambda key, value: (key, value)):
    if isinstance(root, dict):
        return dict(visit(key, remap_tree(value, visit)) for key, value in root.items())
    if isinstance(root, list):
        return [remap_tree(item, visit) for item in root]
    return root
'''

IMPORTER = '''"""remap was renamed remap_tree; code_percent moved to shop.pricing."""

from unittest import mock

import pytest

from shop.discounts import code_percent
from shop.tree import remap

CASES = [({"a": 1}, {"A": 1}), ([{"b": 2}], [{"B": 2}])]


def upper(key, value):
    return key.upper(), value


@pytest.mark.parametrize("data,expected", CASES)
def test_remap_uppercases_keys(data, expected):
    remapped = remap(data, upper)
    assert remapped == expected


def test_remap_passed_around():
    steps = [remap, remap]
    assert steps[0]({"a": [1]}) == {"a": [1]}


def test_a_local_named_remap_is_not_the_import():
    def apply(remap):
        return remap("x")

    assert apply(str.upper) == "X"


class TestInClass:
    mapper = staticmethod(remap)

    def test_method(self):
        assert self.mapper([]) == []


def test_patch_target_follows():
    with mock.patch("shop.tree.remap", return_value="patched"):
        import shop.tree

        assert shop.tree.remap_tree({}) == "patched"


def test_discount():
    assert code_percent("VIP") == 25
'''


def test_rewritten_importer_runs_under_real_pytest(tmp_path: Path) -> None:
    """--rewrite-imports output is run, not only read: every rewritten use must still work."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop/__init__.py").write_text("")
    (tmp_path / "shop/tree.py").write_text(TREE)
    (tmp_path / "shop/discounts.py").write_text("")
    (tmp_path / "shop/pricing.py").write_text('def code_percent(code):\n    return {"VIP": 25}.get(code, 0)\n')
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    test_file = tmp_path / "tests/test_tree.py"
    test_file.write_text(IMPORTER)
    assert run_tests(tmp_path).returncode != 0  # the old names do not import

    context = CodemodContext(filename=str(test_file), full_module_name="tests.test_tree", full_package_name="tests")
    source = cst.parse_module(IMPORTER)
    renamed = RewriteImportCommand(context, "shop.tree", "remap", "shop.tree", "remap_tree").transform_module(source)
    context = CodemodContext(filename=str(test_file), full_module_name="tests.test_tree", full_package_name="tests")
    moved = RewriteImportCommand(context, "shop.discounts", "code_percent", "shop.pricing", "code_percent")
    test_file.write_text(moved.transform_module(renamed).code)

    rewritten = test_file.read_text()
    assert "from shop.pricing import code_percent\nfrom shop.tree import remap_tree\n" in rewritten
    assert "remapped = remap_tree(data, upper)" in rewritten and "steps = [remap_tree, remap_tree]" in rewritten
    assert "def apply(remap):\n        return remap(\"x\")" in rewritten  # a local, not the import
    assert '"shop.tree.remap_tree"' in rewritten
    result = run_tests(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "7 passed" in result.stdout, result.stdout
