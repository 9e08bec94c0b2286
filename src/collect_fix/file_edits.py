"""Edits that are not Python code: new empty files and format-preserving config edits.

Each takes the file's current bytes (None when it does not exist yet), its path and keyword
arguments, and returns the new bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

FileEdit = Callable[..., bytes]


def create_empty(source: Optional[bytes], path: Path) -> bytes:
    """An empty file (``__init__.py`` of a new or missing package); an existing file is kept."""
    return source if source is not None else b""


EDITS: dict[str, FileEdit] = {
    "create_empty": create_empty,
}
