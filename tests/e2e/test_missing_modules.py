"""End to end: missing project modules become stub modules; a missing dependency is left alone."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Callable

import pytest

from conftest import collected_ids, failing_files, run_collect_fix, run_in_process, run_tests, snapshot, write_files

def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
                   cwd=root, check=True)


def passing_history(root: Path, files: dict[str, str], passed: int, *pytest_args: str) -> Path:
    """``files`` as a repository's first commit, whose ``passed`` tests all pass (real pytest)."""
    write_files(root, files)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    ran = run_tests(root, *pytest_args)
    assert f"{passed} passed" in ran.stdout and "failed" not in ran.stdout, ran.stdout
    return root


# Every test of every file that failed only because a project module was missing.
REPAIRED_IDS = {
    "tests/test_analytics.py::test_lookup_is_tracked",
    "tests/test_cart.py::test_subtotal",
    "tests/test_cart.py::test_empty_cart_has_no_lines",
    "tests/test_cart.py::test_notification_error_is_an_exception",
    "tests/test_checkout.py::test_charge_uses_gateway",
    "tests/test_checkout.py::test_gateway_starts_without_charges",
    "tests/test_orders.py::test_money_adds",
    "tests/test_orders.py::test_confirmation_goes_to_outbox",
    "tests/test_receipts.py::test_receipt_mentions_total",
    "tests/test_receipts.py::test_receipt_footer",
    "tests/test_search.py::test_finds_by_name",
    "tests/test_search.py::test_empty_query",
    "tests/test_users.py::test_notify_user",
    "tests/test_users.py::test_sender_is_configured",
}
CREATED = {
    "src/shop/analytics.py",
    "src/shop/integrations/__init__.py",
    "src/shop/integrations/payments/__init__.py",
    "src/shop/integrations/payments/gateways/__init__.py",
    "src/shop/integrations/payments/gateways/stripe.py",
    "src/shop/notifications.py",
    "src/shop/payments/receipts.py",
    "src/shop/pricing/discounts.py",
    "src/shop/search.py",
}




def test_apply_creates_every_missing_module_and_leaves_the_dependency(
    fixture_project: Callable[[str], Path],
) -> None:
    root = fixture_project("missing_modules")
    ids_before = set(collected_ids(root))
    files_before = snapshot(root)
    assert "tests/test_vendor.py" in failing_files(root)
    assert not ids_before & REPAIRED_IDS

    result = run_collect_fix(root, "--apply")
    assert result.returncode == 1, result.stderr  # the missing dependency is still there

    assert failing_files(root) == ["tests/test_vendor.py"]
    ids_after = set(collected_ids(root))
    assert REPAIRED_IDS <= ids_after
    assert ids_before <= ids_after
    files_after = snapshot(root)
    assert set(files_after) - set(files_before) == CREATED
    changed = {path for path in files_before if files_after[path][0] != files_before[path][0]}
    assert changed == set(), "only new modules are written; importers are left as they were"
    notifications = (root / "src/shop/notifications.py").read_text()
    for name in ("DEFAULT_SENDER", "NotificationError", "Outbox", "notify_user", "send_email"):
        assert name in notifications
    assert "collect-fix: stub" in (root / "src/shop/integrations/payments/gateways/stripe.py").read_text()

    second = run_in_process(root, "--apply")
    assert second.returncode == 1, second.stderr
    assert snapshot(root) == files_after


