"""The consistency checker: each impossible State or event is refused with a message that
says what Juju could not do and how to fix the test; a possible one passes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from reactops.errors import ReactopsError
from reactops.meta import CharmMeta
from reactops.model import ActiveStatus, BlockedStatus
from reactops.testing._consistency import (
    SKIP_ENV_VAR,
    InconsistentScenarioError,
    check_consistency,
    juju_version_tuple,
)
from reactops.testing.errors import StateValidationError
from reactops.testing.state import (
    DeferredEvent,
    ICMPPort,
    Network,
    PeerRelation,
    Port,
    Relation,
    RelationBase,
    Resource,
    Secret,
    State,
    Storage,
    StoredState,
    SubordinateRelation,
    TCPPort,
)

META = CharmMeta(
    {
        'name': 'demo',
        'requires': {'db': {'interface': 'pgsql', 'limit': 1}, 'cache': 'redis'},
        'provides': {'website': {'interface': 'http'}},
        'peers': {'cluster': {'interface': 'demo-peers'}},
        'storage': {'data': {'type': 'filesystem'},
                    'logs': {'type': 'filesystem', 'multiple': {'range': '1-3'}}},
        'resources': {'image': {'type': 'file', 'filename': 'image.tar'}},
        'extra-bindings': {'admin': None},
    },
    {
        'backup': {
            'params': {'target': {'type': 'string'}, 'count': {'type': 'integer'},
                       'ratio': {'type': 'number'}, 'force': {'type': 'boolean'},
                       'paths': {'type': 'array'}, 'options': {'type': 'object'},
                       'mode': {'type': 'string', 'enum': ['full', 'incremental']},
                       'level': {'type': 'integer', 'default': 1}},
            'required': ['target', 'level'],
            'additionalProperties': False,
        },
        'open': {'params': {'name': {'type': 'string'}}},
    },
    {'options': {'port': {'type': 'int'}, 'ratio': {'type': 'float'},
                 'debug': {'type': 'boolean'}, 'name': {'type': 'string'},
                 'password': {'type': 'secret'}}},
)

SUBORDINATE_META = CharmMeta({
    'name': 'agent', 'subordinate': True,
    'requires': {'host': {'interface': 'juju-info', 'scope': 'container'},
                 'metrics': {'interface': 'prometheus'}},
})


@dataclasses.dataclass(frozen=True)
class Event:
    """What the Context's event factories hand the checker (the attributes it reads)."""

    name: str
    relation: RelationBase | None = None
    remote_unit: str | None = None
    departing_unit: str | None = None
    action_name: str | None = None
    action_params: Mapping[str, Any] | None = None
    storage: Storage | None = None
    secret: Secret | None = None
    secret_revision: int | None = None


def problems(state: State, event: Event | None = None, meta: CharmMeta = META,
             juju_version: str = '3.6.1', **kw: Any) -> list[str]:
    try:
        check_consistency(state, event, meta, juju_version=juju_version, **kw)
    except InconsistentScenarioError as e:
        assert list(e.problems) and all(p in str(e) for p in e.problems)
        return list(e.problems)
    return []


def only_problem(state: State, event: Event | None = None, **kw: Any) -> str:
    found = problems(state, event, **kw)
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(autouse=True)
def _checks_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SKIP_ENV_VAR, raising=False)


# -- a consistent scenario passes --------------------------------------------------------


