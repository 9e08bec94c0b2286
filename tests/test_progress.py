"""The live line's file count, from a real child process that writes probe records as it goes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from collect_fix import progress

_WRITER = """
import json, sys, time
records = sys.argv[1]
for name in ("a", "b", "c"):
    with open(records, "a") as stream:
        stream.write(json.dumps({"type": "begin", "path": f"tests/test_{name}.py"}) + "\\n")
        stream.write(json.dumps({"type": "begin", "path": f"tests/test_{name}.py"}) + "\\n")  # same file again
    time.sleep(0.4)
"""


def test_a_listener_hears_the_distinct_files_a_collection_has_reached(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    process = subprocess.Popen([sys.executable, "-c", _WRITER, str(records)])
    heard: list[int] = []
    with progress.listening(heard.append):
        progress.wait(process, timeout=60, records=(records,))

    assert process.returncode == 0
    assert heard, "a collection longer than the poll interval reports at least once"
    assert heard == sorted(heard)  # counts only grow
    assert set(heard) <= {0, 1, 2, 3} and heard[-1] >= 2


def test_without_a_listener_wait_is_the_plain_wait(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.6)"])
    progress.wait(process, timeout=60, records=(records,))
    assert process.returncode == 0
    assert not records.exists()


def test_the_line_shows_the_stage_and_the_count_and_clears() -> None:
    screen = io.StringIO()
    line = progress.LiveLine(screen, width=lambda: 80)
    line.stage("round 1: 2 repairs")
    line.files(1)
    line.files(3)
    line.clear()
    updates = screen.getvalue().split("\r")
    assert updates[1:] == [
        "collect-fix: round 1: 2 repairs\x1b[K",
        "collect-fix: round 1: 2 repairs (1 file so far)\x1b[K",
        "collect-fix: round 1: 2 repairs (3 files so far)\x1b[K",
        "\x1b[K",
    ]
    assert json.dumps(updates)  # plain text, nothing but the escape for clearing
