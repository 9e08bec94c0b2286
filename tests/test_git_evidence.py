"""git_evidence on real repositories built in tmp_path with real commits."""

from __future__ import annotations

import ast
import dataclasses
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from collect_fix import git_evidence, source_trees
from collect_fix.git_evidence import WORK_TREE, bindings, deleted_module, name_change
from collect_fix.project import Project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout


def repo(root: Path, files: dict[str, str]) -> Project:
    git(root, "init", "-q")
    commit(root, files, "start")
    return Project(root)


def commit(root: Path, files: dict[str, str], message: str = "change") -> str:
    write(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "--short=10", "HEAD").strip()


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


BEFORE = '''\
class Basket:
    def __init__(self, owner, *, limit=10):
        self.owner = owner
        self.items = []


def count_items(basket):
    return len(basket.items)


def load_config(path, strict=False):
    return {"path": path, "strict": strict}
'''
AFTER = '''\
def tally(basket):
    return len(basket.items)


class Cart:
    def __init__(self, owner, *, limit=10):
        self.owner = owner
        self.items = []


def _load_config(path, strict=False):
    return {"path": path, "strict": strict}
'''


def test_every_rename_of_one_commit_is_paired_with_its_own_successor(tmp_path: Path) -> None:
    project = repo(tmp_path, {"shop/inventory.py": BEFORE})
    sha = commit(tmp_path, {"shop/inventory.py": AFTER}, "rename three things")
    pairs = {name: name_change(project, "shop/inventory.py", name) for name in ("Basket", "count_items", "load_config")}
    assert {name: change.successor.name for name, change in pairs.items() if change and change.successor} == {
        "Basket": "Cart", "count_items": "tally", "load_config": "_load_config",
    }
    basket = pairs["Basket"]
    assert basket is not None and basket.commit == sha and basket.where == f"commit {sha}"
    assert basket.removed.kind == "class" and basket.removed.signature == "(owner, *, limit=10)"
    assert basket.why == "the same body, the same parameters"
    private = pairs["load_config"]
    assert private is not None and "the same name in another case style or privacy" in private.why


def test_pairs_follow_parameters_and_bodies_not_the_order_of_the_file(tmp_path: Path) -> None:
    project = repo(tmp_path, {"io.py": (
        "def load(path):\n    return open(path).read()\n\n\n"
        "def save(path, data):\n    open(path, 'w').write(data)\n"
    )})
    commit(tmp_path, {"io.py": (
        "def write_file(path, data):\n    open(path, 'w').write(data)\n\n\n"
        "def read_file(path):\n    return open(path).read()\n"
    )})
    load, save = (name_change(project, "io.py", name) for name in ("load", "save"))
    assert load is not None and load.successor is not None and load.successor.name == "read_file"
    assert save is not None and save.successor is not None and save.successor.name == "write_file"


def test_equally_good_successors_are_a_tie_not_a_guess(tmp_path: Path) -> None:
    project = repo(tmp_path, {"handlers.py": "class Handler:\n    pass\n"})
    commit(tmp_path, {"handlers.py": "class BaseHandler:\n    pass\n\n\nclass HandlerBase:\n    pass\n"})
    change = name_change(project, "handlers.py", "Handler")
    assert change is not None and change.successor is None
    assert change.rivals == ("BaseHandler", "HandlerBase")


def test_an_unrelated_kind_is_no_successor(tmp_path: Path) -> None:
    project = repo(tmp_path, {"mw.py": "class Middleware:\n    pass\n"})
    commit(tmp_path, {"mw.py": "TIMEOUT = 5\n"})
    change = name_change(project, "mw.py", "Middleware")
    assert change is not None and change.removed.kind == "class" and change.successor is None


@pytest.mark.parametrize(("before", "after"), [
    pytest.param('def fetch_rows(query):\n    """All rows."""\n    return [[query]]\n', "def connect():\n    return None\n",
                 id="the only function removed and added"),
    pytest.param("def export_csv(request):\n    return request.rows\n", "def healthcheck(request):\n    return 'ok'\n",
                 id="the same parameters"),
    pytest.param("class LegacyCache:\n    size = 1\n", "class Metrics:\n    count = 0\n", id="the only class, no constructor"),
    pytest.param("REQUEST_TIMEOUT = 3\n", "MAX_RETRIES = 5\n", id="constants of one shape"),
    pytest.param("def add(a, b):\n    return a + b\n", "def mul(x, y):\n    return x * y\n", id="one-line bodies of one shape"),
    pytest.param("CACHE_TTL = 60 * 60\n", "SESSION_TTL = 60 * 60\n", id="constants of literals alone"),
    pytest.param('class NotFound(KeyError):\n    """Missing."""\n', 'class Conflict(KeyError):\n    """Clash."""\n',
                 id="classes of a docstring alone"),
    pytest.param("class NotFound(KeyError):\n    pass\n", "class Conflict(KeyError):\n    pass\n",
                 id="classes of pass alone"),
    pytest.param('class NotFound(KeyError):\n    """Missing."""\n', 'class Conflict(KeyError):\n    """Missing."""\n',
                 id="classes of one docstring alone"),
    pytest.param("def load():\n    ...\n", "def parse():\n    ...\n", id="functions of an ellipsis alone"),
    pytest.param("def get_user(db, uid):\n    return db[uid]\n", "def get_users(db, limit):\n    return list(db)[:limit]\n",
                 id="a name alike without the old parameters"),
    pytest.param("def load_settings(path):\n    with open(path) as handle:\n        data = json.load(handle)\n"
                 "    return {key.lower(): value for key, value in data.items()}\n",
                 "def write_report(rows, path):\n    with open(path, 'w') as handle:\n        writer = csv.writer(handle)\n"
                 "        for row in rows:\n            writer.writerow(row)\n",
                 id="two bodies of a size, 0.7 alike"),
    pytest.param("def default_page_size():\n    return 50\n", "def max_upload_mb():\n    return 50\n", id="return a literal"),
    pytest.param("def fetch(url):\n    raise NotImplementedError\n", "def store(url):\n    raise NotImplementedError\n",
                 id="raise a builtin"),
    pytest.param("class UserError(Exception):\n    code = 400\n", "class OrderError(Exception):\n    code = 400\n",
                 id="a class of literals"),
    pytest.param("SUBSCRIBERS = set()\n", "BLOCKED_SENDERS = set()\n", id="a builtin call"),
    pytest.param("MISSING = object()\n", "UNSET = object()\n", id="a sentinel"),
])
def test_nothing_but_being_the_only_pair_or_taking_the_same_parameters_is_no_successor(
    tmp_path: Path, before: str, after: str
) -> None:
    """Hostile reviews: fetch_rows was aliased to connect(), export_csv to healthcheck (both take
    ``request``), LegacyCache to Metrics, REQUEST_TIMEOUT to MAX_RETRIES ("a similar body": 3 and 5),
    default_page_size to max_upload_mb and SUBSCRIBERS to BLOCKED_SENDERS: what reads no name but
    builtins pairs by name only."""
    project = repo(tmp_path, {"mod.py": before})
    commit(tmp_path, {"mod.py": after}, "change")
    name = before.split()[1].split("(")[0].rstrip(":") if not before[0].isupper() else before.split()[0]
    change = name_change(project, "mod.py", name)
    assert change is not None and change.successor is None


def test_a_constant_renamed_with_the_same_value_or_its_own_name_in_it_is_paired(tmp_path: Path) -> None:
    project = repo(tmp_path, {"mod.py": 'TIMEOUT = 3\nTableFormat = namedtuple("TableFormat", ["above"])\n'})
    commit(tmp_path, {"mod.py": 'REQUEST_TIMEOUT = 3\nTableStyle = namedtuple("TableStyle", ["above"])\n'})
    for old, new in (("TIMEOUT", "REQUEST_TIMEOUT"), ("TableFormat", "TableStyle")):
        change = name_change(project, "mod.py", old)
        assert change is not None and change.successor is not None and change.successor.name == new, old


def test_a_removed_alias_and_a_removed_reexport_are_known_as_written(tmp_path: Path) -> None:
    project = repo(tmp_path, {
        "pkg/__init__.py": '__all__ = ["Client", "Session"]\n\nfrom .http import Client, Session\n',
        "pkg/models.py": "class Order:\n    pass\n\n\nPurchase: type = Order\nLIMIT = 3\n",
    })
    sha = commit(tmp_path, {
        "pkg/__init__.py": '__all__ = ["Client"]\n\nfrom .http import Client\n',
        "pkg/models.py": "class Order:\n    pass\n\n\nLIMIT = 3\n",
    })
    alias = name_change(project, "pkg/models.py", "Purchase")
    assert alias is not None and alias.commit == sha
    assert (alias.removed.kind, alias.removed.text, alias.removed.target) == ("alias", "Purchase: type = Order", "Order")
    reexport = name_change(project, "pkg/__init__.py", "Session")
    assert reexport is not None and reexport.listed_in_all
    assert (reexport.removed.kind, reexport.removed.text) == ("import", "from .http import Session")
    assert (reexport.removed.target, reexport.removed.imported) == (".http", "Session")