def test_a_rich_consistent_state_and_each_kind_of_event_pass() -> None:
    db = Relation('db', interface='pgsql', remote_units_data={0: {'host': 'a'}, 1: {}})
    peers = PeerRelation('cluster', peers_data={1: {}, 2: {'ready': 'yes'}})
    data = Storage('data', index=0)
    owned = Secret({'a': 'b'}, owner='app', label='mine')
    observed = Secret({'c': 'd'})
    state = State(
        config={'port': 8080, 'ratio': 1.0, 'debug': True, 'name': 'x',
                'password': 'secret:cm9qq2nmp25c77b3o0n0'},
        relations=[db, peers, Relation('website'), Relation('cache')],
        storages=[data, Storage('logs', index=1), Storage('logs', index=2)],
        secrets=[owned, observed], leader=True, app_status=ActiveStatus('ok'),
        networks=[Network('db'), Network('admin')], resources=[Resource(name='image', path='/x')],
        opened_ports=[TCPPort(80), ICMPPort()], planned_units=3,
        stored_states=[StoredState(content={'count': 1, 'seen': {1, 2}})],
        deferred=(DeferredEvent('Demo/on/config_changed[3]', 'Demo', '_on_config'),),
        flags={'db.ready': None, 'port': {'n': 80}}, kv={'reactive.x': [1, 2]},
    )
    events = [
        None, Event('install'), Event('relation_created', db),
        Event('relation_joined', db, remote_unit='remote/1'),
        Event('db_relation_changed', db, remote_unit='remote/0'),
        Event('relation_changed', db),  # the remote application's data changed
        Event('relation_departed', db, remote_unit='remote/5', departing_unit='remote/5'),
        Event('relation_departed', db, remote_unit='remote/1', departing_unit='demo/0'),
        Event('relation_changed', peers, remote_unit='demo/2'),
        Event('relation_broken', db), Event('storage_attached', storage=data),
        Event('data_storage_detaching', storage=data),
        Event('secret_changed', secret=observed), Event('secret_rotate', secret=owned),
        Event('secret_remove', secret=owned, secret_revision=1),
        Event('action', action_name='backup', action_params={
            'target': 'here', 'count': 3, 'ratio': 0.5, 'force': False, 'paths': ['/a'],
            'options': {'x': 1}, 'mode': 'full'}),
        Event('open_action', action_name='open', action_params={'name': 'x', 'extra': 1}),
    ]
    for event in events:
        assert problems(state, event) == [], event


def test_subordinate_relation_on_a_container_scoped_endpoint_passes() -> None:
    host = SubordinateRelation('host', remote_app_name='ubuntu', remote_unit_id=3)
    state = State(relations=[host, Relation('metrics')])
    event = Event('relation_joined', host, remote_unit='ubuntu/3')
    assert problems(state, event, meta=SUBORDINATE_META) == []


def test_every_problem_is_reported_at_once() -> None:
    state = State(config={'nope': 1, 'port': 'eighty'}, relations=[Relation('unknown')],
                  planned_units=-1)
    found = problems(state)
    assert len(found) == 4
    with pytest.raises(InconsistentScenarioError, match='4 problems') as info:
        check_consistency(state, None, META, juju_version='3.6.1')
    assert isinstance(info.value, ReactopsError) and isinstance(info.value, ValueError)
    assert f'{SKIP_ENV_VAR}=1' in str(info.value)


def test_the_environment_variable_skips_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    impossible = State(config={'nope': 1})
    monkeypatch.setenv(SKIP_ENV_VAR, '1')
    check_consistency(impossible, None, META, juju_version='3.6.1')
    monkeypatch.setenv(SKIP_ENV_VAR, '0')
    with pytest.raises(InconsistentScenarioError):
        check_consistency(impossible, None, META, juju_version='3.6.1')


# -- config ------------------------------------------------------------------------------


def test_config_key_not_declared() -> None:
    message = only_problem(State(config={'prot': 80}))
    assert "State.config['prot']" in message and 'declares no config option' in message
    assert 'debug, name, password, port, ratio' in message and 'remove it' in message


@pytest.mark.parametrize(('key', 'value', 'expected'), [
    # As ops.testing checks them: an int option takes any int (a bool too); a float
    # option only a float.
    ('port', 1.5, 'an int'), ('port', '80', 'an int'),
    ('ratio', 'x', 'a float'), ('ratio', 1, 'a float'),
    ('debug', 'true', 'True or False'), ('debug', 1, 'True or False'),
    ('name', 3, 'a string'), ('password', 'hunter2', 'a secret id'),
])
def test_config_value_of_the_wrong_type(key: str, value: object, expected: str) -> None:
    message = only_problem(State(config={key: value}))
    assert f'State.config[{key!r}] is {value!r}' in message and expected in message


# -- relations ---------------------------------------------------------------------------


def test_relation_on_an_undeclared_endpoint() -> None:
    message = only_problem(State(relations=[Relation('dbb', id=7)]))
    assert "Relation 'dbb' (id 7)" in message and 'declares no endpoint' in message
    assert 'cache, cluster, db, website' in message


@pytest.mark.parametrize(('relation', 'meta', 'needed'), [
    (Relation('cluster'), META, 'PeerRelation'),
    (SubordinateRelation('db'), META, 'Relation'),
    (PeerRelation('website'), META, 'Relation'),
    (Relation('host'), SUBORDINATE_META, 'SubordinateRelation'),
    (SubordinateRelation('metrics'), SUBORDINATE_META, 'Relation'),
])
def test_relation_class_must_match_the_role(relation: RelationBase, meta: CharmMeta,
                                            needed: str) -> None:
    message = only_problem(State(relations=[relation]), meta=meta)
    assert f'needs a {needed} because' in message
    assert f'{needed}({relation.endpoint!r}, ...)' in message


