"""Stop import-time exits (sys.exit, exit, quit, os._exit, raise SystemExit) from ending collection.

A module-level exit raises SystemExit while pytest imports the file, which ends the whole session
(os._exit even kills the process). Each import-time exit of the module is rewritten by shape:

* ``try: import X / except ImportError: ...; sys.exit()`` -> ``X_AVAILABLE = True/False`` and
  ``pytestmark = pytest.mark.skipif(not X_AVAILABLE, ...)``. When later module-level code uses a
  name the import should have bound, a mark cannot help (it does not stop module code, pytest
  issue 2338), so the exit becomes ``pytest.skip(reason, allow_module_level=True)`` instead.
* ``if cond: sys.exit()`` -> ``pytestmark = pytest.mark.skipif(cond, ...)`` (strategy "skipif"),
  or ``pytest.skip(...)`` in place (strategy "skip": the module stops exactly where it used to).
* an unconditional exit ending a script-style file moves under ``if __name__ == "__main__":``.
* anything else -> ``pytest.skip(reason, allow_module_level=True)`` in place.

Exits in functions and under the main guard are left alone. A conftest.py always gets the in-place
skip (``pytestmark`` means nothing there). A module that is not a test module only gets the main
guard: adding pytest to library code would not be a repair.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
from typing import Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import MetadataWrapper, ParentNodeProvider, QualifiedNameProvider

from collect_fix.exits import ExitCall, ExitFinder, ExitNode, is_main_guard

STRATEGIES = ("skipif", "skip")
TEST_FILE_PATTERNS = ("test_*.py", "*_test.py", "conftest.py")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
_MESSAGE_CALLS = frozenset({"builtins.print", "sys.stderr.write", "sys.stdout.write", "warnings.warn"})
_STRING = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)

Line = Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]  # a run of small statements
LINE_TYPES = (cst.SimpleStatementLine, cst.SimpleStatementSuite)
Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]  # what a Module body holds
# The nodes whose ``body`` suite can hold a line (the Module aside).
BLOCK_OWNERS = (
    cst.BaseCompoundStatement, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally, cst.MatchCase
)


class GuardModuleExitCommand(CodemodCommand):
    DESCRIPTION = "Turn import-time sys.exit/exit/quit/os._exit/raise SystemExit into pytest skips."
    KEY = "guard_module_exit"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--strategy", choices=STRATEGIES, default="skipif",
            help="skipif: a module-level skipif mark where the condition is known; skip: pytest.skip in place",
        )
        arg_parser.add_argument(
            "--test-module", action="store_true",
            help="treat the file as a test module even if its name does not say so",
        )

    def __init__(self, context: CodemodContext, strategy: str = "skipif", test_module: bool = False) -> None:
        super().__init__(context)
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        self.strategy = strategy
        self.test_module = test_module

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        wrapper = self.context.wrapper or MetadataWrapper(tree, unsafe_skip_copy=True)
        finder = ExitFinder()
        wrapper.visit(finder)
        targets = [(node, record) for node, record in finder.found if record.blocks_collection]
        if not targets:
            return tree
        edits = _Edits(tree, wrapper, self.strategy, self._test_kind(tree))
        for node, record in targets:
            if not edits.add(node, record):
                self.warn(f"line {record.line}: {record.display} runs at import time of a module that is "
                          "not a test module; left unchanged")
        if not edits.changed:
            raise SkipFile("no import-time exit that can be repaired here (not a test module)")
        if edits.uses_pytest and not _imports_pytest(tree, before=edits.first_skip):
            AddImportsVisitor.add_needed_import(self.context, "pytest")
        for gone in edits.gone:
            RemoveImportsVisitor.remove_unused_import_by_node(self.context, gone)
        return tree.visit(_Rewriter(edits))

    def _test_kind(self, tree: cst.Module) -> str:
        """'conftest', 'test' or 'library': what may be written into this module."""
        name = os.path.basename(self.context.filename or "")
        if name == "conftest.py":
            return "conftest"
        if self.test_module or not name or any(fnmatch.fnmatch(name, p) for p in TEST_FILE_PATTERNS):
            return "test"
        if m.findall(tree, m.Import(names=[m.ImportAlias(name=m.Name("pytest"))]) | m.ImportFrom(module=m.Name("pytest"))):
            return "test"
        return "library"


class _Edits:
    """What to change, decided on the original tree; ``_Rewriter`` applies it."""

    def __init__(self, tree: cst.Module, wrapper: MetadataWrapper, strategy: str, kind: str) -> None:
        self.tree = tree
        self.parents = wrapper.resolve(ParentNodeProvider)
        self.names = wrapper.resolve(QualifiedNameProvider)
        self.strategy = strategy
        self.kind = kind
        self.replace: dict[cst.BaseSmallStatement, cst.BaseSmallStatement] = {}  # an exit's statement -> its repair
        self.replace_calls: dict[cst.Call, cst.Call] = {}  # an exit inside an expression -> pytest.skip(...)
        self.flags: dict[cst.Try, str] = {}
        self.drops: dict[cst.If, set[tuple[int, int]]] = {}
        self.removed: set[cst.CSTNode] = set()
        self.gone: list[cst.CSTNode] = []  # code that disappears: its imports may become unused
        self.marks: list[tuple[int, cst.BaseExpression]] = []  # (module index the mark must follow, mark)
        self.wrap_last = False
        self.changed = False
        self.uses_pytest = False
        self.first_skip = len(tree.body)  # first module statement that calls pytest.skip
        self._source_lines: Optional[list[str]] = None
        self._taken = {name.value for name in m.findall(tree, m.Name()) if isinstance(name, cst.Name)}

    def add(self, node: ExitNode, record: ExitCall) -> bool:
        """Plan the repair of one exit; False when this module must not get one."""
        stmt = self._statement(node)
        line, owner = self._location(stmt) if stmt is not None else (None, None)
        if line is not None and owner is self.tree and self.tree.body[-1] is line:
            self.wrap_last = self.changed = True
            return True
        if self.kind == "library":
            return False
        self.changed = self.uses_pytest = True
        self.gone.append(node)
        marks_allowed = self.kind == "test"
        if stmt is not None and isinstance(owner, cst.ExceptHandler) and marks_allowed:
            try_node = self.parents[owner]
            if isinstance(try_node, cst.Try) and self._guards_import(try_node, owner):
                if self.strategy == "skipif" and not self._bound_names_used_later(try_node):
                    self._flag(try_node, stmt, node)
                    return True
                self._skip_at(node)
                self.replace[stmt] = _skip_statement(stmt, self._reason(node, stmt, line, owner), self._indent(record))
                return True
        if stmt is not None and line is not None and isinstance(owner, cst.If) and marks_allowed:
            if self.strategy == "skipif" and owner.orelse is None and self.parents[owner] is self.tree:
                self._mark_condition(owner, line, stmt, node)
                return True
        self._skip_at(node)
        reason = self._reason(node, stmt, line, owner)
        if stmt is not None:
            self.replace[stmt] = _skip_statement(stmt, reason, self._indent(record))
        else:
            assert isinstance(node, cst.Call)  # a raise is always its own statement
            self.replace_calls[node] = _skip_call(reason)
        return True

    # -- shapes -------------------------------------------------------------------------------

    def _flag(self, try_node: cst.Try, stmt: cst.BaseSmallStatement, node: ExitNode) -> None:
        flag = self.flags.get(try_node)
        if flag is None:
            flag = self.flags[try_node] = self._flag_name(try_node)
            reason = self._static_reason(node, stmt) or _string(f"could not import {_imported_module(try_node)}")
            condition = cst.UnaryOperation(operator=cst.Not(), expression=cst.Name(flag))
            self.marks.append((self._top_index(try_node), _skipif(condition, reason)))
        self.replace[stmt] = _assign(flag, cst.Name("False"), stmt.semicolon)

    def _mark_condition(self, if_node: cst.If, line: Line, stmt: cst.BaseSmallStatement, node: ExitNode) -> None:
        if if_node not in self.drops:  # one mark per condition, however many exits it guards
            reason = self._static_reason(node, stmt, allow_fstring=True) or _string(_source(if_node.test))
            self.marks.append((self._top_index(if_node), _skipif(if_node.test, reason)))
        drops = self.drops.setdefault(if_node, set())
        lines = _lines(if_node.body)
        for line_index, body_line in enumerate(lines):
            for small_index, small in enumerate(body_line.body if isinstance(body_line, LINE_TYPES) else ()):
                if small is stmt or self._is_message(small):
                    drops.add((line_index, small_index))
                    self.gone.append(small)
        kept = sum(len(l.body) if isinstance(l, LINE_TYPES) else 1 for l in lines) - len(drops)
        if kept == 0:
            self.removed.add(if_node)

    # -- evidence from the code ---------------------------------------------------------------

    def _reason(
        self, node: ExitNode, stmt: Optional[cst.BaseSmallStatement], line: Optional[Line], owner: Optional[cst.CSTNode]
    ) -> cst.BaseExpression:
        """The exit message, else the printed text before it, else the condition, else the call."""
        message = _exit_message(node)
        if message is not None:
            return message
        if stmt is not None and line is not None:
            printed = self._printed(line, owner, stmt)
            if printed is not None:
                return printed
        if isinstance(owner, cst.If):
            return _string(_source(owner.test))
        if isinstance(owner, cst.ExceptHandler):
            try_node = self.parents[owner]
            if isinstance(try_node, cst.Try) and _imported_module(try_node):
                return _string(f"could not import {_imported_module(try_node)}")
        return _string(f"{_source(node)} at import time")

    def _static_reason(
        self, node: ExitNode, stmt: cst.BaseSmallStatement, allow_fstring: bool = False
    ) -> Optional[cst.BaseExpression]:
        """A reason that can live at module level, away from the block's local names."""
        line, owner = self._location(stmt)
        candidate = _exit_message(node)
        if candidate is None and line is not None:
            candidate = self._printed(line, owner, stmt)
        if candidate is None or allow_fstring:
            return candidate
        return _literal_text(candidate)

    def _printed(self, line: Line, owner: Optional[cst.CSTNode], stmt: cst.BaseSmallStatement) -> Optional[cst.BaseExpression]:
        smalls: list[cst.BaseSmallStatement] = []
        block = _lines(owner.body) if isinstance(owner, BLOCK_OWNERS) else list(self.tree.body)
        for body_line in block:
            if isinstance(body_line, LINE_TYPES):
                smalls.extend(body_line.body)
                if body_line is line:
                    break
        for small in reversed(smalls[: smalls.index(stmt)] if stmt in smalls else []):
            if self._is_message(small):
                assert isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
                args = small.value.args
                if args and args[0].keyword is None and isinstance(args[0].value, _STRING):
                    value = args[0].value
                    if len(args) > 1 and not isinstance(value, cst.FormattedString):
                        return _literal_text(value)  # "Failed to import:", e -> "Failed to import"
                    return value
        return None

    def _is_message(self, small: cst.BaseSmallStatement) -> bool:
        if not (isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)):
            return False
        names = self.names.get(small.value.func, set())
        if callable(names):  # resolved lazily by LibCST
            names = names()
        return any(name.name in _MESSAGE_CALLS for name in names)

    def _guards_import(self, try_node: cst.Try, handler: cst.ExceptHandler) -> bool:
        caught = handler.type
        types = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
        catches = caught is None or any(
            isinstance(t, (cst.Name, cst.Attribute)) and _source(t).split(".")[-1] in _IMPORT_ERRORS for t in types
        )
        return catches and self.parents[try_node] is self.tree and _imported_module(try_node) is not None

    def _bound_names_used_later(self, try_node: cst.Try) -> bool:
        bound = _bound_names(try_node)
        if bound is None:
            return True  # a star import: any later name may be one of its
        later = self.tree.body[self._top_index(try_node) + 1:]
        finder = _ImportTimeNames(bound, deferred_annotations=_has_future_annotations(self.tree))
        for statement in later:
            statement.visit(finder)
        return finder.used

    def _flag_name(self, try_node: cst.Try) -> str:
        stem = re.sub(r"\W+", "_", (_imported_module(try_node) or "module").split(".")[-1]).strip("_").upper()
        candidates = [f"{stem}_AVAILABLE", f"HAS_{stem}"] + [f"{stem}_AVAILABLE_{n}" for n in range(2, 100)]
        for candidate in candidates:
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate
        raise SkipFile("no free name for an availability flag")

    # -- where a node is ----------------------------------------------------------------------

    def _statement(self, node: ExitNode) -> Optional[cst.BaseSmallStatement]:
        """The small statement that is only this exit, or None when it sits inside an expression."""
        if isinstance(node, cst.Raise):
            return node
        parent = self.parents.get(node)
        return parent if isinstance(parent, cst.Expr) and parent.value is node else None

    def _location(self, stmt: cst.BaseSmallStatement) -> tuple[Optional[Line], Optional[cst.CSTNode]]:
        """The line holding ``stmt`` and the statement (or Module) whose body holds that line."""
        line = self.parents.get(stmt)
        if not isinstance(line, LINE_TYPES):
            return None, None
        parent = self.parents.get(line)
        owner = self.parents.get(parent) if isinstance(parent, cst.IndentedBlock) else parent
        return line, owner

    def _indent(self, record: ExitCall) -> Optional[str]:
        if self._source_lines is None:
            self._source_lines = self.tree.code.splitlines()
        prefix = self._source_lines[record.line - 1][: record.col - 1]
        return prefix if not prefix.strip() else None

    def _skip_at(self, node: cst.CSTNode) -> None:
        while self.parents.get(node) is not self.tree:
            node = self.parents[node]
        self.first_skip = min(self.first_skip, self._top_index(node))

    def _top_index(self, node: cst.CSTNode) -> int:
        return next(index for index, statement in enumerate(self.tree.body) if statement is node)


