"""The machinery under :class:`~reactops.testing.Harness`: one world (a
:class:`~reactops.testing._harness_world._HarnessBackend`), one model over it between
events, and each Juju event run on a model of its own, rolled back if the charm fails."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import IO, Any, Generic, TypeVar, cast

from .._main import _RESTRICTED_EVENTS
from ..charm import ActionEvent, CharmBase, RelationEvent, StorageEvent
from ..charm import evaluate_status as _evaluate_status
from ..errors import NoSnapshotError, RelationNotFoundError
from ..framework import EventBase, Framework
from ..jujucontext import JujuContext, JujuVersion
from ..model import Application, Model, Unit
from ..storage import SQLiteStorage
from ..stored import StoredStateData
from ._harness_support import _load_meta
from ._harness_world import _HarnessBackend, _Relation

CharmType = TypeVar('CharmType', bound=CharmBase)

#: An application or unit, or the name of one.
AppUnitOrName = str | Application | Unit

#: The Juju version the Harness reports when ``JUJU_VERSION`` is not set.
DEFAULT_JUJU_VERSION = '3.6.1'


class _HarnessBase(Generic[CharmType]):
    """State and dispatch mechanics shared by the Harness's groups of methods."""

    def __init__(self, charm_cls: type[CharmType], *, meta: str | IO[str] | None = None,
                 actions: str | IO[str] | None = None, config: str | IO[str] | None = None):
        if not (isinstance(charm_cls, type) and issubclass(charm_cls, CharmBase)):
            raise TypeError(f'Harness() takes a CharmBase subclass, not {charm_cls!r}')
        self._charm_cls: type[CharmType] = charm_cls  # the check above loses the TypeVar
        version = os.environ.get('JUJU_VERSION') or DEFAULT_JUJU_VERSION
        self._meta, root = _load_meta(charm_cls, meta, actions, config, version)
        self._tmp = Path(tempfile.mkdtemp(prefix='reactops-harness-'))
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self._charm_dir = root or self._tmp / 'charm'
        self._charm_dir.mkdir(exist_ok=True)
        self._app_name = self._meta.name
        self._unit_name = f'{self._app_name}/0'
        self._charm: CharmType | None = None
        self._hooks_enabled = True
        self._reactive = False
        self._running = False
        self._relation_counter = 0
        self._action_counter = 0
        self._handlers_run: list[str] = []
        self._trace: list[dict[str, Any]] = []
        self._backend = _HarnessBackend(self._meta, self._unit_name, JujuVersion(version),
                                        self._tmp)
        self._backend._juju_context = JujuContext._from_dict(self._environ())
        self._store = SQLiteStorage(':memory:')
        self._store.commit()  # the tables: a failed event's rollback must keep them
        # One model between events, as in ops: model objects a test keeps (a Relation, a
        # bag) see every later change. Writes through it reach the world at once.
        self._model = Model(self._meta, cast(Any, self._backend))
        self._model._on_commit()
        self._framework = Framework(self._store, self._charm_dir, self._meta, self._model,
                                    skip_duplicate_events=False)
        self._emit_now = self._framework._emit
        setattr(self._framework, '_emit', self._dispatch_event)  # noqa: B010 - instance override

    @property
    def charm(self) -> CharmType:
        """The charm instance (after :meth:`begin`)."""
        if self._charm is None:
            raise RuntimeError('the charm instance does not exist yet: call '
                               'harness.begin() first')
        return self._charm

    @property
    def model(self) -> Model:
        """The model the charm sees: the same object between events, kept up to date."""
        return cast(Model, self._framework.model)

    @property
    def framework(self) -> Framework:
        """The framework: ``harness.framework.reemit()`` delivers deferred events now."""
        return self._framework

    @property
    def _storage(self) -> SQLiteStorage:
        """The state store (ops' Harness names it so)."""
        return self._store

    def _event_context(self, event_name: str) -> contextlib.AbstractContextManager[None]:
        """Charm code run inside ``with`` is held to Juju's access rules as in the event
        *event_name* (``''``: as outside any event, no rules)."""
        return self._framework._event_context(event_name)

    # -- one event -------------------------------------------------------------------------

    def _dispatch_event(self, event: EventBase) -> None:
        """The framework's ``_emit`` in this harness: a Juju event emitted from outside any
        event (by the harness or by the test) runs on a model of its own, and a failure
        leaves the world, the state store and stored state as they were."""
        if self._running or not event._juju_hook_event or self._charm is None:
            self._emit_now(event)
            return
        kind = event.handle.kind
        saved = self._backend._save()
        memory = self._remember()
        hook, remote_unit, broken = self._hook_of(event)
        self._framework.model = Model(self._meta, cast(Any, self._backend),
                                      remote_unit_name=remote_unit,
                                      broken_relation_id=broken)
        self._framework._event_name = kind
        self._running = True
        ok = False
        try:
            self._run(event, kind, hook)
            ok = True
        finally:
            self._running = False
            self._framework._event_name = None
            self._backend._juju_context = JujuContext._from_dict(self._environ())
            if not ok:
                self._backend._restore(saved)
                self._restore(memory)
            self._refresh()

    def _run(self, event: EventBase, kind: str, hook_name: str) -> None:
        from ..reactive._dispatch import ReactiveExtension

        framework, charm = self._framework, self.charm
        # A charm with reactive handlers gets each event as main() runs it (deferred
        # events first, collect-status last); an ops charm as ops' Harness runs it.
        whole = self._reactive and kind not in _RESTRICTED_EVENTS
        reactive = ReactiveExtension(run_handlers=self._reactive)
        reactive.start(framework, hook_name)
        try:
            if whole:
                framework.reemit()
            self._emit_now(event)
            reactive.after_event(charm, kind in _RESTRICTED_EVENTS)
            if whole:
                _evaluate_status(charm)
            framework.commit()
        finally:
            recorder = reactive.runtime.recorder if reactive.runtime is not None else None
            self._handlers_run = list(recorder.handlers_run) if recorder else []
            self._trace = list(recorder.steps) if recorder else []
            reactive.stop()

    def _hook_of(self, event: EventBase) -> tuple[str, str | None, int | None]:
        """Juju's name for the hook of *event*, its remote unit and its broken relation;
        the backend's ``JUJU_*`` context is set to the event's as Juju would set it."""
        kind, data = event.handle.kind, event.snapshot()
        env = self._environ()
        remote_unit = broken = None
        if isinstance(event, ActionEvent):
            hook = next((a for a in self._meta.actions
                         if f'{a.replace("-", "_")}_action' == kind), kind[:-len('_action')])
            env.update(JUJU_DISPATCH_PATH=f'actions/{hook}', JUJU_ACTION_NAME=hook,
                       JUJU_ACTION_UUID=str(data.get('id') or ''))
        else:
            hook = kind.replace('_', '-')
            if isinstance(event, RelationEvent):
                what = kind.rsplit('_', 1)[-1]
                hook = f'{data["relation_name"]}-relation-{what}'
                remote_unit = data.get('unit_name')
                broken = data['relation_id'] if what == 'broken' else None
                env.update(JUJU_RELATION=data['relation_name'],
                           JUJU_RELATION_ID=f'{data["relation_name"]}:{data["relation_id"]}',
                           JUJU_REMOTE_APP=data.get('app_name') or '',
                           JUJU_REMOTE_UNIT=remote_unit or '',
                           JUJU_DEPARTING_UNIT=data.get('departing_unit') or '')
            elif isinstance(event, StorageEvent):
                hook = f'{data["storage_name"]}-storage-{kind.rsplit("_", 1)[-1]}'
                env['JUJU_STORAGE_ID'] = f'{data["storage_name"]}/{data["storage_index"]}'
            elif 'container_name' in data:  # a workload event
                container = data['container_name']
                hook = f'{container}-{kind[len(container) + 1:].replace("_", "-")}'
                env['JUJU_WORKLOAD_NAME'] = container
                if 'notice_id' in data:
                    env.update(JUJU_NOTICE_ID=data['notice_id'],
                               JUJU_NOTICE_TYPE=data['notice_type'],
                               JUJU_NOTICE_KEY=data['notice_key'])
                if 'check_name' in data:
                    env['JUJU_PEBBLE_CHECK_NAME'] = data['check_name']
            env.update(JUJU_DISPATCH_PATH=f'hooks/{hook}', JUJU_HOOK_NAME=hook)
        self._backend._juju_context = JujuContext._from_dict(env)
        return hook, remote_unit, broken

    def _environ(self) -> dict[str, str]:
        """The ``JUJU_*`` variables of any hook of this unit."""
        backend = self._backend
        return {'JUJU_UNIT_NAME': self._unit_name, 'JUJU_MODEL_NAME': backend.model_name or '',
                'JUJU_MODEL_UUID': backend.model_uuid, 'JUJU_VERSION': str(backend.juju_version),
                'JUJU_CHARM_DIR': str(self._charm_dir)}

    def _remember(self) -> tuple[dict[str, tuple[Any, bool]], dict[str, Any]]:
        """What a failed event must not change: stored state as the charm holds it in
        memory, and the framework's event counter."""
        import copy

        stored = {path: (copy.deepcopy(obj.snapshot()), obj.dirty)
                  for path, obj in list(self._framework._objects.items())
                  if isinstance(obj, StoredStateData)}
        return stored, copy.deepcopy(self._framework._stored)

    def _restore(self, memory: tuple[dict[str, tuple[Any, bool]], dict[str, Any]]) -> None:
        import copy

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

    def _refresh(self) -> None:
        """Give the charm the model of between events again, made to read the world anew."""
        _forget(self._model)
        self._framework.model = self._model

    # -- helpers ---------------------------------------------------------------------------

    @property
    def _firing(self) -> bool:
        return self._charm is not None and self._hooks_enabled

    def _emit(self, event_name: str, *args: Any) -> None:
        if self._firing:
            getattr(self.charm.on, event_name).emit(*args)

    def _emit_relation(self, kind: str, relation_id: int, unit_name: str | None = None,
                       app_name: str | None = None) -> None:
        if not self._firing:
            return
        relation = self._relation(relation_id)
        model = self.model
        unit = model.get_unit(unit_name) if unit_name is not None else None
        app = model.get_app(app_name or relation.remote_app)
        args: list[Any] = [model.get_relation(relation.endpoint, relation_id), app, unit]
        if kind == 'departed':
            args.append(unit_name)
        self._emit(f'{relation.endpoint.replace("-", "_")}_relation_{kind}', *args)

    def _emit_storage(self, kind: str, name: str, index: int) -> None:
        if not self._firing:
            return
        storage = next(s for s in self.model.storages[name] if s.index == index)
        self._emit(f'{name.replace("-", "_")}_storage_{kind}', storage)

    def _relation(self, relation_id: int) -> _Relation:
        relation = self._backend.relations.get(relation_id)
        if relation is None:
            raise RelationNotFoundError(f'no relation {relation_id} in this harness; add '
                                        f'it with add_relation()')
        return relation


def _forget(model: Model) -> None:
    """Make *model* read the changed world afresh (as ops' Harness invalidates its model).

    Objects the test already holds stay valid: a :class:`~reactops.model.Relation` lists
    its units again, a bag reads again, a unit its status, the config its values.
    """
    relations = model.relations
    for name in relations:
        for relation in relations._data.get(name) or ():
            relation._units = None
        relations._invalidate(name)
    for relation in relations._inactive.values():
        relation._units = None
    relations._inactive.clear()
    cache = model._cache
    for bag in cache.bags._bags.values():
        bag.juju = bag.view = None
    for unit in cache._units.values():
        unit._invalidate()
    for app in cache._apps.values():
        app._invalidate()
    model.config._invalidate()
    storages = model._storages
    if storages is not None:
        for name in model._meta.storages:
            storages._invalidate(name)
    model._bindings = None
