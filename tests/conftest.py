"""Shared test helpers: fixture projects copied to tmp_path, the real CLI, real pytest."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

from collect_fix import second_core
from collect_fix.cli import main

# The fixture projects are broken on purpose; this suite never collects them itself.
collect_ignore = ["fixtures"]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_project(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/fixtures/<name>`` to tmp_path and return the copy's root."""
    return lambda name: copy_fixture(name, tmp_path)


# normalize_policy_key moved from shop.policy to shop.notice, which imports shop.policy when it
# loads: a re-export in shop.policy depends on which of the two is imported first (the conftest
# imports shop.notice first).
MOVED_INTO_A_MODULE_THAT_IMPORTS_BACK = {
    "pytest.ini": "[pytest]\npythonpath = .\n",
    "shop/__init__.py": "",
    "shop/policy.py": "class Policy:\n    pass\n",
    "shop/notice.py": "from shop.policy import Policy\n\n\ndef normalize_policy_key(key):\n    return key.lower()\n",
    "tests/test_policy.py": (
        "from shop.policy import normalize_policy_key\n\n\n"
        "def test_key():\n    assert normalize_policy_key('A') == 'a'\n"
    ),
    "tests/role/conftest.py": "from shop.notice import Policy\n",
    "tests/role/test_role.py": "def test_role():\n    pass\n",
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a small project: each relative path with its text (dedented), parents made."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def copy_fixture(name: str, parent: Path) -> Path:
    """Copy ``tests/fixtures/<name>`` to ``parent/<name>`` (module fixtures: a shared copy)."""
    target = parent / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return target


# (root, args, environment, every file's stat) -> the result: one real collection per state of a tree.
_COLLECTED: dict[tuple[object, ...], subprocess.CompletedProcess[str]] = {}


def collect_only(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Plain ``pytest --collect-only -q`` in ``root``, as a user would run it.

    Asked again about the same tree (no file added, removed, written or chmodded since, the same
    arguments and environment), it answers with the collection it already ran: pytest would collect
    the same, and several assertions of one test often read one state."""
    key = (str(root), args, tuple(sorted(os.environ.items())), _tree_state(root))
    if key not in _COLLECTED:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        _COLLECTED[key] = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
            cwd=root, capture_output=True, text=True, env=env, timeout=300,
        )
    return _COLLECTED[key]


def _tree_state(root: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    """Every path under root with what a write, a rename over it or a chmod changes."""
    state = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            info = os.lstat(os.path.join(directory, name))
            state.append((os.path.join(directory, name), info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode))
    return tuple(state)


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


def run_in_process(root: Path, *args: str, env: Optional[dict[str, str]] = None) -> subprocess.CompletedProcess[str]:
    """The same command through ``collect_fix.cli.main(argv)`` in this process, with what it prints
    on stdout and stderr read as ``run_collect_fix`` reads them (``env``: added variables).

    Every collection still runs real pytest in a subprocess; what this saves is the interpreter's
    start and the import of collect-fix and LibCST, most of a small run's time. Keep
    ``run_collect_fix`` where the process itself is the point: the entry point's exit status,
    signals, what a run leaves behind."""
    out, err = io.BytesIO(), io.BytesIO()
    stdout, stderr = (io.TextIOWrapper(buffer, encoding="utf-8", newline="\n", write_through=True) for buffer in (out, err))
    with _environment(dict(NO_COLOR="1", **(env or {}))), contextlib.redirect_stdout(stdout), \
            contextlib.redirect_stderr(stderr):
        code = main([*args, str(root)])
    stdout.flush()
    stderr.flush()
    return subprocess.CompletedProcess(["collect-fix", *args, str(root)], code, _text(out), _text(err))


def _text(buffer: io.BytesIO) -> str:
    """Bytes as ``subprocess.run(text=True)`` decodes them (universal newlines)."""
    return io.TextIOWrapper(io.BytesIO(buffer.getvalue()), encoding="utf-8", newline=None).read()


@contextlib.contextmanager
def _environment(added: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in added}
    os.environ.update(added)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture(autouse=True, scope="session")
def _own_cache_directory(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The dry run's replay records go to a cache directory of this test session, not the user's.

    Under pytest-xdist each worker is a session of its own, with its own basetemp: one cache per
    worker, never shared."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


# pytest-xdist's workers run a thread of their own (execnet's), which collect-fix's process does
# not: second_core would never fork here, and its shared path would go untested. The tests count
# threads as collect-fix's process has them; test_second_core checks the real count.
THREADS = second_core._threads


def can_fork() -> bool:
    """``second_core.available()`` as collect-fix's own process, which runs no other thread, sees it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(second_core, "_threads", lambda: 1)
        return second_core.available()


@pytest.fixture(autouse=True)
def _threads_as_in_collect_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(second_core, "_threads", lambda: 1)
