"""A dry run's verified result, kept so that the ``--apply`` that follows can replay it.

``collect-fix --dry-run`` then ``--apply`` is the usual sequence, and searching for the same
repairs twice would double the cost. The dry run keeps what it verified: the bytes every file it
changed ends with, and its report. An ``--apply`` on the same tree (every Python and
configuration file byte for byte as the dry run saw it, the same interpreter, the same options,
the same git history (HEAD, and whether the clone is shallow), the same collect-fix: its version
and code)
writes those bytes, collects once to verify, and keeps them only when pytest then reports what
the dry run reported; anything else undoes them and searches as usual.

The record lives in the user's cache directory (``$XDG_CACHE_HOME/collect-fix``), never in the
project, and is read only from a directory that belongs to this user and nobody else can write
(it is a pickle). ``COLLECT_FIX_NO_REPLAY=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import pickle
import sys
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Optional

from collect_fix import user_cache
from collect_fix.project import Project
from collect_fix.types import Options, Report

_KEEP = 16  # records kept; older ones are removed
_CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", ".pytest.ini")
_FORMAT = 1  # bumped when what a record holds changes


@dataclass(frozen=True)
class Verified:
    """What a dry run verified: the final bytes of each file it changed (None: it did not exist
    before and must not after), and its report."""

    contents: dict[str, Optional[bytes]]
    originals: dict[str, Optional[bytes]]
    report: Report


def tree_key(project: Project, python: str, options: Options) -> str:
    """A digest of everything a run's result depends on that collect-fix can see statically."""
    digest = hashlib.sha256()
    from collect_fix.git_evidence import history_state  # renames are read from history

    digest.update(f"{_FORMAT}\0{sys.version}\0{python}\0{history_state(project)}\0".encode() + _own_code())
    for field in fields(options):
        if field.name not in ("apply", "root"):
            digest.update(f"{field.name}={getattr(options, field.name)!r}\0".encode())
    files = [path for path in project.python_files()] + [project.root / name for name in _CONFIG_FILES]
    for path in sorted(files):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        digest.update(os.fsencode(project.relative(path)) + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _own_code() -> bytes:
    """collect-fix's version and code: another build may plan other repairs, so a dry run made by
    one is never replayed by another."""
    import collect_fix

    codemods = importlib.import_module("collect_fix.codemods")  # a folder of its own in a checkout
    digest = hashlib.sha256(collect_fix.__version__.encode())
    folders = {Path(collect_fix.__file__).parent, *(Path(entry) for entry in codemods.__path__)}
    for folder in sorted(folders):
        for path in sorted(folder.rglob("*.py")):
            try:
                digest.update(os.fsencode(str(path)) + b"\0" + hashlib.sha256(path.read_bytes()).digest())
            except OSError:
                continue
    return digest.digest()


def save(key: str, verified: Verified, root: Path) -> None:
    """Keep ``verified`` under ``key``; silently nothing when the cache cannot be written."""
    if os.environ.get("COLLECT_FIX_NO_REPLAY"):
        return
    directory = user_cache.directory(create=True, outside=(root,))
    if directory is None:
        return
    target = directory / f"{key}.pickle"
    temp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        with open(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            pickle.dump(verified, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, target)
        _prune(directory)
    except (OSError, pickle.PicklingError):
        temp.unlink(missing_ok=True)


def load(key: str, root: Path) -> Optional[Verified]:
    """The record kept under ``key``, or None (none, unreadable, or not safely ours)."""
    if os.environ.get("COLLECT_FIX_NO_REPLAY"):
        return None
    directory = user_cache.directory(create=False, outside=(root,))
    if directory is None:
        return None
    path = directory / f"{key}.pickle"
    try:
        if not user_cache.private(path):
            return None
        with path.open("rb") as handle:
            found = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return found if isinstance(found, Verified) else None


def forget(key: str, root: Path) -> None:
    directory = user_cache.directory(create=False, outside=(root,))
    if directory is not None:
        (directory / f"{key}.pickle").unlink(missing_ok=True)


def _prune(directory: Path) -> None:
    records = sorted(directory.glob("*.pickle"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in records[_KEEP:]:
        old.unlink(missing_ok=True)
