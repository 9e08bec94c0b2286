"""The walk behind ``exit_spelling.find_exits``: LibCST's ExitFinder and ScopeProvider in one pass.

It visits the tree in the order LibCST's ScopeVisitor does (a function's name before its
parameters, decorators after its body, a ``for`` target before its iterable...), because that
order decides which assignments a name can see (exit_scopes.py). Along the way it notes every call
or ``raise`` spelled like an exit with what ExitFinder tracks: inside a function or lambda body or
not, inside the body of ``if __name__ == "__main__":`` or not, the statement holding it. Names are
resolved once every assignment is known. ``import_time_names`` walks the same way to find the names
a module reads at import but never binds.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from typing import Any, Callable, NamedTuple, Optional, Union

from collect_fix.exit_scopes import Binding, Scope, dotted_names, full_name
from collect_fix.exit_spelling import _EXIT_NAMES, EXIT_FUNCTIONS, SYSTEM_EXIT, ExitCall

_NEWLINE = re.compile(r"\r\n?|\n")  # how ast and LibCST count lines
_BLANK = frozenset(" \t\f\\\r\n")  # between a parenthesis and what it holds


Exit = Union[ast.Call, ast.Raise]


class _Candidate(NamedTuple):
    """A call or raise spelled like an exit, and what deciding it needs once the walk is done."""

    node: Exit
    target: ast.expr  # the call's func, the raised exception (or its call's func)
    scope: Scope
    reads_at: int  # the scope's assignment count when the target was read
    import_time: bool
    under_main_guard: bool
    lines: tuple[int, int]


_SMALL_STATEMENTS = tuple(
    getattr(ast, name) for name in (
        "Expr", "Assign", "AugAssign", "AnnAssign", "Return", "Raise", "Assert", "Delete", "Pass",
        "Break", "Continue", "Import", "ImportFrom", "Global", "Nonlocal", "TypeAlias",
    ) if hasattr(ast, name)
)
# Nodes whose end advances their scope's assignment counter (LibCST's _ASSIGNMENT_LIKE_NODES).
_ASSIGNMENT_LIKE = tuple(
    getattr(ast, name) for name in (
        "AnnAssign", "Assign", "AugAssign", "ClassDef", "FunctionDef", "AsyncFunctionDef", "Global",
        "Nonlocal", "Import", "ImportFrom", "NamedExpr", "arguments", "withitem", "TypeAlias", "TypeVar",
        "TypeVarTuple", "ParamSpec",
    ) if hasattr(ast, name)
)


class ExitWalk:
    """One pass in the order LibCST's ScopeVisitor takes, noting every node spelled like an exit
    with what ExitFinder tracks (function depth, main guard, the statement holding it); names are
    resolved once every assignment is known."""

    _visitors: dict[type[ast.AST], Callable[[Any, Any], None]] = {}  # node type -> its visit method

    def __init_subclass__(cls) -> None:
        cls._visitors = {}  # a subclass's own methods win

    def __init__(self, tree: ast.Module, text: str, imported: set[str]) -> None:
        """``imported``: every name an import in ``tree`` binds (a call of one may be an alias)."""
        self.tree = tree
        self.text = text
        self.scope = Scope("global", Scope("builtin", None))
        self.functions = 0
        self.guards = 0
        self.generators = 0  # inside a generator expression, past its first iterable: not run yet
        self.annotations = 0  # inside an annotation (of a parameter, a return, an annotated assignment)
        self.path: list[ast.AST] = []
        self.found: list[_Candidate] = []
        self.imported = imported
        self._line_starts: Optional[list[int]] = None

    def exits(self) -> list[ExitCall]:
        self.body(self.tree.body)
        records: list[tuple[tuple[int, int, int, int], ExitCall]] = []
        for found in self.found:
            node = found.node
            wanted = frozenset({SYSTEM_EXIT}) if isinstance(node, ast.Raise) else EXIT_FUNCTIONS
            name = self.qualified(found.target, found.scope, found.reads_at, wanted)
            if name is None:
                continue
            spelling = self.code(found.target)
            record = ExitCall(
                line=node.lineno, col=self.column(node.lineno, node.col_offset) + 1,
                spelling=f"raise {spelling}" if isinstance(node, ast.Raise) else spelling,
                qualified_name=name, import_time=found.import_time, under_main_guard=found.under_main_guard,
                first_line=found.lines[0], last_line=found.lines[1],
            )
            # ExitFinder meets them in source order, an enclosing call before the calls in it.
            end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
            records.append(((node.lineno, node.col_offset, -end[0], -end[1]), record))
        return [record for _, record in sorted(records, key=lambda item: item[0])]

    # -- names --------------------------------------------------------------------------------------

    def qualified(self, node: ast.expr, scope: Scope, index: int, wanted: frozenset[str]) -> Optional[str]:
        """Scope.get_qualified_names_for, then the first wanted one (sorted: LibCST's is a set)."""
        if isinstance(node, ast.Name):
            names = {q for b in scope.referents(node.id, index) for q in b.qualified_names(b.name)}
        else:
            names = self._attribute_names(node, scope, index)
        return min((name for name in names if name in wanted), default=None)

    def _attribute_names(self, node: ast.expr, scope: Scope, index: int) -> set[str]:
        for name, part in dotted_names(node):
            if scope.contains(name):
                if part is node:  # a dotted import bound the whole name: the attribute is the access
                    return {q for b in scope.referents(name, index) for q in b.qualified_names(b.name)}
                break
        dotted = full_name(node)
        if dotted is None:
            return set()
        bindings: list[Binding] = []
        prefix: Optional[str] = dotted
        while prefix:
            if scope.contains(prefix):
                bindings = scope.resolve(prefix, scope)
                break
            prefix = prefix.rpartition(".")[0] or None
        return {name for binding in bindings for name in binding.qualified_names(dotted)}

    # -- positions and text -------------------------------------------------------------------------

    def column(self, line: int, byte_offset: int) -> int:
        """ast counts UTF-8 bytes; LibCST (and people) count characters."""
        text = self.line_text(line)
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "ignore")) if not text.isascii() else byte_offset

    def line_text(self, line: int) -> str:
        starts = self.line_starts()
        return self.text[starts[line - 1]:starts[line]] if line < len(starts) else self.text[starts[line - 1]:]

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = [0] + [match.end() for match in _NEWLINE.finditer(self.text)]
        return self._line_starts

    def offset(self, line: int, byte_offset: int) -> int:
        return self.line_starts()[line - 1] + self.column(line, byte_offset)

    def code(self, node: ast.expr) -> str:
        """The node's source as LibCST prints it: with the parentheses around it, newlines as \\n."""
        text = self.text
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
        while True:  # a func or raise target between ( and ) is parenthesized itself
            before, after = start, end
            while before > 0 and text[before - 1] in _BLANK:
                before -= 1
            while after < len(text) and text[after] in _BLANK:
                after += 1
            if before == 0 or text[before - 1] != "(" or text[after:after + 1] != ")":
                break
            start, end = before - 1, after + 1
        return _NEWLINE.sub("\n", text[start:end])

    def statement_lines(self, node: Exit) -> tuple[int, int]:
        """The lines of the small statement holding ``node``; ``node``'s own in a compound header."""
        holder: Union[ast.stmt, ast.expr] = node
        if not isinstance(node, _SMALL_STATEMENTS):
            for parent in reversed(self.path):
                if isinstance(parent, ast.stmt):
                    holder = parent if isinstance(parent, _SMALL_STATEMENTS) else node
                    break
        return holder.lineno, holder.end_lineno or holder.lineno

    # -- the walk -----------------------------------------------------------------------------------

    def body(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.visit(statement)

    def visit(self, node: ast.AST) -> None:
        self.path.append(node)
        kind = type(node)
        method = self._visitors.get(kind)
        if method is None:
            walk = type(self)
            method = self._visitors[kind] = getattr(walk, f"visit_{kind.__name__}", walk.children)
        method(self, node)
        self.path.pop()
        if isinstance(node, _ASSIGNMENT_LIKE):
            self.scope.count += 1

    def children(self, node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            self.visit(child)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.scope.record(node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.visit(node.value)

    def note(self, node: Exit, target: Optional[ast.expr]) -> None:
        """Remember ``target`` (a call's func, a raise's exception) if it may name an exit."""
        if isinstance(target, ast.Name) and (target.id in _EXIT_NAMES or target.id in self.imported) or (
            isinstance(target, ast.Attribute) and target.attr in _EXIT_NAMES
        ):
            self.found.append(_Candidate(node, target, self.scope, self.scope.count, self.functions == 0,
                                         self.guards > 0, self.statement_lines(node)))

    def visit_Call(self, node: ast.Call) -> None:
        self.note(node, node.func)
        self.visit(node.func)
        arguments: list[ast.AST] = [*node.args, *node.keywords]
        arguments.sort(key=lambda each: (getattr(each, "lineno", 0), getattr(each, "col_offset", 0)))
        for argument in arguments:
            self.visit(argument.value if isinstance(argument, ast.keyword) else argument)

    def visit_Raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self.note(node, node.exc.func if isinstance(node.exc, ast.Call) else node.exc)
        self.children(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if key is not None:
                self.visit(key)
            self.visit(value)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        for child in (node.body, node.test, node.orelse):
            self.visit(child)

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        guard = self.is_main_guard(node.test)
        self.guards += guard
        self.body(node.body)
        self.guards -= guard
        self.body(node.orelse)

    def is_main_guard(self, test: ast.expr) -> bool:
        """``__name__ == "__main__"`` in either order, the string one literal (LibCST's SimpleString)."""
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            return False
        sides = (test.left, test.comparators[0])
        names = [side for side in sides if isinstance(side, ast.Name) and side.id == "__name__"]
        strings = [side for side in sides if isinstance(side, ast.Constant) and side.value == "__main__"
                   and self.one_literal(side)]
        return len(names) == 1 and len(strings) == 1

    def one_literal(self, node: ast.expr) -> bool:
        source = self.text[self.offset(node.lineno, node.col_offset):
                           self.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)]
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, SyntaxError):
            return False
        return sum(token.type == tokenize.STRING for token in tokens) == 1

    def visit_Import(self, node: Union[ast.Import, ast.ImportFrom]) -> None:
        for alias in node.names:
            if alias.name == "*":
                continue
            if alias.asname is not None:
                self.scope.record(alias.asname, node)
                continue
            parts = alias.name.split(".")
            for size in range(len(parts), 0, -1):
                self.scope.record(".".join(parts[:size]), node)

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:
        if self.scope.kind != "global":
            for name in node.names:
                self.scope.overwrites[name] = self.scope.globals

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            self.scope.overwrites[name] = self.scope.parent

    def visit_FunctionDef(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        self.scope.record(node.name)
        outer = self.scope
        self.type_parameters(node)
        self.scope = Scope("function", self.scope, node.name)
        self.path.append(node.args)
        self.parameters(node.args)
        self.path.pop()
        self.scope.count += 1  # Parameters ends
        self.functions += 1
        self.body(node.body)
        self.functions -= 1
        self.scope = self.scope.parent
        for decorator in node.decorator_list:
            self.visit(decorator)
        if node.returns is not None:
            self.annotation(node.returns)
        self.scope = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def annotation(self, node: ast.expr) -> None:
        self.annotations += 1
        self.visit(node)
        self.annotations -= 1

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.visit(node.target)
        self.annotation(node.annotation)
        if node.value is not None:
            self.visit(node.value)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.scope = Scope("function", self.scope)
        self.path.append(node.args)
        self.parameters(node.args)
        self.path.pop()
        self.scope.count += 1
        self.functions += 1
        self.visit(node.body)
        self.functions -= 1
        self.scope = self.scope.parent

    def parameters(self, arguments: ast.arguments) -> None:
        """Each name, then its default and annotation in the enclosing scope, in source order."""
        positional = [*arguments.posonlyargs, *arguments.args]
        defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(arguments.defaults))
        pairs = [*zip(positional, [*defaults, *arguments.defaults]), (arguments.vararg, None),
                 *zip(arguments.kwonlyargs, arguments.kw_defaults), (arguments.kwarg, None)]
        for parameter, default in pairs:
            if parameter is None:
                continue
            self.scope.record(parameter.arg)
            inner, self.scope = self.scope, self.scope.parent
            if default is not None:
                self.visit(default)
            if parameter.annotation is not None:
                self.annotation(parameter.annotation)
            self.scope = inner

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.record(node.name)
        outer = self.scope
        for decorator in node.decorator_list:
            self.visit(decorator)
        self.type_parameters(node)
        for base in node.bases:
            self.visit(base)
        for keyword in node.keywords:
            self.visit(keyword.value)
        self.scope = Scope("class", self.scope, node.name)
        self.body(node.body)
        self.scope = outer

    def type_parameters(self, node: ast.AST) -> None:
        """PEP 695 parameters open an annotation scope (left by the caller restoring its scope)."""
        parameters = getattr(node, "type_params", None)
        if parameters:
            self.scope = Scope("annotation", self.scope)
            for parameter in parameters:
                self.visit(parameter)

    def visit_TypeVar(self, node: ast.AST) -> None:
        self.scope.record(getattr(node, "name"))
        bound = getattr(node, "bound", None)
        if bound is not None:
            self.visit(bound)

    def visit_ParamSpec(self, node: ast.AST) -> None:
        self.scope.record(getattr(node, "name"))

    visit_TypeVarTuple = visit_ParamSpec

    def visit_TypeAlias(self, node: ast.AST) -> None:
        name = getattr(node, "name")
        self.scope.record(name.id)
        outer = self.scope
        self.scope = Scope("annotation", self.scope)
        for parameter in getattr(node, "type_params", ()):
            self.visit(parameter)
        self.visit(getattr(node, "value"))
        self.scope = outer

    def visit_For(self, node: Union[ast.For, ast.AsyncFor]) -> None:
        self.visit(node.target)
        self.scope.count += 1
        self.visit(node.iter)
        self.body(node.body)
        self.body(node.orelse)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        self.visit(node.context_expr)
        if node.optional_vars is not None:
            self.visit(node.optional_vars)
            self.scope.count += 1  # the AsName ends

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name is not None:
            self.scope.record(node.name)
            self.scope.count += 1
        self.body(node.body)

    def comprehension(self, node: Union[ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp]) -> None:
        first, *rest = node.generators
        self.visit(first.iter)  # the first iterable runs in the enclosing scope
        lazy = isinstance(node, ast.GeneratorExp)  # the rest runs when the generator is iterated
        self.generators += lazy
        self.scope = Scope("comprehension", self.scope)
        self.path.append(first)
        self.visit(first.target)
        self.scope.count += 1
        for condition in first.ifs:
            self.visit(condition)
        self.path.pop()
        self.inner_generators(rest)
        results = (node.key, node.value) if isinstance(node, ast.DictComp) else (node.elt,)
        for result in results:
            self.visit(result)
        self.scope = self.scope.parent
        self.generators -= lazy

    def inner_generators(self, generators: list[ast.comprehension]) -> None:
        if not generators:
            return
        generator = generators[0]
        self.path.append(generator)
        for part in (generator.target, generator.iter, *generator.ifs):
            self.visit(part)
        self.inner_generators(generators[1:])
        self.path.pop()
        self.scope.count += 1  # the CompFor ends

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = comprehension
