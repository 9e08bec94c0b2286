"""Run one Edit: a LibCST codemod from ``collect_fix.codemods`` or a file edit by key.

Codemods are found by scanning the package for CodemodCommand subclasses that carry a ``KEY``,
so adding a repair never means keeping a list in sync. Non-Python edits (TOML/INI, new empty
files) live in ``collect_fix.file_edits.EDITS``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache
from pathlib import Path
from typing import Optional

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from collect_fix import body_folding, file_edits, module_code
from collect_fix.types import Edit


class TransformError(Exception):
    """The edit could not be computed (unknown key, unparsable source, codemod failure)."""


@lru_cache(maxsize=1)
def codemods() -> dict[str, type[CodemodCommand]]:
    """KEY -> codemod class, for every codemod shipped in collect_fix.codemods."""
    package = importlib.import_module("collect_fix.codemods")
    found: dict[str, type[CodemodCommand]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            key = getattr(value, "KEY", None)
            if issubclass(value, CodemodCommand) and value.__module__ == module.__name__ and key:
                found[key] = value
    return found


_Key = tuple[Edit, Optional[bytes], Path, Optional[str]]
_results: dict[_Key, bytes] = {}
# What is remembered is bounded by its size (the sources it was computed from and the results),
# the least recently asked for forgotten first: a round's warm-up (edit_warmup) computes every first repair of the
# round before the applier asks for them, and a large suite's round has hundreds.
_MAX_REMEMBERED_BYTES = 64 << 20
_remembered_bytes = 0
_forgotten = 0


def run_edit(edit: Edit, source: Optional[bytes], path: Path, module_name: Optional[str]) -> bytes:
    """Return the new bytes of ``path`` after ``edit``; ``source`` is None for a new file.

    Remembered by exact input: planners try an edit to choose among alternatives, and the
    applier then runs the very same edit on the very same bytes.
    """
    key = (edit, source, path, module_name)
    if key in _results:
        _results[key] = _results.pop(key)  # the least recently asked for goes first
    else:
        _remember(key, _compute(edit, source, path, module_name))
    return _results[key]


def forget_edits() -> None:
    """Forget every edit remembered (a test that counts what a run computes starts from nothing)."""
    global _remembered_bytes, _forgotten
    _forgotten += len(_results)
    _results.clear()
    _remembered_bytes = 0


def forgotten() -> int:
    """How many remembered edits were forgotten so far: a warm-up is still whole while this
    has not moved since it ended (``edit_warmup``)."""
    return _forgotten


def _remember(key: _Key, data: bytes) -> None:
    global _remembered_bytes, _forgotten
    if key in _results:
        return
    _results[key] = data
    _remembered_bytes += _size(key, data)
    while _remembered_bytes > _MAX_REMEMBERED_BYTES and len(_results) > 1:
        oldest = next(iter(_results))
        _remembered_bytes -= _size(oldest, _results.pop(oldest))
        _forgotten += 1


def _size(key: _Key, data: bytes) -> int:
    return len(key[1] or b"") + len(data)


class RememberedEdits:
    """``second_core.Carry`` for what ``run_edit`` remembers: edits a forked copy computed while
    planning (a planner tries them) are found here as if computed here."""

    def before(self) -> frozenset[_Key]:
        return frozenset(_results)

    def since(self, before: frozenset[_Key]) -> dict[_Key, bytes]:
        return {key: data for key, data in _results.items() if key not in before}

    def absorb(self, added: dict[_Key, bytes]) -> None:
        for key, data in added.items():
            _remember(key, data)


def _compute(edit: Edit, source: Optional[bytes], path: Path, module_name: Optional[str]) -> bytes:
    command_class = codemods().get(edit.transform)
    if command_class is not None:
        return _run_codemod(command_class, edit, source or b"", path, module_name)
    file_edit = file_edits.EDITS.get(edit.transform)
    if file_edit is None:
        raise TransformError(f"no codemod or file edit named {edit.transform!r}")
    try:
        return file_edit(source, path, **edit.kwargs())
    except Exception as exc:  # a bug or an unreadable config file: report, never crash the run
        raise TransformError(f"{edit.transform} on {path}: {exc}") from exc


_modules: dict[bytes, module_code.Written] = {}
_MAX_MODULES = 8  # LibCST trees are large; the strategies of one file run one after another


def _parse(source: bytes, path: Path) -> module_code.Written:
    """The LibCST tree of ``source`` with its code, parsed and checked once per content (trees
    are immutable, so the alternatives a planner tries on one file share it)."""
    if source not in _modules:
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as exc:
            raise TransformError(f"{path} does not parse: {exc}") from exc
        written = module_code.written(module)
        if written.text.encode(module.encoding) != source:  # e.g. LibCST drops the last newline of a file with CR-only line ends
            raise TransformError(f"{path}: LibCST does not reproduce this file byte for byte, so it is not edited")
        if len(_modules) >= _MAX_MODULES:
            _modules.pop(next(iter(_modules)))
        _modules[source] = written
    return _modules[source]


def _run_codemod(
    command_class: type[CodemodCommand], edit: Edit, source: bytes, path: Path, module_name: Optional[str]
) -> bytes:
    package = module_name.rpartition(".")[0] if module_name else None
    if module_name and path.name == "__init__.py":
        package = module_name
    context = CodemodContext(filename=str(path), full_module_name=module_name, full_package_name=package)
    # A codemod that edits only what runs at import gets the module with its function bodies
    # folded away (body_folding): parsing them is most of its cost on a long test file. One that
    # edits only the module's top level keeps every def line, with its body folded.
    if getattr(command_class, "IMPORT_TIME_ONLY", False):
        folded = body_folding.fold(source)
    elif getattr(command_class, "TOP_LEVEL_ONLY", False):
        folded = body_folding.fold(source, whole=False)
    else:
        folded = None
    parsed = folded.source if folded is not None else source
    if folded is not None:
        context.scratch[body_folding.FOLDED_WORDS] = folded.words
    written = _parse(parsed, path)
    try:
        command = command_class(context, **edit.kwargs())
        new_module = command.transform_module(written.module)
    except SkipFile:
        return source
    except Exception as exc:
        raise TransformError(f"{edit.transform} failed on {path}: {exc}") from exc
    try:
        output = module_code.code(new_module, written).encode(new_module.encoding)
    except UnicodeEncodeError as exc:  # a name from a UTF-8 file written into a latin-1 one
        text = exc.object[exc.start:exc.end]
        raise TransformError(f"{path} is {new_module.encoding}, which cannot hold {text!r} the repair would write") from exc
    try:
        return folded.unfold(output) if folded is not None else output
    except body_folding.UnfoldError as exc:
        raise TransformError(f"{edit.transform} on {path}: {exc}") from exc
