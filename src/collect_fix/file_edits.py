"""Edits that are not Python code: new empty files and format-preserving config edits.

Each takes the file's current bytes (None when it does not exist yet), its path and keyword
arguments, and returns the new bytes. Each is idempotent: run on its own output, it returns
those bytes unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from collect_fix import pytest_config

FileEdit = Callable[..., bytes]


def create_empty(source: Optional[bytes], path: Path) -> bytes:
    """An empty file (``__init__.py`` of a new or missing package); an existing file is kept."""
    return source if source is not None else b""


EDITS: dict[str, FileEdit] = {
    "create_empty": create_empty,
    # args: marker (str), description (str); the file pytest read (pytest_config.configuration)
    "register_marker": pytest_config.register_marker,
    # args: entry (str), a directory relative to the config file, e.g. "src"
    "add_pythonpath": pytest_config.add_pythonpath,
}

# Configuration edits whose effect on collection reaches only the files that failed for want of
# them: registering a marker turns "'slow' not found in markers" errors into nothing, and changes
# no other file's result. Any other configuration edit means collecting everything again.
LOCAL_EDITS = frozenset({"register_marker"})
