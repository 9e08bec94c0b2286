"""ModuleNotFoundError for a third-party module: name what to install; never stub it.

With ``--skip-missing-deps`` the test module that imports it is guarded with
``pytest.importorskip`` so its tests are reported as skipped; source modules are never edited,
since skipping there would hide the missing dependency from every user of the package. Nor are
conftests: a skip raised while pytest imports a conftest ends the whole session.
"""

from __future__ import annotations

from collect_fix import dependencies
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Edit, Options, Plan, Repair

CATEGORIES = (Category.MISSING_DEPENDENCY,)


def plan(diagnosis: Diagnosis, project: Project, options: Options) -> Plan:
    """Advice naming the distribution; plus a guard repair on test files with skip_missing_deps."""
    missing = diagnosis.module or diagnosis.subject
    if not missing:
        return Plan(diagnosis, advice="a third-party module is not installed: install it in the test environment")
    relative = diagnosis.path
    dep = dependencies.describe_diagnosis(project, diagnosis, options.python)
    status = f"declared in {dep.declared_in}" if dep.declared_in else "not declared by the project"
    # The one install line for every missing distribution is the report's (install_command).
    advice = f"install {dep.distribution}, which provides {missing} ({status})"
    beside = [dependencies.describe(project, name, options.python) for name in
              dependencies.missing_beside(project, diagnosis, options.python)]
    if beside:
        listed = ", ".join(f"{other.import_name} ({other.distribution})" for other in beside)
        advice += f"; {relative} also imports {listed}, not installed either"
    if not options.skip_missing_deps or not relative:
        return Plan(diagnosis, advice=advice)
    if project.is_conftest(relative):
        return Plan(
            diagnosis,
            advice=f"{advice}; {relative} is a conftest, and a skip there would end the whole test session",
        )
    if not project.is_test_module(relative):
        return Plan(diagnosis, advice=f"{advice}; {relative} is not a test module, so it is never skipped")
    refusal = project.editable(project.root / relative)
    if refusal is not None:
        return Plan(diagnosis, advice=f"{advice}; {refusal}")
    edit = Edit(relative, "guard_missing_dependency", (("module", missing),))
    repair = Repair(
        f"skip {relative} while {missing} is missing (pytest.importorskip)",
        (edit,),
        evidence=f"--skip-missing-deps: {missing} comes from {dep.distribution}, {status}",
    )
    return Plan(diagnosis, (repair,), advice=advice)

