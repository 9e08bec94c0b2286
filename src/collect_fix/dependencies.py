"""Missing third-party modules: which distribution provides them and whether the project asks for it.

A missing dependency is never stubbed: the fix is an install, so the report names the
distribution (``yaml`` is PyYAML, ``PIL`` is pillow), where the project declares it, and one
``<project interpreter> -m pip install`` line for all of them. The names come from the project:
its interpreter's installed metadata (asked in a subprocess: collect-fix's own environment is not
the project's) and its declared dependencies (``markdown_it`` is the ``markdown-it-py`` it declares).
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import tomlkit

from collect_fix import source_trees
from collect_fix.collector import find_interpreter
from collect_fix.project import EXCLUDED_DIRS, Project
from collect_fix.types import Diagnosis

# Import names whose distribution is named differently. The first distribution is the one to
# suggest; the others also provide the module, so a project declaring any of them has it.
KNOWN_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "PIL": ("pillow", "Pillow-SIMD"),
    "yaml": ("PyYAML",),
    "ruamel.yaml": ("ruamel.yaml",),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "bs4": ("beautifulsoup4",),
    "jwt": ("PyJWT",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "magic": ("python-magic",),
    "multipart": ("python-multipart",),
    "jose": ("python-jose",),
    "slugify": ("python-slugify",),
    "Crypto": ("pycryptodome",),
    "Cryptodome": ("pycryptodomex",),
    "OpenSSL": ("pyOpenSSL",),
    "serial": ("pyserial",),
    "usb": ("pyusb",),
    "zmq": ("pyzmq",),
    "git": ("GitPython",),
    "attr": ("attrs",),
    "google.protobuf": ("protobuf",),
    "MySQLdb": ("mysqlclient",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "fitz": ("PyMuPDF",),
    "win32api": ("pywin32",),
    "win32con": ("pywin32",),
    "Levenshtein": ("Levenshtein", "python-Levenshtein"),
    "telegram": ("python-telegram-bot",),
    "sentry_sdk": ("sentry-sdk",),
    "pkg_resources": ("setuptools",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "lxml": ("lxml",),
    "typing_extensions": ("typing-extensions",),
    "google.cloud.storage": ("google-cloud-storage",),
    "google.cloud.bigquery": ("google-cloud-bigquery",),
}

_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


@dataclass(frozen=True)
class MissingDependency:
    """``import_name`` is the module that failed; ``declared_in`` says where the project lists it."""

    import_name: str
    distribution: str
    declared_in: Optional[str]


def describe(project: Project, module: str, python: Optional[str] = None) -> MissingDependency:
    """The distribution that provides ``module`` and where (if anywhere) the project declares it.

    ``python`` is the project's interpreter (default: the one collect-fix would pick for it).
    A candidate the project declares wins; then a declared distribution named after the module
    (``markdown-it-py`` for ``markdown_it``, ``python-dateutil`` for ``dateutil``); then the first
    candidate (installed metadata, the well-known table, the name itself).
    """
    interpreter = python or find_interpreter(project.history_root or project.root)
    providers = distributions_for(module, installed_distributions(interpreter))
    declared = _declared_distributions(project.root)
    for provider in providers:
        found = declared.get(normalize(provider))
        if found:
            return MissingDependency(module, provider, ", ".join(found.places))
    named = _declared_by_name(module, declared)
    if named is not None:
        return MissingDependency(module, named.spelling, ", ".join(named.places))
    return MissingDependency(module, providers[0], None)


def describe_diagnosis(project: Project, diagnosis: Diagnosis, python: Optional[str] = None) -> MissingDependency:
    """``describe`` for a MISSING_DEPENDENCY diagnosis, looked up by the fullest name the failing
    import asks for: ``import google.protobuf`` fails on ``google``, but protobuf is what to install."""
    missing = diagnosis.module or diagnosis.subject or ""
    imported = _imported_name(project.root / diagnosis.path, diagnosis.line, missing) if diagnosis.path else None
    dep = describe(project, imported or missing, python)
    return MissingDependency(missing, dep.distribution, dep.declared_in)


def missing_beside(project: Project, diagnosis: Diagnosis, python: Optional[str] = None) -> tuple[str, ...]:
    """The other third-party modules the failing file imports unconditionally at its top level and
    the project's interpreter cannot find either, by the names the file imports: installing only
    the first would stop the file at the next. Empty when that cannot be told."""
    path = project.root / diagnosis.path if diagnosis.path else None
    tree = source_trees.tree_of_file(path) if path is not None else None
    failed = (diagnosis.module or diagnosis.subject or "").partition(".")[0]
    if tree is None or not failed:
        return ()
    under_failed: list[str] = []  # the names the file asks for under the missing top-level name
    if (diagnosis.module or diagnosis.subject) == failed:  # the whole top-level module is missing
        under_failed = [name for node in _running_imports(tree)
                        for name in _fullest_names(node, modules_too=False) if name.split(".")[0] == failed]
    interpreter = python or find_interpreter(project.history_root or project.root)
    return (*_other_distributions(project, diagnosis, under_failed, interpreter),
            *_absent(project, tree, interpreter, skip=failed))


def absent_at_import(project: Project, path: Path, python: Optional[str] = None) -> tuple[str, ...]:
    """The third-party modules ``path`` imports unconditionally at its top level that the
    project's interpreter cannot find: importing it fails. Empty when that cannot be told."""
    tree = source_trees.tree_of_file(path)
    if tree is None:
        return ()
    return _absent(project, tree, python or find_interpreter(project.history_root or project.root))


