"""Secret content and the values of ``secret``-type config options never leave the charm
through reactops: not in juju-log, stderr, tracebacks, a hook tool's argv, the state file
(flags, kv, the reactive dispatch trace ``reactops.trace.last``), exception messages, or
the graph's ``why_not`` reasons. Each test greps all of them after a real hook process.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from charmrun import CharmUnit

CONTENT = 'S3cret-Content-0f-the-db'
NEW_CONTENT = 'N3w-S3cret-Content'
TOKEN = 'secret:c0000000000000000042'  # the value of the secret-type config option
HANDLERS = """
import logging

from reactops import ActiveStatus, current_charm, set_flag, when, when_not

logger = logging.getLogger(__name__)


@when_not('demo.ready')
def use_secret():
    charm = current_charm()
    logger.debug('config: %r', charm.config)
    secret = charm.model.get_secret(id=charm.config['token'])
    password = secret.get_content()['password']
    secret.set_content({'password': password[::-1] + 'x'})
    set_flag('demo.ready')
    mode = charm.config.get('mode')
    if mode == 'raise':
        raise RuntimeError('the handler failed after reading the secret')
    if mode == 'grant':
        secret.grant(charm.model.relations['db'][0])  # no such relation: IndexError
    charm.unit.status = ActiveStatus('ready')


@when('demo.ready')
def later():
    pass
"""
ENTRY = """#!/usr/bin/env python3
import reactops

if __name__ == '__main__':
    reactops.main()
"""


@pytest.fixture
def unit(tmp_path: Path) -> CharmUnit:
    source = tmp_path / 'source'
    (source / 'reactive').mkdir(parents=True)
    (source / 'src').mkdir()
    (source / 'src' / 'charm.py').write_text(ENTRY)
    (source / 'reactive' / 'demo.py').write_text(HANDLERS)
    (source / 'metadata.yaml').write_text('name: demo\nrequires:\n  db: {interface: pgsql}\n')
    (source / 'config.yaml').write_text(
        'options:\n  token: {type: secret}\n  mode: {type: string, default: ok}\n')
    deployed = CharmUnit(tmp_path / 'unit', source, 'demo/0', config={'token': TOKEN}, secrets={
        TOKEN: {'owner': 'application', 'revisions': {'1': {'password': CONTENT}},
                'tracked': None, 'grants': []}})
    return deployed


def leaks(unit: CharmUnit, stderr: str, stdout: str) -> list[str]:
    """Where a secret shows up: every place a hook's output can be read."""
    places = {'stderr': stderr, 'stdout': stdout,
              'juju-log': '\n'.join(unit.logs()),
              # a secret's id must be on secret-get's argv (Juju's CLI takes it); content never
              'argv': json.dumps(unit.juju.argvs()).replace(f'"{TOKEN}"', '"<the id>"')}
    if unit.state_file.exists():
        places['state file'] = unit.state_file.read_bytes().decode('utf-8', 'replace')
    return [f'{secret} in {where}' for where, text in places.items()
            for secret in (CONTENT, NEW_CONTENT, 'x' + CONTENT[::-1], TOKEN,
                           TOKEN.removeprefix('secret:'))
            if secret in text]


@pytest.mark.parametrize('mode', ['ok', 'raise', 'grant'])
def test_no_secret_in_logs_output_argv_or_state(unit: CharmUnit, mode: str) -> None:
    unit.juju.update(config={'token': TOKEN, 'mode': mode})
    result = unit.run('hooks/config-changed', REACTOPS_LOG_LEVEL='DEBUG')
    assert result.returncode == (0 if mode == 'ok' else 1), result.stderr
    assert unit.logs(), 'nothing was logged: the grep would prove nothing'
    assert unit.juju.argvs('secret-get') and unit.juju.argvs('secret-set')
    assert leaks(unit, result.stderr, result.stdout) == []
    if mode != 'ok':
        assert 'Traceback' in '\n'.join(unit.logs())  # the traceback was grepped too


def test_no_secret_in_the_dispatch_trace_or_why_not(unit: CharmUnit) -> None:
    from reactops.cli._charmload import load_charm

    unit.ok('hooks/config-changed')
    with sqlite3.connect(unit.state_file) as db:
        rows = dict(db.execute('SELECT key, data FROM kv'))
    db.close()
    trace = json.loads(rows['reactops.trace.last'])
    assert trace['steps'], 'an empty trace would prove nothing'
    reasons = load_charm(unit.juju.charm_dir).graph().why_not(
        'use_secret', ['demo.ready'], trace=trace)
    text = json.dumps(rows) + '\n'.join(reasons)
    assert reasons
    for secret in (CONTENT, NEW_CONTENT, TOKEN):
        assert secret not in text


def test_a_failing_secret_tool_names_no_content(unit: CharmUnit) -> None:
    unit.juju.fail('secret-set', stderr='ERROR cannot update secret: quota exceeded')
    result = unit.run('hooks/config-changed')
    assert result.returncode == 1
    assert 'quota exceeded' in result.stderr
    assert leaks(unit, result.stderr, result.stdout) == []