def test_uncommitted_changes_are_the_newest_change(tmp_path: Path) -> None:
    project = repo(tmp_path, {"price.py": "def render_price(amount):\n    return f'{amount:.2f}'\n"})
    write(tmp_path, {"price.py": "def price_label(amount):\n    return f'{amount:.2f}'\n"})
    change = name_change(project, "price.py", "render_price")
    assert change is not None and change.commit == WORK_TREE
    assert change.where == "the uncommitted changes in the work tree"
    assert change.successor is not None and change.successor.name == "price_label"


def test_generated_aliases_in_the_work_tree_are_not_successors(tmp_path: Path) -> None:
    project = repo(tmp_path, {"m.py": "def alpha(x):\n    return x\n\n\ndef beta(x):\n    return x\n"})
    write(tmp_path, {"m.py": (
        "def one(x):\n    return x\n\n\nalpha = one  # collect-fix: alias -> one (renamed)\n\n\n"
        "def two(x):\n    return x\n"
    )})
    assert "alpha" not in bindings((tmp_path / "m.py").read_bytes())
    # Both bodies are identical: the tie between one and two is real until the alias claims one.
    change = name_change(project, "m.py", "beta")
    assert change is not None and change.successor is None and change.rivals == ("one", "two")
    write(tmp_path, {"m.py": (tmp_path / "m.py").read_text().replace("  # collect-fix: alias -> one (renamed)", "")})
    change = name_change(project, "m.py", "beta")
    assert change is not None and change.successor is not None and change.successor.name == "two"


def test_the_newest_removal_counts(tmp_path: Path) -> None:
    project = repo(tmp_path, {"m.py": "def old(a):\n    return a\n"})
    commit(tmp_path, {"m.py": "def first(a):\n    return a\n"})
    commit(tmp_path, {"m.py": "def first(a):\n    return a\n\n\ndef old(a, b):\n    return a + b\n"})
    sha = commit(tmp_path, {"m.py": "def first(a):\n    return a\n\n\ndef second(a, b):\n    return a + b\n"})
    commit(tmp_path, {"m.py": "# old is gone\ndef first(a):\n    return a\n\n\ndef second(a, b):\n    return a + b\n"})
    change = name_change(project, "m.py", "old")
    assert change is not None and change.commit == sha
    assert change.successor is not None and change.successor.name == "second"


def test_a_name_that_is_still_there_or_never_was_has_no_change(tmp_path: Path) -> None:
    project = repo(tmp_path, {"m.py": "def kept():\n    pass\n"})
    assert name_change(project, "m.py", "kept") is None
    assert name_change(project, "m.py", "never") is None
    assert name_change(Project(tmp_path / "elsewhere"), "m.py", "kept") is None


def test_outside_a_repository_there_is_no_evidence(tmp_path: Path) -> None:
    write(tmp_path, {"m.py": "X = 1\n"})
    assert name_change(Project(tmp_path), "m.py", "Y") is None
    assert deleted_module(Project(tmp_path), ["gone.py"]) is None


def test_history_lives_in_the_original_tree_during_a_dry_run(tmp_path: Path) -> None:
    original = tmp_path / "original"
    original.mkdir()
    repo(original, {"m.py": "def old(a):\n    return a\n"})
    commit(original, {"m.py": "def new(a):\n    return a\n"})
    scratch = tmp_path / "scratch"
    shutil.copytree(original, scratch, ignore=shutil.ignore_patterns(".git"))
    change = name_change(Project(scratch, history_root=original), "m.py", "old")
    assert change is not None and change.successor is not None and change.successor.name == "new"


def test_a_project_below_the_repository_root_reads_its_own_paths(tmp_path: Path) -> None:
    repo(tmp_path, {"services/shop/m.py": "def old(a):\n    return a\n"})
    commit(tmp_path, {"services/shop/m.py": "def new(a):\n    return a\n"})
    change = name_change(Project(tmp_path / "services/shop"), "m.py", "old")
    assert change is not None and change.path == "m.py"
    assert change.successor is not None and change.successor.name == "new"


@pytest.mark.parametrize(
    ("source", "signature"),
    [
        pytest.param("def f(a, /, b: int, *args, c=compute(), d=(1, 'x'), **kw) -> None:\n    pass\n",
                     "(a, /, b, *args, c=None, d=(1, 'x'), **kw)", id="every parameter kind"),
        pytest.param("async def f(*, key=None):\n    pass\n", "(*, key=None)", id="keyword only"),
        pytest.param("class f:\n    def __init__(self, path, *, strict=False):\n        pass\n",
                     "(path, *, strict=False)", id="constructor without self"),
        pytest.param("@dataclass\nclass f:\n    path: str\n    limit: ClassVar[int] = 3\n    strict: bool = False\n",
                     "(path, strict=False)", id="dataclass fields"),
        pytest.param("class f:\n    pass\n", None, id="no constructor"),
    ],
)
def test_signatures_are_valid_in_any_module(source: str, signature: str | None) -> None:
    binding = bindings(source)["f"]
    assert binding.signature == signature
    if signature is not None:
        compile(f"def stub{signature}:\n    pass\n", "<stub>", "exec")


def test_a_deleted_module_gives_its_last_definitions(tmp_path: Path) -> None:
    project = repo(tmp_path, {
        "shop/__init__.py": "",
        "shop/legacy.py": "class Store:\n    def __init__(self, url):\n        pass\n\n\nasync def fetch(key, *, retries=3):\n    pass\n",
        "shop/old/__init__.py": "def helper(x):\n    return x\n",
    })
    (tmp_path / "shop/legacy.py").unlink()
    git(tmp_path, "commit", "-q", "-am", "drop legacy")
    sha = git(tmp_path, "rev-parse", "--short=10", "HEAD").strip()
    deleted = deleted_module(project, ["shop/legacy.py", "shop/legacy/__init__.py"])
    assert deleted is not None and deleted.commit == sha and deleted.path == "shop/legacy.py"
    store, fetch = deleted.get("Store"), deleted.get("fetch")
    assert store is not None and (store.kind, store.signature) == ("class", "(url)")
    assert fetch is not None and (fetch.kind, fetch.signature) == ("async_function", "(key, *, retries=3)")
    shutil.rmtree(tmp_path / "shop/old")  # deleted in the work tree only
    uncommitted = deleted_module(project, ["shop/old.py", "shop/old/__init__.py"])
    assert uncommitted is not None and uncommitted.commit == WORK_TREE and uncommitted.path == "shop/old/__init__.py"


def test_a_question_takes_a_few_git_calls_and_asking_again_none_or_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = repo(tmp_path, {"m.py": "def old(a):\n    return a\n"})
    for number in range(30):  # history that mentions other names
        commit(tmp_path, {"m.py": f"def old(a):\n    return a\n\n\nVERSION = {number}\n"})
    commit(tmp_path, {"m.py": "def new(a):\n    return a\n\n\nVERSION = 30\n"})
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(command: list[str], **kwargs: Any) -> Any:
        calls.append(command)
        return real_run(command, **kwargs)

    monkeypatch.setattr(git_evidence.subprocess, "run", counting_run)
    first = name_change(project, "m.py", "old")
    assert first is not None and first.successor is not None and first.successor.name == "new"
    assert len(calls) <= 4, calls  # rev-parse, HEAD's version, log, both versions of one commit
    calls.clear()
    assert name_change(project, "m.py", "old") == first
    assert calls == []  # the same snapshot of the tree knows HEAD; everything else is cached by commit
    assert name_change(dataclasses.replace(project), "m.py", "old") == first
    assert [command[3] for command in calls] == ["rev-parse"]  # a new snapshot (the next round) asks HEAD once


