"""Where an undefined name can be imported from: the standard library and the project.

A candidate is only ever chosen on evidence: it is the only provider left after checking how the
file uses the name, or the file (or the rest of the project) already imports from its module, or
the newest change removed that very import from the file. Anything else is ambiguous and reported
with its candidates, because a wrong import that makes a NameError go away would pass verification
and silently change what the code means; except where the candidates are one object under two
names at every use (an annotation reads ``typing.Callable`` and ``collections.abc.Callable`` alike),
where no choice can be wrong and one is always made.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import os
import sys
import sysconfig
import types
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from collect_fix.project import Project
from collect_fix.source_trees import statements, tree_of, tree_of_file

# Standard-library modules people import names *from*; their public names are introspected in
# collect-fix's own interpreter, so the index follows the running Python version (only ever
# loaded from the stdlib directory: see _import_stdlib). Left out on
# purpose: modules whose exports shadow everyday names with something else entirely (asyncio's
# Protocol/Queue/run, zipfile's Path), which would make the common names look ambiguous.
FROM_MODULES: tuple[str, ...] = (
    "typing", "collections", "collections.abc", "dataclasses", "pathlib", "enum", "datetime",
    "functools", "itertools", "contextlib", "abc", "decimal", "fractions", "numbers", "operator",
    "copy", "uuid", "textwrap", "time", "random", "math", "statistics", "types", "unittest.mock",
    "io", "tempfile", "subprocess", "shutil", "urllib.parse", "json", "re", "hashlib", "heapq",
    "bisect", "weakref", "threading", "concurrent.futures", "argparse", "logging", "warnings",
    "inspect", "struct", "queue", "string", "pprint", "secrets", "base64", "glob", "zoneinfo",
    "ipaddress", "http", "traceback", "difflib", "csv", "os", "os.path",
    "multiprocessing", "fnmatch", "shlex", "importlib", "importlib.metadata", "contextvars",
    "graphlib", "pickle", "configparser", "calendar",
)

# Stdlib module names that are never what an undefined name means (side effects on import,
# test-suite internals, or a name far likelier to be the project's own).
_NOT_MODULE_CANDIDATES = frozenset({"this", "antigravity", "test", "idlelib", "turtledemo", "tests"})

# Plain data values are left out of the index: an undefined ``name`` or ``sep`` is a bug in the
# file, and ``from os import name`` would hide it. UPPER_CASE constants (``PIPE``) stay.
_PLAIN_DATA = (str, bytes, int, bool, type(None), tuple, list, dict, set, frozenset)


@dataclass(frozen=True)
class ImportCandidate:
    """``from module import name``, or ``import module`` when ``name`` is empty."""

    module: str
    name: str = ""
    origin: str = "stdlib"  # stdlib | project | alias (``import module as asname``: the project's spelling)
    asname: str = ""

    @property
    def statement(self) -> str:
        suffix = f" as {self.asname}" if self.asname else ""
        return f"from {self.module} import {self.name}{suffix}" if self.name else f"import {self.module}{suffix}"


@dataclass(frozen=True)
class Resolution:
    """The import to add for ``name`` (``chosen``), or None with every remaining candidate."""

    name: str
    candidates: tuple[ImportCandidate, ...]
    chosen: Optional[ImportCandidate]
    evidence: str
    history_refuses: bool = False  # history removed another import of the name: ``evidence`` says which
    also: tuple[ImportCandidate, ...] = ()  # more imports to add with ``chosen`` (``import a.c`` beside ``import a.b``)


def resolve(project: Project, name: str, path: Path, also_imported: Iterable[str] = ()) -> Resolution:
    """Decide which import provides ``name`` in the file ``path``. Never raises for bad files.

    ``also_imported``: modules an import being added to the same file comes from (evidence too).
    Where the remaining candidates are one object under two homes at every use (``typing.Callable``
    and ``collections.abc.Callable`` in annotations), the choice cannot change what the code does:
    the file's own imports, then the project's, then history pick the spelling, and it is never
    reported as ambiguous.
    """
    tree = _parse(path)
    candidates = stdlib_candidates(name) + project_candidates(project, name, path)
    if not candidates:
        return _module_alias(project, name, path)
    # History first: the import the newest change removed is what the name was, even where one
    # module defines a namesake (``from html import escape as esc`` dropped, ``app.sqlq.esc`` left).
    restored = restored_import(project, name, path)
    if restored is not None and restored.chosen is not None:
        return restored
    removed = _removed_import_text(project, name, path)
    if removed:
        return Resolution(name, tuple(candidates), None, f"{removed}; put it back as it was", history_refuses=True)
    usages = _usages(tree, name) if tree is not None else []
    kept, dropped = _check_usages(candidates, name, usages)
    notes = [f"how {name} is used rules out {', '.join(c.statement for c in dropped)}"] if dropped else []
    if len(kept) == 1:
        only = kept[0]
        provider = f"the module {only.module}" if not only.name else only.module
        return Resolution(name, tuple(kept), only, "; ".join([f"only {provider} provides it", *notes]))
    same = tree is not None and _interchangeable(kept) and _annotation_only(tree, name)
    if same:
        notes.insert(0, f"{name} is used only in annotations, where {' and '.join(_spelled(c) for c in kept)} "
                        "are the same thing")
    choice = _by_evidence(project, name, path, tree, kept, set(also_imported), same)
    if choice is None and same:
        choice = _alias_spelling(kept)
    if choice is not None:
        chosen, why = choice
        return Resolution(name, tuple(kept), chosen, "; ".join([*notes, why]))
    return Resolution(name, tuple(kept), None, "; ".join([f"{name} is ambiguous", *notes]))


def _by_evidence(
    project: Project, name: str, path: Path, tree: Optional[ast.Module], kept: list[ImportCandidate],
    also_imported: set[str], same: bool,
) -> Optional[tuple[ImportCandidate, str]]:
    """The candidate the file, the project or history points at, with why; None if none does."""
    imported = (_imported_modules(tree) if tree is not None else set()) | also_imported
    matching = [c for c in kept if c.module in imported]
    if len(matching) == 1:
        return matching[0], f"the file imports from {matching[0].module}"
    counts = _project_import_sources(project, name, path)
    ranked = sorted(((count, module) for module, count in counts.items()), reverse=True)
    if ranked and (len(ranked) == 1 or (same and ranked[0][0] > ranked[1][0])):
        top = next((c for c in kept if c.module == ranked[0][1]), None)
        if top is not None:
            files = f"{ranked[0][0]} of {sum(counts.values())}" if len(ranked) > 1 else "the"
            return top, f"{files} project's other files import {name} from {top.module}"
    history = _by_history(project, name, path, kept)
    if history is None and len(matching) > 1 and same and tree is not None:
        return _imports_alike(tree, name, matching)
    return history


def _imports_alike(
    tree: ast.Module, name: str, matching: list[ImportCandidate]
) -> Optional[tuple[ImportCandidate, str]]:
    """The file imports from every candidate module: the one it takes names of the same kind from.

    ``from collections.abc import Iterator`` next to ``from typing import Optional`` says the file
    takes what both modules offer from collections.abc; Optional, which only typing has, says nothing.
    """
    modules = {c.module for c in matching}
    index = _stdlib_index()
    alike: dict[str, list[str]] = {}
    for node in statements(tree):
        if isinstance(node, ast.ImportFrom) and node.module in modules and not node.level:
            for alias in node.names:
                if alias.name != name and modules <= set(index.get(alias.name, ())):
                    alike.setdefault(node.module, []).append(alias.name)
    if len(alike) != 1:
        return None
    ((module, names),) = alike.items()
    chosen = next(c for c in matching if c.module == module)
    listed = ", ".join(sorted(set(names)))
    return chosen, f"the file imports from both and takes {listed}, which both offer, from {module}"


def _by_history(
    project: Project, name: str, path: Path, kept: list[ImportCandidate]
) -> Optional[tuple[ImportCandidate, str]]:
    """The import of ``name`` the newest change removed from this file, when it is a candidate."""
    from collect_fix.definitions import absolute_module, package_of
    from collect_fix.git_evidence import name_change

    try:
        relative = path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return None
    change = name_change(project, relative, name)
    if change is None or change.removed.kind != "import" or change.removed.imported != name:
        return None
    module = absolute_module(change.removed.target, package_of(project, path))
    chosen = next((c for c in kept if c.module == module and c.name == name), None)
    if chosen is None:
        return None
    return chosen, f"{change.where} removed `{change.removed.text}` from this file"


def _module_alias(project: Project, name: str, path: Path) -> Resolution:
    """``name``, which no module collect-fix can index defines (a module's short name, ``import
    typing as t``; ``b2a_hex`` of a C module): chosen only when the newest change removed that very
    import from this file."""
    restored = restored_import(project, name, path)
    if restored is not None and restored.chosen is not None:
        return restored
    return Resolution(name, (), None, f"no standard-library module or project module defines {name!r}")


def _removed_import_text(project: Project, name: str, path: Path) -> str:
    """"commit X removed `...`" when the newest change removed an import binding ``name`` from the
    file that ``restored_import`` cannot write back as it was; "" otherwise."""
    from collect_fix.git_evidence import name_change

    try:
        relative = path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return ""
    change = name_change(project, relative, name)
    if change is None or change.removed.kind != "import":
        return ""
    return f"{change.where} removed `{change.removed.text}` from this file"


def restored_import(project: Project, name: str, path: Path, commit: Optional[str] = None) -> Optional[Resolution]:
    """The import of ``name`` the newest change removed from the file ``path``, to put back as it
    was: ``from m import name``, ``from m import x as name``, ``import name`` (``import name.sub``) or
    ``import m as name``, when it ran unconditionally
    (not one branch of a ``try``/``if``) and nothing since bound ``name`` another way; only if that
    change is ``commit``, when given. None otherwise."""
    from collect_fix.definitions import absolute_module, package_of
    from collect_fix.git_evidence import name_change

    try:
        relative = path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return None
    change = name_change(project, relative, name)
    removed = change.removed if change is not None else None
    if change is None or removed is None or removed.kind != "import" or removed.conditional:
        return None
    if commit is not None and change.commit != commit:
        return None
    module = absolute_module(removed.target, package_of(project, path)) if removed.target.startswith(".") \
        else removed.target
    if not module:
        return None
    origin = "project" if project.owns_module(module) else "stdlib"
    if origin == "project" and not _still_there(project, module):
        return None  # the change deleted the module too: putting the import back would fail
    if removed.text == f"import {removed.target} as {name}":
        chosen = ImportCandidate(module, origin="alias", asname=name)
    elif removed.text == f"import {removed.target}" and removed.target.partition(".")[0] == name:
        chosen = ImportCandidate(module, origin=origin)  # ``import os`` or ``import os.path``: both bind os
        tree = tree_of_file(path)
        present = _imported_modules(tree) if tree is not None else set()
        also = tuple(ImportCandidate(sub, origin=origin) for sub in removed.submodules
                     if sub not in present and (origin != "project" or _still_there(project, sub)))
        texts = ", ".join(f"`import {each}`" for each in (removed.target, *(each.module for each in also)))
        return Resolution(name, (chosen,), chosen, f"{change.where} removed {texts} from this file", also=also)
    elif removed.text == f"from {removed.target} import {name}" and removed.imported == name:
        chosen = ImportCandidate(module, name, origin)
    elif removed.text == f"from {removed.target} import {removed.imported} as {name}":
        chosen = ImportCandidate(module, removed.imported, origin, asname=name)
    else:
        return None  # not written back as it was
    return Resolution(name, (chosen,), chosen, f"{change.where} removed `{removed.text}` from this file")


def _still_there(project: Project, module: str) -> bool:
    """Whether the project module (or package) ``module`` has a file or folder now."""
    if project.module_file(module) is not None:
        return True
    return any(root.joinpath(*module.split(".")).is_dir() for root in project.source_roots)


def _interchangeable(candidates: list[ImportCandidate]) -> bool:
    """Whether every candidate is one standard-library object or a documented alias of it
    (``typing.Callable.__origin__ is collections.abc.Callable``)."""
    if any(c.origin != "stdlib" or not c.name for c in candidates):
        return False
    values = [_stdlib_object(c) for c in candidates]
    if any(value is None for value in values):
        return False
    return all(_same_thing(first, second) for first in values for second in values)


def _same_thing(first: Any, second: Any) -> bool:
    origins = (getattr(first, "__origin__", None), getattr(second, "__origin__", None))
    return first is second or origins[0] is second or origins[1] is first or (
        origins[0] is not None and origins[0] is origins[1]
    )


def _alias_spelling(candidates: list[ImportCandidate]) -> Optional[tuple[ImportCandidate, str]]:
    """No evidence between interchangeable homes: the alias (``typing.Callable``), which every
    Python collect-fix supports can subscript in an annotation evaluated at import."""
    aliases = sorted((c for c in candidates if getattr(_stdlib_object(c), "__origin__", None) is not None),
                     key=lambda c: c.module)
    if not aliases:
        return None
    return aliases[0], (f"nothing in the file, the project or history prefers one, so {_spelled(aliases[0])}, "
                        "which every supported Python can subscript")


def _spelled(candidate: ImportCandidate) -> str:
    return f"{candidate.module}.{candidate.name}" if candidate.name else candidate.module


def _annotation_only(tree: ast.Module, name: str) -> bool:
    """Whether every read of ``name`` in the file is inside an annotation."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        annotations: list[Optional[ast.expr]] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            annotations = [argument.annotation for argument in every if argument is not None]
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations = [node.annotation]
        for annotation in annotations:
            if annotation is not None:
                inside.update(id(part) for part in ast.walk(annotation))
    reads = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name
             and isinstance(node.ctx, ast.Load)]
    return bool(reads) and all(id(node) in inside for node in reads)


