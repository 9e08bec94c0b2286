"""exits.py finds every exit spelling; the sys_exit planner and the codemod repair real suites."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from collect_fix import transforms
from collect_fix.exits import ExitCall, find_exits_in_source, may_exit
from collect_fix.planners import sys_exit
from collect_fix.project import Project
from collect_fix.types import Category, CollectionError, Diagnosis, Edit, Options

from conftest import collect_only, collected_ids


def exits(source: str) -> list[ExitCall]:
    return find_exits_in_source(textwrap.dedent(source).encode())


def summary(source: str) -> list[tuple[int, int, str, str, bool, bool]]:
    return [(e.line, e.col, e.spelling, e.qualified_name, e.import_time, e.under_main_guard) for e in exits(source)]


# -- exits.py -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, expected",
    [
        pytest.param("import sys\nsys.exit(1)\n", (2, 1, "sys.exit", "sys.exit"), id="sys.exit"),
        pytest.param("from sys import exit\nexit()\n", (2, 1, "exit", "sys.exit"), id="from sys import exit"),
        pytest.param("import sys as s\ns.exit()\n", (2, 1, "s.exit", "sys.exit"), id="import sys as s"),
        pytest.param("from sys import exit as bye\nbye()\n", (2, 1, "bye", "sys.exit"), id="aliased from import"),
        pytest.param("exit()\n", (1, 1, "exit", "builtins.exit"), id="builtin exit"),
        pytest.param("quit(2)\n", (1, 1, "quit", "builtins.quit"), id="builtin quit"),
        pytest.param("import os\nos._exit(3)\n", (2, 1, "os._exit", "os._exit"), id="os._exit"),
        pytest.param("from os import _exit\n_exit(3)\n", (2, 1, "_exit", "os._exit"), id="from os import _exit"),
        pytest.param("raise SystemExit\n", (1, 1, "raise SystemExit", "builtins.SystemExit"), id="raise SystemExit"),
        pytest.param("raise SystemExit('x')\n", (1, 1, "raise SystemExit", "builtins.SystemExit"), id="raise call"),
        pytest.param("x = 1 or quit()\n", (1, 10, "quit", "builtins.quit"), id="inside an expression"),
    ],
)
def test_finds_every_spelling(source: str, expected: tuple[int, int, str, str]) -> None:
    (found,) = find_exits_in_source(source.encode())
    assert (found.line, found.col, found.spelling, found.qualified_name) == expected
    assert found.import_time and not found.under_main_guard and found.blocks_collection


def test_import_time_covers_module_level_blocks_and_class_bodies() -> None:
    source = """\
        import sys
        if sys.argv:
            sys.exit(1)
        try:
            import numpy
        except ImportError:
            sys.exit(2)
        with open("x") as handle:
            for line in handle:
                sys.exit(3)
        class TestA:
            sys.exit(4)
            def test_a(self):
                sys.exit(5)
        handler = lambda: sys.exit(6)
    """
    assert [(e.line, e.import_time) for e in exits(source)] == [
        (3, True), (7, True), (10, True), (12, True), (14, False), (15, False)
    ]


def test_main_guard_body_is_ignored_but_its_else_is_not() -> None:
    source = """\
        import sys
        def main():
            sys.exit(0)
        if "__main__" == __name__:
            raise SystemExit(main())
        else:
            quit()
        if __name__ == "__main__":
            def helper():
                sys.exit(1)
    """
    assert summary(source) == [
        (3, 5, "sys.exit", "sys.exit", False, False),
        (5, 5, "raise SystemExit", "builtins.SystemExit", True, True),
        (7, 5, "quit", "builtins.quit", True, False),
        (10, 9, "sys.exit", "sys.exit", False, True),
    ]


def test_names_that_only_look_like_exits_are_not_exits() -> None:
    source = """\
        from shop.session import exit
        import os as operating_system
        exit("cart")
        operating_system.exit()
        def quit():
            pass
        quit()
        class SystemExit(Exception):
            pass
        raise SystemExit
    """
    assert exits(source) == []


def test_display_names_the_real_function_for_aliases() -> None:
    found = exits("from sys import exit as bye\nbye()\nimport os\nos._exit(1)\nraise SystemExit(2)\n")
    assert [e.display for e in found] == ["bye() (sys.exit)", "os._exit()", "raise SystemExit"]
    assert [e.kills_process for e in found] == [False, True, False]


def test_byte_filter_skips_sources_without_exit_words() -> None:
    assert not may_exit(b"import os\nprint(os.sep)\n")
    assert may_exit(b"raise SystemExit\n") and may_exit(b"quit()\n") and may_exit(b"sys.exit()\n")
    assert find_exits_in_source(b"def broken(:\n") == []  # never parsed: no exit word in it


# -- the planner ----------------------------------------------------------------------------------


def write(root: Path, relative: str, source: str) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return relative


def plan_for(root: Path, relative: str, category: Category = Category.SYS_EXIT, line: int | None = None):  # type: ignore[no-untyped-def]
    diagnosis = Diagnosis(category, relative, line, "SystemExit at import time", subject="sys.exit")
    return sys_exit.plan(diagnosis, Project(root), Options(root=root))


def test_planner_offers_skipif_then_skip(tmp_path: Path) -> None:
    relative = write(tmp_path, "tests/test_tool.py", """\
        import shutil
        import sys
        if shutil.which("tool") is None:
            sys.exit("tool is required")
        def test_tool():
            pass
    """)
    plan = plan_for(tmp_path, relative, line=4)
    assert [repair.edits for repair in plan.alternatives] == [
        (Edit(relative, "guard_module_exit", (("strategy", "skipif"), ("test_module", True))),),
        (Edit(relative, "guard_module_exit", (("strategy", "skip"), ("test_module", True))),),
    ]
    assert all(repair.requires_clean for repair in plan.alternatives)
    assert plan.alternatives[0].description.startswith("mark the module skipif")
    assert "pytest.skip" in plan.alternatives[1].description
    assert plan.alternatives[0].evidence == (
        "sys.exit() at tests/test_tool.py:4 runs at import time (not in a function or under the __main__ guard)"
    )
    assert sys_exit.CATEGORIES == (Category.SYS_EXIT, Category.PROCESS_EXIT)


def test_planner_offers_identical_outputs_once(tmp_path: Path) -> None:
    relative = write(tmp_path, "tests/test_script.py", "import sys\ndef test_a():\n    pass\nsys.exit(0)\n")
    plan = plan_for(tmp_path, relative)
    assert len(plan.alternatives) == 1
    assert "__main__" in plan.alternatives[0].description


def test_planner_treats_the_collected_file_as_a_test_module(tmp_path: Path) -> None:
    relative = write(tmp_path, "checks/check_api.py", "import sys\nif sys.argv:\n    sys.exit(1)\nX = 1\n")
    error = CollectionError(nodeid=relative, path=str(tmp_path / relative), exc_type="SystemExit", message="1")
    diagnosis = Diagnosis(Category.SYS_EXIT, relative, 3, "SystemExit at import time", error=error)
    plan = sys_exit.plan(diagnosis, Project(tmp_path), Options(root=tmp_path))
    assert plan.alternatives[0].edits[0].args == (("strategy", "skipif"), ("test_module", True))
    assert "not in a test module" in plan_for(tmp_path, relative).advice  # no evidence it is a test


def test_planner_handles_process_exit_without_a_line(tmp_path: Path) -> None:
    relative = write(tmp_path, "tests/test_gpu.py", "import os\nif not os.environ.get('GPU'):\n    os._exit(0)\n")
    plan = plan_for(tmp_path, relative, Category.PROCESS_EXIT)
    assert plan.alternatives and plan.alternatives[0].evidence.startswith("os._exit() at tests/test_gpu.py:3")


@pytest.mark.parametrize(
    "source, advice",
    [
        pytest.param("def helper():\n    raise SystemExit\n", "no import-time exit is visible", id="only in a function"),
        pytest.param("if __name__ == '__main__':\n    quit()\n", "no import-time exit", id="under main guard"),
        pytest.param("import sys\nsys.exit(\n", "does not parse", id="syntax error"),
    ],
)
def test_planner_advises_when_nothing_can_be_repaired(tmp_path: Path, source: str, advice: str) -> None:
    relative = write(tmp_path, "tests/test_x.py", source)
    plan = plan_for(tmp_path, relative)
    assert plan.alternatives == () and advice in plan.advice


def test_planner_advises_for_library_modules_and_generated_files(tmp_path: Path) -> None:
    library = write(tmp_path, "pkg/config.py", "import sys\nif sys.argv:\n    sys.exit(1)\nX = 1\n")
    generated = write(tmp_path, "tests/test_gen.py", "# @generated\nimport sys\nsys.exit(1)\nX = 1\n")
    assert "not in a test module" in plan_for(tmp_path, library).advice
    assert "@generated" in plan_for(tmp_path, generated).advice
    assert plan_for(tmp_path, "tests/missing.py").advice


def test_planner_advises_for_a_conftest_instead_of_writing_a_skip(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.pytest.ini_options]\n")
    write(tmp_path, "tests/test_a.py", "def test_a():\n    pass\n")
    write(tmp_path, "test_b.py", "def test_b():\n    pass\n")
    relative = write(tmp_path, "tests/conftest.py", """\
        import os
        import sys
        if os.environ.get("CF_NO_SERVICE"):
            sys.exit("the service is down")
    """)
    before = (tmp_path / relative).read_bytes()
    plan = plan_for(tmp_path, relative, line=4)
    assert plan.alternatives == ()
    assert plan.advice.startswith("sys.exit() at tests/conftest.py:4 stops the whole session")
    assert "collect_ignore" in plan.advice
    for strategy in ("skipif", "skip"):
        edit = Edit(relative, "guard_module_exit", (("strategy", strategy), ("test_module", True)))
        assert transforms.run_edit(edit, before, tmp_path / relative, "tests.conftest") == before
    # Why: the skip the codemod used to write here stops pytest before it collects anything.
    (tmp_path / relative).write_text("import pytest\npytest.skip('down', allow_module_level=True)\n")
    assert collected_ids(tmp_path) == []
    (tmp_path / relative).write_bytes(before)
    assert sorted(collected_ids(tmp_path)) == ["test_b.py::test_b", "tests/test_a.py::test_a"]


def test_pytestmark_bound_to_a_shared_list_still_collects(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pytest.ini_options]\npythonpath = ["."]\n')
    write(tmp_path, "marks.py", "import pytest\nCOMMON = [pytest.mark.filterwarnings('ignore')]\n")
    relative = write(tmp_path, "tests/test_shared.py", """\
        import sys
        from marks import COMMON
        pytestmark = COMMON
        if sys.platform == "no-such-platform":
            sys.exit("never here")
        def test_a():
            pass
    """)
    path = tmp_path / relative
    plan = plan_for(tmp_path, relative, line=5)
    (edit,) = plan.alternatives[0].edits
    path.write_bytes(transforms.run_edit(edit, path.read_bytes(), path, "tests.test_shared"))
    assert "pytestmark = COMMON\n" in path.read_text()  # never [COMMON, mark]: a nested list breaks pytest
    result = collect_only(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert collected_ids(tmp_path) == ["tests/test_shared.py::test_a"]


def test_planner_on_process_exit_in_an_imported_module(tmp_path: Path) -> None:
    relative = write(tmp_path, "tests/test_uses_helper.py", "from helper import value\ndef test_v():\n    assert value\n")
    plan = plan_for(tmp_path, relative, Category.PROCESS_EXIT)
    assert plan.alternatives == () and "os._exit in the modules it imports" in plan.advice


# -- real pytest on repaired suites ---------------------------------------------------------------


def test_fixture_breaks_collection_before_the_repair(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("exit_spellings")
    result = collect_only(root)
    assert result.returncode != 0
    assert "INTERNALERROR" in result.stdout + result.stderr


@pytest.mark.parametrize("strategy", ["skipif", "skip"])
def test_every_file_collects_after_run_edit(
    fixture_project: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch, strategy: str
) -> None:
    root = fixture_project("exit_spellings")
    project = Project(root)
    conftest = root / "tests/service/conftest.py"
    before = conftest.read_bytes()
    for path in project.python_files():
        relative = project.relative(path)
        edit = Edit(relative, "guard_module_exit", (("strategy", strategy),))
        path.write_bytes(transforms.run_edit(edit, path.read_bytes(), path, project.module_name(path)))
    assert conftest.read_bytes() == before  # a skip in a conftest would end the whole session
    monkeypatch.setenv("EXIT_SPELLINGS_SERVICE", "1")  # what the conftest asks for; no repair can give it
    result = collect_only(root, "-rs")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "INTERNALERROR" not in output and "error" not in output.lower()
    ids = collected_ids(root)
    assert "tests/test_clean.py::test_truth" in ids
    assert "tests/test_script_style.py::test_add" in ids
    if strategy == "skipif":  # conditions became marks: the tests are collected one by one
        for name in ("test_sys_exit.py::test_parses_scalar", "test_sys_alias.py::test_future",
                     "test_from_sys_import_exit.py::test_url_has_scheme", "test_builtin_exit.py::test_token_is_hex",
                     "test_builtin_quit.py::test_jit_enabled", "test_raise_system_exit.py::test_config_readable",
                     "test_os_exit.py::test_gpu_visible"):
            assert f"tests/{name}" in ids
    # a base class from the failed import: module-level skip under both strategies
    assert "tests/test_from_os_import_exit.py:6: could not import BasePlugin from exit_spellings_plugins" in output
    assert "tests/service/test_service.py::" in "\n".join(ids)


def test_planned_repair_makes_the_rate_limit_suite_collect(fixture_project: Callable[[str], Path]) -> None:
    root = fixture_project("sys_exit_on_import")
    relative = "tests/test_api_rate_limiting.py"
    plan = plan_for(root, relative, line=10)
    # The base class needs the import: skipif would not do. First the skip in place; then, for a
    # module other test modules import, the names bound to None under the skipif mark.
    repair, define = plan.alternatives
    assert "pytest.skip" in repair.description and "None" in define.description
    (edit,) = repair.edits
    path = root / relative
    path.write_bytes(transforms.run_edit(edit, path.read_bytes(), path, Project(root).module_name(path)))
    result = collect_only(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(collected_ids(root)) == 7


def test_ast_prefilter_passes_every_spelling_and_alias_but_not_lookalike_free_code() -> None:
    from collect_fix.exits import may_exit_parsed

    assert not may_exit_parsed(b"text = 'sys.exit()'  # exit\n")
    for source in (b"import sys\nsys.exit()\n", b"from sys import exit as bye\nbye()\n", b"raise SystemExit\n",
                   b"import os\nos._exit(1)\n", b"quit()\n", b"def broken(:\n"):
        assert may_exit_parsed(source), source


def test_strategies_can_differ_only_for_exits_in_module_level_if_or_try() -> None:
    from collect_fix.exits import guarded_exit_possible

    assert not guarded_exit_possible(b"import sys\nprint('x')\nsys.exit(1)\n")
    assert not guarded_exit_possible(b"import sys\nif True:\n    pass\nsys.exit(1)\n")
    assert guarded_exit_possible(b"import sys\nif sys.platform == 'win32':\n    sys.exit(1)\n")
    assert guarded_exit_possible(b"try:\n    import numpy\nexcept ImportError:\n    raise SystemExit\n")


# -- the ast analysis (exit_spelling.find_exits) agrees with LibCST's ExitFinder ---------------------

TESTS = Path(__file__).parent

# Where LibCST's name resolution has rules of its own; the ast analysis must follow each one.
SCOPE_RULES = {
    "shadowed after the call": "exit()\nexit = 3\n",
    "shadowed before the call": "exit = print\nexit()\n",
    "assigned from itself": "exit = exit()\n",
    "for target before its iterable": "for exit in exit():\n    pass\n",
    "default of a function named exit": "def exit(x=exit()):\n    pass\n",
    "decorator of a function named exit": "@exit()\ndef exit():\n    pass\n",
    "global assignment in a function": "def f():\n    global exit\n    exit = 1\nexit()\n",
    "global read in a function": "def f():\n    global exit\n    exit()\n",
    "class body hidden from its methods": "class A:\n    exit = 1\n    exit()\n    def m(self):\n        exit()\n",
    "nonlocal": "def f():\n    exit = 1\n    def g():\n        nonlocal exit\n        exit()\n",
    "comprehension target": "[exit() for exit in range(3)]\n[x for x in exit()]\n",
    "first iterable outside the comprehension": "[y for exit in [1] for y in exit()]\n",
    "nested comprehension": "[exit() for a in b for exit in c]\n{k: quit() for k in exit()}\n",
    "comprehension in a class body": "class A:\n    exit = 1\n    y = [exit() for _ in range(2)]\n",
    "except as": "try:\n    pass\nexcept Exception as exit:\n    exit()\nexit()\n",
    "with as": "with open('x') as quit:\n    quit()\n",
    "walrus": "(exit := print)\nexit()\n",
    "del": "del exit\nexit()\n",
    "annotation only": "exit: int\nexit()\nquit: int = 3\nquit()\n",
    "augmented assignment": "exit += 1\nexit()\n",
    "lambda parameters": "f = lambda exit=exit: exit()\nk = lambda a=quit(): a\n",
    "parameter shadows": "def f(exit):\n    exit()\ndef g(*, quit=quit()):\n    quit()\n",
    "module bound to something else": "sys = object()\nsys.exit()\n",
    "import in a class body": "class A:\n    import sys\n    sys.exit()\n    def f(self):\n        sys.exit()\n",
    "import in a function": "def f():\n    import sys\n    sys.exit()\nsys.exit()\n",
    "import after the call": "sys.exit()\nimport sys\n",
    "global import in a function": "def f():\n    global sys\n    import sys\nsys.exit()\n",
    "dotted imports": "import os.path\nos.path.exit()\nos._exit(1)\nimport sys.exit\nsys.exit()\n",
    "dotted import renamed": "import sys.exit as bye\nbye()\n",
    "star import": "from sys import *\nexit()\n",
    "relative imports": "from . import exit\nexit()\nfrom .sys import exit as e\ne()\n",
    "aliases sharing a prefix": "from sys import e, exit\nexit()\nfrom sys import exit as ex, argv\nex()\n",
    "builtins module": "import builtins as b\nimport builtins\nbuiltins.quit()\nraise b.SystemExit(1)\n",
    "os._exit spellings": "import os\nfrom os import _exit\nfrom os import _exit as die\nos._exit(0)\n_exit(1)\ndie(2)\n",
    "SystemExit spellings": "raise SystemExit\nraise SystemExit()\nraise SystemExit(0) from None\nSystemExit(1)\n",
    "conditional definitions": "try:\n    from sys import exit\nexcept ImportError:\n    def exit(): pass\nexit()\n",
    "attributes of other things": "None.exit()\n(1).exit()\n'x'.exit()\nfoo().exit()\na[0].exit()\n",
    "raise an exit call": "import sys\nraise sys.exit(1)\nraise SystemExit from sys.exit()\n",
    "parentheses": "import sys\n(sys.exit)(1)\n( ( sys.exit ) )(2)\nraise (SystemExit)\nx = (sys.exit(4))\n",
    "multi-line": "import sys\n(sys\n .exit)(1)\nsys.\\\nexit(2)\nsys.exit(\n  1); x = 1\n",
    "f-strings": "x = f\"{exit()}\"\ny = f'{quit()!r:>{exit()}}'\nz = f\"\"\"\n{ exit() }\"\"\"\n",
    "compound statement headers": "import sys\nif sys.exit():\n    pass\nwith exit() as a, quit():\n    pass\n",
    "class header and decorators": "@exit()\nclass A(exit(), metaclass=quit()):\n    pass\ndef f() -> exit():\n    pass\n",
    "main guard shapes": (
        "if '__main__' == __name__:\n    exit()\nif __name__ == '__ma' 'in__':\n    exit()\n"
        "if __name__ == f'__main__':\n    exit()\nif (__name__) == ('__main__'):\n    exit()\n"
        "if __name__ != '__main__':\n    exit()\nif __name__ == '__main__' == __name__:\n    exit()\n"
        "if x:\n    pass\nelif __name__ == '__main__':\n    exit()\nelse:\n    quit()\n"
    ),
    "nested calls in source order": "import os\nexit(quit())\nexit(1)._exit()\nsys.exit().exit()\n",
    "match statement": "match x:\n    case exit:\n        exit()\n    case {'a': quit} if quit():\n        pass\n",
    "async": "import sys\nasync def f():\n    sys.exit()\n    async for x in y:\n        exit()\n",
    "columns count characters": "x = 'héllo'; quit()\ny = '日本😀'; exit(1)\nif True:\n\tquit()\n",
}
SCOPE_SOURCES = [text.encode() for text in SCOPE_RULES.values()] + [
    b"import sys\r\nif x:\r\n    sys.exit(\r\n        1)\r\n",  # CRLF
    b"import sys\rif x:\r    sys.exit(1)\r",  # CR
    b"\xef\xbb\xbfimport sys\nsys.exit()\n",  # BOM
    "# -*- coding: latin-1 -*-\nx = 'café'; quit()\n".encode("latin-1"),
]


def libcst_exits(source: bytes) -> list[ExitCall]:
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    from collect_fix.exits import find_exits

    return find_exits(MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True))


def codemod_cases() -> list[bytes]:
    """Every multi-line string in tests/codemods that parses: the before/after sources of the cases."""
    import ast

    found = []
    for path in sorted((TESTS / "codemods").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
                found.append(textwrap.dedent(node.value).encode())
    return found


CORPORA = {
    "fixtures": lambda: [path.read_bytes() for path in sorted((TESTS / "fixtures").rglob("*.py"))],
    "codemod cases": codemod_cases,
    "scope rules": lambda: SCOPE_SOURCES,
}


@pytest.mark.parametrize("corpus", sorted(CORPORA))
def test_ast_analysis_finds_what_libcst_finds(corpus: str) -> None:
    """Same exits, positions, spellings, qualified names, import-time and main-guard flags, statement
    lines; a source one cannot read, the other cannot either. The byte filter never hides an exit."""
    from collect_fix.exit_spelling import SourceError, find_exits

    import libcst as cst

    compared = found = 0
    mismatches = []
    for source in CORPORA[corpus]():
        if not any(word in source for word in (b"exit", b"quit", b"SystemExit")):
            continue  # LibCST cannot resolve a name that is not there
        try:
            expected: object = libcst_exits(source)
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            expected = "does not parse"
        if not may_exit(source):  # never parsed: LibCST must find nothing either
            if expected not in ([], "does not parse"):
                mismatches.append((source.decode("utf-8", "replace")[:300], expected, "filtered out"))
            continue
        try:
            actual: object = find_exits(source)
        except SourceError:
            actual = "does not parse"
        compared += 1
        found += len(actual) if isinstance(actual, list) else 0
        if actual != expected:
            mismatches.append((source.decode("utf-8", "replace")[:300], expected, actual))
        elif isinstance(actual, list):  # the hook's shortcut leaves out only exits under the main guard
            unguarded = [item for item in find_exits(source, outside_main_guard=True) if not item.under_main_guard]
            if unguarded != [item for item in actual if not item.under_main_guard]:
                mismatches.append((source.decode("utf-8", "replace")[:300], actual, unguarded))
    assert mismatches == []
    assert compared >= 10 and (found > 0 or corpus == "codemod cases" and compared > 0)


def test_ast_analysis_reads_identifiers_as_python_does() -> None:
    """The one deliberate difference: Python NFKC-normalises identifiers, so ``ｅｘｉｔ()`` calls
    ``exit``; LibCST keeps the spelling and does not resolve it."""
    from collect_fix.exit_spelling import find_exits

    source = "ｅｘｉｔ()\n".encode()
    assert libcst_exits(source) == []
    (found,) = find_exits(source)
    assert (found.line, found.col, found.spelling, found.qualified_name) == (1, 1, "ｅｘｉｔ", "builtins.exit")


def test_byte_filter_needs_a_call_a_rename_or_system_exit() -> None:
    """Prose mentioning exits is not parsed; every way source can spell an exit call is."""
    for source in (b"exit()", b"sys.exit (1)", b"(quit)(2)", b"exit # why\n(1)", b"sys.exit\\\n(1)",
                   b"from sys import exit as bye", b"from sys import exit\\\n    as bye", b"raise SystemExit",
                   b"os._exit(1)", "ｑｕｉｔ()".encode()):
        assert may_exit(source), source
    for source in (b"the exit code", b"exit cleanly", b"result.exit_code == 0", b"x.exit_status()",
                   b"exitcode(1)", b"quit", b"\xff exit"):
        assert not may_exit(source), source


def test_script_style_files_are_not_analysed_past_their_main_guard() -> None:
    from collect_fix.exit_spelling import find_exits

    script = b"import sys\ndef main():\n    return 0\nif __name__ == '__main__':\n    sys.exit(main())\n"
    assert [item.under_main_guard for item in find_exits(script)] == [True]
    assert find_exits(script, outside_main_guard=True) == []
    for other in (b"if __name__ == '__main__':\n    pass\nelse:\n    sys.exit(1)\n",  # the else runs
                  b"if __name__ == '__ma' 'in__':\n    sys.exit(1)\n",  # no guard to ExitFinder
                  b"quit()\nif __name__ == '__main__':\n    sys.exit(1)\n"):
        found = find_exits(b"import sys\n" + other)
        assert any(not item.under_main_guard for item in found), other
        assert find_exits(b"import sys\n" + other, outside_main_guard=True) == found, other
