"""Static detection of calls that end the process: sys.exit, exit, quit, os._exit, raise SystemExit.

Shared by the planner (is there an import-time exit to repair?) and the codemod (which nodes).
Names are resolved by qualified name, so ``from sys import exit`` and ``import sys as s; s.exit()``
are found and a local function called ``exit`` is not. ``ExitCall`` and the cheap filters live in
exit_spelling.py with an ``ast`` analysis that finds the same exits: the pre-commit hook uses that
one, so it starts without LibCST.
"""

from __future__ import annotations

import builtins
import re
from typing import Collection, Iterator, Mapping, Optional, Union, cast

import libcst as cst
import libcst.matchers as m
from libcst.metadata import (
    CodeRange, MetadataWrapper, PositionProvider, QualifiedName, QualifiedNameSource, Scope, ScopeProvider,
)

# The standard-library half (the hook imports only that); re-exported, callers import from here.
from collect_fix.exit_spelling import (
    _EXIT_NAMES,
    EXIT_FUNCTIONS,
    EXIT_WORDS,
    PROCESS_KILLERS,
    SYSTEM_EXIT,
    ExitCall,
    guarded_exit_possible,
    may_exit,
    may_exit_parsed,
)

__all__ = [
    "EXIT_FUNCTIONS", "EXIT_WORDS", "PROCESS_KILLERS", "SYSTEM_EXIT", "ExitCall", "ExitFinder", "ExitNode",
    "ImportTimeExitFinder", "QualifiedNames", "SpelledNames", "find_exits", "find_exits_in_source", "guarded_exit_possible", "is_main_guard",
    "may_exit", "may_exit_parsed", "remember",
]

_REMEMBERED = 16
_NEWLINE = re.compile(r"\r\n?|\n")  # how PositionProvider counts lines

ExitNode = Union[cst.Call, cst.Raise]


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


class SpelledNames(Mapping[cst.CSTNode, Collection[QualifiedName]]):
    """Qualified names as module-level code sees them, from the module's own top-level bindings
    (imports, definitions, assignments, also inside module-level if/try/with/for): ``s.exit``
    after ``import sys as s`` is ``sys.exit``, a bare ``print`` nothing rebinds is
    ``builtins.print``. What ScopeProvider says for code that runs at import (class bodies
    aside), at the cost of one pass over the module's top level instead of a scope analysis."""

    def __init__(self, module: cst.Module) -> None:
        self._bound: dict[str, str] = {}
        for statement in module.body:
            self._bind(statement)

    def __getitem__(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        dotted = _dotted(node)
        if dotted is None:
            return set()
        head, _, rest = dotted.partition(".")
        base = self._bound.get(head)
        if base is None:
            if head not in _BUILTIN_NAMES:
                return set()
            base, source = f"builtins.{head}", QualifiedNameSource.BUILTIN
        else:
            source = QualifiedNameSource.IMPORT
        return {QualifiedName(name=f"{base}.{rest}" if rest else base, source=source)}

    def __iter__(self) -> Iterator[cst.CSTNode]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def _bind(self, statement: cst.CSTNode) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self._bind_small(small)
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            self._bound[statement.name.value] = f"<module>.{statement.name.value}"
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.For, cst.While, cst.Else, cst.ExceptHandler, cst.Finally)):
            body = statement.body
            for line in (body.body if isinstance(body, cst.IndentedBlock) else [body]):
                self._bind(line)
            for extra in (getattr(statement, "orelse", None), getattr(statement, "finalbody", None),
                          *getattr(statement, "handlers", ())):
                if extra is not None:
                    self._bind(extra)

    def _bind_small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Import):
            for alias in small.names:
                dotted = _code(alias.name)
                if alias.asname is not None:
                    self._bound[_code(alias.asname.name)] = dotted
                else:
                    self._bound[dotted.split(".")[0]] = dotted.split(".")[0]
        elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            module = ("." * len(small.relative)) + (_code(small.module) if small.module is not None else "")
            for alias in small.names:
                name = _code(alias.name)
                bound = _code(alias.asname.name) if alias.asname is not None else name
                self._bound[bound] = f"{module}.{name}" if not small.relative else f"<relative>{module}.{name}"
        elif isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = [target.target for target in small.targets] if isinstance(small, cst.Assign) else [small.target]
            for target in targets:
                for written in m.findall(target, m.Name()):
                    if isinstance(written, cst.Name):
                        self._bound[written.value] = f"<module>.{written.value}"


_BUILTIN_NAMES = frozenset(dir(builtins))


def _dotted(node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


class _ExitWalk(cst.CSTVisitor):
    """Collects ``(node, ExitCall)`` for every exit; the node is the Call or the Raise statement.

    ``parents`` maps each node on the path from the module to an exit to its parent: what the
    codemod asks about, without resolving ParentNodeProvider for the whole module. Subclasses say
    how names resolve (``names``).
    """

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
    def names(self) -> Mapping[cst.CSTNode, Collection[QualifiedName]]:
        raise NotImplementedError

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


class ExitFinder(_ExitWalk):
    """Every exit of a module, names resolved by LibCST's scope analysis (run it through a
    MetadataWrapper)."""

    METADATA_DEPENDENCIES = (ScopeProvider,)

    @property
    def names(self) -> Mapping[cst.CSTNode, Collection[QualifiedName]]:
        if self._names is None:
            scopes = cast(Mapping[cst.CSTNode, Optional[Scope]], self.metadata[ScopeProvider])
            self._names = QualifiedNames(scopes)
        return self._names


class ImportTimeExitFinder(_ExitWalk):
    """The exits that run while the module is imported, found without a scope analysis: function
    and lambda bodies are not entered (their decorators, defaults and annotations are: those run
    at import), and names resolve through the module's top-level bindings (``SpelledNames``).
    What the codemod needs, in time that grows with a module's top level, not its whole length."""

    def __init__(self, module: cst.Module) -> None:
        super().__init__()
        self._spelled = SpelledNames(module)

    @property
    def names(self) -> Mapping[cst.CSTNode, Collection[QualifiedName]]:
        return self._spelled

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        node.params.visit(self)
        if node.returns is not None:
            node.returns.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        return False


class _Positions:
    """PositionProvider's ranges, computed one top-level statement at a time: a statement's
    positions depend only on its own code and the lines before it."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._first_lines: dict[cst.CSTNode, int] = {}
        self._counted = 0  # statements of the body whose first line is known
        self._next_line = len(module.header)  # the first line of the statement after them
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
        """Lines of the module before ``statement``: the code of the statements before it is
        generated (and counted) once, and only as far as asked (an exit guard is usually near
        the top of a long module)."""
        body = self.module.body
        while statement not in self._first_lines and self._counted < len(body):
            each = body[self._counted]
            self._first_lines[each] = self._next_line
            self._next_line += len(_NEWLINE.findall(self.module.code_for_node(each)))
            self._counted += 1
        return self._first_lines[statement]


def find_exits(module: Union[cst.Module, MetadataWrapper]) -> list[ExitCall]:
    """Every exit in ``module``, in source order."""
    wrapper = module if isinstance(module, MetadataWrapper) else MetadataWrapper(module)
    finder = ExitFinder()
    wrapper.visit(finder)
    return [record for _, record in finder.found]


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


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)
