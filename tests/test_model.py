"""The model against fake hook tools: what each read sends, once per dispatch; config,
status, leadership, and finding relations, their units and remote apps."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from fakejuju import FakeJuju

from reactops._private.backend import ModelBackend
from reactops.errors import InvalidStatusError, ModelError, TooManyRelatedAppsError
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import (
    ActiveStatus,
    BlockedStatus,
    ErrorStatus,
    MaintenanceStatus,
    Model,
    StatusBase,
    UnknownStatus,
    WaitingStatus,
)

META = """
name: demo
requires:
  db: {interface: pgsql}
  cache: {interface: redis, limit: 1}
provides:
  website: {interface: http}
peers:
  cluster: {interface: demo-peers}
storage:
  data: {type: filesystem, multiple: {range: 0-}}
  logs: {type: filesystem}
resources:
  blob: {type: file, filename: blob.tar}
extra-bindings:
  admin:
"""
CONFIG = """
options:
  port: {type: int, default: 8080}
  name: {type: string}
  ratio: {type: float}
  debug: {type: boolean}
  password: {type: secret}
"""


def make_model(monkeypatch: pytest.MonkeyPatch, broken_relation_id: int | None = None,
               remote_unit_name: str | None = None, **env: str) -> Model:
    """A model for one dispatch of unit demo/0, with *env* added to its JUJU_* variables."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    backend = ModelBackend(JujuContext.from_environ())
    return Model(CharmMeta.from_yaml(META, config=CONFIG), backend,
                 broken_relation_id=broken_relation_id, remote_unit_name=remote_unit_name)


def tools(fake: FakeJuju) -> list[list[str]]:
    return fake.argvs()


# -- identity and environment ------------------------------------------------------------


