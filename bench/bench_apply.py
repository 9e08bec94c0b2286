"""How much slower is collect-fix than the one ``pytest --collect-only`` it cannot avoid?

Generates damaged suites of about 3,000 and 30,000 tests with the realistic mix of faults
(``bench/damaged_suite.py``: exit guards, renames, moves, a deleted module, never-written and
undefined names, missing third-party packages, unregistered markers under ``--strict-markers``, a
failing nested conftest, a 6,000-line test file; a git repository whose last commit is the
refactor). Then, per size, ``--runs`` paired runs (A B A B ...), each command on its own fresh
copy of the damaged tree, all with the same interpreter:

- A: ``pytest --collect-only -q -p no:cacheprovider`` of the damaged tree, with every test file
  whose module-level exit ends the session passed as ``--ignore`` (so the plain run completes),
  twice: without bytecode (every module compiled and every assert rewritten, as on a fresh
  checkout: the ratio shared/MEASURING.md defines) and with the bytecode an earlier plain run of
  the same tree left (its own ``PYTHONPYCACHEPREFIX``, warmed by one unmeasured run: what a
  developer who ran pytest before meets). collect-fix collects with ``--assert=plain`` and
  compiles the project afresh in every run, so the second ratio is much the higher;
- B: ``collect-fix --apply``, ``collect-fix --dry-run``, or ``--dry-run`` then ``--apply`` on the
  same copy (timed together), each paired with its own A.

Prints, per size: what the suite holds and what plain pytest collects of it; the collect-fix
report's before/after tests and errors (from the first ``--apply``; errors after should be only
the test files importing missing third-party packages, which nothing repairs), checked with a
plain collection of the repaired tree; every run's wall times; and the medians over the pairs of
B/A for each mode; then the median CPU seconds of each command (user and system time of it and
of every process it waited for, as ``time`` counts them) and the lowest wall ratio that much CPU
allows on this machine's cores (CPU / cores / plain wall). With both sizes, the 30,000/3,000 ratio of the median ``--apply`` times
(linear growth: about the ratio of the test counts). Whole-process wall times, from
``time.perf_counter`` around ``subprocess.run``. Bytecode: the cold plain run has
``PYTHONDONTWRITEBYTECODE=1``; the warm one its own prefix; collect-fix's process its own prefix
too (an installed collect-fix has its modules compiled; its collections use the prefix it chooses).
collect-fix gets a user cache of the bench's own (``XDG_CACHE_HOME`` in the work directory),
warmed by one unmeasured ``--apply`` per size: the generated trees are the same bytes every time,
so a record a dry run of one left in the user's cache would turn a measured ``--apply`` into a
replay (README: "Dry run, then apply").
A shared machine is noisy: the load average is printed, and the paired ratios are the figures
to quote.

    python bench/bench_apply.py                          # 3,000 tests, 3 runs
    python bench/bench_apply.py --size both --runs 5
    python bench/bench_apply.py --size 30000 --runs 1 --keep /tmp/bench
    python bench/bench_apply.py --collect-fix "/path/to/collect-fix" --python /path/to/venv/bin/python

Exit status: 0 when the figures were measured and collect-fix left only the unrepairable errors;
1 when a collect-fix run failed, the dry run wrote into the tree, or the report's errors after
differ from the unrepairable ones; 2 when the bench could not measure (bad setup).
Standard library only; needs git (the damaged suite is a repository) and pytest in ``--python``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from damaged_suite import THIRD_PARTY, Suite, describe, generate  # noqa: E402

MODES = ("apply", "dry-run", "dry-run+apply")
TIMEOUT = 3 * 3600
PLAIN = ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
# One row of collect-fix's before/after table: "tests collected   1006   2960".
ROW = re.compile(r"^(?P<label>\s*[a-z_ ]+?)\s{2,}(?P<before>\d+)(?:\s+(?P<after>\d+))?\s*$")


@dataclass
class Timing:
    seconds: float
    result: subprocess.CompletedProcess[str]
    cpu: float = 0.0  # user + system seconds of the command and every process it waited for


@dataclass
class SizeResult:
    suite: Suite
    plain: dict[str, list[float]] = field(default_factory=lambda: {mode: [] for mode in MODES})
    warm: dict[str, list[float]] = field(default_factory=lambda: {mode: [] for mode in MODES})  # plain, with bytecode
    fix: dict[str, list[float]] = field(default_factory=lambda: {mode: [] for mode in MODES})
    plain_cpu: dict[str, list[float]] = field(default_factory=lambda: {mode: [] for mode in MODES})
    fix_cpu: dict[str, list[float]] = field(default_factory=lambda: {mode: [] for mode in MODES})
    ok: bool = True  # every run ended as a run, the dry run wrote nothing, the errors left were the expected

    def ratios(self, mode: str, warm: bool = False) -> list[float]:
        baseline = self.warm[mode] if warm else self.plain[mode]
        return [fix / plain for fix, plain in zip(self.fix[mode], baseline)]


def run(command: list[str], cwd: Path, cache: Optional[Path] = None, bytecode: Optional[Path] = None) -> Timing:
    """``command`` in ``cwd``, timed; ``cache``: collect-fix's user cache (XDG_CACHE_HOME);
    ``bytecode``: where the command's Python keeps compiled modules (none written without it)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    if bytecode is not None:
        del env["PYTHONDONTWRITEBYTECODE"]
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    cpu_before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=TIMEOUT)
    return Timing(time.perf_counter() - start, result, _children_cpu() - cpu_before)


