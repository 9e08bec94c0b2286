"""How the project sorts its imports: its ruff or isort settings, the section of a module, sort keys.

The codemods add imports where ``ruff check --select I`` (or isort, with the same settings) expects
them, so a file that passed before still passes. The settings are read from the configuration
nearest the edited file, found the way the tools find theirs: ``.ruff.toml``, ``ruff.toml`` or a
``pyproject.toml`` with ``[tool.ruff]``; else ``.isort.cfg``, ``pyproject.toml [tool.isort]``,
``setup.cfg``/``tox.ini [isort]``. Without either, ruff's defaults apply, rooted at the nearest
project marker (where ``ruff check`` is usually run). The keys follow ruff's (isort's are the
same comparison: case-insensitive modules, constants then classes then the rest for names,
numbers compared as numbers).
"""

from __future__ import annotations

import configparser
import enum
import fnmatch
import os
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

if sys.version_info >= (3, 11):
    import tomllib

    def _read_toml(path: Path) -> dict[str, Any]:
        return tomllib.loads(path.read_text(encoding="utf-8"))
else:  # pragma: no cover - Python 3.9/3.10
    import tomlkit

    def _read_toml(path: Path) -> dict[str, Any]:
        return dict(tomlkit.parse(path.read_text(encoding="utf-8")).unwrap())


class Section(enum.IntEnum):
    """isort's default sections, in their default order."""

    FUTURE = 0
    STANDARD_LIBRARY = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL_FOLDER = 4


# Removed from the standard library in 3.12/3.13; still the standard library for ruff and isort
# in a project that supports older Pythons, which is nearly every project.
_REMOVED_STDLIB = frozenset(
    "aifc asynchat asyncore audioop cgi cgitb chunk crypt distutils imghdr imp lib2to3 mailcap msilib "
    "nis nntplib ossaudiodev pipes smtpd sndhdr spwd sunau telnetlib uu xdrlib".split()
)
_PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
_ISORT_PROFILES: dict[str, dict[str, Any]] = {
    "black": {"multi_line_output": 3, "include_trailing_comma": True, "line_length": 88},
    "django": {"multi_line_output": 5, "include_trailing_comma": True, "line_length": 79, "combine_as_imports": True},
    "google": {
        "force_single_line": True, "force_sort_within_sections": True, "order_by_type": False,
        "single_line_exclusions": ["typing"],
    },
    "attrs": {
        "multi_line_output": 3, "include_trailing_comma": True, "lines_after_imports": 2, "lines_between_types": 1,
    },
    "pycharm": {"multi_line_output": 3, "lines_after_imports": 2},
    "hug": {"multi_line_output": 3, "include_trailing_comma": True, "line_length": 100},
}


def _stdlib_names() -> frozenset[str]:
    names = getattr(sys, "stdlib_module_names", None)
    if names is None:  # Python 3.9: the modules beside os.py, and the built-in ones
        import pkgutil

        stdlib = os.path.dirname(os.__file__)
        found = pkgutil.iter_modules([stdlib, os.path.join(stdlib, "lib-dynload")])
        names = {info.name for info in found} | set(sys.builtin_module_names)
    return frozenset(names) | _REMOVED_STDLIB


STDLIB = _stdlib_names()


class Wrap(str, enum.Enum):
    VERTICAL = "vertical"  # ruff, black profile: one name per line, trailing comma
    GRID = "grid"  # isort's default: names fill lines aligned after the opening parenthesis


