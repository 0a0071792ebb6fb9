"""SimulatedBackend: the real backend's methods, answering like Juju from a State."""

from __future__ import annotations

import datetime
import inspect
from typing import Any

import pytest

from reactops._private.backend import ModelBackend
from reactops.errors import ModelError, RelationNotFoundError, SecretNotFoundError
from reactops.jujucontext import JujuContext, JujuVersion
from reactops.meta import CharmMeta
from reactops.model import ActiveStatus
from reactops.model import Network as ModelNetwork
from reactops.testing import (
    Address,
    BindAddress,
    CloudCredential,
    CloudSpec,
    Model,
    Network,
    PeerRelation,
    Relation,
    Secret,
    State,
    Storage,
)
from reactops.testing._backend import SimulatedBackend

META = CharmMeta(
    {'name': 'web', 'requires': {'db': {'interface': 'pgsql'}},
     'peers': {'cluster': {'interface': 'web-peers'}}, 'extra-bindings': {'admin': None},
     'storage': {'data': {'type': 'filesystem'}, 'raw': {'type': 'block'}}},
    config_raw={'options': {'port': {'type': 'int', 'default': 80},
                            'motd': {'type': 'string'}}})


def backend(state: State, *, version: str = '3.6.1', hook: str = 'install',
            action_params: dict[str, Any] | None = None, **kwargs: Any) -> SimulatedBackend:
    context = JujuContext(dispatch_path=f'hooks/{hook}', hook_name=hook, unit_name='web/0',
                          model_name='m', model_uuid='uuid-1', version=JujuVersion(version))
    return SimulatedBackend(state, META, context, action_params=action_params, **kwargs)


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(value) for name, value in vars(cls).items()
            if callable(value) and not name.startswith('_')}


def test_it_has_every_method_of_the_real_backend_with_the_same_signature() -> None:
    real, simulated = public_methods(ModelBackend), public_methods(SimulatedBackend)
    assert set(real) <= set(simulated)
    for name, signature in real.items():
        assert str(simulated[name]) == str(signature), name


def test_it_has_the_real_backends_attributes() -> None:
    b = backend(State())
    assert (b.unit_name, b.app_name, b.model_name, b.model_uuid) == ('web/0', 'web', 'm',
                                                                     'uuid-1')
    assert b.juju_version == '3.6.1' and b._hook_is_running == ''


def test_config_fills_in_the_defaults() -> None:
    assert backend(State()).config_get() == {'port': 80}
    assert backend(State(config={'port': 8, 'motd': 'hi'})).config_get() == {
        'port': 8, 'motd': 'hi'}


def test_relations_list_remote_units_and_peers_without_our_unit() -> None:
    db = Relation('db', remote_app_name='pg', remote_units_data={1: {}, 0: {}})
    peers = PeerRelation('cluster', peers_data={0: {}, 2: {}})  # 0 is us: filtered out
    b = backend(State(relations=[db, peers]))
    assert b.relation_ids('db') == [db.id] and b.relation_ids('cluster') == [peers.id]
    assert b.relation_list(db.id, 'db') == ['pg/0', 'pg/1']
    assert b.relation_list(peers.id, 'cluster') == ['web/2']
    assert b.relation_remote_app_name(peers.id, 'cluster') == 'web'
    assert b.relation_remote_app_name(999, 'db') is None
    with pytest.raises(RelationNotFoundError):
        b.relation_list(999, 'db')
    with pytest.raises(RelationNotFoundError):
        b.relation_list(db.id, 'cluster')  # the id of another endpoint


