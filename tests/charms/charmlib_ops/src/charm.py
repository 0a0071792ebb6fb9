#!/usr/bin/env python3
"""A web application charm that gets its database from the simple-db library."""

import logging

import ops
from charms.simple_db.v0.database import DatabaseRequirer

logger = logging.getLogger(__name__)


class WebappCharm(ops.CharmBase):
    """Serves once the database is ready; blocked without one."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self.database = DatabaseRequirer(self, 'database', database_name='webapp')
        framework.observe(self.database.on.database_available, self._on_database_available)
        framework.observe(self.database.on.database_gone, self._on_database_gone)
        framework.observe(self.on.collect_unit_status, self._on_collect_status)

    def _on_database_available(self, event: ops.EventBase) -> None:
        if self.config['paused']:
            logger.info('paused: the new database waits')
            event.defer()
            return
        logger.info('connecting to %s as %s', event.endpoints[0], event.username)

    def _on_database_gone(self, event: ops.EventBase) -> None:
        logger.info('database relation %d ended', event.relation_id)

    def _on_collect_status(self, event: ops.CollectStatusEvent) -> None:
        if not self.database.is_ready():
            event.add_status(ops.BlockedStatus('waiting for a database'))
            return
        endpoint = self.database.endpoints[0]
        event.add_status(ops.ActiveStatus(f'using {endpoint} as {self.database.username}'))


if __name__ == '__main__':  # pragma: nocover
    ops.main(WebappCharm)
