"""Leader-coordinated peer data: the leader publishes settings in the peer relation's
application bag; every unit reads them and sees when they change.

:class:`LeaderCoordinatedPeers` is the reusable base: a charm whose peer interface has
its own name (``peers: cluster: interface: myapp-peers``) subclasses it in
``interfaces/myapp-peers/peers.py`` (the body may be ``pass``). This module also
registers it for the interface named ``peers`` (``Peers``).

Flags (``<n>`` is the endpoint name):

===========================  =====================================  =======================
flag                         set when                               cleared when
===========================  =====================================  =======================
``<n>.connected``            a peer unit is joined                  no peer unit is joined
                             (``endpoint.<n>.joined``)
``<n>.leader-data.changed``  the application bag differs from what  never here: the handler
                             this unit last saw (checked when       that reacts clears it
                             relation data is read: the endpoint's
                             own relation hooks, and the hook in
                             which it is first seen joined). An
                             empty bag never seen before, and the
                             leader's own :meth:`publish`, do not
                             count.
===========================  =====================================  =======================
"""

from __future__ import annotations

from ..errors import ReactiveError
from ..reactive.decorators import when, when_not
from ..reactive.endpoint import Endpoint, Relation
from ..reactive.flags import clear_flag, set_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ['LeaderCoordinatedPeers', 'NotLeaderError', 'Peers']

#: Where each unit keeps the application bag it last saw, per endpoint and relation.
SEEN_KEY = 'reactive.endpoints.leader-data.'


class NotLeaderError(ReactiveError):
    """A unit that is not the leader tried to publish leader data."""


class LeaderCoordinatedPeers(Endpoint):
    """A peer endpoint whose application bag carries the leader's settings.

    :meth:`publish` (leader only) writes the bag, :meth:`leader_data` reads it on any
    unit, :meth:`peer_addresses` lists the other units' addresses.
    """

    @when('endpoint.{endpoint_name}.joined')
    def _on_joined(self) -> None:
        set_flag(self.expand_name('{endpoint_name}.connected'))

    @when_not('endpoint.{endpoint_name}.joined')
    def _on_not_joined(self) -> None:
        clear_flag(self.expand_name('{endpoint_name}.connected'))

    def manage_flags(self) -> None:
        """Set ``<n>.leader-data.changed`` when the application bag changed."""
        storage = self._runtime.storage
        for relation in self.relations:
            key = self._seen_key(relation)
            bag = _bag(relation)
            if bag != (storage.kv_get(key) or {}):
                storage.kv_set(key, bag)
                set_flag(self.expand_name('{endpoint_name}.leader-data.changed'))

    def _seen_key(self, relation: Relation) -> str:
        return f'{SEEN_KEY}{self.endpoint_name}.{relation.relation_id}'

    @property
    def is_leader(self) -> bool:
        """Whether this unit is the leader (the one that may :meth:`publish`)."""
        return self._model.unit.is_leader()

    def publish(self, key: str, value: str | None) -> bool:
        """Set *key* to *value* (``None`` deletes it) in the application bag of every
        relation of the endpoint; ``False`` if there is none yet.

        Only the leader may: other units get :class:`NotLeaderError`.
        """
        if not self.is_leader:
            raise NotLeaderError(
                f'unit {self._model.unit.name} published {key!r} on peer endpoint '
                f'{self.endpoint_name!r} but is not the leader; check is_leader before '
                f'publishing')
        storage = self._runtime.storage
        for relation in self.relations:
            relation.to_publish_app_raw[key] = value
            # The leader knows what it wrote: not a change it should react to.
            storage.kv_set(self._seen_key(relation), _bag(relation))
        return bool(self.relations)

    def leader_data(self) -> dict[str, str]:
        """The application bag (what the leader published) of the first relation;
        empty when there is no relation."""
        if not self.relations:
            return {}
        return _bag(self.relations[0])

    def peer_addresses(self, include_self: bool = False) -> dict[str, str]:
        """Each joined peer unit's ``ingress-address`` (else ``private-address``), by
        unit name; with *include_self*, this unit's too. Units without one are left
        out."""
        found: dict[str, str] = {}
        if include_self and self.relations:
            own = self.relations[0].to_publish_raw
            _add(found, self._model.unit.name, own['ingress-address'] or
                 own['private-address'])
        for unit in self.all_joined_units:
            _add(found, unit.unit_name, unit.received_raw['ingress-address'] or
                 unit.received_raw['private-address'])
        return dict(sorted(found.items(), key=lambda item: _unit_number(item[0])))


def _bag(relation: Relation) -> dict[str, str]:
    # Our application's bag: in a peer relation every unit may read it.
    return {key: value for key, value in relation.to_publish_app_raw.items() if value}


def _add(found: dict[str, str], unit: str, address: Any) -> None:
    if address:
        found[unit] = str(address)


def _unit_number(name: str) -> tuple[str, int]:
    app, _, number = name.partition('/')
    return (app, int(number) if number.isdigit() else -1)


class Peers(LeaderCoordinatedPeers):
    """:class:`LeaderCoordinatedPeers` for the peer interface named ``peers``."""
