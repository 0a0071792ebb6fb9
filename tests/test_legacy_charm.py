"""A built charms.reactive charm (``tests/charms/legacy_built``) runs its whole life on
reactops, unchanged: every hook is a real process running ``hooks/<hook>`` (which calls
``reactops.legacy.main()``) against the fake hook tools.

The charm has layer-basic's layout: handlers in ``reactive/`` (one of them a shell script
speaking the ``--test``/``--invoke`` protocol), an Endpoint interface layer
(``hooks/relations/pgsql``) and a RelationBase one (``hooks/relations/http-legacy``),
a layer library in ``lib/charms/layer`` reading ``layer.yaml`` options, no wheelhouse.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakejuju import FakeJuju

from reactops.reactive._trace import load_trace

REPO = Path(__file__).resolve().parents[1]
CHARM = Path(__file__).resolve().parent / 'charms' / 'legacy_built'
UNIT = 'legacy-built/0'


class LegacyUnit:
    """The built charm on one fake unit; :meth:`hook` runs ``hooks/<hook>`` as Juju does."""

    def __init__(self, root: Path):
        self.juju = FakeJuju(root, unit=UNIT, state={'config': {'port': 8080, 'motd': ''}})
        shutil.copytree(CHARM, self.juju.charm_dir, dirs_exist_ok=True)
        self.last: subprocess.CompletedProcess[str] | None = None

    def hook(self, name: str, *, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        self.juju.clear_calls()
        environ = {k: v for k, v in os.environ.items() if not k.startswith(('JUJU_', 'REACTOPS_'))}
        environ.update(self.juju.env(**env))
        environ['PYTHONPATH'] = str(REPO)
        script = self.juju.charm_dir / 'hooks' / name
        self.last = subprocess.run([sys.executable, str(script)], env=environ,
                                   capture_output=True, text=True, cwd=self.juju.charm_dir,
                                   timeout=60)
        if ok:
            assert self.last.returncode == 0, self.last.stderr
        return self.last

    def relation_hook(self, hook: str, relation: str, unit: str, **env: str) -> None:
        endpoint = relation.split(':')[0]
        self.hook(f'{endpoint}-relation-{hook}', JUJU_RELATION=endpoint,
                  JUJU_RELATION_ID=relation, JUJU_REMOTE_UNIT=unit,
                  JUJU_REMOTE_APP=unit.split('/')[0], **env)

    def ran(self) -> list[str]:
        """The handlers the last hook ran, from the dispatch record it committed."""
        trace = load_trace(self.kv().get('reactops.trace.last')) or {}
        ids = [step['run'].split(':') for step in trace.get('steps', []) if 'run' in step]
        # <file>:<line>:<name>[:<endpoint>], or an external handler's <file>
        return [parts[2] if len(parts) >= 3 else Path(parts[0]).name for parts in ids]

    def kv(self) -> dict[str, Any]:
        """The unit's committed kv table (empty before a first successful hook)."""
        with sqlite3.connect(self.juju.charm_dir / '.unit-state.db') as db:
            if not db.execute("SELECT name FROM sqlite_master WHERE name='kv'").fetchone():
                return {}
            return {k: json.loads(v) for k, v in db.execute('SELECT key, data FROM kv')}

    def flags(self) -> list[str]:
        return sorted(k[len('reactive.states.'):] for k in self.kv()
                      if k.startswith('reactive.states.'))

    def tools(self, name: str) -> list[list[str]]:
        return self.juju.argvs(name)

    def bag(self, relation: str, owner: str = UNIT) -> dict[str, str]:
        data: dict[str, str] = self.juju.state()['relations'][relation]['data'].get(owner, {})
        return data


@pytest.fixture
def unit(tmp_path: Path) -> LegacyUnit:
    return LegacyUnit(tmp_path)