class _Rewriter(cst.CSTTransformer):
    def __init__(self, edits: _Edits) -> None:
        super().__init__()
        self.edits = edits

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.BaseSmallStatement:
        return self.edits.replace.get(original_node, updated_node)

    def leave_Raise(self, original_node: cst.Raise, updated_node: cst.Raise) -> cst.BaseSmallStatement:
        return self.edits.replace.get(original_node, updated_node)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        return self.edits.replace_calls.get(original_node, updated_node)

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        flag = self.edits.flags.get(original_node)
        if flag is None:
            return updated_node
        body = updated_node.body
        if isinstance(body, cst.IndentedBlock):
            line = cst.SimpleStatementLine([_assign(flag, cst.Name("True"))])
            return updated_node.with_changes(body=body.with_changes(body=[*body.body, line]))
        assert isinstance(body, cst.SimpleStatementSuite)
        *head, last = body.body
        joined = last.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
        return updated_node.with_changes(body=body.with_changes(body=[*head, joined, _assign(flag, cst.Name("True"))]))

    def leave_If(self, original_node: cst.If, updated_node: cst.If) -> cst.If:
        drops = self.edits.drops.get(original_node)
        if not drops or original_node in self.edits.removed:
            return updated_node
        body = updated_node.body
        if isinstance(body, cst.SimpleStatementSuite):
            return updated_node.with_changes(body=body.with_changes(body=_keep(body.body, 0, drops)))
        assert isinstance(body, cst.IndentedBlock)
        lines: list[cst.BaseStatement] = []
        for index, line in enumerate(body.body):
            if isinstance(line, cst.SimpleStatementLine):
                kept = _keep(line.body, index, drops)
                if kept:
                    lines.append(line.with_changes(body=kept))
            else:
                lines.append(line)
        return updated_node.with_changes(body=body.with_changes(body=lines))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        original, body = list(original_node.body), list(updated_node.body)
        removed = self.edits.removed
        marks = [mark for _, mark in self.edits.marks]
        insert_at, existing = _mark_position(original, self.edits) if marks else (None, None)
        moved = insert_at is not None and existing is not None  # an earlier pytestmark joins the new one
        # Removed statements became marks: their comments go with the pytestmark line.
        comments = [line for index in range(len(body)) if original[index] in removed
                    for line in body[index].leading_lines if line.comment is not None]
        new_body: list[Statement] = []
        for index in range(len(body) + 1):
            if index == insert_at:
                if moved:
                    assert existing is not None
                    value, leading = _merge(original[existing], marks), list(body[existing].leading_lines)
                else:
                    value, leading = _list_of(marks), [cst.EmptyLine()]
                new_body.append(_assign_line("pytestmark", value, [*leading, *comments]))
            if index == len(body):
                break
            statement = body[index]
            if original[index] in removed or (moved and index == existing):
                continue
            if index == existing:
                leading = [*statement.leading_lines, *comments]
                statement = _assign_line("pytestmark", _merge(original[index], marks), leading)
            if index == len(body) - 1 and self.edits.wrap_last:
                _append_under_main_guard(new_body, statement)
            else:
                new_body.append(statement)
        return updated_node.with_changes(body=new_body)


