"""The file pytest takes its configuration from, what it says, and edits to it.

pytest reads exactly one file, so an edit anywhere else changes nothing, and a new file closer to
the tests would hide it (a monorepo's root configuration, shadowed by a sub-project's new
pytest.ini). Which file that is, pytest itself reports (the probe's ``inifile``); before any
collection it is found here the way pytest finds it. TOML is edited with tomlkit and INI line by
line; both keep every comment and the order of everything they do not touch (configparser would
drop the comments).
"""

from __future__ import annotations

import difflib
import posixpath
import re
import shlex
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import tomlkit
from tomlkit.container import Container
from tomlkit.items import Array

if TYPE_CHECKING:
    from collect_fix.project import Project

# The files pytest 9 looks for in each directory, in its precedence order. pytest 8 knows all but
# the TOML pair.
CONFIG_FILES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
# pytest takes these as the configuration even when they hold no pytest section.
_ALWAYS_READ = frozenset({"pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini"})

RawValue = Union[str, list[str]]


@dataclass(frozen=True)
class PytestConfig:
    """The file pytest takes its configuration from, or where a new one goes when it reads none.

    ``file`` is where it is in the tree being repaired. ``path`` is how a person finds it: relative
    to the project root inside it (an ``Edit`` path), else absolute, in the original tree also for
    a dry run's copy. ``section`` is the table or INI section pytest reads in it:
    ``tool.pytest.ini_options``, ``tool.pytest`` (pytest 9's native TOML table), ``pytest`` or
    ``tool:pytest``. ``exists`` is False when that section (or the whole file) has still to be
    written. ``inside``: the file is in the project, the only place collect-fix writes.
    """

    file: Path
    path: str
    section: str
    exists: bool
    inside: bool

    @property
    def label(self) -> str:
        """How a person finds it: ``pyproject.toml [tool.pytest.ini_options]``."""
        return f"{self.path} [{self.section}]"


def find(start: Path) -> Optional[Path]:
    """The file pytest reads when run in ``start`` without arguments, found as pytest finds it.

    In ``start`` and then each parent, the first of ``CONFIG_FILES`` that holds a pytest section
    (or is read regardless); failing that anywhere, the nearest pyproject.toml (pytest >= 8.1).
    None when there is none. Files that cannot be read or parsed are skipped.
    """
    nearest_pyproject: Optional[Path] = None
    for directory in (start, *start.parents):
        for name in CONFIG_FILES:
            text = _read(directory / name)
            if text is None:
                continue
            if name == "pyproject.toml" and nearest_pyproject is None:
                nearest_pyproject = directory / name
            try:
                section = _section_in(name, text)
            except Exception:  # a file pytest could not parse either; the next one may still decide
                continue
            if section is not None or name in _ALWAYS_READ:
                return directory / name
    return nearest_pyproject


@lru_cache(maxsize=4)  # keyed on the Project object: one per tree snapshot, as Project's own caches
def configuration(project: Project) -> PytestConfig:
    """The configuration pytest used for ``project``: the file it reported, else the one it would find.

    Only when it read no file at all may one be created, at the project root: pytest's rootdir
    then, unless a ``setup.py`` above the project puts it there, where collect-fix writes nothing.
    That is a pytest table in the project's pyproject.toml (a pytest older than 8.1 reads none
    without it), else a new pytest.ini.
    """
    if project.inifile is None:
        used = find(project.root)
    else:
        used = Path(project.inifile) if project.inifile else None
    if used is None:
        used = project.root / ("pyproject.toml" if (project.root / "pyproject.toml").is_file() else "pytest.ini")
    root = project.root.resolve()
    file = used.resolve()
    inside = file == root or root in file.parents
    path = file.relative_to(root).as_posix() if inside else str(_in_original(project, file))
    text = _read(file)
    try:
        section = _section_in(file.name, text) if text is not None else None
    except Exception:  # unparsable: editing it fails later with the parser's message
        section = None
    return PytestConfig(file, path, section or _default_section(file.name), section is not None, inside)


def _in_original(project: Project, file: Path) -> Path:
    """Where ``file``, outside the project, is for the person running collect-fix.

    A dry run works on a copy that mirrors the folders above the project up to pytest's
    configuration (see scratch.py); the original's counterpart is named when it holds the same
    bytes. Anything else is the same file for both.
    """
    root = project.root.resolve()
    original = (project.history_root or project.root).resolve()
    for parent, counterpart in zip(root.parents, original.parents):
        if parent in file.parents:
            candidate = counterpart / file.relative_to(parent)
            content = _read_bytes(file)
            if candidate != file and content is not None and _read_bytes(candidate) == content:
                return candidate
            break
    return file