@pytest.mark.slow
def test_the_built_charm_lives_through_every_hook(unit: LegacyUnit) -> None:
    # install: @hook first, @only_once, then the chain across iterations, the interface
    # layer's handler, and last the external handler (once app.started is set).
    unit.hook('install')
    assert unit.ran() == ['install_hook', 'first_run', 'install', 'PgsqlRequires._not_joined',
                          'configure_port', 'start', 'notify.sh']
    assert unit.tools('open-port') == [['open-port', '8080/tcp']]
    assert unit.juju.state()['status']['unit'] == {
        'status': 'active', 'message': 'Serving on port 8080', 'data': {}}
    assert unit.flags() == ['app.configured', 'app.installed', 'app.started', 'notify.done']
    kv = unit.kv()
    assert kv['installed-by'] == UNIT and kv['first-run'] == 'install'
    assert kv['reactive.states.notify.done'] == 'notify'  # the --test output came back
    assert not any(k.startswith('reactive.states.config.') for k in kv)  # hook-only flags

    # config-changed: hookenv.config().previous() is the last hook's value.
    unit.juju.update(config={'port': 9090, 'motd': ''})
    unit.hook('config-changed')
    assert unit.ran() == ['configure_port', 'PgsqlRequires._not_joined']
    assert unit.tools('close-port') == [['close-port', '8080/tcp']]
    assert unit.tools('open-port') == [['open-port', '9090/tcp']]

    unit.hook('start')
    assert unit.ran() == ['PgsqlRequires._not_joined']  # it runs whenever nothing joined

    # The database joins and publishes its host: the Endpoint layer sets db.available and
    # the charm's handler gets the endpoint as its legacy argument.
    unit.juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': '"10.1.1.1"'}})
    unit.relation_hook('joined', 'db:3', 'pg/0')
    assert unit.ran() == ['PgsqlRequires._host_changed', 'use_db']
    assert unit.bag('db:3') == {'database': '"legacy-built"'}
    assert {'db.available', 'app.db-ready', 'endpoint.db.joined'} <= set(unit.flags())
    assert unit.kv()['db-host'] == '10.1.1.1'
    unit.relation_hook('changed', 'db:3', 'pg/0')
    assert unit.ran() == ['use_db']
    assert unit.tools('relation-set') == []  # nothing changed, nothing sent

    # A RelationBase interface: @hook methods and a GLOBAL conversation.
    unit.juju.add_relation('website', 4, 'proxy', ['proxy/0'])
    unit.relation_hook('joined', 'website:4', 'proxy/0')
    assert unit.ran() == ['HttpProvides.changed', 'use_db', 'website']
    assert unit.bag('website:4') == {'hostname': '10.0.0.10', 'port': '9090'}
    assert unit.kv()['reactive.states.website.available'] == {
        'relation': 'website', 'conversations': ['reactive.conversations.website.global']}

    # The database leaves: departed, then broken.
    relations = unit.juju.state()['relations']
    relations['db:3']['units'] = []
    unit.juju.update(relations=relations)
    unit.relation_hook('departed', 'db:3', 'pg/0', JUJU_DEPARTING_UNIT='pg/0')
    assert 'db.available' not in unit.flags() and 'app.db-ready' not in unit.flags()
    assert 'db-host' not in unit.kv()
    assert 'endpoint.db.departed' in unit.flags()
    unit.relation_hook('broken', 'db:3', 'pg/0')
    assert 'endpoint.db.joined' not in unit.flags()

    unit.juju.update(relations={k: v for k, v in relations.items() if k != 'db:3'})
    unit.relation_hook('departed', 'website:4', 'proxy/0', JUJU_DEPARTING_UNIT='proxy/0')
    assert 'website.available' not in unit.flags()

    # upgrade-charm: the @hook handler clears app.started in the hooks phase, so start
    # runs again in the main loop; @only_once does not.
    unit.hook('upgrade-charm')
    assert unit.ran() == ['upgraded', 'start', 'PgsqlRequires._not_joined']
    assert unit.kv()['upgraded'] is True

    unit.hook('stop')
    # As under charms.reactive, clearing app.started in the hooks phase re-runs start.
    assert unit.ran() == ['stop', 'start', 'PgsqlRequires._not_joined']
    assert unit.tools('close-port') == [['close-port', '9090/tcp']]


def test_a_failing_hook_keeps_nothing_and_exits_non_zero(unit: LegacyUnit) -> None:
    unit.hook('install')
    before = unit.kv()
    unit.juju.update(config={'port': 'not-a-port', 'motd': ''})
    result = unit.hook('config-changed', ok=False)
    assert result.returncode == 1
    assert unit.kv() == before


@pytest.mark.slow
def test_hook_script_name_alone_selects_the_hook(unit: LegacyUnit) -> None:
    """Old Juju ran ``hooks/<hook>`` with no JUJU_DISPATCH_PATH: argv[0] names the hook."""
    unit.hook('install')
    unit.hook('update-status')
    assert unit.ran() == ['PgsqlRequires._not_joined']
    logs = [argv[-1] for argv in unit.juju.argvs('juju-log')]
    assert 'legacy-built: starting update-status' in logs  # an atstart callback's hook_name()


def test_a_failing_external_handler_fails_the_hook(unit: LegacyUnit) -> None:
    script = unit.juju.charm_dir / 'reactive' / 'broken'
    script.write_text('#!/bin/sh\n'
                      '[ "$1" = --test ] && { charms.reactive when app.started && '
                      'echo go; exit $?; }\n'
                      'charms.reactive set_flag broken.tried\n'
                      'exit 4\n')
    script.chmod(0o755)
    result = unit.hook('install', ok=False)
    assert result.returncode == 1
    assert 'external handler' in result.stderr and 'status 4' in result.stderr
    assert unit.flags() == []  # nothing of the failed hook is kept, broken.tried neither
