"""dependencies and the missing-dependencies planner: what to install, whether it is declared."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from collect_fix.dependencies import (
    MissingDependency,
    describe,
    describe_diagnosis,
    distributions_for,
    install_command,
    installed_distributions,
    missing_beside,
    normalize,
)
from collect_fix.planners import missing_dependencies
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Options


def write(root: Path, files: dict[str, str]) -> Project:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Project(root)


@pytest.mark.parametrize(
    ("module", "distribution"),
    [
        ("PIL", "pillow"), ("PIL.Image", "pillow"), ("yaml", "PyYAML"), ("sklearn.linear_model", "scikit-learn"),
        ("cv2", "opencv-python"), ("bs4", "beautifulsoup4"), ("jwt", "PyJWT"), ("dateutil.parser", "python-dateutil"),
        ("google.protobuf.message", "protobuf"),
        ("click", "click"),  # installed here: found through the installed metadata
        ("surely_not_a_real_module_xyz", "surely_not_a_real_module_xyz"),  # last resort: the name itself
    ],
)
def test_distribution_for_import_name(module: str, distribution: str) -> None:
    assert distributions_for(module, installed_distributions(sys.executable))[0] == distribution


@pytest.mark.parametrize(
    ("name", "normalized"),
    [("Pillow", "pillow"), ("python_dateutil", "python-dateutil"), ("ruamel.yaml", "ruamel-yaml"), ("Foo__Bar-.baz", "foo-bar-baz")],
)
def test_pep503_normalization(name: str, normalized: str) -> None:
    assert normalize(name) == normalized


PYPROJECT = """\
[project]
name = "app"
dependencies = ["requests>=2", "PyJWT[crypto] ; python_version >= '3.9'"]

[project.optional-dependencies]
images = ["Pillow>=9"]

