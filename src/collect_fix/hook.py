"""Pre-commit hook ``collect-fix-hook``: no sys.exit in test modules and conftests (CFX001).

An exit that runs while pytest imports a test file (sys.exit, exit, quit, raise SystemExit,
os._exit at module level) ends the collection of the whole session, not just that file. One in a
function of a test module fails or kills the run in a confusing way; ``pytest.fail`` and
``pytest.skip`` say what was meant. Exits in the body of ``if __name__ == "__main__":`` are fine.

Output is one ``path:line:col: CFX001 message`` line per exit, and one ``path[:line]: CFX002 ...``
line per file that could not be checked (unreadable, not valid in its encoding, a NUL byte, does
not parse). Exit status: 0 when every file was checked and holds no exit; 1 when an exit was
reported, a file could not be checked or ``--fix`` changed a file; 2 for bad usage.

``--fix`` rewrites import-time exits with the guard_module_exit codemod, strategy "skip":
``pytest.skip(..., allow_module_level=True)`` where the exit was, so the module stops exactly where
it used to (no pytest runs to verify a ``skipif`` mark, which would let the rest of the module run).
It writes atomically through a symlink to its target, keeping mode and newlines. A conftest.py is
never rewritten: a skip there ends the whole session. To allow one exit, put the comment on any
line of its statement::

    sys.exit(main())  # collect-fix: allow-exit

Only files named like pytest test modules (``test_*.py``, ``*_test.py``, change with
``--python-files``) and ``conftest.py`` are checked. pytest never runs. Files are read as bytes and
only those naming exit, quit, _exit or SystemExit are parsed, with ``ast``: the hook imports nothing
beyond the standard library unless ``--fix`` has a file to rewrite (then LibCST).
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import os
import re
import stat
import sys
import tokenize
from pathlib import Path
from typing import NamedTuple, Optional, Sequence, Union

from collect_fix.exit_spelling import ExitCall, SourceError, find_exits

CODE = "CFX001"
UNCHECKED = "CFX002"
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
SUPPRESSION = re.compile(r"#\s*collect-fix:\s*allow-exit\b")


class Finding(NamedTuple):
    path: str
    exit: ExitCall
    conftest: bool = False

    def __str__(self) -> str:
        return f"{self.path}:{self.exit.line}:{self.exit.col}: {CODE} {message(self.exit, self.conftest)}"


class Unchecked(NamedTuple):
    """A file the hook could not check: a failure, never a pass."""

    path: str
    reason: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {UNCHECKED} could not check this file for exits: {self.reason}"


def message(found: ExitCall, conftest: bool = False) -> str:
    what = found.display
    if conftest:
        # Never a skip: raised while pytest imports a conftest, it skips the whole session.
        if found.import_time:
            effect = "kills the pytest process" if found.kills_process else "ends the whole pytest session"
            return (f"{what} at import time of a conftest {effect}; list the files that need it in "
                    'collect_ignore, raise an exception, or move it under `if __name__ == "__main__":` '
                    "(--fix never rewrites a conftest)")
        effect = "kills the pytest process" if found.kills_process else "raises SystemExit"
        return f"{what} in a function of a conftest {effect}; raise an exception or call pytest.fail() instead"
    if found.import_time:
        effect = "kills the pytest process" if found.kills_process else "kills pytest collection"
        return (f"{what} at import time {effect}; use pytest.skip(reason, allow_module_level=True), "
                'a skipif mark or an `if __name__ == "__main__":` guard (--fix does it)')
    effect = "kills the pytest process" if found.kills_process else "raises SystemExit"
    return f"{what} in a function {effect}; use pytest.fail() or pytest.skip() in tests"


def is_test_file(path: Path, patterns: Sequence[str]) -> bool:
    """pytest's own rule: ``conftest.py``, or a ``python_files`` glob (basename unless it has a /)."""
    if path.name == "conftest.py":
        return True
    for pattern in patterns:
        if "/" in pattern:
            if fnmatch.fnmatch(path.as_posix(), pattern if pattern.startswith("*") else f"*/{pattern}"):
                return True
        elif fnmatch.fnmatch(path.name, pattern):
            return True
    return False


class Check(NamedTuple):
    """What one source holds: every exit, and which lines allow one."""

    exits: list[ExitCall]
    allowed: set[int]

    def reportable(self) -> list[ExitCall]:
        return [item for item in self.exits if not item.under_main_guard and not _allowed(item, self.allowed)]

    def fixable(self) -> bool:
        """Some import-time exit to fix, and none the author allowed (the codemod rewrites them all)."""
        blocking = [item for item in self.exits if item.blocks_collection]
        return bool(blocking) and not any(_allowed(item, self.allowed) for item in blocking)


def check(source: bytes) -> Check:
    """Raises SourceError when the source cannot be analysed (it may hold an exit)."""
    found = find_exits(source, outside_main_guard=True)  # the hook reports none under the guard
    return Check(found, allowed_lines(source) if found else set())


