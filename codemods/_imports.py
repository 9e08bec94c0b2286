"""Module-level import edits, placed the way the project's import sorter (ruff ``I``, isort) wants.

An added import joins an existing ``from m import ...`` when it can, else goes into the import
block and section the sorter files it under (standard library, third party, first party, local),
in sorted position, before the first statement that uses it when the module loads. Blocks under
``if TYPE_CHECKING:`` and other compound statements are never touched. Removal drops an import
only while its name is nowhere else in the code (conservative: a name still written anywhere
keeps it). Both work on the top-level statements only: AddImportsVisitor and RemoveImportsVisitor
each analyse the whole module, ~20 s per run on a 6,000-line test file.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.helpers import get_full_name_for_node

from . import _import_style
from ._from_import import with_name, wrapped
from ._import_style import ImportStyle, Section

ImportNode = Union[cst.Import, cst.ImportFrom]
Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]

IMPORT_PYTEST = m.SimpleStatementLine(body=[m.Import(names=[m.ImportAlias(name=m.Name("pytest"), asname=None)])])
_LONE_IMPORT = m.SimpleStatementLine(body=[m.ImportFrom() | m.Import()])
_STRICT_OR_DOCSTRING_FIRST = m.Module(
    body=[m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name("__strict__"))])]), m.ZeroOrMore()]
) | m.Module(body=[m.SimpleStatementLine(body=[m.Expr(value=m.SimpleString())]), m.ZeroOrMore()])
# A string that may name a module: an ``__all__`` entry or a string annotation, not prose.
_NAME_LIKE = re.compile(r"[\w.\[\]]+(?:(?:, | \| )[\w.\[\]]+)*")


def imports_pytest(tree: cst.Module, before: int) -> bool:
    """Whether ``import pytest`` runs at module level before statement ``before``."""
    return any(m.matches(statement, IMPORT_PYTEST) for statement in tree.body[:before])


def add_import_pytest(tree: cst.Module, context: Optional[CodemodContext] = None) -> cst.Module:
    """``import pytest`` where the sorter puts it, before the first statement that uses pytest;
    nothing when such an import already runs before that statement."""
    return add_import(tree, context, "pytest")


def remove_unused_imports(
    context: CodemodContext, tree: cst.Module, gone: Sequence[cst.CSTNode], also_used: frozenset[str] = frozenset()
) -> cst.Module:
    """Drop the module-level imports only the removed nodes ``gone`` used (``import sys`` for a
    removed ``sys.exit``), while the name they bind is not written anywhere else in ``tree``.

    Read off the spelling, not a scope analysis: an import is a candidate when a removed node
    names what it binds, and it goes only when no token of the new code names it (a local that
    happens to share the name keeps the import: the safe side). ``also_used``: names the module
    uses in code ``tree`` does not hold (function bodies folded away before parsing).
    """
    del context  # kept for callers: nothing of it is needed
    named = {
        found.value for node in gone for found in m.findall(node, m.Name()) if isinstance(found, cst.Name)
    }
    if not named:
        return tree
    candidates = {
        alias: small
        for statement in tree.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body if isinstance(small, (cst.Import, cst.ImportFrom))
        for alias in _aliases(small) if _bound_name(alias, small) in named
    }
    if not candidates:
        return tree
    still_used = _written_names(_without(tree, set(candidates)))
    if still_used is None:
        return tree
    still_used |= also_used
    return _without(tree, {alias for alias, small in candidates.items() if _bound_name(alias, small) not in still_used})


def _aliases(small: ImportNode) -> Sequence[cst.ImportAlias]:
    return () if isinstance(small.names, cst.ImportStar) else small.names


def _bound_name(alias: cst.ImportAlias, small: ImportNode) -> str:
    if alias.evaluated_alias is not None:
        return alias.evaluated_alias
    return alias.evaluated_name.split(".")[0] if isinstance(small, cst.Import) else alias.evaluated_name


def _without(tree: cst.Module, unused: set[cst.ImportAlias]) -> cst.Module:
    """``tree`` without the ``unused`` aliases; an import left with no name goes, and so does a
    line left with no statement."""
    if not unused:
        return tree
    body: list[Statement] = []
    emptied: set[Statement] = set()
    for statement in tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) and set(_aliases(small)) & unused for small in statement.body
        ):
            smalls = [kept for small in statement.body if (kept := _drop_aliases(small, unused)) is not None]
            if not smalls:
                emptied.add(statement)
            else:
                smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
                statement = statement.with_changes(body=smalls)
        body.append(statement)
    return tree.with_changes(body=drop_lines(body, emptied))


def drop_lines(body: Sequence[Statement], dropped: set[Statement]) -> list[Statement]:
    """``body`` without the ``dropped`` import lines (and the comments above them). The statement
    after them keeps the blank lines the sorter wants: the separator they had, none at the top."""
    kept: list[Statement] = []
    carried: Optional[int] = None  # blank lines before a run of dropped lines
    for statement in body:
        if statement in dropped:
            blanks, _ = _split_blanks(statement.leading_lines)
            carried = max(blanks, carried or 0)
            continue
        if carried is not None:
            blanks, comments = _split_blanks(statement.leading_lines)
            statement = statement.with_changes(leading_lines=[*_blank(max(blanks, carried) if kept else 0), *comments])
            carried = None
        kept.append(statement)
    return kept


def _drop_aliases(small: cst.BaseSmallStatement, unused: set[cst.ImportAlias]) -> Optional[cst.BaseSmallStatement]:
    if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
        return small
    names = [alias for alias in small.names if alias not in unused]
    if not names:
        return None
    if len(names) == len(small.names):
        return small
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return small.with_changes(names=names)


def _written_names(tree: cst.Module) -> Optional[set[str]]:
    """Every name written in ``tree``'s code, and every word of a string that may name one (an
    ``__all__`` entry, a string annotation, an f-string before 3.12); None when it does not tokenize."""
    names: set[str] = set()
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(tree.code).readline):
            if token.type == tokenize.NAME and previous not in (".", "from"):  # not an attribute or module path
                names.add(token.string)
            elif token.type == tokenize.STRING:
                quoted = token.string.lstrip("rRbBuUfF")
                text = quoted.strip("'\"")
                if "f" in token.string[: len(token.string) - len(quoted)].lower() or _NAME_LIKE.fullmatch(text):
                    names.update(re.findall(r"\w+", text))
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                previous = token.string
    except (tokenize.TokenError, SyntaxError):
        return None
    return names


def add_import(
    tree: cst.Module,
    context: Optional[CodemodContext],
    module: str,
    name: str = "",
    level: int = 0,
    style: Optional[ImportStyle] = None,
    asname: Optional[str] = None,
) -> cst.Module:
    """``from module import name [as asname]`` (``import module`` when ``name`` is empty; ``level``
    leading dots) where the project's sorter wants it, before the module's first import-time use
    of the name it binds; ``tree`` itself when that import already runs before the use.

    ``style`` defaults to the settings of the project holding ``context.filename``.
    """
    return placed_import(tree, context, module, name, level, style, asname)[0]


def placed_import(
    tree: cst.Module,
    context: Optional[CodemodContext],
    module: str,
    name: str = "",
    level: int = 0,
    style: Optional[ImportStyle] = None,
    asname: Optional[str] = None,
) -> tuple[cst.Module, int]:
    """add_import, and the index of the top-level statement that now holds the import."""
    if style is None:
        style = _import_style.for_file(context.filename if context is not None else None)
    bound = asname or name or module.partition(".")[0]
    body = list(tree.body)
    blocks = _blocks(body)
    end = blocks[-1][-1] + 1 if blocks else 0
    limit = _first_use(body[:end], bound)
    before_use = [block for block in blocks if block[0] < limit]
    for block in before_use:
        for index in block:
            if _already_imports(body[index], module, name, level, asname):
                return tree, index
    if name and not style.single_line(module) and (asname is None or style.combine_as):
        for block in before_use:
            for index in block:
                merged = _merged(body[index], module, name, level, style, asname)
                if merged is not None:
                    body[index] = wrapped(merged, style, tree)
                    return tree.with_changes(body=body), index
    spelled = f"from {'.' * level}{module} import {name}" if name else f"import {module}"
    if asname is not None:
        spelled += f" as {asname}"
    parsed = cst.parse_statement(spelled + tree.default_newline, config=tree.config_for_parsing)
    line = wrapped(cst.ensure_type(parsed, cst.SimpleStatementLine), style, tree)
    entry = _entry(line, style)
    target = _choose(before_use, {index: _entry(body[index], style) for block in before_use for index in block}, entry)
    if target is None:
        at = _top(body)
        return tree.with_changes(body=_new_block(body, at, line, style), has_trailing_newline=True), at
    entries = [(index, _entry(body[index], style)) for index in target]
    new_body, at = _insert_in_block(body, entries, line, entry, style)
    return tree.with_changes(body=new_body), at


def with_comments(
    statement: Statement, comments: Sequence[cst.EmptyLine], trailing: Optional[cst.Comment]
) -> Statement:
    """``statement`` carrying comments of a line it replaces: ``comments`` above it (after its
    blank lines), ``trailing`` at its end or, when it has its own, above it too."""
    blanks, own = _split_blanks(statement.leading_lines)
    above = [*comments]
    if trailing is not None and isinstance(statement, cst.SimpleStatementLine):
        if statement.trailing_whitespace.comment is None:
            statement = statement.with_changes(
                trailing_whitespace=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "), comment=trailing)
            )
        else:
            above.append(cst.EmptyLine(comment=trailing))
    if not above:
        return statement
    return statement.with_changes(leading_lines=[*_blank(blanks), *above, *own])


@dataclass(frozen=True)
class _Entry:
    """One import line as the sorter sees it."""

    section: Section
    kind: int  # 0: ``import m``, 1: ``from m import n``
    key: tuple[Any, ...]  # order within the section
    bases: frozenset[str]  # the top-level modules it imports from


def _entry(line: cst.BaseStatement, style: ImportStyle) -> _Entry:
    small = cst.ensure_type(line, cst.SimpleStatementLine).body[0]
    bases = frozenset(
        _dotted(alias.name).partition(".")[0] for s in cst.ensure_type(line, cst.SimpleStatementLine).body
        if isinstance(s, cst.Import) for alias in s.names
    ) | frozenset(
        _dotted(s.module).partition(".")[0] for s in cst.ensure_type(line, cst.SimpleStatementLine).body
        if isinstance(s, cst.ImportFrom) and s.module is not None and not s.relative
    )
    if isinstance(small, cst.Import):
        alias = small.names[0]
        module = _dotted(alias.name)
        key = style.module_key(module, 0, alias.evaluated_alias, None)
        return _Entry(style.section(module), 0, _ordered(style, 0, key), bases)
    small = cst.ensure_type(small, cst.ImportFrom)
    module = _dotted(small.module) if small.module is not None else ""
    level = len(small.relative)
    if isinstance(small.names, cst.ImportStar):
        first: tuple[str, Optional[str]] = ("*", None)
    else:
        aliases = [(_dotted(alias.name), alias.evaluated_alias) for alias in small.names]
        first = min(aliases, key=lambda item: style.member_key(*item))
    key = style.module_key(module, level, None, first)
    return _Entry(style.section(module, level), 1, _ordered(style, 1, key), bases)


def _ordered(style: ImportStyle, kind: int, key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Plain imports before ``from`` imports in a section (unless the settings say otherwise)."""
    if style.force_sort_within_sections:
        return (0, key)
    return (1 - kind if style.from_first else kind, key)


def _dotted(node: cst.CSTNode) -> str:
    return get_full_name_for_node(node) or ""


_DIRECTIVE = re.compile(r"#\s*(?:ruff:\s*)?isort:\s*(skip|off|on|split)\b")


def _blocks(body: Sequence[Statement]) -> list[list[int]]:
    """Runs of consecutive top-level import lines the sorter sorts together (indices in ``body``);
    ``# isort: skip``/``off``/``split`` end a run, as they do for ruff and isort."""
    blocks: list[list[int]] = []
    current: list[int] = []
    sorting = True
    for index, statement in enumerate(body):
        directives = _directives(statement)
        if "off" in directives:
            sorting = False
        if "on" in directives:
            sorting = True
        if not is_import_line(statement) or not sorting or "skip" in directives or "split" in directives:
            if current:
                blocks.append(current)
            current = []
            if "split" in directives and sorting and is_import_line(statement):
                current = [index]
            continue
        current.append(index)
    if current:
        blocks.append(current)
    return blocks


def _directives(statement: Statement) -> set[str]:
    comments = [line.comment.value for line in statement.leading_lines if line.comment is not None]
    if isinstance(statement, cst.SimpleStatementLine) and statement.trailing_whitespace.comment is not None:
        comments.append(statement.trailing_whitespace.comment.value)
    return {match.group(1) for comment in comments for match in _DIRECTIVE.finditer(comment)}


def is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _already_imports(statement: Statement, module: str, name: str, level: int, asname: Optional[str]) -> bool:
    for small in cst.ensure_type(statement, cst.SimpleStatementLine).body:
        if isinstance(small, cst.Import) and not name:
            if any(_dotted(alias.name) == module and alias.evaluated_alias == asname for alias in small.names):
                return True
        elif isinstance(small, cst.ImportFrom) and name and not isinstance(small.names, cst.ImportStar):
            same = len(small.relative) == level and (_dotted(small.module) if small.module else "") == module
            if same and any(_dotted(alias.name) == name and alias.evaluated_alias == asname for alias in small.names):
                return True
    return False


def _merged(
    statement: Statement, module: str, name: str, level: int, style: ImportStyle, asname: Optional[str]
) -> Optional[cst.SimpleStatementLine]:
    """``statement`` with ``name`` added, when it is the one ``from module import ...`` the sorter
    would combine it with (no ``as`` names unless combine-as-imports), else None."""
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    if len(line.body) != 1 or not isinstance(line.body[0], cst.ImportFrom):
        return None
    small = line.body[0]
    if isinstance(small.names, cst.ImportStar) or len(small.relative) != level:
        return None
    if (_dotted(small.module) if small.module else "") != module:
        return None
    if not style.combine_as and any(alias.asname is not None for alias in small.names):
        return None
    return line.with_changes(body=[with_name(small, name, style, asname)])