def test_the_model_names_come_from_the_environment(fake_juju: FakeJuju,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    assert model.unit.name == 'demo/0'
    assert model.app.name == 'demo'
    assert model.unit.app is model.app
    assert model.name == 'test-model'
    assert model.uuid == fake_juju.state()['model_uuid']
    assert model.juju_version == '3.6.1'
    assert tools(fake_juju) == []  # building a model asks Juju nothing


def test_units_and_apps_are_one_object_per_name(fake_juju: FakeJuju,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    assert model.get_unit('demo/0') is model.unit
    assert model.get_unit('pg/1') is model.get_unit('pg/1')
    assert model.get_unit('pg/1').app is model.get_app('pg')
    assert repr(model.get_unit('pg/1')) == '<reactops.model.Unit pg/1>'


# -- config ------------------------------------------------------------------------------


def test_config_is_read_once_with_config_get(fake_juju: FakeJuju,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(config={'port': 80, 'name': 'x', 'ratio': 1, 'debug': True,
                             'password': 'secret:abc', 'extra': [1]})
    model = make_model(monkeypatch)
    assert model.config['port'] == 80
    assert dict(model.config) == {'port': 80, 'name': 'x', 'ratio': 1, 'debug': True,
                                  'password': 'secret:abc', 'extra': [1]}
    assert 'name' in model.config and len(model.config) == 6
    assert tools(fake_juju) == [['config-get', '--format=json']]


@pytest.mark.parametrize(('option', 'value', 'expected'), [
    ('port', '80', 'int'),
    ('port', True, 'int'),
    ('port', 1.5, 'int'),
    ('name', 5, 'string'),
    ('ratio', 'fast', 'float'),
    ('ratio', False, 'float'),
    ('debug', 'yes', 'boolean'),
    ('debug', 1, 'boolean'),
    ('password', 42, 'secret'),
])
def test_a_config_value_of_the_wrong_type_is_an_error_naming_it(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch, option: str, value: Any,
        expected: str) -> None:
    fake_juju.update(config={option: value})
    model = make_model(monkeypatch)
    with pytest.raises(ModelError) as caught:
        model.config.get(option)
    message = str(caught.value)
    assert repr(option) in message and f'declared as {expected}' in message
    assert 'config.yaml' in message
    # the value helps find the mistake, except a secret option's: that is never shown
    assert (repr(value) in message) is (expected != 'secret')


def test_a_float_option_takes_a_whole_number(fake_juju: FakeJuju,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(config={'ratio': 2})
    assert make_model(monkeypatch).config['ratio'] == 2


# -- status ------------------------------------------------------------------------------


def test_unit_status_is_read_once_and_setting_updates_it(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(status={'unit': {'status': 'blocked', 'message': 'need db'},
                             'app': {'status': 'unknown', 'message': ''}})
    model = make_model(monkeypatch)
    assert model.unit.status == BlockedStatus('need db')
    assert model.unit.status == BlockedStatus('need db')
    model.unit.status = ActiveStatus('ready')
    assert model.unit.status == ActiveStatus('ready')
    assert tools(fake_juju) == [
        ['status-get', '--include-data', '--format=json', '--application=false'],
        ['status-set', '--application=false', 'active', '--', 'ready'],
    ]
    assert fake_juju.state()['status']['unit']['status'] == 'active'


@pytest.mark.parametrize('value', [ErrorStatus('x'), UnknownStatus(), 'active', None])
def test_only_settable_statuses_can_be_set(fake_juju: FakeJuju,
                                           monkeypatch: pytest.MonkeyPatch,
                                           value: Any) -> None:
    fake_juju.update(leader=True)
    model = make_model(monkeypatch)
    with pytest.raises(InvalidStatusError):
        model.unit.status = value
    with pytest.raises(InvalidStatusError):
        model.app.status = value
    # As ops: a value that is no status is refused at once; a status only Juju may set
    # is refused after the leadership check (a follower gets RuntimeError for any status).
    is_status = not isinstance(value, str | None)
    assert tools(fake_juju) == ([['is-leader', '--format=json']] if is_status else [])


def test_remote_units_and_apps_read_unknown_and_cannot_be_set(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    assert model.get_unit('pg/0').status == UnknownStatus()
    assert model.get_app('pg').status == UnknownStatus()
    with pytest.raises(RuntimeError, match='pg/0'):
        model.get_unit('pg/0').status = ActiveStatus()
    with pytest.raises(RuntimeError, match='remote application'):
        model.get_app('pg').status = ActiveStatus()
    assert tools(fake_juju) == []


def test_app_status_needs_leadership_to_read_and_to_set(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(RuntimeError, match='not the leader'):
        _ = model.app.status
    with pytest.raises(RuntimeError, match='not the leader'):
        model.app.status = ActiveStatus()
    assert tools(fake_juju) == [['is-leader', '--format=json']]  # asked once (30 s lease)
    assert fake_juju.state()['status']['app']['status'] == 'unknown'


def test_the_leader_reads_and_sets_app_status(fake_juju: FakeJuju,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(leader=True, status={'unit': {'status': 'active'},
                                          'app': {'status': 'waiting', 'message': 'peers'}})
    model = make_model(monkeypatch)
    assert model.app.status == WaitingStatus('peers')
    model.app.status = MaintenanceStatus('upgrading')
    assert model.app.status == MaintenanceStatus('upgrading')
    assert tools(fake_juju) == [
        ['is-leader', '--format=json'],
        ['status-get', '--include-data', '--format=json', '--application=true'],
        ['status-set', '--application=true', 'maintenance', '--', 'upgrading'],
    ]


def test_statuses_compare_by_class_and_message() -> None:
    assert ActiveStatus('a') == ActiveStatus('a')
    assert ActiveStatus('a') != ActiveStatus('b')
    assert ActiveStatus('a') != BlockedStatus('a')
    assert StatusBase.from_name('blocked', 'm') == BlockedStatus('m')
    assert StatusBase.from_name('unknown', 'ignored') == UnknownStatus()
    assert repr(WaitingStatus('w')) == "WaitingStatus('w')"
    with pytest.raises(KeyError, match='terminated'):
        StatusBase.from_name('terminated', '')
    with pytest.raises(TypeError):
        StatusBase('x')


def test_status_priority_for_collect_status() -> None:
    statuses = [ActiveStatus(), WaitingStatus('w'), BlockedStatus('b1'),
                MaintenanceStatus(), BlockedStatus('b2')]
    assert StatusBase._get_highest_priority(statuses) == BlockedStatus('b1')
    assert StatusBase._get_highest_priority([UnknownStatus(), ActiveStatus()]) == \
        ActiveStatus()
    assert StatusBase._get_highest_priority([ErrorStatus('e'), *statuses]) == \
        ErrorStatus('e')


def test_a_custom_status_subclass_keeps_the_registry_intact() -> None:
    class Degraded(ActiveStatus):
        pass

    assert type(StatusBase.from_name('active', '')) is ActiveStatus
    with pytest.raises(TypeError, match='name'):
        type('Nameless', (StatusBase,), {})


# -- leadership --------------------------------------------------------------------------


def test_leadership_is_asked_at_most_every_30_seconds(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, 'monotonic', lambda: now[0])
    fake_juju.update(leader=True)
    model = make_model(monkeypatch)
    assert model.unit.is_leader()
    now[0] += 29.9
    fake_juju.update(leader=False)
    assert model.unit.is_leader()  # still inside the lease
    now[0] += 0.2
    assert not model.unit.is_leader()
    assert tools(fake_juju) == [['is-leader', '--format=json']] * 2


def test_only_our_unit_knows_its_leadership(fake_juju: FakeJuju,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuntimeError, match='demo/1'):
        make_model(monkeypatch).get_unit('demo/1').is_leader()


def test_planned_units_count_the_units_not_dying_every_time(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.update(goal_state={'units': {'demo/0': {'status': 'active'},
                                           'demo/1': {'status': 'waiting'},
                                           'demo/2': {'status': 'dying'}},
                                 'relations': {}})
    model = make_model(monkeypatch)
    assert model.app.planned_units() == 2
    assert model.app.planned_units() == 2
    assert tools(fake_juju) == [['goal-state', '--format=json']] * 2
    with pytest.raises(RuntimeError, match='pg'):
        model.get_app('pg').planned_units()


def test_workload_version_must_be_a_string(fake_juju: FakeJuju,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(TypeError, match='str'):
        model.unit.set_workload_version(3)  # type: ignore[arg-type]
    model.unit.set_workload_version('1.2.3')
    assert tools(fake_juju) == [['application-version-set', '--', '1.2.3']]


# -- relations: lookup -------------------------------------------------------------------


def test_relations_are_listed_once_per_endpoint(fake_juju: FakeJuju,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    fake_juju.add_relation('db', 4, 'mysql', ['mysql/0'])
    model = make_model(monkeypatch)
    assert [r.id for r in model.relations['db']] == [3, 4]
    assert model.relations['db'] is model.relations['db']
    assert model.relations['website'] == []
    assert set(model.relations) == {'db', 'cache', 'website', 'cluster'}
    assert tools(fake_juju) == [['relation-ids', 'db', '--format=json'],
                                ['relation-ids', 'website', '--format=json']]


def test_an_unknown_endpoint_is_a_key_error_naming_the_known_ones(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with pytest.raises(KeyError, match="'dbs'.*cache, cluster, db, website"):
        model.relations['dbs']
    with pytest.raises(KeyError):
        model.get_relation('dbs')
    assert tools(fake_juju) == []


def test_get_relation_without_an_id(fake_juju: FakeJuju,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    fake_juju.add_relation('db', 4, 'mysql', ['mysql/0'])
    fake_juju.add_relation('website', 7, 'haproxy', [])
    model = make_model(monkeypatch)
    assert model.get_relation('cache') is None
    website = model.get_relation('website')
    assert website is not None and website.id == 7
    assert model.get_relation('website') is website
    with pytest.raises(TooManyRelatedAppsError) as caught:
        model.get_relation('db')
    assert (caught.value.relation_name, caught.value.num_related) == ('db', 2)


def test_get_relation_with_an_id_finds_live_and_gone_relations(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    model = make_model(monkeypatch)
    live = model.get_relation('db', 3)
    assert live is model.relations['db'][0] and live.active
    gone = model.get_relation('db', 9)
    assert gone is not None and gone.id == 9 and not gone.active
    assert gone.units == set()  # no relation-list: it is known inactive
    assert model.get_relation('db', 9) is gone
    with pytest.raises(ModelError, match='int'):
        model.get_relation('db', '3')  # type: ignore[arg-type]
    assert tools(fake_juju) == [['relation-ids', 'db', '--format=json'],
                                ['relation-list', '--format=json', '-r', 'db:3']]


def test_the_broken_relation_is_left_out_but_can_still_be_named(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', [])
    fake_juju.add_relation('db', 4, 'mysql', ['mysql/0'])
    model = make_model(monkeypatch, broken_relation_id=3, JUJU_RELATION='db',
                       JUJU_RELATION_ID='db:3', JUJU_REMOTE_APP='pg')
    assert [r.id for r in model.relations['db']] == [4]
    assert model.get_relation('db').id == 4  # type: ignore[union-attr]
    broken = model.get_relation('db', 3)
    assert broken is not None and not broken.active
    assert broken.app is model.get_app('pg')  # from JUJU_REMOTE_APP, no tool run
    assert 'relation-list' not in [argv[0] for argv in tools(fake_juju)]


def test_a_relation_gone_from_juju_is_inactive_with_no_units(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    model = make_model(monkeypatch)
    relation = model.relations['db'][0]
    fake_juju.update(relations={})
    assert relation.units == set()
    assert not relation.active
    assert relation.app is None


def test_units_exclude_our_own_and_are_listed_once(fake_juju: FakeJuju,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('cluster', 1, 'demo', ['demo/0', 'demo/1', 'demo/2'], peer=True)
    model = make_model(monkeypatch)
    relation = model.relations['cluster'][0]
    assert relation.app is model.app  # peers: our app, no tool run
    assert relation.units == {model.get_unit('demo/1'), model.get_unit('demo/2')}
    assert relation.units == {model.get_unit('demo/1'), model.get_unit('demo/2')}
    assert tools(fake_juju) == [['relation-ids', 'cluster', '--format=json'],
                                ['relation-list', '--format=json', '-r', 'cluster:1']]


def test_remote_app_comes_from_a_unit_or_relation_list_app(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', [])
    fake_juju.add_relation('website', 5, 'haproxy', ['haproxy/0'])
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    assert db.app is model.get_app('pg')
    web = model.relations['website'][0]
    assert web.units == {model.get_unit('haproxy/0')}
    assert web.app is model.get_app('haproxy')
    assert [a for a in tools(fake_juju) if a[0] == 'relation-list'] == [
        ['relation-list', '--format=json', '-r', 'db:3', '--app'],
        ['relation-list', '--format=json', '-r', 'website:5'],
    ]


def test_the_event_relations_remote_app_needs_no_tool(fake_juju: FakeJuju,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', ['pg/0'])
    model = make_model(monkeypatch, JUJU_RELATION='db', JUJU_RELATION_ID='db:3',
                       JUJU_REMOTE_APP='pg', JUJU_REMOTE_UNIT='pg/0')
    relation = model.get_relation('db', 3)
    assert relation is not None and relation.app is model.get_app('pg')
    assert tools(fake_juju) == [['relation-ids', 'db', '--format=json']]


def test_remote_model_is_read_once(fake_juju: FakeJuju,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake_juju.add_relation('db', 3, 'pg', [])
    state = fake_juju.state()
    state['relations']['db:3']['model_uuid'] = 'remote-uuid'
    fake_juju.set_state(state)
    relation = make_model(monkeypatch).relations['db'][0]
    assert relation.remote_model.uuid == 'remote-uuid'
    assert relation.remote_model.uuid == 'remote-uuid'
    assert tools(fake_juju)[-1] == ['relation-model-get', '--format=json', '-r', 'db:3']
    assert len(fake_juju.argvs('relation-model-get')) == 1


# -- imports -----------------------------------------------------------------------------


def test_importing_the_model_stays_light() -> None:
    code = ('import sys, reactops.model; '
            'print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in '
            '{"yaml", "networkx", "blinker", "http", "ssl", "email", "urllib", '
            '"subprocess", "reactops"})))')
    # pathlib (used by editable installs' import hooks) loads urllib.parse: that one is fine.
    root = Path(__file__).resolve().parents[1]
    loaded = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            check=True, cwd=root).stdout.split()
    assert not [m for m in loaded if not m.startswith('reactops') and m != 'urllib.parse'
                and m != 'urllib']
    assert 'reactops._private.backend' not in loaded
    assert 'reactops._private.hooktools' not in loaded
