"""--apply keeps what re-collection confirms and only that (review findings, as real projects)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from conftest import MOVED_INTO_A_MODULE_THAT_IMPORTS_BACK, collected_ids, run_in_process, write_files

from collect_fix import collector
from collect_fix.diagnosis import diagnose
from collect_fix.planning import plan_all
from collect_fix.project import Project
from collect_fix.types import Category, Collection, CollectionError, Diagnosis, Frame, Options, Repair
from collect_fix.verification import Applied, added_lines, judge


def test_errors_a_repair_uncovers_in_files_pytest_never_reached_are_not_blamed_on_it(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\npythonpath = .\n",
        "shop/__init__.py": "",
        "shop/widgets.py": "class WidgetImpl:\n    pass\n",
        "conftest.py": "from shop.widgets import Widget\n",
        "tests/test_ok.py": "def test_ok():\n    pass\n",
        "tests/test_dep.py": "import vendor_sdk_not_installed_q\n\n\ndef test_dep():\n    pass\n",
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 1  # the missing third-party module remains, as it must
    assert "Widget = WidgetImpl" in (root / "shop/widgets.py").read_text()
    assert collected_ids(root) == ["tests/test_ok.py::test_ok"]
    assert "missing_dependency" in result.stdout


def test_an_exitfirst_addopts_does_not_hide_the_other_broken_files(tmp_path: Path) -> None:
    files = {"pytest.ini": "[pytest]\naddopts = -x\n"}
    for name in ("a", "b", "c"):
        files[f"tests/test_{name}.py"] = f'import sys\n\nif True:\n    sys.exit("{name} off")\n\n\ndef test_{name}():\n    pass\n'
    root = write_files(tmp_path, files)

    result = run_in_process(root, "--apply")

    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("a", "b", "c"):
        assert "sys.exit" not in (root / f"tests/test_{name}.py").read_text()


def test_a_repair_that_makes_another_file_lose_tests_is_undone(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\npythonpath = .\n",
        "shop/__init__.py": "",
        "shop/widgets.py": "class Gadget:\n    pass\n",
        "tests/test_a.py": "from shop.widgets import Widget\n\n\ndef test_a():\n    assert Widget\n",
        "tests/test_b.py": """\
            import shop.widgets

            if not hasattr(shop.widgets, "Widget"):
                def test_fallback():
                    pass
        """,
    })
    widgets_before = (root / "shop/widgets.py").read_bytes()

    result = run_in_process(root, "--apply")

    assert "tests/test_b.py::test_fallback" in collected_ids(root)
    assert (root / "shop/widgets.py").read_bytes() == widgets_before
    assert "collected fewer tests afterwards" in result.stdout


def test_diagnoses_sharing_one_repair_each_keep_their_plan() -> None:
    project = Project(Path("."))
    shared = [
        Diagnosis(Category.SYNTAX_ERROR, f"tests/test_{name}.py", 1, "SyntaxError: invalid syntax") for name in "ab"
    ]
    plans = plan_all(shared, project, Options(root=Path(".")))
    assert [plan.diagnosis.path for plan in plans] == ["tests/test_a.py", "tests/test_b.py"]


def test_a_hang_outside_any_test_file_is_reported_as_a_timeout(tmp_path: Path) -> None:
    root = write_files(tmp_path, {
        "conftest.py": "import time\n\n\ndef pytest_collection_modifyitems(items):\n    time.sleep(60)\n",
        "tests/test_ok.py": "def test_ok():\n    pass\n",
    })

    result = run_in_process(root, "--dry-run", "--timeout", "2")

    assert result.returncode == 1
    assert "timeout:" in result.stdout and "did not finish within 2s" in result.stdout


def test_a_hanging_test_file_costs_one_timeout_per_run_not_one_per_collection(tmp_path: Path) -> None:
    imports = tmp_path / "imports.log"  # one line each time a collection imports the hanging file
    files = {
        "tests/test_exit.py": 'import sys\n\nif True:\n    sys.exit("off")\n\n\ndef test_x():\n    pass\n',
        "tests/test_ok.py": "def test_ok():\n    pass\n",
    }
    # The same run without the hang, timed just before on the same machine under the same load.
    calm = write_files(tmp_path / "calm", {**files, "tests/test_hangs.py": "def test_calm():\n    pass\n"})
    start = time.monotonic()
    run_in_process(calm, "--apply", "--timeout", "3")
    without_hang = time.monotonic() - start
    root = write_files(tmp_path / "hangs", {
        **files, "tests/test_hangs.py": f"import time\nwith open({str(imports)!r}, 'a') as log:\n    log.write('x\\n')\ntime.sleep(60)\n",
    })
    start = time.monotonic()

    result = run_in_process(root, "--apply", "--timeout", "3")

    # The first collection times out once; later ones skip the file: one timeout more than the calm
    # run, never two.
    assert time.monotonic() - start - without_hang < 3 * 2
    assert imports.read_text() == "x\n"
    assert "tests/test_hangs.py" in result.stdout and "did not finish within 3s" in result.stdout
    assert "sys.exit" not in (root / "tests/test_exit.py").read_text()


def test_a_repair_whose_own_code_fails_is_undone(tmp_path: Path) -> None:
    # Whatever a planner proposes, verification must not keep code that fails by itself: here the
    # added line 2 raises the new error in the very file the repair targeted.
    root = write_files(tmp_path, {"tests/test_a.py": "import pytest\nyaml = pytest.importorskip('yaml')\n"})
    project = Project(root)
    target = Diagnosis(Category.MISSING_DEPENDENCY, "tests/test_a.py", 1, "yaml missing", module="yaml")
    new_error = CollectionError(
        nodeid="", path=str(root / "tests/test_a.py"), exc_type="NameError", message="name 'x' is not defined",
        attrs={"name": "x"}, frames=(Frame(str(root / "tests/test_a.py"), 2, "<module>", True),),
    )
    after_diagnoses = diagnose((new_error,), project)
    applied = Applied(target, Repair("guard", ()), ("tests/test_a.py",),
                      (("tests/test_a.py", added_lines(b"import yaml\n", b"import pytest\nyaml = pytest.importorskip('yaml')\n")),))
    before = Collection(tests=0, errors=(CollectionError(nodeid="", path=str(root / "tests/test_a.py"), exc_type="ModuleNotFoundError", message=""),))
    after = Collection(tests=0, errors=(new_error,))

    (verdict,) = judge([applied], before, after, after_diagnoses, project)

    assert not verdict.kept
    assert "the code it added fails" in verdict.reason


def test_added_lines_are_the_inserted_and_replaced_ones() -> None:
    assert added_lines(b"a\nb\nc\n", b"a\nB\nc\nd\n") == {2, 4}
    assert added_lines(None, b"x\ny\n") == {1, 2}


def test_a_repair_that_fails_on_its_own_does_not_send_the_whole_round_to_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moving a function into a module that imports back makes its re-export a circular import.
    The tests below that module's conftest lose their tests, which no repair's files explain; but
    the re-export itself fails at the line it added. Undoing it first keeps the rest of the round.
    (The importer is generated, so the re-export is the only repair: rewriting an import comes
    first otherwise, since this re-export depends on which module is imported first.)"""
    files = dict(MOVED_INTO_A_MODULE_THAT_IMPORTS_BACK)
    files["tests/test_policy.py"] = "# @generated from policy.yaml\n" + files["tests/test_policy.py"]
    for name in ("a", "b", "c"):
        files[f"tests/test_exit_{name}.py"] = f"import sys\n\nsys.exit(1)\n\n\ndef test_{name}():\n    pass\n"
    root = write_files(tmp_path, files)
    collections: list[tuple[str, ...]] = []
    start = collector.RunCollector.start

    def counting_start(
        self: collector.RunCollector, touched: tuple[str, ...] = (), extra_args: tuple[str, ...] = (), whole: bool = True
    ) -> collector.PendingCollection | collector.ShardedCollection:
        collections.append(extra_args)
        return start(self, touched, extra_args, whole)

    monkeypatch.setattr(collector.RunCollector, "start", counting_start)
    result = run_in_process(root, "--apply")

    assert result.returncode == 1, result.stdout + result.stderr  # the generated importer's error remains
    assert "partially initialized module" in result.stdout  # the re-export was tried and undone
    assert (root / "shop/policy.py").read_text() == files["shop/policy.py"]
    assert (root / "tests/test_policy.py").read_text() == files["tests/test_policy.py"]
    ids = collected_ids(root)
    assert "tests/role/test_role.py::test_role" in ids and "tests/test_policy.py::test_key" not in ids
    for name in "abc":
        assert "allow_module_level=True" in (root / f"tests/test_exit_{name}.py").read_text()
    # the first collection; round 1 (its partial session ends at the conftest, so a full one
    # follows); round 1 again without the re-export; round 2 (the import rewritten). Undoing the
    # round and going one repair at a time took 10.
    assert len(collections) <= 5, collections


