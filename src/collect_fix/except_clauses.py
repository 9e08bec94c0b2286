"""What an ``except`` clause catches, read statically: its names, not the classes they bind."""

from __future__ import annotations

import ast
from typing import Optional


def catches(kind: Optional[ast.expr], names: frozenset[str]) -> bool:
    """Whether ``except kind:`` catches an exception of one of ``names`` (a bare ``except``
    catches everything; ``except (A, B)`` either; ``except errors.A`` reads as ``A``)."""
    if kind is None:
        return True
    if isinstance(kind, ast.Tuple):
        return any(catches(each, names) for each in kind.elts)
    if isinstance(kind, ast.Name):
        return kind.id in names
    return isinstance(kind, ast.Attribute) and kind.attr in names
