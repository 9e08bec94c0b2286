"""A name a module bound under a top-level ``if`` or ``try``, as the block that bound it.

``try: from functools import cache`` / ``except ImportError: def cache(f): ...``; ``if
sys.version_info >= (3, 8): from typing import Literal`` / ``else: from typing_extensions import
Literal``; ``if sys.platform == "win32": from app._win import config_path`` / ``else: ...``: which
branch binds the name is the interpreter's choice when the module loads, and no reading of the
source can make it. A module recreated from its last version gets the block as written, after the
plain imports the block reads (``import sys``), so the interpreter takes the branch it took before,
and what a branch it does not take imports never runs.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass
from typing import Optional

from collect_fix import source_trees
from collect_fix.definitions import top_level_statements


@dataclass(frozen=True)
class Block:
    """The block that binds a name, ready to be written into a recreated module.

    ``text``: the module's imports the block reads, then the block, as the module had them.
    ``names``: every name the block binds. ``imports``: (module as written, level) of every
    ``from ... import`` and ``import`` inside it, in any branch. ``segment``: the block alone.
    """

    text: str
    names: frozenset[str]
    imports: tuple[tuple[str, int], ...]
    segment: str = ""  # the block alone, as written


def binding_block(source: bytes, name: str) -> Optional[Block]:
    """The top-level ``if``/``try`` of ``source`` that binds ``name``; None when none does, or when
    it reads a name the module bound otherwise than by an unconditional top-level import or a
    one-line setting of such imports (which comes along, before the block)."""
    tree = source_trees.tree_of(source)
    if tree is None:
        return None
    text = source.decode("utf-8", errors="replace")
    for statement in tree.body:
        if not isinstance(statement, (ast.If, ast.Try)):
            continue
        inner = top_level_statements([statement])[1:]
        bound = {bound for each in inner for bound in _bound_by(each)}
        if name not in bound:
            continue
        segment = ast.get_source_segment(text, statement)
        if segment is None:
            return None
        imports = _plain_imports(tree)
        settings = _plain_settings(tree, text, imports)
        needed: list[str] = []
        set_first: list[str] = []
        for free in sorted(_free_names(segment) - bound):
            if hasattr(builtins, free):
                continue
            if free in settings:  # ``WINDOWS = sys.platform.startswith("win")``: it comes along
                assignment, reads = settings[free]
                set_first.append(assignment)
                needed.extend(imports[read] for read in reads)
                continue
            if free not in imports:
                return None  # it reads a definition or another constant of the module: not the block alone
            needed.append(imports[free])
        prefix = "".join(f"{line}\n" for line in dict.fromkeys(needed))
        settings_text = "".join(f"{line}\n" for line in dict.fromkeys(set_first))
        return Block(prefix + ("\n" if prefix else "") + settings_text + ("\n" if settings_text else "") + segment + "\n",
                     frozenset(bound), tuple(_imported_modules(statement)), segment)
    return None


def _plain_settings(tree: ast.Module, text: str, imports: dict[str, str]) -> dict[str, tuple[str, list[str]]]:
    """Name -> (its assignment as written, the imports it reads), for the module's top-level
    constants bound once (nowhere else, under an ``if`` or ``try`` neither), by a value that reads
    only plain imports and builtins and is no container (``WINDOWS = sys.platform.startswith("win")``,
    not ``REGISTRY = {}``: a copy of module state would split it): a block that reads one takes it along."""
    bound_at: dict[str, int] = {}
    for statement in top_level_statements(tree.body):  # under a top-level if or try too
        for name in _bound_by(statement):
            bound_at[name] = bound_at.get(name, 0) + 1
    found: dict[str, tuple[str, list[str]]] = {}
    for statement in tree.body:
        target = statement.targets[0] if isinstance(statement, ast.Assign) and len(statement.targets) == 1 \
            else statement.target if isinstance(statement, ast.AnnAssign) and statement.value is not None else None
        if not isinstance(target, ast.Name) or bound_at.get(target.id) != 1:
            continue
        segment = ast.get_source_segment(text, statement)
        value = getattr(statement, "value", None)
        reads = {node.id for node in ast.walk(value) if isinstance(node, ast.Name)} if value is not None else set()
        if segment is None or "\n" in segment or any(not hasattr(builtins, read) and read not in imports for read in reads):
            continue
        if _container(value):
            continue  # module state (a registry): a copy would split it
        found[target.id] = (segment, sorted(read for read in reads if read in imports))
    return found


def _bound_by(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).partition(".")[0] for alias in statement.names if alias.name != "*"}
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return {node.id for target in targets for node in ast.walk(target) if isinstance(node, ast.Name)}
    return set()


def _plain_imports(tree: ast.Module) -> dict[str, str]:
    """Name -> one import statement binding it, for the module's unconditional top-level imports."""
    found: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                spelled = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                found[alias.asname or alias.name.partition(".")[0]] = spelled
        elif isinstance(statement, ast.ImportFrom):
            source = "." * statement.level + (statement.module or "")
            for alias in statement.names:
                if alias.name != "*":
                    spelled = f"from {source} import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                    found[alias.asname or alias.name] = spelled
    return found


