"""Planted secrets never come out (issue 17, finding 8, first two bullets).

A reactive charm that uses the ``config.*`` flags is given a password option, a
``secret``-type option and (on fake tools) a secret's content, and then does what a careless
charm does with them: assigns them, wrongly typed, to relation data, to a flag's value and to
stored state, and logs the errors it gets back. The charm runs as real hook processes, on
the fake hook tools and in the local model; then every output is grepped for the planted
values: stdout and stderr, juju-log lines, every hook tool's argv, the unit's state file
(flags, kv, the previous config, the dispatch trace), and the ``reactops log``, ``flags``,
``status`` and ``explain`` output of the local model. None may hold any of them.

Before the fix, reactops' type errors quoted the value (so the secret went to juju-log)
and the ``config.*`` flags kept the whole previous config in the state file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from charmrun import REPO, CharmUnit
from fakejuju import FakeJuju

from reactops import CharmBase, StoredState
from reactops.testing import Context, PeerRelation, State

PASSWORD = 'Pl4nted-Passw0rd-7781'
TOKEN = 'secret:c0000000000000000077'  # the value of the secret-type option
CONTENT = 'Pl4nted-S3cret-Content-99'
PLANTED = (PASSWORD, TOKEN, TOKEN.removeprefix('secret:'), CONTENT)

HANDLERS = """
import logging

from reactops import Object, StoredState, current_charm, set_flag, when

logger = logging.getLogger(__name__)


class Keeper(Object):
    _stored = StoredState()


def careless(act, value):
    try:
        act(value)
    except Exception as e:  # what a careless charm does with an error: log it
        logger.error('could not keep a value: %s', e)


@when('config.changed')
def keep_everything():
    charm = current_charm()
    values = [charm.config['db-password'], charm.config.get('api-token') or '']
    if charm.config.get('api-token') and charm.config['with-secret']:
        values.append(charm.model.get_secret(id=charm.config['api-token'])
                      .get_content()['password'])
    keeper = Keeper(charm, 'keeper')
    keeper._stored.set_default(seen=set())
    bag = charm.model.get_relation('cluster').data[charm.unit]
    for value in values:
        careless(lambda v: bag.__setitem__('password', {'pw': v}), value)
        careless(lambda v: bag.update({'password': 42}), value)
        careless(lambda v: set_flag('planted.creds', {(v, object())}), value)
        careless(lambda v: keeper._stored.seen.add((v, object())), value)
        careless(lambda v: setattr(keeper._stored, 'creds', [v, {'at': object()}]), value)
    set_flag('planted.done')
    logger.info('kept what could be kept')
"""
ENTRY = """#!/usr/bin/env python3
import reactops

if __name__ == '__main__':
    reactops.main()
"""
DISPATCH = """#!/bin/sh
JUJU_DISPATCH_PATH="${JUJU_DISPATCH_PATH:-$0}" PYTHONPATH=lib:venv exec ./src/charm.py
"""
CONFIG = """options:
  db-password: {type: string, default: ''}
  api-token: {type: secret}
  with-secret: {type: boolean, default: false}
