"""The reports: text, JSON, GitHub workflow commands and SARIF, from real runs of the CLI on the
bundled fixture projects (in-process through main(argv)), checked against pytest's own numbers,
the documented JSON schema and the official SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import jsonschema
import pytest

from collect_fix.cli import main
from collect_fix.report_diff import file_changes, line_before
from collect_fix.report_github import command, escape_data, escape_property, render_github
from collect_fix.report_json import report_data
from collect_fix.reporting import render_summary
from collect_fix.types import Category, Collection, CollectionError, Diagnosis, Outcome, Plan, Repair, Report, Status
from conftest import collect_only

SCHEMAS = Path(__file__).parent / "schemas"
README = Path(__file__).parents[1] / "README.md"


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


def test_one_repair_that_fixes_many_errors_is_listed_once_with_its_count() -> None:
    repair = Repair("add 'src' to pythonpath in pyproject.toml", ())
    diagnoses = [
        Diagnosis(Category.PROJECT_NOT_IMPORTABLE, f"tests/test_{n}.py", 1, "project package 'ledger' is not on sys.path")
        for n in range(27)
    ]
    outcomes = tuple(Outcome(d, Status.REPAIRED, repair, files=("pyproject.toml",)) for d in diagnoses)
    errors = tuple(_error(f"tests/test_{n}.py") for n in range(27))
    report = Report(
        before=Collection(tests=0, errors=errors), after=Collection(tests=27, errors=()), outcomes=outcomes,
        remaining=(), diff="", files_changed=("pyproject.toml",), applied=True, before_diagnoses=tuple(diagnoses),
    )

    text = render_summary(report)
    data = report_data(report)

    assert text.count("add 'src' to pythonpath") == 1
    assert "(fixes 27 collection errors)" in text
    assert "... and 24 more" in text
    assert [(r["repair"], r["errors_fixed"], len(r["errors"])) for r in data["repairs"]] == [
        ("add 'src' to pythonpath in pyproject.toml", 27, 27)
    ]
    assert len(data["outcomes"]) == 27  # the per-error list stays, for tools that want it


# --- real runs --------------------------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_src_layout_run_lists_the_pythonpath_repair_once_and_names_the_interpreter(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_project("src_layout_not_importable")
    errors_before = len([line for line in collect_only(root).stdout.splitlines() if line.startswith("ERROR ")])

    code, out, _ = run(["--dry-run", "--no-color", str(root)], capsys)

    assert code == 1
    assert errors_before == 2
    assert out.count("-> add 'src' to pythonpath") + out.count("add 'src' to pythonpath in pyproject.toml [tool.pytest.ini_options]  (fixes") == 1
    assert f"(fixes {errors_before} collection errors)" in out
    python_version = ".".join(map(str, sys.version_info[:3]))
    assert re.search(rf"collected with \S+ \(Python {re.escape(python_version)}, pytest {re.escape(pytest.__version__)}\)", out)


def test_quiet_prints_only_the_diff_and_the_table(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_project("src_layout_not_importable")

    code, out, err = run(["-q", "--no-color", str(root)], capsys)

    assert code == 1
    diff, _, table = out.partition("\ncollect-fix report")
    assert diff.startswith("diff --git a/pyproject.toml b/pyproject.toml\n")
    assert [line.split()[0] for line in table.strip().splitlines()[1:]] == [
        "before", "tests", "collection", "project_not_importable", "files",
    ]
    assert err == ""


def _validate(instance: Any, schema_file: str) -> None:
    schema = json.loads((SCHEMAS / schema_file).read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)
    validator.check_schema(schema)
    errors = sorted(validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.mark.parametrize(
    ("fixture", "mode"),
    [("sys_exit_on_import", "--dry-run"), ("missing_dependencies", "--apply"), ("src_layout_not_importable", "--apply")],
)
def test_json_report_validates_against_the_documented_schema(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path, fixture: str, mode: str
) -> None:
    root = fixture_project(fixture)
    written = tmp_path / "report.json"

    code, out, _ = run([mode, "--format", "json", "--json", str(written), str(root)], capsys)

    printed = json.loads(out)
    assert printed == json.loads(written.read_text(encoding="utf-8"))
    _validate(printed, "collect-fix-report.schema.json")
    assert printed["schema_version"] == 1
    assert code == (1 if printed["after"]["errors"] or (printed["diff"] and mode == "--dry-run") else 0)
    after_pytest = [line for line in collect_only(root).stdout.splitlines() if line.startswith("ERROR ")]
    if mode == "--apply":  # the tree now is what "after" describes: pytest's own count
        assert printed["after"]["errors"] == len(after_pytest)


def test_every_json_field_is_documented_in_the_schema_and_the_readme(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_project("missing_dependencies")
    _, out, _ = run(["--format", "json", str(root)], capsys)
    fields = set(json.loads(out))
    schema = json.loads((SCHEMAS / "collect-fix-report.schema.json").read_text(encoding="utf-8"))
    section = README.read_text(encoding="utf-8").split("### JSON report", 1)[1].split("\n## ", 1)[0]
    in_readme = set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE))

    assert fields <= set(schema["properties"]), "undocumented JSON fields: add them to the schema and the README"
    assert set(schema["properties"]) == in_readme


# --- GitHub workflow commands -----------------------------------------------------------------

_COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<message>.*)$")


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse_workflow_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Every line of ``output`` outside a stopped section must be a workflow command the runner
    accepts: ``::name k=v,k=v::message``, properties free of raw ``:`` and ``,``, no raw CR."""
    parsed: list[tuple[str, dict[str, str], str]] = []
    stopped: Optional[str] = None
    for line in output.split("\n")[:-1]:
        if stopped is not None:
            if line == f"::{stopped}::":
                stopped = None
            continue
        assert "\r" not in line
        match = _COMMAND.match(line)
        assert match, f"not a workflow command: {line!r}"
        props: dict[str, str] = {}
        for item in filter(None, (match["props"] or "").split(",")):
            key, equals, value = item.partition("=")
            assert equals and key in {"file", "line", "endLine", "col", "endColumn", "title"}, item
            props[key] = _unescape(value)
        if match["name"] == "stop-commands":
            stopped = match["message"]
        parsed.append((match["name"], props, _unescape(match["message"])))
    assert stopped is None, "commands were stopped and never resumed"
    return parsed


