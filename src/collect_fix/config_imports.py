"""Project modules pytest imports while it reads its configuration, before any plugin loads.

A warning filter naming a class of the project (``filterwarnings = ignore::pkg.sanitizer.NoCssWarning``)
makes pytest import ``pkg.sanitizer`` as it starts. pytest 9 does that before it loads plugins,
collect-fix's probe among them, so when the import fails (a refactor dropped an import the
package needs) the session ends with a usage error that carries the traceback only as text, and
no test is collected. The modules such filters name are imported again, each on its own in the
project's interpreter with the probe's recorder (``python -m`` the probe), so the failure is
diagnosed from the exception object like any other, and its repair verified by a collection.
"""

from __future__ import annotations

import os
import shlex
from typing import Iterable

from collect_fix.project import Project


def named_modules(project: Project, pytest_args: Iterable[str] = ()) -> list[str]:
    """The project's modules that warning filters name a category of, in the configuration file,
    ``-W`` in the run's arguments or ``PYTEST_ADDOPTS``, in order, once each."""
    from collect_fix.pytest_config import as_lines, configuration, read_option

    filters = as_lines(read_option(configuration(project), "filterwarnings"))
    filters.extend(_pythonwarnings([*pytest_args, *shlex.split(os.environ.get("PYTEST_ADDOPTS", ""))]))
    modules: dict[str, None] = {}
    for entry in filters:
        parts = entry.split(":")
        category = parts[2].strip() if len(parts) > 2 else ""
        module = category.rpartition(".")[0]
        if module and all(part.isidentifier() for part in module.split(".")) and project.owns_module(module):
            modules.setdefault(module)
    return list(modules)


def _pythonwarnings(args: list[str]) -> list[str]:
    """The values of ``-W`` / ``--pythonwarnings`` in ``args``."""
    found = []
    for index, arg in enumerate(args):
        if arg in ("-W", "--pythonwarnings") and index + 1 < len(args):
            found.append(args[index + 1])
        elif arg.startswith("--pythonwarnings="):
            found.append(arg.partition("=")[2])
        elif arg.startswith("-W") and len(arg) > 2:
            found.append(arg[2:])
    return found
