"""The events a test runs: ``ctx.on.install()``, ``ctx.on.relation_changed(rel)``, ...

Each factory returns a frozen :class:`Event` that says which Juju event to run and with
what (relation, remote unit, action parameters, secret, storage); :class:`Context` turns it
into the ``JUJU_*`` context of the dispatch.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping
from typing import Any

from ._state import (
    DeferredEvent,
    PeerRelation,
    Relation,
    RelationBase,
    Secret,
    Storage,
    SubordinateRelation,
)

__all__ = ['Event', 'EventFactory']

_action_ids = itertools.count(1)


class _Default:
    """The marker for "the relation's first remote unit" (``None`` means no unit)."""

    def __repr__(self) -> str:
        return '<first remote unit>'


_FIRST = _Default()


@dataclasses.dataclass(frozen=True)
class Event:
    """One Juju event to run, as ``ctx.on.<event>(...)`` describes it.

    :attr:`name` is the event's name on ``charm.on`` (``db_relation_changed``,
    ``backup_action``); :attr:`hook_name` is Juju's (``db-relation-changed``; empty for
    actions). The other fields are set only for the events that carry them.
    """

    name: str
    hook_name: str = ''
    relation: RelationBase | None = None
    remote_app: str | None = None
    remote_unit: str | None = None
    departing_unit: str | None = None
    storage: Storage | None = None
    secret: Secret | None = None
    secret_revision: int | None = None
    action_name: str | None = None
    action_params: Mapping[str, Any] | None = None
    action_id: str | None = None

    @property
    def dispatch_path(self) -> str:
        """``JUJU_DISPATCH_PATH``: ``hooks/<hook>`` or ``actions/<action>``."""
        if self.action_name is not None:
            return f'actions/{self.action_name}'
        return f'hooks/{self.hook_name}'

    def deferred(self, handler: Callable[..., Any], event_id: int = 1) -> DeferredEvent:
        """This event as deferred by *handler* (a charm method, e.g. ``MyCharm._on_start``)
        in an earlier dispatch: put the result in ``State.deferred``."""
        parts = str(getattr(handler, '__qualname__', '')).split('.')
        if len(parts) < 2 or not parts[-2].isidentifier():
            raise TypeError(f'deferred() needs a method of the charm class such as '
                            f'MyCharm._on_start, not {handler!r}; build a DeferredEvent '
                            f'by hand for an observer that is not on the charm')
        owner, method = parts[-2], parts[-1]
        return DeferredEvent(f'{owner}/on/{self.name}[{event_id}]', owner, method,
                             self._snapshot())

    def _snapshot(self) -> dict[str, Any]:
        """The data the event class saves (see ``snapshot()`` in reactops.charm)."""
        data: dict[str, Any] = {}
        if self.relation is not None:
            data = {'relation_name': self.relation.endpoint, 'relation_id': self.relation.id}
            if self.remote_app:
                data['app_name'] = self.remote_app
            if self.remote_unit:
                data['unit_name'] = self.remote_unit
            if self.departing_unit:
                data['departing_unit'] = self.departing_unit
        elif self.storage is not None:
            data = {'storage_name': self.storage.name, 'storage_index': self.storage.index}
        elif self.secret is not None:
            data = {'id': self.secret.id, 'label': self.secret.label}
            if self.secret_revision is not None:
                data['revision'] = self.secret_revision
        return data


class EventFactory:
    """``ctx.on``: one method per Juju event, each returning an :class:`Event`."""

    def __init__(self, app_name: str):
        self._app_name = app_name

    def _hook(self, hook: str, **fields: Any) -> Event:
        return Event(hook.replace('-', '_'), hook, **fields)

    def install(self) -> Event:
        return self._hook('install')

    def start(self) -> Event:
        return self._hook('start')

    def stop(self) -> Event:
        return self._hook('stop')

    def remove(self) -> Event:
        return self._hook('remove')

    def update_status(self) -> Event:
        return self._hook('update-status')

    def config_changed(self) -> Event:
        return self._hook('config-changed')

    def upgrade_charm(self) -> Event:
        return self._hook('upgrade-charm')

    def pre_series_upgrade(self) -> Event:
        return self._hook('pre-series-upgrade')

    def post_series_upgrade(self) -> Event:
        return self._hook('post-series-upgrade')

    def leader_elected(self) -> Event:
        return self._hook('leader-elected')

    def leader_settings_changed(self) -> Event:
        return self._hook('leader-settings-changed')

    def collect_metrics(self) -> Event:
        return self._hook('collect-metrics')

    # -- relations -----------------------------------------------------------------------

    def _remote_app(self, relation: RelationBase) -> str:
        return self._app_name if isinstance(relation, PeerRelation) else relation.remote_app

    def _unit(self, relation: RelationBase, unit: int | str | None | _Default) -> str | None:
        if unit is None:
            return None
        if isinstance(unit, _Default):
            numbers: list[int] = []
            if isinstance(relation, Relation):
                numbers = sorted(relation.remote_units_data)
            elif isinstance(relation, PeerRelation):
                numbers = sorted(relation.peers_data)
            elif isinstance(relation, SubordinateRelation):
                numbers = [relation.remote_unit_id]
            return f'{self._remote_app(relation)}/{numbers[0]}' if numbers else None
        if isinstance(unit, int) and not isinstance(unit, bool):
            return f'{self._remote_app(relation)}/{unit}'
        if isinstance(unit, str) and '/' in unit:
            return unit
        raise TypeError(f'a remote unit is a unit number (0) or a unit name '
                        f"('{self._remote_app(relation)}/0'), not {unit!r}")

    def _relation(self, kind: str, relation: RelationBase, **fields: Any) -> Event:
        if not isinstance(relation, RelationBase):
            raise TypeError(f'relation_{kind}() takes a Relation, PeerRelation or '
                            f'SubordinateRelation of the State, not {relation!r}')
        return self._hook(f'{relation.endpoint}-relation-{kind}', relation=relation,
                          remote_app=self._remote_app(relation), **fields)

    def relation_created(self, relation: RelationBase) -> Event:
        return self._relation('created', relation)

    def relation_joined(self, relation: RelationBase,
                        remote_unit: int | str | None | _Default = _FIRST) -> Event:
        return self._relation('joined', relation,
                              remote_unit=self._unit(relation, remote_unit))

    def relation_changed(self, relation: RelationBase,
                         remote_unit: int | str | None | _Default = _FIRST) -> Event:
        """Pass ``remote_unit=None`` for "the remote application's data changed"."""
        return self._relation('changed', relation,
                              remote_unit=self._unit(relation, remote_unit))

    def relation_departed(self, relation: RelationBase,
                          remote_unit: int | str | None | _Default = _FIRST,
                          departing_unit: int | str | None = None) -> Event:
        """*departing_unit* defaults to the remote unit (the one that leaves)."""
        unit = self._unit(relation, remote_unit)
        departing = unit if departing_unit is None else self._unit(relation, departing_unit)
        return self._relation('departed', relation, remote_unit=unit,
                              departing_unit=departing)

    def relation_broken(self, relation: RelationBase) -> Event:
        return self._relation('broken', relation)

    # -- storage, secrets, actions -------------------------------------------------------

    def _storage(self, kind: str, storage: Storage) -> Event:
        if not isinstance(storage, Storage):
            raise TypeError(f'storage_{kind}() takes a Storage of the State, not {storage!r}')
        return self._hook(f'{storage.name}-storage-{kind}', storage=storage)

    def storage_attached(self, storage: Storage) -> Event:
        return self._storage('attached', storage)

    def storage_detaching(self, storage: Storage) -> Event:
        return self._storage('detaching', storage)

    def _secret(self, kind: str, secret: Secret, revision: int | None = None) -> Event:
        if not isinstance(secret, Secret):
            raise TypeError(f'secret_{kind}() takes a Secret of the State, not {secret!r}')
        return self._hook(f'secret-{kind}', secret=secret, secret_revision=revision)

    def secret_changed(self, secret: Secret) -> Event:
        return self._secret('changed', secret)

    def secret_rotate(self, secret: Secret) -> Event:
        return self._secret('rotate', secret)

    def secret_expired(self, secret: Secret, revision: int) -> Event:
        return self._secret('expired', secret, revision)

    def secret_remove(self, secret: Secret, revision: int) -> Event:
        return self._secret('remove', secret, revision)

    def action(self, name: str, params: Mapping[str, Any] | None = None,
               id: str | None = None) -> Event:
        """Run action *name* with *params* (the actions.yaml defaults fill the rest)."""
        if not isinstance(name, str) or not name:
            raise TypeError(f'action() needs the action name as a string, not {name!r}')
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(f'action params must be a mapping, not {params!r}')
        return Event(f'{name.replace("-", "_")}_action', '', action_name=name,
                     action_params=dict(params or {}),
                     action_id=str(next(_action_ids)) if id is None else id)
