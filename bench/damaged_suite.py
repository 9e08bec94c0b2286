"""A test suite damaged the way a refactor leaves one: the package changed consistently, the tests not.

``generate(root, tests)`` writes a git repository under ``root``: a package ``acme`` under ``src/``
(importable through ``pythonpath = ["src"]`` in pyproject's ``[tool.pytest.ini_options]``) and a
test suite of about ``tests`` tests that mirrors it (``tests/<subpackage>/<module>/``, one conftest
per module directory). The first commit is the intact project; the second is the refactor that
damaged it (renames, moves, a deleted module, dropped imports), so ``git log`` knows what changed,
as it would in a real project. Same ``tests``, same bytes, same commit hashes: nothing depends on
the clock or on the machine.

Self-similar across sizes: about 300 tests per module and 30 per test file, so 3,000 tests make
~100 test files over 10 modules and 30,000 make ~1,000 test files over 100 modules. Faults per
3,000 tests (``FAULTS_PER_3000``, scaled with the size), each a real refactor's damage:

- ``exit_guard_renamed``: a test file wraps the import of a name the refactor renamed in
  ``try/except ImportError: print(...); sys.exit(1)`` (the cause is repairable);
- ``exit_guard_third_party``: the same guard around a missing third-party package (not repairable;
  the exit is);
- ``renamed``: a function or constant renamed in its module, tests import the old name (alias);
- ``moved``: a helper moved to another module, tests import it from the old one (re-export);
- ``deleted_module``: a module only tests imported, deleted (stub module);
- ``never_written``: tests import a name nobody wrote yet: class, function, decorator, constant (stub);
- ``undefined_name``: a leaf module lost an import it uses at import time (``Optional``,
  ``defaultdict``, ``field``, ``Iterable``), so every test of that module fails;
- ``missing_dependency``: a test file imports a third-party package that is not installed (reported,
  never repaired: these stay collection errors);
- ``unknown_marker``: tests use markers the configuration does not register, under ``--strict-markers``.

Exactly one of each of these at every size: a nested conftest importing a renamed class
(``conftest``), and one 6,000-line test file (many test classes and functions) that holds one of
the ``exit_guard_renamed`` faults.

    python bench/damaged_suite.py DIR [--tests 3000]   # write one suite, print what it holds
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

FAULTS_PER_3000 = {
    "exit_guard_renamed": 5,
    "exit_guard_third_party": 3,
    "renamed": 9,
    "moved": 6,
    "deleted_module": 3,
    "never_written": 5,
    "undefined_name": 2,
    "missing_dependency": 3,
    "unknown_marker": 4,
}
LARGE_FILE_LINES = 6_000
TESTS_PER_MODULE = 300
TESTS_PER_FILE = 29  # written: 22 to 34 aimed at, a parametrization may add a few
PACKAGE = "acme"

SUBPACKAGES = {
    "billing": ["invoice", "ledger", "refund", "receipt", "coupon", "discount", "statement", "charge", "credit", "payout"],
    "catalog": ["product", "variant", "listing", "bundle", "brand", "review", "category", "price", "image", "badge"],
    "shipping": ["parcel", "carrier", "route", "label", "depot", "manifest", "shipment", "tracker", "pallet", "courier"],
    "accounts": ["account", "profile", "session", "token", "role", "invite", "contact", "address", "avatar", "preference"],
    "inventory": ["stock", "warehouse", "batch", "supplier", "lot", "bin", "reorder", "transfer", "tally", "sku"],
    "reports": ["report", "chart", "metric", "digest", "export", "summary", "dashboard", "widget", "filter", "schedule"],
    "payments": ["payment", "wallet", "card", "mandate", "dispute", "chargeback", "settlement", "fee", "payee", "gateway"],
    "search": ["query", "index", "facet", "synonym", "ranking", "snippet", "crawler", "suggestion", "spelling", "shard"],
    "notify": ["message", "template", "channel", "alert", "subscriber", "webhook", "notice", "beacon", "bounce", "email"],
    "auth": ["policy", "grant", "scope", "secret", "credential", "login", "permission", "audit", "device", "tenant"],
}
# Third-party modules that tests import and that must not be installed (the bench checks).
THIRD_PARTY = ["redis", "boto3", "pandas", "lxml", "sqlalchemy", "httpx", "numpy", "msgpack", "psycopg2",
               "paramiko", "docker", "zmq", "kafka", "nacl", "ujson"]
DISTRIBUTIONS = {"psycopg2": "psycopg2-binary", "zmq": "pyzmq", "kafka": "kafka-python", "nacl": "PyNaCl"}
# Half of them are declared in [project] dependencies (by distribution name), as projects forget some.
DECLARED = sorted(DISTRIBUTIONS.get(module, module) for module in THIRD_PARTY[::2])
MARKERS = [first + second for second in ("", "_heavy", "_v2", "_slow") for first in
           ("integration", "network", "database", "filesystem", "gpu", "cloud", "legacy", "nightly", "smoke", "contract")]
UNDEFINED = ["Optional", "defaultdict", "field", "Iterable"]
RENAMABLE = ["parse", "format", "validate", "totals", "merge", "normalize", "checksum", "limit"]
MOVABLE = ["normalize", "checksum"]  # helpers the module itself never calls, so moving them breaks importers only
STABLE_IN_TESTS = ["store", "parse", "format", "validate", "totals", "merge", "normalize", "checksum", "limit"]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Acme Developer", "GIT_AUTHOR_EMAIL": "dev@acme.invalid",
    "GIT_COMMITTER_NAME": "Acme Developer", "GIT_COMMITTER_EMAIL": "dev@acme.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
}


def plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


@dataclass
class Module:
    """One source module of the package and what the refactor did to it."""

    sub: str
    noun: str
    index: int
    core: Optional[Module]  # the subpackage's first module, whose record class this one uses
    renamed: dict[str, str] = field(default_factory=dict)  # slot -> new name
    moved_out: dict[str, Module] = field(default_factory=dict)  # slot -> module it moved to
    moved_in: list[tuple[str, Module]] = field(default_factory=list)  # (slot, module it came from)
    dropped: Optional[str] = None  # the import the refactor lost (undefined_name)
    compat_deleted: bool = False
    test_files: list[TestFile] = field(default_factory=list)

    @property
    def cap(self) -> str:
        return self.noun.capitalize()

    @property
    def dotted(self) -> str:
        return f"{PACKAGE}.{self.sub}.{self.noun}"

    @property
    def path(self) -> str:
        return f"src/{PACKAGE}/{self.sub}/{self.noun}.py"

    @property
    def test_dir(self) -> str:
        return f"tests/{self.sub}/{self.noun}"

    def name(self, slot: str) -> str:
        """The name a slot had before the refactor (the one the tests use)."""
        noun, cap = self.noun, self.cap
        return {
            "cls": cap, "store": f"{cap}Store", "parse": f"parse_{noun}", "format": f"format_{noun}",
            "validate": f"validate_{noun}", "totals": f"{noun}_totals", "merge": f"merge_{plural(noun)}",
            "normalize": f"normalize_{noun}_key", "checksum": f"{noun}_checksum", "limit": f"{noun.upper()}_LIMIT",
        }[slot]

    def new_name(self, slot: str, rng: random.Random) -> str:
        """What a rename calls the slot: a new word, or the old words with a few added."""
        noun, cap, many = self.noun, self.cap, plural(self.noun)
        choices = {
            "store": [f"{cap}Repository", f"{cap}StoreImpl"],
            "parse": [f"{noun}_from_text", f"parse_{noun}_text"],
            "format": [f"render_{noun}", f"format_{noun}_line"],
            "validate": [f"check_{noun}", f"validate_{noun}_fields"],
            "totals": [f"sum_{many}", f"{noun}_total"],
            "merge": [f"combine_{many}", f"merge_{many}_into"],
            "normalize": [f"canonical_{noun}_key", f"normalize_{noun}_keys"],
            "checksum": [f"{noun}_digest", f"{noun}_checksum_hex"],
            "limit": [f"MAX_{noun.upper()}_AMOUNT", f"{noun.upper()}_LIMIT_DEFAULT"],
        }[slot]
        return choices[0] if rng.random() < 0.6 else choices[1]

    def current(self, slot: str) -> str:
        return self.renamed.get(slot) or self.name(slot)

    def free_slots(self, slots: list[str]) -> list[str]:
        return [slot for slot in slots if slot not in self.renamed and slot not in self.moved_out]


@dataclass
class TestFile:
    """One test file: which module it tests, how many tests, which fault it carries."""

    module: Module
    path: str
    target: int  # tests to write
    slots: list[str] = field(default_factory=list)  # names of the module it imports and tests
    faulty: list[str] = field(default_factory=list)  # slots of its module renamed or moved by the refactor
    guard: Optional[tuple[str, str, str]] = None  # ("project", module, name) | ("third_party", package, "")
    guard_used_at_import: bool = False
    dependency: Optional[str] = None
    markers: list[str] = field(default_factory=list)
    never_written: Optional[tuple[str, str]] = None  # (kind, name)
    compat: bool = False  # imports the module's deleted compat module
    large: bool = False
    tests: int = 0  # written

    @property
    def has_fault(self) -> bool:
        return bool(self.faulty or self.guard or self.dependency or self.markers or self.never_written or self.compat)


@dataclass(frozen=True)
class Fault:
    kind: str
    where: str  # the file the refactor changed or the test file that carries it
    detail: str


@dataclass
class Suite:
    """What ``generate`` wrote: counts, faults, and the files a bench must treat specially."""

    root: Path
    tests: int
    test_files: int
    modules: int
    subpackages: int
    faults: list[Fault]
    session_enders: list[str]  # test files whose module-level exit ends a plain pytest session
    unrepairable: list[str]  # test files that stay collection errors (missing third-party packages)
    tests_in: dict[str, int]  # test file -> tests it defines
    large_file: str
    large_file_lines: int

    def faults_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for fault in self.faults:
            counts[fault.kind] = counts.get(fault.kind, 0) + 1
        return counts


def generate(root: Path, tests: int = 3_000) -> Suite:
    """Write the damaged suite of about ``tests`` tests under ``root`` (which must not exist)."""
    rng = random.Random(9_000 + tests)
    modules = _modules(tests)
    scale = tests / 3_000
    counts = {kind: max(1, round(count * scale)) for kind, count in FAULTS_PER_3000.items()}
    large_module = rng.choice(modules)
    large = TestFile(large_module, f"{large_module.test_dir}/test_{large_module.noun}_regressions.py", 0, large=True,
                     slots=["cls", "store", "parse", "format", "validate", "totals", "merge"])
    _add_test_files(modules, tests, rng)
    faults = _damage(modules, large, counts, rng)
    large_module.test_files.append(large)
    root.mkdir(parents=True)
    _write_project(root, modules, damaged=False)
    for module in modules:
        _write(root / module.test_dir / "conftest.py", _module_conftest(module))
        for test_file in module.test_files:
            _write(root / test_file.path, _render_test_file(test_file, rng))
    _write(root / "tests/conftest.py", TOP_CONFTEST)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "acme 1.3: billing, catalog and friends", date="2024-03-01T10:00:00+00:00")
    _write_project(root, modules, damaged=True)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "Refactor: clearer names, shared helpers, drop compat modules",
         date="2024-04-02T15:30:00+00:00")

    test_files = [test_file for module in modules for test_file in module.test_files]
    return Suite(
        root=root,
        tests=sum(test_file.tests for test_file in test_files),
        test_files=len(test_files),
        modules=len(modules),
        subpackages=len({module.sub for module in modules}),
        faults=faults,
        session_enders=sorted(test_file.path for test_file in test_files if test_file.guard),
        unrepairable=sorted(test_file.path for test_file in test_files if test_file.dependency),
        tests_in={test_file.path: test_file.tests for test_file in test_files},
        large_file=large.path,
        large_file_lines=(root / large.path).read_text(encoding="utf-8").count("\n"),
    )


# --- the plan: modules, test files, faults --------------------------------------------------------

def _modules(tests: int) -> list[Module]:
    count = min(100, max(4, round(tests / TESTS_PER_MODULE)))
    subs = max(2, min(len(SUBPACKAGES), round(count / 10)))
    per_sub = min(10, math.ceil(count / subs))
    modules: list[Module] = []
    for sub in list(SUBPACKAGES)[:subs]:
        core: Optional[Module] = None
        for index, noun in enumerate(SUBPACKAGES[sub][:per_sub]):
            module = Module(sub, noun, index, core)
            core = core or module
            modules.append(module)
    return modules


def _add_test_files(modules: list[Module], tests: int, rng: random.Random) -> None:
    large_tests = 430  # about what the 6,000-line file holds
    files = max(len(modules) * 3, round((tests - large_tests) / TESTS_PER_FILE))
    weights = [rng.uniform(0.6, 1.4) for _ in modules]
    shares = [max(3, round(files * weight / sum(weights))) for weight in weights]
    for module, share in zip(modules, shares):
        for number in range(1, share + 1):
            test_file = TestFile(module, f"{module.test_dir}/test_{module.noun}_{number}.py", rng.randint(22, 34))
            test_file.slots = ["cls"] + rng.sample(STABLE_IN_TESTS, rng.randint(3, 5))
            module.test_files.append(test_file)


def _damage(modules: list[Module], large: TestFile, counts: dict[str, int], rng: random.Random) -> list[Fault]:
    """Choose what the refactor breaks; one Fault per broken thing (a renamed name, a marker, ...)."""
    faults: list[Fault] = []
    leaves = [module for module in modules if module.core is not None and module is not large.module]
    conftest_module = rng.choice(leaves)

    def clean_files(module: Optional[Module] = None) -> list[TestFile]:
        return [test_file for each in ([module] if module else modules) for test_file in each.test_files
                if not test_file.has_fault]

    def module_with(slots: list[str]) -> Module:
        return rng.choice([module for module in modules if module.free_slots(slots) and clean_files(module)])

    def rename(module: Module, slots: list[str]) -> str:
        slot = rng.choice(module.free_slots(slots))
        module.renamed[slot] = module.new_name(slot, rng)
        return slot

    def files(test_files: list[TestFile]) -> str:
        return ", ".join(test_file.path for test_file in test_files)

    # The nested conftest failure: the class its fixture builds was renamed.
    conftest_module.renamed["store"] = conftest_module.new_name("store", rng)
    faults.append(Fault("conftest", f"{conftest_module.test_dir}/conftest.py",
                        f"imports {conftest_module.name('store')}, renamed {conftest_module.renamed['store']} "
                        f"in {conftest_module.path}"))
    for number in range(counts["exit_guard_renamed"]):
        module = large.module if number == 0 else module_with(RENAMABLE)
        slot = rename(module, RENAMABLE)
        test_file = large if number == 0 else rng.choice(clean_files(module))
        test_file.guard = ("project", module.dotted, module.name(slot))
        test_file.guard_used_at_import = not test_file.large and rng.random() < 0.35
        where = f" (the {LARGE_FILE_LINES:,}-line file)" if test_file.large else ""
        faults.append(Fault("exit_guard_renamed", test_file.path,
                            f"sys.exit(1) when {module.name(slot)} (renamed {module.renamed[slot]}) fails to import{where}"))
    for number in range(counts["exit_guard_third_party"]):
        test_file = rng.choice(clean_files())
        package = THIRD_PARTY[number % len(THIRD_PARTY)]
        test_file.guard = ("third_party", package, "")
        faults.append(Fault("exit_guard_third_party", test_file.path, f"sys.exit(1) when {package} is missing"))
    for _ in range(counts["renamed"]):
        module = module_with(RENAMABLE)
        slot = rename(module, RENAMABLE)
        pool = clean_files(module)
        importers = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2))))
        for test_file in importers:
            test_file.faulty.append(slot)
        faults.append(Fault("renamed", module.path, f"{module.name(slot)} -> {module.renamed[slot]}; "
                                                    f"imported by {files(importers)}"))
    for _ in range(counts["moved"]):
        module = module_with(MOVABLE)
        slot = rng.choice(module.free_slots(MOVABLE))
        target = rng.choice([each for each in modules if each is not module])
        module.moved_out[slot] = target
        target.moved_in.append((slot, module))
        test_file = rng.choice(clean_files(module))
        test_file.faulty.append(slot)
        faults.append(Fault("moved", module.path, f"{module.name(slot)} moved to {target.path}; "
                                                  f"imported by {test_file.path}"))
    for module in rng.sample([each for each in modules if clean_files(each)], counts["deleted_module"]):
        module.compat_deleted = True
        test_file = rng.choice(clean_files(module))
        test_file.compat = True
        faults.append(Fault("deleted_module", f"src/{PACKAGE}/{module.sub}/{module.noun}_compat.py",
                            f"deleted; imported by {test_file.path}"))
    used_never: set[str] = set()
    for number in range(counts["never_written"]):
        test_file = rng.choice(clean_files())
        kind = ("class", "function", "decorator", "constant")[number % 4]
        test_file.never_written = (kind, _never_written_name(test_file.module, kind, rng, used_never))
        faults.append(Fault("never_written", test_file.path, f"imports {kind} {test_file.never_written[1]}, "
                                                             "written nowhere"))
    spare = [module for module in leaves if module is not conftest_module]
    for number, module in enumerate(rng.sample(spare, min(len(spare), counts["undefined_name"]))):
        module.dropped = UNDEFINED[number % len(UNDEFINED)]
        faults.append(Fault("undefined_name", module.path, f"uses {module.dropped} without importing it; "
                                                           f"all {len(module.test_files)} test files of the module fail"))
    for number in range(counts["missing_dependency"]):
        test_file = rng.choice(clean_files())
        test_file.dependency = THIRD_PARTY[(number + 5) % len(THIRD_PARTY)]
        faults.append(Fault("missing_dependency", test_file.path, f"imports {test_file.dependency}, not installed"))
    for number in range(counts["unknown_marker"]):
        marker = MARKERS[number % len(MARKERS)]
        users = rng.sample(clean_files(), rng.choice((1, 1, 2)))
        for test_file in users:
            test_file.markers.append(marker)
        faults.append(Fault("unknown_marker", files(users), f"@pytest.mark.{marker}, not registered"))
    # Names the refactor broke are imported only by the files that carry the fault.
    for module in modules:
        for test_file in module.test_files + ([large] if module is large.module else []):
            test_file.slots = [slot for slot in test_file.slots if not module.renamed.get(slot)
                               and slot not in module.moved_out]
    return faults


def _never_written_name(module: Module, kind: str, rng: random.Random, used: set[str]) -> str:
    noun, cap, many = module.noun, module.cap, plural(module.noun)
    options = {
        "class": [f"{cap}{thing}" for thing in ("WebhookSigner", "QuotaTracker", "BackoffPolicy", "ReplayBuffer",
                                                 "AuditTrail", "ExportJob")],
        "function": [f"reconcile_{noun}_batches", f"replay_{noun}_events", f"export_{noun}_snapshot",
                     f"archive_stale_{many}", f"rebuild_{noun}_cache"],
        "decorator": [f"retry_{noun}_sync", f"with_{noun}_lock", f"traced_{noun}_call"],
        "constant": [f"{noun.upper()}_EXPORT_FORMATS", f"{noun.upper()}_RETENTION_DAYS"],
    }[kind]
    free = [name for name in options if name not in used] or options
    name = rng.choice(free)
    used.add(name)
    return name


# --- rendering: source ----------------------------------------------------------------------------

def _write_project(root: Path, modules: list[Module], damaged: bool) -> None:
    _write(root / "pyproject.toml", _pyproject(damaged))
    _write(root / ".gitignore", "__pycache__/\n*.pyc\n.pytest_cache/\n")
    _write(root / f"src/{PACKAGE}/__init__.py", '"""Acme: the shop back office."""\n\n__version__ = "1.4.0"\n')
    for sub in sorted({module.sub for module in modules}):
        _write(root / f"src/{PACKAGE}/{sub}/__init__.py", f'"""The {sub} service."""\n')
    for module in modules:
        _write(root / module.path, _render_module(module, damaged))
        compat = root / f"src/{PACKAGE}/{module.sub}/{module.noun}_compat.py"
        if damaged and module.compat_deleted:
            compat.unlink()
        elif not damaged:
            _write(compat, _render_compat(module))


def _pyproject(damaged: bool) -> str:
    dependencies = "".join(f'    "{package}",\n' for package in DECLARED)
    registered = '    "slow: tests that take more than a second",\n    "serial: tests that must not run in parallel",\n'
    # The refactor also turned on --strict-markers, which the markers the tests use were never registered for.
    addopts = 'addopts = "--strict-markers"\n' if damaged else ""
    return (
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "acme"\nversion = "1.4.0"\nrequires-python = ">=3.9"\n'
        f"dependencies = [\n{dependencies}]\n\n"
        '[project.optional-dependencies]\ntest = ["pytest>=8"]\n\n'
        '[tool.setuptools.packages.find]\nwhere = ["src"]\n\n'
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\npythonpath = ["src"]\n'
        f"{addopts}markers = [\n{registered}]\n"
    )


def _render_module(module: Module, damaged: bool) -> str:
    def name(slot: str) -> str:
        return module.current(slot) if damaged else module.name(slot)

    dropped = module.dropped if damaged else None
    cls, store, limit = name("cls"), name("store"), name("limit")
    typing_names = [each for each in ("Dict", "Iterable", "List", "Optional") if each != dropped]
    dataclass_names = [each for each in ("dataclass", "field") if each != dropped]
    lines = [
        f'"""{module.cap} records of the {module.sub} service: the record, a store and the helpers around them."""',
        "",
        "import hashlib",
        "import json",
    ]
    if dropped != "defaultdict":
        lines.append("from collections import defaultdict")
    lines += [f"from dataclasses import {', '.join(dataclass_names)}", f"from typing import {', '.join(typing_names)}"]
    parent = ""
    if module.core is not None:
        core_cls = module.core.current("cls") if damaged else module.core.name("cls")
        lines += ["", f"from {module.core.dotted} import {core_cls}"]
        parent = f"    parent: Optional[{core_cls}] = None\n"
    lines += ["", "", f"{limit} = {1_000 + 37 * module.index}", "_BY_TAG: Dict[str, List[str]] = defaultdict(list)", ""]
    text = "\n".join(lines) + f'''

@dataclass
class {cls}:
    """One {module.noun}: a key, an amount and free-form tags."""

    key: str
    amount: int = 0
    tags: List[str] = field(default_factory=list)
{parent}
    def total(self) -> int:
        return self.amount + sum(len(tag) for tag in self.tags)

    def to_json(self) -> str:
        return json.dumps({{"key": self.key, "amount": self.amount, "tags": self.tags}})


class {store}:
    """{module.cap} records by key."""

    def __init__(self) -> None:
        self._items: Dict[str, {cls}] = {{}}

    def add(self, item: {cls}) -> {cls}:
        self._items[item.key] = item
        for tag in item.tags:
            _BY_TAG[tag].append(item.key)
        return item

    def get(self, key: str) -> Optional[{cls}]:
        return self._items.get(key)

    def __len__(self) -> int:
        return len(self._items)


def {name("parse")}(text: str) -> {cls}:
    """``key: amount`` -> a {module.noun}."""
    key, _, amount = text.partition(":")
    return {cls}(key=key.strip(), amount=int(amount.strip() or 0))


def {name("format")}(item: {cls}) -> str:
    return f"{{item.key}}:{{item.amount}}"


def {name("validate")}(item: {cls}) -> bool:
    return bool(item.key) and 0 <= item.amount <= {limit}


def {name("totals")}(items: Iterable[{cls}]) -> int:
    return sum(item.total() for item in items)


def {name("merge")}(first: {cls}, second: {cls}) -> {cls}:
    return {cls}(key=first.key, amount=first.amount + second.amount, tags=first.tags + second.tags)
'''
    helpers = [(slot, module) for slot in MOVABLE if not (damaged and slot in module.moved_out)]
    if damaged:
        helpers += module.moved_in
    for slot, owner in helpers:
        text += "\n\n" + _helper(slot, owner.current(slot) if damaged else owner.name(slot), owner, owner is not module)
    return text


def _helper(slot: str, name: str, owner: Module, moved: bool) -> str:
    note = "    # Shared since the refactor: one place for the helpers every service used.\n" if moved else ""
    if slot == "normalize":
        return f'def {name}(key: str) -> str:\n{note}    return key.strip().lower().replace("{owner.noun}/", "")\n'
    return f'def {name}(text: str) -> str:\n{note}    return hashlib.sha1(b"{owner.noun}:" + text.encode()).hexdigest()[:8]\n'


def _render_compat(module: Module) -> str:
    cap, noun = module.cap, module.noun
    return f'''"""Entry points of acme 1.x, kept for callers that have not moved on."""

from {module.dotted} import {module.name("cls")}, {module.name("parse")}


def legacy_parse_{noun}(text: str) -> {module.name("cls")}:
    return {module.name("parse")}(text.replace(";", ":"))


class Legacy{cap}Reader:
    def __init__(self, lines):
        self.lines = list(lines)

    def read(self):
        return [legacy_parse_{noun}(line) for line in self.lines]
'''


# --- rendering: tests -----------------------------------------------------------------------------

TOP_CONFTEST = '''"""Fixtures every test directory shares."""

import pytest


@pytest.fixture
def sample_tags():
    return ["red", "green", "blue"]
'''


def _module_conftest(module: Module) -> str:
    return f'''import pytest

from {module.dotted} import {module.name("cls")}, {module.name("store")}


@pytest.fixture
def {module.noun}_store():
    store = {module.name("store")}()
    store.add({module.name("cls")}(key="seed", amount=1))
    return store
'''


def _case(module: Module, slot: str, number: int, name: Optional[str] = None) -> tuple[list[str], list[str], int]:
    """(decorator lines, body lines, tests it makes) of one test of ``slot``; ``name`` overrides its name."""
    cls = module.name("cls")
    n = name or (module.name(slot) if slot in STABLE_IN_TESTS or slot == "cls" else slot)
    i = number
    if slot == "cls":
        variant = number % 3
        if variant == 0:
            return [], [f'item = {cls}(key="k{i}")', "assert item.amount == 0", "assert item.tags == []"], 1
        if variant == 1:
            return [], [f'item = {cls}(key="k{i}", amount={i}, tags=["a", "bb"])', f"assert item.total() == {i + 3}"], 1
        return [], [f'item = {cls}(key="k{i}", amount={i})',
                    f'assert json.loads(item.to_json()) == {{"key": "k{i}", "amount": {i}, "tags": []}}'], 1
    if slot == "store":
        return [], [f"store = {n}()", f'store.add({cls}(key="k{i}", amount={i}))', "assert len(store) == 1",
                    f'assert store.get("k{i}").amount == {i}', 'assert store.get("missing") is None'], 1
    if slot == "parse":
        if number % 2:
            return ['@pytest.mark.parametrize("text, amount", [("a: 1", 1), ("b:' + str(i) + '", ' + str(i) + '), ("c: 0", 0)])'], \
                   [f"assert {n}(text).amount == amount"], 3
        return [], [f'item = {n}("k{i}: {i}")', f'assert item.key == "k{i}"', f"assert item.amount == {i}"], 1
    if slot == "format":
        return [], [f'assert {n}({cls}(key="k{i}", amount={i})) == "k{i}:{i}"'], 1
    if slot == "validate":
        if number % 2:
            return [f'@pytest.mark.parametrize("amount", [0, 1, {i % 90 + 2}, 99])'], \
                   [f'assert {n}({cls}(key="k", amount=amount))'], 4
        return [], [f'assert not {n}({cls}(key="", amount={i}))'], 1
    if slot == "totals":
        return [], [f'items = [{cls}(key="a", amount=1), {cls}(key="b", amount={i})]', f"assert {n}(items) == {i + 1}"], 1
    if slot == "merge":
        return [], [f'merged = {n}({cls}(key="a", amount=1, tags=["x"]), {cls}(key="b", amount={i}))',
                    'assert merged.key == "a"', f"assert merged.amount == {i + 1}", 'assert merged.tags == ["x"]'], 1
    if slot == "normalize":
        return [], [f'assert {n}("  K{i} ") == "k{i}"'], 1
    if slot == "checksum":
        return [], [f'assert {n}("k{i}") == {n}("k{i}")', f'assert len({n}("k{i}")) == 8'], 1
    if slot == "limit":
        return [], [f'assert {cls}(key="k", amount={n}).amount == {n}', f"assert {n} > {i % 100}"], 1
    raise ValueError(slot)


def _slot_of(module: Module, name: str) -> str:
    return next(slot for slot in ["cls", *STABLE_IN_TESTS] if module.name(slot) == name)


def _render_test_file(test_file: TestFile, rng: random.Random) -> str:
    """The file's text; sets ``test_file.tests``."""
    module = test_file.module
    if test_file.large:
        return _render_large_file(test_file, rng)
    header, uses = _header(test_file, rng)
    parts = [header]
    count = 0
    number = 0
    in_class = False
    class_at = rng.randint(6, 12)
    class_end = class_at + rng.randint(6, 10)
    while count < test_file.target:
        kind, name = uses[number % len(uses)]
        decorators, body, made = _use(module, kind, name, number)
        if number == class_at:
            parts.append(f"\n\nclass Test{module.cap}Behaviour{number}:")
            in_class = True
        if number == class_end:
            in_class = False
        indent = "    " if in_class else ""
        marker = test_file.markers[number % len(test_file.markers)] if test_file.markers and number % 5 == 1 else None
        if marker:
            decorators = [f"@pytest.mark.{marker}", *decorators]
        elif number % 11 == 4:
            decorators = ["@pytest.mark.slow", *decorators]
        if kind == "decorator":
            decorators = [f"@{name}(times=3)", *decorators]
        args = _params(decorators)
        fixture_use = kind == "cls" and number % 4 == 3
        if fixture_use:
            args.append(f"{module.noun}_store")
            body = body + [f"assert {module.noun}_store.get(\"seed\").amount == 1"]
        signature = ", ".join((["self"] if in_class else []) + args)
        lines = ["", ""] if not in_class else ([] if number == class_at else [""])
        lines += [indent + decorator for decorator in decorators]
        lines.append(f"{indent}def test_{kind}_{number}({signature}):")
        lines += [f"{indent}    {line}" for line in body]
        parts.append("\n".join(lines))
        count += made
        number += 1
    test_file.tests = count
    return "\n".join(parts) + "\n"


