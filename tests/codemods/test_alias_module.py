"""alias_module: a module moved whole is recreated as the very module it became."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest, SkipFile

from collect_fix.codemods.alias_module import AliasModuleCommand
from collect_fix.transforms import run_edit
from collect_fix.types import Edit

SOURCE = "moved whole by commit 1a2b3c"


def transform(source: str, module: str = "pkg._android") -> str:
    return AliasModuleCommand(CodemodContext(), module, SOURCE).transform_module(cst.parse_module(source)).code


class TestAliasModule(CodemodTest):
    TRANSFORM = AliasModuleCommand

    def test_a_new_module_becomes_the_alias(self) -> None:
        after = """
            # collect-fix: module-alias -> pkg._android (moved whole by commit 1a2b3c)
            import sys

            import pkg._android as _module

            sys.modules[__name__] = _module
        """
        self.assertCodemod("", after, module="pkg._android", source=SOURCE)

    def test_a_docstring_and_the_comments_above_it_stay_first(self) -> None:
        before = """
            # Copyright the authors.
            \"""Android folders.\"""  # moved
        """
        after = """
            # Copyright the authors.
            \"""Android folders.\"""  # moved

            # collect-fix: module-alias -> pkg._android (moved whole by commit 1a2b3c)
            import sys

            import pkg._android as _module

            sys.modules[__name__] = _module
        """
        self.assertCodemod(before, after, module="pkg._android", source=SOURCE)


def test_a_second_run_changes_nothing_and_the_output_parses() -> None:
    for before in ("", '"""Doc."""\n', "# a header comment\n"):
        once = transform(before)
        ast.parse(once)
        assert transform(once) == once


def test_a_module_with_code_of_its_own_is_refused() -> None:
    """An alias would hide whatever the module defines itself."""
    with pytest.raises(SkipFile, match="code of its own"):
        transform("import os\n\n\ndef folder():\n    return os.sep\n")


def test_a_name_that_is_no_module_name_is_refused() -> None:
    with pytest.raises(ValueError, match="not a module name"):
        AliasModuleCommand(CodemodContext(), "pkg.android; import os", SOURCE)


def test_the_old_name_is_the_new_module_for_importers_and_patches(tmp_path: Path) -> None:
    """What the alias promises, by the real interpreter: ``import pkg.android``, ``from pkg
    import android`` and a patch of ``pkg.android.os.path.join`` all reach ``pkg._android``."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/_android.py").write_text(
        "import os\n\n\ndef data_dir():\n    return os.path.join(_folder(), 'files')\n\n\ndef _folder():\n    return '/data'\n")
    old = tmp_path / "pkg/android.py"
    old.write_bytes(run_edit(Edit("pkg/android.py", "alias_module", (("module", "pkg._android"), ("source", SOURCE))),
                             None, old, "pkg.android"))
    check = (
        "import unittest.mock, pkg, pkg._android\nimport pkg.android\nfrom pkg import android\n"
        "assert pkg.android is android is pkg._android, (pkg.android, android)\n"
        "with unittest.mock.patch('pkg.android._folder', lambda: 'A'), "
        "unittest.mock.patch('pkg.android.os.path.join', lambda *parts: '|'.join(parts)):\n"
        "    assert pkg._android.data_dir() == 'A|files'\n"
        "assert pkg._android.data_dir() == '/data/files'\n"
    )
    ran = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr

