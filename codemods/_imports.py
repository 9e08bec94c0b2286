"""Module-level import edits without LibCST's whole-module scope passes.

AddImportsVisitor and RemoveImportsVisitor each analyse the whole module; on a 6,000-line test file
that is ~20 s per run for adding one ``import pytest`` and dropping one ``import sys``. These do the
same at module level only: insert where AddImportsVisitor would, and remove an import only while
its name is nowhere else in the code (conservative: a name still written anywhere keeps it).
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import

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


def add_import_pytest(tree: cst.Module) -> cst.Module:
    """``import pytest`` at the end of the module's leading imports, as AddImportsVisitor puts it;
    nothing when that block already imports pytest."""
    body = list(tree.body)
    start = 1 if m.matches(tree, _STRICT_OR_DOCSTRING_FIRST) else 0
    end = start
    while end < len(body) and m.matches(body[end], _LONE_IMPORT):
        end += 1
    for statement in body[start:end]:
        small = cst.ensure_type(statement, cst.SimpleStatementLine).body[0]
        if isinstance(small, cst.Import) and any(
            alias.asname is None and alias.evaluated_name == "pytest" for alias in small.names
        ):
            return tree
    after = body[end:]
    if after and not after[0].leading_lines:
        after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(),))
    elif after and after[0].leading_lines[0].comment is not None:
        after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(), *after[0].leading_lines))
    line = cst.parse_statement("import pytest", config=tree.config_for_parsing)
    return tree.with_changes(body=(*body[:end], line, *after))


def remove_unused_imports(context: CodemodContext, tree: cst.Module, gone: Sequence[cst.CSTNode]) -> cst.Module:
    """Drop the module-level imports only the removed nodes ``gone`` used (``import sys`` for a
    removed ``sys.exit``), while the name they bind is not written anywhere else in ``tree``."""
    scheduled = RemoveImportsVisitor.CONTEXT_KEY
    context.scratch.pop(scheduled, None)
    for node in gone:  # public API: records which imports ``node`` used
        RemoveImportsVisitor.remove_unused_import_by_node(context, node)
    wanted = set(context.scratch.pop(scheduled, []))
    if not wanted:
        return tree
    candidates = {
        alias: small
        for statement in tree.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body if isinstance(small, (cst.Import, cst.ImportFrom))
        for alias in _aliases(small) if _import_item(context, alias, small) in wanted
    }
    if not candidates:
        return tree
    still_used = _written_names(_without(tree, set(candidates)))
    if still_used is None:
        return tree
    return _without(tree, {alias for alias, small in candidates.items() if _bound_name(alias, small) not in still_used})


def _import_item(context: CodemodContext, alias: cst.ImportAlias, small: ImportNode) -> tuple[str, Optional[str], Optional[str]]:
    """How RemoveImportsVisitor names what ``alias`` imports: (module, object, asname)."""
    if isinstance(small, cst.Import):
        return alias.evaluated_name, None, alias.evaluated_alias
    module = get_absolute_module_from_package_for_import(context.full_package_name, small)
    return module or "", alias.evaluated_name, alias.evaluated_alias


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
    for statement in tree.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, (cst.Import, cst.ImportFrom)) and set(_aliases(small)) & unused for small in statement.body
        ):
            smalls = [kept for small in statement.body if (kept := _drop_aliases(small, unused)) is not None]
            if not smalls:
                continue
            smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            statement = statement.with_changes(body=smalls)
        body.append(statement)
    return tree.with_changes(body=body)


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
