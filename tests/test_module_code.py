"""module_code writes an edited module back exactly as LibCST's ``Module.code`` would."""

from __future__ import annotations

from typing import Callable

import libcst as cst
import pytest

from collect_fix import module_code

SOURCES = {
    "plain": "import os\n\n\ndef f():\n    return os.sep\n\n\nX = f()\n",
    "header and footer comments": "#!/usr/bin/env python\n# header\n\nimport os\n\nX = 1\n# footer\n\n",
    "crlf": "import os\r\n\r\nclass A:\r\n    x = 1\r\n\r\nY = A()\r\n",
    "no trailing newline": "import os\nX = 1",
    "empty": "",
    "only comments": "# nothing\n",
    "tabs": "if True:\n\tX = 1\nelse:\n\tX = 2\n",
    "decorated and async": "@dec\nasync def f():\n    await g()\n\n\nclass B(A):  # trailing\n    pass\n",
    "semicolons": "a = 1; b = 2\nc = a + b\n",
}

EDITS: dict[str, Callable[[cst.Module], cst.Module]] = {
    "insert first": lambda m: m.with_changes(body=[cst.parse_statement("import sys\n"), *m.body]),
    "append": lambda m: m.with_changes(body=[*m.body, cst.parse_statement("Z = 3\n")]),
    "replace middle": lambda m: m.with_changes(
        body=[*m.body[:1], cst.parse_statement("Q = 0\n"), *m.body[2:]] if len(m.body) > 1 else m.body
    ),
    "drop last": lambda m: m.with_changes(body=m.body[:-1]),
    "new header": lambda m: m.with_changes(header=[cst.EmptyLine(comment=cst.Comment("# added"))]),
    "same tree": lambda m: m,
    "visited": lambda m: m.visit(cst.CSTTransformer()),  # every node rebuilt: nothing is reused
}


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES.keys())
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_an_edited_module_is_written_as_libcst_writes_it(source: str, edit: Callable[[cst.Module], cst.Module]) -> None:
    module = cst.parse_module(source)
    written = module_code.written(module)
    assert written.text == module.code == source

    edited = edit(module)

    assert module_code.code(edited, written) == edited.code


def test_statements_the_edit_kept_are_not_generated_again() -> None:
    """The point of it: a kept statement's text comes from the parsed module, not from LibCST."""
    module = cst.parse_module("X = 1\nY = 2\n")
    written = module_code.written(module)
    kept = module.body[1]
    # Stand a different text in for the kept statement: code() must use the stored one.
    written.pieces[id(kept)] = (kept, "Y = 2  # stored\n")

    assert module_code.code(module.with_changes(body=[cst.parse_statement("Z = 0\n"), kept]), written) == (
        "Z = 0\nY = 2  # stored\n"
    )
