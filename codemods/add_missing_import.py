"""Add the import that binds a name the module uses but never defines (a NameError at import).

``from typing import Optional`` joins an existing ``from typing import ...`` (in sorted position
when its names are sorted, at the end otherwise) that runs before the module first uses the
name; anything else is placed by AddImportsVisitor, after the docstring, ``from __future__`` and
the module's other top-of-file imports.
"""

from __future__ import annotations

import argparse
from typing import Optional, Union

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.helpers import get_full_name_for_node


class AddMissingImportCommand(VisitorBasedCodemodCommand):
    DESCRIPTION = "Import a name the module uses without defining it: `from MODULE import NAME` or `import MODULE`."
    KEY = "add_missing_import"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", required=True, help="module to import from; leading dots for relative")
        arg_parser.add_argument("--name", default="", help="name to import; empty for `import MODULE`")

    def __init__(self, context: CodemodContext, module: str, name: str = "") -> None:
        super().__init__(context)
        stripped = module.lstrip(".")
        self.level = len(module) - len(stripped)
        self.source_module = stripped
        self.name = "" if name == module else name
        if not self.source_module and not self.level:
            raise ValueError("add_missing_import needs a module")

    @property
    def bound_name(self) -> str:
        return self.name or self.source_module.partition(".")[0]

    def transform_module(self, tree: cst.Module) -> cst.Module:
        new_tree = super().transform_module(tree)
        return _keep_blank_line_after_docstring(tree, new_tree)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        binding = _module_level_binding(tree, self.bound_name)
        if binding == self._spelling():
            return tree  # already imported: a second run changes nothing
        if binding is not None:
            raise SkipFile(f"{self.bound_name} is already bound at module level by {binding!r}")
        if self.name:
            merged = self._merge(tree)
            if merged is not None:
                return merged
            if self.level:
                # With a package in the context, AddImportsVisitor would spell it absolute.
                relative = CodemodContext(filename=self.context.filename)
                AddImportsVisitor.add_needed_import(relative, self.source_module, self.name, relative=self.level)
                return AddImportsVisitor(relative).transform_module(tree)
            AddImportsVisitor.add_needed_import(self.context, self.source_module, self.name)
        else:
            AddImportsVisitor.add_needed_import(self.context, self.source_module)
        return tree

    def _spelling(self) -> str:
        if self.name:
            return f"from {'.' * self.level}{self.source_module} import {self.name}"
        return f"import {self.source_module}"

    def _merge(self, tree: cst.Module) -> Optional[cst.Module]:
        """Add the name to the first top-level ``from MODULE import ...`` it can join.

        Only an import that runs before the first statement using the name at import time: a
        later one would leave that statement with the same NameError.
        """
        for index, statement in enumerate(tree.body):
            if _uses_at_import(statement, self.bound_name):
                return None
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small_index, small in enumerate(statement.body):
                if self._joinable(small):
                    assert isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar)
                    joined = _with_alias(small, self.name)
                    body = list(statement.body)
                    body[small_index] = joined
                    statements = list(tree.body)
                    statements[index] = statement.with_changes(body=body)
                    return tree.with_changes(body=statements)
        return None

    def _joinable(self, node: cst.BaseSmallStatement) -> bool:
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return False
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        return len(node.relative) == self.level and module == self.source_module


def _uses_at_import(statement: cst.BaseStatement, name: str) -> bool:
    """Whether ``statement`` may read ``name`` when the module runs (function bodies do not)."""
    finder = _NameFinder(name)
    statement.visit(finder)
    return finder.found


