"""Recreate a module moved whole as the very module it became: ``sys.modules[__name__] = ...``.

``git mv pkg/android.py pkg/_android.py`` leaves tests that import ``pkg.android`` and patch it by
dotted name (``mock.patch("pkg.android.os.path.join")``, ``monkeypatch.setattr("pkg.android._folder",
...)``). Re-exporting the names they import would make a second module: a patch there would not
reach the code, which reads its own module's names, and ``pkg.android.os`` would not exist. When
this module's code has run, the import system hands out whatever ``sys.modules`` holds under its
name, and sets that on its package: so the old name is the new module, every attribute and patch
included. Where the same change renamed names in it (``Editor`` -> ``TextEditor``), the old name is
a module object of its own that forwards every read, assignment and deletion to the new module,
an old name to its new one: a patch of ``pkg.editing.Editor`` replaces the ``TextEditor`` the
code reads, and nothing is bound on the new module (two modules merged into one, each with its
own ``Backend`` renamed, keep theirs apart). Its names are properties of its class, so a patch
that restores what the module's own namespace held (pytest 9's monkeypatch) restores the value
there rather than deleting it; and reloading it reloads the module it became, as the plain alias
does; a copy made apart from the import system (``module_from_spec``, ``exec_module``) gets the
names of a copy of the new module and leaves everything else alone. What the import system
keeps on a module object (``__spec__``, ``__file__``, ``__loader__``)
is this file's own, so ``importlib.util.find_spec`` and a path beside it still work; every other
name, dunders the module binds itself (``__version__``) included, is the new module's. Written only into a module with no code of its own
(the recreated one), under a ``# collect-fix: module-alias`` comment that lists it as debt
(``collect-fix --list-stubs``). A module that is already that alias is left as it is. Where the
new module runs as a script too (``--main``), ``python -m`` the old name runs it as one.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Sequence

import libcst as cst
from libcst.codemod import CodemodCommand, CodemodContext, SkipFile

from ._common import InPlace
from ._module_edits import is_docstring

MODULE_ALIAS_MARKER = "# collect-fix: module-alias"
_BOUND = "_module"  # the name the new module is imported under, before it takes this one's place
# The module object standing for the old one where names were renamed. Typed for mypy --strict,
# and valid on every Python pytest 8 runs on (no ``list[str]`` at run time on 3.8).
_FORWARDING = '''import importlib
import importlib.util
import sys
import types
from typing import Any, List

import {module} as {bound}

# Imported, or reloaded: the module sys.modules holds under this name is the one this code fills.
# Otherwise a copy is made apart from the import system (module_from_spec, exec_module).
_IMPORTED = getattr(sys.modules.get(__name__), "__dict__", None) is globals()
if _IMPORTED and type(sys.modules.get(__name__)).__name__ == "_Renamed":  # importlib.reload() of this module
    importlib.reload({bound})

_RENAMED = {{{renamed}}}


# What the import system keeps on a module object: this one's own (its file, its spec).
_OWN = frozenset({{"__name__", "__doc__", "__spec__", "__loader__", "__file__", "__package__", "__cached__",
                   "__path__", "__builtins__", "__dict__", "__class__"}})


class _Renamed(types.ModuleType):
    """The module this one became: old names read, set and deleted as the new ones."""

    def __getattr__(self, name: str) -> Any:
        return getattr({bound}, _RENAMED.get(name, name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _OWN:
            super().__setattr__(name, value)
        else:
            setattr({bound}, _RENAMED.get(name, name), value)

    def __delattr__(self, name: str) -> None:
        if name in _OWN:
            super().__delattr__(name)
        else:
            delattr({bound}, _RENAMED.get(name, name))

    def __dir__(self) -> List[str]:
        return sorted({{*dir({bound}), *_RENAMED}})


def _forwarded(name: str) -> Any:
    """A property: a patch (monkeypatch, unittest.mock) then restores the module's value."""
    new = _RENAMED.get(name, name)

    def read(self: types.ModuleType) -> Any:
        return getattr({bound}, new)

    def write(self: types.ModuleType, value: Any) -> None:
        setattr({bound}, new, value)

    def remove(self: types.ModuleType) -> None:
        delattr({bound}, new)

    return property(read, write, remove)