def test_duplicate_relation_ids() -> None:
    state = State(relations=[Relation('cache', id=4), Relation('website', id=4)])
    message = only_problem(state)
    assert 'relation id 4 is used by 2 relations' in message and 'leave id= out' in message


def test_more_relations_than_the_limit() -> None:
    message = only_problem(State(relations=[Relation('db'), Relation('db')]))
    assert "endpoint 'db' has 2 relations" in message and 'limits it to 1' in message


def test_no_limit_means_any_number_of_relations() -> None:
    assert problems(State(relations=[Relation('cache') for _ in range(5)])) == []


def test_interface_is_not_checked_against_the_metadata() -> None:
    # As ops.testing: the interface is descriptive; the endpoint decides.
    assert problems(State(relations=[Relation('db', interface='mysql')])) == []


@pytest.mark.parametrize('make', [
    lambda: Relation('db', local_app_data={'port': 5432}),
    lambda: Relation('db', remote_app_data={'a': None}),
    lambda: Relation('db', remote_units_data={0: {'b': ['x']}}),
    lambda: PeerRelation('cluster', peers_data={1: {'c': 1.5}}),
    lambda: SubordinateRelation('host', remote_unit_data={'d': b'x'}),
    lambda: Relation('db', remote_app_data=['x']),
])
def test_relation_data_must_be_strings(make: Any) -> None:
    # As in ops.testing, the relation itself refuses them (before any check runs).
    with pytest.raises(StateValidationError, match='databags should be'):
        make()


def test_unit_numbers_must_be_ints() -> None:
    message = only_problem(State(relations=[Relation('db', remote_units_data={'0': {}})]))
    assert "remote_units_data has the key '0'" in message and 'use an int' in message


def test_peers_data_must_not_hold_our_own_unit() -> None:
    state = State(relations=[PeerRelation('cluster', peers_data={0: {}, 1: {}})])
    message = only_problem(state)
    assert 'peers_data has unit 0, which is this unit' in message
    assert 'local_unit_data' in message
    assert problems(state, unit_id=2) == []


# -- relation events ---------------------------------------------------------------------


def test_relation_event_without_a_relation() -> None:
    message = only_problem(State(), Event('relation_changed'))
    assert 'has no relation' in message and 'State.relations' in message


def test_relation_event_for_a_relation_not_in_the_state() -> None:
    db = Relation('db')
    message = only_problem(State(relations=[Relation('cache')]), Event('relation_created', db))
    assert f'(id {db.id}), which is not in State.relations' in message
    assert 'add it to the State' in message


def test_relation_event_matches_the_state_by_id() -> None:
    db = Relation('db')
    newer = db.replace(remote_app_data={'x': 'y'})
    assert problems(State(relations=[newer]), Event('relation_created', db)) == []


def test_relation_event_name_must_match_the_endpoint() -> None:
    db = Relation('db')
    message = only_problem(State(relations=[db]), Event('cache_relation_created', db))
    assert "its name says endpoint 'cache'" in message and 'db_relation_created' in message


@pytest.mark.parametrize('kind', ['relation_joined', 'relation_departed'])
def test_joined_and_departed_need_a_remote_unit(kind: str) -> None:
    db = Relation('db', remote_units_data={0: {}, 1: {}})
    message = only_problem(State(relations=[db]), Event(kind, db))
    assert 'has no remote unit' in message and 'remote/0, remote/1' in message


@pytest.mark.parametrize('kind', ['relation_created', 'relation_broken'])
def test_created_and_broken_have_no_remote_unit(kind: str) -> None:
    db = Relation('db')
    message = only_problem(State(relations=[db]), Event(kind, db, remote_unit='remote/0'))
    assert 'Juju sets no remote unit' in message


@pytest.mark.parametrize(('relation', 'unit', 'listed'), [
    (Relation('db', remote_app_name='pg'), 'remote/0', 'pg/0'),
    (PeerRelation('cluster', peers_data={1: {}}), 'other/1', 'demo/1'),
    (PeerRelation('cluster', peers_data={1: {}}), 'demo/2', 'demo/1'),
])
def test_remote_unit_must_be_a_unit_of_the_relation(relation: RelationBase, unit: str,
                                                    listed: str) -> None:
    event = Event('relation_changed', relation, remote_unit=unit)
    message = only_problem(State(relations=[relation]), event)
    assert f'remote unit {unit!r}, which is not a unit of' in message
    assert f'its units: {listed}' in message


