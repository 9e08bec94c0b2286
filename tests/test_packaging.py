"""The wheel ships the codemods as collect_fix.codemods, never as a top-level ``codemods``."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_codemods_inside_the_package(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = tmp_path.glob("collect_fix-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    codemods = sorted(name for name in names if name.startswith("collect_fix/codemods/") and name.endswith(".py"))
    shipped = sorted(f"collect_fix/codemods/{path.name}" for path in (ROOT / "codemods").glob("*.py"))
    assert codemods == shipped
    assert "collect_fix/_probe.py" in names
    assert not [name for name in names if name.startswith("codemods/")]
