"""alias_module: a module moved whole is recreated as the very module it became."""

from __future__ import annotations

import ast
import os
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



PYTHONS = [pytest.param(sys.executable, id="this-pytest")]
if os.environ.get("COLLECT_FIX_PYTEST8_PYTHON"):  # .ci/run provides one (tests/test_probe_compat.py)
    PYTHONS.append(pytest.param(os.environ["COLLECT_FIX_PYTEST8_PYTHON"], id="pytest-8"))

MERGED = '''\
"""The storage backends, one module."""

import os

__version__ = "1.0"


def _home():
    return os.sep + "data"


class MysqlBackend:
    def where(self):
        return "mysql:" + _home()


class SqliteBackend:
    def where(self):
        return "sqlite:" + _home()


def describe(kind):
    return {"mysql": MysqlBackend, "sqlite": SqliteBackend}[kind]().where()
'''

# What tests written against the two old modules do: read and patch old names, helpers and imports.
PATCHING_TESTS = '''\
from unittest import mock

import app.backends
from app import mysql, sqlite
from app.mysql import Backend


def test_each_old_name_is_its_own_class():
    assert Backend is app.backends.MysqlBackend and sqlite.Backend is app.backends.SqliteBackend
    assert "Backend" not in vars(app.backends)


def test_monkeypatch_of_an_old_name_reaches_the_code_and_is_undone(monkeypatch):
    monkeypatch.setattr(mysql, "Backend", lambda: mock.Mock(where=lambda: "patched"))
    assert app.backends.describe("mysql") == "patched"
    monkeypatch.undo()
    assert mysql.Backend is app.backends.MysqlBackend and app.backends.describe("mysql") == "mysql:/data"


def test_monkeypatch_by_dotted_name_of_a_helper_and_an_import(monkeypatch):
    monkeypatch.setattr("app.sqlite._home", lambda: "H")
    monkeypatch.setattr("app.mysql.os.sep", "|")
    assert app.backends.describe("sqlite") == "sqlite:H"
    monkeypatch.undo()
    assert app.backends.describe("sqlite") == "sqlite:/data" and callable(sqlite._home)


def test_mock_patch_of_an_old_name_reaches_the_code_and_is_undone():
    with mock.patch("app.sqlite.Backend") as backend:
        backend.return_value.where.return_value = "mocked"
        assert app.backends.describe("sqlite") == "mocked"
    assert sqlite.Backend is app.backends.SqliteBackend and app.backends.describe("sqlite") == "sqlite:/data"


def test_a_name_neither_module_has_is_an_attribute_error():
    assert not hasattr(mysql, "Nothing") and "Backend" in dir(mysql)


def test_the_import_system_sees_the_old_file_and_the_modules_own_dunders_are_the_new_ones():
    import importlib.util
    import os

    assert importlib.util.find_spec("app.mysql").origin.endswith(os.path.join("app", "mysql.py"))
    assert mysql.__file__.endswith("mysql.py") and mysql.__version__ == "1.0"


def test_a_patch_of_a_dunder_the_module_binds_reaches_it(monkeypatch):
    monkeypatch.setattr("app.mysql.__version__", "9.9")
    assert app.backends.__version__ == "9.9"
    monkeypatch.undo()
    assert app.backends.__version__ == "1.0"


def test_a_private_copy_has_the_names_of_a_copy_and_changes_nothing_else():
    import importlib.util
    import sys

    held, backend = sys.modules["app.mysql"], app.backends.MysqlBackend
    spec = importlib.util.find_spec("app.mysql")
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    assert copy.Backend is copy.MysqlBackend is not backend and copy.Backend().where() == "mysql:/data"
    assert sys.modules["app.mysql"] is held and app.backends.MysqlBackend is backend  # nothing reloaded


def test_a_reload_of_an_old_module_reloads_the_code():  # last: the classes are new objects after it
    import importlib

    before = app.backends.MysqlBackend
    assert importlib.reload(mysql).Backend is app.backends.MysqlBackend is not before
'''


def _merged_project(root: Path, main: str = "") -> None:
    (root / "app").mkdir()
    (root / "app/__init__.py").write_text("")
    (root / "app/backends.py").write_text(MERGED)
    for old, new in (("mysql", "MysqlBackend"), ("sqlite", "SqliteBackend")):
        path = root / f"app/{old}.py"
        edit = Edit(f"app/{old}.py", "alias_module", (("module", "app.backends"), ("source", SOURCE),
                                                      ("renamed", f"Backend={new}"), ("main", main)))
        path.write_bytes(run_edit(edit, None, path, f"app.{old}"))
    (root / "tests").mkdir()
    (root / "tests/test_old_names.py").write_text(PATCHING_TESTS)


