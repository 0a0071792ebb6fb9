"""The machinery under :class:`~reactops.testing.Harness`: the world between events (a
:class:`~reactops.testing.State` with a fresh model over it after every change) and each
Juju event run as a whole dispatch, rolled back when the charm fails."""

from __future__ import annotations

import copy
import shutil
import tempfile
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Generic, TypeVar, cast

from .._main import _RESTRICTED_EVENTS, hook_name_of
from ..charm import ActionEvent, CharmBase, RelationEvent, SecretEvent, StorageEvent
from ..charm import evaluate_status as _evaluate_status
from ..errors import NoSnapshotError, RelationNotFoundError
from ..framework import EventBase, Framework
from ..jujucontext import JujuContext, JujuVersion
from ..model import Model
from ..storage import SQLiteStorage
from ..stored import StoredStateData
from ._harness_support import (
    _ForeignSecret,
    _HarnessBackend,
    _load_meta,
    _units_field,
)
from ._state import Network, PeerRelation, Relation, RelationBase, State
from ._state import Storage as _Storage

CharmType = TypeVar('CharmType', bound=CharmBase)


class _HarnessBase(Generic[CharmType]):
    """State and dispatch mechanics shared by the Harness's groups of methods."""

    def __init__(self, charm_cls: type[CharmType], *, meta: str | IO[str] | None = None,
                 actions: str | IO[str] | None = None, config: str | IO[str] | None = None,
                 juju_version: str = '3.6.1'):
        if not (isinstance(charm_cls, type) and issubclass(charm_cls, CharmBase)):
            raise TypeError(f'Harness() takes a CharmBase subclass, not {charm_cls!r}')
        self._charm_cls = charm_cls
        self._juju_version = JujuVersion(juju_version)
        self._tmp = Path(tempfile.mkdtemp(prefix='reactops-harness-'))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self._meta, root = _load_meta(charm_cls, meta, actions, config, juju_version)
        self._charm_dir = root or self._tmp / 'charm'
        self._charm_dir.mkdir(exist_ok=True)
        self._app_name = self._meta.name
        self._unit_name = f'{self._app_name}/0'
        self._charm: CharmType | None = None
        self._hooks_enabled = True
        self._reactive = False
        self._running = False
        self._counters = {'relation': 0, 'storage': 0, 'action': 0}
        self._planned_units: int | None = None
        self._storages: dict[str, bool] = {}  # 'data/0' -> attached
        self._networks: dict[tuple[str | None, int | None], Network] = {}
        self._departed: dict[tuple[int, str], Mapping[str, str]] = {}
        self._foreign: dict[str, _ForeignSecret] = {}
        self._action: tuple[str, dict[str, Any]] | None = None
        self._handlers_run: list[str] = []
        self._trace: list[dict[str, Any]] = []
        self._reboots = 0
        self._store = SQLiteStorage(':memory:')
        self._state = State()
        self._backend: _HarnessBackend
        self._framework = Framework(self._store, self._charm_dir, self._meta, None)
        self._emit_now = self._framework._emit
        setattr(self._framework, '_emit', self._dispatch_event)  # noqa: B010 - instance override
        self._set_world(self._state)
        self._last_backend = self._backend

    @property
    def charm(self) -> CharmType:
        """The charm instance (after :meth:`begin`)."""
        if self._charm is None:
            raise RuntimeError('the charm does not exist yet: call harness.begin() first')
        return self._charm

    @property
    def model(self) -> Model:
        """The model the charm sees now (a new one after every event and every change)."""
        return self._framework.model  # type: ignore[no-any-return]

    def _dispatch_event(self, event: EventBase) -> None:
        """The framework's ``_emit`` in this harness: a Juju event emitted from outside
        any event (by the harness or by the test) runs as a whole dispatch."""
        if self._running or not event._juju_hook_event or self._charm is None:
            self._emit_now(event)
            return
        context = self._context_of(event)
        before = self._sync()
        memory = self._remember()
        backend = self._make_backend(before, context, self._action_params(context))
        kind = event.handle.kind
        self._backend = self._last_backend = backend
        self._framework.model = Model(
            self._meta, cast(Any, backend), remote_unit_name=context.remote_unit,
            broken_relation_id=context.relation_id if kind.endswith('_relation_broken')
            else None)
        self._framework._event_name = kind
        self._running = True
        ok = False
        try:
            self._run(event, kind, hook_name_of(context.dispatch_path, kind))
            ok = True
        finally:
            self._running = False
            self._framework._event_name = None
            if ok:
                self._reboots += backend.reboot_requested
                self._set_world(backend.output_state())
            else:
                self._restore(memory)
                self._set_world(before)

    def _run(self, event: EventBase, kind: str, hook_name: str) -> None:
        from ..reactive._dispatch import ReactiveExtension

        framework, charm = self._framework, self.charm
        restricted = kind in _RESTRICTED_EVENTS
        reactive = ReactiveExtension(run_handlers=self._reactive)
        reactive.start(framework, hook_name)
        try:
            if not restricted:
                framework.reemit()
            self._emit_now(event)
            reactive.after_event(charm, restricted)
            if not restricted:
                _evaluate_status(charm)
            framework.commit()
        finally:
            recorder = reactive.runtime.recorder if reactive.runtime is not None else None
            self._handlers_run = list(recorder.handlers_run) if recorder else []
            self._trace = list(recorder.steps) if recorder else []
            reactive.stop()

    def _remember(self) -> tuple[dict[str, tuple[Any, bool]], dict[str, Any]]:
        """What a failed event must not change: stored state as the charm holds it in
        memory, and the framework's event counter."""
        stored = {path: (copy.deepcopy(obj.snapshot()), obj.dirty)
                  for path, obj in list(self._framework._objects.items())
                  if isinstance(obj, StoredStateData)}
        return stored, copy.deepcopy(self._framework._stored)

    def _restore(self, memory: tuple[dict[str, tuple[Any, bool]], dict[str, Any]]) -> None:
        # In production a failed dispatch just closes the store; the harness keeps its.
        self._store.rollback()
        stored, counters = memory
        self._framework._stored = counters
        for path, obj in list(self._framework._objects.items()):
            if not isinstance(obj, StoredStateData):
                continue
            if path in stored:
                content, dirty = stored[path]
                obj.restore(copy.deepcopy(content))
                obj.dirty = dirty
                continue
            try:
                obj.restore(self._store.load_snapshot(path))
            except NoSnapshotError:
                obj.restore({})

    def _context_of(self, event: EventBase) -> JujuContext:
        """The ``JUJU_*`` context of *event*, from what its snapshot says."""
        kind, data = event.handle.kind, event.snapshot()
        if isinstance(event, ActionEvent):
            name = next((a for a in self._meta.actions
                         if f'{a.replace("-", "_")}_action' == kind), kind[:-len('_action')])
            return self._context(dispatch_path=f'actions/{name}', action_name=name,
                                 action_uuid=data.get('id'))
        hook = kind.replace('_', '-')
        fields: dict[str, Any] = {}
        if isinstance(event, RelationEvent):
            hook = f'{data["relation_name"]}-relation-{kind.rsplit("_", 1)[-1]}'
            fields = {'relation_name': data['relation_name'], 'relation_id': data['relation_id'],
                      'remote_app_name': data.get('app_name'),
                      'remote_unit_name': data.get('unit_name'),
                      'relation_departing_unit_name': data.get('departing_unit')}
        elif isinstance(event, StorageEvent):
            hook = f'{data["storage_name"]}-storage-{kind.rsplit("_", 1)[-1]}'
            fields = {'storage_name': data['storage_name'],
                      'storage_index': data['storage_index']}
        elif isinstance(event, SecretEvent):
            fields = {'secret_id': data['id'], 'secret_label': data.get('label'),
                      'secret_revision': data.get('revision')}
        return self._context(dispatch_path=f'hooks/{hook}', hook_name=hook, **fields)

    def _context(self, **fields: Any) -> JujuContext:
        model = self._state.model
        return JujuContext(unit_name=self._unit_name, model_name=model.name,
                           model_uuid=model.uuid, version=self._juju_version,
                           charm_dir=self._charm_dir, machine_id='0', **fields)

    def _action_params(self, context: JujuContext) -> dict[str, Any] | None:
        if context.action_name is None:
            return None
        running = self._action
        params = copy.deepcopy(running[1]) if running and running[0] == context.action_name \
            else {}
        action = self._meta.actions.get(context.action_name)
        for name, schema in (action.parameters.items() if action is not None else ()):
            if name not in params and isinstance(schema, Mapping) and 'default' in schema:
                params[name] = copy.deepcopy(schema['default'])
        return params

    def _make_backend(self, state: State, context: JujuContext,
                      action_params: Mapping[str, Any] | None = None) -> _HarnessBackend:
        return _HarnessBackend(state, self._meta, context, networks=self._networks,
                               departed=self._departed, action_params=action_params,
                               storage_root=self._tmp / 'storage')

    def _sync(self) -> State:
        """The world now, with what charm code did between events."""
        if not self._running:
            self._state = self._backend.output_state()
        return self._state

    def _set_world(self, state: State) -> None:
        """Make *state* the world, with a fresh backend and model over it."""
        self._check_idle('change the model')
        peers = {unit for relation in state.relations if isinstance(relation, PeerRelation)
                 for unit in relation.peers_data}
        storages = [_Storage(name, int(index)) for name, index in
                    (storage_id.split('/') for storage_id, attached in self._storages.items()
                     if attached)]
        self._state = state.replace(
            storages=storages, planned_units=self._planned_units if
            self._planned_units is not None else 1 + len(peers))
        self._backend = self._make_backend(self._state, self._context())
        model = Model(self._meta, cast(Any, self._backend))
        model._on_commit()  # write through: charm code's writes between events land at once
        self._framework.model = model

    def _check_idle(self, what: str) -> None:
        if self._running:
            raise RuntimeError(f'the harness cannot {what} while an event runs; do it '
                               'between events')

    def _count(self, what: str) -> int:
        value = self._counters[what]
        self._counters[what] = value + 1
        return value

    @property
    def _firing(self) -> bool:
        return self._charm is not None and self._hooks_enabled

    def _emit(self, event_name: str, *args: Any) -> None:
        if self._firing:
            getattr(self.charm.on, event_name).emit(*args)

    def _emit_relation(self, kind: str, relation_id: int, unit_name: str | None = None) -> None:
        if not self._firing:
            return
        relation = self._relation(relation_id)
        model = self.model
        unit = model.get_unit(unit_name) if unit_name is not None else None
        app = unit.app if unit is not None else model.get_app(self._remote_app(relation))
        args: list[Any] = [model.get_relation(relation.endpoint, relation_id), app, unit]
        if kind == 'departed':
            args.append(unit_name)
        self._emit(f'{relation.endpoint.replace("-", "_")}_relation_{kind}', *args)

    def _emit_storage(self, kind: str, storage_id: str) -> None:
        if not self._firing:
            return
        name, index = storage_id.split('/')
        storage = next(s for s in self.model.storages[name] if s.index == int(index))
        _ = storage.location  # read now, so the event's snapshot carries it
        self._emit(f'{name.replace("-", "_")}_storage_{kind}', storage)

    def _relation(self, relation_id: int) -> RelationBase:
        try:
            return self._sync().get_relation(relation_id)
        except KeyError:
            raise RelationNotFoundError(f'no relation {relation_id} in this harness; '
                                        f'add it with add_relation()') from None

    def _put(self, relation: RelationBase) -> None:
        state = self._sync()
        self._set_world(state.replace(relations=[
            relation if r.id == relation.id else r for r in state.relations]))

    def _remote_app(self, relation: RelationBase) -> str:
        return self._app_name if isinstance(relation, PeerRelation) else relation.remote_app

    def _units(self, relation: RelationBase) -> list[str]:
        return [f'{self._remote_app(relation)}/{n}' for n in sorted(_units_field(relation)[1])]

    def _unit_number(self, relation: RelationBase, unit_name: str) -> int:
        app, _, number = unit_name.partition('/')
        if app != self._remote_app(relation) or not number.isdigit() or \
                unit_name == self._unit_name:
            raise ValueError(f'{unit_name!r} is not a remote unit of relation {relation.id}: '
                             f'name it {self._remote_app(relation)}/<number> (not this unit)')
        return int(number)

    def _bag(self, relation: RelationBase,
             name: str) -> tuple[dict[str, str], Any]:
        """One bag of *relation* by member name, and how to put a new version of it."""
        if name == self._unit_name:
            return dict(relation.local_unit_data), \
                lambda new: relation.replace(local_unit_data=new)
        if name == self._app_name:
            return dict(relation.local_app_data), \
                lambda new: relation.replace(local_app_data=new)
        if isinstance(relation, Relation) and name == relation.remote_app_name:
            return dict(relation.remote_app_data), \
                lambda new: relation.replace(remote_app_data=new)
        field, units = _units_field(relation)
        number = self._unit_number(relation, name) if '/' in name else None
        if number is None or number not in units:
            raise KeyError(f'{name!r} has no data bag in relation {relation.endpoint}:'
                           f'{relation.id}')
        return dict(units[number]), \
            lambda new: relation.replace(**{field: {**units, number: new}})

    def _option(self, key: str) -> Any:
        option = self._meta.config.get(key)
        if option is None:
            raise ValueError(f'unknown config option {key!r} (declared: '
                             f'{", ".join(sorted(self._meta.config)) or "none"})')
        return option

    def _storage(self, storage_id: str) -> bool:
        if storage_id not in self._storages:
            raise KeyError(f'no storage {storage_id!r} in this harness; add it with '
                           'add_storage()')
        return self._storages[storage_id]
