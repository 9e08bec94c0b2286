"""A LibCST module's code kept per top-level statement, so an edited module is written back by
generating only what the edit changed.

LibCST writes a module back by generating the code of every node, and on a long file that costs
about as much as parsing it. A codemod changes a few statements and hands the others back as the
very objects it was given (the trees are immutable): ``Written`` keeps the text of each
top-level statement of the parsed module (checked once against the file's bytes, see
``transforms``), and ``code`` takes that text for every statement the edited module still holds
and generates the rest. Where a module's code is more than its pieces joined (LibCST drops the
last newline of a module without one), both fall back to LibCST's own ``Module.code``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import libcst as cst


@dataclass(frozen=True)
class Written:
    """The parsed module and its code, piece by piece: ``pieces`` maps id(statement) to the
    statement (kept alive with the module, so no other object takes its id) and its text."""

    module: cst.Module
    text: str
    pieces: dict[int, tuple[cst.CSTNode, str]]


def written(module: cst.Module) -> Written:
    """``module`` with its code (the same as ``module.code``), kept per statement when it can be."""
    if not _joined(module):
        return Written(module, module.code, {})
    texts = [module.code_for_node(statement) for statement in module.body]
    text = _lines(module, module.header) + "".join(texts) + _lines(module, module.footer)
    return Written(module, text, {id(node): (node, piece) for node, piece in zip(module.body, texts)})


def code(module: cst.Module, original: Written) -> str:
    """``module.code``, for a module made from ``original.module`` by an edit."""
    before = original.module
    settings = ("default_indent", "default_newline", "encoding")
    if not _joined(module) or any(getattr(module, name) != getattr(before, name) for name in settings):
        return module.code
    body = []
    for statement in module.body:
        kept = original.pieces.get(id(statement))
        body.append(kept[1] if kept is not None and kept[0] is statement else module.code_for_node(statement))
    return _lines(module, module.header) + "".join(body) + _lines(module, module.footer)


def _joined(module: cst.Module) -> bool:
    """Whether the module's code is its header, statements and footer joined: LibCST's
    ``Module._codegen_impl`` does more only without a trailing newline or with nothing at all."""
    return module.has_trailing_newline and bool(module.header or module.body or module.footer)


def _lines(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> str:
    return "".join(module.code_for_node(line) for line in lines)
