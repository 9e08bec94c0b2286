"""Finding pytest's configuration file and editing it without losing a comment.

The file is the one pytest itself reads: checked against the ``configfile`` real pytest reports.
Edits are checked on whole files (before == expected after, every other byte kept), for
idempotence, and by asking real pytest whether it now sees the marker or the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Callable, Optional

import pytest

from collect_fix import pytest_config
from collect_fix.project import Project
from collect_fix.pytest_config import add_pythonpath, register_marker

PYTEST_9 = int(pytest.__version__.split(".")[0]) >= 9
# pytest >= 8.1 reads a pyproject.toml without a pytest table when nothing else is found.
PYPROJECT_FALLBACK = tuple(int(part) for part in pytest.__version__.split(".")[:2]) >= (8, 1)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")


def _pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=root, capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )


def _configfile_pytest_reports(root: Path) -> Optional[Path]:
    """The configuration file real pytest names in its header (relative to its rootdir)."""
    output = _pytest(root, "--collect-only").stdout.splitlines()
    rootdir = next(line.split("rootdir: ", 1)[1].split(",")[0] for line in output if "rootdir: " in line)
    for line in output:
        if "configfile: " in line:
            return Path(rootdir) / line.split("configfile: ", 1)[1].split()[0].rstrip(",")
    return None


TOOL_TABLE = '[tool.pytest.ini_options]\naddopts = "-ra"\n'
NO_TABLE = '[project]\nname = "demo"\n'

LAYOUTS = [
    pytest.param(
        {"pytest.toml": "[pytest]\n", "pytest.ini": "[pytest]\n", "pyproject.toml": TOOL_TABLE},
        ("pytest.toml", "pytest", True), id="pytest.toml before everything",
        marks=pytest.mark.skipif(not PYTEST_9, reason="pytest.toml is new in pytest 9"),
    ),
    pytest.param(
        {"pytest.ini": "# only a comment\n", "pyproject.toml": TOOL_TABLE},
        ("pytest.ini", "pytest", False), id="pytest.ini without a section still wins",
    ),
    pytest.param(
        {".pytest.ini": "[pytest]\n", "tox.ini": "[pytest]\n"}, (".pytest.ini", "pytest", True), id="hidden pytest.ini",
    ),
    pytest.param(
        {"pyproject.toml": TOOL_TABLE, "tox.ini": "[pytest]\n", "setup.cfg": "[tool:pytest]\n"},
        ("pyproject.toml", "tool.pytest.ini_options", True), id="pyproject table before tox.ini",
    ),
    pytest.param(
        {"pyproject.toml": '[tool.pytest]\naddopts = ["-ra"]\n'},
        ("pyproject.toml", "tool.pytest", True), id="pytest 9 native table",
        marks=pytest.mark.skipif(not PYTEST_9, reason="[tool.pytest] is new in pytest 9"),
    ),
    pytest.param(
        {"pyproject.toml": NO_TABLE, "tox.ini": "[tox]\nenvlist = py3\n\n[pytest]\naddopts = -ra\n"},
        ("tox.ini", "pytest", True), id="pyproject without table defers to tox.ini",
    ),
    pytest.param(
        {"tox.ini": "[tox]\nenvlist = py3\n", "setup.cfg": "[metadata]\nname = demo\n\n[tool:pytest]\naddopts = -ra\n"},
        ("setup.cfg", "tool:pytest", True), id="tox.ini without [pytest] defers to setup.cfg",
    ),
    pytest.param(
        {"pyproject.toml": NO_TABLE, "setup.cfg": "[flake8]\nmax-line-length = 100\n"},
        ("pyproject.toml", "tool.pytest.ini_options", False), id="no table anywhere: pyproject.toml",
        marks=pytest.mark.skipif(not PYPROJECT_FALLBACK, reason="pytest < 8.1 reads no table-less pyproject.toml"),
    ),
    pytest.param(
        {"sub/setup.cfg": "[flake8]\n", "pytest.ini": "[pytest]\naddopts = -ra\n"},
        ("pytest.ini", "pytest", True), id="a parent's pytest.ini (a monorepo)",
    ),
    pytest.param(
        {"sub/pyproject.toml": NO_TABLE, "tox.ini": "[pytest]\naddopts = -ra\n"},
        ("tox.ini", "pytest", True), id="a parent's [pytest] wins over a table-less pyproject.toml",
    ),
]


@pytest.mark.parametrize(("files", "expected"), LAYOUTS)
def test_find_picks_the_file_pytest_reads(tmp_path: Path, files: dict[str, str], expected: tuple[str, str, bool]) -> None:
    _write(tmp_path, files)
    start = tmp_path / "sub" if (tmp_path / "sub").is_dir() else tmp_path
    (start / "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")

    found = pytest_config.find(start)
    config = pytest_config.configuration(Project(start))

    assert found is not None and found == _configfile_pytest_reports(start)
    assert found.resolve() == config.file
    assert (config.file.name, config.section, config.exists) == expected
    # Only a file in the project is named relative to it, and only that one may be edited.
    assert config.inside == (start == tmp_path)
    assert config.path == (expected[0] if config.inside else str(tmp_path / expected[0]))


def test_with_no_configuration_anywhere_a_new_pytest_ini_goes_in_the_root(tmp_path: Path) -> None:
    _write(tmp_path, {"setup.cfg": "[flake8]\n", "test_one.py": "def test_one():\n    pass\n"})

    config = pytest_config.configuration(Project(tmp_path))

    assert pytest_config.find(tmp_path) is _configfile_pytest_reports(tmp_path) is None
    assert (config.path, config.section, config.exists, config.inside) == ("pytest.ini", "pytest", False, True)


def test_what_pytest_reported_wins_over_finding(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": TOOL_TABLE, "ci/pytest.ini": "[pytest]\naddopts = -ra\n"})

    reported = pytest_config.configuration(Project(tmp_path, inifile=str(tmp_path / "ci" / "pytest.ini")))
    none_used = pytest_config.configuration(Project(tmp_path, inifile=""))

    assert (reported.path, reported.exists, reported.inside) == ("ci/pytest.ini", True, True)
    # pytest read no file (a pytest older than 8.1 ignores a table-less pyproject.toml): the
    # new section goes where a person keeps it, in the project's pyproject.toml.
    assert (none_used.path, none_used.section) == ("pyproject.toml", "tool.pytest.ini_options")


def test_a_dry_runs_copy_names_the_original_file_above_the_project(tmp_path: Path) -> None:
    original, copy = tmp_path / "home" / "mono", tmp_path / "scratch" / "mono"
    for mono in (original, copy):
        _write(mono, {"pytest.ini": "[pytest]\naddopts = --strict-markers\n", "proj/tests/test_a.py": ""})

    config = pytest_config.configuration(
        Project(copy / "proj", history_root=original / "proj", inifile=str(copy / "pytest.ini"))
    )

    assert (config.file, config.path, config.inside) == (copy / "pytest.ini", str(original / "pytest.ini"), False)


def test_reading_markers_pythonpath_and_import_mode_from_ini(tmp_path: Path) -> None:
    _write(tmp_path, {"setup.cfg": """\
        [tool:pytest]
        addopts = -ra --import-mode importlib
        markers =
            skipif(condition): skip when the condition holds
            # a comment inside the value

            slow
        pythonpath = src
            lib
        """})
    config = pytest_config.configuration(Project(tmp_path))

    assert pytest_config.registered_markers(config) == ("skipif", "slow")
    assert pytest_config.pythonpath(config) == (tmp_path / "src", tmp_path / "lib")
    assert pytest_config.import_mode(config) == "importlib"
    assert pytest_config.import_mode(config, ("--import-mode=prepend",)) == "prepend"


def test_reading_from_toml_lists_and_strings(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": """\
        [tool.pytest.ini_options]
        addopts = ["--import-mode=importlib"]
        markers = "db: needs a database\\nslow"
        pythonpath = "src tests"
        """})
    config = pytest_config.configuration(Project(tmp_path))

    assert pytest_config.registered_markers(config) == ("db", "slow")
    assert pytest_config.pythonpath(config) == (tmp_path / "src", tmp_path / "tests")
    assert pytest_config.import_mode(config) == "importlib"


def test_pythonpath_of_a_parent_configuration_is_relative_to_its_folder(tmp_path: Path) -> None:
    _write(tmp_path, {"pytest.ini": "[pytest]\npythonpath = proj/src\n", "proj/src/pkg/__init__.py": ""})

    config = pytest_config.configuration(Project(tmp_path / "proj"))

    assert pytest_config.pythonpath(config) == (tmp_path / "proj" / "src",)


def test_nothing_configured_reads_as_empty(tmp_path: Path) -> None:
    config = pytest_config.configuration(Project(tmp_path))

    assert pytest_config.registered_markers(config) == ()
    assert pytest_config.pythonpath(config) == ()
    assert pytest_config.import_mode(config) == "prepend"


# -- edits for a person --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "edit", "kwargs", "expected"),
    [
        pytest.param(
            {"pytest.ini": "[pytest]\naddopts = --strict-markers\nmarkers =\n    db\n\n[other]\nx = 1\n"},
            register_marker, {"marker": "slow"}, "after line 4 add `    slow`", id="marker into an INI list",
        ),
        pytest.param(
            {"pytest.ini": "[pytest]\naddopts = --strict-markers\n"},
            register_marker, {"marker": "slow"}, "after line 2 add `markers =`, `    slow`", id="new INI key",
        ),
        pytest.param(
            {"tox.ini": "[pytest]\npythonpath = .\n"},
            add_pythonpath, {"entry": "proj/src"}, "replace line 2 with `pythonpath = . proj/src`", id="INI value",
        ),
        pytest.param(
            {"pyproject.toml": '[project]\nname = "m"\n'},
            register_marker, {"marker": "slow"},
            'after line 2 add `[tool.pytest.ini_options]`, `markers = [`, `    "slow",`, `]`', id="new TOML table",
        ),
    ],
)
def test_edit_by_hand_says_the_lines_collect_fix_would_write(
    tmp_path: Path, files: dict[str, str], edit: Callable[..., bytes], kwargs: dict[str, str], expected: str
) -> None:
    _write(tmp_path, files)

    steps = pytest_config.edit_by_hand(pytest_config.configuration(Project(tmp_path)), edit, **kwargs)

    assert steps == expected


def test_edit_by_hand_of_a_file_that_does_not_parse_is_none(tmp_path: Path) -> None:
    _write(tmp_path, {"pyproject.toml": "[tool.pytest.ini_options\n"})
    config = pytest_config.configuration(Project(tmp_path, inifile=str(tmp_path / "pyproject.toml")))

    assert pytest_config.edit_by_hand(config, register_marker, marker="slow") is None


# -- register_marker ---------------------------------------------------------------------------

MARKER_CASES = [
    pytest.param(
        "pyproject.toml",
        """\
        [project]
        name = "demo"  # the distribution

        [tool.pytest.ini_options]
        # strict on purpose
        addopts = "--strict-markers"
        markers = [
            "db: needs a database",  # CI has one
            # keep sorted
        ]

        [tool.coverage.run]
        branch = true
        """,
        """\
        [project]
        name = "demo"  # the distribution

        [tool.pytest.ini_options]
        # strict on purpose
        addopts = "--strict-markers"
        markers = [
            "db: needs a database",  # CI has one
            # keep sorted
            "slow",
        ]

        [tool.coverage.run]
        branch = true
        """,
        id="pyproject: appended to the existing list, comments kept",
    ),
    pytest.param(
        "pyproject.toml",
        """\
        [tool.black]
        line-length = 100

        [build-system]
        requires = ["setuptools"]

        [tool.pytest.ini_options]
        markers = [
          "db",
          "network"
        ]
        """,
        """\
        [tool.black]
        line-length = 100

        [build-system]
        requires = ["setuptools"]

        [tool.pytest.ini_options]
        markers = [
          "db",
          "network",
          "slow",
        ]
        """,
        id="pyproject: table split across the file, two-space list",
    ),
    pytest.param(
        "pyproject.toml",
        """\
        [tool.pytest.ini_options]
        addopts = "--strict-markers"

        [tool.black]
        line-length = 100
        """,
        """\
        [tool.pytest.ini_options]
        addopts = "--strict-markers"
        markers = [
            "slow",
        ]

        [tool.black]
        line-length = 100
        """,
        id="pyproject: new key at the end of the table",
    ),
    pytest.param(
        "pyproject.toml",
        """\
        [project]
        name = "demo"

        [tool.black]
        line-length = 100

        [build-system]
        requires = ["setuptools"]""",
        """\
        [project]
        name = "demo"

        [tool.black]
        line-length = 100

        [build-system]
        requires = ["setuptools"]

        [tool.pytest.ini_options]
        markers = [
            "slow",
        ]
        """,
        id="pyproject without a pytest table: new table at the end of the file",
    ),
    pytest.param(
        "pyproject.toml",
        """\
        [tool.pytest.ini_options]
        markers = "db: needs a database"
        """,
        """\
        [tool.pytest.ini_options]
        markers = "db: needs a database\\nslow"
        """,
        id="pyproject: markers given as one string",
    ),
    pytest.param(
        "pyproject.toml",
        """\
        [tool.pytest]
        strict_markers = true
        testpaths = ["tests"]
        """,
        """\
        [tool.pytest]
        strict_markers = true
        testpaths = ["tests"]
        markers = [
            "slow",
        ]
        """,
        id="pyproject: pytest 9 native table",
        marks=pytest.mark.skipif(not PYTEST_9, reason="[tool.pytest] is new in pytest 9"),
    ),
    pytest.param(
        "pytest.toml",
        """\
        # pytest's own TOML file
        [pytest]
        markers = ["db"]
        """,
        """\
        # pytest's own TOML file
        [pytest]
        markers = ["db", "slow"]
        """,
        id="pytest.toml: inline list",
        marks=pytest.mark.skipif(not PYTEST_9, reason="pytest.toml is new in pytest 9"),
    ),
    pytest.param(
        "pytest.ini",
        """\
        [pytest]
        ; markers used in this repository
        markers =
          db: needs a database
          # network tests run nightly
          network: talks to the internet
        addopts = --strict-markers
        """,
        """\
        [pytest]
        ; markers used in this repository
        markers =
          db: needs a database
          # network tests run nightly
          network: talks to the internet
          slow
        addopts = --strict-markers
        """,
        id="pytest.ini: continuation line with the file's own indentation",
    ),
    pytest.param(
        "pytest.ini",
        """\
        # pytest reads this file even without a section
        """,
        """\
        # pytest reads this file even without a section

        [pytest]
        markers =
            slow
        """,
        id="pytest.ini without [pytest]: section appended",
    ),
    pytest.param(
        ".pytest.ini",
        """\
        [pytest]
        markers = db: needs a database
        """,
        """\
        [pytest]
        markers = db: needs a database
            slow
        """,
        id=".pytest.ini: value on the key line",
    ),
    pytest.param(
        "tox.ini",
        """\
        [tox]
        envlist = py311

        [pytest]
        addopts = --strict-markers
        testpaths = tests

        [testenv]
        commands = pytest {posargs}
        """,
        """\
        [tox]
        envlist = py311

        [pytest]
        addopts = --strict-markers
        testpaths = tests
        markers =
            slow

        [testenv]
        commands = pytest {posargs}
        """,
        id="tox.ini: new key inside [pytest], other sections untouched",
    ),
    pytest.param(
        "setup.cfg",
        """\
        [metadata]
        name = demo

        [tool:pytest]
        markers =
            db: needs a database
        """,
        """\
        [metadata]
        name = demo

        [tool:pytest]
        markers =
            db: needs a database
            slow
        """,
        id="setup.cfg: [tool:pytest] section",
    ),
    pytest.param(
        "setup.cfg",
        """\
        [flake8]
        max-line-length = 100""",
        """\
        [flake8]
        max-line-length = 100

        [tool:pytest]
        markers =
            slow
        """,
        id="setup.cfg without [tool:pytest]: section appended",
    ),
]


@pytest.mark.parametrize(("name", "before", "after"), MARKER_CASES)
def test_register_marker_whole_file(tmp_path: Path, name: str, before: str, after: str) -> None:
    before, after = textwrap.dedent(before), textwrap.dedent(after)
    path = tmp_path / name

    result = register_marker(before.encode(), path, marker="slow", description="")

    assert result.decode() == after
    assert register_marker(result, path, marker="slow", description="") == result
    path.write_bytes(result)
    (tmp_path / "test_demo.py").write_text("def test_demo():\n    pass\n", encoding="utf-8")
    assert "@pytest.mark.slow:" in _pytest(tmp_path, "--markers").stdout


def test_register_marker_creates_pytest_ini(tmp_path: Path) -> None:
    path = tmp_path / "pytest.ini"

    result = register_marker(None, path, marker="slow", description="takes a minute")

    assert result == b"[pytest]\nmarkers =\n    slow: takes a minute\n"


@pytest.mark.parametrize(
    ("name", "source"),
    [
        pytest.param(
            "pyproject.toml", '[tool.pytest.ini_options]\nmarkers = ["slow(seconds): long tests"]\n', id="toml"
        ),
        pytest.param("tox.ini", "[pytest]\nmarkers =\n    slow: long tests\n", id="ini"),
        pytest.param("setup.cfg", "[tool:pytest]\nmarkers = slow\n", id="cfg"),
    ],
)
def test_register_marker_already_registered_is_byte_for_byte_noop(tmp_path: Path, name: str, source: str) -> None:
    assert register_marker(source.encode(), tmp_path / name, marker="slow", description="other") == source.encode()


def test_several_markers_in_sequence_all_land(tmp_path: Path) -> None:
    path = tmp_path / "tox.ini"
    source = b"[pytest]\naddopts = --strict-markers\n"
    for marker in ("slow", "db", "network"):
        source = register_marker(source, path, marker=marker, description="")

    assert source == b"[pytest]\naddopts = --strict-markers\nmarkers =\n    slow\n    db\n    network\n"


@pytest.mark.parametrize(
    ("name", "before"),
    [
        pytest.param("tox.ini", "[tox]\r\nenvlist = py3\r\n\r\n[pytest]\r\naddopts = -ra\r\n", id="ini"),
        pytest.param("pyproject.toml", '[tool.pytest.ini_options]\r\naddopts = "-ra"\r\n', id="toml"),
    ],
)
def test_crlf_files_stay_crlf(tmp_path: Path, name: str, before: str) -> None:
    result = register_marker(before.encode(), tmp_path / name, marker="slow", description="")

    assert result.startswith(before.encode())
    assert b"slow" in result
    assert b"\n" not in result.replace(b"\r\n", b"")


# -- add_pythonpath ----------------------------------------------------------------------------

PYTHONPATH_CASES = [
    pytest.param(
        "pyproject.toml",
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n# helpers\npythonpath = ["tests/support"]\n',
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n# helpers\npythonpath = ["tests/support", "src"]\n',
        id="pyproject: list merged",
    ),
    pytest.param(
        "pyproject.toml",
        '[tool.pytest.ini_options]\npythonpath = "tests"\n',
        '[tool.pytest.ini_options]\npythonpath = "tests src"\n',
        id="pyproject: string merged",
    ),
    pytest.param(
        "pyproject.toml",
        '[project]\nname = "demo"\n',
        '[project]\nname = "demo"\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        id="pyproject: new table",
    ),
    pytest.param(
        "tox.ini",
        "[pytest]\npythonpath = .\ntestpaths = tests\n\n[testenv]\ndeps = pytest\n",
        "[pytest]\npythonpath = . src\ntestpaths = tests\n\n[testenv]\ndeps = pytest\n",
        id="tox.ini: appended to the value",
    ),
    pytest.param(
        "pytest.ini",
        "[pytest]\npythonpath =\n    tests/support\n; end\n",
        "[pytest]\npythonpath =\n    tests/support src\n; end\n",
        id="pytest.ini: value on continuation lines",
    ),
    pytest.param(
        "setup.cfg",
        "[tool:pytest]\naddopts = -ra\n\n[flake8]\nselect = E\n",
        "[tool:pytest]\naddopts = -ra\npythonpath = src\n\n[flake8]\nselect = E\n",
        id="setup.cfg: new key",
    ),
    pytest.param(
        "tox.ini",
        "[pytest]\nmarkers =\n    slow\n    ; keep sorted\n\n# the environments\n[testenv]\ndeps = pytest\n",
        "[pytest]\nmarkers =\n    slow\n    ; keep sorted\npythonpath = src\n\n# the environments\n[testenv]\ndeps = pytest\n",
        id="tox.ini: new key after the comment indented into the value above",
    ),
]


@pytest.mark.parametrize(("name", "before", "after"), PYTHONPATH_CASES)
def test_add_pythonpath_whole_file(tmp_path: Path, name: str, before: str, after: str) -> None:
    path = tmp_path / name

    result = add_pythonpath(before.encode(), path, entry="src")

    assert result.decode() == after
    assert add_pythonpath(result, path, entry="src") == result
    assert add_pythonpath(result, path, entry="./src") == result
    path.write_bytes(result)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "only_on_pythonpath.py").write_text("VALUE = 1\n", encoding="utf-8")
    (tmp_path / "test_path.py").write_text(
        "from only_on_pythonpath import VALUE\n\n\ndef test_value():\n    assert VALUE == 1\n", encoding="utf-8"
    )
    assert "test_path.py::test_value" in _pytest(tmp_path, "--collect-only", "-q").stdout
