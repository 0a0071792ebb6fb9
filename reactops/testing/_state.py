"""The state of a Juju model as one unit sees it: :class:`State`.

A test describes the world before an event as a :class:`State`, runs one event with
``Context.run(event, state)`` and gets a new :class:`State` back; inputs are never changed.
Names and fields follow ``ops.testing`` (Scenario); :attr:`State.flags` and
:attr:`State.kv` are reactops' own (the reactive flags and key-value store).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ..model import Port as _OpsPort
from ..model import StatusBase
from ..model import Storage as _OpsStorage
from ._state_parts import (
    DeferredEvent,
    Model,
    Network,
    Port,
    Resource,
    Storage,
    StoredState,
    _as_state_status,
    _EntityStatus,
    _port,
)
from ._state_pebble import Container
from ._state_relations import (
    _DEFAULT_JUJU_DATABAG,
    PeerRelation,
    Relation,
    RelationBase,
    Secret,
    SubordinateRelation,
)

if TYPE_CHECKING:
    from .context import Context

__all__ = [
    'DEFAULT_UNIT_DATA', 'Container', 'DeferredEvent', 'Model', 'Network', 'PeerRelation',
    'Port', 'Relation', 'RelationBase', 'Resource', 'Secret', 'State', 'Storage', 'StoredState',
    'SubordinateRelation',
]

#: What Juju puts in every unit's bag of a new relation (the address of the unit).
DEFAULT_UNIT_DATA: Mapping[str, str] = _DEFAULT_JUJU_DATABAG

_R = TypeVar('_R', bound=RelationBase)


@dataclasses.dataclass(frozen=True, init=False)
class State:
    """Everything one unit can see of the model before (or after) an event.

    Collections are frozensets (``deferred`` is a list: its order matters); statuses
    are the ``ops.testing`` status classes (a model status is converted).
    """

    config: Mapping[str, str | int | float | bool]
    relations: frozenset[RelationBase]
    networks: frozenset[Network]
    containers: frozenset[Container]
    storages: frozenset[Storage]
    opened_ports: frozenset[Port]
    leader: bool
    model: Model
    secrets: frozenset[Secret]
    resources: frozenset[Resource]
    planned_units: int
    deferred: Sequence[DeferredEvent]
    stored_states: frozenset[StoredState]
    app_status: _EntityStatus
    unit_status: _EntityStatus
    workload_version: str
    flags: Mapping[str, Any]
    """reactops: the reactive flags that are set, and their values."""
    kv: Mapping[str, Any]
    """reactops: the unit's key-value store apart from flags (JSON values): what reactive
    helpers remember between hooks (``reactops.config.previous``, ...)."""

    def __init__(self, *, config: Mapping[str, str | int | float | bool] | None = None,
                 relations: Iterable[RelationBase] = (), networks: Iterable[Network] = (),
                 containers: Iterable[Container] = (), storages: Iterable[Storage] = (),
                 opened_ports: Iterable[Port] = (), leader: bool = False,
                 model: Model | None = None, secrets: Iterable[Secret] = (),
                 resources: Iterable[Resource] = (), planned_units: int = 1,
                 deferred: Iterable[DeferredEvent] = (),
                 stored_states: Iterable[StoredState] = (),
                 app_status: StatusBase | None = None, unit_status: StatusBase | None = None,
                 workload_version: str = '', flags: Mapping[str, Any] | None = None,
                 kv: Mapping[str, Any] | None = None):
        ports = frozenset(_port(p.protocol, p.port) if isinstance(p, _OpsPort) else p
                          for p in opened_ports)
        stores = frozenset(Storage(s.name, index=s.index) if isinstance(s, _OpsStorage)
                           else s for s in storages)
        values: dict[str, Any] = {
            'config': dict(config or {}), 'relations': frozenset(relations),
            'networks': frozenset(networks), 'containers': frozenset(containers),
            'storages': stores, 'opened_ports': ports, 'leader': leader,
            'model': model if model is not None else Model(), 'secrets': frozenset(secrets),
            'resources': frozenset(resources), 'planned_units': planned_units,
            'deferred': list(deferred), 'stored_states': frozenset(stored_states),
            'app_status': _as_state_status(app_status, 'app_status'),
            'unit_status': _as_state_status(unit_status, 'unit_status'),
            'workload_version': workload_version, 'flags': dict(flags or {}),
            'kv': dict(kv or {})}
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> State:
        """A copy with *changes* (the original is unchanged)."""
        return dataclasses.replace(self, **changes)

    # -- lookups -------------------------------------------------------------------------

    def get_container(self, container: str, /) -> Container:
        """The container called *container* (``KeyError`` if none)."""
        for found in self.containers:
            if found.name == container:
                return found
        raise KeyError(f'container: {container} not found in the State')

    def get_network(self, binding_name: str, /) -> Network:
        """The network given for *binding_name* (``KeyError`` if none)."""
        for network in self.networks:
            if network.binding_name == binding_name:
                return network
        raise KeyError(f'network: {binding_name} not found in the State')

    def get_secret(self, *, id: str | None = None, label: str | None = None) -> Secret:
        """The secret with this id and/or label (``KeyError`` if none)."""
        if id is None and label is None:
            raise ValueError('An id or label must be provided.')
        for secret in self.secrets:
            if (id is None or secret.id == id) and (label is None or secret.label == label):
                return secret
        raise KeyError('secret: not found in the State')

    def get_stored_state(self, stored_state: str, /, *,
                         owner_path: str | None = None) -> StoredState:
        """The stored state of one attribute of *owner_path* (``ValueError`` if none)."""
        for stored in self.stored_states:
            if stored.name == stored_state and stored.owner_path == owner_path:
                return stored
        raise ValueError(f'stored state: {stored_state} not found in the State')

    def get_storage(self, storage: str, /, *, index: int = 0) -> Storage:
        """The storage instance ``storage/index`` (``ValueError`` if none)."""
        for found in self.storages:
            if found.name == storage and found.index == index:
                return found
        raise ValueError(f'storage: name={storage}, index={index} not found in the State')

    def get_relation(self, relation: int | RelationBase, /) -> Any:
        """The relation with this id, or with the id of *relation* (a relation of an earlier
        state; its kind and endpoint must match). ``KeyError`` if none."""
        wanted = relation.id if isinstance(relation, RelationBase) else relation
        for found in self.relations:
            if found.id != wanted:
                continue
            if isinstance(relation, RelationBase) and (type(found), found.endpoint) != (
                    type(relation), relation.endpoint):
                raise ValueError(f'State.get_relation() result does not match\nCalled '
                                 f'with:\n{relation!r}\nFound:\n{found!r}\n')
            return found
        raise KeyError(f'relation: id={wanted} not found in the State')

    def get_relations(self, endpoint: str) -> tuple[RelationBase, ...]:
        """The relations on *endpoint* (its name as the metadata spells it)."""
        return tuple(r for r in self.relations if r.endpoint == endpoint)

    # -- building from the metadata ------------------------------------------------------

    @classmethod
    def from_context(cls, ctx: Context, *,
                     config: Mapping[str, str | int | float | bool] | None = None,
                     relations: Iterable[RelationBase] | None = None,
                     containers: Iterable[Container] | None = None,
                     storages: Iterable[Storage] | None = None,
                     stored_states: Iterable[StoredState] | None = None,
                     **kwargs: Any) -> State:
        """A state with everything the charm's metadata declares: config defaults, one
        relation per endpoint, connectable containers, storage and the charm's stored
        states. What is passed in wins over what would be made."""
        from ..framework import StoredState as _StoredStateDescriptor

        spec = ctx._charm_spec
        meta = spec.meta
        merged = dict(config or {})
        for option, details in ((spec.config or {}).get('options') or {}).items():
            if option not in merged and 'default' in details:
                merged[option] = details['default']
        rels = set(relations or ())
        for role in ('requires', 'provides', 'peers'):
            for endpoint, details in (meta.get(role) or {}).items():
                if any(r.endpoint == endpoint for r in rels):
                    continue
                kind: type[RelationBase] = (
                    PeerRelation if role == 'peers' else SubordinateRelation
                    if details.get('scope') == 'container' else Relation)
                rels.add(kind(endpoint, details['interface']))
        conts = set(containers or ())
        for name in meta.get('containers') or {}:
            if not any(c.name == name for c in conts):
                conts.add(Container(name, can_connect=True))
        stores = set(storages or ())
        for name in meta.get('storage') or {}:
            if not any(s.name == name for s in stores):
                stores.add(Storage(name))
        stored = set(stored_states or ())
        charm_type = spec.charm_type
        owner = charm_type.handle_kind
        for attr in dir(charm_type):
            if isinstance(getattr(charm_type, attr, None), _StoredStateDescriptor) and not any(
                    s.name == attr and s.owner_path == owner for s in stored):
                stored.add(StoredState(attr, owner_path=owner))
        return cls(config=merged, relations=rels, containers=conts, storages=stores,
                   stored_states=stored, **kwargs)
