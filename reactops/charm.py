"""The charm: :class:`CharmBase` and an event class for every Juju hook.

A charm is a :class:`CharmBase` subclass whose ``__init__`` observes the events it cares
about. Juju's hooks arrive as events on ``charm.on``: the fixed ones (``install``,
``config_changed``, ...) and the ones named by the charm's metadata
(``<endpoint>_relation_changed``, ``<storage>_storage_attached``, ``<action>_action``).
Names and signatures follow ``ops.charm``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

from ._private.typing import TYPE_CHECKING, TypeVar, cast
from .framework import (
    EventBase,
    EventSource,
    Framework,
    Handle,
    LifecycleEvent,
    Object,
    ObjectEvents,
)
from .meta import (
    ActionMeta,
    CharmMeta,
    ConfigMeta,
    ContainerBase,
    ContainerMeta,
    ContainerStorageMeta,
    JujuAssumes,
    MetadataLinks,
    PayloadMeta,
    RelationMeta,
    ResourceMeta,
    StorageMeta,
)

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, Literal

    from ._private.workload_events import (
        PebbleCheckEvent,
        PebbleCheckFailedEvent,
        PebbleCheckRecoveredEvent,
        PebbleCustomNoticeEvent,
        PebbleNoticeEvent,
        PebbleReadyEvent,
        WorkloadEvent,
    )
    from .meta import JujuAssumesCondition, RelationRole
    from .model import (
        Application,
        ConfigData,
        Model,
        Relation,
        Secret,
        StatusBase,
        Storage,
        Unit,
    )

__all__ = [
    'ActionEvent', 'ActionMeta', 'CharmBase', 'CharmEvents', 'CharmMeta', 'CollectMetricsEvent',
    'CollectStatusEvent', 'ConfigChangedEvent', 'ConfigMeta', 'ContainerBase', 'ContainerMeta',
    'ContainerStorageMeta', 'HookEvent', 'InstallEvent', 'JujuAssumes', 'JujuAssumesCondition',
    'LeaderElectedEvent', 'LeaderSettingsChangedEvent', 'MetadataLinks', 'PayloadMeta',
    'PebbleCheckEvent', 'PebbleCheckFailedEvent', 'PebbleCheckRecoveredEvent',
    'PebbleCustomNoticeEvent', 'PebbleNoticeEvent', 'PebbleReadyEvent', 'PostSeriesUpgradeEvent',
    'PreSeriesUpgradeEvent', 'RelationBrokenEvent',
    'RelationChangedEvent', 'RelationCreatedEvent', 'RelationDepartedEvent', 'RelationEvent',
    'RelationJoinedEvent', 'RelationMeta', 'RelationRole', 'RemoveEvent', 'ResourceMeta',
    'SecretChangedEvent', 'SecretEvent', 'SecretExpiredEvent', 'SecretRemoveEvent',
    'SecretRotateEvent', 'StartEvent', 'StopEvent', 'StorageAttachedEvent',
    'StorageDetachingEvent', 'StorageEvent', 'StorageMeta', 'UpdateStatusEvent',
    'UpgradeCharmEvent', 'WorkloadEvent',
]

_T = TypeVar('_T')
_ACTION_RESULT_KEY = r'^[a-z0-9](([a-z0-9-.]+)?[a-z0-9])?$'  # compiled on first use


def _model_of(event: EventBase) -> Model:
    assert event.framework is not None, 'event used before it was emitted'
    return cast('Model', event.framework.model)


class HookEvent(EventBase):
    """An event Juju sent: one per hook (and per action) the unit runs."""

    _juju_hook_event = True


class _NotDeferrable:
    """Mixin for Juju events that will not come again, so deferring them loses them."""

    def defer(self) -> None:
        raise RuntimeError(f'cannot defer {type(self).__name__}: Juju will not send it again '
                           'and the unit may be gone before the next hook; act on it now')


class InstallEvent(HookEvent):
    """The charm was installed on the unit: the first hook it sees."""


class StartEvent(HookEvent):
    """The unit's machine (re)started, or install and the first config-changed are done."""


class StopEvent(_NotDeferrable, HookEvent):
    """The unit is being stopped before its removal; it will not see another start."""


class RemoveEvent(_NotDeferrable, HookEvent):
    """The unit is being removed: the last hook it runs."""


class ConfigChangedEvent(HookEvent):
    """The application's config changed (and after install, upgrade and start)."""


class UpdateStatusEvent(HookEvent):
    """Juju's periodic nudge (every 5 minutes by default) to refresh the workload status."""