def _params(decorators: list[str]) -> list[str]:
    for decorator in decorators:
        if decorator.startswith("@pytest.mark.parametrize("):
            return [arg.strip() for arg in decorator.split('"')[1].split(",")]
    return []


def _header(test_file: TestFile, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """Imports (and the exit guard) of a test file; the (kind, name) pairs its tests use in turn."""
    module = test_file.module
    names = sorted({module.name(slot) for slot in test_file.slots})
    uses: list[tuple[str, str]] = [(_slot_of(module, name), name) for name in names]
    lines = [f'"""Tests for {module.dotted}."""', ""]
    needs_sys = test_file.guard is not None and rng.random() < 0.85
    lines += ["import json"] + (["import sys"] if needs_sys else []) + [""]
    if test_file.dependency:
        lines += [f"import {test_file.dependency}"]
    lines += ["import pytest", ""]
    imported: dict[str, list[str]] = {module.dotted: list(names)}
    for slot in test_file.faulty:
        imported[module.dotted].append(module.name(slot))
        uses += [(slot, module.name(slot))] * 2
    if test_file.never_written:
        kind, name = test_file.never_written
        imported[module.dotted].append(name)
        uses.append((kind, name))
    if test_file.compat:
        imported[f"{module.dotted}_compat"] = [f"Legacy{module.cap}Reader", f"legacy_parse_{module.noun}"]
        uses += [("compat_reader", f"Legacy{module.cap}Reader"), ("compat_parse", f"legacy_parse_{module.noun}")]
    for dotted in sorted(imported):
        lines.append(f"from {dotted} import {', '.join(sorted(set(imported[dotted])))}")
    if test_file.dependency:
        uses.append(("dependency", test_file.dependency))
    exit_line = "sys.exit(1)" if needs_sys else "raise SystemExit(1)"
    if test_file.guard and test_file.guard[0] == "project":
        _, dotted, name = test_file.guard
        what = name.replace("_", " ")
        lines += ["", "try:", f"    from {dotted} import {name}", "except ImportError as error:",
                  f'    print(f"{what} is not available, these tests cannot run: {{error}}")', f"    {exit_line}"]
        uses += [(_slot_of(module, name), name)] * 2
        if test_file.guard_used_at_import:
            lines += ["", f"GUARDED = {name}"]
    elif test_file.guard:
        package = test_file.guard[1]
        lines += ["", "try:", f"    import {package}", "except ImportError:",
                  f'    print("{package} is required for these tests: pip install {package}")', f"    {exit_line}"]
        uses.append(("dependency", package))
    return "\n".join(lines), uses


def _use(module: Module, kind: str, name: str, number: int) -> tuple[list[str], list[str], int]:
    cls = module.name("cls")
    if kind == "class":
        return [], [f"tool = {name}(limit={number})", f'assert tool.apply({cls}(key="k{number}")) is not None'], 1
    if kind == "function":
        return [], [f'assert {name}([{cls}(key="k{number}")]) == []'], 1
    if kind == "decorator":
        return [], [f'assert {cls}(key="k{number}").amount == 0'], 1
    if kind == "constant":
        return [], [f'assert "csv" in {name}'], 1
    if kind == "compat_reader":
        return [], [f'reader = {name}(["a; 1", "b; {number}"])', "assert len(reader.read()) == 2"], 1
    if kind == "compat_parse":
        return [], [f'assert {name}("a; {number}").amount == {number}'], 1
    if kind == "dependency":
        return [], [f'assert {name}.__name__ == "{name}"'], 1
    return _case(module, kind, number, name)


def _render_large_file(test_file: TestFile, rng: random.Random) -> str:
    """A legacy regression file of about LARGE_FILE_LINES lines: test classes, functions, a data table."""
    module = test_file.module
    header, uses = _header(test_file, rng)
    cls = module.name("cls")
    parts = [header, "", "", "_SAMPLES = ["]
    parts += [f'    ("k{index}", {index * 7 % 97}),' for index in range(60)]
    parts += ["]", "", "",
              f'def _make(count, prefix="r"):\n    return [{cls}(key=f"{{prefix}}{{index}}", amount=index) for index in range(count)]']
    lines = sum(part.count("\n") + 1 for part in parts)
    count, number, group = 0, 0, 0
    while lines < LARGE_FILE_LINES:
        group += 1
        block: list[str] = []
        in_class = group % 3 != 0
        if in_class:
            block += ["", "", f"class TestRegression{group:03}:",
                      f'    """Regressions reported against {module.dotted}, batch {group}."""']
        for _ in range(rng.randint(6, 10) if in_class else rng.randint(2, 4)):
            used = [uses[(number + step) % len(uses)] for step in (0, 3, 5)]
            decorators: list[str] = []
            body: list[str] = []
            made = 1
            for position, (kind, name) in enumerate(used):
                # Even numbers: the variants without a parametrization; one per test at most, below.
                _, lines_of_use, _ = _use(module, kind, name, 2 * (number + position))
                body += lines_of_use
            if number % 17 == 5:
                decorators = ['@pytest.mark.parametrize("key, amount", _SAMPLES[:5])']
                body = [f"item = {cls}(key=key, amount=amount)", "assert item.key == key"] + body
                made = 5
            elif number % 13 == 7:
                decorators = ["@pytest.mark.slow"]
            indent = "    " if in_class else ""
            block += [""] if in_class else ["", ""]
            block += [indent + decorator for decorator in decorators]
            args = (["self"] if in_class else []) + _params(decorators)
            block.append(f"{indent}def test_regression_{number}({', '.join(args)}):")
            block.append(f'{indent}    """Issue #{1_000 + number}: {used[0][1]} and {used[1][1]} stay consistent."""')
            block.append(f"{indent}    batch = _make({number % 7 + 2})")
            block.append(f"{indent}    assert len(batch) == {number % 7 + 2}")
            block += [f"{indent}    {line}" for line in body]
            block.append(f"{indent}    assert all(item.amount >= 0 for item in batch)")
            count += made
            number += 1
        parts.append("\n".join(block))
        lines += len(block)
    test_file.tests = count
    return "\n".join(parts) + "\n"


# --- files and git ----------------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _git(root: Path, *args: str, date: str = "") -> None:
    env = dict(os.environ, **GIT_ENV)
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=root, env=env, check=True,
                   capture_output=True, timeout=300)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="where to write the suite (must not exist)")
    parser.add_argument("--tests", type=int, default=3_000, help="about how many tests [3000]")
    args = parser.parse_args(argv)
    suite = generate(args.directory, args.tests)
    print(describe(suite))
    for path in suite.session_enders:
        print(f"  ends the session: {path}")
    for path in suite.unrepairable:
        print(f"  stays an error:   {path}")
    return 0


def describe(suite: Suite) -> str:
    kinds = ", ".join(f"{kind} {count}" for kind, count in suite.faults_by_kind().items())
    return (f"{suite.tests:,} tests in {suite.test_files:,} test files over {suite.modules} modules "
            f"({suite.subpackages} subpackages); {len(suite.faults)} faults: {kinds}; "
            f"{suite.large_file} has {suite.large_file_lines:,} lines")


if __name__ == "__main__":
    sys.exit(main())