def test_subordinate_remote_unit() -> None:
    host = SubordinateRelation('host', remote_app_name='ubuntu', remote_unit_id=3)
    event = Event('relation_changed', host, remote_unit='ubuntu/0')
    message = only_problem(State(relations=[host]), event, meta=SUBORDINATE_META)
    assert 'its units: ubuntu/3' in message


def test_departed_remote_unit_must_belong_to_the_remote_app() -> None:
    db = Relation('db', remote_app_name='pg')
    event = Event('relation_departed', db, remote_unit='other/3')
    message = only_problem(State(relations=[db]), event)
    assert "not a unit of the remote application 'pg'" in message


def test_departing_unit_is_the_remote_unit_or_ours() -> None:
    db = Relation('db')
    event = Event('relation_departed', db, remote_unit='remote/0', departing_unit='remote/9')
    message = only_problem(State(relations=[db]), event)
    assert "departing unit 'remote/9'" in message
    assert "'remote/0'" in message and "'demo/0'" in message


def test_only_departed_has_a_departing_unit() -> None:
    db = Relation('db')
    event = Event('relation_joined', db, remote_unit='remote/0', departing_unit='remote/0')
    message = only_problem(State(relations=[db]), event)
    assert 'only relation-departed has one' in message


# -- storage -----------------------------------------------------------------------------


def test_storage_not_declared() -> None:
    message = only_problem(State(storages=[Storage('cache', index=0)]))
    assert "declares no storage 'cache'" in message and 'data, logs' in message


def test_the_same_storage_instance_twice_is_one() -> None:
    # As in ops.testing, storages are a frozenset and equal by name and index.
    state = State(storages=[Storage('logs', index=1), Storage('logs', index=1)])
    assert len(state.storages) == 1 and problems(state) == []


def test_several_instances_of_a_storage_are_not_counted() -> None:
    # As ops.testing: the count of attached instances is not checked against "multiple".
    assert problems(State(storages=[Storage('data', index=0), Storage('data', index=1)])) == []


def test_extra_bindings_may_not_share_an_endpoint_name() -> None:
    meta = CharmMeta({'name': 'x', 'requires': {'db': {'interface': 'pg'}},
                      'extra-bindings': {'db': None}})
    assert 'share the name of relation endpoints' in only_problem(State(), meta=meta)


def test_storage_event_without_storage() -> None:
    assert 'has no storage' in only_problem(State(), Event('storage_attached'))


def test_storage_event_for_storage_not_in_the_state() -> None:
    message = only_problem(State(), Event('storage_detaching', storage=Storage('data', index=0)))
    assert "storage 'data/0', which is not in State.storages" in message


def test_storage_event_for_undeclared_storage() -> None:
    storage = Storage('cache', index=0)
    found = problems(State(storages=[storage]), Event('storage_attached', storage=storage))
    assert any("event is for storage 'cache/0', but the charm declares no storage" in p
               for p in found)


def test_storage_event_name_must_match_the_storage() -> None:
    storage = Storage('data', index=0)
    message = only_problem(State(storages=[storage]),
                           Event('logs_storage_attached', storage=storage))
    assert 'data_storage_attached' in message


# -- actions -----------------------------------------------------------------------------


def backup(**params: Any) -> Event:
    return Event('action', action_name='backup', action_params={'target': 't', **params})


def test_action_not_declared() -> None:
    message = only_problem(State(), Event('action', action_name='restore'))
    assert "action 'restore', which the charm does not declare" in message
    assert 'backup, open' in message


def test_missing_required_param() -> None:
    message = only_problem(State(), Event('action', action_name='backup', action_params={}))
    assert "requires the parameter 'target'" in message  # 'level' has a default


@pytest.mark.parametrize(('param', 'value', 'type_'), [
    ('target', 3, 'string'), ('count', '3', 'integer'), ('count', True, 'integer'),
    ('count', 1.5, 'integer'), ('ratio', 'x', 'number'), ('force', 'yes', 'boolean'),
    ('paths', 'a', 'array'), ('options', [1], 'object'),
])
def test_param_of_the_wrong_type(param: str, value: object, type_: str) -> None:
    message = only_problem(State(), backup(**{param: value}))
    assert f'parameter {param!r} is {value!r}' in message and f'type {type_}' in message