def test_dry_run_shows_the_stub_modules_and_writes_nothing(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_modules")
    before = snapshot(root)

    result = run_in_process(root, "--dry-run")

    assert snapshot(root) == before
    assert "src/shop/integrations/payments/gateways/stripe.py" in result.stdout
    assert "nonexistent_vendor_lib" not in {path.stem for path in root.rglob("*.py")}


def test_a_name_from_a_package_the_conftest_puts_on_the_path_comes_back_from_it(tmp_path: Path) -> None:
    """A sixth review: a deleted module's import from a package only the suite's conftest puts
    on ``sys.path`` was stubbed, the interpreter alone not finding it. The re-export is tried
    and the collection keeps it; one whose package went too is stubbed instead, by the next
    alternative, and the module's other names still come back from where they moved."""
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
        "conftest.py": "import pathlib\nimport sys\n\nsys.path.insert(0, str(pathlib.Path(__file__).parent / 'vendor'))\n",
        "vendor/slug_lite.py": "def slugify(text):\n    return text.lower().replace(' ', '-')\n",
        "vendor/gone_json.py": "def dumps(value):\n    return str(value)\n",
        "app/__init__.py": "",
        "app/text.py": "from slug_lite import slugify\n\n\ndef title(text):\n    return text.title()\n",
        "app/fmt.py": "from gone_json import dumps\n\n\ndef shout(text):\n    return text.upper() + '!'\n",
        "tests/test_text.py": "from app.text import slugify, title\n\n\ndef test_slug():\n    assert slugify('A B') == 'a-b'\n"
                              "\n\ndef test_title():\n    assert title('a b') == 'A B'\n",
        "tests/test_fmt.py": "from app.fmt import dumps, shout\n\n\ndef test_shout():\n    assert shout('hi') == 'HI!'\n",
    }, 3)
    git(root, "mv", "app/text.py", "app/strings.py")
    git(root, "mv", "app/fmt.py", "app/formatting.py")
    (root / "app/formatting.py").write_text("def shout(text):\n    return text.upper() + '!'\n")
    git(root, "rm", "-q", "vendor/gone_json.py")
    git(root, "commit", "-qam", "rename modules, drop gone_json")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert failing_files(root) == []
    ran = run_tests(root)
    assert "3 passed" in ran.stdout and "failed" not in ran.stdout, ran.stdout
    assert "sys.modules[__name__] = _module" in (root / "app/text.py").read_text()  # moved whole: that module
    fmt = (root / "app/fmt.py").read_text()
    assert "gone_json" not in fmt and "from app.formatting import shout" in fmt
    assert any(line.startswith("dumps") and line.endswith("# collect-fix: stub") for line in fmt.splitlines()), fmt


def test_a_helper_module_renamed_beside_the_tests_comes_back_and_is_no_package_to_install(tmp_path: Path) -> None:
    """A sixth review: ``tests/helpers.py`` (tests without ``__init__.py`` import it as
    ``helpers``: pytest puts their folder on ``sys.path``) was renamed, and collect-fix called
    ``helpers`` a third-party package and printed ``pip install helpers``, a name on the package
    index that may be anyone's."""
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[project]\nname = 'proj'\n",
        "app/__init__.py": "",
        "tests/helpers.py": "def make_user(name):\n    return {'name': name}\n",
        "tests/test_users.py": "from helpers import make_user\n\n\ndef test_user():\n    assert make_user('a')['name'] == 'a'\n",
    }, 1)
    git(root, "mv", "tests/helpers.py", "tests/factories.py")
    git(root, "commit", "-qm", "helpers -> factories")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install" not in result.stdout + result.stderr
    assert (root / "tests/helpers.py").read_text().endswith("import factories as _module\n\nsys.modules[__name__] = _module\n")
    assert failing_files(root) == []
    assert "1 passed" in run_tests(root).stdout