def test_a_cache_that_fills_up_mid_question_still_answers_with_every_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When fetching the missing versions overflowed the cache, it was emptied, and the versions
    it held for the same question came back None: the rename's old version looked absent, and the
    answer depended on what earlier questions had cached (a stub planned where history shows a
    rename, at 30,000 tests)."""
    project = repo(tmp_path, {"shop/cart.py": BEFORE})
    head = commit(tmp_path, {"shop/cart.py": AFTER})
    monkeypatch.setattr(git_evidence, "_MAX_BLOBS", 1)
    git_evidence._BLOBS.clear()
    root = git_evidence.history_root(project)
    git_evidence._blobs(root, ((head, "shop/cart.py"),), deadline=time.monotonic() + 60)  # the cache is full

    both = git_evidence._blobs(root, ((head, "shop/cart.py"), (f"{head}^", "shop/cart.py")), deadline=time.monotonic() + 60)

    assert both == [AFTER.encode(), BEFORE.encode()]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_the_text_of_a_binding_is_what_python_says_it_spans(newline: str) -> None:
    """Lines split once, as Python counts them (a form feed is no line end); columns are bytes."""
    source = newline.join([
        "\f# header",
        "LIMIT = compute(  # π",
        "    1,",
        "    2)",
        "OLD_NAME = helpers.new_name",
        "def f():",
        "    pass",
        "",
    ])
    found = bindings(source.encode("utf-8"))

    expected = {
        name: ast.get_source_segment(source, node)
        for node in ast.parse(source).body if isinstance(node, ast.Assign)
        for name in [node.targets[0].id]  # type: ignore[attr-defined]
    }
    assert {name: found[name].text for name in expected} == expected
    assert expected["LIMIT"] == "LIMIT = compute(  # π" + newline + "    1," + newline + "    2)"


def test_the_successor_is_the_most_alike_body_not_the_one_with_the_best_bound(tmp_path: Path) -> None:
    """A reordered body holds the same characters (the cheap bound says 1.0) but matches less in
    order than a body with one name changed: the exact likeness decides, as it always did."""
    names = [f"item_{index:02d}" for index in range(40)]

    def function(name: str, items: list[str]) -> str:
        return f"def {name}(basket):\n    return [{', '.join(items)}]\n"

    project = repo(tmp_path, {"shop/lists.py": function("build_items", names)})
    commit(tmp_path, {"shop/lists.py": (
        function("reordered", names[::-1]) + "\n\n" + function("edited", [*names[:-1], "item_new"])
    )})

    change = name_change(project, "shop/lists.py", "build_items")

    assert change is not None and change.successor is not None
    assert change.successor.name == "edited"
    old, reordered, edited = (
        git_evidence.bindings(function(name, items).encode())[name].body
        for name, items in (("a", names), ("a", names[::-1]), ("a", [*names[:-1], "item_new"]))
    )
    reordered_likeness, edited_likeness = git_evidence._Likeness(old, reordered), git_evidence._Likeness(old, edited)
    assert reordered_likeness.bound > edited_likeness.bound  # the bound alone would have picked "reordered"
    assert reordered_likeness.value() < edited_likeness.value()


def test_a_body_that_names_its_own_definition_is_the_same_under_the_new_name(tmp_path: Path) -> None:
    """A pure rename renames the class's references to itself too (a hostile review: ``Vector2``
    to ``Vec2`` read as "a similar body", and a module tolerating its absence stayed skipped)."""
    vector = ("class Vector2:\n    def __add__(self, other):\n        return Vector2(self.x + other.x)\n\n"
              "    def __eq__(self, other):\n        return isinstance(other, Vector2)\n")
    project = repo(tmp_path, {"geo.py": vector})
    commit(tmp_path, {"geo.py": vector.replace("Vector2", "Vec2")})
    change = name_change(project, "geo.py", "Vector2")
    assert change is not None and change.successor is not None and change.successor.name == "Vec2"
    assert change.why is not None and change.why.startswith("the same body")


JOBS = (
    'def start(job):\n    """start the job, unless it is done."""\n    return _send(job, "start")\n\n\n'
    "def _send(job, what):\n    return what\n"
)
STOP = 'def stop(job):\n    """stop the job, unless it is done."""\n    return _send(job, "stop")\n\n\n'


@pytest.mark.parametrize("begin_docstring", ["start the job unless it is done.", "start the job, unless it is done."],
                         ids=["docstring-edited", "same-body"])
def test_a_body_that_says_its_name_in_a_string_is_not_the_same_under_another(tmp_path: Path, begin_docstring: str) -> None:
    """``stop`` differs from ``start`` only by the word, in its docstring and in a string it
    passes on (what it does): no rename. The renamed ``begin`` pairs."""
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/jobs.py": JOBS})
    begin = f'def begin(job):\n    """{begin_docstring}"""\n    return _send(job, "start")\n\n\n'
    commit(tmp_path, {"pkg/jobs.py": begin + STOP + "def _send(job, what):\n    return what\n"})

    change = name_change(project, "pkg/jobs.py", "start")

    assert change is not None and change.successor is not None and not change.rivals
    assert change.successor.name == "begin"


def test_the_text_of_a_binding_in_a_module_with_a_coding_cookie() -> None:
    source = '# -*- coding: latin-1 -*-\nimport os\nY = "éé"; X = os.path\n'.encode("latin-1")

    found = bindings(source)

    assert found["X"].text == "X = os.path"
    assert found["Y"].text == 'Y = "éé"'


def test_a_name_no_version_of_a_file_ever_had_is_never_named(tmp_path: Path) -> None:
    project = repo(tmp_path, {"shop/cart.py": "class LRUCache(dict):\n    pass\n"})
    commit(tmp_path, {"shop/cart.py": "class LRUCache(dict):\n    size = 1\n", "tests/test_weak.py": "WeakLRUCache\n"})
    assert git_evidence.never_named(project, "shop/cart.py", "WeakLRUCache")  # a test's mention is not the file's
    assert not git_evidence.never_named(project, "shop/cart.py", "LRUCache")


def test_a_name_an_old_version_named_even_in_a_comment_was_named(tmp_path: Path) -> None:
    project = repo(tmp_path, {"shop/cart.py": "# WeakCache: see below\nclass LRUCache(dict):\n    pass\n",
                              "shop/old.py": "class WeakCache:\n    pass\n"})
    commit(tmp_path, {"shop/cart.py": "class LRUCache(dict):\n    pass\n"})
    assert not git_evidence.never_named(project, "shop/cart.py", "WeakCache")


def test_without_the_file_in_history_nothing_is_known(tmp_path: Path) -> None:
    project = repo(tmp_path, {"shop/cart.py": "class LRUCache(dict):\n    pass\n"})
    write(tmp_path, {"shop/new.py": "class LRUCache(dict):\n    pass\n"})  # not committed
    assert not git_evidence.never_named(project, "shop/new.py", "WeakLRUCache")
    (tmp_path / "bare").mkdir()
    write(tmp_path / "bare", {"shop/cart.py": "class LRUCache(dict):\n    pass\n"})
    assert not git_evidence.never_named(Project(tmp_path / "bare"), "shop/cart.py", "WeakLRUCache")


def test_a_history_longer_than_what_is_read_tells_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = repo(tmp_path, {"shop/cart.py": "class LRUCache(dict):\n    pass\n"})
    commit(tmp_path, {"shop/cart.py": "class LRUCache(dict):\n    size = 1\n"})
    monkeypatch.setattr(git_evidence, "_MAX_HISTORY", 2)
    git_evidence._PATCHES.clear()
    assert not git_evidence.never_named(project, "shop/cart.py", "WeakLRUCache")


def test_a_shallow_clone_or_a_moved_file_tells_nothing(tmp_path: Path) -> None:
    """CI checks out one commit: what the file held before the cut is unknown. ``git mv`` starts a
    file's history over: the moved file's own history is read too (hostile reviews)."""
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    repo(upstream, {"shop/cart.py": "def fetch_data(rows):\n    return rows\n"})
    commit(upstream, {"README": "docs\n"})
    commit(upstream, {"shop/cart.py": "def fetch_data_rows(rows):\n    return rows\n"})
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{upstream}", str(tmp_path / "shallow")], check=True)
    assert not git_evidence.never_named(Project(tmp_path / "shallow"), "shop/cart.py", "fetch_data")
    assert not git_evidence.never_named(Project(upstream), "shop/cart.py", "fetch_data")  # the full history has it
    git(upstream, "mv", "shop/cart.py", "shop/api.py")
    git(upstream, "commit", "-q", "-m", "move")
    assert not git_evidence.never_named(Project(upstream), "shop/api.py", "fetch_data")  # named before the move
    assert git_evidence.never_named(Project(upstream), "shop/api.py", "WeakLRUCache")  # read across the move


def test_the_history_state_changes_when_a_shallow_clone_is_deepened(tmp_path: Path) -> None:
    upstream = tmp_path / "upstream"
    upstream.mkdir()
    repo(upstream, {"shop/cart.py": "def fetch(rows):\n    return rows\n"})
    for number in range(3):
        commit(upstream, {"README": f"docs {number}\n"})
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{upstream}", str(clone)], check=True)
    shallow = git_evidence.history_state(Project(clone))
    subprocess.run(["git", "fetch", "-q", "--deepen", "1"], cwd=clone, check=True)
    deeper = git_evidence.history_state(Project(clone))
    assert shallow.split()[0] == deeper.split()[0]  # the same HEAD
    assert shallow != deeper
    assert git_evidence.history_state(Project(upstream)).endswith("shallow=false")
    assert git_evidence.history_state(Project(tmp_path)) == ""  # no repository


@pytest.mark.parametrize("folder", [".", "proj"], ids=["project at the top", "project in a folder of the repository"])
def test_a_python_file_deleted_beside_the_first_commit_counts_only_if_it_named_the_name(
    tmp_path: Path, folder: str
) -> None:
    """The module's first commit also removed an unrelated script: nothing moved into it from
    there, so its history is still whole (a second hostile review). git names the deleted files
    from the top of the repository, wherever the project lies in it (a third)."""
    git(tmp_path, "init", "-q")
    top = tmp_path / folder
    commit(tmp_path, {f"{folder}/scripts/bench.py": "print('bench')\n", f"{folder}/shop/util.py": "class WeakCache:\n    pass\n"})
    project = Project(top)
    git(top, "rm", "-q", "scripts/bench.py", "shop/util.py")
    commit(top, {"shop/cart.py": "class LRUCache(dict):\n    pass\n"}, "cart")
    assert git_evidence.never_named(project, "shop/cart.py", "WeakLRUCache")
    assert not git_evidence.never_named(project, "shop/cart.py", "WeakCache")  # a deleted file of that commit had it


def test_a_literal_shared_by_chance_does_not_beat_the_name(tmp_path: Path) -> None:
    """``TIMEOUT = 30`` became ``DEFAULT_TIMEOUT = 60`` while ``CACHE_TTL = 30`` was added: the
    same literal is chance, the name says which (a hostile review: TIMEOUT = CACHE_TTL)."""
    project = repo(tmp_path, {"settings.py": "TIMEOUT = 30\n"})
    commit(tmp_path, {"settings.py": "DEFAULT_TIMEOUT = 60\nCACHE_TTL = 30\n"})
    change = name_change(project, "settings.py", "TIMEOUT")
    assert change is not None and change.successor is not None and change.successor.name == "DEFAULT_TIMEOUT"


def test_a_name_alike_that_takes_fewer_parameters_is_no_successor(tmp_path: Path) -> None:
    project = repo(tmp_path, {"users.py": "def get_user(db, uid):\n    return db[uid]\n"})
    commit(tmp_path, {"users.py": "def get_users(db):\n    return list(db.values())\n"})
    change = name_change(project, "users.py", "get_user")
    assert change is not None and change.successor is None


def test_where_a_change_moved_a_definition_needs_its_code_and_enough_of_it(tmp_path: Path) -> None:
    """Same name: the same code, a docstring added on the way. Another name: the very same code,
    and more than a ``pass`` or a literal, which unrelated definitions share by chance."""
    decode = "def decode(data):\n    if isinstance(data, str):\n        return data\n    for codec in ('utf-8', 'latin1'):\n" \
             "        try:\n            return data.decode(codec)\n        except UnicodeDecodeError:\n            pass\n" \
             "    return data.decode('ascii', errors='ignore')\n"
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": decode + "\n\nclass ConfigError(ValueError):\n    pass\n",
                              "pkg/utils.py": "X = 1\n"})
    documented = decode.replace("def decode(data):\n", 'def decode(data):\n    """Text from bytes."""\n')
    (tmp_path / "pkg/compat.py").unlink()
    sha = commit(tmp_path, {"pkg/utils.py": "X = 1\n\n\n" + documented + "\n\nclass ParseError(ValueError):\n    pass\n"})
    removed = git_evidence.bindings(decode.encode())["decode"]
    found = git_evidence.moved_in_change(project, sha, "pkg/compat.py", removed, renamed=False)
    assert found is not None and found[0] == "pkg/utils.py" and found[1].name == "decode"
    trivial = git_evidence.bindings(b"class ConfigError(ValueError):\n    pass\n")["ConfigError"]
    assert git_evidence.moved_in_change(project, sha, "pkg/compat.py", trivial, renamed=True) is None


def test_a_rename_that_documented_its_function_has_the_same_body(tmp_path: Path) -> None:
    project = repo(tmp_path, {"keys.py": "def to_key(s):\n    return s.strip().lower()\n"})
    commit(tmp_path, {"keys.py": 'def normalize(s: str) -> str:\n    """The key of ``s``."""\n    return s.strip().lower()\n'})
    change = name_change(project, "keys.py", "to_key")
    assert change is not None and change.successor is not None and change.successor.name == "normalize"
    assert change.why is not None and change.why.startswith("the same body")


def test_a_class_renamed_whose_methods_were_documented_has_the_same_body(tmp_path: Path) -> None:
    """A hostile review: a fold that documented a method on the way gave a stub."""
    before = "class Cache:\n    def get(self, key):\n        return self.data[key]\n\n    def put(self, key, value):\n" \
             "        self.data[key] = value\n"
    after = before.replace("class Cache:", "class MemoryCache:").replace(
        "def get(self, key):\n", 'def get(self, key):\n        """The value under ``key``."""\n')
    project = repo(tmp_path, {"cache.py": before})
    commit(tmp_path, {"cache.py": after})
    change = name_change(project, "cache.py", "Cache")
    assert change is not None and change.successor is not None and change.successor.name == "MemoryCache"
    assert change.why is not None and change.why.startswith("the same body")
    assert 'def get(self, key):\n        """' in after  # the method's docstring, not the class's


