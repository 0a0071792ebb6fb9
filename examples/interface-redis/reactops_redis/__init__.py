"""The ``redis`` interface for reactops: a Redis server (provides) and its clients (requires).

The keys on the wire are those of the charms.reactive ``interface-redis`` layer, so either
side can be related to a charm that still uses it: every server unit publishes ``host``
and ``port`` in its own bag, and the leader publishes the shared ``password`` in the
application bag (an empty or missing password means none is required).

Flags (``<n>`` is the endpoint name):

=====================  =========  ==================================  ======================
flag                   side       set when                            cleared when
=====================  =========  ==================================  ======================
``<n>.connected``      both       a remote unit is joined             no remote unit is
                                                                      joined
``<n>.available``      requires   a joined server unit published      no joined unit has
                                  ``host`` and ``port``               both any more
``<n>.changed``        requires   a server's ``host``, ``port`` or    by the charm, after
                                  ``password`` changed while          it reconfigured
                                  available
=====================  =========  ==================================  ======================
"""

from __future__ import annotations

from dataclasses import dataclass

from reactops import Endpoint, clear_flag, set_flag, toggle_flag, when, when_any, when_not
from reactops.reactive.endpoint import Relation

__all__ = ['RedisProvides', 'RedisRequires', 'RedisServer']

__version__ = '0.1.0'


@dataclass(frozen=True)
class RedisServer:
    """One Redis server unit as a client sees it."""

    unit_name: str
    host: str
    port: int
    password: str | None

    @property
    def uri(self) -> str:
        """``redis://[:password@]host:port`` for client libraries."""
        auth = f':{self.password}@' if self.password else ''
        return f'redis://{auth}{self.host}:{self.port}'


class RedisProvides(Endpoint):
    """The server side: tell every related client where Redis listens.

    ``<n>.connected`` is set while a client is joined; call :meth:`configure` from a
    handler of that flag.
    """

    @when('endpoint.{endpoint_name}.joined')
    def _on_joined(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.connected'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.connected'))

    def configure(self, port: int, host: str | None = None,
                  password: str | None = None) -> None:
        """Publish *host* (default: our ingress address) and *port* in every relation;
        the leader also publishes *password* for the whole application."""
        is_leader = self._model.unit.is_leader()
        for relation in self.relations:
            address = host or self._ingress_address(relation)
            relation.to_publish_raw.update({'host': address, 'port': port})
            if is_leader:
                relation.to_publish_app_raw['password'] = password or ''

    def _ingress_address(self, relation: Relation) -> str:
        binding = self._model.get_binding(relation.model_relation)
        address = binding.network.ingress_address if binding is not None else None
        if address is None:
            raise ValueError(f'no ingress address for endpoint {self.endpoint_name!r}; '
                             'pass host= to configure()')
        return str(address)


class RedisRequires(Endpoint):
    """The client side: the Redis servers the related applications offer.

    ``<n>.available`` is set while a joined server unit has published ``host`` and
    ``port``; ``<n>.changed`` is set when one of them (or the password) changes.
    """

    @when('endpoint.{endpoint_name}.joined')
    def _on_joined(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.connected'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.connected'))
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def manage_flags(self) -> None:
        """Toggle ``<n>.available`` on whether some server is complete."""
        toggle_flag(self.expand_name('{endpoint_name}.available'), bool(self.servers()))

    @when('{endpoint_name}.available')
    @when_any('endpoint.{endpoint_name}.changed.host',
              'endpoint.{endpoint_name}.changed.port',
              'endpoint.{endpoint_name}.changed.password')
    def _server_changed(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.changed'))
        for field in ('host', 'port', 'password'):
            clear_flag(self.expand_name(f'endpoint.{{endpoint_name}}.changed.{field}'))

    def servers(self) -> list[RedisServer]:
        """Every joined server unit that published a host and a port, in unit order."""
        found = []
        for relation in self.relations:
            password = relation.received_app_raw['password'] or None
            for unit in relation.joined_units:
                data = unit.received_raw
                host, port = data['host'], data['port']
                if host and port and str(port).isdigit():
                    found.append(RedisServer(unit.unit_name, str(host), int(port), password))
        return found
