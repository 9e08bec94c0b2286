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

import ast
import importlib
import importlib.machinery
import importlib.util
from json import dumps as _dumps  # bound now: a test module may replace json.dumps
import os
import sys
import threading
import traceback
import types
from typing import Dict, Generator, List, Optional, Sequence, Set, Tuple

import pytest

_RECORDS_ENV = "COLLECT_FIX_RECORDS"
# Test files whose module-level import failures collect-fix asks about (os.pathsep-separated):
# files that exited or skipped because of one, so a repair of that import can be verified.
_WATCH_ENV = "COLLECT_FIX_WATCH"
_PATH_MAP_ENV = "COLLECT_FIX_PATH_MAP"
# A file naming the test files other shards of this collection collect, one absolute path a line
# (collect-fix's sharding): this run leaves them out, and collects everything else as usual.
_LEAVE_OUT_ENV = "COLLECT_FIX_LEAVE_OUT"
_MAX_FRAMES = 40
_MAX_MODULE_NAMES = 5000  # a module's names recorded with an ImportError from it


class _Writer:
    def __init__(self, path: str) -> None:
        self._file = open(path, "a", encoding="utf-8")

    def write(self, record: Dict[str, object]) -> None:
        self._file.write(_dumps(record, default=repr) + "\n")
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
    if isinstance(exc, ModuleNotFoundError) and isinstance(exc.name, str):
        attrs["parent_portions"] = _parent_portions(exc.name)
    elif isinstance(exc, ImportError) and isinstance(exc.name, str):
        # ``from m import a, b``: what m holds now, conftests' and plugins' additions included,
        # says which of the names after ``a`` are missing too.
        # Not for a module that may answer for names it does not hold yet: a module __getattr__
        # (PEP 562), a module of another class (lazy loaders swap __class__).
        module = sys.modules.get(exc.name)
        try:
            names = [key for key in list(vars(module)) if isinstance(key, str)]
        except Exception:  # not a module with a __dict__: nothing known
            names = []
        if type(module) is types.ModuleType and "__getattr__" not in names and 0 < len(names) <= _MAX_MODULE_NAMES:
            attrs["module_names"] = sorted(names)
    chain: List[str] = []
    seen: Optional[BaseException] = exc
    while seen is not None and len(chain) < 10:
        chain.append("%s: %s" % (type(seen).__name__, seen))
        seen = seen.__cause__ or seen.__context__
    attrs["chain"] = chain
    return attrs


def _parent_portions(module: str) -> List[str]:
    """The directories of the closest loaded package above a missing module: a namespace package
    spread over the project and site-packages (``azure`` in both) says the missing part is
    somebody else's, not a module of the project that was deleted."""
    parts = module.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        parent = sys.modules.get(".".join(parts[:depth]))
        if parent is not None:
            return [os.path.abspath(str(entry)) for entry in getattr(parent, "__path__", [])]
    return []


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
        if name == "UsageError" and exc.__suppress_context__ and _in_project(exc.__context__):
            # ``raise UsageError(...) from None`` around the project's own failure: a warning filter
            # naming a class of the project (``ignore::pkg.Warning``) imports it while pytest reads
            # its configuration. The failure itself says what to repair.
            wrapper = wrapper or name
            exc = exc.__context__  # type: ignore[assignment]
            continue
        break
    return exc, wrapper, conftest


def _in_project(exc: Optional[BaseException]) -> bool:
    """Whether ``exc`` was raised by the project's code: the innermost frame of its traceback is
    in a file under the current directory (where pytest runs), outside any installed package. A
    plugin pytest cannot find fails in the import system, and stays pytest's usage error."""
    tb = exc.__traceback__ if exc is not None else None
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>: no file of the project
        return False
    filename = os.path.abspath(filename)
    return filename.startswith(os.path.abspath(os.curdir) + os.sep) and "site-packages" not in filename


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
        "message": "SystemExit(%r)" % (inner.code,) if isinstance(inner, SystemExit) else str(inner) or repr(inner),
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


def _left_out() -> Set[str]:
    listing = os.environ.get(_LEAVE_OUT_ENV)
    if not listing:
        return set()
    with open(listing, encoding="utf-8") as stream:
        return {line.rstrip("\n") for line in stream if line.strip()}


_LEFT_OUT = _left_out()


@pytest.hookimpl(tryfirst=True)
def pytest_ignore_collect(collection_path: object, config: pytest.Config) -> Optional[bool]:
    """True for another shard's test file; no opinion otherwise (pytest and the project decide).
    Directories are never left out: every shard walks the whole tree and loads every conftest."""
    if _LEFT_OUT and os.path.abspath(str(collection_path)) in _LEFT_OUT:
        return True
    return None