class UpgradeCharmEvent(HookEvent):
    """A new revision of the charm was unpacked over the old one."""


class PreSeriesUpgradeEvent(HookEvent):
    """The machine's OS is about to be upgraded (removed in Juju 4)."""

    def __init__(self, handle: Handle):
        warnings.warn('pre-series-upgrade is deprecated and removed in Juju 4',
                      DeprecationWarning, stacklevel=3)
        super().__init__(handle)


class PostSeriesUpgradeEvent(HookEvent):
    """The machine's OS upgrade is done (removed in Juju 4)."""

    def __init__(self, handle: Handle):
        warnings.warn('post-series-upgrade is deprecated and removed in Juju 4',
                      DeprecationWarning, stacklevel=3)
        super().__init__(handle)


class LeaderElectedEvent(HookEvent):
    """This unit became the application's leader."""


class LeaderSettingsChangedEvent(HookEvent):
    """The leader changed its leader settings (deprecated; use a peer relation)."""


class CollectMetricsEvent(HookEvent):
    """Juju asks for metrics; call :meth:`add_metrics` (a restricted hook: few tools work)."""

    def add_metrics(self, metrics: Mapping[str, int | float],
                    labels: Mapping[str, str] | None = None) -> None:
        """Record *metrics* (name to number) with optional *labels*."""
        _model_of(self)._backend.add_metrics(metrics, labels)


class RelationEvent(HookEvent):
    """Something happened on a relation: ``relation`` says which, ``unit``/``app`` who."""

    relation: Relation
    #: The remote application. Typed as always there, as in ops, so that
    #: ``event.relation.data[event.app]`` type-checks: Juju names it in every relation hook.
    #: Only a Juju with bug LP 1960934 left it out (of some ``-relation-broken`` hooks),
    #: and there it is ``None`` at run time.
    app: Application
    #: The remote unit; ``None`` when the event is about the remote application's bag.
    unit: Unit | None

    def __init__(self, handle: Handle, relation: Relation, app: Application | None = None,
                 unit: Unit | None = None):
        super().__init__(handle)
        if unit is not None and app is not None and unit.app != app:
            raise RuntimeError(f'cannot create {type(self).__name__}: unit {unit.name} '
                               f'is not a unit of application {app.name}')
        self.relation = relation
        self.app = cast('Application', app)  # None only under LP 1960934 (see `app`)
        self.unit = unit

    def snapshot(self) -> dict[str, Any]:
        """Store the relation and remote unit/app by name and id."""
        data: dict[str, Any] = {'relation_name': self.relation.name,
                                'relation_id': self.relation.id}
        if self.app is not None:
            data['app_name'] = self.app.name
        if self.unit is not None:
            data['unit_name'] = self.unit.name
        return data

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Look the relation, app and unit up again in this dispatch's model."""
        super().restore(snapshot)
        model = _model_of(self)
        relation = model.get_relation(snapshot['relation_name'], snapshot['relation_id'])
        assert relation is not None
        self.relation = relation
        app_name, unit_name = snapshot.get('app_name'), snapshot.get('unit_name')
        self.app = cast('Application', model.get_app(app_name) if app_name else None)
        self.unit = model.get_unit(unit_name) if unit_name else None


class RelationCreatedEvent(RelationEvent):
    """A relation was established; no remote unit has joined yet."""


class RelationJoinedEvent(RelationEvent):
    """A remote unit joined the relation (``unit``)."""


class RelationChangedEvent(RelationEvent):
    """Relation data changed: a remote unit's (``unit`` set) or the remote app's."""


class RelationDepartedEvent(RelationEvent):
    """A unit left the relation; ``departing_unit`` says which (maybe this one)."""

    def __init__(self, handle: Handle, relation: Relation, app: Application | None = None,
                 unit: Unit | None = None, departing_unit_name: str | None = None):
        super().__init__(handle, relation, app, unit)
        self._departing_unit_name = departing_unit_name

    def snapshot(self) -> dict[str, Any]:
        """Store the relation and the departing unit's name."""
        data = super().snapshot()
        if self._departing_unit_name:
            data['departing_unit'] = self._departing_unit_name
        return data

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Rebuild the event, including the departing unit's name."""
        super().restore(snapshot)
        self._departing_unit_name = snapshot.get('departing_unit')

    @property
    def departing_unit(self) -> Unit | None:
        """The unit leaving the relation, or ``None`` if Juju did not say."""
        if not self._departing_unit_name:
            return None
        return _model_of(self).get_unit(self._departing_unit_name)


class RelationBrokenEvent(RelationEvent):
    """The relation is gone; its data can still be read, ``model.relations`` omits it."""