def test_param_not_in_its_enum() -> None:
    message = only_problem(State(), backup(mode='partial'))
    assert "'partial', not one of its enum values ['full', 'incremental']" in message


def test_unknown_param_when_additional_properties_is_false() -> None:
    message = only_problem(State(), backup(extra=1))
    assert "no parameter 'extra'" in message and 'additionalProperties is false' in message


def test_unknown_params_follow_the_juju_default() -> None:
    event = Event('action', action_name='open', action_params={'extra': 1})
    assert problems(State(), event, juju_version='3.6.1') == []
    assert "no parameter 'extra'" in only_problem(State(), event, juju_version='4.0.0')


# -- secrets -----------------------------------------------------------------------------


def test_secrets_need_juju_3() -> None:
    secret = Secret({'a': 'b'})
    message = only_problem(State(secrets=[secret]), juju_version='2.9.44')
    assert 'Juju 2.9.44 has no secrets' in message and "'3.0.0' or later" in message
    found = problems(State(secrets=[secret]), Event('secret_changed', secret=secret),
                     juju_version='2.9.44')
    assert len(found) == 2
    assert problems(State(secrets=[secret]), juju_version='3.0') == []  # as ops.testing


def test_secret_event_for_a_secret_not_in_the_state() -> None:
    message = only_problem(State(), Event('secret_changed', secret=Secret({'a': 'b'})))
    assert 'which is not in State.secrets' in message


def test_secret_event_without_a_secret() -> None:
    assert 'has no secret' in only_problem(State(), Event('secret_changed'))


@pytest.mark.parametrize('kind', ['secret_rotate', 'secret_expired', 'secret_remove'])
def test_owner_only_secret_events_for_a_secret_we_do_not_own(kind: str) -> None:
    secret = Secret({'a': 'b'})
    message = only_problem(State(secrets=[secret]), Event(kind, secret=secret))
    assert 'does not own' in message and "owner='app'" in message


def test_secret_changed_goes_to_observers_only() -> None:
    secret = Secret({'a': 'b'}, owner='unit')
    message = only_problem(State(secrets=[secret]), Event('secret_changed', secret=secret))
    assert 'not to its owner' in message


def test_secret_content_is_checked_by_the_secret() -> None:
    with pytest.raises(StateValidationError, match='must not be empty'):
        Secret({})
    with pytest.raises(StateValidationError, match='should be dict'):
        Secret({'a': 1})  # type: ignore[dict-item]


def test_malformed_secrets() -> None:
    content = {'k': 'v'}
    state = State(secrets=[Secret(content, id='abc'), Secret(content, owner='me'),  # type: ignore[arg-type]
                           Secret(content, label='x'), Secret(content, label='x')])
    found = problems(state)
    assert len(found) == 2  # the id's form is free, as in ops.testing
    assert any("owner='me'" in p for p in found)
    assert any("label 'x' is used by 2 Secrets" in p for p in found)


# -- stored state, deferred events, flags --------------------------------------------------


def test_malformed_stored_state() -> None:
    state = State(stored_states=[StoredState('not a name', owner_path=''),
                                 StoredState(content={'when': object()})])
    found = problems(state)
    assert len(found) == 3
    assert any('name must be the attribute name' in p for p in found)
    assert any('owner_path must be the handle path' in p for p in found)
    assert any('JSON values only' in p and 'when' in p for p in found)


def test_stored_state_twice() -> None:
    state = State(stored_states=[StoredState(content={'a': 1}), StoredState(content={'a': 2})])
    assert 'appears 2 times' in only_problem(state)


@pytest.mark.parametrize('path', ['Demo/config_changed[1]', 'Demo/on/config_changed',
                                  'Demo/on/config_changed[x]', ''])
def test_deferred_handle_path_must_be_an_event_notice(path: str) -> None:
    message = only_problem(State(deferred=(DeferredEvent(path, 'Demo', '_on_config'),)))
    assert "'<emitter path>/on/<event kind>[<n>]'" in message and '.deferred(' in message


def test_malformed_deferred_event() -> None:
    deferred = DeferredEvent('Demo/on/start[1]', '', 'not a method',
                             snapshot_data={'x': object()})
    found = problems(State(deferred=(deferred, deferred)))
    assert any('owner must be the handle path' in p for p in found)
    assert any('observer must be the name of the observing method' in p for p in found)
    assert any('snapshot_data' in p for p in found)
    assert any('deferred twice' in p for p in found)