def read_option(config: PytestConfig, name: str) -> Optional[RawValue]:
    """The raw value of ini option ``name`` in the configuration file, or None."""
    text = _read(config.file) if config.exists else None
    return _options(config.file.name, config.section, text).get(name) if text is not None else None


@lru_cache(maxsize=16)
def _options(name: str, section: str, text: str) -> dict[str, RawValue]:
    """Every option of ``section``, parsed once per content (planners ask per diagnosis)."""
    if name.endswith(".toml"):
        table = _toml_table(tomlkit.parse(text), tuple(section.split(".")))
        options: dict[str, RawValue] = {}
        for key, item in (table or {}).items():
            value = item.unwrap() if hasattr(item, "unwrap") else item
            if value is not None:
                options[str(key)] = [str(entry) for entry in value] if isinstance(value, list) else str(value)
        return options
    scanned = _scan_ini(text.splitlines(keepends=True)).get(section)
    return {key: "\n".join(value.value) for key, value in scanned.keys.items()} if scanned is not None else {}


def as_lines(value: Optional[RawValue]) -> list[str]:
    """A ``linelist`` option (markers) as pytest reads it."""
    if value is None:
        return []
    if isinstance(value, list):
        return list(value)
    return [stripped for line in value.split("\n") if (stripped := line.strip())]


def as_args(value: Optional[RawValue]) -> list[str]:
    """An ``args`` or ``paths`` option (addopts, pythonpath) as pytest reads it."""
    if value is None:
        return []
    if not isinstance(value, str):
        return list(value)
    try:
        return shlex.split(value)
    except ValueError:  # an unbalanced quote: pytest would refuse it too, but planning goes on
        return value.split()


def marker_name(line: str) -> str:
    """``"skipif(condition): why"`` -> ``"skipif"``, the way pytest reads a markers line."""
    return line.split(":", 1)[0].split("(")[0].strip()


def registered_markers(config: PytestConfig) -> tuple[str, ...]:
    return tuple(marker_name(line) for line in as_lines(read_option(config, "markers")))


def pythonpath(config: PytestConfig) -> tuple[Path, ...]:
    """The ``pythonpath`` directories, resolved as pytest does: against the file's folder."""
    return tuple((config.file.parent / entry).resolve() for entry in as_args(read_option(config, "pythonpath")))


def doctest_modules(config: PytestConfig, extra_args: tuple[str, ...] = ()) -> bool:
    """Whether pytest collects every module for its doctests (``--doctest-modules``)."""
    return "--doctest-modules" in (*as_args(read_option(config, "addopts")), *extra_args)


def import_mode(config: PytestConfig, extra_args: tuple[str, ...] = ()) -> str:
    """The ``--import-mode`` pytest runs with: addopts, then ``extra_args`` (the command line)."""
    mode = "prepend"
    args = [*as_args(read_option(config, "addopts")), *extra_args]
    for index, arg in enumerate(args):
        if arg.startswith("--import-mode="):
            mode = arg.partition("=")[2]
        elif arg == "--import-mode" and index + 1 < len(args):
            mode = args[index + 1]
    return mode


def edit_by_hand(config: PytestConfig, edit: Callable[..., bytes], **kwargs: Any) -> Optional[str]:
    """The lines ``edit`` would change in a file collect-fix may not write, said for a person:
    "after line 4 add `markers =`, `    slow`". None when the file cannot be read or edited."""
    try:
        source = config.file.read_bytes() if config.file.is_file() else None
        before = (source or b"").decode("utf-8")
        after = edit(source, config.file, **kwargs).decode("utf-8")
    except Exception:  # unreadable or unparsable: the caller falls back to naming the option
        return None
    old, new = before.splitlines(), after.splitlines()
    steps = []
    for tag, start, end, new_start, new_end in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        lines = ", ".join(f"`{line}`" for line in new[new_start:new_end] if line.strip())  # blank lines: any
        if not lines:
            continue
        if tag == "insert" and not old:
            steps.append(f"create it with {lines}")
        elif tag == "insert":
            steps.append(f"after line {start} add {lines}" if start else f"at the top add {lines}")
        elif tag == "replace":
            where = f"line {start + 1}" if end - start == 1 else f"lines {start + 1}-{end}"
            steps.append(f"replace {where} with {lines}")
    return "; ".join(steps) or None


# -- edits (the signatures of collect_fix.file_edits) ------------------------------------------


