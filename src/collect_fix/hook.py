"""Pre-commit hook ``collect-fix-hook``: no sys.exit in test modules and conftests (CFX001).

An exit that runs while pytest imports a test file (sys.exit, exit, quit, raise SystemExit,
os._exit at module level) ends the collection of the whole session, not just that file. One in a
function of a test module fails or kills the run in a confusing way; ``pytest.fail`` and
``pytest.skip`` say what was meant. Exits in the body of ``if __name__ == "__main__":`` are fine.

Output is one ``path:line:col: CFX001 message`` line per exit; exit status 1 if any, else 0 and
silent. ``--fix`` rewrites import-time exits with the guard_module_exit codemod, strategy "skip":
``pytest.skip(..., allow_module_level=True)`` where the exit was, so the module stops exactly where
it used to (no pytest runs to verify a ``skipif`` mark, which would let the rest of the module run).
Exits in a conftest.py are reported but not rewritten: a skip there ends the whole session. To
allow one exit, put the comment on any line of its statement::

    sys.exit(main())  # collect-fix: allow-exit

Only files named like pytest test modules (``test_*.py``, ``*_test.py``, change with
``--python-files``) and ``conftest.py`` are checked. pytest never runs; files are read as bytes
and only those mentioning exit, quit or SystemExit are parsed (with ast first, LibCST only when
something is spelled like an exit).
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import os
import re
import stat
import sys
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import libcst as cst

from collect_fix import transforms
from collect_fix.exits import ExitCall, find_exits_in_source, may_exit, may_exit_parsed
from collect_fix.types import Edit

CODE = "CFX001"
DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
SUPPRESSION = re.compile(r"#\s*collect-fix:\s*allow-exit\b")
FIX = Edit("", "guard_module_exit", (("strategy", "skip"), ("test_module", True)))


@dataclass(frozen=True)
class Finding:
    path: str
    exit: ExitCall

    def __str__(self) -> str:
        return f"{self.path}:{self.exit.line}:{self.exit.col}: {CODE} {message(self.exit)}"


def message(found: ExitCall) -> str:
    what = found.display
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


def findings(source: bytes, path: str) -> list[Finding]:
    """Every reportable exit in ``source``; [] when it does not parse (other hooks report that)."""
    # Bytes first, then ast (~100x faster than LibCST): most files get no further.
    if not may_exit(source) or not may_exit_parsed(source):
        return []
    try:
        found = find_exits_in_source(source)
    except cst.ParserSyntaxError:
        return []
    allowed = allowed_lines(source)
    return [Finding(path, item) for item in found if not item.under_main_guard and not _allowed(item, allowed)]


def allowed_lines(source: bytes) -> set[int]:
    """The lines holding a suppression comment (real comments: tokens, not text in strings)."""
    lines: set[int] = set()
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


def fix(path: Path, source: bytes) -> Optional[bytes]:
    """The repaired source, or None when nothing changes or the codemod cannot run."""
    try:
        new_source = transforms.run_edit(FIX, source, path, None)
    except transforms.TransformError:
        return None
    return new_source if new_source != source else None


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` in one step, keeping its permission bits (bytes keep encoding and newlines)."""
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="collect-fix-hook", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="files to check (pre-commit passes staged files)")
    parser.add_argument(
        "--python-files", action="append", metavar="GLOB",
        help="test module name pattern, repeatable (default: test_*.py and *_test.py)",
    )
    parser.add_argument("--fix", action="store_true", help="rewrite import-time exits as collect-fix --apply does")
    args = parser.parse_args(argv)
    patterns = tuple(args.python_files or DEFAULT_PYTHON_FILES)
    status = 0
    for path in args.files:
        if not is_test_file(path, patterns) or not path.is_file():
            continue
        source = path.read_bytes()
        found = findings(source, str(path))
        if args.fix and _fixable(found, source):
            new_source = fix(path, source)
            if new_source is not None:
                write_atomically(path, new_source)
                print(f"{path}: fixed {sum(f.exit.blocks_collection for f in found)} import-time exit(s)")
                found = findings(new_source, str(path))
                status = 1  # pre-commit convention: a hook that changed files fails
        for finding in found:
            print(finding)
            status = 1
    return status


def _fixable(found: list[Finding], source: bytes) -> bool:
    """Some import-time exit to fix, and none the author allowed (the codemod rewrites them all)."""
    if not any(f.exit.blocks_collection for f in found):
        return False
    allowed = allowed_lines(source)
    return not any(item.blocks_collection and _allowed(item, allowed) for item in find_exits_in_source(source))


if __name__ == "__main__":
    sys.exit(main())
