"""pytest plugin loaded with ``-p`` into the collecting subprocess.

It runs in the *project's* interpreter, next to whatever pytest (8.x, 9.x) and plugins are there,
so it uses only the standard library and pytest's public API, and changes nothing. It appends one
JSON record per line to the file named by ``COLLECT_FIX_RECORDS`` and flushes each one, so the
records written before a hard ``os._exit`` survive it.

Why a plugin rather than reading pytest's output: a module-level ``SystemExit`` is re-raised by
``pytest_make_collect_report`` and ends the whole session; wrapping that hook turns it into a
failed report of that one file. And the exception objects carry the missing name, module, path and
frames that text would only hint at.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import sys
import threading
import traceback
import types
from typing import Dict, Generator, List, Optional, Sequence, Set, Tuple

import pytest

_RECORDS_ENV = "COLLECT_FIX_RECORDS"
_PATH_MAP_ENV = "COLLECT_FIX_PATH_MAP"
_MAX_FRAMES = 40


class _Writer:
    def __init__(self, path: str) -> None:
        self._file = open(path, "a", encoding="utf-8")

    def write(self, record: Dict[str, object]) -> None:
        self._file.write(json.dumps(record, default=repr) + "\n")
        self._file.flush()


_writer = _Writer(os.environ[_RECORDS_ENV]) if os.environ.get(_RECORDS_ENV) else None


def _emit(record: Dict[str, object]) -> None:
    if _writer is not None:
        _writer.write(record)


def _import_from_copy() -> None:
    """Collect the scratch copy in the original's environment (dry runs).

    Whatever would import the original project's sources imports the copy's instead: sys.path
    entries (a ``.pth`` path of an editable install), and import hooks (setuptools' editable
    finders), through one finder placed before all others. Without this a dry run would verify
    nothing. What only the original has, because the copy leaves it out (a ``.venv`` inside the
    project), is still imported from there: the same interpreter, the same site-packages.
    """
    spec = os.environ.get(_PATH_MAP_ENV)
    if not spec:
        return
    original, _, copy = spec.partition(os.pathsep)
    paths = _PathMap(original, copy)
    sys.path[:] = [(paths.counterpart(entry) or entry) if isinstance(entry, str) else entry for entry in sys.path]
    sys.meta_path.insert(0, _CopyFinder(paths))


class _PathMap:
    """Where a path of the original project is in the scratch copy, if the copy has it."""

    def __init__(self, original: str, copy: str) -> None:
        self._original, self._copy = original, copy
        self._copied: Dict[str, bool] = {}

    def counterpart(self, path: str) -> Optional[str]:
        """``path`` in the copy; None when it is outside the project or only the original has it."""
        if path != self._original and not path.startswith(self._original + os.sep):
            return None
        return self._moved(path) if self._is_copied(path) else None

    def _moved(self, path: str) -> str:
        return self._copy + path[len(self._original):]

    def _is_copied(self, path: str) -> bool:
        """False for what the original has and the copy lacks (left out: a virtualenv, a cache) and
        for all below it; a path neither has is judged by its parent (a repair may create it)."""
        known = self._copied.get(path)
        if known is None:
            parent = os.path.dirname(path)
            if path == self._original or os.path.lexists(self._moved(path)):
                known = True
            elif os.path.lexists(path) or parent == path:
                known = False
            else:
                known = self._is_copied(parent)
            self._copied[path] = known
        return known


class _CopyFinder:
    """First on sys.meta_path: finds a module as the finders after it do, then points a module
    they found in the original project at the copy's file.

    One rule for every way an import can reach the original: sys.path entries added after start,
    ``.pth`` paths, and import hooks that map names to directories without sys.path.
    """

    def __init__(self, paths: _PathMap) -> None:
        self._paths = paths
        self._local = threading.local()

    def find_spec(
        self, fullname: str, path: Optional[Sequence[str]] = None, target: Optional[types.ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        asking: Set[str] = self._local.__dict__.setdefault("names", set())
        if fullname in asking:  # a finder below asks importlib again: let the others answer it
            return None
        asking.add(fullname)
        try:
            found = self._find_below(fullname, path, target)
        finally:
            asking.discard(fullname)
        return self._in_copy(found) if found is not None else None

    def _find_below(
        self, fullname: str, path: Optional[Sequence[str]], target: Optional[types.ModuleType]
    ) -> Optional[importlib.machinery.ModuleSpec]:
        for finder in list(sys.meta_path):
            if finder is self:
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                return None  # a legacy finder: importlib asks them all in their order, as without us
            found: Optional[importlib.machinery.ModuleSpec] = find_spec(fullname, path, target)
            if found is not None:
                return found
        return None

    def _in_copy(self, spec: importlib.machinery.ModuleSpec) -> importlib.machinery.ModuleSpec:
        locations = spec.submodule_search_locations
        moved = None if locations is None else [self._paths.counterpart(entry) or entry for entry in locations]
        origin = self._paths.counterpart(spec.origin) if spec.has_location and spec.origin else None
        if origin is not None and os.path.isfile(origin):
            # The standard loader for the file's suffix: the original's loader is tied to its path.
            in_copy = importlib.util.spec_from_file_location(spec.name, origin, submodule_search_locations=moved)
            return in_copy if in_copy is not None else spec
        if not spec.has_location and moved is not None and locations is not None and moved != list(locations):
            spec.submodule_search_locations = moved  # a namespace package: its portions in the copy
        return spec


_import_from_copy()


def _frames(exc: BaseException, rootdir: str) -> List[Dict[str, object]]:
    frames: List[Dict[str, object]] = []
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.startswith("<"):
            continue  # <frozen importlib._bootstrap> and the like
        filename = os.path.abspath(frame.f_code.co_filename)
        frames.append(
            {
                "path": filename,
                "line": lineno,
                "function": frame.f_code.co_name,
                "in_project": bool(rootdir) and filename.startswith(rootdir + os.sep)
                and "site-packages" not in filename,
            }
        )
    if isinstance(exc, SyntaxError) and exc.filename:
        filename = os.path.abspath(exc.filename)
        frames.append(
            {
                "path": filename,
                "line": exc.lineno or 0,
                "function": "<module>",
                "in_project": bool(rootdir) and filename.startswith(rootdir + os.sep),
            }
        )
    return frames[-_MAX_FRAMES:]


def _attrs(exc: BaseException) -> Dict[str, object]:
    """The structured attributes of the exceptions collect-fix diagnoses."""
    attrs: Dict[str, object] = {}
    for name in ("name", "name_from", "path", "msg", "filename", "lineno", "offset", "text", "code"):
        value = getattr(exc, name, None)
        if value is not None and isinstance(value, (str, int, float, bool)):
            attrs[name] = value
    if isinstance(exc, SystemExit):
        attrs["code"] = repr(exc.code)
    obj = getattr(exc, "obj", None) if isinstance(exc, AttributeError) else None
    if isinstance(obj, types.ModuleType):
        attrs["obj_module"] = obj.__name__
        attrs["obj_file"] = getattr(obj, "__file__", None)
    if type(exc).__name__ == "ImportPathMismatchError":
        attrs["mismatch"] = [str(arg) for arg in exc.args]
    chain: List[str] = []
    seen: Optional[BaseException] = exc
    while seen is not None and len(chain) < 10:
        chain.append("%s: %s" % (type(seen).__name__, seen))
        seen = seen.__cause__ or seen.__context__
    attrs["chain"] = chain
    return attrs


def _unwrap(exc: BaseException) -> Tuple[BaseException, Optional[str], Optional[str]]:
    """Return (innermost cause, wrapper name, conftest path) for pytest's wrapping exceptions."""
    wrapper: Optional[str] = None
    conftest: Optional[str] = None
    for _ in range(5):
        name = type(exc).__name__
        if name == "ConftestImportFailure":
            wrapper = name
            conftest = str(getattr(exc, "path", "") or "") or None
            inner = getattr(exc, "cause", None)
            excinfo = getattr(exc, "excinfo", None)
            if inner is None and excinfo:
                inner = excinfo[1]
            inner = inner if inner is not None else exc.__cause__
            if inner is None:
                break
            exc = inner
            continue
        if name == "CollectError" and exc.__cause__ is not None:
            wrapper = wrapper or name
            exc = exc.__cause__
            continue
        break
    return exc, wrapper, conftest


