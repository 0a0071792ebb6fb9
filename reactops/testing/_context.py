"""State-transition tests: :class:`Context` runs one event on a charm against a :class:`State`.

``ctx.run(ctx.on.install(), State(...))`` builds a fresh charm as Juju does for every
hook, runs the real dispatch (deferred events, the event, the reactive handlers,
collect-status, commit) over a :class:`~reactops.testing._backend.SimulatedBackend` and a
state file of its own, and returns a new :class:`State`. The inputs are never changed;
side effects are recorded on the context (``ctx.juju_log``, ``ctx.action_results``, ...).
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import re
import shutil
import sys
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._main import Dispatch, DispatchExtension
from ..charm import CharmBase
from ..framework import EventBase, Framework, LifecycleEvent
from ..jujucontext import JujuContext, JujuVersion
from ..log import JujuLogHandler
from ..meta import CharmMeta
from ..model import StatusBase
from ..storage import SQLiteStorage
from ._backend import JujuLogLine, SimulatedBackend
from ._consistency import check_consistency
from ._events import Event, EventFactory
from ._harness_results import ActionFailed
from ._state import (
    DeferredEvent,
    State,
    StoredState,
)

__all__ = ['ActionFailed', 'Context', 'Event', 'UncaughtCharmError']

_FLAG_PREFIX = 'reactive.states.'  # as reactops.reactive._runtime.FLAG_PREFIX
_TRACE_KEY = 'reactops.trace.last'  # as reactops.reactive._trace.TRACE_KEY
_STORED_PATH = re.compile(r'^(?P<owner>.+)/StoredStateData\[(?P<name>[^\]]+)\]$')
_EVENT_KEY = re.compile(r'\[(\d+)\]$')


class UncaughtCharmError(RuntimeError):
    """The charm raised while handling the event; ``__cause__`` is what it raised.

    As in Juju, nothing of the failed dispatch is kept: no output state is produced.
    """


class _TestDispatch(Dispatch):
    """The real dispatch, minus legacy ``hooks/<name>`` executables (a test runs no
    subprocess: a legacy reactive charm's hook stubs would run the charm a second time)."""

    def _run_legacy_hook(self, charm_dir: Path) -> int:
        return 0


class _RunBridge:
    """The dispatch extension that connects a run to its :class:`State`.

    The run's state store is an in-memory SQLite database (a file would cost two fsyncs
    per run). Started first, before the charm and the reactive runtime exist, it writes
    the state's stored state, deferred notices, flags and kv into the store; it keeps the
    events emitted in this dispatch (not the deferred ones delivered again, nor the
    framework's own); at the end, before the store is closed, it reads the store back.
    """

    def __init__(self, state: State, charm_path: str):
        self._state = state
        self._charm_path = charm_path
        self._storage: SQLiteStorage | None = None
        self.events: list[EventBase] = []
        self.stored: dict[str, Any] = {}
        self.error: Exception | None = None

    def start(self, framework: Framework, hook_name: str) -> None:
        self._storage = framework._storage
        event_count = _seed(self._storage, self._state, self._charm_path)
        # New events must not reuse the key of a deferred one.
        framework._stored['event_count'] = max(framework._stored['event_count'], event_count)
        emit = framework._emit

        def recording_emit(event: EventBase) -> None:
            if not isinstance(event, LifecycleEvent):
                self.events.append(event)
            emit(event)

        setattr(framework, '_emit', recording_emit)  # noqa: B010 - an instance override

    def after_event(self, charm: CharmBase, restricted: bool) -> None:
        pass

    def stop(self) -> None:
        # Runs in the dispatch's `finally`: an error here must not hide the charm's own.
        if self._storage is not None:
            try:
                self.stored = _read(self._storage, self._charm_path)
            except Exception as error:
                self.error = error


class Context:
    """How to run a charm in tests: its class (or directory), metadata and unit.

    *charm_type_or_dir* is a :class:`~reactops.charm.CharmBase` subclass, or the path of
    a charm directory (a reactive or legacy charm: handlers under ``reactive/``,
    ``hooks/reactive/``, ``hooks/relations/``; the class is the one in ``src/charm.py``
    if it defines one). The metadata comes from *meta* (``metadata.yaml`` content, or a
    whole ``charmcraft.yaml``), *actions* and *config* (``{'options': ...}``), or else
    from the charm's files: *charm_root*, the directory, or the one above the class's
    source directory. The unit is ``<app_name>/<unit_id>``.
    """

    def __init__(self, charm_type_or_dir: type[CharmBase] | str | os.PathLike[str],
                 meta: Mapping[str, Any] | None = None,
                 actions: Mapping[str, Any] | None = None,
                 config: Mapping[str, Any] | None = None, *, app_name: str | None = None,
                 unit_id: int = 0, juju_version: str = '3.6.1',
                 charm_root: str | os.PathLike[str] | None = None, app_trusted: bool = False,
                 log_level: str | int = 'DEBUG'):
        _check_args(unit_id, juju_version, app_name, meta, actions, config)
        self.juju_version = juju_version
        self.unit_id = unit_id
        self.app_trusted = bool(app_trusted)
        self.log_level = _level(log_level)
        self._tmp: Path | None = None
        self._cleanup: weakref.finalize[Any, Any] | None = None
        root = None if charm_root is None else _directory(charm_root, 'charm_root')
        is_dir = isinstance(charm_type_or_dir, str | os.PathLike)
        self.charm_type, self.meta, source_root = _load_charm(
            charm_type_or_dir, root, meta, actions, config, juju_version)
        self.app_name = app_name or self.meta.name
        # Handlers are discovered in the real charm directory; a class given with its
        # metadata as dicts gets an empty temporary one.
        self._charm_dir = root or (source_root if is_dir or meta is None else None)
        self.on = EventFactory(self.app_name)
        self._reactive: bool | None = True if is_dir else None
        self._reset()

    # -- lifetime ------------------------------------------------------------------------

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the temporary directories (storage mounts, a generated charm root)."""
        if self._cleanup is not None:
            self._cleanup()

    def _temp(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix='reactops-testing-'))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        return self._tmp

    @property
    def charm_dir(self) -> Path:
        """The charm directory the charm sees (``self.charm_dir``)."""
        if self._charm_dir is None:
            self._charm_dir = self._temp() / 'charm'
            self._charm_dir.mkdir(exist_ok=True)
        return self._charm_dir

    def _reset(self) -> None:
        self.juju_log: list[JujuLogLine] = []
        self.unit_status_history: list[StatusBase] = []
        self.app_status_history: list[StatusBase] = []
        self.workload_version_history: list[str] = []
        self.action_logs: list[str] = []
        self.action_results: dict[str, Any] | None = None
        self.requested_storages: dict[str, int] = {}
        self.removed_secret_revisions: list[int] = []
        self.emitted_events: list[EventBase] = []
        self.reactive_trace: list[dict[str, Any]] = []
        self.handlers_run: list[str] = []
        self.metrics: list[tuple[dict[str, float], dict[str, str]]] = []
        self.reboot_requested = False

    # -- running -------------------------------------------------------------------------

    def run(self, event: Event, state: State) -> State:
        """Run *event* on a fresh charm against *state*; return the state after it.

        Raises :class:`~reactops.testing.InconsistentScenarioError` for a state Juju
        could not produce, :class:`UncaughtCharmError` if the charm raises, and
        :class:`ActionFailed` (carrying the output state) if an action called ``fail``.
        After a charm error only :attr:`juju_log` is filled (Juju keeps the log of a
        failed hook, and nothing else of it); the other records are empty.
        """
        if not isinstance(event, Event):
            raise TypeError(f'run() takes an event from ctx.on (e.g. ctx.on.install()), '
                            f'not {event!r}')
        if not isinstance(state, State):
            raise TypeError(f'run() takes a reactops.testing.State, not {state!r}')
        self._reset()
        check_consistency(state, event, self.meta, juju_version=self.juju_version,
                          app_name=self.app_name, unit_id=self.unit_id)
        context = self._juju_context(event, state)
        backend = SimulatedBackend(state, self.meta, context,
                                   action_params=self._action_params(event),
                                   storage_root=self._temp() / 'storage'
                                   if self.meta.storages else None,
                                   trusted=self.app_trusted)
        bridge = _RunBridge(state, self.charm_type.handle_kind)
        try:
            self._dispatch(context, backend, bridge)
        except Exception as error:
            self.juju_log = backend.juju_log_lines
            raise UncaughtCharmError(
                f'{self.charm_type.__name__} raised {type(error).__name__} while handling '
                f'{event.name} ({event.dispatch_path}): {error}') from error
        if bridge.error is not None:
            raise bridge.error
        stored = dict(bridge.stored)
        trace = stored.pop('trace')
        output = backend.output_state(**stored)
        self._record(backend, bridge, trace, is_action=event.action_name is not None)
        if backend.action_failure is not None:
            raise ActionFailed(backend.action_failure, state=output)
        return output

    def _dispatch(self, context: JujuContext, backend: SimulatedBackend,
                  bridge: _RunBridge) -> None:
        extensions: list[DispatchExtension] = [bridge]
        if self._wants_reactive():
            from ..reactive._dispatch import ReactiveExtension

            extensions.append(ReactiveExtension())
        handler = JujuLogHandler(backend, self.log_level)
        root = logging.getLogger()
        old_level = root.level
        root.setLevel(self.log_level)
        root.addHandler(handler)
        try:
            _TestDispatch(self.charm_type, context, extensions).execute(
                backend, meta=self.meta, state_file=Path(':memory:'))
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)

    def _wants_reactive(self) -> bool:
        if self._reactive is None:
            from ..reactive._detect import wants_reactive

            self._reactive = wants_reactive(self.charm_type, self.charm_dir)
        return self._reactive

    def _record(self, backend: SimulatedBackend, recorder: _RunBridge,
                trace: list[dict[str, Any]], *, is_action: bool) -> None:
        self.juju_log = backend.juju_log_lines
        self.unit_status_history = backend.unit_status_history
        self.app_status_history = backend.app_status_history
        self.workload_version_history = backend.workload_version_history
        self.action_logs = backend.action_logs
        self.action_results = _nest(backend.action_results) if is_action else None
        self.requested_storages = backend.requested_storages
        self.removed_secret_revisions = backend.removed_secret_revisions
        self.emitted_events = recorder.events
        self.reactive_trace = trace
        self.handlers_run = [step['run'] for step in trace if 'run' in step]
        self.metrics = backend.metrics
        self.reboot_requested = backend.reboot_requested

    def _juju_context(self, event: Event, state: State) -> JujuContext:
        storage, secret, relation = event.storage, event.secret, event.relation
        return JujuContext(
            dispatch_path=event.dispatch_path, hook_name=event.hook_name,
            unit_name=f'{self.app_name}/{self.unit_id}', model_name=state.model.name,
            model_uuid=state.model.uuid, version=JujuVersion(self.juju_version),
            charm_dir=self.charm_dir, machine_id=str(self.unit_id),
            action_name=event.action_name, action_uuid=event.action_id,
            relation_name=relation.endpoint if relation is not None else None,
            relation_id=relation.id if relation is not None else None,
            remote_app_name=event.remote_app, remote_unit_name=event.remote_unit,
            relation_departing_unit_name=event.departing_unit,
            storage_name=storage.name if storage is not None else None,
            storage_index=storage.index if storage is not None else None,
            secret_id=secret.id if secret is not None else None,
            secret_label=secret.label if secret is not None else None,
            secret_revision=event.secret_revision)

    def _action_params(self, event: Event) -> dict[str, Any] | None:
        if event.action_name is None:
            return None
        import copy

        params = copy.deepcopy(dict(event.action_params or {}))
        action = self.meta.actions.get(event.action_name)
        for name, schema in (action.parameters.items() if action is not None else ()):
            if name not in params and isinstance(schema, Mapping) and 'default' in schema:
                params[name] = copy.deepcopy(schema['default'])
        return params


# -- the state file ------------------------------------------------------------------------


def _seed(store: SQLiteStorage, state: State, charm_path: str) -> int:
    """Write *state*'s stored state, deferred notices, flags and kv into *store*; return
    the highest event key among the deferred events."""
    for stored in state.stored_states:
        owner = stored.owner_path or charm_path
        store.save_snapshot(f'{owner}/StoredStateData[{stored.name}]', dict(stored.content))
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
            owner = match['owner']
            stored_states.append(StoredState(match['name'], None if owner == charm_path
                                             else owner, content))
    deferred = tuple(DeferredEvent(event_path, observer, method, snapshots.get(event_path, {}))
                     for event_path, observer, method in store.notices())
    from ..reactive._trace import load_trace

    trace = load_trace(kv.pop(_TRACE_KEY, None)) or {}
    flags = {key[len(_FLAG_PREFIX):]: value for key, value in kv.items()
             if key.startswith(_FLAG_PREFIX)}
    rest = {key: value for key, value in kv.items() if not key.startswith(_FLAG_PREFIX)}
    return {'stored_states': stored_states, 'deferred': deferred, 'flags': flags, 'kv': rest,
            'trace': list(trace.get('steps', []))}


# -- loading the charm -----------------------------------------------------------------------


def _check_args(unit_id: object, juju_version: object, app_name: object, meta: object,
                actions: object, config: object) -> None:
    if isinstance(unit_id, bool) or not isinstance(unit_id, int) or unit_id < 0:
        raise ValueError(f'unit_id must be a unit number (0, 1, ...), not {unit_id!r}')
    if not isinstance(juju_version, str):
        raise TypeError(f"juju_version must be a string such as '3.6.1', not {juju_version!r}")
    JujuVersion(juju_version)  # ValueError naming it if malformed
    if app_name is not None and (not isinstance(app_name, str) or not app_name
                                 or '/' in app_name):
        raise ValueError(f"app_name must be an application name such as 'web', "
                         f'not {app_name!r}')
    for name, value in (('meta', meta), ('actions', actions), ('config', config)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f'{name} must be a dict (the parsed YAML), not '
                            f'{type(value).__name__}')
    if meta is None and (actions is not None or config is not None):
        raise ValueError('actions= and config= need meta= as well (without meta the '
                         "metadata, actions and config all come from the charm's files)")
    if isinstance(config, Mapping) and config and 'options' not in config:
        raise ValueError("config= is config.yaml's content: put the options under an "
                         "'options' key, e.g. {'options': {'port': {'type': 'int'}}}")


def _load_charm(charm: object, root: Path | None, meta: Mapping[str, Any] | None,
                actions: Mapping[str, Any] | None, config: Mapping[str, Any] | None,
                juju_version: str) -> tuple[type[CharmBase], CharmMeta, Path | None]:
    """The charm class, its metadata and the charm directory the files came from."""
    source_root: Path | None
    charm_type: type[CharmBase]
    if isinstance(charm, str | os.PathLike):
        source_root = _directory(charm, 'the charm directory')
        charm_type = _class_of_charm_dir(source_root)
    elif isinstance(charm, type) and issubclass(charm, CharmBase):
        charm_type = charm
        source_root = root or _class_root(charm)
    else:
        raise TypeError(f'Context() takes a CharmBase subclass or the path of a charm '
                        f'directory, not {charm!r}')
    if meta is not None:
        return charm_type, _meta_from_dicts(meta, actions, config, juju_version), source_root
    if source_root is None:
        raise ValueError(f'no metadata for {charm_type.__name__}: its source file is not in '
                         f'a charm directory; pass meta= (and actions=, config=) or '
                         f'charm_root=')
    return (charm_type, CharmMeta.from_charm_root(source_root, juju_version=juju_version),
            source_root)


def _level(level: str | int) -> int:
    if isinstance(level, int) and not isinstance(level, bool):
        return level
    value = logging.getLevelName(level.upper()) if isinstance(level, str) else None
    if isinstance(value, int):
        return value
    raise ValueError(f"log_level must be a logging level such as 'DEBUG' or 'INFO', "
                     f'not {level!r}')


def _directory(path: str | os.PathLike[str], what: str) -> Path:
    resolved = Path(path).resolve()
    if not resolved.is_dir():
        raise ValueError(f'{what} {os.fspath(path)!r} is not a directory')
    return resolved


def _meta_from_dicts(meta: Mapping[str, Any], actions: Mapping[str, Any] | None,
                     config: Mapping[str, Any] | None, juju_version: str) -> CharmMeta:
    from .._private.meta_validate import CHARMCRAFT_ONLY

    raw = dict(meta)
    if not raw.keys().isdisjoint(CHARMCRAFT_ONLY | {'actions', 'config'}):
        # A whole charmcraft.yaml: its actions and config are parts of it.
        for name, given in (('actions', actions), ('config', config)):
            if name in raw and given is not None:
                raise ValueError(f'{name} are given both in meta= (a charmcraft.yaml) and '
                                 f'as {name}=; pass them in one place only')
        actions = raw.pop('actions', actions)
        config = raw.pop('config', config)
        raw = {k: v for k, v in raw.items() if k not in CHARMCRAFT_ONLY}
    return CharmMeta(raw, None if actions is None else dict(actions),
                     None if config is None else dict(config), juju_version=juju_version)


def _class_root(charm_type: type[CharmBase]) -> Path | None:
    """The charm directory of a class: the one above its source file's directory."""
    try:
        source = inspect.getfile(charm_type)
    except (TypeError, OSError):
        # Its module is not in sys.modules (imported from a file by hand): ask a method.
        codes = [value.__code__ for value in vars(charm_type).values()
                 if inspect.isfunction(value)]
        if not codes:
            return None
        source = codes[0].co_filename
    return Path(source).resolve().parent.parent


def _class_of_charm_dir(charm_dir: Path) -> type[CharmBase]:
    """The CharmBase subclass of ``<charm_dir>/src/charm.py``, else ``ReactiveCharm``."""
    from ..reactive._dispatch import ReactiveCharm

    source = charm_dir / 'src' / 'charm.py'
    if not source.is_file():
        return ReactiveCharm
    name = f'_reactops_testing_charm_{abs(hash(str(source))):x}'
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, source)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        paths = [str(charm_dir / sub) for sub in ('src', 'lib') if (charm_dir / sub).is_dir()]
        sys.path[:0] = paths
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        finally:
            for path in paths:
                sys.path.remove(path)
    found = [obj for obj in vars(module).values()
             if inspect.isclass(obj) and issubclass(obj, CharmBase)
             and obj.__module__ == name]
    leaves = [c for c in found if not any(o is not c and issubclass(o, c) for o in found)]
    if len(leaves) > 1:
        names = ', '.join(sorted(c.__name__ for c in leaves))
        raise ValueError(f'{source} defines several charm classes ({names}); pass the one '
                         f'to test: Context(TheCharm, charm_root={str(charm_dir)!r})')
    return leaves[0] if leaves else ReactiveCharm


def _nest(flat: Mapping[str, str]) -> dict[str, Any]:
    """Dotted action-result keys as Juju shows them: ``a.b=1`` gives ``{'a': {'b': '1'}}``."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        *parents, last = key.split('.')
        node = nested
        for part in parents:
            child = node.setdefault(part, {})
            node = child if isinstance(child, dict) else node.setdefault(key, {})
        node[last] = value
    return nested
