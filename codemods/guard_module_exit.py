"""Stop import-time exits (sys.exit, exit, quit, os._exit, raise SystemExit) from ending collection.

A module-level exit raises SystemExit while pytest imports the file, which ends the whole session
(os._exit even kills the process). Each import-time exit of the module is rewritten by shape:

* ``try: import X / except ImportError: ...; sys.exit()`` -> ``X_AVAILABLE = True/False`` and
  ``pytestmark = pytest.mark.skipif(not X_AVAILABLE, ...)``. When later module-level code uses a
  name the import should have bound, a mark cannot help (it does not stop module code, pytest
  issue 2338), so the exit becomes ``pytest.skip(reason, allow_module_level=True)`` instead;
  strategy "define" keeps the mark and binds those names to ``None`` in the handler, for a module
  other test modules import (a skip raised there would skip them too).
* ``if cond: sys.exit()`` -> ``pytestmark = pytest.mark.skipif(cond, ...)`` (strategy "skipif"),
  or ``pytest.skip(...)`` in place (strategy "skip": the module stops exactly where it used to).
* an unconditional exit ending a script-style file moves under ``if __name__ == "__main__":``.
* anything else -> ``pytest.skip(reason, allow_module_level=True)`` in place.

The marks need a ``pytestmark`` they can join (see ``_pytestmark``); otherwise the exits are
skipped in place. Exits in functions and under the main guard are left alone. A conftest.py or a
module that is not a test module only gets the main guard: a skip raised while pytest imports a
conftest ends the whole session, and adding pytest to library code would not be a repair.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import os
import re
from typing import Optional, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from . import _imports as imports
from . import _pytestmark as marks
from ._common import one_line
from ._exit_reason import LINE_TYPES, Line, Reasons, exit_message, lines, string
from collect_fix.body_folding import FOLDED_WORDS
from collect_fix.exits import ExitCall, ExitNode, ImportTimeExitFinder, is_main_guard

STRATEGIES = ("skipif", "skip", "define")
PLACEHOLDER_MARKER = "# collect-fix: placeholder"
TEST_FILE_PATTERNS = ("test_*.py", "*_test.py")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})

Statement = Union[cst.SimpleStatementLine, cst.BaseCompoundStatement]  # what a Module body holds


class GuardModuleExitCommand(CodemodCommand):
    DESCRIPTION = "Turn import-time sys.exit/exit/quit/os._exit/raise SystemExit into pytest skips."
    KEY = "guard_module_exit"
    # Edits only code that runs at import: collect-fix may hand it the module with function
    # bodies folded away (collect_fix.body_folding), their words in context.scratch.
    IMPORT_TIME_ONLY = True

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument(
            "--strategy", choices=STRATEGIES, default="skipif",
            help="skipif: a module-level skipif mark where the condition is known; skip: pytest.skip in place; "
            "define: like skipif, and names a failed import should bind are set to None so importers still load",
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

    def transform_module(self, tree: cst.Module) -> cst.Module:
        """Work on ``tree`` itself rather than a deep copy with metadata (``Codemod.transform_module``):
        no scope analysis is needed (see ``ImportTimeExitFinder``), and copying a large module costs
        as much as parsing it."""
        return self.transform_module_impl(tree)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        # Only what runs at import matters, and only that is walked: a 6,000-line test module is
        # mostly function bodies.
        finder, code = _analysed(tree)
        targets = [(node, record) for node, record in finder.found if record.blocks_collection]
        if not targets:
            return tree
        kind = self._test_kind(tree)
        elsewhere = frozenset(self.context.scratch.get(FOLDED_WORDS, ()))  # words of folded function bodies
        edits = _Edits(tree, finder, self.strategy, kind, code, elsewhere)
        for node, record in targets:
            if not edits.add(node, record):
                if kind == "conftest":
                    self.warn(f"line {record.line}: {record.display} runs at import time of a conftest; a skip "
                              "there would end the whole session, so it is left unchanged")
                else:
                    self.warn(f"line {record.line}: {record.display} runs at import time of a module that is "
                              "not a test module; left unchanged")
        if not edits.changed:
            raise SkipFile(f"no import-time exit that can be repaired here (not a test module: {kind})")
        new_tree = _rewrite(tree, edits, finder.parents)
        if edits.uses_pytest and not imports.imports_pytest(tree, before=edits.first_skip):
            new_tree = imports.add_import_pytest(new_tree, self.context)
        return imports.remove_unused_imports(self.context, new_tree, edits.gone, also_used=elsewhere)

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

    def __init__(
        self, tree: cst.Module, finder: ImportTimeExitFinder, strategy: str, kind: str, code: str,
        elsewhere: frozenset[str] = frozenset(),
    ) -> None:
        self.tree = tree
        self.code = code
        self.elsewhere = elsewhere  # words the module holds outside ``code`` (folded function bodies)
        self.parents = finder.parents  # known for every node on the way to an exit: all this asks about
        self.reasons = Reasons(tree, finder.names)
        self.existing = marks.existing(tree, finder.names, code)
        self.strategy = strategy
        self.kind = kind
        # Marks only where pytest reads them and where they can join the module's pytestmark.
        self.marks_allowed = kind == "test" and strategy in ("skipif", "define") and self.existing.mergeable
        self.replace: dict[cst.BaseSmallStatement, cst.BaseSmallStatement] = {}  # an exit's statement -> its repair
        self.replace_calls: dict[cst.Call, cst.Call] = {}  # an exit inside an expression -> pytest.skip(...)
        self.flags: dict[cst.Try, str] = {}
        self.folded: set[cst.BaseSmallStatement] = set()  # prints whose text became a skip reason
        self.folded_in: set[cst.ExceptHandler] = set()  # handlers that lost such a print
        # A handler -> (the line of its exit, names to bind to None there): strategy "define".
        self.placeholders: dict[cst.ExceptHandler, tuple[Line, list[str]]] = {}
        self.drops: dict[cst.If, set[tuple[int, int]]] = {}
        self.removed: set[cst.CSTNode] = set()
        self.gone: list[cst.CSTNode] = []  # code that disappears: its imports may become unused
        self.marks: list[tuple[int, cst.BaseExpression]] = []  # (module index the mark must follow, mark)
        self.conditions: set[str] = set()  # the code of each condition already marked
        self.wrap_last = False
        self.changed = False
        self.uses_pytest = False
        self.first_skip = len(tree.body)  # first module statement that calls pytest.skip
        self._source_lines: Optional[list[str]] = None
        self._names_taken: Optional[set[str]] = None

    def add(self, node: ExitNode, record: ExitCall) -> bool:
        """Plan the repair of one exit; False when this module must not get one."""
        stmt = self._statement(node)
        line, owner = self._location(stmt) if stmt is not None else (None, None)
        if line is not None and owner is self.tree and self.tree.body[-1] is line:
            self.wrap_last = self.changed = True
            return True
        if self.kind != "test":
            return False
        self.changed = self.uses_pytest = True
        self.gone.append(node)
        if stmt is not None and isinstance(owner, cst.ExceptHandler):
            try_node = self.parents[owner]
            if isinstance(try_node, cst.Try) and self._guards_import(try_node, owner):
                self._fold_message(node, stmt, line, owner)
                used_later = self._bound_names_used_later(try_node)
                bound = _bound_names(try_node)
                if self.marks_allowed and (not used_later or self.strategy == "define" and bound):
                    self._flag(try_node, stmt, node, line, owner)
                    if used_later and bound and line is not None:
                        self.placeholders[owner] = (line, sorted(bound))
                    return True
                self._skip_at(node)
                self.replace[stmt] = _skip_statement(stmt, self._reason(node, stmt, line, owner), self._indent(record))
                return True
        if stmt is not None and line is not None and isinstance(owner, cst.If) and self.marks_allowed:
            if owner.orelse is None and self.parents[owner] is self.tree:
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

    def _flag(
        self, try_node: cst.Try, stmt: cst.BaseSmallStatement, node: ExitNode, line: Optional[Line],
        owner: Optional[cst.CSTNode],
    ) -> None:
        flag = self.flags.get(try_node)
        if flag is None:
            flag = self.flags[try_node] = self._flag_name(try_node)
            reason = self.reasons.static_reason(node, stmt, line, owner) or string(_import_failure(try_node))
            condition = cst.UnaryOperation(operator=cst.Not(), expression=cst.Name(flag))
            self.marks.append((self._top_index(try_node), marks.skipif(condition, reason)))
        self.replace[stmt] = marks.assign(flag, cst.Name("False"), stmt.semicolon)

    def _mark_condition(self, if_node: cst.If, line: Line, stmt: cst.BaseSmallStatement, node: ExitNode) -> None:
        condition = one_line(if_node.test)
        if if_node not in self.drops and condition not in self.conditions:  # one mark per condition
            self.conditions.add(condition)
            # Static text only: an f-string may name what only the removed block binds.
            reason = self.reasons.static_reason(node, stmt, line, if_node) or string(condition)
            self.marks.append((self._top_index(if_node), marks.skipif(if_node.test, reason)))
        drops = self.drops.setdefault(if_node, set())
        body_lines = lines(if_node.body)
        for line_index, body_line in enumerate(body_lines):
            for small_index, small in enumerate(body_line.body if isinstance(body_line, LINE_TYPES) else ()):
                if small is stmt or self.reasons.is_message(small):
                    drops.add((line_index, small_index))
                    self.gone.append(small)
        kept = sum(len(l.body) if isinstance(l, LINE_TYPES) else 1 for l in body_lines) - len(drops)
        if kept == 0:
            self.removed.add(if_node)

    def _fold_message(
        self, node: ExitNode, stmt: cst.BaseSmallStatement, line: Optional[Line], owner: cst.ExceptHandler
    ) -> None:
        """The print that announced the exit becomes the skip's reason, so it goes, as an ``if``
        block's does; comments on its line move to the line below."""
        if exit_message(node) is not None or line is None:
            return
        message = self.reasons.message_before(line, owner, stmt)
        holder = next(
            (each for each in lines(owner.body) if isinstance(each, LINE_TYPES) and message in each.body), None
        )
        if message is None or isinstance(holder, cst.SimpleStatementLine) and len(holder.body) != 1:
            return
        self.folded.add(message)
        self.gone.append(message)
        self.folded_in.add(owner)

    # -- evidence from the code ---------------------------------------------------------------

    def _reason(
        self, node: ExitNode, stmt: Optional[cst.BaseSmallStatement], line: Optional[Line], owner: Optional[cst.CSTNode]
    ) -> cst.BaseExpression:
        fallback = None
        if isinstance(owner, cst.ExceptHandler):
            try_node = self.parents[owner]
            if isinstance(try_node, cst.Try) and _imported_module(try_node):
                fallback = _import_failure(try_node)
        return self.reasons.reason(node, stmt, line, owner, fallback)

    def _guards_import(self, try_node: cst.Try, handler: cst.ExceptHandler) -> bool:
        caught = handler.type
        types = [e.value for e in caught.elements] if isinstance(caught, cst.Tuple) else [caught]
        catches = caught is None or any(
            isinstance(t, (cst.Name, cst.Attribute)) and one_line(t).split(".")[-1] in _IMPORT_ERRORS for t in types
        )
        return catches and self.parents[try_node] is self.tree and _imported_module(try_node) is not None

    def _bound_names_used_later(self, try_node: cst.Try) -> bool:
        bound = _bound_names(try_node)
        if bound is None:
            return True  # a star import: any later name may be one of its
        return _read_after(self.tree, self._top_index(try_node), frozenset(bound))

    def _flag_name(self, try_node: cst.Try) -> str:
        stem = re.sub(r"\W+", "_", (_imported_module(try_node) or "module").split(".")[-1]).strip("_").upper()
        candidates = [f"{stem}_AVAILABLE", f"HAS_{stem}"] + [f"{stem}_AVAILABLE_{n}" for n in range(2, 100)]
        if self._names_taken is None:
            # Every word: no name of the module is missed, also in folded function bodies.
            self._names_taken = set(re.findall(r"\w+", self.code)) | self.elsewhere
        for candidate in candidates:
            if candidate not in self._names_taken:
                self._names_taken.add(candidate)
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
            self._source_lines = self.code.splitlines()
        prefix = self._source_lines[record.line - 1][: record.col - 1]
        return prefix if not prefix.strip() else None

    def _skip_at(self, node: cst.CSTNode) -> None:
        while self.parents.get(node) is not self.tree:
            node = self.parents[node]
        self.first_skip = min(self.first_skip, self._top_index(node))

    def _top_index(self, node: cst.CSTNode) -> int:
        return next(index for index, statement in enumerate(self.tree.body) if statement is node)