class StorageEvent(HookEvent):
    """Something happened to a storage instance (``storage``)."""

    def __init__(self, handle: Handle, storage: Storage):
        super().__init__(handle)
        self.storage = storage

    def snapshot(self) -> dict[str, Any]:
        """Store the storage's name, index and location."""
        data: dict[str, Any] = {'storage_name': self.storage.name,
                                'storage_index': self.storage.index}
        location = getattr(self.storage, '_location', None)
        if location is not None:
            data['storage_location'] = str(location)
        return data

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Find the storage instance again in this dispatch's model."""
        super().restore(snapshot)
        model = _model_of(self)
        name, index = snapshot['storage_name'], snapshot['storage_index']
        found = [s for s in model.storages[name] if s.index == index]
        storage = found[0] if found else model.storages._storage_for(name, index)
        if 'storage_location' in snapshot:
            from pathlib import Path

            storage.location = Path(snapshot['storage_location'])
        self.storage = storage


class StorageAttachedEvent(StorageEvent):
    """A storage instance was attached and is ready to use."""


class StorageDetachingEvent(StorageEvent):
    """A storage instance is about to be detached: stop using it now."""


class ActionEvent(_NotDeferrable, EventBase):
    """An operator ran an action: read ``params``, report with ``set_results``/``log``/``fail``.

    ``params`` are read from Juju (``action-get``) each time the event is built.
    """

    _juju_hook_event = True

    def __init__(self, handle: Handle, id: str | None = None):
        super().__init__(handle)
        self.id = id
        self.params: dict[str, Any] = {}

    def snapshot(self) -> dict[str, Any]:
        """Store the action's id."""
        return {'id': self.id}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Read the action's parameters from Juju."""
        super().restore(snapshot)
        self.id = snapshot.get('id')
        self.params = dict(_model_of(self)._backend.action_get() or {})

    def set_results(self, results: Mapping[str, Any]) -> None:
        """Report results; nested dicts become dotted keys (``{'a': {'b': 1}}`` → ``a.b``)."""
        _flatten(results, '', {})  # refuse bad keys here, naming the charm's call
        # The backend flattens for the hook tool; a test backend keeps the values as given.
        _model_of(self)._backend.action_set(dict(results))

    def log(self, message: str) -> None:
        """Send a progress message to the operator running the action."""
        _model_of(self)._backend.action_log(message)

    def fail(self, message: str = '') -> None:
        """Mark the action failed (the hook still completes and commits)."""
        _model_of(self)._backend.action_fail(message)

    def load_params(self, cls: type[_T], *args: Any,
                    errors: Literal['raise', 'fail'] = 'raise', **kwargs: Any) -> _T:
        """Build *cls* from the action's parameters (see :mod:`reactops._private.loadcls`).

        *args* and *kwargs* go to *cls* too. A :class:`ValueError` from *cls* is raised
        with ``errors='raise'``; with ``'fail'`` the action is failed with the reason and
        the dispatch ends successfully.
        """
        from ._private.loadcls import class_fields, keyword_arguments

        arguments = keyword_arguments(self.params, class_fields(cls), kwargs)
        try:
            return cls(*args, **arguments)
        except ValueError as e:
            if errors == 'raise':
                raise
            self.fail(f'Error in action parameters: {e}')
            from ._main import _Abort

            raise _Abort(0) from e


def _flatten(results: Mapping[str, Any], prefix: str, out: dict[str, str]) -> None:
    import re  # only actions with results pay for it

    for key, value in results.items():
        full = f'{prefix}{key}'
        if isinstance(value, Mapping):
            _flatten(value, f'{full}.', out)
            continue
        if not re.match(_ACTION_RESULT_KEY, full):
            raise ValueError(f'action result key {full!r} is not valid: use lowercase '
                             'letters, digits, "-" and "."; start and end with a letter or digit')
        if full in out:
            raise ValueError(f'action result key {full!r} is given twice')
        out[full] = str(value)


class SecretEvent(HookEvent):
    """Something happened to a secret (``secret``)."""

    def __init__(self, handle: Handle, id: str, label: str | None):
        super().__init__(handle)
        self._id = id
        self._label = label

    @property
    def secret(self) -> Secret:
        """The secret, by id (its content is read only when asked for)."""
        return _model_of(self)._secret_handle(self._id, self._label)

    def snapshot(self) -> dict[str, Any]:
        """Store the secret's id and label."""
        return {'id': self._id, 'label': self._label}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Rebuild the event from the secret's id and label."""
        super().restore(snapshot)
        self._id, self._label = snapshot['id'], snapshot.get('label')


