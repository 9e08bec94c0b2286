"""The verifier's rules on collections as the collector builds them from the probe's records.

The end-to-end tests (tests/e2e/test_masked_causes.py, test_verification.py) show each rule on
real pytest runs; these pin the rules themselves, one case each.
"""

from __future__ import annotations

from pathlib import Path

from collect_fix.diagnosis import diagnose, diagnose_masked
from collect_fix.project import Project
from collect_fix.types import Category, Collection, CollectionError, Diagnosis, Frame, Repair
from collect_fix.verification import Applied, judge


def _project(tmp_path: Path) -> Project:
    for name in ("tests/test_base.py", "tests/test_a.py", "shop/__init__.py", "shop/models.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("", encoding="utf-8")
    return Project(tmp_path)


def _error(root: Path, path: str, exc_type: str, message: str, **attrs: object) -> CollectionError:
    file = str(root / path)
    return CollectionError(nodeid=path, path=file, exc_type=exc_type, message=message, attrs=dict(attrs),
                           frames=(Frame(file, 1, "<module>", True),))


def test_a_repair_that_only_relabels_an_error_is_not_kept(tmp_path: Path) -> None:
    """Creating an empty ``shop/payments/`` turns "project module does not exist" into "exists
    but is not importable": the same ModuleNotFoundError for the same module, so not repaired."""
    project = _project(tmp_path)
    missing = _error(tmp_path, "tests/test_a.py", "ModuleNotFoundError", "No module named 'shop.payments'",
                     name="shop.payments")
    (target,) = diagnose((missing,), project)
    relabelled = Diagnosis(Category.PROJECT_NOT_IMPORTABLE, target.path, target.line, "exists, not importable",
                           module="shop.payments", error=missing)
    assert relabelled.key != target.key and relabelled.identity == target.identity
    before = Collection(tests=0, errors=(missing,))
    applied = Applied(target, Repair("create the package", ()), ("shop/payments/__init__.py",))

    (verdict,) = judge([applied], before, Collection(tests=0, errors=(missing,)), [relabelled], project)

    assert not verdict.kept and "still shows the error" in verdict.reason


def test_a_cause_the_module_still_catches_is_not_repaired(tmp_path: Path) -> None:
    """After the exit guard, the module collects; the probe still reports the caught failure."""
    project = _project(tmp_path)
    caught = _error(tmp_path, "tests/test_base.py", "ImportError", "cannot import name 'Engine' from 'shop.models'",
                    name="shop.models", name_from="Engine", stopped_by="SystemExit")
    cause = diagnose_masked(caught, project)
    assert cause.masked and cause.category is Category.MISSING_NAME
    applied = Applied(cause, Repair("alias Engine", ()), ("shop/models.py",))
    still = Collection(tests=3, errors=(), tests_per_file={"tests/test_base.py": 3}, masked=(caught,))

    (verdict,) = judge([applied], Collection(tests=0, errors=()), still, [diagnose_masked(caught, project)], project)

    assert not verdict.kept


def test_a_masked_cause_left_after_is_no_error_of_the_repaired_file(tmp_path: Path) -> None:
    """The exit repair promises a clean file; a caught failure there is not a collection error."""
    project = _project(tmp_path)
    exit_error = _error(tmp_path, "tests/test_base.py", "SystemExit", "SystemExit(1)")
    (exit_diagnosis,) = diagnose((exit_error,), project)
    caught = _error(tmp_path, "tests/test_base.py", "ModuleNotFoundError", "No module named 'fastjson_q'",
                    name="fastjson_q")
    applied = Applied(exit_diagnosis, Repair("skipif", (), requires_clean=True), ("tests/test_base.py",))
    after = Collection(tests=3, errors=(), tests_per_file={"tests/test_base.py": 3}, masked=(caught,))

    (verdict,) = judge([applied], Collection(tests=0, errors=(exit_error,)), after,
                       [diagnose_masked(caught, project)], project)

    assert verdict.kept, verdict.reason


def test_a_skip_that_lands_in_an_importer_is_a_loss_of_the_repair_that_wrote_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    exit_error = _error(tmp_path, "tests/test_base.py", "SystemExit", "SystemExit(1)")
    importer_error = _error(tmp_path, "tests/test_a.py", "SystemExit", "SystemExit(1)")
    (exit_diagnosis, _) = diagnose((exit_error, importer_error), project)
    applied = Applied(exit_diagnosis, Repair("skip", (), requires_clean=True), ("tests/test_base.py",))
    before = Collection(tests=0, errors=(exit_error, importer_error))
    after = Collection(
        tests=0, errors=(), skipped_files=("tests/test_base.py", "tests/test_a.py"),
        skip_origins={"tests/test_base.py": "tests/test_base.py", "tests/test_a.py": "tests/test_base.py"},
    )

    (verdict,) = judge([applied], before, after, [], project)

    assert not verdict.kept
    assert verdict.reason == "its skip in tests/test_base.py also skips tests/test_a.py, which import it"


def test_a_skip_that_stays_in_its_own_module_is_kept(tmp_path: Path) -> None:
    project = _project(tmp_path)
    exit_error = _error(tmp_path, "tests/test_base.py", "SystemExit", "SystemExit(1)")
    (exit_diagnosis,) = diagnose((exit_error,), project)
    applied = Applied(exit_diagnosis, Repair("skip", (), requires_clean=True), ("tests/test_base.py",))
    after = Collection(tests=1, errors=(), tests_per_file={"tests/test_a.py": 1}, skipped_files=("tests/test_base.py",),
                       skip_origins={"tests/test_base.py": "tests/test_base.py"})

    (verdict,) = judge([applied], Collection(tests=1, errors=(exit_error,), tests_per_file={"tests/test_a.py": 1}),
                       after, [], project)

    assert verdict.kept, verdict.reason


def test_the_next_name_missing_from_the_same_import_is_uncovered_by_the_repair_not_caused(tmp_path: Path) -> None:
    """Review hAI 07: ``from shop.models import Engine, Motor``, with ``Engine`` taken from its new
    home, now stops at ``Motor``, missing from ``shop.models`` before too: the repair is kept. A name
    missing from the module the repair imports from is its own failure."""
    project = _project(tmp_path)
    first = _error(tmp_path, "tests/test_a.py", "ImportError", "cannot import name 'Engine' from 'shop.models'",
                   name="shop.models", name_from="Engine")
    (target,) = diagnose((first,), project)
    repair = Repair("import 'Engine' from shop.engines", ())
    applied = Applied(target, repair, ("tests/test_a.py",), (("tests/test_a.py", frozenset({1, 2})),))
    for module, name, kept in (("shop.models", "Motor", True), ("shop.engines", "Engine", False)):
        then = _error(tmp_path, "tests/test_a.py", "ImportError", f"cannot import name '{name}' from '{module}'",
                      name=module, name_from=name)
        (after,) = diagnose((then,), project)
        assert after.line == 1 and after.category is Category.MISSING_NAME

        (verdict,) = judge([applied], Collection(tests=0, errors=(first,)), Collection(tests=0, errors=(then,)),
                           [after], project)

        assert verdict.kept is kept, verdict.reason


def test_a_file_the_repair_created_that_pytest_then_fails_to_collect_is_not_kept(tmp_path: Path) -> None:
    """Review hAM 07: a module recreated as an alias of the one it became, where a conftest turns
    doctests on in a way collect-fix cannot read: pytest collects the new file and stops at an
    import file mismatch. Nothing collected there before, so no loss was counted; it is the
    repair's own file failing."""
    project = _project(tmp_path)
    missing = _error(tmp_path, "conftest.py", "ModuleNotFoundError", "No module named 'shop.slugs'", name="shop.slugs")
    (target,) = diagnose((missing,), project)
    mismatch = _error(tmp_path, "shop/slugs.py", "ImportPathMismatchError", "import file mismatch")
    (failing,) = diagnose((mismatch,), project)
    after = Collection(tests=4, errors=(mismatch,), tests_per_file={"tests/test_a.py": 4})
    wrote = Applied(target, Repair("alias shop.slugs", ()), ("shop/slugs.py",), created=("shop/slugs.py",))
    edited = Applied(target, Repair("alias shop.slugs", ()), ("shop/slugs.py",))

    (verdict,) = judge([wrote], Collection(tests=0, errors=(missing,)), after, [failing], project)
    (unknown,) = judge([edited], Collection(tests=0, errors=(missing,)), after, [failing], project)

    assert not verdict.kept and "shop/slugs.py, which it wrote, fails to collect" in verdict.reason
    assert unknown.kept  # a file that was there and never reached: no result to lose, as before
