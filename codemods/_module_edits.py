"""Module-level edits the name codemods share: what a module binds, where new statements go.

"Bound" means bound when the module runs: a name imported only under ``if TYPE_CHECKING:`` does
not exist at runtime, so an importer of it still fails and the codemods must still add it.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import libcst as cst
from libcst.codemod import CodemodContext

from . import _imports

Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]  # what a Module body holds


def bound_names(tree: cst.Module) -> set[str]:
    """Names the module binds at module level when it runs: definitions, assignments, imports,
    also inside module-level if/try/with/for blocks (not under ``if TYPE_CHECKING:``), and the
    targets of module-level ``for`` and ``with ... as`` statements.

    Read off the top-level statements, not a scope analysis of the whole module: a long module
    costs its top level, not its function bodies.
    """
    return {name for statement in tree.body for name in _binds(statement)}


def binding_index(tree: cst.Module, name: str) -> Optional[int]:
    """The index of the last top-level statement that binds ``name`` at runtime, or None.

    The last one wins at runtime: after ``@overload`` stubs and the implementation, or after a
    ``try``/``except`` that binds it either way.
    """
    found = None
    for index, statement in enumerate(tree.body):
        if name in _binds(statement):
            found = index
    return found


def is_type_checking(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "TYPE_CHECKING") or (
        isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING"
    )


def add_import(
    tree: cst.Module, context: CodemodContext, statement: Statement, module: str, obj: Optional[str] = None
) -> cst.Module:
    """Import ``obj`` from ``module`` (``import module`` when ``obj`` is None) where the project's
    import sorter puts it, merged into a ``from module import ...`` when there is one.

    ``statement`` is what callers spell; the import is written from ``module`` and ``obj``.
    """
    del statement
    return _imports.add_import(tree, context, module, obj or "")


def is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


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


def _binds(statement: cst.CSTNode) -> set[str]:
    """Names a top-level statement binds at runtime, looking into if/try/with blocks."""
    if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
        return {statement.name.value}
    if isinstance(statement, cst.SimpleStatementLine):
        return {name for small in statement.body for name in _small_binds(small)}
    if isinstance(statement, cst.If) and is_type_checking(statement.test):
        return _binds(statement.orelse) if statement.orelse is not None else set()
    return _header_binds(statement) | {name for inner in _blocks(statement) for name in _binds(inner)}


def _blocks(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements directly inside a top-level compound statement (not function bodies)."""
    if isinstance(statement, cst.If):
        inner: list[cst.CSTNode] = list(_suite(statement.body))
        if statement.orelse is not None:
            inner.append(statement.orelse)
        return inner
    if isinstance(statement, cst.Else):
        return list(_suite(statement.body))
    if isinstance(statement, (cst.Try, cst.TryStar)):
        inner = list(_suite(statement.body))
        for handler in statement.handlers:
            inner.extend(_suite(handler.body))
        for block in (statement.orelse, statement.finalbody):
            if block is not None:
                inner.extend(_suite(block.body))
        return inner
    if isinstance(statement, (cst.With, cst.For, cst.While)):
        return list(_suite(statement.body))
    return []


def _header_binds(statement: cst.CSTNode) -> set[str]:
    """Names a ``for`` target or a ``with ... as`` binds."""
    if isinstance(statement, cst.For):
        return _target_names(statement.target)
    if isinstance(statement, cst.With):
        return {
            name for item in statement.items if item.asname is not None
            for name in _target_names(item.asname.name)
        }
    return set()


def _suite(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    if isinstance(suite, cst.IndentedBlock):
        return suite.body
    assert isinstance(suite, cst.SimpleStatementSuite)
    return [cst.SimpleStatementLine(body=suite.body)]


def _small_binds(small: cst.BaseSmallStatement) -> set[str]:
    if isinstance(small, cst.Assign):
        return {name for target in small.targets for name in _target_names(target.target)}
    if isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        return _target_names(small.target)
    if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
        return {_bound_by(alias) for alias in small.names}
    return set()


def _target_names(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _target_names(element.value)}
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


def _bound_by(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module([]).code_for_node(alias.name).split(".")[0]


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
