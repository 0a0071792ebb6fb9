"""Relation data against fake hook tools: Juju's rules for every bag, role and leadership;
one relation-get per bag; writes buffered and sent once per changed bag at commit."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fakejuju import FakeJuju
from hypothesis import given, settings
from hypothesis import strategies as st

from reactops._private.backend import ModelBackend
from reactops.errors import ModelError, RelationDataAccessError, RelationDataTypeError
from reactops.framework import Framework, Object
from reactops.jujucontext import JujuContext
from reactops.meta import CharmMeta
from reactops.model import Model

META = """
name: demo
requires:
  db: {interface: pgsql}
provides:
  website: {interface: http}
peers:
  cluster: {interface: demo-peers}
"""


def make_model(monkeypatch: pytest.MonkeyPatch, remote_unit_name: str | None = None,
               **env: str) -> Model:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Model(CharmMeta.from_yaml(META), ModelBackend(JujuContext.from_environ()),
                 remote_unit_name=remote_unit_name)


@contextmanager
def event(model: Model, name: str = 'db_relation_changed') -> Iterator[None]:
    """Charm code runs for an event (the framework marks it so; Juju's rules apply)."""
    model._backend._hook_is_running = name
    try:
        yield
    finally:
        model._backend._hook_is_running = ''


@pytest.fixture
def related(fake_juju: FakeJuju) -> FakeJuju:
    """demo/0 related to pg (db:3, units pg/0 and pg/1) and to its peer demo/1."""
    fake_juju.add_relation('db', 3, 'pg', ['pg/0', 'pg/1'], data={
        'pg/0': {'host': '10.0.0.7'}, 'pg/1': {'host': '10.0.0.8'},
        'pg': {'database': 'app'}, 'demo/0': {'mine': 'yes', 'old': 'x'},
        'demo': {'shared': 'app-level'}})
    fake_juju.add_relation('cluster', 1, 'demo', ['demo/1'], peer=True, data={
        'demo': {'members': '2'}, 'demo/1': {'ip': '10.0.0.11'}})
    return fake_juju


def sets(fake: FakeJuju) -> list[tuple[list[str], dict[str, str]]]:
    return [(c['argv'], json.loads(c['stdin'])) for c in fake.calls()
            if c['tool'] == 'relation-set']


def data_in_juju(fake: FakeJuju, relation: str, member: str) -> dict[str, str]:
    result: dict[str, str] = fake.state()['relations'][relation]['data'].get(member, {})
    return result


# -- reading -----------------------------------------------------------------------------


def test_each_bag_is_read_once_with_relation_get(related: FakeJuju,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    pg0, pg = model.get_unit('pg/0'), model.get_app('pg')
    with event(model):
        assert db.data[pg0]['host'] == '10.0.0.7'
        assert dict(db.data[pg0]) == {'host': '10.0.0.7'}
        assert 'host' in db.data[pg0] and len(db.data[pg0]) == 1
        assert db.data[pg]['database'] == 'app'
        assert db.data[pg]['database'] == 'app'
    assert related.argvs('relation-get') == [
        ['relation-get', '--format=json', '-r', 'db:3', '-', 'pg/0'],
        ['relation-get', '--format=json', '-r', 'db:3', '--app', '-', 'pg'],
    ]


def test_relation_data_holds_our_bags_the_units_and_the_remote_app(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    assert list(db.data) == [model.unit, model.app, model.get_unit('pg/0'),
                             model.get_unit('pg/1'), model.get_app('pg')]
    assert model.get_unit('mysql/0') not in db.data
    with pytest.raises(KeyError, match='mysql/0'):
        db.data[model.get_unit('mysql/0')]
    assert db.data[model.unit] is db.data[model.unit]


def test_our_own_bags_need_no_relation_list(related: FakeJuju,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with event(model):
        model.relations['db'][0].data[model.unit]['k'] = 'v'
    assert [argv[0] for argv in related.argvs()] == ['relation-ids']


def test_a_bag_of_a_gone_relation_reads_empty(related: FakeJuju,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    related.update(relations={})
    with event(model):
        assert dict(db.data[model.unit]) == {}


@pytest.mark.parametrize('leader', [True, False])
def test_every_unit_reads_unit_bags_and_the_remote_app_bag(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch, leader: bool) -> None:
    related.update(leader=leader)
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    with event(model):
        assert db.data[model.get_unit('pg/1')]['host'] == '10.0.0.8'
        assert db.data[model.get_app('pg')]['database'] == 'app'
        assert db.data[model.unit]['mine'] == 'yes'
    assert related.argvs('is-leader') == []  # no leadership question for these


def test_a_non_leader_cannot_read_its_own_app_bag(related: FakeJuju,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.app]
    with event(model), pytest.raises(RelationDataAccessError) as caught:
        bag['shared']
    message = str(caught.value)
    assert 'demo/0' in message and 'application demo' in message and 'db:3' in message
    assert 'leader' in message
    with event(model):
        assert repr(bag) == '<n/a>'
    assert related.argvs('relation-get') == []


def test_the_leader_reads_its_own_app_bag(related: FakeJuju,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    related.update(leader=True)
    model = make_model(monkeypatch)
    with event(model):
        assert model.relations['db'][0].data[model.app]['shared'] == 'app-level'


def test_every_peer_reads_the_peer_app_bag(related: FakeJuju,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    cluster = model.relations['cluster'][0]
    with event(model, 'cluster_relation_changed'):
        assert cluster.data[model.app]['members'] == '2'
        assert cluster.data[model.get_unit('demo/1')]['ip'] == '10.0.0.11'


def test_a_bag_read_as_leader_is_unreadable_once_leadership_is_lost(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(time, 'monotonic', lambda: now[0])
    related.update(leader=True)
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.app]
    with event(model):
        assert bag['shared'] == 'app-level'
        related.update(leader=False)
        now[0] += 31
        for read in (lambda: bag['shared'], lambda: 'shared' in bag, lambda: list(bag),
                     lambda: len(bag)):
            with pytest.raises(RelationDataAccessError):
                read()


def test_rules_are_not_checked_outside_events(related: FakeJuju,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    db.data[model.get_unit('pg/0')]['x'] = 'y'  # test code may arrange any bag
    with pytest.raises(ModelError, match='permission denied'):
        db.data[model.app]['shared']  # no check here, but Juju itself refuses


# -- writing: who may ----------------------------------------------------------------------


def test_a_unit_writes_its_own_bag(related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with event(model):
        model.relations['db'][0].data[model.unit]['port'] = '5432'
    model._on_commit()
    assert sets(related) == [(['relation-set', '-r', 'db:3', '--file', '-'],
                              {'port': '5432'})]
    assert data_in_juju(related, 'db:3', 'demo/0')['port'] == '5432'


@pytest.mark.parametrize('endpoint', ['db', 'cluster'])
def test_the_leader_writes_its_apps_bag(related: FakeJuju, monkeypatch: pytest.MonkeyPatch,
                                        endpoint: str) -> None:
    related.update(leader=True)
    model = make_model(monkeypatch)
    relation = model.relations[endpoint][0]
    with event(model):
        relation.data[model.app].update({'url': 'http://x'}, version='2')
    model._on_commit()
    assert sets(related) == [(['relation-set', '-r', f'{endpoint}:{relation.id}', '--app',
                               '--file', '-'], {'url': 'http://x', 'version': '2'})]


@pytest.mark.parametrize('endpoint', ['db', 'cluster'])
def test_a_non_leader_cannot_write_its_apps_bag(related: FakeJuju,
                                                monkeypatch: pytest.MonkeyPatch,
                                                endpoint: str) -> None:
    model = make_model(monkeypatch)
    relation = model.relations[endpoint][0]
    with event(model), pytest.raises(RelationDataAccessError) as caught:
        relation.data[model.app]['url'] = 'http://x'
    message = str(caught.value)
    assert 'application demo' in message and 'only the leader' in message
    model._on_commit()
    assert sets(related) == []


@pytest.mark.parametrize('leader', [True, False])
def test_nobody_writes_a_remote_bag(related: FakeJuju, monkeypatch: pytest.MonkeyPatch,
                                    leader: bool) -> None:
    related.update(leader=leader)
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    cluster = model.relations['cluster'][0]
    with event(model):
        with pytest.raises(RelationDataAccessError, match='unit pg/0.*own bag'):
            db.data[model.get_unit('pg/0')]['x'] = 'y'
        with pytest.raises(RelationDataAccessError, match='application pg.*remote'):
            db.data[model.get_app('pg')]['x'] = 'y'
        with pytest.raises(RelationDataAccessError, match='unit demo/1'):
            del cluster.data[model.get_unit('demo/1')]['ip']
    model._on_commit()
    assert sets(related) == []


@pytest.mark.parametrize(('key', 'value'), [('n', 1), ('b', True), ('none', None),
                                            (1, 'v'), ('d', {'a': 'b'})])
def test_keys_and_values_must_be_strings_even_outside_events(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch, key: object,
        value: object) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.unit]
    with pytest.raises(RelationDataTypeError, match='must be str.*json.dumps'):
        bag[key] = value  # type: ignore[index,assignment]
    with event(model), pytest.raises(RelationDataTypeError):
        bag.update({'fine': 'x', key: value})  # type: ignore[arg-type]
    model._on_commit()
    assert sets(related) == []


# -- writing: buffered until commit ----------------------------------------------------


def test_writes_wait_for_commit_and_are_lost_without_it(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.unit]
    with event(model):
        bag['a'] = '1'
        assert bag['a'] == '1'  # the charm sees its write at once
    assert sets(related) == []
    assert 'a' not in data_in_juju(related, 'db:3', 'demo/0')


def test_one_relation_set_per_bag_with_only_the_changed_keys(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    related.update(leader=True)
    model = make_model(monkeypatch)
    db, cluster = model.relations['db'][0], model.relations['cluster'][0]
    with event(model):
        unit_bag = db.data[model.unit]
        assert unit_bag['mine'] == 'yes'
        unit_bag['mine'] = 'yes'  # the value Juju has: nothing to send
        unit_bag['a'] = '1'
        cluster.data[model.unit]['ip'] = '10.0.0.10'
        unit_bag['a'] = '2'
        unit_bag.update(b='3', old='')
        db.data[model.app]['url'] = 'u'
    model._on_commit()
    assert sets(related) == [
        (['relation-set', '-r', 'db:3', '--file', '-'], {'a': '2', 'b': '3', 'old': ''}),
        (['relation-set', '-r', 'cluster:1', '--file', '-'], {'ip': '10.0.0.10'}),
        (['relation-set', '-r', 'db:3', '--app', '--file', '-'], {'url': 'u'}),
    ]
    assert data_in_juju(related, 'db:3', 'demo/0') == {'mine': 'yes', 'a': '2', 'b': '3'}


def test_nothing_is_sent_when_nothing_changed(related: FakeJuju,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.unit]
    with event(model):
        assert bag['mine'] == 'yes'
        bag['mine'] = 'changed'
        bag['mine'] = 'yes'  # back to what Juju has
        bag['new'] = 'x'
        del bag['new']
        del bag['never-there']
    model._on_commit()
    model._on_commit()
    assert sets(related) == []


def test_a_write_to_an_unread_bag_needs_no_relation_get(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.unit]
    with event(model):
        bag['a'] = '1'
        del bag['gone']  # unread: Juju may have it, so the deletion is sent
    assert related.argvs('relation-get') == []
    model._on_commit()
    assert related.argvs('relation-get') == []
    assert sets(related) == [(['relation-set', '-r', 'db:3', '--file', '-'],
                              {'a': '1', 'gone': ''})]


def test_reading_after_an_unread_write_shows_the_write_over_juju_data(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.unit]
    with event(model):
        bag['mine'] = 'no'
        del bag['old']
        bag['mine'] = 'yes'
        assert dict(bag) == {'mine': 'yes'}
    model._on_commit()
    assert sets(related) == [(['relation-set', '-r', 'db:3', '--file', '-'], {'old': ''})]


def test_after_commit_writes_go_out_at_once(related: FakeJuju,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    bag = model.relations['db'][0].data[model.unit]
    model._on_commit()
    with event(model, 'commit'):
        bag['late'] = '1'
    assert sets(related) == [(['relation-set', '-r', 'db:3', '--file', '-'], {'late': '1'})]


def test_a_failed_relation_set_fails_the_commit(related: FakeJuju,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    with event(model):
        model.relations['db'][0].data[model.unit]['a'] = '1'
    related.fail('relation-set', stderr='ERROR boom')
    with pytest.raises(ModelError, match='boom'):
        model._on_commit()


def test_juju_refuses_at_commit_what_tests_wrote_outside_events(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    model.relations['db'][0].data[model.app]['x'] = 'y'  # not checked outside events
    with pytest.raises(ModelError, match='cannot write relation settings'):
        model._on_commit()


def test_writes_to_a_relation_gone_by_commit_are_dropped_with_a_warning(
        related: FakeJuju, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    model = make_model(monkeypatch)
    with event(model):
        model.relations['db'][0].data[model.unit]['a'] = '1'
        model.relations['cluster'][0].data[model.unit]['b'] = '2'
    state = related.state()
    del state['relations']['db:3']
    related.set_state(state)
    with caplog.at_level(logging.WARNING, logger='reactops.model'):
        model._on_commit()
    assert 'db:3 is gone' in caplog.text
    assert data_in_juju(related, 'cluster:1', 'demo/0') == {'b': '2'}


def test_the_framework_commit_sends_the_writes(related: FakeJuju,
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    model = make_model(monkeypatch)
    framework = Framework(tmp_path / 'state.db', tmp_path, None, model)
    seen: list[str] = []

    class Writer(Object):
        def __init__(self, parent: Framework):
            super().__init__(parent, 'writer')
            parent.observe(parent.on.commit, self._on_commit)

        def _on_commit(self, _: object) -> None:
            seen.append(model._backend._hook_is_running)
            with pytest.raises(RelationDataAccessError):
                model.relations['db'][0].data[model.get_unit('pg/0')]['x'] = 'y'
            model.relations['db'][0].data[model.unit]['written'] = 'in-commit'

    writer = Writer(framework)
    framework.commit()
    framework.close()
    assert seen == ['commit'] and writer
    assert sets(related) == [(['relation-set', '-r', 'db:3', '--file', '-'],
                              {'written': 'in-commit'})]


# -- departing units ---------------------------------------------------------------------


def test_the_departing_unit_keeps_a_readable_bag(related: FakeJuju,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    state = related.state()
    state['relations']['db:3']['units'] = ['pg/0']
    state['relations']['db:3']['data']['pg/1'] = {'host': '10.0.0.8', 'bye': 'now'}
    related.set_state(state)
    model = make_model(monkeypatch, remote_unit_name='pg/1', JUJU_RELATION='db',
                       JUJU_RELATION_ID='db:3', JUJU_REMOTE_UNIT='pg/1',
                       JUJU_REMOTE_APP='pg', JUJU_DEPARTING_UNIT='pg/1')
    db = model.relations['db'][0]
    departing = model.get_unit('pg/1')
    assert departing not in db.units
    assert departing in db.data and departing in list(db.data)
    with event(model, 'db_relation_departed'):
        assert db.data[departing]['bye'] == 'now'
    assert model.relations['cluster'][0].data.get(departing) is None


# -- typed bags ----------------------------------------------------------------------------


@dataclasses.dataclass
class DbInfo:
    host: str
    port: int = 5432
    user_name: str = dataclasses.field(default='', metadata={'alias': 'user-name'})


class Plain:
    url: str
    replicas: int

    def __init__(self, url: str = '', replicas: int = 0, **extra: object):
        self.url = url
        self.replicas = replicas
        self.extra = extra


def test_save_and_load_a_dataclass_with_aliases(related: FakeJuju,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    with event(model):
        db.save(DbInfo('h', 1, 'bob'), model.unit)
        assert db.data[model.unit]['user-name'] == '"bob"'
        loaded = db.load(DbInfo, model.unit)
    assert loaded == DbInfo('h', 1, 'bob')
    model._on_commit()
    assert sets(related)[0][1] == {'host': '"h"', 'port': '1', 'user-name': '"bob"'}


def test_save_and_load_a_plain_class(related: FakeJuju,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    model = make_model(monkeypatch)
    db = model.relations['db'][0]
    with event(model):
        db.save(Plain('http://x', 3), model.unit, encoder=str)
        loaded = db.load(Plain, model.unit, decoder=lambda v: v)
    assert (loaded.url, loaded.replicas) == ('http://x', '3')  # type: ignore[comparison-overlap]
    assert loaded.extra == {'mine': 'yes', 'old': 'x'}
    with event(model), pytest.raises(RelationDataTypeError):
        db.save(Plain('u', 1), model.unit, encoder=lambda v: v)


# -- buffering, for any sequence -----------------------------------------------------------

_KEYS = st.sampled_from(['a', 'b', 'c'])
_STEPS = st.lists(st.tuples(st.sampled_from(['set', 'del', 'read']), _KEYS,
                            st.sampled_from(['', 'x', 'y'])), max_size=8)


@settings(max_examples=25, deadline=None)
@given(initial=st.dictionaries(_KEYS, st.sampled_from(['x', 'y']), max_size=3), steps=_STEPS)
def test_buffered_writes_end_where_immediate_writes_would(
        tmp_path_factory: pytest.TempPathFactory, initial: dict[str, str],
        steps: list[tuple[str, str, str]]) -> None:
    fake = FakeJuju(tmp_path_factory.mktemp('fake'))
    fake.add_relation('db', 3, 'pg', ['pg/0'], data={'demo/0': initial})
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in fake.env().items():
            monkeypatch.setenv(name, value)
        model = make_model(monkeypatch)
        bag = model.relations['db'][0].data[model.unit]
        expected, written, read = dict(initial), set(), False
        with event(model):
            for action, key, value in steps:
                if action == 'read':
                    assert dict(bag) == expected
                    read = True
                    continue
                value = value if action == 'set' else ''
                if action == 'set':
                    bag[key] = value
                else:
                    del bag[key]
                written.add(key)
                if value:
                    expected[key] = value
                else:
                    expected.pop(key, None)
        model._on_commit()
    assert data_in_juju(fake, 'db:3', 'demo/0') == expected
    sent = [data for _, data in sets(fake)]
    final = {key: expected.get(key, '') for key in sorted(written)}
    if read:
        final = {key: value for key, value in final.items() if initial.get(key, '') != value}
    assert sent == ([final] if final else [])
