"""Kubernetes web (ops style) as Juju runs it: each hook a real process, on fake hook tools,
talking to a Pebble-speaking server on a Unix socket (``tests/pebbleserver.py``).

``REACTOPS_CONTAINERS_DIR`` tells reactops where the containers' sockets are, in place of
``/charm/containers``. The fake Pebble runs an exec as a real process on this machine.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from charmrun import CharmUnit
from pebbleserver import PebbleServer

CHARM_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def web(tmp_path: Path) -> Iterator[PebbleServer]:
    with PebbleServer(tmp_path / 'containers' / 'web') as server:
        yield server


def test_the_charm_runs_its_hooks_against_pebble(tmp_path: Path, web: PebbleServer) -> None:
    unit = CharmUnit(tmp_path / 'unit', CHARM_DIR, 'k8s-web-ops/0',
                     config={'port': 8080, 'greeting': 'hello'})
    sockets = str(tmp_path / 'containers')

    argvs = unit.ok('hooks/web-pebble-ready', JUJU_WORKLOAD_NAME='web',
                    REACTOPS_CONTAINERS_DIR=sockets)
    assert web.plan()['services']['web']['command'] == \
        'python3 -m http.server 8080 --directory /srv/www'
    assert web.running == {'web'}
    assert (web.fs / 'srv' / 'www' / 'index.html').read_text() == '<h1>hello</h1>\n'
    assert ['open-port', '8080/tcp'] in argvs
    assert ['status-set', '--application=false', 'active', '--', 'serving on :8080'] in argvs

    unit.juju.update(config={'port': 9000, 'greeting': 'hi'})
    argvs = unit.ok('hooks/config-changed', REACTOPS_CONTAINERS_DIR=sockets)
    assert web.plan()['services']['web']['command'] == \
        'python3 -m http.server 9000 --directory /srv/www'
    assert (web.fs / 'srv' / 'www' / 'index.html').read_text() == '<h1>hi</h1>\n'
    assert [c['kind'] for c in web.changes.values()][-1] == 'restart'
    assert ['open-port', '9000/tcp'] in argvs

    unit.juju.update(action={'params': {}})
    argvs = unit.ok('actions/python-version', JUJU_ACTION_NAME='python-version',
                    JUJU_ACTION_UUID='1', REACTOPS_CONTAINERS_DIR=sockets)
    version = subprocess.run(['python3', '--version'], capture_output=True, text=True,
                             check=True).stdout.split()[-1]
    assert unit.juju.state()['action']['results'] == {'version': version}
    assert ['application-version-set', '--', version] in argvs