def findings(source: bytes, path: str) -> list[Finding]:
    """Every reportable exit in ``source``; raises SourceError when it cannot be analysed."""
    conftest = Path(path).name == "conftest.py"
    return [Finding(path, item, conftest) for item in check(source).reportable()]


def allowed_lines(source: bytes) -> set[int]:
    """The lines holding a suppression comment (real comments: tokens, not text in strings)."""
    lines: set[int] = set()
    if b"allow-exit" not in source:
        return lines
    try:
        for token in tokenize.tokenize(io.BytesIO(source).readline):
            if token.type == tokenize.COMMENT and SUPPRESSION.match(token.string):
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass  # the source parsed, so this is rare; whatever was found so far counts
    return lines


def _allowed(found: ExitCall, allowed: set[int]) -> bool:
    first = found.first_line or found.line
    return any(line in allowed for line in range(first, max(found.last_line, found.line) + 1))


def read(path: Path) -> Union[bytes, str, None]:
    """The file's bytes; else why it cannot be read; None when it is a directory (nothing to check)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "a symbolic link to a missing file" if os.path.islink(path) else "no such file"
    except OSError as exc:
        return _why(exc)
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except OSError as exc:
        return _why(exc)


def _why(error: OSError) -> str:
    return f"cannot read it ({(error.strerror or str(error)).lower()})"


def fix(path: Path, source: bytes) -> Optional[bytes]:
    """The repaired source, or None when nothing changes or the codemod cannot run."""
    from collect_fix import transforms  # LibCST and the codemods: only when there is something to fix
    from collect_fix.types import Edit

    edit = Edit("", "guard_module_exit", (("strategy", "skip"), ("test_module", True)))
    try:
        new_source = transforms.run_edit(edit, source, path, None)
    except transforms.TransformError:
        return None
    return new_source if new_source != source else None


def write_through(path: Path, data: bytes) -> str:
    """Replace the file ``path`` names in one step: a symlink's target, keeping the link, the
    target's mode and (where allowed) owner. Returns a note for the user, "" if none."""
    from collect_fix.interrupts import signals_deferred

    with signals_deferred():  # a Ctrl-C between the temp file and the rename must not leave it behind
        return _write_through(path, data)


def _write_through(path: Path, data: bytes) -> str:
    import tempfile

    target = Path(os.path.realpath(path))
    info = target.stat()
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".collect-fix", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(temporary):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except OSError:
                pass  # only root may give a file away; the content is what matters
        os.replace(temporary, target)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    if info.st_nlink > 1:
        return " (it had other hard links: they keep the old content)"
    return ""


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="collect-fix-hook", description=(__doc__ or "").split("\n\n")[0],
        epilog="Exit status: 0 every file checked and clean; 1 an exit reported, a file that could "
               "not be checked, or a file --fix changed; 2 bad usage.",
    )
    parser.add_argument("files", nargs="*", type=Path, help="files to check (pre-commit passes staged files)")
    parser.add_argument(
        "--python-files", action="append", metavar="GLOB",
        help="test module name pattern, repeatable (default: test_*.py and *_test.py)",
    )
    parser.add_argument(
        "--fix", action="store_true",
        help="rewrite import-time exits in test modules as collect-fix --apply does (never a conftest)",
    )
    args = parser.parse_args(argv)
    patterns = tuple(args.python_files or DEFAULT_PYTHON_FILES)
    status = 0
    for path in args.files:
        if is_test_file(path, patterns) and not check_file(path, args.fix):
            status = 1
    return status


def check_file(path: Path, fixing: bool) -> bool:
    """Check (and with ``fixing``, repair) one file, printing what it finds; True when all is well."""
    source = read(path)
    if source is None:
        return True
    if isinstance(source, str):
        print(Unchecked(str(path), source))
        return False
    try:
        result = check(source)
    except SourceError as exc:
        print(Unchecked(str(path), exc.reason, exc.line))
        return False
    conftest = path.name == "conftest.py"
    clean = True
    if fixing and not conftest and result.fixable():
        new_source = fix(path, source)
        if new_source is not None:
            count = sum(item.blocks_collection for item in result.reportable())
            try:
                note = write_through(path, new_source)
            except OSError as exc:
                print(f"{path}: {UNCHECKED} could not write the fix: {(exc.strerror or str(exc)).lower()}")
            else:
                print(f"{path}: fixed {count} import-time exit(s){note}")
                try:
                    result = check(new_source)
                except SourceError as exc:  # the codemod's output always parses; say so if not
                    print(Unchecked(str(path), f"after the fix: {exc.reason}", exc.line))
                    return False
            clean = False  # pre-commit convention: a hook that changed files fails
    for item in result.reportable():
        print(Finding(str(path), item, conftest))
        clean = False
    return clean


if __name__ == "__main__":
    sys.exit(main())
