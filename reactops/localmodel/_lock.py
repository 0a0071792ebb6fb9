"""The local model's lock: one command at a time changes a model or runs its hooks.

Two commands settling one model at once would both take the same queued hook and run it
twice. Each command that changes or runs the model holds an exclusive ``flock`` on the
file ``lock`` in the model directory (the kernel lets go of it when the process ends,
however it ends). A second command waits, saying which command holds the model, and gives
up after a bound, naming it again.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from ._state import LocalModelError

__all__ = ['LOCK_NAME', 'acquire', 'release']

#: The lock file's name in the model directory (kept when ``reactops run`` starts afresh).
LOCK_NAME = 'lock'
_POLL = 0.1


def acquire(model_dir: Path, holder: str, timeout: float,
            notice: Callable[[str], None]) -> int:
    """Lock the model in *model_dir* for *holder* (what to call this command in another
    command's message) and return the lock's file descriptor.

    When another command holds it, *notice* hears so once, and the wait ends with a
    :class:`LocalModelError` after *timeout* seconds.
    """
    path = model_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        raise LocalModelError(f'cannot lock the local model in {model_dir}: cannot open '
                              f'{path}: {e.strerror}') from None
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            other = _holder(fd)
            if time.monotonic() >= deadline:
                os.close(fd)
                raise LocalModelError(
                    f'the local model in {model_dir} is busy: {other} is using it, and this '
                    f'command waited {timeout:g} s for it; let it finish (or stop it), or '
                    f'wait longer with $REACTOPS_LOCK_TIMEOUT=SECONDS') from None
            if not told:
                notice(f'waiting for the local model in {model_dir}: {other} is using it')
                told = True
            time.sleep(_POLL)
    stamp = time.strftime('%H:%M:%S')
    text = f'{holder} (pid {os.getpid()}, since {stamp})'.encode(errors='replace')
    os.ftruncate(fd, 0)
    os.pwrite(fd, text[:500], 0)
    return fd


def release(fd: int) -> None:
    """Let the next command have the model."""
    try:
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _holder(fd: int) -> str:
    """Who holds the lock, as it wrote itself into the file."""
    text = os.pread(fd, 500, 0).decode(errors='replace').strip()
    return text or 'another command'