def test_relation_get_reads_any_bag_and_set_writes_ours() -> None:
    db = Relation('db', remote_app_name='pg', remote_app_data={'a': '1'},
                  remote_units_data={0: {'u': '0'}}, local_app_data={'mine': 'x'})
    b = backend(State(leader=True, relations=[db]))
    assert b.relation_get(db.id, 'db', 'pg', True) == {'a': '1'}
    assert b.relation_get(db.id, 'db', 'pg/0', False) == {'u': '0'}
    assert b.relation_get(db.id, 'db', 'web', True) == {'mine': 'x'}
    b.relation_set(db.id, 'db', {'k': 'v', 'mine': ''}, True)
    b.relation_set(db.id, 'db', {'private-address': ''}, False)
    out = b.output_state().get_relation(db.id)
    assert out.local_app_data == {'k': 'v'}
    assert 'private-address' not in out.local_unit_data
    assert db.local_app_data == {'mine': 'x'}  # the input is untouched
    with pytest.raises(ModelError, match='not a member'):
        b.relation_get(db.id, 'db', 'pg/7', False)
    with pytest.raises(RelationNotFoundError):
        b.relation_get(42, 'db', 'pg', True)


def test_a_non_leader_is_refused_the_app_bag_and_status() -> None:
    db = Relation('db', local_app_data={'k': 'v'})
    b = backend(State(relations=[db]))
    with pytest.raises(ModelError, match='permission denied'):
        b.relation_set(db.id, 'db', {'k': 'v'}, True)
    # Reading is left to the model's check during a hook, as in ops.testing.
    assert b.relation_get(db.id, 'db', 'web', True) == {'k': 'v'}
    with pytest.raises(ModelError, match='not the leader'):
        b.status_get(is_app=True)
    with pytest.raises(ModelError, match='not the leader'):
        b.status_set('active', 'x', is_app=True)


def test_status_set_keeps_the_history() -> None:
    b = backend(State(leader=True))
    b.status_set('maintenance', 'one')
    b.status_set('active', 'two')
    b.status_set('blocked', 'app', is_app=True)
    assert b.status_get() == {'status': 'active', 'message': 'two', 'status-data': {}}
    assert [s.name for s in b.unit_status_history] == ['unknown', 'maintenance']
    assert b.output_state().app_status.message == 'app'
    with pytest.raises(ModelError, match='invalid status'):
        b.status_set('error', 'no')


def test_ports_print_as_juju_does() -> None:
    b = backend(State())
    b.open_port('tcp', 80)
    b.open_port('udp', 53)
    b.open_port('icmp')
    b.close_port('tcp', 1234)  # not open: no error
    assert b.opened_ports() == ['icmp', '80/tcp', '53/udp']


def test_storage_and_its_kind_and_location(tmp_path: Any) -> None:
    data, raw = Storage('data', index=1), Storage('raw', index=0)
    b = backend(State(storages=[data, raw]), storage_root=tmp_path)
    assert b.storage_list('data') == [1]
    assert b.storage_get('raw/0', 'kind') == 'block'
    assert b.storage_get('raw/0', 'location') == str(tmp_path / 'raw' / '0')
    assert b.storage_get('data/1', 'location') == str(tmp_path / 'data' / '1')
    assert (tmp_path / 'data' / '1').is_dir()
    with pytest.raises(ModelError, match='storage not found'):
        b.storage_get('data/9', 'location')
    b.storage_add('data', 2)
    b.storage_add('data')
    assert b.requested_storages == {'data': 3}
    with pytest.raises(ModelError, match='not found in the charm metadata'):
        b.storage_add('nope')


def test_network_get_answers_for_known_bindings_only() -> None:
    db = Relation('db')
    admin_net = Network('admin', [BindAddress([Address('10.1.0.7', cidr='10.1.0.0/16')])],
                        ingress_addresses=('10.1.0.7',), egress_subnets=('10.1.0.0/16',))
    b = backend(State(relations=[db], networks=[admin_net]))
    admin = ModelNetwork(b.network_get('admin'))
    assert str(admin.bind_address) == '10.1.0.7' and str(admin.interfaces[0].subnet) == \
        '10.1.0.0/16'
    default = ModelNetwork(b.network_get('db', db.id))
    assert str(default.ingress_address) == '192.0.2.0'
    assert b.network_get('juju-info')
    with pytest.raises(ModelError, match='no network config'):
        b.network_get('nope')
    with pytest.raises(RelationNotFoundError):
        b.network_get('db', 999)


