"""Each hook tool function against the fake tools: the argv Juju saw, and what came back."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakejuju import FakeJuju

from reactops._private import hooktools as hookcmds
from reactops.errors import (
    HookToolMissingError,
    ModelError,
    RelationDataTypeError,
    RelationNotFoundError,
    SecretNotFoundError,
)


@pytest.fixture(autouse=True)
def _fresh_counter() -> Iterator[None]:
    hookcmds.calls.clear()
    yield
    hookcmds.calls.clear()


def only_call(fake: FakeJuju) -> dict[str, object]:
    calls = fake.calls()
    assert len(calls) == 1, calls
    return calls[0]


# -- configuration, leadership, the unit -------------------------------------------------


def test_config_get_all_and_one_key(fake_juju: FakeJuju) -> None:
    fake_juju.update(config={'port': 8080, 'debug': True, 'name': 'x', 'ratio': 0.5,
                             'unset': None})

    assert hookcmds.config_get() == {'port': 8080, 'debug': True, 'name': 'x', 'ratio': 0.5}
    assert hookcmds.config_get('port') == 8080
    assert hookcmds.config_get('unset') is None
    assert hookcmds.config_get('missing') is None
    assert fake_juju.argvs() == [
        ['config-get', '--format=json'], ['config-get', '--format=json', 'port'],
        ['config-get', '--format=json', 'unset'], ['config-get', '--format=json', 'missing']]


def test_is_leader(fake_juju: FakeJuju) -> None:
    assert hookcmds.is_leader() is False
    fake_juju.update(leader=True)
    assert hookcmds.is_leader() is True
    assert fake_juju.argvs() == [['is-leader', '--format=json']] * 2


def test_unit_get(fake_juju: FakeJuju) -> None:
    fake_juju.update(addresses={'private-address': '10.1.2.3'})
    assert hookcmds.unit_get('private-address') == '10.1.2.3'
    assert fake_juju.argvs() == [['unit-get', '--format=json', 'private-address']]


def test_application_version_set(fake_juju: FakeJuju) -> None:
    hookcmds.application_version_set('-1.2 beta')
    assert fake_juju.argvs() == [['application-version-set', '--', '-1.2 beta']]
    assert fake_juju.state()['workload_version'] == '-1.2 beta'


def test_goal_state(fake_juju: FakeJuju) -> None:
    goal = {'units': {'demo/0': {'status': 'active'}, 'demo/1': {'status': 'waiting'}},
            'relations': {'db': {'pg': {'status': 'joined'}}}}
    fake_juju.update(goal_state=goal)
    assert hookcmds.goal_state() == goal
    assert fake_juju.argvs() == [['goal-state', '--format=json']]


def test_credential_get_with_and_without_trust(fake_juju: FakeJuju) -> None:
    fake_juju.update(credential={'type': 'lxd', 'credential': {'attrs': {}}})
    assert hookcmds.credential_get() == {'type': 'lxd', 'credential': {'attrs': {}}}
    fake_juju.update(credential=None)
    with pytest.raises(ModelError, match='does not have trust'):
        hookcmds.credential_get()
    assert fake_juju.argvs() == [['credential-get', '--format=json']] * 2


def test_juju_reboot(fake_juju: FakeJuju) -> None:
    hookcmds.juju_reboot()
    assert fake_juju.state()['reboot'] == 'after-hook'
    hookcmds.juju_reboot(now=True)
    assert fake_juju.state()['reboot'] == 'now'
    assert fake_juju.argvs() == [['juju-reboot'], ['juju-reboot', '--now']]


# -- relations ---------------------------------------------------------------------------


@pytest.fixture
def db(fake_juju: FakeJuju) -> FakeJuju:
    """Our unit demo/0 related to pg (two units) over db:3."""
    fake_juju.add_relation('db', 3, 'pg', ['pg/0', 'pg/1'], data={
        'pg/0': {'host': '10.0.0.5'}, 'pg': {'database': 'main'},
        'demo/0': {'seen': 'no'}, 'demo': {'user': 'demo'}})
    fake_juju.add_relation('db', 5, 'mysql', [])
    return fake_juju


def test_relation_ids_are_numbers(db: FakeJuju) -> None:
    assert hookcmds.relation_ids('db') == [3, 5]
    assert hookcmds.relation_ids('cache') == []
    assert db.argvs() == [['relation-ids', 'db', '--format=json'],
                          ['relation-ids', 'cache', '--format=json']]


def test_relation_list_units_and_app(db: FakeJuju) -> None:
    assert hookcmds.relation_list(3, 'db') == ['pg/0', 'pg/1']
    assert hookcmds.relation_list(3, 'db', app=True) == 'pg'
    assert hookcmds.relation_list(5, 'db') == []
    assert db.argvs() == [
        ['relation-list', '--format=json', '-r', 'db:3'],
        ['relation-list', '--format=json', '-r', 'db:3', '--app'],
        ['relation-list', '--format=json', '-r', 'db:5']]


def test_relation_get_unit_bag_app_bag_and_one_key(db: FakeJuju) -> None:
    assert hookcmds.relation_get(3, 'db', 'pg/0') == {'host': '10.0.0.5'}
    assert hookcmds.relation_get(3, 'db', 'pg', app=True) == {'database': 'main'}
    assert hookcmds.relation_get(3, 'db', 'pg/0', key='host') == '10.0.0.5'
    assert hookcmds.relation_get(3, 'db', 'pg/0', key='port') is None
    assert hookcmds.relation_get(3, 'db', 'pg/1') == {}
    assert db.argvs() == [
        ['relation-get', '--format=json', '-r', 'db:3', '-', 'pg/0'],
        ['relation-get', '--format=json', '-r', 'db:3', '--app', '-', 'pg'],
        ['relation-get', '--format=json', '-r', 'db:3', 'host', 'pg/0'],
        ['relation-get', '--format=json', '-r', 'db:3', 'port', 'pg/0'],
        ['relation-get', '--format=json', '-r', 'db:3', '-', 'pg/1']]


def test_non_leader_reading_own_app_bag_is_refused_by_juju(db: FakeJuju) -> None:
    with pytest.raises(ModelError, match='permission denied') as info:
        hookcmds.relation_get(3, 'db', 'demo', app=True)
    assert type(info.value) is ModelError
    db.update(leader=True)
    assert hookcmds.relation_get(3, 'db', 'demo', app=True) == {'user': 'demo'}


def test_relation_set_sends_json_on_stdin_and_empty_deletes(db: FakeJuju) -> None:
    hookcmds.relation_set(3, 'db', {'seen': '', 'addr': '10.0.0.1', 'note': 'a "b" c'})

    call = only_call(db)
    assert call['argv'] == ['relation-set', '-r', 'db:3', '--file', '-']
    assert json.loads(str(call['stdin'])) == {'seen': '', 'addr': '10.0.0.1',
                                              'note': 'a "b" c'}
    assert db.state()['relations']['db:3']['data']['demo/0'] == {
        'addr': '10.0.0.1', 'note': 'a "b" c'}


def test_relation_set_app_bag_needs_leadership(db: FakeJuju) -> None:
    with pytest.raises(ModelError, match='cannot write relation settings') as info:
        hookcmds.relation_set(3, 'db', {'x': '1'}, app=True)
    assert type(info.value) is ModelError
    # The payload went through stdin, so the error's command does not carry it.
    assert info.value.command == ['relation-set', '-r', 'db:3', '--app', '--file', '-']

    db.update(leader=True)
    hookcmds.relation_set(3, 'db', {'x': '1'}, app=True)
    assert db.state()['relations']['db:3']['data']['demo'] == {'user': 'demo', 'x': '1'}


def test_relation_set_refuses_non_strings_before_calling_juju(db: FakeJuju) -> None:
    with pytest.raises(RelationDataTypeError, match="'port'"):
        hookcmds.relation_set(3, 'db', {'port': 5432})  # type: ignore[dict-item]
    assert db.calls() == []


def test_relation_model_get(db: FakeJuju) -> None:
    assert hookcmds.relation_model_get(3, 'db') == {
        'uuid': '00000000-0000-4000-8000-000000000000'}
    assert db.argvs() == [['relation-model-get', '--format=json', '-r', 'db:3']]


@pytest.mark.parametrize('call', [
    lambda: hookcmds.relation_list(99, 'db'),
    lambda: hookcmds.relation_list(99, 'db', app=True),
    lambda: hookcmds.relation_get(99, 'db', 'pg/0'),
    lambda: hookcmds.relation_set(99, 'db', {'a': 'b'}),
    lambda: hookcmds.relation_model_get(99, 'db'),
    lambda: hookcmds.network_get('db', relation_id=99),
    lambda: hookcmds.secret_grant('secret:x', 99),
])
def test_a_gone_relation_raises_relation_not_found(db: FakeJuju, call: object) -> None:
    with pytest.raises(RelationNotFoundError, match='relation not found') as info:
        call()  # type: ignore[operator]
    # Juju checks -r while parsing flags, so the status is 2 (a command-line error).
    assert info.value.returncode == 2
    assert str(info.value.stderr).startswith('ERROR invalid value "')


def test_relation_not_found_also_in_the_older_wording(fake_juju: FakeJuju) -> None:
    fake_juju.fail('relation-get', stderr='ERROR relation 7 not found')
    with pytest.raises(RelationNotFoundError, match='relation 7 not found'):
        hookcmds.relation_get(7, 'db', 'pg/0')


# -- status and logging ------------------------------------------------------------------


def test_status_set_and_get_for_the_unit(fake_juju: FakeJuju) -> None:
    hookcmds.status_set('active', '-- ready, 3 replicas')
    assert hookcmds.status_get() == {
        'status': 'active', 'message': '-- ready, 3 replicas', 'status-data': {}}
    assert fake_juju.argvs() == [
        ['status-set', '--application=false', 'active', '--', '-- ready, 3 replicas'],
        ['status-get', '--include-data', '--format=json', '--application=false']]


def test_status_set_and_get_for_the_app_as_leader(fake_juju: FakeJuju) -> None:
    fake_juju.update(leader=True)
    hookcmds.status_set('blocked', 'need a db', app=True)
    status = hookcmds.status_get(app=True)
    assert status['status'] == 'blocked' and status['message'] == 'need a db'
    assert set(status['units']) == {'demo/0'}
    assert fake_juju.argvs() == [
        ['status-set', '--application=true', 'blocked', '--', 'need a db'],
        ['status-get', '--include-data', '--format=json', '--application=true']]
    assert fake_juju.state()['status_history'] == [
        {'target': 'app', 'status': 'blocked', 'message': 'need a db'}]


def test_status_set_with_no_message_and_an_invalid_status(fake_juju: FakeJuju) -> None:
    hookcmds.status_set('maintenance')
    assert fake_juju.argvs() == [['status-set', '--application=false', 'maintenance', '--', '']]
    with pytest.raises(ModelError, match='invalid status "error"'):
        hookcmds.status_set('error')


def test_juju_log(fake_juju: FakeJuju) -> None:
    hookcmds.juju_log('-starts with a dash')
    hookcmds.juju_log('careful', level='WARNING')
    assert fake_juju.argvs() == [
        ['juju-log', '--log-level', 'INFO', '--', '-starts with a dash'],
        ['juju-log', '--log-level', 'WARNING', '--', 'careful']]
    assert fake_juju.state()['logs'] == [
        {'level': 'INFO', 'message': '-starts with a dash'},
        {'level': 'WARNING', 'message': 'careful'}]


def test_juju_log_splits_what_juju_would_refuse(fake_juju: FakeJuju) -> None:
    message = 'a' * hookcmds.MAX_LOG_LINE + 'b' * 10
    hookcmds.juju_log(message, level='DEBUG')
    lines = [entry['message'] for entry in fake_juju.state()['logs']]
    assert len(lines) == 3
    assert 'it follows in 2 parts' in lines[0]
    assert lines[1:] == ['a' * hookcmds.MAX_LOG_LINE, 'b' * 10]
    assert all(argv[:4] == ['juju-log', '--log-level', 'DEBUG', '--']
               for argv in fake_juju.argvs())


# -- ports, storage, resources, network --------------------------------------------------


def test_open_and_close_ports(fake_juju: FakeJuju) -> None:
    hookcmds.open_port('TCP', 8080)
    hookcmds.open_port('udp', 8000, to_port=8010)
    hookcmds.open_port('icmp')
    hookcmds.open_port('tcp', 443, endpoints=['web', 'admin'])
    hookcmds.open_port('tcp', 9000, endpoints='web')  # one name, not its letters
    assert hookcmds.opened_ports() == ['icmp', '443/tcp', '8080/tcp', '9000/tcp',
                                       '8000-8010/udp']
    hookcmds.close_port('tcp', 8080)
    assert hookcmds.opened_ports() == ['icmp', '443/tcp', '9000/tcp', '8000-8010/udp']
    assert fake_juju.argvs() == [
        ['open-port', '8080/tcp'], ['open-port', '8000-8010/udp'], ['open-port', 'icmp'],
        ['open-port', '--endpoints', 'web,admin', '443/tcp'],
        ['open-port', '--endpoints', 'web', '9000/tcp'],
        ['opened-ports', '--format=json'], ['close-port', '8080/tcp'],
        ['opened-ports', '--format=json']]


def test_port_arguments_are_checked_before_calling_juju(fake_juju: FakeJuju) -> None:
    with pytest.raises(ValueError, match='icmp has no ports'):
        hookcmds.open_port('icmp', 1)
    with pytest.raises(ValueError, match='needs a port number'):
        hookcmds.close_port('tcp')
    assert fake_juju.calls() == []


def test_storage_list_get_and_add(fake_juju: FakeJuju) -> None:
    fake_juju.update(storage={'data/0': {'kind': 'filesystem', 'location': '/srv/data'},
                              'logs/1': {'kind': 'block', 'location': '/dev/vdb'}})
    assert hookcmds.storage_list() == ['data/0', 'logs/1']
    assert hookcmds.storage_list('logs') == ['logs/1']
    assert hookcmds.storage_get('data/0') == {'kind': 'filesystem', 'location': '/srv/data'}
    assert hookcmds.storage_get('logs/1', 'location') == '/dev/vdb'
    hookcmds.storage_add({'data': 2, 'logs': 1})
    assert fake_juju.state()['storage_added'] == {'data': 2, 'logs': 1}
    assert fake_juju.argvs() == [
        ['storage-list', '--format=json'], ['storage-list', '--format=json', 'logs'],
        ['storage-get', '--format=json', '-s', 'data/0'],
        ['storage-get', '--format=json', '-s', 'logs/1', 'location'],
        ['storage-add', 'data=2', 'logs=1']]


def test_resource_get_returns_the_path(fake_juju: FakeJuju) -> None:
    fake_juju.update(resources={'snap': '/var/lib/juju/agents/unit-demo-0/resources/snap/x'})
    assert hookcmds.resource_get('snap') == Path(
        '/var/lib/juju/agents/unit-demo-0/resources/snap/x')
    with pytest.raises(ModelError, match='resource "image" not found'):
        hookcmds.resource_get('image')
    assert fake_juju.argvs() == [['resource-get', 'snap'], ['resource-get', 'image']]


def test_network_get_with_and_without_a_relation(db: FakeJuju) -> None:
    network = {'bind-addresses': [{'mac-address': '', 'interface-name': 'eth0',
                                   'addresses': [{'hostname': '', 'value': '10.0.0.10',
                                                  'cidr': '10.0.0.0/24'}]}],
               'egress-subnets': ['10.0.0.10/32'], 'ingress-addresses': ['10.0.0.10']}
    db.update(networks={'db': network})
    assert hookcmds.network_get('db') == network
    assert hookcmds.network_get('db', relation_id=3) == network
    with pytest.raises(ModelError, match='no network config found for binding "web"'):
        hookcmds.network_get('web')
    assert db.argvs() == [['network-get', '--format=json', 'db'],
                          ['network-get', '--format=json', '-r', '3', 'db'],
                          ['network-get', '--format=json', 'web']]


# -- actions -----------------------------------------------------------------------------


@pytest.fixture
def action(fake_juju: FakeJuju) -> FakeJuju:
    fake_juju.update(action={'params': {'target': 's3', 'opts': {'level': 3}},
                             'results': {}, 'logs': [], 'failed': False, 'message': ''})
    return fake_juju


def test_action_get(action: FakeJuju) -> None:
    assert hookcmds.action_get() == {'target': 's3', 'opts': {'level': 3}}
    assert hookcmds.action_get('opts.level') == 3
    assert hookcmds.action_get('nope') is None
    assert action.argvs() == [['action-get', '--format=json'],
                              ['action-get', '--format=json', 'opts.level'],
                              ['action-get', '--format=json', 'nope']]


def test_action_set_log_and_fail(action: FakeJuju) -> None:
    hookcmds.action_set({'a.b': 'c', 'target': 's3', 'x': {'y': {'z': 1}}})
    hookcmds.action_log('-working')
    hookcmds.action_fail('disk full')
    state = action.state()['action']
    assert state['results'] == {'a': {'b': 'c'}, 'target': 's3', 'x': {'y': {'z': '1'}}}
    assert state['logs'] == ['-working']
    assert (state['failed'], state['message']) == (True, 'disk full')
    assert action.argvs() == [['action-set', 'a.b=c', 'target=s3', 'x.y.z=1'],
                              ['action-log', '--', '-working'],
                              ['action-fail', '--', 'disk full']]


def test_action_fail_without_message_leaves_the_message_to_juju(action: FakeJuju) -> None:
    hookcmds.action_fail()
    assert action.argvs() == [['action-fail']]
    assert 'without reason given' in action.state()['action']['message']


def test_action_set_errors_do_not_show_the_values(action: FakeJuju) -> None:
    with pytest.raises(ModelError, match='reserved') as info:
        hookcmds.action_set({'password': 'hunter2', 'stdout': 'x'})
    assert info.value.command == ['action-set', 'password=<redacted>', 'stdout=<redacted>']
    assert 'hunter2' not in str(info.value)


def test_action_tools_outside_an_action(fake_juju: FakeJuju) -> None:
    with pytest.raises(ModelError, match='not running an action'):
        hookcmds.action_get()


# -- secrets -----------------------------------------------------------------------------


def all_argv_text(fake: FakeJuju) -> str:
    return json.dumps(fake.argvs())


def test_secret_add_passes_content_in_files_never_on_argv(fake_juju: FakeJuju) -> None:
    secret_id = hookcmds.secret_add({'password': 's3cret!', 'user-name': 'admin'},
                                    label='db-pass', description='the db password')

    assert secret_id.startswith('secret:')
    argv = only_call(fake_juju)['argv']
    assert isinstance(argv, list)
    assert argv[:5] == ['secret-add', '--label', 'db-pass', '--description',
                        'the db password']
    files = argv[5:]
    assert [f.split('#file=')[0] for f in files] == ['password', 'user-name']
    assert 's3cret!' not in all_argv_text(fake_juju)
    # The files were in a private directory, removed once Juju had read them.
    assert not any(os.path.exists(f.split('#file=')[1]) for f in files)
    secret = fake_juju.state()['secrets'][secret_id]
    assert secret['revisions'] == {'1': {'password': 's3cret!', 'user-name': 'admin'}}
    assert (secret['owner'], secret['label']) == ('application', 'db-pass')


def test_secret_add_expiry_rotation_and_owner(fake_juju: FakeJuju) -> None:
    expire = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    hookcmds.secret_add({'key': 'v'}, expire=expire, rotate='daily', owner='unit')
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    hookcmds.secret_add({'key': 'v'}, expire=datetime.datetime(2030, 1, 2, 5, 4, 5,
                                                                 tzinfo=plus_two))
    hookcmds.secret_add({'key': 'v'}, expire=datetime.datetime(2030, 1, 2, 3, 4, 5))
    hookcmds.secret_add({'key': 'v'}, expire=datetime.timedelta(hours=1, microseconds=1))
    argvs = fake_juju.argvs()
    assert argvs[0][:7] == ['secret-add', '--expire', '2030-01-02T03:04:05Z', '--rotate',
                            'daily', '--owner', 'unit']
    assert argvs[1][:3] == argvs[2][:3] == ['secret-add', '--expire', '2030-01-02T03:04:05Z']
    assert argvs[3][:3] == ['secret-add', '--expire', '3601s']


def test_secret_add_checks_keys_before_calling_juju(fake_juju: FakeJuju) -> None:
    with pytest.raises(ValueError, match="'../x'"):
        hookcmds.secret_add({'../x': 'v'})
    with pytest.raises(TypeError, match="'key'"):
        hookcmds.secret_add({'key': 1})  # type: ignore[dict-item]
    assert fake_juju.calls() == []


@pytest.fixture
def secret(fake_juju: FakeJuju) -> str:
    """A secret we own, at revision 2, that this unit still tracks at revision 1."""
    fake_juju.update(secrets={'secret:abc123': {
        'owner': 'application', 'label': 'db-pass', 'tracked': 1, 'grants': [],
        'revisions': {'1': {'password': 'one'}, '2': {'password': 'two'}}}})
    return 'secret:abc123'


def test_secret_get_tracked_peek_and_refresh(fake_juju: FakeJuju, secret: str) -> None:
    assert hookcmds.secret_get(secret) == {'password': 'one'}
    assert hookcmds.secret_get(secret, peek=True) == {'password': 'two'}
    assert hookcmds.secret_get(label='db-pass') == {'password': 'one'}
    assert hookcmds.secret_get(secret, refresh=True) == {'password': 'two'}
    assert hookcmds.secret_get(label='db-pass') == {'password': 'two'}
    assert fake_juju.argvs() == [
        ['secret-get', '--format=json', secret],
        ['secret-get', '--format=json', secret, '--peek'],
        ['secret-get', '--format=json', '--label', 'db-pass'],
        ['secret-get', '--format=json', secret, '--refresh'],
        ['secret-get', '--format=json', '--label', 'db-pass']]


def test_secret_get_needs_an_id_or_label(fake_juju: FakeJuju) -> None:
    with pytest.raises(TypeError, match='id or a label'):
        hookcmds.secret_get()


def test_secret_info_get_by_id_or_label(fake_juju: FakeJuju, secret: str) -> None:
    info = {'id': secret, 'revision': 2, 'label': 'db-pass', 'owner': 'application'}
    assert hookcmds.secret_info_get(secret) == info
    assert hookcmds.secret_info_get(label='db-pass') == info
    with pytest.raises(TypeError, match='exactly one'):
        hookcmds.secret_info_get(secret, label='db-pass')
    assert fake_juju.argvs() == [['secret-info-get', '--format=json', secret],
                                 ['secret-info-get', '--format=json', '--label', 'db-pass']]


def test_secret_set_content_and_metadata(fake_juju: FakeJuju, secret: str) -> None:
    hookcmds.secret_set(secret, content={'password': 'three'}, label='new-label',
                        description='d', rotate='weekly')
    hookcmds.secret_set(secret, expire='24h')
    argvs = fake_juju.argvs()
    assert argvs[0][:8] == ['secret-set', '--label', 'new-label', '--description', 'd',
                            '--rotate', 'weekly', secret]
    assert argvs[0][8].startswith('password#file=') and len(argvs[0]) == 9
    assert argvs[1] == ['secret-set', '--expire', '24h', secret]
    assert 'three' not in all_argv_text(fake_juju)
    stored = fake_juju.state()['secrets'][secret]
    assert stored['revisions']['3'] == {'password': 'three'}
    assert (stored['label'], stored['rotate'], stored['expire']) == (
        'new-label', 'weekly', '24h')


def test_secret_grant_revoke_remove_and_ids(db: FakeJuju, secret: str) -> None:
    hookcmds.secret_grant(secret, 3)
    hookcmds.secret_grant(secret, 3, unit='pg/1')
    assert [g['unit'] for g in db.state()['secrets'][secret]['grants']] == [None, 'pg/1']
    hookcmds.secret_revoke(secret, unit='pg/1')
    hookcmds.secret_revoke(secret, relation_id=3)
    assert db.state()['secrets'][secret]['grants'] == []
    assert hookcmds.secret_ids() == [secret]
    hookcmds.secret_remove(secret, revision=1)
    assert list(db.state()['secrets'][secret]['revisions']) == ['2']
    hookcmds.secret_remove(secret)
    assert hookcmds.secret_ids() == []
    assert db.argvs() == [
        ['secret-grant', '--relation', '3', secret],
        ['secret-grant', '--relation', '3', '--unit', 'pg/1', secret],
        ['secret-revoke', '--unit', 'pg/1', secret],
        ['secret-revoke', '--relation', '3', secret],
        ['secret-ids', '--format=json'],
        ['secret-remove', secret, '--revision', '1'],
        ['secret-remove', secret],
        ['secret-ids', '--format=json']]


def test_secret_revoke_needs_a_target(fake_juju: FakeJuju) -> None:
    with pytest.raises(TypeError, match='relation_id, an app or a unit'):
        hookcmds.secret_revoke('secret:abc')


@pytest.mark.parametrize('call', [
    lambda: hookcmds.secret_get('secret:nope'),
    lambda: hookcmds.secret_get(label='nope'),
    lambda: hookcmds.secret_info_get('secret:nope'),
    lambda: hookcmds.secret_set('secret:nope', label='x'),
    lambda: hookcmds.secret_remove('secret:nope'),
    lambda: hookcmds.secret_revoke('secret:nope', app='pg'),
])
def test_an_unknown_secret_raises_secret_not_found(fake_juju: FakeJuju, call: object) -> None:
    with pytest.raises(SecretNotFoundError, match='not found') as info:
        call()  # type: ignore[operator]
    assert info.value.returncode == 1


# -- server-side state, leader settings, metrics -----------------------------------------


def test_state_set_get_and_delete(fake_juju: FakeJuju) -> None:
    hookcmds.state_set({'a': '1', 'b': 'two words'})
    assert hookcmds.state_get() == {'a': '1', 'b': 'two words'}
    assert hookcmds.state_get('b') == 'two words'
    hookcmds.state_delete('a')
    assert hookcmds.state_get('a') is None
    calls = fake_juju.calls()
    assert calls[0]['argv'] == ['state-set', '--file', '-']
    assert json.loads(str(calls[0]['stdin'])) == {'a': '1', 'b': 'two words'}
    assert [c['argv'] for c in calls[1:]] == [
        ['state-get', '--format=json'], ['state-get', '--format=json', 'b'],
        ['state-delete', 'a'], ['state-get', '--format=json', 'a']]


def test_leader_set_and_get(fake_juju: FakeJuju) -> None:
    fake_juju.update(leader=True, leader_settings={'old': 'x'})
    hookcmds.leader_set({'addr': '10.0.0.1', 'old': None})
    assert hookcmds.leader_get() == {'addr': '10.0.0.1'}
    assert hookcmds.leader_get('addr') == '10.0.0.1'
    assert fake_juju.argvs() == [['leader-set', 'addr=10.0.0.1', 'old='],
                                 ['leader-get', '--format=json'],
                                 ['leader-get', '--format=json', 'addr']]


def test_leader_set_by_a_follower_fails_without_showing_values(fake_juju: FakeJuju) -> None:
    with pytest.raises(ModelError, match='not the leader') as info:
        hookcmds.leader_set({'token': 'hunter2'})
    assert info.value.command == ['leader-set', 'token=<redacted>']


def test_add_metric(fake_juju: FakeJuju) -> None:
    hookcmds.add_metric({'requests': 12, 'ratio': 0.5})
    hookcmds.add_metric({'users': '3'}, labels={'region': 'eu', 'tier': 'gold'})
    assert fake_juju.argvs() == [['add-metric', 'requests=12', 'ratio=0.5'],
                                 ['add-metric', '--labels', 'region=eu,tier=gold', 'users=3']]
    assert fake_juju.state()['metrics'][-1] == {
        'key': 'users', 'value': '3', 'labels': {'region': 'eu', 'tier': 'gold'}}


# -- failures and the runner -------------------------------------------------------------


def test_a_failing_tool_raises_model_error_with_its_stderr(fake_juju: FakeJuju) -> None:
    fake_juju.fail('config-get', code=3, stderr='ERROR boom\n  details\n')
    with pytest.raises(ModelError) as info:
        hookcmds.config_get('port')
    error = info.value
    assert type(error) is ModelError
    assert str(error) == error.stderr == 'ERROR boom\n  details'
    assert error.returncode == 3
    assert error.command == ['config-get', '--format=json', 'port']


def test_not_found_outside_relation_and_secret_tools_is_a_plain_model_error(
        fake_juju: FakeJuju) -> None:
    fake_juju.fail('storage-get', stderr='ERROR relation 3 not found')
    with pytest.raises(ModelError) as info:
        hookcmds.storage_get('data/0')
    assert type(info.value) is ModelError


def test_a_missing_tool_says_why_and_what_to_do(
        fake_juju: FakeJuju, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / 'empty'
    empty.mkdir()
    monkeypatch.setenv('PATH', str(empty))
    with pytest.raises(HookToolMissingError) as info:
        hookcmds.is_leader()
    message = str(info.value)
    assert "'is-leader' is not on PATH" in message
    assert 'only while it runs a hook' in message and 'reactops.testing' in message
    assert info.value.command == ['is-leader', '--format=json']
    assert hookcmds.calls['is-leader'] == 0


def test_output_that_is_not_json_names_the_tool(fake_juju: FakeJuju) -> None:
    fake_juju.respond('goal-state', 'units:\n  demo/0: active\n' + 'x' * 500)
    with pytest.raises(ModelError) as info:
        hookcmds.goal_state()
    message = str(info.value)
    assert message.startswith('goal-state printed output that is not JSON')
    assert 'units:' in message and 'x' * 300 not in message


@pytest.mark.parametrize('output', ['', '\n', 'null\n'])
def test_no_output_means_an_unset_value(fake_juju: FakeJuju, output: str) -> None:
    fake_juju.respond('config-get', output)
    assert hookcmds.config_get('port') is None
    assert hookcmds.config_get() == {}


def test_calls_counts_each_tool_run(fake_juju: FakeJuju) -> None:
    hookcmds.is_leader()
    hookcmds.is_leader()
    hookcmds.config_get()
    fake_juju.fail('juju-log')
    with pytest.raises(ModelError):
        hookcmds.juju_log('x')
    assert hookcmds.calls == {'is-leader': 2, 'config-get': 1, 'juju-log': 1}
    hookcmds.calls.clear()
    assert sum(hookcmds.calls.values()) == 0


def test_path_is_read_at_call_time(fake_juju: FakeJuju, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    other = FakeJuju(tmp_path / 'other', state={'leader': True})
    monkeypatch.setenv('PATH', other.env()['PATH'])
    monkeypatch.setenv('FAKEJUJU_STATE', str(other.state_path))
    monkeypatch.setenv('FAKEJUJU_LOG', str(other.log_path))
    assert hookcmds.is_leader() is True
    assert other.argvs() == [['is-leader', '--format=json']] and fake_juju.calls() == []


def test_the_status_name_types_are_literals_of_juju_s_names() -> None:
    import typing

    import reactops

    assert typing.get_args(hookcmds.SettableStatusName) == (
        'active', 'blocked', 'maintenance', 'waiting')
    assert typing.get_args(hookcmds.StatusName)[-2:] == ('error', 'unknown')
    import reactops.hookcmds

    # The top-level name is ops' typed hook-tool API's, which spells the same names.
    assert reactops.StatusName is reactops.hookcmds.StatusName
    names = {name for part in typing.get_args(reactops.StatusName)
             for name in typing.get_args(part)}
    assert names == set(typing.get_args(hookcmds.StatusName))
