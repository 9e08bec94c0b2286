"""usage: the shape of a stub comes from how the project uses the missing name."""

from __future__ import annotations

from pathlib import Path

import pytest

from collect_fix.project import Project
from collect_fix.usage import import_time_blockers, import_time_uses, imported_with, infer_stub_kind, infer_usage


def project_with_test(tmp_path: Path, test_source: str, name: str = "tests/test_it.py") -> Project:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "mod.py").write_text('"""Lacks the name."""\n')
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(test_source)
    return Project(tmp_path, extra_paths=(".",))


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        pytest.param("from shop.mod import X\n\nclass Y(X):\n    pass\n", "class", id="subclassed"),
        pytest.param("from shop.mod import X\n\ndef test():\n    x = X(1)\n    x.run()\n", "class",
                     id="instantiated then attribute used"),
        pytest.param("from shop.mod import X\n\ndef test():\n    X().run()\n", "class", id="attribute on instance"),
        pytest.param("from shop.mod import X\n\ndef test(o):\n    assert isinstance(o, (int, X))\n", "class",
                     id="isinstance"),
        pytest.param("from shop.mod import X\n\ndef test():\n    with X() as x:\n        pass\n", "class",
                     id="context manager"),
        pytest.param("from shop.mod import X\n\nclass Y(X):\n    pass\n\ndef test():\n    X()\n", "class",
                     id="base class and called"),
        pytest.param("from shop.mod import X\n\ndef test():\n    assert X(2) == 4\n", "function", id="called"),
        pytest.param("from shop.mod import X\n\nasync def test():\n    await X()\n", "async_function", id="awaited"),
        pytest.param("import asyncio\nfrom shop.mod import X\n\ndef test():\n    asyncio.run(X())\n",
                     "async_function", id="run by asyncio"),
        pytest.param("from shop.mod import X\n\n@X\ndef helper():\n    pass\n", "decorator", id="decorator"),
        pytest.param("from shop.mod import X\n\n@X('pg')\ndef test():\n    pass\n", "decorator_factory",
                     id="decorator factory"),
        pytest.param("from shop.mod import X\n\ndef test():\n    assert X == 3\n", "constant", id="value"),
        pytest.param("import shop.mod as m\n\nVALUE = m.X\n", "constant", id="module attribute value"),
        pytest.param("import shop.mod\n\ndef test():\n    shop.mod.X(1)\n", "function", id="dotted call"),
        pytest.param("from shop import mod\n\nclass Y(mod.X):\n    pass\n", "class", id="base via module"),
        pytest.param("from shop.mod import X as Alias\n\nclass Y(Alias):\n    pass\n", "class", id="imported as"),
    ],
)
def test_kind_follows_use(tmp_path: Path, source: str, kind: str) -> None:
    assert infer_stub_kind(project_with_test(tmp_path, source), "shop.mod", "X") == kind


def test_nested_conftest_use_counts(tmp_path: Path) -> None:
    source = "import pytest\nfrom shop.mod import make_token\n\n@pytest.fixture\ndef token():\n    return make_token('a')\n"
    project = project_with_test(tmp_path, source, "tests/api/conftest.py")
    assert infer_usage(project, "shop.mod", "make_token") == ("function", "called")


def test_same_name_from_another_module_does_not_count(tmp_path: Path) -> None:
    source = "from other import X\nfrom shop.mod import X as Y\n\nclass Z(X):\n    pass\n\ndef test():\n    Y()\n"
    assert infer_stub_kind(project_with_test(tmp_path, source), "shop.mod", "X") == "function"


def test_unparsable_file_says_nothing(tmp_path: Path) -> None:
    assert infer_usage(project_with_test(tmp_path, "from shop.mod import X\nclass (:\n"), "shop.mod", "X")[0] == "constant"


def test_names_imported_alongside(tmp_path: Path) -> None:
    source = "from shop.mod import EmailNotifier, Notifier\nfrom shop.other import Thing\n"
    project = project_with_test(tmp_path, source)
    assert imported_with(project, "shop.mod", "Notifier") == {"EmailNotifier"}
    assert imported_with(project, "shop.mod", "Thing") == set()