class _ImportTimeNames(cst.CSTVisitor):
    """Whether module-level code reads one of ``names`` while the module is imported."""

    def __init__(self, names: set[str], deferred_annotations: bool) -> None:
        super().__init__()
        self.names = names
        self.deferred_annotations = deferred_annotations
        self.used = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.used = True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        for param in (*node.params.params, *node.params.kwonly_params, *node.params.posonly_params):
            if param.default is not None:
                param.default.visit(self)
            if param.annotation is not None and not self.deferred_annotations:
                param.annotation.visit(self)
        if node.returns is not None and not self.deferred_annotations:
            node.returns.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        for param in node.params.params:
            if param.default is not None:
                param.default.visit(self)
        return False


# -- helpers on nodes ---------------------------------------------------------------------------


def _mark_position(original: Sequence[cst.BaseStatement], edits: _Edits) -> tuple[Optional[int], Optional[int]]:
    """(index to insert ``pytestmark`` before, or None to merge in place; index of an existing one)."""
    position = max(after + 1 for after, _ in edits.marks)
    while position < len(original) and _is_import(original[position]) and original[position] not in edits.removed:
        position += 1
    for index, statement in enumerate(original):
        if m.matches(statement, _IMPORT_PYTEST):
            position = max(position, index + 1)
    existing = None
    for index, statement in enumerate(original):
        if m.matches(statement, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name("pytestmark"))])])):
            existing = index
    if existing is not None and existing >= position and original[existing] not in edits.removed:
        return None, existing
    return position, existing