def stdlib_candidates(name: str) -> list[ImportCandidate]:
    """Stdlib imports that bind ``name``: ``from m import name`` and ``import name``."""
    found = [ImportCandidate(module, name) for module in _stdlib_index().get(name, ())]
    if name in stdlib_module_names():
        found.append(ImportCandidate(name))
    return found


def project_candidates(project: Project, name: str, path: Path) -> list[ImportCandidate]:
    """The project's own definitions of ``name``, outside the module that lacks it."""
    here = project.module_name(path)
    found: list[ImportCandidate] = []
    seen_definitions: set[tuple[str, int]] = set()
    for definition in _definitions(project, name):
        module = getattr(definition, "module", None)
        if not module or module == here or module.rpartition(".")[2] == "conftest":
            continue  # a conftest is not importable by name; the file itself is the bug
        where = (str(getattr(definition, "path", "")), int(getattr(definition, "line", 0) or 0))
        if where in seen_definitions:
            continue  # one definition reached through several modules: keep the first spelling
        seen_definitions.add(where)
        candidate = ImportCandidate(module, name, "project")
        if candidate not in found:
            found.append(candidate)
    if name in project.top_level_names and name != (here or "").partition(".")[0]:
        found.append(ImportCandidate(name, "", "project"))
    return found


def _definitions(project: Project, name: str) -> list[Any]:
    try:
        from collect_fix.definitions import find_definitions
    except ModuleNotFoundError as exc:  # the definitions index is optional for stdlib names
        if exc.name != "collect_fix.definitions":
            raise
        return []
    from collect_fix.script_modules import is_script

    # Never a script's: importing it would run it.
    return [definition for definition in find_definitions(project, name)
            if not is_script(project, project.root / definition.path)]


