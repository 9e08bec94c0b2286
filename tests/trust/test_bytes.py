"""Promise (README, "--apply"): repairs are written atomically with the file's encoding and newlines
kept, and nothing else of the file changes; ``--dry-run`` writes nothing and shows exactly the
diff (``git apply`` accepts it) that ``--apply`` then writes. Issue 8: the run never crashes on
what a real tree holds, so files in any encoding, with any line ends, without a last newline,
with NUL bytes or bytes no codec reads, and a 20,000-line test file end in a report (exit 0 or 1),
never in a traceback (exit 2).

One project holds every case (each file is repaired, or is left byte for byte and reported), so
one dry run and one ``--apply`` cover them all; the tests only read the result.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest
from cli_runs import cli, computed_once, environment, scratch_left, temp_files_in, tree, write_tree
from conftest import failing_files, snapshot

EXIT = "import sys\n\nsys.exit(1)\n\n\ndef test_{name}():\n    assert {value} == {value}\n"


def _exit_file(name: str, value: str, encoding: str = "utf-8", newline: str = "\n", head: str = "") -> bytes:
    return (head + EXIT.format(name=name, value=value)).replace("\n", newline).encode(encoding)


def _report_file() -> bytes:
    """20,000 lines: an exit at the top, a golden output of 19,800 lines, 60 tests reading it."""
    lines = ["import sys", "", 'sys.exit("needs the report server")', "", 'EXPECTED = """\\']
    lines += [f"row {i:05d}: total={i * 7 % 1000:4d}  status={'ok' if i % 3 else 'late'}" for i in range(19_800)]
    lines += ['"""', ""]
    for i in range(60):
        lines += ["", f"def test_row_{i}():", f"    assert EXPECTED.splitlines()[{i}].startswith('row {i:05d}')"]
    lines += [""] * (20_000 - len(lines) - 1)
    return ("\n".join(lines) + "\n").encode()


@dataclass(frozen=True)
class Case:
    """A file a repair edits: its bytes, what must still open it, the original text from ``tail`` to
    the end that must still end it (None: the repair appends), and its line ends ("" mixed)."""

    data: bytes
    prefix: bytes
    tail: Optional[bytes]
    newline: str

    def kept_tail(self) -> bytes:
        return self.data[self.data.index(self.tail):] if self.tail is not None else b""


