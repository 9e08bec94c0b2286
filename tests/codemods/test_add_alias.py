"""add_alias: a renamed name stays importable under its old name, marked as debt."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.add_alias import AddAliasCommand
from collect_fix.transforms import run_edit
from collect_fix.types import Edit


def transform(source: str, **args: str) -> str:
    return AddAliasCommand(CodemodContext(), **args).transform_module(cst.parse_module(source)).code


class TestAddAlias(CodemodTest):
    TRANSFORM = AddAliasCommand

    def test_alias_follows_the_renamed_class(self) -> None:
        before = """
            class Middleware:
                pass


            def build():
                return Middleware()
        """
        after = """
            class Middleware:
                pass


            BaseMiddleware = Middleware  # collect-fix: alias -> Middleware (renamed)


            def build():
                return Middleware()
        """
        self.assertCodemod(before, after, name="BaseMiddleware", target="Middleware")

    def test_alias_of_a_constant_sits_right_below_it(self) -> None:
        before = """
            TIMEOUT_SECONDS = 30
            RETRIES = 3
        """
        after = """
            TIMEOUT_SECONDS = 30
            TIMEOUT = TIMEOUT_SECONDS  # collect-fix: alias -> TIMEOUT_SECONDS (renamed)
            RETRIES = 3
        """
        self.assertCodemod(before, after, name="TIMEOUT", target="TIMEOUT_SECONDS")

    def test_alias_stays_out_of_all(self) -> None:
        before = """
            __all__ = ["charge_card"]


            def charge_card(amount):
                return amount
        """
        after = """
            __all__ = ["charge_card"]


            def charge_card(amount):
                return amount


            charge = charge_card  # collect-fix: alias -> charge_card (renamed)
        """
        self.assertCodemod(before, after, name="charge", target="charge_card")

    def test_exported_alias_joins_all(self) -> None:
        before = """
            __all__ = ["charge_card"]


            async def charge_card(amount):
                return amount
        """
        after = """
            __all__ = ["charge_card", "charge"]


            async def charge_card(amount):
                return amount


            charge = charge_card  # collect-fix: alias -> charge_card (renamed)
        """
        self.assertCodemod(before, after, name="charge", target="charge_card", export=True)

    def test_alias_of_an_imported_name_goes_after_the_imports(self) -> None:
        # Not between two imports: the ones after it would follow code (ruff and flake8: E402).
        before = """
            from pkg.impl import Client as HttpClient
            import os

            LIMIT = 3
        """
        after = """
            from pkg.impl import Client as HttpClient
            import os

            Client = HttpClient  # collect-fix: alias -> HttpClient (renamed)

            LIMIT = 3
        """
        self.assertCodemod(before, after, name="Client", target="HttpClient")

    def test_second_run_changes_nothing(self) -> None:
        once = transform("class New:\n    pass\n", name="Old", target="New")
        assert transform(once, name="Old", target="New") == once
        assert once.count("Old = New") == 1

    def test_name_already_defined_is_left_alone(self) -> None:
        before = """
            class New:
                pass


            class Old:
                pass
        """
        self.assertCodemod(before, before, name="Old", target="New")

    def test_alias_to_itself_is_skipped(self) -> None:
        self.assertCodemod("X = 1\n", "X = 1\n", name="X", target="X", expected_skip=True)

    def test_alias_to_an_undefined_target_is_skipped(self) -> None:
        self.assertCodemod("X = 1\n", "X = 1\n", name="Old", target="Missing", expected_skip=True)

    def test_alias_follows_the_last_overload_and_the_implementation(self) -> None:
        before = """
            from typing import overload


            @overload
            def new(x: int) -> int: ...
            @overload
            def new(x: str) -> str: ...
            def new(x):
                return x
        """
        after = """
            from typing import overload


            @overload
            def new(x: int) -> int: ...
            @overload
            def new(x: str) -> str: ...
            def new(x):
                return x


            old = new  # collect-fix: alias -> new (renamed)
        """
        self.assertCodemod(before, after, name="old", target="new")

    def test_name_bound_only_for_type_checkers_still_gets_the_alias(self) -> None:
        before = """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from x import Old


            class New:
                pass
        """
        after = """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from x import Old


            class New:
                pass


            Old = New  # collect-fix: alias -> New (renamed)
        """
        self.assertCodemod(before, after, name="Old", target="New")

    def test_target_defined_only_for_type_checkers_is_skipped(self) -> None:
        before = """
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from x import New
        """
        self.assertCodemod(before, before, name="Old", target="New", expected_skip=True)

    def test_alias_follows_a_conditional_definition(self) -> None:
        before = """
            try:
                from fast import New
            except ImportError:
                New = None
            X = 1
        """
        after = """
            try:
                from fast import New
            except ImportError:
                New = None
            Old = New  # collect-fix: alias -> New (renamed)
            X = 1
        """
        self.assertCodemod(before, after, name="Old", target="New")

    def test_target_bound_only_inside_a_function_is_skipped(self) -> None:
        before = """
            def setup():
                global New
                New = 1
        """
        self.assertCodemod(before, before, name="Old", target="New", expected_skip=True)


class TestRestoreStatement(CodemodTest):
    TRANSFORM = AddAliasCommand

    def test_removed_alias_comes_back_as_written_after_its_target(self) -> None:
        before = """
            class Order:
                pass


            LIMIT = 3
        """
        after = """
            class Order:
                pass


            Purchase: type = Order  # collect-fix: alias -> Order (restored)


            LIMIT = 3
        """
        self.assertCodemod(before, after, name="Purchase", target="Order", statement="Purchase: type = Order",
                           reason="restored")

    def test_removed_reexport_comes_back_after_the_imports_on_its_own_line_and_exported(self) -> None:
        before = """
            \"\"\"Shop.\"\"\"

            from .http import Client

            __all__ = ["Client"]
        """
        after = """
            \"\"\"Shop.\"\"\"

            from .http import Client
            from .http import Session  # collect-fix: alias -> shop.http.Session (restored)

            __all__ = ["Client", "Session"]
        """
        self.assertCodemod(before, after, name="Session", target="shop.http.Session",
                           statement="from .http import Session", reason="restored", export=True)

    def test_reexport_into_a_module_without_imports_goes_below_the_docstring(self) -> None:
        before = '"""Shop."""\nVERSION = 1\n'
        after = '"""Shop."""\n\nfrom .http import Session  # collect-fix: alias -> .http.Session (restored)\n\nVERSION = 1\n'
        assert transform(before, name="Session", target=".http.Session", statement="from .http import Session",
                         reason="restored") == after
        assert transform(after, name="Session", target=".http.Session", statement="from .http import Session",
                         reason="restored") == after

    def test_alias_of_a_dotted_target_follows_the_import_of_its_head(self) -> None:
        before = """
            from shop import models
            import os
        """
        after = """
            from shop import models
            import os

            Order = models.Order  # collect-fix: alias -> models.Order (restored)
        """
        self.assertCodemod(before, after, name="Order", target="models.Order", statement="Order = models.Order",
                           reason="restored")

    def test_statement_that_binds_another_name_is_skipped(self) -> None:
        self.assertCodemod("X = 1\n", "X = 1\n", name="Old", target="X", statement="Other = X", expected_skip=True)

    def test_statement_that_is_not_one_simple_statement_is_skipped(self) -> None:
        self.assertCodemod("X = 1\n", "X = 1\n", name="Old", target="X", statement="Old = X; Y = 2",
                           expected_skip=True)
        self.assertCodemod("X = 1\n", "X = 1\n", name="Old", target="X", statement="Old = (", expected_skip=True)


def test_a_restored_import_in_a_file_without_a_final_line_end_adds_none() -> None:
    """The bytes outside the edit stay: a CRLF file that ends without a line end still does."""
    edit = Edit("pkg/__init__.py", "add_alias", (("name", "Old"), ("target", "pkg._impl.New"),
                                                 ("statement", "from ._impl import New as Old")))
    source = b"from ._impl import New\r\n\r\nLIMIT = 1"
    assert run_edit(edit, source, Path("pkg/__init__.py"), "pkg") == (
        b"from ._impl import New\r\nfrom ._impl import New as Old  # collect-fix: alias -> pkg._impl.New (renamed)\r\n"
        b"\r\nLIMIT = 1"
    )
