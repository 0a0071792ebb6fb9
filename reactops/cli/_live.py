"""The live line: which hook of which unit runs now, and for how long, on a terminal.

A long hook otherwise looks like a hung command. While a command runs hooks, a thread
reads the model's hook log through its own read-only connection every half second and
redraws one line on stderr (``\\r``, then erase to the end of the line). The hook log
records a hook when it starts and its time when it ends, so the hook without a time is
the one running. The line is erased before each finished hook's line is printed and when
the command's hooks are done. Nothing of this happens when stderr is not a terminal.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TextIO

__all__ = ['LiveLine']

#: How often the line is redrawn, in seconds.
PERIOD = 0.5
_ERASE = '\r\x1b[K'


class LiveLine:
    """Shows the running hook of the model whose state file is *db_path* on *stream*
    (default stderr) while the block runs; *force* draws even when *stream* is not a
    terminal."""

    def __init__(self, db_path: Path, stream: TextIO | None = None, *, force: bool = False,
                 period: float = PERIOD):
        self.db_path = db_path
        self.stream = stream if stream is not None else sys.stderr
        self.period = period
        self.enabled = force or _is_terminal(self.stream)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._first_id = 0

    def __enter__(self) -> LiveLine:
        if self.enabled:
            self._first_id = _last_hook_id(self.db_path)
            self._thread = threading.Thread(target=self._loop, name='reactops-live-line',
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        self.erase()

    def wrap(self, printer: Callable[[str], None]) -> Callable[[str], None]:
        """*printer*, erasing the live line before each line it prints."""
        if not self.enabled:
            return printer

        def print_line(line: str) -> None:
            with self._lock:
                self._erase_locked()
                printer(line)
        return print_line

    def erase(self) -> None:
        """Erase the line, if shown."""
        with self._lock:
            self._erase_locked()

    def _erase_locked(self) -> None:
        if self._shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self._shown = False

    def _draw(self, text: str) -> None:
        # Cut to the terminal's width: a wrapped line could not be erased in place.
        text = text[:max(shutil.get_terminal_size().columns - 1, 20)]
        with self._lock:
            self.stream.write(_ERASE + text)
            self.stream.flush()
            self._shown = True

    def _loop(self) -> None:
        """Redraw every period until stopped: the hook started since the block began that
        has not ended yet, and how long it has been seen running."""
        db: sqlite3.Connection | None = None
        seen: tuple[int, float] | None = None  # (hook id, when first seen)
        try:
            while not self._stop.wait(self.period if db is not None else 0.05):
                if db is None:
                    db = _open(self.db_path)
                    if db is None:
                        continue
                try:
                    row = db.execute('SELECT id, unit, hook FROM hooks WHERE id > ? AND '
                                     'seconds IS NULL ORDER BY id DESC LIMIT 1',
                                     (self._first_id,)).fetchone()
                except sqlite3.Error:
                    continue  # the model is being made or removed: try again next time
                if row is None:
                    seen = None
                    self.erase()
                    continue
                ident, unit, hook = row
                if seen is None or seen[0] != ident:
                    seen = (ident, time.monotonic())
                self._draw(f'{unit}: {hook} running for {time.monotonic() - seen[1]:.1f}s')
        finally:
            if db is not None:
                db.close()


def _open(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the model's state file, or None while there is none."""
    if not path.exists():
        return None
    try:
        return sqlite3.connect(f'{path.resolve().as_uri()}?mode=ro', uri=True, timeout=1,
                               check_same_thread=False)
    except sqlite3.Error:
        return None


def _last_hook_id(path: Path) -> int:
    """The newest hook in the log now (0 when none): the live line shows only later ones,
    so that a hook a crashed command left without an end is never shown as running."""
    db = _open(path)
    if db is None:
        return 0
    try:
        return int(db.execute('SELECT COALESCE(MAX(id), 0) FROM hooks').fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        db.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