REPAIRED = {
    "tests/test_latin1.py": Case(_exit_file("latin1", '"caf\u00e9"', "latin-1", head="# -*- coding: latin-1 -*-\n"),
                                 b"# -*- coding: latin-1 -*-\n", b"\n\n\ndef test_latin1", "\n"),
    "tests/test_cp1252.py": Case(_exit_file("cp1252", '"\u20ac5 \u2019"', "cp1252", head="# coding: cp1252\n"),
                                 b"# coding: cp1252\n", b"\n\n\ndef test_cp1252", "\n"),
    "tests/test_bom.py": Case(b"\xef\xbb\xbf" + _exit_file("bom", '"\u00fc"'), b"\xef\xbb\xbf", b"\n\n\ndef test_bom", "\n"),
    "tests/test_crlf.py": Case(_exit_file("crlf", "1", newline="\r\n"), b"", b"\r\n\r\n\r\ndef test_crlf", "\r\n"),
    "tests/test_mixed.py": Case(b"import sys\r\n\nsys.exit(1)\n\r\n\ndef test_mixed():\r\n    assert 1\n", b"",
                                b"\n\r\n\ndef test_mixed", ""),
    "tests/test_no_eol.py": Case(_exit_file("no_eol", "2").rstrip(b"\n"), b"", b"\n\n\ndef test_no_eol", "\n"),
    "tests/test_tabs.py": Case(b"import sys\n\nif True:\n\tsys.exit(1)\n\n\ndef test_tabs():\n\tassert 1\n", b"",
                               b"\n\n\ndef test_tabs", "\n"),
    "tests/test_report.py": Case(_report_file(), b"", b'\n\nEXPECTED = """', "\n"),
    # The exit's announcement (non-ASCII) becomes the skip's reason, written in the file's encoding.
    "tests/test_latin1_reason.py": Case(
        b'# -*- coding: latin-1 -*-\nimport sys\n\nprint("\xc9chec \xa4")\nsys.exit(1)\n\n\ndef test_reason():\n    pass\n',
        b'# -*- coding: latin-1 -*-\n', b"\n\n\ndef test_reason", "\n"),
    # An import added to a latin-1 file with CRLF line ends, after its docstring.
    "tests/test_label.py": Case(
        b'# -*- coding: latin-1 -*-\r\n"""Caf\xe9 labels."""\r\n\r\n\r\ndef label(name: Optional[str]) -> str:\r\n'
        b'    return name or "caf\xe9"\r\n\r\n\r\ndef test_label():\r\n    assert label(None) == "caf\xe9"\r\n',
        b'# -*- coding: latin-1 -*-\r\n"""Caf\xe9 labels."""\r\n', b"\r\n\r\n\r\ndef label", "\r\n"),
    # A stub appended to a latin-1 module with CRLF line ends and a form feed (a page break).
    "shop/pricing.py": Case(b"# -*- coding: latin-1 -*-\r\n# Preis f\xfcr alles\r\n\x0c\r\n\r\ndef total_price(items):\r\n"
                            b"    return sum(items)  # \xe9\r\n", b"# -*- coding: latin-1 -*-\r\n# Preis f\xfcr alles\r\n",
                            None, "\r\n"),
}
# Left byte for byte: files no parser reads (reported), and files the planners scan on the way.
LEFT = {
    "tests/test_nul.py": b"def test_nul():\n    assert '\x00'\n",
    "tests/test_bad_utf8.py": b"def test_bad():\n    assert '\xff\xfe'\n",
    "tests/test_unknown_codec.py": b"# coding: klingon\nimport sys\n\nsys.exit(1)\n",
    "tests/test_wrong_cookie.py": b"# coding: utf-8\nimport sys\nX = '\xe9'\nsys.exit(1)\n",
    # Old Mac line ends: LibCST drops the last CR of such a file, so collect-fix must not edit it.
    "tests/test_cr_only.py": b"def label(name: Optional[str]) -> str:\r    return name or ''\r\r\rdef test_cr():\r    assert not label(None)\r",
    "tests/test_ok.py": b"def test_ok():\n    pass\n",
    "tests/test_pricing.py": b"from shop.pricing import price_total\n\n\ndef test_total():\n    assert price_total([1, 2]) == 3\n",
    # A name latin-1 cannot hold, to be stubbed into the latin-1 module: refused, not a crash.
    "tests/test_unencodable.py": "from shop.pricing import \u540d\u524d\n\n\ndef test_name():\n    assert \u540d\u524d\n".encode(),
    "shop/__init__.py": b"",
    "shop/legacy.py": b'NAME = "caf\xe9"\n',  # latin-1 without a cookie: not valid UTF-8
    "shop/nul.py": b"X = 1\x00\n",
    "shop/klingon.py": b"# coding: klingon\nX = 1\n",
    "pyproject.toml": b"[tool.pytest.ini_options]\n",
}
NOT_PARSED = ["tests/test_bad_utf8.py", "tests/test_cr_only.py", "tests/test_nul.py", "tests/test_unencodable.py",
              "tests/test_unknown_codec.py", "tests/test_wrong_cookie.py"]


@dataclass
class Runs:
    original: dict[str, bytes]
    dry: "subprocess.CompletedProcess[bytes]"
    dry_report: dict[str, Any]
    dry_wrote_nothing: bool
    applied: "subprocess.CompletedProcess[bytes]"
    report: dict[str, Any]
    root: Path
    home: Path
    replayed_from_dry_diff: Path
    git_apply: str  # "applied", or what git apply said (empty: no git, or no diff)


def _runs(base: Path) -> Runs:
    files = {**{name: case.data for name, case in REPAIRED.items()}, **LEFT}
    root = write_tree(base / "project", files)
    replay = write_tree(base / "replay", files)
    env = environment(base / "home")
    before = snapshot(root)
    dry = cli("--dry-run", "--no-color", "--json", str(base / "dry.json"), str(root), env=env)
    dry_wrote_nothing = snapshot(root) == before
    applied = cli("--apply", "--json", str(base / "applied.json"), str(root), env=env)
    reports = [json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
               for path in (base / "dry.json", base / "applied.json")]
    git_apply = ""
    if shutil.which("git") and reports[0].get("diff"):
        replayed = subprocess.run(["git", "apply", "-"], input=reports[0]["diff"].encode("utf-8", "surrogateescape"),
                                  cwd=replay, capture_output=True)
        git_apply = replayed.stderr.decode(errors="replace") if replayed.returncode else "applied"
    return Runs(files, dry, reports[0], dry_wrote_nothing, applied, reports[1], root, base / "home", replay, git_apply)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return computed_once(tmp_path_factory, "bytes", _runs)


def test_no_run_crashes(runs: Runs) -> None:
    """Issue 8 (encodings and bytes): every run ends in a report, exit 0 or 1, never a traceback."""
    for run in (runs.dry, runs.applied):
        assert run.returncode == 1, run.stdout.decode(errors="replace") + run.stderr.decode(errors="replace")
        assert b"Traceback" not in run.stderr and b"internal error" not in run.stderr


