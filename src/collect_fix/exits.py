"""Static detection of calls that end the process: sys.exit, exit, quit, os._exit, raise SystemExit.

Shared by the planner (is there an import-time exit to repair?), the codemod (which nodes) and the
pre-commit hook (what to report). Names are resolved by qualified name, so ``from sys import exit``
and ``import sys as s; s.exit()`` are found and a local function called ``exit`` is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider, QualifiedNameProvider

EXIT_FUNCTIONS = frozenset({"sys.exit", "builtins.exit", "builtins.quit", "os._exit"})
SYSTEM_EXIT = "builtins.SystemExit"
PROCESS_KILLERS = frozenset({"os._exit"})
# Cheap byte filter: a file without any of these cannot hold an exit call.
EXIT_WORDS = (b"exit", b"quit", b"SystemExit")

ExitNode = Union[cst.Call, cst.Raise]


@dataclass(frozen=True)
class ExitCall:
    """One exit in a module. ``col`` is 1-based, as editors and linters print it.

    ``import_time``: it runs while the module is imported (module level, including module-level
    if/try/with/for bodies and class bodies), rather than when a function is called.
    ``under_main_guard``: it sits in the body of ``if __name__ == "__main__":``, so it never runs
    on import; such exits are fine wherever they are.
    """

    line: int
    col: int
    spelling: str
    qualified_name: str
    import_time: bool
    under_main_guard: bool
    # The lines of the statement holding the exit (a comment on any of them is about this exit).
    first_line: int = 0
    last_line: int = 0

    @property
    def kills_process(self) -> bool:
        """os._exit ends the interpreter without unwinding; nothing can catch it."""
        return self.qualified_name in PROCESS_KILLERS

    @property
    def blocks_collection(self) -> bool:
        return self.import_time and not self.under_main_guard

    @property
    def display(self) -> str:
        """How a person reads it: ``sys.exit()``, ``raise SystemExit``, ``ex() (sys.exit)``."""
        if self.spelling.startswith("raise "):
            return self.spelling
        canonical = self.qualified_name.replace("builtins.", "")
        if self.spelling in (canonical, self.qualified_name):
            return f"{self.spelling}()"
        return f"{self.spelling}() ({canonical})"


def is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` in either order."""
    if not m.matches(test, m.Comparison(comparisons=[m.ComparisonTarget(operator=m.Equal())])):
        return False
    assert isinstance(test, cst.Comparison)
    sides = [test.left, test.comparisons[0].comparator]
    names = [side for side in sides if m.matches(side, m.Name("__name__"))]
    strings = [side for side in sides if isinstance(side, cst.SimpleString) and side.evaluated_value == "__main__"]
    return len(names) == 1 and len(strings) == 1


class ExitFinder(cst.CSTVisitor):
    """Collects ``(node, ExitCall)`` for every exit; the node is the Call or the Raise statement."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider)

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[ExitNode, ExitCall]] = []
        self._function_depth = 0
        self._main_guard_depth = 0

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._function_depth += 1

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self._function_depth -= 1

    def visit_Lambda_body(self, node: cst.Lambda) -> None:
        self._function_depth += 1

    def leave_Lambda_body(self, node: cst.Lambda) -> None:
        self._function_depth -= 1

    # Only the body is guarded: an ``else:`` of the main guard runs on import.
    def visit_If_body(self, node: cst.If) -> None:
        if is_main_guard(node.test):
            self._main_guard_depth += 1

    def leave_If_body(self, node: cst.If) -> None:
        if is_main_guard(node.test):
            self._main_guard_depth -= 1

    def visit_Call(self, node: cst.Call) -> None:
        name = self._qualified(node.func, EXIT_FUNCTIONS)
        if name is not None:
            self._record(node, _code(node.func), name)

    def visit_Raise(self, node: cst.Raise) -> None:
        exc = node.exc
        target = exc.func if isinstance(exc, cst.Call) else exc
        if target is not None and self._qualified(target, frozenset({SYSTEM_EXIT})):
            self._record(node, f"raise {_code(target)}", SYSTEM_EXIT)

    def _qualified(self, node: cst.BaseExpression, wanted: frozenset[str]) -> Optional[str]:
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        for qualified in self.get_metadata(QualifiedNameProvider, node, set()):
            if qualified.name in wanted:
                return str(qualified.name)
        return None

    def _record(self, node: ExitNode, spelling: str, qualified_name: str) -> None:
        start = self.get_metadata(PositionProvider, node).start
        statement = self._statement(node)
        span = self.get_metadata(PositionProvider, statement)
        record = ExitCall(
            line=start.line,
            col=start.column + 1,
            spelling=spelling,
            qualified_name=qualified_name,
            import_time=self._function_depth == 0,
            under_main_guard=self._main_guard_depth > 0,
            first_line=span.start.line,
            last_line=span.end.line,
        )
        self.found.append((node, record))

    def _statement(self, node: cst.CSTNode) -> cst.CSTNode:
        """The small statement holding ``node``; ``node`` itself when it sits in a compound header."""
        current: cst.CSTNode = node
        while not isinstance(current, cst.BaseSmallStatement):
            parent = self.get_metadata(ParentNodeProvider, current, None)
            if parent is None or isinstance(parent, (cst.BaseStatement, cst.BaseSuite, cst.Module)):
                return node
            current = parent
        return current


def find_exits(module: Union[cst.Module, MetadataWrapper]) -> list[ExitCall]:
    """Every exit in ``module``, in source order."""
    wrapper = module if isinstance(module, MetadataWrapper) else MetadataWrapper(module)
    finder = ExitFinder()
    wrapper.visit(finder)
    return [record for _, record in finder.found]


def may_exit(source: bytes) -> bool:
    """False when ``source`` certainly holds no exit (no need to parse it)."""
    return any(word in source for word in EXIT_WORDS)


def find_exits_in_source(source: bytes) -> list[ExitCall]:
    """Exits in Python source bytes; raises ``libcst.ParserSyntaxError`` when it does not parse."""
    if not may_exit(source):
        return []
    return find_exits(cst.parse_module(source))


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
