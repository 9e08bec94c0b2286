"""Errors collect-fix reports but never edits: each gets one line saying what it is and what to do.

These need a person's judgement (which side of an import cycle to cut, which base class comes
first) or live outside the project (a plugin to install), so a guessed edit would do harm.
"""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path
from typing import Optional

from collect_fix import pytest_config
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Options, Plan

CATEGORIES = (
    Category.SYNTAX_ERROR,
    Category.CIRCULAR_IMPORT,
    Category.CLASS_CREATION,
    Category.MISSING_PLUGIN,
    Category.CONFTEST,
    Category.TIMEOUT,
    Category.OTHER,
)

_PARTIAL_MODULE = re.compile(r"partially initialized module '(?P<name>[\w.]+)'")
_PLUGIN = re.compile(r"Error importing plugin \"(?P<name>[^\"]+)\"")
_MAX_MESSAGE = 160


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    error = diagnosis.error
    if diagnosis.category is Category.OTHER and error is not None and error.exc_type == "SessionError":
        # pytest failed before any file could be blamed: the command that shows it, with the
        # arguments collect-fix added from [tool.collect-fix] (they may be what it rejects).
        command = " ".join(["pytest --collect-only", *map(shlex.quote, options.pytest_args)])
        return Plan(diagnosis, advice=(
            f"pytest itself failed (exit code {error.attrs.get('exit_code', '?')}) before any test file could be "
            f"blamed; `{command}` shows its message"
        ))
    advise = _ADVISERS.get(diagnosis.category, _other)
    return Plan(diagnosis, advice=advise(diagnosis, project))


def _syntax_error(diagnosis: Diagnosis, project: Project) -> str:
    attrs = diagnosis.error.attrs if diagnosis.error else {}
    path = _project_path(project, attrs.get("filename")) or diagnosis.path
    line = attrs.get("lineno") or diagnosis.line
    where = _where(path, line, attrs.get("offset"))
    message = attrs.get("msg") or _message(diagnosis)
    kind = diagnosis.error.exc_type if diagnosis.error and diagnosis.error.exc_type else "SyntaxError"
    return (
        f"{kind} at {where}: {message}. The file does not parse, so collect-fix leaves it alone; "
        f"fix it by hand (python -m py_compile {path or 'FILE'} rechecks it)."
    )


def _circular_import(diagnosis: Diagnosis, project: Project) -> str:
    cycle = import_cycle(diagnosis, project)
    shown = " -> ".join(cycle) if len(cycle) > 1 else "between project modules"
    return (
        f"Circular import {shown} ({_where(diagnosis.path, diagnosis.line)}): these modules import each other "
        f"while loading. Move what both need into a module of its own, or import inside the function that uses it."
    )


def import_cycle(diagnosis: Diagnosis, project: Project) -> tuple[str, ...]:
    """The modules of an import cycle, first one repeated at the end: ``(a, b, a)``.

    Read from the ``<module>`` frames of the project (who imported whom, outermost first) and the
    module the error calls partially initialized, where the cycle closes. Empty when unknown.
    """
    error = diagnosis.error
    if error is None:
        return ()
    chain: list[str] = []
    for frame in error.frames:
        if frame.in_project and frame.function == "<module>":
            name = project.module_name(Path(frame.path))
            if name and (not chain or chain[-1] != name):
                chain.append(name)
    match = _PARTIAL_MODULE.search(error.message)
    if match is None:
        return ()
    partial = match.group("name")
    if partial in chain:
        return (*chain[chain.index(partial):], partial)
    return (partial, *chain[1:], partial)  # chain[0] is the test file that started the import


def _class_creation(diagnosis: Diagnosis, project: Project) -> str:
    message = _message(diagnosis)
    where = _where(diagnosis.path, diagnosis.line)
    if "method resolution order" in message:
        fix = "list every class before its own bases in the class statement, or drop the base that is already inherited"
    elif "metaclass conflict" in message:
        fix = "give the class a metaclass that derives from the metaclasses of all its bases"
    else:
        fix = "fix the class statement (its bases, metaclass or class keyword arguments)"
    return f"A class at {where} cannot be created: {message}. To repair it by hand, {fix}."


