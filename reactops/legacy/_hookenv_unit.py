"""The ``hookenv`` names for what this unit does with Juju besides relations: its actions,
ports, addresses, network, storage and resources.

Part of :mod:`reactops.legacy.hookenv`, imported the first time one of these names is
used; each goes through reactops' model backend or hook tools.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..errors import ModelError
from . import _session
from .hookenv import _backend

__all__ = [
    'NoNetworkBinding', 'action_fail', 'action_get', 'action_set', 'close_port',
    'close_ports', 'function_fail', 'function_get', 'function_set', 'network_get',
    'network_get_primary_address', 'open_port', 'open_ports', 'opened_ports', 'resource_get',
    'storage_get', 'storage_list', 'unit_get', 'unit_private_ip', 'unit_public_ip',
]


class NoNetworkBinding(Exception):  # noqa: N818 - charmhelpers' name
    """``network_get_primary_address`` of a binding Juju has no network for."""


# -- actions -------------------------------------------------------------------------------


def action_get(key: str | None = None) -> Any:
    """The running action's parameters, or one (dotted keys reach into nested ones)."""
    params = _backend().action_get()
    if key is None:
        return params
    value: Any = params
    for part in key.split('.'):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def action_set(values: Mapping[str, Any]) -> None:
    """Add results to the running action."""
    _backend().action_set(dict(values))


def action_fail(message: str) -> None:
    """Mark the running action failed with *message*."""
    _backend().action_fail(message)


function_get, function_set, function_fail = action_get, action_set, action_fail


# -- ports, addresses, network, storage, resources --------------------------------------------


def _protocol(protocol: str) -> Any:
    return protocol.lower()


def open_port(port: int | str, protocol: str = 'TCP') -> None:
    """Open *port* (``'ICMP'`` takes no port)."""
    unit = _session.model().unit
    if protocol.upper() == 'ICMP':
        unit.open_port('icmp')
    else:
        unit.open_port(_protocol(protocol), int(port))


def close_port(port: int | str, protocol: str = 'TCP') -> None:
    """Close *port*."""
    unit = _session.model().unit
    if protocol.upper() == 'ICMP':
        unit.close_port('icmp')
    else:
        unit.close_port(_protocol(protocol), int(port))


def open_ports(start: int, end: int, protocol: str = 'TCP') -> None:
    """Open the ports *start* to *end*."""
    from .._private import hooktools as hookcmds

    hookcmds.open_port(_protocol(protocol), int(start), to_port=int(end))


def close_ports(start: int, end: int, protocol: str = 'TCP') -> None:
    """Close the ports *start* to *end*."""
    from .._private import hooktools as hookcmds

    hookcmds.close_port(_protocol(protocol), int(start), to_port=int(end))


def opened_ports() -> list[str]:
    """The opened ports, as Juju lists them (``80/tcp``)."""
    return _backend().opened_ports()


def unit_get(attribute: str) -> Any:
    """``private-address`` or ``public-address`` of this unit."""
    from .._private import hooktools as hookcmds

    return hookcmds.unit_get(attribute)  # type: ignore[arg-type]


def unit_private_ip() -> Any:
    """This unit's private address."""
    return unit_get('private-address')


def unit_public_ip() -> Any:
    """This unit's public address."""
    return unit_get('public-address')


def network_get(endpoint: str, relation_id: str | None = None) -> dict[str, Any]:
    """The network of a binding (``network-get``), as Juju prints it."""
    number = None if relation_id is None else int(str(relation_id).rsplit(':', 1)[-1])
    return _backend().network_get(endpoint, number)


def network_get_primary_address(binding: str) -> str | None:
    """The first address of a binding (:class:`NoNetworkBinding` if Juju has none)."""
    try:
        network = network_get(binding)
    except ModelError as error:
        if 'no network config found for binding' in str(error):
            raise NoNetworkBinding(f'no network binding for {binding}') from error
        raise
    for bind in network.get('bind-addresses') or []:
        for address in bind.get('addresses') or []:
            value = address.get('value') or address.get('address')
            if value:
                return str(value)
    return None


def storage_list(storage_name: str | None = None) -> list[str]:
    """The ids of the unit's storage instances (of one storage, if named)."""
    from .._private import hooktools as hookcmds

    return hookcmds.storage_list(storage_name)


def storage_get(attribute: str | None = None, storage_id: str | None = None) -> Any:
    """An attribute (or all) of a storage instance (the running hook's by default)."""
    from .._private import hooktools as hookcmds

    storage = storage_id or os.environ.get('JUJU_STORAGE_ID', '')
    return hookcmds.storage_get(storage) if attribute is None else \
        hookcmds.storage_get(storage, attribute)


def resource_get(name: str) -> str | bool:
    """The path of a resource, or False if Juju has none."""
    try:
        return _backend().resource_get(name)
    except ModelError:
        return False
