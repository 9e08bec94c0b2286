"""``[tool.collect-fix]`` in the project's pyproject.toml; command-line options win over it.

Values are checked here, once, with the same rules the command line uses (``check_timeout``,
``check_max_rounds``), so a bad value is one clear error naming the file, never a late traceback.
"""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any, Callable, Optional, Union

import tomlkit

KNOWN_KEYS: dict[str, Union[type, tuple[type, ...]]] = {
    "python": str,
    "timeout": (int, float),
    "max-rounds": int,
    "rewrite-imports": bool,
    "skip-missing-deps": bool,
    "run-tests": bool,
    "pytest-args": list,
}


class ConfigError(Exception):
    """The configuration is unreadable or has a wrong type or value; the message names the file."""


def check_timeout(value: float) -> Optional[str]:
    """Why ``value`` is not a usable timeout, or None. 0 is refused rather than read as "no
    limit": a collection that hangs must always be stopped, named and left out."""
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        return f"must be a positive number of seconds, got {value!r}"
    return None


def check_max_rounds(value: int) -> Optional[str]:
    if value < 1:
        return f"must be at least 1, got {value!r}"
    return None


def _check_pytest_args(value: list[Any]) -> Optional[str]:
    if not all(isinstance(item, str) for item in value):
        return f"must be a list of strings, got {value!r}"
    return None


_CHECKS: dict[str, Callable[[Any], Optional[str]]] = {
    "timeout": check_timeout,
    "max-rounds": check_max_rounds,
    "pytest-args": _check_pytest_args,
}


def read_config(root: Path) -> tuple[dict[str, Any], list[str]]:
    """The checked ``[tool.collect-fix]`` table and warnings (unknown keys, with a suggestion)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return {}, []
    try:
        data = tomlkit.parse(pyproject.read_text(encoding="utf-8")).unwrap()
    except Exception as exc:
        raise ConfigError(f"{pyproject}: cannot parse: {_one_line(exc)}") from exc
    table = data.get("tool", {}).get("collect-fix", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.collect-fix] must be a table")
    warnings = []
    config: dict[str, Any] = {}
    for key, value in table.items():
        expected = KNOWN_KEYS.get(key)
        if expected is None:
            warnings.append(f"{pyproject}: unknown key [tool.collect-fix] {key!r} ignored{_suggestion(key)}")
            continue
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ConfigError(f"{pyproject}: [tool.collect-fix] {key} has the wrong type: {value!r}")
        problem = _CHECKS[key](value) if key in _CHECKS else None
        if problem:
            raise ConfigError(f"{pyproject}: [tool.collect-fix] {key} {problem}")
        config[key] = value
    return config, warnings


def _suggestion(key: str) -> str:
    spelled = key.replace("_", "-").lower()
    close = difflib.get_close_matches(spelled, list(KNOWN_KEYS), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