def test_names_bound_under_an_if_or_a_try_come_back_as_the_block_and_the_branch_not_taken_never_runs(
    tmp_path: Path,
) -> None:
    """Reviews six and seven: a dropped compat module's version checks, platform checks and
    ImportError fallbacks (its other name moved on). Re-exporting a branch's source took ``typing.override`` on a Python
    without it (the whole recreated module failed) and ran the import of a Windows module on
    Linux (which wrote into the project). The block comes back as written: the interpreter
    takes the branch it took before."""
    compat = (
        "import sys\nfrom functools import lru_cache\n\n"
        "if sys.platform == 'cf-nowhere':\n    from app._elsewhere import config_path\n"
        "else:\n    from app._here import config_path\n\n"
        "try:\n    from itertools import cf_absent_name as batched\n"
        "except ImportError:\n    def batched(items):\n        return lru_cache(maxsize=None)(list)((items,))\n\n\n"
        "def norm(mode):\n    return mode.lower()\n"
    )
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[project]\nname = 'proj'\n",
        "app/__init__.py": "",
        "app/_elsewhere.py": "import pathlib\n\npathlib.Path('ELSEWHERE_RAN').write_text('x')\n\n\n"
                             "def config_path():\n    return 'elsewhere'\n",
        "app/_here.py": "def config_path():\n    return 'here'\n",
        "app/compat.py": compat,
        "tests/test_compat.py": "from app.compat import batched, config_path, norm\n\n\ndef test_compat():\n"
                                "    assert config_path() == 'here' and batched(1) == [1] and norm('R') == 'r'\n",
    }, 1)
    git(root, "rm", "-q", "app/compat.py")  # norm moves on, the compatibility blocks go
    (root / "app/text.py").write_text("def norm(mode):\n    return mode.lower()\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "drop compat")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert not (root / "ELSEWHERE_RAN").exists()
    recreated = (root / "app/compat.py").read_text()
    assert "    from app._elsewhere import config_path\nelse:\n    from app._here import config_path\n" in recreated
    assert "collect-fix: stub" not in recreated
    assert "1 passed" in run_tests(root).stdout
    assert not (root / "ELSEWHERE_RAN").exists()


def test_a_renamed_test_helper_comes_back_beside_the_tests_not_from_a_copy_in_the_docs(tmp_path: Path) -> None:
    """semver: ``tests/coerce.py`` was renamed, and collect-fix put ``docs/advanced`` on
    ``pythonpath`` because a byte-identical example lives there: the suite would import the docs.
    git shows where the helper was: it comes back there."""
    helper = "def coerce(text):\n    return text.strip()\n"
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "docs/advanced/coerce.py": helper,
        "tests/conftest.py": "import coerce  # noqa: F401\n",
        "tests/coerce.py": helper,
        "tests/unit/test_coerce.py": "from coerce import coerce\n\n\ndef test_strip():\n    assert coerce(' a ') == 'a'\n",
    }, 1)
    git(root, "mv", "tests/coerce.py", "tests/coercion.py")
    git(root, "commit", "-qm", "coerce -> coercion")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "docs" not in (root / "pyproject.toml").read_text()
    assert (root / "tests/coerce.py").read_text().endswith("import coercion as _module\n\nsys.modules[__name__] = _module\n")
    assert "1 passed" in run_tests(root).stdout


def test_a_helper_whose_test_changed_after_the_move_still_comes_back(tmp_path: Path) -> None:
    """A ninth review: a later commit that only added a docstring to the importing test made
    collect-fix call the moved helper a package to ``pip install``."""
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[project]\nname = 'proj'\n",
        "tests/helpers.py": "def make_user(name):\n    return {'name': name}\n",
        "tests/test_users.py": "from helpers import make_user\n\n\ndef test_user():\n    assert make_user('a')['name'] == 'a'\n",
    }, 1)
    git(root, "mv", "tests/helpers.py", "tests/factories.py")
    git(root, "commit", "-qm", "helpers -> factories")
    (root / "tests/test_users.py").write_text('"""Users."""\n' + (root / "tests/test_users.py").read_text())
    git(root, "commit", "-qam", "a docstring")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install" not in result.stdout + result.stderr
    assert "1 passed" in run_tests(root).stdout


_COMPAT_BLOCK = (
    "if sys.version_info >= (3, 9):\n"
    "    def removeprefix(text, prefix):\n        return text.removeprefix(prefix)\n"
    "else:\n"
    "    def removeprefix(text, prefix):\n        return text[len(prefix):] if text.startswith(prefix) else text\n"
)


def test_a_compat_block_whose_only_copy_is_in_a_script_of_a_missing_extra_comes_back_as_written(
    tmp_path: Path,
) -> None:
    """A twelfth review: the only other module with the deleted compat module's lines was the
    console script of an extra that is not installed. The re-export from it traded the missing
    module for a missing package, and the tests still did not run: the block comes back instead."""
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[project]\nname = 'proj'\n",
        "app/__init__.py": "",
        "app/compat.py": "import sys\n\n" + _COMPAT_BLOCK,
        "app/cli.py": "import sys\n\nimport cf_extra_not_installed  # noqa: F401\n\n" + _COMPAT_BLOCK,
        "tests/test_names.py": "from app.compat import removeprefix\n\n\ndef test_strip():\n"
                               "    assert removeprefix('v1.0', 'v') == '1.0'\n",
    }, 1)
    git(root, "rm", "-q", "app/compat.py")
    git(root, "commit", "-qm", "drop compat: python >= 3.9")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    recreated = (root / "app/compat.py").read_text()
    assert "app.cli" not in recreated and "if sys.version_info >= (3, 9):\n" in recreated
    assert "pip install" not in result.stdout
    assert "1 passed" in run_tests(root).stdout