def _choose(blocks: list[list[int]], entries: dict[int, _Entry], new: _Entry) -> Optional[list[int]]:
    """The block that imports from the same top-level module, else one holding the new import's
    section, else the first one."""
    for block in blocks:
        if any(entries[index].bases & new.bases for index in block):
            return block
    for block in blocks:
        if any(entries[index].section == new.section for index in block):
            return block
    return blocks[0] if blocks else None


def _insert_in_block(
    body: list[Statement],
    block: list[tuple[int, _Entry]],
    line: cst.SimpleStatementLine,
    new: _Entry,
    style: ImportStyle,
) -> tuple[list[Statement], int]:
    """``body`` with ``line`` in its section of ``block``, sorted, with the sorter's blank lines;
    and the index ``line`` got."""
    same = [(index, entry) for index, entry in block if entry.section == new.section]
    if same:
        later = [(index, entry) for index, entry in same if entry.key > new.key]
        at = later[0][0] if later else same[-1][0] + 1
    else:
        later = [(index, entry) for index, entry in block if entry.section > new.section]
        at = later[0][0] if later else block[-1][0] + 1
    previous = next((entry for index, entry in reversed(block) if index < at), None)
    following = next((entry for index, entry in block if index >= at), None)
    if previous is None:
        # First in the block: comments above the block stay above it, now above the new line.
        assert following is not None
        leading = body[at].leading_lines
        body[at] = body[at].with_changes(leading_lines=_blank(_separation(new, following, style)))
    else:
        leading = _blank(_separation(previous, new, style))
        if following is not None:
            body[at] = body[at].with_changes(
                leading_lines=_with_blanks(body[at].leading_lines, _separation(new, following, style))
            )
        elif at < len(body):  # the new line ends the block: the code after it gets the sorter's spacing
            body[at] = body[at].with_changes(leading_lines=after_imports(body[at], style))
    return [*body[:at], line.with_changes(leading_lines=leading), *body[at:]], at


