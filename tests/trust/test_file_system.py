"""Promises (README): never written: files outside PATH (also through a link), files marked
``@generated`` (anywhere in the file); writes are atomic and keep the file's mode and, where the
OS allows, its owner; the dry run's diff is what ``--apply`` writes. Issue 8 ("Data and writes",
"Honest exit codes"): a target that cannot be written is refused before anything of its repair is
written, naming the path, and the report never leaves a repair on disk it does not list as kept;
a hard link replaced is said; a module name from an error message that is not a dotted identifier
(or a keyword, or 300 characters long) never becomes a file and never crashes the run.

Three projects: one as root may have it (links, owners, odd names, hostile module names, a FIFO,
link loops), one run as an ordinary user (read-only file and folder, unreadable folder and file),
each run once with ``--dry-run`` and once with ``--apply``; and, as root, one on a file system
with no space left. They run side by side; the tests read the results.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

import pytest
from cli_runs import (
    cli, computed_once, environment, in_parallel, scratch_left, shared_folder, temp_files_in, tree, unprivileged,
    write_tree,
)
from conftest import snapshot

EXIT = "import sys\n\nsys.exit(1)\n\n\ndef test_{name}():\n    pass\n"
ODD_NAMES = ["tests/test_with space.py", "tests/test_\u00fcn\u00ef.py", "tests/test_$(touch pwned).py",
             "tests/test_new\nline.py", 'tests/test_q"uote.py', "tests/test_back\\slash.py",
             os.fsdecode(b"tests/test_caf\xe9.py")]  # a latin-1 name: not valid UTF-8
# Module names a test imports by string: none of them may become a file.
MODULE_NAMES = {
    "shell": "mypkg.$(touch pwned) y", "keyword": "mypkg.class", "long": "mypkg." + "a" * 300,
    "traversal": "mypkg.x/../../evil", "empty_part": "mypkg..dots", "space": "mypkg.two words",
    "newline": "mypkg.a\nb", "dash": "mypkg.my-mod",
}
GENERATED = EXIT.format(name="generated") + "".join(f"# padding {i:03d} {'.' * 60}\n" for i in range(80)) + "# @generated\n"
OUTSIDE = {"test_out.py": EXIT.format(name="out"), "ext/test_extdir.py": EXIT.format(name="extdir")}


def _root_project(root: Path, outside: Path) -> None:
    files = {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "tests/test_ok.py": "def test_ok():\n    pass\n",
        "tests/test_hard.py": EXIT.format(name="hard"),
        "tests/test_twin.py": EXIT.format(name="twin"),
        "tests/test_owned.py": EXIT.format(name="owned"),
        "tests/test_exec.py": EXIT.format(name="exec"),
        "tests/test_generated.py": GENERATED,
        "mypkg/__init__.py": "",
        **{name: EXIT.format(name=f"odd_{index}") for index, name in enumerate(ODD_NAMES)},
        **{f"tests/test_module_{key}.py": f"import importlib\n\nimportlib.import_module({name!r})\n\n\ndef test_{key}():\n    pass\n"
           for key, name in MODULE_NAMES.items()},
    }
    write_tree(root, files)
    write_tree(outside, OUTSIDE)
    os.link(root / "tests/test_hard.py", root / "notes.txt")  # the same file under a second name
    os.link(root / "tests/test_twin.py", root / "tests/test_twin_too.py")  # two names, both test modules
    (root / "tests/test_exec.py").chmod(0o751)
    (root / "tests/test_owned.py").chmod(0o640)
    if os.geteuid() == 0:
        os.chown(root / "tests/test_owned.py", 65534, 65534)
    (root / "tests/test_linked_out.py").symlink_to(os.path.relpath(outside / "test_out.py", root / "tests"))
    (root / "tests/ext").symlink_to(outside / "ext")
    (root / "tests/loop_a").symlink_to("loop_b")
    (root / "tests/loop_b").symlink_to("loop_a")
    (root / "tests/self_loop.py").symlink_to("self_loop.py")
    (root / "tests/dangling.py").symlink_to("missing.py")
    os.mkfifo(root / "mypkg/fifo.py")  # reading it would block forever


@dataclass
class Result:
    """Everything the tests look at, taken when the runs ended (a picklable record: see computed_once)."""

    before: dict[str, bytes]
    after: dict[str, bytes]
    outside_before: dict[str, bytes]
    outside_after: dict[str, bytes]
    modes: dict[str, tuple[int, int, int, int]]  # path -> (mode, uid, gid, links), as lstat says after --apply
    dry: "subprocess.CompletedProcess[bytes]"
    dry_report: dict[str, Any]
    dry_wrote_nothing: bool
    applied: "subprocess.CompletedProcess[bytes]"
    report: dict[str, Any]
    replayed: dict[str, bytes]  # the original files with the dry run's diff applied by git
    git_apply: str  # "applied", or what git apply said (empty: no git, or no diff)
    left_behind: list[str]  # temporary files in the project, scratch copies in the temp dir
    pwned: bool  # a file named "pwned" appeared anywhere: a file name was run as a command


def _dry_run_then_apply(base: Path, write: Any, user: tuple[str, ...] = (), python: str = "") -> Result:
    """Write the project twice (one copy replays the dry run's diff with git), dry run, apply."""
    root, outside = base / "project", base / "outside"
    write(root, outside)
    write(base / "replay" / "project", base / "replay" / "outside")
    env = environment(base / "home", COLLECT_FIX_NO_REPLAY="1")  # --apply searches on its own
    if user:
        for folder in (base / "home", base / "home" / "tmp", base / "home" / "cache"):
            folder.chmod(0o777)
    before, before_stat, outside_before = tree(root), snapshot(root), tree(outside)
    extra: dict[str, Any] = {"user": user, "python": python} if python else {}
    dry = cli("--dry-run", "--format", "json", str(root), env=env, **extra)
    dry_wrote_nothing = snapshot(root) == before_stat
    applied = cli("--apply", "--format", "json", str(root), env=env, **extra)
    reports = [json.loads(run.stdout) if run.stdout.startswith(b"{") else {} for run in (dry, applied)]
    replay = base / "replay" / "project"
    git_apply = ""
    if shutil.which("git") and reports[0].get("diff"):
        replayed = subprocess.run(["git", "apply", "-"], input=reports[0]["diff"].encode("utf-8", "surrogateescape"),
                                  cwd=replay, capture_output=True)
        git_apply = replayed.stderr.decode(errors="replace") if replayed.returncode else "applied"
    modes = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            status = os.lstat(Path(directory, name))
            modes[Path(directory, name).relative_to(root).as_posix()] = (
                status.st_mode, status.st_uid, status.st_gid, status.st_nlink)
    return Result(before, tree(root), outside_before, tree(outside), modes, dry, reports[0], dry_wrote_nothing,
                  applied, reports[1], files_only(replay), git_apply, temp_files_in(root) + scratch_left(base / "home"),
                  any(path.name == "pwned" for path in base.rglob("*")))


def files_only(root: Path) -> dict[str, bytes]:
    """``tree`` without the links (a replayed copy's links lead to its own places)."""
    return {path: data for path, data in tree(root).items() if not (root / path).is_symlink()}


def _all(base: Path) -> dict[str, Any]:
    """The three projects' runs at once (they wait on subprocesses): links, permissions as an
    ordinary user, a full disk (each of the last two: or why it cannot be tested here)."""

    def links() -> Union[Result, str]:
        return _dry_run_then_apply(base, _root_project)

    def permissions() -> Union[Result, str]:
        with shared_folder() as folder:
            user = unprivileged(folder)
            if isinstance(user, str):
                return user
            return _dry_run_then_apply(folder, _permission_project, *user)

    found = in_parallel([links, permissions, lambda: _disk_full(base / "disk")], workers=3)
    return {"links": found[0], "permissions": found[1], "disk_full": found[2]}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return computed_once(tmp_path_factory, "file-system", _all)


@pytest.fixture
def links(results: dict[str, Any]) -> Result:
    found = results["links"]
    assert isinstance(found, Result)
    return found


@pytest.fixture
def permissions(results: dict[str, Any]) -> Result:
    found = results["permissions"]
    if isinstance(found, str):
        pytest.skip(found)
    return found


# --- links, owners, names: as root may have them ---------------------------------------------------


def test_the_runs_end_in_a_report(links: Result) -> None:
    """Issue 8: links out, link loops, a FIFO, odd names and hostile module names end in a report
    (exit 1: errors remain), never in an internal error or a traceback."""
    for run in (links.dry, links.applied):
        assert run.returncode == 1, run.stderr.decode(errors="replace")
        assert b"Traceback" not in run.stderr and b"internal error" not in run.stderr


def test_nothing_outside_the_project_is_written_through_a_link(links: Result) -> None:
    """README: never edited: files outside PATH. A link to a file or a folder outside the project
    is never written through; the report names the file it could not repair, and why."""
    assert links.outside_after == links.outside_before == {name: data.encode() for name, data in OUTSIDE.items()}
    remaining = {entry["path"]: entry["advice"] for entry in links.report["remaining"]}
    for path in ("tests/test_linked_out.py", "tests/ext/test_extdir.py"):
        assert "outside the project root" in remaining[path], remaining
        assert links.report["files_changed"].count(path) == 0


def test_links_and_special_files_are_left_as_they_are(links: Result) -> None:
    """README: only repairs are written: links (also loops and dangling ones) keep their targets,
    and a FIFO named like a module is never opened (it would block the run forever)."""
    after = links.after
    for name in ("tests/test_linked_out.py", "tests/ext", "tests/loop_a", "tests/loop_b", "tests/self_loop.py",
                 "tests/dangling.py"):
        assert after[name] == links.before[name]
    assert stat.S_ISFIFO(links.modes["mypkg/fifo.py"][0])


def test_generated_past_the_first_4_kb_is_never_edited(links: Result) -> None:
    """README: never edited: files marked @generated (issue 8: the marker past the first 4 KB)."""
    assert GENERATED.index("@generated") > 4096
    assert links.after["tests/test_generated.py"] == GENERATED.encode()
    remaining = {entry["path"]: entry["advice"] for entry in links.report["remaining"]}
    assert "@generated" in remaining["tests/test_generated.py"]


def test_a_replaced_hard_link_is_reported(links: Result) -> None:
    """Issue 8: hard links are not broken silently: the report says the repaired name was replaced
    and the other name keeps the old content; the dry run says the same."""
    assert "tests/test_hard.py" in links.report["files_changed"]
    assert links.after["notes.txt"] == links.before["notes.txt"] != links.after["tests/test_hard.py"]
    assert links.modes["tests/test_hard.py"][3] == links.modes["notes.txt"][3] == 1
    assert [warning.split(":")[0] for warning in links.report["warnings"]] == [
        "tests/test_hard.py had 2 hard links", "tests/test_twin.py had 2 hard links"]  # its twin had 1 left
    assert links.after["tests/test_twin.py"] == links.after["tests/test_twin_too.py"] != links.before["tests/test_twin.py"]
    assert links.dry_report["warnings"] == links.report["warnings"]  # the dry run's copy has no hard links


def test_mode_and_owner_are_kept(links: Result) -> None:
    """README: atomic writes keep the file's mode and, where the OS allows (root), its owner."""
    assert {"tests/test_exec.py", "tests/test_owned.py"} <= set(links.report["files_changed"])
    assert stat.S_IMODE(links.modes["tests/test_exec.py"][0]) == 0o751
    mode, uid, gid, _ = links.modes["tests/test_owned.py"]
    assert stat.S_IMODE(mode) == 0o640
    if os.geteuid() == 0:
        assert (uid, gid) == (65534, 65534)


def test_odd_file_names_are_repaired_and_the_diff_applies(links: Result) -> None:
    """README: the dry run prints a git-style diff that ``git apply`` accepts and that gives exactly
    what --apply writes, whatever the file names hold (spaces, non-ASCII, quotes, a backslash, a
    newline, ``$(...)``, bytes that are not UTF-8); nothing named in a file name is ever run."""
    assert links.dry_wrote_nothing
    assert set(ODD_NAMES) <= set(links.report["files_changed"])
    assert links.dry_report["files_changed"] == links.report["files_changed"]
    if shutil.which("git") is None:
        pytest.skip("git apply replays the dry run's diff")
    assert links.git_apply == "applied"
    assert links.replayed == {path: data for path, data in links.after.items() if not data.startswith(b"-> ")}
    assert not links.pwned


def test_module_names_that_are_no_identifiers_never_become_files(links: Result) -> None:
    """Issue 8: a module name from an error message becomes a file only when it is a dotted name of
    identifiers that are not keywords; a 300-character name does not crash the run. Each is left
    for a person, by the test file that imports it."""
    assert set(links.after) == set(links.before)  # --apply created no file at all
    remaining = {entry["path"] for entry in links.report["remaining"]}
    assert {f"tests/test_module_{key}.py" for key in MODULE_NAMES} <= remaining


def test_nothing_is_left_behind(links: Result) -> None:
    """README: atomic writes: no temporary file in the project, no scratch copy in the temp dir."""
    assert links.left_behind == []


# --- permissions: as an ordinary user --------------------------------------------------------------


def _permission_project(root: Path, outside: Path) -> None:
    write_tree(root, {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "tests/test_writable.py": EXIT.format(name="writable"),
        "tests/test_read_only.py": EXIT.format(name="read_only"),
        "locked/test_in_read_only_folder.py": EXIT.format(name="in_read_only_folder"),
        # Two files with one basename: the repair writes __init__.py into both folders, one read-only.
        "tests/a/test_same.py": "def test_a():\n    pass\n",
        "tests/b/test_same.py": "def test_b():\n    pass\n",
        "tests/private/test_private.py": "def test_private():\n    pass\n",
        # A renamed name: the planners scan the package, which holds a file nobody may read.
        "shop/__init__.py": "",
        "shop/pricing.py": "def total_price(items):\n    return sum(items)\n",
        "shop/secret.py": "KEY = 1\n",
        "tests/test_pricing.py": "from shop.pricing import price_total\n\n\ndef test_total():\n    assert price_total([1]) == 1\n",
    })
    for path in [root, *root.rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)  # the project is the user's to repair
    (root / "tests/test_read_only.py").chmod(0o444)
    (root / "locked").chmod(0o555)
    (root / "tests/b").chmod(0o555)
    (root / "tests/private").chmod(0o000)
    (root / "shop/secret.py").chmod(0o000)


def test_permission_problems_end_in_a_report(permissions: Result) -> None:
    """Issue 8: a read-only file or folder, an unreadable folder and an unreadable file end in a
    report (exit 1), never in ``internal error: PermissionError`` (also in the dry run, which
    copies the project)."""
    for run in (permissions.dry, permissions.applied):
        assert run.returncode == 1, run.stderr.decode(errors="replace")
        assert b"Traceback" not in run.stderr and b"internal error" not in run.stderr


def test_a_repair_that_cannot_be_written_is_refused_naming_the_path(permissions: Result) -> None:
    """Issue 8: every target is checked before a repair writes anything; the refusal names the path."""
    failed = {outcome["path"]: outcome["reason"] for outcome in permissions.report["outcomes"] if outcome["status"] == "failed"}
    assert failed == {
        "tests/test_read_only.py": "cannot write tests/test_read_only.py: the file is read-only",
        "locked/test_in_read_only_folder.py": "cannot write locked/test_in_read_only_folder.py: the directory locked is not writable",
        "tests/b/test_same.py": "cannot write tests/b/__init__.py: the directory tests/b is not writable",
    }
    for path in ("tests/test_read_only.py", "locked/test_in_read_only_folder.py", "tests/b/test_same.py"):
        assert permissions.after[path] == permissions.before[path]


def test_nothing_of_a_refused_repair_is_written(permissions: Result) -> None:
    """Issue 8: no partial writes: the repair that needed tests/a/__init__.py and tests/b/__init__.py
    wrote neither, though tests/a is writable."""
    assert "tests/a/__init__.py" not in permissions.after
    assert permissions.left_behind == []


def test_every_change_on_disk_is_a_kept_repair(permissions: Result) -> None:
    """Issue 8: never end with a repair on disk that the report does not list as kept."""
    after = permissions.after
    changed = sorted(path for path in set(after) | set(permissions.before) if after.get(path) != permissions.before.get(path))
    kept = {path for outcome in permissions.report["outcomes"] if outcome["status"] == "repaired" for path in outcome["files"]}
    assert changed == sorted(permissions.report["files_changed"]) == sorted(kept) == ["shop/pricing.py", "tests/test_writable.py"]


def test_the_dry_run_shows_what_apply_does(permissions: Result) -> None:
    """README: the dry run writes nothing and shows exactly the diff and report --apply gives."""
    assert permissions.dry_wrote_nothing
    for key in ("diff", "files_changed", "outcomes"):
        assert permissions.dry_report[key] == permissions.report[key], key
    assert [(entry["category"], entry["path"]) for entry in permissions.dry_report["remaining"]] == [
        (entry["category"], entry["path"]) for entry in permissions.report["remaining"]]


def test_the_dry_run_report_names_no_scratch_path(permissions: Result) -> None:
    """README: the dry run gives the same report as --apply; a path into its scratch copy (gone when
    the run ends) is one the user cannot follow."""
    assert "collect-fix-dry-run-" not in json.dumps(permissions.dry_report)


# --- a full disk: as root, on a tmpfs of its own ------------------------------------------------


@dataclass
class DiskFull:
    run: "subprocess.CompletedProcess[bytes]"
    report: dict[str, Any]
    before: list[str]  # every path in the project, folders too
    after: list[str]
    files_before: dict[str, bytes]
    files_after: dict[str, bytes]
    left_behind: list[str]


def _disk_full(base: Path) -> Union[DiskFull, str]:
    """--apply on a project whose file system has no byte left (a tiny tmpfs, filled up)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return "a full file system needs a tmpfs of its own: mount, as root"
    disk = base / "disk"
    disk.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        return f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}"
    try:
        root = write_tree(disk / "project", {
            "pyproject.toml": "[tool.pytest.ini_options]\n",
            "tests/test_exit.py": EXIT.format(name="exit"),
            "shop/__init__.py": "",
            # The stub module goes into a new folder, shop/sub, made before its files are written.
            "tests/test_gone.py": "from shop.sub.gone import thing\n\n\ndef test_gone():\n    assert thing\n",
        })
        with open(disk / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        env = environment(base / "home", COLLECT_FIX_NO_REPLAY="1")
        paths_before, files_before = sorted(path.relative_to(root).as_posix() for path in root.rglob("*")), tree(root)
        run = cli("--apply", "--format", "json", str(root), env=env)
        return DiskFull(run, json.loads(run.stdout) if run.stdout.startswith(b"{") else {}, paths_before,
                        sorted(path.relative_to(root).as_posix() for path in root.rglob("*")), files_before, tree(root),
                        temp_files_in(root) + scratch_left(base / "home"))
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


@pytest.fixture
def disk_full(results: dict[str, Any]) -> DiskFull:
    found = results["disk_full"]
    if isinstance(found, str):
        pytest.skip(found)
    assert isinstance(found, DiskFull)
    return found


def test_a_full_disk_leaves_nothing_half_written(disk_full: DiskFull) -> None:
    """Issue 8 (partial writes): a write that fails anyway (no space left) puts back what its repair
    wrote, the folders it made included, and the report names the file; exit 1, no traceback."""
    assert disk_full.run.returncode == 1, disk_full.run.stderr
    assert disk_full.files_after == disk_full.files_before
    assert disk_full.after == disk_full.before  # no empty shop/sub left
    assert disk_full.left_behind == []
    failed = {outcome["path"]: outcome["reason"] for outcome in disk_full.report["outcomes"]}
    assert failed == {"tests/test_exit.py": "cannot write tests/test_exit.py: No space left on device",
                      "tests/test_gone.py": "cannot write shop/sub/__init__.py: No space left on device"}
