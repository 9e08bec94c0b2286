"""The same name in another style: when a constant that left a module is the one it imports back.

simplejson moved ``NaN, PosInf, NegInf = _floatconstants()`` to ``_constants`` as ``NAN``,
``POS_INF``, ``NEG_INF``, imported them back and read them where it had read the old names: the
same constants, whatever their code. A spelling alike is the weakest evidence there is (``Mb``, a
megabit, is no ``MB``; ``kb = 1 << 10`` is no new ``KB = 1000``), so the names' values decide where
they can be worked out (literals, arithmetic, ``int``/``float`` of those, ``True``, ``None``, and
the module's constants, its own or imported from the project), and where they cannot, the file
must read the new name at the very spot it read the old one: the same top-level statement, the
same position in it (``{'NaN': NaN}`` became ``{'NaN': NAN}``; ``{"timeout": timeout}`` that
became ``{"timeout": CONNECT_TIMEOUT, "total": TIMEOUT}`` does not pair ``timeout`` with
``TIMEOUT``).
"""

from __future__ import annotations

import ast
import itertools
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

from collect_fix import source_trees
from collect_fix.definitions import absolute_module, target_names
from collect_fix.module_imports import dotted_name

if TYPE_CHECKING:
    from collect_fix.git_evidence import Binding


def spelled_alike(old: str, new: str) -> bool:
    """The same name in another style: case and underscores aside (``PosInf``, ``POS_INF``)."""
    return old.replace("_", "").lower() == new.replace("_", "").lower()


@dataclass(frozen=True)
class Constants:
    """One version of a module, to work out its constants from: its bindings, the package its
    relative imports start from, and the bindings of the modules it imports, by dotted name."""

    names: dict[str, "Binding"]
    package: str
    imported: Callable[[str], dict[str, "Binding"]]


def alike_in_use(before: Optional[bytes], after: Optional[bytes], old: "Binding", old_module: Constants,
                 new: "Binding", new_module: Constants) -> bool:
    """Whether ``new`` (imported back into the file ``old`` left, ``before`` -> ``after``) is
    ``old`` under another spelling: both values worked out and the same; or, where they cannot
    both be worked out, none differing, the file reads ``old`` no more and reads ``new`` at each
    spot it read ``old``, in each of its top-level statements still there."""
    first, second = value_of(old, old_module), value_of(new, new_module)
    if first is not None and second is not None and not _modernised(first, second):
        return same_value(first, second)
    spots = set(_reads(before, old.name))
    if not spots or set(_reads(after, old.name)):
        return False
    still = _places(after)
    kept = {spot for spot in spots if spot[0] in still}
    return bool(kept) and kept <= set(_reads(after, new.name))


# (the top-level statement, the path to the read in it: fields with an index, a dict's entries by
# their literal key, a call's keyword arguments by name, so an entry added or moved is no other spot)
_Spot = tuple[str, tuple[tuple[str, object], ...]]


def _reads(source: Optional[bytes], name: str) -> Iterator[_Spot]:
    """Each spot of ``source`` that reads ``name``."""
    tree = source_trees.tree_of(source) if source is not None else None
    for statement in tree.body if tree is not None else ():
        if any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(statement)):
            place = _place(statement)
            for path in _paths(statement, name, ()):
                yield place, path


def _paths(node: ast.AST, name: str, path: tuple[tuple[str, object], ...]) -> Iterator[tuple[tuple[str, object], ...]]:
    """The paths to the reads of the module's ``name`` in ``node``: not where a function's (or a
    comprehension's) own local of that name shadows it (``def emit(msg, verbose=False)`` reads no
    module ``verbose``); there only what the enclosing scope evaluates (defaults, decorators, a
    comprehension's first iterable)."""
    if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
        yield path
    if _shadows(node, name):
        for field, child in _evaluated_outside(node):
            yield from _paths(child, name, (*path, (field, 0)))
        return
    for field, value in ast.iter_fields(node):
        items = value if isinstance(value, list) else [value]
        places = [_statement(item, name) if isinstance(item, ast.stmt) else "" for item in items]
        for index, item in enumerate(items):
            if not isinstance(item, ast.AST):
                continue
            step: tuple[str, object] = (field, index)
            if isinstance(item, ast.stmt):  # by what it is: a log line added before moves no read; of
                place = places[index]       # statements alike, none is a spot another version shares
                step = (field, place if places.count(place) == 1 else f"{place} #{next(_NEVER_SHARED)}")  # (hAP 08, hAQ 07)
            elif isinstance(node, ast.Dict) and field == "values" and isinstance(node.keys[index], ast.Constant):
                step = ("key", repr(node.keys[index].value))  # type: ignore[union-attr]
            elif isinstance(item, ast.keyword) and item.arg is not None:
                step = ("keyword", item.arg)
            yield from _paths(item, name, (*path, step))


