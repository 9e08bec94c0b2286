"""A collecting pytest started ahead of need, copied into a run's scratch folder as
``_collect_fix_prestart`` and run as ``python -m _collect_fix_prestart READY GO PID`` in the *project's*
interpreter (Python 3.8 and later, standard library only; POSIX).

Starting an interpreter and importing pytest is most of what a small re-collection costs (about
0.15 s of 0.25 s). This process does it while collect-fix is still planning the round. Then it
says on the descriptor READY whether it can run the collection, and waits on GO: collect-fix
closes GO once it has written the collection's pytest arguments and the environment entries that
changed since the start (``prestart.PER_COLLECTION``) to ``request.json`` beside this file. From
there it is ``python -m pytest ARGS`` as a new process would run it: the same ``sys.path`` (the
working folder first, as ``-m`` puts it), ``sys.argv``, environment and descriptors (stdin is the
null device from the start; READY and GO are closed), and the import system's caches of the tree
dropped, so files a repair wrote since are seen.

Importing pytest reads nothing of the project, unless a module loaded by then comes from the
project itself (pytest under development in the tree, a ``sitecustomize`` in it): then it says
no, and collect-fix starts a new pytest, so nothing of the tree is read before the round's edits.
A process that gets no request waits to be ended rather than exit on its own (``_until_ended``).
"""

import json
import os
import sys
from typing import NoReturn


def main() -> None:
    ready, go, collect_fix = (int(each) for each in sys.argv[1:4])
    import pytest  # noqa: F401  (what `python -m pytest` imports first: the slow part)

    usable = not _loaded_from_the_tree()
    try:
        os.write(ready, b"1" if usable else b"0")
    except OSError:  # collect-fix stopped listening: it ends this process, or has ended itself
        usable = False
    os.close(ready)
    while os.read(go, 1):  # until collect-fix closes it
        pass
    os.close(go)
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "request.json"), encoding="utf-8") as handle:
            request = json.load(handle) if usable else None
    except (OSError, ValueError):
        request = None
    if request is None:
        _until_ended(collect_fix)
    for key, value in request["env"].items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    import importlib
    import runpy

    importlib.invalidate_caches()
    sys.argv = [sys.argv[0], *request["args"]]
    runpy.run_module("pytest", run_name="__main__", alter_sys=True)


def _until_ended(collect_fix: int) -> "NoReturn":
    """Wait for collect-fix (process ``collect_fix``) to end this process (it does, once it no
    longer needs it, or it has taken it for a collection whose time is up); exit if collect-fix
    itself has gone. Exiting
    at once could pass for a collection that ended without a word."""
    import time

    while _alive(collect_fix):
        time.sleep(0.1)
    sys.exit(0)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (not whether it is this one's parent: a ``--python``
    wrapper that does not ``exec`` stands between them)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's: it exists
        return True
    return True


def _loaded_from_the_tree() -> bool:
    """Whether a module loaded so far lies in the project (the working folder), outside the
    interpreter's own library folders (a ``.venv`` in the project is the interpreter's; a project
    in the interpreter's prefix, as ``/usr/src/app`` is in ``/usr``, is still the project)."""
    tree = os.path.realpath(os.getcwd())
    own = [os.path.dirname(os.__file__), os.path.dirname(os.path.abspath(__file__))]  # the standard library; scratch
    site = sys.modules.get("site")  # not imported here: under -S a new pytest would not have it either
    if site is not None and hasattr(site, "getsitepackages"):
        own.extend(site.getsitepackages())
    user_site = getattr(site, "USER_SITE", None)
    if isinstance(user_site, str):
        own.append(user_site)
    own = [os.path.realpath(folder) for folder in own]
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