_CONTAINERS = frozenset({"dict", "list", "set", "bytearray", "OrderedDict", "defaultdict", "deque", "Counter",
                         "ChainMap", "WeakValueDictionary", "WeakKeyDictionary", "WeakSet"})
# Builtins whose result is a plain value (no identity anyone compares with ``is``, no state).
_VALUE_BUILTINS = frozenset({"bool", "int", "float", "complex", "str", "bytes", "tuple", "frozenset", "len",
                             "isinstance", "issubclass", "hasattr", "repr", "abs", "round", "min", "max", "sum", "ord",
                             "chr", "hex", "oct"})


# Methods and module functions that answer with a plain value (a flag, a string), read off the
# platform, the environment or a string: ``sys.platform.startswith("win")``, ``os.environ.get("CI")``.
_VALUE_CALLS = frozenset({"startswith", "endswith", "lower", "upper", "strip", "lstrip", "rstrip", "replace",
                          "get", "getenv", "system", "machine", "release", "platform", "python_implementation",
                          "python_version", "getpreferredencoding", "getfilesystemencoding", "getdefaultencoding",
                          "isatty", "exists", "isfile", "isdir", "join", "expanduser", "abspath", "dirname",
                          "basename", "encode", "decode", "which", "find_spec", "cpu_count", "calcsize",
                          "get_config_var", "getcwd"})
_SIDE_EFFECTS = frozenset({("os", "system")})  # a call on the list by name that a copy would run again


def _container(value: Optional[ast.expr]) -> bool:
    """Whether a value makes an object of its own: a container (a display, a comprehension, a call
    of a container type), or any call but of a value-returning builtin or of a method or function
    known to answer with a plain value (``sys.platform.startswith``, ``os.environ.get``):
    ``MISSING = object()``, ``REGISTRY = Registry()``, ``LOCK = threading.Lock()``, ``_state =
    threading.local()``, ``_ids = itertools.count()``. A copy of one is another object: an ``is
    MISSING`` no longer matches, a registry's state splits."""
    if isinstance(value, (ast.Compare, ast.BoolOp)) or isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
        value = None if not _runs_a_command(value) else value  # a flag, whatever it asked to decide it
    for node in ast.walk(value) if value is not None else ():
        if isinstance(node, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
            return True
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        if isinstance(called, ast.Name) and called.id not in _VALUE_BUILTINS:
            return True
        if isinstance(called, ast.Attribute) and (called.attr not in _VALUE_CALLS or _runs_a_command(node)):
            return True
        if not isinstance(called, (ast.Name, ast.Attribute)):
            return True
    return False


def _runs_a_command(value: ast.expr) -> bool:
    """Whether ``value`` calls something a copy would run again for its effect (``os.system``)."""
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
               and isinstance(node.func.value, ast.Name) and (node.func.value.id, node.func.attr) in _SIDE_EFFECTS
               for node in ast.walk(value))


def _free_names(segment: str) -> set[str]:
    """The global names the block reads that it does not bind itself (its functions' included)."""
    try:
        table = symtable.symtable(segment, "<block>", "exec")
    except SyntaxError:
        return {"<unreadable>"}
    free = {symbol.get_name() for symbol in table.get_symbols()
            if symbol.is_referenced() and not symbol.is_assigned() and not symbol.is_imported()}
    pending = list(table.get_children())
    while pending:
        child = pending.pop()
        free |= {symbol.get_name() for symbol in child.get_symbols() if symbol.is_global()}
        pending.extend(child.get_children())
    return free


def _imported_modules(statement: ast.stmt) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for node in ast.walk(statement):
        if isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
    return found
