"""The state of a Juju model as one unit sees it, as frozen dataclasses.

A test describes the world before an event as a :class:`State`, runs one event with
``Context.run(event, state)`` and gets a new :class:`State` back; inputs are never changed.
Names follow ``ops.testing`` (Scenario) where it has the concept; :attr:`State.flags` is
reactops' own.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..model import StatusBase, UnknownStatus

__all__ = [
    'DEFAULT_UNIT_DATA', 'DeferredEvent', 'ICMPPort', 'Model', 'Network', 'PeerRelation',
    'Port', 'Relation', 'RelationBase', 'Resource', 'Secret', 'State', 'Storage',
    'StoredState', 'SubordinateRelation', 'TCPPort', 'UDPPort',
]

#: What Juju puts in every unit's bag of a new relation (the address of the unit).
DEFAULT_UNIT_DATA: Mapping[str, str] = {
    'egress-subnets': '192.0.2.0/32', 'ingress-address': '192.0.2.0',
    'private-address': '192.0.2.0'}

_relation_ids = itertools.count(1)
_secret_ids = itertools.count(1)
_storage_indexes = itertools.count(0)


def _next_relation_id() -> int:
    return next(_relation_ids)


def _default_unit_data() -> dict[str, str]:
    return dict(DEFAULT_UNIT_DATA)


class _Frozen:
    """Shared helpers: identity-based hashing and ``replace``."""

    def replace(self, **changes: Any) -> Any:
        """A copy with *changes* (the original is unchanged)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class RelationBase(_Frozen):
    """What every kind of relation has: an endpoint, an id and our own bags."""

    endpoint: str
    interface: str | None = None
    id: int = field(default_factory=_next_relation_id)
    local_app_data: Mapping[str, str] = field(default_factory=dict)
    local_unit_data: Mapping[str, str] = field(default_factory=_default_unit_data)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))

    @property
    def remote_app(self) -> str:
        """The name of the application on the other side."""
        raise NotImplementedError

    def remote_units(self) -> dict[str, Mapping[str, str]]:
        """Each remote unit's name and bag."""
        raise NotImplementedError


@dataclass(frozen=True)
class Relation(RelationBase):
    """A regular relation to another application (``remote_units_data`` by unit number)."""

    remote_app_name: str = 'remote'
    limit: int = 1
    remote_app_data: Mapping[str, str] = field(default_factory=dict)
    remote_units_data: Mapping[int, Mapping[str, str]] = field(
        default_factory=lambda: {0: _default_unit_data()})
    remote_model_uuid: str | None = None

    @property
    def remote_app(self) -> str:
        return self.remote_app_name

    def remote_units(self) -> dict[str, Mapping[str, str]]:
        return {f'{self.remote_app_name}/{n}': data for n, data in
                sorted(self.remote_units_data.items())}

    def __hash__(self) -> int:
        return super().__hash__()


@dataclass(frozen=True)
class PeerRelation(RelationBase):
    """A relation between the units of our own application (``peers_data`` by unit number,
    not including this unit)."""

    peers_data: Mapping[int, Mapping[str, str]] = field(
        default_factory=lambda: {1: _default_unit_data()})

    @property
    def remote_app(self) -> str:
        return ''  # our own application; the backend fills in its name

    def remote_units(self) -> dict[str, Mapping[str, str]]:
        return {str(n): data for n, data in sorted(self.peers_data.items())}

    def __hash__(self) -> int:
        return super().__hash__()


@dataclass(frozen=True)
class SubordinateRelation(RelationBase):
    """A container-scoped relation between a subordinate and its principal unit."""

    remote_app_name: str = 'remote'
    remote_app_data: Mapping[str, str] = field(default_factory=dict)
    remote_unit_id: int = 0
    remote_unit_data: Mapping[str, str] = field(default_factory=_default_unit_data)

    @property
    def remote_app(self) -> str:
        return self.remote_app_name

    @property
    def remote_unit_name(self) -> str:
        """The principal (or subordinate) unit on the other side."""
        return f'{self.remote_app_name}/{self.remote_unit_id}'

    def remote_units(self) -> dict[str, Mapping[str, str]]:
        return {self.remote_unit_name: self.remote_unit_data}

    def __hash__(self) -> int:
        return super().__hash__()


def _next_secret_id() -> str:
    return f'secret:reactopstest{next(_secret_ids):08d}'


@dataclass(frozen=True)
class Secret(_Frozen):
    """A Juju secret: the content this unit tracks and, for owners, the latest revision."""

    tracked_content: Mapping[str, str]
    latest_content: Mapping[str, str] | None = None
    id: str = field(default_factory=_next_secret_id)
    owner: Literal['unit', 'app'] | None = None
    remote_grants: Mapping[int, frozenset[str]] = field(default_factory=dict)
    label: str | None = None
    description: str | None = None
    expire: str | None = None
    rotate: str | None = None
    revision: int = 1

    def __hash__(self) -> int:
        return hash(('Secret', self.id))

    @property
    def latest(self) -> Mapping[str, str]:
        """The newest content (the tracked one when no newer revision exists)."""
        return self.latest_content if self.latest_content is not None else self.tracked_content


@dataclass(frozen=True)
class Storage(_Frozen):
    """An attached storage instance (``data/0``)."""

    name: str
    index: int = field(default_factory=lambda: next(_storage_indexes))
    location: str | None = None

    @property
    def full_id(self) -> str:
        """``<name>/<index>``, as Juju names it."""
        return f'{self.name}/{self.index}'


