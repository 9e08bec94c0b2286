"""Every codemod is listed by, and runs under, LibCST's own runner (python -m libcst.tool)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from collect_fix.transforms import codemods

ROOT = Path(__file__).resolve().parents[2]


def libcst_tool(*args: str) -> subprocess.CompletedProcess[str]:
    # The runner reads .libcst.codemod.yaml from the working directory: the repository root.
    return subprocess.run([sys.executable, "-m", "libcst.tool", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_every_codemod_is_listed_by_the_runner() -> None:
    listed = libcst_tool("list").stdout
    for key, command in codemods().items():
        assert f"{command.__module__.rsplit('.', 1)[-1]}.{command.__name__}" in listed, key


def test_the_exit_codemod_runs_standalone_on_a_file(tmp_path: Path) -> None:
    target = tmp_path / "test_cli.py"
    target.write_text('import sys\n\nif sys.platform == "win32":\n    sys.exit("posix only")\n\n\ndef test_x():\n    pass\n')

    result = libcst_tool("codemod", "--no-format", "guard_module_exit.GuardModuleExitCommand", str(target))

    assert result.returncode == 0, result.stderr
    new_source = target.read_text()
    assert "sys.exit" not in new_source
    assert "posix only" in new_source and "pytest" in new_source
    compile(new_source, str(target), "exec")


def test_discovery_finds_one_codemod_per_module() -> None:
    modules = sorted(path.stem for path in (ROOT / "codemods").glob("*.py") if not path.stem.startswith("_"))
    assert sorted(command.__module__.rsplit(".", 1)[-1] for command in codemods().values()) == modules
