"""How much slower is ``collect-fix --apply`` than one plain ``pytest --collect-only``?

Generates a suite of 100 test files x 31 tests (3,100 tests) over a small package, plus one test
file whose optional import fails and then calls ``sys.exit(1)`` at module level. That file sorts
last, so the plain run collects every other file before the SystemExit ends the session: a fair
baseline of what collecting this suite costs. Each run works on a fresh copy (``--apply`` edits
it). Prints the median wall times and their ratio.

    python bench/bench_apply.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

BROKEN_FILE = "tests/test_zz_optional_backend.py"


def generate(root: Path, files: int, tests_per_file: int) -> int:
    """Write the suite under ``root``; return how many tests it defines."""
    package = root / "benchpkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("from benchpkg.core import add, scale\n", encoding="utf-8")
    (package / "core.py").write_text(textwrap.dedent("""\
        def add(a, b):
            return a + b


        def scale(values, factor):
            return [value * factor for value in values]
    """), encoding="utf-8")
    (package / "text.py").write_text("def shout(word):\n    return word.upper() + '!'\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "benchpkg"
        version = "0.1.0"

        [tool.pytest.ini_options]
        testpaths = ["tests"]
        pythonpath = ["."]
    """), encoding="utf-8")
    tests = root / "tests"
    tests.mkdir()
    for index in range(files):
        body = [
            "import pytest\n\nfrom benchpkg import add, scale\nfrom benchpkg.text import shout\n\n",
            "@pytest.fixture\ndef numbers():\n    return [1, 2, 3]\n",
        ]
        for number in range(tests_per_file):
            if number % 3 == 0:
                body.append(f"\n\ndef test_add_{number}():\n    assert add({index}, {number}) == {index + number}\n")
            elif number % 3 == 1:
                body.append(f"\n\ndef test_scale_{number}(numbers):\n    assert scale(numbers, {number}) == "
                            f"[{number}, {2 * number}, {3 * number}]\n")
            else:
                body.append(f"\n\ndef test_shout_{number}():\n    assert shout('w{number}') == 'W{number}!'\n")
        (tests / f"test_module_{index:03}.py").write_text("".join(body), encoding="utf-8")
    (root / BROKEN_FILE).write_text(textwrap.dedent("""\
        import sys

        try:
            from benchpkg.backends import FastBackend
        except ImportError as error:
            print(f"Failed to import the fast backend: {error}")
            sys.exit(1)


        def test_backend_speed():
            assert FastBackend().speed > 0


        def test_backend_name():
            assert FastBackend.name == "fast"
    """), encoding="utf-8")
    return files * tests_per_file + 2


def timed(command: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=1800)
    return time.perf_counter() - start, result


def collected(result: subprocess.CompletedProcess[str]) -> int:
    return sum(1 for line in result.stdout.splitlines() if "::" in line and not line.startswith(" "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command; the median is reported")
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--tests-per-file", type=int, default=31)
    args = parser.parse_args(argv)

    workspace = Path(tempfile.mkdtemp(prefix="collect-fix-bench-"))
    try:
        template = workspace / "template"
        total = generate(template, args.files, args.tests_per_file)
        print(f"suite: {total:,} tests in {args.files + 1} test files, one sys.exit(1) after a failed import")
        collect_times: list[float] = []
        apply_times: list[float] = []
        for run in range(args.runs):
            plain_copy, apply_copy = workspace / f"plain-{run}", workspace / f"apply-{run}"
            shutil.copytree(template, plain_copy)
            shutil.copytree(template, apply_copy)
            seconds, plain = timed(
                [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], plain_copy
            )
            collect_times.append(seconds)
            seconds, applied = timed([sys.executable, "-m", "collect_fix", "--apply", str(apply_copy)], apply_copy)
            apply_times.append(seconds)
            if applied.returncode not in (0, 1) or "sys.exit" in (apply_copy / BROKEN_FILE).read_text(encoding="utf-8"):
                print(f"collect-fix --apply did not repair the suite (exit {applied.returncode}):", file=sys.stderr)
                print((applied.stdout + applied.stderr)[-2000:], file=sys.stderr)
                return 1
            if run == 0:
                _, after = timed(
                    [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"], apply_copy
                )
                print(f"plain collect: exit {plain.returncode}, {collected(plain):,} tests listed before SystemExit")
                print(f"after --apply: exit {after.returncode}, {collected(after):,} tests collected")
            shutil.rmtree(plain_copy)
            shutil.rmtree(apply_copy)
        collect_median, apply_median = statistics.median(collect_times), statistics.median(apply_times)
        print(f"pytest --collect-only : {collect_median:7.2f}s median of {args.runs} "
              f"({', '.join(f'{t:.2f}' for t in collect_times)})")
        print(f"collect-fix --apply   : {apply_median:7.2f}s median of {args.runs} "
              f"({', '.join(f'{t:.2f}' for t in apply_times)})")
        print(f"ratio apply / collect : {apply_median / collect_median:7.2f}x")
        return 0
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