def _statement(statement: ast.stmt, name: str) -> str:
    """A statement inside a function, named the same in two versions of it: as ``_place`` names a
    top-level one, and an ``if``, ``while``, ``for`` or ``with`` by what it tests or walks, the
    name read aside (``if kind == "fast"`` is no ``if kind == "slow"``, whichever comes first, and
    ``if timeout > 0`` is ``if TIMEOUT > 0``: review hAO 01, 02)."""
    if isinstance(statement, (ast.If, ast.While)):
        heads: list[ast.AST] = [statement.test]
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        heads = [statement.target, statement.iter]
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        heads = [item.context_expr for item in statement.items]
    else:
        return _place(statement)
    masked = " ".join(ast.dump(head) for head in heads).replace(f"Name(id={name!r}", "Name(id='_'")
    return f"{type(statement).__name__} {masked}"


_NEVER_SHARED = itertools.count()  # a spot of no other version: one of statements alike
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)


def _shadows(node: ast.AST, name: str) -> bool:
    """Whether ``node`` is a function, lambda or comprehension in which ``name`` is a local: a
    parameter or a comprehension's target, or bound in the function's own scope (assigned, a
    nested ``def`` or ``import`` of it; not in a nested function or comprehension) and declared
    neither ``global`` nor ``nonlocal`` there."""
    if isinstance(node, _COMPREHENSIONS):
        return any(isinstance(target, ast.Name) and target.id == name
                   for generator in node.generators for target in ast.walk(generator.target))
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return False
    arguments = node.args
    parameters = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    if any(parameter is not None and parameter.arg == name for parameter in parameters):
        return True
    if isinstance(node, ast.Lambda):
        return False
    own = _own_scope(node.body)
    if any(isinstance(inner, (ast.Global, ast.Nonlocal)) and name in inner.names for inner in own):
        return False
    return any(isinstance(inner, ast.Name) and inner.id == name and isinstance(inner.ctx, ast.Store)
               or isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and inner.name == name
               or isinstance(inner, (ast.Import, ast.ImportFrom))
               and any((alias.asname or alias.name.partition(".")[0]) == name for alias in inner.names)
               or getattr(inner, "name", None) == name and type(inner).__name__ in _CAPTURES
               or getattr(inner, "rest", None) == name and type(inner).__name__ == "MatchMapping"
               for inner in own)


# ``except E as name``, ``case Point(x=name)``, ``case [*name]``: each binds ``name`` in the function.
_CAPTURES = frozenset({"ExceptHandler", "MatchAs", "MatchStar"})


def _own_scope(body: list[ast.stmt]) -> list[ast.AST]:
    """The nodes of a function's body in its own scope: a nested function, class, lambda or
    comprehension is there (its name, its defaults), its inside is not."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, _SCOPES):
            pending.extend(child for _, child in _evaluated_outside(node))
            if isinstance(node, _COMPREHENSIONS):  # ``[y := f(x) for x in xs]`` binds ``y`` in the function
                found.extend(inner.target for inner in ast.walk(node) if isinstance(inner, ast.NamedExpr))
        else:
            pending.extend(ast.iter_child_nodes(node))
    return found


def _evaluated_outside(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """What the scope enclosing a function, lambda, class or comprehension evaluates of it."""
    if isinstance(node, _COMPREHENSIONS):
        return [("iter", node.generators[0].iter)]
    found: list[tuple[str, ast.AST]] = []
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        found += [("decorator", each) for each in node.decorator_list]
    if isinstance(node, ast.ClassDef):
        found += [("base", each) for each in (*node.bases, *(keyword.value for keyword in node.keywords))]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        found += [("default", each) for each in (*node.args.defaults, *node.args.kw_defaults) if each is not None]
    return found


def _places(source: Optional[bytes]) -> set[str]:
    tree = source_trees.tree_of(source) if source is not None else None
    return {_place(statement) for statement in tree.body} if tree is not None else set()


def _place(statement: ast.stmt) -> str:
    """A top-level statement, named the same in two versions of a file: a definition by its
    name, an assignment by what it binds, anything else as the module's code."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return f"def {statement.name}"
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return "= " + " ".join(sorted(name for target in targets for name in target_names(target)))
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value  # ``settings.register("timeout", timeout)``: the call and its literals
        literals = [repr(argument.value) for argument in call.args if isinstance(argument, ast.Constant)]
        return f"call {dotted_name(call.func) or '?'}({', '.join(literals)})"
    return f"module {type(statement).__name__}"


