"""The bytecode prefix of a run's collections: shared by runs outside the project, never for the
project's own files. Collections here are real pytest runs."""

from __future__ import annotations

import os
import py_compile
import sys
import tempfile
from pathlib import Path
from typing import Iterable

import pytest

from collect_fix.bytecode_cache import Prefix
from collect_fix.collector import RunCollector
from collect_fix.types import Collection


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "collect-fix" / "bytecode"


def project(tmp_path: Path, test_source: str) -> Path:
    root = tmp_path / "project"
    (root / "tests").mkdir(parents=True)
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (root / "tests" / "test_b.py").write_text(test_source, encoding="utf-8")
    return root


def same_size_pair(tmp_path: Path, missing: str) -> tuple[Path, Path, str]:
    """A project whose test file holds one test, and a text of the same size that instead
    imports the module ``missing``."""
    stale = "def test_old():\n    pass\n"
    fresh = f"import {missing}\n"
    fresh += "#" * (len(stale) - len(fresh))
    root = project(tmp_path, stale)
    return root, root / "tests" / "test_b.py", fresh


def collect_once(root: Path) -> Collection:
    """One run of one collection: its prefix is set up and removed as a run's is."""
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        return collections.collect()
    finally:
        collections.close()


def missing_module(collection: Collection) -> str:
    (error,) = collection.errors
    name: str = error.attrs["name"]
    return name


def mirror(cache: Path, directory: Path) -> Path:
    return cache.joinpath(*directory.resolve().parts[1:])


def test_what_lies_outside_the_project_stays_compiled_for_the_next_run(tmp_path: Path, cache: Path) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        assert collections.collect().tests_per_file == {"tests/test_b.py": 1}
        assert list(mirror(cache, root / "tests").glob("test_b.*.pyc"))  # compiled during the run
    finally:
        collections.close()

    import _pytest.main

    assert list(mirror(cache, Path(_pytest.main.__file__).parent).glob("main.*.pyc"))
    assert not mirror(cache, root).exists()
    assert oct(cache.stat().st_mode & 0o777) == oct(0o700)