def _error_record(
    exc: BaseException, nodeid: str, path: Optional[str], phase: str, rootdir: str, longrepr: str = ""
) -> Dict[str, object]:
    inner, wrapper, conftest = _unwrap(exc)
    return {
        "type": "error",
        "phase": phase,
        "nodeid": nodeid,
        "path": conftest or path,
        "exc_type": type(inner).__name__,
        "message": str(inner) if not isinstance(inner, SystemExit) else "SystemExit(%r)" % (inner.code,),
        "attrs": _attrs(inner),
        "frames": _frames(inner, rootdir),
        "wrapper": wrapper,
        "longrepr": longrepr[-4000:],
    }


def _rootdir(config: pytest.Config) -> str:
    return os.path.abspath(str(config.rootpath))


def _node_path(collector: object) -> Optional[str]:
    path = getattr(collector, "path", None)
    return os.path.abspath(str(path)) if path is not None else None


def pytest_configure(config: pytest.Config) -> None:
    _emit(
        {
            "type": "start",
            "pytest": pytest.__version__,
            "python": sys.version.split()[0],
            "rootdir": _rootdir(config),
        }
    )


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: List[str]
) -> Generator[None, object, object]:
    try:
        return (yield)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # also SystemExit and pytest's outcomes (a skip in a conftest)
        origin = _exit_origin(exc) if isinstance(exc, SystemExit) else None
        _emit(_error_record(exc, "", origin, "initial_conftest", _rootdir_guess(early_config)))
        raise


