"""How long does usage inference take on a large test file that imports the missing name?

Writes a project whose 6,000-line test module (``--lines``) imports and uses the never-written
``shop.metrics.make_gauge`` (called at import time and in every test, its result's attributes
read), then times, in this process, what a planner asks for one missing name:
``infer_usage`` and ``import_time_blockers``. Each run starts cold (parse and analysis caches
cleared); the parse alone is timed too, since it is the floor. Prints every run and the median.

    python bench/bench_usage.py
    python bench/bench_usage.py --lines 20000 --runs 5

Measured on the 2-core shared machine, 6,000 lines, paired runs: the LibCST implementation
(FullyQualifiedNameProvider) 19 s to 33 s per run at load 3, 25 s to 39 s at load 6; the ``ast``
one 0.14 s at load 3 (parse 0.13 s), 0.4 s to 0.6 s at load 6 to 8 (parse 0.3 s to 0.5 s).
"""

from __future__ import annotations

import argparse
import ast
import statistics
import tempfile
import time
from pathlib import Path

from collect_fix import usage
from collect_fix.project import Project


def write_project(root: Path, lines: int) -> Path:
    (root / "shop").mkdir(parents=True)
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "metrics.py").write_text('"""Lacks make_gauge."""\n')
    (root / "tests").mkdir()
    source = ["import pytest", "from shop.metrics import make_gauge", "from shop import metrics", "",
              "GAUGE = make_gauge('load')", ""]
    index = 0
    while len(source) < lines:
        source += [
            f"class TestCase{index}:",
            "    @pytest.mark.parametrize('value', [1, 2, 3])",
            f"    def test_value_{index}(self, value):",
            f"        gauge = make_gauge('g{index}')",
            "        total = sum(x * value for x in range(10) if x % 2)",
            f"        assert gauge.read() + total == {index} or metrics.make_gauge('x') is not None",
            "",
            f"    def test_other_{index}(self, tmp_path):",
            f"        data = {{'a': [1, 2, {index}], 'b': (tmp_path / 'x').name}}",
            f"        assert data['a'][2] == {index}",
            "",
        ]
        index += 1
    test_file = root / "tests" / "test_big.py"
    test_file.write_text("\n".join(source) + "\n")
    return test_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        test_file = write_project(root, options.lines)
        print(f"{len(test_file.read_text().splitlines())} lines in {test_file.relative_to(root)}")
        parses, runs = [], []
        for _ in range(options.runs):
            start = time.perf_counter()
            ast.parse(test_file.read_bytes())
            parses.append(time.perf_counter() - start)
            usage._file_usage.cache_clear()  # cold, as on a file the run has not read yet
            usage._parse.cache_clear()
            project = Project(root, extra_paths=(".",))
            start = time.perf_counter()
            kind, uses = usage.infer_usage(project, "shop.metrics", "make_gauge")
            blockers = usage.import_time_blockers(project, "shop.metrics", "make_gauge", kind)
            runs.append(time.perf_counter() - start)
        print(f"kind {kind!r} from ({uses}); {len(blockers)} import-time blockers")
        print("ast.parse alone:   " + ", ".join(f"{seconds:.2f} s" for seconds in parses))
        print("usage inference:   " + ", ".join(f"{seconds:.2f} s" for seconds in runs))
        print(f"median: {statistics.median(runs):.2f} s (parse {statistics.median(parses):.2f} s)")


if __name__ == "__main__":
    main()
