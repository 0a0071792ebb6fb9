#!/usr/bin/env python3
"""A machine charm written for ops 3.9: counts its hooks, opens a port, records a database.

It keeps a hook counter and a few values of every plain type in StoredState, and defers
its configuration and its database relation until the unit has started, so a unit that
ran it on ops has stored state and deferred events in its state file.
"""

import logging

import ops

logger = logging.getLogger(__name__)


class CounterCharm(ops.CharmBase):
    """Counts hooks; opens the configured port and records the database once started."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self._stored.set_default(hooks=0, seen=[], ports=set(), blob=b'', db={}, started=False)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.collect_unit_status, self._on_collect_status)

    def _count(self, event: ops.EventBase) -> None:
        self._stored.hooks += 1
        self._stored.seen.append(type(event).__name__)

    def _on_install(self, event: ops.InstallEvent) -> None:
        self._count(event)
        self._stored.blob = b'\x00installed\xff'

    def _on_start(self, event: ops.StartEvent) -> None:
        self._count(event)
        self._stored.started = True

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        if not self._stored.started:
            logger.info('not started yet: deferring the configuration')
            event.defer()
            return
        self._count(event)
        port = int(self.config['port'])
        self.unit.open_port('tcp', port)
        self._stored.ports.add(port)

    def _on_db_changed(self, event: ops.RelationChangedEvent) -> None:
        if not self._stored.started:
            logger.info('not started yet: deferring %s', event.relation.name)
            event.defer()
            return
        self._count(event)
        remote = event.relation.data[event.unit] if event.unit else {}
        self._stored.db[str(event.relation.id)] = dict(remote)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        self._count(event)

    def _on_collect_status(self, event: ops.CollectStatusEvent) -> None:
        if not self._stored.started:
            event.add_status(ops.MaintenanceStatus('starting'))
        ports = ','.join(str(port) for port in sorted(self._stored.ports))
        event.add_status(ops.ActiveStatus(f'{self._stored.hooks} hooks; ports {ports or "-"}'))


if __name__ == '__main__':  # pragma: nocover
    ops.main(CounterCharm)
