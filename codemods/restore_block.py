"""Restore a top-level ``if``/``try`` block (or ``__all__``, or a forwarding function) as an earlier
version of the module had it.

A name the module bound under a version check, a platform check or an ``ImportError`` fallback
(``try: from functools import cache`` / ``except ImportError: def cache(f): ...``) comes back as
that block, so the interpreter takes the branch it took before. The plain imports the block reads
(``import sys``) come first unless the module binds them already; the block goes after the
module's imports, under a ``# collect-fix: restored`` comment that lists it as debt
(``collect-fix --list-stubs``). A module that binds every name already is left as it is.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from . import _imports
from ._common import InPlace
from ._module_edits import Statement, bound_names, extend_dunder_all, is_definition, is_docstring, is_import

RESTORED_MARKER = "# collect-fix: restored"


class RestoreBlockCommand(InPlace, CodemodCommand):
    DESCRIPTION = "Restore an if/try block that bound NAMES, as an earlier version of the module had it."
    KEY = "restore_block"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--statement", dest="statement", required=True,
                                help="The plain imports the block reads, then the block, as written.")
        arg_parser.add_argument("--names", dest="names", required=True,
                                help="Comma-separated names importers need from it (each must be bound by it).")
        arg_parser.add_argument("--source", dest="source", required=True,
                                help="Where it comes from, for the marker ('as app/compat.py had it before commit 1a2b').")
        arg_parser.add_argument("--export", dest="export", action="store_true",
                                help="Also list the names in __all__ (a star import reaches them).")

    def __init__(self, context: CodemodContext, statement: str, names: str, source: str, export: bool = False) -> None:
        super().__init__(context)
        self.statement = statement
        self.names = tuple(name for name in names.split(",") if name)
        self.source = source
        self.export = export

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        bound = bound_names(tree)
        if set(self.names) <= bound:
            return tree
        try:
            statements = list(cst.parse_module(self.statement).body)
        except cst.ParserSyntaxError as error:
            raise SkipFile(f"cannot restore the block: {error.message}") from error
        if not statements or not isinstance(statements[-1], (cst.If, cst.Try, cst.FunctionDef)) \
                and not _a_list(statements[-1]):
            raise SkipFile("the text to restore ends in no if or try block, function, nor in a module's __all__")
        block = statements[-1]
        missing = set(self.names) - bound_names(cst.Module(body=[block]))
        if missing:
            raise SkipFile(f"the block does not bind {', '.join(sorted(missing))}")
        clashing = bound_names(cst.Module(body=[block])) & bound - set(self.names)
        if clashing:
            raise SkipFile(f"the block would rebind {', '.join(sorted(clashing))}, which this module binds")
        listed = ", ".join(self.names)
        marker = cst.EmptyLine(comment=cst.Comment(f"{RESTORED_MARKER} {listed} ({self.source})"))
        settings = [statement for statement in statements[:-1] if not is_import(statement)]
        unset = [setting for setting in settings if not bound_names(cst.Module(body=[setting])) <= bound]
        if self.export:
            tree = extend_dunder_all(tree, self.names)
        first, *rest = [*unset, block]  # the settings the block reads (``WINDOWS = ...``), then the block
        read = bound_names(cst.Module(body=settings))  # bound already (restored with another block): go after it
        tree = _after_imports(tree, [first.with_changes(leading_lines=[marker]),
                                     *(statement.with_changes(leading_lines=[]) for statement in rest)], read)
        for statement in statements[:-1]:  # ``import sys``, where the project's sorter puts it
            for small in statement.body if isinstance(statement, cst.SimpleStatementLine) and is_import(statement) else ():
                tree = _add_import(tree, self.context, small)
        return tree


def _a_list(statement: cst.BaseStatement) -> bool:
    """``__all__ = [...]``: a deleted module's list of its names, restored as written."""
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Assign)
            and [target.target for target in statement.body[0].targets if isinstance(target.target, cst.Name)
                 and target.target.value == "__all__"] != [])


def _add_import(tree: cst.Module, context: CodemodContext, small: cst.BaseSmallStatement) -> cst.Module:
    """Each name ``small`` (an import) binds, imported as it spells it, unless already bound."""
    spell = cst.Module(body=[]).code_for_node
    if not isinstance(small, (cst.Import, cst.ImportFrom)) or isinstance(small.names, cst.ImportStar):
        return tree
    for alias in small.names:
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        if (asname or spell(alias.name).partition(".")[0]) in bound_names(tree):
            continue
        if isinstance(small, cst.Import):
            tree = _imports.add_import(tree, context, spell(alias.name), "", asname=asname)
        else:
            module = spell(small.module) if small.module is not None else ""
            tree = _imports.add_import(tree, context, module, spell(alias.name), level=len(small.relative), asname=asname)
    return tree


def _after_imports(tree: cst.Module, statements: list[Statement], read: frozenset[str] | set[str] = frozenset()) -> cst.Module:
    """``statements`` after the module's last top-level import or restored block (or its
    docstring), and after whatever binds a setting in ``read`` (one restored with another block
    that reads it too), a blank line before the first of them and before the block, and PEP 8
    gaps around what follows."""
    body = list(tree.body)
    last = max((index for index, line in enumerate(body)
                if is_import(line) or bound_names(cst.Module(body=[line])) & read), default=None)
    last = max((index for index in _restored(body) if last is None or index > last), default=last)
    if last is None:
        last = 0 if body and is_docstring(body[0]) else -1
    placed: list[Statement] = []
    for index, statement in enumerate(statements):
        gap = index == len(statements) - 1 or (index == 0 and last >= 0)
        leading = [cst.EmptyLine()] if gap and (last >= 0 or index) else []
        placed.append(statement.with_changes(leading_lines=[*leading, *statement.leading_lines]))
    body[last + 1:last + 1] = placed
    following = last + 1 + len(placed)
    if following < len(body):
        blank = 2 if is_definition(body[following]) else 1
        kept = [line for line in body[following].leading_lines if line.comment is not None]
        body[following] = body[following].with_changes(leading_lines=[*[cst.EmptyLine()] * blank, *kept])
    return tree.with_changes(body=body, has_trailing_newline=True)


def _restored(body: list[Statement]) -> list[int]:
    """Where each restored block ends: its marker sits on the block, or on the first setting
    restored with it (``WINDOWS = ...``), which the block follows."""
    ends = []
    started = False
    for index, statement in enumerate(body):
        started = started or any(line.comment is not None and line.comment.value.startswith(RESTORED_MARKER)
                                 for line in statement.leading_lines)
        if started and isinstance(statement, (cst.If, cst.Try)):
            ends.append(index)
            started = False
    return ends
