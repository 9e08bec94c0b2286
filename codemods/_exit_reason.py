"""The skip reason for an import-time exit, read off the code around it.

The exit's own message comes first, then the text printed just before it, then the condition that
guards it. A reason that moves to module level (a ``skipif`` mark) must not name anything bound
only in the block it came from, so that kind keeps static text only.
"""

from __future__ import annotations

import json
from typing import Mapping, Optional, Union

import libcst as cst

from ._common import one_line
from collect_fix.exits import ExitNode

Line = Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]  # a run of small statements
LINE_TYPES = (cst.SimpleStatementLine, cst.SimpleStatementSuite)
# The nodes whose ``body`` suite can hold a line (the Module aside).
BLOCK_OWNERS = (
    cst.BaseCompoundStatement, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase
)
MESSAGE_CALLS = frozenset({"builtins.print", "sys.stderr.write", "sys.stdout.write", "warnings.warn"})
_STRING = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
# Whitespace escapes at either end of an f-string's text ("...\n"): a reason is one clean line.
_EDGE_ESCAPES = ("\\n", "\\r", "\\t", " ")


class Reasons:
    """Reasons for the exits of one module (``names``: its QualifiedNameProvider metadata)."""

    def __init__(self, tree: cst.Module, names: Mapping[cst.CSTNode, object]) -> None:
        self.tree = tree
        self.names = names

    def reason(
        self, node: ExitNode, stmt: Optional[cst.BaseSmallStatement], line: Optional[Line], owner: Optional[cst.CSTNode],
        fallback: Optional[str] = None,
    ) -> cst.BaseExpression:
        """The exit message, else the printed text before it, else ``fallback``, else the call."""
        message = exit_message(node)
        if message is not None:
            return message
        if stmt is not None and line is not None:
            printed = self.printed(line, owner, stmt)
            if printed is not None:
                return printed
        if isinstance(owner, cst.If):
            return string(one_line(owner.test))
        if fallback is not None:
            return string(fallback)
        return string(f"{one_line(node)} at import time")

    def static_reason(
        self, node: ExitNode, stmt: cst.BaseSmallStatement, line: Optional[Line], owner: Optional[cst.CSTNode]
    ) -> Optional[cst.BaseExpression]:
        """Static text only: the reason moves to module level, away from the block's names."""
        candidate = exit_message(node)
        if candidate is None and line is not None:
            candidate = self.printed(line, owner, stmt)
        return None if candidate is None else literal_text(candidate)

    def printed(self, line: Line, owner: Optional[cst.CSTNode], stmt: cst.BaseSmallStatement) -> Optional[cst.BaseExpression]:
        """The first argument of the last message call before ``stmt`` in its block."""
        small = self.message_before(line, owner, stmt)
        if small is None:
            return None
        assert isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
        args = small.value.args
        value = args[0].value
        if len(args) > 1 and not isinstance(value, cst.FormattedString):
            return literal_text(value)  # "Failed to import:", e -> "Failed to import"
        return clean(value)

    def message_before(
        self, line: Line, owner: Optional[cst.CSTNode], stmt: cst.BaseSmallStatement
    ) -> Optional[cst.BaseSmallStatement]:
        """The last message call with a string first argument before ``stmt`` in its block."""
        smalls: list[cst.BaseSmallStatement] = []
        block = lines(owner.body) if isinstance(owner, BLOCK_OWNERS) else list(self.tree.body)
        for body_line in block:
            if isinstance(body_line, LINE_TYPES):
                smalls.extend(body_line.body)
                if body_line is line:
                    break
        for small in reversed(smalls[: smalls.index(stmt)] if stmt in smalls else []):
            if self.is_message(small):
                assert isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
                args = small.value.args
                if args and args[0].keyword is None and isinstance(args[0].value, _STRING):
                    return small
        return None

    def is_message(self, small: cst.BaseSmallStatement) -> bool:
        if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
            return False
        names = self.names.get(small.value.func, set())
        if callable(names):  # resolved lazily by LibCST
            names = names()
        assert isinstance(names, (set, frozenset))
        return any(name.name in MESSAGE_CALLS for name in names)


def exit_message(node: ExitNode) -> Optional[cst.BaseExpression]:
    """The string given to the exit call, cleaned; None for a code, a variable or nothing."""
    call = node.exc if isinstance(node, cst.Raise) else node
    if isinstance(call, cst.Call) and call.args and call.args[0].keyword is None:
        value = call.args[0].value
        if isinstance(value, _STRING):
            return clean(value)
    return None


def clean(value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """``value`` as a str reason on one line: bytes decoded, edge whitespace dropped; None if empty."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        evaluated = value.evaluated_value
        if isinstance(evaluated, bytes):
            evaluated = evaluated.decode("utf-8", "replace")
        if evaluated is None:
            return value
        text = evaluated.strip()
        if not text:
            return None
        return value if text == evaluated and isinstance(value.evaluated_value, str) else string(text)
    if isinstance(value, cst.FormattedString) and value.parts:
        parts = list(value.parts)
        for index in (0, -1):
            part = parts[index]
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                while True:
                    trimmed = _trim(text, first=index == 0)
                    if trimmed == text:
                        break
                    text = trimmed
                parts[index] = part.with_changes(value=text)
        return value.with_changes(parts=[p for p in parts if not (isinstance(p, cst.FormattedStringText) and not p.value)])
    return value


def _trim(text: str, first: bool) -> str:
    for escape in _EDGE_ESCAPES:
        if first and text.startswith(escape):
            return text[len(escape):]
        if not first and text.endswith(escape) and not text.endswith("\\" + escape):
            return text[: -len(escape)]
    return text


def literal_text(value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The fixed text of a string expression: f"Failed: {e}" -> "Failed"; None if nothing fixed."""
    if isinstance(value, cst.FormattedString):
        text = ""
        for part in value.parts:
            if not isinstance(part, cst.FormattedStringText):
                break
            text += part.value.replace("{{", "{").replace("}}", "}")
        if "\\" in text:
            return None
    elif isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        evaluated = value.evaluated_value
        if isinstance(evaluated, bytes):
            evaluated = evaluated.decode("utf-8", "replace")
        if not isinstance(evaluated, str):
            return None
        if evaluated == _tidy(evaluated) and isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
            return value
        text = evaluated
    else:
        return None
    text = _tidy(text)
    return string(text) if text else None


def _tidy(text: str) -> str:
    return text.strip().rstrip(":;,-").strip()


def lines(body: cst.BaseSuite) -> list[Union[cst.BaseStatement, cst.SimpleStatementSuite]]:
    """The statements of a block; a one-line suite (``if x: a; b``) counts as one line."""
    if isinstance(body, cst.SimpleStatementSuite):
        return [body]
    assert isinstance(body, cst.IndentedBlock)
    return list(body.body)


def string(text: str) -> cst.SimpleString:
    """A string literal for ``text``, in double quotes unless the text holds only double quotes."""
    quoted = json.dumps(text, ensure_ascii=False)
    if '"' in text and "'" not in text:
        quoted = "'" + quoted[1:-1].replace('\\"', '"') + "'"
    return cst.SimpleString(quoted)