def test_a_class_moved_under_another_name_keeps_its_bases(tmp_path: Path) -> None:
    """``JSONStore(JSONCodec, Store)`` went and ``YAMLStore(YAMLCodec, Store)`` came, with one
    body: another class, not the same one renamed (a hostile review)."""
    body = "".join(f"    def method_{n}(self, key, value=None):\n        return self.codec.encode((key, value, {n}))\n\n"
                   for n in range(4))
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/json_store.py": "class JSONStore(JSONCodec, Store):\n" + body})
    (tmp_path / "pkg/json_store.py").unlink()
    sha = commit(tmp_path, {"pkg/yaml_store.py": "class YAMLStore(YAMLCodec, Store):\n" + body})
    removed = git_evidence.bindings(("class JSONStore(JSONCodec, Store):\n" + body).encode())["JSONStore"]
    assert git_evidence.moved_in_change(project, sha, "pkg/json_store.py", removed, renamed=True) is None
    same_bases = git_evidence.bindings(("class JSONStore(YAMLCodec, Store):\n" + body).encode())["JSONStore"]
    found = git_evidence.moved_in_change(project, sha, "pkg/json_store.py", same_bases, renamed=True)
    assert found is not None and found[1].name == "YAMLStore"


def test_a_module_renamed_keeps_its_bare_exceptions_and_constants(tmp_path: Path) -> None:
    """A hostile review and itsdangerous: ``git mv exc.py errors.py`` stubbed the exceptions whose
    body is a docstring or ``pass``, and every constant. Under its own name, the same shape is the move."""
    module = ('class ShopError(Exception):\n    """Base."""\n\n\nclass Declined(ShopError):\n    pass\n\n\n'
              'TIMEOUT = 30\nBASE_URL = os.environ.get("URL", "http://x")\n')
    project = repo(tmp_path, {"shop/__init__.py": "", "shop/exceptions.py": module})
    (tmp_path / "shop/exceptions.py").unlink()
    sha = commit(tmp_path, {"shop/errors.py": module.replace("(Exception):\n", "(Exception):\n    # moved\n")})
    old = git_evidence.bindings(module.encode())
    for name in ("ShopError", "Declined", "TIMEOUT", "BASE_URL"):
        found = git_evidence.moved_in_change(project, sha, "shop/exceptions.py", old[name], renamed=False)
        assert found is not None and found[0] == "shop/errors.py" and found[1].name == name, name
    other_base = git_evidence.bindings(b"class Declined(ValueError):\n    pass\n")["Declined"]
    assert git_evidence.moved_in_change(project, sha, "shop/exceptions.py", other_base, renamed=False) is None
    other_value = git_evidence.bindings(b"TIMEOUT = 5\n")["TIMEOUT"]
    assert git_evidence.moved_in_change(project, sha, "shop/exceptions.py", other_value, renamed=False) is None


