"""Small node helpers several codemods share."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import libcst as cst
from libcst.codemod import Codemod, CodemodContext
from libcst.metadata import MetadataWrapper


class InPlace:
    """Mixed in before ``CodemodCommand``: metadata is resolved on the tree it is given, not on a
    deep copy (``Codemod.transform_module``). The tree is collect-fix's parse of the file, which
    nothing changes (LibCST trees are immutable) and the alternatives planned for one file share,
    and the copy costs about what the parse did."""

    context: CodemodContext

    def transform_module(self, tree: cst.Module) -> cst.Module:
        command = cast(Codemod, self)
        wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
        previous = self.context.wrapper
        with command.resolve(wrapper):
            self.context = replace(self.context, wrapper=wrapper)
            try:
                return command.transform_module_impl(tree)
            finally:
                self.context = replace(self.context, wrapper=previous)


def code_of(node: cst.CSTNode) -> str:
    """The source code of ``node`` as LibCST would write it."""
    return cst.Module(body=[]).code_for_node(node)


def one_line(node: cst.CSTNode) -> str:
    """The code of ``node`` on one line, for messages and reasons."""
    return " ".join(code_of(node).split())
