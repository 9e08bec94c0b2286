"""Planning repairs for unknown markers, unimportable src/ packages and import file mismatches.

Diagnoses are built here the way diagnosis.py builds them from the probe's records; where a plan
is a repair, it is applied with the real file edits and checked with real pytest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from collect_fix.planners import configuration
from collect_fix.planning import plan_all
from collect_fix.project import Project
from collect_fix.transforms import run_edit
from collect_fix.types import Category, CollectionError, Diagnosis, Edit, Options, Plan, Repair
from conftest import collected_ids, collect_only, write_files

FixtureProject = Callable[[str], Path]


def _plan(diagnosis: Diagnosis, root: Path, *pytest_args: str) -> Plan:
    return configuration.plan(diagnosis, Project(root), Options(root, pytest_args=pytest_args))


def _apply(root: Path, repair: Repair) -> None:
    for edit in repair.edits:
        path = root / edit.path
        source = path.read_bytes() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(run_edit(edit, source, path, None))


# -- unknown marker ----------------------------------------------------------------------------


def _marker(marker: str, path: str = "tests/test_units.py", line: int = 10, subject: bool = True) -> Diagnosis:
    message = f"'{marker}' not found in `markers` configuration option"
    error = CollectionError(nodeid=path, path=path, exc_type="Failed", message=message, attrs={"msg": message})
    return Diagnosis(Category.UNKNOWN_MARKER, path, line, message, subject=marker if subject else None, error=error)


def test_marker_is_registered_in_pyproject(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker("slow"), root)

    assert [repair.edits for repair in plan.alternatives] == [
        (Edit("pyproject.toml", "register_marker", (("marker", "slow"), ("description", ""))),)
    ]
    assert "pyproject.toml [tool.pytest.ini_options]" in plan.alternatives[0].evidence


def test_marker_goes_to_tox_ini_when_pytest_reads_tox_ini(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_ini")

    plan = _plan(_marker("smoke", "tests/test_separators.py", 7), root)

    expected = Edit("tox.ini", "register_marker", (("marker", "smoke"), ("description", "")))
    assert plan.alternatives[0].edits == (expected,)


def test_every_unknown_marker_registered_makes_the_suite_collect(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")
    for marker in ("slow", "offline", "integration"):
        _apply(root, _plan(_marker(marker), root).alternatives[0])

    assert len(collected_ids(root)) == 5


def test_marker_name_is_read_from_the_message_when_no_subject(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker("slow", subject=False), root)

    assert plan.alternatives[0].edits[0].kwargs()["marker"] == "slow"


def test_one_marker_used_in_two_files_is_one_repair(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")
    project = Project(root)

    plans = plan_all([_marker("slow"), _marker("slow", "tests/test_forecast.py", 12)], project, Options(root))

    # Each diagnosis keeps its plan (both are reported); the repair is equal, so it is applied once.
    assert len(plans) == 2
    assert plans[0].alternatives[0] == plans[1].alternatives[0]


def test_marker_spelled_like_a_builtin_one_is_advice_not_registration(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker("skipp"), root)

    assert plan.alternatives == ()
    assert "typo of 'skip'" in plan.advice


def test_marker_spelled_like_a_registered_one_is_advice(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker("netwrok"), root)

    assert plan.alternatives == ()
    assert "'network'" in plan.advice


@pytest.mark.parametrize("marker", ["network_v2", "network_slow", "slow_network"])
def test_a_registered_name_with_words_added_is_a_marker_of_its_own(fixture_project: FixtureProject, marker: str) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker(marker), root)

    assert [repair.description for repair in plan.alternatives] == [
        f"register marker '{marker}' in pyproject.toml [tool.pytest.ini_options]"
    ]


@pytest.mark.parametrize("marker, like", [("networkv2", "network"), ("skip_x", "skip"), ("parametrize_v2", "parametrize")])
def test_letters_added_or_words_added_to_a_builtin_marker_are_still_a_typo(
    fixture_project: FixtureProject, marker: str, like: str
) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker(marker), root)

    assert plan.alternatives == ()
    assert f"typo of '{like}'" in plan.advice


def test_a_registered_name_with_a_word_taken_away_is_still_a_typo(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"network: ', '"network_v2: '))

    plan = _plan(_marker("network"), root)

    assert plan.alternatives == ()
    assert "typo of 'network_v2'" in plan.advice


def test_marker_of_a_missing_plugin_says_which_to_install(fixture_project: FixtureProject) -> None:
    root = fixture_project("unknown_marker_pyproject")

    plan = _plan(_marker("asyncio"), root)

    assert plan.alternatives == ()
    assert "pytest-asyncio" in plan.advice


def test_marker_without_any_configuration_creates_pytest_ini(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"tests/test_a.py": "def test_a():\n    pass\n"})

    plan = _plan(_marker("slow", "tests/test_a.py", 1), root)

    assert plan.alternatives[0].edits[0].path == "pytest.ini"
    assert "(the section is new)" in plan.alternatives[0].evidence


def test_marker_in_a_generated_config_is_only_advice(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"tox.ini": "# @generated by a template\n[pytest]\naddopts = --strict-markers\n"})

    plan = _plan(_marker("slow"), root)

    assert plan.alternatives == ()
    assert "tox.ini [pytest]" in plan.advice and "@generated" in plan.advice


def test_marker_with_the_configuration_above_the_project_is_advice_naming_its_lines(tmp_path: Path) -> None:
    mono = write_files(tmp_path / "mono", {
        "pytest.ini": "[pytest]\naddopts = --strict-markers\nmarkers =\n    network: needs the network\n",
        "billing/pyproject.toml": "[project]\nname = \"billing\"\n",
        "billing/tests/test_a.py": "import pytest\n\n@pytest.mark.slow\ndef test_a():\n    pass\n",
    })

    for project in (Project(mono / "billing"), Project(mono / "billing", inifile=str(mono / "pytest.ini"))):
        plan = configuration.plan(_marker("slow", "tests/test_a.py", 3), project, Options(project.root))

        assert plan.alternatives == ()
        assert f"in {mono / 'pytest.ini'} [pytest]: after line 4 add `    slow`" in plan.advice
        assert "a new configuration file in it would hide this one" in plan.advice


def test_marker_goes_to_the_file_pytest_reported_even_one_it_was_pointed_at(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\naddopts = \"-ra\"\n",
        "ci/pytest.ini": "[pytest]\naddopts = --strict-markers\n",
        "tests/test_a.py": "import pytest\n\n@pytest.mark.slow\ndef test_a():\n    pass\n",
    })
    project = Project(root, inifile=str(root / "ci" / "pytest.ini"))  # as pytest -c ci/pytest.ini reports

    plan = configuration.plan(_marker("slow", "tests/test_a.py", 3), project, Options(root))

    assert plan.alternatives[0].edits == (Edit("ci/pytest.ini", "register_marker", (("marker", "slow"), ("description", ""))),)
    _apply(root, plan.alternatives[0])
    assert collected_ids(root, "-c", "ci/pytest.ini", "--rootdir", ".") == ["tests/test_a.py::test_a"]


def test_marker_where_pytest_read_no_file_creates_one_at_the_root(tmp_path: Path) -> None:
    root = write_files(tmp_path, {"tests/test_a.py": "import pytest\n\n@pytest.mark.slow\ndef test_a():\n    pass\n"})

    plan = configuration.plan(_marker("slow", "tests/test_a.py", 3), Project(root, inifile=""), Options(root))

    assert plan.alternatives[0].edits[0].path == "pytest.ini"


# -- project package not importable ------------------------------------------------------------


def _not_importable(module: str, path: str = "tests/test_money.py", line: int = 5) -> Diagnosis:
    error = CollectionError(
        nodeid=path, path=path, exc_type="ModuleNotFoundError", message=f"No module named '{module}'",
        attrs={"name": module},
    )
    return Diagnosis(Category.PROJECT_NOT_IMPORTABLE, path, line, "not importable", module=module, error=error)


def test_src_package_gets_src_added_to_pythonpath(fixture_project: FixtureProject) -> None:
    root = fixture_project("src_layout_not_importable")

    plan = _plan(_not_importable("ledger"), root)

    assert [repair.edits for repair in plan.alternatives] == [
        (Edit("pyproject.toml", "add_pythonpath", (("entry", "src"),)),)
    ]
    _apply(root, plan.alternatives[0])
    assert len(collected_ids(root)) == 3
    assert 'pythonpath = ["tests/support", "src"]' in (root / "pyproject.toml").read_text()


def test_pythonpath_repair_is_the_same_for_every_module_of_the_package(fixture_project: FixtureProject) -> None:
    root = fixture_project("src_layout_not_importable")

    first = _plan(_not_importable("ledger"), root).alternatives
    second = _plan(_not_importable("ledger.accounts", "tests/support/factories.py", 3), root).alternatives

    assert first == second


def test_package_in_another_directory_than_src(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\ntestpaths = tests\n",
        "lib/geometry/__init__.py": "",
        "lib/geometry/shapes.py": "AREA = 1\n",
        "tests/geometry/test_shapes.py": "from geometry.shapes import AREA\n\ndef test_area():\n    assert AREA == 1\n",
    })

    plan = _plan(_not_importable("geometry.shapes", "tests/geometry/test_shapes.py", 1), root)

    assert plan.alternatives[0].edits == (Edit("pytest.ini", "add_pythonpath", (("entry", "lib"),)),)
    _apply(root, plan.alternatives[0])
    assert collected_ids(root) == ["tests/geometry/test_shapes.py::test_area"]


def test_directory_already_on_pythonpath_is_advice(fixture_project: FixtureProject) -> None:
    root = fixture_project("src_layout_not_importable")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["tests/support"]', '["tests/support", "./src"]'))

    plan = _plan(_not_importable("ledger"), root)

    assert plan.alternatives == ()
    assert "already puts on pythonpath" in plan.advice


def test_package_nowhere_in_the_project_is_advice(fixture_project: FixtureProject) -> None:
    root = fixture_project("src_layout_not_importable")

    plan = _plan(_not_importable("payroll"), root)

    assert plan.alternatives == ()
    assert "No directory of the project holds 'payroll'" in plan.advice


def test_src_package_with_the_configuration_above_is_advice_with_its_entry(tmp_path: Path) -> None:
    mono = write_files(tmp_path / "mono", {
        "tox.ini": "[tox]\nenvlist = py3\n\n[pytest]\ntestpaths = billing/tests\n",
        "billing/src/billing/__init__.py": "RATE = 2\n",
        "billing/tests/test_money.py": "from billing import RATE\n\ndef test_rate():\n    assert RATE == 2\n",
    })
    project = Project(mono / "billing", inifile=str(mono / "tox.ini"))

    plan = configuration.plan(_not_importable("billing"), project, Options(project.root))

    assert plan.alternatives == ()
    # pytest resolves the entry against tox.ini's folder, the monorepo's root.
    assert f"Add 'billing/src' to `pythonpath` in {mono / 'tox.ini'} [pytest]: " in plan.advice
    assert "after line 5 add `pythonpath = billing/src`" in plan.advice
    (mono / "tox.ini").write_text((mono / "tox.ini").read_text() + "pythonpath = billing/src\n")
    assert collected_ids(mono) == ["billing/tests/test_money.py::test_rate"]
    again = configuration.plan(_not_importable("billing"), project, Options(project.root))
    assert "already puts on pythonpath" in again.advice


def test_pythonpath_entry_is_relative_to_the_configuration_file(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "ci/pytest.ini": "[pytest]\naddopts = -ra\n",
        "src/ledger/__init__.py": "RATE = 2\n",
        "tests/test_money.py": "from ledger import RATE\n\ndef test_rate():\n    assert RATE == 2\n",
    })

    plan = configuration.plan(_not_importable("ledger"), Project(root, inifile=str(root / "ci/pytest.ini")), Options(root))

    assert plan.alternatives[0].edits == (Edit("ci/pytest.ini", "add_pythonpath", (("entry", "../src"),)),)
    _apply(root, plan.alternatives[0])
    assert collected_ids(root, "-c", "ci/pytest.ini", "--rootdir", ".") == ["tests/test_money.py::test_rate"]


# -- import file mismatch ----------------------------------------------------------------------


def _mismatch(root: Path, existing: str, new: str) -> Diagnosis:
    module = Path(new).stem
    existing_path = existing if Path(existing).is_absolute() else str(root / existing)
    args = [module, existing_path, str(root / new)]
    error = CollectionError(
        nodeid=new, path=str(root / new), exc_type="ImportPathMismatchError", message=str(tuple(args)),
        attrs={"mismatch": args},
    )
    return Diagnosis(Category.IMPORT_MISMATCH, new, None, "import file mismatch", error=error)


def _created(plan: Plan) -> list[str]:
    assert len(plan.alternatives) == 1, plan
    assert all(edit.transform == "create_empty" for edit in plan.alternatives[0].edits)
    return [edit.path for edit in plan.alternatives[0].edits]


def test_mismatch_adds_init_to_both_directories(fixture_project: FixtureProject) -> None:
    root = fixture_project("import_mismatch")

    plan = _plan(_mismatch(root, "tests/integration/test_models.py", "tests/unit/test_models.py"), root)

    assert _created(plan) == ["tests/integration/__init__.py", "tests/unit/__init__.py"]
    assert "'integration.test_models' and 'unit.test_models'" in plan.alternatives[0].evidence


def test_mismatch_walks_up_past_directories_with_the_same_name(fixture_project: FixtureProject) -> None:
    root = fixture_project("import_mismatch")

    plan = _plan(_mismatch(root, "tests/integration/store/test_queries.py", "tests/unit/store/test_queries.py"), root)

    assert _created(plan) == [
        "tests/integration/__init__.py", "tests/integration/store/__init__.py",
        "tests/unit/__init__.py", "tests/unit/store/__init__.py",
    ]
    _apply(root, plan.alternatives[0])
    result = collect_only(root)
    assert result.returncode == 0, result.stdout
    assert len(collected_ids(root)) == 6


def test_mismatch_never_names_a_package_like_a_stdlib_module(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
        "tests/email/test_send.py": "def test_email():\n    pass\n",
        "tests/sms/test_send.py": "def test_sms():\n    pass\n",
    })

    plan = _plan(_mismatch(root, "tests/email/test_send.py", "tests/sms/test_send.py"), root)

    assert _created(plan) == ["tests/__init__.py", "tests/email/__init__.py", "tests/sms/__init__.py"]
    _apply(root, plan.alternatives[0])
    assert sorted(collected_ids(root)) == ["tests/email/test_send.py::test_email", "tests/sms/test_send.py::test_sms"]


def test_mismatch_never_shadows_the_projects_own_package(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\npythonpath = [\"src\"]\n",
        "src/billing/__init__.py": "RATE = 3\n",
        "tests/billing/test_api.py": "from billing import RATE\n\ndef test_rate():\n    assert RATE == 3\n",
        "tests/web/test_api.py": "def test_web():\n    pass\n",
    })

    plan = _plan(_mismatch(root, "tests/billing/test_api.py", "tests/web/test_api.py"), root)

    assert _created(plan) == ["tests/__init__.py", "tests/billing/__init__.py", "tests/web/__init__.py"]
    _apply(root, plan.alternatives[0])
    assert len(collected_ids(root)) == 2


def test_mismatch_with_a_file_outside_the_project_packages_only_ours(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", {"tests/unit/test_helpers.py": "def test_a():\n    pass\n"})
    outside = write_files(tmp_path / "elsewhere", {"test_helpers.py": ""}) / "test_helpers.py"

    plan = _plan(_mismatch(root, str(outside), "tests/unit/test_helpers.py"), root)

    assert _created(plan) == ["tests/unit/__init__.py"]


def test_mismatch_under_importlib_mode_is_advice(fixture_project: FixtureProject) -> None:
    root = fixture_project("import_mismatch")
    diagnosis = _mismatch(root, "tests/integration/test_models.py", "tests/unit/test_models.py")

    plan = _plan(diagnosis, root, "--import-mode=importlib")

    assert plan.alternatives == ()
    assert "--import-mode=importlib" in plan.advice and "tests/unit/test_models.py" in plan.advice


def test_import_mode_is_read_from_the_configuration_above_the_project(tmp_path: Path) -> None:
    mono = write_files(tmp_path / "mono", {
        "pytest.ini": "[pytest]\naddopts = --import-mode=importlib\n",
        "proj/tests/a/test_x.py": "def test_a():\n    pass\n",
        "proj/tests/b/test_x.py": "def test_b():\n    pass\n",
    })
    root = mono / "proj"

    plan = _plan(_mismatch(root, "tests/a/test_x.py", "tests/b/test_x.py"), root)

    assert plan.alternatives == ()
    assert "--import-mode=importlib" in plan.advice


def test_mismatch_in_directories_that_cannot_be_packages_is_advice(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "tests/unit-tests/test_x.py": "def test_x():\n    pass\n",
        "tests/integration-tests/test_x.py": "def test_y():\n    pass\n",
    })

    plan = _plan(_mismatch(root, "tests/unit-tests/test_x.py", "tests/integration-tests/test_x.py"), root)

    assert plan.alternatives == ()
    assert "rename one of them" in plan.advice


def test_mismatch_without_structured_arguments_is_advice(tmp_path: Path) -> None:
    error = CollectionError(nodeid="t", path=None, exc_type="ImportPathMismatchError", message="")
    diagnosis = Diagnosis(Category.IMPORT_MISMATCH, "tests/a/test_x.py", None, "mismatch", error=error)

    plan = _plan(diagnosis, tmp_path)

    assert plan.alternatives == ()
    assert "tests/a/test_x.py" in plan.advice
