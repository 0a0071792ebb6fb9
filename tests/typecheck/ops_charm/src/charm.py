#!/usr/bin/env python3
"""An ops-style charm written as reactops' docs show, fully annotated.

It exists to be type-checked (``nox -s typecheck``): the same file must pass mypy strict and
pyright strict on reactops, as it does on ops. It answers to ``import ops``, the way a charm
ported from ops keeps its imports.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class TypedOpsCharm(ops.CharmBase):
    """Serves a small database in the ``db`` container and tells related apps where."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(backups=0, last_target='')
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.db_pebble_ready, self._on_db_pebble_ready)
        framework.observe(self.on.website_relation_joined, self._on_website_joined)
        framework.observe(self.on.website_relation_changed, self._on_website_changed)
        framework.observe(self.on['cluster'].relation_departed, self._on_cluster_departed)
        framework.observe(self.on.backup_action, self._on_backup_action)
        framework.observe(self.on.secret_changed, self._on_secret_changed)
        framework.observe(self.on.collect_unit_status, self._on_collect_unit_status)

    @property
    def port(self) -> int:
        """The configured port; charmcraft.yaml declares it an int."""
        return int(self.config['port'])

    def _layer(self) -> ops.pebble.LayerDict:
        return {
            'summary': 'database',
            'services': {'db': {
                'override': 'replace',
                'command': f'/usr/bin/tinydb --port {self.port}',
                'startup': 'enabled',
            }},
        }

    def _on_install(self, event: ops.InstallEvent) -> None:
        self.unit.status = ops.MaintenanceStatus('waiting for the db container')

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        container = self.unit.get_container('db')
        if not container.can_connect():
            event.defer()
            return
        self._replan(container)

    def _on_db_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        self._replan(event.workload)

    def _replan(self, container: ops.Container) -> None:
        layer = ops.pebble.Layer(self._layer())
        container.add_layer('db', layer, combine=True)
        container.replan()
        services = container.get_services('db')
        running = [name for name, info in services.items() if info.is_running()]
        logger.info('running services: %s', ', '.join(running))
        self.unit.set_ports(self.port)

    def _on_website_joined(self, event: ops.RelationJoinedEvent) -> None:
        if self.unit.is_leader():
            event.relation.data[self.app]['port'] = str(self.port)
        event.relation.data[self.unit]['host'] = self.unit.name.replace('/', '-')

    def _on_website_changed(self, event: ops.RelationChangedEvent) -> None:
        remote = event.relation.data[event.app]
        path: str | None = remote.get('path')
        if path is not None:
            logger.info('%s asks for %s', event.app.name, path)
        if event.unit is not None:
            unit_data: ops.RelationDataContent = event.relation.data[event.unit]
            logger.info('%s says %s', event.unit.name, dict(unit_data))

    def _on_cluster_departed(self, event: ops.RelationDepartedEvent) -> None:
        departing = event.departing_unit
        if departing is not None:
            logger.info('peer %s left', departing.name)

    def _on_backup_action(self, event: ops.ActionEvent) -> None:
        target = str(event.params.get('target', '/backups'))
        event.log(f'backing up to {target}')
        self._stored.backups += 1
        self._stored.last_target = target
        event.set_results({'target': target, 'count': self._stored.backups})

    def _on_secret_changed(self, event: ops.SecretChangedEvent) -> None:
        content = event.secret.get_content(refresh=True)
        logger.info('secret %s now has %d keys', event.secret.label, len(content))

    def _admin_password(self) -> str | None:
        secret_id = self.config.get('admin-password')
        if not isinstance(secret_id, str):
            return None
        try:
            secret: ops.Secret = self.model.get_secret(id=secret_id)
        except ops.SecretNotFoundError:
            return None
        return secret.get_content().get('password')

    def _on_collect_unit_status(self, event: ops.CollectStatusEvent) -> None:
        if self._admin_password() is None:
            event.add_status(ops.BlockedStatus('set admin-password to a secret'))
        relations: list[ops.Relation] = self.model.relations['website']
        event.add_status(ops.ActiveStatus(f'{len(relations)} websites'))


if __name__ == '__main__':  # pragma: nocover
    ops.main(TypedOpsCharm)
