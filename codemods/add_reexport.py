"""Re-export a name that moved to another module, so imports from the old module keep working.

The import goes with the module's other imports, unless the new home imports this module at load
time: then a top-of-file import would be circular, so it goes last, after this module's own
definitions (``at_end``; the planner decides statically, re-collection verifies). The name joins
``__all__`` when the module has one. Also home of the helpers the other name codemods share.
"""

from __future__ import annotations

import argparse
from typing import Optional, Sequence, Union

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import GlobalScope, MetadataWrapper, ScopeProvider

Definition = Union[cst.ClassDef, cst.FunctionDef]
Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]  # what a Module body holds


class AddReexportCommand(CodemodCommand):
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
        if not self.at_end:
            return add_import(tree, self.context, statement, self.from_module, self.name)
        comment = cst.EmptyLine(comment=cst.Comment(f"# Imported last: {self.from_module} imports this module."))
        return append_statements(tree, [statement], comments=(comment,))


def add_import(
    tree: cst.Module, context: CodemodContext, statement: Statement, module: str, obj: Optional[str] = None
) -> cst.Module:
    """Add an import with the module's other imports (merged when it can be), or below the docstring."""
    if any(_is_import(line) for line in tree.body):
        AddImportsVisitor.add_needed_import(context, module, obj)
        return tree
    body = list(tree.body)
    at = 1 if body and _is_docstring(body[0]) else 0
    body.insert(at, statement.with_changes(leading_lines=[cst.EmptyLine()] if at else []))
    following = at + 1
    if following < len(body) and not body[following].leading_lines:
        body[following] = body[following].with_changes(
            leading_lines=[cst.EmptyLine()] * blank_lines(statement, body[following])
        )
    return tree.with_changes(body=body, has_trailing_newline=True)


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def bound_names(tree: cst.Module) -> set[str]:
    """Names the module binds at module level: definitions, assignments and imports."""
    wrapper = MetadataWrapper(tree)
    scope = wrapper.resolve(ScopeProvider)[wrapper.module]
    assert isinstance(scope, GlobalScope)
    return {assignment.name for assignment in scope.assignments}


def extend_dunder_all(tree: cst.Module, names: Sequence[str]) -> cst.Module:
    """Add ``names`` to a literal top-level ``__all__`` list or tuple, in its own style."""
    body = []
    for statement in tree.body:
        if isinstance(statement, cst.SimpleStatementLine):
            statement = statement.with_changes(
                body=[_extend_assignment(small, names) for small in statement.body]
            )
        body.append(statement)
    return tree.with_changes(body=body)


def append_statements(
    tree: cst.Module, statements: Sequence[Statement], comments: Sequence[cst.EmptyLine] = ()
) -> cst.Module:
    """Append statements at the end of the body with PEP 8 blank lines before each."""
    body = list(tree.body)
    for index, statement in enumerate(statements):
        previous = body[-1] if body else None
        # Generated constants stay together as one group, like hand-written ones.
        together = index > 0 and not is_definition(statement) and not is_definition(statements[index - 1])
        blank = 0 if together else blank_lines(previous, statement)
        leading = [cst.EmptyLine()] * blank + list(comments if index == 0 else ())
        body.append(statement.with_changes(leading_lines=leading))
    return tree.with_changes(body=body, has_trailing_newline=True)


def blank_lines(previous: Union[cst.BaseStatement, None], statement: cst.BaseStatement) -> int:
    """Two blank lines around classes and functions, one after other code, none at the top."""
    if previous is None:
        return 0
    if is_definition(previous) or is_definition(statement):
        return 2
    return 1


def is_definition(statement: cst.CSTNode) -> bool:
    return isinstance(statement, (cst.ClassDef, cst.FunctionDef))


def _extend_assignment(small: cst.BaseSmallStatement, names: Sequence[str]) -> cst.BaseSmallStatement:
    if isinstance(small, cst.Assign):
        targets = [target.target for target in small.targets]
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        targets = [small.target]
    else:
        return small
    if not any(isinstance(target, cst.Name) and target.value == "__all__" for target in targets):
        return small
    if not isinstance(small.value, (cst.List, cst.Tuple)):
        return small
    return small.with_changes(value=_extend_sequence(small.value, names))


def _extend_sequence(sequence: Union[cst.List, cst.Tuple], names: Sequence[str]) -> Union[cst.List, cst.Tuple]:
    elements = list(sequence.elements)
    present = {element.value.evaluated_value for element in elements if isinstance(element.value, cst.SimpleString)}
    quote = '"'
    for element in elements:
        if isinstance(element.value, cst.SimpleString):
            quote = element.value.quote
    for name in names:
        if name in present:
            continue
        new = cst.Element(cst.SimpleString(f"{quote}{name}{quote}"))
        if not elements:
            elements.append(new)
            continue
        last = elements[-1]
        separator = _separator(sequence, elements)
        single_tuple = isinstance(sequence, cst.Tuple) and len(elements) == 1
        if isinstance(last.comma, cst.Comma) and not single_tuple:
            # A trailing comma stays trailing: the new element takes it over.
            elements[-1] = last.with_changes(comma=separator)
            elements.append(new.with_changes(comma=last.comma))
        else:
            elements[-1] = last.with_changes(comma=separator)
            elements.append(new)
        present.add(name)
    if isinstance(sequence, cst.Tuple) and len(elements) == 1 and not isinstance(elements[0].comma, cst.Comma):
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return sequence.with_changes(elements=elements)


def _separator(sequence: Union[cst.List, cst.Tuple], elements: list[cst.BaseElement]) -> cst.Comma:
    """The comma between two existing elements, or one that matches the opening bracket's layout."""
    if len(elements) >= 2 and isinstance(elements[-2].comma, cst.Comma):
        return elements[-2].comma
    opening = sequence.lbracket if isinstance(sequence, cst.List) else (sequence.lpar[0] if sequence.lpar else None)
    if opening is not None and isinstance(opening.whitespace_after, cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=opening.whitespace_after)
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
