"""The Pebble client's wire tests (``tests/test_pebble_client.py``) pass against the real ops
client too, and both clients send Pebble the same requests.

The module runs twice in fresh interpreters against ``tests/pebbleserver.py``: under the
real ops 3.9 with ``ops.pebble`` (``$REACTOPS_COMPAT_OPS_PYTHON``, a virtualenv of its own
that ``nox -s compat`` makes, with pytest and websocket-client; else ``/tmp/ref/bin/python``),
and under this interpreter with ``reactops.pebble``. Each run writes every request the server
saw, test by test, and what each exec websocket carried; a request or a websocket stream
that differs is a reactops bug, reported with both sides.
Skipped when no interpreter with the real ops is found.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.compat

TESTS = Path(__file__).resolve().parents[1]
MODULE = TESTS / 'test_pebble_client.py'
OPS_PYTHON_ENV = 'REACTOPS_COMPAT_OPS_PYTHON'
LOCAL_OPS_PYTHON = '/tmp/ref/bin/python'
# Only the real ops has ops.version; the wire tests also need pytest and websocket-client.
_PROBE = ('import ops, ops.version, ops.pebble, pytest, websocket, yaml; '
          'assert ops.__name__ == "ops"; print(ops.__version__)')
_TIMEOUT = 300


def _clean_env() -> dict[str, str]:
    """This process's environment without what would steer the child's Python or reactops."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(('PYTHON', 'REACTOPS_', 'PYTEST_'))}


@functools.cache
def find_ops_python() -> tuple[str | None, str]:
    """The python that has the real ops (and pytest), or None and why there is none."""
    python = os.environ.get(OPS_PYTHON_ENV) or LOCAL_OPS_PYTHON
    if not Path(python).exists():
        return None, f'{python} does not exist (set ${OPS_PYTHON_ENV}; nox -s compat does)'
    probe = subprocess.run([python, '-c', _PROBE], capture_output=True, text=True,
                           timeout=60, env=_clean_env())
    if probe.returncode != 0:
        last = probe.stderr.strip().splitlines()[-1:]
        return None, (f'the real ops with pytest and websocket-client is not importable by '
                      f'{python}: {last} (nox -s compat installs them)')
    return python, probe.stdout.strip()


@dataclass
class Run:
    """One pytest run of the wire tests with one client."""

    client: str
    returncode: int
    output: str
    requests: dict[str, list[dict[str, Any]]]
    websockets: dict[str, dict[str, list[Any]]]

    @property
    def passed(self) -> int:
        found = re.search(r'(\d+) passed', self.output)
        return int(found.group(1)) if found else 0


def run_wire_tests(python: str, client: str, workdir: Path) -> Run:
    """Run test_pebble_client.py with ``client`` in a fresh interpreter, away from the repo's
    pytest settings and conftest (where the real ops runs, reactops is not installed)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / 'pytest.ini').write_text('[pytest]\n')
    log = workdir / 'wire.jsonl'
    env = {**_clean_env(), 'REACTOPS_PEBBLE_CLIENT': client, 'REACTOPS_PEBBLE_WIRE_LOG': str(log),
           'PYTHONPATH': str(TESTS), 'PYTEST_DISABLE_PLUGIN_AUTOLOAD': '1'}
    command = [python, '-m', 'pytest', '-p', 'no:cacheprovider', '--noconftest',
               '-c', str(workdir / 'pytest.ini'), '--rootdir', str(workdir), '-q', '-rfEs',
               '--tb=short', str(MODULE)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT, env=env,
                          cwd=workdir)
    requests, websockets = {}, {}
    if log.exists():
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            requests[entry['test']] = entry['requests']
            websockets[entry['test']] = entry['websockets']
    return Run(client, done.returncode, done.stdout + done.stderr, requests, websockets)


def normalise(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Requests with what depends on timing made comparable.

    A wait-change request asks for the time left, which differs by microseconds, one that
    Pebble answers a hair early is sent again, and a client polling a Pebble without the
    wait endpoint asks as often as time allows: timeouts are rounded to a tenth of a
    second, and a repeated wait for, or look at, the same change counts once. A layer is
    compared as the YAML document Pebble reads, not as text.
    """
    result: list[dict[str, Any]] = []
    for request in requests:
        if request['path'] == '/v1/layers' and isinstance(request['body'], dict):
            request = {**request, 'body': {**request['body'],
                                           'layer': yaml.safe_load(request['body']['layer'])}}
        query = dict(request['query'])
        waiting = request['path'].endswith('/wait')
        if waiting and 'timeout' in query:
            query['timeout'] = [f'{round(float(query["timeout"][0].rstrip("s")), 1)}s']
        polling = request['method'] == 'GET' and request['path'].startswith('/v1/changes/')
        if (polling or waiting) and result and result[-1]['path'] == request['path']:
            continue
        result.append({**request, 'query': query})
    return result


