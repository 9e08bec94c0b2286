"""Exits found with the standard library alone, so the pre-commit hook starts without LibCST.

``ExitCall`` (one exit), the cheap filters that let most files go unparsed, and ``find_exits``:
on an ``ast`` tree it gives exactly what LibCST's ``ExitFinder`` (exits.py) gives, the same exits,
positions, spellings and qualified names (exit_walk.py; tested to agree in tests/test_exits.py), so
the hook reports what ``--fix`` and ``collect-fix --apply`` would touch. One deliberate difference:
Python reads ``ｅｘｉｔ()`` as ``exit()`` (identifiers are NFKC-normalised), LibCST does not.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import sys
import tokenize
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Optional

from collect_fix import source_trees

EXIT_FUNCTIONS = frozenset({"sys.exit", "builtins.exit", "builtins.quit", "os._exit"})
SYSTEM_EXIT = "builtins.SystemExit"
PROCESS_KILLERS = frozenset({"os._exit"})
# Cheap byte filter: a file without any of these cannot hold an exit call.
EXIT_WORDS = (b"exit", b"quit", b"SystemExit")
# The last name of every spelling an exit can have, but for aliases (``from sys import exit as bye``).
_EXIT_NAMES = frozenset({"exit", "quit", "_exit", "SystemExit"})
_EXIT_MODULES = frozenset({"sys", "os", "builtins"})
# What every exit's source text holds: one of the names called (``exit(``, ``sys.exit (``, ``(quit)(``,
# a comment or line break before the parenthesis), renamed by an import (``exit as bye``), or
# SystemExit. Prose in docstrings and comments ("the exit code", "exit cleanly") mostly does not.
_EXIT_TEXT = rb"(?<![A-Za-z0-9_])(?:(?:_?exit|quit)(?:[\s\\]*[()#]|[\s\\]+as(?![A-Za-z0-9_]))|SystemExit(?![A-Za-z0-9_]))"
_MAY_EXIT = re.compile(_EXIT_TEXT)
_MAY_EXIT_TEXT = re.compile(_EXIT_TEXT.decode())


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


class SourceError(ValueError):
    """The source cannot be analysed: undecodable, a NUL byte, or not Python this interpreter parses.

    ``line`` is where, when known (0 otherwise).
    """

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def may_exit(source: bytes) -> bool:
    """False when ``source`` certainly holds no exit (no need to parse it): no name of one is
    called, renamed or raised, even after the NFKC normalisation Python applies to identifiers."""
    if b"exit" not in source and b"quit" not in source and b"SystemExit" not in source:
        if source.isascii():
            return False  # most files: three substring searches, no regex
    elif _MAY_EXIT.search(source):
        return True
    if source.isascii():
        return False
    try:
        text = decode(source)
    except SourceError:
        return False  # ast cannot read it either; whoever parses it reports that
    return bool(_MAY_EXIT_TEXT.search(unicodedata.normalize("NFKC", text)))


def decode(source: bytes) -> str:
    """The text of Python source bytes, as the interpreter reads them (BOM, coding cookie)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as exc:
        raise SourceError(str(exc)) from None
    try:
        return source.decode(encoding)
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        raise SourceError(f"not valid {encoding} (byte 0x{source[exc.start]:02x} on line {line})", line) from None
    except LookupError:  # detect_encoding checks the name; a codec can still be missing
        raise SourceError(f"unknown encoding {encoding}") from None


def parse(source: bytes) -> tuple[ast.Module, str]:
    """The tree and the text of ``source``; SourceError when this interpreter cannot parse it.

    The last few are kept: the planner, the body folding and the exit analysis of one file each
    ask for it, and a long test file takes a tenth of a second to parse. The tree ``source_trees``
    keeps is taken when there is one (read ahead while a run's first collection runs). Nobody
    changes a tree.
    """
    parsed = _parsed(source)
    if isinstance(parsed, SourceError):
        raise SourceError(parsed.reason, parsed.line)
    return parsed


