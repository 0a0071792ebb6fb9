"""An ops charm, source unchanged, deployed on reactops: every hook a real process.

The counter charm (``tests/charms/opscharm/charm``) is written for ops 3.9: ``import ops``,
``ops.StoredState``, ``event.defer()``, ``ops.main(CounterCharm)``, charmcraft's
``dispatch``. Here no real ops is importable: the name ``ops`` is answered by reactops'
alias, and Juju's side is the fake hook tools.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from opsunit import DispatchUnit

CHARM = Path(__file__).resolve().parent / 'charms' / 'opscharm' / 'charm'
DB_ENV = {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:3', 'JUJU_REMOTE_UNIT': 'pg/0',
          'JUJU_REMOTE_APP': 'pg'}
STORED = 'CounterCharm/StoredStateData[_stored]'


@pytest.fixture
def unit(tmp_path: Path) -> DispatchUnit:
    unit = DispatchUnit(tmp_path, CHARM, 'counter/0', config={'port': 8080})
    unit.juju.add_relation('db', 3, 'pg', ['pg/0'], data={'pg/0': {'host': '10.0.0.5'}})
    return unit


def _stored(unit: DispatchUnit) -> dict[str, object]:
    data: dict[str, object] = json.loads(unit.snapshots()[STORED])
    return data


def test_the_charm_is_written_for_ops_and_only_reactops_answers_that_name(
        unit: DispatchUnit) -> None:
    source = (CHARM / 'src' / 'charm.py').read_text()
    assert 'import ops\n' in source and 'ops.main(CounterCharm)' in source
    assert 'reactops' not in source
    seen = json.loads(unit.python(
        'import json, importlib.machinery, ops\n'
        'print(json.dumps([ops.__name__, callable(ops.main),\n'
        '                  importlib.machinery.PathFinder.find_spec("ops") is None]))'))
    assert seen[:2] == ['reactops', True]  # `import ops` gives reactops itself
    assert seen[2] is True  # and no real ops package is on the charm's path


def test_a_fresh_unit_runs_its_hooks_as_on_ops(unit: DispatchUnit) -> None:
    unit.ok('hooks/install')
    assert unit.juju.state()['status']['unit']['status'] == 'maintenance'
    assert unit.juju.state()['status']['unit']['message'] == 'starting'

    unit.ok('hooks/config-changed')  # not started: deferred
    assert unit.logs('INFO') == ['not started yet: deferring the configuration']
    unit.ok('hooks/db-relation-changed', **DB_ENV)  # deferred too, after the configuration
    assert unit.notices() == [
        ('CounterCharm/on/config_changed[5]', 'CounterCharm', '_on_config_changed'),
        ('CounterCharm/on/db_relation_changed[9]', 'CounterCharm', '_on_db_changed')]

    unit.ok('hooks/start')  # the deferred events run first, so they wait once more
    assert _stored(unit)['started'] is True
    argvs = unit.ok('hooks/update-status')
    assert ['open-port', '8080/tcp'] in argvs
    assert unit.notices() == []
    assert unit.juju.state()['status']['unit'] == {
        'status': 'active', 'message': '5 hooks; ports 8080', 'data': {}}
    stored = _stored(unit)
    assert stored['seen'] == ['InstallEvent', 'StartEvent', 'ConfigChangedEvent',
                              'RelationChangedEvent', 'UpdateStatusEvent']
    assert stored['db'] == {'3': {'host': '10.0.0.5'}}
    assert stored['blob'] == {'__reactops__': 'bytes', 'base64': 'AGluc3RhbGxlZP8='}


def test_a_failing_hook_keeps_nothing_and_juju_retries_it(unit: DispatchUnit) -> None:
    for hook in ('install', 'start'):
        unit.ok(f'hooks/{hook}')
    before = unit.snapshots()
    unit.juju.fail('open-port', stderr='ERROR cannot open port')

    result = unit.run('hooks/config-changed')

    assert result.returncode != 0
    assert 'cannot open port' in result.stderr
    assert unit.snapshots() == before  # no count, no port: the hook never happened
    unit.juju.heal()
    unit.ok('hooks/config-changed')  # the retry does it all once
    assert _stored(unit)['ports'] == {'__reactops__': 'set', 'items': [8080]}
    assert _stored(unit)['hooks'] == 3


def test_the_charms_log_lines_reach_juju_at_their_level(unit: DispatchUnit) -> None:
    unit.ok('hooks/config-changed')
    assert ['juju-log', '--log-level', 'INFO', '--',
            'not started yet: deferring the configuration'] in unit.juju.argvs('juju-log')
