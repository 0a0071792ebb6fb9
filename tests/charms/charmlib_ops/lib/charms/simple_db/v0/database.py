"""Ask a `simple-db` provider for a database, and learn when it is ready or gone.

A charm that needs a database declares a `requires` endpoint of interface `simple-db`
and creates a `DatabaseRequirer` in its `__init__`:

```python
from charms.simple_db.v0.database import DatabaseRequirer


class WebappCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.database = DatabaseRequirer(self, 'database', database_name='webapp')
        framework.observe(self.database.on.database_available, self._on_database_available)
        framework.observe(self.database.on.database_gone, self._on_database_gone)
```

The leader asks for the database by writing `database` in the application data bag.
The provider answers in its own application bag with `endpoints` (comma-separated
`host:port`) and `username`; `database_available` is emitted when an answer arrives or
changes, `database_gone` when the relation ends. The last answer is kept in stored state,
so `is_ready()`, `endpoints` and `username` work in any later hook.
"""

from __future__ import annotations

import logging
from typing import Any

import ops

# The unique Charmhub library identifier, never change it
LIBID = '6c64bf2c13c545c281b2021251b66f45'

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 2

logger = logging.getLogger(__name__)


class DatabaseAvailableEvent(ops.EventBase):
    """The provider has answered (or changed its answer): the database can be used."""

    def __init__(self, handle: ops.Handle, relation_id: int, endpoints: list[str],
                 username: str):
        super().__init__(handle)
        self.relation_id = relation_id
        self.endpoints = endpoints
        self.username = username

    def snapshot(self) -> dict[str, Any]:
        return {'relation_id': self.relation_id, 'endpoints': self.endpoints,
                'username': self.username}

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.relation_id = snapshot['relation_id']
        self.endpoints = snapshot['endpoints']
        self.username = snapshot['username']


class DatabaseGoneEvent(ops.EventBase):
    """The relation to the provider has ended: the database must no longer be used."""

    def __init__(self, handle: ops.Handle, relation_id: int):
        super().__init__(handle)
        self.relation_id = relation_id

    def snapshot(self) -> dict[str, Any]:
        return {'relation_id': self.relation_id}

    def restore(self, snapshot: dict[str, Any]) -> None:
        self.relation_id = snapshot['relation_id']


class DatabaseRequirerEvents(ops.ObjectEvents):
    """The events a `DatabaseRequirer` emits."""

    database_available = ops.EventSource(DatabaseAvailableEvent)
    database_gone = ops.EventSource(DatabaseGoneEvent)


class DatabaseRequirer(ops.Object):
    """The requiring side of a `simple-db` relation."""

    on = DatabaseRequirerEvents()  # pyright: ignore[reportAssignmentType]
    _stored = ops.StoredState()

    def __init__(self, charm: ops.CharmBase, relation_name: str, database_name: str):
        super().__init__(charm, relation_name)
        self.charm = charm
        self.relation_name = relation_name
        self.database_name = database_name
        self._stored.set_default(answer={})
        events = charm.on[relation_name]
        self.framework.observe(events.relation_created, self._on_relation_created)
        self.framework.observe(events.relation_changed, self._on_relation_changed)
        self.framework.observe(events.relation_broken, self._on_relation_broken)
        self.framework.observe(charm.on.leader_elected, self._on_leader_elected)

    @property
    def endpoints(self) -> list[str]:
        """The provider's `host:port` endpoints (empty until it has answered)."""
        return list(self._stored.answer.get('endpoints', []))

    @property
    def username(self) -> str | None:
        """The user the provider created for this application."""
        return self._stored.answer.get('username')

    def is_ready(self) -> bool:
        """Whether the provider has answered and the relation is still there."""
        return bool(self._stored.answer) and self.charm.model.get_relation(
            self.relation_name) is not None

    def _request(self, relation: ops.Relation) -> None:
        if self.charm.unit.is_leader():
            relation.data[self.charm.app]['database'] = self.database_name

    def _on_relation_created(self, event: ops.RelationCreatedEvent) -> None:
        self._request(event.relation)

    def _on_leader_elected(self, event: ops.LeaderElectedEvent) -> None:
        for relation in self.charm.model.relations[self.relation_name]:
            self._request(relation)

    def _on_relation_changed(self, event: ops.RelationChangedEvent) -> None:
        if event.app is None:
            return
        bag = event.relation.data[event.app]
        endpoints = [e for e in bag.get('endpoints', '').split(',') if e]
        username = bag.get('username')
        if not endpoints or not username:
            logger.debug('simple-db provider %s has not answered yet', event.app.name)
            return
        answer = {'relation_id': event.relation.id, 'endpoints': endpoints,
                  'username': username}
        if dict(self._stored.answer) == answer:
            return
        self._stored.answer = answer
        logger.info('database %s ready at %s', self.database_name, ','.join(endpoints))
        self.on.database_available.emit(event.relation.id, endpoints, username)

    def _on_relation_broken(self, event: ops.RelationBrokenEvent) -> None:
        self._stored.answer = {}
        self.on.database_gone.emit(event.relation.id)
