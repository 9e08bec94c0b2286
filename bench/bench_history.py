"""How long does reading a missing name's history take on a long history?

Builds a repository (with ``git fast-import``) whose module ``pkg/core.py`` (200 functions) is
changed by every one of N commits. ``late`` is renamed in the last commit, ``recent`` 150
commits before, ``early`` in the second commit (beyond the 200 commits git_evidence reads, so
it finds nothing), ``uncommitted`` in the work tree; ``never`` never existed. Prints, per
question, the wall time and the number of git processes of a first ask and of the same ask
again (answers are cached by commit).

    python bench/bench_history.py --commits 3000
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from collect_fix import git_evidence
from collect_fix.project import Project


def module(version: int, renamed_early: bool, renamed_recent: bool, renamed_late: bool) -> str:
    functions = "".join(f"def helper_{i}(value, factor={i}):\n    return value * factor + {i}\n\n\n" for i in range(200))
    early = "early_renamed" if renamed_early else "early"
    late = "late_renamed" if renamed_late else "late"
    recent = "recent_renamed" if renamed_recent else "recent"
    return (
        f'"""Core."""\n\nVERSION = {version}\n\n\n{functions}'
        f"def {early}(path, *, strict=False):\n    return path\n\n\n"
        f"def {late}(items):\n    return len(items)\n\n\n"
        f"def {recent}(items, key=None):\n    return sorted(items, key=key)\n\n\n"
        "def uncommitted(a, b):\n    return a - b\n"
    )


def build(root: Path, commits: int) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    stream = []
    for number in range(commits):
        text = module(
            number, renamed_early=number >= 1, renamed_recent=number >= commits - 150, renamed_late=number == commits - 1
        ).encode()
        message = f"commit {number}".encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer t <t@example.com> {1_600_000_000 + number} +0000\n".encode())
        stream.append(b"data %d\n%s\n" % (len(message), message))
        stream.append(b"M 100644 inline pkg/core.py\n")
        stream.append(b"data %d\n%s\n" % (len(text), text))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=root, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    (root / "pkg/__init__.py").write_text("")
    core = root / "pkg/core.py"
    core.write_text(core.read_text().replace("def uncommitted(", "def not_committed("))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=3000)
    args = parser.parse_args()
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command: list[str], **kwargs: Any) -> Any:
        calls.append(command)
        return real_run(command, **kwargs)

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        started = time.perf_counter()
        build(root, args.commits)
        print(f"built {args.commits} commits in {time.perf_counter() - started:.1f} s")
        git_evidence.subprocess.run = counting_run  # type: ignore[assignment]
        project = Project(root)
        for name in ("late", "recent", "uncommitted", "early", "never"):
            for ask in ("first", "again"):
                calls.clear()
                started = time.perf_counter()
                change = git_evidence.name_change(project, "pkg/core.py", name)
                elapsed = time.perf_counter() - started
                successor = change.successor.name if change and change.successor else None
                where = change.where if change else "no change"
                print(f"{name:12} {ask:5} {elapsed * 1000:8.1f} ms  {len(calls)} git calls  -> {successor} ({where})")


if __name__ == "__main__":
    main()
