"""End to end: refactors read from git history are repaired so the tests that passed pass again.

The fixture's history is built here (a fixture cannot hold a .git): tests/fixtures/
refactor_history/README.md says what each version changes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, collect_only, run_in_process, run_tests, snapshot

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

FIXTURE = FIXTURES / "refactor_history"
ALL_TESTS = 7


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=root, check=True, capture_output=True)


def lay_over(version: str, root: Path) -> None:
    shutil.copytree(FIXTURE / version, root, dirs_exist_ok=True)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository with its history and uncommitted work, built once; each test gets a copy."""
    root = tmp_path_factory.mktemp("history") / "shop"
    lay_over("v1", root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Shop 1.x")
    assert "7 passed" in run_tests(root).stdout  # every test passed before the refactor
    for version, message in (("v2", "Cart and tally; load_config is private now"), ("v3", "Drop 1.x compatibility")):
        lay_over(version, root)
        git(root, "commit", "-q", "-am", message)
    lay_over("worktree", root)  # render_price -> price_label, uncommitted
    return root


@pytest.fixture
def project(history: Path, tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(history, root, symlinks=True)
    return root


def test_apply_brings_back_every_test_that_passed_before_the_refactor(project: Path) -> None:
    before = collect_only(project)
    assert before.returncode == 4 and "name 'Callable' is not defined" in before.stderr  # the conftest fails

    result = run_in_process(project, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    ran = run_tests(project)
    assert ran.returncode == 0 and f"{ALL_TESTS} passed" in ran.stdout, ran.stdout
    source = {name: (project / "shop" / name).read_text() for name in ("inventory.py", "config.py", "models.py",
                                                                        "hooks.py", "pricing.py")}
    # Two renames of one commit, each to its own successor, in one repair: count_items comes after
    # Basket in the import that failed, so it would have failed next.
    assert "Basket = Cart  # collect-fix: alias -> Cart (renamed)\n" in source["inventory.py"]
    assert "count_items = tally  # collect-fix: alias -> tally (renamed)\n" in source["inventory.py"]
    assert ("-> alias 'Basket' to 'Cart' in shop.inventory; for the names imported after it in "
            "tests/test_inventory.py: alias 'count_items' to 'tally' in shop.inventory") in result.stdout
    # A function renamed to its private spelling; the tests read attributes of what it returns.
    assert "load_config = _load_config  # collect-fix: alias -> _load_config (renamed)\n" in source["config.py"]
    assert "class load_config" not in source["config.py"]
    # The deleted compatibility alias, back as it was.
    assert source["models.py"].endswith(
        "        return sum(price * quantity for price, quantity in self.lines)\n\n\n"
        "PurchaseOrder = Order  # collect-fix: alias -> Order (restored)\n"
    )
    # The uncommitted rename.
    assert "render_price = price_label  # collect-fix: alias -> price_label (renamed)\n" in source["pricing.py"]
    # The dropped typing import: the file imports from typing and from collections.abc, where
    # Callable means the same in an annotation; the last commit removed it from typing's line.
    assert "from collections.abc import Iterator\nfrom typing import Callable, Optional\n" in source["hooks.py"]
    assert "stub" not in "".join(source.values())
    for evidence in ("renamed (git): commit", "restored: commit", "the uncommitted changes in the work tree",
                     "removed `from typing import Callable` from this file"):
        assert evidence in result.stdout, result.stdout

    after = snapshot(project)
    again = run_in_process(project, "--apply")
    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(project) == after


def test_dry_run_reads_the_same_history_and_writes_nothing(project: Path) -> None:
    untouched = snapshot(project)

    result = run_in_process(project, "--dry-run")

    assert result.returncode == 1, result.stdout + result.stderr
    assert snapshot(project) == untouched
    for line in ("+Basket = Cart  # collect-fix: alias -> Cart (renamed)",
                 "+count_items = tally  # collect-fix: alias -> tally (renamed)",
                 "+load_config = _load_config  # collect-fix: alias -> _load_config (renamed)",
                 "+PurchaseOrder = Order  # collect-fix: alias -> Order (restored)",
                 "+render_price = price_label  # collect-fix: alias -> price_label (renamed)",
                 "+from typing import Callable, Optional"):
        assert line in result.stdout, result.stdout
