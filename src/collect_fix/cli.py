"""The command line: parse and check options, call api.run, print. Nothing else lives here.

Exit codes (like ``black --check``): 0 nothing pending and collection clean; 1 changes pending
(dry run) or collection errors remain; 2 usage or internal error. Every usage error is found
before anything runs and is one line on stderr, never a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import click

from collect_fix import api
from collect_fix.collector import CollectorUnavailable, find_interpreter, project_folders
from collect_fix.interrupts import RunInterrupted, Terminated, interrupt_in, interrupt_says, signal_name
from collect_fix.run_lock import RunInProgress
from collect_fix.config import ConfigError, check_timeout, read_config
from collect_fix.diffing import encode_diff
from collect_fix.project import Project
from collect_fix.types import Options, Report

FORMATS = ("text", "json", "github", "sarif")
_MODES = ("--dry-run", "--apply", "--list-stubs")
_PYTHON_CHECK_SECONDS = 30


class UsageProblem(click.UsageError):
    """Bad usage found by our own checks (click's own parse errors are UsageErrors too)."""


def _timeout_option(ctx: click.Context, param: click.Parameter, value: Optional[float]) -> Optional[float]:
    if value is not None:
        problem = check_timeout(value)
        if problem:
            raise click.BadParameter(problem, ctx=ctx, param=param)
    return value


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", type=click.Path(path_type=Path, readable=False), required=False)
@click.option("--dry-run", is_flag=True, help="Show the repairs as a unified diff; write nothing (the default).")
@click.option("--apply", "apply_", is_flag=True, help="Write the repairs, keep those re-collection confirms.")
@click.option("--list-stubs", is_flag=True,
              help="List the shims (stubs, aliases, ...) collect-fix left, grouped by kind; exit 1 while any remain.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="The report on stdout: text; json (the --json report); github (workflow commands that "
                   "annotate the pull request); sarif (SARIF 2.1.0 for code scanning).")
@click.option("--python", "python", metavar="PATH",
              help="Interpreter that runs pytest (default: the project's .venv/venv, else this one).")
@click.option("--timeout", type=float, metavar="SECONDS", callback=_timeout_option,
              help="Seconds one collection may take before it is stopped, a positive number; 0 is refused, "
                   "there is no 'no limit' [300].")
@click.option("--rewrite-imports/--no-rewrite-imports", default=None,
              help="Fix renamed/moved names in the importing tests instead of aliasing them in the source.")
@click.option("--skip-missing-deps/--no-skip-missing-deps", default=None,
              help="Guard imports of missing third-party packages in tests with pytest.importorskip.")
@click.option("--run-tests/--no-run-tests", default=None,
              help="After repairing, run the tests of every file whose collection was repaired (on a copy, "
              "bounded by --timeout) and report per repair how many passed, failed and skipped.")
@click.option("--json", "json_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Also write the report as JSON to this file (checked to be writable before anything runs).")
@click.option("--color/--no-color", default=None, help="Colour the diff (default: on a terminal).")
@click.option("-q", "--quiet", is_flag=True,
              help="Text format: print only the diff and the before/after table, and no progress line. "
                   "Warnings and errors still go to stderr.")
@click.version_option(package_name="collect-fix")
def cli(
    path: Optional[Path],
    dry_run: bool,
    apply_: bool,
    list_stubs: bool,
    output_format: str,
    python: Optional[str],
    timeout: Optional[float],
    rewrite_imports: Optional[bool],
    skip_missing_deps: Optional[bool],
    run_tests: Optional[bool],
    json_file: Optional[Path],
    color: Optional[bool],
    quiet: bool,
) -> None:
    """Repair a test suite that pytest cannot collect. PATH is the project root [default: the
    project the current directory is in, found upward]."""
    with interrupt_says("before the run began", "nothing was written"):
        chosen = [mode for mode, given in zip(_MODES, (dry_run, apply_, list_stubs)) if given]
        if len(chosen) > 1:
            raise UsageProblem(f"{' and '.join(chosen)} cannot be used together: pick one mode")
        root, found_above = _project_root(path)
        if list_stubs:
            raise SystemExit(_list_stubs(root, output_format))
        try:
            config, warnings = read_config(root)
        except ConfigError as exc:
            raise UsageProblem(str(exc)) from exc
        if json_file is not None:
            _check_writable(json_file)
        interpreter = _pick_interpreter(python, config.get("python"), root)
        options = Options(
            root=root,
            apply=apply_,
            python=interpreter,
            timeout=timeout if timeout is not None else float(config.get("timeout", 300.0)),
            max_rounds=int(config.get("max-rounds", 10)),
            rewrite_imports=_pick(rewrite_imports, config.get("rewrite-imports")),
            skip_missing_deps=_pick(skip_missing_deps, config.get("skip-missing-deps")),
            pytest_args=tuple(str(arg) for arg in config.get("pytest-args", ())),
            run_tests=_pick(run_tests, config.get("run-tests")),
        )
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        if found_above and not quiet:
            click.echo(f"collect-fix: project root {root} (found above {found_above})", err=True)
    report = _run(options, show_progress=not quiet and _stderr_is_terminal())  # says what it undid
    with interrupt_says("after the run, while reporting", api.written_by(report)):
        _print(report, output_format, quiet, color, root)
        if json_file is not None:
            from collect_fix.report_json import to_json

            json_file.write_text(to_json(report), encoding="utf-8")
    pending = bool(report.diff) and not options.apply
    raise SystemExit(1 if pending or report.after.errors else 0)


def main(argv: Optional[list[str]] = None) -> int:
    """Entry point; returns the exit code (0, 1, 2, 130 or 143) instead of exiting, for tests."""
    try:
        cli.main(args=argv, prog_name="collect-fix", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        hint = " (collect-fix --help)" if isinstance(exc, click.UsageError) and not isinstance(exc, UsageProblem) else ""
        click.echo(f"collect-fix: error: {_one_line(exc.format_message())}{hint}", err=True)
        return 2
    except RunInterrupted as exc:
        click.echo(f"collect-fix: {exc}", err=True)
        return exc.exit_code
    except click.Abort as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):  # between the steps interrupt_says covers
            click.echo("collect-fix: interrupted (SIGINT)", err=True)
            return 130
        return 2
    except Terminated:  # the same, for SIGTERM (click lets it through)
        click.echo("collect-fix: interrupted (SIGTERM)", err=True)
        return 143
    except Exception as exc:  # an internal error: say so plainly, never a traceback-only exit
        interrupt = interrupt_in(exc)
        if interrupt is not None:  # a signal that Python wrapped (see interrupt_in)
            name, code = signal_name(interrupt)
            click.echo(f"collect-fix: interrupted ({name})", err=True)
            return code
        click.echo(f"collect-fix: internal error: {exc!r}", err=True)
        if os.environ.get("COLLECT_FIX_DEBUG"):
            raise
        return 2
    return 0


def _run(options: Options, show_progress: bool) -> Report:
    try:
        if not show_progress:
            return api.run(options)
        from collect_fix.progress import LiveLine, listening

        line = LiveLine(sys.stderr, lambda: shutil.get_terminal_size().columns)
        try:
            with listening(line.files):
                return api.run(options, line.stage)
        finally:
            line.clear()
    except (CollectorUnavailable, RunInProgress) as exc:
        click.echo(f"collect-fix: error: {exc}", err=True)
        raise SystemExit(2) from exc
    except RunInterrupted as exc:
        click.echo(f"collect-fix: {exc}", err=True)
        raise SystemExit(exc.exit_code) from exc


def _print(report: Report, output_format: str, quiet: bool, color: Optional[bool], root: Path) -> None:
    if output_format == "json":
        from collect_fix.report_json import to_json

        click.echo(to_json(report), nl=False)
    elif output_format == "github":
        from collect_fix.report_github import render_github

        click.echo(render_github(report, _workspace(root)[1]), nl=False)
    elif output_format == "sarif":
        from collect_fix.report_sarif import render_sarif

        base, prefix = _workspace(root)
        click.echo(json.dumps(render_sarif(report, base, prefix), indent=2))
    else:
        from collect_fix.reporting import render_summary

        if report.diff and not report.applied:
            diff = _colour_diff(report.diff) if _use_color(color) else report.diff
            sys.stdout.flush()
            # The files' own bytes. sys.stdout.buffer, not click.get_binary_stream: deprecated in click 8.5.
            sys.stdout.buffer.write(encode_diff(diff))
            sys.stdout.buffer.flush()
        click.echo(render_summary(report, quiet=quiet), nl=False)


def _workspace(root: Path) -> tuple[Path, str]:
    """(the folder report paths are relative to, the prefix from there to the project): the GitHub
    checkout when the project lies inside $GITHUB_WORKSPACE, so annotations land on the right files."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        base = Path(workspace).resolve()
        if root == base or base in root.parents:
            return base, root.relative_to(base).as_posix()
    return root, ""


def _project_root(path: Optional[Path]) -> tuple[Path, Optional[Path]]:
    """The checked project root, and the folder it was found above (no PATH given, run from a
    folder inside the project: ``cd tests && collect-fix``)."""
    if path is not None:
        return _checked_directory(path, "PATH"), None
    start = _checked_directory(Path.cwd(), "the current directory")
    root = project_folders(start)[-1]
    return (root, start) if root != start else (root, None)


def _checked_directory(path: Path, what: str) -> Path:
    try:
        resolved = path.resolve(strict=True)
    except RuntimeError as exc:  # Python < 3.13 reports a symlink loop so
        raise UsageProblem(f"{what} {path} is a symlink loop") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageProblem(f"{what} {path} is a symlink loop") from exc
        if exc.errno == errno.ENOENT:
            raise UsageProblem(f"{what} {path} does not exist") from exc
        raise UsageProblem(f"{what} {path}: {exc.strerror}") from exc
    if not resolved.is_dir():
        raise UsageProblem(f"{what} {path} is not a directory")
    try:
        with os.scandir(resolved):
            pass
    except OSError as exc:
        raise UsageProblem(f"{what} {path} cannot be read: {exc.strerror}") from exc
    return resolved


def _check_writable(target: Path) -> None:
    """--json FILE must be writable now, not after the repairs are written. An existing file is
    opened for appending (its bytes and time stay); a new one is created and removed again, which
    also catches what permission bits do not say (a read-only or special file system, for root)."""
    target = target.absolute()
    if target.is_dir():
        raise UsageProblem(f"--json {target} is a directory")
    if not target.parent.is_dir():
        raise UsageProblem(f"--json {target}: {target.parent} is not a directory")
    try:
        if target.exists():
            with open(target, "ab"):
                pass
        else:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            os.unlink(target)
    except OSError as exc:
        raise UsageProblem(f"--json {target} cannot be written: {exc.strerror or exc}") from exc


def _pick_interpreter(flag: Optional[str], configured: Optional[str], root: Path) -> str:
    """--python (relative to the current directory), else the config's (relative to the project
    root), else the project's own virtualenv or this interpreter; checked to run and be Python."""
    if flag:
        python, source = _absolute(flag, Path.cwd()), "--python"
    elif configured:
        python, source = _absolute(configured, root), "[tool.collect-fix] python"
    else:
        python, source = find_interpreter(root), "the project's interpreter"
    _check_python(python, source)
    return python


def _absolute(python: str, base: Path) -> str:
    """An absolute interpreter path: a dry run works in a scratch copy, so relative paths are
    fixed now; a bare name is looked up on PATH, as a shell would."""
    if os.sep not in python and (os.altsep is None or os.altsep not in python):
        return shutil.which(python) or python
    return str((base / python).absolute())


_PYTHON_ANSWER = re.compile(r"collect-fix-python (\d+)\.(\d+)")


def _check_python(python: str, source: str) -> None:
    """Run the interpreter once, briefly: it must start and answer as Python 3.8+ does. The
    interpreter running collect-fix (the usual case: installed in the project's virtualenv) has
    already answered, and is not started again for it (one start of Python before every run)."""
    if _is_this_interpreter(python):
        return
    script = "import sys; sys.stdout.write('collect-fix-python %d.%d' % sys.version_info[:2])"
    try:
        answer = subprocess.run(
            [python, "-c", script], capture_output=True, text=True, errors="replace",
            stdin=subprocess.DEVNULL, timeout=_PYTHON_CHECK_SECONDS,
        )
    except OSError as exc:
        raise UsageProblem(f"{source} {python}: cannot run it ({exc.strerror or exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise UsageProblem(f"{source} {python}: no answer within {_PYTHON_CHECK_SECONDS}s; is it Python?") from exc
    found = _PYTHON_ANSWER.fullmatch(answer.stdout.strip())
    if answer.returncode != 0 or found is None:
        raise UsageProblem(f"{source} {python} is not a Python interpreter (it did not run a Python -c script)")
    version = (int(found.group(1)), int(found.group(2)))
    if version < (3, 8):
        raise UsageProblem(f"{source} {python} is Python {version[0]}.{version[1]}; pytest 8 needs Python 3.8 or later")


def _is_this_interpreter(python: str) -> bool:
    """``python`` runs the very program running collect-fix: an executable file whose links, as
    the system follows them, lead where ``sys.executable``'s do (empty when Python cannot tell)."""
    if not sys.executable or not os.path.isfile(python) or not os.access(python, os.X_OK):
        return False
    return os.path.realpath(python) == os.path.realpath(sys.executable)


def _pick(flag: Optional[bool], configured: Optional[bool]) -> bool:
    if flag is not None:
        return flag
    return bool(configured)


def _list_stubs(root: Path, output_format: str) -> int:
    """Shims by kind. Text: headings on stderr, ``path:line: text`` entries on stdout, so a pipe
    (grep, an editor's quickfix list) gets locations only."""
    from collect_fix.stubs import SHIM_KINDS, by_kind, find_shims

    shims = find_shims(Project(root))
    groups = by_kind(shims)
    if output_format == "json":
        payload: dict[str, Any] = {
            "schema_version": 1,
            "by_kind": {kind: len(items) for kind, items in groups.items()},
            "shims": [{"kind": s.kind, "path": s.path, "line": s.line, "text": s.text} for s in shims],
        }
        click.echo(json.dumps(payload, indent=2))
    elif output_format == "github":
        from collect_fix.report_github import command

        for shim in shims:
            click.echo(command("warning", f"{shim.kind} left by collect-fix: {shim.text}", file=shim.path,
                               line=shim.line, title=f"collect-fix: {shim.kind} left in the tree"))
    elif output_format == "sarif":
        raise UsageProblem("--list-stubs prints text, json or github; the sarif report of a run lists shims too")
    elif not shims:
        click.echo(f"collect-fix: no shims left in {root} (no {', '.join(SHIM_KINDS)} markers)", err=True)
    else:
        for kind, items in groups.items():
            click.echo(f"{kind}: {SHIM_KINDS.get(kind, kind)} ({len(items)})", err=True)
            for shim in items:
                click.echo(str(shim))
    return 1 if shims else 0


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _use_color(flag: Optional[bool]) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _one_line(text: str) -> str:
    return " ".join(text.split())


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