class SecretChangedEvent(SecretEvent):
    """A secret this unit tracks has a new revision; ``get_content(refresh=True)`` reads it."""


class SecretRotateEvent(_NotDeferrable, SecretEvent):
    """A secret we own is due for rotation: set new content now."""


class _SecretRevisionEvent(SecretEvent):
    def __init__(self, handle: Handle, id: str, label: str | None, revision: int):
        super().__init__(handle, id, label)
        self._revision = revision

    @property
    def revision(self) -> int:
        """The revision concerned."""
        return self._revision

    def snapshot(self) -> dict[str, Any]:
        """Store the secret and the revision."""
        return {**super().snapshot(), 'revision': self._revision}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Rebuild the event with its revision."""
        super().restore(snapshot)
        self._revision = snapshot['revision']

    def remove_revision(self) -> None:
        """Remove this revision of the secret."""
        self.secret.remove_revision(self._revision)


class SecretRemoveEvent(_SecretRevisionEvent):
    """No one tracks this revision of our secret any more: it can be removed."""


class SecretExpiredEvent(_NotDeferrable, _SecretRevisionEvent):
    """A revision of our secret expired: rotate it now."""


class CollectStatusEvent(LifecycleEvent):
    """Emitted at the end of every dispatch so observers can :meth:`add_status`.

    The highest-priority status added (error, blocked, maintenance, waiting, active) is
    set; the app's only on the leader. Nothing added leaves the status alone.
    """

    def add_status(self, status: StatusBase) -> None:
        """Propose *status* for the unit (or the app, in collect-app-status)."""
        from .model import StatusBase

        if not isinstance(status, StatusBase):
            raise TypeError(f'add_status takes a status such as ActiveStatus(), '
                            f'got {type(status).__name__}')
        if status.name not in ('active', 'blocked', 'maintenance', 'waiting'):
            from .errors import InvalidStatusError

            raise InvalidStatusError(f'a charm cannot set status {status.name!r}')
        assert self.framework is not None
        collected: dict[str, list[StatusBase]] = self.framework._collected_statuses  # type: ignore[attr-defined]
        collected['app' if self.handle.kind == 'collect_app_status' else 'unit'].append(status)


class CharmEvents(ObjectEvents):
    """Every event Juju can send a charm; the metadata adds relation, storage and action ones."""

    install = EventSource(InstallEvent)
    start = EventSource(StartEvent)
    stop = EventSource(StopEvent)
    remove = EventSource(RemoveEvent)
    update_status = EventSource(UpdateStatusEvent)
    config_changed = EventSource(ConfigChangedEvent)
    upgrade_charm = EventSource(UpgradeCharmEvent)
    pre_series_upgrade = EventSource(PreSeriesUpgradeEvent)
    post_series_upgrade = EventSource(PostSeriesUpgradeEvent)
    leader_elected = EventSource(LeaderElectedEvent)
    leader_settings_changed = EventSource(LeaderSettingsChangedEvent)
    collect_metrics = EventSource(CollectMetricsEvent)
    secret_changed = EventSource(SecretChangedEvent)
    secret_expired = EventSource(SecretExpiredEvent)
    secret_rotate = EventSource(SecretRotateEvent)
    secret_remove = EventSource(SecretRemoveEvent)
    collect_app_status = EventSource(CollectStatusEvent)
    collect_unit_status = EventSource(CollectStatusEvent)


_RELATION_EVENTS = (('created', RelationCreatedEvent), ('joined', RelationJoinedEvent),
                    ('changed', RelationChangedEvent), ('departed', RelationDepartedEvent),
                    ('broken', RelationBrokenEvent))
_STORAGE_EVENTS = (('attached', StorageAttachedEvent), ('detaching', StorageDetachingEvent))


class CharmBase(Object):
    """Base class of a charm: subclass it and observe events in ``__init__``.

    Each charm instance gets its own ``on`` with the events its metadata implies, so two
    charms (or two test runs) with different metadata never share event definitions.
    """

    on = CharmEvents()

    def __init__(self, framework: Framework):
        super().__init__(framework, None)
        events_type: type[ObjectEvents] = type(type(self).on)
        own_events = cast(type[ObjectEvents],
                          type(events_type.__name__, (events_type,), {}))
        meta: CharmMeta | None = framework.meta
        if meta is not None:
            for name in meta.relations:
                prefix = name.replace('-', '_')
                for suffix, relation_type in _RELATION_EVENTS:
                    own_events.define_event(f'{prefix}_relation_{suffix}', relation_type)
            for name in meta.storages:
                prefix = name.replace('-', '_')
                for suffix, storage_type in _STORAGE_EVENTS:
                    own_events.define_event(f'{prefix}_storage_{suffix}', storage_type)
            for name in meta.actions:
                own_events.define_event(f'{name.replace("-", "_")}_action', ActionEvent)
            if meta.containers:
                from ._private import workload_events as w

                for name in meta.containers:
                    prefix = name.replace('-', '_')
                    own_events.define_event(f'{prefix}_pebble_ready', w.PebbleReadyEvent)
                    own_events.define_event(f'{prefix}_pebble_custom_notice',
                                            w.PebbleCustomNoticeEvent)
                    own_events.define_event(f'{prefix}_pebble_check_failed',
                                            w.PebbleCheckFailedEvent)
                    own_events.define_event(f'{prefix}_pebble_check_recovered',
                                            w.PebbleCheckRecoveredEvent)
        # An instance attribute wins over the class-level `on` descriptor.
        self.__dict__['on'] = own_events(self)

    @property
    def app(self) -> Application:
        """This unit's application."""
        return cast('Application', self.framework.model.app)

    @property
    def unit(self) -> Unit:
        """This unit."""
        return cast('Unit', self.framework.model.unit)

    @property
    def meta(self) -> CharmMeta:
        """The charm's metadata."""
        return cast(CharmMeta, self.framework.meta)

    @property
    def charm_dir(self) -> Path:
        """The directory the charm's files are in."""
        assert self.framework.charm_dir is not None
        return self.framework.charm_dir

    @property
    def config(self) -> ConfigData:
        """The application's config, validated against the charm's config options."""
        return cast('ConfigData', self.framework.model.config)

    def load_config(self, cls: type[_T], *args: Any,
                    errors: Literal['raise', 'blocked'] = 'raise', **kwargs: Any) -> _T:
        """Build *cls* (a dataclass, a Pydantic model, any class) from the config.

        Option names have dashes turned into underscores; a ``secret`` option's value is
        a :class:`~reactops.model.Secret` (read only when used). *args* and *kwargs* go
        to *cls* too. A :class:`ValueError` from *cls* is raised with ``errors='raise'``;
        with ``'blocked'`` the unit is set blocked with the reason and the dispatch ends
        successfully (Juju should not retry: the operator must fix the config).
        """
        from ._private.loadcls import class_fields, keyword_arguments

        values: dict[str, Any] = {}
        for key, value in self.config.items():
            option = self.meta.config.get(key)
            if option is not None and option.type == 'secret' and isinstance(value, str):
                value = self.framework.model._secret_handle(value, None)
            values[key] = value
        arguments = keyword_arguments(values, class_fields(cls), kwargs)
        try:
            return cls(*args, **arguments)
        except ValueError as e:
            if errors == 'raise':
                raise
            from ._main import _Abort
            from .model import BlockedStatus

            self.unit.status = BlockedStatus(f'Invalid config: {e}')
            raise _Abort(0) from e