@dataclass(frozen=True)
class Port(_Frozen):
    """An opened port (use :class:`TCPPort`, :class:`UDPPort` or :class:`ICMPPort`)."""

    protocol: Literal['tcp', 'udp', 'icmp']
    port: int | None = None


def TCPPort(port: int) -> Port:  # noqa: N802 - reads like the ops.testing class
    """An opened TCP port."""
    return Port('tcp', port)


def UDPPort(port: int) -> Port:  # noqa: N802
    """An opened UDP port."""
    return Port('udp', port)


def ICMPPort() -> Port:  # noqa: N802
    """ICMP opened."""
    return Port('icmp', None)


@dataclass(frozen=True)
class Network(_Frozen):
    """What ``network-get`` answers for a binding (an endpoint or extra binding)."""

    binding_name: str
    bind_address: str = '192.0.2.0'
    ingress_addresses: tuple[str, ...] = ('192.0.2.0',)
    egress_subnets: tuple[str, ...] = ('192.0.2.0/24',)
    interface_name: str = 'eth0'


@dataclass(frozen=True)
class Resource(_Frozen):
    """A charm resource and the file ``resource-get`` returns for it."""

    name: str
    path: str


@dataclass(frozen=True)
class Model(_Frozen):
    """The model the unit is in."""

    name: str = 'test-model'
    uuid: str = '00000000-0000-4000-8000-000000000000'
    type: Literal['lxd', 'kubernetes', 'machine'] = 'lxd'


@dataclass(frozen=True)
class StoredState(_Frozen):
    """The content of one StoredState attribute (``owner_path`` None: the charm's own)."""

    name: str = '_stored'
    owner_path: str | None = None
    content: Mapping[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(('StoredState', self.owner_path, self.name))


@dataclass(frozen=True)
class DeferredEvent(_Frozen):
    """A deferred notice waiting for the next dispatch."""

    handle_path: str
    owner: str
    observer: str
    snapshot_data: Mapping[str, Any] = field(default_factory=dict)


def _frozenset(items: Iterable[Any]) -> frozenset[Any]:
    return frozenset(items)


@dataclass(frozen=True)
class State(_Frozen):
    """Everything one unit can see of the model before (or after) an event."""

    config: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    relations: Iterable[RelationBase] = frozenset()
    networks: Iterable[Network] = frozenset()
    storages: Iterable[Storage] = frozenset()
    opened_ports: Iterable[Port] = frozenset()
    leader: bool = False
    model: Model = field(default_factory=Model)
    secrets: Iterable[Secret] = frozenset()
    resources: Iterable[Resource] = frozenset()
    planned_units: int = 1
    deferred: tuple[DeferredEvent, ...] = ()
    stored_states: Iterable[StoredState] = frozenset()
    app_status: StatusBase = field(default_factory=UnknownStatus)
    unit_status: StatusBase = field(default_factory=UnknownStatus)
    workload_version: str = ''
    flags: Mapping[str, Any] = field(default_factory=dict)
    kv: Mapping[str, Any] = field(default_factory=dict)
    """The unit's key-value store apart from flags (JSON values): what reactive helpers
    remember between hooks (``reactops.config.previous``, ``reactive.data_changed.*``, ...)."""

    def __post_init__(self) -> None:
        for name in ('relations', 'networks', 'storages', 'opened_ports', 'secrets',
                     'resources', 'stored_states'):
            object.__setattr__(self, name, _frozenset(getattr(self, name)))
        object.__setattr__(self, 'deferred', tuple(self.deferred))
        object.__setattr__(self, 'config', dict(self.config))
        object.__setattr__(self, 'flags', dict(self.flags))
        object.__setattr__(self, 'kv', dict(self.kv))

    def get_relation(self, relation_id: int) -> RelationBase:
        """The relation with this id (``KeyError`` if none)."""
        for relation in self.relations:
            if relation.id == relation_id:
                return relation
        raise KeyError(f'no relation with id {relation_id} in this state')

    def get_relations(self, endpoint: str) -> tuple[RelationBase, ...]:
        """The relations on *endpoint*, by id."""
        return tuple(sorted((r for r in self.relations if r.endpoint == endpoint),
                            key=lambda r: r.id))

    def get_secret(self, *, id: str | None = None, label: str | None = None) -> Secret:
        """The secret with this id or label (``KeyError`` if none)."""
        for secret in self.secrets:
            if (id is not None and secret.id == id) or (label is not None and
                                                        secret.label == label):
                return secret
        raise KeyError(f'no secret with id={id!r} label={label!r} in this state')

    def get_storage(self, name: str, index: int) -> Storage:
        """The storage instance ``name/index`` (``KeyError`` if none)."""
        for storage in self.storages:
            if (storage.name, storage.index) == (name, index):
                return storage
        raise KeyError(f'no storage {name}/{index} in this state')

    def get_stored_state(self, name: str = '_stored', *,
                         owner_path: str | None = None) -> StoredState:
        """The stored state of one attribute (``KeyError`` if none)."""
        for stored in self.stored_states:
            if (stored.name, stored.owner_path) == (name, owner_path):
                return stored
        raise KeyError(f'no stored state {owner_path or "<charm>"}.{name} in this state')
