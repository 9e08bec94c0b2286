"""Re-export a name that moved to another module, so imports from the old module keep working.

The import goes with the module's other imports, unless the new home imports this module at load
time: then a top-of-file import would be circular, so it goes last, after this module's own
definitions (``at_end``; the planner decides statically, re-collection verifies). The name joins
``__all__`` when the module has one. A ``# collect-fix: re-export`` comment above the import marks
it as debt (``collect-fix --list-stubs``) until the importers use the new home.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from ._common import InPlace
from ._module_edits import add_import, append_statements, bound_names, extend_dunder_all

REEXPORT_MARKER = "# collect-fix: re-export"


class AddReexportCommand(InPlace, CodemodCommand):
    DESCRIPTION = "Re-export a moved name from its old module: from <from_module> import <name>."
    KEY = "add_reexport"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--from-module", dest="from_module", required=True, help="Where the name lives now.")
        arg_parser.add_argument("--name", dest="name", required=True, help="The name to re-export.")
        arg_parser.add_argument(
            "--at-end", dest="at_end", action="store_true", help="Import last: the new home imports this module."
        )

    def __init__(self, context: CodemodContext, from_module: str, name: str, at_end: bool = False) -> None:
        super().__init__(context)
        self.from_module = from_module
        self.name = name
        self.at_end = at_end

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if self.from_module == self.context.full_module_name:
            raise SkipFile(f"{self.from_module} cannot re-export from itself")
        if self.name in bound_names(tree):
            return tree
        tree = extend_dunder_all(tree, (self.name,))
        statement = cst.parse_statement(f"from {self.from_module} import {self.name}\n", tree.config_for_parsing)
        marker = cst.EmptyLine(comment=cst.Comment(f"{REEXPORT_MARKER} {self.name} (moved to {self.from_module})"))
        if not self.at_end:
            return _marked(add_import(tree, self.context, statement, self.from_module, self.name), marker, self.from_module, self.name)
        comment = cst.EmptyLine(comment=cst.Comment(f"# Imported last: {self.from_module} imports this module."))
        return append_statements(tree, [statement], comments=(comment, marker))


def _marked(tree: cst.Module, marker: cst.EmptyLine, module: str, name: str) -> cst.Module:
    """The marker as a comment line above the import that now binds ``name`` (the line the sorter
    put it on, perhaps beside other names): a comment above an import stays with it when sorted."""
    body = list(tree.body)
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.ImportFrom) and _binds(small, module, name) for small in statement.body
        ):
            leading = list(statement.leading_lines)
            # isort and ruff want a blank line before a comment that starts above an import.
            gap = [cst.EmptyLine()] if not leading and (index or tree.header) else []
            body[index] = statement.with_changes(leading_lines=[*leading, *gap, marker])
            return tree.with_changes(body=body)
    return tree


def _binds(node: cst.ImportFrom, module: str, name: str) -> bool:
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return False
    spelled = cst.Module(body=[]).code_for_node(node.module)
    return spelled == module and any(alias.evaluated_alias is None and alias.evaluated_name == name for alias in node.names)