def _rootdir_guess(config: pytest.Config) -> str:
    try:
        return _rootdir(config)
    except Exception:
        return os.getcwd()


def _exit_origin(exc: BaseException) -> Optional[str]:
    """The last frame of a SystemExit's traceback that is a conftest or test file."""
    origin: Optional[str] = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if frame.f_code.co_name == "<module>" and os.path.isfile(filename):
            origin = os.path.abspath(filename)
    return origin


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    path = _node_path(collector)
    _emit({"type": "begin", "nodeid": collector.nodeid, "path": path})
    try:
        report = yield
    except SystemExit as exc:
        # pytest re-raises SystemExit here and the session dies with INTERNALERROR; turn it into
        # a failed report of this one collector so every other file is still collected.
        excinfo = pytest.ExceptionInfo.from_exception(exc)
        try:
            longrepr = collector.repr_failure(excinfo)
        except Exception:
            longrepr = "SystemExit(%r) raised while collecting %s" % (exc.code, collector.nodeid)
        report = pytest.CollectReport(collector.nodeid, "failed", longrepr, None)
        _emit(_error_record(exc, collector.nodeid, path, "collect", _rootdir(collector.config), str(longrepr)))
    else:
        call = getattr(report, "call", None)
        failure = getattr(call, "excinfo", None)
        if report.failed and failure is not None:
            _emit(
                _error_record(
                    failure.value, collector.nodeid, path, "collect", _rootdir(collector.config),
                    str(report.longrepr),
                )
            )
        elif report.failed:
            _emit(
                {
                    "type": "error", "phase": "collect", "nodeid": collector.nodeid, "path": path,
                    "exc_type": "", "message": str(report.longrepr)[-2000:], "attrs": {},
                    "frames": [], "wrapper": None, "longrepr": str(report.longrepr)[-4000:],
                }
            )
        elif report.skipped:
            skip = report.longrepr
            reason = skip[2] if isinstance(skip, tuple) and len(skip) == 3 else str(skip)
            _emit({"type": "skipped", "nodeid": collector.nodeid, "path": path, "reason": str(reason)})
    _emit({"type": "end", "nodeid": collector.nodeid})
    return report


def pytest_collection_finish(session: pytest.Session) -> None:
    per_file: Dict[str, int] = {}
    for item in session.items:
        file_part = item.nodeid.split("::", 1)[0]
        per_file[file_part] = per_file.get(file_part, 0) + 1
    _emit({"type": "finish", "tests": len(session.items), "per_file": per_file})
