"""A Kubernetes charm's pebble-ready hook imports only what adding a layer and replanning needs.

Issue 21: the hook that gets its container, adds a layer (``combine=True``) and replans
once loaded json (with re and enum), typing, pathlib (with urllib.parse, ipaddress and
fnmatch), datetime, copy, socket (with selectors and enum), Pebble's enums and the files
helpers; none of them is needed for that work. The
hook runs as a real process (``python -S``, so that no site start-up hook loads modules
first) against the fake Pebble of ``tests/pebbleserver.py``; these guards count modules,
never time (``bench/bench_pebble.py`` has the timings).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from charmrun import REPO, CharmUnit
from pebbleserver import PebbleServer

from reactops import pebble

# What the pebble-ready hook no longer loads, and what each one brought in or cost.
KEPT_OUT = {
    'json', 're', 'typing', 'pathlib', 'urllib.parse', 'ipaddress', 'fnmatch', 'datetime',
    'copy', 'dataclasses', 'http.client', 'email', 'enum', 'socket', 'selectors',
    'reactops._private.pebble_enums',   # the enums (enum), made when first named or read
    'reactops._private.pebble_infos',   # service, check and file states (they hold enums)
    'reactops._private.pebble_files',   # pull, push, directories
    'reactops._private.pebble_dicts',   # the TypedDicts (typing)
    'reactops._private.pebble_exec',    # commands (websocket)
    'reactops._private.pebble_notices',  # notices, identities (dataclasses)
    'reactops._private.timeconv',       # a change's times (datetime, re)
}

METADATA = """\
name: pod
containers:
  web:
    resource: web-image
resources:
  web-image:
    type: oci-image
"""

# The bench's charm: a service and a TCP check, laid over the label's layer, then a replan.
CHARM = """\
import reactops as ops

LAYER = {
    'summary': 'web server',
    'services': {'web': {'override': 'replace', 'command': 'serve', 'startup': 'enabled',
                         'environment': {'PORT': '8080'}}},
    'checks': {'up': {'override': 'replace', 'level': 'alive', 'tcp': {'port': 8080}}},
}


class PodCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.web_pebble_ready, self._on_pebble_ready)

    def _on_pebble_ready(self, event):
        container = self.unit.get_container('web')
        container.add_layer('web', LAYER, combine=True)
        container.replan()
        self.unit.status = ops.ActiveStatus('serving')


if __name__ == '__main__':
    ops.main(PodCharm)
"""


@pytest.fixture
def web(tmp_path: Path) -> Iterator[PebbleServer]:
    with PebbleServer(tmp_path / 'containers' / 'web') as server:
        yield server


def _pebble_ready(unit: CharmUnit, containers: Path) -> set[str]:
    """The modules one pebble-ready hook imports, run with ``python -S``."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(('JUJU_', 'REACTOPS_'))}
    env.update(unit.juju.env(JUJU_DISPATCH_PATH='hooks/web-pebble-ready',
                             JUJU_WORKLOAD_NAME='web', REACTOPS_CONTAINERS_DIR=str(containers)))
    env.update(PYTHONPATH=str(REPO), PYTHONPROFILEIMPORTTIME='1')
    result = subprocess.run(
        [sys.executable, '-S', str(unit.juju.charm_dir / 'src' / 'charm.py')], env=env,
        capture_output=True, text=True, timeout=60, cwd=unit.juju.charm_dir)
    assert result.returncode == 0, result.stderr
    return {line.rsplit('|', 1)[-1].strip() for line in result.stderr.splitlines()
            if line.startswith('import time:')}


def test_the_pebble_ready_hook_imports_none_of_them(tmp_path: Path, web: PebbleServer) -> None:
    source = tmp_path / 'source'
    (source / 'src').mkdir(parents=True)
    (source / 'metadata.yaml').write_text(METADATA)
    (source / 'src' / 'charm.py').write_text(CHARM)
    unit = CharmUnit(tmp_path / 'unit', source, 'pod/0')
    unit.ok('hooks/install')  # parses metadata.yaml with PyYAML (re) and caches it
    imported = _pebble_ready(unit, tmp_path / 'containers')
    # The hook did its work, through the client...
    assert 'reactops._private.pebble_http' in imported
    sent = [(r['method'], r['path']) for r in web.requests]
    assert ('POST', '/v1/layers') in sent and ('POST', '/v1/services') in sent
    assert web.running == {'web'}
    assert ['status-set', '--application=false', 'active', '--', 'serving'] in unit.juju.argvs()
    # ... without what it does not need.
    assert not imported & KEPT_OUT, sorted(imported & KEPT_OUT)


