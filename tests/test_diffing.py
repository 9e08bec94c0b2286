"""The dry-run diff is one `git apply` accepts, byte for byte."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from collect_fix.diffing import encode_diff, unified_diff

CASES = {
    "modified.py": (b"import os\n\nx = 1\n", b"import os\nimport sys\n\nx = 1\n"),
    "crlf.py": (b"a = 1\r\nb = 2\r\n", b"a = 1\r\nb = 3\r\n"),
    "no_newline.py": (b"a = 1", b"a = 2"),
    "pkg/new.py": (None, b"def f():\n    pass\n"),
    "pkg/__init__.py": (None, b""),
    "latin.py": (b"# -*- coding: latin-1 -*-\nname = '\xe9'\n", b"# -*- coding: latin-1 -*-\nname = '\xe9'\nother = 1\n"),
    "formfeed.py": (b"a = 1\n\x0c\nb = 2\n", b"a = 1\n\x0c\nb = 3\n"),
}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_apply_reproduces_the_new_tree(tmp_path: Path) -> None:
    for relative, (before, _) in CASES.items():
        if before is not None:
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(before)
    patch = "".join(unified_diff(relative, before, after) for relative, (before, after) in CASES.items())
    (tmp_path.parent / "change.patch").write_bytes(encode_diff(patch))

    subprocess.run(["git", "apply", "--unsafe-paths", str(tmp_path.parent / "change.patch")], cwd=tmp_path, check=True)

    for relative, (_, after) in CASES.items():
        assert (tmp_path / relative).read_bytes() == after, relative


def test_new_files_come_from_dev_null() -> None:
    diff = unified_diff("pkg/new.py", None, b"x = 1\n")
    assert diff.splitlines()[:4] == ["diff --git a/pkg/new.py b/pkg/new.py", "new file mode 100644", "--- /dev/null", "+++ b/pkg/new.py"]