def renamed(source: str, names: str = "Backend=MysqlBackend") -> str:
    command = AliasModuleCommand(CodemodContext(), "app.backends", SOURCE, renamed=names)
    return command.transform_module(cst.parse_module(source)).code


def test_with_names_renamed_the_old_module_forwards_to_the_new_one_and_a_second_run_changes_nothing() -> None:
    for before in ("", '"""Doc."""\n', "# a header comment\n"):
        once = renamed(before)
        ast.parse(once)
        assert once.startswith(before)
        assert '_RENAMED = {"Backend": "MysqlBackend"}' in once
        assert "    _renamed = _Renamed(__name__, _module.__doc__)\n" in once and "    sys.modules[__name__] = _renamed\n" in once
        assert renamed(once) == once
    with pytest.raises(SkipFile, match="code of its own"):
        renamed("import os\n")
    with pytest.raises(ValueError, match="not old=new names"):
        renamed("", "Backend=Mysql Backend")


@pytest.mark.parametrize("python", PYTHONS)
def test_old_names_read_and_patched_reach_the_code_and_two_merged_modules_keep_their_own(
    tmp_path: Path, python: str
) -> None:
    """A fourteenth review: binding each old module's renamed ``Backend`` on the module both
    became let the second overwrite the first, and a patch of the old name missed the code. Every
    patch here is undone by pytest's own monkeypatch (pytest 9 restores what the target's own
    namespace held) or by ``unittest.mock``, and the module is as it was after each. A fifteenth
    review: ``find_spec`` of the old name failed (no ``__spec__``), and a patch of the module's
    ``__version__`` stayed on the stand-in."""
    _merged_project(tmp_path)
    ran = subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert "9 passed" in ran.stdout, ran.stdout + ran.stderr


@pytest.mark.parametrize("main", ["", "1"], ids=["imported", "run as a script too"])
def test_the_forwarding_module_passes_mypy_strict(tmp_path: Path, main: str) -> None:
    api = pytest.importorskip("mypy.api")
    _merged_project(tmp_path, main)
    (tmp_path / "tests/test_old_names.py").unlink()
    (tmp_path / "app/backends.py").write_text('"""Typed."""\n\n\nclass MysqlBackend:\n    pass\n\n\n'
                                              'class SqliteBackend:\n    pass\n')
    out, err, status = api.run(["--strict", "--cache-dir", str(tmp_path / ".mypy_cache"), str(tmp_path / "app")])
    assert status == 0, out + err


REPORTING = '''\
import sys


def render_table(rows):
    return "|".join(rows)


if __name__ == "__main__":
    print(render_table(sys.argv[1:]))
    sys.exit(3)
'''


@pytest.mark.parametrize("renamed", ["", "render=render_table"], ids=["moved", "moved with a name renamed"])
def test_python_m_of_the_old_name_runs_the_module_it_became_as_a_script(tmp_path: Path, renamed: str) -> None:
    """Review hAI 06: ``python -m app.report`` imported ``app.reporting`` under its own name, so its
    ``__main__`` block never ran: exit 0, no output. Imported, the old name is the alias as before."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app/__init__.py").write_text("")
    (tmp_path / "app/reporting.py").write_text(REPORTING)
    old = tmp_path / "app/report.py"
    args = (("module", "app.reporting"), ("source", SOURCE), ("main", "1"), *((("renamed", renamed),) if renamed else ()))
    edit = Edit("app/report.py", "alias_module", args)
    once = run_edit(edit, None, old, "app.report")
    old.write_bytes(once)

    ran = subprocess.run([sys.executable, "-m", "app.report", "a", "b"], cwd=tmp_path, capture_output=True, text=True)
    name = "render" if renamed else "render_table"
    imported = subprocess.run([sys.executable, "-c", f"import app.report, app.reporting\n"
                               f"assert app.report.{name} is app.reporting.render_table\n"],
                              cwd=tmp_path, capture_output=True, text=True)

    assert (ran.returncode, ran.stdout) == (3, "a|b\n"), ran.stderr
    assert imported.returncode == 0, imported.stderr
    assert run_edit(edit, once, old, "app.report") == once
    ast.parse(once)
