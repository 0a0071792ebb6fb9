#!/usr/bin/env python3
"""Tiny web: a small machine charm written in the ops style, running on reactops.

Porting from ops is a matter of imports: this file would run on ops with
``import ops`` in place of ``import reactops``.
"""

from __future__ import annotations

import logging

import reactops
from reactops import ActiveStatus, BlockedStatus, MaintenanceStatus

logger = logging.getLogger(__name__)


class TinyWebCharm(reactops.CharmBase):
    """Serves a greeting on the configured port and tells related clients where."""

    _stored = reactops.StoredState()

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        self._stored.set_default(installed=False, restarts=0)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.website_relation_joined, self._on_website_joined)
        framework.observe(self.on.restart_action, self._on_restart_action)
        framework.observe(self.on.collect_unit_status, self._on_collect_unit_status)

    def _on_install(self, event: reactops.InstallEvent) -> None:
        self.unit.status = MaintenanceStatus('installing the web server')
        self._stored.installed = True
        self.unit.set_workload_version('1.0')

    def _on_config_changed(self, event: reactops.ConfigChangedEvent) -> None:
        if not self._stored.installed:
            event.defer()  # install has not run yet on this unit
            return
        port = self.config['port']
        if not 0 < port < 65536:
            return  # collect-status reports it
        self.unit.set_ports(port)
        for relation in self.model.relations['website']:
            self._publish(relation)

    def _on_website_joined(self, event: reactops.RelationJoinedEvent) -> None:
        self._publish(event.relation)

    def _publish(self, relation: reactops.Relation) -> None:
        bag = relation.data[self.unit]
        bag['hostname'] = str(self.model.get_binding(relation).network.bind_address)
        bag['port'] = str(self.config['port'])
        if self.unit.is_leader():
            relation.data[self.app]['greeting'] = self.config['greeting']

    def _on_restart_action(self, event: reactops.ActionEvent) -> None:
        reason = event.params['reason']
        if reason == 'fail':
            raise RuntimeError('the web server refused to restart')
        event.log(f'restarting because: {reason}')
        self._stored.restarts += 1
        event.set_results({'restarts': self._stored.restarts,
                           'server': {'port': self.config['port']}})

    def _on_collect_unit_status(self, event: reactops.CollectStatusEvent) -> None:
        port = self.config['port']
        if not 0 < port < 65536:
            event.add_status(BlockedStatus(f'invalid port {port}'))
        elif not self._stored.installed:
            event.add_status(MaintenanceStatus('waiting for install'))
        event.add_status(ActiveStatus(f'serving on :{port}'))


if __name__ == '__main__':  # pragma: nocover
    reactops.main(TinyWebCharm)
