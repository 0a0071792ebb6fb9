#!/usr/bin/env python3
"""Kubernetes web, reactive style: the handlers live in reactive/web.py.

The charm class only answers the action (handlers do not run for actions); the flags and
handlers do the rest.
"""

from __future__ import annotations

import reactops


class K8sWebCharm(reactops.CharmBase):
    """Runs python3 --version in the web container for the ``python-version`` action."""

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        framework.observe(self.on.python_version_action, self._on_python_version_action)

    def _on_python_version_action(self, event: reactops.ActionEvent) -> None:
        container = self.unit.get_container('web')
        if not container.can_connect():
            event.fail('the web container is not reachable yet')
            return
        try:
            stdout, _ = container.exec(['python3', '--version']).wait_output()
        except reactops.pebble.ExecError as error:
            event.fail(f'python3 --version failed: {error.stderr or error}')
            return
        version = stdout.split()[-1]
        self.unit.set_workload_version(version)
        event.set_results({'version': version})


if __name__ == '__main__':  # pragma: nocover
    reactops.main(K8sWebCharm)