class _NameFinder(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == self.name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # Decorators, defaults and annotations run at definition time; the body does not.
        for part in (*node.decorators, node.params, node.returns):
            if part is not None:
                part.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False


def _module_level_binding(tree: cst.Module, name: str) -> Optional[str]:
    """How ``name`` is already bound by a top-level statement: the import's text or the kind."""
    for statement in tree.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.name.value == name:
            return "def" if isinstance(statement, cst.FunctionDef) else "class"
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if _alias_binds(alias, name):
                        return _import_spelling(small, alias)
            targets: list[cst.BaseExpression] = []
            if isinstance(small, cst.Assign):
                targets = [target.target for target in small.targets]
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and not (
                isinstance(small, cst.AnnAssign) and small.value is None
            ):
                targets = [small.target]
            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                return "assignment"
    return None


def _alias_binds(alias: cst.ImportAlias, name: str) -> bool:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value == name
    return (get_full_name_for_node(alias.name) or "").partition(".")[0] == name


def _import_spelling(node: Union[cst.Import, cst.ImportFrom], alias: cst.ImportAlias) -> str:
    imported = get_full_name_for_node(alias.name) or ""
    suffix = f" as {alias.evaluated_alias}" if alias.asname is not None else ""
    if isinstance(node, cst.Import):
        return f"import {imported}{suffix}"
    module = get_full_name_for_node(node.module) if node.module is not None else ""
    return f"from {'.' * len(node.relative)}{module} import {imported}{suffix}"


def _with_alias(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    """The import plus ``name``, keeping each existing alias's comma, comment and layout."""
    assert not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    spelled = [get_full_name_for_node(alias.name) or "" for alias in names]
    position = len(names)
    for key in (lambda text: text, str.lower):
        if spelled == sorted(spelled, key=key):
            position = next((i for i, text in enumerate(spelled) if key(text) > key(name)), len(names))
            break
    separator = _separator(names, node.lpar)
    new = cst.ImportAlias(name=cst.Name(name), comma=separator)
    if position < len(names):
        return node.with_changes(names=[*names[:position], new, *names[position:]])
    last = names[-1]
    rpar = node.rpar
    if isinstance(last.comma, cst.Comma):
        # A trailing comma (and any comment after it) stays with the alias it followed.
        new = new.with_changes(comma=last.comma.with_changes(whitespace_after=_without_comment(last.comma.whitespace_after)))
        last = last.with_changes(comma=last.comma.with_changes(whitespace_after=_continued(last.comma.whitespace_after, separator)))
    elif rpar is not None and _has_comment(rpar.whitespace_before):
        # ``Last  # note`` before the closing paren: the note keeps following Last.
        last = last.with_changes(comma=cst.Comma(whitespace_after=_continued(rpar.whitespace_before, separator)))
        new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        rpar = rpar.with_changes(whitespace_before=_without_comment(rpar.whitespace_before))
    else:
        new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        last = last.with_changes(comma=separator)
    return node.with_changes(names=[*names[:-1], last, new], rpar=rpar)


def _continued(
    whitespace: cst.BaseParenthesizableWhitespace, separator: cst.Comma
) -> cst.BaseParenthesizableWhitespace:
    """``whitespace`` (with its comment) ending where the next name starts instead of at ``)``."""
    following = separator.whitespace_after
    if isinstance(whitespace, cst.ParenthesizedWhitespace) and isinstance(following, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(indent=following.indent, last_line=following.last_line)
    return following


def _separator(names: list[cst.ImportAlias], lpar: Optional[cst.LeftParen]) -> cst.Comma:
    """The comma (and line break, in a parenthesized list) that goes between two names."""
    between = [alias.comma for alias in names[:-1] if isinstance(alias.comma, cst.Comma)]
    for comma in between:
        if not _has_comment(comma.whitespace_after):
            return comma
    if between:
        return between[0].with_changes(whitespace_after=_without_comment(between[0].whitespace_after))
    if lpar is not None and isinstance(lpar.whitespace_after, cst.ParenthesizedWhitespace):
        # One name in a parenthesized block: the next one goes on its own line, indented alike.
        return cst.Comma(whitespace_after=_without_comment(lpar.whitespace_after))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _has_comment(whitespace: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and (
        whitespace.first_line.comment is not None or any(line.comment for line in whitespace.empty_lines)
    )


def _without_comment(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
    return whitespace


def _keep_blank_line_after_docstring(before: cst.Module, after: cst.Module) -> cst.Module:
    """An import inserted right under the docstring keeps the blank line the code had there."""
    if len(before.body) < 2 or len(after.body) < 2 or not _is_docstring(after.body[0]):
        return after
    previous, inserted = before.body[1], after.body[1]
    if inserted is previous or inserted.deep_equals(previous) or inserted.leading_lines:
        return after
    if not previous.leading_lines or previous.leading_lines[0].comment is not None:
        return after
    body = list(after.body)
    body[1] = inserted.with_changes(leading_lines=(cst.EmptyLine(),))
    return after.with_changes(body=body)


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
