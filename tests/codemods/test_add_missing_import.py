"""add_missing_import: before/after source, idempotence, no-op and skip cases."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.add_missing_import import AddMissingImportCommand


def transform(source: str, **args: str) -> str:
    context = CodemodContext(filename="pkg/mod.py", full_module_name="pkg.mod", full_package_name="pkg")
    return AddMissingImportCommand(context, **args).transform_module(cst.parse_module(source)).code


class TestAddMissingImport(CodemodTest):
    TRANSFORM = AddMissingImportCommand

    def check(self, before: str, after: str, **args: str) -> None:
        self.assertCodemod(before, after, **args)
        self.assertEqual(transform(after, **args), after, "a second run must change nothing")

    def test_merges_into_existing_from_import_in_sorted_position(self) -> None:
        self.check(
            "from typing import Dict, List\n\nx: Optional[int] = None\n",
            "from typing import Dict, List, Optional\n\nx: Optional[int] = None\n",
            module="typing", name="Optional",
        )

    def test_merge_appends_when_existing_names_are_unsorted(self) -> None:
        self.check(
            "from typing import List, Dict  # keep me\n\nx: Optional[int] = None\n",
            "from typing import List, Dict, Optional  # keep me\n\nx: Optional[int] = None\n",
            module="typing", name="Optional",
        )

    def test_merge_into_parenthesized_import_keeps_each_comment_on_its_name(self) -> None:
        before = "from typing import (\n    Dict,\n    List,  # lists\n)\n\nx: Optional[int] = None\n"
        after = "from typing import (\n    Dict,\n    List,  # lists\n    Optional,\n)\n\nx: Optional[int] = None\n"
        self.check(before, after, module="typing", name="Optional")

    def test_merge_before_last_name_without_trailing_comma_keeps_its_comment(self) -> None:
        before = "from typing import (\n    Dict,\n    List  # lists\n)\n\nx: Optional[int] = None\n"
        after = "from typing import (\n    Dict,\n    List,  # lists\n    Optional\n)\n\nx: Optional[int] = None\n"
        self.check(before, after, module="typing", name="Optional")

    def test_new_import_goes_after_future_import_and_docstring(self) -> None:
        before = '"""Models."""\n\nfrom __future__ import annotations\n\nimport enum\n\n\n@dataclass\nclass A:\n    pass\n'
        after = (
            '"""Models."""\n\nfrom __future__ import annotations\n\nimport enum\nfrom dataclasses import dataclass\n'
            "\n\n@dataclass\nclass A:\n    pass\n"
        )
        self.check(before, after, module="dataclasses", name="dataclass")

    def test_first_import_under_docstring_keeps_the_blank_line(self) -> None:
        source = '"""Paths."""\n\nDATA = Path(".")\n'
        self.assertEqual(transform(source, module="pathlib", name="Path"),
                         '"""Paths."""\n\nfrom pathlib import Path\n\nDATA = Path(".")\n')

    def test_whole_module_import_for_attribute_use(self) -> None:
        self.check("import os\n\nX = json.dumps({})\n", "import json\nimport os\n\nX = json.dumps({})\n",
                   module="json", name="")

    def test_name_equal_to_module_means_import_module(self) -> None:
        self.check("X = json.dumps({})\n", "import json\n\nX = json.dumps({})\n", module="json", name="json")

    def test_relative_module_merges_with_relative_import(self) -> None:
        self.check("from .models import Order\n\nX = User\n", "from .models import Order, User\n\nX = User\n",
                   module=".models", name="User")

    def test_relative_module_is_added_relative(self) -> None:
        self.check("from .base import Model\n\nX = User\n", "from .base import Model\nfrom .models import User\n\nX = User\n",
                   module=".models", name="User")

    def test_noop_when_already_imported(self) -> None:
        source = "from typing import Optional\n\nx: Optional[int] = None\n"
        self.assertCodemod(source, source, module="typing", name="Optional")

    def test_skips_when_name_is_bound_by_another_import(self) -> None:
        source = "from mylib.compat import Optional\n\nx: Optional[int] = None\n"
        self.assertCodemod(source, source, module="typing", name="Optional", expected_skip=True)

    def test_skips_when_module_defines_the_name_itself(self) -> None:
        source = "x = helper()\n\n\ndef helper():\n    return 1\n"
        self.assertCodemod(source, source, module="pkg.util", name="helper", expected_skip=True)

    def test_existing_import_after_the_first_use_is_not_merged_into(self) -> None:
        before = '"""Doc."""\n\nimport os\n\nX: Optional[int] = None\n\nfrom typing import List\n\nY: List[int] = []\n'
        after = '"""Doc."""\n\nimport os\nfrom typing import Optional\n\nX: Optional[int] = None\n\nfrom typing import List\n\nY: List[int] = []\n'
        self.check(before, after, module="typing", name="Optional")
        exec(compile(after, "mod.py", "exec"), {})  # the first use finds the name bound

    def test_use_in_a_decorator_before_the_existing_import_counts(self) -> None:
        before = "@wraps(print)\ndef show():\n    pass\n\n\nfrom functools import partial\n"
        after = "from functools import wraps\n\n\n@wraps(print)\ndef show():\n    pass\n\n\nfrom functools import partial\n"
        self.check(before, after, module="functools", name="wraps")
        exec(compile(after, "mod.py", "exec"), {})

    def test_use_only_in_a_function_body_still_merges_into_a_later_import(self) -> None:
        before = "def first():\n    return Optional\n\n\nfrom typing import List\n"
        after = "def first():\n    return Optional\n\n\nfrom typing import List, Optional\n"
        self.check(before, after, module="typing", name="Optional")
        namespace: dict[str, object] = {}
        exec(compile(after, "mod.py", "exec"), namespace)
        first = namespace["first"]
        assert callable(first) and first() is not None

    def test_a_module_under_its_short_name_goes_among_the_imports(self) -> None:
        before = '"""Doc."""\n\nimport struct  # packing\n\n_unpack = t.cast("t.Callable", struct.unpack)\n'
        after = '"""Doc."""\n\nimport struct  # packing\nimport typing as t\n\n_unpack = t.cast("t.Callable", struct.unpack)\n'
        self.check(before, after, module="typing", asname="t")
        namespace: dict[str, object] = {}
        exec(compile(after, "mod.py", "exec"), namespace)
        assert namespace["_unpack"] is __import__("struct").unpack

    def test_a_from_import_under_another_name_is_written_as_it_was(self) -> None:
        before = "import os  # paths\n\nTITLE = esc('<b>')\n"
        after = "import os  # paths\nfrom html import escape as esc\n\nTITLE = esc('<b>')\n"
        self.check(before, after, module="html", name="escape", asname="esc")
        source = "from sqlq import esc\n\nTITLE = esc('<b>')\n"  # bound another way: left alone
        self.assertCodemod(source, source, module="html", name="escape", asname="esc", expected_skip=True)

    def test_a_submodule_import_goes_beside_another_of_the_same_package(self) -> None:
        """``import urllib.parse`` and ``import urllib.request`` both bind ``urllib``: a hostile
        review found the second skipped as "already bound", and the function reading it failed."""
        before = "import urllib.parse  # joins\n\nBASE = urllib.parse.quote('a b')\n"
        after = "import urllib.parse  # joins\nimport urllib.request\n\nBASE = urllib.parse.quote('a b')\n"
        self.check(before, after, module="urllib.request")
        source = "import urllib.parse as urllib\n\nx = urllib.quote\n"  # bound another way: left alone
        self.assertCodemod(source, source, module="urllib.request", expected_skip=True)

    def test_a_short_name_bound_another_way_is_left_alone(self) -> None:
        source = "import tkinter as t\n\nx = t.Tk\n"
        self.assertCodemod(source, source, module="typing", asname="t", expected_skip=True)
        source = "import typing as t\n\nx = t.cast(int, 1)\n"
        self.assertCodemod(source, source, module="typing", asname="t")  # already there: nothing to do
