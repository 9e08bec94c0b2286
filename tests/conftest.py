"""Shared test helpers: fixture projects copied to tmp_path, the real CLI, real pytest."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

import pytest

# The fixture projects are broken on purpose; this suite never collects them itself.
collect_ignore = ["fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_project(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/fixtures/<name>`` to tmp_path and return the copy's root."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        return target

    return copy


def collect_only(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Plain ``pytest --collect-only -q`` in ``root``, as a user would run it."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=root, capture_output=True, text=True, env=env, timeout=300,
    )


def collected_ids(root: Path, *args: str) -> list[str]:
    """The test ids real pytest collects in ``root`` (lines of ``--collect-only -q``)."""
    result = collect_only(root, *args)
    return [line for line in result.stdout.splitlines() if "::" in line and not line.startswith(" ")]


def failing_files(root: Path) -> list[str]:
    """The files (or directories, for a conftest) real pytest reports as collection errors."""
    return sorted(line.split()[1] for line in collect_only(root).stdout.splitlines() if line.startswith("ERROR "))


def run_tests(root: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    """Real pytest running the tests (not only collecting them)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths],
        cwd=root, capture_output=True, text=True, timeout=300, env=env,
    )


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under root with its bytes and mtime, to prove nothing was written."""
    state = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            state[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mtime_ns)
    return state


def run_collect_fix(
    root: Path, *args: str, timeout: float = 600, env: Optional[dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a subprocess: ``python -m collect_fix ARGS ROOT`` (``env``: added variables)."""
    return subprocess.run(
        [sys.executable, "-m", "collect_fix", *args, str(root)],
        capture_output=True, text=True, timeout=timeout, env=dict(os.environ, NO_COLOR="1", **(env or {})),
    )


@pytest.fixture(autouse=True, scope="session")
def _own_cache_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The dry run's replay records go to a cache directory of this test session, not the user's."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