@lru_cache(maxsize=1)
def _stdlib_index() -> dict[str, tuple[str, ...]]:
    """Public name -> stdlib modules that export it, one module per distinct object."""
    index: dict[str, list[tuple[str, Any]]] = {}
    for module_name in FROM_MODULES:
        module = _import_stdlib(module_name)
        if module is None:  # not built on this platform, or shadowed by a file of the project
            continue
        for attr, value in _public_names(module):
            index.setdefault(attr, []).append((module_name, value))
    result: dict[str, tuple[str, ...]] = {}
    for attr, providers in index.items():
        modules: list[str] = []
        objects: list[Any] = []
        for module_name, value in providers:
            # json.JSONDecodeError is json.decoder.JSONDecodeError: one thing, not a choice.
            same = next((i for i, seen in enumerate(objects) if seen is value), None)
            if same is None:
                modules.append(module_name)
                objects.append(value)
            elif getattr(value, "__module__", None) == module_name:
                modules[same] = module_name
        result[attr] = tuple(modules)
    return result


def _public_names(module: types.ModuleType) -> Iterable[tuple[str, Any]]:
    declared = getattr(module, "__all__", None)
    names = list(declared) if declared is not None else [n for n in dir(module) if not n.startswith("_")]
    for attr in names:
        if len(attr) < 2 or not hasattr(module, attr):
            continue
        value = getattr(module, attr)
        if isinstance(value, types.ModuleType):
            continue  # submodules are imported as modules, not from their parent
        if isinstance(value, _PLAIN_DATA) and not attr.isupper():
            continue
        owner = getattr(value, "__module__", None) if inspect.isclass(value) or inspect.isroutine(value) else None
        if declared is None and isinstance(owner, str) and not _same_family(owner, module.__name__):
            continue  # without __all__, dir() also lists what the module itself imported
        yield attr, value


