"""End to end: the names a failing import lists after the missing one are repaired with it, and
only those the module really lacked when the import failed (what real pytest saw)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import run_in_process, run_tests, write_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GEO = "def old_area(w, h):\n    return w * h\n\n\ndef old_perimeter(w, h):\n    return 2 * (w + h)\n"
TEST = (
    "from geo.calc import old_area, old_perimeter, UNITS\n\n\n"
    "def test_area():\n    assert old_area(2, 3) == 6\n\n\n"
    "def test_perimeter():\n    assert old_perimeter(2, 3) == 10\n\n\n"
    "def test_units():\n    assert UNITS == ('cm',)\n"
)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=root, check=True, capture_output=True)


def test_renames_listed_after_the_failing_name_join_its_repair_and_an_injected_name_is_left(tmp_path: Path) -> None:
    """UNITS is set on geo.calc by the conftest, not by its source: it never failed, so it gets
    nothing; both renamed functions get their alias in one repair."""
    root = write_files(tmp_path / "project", {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
        "geo/__init__.py": "", "geo/calc.py": GEO,
        "tests/conftest.py": "import geo.calc\n\ngeo.calc.UNITS = ('cm',)\n",
        "tests/test_calc.py": TEST,
    })
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "geo")
    assert "3 passed" in run_tests(root).stdout
    calc = root / "geo/calc.py"
    calc.write_text(GEO.replace("old_area", "area").replace("old_perimeter", "perimeter"))
    git(root, "commit", "-q", "-am", "area and perimeter")

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "-> alias 'old_area' to 'area' in geo.calc; for the names imported after it in tests/test_calc.py: " \
           "alias 'old_perimeter' to 'perimeter' in geo.calc" in result.stdout
    assert "UNITS" not in calc.read_text()
    assert "3 passed" in run_tests(root).stdout
