"""The workload managers' processes: start one per container, tell whether it runs, stop it.

A manager is ``python -m reactops.localmodel._workload --root ROOT --socket SOCKET``: a
daemon in a session of its own that writes ``ROOT/manager.pid`` once its socket listens,
logs to ``ROOT/manager.log``, and shuts down on SIGTERM (or when ROOT disappears). It is
started with :func:`os.posix_spawn` rather than :mod:`subprocess`, so no ``Popen`` object
outlives the command that started it (the daemon does: it runs until the model stops).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._state import LocalModelError

__all__ = ['Manager', 'find_roots', 'make_private', 'private_base', 'remove_private_base',
           'running_pid', 'sockets_dir', 'start', 'stop', 'sweep']

MODULE = 'reactops.localmodel._workload'
PID_FILE = 'manager.pid'
LOG_FILE = 'manager.log'
SOCKET_NAME = 'pebble.socket'
#: The longest Unix socket path: ``sun_path`` holds 108 bytes, the last one a NUL.
SOCKET_PATH_MAX = 107
#: How long a manager may take to listen, and to exit after SIGTERM, in seconds.
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
_PROC = Path('/proc')


@dataclass(frozen=True)
class Manager:
    """The workload manager of one container: its folder (``fs/`` inside is the
    container's filesystem; its pid file and log are there too) and its socket."""

    root: Path
    socket: Path
    label: str
    """Which container of which unit, for messages: ``container 'web' of web/0``."""

    @property
    def log(self) -> Path:
        return self.root / LOG_FILE


def sockets_dir(unit_dir: Path, model_dir: Path, names: Iterable[str]) -> Path:
    """The folder of a unit's sockets (``<it>/<name>/pebble.socket`` for each container).

    The unit's own ``containers`` folder when every socket path fits in a Unix socket
    address, else a folder named after the unit under this model's private folder in the
    temporary directory (see :func:`private_base`).
    """
    own = unit_dir.resolve() / 'containers'
    if all(_fits(own, name) for name in names):
        return own
    private = private_base(model_dir) / unit_dir.name
    too_long = [name for name in names if not _fits(private, name)]
    if too_long:
        raise LocalModelError(
            f'the socket of container {too_long[0]!r} would be longer than Unix allows '
            f'({SOCKET_PATH_MAX} bytes) both in the model folder and in {private}; use a '
            f'shorter --model-dir or a shorter $TMPDIR')
    return private


def _fits(folder: Path, name: str) -> bool:
    return len(os.fsencode(folder / name / SOCKET_NAME)) <= SOCKET_PATH_MAX


def private_base(model_dir: Path) -> Path:
    """This model's folder for sockets in the temporary directory: named from a hash of
    the model's path, so each model has its own and finds it again."""
    digest = hashlib.sha256(os.fsencode(model_dir.resolve())).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f'reactops-{os.getuid()}-{digest}'


def make_private(folder: Path) -> None:
    """Make *folder* (0700), or check that the one there is a private folder of ours:
    another user could otherwise put a socket where a unit's hooks will connect."""
    try:
        folder.mkdir(mode=0o700)
        return
    except FileExistsError:
        pass
    info = folder.lstat()
    import stat

    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise LocalModelError(f'{folder} is not a private folder of yours (0700, not a '
                              f'link); remove it so the model can make its own')


def remove_private_base(model_dir: Path) -> None:
    """Remove this model's folder of sockets in the temporary directory, if there is one."""
    import shutil

    base = private_base(model_dir)
    if base.is_dir() and not base.is_symlink() and base.lstat().st_uid == os.getuid():
        shutil.rmtree(base, ignore_errors=True)


def find_roots(model_dir: Path) -> list[Path]:
    """The folders of every manager the model ever started (running or not): each
    has its log."""
    return sorted(path.parent for path in model_dir.glob(f'units/*/containers/*/{LOG_FILE}'))


# --- is it running? -----------------------------------------------------------------------

def running_pid(root: Path) -> int | None:
    """The pid of the manager serving *root*, or None when none does (no pid file, or its
    process is gone, a zombie, or, where ``/proc`` tells, another program)."""
    try:
        pid = int((root / PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_manager(pid, root) else None


def _is_manager(pid: int, root: Path) -> bool:
    _reap(pid)
    if not _alive(pid):
        return False
    if not _PROC.is_dir():
        return True
    try:
        argv = (_PROC / str(pid) / 'cmdline').read_bytes().split(b'\0')
    except OSError:
        return False
    return MODULE.encode() in argv and os.fsencode(root) in argv


def _reap(pid: int) -> int | None:
    """Collect *pid*'s exit status when it is a child of ours that ended (None if not)."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status) if done else None


def _alive(pid: int) -> bool:
    """Whether *pid* runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not _PROC.is_dir():
        return True
    try:
        stat = (_PROC / str(pid) / 'stat').read_text()
    except OSError:
        return False  # gone meanwhile
    return stat.rpartition(')')[2].split()[:1] != ['Z']


# --- starting -----------------------------------------------------------------------------

def start(managers: Sequence[Manager], env: dict[str, str],
          timeout: float = START_TIMEOUT) -> None:
    """Start every manager in *managers* (all at once), and wait until each listens.

    A manager that exits or does not listen within *timeout* seconds is an error naming
    its log (one that is still starting then is killed, with all it started).
    """
    sweep(manager.root for manager in managers)  # what a crashed manager left running
    spawned = [(manager, _spawn(manager, env)) for manager in managers]
    deadline = time.monotonic() + timeout
    failures = []
    for manager, pid in spawned:
        failure = _wait_up(manager, pid, deadline, timeout)
        if failure:
            failures.append(failure)
    if failures:
        raise LocalModelError('; '.join(failures))


def _spawn(manager: Manager, env: dict[str, str]) -> int:
    manager.root.mkdir(parents=True, exist_ok=True)
    if manager.socket.parent != manager.root:
        # <private base>/<unit>/<container>/pebble.socket: the base is checked first.
        make_private(manager.socket.parents[2])
        for folder in (manager.socket.parents[1], manager.socket.parent):
            folder.mkdir(mode=0o700, exist_ok=True)
    argv = [sys.executable, '-m', MODULE, '--root', str(manager.root), '--socket',
            str(manager.socket), '--name', manager.root.name]
    # What it prints before its own log is set up (an import error) goes to the log too.
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, str(manager.log),
                os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    try:
        return os.posix_spawn(sys.executable, argv, env, file_actions=actions)
    except OSError as e:
        raise LocalModelError(f'cannot start the workload manager of {manager.label}: '
                              f'{e.strerror or e}') from None


def _wait_up(manager: Manager, pid: int, deadline: float, timeout: float) -> str:
    """Wait for *manager* (process *pid*) to listen; '' once it does, else why not."""
    while True:
        code = _reap(pid)
        if code is not None:
            return (f'the workload manager of {manager.label} exited (status {code}) '
                    f'before it listened{_log_tail(manager.log)}')
        if manager.socket.exists() and _pid_file_says(manager.root, pid):
            return ''
        if time.monotonic() > deadline:
            _kill_session(pid)
            _wait_gone([pid], time.monotonic() + STOP_TIMEOUT)
            return (f'the workload manager of {manager.label} did not listen on '
                    f'{manager.socket} within {timeout:g} s (now killed)'
                    f'{_log_tail(manager.log)}')
        time.sleep(0.02)


def _pid_file_says(root: Path, pid: int) -> bool:
    try:
        return (root / PID_FILE).read_text().strip() == str(pid)
    except OSError:
        return False


def _log_tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors='replace').splitlines() if line.strip()]
    except OSError:
        lines = []
    last = f': {lines[-1].strip()[:300]}' if lines else ''
    return f'; see its log {log}{last}'


# --- stopping -----------------------------------------------------------------------------

def stop(roots: Iterable[Path], timeout: float = STOP_TIMEOUT) -> list[int]:
    """Stop the managers of *roots* that run; return their pids, once all are gone.

    Each gets SIGTERM (it stops its services and exits); one still running after
    *timeout* seconds is killed (SIGKILL), with every process of its session. Then
    whatever its container still runs is killed (see :func:`sweep`).
    """
    roots = list(roots)
    pids = [pid for pid in (running_pid(root) for root in roots) if pid is not None]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    left = _wait_gone(pids, time.monotonic() + timeout)
    for pid in left:
        _kill_session(pid)
    _wait_gone(left, time.monotonic() + timeout)
    sweep(roots)
    return pids


def sweep(roots: Iterable[Path]) -> list[int]:
    """Kill (SIGKILL) every process still running in the containers of *roots*: those
    whose environment says ``PEBBLE_CONTAINER_ROOT=<root>/fs``, as a manager gives each
    service and command. A manager that crashed, or was killed, leaves them behind.
    Returns their pids, once gone. Only where ``/proc`` lists processes."""
    if not _PROC.is_dir():
        return []
    markers = {b'PEBBLE_CONTAINER_ROOT=' + os.fsencode(root / 'fs') for root in roots}
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / 'environ').read_bytes().split(b'\0')
        except OSError:
            continue
        if markers.intersection(environ):
            found.append(int(entry.name))
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
    _wait_gone(found, time.monotonic() + STOP_TIMEOUT)
    return found


def _wait_gone(pids: list[int], deadline: float) -> list[int]:
    """Wait until no process of *pids* runs, or the deadline; return those still running."""
    left = list(pids)
    while left:
        for pid in left:
            _reap(pid)
        left = [pid for pid in left if _alive(pid)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return left


def _kill_session(sid: int) -> None:
    """SIGKILL every process of session *sid* (its leader's process group where no
    ``/proc`` lists sessions), and reap the leader when it is our child."""
    members = _session_members(sid) if _PROC.is_dir() else []
    with contextlib.suppress(OSError):
        os.killpg(sid, signal.SIGKILL)
    for pid in members:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _reap(sid)


def _session_members(sid: int) -> list[int]:
    found = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / 'stat').read_text().rpartition(')')[2].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, session.
        if len(fields) > 3 and fields[3] == str(sid) and fields[0] != 'Z':
            found.append(int(entry.name))
    return found
