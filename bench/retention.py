"""Do the tests that passed before a refactor pass again after ``collect-fix --apply``?

Measures recovery and retention (shared/MEASURING.md) on real projects nobody here wrote. Per
project, described by one spec in ``bench/retention/<project>.py``:

1. ``pip download --no-binary :all: --no-deps NAME==VERSION`` (the sdist, which ships the tests),
   unpacked into a git repository; a venv with the project's test requirements (never collect-fix)
   whose ``python -m pytest`` run from the project root collects with 0 errors. Downloads and
   venvs are cached under the work directory, so a rerun only rebuilds the trees. Nothing of the
   project is installed: a spec's ``PATHS`` (``["src"]``) put each tree's folders on ``PYTHONPATH``
   for pytest and for collect-fix, as ``pip install -e .`` would for a src/ layout.
2. **intact**: the unpacked tree, committed; its suite is run once.
3. **damaged**: a copy on which the spec's refactor steps are committed one by one (renames, a move,
   a deleted alias, a dropped ``typing`` import, an exit guard in a test file, a deleted module).
   The project's own code is changed consistently; only its tests are left behind.
4. **reference**: a copy of the damaged tree repaired by hand the way a careful person would (the
   spec's ``reference`` function); its suite is run.
5. **after**: a copy of the damaged tree (with its git history) on which
   ``collect-fix --apply --python <project python> --json ...`` runs; then the suite, with
   ``--continue-on-collection-errors``.

Every figure comes from pytest itself: a small plugin (written to the work directory and loaded
with ``-p``) records the collected items, the collection errors and each test's outcome.

Figures printed per project:

- ``collected``: items plain ``pytest --collect-only -q`` collects in each tree; ``errors``: its
  collection errors (``damaged`` shows what collect-fix faced).
- **recovery** = items collected after / items collected intact.
- **retention** = |passed after & passed intact & passed reference| / |passed intact & passed
  reference|. Tests that fail even under the reference repair test code that is really gone: they
  are *excused* (listed, not counted). Target: at least 0.99.
- **lost**: the tests in the denominator that do not pass after, grouped by file, each with the
  first line of its failure (or why it was not run), to show which repair was wrong.

Exit status: 0 when every project reaches 0.99 retention with 0 collection errors after;
1 otherwise; 2 when the measurement itself is unsound (intact tree does not collect cleanly, the
damage broke no collection, the reference repair leaves collection errors, a tool failed).

    python3 bench/retention.py                      # every spec, work dir ~/.cache/collect-fix-retention
    python3 bench/retention.py --project toolz --keep --work /tmp/retention
    python3 bench/retention.py --collect-fix "/path/to/venv/bin/collect-fix"

Standard library only; pip, venv and git run as subprocesses. Needs network access to PyPI on the
first run of a project (or a pip configured with a local index).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
SPECS = HERE / "retention"
REPO = HERE.parent
PYTEST_REQUIREMENT = "pytest==8.3.5"
TARGET = 0.99
RUN_TIMEOUT = 1800
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Retention Bench", "GIT_AUTHOR_EMAIL": "retention@example.invalid",
    "GIT_COMMITTER_NAME": "Retention Bench", "GIT_COMMITTER_EMAIL": "retention@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}

PLUGIN_NAME = "_retention_outcomes"
PLUGIN = '''\
"""Loaded with -p by bench/retention.py: records what pytest collected and each test's outcome."""
import json
import os

_OUT = os.environ["RETENTION_OUTCOMES"]
_state = {"items": None, "errors": [], "skipped": [], "tests": {}, "exitstatus": None}


def _first_line(report):
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # a skip: (path, lineno, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return crash.message.strip().splitlines()[0]
    lines = [line for line in str(longrepr).splitlines() if line.strip()]
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    return (marked or lines or [""])[-1 if not marked else 0].strip()


def _dump():
    with open(_OUT + ".tmp", "w", encoding="utf-8") as stream:
        json.dump(_state, stream)
    os.replace(_OUT + ".tmp", _OUT)


def pytest_collectreport(report):
    if report.failed:
        _state["errors"].append({"nodeid": report.nodeid, "message": _first_line(report)})
    elif report.skipped:
        _state["skipped"].append({"nodeid": report.nodeid, "message": _first_line(report)})


def pytest_collection_finish(session):
    _state["items"] = [item.nodeid for item in session.items]
    _dump()


