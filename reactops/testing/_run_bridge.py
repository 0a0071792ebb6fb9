"""How a test run meets its :class:`~reactops.testing.State`: the dispatch extension that
seeds the run's state store from the State and reads it back, what it records of the
emitted events, and the ``JUJU_*`` environment of the run.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from ..charm import CharmBase
from ..framework import EventBase, Framework, LifecycleEvent
from ..jujucontext import JujuContext
from ..storage import SQLiteStorage
from ._state import State
from ._state_parts import DeferredEvent, StoredState

__all__ = ['_RunBridge', '_environ']

_FLAG_PREFIX = 'reactive.states.'  # as reactops.reactive._runtime.FLAG_PREFIX
_TRACE_KEY = 'reactops.trace.last'  # as reactops.reactive._trace.TRACE_KEY
_STORED_PATH = re.compile(
    r'^(?P<owner>.*)/(?P<kind>[A-Za-z_]*StoredState[A-Za-z0-9_]*)\[(?P<name>[^\]]+)\]$')
_EVENT_KEY = re.compile(r'\[(\d+)\]$')


class _RunBridge:
    """The dispatch extension that connects a run to its :class:`State`.

    The run's state store is an in-memory SQLite database (a file would cost two fsyncs
    per run). Started first, before the charm and the reactive runtime exist, it writes
    the state's stored state, deferred notices, flags and kv into the store; it keeps the
    events emitted in this dispatch (not the deferred ones delivered again, nor the
    framework's own); at the end, before the store is closed, it reads the store back.
    """

    def __init__(self, state: State, charm_path: str, *, framework_events: bool = False,
                 deferred_events: bool = False):
        self._framework_events = framework_events
        # Deferred events delivered again come before the event itself; they are
        # recorded only when asked for.
        self.recording = deferred_events
        self._main_started = False
        self._state = state
        self._charm_path = charm_path
        self._storage: SQLiteStorage | None = None
        self.breakpointhook = sys.breakpointhook
        self.events: list[EventBase] = []
        self.stored: dict[str, Any] = {}
        self.error: Exception | None = None

    def start(self, framework: Framework, hook_name: str) -> None:
        # A test's own sys.breakpointhook stays in place (ops.testing does not route
        # breakpoint() through Juju's debug-code hook).
        sys.breakpointhook = self.breakpointhook
        self._storage = framework._storage
        event_count = _seed(self._storage, self._state, self._charm_path)
        # New events must not reuse the key of a deferred one.
        framework._stored['event_count'] = max(framework._stored['event_count'], event_count)
        emit = framework._emit

        # An observer gets the event rebuilt from its snapshot (with what restore() reads,
        # such as an action's params): that object replaces the one emitted.
        pending: dict[str, int] = {}

        def recording_emit(event: EventBase) -> None:
            if self.recording and (self._framework_events
                                   or not isinstance(event, LifecycleEvent)):
                pending[event.handle.path] = len(self.events)
                self.events.append(event)
            emit(event)

        setattr(framework, '_emit', recording_emit)  # noqa: B010 - an instance override
        call = framework._call_observer
        delivered: set[int] = set()

        def recording_call(method: Any, event: EventBase) -> None:
            index = pending.pop(event.handle.path, None)
            if index is not None:
                self.events[index] = event
            elif self.recording and not self._main_started and id(event) not in delivered:
                delivered.add(id(event))  # capture_deferred_events: delivered again
                self.events.append(event)
            call(method, event)

        setattr(framework, '_call_observer', recording_call)  # noqa: B010

    def after_event(self, charm: CharmBase, restricted: bool) -> None:
        pass

    def stop(self) -> None:
        # Runs in the dispatch's `finally`: an error here must not hide the charm's own.
        if self._storage is not None:
            try:
                self.stored = _read(self._storage, self._charm_path)
            except Exception as error:
                self.error = error


def _environ(context: JujuContext) -> dict[str, str]:
    """The ``JUJU_*`` variables Juju would set for this dispatch (a charm may read them)."""
    env = {'JUJU_VERSION': str(context.version), 'JUJU_UNIT_NAME': context.unit_name,
           'JUJU_MODEL_NAME': context.model_name, 'JUJU_MODEL_UUID': context.model_uuid,
           'JUJU_CHARM_DIR': str(context.charm_dir),
           'JUJU_DISPATCH_PATH': context.dispatch_path, 'JUJU_HOOK_NAME': context.hook_name}
    optional = {
        'JUJU_MACHINE_ID': context.machine_id,
        'JUJU_AVAILABILITY_ZONE': context.availability_zone,
        'JUJU_PRINCIPAL_UNIT': context.principal_unit,
        'JUJU_ACTION_NAME': context.action_name, 'JUJU_ACTION_UUID': context.action_uuid,
        'JUJU_RELATION': context.relation_name,
        'JUJU_RELATION_ID': (f'{context.relation_name}:{context.relation_id}'
                             if context.relation_id is not None else None),
        'JUJU_REMOTE_APP': context.remote_app_name,
        'JUJU_REMOTE_UNIT': context.remote_unit_name,
        'JUJU_DEPARTING_UNIT': context.relation_departing_unit_name,
        'JUJU_STORAGE_ID': (f'{context.storage_name}/{context.storage_index}'
                            if context.storage_name is not None else None),
        'JUJU_SECRET_ID': context.secret_id, 'JUJU_SECRET_LABEL': context.secret_label,
        'JUJU_SECRET_REVISION': (str(context.secret_revision)
                                 if context.secret_revision is not None else None),
        'JUJU_WORKLOAD_NAME': context.workload_name, 'JUJU_NOTICE_ID': context.notice_id,
        'JUJU_NOTICE_KEY': context.notice_key, 'JUJU_NOTICE_TYPE': context.notice_type,
        'JUJU_PEBBLE_CHECK_NAME': context.pebble_check_name}
    env.update({name: value for name, value in optional.items() if value is not None})
    if context.action_uuid is not None:
        env['JUJU_ACTION_TAG'] = f'action-{context.action_uuid}'
    return env


# -- the state file ------------------------------------------------------------------------


def _seed(store: SQLiteStorage, state: State, charm_path: str) -> int:
    """Write *state*'s stored state, deferred notices, flags and kv into *store*; return
    the highest event key among the deferred events."""
    for stored in state.stored_states:
        store.save_snapshot(stored._handle_path, dict(stored.content))
    for deferred in state.deferred:
        store.save_snapshot(deferred.handle_path, dict(deferred.snapshot_data))
        store.save_notice(deferred.handle_path, deferred.owner, deferred.observer)
    for key, value in state.kv.items():
        if key != _TRACE_KEY and not key.startswith(_FLAG_PREFIX):
            store.kv_set(key, value)
    for flag, value in state.flags.items():
        store.kv_set(_FLAG_PREFIX + flag, value)
    keys = [int(m.group(1)) for d in state.deferred if (m := _EVENT_KEY.search(d.handle_path))]
    return max(keys, default=0)


def _read(store: SQLiteStorage, charm_path: str) -> dict[str, Any]:
    """The State fields the store holds after the run, plus the reactive trace."""
    snapshots = {handle: store.load_snapshot(handle) for handle in store.list_snapshots()}
    kv = dict(store.kv_items())
    stored_states = []
    for handle, content in snapshots.items():
        match = _STORED_PATH.match(handle)
        if match is not None:
            stored_states.append(StoredState(match['name'], owner_path=match['owner'] or None,
                                             content=content,
                                             _data_type_name=match['kind']))
    # ops.testing lists deferred events by their handle path (the order its SQLite hands
    # back the snapshot keys), each event's observers in the order they were deferred.
    notices = sorted(store.notices(), key=lambda notice: notice[0])
    deferred = list(DeferredEvent(event_path, observer, method, snapshots.get(event_path, {}))
                    for event_path, observer, method in notices)
    from ..reactive._trace import load_trace

    trace = load_trace(kv.pop(_TRACE_KEY, None)) or {}
    flags = {key[len(_FLAG_PREFIX):]: value for key, value in kv.items()
             if key.startswith(_FLAG_PREFIX)}
    rest = {key: value for key, value in kv.items() if not key.startswith(_FLAG_PREFIX)}
    return {'stored_states': stored_states, 'deferred': deferred, 'flags': flags, 'kv': rest,
            'trace': list(trace.get('steps', []))}
