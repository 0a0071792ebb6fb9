"""The rest of ``charmhelpers.core.hookenv`` and ``unitdata`` under the shim: what each call
sends to the (fake) hook tools and what it answers, with charmhelpers' shapes.

Outside a dispatch, as an action or ``juju exec`` script runs them; ``unitdata`` inside a
dispatch too (a runtime over a state file of the test's own).
"""

from __future__ import annotations

import datetime
import io
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
subordinate: true
requires:
  db: {interface: pgsql}
  juju-info: {interface: juju-info, scope: container}
peers:
  cluster: {interface: demo-peers}
"""


@pytest.fixture
def hookenv(fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    (fake_juju.charm_dir / 'metadata.yaml').write_text(META)
    for name in ('CHARM_DIR', 'UNIT_STATE_DB', 'JUJU_PRINCIPAL_UNIT'):
        monkeypatch.delenv(name, raising=False)
    fake_juju.update(config={'port': 80})
    fake_juju.add_relation('db', 3, 'pg', ['pg/1', 'pg/0'], data={
        'pg/0': {'host': 'a', 'hosts-list': 'x  y'}, 'pg/1': {'host': 'b'},
        'demo/0': {'private-address': '10.0.0.10', 'database': 'app', 'user': 'u'}})
    reactops.legacy.install()
    from charmhelpers.core import hookenv as module

    from reactops.legacy import _session

    _session.begin()
    yield module
    reactops.legacy.uninstall()


def _in_relation_hook(monkeypatch: pytest.MonkeyPatch, hook: str, unit: str) -> None:
    monkeypatch.setenv('JUJU_HOOK_NAME', hook)
    monkeypatch.setenv('JUJU_RELATION', 'db')
    monkeypatch.setenv('JUJU_RELATION_ID', 'db:3')
    monkeypatch.setenv('JUJU_REMOTE_UNIT', unit)


def test_hook_name_is_what_juju_set(hookenv: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('JUJU_HOOK_NAME', '')  # an action, or juju exec
    monkeypatch.setenv('JUJU_DISPATCH_PATH', 'actions/backup')
    assert hookenv.hook_name() == ''
    monkeypatch.delenv('JUJU_HOOK_NAME')  # a Juju that never set it
    assert hookenv.hook_name() == 'backup'
    monkeypatch.setenv('JUJU_HOOK_NAME', 'install')
    assert hookenv.hook_name() == 'install'


# -- relations ------------------------------------------------------------------------------


def test_relation_for_unit_splits_lists_and_names_the_unit(hookenv: Any,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    assert hookenv.relation_for_unit('pg/0', 'db:3') == {
        'host': 'a', 'hosts-list': ['x', 'y'], '__unit__': 'pg/0'}
    _in_relation_hook(monkeypatch, 'db-relation-changed', 'pg/1')
    assert hookenv.relation_for_unit() == {'host': 'b', '__unit__': 'pg/1'}
    assert hookenv.relations_for_id() == [
        {'host': 'a', 'hosts-list': ['x', 'y'], '__unit__': 'pg/0', '__relid__': 'db:3'},
        {'host': 'b', '__unit__': 'pg/1', '__relid__': 'db:3'}]
    assert [d['__unit__'] for d in hookenv.relations_of_type('db')] == ['pg/0', 'pg/1']
    units = list(hookenv.iter_units_for_relation_name('db'))
    assert units == [('db:3', 'pg/0'), ('db:3', 'pg/1')]
    assert (units[1].rid, units[1].unit) == ('db:3', 'pg/1')


def test_relations_holds_every_bag_with_our_own(hookenv: Any, fake_juju: FakeJuju) -> None:
    everything = hookenv.relations()
    assert sorted(everything) == ['cluster', 'db', 'juju-info']
    assert everything['cluster'] == {} and everything['juju-info'] == {}
    assert everything['db']['db:3'] == {
        'demo/0': {'private-address': '10.0.0.10', 'database': 'app', 'user': 'u'},
        'pg/0': {'host': 'a', 'hosts-list': 'x  y'}, 'pg/1': {'host': 'b'}}
    # One relation-get per bag, each naming the relation and the unit.
    gets = fake_juju.argvs('relation-get')
    assert len(gets) == 3 and all('db:3' in argv for argv in gets)
    assert {argv[-1] for argv in gets} == {'demo/0', 'pg/0', 'pg/1'}


def test_relation_clear_keeps_only_the_addresses(hookenv: Any, fake_juju: FakeJuju) -> None:
    hookenv.relation_clear('db:3')
    assert fake_juju.state()['relations']['db:3']['data']['demo/0'] == {
        'private-address': '10.0.0.10'}
    assert len(fake_juju.argvs('relation-set')) == 1  # sent at once outside a dispatch


# -- goal state, the Juju version, the charm ------------------------------------------------


def test_goal_state_and_the_units_juju_expects(hookenv: Any, fake_juju: FakeJuju,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(goal_state={
        'units': {'demo/0': {'status': 'active'}, 'demo/1': {'status': 'waiting'},
                  'demo/2': {'status': 'dying'}},
        'relations': {'db': {'pg': {'status': 'joined'}, 'pg/0': {'status': 'joined'},
                             'pg/1': {'status': 'joining'}}}})
    state = hookenv.goal_state()
    assert sorted(state['units']) == ['demo/0', 'demo/1', 'demo/2']
    assert sorted(hookenv.expected_peer_units()) == ['demo/1', 'demo/2']
    assert sorted(hookenv.expected_related_units('db')) == ['pg/0', 'pg/1']
    assert not hookenv.unit_doomed() and hookenv.unit_doomed('demo/2')
    assert hookenv.unit_doomed('demo/9')  # not in the model at all
    with pytest.raises(KeyError):
        list(hookenv.expected_related_units('website'))
    assert fake_juju.argvs('goal-state') == [['goal-state', '--format=json']]  # remembered
    monkeypatch.setenv('JUJU_VERSION', '2.4.2')
    with pytest.raises(NotImplementedError, match='goal-state'):
        hookenv.expected_related_units('db')  # listed units from 2.4.4 only


def test_goal_state_without_the_tool_is_not_implemented(hookenv: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('PATH', '/nonexistent')
    with pytest.raises(NotImplementedError, match='goal-state'):
        hookenv.goal_state()


def test_has_juju_version_reads_juju_version(hookenv: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('JUJU_VERSION', '2.9.42')
    assert hookenv.has_juju_version('2.9') and hookenv.has_juju_version('2.9.42')
    assert not hookenv.has_juju_version('2.10') and not hookenv.has_juju_version('3.0')
    monkeypatch.setenv('JUJU_VERSION', '2.4')
    assert not hookenv.has_juju_version('2.4.0')  # a shorter version is smaller
    monkeypatch.setenv('JUJU_VERSION', '3.1-beta1')
    assert hookenv.has_juju_version('3.1') and not hookenv.has_juju_version('3.1.1')
    monkeypatch.delenv('JUJU_VERSION')
    with pytest.raises(LegacyError, match=r'\$JUJU_VERSION, which is not set'):
        hookenv.has_juju_version('2.0')


def test_the_charm_its_name_and_its_principal(hookenv: Any, fake_juju: FakeJuju,
                                             monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    assert (hookenv.charm_name(), hookenv.is_subordinate()) == ('demo', True)
    monkeypatch.setenv('JUJU_PRINCIPAL_UNIT', 'wordpress/3')
    assert hookenv.principal_unit() == 'wordpress/3'
    monkeypatch.setenv('JUJU_PRINCIPAL_UNIT', '')
    assert hookenv.principal_unit() == 'demo/0'
    # Juju before 2.2: the related unit whose charm, on this machine, is no subordinate.
    monkeypatch.delenv('JUJU_PRINCIPAL_UNIT')
    agents = tmp_path / 'agents'
    charm = agents / 'unit-demo-0' / 'charm'
    charm.mkdir(parents=True)
    (charm / 'metadata.yaml').write_text(META)
    for unit, subordinate in (('pg-0', 'true'), ('pg-1', 'false')):
        other = agents / f'unit-{unit}' / 'charm'
        other.mkdir(parents=True)
        (other / 'metadata.yaml').write_text(f'name: pg\nsubordinate: {subordinate}\n')
    monkeypatch.setenv('JUJU_CHARM_DIR', str(charm))
    assert hookenv.principal_unit() == 'pg/1'


# -- classic hooks ---------------------------------------------------------------------------


def test_hooks_run_the_registered_function_between_the_callbacks(hookenv: Any) -> None:
    seen: list[str] = []
    hooks = hookenv.Hooks()

    @hooks.hook('install', 'upgrade-charm')
    def install() -> None:
        seen.append('install')

    @hooks.hook()
    def config_changed() -> None:
        seen.append('config')
        raise SystemExit(0)

    @hooks.hook()
    def stop() -> None:
        raise SystemExit(1)

    hookenv.atstart(seen.append, 'start')
    hookenv.atexit(seen.append, 'exit')
    hooks.execute(['hooks/upgrade-charm'])
    assert seen == ['start', 'install', 'exit']
    hookenv.atexit(seen.append, 'exit')
    with pytest.raises(SystemExit):
        hooks.execute(['/charm/hooks/config-changed'])  # its name with '-' for '_'
    assert seen[3:] == ['config', 'exit']  # exit 0 is a success
    hookenv.atexit(seen.append, 'not run')
    with pytest.raises(SystemExit):
        hooks.execute(['stop'])
    assert 'not run' not in seen
    with pytest.raises(hookenv.UnregisteredHookError, match='leader-elected'):
        hooks.execute(['hooks/leader-elected'])


def test_hooks_may_turn_off_saving_the_config(hookenv: Any) -> None:
    hookenv.Hooks(config_save=False)
    assert hookenv.config().implicit_save is False


def test_translate_exc_and_deprecate(hookenv: Any, capsys: pytest.CaptureFixture[str]) -> None:
    @hookenv.translate_exc(from_exc=OSError, to_exc=NotImplementedError)
    def missing_tool() -> None:
        raise FileNotFoundError('payload-register')

    with pytest.raises(NotImplementedError) as raised:
        missing_tool()
    assert isinstance(raised.value.__cause__, FileNotFoundError)

    @hookenv.deprecate('use new()', '2030-01')
    def old() -> int:
        return 1

    assert old() + old() == 2
    assert capsys.readouterr().out.count('DEPRECATION WARNING: Function old is being '
                                         'removed on/around 2030-01 : use new()') == 1


def test_execution_environment_and_serializable(hookenv: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _in_relation_hook(monkeypatch, 'db-relation-changed', 'pg/0')
    context = hookenv.execution_environment()
    assert context['conf'] == {'port': 80} and context['unit'] == 'demo/0'
    assert (context['reltype'], context['relid'], context['rel']['host']) == ('db', 'db:3', 'a')
    assert context['rels']['db']['db:3']['pg/1'] == {'host': 'b'}
    assert context['env']['JUJU_UNIT_NAME'] == 'demo/0'
    wrapped = hookenv.Serializable({'a': 1, 'b': [2]})
    assert wrapped.a == 1 and wrapped.json() == '{"a": 1, "b": [2]}'
    assert wrapped.yaml() == 'a: 1\nb:\n- 2\n'
    with pytest.raises(AttributeError):
        wrapped.c  # noqa: B018 - the lookup is the test


# -- the rarer tools and variables -----------------------------------------------------------


def test_metrics_payloads_and_function_log(hookenv: Any, fake_juju: FakeJuju,
                                           monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    hookenv.add_metric('b-metric=2', a_metric=1)
    assert fake_juju.argvs('add-metric') == [['add-metric', 'a_metric=1', 'b-metric=2']]
    with pytest.raises(NotImplementedError, match='payload-register'):
        hookenv.payload_register('docker', 'db', 'abc')  # this Juju has no payloads
    hookenv.function_log('halfway')
    assert 'function-log: halfway' in capsys.readouterr().err
    monkeypatch.setenv('JUJU_ACTION_UUID', '42')
    monkeypatch.setenv('JUJU_ACTION_TAG', 'action-42')
    monkeypatch.setenv('JUJU_ACTION_NAME', 'backup')
    monkeypatch.setenv('JUJU_METER_STATUS', 'AMBER')
    assert (hookenv.action_uuid(), hookenv.action_tag()) == ('42', 'action-42')
    assert (hookenv.function_id(), hookenv.function_tag(), hookenv.function_name()) == \
        ('42', 'action-42', 'backup')
    assert (hookenv.meter_status(), hookenv.meter_info()) == ('AMBER', None)
    assert hookenv.cmd_exists('relation-get') and not hookenv.cmd_exists('no-such-tool')


def test_proxy_settings_from_the_environment(hookenv: Any, fake_juju: FakeJuju,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'FTP_PROXY', 'JUJU_CHARM_HTTP_PROXY',
                 'JUJU_CHARM_HTTPS_PROXY', 'JUJU_CHARM_NO_PROXY', 'JUJU_CHARM_FTP_PROXY'):
        monkeypatch.delenv(name, raising=False)
    assert hookenv.env_proxy_settings() is None
    monkeypatch.setenv('HTTP_PROXY', 'http://old:3128')
    monkeypatch.setenv('JUJU_CHARM_HTTP_PROXY', 'http://squid:3128')
    monkeypatch.setenv('JUJU_CHARM_NO_PROXY', '10.0.0.0/8,.local')
    assert hookenv.env_proxy_settings(['http']) == {'HTTP_PROXY': 'http://squid:3128',
                                                    'http_proxy': 'http://squid:3128'}
    settings = hookenv.env_proxy_settings()
    assert settings['no_proxy'] == '10.0.0.0/8,.local' and 'HTTPS_PROXY' not in settings
    logged = [argv for argv in fake_juju.argvs('juju-log') if 'WARNING' in argv]
    assert len(logged) == 1 and 'NO_PROXY' in logged[0][-1]


def test_status_takes_the_enum_or_any_case(hookenv: Any, fake_juju: FakeJuju) -> None:
    hookenv.status_set(hookenv.WORKLOAD_STATES.MAINTENANCE, 'installing')
    assert fake_juju.state()['status']['unit']['status'] == 'maintenance'
    hookenv.status_set('Active', '')
    assert fake_juju.state()['status']['unit']['status'] == 'active'
    with pytest.raises(ValueError, match='not a workload state'):
        hookenv.status_set('error', 'nope')


def test_no_network_binding(hookenv: Any, fake_juju: FakeJuju) -> None:
    fake_juju.update(networks={'db': {'bind-addresses': [
        {'addresses': [{'value': '10.1.1.1', 'cidr': '10.1.1.0/24'}]}]}})
    assert hookenv.network_get_primary_address('db') == '10.1.1.1'
    with pytest.raises(hookenv.NoNetworkBinding, match='website'):
        hookenv.network_get_primary_address('website')


def test_cached_answers_and_flush(hookenv: Any) -> None:
    calls: list[str] = []

    @hookenv.cached
    def lookup(unit: str) -> str:
        calls.append(unit)
        return unit.upper()

    assert lookup('pg/0') == lookup('pg/0') == 'PG/0' and lookup('pg/1') == 'PG/1'
    assert calls == ['pg/0', 'pg/1'] and len(hookenv.cache) == 2
    hookenv.flush('pg/0')
    assert lookup('pg/0') == 'PG/0' and calls == ['pg/0', 'pg/1', 'pg/0']


def test_config_previous_from_a_charmhelpers_file(hookenv: Any, tmp_path: Path) -> None:
    config = hookenv.config()
    assert config.path.endswith('/charm/.juju-persistent-config')
    saved = tmp_path / 'previous.json'
    saved.write_text('{"port": 8080, "mine": "kept"}')
    config.load_previous(str(saved))
    assert config.previous('port') == 8080 and config.changed('port')
    assert config['mine'] == 'kept' and config.path == str(saved)


# -- unitdata --------------------------------------------------------------------------------


@pytest.fixture
def unitdata(hookenv: Any) -> Any:
    from charmhelpers.core import unitdata as module

    return module


def test_conn_commit_inside_a_dispatch_leaves_the_commit_to_it(unitdata: Any,
                                                               tmp_path: Path) -> None:
    from reactops.reactive import ReactiveRuntime, activate
    from reactops.storage import SQLiteStorage

    path = tmp_path / 'state.db'
    storage = SQLiteStorage(path)
    storage.commit()  # the tables exist; the dispatch's transaction starts
    try:
        with activate(ReactiveRuntime(storage)):
            kv = unitdata.kv()
            kv.set('k', 'v')
            row = kv.cursor.execute('SELECT data FROM kv WHERE key=?', ['k']).fetchone()
            assert row == ('"v"',)
            named = kv.conn.execute('SELECT data FROM kv WHERE key=:key', {'key': 'k'})
            assert named.fetchall() == [('"v"',)]
            kv.conn.commit()  # the dispatch commits at its end, as a whole
            with sqlite3.connect(path) as other:
                assert other.execute("SELECT * FROM kv WHERE key='k'").fetchall() == []
            with pytest.raises(LegacyError, match='roll back'):
                kv.conn.rollback()
        storage.commit()
        with sqlite3.connect(path) as other:
            assert other.execute("SELECT data FROM kv WHERE key='k'").fetchall() == [('"v"',)]
    finally:
        storage.close()


def test_hook_scope_records_history_and_commits(unitdata: Any, tmp_path: Path) -> None:
    path = tmp_path / 'state.db'
    kv = unitdata.Storage(str(path))
    try:
        kv.set('a', 0)
        with kv.hook_scope('install') as revision:
            assert kv.revision == revision == 1
            kv.set('a', 1)
            kv.set('b', 'x')
            kv.unset('b')
        assert kv.revision is None
        with pytest.raises(RuntimeError), kv.hook_scope('config-changed'):
            kv.set('a', 2)
            raise RuntimeError('the hook failed')
        assert kv.get('a') == 1  # the failed scope's change is gone
        history = kv.gethistory('a', deserialize=True)
        assert [(rev, key, data, hook) for rev, key, data, hook, _ in history] == [
            (1, 'a', 1, 'install')]
        assert isinstance(history[0][4], datetime.datetime)
        assert [row[2] for row in kv.gethistory('b')] == ['"DELETED"']  # its last change
        out = io.StringIO()
        kv.debug(out)
        assert "('a', '1')" in out.getvalue() and "'install'" not in out.getvalue()
    finally:
        kv.close()
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT data FROM kv WHERE key='a'").fetchall() == [('1',)]


def test_hook_data_records_the_hook_and_its_deltas(unitdata: Any, fake_juju: FakeJuju,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from reactops.reactive import ReactiveRuntime, activate

    monkeypatch.setenv('JUJU_HOOK_NAME', 'config-changed')
    (fake_juju.charm_dir / 'revision').write_text('7\n')
    with activate(ReactiveRuntime()):
        kv = unitdata.kv()
        kv.update({'port': 8080, 'gone': True}, prefix='config')
        changes = unitdata.HookData()
        with changes() as (store, config_delta, relation_delta):
            assert store is kv
            assert config_delta == {'port': (8080, 80), 'gone': (True, None)}
            assert changes.conf is config_delta and changes.rels is relation_delta
            assert relation_delta['db'].previous is None
            assert relation_delta['db'].current['db:3']['pg/1'] == {'host': 'b'}
        assert (kv.get('unit'), kv.get('relid'), kv.get('charm_revisions')) == \
            ('demo/0', None, ['7'])
        assert kv.get('env')['JUJU_HOOK_NAME'] == 'config-changed'
        assert [row[3] for row in kv.gethistory('unit')] == ['config-changed']