def _absent(project: Project, tree: ast.Module, interpreter: str, skip: str = "") -> tuple[str, ...]:
    """Of the third-party modules ``tree`` imports at its top level (``skip`` aside), by the
    fullest name it imports each under, those ``interpreter`` cannot find."""
    from collect_fix.name_sources import stdlib_module_names

    # Any file or folder of the tree may be importable while pytest runs (its rootdir, a
    # conftest's sys.path entry): a name spelled like one is never a package to install.
    local = {path.stem for path in project.python_files()} | {
        part for path in project.python_files() for part in project.relative(path).split("/")[:-1]}
    imported: dict[str, str] = {}  # top-level name -> the fullest name the file imports under it
    for node in _running_imports(tree):
        for name in _fullest_names(node):
            top = name.partition(".")[0]
            if top in (skip, "__future__") or top.startswith("__") or top in local:
                continue
            if top not in stdlib_module_names() and not project.owns_module(top):
                imported.setdefault(top, name)
    absent = _not_found(interpreter, str(project.root), tuple(sorted(imported))) if imported else ()
    return tuple(imported[top] for top in absent)


def _running_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    """The module's top-level statements up to one that may end it on purpose: what follows a
    module-level skip or exit may never run (a Windows-only import)."""
    for node in tree.body:
        if _may_end_the_module(node):
            return
        yield node


def _other_distributions(project: Project, diagnosis: Diagnosis, names: list[str], python: str) -> list[str]:
    """Of ``names`` under a top-level module that is not there at all (``google``), one per
    distribution other than the failing import's: ``from google.cloud import storage, bigquery``
    needs google-cloud-bigquery too."""
    if not names:
        return []
    seen = {normalize(describe_diagnosis(project, diagnosis, python).distribution)}
    found = []
    for name in names:
        distribution = normalize(describe(project, name, python).distribution)
        if distribution not in seen:
            seen.add(distribution)
            found.append(name)
    return found


_ENDING_CALLS = frozenset({"skip", "exit", "_exit", "importorskip", "fail", "xfail"})


