"""Function bodies folded out before LibCST parses a module, and put back byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix import transforms
from collect_fix.body_folding import UnfoldError, fold
from collect_fix.types import Edit

FIXTURES = Path(__file__).parent / "fixtures"

MODULE = b'''"""Tests."""
import sys

try:
    from shop.fast import thing
except ImportError:
    sys.exit(1)


def test_one(tmp_path):
    value = thing(tmp_path)
    assert value


def test_two():
    assert sys.platform


@pytest.mark.slow
def test_decorated(x=sys.maxsize):
    total = 0
    for number in range(3):
        total += number
    assert total == 3


class TestGroup:
    attribute = sys.version

    def test_method(self):
        first = 1
        assert first


def exit():
    return "the module's own exit"
'''


def test_runs_of_plain_functions_and_other_bodies_fold_and_unfold_to_the_same_bytes() -> None:
    folded = fold(MODULE)
    assert folded is not None
    text = folded.source.decode()
    assert "def test_one" not in text and "def test_two" not in text  # one run, one placeholder
    assert "@pytest.mark.slow\ndef test_decorated(x=sys.maxsize):" in text  # runs at import: kept
    assert "total = 0" not in text  # its body is folded
    assert "    attribute = sys.version" in text and "first = 1" not in text  # class body runs; method body not
    assert "def exit():" in text  # a function named like what the exit codemod resolves stays visible
    assert folded.unfold(folded.source) == MODULE
    assert "tmp_path" in folded.words and "total" in folded.words


def test_output_that_lost_or_doubled_a_placeholder_is_refused() -> None:
    folded = fold(MODULE)
    assert folded is not None
    first = folded.placeholders[0]
    with pytest.raises(UnfoldError):
        folded.unfold(folded.source.replace(first, b""))
    with pytest.raises(UnfoldError):
        folded.unfold(folded.source.replace(first, first + first))


@pytest.mark.parametrize("source", [
    b"x = 1\n",  # nothing to fold
    b"def f():\n    return 1\r\r",  # CR-only line ends
    b"def f(:\n",  # does not parse
    b"def f():\n    a = 1\n    return a\n# ...  # collect-fix: folded body 0\n",  # holds the placeholder text
], ids=["nothing", "cr-only", "syntax-error", "placeholder-text"])
def test_what_cannot_be_folded_safely_is_not(source: bytes) -> None:
    folded = fold(source)
    assert folded is None or folded.unfold(folded.source) == source


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda path: str(path.relative_to(FIXTURES)))
def test_every_fixture_round_trips(path: Path) -> None:
    source = path.read_bytes()
    folded = fold(source)
    assert folded is None or folded.unfold(folded.source) == source


def test_the_exit_codemod_gives_the_same_output_folded_or_not() -> None:
    """transforms folds for codemods that edit only what runs at import; the result is what the
    codemod writes on the whole module."""
    import libcst as cst
    from libcst.codemod import CodemodContext

    from collect_fix.codemods.guard_module_exit import GuardModuleExitCommand

    for strategy in ("skipif", "skip", "define"):
        edit = Edit("test_x.py", "guard_module_exit", (("strategy", strategy), ("test_module", True)))
        folded = transforms.run_edit(edit, MODULE, Path("test_x.py"), None)
        whole = GuardModuleExitCommand(CodemodContext(filename="test_x.py"), strategy=strategy, test_module=True)
        assert folded == whole.transform_module(cst.parse_module(MODULE)).bytes
        assert b"import sys" in folded  # still used inside folded bodies: kept


SOURCE_MODULE = b'''"""Prices."""
from decimal import Decimal


def net(amount):
    """Without tax."""
    return amount / Decimal("1.2")


def gross(amount):
    return amount * Decimal("1.2")


class Till:
    def total(self, *amounts):
        result = Decimal(0)
        for amount in amounts:
            result += amount
        return result

    def count(self):
        return 0
'''


def test_bodies_only_keeps_every_def_line() -> None:
    folded = fold(SOURCE_MODULE, whole=False)
    assert folded is not None
    text = folded.source.decode()
    for kept in ("def net(amount):", "def gross(amount):", "class Till:", "    def total(self, *amounts):"):
        assert kept in text
    assert "Without tax" not in text and "result = Decimal(0)" not in text
    assert folded.unfold(folded.source) == SOURCE_MODULE


def test_a_body_on_the_last_line_without_a_line_end_is_not_folded() -> None:
    """LibCST may end the module's last line otherwise; its placeholder would not come back."""
    source = SOURCE_MODULE.rstrip(b"\n")
    folded = fold(source, whole=False)
    assert folded is not None and folded.unfold(folded.source) == source
    assert b"    def count(self):\n        return 0" in folded.source
    edit = Edit("prices.py", "add_alias", (("name", "Register"), ("target", "Till")))
    assert transforms.run_edit(edit, source, Path("prices.py"), None).startswith(source)


@pytest.mark.parametrize("edit", [
    Edit("prices.py", "add_alias", (("name", "net_price"), ("target", "net"))),
    Edit("prices.py", "add_alias", (("name", "Register"), ("target", "Till"), ("export", True))),
    Edit("prices.py", "add_missing_import", (("module", "fractions"), ("name", "Fraction"))),
], ids=["alias-of-a-function", "alias-of-a-class-exported", "missing-import"])
def test_top_level_codemods_give_the_same_output_folded_or_not(edit: Edit) -> None:
    """transforms folds the bodies for codemods that edit only the top level; the result is
    what the codemod writes on the whole module."""
    import libcst as cst
    from libcst.codemod import CodemodContext

    command_class = transforms.codemods()[edit.transform]
    assert command_class.TOP_LEVEL_ONLY
    folded = transforms.run_edit(edit, SOURCE_MODULE, Path("prices.py"), None)
    whole = command_class(CodemodContext(filename="prices.py"), **edit.kwargs())
    assert folded == whole.transform_module(cst.parse_module(SOURCE_MODULE)).bytes
    assert folded != SOURCE_MODULE
