"""Where a module's ``pytestmark`` goes and how new marks join an existing one.

pytest reads ``pytestmark`` once the module is imported, so only its last module-level binding
counts. New marks merge into that binding when its value is visibly a mark or a list/tuple literal
of marks; a value computed elsewhere (``pytestmark = COMMON``) or extended later (``+=``) cannot be
merged safely, and the caller falls back to skipping in place.
"""

from __future__ import annotations

from typing import Collection, Mapping, Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m

from ._common import code_of
from ._imports import IMPORT_PYTEST

NAME = "pytestmark"
WIDTH = 88
COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
_MARK_PREFIXES = ("pytest.mark.", "_pytest.mark.")
_TARGET = m.Name(NAME)


class Existing:
    """The module's ``pytestmark`` bindings: ``index`` of the one to merge into (None: none),
    ``mergeable`` False when one exists that new marks cannot safely join."""

    def __init__(self, index: Optional[int], mergeable: bool) -> None:
        self.index = index
        self.mergeable = mergeable


def existing(tree: cst.Module, names: Mapping[cst.CSTNode, object], code: Optional[str] = None) -> Existing:
    """Find the ``pytestmark`` binding that decides the module's marks (``code``: the tree's code)."""
    if NAME not in (tree.code if code is None else code):
        return Existing(None, True)  # nothing can bind a name the code never writes
    last: Optional[int] = None
    for index, statement in enumerate(tree.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if _binds(small):
                    last = index
                    if not _plain(statement):
                        return Existing(index, False)
        elif NAME in tree.code_for_node(statement) and _binds_inside(statement):
            return Existing(index, False)
    if last is None:
        return Existing(None, True)
    small = cst.ensure_type(tree.body[last], cst.SimpleStatementLine).body[0]
    assert isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None
    return Existing(last, _is_marks(small.value, names))


def _binds(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Assign):
        return any(m.matches(target.target, _TARGET) for target in small.targets)
    if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        return m.matches(small.target, _TARGET)
    if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
        return any(code_of(alias.asname.name if alias.asname else alias.name).split(".")[0] == NAME for alias in small.names)
    return False


def _plain(line: cst.SimpleStatementLine) -> bool:
    """``pytestmark = value`` or ``pytestmark: T = value`` alone on its line."""
    if len(line.body) != 1:
        return False
    small = line.body[0]
    if isinstance(small, cst.Assign):
        return len(small.targets) == 1
    return isinstance(small, cst.AnnAssign) and small.value is not None


def _binds_inside(statement: cst.BaseStatement) -> bool:
    """Whether a compound statement binds ``pytestmark`` somewhere in it."""
    return bool(
        m.findall(statement, m.AssignTarget(target=_TARGET) | m.AnnAssign(target=_TARGET) | m.AugAssign(target=_TARGET))
        or m.findall(statement, (m.For(target=_TARGET) | m.AsName(name=_TARGET) | m.NamedExpr(target=_TARGET)))
        or any(_binds(small) for small in m.findall(statement, m.Import() | m.ImportFrom())
               if isinstance(small, (cst.Import, cst.ImportFrom)))
    )


def _is_marks(value: cst.BaseExpression, names: Mapping[cst.CSTNode, object]) -> bool:
    if isinstance(value, (cst.List, cst.Tuple)):
        return True
    node = value.func if isinstance(value, cst.Call) else value
    found = names.get(node, set())
    if callable(found):  # resolved lazily by LibCST
        found = found()
    assert isinstance(found, Collection)
    return any(str(getattr(name, "name", "")).startswith(_MARK_PREFIXES) for name in found)


def position(
    body: Sequence[cst.BaseStatement], after: int, removed: Collection[cst.CSTNode], existing_index: Optional[int]
) -> Optional[int]:
    """The index to insert ``pytestmark`` before (after statement ``after``, its imports and
    ``import pytest``), or None when the existing binding is already late enough to merge in place."""
    at = after + 1
    while at < len(body) and is_import(body[at]) and body[at] not in removed:
        at += 1
    for index, statement in enumerate(body):
        if m.matches(statement, IMPORT_PYTEST):
            at = max(at, index + 1)
    if existing_index is not None and existing_index >= at and body[existing_index] not in removed:
        return None
    return at


def is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def merged_line(
    line: cst.SimpleStatementLine, marks: list[cst.BaseExpression], leading: Sequence[cst.EmptyLine]
) -> cst.SimpleStatementLine:
    """The existing binding ``line`` with ``marks`` added, its annotation kept."""
    small = line.body[0]
    assert isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None
    indent = len(code_of(small.with_changes(value=cst.Name("x")))) - 1
    value = fit(merge(small.value, marks), "", indent)
    return line.with_changes(body=[small.with_changes(value=value)], leading_lines=leading)


def merge(value: cst.BaseExpression, marks: list[cst.BaseExpression]) -> cst.BaseExpression:
    """An existing ``pytestmark`` value with ``marks`` added: one mark -> list, list -> appended."""
    if (
        isinstance(value, cst.List) and value.elements
        and isinstance(value.lbracket.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(value.rbracket.whitespace_before, cst.ParenthesizedWhitespace)
    ):
        return append_multiline(value, marks)
    if isinstance(value, (cst.List, cst.Tuple)):
        return list_of([*value.elements, *marks], force_list=True)
    return list_of([value, *marks], force_list=True)


def append_multiline(sequence: cst.List, marks: list[cst.BaseExpression]) -> cst.List:
    """Append one element per line in the list's own layout, keeping its comments in place."""
    opening = cst.ensure_type(sequence.lbracket.whitespace_after, cst.ParenthesizedWhitespace)
    closing = cst.ensure_type(sequence.rbracket.whitespace_before, cst.ParenthesizedWhitespace)
    elements = list(sequence.elements)
    trailing = elements[-1].comma
    # The last element's own line ends where the closing bracket's whitespace begins.
    first_line = closing.first_line
    for mark in marks:
        newline = cst.ParenthesizedWhitespace(first_line=first_line, indent=True, last_line=opening.last_line)
        elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=newline))
        elements.append(cst.Element(mark, comma=trailing))
        first_line = cst.TrailingWhitespace()
    rbracket = sequence.rbracket.with_changes(whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace()))
    return sequence.with_changes(elements=elements, rbracket=rbracket)