class _NoneValue:
    """``None`` as a worked-out value (``None`` itself means "cannot be worked out")."""


NONE = _NoneValue()
_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow, ast.LShift: operator.lshift,
    ast.RShift: operator.rshift, ast.BitOr: operator.or_, ast.BitAnd: operator.and_, ast.BitXor: operator.xor,
}
_NUMBER_TYPES: dict[str, Callable[..., object]] = {"int": int, "float": float, "complex": complex}
_MAX_OPERAND = 4_096  # of a power or a shift: ``10 ** 10 ** 10`` is worked out by nobody
_MAX_DEPTH = 4


def value_of(binding: "Binding", module: Constants, depth: int = 0) -> Optional[object]:
    """A constant's value where literals, arithmetic, ``int``/``float`` of those and the module's
    other such constants, its own or imported (``from .si import KILO as KB``), tell; else None."""
    if depth > _MAX_DEPTH:
        return None
    if binding.kind == "import" and binding.imported:
        source = absolute_module(binding.target, module.package)
        if not source:
            return None
        names = module.imported(source)
        found = names.get(binding.imported)
        return value_of(found, Constants(names, source.rpartition(".")[0], module.imported), depth + 1) \
            if found is not None else None
    tree = source_trees.tree_of(binding.text.encode()) if binding.kind == "constant" and binding.text else None
    statement = tree.body[0] if tree is not None and tree.body else None
    if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
        return None
    return _worked_out(statement.value, module, depth)


def _worked_out(node: ast.expr, module: Constants, depth: int) -> Optional[object]:
    if isinstance(node, ast.Constant):
        return NONE if node.value is None else node.value if isinstance(
            node.value, (bool, int, float, complex, str, bytes)) else None
    if isinstance(node, ast.Name) and node.id in module.names:
        return value_of(module.names[node.id], module, depth + 1)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Invert)):
        operand = _worked_out(node.operand, module, depth)
        function = operator.neg if isinstance(node.op, ast.USub) else operator.invert
        return _applied(function, operand) if operand is not None else None
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _worked_out(node.left, module, depth), _worked_out(node.right, module, depth)
        if left is None or right is None or _too_large(node.op, left, right):
            return None
        return _applied(_OPERATORS[type(node.op)], left, right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _NUMBER_TYPES \
            and node.func.id not in module.names and not node.keywords and len(node.args) <= 2:
        arguments = [_worked_out(argument, module, depth) for argument in node.args]
        return None if any(each is None for each in arguments) else _applied(_NUMBER_TYPES[node.func.id], *arguments)
    return None


def _applied(function: Callable[..., Any], *arguments: object) -> Optional[object]:
    if any(isinstance(argument, _NoneValue) for argument in arguments):
        return None
    try:
        result: object = function(*arguments)
    except (ArithmeticError, TypeError, ValueError, MemoryError):
        return None
    return result


def _modernised(first: object, second: object) -> bool:
    """A flag written as a number became a bool, or back (``verbose = 0`` as ``VERBOSE = False``):
    the value tells nothing either way, how the file reads it does."""
    return isinstance(first, bool) is not isinstance(second, bool) and isinstance(first, int) \
        and isinstance(second, int) and first == second


def same_value(first: object, second: object) -> bool:
    """``==``, where NaN is NaN (``float('nan')`` twice is the same constant), and a bool or
    ``None`` is only itself (``True`` is no ``1``)."""
    if isinstance(first, (bool, _NoneValue)) or isinstance(second, (bool, _NoneValue)):
        return type(first) is type(second) and first == second
    return first == second or first != first and second != second


def _too_large(op: ast.operator, left: object, right: object) -> bool:
    """Whether working ``left op right`` out could take ages or all memory: a large power or
    shift, a string repeated many times, a number of thousands of digits."""
    def large(number: object) -> bool:
        return isinstance(number, (int, float)) and abs(number) > _MAX_OPERAND

    def huge(number: object) -> bool:
        return isinstance(number, int) and number.bit_length() > 64 * _MAX_OPERAND

    if huge(left) or huge(right):
        return True
    if isinstance(op, (ast.Pow, ast.LShift)):
        return large(right)
    texts = (str, bytes)
    return isinstance(op, ast.Mult) and (isinstance(left, texts) and large(right) or isinstance(right, texts) and large(left))
