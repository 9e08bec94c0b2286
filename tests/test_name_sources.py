"""name_sources and the undefined-names planner: which import an undefined name gets, and why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collect_fix.import_time_names import undefined_at_import
from collect_fix.name_sources import ImportCandidate, resolve
from collect_fix.planners import undefined_names
from collect_fix.project import Project
from collect_fix.types import Category, Diagnosis, Options


def write(root: Path, files: dict[str, str]) -> Project:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Project(root)


def chosen(project: Project, name: str, relative: str) -> str | None:
    resolution = resolve(project, name, project.root / relative)
    return resolution.chosen.statement if resolution.chosen else None


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        pytest.param("x: Optional[int] = None\n", "Optional", "from typing import Optional", id="typing name"),
        pytest.param("d = defaultdict(list)\n", "defaultdict", "from collections import defaultdict", id="collections"),
        pytest.param("P = Path('.')\n", "Path", "from pathlib import Path", id="pathlib"),
        pytest.param("@dataclass\nclass A:\n    pass\n", "dataclass", "from dataclasses import dataclass", id="decorator"),
        pytest.param("S = json.dumps({})\n", "json", "import json", id="whole module"),
        pytest.param("T = datetime.now()\n", "datetime", "from datetime import datetime", id="attribute only the class has"),
        pytest.param("D = datetime.timezone.utc\n", "datetime", "import datetime", id="attribute only the module has"),
        pytest.param("T = time.time()\n", "time", "import time", id="module wins over its same-named function"),
        pytest.param("class Jobs(Queue):\n    pass\n", "Queue", "from queue import Queue", id="base class rules out a function"),
    ],
)
def test_resolves_standard_library_names(tmp_path: Path, source: str, name: str, expected: str) -> None:
    project = write(tmp_path, {"mod.py": source})
    assert chosen(project, name, "mod.py") == expected


def test_genuinely_ambiguous_name_is_not_guessed(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "LOCK = Lock()\n"})
    resolution = resolve(project, "Lock", tmp_path / "mod.py")
    assert resolution.chosen is None
    assert {c.module for c in resolution.candidates} == {"threading", "multiprocessing"}
    assert "ambiguous" in resolution.evidence


@pytest.mark.parametrize(
    ("imports", "expected"),
    [
        ("from typing import List\n", "from typing import Callable"),
        ("import collections.abc\n", "from collections.abc import Callable"),
    ],
)
def test_existing_import_breaks_a_tie(tmp_path: Path, imports: str, expected: str) -> None:
    project = write(tmp_path, {"mod.py": imports + "H = Callable[[int], None]\n"})
    resolution = resolve(project, "Callable", tmp_path / "mod.py")
    assert resolution.chosen is not None and resolution.chosen.statement == expected
    assert "imports from" in resolution.evidence


def test_without_evidence_typing_and_collections_abc_stay_ambiguous(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "H = Callable[[int], None]\n"})
    assert chosen(project, "Callable", "mod.py") is None


def test_the_rest_of_the_project_breaks_a_tie(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "mod.py": "H = Callable[[int], None]\n",
        "other.py": "from collections.abc import Callable\n\nG = Callable[[], int]\n",
    })
    assert chosen(project, "Callable", "mod.py") == "from collections.abc import Callable"


def test_plain_data_values_are_never_candidates(tmp_path: Path) -> None:
    # os.name / os.sep exist, but an undefined `name` is a bug, not a missing `from os import name`.
    project = write(tmp_path, {"mod.py": "X = name + sep\n"})
    assert resolve(project, "name", tmp_path / "mod.py").candidates == ()
    assert resolve(project, "sep", tmp_path / "mod.py").candidates == ()


def test_unknown_name_has_no_candidates(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "X = Optinal\n"})
    resolution = resolve(project, "Optinal", tmp_path / "mod.py")
    assert resolution.chosen is None and resolution.candidates == ()


def test_project_definition_in_another_module_is_a_candidate(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": "class Order:\n    pass\n",
        "tests/test_orders.py": "ORDER = Order()\n",
    })
    resolution = resolve(project, "Order", tmp_path / "tests/test_orders.py")
    assert resolution.chosen == ImportCandidate("shop.models", "Order", "project")


def test_a_script_of_the_project_is_never_a_candidate(tmp_path: Path) -> None:
    """Importing a module that does more than define names runs it (a purge script deleting files)."""
    project = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/purge.py": "import shutil\n\n\nclass Order:\n    pass\n\n\nshutil.rmtree('exports', ignore_errors=True)\n",
        "tests/test_orders.py": "ORDER = Order()\n",
    })
    assert resolve(project, "Order", tmp_path / "tests/test_orders.py").candidates == ()


def test_definition_in_the_failing_module_itself_is_not_a_candidate(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": "X = Order()\n\n\nclass Order:\n    pass\n",
    })
    assert resolve(project, "Order", tmp_path / "shop/models.py").candidates == ()


def test_same_name_in_stdlib_and_project_is_ambiguous(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/paths.py": "class Path:\n    pass\n",
        "tests/test_paths.py": "P = Path('x')\n",
    })
    resolution = resolve(project, "Path", tmp_path / "tests/test_paths.py")
    assert resolution.chosen is None
    assert {c.statement for c in resolution.candidates} == {"from pathlib import Path", "from shop.paths import Path"}


# source -> the names undefined_at_import reports for it
IMPORT_TIME_READS = {
    # Only what runs at import: not function bodies, lambda bodies or a generator past its first iterable.
    "read while importing": (
        "from typing import List\n"
        "X: Optional[int] = Default()\n"
        "def f(a: Dict = None) -> Tuple:\n    return Inner\n"
        "@deco\nclass C(Base):\n    y = [Comp for _ in range(2)]\n    z = (Lazy for _ in range(2))\n"
        "L = lambda: Later\n",
        ["Base", "Comp", "Default", "Dict", "Optional", "Tuple", "deco"],
    ),
    "postponed annotations": ("from __future__ import annotations\n\nX: Optional[int] = field()\n", ["field"]),
    # A name bound after the read is still undefined there (the import stops first); one bound in
    # any branch before it counts; a comprehension in a class body does not see the class's names;
    # ``del`` reads.
    "in the order the import runs": (
        "x = Later\nLater = 1\n"
        "if Flag:\n    g = 1\nelse:\n    g = 2\nprint(g)\n"
        "class C:\n    a = 1\n    b = [a for _ in range(3)]\n    c = a\n"
        "gen = (Lazy for _ in Items)\n"
        "f = lambda value=Default: Body\n"
        "del Gone\n"
        "try:\n    pass\nexcept Error as caught:\n    print(caught)\n",
        ["Default", "Error", "Flag", "Gone", "Items", "Later", "a"],
    ),
    # Fewer names than LibCST's scope analysis, where it is wrong: names a match pattern captures
    # are bound and the module's dunders exist; with ``from m import *`` any name may come from m.
    "match captures and dunders": (
        "match Value:\n    case [first, *rest]:\n        print(first, rest)\n"
        "    case {'k': v, **others}:\n        print(v, others)\n"
        "    case Point(x=px) as whole:\n        print(px, whole)\n"
        "print(__file__, __name__)\n",
        ["Point", "Value"],
    ),
    # Code that does not run when pytest imports the module, or handles the NameError itself;
    # a walrus in a comprehension binds where the comprehension runs.
    "main guard, NameError handled, walrus": (
        "if __name__ == '__main__':\n    main(Args)\n"
        "try:\n    cached = cached_property\nexcept NameError:\n    cached = property\n"
        "try:\n    fast = Speedup\nexcept ImportError:\n    fast = None\n"
        "values = [biggest := n for n in Numbers]\nprint(biggest)\n",
        ["Numbers", "Speedup"],
    ),
    "star import": ("from os import *\nprint(sep, Nowhere)\n", []),
    "does not parse": ("print 'two'\n", []),
    # Syntax newer than this Python (PEP 701 quotes; the project's Python may be newer): LibCST
    # reads it, with the same three differences.
    "newer syntax": (
        'LABEL = f"{ {"k": "v"}["k"] }"\nDATA = Path("data")\nB = defaultdict\n'
        "match Value:\n    case [first]:\n        print(first, __file__)\n",
        ["Path", "Value", "defaultdict"],
    ),
    "newer syntax with a star import": ('from os import *\nLABEL = f"{ {"k": "v"}["k"] }"\nDATA = Path("data")\n', []),
}


@pytest.mark.parametrize("source,expected", IMPORT_TIME_READS.values(), ids=IMPORT_TIME_READS.keys())
def test_undefined_at_import_lists_the_names_the_import_would_stop_at(
    tmp_path: Path, source: str, expected: list[str]
) -> None:
    path = tmp_path / "mod.py"
    path.write_text(source)
    assert undefined_at_import(path) == expected


def diagnosis(path: str, name: str, line: int = 1) -> Diagnosis:
    return Diagnosis(Category.UNDEFINED_NAME, path, line, f"name '{name}' is not defined", subject=name)


def test_planner_adds_every_clear_import_the_module_lacks_in_one_repair(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "from typing import List\n\nX: Optional[List[int]] = None\nY = Dict\nZ = Lock()\n"})
    plan = undefined_names.plan(diagnosis("mod.py", "Optional", 3), project, Options(root=tmp_path))
    (repair,) = plan.alternatives
    assert [(edit.path, edit.transform, edit.kwargs()) for edit in repair.edits] == [
        ("mod.py", "add_missing_import", {"module": "typing", "name": "Optional"}),
        ("mod.py", "add_missing_import", {"module": "typing", "name": "Dict"}),
    ]  # Lock is ambiguous: it waits for its own diagnosis
    assert repair.description == "add `from typing import Dict, Optional` to mod.py"
    assert "Optional: only typing provides it" in repair.evidence


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_names_only_functions_read_join_when_history_removed_their_imports(tmp_path: Path) -> None:
    """itsdangerous: one commit dropped the imports of a base class (read at import) and of an
    exception raised in a method (read when a test calls it): both come back, and should the
    second one break the module, the import-time repair alone is the next alternative. A name
    no change removed an import of is left (``_`` may come from builtins); ``from os.path import
    join as join_path`` comes back as it was written (a review: ``as`` imports were never restored)."""
    timed = ("class Timed(Signer):\n    def unsign(self):\n        raise SignatureExpired()\n\n"
             "    def later(self):\n        return _(join_path('a', 'b'))\n")
    imports = "from pkg.exc import SignatureExpired\nfrom pkg.signer import Signer\nfrom os.path import join as join_path\n"
    project = write(tmp_path, {"pkg/__init__.py": "", "pkg/exc.py": "class SignatureExpired(Exception):\n    pass\n",
                               "pkg/signer.py": "class Signer:\n    pass\n", "pkg/i18n.py": "def _(text):\n    return text\n",
                               "pkg/urls.py": "def join_path(*parts):\n    return '/'.join(parts)\n",
                               "pkg/timed.py": imports + "\n\n" + timed})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "timed")
    (tmp_path / "pkg/timed.py").write_text(timed)
    git(tmp_path, "commit", "-q", "-am", "Remove unused imports")
    plan = undefined_names.plan(diagnosis("pkg/timed.py", "Signer"), project, Options(root=tmp_path))
    both, alone = plan.alternatives
    assert both.description == ("add `from os.path import join as join_path`, `from pkg.exc import SignatureExpired`, "
                                "`from pkg.signer import Signer` to pkg/timed.py")
    assert "SignatureExpired (read in a function): commit" in both.evidence
    assert "removed `from pkg.exc import SignatureExpired` from this file" in both.evidence
    assert alone.description == "add `from pkg.signer import Signer` to pkg/timed.py"


def test_no_name_only_functions_read_leaves_one_repair(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "X: Optional[int] = None\n\n\ndef f(value):\n    return len(value)\n"})
    plan = undefined_names.plan(diagnosis("mod.py", "Optional"), project, Options(root=tmp_path))
    assert [repair.description for repair in plan.alternatives] == ["add `from typing import Optional` to mod.py"]


def test_planner_reports_ambiguous_name_with_its_candidates(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "LOCK = Lock()\n"})
    plan = undefined_names.plan(diagnosis("mod.py", "Lock"), project, Options(root=tmp_path))
    assert plan.alternatives == ()
    assert "from threading import Lock" in plan.advice and "from multiprocessing import Lock" in plan.advice


def test_planner_never_edits_generated_files(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "# @generated\nX: Optional[int] = None\n"})
    plan = undefined_names.plan(diagnosis("mod.py", "Optional", 2), project, Options(root=tmp_path))
    assert plan.alternatives == () and "@generated" in plan.advice


def test_planner_spells_project_imports_relatively_when_the_file_does(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/models.py": "class Order:\n    pass\n",
        "shop/api/__init__.py": "",
        "shop/api/views.py": "from .helpers import render\n\nDEFAULT = Order()\n",
        "shop/api/helpers.py": "def render():\n    pass\n",
    })
    plan = undefined_names.plan(diagnosis("shop/api/views.py", "Order", 3), project, Options(root=tmp_path))
    assert plan.alternatives[0].edits[0].kwargs() == {"module": "..models", "name": "Order"}


SHADOW = """\
from pathlib import Path

