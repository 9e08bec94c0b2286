"""The data that flows through the pipeline, all in one place.

collector -> Collection (of CollectionError records) -> diagnosis -> Diagnosis
-> planners -> Plan (ordered Repair alternatives) -> applying -> Outcome -> Report.
Everything here is a frozen, picklable dataclass so steps can run in other processes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional


class Category(str, enum.Enum):
    """Why a file failed to collect. The value is what reports and JSON print."""

    SYS_EXIT = "sys_exit"  # SystemExit raised at import time (sys.exit, exit, quit, raise SystemExit)
    PROCESS_EXIT = "process_exit"  # the collecting process died (os._exit) while importing a file
    MISSING_MODULE = "missing_module"  # ModuleNotFoundError for a module of the project itself
    MISSING_DEPENDENCY = "missing_dependency"  # ModuleNotFoundError for a third-party module
    MISSING_NAME = "missing_name"  # cannot import name / module has no attribute
    UNDEFINED_NAME = "undefined_name"  # NameError at import time
    SYNTAX_ERROR = "syntax_error"
    CONFTEST = "conftest"  # a conftest failed for a reason with no finer category
    IMPORT_MISMATCH = "import_mismatch"  # two test files with one basename, no packages
    UNKNOWN_MARKER = "unknown_marker"  # --strict-markers and an unregistered marker
    PROJECT_NOT_IMPORTABLE = "project_not_importable"  # src/ layout package not on sys.path
    CIRCULAR_IMPORT = "circular_import"
    CLASS_CREATION = "class_creation"  # MRO conflicts and other TypeErrors building a class
    MISSING_PLUGIN = "missing_plugin"  # pytest_plugins / -p names a plugin that is not there
    TIMEOUT = "timeout"  # collection did not finish in time
    OTHER = "other"


@dataclass(frozen=True)
class Frame:
    """One traceback frame; ``path`` is absolute, ``in_project`` is under the project root."""

    path: str
    line: int
    function: str
    in_project: bool


@dataclass(frozen=True)
class CollectionError:
    """One failed collector as the probe saw it, taken from the exception object.

    ``exc_type`` is the innermost cause (CollectError / ConftestImportFailure unwrapped);
    ``attrs`` holds that exception's structured attributes (``name``, ``path``, ``lineno``,
    ``obj_module``, ``offset``, ``import_from`` ...). ``path`` is the collector's file.
    """

    nodeid: str
    path: Optional[str]
    exc_type: str
    message: str
    phase: str = "collect"  # collect | initial_conftest | process | session
    attrs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    frames: tuple[Frame, ...] = ()
    wrapper: Optional[str] = None  # e.g. "ConftestImportFailure" when a conftest was the importer
    longrepr: str = ""


def distinct_errors(errors: Iterable[CollectionError]) -> list[CollectionError]:
    """``errors`` without repeats (the same file, type, message and node), in their order."""
    seen: set[tuple[Optional[str], str, str, str]] = set()
    unique = []
    for error in errors:
        identity = (error.path, error.exc_type, error.message, error.nodeid)
        if identity not in seen:
            seen.add(identity)
            unique.append(error)
    return unique


@dataclass(frozen=True)
class PytestSettings:
    """What pytest ran with once configured (the ini file, ``-o``, addopts, ``PYTEST_ADDOPTS``,
    ``--pytest-args``, a conftest's ``pytest_configure``), as the probe read it off pytest's own
    config: which files pytest imports by their path, as test modules or for doctests."""

    python_files: tuple[str, ...]
    doctest_modules: bool


@dataclass(frozen=True)
class Collection:
    """What one ``pytest --collect-only`` run produced. Every number is pytest's own."""

    tests: int
    errors: tuple[CollectionError, ...]
    tests_per_file: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    skipped_files: tuple[str, ...] = ()  # collectors pytest reported as skipped
    # Skipped file -> the project file whose code raised the skip (itself, or a module it imports).
    skip_origins: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # Import failures a test module caught before it exited or skipped (phase "masked"): not
    # collection errors (pytest reports none for them), but the causes behind those that were.
    masked: tuple[CollectionError, ...] = ()
    exit_code: int = 0
    completed: bool = True  # False when the process died or timed out before the end
    stderr_tail: str = ""
    python_version: str = ""  # the collecting interpreter's version, as the probe reported it
    pytest_version: str = ""
    rootdir: str = ""  # pytest's rootdir (absolute), so a partial collection can use the same one
    # The configuration file pytest read (absolute), which configuration repairs edit; "" when it
    # read none, None when it stopped before saying (the probe's start record is missing).
    inifile: Optional[str] = None
    # 0: a full collection; else how many paths a partial one collected again (merged into the rest).
    recollected: int = 0
    # Every Python file pytest collected (began to), with or without tests: what it would collect again.
    modules: frozenset[str] = field(default_factory=frozenset, hash=False, compare=False)
    settings: Optional[PytestSettings] = None  # None: the probe's start record did not say


@dataclass(frozen=True)
class Diagnosis:
    """A collection error, classified. ``path`` is relative to the project root."""

    category: Category
    path: Optional[str]
    line: Optional[int]
    summary: str
    subject: Optional[str] = None  # the missing / undefined name, the marker, the exit call
    module: Optional[str] = None  # the module involved (missing module, module lacking a name)
    error: Optional[CollectionError] = field(default=None, compare=False)
    notes: tuple[str, ...] = ()
    # A cause a test module caught before it exited or skipped: no collection error of its own,
    # so never counted as one, but repaired like one (see Collection.masked).
    masked: bool = False

    @property
    def key(self) -> tuple[str, Optional[str], Optional[str], Optional[str]]:
        """One diagnosis per cause: what plans, outcomes and reports are keyed by."""
        return (self.category.value, self.path, self.subject, self.module)

    @property
    def identity(self) -> tuple[Optional[str], str, Optional[str], Optional[str]]:
        """What tells whether this error is still there after a repair: the file, the exception
        type and the name involved, not the category (a repair that only relabels an error, say a
        missing module into one that exists but is not importable, has not repaired it)."""
        kind = self.error.exc_type if self.error is not None and self.error.exc_type else self.category.value
        return (self.path, kind, self.subject, self.module)


@dataclass(frozen=True)
class Edit:
    """One file change: run ``transform`` (a codemod or config-edit key) on ``path``.

    ``path`` is relative to the project root; a path that does not exist yet is created from an
    empty source. ``args`` are the transform's keyword arguments.
    """

    path: str
    transform: str
    args: tuple[tuple[str, Any], ...] = ()

    def kwargs(self) -> dict[str, Any]:
        return dict(self.args)


@dataclass(frozen=True)
class Repair:
    """One way to fix a diagnosis. ``evidence`` says what decided it, for the report.

    ``requires_clean``: the repaired file must then collect without any error (used by repairs
    that stop a module, where a later error means the next alternative should be tried).
    """

    description: str
    edits: tuple[Edit, ...]
    # Not part of the repair's identity: the same edits found again after another repair moved
    # the lines the evidence cites are the same attempt, not a new one to try.
    evidence: str = field(default="", compare=False)
    requires_clean: bool = False


@dataclass(frozen=True)
class Plan:
    """Ordered alternatives for one diagnosis; the first that verifies is kept.

    No alternatives means the diagnosis is reported, with ``advice`` saying what to do.
    """

    diagnosis: Diagnosis
    alternatives: tuple[Repair, ...] = ()
    advice: str = ""
    # The alternatives are equally likely (two possible successors of a renamed name): with
    # --run-tests, the one under which more of the affected tests pass is tried (api).
    choose_by_tests: bool = False


class Status(str, enum.Enum):
    REPAIRED = "repaired"
    REVERTED = "reverted"  # applied, then undone because re-collection did not confirm it
    SKIPPED = "skipped"  # no repair applies; reported with advice
    FAILED = "failed"  # the repair itself could not be computed (codemod error)


@dataclass(frozen=True)
class Outcome:
    diagnosis: Diagnosis
    status: Status
    repair: Optional[Repair] = None
    reason: str = ""
    files: tuple[str, ...] = ()
    # Alternatives tried before this one and undone, as "description: why it was not kept".
    earlier: tuple[str, ...] = ()


@dataclass(frozen=True)
class TestOutcomes:
    """How the tests of some files ended. Counts are per test, as pytest's summary counts them."""

    passed: int = 0
    failed: int = 0
    skipped: int = 0
    on_stubs: tuple[str, ...] = ()  # failing tests whose failure is a collect-fix stub being used
    note: str = ""  # why the counts are incomplete (a timeout), else ""

    def __add__(self, other: "TestOutcomes") -> "TestOutcomes":
        return TestOutcomes(
            self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped,
            self.on_stubs + other.on_stubs, self.note or other.note,
        )


@dataclass(frozen=True)
class RepairTests:
    """``--run-tests``: how the tests of the files one kept repair made collect ended."""

    repair: str  # the repair's description
    files: tuple[str, ...]
    outcomes: TestOutcomes


@dataclass(frozen=True)
class Options:
    """Everything a run needs; built once by the CLI (and config), read everywhere else."""

    root: Path
    apply: bool = False
    python: Optional[str] = None
    timeout: float = 300.0
    max_rounds: int = 10
    rewrite_imports: bool = False  # rename/move repairs edit the importing tests, not the source
    skip_missing_deps: bool = False
    pytest_args: tuple[str, ...] = ()
    run_tests: bool = False  # after the loop, run the tests of the files whose collection was repaired


@dataclass(frozen=True)
class Report:
    before: Collection
    after: Collection
    outcomes: tuple[Outcome, ...]
    remaining: tuple[Plan, ...]
    diff: str
    files_changed: tuple[str, ...]
    stubs: tuple[str, ...] = ()  # "path:line: text" of every collect-fix marker left in the tree
    applied: bool = False
    warnings: tuple[str, ...] = ()
    # Diagnosed when each collection was made (the tree changes afterwards).
    before_diagnoses: tuple[Diagnosis, ...] = ()
    after_diagnoses: tuple[Diagnosis, ...] = ()
    install_command: str = ""  # one line that installs every missing third-party dependency
    python: str = ""  # the interpreter that ran pytest (the project's own, or --python)
    # What "collected before" means for the verifier: the first collection, or when that one
    # ended early, a second one without what ended it. Said in the report.
    baseline: str = "the first collection"
    # Import failures test modules caught before they exited or skipped, as first collected.
    causes: tuple[Diagnosis, ...] = ()
    tests: tuple[RepairTests, ...] = ()  # --run-tests: per kept repair, how its files' tests ended
    replayed: bool = False  # --apply wrote what a dry run of the same tree verified, then checked it