@pytest.mark.parametrize('name', ['', '  ', 3])
def test_flag_names_are_non_empty_strings(name: object) -> None:
    message = only_problem(State(flags={name: None}))
    assert 'a flag name is a non-empty string' in message


def test_flag_values_are_json() -> None:
    message = only_problem(State(flags={'db.ready': object()}))
    assert "flag 'db.ready'" in message and 'JSON data' in message


def test_kv_values_are_json() -> None:
    message = only_problem(State(kv={'x': {1j}}))
    assert 'State.kv' in message and "key 'x'" in message


# -- leadership, planned units, ports, networks, resources, version ------------------------


def test_app_status_on_a_non_leader() -> None:
    message = only_problem(State(leader=False, app_status=BlockedStatus('x')))
    assert 'on a non-leader unit' in message and 'leader=True' in message
    assert problems(State(leader=True, app_status=BlockedStatus('x'))) == []


def test_planned_units() -> None:
    assert 'use 1 or more' in only_problem(State(planned_units=0))
    assert 'use 1 or more' in only_problem(State(planned_units=-1), Event('remove'))
    assert problems(State(planned_units=0), Event('stop')) == []  # this unit is going


def test_bad_ports() -> None:
    # As in ops.testing, the ports refuse bad numbers themselves.
    with pytest.raises(StateValidationError, match='outside bounds'):
        TCPPort(0)
    with pytest.raises(StateValidationError, match='cannot be set'):
        ICMPPort(port=1)
    with pytest.raises(RuntimeError, match='instantiated directly'):
        Port(80)


def test_network_for_an_unknown_binding() -> None:
    message = only_problem(State(networks=[Network('nope')]))
    assert "Network 'nope'" in message and 'admin' in message


def test_resource_not_declared() -> None:
    assert "Resource 'icon'" in only_problem(State(resources=[Resource(name='icon', path='/x')]))


def test_bad_juju_version() -> None:
    assert 'is not a Juju version' in only_problem(State(), juju_version='latest')


@pytest.mark.parametrize(('text', 'parsed'), [
    ('3.0.3', (3, 0, 3)), ('2.9', (2, 9, 0)), ('3.1-beta2', (3, 1, -1)),
    ('3.6.1.2', (3, 6, 1)), ('x', None),
])
def test_juju_version_tuple(text: str, parsed: tuple[int, int, int] | None) -> None:
    assert juju_version_tuple(text) == parsed


# -- with the real Context ----------------------------------------------------------------


def test_context_events_carry_what_the_checker_reads() -> None:
    from reactops.testing._consistency import _EventView
    from reactops.testing._events import CharmEvents

    db = Relation('db', remote_units_data={3: {}})
    view = _EventView(CharmEvents.relation_departed(db), 'demo')
    assert all(hasattr(view, f.name) for f in dataclasses.fields(Event))
    assert (view.name, view.remote_unit, view.departing_unit) == (
        'db_relation_departed', 'remote/3', 'remote/3')


def test_context_run_checks_and_its_factory_events_pass() -> None:
    from reactops.charm import CharmBase
    from reactops.testing import Context

    ctx = Context(CharmBase, meta=META.raw, actions=META.actions_raw, config=META.config_raw)
    db = Relation('db', remote_units_data={0: {}, 1: {}})
    peers = PeerRelation('cluster', peers_data={1: {}})
    data, secret = Storage('data', index=0), Secret({'a': 'b'}, owner='app')
    state = State(relations=[db, peers], storages=[data], secrets=[secret], leader=True)
    for event in (ctx.on.relation_joined(db), ctx.on.relation_changed(db, remote_unit=None),
                  ctx.on.relation_departed(db, remote_unit=1), ctx.on.relation_broken(db),
                  ctx.on.relation_changed(peers), ctx.on.storage_detaching(data),
                  ctx.on.secret_rotate(secret), ctx.on.secret_remove(secret, revision=1),
                  ctx.on.action('backup', params={'target': 'x'})):
        assert problems(state, event, app_name=ctx.app_name) == [], event
        ctx.run(event, state)
    with pytest.raises(InconsistentScenarioError, match="no config option 'nope'"):
        ctx.run(ctx.on.install(), State(config={'nope': 1}))
    with pytest.raises(InconsistentScenarioError, match="requires the parameter 'target'"):
        ctx.run(ctx.on.action('backup'), State())


def test_action_params_must_be_a_mapping() -> None:
    event = Event('action', action_name='open', action_params=['x'])  # type: ignore[arg-type]
    assert 'pass a dict' in only_problem(State(), event)