@dataclass(frozen=True)
class ImportStyle:
    """The settings that decide where an import goes and how it is written."""

    tool: str = "ruff"  # ruff | isort | none (no file to place the project by)
    src: tuple[Path, ...] = ()  # directories whose children are first-party
    known: tuple[tuple[str, Section], ...] = ()  # known-first-party & co, as (pattern, section)
    same_package: Optional[str] = None  # the edited file's top-level package (detect-same-package)
    force_single_line: bool = False
    single_line_exclusions: frozenset[str] = frozenset()
    force_sort_within_sections: bool = False
    case_sensitive: bool = False
    order_by_type: bool = True
    from_first: bool = False
    combine_as: bool = False
    force_to_top: frozenset[str] = frozenset()
    relative_closest_first: bool = False  # ruff's relative-imports-order = closest-to-furthest
    line_length: int = 88
    lines_after_imports: int = -1  # -1: two before a class or function, else one
    lines_between_types: int = 0
    wrap: Wrap = Wrap.VERTICAL
    trailing_comma: bool = True
    indent: str = "    "
    constants: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    variables: frozenset[str] = frozenset()

    def section(self, module: str, level: int = 0) -> Section:
        """The section ruff files ``module`` under (``level``: leading dots of a relative import)."""
        base = module.partition(".")[0]
        if not level and base == "__future__":
            return Section.FUTURE
        if level:
            return Section.LOCAL_FOLDER
        known = self._known(module)
        if known is not None:
            return known
        if base in STDLIB:
            return Section.STANDARD_LIBRARY
        if base and base == self.same_package:
            return Section.FIRST_PARTY
        if base and any(self._in_source(root, module) for root in self.src):
            return Section.FIRST_PARTY
        return Section.THIRD_PARTY

    def single_line(self, module: str) -> bool:
        return self.force_single_line and module not in self.single_line_exclusions

    def module_key(
        self, module: str, level: int, asname: Optional[str], first: Optional[tuple[str, Optional[str]]]
    ) -> tuple[Any, ...]:
        """ruff's ModuleKey: what orders two import statements of one section (``module`` is
        empty in ``from . import x``)."""
        distance = level if self.relative_closest_first else -level
        lowered = None if self.case_sensitive or not module else _natural(module.lower())
        first_key = None if first is None else self.member_key(*first)
        return (
            module not in self.force_to_top,
            distance,
            _optional(lowered),
            _optional(_natural(module) if module else None),
            _optional(first_key),
            _optional(None if asname is None else _natural(asname)),
        )

    def member_key(self, name: str, asname: Optional[str] = None) -> tuple[Any, ...]:
        """ruff's MemberKey: what orders the names of one ``from m import ...``."""
        kind = self._member_type(name) if self.order_by_type else 0
        lowered = None if self.case_sensitive else _natural(name.lower())
        aliased = None if asname is None else _natural(asname)
        return (name != "*", kind, _optional(lowered), _natural(name), _optional(aliased))

    def _member_type(self, name: str) -> int:
        if name in self.constants:
            return 0
        if name in self.classes:
            return 1
        if name in self.variables:
            return 2
        if len(name) > 1 and name.isupper():
            return 0
        return 1 if name[:1].isupper() else 2

    def _in_source(self, root: Path, module: str) -> bool:
        """ruff resolves the whole dotted path under a source root; isort only the top-level name."""
        parts = module.split(".") if self.tool == "ruff" else module.split(".")[:1]
        path = root.joinpath(*parts)
        return path.is_dir() or any(path.with_name(f"{parts[-1]}{suffix}").is_file() for suffix in (".py", ".pyi"))

    def _known(self, module: str) -> Optional[Section]:
        parts = module.split(".")
        for length in range(len(parts), 0, -1):
            prefix = ".".join(parts[:length])
            for pattern, section in self.known:
                if fnmatch.fnmatchcase(prefix, pattern):
                    return section
        return None


def for_file(filename: Optional[str]) -> ImportStyle:
    """The import style of the project holding ``filename`` (relative to the working directory)."""
    if not filename:
        return ImportStyle(tool="none")
    path = Path(filename).resolve()
    directories = _upwards(path.parent)
    style = _ruff_style(directories) or _isort_style(directories)
    if style is None:
        root = next((d for d in directories if any((d / marker).exists() for marker in _PROJECT_MARKERS)), None)
        style = ImportStyle(src=(root, root / "src") if root is not None else ())
    return replace(style, same_package=_top_package(path) if style.tool == "ruff" else None)


def _upwards(start: Path) -> list[Path]:
    """``start`` and its parents, up to and including the first one under version control."""
    found = []
    for directory in (start, *start.parents):
        found.append(directory)
        if (directory / ".git").exists() or (directory / ".hg").exists():
            break
    return found


def _ruff_style(directories: Sequence[Path]) -> Optional[ImportStyle]:
    for directory in directories:
        for name in (".ruff.toml", "ruff.toml", "pyproject.toml"):
            candidate = directory / name
            if not candidate.is_file():
                continue
            data = _toml(candidate)
            if name == "pyproject.toml":
                if "ruff" not in data.get("tool", {}):
                    continue
                data = data["tool"]["ruff"]
            return _from_ruff(directory, data)
    return None


def _from_ruff(root: Path, data: Mapping[str, Any]) -> ImportStyle:
    lint = data.get("lint", {})
    isort = {**data.get("isort", {}), **lint.get("isort", {})}
    src = tuple(root / entry for entry in data.get("src", [".", "src"]))
    known = _known_sections(
        isort, {"known-first-party": Section.FIRST_PARTY, "known-third-party": Section.THIRD_PARTY,
                "known-local-folder": Section.LOCAL_FOLDER, "extra-standard-library": Section.STANDARD_LIBRARY}
    )
    indent = data.get("indent-width", 4)
    return ImportStyle(
        tool="ruff",
        src=src,
        known=known,
        force_single_line=bool(isort.get("force-single-line", False)),
        single_line_exclusions=frozenset(isort.get("single-line-exclusions", ())),
        force_sort_within_sections=bool(isort.get("force-sort-within-sections", False)),
        case_sensitive=bool(isort.get("case-sensitive", False)),
        order_by_type=bool(isort.get("order-by-type", True)),
        from_first=bool(isort.get("from-first", False)),
        combine_as=bool(isort.get("combine-as-imports", False)),
        force_to_top=frozenset(isort.get("force-to-top", ())),
        relative_closest_first=isort.get("relative-imports-order") == "closest-to-furthest",
        line_length=int(data.get("line-length", 88)),
        lines_after_imports=int(isort.get("lines-after-imports", -1)),
        lines_between_types=int(isort.get("lines-between-types", 0)),
        indent=" " * int(indent) if isinstance(indent, int) else "    ",
        constants=frozenset(isort.get("constants", ())),
        classes=frozenset(isort.get("classes", ())),
        variables=frozenset(isort.get("variables", ())),
    )


