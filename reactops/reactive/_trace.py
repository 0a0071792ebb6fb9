"""What a dispatch did, in order: handlers run, flags set and cleared.

The :class:`DispatchRecorder` is told of every step by the dispatcher and the runtime. It
logs handler runs and flag changes at DEBUG (at INFO each line would be one ``juju-log``
process per handler in every hook, charms.reactive's biggest per-hook cost; the stored
trace and ``explain`` tell the same story for free), keeps the trace that ``explain``
reads (saved in the state store at the end of the dispatch), records which handler
changed which flag (the graph's run-time edges), and forwards every step to the blinker
signals of :mod:`reactops.reactive.signals` once anyone has imported that module. So a
hook whose charm subscribes to nothing never imports blinker.
"""

from __future__ import annotations

import json
import sys

from .._lazylog import get_logger
from .._typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .registry import Handler

__all__ = ['TRACE_KEY', 'DispatchRecorder']

logger = get_logger('reactops.reactive')

#: Where the last dispatch's trace is kept in the state store's key-value table.
TRACE_KEY = 'reactops.trace.last'
_SIGNALS_MODULE = 'reactops.reactive.signals'


def _send(name: str, sender: Any, **data: Any) -> None:
    signals = sys.modules.get(_SIGNALS_MODULE)
    if signals is not None:
        getattr(signals, name).send(sender, **data)


class DispatchRecorder:
    """Collects the steps of one dispatch."""

    def __init__(self, hook_name: str):
        self.hook_name = hook_name
        self.steps: list[dict[str, Any]] = []
        self.handlers_run: list[str] = []
        self.written_by: dict[str, set[str]] = {}  # handler id -> flags it changed
        self.cleared_by: dict[str, set[str]] = {}  # handler id -> flags it cleared
        self.iteration: int | str = 'hooks'
        self.current: Handler | None = None

    def dispatch_started(self, flags: list[str]) -> None:
        """The dispatch begins with these flags set."""
        logger.debug('Reactive dispatch for %s starts with %d flags set.', self.hook_name,
                     len(flags))
        _send('dispatch_started', self, hook=self.hook_name, flags=flags)

    def dispatch_finished(self, ok: bool) -> None:
        """The dispatch ended (``ok`` False when a handler raised)."""
        _send('dispatch_finished', self, hook=self.hook_name, ok=ok,
              handlers=list(self.handlers_run))

    def handler_started(self, handler: Handler) -> None:
        """A handler is about to run."""
        self.current = handler
        self.handlers_run.append(handler.id)
        self.steps.append({'run': handler.id, 'iteration': self.iteration})
        logger.debug('Invoking reactive handler: %s', handler.id)
        _send('handler_started', handler, iteration=self.iteration)

    def handler_finished(self, handler: Handler) -> None:
        """A handler returned."""
        self.current = None
        _send('handler_finished', handler, iteration=self.iteration)

    def handler_failed(self, handler: Handler, error: BaseException) -> None:
        """A handler raised *error*."""
        self.current = None
        self.steps.append({'failed': handler.id, 'error': f'{type(error).__name__}: {error}'})
        logger.error('Reactive handler %s raised %s: %s', handler.id, type(error).__name__,
                     error)
        _send('handler_failed', handler, error=error, iteration=self.iteration)

    def flag_changed(self, flag: str, is_set: bool, value: Any) -> None:
        """A flag was set (or cleared) where it was not before."""
        step: dict[str, Any] = {'set' if is_set else 'clear': flag}
        if self.current is not None:
            step['by'] = self.current.id
            self.written_by.setdefault(self.current.id, set()).add(flag)
            if not is_set:
                self.cleared_by.setdefault(self.current.id, set()).add(flag)
        self.steps.append(step)
        logger.debug('%s flag %s', 'Set' if is_set else 'Cleared', flag)
        _send('flag_set' if is_set else 'flag_cleared', flag, value=value,
              handler=self.current.id if self.current else None)

    def to_json(self) -> dict[str, Any]:
        """The trace as stored for ``explain``."""
        return {'hook': self.hook_name, 'steps': self.steps,
                'written_by': {k: sorted(v) for k, v in self.written_by.items()}}

    def to_text(self) -> str:
        """:meth:`to_json` as JSON text for the state store. The trace holds only names,
        numbers and plain containers, so it skips the store's general encoder, which
        would check a round trip of what is two steps per handler run."""
        return json.dumps(self.to_json(), separators=(',', ':'))