def test_a_helper_moved_with_a_new_name_still_taken_by_its_old_name_comes_back_whole(tmp_path: Path) -> None:
    """A twelfth review: ``git mv tests/helpers.py tests/factories.py`` added ``make_group`` there
    and a test that takes it, still ``from helpers``: something new taken by that name was read
    as meaning a package (``pip install helpers``). The test does not import the helper's new home,
    so it means the helper; and ``make_group``, which the helper never had, is defined where it went."""
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[project]\nname = 'proj'\n",
        "tests/helpers.py": "def make_user(name='ann'):\n    return {'name': name}\n",
        "tests/test_users.py": "from helpers import make_user\n\n\ndef test_user():\n    assert make_user()['name'] == 'ann'\n",
    }, 1)
    git(root, "mv", "tests/helpers.py", "tests/factories.py")
    with (root / "tests/factories.py").open("a") as factories:
        factories.write("\n\ndef make_group(*members):\n    return {'members': list(members)}\n")
    (root / "tests/test_users.py").write_text(
        "from helpers import make_group, make_user\n\n\ndef test_user():\n    assert make_user()['name'] == 'ann'\n\n\n"
        "def test_group():\n    assert make_group(make_user())['members'][0]['name'] == 'ann'\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "helpers -> factories, groups")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install" not in result.stdout
    assert "collect-fix: stub" not in (root / "tests/helpers.py").read_text()
    assert "2 passed" in run_tests(root).stdout


def test_a_module_moved_whole_is_kept_as_that_module_so_patches_by_dotted_name_reach_the_code(tmp_path: Path) -> None:
    """platformdirs (a review on real projects): ``git mv pkg/android.py pkg/_android.py``; its
    tests patch ``pkg.android._android_folder`` and ``pkg.android.os.path.join``. Re-exporting the
    two names they import made a second module: 75 tests failed. The old name is the module it
    became, so every attribute and patch reaches the code."""
    android = ("import os\n\n\nclass Android:\n    @property\n    def user_data_dir(self):\n"
               "        return os.path.join(_android_folder(), 'files')\n\n\ndef _android_folder():\n    return None\n")
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "pkg/__init__.py": "def detect():\n    from pkg.android import _android_folder\n    return _android_folder()\n",
        "pkg/android.py": android,
        "tests/test_android.py": (
            "from pkg.android import Android\n\n\ndef test_folder(monkeypatch):\n"
            "    monkeypatch.setattr('pkg.android._android_folder', lambda: '/data')\n"
            "    assert Android().user_data_dir == '/data/files'\n\n\ndef test_join(monkeypatch):\n"
            "    monkeypatch.setattr('pkg.android._android_folder', lambda: 'A')\n"
            "    monkeypatch.setattr('pkg.android.os.path.join', lambda *parts: '|'.join(parts))\n"
            "    assert Android().user_data_dir == 'A|files'\n"),
    }, 2)
    git(root, "mv", "pkg/android.py", "pkg/_android.py")
    (root / "pkg/__init__.py").write_text((root / "pkg/__init__.py").read_text().replace("pkg.android", "pkg._android"))
    git(root, "commit", "-qam", "make pkg.android private")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "recreate module pkg.android (as pkg._android, the module it became)" in result.stdout
    assert "2 passed" in run_tests(root).stdout
    listed = run_in_process(root, "--list-stubs")
    assert "pkg/android.py:1: # collect-fix: module-alias -> pkg._android" in listed.stdout, listed.stdout


