"""``[tool.collect-fix]`` in the project's pyproject.toml; command-line options win over it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Union

import tomlkit

KNOWN_KEYS: dict[str, Union[type, tuple[type, ...]]] = {
    "python": str,
    "timeout": (int, float),
    "max-rounds": int,
    "rewrite-imports": bool,
    "skip-missing-deps": bool,
    "pytest-args": list,
}


class ConfigError(Exception):
    """The configuration is unreadable or has a wrong type; the message names the file."""


def read_config(root: Path) -> tuple[dict[str, Any], list[str]]:
    """The raw ``[tool.collect-fix]`` table and warnings (unknown keys)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}, []
    try:
        data = tomlkit.parse(pyproject.read_text(encoding="utf-8")).unwrap()
    except Exception as exc:
        raise ConfigError(f"{pyproject}: cannot parse: {exc}") from exc
    table = data.get("tool", {}).get("collect-fix", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.collect-fix] must be a table")
    warnings = []
    config: dict[str, Any] = {}
    for key, value in table.items():
        expected = KNOWN_KEYS.get(key)
        if expected is None:
            warnings.append(f"{pyproject}: unknown key [tool.collect-fix] {key!r} ignored")
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{pyproject}: [tool.collect-fix] {key} has the wrong type: {value!r}")
        config[key] = value
    return config, warnings