def test_an_import_that_closes_a_cycle_is_not_kept_where_the_cycle_is_raised_further_on(tmp_path: Path) -> None:
    """``helper`` is undefined in ``acme.a``; only ``acme.b`` defines it, and ``acme.b`` imports
    ``acme.a`` back. The added ``from acme.b import helper`` loads ``acme.b``, whose own first line
    (not the added one) then fails on the half-loaded ``acme.a``. The test file fails either way,
    so the repair has uncovered nothing: it made the cycle (reported as repaired before)."""
    source = "LIMIT = 3\n\n\ndef clamp(value):\n    return min(value, LIMIT)\n\n\nDEFAULT = helper(LIMIT)\n"
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
        "acme/__init__.py": "",
        "acme/a.py": source,
        "acme/b.py": "from acme.a import clamp\n\n\ndef helper(value):\n    return clamp(value) * 2\n",
        "tests/test_a.py": "from acme.a import DEFAULT\n\n\ndef test_default():\n    assert DEFAULT == 6\n",
    })

    result = _apply_rejected_as_a_cycle(root, "acme/a.py", source)

    assert "an import it added closes a cycle: cannot import name 'clamp'" in result.stdout
    assert "repaired:" not in result.stdout


def test_an_import_that_only_leads_into_an_older_cycle_is_kept(tmp_path: Path) -> None:
    """``helper`` moved to ``shop.a``, and ``shop.a`` and ``shop.b`` already import each other:
    the re-export in ``shop.pricing`` is on the way into that cycle, not part of it (review)."""
    root = write_files(tmp_path, {
        "pytest.ini": "[pytest]\npythonpath = .\n",
        "shop/__init__.py": "",
        "shop/pricing.py": "def total(items):\n    return sum(items)\n",
        "shop/a.py": "from shop.b import B\n\n\nclass A:\n    pass\n\n\ndef helper():\n    return 1\n",
        "shop/b.py": "from shop.a import A\n\n\nclass B(A):\n    pass\n",
        "tests/test_p.py": "from shop.pricing import helper\n\n\ndef test_helper():\n    assert helper() == 1\n",
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 1
    assert "from shop.a import helper" in (root / "shop/pricing.py").read_text()
    assert "import cycle: tests.test_p -> shop.pricing -> shop.a -> shop.b -> shop.a" in result.stdout


def test_a_cycle_that_was_there_before_is_not_blamed_on_an_import_merged_into_its_line(tmp_path: Path) -> None:
    """``pkg.a`` and ``pkg.b`` import each other already; the repair of ``helper`` adds the name to
    the import line the old cycle runs through (``from pkg import b, helper``): the same error as
    before, not one the repair made (second review)."""
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\ntestpaths = ["tests"]\n',
        "pkg/__init__.py": "def helper(x):\n    return x * 2\n",
        "pkg/a.py": "from pkg import b\n\nVALUE = helper(3)\n",
        "pkg/b.py": "from pkg.a import VALUE\n",
        "tests/test_1_via_a.py": "import pkg.a\n\n\ndef test_a():\n    assert pkg.a.VALUE == 6\n",
        "tests/test_2_via_b.py": "import pkg.b\n\n\ndef test_b():\n    assert pkg.b.VALUE == 6\n",
    })

    result = run_in_process(root, "--apply")

    assert result.returncode == 1  # the old cycle is left for a person
    assert "helper" in (root / "pkg/a.py").read_text().splitlines()[0]
    assert collected_ids(root) == ["tests/test_2_via_b.py::test_b"]


