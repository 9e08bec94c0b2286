"""add_stubs: typed, marked stubs that survive import-time use and fail whenever a test uses them."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest

from collect_fix.codemods.add_stubs import _SUPPORT_SOURCE, AddStubsCommand
from collect_fix.stubs import markers_in

IMPORTS = "import functools\nimport sys\nfrom typing import Any, Callable, NoReturn\n"
ALL_KINDS = (
    ("Store", "class"), ("make_gauge", "function"), ("send_sms", "async_function"), ("cached", "decorator"),
    ("requires", "decorator_factory"), ("SETTINGS", "constant"),
)


def transform(source: str, *stubs: tuple[str, ...], context: CodemodContext | None = None) -> str:
    command = AddStubsCommand(context or CodemodContext(), stubs=stubs)
    return command.transform_module(cst.parse_module(source)).code


def stubbed_module(*stubs: str) -> str:
    """What an empty module becomes: the imports, the shared class, then each stub."""
    return "\n\n".join([IMPORTS, _SUPPORT_SOURCE, *stubs])


@pytest.mark.parametrize(
    ("stub", "expected"),
    [
        pytest.param(("Store", "class"), 'class Store(_CollectFixStub):  # collect-fix: stub\n    _stub = "Store"\n',
                     id="class"),
        pytest.param(("make_gauge", "function"),
                     "def make_gauge(*args: object, **kwargs: object) -> Any:  # collect-fix: stub\n"
                     '    return _CollectFixStub._call("make_gauge")\n', id="function"),
        pytest.param(("send_sms", "async_function"),
                     "async def send_sms(*args: object, **kwargs: object) -> NoReturn:  # collect-fix: stub\n"
                     '    _CollectFixStub._fail("send_sms")\n', id="async function"),
        pytest.param(("cached", "decorator"),
                     "def cached(func: Any) -> Any:  # collect-fix: stub\n"
                     '    return _CollectFixStub._decorate("cached", func)\n', id="decorator"),
        pytest.param(("requires", "decorator_factory"),
                     "def requires(*args: object, **kwargs: object) -> Callable[[Any], Any]:  # collect-fix: stub\n"
                     '    return _CollectFixStub._decorator("requires")\n', id="decorator factory"),
        pytest.param(("SETTINGS", "constant"),
                     'SETTINGS: Any = _CollectFixStub._value("SETTINGS")  # collect-fix: stub\n', id="constant"),
    ],
)
def test_each_kind_gets_its_typed_stub_after_the_shared_class(stub: tuple[str, str], expected: str) -> None:
    assert transform("", stub) == stubbed_module(expected)


@pytest.mark.parametrize(
    ("kind", "signature", "expected"),
    [
        pytest.param("function", "(path, *, strict=False)",
                     "def load(path: object, *, strict: object = False) -> Any:  # collect-fix: stub\n",
                     id="keyword-only with a literal default"),
        pytest.param("function", "(a, /, b=(1, 'x'), *rest, key=DEFAULT, **options)",
                     "def load(a: object, /, b: object = (1, 'x'), *rest: object, key: object = ..., "
                     "**options: object) -> Any:  # collect-fix: stub\n",
                     id="every parameter kind; a default naming something becomes ..."),
        pytest.param("function", "(path: Path, retries: int = 3) -> Config",
                     "def load(path: object, retries: object = 3) -> Any:  # collect-fix: stub\n",
                     id="annotations dropped"),
        pytest.param("function", "()", "def load() -> Any:  # collect-fix: stub\n", id="no parameters"),
        pytest.param("async_function", "(number, text)",
                     "async def load(number: object, text: object) -> NoReturn:  # collect-fix: stub\n", id="async"),
        pytest.param("decorator_factory", "(backend)",
                     "def load(backend: object) -> Callable[[Any], Any]:  # collect-fix: stub\n",
                     id="decorator factory"),
        pytest.param("class", "(self, settings, *, timeout=5)",
                     'class load(_CollectFixStub):  # collect-fix: stub\n    _stub = "load"\n\n'
                     "    def __init__(self, settings: object, *, timeout: object = 5) -> None:\n"
                     "        super().__init__()\n",
                     id="class: the constructor's parameters"),
        pytest.param("function", "", "def load(*args: object, **kwargs: object) -> Any:  # collect-fix: stub\n",
                     id="unknown"),
    ],
)
def test_signature_from_history_shapes_the_parameters(kind: str, signature: str, expected: str) -> None:
    assert expected in transform("", ("load", kind, signature))


def test_an_unreadable_signature_is_reported_and_any_arguments_are_taken() -> None:
    context = CodemodContext()
    assert "def load(*args: object, **kwargs: object) -> Any:" in transform("", ("load", "function", "(x"), context=context)
    assert context.warnings == ["load: cannot read the signature '(x'; the stub takes any arguments"]


def test_the_command_line_form_takes_a_signature() -> None:
    command = AddStubsCommand(CodemodContext(), stubs=["load:function:(path: str, *, strict=False)", "Store:class"])
    assert command.stubs == (("load", "function", "(path: str, *, strict=False)"), ("Store", "class", ""))


class TestAddStubs(CodemodTest):
    TRANSFORM = AddStubsCommand

    def test_imports_join_the_module_imports_and_the_rest_is_kept(self) -> None:
        before = (
            '"""Shop models."""\n\nimport os\nfrom typing import Optional\n\n\n'
            "def helper() -> Optional[str]:\n    return os.sep  # keep me\n"
        )
        after = transform(before, ("Notifier", "class"))
        imports, _, rest = after.partition("\n\n\ndef helper")
        # Where each import goes is _module_edits.add_import's business; all are there, once.
        assert sorted(imports.splitlines()[2:]) == [
            "from typing import Any, Callable, NoReturn, Optional", "import functools", "import os", "import sys",
        ]
        assert rest.startswith("() -> Optional[str]:\n    return os.sep  # keep me\n\n\nclass _CollectFixStub:\n")
        assert rest.endswith('\n\n\nclass Notifier(_CollectFixStub):  # collect-fix: stub\n    _stub = "Notifier"\n')

    def test_stubs_join_all_only_when_exported_and_never_the_shared_class(self) -> None:
        source = '__all__ = ["RATE"]\nRATE = 2\n'
        assert '__all__ = ["RATE"]' in transform(source, ("Widget", "class")).splitlines()
        exported = AddStubsCommand(CodemodContext(), stubs=(("Widget", "class"),), export=True)
        lines = exported.transform_module(cst.parse_module(source)).code.splitlines()
        assert '__all__ = ["RATE", "Widget"]' in lines
        assert not any("_CollectFixStub" in line for line in lines if line.startswith("__all__"))

    def test_second_run_changes_nothing(self) -> None:
        once = transform('"""Doc."""\n', *ALL_KINDS)
        assert transform(once, *ALL_KINDS) == once

    def test_a_later_stub_reuses_the_shared_class(self) -> None:
        once = transform("", ("Store", "class"))
        twice = transform(once, ("make_gauge", "function"))
        assert twice.count("class _CollectFixStub:") == 1
        assert twice.startswith(once)

    def test_names_already_defined_are_left_alone(self) -> None:
        before = """
            def make_token(user):
                return user
        """
        self.assertCodemod(before, before, stubs=(("make_token", "function"),))

    def test_unknown_kind_is_skipped(self) -> None:
        self.assertCodemod("x = 1\n", "x = 1\n", stubs=(("Widget", "widget"),), expected_skip=True)

    def test_the_module_indentation_is_kept(self) -> None:
        after = transform("if True:\n\tX = 1\n", ("Store", "class"))
        assert '\n\t_stub = "_CollectFixStub"\n' in after
        assert '\n\t\t_CollectFixStub._only_at_import(self._stub)\n' in after
        assert "    " not in after


def test_every_stub_carries_the_marker_on_its_first_line_and_the_shared_class_none() -> None:
    source = transform('"""Doc."""\n', *ALL_KINDS).encode()
    marked = [text for _, text in markers_in(source)]
    assert len(marked) == len(ALL_KINDS)
    for (name, _), text in zip(ALL_KINDS, marked):
        assert text.endswith("# collect-fix: stub")
        assert text.startswith((f"class {name}(", f"def {name}(", f"async def {name}(", f"{name}: Any ="))


# The stubs at work: the generated module and a module using it are really imported.

USER_MODULE = '''\
import dataclasses

from stubpkg import other
from stubpkg.models import SETTINGS, ApiClient, Store, cached, make_gauge, requires, send_sms, timed

store = Store()
client = ApiClient(SETTINGS)
gauge = make_gauge("load")
gauges = [make_gauge(name) for name in ("a", "b")]


class MyStore(Store):
    def __init__(self) -> None:
        self.items = []

    def count(self) -> int:
        return len(self.items)


mine = MyStore()
timer = timed("setup")
with timed("import"):
    pass


@cached
def load(key):
    return key


@requires("pg")
def query():
    return 1


class Shelf:
    sizes = make_gauge("sizes")
    run = staticmethod(cached(load))


@cached
class TestDecorated:
    def test_one(self, tmp_path):
        return 1

    def helper(self):
        return 2


@cached
class Helper:
    pass


@cached
class UserTests:  # python_classes = *Tests: its test methods say what it is
    def test_name(self):
        return 1


class CRUDTests:
    class TestEdge:
        def test_zero(self):
            return 0


class EdgeTests:
    def test_edge(self):
        return 0


@cached
class TestCrud(CRUDTests):  # the base's nested class of tests is shared: left alone
    TestMore = EdgeTests  # so is one only assigned here

    def test_create(self):
        return 1


class Kinded:
    def __init_subclass__(cls, *, kind):  # a subclass without the keyword is refused
        cls.kind = kind


@cached
class TestKinded(Kinded, kind="fast"):  # cannot be subclassed without the keyword: changed in place
    def test_kind(self):
        return self.kind


@cached
class Plugin:  # not a class of tests: a stub class of its name takes its place
    def run(self):
        return 1


@cached
class TestAPI:  # another module's TestAPI.TestAuth, its qualname the same as one of this body's: left alone
    TestAuth = other.TestAPI.TestAuth

    def test_get(self):
        return 1


class Doubler(Plugin):  # which the module may still subclass (a hostile review: a function broke this)
    def run(self):
        return 2


doubler = Doubler()  # and build at import time


@dataclasses.dataclass
@cached
class Settings:  # a dataclass over it gives it an __init__ and an __eq__: building it in a test still raises
    debug: bool = False


@cached
@dataclasses.dataclass
class TestRecord:  # a constructor: pytest collects no tests from it, whatever its name
    size: int = 0
'''


@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """A module that builds, subclasses, calls, decorates with and enters stubs at import time."""
    package = tmp_path / "stubpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    stubs = (*ALL_KINDS, ("ApiClient", "class", "(settings)"), ("timed", "class"))
    (package / "models.py").write_text(transform('"""Models."""\n', *stubs))
    (package / "user.py").write_text(USER_MODULE)
    (package / "other.py").write_text("class TestAPI:\n    class TestAuth:\n        def test_login(self):\n            return 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("stubpkg.user")
    for name in ("stubpkg.user", "stubpkg.models", "stubpkg.other", "stubpkg"):
        sys.modules.pop(name, None)


def test_stub_objects_built_at_import_time_load(user: Any) -> None:
    assert isinstance(user.store, user.Store)
    assert isinstance(user.mine, user.Store) and user.mine.count() == 0  # the project's own subclass works
    assert user.load.__name__ == "load" and user.query.__name__ == "query"  # decorated functions keep their names
    assert repr(user.gauge) == "<make_gauge(): collect-fix stub>"
    assert not hasattr(user.gauge, "__wrapped__")  # Python's own probes find a plain object
    # A decorated class of tests stays a class pytest collects, with its tests and their fixtures.
    assert isinstance(user.TestDecorated, type) and user.TestDecorated.__name__ == "TestDecorated"
    assert inspect.signature(user.TestDecorated.test_one).parameters.keys() == {"self", "tmp_path"}
    # No tests in it: a stub class of its name, with none of its methods, properties or dunders.
    assert isinstance(user.Plugin, type) and user.Plugin.__name__ == "Plugin" and not hasattr(user.Plugin, "run")
    assert isinstance(user.Helper, type) and user.Helper.__qualname__ == "Helper"
    assert issubclass(user.Doubler, user.Plugin) and isinstance(user.doubler, user.Plugin)
    assert user.other.TestAPI.TestAuth().test_login() == 1  # a hostile review: it raised on the stub
    # A class of tests its __init_subclass__ would register twice or refuse: itself, changed in place.
    assert isinstance(user.TestKinded, type) and user.TestKinded.kind == "fast"
    assert user.TestKinded.__bases__ == (user.Kinded,)
    assert user.CRUDTests.TestEdge().test_zero() == 0  # another module's TestB(CRUDTests) runs it (a hostile review)
    assert user.EdgeTests().test_edge() == 0


USES_IN_A_TEST: dict[str, tuple[str, Callable[[Any], object]]] = {
    "method of an instance built at import": ("Store.save", lambda user: user.store.save()),
    "assert stub_obj.method()": ("Store.method", lambda user: user.store.method()),
    "attribute set on an instance": ("Store.size", lambda user: setattr(user.store, "size", 1)),
    "constructed in a test": ("Store", lambda user: user.Store()),
    "subclass without its own constructor": ("Store", lambda user: type("Sub", (user.Store,), {})()),
    "inherited method of the project's subclass": ("Store.save", lambda user: user.mine.save()),
    "function called in a test": ("make_gauge", lambda user: user.make_gauge("x")),
    "result compared": ("make_gauge()", lambda user: user.gauge == user.gauge),
    "result truth-tested": ("make_gauge()", lambda user: not user.gauge),
    "result iterated": ("make_gauge()", lambda user: list(user.gauges[0])),
    "result in a set": ("make_gauge()", lambda user: {user.gauge}),
    "result formatted": ("make_gauge()", lambda user: f"{user.gauge}"),
    "result called": ("make_gauge()", lambda user: user.gauge()),
    "result in a class body": ("make_gauge().set", lambda user: user.Shelf.sizes.set(3)),
    "constant truth-tested": ("SETTINGS", lambda user: bool(user.SETTINGS)),
    "constant compared": ("SETTINGS", lambda user: user.SETTINGS == "prod"),
    "constant attribute": ("SETTINGS.debug", lambda user: user.SETTINGS.debug),
    "constant subscripted": ("SETTINGS", lambda user: user.SETTINGS["debug"]),
    "constant length": ("SETTINGS", lambda user: len(user.SETTINGS)),
    "constant membership": ("SETTINGS", lambda user: "debug" in user.SETTINGS),
    "decorated function called": ("cached", lambda user: user.load(1)),
    "test of a decorated class run": ("cached", lambda user: user.TestDecorated().test_one(None)),
    "other method of a decorated test class": ("cached", lambda user: user.TestDecorated().helper()),
    "decorated class without tests built": ("cached", lambda user: user.Helper()),
    "test of a decorated class matched by its methods run": ("cached", lambda user: user.UserTests().test_name()),
    "test of a decorated class that cannot be subclassed run": ("cached", lambda user: user.TestKinded().test_kind()),
    "decorated class without tests built, with methods": ("cached", lambda user: user.Plugin()),
    "dataclass over a decorated class built": ("cached", lambda user: user.Settings() == user.Settings()),
    "decorated dataclass named like a test class built": ("cached", lambda user: user.TestRecord(3)),
    "decorated in a class body, called": ("cached", lambda user: user.Shelf.run(1)),
    "decorator applied in a test": ("cached", lambda user: user.cached(len)),
    "function under a decorator factory called": ("requires", lambda user: user.query()),
    "decorator factory called in a test": ("requires", lambda user: user.requires("pg")),
    "async function awaited": ("send_sms", lambda user: asyncio.run(user.send_sms("+1"))),
    "context manager entered in a test": ("timed", lambda user: user.timed("x")),
    "instance built at import entered in a test": ("timed", lambda user: user.timer.__enter__()),
    "class with a signature constructed in a test": ("ApiClient", lambda user: user.ApiClient(1)),
}


@pytest.mark.parametrize("use", USES_IN_A_TEST.values(), ids=USES_IN_A_TEST.keys())
def test_every_use_inside_a_test_raises_naming_the_stub_and_its_module(
    user: Any, use: tuple[str, Callable[[Any], object]]
) -> None:
    stub, touch = use
    expected = f"{stub} is a stub generated by collect-fix: write it in stubpkg.models"
    with pytest.raises(NotImplementedError) as raised:
        touch(user)
    assert str(raised.value) == expected


def test_no_assertion_on_a_stub_can_pass(user: Any) -> None:
    def assert_stub_method() -> None:
        assert user.store.method()

    def assert_constructed() -> None:
        assert user.Store()

    def assert_results_equal() -> None:
        assert user.make_gauge("x") == user.make_gauge("x")

    def assert_not_stub() -> None:
        assert not user.gauge

    def assert_constant() -> None:
        assert user.SETTINGS is not None and user.SETTINGS

    for check in (assert_stub_method, assert_constructed, assert_results_equal, assert_not_stub, assert_constant):
        with pytest.raises(NotImplementedError):
            check()


def test_a_generated_module_passes_mypy_strict(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    typed = '"""Typed models."""\n\nfrom __future__ import annotations\n\nfrom typing import Optional\n\n\n' \
            "def helper(name: str) -> Optional[str]:\n    return name or None\n"
    stubs = (*ALL_KINDS, ("ApiClient", "class", "(self, settings, *, timeout=DEFAULT)"),
             ("load", "function", "(path, /, *rest, strict=False, **options)"))
    (tmp_path / "models.py").write_text(transform(typed, *stubs))
    (tmp_path / "importer.py").write_text(textwrap.dedent('''\
        from models import SETTINGS, ApiClient, Store, cached, load, make_gauge, requires, send_sms

        store = Store()
        client = ApiClient(SETTINGS, timeout=3)
        level: int = make_gauge("load")


        class MyStore(Store):
            def own(self) -> int:
                loaded: int = load("x", strict=True)
                return loaded


        @cached
        def helper(n: int) -> int:
            return n


        @requires("pg")
        def query() -> str:
            return str(store.fetch(1))


        async def notify() -> None:
            await send_sms("+1")
        '''))
    out, err, status = api.run(["--strict", "--cache-dir", str(tmp_path / ".mypy_cache"), str(tmp_path)])
    assert status == 0, out + err


def test_a_stubbed_package_main_fails_when_run_and_still_imports(tmp_path: Path) -> None:
    """markdown: tests import parse_options from a deleted markdown/__main__.py. Its stub module
    must not turn ``python -m markdown`` into a command that does nothing and exits 0."""
    package = tmp_path / "cli_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    context = CodemodContext(filename=str(package / "__main__.py"), full_module_name="cli_pkg.__main__")
    main = transform('"""Command line."""\n', ("parse_options", "function"), context=context)
    assert transform(main, ("parse_options", "function"), ("run", "function"), context=context).count(
        'if __name__ == "__main__":') == 1
    (package / "__main__.py").write_text(main)
    environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    run = subprocess.run([sys.executable, "-m", "cli_pkg"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=60, env=environment)
    assert run.returncode == 1
    assert "NotImplementedError: python -m cli_pkg is a stub generated by collect-fix" in run.stderr
    imported = subprocess.run([sys.executable, "-c", "from cli_pkg.__main__ import parse_options; print('ok')"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60, env=environment)
    assert imported.stdout == "ok\n", imported.stderr
    assert "__main__" not in transform('"""Models."""\n', ("helper", "function"))  # elsewhere: no guard
    real = 'import sys\n\nif __name__ == "__main__" and not sys.flags.interactive:\n    print("ran")\n'
    assert transform(real, ("parse_options", "function"), context=context).count("if __name__ ==") == 1  # a real one runs as it is


def test_the_shared_class_and_a_main_guard_pass_ruffs_default_line_length(tmp_path: Path) -> None:
    """The generated code lands in the user's modules: their linter's defaults (88) must accept it
    (a stub's own line is as long as the name and signature it stands for)."""
    context = CodemodContext(filename=str(tmp_path / "__main__.py"))
    (tmp_path / "__main__.py").write_text(transform('"""CLI."""\n', ("run", "function"), context=context))
    checked = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W",
                              "--output-format", "concise", "__main__.py"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