@functools.lru_cache(maxsize=4)
def _analysed(tree: cst.Module) -> tuple[ImportTimeExitFinder, str]:
    """The module's import-time exits and its code: the same for every strategy tried on one tree
    (the strategies of a file share its tree, see ``collect_fix.transforms``). Read, never changed."""
    finder = ImportTimeExitFinder(tree)
    tree.visit(finder)
    return finder, tree.code


def _rewrite(tree: cst.Module, edits: _Edits, parents: dict[cst.CSTNode, cst.CSTNode]) -> cst.Module:
    """Apply ``edits``: only the top-level statements that hold an exit are walked, then the
    module's body is put together (marks, the main guard)."""
    touched: set[cst.CSTNode] = set()
    for node in edits.gone:
        while node in parents and parents[node] is not tree:
            node = parents[node]
        touched.add(node)
    rewriter = _Rewriter(edits)
    body = [statement.visit(rewriter) if statement in touched else statement for statement in tree.body]
    return rewriter.leave_Module(tree, tree.with_changes(body=body))


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
            line = cst.SimpleStatementLine([marks.assign(flag, cst.Name("True"))])
            return updated_node.with_changes(body=body.with_changes(body=[*body.body, line]))
        assert isinstance(body, cst.SimpleStatementSuite)
        *head, last = body.body
        joined = last.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
        return updated_node.with_changes(body=body.with_changes(body=[*head, joined, marks.assign(flag, cst.Name("True"))]))

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler, updated_node: cst.ExceptHandler) -> cst.ExceptHandler:
        """Strategy "define": the names the failed import should bind are bound to None where the
        exit was, so module code using them, and modules importing them, still load."""
        if original_node in self.edits.folded_in:
            updated_node = _unused_name_dropped(_folded(original_node, updated_node, self.edits.folded))
        placed = self.edits.placeholders.get(original_node)
        if placed is None:
            return updated_node
        line, names = placed
        assigns = [
            cst.SimpleStatementLine(
                [marks.assign(name, cst.Name("None"))],
                trailing_whitespace=cst.TrailingWhitespace(
                    whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(PLACEHOLDER_MARKER),
                    newline=cst.Newline(),
                ),
            )
            for name in names
        ]
        body = updated_node.body
        if isinstance(body, cst.SimpleStatementSuite):
            block = cst.IndentedBlock(
                [*assigns, cst.SimpleStatementLine(body.body)], header=body.trailing_whitespace
            )
            return updated_node.with_changes(body=block)
        assert isinstance(body, cst.IndentedBlock) and isinstance(original_node.body, cst.IndentedBlock)
        index = next(i for i, each in enumerate(original_node.body.body) if each is line)
        index -= sum(  # lines before it that were only a folded print are gone
            1 for each in original_node.body.body[:index]
            if isinstance(each, cst.SimpleStatementLine) and all(small in self.edits.folded for small in each.body)
        )
        lines = list(body.body)
        exit_line = cst.ensure_type(lines[index], cst.SimpleStatementLine)  # the line of the exit
        lines[index:index + 1] = [
            assigns[0].with_changes(leading_lines=exit_line.leading_lines), *assigns[1:],
            exit_line.with_changes(leading_lines=[]),
        ]
        return updated_node.with_changes(body=body.with_changes(body=lines))

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
        edits = self.edits
        new_marks = [mark for _, mark in edits.marks]
        existing = edits.existing.index if new_marks else None
        insert_at = (
            marks.position(original, max(after for after, _ in edits.marks), edits.removed, existing)
            if new_marks else None
        )
        moved = insert_at is not None and existing is not None  # an earlier pytestmark joins the new one
        comments = self._moved_comments(original, body)
        new_body: list[Statement] = []
        for index in range(len(body) + 1):
            if index == insert_at:
                if moved:
                    assert existing is not None
                    leading = [*body[existing].leading_lines, *comments]
                    new_body.append(marks.merged_line(_line(original[existing]), new_marks, leading))
                else:
                    new_body.append(marks.assign_line(marks.list_of(new_marks), [cst.EmptyLine(), *comments]))
            if index == len(body):
                break
            statement = body[index]
            if original[index] in edits.removed or (moved and index == existing):
                continue
            if index == existing:
                leading = [*statement.leading_lines, *comments]
                statement = marks.merged_line(_line(original[index]), new_marks, leading)
            if index == len(body) - 1 and edits.wrap_last:
                _append_under_main_guard(new_body, statement)
            else:
                new_body.append(statement)
        return updated_node.with_changes(body=new_body)

    def _moved_comments(self, original: Sequence[cst.BaseStatement], body: Sequence[cst.BaseStatement]) -> list[cst.EmptyLine]:
        """Comments of the code that became marks, to sit above the ``pytestmark`` line."""
        found: list[cst.EmptyLine] = []
        for index, statement in enumerate(original):
            if statement in self.edits.removed:
                found.extend(cst.ensure_type(body[index], cst.If).leading_lines)
            if isinstance(statement, cst.If) and statement in self.edits.drops:
                found.extend(_dropped_comments(statement, self.edits.drops[statement], statement in self.edits.removed))
        return [cst.EmptyLine(comment=line.comment) for line in found if line.comment is not None]