def test_goal_state_counts_planned_units_and_relations() -> None:
    db = Relation('db', remote_app_name='pg', remote_units_data={0: {}})
    goal = backend(State(planned_units=3, relations=[db])).goal_state()
    assert sorted(goal['units']) == ['web/0', 'web/1', 'web/2']
    assert set(goal['relations']['db']) == {'pg', 'pg/0'}


def test_action_tools_work_only_in_an_action() -> None:
    b = backend(State())
    with pytest.raises(ModelError, match='only available while an action runs'):
        b.action_get()
    b = backend(State(), action_params={'x': 1})
    assert b.action_get() == {'x': 1}
    b.action_set({'a': {'b': 1}, 'c': 'd'})
    b.action_log('hi')
    b.action_fail('nope')
    assert (b.action_results, b.action_logs, b.action_failure) == (
        {'a.b': '1', 'c': 'd'}, ['hi'], 'nope')
    with pytest.raises(ValueError, match='invalid action result key'):
        b.action_set({'Bad Key': 1})


def test_metrics_only_in_collect_metrics() -> None:
    with pytest.raises(ModelError, match='collect-metrics'):
        backend(State()).add_metrics({'users': 3})
    b = backend(State(), hook='collect-metrics')
    b.add_metrics({'users': 3}, {'region': 'eu'})
    assert b.metrics == [({'users': 3.0}, {'region': 'eu'})]
    with pytest.raises(ModelError, match='finite number'):  # as ops: every bad metric
        b.add_metrics({'users': True})


def test_credentials_need_trust_and_reboot_is_recorded() -> None:
    with pytest.raises(ModelError, match='not trusted'):
        backend(State()).credential_get()
    with pytest.raises(ModelError, match='cloud spec is empty'):
        backend(State(), trusted=True).credential_get()
    spec = CloudSpec('lxd', credential=CloudCredential('certificate'))
    b = backend(State(model=Model('m', uuid='uuid-1', cloud_spec=spec)), trusted=True)
    assert b.credential_get()['type'] == 'lxd'
    b.reboot(now=True)
    assert b.reboot_requested


def test_workload_version_history_skips_the_empty_start() -> None:
    b = backend(State())
    b.application_version_set('1')
    b.application_version_set('2')
    assert b.workload_version_history == ['1'] and b.output_state().workload_version == '2'


def test_relation_model_needs_juju_3_6_2() -> None:
    db = Relation('db', remote_model_uuid='other')
    assert backend(State(relations=[db]), version='3.6.2').relation_model_get(
        db.id, 'db') == {'uuid': 'other'}
    with pytest.raises(ModelError, match='3.6.2'):
        backend(State(relations=[db])).relation_model_get(db.id, 'db')


# -- secrets -------------------------------------------------------------------------------


def test_a_secret_is_found_by_any_form_of_its_id_or_by_label() -> None:
    secret = Secret({'a': 'b'}, label='x')
    b = backend(State(secrets=[secret]))
    unique = secret.id.removeprefix('secret:')
    for form in (secret.id, unique, f'secret://uuid-1/{unique}'):
        assert b.secret_get(id=form) == {'a': 'b'}
    assert b.secret_get(label='x') == {'a': 'b'}
    with pytest.raises(SecretNotFoundError):
        b.secret_get(id='secret:nope')
    with pytest.raises(SecretNotFoundError):
        b.secret_get(label='nope')


def test_tracking_refresh_and_peek() -> None:
    secret = Secret({'v': '1'}, latest_content={'v': '2'})
    b = backend(State(secrets=[secret]))
    assert b.secret_get(id=secret.id) == {'v': '1'}
    assert b.secret_get(id=secret.id, peek=True) == {'v': '2'}
    assert b.secret_get(id=secret.id) == {'v': '1'}
    assert b.secret_get(id=secret.id, refresh=True) == {'v': '2'}
    assert b.secret_get(id=secret.id) == {'v': '2'}
    b.secret_get(id=secret.id, label='now-labelled')
    assert b.output_state().get_secret(id=secret.id).label == 'now-labelled'


