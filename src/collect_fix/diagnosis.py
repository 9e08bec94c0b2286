"""Collection errors -> typed diagnoses.

The category comes from the exception object first (its type and structured attributes:
``ImportError.name``, ``AttributeError.obj``, ``NameError.name``, ``SyntaxError.lineno``);
message text is read only where Python puts the fact nowhere else (the name in "cannot import
name 'X' from 'm'" on Python < 3.12, pytest's marker and plugin errors).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

from collect_fix.project import Project
from collect_fix.types import Category, CollectionError, Diagnosis, Frame

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
    if project.module_file(module) is not None or _exists_unimportable(project, module):
        # The module is in the tree, yet Python cannot find it: a path problem, not a missing file.
        return _make(Category.PROJECT_NOT_IMPORTABLE, error, project, where, line,
                     f"project package '{module.split('.')[0]}' exists but is not on sys.path", module=module)
    if project.owns_module(module):
        return _make(Category.MISSING_MODULE, error, project, where, line,
                     f"project module '{module}' does not exist", module=module)
    return _make(Category.MISSING_DEPENDENCY, error, project, where, line,
                 f"third-party module '{module}' is not installed", module=module)


def _exists_unimportable(project: Project, module: str) -> bool:
    """A top-level package that is in the tree (under src/, lib/ ... without pythonpath) yet
    not found. Only for top-level names: "No module named 'pkg.sub'" means pkg imported fine."""
    return "." not in module and bool(project.package_homes(module))


def _session_failure(error: CollectionError, project: Project) -> Diagnosis:
    """pytest died before the probe could record anything useful: read its text (fallback)."""
    text = error.longrepr or error.message
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