def _isort_style(directories: Sequence[Path]) -> Optional[ImportStyle]:
    for directory in directories:
        for name in (".isort.cfg", "pyproject.toml", "setup.cfg", "tox.ini"):
            candidate = directory / name
            if not candidate.is_file():
                continue
            settings = _isort_settings(candidate)
            if settings is not None:
                return _from_isort(directory, settings)
    return None


def _isort_settings(path: Path) -> Optional[dict[str, Any]]:
    """The isort table of one configuration file, keys with underscores; None when it has none."""
    if path.suffix == ".toml":
        table = _toml(path).get("tool", {}).get("isort")
        return None if table is None else {key.replace("-", "_"): value for key, value in table.items()}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    for section in ("settings", "isort", "tool:isort"):
        if parser.has_section(section):
            return {key.replace("-", "_"): _ini_value(value) for key, value in parser.items(section)}
    return None


def _ini_value(text: str) -> Any:
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _from_isort(root: Path, raw: Mapping[str, Any]) -> ImportStyle:
    settings = {**_ISORT_PROFILES.get(str(raw.get("profile", "")), {}), **raw}
    known = _known_sections(
        settings, {"known_first_party": Section.FIRST_PARTY, "known_third_party": Section.THIRD_PARTY,
                   "known_local_folder": Section.LOCAL_FOLDER, "extra_standard_library": Section.STANDARD_LIBRARY}
    )
    src = tuple(root / entry for entry in _list(settings.get("src_paths"))) or (root / "src", root)
    mode = settings.get("multi_line_output", 0)
    vertical = mode in (3, "3", "VERTICAL_HANGING_INDENT")
    return ImportStyle(
        tool="isort",
        src=src,
        known=known,
        force_single_line=bool(settings.get("force_single_line", False)),
        single_line_exclusions=frozenset(_list(settings.get("single_line_exclusions"))),
        force_sort_within_sections=bool(settings.get("force_sort_within_sections", False)),
        case_sensitive=bool(settings.get("case_sensitive", False)),
        order_by_type=bool(settings.get("order_by_type", True)),
        combine_as=bool(settings.get("combine_as_imports", False)),
        force_to_top=frozenset(_list(settings.get("force_to_top"))),
        line_length=int(settings.get("line_length", 79)),
        lines_after_imports=int(settings.get("lines_after_imports", -1)),
        lines_between_types=int(settings.get("lines_between_types", 0)),
        wrap=Wrap.VERTICAL if vertical else Wrap.GRID,
        trailing_comma=bool(settings.get("include_trailing_comma", False)),
        constants=frozenset(_list(settings.get("constants"))),
        classes=frozenset(_list(settings.get("classes"))),
        variables=frozenset(_list(settings.get("variables"))),
    )


def _known_sections(settings: Mapping[str, Any], keys: Mapping[str, Section]) -> tuple[tuple[str, Section], ...]:
    return tuple((pattern, section) for key, section in keys.items() for pattern in _list(settings.get(key)))


def _list(value: Any) -> list[str]:
    """A list setting: a TOML array, or a comma/newline-separated string from an INI file."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]
    return [str(item) for item in value]


def _toml(path: Path) -> dict[str, Any]:
    try:
        return _read_toml(path)
    except (OSError, ValueError):  # unreadable or invalid: as if the file said nothing
        return {}


def _top_package(path: Path) -> Optional[str]:
    """The outermost package directory holding ``path`` (ruff's detect-same-package)."""
    top = None
    directory = path.parent
    while (directory / "__init__.py").is_file():
        top = directory.name
        if directory.parent == directory:
            break
        directory = directory.parent
    return top


def _natural(text: str) -> tuple[Any, ...]:
    """Natural order, as ruff's natord: runs of digits compare as numbers."""
    return tuple(int(part) if index % 2 else part for index, part in enumerate(re.split(r"(\d+)", text)))


def _optional(value: Optional[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Rust orders None before Some: keep that in a Python tuple comparison."""
    return (0,) if value is None else (1, value)

