"""Read the project while the first collection runs, so the first round's questions find answers.

pytest collects in a child process, on another core, and this process would only wait for it.
Everything read here is what planning the first round reads anyway (every file's tree, the
definitions index, the import scan, the import graph), kept in the same caches, which are keyed
on each file's content or stamp: nothing is read twice, and a file that changes meanwhile is
read again when asked.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

from collect_fix import definitions, module_imports
from collect_fix.import_graph import ImportGraph
from collect_fix.project import Project


def read_ahead(project: Project, graph: ImportGraph) -> None:
    """Fill the caches for ``project``. Never raises for the project's files: the planners ask
    the same questions later, and say there what went wrong.

    The garbage collector is paused meanwhile: the trees read here are millions of objects that
    live as long as the run and hold no cycles, and each full pass scanned all of them again
    (0.2 s of the 0.45 s it takes to parse a 3,000-test suite)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        definitions.index(project)
        module_imports.scan(project)
        graph.read(project)
    except Exception:  # noqa: BLE001 - asked again when planning, and reported there
        pass
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Keep what is in memory now (the trees and indexes read ahead, LibCST's modules) out of the
    garbage collector's full passes until the block ends.

    They live as long as the run, and each full pass scanned them all again: about half a second
    of a 3,000-test run, after the first collection, where it is waited for. Reference counting
    still frees any of them that is dropped. A process that froze objects itself is left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
