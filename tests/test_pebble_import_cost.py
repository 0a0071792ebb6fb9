"""Pebble code costs only the hooks that talk to Pebble (issue 16).

A machine charm's hooks, ops style or reactive, must never import ``reactops.pebble`` or
``reactops._private.pebble_*`` (nor Pebble's HTTP client); a Kubernetes charm's
pebble-ready hook that adds a layer and replans does, which shows the check can see them.
Each hook is a real process on fake hook tools, its imports read from ``-X importtime``;
Pebble is ``tests/pebbleserver.py`` on a Unix socket. ``bench/bench_pebble.py`` has the
timings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from charmrun import CharmUnit
from pebbleserver import PebbleServer

PEBBLE = ('reactops.pebble', 'reactops._private.pebble_')

MACHINE_METADATA = """\
name: plain
requires:
  db:
    interface: plaindb
"""
CONFIG = 'options:\n  port:\n    type: int\n    default: 8080\n    description: port\n'
ACTIONS = 'ping:\n  description: answers pong\n'

MACHINE_OPS_CHARM = """\
import reactops as ops


class PlainCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)
        framework.observe(self.on.ping_action, self._on_ping)
        framework.observe(self.on.leader_elected, self._on_leader_elected)

    def _on_install(self, event):
        self.unit.status = ops.MaintenanceStatus('installed')

    def _on_config_changed(self, event):
        self.unit.status = ops.ActiveStatus(f'port {self.config["port"]}')

    def _on_update_status(self, event):
        self.unit.status = ops.ActiveStatus('ready')

    def _on_leader_elected(self, event):
        # Libraries written for both substrates look for containers this way.
        self.unit.status = ops.ActiveStatus(f'{len(self.unit.containers)} containers')

    def _on_db_changed(self, event):
        event.relation.data[self.unit]['database'] = 'plain'

    def _on_ping(self, event):
        event.set_results({'answer': 'pong'})


if __name__ == '__main__':
    ops.main(PlainCharm)
"""

REACTIVE_ENTRY = 'import reactops\n\nif __name__ == "__main__":\n    reactops.main()\n'

REACTIVE_HANDLERS = """\
from reactops import (ActiveStatus, MaintenanceStatus, current_charm, hook, set_flag,
                      when, when_not)


@when_not('plain.installed')
def install():
    current_charm().unit.status = MaintenanceStatus('installed')
    set_flag('plain.installed')


@hook('update-status')
def update_status():
    current_charm().unit.status = ActiveStatus('ready')


@when('endpoint.db.changed')
def db_changed():
    current_charm().unit.status = ActiveStatus('db changed')
"""

K8S_METADATA = """\
name: pod
containers:
  web:
    resource: web-image
resources:
  web-image:
    type: oci-image
"""

K8S_CHARM = """\
import reactops as ops


class PodCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.web_pebble_ready, self._on_pebble_ready)

    def _on_pebble_ready(self, event):
        container = self.unit.get_container('web')
        container.add_layer('web', {'services': {'web': {
            'override': 'replace', 'command': 'serve', 'startup': 'enabled'}}}, combine=True)
        container.replan()
        self.unit.status = ops.ActiveStatus('serving')


if __name__ == '__main__':
    ops.main(PodCharm)
"""

RELATION_HOOK = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:1',
                 'JUJU_REMOTE_UNIT': 'db/0', 'JUJU_REMOTE_APP': 'db'}


def _unit(root: Path, name: str, files: dict[str, str]) -> CharmUnit:
    source = root / 'source'
    for path, text in files.items():
        (source / path).parent.mkdir(parents=True, exist_ok=True)
        (source / path).write_text(text)
    unit = CharmUnit(root / 'unit', source, f'{name}/0', config={'port': 8080})
    if 'db' in files.get('metadata.yaml', ''):
        unit.juju.add_relation('db', 1, 'db', ['db/0'], data={'db/0': {'host': 'h'}})
    return unit


def _imported(unit: CharmUnit, dispatch_path: str, **env: str) -> set[str]:
    """The modules one hook imported (its -X importtime report)."""
    result = unit.run(dispatch_path, PYTHONPROFILEIMPORTTIME='1', **env)
    assert result.returncode == 0, result.stderr
    return {line.rsplit('|', 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith('import time:')}


def _pebble(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith(PEBBLE) or m == 'http.client'}


MACHINE_HOOKS = [('hooks/install', {}), ('hooks/config-changed', {}),
                 ('hooks/update-status', {}), ('hooks/db-relation-changed', RELATION_HOOK)]


def test_an_ops_style_machine_charm_imports_no_pebble_code(tmp_path: Path) -> None:
    unit = _unit(tmp_path, 'plain', {'metadata.yaml': MACHINE_METADATA, 'config.yaml': CONFIG,
                                     'actions.yaml': ACTIONS, 'src/charm.py': MACHINE_OPS_CHARM})
    unit.juju.update(action={'params': {}})
    for dispatch_path, env in [*MACHINE_HOOKS, ('actions/ping', {'JUJU_ACTION_NAME': 'ping',
                                                                 'JUJU_ACTION_UUID': '1'})]:
        imported = _imported(unit, dispatch_path, **env)
        assert 'reactops.model' in imported, dispatch_path  # the model was there to use
        assert not _pebble(imported), (dispatch_path, _pebble(imported))


def test_a_reactive_machine_charm_imports_no_pebble_code(tmp_path: Path) -> None:
    unit = _unit(tmp_path, 'plain', {'metadata.yaml': MACHINE_METADATA, 'config.yaml': CONFIG,
                                     'src/charm.py': REACTIVE_ENTRY,
                                     'reactive/plain.py': REACTIVE_HANDLERS})
    for dispatch_path, env in MACHINE_HOOKS:
        imported = _imported(unit, dispatch_path, **env)
        assert 'reactops.reactive._dispatch' in imported, dispatch_path
        assert not _pebble(imported), (dispatch_path, _pebble(imported))


def test_a_machine_charm_looking_for_containers_imports_no_pebble_code(tmp_path: Path) -> None:
    unit = _unit(tmp_path, 'plain', {'metadata.yaml': MACHINE_METADATA, 'config.yaml': CONFIG,
                                     'actions.yaml': ACTIONS, 'src/charm.py': MACHINE_OPS_CHARM})
    imported = _imported(unit, 'hooks/leader-elected')
    assert 'reactops.model' in imported
    assert not _pebble(imported), _pebble(imported)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[PebbleServer]:
    with PebbleServer(tmp_path / 'containers' / 'web') as server:
        yield server


def test_a_pebble_ready_hook_that_uses_its_container_does_import_pebble(
        tmp_path: Path, web: PebbleServer) -> None:
    unit = _unit(tmp_path, 'pod', {'metadata.yaml': K8S_METADATA, 'src/charm.py': K8S_CHARM})
    _imported(unit, 'hooks/install')  # the first hook reads metadata.yaml and caches it
    imported = _imported(unit, 'hooks/web-pebble-ready', JUJU_WORKLOAD_NAME='web',
                         REACTOPS_CONTAINERS_DIR=str(tmp_path / 'containers'))
    assert 'reactops._private.pebble_http' in _pebble(imported)
    assert web.running == {'web'}  # the layer was added and the replan started it
    # The client speaks HTTP itself, and writes a plain layer's YAML itself.
    assert 'http.client' not in imported
    assert 'yaml' not in imported
