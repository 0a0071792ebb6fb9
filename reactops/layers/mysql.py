"""Interface layer ``mysql``: a MySQL server and its clients.

The wire format is the classic ``mysql`` interface's (the server creates a database and a
user, and publishes where and as whom to connect); reading the remote application's bag
first and units' bags second follows ``openstack/charm-interface-mysql-router``. Every
value is a raw string.

The client (:class:`Requires`) may publish, in its unit's bag:

============  ==================================================================
field         meaning
============  ==================================================================
``database``  the database it wants (optional: a server may choose one itself)
============  ==================================================================

The server (:class:`Provides`) answers, in its unit's bag (or, with ``app=True``, the
application's bag, which the leader writes):

============  ==================================================================
field         meaning
============  ==================================================================
``database``  the database to use
``user``      the user to connect as
``password``  its password
``host``      where the server listens
``port``      on which port (a number)
============  ==================================================================

The client reads each field from the remote application's bag, else from the first
joined server unit that has it, on the first relation of the endpoint that has it.

Flags (``<n>`` is the endpoint name), worked out whenever relation data is read (see
:meth:`reactops.Endpoint.manage_flags`):

======================================  ======================================================
flag                                    set while
======================================  ======================================================
``<n>.connected`` (client)              a server unit is joined (``endpoint.<n>.joined``)
``<n>.available`` (client)              joined, and all five fields are known (with a
                                        numeric ``port``)
``<n>.database.requested`` (server)     a joined client unit published ``database``
======================================  ======================================================
"""

from __future__ import annotations

from ..reactive.endpoint import Endpoint, Relation
from ..reactive.flags import toggle_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass, field
else:  # the same classes, without dataclasses (and inspect) in every hook of the charm
    from .._private.record import dataclass, field

__all__ = ['DatabaseRequest', 'Provides', 'Requires']

#: The fields the server publishes.
FIELDS = ('database', 'user', 'password', 'host', 'port')


@dataclass(frozen=True)
class DatabaseRequest:
    """The database the clients on one relation ask for (the first joined unit that asked
    wins)."""

    relation: Relation = field(compare=False)
    relation_id: str
    application_name: str
    database: str


class Requires(Endpoint):
    """The client side of ``mysql``: reads where and as whom to connect.

    Wait for ``<n>.available``, then read :attr:`host`, :attr:`port`, :attr:`database`,
    :attr:`user` and :attr:`password`; optionally ask for a database by name with
    :meth:`set_database`.
    """

    def manage_flags(self) -> None:
        joined = self.is_joined
        toggle_flag(self.expand_name('{endpoint_name}.connected'), joined)
        toggle_flag(self.expand_name('{endpoint_name}.available'),
                    joined and all(self._field(key) for key in FIELDS)
                    and self.port is not None)

    def set_database(self, name: str, relation_id: str | None = None) -> None:
        """Ask for database *name* on every relation (or only *relation_id*)."""
        for relation in self.relations:
            if relation_id is None or relation.relation_id == relation_id:
                relation.to_publish_raw['database'] = name

    def _field(self, key: str) -> str | None:
        for relation in self.relations:
            value = relation.received_app_raw.get(key)
            if value:
                return str(value)
            for unit in relation.joined_units:
                value = unit.received_raw.get(key)
                if value:
                    return str(value)
        return None

    @property
    def database(self) -> str | None:
        """The database to use, or ``None`` while the server has not said."""
        return self._field('database')

    @property
    def user(self) -> str | None:
        """The user to connect as, or ``None``."""
        return self._field('user')

    @property
    def password(self) -> str | None:
        """The user's password, or ``None``."""
        return self._field('password')

    @property
    def host(self) -> str | None:
        """The server's address, or ``None``."""
        return self._field('host')

    @property
    def port(self) -> int | None:
        """The server's port, or ``None`` (also when what it sent is not a number)."""
        value = self._field('port')
        return int(value) if value is not None and value.isdigit() else None


class Provides(Endpoint):
    """The server side of ``mysql``: lists the databases clients ask for and publishes
    the connection with :meth:`publish`."""

    def manage_flags(self) -> None:
        toggle_flag(self.expand_name('{endpoint_name}.database.requested'),
                    self.requested_databases())

    def requested_databases(self) -> list[DatabaseRequest]:
        """One request per relation whose joined client units asked for a database."""
        requests = []
        for relation in self.relations:
            names = [u.received_raw.get('database') for u in relation.joined_units]
            database = next((name for name in names if name), None)
            if database:
                requests.append(DatabaseRequest(
                    relation=relation, relation_id=relation.relation_id,
                    application_name=relation.application_name, database=database))
        return requests

    def publish(self, relation: Relation | str, *, database: str, user: str,
                password: str, host: str, port: int, app: bool = False) -> None:
        """Publish the connection on *relation* (a relation or its id, ``db:3``): in this
        unit's bag, or with *app* in the application's (only the leader may)."""
        rel = relation if isinstance(relation, Relation) else self.relations[relation]
        bag = rel.to_publish_app_raw if app else rel.to_publish_raw
        bag.update({'database': database, 'user': user, 'password': password,
                    'host': host, 'port': str(port)})
