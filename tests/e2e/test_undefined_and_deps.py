"""End to end: undefined names get their imports; missing dependencies are reported, never stubbed.

Every check runs the real CLI on a copy of a fixture project and asks real pytest afterwards.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

from conftest import collect_only, collected_ids, run_collect_fix, run_in_process, snapshot, write_files

# Every test of every file that failed only because of undefined names with a clear provider.
REPAIRED_IDS = {
    "tests/test_models.py::test_item_defaults",
    "tests/test_models.py::test_box_unit",
    "tests/test_stock.py::test_restock_counts_units",
    "tests/test_stock.py::test_find",
    "tests/test_stock.py::test_by_location",
    "tests/test_storage.py::test_data_dir_name",
    "tests/test_storage.py::test_snapshot_name",
    "tests/test_storage.py::test_empty_snapshot",
}
GUARDED_TEST_FILES = ("tests/test_dates.py", "tests/test_images.py", "tests/test_vision.py")


def failing_files(root: Path) -> list[str]:
    """The files real pytest reports as collection errors."""
    output = collect_only(root).stdout
    return sorted(line.split()[1] for line in output.splitlines() if line.startswith("ERROR "))


def run_tests(root: Path) -> subprocess.CompletedProcess[str]:
    """Plain ``pytest -rs`` (a real run, so module-level skips are reported with their file)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "--continue-on-collection-errors"],
        cwd=root, capture_output=True, text=True, timeout=300,
    )


def test_apply_adds_the_missing_imports_and_leaves_the_ambiguous_name(
    fixture_project: Callable[[str], Path],
) -> None:
    root = fixture_project("undefined_names")
    assert failing_files(root) == ["tests/test_models.py", "tests/test_stock.py", "tests/test_storage.py", "tests/test_workers.py"]
    ambiguous_before = (root / "inventory/workers.py").read_bytes()

    result = run_in_process(root, "--apply")
    assert result.returncode == 1, result.stderr  # the ambiguous Lock is still there

    assert failing_files(root) == ["tests/test_workers.py"]
    assert REPAIRED_IDS <= set(collected_ids(root))
    assert (root / "inventory/workers.py").read_bytes() == ambiguous_before
    assert "from threading import Lock" in result.stdout and "from multiprocessing import Lock" in result.stdout

    stock = (root / "inventory/stock.py").read_text()
    assert stock.startswith(  # sorted, and wrapped past 88 characters, as ruff and isort's black profile write it
        "from collections import defaultdict\nfrom typing import (  # the only typing import so far\n    Callable,\n"
        "    Dict,\n    List,\n    Optional,\n    Tuple,\n)\n"
    )
    models = (root / "inventory/models.py").read_text()
    assert '"""Stock items and the units they are counted in."""\n\nfrom __future__ import annotations\n\nimport enum\n' \
        "from dataclasses import dataclass, field\n" in models
    storage = (root / "inventory/storage.py").read_text()
    assert storage.startswith('"""Where stock snapshots are written."""\n\nimport json\nfrom pathlib import Path\n\nDATA_DIR')
    assert "from inventory.models import Item\n" in (root / "tests/test_stock.py").read_text()
    passed = run_tests(root)
    assert "8 passed" in passed.stdout, passed.stdout

    files_after = snapshot(root)
    again = run_in_process(root, "--apply")
    assert again.returncode == 1, again.stderr
    assert snapshot(root) == files_after  # a second run finds nothing more to change