def _separation(first: _Entry, second: _Entry, style: ImportStyle) -> int:
    """Blank lines the sorter puts between two consecutive import lines."""
    if first.section != second.section:
        return 1
    if first.kind != second.kind and not style.force_sort_within_sections:
        return style.lines_between_types
    return 0


def _new_block(body: list[Statement], at: int, line: cst.SimpleStatementLine, style: ImportStyle) -> list[Statement]:
    """``body`` with a one-line import block at ``at``, followed by the blank lines the sorter wants."""
    if at < len(body):
        following = body[at]
        body[at] = following.with_changes(leading_lines=after_imports(following, style))
    return [*body[:at], line.with_changes(leading_lines=_blank(1) if at else ()), *body[at:]]


def after_imports(statement: Statement, style: ImportStyle) -> list[cst.EmptyLine]:
    """The leading lines of the statement after an import block: ``lines-after-imports`` blank
    lines, or by default two before a class or function (or the comment stuck to it), else one."""
    _, comments = _split_blanks(statement.leading_lines)
    wanted = style.lines_after_imports
    if wanted < 0:
        definition = isinstance(statement, (cst.ClassDef, cst.FunctionDef))
        stuck = not any(line.comment is None for line in comments)  # comments directly on the definition
        wanted = 2 if definition and stuck else 1
    return [*_blank(wanted), *comments]


def _with_blanks(leading: Sequence[cst.EmptyLine], blanks: int) -> list[cst.EmptyLine]:
    """``leading`` with ``blanks`` blank lines before its comments (at least as many as it had
    before comments: the sorter keeps a blank line above a commented import)."""
    had, comments = _split_blanks(leading)
    return [*_blank(max(blanks, had) if comments else blanks), *comments]


def _split_blanks(leading: Sequence[cst.EmptyLine]) -> tuple[int, list[cst.EmptyLine]]:
    count = 0
    while count < len(leading) and leading[count].comment is None:
        count += 1
    return count, list(leading[count:])


def _blank(count: int) -> list[cst.EmptyLine]:
    return [cst.EmptyLine() for _ in range(count)]


def _top(body: Sequence[Statement]) -> int:
    """Where a module's first import goes: after its docstring (or ``__strict__``)."""
    return 1 if body and m.matches(cst.Module(body=[body[0]]), _STRICT_OR_DOCSTRING_FIRST) else 0


def _first_use(body: Sequence[Statement], name: str) -> int:
    """The index of the first statement of ``body`` that may read ``name`` when the module runs;
    ``len(body)`` when none does."""
    return next((index for index, statement in enumerate(body) if uses_at_import(statement, name)), len(body))


def uses_at_import(statement: cst.CSTNode, name: str) -> bool:
    """Whether ``statement`` may read ``name`` when the module runs (function bodies do not)."""
    finder = _NameFinder(name)
    statement.visit(finder)
    return finder.found


class _NameFinder(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == self.name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # Decorators, defaults and annotations run at definition time; the body does not.
        for part in (*node.decorators, node.params, node.returns):
            if part is not None:
                part.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False
