"""A Charmhub charm library, unchanged, in an ops-style charm and in a reactive charm.

``lib/charms/simple_db/v0/database.py`` is shaped as ``charmcraft fetch-lib`` vendors a
library (``LIBID``, ``LIBAPI``, ``LIBPATCH``, ``import ops``): an ``ops.Object`` with events
of its own that observes the relation's events, writes the request into the application
bag and keeps the provider's answer in stored state. Both charms vendor the same file;
each hook is a real process through the charm's ``dispatch``, on fake hook tools.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from opsunit import DispatchUnit

CHARMS = Path(__file__).resolve().parent / 'charms'
OPS_CHARM = CHARMS / 'charmlib_ops'
REACTIVE_CHARM = CHARMS / 'charmlib_reactive'
LIBRARY = Path('lib', 'charms', 'simple_db', 'v0', 'database.py')
RELATION = {'JUJU_RELATION': 'database', 'JUJU_RELATION_ID': 'database:4',
            'JUJU_REMOTE_APP': 'db'}
JOINED = {**RELATION, 'JUJU_REMOTE_UNIT': 'db/0'}
ANSWER = {'endpoints': '10.0.0.7:5432,10.0.0.8:5432', 'username': 'webapp_1'}


def deploy(root: Path, charm: Path, *, leader: bool = True) -> DispatchUnit:
    """*charm* on a leader unit, related to a simple-db provider that has not answered."""
    unit = DispatchUnit(root, charm, 'webapp/0', leader=leader, config={'paused': False})
    unit.juju.add_relation('database', 4, 'db', ['db/0'], data={'db': {}, 'db/0': {}})
    return unit


def provider_answers(unit: DispatchUnit, answer: dict[str, str]) -> None:
    state = unit.juju.state()
    state['relations']['database:4']['data']['db'] = dict(answer)
    unit.juju.set_state(state)


def status(unit: DispatchUnit) -> tuple[str, str]:
    unit_status = unit.juju.state()['status']['unit']
    return unit_status['status'], unit_status['message']


def run_relation_lifecycle(unit: DispatchUnit) -> list[dict[str, Any]]:
    """Install, relate, answer, a quiet hook, break: what Juju saw after each hook."""
    steps: list[tuple[str, dict[str, str], dict[str, str] | None]] = [
        ('install', {}, None),
        ('database-relation-created', RELATION, None),
        ('database-relation-joined', JOINED, None),
        ('database-relation-changed', JOINED, ANSWER),
        ('update-status', {}, None),
        ('database-relation-broken', RELATION, None),
    ]
    seen = []
    for hook, env, answer in steps:
        if answer is not None:
            provider_answers(unit, answer)
        unit.ok(f'hooks/{hook}', **env)
        seen.append({'hook': hook, 'status': status(unit), 'info': unit.logs('INFO'),
                     'request': unit.bag('database:4', 'webapp')})
    return seen


def test_both_charms_vendor_the_same_charmhub_shaped_library() -> None:
    source = (OPS_CHARM / LIBRARY).read_bytes()
    assert (REACTIVE_CHARM / LIBRARY).read_bytes() == source
    tree = ast.parse(source)
    constants = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                 and node.targets[0].id.startswith('LIB')}
    assert set(constants) == {'LIBID', 'LIBAPI', 'LIBPATCH'}
    assert len(constants['LIBID']) == 32 and int(constants['LIBID'], 16) >= 0
    assert constants['LIBAPI'] == 0 and constants['LIBPATCH'] > 0
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    assert 'ops' in imported and not any('reactops' in name for name in imported)


def test_an_ops_style_charm_gets_its_database_through_the_library(tmp_path: Path) -> None:
    seen = run_relation_lifecycle(deploy(tmp_path, OPS_CHARM))
    assert [step['status'] for step in seen] == [
        ('blocked', 'waiting for a database'),
        ('blocked', 'waiting for a database'),
        ('blocked', 'waiting for a database'),
        ('active', 'using 10.0.0.7:5432 as webapp_1'),
        ('active', 'using 10.0.0.7:5432 as webapp_1'),  # the answer kept in stored state
        ('blocked', 'waiting for a database'),
    ]
    assert seen[1]['request'] == {'database': 'webapp'}  # the leader asked on created
    assert seen[3]['info'] == ['database webapp ready at 10.0.0.7:5432,10.0.0.8:5432',
                               'connecting to 10.0.0.7:5432 as webapp_1']
    assert seen[4]['info'] == []  # no answer change, no event
    assert seen[5]['info'] == ['database relation 4 ended']


def test_a_reactive_charm_gets_its_database_through_the_same_library(tmp_path: Path) -> None:
    unit = deploy(tmp_path, REACTIVE_CHARM)
    seen = run_relation_lifecycle(unit)
    assert [step['status'] for step in seen] == [
        ('blocked', 'waiting for a database'),
        ('blocked', 'waiting for a database'),
        ('blocked', 'waiting for a database'),
        ('active', 'using 10.0.0.7:5432 as webapp_1'),
        ('active', 'using 10.0.0.7:5432 as webapp_1'),
        ('blocked', 'waiting for a database'),
    ]
    assert seen[1]['request'] == {'database': 'webapp_reactive'}
    assert seen[3]['info'] == ['database webapp_reactive ready at 10.0.0.7:5432,10.0.0.8:5432']
    assert 'database.available' not in unit.flags()
    assert not (unit.juju.charm_dir / 'webapp.conf').exists()


def test_the_reactive_charm_turns_the_librarys_event_into_flags(tmp_path: Path) -> None:
    unit = deploy(tmp_path, REACTIVE_CHARM)
    unit.ok('hooks/install')
    unit.ok('hooks/database-relation-created', **RELATION)
    provider_answers(unit, ANSWER)
    unit.ok('hooks/database-relation-changed', **JOINED)
    assert {'database.available', 'webapp.configured'} <= set(unit.flags())
    assert (unit.juju.charm_dir / 'webapp.conf').read_text() == (
        'db=10.0.0.7:5432\nuser=webapp_1\n')

    # A new answer: the library emits again, the flag's value follows; the handler that
    # wrote the file waits for the flag to be cleared first (when_not webapp.configured).
    provider_answers(unit, {**ANSWER, 'username': 'webapp_2'})
    unit.ok('hooks/database-relation-changed', **JOINED)
    assert status(unit) == ('active', 'using 10.0.0.7:5432 as webapp_2')


@pytest.mark.parametrize('charm', [OPS_CHARM, REACTIVE_CHARM], ids=['ops', 'reactive'])
def test_a_unit_that_becomes_leader_asks_for_the_database_then(tmp_path: Path,
                                                               charm: Path) -> None:
    unit = deploy(tmp_path, charm, leader=False)
    unit.ok('hooks/install')
    unit.ok('hooks/database-relation-created', **RELATION)
    assert unit.bag('database:4', 'webapp') == {}  # only the leader writes the app bag
    assert not [argv for argv in unit.tools() if argv[0] == 'relation-set']
    unit.juju.update(leader=True)
    unit.ok('hooks/leader-elected')
    assert ['relation-set', '-r', 'database:4', '--app', '--file', '-'] in unit.tools()
    assert unit.bag('database:4', 'webapp')['database'].startswith('webapp')


def run_paused_switch(unit: DispatchUnit) -> list[dict[str, Any]]:
    """The library's own event deferred while paused, delivered after unpausing."""
    unit.juju.update(config={'paused': True})
    for hook, env in (('install', {}), ('database-relation-created', RELATION)):
        unit.ok(f'hooks/{hook}', **env)
    provider_answers(unit, ANSWER)
    seen = []
    for hook, env, config in (('database-relation-changed', JOINED, None),
                              ('update-status', {}, None),
                              ('config-changed', {}, {'paused': False}),
                              ('update-status', {}, None)):
        if config is not None:
            unit.juju.update(config=config)
        unit.ok(f'hooks/{hook}', **env)
        seen.append({'hook': hook, 'info': unit.logs('INFO'),
                     'notices': [(path.rsplit('[', 1)[0], observer, method)
                                 for path, observer, method in unit.notices()]})
    return seen


def test_the_librarys_own_event_can_be_deferred_and_comes_back(tmp_path: Path) -> None:
    seen = run_paused_switch(deploy(tmp_path, OPS_CHARM))
    waiting = [('WebappCharm/DatabaseRequirer[database]/on/database_available', 'WebappCharm',
                '_on_database_available')]
    assert seen == [
        {'hook': 'database-relation-changed', 'notices': waiting,
         'info': ['database webapp ready at 10.0.0.7:5432,10.0.0.8:5432',
                  'paused: the new database waits']},
        {'hook': 'update-status', 'notices': waiting,
         'info': ['paused: the new database waits']},
        {'hook': 'config-changed', 'notices': [],  # re-emitted first, with its snapshot
         'info': ['connecting to 10.0.0.7:5432 as webapp_1']},
        {'hook': 'update-status', 'notices': [], 'info': []},
    ]
