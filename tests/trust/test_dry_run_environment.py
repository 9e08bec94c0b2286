"""Promise: ``--dry-run`` shows exactly the diff ``--apply`` then writes, with the same report, and
writes nothing.

That holds only if the dry run collects its scratch copy in the environment the real run uses: the
same interpreter, the same site-packages, the copy importable wherever the original was. Each case
is a layout where it did not: a virtualenv inside the project (the copy leaves it out), the project
installed editable (a ``.pth`` path, or setuptools' import-hook finder), an absolute symlink inside
the project. Real virtualenvs, real ``pip install -e``, the real CLI; the dry run's diff is applied
with ``git apply`` to the original files and compared byte for byte with what ``--apply`` wrote.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import run_in_process, snapshot

PYTHONS = [pytest.param(sys.executable, id="this-python")]
if os.environ.get("COLLECT_FIX_PYTEST8_PYTHON"):  # CI: Python 3.8 with pytest 8, see .ci/run
    PYTHONS.append(pytest.param(os.environ["COLLECT_FIX_PYTEST8_PYTHON"], id="pytest-8"))

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git apply replays the dry run's diff")

THIRD_PARTY_TESTS = {
    "pyproject.toml": """\
        [tool.pytest.ini_options]
        addopts = "--strict-markers"
        """,
    # A module-level exit: the dry run must see it past an import only the virtualenv provides.
    "tests/test_rates.py": """\
        import sys

        from thirdparty_only import RATE

        if not sys.platform.startswith("never"):
            sys.exit("rate tests need the live service")


        def test_rate():
            assert RATE == 3
        """,
    # An unregistered marker under --strict-markers, in a file that imports the same package.
    "tests/test_convert.py": """\
        import pytest
        import thirdparty_only


        @pytest.mark.slow
        def test_convert():
            assert thirdparty_only.RATE * 2 == 6
        """,
}

LEDGER_PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "ledger"
version = "0.1.0"

[tool.setuptools]
package-dir = {package_dir}
packages = {packages}
"""
EDITABLE_LAYOUTS = [
    # A plain src/ layout: setuptools' editable install is a .pth file that puts src/ on sys.path.
    pytest.param("ledger", '{ "" = "src" }', "path", id="pth"),
    # One more directory mapped in (collect-fix's own layout): an import-hook finder that maps each
    # package name to its directory, with nothing on sys.path.
    pytest.param("ledger", '{ "" = "src", "ledger.plugins" = "plugins" }', "finder", id="finder"),
    # The same under an implicit namespace package: the finder's path hook provides acme.
    pytest.param("acme.ledger", '{ "" = "src", "acme.ledger.plugins" = "plugins" }', "finder", id="namespace"),
]


def ledger_project(root: Path, package: str, package_dir: str) -> str:
    """Write a project with ``package`` under src/, a test importing a name ``package.sums`` lacks and
    one that passes; return the file the repair (a stub) writes, which only a re-collection that
    imports the copy's source can verify."""
    home = "src/" + package.replace(".", "/")
    plugins = "plugins" in package_dir
    packages = [package, f"{package}.plugins"] if plugins else [package]
    files = {
        "pyproject.toml": LEDGER_PYPROJECT.format(package_dir=package_dir, packages=json.dumps(packages)),
        f"{home}/__init__.py": "",
        f"{home}/sums.py": "def total_of(items):\n    return sum(items)\n",
        "tests/test_sums.py": f"from {package}.sums import grand_total\n\n\ndef test_grand_total():\n    assert grand_total([1, 2]) == 3\n",
        "tests/test_plain.py": f"from {package} import sums\n\n\ndef test_total_of():\n    assert sums.total_of([1, 2]) == 3\n",
    }
    if plugins:
        files["plugins/__init__.py"] = ""
    write_project(root, files)
    return f"{home}/sums.py"


SYMLINKED_TEST = {
    # Collected only through the link tests/test_shared.py; --apply writes through the link.
    "shared/checks.py": """\
        import sys

        if not sys.platform.startswith("never"):
            sys.exit("shared checks need a server")


        def test_shared():
            pass
        """,
    "tests/test_ok.py": """\
        def test_ok():
            pass
        """,
}


@pytest.mark.parametrize("python", PYTHONS)
def test_virtualenv_inside_the_project(tmp_path: Path, python: str) -> None:
    project = write_project(tmp_path / "proj", THIRD_PARTY_TESTS)
    install_third_party(make_venv(python, project / ".venv"))

    dry, applied = dry_run_then_apply(project, tmp_path)

    assert "missing_dependency" not in json.dumps(dry)  # nothing the virtualenv has is "missing"
    assert dry["install_command"] == ""
    assert sorted(dry["files_changed"]) == ["pyproject.toml", "tests/test_rates.py"]
    assert dry == applied


