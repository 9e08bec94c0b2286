"""Collection errors -> typed diagnoses.

The category comes from the exception object first (its type and structured attributes:
``ImportError.name``, ``AttributeError.obj``, ``NameError.name``, ``SyntaxError.lineno``);
message text is read only where Python puts the fact nowhere else (the name in "cannot import
name 'X' from 'm'" on Python < 3.12, pytest's marker and plugin errors).
"""

from __future__ import annotations

import keyword
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Optional

from collect_fix.project import Project
from collect_fix.types import Category, Collection, CollectionError, Diagnosis, Frame

_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)' from '([^']+)'")
_NOT_DEFINED = re.compile(r"name '([^']+)' is not defined")
_MARKER = re.compile(r"'([^']+)' not found in `markers` configuration option")
_PLUGIN = re.compile(r'Error importing plugin "([^"]+)"')
_NO_MODULE = re.compile(r"No module named '([^']+)'")
_MODULE_ATTRIBUTE = re.compile(r"^module '([^']+)' has no attribute '([^']+)'")
_CLASS_CREATION = ("method resolution order", "(MRO)", "metaclass conflict", "duplicate base class")


def diagnose(errors: tuple[CollectionError, ...], project: Project) -> list[Diagnosis]:
    """One Diagnosis per error, never dropping one: unknown shapes become Category.OTHER."""
    return [diagnose_one(error, project) for error in errors]


def diagnose_collection(collection: Collection, project: Project) -> list[Diagnosis]:
    """The collection's errors, then the causes test modules caught before they exited or skipped.

    An exit's diagnosis notes its cause ("caused by ..."): the chain a person reads. A cause
    appears once however many test files it stopped, and not at all when it is also an ordinary
    error (the same missing name failing another file's import): that diagnosis repairs it.
    """
    causes: dict[str, list[Diagnosis]] = {}
    for error in collection.masked:
        causes.setdefault(error.path or "", []).append(diagnose_masked(error, project))
    diagnoses = [
        _with_causes(diagnose_one(error, project), causes.get(error.path or "", [])) for error in collection.errors
    ]
    known = {diagnosis.key for diagnosis in diagnoses}
    for found in causes.values():
        for cause in found:
            if cause.key not in known:
                known.add(cause.key)
                diagnoses.append(cause)
    return diagnoses


def diagnose_masked(error: CollectionError, project: Project) -> Diagnosis:
    """A caught import failure, diagnosed as if it had been raised, and marked as masked."""
    diagnosis = diagnose_one(error, project)
    stopped_by = error.attrs.get("stopped_by")
    where = _where(project.relative_or_none(error.attrs.get("stopped_in")), error.attrs.get("stopped_at"))
    if stopped_by == "SystemExit":
        then = f"the module then exits{' at ' + where if where else ''}"
    elif stopped_by == "Skipped":
        then = f"the module then skips{' at ' + where if where else ''}"
    else:
        then = "the module catches it"
    caught = _where(diagnosis.path, diagnosis.line)
    note = f"caught while importing {project.relative_or_none(error.path) or caught}; {then}"
    return replace(diagnosis, masked=True, notes=(*diagnosis.notes, note))


def _with_causes(diagnosis: Diagnosis, causes: list[Diagnosis]) -> Diagnosis:
    if diagnosis.category is not Category.SYS_EXIT or not causes:
        return diagnosis
    chain = tuple(f"caused by: {cause.summary} ({_where(cause.path, cause.line)})" for cause in causes)
    return replace(diagnosis, notes=(*diagnosis.notes, *chain))


def _where(path: Optional[str], line: object) -> str:
    if not path:
        return ""
    return f"{path}:{line}" if isinstance(line, int) and line else path


def diagnose_one(error: CollectionError, project: Project) -> Diagnosis:
    where, line = _location(error, project)
    message = error.message
    exc = error.exc_type
    attrs = error.attrs

    if error.phase == "process":
        category = Category.TIMEOUT if exc == "Timeout" else Category.PROCESS_EXIT
        return _make(category, error, project, project.relative_or_none(error.path), None, message)
    if exc == "SystemExit":
        where, line = _exit_location(error, project)
        return _make(Category.SYS_EXIT, error, project, where, line, f"module-level exit: {message}",
                     subject=attrs.get("code"))
    if exc == "KeyboardInterrupt":
        return _make(Category.OTHER, error, project, where, line,
                     "KeyboardInterrupt raised while importing it: plain pytest stops the whole session here")
    if exc in ("SyntaxError", "IndentationError", "TabError"):
        path = project.relative_or_none(attrs.get("filename")) or where
        return _make(Category.SYNTAX_ERROR, error, project, path, attrs.get("lineno") or line,
                     f"{exc}: {attrs.get('msg', message)}")
    if exc == "ImportPathMismatchError":
        return _make(Category.IMPORT_MISMATCH, error, project, project.relative_or_none(error.path), None,
                     "import file mismatch: two test files share a module name")
    if exc == "Failed" and _MARKER.search(message):
        marker = _MARKER.search(message).group(1)  # type: ignore[union-attr]
        return _make(Category.UNKNOWN_MARKER, error, project, where, line,
                     f"marker '{marker}' is not registered (--strict-markers)", subject=marker)
    plugin = _PLUGIN.search(message)
    if plugin:
        return _make(Category.MISSING_PLUGIN, error, project, where, line,
                     f"pytest plugin '{plugin.group(1)}' cannot be imported", subject=plugin.group(1))
    if "partially initialized module" in message or "circular import" in message:
        return _make(Category.CIRCULAR_IMPORT, error, project, where, line, message,
                     notes=_import_cycle(error, project))
    if exc == "ModuleNotFoundError":
        return _missing_module(error, project, where, line)
    if exc == "ImportError" and _CANNOT_IMPORT.search(message):
        # Python 3.12+ carries both on the exception; older ones only in the message.
        parsed_name, parsed_module = _CANNOT_IMPORT.search(message).groups()  # type: ignore[union-attr]
        name = attrs.get("name_from") or parsed_name
        module = attrs.get("name") or parsed_module
        return _make(Category.MISSING_NAME, error, project, where, line,
                     f"cannot import name '{name}' from '{module}'", subject=name, module=module)
    module_attribute = _MODULE_ATTRIBUTE.search(message)
    if exc == "AttributeError" and (attrs.get("obj_module") or module_attribute):
        # AttributeError.obj/.name exist from Python 3.10 on; before that only the message says it.
        name = attrs.get("name") or (module_attribute.group(2) if module_attribute else None)
        module = attrs.get("obj_module") or (module_attribute.group(1) if module_attribute else None)
        return _make(Category.MISSING_NAME, error, project, where, line,
                     f"module '{module}' has no attribute '{name}'", subject=name, module=module)
    if exc in ("NameError", "UnboundLocalError"):
        name = attrs.get("name") or _first(_NOT_DEFINED, message)
        return _make(Category.UNDEFINED_NAME, error, project, where, line,
                     f"name '{name}' is not defined", subject=name)
    if exc == "TypeError" and any(text in " ".join(message.split()) for text in _CLASS_CREATION):
        return _make(Category.CLASS_CREATION, error, project, where, line, f"TypeError: {message}")
    if error.phase == "session":
        return _session_failure(error, project)
    if error.wrapper == "ConftestImportFailure" or error.phase == "initial_conftest":
        return _make(Category.CONFTEST, error, project, where, line, f"conftest failed: {exc}: {message}")
    return _make(Category.OTHER, error, project, where, line, f"{exc}: {message}" if exc else message)


def _missing_module(error: CollectionError, project: Project, where: Optional[str], line: Optional[int]) -> Diagnosis:
    module = error.attrs.get("name") or _first(_NO_MODULE, error.message) or ""
    if not _valid_module_name(module):
        # importlib.import_module(f"...") with something no file could be named after.
        return _make(Category.OTHER, error, project, where, line,
                     f"no module named {module[:80]!r}, which is not a valid module name")
    if project.module_file(module) is None and where is not None and _deleted_beside_test(project, module, where):
        # Before "exists elsewhere": a copy of the file in docs/ is no place to import it from.
        return _make(Category.MISSING_MODULE, error, project, where, line,
                     f"project module '{module}' does not exist", module=module)
    if project.module_file(module) is not None or _exists_unimportable(project, module):
        # The module is in the tree, yet Python cannot find it: a path problem, not a missing file.
        return _make(Category.PROJECT_NOT_IMPORTABLE, error, project, where, line,
                     f"project package '{module.split('.')[0]}' exists but is not on sys.path", module=module)
    if project.owns_module(module) and not _shared_with_installed_packages(error, project):
        return _make(Category.MISSING_MODULE, error, project, where, line,
                     f"project module '{module}' does not exist", module=module)
    return _make(Category.MISSING_DEPENDENCY, error, project, where, line,
                 f"third-party module '{module}' is not installed", module=module)


def _deleted_beside_test(project: Project, module: str, where: str) -> bool:
    """Whether git shows the project deleted ``module`` from a folder pytest puts on ``sys.path``
    for the failing test file (``tests/helpers.py``, imported as ``helpers``); never for a
    module of a source root, which ``owns_module`` judges."""
    if project.owns_module(module):
        return False
    from collect_fix.test_folders import deleted_beside  # reads git: only for a module no source root has

    return deleted_beside(project, module, where) is not None


def _valid_module_name(module: str) -> bool:
    """A dotted name of identifiers that are not keywords: only such a module can be a file."""
    return bool(module) and all(part.isidentifier() and not keyword.iskeyword(part) for part in module.split("."))


def _shared_with_installed_packages(error: CollectionError, project: Project) -> bool:
    """The missing module's package is a namespace with portions outside the project (the
    project's ``src/azure/myext`` beside an installed ``azure``): what is missing there belongs
    to a distribution, and is never stubbed."""
    portions = error.attrs.get("parent_portions") or []
    return any(project.relative_or_none(str(portion)) is None for portion in portions)


def _exists_unimportable(project: Project, module: str) -> bool:
    """A top-level package that is in the tree (under src/, lib/ ... without pythonpath) yet
    not found. Only for top-level names: "No module named 'pkg.sub'" means pkg imported fine."""
    return "." not in module and bool(project.package_homes(module))


def _session_failure(error: CollectionError, project: Project) -> Diagnosis:
    """pytest died before the probe could record anything useful: read its text (fallback)."""
    text = error.longrepr or error.message
    if error.exc_type == "NoTestsCollected":
        return _make(Category.OTHER, error, project, None, None, error.message)
    plugin = _PLUGIN.search(text)
    if plugin:
        return _make(Category.MISSING_PLUGIN, error, project, None, None,
                     f"pytest plugin '{plugin.group(1)}' cannot be imported", subject=plugin.group(1))
    if "ImportError while loading conftest" in text:
        return _make(Category.CONFTEST, error, project, None, None, "a conftest failed to import")
    return _make(Category.OTHER, error, project, None, None, f"pytest could not collect: {error.message}")


def _make(
    category: Category,
    error: CollectionError,
    project: Project,
    path: Optional[str],
    line: Optional[int],
    summary: str,
    *,
    subject: Optional[str] = None,
    module: Optional[str] = None,
    notes: tuple[str, ...] = (),
) -> Diagnosis:
    return Diagnosis(category, path, line, summary, subject=subject, module=module, error=error, notes=notes)


def _location(error: CollectionError, project: Project) -> tuple[Optional[str], Optional[int]]:
    """The innermost project frame: the statement that failed (an import, a use of a name)."""
    frame = _innermost_project_frame(error.frames, project)
    if frame is not None:
        return project.relative_or_none(frame.path), frame.line
    return project.relative_or_none(error.path), None


def _exit_location(error: CollectionError, project: Project) -> tuple[Optional[str], Optional[int]]:
    """Where the SystemExit was raised: the innermost project frame outside any function call.

    ``sys.exit`` itself is a builtin and leaves no frame, so this is the calling module's line.
    """
    frame = _innermost_project_frame(error.frames, project)
    if frame is not None:
        return project.relative_or_none(frame.path), frame.line
    return project.relative_or_none(error.path), None


def _innermost_project_frame(frames: tuple[Frame, ...], project: Project) -> Optional[Frame]:
    root = str(project.root.resolve())
    for frame in reversed(frames):
        if frame.in_project and _under(frame.path, root) and os.path.isfile(frame.path):
            return frame
    return None


def _import_cycle(error: CollectionError, project: Project) -> tuple[str, ...]:
    """Module names along the import frames, innermost last: the cycle a person has to break."""
    modules: list[str] = []
    root = str(project.root.resolve())
    for frame in error.frames:
        if frame.function == "<module>" and _under(frame.path, root):
            name = project.module_name(Path(frame.path))
            if name and (not modules or modules[-1] != name):
                modules.append(name)
    partial = re.search(r"partially initialized module '([^']+)'", error.message)
    if partial:
        modules.append(partial.group(1))
    if len(modules) < 2:
        return ()
    return ("import cycle: " + " -> ".join(modules),)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _first(pattern: re.Pattern[str], text: str) -> Optional[str]:
    match = pattern.search(text)
    return match.group(1) if match else None