def register_marker(source: Optional[bytes], path: Path, marker: str, description: str = "") -> bytes:
    """Add ``marker`` to the ``markers`` option of the config file ``path``; a no-op if present."""
    if not marker.isidentifier():
        raise ValueError(f"{marker!r} is not a marker name")
    description = " ".join(description.split())  # one line: INI values end at a newline
    line = f"{marker}: {description}" if description else marker

    def present(lines: list[str]) -> bool:
        return marker in {marker_name(existing) for existing in lines}

    return _add_to_option(source, path, "markers", line, present, one_per_line=True)


def add_pythonpath(source: Optional[bytes], path: Path, entry: str) -> bytes:
    """Add ``entry`` to the ``pythonpath`` option of the config file ``path``; a no-op if present."""

    def present(entries: list[str]) -> bool:
        return _same_path(entry) in {_same_path(existing) for existing in entries}

    return _add_to_option(source, path, "pythonpath", entry, present, one_per_line=False)


def _same_path(entry: str) -> str:
    return posixpath.normpath(entry.replace("\\", "/"))


def _add_to_option(
    source: Optional[bytes],
    path: Path,
    option: str,
    item: str,
    present: Callable[[list[str]], bool],
    *,
    one_per_line: bool,
) -> bytes:
    text = source.decode("utf-8") if source is not None else ""
    if path.suffix == ".toml":
        new_text = _toml_add(text, path.name, option, item, present, one_per_line)
    else:
        section = "tool:pytest" if path.suffix == ".cfg" else "pytest"
        new_text = _ini_add(text, section, option, item, present, one_per_line)
    if new_text == text:
        return source if source is not None else b""
    return new_text.encode("utf-8")


# -- TOML --------------------------------------------------------------------------------------


def _toml_add(
    text: str, name: str, option: str, item: str, present: Callable[[list[str]], bool], one_per_line: bool
) -> str:
    document = tomlkit.parse(text)
    header = _toml_header(name, document)
    table = _toml_table(document, header)
    if table is None:
        return _append_toml_table(text, header, option, _new_array(item, one_per_line))
    current = table.get(option)
    if current is None:
        table[option] = _new_array(item, one_per_line)
    elif isinstance(current, Array):
        if present([str(value) for value in current]):
            return text
        _append_item(current, item)
    elif isinstance(current, str):  # ini-mode tables also take a plain string
        if present(as_lines(current) if one_per_line else as_args(current)):
            return text
        table[option] = f"{current}\n{item}" if one_per_line else f"{current} {item}"
    else:
        raise ValueError(f"{option} in {name} is neither a list nor a string")
    return _keep_line_endings(text, document.as_string())


def _keep_line_endings(before: str, after: str) -> str:
    r"""tomlkit writes new lines with \n; a file that uses \r\n throughout keeps doing so."""
    if "\r\n" in before and "\n" not in before.replace("\r\n", ""):
        return re.sub(r"(?<!\r)\n", "\r\n", after)
    return after


def _append_item(array: Array, item: str) -> None:
    """Append in the array's own layout: one item per line, indented like the others, if it is."""
    lines = array.as_string().splitlines()
    if len(lines) < 2:
        array.append(item)
        return
    indents = [line[: len(line) - len(line.lstrip())] for line in lines[1:] if line.strip() not in ("", "]")]
    array.add_line(item, indent=indents[0] if indents else "    ")


def _toml_header(name: str, document: Container) -> tuple[str, ...]:
    """The table pytest reads in this TOML file, whether or not it exists yet."""
    if name in ("pytest.toml", ".pytest.toml") or (name != "pyproject.toml" and "pytest" in document):
        return ("pytest",)
    tool_pytest = document.get("tool", {}).get("pytest", {})
    if any(key != "ini_options" for key in tool_pytest):
        return ("tool", "pytest")
    return ("tool", "pytest", "ini_options")


def _toml_table(document: Container, header: tuple[str, ...]) -> Optional[MutableMapping[str, Any]]:
    """The table at ``header``; a mapping, since tables split across the file come as a proxy."""
    node: Any = document
    for key in header:
        if not isinstance(node, MutableMapping) or key not in node:
            return None
        node = node[key]
    return node if isinstance(node, MutableMapping) else None


def _new_array(item: str, one_per_line: bool) -> Array:
    array = tomlkit.array()
    array.append(item)
    return array.multiline(True) if one_per_line else array


def _append_toml_table(text: str, header: tuple[str, ...], option: str, value: Array) -> str:
    """Add the table as text at the end, where a person would: tomlkit would nest it mid-file."""
    newline = "\r\n" if "\r\n" in text else "\n"
    block = f"[{'.'.join(header)}]\n{option} = {value.as_string()}\n".replace("\n", newline)
    return _append_block(text, block, newline)