def _may_end_the_module(statement: ast.stmt) -> bool:
    """Whether a top-level statement skips or exits the module on purpose (a ``pytest.skip`` for
    another platform): what follows may never run. A ``raise`` guards what is not supported at
    all (an old Python), and definitions run nothing."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    for node in ast.walk(statement):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in _ENDING_CALLS:
                return True
    return False


def _fullest_names(node: ast.stmt, modules_too: bool = True) -> list[str]:
    """The dotted names an absolute import statement asks for, fullest first per statement:
    ``from google.cloud import storage`` may ask for the module ``google.cloud.storage`` (then,
    with ``modules_too``, for ``google.cloud`` itself)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        names = [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
        return [*names, node.module] if modules_too or not names else names
    return []


_FIND_SCRIPT = """
import importlib.util, json, sys
absent = []
for name in sys.argv[1:]:
    try:
        found = importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        found = True  # it cannot tell: never listed
    if not found:
        absent.append(name)
print(json.dumps(absent))
"""


def findable(project: Project, module: str, python: Optional[str] = None) -> bool:
    """Whether the project's interpreter finds the top-level module of ``module`` (the standard
    library always; True when it cannot tell)."""
    from collect_fix.name_sources import stdlib_module_names

    top = module.partition(".")[0]
    if top in stdlib_module_names():
        return True
    interpreter = python or find_interpreter(project.history_root or project.root)
    return not _not_found(interpreter, str(project.root), (top,))


@lru_cache(maxsize=64)
def _not_found(python: str, root: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Of top-level module ``names``, those ``python`` cannot find from ``root``; none when it cannot tell."""
    try:
        result = subprocess.run(
            [python, "-c", _FIND_SCRIPT, *names], cwd=root, capture_output=True, text=True, errors="replace",
            stdin=subprocess.DEVNULL, timeout=60,
        )
        absent = json.loads(result.stdout) if result.returncode == 0 else []
    except (OSError, subprocess.SubprocessError, ValueError):
        return ()
    return tuple(name for name in absent if name in names) if isinstance(absent, list) else ()


def install_command(deps: Iterable[MissingDependency], python: Optional[str] = None) -> str:
    """One ``<python> -m pip install ...`` line for every distribution, sorted, each once; ``python``
    is the project's interpreter, so the packages land where pytest runs."""
    names: dict[str, str] = {}
    for dep in deps:
        names.setdefault(normalize(dep.distribution), dep.distribution)
    if not names:
        return ""
    return " ".join([shlex.quote(python or "python"), "-m", "pip", "install", *map(shlex.quote, sorted(names.values()))])


def normalize(name: str) -> str:
    """PEP 503: ``Ruamel_Yaml`` and ``ruamel.yaml`` are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def distributions_for(module: str, installed: Optional[dict[str, tuple[str, ...]]] = None) -> tuple[str, ...]:
    """Distributions that provide ``module``, the one to suggest first.

    ``installed``: top-level import name -> distributions, from the project's interpreter
    (``installed_distributions``); what that environment says comes first, then the well-known
    table, then the top-level name itself, as pip would be told by hand.
    """
    parts = module.split(".")
    found = (installed or {}).get(parts[0])
    if found:
        return found
    for length in range(len(parts), 0, -1):
        known = KNOWN_DISTRIBUTIONS.get(".".join(parts[:length]))
        if known:
            return known
    return (parts[0],)


# Run in the project's interpreter (Python 3.8+, stdlib only): import name -> distributions.
_METADATA_SCRIPT = """
import json, sys
mapping = {}
try:
    from importlib import metadata
    if hasattr(metadata, "packages_distributions"):
        mapping = metadata.packages_distributions()
    else:  # Python 3.8 and 3.9: what packages_distributions() does
        for dist in metadata.distributions():
            name = dist.metadata["Name"]
            top = (dist.read_text("top_level.txt") or "").split()
            if not top:
                top = {f.parts[0] if len(f.parts) > 1 else f.stem for f in dist.files or () if f.suffix == ".py"}
            for package in top:
                mapping.setdefault(package, []).append(name)
except Exception:
    pass
json.dump(mapping, sys.stdout)
"""


@lru_cache(maxsize=8)
def installed_distributions(python: str) -> dict[str, tuple[str, ...]]:
    """Top-level import name -> distributions installed in the interpreter ``python``; empty when
    it cannot tell. Cached per interpreter: collect-fix installs nothing, so within a run the
    answer does not change, and every missing dependency of every round asks it."""
    try:
        result = subprocess.run(
            [python, "-c", _METADATA_SCRIPT], capture_output=True, text=True, errors="replace",
            stdin=subprocess.DEVNULL, timeout=60,
        )
        mapping = json.loads(result.stdout) if result.returncode == 0 else {}
    except (OSError, subprocess.SubprocessError, ValueError):
        return {}
    if not isinstance(mapping, dict):
        return {}
    return {
        str(name): tuple(dict.fromkeys(str(dist) for dist in dists if dist))
        for name, dists in mapping.items()
        if isinstance(dists, list) and dists
    }


@dataclass(frozen=True)
class _Declared:
    spelling: str  # as the project writes it
    places: list[str] = field(default_factory=list, hash=False)


def declarations(root: Path) -> dict[str, list[str]]:
    """Normalized distribution name -> where the project declares it (pyproject, setup.cfg, requirements)."""
    return {name: declared.places for name, declared in _declared_distributions(root).items()}


def _declared_distributions(root: Path) -> dict[str, _Declared]:
    found: dict[str, _Declared] = {}
    for requirement, where in _declared(root):
        match = _REQUIREMENT_NAME.match(requirement)
        if not match or normalize(match.group(1)) == "python":  # poetry's Python constraint
            continue
        declared = found.setdefault(normalize(match.group(1)), _Declared(match.group(1)))
        if where not in declared.places:
            declared.places.append(where)
    return found


# How distribution names commonly dress an import name: python-dateutil, markdown-it-py.
_AFFIXES = (("python_", ""), ("py_", ""), ("", "_python"), ("", "python"), ("", "_py3"), ("", "_py"))
# A bare "py" is a guess (PyHamcrest provides hamcrest, PyMySQL pymysql, not mysql). Affixes are good
# enough to name what to install, never to decide that a module of the project is somebody else's
# (python-utils provides python_utils, not utils): ``declared_dependency`` takes names as they are.
_GUESSED_AFFIXES = (*_AFFIXES, ("py", ""))


def declared_dependency(project: Project, module: str) -> bool:
    """Whether the project declares (requirements files, pyproject, setup.cfg, setup.py, tox.ini) a distribution
    named ``module`` itself, or one the well-known table says provides it (``bs4``: beautifulsoup4)."""
    declared = _declared_distributions(project.root)
    return _declared_by_name(module, declared, ()) is not None or any(
        normalize(name) in declared for name in distributions_for(module))


def _declared_by_name(
    module: str, declared: dict[str, _Declared], affixes: tuple[tuple[str, str], ...] = _GUESSED_AFFIXES
) -> Optional[_Declared]:
    """A declared distribution whose name is the module's (``markdown-it-py`` declares
    ``markdown_it``), trying the fullest dotted name first (``google-cloud-storage``)."""
    parts = module.lower().split(".")
    wanted = ["_".join(parts[:length]) for length in range(len(parts), 0, -1)]
    for name in wanted:
        for normalized, candidate in declared.items():
            base = normalized.replace("-", "_")
            forms = {base} | {
                base[len(prefix):len(base) - len(suffix)]
                for prefix, suffix in affixes
                if base.startswith(prefix) and base.endswith(suffix) and len(base) > len(prefix) + len(suffix)
            }
            if name in forms:
                return candidate
    return None


def _declared(root: Path) -> Iterator[tuple[str, str]]:
    yield from _pyproject(root / "pyproject.toml")
    yield from _setup_cfg(root / "setup.cfg")
    yield from _setup_py(root / "setup.py")
    yield from _tox_ini(root / "tox.ini")
    seen: set[Path] = set()
    for path in _requirement_files(root):
        for line, source in _requirement_lines(path, root, seen):
            yield line, Path(os.path.relpath(source, root)).as_posix()


def _pyproject(path: Path) -> Iterator[tuple[str, str]]:
    if not path.is_file():
        return
    try:
        data: dict[str, Any] = tomlkit.parse(path.read_text(encoding="utf-8")).unwrap()
    except Exception:  # an unreadable pyproject declares nothing we can see
        return
    project = data.get("project", {})
    for requirement in _strings(project.get("dependencies")):
        yield requirement, "pyproject.toml [project] dependencies"
    for group, requirements in _tables(project.get("optional-dependencies")):
        for requirement in _strings(requirements):
            yield requirement, f"pyproject.toml [project.optional-dependencies] {group}"
    for group, requirements in _tables(data.get("dependency-groups")):
        for requirement in _strings(requirements):  # {include-group = ...} entries are skipped
            yield requirement, f"pyproject.toml [dependency-groups] {group}"
    poetry = data.get("tool", {}).get("poetry", {})
    for name, _ in _tables(poetry.get("dependencies")):
        yield name, "pyproject.toml [tool.poetry.dependencies]"
    for name, _ in _tables(poetry.get("dev-dependencies")):
        yield name, "pyproject.toml [tool.poetry.dev-dependencies]"
    for group, table in _tables(poetry.get("group")):
        for name, _ in _tables(table.get("dependencies") if isinstance(table, dict) else None):
            yield name, f"pyproject.toml [tool.poetry.group.{group}.dependencies]"


def _ini(path: Path) -> Optional[configparser.ConfigParser]:
    """The ini file at ``path``, read as written; None when it is missing or unreadable."""
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error:
        return None
    return parser


def _setup_cfg(path: Path) -> Iterator[tuple[str, str]]:
    parser = _ini(path)
    if parser is None:
        return
    if parser.has_option("options", "install_requires"):
        for line in parser.get("options", "install_requires").splitlines():
            yield line, "setup.cfg [options] install_requires"
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            for line in value.splitlines():
                yield line, f"setup.cfg [options.extras_require] {extra}"


_SETUP_KEYWORDS = ("install_requires", "tests_require", "extras_require", "setup_requires")


def _setup_py(path: Path) -> Iterator[tuple[str, str]]:
    """The requirements a ``setup.py`` lists literally in ``setup(...)`` (install_requires,
    tests_require, extras_require), read, never run; a list built otherwise is left out."""
    tree = source_trees.tree_of_file(path) if path.is_file() else None
    for node in ast.walk(tree) if tree is not None else ():
        if not isinstance(node, ast.Call) or _called_name(node.func) != "setup":
            continue
        for keyword in node.keywords:
            if keyword.arg not in _SETUP_KEYWORDS:
                continue
            values = keyword.value.values if isinstance(keyword.value, ast.Dict) else [keyword.value]
            for value in values:
                for item in value.elts if isinstance(value, (ast.List, ast.Tuple)) else ():
                    if isinstance(item, ast.Constant) and isinstance(item.value, str):
                        yield item.value, f"setup.py {keyword.arg}"


def _called_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _tox_ini(path: Path) -> Iterator[tuple[str, str]]:
    """The ``deps`` of every tox environment (``-r file`` lines and substitutions left out)."""
    parser = _ini(path)
    if parser is None:
        return
    for section in parser.sections():
        if section.startswith("testenv") and parser.has_option(section, "deps"):
            for line in parser.get(section, "deps").splitlines():
                if line.strip() and not line.strip().startswith(("-", "{")):
                    yield line.strip(), f"tox.ini [{section}] deps"


def _requirement_files(root: Path) -> list[Path]:
    """requirements.txt, requirements-dev.txt, test-requirements.txt, requirements/*.txt, the same
    one folder down (tests/requirements.txt, ci/test-requirements.txt) and the pip-tools ``.in``
    sources beside them; never in a virtualenv or another folder the walk skips."""
    patterns = ("*requirements*.txt", "*requirements*.in", "requirements/*.txt", "requirements/*.in",
                "*/*requirements*.txt", "*/*requirements*.in")
    files = dict.fromkeys(path for pattern in patterns for path in sorted(root.glob(pattern))
                          if not path.parent.name.startswith(".") and path.parent.name not in EXCLUDED_DIRS)
    return [path for path in files if path.is_file()]


def _requirement_lines(path: Path, root: Path, seen: set[Path]) -> Iterator[tuple[str, Path]]:
    """Requirement specifiers of a requirements file, following ``-r`` includes inside the project."""
    path = path.resolve()
    if path in seen or not path.is_file():
        return
    seen.add(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        include = re.match(r"^(?:-r|--requirement)[\s=]+(\S+)", line)
        if include:
            target = (path.parent / include.group(1)).resolve()
            if root.resolve() in target.parents:
                yield from _requirement_lines(target, root, seen)
            continue
        if line.startswith("-") or "://" in line.split("@", 1)[0]:
            continue  # options, editable installs and bare URLs name no distribution here
        yield line, path


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _tables(value: Any) -> list[tuple[str, Any]]:
    return list(value.items()) if isinstance(value, dict) else []


def _imported_name(path: Path, line: Optional[int], missing: str) -> Optional[str]:
    """The dotted name the import at ``line`` asks for under ``missing``, or None."""
    tree = source_trees.tree_of_file(path)  # the file other planners read too: parsed once
    if tree is None:
        return None
    for node in source_trees.statements(tree):
        if getattr(node, "lineno", None) != line:
            continue
        for name in _fullest_names(node):
            if name == missing or name.startswith(missing + "."):
                return name
    return None