def _same_family(owner: str, module: str) -> bool:
    return owner.lstrip("_").partition(".")[0] == module.partition(".")[0] or owner == "builtins"


def _import_stdlib(name: str) -> Optional[types.ModuleType]:
    """The standard-library module ``name``, or None; never runs a file from outside the stdlib.

    collect-fix is usually started in the project root, which Python puts first on sys.path: a
    plain import of ``statistics`` would run the project's own statistics.py.
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded if _in_stdlib(_origin(loaded)) else None
    parent, _, _ = name.rpartition(".")
    if parent and _import_stdlib(parent) is None:
        return None  # find_spec would import the parent the ordinary way
    with _without_working_directory():
        try:
            spec = importlib.util.find_spec(name)
            if spec is None or not _in_stdlib(spec.origin):
                return None
            return importlib.import_module(name)
        except (ImportError, ValueError):  # not built here (zoneinfo without tzdata is fine)
            return None


def _origin(module: types.ModuleType) -> Optional[str]:
    spec = getattr(module, "__spec__", None)
    origin = getattr(spec, "origin", None)
    return origin if isinstance(origin, str) else getattr(module, "__file__", None)


def _in_stdlib(origin: Optional[str]) -> bool:
    if origin in ("built-in", "frozen"):
        return True
    if not origin:
        return False
    path = Path(os.path.realpath(origin))
    for directory in _stdlib_dirs():
        try:
            inside = path.relative_to(directory).parts
        except ValueError:
            continue
        if "site-packages" not in inside and "dist-packages" not in inside:
            return True
    return False


@lru_cache(maxsize=1)
def _stdlib_dirs() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    return tuple(dict.fromkeys(Path(os.path.realpath(paths[key])) for key in ("stdlib", "platstdlib") if key in paths))


@contextmanager
def _without_working_directory() -> Iterator[None]:
    """sys.path without '' and the current directory, so stdlib imports inside stay stdlib."""
    cwd = os.path.realpath(os.getcwd())
    saved = list(sys.path)
    sys.path[:] = [entry for entry in saved if entry and os.path.realpath(entry) != cwd]
    try:
        yield
    finally:
        sys.path[:] = saved


@lru_cache(maxsize=1)
def stdlib_module_names() -> frozenset[str]:
    names = getattr(sys, "stdlib_module_names", None) or frozenset(FROM_MODULES) | frozenset(sys.builtin_module_names)
    return frozenset(n for n in names if "." not in n and not n.startswith("_") and n not in _NOT_MODULE_CANDIDATES)


# --- how the file uses the name --------------------------------------------------------------

def _parse(path: Path) -> Optional[ast.Module]:
    return tree_of_file(path)


def _usages(tree: ast.Module, name: str) -> list[tuple[str, str]]:
    """(kind, detail) for each load of ``name``: attribute/call/subscript/base/decorator/plain."""
    usages: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_name(node.value, name):
            usages.append(("attribute", node.attr))
        elif isinstance(node, ast.Call) and _is_name(node.func, name):
            usages.append(("call", ""))
        elif isinstance(node, ast.Subscript) and _is_name(node.value, name):
            usages.append(("subscript", ""))
        elif isinstance(node, ast.ClassDef):
            usages.extend(("base", "") for base in node.bases if _is_name(base, name))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            usages.extend(("call", "") for deco in node.decorator_list if _is_name(deco, name))
    return usages


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _check_usages(
    candidates: list[ImportCandidate], name: str, usages: list[tuple[str, str]]
) -> tuple[list[ImportCandidate], list[ImportCandidate]]:
    """Split candidates into those every usage fits and those some usage rules out.

    Only stdlib objects can be checked (they are importable here); project candidates are kept.
    When every candidate would be ruled out the file is odd, so nothing is ruled out.
    """
    kept: list[ImportCandidate] = []
    dropped: list[ImportCandidate] = []
    for candidate in candidates:
        value = _stdlib_object(candidate) if candidate.origin == "stdlib" else None
        fits = value is None or all(_fits(value, candidate, kind, detail) for kind, detail in usages)
        (kept if fits else dropped).append(candidate)
    return (kept, dropped) if kept else (candidates, [])


def _stdlib_object(candidate: ImportCandidate) -> Optional[Any]:
    module = _import_stdlib(candidate.module)
    if module is None:
        return None
    return getattr(module, candidate.name, None) if candidate.name else module


def _fits(value: Any, candidate: ImportCandidate, kind: str, detail: str) -> bool:
    is_module = isinstance(value, types.ModuleType)
    if kind == "attribute":
        if hasattr(value, detail):
            return True
        # ``xml.etree`` is an attribute only once imported; a real submodule still fits.
        return is_module and hasattr(value, "__path__") and _module_exists(f"{candidate.module}.{detail}")
    if kind == "call":
        return callable(value)
    if kind == "subscript":
        return not is_module
    if kind == "base":
        return inspect.isclass(value) or hasattr(value, "__mro_entries__")
    return True


def _module_exists(module: str) -> bool:
    parent = module.rpartition(".")[0]
    if parent and _import_stdlib(parent) is None:
        return False
    try:
        with _without_working_directory():
            spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return False
    return spec is not None and _in_stdlib(spec.origin)


# --- imports already present ------------------------------------------------------------------

def _imported_modules(tree: ast.Module) -> set[str]:
    """Absolute modules the file imports from or imports, at any depth."""
    modules: set[str] = set()
    for node in statements(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def _project_import_sources(project: Project, name: str, path: Path) -> dict[str, int]:
    """Module -> how many of the project's other files import ``name`` from it."""
    counts: dict[str, int] = {}
    target = path.resolve()
    for other in project.files_mentioning(name):  # most files never mention the name
        if other.name == target.name and other.resolve() == target:  # resolve only the namesakes
            continue
        text = project.source(other)
        if text is None:
            continue
        tree = tree_of(text)
        if tree is None:
            continue
        sources = {
            node.module
            for node in statements(tree)
            if isinstance(node, ast.ImportFrom) and node.module and not node.level
            and any(alias.name == name and alias.asname in (None, name) for alias in node.names)
        }
        for module in sources:
            counts[module] = counts.get(module, 0) + 1
    return counts