@pytest.hookimpl(trylast=True)  # after the conftests' own pytest_configure, which may change options
def pytest_configure(config: pytest.Config) -> None:
    _emit(
        {
            "type": "start",
            "pytest": pytest.__version__,
            "python": sys.version.split()[0],
            "rootdir": _rootdir(config),
            # The configuration file pytest read (None: it read none), which repairs must edit.
            "inifile": os.path.abspath(str(config.inipath)) if config.inipath else None,
            # The files pytest imports by their path, however the run was configured.
            "python_files": [str(pattern) for pattern in config.getini("python_files")],
            "doctest_modules": bool(config.getoption("doctestmodules", False)),
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
    rootdir = _rootdir(collector.config)
    _emit({"type": "begin", "nodeid": collector.nodeid, "path": path})
    ended: Optional[BaseException] = None  # what ended the module's import, when something did
    try:
        report = yield
    except (SystemExit, KeyboardInterrupt) as exc:
        # pytest re-raises these here and the session dies (INTERNALERROR, "Interrupted"); turn
        # it into a failed report of this one collector so every other file is still collected.
        # The collecting process runs in a session of its own, so a KeyboardInterrupt here was
        # raised by the project's code, not by a Ctrl-C at the terminal.
        ended = exc
        excinfo = pytest.ExceptionInfo.from_exception(exc)
        try:
            longrepr = collector.repr_failure(excinfo)
        except Exception:
            longrepr = "%s raised while collecting %s" % (type(exc).__name__, collector.nodeid)
        report = pytest.CollectReport(collector.nodeid, "failed", longrepr, None)
        _emit(_error_record(exc, collector.nodeid, path, "collect", rootdir, str(longrepr)))
    else:
        call = getattr(report, "call", None)
        failure = getattr(call, "excinfo", None)
        if failure is not None:
            ended = failure.value
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
            origin, line = _raised_at(failure.value) if failure is not None else (None, None)
            _emit(
                {
                    "type": "skipped", "nodeid": collector.nodeid, "path": path, "reason": str(reason),
                    "origin": origin, "origin_line": line,
                }
            )
    if path is not None and isinstance(collector, pytest.Module):
        for record in _masked_failures(ended, collector.nodeid, path, rootdir):
            _emit(record)
    _emit({"type": "end", "nodeid": collector.nodeid})
    return report


# --- what a module-level exit or skip was hiding --------------------------------------------

_WATCHED: Set[str] = {
    os.path.abspath(entry) for entry in os.environ.get(_WATCH_ENV, "").split(os.pathsep) if entry
}
_PYTEST_DIRS = tuple(
    os.path.dirname(os.path.abspath(filename)) + os.sep
    for filename in (getattr(sys.modules.get(name), "__file__", None) for name in ("pytest", "_pytest", "pluggy"))
    if filename
)


def _raised_at(exc: BaseException) -> Tuple[Optional[str], Optional[int]]:
    """The file and line that raised ``exc``: its innermost frame outside pytest and pluggy
    (``pytest.skip`` itself raises inside pytest; the caller is the module that skipped)."""
    found: Tuple[Optional[str], Optional[int]] = (None, None)
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith("<") or os.path.abspath(filename).startswith(_PYTEST_DIRS):
            continue
        found = (os.path.abspath(filename), lineno)
    return found


def _masked_failures(
    ended: Optional[BaseException], nodeid: str, path: str, rootdir: str
) -> List[Dict[str, object]]:
    """Import failures a test module caught at module level before it exited or skipped.

    ``except ImportError: sys.exit(1)`` hides the real problem (often a name a refactor renamed)
    behind the exit; the caught exception is the SystemExit's (or Skipped's) ``__context__``. When
    the module only set a flag and exited later, or collect-fix watches the file to verify a
    repair, the module's guarded imports are run again to find the failure. A skip the project
    wrote itself is its own business: only files collect-fix watches (those that exited before
    its repair) are asked about after a skip.
    """
    if not isinstance(ended, SystemExit) and path not in _WATCHED:
        return []
    stopped = isinstance(ended, (SystemExit, pytest.skip.Exception))
    caught = _handled_exception(ended) if ended is not None else None
    if caught is not None:
        failures = [(caught, _frames(caught, rootdir))]
    else:
        failures = _guarded_import_failures(path, rootdir)
    stopped_in, stopped_at = _raised_at(ended) if stopped and ended is not None else (None, None)
    return [
        {
            "type": "masked", "phase": "masked", "nodeid": nodeid, "path": path,
            "exc_type": type(exc).__name__, "message": str(exc), "attrs": _attrs(exc), "frames": frames,
            "wrapper": None, "longrepr": "",
            "stopped_by": "SystemExit" if isinstance(ended, SystemExit) else "Skipped" if stopped else None,
            "stopped_in": stopped_in, "stopped_at": stopped_at,
        }
        for exc, frames in failures
    ]


def _handled_exception(exc: BaseException) -> Optional[BaseException]:
    """The ordinary exception ``exc`` was raised while handling, if any."""
    seen = exc.__cause__ or exc.__context__
    for _ in range(5):
        if seen is None:
            return None
        if isinstance(seen, Exception) and not isinstance(seen, pytest.skip.Exception):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _guarded_import_failures(path: str, rootdir: str) -> List[Tuple[BaseException, List[Dict[str, object]]]]:
    """Run the imports in the module's top-level ``try: ... except ImportError`` blocks again.

    The modules they name were imported (or failed) a moment ago while pytest imported the test
    module, so this costs a dictionary lookup each, and a failure is the one the module caught.
    """
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return []
    failures: List[Tuple[BaseException, List[Dict[str, object]]]] = []
    for statement in tree.body:
        caught = _caught_types(statement)
        if not caught:
            continue
        for node in getattr(statement, "body", []):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or isinstance(node, ast.ImportFrom) and node.level:
                continue
            failure = _import_failure(node)
            if failure is not None and isinstance(failure, caught):
                where = {"path": path, "line": node.lineno, "function": "<module>", "in_project": True}
                failures.append((failure, [where, *_frames(failure, rootdir)]))
    return failures


def _caught_types(statement: ast.stmt) -> Tuple[type, ...]:
    """The exception classes a top-level try statement's handlers catch, by their plain names."""
    if not isinstance(statement, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        return ()
    caught: List[type] = []
    for handler in getattr(statement, "handlers", []):
        nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for node in nodes:
            name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None) if node is not None else None
            if node is None or name in ("Exception", "BaseException"):
                caught.append(Exception)
            elif name in ("ImportError", "ModuleNotFoundError"):
                caught.append(ImportError if name == "ImportError" else ModuleNotFoundError)
    return tuple(caught)


def _import_failure(node: ast.stmt) -> Optional[BaseException]:
    """What running the import statement ``node`` raises now, as the interpreter would raise it."""
    try:
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                if alias.name != "*" and not hasattr(module, alias.name):
                    _import_submodule_or_fail(module, node.module, alias.name)
    except Exception as exc:
        return exc
    return None


def _import_submodule_or_fail(module: types.ModuleType, module_name: str, name: str) -> None:
    """``from module import name`` where ``name`` is no attribute: a submodule, or CPython's error."""
    if hasattr(module, "__path__"):
        try:
            importlib.import_module("%s.%s" % (module_name, name))
            return
        except ModuleNotFoundError as exc:
            if exc.name != "%s.%s" % (module_name, name):
                raise
    location = getattr(module, "__file__", None) or "unknown location"
    error = ImportError("cannot import name %r from %r (%s)" % (name, module_name, location), name=module_name,
                        path=getattr(module, "__file__", None))
    error.name_from = name  # type: ignore[attr-defined]  # what Python 3.12+ sets
    raise error


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Each phase of each test that ran: only when collect-fix runs tests (``--run-tests``)."""
    if report.when != "call" and report.outcome == "passed":
        return  # a passing setup or teardown says nothing the call does not
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None) if crash is not None else None
    if message is None and report.longrepr is not None and not report.passed:
        message = str(report.longrepr)[-1000:]
    _emit(
        {
            "type": "outcome", "nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
            "message": (message or "")[:1000],
        }
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    per_file: Dict[str, int] = {}
    for item in session.items:
        file_part = item.nodeid.split("::", 1)[0]
        per_file[file_part] = per_file.get(file_part, 0) + 1
    _emit({"type": "finish", "tests": len(session.items), "per_file": per_file})


def import_named(modules: Sequence[str]) -> None:
    """Import each module the way pytest does for a warning filter naming a class of it, and
    record how it fails (``config_imports``: pytest 9 imports those before any plugin loads)."""
    for module in modules:
        try:
            importlib.import_module(module)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - what is recorded is the point
            _emit(_error_record(exc, "", None, "config", os.path.abspath(os.curdir)))


if __name__ == "__main__":  # python -m <the probe> MODULE...
    import_named(sys.argv[1:])
