"""Small node helpers several codemods share."""

from __future__ import annotations

import libcst as cst


def code_of(node: cst.CSTNode) -> str:
    """The source code of ``node`` as LibCST would write it."""
    return cst.Module(body=[]).code_for_node(node)


def one_line(node: cst.CSTNode) -> str:
    """The code of ``node`` on one line, for messages and reasons."""
    return " ".join(code_of(node).split())
