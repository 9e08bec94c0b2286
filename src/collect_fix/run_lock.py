"""One collect-fix run at a time per project: an advisory lock on the project directory itself.

``--apply`` holds it alone; dry runs share it (they write nothing, but a copy taken while an
``--apply`` writes would show a half-repaired tree). The lock is taken on the project's root
directory, opened read-only: nothing is written for it, every run on the project sees it whatever
its temporary directory or user, and the OS releases it when the process ends, however it ends, so
a killed run never leaves the project locked.
"""

from __future__ import annotations

import os
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
    handle = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RunInProgress(f"another collect-fix run is working on {root}; wait for it to finish") from exc
        yield
    finally:
        os.close(handle)  # closing releases the lock
