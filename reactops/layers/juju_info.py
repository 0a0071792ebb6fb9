"""The ``juju-info`` interface: the implicit relation every unit offers (a port of
``juju-solutions/interface-juju-info``).

One class serves every role (``ENDPOINTS``), as the original's symlinked files did; the
data is what Juju itself puts in each unit's bag (``ingress-address``,
``private-address``, ``egress-subnets``).

Flags (``<n>`` is the endpoint name):

=====================  ======================================  =============================
flag                   set when                                cleared when
=====================  ======================================  =============================
``<n>.connected``      a remote unit is joined                 no remote unit is joined
                       (``endpoint.<n>.joined``)
``<n>.available``      as ``<n>.connected``                    as ``<n>.connected``
=====================  ======================================  =============================
"""

from __future__ import annotations

from ..reactive.decorators import when, when_not
from ..reactive.endpoint import Endpoint
from ..reactive.flags import clear_flag, set_flag

__all__ = ['ENDPOINTS', 'JujuInfo']


class JujuInfo(Endpoint):
    """A ``juju-info`` endpoint (any role): the related units and their addresses.

    Accessors list the joined units in relation-id, then unit-number order.
    """

    @when('endpoint.{endpoint_name}.joined')
    def _on_joined(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.connected'))
        set_flag(self.expand_name('{endpoint_name}.available'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.available'))
        clear_flag(self.expand_name('{endpoint_name}.connected'))

    @property
    def unit_count(self) -> int:
        """How many remote units are joined."""
        return len(self.all_joined_units)

    def unit_names(self) -> list[str]:
        """The joined units' names (``app/0``)."""
        return [unit.unit_name for unit in self.all_joined_units]

    def application_names(self) -> list[str]:
        """The related applications, one entry each, in relation order."""
        names: list[str] = []
        for relation in self.relations:
            if relation.joined_units and relation.application_name not in names:
                names.append(relation.application_name)
        return names

    def ingress_addresses(self) -> dict[str, str]:
        """Each joined unit's ``ingress-address`` (falling back to its
        ``private-address``), by unit name; a unit with neither is left out."""
        found: dict[str, str] = {}
        for unit in self.all_joined_units:
            address = unit.received_raw['ingress-address'] or \
                unit.received_raw['private-address']
            if address:
                found[unit.unit_name] = address
        return found

    def private_addresses(self) -> dict[str, str]:
        """Each joined unit's ``private-address``, by unit name (units without one are
        left out)."""
        return {unit.unit_name: address for unit in self.all_joined_units
                if (address := unit.received_raw['private-address'])}

    def get_private_address(self) -> str | None:
        """The first joined unit's ``private-address`` (interface-juju-info's deprecated
        accessor, working here), or ``None``."""
        units = self.all_joined_units
        return units[0].received_raw['private-address'] if units else None


#: The class for each role (the lookup in :mod:`reactops.layers`).
ENDPOINTS: dict[str, type[Endpoint]] = {
    'provides': JujuInfo, 'requires': JujuInfo, 'peers': JujuInfo}
