"""The project being repaired: where its modules live and which files collect-fix may edit.

Everything here is static (paths and file contents); the project is never imported.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator, Optional

from collect_fix.types import PytestSettings

# Never edited, never scanned: environments, VCS data, build output, caches.
EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", ".tox", ".nox", "build", "dist",
        "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".eggs",
        "site-packages", ".idea", ".vscode",
    }
)
GENERATED_MARKER = b"@generated"
_MAX_HOME_DEPTH = 3  # how deep package_homes looks for a package that is not on sys.path


# eq=False: a Project is one snapshot of the tree; planners cache their scans per instance
# (functools.lru_cache keyed on the object), and the pipeline makes a new one each round.
@dataclass(frozen=True, eq=False)
class Project:
    root: Path
    extra_paths: tuple[str, ...] = field(default=())  # pytest ``pythonpath`` entries, relative
    # Where git history lives: the original tree, also when a dry run works on a scratch copy.
    history_root: Optional[Path] = None
    # The configuration file pytest read (Collection.inifile): "" when none, None when not known
    # (before any collection), and then found the way pytest finds it.
    inifile: Optional[str] = None
    # The markers the configuration registered when the run began (None: not known). Those this
    # run registered are a repair's doing, not evidence of the spelling the project meant.
    markers_at_start: Optional[tuple[str, ...]] = None
    # What pytest ran with, as its own config said in the last collection (Collection.settings);
    # None before any, and then read off the configuration file.
    settings: Optional[PytestSettings] = None

    @cached_property
    def source_roots(self) -> tuple[Path, ...]:
        """Directories whose children are importable top-level modules of the project."""
        roots = [self.root]
        if (self.root / "src").is_dir():
            roots.append(self.root / "src")
        for entry in self.extra_paths or pytest_pythonpath(self):
            candidate = (self.root / entry).resolve()
            if candidate.is_dir() and candidate not in roots:
                roots.append(candidate)
        return tuple(roots)

    @cached_property
    def top_level_names(self) -> frozenset[str]:
        """Top-level import names that belong to the project (packages, namespace dirs, modules)."""
        names = set()
        for source_root in self.source_roots:
            for child in source_root.iterdir():
                if child.name in EXCLUDED_DIRS or child.name.startswith("."):
                    continue
                if child.is_dir() and child.name.isidentifier() and _holds_python(child):
                    names.add(child.name)
                elif child.suffix == ".py" and child.stem.isidentifier():
                    names.add(child.stem)
        return frozenset(names)

    def owns_module(self, module: str) -> bool:
        return module.split(".", 1)[0] in self.top_level_names

    def package_root(self, top_level: str) -> Path:
        """The source root a top-level name lives in (for new modules: src/ when present)."""
        for source_root in reversed(self.source_roots):
            if (source_root / top_level).exists() or (source_root / f"{top_level}.py").exists():
                return source_root
        return self.source_roots[-1] if (self.root / "src").is_dir() else self.root

    def module_file(self, module: str) -> Optional[Path]:
        """The existing file of a dotted module of the project, or None."""
        parts = module.split(".")
        for source_root in self.source_roots:
            base = source_root.joinpath(*parts)
            for candidate in (base.with_suffix(".py"), base / "__init__.py"):
                if os.path.isfile(candidate):  # False, not OSError, for a name too long to be a file
                    return candidate
        return None

    @cached_property
    def _resolved_source_roots(self) -> tuple[Path, ...]:
        return tuple(source_root.resolve() for source_root in self.source_roots)

    @cached_property
    def _module_names(self) -> dict[Path, Optional[str]]:
        return {}

    def module_name(self, path: Path) -> Optional[str]:
        """The dotted name ``path`` is imported as from the deepest source root holding it (kept
        per path for the snapshot: asked about every file the planners read, many times a round)."""
        if path not in self._module_names:
            self._module_names[path] = self._module_name(path)
        return self._module_names[path]

    def _module_name(self, path: Path) -> Optional[str]:
        path = path.resolve()
        best: Optional[str] = None
        for source_root in self._resolved_source_roots:
            try:
                relative = path.relative_to(source_root)
            except ValueError:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts and all(part.isidentifier() for part in parts):
                candidate = ".".join(parts)
                if best is None or len(candidate) < len(best):
                    best = candidate
        return best

    @lru_cache(maxsize=None)  # noqa: B019 - one Project per tree snapshot, see the class comment
    def package_homes(self, module: str) -> tuple[str, ...]:
        """Project directories (relative, never the root) that hold the package of ``module``.

        Where a package lives when it is in the tree yet not importable (``src/`` without
        ``pythonpath``). Best first: the full dotted module resolves there, the package has an
        ``__init__.py``, shallower, then by name.
        """
        parts = module.split(".")
        ranked: list[tuple[tuple[bool, bool, int, str], str]] = []
        for directory, dirnames, filenames in os.walk(self.root):
            here = Path(directory)
            depth = len(here.relative_to(self.root).parts)
            dirnames[:] = sorted(
                name for name in dirnames
                if name not in EXCLUDED_DIRS and not name.startswith(".") and depth < _MAX_HOME_DEPTH
            )
            if depth == 0:
                continue  # the root is on sys.path already, under ``python -m pytest`` at least
            package = here / parts[0]
            if not (package.is_dir() and _has_modules(package)) and f"{parts[0]}.py" not in filenames:
                continue
            base = here.joinpath(*parts)
            resolves = base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()
            relative = self.relative(here)
            ranked.append(((not resolves, not (package / "__init__.py").is_file(), depth, relative), relative))
        return tuple(relative for _, relative in sorted(ranked))

    @cached_property
    def test_file_patterns(self) -> tuple[str, ...]:
        """pytest's ``python_files`` for this project: what pytest's own config said in the last
        collection (``-o python_files=`` in the arguments included), else its configuration
        file's, else the default."""
        if self.settings is not None and self.settings.python_files:
            return self.settings.python_files
        from collect_fix import (
            pytest_config,  # imported here: pytest_config builds on Project
        )

        configured = pytest_config.as_args(pytest_config.read_option(pytest_config.configuration(self), "python_files"))
        return tuple(configured) or ("test_*.py", "*_test.py")

    def is_test_module(self, path: Path | str) -> bool:
        """Whether pytest collects ``path`` as a test module (conftests are not test modules)."""
        candidate = Path(path)
        if candidate.suffix != ".py" or candidate.name == "conftest.py":
            return False
        return any(_matches(pattern, candidate) for pattern in self.test_file_patterns)

    @staticmethod
    def is_conftest(path: Path | str) -> bool:
        return Path(path).name == "conftest.py"

    def relative_or_none(self, path: Optional[str]) -> Optional[str]:
        """The project-relative posix form of a path from a traceback; None when outside.

        Links are followed, except a link in the project that leads out of it: that file is
        named by the link (the path pytest collected), so the report can say it was not edited.
        """
        if not path:
            return None
        try:
            return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, RuntimeError, OSError):  # outside, or a link loop
            pass
        try:
            return Path(os.path.normpath(os.path.abspath(path))).relative_to(self.root).as_posix()
        except ValueError:
            return None

    def relative(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.root)).as_posix()

    def python_files(self) -> Iterator[Path]:
        """Every .py file of the project outside excluded directories, in a stable order.

        Walked once per snapshot: planners ask for every file once per name they look up.
        """
        return iter(self._python_files)

    @cached_property
    def _python_files(self) -> tuple[Path, ...]:
        found = []
        for directory, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(
                name for name in dirnames
                if name not in EXCLUDED_DIRS and not name.startswith(".") and not _is_venv(Path(directory, name))
            )
            for filename in sorted(filenames):
                if filename.endswith(".py") and _is_regular_file(Path(directory, filename)):
                    found.append(Path(directory, filename))
        return tuple(found)

    def source(self, path: Path) -> Optional[bytes]:
        """The bytes of a file of the project, read once per snapshot; None when unreadable."""
        if path not in self._sources:
            try:
                self._sources[path] = path.read_bytes()
            except OSError:
                self._sources[path] = None
        return self._sources[path]

    @cached_property
    def _sources(self) -> dict[Path, Optional[bytes]]:
        return {}

    def files_mentioning(self, word: str) -> tuple[Path, ...]:
        """The project's Python files whose bytes contain ``word`` (in python_files' order).

        Planners look up every missing name in every file; on a 30,000-test suite that is a few
        hundred names times a few thousand files, so each word is looked up once per snapshot.
        """
        if word not in self._mentions:
            needle = word.encode()
            self._mentions[word] = tuple(
                path for path in self._python_files if needle in (self.source(path) or b"")
            )
        return self._mentions[word]

    @cached_property
    def _mentions(self) -> dict[str, tuple[Path, ...]]:
        return {}

    def editable(self, path: Path) -> Optional[str]:
        """None when collect-fix may write ``path``, else the reason it may not."""
        try:
            real = path.resolve()
        except (RuntimeError, OSError):  # a link loop (Python < 3.13 raises RuntimeError)
            return f"{path} is a symlink loop"
        try:
            relative = real.relative_to(self.root.resolve())
        except ValueError:
            if real != Path(os.path.normpath(path.absolute())):
                return f"{path} is a link to {real}, outside the project root: never written through"
            return f"{path} is outside the project root"
        if any(part in EXCLUDED_DIRS for part in relative.parts[:-1]):
            return f"{relative} is in a virtualenv, VCS, build or cache directory"
        if path.is_file():
            # Anywhere in the file, as LibCST's own runner looks for its generated_code_marker.
            try:
                with path.open("rb") as handle:
                    if GENERATED_MARKER in handle.read():
                        return f"{relative} is marked @generated"
            except OSError as exc:
                return f"{relative} cannot be read: {exc.strerror or exc}"
        return None


