"""Keep an old name importable after a rename: ``Old = New`` right after New's definition.

The alias carries the marker ``# collect-fix: alias -> New (renamed)`` so it is listed as debt
(``collect-fix --list-stubs``) until the importers move to the new name.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from ._module_edits import append_statements, binding_index, bound_names, extend_dunder_all, is_definition

ALIAS_MARKER = "# collect-fix: alias"


class AddAliasCommand(CodemodCommand):
    DESCRIPTION = "Add `<name> = <target>` so a renamed name stays importable under its old name."
    KEY = "add_alias"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--name", dest="name", required=True, help="The old name importers use.")
        arg_parser.add_argument("--target", dest="target", required=True, help="The existing name it now refers to.")
        arg_parser.add_argument("--reason", dest="reason", default="renamed", help="Why, for the marker comment.")

    def __init__(self, context: CodemodContext, name: str, target: str, reason: str = "renamed") -> None:
        super().__init__(context)
        self.name = name
        self.target = target
        self.reason = reason

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if self.name == self.target:
            raise SkipFile(f"an alias of {self.name} to itself fixes nothing")
        names = bound_names(tree)
        if self.target not in names:
            raise SkipFile(f"{self.target} is not defined in this module")
        if self.name in names:
            return tree
        alias = cst.parse_statement(f"{self.name} = {self.target}\n", tree.config_for_parsing)
        assert isinstance(alias, cst.SimpleStatementLine)
        alias = alias.with_changes(
            trailing_whitespace=cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace("  "),
                comment=cst.Comment(f"{ALIAS_MARKER} -> {self.target} ({self.reason})"),
                newline=cst.Newline(),
            )
        )
        tree = extend_dunder_all(tree, (self.name,))
        return _insert_after_definition(tree, alias, self.target)


def _insert_after_definition(tree: cst.Module, alias: cst.SimpleStatementLine, target: str) -> cst.Module:
    """Place the alias right after the last statement binding ``target``: that binding wins."""
    index = binding_index(tree, target)
    if index is None:
        return append_statements(tree, [alias])
    body = list(tree.body)
    statement = body[index]
    blank = 2 if is_definition(statement) else 0  # an alias of a constant sits right below it
    body.insert(index + 1, alias.with_changes(leading_lines=[cst.EmptyLine()] * blank))
    following = index + 2
    if following < len(body) and blank == 2 and not body[following].leading_lines:
        # Code that followed a class directly still needs its PEP 8 gap after the alias.
        body[following] = body[following].with_changes(leading_lines=[cst.EmptyLine()] * 2)
    return tree.with_changes(body=body)
