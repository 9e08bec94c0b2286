"""The dry-run copy collects like the original: what it keeps, skips and re-points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_in_process

from collect_fix._probe import _PathMap
from collect_fix.scratch import copy_project


def test_files_and_packages_with_excluded_looking_names_are_kept(tmp_path: Path) -> None:
    original = tmp_path / "proj"
    for name in ("build/__init__.py", ".env", "dist.py", "src/pkg/__init__.py"):
        (original / name).parent.mkdir(parents=True, exist_ok=True)
        (original / name).write_text("x = 1\n")
    for skipped in (".git/HEAD", "__pycache__/m.pyc", ".venv/pyvenv.cfg", "node_modules/a.js"):
        (original / skipped).parent.mkdir(parents=True, exist_ok=True)
        (original / skipped).write_text("")

    copy = copy_project(original, tmp_path / "scratch")

    kept = sorted(path.relative_to(copy).as_posix() for path in copy.rglob("*") if path.is_file())
    assert kept == [".env", "build/__init__.py", "dist.py", "src/pkg/__init__.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_special_files_are_skipped(tmp_path: Path) -> None:
    original = tmp_path / "proj"
    original.mkdir()
    os.mkfifo(original / "pipe")
    (original / "test_a.py").write_text("")
    copy = copy_project(original, tmp_path / "scratch")
    assert [path.name for path in copy.iterdir()] == ["test_a.py"]


def test_relative_links_out_of_the_project_are_made_absolute(tmp_path: Path) -> None:
    shared = tmp_path / "shared.py"
    shared.write_text("VALUE = 1\n")
    original = tmp_path / "proj"
    (original / "pkg").mkdir(parents=True)
    (original / "pkg" / "shared.py").symlink_to(Path("..") / ".." / "shared.py")
    (original / "pkg" / "inner.py").write_text("")
    (original / "alias.py").symlink_to(Path("pkg") / "inner.py")

    copy = copy_project(original, tmp_path / "scratch")

    assert os.readlink(copy / "pkg" / "shared.py") == str(shared.resolve())
    assert os.readlink(copy / "alias.py") == os.path.join("pkg", "inner.py")  # inside: left relative
    assert (copy / "pkg" / "shared.py").read_text() == "VALUE = 1\n"


def test_configuration_above_the_project_is_mirrored(tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    (mono / "proj" / "tests").mkdir(parents=True)
    (mono / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n")
    (mono / "conftest.py").write_text("")
    (mono / "other").mkdir()
    (mono / "other" / "big.py").write_text("")

    copy = copy_project(mono / "proj", tmp_path / "scratch")

    assert copy == tmp_path / "scratch" / "mono" / "proj"
    assert (copy.parent / "pytest.ini").read_text() == "[pytest]\npython_files = check_*.py\n"
    assert (copy.parent / "conftest.py").is_file()
    assert not (copy.parent / "other").exists()  # sibling projects are not copied


def test_dry_run_and_apply_agree_when_the_config_is_above_the_project(tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    (mono / "proj" / "tests").mkdir(parents=True)
    (mono / "pytest.ini").write_text("[pytest]\npython_files = check_*.py\n")
    broken = mono / "proj" / "tests" / "check_service.py"
    broken.write_text('import sys\n\nif sys.maxsize > 0:\n    sys.exit("service tests need a server")\n\n\ndef test_up():\n    pass\n')

    dry = run_in_process(mono / "proj", "--dry-run")

    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "+++ b/tests/check_service.py" in dry.stdout
    applied = run_in_process(mono / "proj", "--apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "sys.exit" not in broken.read_text()


def test_absolute_links_into_the_project_lead_into_the_copy(tmp_path: Path) -> None:
    outside = tmp_path / "outside.py"
    outside.write_text("")
    original = tmp_path / "proj"
    (original / "shared").mkdir(parents=True)
    (original / "shared" / "checks.py").write_text("")
    (original / ".venv" / "bin").mkdir(parents=True)
    (original / ".venv" / "pyvenv.cfg").write_text("")
    (original / ".venv" / "bin" / "python").write_text("")
    (original / "tests").mkdir()
    for name, target in [("test_shared.py", original / "shared" / "checks.py"), ("shared_dir", original / "shared"),
                         ("python", original / ".venv" / "bin" / "python"), ("outside.py", outside)]:
        (original / "tests" / name).symlink_to(target)

    copy = copy_project(original, tmp_path / "scratch")

    assert os.readlink(copy / "tests" / "test_shared.py") == str(copy / "shared" / "checks.py")
    assert os.readlink(copy / "tests" / "shared_dir") == str(copy / "shared")
    assert os.readlink(copy / "tests" / "python") == str(original / ".venv" / "bin" / "python")  # left out
    assert os.readlink(copy / "tests" / "outside.py") == str(outside)
    assert os.readlink(original / "tests" / "test_shared.py") == str(original / "shared" / "checks.py")


def test_what_the_copy_leaves_out_is_imported_from_the_original(tmp_path: Path) -> None:
    """The probe's half of the contract: sys.path entries and module files move to the copy,
    except those the copy does not have (a virtualenv inside the project)."""
    original = tmp_path / "proj"
    site_packages = original / ".venv" / "lib" / "python3" / "site-packages"
    site_packages.mkdir(parents=True)
    (original / ".venv" / "pyvenv.cfg").write_text("")
    (original / "src" / "pkg").mkdir(parents=True)
    (original / "src" / "pkg" / "__init__.py").write_text("")
    copy = copy_project(original, tmp_path / "scratch")
    paths = _PathMap(str(original), str(copy))

    assert paths.counterpart(str(original / "src")) == str(copy / "src")
    assert paths.counterpart(str(original / "src" / "pkg" / "__init__.py")) == str(copy / "src" / "pkg" / "__init__.py")
    assert paths.counterpart(str(original / "src" / "pkg" / "stub.py")) == str(copy / "src" / "pkg" / "stub.py")
    assert paths.counterpart(str(original / "lib")) == str(copy / "lib")  # neither has it: a repair may create it
    assert paths.counterpart(str(site_packages)) is None
    assert paths.counterpart(str(site_packages / "attrs" / "__init__.py")) is None
    assert paths.counterpart(str(original / ".venv" / "lib" / "python3.zip")) is None
    assert paths.counterpart(str(tmp_path / "elsewhere")) is None
    assert paths.counterpart(str(original) + "-other") is None


def test_a_temporary_directory_inside_the_project_is_not_copied_into_itself(tmp_path: Path) -> None:
    original = tmp_path / "project"
    (original / "tests").mkdir(parents=True)
    (original / "tests" / "test_a.py").write_text("def test_a():\n    pass\n", encoding="utf-8")
    scratch = original / "tmp" / "collect-fix-dry-run-q"
    scratch.mkdir(parents=True)

    copy = copy_project(original, scratch)

    assert (copy / "tests" / "test_a.py").is_file()
    assert not (copy / "tmp" / "collect-fix-dry-run-q").exists()