[dependency-groups]
dev = ["Python_Dateutil==2.9", {include-group = "lint"}]
lint = ["ruff"]
"""


@pytest.mark.parametrize(
    ("module", "declared_in"),
    [
        ("PIL", "pyproject.toml [project.optional-dependencies] images"),
        ("jwt", "pyproject.toml [project] dependencies"),
        ("dateutil", "pyproject.toml [dependency-groups] dev"),
        ("yaml", "requirements-dev.txt"),
        ("bs4", "requirements/base.txt"),
        ("attr", "ci/extra.txt"),  # only reachable through `-r ci/extra.txt`
        ("cv2", None),
    ],
)
def test_declared_detection(tmp_path: Path, module: str, declared_in: str | None) -> None:
    project = write(tmp_path, {
        "pyproject.toml": PYPROJECT,
        "requirements-dev.txt": "-r requirements/base.txt\n-r ci/extra.txt\npyyaml==6.0  # configs\n-e .\n",
        "ci/extra.txt": "attrs\n",
        "requirements/base.txt": "# base\nbeautifulsoup4>=4\n",
    })
    assert describe(project, module).declared_in == declared_in


def test_declared_alternative_distribution_is_the_one_named(tmp_path: Path) -> None:
    project = write(tmp_path, {"requirements.txt": "opencv-python-headless==4.9\n"})
    assert describe(project, "cv2") == MissingDependency("cv2", "opencv-python-headless", "requirements.txt")


def test_a_declared_distribution_named_after_the_module_with_a_suffix_or_by_its_dotted_path(tmp_path: Path) -> None:
    project = write(tmp_path, {"requirements.txt": "dnspython>=2\ngoogle-cloud-storage\n"})
    assert describe(project, "dns.resolver") == MissingDependency("dns.resolver", "dnspython", "requirements.txt")
    # ``from google.cloud import storage``: asked by the fullest name the statement may import
    found = describe(project, "google.cloud.storage")
    assert (found.distribution, found.declared_in) == ("google-cloud-storage", "requirements.txt")


def test_setup_cfg_and_poetry_declarations(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "setup.cfg": "[options]\ninstall_requires =\n    PyYAML\n[options.extras_require]\nimages =\n    pillow\n",
        "pyproject.toml": "[tool.poetry.group.test.dependencies]\nbeautifulsoup4 = '^4'\n",
    })
    assert describe(project, "yaml").declared_in == "setup.cfg [options] install_requires"
    assert describe(project, "PIL").declared_in == "setup.cfg [options.extras_require] images"
    assert describe(project, "bs4").declared_in == "pyproject.toml [tool.poetry.group.test.dependencies]"


def test_requirement_files_one_folder_down_are_read_but_not_a_virtualenvs(tmp_path: Path) -> None:
    """A thirteenth review: ``requests`` declared only in ``tests/requirements.txt``."""
    project = write(tmp_path, {"tests/requirements.txt": "requests>=2\n", ".venv/requirements.txt": "attrs\n"})
    assert describe(project, "requests").declared_in == "tests/requirements.txt"
    assert describe(project, "attr").declared_in is None


def test_setup_py_declarations_are_read_not_run(tmp_path: Path) -> None:
    """A twelfth review: ``requests``, declared only in ``setup.py``, was taken for a test helper."""
    project = write(tmp_path, {"setup.py": (
        "import pathlib\nfrom setuptools import setup\n\npathlib.Path('SETUP_RAN').write_text('x')\n"
        "setup(name='app', install_requires=['requests>=2'], tests_require=('pytest-mock',),\n"
        "      extras_require={'yaml': ['PyYAML']}, setup_requires=computed())\n"
    )})
    assert describe(project, "requests").declared_in == "setup.py install_requires"
    assert describe(project, "pytest_mock").declared_in == "setup.py tests_require"
    assert describe(project, "yaml").declared_in == "setup.py extras_require"
    assert not (tmp_path / "SETUP_RAN").exists()


def test_install_command_is_one_sorted_deduplicated_line() -> None:
    deps = [
        MissingDependency("yaml", "PyYAML", None),
        MissingDependency("PIL", "pillow", "requirements.txt"),
        MissingDependency("PIL.Image", "Pillow", None),
        MissingDependency("cv2", "opencv-python", None),
    ]
    assert install_command(deps) == "python -m pip install PyYAML opencv-python pillow"
    assert install_command([]) == ""


def test_install_command_uses_the_project_interpreter() -> None:
    deps = [MissingDependency("markdown_it", "markdown-it-py", None)]
    assert install_command(deps, "/work/my app/.venv/bin/python") == "'/work/my app/.venv/bin/python' -m pip install markdown-it-py"


def fake_environment(tmp_path: Path) -> str:
    """An interpreter whose environment has one distribution more than collect-fix's own: this
    interpreter, with a site directory holding the metadata of ``fancy-dist`` (module ``fancymod``)."""
    site = tmp_path / "site"
    info = site / "fancy_dist-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fancy-dist\nVersion: 1.0\n")
    (info / "top_level.txt").write_text("fancymod\n")
    (info / "RECORD").write_text("fancymod/__init__.py,,\n")
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text(f'#!/bin/sh\nPYTHONPATH="{site}" exec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    return str(python)


def test_installed_metadata_is_the_project_interpreters_not_collect_fixs(tmp_path: Path) -> None:
    python = fake_environment(tmp_path)

    assert installed_distributions(python)["fancymod"] == ("fancy-dist",)
    assert "fancymod" not in installed_distributions(sys.executable)
    project = write(tmp_path / "project", {"tests/test_a.py": "import fancymod\n"})
    assert describe(project, "fancymod", python) == MissingDependency("fancymod", "fancy-dist", None)
    assert describe(project, "fancymod", sys.executable).distribution == "fancymod"  # only a guess there


def test_an_interpreter_that_cannot_answer_gives_no_metadata(tmp_path: Path) -> None:
    assert installed_distributions(str(tmp_path / "no-python")) == {}
    assert installed_distributions("/bin/false") == {}


@pytest.mark.parametrize(
    ("files", "module", "expected"),
    [
        ({"pyproject.toml": "[tool.poetry.dependencies]\npython = '^3.9'\nmarkdown-it-py = '^3'\n"},
         "markdown_it", ("markdown-it-py", "pyproject.toml [tool.poetry.dependencies]")),
        ({"requirements.txt": "python-slugify==8\n"}, "slugify", ("python-slugify", "requirements.txt")),
        ({"test-requirements.txt": "PyHamcrest\n"}, "hamcrest", ("PyHamcrest", "test-requirements.txt")),
        ({"requirements/dev.in": "google-cloud-pubsub\n"}, "google.cloud.pubsub",
         ("google-cloud-pubsub", "requirements/dev.in")),
        ({"pyproject.toml": "[project]\ndependencies = ['markdown-it-py']\n"}, "mdurl", ("mdurl", None)),
        ({"pyproject.toml": "[tool.poetry.dependencies]\npython = '^3.9'\n"}, "python", ("python", None)),
    ],
)
def test_a_declared_distribution_named_after_the_module_is_the_one_named(
    tmp_path: Path, files: dict[str, str], module: str, expected: tuple[str, str | None]
) -> None:
    project = write(tmp_path, files)
    dep = describe(project, module, sys.executable)
    assert (dep.distribution, dep.declared_in) == expected


def dependency_diagnosis(path: str, module: str, line: int = 1) -> Diagnosis:
    return Diagnosis(Category.MISSING_DEPENDENCY, path, line, f"third-party module '{module}' is not installed", module=module)


def test_describe_diagnosis_looks_up_the_full_import_not_the_namespace(tmp_path: Path) -> None:
    project = write(tmp_path, {"tests/test_a.py": "import os\nfrom google.protobuf import json_format\n"})
    dep = describe_diagnosis(project, dependency_diagnosis("tests/test_a.py", "google", line=2))
    assert dep == MissingDependency("google", "protobuf", None)


def test_planner_only_advises_without_skip_missing_deps(tmp_path: Path) -> None:
    project = write(tmp_path, {"tests/test_a.py": "import yaml\n", "requirements.txt": "PyYAML\n"})
    plan = missing_dependencies.plan(dependency_diagnosis("tests/test_a.py", "yaml"), project, Options(root=tmp_path))
    assert plan.alternatives == ()
    assert plan.advice == "install PyYAML, which provides yaml (declared in requirements.txt)"


def test_planner_guards_test_files_with_skip_missing_deps(tmp_path: Path) -> None:
    project = write(tmp_path, {"tests/test_a.py": "import google.protobuf\n"})
    options = Options(root=tmp_path, skip_missing_deps=True)
    plan = missing_dependencies.plan(dependency_diagnosis("tests/test_a.py", "google"), project, options)
    (repair,) = plan.alternatives
    assert [(e.path, e.transform, e.kwargs()) for e in repair.edits] == [
        ("tests/test_a.py", "guard_missing_dependency", {"module": "google"})
    ]
    assert "protobuf" in repair.evidence and "not declared" in repair.evidence  # named by the full import


@pytest.mark.parametrize("path", ["src/app/core.py", "tests/helpers.py"])
def test_planner_never_guards_source_modules(tmp_path: Path, path: str) -> None:
    project = write(tmp_path, {path: "import yaml\n"})
    options = Options(root=tmp_path, skip_missing_deps=True)
    plan = missing_dependencies.plan(dependency_diagnosis(path, "yaml"), project, options)
    assert plan.alternatives == ()
    assert "PyYAML" in plan.advice and "not a test module" in plan.advice


def test_planner_guards_configured_test_file_patterns(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npython_files = ["check_*.py"]\n',
        "tests/check_a.py": "import yaml\n",
        "tests/test_b.py": "import yaml\n",
    })
    options = Options(root=tmp_path, skip_missing_deps=True)
    assert missing_dependencies.plan(dependency_diagnosis("tests/check_a.py", "yaml"), project, options).alternatives
    refused = missing_dependencies.plan(dependency_diagnosis("tests/test_b.py", "yaml"), project, options)
    assert refused.alternatives == () and "not a test module" in refused.advice


def test_planner_never_guards_a_conftest(tmp_path: Path) -> None:
    project = write(tmp_path, {"tests/conftest.py": "import yaml\n", "tests/test_a.py": "def test_a():\n    pass\n"})
    options = Options(root=tmp_path, skip_missing_deps=True)
    plan = missing_dependencies.plan(dependency_diagnosis("tests/conftest.py", "yaml"), project, options)
    assert plan.alternatives == ()
    assert plan.advice == (
        "install PyYAML, which provides yaml (not declared by the project); "
        "tests/conftest.py is a conftest, and a skip there would end the whole test session"
    )


@pytest.mark.parametrize(("source", "beside"), [
    ("from google.cloud import storage, bigquery\n", ("google.cloud.bigquery",)),
    ("from google.cloud import storage\nfrom google.cloud import bigquery, storage as store\n", ("google.cloud.bigquery",)),
    ("from google.protobuf import json_format, message\n", ()),
    ("import google.protobuf\nfrom google.cloud import storage\n", ("google.cloud.storage",)),
])
def test_every_distribution_a_missing_namespace_needs_is_named(tmp_path: Path, source: str, beside: tuple[str, ...]) -> None:
    """A hostile review: ``from google.cloud import storage, bigquery`` named google-cloud-storage
    alone, keyed by the top-level name both share; names of one distribution are named once."""
    project = write(tmp_path, {"tests/test_a.py": source})
    assert missing_beside(project, dependency_diagnosis("tests/test_a.py", "google"), sys.executable) == beside
