"""Point an importer at a renamed or moved name instead of keeping the old name alive in the source.

``from pkg.mod import Old`` becomes ``from pkg.mod import New`` (renamed) or ``from pkg.other import
Old`` (moved), and every use of the name that import binds is renamed with it: the references
LibCST's scope analysis ties to that import, in every scope that does not bind the name itself
(a local ``Old`` in a function stays). Attribute uses ``pkg.mod.Old`` become ``pkg.mod.New`` or
``pkg.other.New`` (with ``import pkg.other``), and a string that spells the dotted path
(``mock.patch("pkg.mod.Old")``) follows it. Where renaming could change what a name means (the new
name is already bound where a use is, the old one is rebound or exported in ``__all__``, or used
in a string annotation) the import keeps the old name instead: ``from pkg.mod import New as Old``;
``--keep-name`` asks for that everywhere (a module others import the old name from, a
``mock.patch`` of the importer's own attribute).

A moved top-level import goes where the project's import sorter puts it (merged into an existing
``from pkg.other import ...``), with the old line's comments; imports inside functions or under
``if``/``try`` are rewritten in place.
"""

from __future__ import annotations

import argparse
import builtins
from typing import Mapping, Optional, Union

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import ImportAssignment, Scope, ScopeProvider

from . import _import_style
from ._common import InPlace
from ._from_import import is_sorted
from ._imports import add_import, drop_lines, placed_import, with_comments

LeaveResult = Union[cst.BaseStatement, cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]


