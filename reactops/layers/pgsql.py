"""Interface layer ``pgsql``: a PostgreSQL server and its clients.

The wire format is the one of the PostgreSQL charm's ``pgsql`` interface (read from
``stub42/postgresql-charm:hooks/relations/pgsql``), so a reactops charm relates to the real
PostgreSQL charm and to clients written with the original layer. Every value is a raw
string in the unit's bag.

The client (:class:`Requires`) publishes:

==================  ============================================================
field               meaning
==================  ============================================================
``database``        the database it wants (the server creates it)
``roles``           roles to grant to its user, comma-separated and sorted
``extensions``      extensions to install, comma-separated and sorted
==================  ============================================================

The server (:class:`Provides`) answers, in each unit's bag:

===================  ===========================================================
field                meaning
===================  ===========================================================
``master``           libpq conninfo of the master (``dbname=app host=... port=...``)
``standbys``         conninfo of each hot standby, one per line
``host`` ``port``    the master's parts again (the protocol's first version)
``user``
``password``
``database``         the database the answer is for (echoes the request)
``roles``            echoes the granted roles; ``extensions`` likewise
``allowed-units``    the client units allowed to connect, space-separated
``allowed-subnets``  optionally, the allowed client subnets, comma-separated
===================  ===========================================================

A server unit's answer is *ready* for this client when it names the database, roles and
extensions the client asked for, and allows the client (its ``egress-subnets`` are in
``allowed-subnets`` when the server sends that, else its unit is in ``allowed-units``).
A relation has answered when at least one server unit published ``master`` or
``standbys`` and every such unit is ready.

Flags (``<n>`` is the endpoint name); the client's are worked out whenever relation
data is read (see :meth:`reactops.Endpoint.manage_flags`) and when it changes its
request with :meth:`Requires.set_database` and friends:

======================================  ======================================================
flag                                    set while
======================================  ======================================================
``<n>.connected`` (client)              a server unit is joined (``endpoint.<n>.joined``)
``<n>.database.available`` (client)     a relation answered with a master or a standby
``<n>.master.available`` (client)       a relation answered with a master
``<n>.standbys.available`` (client)     a relation answered with at least one standby
``<n>.database.requested`` (server)     a joined client unit published ``database``
======================================  ======================================================

Unlike the original layer, the client leaves ``endpoint.<n>.changed`` set for the charm.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..reactive.endpoint import Endpoint, RelatedUnit, Relation
from ..reactive.flags import toggle_flag

TYPE_CHECKING = False
if TYPE_CHECKING:
    from dataclasses import dataclass, field
else:  # the same classes, without dataclasses (and inspect) in every hook of the charm
    from .._private.record import dataclass, field

__all__ = ['ConnectionString', 'DatabaseRequest', 'Provides', 'Requires']

# key = value, where the value is 'quoted (with \' and \\ escapes)' or unquoted.
_CONNINFO = r"""(\w+)\s*=\s*(?:'((?:\\.|[^'\\])*)'|(\S*))(?=\s|\Z)"""
_FIELDS = ('host', 'port', 'dbname', 'user', 'password')


def _quote(value: str) -> str:
    if value and not any(c.isspace() or c in "'\\" for c in value):
        return value
    escaped = value.replace('\\', '\\\\').replace("'", "\\'")
    return f"'{escaped}'"


def _split(value: str | None) -> list[str]:
    return (value or '').replace(',', ' ').split()


