"""Add the import that binds a name the module uses but never defines (a NameError at import).

``from typing import Optional`` joins an existing ``from typing import ...`` that runs before the
module first uses the name; anything else goes where the project's import sorter (ruff ``I``,
isort, read from its settings) puts it: its section, sorted, before that first use.
"""

from __future__ import annotations

import argparse
from typing import Optional, Union

import libcst as cst
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node

from ._common import InPlace
from ._imports import add_import


class AddMissingImportCommand(InPlace, VisitorBasedCodemodCommand):
    DESCRIPTION = (
        "Import a name the module uses without defining it: `from MODULE import NAME`, `import MODULE` "
        "or `import MODULE as ASNAME`."
    )
    KEY = "add_missing_import"
    # Reads and edits only top-level statements (the import goes before the first use among the
    # imports): collect-fix hands it the module with function bodies folded.
    TOP_LEVEL_ONLY = True

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", required=True, help="module to import from; leading dots for relative")
        arg_parser.add_argument("--name", default="", help="name to import; empty for `import MODULE`")
        arg_parser.add_argument("--asname", default="",
                                help="the name the import binds: `import MODULE as ASNAME`, `from MODULE import NAME as ASNAME`")

    def __init__(self, context: CodemodContext, module: str, name: str = "", asname: str = "") -> None:
        super().__init__(context)
        stripped = module.lstrip(".")
        self.level = len(module) - len(stripped)
        self.source_module = stripped
        self.name = "" if name == module else name
        self.asname = asname
        if not self.source_module and not self.level:
            raise ValueError("add_missing_import needs a module")
        if asname and self.level and not self.name:
            raise ValueError("add_missing_import binds an asname only with an absolute module or a name")

    @property
    def bound_name(self) -> str:
        return self.asname or self.name or self.source_module.partition(".")[0]

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        binding = _module_level_binding(tree, self.bound_name)
        if binding == self._spelling() or (self._submodule and _module_level_import(tree, self.source_module)):
            return tree  # already imported: a second run changes nothing
        beside = self._submodule and binding is not None and binding.startswith(f"import {self.bound_name}") \
            and " as " not in binding  # ``import a.c`` beside ``import a.b``: both bind ``a``, to one module
        if binding is not None and not beside:
            raise SkipFile(f"{self.bound_name} is already bound at module level by {binding!r}")
        return add_import(tree, self.context, self.source_module, self.name, self.level, asname=self.asname or None)

    @property
    def _submodule(self) -> bool:
        return not self.asname and not self.name and not self.level and "." in self.source_module

    def _spelling(self) -> str:
        suffix = f" as {self.asname}" if self.asname else ""
        if self.name:
            return f"from {'.' * self.level}{self.source_module} import {self.name}{suffix}"
        return f"import {self.source_module}{suffix}"


def _module_level_binding(tree: cst.Module, name: str) -> Optional[str]:
    """How ``name`` is already bound by a top-level statement: the import's text or the kind."""
    for statement in tree.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and statement.name.value == name:
            return "def" if isinstance(statement, cst.FunctionDef) else "class"
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    if _alias_binds(alias, name):
                        return _import_spelling(small, alias)
            targets: list[cst.BaseExpression] = []
            if isinstance(small, cst.Assign):
                targets = [target.target for target in small.targets]
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and not (
                isinstance(small, cst.AnnAssign) and small.value is None
            ):
                targets = [small.target]
            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                return "assignment"
    return None


def _module_level_import(tree: cst.Module, module: str) -> bool:
    """Whether a top-level ``import module`` (no ``as``) is there."""
    return any(
        isinstance(small, cst.Import) and alias.asname is None and get_full_name_for_node(alias.name) == module
        for statement in tree.body if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body if isinstance(small, cst.Import)
        for alias in small.names
    )


def _alias_binds(alias: cst.ImportAlias, name: str) -> bool:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value == name
    return (get_full_name_for_node(alias.name) or "").partition(".")[0] == name


def _import_spelling(node: Union[cst.Import, cst.ImportFrom], alias: cst.ImportAlias) -> str:
    imported = get_full_name_for_node(alias.name) or ""
    suffix = f" as {alias.evaluated_alias}" if alias.asname is not None else ""
    if isinstance(node, cst.Import):
        return f"import {imported}{suffix}"
    module = get_full_name_for_node(node.module) if node.module is not None else ""
    return f"from {'.' * len(node.relative)}{module} import {imported}{suffix}"