def test_missing_dependencies_are_reported_and_never_stubbed(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_dependencies")
    failing_before = failing_files(root)
    assert failing_before == ["tests/test_captions.py", *GUARDED_TEST_FILES]
    files_before = snapshot(root)

    result = run_collect_fix(root, "--apply")
    assert result.returncode == 1, result.stderr

    assert snapshot(root) == files_before
    assert failing_files(root) == failing_before
    out = result.stdout
    assert "install pillow, which provides PIL (declared in pyproject.toml [project.optional-dependencies] images)" in out
    assert "install python-dateutil, which provides dateutil (declared in requirements-dev.txt)" in out
    assert "install opencv-python, which provides cv2 (not declared by the project)" in out
    assert "install beautifulsoup4, which provides bs4 (not declared by the project)" in out
    install_lines = [line for line in out.splitlines() if "pip install" in line]
    assert len(install_lines) == 1, out
    assert install_lines[0].strip().endswith("python -m pip install beautifulsoup4 opencv-python pillow python-dateutil")


def test_skip_missing_deps_guards_test_files_and_never_source_modules(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("missing_dependencies")
    source_before = (root / "gallery/captions.py").read_bytes()

    result = run_in_process(root, "--apply", "--skip-missing-deps")
    assert result.returncode == 1, result.stderr  # the source module's import is still missing

    assert failing_files(root) == ["tests/test_captions.py"]
    assert (root / "gallery/captions.py").read_bytes() == source_before
    assert "gallery/captions.py is not a test module" in result.stdout
    ran = run_tests(root)
    for path in GUARDED_TEST_FILES:
        assert f"SKIPPED [1] {path}" in ran.stdout, ran.stdout
    assert "2 passed, 3 skipped, 1 error" in ran.stdout
    images = (root / "tests/test_images.py").read_text()
    assert 'import pytest\n\npytest.importorskip("PIL")\nfrom PIL import Image  # the thumbnailer\'s only dependency\n' in images
    assert 'vision = pytest.importorskip("cv2")' in (root / "tests/test_vision.py").read_text()


def test_skip_missing_deps_never_writes_a_skip_into_a_conftest(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    conftest = "import pytest\nimport collect_fix_missing_dep_xyz\n"
    (root / "tests/conftest.py").write_text(conftest)
    (root / "tests/test_a.py").write_text("def test_a():\n    pass\n")

    result = run_in_process(root, "--apply", "--skip-missing-deps")

    assert (root / "tests/conftest.py").read_text() == conftest
    assert "tests/conftest.py is a conftest, and a skip there would end the whole test session" in result.stdout
    # The session still names the missing module instead of ending with a Skipped traceback.
    collected = collect_only(root)
    assert "No module named 'collect_fix_missing_dep_xyz'" in collected.stdout + collected.stderr


PYTHONPATH_HERE = {"pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n'}


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=root, check=True, capture_output=True)


def test_a_module_imported_under_a_short_name_is_restored_as_it_was(tmp_path: Path) -> None:
    """itsdangerous: "Remove unused typing import" dropped `import typing as t` from a module whose
    module-level `t.cast(...)` still needs it, and every test stopped collecting. No module
    defines a `t`; the commit that removed the line says what it was."""
    root = write_files(tmp_path / "project", {**PYTHONPATH_HERE, "pkg/__init__.py": "from .encoding import unpack\n"})
    (root / "tests").mkdir()
    encoding = (
        "import struct\nimport typing as t\n\n"
        '_unpack = t.cast("t.Callable[[bytes], tuple[int]]", struct.Struct(">Q").unpack)\n\n\n'
        "def unpack(data: bytes) -> int:\n    return _unpack(data)[0]\n"
    )
    (root / "pkg/encoding.py").write_text(encoding)
    (root / "tests/test_encoding.py").write_text(
        "from pkg import unpack\n\n\ndef test_unpack():\n    assert unpack(bytes(7) + b'\\x05') == 5\n"
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "encoding")
    assert "1 passed" in run_tests(root).stdout
    (root / "pkg/encoding.py").write_text(encoding.replace("import typing as t\n", ""))
    _git(root, "commit", "-q", "-am", "Remove unused typing import")
    assert failing_files(root) == ["tests/test_encoding.py"]

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "-> add `import typing as t` to pkg/encoding.py" in result.stdout
    assert (root / "pkg/encoding.py").read_text() == encoding
    assert "1 passed" in run_tests(root).stdout


def test_imports_dropped_with_the_one_read_at_import_come_back_with_it(tmp_path: Path) -> None:
    """itsdangerous: "Remove unused imports" dropped the base class (read at import: collection
    fails) and the exception a method raises (read when a test calls it: collection is clean
    without it, and the test fails). Both come back, and every test passes again."""
    root = write_files(tmp_path / "project", {
        **PYTHONPATH_HERE, "pkg/__init__.py": "", "pkg/exc.py": "class SignatureExpired(Exception):\n    pass\n",
        "pkg/signer.py": "class Signer:\n    def __init__(self, key):\n        self.key = key\n",
    })
    (root / "tests").mkdir()
    timed = (
        "from pkg.exc import SignatureExpired\nfrom pkg.signer import Signer\n\n\n"
        "class TimestampSigner(Signer):\n    def unsign(self, value, max_age):\n"
        "        if max_age < 0:\n            raise SignatureExpired(value)\n        return value\n"
    )
    (root / "pkg/timed.py").write_text(timed)
    (root / "tests/test_timed.py").write_text(
        "import pytest\n\nfrom pkg.exc import SignatureExpired\nfrom pkg.timed import TimestampSigner\n\n\n"
        "def test_unsign():\n    assert TimestampSigner('k').unsign('v', 1) == 'v'\n\n\n"
        "def test_expired():\n    with pytest.raises(SignatureExpired):\n        TimestampSigner('k').unsign('v', -1)\n"
    )
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "timed")
    assert "2 passed" in run_tests(root).stdout
    (root / "pkg/timed.py").write_text(timed.replace("from pkg.exc import SignatureExpired\nfrom pkg.signer import Signer\n", ""))
    _git(root, "commit", "-q", "-am", "Remove unused imports")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "-> add `from pkg.exc import SignatureExpired`, `from pkg.signer import Signer` to pkg/timed.py" in result.stdout
    assert "2 passed" in run_tests(root).stdout


def test_a_name_only_functions_read_whose_import_closes_a_cycle_leaves_the_import_time_repair(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", {
        **PYTHONPATH_HERE, "pkg/__init__.py": "", "pkg/signer.py": "class Signer:\n    pass\n",
        "pkg/cycle.py": "from pkg.timed import Timed\n\n\ndef helper():\n    return Timed\n",
    })
    (root / "tests").mkdir()
    timed = "class Timed(Signer):\n    def later(self):\n        return helper()\n"
    (root / "pkg/timed.py").write_text("from pkg.cycle import helper\nfrom pkg.signer import Signer\n\n\n" + timed)
    (root / "tests/test_timed.py").write_text("from pkg.timed import Timed\n\n\ndef test_timed():\n    assert Timed()\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "timed")  # the cycle was there before too: only the fallback is under test
    (root / "pkg/timed.py").write_text(timed)
    _git(root, "commit", "-q", "-am", "Remove unused imports")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "first tried, not kept: add `from pkg.cycle import helper`, `from pkg.signer import Signer`" in result.stdout
    assert (root / "pkg/timed.py").read_text().startswith("from pkg.signer import Signer\n\n\nclass Timed(Signer):")
    assert "1 passed" in run_tests(root).stdout


def test_the_install_line_names_every_package_a_file_would_stop_at_not_only_the_first(tmp_path: Path) -> None:
    """Python stops at the first missing package; the next one is found statically and asked of
    the project's interpreter, so one install is enough. Optional, standard-library and project
    imports are not listed, nor one after a module-level skip (it may never run); one after a
    module-level ``raise`` guard is."""
    # tests/helpers.py: importable by pytest's rootdir insertion, never a package to install
    root = write_files(tmp_path / "project", {**PYTHONPATH_HERE, "pkg/__init__.py": "def f():\n    return 1\n",
                                              "tests/helpers.py": ""})
    (root / "tests/test_f.py").write_text(
        "import json\nimport sys\n\nimport pytest\nfrom cf_absent_first import given\nimport cf_absent_second.sub\n\n"
        "from pkg import f\nimport helpers\nimport __main__\n\n"
        "try:\n    import cf_absent_optional\nexcept ImportError:\n    cf_absent_optional = None\n\n"
        "if sys.version_info < (3,):\n    raise RuntimeError('Python 3 only')\n\nimport cf_absent_past_a_raise\n\n\n"
        "def helper():\n    raise NotImplementedError\n\n\n"
        "if sys.platform == 'win32':\n    pytest.skip('not on Windows', allow_module_level=True)\n\n"
        "import cf_absent_past_a_skip\n\n\n"
        "def test_f():\n    assert f() == 1\n"
    )

    result = run_in_process(root, "--dry-run")

    assert result.returncode == 1
    assert ("tests/test_f.py also imports cf_absent_past_a_raise (cf_absent_past_a_raise), cf_absent_second.sub "
            "(cf_absent_second), not installed either") in result.stdout
    install = next(line for line in result.stdout.splitlines() if line.startswith("install the missing dependencies:"))
    assert install.endswith(" -m pip install cf_absent_first cf_absent_past_a_raise cf_absent_second"), install