def _children_cpu() -> float:
    """CPU seconds of the processes this one has waited for: each command, with every process
    it waited for in turn (collect-fix's pytests, its forked copy), as ``time`` counts them."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plain_command(python: str, suite: Suite) -> list[str]:
    return [python, *PLAIN, *(f"--ignore={path}" for path in suite.session_enders)]


def collected(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    """(tests, errors) of a ``pytest --collect-only -q`` run, from its own summary line."""
    tests = sum(1 for line in result.stdout.splitlines() if "::" in line and not line.startswith(" "))
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    match = re.search(r"(\d+) errors?", summary)
    return tests, int(match.group(1)) if match else 0


def report_rows(stdout: str) -> dict[str, tuple[int, Optional[int]]]:
    """The before/after table of collect-fix's text report: label -> (before, after)."""
    rows: dict[str, tuple[int, Optional[int]]] = {}
    in_table = False
    for line in stdout.splitlines():
        if line.startswith("collect-fix report"):
            in_table = True
            continue
        if in_table:
            match = ROW.match(line)
            if not match:
                if rows:
                    break
                continue
            after = match.group("after")
            rows[match.group("label").strip()] = (int(match.group("before")), int(after) if after is not None else None)
    return rows


def unrepaired(stdout: str) -> list[str]:
    """The report's sections on repairs not kept and errors left, as printed."""
    lines: list[str] = []
    keep = False
    for line in stdout.splitlines():
        if line and not line.startswith(" "):
            keep = line.startswith(("tried and not kept", "left for a person"))
        if keep:
            lines.append("    " + line if line else "")
    return lines


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts:
            continue
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fresh_copy(template: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(template, target, symlinks=True)
    return target


def fail(timing: Timing, what: str) -> bool:
    """True (and the output shown) when a collect-fix run did not end as a run (exit 0 or 1)."""
    if timing.result.returncode in (0, 1):
        return False
    print(f"  {what} exited {timing.result.returncode}:", file=sys.stderr)
    print((timing.result.stdout + timing.result.stderr)[-3000:], file=sys.stderr)
    return True


def measure(size: int, args: argparse.Namespace, workspace: Path, collect_fix: list[str]) -> Optional[SizeResult]:
    python = args.python
    template = workspace / f"suite-{size}"
    shutil.rmtree(template, ignore_errors=True)
    suite = generate(template, size)
    result = SizeResult(suite)
    print(f"\n== {size:,}: {describe(suite)}")
    in_enders = sum(suite.tests_in[path] for path in suite.session_enders)
    in_unrepairable = sum(suite.tests_in[path] for path in suite.unrepairable)
    ok = True
    fix_args = ["--python", python]
    cache = workspace / "user-cache"
    cache.mkdir(mode=0o700, exist_ok=True)
    own_bytecode, plain_bytecode = workspace / "collect-fix-bytecode", workspace / "plain-bytecode"
    warm_up = run([*collect_fix, "--apply", *fix_args, str(fresh_copy(template, workspace / "apply"))],
                  workspace / "apply", cache, own_bytecode)
    if fail(warm_up, "collect-fix --apply (warm-up)"):
        return None
    # The warm plain run finds what this one compiled: the same path (the prefix mirrors it), and
    # copies keep the sources' mtimes.
    run(plain_command(python, suite), fresh_copy(template, workspace / "plain"), bytecode=plain_bytecode)
    print("  wall seconds per run: plain pytest without bytecode / with, collect-fix, ratios to each")
    for number in range(1, args.runs + 1):
        row = []
        for mode in MODES:
            copy = fresh_copy(template, workspace / "plain")
            plain = run(plain_command(python, suite), copy)
            warm = run(plain_command(python, suite), fresh_copy(template, workspace / "plain"), bytecode=plain_bytecode)
            tests, errors = collected(plain.result)
            if "INTERNALERROR" in plain.result.stdout + plain.result.stderr or tests == 0:
                print(f"  plain pytest did not complete (exit {plain.result.returncode}):", file=sys.stderr)
                print((plain.result.stdout + plain.result.stderr)[-3000:], file=sys.stderr)
                return None
            if collected(warm.result) != (tests, errors):
                print(f"  plain pytest with bytecode collected {collected(warm.result)} (tests, errors), "
                      f"without {(tests, errors)}", file=sys.stderr)
                return None
            if number == 1 and mode == "apply":
                print(f"  plain pytest --collect-only: {tests:,} tests, {errors} errors "
                      f"({len(suite.session_enders)} session-ending files ignored, holding {in_enders:,} tests)")
            copy = fresh_copy(template, workspace / mode)
            before = tree_digest(copy) if number == 1 and mode == "dry-run" else ""
            split = ""
            if mode == "dry-run+apply":
                dry = run([*collect_fix, "--dry-run", *fix_args, str(copy)], copy, cache, own_bytecode)
                applied = run([*collect_fix, "--apply", *fix_args, str(copy)], copy, cache, own_bytecode)
                fixed = Timing(dry.seconds + applied.seconds, applied.result, dry.cpu + applied.cpu)
                split = f" ({dry.seconds:.1f} + {applied.seconds:.1f})"
                ok = not fail(dry, "collect-fix --dry-run") and ok
            else:
                fixed = run([*collect_fix, f"--{mode}", *fix_args, str(copy)], copy, cache, own_bytecode)
            ok = not fail(fixed, f"collect-fix --{mode}") and ok
            if before and tree_digest(copy) != before:
                print("  collect-fix --dry-run changed the tree it was given", file=sys.stderr)
                ok = False
            if number == 1 and mode == "apply":
                ok = sanity(suite, fixed, copy, python, in_unrepairable, args.keep) and ok
            result.plain[mode].append(plain.seconds)
            result.warm[mode].append(warm.seconds)
            result.fix[mode].append(fixed.seconds)
            result.plain_cpu[mode].append(plain.cpu)
            result.fix_cpu[mode].append(fixed.cpu)
            row.append(f"{plain.seconds:5.2f} / {warm.seconds:5.2f} {fixed.seconds:6.2f}{split} "
                       f"{fixed.seconds / plain.seconds:4.1f}x / {fixed.seconds / warm.seconds:4.1f}x")
        print(f"  run {number}: " + " | ".join(f"{mode} {cells}" for mode, cells in zip(MODES, row)), flush=True)
    for mode in MODES:
        shutil.rmtree(workspace / mode, ignore_errors=True)
    for done in ("plain", "plain-bytecode", "collect-fix-bytecode"):
        shutil.rmtree(workspace / done, ignore_errors=True)
    if not args.keep:
        shutil.rmtree(template, ignore_errors=True)
    result.ok = ok
    return result


def sanity(suite: Suite, applied: Timing, tree: Path, python: str, in_unrepairable: int, keep: bool) -> bool:
    """Print the report's before/after counts, and what plain pytest collects of the repaired tree."""
    rows = report_rows(applied.result.stdout)
    tests, errors = rows.get("tests collected", (0, None)), rows.get("collection errors", (0, None))
    categories = {label: counts for label, counts in rows.items()
                  if label not in ("tests collected", "collection errors", "files changed")}
    after_categories = ", ".join(f"{label} {after}" for label, (_, after) in categories.items() if after)
    print(f"  collect-fix --apply report: tests collected {tests[0]:,} -> {tests[1] if tests[1] is not None else '?':,}, "
          f"collection errors {errors[0]} -> {errors[1]} ({after_categories or 'none'}); exit {applied.result.returncode}")
    check = run([python, *PLAIN], tree)
    plain_tests, plain_errors = collected(check.result)
    expected = len(suite.unrepairable)
    print(f"  plain pytest --collect-only of the repaired tree: {plain_tests:,} tests, {plain_errors} errors "
          f"in {check.seconds:.2f}s (expected {expected} errors: the files importing missing third-party packages; "
          f"{suite.tests - in_unrepairable:,} tests outside them)")
    if keep:
        shutil.copytree(tree, tree.parent / f"applied-{suite.tests}", dirs_exist_ok=True, symlinks=True)
    good = errors[1] == expected and plain_errors == expected
    if not good:
        print(f"  MISMATCH: errors after --apply should be the {expected} unrepairable ones; from the report:",
              file=sys.stderr)
        print("\n".join(unrepaired(applied.result.stdout)), file=sys.stderr)
    return good


def summarize(size: int, result: SizeResult) -> None:
    print(f"\n  {size:,} tests, medians of {len(result.ratios('apply'))} paired runs:")
    for warm, baseline in ((False, "plain pytest without bytecode"), (True, "plain pytest with an earlier run's bytecode")):
        print(f"   against {baseline}:")
        for mode in MODES:
            ratios = result.ratios(mode, warm)
            label = "--dry-run then --apply" if mode == "dry-run+apply" else f"--{mode}"
            plain = result.warm[mode] if warm else result.plain[mode]
            print(f"    {label:24} {statistics.median(result.fix[mode]):8.2f}s vs plain "
                  f"{statistics.median(plain):6.2f}s   ratio {statistics.median(ratios):6.2f}x "
                  f"(pairs: {', '.join(f'{ratio:.2f}' for ratio in ratios)})")
    # Wall time on N cores is at least the CPU time over N (per pair): what this code's work allows at best.
    cores = usable_cores()
    print(f"  CPU seconds (user + system of each command and the processes it waited for), medians; the wall "
          f"ratio that CPU would allow on {cores} core{'s' if cores != 1 else ''} (CPU affinity) kept fully busy, "
          f"median over the pairs:")
    for mode in MODES:
        label = "--dry-run then --apply" if mode == "dry-run+apply" else f"--{mode}"
        fix_cpu, plain_cpu = statistics.median(result.fix_cpu[mode]), statistics.median(result.plain_cpu[mode])
        floors = [cpu / cores / plain for cpu, plain in zip(result.fix_cpu[mode], result.plain[mode])]
        warm_floors = [cpu / cores / plain for cpu, plain in zip(result.fix_cpu[mode], result.warm[mode])]
        print(f"    {label:24} {fix_cpu:8.2f}s vs plain {plain_cpu:6.2f}s   ratio {fix_cpu / plain_cpu:6.2f}x   "
              f"wall ratio at best {statistics.median(floors):.2f}x (with bytecode: {statistics.median(warm_floors):.2f}x)")


def check_setup(python: str) -> Optional[str]:
    probe = "import importlib.util, sys; print(' '.join(m for m in sys.argv[1:] if importlib.util.find_spec(m)))"
    try:
        found = subprocess.run([python, "-c", probe, *THIRD_PARTY], capture_output=True, text=True, timeout=120)
        pytest = subprocess.run([python, "-m", "pytest", "--version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        return f"cannot run {python}: {error}"
    if pytest.returncode != 0:
        return f"{python} has no pytest"
    if found.stdout.strip():
        return f"{python} has packages the suite treats as missing: {found.stdout.strip()}"
    if shutil.which("git") is None:
        return "git is needed to build the damaged suite's history"
    return None


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("3000", "30000", "both"), default="3000", help="suite size [3000]")
    parser.add_argument("--runs", type=int, default=3, help="paired runs per mode; medians are printed [3]")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep the damaged suites and the first repaired trees there")
    parser.add_argument("--collect-fix", metavar="CMD", help="command that runs collect-fix [python -m collect_fix]")
    parser.add_argument("--python", metavar="PATH", default=sys.executable,
                        help="interpreter for plain pytest and for collect-fix's --python [this one]")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    collect_fix = shlex.split(args.collect_fix) if args.collect_fix else [sys.executable, "-m", "collect_fix"]
    problem = check_setup(args.python)
    if problem:
        print(f"bench_apply: {problem}", file=sys.stderr)
        return 2
    sizes = (3_000, 30_000) if args.size == "both" else (int(args.size),)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    workspace = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="collect-fix-bench-"))
    print(f"collect-fix: {shlex.join(collect_fix)}; python: {args.python}; {os.cpu_count()} cpus; "
          f"load average {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    results: dict[int, SizeResult] = {}
    try:
        for size in sizes:
            measured = measure(size, args, workspace, collect_fix)
            if measured is None:
                return 2
            results[size] = measured
            summarize(size, measured)
    finally:
        if not args.keep:
            shutil.rmtree(workspace, ignore_errors=True)
    if len(results) == 2:
        small, large = results[3_000], results[30_000]
        growth = statistics.median(large.fix["apply"]) / statistics.median(small.fix["apply"])
        print(f"\nlinearity: --apply at 30,000 / at 3,000 = {growth:.1f}x "
              f"for {large.suite.tests / small.suite.tests:.1f}x the tests "
              f"(plain collection: {statistics.median(large.plain['apply']) / statistics.median(small.plain['apply']):.1f}x "
              f"without bytecode, {statistics.median(large.warm['apply']) / statistics.median(small.warm['apply']):.1f}x with)")
    print(f"load average at the end: {' '.join(f'{load:.1f}' for load in os.getloadavg())}")
    return 0 if all(result.ok for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
