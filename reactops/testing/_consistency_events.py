"""The consistency checks of the event: its relation, remote and departing units,
storage, secret or action parameters against the State and the charm's metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from .._private.meta_validate import JSON_TYPES, is_json_type
from ..meta import CharmMeta
from ._state import PeerRelation, Relation, RelationBase, Secret, State, Storage

_RELATION_KINDS = ('relation_created', 'relation_joined', 'relation_changed',
                   'relation_departed', 'relation_broken')
_STORAGE_KINDS = ('storage_attached', 'storage_detaching')
_SECRET_KINDS = ('secret_changed', 'secret_rotate', 'secret_expired', 'secret_remove')
_OWNER_ONLY_SECRET_KINDS = ('secret_rotate', 'secret_expired', 'secret_remove')


class EventLike(Protocol):
    """What the checker reads from an event (``Context.on.*`` builds them)."""

    @property
    def name(self) -> str: ...
    @property
    def relation(self) -> RelationBase | None: ...
    @property
    def remote_unit(self) -> str | None: ...
    @property
    def departing_unit(self) -> str | None: ...
    @property
    def action_name(self) -> str | None: ...
    @property
    def action_params(self) -> Mapping[str, Any] | None: ...
    @property
    def storage(self) -> Storage | None: ...
    @property
    def secret(self) -> Secret | None: ...
    @property
    def secret_revision(self) -> int | None: ...


def _kind(name: str, kinds: Iterable[str]) -> tuple[str, str] | None:
    """The (kind, endpoint prefix) of an event name such as ``db_relation_changed``."""
    for kind in kinds:
        if name == kind:
            return kind, ''
        if name.endswith('_' + kind):
            return kind, name[:-len(kind) - 1]
    return None


def _describe(value: object) -> str:
    return f'{value!r} ({type(value).__name__})'


def _rel(relation: RelationBase) -> str:
    return f'{type(relation).__name__} {relation.endpoint!r} (id {relation.id})'


class _EventChecks:
    """The event's checks, mixed into the checker (which provides the attributes)."""

    state: State
    meta: CharmMeta
    app_name: str
    unit_id: int
    version: tuple[int, int, int] | None
    juju_version: str

    def add(self, problem: str) -> None:
        raise NotImplementedError

    def secrets_supported(self) -> bool:
        raise NotImplementedError

    def check_event(self, event: EventLike) -> None:
        name = event.name
        if (kind := _kind(name, _RELATION_KINDS)) is not None:
            self.check_relation_event(event, *kind)
        elif (kind := _kind(name, _STORAGE_KINDS)) is not None:
            self.check_storage_event(event, *kind)
        elif (kind := _kind(name, _SECRET_KINDS)) is not None:
            self.check_secret_event(event, kind[0])
        elif name == 'action' or name.endswith('_action'):
            self.check_action_event(event)

    def check_relation_event(self, event: EventLike, kind: str, prefix: str) -> None:
        relation = event.relation
        if relation is None:
            self.add(f'the {event.name} event has no relation; pass the relation (one of '
                     'State.relations) to the event factory')
            return
        if not any(r is relation or r.id == relation.id for r in self.state.relations):
            self.add(f'the {event.name} event is for {_rel(relation)}, which is not in '
                     'State.relations; Juju only sends events for relations the unit is in: '
                     'add it to the State (the same object)')
            return
        if prefix and prefix != relation.endpoint.replace('-', '_'):
            self.add(f'the {event.name} event is for {_rel(relation)}; its name says '
                     f'endpoint {prefix!r}: use {relation.endpoint.replace("-", "_")}_{kind}')
        self.check_remote_unit(event, kind, relation)

    def check_remote_unit(self, event: EventLike, kind: str, relation: RelationBase) -> None:
        remote_unit = event.remote_unit
        units = self.remote_unit_names(relation)
        if getattr(event, 'by_unit_number', False):
            # An ops.testing event names the remote unit by number (or the run picks the
            # first one); as there, only a missing unit is refused.
            if remote_unit is None and kind in ('relation_joined', 'relation_changed',
                                                'relation_departed'):
                self.add(f'{event.name!r} must provide a remote unit. Pass in `remote_unit`.')
            return
        app = self.app_name if isinstance(relation, PeerRelation) else relation.remote_app
        if kind in ('relation_created', 'relation_broken'):
            if remote_unit is not None:
                self.add(f'the {event.name} event has remote unit {remote_unit!r}; Juju sets '
                         f'no remote unit for {kind.replace("_", "-")}: leave it out')
        elif remote_unit is None:
            # relation-changed without a unit is Juju's "the remote app's data changed".
            if kind != 'relation_changed':
                self.add(f'the {event.name} event has no remote unit; Juju always names the '
                         f'unit that {"joined" if kind == "relation_joined" else "left"}: '
                         f'pass remote_unit= (one of {", ".join(units) or "none"})')
        elif kind == 'relation_departed':
            # The departing unit has already left relation-list, so it may be missing.
            own = f'{self.app_name}/{self.unit_id}'
            if not re.fullmatch(rf'{re.escape(app)}/\d+', remote_unit) or remote_unit == own:
                self.add(f'the {event.name} event has remote unit {remote_unit!r}, which is '
                         f'not a unit of the remote application {app!r} of {_rel(relation)}; '
                         f"name one such as '{app}/0'")
        elif remote_unit not in units:
            self.add(f'the {event.name} event has remote unit {remote_unit!r}, which is not '
                     f'a unit of {_rel(relation)} (its units: {", ".join(units) or "none"}); '
                     'add the unit to the relation or name one of its units')
        self.check_departing_unit(event, kind, remote_unit)

    def check_departing_unit(self, event: EventLike, kind: str, remote_unit: str | None
                             ) -> None:
        departing = event.departing_unit
        own = f'{self.app_name}/{self.unit_id}'
        if departing is None:
            return
        if kind != 'relation_departed':
            self.add(f'the {event.name} event has departing unit {departing!r}; only '
                     'relation-departed has one: leave it out')
        elif departing not in (remote_unit, own):
            self.add(f'the {event.name} event has departing unit {departing!r}; the departing '
                     f'unit is either the remote unit ({remote_unit!r}) or this unit '
                     f'({own!r})')

    def remote_unit_names(self, relation: RelationBase) -> list[str]:
        if isinstance(relation, PeerRelation):
            return [f'{self.app_name}/{n}' for n in relation.peers_data]
        if isinstance(relation, Relation):
            return [f'{relation.remote_app_name}/{n}' for n in relation.remote_units_data]
        return list(relation.remote_units())

    def check_storage_event(self, event: EventLike, kind: str, prefix: str) -> None:
        storage = event.storage
        if storage is None:
            self.add(f'the {event.name} event has no storage; pass the storage (one of '
                     'State.storages) to the event factory')
            return
        if storage.name not in self.meta.storages:
            self.add(f'the {event.name} event is for storage {storage.full_id!r}, but the '
                     f'charm declares no storage {storage.name!r}; declare it under "storage" '
                     'in the metadata')
        if not any((s.name, s.index) == (storage.name, storage.index)
                   for s in self.state.storages):
            self.add(f'the {event.name} event is for storage {storage.full_id!r}, which is '
                     'not in State.storages; Juju only attaches or detaches storage the unit '
                     'has: add it to the State')
        if prefix and prefix != storage.name.replace('-', '_'):
            self.add(f'the {event.name} event is for storage {storage.name!r}; use '
                     f'{storage.name.replace("-", "_")}_{kind}')

    def check_secret_event(self, event: EventLike, kind: str) -> None:
        if not self.secrets_supported():
            self.add(f'the {event.name} event needs secrets, which Juju '
                     f'{self.juju_version} does not have; use juju_version 3.0 or later')
        secret = event.secret
        if secret is None:
            self.add(f'the {event.name} event has no secret; pass the secret (one of '
                     'State.secrets) to the event factory')
            return
        if not any(s is secret or s.id == secret.id for s in self.state.secrets):
            self.add(f'the {event.name} event is for secret {secret.id!r}, which is not in '
                     'State.secrets; add it to the State (the same object)')
        if kind in _OWNER_ONLY_SECRET_KINDS and secret.owner is None:
            self.add(f'the {event.name} event is for secret {secret.id!r}, which this charm '
                     f'does not own; Juju sends {kind.replace("_", "-")} to the owner only: '
                     "set owner='app' (or 'unit') on the Secret")
        if kind == 'secret_changed' and secret.owner is not None:
            self.add(f'the {event.name} event is for secret {secret.id!r}, which this charm '
                     f'owns ({secret.owner!r}); Juju sends secret-changed to the units that '
                     'observe a secret, not to its owner: set owner=None')

    def check_action_event(self, event: EventLike) -> None:
        name = event.action_name
        if name is None or name not in self.meta.actions:
            known = ', '.join(sorted(self.meta.actions)) or 'none'
            self.add(f'the action event runs action {name!r}, which the charm does not '
                     f'declare (declared: {known}); add it to actions.yaml/charmcraft.yaml '
                     'or fix the name')
            return
        action = self.meta.actions[name]
        params = event.action_params or {}
        if not isinstance(params, Mapping):
            self.add(f'action {name!r} has params {_describe(params)}; pass a dict')
            return
        schemas: Mapping[str, Any] = action.parameters
        for param in action.required:
            schema = schemas.get(param)
            has_default = isinstance(schema, Mapping) and 'default' in schema
            if param not in params and not has_default:
                self.add(f'action {name!r} requires the parameter {param!r}; Juju refuses '
                         'to run it without: pass it in params=')
        raw = self.meta.actions_raw.get(name)
        explicit = raw.get('additionalProperties') if isinstance(raw, Mapping) else None
        major = self.version[0] if self.version else 3
        extra_ok = explicit if isinstance(explicit, bool) else major < 4
        if getattr(event, 'by_unit_number', False):
            # ops.testing: every parameter given must be declared with a known type.
            extra_ok = False
            for param, schema in schemas.items():
                if param in params and not (isinstance(schema, Mapping)
                                            and schema.get('type') in JSON_TYPES):
                    self.add(f'action {name!r} parameter {param!r} has no known type in '
                             'actions.yaml; declare its type (string, integer, ...)')
        for param, value in params.items():
            schema = schemas.get(param)
            if schema is None:
                if not extra_ok:
                    self.add(f'action {name!r} has no parameter {param!r} and does not allow '
                             f'others (additionalProperties is false); declared: '
                             f'{", ".join(sorted(schemas)) or "none"}')
                continue
            if isinstance(schema, Mapping):
                self.check_param(name, param, value, schema)

    def check_param(self, action: str, param: str, value: object,
                    schema: Mapping[str, Any]) -> None:
        declared = schema.get('type')
        types = [declared] if isinstance(declared, str) else list(declared or [])
        known = [t for t in types if t in JSON_TYPES]
        if known and not any(is_json_type(value, t) for t in known):
            self.add(f'action {action!r} parameter {param!r} is {_describe(value)}, but its '
                     f'schema says type {" or ".join(known)}; Juju would refuse it: pass a '
                     'value of that type')
        choices = schema.get('enum')
        if isinstance(choices, list) and value not in choices:
            self.add(f'action {action!r} parameter {param!r} is {value!r}, not one of its '
                     f'enum values {choices!r}')
