"""stubs: the markers collect-fix leaves are found again, and only real comments count."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext

from collect_fix.codemods.add_stubs import AddStubsCommand
from collect_fix.project import Project
from collect_fix.stubs import find_markers, is_marked, markers_in


def test_stub_and_alias_markers_are_listed_with_path_line_and_source(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "models.py").write_text(
        "class Order:\n    pass\n\n\nPurchase = Order  # collect-fix: alias -> Order (renamed)\n"
    )
    (tmp_path / "shop" / "auth.py").write_text(
        'def make_token(*args, **kwargs):  # collect-fix: stub\n    raise NotImplementedError("stub")\n'
    )
    assert find_markers(Project(tmp_path)) == [
        ("shop/auth.py", 1, "def make_token(*args, **kwargs):  # collect-fix: stub"),
        ("shop/models.py", 5, "Purchase = Order  # collect-fix: alias -> Order (renamed)"),
    ]


def test_marker_text_inside_a_string_is_not_a_marker() -> None:
    source = b'EXPECTED = "X = None  # collect-fix: stub"\nY = 1  # collect-fix: stub\n'
    assert markers_in(source) == [(2, "Y = 1  # collect-fix: stub")]
    assert markers_in(b"# collect-fix: stubborn is another word\n") == []
    assert markers_in(b'TEXT = """\n# collect-fix: stub\n"""\n') == []


def test_virtualenvs_and_caches_are_not_searched(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.py").write_text("X = None  # collect-fix: stub\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "y.py").write_text("Y = None  # collect-fix: stub\n")
    assert find_markers(Project(tmp_path)) == []


def test_a_file_that_does_not_tokenize_keeps_earlier_markers() -> None:
    assert markers_in(b"X = None  # collect-fix: stub\ny = (\n") == [(1, "X = None  # collect-fix: stub")]


def test_is_marked_checks_one_line(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("A = 1\nB = None  # collect-fix: stub\n")
    project = Project(tmp_path)
    assert is_marked(project, "m.py", 2)
    assert not is_marked(project, "m.py", 1)
    assert not is_marked(project, "missing.py", 1)


def test_each_generated_stub_is_listed_on_its_first_line_and_their_shared_class_is_not(tmp_path: Path) -> None:
    stubs = (("Store", "class", "(settings)"), ("load", "function"), ("send", "async_function"), ("cached", "decorator"),
             ("requires", "decorator_factory"), ("LIMIT", "constant"))
    source = AddStubsCommand(CodemodContext(), stubs=stubs).transform_module(cst.parse_module('"""Doc."""\n')).code
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "models.py").write_text(source)
    listed = find_markers(Project(tmp_path))
    assert [text.split("(")[0].split(":")[0] for _, _, text in listed] == [
        "class Store", "def load", "async def send", "def cached", "def requires", "LIMIT",
    ]
    assert all(text.endswith("# collect-fix: stub") for _, _, text in listed)
    assert "_CollectFixStub:" not in "".join(text for _, _, text in listed)
