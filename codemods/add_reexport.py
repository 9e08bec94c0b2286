"""Re-export a name that moved to another module, so imports from the old module keep working.

The import goes with the module's other imports, unless the new home imports this module at load
time: then a top-of-file import would be circular, so it goes last, after this module's own
definitions (``at_end``; the planner decides statically, re-collection verifies). Where the module
also runs as a script (``python pkg/__init__.py``, where ``pkg`` itself cannot be imported) and its
own code never reads the name, that import runs only when the module is imported
(``outside_main``: under ``if __name__ != "__main__":``), so running the file imports nothing new
while importers, star imports and ``dir()`` see the name as before. The name joins ``__all__``
when the module has one. A ``# collect-fix: re-export`` comment above the import marks it as debt
(``collect-fix --list-stubs``) until the importers use the new home.
"""

from __future__ import annotations

import argparse
from typing import Optional

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from . import _imports
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
        arg_parser.add_argument(
            "--new-name", dest="new_name", default=None, help="What the name is called in its new home (renamed too)."
        )
        arg_parser.add_argument(
            "--imported", dest="imported", action="store_true",
            help="The old module only imported the name from there: say so, not 'moved'.",
        )
        arg_parser.add_argument(
            "--outside-main", dest="outside_main", action="store_true",
            help="With --at-end: import only when not run as a script (if __name__ != '__main__').",
        )

    def __init__(
        self, context: CodemodContext, from_module: str, name: str, at_end: bool = False,
        new_name: Optional[str] = None, imported: bool = False, outside_main: bool = False,
    ) -> None:
        super().__init__(context)
        self.imported = imported
        self.outside_main = outside_main
        self.from_module = from_module
        self.name = name
        self.at_end = at_end
        self.new_name = new_name if new_name and new_name != name else None

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if self.from_module == self.context.full_module_name:
            raise SkipFile(f"{self.from_module} cannot re-export from itself")
        if self.name in bound_names(tree):
            return tree
        tree = extend_dunder_all(tree, (self.name,))
        imported = f"{self.new_name} as {self.name}" if self.new_name else self.name
        statement = cst.parse_statement(f"from {self.from_module} import {imported}\n", tree.config_for_parsing)
        home = f"{self.from_module}.{self.new_name}" if self.new_name else self.from_module
        where = "imported from" if self.imported else "moved to"
        marker = cst.EmptyLine(comment=cst.Comment(f"{REEXPORT_MARKER} {self.name} ({where} {home})"))
        if self.new_name:
            tree = _imports.add_import(tree, self.context, self.from_module, self.new_name, asname=self.name) \
                if not self.at_end else tree
        elif not self.at_end:
            tree = add_import(tree, self.context, statement, self.from_module, self.name)
        if not self.at_end:
            return _marked(tree, marker, self.from_module, self.name, self.new_name)
        comment = cst.EmptyLine(comment=cst.Comment(f"# Imported last: {self.from_module} imports this module."))
        if self.outside_main:
            statement = cst.parse_statement(
                f"if __name__ != \"__main__\":  # run as a script, {self.from_module} cannot import\n"
                f"    from {self.from_module} import {imported}\n", tree.config_for_parsing)
        return append_statements(tree, [statement], comments=(comment, marker))


def _marked(tree: cst.Module, marker: cst.EmptyLine, module: str, name: str, new_name: Optional[str] = None) -> cst.Module:
    """The marker as a comment line above the import that now binds ``name`` (the line the sorter
    put it on, perhaps beside other names): a comment above an import stays with it when sorted."""
    body = list(tree.body)
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(small, cst.ImportFrom) and _binds(small, module, name, new_name) for small in statement.body
        ):
            leading = list(statement.leading_lines)
            # isort and ruff want a blank line before a comment that starts above an import.
            gap = [cst.EmptyLine()] if not leading and (index or tree.header) else []
            body[index] = statement.with_changes(leading_lines=[*leading, *gap, marker])
            return tree.with_changes(body=body)
    return tree


def _binds(node: cst.ImportFrom, module: str, name: str, new_name: Optional[str] = None) -> bool:
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return False
    spelled = cst.Module(body=[]).code_for_node(node.module)
    alias_of = (new_name, name) if new_name else (name, None)
    return spelled == module and any((alias.evaluated_name, alias.evaluated_alias) == alias_of for alias in node.names)