def test_a_compiled_file_an_earlier_run_left_of_the_project_is_never_read(tmp_path: Path, cache: Path) -> None:
    """Same size, same mtime: Python itself would take the stale file for the source's."""
    root, test_file, fresh = same_size_pair(tmp_path, "no_such_module_q7")
    stamp = test_file.stat()
    cache.mkdir(parents=True, mode=0o700)
    cache.parent.chmod(0o700)
    leftover = mirror(cache, root / "tests") / f"test_b.{sys.implementation.cache_tag}.pyc"
    leftover.parent.mkdir(parents=True)
    py_compile.compile(str(test_file), cfile=str(leftover), doraise=True)
    test_file.write_text(fresh, encoding="utf-8")
    os.utime(test_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert test_file.stat().st_size == stamp.st_size

    collection = collect_once(root)

    assert collection.tests == 0
    assert missing_module(collection) == "no_such_module_q7"


def test_the_project_virtualenv_stays_compiled_and_the_rest_of_the_project_does_not(
    tmp_path: Path, cache: Path
) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    for environment in (".venv", ".tox/py311"):
        (root / environment).mkdir(parents=True)
        (root / environment / "pyvenv.cfg").write_text("home = /usr/bin\n", encoding="utf-8")
    kept = [mirror(cache, root / environment / "lib") / "six.cpython-311.pyc" for environment in (".venv", ".tox/py311")]
    dropped = mirror(cache, root / "tests") / "test_b.cpython-311.pyc"
    prefix = Prefix(root)
    for compiled in (*kept, dropped):
        compiled.parent.mkdir(parents=True, exist_ok=True)
        compiled.write_bytes(b"")

    prefix.close()

    assert all(each.exists() for each in kept) and not dropped.exists()
    assert prefix.path == cache


def test_a_cache_others_can_write_to_is_not_used(tmp_path: Path, cache: Path) -> None:
    cache.mkdir(parents=True)
    cache.chmod(0o777)
    root = project(tmp_path, "def test_one():\n    pass\n")

    prefix = Prefix(root)
    assert cache not in (prefix.path, *prefix.path.parents)
    assert prefix.path.is_dir()
    prefix.close()

    assert not prefix.path.exists()


def test_what_was_compiled_of_collect_fix_directories_that_are_gone_is_removed(
    tmp_path: Path, cache: Path
) -> None:
    temporary = Path(tempfile.gettempdir())
    alive = Path(tempfile.mkdtemp(prefix="collect-fix-alive-"))
    try:
        gone = mirror(cache, temporary) / "collect-fix-gone-q7" / "m.cpython-311.pyc"
        live = mirror(cache, alive) / "m.cpython-311.pyc"
        other = mirror(cache, temporary) / "someone-elses" / "m.cpython-311.pyc"
        for compiled in (gone, live, other):
            compiled.parent.mkdir(parents=True)
            compiled.write_bytes(b"")

        Prefix(project(tmp_path, "def test_one():\n    pass\n")).close()

        assert not gone.exists() and live.exists() and other.exists()
    finally:
        alive.rmdir()


def test_a_relative_cache_home_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path would be read from each collection's working directory: the project."""
    monkeypatch.setenv("XDG_CACHE_HOME", "relative-cache")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = project(tmp_path, "def test_one():\n    pass\n")
    monkeypatch.chdir(root)

    prefix = Prefix(root)
    prefix.close()

    assert prefix.path == tmp_path / "home" / ".cache" / "collect-fix" / "bytecode"
    assert not (root / "relative-cache").exists()


def test_a_rewrite_in_the_second_it_was_compiled_is_seen_without_being_named(tmp_path: Path, cache: Path) -> None:
    """An undo, the replay of a dry run: written by the run but not passed as touched."""
    root, test_file, fresh = same_size_pair(tmp_path, "no_such_module_q8")
    second = int(test_file.stat().st_mtime) + 100  # the same whole second for both contents, below
    os.utime(test_file, (second, second))
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        assert collections.collect().tests == 1
        test_file.write_text(fresh, encoding="utf-8")
        os.utime(test_file, ns=(second * 10**9, second * 10**9 + 500_000_000))
        again = collections.collect()
    finally:
        collections.close()

    assert again.tests == 0
    assert missing_module(again) == "no_such_module_q8"


def test_a_new_prefix_is_not_walked_for_stale_files_before_the_first_collection(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting the prefix up removed what was compiled of the project, so the walk over the whole
    cache (every environment's packages) before the first collection could find nothing."""
    root = project(tmp_path, "def test_one():\n    pass\n")
    walks: list[Path] = []
    real_prepare = Prefix.prepare

    def counting_prepare(self: Prefix, edited: Iterable[Path]) -> None:
        walks.append(self.path)
        real_prepare(self, edited)

    monkeypatch.setattr(Prefix, "prepare", counting_prepare)
    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        assert collections.collect().tests == 1
        assert walks == []
        assert collections.collect().tests == 1
        assert walks == [cache]
    finally:
        collections.close()


def test_project_files_imported_by_a_symlinked_path_are_compiled_afresh_by_the_next_run(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, "from pkg.mod import foo\n\ndef test_one():\n    assert foo() == 1\n")
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    module = root / "src" / "pkg" / "mod.py"
    module.write_text("def foo():\n    return 1\n", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(root)
    monkeypatch.setenv("PYTHONPATH", str(link / "src"))
    stamp = module.stat()

    collections = RunCollector(root, sys.executable, timeout=60)
    try:
        assert collections.collect().tests == 1
        assert list(mirror_unresolved(cache, link / "src" / "pkg").glob("mod.*.pyc"))
    finally:
        collections.close()
    assert not mirror_unresolved(cache, link / "src" / "pkg").exists()

    module.write_text("def bar():\n    return 1\n", encoding="utf-8")  # same size, same mtime
    os.utime(module, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    (error,) = collect_once(root).errors
    assert error.exc_type == "ImportError" and "foo" in error.message


def mirror_unresolved(cache: Path, directory: Path) -> Path:
    return cache.joinpath(*directory.parts[1:])


def test_a_cache_inside_the_project_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / ".cache"))
    before = sorted(path.relative_to(root) for path in root.rglob("*"))

    assert collect_once(root).tests == 1
    assert sorted(path.relative_to(root) for path in root.rglob("*")) == before


def test_a_dry_run_does_not_use_a_cache_inside_the_project_it_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = project(tmp_path, "def test_one():\n    pass\n")
    copy = tmp_path / "copy"
    copy.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(original / ".cache"))

    prefix = Prefix(copy, original)
    try:
        assert original not in prefix.path.parents
    finally:
        prefix.close()

    assert not (original / ".cache").exists()


def test_a_module_with_a_dot_in_its_name_is_checked_against_its_own_source(tmp_path: Path, cache: Path) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    old, dotted = root / "tests" / "mod.py", root / "tests" / "mod.v2.py"
    for source in (old, dotted):
        source.write_text("x = 1\n", encoding="utf-8")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    prefix = Prefix(root)
    try:
        compiled = mirror(cache, root / "tests") / f"mod.v2.{sys.implementation.cache_tag}.pyc"
        compiled.parent.mkdir(parents=True)
        compiled.write_bytes(b"")
        os.utime(compiled, (1_500_000_000, 1_500_000_000))  # older than mod.v2.py, newer than mod.py

        prefix.prepare([])

        assert not compiled.exists()
    finally:
        prefix.close()


def test_a_cache_level_that_links_into_the_project_is_not_used(tmp_path: Path, cache: Path) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    (root / ".bytecode").mkdir()
    cache.parent.mkdir(parents=True, mode=0o700)
    cache.symlink_to(root / ".bytecode")

    prefix = Prefix(root)
    prefix.close()

    assert root not in prefix.path.parents and prefix.path != root / ".bytecode"


def test_a_cache_home_others_may_write_to_is_used_only_with_the_sticky_bit(tmp_path: Path, cache: Path) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    home = cache.parent.parent
    home.mkdir()
    for mode, shared in ((0o777, False), (0o1777, True)):
        home.chmod(mode)
        prefix = Prefix(root)
        prefix.close()
        assert (prefix.path == cache) is shared
        assert (home / "collect-fix").exists() is shared  # a refused home is not written to


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="gives a folder away: needs root")
def test_a_cache_home_that_belongs_to_someone_else_is_not_used(tmp_path: Path, cache: Path) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    home = cache.parent.parent
    home.mkdir()
    os.chown(home, 65534, 65534)

    prefix = Prefix(root)
    prefix.close()

    assert prefix.path != cache and not (home / "collect-fix").exists()


def test_a_project_file_linked_from_a_folder_elsewhere_is_compiled_afresh_by_the_next_run(
    tmp_path: Path, cache: Path
) -> None:
    root = project(
        tmp_path,
        "import pytest\nfrom helper import VALUE\n\n@pytest.mark.parametrize('i', range(VALUE))\ndef test_one(i):\n    pass\n",
    )
    helper = root / "pkg" / "helper.py"
    helper.parent.mkdir()
    helper.write_text("VALUE = 3\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "helper.py").symlink_to(helper)
    (root / "pytest.ini").write_text(f"[pytest]\npythonpath = {elsewhere}\n", encoding="utf-8")
    stamp = helper.stat()
    assert collect_once(root).tests == 3

    helper.write_text("VALUE = 5\n", encoding="utf-8")  # same size, same mtime
    os.utime(helper, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))

    assert collect_once(root).tests == 5
    assert not list(mirror(cache, elsewhere).glob("helper.*.pyc"))


def test_a_cache_home_reached_through_a_link_into_a_folder_others_may_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    shared = tmp_path / "shared"
    (shared / "inner").mkdir(parents=True)
    shared.chmod(0o777)
    (shared / "inner").chmod(0o700)
    (tmp_path / "link").symlink_to(shared / "inner")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "link" / "cache"))

    prefix = Prefix(root)
    prefix.close()

    assert tmp_path not in prefix.path.parents and not (shared / "inner" / "cache").exists()