@pytest.mark.parametrize("venv_place", [".venv", "../env"], ids=["venv-inside", "venv-elsewhere"])
@pytest.mark.parametrize("package, package_dir, installs", EDITABLE_LAYOUTS)
def test_project_installed_editable(tmp_path: Path, venv_place: str, package: str, package_dir: str, installs: str) -> None:
    project = tmp_path / "proj"
    repaired = ledger_project(project, package, package_dir)
    venv = (project / venv_place).resolve()
    site_packages = make_venv(sys.executable, venv)
    pip_install_editable(venv, project)
    (pth,) = site_packages.glob("__editable__.ledger-*.pth")
    assert pth.read_text().startswith("import __editable__") == (installs == "finder"), pth.read_text()
    options = () if venv_place == ".venv" else ("--python", str(interpreter(venv)))

    dry, applied = dry_run_then_apply(project, tmp_path, *options)

    assert dry["files_changed"] == [repaired]
    assert [outcome["status"] for outcome in dry["outcomes"]] == ["repaired"]
    assert dry == applied


def test_absolute_symlink_to_a_file_of_the_project(tmp_path: Path) -> None:
    project = write_project(tmp_path / "proj", SYMLINKED_TEST)
    link = project / "tests" / "test_shared.py"
    link.symlink_to(project / "shared" / "checks.py")

    dry, applied = dry_run_then_apply(project, tmp_path)

    assert os.readlink(link) == str(project / "shared" / "checks.py")
    assert dry["files_changed"] == ["shared/checks.py"]
    assert dry == applied


def dry_run_then_apply(project: Path, tmp_path: Path, *options: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the dry run, then ``--apply``, on ``project``; return both JSON reports (``applied`` left out).

    Checks on the way: the dry run changed no byte and no mtime in the project (its virtualenv
    included), and its diff applied to the original files gives the files ``--apply`` left.
    """
    before, originals = snapshot(project), regular_files(project)
    dry = run_in_process(project, "--dry-run", "--quiet", "--json", str(tmp_path / "dry.json"), *options)
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert snapshot(project) == before

    # The --apply searches on its own (no replay of the dry run), so the two searches are compared.
    applied = run_in_process(project, "--apply", "--json", str(tmp_path / "applied.json"), *options,
                              env={"COLLECT_FIX_NO_REPLAY": "1"})
    assert applied.returncode == 0, applied.stdout + applied.stderr

    replay = write_files(tmp_path / "replay", originals)
    diff = dry.stdout.split("\ncollect-fix report")[0].strip("\n")
    if diff:  # else the comparison below names the files --apply changed and the dry run did not show
        subprocess.run(["git", "apply", "-"], input=diff + "\n", text=True, cwd=replay, check=True)
    assert regular_files(replay) == regular_files(project)
    reports = [json.loads((tmp_path / name).read_text(encoding="utf-8")) for name in ("dry.json", "applied.json")]
    for report in reports:
        del report["applied"]
    return reports[0], reports[1]


def write_project(root: Path, files: dict[str, str]) -> Path:
    return write_files(root, {name: textwrap.dedent(text).encode() for name, text in files.items()})


def write_files(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def regular_files(root: Path) -> dict[str, bytes]:
    """The project's own files: not its virtualenv, not links (their targets are listed)."""
    files = {}
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [name for name in dirnames if not (Path(directory, name) / "pyvenv.cfg").exists()]
        for name in filenames:
            path = Path(directory, name)
            if not path.is_symlink():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def make_venv(python: str, venv: Path) -> Path:
    """A real virtualenv of ``python``, made offline, that finds ``python``'s pytest (and its
    setuptools and pip) through a ``.pth`` path; returns its site-packages."""
    subprocess.run([python, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = Path(purelib(str(interpreter(venv))))
    (site_packages / "borrowed_tools.pth").write_text(purelib(python) + "\n", encoding="utf-8")
    return site_packages


def purelib(python: str) -> str:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def interpreter(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install_third_party(site_packages: Path) -> None:
    """A distribution only this virtualenv has, laid out as pip installs one."""
    (site_packages / "thirdparty_only").mkdir()
    (site_packages / "thirdparty_only" / "__init__.py").write_text("RATE = 3\n", encoding="utf-8")
    info = site_packages / "thirdparty_only-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-only\nVersion: 1.0\n", encoding="utf-8")
    (info / "top_level.txt").write_text("thirdparty_only\n", encoding="utf-8")
    (info / "INSTALLER").write_text("pip\n", encoding="utf-8")
    (info / "RECORD").write_text(
        "thirdparty_only/__init__.py,,\n"
        + "".join(f"thirdparty_only-1.0.dist-info/{name},,\n" for name in ("METADATA", "top_level.txt", "INSTALLER", "RECORD")),
        encoding="utf-8",
    )


def pip_install_editable(venv: Path, project: Path) -> None:
    """``pip install -e`` without network: setuptools and pip come from the borrowed site-packages."""
    for module in ("pip", "setuptools", "wheel"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed here (the test extra provides setuptools and wheel)")
    result = subprocess.run(
        [str(interpreter(venv)), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
         "--no-build-isolation", "-e", str(project)],
        capture_output=True, text=True, env=dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1"), timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