@dataclass(frozen=True)
class ConnectionString:
    """Where and as whom to connect to one PostgreSQL server: the five parts of a libpq
    conninfo string. ``str()`` gives the conninfo (keys sorted, as the server charm
    writes it); :attr:`uri` the ``postgresql://`` form."""

    host: str
    port: int
    dbname: str
    user: str
    password: str

    @classmethod
    def parse(cls, conninfo: str) -> ConnectionString | None:
        """The connection in *conninfo* (``host=10.0.0.1 port=5432 dbname=app user=u
        password=p``), or ``None`` when one of the five parts is missing or the port is
        not a number. Other keys (``sslmode`` ...) are ignored."""
        import re  # only where a server's answer is read

        parts: dict[str, str] = {}
        for key, quoted, plain in re.findall(_CONNINFO, conninfo):
            value = re.sub(r'\\(.)', r'\1', quoted) if quoted else plain
            parts.setdefault(key, value)
        if not all(parts.get(key) for key in _FIELDS) or not parts['port'].isdigit():
            return None
        return cls(host=parts['host'], port=int(parts['port']), dbname=parts['dbname'],
                   user=parts['user'], password=parts['password'])

    def __str__(self) -> str:
        values = {'host': self.host, 'port': str(self.port), 'dbname': self.dbname,
                  'user': self.user, 'password': self.password}
        return ' '.join(f'{key}={_quote(values[key])}' for key in sorted(values))

    @property
    def uri(self) -> str:
        """``postgresql://user:password@host:port/dbname`` (IPv6 hosts in brackets)."""
        from urllib.parse import quote

        host = f'[{self.host}]' if ':' in self.host else self.host
        return (f'postgresql://{quote(self.user, safe="")}:{quote(self.password, safe="")}'
                f'@{host}:{self.port}/{quote(self.dbname, safe="")}')


@dataclass(frozen=True)
class DatabaseRequest:
    """What the clients on one relation ask the server for (the first joined unit that
    asked wins). ``units`` are the client units joined; :meth:`Provides.publish` allows
    them by default."""

    relation: Relation = field(compare=False)
    relation_id: str
    application_name: str
    database: str
    roles: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    units: tuple[str, ...] = ()


class Requires(Endpoint):
    """The client side of ``pgsql``: asks for a database and reads the server's answer.

    Set the request with :meth:`set_database` (and optionally :meth:`set_roles`,
    :meth:`set_extensions`), then wait for ``<n>.master.available`` and read
    :attr:`master`. With several relations, the first one that answered wins.
    """

    def manage_flags(self) -> None:
        self._update_flags()

    def _update_flags(self) -> None:
        joined = self.is_joined
        toggle_flag(self.expand_name('{endpoint_name}.connected'), joined)
        master, standbys = (self.master, self.standbys) if joined else (None, [])
        toggle_flag(self.expand_name('{endpoint_name}.master.available'), master)
        toggle_flag(self.expand_name('{endpoint_name}.standbys.available'), standbys)
        toggle_flag(self.expand_name('{endpoint_name}.database.available'),
                    master or standbys)

    def _publish(self, key: str, value: str, relation_id: str | None) -> None:
        for relation in self.relations:
            if relation_id is None or relation.relation_id == relation_id:
                relation.to_publish_raw[key] = value
        self._update_flags()  # the answer must now match the new request

    def set_database(self, dbname: str, relation_id: str | None = None) -> None:
        """Ask for database *dbname* on every relation (or only *relation_id*,
        ``db:3``). The server creates it if needed and never drops it."""
        self._publish('database', dbname, relation_id)

    def set_roles(self, roles: str | Iterable[str], relation_id: str | None = None) -> None:
        """Ask for *roles* to be granted to our database user."""
        names = [roles] if isinstance(roles, str) else list(roles)
        self._publish('roles', ','.join(sorted(names)), relation_id)

    def set_extensions(self, extensions: str | Iterable[str],
                       relation_id: str | None = None) -> None:
        """Ask for *extensions* to be installed into the database."""
        names = [extensions] if isinstance(extensions, str) else list(extensions)
        self._publish('extensions', ','.join(sorted(names)), relation_id)

    @property
    def master(self) -> ConnectionString | None:
        """The master of the first relation that answered with one, else ``None``."""
        for relation in self.relations:
            ready = self._ready_units(relation)
            for unit in ready or ():
                master = ConnectionString.parse(unit.received_raw.get('master', ''))
                if master is not None:
                    return master
        return None

    @property
    def standbys(self) -> list[ConnectionString]:
        """The hot standbys of every relation that answered (no duplicates)."""
        found: list[ConnectionString] = []
        for relation in self.relations:
            for unit in self._ready_units(relation) or ():
                for line in unit.received_raw.get('standbys', '').splitlines():
                    standby = ConnectionString.parse(line)
                    if standby is not None and standby not in found:
                        found.append(standby)
                if found:
                    break  # every server unit lists them all
        return found

    def _ready_units(self, relation: Relation) -> list[RelatedUnit] | None:
        """The server units that answered, or ``None`` while one is not ready."""
        answering = [unit for unit in relation.joined_units
                     if 'master' in unit.received_raw or 'standbys' in unit.received_raw]
        if not answering or not all(self._is_ready(relation, u) for u in answering):
            return None
        return answering

    def _is_ready(self, relation: Relation, unit: RelatedUnit) -> bool:
        theirs, ours = unit.received_raw, relation.to_publish_raw
        subnets = set(_split(theirs.get('allowed-subnets')))
        if subnets:
            if not set(_split(ours.get('egress-subnets'))) <= subnets:
                return False
        elif self._model.unit.name not in _split(theirs.get('allowed-units')):
            return False
        return all(ours.get(key, '') == theirs.get(key, '')
                   for key in ('database', 'roles', 'extensions'))


