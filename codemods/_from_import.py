"""The names of one ``from m import a, b``: add one where the sort puts it, in the import's own layout.

A one-line import that grows past the line length is wrapped the way the project's sorter writes
it (ruff and isort's black profile: one name per line with a trailing comma; isort's default: a
grid aligned after the parenthesis), so the sorter has nothing to rewrite.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from ._common import code_of
from ._import_style import ImportStyle, Wrap


def with_name(node: cst.ImportFrom, name: str, style: ImportStyle, asname: Optional[str] = None) -> cst.ImportFrom:
    """``node`` plus ``name [as asname]``, keeping each existing alias's comma, comment and layout."""
    assert not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    position = _position(names, name, asname, style)
    separator = _separator(names, node.lpar)
    alias = None if asname is None else cst.AsName(cst.Name(asname))
    new = cst.ImportAlias(name=cst.Name(name), asname=alias, comma=separator)
    if position < len(names):
        return node.with_changes(names=[*names[:position], new, *names[position:]])
    last = names[-1]
    rpar = node.rpar
    if isinstance(last.comma, cst.Comma):
        # A trailing comma (and any comment after it) stays with the alias it followed.
        new = new.with_changes(comma=last.comma.with_changes(whitespace_after=_without_comment(last.comma.whitespace_after)))
        last = last.with_changes(comma=last.comma.with_changes(whitespace_after=_continued(last.comma.whitespace_after, separator)))
    elif rpar is not None and _has_comment(rpar.whitespace_before):
        # ``Last  # note`` before the closing paren: the note keeps following Last.
        last = last.with_changes(comma=cst.Comma(whitespace_after=_continued(rpar.whitespace_before, separator)))
        new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        rpar = rpar.with_changes(whitespace_before=_without_comment(rpar.whitespace_before))
    else:
        new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        last = last.with_changes(comma=separator)
    return node.with_changes(names=[*names[:-1], last, new], rpar=rpar)


def wrapped(line: cst.SimpleStatementLine, style: ImportStyle, module: cst.Module) -> cst.SimpleStatementLine:
    """``line`` wrapped as the sorter would, when it is a one-line ``from`` import past the line length."""
    small = line.body[0] if len(line.body) == 1 else None
    if not isinstance(small, cst.ImportFrom) or small.lpar is not None or isinstance(small.names, cst.ImportStar):
        return line
    text = module.code_for_node(line.with_changes(leading_lines=()))
    if len(text.rstrip("\r\n")) <= style.line_length:
        return line
    comment = line.trailing_whitespace.comment
    source = f"from {'.' * len(small.relative)}{code_of(small.module) if small.module else ''} import "
    aliases = [code_of(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for alias in small.names]
    if style.wrap is Wrap.GRID:
        wrapped_text = _grid(source, aliases, style, comment.value if comment else "")
    else:
        opening = f"({'  ' + comment.value if comment else ''}"
        body = "".join(f"{style.indent}{alias},\n" for alias in aliases)
        wrapped_text = f"{source}{opening}\n{body})\n"
    parsed = cst.parse_statement(wrapped_text, config=module.config_for_parsing)
    assert isinstance(parsed, cst.SimpleStatementLine)
    return parsed.with_changes(leading_lines=line.leading_lines)


def _grid(source: str, aliases: Sequence[str], style: ImportStyle, comment: str) -> str:
    """isort's GRID mode: names fill each line, continuation lines aligned after ``(``."""
    indent = " " * (len(source) + 1)
    lines = [f"{source}({aliases[0]}"]
    for alias in aliases[1:]:
        candidate = f"{lines[-1]}, {alias}"
        if len(candidate) + 1 > style.line_length:
            lines[-1] += ","
            lines.append(f"{indent}{alias}")
        else:
            lines[-1] = candidate
    if comment:
        lines[0] += f"  {comment}"
    return "\n".join(lines) + ("," if style.trailing_comma else "") + ")\n"


def is_sorted(names: Sequence[cst.ImportAlias], style: ImportStyle) -> bool:
    """Whether the names are in an order a new one can be sorted into."""
    return _order(names, style) is not None


def _position(names: list[cst.ImportAlias], name: str, asname: Optional[str], style: ImportStyle) -> int:
    """Where ``name`` goes: its sorted place when the names are sorted, else the end."""
    order = _order(names, style)
    if order is None:
        return len(names)
    keys = [order(_spelled(alias)) for alias in names]
    new_key = order((name, asname))
    return next((index for index, existing in enumerate(keys) if existing > new_key), len(names))


Key = Callable[[tuple[str, Optional[str]]], Any]


def _order(names: Sequence[cst.ImportAlias], style: ImportStyle) -> Optional[Key]:
    """The order the names follow: the style's first, then plain or case-insensitive text."""
    orders: tuple[Key, ...] = (
        lambda item: style.member_key(*item),
        lambda item: item[0],
        lambda item: item[0].lower(),
    )
    for key in orders:
        keys = [key(_spelled(alias)) for alias in names]
        if keys == sorted(keys):
            return key
    return None


def _spelled(alias: cst.ImportAlias) -> tuple[str, Optional[str]]:
    return get_full_name_for_node(alias.name) or "", alias.evaluated_alias


def _continued(
    whitespace: cst.BaseParenthesizableWhitespace, separator: cst.Comma
) -> cst.BaseParenthesizableWhitespace:
    """``whitespace`` (with its comment) ending where the next name starts instead of at ``)``."""
    following = separator.whitespace_after
    if isinstance(whitespace, cst.ParenthesizedWhitespace) and isinstance(following, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(indent=following.indent, last_line=following.last_line)
    return following


def _separator(names: list[cst.ImportAlias], lpar: Optional[cst.LeftParen]) -> cst.Comma:
    """The comma (and line break, in a parenthesized list) that goes between two names."""
    between = [alias.comma for alias in names[:-1] if isinstance(alias.comma, cst.Comma)]
    for comma in between:
        if not _has_comment(comma.whitespace_after):
            return comma
    if between:
        return between[0].with_changes(whitespace_after=_without_comment(between[0].whitespace_after))
    if lpar is not None and isinstance(lpar.whitespace_after, cst.ParenthesizedWhitespace):
        # One name in a parenthesized block: the next one goes on its own line, indented alike.
        return cst.Comma(whitespace_after=_without_comment(lpar.whitespace_after))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _has_comment(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and (
        whitespace.first_line.comment is not None or any(line.comment for line in whitespace.empty_lines)
    )


def _without_comment(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return whitespace