def test_a_cache_home_reached_through_a_chain_of_links_is_checked_at_every_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """home/a -> shared/link2 -> safe: anyone may replace link2, in a folder others may write to."""
    root = project(tmp_path, "def test_one():\n    pass\n")
    for folder, mode in (("shared", 0o777), ("safe", 0o700), ("home", 0o700)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder).chmod(mode)
    (tmp_path / "shared" / "link2").symlink_to(tmp_path / "safe")
    (tmp_path / "home" / "a").symlink_to(tmp_path / "shared" / "link2")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / "a" / "cache"))

    prefix = Prefix(root)
    prefix.close()

    assert tmp_path not in prefix.path.parents and not (tmp_path / "safe" / "cache").exists()


@pytest.mark.skipif(not hasattr(os, "lchown") or os.geteuid() != 0, reason="gives a link away: needs root")
def test_a_cache_home_reached_through_someone_elses_link_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, "def test_one():\n    pass\n")
    (tmp_path / "safe").mkdir(mode=0o700)
    (tmp_path / "theirs").symlink_to(tmp_path / "safe")
    os.lchown(tmp_path / "theirs", 65534, 65534)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "theirs" / "cache"))

    prefix = Prefix(root)
    prefix.close()

    assert tmp_path not in prefix.path.parents and not (tmp_path / "safe" / "cache").exists()


@pytest.mark.parametrize("where", ["pkg", "."], ids=["below-the-link", "in-the-link"])
def test_a_link_into_the_project_made_during_a_run_is_checked_by_the_next_walk(
    tmp_path: Path, cache: Path, where: str
) -> None:
    """A folder elsewhere that becomes a link into the project while a run goes on (a conftest's,
    a user's ``ln -sfn``), at a path the cache already mirrors: what a collection then compiles
    through it is the project's. A real path remembered from an earlier walk hid it."""
    root = project(tmp_path, "def test_one():\n    pass\n")
    (root / "pkg").mkdir()
    module = root / where / "mod.py"
    module.write_text("x = 1\n", encoding="utf-8")
    elsewhere = tmp_path / "work" / "current"
    old_mirror = mirror_unresolved(cache, elsewhere / "old")
    prefix = Prefix(root)
    try:
        old_mirror.mkdir(parents=True)
        prefix.prepare([])  # walks the cache while work/current is no link
        elsewhere.parent.mkdir(parents=True)
        elsewhere.symlink_to(root)
        compiled = mirror_unresolved(cache, elsewhere / where) / f"mod.{sys.implementation.cache_tag}.pyc"
        compiled.parent.mkdir(parents=True, exist_ok=True)
        compiled.write_bytes(b"")
        os.utime(module, (1_500_000_000, 1_500_000_000))
        os.utime(compiled, ns=(1_500_000_000_500_000_000, 1_500_000_000_500_000_000))  # the same second: stale

        prefix.prepare([])

        assert not compiled.exists()
    finally:
        prefix.close()
