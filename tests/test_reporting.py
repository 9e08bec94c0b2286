"""The text report: pytest's numbers, one entry per cause, grouped by category with a next step."""

from __future__ import annotations

from collect_fix.reporting import render_summary
from collect_fix.types import Category, Collection, CollectionError, Diagnosis, Plan, Report


def _error(test_file: str) -> CollectionError:
    return CollectionError(nodeid=test_file, path=f"/p/{test_file}", exc_type="NameError", message="name 'Sequence' is not defined")


def test_one_source_error_reached_from_two_test_files_is_listed_once() -> None:
    errors = (_error("tests/test_a.py"), _error("tests/test_b.py"))
    diagnoses = tuple(
        Diagnosis(Category.UNDEFINED_NAME, "pkg/mod.py", 12, "name 'Sequence' is not defined", subject="Sequence", error=e)
        for e in errors
    )
    plans = tuple(Plan(d, advice="ambiguous: typing or collections.abc") for d in diagnoses)
    report = Report(
        before=Collection(tests=3, errors=errors), after=Collection(tests=3, errors=errors), outcomes=(),
        remaining=plans, diff="", files_changed=(), applied=True, before_diagnoses=diagnoses, after_diagnoses=diagnoses,
    )

    text = render_summary(report)

    assert text.count("pkg/mod.py:12: name 'Sequence' is not defined") == 1
    assert "(stops 2 test files from collecting)" in text
    assert "next step: ambiguous: typing or collections.abc" in text
    assert "undefined_name               2       2" in text  # pytest's count: one error per test file
