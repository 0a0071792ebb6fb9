"""The ``http`` interface: a web service (provides) and its clients (requires).

A port of ``juju-solutions/interface-http``; it publishes and reads the same raw keys
(``hostname``, ``private-address``, ``port``, and ``extended_data`` for several hosts),
so either side can talk to a charm still using the charms.reactive layer.

Flags (``<n>`` is the endpoint name):

=====================  =========  ===================================  =====================
flag                   side       set when                             cleared when
=====================  =========  ===================================  =====================
``<n>.available``      provides   a remote unit is joined              no remote unit is
                                  (``endpoint.<n>.joined``)            joined
``<n>.available``      requires   a joined unit published a ``port``   no joined unit has a
                                  (raw, or in an ``extended_data``     ``port`` any more, or
                                  host); checked when relation data    none is joined
                                  is read: the endpoint's own
                                  relation hooks, and the hook in
                                  which it is first seen joined
=====================  =========  ===================================  =====================

The automatic ``endpoint.<n>.*`` flags are left to the charm (``endpoint.<n>.changed`` is
not cleared here).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..reactive.decorators import when, when_not
from ..reactive.endpoint import Endpoint, RelatedUnit, Relation
from ..reactive.flags import clear_flag, set_flag, toggle_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ['HttpHost', 'HttpService', 'Provides', 'Requires']

#: One host of a service: ``{'hostname': ..., 'private-address': ..., 'port': ...}``.
HttpHost = dict[str, str]
#: One remote application: ``{'service_name': app, 'hosts': [HttpHost, ...]}``.
HttpService = dict[str, 'Any']  # quoted: typing stays out of the hook


class Provides(Endpoint):
    """The serving side of ``http``: tell every related client where to connect.

    Sets ``<n>.available`` while a client unit is joined; :meth:`configure` publishes the
    address in every relation of the endpoint.
    """

    @when('endpoint.{endpoint_name}.joined')
    def _on_joined(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.available'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def ingress_address(self, relation: Relation | None = None) -> str | None:
        """Our unit's address as the clients in *relation* (default: the first) see it:
        the ``ingress-address`` Juju put in our bag, else ``private-address``, else the
        binding's ingress address; ``None`` without a relation."""
        if relation is None:
            if not self.relations:
                return None
            relation = self.relations[0]
        own = relation.to_publish_raw
        address = own['ingress-address'] or own['private-address']
        if address:
            return str(address)
        found = self._model.get_binding(relation.model_relation).network.ingress_address
        return None if found is None else str(found)

    def configure(self, port: int | str, private_address: str | list[str] | None = None,
                  hostname: str | list[str] | None = None) -> None:
        """Publish *port* with *hostname* and *private_address* (each defaulting to our
        ingress address) in every relation.

        The signature is interface-http's, so ``configure(80, hostname='web')`` and the
        old positional form both work. With lists, one host per item is published as
        JSON ``extended_data`` (missing items default to the ingress address).
        """
        for relation in self.relations:
            address = self.ingress_address(relation)
            if isinstance(private_address, list) or isinstance(hostname, list):
                relation.to_publish['extended_data'] = _extended_data(
                    port, _as_list(private_address), _as_list(hostname), address)
                continue
            relation.to_publish_raw.update({
                'hostname': hostname or address,
                'private-address': private_address or address,
                'port': port,
            })

    def set_remote(self, **data: str) -> None:
        """Publish raw *data* in every relation (interface-http's shim for charms that
        used ``RelationBase.set_remote``, e.g. reverse-proxy stanzas)."""
        for relation in self.relations:
            relation.to_publish_raw.update(data)


def _as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _extended_data(port: int | str, addresses: list[str], hostnames: list[str],
                   default: str | None) -> list[dict[str, Any]]:
    length = max(len(addresses), len(hostnames))
    addresses = addresses + [default or ''] * (length - len(addresses))
    hostnames = hostnames + [default or ''] * (length - len(hostnames))
    return [{'hostname': h, 'private-address': a, 'port': port}
            for a, h in zip(addresses, hostnames, strict=True)]


class Requires(Endpoint):
    """The client side of ``http``: find the services the related applications offer.

    Sets ``<n>.available`` while some joined unit has published a ``port``;
    :meth:`services` lists them per remote application.
    """

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def manage_flags(self) -> None:
        """Toggle ``<n>.available`` on whether a joined unit published a port."""
        toggle_flag(self.expand_name('{endpoint_name}.available'),
                    any(map(_publishes_a_port, self.all_joined_units)))

    def services(self) -> list[HttpService]:
        """Each related application with complete hosts, as interface-http returned it::

            [{'service_name': 'web', 'hosts': [{'hostname': 'web-0',
              'private-address': '10.0.0.1', 'port': '80'}]}]

        Hosts are sorted and deduplicated; an application without one is left out.
        """
        services: dict[str, HttpService] = {}
        for relation in self.relations:
            name = relation.application_name
            service = services.setdefault(name, {'service_name': name, 'hosts': []})
            hosts: set[tuple[str, str, str]] = {
                (h['hostname'], h['private-address'], h['port'])
                for h in service['hosts']}
            for unit in relation.joined_units:
                entries: list[Mapping[str, Any]] = [unit.received_raw]
                extended = unit.received['extended_data']
                if isinstance(extended, list):
                    entries.extend(e for e in extended if isinstance(e, Mapping))
                hosts.update(h for h in map(_host, entries) if h is not None)
            service['hosts'] = [{'hostname': h, 'private-address': a, 'port': p}
                                for h, a, p in sorted(hosts)]
        return [service for service in services.values() if service['hosts']]


def _publishes_a_port(unit: RelatedUnit) -> bool:
    # interface-http looked at `port` only; a provider publishing only extended_data
    # never became available there.
    if unit.received_raw['port']:
        return True
    extended = unit.received['extended_data']
    return isinstance(extended, list) and any(
        isinstance(entry, Mapping) and entry.get('port') for entry in extended)


def _host(data: Mapping[str, Any]) -> tuple[str, str, str] | None:
    address = data.get('private-address')
    host = data.get('hostname') or address
    port = data.get('port')
    if not host or not port:
        return None
    return (str(host), '' if address is None else str(address), str(port))