def _imports_pytest(tree: cst.Module, before: int) -> bool:
    """Whether ``import pytest`` runs at module level before statement ``before``."""
    return any(m.matches(statement, _IMPORT_PYTEST) for statement in tree.body[:before])


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def _merge(statement: cst.BaseStatement, marks: list[cst.BaseExpression]) -> cst.BaseExpression:
    """An existing ``pytestmark`` value with ``marks`` added: one mark -> list, list -> appended."""
    assert isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Assign)
    value = statement.body[0].value
    if (
        isinstance(value, cst.List) and value.elements
        and isinstance(value.lbracket.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(value.rbracket.whitespace_before, cst.ParenthesizedWhitespace)
    ):
        return _append_multiline(value, marks)
    if isinstance(value, (cst.List, cst.Tuple)):
        return _list_of([element.value for element in value.elements] + marks, force_list=True)
    return _list_of([value, *marks], force_list=True)


def _append_multiline(sequence: cst.List, marks: list[cst.BaseExpression]) -> cst.List:
    """Append one element per line in the list's own layout, keeping its comments in place."""
    opening = cst.ensure_type(sequence.lbracket.whitespace_after, cst.ParenthesizedWhitespace)
    closing = cst.ensure_type(sequence.rbracket.whitespace_before, cst.ParenthesizedWhitespace)
    elements = list(sequence.elements)
    trailing = elements[-1].comma
    # The last element's own line ends where the closing bracket's whitespace begins.
    first_line = closing.first_line
    for mark in marks:
        newline = cst.ParenthesizedWhitespace(first_line=first_line, indent=True, last_line=opening.last_line)
        elements[-1] = elements[-1].with_changes(comma=cst.Comma(whitespace_after=newline))
        elements.append(cst.Element(mark, comma=trailing))
        first_line = cst.TrailingWhitespace()
    rbracket = sequence.rbracket.with_changes(whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace()))
    return sequence.with_changes(elements=elements, rbracket=rbracket)


