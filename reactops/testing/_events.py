"""The events a test runs: ``ctx.on.install()``, ``ctx.on.relation_changed(rel)``, ...

Each factory of :class:`CharmEvents` returns a frozen :class:`_Event` that says which
event to run and with what (relation, remote unit, action, secret, storage, container);
the context turns it into the ``JUJU_*`` context of the dispatch.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._state_parts import DeferredEvent, Storage, _check_name
from ._state_pebble import CheckInfo, Container, Notice
from ._state_relations import PeerRelation, RelationBase, Secret

if TYPE_CHECKING:
    from ..framework import BoundEvent

__all__ = ['CharmEvents']

_ACTION_EVENT_SUFFIX = '_action'
_BUILTIN_EVENTS = frozenset({
    'start', 'stop', 'install', 'remove', 'update_status', 'config_changed', 'upgrade_charm',
    'pre_series_upgrade', 'post_series_upgrade', 'leader_elected', 'leader_settings_changed',
    'collect_metrics'})
_FRAMEWORK_EVENTS = frozenset({'pre_commit', 'commit', 'collect_app_status',
                               'collect_unit_status'})
_RELATION_EVENTS_SUFFIX = frozenset({
    '_relation_changed', '_relation_broken', '_relation_joined', '_relation_departed',
    '_relation_created'})
_STORAGE_EVENTS_SUFFIX = frozenset({'_storage_detaching', '_storage_attached'})
_SECRET_EVENTS = frozenset({'secret_changed', 'secret_remove', 'secret_rotate',
                            'secret_expired'})
_WORKLOAD_EVENTS_SUFFIX = ('_pebble_ready', '_pebble_custom_notice', '_pebble_check_failed',
                           '_pebble_check_recovered')


class _EventType(str, enum.Enum):
    """What kind of event a name denotes (by its suffix)."""

    FRAMEWORK = 'framework'
    BUILTIN = 'builtin'
    RELATION = 'relation'
    ACTION = 'action'
    SECRET = 'secret'  # noqa: S105 - a kind of event, not a password
    STORAGE = 'storage'
    WORKLOAD = 'workload'
    CUSTOM = 'custom'


def _suffix_and_type(name: str) -> tuple[str, _EventType]:
    for suffix in _RELATION_EVENTS_SUFFIX:
        if name.endswith(suffix):
            return suffix, _EventType.RELATION
    if name.endswith(_ACTION_EVENT_SUFFIX):
        return _ACTION_EVENT_SUFFIX, _EventType.ACTION
    if name in _SECRET_EVENTS:
        return name, _EventType.SECRET
    if name in _FRAMEWORK_EVENTS:
        return name, _EventType.FRAMEWORK
    for suffix in _STORAGE_EVENTS_SUFFIX:
        if name.endswith(suffix):
            return suffix, _EventType.STORAGE
    for suffix in _WORKLOAD_EVENTS_SUFFIX:
        if name.endswith(suffix):
            return suffix, _EventType.WORKLOAD
    if name in _BUILTIN_EVENTS:
        return name, _EventType.BUILTIN
    return '', _EventType.CUSTOM


class _EventPath(str):
    """An event name (``db-relation-changed``, ``on.start``, ``lib.on.ready``) and what it
    says: the Python name, the owner path, the kind and the Juju prefix."""

    python_name: str
    owner_path: list[str]
    python_suffix: str
    juju_prefix: str
    type: _EventType

    def __new__(cls, value: str) -> _EventPath:
        self = super().__new__(cls, value)
        raw = value.split('.')[-1]
        self.owner_path = value.split('.')[:-1] or ['on']
        self.python_name = raw.replace('-', '_')
        self.python_suffix, self.type = _suffix_and_type(self.python_name)
        self.juju_prefix = raw[:len(raw) - len(self.python_suffix)]
        return self


_next_action_id_counter = 1


def _next_action_id(*, update: bool = True) -> str:
    """The id the next action will get (taken only with *update*)."""
    global _next_action_id_counter
    current = _next_action_id_counter
    if update:
        _next_action_id_counter += 1
    return str(current)


@dataclasses.dataclass(frozen=True)
class _Action:
    """One ``juju run`` of action *name* with *params* (the actions.yaml defaults fill in
    the rest) and a unique *id*."""

    name: str
    _: dataclasses.KW_ONLY
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    id: str = dataclasses.field(default_factory=_next_action_id)

    def __post_init__(self) -> None:
        _check_name(self.name, 'action')


@dataclasses.dataclass(frozen=True)
class _Event:
    """One event to run: its *path* (``start``, ``db_relation_changed``,
    ``{custom}.Lib.ready``) and what it is about."""

    path: str
    storage: Storage | None = None
    relation: RelationBase | None = None
    relation_remote_unit_id: int | None = None
    relation_departed_unit_id: int | None = None
    secret: Secret | None = None
    secret_revision: int | None = None
    container: Container | None = None
    notice: Notice | None = None
    check_info: CheckInfo | None = None
    action: _Action | None = None
    custom_event: BoundEvent | None = None
    custom_event_args: Iterable[Any] = dataclasses.field(default_factory=tuple)
    custom_event_kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    _owner_path: list[str] = dataclasses.field(default_factory=list)
    _juju_name: str = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        path = _EventPath(self.path)
        object.__setattr__(self, 'path', path)
        object.__setattr__(self, '_juju_name',
                           f'{path.juju_prefix}{path.python_suffix.replace("_", "-")}')

    @property
    def _path(self) -> _EventPath:
        assert isinstance(self.path, _EventPath)
        return self.path

    @property
    def name(self) -> str:
        """The event's name on ``charm.on`` (``foo_bar_relation_changed``)."""
        return self._path.python_name

    @property
    def owner_path(self) -> list[str]:
        """The path to the events object that owns the event (``['on']`` for the charm's)."""
        return self._path.owner_path

    @property
    def _is_relation_event(self) -> bool:
        return self._path.type is _EventType.RELATION

    @property
    def _is_action_event(self) -> bool:
        return self._path.type is _EventType.ACTION

    @property
    def _is_secret_event(self) -> bool:
        return self._path.type is _EventType.SECRET

    @property
    def _is_storage_event(self) -> bool:
        return self._path.type is _EventType.STORAGE

    @property
    def _is_workload_event(self) -> bool:
        return self._path.type is _EventType.WORKLOAD

    @property
    def _is_custom_event(self) -> bool:
        return self.custom_event is not None

    def _is_builtin_event(self, charm_spec: Any) -> bool:
        from ..charm import CharmEvents as _OpsCharmEvents

        if hasattr(charm_spec.charm_type.on, self.name):
            return hasattr(_OpsCharmEvents, self.name)
        return self._path.type is not _EventType.CUSTOM

    # reactops' own view of the event, for the dispatch.

    @property
    def hook_name(self) -> str:
        """Juju's hook name (``db-relation-changed``; empty for actions)."""
        return '' if self._is_action_event else self._juju_name

    @property
    def action_name(self) -> str | None:
        """The action's name, for an action event."""
        return self.action.name if self.action is not None else None

    @property
    def dispatch_path(self) -> str:
        """``JUJU_DISPATCH_PATH``: ``hooks/<hook>`` or ``actions/<action>``."""
        if self.action is not None:
            return f'actions/{self.action.name}'
        return f'hooks/{self._juju_name}'

    def deferred(self, handler: Callable[..., Any], event_id: int = 1) -> DeferredEvent:
        """This event as deferred by *handler* (a charm method, e.g. ``MyCharm._on_start``)
        in an earlier dispatch: put the result in ``State.deferred``."""
        match = re.match(r'<function (.*) at .*>', repr(handler))
        if not match:
            raise ValueError(f'cannot construct DeferredEvent from {handler}; please create '
                             f'one manually.')
        owner, method = match.group(1).split('.')[-2:]
        return DeferredEvent(f'{owner}/on/{self.name}[{event_id}]', owner, method,
                             snapshot_data=self._snapshot())

    def _snapshot(self) -> dict[str, Any]:
        """The data the ops event class saves for this event."""
        data: dict[str, Any] = {}
        if self._is_workload_event and self.container is not None:
            data['container_name'] = self.container.name
            if self.notice is not None:
                kind = self.notice.type
                data.update(notice_id=self.notice.id, notice_key=self.notice.key,
                            notice_type=str(getattr(kind, 'value', kind)))
            elif self.check_info is not None:
                data['check_name'] = self.check_info.name
        elif self._is_relation_event and self.relation is not None:
            relation = self.relation
            remote = 'local' if isinstance(relation, PeerRelation) else \
                getattr(relation, 'remote_app_name', 'remote')
            data.update(relation_name=relation.endpoint, relation_id=relation.id,
                        app_name=remote)
            unit_id = self.relation_remote_unit_id
            if unit_id is None and relation._remote_unit_ids:
                unit_id = relation._remote_unit_ids[0]  # as the run picks it
            if not self.name.endswith(('_created', '_broken')):
                data['unit_name'] = f'{remote}/{unit_id}'
            if self.name.endswith('_departed'):
                departed = self.relation_departed_unit_id
                data['departing_unit'] = f'{remote}/{unit_id if departed is None else departed}'
        elif self._is_storage_event and self.storage is not None:
            data.update(storage_name=self.storage.name, storage_index=self.storage.index)
        elif self._is_secret_event and self.secret is not None:
            data.update(secret_id=self.secret.id, secret_label=self.secret.label)
            if self.name.endswith(('_remove', '_expired')):
                data['secret_revision'] = self.secret_revision
        elif self._is_action_event and self.action is not None:
            data['id'] = self.action.id
        return data


