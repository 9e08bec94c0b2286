"""Recreate a module moved whole as the very module it became: ``sys.modules[__name__] = ...``.

``git mv pkg/android.py pkg/_android.py`` leaves tests that import ``pkg.android`` and patch it by
dotted name (``mock.patch("pkg.android.os.path.join")``, ``monkeypatch.setattr("pkg.android._folder",
...)``). Re-exporting the names they import would make a second module: a patch there would not
reach the code, which reads its own module's names, and ``pkg.android.os`` would not exist. When
this module's code has run, the import system hands out whatever ``sys.modules`` holds under its
name, and sets that on its package: so the old name is the new module, every attribute and patch
included. Written only into a module with no code of its own (the recreated one), under a
``# collect-fix: module-alias`` comment that lists it as debt (``collect-fix --list-stubs``).
A module that is already that alias is left as it is.
"""

from __future__ import annotations

import argparse
from typing import Sequence

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from ._common import InPlace
from ._module_edits import is_docstring

MODULE_ALIAS_MARKER = "# collect-fix: module-alias"
_BOUND = "_module"  # the name the new module is imported under, before it takes this one's place


class AliasModuleCommand(InPlace, CodemodCommand):
    DESCRIPTION = "Make a module that was moved whole an alias of the module it became (sys.modules)."
    KEY = "alias_module"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", dest="module", required=True,
                                help="The module it became, by its absolute dotted name.")
        arg_parser.add_argument("--source", dest="source", required=True,
                                help="What tells, for the marker ('moved by commit 1a2b').")

    def __init__(self, context: CodemodContext, module: str, source: str) -> None:
        super().__init__(context)
        if not module or not all(part.isidentifier() for part in module.split(".")):
            raise ValueError(f"not a module name: {module!r}")
        self.new_module = module
        self.source = source

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        own = [statement for statement in tree.body if not is_docstring(statement)]
        aliasing = list(cst.parse_module(
            f"import sys\n\nimport {self.new_module} as {_BOUND}\n\nsys.modules[__name__] = {_BOUND}\n").body)
        if _code(own) == _code(aliasing):
            return tree  # already this alias
        if own:
            raise SkipFile("the module has code of its own: an alias would hide it")
        marker = cst.EmptyLine(comment=cst.Comment(f"{MODULE_ALIAS_MARKER} -> {self.new_module} ({self.source})"))
        gap = [cst.EmptyLine()] if tree.body else []
        aliasing[0] = aliasing[0].with_changes(leading_lines=[*gap, marker])
        return tree.with_changes(body=[*tree.body, *aliasing], has_trailing_newline=True)


def _code(statements: Sequence[cst.BaseStatement]) -> list[str]:
    """The statements' code, their leading comments and blank lines left out."""
    spell = cst.Module(body=[]).code_for_node
    return [spell(statement.with_changes(leading_lines=[])).strip() for statement in statements]