def test_the_dry_run_writes_nothing_and_its_diff_is_what_apply_writes(runs: Runs) -> None:
    """README: --dry-run writes nothing in the project; its diff (``git apply`` accepts it, the
    files' own bytes on stdout) gives byte for byte the files --apply writes."""
    assert runs.dry_wrote_nothing
    assert runs.dry.stdout.startswith(runs.dry_report["diff"].encode("utf-8", "surrogateescape"))
    assert runs.dry_report["files_changed"] == runs.report["files_changed"] == sorted(REPAIRED)
    if shutil.which("git") is None:
        pytest.skip("git apply replays the dry run's diff")
    assert runs.git_apply == "applied"
    assert tree(runs.replayed_from_dry_diff) == tree(runs.root)


@pytest.mark.parametrize("relative", sorted(REPAIRED))
def test_a_repaired_file_keeps_its_encoding_newlines_and_other_bytes(runs: Runs, relative: str) -> None:
    """README: repairs are written keeping the file's encoding and newlines; the bytes the repair
    did not touch stay identical."""
    case = REPAIRED[relative]
    before, after = case.data, (runs.root / relative).read_bytes()
    assert after != before
    assert after.startswith(case.prefix)
    assert after.endswith(case.kept_tail())
    if relative == "shop/pricing.py":
        assert b"def total_price(items):\r\n    return sum(items)  # \xe9\r\n" in after
        assert after.count(b"\x0c\r\n") == 1
    encoding = tokenize.detect_encoding(io.BytesIO(before).readline)[0]
    assert tokenize.detect_encoding(io.BytesIO(after).readline)[0] == encoding
    text = after.decode(encoding)
    assert text.count("\ufffd") == 0
    for accented in ("\u00e9", "\u00fc", "\u20ac"):
        assert text.count(accented) == before.decode(encoding).count(accented)
    if case.newline == "\r\n":
        assert after.count(b"\n") == after.count(b"\r\n"), "a bare LF was written into a CRLF file"
    elif case.newline == "\n":
        assert b"\r" not in after
    compile(after, relative, "exec")  # still Python, in its own encoding
    if relative == "tests/test_latin1_reason.py":
        assert '"\u00c9chec \u00a4"' in text.split("def test_reason")[0].split("print(")[-1]


def test_shims_are_listed_with_their_own_line(runs: Runs) -> None:
    """README: the report ends with the shims left in the tree, ``path:line: source line``; the line
    is the file's own, read in its encoding, also below a form feed (a page break, which
    str.splitlines takes for a line end and Python does not)."""
    assert runs.report["stubs"]
    for entry in runs.report["stubs"]:
        path, line, text = entry.split(":", 2)
        source = (runs.root / path).read_bytes().decode("latin-1").split("\n")
        assert source[int(line) - 1].strip() == text.strip() != ""


def test_a_file_without_a_last_newline_keeps_it_missing(runs: Runs) -> None:
    """README: newlines kept, including the absence of the last one."""
    assert not (runs.root / "tests/test_no_eol.py").read_bytes().endswith(b"\n")


@pytest.mark.parametrize("relative", sorted(LEFT))
def test_files_without_a_repair_are_left_byte_for_byte(runs: Runs, relative: str) -> None:
    """README: only repairs are written; files the planners merely read (in any encoding, with NUL
    bytes) and files no repair can reach stay as they were."""
    assert (runs.root / relative).read_bytes() == LEFT[relative]


def test_files_no_parser_reads_are_reported_by_name(runs: Runs) -> None:
    """Issue 8: a file with a NUL byte, invalid UTF-8, an unknown codec, a wrong cookie or line
    ends LibCST cannot reproduce, and a repair whose text the target's encoding cannot hold, are
    reported with their path (for a person), never edited, never a crash."""
    remaining = {entry["path"] for entry in runs.report["remaining"]}
    assert sorted(remaining) == NOT_PARSED
    advice = {entry["path"]: entry["advice"] for entry in runs.report["remaining"]}
    assert "byte for byte" in advice["tests/test_cr_only.py"]
    assert "iso-8859-1, which cannot hold '\u540d\u524d'" in advice["tests/test_unencodable.py"]


def test_pytest_collects_every_repaired_file(runs: Runs) -> None:
    """README: every number comes from pytest; after --apply real pytest fails only on the files
    left for a person."""
    assert failing_files(runs.root) == NOT_PARSED
    assert runs.report["after"]["errors"] == len(NOT_PARSED)


def test_nothing_is_left_behind(runs: Runs) -> None:
    """README: atomic writes: no temporary file in the project, no scratch copy in the temp dir."""
    assert temp_files_in(runs.root) == []
    assert scratch_left(runs.home) == []