def test_a_cycle_through_a_module_pytest_imports_under_another_name_is_still_found(tmp_path: Path) -> None:
    """pytest puts ``tests/`` on ``sys.path``, so ``tests/factories.py`` loads as ``factories``, not
    the ``tests.factories`` the project's layout names: the cycle's start is found by the file
    the error names (third review: the cycle-making import was kept)."""
    source = "def make_user():\n    return {'name': 'u'}\n\n\nDEFAULT = Helper\n"
    root = write_files(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
        "tests/helpers.py": (
            "from factories import make_user\n\n\nclass Helper:\n    def __init__(self):\n        self.user = make_user()\n"
        ),
        "tests/factories.py": source,
        "tests/test_y.py": "from factories import make_user\n\n\ndef test_y():\n    assert make_user()\n",
        "tests/test_z.py": "def test_z():\n    pass\n",
    })

    _apply_rejected_as_a_cycle(root, "tests/factories.py", source)


def _apply_rejected_as_a_cycle(root: Path, path: str, source: str) -> "subprocess.CompletedProcess[str]":
    """``--apply`` leaves ``path`` as ``source`` and says the import it tried closed a cycle."""
    result = run_in_process(root, "--apply")
    assert result.returncode == 1
    assert (root / path).read_text() == source
    assert "an import it added closes a cycle" in result.stdout
    return result