class Provides(Endpoint):
    """The server side of ``pgsql``: lists what clients ask for and answers each
    relation with :meth:`publish`."""

    def manage_flags(self) -> None:
        toggle_flag(self.expand_name('{endpoint_name}.database.requested'),
                    self.requested_databases())

    def requested_databases(self) -> list[DatabaseRequest]:
        """One request per relation whose joined client units asked for a database."""
        requests = []
        for relation in self.relations:
            units = relation.joined_units
            asked = [u.received_raw for u in units if u.received_raw.get('database')]
            if not asked:
                continue
            data = asked[0]
            requests.append(DatabaseRequest(
                relation=relation, relation_id=relation.relation_id,
                application_name=relation.application_name, database=str(data['database']),
                roles=tuple(_split(data.get('roles'))),
                extensions=tuple(_split(data.get('extensions'))),
                units=tuple(u.unit_name for u in units)))
        return requests

    def publish(self, relation: Relation | str, master: ConnectionString | None,
                standbys: Sequence[ConnectionString] = (), *,
                allowed_units: Iterable[str] | None = None,
                allowed_subnets: Iterable[str] | None = None) -> None:
        """Answer the clients of *relation* (a relation or its id, ``db:3``).

        *master* (or ``None`` while there is none) and *standbys* are the connections
        for the database they asked for; the request's roles and extensions are echoed
        as granted. *allowed_units* defaults to every client unit joined now.
        """
        rel = relation if isinstance(relation, Relation) else self.relations[relation]
        asked = next((u.received_raw for u in rel.joined_units
                      if u.received_raw.get('database')), None)
        first = master or (standbys[0] if standbys else None)
        units = (u.unit_name for u in rel.joined_units) if allowed_units is None \
            else allowed_units
        rel.to_publish_raw.update({
            'master': str(master) if master else None,
            'standbys': '\n'.join(str(s) for s in standbys) or None,
            'host': first.host if first else None,
            'port': str(first.port) if first else None,
            'database': first.dbname if first else None,
            'user': first.user if first else None,
            'password': first.password if first else None,
            'roles': asked.get('roles') if asked else None,
            'extensions': asked.get('extensions') if asked else None,
            'allowed-units': ' '.join(sorted(units)) or None,
            'allowed-subnets': ','.join(sorted(allowed_subnets)) if allowed_subnets
            else None,
        })

