"""``charmhelpers.core.hookenv`` and ``unitdata`` as the shim provides them, outside a
dispatch (an action script that imports charmhelpers and never calls ``main()``): every
call goes to the fake hook tools, with charmhelpers' argument and return shapes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakejuju import FakeJuju

import reactops.legacy
from reactops.legacy import LegacyError

META = """
name: demo
requires:
  db: {interface: pgsql}
peers:
  cluster: {interface: demo-peers}
"""


@pytest.fixture
def hookenv(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    (fake_juju.charm_dir / 'metadata.yaml').write_text(META)
    monkeypatch.delenv('CHARM_DIR', raising=False)
    monkeypatch.delenv('UNIT_STATE_DB', raising=False)
    fake_juju.update(config={'port': 80}, leader=True,
                     action={'params': {'target': {'host': 'h'}}, 'results': {}})
    fake_juju.add_relation('db', 3, 'pg', ['pg/1', 'pg/0'],
                           data={'pg/0': {'host': 'a'}, 'pg/1': {'host': 'b'}, 'pg': {'v': '1'}})
    reactops.legacy.install()
    from charmhelpers.core import hookenv as module

    from reactops.legacy import _session

    _session.begin()
    yield module
    reactops.legacy.uninstall()


def test_context_comes_from_the_environment(hookenv: Any, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.setenv('JUJU_HOOK_NAME', 'db-relation-changed')
    monkeypatch.setenv('JUJU_RELATION', 'db')
    monkeypatch.setenv('JUJU_RELATION_ID', 'db:3')
    monkeypatch.setenv('JUJU_REMOTE_UNIT', 'pg/1')
    assert hookenv.hook_name() == 'db-relation-changed'
    assert (hookenv.local_unit(), hookenv.service_name()) == ('demo/0', 'demo')
    assert (hookenv.relation_type(), hookenv.relation_id(), hookenv.remote_unit()) == \
        ('db', 'db:3', 'pg/1')
    assert hookenv.in_relation_hook()
    assert hookenv.relation_get('host') == 'b'  # the remote unit by default
    assert hookenv.metadata()['requires'] == {'db': {'interface': 'pgsql'}}


def test_relations_read_through_the_tools(hookenv: Any, fake_juju: FakeJuju) -> None:
    assert hookenv.relation_ids('db') == ['db:3']
    assert hookenv.related_units('db:3') == ['pg/0', 'pg/1']
    assert hookenv.relation_get(unit='pg/0', rid='db:3') == {'host': 'a'}
    assert hookenv.relation_get('v', rid='db:3', app='pg') == '1'
    assert hookenv.relation_get('nope', unit='pg/0', rid='db:3') is None
    assert hookenv.relation_get(unit='pg/0', rid='db:99') is None
    assert hookenv.relations_of_type('db')[0] == {'host': 'a', '__unit__': 'pg/0',
                                                 '__relid__': 'db:3'}
    assert hookenv.is_relation_made('db', 'host')
    assert hookenv.relation_id('db', 'pg/0') == 'db:3'
    assert hookenv.role_and_interface_to_relations('requires', 'pgsql') == ['db']
    assert hookenv.relation_to_role_and_interface('cluster') == ('peers', 'demo-peers')
    assert hookenv.peer_relation_id() is None
    fake_juju.clear_calls()
    hookenv.relation_get(unit='pg/0', rid='db:3')
    assert fake_juju.argvs('relation-get') == []  # cached for the session


def test_relation_set_is_sent_at_once_outside_a_dispatch(hookenv: Any,
                                                         fake_juju: FakeJuju) -> None:
    hookenv.relation_set('db:3', {'database': 'app'}, user=None, port=5432)
    assert fake_juju.state()['relations']['db:3']['data']['demo/0'] == {
        'database': 'app', 'port': '5432'}


def test_status_ports_leadership_and_actions(hookenv: Any, fake_juju: FakeJuju) -> None:
    hookenv.status_set('blocked', 'need db')
    assert fake_juju.state()['status']['unit']['status'] == 'blocked'
    with pytest.raises(ValueError, match='workload state'):
        hookenv.status_set('happy', '')
    hookenv.open_port(8080)
    hookenv.open_port(53, 'UDP')
    assert fake_juju.argvs('open-port') == [['open-port', '8080/tcp'], ['open-port', '53/udp']]
    assert hookenv.is_leader()
    hookenv.leader_set({'token': 'x'}, other=None)
    assert hookenv.leader_get('token') == 'x'
    assert hookenv.action_get('target.host') == 'h'
    hookenv.action_set({'done': 'yes'})
    hookenv.action_fail('nope')
    action = fake_juju.state()['action']
    assert action['results'] == {'done': 'yes'} and action['failed']
    assert hookenv.unit_private_ip() == '10.0.0.10'
    assert hookenv.config('port') == 80 and hookenv.config().changed('port')
    hookenv.log('hello', hookenv.WARNING)
    assert ['juju-log', '--log-level', 'WARNING', '--', 'hello'] in fake_juju.argvs('juju-log')


def test_atstart_in_order_and_atexit_in_reverse(hookenv: Any) -> None:
    seen: list[str] = []
    hookenv.atstart(seen.append, 'start-1')
    hookenv.atstart(seen.append, 'start-2')
    hookenv.atexit(seen.append, 'exit-1')
    hookenv.atexit(seen.append, 'exit-2')
    hookenv._run_atstart()
    hookenv._run_atexit()
    assert seen == ['start-1', 'start-2', 'exit-2', 'exit-1']


def test_unitdata_outside_a_dispatch_commits_on_flush(hookenv: Any,
                                                      fake_juju: FakeJuju) -> None:
    from charmhelpers.core import unitdata

    kv = unitdata.kv()
    kv.set('a.x', 1)
    kv.update({'y': [2], 'z': {'k': 'v'}}, prefix='a.')
    assert kv.get('a.z', record=True).k == 'v'
    assert kv.getrange('a.', strip=True) == {'x': 1, 'y': [2], 'z': {'k': 'v'}}
    delta = kv.delta({'x': 1, 'y': [3], 'w': 0}, 'a.')
    assert delta == {'y': (  [2], [3]), 'w': (None, 0), 'z': ({'k': 'v'}, None)}
    assert delta['y'].previous == [2]
    kv.unsetrange(['y'], prefix='a.')
    kv.flush()
    db_path = Path(kv.db_path)
    with sqlite3.connect(db_path) as db:
        keys = sorted(k for (k,) in db.execute("SELECT key FROM kv WHERE key LIKE 'a.%'"))
    assert keys == ['a.x', 'a.z']
    assert db_path == fake_juju.charm_dir / '.unit-state.db'


def test_unitdata_stores_plain_json_as_charmhelpers_did(hookenv: Any,
                                                       fake_juju: FakeJuju) -> None:
    from charmhelpers.core import unitdata

    kv = unitdata.kv()
    kv.set('pair', ('a', 1))
    assert kv.get('pair') == ['a', 1]  # a tuple reads back as a list
    with pytest.raises(TypeError, match=r"unitdata.kv\(\).set\('when'\): the value must be "
                                        'JSON-serializable'):
        kv.set('when', {1, 2})
    kv.flush()
    with sqlite3.connect(kv.db_path) as db:
        assert db.execute("SELECT data FROM kv WHERE key='pair'").fetchone() == ('["a", 1]',)


def test_unitdata_inside_a_dispatch_shares_its_transaction(hookenv: Any) -> None:
    from charmhelpers.core import unitdata

    from reactops.reactive import ReactiveRuntime, activate

    runtime = ReactiveRuntime()
    with activate(runtime):
        kv = unitdata.kv()
        kv.set('k', 'v')
        kv.flush()  # the dispatch commits at its end
        assert runtime.storage.kv_get('k') == 'v'
        with pytest.raises(LegacyError, match='roll back'):
            kv.flush(save=False)