if _IMPORTED:
    for _name in sorted({{*vars({bound}), *_RENAMED}} - _OWN - set(dir(_Renamed))):  # no method of the class
        setattr(_Renamed, _name, _forwarded(_name))
    _renamed = _Renamed(__name__, {bound}.__doc__)
    for _name in ("__spec__", "__loader__", "__file__", "__package__", "__cached__"):  # this file's, for importlib
        if _name in globals():
            setattr(_renamed, _name, globals()[_name])
    sys.modules[__name__] = _renamed
else:  # a private copy: the names of a copy of the module it became, old ones too; sys.modules is left alone
    _copy: types.ModuleType = {bound}
    _spec = importlib.util.find_spec({bound}.__name__)
    if _spec is not None and _spec.loader is not None:
        _copy = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_copy)
    for _name in sorted({{*vars(_copy), *_RENAMED}} - _OWN):
        if hasattr(_copy, _RENAMED.get(_name, _name)):
            globals()[_name] = getattr(_copy, _RENAMED.get(_name, _name))
'''


class AliasModuleCommand(InPlace, CodemodCommand):
    DESCRIPTION = "Make a module that was moved whole an alias of the module it became (sys.modules)."
    KEY = "alias_module"

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", dest="module", required=True,
                                help="The module it became, by its absolute dotted name.")
        arg_parser.add_argument("--source", dest="source", required=True,
                                help="What tells, for the marker ('moved by commit 1a2b').")
        arg_parser.add_argument("--renamed", dest="renamed", default="",
                                help="old=new,...: names renamed on the way, read and patched under their old names.")
        arg_parser.add_argument("--main", dest="main", default="",
                                help="Non-empty: the module it became runs as a script too (python -m the old name runs it).")

    def __init__(self, context: CodemodContext, module: str, source: str, renamed: str = "", main: str = "") -> None:
        super().__init__(context)
        self.main = bool(main)
        if not module or not all(part.isidentifier() for part in module.split(".")):
            raise ValueError(f"not a module name: {module!r}")
        pairs = [pair.partition("=") for pair in renamed.split(",") if pair]
        if any(not old.isidentifier() or not new.isidentifier() for old, _, new in pairs):
            raise ValueError(f"not old=new names: {renamed!r}")
        self.new_module = module
        self.source = source
        self.renamed = sorted((old, new) for old, _, new in pairs)

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        own = [statement for statement in tree.body if not is_docstring(statement)]
        aliasing = list(cst.parse_module(self._aliasing()).body)
        if _code(own) == _code(aliasing):
            return tree  # already this alias
        if own:
            raise SkipFile("the module has code of its own: an alias would hide it")
        marker = cst.EmptyLine(comment=cst.Comment(f"{MODULE_ALIAS_MARKER} -> {self.new_module} ({self.source})"))
        gap = [cst.EmptyLine()] if tree.body else []
        aliasing[0] = aliasing[0].with_changes(leading_lines=[*gap, marker])
        return tree.with_changes(body=[*tree.body, *aliasing], has_trailing_newline=True)


    def _aliasing(self) -> str:
        if not self.renamed:
            aliasing = f"import sys\n\nimport {self.new_module} as {_BOUND}\n\nsys.modules[__name__] = {_BOUND}\n"
        else:
            renamed = ", ".join(f'"{old}": "{new}"' for old, new in self.renamed)
            aliasing = _FORWARDING.format(module=self.new_module, bound=_BOUND, renamed=renamed)
        if not self.main:
            return aliasing
        # ``python -m`` the old name: the module it became runs as the script, as the old one did
        # (the alias would import it under its own name, and its ``__main__`` block would not run).
        return (f'if __name__ == "__main__":  # python -m {self.new_module}, under the old name\n'
                f"    import runpy\n\n    runpy.run_module({self.new_module!r}, run_name=\"__main__\", alter_sys=True)\n"
                f"else:\n{textwrap.indent(aliasing, '    ')}")


def _code(statements: Sequence[cst.BaseStatement]) -> list[str]:
    """The statements' code, their leading comments and blank lines left out."""
    spell = cst.Module(body=[]).code_for_node
    return [spell(statement.with_changes(leading_lines=[])).strip() for statement in statements]