def _append_block(text: str, block: str, newline: str) -> str:
    if text and not text.endswith(("\n", "\r")):
        text += newline
    if text.strip() and not text.endswith(newline * 2):
        text += newline
    return text + block


# -- INI ---------------------------------------------------------------------------------------


@dataclass
class _IniKey:
    lines: list[int]  # the key's own line, then its continuation lines
    value: list[str]  # its value lines, as iniconfig (pytest's INI parser) reads them


@dataclass
class _IniSection:
    header: int
    end: int  # its last line that is neither blank nor a comment
    keys: dict[str, _IniKey] = field(default_factory=dict)


def _scan_ini(lines: list[str]) -> dict[str, _IniSection]:
    """Sections and keys with their line numbers, read the way iniconfig reads them.

    Blank and comment lines are skipped and do not end a value: an indented line after them
    still continues the last key.
    """
    sections: dict[str, _IniSection] = {}
    section: Optional[_IniSection] = None
    key: Optional[_IniKey] = None
    for index, raw in enumerate(lines):
        line = raw.rstrip()
        if not line or line.lstrip()[:1] in ("#", ";"):
            continue
        if line[0] == "[":
            header = line
            for comment in "#;":
                header = header.split(comment)[0].rstrip()
            if header.endswith("]"):
                section = sections.setdefault(header[1:-1], _IniSection(index, index))
                key = None
                continue
        if line[0].isspace() or line[0] == "[":
            if key is not None:
                key.lines.append(index)
                key.value.append(line.strip())
        else:
            name, value = _split_key(line)
            key = _IniKey([index], [value] if value else [])
            if section is not None:
                section.keys.setdefault(name, key)
        if section is not None:
            section.end = index
    return sections


def _split_key(line: str) -> tuple[str, str]:
    name, equals, value = line.partition("=")
    if not equals or ":" in name:
        name, _, value = line.partition(":")
    return name.strip(), value.strip()


def _ini_add(
    text: str, section_name: str, option: str, item: str, present: Callable[[list[str]], bool], one_per_line: bool
) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    new_key = [f"{option} =", f"    {item}"] if one_per_line else [f"{option} = {item}"]
    section = _scan_ini(lines).get(section_name)
    if section is None:
        block = "".join(f"{line}{newline}" for line in (f"[{section_name}]", *new_key))
        return _append_block(text, block, newline)
    key = section.keys.get(option)
    if key is None:
        end = section.end
        while end + 1 < len(lines) and lines[end + 1][:1].isspace() and lines[end + 1].lstrip()[:1] in ("#", ";"):
            end += 1  # an indented comment belongs to the value above it (``; keep sorted``)
        return _insert_after(lines, end, new_key, newline)
    values = key.value if one_per_line else as_args("\n".join(key.value))
    if present(values):
        return text
    last = key.lines[-1]
    if one_per_line:
        indent = _indent(lines[last]) if last != key.lines[0] else "    "
        return _insert_after(lines, last, [f"{indent}{item}"], newline)
    body = lines[last].rstrip("\r\n")
    ending = lines[last][len(body):]
    lines[last] = f"{body.rstrip()} {item}{ending}"
    return "".join(lines)


def _insert_after(lines: list[str], index: int, new: list[str], newline: str) -> str:
    if not lines[index].endswith(("\n", "\r")):
        lines[index] += newline
    lines[index + 1:index + 1] = [f"{line}{newline}" for line in new]
    return "".join(lines)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


# -- reading -----------------------------------------------------------------------------------


def _read(path: Path) -> Optional[str]:
    data = _read_bytes(path)
    try:
        return data.decode("utf-8") if data is not None else None
    except UnicodeDecodeError:
        return None


def _read_bytes(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _section_in(name: str, text: str) -> Optional[str]:
    """The section pytest reads in this file, or None when the file has none."""
    if name.endswith(".toml"):
        document = tomlkit.parse(text)
        header = _toml_header(name, document)
        return ".".join(header) if _toml_table(document, header) is not None else None
    section = "tool:pytest" if name.endswith(".cfg") else "pytest"
    return section if section in _scan_ini(text.splitlines(keepends=True)) else None


def _default_section(name: str) -> str:
    if name.endswith(".toml"):
        return "pytest" if name in ("pytest.toml", ".pytest.toml") else "tool.pytest.ini_options"
    return "tool:pytest" if name.endswith(".cfg") else "pytest"