def test_a_short_function_moved_under_another_name_needs_the_same_docstring(tmp_path: Path) -> None:
    """itsdangerous: ``_lazy_sha1`` moved and renamed ``_sha1_factory``, code and docstring kept."""
    doc = '    """Don\'t access ``hashlib.sha1`` until runtime."""\n'
    old = "def _lazy_sha1(string=b''):\n" + doc + "    return hashlib.sha1(string)\n"
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/signer.py": "import hashlib\n\n\n" + old})
    sha = commit(tmp_path, {"pkg/signer.py": "import hashlib\n",
                            "pkg/digests.py": "import hashlib\n\n\n" + old.replace("_lazy_sha1", "_sha1_factory")})
    removed = git_evidence.bindings(old.encode())["_lazy_sha1"]
    found = git_evidence.moved_in_change(project, sha, "pkg/signer.py", removed, renamed=True)
    assert found is not None and found[1].name == "_sha1_factory"
    undocumented = git_evidence.bindings(old.replace(doc, "").encode())["_lazy_sha1"]
    assert git_evidence.moved_in_change(project, sha, "pkg/signer.py", undocumented, renamed=True) is None


def test_a_long_body_of_literals_renamed_is_the_same_body(tmp_path: Path) -> None:
    """A hostile review: after the rule for ``return 50``, a dict of settings and a class of limits
    renamed in place were stubbed ("added nothing git pairs with it")."""
    config = ('def default_config():\n    return {\n' + "".join(f'        "key_{n}": {n * 7},\n' for n in range(8))
              + '    }\n\n\nclass Limits:\n' + "".join(f"    max_{n} = {n * 100}\n" for n in range(6)))
    project = repo(tmp_path, {"config.py": config})
    commit(tmp_path, {"config.py": config.replace("default_config", "base_settings").replace("Limits", "Quotas")})
    for old, new in (("default_config", "base_settings"), ("Limits", "Quotas")):
        change = name_change(project, "config.py", old)
        assert change is not None and change.successor is not None and change.successor.name == new, old


def test_a_pass_or_a_literal_moved_under_its_name_needs_where_its_module_went(tmp_path: Path) -> None:
    """A hostile review: a docstring-only ``NotFound(Error)`` of the database layer was taken for
    an HTTP one added by the same change; a pure ``git mv`` stubbed ``HANDLERS = []`` because the
    same change added another ``HANDLERS = []`` to a job queue. A weak shape needs the module its
    module went to (most of its names beside it), the same docstring and the same meaning of what it reads."""
    bus = "HANDLERS = []\n\n\ndef subscribe(handler):\n    HANDLERS.append(handler)\n    return handler\n"
    errors = 'from .base import Error\n\n\nclass NotFound(Error):\n    """No row matched."""\n\n\nclass Locked(Error):\n    pass\n'
    project = repo(tmp_path, {"app/__init__.py": "", "app/events/__init__.py": "", "app/events/bus.py": bus,
                              "app/db/__init__.py": "", "app/db/errors.py": errors, "app/jobs/__init__.py": ""})
    (tmp_path / "app/events/bus.py").unlink()
    (tmp_path / "app/db/errors.py").unlink()
    sha = commit(tmp_path, {
        "app/events/dispatch.py": bus,
        "app/jobs/queue.py": "HANDLERS = []\n\n\ndef enqueue(job):\n    HANDLERS.append(job)\n",
        "app/http/__init__.py": "",
        "app/http/errors.py": errors.replace("No row matched.", "HTTP 404."),
        "app/store/__init__.py": "",
        "app/store/errors.py": errors.replace(".base", "app.http.base"),
    })
    handlers = git_evidence.bindings(bus.encode())["HANDLERS"]
    found = git_evidence.moved_in_change(project, sha, "app/events/bus.py", handlers, renamed=False)
    assert found is not None and found[0] == "app/events/dispatch.py"
    old = git_evidence.bindings(errors.encode())
    assert git_evidence.moved_in_change(project, sha, "app/db/errors.py", old["NotFound"], renamed=False) is None
    assert git_evidence.moved_in_change(project, sha, "app/db/errors.py", old["Locked"], renamed=False) is None


def test_a_module_moved_with_a_helper_renamed_keeps_its_callers(tmp_path: Path) -> None:
    """A hostile review: ``git mv text.py strings.py`` that also renamed ``_words`` to
    ``split_words`` stubbed ``slugify``, whose only change is calling the helper by its new name."""
    text = ("import re\n\n\ndef _words(value):\n    return re.findall(r'\\w+', value.lower())\n\n\n"
            "def slugify(value, sep='-'):\n    return sep.join(_words(value))\n")
    project = repo(tmp_path, {"app/__init__.py": "", "app/text.py": text})
    (tmp_path / "app/text.py").unlink()
    sha = commit(tmp_path, {"app/strings.py": text.replace("_words", "split_words")})
    removed = git_evidence.bindings(text.encode())["slugify"]
    found = git_evidence.moved_in_change(project, sha, "app/text.py", removed, renamed=False)
    assert found is not None and found[0] == "app/strings.py" and found[1].name == "slugify"


def test_an_undocumented_pass_class_on_builtins_needs_where_its_module_went(tmp_path: Path) -> None:
    """A third review: ``NotFound(Exception): pass`` dropped in a split was taken for the HTTP
    layer's own namesake the same change added; nothing but where its module went tells them apart."""
    errors = "class NotFound(Exception):\n    pass\n\n\nclass Locked(Exception):\n    pass\n\n\nclass Stale(Exception):\n    pass\n"
    project = repo(tmp_path, {"app/__init__.py": "", "app/db/__init__.py": "", "app/db/errors.py": errors})
    (tmp_path / "app/db/errors.py").unlink()
    sha = commit(tmp_path, {
        "app/db/repo.py": "class Locked(Exception):\n    pass\n\n\nclass Stale(Exception):\n    pass\n",
        "app/http/__init__.py": "", "app/http/errors.py": "class NotFound(Exception):\n    pass\n",
    })
    removed = git_evidence.bindings(errors.encode())["NotFound"]
    assert git_evidence.moved_in_change(project, sha, "app/db/errors.py", removed, renamed=False) is None
    locked = git_evidence.bindings(errors.encode())["Locked"]
    found = git_evidence.moved_in_change(project, sha, "app/db/errors.py", locked, renamed=False)
    assert found is not None and found[0] == "app/db/repo.py"


def test_a_class_folded_into_the_module_its_base_came_from_reads_alike(tmp_path: Path) -> None:
    """itsdangerous: ``url_safe`` (``from .timed import TimedSerializer``) was folded into ``timed``;
    its docstring-only ``URLSafeTimedSerializer(TimedSerializer)`` now reads timed's own class,
    the very one it imported, and a later change (``exc`` renamed ``errors``) is no difference."""
    timed = "from .exc import BadData\n\n\nclass TimedSerializer:\n    def load(self):\n        raise BadData()\n"
    url_safe = 'from .timed import TimedSerializer\n\n\nclass URLSafeTimedSerializer(TimedSerializer):\n    """URL safe."""\n'
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/exc.py": "class BadData(Exception):\n    pass\n",
                              "pkg/timed.py": timed, "pkg/url_safe.py": url_safe})
    (tmp_path / "pkg/url_safe.py").unlink()
    sha = commit(tmp_path, {"pkg/timed.py": timed + "\n\n" + url_safe.split("\n\n\n", 1)[1]})
    (tmp_path / "pkg/exc.py").rename(tmp_path / "pkg/errors.py")
    commit(tmp_path, {"pkg/timed.py": (tmp_path / "pkg/timed.py").read_text().replace(".exc", ".errors")})
    removed = git_evidence.bindings(url_safe.encode())["URLSafeTimedSerializer"]
    found = git_evidence.moved_in_change(project, sha, "pkg/url_safe.py", removed, renamed=False)
    assert found is not None and found[0] == "pkg/timed.py"


def test_an_undocumented_pass_class_split_off_is_found_through_its_siblings_import(tmp_path: Path) -> None:
    """A fourth review: ``utils.py`` split into ``text.py`` (its functions, which import
    ``SlugError`` from the new ``errors.py``) and ``errors.py``: kinship 1/4 stubbed ``SlugError``."""
    utils = ("class SlugError(ValueError):\n    pass\n\n\ndef slugify(value):\n    if not value:\n        raise SlugError(value)\n"
             "    return value.lower()\n\n\ndef shout(value):\n    return value.upper()\n\n\ndef whisper(value):\n"
             "    return value.lower()\n")
    project = repo(tmp_path, {"app/__init__.py": "", "app/utils.py": utils})
    (tmp_path / "app/utils.py").unlink()
    functions = utils.split("\n\n\n", 1)[1]
    sha = commit(tmp_path, {"app/errors.py": "class SlugError(ValueError):\n    pass\n",
                            "app/text.py": "from app.errors import SlugError\n\n\n" + functions})
    removed = git_evidence.bindings(utils.encode())["SlugError"]
    found = git_evidence.moved_in_change(project, sha, "app/utils.py", removed, renamed=False)
    assert found is not None and found[0] == "app/errors.py"


