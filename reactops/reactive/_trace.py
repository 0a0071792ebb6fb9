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

from .._private.lazylog import get_logger
from .._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .registry import Handler

__all__ = ['TRACE_KEY', 'DispatchRecorder', 'load_trace']

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
        # Compact steps, [kind, subject, detail]: cheap to record and to store.
        self._steps: list[list[Any]] = []
        self.handlers_run: list[str] = []
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
        self._steps.append(['run', handler.id, self.iteration])
        logger.debug('Invoking reactive handler: %s', handler.id)
        _send('handler_started', handler, iteration=self.iteration)

    def handler_finished(self, handler: Handler) -> None:
        """A handler returned."""
        self.current = None
        _send('handler_finished', handler, iteration=self.iteration)

    def handler_failed(self, handler: Handler, error: BaseException) -> None:
        """A handler raised *error*."""
        self.current = None
        self._steps.append(['failed', handler.id, f'{type(error).__name__}: {error}'])
        logger.error('Reactive handler %s raised %s: %s', handler.id, type(error).__name__,
                     error)
        _send('handler_failed', handler, error=error, iteration=self.iteration)

    def flag_changed(self, flag: str, is_set: bool, value: Any) -> None:
        """A flag was set (or cleared) where it was not before."""
        by = self.current.id if self.current is not None else None
        self._steps.append(['set' if is_set else 'clear', flag, by])
        logger.debug('%s flag %s', 'Set' if is_set else 'Cleared', flag)
        _send('flag_set' if is_set else 'flag_cleared', flag, value=value,
              handler=self.current.id if self.current else None)

    def since_iteration(self, first: int) -> tuple[list[str], set[str]]:
        """The handlers run, and the flags changed, in main-loop iterations *first* on."""
        ran: list[str] = []
        changed: set[str] = set()
        inside = False
        for kind, subject, detail in self._steps:
            if kind == 'run':
                inside = isinstance(detail, int) and detail >= first
                if inside:
                    ran.append(subject)
            elif inside and kind in ('set', 'clear'):
                changed.add(subject)
        return ran, changed

    @property
    def written_by(self) -> dict[str, set[str]]:
        """Handler id -> the flags it set or cleared (worked out from the steps when asked:
        only ``explain`` and a loop error need it)."""
        return _changed_by(self._steps, ('set', 'clear'))

    @property
    def cleared_by(self) -> dict[str, set[str]]:
        """Handler id -> the flags it cleared."""
        return _changed_by(self._steps, ('clear',))

    @property
    def steps(self) -> list[dict[str, Any]]:
        """The steps so far: ``{'run': id, 'iteration': n}``, ``{'failed': id, 'error':
        text}``, ``{'set': flag, 'by': id}`` or ``{'clear': flag}`` (no ``by`` when the
        change came from outside a handler)."""
        return [_step_dict(step) for step in self._steps]

    def to_json(self) -> dict[str, Any]:
        """The trace as :func:`load_trace` gives it back for ``explain``."""
        return {'hook': self.hook_name, 'steps': self.steps,
                'written_by': {k: sorted(v) for k, v in self.written_by.items()}}

    def to_text(self) -> str:
        """The trace as JSON text for the state store, in its compact form (steps as
        ``[kind, subject, detail]`` lists, about three times cheaper to encode than
        :meth:`to_json`'s objects). It skips the store's general encoder, which would
        check a round trip of what holds only names, numbers and lists."""
        stored = {'hook': self.hook_name, 'format': _FORMAT, 'steps': self._steps}
        return json.dumps(stored, separators=(',', ':'), check_circular=False)


_FORMAT = 2  # compact steps; a stored trace without 'format' has to_json's shape


def _step_dict(step: list[Any]) -> dict[str, Any]:
    kind, subject, detail = step
    if kind == 'run':
        return {'run': subject, 'iteration': detail}
    if kind == 'failed':
        return {'failed': subject, 'error': detail}
    return {kind: subject} if detail is None else {kind: subject, 'by': detail}


def load_trace(stored: object) -> dict[str, Any] | None:
    """A trace read from the state store, in :meth:`DispatchRecorder.to_json`'s shape
    (``None`` if *stored* is not a trace). Steps this version cannot read are skipped."""
    if not isinstance(stored, dict):
        return None
    if stored.get('format') != _FORMAT:
        return stored  # kept by an earlier reactops in to_json's shape already
    compact = [step for step in stored.get('steps', ())
               if isinstance(step, list) and len(step) == 3
               and step[0] in ('run', 'failed', 'set', 'clear')]
    written_by = _changed_by(compact, ('set', 'clear'))
    return {'hook': stored.get('hook'), 'steps': [_step_dict(step) for step in compact],
            'written_by': {k: sorted(v) for k, v in written_by.items()}}


def _changed_by(steps: list[list[Any]], kinds: tuple[str, ...]) -> dict[str, set[str]]:
    changed: dict[str, set[str]] = {}
    for kind, flag, by in steps:
        if kind in kinds and by is not None:
            changed.setdefault(by, set()).add(flag)
    return changed