def _missing_plugin(diagnosis: Diagnosis, project: Project) -> str:
    plugin = diagnosis.subject or _plugin_from_message(diagnosis)
    if not plugin:
        return f"A pytest plugin cannot be imported: {_message(diagnosis)}. Install it or stop loading it."
    origin = plugin_origin(project, plugin, diagnosis.path)
    named = f" (named in {origin})" if origin else ""
    if project.owns_module(plugin):
        return (
            f"pytest plugin module '{plugin}'{named} does not exist in the project: "
            f"correct the dotted name or create the module."
        )
    if origin and origin.startswith("addopts"):
        stop = f"remove -p {plugin} from addopts"
    elif origin:
        stop = "remove it from pytest_plugins"
    else:
        stop = "stop loading it"
    return (
        f"pytest plugin '{plugin}'{named} is not installed, so pytest collects nothing: install the package "
        f"that provides it in the test environment, or {stop}."
    )


def plugin_origin(project: Project, plugin: str, hint: Optional[str] = None) -> Optional[str]:
    """``path:line`` where ``plugin`` is requested: ``pytest_plugins`` of a conftest or test
    module, or ``-p`` in addopts of the pytest configuration. None when not found statically."""
    candidates = [project.root / hint] if hint else []
    candidates += sorted(path for path in project.python_files() if path.name == "conftest.py")
    for path in candidates:
        line = _pytest_plugins_line(path, plugin)
        if line is not None:
            return f"{project.relative(path)}:{line}"
    config = pytest_config.configuration(project)
    addopts = pytest_config.as_args(pytest_config.read_option(config, "addopts"))
    if plugin in addopts or f"-p{plugin}" in addopts:
        return f"addopts in {config.label}"
    return None


def _pytest_plugins_line(path: Path, plugin: str) -> Optional[int]:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if plugin not in source:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == "pytest_plugins" for target in targets):
            for constant in ast.walk(node):
                if isinstance(constant, ast.Constant) and constant.value == plugin:
                    return constant.lineno
    return None


def _plugin_from_message(diagnosis: Diagnosis) -> Optional[str]:
    match = _PLUGIN.search(diagnosis.error.message if diagnosis.error else diagnosis.summary)
    return match.group("name") if match else None


def _conftest(diagnosis: Diagnosis, project: Project) -> str:
    error = diagnosis.error
    kind = error.exc_type if error and error.exc_type else "an error"
    directory = Path(diagnosis.path).parent.as_posix() if diagnosis.path else "its directory"
    return (
        f"conftest {_where(diagnosis.path, diagnosis.line)} raised {kind}: {_message(diagnosis)}. "
        f"No test under {directory}/ is collected until it is fixed by hand."
    )


def _timeout(diagnosis: Diagnosis, project: Project) -> str:
    seconds = diagnosis.error.attrs.get("timeout") if diagnosis.error else None
    within = f" within {seconds:g}s" if isinstance(seconds, (int, float)) else ""
    return (
        f"Collecting {diagnosis.path or 'the suite'} did not finish{within}: an import blocks "
        f"(network, input(), a lock, an endless loop). Move that work into a fixture, "
        f"or raise --timeout if it is only slow."
    )


def _other(diagnosis: Diagnosis, project: Project) -> str:
    error = diagnosis.error
    if error is not None and error.exc_type == "NoTestsCollected":
        return ("check PATH, and pytest's testpaths / python_files / norecursedirs settings: "
                "plain pytest reports no tests here and exits 5")
    kind = error.exc_type if error and error.exc_type else "Error"
    where = _where(diagnosis.path, diagnosis.line)
    return (
        f"{kind} at {where}: {_message(diagnosis)}. collect-fix has no repair for this; "
        f"see the full traceback with: pytest --collect-only {diagnosis.path or ''}".rstrip()
    )


_ADVISERS = {
    Category.SYNTAX_ERROR: _syntax_error,
    Category.CIRCULAR_IMPORT: _circular_import,
    Category.CLASS_CREATION: _class_creation,
    Category.MISSING_PLUGIN: _missing_plugin,
    Category.CONFTEST: _conftest,
    Category.TIMEOUT: _timeout,
    Category.OTHER: _other,
}


def _message(diagnosis: Diagnosis) -> str:
    """The error's message on one line, cut short: advice is a single line of a report."""
    text = diagnosis.error.message if diagnosis.error and diagnosis.error.message else diagnosis.summary
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _project_path(project: Project, filename: object) -> Optional[str]:
    if not isinstance(filename, str) or not filename:
        return None
    path = Path(filename)
    try:
        return path.resolve().relative_to(project.root.resolve()).as_posix()
    except ValueError:
        return filename


def _where(path: Optional[str], line: object = None, column: object = None) -> str:
    if not path:
        return "an unknown location"
    if isinstance(line, int) and line:
        return f"{path}:{line}:{column}" if isinstance(column, int) and column else f"{path}:{line}"
    return path
