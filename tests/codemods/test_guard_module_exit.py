"""Before/after cases for guard_module_exit, one per exit spelling and shape."""

from __future__ import annotations

import textwrap
from typing import Any

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.guard_module_exit import GuardModuleExitCommand


class GuardModuleExitTest(CodemodTest):
    TRANSFORM = GuardModuleExitCommand

    def check(self, before: str, after: str, **kwargs: Any) -> None:
        """The rewrite, and that running it again on the result changes nothing."""
        self.assertCodemod(before, after, **kwargs)
        self.assertCodemod(after, after, **kwargs)

    # -- try: import / except ImportError: exit ------------------------------------------------

    def test_failed_import_exit_becomes_flag_and_skipif(self) -> None:
        # The print that announced the exit is folded into the skip's reason (README).
        before = """
            import sys

            try:
                import numpy
            except ImportError:
                print("numpy is required")
                sys.exit(1)


            def test_sum():
                assert numpy.sum([1, 2]) == 3
        """
        after = """
            import pytest

            try:
                import numpy
                NUMPY_AVAILABLE = True
            except ImportError:
                NUMPY_AVAILABLE = False

            pytestmark = pytest.mark.skipif(not NUMPY_AVAILABLE, reason="numpy is required")


            def test_sum():
                assert numpy.sum([1, 2]) == 3
        """
        self.check(before, after, strategy="skipif")

    def test_flag_named_after_from_import_module_and_reason_from_fstring_text(self) -> None:
        before = """
            import sys
            import pytest

            try:
                from shop.backends.redis_store import RedisStore
            except ImportError as e:
                print(f"Failed to import the redis store: {e}")
                sys.exit(1)
            import os


            def test_store():
                assert RedisStore(os.environ)
        """
        after = """
            import pytest

            try:
                from shop.backends.redis_store import RedisStore
                REDIS_STORE_AVAILABLE = True
            except ImportError:
                REDIS_STORE_AVAILABLE = False
            import os

            pytestmark = pytest.mark.skipif(
                not REDIS_STORE_AVAILABLE,
                reason="Failed to import the redis store",
            )


            def test_store():
                assert RedisStore(os.environ)
        """
        self.check(before, after, strategy="skipif")

    def test_exit_message_is_the_reason_and_flag_avoids_taken_name(self) -> None:
        before = """
            import sys
            import pytest

            NUMPY_AVAILABLE = "shadowed"
            try:
                import numpy as np
            except ModuleNotFoundError:
                sys.exit("install numpy")
        """
        after = """
            import pytest

            NUMPY_AVAILABLE = "shadowed"
            try:
                import numpy as np
                HAS_NUMPY = True
            except ModuleNotFoundError:
                HAS_NUMPY = False

            pytestmark = pytest.mark.skipif(not HAS_NUMPY, reason="install numpy")
        """
        self.check(before, after, strategy="skipif")

    def test_existing_single_pytestmark_becomes_list(self) -> None:
        before = """
            import sys
            import pytest

            try:
                import yaml
            except ImportError:
                sys.exit(1)

            pytestmark = pytest.mark.slow
        """
        after = """
            import pytest

            try:
                import yaml
                YAML_AVAILABLE = True
            except ImportError:
                YAML_AVAILABLE = False

            pytestmark = [
                pytest.mark.slow,
                pytest.mark.skipif(not YAML_AVAILABLE, reason="could not import yaml"),
            ]
        """
        self.check(before, after, strategy="skipif")

    def test_existing_pytestmark_list_is_appended_in_its_layout(self) -> None:
        before = """
            import sys
            import pytest

            try:
                import yaml
            except ImportError:
                sys.exit(1)

            pytestmark = [
                pytest.mark.slow,  # takes a minute
                pytest.mark.network,
            ]
        """
        after = """
            import pytest

            try:
                import yaml
                YAML_AVAILABLE = True
            except ImportError:
                YAML_AVAILABLE = False

            pytestmark = [
                pytest.mark.slow,  # takes a minute
                pytest.mark.network,
                pytest.mark.skipif(not YAML_AVAILABLE, reason="could not import yaml"),
            ]
        """
        self.check(before, after, strategy="skipif")

    def test_pytestmark_defined_before_the_import_moves_after_it(self) -> None:
        before = """
            import sys
            import pytest

            # every test here is slow
            pytestmark = [pytest.mark.slow]

            try:
                import yaml
            except ImportError:
                sys.exit(1)
        """
        after = """
            import pytest

            try:
                import yaml
                YAML_AVAILABLE = True
            except ImportError:
                YAML_AVAILABLE = False

            # every test here is slow
            pytestmark = [
                pytest.mark.slow,
                pytest.mark.skipif(not YAML_AVAILABLE, reason="could not import yaml"),
            ]
        """
        self.check(before, after, strategy="skipif")

    def test_name_used_as_base_class_needs_module_skip(self) -> None:
        before = """
            import sys

            try:
                from ratelimit.redis_backend import RedisLimiter
            except ImportError as e:
                print(f"Failed to import rate limiting system: {e}")
                sys.exit(1)  # stops everything


            class TestRedisLimiter(RedisLimiter):
                def test_allows(self):
                    assert self.allow("client")
        """
        after = """
            import pytest

            try:
                from ratelimit.redis_backend import RedisLimiter
            except ImportError as e:
                pytest.skip(f"Failed to import rate limiting system: {e}", allow_module_level=True)  # stops everything


            class TestRedisLimiter(RedisLimiter):
                def test_allows(self):
                    assert self.allow("client")
        """
        self.check(before, after, strategy="skipif")

    def test_name_used_in_decorator_default_or_module_code_needs_module_skip(self) -> None:
        for later in ("@numpy.vectorize\ndef f(x): ...", "def f(x=numpy.pi): ...", "TAU = 2 * numpy.pi",
                      "class T:\n    pi = numpy.pi"):
            with self.subTest(later=later):
                before = f"import sys\ntry:\n    import numpy\nexcept ImportError:\n    sys.exit(1)\n{later}\n"
                after = (
                    "import pytest\n\ntry:\n    import numpy\nexcept ImportError:\n"
                    '    pytest.skip("could not import numpy", allow_module_level=True)\n' + later + "\n"
                )
                self.check(before, after, strategy="skipif")

    def test_name_used_only_inside_functions_keeps_skipif(self) -> None:
        before = """
            import sys
            try:
                import numpy
            except ImportError:
                sys.exit(1)

            def test_pi(tolerance=0.1) -> None:
                assert abs(numpy.pi - 3.14) < tolerance
        """
        after = """
            import pytest

            try:
                import numpy
                NUMPY_AVAILABLE = True
            except ImportError:
                NUMPY_AVAILABLE = False

            pytestmark = pytest.mark.skipif(not NUMPY_AVAILABLE, reason="could not import numpy")

            def test_pi(tolerance=0.1) -> None:
                assert abs(numpy.pi - 3.14) < tolerance
        """
        self.check(before, after, strategy="skipif")

    def test_the_reason_names_every_name_the_guarded_imports_take(self) -> None:
        # Any of them may be the one that failed: naming only the first line's would mislead.
        before = """
            import sys
            try:
                from shop.parser import parse, parserinfo
                from shop.parser import ParserError
                from shop.tz import tzutc
            except ImportError:
                sys.exit(1)

            def test_parse() -> None:
                assert parse("x") and parserinfo and ParserError and tzutc
        """
        after = """
            import pytest

            try:
                from shop.parser import parse, parserinfo
                from shop.parser import ParserError
                from shop.tz import tzutc
                PARSER_AVAILABLE = True
            except ImportError:
                PARSER_AVAILABLE = False

            pytestmark = pytest.mark.skipif(
                not PARSER_AVAILABLE,
                reason="could not import parse, parserinfo, ParserError from shop.parser; tzutc from shop.tz",
            )

            def test_parse() -> None:
                assert parse("x") and parserinfo and ParserError and tzutc
        """
        self.check(before, after, strategy="skipif")

    def test_star_import_needs_module_skip(self) -> None:
        before = """
            import sys
            try:
                from numpy import *
            except ImportError:
                sys.exit(2)
        """
        after = """
            import pytest

            try:
                from numpy import *
            except ImportError:
                pytest.skip("could not import numpy", allow_module_level=True)
        """
        self.check(before, after, strategy="skipif")

    def test_failed_import_exit_under_skip_strategy(self) -> None:
        before = """
            import sys
            try:
                import numpy
            except ImportError:
                sys.exit(1)
        """
        after = """
            import pytest

            try:
                import numpy
            except ImportError:
                pytest.skip("could not import numpy", allow_module_level=True)
        """
        self.check(before, after, strategy="skip")

    # -- if cond: exit ---------------------------------------------------------------------------

    def test_conditional_exit_becomes_skipif_with_printed_reason(self) -> None:
        before = """
            import shutil
            import sys

            import pytest

            # the encoder is an external tool
            if shutil.which("ffmpeg") is None:
                print("ffmpeg is required", file=sys.stderr)
                sys.exit(1)


            def test_encode():
                pass
        """
        after = """
            import shutil

            import pytest

            # the encoder is an external tool
            pytestmark = pytest.mark.skipif(
                shutil.which("ffmpeg") is None,
                reason="ffmpeg is required",
            )


            def test_encode():
                pass
        """
        self.check(before, after, strategy="skipif")

    def test_conditional_exit_under_skip_strategy_skips_in_place(self) -> None:
        before = """
            import shutil
            import sys

            if shutil.which("ffmpeg") is None:
                print("ffmpeg is required", file=sys.stderr)
                sys.exit(1)
        """
        after = """
            import shutil
            import sys

            import pytest

            if shutil.which("ffmpeg") is None:
                print("ffmpeg is required", file=sys.stderr)
                pytest.skip("ffmpeg is required", allow_module_level=True)
        """
        self.check(before, after, strategy="skip")

    def test_condition_text_is_the_reason_when_nothing_is_said(self) -> None:
        before = """
            import os
            import sys as system

            if os.environ.get("CI") != "1": system.exit(0)
        """
        after = """
            import os

            import pytest

            pytestmark = pytest.mark.skipif(
                os.environ.get("CI") != "1",
                reason='os.environ.get("CI") != "1"',
            )
        """
        self.check(before, after, strategy="skipif")

    def test_other_statements_in_the_if_body_stay(self) -> None:
        before = """
            import os
            from sys import exit

            if "TOKEN" not in os.environ:
                TOKEN = None
                exit("TOKEN is not set")
        """
        after = """
            import os

            import pytest

            if "TOKEN" not in os.environ:
                TOKEN = None

            pytestmark = pytest.mark.skipif("TOKEN" not in os.environ, reason="TOKEN is not set")
        """
        self.check(before, after, strategy="skipif")

    def test_two_conditions_merge_into_one_pytestmark(self) -> None:
        before = """
            import os
            import platform

            if platform.system() == "Windows":
                raise SystemExit("POSIX only")
            if not os.environ.get("DATABASE_URL"):
                quit()
        """
        after = """
            import os
            import platform

            import pytest

            pytestmark = [
                pytest.mark.skipif(platform.system() == "Windows", reason="POSIX only"),
                pytest.mark.skipif(
                    not os.environ.get("DATABASE_URL"),
                    reason='not os.environ.get("DATABASE_URL")',
                ),
            ]
        """
        self.check(before, after, strategy="skipif")

    def test_two_exits_under_one_condition_give_one_mark(self) -> None:
        before = """
            import sys

            if sys.platform == "win32": print("POSIX only"); sys.exit(1); sys.exit(2)
        """
        after = """
            import sys

            import pytest

            pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")
        """
        self.check(before, after, strategy="skipif")

    def test_if_with_else_skips_in_place(self) -> None:
        before = """
            import os

            if not os.environ.get("HOST"):
                exit("HOST is not set")
            else:
                HOST = os.environ["HOST"]
        """
        after = """
            import os

            import pytest

            if not os.environ.get("HOST"):
                pytest.skip("HOST is not set", allow_module_level=True)
            else:
                HOST = os.environ["HOST"]
        """
        self.check(before, after, strategy="skipif")

    def test_exit_nested_in_a_loop_skips_in_place(self) -> None:
        before = """
            import os

            for name in ("USER", "PASSWORD"):
                if name not in os.environ:
                    raise SystemExit(f"{name} must be set")
        """
        after = """
            import os

            import pytest

            for name in ("USER", "PASSWORD"):
                if name not in os.environ:
                    pytest.skip(f"{name} must be set", allow_module_level=True)
        """
        self.check(before, after, strategy="skipif")

    # -- other spellings and shapes ------------------------------------------------------------

    def test_unconditional_exit_in_the_middle_skips_in_place(self) -> None:
        before = """
            raise SystemExit

            def test_never_collected():
                pass
        """
        after = """
            import pytest

            pytest.skip("raise SystemExit at import time", allow_module_level=True)

            def test_never_collected():
                pass
        """
        self.check(before, after, strategy="skipif")

    def test_os_exit_spellings(self) -> None:
        before = """
            import os
            from os import _exit as hard_exit

            if os.name == "nt":
                os._exit(3)
            hard_exit(4)

            X = 1
        """
        after = """
            import os

            import pytest

            pytestmark = pytest.mark.skipif(os.name == "nt", reason='os.name == "nt"')
            pytest.skip("hard_exit(4) at import time", allow_module_level=True)

            X = 1
        """
        self.check(before, after, strategy="skipif")

    def test_exit_inside_an_expression_becomes_a_skip_call(self) -> None:
        before = """
            import json
            import sys

            CONFIG = json.load(open("config.json")) or sys.exit("empty config")
        """
        after = """
            import json

            import pytest

            CONFIG = json.load(open("config.json")) or pytest.skip("empty config", allow_module_level=True)
        """
        self.check(before, after, strategy="skipif")

    def test_exit_in_a_class_body_skips_in_place(self) -> None:
        before = """
            import sys

            class TestLegacy:
                if sys.version_info >= (3, 12):
                    sys.exit("legacy API removed")
        """
        after = """
            import sys

            import pytest


            class TestLegacy:
                if sys.version_info >= (3, 12):
                    pytest.skip("legacy API removed", allow_module_level=True)
        """
        self.check(before, after, strategy="skipif")

    def test_long_skip_is_wrapped_like_a_formatter_would(self) -> None:
        before = """
            import sys

            try:
                import numpy
            except ImportError:
                sys.exit("numpy is required for the numerical tests, install the 'science' extra")
        """
        after = """
            import pytest

            try:
                import numpy
            except ImportError:
                pytest.skip(
                    "numpy is required for the numerical tests, install the 'science' extra",
                    allow_module_level=True,
                )
        """
        self.check(before, after, strategy="skip")

    def test_script_style_exit_moves_under_main_guard(self) -> None:
        before = """
            import sys


            def test_add():
                assert 1 + 1 == 2


            def main():
                return 0


            # run me directly
            sys.exit(main())
        """
        after = """
            import sys


            def test_add():
                assert 1 + 1 == 2


            def main():
                return 0


            # run me directly
            if __name__ == "__main__":
                sys.exit(main())
        """
        self.check(before, after, strategy="skipif")
        self.check(before, after, strategy="skip")

    def test_closing_exit_joins_an_existing_main_guard(self) -> None:
        before = """
            import sys

            if __name__ == "__main__":
                print("running")
            sys.exit(0)
        """
        after = """
            import sys

            if __name__ == "__main__":
                print("running")
                sys.exit(0)
        """
        self.check(before, after, strategy="skipif")

    def test_conftest_exit_is_left_unchanged_because_a_skip_there_ends_the_session(self) -> None:
        before = """
            import sys
            try:
                import docker
            except ImportError:
                sys.exit("docker is required")
        """
        context = CodemodContext(filename="tests/integration/conftest.py")
        self.assertCodemod(
            before, before, strategy="skipif", test_module=True, context_override=context, expected_skip=True,
        )

    def test_conftest_closing_exit_still_moves_under_the_main_guard(self) -> None:
        before = """
            import sys

            if sys.platform == "win32":
                sys.exit("unsupported")
            sys.exit(0)
        """
        after = """
            import sys

            if sys.platform == "win32":
                sys.exit("unsupported")
            if __name__ == "__main__":
                sys.exit(0)
        """
        context = CodemodContext(filename="tests/conftest.py")
        self.assertCodemod(
            before, after, strategy="skip", context_override=context,
            expected_warnings=["line 4: sys.exit() runs at import time of a conftest; a skip there would end the "
                               "whole session, so it is left unchanged"],
        )

    def test_library_module_only_gets_the_main_guard(self) -> None:
        before = """
            import sys

            if sys.platform == "win32":
                sys.exit("unsupported")
            sys.exit(0)
        """
        after = """
            import sys

            if sys.platform == "win32":
                sys.exit("unsupported")
            if __name__ == "__main__":
                sys.exit(0)
        """
        context = CodemodContext(filename="src/tool/cli.py")
        self.assertCodemod(
            before, after, strategy="skipif", context_override=context,
            expected_warnings=["line 4: sys.exit() runs at import time of a module that is not a test module; "
                               "left unchanged"],
        )

    def test_library_module_with_nothing_repairable_is_skipped(self) -> None:
        before = """
            import sys

            if sys.platform == "win32":
                sys.exit("unsupported")
            VALUE = 1
        """
        context = CodemodContext(filename="src/tool/settings.py")
        self.assertCodemod(before, before, strategy="skipif", context_override=context, expected_skip=True)

    def test_test_module_flag_overrides_the_file_name(self) -> None:
        before = "import sys\nif sys.platform == 'win32':\n    sys.exit('posix only')\n"
        after = (
            "import sys\n\nimport pytest\n\n"
            "pytestmark = pytest.mark.skipif(sys.platform == 'win32', reason='posix only')\n"
        )
        context = CodemodContext(filename="checks/check_posix.py")
        self.assertCodemod(before, after, strategy="skipif", test_module=True, context_override=context)

    # -- review findings: reasons, existing pytestmark, comments -----------------------------

    def test_fstring_reason_naming_a_block_local_falls_back_to_the_condition(self) -> None:
        before = """
            import shutil
            import sys

            if shutil.which("git") is None:
                tool = "git"
                print(f"{tool} is required")
                sys.exit(1)
        """
        after = """
            import shutil

            import pytest

            if shutil.which("git") is None:
                tool = "git"

            pytestmark = pytest.mark.skipif(
                shutil.which("git") is None,
                reason='shutil.which("git") is None',
            )
        """
        self.check(before, after, strategy="skipif")

    def test_fstring_reason_keeps_its_static_text_at_module_level(self) -> None:
        before = """
            import sys

            if sys.version_info < (3, 10):
                print(f"Python 3.10 is required, found {sys.version}")
                sys.exit(1)
        """
        after = """
            import sys

            import pytest

            pytestmark = pytest.mark.skipif(
                sys.version_info < (3, 10),
                reason="Python 3.10 is required, found",
            )
        """
        self.check(before, after, strategy="skipif")

    def test_pytestmark_bound_to_a_name_falls_back_to_skip_in_place(self) -> None:
        before = """
            import sys

            from helpers import COMMON

            pytestmark = COMMON
            if sys.platform == "win32":
                sys.exit("POSIX only")
        """
        after = """
            import sys

            import pytest
            from helpers import COMMON

            pytestmark = COMMON
            if sys.platform == "win32":
                pytest.skip("POSIX only", allow_module_level=True)
        """
        self.check(before, after, strategy="skipif")

    def test_pytestmark_extended_later_falls_back_to_skip_in_place(self) -> None:
        before = """
            import sys
            import pytest

            pytestmark = [pytest.mark.slow]
            if sys.platform == "win32":
                sys.exit(0)
            pytestmark += [pytest.mark.db]
        """
        after = """
            import sys
            import pytest

            pytestmark = [pytest.mark.slow]
            if sys.platform == "win32":
                pytest.skip('sys.platform == "win32"', allow_module_level=True)
            pytestmark += [pytest.mark.db]
        """
        self.check(before, after, strategy="skipif")

    def test_later_annotated_pytestmark_receives_the_mark(self) -> None:
        before = """
            import sys
            import pytest

            if sys.platform == "win32":
                sys.exit("POSIX only")

            pytestmark: list = [pytest.mark.slow]
        """
        after = """
            import sys
            import pytest

            pytestmark: list = [
                pytest.mark.slow,
                pytest.mark.skipif(sys.platform == "win32", reason="POSIX only"),
            ]
        """
        self.check(before, after, strategy="skipif")

    def test_starred_elements_of_an_existing_list_are_kept(self) -> None:
        before = """
            import sys
            import pytest
            from helpers import COMMON

            pytestmark = [*COMMON]
            if sys.platform == "win32":
                sys.exit("POSIX only")
        """
        after = """
            import sys
            import pytest
            from helpers import COMMON

            pytestmark = [*COMMON, pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")]
        """
        self.check(before, after, strategy="skipif")

    def test_comments_in_a_removed_if_body_move_above_pytestmark(self) -> None:
        before = """
            import sys
            # only posix
            if sys.platform == "win32":  # see #12
                # Windows has no fork
                sys.exit(0)  # bail
        """
        after = """
            import sys

            import pytest

            # only posix
            # see #12
            # Windows has no fork
            # bail
            pytestmark = pytest.mark.skipif(
                sys.platform == "win32",
                reason='sys.platform == "win32"',
            )
        """
        self.check(before, after, strategy="skipif")

    def test_bytes_and_trailing_newlines_in_reasons_are_cleaned(self) -> None:
        before = """
            import os
            import sys

            if sys.version_info < (3, 10):
                sys.stderr.write("needs 3.10\\n")
                sys.exit(1)
            if not os.environ.get("DB"):
                sys.exit(b"no database ")
            if not os.environ.get("HOME"):
                sys.exit(f"no home\\n")
        """
        after = """
            import os
            import sys

            import pytest

            pytestmark = [
                pytest.mark.skipif(sys.version_info < (3, 10), reason="needs 3.10"),
                pytest.mark.skipif(not os.environ.get("DB"), reason="no database"),
                pytest.mark.skipif(not os.environ.get("HOME"), reason="no home"),
            ]
        """
        self.check(before, after, strategy="skipif")

    def test_skip_reason_from_bytes_is_a_str(self) -> None:
        before = """
            import sys

            sys.exit(b"broken")
            def test_a():
                pass
        """
        after = """
            import pytest

            pytest.skip("broken", allow_module_level=True)
            def test_a():
                pass
        """
        self.check(before, after, strategy="skip")

    def test_same_condition_twice_gives_one_mark(self) -> None:
        before = """
            import sys

            if sys.platform == "win32":
                sys.exit("POSIX only")
            VALUE = 1
            if sys.platform == "win32":
                sys.exit("POSIX only")
        """
        after = """
            import sys

            import pytest

            pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX only")
            VALUE = 1
        """
        self.check(before, after, strategy="skipif")

    # -- left alone ----------------------------------------------------------------------------

    def test_noop_main_guard_and_functions(self) -> None:
        source = """
            import os
            import sys


            def fail(message):
                print(message)
                sys.exit(1)


            def hard_stop():
                os._exit(1)


            handler = lambda: quit()


            if __name__ == "__main__":
                raise SystemExit(fail("direct run"))
        """
        self.assertCodemod(source, source, strategy="skipif")
        self.assertCodemod(source, source, strategy="skip")

    def test_noop_without_any_exit(self) -> None:
        source = """
            import pytest

            # nothing to do here
            def test_exit_code():
                assert "sys.exit" in "a sys.exit call"
        """
        self.assertCodemod(source, source, strategy="skipif")

    def test_local_function_named_exit_is_not_an_exit(self) -> None:
        source = """
            from shop.session import exit

            exit("cart")
        """
        self.assertCodemod(source, source, strategy="skipif")

    def test_comments_and_formatting_elsewhere_survive(self) -> None:
        before = """
            # -*- coding: utf-8 -*-
            import  sys   # odd spacing kept

            VALUES = [1,2,  3]  # as written
            if not VALUES:
                sys.exit(1)
            def test_values( ):
                assert VALUES and sys.argv  # trailing
        """
        after = """
            # -*- coding: utf-8 -*-
            import  sys   # odd spacing kept

            import pytest

            VALUES = [1,2,  3]  # as written

            pytestmark = pytest.mark.skipif(not VALUES, reason="not VALUES")
            def test_values( ):
                assert VALUES and sys.argv  # trailing
        """
        self.check(before, after, strategy="skipif")

    # -- strategy "define": a module other test modules import ------------------------------

    def test_define_binds_the_names_later_code_needs_and_keeps_the_mark(self) -> None:
        before = """
            \"\"\"Tests every engine must pass; other modules subclass these.\"\"\"
            import sys

            try:
                from fastpricing import PriceEngine, helper as h
            except ImportError as error:
                # the optional engine
                print(f"pricing engine unavailable: {error}")
                sys.exit(1)


            class BaseTests:
                engine_class = PriceEngine
        """
        after = """
            \"\"\"Tests every engine must pass; other modules subclass these.\"\"\"

            import pytest

            try:
                from fastpricing import PriceEngine, helper as h
                FASTPRICING_AVAILABLE = True
            except ImportError:
                # the optional engine
                PriceEngine = None  # collect-fix: placeholder
                h = None  # collect-fix: placeholder
                FASTPRICING_AVAILABLE = False

            pytestmark = pytest.mark.skipif(
                not FASTPRICING_AVAILABLE,
                reason="pricing engine unavailable",
            )


            class BaseTests:
                engine_class = PriceEngine
        """
        self.check(before, after, strategy="define")

    def test_a_folded_print_leaves_its_comments_to_the_next_line(self) -> None:
        before = """
            import sys

            try:
                import numpy
            except ImportError:
                # numpy is optional
                print("numpy is required")  # for the sums
                sys.exit(1)


            def test_sum():
                assert numpy.sum([1, 2]) == 3
        """
        after = """
            import pytest

            try:
                import numpy
                NUMPY_AVAILABLE = True
            except ImportError:
                # numpy is optional
                # for the sums
                NUMPY_AVAILABLE = False

            pytestmark = pytest.mark.skipif(not NUMPY_AVAILABLE, reason="numpy is required")


            def test_sum():
                assert numpy.sum([1, 2]) == 3
        """
        self.check(before, after, strategy="skipif")

    def test_a_one_line_handler_folds_its_print_too(self) -> None:
        before = """
            import sys
            try:
                from fastjson import dumps
            except ImportError: print("no fastjson"); sys.exit(1)
            X = dumps
        """
        after = """
            import pytest

            try:
                from fastjson import dumps
            except ImportError: pytest.skip("no fastjson", allow_module_level=True)
            X = dumps
        """
        self.check(before, after, strategy="skip")

    def test_define_on_a_one_line_handler_opens_a_block(self) -> None:
        before = """
            import sys
            try:
                import fastpricing
            except ImportError: sys.exit(1)

            ENGINE = fastpricing
        """
        after = """
            import pytest

            try:
                import fastpricing
                FASTPRICING_AVAILABLE = True
            except ImportError:
                fastpricing = None  # collect-fix: placeholder
                FASTPRICING_AVAILABLE = False

            pytestmark = pytest.mark.skipif(
                not FASTPRICING_AVAILABLE,
                reason="could not import fastpricing",
            )

            ENGINE = fastpricing
        """
        self.check(before, after, strategy="define")

    def test_define_is_skipif_where_no_later_code_needs_the_import(self) -> None:
        before = """
            import sys

            try:
                import numpy
            except ImportError:
                sys.exit(1)


            def test_sum():
                assert numpy.sum([1, 2]) == 3
        """
        skipif = GuardModuleExitCommand(CodemodContext(), strategy="skipif").transform_module(
            cst.parse_module(textwrap.dedent(before))
        )
        define = GuardModuleExitCommand(CodemodContext(), strategy="define").transform_module(
            cst.parse_module(textwrap.dedent(before))
        )
        assert define.code == skipif.code and "placeholder" not in define.code


def test_unknown_strategy_is_rejected() -> None:
    with pytest.raises(ValueError, match="strategy"):
        GuardModuleExitCommand(CodemodContext(), strategy="delete")


@pytest.mark.parametrize("strategy", ["skipif", "skip"])
def test_output_always_parses_and_keeps_crlf(strategy: str) -> None:
    source = b"import sys\r\nif not sys.argv:\r\n    sys.exit(1)\r\n\r\ndef test_a():\r\n    pass\r\n"
    module = cst.parse_module(source)
    new = GuardModuleExitCommand(CodemodContext(), strategy=strategy).transform_module(module)
    assert b"sys.exit" not in new.bytes
    assert b"\n" not in new.bytes.replace(b"\r\n", b"")
    compile(new.bytes, "test_crlf.py", "exec")
