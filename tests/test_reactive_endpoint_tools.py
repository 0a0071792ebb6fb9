"""Endpoints over the fake hook tools, one real process per hook: what each hook costs in
hook tool runs, and what reaches Juju (relation-set)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from charmrun import CharmUnit

CHARM = Path(__file__).resolve().parent / 'charms' / 'endpoints'
UNITS = [f'pg/{n}' for n in range(50)]


@pytest.fixture
def unit(tmp_path: Path) -> CharmUnit:
    unit = CharmUnit(tmp_path, CHARM, 'epcharm/0', config={'fail': False, 'publish': True})
    data = {name: {'host': f'"10.0.0.{n}"'} for n, name in enumerate(UNITS)}
    unit.juju.add_relation('db', 1, 'pg', UNITS, data=data)
    return unit


def relation_env(hook: str, remote_unit: str = 'pg/0') -> dict[str, str]:
    return {'JUJU_RELATION': 'db', 'JUJU_RELATION_ID': 'db:1', 'JUJU_REMOTE_UNIT': remote_unit,
            'JUJU_REMOTE_APP': 'pg'}


def count(argvs: list[list[str]], tool: str) -> int:
    return sum(1 for argv in argvs if argv[0] == tool)


def test_update_status_with_50_units_reads_no_relation_data(unit: CharmUnit) -> None:
    unit.ok('hooks/db-relation-joined', **relation_env('joined'))
    unit.juju.update(config={'fail': False, 'publish': False})  # use_db: no writes
    argvs = unit.ok('hooks/update-status')
    assert count(argvs, 'relation-get') == 0
    assert count(argvs, 'relation-set') == 0
    # db and replica (same layer) and web: one relation-ids each; one relation-list for db:1
    assert count(argvs, 'relation-ids') == 3
    assert count(argvs, 'relation-list') == 1
    assert {'db.connected', 'db.available', 'endpoint.db.joined'} <= set(unit.flags())


def test_a_relation_hook_reads_its_relation_once_per_unit(unit: CharmUnit) -> None:
    argvs = unit.ok('hooks/db-relation-changed', **relation_env('changed'))
    gets = [argv for argv in argvs if argv[0] == 'relation-get']
    # The layer's merged view (host()) reads the 50 units' bags, change detection reads
    # only the hook's remote unit's (already read) and the remote application's, and
    # publishing reads our own bag: each bag once.
    assert len(gets) == 52
    assert len({tuple(argv) for argv in gets}) == 52


def test_change_detection_reads_only_the_hooks_remote_unit(unit: CharmUnit) -> None:
    unit.ok('hooks/db-relation-joined', **relation_env('joined'))
    unit.juju.update(config={'fail': False, 'publish': False})
    unit.ok('hooks/db-relation-changed', **relation_env('changed', 'pg/7'))  # pg/7's data is new
    argvs = unit.ok('hooks/db-relation-changed', **relation_env('changed', 'pg/7'))
    gets = [argv for argv in argvs if argv[0] == 'relation-get']
    assert sorted(gets) == [['relation-get', '--format=json', '-r', 'db:1', '-', 'pg/7'],
                            ['relation-get', '--format=json', '-r', 'db:1', '--app', '-', 'pg']]


def test_one_relation_set_per_changed_bag_with_only_changed_keys(unit: CharmUnit) -> None:
    argvs = unit.ok('hooks/db-relation-joined', **relation_env('joined'))
    sets = [argv for argv in argvs if argv[0] == 'relation-set']
    assert sets == [['relation-set', '-r', 'db:1', '--file', '-']]
    assert unit.bag('db:1', 'epcharm/0') == {
        'database': '"app"', 'options': '{"a": [true, null], "b": 1}', 'user': 'u1'}
    # the same values again: nothing to send; a hook that publishes (use_db runs every
    # hook) reads our own bag once to know that, and no remote unit's
    argvs = unit.ok('hooks/update-status')
    assert count(argvs, 'relation-set') == 0
    assert [argv[-1] for argv in argvs if argv[0] == 'relation-get'] == ['epcharm/0']
    # a changed value: only that key is sent
    unit.juju.update(config={'fail': False, 'publish': True})
    state = unit.juju.state()
    state['relations']['db:1']['data']['epcharm/0']['user'] = 'old'
    unit.juju.set_state(state)
    argvs = unit.ok('hooks/update-status')
    sets = [argv for argv in argvs if argv[0] == 'relation-set']
    assert len(sets) == 1 and unit.bag('db:1', 'epcharm/0')['user'] == 'u1'
    stdin = [c['stdin'] for c in unit.juju.calls() if c['tool'] == 'relation-set']
    assert [json.loads(text) for text in stdin] == [{'user': 'u1'}]


def test_nothing_is_published_when_a_handler_fails(unit: CharmUnit) -> None:
    unit.juju.update(config={'fail': True, 'publish': True})
    result = unit.run('hooks/db-relation-joined', **relation_env('joined'))
    assert result.returncode == 1 and 'told to fail' in result.stderr
    assert count(unit.juju.argvs(), 'relation-set') == 0
    assert unit.bag('db:1', 'epcharm/0') == {}
