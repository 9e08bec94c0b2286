"""Which files a change can reach through imports, read statically: what must be collected again.

After a round of repairs only the test files whose collection the edited files can change need
collecting again: pytest's result for a file depends on its own source, the modules it imports
(and theirs), the conftests above it and the configuration. This module answers the import part
with an over-approximation: every import anywhere in a file counts (also inside functions),
``from pkg import x`` counts as importing ``pkg.x`` too, importing ``a.b.c`` loads the packages
``a`` and ``a.b``, and a test module is known under every name pytest may import it by (its
dotted path from the project root and from its first directory without ``__init__.py``).
String arguments of ``importlib.import_module`` / ``__import__`` and ``pytest_plugins`` count.
What it cannot see is an import computed at run time; README says what that means.

Each file is parsed once per content (keyed on its path, size and mtime), so asking after every
round costs a directory walk and the parses of the files the round changed.
"""

from __future__ import annotations

import ast
import importlib.util
import io
import tokenize
from pathlib import Path
from typing import Iterable, Optional

from collect_fix import source_trees
from collect_fix.project import Project

_IMPORT_FUNCTIONS = frozenset({"import_module", "__import__"})


class ImportGraph:
    """The static imports of a project's files, kept for the length of a run."""

    def __init__(self) -> None:
        self._imports: dict[Path, tuple[tuple[int, int, Optional[str]], frozenset[str]]] = {}

    def read(self, project: Project) -> None:
        """Read every file's imports now (``prefetch``: while pytest collects)."""
        for path in project.python_files():
            self._imports_of(project, path)

    def reached_by(self, project: Project, touched: Iterable[str]) -> set[str]:
        """Project-relative files whose imports reach a ``touched`` file, the touched included."""
        files = {project.relative(path): path for path in project.python_files()}
        names = {relative: _names(project, path) for relative, path in files.items()}
        # A touched file's own imports could only make it reached, and it is: they are not read
        # (that would parse the file the round just edited; a later round reads them if asked).
        reached = set(touched)
        imports = {relative: self._imports_of(project, path) for relative, path in files.items() if relative not in reached}
        # Who runs a module when it is loaded: a file importing ``a.b.c`` (or living in package
        # ``a.b``) loads ``a``, ``a.b`` and ``a.b.c``, so it is reached once any of them is.
        loaders: dict[str, set[str]] = {}
        for relative, modules in imports.items():
            own_packages = [name.rpartition(".")[0] for name in names[relative] if "." in name]
            for module in (*modules, *own_packages):
                for prefix in _prefixes(module):
                    loaders.setdefault(prefix, set()).add(relative)
        pending = [name for relative in reached for name in names.get(relative, ())]
        loaded: set[str] = set(pending)  # modules whose loading runs a reached file
        while pending:
            for relative in loaders.get(pending.pop(), ()):
                if relative not in reached:
                    reached.add(relative)
                    fresh = [name for name in names[relative] if name not in loaded]
                    loaded.update(fresh)
                    pending.extend(fresh)
        # A test file that is a link to a reached file is that file, under another name.
        targets = {files[relative].resolve() for relative in reached if relative in files}
        return reached | {relative for relative, path in files.items() if path.is_symlink() and path.resolve() in targets}

    def _imports_of(self, project: Project, path: Path) -> frozenset[str]:
        try:
            status = path.stat()
        except OSError:
            return frozenset()
        # Relative imports resolve against the file's package, which depends on the source roots
        # (``pythonpath``), so that is part of what a cached answer holds for.
        stamp = (status.st_mtime_ns, status.st_size, _package(project, path))
        cached = self._imports.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found = frozenset(_read_imports(path, stamp[2]))
        self._imports[path] = (stamp, found)
        return found


def _prefixes(module: str) -> list[str]:
    """What importing ``module`` loads: itself and each package on its way (``a``, ``a.b``, ``a.b.c``)."""
    parts = module.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]


def _names(project: Project, path: Path) -> tuple[str, ...]:
    """Every dotted name the file can be imported by: from the project's source roots, and as
    pytest imports a test module (from its first directory that is not a package)."""
    found = []
    dotted = project.module_name(path)
    if dotted:
        found.append(dotted)
    parts = [path.stem] if path.name != "__init__.py" else []
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory != directory.parent:
        parts.insert(0, directory.name)
        directory = directory.parent
    if parts and all(part.isidentifier() for part in parts):
        found.append(".".join(parts))
    return tuple(dict.fromkeys(found))


def _package(project: Project, path: Path) -> Optional[str]:
    module = project.module_name(path)
    if module is None:
        return None
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _read_imports(path: Path, package: Optional[str]) -> set[str]:
    try:
        source = path.read_bytes()
    except OSError:
        return set()
    tree = source_trees.tree_of(source)  # shared with the planners' questions
    if tree is None:
        return set()
    # An import is a statement; only a call of an import function needs the expressions walked.
    # The name may also be spelled in other bytes: Unicode forms Python normalises to it, or an
    # encoding the file declares (UTF-7 writes "_" as "+AF8-").
    calls = b"import_module" in source or b"__import__" in source or not source.isascii() or not _reads_as_ascii(source)
    modules: set[str] = set()
    for node in ast.walk(tree) if calls else source_trees.statements(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if base:
                modules.add(base)
                modules.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and _called_name(node.func) in _IMPORT_FUNCTIONS and node.args:
            modules.update(_strings(node.args[0]))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _binds_pytest_plugins(node):
            modules.update(_strings(node.value) if node.value is not None else ())
    return modules


def _reads_as_ascii(source: bytes) -> bool:
    """Whether Python reads these ASCII bytes as the same characters: the encoding a file declares
    (PEP 263) may not (UTF-7 reads "+AF8-" as "_")."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding) == source.decode("ascii")
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return False


def _absolute(node: ast.ImportFrom, package: Optional[str]) -> Optional[str]:
    if not node.level:
        return node.module
    if not package:
        return None
    try:
        return importlib.util.resolve_name("." * node.level + (node.module or ""), package)
    except (ImportError, ValueError):
        return None


def _called_name(func: ast.expr) -> Optional[str]:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _binds_pytest_plugins(node: ast.Assign | ast.AnnAssign) -> bool:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return any(isinstance(target, ast.Name) and target.id == "pytest_plugins" for target in targets)


def _strings(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [item.value for item in node.elts if isinstance(item, ast.Constant) and isinstance(item.value, str)]
    return []
