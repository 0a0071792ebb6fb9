"""Service output kept in memory: the last lines of each service, with their times.

A service's stdout and stderr go to one pipe, as in Pebble; a reader thread splits it into
lines and appends them here. ``GET /v1/logs`` reads the recent lines; ``follow`` then waits
for new ones. Only the most recent lines of each service are kept.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Iterator
from typing import IO, Any

from ._timefmt import now_ns, rfc3339_nano

__all__ = ['DEFAULT_LOG_LINES', 'LogStore']

DEFAULT_LOG_LINES = 30
MAX_LINES = 1000
_MAX_LINE_BYTES = 64 * 1024


class LogStore:
    """The kept lines of every service, oldest first, each ``(seq, ns, service, text)``."""

    def __init__(self, max_lines: int = MAX_LINES) -> None:
        self._cond = threading.Condition()
        self._lines: dict[str, collections.deque[tuple[int, int, str, str]]] = {}
        self._max = max_lines
        self._seq = 0
        self._closed = False

    def append(self, service: str, text: str) -> None:
        """Keep one line (with its newline, if it had one) of *service*'s output."""
        with self._cond:
            self._seq += 1
            lines = self._lines.setdefault(service, collections.deque(maxlen=self._max))
            lines.append((self._seq, now_ns(), service, text))
            self._cond.notify_all()

    def read_pipe(self, service: str, pipe: IO[bytes]) -> None:
        """Append each line read from *pipe* until it closes (run on a reader thread)."""
        with pipe:
            while chunk := pipe.readline(_MAX_LINE_BYTES):
                self.append(service, chunk.decode('utf-8', 'replace'))

    def last_lines(self, service: str, n: int) -> list[str]:
        """The texts of *service*'s last *n* lines (for a failed start's task log)."""
        with self._cond:
            lines = list(self._lines.get(service, ()))
        return [text for _, _, _, text in lines[-n:]]

    def _selected(self, services: list[str]) -> list[tuple[int, int, str, str]]:
        chosen = [line for name, lines in self._lines.items()
                  if not services or name in services for line in lines]
        return sorted(chosen)

    @staticmethod
    def _entry(line: tuple[int, int, str, str]) -> dict[str, Any]:
        _, ns, service, text = line
        return {'time': rfc3339_nano(ns, utc=True), 'service': service, 'message': text}

    def logs(self, services: list[str], n: int | None) -> list[dict[str, Any]]:
        """The last *n* lines of *services* together (all services when empty), oldest first.

        *n* None means Pebble's default of 30; a negative *n* means every kept line.
        """
        count = DEFAULT_LOG_LINES if n is None else n
        with self._cond:
            lines = self._selected(services)
        if count >= 0:
            lines = lines[-count:] if count else []
        return [self._entry(line) for line in lines]

    def follow(self, services: list[str], stop: threading.Event,
               after_seq: int | None = None) -> Iterator[dict[str, Any]]:
        """New lines of *services* as they come, until *stop* is set or the store closes."""
        with self._cond:
            seq = self._seq if after_seq is None else after_seq
        while not stop.is_set():
            with self._cond:
                fresh = [line for line in self._selected(services) if line[0] > seq]
                if not fresh:
                    if self._closed:
                        return
                    self._cond.wait(0.25)  # wake now and then to notice *stop*
                    continue
            for line in fresh:
                seq = line[0]
                yield self._entry(line)

    def close(self) -> None:
        """End every follower (the manager is shutting down)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