def stream(messages: list[Any]) -> list[Any]:
    """What one websocket carried: control messages decoded, data joined (frame sizes are
    the client's own business)."""
    result: list[Any] = []
    for message in messages:
        if isinstance(message, dict):  # binary, as latin-1 text
            if result and isinstance(result[-1], bytes):
                result[-1] += message['binary'].encode('latin-1')
            else:
                result.append(message['binary'].encode('latin-1'))
        else:
            result.append(json.loads(message))
    return result


def differences(theirs: Run, ours: Run) -> list[str]:
    """Where reactops' requests differ from ops', test by test, with both requests shown."""
    problems = []
    for test in sorted(set(theirs.requests) | set(ours.requests)):
        if test not in theirs.requests or test not in ours.requests:
            problems.append(f'{test}: the wire log of one run is missing')
            continue
        expected, got = normalise(theirs.requests[test]), normalise(ours.requests[test])
        for number, (want, actual) in enumerate(zip(expected, got, strict=False)):
            if want != actual:
                problems.append(f'{test}, request {number}:\n  ops:      {want}\n'
                                f'  reactops: {actual}')
                break
        else:
            if len(expected) != len(got):
                more = expected[len(got):] or got[len(expected):]
                problems.append(f'{test}: ops sent {len(expected)} requests, reactops '
                                f'{len(got)}; the first extra one: {more[0]}')
        sockets = theirs.websockets[test], ours.websockets[test]
        for name in sorted(set(sockets[0]) | set(sockets[1])):
            want_ws, got_ws = (stream(side.get(name, [])) for side in sockets)
            if want_ws != got_ws:
                problems.append(f'{test}, websocket {name}:\n  ops:      {want_ws}\n'
                                f'  reactops: {got_ws}')
    return problems


@pytest.fixture(scope='module')
def ops_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    python, reason = find_ops_python()
    if python is None:
        pytest.skip(reason)
    return run_wire_tests(python, 'ops.pebble', tmp_path_factory.mktemp('ops'))


@pytest.fixture(scope='module')
def reactops_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_wire_tests(sys.executable, 'reactops.pebble', tmp_path_factory.mktemp('reactops'))


def _collected() -> int:
    """How many tests the module defines (each is a top-level ``def test_``)."""
    return len(re.findall(r'^def test_', MODULE.read_text(), flags=re.MULTILINE))


def test_the_wire_tests_pass_against_the_real_ops_client(ops_run: Run) -> None:
    assert ops_run.returncode == 0, f'the tests fail against ops.pebble:\n{ops_run.output}'
    assert ops_run.passed == _collected(), ops_run.output


def test_the_wire_tests_pass_on_their_own_against_reactops(reactops_run: Run) -> None:
    assert reactops_run.returncode == 0, reactops_run.output
    assert reactops_run.passed == _collected(), reactops_run.output


def test_both_clients_send_pebble_the_same_requests(ops_run: Run, reactops_run: Run) -> None:
    assert ops_run.requests, 'the real ops run wrote no wire log'
    problems = differences(ops_run, reactops_run)
    assert not problems, 'reactops.pebble differs from ops.pebble on the wire:\n' + \
        '\n'.join(problems)
