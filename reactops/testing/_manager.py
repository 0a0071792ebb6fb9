"""``with ctx(event, state) as mgr``: a run paused once the charm exists.

The run goes on in a worker thread and waits just before the event is emitted, so the
test can reach ``mgr.charm`` first; ``mgr.run()`` (or leaving the block) lets it finish
and returns the output state. The charm is the live one; the test's thread and the run
never execute at the same time.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .errors import AlreadyEmittedError

if TYPE_CHECKING:
    from ..charm import CharmBase
    from ..jujucontext import JujuContext
    from ._context import Context
    from ._events import _Event
    from ._state import State

__all__ = ['Manager']


class Manager:
    """The charm of a run, reachable before and after the event (``ops.testing.Manager``)."""

    def __init__(self, ctx: Context, arg: _Event, state_in: State):
        ctx._check_event(arg)
        self._ctx = ctx
        self._arg = arg
        self._state_in = state_in
        self._emitted = False
        self._charm: CharmBase | None = None
        self._ready = threading.Event()
        self._go = threading.Event()
        self._thread: threading.Thread | None = None
        self._output: State | None = None
        self._error: BaseException | None = None
        self.ops: Any = None
        self._juju_context: JujuContext | None = None  # the run's, once it started

    # Called from the run's thread, just before the event is emitted.
    def charm_ready(self, charm: CharmBase) -> None:
        self._charm = charm
        self.ops = self
        self._ready.set()
        self._go.wait()

    def _work(self) -> None:
        try:
            self._output = self._ctx._run(self._arg, self._state_in, self)
        except BaseException as error:  # handed to the test's thread
            self._error = error
        finally:
            self._ready.set()

    @property
    def charm(self) -> Any:
        """The charm built for the run (only while the block runs)."""
        if self._charm is None:
            raise RuntimeError('you should __enter__ this context manager before accessing '
                               'this')
        return self._charm

    def __enter__(self) -> Manager:
        self._thread = threading.Thread(target=self._work, name='reactops-testing-run',
                                        daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._charm is None:
            self._finish()
        return self

    def _finish(self) -> State:
        self._go.set()
        assert self._thread is not None
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        assert self._output is not None
        return self._output

    def run(self) -> State:
        """Emit the event and finish the run; return the output state (once only)."""
        if self._emitted:
            raise AlreadyEmittedError('Can only run once.')
        if self._thread is None:
            raise RuntimeError('you should __enter__ this context manager before running it')
        self._emitted = True
        return self._finish()

    def __exit__(self, *exc_info: object) -> None:
        # The event runs on leaving the block if the test did not run it (even when the
        # block raised, as in ops.testing: the run's own error then wins).
        if not self._emitted:
            self.run()

