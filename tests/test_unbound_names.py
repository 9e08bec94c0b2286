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
    # Base is read at import (import_time_names' question), not in a function; range is a builtin.
    assert unbound(tmp_path, source) == ["Clock", "Secret", "SignatureExpired"]


@pytest.mark.parametrize("binding", [
    "def f(value):\n    return value\n",                       # a parameter
    "def f():\n    value = 1\n    return value\n",            # a local
    "value = 1\n\ndef f():\n    return value\n",              # a global, bound before
    "def f():\n    return value\n\nvalue = 1\n",              # a global, bound after: fine when called
    "def f():\n    global value\n    value = 1\n\ndef g():\n    return value\n",  # bound by a `global`
    "def f():\n    import value\n    return value\n",         # imported in the function
    "def f():\n    try:\n        pass\n    except ValueError as value:\n        return value\n",
    "def f(items):\n    return [value for value in items]\n",
    "def f():\n    return (value := 2)\n",
    "def f(x):\n    match x:\n        case [value]:\n            return value\n",
    "def f():\n    value = 1\n    def g():\n        return value\n    return g\n",  # from the enclosing function
    "def f():\n    return __file__, __name__\n",              # dunders
    "def f():\n    try:\n        return value\n    except (ImportError, NameError):\n        return None\n",
    "from m import *\n\ndef f():\n    return value\n",      # anything may come from m
    "globals()['value'] = 1\n\ndef f():\n    return value\n",
])
def test_bound_in_its_scope_or_unknowable_is_not_reported(tmp_path: Path, binding: str) -> None:
    assert "value" not in unbound(tmp_path, binding)


@pytest.mark.parametrize("source", [
    "def configure(value):\n    return value\n\ndef current():\n    return value.debug\n",  # another scope's parameter
    "class C:\n    value = 1\n\n    def f(self):\n        return value\n",   # a class attribute is no global
    "def f():\n    global value\n    return value\n",         # declared global, assigned nowhere
    "def f(text):\n    try:\n        return value(text)\n    except Exception:\n        return None\n",
    "def f(text):\n    try:\n        return value(text)\n    except:\n        return None\n",
])
def test_a_name_bound_only_in_another_scope_or_read_under_general_handling_is_reported(
    tmp_path: Path, source: str
) -> None:
    """Hostile review: the coarse "bound anywhere" rule left a dropped import of ``settings``
    unrepaired because another function took a parameter ``settings``; ``except Exception``
    around a read is error handling, and it hid the NameError the read raised."""
    assert "value" in unbound(tmp_path, source)


def test_a_builtin_the_module_reads_in_a_function_is_not_reported(tmp_path: Path) -> None:
    """A change that dropped ``from codecs import open`` may have meant the builtin ``open`` (a
    hostile review: the import came back over a deliberate switch)."""
    assert unbound(tmp_path, "def f(path):\n    raise ConnectionError(open(path))\n") == []


def test_a_file_that_does_not_parse_reports_nothing(tmp_path: Path) -> None:
    assert unbound(tmp_path, "def f(:\n    return value\n") == []
    assert unbound_in_functions(tmp_path / "missing.py") == []
