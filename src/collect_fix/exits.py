"""Static detection of calls that end the process: sys.exit, exit, quit, os._exit, raise SystemExit.

Shared by the planner (is there an import-time exit to repair?), the codemod (which nodes) and the
pre-commit hook (what to report). Names are resolved by qualified name, so ``from sys import exit``
and ``import sys as s; s.exit()`` are found and a local function called ``exit`` is not.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Collection, Iterator, Mapping, Optional, Union, cast

import libcst as cst
import libcst.matchers as m
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider, QualifiedName, Scope, ScopeProvider

EXIT_FUNCTIONS = frozenset({"sys.exit", "builtins.exit", "builtins.quit", "os._exit"})
SYSTEM_EXIT = "builtins.SystemExit"
PROCESS_KILLERS = frozenset({"os._exit"})
# Cheap byte filter: a file without any of these cannot hold an exit call.
EXIT_WORDS = (b"exit", b"quit", b"SystemExit")
# The last name of every spelling an exit can have, but for aliases (``from sys import exit as bye``).
_EXIT_NAMES = frozenset({"exit", "quit", "_exit", "SystemExit"})
_EXIT_MODULES = frozenset({"sys", "os", "builtins"})
_REMEMBERED = 16
_NEWLINE = re.compile(r"\r\n?|\n")  # how PositionProvider counts lines

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


class QualifiedNames(Mapping[cst.CSTNode, Collection[QualifiedName]]):
    """What QualifiedNameProvider gives, read off the scopes only for the nodes asked about:
    resolving the provider walks the whole module again."""

    def __init__(self, scopes: Mapping[cst.CSTNode, Optional[Scope]]) -> None:
        self.scopes = scopes

    def __getitem__(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        scope = self.scopes[node]
        return scope.get_qualified_names_for(node) if scope is not None else set()

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(self.scopes)

    def __len__(self) -> int:
        return len(self.scopes)


class ExitFinder(cst.CSTVisitor):
    """Collects ``(node, ExitCall)`` for every exit; the node is the Call or the Raise statement.

    ``parents`` maps each node on the path from the module to an exit to its parent: what the
    codemod asks about, without resolving ParentNodeProvider for the whole module.
    """

    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[ExitNode, ExitCall]] = []
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._path: list[cst.CSTNode] = []
        self._function_depth = 0
        self._main_guard_depth = 0
        self._names: Optional[QualifiedNames] = None
        self._positions: Optional[_Positions] = None

    @property
    def names(self) -> QualifiedNames:
        if self._names is None:
            scopes = cast(Mapping[cst.CSTNode, Optional[Scope]], self.metadata[ScopeProvider])
            self._names = QualifiedNames(scopes)
        return self._names

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._path.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self._path.pop()

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
        if isinstance(node, cst.Attribute) and node.attr.value not in _EXIT_NAMES:
            return None  # an attribute's qualified name ends with its own name
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        for qualified in self.names.get(node, set()):
            if qualified.name in wanted:
                return str(qualified.name)
        return None

    def _record(self, node: ExitNode, spelling: str, qualified_name: str) -> None:
        for child, parent in zip(self._path[1:], self._path):
            self.parents[child] = parent
        if self._positions is None:
            self._positions = _Positions(cst.ensure_type(self._path[0], cst.Module))
        start = self._positions.of(node, self._path[1]).start
        span = self._positions.of(self._statement(node), self._path[1])
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
            parent = self.parents.get(current)
            if parent is None or isinstance(parent, (cst.BaseStatement, cst.BaseSuite, cst.Module)):
                return node
            current = parent
        return current


class _Positions:
    """PositionProvider's ranges, computed one top-level statement at a time: a statement's
    positions depend only on its own code and the lines before it."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._first_lines: Optional[dict[cst.CSTNode, int]] = None
        self._ranges: dict[cst.CSTNode, Mapping[cst.CSTNode, CodeRange]] = {}

    def of(self, node: cst.CSTNode, statement: cst.CSTNode) -> CodeRange:
        ranges = self._ranges.get(statement)
        if ranges is None:
            alone = self.module.with_changes(header=(), body=(statement,), footer=())
            ranges = self._ranges[statement] = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        offset = self._lines_before(statement)
        found = ranges[node]
        return CodeRange((found.start.line + offset, found.start.column), (found.end.line + offset, found.end.column))

    def _lines_before(self, statement: cst.CSTNode) -> int:
        if self._first_lines is None:
            self._first_lines = {}
            line = len(self.module.header)
            for each in self.module.body:
                self._first_lines[each] = line
                line += len(_NEWLINE.findall(self.module.code_for_node(each)))
        return self._first_lines[statement]


def find_exits(module: Union[cst.Module, MetadataWrapper]) -> list[ExitCall]:
    """Every exit in ``module``, in source order."""
    wrapper = module if isinstance(module, MetadataWrapper) else MetadataWrapper(module)
    finder = ExitFinder()
    wrapper.visit(finder)
    return [record for _, record in finder.found]


def may_exit(source: bytes) -> bool:
    """False when ``source`` certainly holds no exit (no need to parse it)."""
    return any(word in source for word in EXIT_WORDS)


_found: dict[bytes, list[ExitCall]] = {}


def remember(source: bytes, found: list[ExitCall]) -> None:
    """Keep what an analysis of ``source`` found (the codemod runs it anyway) for the next ask."""
    if len(_found) >= _REMEMBERED:
        _found.clear()
    _found[source] = list(found)


def find_exits_in_source(source: bytes) -> list[ExitCall]:
    """Exits in Python source bytes; raises ``libcst.ParserSyntaxError`` when it does not parse."""
    if not may_exit(source):
        return []
    if source not in _found:
        # A tree parsed here is never shared: no need to analyse a copy of it.
        remember(source, find_exits(MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)))
    return list(_found[source])


def may_exit_parsed(source: bytes) -> bool:
    """False when ``source`` parses as this Python's ast and nothing in it is spelled like an exit
    (ast parses ~100x faster than LibCST). Never misses an exit ExitFinder finds: a qualified name
    ends with the last name of its spelling, or the name is an alias bound by an import."""
    tree = _parse(source)
    return tree is None or bool(_candidates(tree, tree))


def guarded_exit_possible(source: bytes) -> bool:
    """Whether an exit may sit in a module-level ``if`` or ``try``: the only places where
    guard_module_exit's strategies can differ. True when unsure."""
    tree = _parse(source)
    if tree is None:
        return True
    compound = (ast.If, ast.Try, getattr(ast, "TryStar", ast.Try))
    return any(isinstance(statement, compound) and _candidates(tree, statement) for statement in tree.body)


def _parse(source: bytes) -> Optional[ast.Module]:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _candidates(tree: ast.Module, root: ast.AST) -> list[ast.AST]:
    """The nodes under ``root`` spelled like an exit, or like an alias of one bound anywhere in ``tree``."""
    aliases = {
        alias.asname for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in _EXIT_MODULES
        for alias in node.names if alias.asname is not None
    }
    return [
        node for node in ast.walk(root)
        if isinstance(node, ast.Name) and (node.id in _EXIT_NAMES or node.id in aliases)
        or isinstance(node, ast.Attribute) and node.attr in _EXIT_NAMES
    ]


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
