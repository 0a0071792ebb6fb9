"""Network bindings: which addresses an endpoint binds to and how others reach it."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ModelError, RelationNotFoundError
from ._relations import Relation

if TYPE_CHECKING:
    from .._private.backend import ModelBackend

__all__ = ['Binding', 'BindingMapping', 'Network', 'NetworkInterface']

logger = logging.getLogger('reactops.model')

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Subnet = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(raw: str) -> _Address | str:
    # Juju may give a hostname it could not resolve; keep it as text.
    try:
        return ipaddress.ip_address(raw)
    except ValueError:
        logger.debug('network address %r is not an IP address; kept as text', raw)
        return raw


class NetworkInterface:
    """One address on one network interface of the unit (``eth0``, ``10.0.0.5/24``)."""

    name: str
    """The interface's name, e.g. ``eth0``."""

    address: _Address | str | None
    """The address; text when Juju gave a hostname."""

    subnet: _Subnet | None
    """The subnet of :attr:`address` (a single-address network when Juju gave no CIDR)."""

    def __init__(self, name: str, address_info: Mapping[str, Any]):
        self.name = name
        # Juju before 2.9 spelled the address "address" rather than "value".
        raw = address_info.get('value') or address_info.get('address')
        self.address = _address(raw) if raw else None
        cidr = address_info.get('cidr')
        if cidr:
            self.subnet = ipaddress.ip_network(cidr)
        elif isinstance(self.address, ipaddress.IPv4Address | ipaddress.IPv6Address):
            self.subnet = ipaddress.ip_network(self.address)
        else:
            self.subnet = None

    def __repr__(self) -> str:
        return f'NetworkInterface({self.name!r}, {self.address!r})'


class Network:
    """The network details of a binding, as ``network-get`` prints them."""

    interfaces: list[NetworkInterface]
    """One entry per address of each bound interface."""

    ingress_addresses: list[_Address | str]
    """The addresses other units should use to reach this one."""

    egress_subnets: list[_Subnet]
    """The subnets this unit's traffic comes from, as others see it."""

    def __init__(self, network_info: Mapping[str, Any]):
        self.interfaces = [
            NetworkInterface(binding.get('interface-name', ''), address)
            for binding in network_info.get('bind-addresses') or []
            for address in binding.get('addresses') or []]
        self.ingress_addresses = [_address(address) for address in
                                  network_info.get('ingress-addresses') or []]
        self.egress_subnets = [ipaddress.ip_network(subnet) for subnet in
                               network_info.get('egress-subnets') or []]

    @property
    def bind_address(self) -> _Address | str | None:
        """The address to bind a server to: the first interface's."""
        return self.interfaces[0].address if self.interfaces else None

    @property
    def ingress_address(self) -> _Address | str | None:
        """The address to give others to connect to: the first ingress address."""
        return self.ingress_addresses[0] if self.ingress_addresses else None


class Binding:
    """An endpoint's (or one relation's) binding to a network space."""

    name: str
    """The endpoint's name."""

    def __init__(self, name: str, relation_id: int | None, backend: ModelBackend):
        self.name = name
        self._relation_id = relation_id
        self._backend = backend
        self._network: Network | None = None

    def __repr__(self) -> str:
        return f'<reactops.model.Binding {self.name}>'

    @property
    def network(self) -> Network:
        """The binding's :class:`Network`: one ``network-get`` on first use.

        For a relation that is gone, the endpoint's own binding is used instead.
        """
        if self._network is None:
            try:
                raw = self._backend.network_get(self.name, self._relation_id)
            except RelationNotFoundError:
                if self._relation_id is None:
                    raise
                raw = self._backend.network_get(self.name)
            self._network = Network(raw)
        return self._network


class BindingMapping:
    """The bindings looked up in this dispatch, one per endpoint or relation."""

    def __init__(self, backend: ModelBackend):
        self._backend = backend
        self._bindings: dict[tuple[str, int | None], Binding] = {}

    def get(self, binding_key: str | Relation) -> Binding:
        """The binding of an endpoint name, or of one relation."""
        key: tuple[str, int | None]
        if isinstance(binding_key, Relation):
            key = (binding_key.name, binding_key.id)
        elif isinstance(binding_key, str):
            key = (binding_key, None)
        else:
            raise ModelError(f'a binding is found by endpoint name or Relation, not '
                             f'{type(binding_key).__name__}')
        binding = self._bindings.get(key)
        if binding is None:
            binding = self._bindings[key] = Binding(key[0], key[1], self._backend)
        return binding