def pytest_runtest_logreport(report):
    test = _state["tests"].setdefault(report.nodeid, {"outcome": "passed", "message": ""})
    if test["outcome"] in ("failed", "error"):
        return
    xfail = hasattr(report, "wasxfail")
    if report.failed:
        test["outcome"] = "failed" if report.when == "call" else "error"
        test["message"] = ("in " + report.when + ": " if report.when != "call" else "") + _first_line(report)
    elif report.skipped:
        test["outcome"] = "xfailed" if xfail else "skipped"
        test["message"] = _first_line(report) if not xfail else str(report.wasxfail)
    elif report.when == "call" and xfail:
        test["outcome"] = "xpassed"


def pytest_sessionfinish(session, exitstatus):
    _state["exitstatus"] = int(exitstatus)
    _dump()
'''


# --------------------------------------------------------------------------------------------
# Edits a spec performs on a tree
# --------------------------------------------------------------------------------------------

class SpecError(Exception):
    """A spec's edit no longer matches the source it was written for."""


class Edits:
    """Text edits on one tree that fail loudly when the text they expect is not there.

    ``rename`` renames an identifier in every source file of the project (``source`` globs minus
    ``tests`` globs), as a refactoring tool would; the tests are never touched by it.
    """

    def __init__(self, root: Path, source: Iterable[str], tests: Iterable[str]) -> None:
        self.root = root
        self.source = tuple(source)
        self.tests = tuple(tests)

    def _path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self._path(relative).read_bytes().decode("utf-8")

    def write(self, relative: str, text: str) -> None:
        path = self._path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))

    def append(self, relative: str, text: str) -> None:
        """Add ``text`` at the end of the module, after two blank lines."""
        self.write(relative, self.read(relative).rstrip("\n") + "\n\n\n" + text)

    def delete(self, relative: str) -> None:
        path = self._path(relative)
        if not path.is_file():
            raise SpecError(f"delete: {relative} does not exist")
        path.unlink()

    def replace(self, relative: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(relative)
        found = text.count(old)
        if found != count:
            raise SpecError(f"replace in {relative}: expected {count} x {old!r}, found {found}")
        self.write(relative, text.replace(old, new))

    def source_files(self) -> list[str]:
        tests = {p for pattern in self.tests for p in self.root.glob(pattern)}
        files = {p for pattern in self.source for p in self.root.glob(pattern)
                 if p.is_file() and p.suffix == ".py" and p not in tests}
        return sorted(str(p.relative_to(self.root)) for p in files)

    def rename(self, old: str, new: str) -> list[str]:
        """Rename identifier ``old`` to ``new`` in all source files; return the files changed."""
        pattern = re.compile(rf"\b{re.escape(old)}\b")
        changed = []
        for relative in self.source_files():
            text = self.read(relative)
            if re.search(rf"\b{re.escape(new)}\b", text):
                raise SpecError(f"rename {old} -> {new}: {relative} already uses {new}")
            updated = pattern.sub(new, text)
            if updated != text:
                self.write(relative, updated)
                changed.append(relative)
        if not changed:
            raise SpecError(f"rename {old} -> {new}: no source file mentions {old}")
        return changed

    def cut_definition(self, relative: str, name: str) -> str:
        """Remove the top-level ``def``/``class`` ``name`` (with its decorators) and return its text."""
        text = self.read(relative)
        for node in ast.parse(text).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
                lines = text.splitlines(keepends=True)
                start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
                end = node.end_lineno or node.lineno
                block = "".join(lines[start:end])
                while end < len(lines) and not lines[end].strip():
                    end += 1
                self.write(relative, "".join(lines[:start] + lines[end:]))
                return block
        raise SpecError(f"cut_definition: no top-level {name} in {relative}")

    def move_definition(self, name: str, source: str, target: str, before: str | None = None) -> None:
        """Move a top-level definition to ``target``: appended, or inserted before the text ``before``."""
        block = self.cut_definition(source, name)
        text = self.read(target)
        if before is None:
            self.write(target, text.rstrip("\n") + "\n\n\n" + block)
        elif text.count(before) != 1:
            raise SpecError(f"move_definition: {before!r} not found once in {target}")
        else:
            self.write(target, text.replace(before, block + "\n\n" + before))


@dataclass(frozen=True)
class Spec:
    """One project: where to get it and how to damage and repair it (from bench/retention/*.py)."""

    name: str
    version: str
    source: tuple[str, ...]
    tests: tuple[str, ...]
    requirements: tuple[str, ...]
    damage: tuple[tuple[str, Callable[[Edits], None]], ...]
    reference: Callable[[Edits], None]
    notes: str
    # Folders of the tree put on sys.path, as ``pip install -e .`` puts a src/ layout there: the
    # bench installs nothing of the project (PYTHONPATH, for pytest and for collect-fix's run).
    paths: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Spec:
        module_spec = importlib.util.spec_from_file_location(f"retention_spec_{path.stem}", path)
        assert module_spec is not None and module_spec.loader is not None
        module: ModuleType = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return cls(
            name=module.NAME, version=module.VERSION, source=tuple(module.SOURCE),
            tests=tuple(module.TESTS), requirements=tuple(getattr(module, "REQUIREMENTS", ())),
            damage=tuple(module.DAMAGE), reference=module.reference,
            notes=(module.__doc__ or "").strip(), paths=tuple(getattr(module, "PATHS", ())),
        )


def load_specs(names: list[str]) -> list[Spec]:
    specs = [Spec.load(path) for path in sorted(SPECS.glob("*.py")) if not path.name.startswith("_")]
    if not names:
        return specs
    by_name = {spec.name: spec for spec in specs} | {spec.name.replace("-", "_"): spec for spec in specs}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise SystemExit(f"unknown project(s): {', '.join(unknown)}; known: {', '.join(s.name for s in specs)}")
    return [by_name[name] for name in names]


# --------------------------------------------------------------------------------------------
# Subprocesses: pip, venv, git, pytest
# --------------------------------------------------------------------------------------------

class ToolError(Exception):
    """A subprocess the measurement depends on failed."""


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = RUN_TIMEOUT, log: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            errors="replace", stdin=subprocess.DEVNULL, timeout=timeout)
    if log is not None:
        log.write_text(f"$ {shlex.join(command)}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}",
                       encoding="utf-8")
    return result


def checked(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = RUN_TIMEOUT) -> str:
    result = run(command, cwd=cwd, env=env, timeout=timeout)
    if result.returncode != 0:
        raise ToolError(f"{shlex.join(command)} (in {cwd}) exited {result.returncode}:\n"
                        f"{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result.stdout


def git(tree: Path, *args: str) -> str:
    return checked(["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args],
                   cwd=tree, env=os.environ | GIT_ENV)


def commit_all(tree: Path, message: str, step: int) -> None:
    stamp = f"2024-01-01T12:{step:02d}:00+00:00"
    git(tree, "add", "-A")
    checked(["git", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "commit", "-q",
             "--allow-empty", "-m", message], cwd=tree,
            env=os.environ | GIT_ENV | {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})


def download(spec: Spec, work: Path, python: str) -> Path:
    """The project's sdist, downloaded once into the cache."""
    folder = work / "downloads" / f"{spec.name}-{spec.version}"
    archives = [p for p in folder.glob("*") if p.name.endswith((".tar.gz", ".zip", ".tar.bz2"))]
    if not archives:
        folder.mkdir(parents=True, exist_ok=True)
        checked([python, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                 "-d", str(folder), f"{spec.name}=={spec.version}"])
        archives = [p for p in folder.glob("*") if p.name.endswith((".tar.gz", ".zip", ".tar.bz2"))]
    if len(archives) != 1:
        raise ToolError(f"expected one sdist in {folder}, found {[p.name for p in archives]}")
    return archives[0]


def unpack(archive: Path, destination: Path) -> None:
    """Unpack the sdist's single top-level folder as ``destination``."""
    staging = destination.with_name(destination.name + ".unpack")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(staging)
    else:
        with tarfile.open(archive) as bundle:
            if hasattr(tarfile, "data_filter"):
                bundle.extractall(staging, filter="data")
            else:
                bundle.extractall(staging)  # noqa: S202 - a pinned sdist from the index
    (top,) = list(staging.iterdir())
    top.rename(destination)
    staging.rmdir()


def project_python(spec: Spec, work: Path, base_python: str) -> Path:
    """A venv with pytest and the spec's test requirements, created once and reused."""
    version = checked([base_python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).strip()
    venv = work / "venvs" / f"{spec.name}-{spec.version}-py{version}"
    python = venv / "bin" / "python"
    wanted = "\n".join([PYTEST_REQUIREMENT, *spec.requirements])
    stamp = venv / "retention-requirements.txt"
    if python.exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    checked([base_python, "-m", "venv", str(venv)])
    checked([str(python), "-m", "pip", "install", "-q", PYTEST_REQUIREMENT, *spec.requirements])
    stamp.write_text(wanted, encoding="utf-8")
    return python


@dataclass
class Outcomes:
    """What one pytest session collected and how each test ended (from the plugin's JSON)."""

    exit_code: int
    items: list[str] | None
    errors: list[dict[str, str]]
    skipped: list[dict[str, str]]
    tests: dict[str, dict[str, str]]

    @property
    def collected(self) -> int:
        return len(self.items or [])

    @property
    def aborted(self) -> bool:
        """The session died before collection finished (a SystemExit at import, a crash)."""
        return self.items is None

    def passed(self) -> set[str]:
        return {nodeid for nodeid, test in self.tests.items() if test["outcome"] in ("passed", "xpassed")}

    def describe(self) -> str:
        if self.aborted:
            return f"session aborted before collection finished (pytest exit {self.exit_code})"
        return f"{self.collected} collected, {len(self.errors)} errors"


def pytest_session(python: Path, tree: Path, work: Path, log: Path, collect_only: bool,
                   paths: tuple[str, ...] = ()) -> Outcomes:
    plugin_dir = work / "plugin"
    plugin_dir.mkdir(parents=True, exist_ok=True)
    plugin = plugin_dir / f"{PLUGIN_NAME}.py"
    if not plugin.exists() or plugin.read_text(encoding="utf-8") != PLUGIN:
        plugin.write_text(PLUGIN, encoding="utf-8")
    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    env |= {"PYTHONPATH": os.pathsep.join([str(plugin_dir), *(str(tree / path) for path in paths)]),
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "RETENTION_OUTCOMES": str(out)}
    command = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", PLUGIN_NAME]
    command += ["--collect-only"] if collect_only else ["--continue-on-collection-errors"]
    result = run(command, cwd=tree, env=env, log=log)
    if not out.exists():
        return Outcomes(result.returncode, None, [], [], {})
    data = json.loads(out.read_text(encoding="utf-8"))
    return Outcomes(result.returncode, data["items"], data["errors"], data["skipped"], data["tests"])


# --------------------------------------------------------------------------------------------
# One project
# --------------------------------------------------------------------------------------------

@dataclass
class Result:
    """The figures of one project."""

    spec: Spec
    collected: dict[str, Outcomes] = field(default_factory=dict)
    ran: dict[str, Outcomes] = field(default_factory=dict)
    collect_fix_exit: int | None = None
    collect_fix_seconds: float = 0.0
    results_dir: Path | None = None
    unsound: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> set[str]:
        return self.ran["intact"].passed() & self.ran["reference"].passed()

    @property
    def excused(self) -> set[str]:
        return self.ran["intact"].passed() - self.ran["reference"].passed()

    @property
    def kept(self) -> set[str]:
        return self.baseline & self.ran["after"].passed()

    @property
    def retention(self) -> float:
        return len(self.kept) / len(self.baseline) if self.baseline else 0.0

    @property
    def recovery(self) -> float:
        intact = self.collected["intact"].collected
        return self.collected["after"].collected / intact if intact else 0.0

    @property
    def ok(self) -> bool:
        after = self.collected["after"]
        return not self.unsound and not after.aborted and not after.errors and self.retention >= TARGET


def measure(spec: Spec, work: Path, base_python: str, collect_fix: list[str], keep: bool) -> Result:
    result = Result(spec)
    archive = download(spec, work, base_python)
    python = project_python(spec, work, base_python)
    trees = work / "trees" / spec.name
    results = work / "results" / spec.name
    for folder in (trees, results):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    result.results_dir = results

    intact = trees / "intact"
    unpack(archive, intact)
    git(intact, "init", "-q", "-b", "main")
    commit_all(intact, f"{spec.name} {spec.version} as released (sdist)", 0)

    damaged = trees / "damaged"
    shutil.copytree(intact, damaged, symlinks=True)
    for step, (message, apply) in enumerate(spec.damage, start=1):
        apply(Edits(damaged, spec.source, spec.tests))
        if not git(damaged, "status", "--porcelain").strip():
            raise SpecError(f"damage step {step} ({message!r}) changed nothing")
        commit_all(damaged, message, step)
    (results / "damage.diff").write_text(git(damaged, "diff", "HEAD~" + str(len(spec.damage)), "HEAD"),
                                         encoding="utf-8")
    (results / "damage.log").write_text(git(damaged, "log", "--stat", "--format=%n## %s"), encoding="utf-8")

    reference = trees / "reference"
    shutil.copytree(damaged, reference, symlinks=True)
    spec.reference(Edits(reference, spec.source, spec.tests))
    git(reference, "add", "-A", "-N")
    (results / "reference.diff").write_text(git(reference, "diff"), encoding="utf-8")

    after = trees / "after"
    shutil.copytree(damaged, after, symlinks=True)
    started = time.monotonic()
    on_path = {"PYTHONPATH": os.pathsep.join(str(after / path) for path in spec.paths)} if spec.paths else {}
    fix = run([*collect_fix, "--apply", "--no-color", "--python", str(python),
               "--json", str(results / "collect-fix.json"), str(after)],
              cwd=after, env=os.environ | on_path, log=results / "collect-fix.log")
    result.collect_fix_seconds = time.monotonic() - started
    result.collect_fix_exit = fix.returncode
    git(after, "add", "-A", "-N")
    (results / "apply.diff").write_text(git(after, "diff"), encoding="utf-8")

    for label, tree in (("intact", intact), ("damaged", damaged), ("reference", reference), ("after", after)):
        result.collected[label] = pytest_session(python, tree, work, results / f"collect-{label}.log", True, spec.paths)
    for label, tree in (("intact", intact), ("reference", reference), ("after", after)):
        result.ran[label] = pytest_session(python, tree, work, results / f"run-{label}.log", False, spec.paths)

    c = result.collected
    if c["intact"].aborted or c["intact"].errors or not c["intact"].collected:
        result.unsound.append(f"the intact tree does not collect cleanly: {c['intact'].describe()}")
    if not c["damaged"].aborted and not c["damaged"].errors:
        result.unsound.append("the damage broke no collection: nothing for collect-fix to repair")
    if c["reference"].aborted or c["reference"].errors:
        result.unsound.append(f"the reference repair leaves collection errors: {c['reference'].describe()}")
    if result.collect_fix_exit not in (0, 1):
        result.unsound.append(f"collect-fix exited {result.collect_fix_exit} (see {results / 'collect-fix.log'})")
    if not keep:
        shutil.rmtree(trees, ignore_errors=True)
    return result


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def why_not_passed(nodeid: str, after: Outcomes, collected_after: Outcomes) -> str:
    test = after.tests.get(nodeid)
    if test is not None:
        return f"{test['outcome']}: {test['message']}".rstrip(": ")
    if collected_after.items is not None and nodeid not in collected_after.items:
        path = nodeid.split("::", 1)[0]
        error = next((e["message"] for e in collected_after.errors if e["nodeid"] == path), "")
        if error:
            return f"not collected: {error}"
        skip = next((e["message"] for e in collected_after.skipped if e["nodeid"] == path), None)
        return "not collected" if skip is None else f"not collected: module skipped: {skip}"
    return "not run"


def by_file(nodeids: Iterable[str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for nodeid in sorted(nodeids):
        path, _, rest = nodeid.partition("::")
        grouped.setdefault(path, []).append(rest or nodeid)
    return grouped


def report(result: Result) -> str:
    spec = result.spec
    c, r = result.collected, result.ran
    lines = [f"== {spec.name} {spec.version} ==",
             f"damage: {len(spec.damage)} commits (results: {result.results_dir})"]
    lines += [f"  {i}. {message}" for i, (message, _) in enumerate(spec.damage, start=1)]
    lines.append(f"collect-fix --apply: exit {result.collect_fix_exit} in {result.collect_fix_seconds:.1f} s")
    lines.append(f"{'':12}{'collected':>10}{'errors':>8}{'passed':>8}")
    for label in ("intact", "damaged", "reference", "after"):
        outcome = c[label]
        errors = "abort" if outcome.aborted else str(len(outcome.errors))
        passed = str(len(r[label].passed())) if label in r else "-"
        lines.append(f"{label:12}{outcome.collected:>10}{errors:>8}{passed:>8}")
    for label, outcome in c.items():
        if outcome.exit_code == 3:  # pytest's INTERNALERROR, e.g. a SystemExit raised while collecting
            lines.append(f"{label}: plain pytest ended with INTERNALERROR (exit 3); counts are up to that point")
    lines.append(f"recovery   {c['after'].collected}/{c['intact'].collected} = {result.recovery:.3f}")
    lines.append(f"retention  {len(result.kept)}/{len(result.baseline)} = {result.retention:.3f}"
                 f"  (target {TARGET}; excused: {len(result.excused)} fail under the reference repair too)")
    for error in c["after"].errors:
        lines.append(f"collection error after: {error['nodeid']}: {error['message']}")
    for path, names in by_file(result.excused).items():
        lines.append(f"excused {path}: {', '.join(names)}")
    lost = result.baseline - result.kept
    if lost:
        lines.append(f"lost ({len(lost)}):")
        for path, names in by_file(lost).items():
            reasons = {name: why_not_passed(f"{path}::{name}", r["after"], c["after"]) for name in names}
            if len(names) > 3 and len(set(reasons.values())) == 1:
                lines.append(f"  {path}: {len(names)} tests, all {reasons[names[0]]}")
                lines.append(f"    {', '.join(names)}")
                continue
            lines.append(f"  {path}")
            lines.extend(f"    {name}  {reason}" for name, reason in reasons.items())
    for problem in result.unsound:
        lines.append(f"UNSOUND: {problem}")
    return "\n".join(lines)


def summary(result: Result) -> dict[str, object]:
    c = result.collected
    return {
        "project": result.spec.name, "version": result.spec.version,
        "collected": {label: c[label].collected for label in c},
        "collection_errors": {label: (None if c[label].aborted else len(c[label].errors)) for label in c},
        "passed": {label: len(o.passed()) for label, o in result.ran.items()},
        "recovery": round(result.recovery, 4), "retention": round(result.retention, 4),
        "lost": sorted(result.baseline - result.kept), "excused": sorted(result.excused),
        "collect_fix_exit": result.collect_fix_exit,
        "collect_fix_seconds": round(result.collect_fix_seconds, 1),
        "unsound": result.unsound, "ok": result.ok,
    }


def default_collect_fix() -> str:
    local = REPO / ".venv" / "bin" / "collect-fix"
    if local.exists():
        return str(local)
    return shutil.which("collect-fix") or str(local)


def default_python() -> str:
    return shutil.which("python3.11") or sys.executable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--project", action="append", default=[], metavar="NAME",
                        help="measure this project only (repeatable); default: every spec in bench/retention/")
    parser.add_argument("--keep", action="store_true", help="leave the work trees (intact, damaged, reference, after)")
    parser.add_argument("--collect-fix", default=default_collect_fix(), metavar="CMD",
                        help="the collect-fix command (default: %(default)s)")
    parser.add_argument("--python", default=default_python(), metavar="PATH",
                        help="interpreter the project venvs are made from (default: %(default)s)")
    parser.add_argument("--work", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "collect-fix-retention",
                        help="downloads, venvs, trees and results (default: %(default)s)")
    args = parser.parse_args(argv)
    work: Path = args.work.resolve()
    collect_fix = shlex.split(args.collect_fix)
    results = []
    status = 0
    version = run([*collect_fix, "--version"])
    print(f"collect-fix: {shlex.join(collect_fix)} ({(version.stdout or version.stderr).strip()})\n", flush=True)
    for spec in load_specs(args.project):
        try:
            result = measure(spec, work, args.python, collect_fix, args.keep)
        except (ToolError, SpecError, subprocess.TimeoutExpired) as error:
            print(f"== {spec.name} {spec.version} ==\nUNSOUND: {error}\n", flush=True)
            status = 2
            continue
        results.append(result)
        print(report(result) + "\n", flush=True)
        if result.unsound:
            status = 2
        elif not result.ok and status == 0:
            status = 1
    (work / "results").mkdir(parents=True, exist_ok=True)
    (work / "results" / "summary.json").write_text(
        json.dumps([summary(result) for result in results], indent=2), encoding="utf-8")
    for result in results:
        print(f"{result.spec.name:16} recovery {result.recovery:.3f}  retention {result.retention:.3f}  "
              f"collection errors after {len(result.collected['after'].errors)}  "
              f"{'ok' if result.ok else 'BELOW TARGET' if not result.unsound else 'UNSOUND'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