class RewriteImportCommand(InPlace, VisitorBasedCodemodCommand):
    DESCRIPTION = "Rewrite `from <module> import <name>` and its uses to <new_name> from <new_module>."
    KEY = "rewrite_import"
    # Qualified names come from LibCST's scopes, one analysis of the whole module, resolved only
    # when a use must be followed (``_scopes``): a name moved under its own name with no attribute
    # spelling it needs none, and on a long test file the analysis is most of the edit's cost.
    METADATA_DEPENDENCIES = ()

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", dest="module", required=True, help="The module that lacks the name.")
        arg_parser.add_argument("--name", dest="name", required=True, help="The name importers use.")
        arg_parser.add_argument("--new-module", dest="new_module", required=True, help="Where the name lives now.")
        arg_parser.add_argument("--new-name", dest="new_name", required=True, help="What it is called there.")
        arg_parser.add_argument(
            "--keep-name", dest="keep_name", action="store_true",
            help="Import the new name as the old one and rename no use (other modules may read the old one here).",
        )

    def __init__(
        self, context: CodemodContext, module: str, name: str, new_module: str, new_name: str, keep_name: bool = False
    ) -> None:
        super().__init__(context)
        self.old_module = module
        self.old_name = name
        self.new_module = new_module
        self.new_name = new_name
        self.keep_name = keep_name
        self.renamed: set[cst.CSTNode] = set()  # uses (Name nodes) that follow the rename
        self.following: set[cst.ImportAlias] = set()  # aliases whose local name becomes new_name
        self.top_level: set[cst.SimpleStatementLine] = set()
        self.in_top_level = False
        self.moved_imports: list[cst.ImportFrom] = []
        self.moved_by: dict[int, list[cst.ImportFrom]] = {}  # id(old import) -> its new imports
        self.emptied: set[int] = set()
        self.top_moves: list[Optional[str]] = []  # local names of top-level imports to place anew
        # The comments each one's name carried: the lines above it, the one at its end.
        self.top_comments: list[tuple[list[cst.EmptyLine], Optional[cst.Comment]]] = []
        self.emptied_lines: list[cst.SimpleStatementLine] = []  # top-level lines left with no import
        self.needs_module_import = False
        self.style = _import_style.ImportStyle()
        self._scope_of: Optional[Mapping[cst.CSTNode, Optional[Scope]]] = None

    def _scopes(self) -> Mapping[cst.CSTNode, Optional[Scope]]:
        """ScopeProvider's answer for the tree being transformed (``InPlace``'s wrapper holds it)."""
        if self._scope_of is None:
            wrapper = self.context.wrapper
            if wrapper is None:
                raise ValueError("rewrite_import resolves scopes on the tree it is given (InPlace)")
            self._scope_of = wrapper.resolve(ScopeProvider)
        return self._scope_of

    # -- where the name is bound and used ---------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> bool:
        self._scope_of = None  # another module than the last one this command transformed
        if (self.old_module, self.old_name) == (self.new_module, self.new_name):
            raise SkipFile("the new import is the same as the old one")
        self.top_level = {statement for statement in node.body if isinstance(statement, cst.SimpleStatementLine)}
        self.style = _import_style.for_file(self.context.filename)
        if self.old_name != self.new_name and not self.keep_name and self.old_name not in _dunder_all(node):
            self._find_uses()
        return True

    def _find_uses(self) -> None:
        """Every use of every import of the old name from the old module, unless renaming one
        could change what a name means; then that import keeps the old name."""
        scopes = {scope for scope in self._scopes().values() if isinstance(scope, Scope)}
        if hasattr(builtins, self.new_name) or any(
            scope.assignments[self.new_name] or scope.accesses[self.new_name] for scope in scopes
        ):
            return  # the new name already means something here
        for scope in scopes:
            assignments = list(scope.assignments[self.old_name])
            for assignment in assignments:
                node = assignment.node if isinstance(assignment, ImportAssignment) else None
                if not isinstance(node, cst.ImportFrom) or not self._is_ours(node):
                    continue
                assert not isinstance(node.names, cst.ImportStar)
                alias = next((a for a in node.names if a.name.value == self.old_name and a.asname is None), None)
                accesses = list(assignment.references)
                renamable = len(assignments) == 1 and all(
                    isinstance(access.node, cst.Name) and len(access.referents) == 1 for access in accesses
                )  # rebound, or a string annotation: keep the old name
                if alias is not None and renamable:
                    self.following.add(alias)
                    self.renamed.update(access.node for access in accesses)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.in_top_level = node in self.top_level

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if original_node in self.renamed:
            return updated_node.with_changes(value=self.new_name)
        return updated_node

    # -- the import lines ---------------------------------------------------------------------------

    def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
        if not self._is_ours(updated_node):
            return updated_node
        assert not isinstance(updated_node.names, cst.ImportStar)
        assert not isinstance(original_node.names, cst.ImportStar)
        kept: list[cst.ImportAlias] = []
        moved_before = len(self.moved_imports)
        rpar = updated_node.rpar
        for original, alias in zip(original_node.names, updated_node.names):
            if alias.name.value != self.old_name:
                kept.append(alias)
                continue
            local = self.new_name if original in self.following else _local_name(alias)
            renamed_here = self.new_module == self.old_module and not is_sorted(original_node.names, self.style)
            if self.in_top_level and not renamed_here:
                # leave_Module imports it anew where the sorter puts it (maybe into this line).
                self.top_moves.append(None if local == self.new_name else local)
                above: list[cst.EmptyLine] = []
                if kept:  # the lines above it end the comma before it
                    above, comma = _lines_above(kept[-1].comma)
                    kept[-1] = kept[-1].with_changes(comma=comma)
                trailing = _comma_comment(alias)
                if alias is updated_node.names[-1] and trailing is None and rpar is not None:
                    trailing, rpar = _end_comment(rpar)  # the last name, no comma: ``slugify  # TODO\n)``
                self.top_comments.append((above, trailing))
            elif self.new_module == self.old_module:  # unsorted names, or not at top level: in place
                kept.append(alias.with_changes(name=cst.Name(self.new_name), asname=_as(local, self.new_name)))
                continue
            else:
                new_alias = cst.ImportAlias(cst.Name(self.new_name), asname=_as(local, self.new_name))
                self.moved_imports.append(cst.ImportFrom(module=_dotted(self.new_module), names=[new_alias]))
            if kept and alias is updated_node.names[-1]:
                # The name before the removed last one takes over its comma (or lack of one), not
                # its comment: that goes with the name (``_comma_comment``).
                kept[-1] = kept[-1].with_changes(comma=_without_comment(alias.comma))
        result = updated_node if not kept else updated_node.with_changes(names=kept, rpar=rpar)
        if not kept:
            # Every name moved: the enclosing statement line or suite drops this import.
            self.emptied.add(id(result))
        if len(self.moved_imports) > moved_before:
            self.moved_by[id(result)] = self.moved_imports[moved_before:]
        return result

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> LeaveResult:
        self.in_top_level = False
        if original_node in self.top_level:
            body = [small for small in updated_node.body if id(small) not in self.emptied]
            if not body:  # moved out whole: leave_Module drops the line, keeping its comments
                self.emptied_lines.append(updated_node)
                return updated_node
            return updated_node.with_changes(body=body)
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

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        if not self.top_moves and not self.needs_module_import:
            return updated_node
        style = self.style
        emptied = self.emptied_lines
        tree = updated_node.with_changes(body=drop_lines(updated_node.body, set(emptied)))
        for index, local in enumerate(self.top_moves):
            tree, at = placed_import(tree, self.context, self.new_module, self.new_name, style=style, asname=local)
            comments, trailing = self.top_comments[index]  # ``slugify,  # TODO`` in a parenthesized import
            comments = list(comments)
            if index < len(emptied):  # the new import carries the comments of the line it replaces
                comments = [line for line in emptied[index].leading_lines if line.comment is not None] + comments
                if emptied[index].trailing_whitespace.comment is not None:
                    comments += [cst.EmptyLine(comment=trailing)] if trailing is not None else []
                    trailing = emptied[index].trailing_whitespace.comment
            if comments or trailing is not None:
                body = list(tree.body)
                body[at] = with_comments(body[at], comments, trailing)
                tree = tree.with_changes(body=body)
        if self.needs_module_import:
            tree = add_import(tree, self.context, self.new_module, style=style)
        return tree

    # -- attribute and string uses ------------------------------------------------------------------

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        if updated_node.attr.value != self.old_name:
            return updated_node
        scope = self._scopes().get(original_node)
        names = scope.get_qualified_names_for(original_node) if scope is not None else set()
        if not any(qualified.name == f"{self.old_module}.{self.old_name}" for qualified in names):
            return updated_node
        if self.new_module == self.old_module:
            return updated_node.with_changes(attr=cst.Name(self.new_name))
        self.needs_module_import = True
        replacement = cst.parse_expression(f"{self.new_module}.{self.new_name}")
        return replacement.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString) -> cst.SimpleString:
        """``"pkg.mod.Old"`` (a patch target) spells the old path: it follows the name."""
        old_path = f"{self.old_module}.{self.old_name}"
        value = original_node.evaluated_value
        if not isinstance(value, str) or not (value == old_path or value.startswith(old_path + ".")):
            return updated_node
        if "\\" in original_node.value:
            return updated_node
        new_value = f"{self.new_module}.{self.new_name}{value[len(old_path):]}"
        prefix, quote = original_node.prefix, original_node.quote
        return updated_node.with_changes(value=f"{prefix}{quote}{new_value}{quote}")

    def _is_ours(self, node: cst.ImportFrom) -> bool:
        return not isinstance(node.names, cst.ImportStar) and self._source_module(node) == self.old_module

    def _source_module(self, node: cst.ImportFrom) -> Optional[str]:
        try:
            return get_absolute_module_from_package_for_import(self.context.full_package_name, node)
        except Exception:  # a relative import beyond the top-level package: not ours to rewrite
            return None