def _matches(pattern: str, path: Path) -> bool:
    """pytest's fnmatch_ex: a pattern without a separator matches the file name only."""
    if "/" not in pattern and os.sep not in pattern:
        return fnmatch.fnmatch(path.name, pattern)
    return fnmatch.fnmatch(path.as_posix(), pattern if pattern.startswith("*") else f"*{pattern}")


def _has_modules(directory: Path) -> bool:
    return any(child.suffix == ".py" for child in directory.iterdir())


def _holds_python(directory: Path) -> bool:
    if os.path.isfile(directory / "__init__.py"):
        return True
    try:
        return any(child.suffix == ".py" or (child / "__init__.py").is_file() for child in directory.iterdir())
    except OSError:
        return False


def _is_regular_file(path: Path) -> bool:
    """A file that can be read to its end: a FIFO named ``x.py`` would block every reader forever;
    a dangling link or a link loop has nothing to read (links to regular files count)."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _is_venv(directory: Path) -> bool:
    # os.path.isfile: False, not PermissionError, inside a directory this user may not search.
    return os.path.isfile(directory / "pyvenv.cfg")


def pytest_pythonpath(project: Project) -> tuple[str, ...]:
    """The project's directories on pytest's ``pythonpath`` (absolute), from the file pytest reads."""
    from collect_fix import (
        pytest_config,  # imported here: pytest_config builds on Project
    )

    root = project.root.resolve()
    entries = pytest_config.pythonpath(pytest_config.configuration(project))
    return tuple(str(entry) for entry in entries if entry == root or root in entry.parents)