def test_a_sibling_importing_another_name_of_a_module_tells_nothing_of_its_namesake(tmp_path: Path) -> None:
    """A fifth review: ``utils.Error`` was taken for ``app.http.Error`` because a sibling home
    imported ``fetch`` from ``app.http``."""
    utils = ("class Error(Exception):\n    pass\n\n\ndef render(value):\n    return fetch(value).upper()\n\n\n"
             "def parse(value):\n    return value.split()\n")
    project = repo(tmp_path, {"app/__init__.py": "", "app/utils.py": utils})
    (tmp_path / "app/utils.py").unlink()
    sha = commit(tmp_path, {
        "app/http.py": "class Error(Exception):\n    pass\n\n\ndef fetch(value):\n    return value\n",
        "app/parsing.py": "from app.http import fetch\n\n\n" + utils.split("\n\n\n", 1)[1],
    })
    removed = git_evidence.bindings(utils.encode())["Error"]
    assert git_evidence.moved_in_change(project, sha, "app/utils.py", removed, renamed=False) is None


@pytest.mark.parametrize("imports_it_back", [True, False])
def test_a_short_definition_or_a_constant_moved_under_another_name_is_paired_when_the_file_imports_it_back(
    tmp_path: Path, imports_it_back: bool
) -> None:
    """idna and platformdirs (a review on real projects): ``_encode_range`` (a one-line body) and
    ``PROPS`` (a tuple) left for another module as ``encode_span`` and ``DIR_PROPERTIES``, and the
    files they left import the new names from there: the files say the two are one, however short
    the code. Without that import, short code under another name tells nothing."""
    ranges = "def _encode_range(start, end):\n    return (start << 32) | end\n"
    main = "PROPS = ('user_data_dir', 'user_cache_dir')\n\n\ndef show():\n    return PROPS\n"
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/intranges.py": ranges + "\n\ndef f(a, b):\n    return _encode_range(a, b)\n",
                              "pkg/cli.py": main})
    spans = ranges.replace("_encode_range", "encode_span")
    uses = "from ._spans import encode_span\n\n\ndef f(a, b):\n    return encode_span(a, b)\n"
    cli = "from pkg.api import DIR_PROPERTIES\n\n\ndef show():\n    return DIR_PROPERTIES\n"
    if not imports_it_back:
        uses, cli = "def f(a, b):\n    return (a << 32) | b\n", "def show():\n    return ()\n"
    sha = commit(tmp_path, {"pkg/_spans.py": spans, "pkg/intranges.py": uses,
                            "pkg/api.py": "DIR_PROPERTIES = ('user_data_dir', 'user_cache_dir')\n", "pkg/cli.py": cli})
    removed = git_evidence.bindings(ranges.encode())["_encode_range"]
    found = git_evidence.moved_in_change(project, sha, "pkg/intranges.py", removed, renamed=True)
    assert (found is not None and found[:1] == ("pkg/_spans.py",) and found[1].name == "encode_span") == imports_it_back
    constant = git_evidence.bindings(main.encode())["PROPS"]
    found = git_evidence.moved_in_change(project, sha, "pkg/cli.py", constant, renamed=True)
    assert (found is not None and found[1].name == "DIR_PROPERTIES") == imports_it_back


def test_a_short_definition_moved_under_another_name_is_paired_when_its_importers_were_repointed(tmp_path: Path) -> None:
    """click (a review on real projects): ``term_len`` (one line) left ``_compat`` for ``_utils`` as
    ``display_width``, and the same change repointed its importers: ``from ._compat import
    term_len`` became ``from ._utils import display_width``. That says the two are one."""
    term_len = "def term_len(x):\n    return len(x)\n"
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/_compat.py": "import re\n\n\n" + term_len,
                              "pkg/_utils.py": "UNSET = object()\n",
                              "pkg/formatting.py": "from ._compat import term_len\n\n\ndef pad(t):\n    return term_len(t)\n"})
    sha = commit(tmp_path, {"pkg/_compat.py": "import re\n",
                            "pkg/_utils.py": "UNSET = object()\n\n\n" + term_len.replace("term_len", "display_width"),
                            "pkg/formatting.py": "from ._utils import display_width\n\n\ndef pad(t):\n    return display_width(t)\n"})
    removed = git_evidence.bindings(term_len.encode())["term_len"]
    found = git_evidence.moved_in_change(project, sha, "pkg/_compat.py", removed, renamed=True)
    assert found is not None and found[0] == "pkg/_utils.py" and found[1].name == "display_width"


def test_a_repointed_importer_pairs_no_short_code_that_reads_only_builtins(tmp_path: Path) -> None:
    """A fourteenth review: ``default_timeout`` (``return 30``) went, ``default_retries``
    (``return 30``) came, and an importer switched from one to the other: unrelated, however alike."""
    project = repo(tmp_path, {"app/__init__.py": "", "app/net.py": "HOST = 'x'\n\n\ndef default_timeout():\n    return 30\n",
                              "app/retry.py": "TRIES = 1\n", "app/client.py": "from app.net import default_timeout\n"})
    sha = commit(tmp_path, {"app/net.py": "HOST = 'x'\n", "app/retry.py": "TRIES = 1\n\n\ndef default_retries():\n    return 30\n",
                            "app/client.py": "from app.retry import default_retries\n"})
    removed = git_evidence.bindings(b"def default_timeout():\n    return 30\n")["default_timeout"]
    assert git_evidence.moved_in_change(project, sha, "app/net.py", removed, renamed=True) is None


def test_an_import_back_pairs_no_name_another_removed_name_matches_as_well(tmp_path: Path) -> None:
    """A fifteenth review: ``TIMEOUT = 30`` and ``RETRY_DELAY = 30`` left ``config`` for two
    modules, and ``config`` imports ``DEFAULT_TIMEOUT`` back: that says which one became it only
    when no other name the change removed has the same code. Here two do: nothing is paired."""
    project = repo(tmp_path, {"app/__init__.py": "", "app/config.py": "TIMEOUT = 30\nRETRY_DELAY = 30\n\n\n"
                              "def settings():\n    return {'timeout': TIMEOUT}\n"})
    sha = commit(tmp_path, {"app/config.py": "from app.net import DEFAULT_TIMEOUT\n\n\ndef settings():\n"
                                             "    return {'timeout': DEFAULT_TIMEOUT}\n",
                            "app/net.py": "DEFAULT_TIMEOUT = 30\n", "app/retry.py": "BACKOFF = 30\n"})
    removed = git_evidence.bindings(b"TIMEOUT = 30\nRETRY_DELAY = 30\n")
    assert git_evidence.moved_in_change(project, sha, "app/config.py", removed["RETRY_DELAY"], renamed=True) is None


def test_a_repointed_importer_pairs_no_code_whose_names_mean_something_else_where_it_went(tmp_path: Path) -> None:
    """A fifteenth review: ``return LIMIT`` reads ``config.LIMIT`` (30) where it was and
    ``retry.LIMIT`` (3) where the importer now looks: the same text, other code."""
    project = repo(tmp_path, {"app/__init__.py": "", "app/config.py": "LIMIT = 30\n\n\ndef default_timeout():\n    return LIMIT\n",
                              "app/retry.py": "TRIES = 1\n", "app/client.py": "from app.config import default_timeout\n"})
    sha = commit(tmp_path, {"app/config.py": "LIMIT = 30\n",
                            "app/retry.py": "TRIES = 1\nLIMIT = 3\n\n\ndef default_retries():\n    return LIMIT\n",
                            "app/client.py": "from app.retry import default_retries\n"})
    removed = git_evidence.bindings(b"LIMIT = 30\n\n\ndef default_timeout():\n    return LIMIT\n")["default_timeout"]
    assert git_evidence.moved_in_change(project, sha, "app/config.py", removed, renamed=True) is None


