"""What a dispatch did, in order: handlers run, flags set and cleared.

The :class:`DispatchRecorder` is told of every step by the dispatcher and the runtime. It
logs handler runs and flag changes at DEBUG (at INFO each line would be one ``juju-log``
process per handler in every hook, charms.reactive's biggest per-hook cost; the stored
trace and ``explain`` tell the same story for free), keeps the trace that ``explain``
reads (saved in the state store at the end of the dispatch), records which handler
changed which flag (the graph's run-time edges), and forwards every step to the blinker
signals of :mod:`reactops.reactive.signals` once anyone has imported that module. So a
hook whose charm subscribes to nothing never imports blinker.

The stored trace is bounded: :func:`set_trace_limit` caps how many steps it keeps
(:data:`DEFAULT_TRACE_LIMIT` unless the charm says otherwise; 0 keeps none). A longer
dispatch keeps its handler runs first and the flag changes nearest its start and its end,
and says how many steps of each kind it dropped, so ``reactops explain`` can tell a
truncated trace from a complete one. The recorder itself keeps every step while the
dispatch runs (a loop error needs them all).
"""

from __future__ import annotations

import sys

from .._private import fastjson
from .._private.lazylog import get_logger
from .._private.typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from .registry import Handler

__all__ = ['DEFAULT_TRACE_LIMIT', 'TRACE_KEY', 'DispatchRecorder', 'dropped_steps',
           'load_trace', 'set_trace_limit', 'trace_limit']

logger = get_logger('reactops.reactive')

#: Where the last dispatch's trace is kept in the state store's key-value table.
TRACE_KEY = 'reactops.trace.last'
_SIGNALS_MODULE = 'reactops.reactive.signals'

#: How many steps the stored trace keeps unless the charm calls :func:`set_trace_limit`:
#: about 100 KB at the longest (a step is 30 to 100 bytes, by its names' lengths).
DEFAULT_TRACE_LIMIT = 2000
_limit: list[int] = [DEFAULT_TRACE_LIMIT]
# The order steps are kept in when a trace is too long: a failure, then handler runs,
# then flag changes (what ``explain`` reads first).
_TIERS = (('failed',), ('run',), ('set', 'clear'))


def set_trace_limit(steps: int | None) -> int:
    """Keep at most *steps* steps of each dispatch's trace in the state store (``None``:
    :data:`DEFAULT_TRACE_LIMIT`; 0: store no trace); returns the limit it replaces.

    Call it at the top of a handler module: it holds for every dispatch of the process,
    and a hook is one process. A trace over the limit keeps every failure and handler
    run it can, then the flag changes nearest the start and the end of the dispatch, and
    records how many steps of each kind it dropped.
    """
    if steps is None:
        steps = DEFAULT_TRACE_LIMIT
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f'set_trace_limit takes a number of steps, 0 or more (or None for '
                         f'the default, {DEFAULT_TRACE_LIMIT}), not {steps!r}')
    previous = _limit[0]
    _limit[0] = steps
    return previous


def trace_limit() -> int:
    """The number of steps a stored trace keeps at most (see :func:`set_trace_limit`)."""
    return _limit[0]


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
        """The trace as :func:`load_trace` gives it back for ``explain``: bounded as
        stored, with ``dropped`` (steps left out, by kind) when the limit cut it."""
        steps, dropped = _bounded(self._steps, _limit[0])
        trace: dict[str, Any] = {
            'hook': self.hook_name, 'steps': [_step_dict(step) for step in steps],
            'written_by': {k: sorted(v) for k, v in
                           _changed_by(steps, ('set', 'clear')).items()}}
        if dropped:
            trace['dropped'] = dropped
        return trace

    def to_text(self) -> str:
        """The trace as JSON text for the state store, in its compact form (steps as
        ``[kind, subject, detail]`` lists, about three times cheaper to encode than
        :meth:`to_json`'s objects), bounded by :func:`set_trace_limit`. It skips the
        store's general encoder, which would check a round trip of what holds only names,
        numbers and lists."""
        steps, dropped = _bounded(self._steps, _limit[0])
        stored: dict[str, Any] = {'hook': self.hook_name, 'format': _FORMAT, 'steps': steps}
        if dropped:
            stored['dropped'] = dropped
        return fastjson.dumps(stored)

    def save(self, storage: Any) -> None:
        """Keep the trace in *storage* (a :class:`~reactops.storage.SQLiteStorage`) as
        the last dispatch's: not rewritten when the stored text is the same (a steady
        unit repeating a hook), removed when the limit is 0."""
        if _limit[0] == 0:
            if storage.kv_get(TRACE_KEY) is not None:
                storage.kv_delete(TRACE_KEY)
            return
        text = self.to_text()
        stored = storage.kv_get(TRACE_KEY)
        if stored is None or fastjson.dumps(stored) != text:
            storage.kv_set_text(TRACE_KEY, text)


def _bounded(steps: list[list[Any]], limit: int) -> tuple[list[list[Any]], dict[str, int]]:
    """At most *limit* of *steps*, in their order, and how many of each kind were left
    out: failures first, then handler runs, then flag changes; within the kind that does
    not fit whole, those nearest the start and the end of the dispatch."""
    if len(steps) <= limit:
        return steps, {}
    keep: set[int] = set()
    for kinds in _TIERS:
        room = limit - len(keep)
        if room <= 0:
            break
        found = [i for i, step in enumerate(steps) if step[0] in kinds]
        if len(found) <= room:
            keep.update(found)
            continue
        head = (room + 1) // 2
        keep.update(found[:head])
        keep.update(found[len(found) - (room - head):])
        break
    kept = [step for i, step in enumerate(steps) if i in keep]
    dropped: dict[str, int] = {}
    for i, step in enumerate(steps):
        if i not in keep:
            dropped[step[0]] = dropped.get(step[0], 0) + 1
    return kept, dropped


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
    trace = {'hook': stored.get('hook'), 'steps': [_step_dict(step) for step in compact],
             'written_by': {k: sorted(v) for k, v in written_by.items()}}
    dropped = stored.get('dropped')
    if isinstance(dropped, dict) and dropped:
        trace['dropped'] = {str(kind): count for kind, count in dropped.items()
                            if isinstance(count, int) and not isinstance(count, bool)}
    return trace


def dropped_steps(trace: dict[str, Any]) -> int:
    """How many steps the limit left out of *trace* (as :func:`load_trace` gives it)."""
    dropped = trace.get('dropped')
    return sum(dropped.values()) if isinstance(dropped, dict) else 0


def _changed_by(steps: list[list[Any]], kinds: tuple[str, ...]) -> dict[str, set[str]]:
    changed: dict[str, set[str]] = {}
    for kind, flag, by in steps:
        if kind in kinds and by is not None:
            changed.setdefault(by, set()).add(flag)
    return changed