def evaluate_status(charm: CharmBase) -> None:
    """Run collect-status: emit collect-app-status (leader only) and collect-unit-status,
    and set the highest-priority status each collected.

    Leadership is asked (``is-leader``) only when something observes collect-app-status.
    """
    from .model import StatusBase

    framework = charm.framework
    collected: dict[str, list[StatusBase]] = {'app': [], 'unit': []}
    framework._collected_statuses = collected  # type: ignore[attr-defined]
    if framework._is_observed(charm.on.collect_app_status) and charm.unit.is_leader():
        charm.on.collect_app_status.emit()
        if collected['app']:
            charm.app.status = StatusBase._highest_priority(collected['app'])
    charm.on.collect_unit_status.emit()
    if collected['unit']:
        charm.unit.status = StatusBase._highest_priority(collected['unit'])


# ops' name for it, which ops' own tests and some charm tests call directly.
_evaluate_status = evaluate_status


# The workload (container) events are loaded on first use: machine charms never need them.
_WORKLOAD_EVENTS = frozenset({
    'PebbleCheckEvent', 'PebbleCheckFailedEvent', 'PebbleCheckRecoveredEvent',
    'PebbleCustomNoticeEvent', 'PebbleNoticeEvent', 'PebbleReadyEvent', 'WorkloadEvent'})


def __getattr__(name: str) -> Any:
    if name in _WORKLOAD_EVENTS:
        from ._private import workload_events

        return getattr(workload_events, name)
    if name in ('RelationRole', 'JujuAssumesCondition'):  # made on first use: see meta
        from . import meta

        return getattr(meta, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
