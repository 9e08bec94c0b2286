"""One collect-fix run at a time per project: an advisory lock kept outside the project.

``--apply`` holds it alone; dry runs share it (they write nothing, but a copy taken while an
``--apply`` writes would show a half-repaired tree). The lock file lives in the temporary
directory, named after a hash of the project's real path, so nothing is written into the
project for it, and the OS releases the lock when the process ends, however it ends: a killed
run never leaves the project locked.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class RunInProgress(Exception):
    """Another collect-fix run holds the project."""


@contextmanager
def project_lock(root: Path, exclusive: bool) -> Iterator[None]:
    """Hold the project's lock for the block; RunInProgress at once when another run has it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks in the standard library; runs are not guarded
        yield
        return
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    path = Path(tempfile.gettempdir()) / f"collect-fix-{digest}.lock"
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:  # created by another user: reading is enough to lock it
        handle = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RunInProgress(
                f"another collect-fix run is working on {root} (lock {path}); wait for it to finish"
            ) from exc
        yield
    finally:
        os.close(handle)  # closing releases the lock
