"""The client side of the ``cache`` interface: an interface layer in the charm's own files.

reactops finds it as ``interfaces/<interface>/<role>.py`` (docs/interface-layers.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from reactops import Endpoint, clear_flag, set_flag, toggle_flag, when, when_not


@dataclass(frozen=True)
class CacheServer:
    """One cache server a related application offers."""

    unit_name: str
    host: str
    port: int

    @property
    def address(self) -> str:
        return f'{self.host}:{self.port}'


class CacheRequires(Endpoint):
    """The servers the related cache applications offer; sets ``<endpoint>.available``."""

    @when('endpoint.{endpoint_name}.joined')
    def _on_joined(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.connected'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.connected'))
        clear_flag(self.expand_name('{endpoint_name}.available'))

    def manage_flags(self) -> None:
        toggle_flag(self.expand_name('{endpoint_name}.available'), bool(self.servers()))

    def servers(self) -> list[CacheServer]:
        """Every joined unit that published a host and a port."""
        found: list[CacheServer] = []
        for relation in self.relations:
            for unit in relation.joined_units:
                host, port = unit.received_raw['host'], unit.received_raw['port']
                if host and port:
                    found.append(CacheServer(unit.unit_name, host, int(port)))
        return found

    def request(self, size_mb: int) -> None:
        """Ask every related cache for *size_mb* of memory."""
        for relation in self.relations:
            relation.to_publish['size'] = size_mb