SPELLED_ALIKE = {  # case: (old binding, its reads, constants module, new reads, paired?)
    "PosInf -> POS_INF": ("PosInf = float('inf')", "PosInf", "POS_INF = 1e400\n", "POS_INF", True),
    "NaN -> NAN, both worked out": ("NaN = float('nan')", "NaN", "NAN = float('nan')\n", "NAN", True),
    "NaN -> NAN, neither worked out": ("NaN = make('nan')", "NaN", "NAN = load('nan')\n", "NAN", True),
    "Mb beside MB": ("MB = 1_000_000\nMb = 125_000", "Mb", "KB = 1000\nMB = 1000 * KB\n", "MB", False),
    "Mb reads turned to MB of another value": ("Mb = 125_000", "Mb", "KB = 1000\nMB = 1000 * KB\n", "MB", False),
    "Mb against MB worked out from an import": ("Mb = 125_000", "Mb", "from .si import KILO as KB\nMB = 1000 * KB\n",
                                                "MB", False),
    "kb = 1 << 10 against KB = 1000": ("kb = 1 << 10", "kb", "KB = 1000\n", "KB", False),
    "a name against a name of another text": ("Encoding = 'latin-1'", "Encoding", "ENCODING = 'utf-8'\n", "ENCODING",
                                              False),
    "POS_INF taken back, PosInf never read": ("PosInf = make_inf()", "", "POS_INF = load_inf()\n", "POS_INF", False),
    "the same value, whatever the file reads": ("PosInf = float('inf')", "", "POS_INF = 1e400\n", "POS_INF", True),
    "the same value, read by a function renamed": ("kb = 2 ** 10", "kb", "KB = 1 << 10\n", "", True),
    "a flag of another value": ("Debug = False", "Debug", "DEBUG = True\n", "DEBUG", False),
    "a flag written as a bool now, read where it was": ("verbose = 0", "verbose", "VERBOSE = False\n", "VERBOSE", True),
    "a timeout at another key of a dict reordered": ("timeout = timedelta(seconds=5)", "{'timeout': timeout, 'n': 1}",
                                                     "CONNECT = timedelta(seconds=5)\nTIMEOUT = CONNECT * 7\n",
                                                     "{'total': TIMEOUT, 'timeout': CONNECT}", False),
    "a timeout at its key, a key added before it": ("timeout = timedelta(seconds=5)", "{'timeout': timeout}",
                                                    "TIMEOUT = timedelta(seconds=SECONDS)\n",
                                                    "{'retries': 3, 'timeout': TIMEOUT}", True),
    "a timeout read elsewhere than where it was": ("timeout = timedelta(seconds=5)", "{'timeout': timeout}",
                                                  "CONNECT = timedelta(seconds=5)\nREAD = timedelta(seconds=30)\n"
                                                  "TIMEOUT = CONNECT + READ\n", "{'timeout': CONNECT, 'total': TIMEOUT}",
                                                  False),
    "KB read in a new place, not where kb was": ("kb = compute(10)", "kb", "KB = compute(3)\n", "", False),
}


@pytest.mark.parametrize("case", SPELLED_ALIKE)
def test_the_same_name_in_another_style_imported_back_is_paired_only_where_the_file_says_so(
    tmp_path: Path, case: str
) -> None:
    """simplejson: ``PosInf`` became ``POS_INF`` in ``_constants``, imported back, and the file
    reads it where it read ``PosInf``. Reviews 16, 17, hAI 01 and hAK 02, 05: values worked out
    decide (``1 << 10`` is no 1000, ``False`` no ``True``, two strings, through an import; ``2 ** 10``
    is ``1 << 10`` wherever it is read); where they cannot be, the file must read the new name at
    each spot it read the old one (not only in a new ``human_si``, not at another key of a dict).
    ``Mb`` (a megabit) beside ``MB``, which moved too, is never ``MB``."""
    binding, old_reads, constants, new_reads, paired = SPELLED_ALIKE[case]
    old = binding.splitlines()[-1].split(" = ")[0]
    new = constants.splitlines()[-1].split(" = ")[0]
    before = f"{binding}\n" + (f"\n\ndef top():\n    return {old_reads}\n" if old_reads else "")
    if new_reads:
        after = f"\n\ndef top():\n    return {new_reads}\n"
    else:  # ``top`` reads something else now; a new function reads the new name
        after = f"\n\ndef top():\n    return 1024\n\n\ndef human_si():\n    return {new}\n"
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/units.py": before})
    sha = commit(tmp_path, {"pkg/units.py": f"from .constants import {new}\n" + after, "pkg/constants.py": constants,
                            "pkg/si.py": "KILO = 1000\n"})
    removed = git_evidence.bindings(before.encode())[old]
    found = git_evidence.moved_in_change(project, sha, "pkg/units.py", removed, renamed=True)
    assert (found is not None and found[1].name == new) is paired


SAME_CODE = {  # case: (the old module, the name it lost, the new one, constants.py, the successor)
    # Review hAI 01: ``kb`` went as ``KIB`` of the same code beside a new ``KB``, both imported
    # back and read where ``kb`` was: the same code is the successor, not the same spelling.
    "the same code over the same name in another style": (
        "kb = compute(10)\n\n\ndef human(binary):\n    return kb\n", "kb",
        "from .constants import KB, KIB\n\n\ndef human(binary):\n    return KIB if binary else KB\n",
        "KB = compute(3)\nKIB = compute(10)\n", "KIB"),
    # Review hAI 07: ``kb = 1024`` and ``mb = 1024 * kb`` went as ``KIB`` and ``MIB = 1024 * KIB``,
    # both imported back: ``mb`` is ``MIB``, read with ``kb`` under its new name.
    "a constant read under the new name of one renamed beside it": (
        "kb = 1024\nmb = 1024 * kb\n\n\ndef human(n):\n    return n / mb if n >= mb else n / kb\n", "mb",
        "from .constants import KIB, MIB\n\n\ndef human(n):\n    return n / MIB if n >= MIB else n / KIB\n",
        "KIB = 1024\nMIB = 1024 * KIB\n", "MIB"),
}


@pytest.mark.parametrize("case", SAME_CODE)
def test_the_successor_of_the_same_code_under_another_name(tmp_path: Path, case: str) -> None:
    before, name, after, constants, successor = SAME_CODE[case]
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/units.py": before})
    sha = commit(tmp_path, {"pkg/units.py": after, "pkg/constants.py": constants})
    removed = git_evidence.bindings(before.encode())[name]

    found = git_evidence.moved_in_change(project, sha, "pkg/units.py", removed, renamed=True)

    assert found is not None and found[1].name == successor


def test_a_definition_read_again_in_another_version_is_the_same_binding_at_its_own_line() -> None:
    """Versions of one module share most definitions (read once, by their lines as written); a
    decorator or a body that changed is read again."""
    function = "@cache\ndef total(items):\n    '''Sum.'''\n    return sum(items)\n"
    first = git_evidence.bindings(function.encode())["total"]
    moved = git_evidence.bindings(("import os\n\n\n" + function).encode())["total"]
    redecorated = git_evidence.bindings(function.replace("@cache", "@lru_cache").encode())["total"]
    rewritten = git_evidence.bindings(function.replace("sum(items)", "sum(items, 0)").encode())["total"]

    assert (first.line, moved.line) == (2, 5)
    assert dataclasses.replace(moved, line=2) == first
    assert (moved.body, moved.shape, moved.code, moved.doc) == (first.body, first.shape, first.code, first.doc)
    assert redecorated.shape != first.shape and redecorated.reads != first.reads
    assert rewritten.body != first.body and rewritten.shape != first.shape
    assert first.doc == "Sum." and first.reads == ("cache", "items", "sum")


def test_an_assignment_read_again_is_the_same_binding_and_one_line_holds_two() -> None:
    first = git_evidence.bindings(b"LIMITS = {'a': 1}\nfirst = 1; second = first + 1\n")
    again = git_evidence.bindings(b"import os\nLIMITS = {'a': 1}\nsecond = 2; first = 1\n")

    assert (first["LIMITS"].line, again["LIMITS"].line) == (1, 2)
    assert dataclasses.replace(again["LIMITS"], line=1) == first["LIMITS"]
    assert first["LIMITS"].body == again["LIMITS"].body and first["LIMITS"].text == "LIMITS = {'a': 1}"
    assert (first["first"].text, first["second"].text) == ("first = 1", "second = first + 1")
    assert first["second"].reads == ("first",) and again["second"].reads == ()
    assert again["first"].line == again["second"].line == 3


def test_docstrings_inside_a_definition_are_left_out_of_its_shape_without_changing_the_shared_tree() -> None:
    documented = (
        "class Store:\n"
        "    '''A store.'''\n"
        "    def get(self, key):\n"
        "        '''One item.'''\n"
        "        try:\n"
        "            return self.items[key]\n"
        "        except KeyError:\n"
        "            def missing():\n"
        "                '''Nothing there.'''\n"
        "            return missing()\n"
    )
    plain = documented.replace("        '''One item.'''\n", "").replace("'''Nothing there.'''", "pass")
    source = documented.encode()
    tree = source_trees.tree_of(source)
    assert tree is not None
    before = ast.dump(tree, include_attributes=True)

    store, bare = git_evidence.bindings(source)["Store"], git_evidence.bindings(plain.encode())["Store"]

    assert store.shape == bare.shape and store.body != bare.body and store.doc == "A store."
    assert ast.dump(tree, include_attributes=True) == before  # the tree the planners share is as parsed