def test_a_module_folded_into_another_whose_list_a_test_reads_comes_back_with_that_list(tmp_path: Path) -> None:
    """Review hAN 08, 14: ``app/slugs.py`` (``__all__ = ["slugify"]``) folded into ``app/text.py``,
    whose own list it joined; a test reads ``slugs.__all__``, another star-imports it. The old
    list is what git shows, as written: not a stub (a star import iterates it), not text's list."""
    slugs = 'import re\n\n__all__ = ["slugify"]\n\n\ndef slugify(s):\n    return re.sub(r"[^a-z]+", "-", s.lower())\n'
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\npythonpath = ['.']\n",
        "app/__init__.py": "", "app/slugs.py": slugs,
        "app/text.py": '__all__ = ["shout"]\n\n\ndef shout(s):\n    return s.upper()\n',
        "tests/test_api.py": "from app import slugs\n\n\ndef test_api():\n    assert slugs.__all__ == ['slugify']\n",
        "tests/test_star.py": "from app.slugs import *  # noqa: F403\n\n\ndef test_star():\n"
                              "    assert slugify('A B') == 'a-b'  # noqa: F405\n",
    }, 2)
    (root / "app/text.py").write_text('__all__ = ["shout", "slugify"]\n\nimport re\n\n\ndef shout(s):\n'
                                      '    return s.upper()\n\n\n' + slugs.split("\n\n\n", 1)[1])
    git(root, "rm", "-q", "app/slugs.py")
    git(root, "commit", "-qam", "fold slugs into text")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "restoring __all__ as it was bound" in result.stdout
    assert "2 passed" in run_tests(root).stdout
    assert '# collect-fix: restored __all__' in (root / "app/slugs.py").read_text()


def test_a_module_moved_whole_with_a_class_renamed_is_kept_so_a_patch_of_the_old_names_reaches_the_code(
    tmp_path: Path,
) -> None:
    """click (a review on real projects): one commit made ``_termui_impl`` into ``_termui_backend``
    and its ``Editor`` into ``TextEditor``; the tests patch ``_termui_impl.isatty`` and the editor.
    Re-exported name by name, the patches reached a second module and missed the code (121 tests);
    binding ``Editor`` on the new module (a fourteenth review) clashed where two modules merged.
    The old name forwards every read, patch and deletion to the new module, an old name to its
    new one, and writes nothing there."""
    impl = ("import os\n\n\ndef isatty():\n    return os.isatty(1)\n\n\nclass Editor:\n"
            "    \"\"\"Edits text the way a terminal editor would.\"\"\"\n\n    def __init__(self, upper=True):\n"
            "        self.upper = upper\n\n    def run(self, text):\n"
            "        return text.upper() if self.upper else text.lower()\n\n\ndef edit(text):\n"
            "    return Editor().run(text) if isatty() else text\n")
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
        "pkg/__init__.py": "",
        "pkg/_impl.py": impl,
        "tests/test_edit.py": (
            "from unittest import mock\n\nfrom pkg import _impl\nfrom pkg._impl import Editor\n\n\n"
            "def test_terminal(monkeypatch):\n    monkeypatch.setattr('pkg._impl.isatty', lambda: True)\n"
            "    assert _impl.edit('a') == 'A'\n\n\ndef test_no_terminal(monkeypatch):\n"
            "    monkeypatch.setattr(_impl, 'isatty', lambda: False)\n    assert _impl.edit('a') == 'a'\n\n\n"
            "def test_patched_editor(monkeypatch):\n    monkeypatch.setattr(_impl, 'isatty', lambda: True)\n"
            "    with mock.patch('pkg._impl.Editor') as editor:\n"
            "        editor.return_value.run.return_value = 'patched'\n"
            "        assert _impl.edit('a') == 'patched'\n"
            "    assert _impl.Editor is Editor and _impl.edit('a') == 'A'\n\n\n"
            "def test_os():\n    assert _impl.os.sep\n"),
    }, 4)
    git(root, "mv", "pkg/_impl.py", "pkg/_backend.py")
    (root / "pkg/_backend.py").write_text(impl.replace("Editor", "TextEditor"))
    git(root, "commit", "-qam", "_impl -> _backend, Editor -> TextEditor")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "recreate module pkg._impl (as pkg._backend, the module it became)" in result.stdout
    assert "4 passed" in run_tests(root).stdout
    assert "Editor =" not in (root / "pkg/_backend.py").read_text()


