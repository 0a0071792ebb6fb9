#!/usr/bin/env python3
"""Kubernetes web, ops style: a sidecar charm whose workload container runs a web server.

Written against ``import ops`` only, so the same file runs on ops and on reactops (which
answers ``import ops`` with its own modules). The workload container ``web`` runs
``python3 -m http.server`` under Pebble; the charm talks to that Pebble through
``self.unit.get_container('web')``.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)

PAGE = '/srv/www/index.html'
RELOAD_NOTICE = 'example.com/reload'


class K8sWebCharm(ops.CharmBase):
    """Runs the web server in the ``web`` container and keeps it in line with the config."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.web_pebble_ready, self._on_web_pebble_ready)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.web_pebble_check_failed, self._on_check_failed)
        framework.observe(self.on.web_pebble_check_recovered, self._on_check_recovered)
        framework.observe(self.on.web_pebble_custom_notice, self._on_custom_notice)
        framework.observe(self.on.python_version_action, self._on_python_version_action)

    def _layer(self) -> ops.pebble.LayerDict:
        """The Pebble layer of the web server: its service and an HTTP health check."""
        port = self.config['port']
        return {
            'summary': 'web server',
            'services': {'web': {
                'override': 'replace',
                'summary': 'static HTTP server',
                'command': f'python3 -m http.server {port} --directory /srv/www',
                'startup': 'enabled',
            }},
            'checks': {'alive': {
                'override': 'replace',
                'level': 'alive',
                'http': {'url': f'http://localhost:{port}/'},
            }},
        }

    def _push_page(self, container: ops.Container) -> None:
        container.push(PAGE, f'<h1>{self.config["greeting"]}</h1>\n', make_dirs=True)

    def _on_web_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        container = event.workload
        self._push_page(container)
        container.add_layer('web', self._layer(), combine=True)
        container.replan()
        self._serving()

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        container = self.unit.get_container('web')
        if not container.can_connect():
            # Nothing to do yet: pebble-ready pushes the page and starts the server.
            self.unit.status = ops.WaitingStatus('waiting for Pebble in the web container')
            return
        self._push_page(container)
        container.add_layer('web', self._layer(), combine=True)
        container.restart('web')
        self._serving()

    def _on_check_failed(self, event: ops.PebbleCheckFailedEvent) -> None:
        self.unit.status = ops.MaintenanceStatus(f'check {event.info.name} is failing')

    def _on_check_recovered(self, event: ops.PebbleCheckRecoveredEvent) -> None:
        self._serving()

    def _on_custom_notice(self, event: ops.PebbleCustomNoticeEvent) -> None:
        # Someone in the workload ran `pebble notify example.com/reload`.
        if event.notice.key == RELOAD_NOTICE:
            self._push_page(event.workload)
            event.workload.restart('web')

    def _on_python_version_action(self, event: ops.ActionEvent) -> None:
        container = self.unit.get_container('web')
        if not container.can_connect():
            event.fail('the web container is not reachable yet')
            return
        try:
            stdout, _ = container.exec(['python3', '--version']).wait_output()
        except ops.pebble.ExecError as error:
            event.fail(f'python3 --version failed: {error.stderr or error}')
            return
        version = stdout.split()[-1]
        self.unit.set_workload_version(version)
        event.set_results({'version': version})

    def _serving(self) -> None:
        port = self.config['port']
        self.unit.set_ports(port)
        self.unit.status = ops.ActiveStatus(f'serving on :{port}')


if __name__ == '__main__':  # pragma: nocover
    ops.main(K8sWebCharm)