def _list_of(marks: list[cst.BaseExpression], force_list: bool = False) -> cst.BaseExpression:
    if len(marks) == 1 and not force_list:
        return marks[0]
    inline = "[" + ", ".join(_code(mark) for mark in marks) + "]"
    if len(_PYTESTMARK) + len(inline) <= _WIDTH and "\n" not in inline:
        return cst.parse_expression(inline)
    return cst.parse_expression("[\n" + "".join(f"    {_code(_fit(mark, '    ', 4))},\n" for mark in marks) + "]")


def _append_under_main_guard(body: list[Statement], statement: Statement) -> None:
    previous = body[-1] if body else None
    if (
        isinstance(previous, cst.If) and previous.orelse is None and is_main_guard(previous.test)
        and isinstance(previous.body, cst.IndentedBlock)
    ):
        comments = [line for line in statement.leading_lines if line.comment is not None]
        moved = statement.with_changes(leading_lines=comments)
        body[-1] = previous.with_changes(body=previous.body.with_changes(body=[*previous.body.body, moved]))
        return
    guard = cst.ensure_type(cst.parse_statement('if __name__ == "__main__":\n    pass\n'), cst.If)
    body.append(guard.with_changes(
        body=cst.IndentedBlock([statement.with_changes(leading_lines=[])]),
        leading_lines=statement.leading_lines,
    ))