@functools.lru_cache(maxsize=4)
def _parsed(source: bytes) -> tuple[ast.Module, str] | SourceError:
    try:
        text = decode(source)
    except SourceError as exc:
        return exc
    if "\0" in text:
        line = text.count("\n", 0, text.index("\0")) + 1
        return SourceError(f"contains a NUL byte (line {line})", line)
    tree = source_trees.kept(source)  # read ahead during a run's first collection; never in the hook
    if tree is not None:
        return tree, text
    version = "Python {}.{}".format(*sys.version_info)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "invalid escape sequence" and such: not this hook's to say
            return ast.parse(text), text
    except SyntaxError as exc:
        return SourceError(f"does not parse as {version}: {exc.msg}", exc.lineno or 0)
    except (ValueError, RecursionError, MemoryError) as exc:
        return SourceError(f"does not parse as {version}: {exc}")


def find_exits(source: bytes, outside_main_guard: bool = False) -> list[ExitCall]:
    """Every exit in ``source``, in source order; raises SourceError when it does not parse.

    ``outside_main_guard``: the exits in the body of ``if __name__ == "__main__":`` may be left out
    (all the hook reports is the others): a script-style test file is not analysed any further.
    """
    return list(_exits(source, outside_main_guard))


@functools.lru_cache(maxsize=16)  # a planner asks once per round about the file it still plans for
def _exits(source: bytes, outside_main_guard: bool) -> tuple[ExitCall, ...]:
    if not may_exit(source):
        return ()
    tree, text = parse(source)
    found, imported = _scan(tree)
    if not found or outside_main_guard and _all_in_main_guards(found, tree):
        return ()
    from collect_fix.exit_walk import ExitWalk  # loaded only for files with something like an exit

    try:
        return tuple(ExitWalk(tree, text, imported).exits())
    except RecursionError:
        raise SourceError("nested too deeply to analyse") from None


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
        return parse(source)[0]
    except SourceError:
        return None


def _all_in_main_guards(nodes: list[ast.AST], tree: ast.Module) -> bool:
    """Whether every node sits in the body of a module-level ``if __name__ == "__main__":``.
    Only plain ``"__main__"`` literals count (a concatenated string is no guard to ExitFinder)."""
    bodies = []
    for statement in tree.body:
        if isinstance(statement, ast.If) and _plain_main_guard(statement.test) and statement.body:
            first, last = statement.body[0], statement.body[-1]
            bodies.append(((first.lineno, first.col_offset), (last.end_lineno or last.lineno, last.end_col_offset or 0)))
    return bool(bodies) and all(
        any(start <= (node.lineno, node.col_offset) < end for start, end in bodies)
        for node in nodes if isinstance(node, (ast.Name, ast.Attribute))
    )


def _plain_main_guard(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    names = [side for side in sides if isinstance(side, ast.Name) and side.id == "__name__"]
    strings = [
        side for side in sides if isinstance(side, ast.Constant) and side.value == "__main__"
        and side.lineno == side.end_lineno and (side.end_col_offset or 0) - side.col_offset == len('"__main__"')
    ]
    return len(names) == 1 and len(strings) == 1


def _candidates(tree: ast.Module, root: ast.AST) -> list[ast.AST]:
    """The nodes under ``root`` spelled like an exit, or like an alias of one bound anywhere in ``tree``."""
    found, _ = _scan(tree)
    if root is not tree:
        inside = {id(node) for node in ast.walk(root)}
        found = [node for node in found if id(node) in inside]
    return found


def _scan(tree: ast.Module) -> tuple[list[ast.AST], set[str]]:
    """``_candidates`` of the whole tree, and every name an import binds (one walk for both)."""
    found, imported = _scanned(tree)
    return list(found), set(imported)


@functools.lru_cache(maxsize=4)  # per tree (``parse`` keeps the last few): asked once per if or try
def _scanned(tree: ast.Module) -> tuple[tuple[ast.AST, ...], frozenset[str]]:
    aliases: set[str] = set()
    imported: set[str] = set()
    names: list[ast.Name] = []
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node)
        elif isinstance(node, ast.Attribute):
            if node.attr in _EXIT_NAMES:
                found.append(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            exit_module = isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in _EXIT_MODULES
            for alias in node.names:
                imported.add(alias.asname or alias.name.partition(".")[0])
                if alias.asname is not None and (exit_module or alias.name.rpartition(".")[2] in _EXIT_NAMES):
                    aliases.add(alias.asname)
    found += [node for node in names if node.id in _EXIT_NAMES or node.id in aliases]
    return tuple(found), frozenset(imported)