Path(__file__).with_name("EXECUTED").write_text("the project's statistics.py ran")


def mean(values):
    return 0
"""


def test_a_project_module_named_like_the_stdlib_is_never_executed(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write(root, {
        "pyproject.toml": "[tool.pytest.ini_options]\n",
        "statistics.py": SHADOW,
        "tests/test_a.py": "COUNTS = Counter()\n\n\ndef test_a():\n    pass\n",
    })
    # Started from the project root, as a user would: Python puts the root first on sys.path;
    # resolving Counter indexes the stdlib, statistics included.
    result = subprocess.run(
        [sys.executable, "-m", "collect_fix", "--dry-run", "."],
        cwd=root, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1"),
    )
    assert "from collections import Counter" in result.stdout, result.stdout + result.stderr
    assert not (root / "EXECUTED").exists()


def test_the_stdlib_index_skips_a_shadowing_module_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "statistics.py").write_text(SHADOW)
    probe = (
        "import sys; sys.modules.pop('statistics', None)\n"
        "from collect_fix import name_sources\n"
        "print(name_sources.stdlib_candidates('median'))\n"
        "print(name_sources._stdlib_object(name_sources.ImportCandidate('statistics')).__file__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
    )
    assert result.returncode == 0, result.stderr
    candidates, loaded_from = result.stdout.splitlines()
    assert candidates == "[ImportCandidate(module='statistics', name='median', origin='stdlib', asname='')]"  # the real one
    assert Path(loaded_from).parent != tmp_path
    assert not (tmp_path / "EXECUTED").exists()


# --- equivalent homes: one object under two names -------------------------------------------------

def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=root, check=True, capture_output=True)


ANNOTATED = "def run(callback: Callable[[int], None], items: Optional[list] = None) -> None:\n    callback(1)\n"


def test_annotation_name_takes_the_home_of_the_files_own_imports(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": "from typing import Optional\n\n\n" + ANNOTATED})
    resolution = resolve(project, "Callable", tmp_path / "mod.py")
    assert resolution.chosen == ImportCandidate("typing", "Callable")
    assert "used only in annotations" in resolution.evidence and "the file imports from typing" in resolution.evidence


def test_importing_from_both_homes_follows_the_names_of_the_same_kind(tmp_path: Path) -> None:
    source = "from collections.abc import Iterator\nfrom typing import Optional\n\n\n" + ANNOTATED
    project = write(tmp_path, {"mod.py": source})
    resolution = resolve(project, "Callable", tmp_path / "mod.py")
    assert resolution.chosen == ImportCandidate("collections.abc", "Callable")
    assert "takes Iterator, which both offer, from collections.abc" in resolution.evidence


def test_interchangeable_homes_follow_the_projects_majority(tmp_path: Path) -> None:
    project = write(tmp_path, {
        "mod.py": ANNOTATED.replace("Optional[list]", "list"),
        "a.py": "from collections.abc import Callable\n",
        "b.py": "from collections.abc import Callable\n",
        "c.py": "from typing import Callable\n",
    })
    resolution = resolve(project, "Callable", tmp_path / "mod.py")
    assert resolution.chosen == ImportCandidate("collections.abc", "Callable")
    assert "2 of 3 project's other files import Callable from collections.abc" in resolution.evidence


def test_interchangeable_homes_without_any_evidence_are_still_chosen(tmp_path: Path) -> None:
    project = write(tmp_path, {"mod.py": ANNOTATED.replace("Optional[list]", "list")})
    resolution = resolve(project, "Callable", tmp_path / "mod.py")
    assert resolution.chosen == ImportCandidate("typing", "Callable")
    assert "ambiguous" not in resolution.evidence


def test_a_use_outside_annotations_keeps_the_choice_to_evidence(tmp_path: Path) -> None:
    # isinstance(x, typing.Callable) works, but nothing makes the two one thing outside annotations.
    project = write(tmp_path, {"mod.py": ANNOTATED.replace("Optional[list]", "list") + "OK = isinstance(run, Callable)\n"})
    assert chosen(project, "Callable", "mod.py") is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("commit", [True, False], ids=["committed", "work tree"])
def test_history_names_the_import_the_last_change_removed(tmp_path: Path, commit: bool) -> None:
    project = write(tmp_path, {"mod.py": "from threading import Lock\n\nLOCK = Lock()\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "lock")
    (tmp_path / "mod.py").write_text("LOCK = Lock()\n")
    if commit:
        git(tmp_path, "commit", "-q", "-am", "drop the import")
    resolution = resolve(project, "Lock", tmp_path / "mod.py")
    assert resolution.chosen == ImportCandidate("threading", "Lock")
    assert "removed `from threading import Lock` from this file" in resolution.evidence
    plan = undefined_names.plan(diagnosis("mod.py", "Lock"), project, Options(root=tmp_path))
    assert plan.alternatives[0].edits[0].kwargs() == {"module": "threading", "name": "Lock"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_restores_a_module_under_its_short_name(tmp_path: Path) -> None:
    """``t`` is no name any module defines: only the removed ``import typing as t`` says what it was."""
    project = write(tmp_path, {"pkg/__init__.py": "", "pkg/enc.py": "import typing as t\n\nX = t.cast(int, 1)\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "enc")
    (tmp_path / "pkg/enc.py").write_text("X = t.cast(int, 1)\n")
    git(tmp_path, "commit", "-q", "-am", "Remove unused typing import")
    resolution = resolve(project, "t", tmp_path / "pkg/enc.py")
    assert resolution.chosen == ImportCandidate("typing", origin="alias", asname="t")
    assert "removed `import typing as t` from this file" in resolution.evidence
    plan = undefined_names.plan(diagnosis("pkg/enc.py", "t"), project, Options(root=tmp_path))
    repair = plan.alternatives[0]
    assert repair.description == "add `import typing as t` to pkg/enc.py"
    assert repair.edits[0].kwargs() == {"module": "typing", "name": "", "asname": "t"}


@pytest.mark.parametrize(
    "others",
    [
        pytest.param({"pkg/a.py": "import numpy as np\n", "pkg/b.py": "import numpy as np\nimport os\n"},
                     id="every other file agrees"),
        pytest.param({"app/api/utils.py": "", "app/api/views.py": "import app.api.utils as np\n"},
                     id="one other file, another module"),
    ],
)
def test_without_history_a_short_name_is_never_guessed_from_other_files(tmp_path: Path, others: dict[str, str]) -> None:
    """Another file's ``import m as u`` says what ``u`` means there, not here (a review found
    ``u`` of SQL quoting taken for ``u`` of HTTP quoting): only this file's history decides."""
    project = write(tmp_path, {"pkg/__init__.py": "", "pkg/calc.py": "ZEROS = np.zeros(3)\n", **others})
    assert chosen(project, "np", "pkg/calc.py") is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(("removed", "expected"), [
    ("try:\n    import tomllib as t\nexcept ImportError:\n    import tomli as t\n", None),  # one branch of two
    ("from . import helpers as t\n", "from pkg import helpers as t"),                    # as it ran, spelled absolute
])
def test_history_restores_only_an_import_it_can_write_back_as_it_ran(
    tmp_path: Path, removed: str, expected: str | None
) -> None:
    project = write(tmp_path, {"pkg/__init__.py": "", "pkg/helpers.py": "", "pkg/enc.py": removed + "\nX = t.loads\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "enc")
    (tmp_path / "pkg/enc.py").write_text("X = t.loads\n")
    git(tmp_path, "commit", "-q", "-am", "drop the import")
    assert chosen(project, "t", "pkg/enc.py") == expected


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_name_only_functions_read_whose_import_went_in_a_change_of_its_own_is_left(tmp_path: Path) -> None:
    """The package switched to gettext.install() (``_`` in builtins) and dropped the dummy import
    on purpose; a later change dropped the base class's: only that change's imports come back."""
    timed = "class Timed(Signer):\n    def greet(self):\n        return _('hello')\n"
    project = write(tmp_path, {"pkg/__init__.py": "", "pkg/signer.py": "class Signer:\n    pass\n",
                               "pkg/i18n.py": "def _(text):\n    return text\n",
                               "pkg/timed.py": "from pkg.i18n import _\nfrom pkg.signer import Signer\n\n\n" + timed})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "timed")
    (tmp_path / "pkg/timed.py").write_text("from pkg.signer import Signer\n\n\n" + timed)
    git(tmp_path, "commit", "-q", "-am", "Translate with gettext.install()")
    (tmp_path / "pkg/timed.py").write_text(timed)
    git(tmp_path, "commit", "-q", "-am", "Remove unused imports")
    plan = undefined_names.plan(diagnosis("pkg/timed.py", "Signer"), project, Options(root=tmp_path))
    assert [repair.description for repair in plan.alternatives] == ["add `from pkg.signer import Signer` to pkg/timed.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_outweighs_the_only_module_that_defines_the_name(tmp_path: Path) -> None:
    """``from html import escape as esc`` was dropped; ``app.sqlq`` defines an ``esc`` of its own
    (SQL quoting). "Only app.sqlq provides it" would unescape every page (a hostile review)."""
    page = "TITLE = esc('<b>')\n"
    project = write(tmp_path, {"app/__init__.py": "", "app/sqlq.py": "def esc(text):\n    return text.replace(\"'\", \"''\")\n",
                               "app/page.py": "from html import escape as esc\n\n" + page})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "page")
    (tmp_path / "app/page.py").write_text(page)
    git(tmp_path, "commit", "-q", "-am", "Remove unused imports")
    resolution = resolve(project, "esc", tmp_path / "app/page.py")
    assert resolution.chosen is not None and resolution.chosen.statement == "from html import escape as esc"
    assert "removed `from html import escape as esc` from this file" in resolution.evidence
    plan = undefined_names.plan(diagnosis("app/page.py", "esc"), project, Options(root=tmp_path))
    assert [repair.description for repair in plan.alternatives] == ["add `from html import escape as esc` to app/page.py"]
    assert "sqlq" not in plan.alternatives[0].evidence


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("line", ["from html.entities import name2codepoint", "from binascii import b2a_hex"])
def test_history_restores_a_name_no_indexed_module_defines(tmp_path: Path, line: str) -> None:
    """python-slugify lost ``from html.entities import name2codepoint`` to "remove unused
    imports", and every test with it: names collect-fix's index of the standard library does
    not hold (a digit, a C module) were never looked up in history (a review on real projects)."""
    name = line.rsplit(" ", 1)[1]
    project = write(tmp_path, {"mod.py": f"{line}\n\nX = {name}\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "mod")
    (tmp_path / "mod.py").write_text(f"X = {name}\n")
    git(tmp_path, "commit", "-q", "-am", "Remove unused imports")
    assert chosen(project, name, "mod.py") == line


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(("removed", "expected"), [("import os.path\n", "import os.path"), ("import os\n", "import os")])
def test_a_removed_import_of_a_submodule_comes_back_as_it_was(tmp_path: Path, removed: str, expected: str) -> None:
    """``import os.path`` binds ``os``: history puts that very line back."""
    project = write(tmp_path, {"mod.py": removed + "\nHERE = os.getcwd()\n"})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "mod")
    (tmp_path / "mod.py").write_text("HERE = os.getcwd()\n")
    git(tmp_path, "commit", "-q", "-am", "Remove unused imports")
    assert chosen(project, "os", "mod.py") == expected


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_every_removed_import_of_a_submodule_under_the_name_comes_back(tmp_path: Path) -> None:
    """``import urllib.parse`` (read at import) and ``import urllib.request`` (read in a function)
    both bind ``urllib``: putting back only the first left ``urllib.request`` failing (a hostile review)."""
    source = "HERE = urllib.parse.quote('a b')\n\n\ndef fetch(url):\n    return urllib.request.Request(url)\n"
    project = write(tmp_path, {"mod.py": "import urllib.parse\nimport urllib.request\nimport os\n" + source})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "mod")
    (tmp_path / "mod.py").write_text("import os\n" + source)
    git(tmp_path, "commit", "-q", "-am", "Remove unused imports")
    resolution = resolve(project, "urllib", tmp_path / "mod.py")
    assert resolution.chosen is not None and resolution.chosen.statement == "import urllib.parse"
    assert [each.statement for each in resolution.also] == ["import urllib.request"]
    assert "removed `import urllib.parse`, `import urllib.request` from this file" in resolution.evidence


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_an_import_of_a_project_module_the_change_deleted_does_not_come_back(tmp_path: Path) -> None:
    """``import pkg.core`` and ``import pkg.legacy`` went, and pkg/legacy.py with them: putting
    both back failed the whole repair, and its fallback lost ``pkg.core`` (a hostile review)."""
    source = "CORE = pkg.core.VALUE\n"
    project = write(tmp_path, {"pkg/__init__.py": "", "pkg/core.py": "VALUE = 1\n", "pkg/legacy.py": "OLD = 0\n",
                               "pkg/app.py": "import pkg.core\nimport pkg.legacy\n\n" + source})
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "app")
    (tmp_path / "pkg/app.py").write_text(source)
    (tmp_path / "pkg/legacy.py").unlink()
    git(tmp_path, "commit", "-q", "-am", "Drop legacy")
    resolution = resolve(project, "pkg", tmp_path / "pkg/app.py")
    assert resolution.chosen is not None and resolution.chosen.statement == "import pkg.core"
    assert resolution.also == ()
