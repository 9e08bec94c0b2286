"""Point an importer at a renamed or moved name instead of changing the module it imports from.

``from pkg.mod import Old`` becomes ``from pkg.mod import New as Old`` (renamed) or
``from pkg.other import Old`` (moved, placed where the old import was, so code in between and
conditional imports keep their order). Attribute uses ``pkg.mod.Old`` become ``pkg.mod.New`` or
``pkg.other.New`` (with ``import pkg.other``). The local name never changes, so the rest of the
file is untouched.
"""

from __future__ import annotations

import argparse
from typing import Optional, Union

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import QualifiedNameProvider

LeaveResult = Union[cst.BaseStatement, cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]


class RewriteImportCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Rewrite `from <module> import <name>` to import <new_name> from <new_module> instead."
    KEY = "rewrite_import"
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", dest="module", required=True, help="The module that lacks the name.")
        arg_parser.add_argument("--name", dest="name", required=True, help="The name importers use.")
        arg_parser.add_argument("--new-module", dest="new_module", required=True, help="Where the name lives now.")
        arg_parser.add_argument("--new-name", dest="new_name", required=True, help="What it is called there.")

    def __init__(self, context: CodemodContext, module: str, name: str, new_module: str, new_name: str) -> None:
        super().__init__(context)
        self.old_module = module
        self.old_name = name
        self.new_module = new_module
        self.new_name = new_name
        self.moved_imports: list[cst.ImportFrom] = []
        self.moved_by: dict[int, list[cst.ImportFrom]] = {}  # id(old import) -> its new imports
        self.emptied: set[int] = set()

    def visit_Module(self, node: cst.Module) -> bool:
        if (self.old_module, self.old_name) == (self.new_module, self.new_name):
            raise SkipFile("the new import is the same as the old one")
        return True

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(updated_node.names, cst.ImportStar) or self._source_module(updated_node) != self.old_module:
            return updated_node
        kept: list[cst.ImportAlias] = []
        moved_before = len(self.moved_imports)
        for alias in updated_node.names:
            if alias.name.value != self.old_name:
                kept.append(alias)
                continue
            local = _local_name(alias)
            if self.new_module == self.old_module:
                kept.append(alias.with_changes(name=cst.Name(self.new_name), asname=_as(local, self.new_name)))
                continue
            self.moved_imports.append(
                cst.ImportFrom(
                    module=cst.parse_expression(self.new_module),  # type: ignore[arg-type]
                    names=[cst.ImportAlias(cst.Name(self.new_name), asname=_as(local, self.new_name))],
                )
            )
            if kept and alias is updated_node.names[-1]:
                # The name before the removed last one takes over its comma (or lack of one).
                kept[-1] = kept[-1].with_changes(comma=alias.comma)
        result = updated_node if not kept else updated_node.with_changes(names=kept)
        if not kept:
            # Every name moved: the enclosing statement line or suite drops this import.
            self.emptied.add(id(result))
        if len(self.moved_imports) > moved_before:
            self.moved_by[id(result)] = self.moved_imports[moved_before:]
        return result

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> LeaveResult:
        if not self.moved_imports:
            return updated_node
        moved, self.moved_imports = self.moved_imports, []
        body = [small for small in updated_node.body if id(small) not in self.emptied]
        self.emptied.clear()
        self.moved_by.clear()
        new_lines = [cst.SimpleStatementLine(body=[statement]) for statement in moved]
        if not body:
            # The old import held only the moved name: the new one takes its place and comments.
            first = new_lines[0].with_changes(
                leading_lines=updated_node.leading_lines, trailing_whitespace=updated_node.trailing_whitespace
            )
            return cst.FlattenSentinel([first, *new_lines[1:]])
        return cst.FlattenSentinel([updated_node.with_changes(body=body), *new_lines])

    def leave_SimpleStatementSuite(
        self, original_node: cst.SimpleStatementSuite, updated_node: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        """``if c: from pkg.mod import Old``: the new import takes the old one's place in the suite."""
        if not self.moved_imports:
            return updated_node
        body: list[cst.BaseSmallStatement] = []
        for small in updated_node.body:
            if id(small) not in self.emptied:
                body.append(small)
            body.extend(self.moved_by.pop(id(small), ()))
        self.moved_imports, self.emptied = [], set()
        return updated_node.with_changes(body=body)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if updated_node.attr.value != self.old_name:
            return updated_node
        names = self.get_metadata(QualifiedNameProvider, original_node, set())
        if not any(qualified.name == f"{self.old_module}.{self.old_name}" for qualified in names):
            return updated_node
        if self.new_module == self.old_module:
            return updated_node.with_changes(attr=cst.Name(self.new_name))
        AddImportsVisitor.add_needed_import(self.context, self.new_module)
        replacement = cst.parse_expression(f"{self.new_module}.{self.new_name}")
        return replacement.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def _source_module(self, node: cst.ImportFrom) -> Optional[str]:
        try:
            return get_absolute_module_from_package_for_import(self.context.full_package_name, node)
        except Exception:  # a relative import beyond the top-level package: not ours to rewrite
            return None


def _local_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return str(alias.name.value)


def _as(local: str, imported: str) -> Optional[cst.AsName]:
    return None if local == imported else cst.AsName(cst.Name(local))


