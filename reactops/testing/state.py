"""``scenario.state``: the State and its parts, the events and the charm spec.

One module to import them from, as ops-scenario has it; they are defined in the private
modules next to it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..charm import CharmBase
from ._events import (
    _ACTION_EVENT_SUFFIX,
    _BUILTIN_EVENTS,
    _FRAMEWORK_EVENTS,
    _RELATION_EVENTS_SUFFIX,
    _SECRET_EVENTS,
    _STORAGE_EVENTS_SUFFIX,
    CharmEvents,
    _Action,
    _Event,
    _EventPath,
    _EventType,
    _next_action_id,
)
from ._spec import CharmType, _CharmSpec
from ._state import DEFAULT_UNIT_DATA, State
from ._state_parts import (
    ActiveStatus,
    Address,
    BindAddress,
    BlockedStatus,
    CloudCredential,
    CloudSpec,
    DeferredEvent,
    ErrorStatus,
    ICMPPort,
    JujuLogLine,
    MaintenanceStatus,
    Model,
    Network,
    Port,
    Resource,
    Storage,
    StoredState,
    TCPPort,
    UDPPort,
    UnknownStatus,
    WaitingStatus,
    _EntityStatus,
    _next_storage_index,
)
from ._state_pebble import CheckInfo, Container, Exec, Mount, Notice, layer_from_rockcraft
from ._state_relations import (
    _DEFAULT_JUJU_DATABAG,
    PeerRelation,
    Relation,
    RelationBase,
    Secret,
    SubordinateRelation,
    _next_relation_id,
)
from .errors import StateValidationError

#: JSON data (what a relation or secret value may hold once decoded).
AnyJson = str | bool | dict[str, 'AnyJson'] | int | float | list['AnyJson']
#: The content of a relation data bag, or of a secret revision: strings by key.
RawSecretRevisionContents = RawDataBagContents = Mapping[str, str]
#: A unit's number (the ``0`` of ``app/0``).
UnitID = int

__all__ = [
    'DEFAULT_UNIT_DATA', 'AnyJson', 'RawDataBagContents', 'RawSecretRevisionContents',
    'UnitID', 'ActiveStatus', 'Address', 'BindAddress', 'BlockedStatus',
    'CharmBase', 'CharmEvents', 'CharmType', 'CheckInfo', 'CloudCredential', 'CloudSpec',
    'Container', 'DeferredEvent', 'ErrorStatus', 'Exec', 'ICMPPort', 'JujuLogLine',
    'MaintenanceStatus', 'Model', 'Mount', 'Network', 'Notice', 'PeerRelation', 'Port',
    'Relation', 'RelationBase', 'Resource', 'Secret', 'State', 'StateValidationError',
    'Storage', 'StoredState', 'SubordinateRelation', 'TCPPort', 'UDPPort', 'UnknownStatus',
    'WaitingStatus', '_ACTION_EVENT_SUFFIX', '_BUILTIN_EVENTS', '_DEFAULT_JUJU_DATABAG',
    '_FRAMEWORK_EVENTS', '_RELATION_EVENTS_SUFFIX', '_SECRET_EVENTS',
    '_STORAGE_EVENTS_SUFFIX', '_Action', '_CharmSpec', '_EntityStatus', '_Event',
    '_EventPath', '_EventType', '_next_action_id', '_next_relation_id',
    '_next_storage_index', 'layer_from_rockcraft',
]


def __getattr__(name: str) -> object:
    # The counters are read live: ``from scenario.state import _next_relation_id_counter``
    # sees the next id, as in Scenario.
    if name == '_next_relation_id_counter':
        from . import _state_relations

        return _state_relations._next_relation_id_counter
    if name == '_next_storage_index_counter':
        from . import _state_parts

        return _state_parts._next_storage_index_counter
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