@pytest.mark.parametrize(
    ("source", "use"),
    [
        pytest.param("import pytest\nfrom shop.mod import X\n\n@pytest.mark.parametrize('c', X)\ndef test(c): ...\n",
                     "passed to a decorator", id="parametrize argument"),
        pytest.param("import pytest\nfrom shop.mod import X\n\npytestmark = pytest.mark.parametrize('c', X)\n",
                     "passed to a decorator", id="parametrize in pytestmark"),
        pytest.param("from shop.mod import X\n\nCASES = [case for case in X]\n", "iterated", id="comprehension"),
        pytest.param("from shop.mod import X\n\nfor case in X:\n    pass\n", "iterated", id="for loop"),
        pytest.param("from shop.mod import X\n\nA, B = X\n", "unpacked", id="unpacked"),
        pytest.param("from shop.mod import X\n\nALL = [*X]\n", "unpacked", id="starred"),
        pytest.param("from shop.mod import X\n\nFIRST = X[0]\n", "subscripted", id="subscripted"),
        pytest.param("from shop.mod import X\n\nclass T:\n    URL = X.url\n", "attribute read", id="class body"),
        pytest.param("import shop.mod\n\nURL = shop.mod.X.url\n", "attribute read", id="dotted attribute"),
    ],
)
def test_constant_used_at_import_time_cannot_be_stubbed(tmp_path: Path, source: str, use: str) -> None:
    project = project_with_test(tmp_path, source)
    [blocker] = import_time_blockers(project, "shop.mod", "X", "constant")
    assert (blocker.path, blocker.use) == ("tests/test_it.py", use)
    assert str(blocker).startswith(f"{use} at tests/test_it.py:")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("from shop.mod import X\n\ndef test():\n    for case in X:\n        pass\n", id="in a function"),
        pytest.param("from shop.mod import X\n\nGET = lambda: X[0]\n", id="in a lambda"),
        pytest.param("from shop.mod import X\n\nVALUE = X\n", id="plain read"),
        pytest.param("from shop.mod import X\nfrom lib import register\n\nregister(X)\n", id="ordinary call argument"),
        pytest.param("from shop.mod import X\n\nif X is None:\n    pass\n", id="identity test"),
        pytest.param("from shop.mod import X\n\nif __name__ == '__main__':\n    print(X[0])\n", id="under the main guard"),
        pytest.param("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from shop.mod import X\n\n    Y = X[0]\n",
                     id="under TYPE_CHECKING"),
    ],
)
def test_uses_that_a_stub_survives_do_not_block(tmp_path: Path, source: str) -> None:
    assert import_time_blockers(project_with_test(tmp_path, source), "shop.mod", "X", "constant") == []


def test_a_decorator_argument_blocks_only_a_constant(tmp_path: Path) -> None:
    source = "from shop.mod import X\nfrom lib import register\n\n@register(X)\ndef test():\n    X()\n"
    project = project_with_test(tmp_path, source)
    assert import_time_blockers(project, "shop.mod", "X", "function") == []
    assert [b.use for b in import_time_blockers(project, "shop.mod", "X", "constant")] == ["passed to a decorator"]


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        pytest.param("import shop as s\n\ndef test():\n    s.mod.X(1)\n", "function", id="through the package alias"),
        pytest.param("import shop as s\n\ndef test():\n    s.X(1)\n", "constant", id="package attribute is not the module's"),
        pytest.param("import shop.mod\n\ndef test():\n    assert 'shop.mod.X'\n", "constant", id="only in a string"),
        pytest.param("from shop.mod import *\n\ndef test():\n    X(1)\n", "constant", id="star import is not resolved"),
    ],
)
def test_files_reaching_another_name_are_skipped_without_changing_the_kind(
    tmp_path: Path, source: str, kind: str
) -> None:
    assert infer_stub_kind(project_with_test(tmp_path, source), "shop.mod", "X") == kind


def test_relative_import_in_package_counts(tmp_path: Path) -> None:
    project = project_with_test(tmp_path, "from .mod import X\n\nclass Y(X):\n    pass\n", "shop/user.py")
    assert infer_stub_kind(project, "shop.mod", "X") == "class"


def test_new_project_snapshot_sees_edited_file(tmp_path: Path) -> None:
    project = project_with_test(tmp_path, "from shop.mod import X\n\ndef test():\n    X(1)\n")
    assert infer_stub_kind(project, "shop.mod", "X") == "function"
    (tmp_path / "tests" / "test_it.py").write_text("from shop.mod import X\n\nclass Y(X):\n    pass\n")
    assert infer_stub_kind(Project(tmp_path, extra_paths=(".",)), "shop.mod", "X") == "class"


@pytest.mark.parametrize(
    ("source", "use"),
    [
        pytest.param("from shop.mod import X\n\nif X:\n    pass\n", "truth-tested", id="if"),
        pytest.param("from shop.mod import X\n\nLIMIT = X or 5\n", "truth-tested", id="or"),
        pytest.param("from shop.mod import X\n\nSAME = X == 3\n", "compared", id="compared"),
        pytest.param("from shop.mod import X\n\nKNOWN = X in ('a', 'b')\n", "compared", id="left of in"),
        pytest.param("from shop.mod import X\n\nURL = f'{X}/api'\n", "formatted", id="f-string"),
        pytest.param("from shop.mod import X\n\nprint(X)\n", "formatted", id="printed"),
        pytest.param("from shop.mod import X\n\nDOUBLE = X * 2\n", "operated on", id="arithmetic"),
    ],
)
def test_a_stub_constant_cannot_be_read_at_import_time(tmp_path: Path, source: str, use: str) -> None:
    project = project_with_test(tmp_path, source)
    assert [blocker.use for blocker in import_time_blockers(project, "shop.mod", "X", "constant")] == [use]
    assert import_time_blockers(project, "shop.mod", "X", "class") == []  # a class is true, equal to itself...