def test_escaping_follows_the_runner_rules() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = command("error", "x\n::warning::injected", file="we,ird:name.py", line=3, title="t: 1, 2")
    assert line == "::error file=we%2Cird%3Aname.py,line=3,title=t%3A 1%2C 2::x%0A::warning::injected"
    assert parse_workflow_commands(line + "\n") == [
        ("error", {"file": "we,ird:name.py", "line": "3", "title": "t: 1, 2"}, "x\n::warning::injected")
    ]


def test_github_format_annotates_real_lines_of_real_files(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = fixture_project("missing_dependencies")

    code, out, _ = run(["--format", "github", str(root)], capsys)

    assert code == 1
    commands = parse_workflow_commands(out)
    errors = [(props, message) for name, props, message in commands if name == "error"]
    failing = [line.split()[1] for line in collect_only(root).stdout.splitlines() if line.startswith("ERROR ")]
    assert len(errors) == len(failing) == 4  # one per error pytest reports; test_captions.py fails in its import
    assert {props["file"] for props, _ in errors} == {
        "gallery/captions.py", "tests/test_dates.py", "tests/test_images.py", "tests/test_vision.py",
    }
    for props, message in errors:
        lines = (root / props["file"]).read_text(encoding="utf-8").splitlines()
        assert 1 <= int(props["line"]) <= len(lines)
        assert "import" in lines[int(props["line"]) - 1]  # the annotation sits on the failing import
        assert props["title"] == "collect-fix: missing_dependency" and "next step: install" in message
    assert [name for name, _, _ in commands][-3:] == ["group", "stop-commands", "endgroup"]


def test_github_format_notices_repairs_and_warns_about_shims(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixture_project("missing_names")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(root.parent))  # the project in a subfolder of the checkout

    code, out, _ = run(["--apply", "--format", "github", str(root)], capsys)

    assert code == 0
    commands = parse_workflow_commands(out)
    notices = [props for name, props, _ in commands if name == "notice"]
    warnings = [(props, message) for name, props, message in commands if name == "warning"]
    assert notices and all(props["file"].startswith(f"{root.name}/") for props in notices)
    assert {props["title"] for props in notices} == {"collect-fix: repaired"}
    assert len(warnings) == 10  # every stub, alias and re-export the run left (the e2e test counts them too)
    for props, message in warnings:
        path = root.parent / props["file"]
        assert "# collect-fix:" in path.read_text(encoding="utf-8").splitlines()[int(props["line"]) - 1]
        assert message.split(" left by collect-fix: ")[0] in {"stub", "alias", "re-export"}


def test_a_hostile_error_message_cannot_issue_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    (tmp_path / "test_evil.py").write_text(
        'raise RuntimeError("boom\\n::add-mask::x\\r\\n::endgroup::\\n::error file=a,line=1::owned %0A")\n', encoding="utf-8"
    )

    code, out, _ = run(["--format", "github", str(tmp_path)], capsys)

    assert code == 1
    commands = parse_workflow_commands(out)
    assert [name for name, _, _ in commands] == ["error", "group", "stop-commands", "endgroup"]
    assert "::error file=a,line=1::owned %0A" in commands[0][2]  # the message arrives intact, as text


# --- SARIF ------------------------------------------------------------------------------------


def _apply_fixes(original: str, replacements: list[dict[str, Any]]) -> str:
    """Apply SARIF replacements (regions of the original text, in order) the way a consumer would."""
    lines = original.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return (offsets[line - 1] if line - 1 < len(offsets) else offsets[-1]) + column - 1

    result, position = [], 0
    for replacement in replacements:
        region = replacement["deletedRegion"]
        if "charOffset" in region:
            start, end = region["charOffset"], region["charOffset"] + region["charLength"]
        else:
            start = offset(region["startLine"], region["startColumn"])
            end = offset(region["endLine"], region["endColumn"])
        result.append(original[position:start])
        result.append(replacement.get("insertedContent", {}).get("text", ""))
        position = end
    result.append(original[position:])
    return "".join(result)


# New files, insertions, replacements at the end of files and in config files.
@pytest.mark.parametrize("fixture", ["sys_exit_on_import", "missing_names", "src_layout_not_importable"])
def test_sarif_validates_and_its_fixes_write_exactly_what_apply_writes(
    fixture_project: Callable[[str], Path], capsys: pytest.CaptureFixture[str], tmp_path: Path, fixture: str
) -> None:
    root = fixture_project(fixture)
    twin = tmp_path / "twin"
    shutil.copytree(root, twin)

    code, out, _ = run(["--dry-run", "--format", "sarif", str(root)], capsys)

    assert code == 1
    log = json.loads(out)
    _validate(log, "sarif-schema-2.1.0.json")
    sarif_run = log["runs"][0]
    rule_ids = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) and {c.value for c in Category} <= set(rule_ids)
    for result in sarif_run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        for location in result.get("locations", []):
            assert (root / location["physicalLocation"]["artifactLocation"]["uri"]).is_file()

    main(["--apply", str(twin)])
    capsys.readouterr()
    rewritten: dict[str, str] = {}
    for result in sarif_run["results"]:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                path = change["artifactLocation"]["uri"]
                original = (root / path).read_text(encoding="utf-8") if (root / path).exists() else ""
                rewritten[path] = _apply_fixes(original, change["replacements"])
    assert rewritten, "a dry run with repairs carries fixes"
    for path, text in rewritten.items():
        assert (twin / path).read_text(encoding="utf-8") == text, path


