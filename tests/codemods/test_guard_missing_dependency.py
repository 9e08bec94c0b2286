"""guard_missing_dependency: before/after source, idempotence, no-op and skip cases."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.guard_missing_dependency import GuardMissingDependencyCommand


def transform(source: str, module: str) -> str:
    command = GuardMissingDependencyCommand(CodemodContext(filename="tests/test_x.py"), module=module)
    return command.transform_module(cst.parse_module(source)).code


class TestGuardMissingDependency(CodemodTest):
    TRANSFORM = GuardMissingDependencyCommand

    def check(self, before: str, after: str, module: str) -> None:
        self.assertCodemod(before, after, module=module)
        self.assertEqual(transform(after, module), after, "a second run must change nothing")

    def test_plain_import_becomes_importorskip_assignment(self) -> None:
        self.check(
            "import pytest\nimport yaml  # config files\n\n\ndef test_load():\n    assert yaml\n",
            'import pytest\nyaml = pytest.importorskip("yaml")  # config files\n\n\ndef test_load():\n    assert yaml\n',
            module="yaml",
        )

    def test_aliased_import_assigns_the_alias(self) -> None:
        self.check("import pytest\nimport cv2 as vision\n", 'import pytest\nvision = pytest.importorskip("cv2")\n', module="cv2")

    def test_from_import_is_kept_after_an_importorskip(self) -> None:
        self.check(
            "import pytest\n# images\nfrom PIL import Image, ImageOps\n",
            'import pytest\n# images\npytest.importorskip("PIL")\nfrom PIL import Image, ImageOps\n',
            module="PIL",
        )

    def test_dotted_import_skips_on_the_full_name(self) -> None:
        self.check(
            "import pytest\nimport google.protobuf.message\n",
            'import pytest\npytest.importorskip("google.protobuf.message")\nimport google.protobuf.message\n',
            module="google",
        )

    def test_adds_import_pytest_once(self) -> None:
        self.check(
            "import io\nimport yaml\nfrom yaml import dump\n",
            'import io\nimport pytest\n\nyaml = pytest.importorskip("yaml")\nfrom yaml import dump\n',
            module="yaml",
        )

    def test_uses_existing_pytest_alias(self) -> None:
        self.check("import pytest as pt\nimport yaml\n", 'import pytest as pt\nyaml = pt.importorskip("yaml")\n', module="yaml")

    def test_other_names_of_the_same_import_stay(self) -> None:
        self.check("import pytest\nimport os, yaml\n", 'import pytest\nimport os\nyaml = pytest.importorskip("yaml")\n', module="yaml")

    def test_import_inside_a_test_function_is_left_alone(self) -> None:
        source = "import pytest\nimport yaml\n\n\ndef test_dump():\n    import yaml\n"
        expected = 'import pytest\nyaml = pytest.importorskip("yaml")\n\n\ndef test_dump():\n    import yaml\n'
        self.check(source, expected, module="yaml")

    def test_noop_when_already_guarded(self) -> None:
        source = 'import pytest\n\nyaml = pytest.importorskip("yaml")\n'
        self.assertCodemod(source, source, module="yaml")

    def test_skips_imports_already_in_try_except_importerror(self) -> None:
        source = "import pytest\ntry:\n    import yaml\nexcept ImportError:\n    yaml = None\n"
        self.assertCodemod(source, source, module="yaml", expected_skip=True)

    def test_skips_file_that_does_not_import_the_module(self) -> None:
        source = "import json\n"
        self.assertCodemod(source, source, module="yaml", expected_skip=True)

    def test_guarded_module_skips_at_import_when_missing(self) -> None:
        guarded = transform("import collect_fix_surely_missing_module as m\n", "collect_fix_surely_missing_module")
        namespace: dict[str, object] = {}
        import pytest

        with self.assertRaises(pytest.skip.Exception):
            exec(compile(guarded, "test_guarded.py", "exec"), namespace)