@functools.lru_cache(maxsize=16)
def _read_after(tree: cst.Module, index: int, names: frozenset[str]) -> bool:
    """Whether module-level code after statement ``index`` reads one of ``names`` at import: the
    same for every strategy tried on one tree, and a walk of most of a long module."""
    finder = _ImportTimeNames(set(names), deferred_annotations=_has_future_annotations(tree))
    for statement in tree.body[index + 1:]:
        statement.visit(finder)
        if finder.used:
            break
    return finder.used


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



# -- helpers on nodes


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


def _folded(
    original: cst.ExceptHandler, updated: cst.ExceptHandler, folded: set[cst.BaseSmallStatement]
) -> cst.ExceptHandler:
    """``updated`` without the prints folded into a skip reason; their comments move down a line."""
    body = updated.body
    if isinstance(body, cst.SimpleStatementSuite):
        assert isinstance(original.body, cst.SimpleStatementSuite)
        kept = [new for old, new in zip(original.body.body, body.body) if old not in folded]
        kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(body=body.with_changes(body=kept))
    assert isinstance(body, cst.IndentedBlock) and isinstance(original.body, cst.IndentedBlock)
    kept_lines: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    for old, new in zip(original.body.body, body.body):
        if isinstance(old, cst.SimpleStatementLine) and all(small in folded for small in old.body):
            carried.extend(line for line in old.leading_lines if line.comment is not None)
            if old.trailing_whitespace.comment is not None:
                carried.append(cst.EmptyLine(comment=old.trailing_whitespace.comment))
            continue
        if carried and isinstance(new, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            new = new.with_changes(leading_lines=[*new.leading_lines, *carried])
            carried = []
        kept_lines.append(new)
    return updated.with_changes(body=body.with_changes(body=kept_lines))


def _unused_name_dropped(handler: cst.ExceptHandler) -> cst.ExceptHandler:
    """``except ImportError as error:`` loses ``as error`` once the folded print was its only use
    (linters flag an unused exception name)."""
    if handler.name is None or not isinstance(handler.name.name, cst.Name):
        return handler
    name = handler.name.name.value
    if m.findall(handler.body, m.Name(name)):
        return handler
    return handler.with_changes(name=None)


def _import_failure(try_node: cst.Try) -> str:
    """What failed, as far as the code says: the names of its ``from`` imports (all of them:
    any may be the one that failed), by module, or the module."""
    names: dict[str, list[str]] = {}
    for line in lines(try_node.body):
        for small in line.body if isinstance(line, LINE_TYPES) else ():
            if isinstance(small, cst.ImportFrom) and small.module is not None and not isinstance(small.names, cst.ImportStar):
                names.setdefault(one_line(small.module), []).extend(one_line(alias.name) for alias in small.names)
    if names:
        return "could not import " + "; ".join(f"{', '.join(each)} from {module}" for module, each in names.items())
    return f"could not import {_imported_module(try_node)}"


def _imported_module(try_node: cst.Try) -> Optional[str]:
    for line in lines(try_node.body):
        for small in line.body if isinstance(line, LINE_TYPES) else ():
            if isinstance(small, cst.Import):
                return one_line(small.names[0].name)
            if isinstance(small, cst.ImportFrom):
                if small.module is not None:
                    return one_line(small.module)
                if not isinstance(small.names, cst.ImportStar):
                    return one_line(small.names[0].name)
    return None


def _bound_names(try_node: cst.Try) -> Optional[set[str]]:
    names: set[str] = set()
    for line in lines(try_node.body):
        for small in line.body if isinstance(line, LINE_TYPES) else ():
            if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
                return None
            if isinstance(small, (cst.Import, cst.ImportFrom)):
                assert not isinstance(small.names, cst.ImportStar)
                for alias in small.names:
                    if alias.asname is not None:
                        names.add(one_line(alias.asname.name))
                    else:
                        names.add(one_line(alias.name).split(".")[0])
    return names


def _has_future_annotations(tree: cst.Module) -> bool:
    """``from __future__ import annotations``: a top-level statement, before any other code."""
    wanted = m.ImportFrom(
        module=m.Name("__future__"), names=[m.ZeroOrMore(), m.ImportAlias(name=m.Name("annotations")), m.ZeroOrMore()]
    )
    return any(
        m.matches(small, wanted)
        for statement in tree.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    )


def _skip_call(reason: cst.BaseExpression) -> cst.Call:
    return cst.Call(
        func=cst.parse_expression("pytest.skip"),
        args=[cst.Arg(reason, comma=marks.COMMA), marks.keyword("allow_module_level", cst.Name("True"))],
    )


def _skip_statement(stmt: cst.BaseSmallStatement, reason: cst.BaseExpression, indent: Optional[str]) -> cst.BaseSmallStatement:
    """``pytest.skip(...)`` in place of ``stmt``; ``indent`` is None when ``stmt`` does not start its line."""
    call = _skip_call(reason)
    if indent is not None:
        # LibCST re-adds the block's indentation to continuation lines, so they are given relative.
        call = cst.ensure_type(marks.fit(call, "", len(indent)), cst.Call)
    return cst.Expr(call, semicolon=stmt.semicolon)




def _line(statement: cst.BaseStatement) -> cst.SimpleStatementLine:
    return cst.ensure_type(statement, cst.SimpleStatementLine)


def _dropped_comments(if_node: cst.If, drops: set[tuple[int, int]], whole: bool) -> list[cst.EmptyLine]:
    """The comments in ``if_node`` that go away with its dropped lines (all of them if ``whole``)."""
    found: list[cst.EmptyLine] = []
    body = if_node.body

    def trailing(whitespace: cst.TrailingWhitespace) -> None:
        if whitespace.comment is not None:
            found.append(cst.EmptyLine(comment=whitespace.comment))

    if isinstance(body, cst.SimpleStatementSuite):
        if whole:
            trailing(body.trailing_whitespace)
        return found
    assert isinstance(body, cst.IndentedBlock)
    if whole:
        trailing(body.header)
    for index, line in enumerate(body.body):
        if isinstance(line, cst.SimpleStatementLine) and all((index, n) in drops for n in range(len(line.body))):
            found.extend(line.leading_lines)
            trailing(line.trailing_whitespace)
    if whole:
        found.extend(body.footer)
    return found