def list_of(
    items: Sequence[Union[cst.BaseExpression, cst.BaseElement]], force_list: bool = False
) -> cst.BaseExpression:
    """One mark as is, several as a list: on one line when it fits, else one per line."""
    if len(items) == 1 and not force_list and isinstance(items[0], cst.BaseExpression):
        return items[0]
    codes = [_element_code(item) for item in items]
    inline = "[" + ", ".join(codes) + "]"
    if len(NAME) + 3 + len(inline) <= WIDTH and "\n" not in inline:
        return cst.parse_expression(inline)
    return cst.parse_expression("[\n" + "".join(f"    {code},\n" for code in codes) + "]")


def _element_code(item: Union[cst.BaseExpression, cst.BaseElement]) -> str:
    if isinstance(item, cst.BaseElement):
        item = item.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if isinstance(item, cst.StarredElement):
            return code_of(item)
        item = item.value
    return code_of(fit(item, "    ", 4))


def skipif(condition: cst.BaseExpression, reason: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.parse_expression("pytest.mark.skipif"),
        args=[cst.Arg(condition, comma=COMMA), keyword("reason", reason)],
    )


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    ))


def assign(
    name: str, value: cst.BaseExpression, semicolon: Union[cst.Semicolon, cst.MaybeSentinel] = cst.MaybeSentinel.DEFAULT
) -> cst.Assign:
    return cst.Assign([cst.AssignTarget(cst.Name(name))], value, semicolon=semicolon)


def assign_line(value: cst.BaseExpression, leading: Sequence[cst.EmptyLine]) -> cst.SimpleStatementLine:
    """A new ``pytestmark = value`` line."""
    return cst.SimpleStatementLine([assign(NAME, fit(value, "", len(f"{NAME} = ")))], leading_lines=leading)


def fit(expression: cst.BaseExpression, indent: str, used: int) -> cst.BaseExpression:
    """A call that does not fit in the line, one argument per line as a formatter would put it."""
    code = code_of(expression)
    if not isinstance(expression, cst.Call) or used + len(code) <= WIDTH or "\n" in code:
        return expression
    args = "".join(f"{indent}    {code_of(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))},\n" for arg in expression.args)
    return cst.parse_expression(f"{code_of(expression.func)}(\n{args}{indent})")