def test_a_constant_renamed_in_its_file_is_no_name_alike_of_another_value(tmp_path: Path) -> None:
    """Review hAK 08: ``kb = 1 << 10`` became ``KIB = 1 << 10`` beside a new ``KB = 1000``: git's
    pairing took the name alike in another case, and the test got 1000 for 1024."""
    project = repo(tmp_path, {"pkg/__init__.py": "", "pkg/units.py": "kb = 1 << 10\n"})
    commit(tmp_path, {"pkg/units.py": "KIB = 1 << 10\nKB = 1000\n"})

    change = name_change(project, "pkg/units.py", "kb")

    assert change is not None and change.successor is not None and change.successor.name == "KIB"
    # Review hAL 04: ``MB = KILO ** 2`` (imported, not worked out) beside ``MIB`` of the very code.
    commit(tmp_path, {"pkg/units.py": "mb = 1 << 20\n"})
    commit(tmp_path, {"pkg/units.py": "from .si import KILO\n\nMIB = 1 << 20\nMB = KILO ** 2\n"})
    change = name_change(Project(tmp_path), "pkg/units.py", "mb")
    assert change is not None and change.successor is not None and change.successor.name == "MIB"


def test_module_level_calls_are_spots_of_their_own() -> None:
    """Review hAL 02: ``register("timeout", timeout)`` became ``register("timeout", CONNECT)`` and
    ``register("total", TIMEOUT)``: two calls, not one "module" spot that ``TIMEOUT`` shares."""
    from collect_fix.spelled_alike import Constants, alike_in_use

    before = b"timeout = make(5)\nsettings.register('timeout', timeout)\n"
    for after, alike in ((b"from .c import TIMEOUT, CONNECT\nsettings.register('timeout', CONNECT)\n"
                          b"settings.register('total', TIMEOUT)\n", False),
                         (b"from .c import TIMEOUT\nsettings.register('timeout', TIMEOUT)\n", True)):
        old, new = git_evidence.bindings(before), git_evidence.bindings(b"TIMEOUT = make(5) + wait(30)\n")
        assert alike_in_use(before, after, old["timeout"], Constants(old, "", lambda module: {}), new["TIMEOUT"],
                            Constants(new, "", lambda module: {})) is alike


SPOTS = {  # case: (the file before, after, paired?); the constant went to ``c`` as ``TIMEOUT`` or ``VERBOSE``
    # Review hAM 02: a statement (a log line, a docstring) added before the read moves no spot.
    "a statement added before the read": (
        "timeout = make(5)\n\n\ndef fetch(url):\n    return {'timeout': timeout}\n",
        "from .c import TIMEOUT\n\n\ndef fetch(url):\n    log(url)\n    return {'timeout': TIMEOUT}\n", True),
    "a docstring added": (
        "timeout = make(5)\n\n\ndef fetch(url):\n    if url:\n        return timeout\n",
        "from .c import TIMEOUT\n\n\ndef fetch(url):\n    '''Fetch.'''\n    if url:\n        return TIMEOUT\n", True),
    "another statement of the function reads the new name": (
        "timeout = make(5)\n\n\ndef fetch(url):\n    return {'timeout': timeout}\n",
        "from .c import TIMEOUT\n\n\ndef fetch(url):\n    wait = {'timeout': TIMEOUT}\n    return {'timeout': 5}\n",
        False),
    # Review hAM 01: a parameter of the old name is no read of the module's constant; a global is.
    "a parameter of the old name": (
        "verbose = make(0)\n\n\ndef emit(msg, verbose=False):\n    return msg if verbose else ''\n\n\n"
        "def top():\n    return emit('x', verbose=verbose)\n",
        "from .c import VERBOSE\n\n\ndef emit(msg, verbose=False):\n    return msg if verbose else ''\n\n\n"
        "def top():\n    return emit('x', verbose=VERBOSE)\n", True),
    "a lambda's parameter of the old name": (
        "verbose = make(0)\nshow = lambda verbose: verbose\nflag = {'verbose': verbose}\n",
        "from .c import VERBOSE\nshow = lambda verbose: verbose\nflag = {'verbose': VERBOSE}\n", True),
    # Review hAN 01, 02, 03: two ``if``s of one function are two spots; a comprehension's or an
    # inner function's own ``debug`` shadows only there; an inner ``nonlocal`` reads the outer local.
    "a second if of the function reads the new name": (
        "retries = make(3)\n\n\ndef delays(kind):\n    if kind:\n        return retries\n    if not kind:\n"
        "        return 1\n",
        "from .c import RETRIES\n\n\ndef delays(kind):\n    if kind:\n        return 3\n    if not kind:\n"
        "        return RETRIES\n", False),
    "a comprehension's own target of the old name": (
        "debug = make(0)\n\n\ndef render(rows):\n    flags = [debug for debug in rows]\n    if debug:\n"
        "        return flags\n",
        "from .c import DEBUG\n\n\ndef render(rows):\n    flags = [debug for debug in rows]\n    if DEBUG:\n"
        "        return flags\n", True),
    "an inner function's local of the old name": (
        "debug = make(0)\n\n\ndef render(rows):\n    def inner():\n        debug = 1\n        return debug\n"
        "    if debug:\n        return inner\n",
        "from .c import DEBUG\n\n\ndef render(rows):\n    def inner():\n        debug = 1\n        return debug\n"
        "    if DEBUG:\n        return inner\n", True),
    "an outer local an inner function declares nonlocal": (
        "debug = make(0)\n\n\ndef top():\n    return {'debug': debug}\n",
        "from .c import DEBUG\n\n\ndef top():\n    return {'debug': DEBUG}\n\n\ndef recorder():\n"
        "    debug = []\n\n    def record(x):\n        nonlocal debug\n        debug = debug + [x]\n\n"
        "    return record\n", True),
    # Review hAO 01, 02: an ``if`` is the ``if`` of its test, whatever comes before it.
    "the if that read it deleted, another if reads the new name": (
        "retries = make(3)\n\n\ndef delays(kind):\n    if kind == 'fast':\n        return retries\n"
        "    if kind == 'slow':\n        return 1\n",
        "from .c import RETRIES\n\n\ndef delays(kind):\n    if kind == 'slow':\n        return RETRIES\n", False),
    "of two ifs alike, the one that read it deleted": (  # review hAP 08
        "retries = make(3)\n\n\ndef run(verbose):\n    if verbose:\n        log(retries)\n    if verbose:\n"
        "        log(1)\n",
        "from .c import RETRIES\n\n\ndef run(verbose):\n    if verbose:\n        log(RETRIES)\n", False),
    "a guard if added before the if that reads it": (
        "timeout = make(5)\n\n\ndef fetch(url):\n    if url.startswith('https'):\n        return timeout\n",
        "from .c import TIMEOUT\n\n\ndef fetch(url):\n    if not url:\n        raise ValueError(url)\n"
        "    if url.startswith('https'):\n        return TIMEOUT\n", True),
    "an if testing the name itself": (
        "timeout = make(5)\n\n\ndef fetch(url):\n    if timeout > 0:\n        return {'timeout': timeout}\n",
        "from .c import TIMEOUT\n\n\ndef fetch(url):\n    if TIMEOUT > 0:\n        return {'timeout': TIMEOUT}\n",
        True),
    # Review hAO 13: ``except ... as``, a walrus in a comprehension and a ``match`` capture bind locals.
    "locals bound by except-as, a walrus and a match capture": (
        "timeout = make(5)\n\n\ndef top():\n    return {'timeout': timeout}\n",
        "from .c import TIMEOUT\n\n\ndef top():\n    return {'timeout': TIMEOUT}\n\n\ndef caught():\n    try:\n"
        "        pass\n    except OSError as timeout:\n        return timeout\n\n\ndef walrus(xs):\n"
        "    found = [timeout := x for x in xs]\n    return timeout, found\n\n\ndef matched(value):\n"
        "    match value:\n        case {'t': timeout}:\n            return timeout\n", True),
    "the old name still read as a global": (
        "verbose = make(0)\n\n\ndef top():\n    return {'verbose': verbose}\n",
        "from .c import VERBOSE\n\n\ndef top():\n    return {'verbose': VERBOSE}\n\n\n"
        "def louder():\n    global verbose\n    verbose = verbose + 1\n", False),
}


@pytest.mark.parametrize("case", SPOTS)
def test_a_spot_is_a_read_of_the_module_s_name_by_its_place_in_meaning(case: str) -> None:
    from collect_fix.spelled_alike import Constants, alike_in_use

    before, after, alike = SPOTS[case]
    old_name = before.split(" = ")[0]
    new_name = old_name.upper()
    old, new = git_evidence.bindings(before.encode()), git_evidence.bindings(f"{new_name} = load()\n".encode())
    assert alike_in_use(before.encode(), after.encode(), old[old_name], Constants(old, "", lambda module: {}),
                        new[new_name], Constants(new, "", lambda module: {})) is alike
