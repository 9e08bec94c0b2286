"""Keep an old name importable after a rename: ``Old = New`` right after New's definition.

The alias carries the marker ``# collect-fix: alias -> New (renamed)`` so it is listed as debt
(``collect-fix --list-stubs``) until the importers move to the new name. It joins ``__all__`` only
with ``export``: an old name kept for its importers is no new public API, and a module listing
it would change what ``from module import *`` (and a namespace-parity test) sees; only an alias
reached through a star import needs it. With ``statement`` it
restores a line history removed, as it was written: an alias (``Old: TypeAlias = New``) goes
after the binding of its target, a re-export (``from .x import Old``) after the module's imports,
on a line of its own so the marker stays with it.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from ._common import InPlace
from ._module_edits import (
    append_statements,
    binding_index,
    bound_names,
    extend_dunder_all,
    is_definition,
    is_docstring,
    is_import,
)

ALIAS_MARKER = "# collect-fix: alias"


class AddAliasCommand(InPlace, CodemodCommand):
    DESCRIPTION = "Add `<name> = <target>` so a renamed name stays importable under its old name."
    KEY = "add_alias"
    # Reads and edits only top-level statements: collect-fix hands it the module with function
    # bodies folded (a 5,600-line module parses in a tenth of the time).
    TOP_LEVEL_ONLY = True

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--name", dest="name", required=True, help="The old name importers use.")
        arg_parser.add_argument("--target", dest="target", required=True, help="The existing name it now refers to.")
        arg_parser.add_argument("--reason", dest="reason", default="renamed", help="Why, for the marker comment.")
        arg_parser.add_argument(
            "--export", dest="export", action="store_true", help="Also list the old name in __all__.",
        )
        arg_parser.add_argument(
            "--statement", dest="statement", default="",
            help="The one-line statement to restore as written (an alias or an import binding NAME).",
        )

    def __init__(
        self,
        context: CodemodContext,
        name: str,
        target: str,
        reason: str = "renamed",
        statement: str = "",
        export: bool = False,
    ) -> None:
        super().__init__(context)
        self.name = name
        self.target = target
        self.reason = reason
        self.statement = statement
        self.export = export

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if self.name == self.target:
            raise SkipFile(f"an alias of {self.name} to itself fixes nothing")
        alias = self._alias(tree)
        names = bound_names(tree)
        imported = any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in alias.body)
        if not imported and self.target.partition(".")[0] not in names:
            raise SkipFile(f"{self.target} is not defined in this module")
        if self.name in names:
            return tree
        alias = alias.with_changes(
            trailing_whitespace=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  "),
                comment=cst.Comment(f"{ALIAS_MARKER} -> {self.target} ({self.reason})"),
                newline=cst.Newline(),
            )
        )
        if self.export:
            tree = extend_dunder_all(tree, (self.name,))
        if imported:
            return _insert_after_imports(tree, alias)
        return _insert_after_definition(tree, alias, self.target.partition(".")[0])

    def _alias(self, tree: cst.Module) -> cst.SimpleStatementLine:
        """The statement to add: ``statement`` when it binds exactly ``name``, else ``name = target``."""
        text = self.statement or f"{self.name} = {self.target}"
        try:
            alias = cst.parse_statement(text.strip() + "\n", tree.config_for_parsing)
        except cst.ParserSyntaxError as error:
            raise SkipFile(f"cannot restore {text!r}: {error.message}") from error
        if not isinstance(alias, cst.SimpleStatementLine) or len(alias.body) != 1:
            raise SkipFile(f"cannot restore {text!r}: not one simple statement")
        if bound_names(cst.Module(body=[alias])) != {self.name}:
            raise SkipFile(f"{text!r} does not bind {self.name} alone")
        return alias.with_changes(leading_lines=())


def _insert_after_definition(tree: cst.Module, alias: cst.SimpleStatementLine, target: str) -> cst.Module:
    """Place the alias right after the last statement binding ``target``: that binding wins.
    A target bound by an import gets it after the imports that follow (an assignment among
    them would put the rest after code, which linters flag: E402), with a blank line."""
    index = binding_index(tree, target)
    if index is None:
        return append_statements(tree, [alias])
    body = list(tree.body)
    imported = is_import(body[index])
    while imported and index + 1 < len(body) and is_import(body[index + 1]):
        index += 1
    statement = body[index]
    blank = 2 if is_definition(statement) else 1 if imported else 0  # an alias of a constant sits right below it
    body.insert(index + 1, alias.with_changes(leading_lines=[cst.EmptyLine()] * blank))
    following = index + 2
    if following < len(body) and blank == 2 and not body[following].leading_lines:
        # Code that followed a class directly still needs its PEP 8 gap after the alias.
        body[following] = body[following].with_changes(leading_lines=[cst.EmptyLine()] * 2)
    return tree.with_changes(body=body)


def _insert_after_imports(tree: cst.Module, statement: cst.SimpleStatementLine) -> cst.Module:
    """Place a restored import after the module's last top-level import (or its docstring)."""
    body = list(tree.body)
    last = max((index for index, line in enumerate(body) if is_import(line)), default=None)
    if last is None:
        last = 0 if body and is_docstring(body[0]) else -1
        leading = [cst.EmptyLine()] if last == 0 else []
    else:
        leading = []
    body.insert(last + 1, statement.with_changes(leading_lines=leading))
    following = last + 2
    if following < len(body) and not body[following].leading_lines and not is_import(body[following]):
        body[following] = body[following].with_changes(
            leading_lines=[cst.EmptyLine()] * (2 if is_definition(body[following]) else 1)
        )
    # A line added at the very end ends with a line end; a file that has none elsewhere keeps that.
    return tree.with_changes(body=body, has_trailing_newline=tree.has_trailing_newline or last + 2 == len(body))
