"""Which file holds a project's pytest configuration, what it says, and edits to it.

pytest reads exactly one file: the first of ``CONFIG_FILES`` (its own precedence) that holds a
pytest section, so an edit anywhere else would change nothing. TOML is edited with tomlkit and
INI line by line; both keep every comment and the order of everything they do not touch
(configparser would drop the comments).
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union

import tomlkit
from tomlkit.container import Container
from tomlkit.items import Array

# The files pytest 9 looks for, in its precedence order. pytest 8 knows all but the TOML pair.
CONFIG_FILES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
# pytest takes these as the configuration even when they hold no pytest section.
_ALWAYS_READ = frozenset({"pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini"})

RawValue = Union[str, list[str]]


@dataclass(frozen=True)
class PytestConfig:
    """The file pytest takes its configuration from, ``path`` relative to the project root.

    ``section`` is the table or INI section pytest reads in it: ``tool.pytest.ini_options``,
    ``tool.pytest`` (pytest 9's native TOML table), ``pytest`` or ``tool:pytest``. ``exists`` is
    False when that section (or the whole file) has still to be written.
    """

    path: str
    section: str
    exists: bool

    @property
    def label(self) -> str:
        """How a person finds it: ``pyproject.toml [tool.pytest.ini_options]``."""
        return f"{self.path} [{self.section}]"


def locate(root: Path) -> PytestConfig:
    """The configuration pytest uses when run from ``root``, or where to create one.

    With no configuration at all, that is a new ``[tool.pytest.ini_options]`` in an existing
    pyproject.toml, else a new pytest.ini. Never raises for unreadable files: they are skipped.
    """
    for name in CONFIG_FILES:
        text = _read(root / name)
        if text is None:
            continue
        try:
            section = _section_in(name, text)
        except Exception:  # a file pytest could not parse either; the next one may still decide
            continue
        if section is not None:
            return PytestConfig(name, section, True)
        if name in _ALWAYS_READ:
            return PytestConfig(name, _default_section(name), False)
    if (root / "pyproject.toml").is_file():
        return PytestConfig("pyproject.toml", "tool.pytest.ini_options", False)
    return PytestConfig("pytest.ini", "pytest", False)


def read_option(root: Path, name: str) -> Optional[RawValue]:
    """The raw value of ini option ``name`` in the configuration pytest uses, or None."""
    config = locate(root)
    text = _read(root / config.path)
    if not config.exists or text is None:
        return None
    if config.path.endswith(".toml"):
        table = _toml_table(tomlkit.parse(text), tuple(config.section.split(".")))
        value = table.get(name) if table is not None else None
        value = value.unwrap() if value is not None and hasattr(value, "unwrap") else value
        if value is None:
            return None
        return [str(item) for item in value] if isinstance(value, list) else str(value)
    section = _scan_ini(text.splitlines(keepends=True)).get(config.section)
    key = section.keys.get(name) if section is not None else None
    return "\n".join(key.value) if key is not None else None


def as_lines(value: Optional[RawValue]) -> list[str]:
    """A ``linelist`` option (markers) as pytest reads it."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [stripped for line in value.split("\n") if (stripped := line.strip())]


def as_args(value: Optional[RawValue]) -> list[str]:
    """An ``args`` or ``paths`` option (addopts, pythonpath) as pytest reads it."""
    if value is None:
        return []
    if not isinstance(value, str):
        return value
    try:
        return shlex.split(value)
    except ValueError:  # an unbalanced quote: pytest would refuse it too, but planning goes on
        return value.split()


def marker_name(line: str) -> str:
    """``"skipif(condition): why"`` -> ``"skipif"``, the way pytest reads a markers line."""
    return line.split(":", 1)[0].split("(")[0].strip()


def registered_markers(root: Path) -> tuple[str, ...]:
    return tuple(marker_name(line) for line in as_lines(read_option(root, "markers")))


def pythonpath(root: Path) -> tuple[str, ...]:
    return tuple(as_args(read_option(root, "pythonpath")))


def import_mode(root: Path, extra_args: tuple[str, ...] = ()) -> str:
    """The ``--import-mode`` pytest runs with: addopts, then ``extra_args`` (the command line)."""
    mode = "prepend"
    args = [*as_args(read_option(root, "addopts")), *extra_args]
    for index, arg in enumerate(args):
        if arg.startswith("--import-mode="):
            mode = arg.partition("=")[2]
        elif arg == "--import-mode" and index + 1 < len(args):
            mode = args[index + 1]
    return mode


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
        return _insert_after(lines, section.end, new_key, newline)
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
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
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
