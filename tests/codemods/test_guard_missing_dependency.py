"""guard_missing_dependency: before/after source, idempotence, no-op and skip cases."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
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
            'import pytest\n\nyaml = pytest.importorskip("yaml")  # config files\n\n\ndef test_load():\n    assert yaml\n',
            module="yaml",
        )

    def test_aliased_import_assigns_the_alias(self) -> None:
        self.check("import pytest\nimport cv2 as vision\n", 'import pytest\n\nvision = pytest.importorskip("cv2")\n', module="cv2")

    def test_from_import_is_kept_after_an_importorskip(self) -> None:
        self.check(
            "import pytest\n# images\nfrom PIL import Image, ImageOps\n",
            'import pytest\n\n# images\npytest.importorskip("PIL")\nfrom PIL import Image, ImageOps\n',
            module="PIL",
        )

    def test_dotted_import_skips_on_the_full_name(self) -> None:
        self.check(
            "import pytest\nimport google.protobuf.message\n",
            'import pytest\n\npytest.importorskip("google.protobuf.message")\nimport google.protobuf.message\n',
            module="google",
        )

    def test_adds_import_pytest_once(self) -> None:
        self.check(
            "import io\n\nimport yaml\nfrom yaml import dump\n",
            'import io\n\nimport pytest\n\nyaml = pytest.importorskip("yaml")\nfrom yaml import dump\n',
            module="yaml",
        )

    def test_uses_existing_pytest_alias(self) -> None:
        self.check("import pytest as pt\nimport yaml\n", 'import pytest as pt\n\nyaml = pt.importorskip("yaml")\n', module="yaml")

    def test_other_names_of_the_same_import_stay(self) -> None:
        self.check("import pytest\nimport os, yaml\n", 'import pytest\nimport os\n\nyaml = pytest.importorskip("yaml")\n', module="yaml")

    def test_import_inside_a_test_function_is_left_alone(self) -> None:
        source = "import pytest\nimport yaml\n\n\ndef test_dump():\n    import yaml\n"
        expected = 'import pytest\n\nyaml = pytest.importorskip("yaml")\n\n\ndef test_dump():\n    import yaml\n'
        self.check(source, expected, module="yaml")

    def test_pytest_imported_after_the_guard_is_imported_above_it(self) -> None:
        self.check(
            "import numpy_missing as np\nimport pytest\n",
            'import pytest\n\nnp = pytest.importorskip("numpy_missing")\nimport pytest\n',
            module="numpy_missing",
        )

    def test_pytest_alias_after_the_guard_is_not_used(self) -> None:
        self.check(
            "import os\nimport numpy_missing as np\nimport pytest as pt\n",
            'import os\n\nimport pytest\n\nnp = pytest.importorskip("numpy_missing")\nimport pytest as pt\n',
            module="numpy_missing",
        )

    def test_pytest_imported_after_a_guard_in_a_block_is_imported_above_it(self) -> None:
        self.check(
            "import sys\nif sys.platform:\n    import yaml\nimport pytest\n",
            'import sys\n\nimport pytest\n\nif sys.platform:\n    yaml = pytest.importorskip("yaml")\nimport pytest\n',
            module="yaml",
        )

    def test_pytest_imported_in_the_same_statement_comes_first(self) -> None:
        self.check("import yaml, pytest\n", 'import pytest\n\nyaml = pytest.importorskip("yaml")\n', module="yaml")

    def test_skips_a_conftest(self) -> None:
        source = "import pytest\nimport yaml\n"
        self.assertCodemod(source, source, module="yaml", expected_skip=True, context_override=CodemodContext(filename="tests/conftest.py"))

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


@pytest.mark.parametrize(
    "source",
    [
        "import collect_fix_missing_xyz as np\nimport pytest\n",
        "import os\nimport collect_fix_missing_xyz as np\nimport pytest as pt\n",
        "import collect_fix_missing_xyz as np; import pytest\n",
        "from collect_fix_missing_xyz import thing\nimport pytest\n",
    ],
)
def test_guarded_module_is_skipped_by_real_pytest(tmp_path: Path, source: str) -> None:
    guarded = transform(source + "\n\ndef test_uses_it():\n    assert True\n", "collect_fix_missing_xyz")
    (tmp_path / "test_guarded.py").write_text(guarded)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "test_guarded.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    assert result.returncode in (0, 5), result.stdout  # 5: every test module was skipped
    assert "1 skipped" in result.stdout and "could not import 'collect_fix_missing_xyz'" in result.stdout, result.stdout