def _keep(smalls: Sequence[cst.BaseSmallStatement], line_index: int, drops: set[tuple[int, int]]) -> list[cst.BaseSmallStatement]:
    kept = [small for index, small in enumerate(smalls) if (line_index, index) not in drops]
    if kept and kept[-1] is not smalls[-1]:
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return kept


def _lines(body: cst.BaseSuite) -> list[Union[cst.BaseStatement, cst.SimpleStatementSuite]]:
    """The statements of a block; a one-line suite (``if x: a; b``) counts as one line."""
    if isinstance(body, cst.SimpleStatementSuite):
        return [body]
    assert isinstance(body, cst.IndentedBlock)
    return list(body.body)


def _exit_message(node: ExitNode) -> Optional[cst.BaseExpression]:
    call = node.exc if isinstance(node, cst.Raise) else node
    if isinstance(call, cst.Call) and call.args and call.args[0].keyword is None:
        value = call.args[0].value
        if isinstance(value, _STRING):
            return value
    return None


def _literal_text(value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The fixed text of a string expression: f"Failed: {e}" -> "Failed"; None if nothing fixed."""
    if isinstance(value, cst.FormattedString):
        text = ""
        for part in value.parts:
            if not isinstance(part, cst.FormattedStringText):
                break
            text += part.value.replace("{{", "{").replace("}}", "}")
        if "\\" in text:
            return None
    elif isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
        evaluated = value.evaluated_value
        if not isinstance(evaluated, str):
            return None
        if evaluated == _tidy(evaluated) and isinstance(value, cst.SimpleString):
            return value
        text = evaluated
    else:
        return None
    text = _tidy(text)
    return _string(text) if text else None


def _tidy(text: str) -> str:
    return text.strip().rstrip(":;,-").strip()


def _imported_module(try_node: cst.Try) -> Optional[str]:
    for line in _lines(try_node.body):
        for small in line.body if isinstance(line, LINE_TYPES) else ():
            if isinstance(small, cst.Import):
                return _source(small.names[0].name)
            if isinstance(small, cst.ImportFrom):
                if small.module is not None:
                    return _source(small.module)
                if not isinstance(small.names, cst.ImportStar):
                    return _source(small.names[0].name)
    return None


def _bound_names(try_node: cst.Try) -> Optional[set[str]]:
    names: set[str] = set()
    for line in _lines(try_node.body):
        for small in line.body if isinstance(line, LINE_TYPES) else ():
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                return None
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                assert not isinstance(small.names, cst.ImportStar)
                for alias in small.names:
                    if alias.asname is not None:
                        names.add(_source(alias.asname.name))
                    else:
                        names.add(_source(alias.name).split(".")[0])
    return names


def _has_future_annotations(tree: cst.Module) -> bool:
    return bool(m.findall(tree, m.ImportFrom(
        module=m.Name("__future__"), names=[m.ZeroOrMore(), m.ImportAlias(name=m.Name("annotations")), m.ZeroOrMore()]
    )))


def _skipif(condition: cst.BaseExpression, reason: cst.BaseExpression) -> cst.BaseExpression:
    return cst.Call(
        func=cst.parse_expression("pytest.mark.skipif"),
        args=[cst.Arg(condition, comma=_COMMA), _keyword("reason", reason)],
    )


def _skip_call(reason: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.parse_expression("pytest.skip"),
        args=[cst.Arg(reason, comma=_COMMA), _keyword("allow_module_level", cst.Name("True"))],
    )


def _skip_statement(stmt: cst.BaseSmallStatement, reason: cst.BaseExpression, indent: Optional[str]) -> cst.BaseSmallStatement:
    """``pytest.skip(...)`` in place of ``stmt``; ``indent`` is None when ``stmt`` does not start its line."""
    call = _skip_call(reason)
    if indent is not None:
        # LibCST re-adds the block's indentation to continuation lines, so they are given relative.
        call = cst.ensure_type(_fit(call, "", len(indent)), cst.Call)
    return cst.Expr(call, semicolon=stmt.semicolon)


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    ))


def _assign(name: str, value: cst.BaseExpression, semicolon: Union[cst.Semicolon, cst.MaybeSentinel] = cst.MaybeSentinel.DEFAULT) -> cst.Assign:
    return cst.Assign([cst.AssignTarget(cst.Name(name))], value, semicolon=semicolon)


def _assign_line(name: str, value: cst.BaseExpression, leading: Sequence[cst.EmptyLine]) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([_assign(name, _fit(value, "", len(f"{name} = ")))], leading_lines=leading)


def _string(text: str) -> cst.SimpleString:
    quoted = json.dumps(text, ensure_ascii=False)
    if '"' in text and "'" not in text:
        quoted = "'" + quoted[1:-1].replace('\\"', '"') + "'"
    return cst.SimpleString(quoted)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _source(node: cst.CSTNode) -> str:
    """The code of ``node`` on one line, for messages."""
    return " ".join(_code(node).split())


def _fit(expression: cst.BaseExpression, indent: str, used: int) -> cst.BaseExpression:
    """A call that does not fit in the line, one argument per line as a formatter would put it."""
    code = _code(expression)
    if not isinstance(expression, cst.Call) or used + len(code) <= _WIDTH or "\n" in code:
        return expression
    args = "".join(f"{indent}    {_code(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))},\n" for arg in expression.args)
    return cst.parse_expression(f"{_code(expression.func)}(\n{args}{indent})")


_WIDTH = 88
_PYTESTMARK = "pytestmark = "
_IMPORT_PYTEST = m.SimpleStatementLine(body=[m.Import(names=[m.ImportAlias(name=m.Name("pytest"), asname=None)])])
_COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