def _raw_requests(call: str) -> list[bytes]:
    """The raw body of the one request *call* (a Client method call on ``client``) sends to
    a socket that answers it with an empty JSON result."""
    import tempfile

    folder = tempfile.mkdtemp(prefix='pebble-raw-')
    path = os.path.join(folder, 'pebble.socket')
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()
    received: list[bytes] = []

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            data = b''
            while b'\r\n\r\n' not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b'\r\n\r\n')
            length = next((int(line.split(b':')[1]) for line in head.split(b'\r\n')
                           if line.lower().startswith(b'content-length:')), 0)
            while len(body) < length:
                body += conn.recv(65536)
            received.append(body)
            answer = b'{"type":"sync","status-code":200,"result":{},"change":"1"}'
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'
                         b'Content-Length: %d\r\n\r\n%s' % (len(answer), answer))
            conn.close()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    client = pebble.Client(path)
    eval(call, {'client': client, 'pebble': pebble})
    server.join(10)
    return received


def test_request_bodies_are_the_bytes_json_dumps_writes() -> None:
    layer = 'summary: caf\u00e9 \u2603\nservices: {}\n'
    (body,) = _raw_requests("client.add_layer('l\u00e9', " + repr(layer) + ', combine=True)')
    assert body == json.dumps({'action': 'add', 'combine': True, 'label': 'l\u00e9',
                               'format': 'yaml', 'layer': layer}).encode()
    (body,) = _raw_requests('client.replan_services(timeout=0)')
    assert body == json.dumps({'action': 'replan', 'services': []}).encode()


def test_the_names_ops_gives_stay_real_when_loaded_lazily() -> None:
    import enum
    import typing

    from reactops._private import pebble_dicts, pebble_plan

    assert issubclass(pebble.ServiceStatus, enum.Enum)
    assert pebble.ServiceStatus('active') is pebble.ServiceStatus.ACTIVE
    from reactops._private import pebble_types
    assert pebble_types.CheckLevel is pebble.CheckLevel
    assert pebble.ServiceInfo.from_dict({'name': 'web', 'startup': 'enabled',
                                         'current': 'active'}).is_running()
    assert typing.is_typeddict(pebble.LayerDict) and typing.is_typeddict(pebble.IdentityDict)
    assert pebble.ExecError[str] is pebble.ExecError
    assert set(pebble.__all__) <= set(dir(pebble))
    # Service.to_dict follows ServiceDict's keys without loading it.
    assert pebble_plan.SERVICE_KEYS == tuple(pebble_dicts.ServiceDict.__annotations__)
    change = pebble.Change.from_dict({
        'id': '7', 'kind': 'replan', 'summary': '', 'status': 'Done', 'ready': True,
        'spawn-time': '2024-01-02T03:04:05.5Z', 'ready-time': None})
    assert change.spawn_time.microsecond == 500000 and change.ready_time is None


def test_a_checks_level_and_startup_are_the_enums_ops_gives_when_read() -> None:
    check = pebble.Check('up', {'override': 'replace', 'level': 'alive',
                                'tcp': {'port': 8080}})
    assert check.to_dict() == {'override': 'replace', 'level': 'alive', 'tcp': {'port': 8080}}
    assert check.level is pebble.CheckLevel.ALIVE
    assert check.startup is pebble.CheckStartup.UNSET
    assert pebble.Check('x', {'level': 'sometimes'}).level == 'sometimes'  # a newer Pebble's
    assert type(pebble.Check('x', {'level': 'sometimes'}).level) is str
    with pytest.raises(ValueError, match='sometimes'):
        pebble.Check('x', {'startup': 'sometimes'})  # type: ignore[arg-type]
    check.startup = pebble.CheckStartup.DISABLED
    assert check.to_dict()['startup'] == 'disabled'
    layer = pebble.Layer({'checks': {'up': {'override': 'replace', 'startup': 'disabled',
                                            'level': 'ready', 'period': '5s'}}})
    over = pebble.Layer({'checks': {'up': {'override': 'merge', 'period': '10s'}}})
    merged = layer.checks['up']
    merged._merge(over.checks['up'])
    assert merged.to_dict() == {'override': 'merge', 'startup': 'disabled', 'level': 'ready',
                                'period': '10s'}


def test_a_push_describes_its_file_in_the_bytes_json_dumps_writes() -> None:
    from reactops._private.pebble_files import encode_multipart

    metadata = {'action': 'write', 'files': [{'path': '/etc/caf\u00e9.conf', 'permissions': '644',
                                              'user-id': 0, 'make-dirs': True}]}
    chunks, _ = encode_multipart(metadata, '/etc/caf\u00e9.conf', 'x', 'utf-8', 8192)
    head = next(chunks)
    assert f'\r\n\r\n{json.dumps(metadata)}\r\n'.encode() in head