def test_diff_reading_handles_insertions_new_files_and_missing_final_newlines() -> None:
    from collect_fix.diffing import unified_diff

    diff = unified_diff("a.py", b"one\ntwo\nthree", b"zero\none\ntwo\nTHREE") + unified_diff("n/__init__.py", None, b"x = 1\n")

    changes = file_changes(diff)

    first, second = changes["a.py"].changes
    assert (first.old_start, first.removed, first.added) == (1, (), ("zero\n",))
    assert (second.old_start, second.removed, second.added) == (3, ("three",), ("THREE",))
    assert changes["n/__init__.py"].created and changes["n/__init__.py"].changes[0].added == ("x = 1\n",)
    # lines after the change map back to the unchanged file; lines the change wrote do not
    assert [line_before(changes["a.py"], line) for line in (1, 2, 3, 4)] == [None, 1, 2, None]
    assert line_before(changes["n/__init__.py"], 1) is None


def test_render_github_and_sarif_need_only_the_report() -> None:
    """The renderers are pure functions of the Report: an empty run renders without a project."""
    from collect_fix.report_sarif import render_sarif

    report = Report(before=Collection(tests=1, errors=()), after=Collection(tests=1, errors=()), outcomes=(),
                    remaining=(), diff="", files_changed=())
    assert [name for name, _, _ in parse_workflow_commands(render_github(report))] == ["group", "stop-commands", "endgroup"]
    _validate(render_sarif(report, Path("/project")), "sarif-schema-2.1.0.json")


def test_sarif_from_the_real_command_line_in_a_subprocess(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("sys_exit_on_import")
    result = subprocess.run(
        [sys.executable, "-m", "collect_fix", "--format", "sarif", str(root)], capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""  # piped: no progress line
    _validate(json.loads(result.stdout), "sarif-schema-2.1.0.json")