class CharmEvents:
    """``ctx.on``: one factory per Juju event, each returning the event to run."""

    @staticmethod
    def install() -> _Event:
        return _Event('install')

    @staticmethod
    def start() -> _Event:
        return _Event('start')

    @staticmethod
    def stop() -> _Event:
        return _Event('stop')

    @staticmethod
    def remove() -> _Event:
        return _Event('remove')

    @staticmethod
    def update_status() -> _Event:
        return _Event('update_status')

    @staticmethod
    def config_changed() -> _Event:
        return _Event('config_changed')

    @staticmethod
    def upgrade_charm() -> _Event:
        return _Event('upgrade_charm')

    @staticmethod
    def pre_series_upgrade() -> _Event:
        return _Event('pre_series_upgrade')

    @staticmethod
    def post_series_upgrade() -> _Event:
        return _Event('post_series_upgrade')

    @staticmethod
    def leader_elected() -> _Event:
        return _Event('leader_elected')

    @staticmethod
    def collect_metrics() -> _Event:
        return _Event('collect_metrics')

    @staticmethod
    def collect_app_status() -> _Event:
        """The end-of-hook evaluation of the app status, run on its own."""
        return _Event('collect_app_status')

    @staticmethod
    def collect_unit_status() -> _Event:
        """The end-of-hook evaluation of the unit status, run on its own."""
        return _Event('collect_unit_status')

    # -- secrets ---------------------------------------------------------------------------

    @staticmethod
    def secret_changed(secret: Secret) -> _Event:
        if secret.owner:
            raise ValueError('This unit will never receive secret-changed for a secret it '
                             'owns.')
        return _Event('secret_changed', secret=secret)

    @staticmethod
    def secret_expired(secret: Secret, *, revision: int) -> _Event:
        if not secret.owner:
            raise ValueError('This unit will never receive secret-expire for a secret it '
                             'does not own.')
        return _Event('secret_expired', secret=secret, secret_revision=revision)

    @staticmethod
    def secret_rotate(secret: Secret) -> _Event:
        if not secret.owner:
            raise ValueError('This unit will never receive secret-rotate for a secret it '
                             'does not own.')
        return _Event('secret_rotate', secret=secret)

    @staticmethod
    def secret_remove(secret: Secret, *, revision: int) -> _Event:
        if not secret.owner:
            raise ValueError('This unit will never receive secret-removed for a secret it '
                             'does not own.')
        return _Event('secret_remove', secret=secret, secret_revision=revision)

    # -- relations ---------------------------------------------------------------------------

    @staticmethod
    def relation_created(relation: RelationBase) -> _Event:
        return _Event(f'{relation.endpoint}_relation_created', relation=relation)

    @staticmethod
    def relation_joined(relation: RelationBase, *, remote_unit: int | None = None) -> _Event:
        return _Event(f'{relation.endpoint}_relation_joined', relation=relation,
                      relation_remote_unit_id=remote_unit)

    @staticmethod
    def relation_changed(relation: RelationBase, *,
                         remote_unit: int | None = None) -> _Event:
        return _Event(f'{relation.endpoint}_relation_changed', relation=relation,
                      relation_remote_unit_id=remote_unit)

    @staticmethod
    def relation_departed(relation: RelationBase, *, remote_unit: int | None = None,
                          departing_unit: int | None = None) -> _Event:
        return _Event(f'{relation.endpoint}_relation_departed', relation=relation,
                      relation_remote_unit_id=remote_unit,
                      relation_departed_unit_id=departing_unit)

    @staticmethod
    def relation_broken(relation: RelationBase) -> _Event:
        return _Event(f'{relation.endpoint}_relation_broken', relation=relation)

    # -- storage, workloads ------------------------------------------------------------------

    @staticmethod
    def storage_attached(storage: Storage) -> _Event:
        return _Event(f'{storage.name}_storage_attached', storage=storage)

    @staticmethod
    def storage_detaching(storage: Storage) -> _Event:
        return _Event(f'{storage.name}_storage_detaching', storage=storage)

    @staticmethod
    def pebble_ready(container: Container) -> _Event:
        return _Event(f'{container.name}_pebble_ready', container=container)

    @staticmethod
    def pebble_custom_notice(container: Container, notice: Notice) -> _Event:
        return _Event(f'{container.name}_pebble_custom_notice', container=container,
                      notice=notice)

    @staticmethod
    def pebble_check_failed(container: Container, info: CheckInfo) -> _Event:
        return _Event(f'{container.name}_pebble_check_failed', container=container,
                      check_info=info)

    @staticmethod
    def pebble_check_recovered(container: Container, info: CheckInfo) -> _Event:
        return _Event(f'{container.name}_pebble_check_recovered', container=container,
                      check_info=info)

    # -- actions and custom events -------------------------------------------------------------

    @staticmethod
    def action(name: str, params: Mapping[str, Any] | None = None,
               id: str | None = None) -> _Event:
        """Run action *name* with *params* (the actions.yaml defaults fill the rest)."""
        fields: dict[str, Any] = {}
        if params:
            fields['params'] = params
        if id:
            fields['id'] = id
        return _Event(f'{name}_action', action=_Action(name, **fields))

    @staticmethod
    def custom(event: BoundEvent, *args: Any, **kwargs: Any) -> _Event:
        """A charm library's own event (``MyLib.on.ready``), emitted with *args* and
        *kwargs* (State relations, secrets, ... become their model objects)."""
        from ..charm import HookEvent

        if issubclass(event.event_type, HookEvent):
            raise ValueError('custom events should subclass EventBase directly - testing '
                             'events that inherit from a Juju hook event must be done by '
                             'running the underlying Juju event, for example: '
                             'ctx.run(ctx.on.relation_changed(relation), state)')
        return _Event(f'{{custom}}.{type(event.emitter).__name__}.{event.event_kind}',
                      custom_event=event, custom_event_args=args, custom_event_kwargs=kwargs)


Event = _Event
"""The public name of an event to run (what ``ctx.on.<event>()`` returns)."""