@pytest.mark.parametrize("config", [
    "[tool.pytest.ini_options]\naddopts = '--import-mode=importlib'\npythonpath = ['tests']\n",
    "[tool.pytest.ini_options]\npythonpath = ['tests/support']\n",
], ids=["importlib mode", "a pythonpath folder"])
def test_a_helper_moved_in_a_pythonpath_folder_comes_back_there(tmp_path: Path, config: str) -> None:
    """A twelfth review: a helper reached through pytest's ``pythonpath`` (under
    ``--import-mode=importlib``, pytest's recommended setup, nothing else puts a test folder on
    ``sys.path``) was renamed, and collect-fix said ``pip install helpers``."""
    folder = "tests" if "importlib" in config else "tests/support"
    root = passing_history(tmp_path / "proj", {
        "pyproject.toml": config,
        f"{folder}/helpers.py": "def make_user(name='ann'):\n    return {'name': name}\n",
        "tests/test_users.py": "from helpers import make_user\n\n\ndef test_user():\n    assert make_user()['name'] == 'ann'\n",
    }, 1)
    git(root, "mv", f"{folder}/helpers.py", f"{folder}/factories.py")
    git(root, "commit", "-qm", "helpers -> factories")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "pip install" not in result.stdout
    assert (root / folder / "helpers.py").is_file()
    assert "1 passed" in run_tests(root).stdout


@pytest.mark.parametrize("case", [
    "a test module moved whole", "--doctest-modules", "--doctest-modules set by a conftest",
    "python_files given only in pytest-args",
])
def test_a_file_pytest_collects_itself_is_never_recreated_as_an_alias(tmp_path: Path, case: str) -> None:
    """A thirteenth review: a module alias hands out another file's module under its name, and
    pytest, which imports a file it collects by its path, stops with "import file mismatch": a
    test module moved whole (``tests/test_base.py`` -> ``tests/contract.py``, still imported by
    another test), or any module under ``--doctest-modules``. Those come back as re-exports. A
    fourteenth review: however pytest was told so (a conftest's ``pytest_configure``, ``-o
    python_files=`` in the run's arguments), which pytest's own config says, as the probe reads it."""
    extra: tuple[str, ...] = ()
    if case.startswith("--doctest-modules"):
        files = {
            "pyproject.toml": "[tool.pytest.ini_options]\naddopts = '--doctest-modules'\ntestpaths = ['app', 'tests']\n",
            "app/__init__.py": "", "app/text/__init__.py": "",
            "app/textutil.py": "def shout(text):\n    \"\"\"\n    >>> shout('a')\n    'A!'\n    \"\"\"\n    return text.upper() + '!'\n",
            "tests/test_text.py": "from app.textutil import shout\n\n\ndef test_shout():\n    assert shout('hi') == 'HI!'\n",
        }
        if case.endswith("conftest"):
            files["pyproject.toml"] = "[tool.pytest.ini_options]\ntestpaths = ['app', 'tests']\n"
            files["conftest.py"] = "def pytest_configure(config):\n    config.option.doctestmodules = True\n"
        passed, moved = 2, ("app/textutil.py", "app/text/shouting.py")
    else:
        test = "check" if "python_files" in case else "test"
        files = {
            "pyproject.toml": "[project]\nname = 'proj'\n",
            f"tests/{test}_base.py": "class StoreContract:\n    def test_set_get(self):\n        assert self.make() == {}\n\n"
                                     "    def make(self):\n        return {}\n",
            f"tests/{test}_sqlite.py": f"from {test}_base import StoreContract\n\n\nclass TestSqlite(StoreContract):\n    pass\n",
        }
        if test == "check":
            files["pyproject.toml"] += "\n[tool.collect-fix]\npytest-args = ['-o', 'python_files=check_*.py']\n"
            extra = ("-o", "python_files=check_*.py")
        passed, moved = 1, (f"tests/{test}_base.py", "tests/contract.py")
    root = passing_history(tmp_path / "proj", files, passed, *extra)
    git(root, "mv", *moved)
    git(root, "commit", "-qm", "move it")

    result = run_in_process(root, "--apply")

    assert "sys.modules" not in (root / moved[0]).read_text()
    ran = run_tests(root, *extra)
    assert f"{passed} passed" in ran.stdout and "mismatch" not in ran.stdout and "error" not in ran.stdout, ran.stdout
    assert result.returncode == 0, result.stdout + result.stderr
