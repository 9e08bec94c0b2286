"""rewrite_import: the importer follows a renamed or moved name; the local name never changes."""

from __future__ import annotations

import textwrap

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.rewrite_import import RewriteImportCommand

RENAMED = {"module": "shop.middleware", "name": "BaseMiddleware", "new_module": "shop.middleware", "new_name": "Middleware"}
MOVED = {"module": "shop.discounts", "name": "apply_discount", "new_module": "shop.pricing", "new_name": "apply_discount"}


def context() -> CodemodContext:
    return CodemodContext(full_module_name="tests.test_shop", full_package_name="tests")


def transform(source: str, **args: str) -> str:
    return RewriteImportCommand(context(), **args).transform_module(cst.parse_module(source)).code


class TestRewriteImport(CodemodTest):
    TRANSFORM = RewriteImportCommand

    def test_renamed_name_is_imported_under_its_old_name(self) -> None:
        before = """
            from shop.middleware import BaseMiddleware, LoggingMiddleware  # the pipeline
        """
        after = """
            from shop.middleware import Middleware as BaseMiddleware, LoggingMiddleware  # the pipeline
        """
        self.assertCodemod(before, after, context_override=context(), **RENAMED)

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
