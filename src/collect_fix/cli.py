"""The command line: parse options, call api.run, print. Nothing else lives here.

Exit codes (like ``black --check``): 0 nothing pending and collection clean; 1 changes pending
(dry run) or collection errors remain; 2 usage or internal error.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

import click

from collect_fix import api
from collect_fix.collector import CollectorUnavailable
from collect_fix.diffing import encode_diff
from collect_fix.config import ConfigError, read_config
from collect_fix.project import Project
from collect_fix.reporting import render_summary, to_json
from collect_fix.types import Options


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path), default=".")
@click.option("--dry-run", "mode", flag_value="dry-run", default=True,
              help="Show the repairs as a unified diff; write nothing (the default).")
@click.option("--apply", "mode", flag_value="apply", help="Write the repairs, keep those re-collection confirms.")
@click.option("--list-stubs", "mode", flag_value="list-stubs", help="List the stubs and aliases collect-fix left.")
@click.option("--python", "python", metavar="PATH",
              help="Interpreter that runs pytest (default: the project's .venv/venv, else this one).")
@click.option("--timeout", type=float, help="Seconds one collection may take before it is stopped [300].")
@click.option("--rewrite-imports/--no-rewrite-imports", default=None,
              help="Fix renamed/moved names in the importing tests instead of aliasing them in the source.")
@click.option("--skip-missing-deps/--no-skip-missing-deps", default=None,
              help="Guard imports of missing third-party packages in tests with pytest.importorskip.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON to this file.")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the diff and the summary table.")
@click.version_option(package_name="collect-fix")
def cli(
    path: Path,
    mode: str,
    python: Optional[str],
    timeout: Optional[float],
    rewrite_imports: Optional[bool],
    skip_missing_deps: Optional[bool],
    json_file: Optional[Path],
    color: Optional[bool],
    quiet: bool,
) -> None:
    """Repair a test suite that pytest cannot collect. PATH is the project root [.]."""
    root = path.resolve()
    if mode == "list-stubs":
        raise SystemExit(_list_stubs(root))
    try:
        config, warnings = read_config(root)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if json_file is not None and not json_file.resolve().parent.is_dir():
        raise click.BadParameter(f"{json_file.parent} is not a directory", param_hint="--json")
    options = Options(
        root=root,
        apply=mode == "apply",
        python=_interpreter(python, Path.cwd()) or _interpreter(config.get("python"), root),
        timeout=timeout or float(config.get("timeout", 300.0)),
        max_rounds=int(config.get("max-rounds", 10)),
        rewrite_imports=_pick(rewrite_imports, config.get("rewrite-imports")),
        skip_missing_deps=_pick(skip_missing_deps, config.get("skip-missing-deps")),
        pytest_args=tuple(str(arg) for arg in config.get("pytest-args", ())),
    )
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    progress = None if quiet else (lambda message: click.echo(f"collect-fix: {message}", err=True))
    try:
        report = api.run(options, progress)
    except CollectorUnavailable as exc:
        click.echo(f"collect-fix: error: {exc}", err=True)
        raise SystemExit(2) from exc
    use_color = _use_color(color)
    if report.diff and not options.apply:
        diff = _colour_diff(report.diff) if use_color else report.diff
        sys.stdout.flush()
        # The files' own bytes. sys.stdout.buffer, not click.get_binary_stream: deprecated in click 8.5.
        sys.stdout.buffer.write(encode_diff(diff))
        sys.stdout.buffer.flush()
    click.echo(render_summary(report), nl=False)
    if json_file is not None:
        json_file.write_text(to_json(report), encoding="utf-8")
    pending = bool(report.diff) and not options.apply
    raise SystemExit(1 if pending or report.after.errors else 0)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point; returns the exit code (0, 1, or 2) instead of exiting, for tests."""
    try:
        cli.main(args=argv, prog_name="collect-fix", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.Abort:
        return 2
    except Exception as exc:  # an internal error: say so plainly, never a traceback-only exit
        click.echo(f"collect-fix: internal error: {exc!r}", err=True)
        if os.environ.get("COLLECT_FIX_DEBUG"):
            raise
        return 2
    return 0


def _interpreter(python: Optional[str], base: Path) -> Optional[str]:
    """An absolute interpreter path: a dry run works in a scratch copy, so relative paths (from
    the command line: the current directory; from the config: the project root) are fixed now."""
    if not python:
        return None
    if os.sep not in python and (os.altsep is None or os.altsep not in python):
        return shutil.which(python) or python  # a bare name: looked up on PATH, as a shell would
    return str((base / python).absolute())


def _pick(flag: Optional[bool], configured: Optional[bool]) -> bool:
    if flag is not None:
        return flag
    return bool(configured)


def _list_stubs(root: Path) -> int:
    from collect_fix.stubs import find_markers

    markers = find_markers(Project(root))
    for path, line, text in markers:
        click.echo(f"{path}:{line}: {text}")
    return 1 if markers else 0


def _use_color(flag: Optional[bool]) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _colour_diff(diff: str) -> str:
    """git's colours; each line styled without its newline, so no escape code spills over."""
    coloured = []
    for line in diff.splitlines(keepends=True):
        text, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if text.startswith(("+++", "---", "diff --git", "new file mode")):
            text = click.style(text, bold=True)
        elif text.startswith("@@"):
            text = click.style(text, fg="cyan")
        elif text.startswith("+"):
            text = click.style(text, fg="green")
        elif text.startswith("-"):
            text = click.style(text, fg="red")
        coloured.append(text + newline)
    return "".join(coloured)
