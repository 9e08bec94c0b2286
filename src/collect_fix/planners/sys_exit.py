"""Import-time exits (sys.exit, exit, quit, raise SystemExit, os._exit) -> guard_module_exit repairs.

The "skipif" alternative comes first because it keeps the module's tests collected one by one;
"skip" stops the module where it used to stop, which is the fallback when code after the exit
still fails; "define" keeps the mark where later module code needs the failed import's names, by
binding them to None: the alternative for a module other test modules import, whom a skip
raised in it would skip too (the verifier rejects such a skip). Both need the file to collect cleanly afterwards (``requires_clean``). A conftest
gets neither: a skip raised while pytest imports a conftest ends the whole session, so only a
closing exit moved under the main guard is offered, else advice.
"""

from __future__ import annotations

from pathlib import Path

from collect_fix import transforms
from collect_fix.exit_spelling import ExitCall, SourceError, find_exits, guarded_exit_possible, may_exit
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair

CATEGORIES = (Category.SYS_EXIT, Category.PROCESS_EXIT)
TRANSFORM = "guard_module_exit"
STRATEGIES = ("skipif", "skip", "define")


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    """The strategies that change the file, in order; advice when none applies."""
    if diagnosis.path is None:
        return Plan(diagnosis, advice=_advice_without_file(diagnosis))
    path = project.root / diagnosis.path
    if not path.is_file():
        return Plan(diagnosis, advice=f"{diagnosis.path} is not a file; find the exit in the modules it imports")
    refusal = project.editable(path)
    if refusal is not None:
        return Plan(diagnosis, advice=f"{refusal}; guard its exit with `if __name__ == \"__main__\":` by hand")
    source = path.read_bytes()
    if not may_exit(source):
        return Plan(diagnosis, advice=_advice_no_static_exit(diagnosis))
    conftest = project.is_conftest(path)
    # pytest imported the file as a test module, whatever its name (custom python_files).
    collected = not conftest and (
        project.is_test_module(path) or diagnosis.error is not None and _same_file(diagnosis.error.path, path)
    )
    # The strategies differ only for an exit in a module-level if or try; elsewhere one run says all.
    strategies = STRATEGIES if guarded_exit_possible(source) else STRATEGIES[:1]
    results: list[tuple[Edit, bytes]] = []
    failures: list[str] = []
    for strategy in strategies:
        args = (("strategy", strategy), ("test_module", True)) if collected else (("strategy", strategy),)
        edit = Edit(diagnosis.path, TRANSFORM, args)
        try:
            results.append((edit, transforms.run_edit(edit, source, path, project.module_name(path))))
        except transforms.TransformError as exc:
            failures.append(str(exc))  # reported below as advice if no strategy works
            continue
    try:
        # The standard library's analysis (the hook's): the same exits as LibCST's scope analysis
        # finds, without its cost on a long file.
        exits = [found for found in find_exits(source) if found.blocks_collection]
    except SourceError as exc:
        return Plan(diagnosis, advice=f"{diagnosis.path} cannot be analysed ({exc.reason}); fix that first")
    if not exits:
        return Plan(diagnosis, advice=_advice_no_static_exit(diagnosis))
    alternatives: list[Repair] = []
    outputs: set[bytes] = set()
    for edit, new_source in results:
        if new_source == source or new_source in outputs:
            continue  # nothing to do, or the same result as an earlier strategy
        outputs.add(new_source)
        alternatives.append(
            Repair(
                description=_describe(source, new_source),
                edits=(edit,),
                evidence=_evidence(diagnosis.path, exits),
                requires_clean=True,
            )
        )
    if not alternatives and failures:
        return Plan(diagnosis, advice=f"{failures[0]}; guard its exit with `if __name__ == \"__main__\":` by hand")
    if not alternatives and conftest:
        return Plan(diagnosis, advice=_advice_conftest(diagnosis.path, exits))
    if not alternatives:
        return Plan(diagnosis, advice=(
            f"{_where(diagnosis.path, exits)} is not in a test module; move it under "
            "`if __name__ == \"__main__\":` or raise an exception instead"
        ))
    return Plan(diagnosis, alternatives=tuple(alternatives))


def _same_file(candidate: str | None, path: Path) -> bool:
    try:
        return candidate is not None and Path(candidate).resolve() == path.resolve()
    except OSError:
        return False


def _describe(old: bytes, new: bytes) -> str:
    """What the strategy's output does, read off the output (a strategy may fall back to another)."""

    def added(text: bytes) -> int:
        return new.count(text) - old.count(text)

    parts = []
    if added(b"pytest.mark.skipif(") > 0:
        parts.append("mark the module skipif the exit's condition")
    if added(b"allow_module_level=True") > 0:
        parts.append("replace the exit with pytest.skip(..., allow_module_level=True)")
    if added(b"# collect-fix: placeholder") > 0:
        parts.append("bind the names the failed import should define to None, so test modules importing "
                     "this one still load and run")
    if added(b"__name__ ==") > 0 or added(b"== __name__") > 0:
        parts.append('move the closing exit under if __name__ == "__main__"')
    return "; ".join(parts) or "guard the import-time exit"


def _evidence(path: str, exits: list[ExitCall]) -> str:
    return f"{_where(path, exits)} runs at import time (not in a function or under the __main__ guard)"


def _where(path: str, exits: list[ExitCall]) -> str:
    first = exits[0]
    more = f" and {len(exits) - 1} more" if len(exits) > 1 else ""
    return f"{first.display} at {Path(path).as_posix()}:{first.line}{more}"


def _advice_conftest(path: str, exits: list[ExitCall]) -> str:
    return (f"{_where(path, exits)} stops the whole session (a skip in a conftest would too); list the "
            "affected files in `collect_ignore` there, or mark their tests skipif the same condition")


def _advice_no_static_exit(diagnosis: Diagnosis) -> str:
    if diagnosis.category is Category.PROCESS_EXIT:
        return (f"the process ended while importing {diagnosis.path}, but it holds no import-time exit; "
                "look for os._exit in the modules it imports")
    return (f"SystemExit was raised while importing {diagnosis.path}, but no import-time exit is visible in it "
            "(raised by an imported module or a computed call); see the traceback")


def _advice_without_file(diagnosis: Diagnosis) -> str:
    return "the collecting process exited before pytest reported a file; rerun pytest --collect-only -v to find it"
