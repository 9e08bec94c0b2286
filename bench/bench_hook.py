"""How long does the pre-commit hook ``collect-fix-hook`` take, as a whole process?

Generates a tree of test files the way a real suite looks to the hook: most name no exit at all,
some mention one only in passing (``result.exit_code``, a docstring saying "exit"), some end with
``sys.exit(main())`` under ``if __name__ == "__main__":`` (parsed and analysed, nothing reported),
a few hold ``pytest.skip`` calls and conftests. The tree is clean, so the hook exits 0, as on most
commits. Then times, as pairs run one after the other, the hook on one clean file, the hook on every
file, and a bare ``python -c pass`` of the same interpreter (the floor no hook can go under).
Prints the median of each and the median of the per-pair differences to the bare interpreter.

    python bench/bench_hook.py --files 3000 --runs 7
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLAIN = '''"""Tests for the {group} helpers, part {index}."""
import pytest

from pathlib import Path


@pytest.fixture
def numbers():
    return [{index}, {index} + 1, {index} + 2]


def test_sum_{index}(numbers):
    assert sum(numbers) == 3 * {index} + 3


@pytest.mark.parametrize("value", [1, 2, 3])
def test_scale_{index}(value):
    assert value * {index} >= 0


class TestPaths{index}:
    def test_name(self, tmp_path):
        path = tmp_path / "file_{index}.txt"
        path.write_text("x")
        assert Path(path).read_text() == "x"
'''

MENTIONS_EXIT = PLAIN + '''

def test_cli_{index}(tmp_path):
    """The command must exit cleanly: its exit code is 0."""
    class Result:
        exit_code = 0
    result = Result()
    assert result.exit_code == 0
'''

SCRIPT_STYLE = PLAIN + '''

def main():
    return pytest.main([__file__])


if __name__ == "__main__":
    import sys

    sys.exit(main())
'''

SKIPS = '''import sys

import pytest

if sys.platform == "no-such-platform":
    pytest.skip("not on this platform", allow_module_level=True)


def test_platform_{index}():
    assert sys.platform
'''

CONFTEST = '''import pytest


@pytest.fixture
def service():
    return {"name": "service"}
'''


def generate(root: Path, files: int) -> list[str]:
    """Write ``files`` test files (and a conftest per group) under ``root``; return their paths."""
    paths = []
    for index in range(files):
        group = f"tests/group_{index // 100:03d}"
        if index % 100 == 0:
            (root / group).mkdir(parents=True)
            (root / group / "conftest.py").write_text(CONFTEST, encoding="utf-8")
            paths.append(f"{group}/conftest.py")
        template = PLAIN
        if index % 20 == 1:
            template = MENTIONS_EXIT
        elif index % 20 == 2:
            template = SCRIPT_STYLE
        elif index % 50 == 3:
            template = SKIPS
        relative = f"{group}/test_module_{index:05d}.py"
        (root / relative).write_text(template.replace("{index}", str(index)).replace("{group}", group), encoding="utf-8")
        paths.append(relative)
    return paths


def hook_command() -> list[str]:
    """The console script pre-commit runs, next to this interpreter; else ``python -m``."""
    script = Path(sys.executable).with_name("collect-fix-hook")
    return [str(script)] if script.exists() else [sys.executable, "-m", "collect_fix.hook"]


def wall(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} ... exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=3000, help="test files to generate (default 3000)")
    parser.add_argument("--runs", type=int, default=7, help="paired runs of each measurement (default 7)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-hook-"))
    try:
        paths = generate(root, args.files)
        hook = hook_command()
        bare = [sys.executable, "-c", "pass"]
        one = paths[1]  # a plain test file
        cases = {"one clean file": hook + [one], f"{len(paths)} files": hook + paths, "bare python -c pass": bare}
        for command in cases.values():
            wall(command, root)  # warm the file cache and the bytecode
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, command in cases.items():
                times[name].append(wall(command, root))
        print(f"{sys.executable}; {len(paths)} files ({args.files} test modules + conftests), {args.runs} paired runs")
        floor = times["bare python -c pass"]
        for name, values in times.items():
            line = f"  {name:<22} median {statistics.median(values):.3f} s  (min {min(values):.3f}, max {max(values):.3f})"
            if name != "bare python -c pass":
                over = statistics.median(value - base for value, base in zip(values, floor))
                line += f"; {over:+.3f} s over bare python"
            print(line)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
