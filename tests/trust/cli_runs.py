"""What the fault-injection tests share: the real CLI as a process in an environment of its own,
small projects written byte for byte, and what a run may leave behind (files, processes, temp).

Each run gets its own temporary directory (scratch copies, probe files) and its own cache (the
dry run's replay record), so runs of different tests never meet; runs meant to meet (two runs on
one project) are given the same environment.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, TypeVar, Union

import pytest

_T = TypeVar("_T")


def environment(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment with a temporary directory and a cache under ``home``."""
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    (home / "cache").mkdir(parents=True, exist_ok=True)
    return dict(os.environ, TMPDIR=str(home / "tmp"), XDG_CACHE_HOME=str(home / "cache"), NO_COLOR="1",
                PYTHONDONTWRITEBYTECODE="1", **extra)


def cli(*args: str, env: Mapping[str, str], cwd: Optional[Path] = None, timeout: float = 90,
        user: tuple[str, ...] = (), python: str = sys.executable) -> "subprocess.CompletedProcess[bytes]":
    """``python -m collect_fix ARGS`` (as ``user``, a command prefix), output as bytes. A run that
    outlasts ``timeout`` is killed with everything it started and ends with return code None."""
    command = [*user, python, "-m", "collect_fix", *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=dict(env), cwd=cwd, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        return subprocess.CompletedProcess(command, None, stdout, stderr + f"\n(killed after {timeout}s)".encode())


def write_tree(root: Path, files: Mapping[str, Union[str, bytes]]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def tree(root: Path) -> dict[str, bytes]:
    """Every regular file under ``root`` (links not followed) -> its bytes; links -> their target."""
    found: dict[str, bytes] = {}
    for directory, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(directory, name)
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[relative] = b"-> " + os.fsencode(os.readlink(path))
            elif name in filenames and path.is_file():
                try:
                    found[relative] = path.read_bytes()
                except PermissionError:
                    found[relative] = b"(unreadable)"
    return found


def temp_files_in(root: Path) -> list[str]:
    """collect-fix's own temporary files (``.name.XXXX.collect-fix``) left in the project."""
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*.collect-fix"))


def scratch_left(home: Path) -> list[str]:
    """What runs left in their temporary directory, but the lock file (kept on purpose, unlocked)."""
    return sorted(path.name for path in (home / "tmp").iterdir() if not path.name.endswith(".lock"))


def processes_in(root: Path) -> list[int]:
    """Processes whose working directory is in ``root`` (Linux /proc): what a run left running."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if cwd == str(root) or cwd.startswith(str(root) + os.sep):
                found.append(int(entry.name))
    return found


def kill(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


needs_proc = pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs /proc to find left-over processes")


def plain_collection(root: Path, home: Path, timeout: float = 60) -> Optional[int]:
    """Exit code of plain ``pytest --collect-only`` in ``root`` as a user runs it (output to files,
    which a process the suite leaves running cannot hold open); None when it does not end."""
    with open(home / "plain.out", "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
            cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"), start_new_session=True,
        )
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return None


def computed_once(factory: pytest.TempPathFactory, name: str, compute: Callable[[Path], _T]) -> _T:
    """``compute(folder)`` once per test session: under pytest-xdist a module's tests are spread
    over workers, and each would repeat a module fixture's runs. The first worker computes and
    pickles the result in the session's shared temporary folder; the others wait and read it (so
    tests read what the result holds, not files another worker may remove)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return compute(factory.mktemp(name))
    import fcntl
    import pickle

    shared = factory.getbasetemp().parent / f"trust-{name}"
    shared.mkdir(exist_ok=True)
    with open(shared / "lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stored, failed = shared / "result.pickle", shared / "failed.txt"
        if failed.exists():
            raise RuntimeError(f"another worker's {name} failed: {failed.read_text()}")
        if stored.exists():
            found: _T = pickle.loads(stored.read_bytes())
            return found
        (shared / "work").mkdir()
        try:
            result = compute(shared / "work")
        except BaseException as exc:
            failed.write_text(repr(exc))
            raise
        stored.write_bytes(pickle.dumps(result))
        return result


def in_parallel(calls: list[Callable[[], _T]], workers: int = 3) -> list[_T]:
    """Run the calls on a few threads (each waits on a subprocess); results in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


# --- as a user who cannot write everything (root can) ------------------------------------------

NOBODY = 65534


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to root); removed after."""
    folder = Path(tempfile.mkdtemp(prefix="collect-fix-trust-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def unprivileged(folder: Path) -> Union[tuple[tuple[str, ...], str], str]:
    """(command prefix, interpreter) that run collect-fix as an ordinary user, or why there is none;
    ``folder`` must be reachable by that user. Not root: no prefix, this interpreter. Root:
    ``setpriv`` to nobody, and an interpreter nobody may run (a virtualenv in ``folder`` of the
    system's Python of this version, borrowing this one's packages, when this one lives where
    nobody can reach)."""
    if os.geteuid() != 0:
        return (), sys.executable
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return "running as root without setpriv: cannot test permissions"
    prefix = (setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups")
    check = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import collect_fix, pytest'], check=True)"
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for python in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin:/bin")):
        if python is None:
            continue
        if python != sys.executable:
            python = _borrowing_venv(python, folder / "venv")
        if subprocess.run([*prefix, python, "-c", check], capture_output=True, timeout=60).returncode == 0:
            return prefix, python
    return f"no {version} here that an unprivileged user can run with collect-fix's packages"


def _borrowing_venv(base: str, venv: Path) -> str:
    """A virtualenv of ``base`` that imports this interpreter's site-packages (collect-fix, pytest)."""
    import site
    import sysconfig

    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    lines = "".join(f"import site; site.addsitedir({path!r})\n" for path in dict.fromkeys(ours))
    Path(purelib, "borrowed_site.pth").write_text(lines, encoding="utf-8")
    for path in [venv, *venv.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o555 if path.is_dir() else path.stat().st_mode | 0o444)
    return str(venv / "bin" / "python")
