"""Guard a test module's imports of a missing third-party module with ``pytest.importorskip``.

``import yaml`` becomes ``yaml = pytest.importorskip("yaml")`` (``import yaml as y`` ->
``y = ...``). Imports that bind something other than the module itself (``from PIL import
Image``, ``import google.protobuf``) keep their statement, preceded by
``pytest.importorskip("<full dotted name>")``: ``Image`` may be a submodule, and
``google.protobuf`` binds ``google``, so the original statement is the only faithful spelling.
Only statements that run at import time are touched; function bodies and imports already in a
``try`` that handles ImportError are left alone. A conftest is never guarded: a skip raised while
pytest imports a conftest ends the whole session instead of skipping its tests.

``import pytest`` goes where the project's import sorter puts it, above the first guard, and a
guard that now ends an import block gets the blank line the sorter wants after imports.
"""

from __future__ import annotations

import argparse
from pathlib import PurePath
from typing import Optional, Sequence

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, SkipFile, VisitorBasedCodemodCommand
from libcst.helpers import get_full_name_for_node

from . import _import_style
from ._common import InPlace
from ._imports import add_import, after_imports, is_import_line

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class GuardMissingDependencyCommand(InPlace, VisitorBasedCodemodCommand):
    DESCRIPTION = "Skip a test module whose third-party import is missing: `pytest.importorskip(MODULE)`."
    KEY = "guard_missing_dependency"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", required=True, help="dotted name of the module that is not installed")

    def __init__(self, context: CodemodContext, module: str) -> None:
        super().__init__(context)
        self.missing = module
        self.pytest_name = "pytest"
        self.needs_pytest = False
        self.guarded = 0
        self._function_depth = 0
        self._guarded_try_depth = 0

    def visit_Module(self, node: cst.Module) -> None:
        if self.context.filename is not None and PurePath(self.context.filename).name == "conftest.py":
            raise SkipFile("a skip raised while importing a conftest ends the whole pytest session")
        alias = self._pytest_before_first_guard(node)
        self.needs_pytest = alias is None
        self.pytest_name = alias or "pytest"

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        body = self._guard_block(updated_node.body)
        if self.guarded:
            style = _import_style.for_file(self.context.filename)
            tree = updated_node.with_changes(body=body)
            if self.needs_pytest:  # lands above every guard
                tree = add_import(tree, self.context, "pytest", style=style)
            return tree.with_changes(body=self._spaced(tree.body, style))
        if _mentions(updated_node, self.missing, self.pytest_name):
            return original_node  # guarded by an earlier run
        raise SkipFile(f"no import of {self.missing} runs when the module is imported")

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._function_depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        self._function_depth -= 1
        return updated_node

    def visit_Try(self, node: cst.Try) -> None:
        if _handles_import_errors(node):
            self._guarded_try_depth += 1

    def leave_Try(self, original_node: cst.Try, updated_node: cst.Try) -> cst.Try:
        if _handles_import_errors(original_node):
            self._guarded_try_depth -= 1
        return updated_node

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if self._function_depth or self._guarded_try_depth:
            return updated_node
        return updated_node.with_changes(body=self._guard_block(updated_node.body))

    def _spaced(self, body: Sequence[cst.BaseStatement], style: _import_style.ImportStyle) -> list[cst.BaseStatement]:
        """A top-level guard right after an import line ends that import block: the blank lines
        the sorter wants after imports go before it."""
        spaced = list(body)
        for index in range(1, len(spaced)):
            statement = spaced[index]
            if not isinstance(statement, cst.SimpleStatementLine) or not self._is_guard(statement):
                continue
            if is_import_line(spaced[index - 1]):
                spaced[index] = statement.with_changes(leading_lines=after_imports(statement, style))
        return spaced

    def _is_guard(self, statement: cst.SimpleStatementLine) -> bool:
        first = statement.body[0]
        value = first.value if isinstance(first, (cst.Expr, cst.Assign)) else None
        return value is not None and m.matches(value, self._importorskip_matcher())

    def _guard_block(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        result: list[cst.BaseStatement] = []
        already: set[str] = set()
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                replacement = self._guard_line(statement, already)
                already.update(self._skipped_targets(replacement))
                result.extend(replacement)
            else:
                result.append(statement)
        return result

    def _guard_line(self, line: cst.SimpleStatementLine, already: set[str]) -> list[cst.SimpleStatementLine]:
        # Small statements that stay together on one line; each guarded one gets its own line.
        groups: list[list[cst.BaseSmallStatement]] = []
        open_group = False
        changed = False
        for small in line.body:
            guarded = self._guard_small(small, already)
            if guarded is None:
                if open_group:
                    groups[-1].append(small)
                else:
                    groups.append([small])
                open_group = True
            else:
                changed = True
                open_group = False
                groups.extend([statement] for statement in guarded)
        if not changed:
            return [line]
        lines = [cst.SimpleStatementLine(body=[_no_semicolon(s) for s in group]) for group in groups]
        lines[0] = lines[0].with_changes(leading_lines=line.leading_lines)
        lines[-1] = lines[-1].with_changes(trailing_whitespace=line.trailing_whitespace)
        return lines

    def _guard_small(self, small: cst.BaseSmallStatement, already: set[str]) -> Optional[list[cst.BaseSmallStatement]]:
        """The statements replacing ``small``, or None when it does not import the missing module."""
        if isinstance(small, cst.Import):
            return self._guard_import(small, already)
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
            target = self._from_target(small)
            if target is None or _covered(target, already):
                return None
            self.guarded += 1
            return [self._importorskip(target), small]
        return None

    def _guard_import(self, node: cst.Import, already: set[str]) -> Optional[list[cst.BaseSmallStatement]]:
        kept: list[cst.ImportAlias] = []
        added: list[cst.BaseSmallStatement] = []
        for alias in node.names:
            imported = get_full_name_for_node(alias.name) or ""
            if not self._matches(imported) or _covered(imported, already):
                kept.append(alias)
            elif alias.asname is not None:
                added.append(_assign(alias.evaluated_alias or imported, self._importorskip_call(imported)))
            elif "." not in imported:
                added.append(_assign(imported, self._importorskip_call(imported)))
            else:  # ``import a.b`` binds ``a``: keep the statement, skip first
                added.extend([self._importorskip(imported), cst.Import(names=[alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)])])
        if not added:
            return None
        self.guarded += 1
        if not kept:
            return added
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return [node.with_changes(names=kept), *added]

    def _from_target(self, node: cst.ImportFrom) -> Optional[str]:
        module = get_full_name_for_node(node.module) if node.module is not None else None
        if not module:
            return None
        if self._matches(module):
            return module
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:  # ``from PIL import Image`` when PIL.Image is the missing one
                submodule = f"{module}.{get_full_name_for_node(alias.name)}"
                if self._matches(submodule):
                    return submodule
        return None

    def _pytest_before_first_guard(self, module: cst.Module) -> Optional[str]:
        """The name a module-level ``import pytest [as x]`` binds before the first guard runs."""
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                finder = _ImportFinder(self)
                statement.visit(finder)
                if finder.found:
                    return None
                continue
            for small in statement.body:
                # Names an import keeps are written before the guards it gets, so ``import
                # pytest, yaml`` still binds pytest first.
                alias = _pytest_alias(small)
                if alias is not None:
                    return alias
                if self._imports_missing(small):
                    return None
        return None

    def _imports_missing(self, small: cst.CSTNode) -> bool:
        if isinstance(small, cst.Import):
            return any(self._matches(get_full_name_for_node(alias.name) or "") for alias in small.names)
        if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
            return self._from_target(small) is not None
        return False

    def _matches(self, imported: str) -> bool:
        return imported == self.missing or imported.startswith(self.missing + ".")

    def _importorskip_call(self, module: str) -> cst.Call:
        return cst.Call(
            func=cst.Attribute(value=cst.Name(self.pytest_name), attr=cst.Name("importorskip")),
            args=[cst.Arg(cst.SimpleString(f'"{module}"'))],
        )

    def _importorskip(self, module: str) -> cst.Expr:
        return cst.Expr(self._importorskip_call(module))

    def _skipped_targets(self, lines: Sequence[cst.SimpleStatementLine]) -> set[str]:
        """Modules an ``importorskip`` in ``lines`` already guards (keeps a second run a no-op)."""
        targets: set[str] = set()
        for line in lines:
            for small in line.body:
                value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
                if value is not None and m.matches(value, self._importorskip_matcher()):
                    assert isinstance(value, cst.Call)
                    literal = value.args[0].value
                    if isinstance(literal, cst.SimpleString):
                        targets.add(str(literal.evaluated_value))
        return targets

    def _importorskip_matcher(self) -> m.Call:
        return m.Call(
            func=m.Attribute(value=m.Name(self.pytest_name), attr=m.Name("importorskip")),
            args=[m.Arg(m.SimpleString()), m.ZeroOrMore()],
        )