"""


def write_charm(source: Path) -> Path:
    (source / 'reactive').mkdir(parents=True)
    (source / 'src').mkdir()
    (source / 'src' / 'charm.py').write_text(ENTRY)
    (source / 'src' / 'charm.py').chmod(0o755)
    (source / 'dispatch').write_text(DISPATCH)
    (source / 'dispatch').chmod(0o755)
    (source / 'reactive' / 'planted.py').write_text(HANDLERS)
    (source / 'metadata.yaml').write_text(
        'name: planted\npeers:\n  cluster: {interface: planted-peers}\n')
    (source / 'config.yaml').write_text(CONFIG)
    return source


def found(places: dict[str, str]) -> list[str]:
    return [f'{secret!r} in {where}' for where, text in places.items()
            for secret in PLANTED if secret in text]


def test_no_planted_secret_leaves_a_hook_on_fake_tools(tmp_path: Path) -> None:
    config = {'db-password': PASSWORD, 'api-token': TOKEN, 'with-secret': True}
    unit = CharmUnit(tmp_path / 'unit', write_charm(tmp_path / 'source'), 'planted/0',
                     config=config, secrets={TOKEN: {
                         'owner': 'application', 'revisions': {'1': {'password': CONTENT}},
                         'tracked': None, 'grants': []}})
    unit.juju.add_relation('cluster', 1, 'planted', [], peer=True)
    result = unit.run('hooks/config-changed', REACTOPS_LOG_LEVEL='DEBUG')
    assert result.returncode == 0, result.stderr
    logs = unit.logs()
    errors = [line for line in logs if 'could not keep a value' in line]
    assert len(errors) == 15, logs  # every careless act was refused, and logged
    assert 'planted.done' in unit.flags() and unit.juju.argvs('secret-get')
    state = unit.state_file.read_bytes().decode('utf-8', 'replace')
    assert 'reactops.config.previous' in state and 'reactops.trace.last' in state
    argv = json.dumps(unit.juju.argvs()).replace(f'"{TOKEN}"', '"<the id>"')  # Juju's CLI
    places = {'stdout': result.stdout, 'stderr': result.stderr, 'juju-log': '\n'.join(logs),
              'tool argv': argv, 'state file': state,
              'relation data': json.dumps(unit.juju.state()['relations'])}
    assert found(places) == []


def reactops_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
    env['PYTHONPATH'] = str(REPO)
    return subprocess.run([sys.executable, '-m', 'reactops.cli', *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_no_planted_secret_leaves_the_local_model(tmp_path: Path) -> None:
    charm = write_charm(tmp_path / 'planted')
    model = ['--model-dir', str(tmp_path / 'model')]
    outputs = {'run': reactops_cli('run', str(charm), *model, cwd=tmp_path)}
    assert outputs['run'].returncode == 0, outputs['run'].stdout + outputs['run'].stderr
    outputs['config'] = reactops_cli('config', 'planted', f'db-password={PASSWORD}',
                                     f'api-token={TOKEN}', *model, cwd=tmp_path)
    assert outputs['config'].returncode == 0, outputs['config'].stderr
    outputs['update-status'] = reactops_cli('update-status', *model, cwd=tmp_path)
    for command in (['log', 'planted/0', '--all'], ['flags', 'planted/0'], ['status'],
                    ['explain', 'planted/0', 'keep_everything']):
        outputs[command[0]] = reactops_cli(*command, *model, cwd=tmp_path)
        assert outputs[command[0]].returncode == 0, outputs[command[0]].stderr
    log = outputs['log'].stdout
    assert log.count('could not keep a value') >= 10, log  # the refusals were logged
    assert 'planted.done' in outputs['flags'].stdout
    places = {f'reactops {name} {stream}': getattr(result, stream)
              for name, result in outputs.items() for stream in ('stdout', 'stderr')}
    state_files = list((tmp_path / 'model').rglob('.unit-state.db'))
    assert state_files
    for path in state_files:
        places[str(path)] = path.read_bytes().decode('utf-8', 'replace')
    assert found(places) == []


# -- each error path on its own: the key or path and the type, never the value ------------


def _message(call: Callable[[], object]) -> str:
    try:
        call()
    except Exception as e:
        return str(e)
    raise AssertionError('no error: the check would prove nothing')


def test_type_errors_name_the_key_and_type_never_the_value(fake_juju: FakeJuju) -> None:
    from reactops._private import codec, hooktools
    from reactops.reactive._endpoint_views import _raw_value

    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    secret_set = {(PASSWORD, object())}
    messages = {
        'codec': _message(lambda: codec.check({'creds': secret_set}, where='kv key "x"')),
        'hook tool': _message(lambda: hooktools.relation_set(
            3, 'db', {'password': {'pw': PASSWORD}})),  # type: ignore[dict-item]
        'raw endpoint view': _message(lambda: _raw_value('password', {'pw': PASSWORD},
                                                         'unit demo/0')),
    }
    for where, message in messages.items():
        assert PASSWORD not in message, where
    assert "['creds']" in messages['codec'] and 'tuple' in messages['codec']
    assert "'password'" in messages['hook tool'] and 'dict' in messages['hook tool']
    assert "'password'" in messages['raw endpoint view']


class Careless(CharmBase):
    """Puts a password where it cannot go, in stored state, a snapshot and a bag."""

    _stored = StoredState()
    seen: ClassVar[dict[str, str]] = {}

    def __init__(self, framework: Any):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_update_status(self, event: Any) -> None:
        password = str(self.config['db-password'])
        self._stored.set_default(seen=set())
        bag = self.model.get_relation('cluster').data[self.unit]  # type: ignore[union-attr]
        acts: dict[str, Callable[[], object]] = {
            'stored set': lambda: self._stored.seen.add((password, object())),
            'stored attribute': lambda: setattr(self._stored, 'creds',
                                                {'pw': [password, object()]}),
            'relation data': lambda: bag.update({'password': [password]}),  # type: ignore[dict-item]
            'snapshot': lambda: self.framework._check_snapshot(
                self._stored._data, {'creds': (password, object())}),
        }
        Careless.seen = {name: _message(act) for name, act in acts.items()}


def test_stored_state_snapshot_and_bag_errors_never_quote_the_value() -> None:
    ctx = Context(Careless, meta={'name': 'demo', 'peers': {'cluster': {'interface': 'x'}}},
                  config={'options': {'db-password': {'type': 'string'}}})
    ctx.run(ctx.on.update_status(),
            State(config={'db-password': PASSWORD}, relations=[PeerRelation('cluster')]))
    assert set(Careless.seen) == {'stored set', 'stored attribute', 'relation data',
                                  'snapshot'}
    for name, message in Careless.seen.items():
        assert PASSWORD not in message, (name, message)
    assert "'password'" in Careless.seen['relation data']
    # ops' message, with the data shown by shape: keys and the unstorable part, never values
    assert Careless.seen['snapshot'].endswith(
        "simple types: {'creds': (<str>, <object object>)}"), Careless.seen['snapshot']


# -- the previous config: a digest per option ----------------------------------------------

WEBAPP = REPO / 'examples' / 'reactive-webapp'


def _ran(ctx: Context) -> list[str]:
    return [handler_id.rsplit(':', 1)[-1] for handler_id in ctx.handlers_run]


def test_config_flags_keep_digests_and_still_read_the_old_layout() -> None:
    ctx = Context(WEBAPP)
    old_layout = {'port': 8080, 'motd': ''}  # what reactops kept before: the values
    state = State(flags={'webapp.installed': None}, config={'motd': PASSWORD},
                  kv={'reactops.config.previous': old_layout})
    out = ctx.run(ctx.on.config_changed(), state)
    assert 'show_motd' in _ran(ctx) and 'open_port' not in _ran(ctx)  # only motd changed
    previous = out.kv['reactops.config.previous']
    assert previous['reactops-config-digests'] == 1
    assert set(previous['digests']) == {'port', 'motd'}
    assert PASSWORD not in json.dumps(previous) and '8080' not in json.dumps(previous)
    again = ctx.run(ctx.on.config_changed(), out)
    assert 'show_motd' in _ran(ctx) and 'open_port' not in _ran(ctx)  # config.set.motd
    assert again.kv['reactops.config.previous'] == previous  # nothing changed, nothing written
    moved = ctx.run(ctx.on.config_changed(), again.replace(config={'motd': PASSWORD,
                                                                    'port': 9090}))
    assert 'open_port' in _ran(ctx)
    assert moved.kv['reactops.config.previous']['digests']['port'] != \
        previous['digests']['port']
