"""A guard for the whole run: no process a test started under its tmp folders outlives it.

The local model's workload managers are daemons, and the services they start run in
sessions of their own; a test that forgets to stop a model would leave them running after
pytest exits. At the end of the run every process whose command line or environment points
into pytest's base temporary folder is reported, killed, and the run fails.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

__all__ = ['processes_under', 'pytest_sessionfinish']


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # gone, or not ours to read
        return b''


def processes_under(folder: Path) -> dict[int, str]:
    """The live processes (pid: command line) whose command line or environment names a path
    inside *folder*; this process and its parents are left out."""
    marker = str(folder.resolve()).encode()
    skip = {os.getpid(), os.getppid()}
    found: dict[int, str] = {}
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        cmdline = _read(entry / 'cmdline')
        if not cmdline or b'State:\tZ' in _read(entry / 'status'):
            continue
        if marker in cmdline or marker in _read(entry / 'environ'):
            found[int(entry.name)] = cmdline.replace(b'\0', b' ').decode(errors='replace')
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a process started under the run's tmp folders is still alive."""
    factory = getattr(session.config, '_tmp_path_factory', None)
    if factory is None or not Path('/proc/self/cmdline').exists():
        return
    try:
        base = factory.getbasetemp()
    except (OSError, ValueError):
        return
    left = processes_under(base)
    if not left:
        return
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    lines = '\n'.join(f'  {pid}: {cmd[:200]}' for pid, cmd in sorted(left.items()))
    reporter = session.config.pluginmanager.get_plugin('terminalreporter')
    message = f'processes started by tests were still running at the end (now killed):\n{lines}'
    if reporter is not None:
        reporter.write_line('')
        reporter.write_line(message, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