@pytest.mark.parametrize(
    ("source", "use"),
    [
        pytest.param("from shop.mod import X\n\nNAME = X().name\n", "result attribute read", id="attribute"),
        pytest.param("from shop.mod import X\n\nfor row in X():\n    pass\n", "result iterated", id="iterated"),
        pytest.param("from shop.mod import X\n\nif X('a') == 1:\n    pass\n", "result compared", id="compared"),
        pytest.param("from shop.mod import X\n\nFIRST = X()[0]\n", "result subscripted", id="subscripted"),
        pytest.param("import asyncio\nfrom shop.mod import X\n\nasyncio.run(X())\n", "awaited", id="run at import"),
    ],
)
def test_what_a_stub_returns_at_import_time_cannot_be_used_either(tmp_path: Path, source: str, use: str) -> None:
    project = project_with_test(tmp_path, source)
    for kind in ("class", "function", "async_function"):
        assert [blocker.use for blocker in import_time_blockers(project, "shop.mod", "X", kind)] == [use]


def test_import_time_uses_a_stub_supports_are_recorded_not_blocking(tmp_path: Path) -> None:
    source = (
        "import pytest\n"
        "from shop.mod import X\n"
        "\n"
        "store = X(settings=1)\n"
        "gauges = [X(name) for name in 'ab']\n"
        "\n"
        "\n"
        "class Mine(X):\n"
        "    shared = X()\n"
        "\n"
        "\n"
        "@X\n"
        "def helper():\n"
        "    return X()\n"
        "\n"
        "\n"
        "@X('pg')\n"
        "def test_query():\n"
        "    X().run()\n"
        "\n"
        "\n"
        "with X('import'):\n"
        "    pass\n"
    )
    project = project_with_test(tmp_path, source)
    uses = [(use.line, use.use) for use in import_time_uses(project, "shop.mod", "X")]
    assert uses == [
        (4, "called"), (5, "called"), (8, "subclassed"), (9, "called"), (12, "decorator"), (17, "decorator factory"),
        (22, "with"),
    ]
    for kind in ("class", "function", "decorator", "decorator_factory", "constant"):
        assert import_time_blockers(project, "shop.mod", "X", kind) == []


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        pytest.param("from shop.mod import X\n\ndef test(X):\n    X()\n\nclass T(X):\n    pass\n", "class",
                     id="a parameter hides the import"),
        pytest.param("from shop.mod import X\n\ndef test():\n    X = dict\n    X()\n", "constant",
                     id="a local variable hides it in the whole function"),
        pytest.param("def test():\n    from shop.mod import X\n    X(1)\n", "function", id="import inside a test"),
        pytest.param("import other as X\n\ndef test():\n    from shop.mod import X\n    X(1)\n\ndef helper():\n"
                     "    class Y(X):\n        pass\n", "function", id="a local import does not leak"),
        pytest.param("from shop.mod import X\n\nclass T:\n    X = int\n\n    def test(self):\n        X(1)\n",
                     "function", id="class body names are invisible in methods"),
        pytest.param("from shop.mod import X\n\nclass T:\n    X = int\n    Y = X(1)\n", "constant",
                     id="but visible in the class body"),
        pytest.param("X = None\n\ndef load():\n    global X\n    from shop.mod import X\n\ndef test():\n    X(1)\n",
                     "function", id="global declaration"),
        pytest.param("from shop.mod import X\n\ndef test():\n    try:\n        pass\n    except ValueError as X:\n"
                     "        X.args\n", "constant", id="except as"),
        pytest.param("from shop.mod import X\n\nCASES = [X for X in range(3)]\n\ndef test():\n    X()\n", "function",
                     id="comprehension variable"),
    ],
)
def test_names_are_resolved_scope_by_scope(tmp_path: Path, source: str, kind: str) -> None:
    assert infer_stub_kind(project_with_test(tmp_path, source), "shop.mod", "X") == kind


def test_a_relative_import_leaving_the_package_is_no_reference(tmp_path: Path) -> None:
    project = project_with_test(tmp_path, "from ...mod import X\n\nclass Y(X):\n    pass\n", "shop/user.py")
    assert infer_stub_kind(project, "shop.mod", "X") == "constant"


def test_nested_decorator_arguments_count_as_passed_to_a_decorator(tmp_path: Path) -> None:
    source = "from shop.mod import X\nfrom lib import register, wrap\n\n@register(wrap(X))\ndef test():\n    pass\n"
    project = project_with_test(tmp_path, source)
    assert [b.use for b in import_time_blockers(project, "shop.mod", "X", "constant")] == ["passed to a decorator"]
