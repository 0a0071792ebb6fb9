"""One thread that runs callbacks after delays: the workload manager's timers.

Pebble arms many short timers (okay delay, kill delay, backoff, backoff reset). One thread
with a queue ordered by due time does the same without a thread per timer, and stops (with
every timer cancelled) when the workload manager shuts down.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable

__all__ = ['Scheduler', 'Timer']

logger = logging.getLogger(__name__)


class Timer:
    """A callback due at a time; :meth:`cancel` before then and it never runs."""

    __slots__ = ('callback', 'cancelled', 'due')

    def __init__(self, due: float, callback: Callable[[], None]):
        self.due = due
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        """Never run the callback (if it has not started already)."""
        self.cancelled = True


class Scheduler:
    """Runs each timer's callback on the scheduler's one thread when due, in due order
    (callbacks must be quick: they only take a lock and send a signal or start a process)."""

    def __init__(self, name: str = 'workload-timers'):
        self._cond = threading.Condition()
        self._queue: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def after(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run *callback* in *delay* seconds (from the scheduler's thread)."""
        timer = Timer(time.monotonic() + max(delay, 0.0), callback)
        with self._cond:
            if self._stopped:
                timer.cancelled = True
                return timer
            heapq.heappush(self._queue, (timer.due, next(self._order), timer))
            self._cond.notify()
        return timer

    def stop(self) -> None:
        """Cancel every pending timer and end the thread (waits for a running callback)."""
        with self._cond:
            self._stopped = True
            for _, _, timer in self._queue:
                timer.cancelled = True
            self._queue.clear()
            self._cond.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _next(self) -> Timer | None:
        with self._cond:
            while not self._stopped:
                if not self._queue:
                    self._cond.wait()
                    continue
                due, _, timer = self._queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._queue)
                if not timer.cancelled:
                    return timer
            return None

    def _run(self) -> None:
        while (timer := self._next()) is not None:
            try:
                timer.callback()
            except Exception:  # a timer's failure must not stop the others
                logger.exception('workload timer callback failed')
