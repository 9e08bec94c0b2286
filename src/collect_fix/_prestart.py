"""A collecting pytest started ahead of need, copied into a run's scratch folder as
``_collect_fix_prestart`` and run with ``python -m _collect_fix_prestart`` in the *project's*
interpreter (Python 3.8 and later, standard library only).

Starting an interpreter and importing pytest is most of what a small re-collection costs (about
0.15 s of 0.25 s). This process does it while collect-fix is still planning the round, then waits
for one line on stdin: the collection's pytest arguments and the environment entries that changed
since it started (``prestart.PER_COLLECTION``). From there it is ``python -m pytest ARGS`` as a new
process would run it: the same ``sys.path`` (the working folder first, as ``-m`` puts it), the
same ``sys.argv``, stdin from the null device, and the import system's caches of the tree dropped,
so files a repair wrote since are seen.

Importing pytest reads nothing of the project, unless a module it loaded comes from the project
itself (pytest under development, a ``sitecustomize`` in the tree): then this process runs the
plain command instead (``os.execv``), so nothing of the tree is read before the round's edits are.
"""

import json
import os
import sys

_MAX_REQUEST = 16 * 1024 * 1024


def main() -> None:
    import pytest  # noqa: F401  (what `python -m pytest` imports first: the slow part)

    request = _read_request()
    if request is None:  # collect-fix ended or no longer needs it
        sys.exit(0)
    arguments, changed = request
    for key, value in changed.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    _stdin_from_null_device()
    if _loaded_from_the_tree():
        os.execv(sys.executable, [sys.executable, "-m", "pytest", *arguments])
    import importlib
    import runpy

    importlib.invalidate_caches()
    sys.argv = [sys.argv[0], *arguments]
    runpy.run_module("pytest", run_name="__main__", alter_sys=True)


def _read_request() -> "tuple[list[str], dict[str, str | None]] | None":
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(0, 65536)
        if not chunk or len(data) > _MAX_REQUEST:
            return None
        data += chunk
    request = json.loads(data.decode("utf-8"))
    return [str(each) for each in request["args"]], dict(request["env"])


def _stdin_from_null_device() -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)


def _loaded_from_the_tree() -> bool:
    """Whether a module loaded so far lies in the project (the working folder), outside the
    interpreter's own folders (a ``.venv`` inside the project is the interpreter's)."""
    tree = os.path.realpath(os.getcwd())
    own = {os.path.realpath(folder) for folder in (sys.prefix, sys.exec_prefix, sys.base_prefix)}
    own.add(os.path.realpath(os.path.dirname(os.path.abspath(__file__))))  # a scratch folder in the tree
    for module in list(sys.modules.values()):
        location = getattr(module, "__file__", None)
        if not isinstance(location, str):
            continue
        path = os.path.realpath(location)
        if _inside(path, tree) and not any(_inside(path, folder) for folder in own):
            return True
    return False


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


if __name__ == "__main__":
    main()