def _covered(module: str, guarded: set[str]) -> bool:
    """An earlier importorskip of ``module`` or of a submodule already imported it."""
    return any(done == module or done.startswith(module + ".") for done in guarded)


def _assign(name: str, value: cst.BaseExpression) -> cst.Assign:
    return cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=value)


def _no_semicolon(small: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    return small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)


def _pytest_alias(small: cst.BaseSmallStatement) -> Optional[str]:
    """The name ``small`` binds pytest to, when it is ``import pytest [as x]``."""
    if isinstance(small, cst.Import):
        for alias in small.names:
            if get_full_name_for_node(alias.name) == "pytest":
                return alias.evaluated_alias or "pytest"
    return None


class _ImportFinder(cst.CSTVisitor):
    """Whether a compound statement holds an import the command would guard."""

    def __init__(self, command: GuardMissingDependencyCommand) -> None:
        super().__init__()
        self.command = command
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Try(self, node: cst.Try) -> bool:
        return not _handles_import_errors(node)

    def visit_Import(self, node: cst.Import) -> None:
        self.found = self.found or self.command._imports_missing(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self.found = self.found or self.command._imports_missing(node)


def _handles_import_errors(node: cst.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
        for entry in types:
            value = entry.value if isinstance(entry, cst.Element) else entry
            if (get_full_name_for_node(value) or "").rpartition(".")[2] in _IMPORT_ERRORS:
                return True
    return False


def _mentions(module: cst.Module, missing: str, pytest_name: str) -> bool:
    """Whether the module already skips on ``missing`` (a rerun after the guard was added)."""
    pattern = f'{pytest_name}.importorskip("{missing}'
    return pattern in module.code or pattern.replace('"', "'") in module.code

