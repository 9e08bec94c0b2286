"""unbound_names: what a module's functions read that the module binds nowhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix.unbound_names import unbound_in_functions


def unbound(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "mod.py"
    path.write_text(source)
    return unbound_in_functions(path)


def test_names_only_functions_read_and_nothing_binds(tmp_path: Path) -> None:
    source = (
        "class Signer(Base):\n"
        "    def unsign(self, value):\n"
        "        raise SignatureExpired(value)\n\n"
        "    async def later(self):\n        return [Clock() for _ in range(2)]\n\n"
        "KEY = lambda: Secret\n"
    )
    # Base is read at import (import_time_names' question), not in a function.
    assert unbound(tmp_path, source) == ["Clock", "Secret", "SignatureExpired"]


@pytest.mark.parametrize("binding", [
    "def f(value):\n    return value\n",                       # a parameter
    "def f():\n    value = 1\n    return value\n",            # a local
    "value = 1\n\ndef f():\n    return value\n",              # a global, bound before
    "def f():\n    return value\n\nvalue = 1\n",              # a global, bound after: fine when called
    "def f():\n    global value\n    return value\n",         # declared global: bound somewhere else, maybe
    "def f():\n    import value\n    return value\n",         # imported in the function
    "def f():\n    try:\n        pass\n    except OSError as value:\n        return value\n",
    "def f():\n    return [value for value in range(3)]\n",
    "def f():\n    return (value := 2)\n",
    "def f(x):\n    match x:\n        case [value]:\n            return value\n",
    "class C:\n    value = 1\n\n    def f(self):\n        return value\n",   # bound in another scope: counted
    "def f():\n    return len, print, __file__, __name__\n",  # builtins and dunders
    "def f():\n    try:\n        return value\n    except NameError:\n        return None\n",
    "from m import *\n\ndef f():\n    return value\n",      # anything may come from m
    "globals()['value'] = 1\n\ndef f():\n    return value\n",
])
def test_bound_anywhere_or_unknowable_is_not_reported(tmp_path: Path, binding: str) -> None:
    assert unbound(tmp_path, binding) == []


def test_a_file_that_does_not_parse_reports_nothing(tmp_path: Path) -> None:
    assert unbound(tmp_path, "def f(:\n    return value\n") == []
    assert unbound_in_functions(tmp_path / "missing.py") == []