def _comma_comment(alias: cst.ImportAlias) -> Optional[cst.Comment]:
    """The comment at the end of a name's line in a parenthesized import (``slugify,  # TODO``)."""
    comma = alias.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return comma.whitespace_after.first_line.comment
    return None


def _lines_above(comma: Union[cst.Comma, cst.MaybeSentinel]) -> tuple[list[cst.EmptyLine], Union[cst.Comma, cst.MaybeSentinel]]:
    """The comment lines a comma's line break holds (those above the next name), and the comma without them."""
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        lines = [cst.EmptyLine(comment=line.comment) for line in comma.whitespace_after.empty_lines if line.comment]
        if lines:
            return lines, comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(empty_lines=[]))
    return [], comma


def _end_comment(rpar: cst.RightParen) -> tuple[Optional[cst.Comment], cst.RightParen]:
    """The comment at the end of the line before ``)``, and the parenthesis without it."""
    space = rpar.whitespace_before
    if isinstance(space, cst.ParenthesizedWhitespace) and space.first_line.comment is not None:
        first_line = space.first_line.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
        return space.first_line.comment, rpar.with_changes(whitespace_before=space.with_changes(first_line=first_line))
    return None, rpar


def _without_comment(comma: Union[cst.Comma, cst.MaybeSentinel]) -> Union[cst.Comma, cst.MaybeSentinel]:
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace) \
            and comma.whitespace_after.first_line.comment is not None:
        first_line = comma.whitespace_after.first_line.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)
        return comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(first_line=first_line))
    return comma


def _dunder_all(module: cst.Module) -> set[str]:
    """The strings of a top-level ``__all__``: renaming an exported name would break its importers."""
    names: set[str] = set()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            target = small.target if isinstance(small, (cst.AnnAssign, cst.AugAssign)) else None
            if isinstance(small, cst.Assign):
                target = small.targets[0].target
            if isinstance(target, cst.Name) and target.value == "__all__":
                value = getattr(small, "value", None)
                for element in getattr(value, "elements", ()):
                    if isinstance(element.value, cst.SimpleString):
                        names.add(str(element.value.evaluated_value))
    return names


def _dotted(module: str) -> Union[cst.Name, cst.Attribute]:
    expression = cst.parse_expression(module)
    assert isinstance(expression, (cst.Name, cst.Attribute))
    return expression


def _local_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return str(alias.name.value)


def _as(local: str, imported: str) -> Optional[cst.AsName]:
    return None if local == imported else cst.AsName(cst.Name(local))