def test_before_juju_3_3_1_an_owner_always_reads_the_latest() -> None:
    secret = Secret({'v': '1'}, latest_content={'v': '2'}, owner='unit')
    assert backend(State(secrets=[secret]), version='3.2.0').secret_get(id=secret.id) == \
        {'v': '2'}
    assert backend(State(secrets=[secret])).secret_get(id=secret.id) == {'v': '1'}


def test_only_owners_manage_secrets() -> None:
    theirs, apps = Secret({'v': '1'}), Secret({'v': '1'}, owner='app')
    b = backend(State(secrets=[theirs, apps]))
    with pytest.raises(SecretNotFoundError, match='You must own secret'):
        b.secret_info_get(id=theirs.id)
    with pytest.raises(SecretNotFoundError, match='You must own secret'):
        b.secret_set(theirs.id, content={'v': '2'})
    with pytest.raises(ModelError, match='only the leader'):
        b.secret_set(apps.id, content={'v': '2'})
    with pytest.raises(ModelError, match='only the leader'):
        b.secret_add({'v': '1'})
    unit_secret = b.secret_add({'v': '1'}, owner='unit', label='mine')
    assert b.secret_info_get(label='mine')['owner'] == 'unit'
    assert b.output_state().get_secret(id=unit_secret).owner == 'unit'


def test_secret_add_set_grant_revoke_remove() -> None:
    db = Relation('db', remote_app_name='pg')
    b = backend(State(leader=True, relations=[db]))
    expire = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    secret_id = b.secret_add({'v': '1'}, label='s', expire=expire, rotate='daily')
    with pytest.raises(ModelError, match='already exists'):
        b.secret_add({'v': '1'}, label='s')
    b.secret_set(secret_id, content={'v': '2'}, description='d')
    info = b.secret_info_get(id=secret_id)
    assert (info['revision'], info['expiry'], info['rotation'], info['description']) == (
        2, '2030-01-02T03:04:05Z', 'daily', 'd')
    b.secret_grant(secret_id, db.id)
    b.secret_grant(secret_id, db.id, unit='pg/0')
    assert b.output_state().get_secret(id=secret_id).remote_grants == {
        db.id: frozenset({'pg', 'pg/0'})}
    b.secret_revoke(secret_id, db.id)
    b.secret_revoke(secret_id, db.id, unit='pg/0')
    assert b.output_state().get_secret(id=secret_id).remote_grants == {}
    with pytest.raises(RelationNotFoundError):
        b.secret_grant(secret_id, 999)
    with pytest.raises(ValueError, match='should not remove the latest revision'):
        b.secret_remove(secret_id, revision=2)  # as ops.testing: the content in use
    b.secret_get(id=secret_id, refresh=True)  # now tracking 2: 1 may go
    b.secret_remove(secret_id, revision=1)
    assert b.removed_secret_revisions == [1]
    b.secret_remove(secret_id)
    assert b.output_state().secrets == frozenset()


def test_secrets_need_juju_3_0_3() -> None:
    with pytest.raises(ModelError, match='3.0.3'):
        backend(State(), version='2.9.44').secret_add({'v': '1'})
    secret = Secret({'v': '1'})
    with pytest.raises(ModelError, match='3.0.3'):
        backend(State(secrets=[secret]), version='2.9.44').secret_get(id=secret.id)


def test_the_output_state_is_new_and_the_input_unchanged() -> None:
    db = Relation('db', local_unit_data={'a': '1'})
    state = State(leader=True, relations=[db], unit_status=ActiveStatus('x'))
    b = backend(state)
    b.relation_set(db.id, 'db', {'a': '2'}, False)
    b.status_set('blocked', 'y')
    out = b.output_state()
    assert out.get_relation(db.id).local_unit_data == {'a': '2'}
    assert state.get_relation(db.id).local_unit_data == {'a': '1'}
    assert state.unit_status == ActiveStatus('x') and out.unit_status.name == 'blocked'
