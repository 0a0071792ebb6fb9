"""reactops.testing.Harness: tests written the ops way keep working, with ops' Harness's
semantics for ops charms; a charm with reactive handlers gets each event as ``main()``
runs it, and a charm error keeps nothing of its event."""

from __future__ import annotations

import importlib.util
import textwrap
import unittest
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml  # noqa: F401 - imported before any inner pytester run (see test_testing_plugin)

import reactops
import reactops.testing._harness  # noqa: F401  (pytester drops modules its inner runs import first)
from reactops.testing import ActionFailed, ActionOutput, Harness

pytest_plugins = ['pytester']

REPO = Path(__file__).resolve().parents[1]
TINYWEB = REPO / 'examples' / 'tinyweb'
MIXED = REPO / 'tests' / 'charms' / 'mixed'
# The plugin loads through its entry point once reactops is installed; else name it.
_INSTALLED = any(e.value == 'reactops.testing.plugin' for e in entry_points(group='pytest11'))
PLUGIN_ARGS = () if _INSTALLED else ('-p', 'reactops.testing.plugin')

META = """
    name: demo
    requires:
      db: {interface: pgsql}
    provides:
      web: {interface: http}
    peers:
      cluster: {interface: demo-peers}
    storage:
      data: {type: filesystem}
    resources:
      blob: {type: file, filename: blob.bin}
"""
CONFIG = """
    options:
      port: {type: int, default: 8080}
      name: {type: string}
      debug: {type: boolean, default: false}
"""
ACTIONS = """
    backup:
      params:
        target: {type: string}
        compress: {type: boolean, default: true}
      required: [target]
"""


class DemoCharm(reactops.CharmBase):
    """Records what it sees in stored state; reports through collect-status."""

    _stored = reactops.StoredState()

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        self._stored.set_default(seen=[], installed=False, db_host=None, departed={})
        on: Any = self.on  # the metadata's events are defined at run time
        for event in (on.install, on.start, on.leader_elected, on.leader_settings_changed,
                      on.update_status, on.cluster_relation_created, on.db_relation_created,
                      on.db_relation_joined, on.web_relation_joined):
            framework.observe(event, self._record)
        framework.observe(on.config_changed, self._on_config_changed)
        framework.observe(on.db_relation_changed, self._on_db_changed)
        framework.observe(on.db_relation_departed, self._on_db_departed)
        framework.observe(on.db_relation_broken, self._on_db_broken)
        framework.observe(on.data_storage_attached, self._on_storage)
        framework.observe(on.data_storage_detaching, self._on_storage)
        framework.observe(on.secret_changed, self._on_secret_changed)
        framework.observe(on.secret_rotate, self._on_secret_rotate)
        framework.observe(on.backup_action, self._on_backup)
        framework.observe(on.collect_unit_status, self._on_collect_status)

    def _record(self, event: reactops.EventBase) -> None:
        name = event.handle.kind
        unit = getattr(event, 'unit', None)
        self._stored.seen.append(f'{name}:{unit.name}' if unit is not None else name)
        if name == 'install':
            self._stored.installed = True
        if name == 'update_status' and self.config.get('name') == 'boom':
            self._stored.installed = False
            self.unit.status = reactops.BlockedStatus('about to fail')
            raise RuntimeError('boom')

    def _on_config_changed(self, event: reactops.ConfigChangedEvent) -> None:
        if not self._stored.installed:
            event.defer()
            return
        self._stored.seen.append('config_changed')
        self.unit.set_ports(int(self.config['port']))

    def _on_db_changed(self, event: reactops.RelationChangedEvent) -> None:
        self._stored.seen.append(f'db_relation_changed:{event.unit.name if event.unit else "app"}')
        if event.unit is not None:
            self._stored.db_host = event.relation.data[event.unit].get('host')
        if self.unit.is_leader():
            event.relation.data[self.app]['database'] = 'demo'

    def _on_db_departed(self, event: reactops.RelationDepartedEvent) -> None:
        assert event.departing_unit is not None
        self._stored.departed[event.departing_unit.name] = dict(
            event.relation.data[event.departing_unit])

    def _on_db_broken(self, event: reactops.RelationBrokenEvent) -> None:
        self._stored.seen.append(f'db_relation_broken:{len(self.model.relations["db"])}')
        self._stored.db_host = None

    def _on_storage(self, event: reactops.StorageEvent) -> None:
        self._stored.seen.append(f'{event.handle.kind}:{event.storage.full_id}')
        if event.handle.kind.endswith('attached'):
            (event.storage.location / 'marker').write_text('here')

    def _on_secret_changed(self, event: reactops.SecretChangedEvent) -> None:
        self._stored.seen.append(f'secret:{event.secret.get_content(refresh=True)["password"]}')

    def _on_secret_rotate(self, event: reactops.SecretRotateEvent) -> None:
        event.secret.set_content({'password': 'rotated'})

    def _on_backup(self, event: reactops.ActionEvent) -> None:
        event.log(f'backing up to {event.params["target"]}')
        if event.params['target'] == 'nowhere':
            event.fail('no such target')
            return
        event.set_results({'size': '42', 'target': event.params['target'],
                           'compressed': str(event.params['compress'])})

    def _on_collect_status(self, event: reactops.CollectStatusEvent) -> None:
        if self._stored.db_host:
            event.add_status(reactops.ActiveStatus(f'db at {self._stored.db_host}'))
        else:
            event.add_status(reactops.WaitingStatus('waiting for db'))

    # Called directly by tests, as ops tests often call charm methods.
    def write_remote_bag(self) -> None:
        relation = self.model.get_relation('db')
        relation.data[relation.app]['stolen'] = 'yes'


@pytest.fixture
def harness() -> Any:
    h: Harness[DemoCharm] = Harness(DemoCharm, meta=META, config=CONFIG, actions=ACTIONS)
    yield h
    h.cleanup()


def load_class(path: Path, name: str) -> Any:
    """A charm class from its source file (as a packed charm runs it)."""
    spec = importlib.util.spec_from_file_location(f'_harness_{path.parent.parent.name}', path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


# -- the ops way: lifecycle, relations, config, leadership -----------------------------------


def test_begin_with_initial_hooks_emits_the_start_sequence_in_ops_order(harness: Any) -> None:
    harness.add_relation('db', 'postgresql', unit_data={'host': 'pg.local'})
    harness.set_leader(True)
    harness.begin_with_initial_hooks()
    seen = list(harness.charm._stored.seen)
    assert seen == ['install', 'db_relation_created', 'cluster_relation_created',
                    'leader_elected', 'config_changed', 'start',
                    'db_relation_joined:postgresql/0', 'db_relation_changed:postgresql/0']
    assert harness.model.unit.status == reactops.UnknownStatus()  # install set none
    harness.evaluate_status()  # as in ops, statuses are collected on request
    assert harness.model.unit.status == reactops.ActiveStatus('db at pg.local')
    assert harness.model.get_relation('cluster') is not None  # the peer relation was added


def test_relation_data_in_and_out(harness: Any) -> None:
    harness.set_leader(True)
    harness.begin()
    relation_id = harness.add_relation('db', 'postgresql')
    harness.add_relation_unit(relation_id, 'postgresql/0')
    harness.update_relation_data(relation_id, 'postgresql/0', {'host': 'pg.local'})
    assert harness.charm._stored.db_host == 'pg.local'
    assert harness.get_relation_data(relation_id, harness.charm.app) == {'database': 'demo'}
    assert harness.get_relation_data(relation_id, 'postgresql/0') == {'host': 'pg.local'}

    seen = len(harness.charm._stored.seen)
    harness.update_relation_data(relation_id, 'demo/0', {'mine': 'x'})  # our bag: no event
    harness.update_relation_data(relation_id, 'postgresql/0', {'host': 'pg.local'})  # same
    assert len(harness.charm._stored.seen) == seen
    harness.update_relation_data(relation_id, 'postgresql', {'version': '16'})
    assert harness.charm._stored.seen[-1] == 'db_relation_changed:app'
    harness.update_relation_data(relation_id, 'postgresql/0', {'host': ''})  # '' deletes
    assert harness.get_relation_data(relation_id, 'postgresql/0') == {}


def test_a_departing_unit_is_still_readable_and_broken_leaves_the_relation_out(
        harness: Any) -> None:
    harness.begin()
    relation_id = harness.add_relation('db', 'postgresql', unit_data={'host': 'pg.local'})
    harness.remove_relation_unit(relation_id, 'postgresql/0')
    assert harness.charm._stored.departed == {'postgresql/0': {'host': 'pg.local'}}
    assert harness.model.get_relation('db', relation_id).units == set()
    harness.remove_relation(relation_id)
    assert harness.charm._stored.seen[-1] == 'db_relation_broken:0'
    assert harness.model.relations['db'] == []
    with pytest.raises(KeyError):  # as ops: the relation is gone
        harness.get_relation_data(relation_id, 'demo/0')


def test_relation_arguments_are_checked(harness: Any) -> None:
    with pytest.raises(reactops.RelationNotFoundError, match='not declared in metadata'):
        harness.add_relation('cache', 'redis')
    relation_id = harness.add_relation('db', 'postgresql')
    with pytest.warns(UserWarning, match='postgresql/<some-number>'):  # ops only warns
        harness.add_relation_unit(relation_id, 'mysql/0')
    assert harness.get_relation_data(relation_id, 'postgresql/3') is None  # as ops


def test_config_is_checked_like_juju_checks_it(harness: Any) -> None:
    harness.update_config({'port': 9000})  # before begin: no event
    harness.begin()
    harness.charm.on.install.emit()
    harness.update_config({'port': 9090, 'name': 'x'})
    assert harness.model.unit.opened_ports() == {reactops.Port('tcp', 9090)}
    assert harness.charm.config['name'] == 'x'
    harness.update_config(unset=['port', 'name'])
    assert dict(harness.charm.config) == {'port': 8080, 'debug': False}
    with pytest.raises(ValueError, match="unknown config option: 'colour'"):
        harness.update_config({'colour': 'red'})
    # As ops: a value of another type than the declared one is a RuntimeError.
    with pytest.raises(RuntimeError, match="'port' is of type int, not str"):
        harness.update_config({'port': '80'})
    with pytest.raises(RuntimeError, match="'debug' is of type boolean"):
        harness.update_config({'debug': 1})


def test_leader_elected_on_each_set_leader_true(harness: Any) -> None:
    harness.begin()
    harness.set_leader(True)
    harness.set_leader(True)  # as ops' Harness: again (Juju would not)
    harness.set_leader(False)
    assert harness.charm._stored.seen.count('leader_elected') == 2
    assert not harness.charm.unit.is_leader()


def test_planned_units_count_the_peers_unless_set(harness: Any) -> None:
    relation_id = harness.add_relation('cluster', 'demo')
    harness.add_relation_unit(relation_id, 'demo/1')
    harness.begin()
    assert harness.charm.app.planned_units() == 2
    harness.set_planned_units(5)
    assert harness.charm.app.planned_units() == 5
    harness.reset_planned_units()
    assert harness.charm.app.planned_units() == 2


def test_hooks_disabled_changes_the_model_quietly(harness: Any) -> None:
    harness.begin()
    with harness.hooks_disabled():
        harness.set_leader(True)
        harness.add_relation('db', 'postgresql', unit_data={'host': 'pg'})
    assert harness.charm._stored.seen == []
    assert harness.model.unit.is_leader()


# -- actions, statuses, storage, resources, networks, secrets -------------------------------


def test_run_action_returns_logs_and_results_as_juju_shows_them(harness: Any) -> None:
    harness.begin()
    output = harness.run_action('backup', {'target': 's3'})
    assert output == ActionOutput(['backing up to s3'],
                                  {'size': '42', 'target': 's3', 'compressed': 'True'})
    with pytest.raises(RuntimeError, match='parameter is required'):
        harness.run_action('backup')
    with pytest.raises(RuntimeError, match='no action'):
        harness.run_action('restore')


def test_a_failed_action_raises_with_its_output_and_the_state(harness: Any) -> None:
    harness.begin()
    with pytest.raises(ActionFailed) as caught:
        harness.run_action('backup', {'target': 'nowhere'})
    assert str(caught.value) == 'no such target'
    assert caught.value.output.logs == ['backing up to nowhere']
    assert caught.value.state is None  # as ops: the Harness's model holds the state
    assert harness.model.unit.status == reactops.MaintenanceStatus('')  # nothing collected


def test_storage_is_attached_by_the_initial_hooks_and_detached_on_request(
        harness: Any) -> None:
    (storage_id,) = harness.add_storage('data')
    harness.begin_with_initial_hooks()
    assert harness.charm._stored.seen[0] == f'data_storage_attached:{storage_id}'
    location = harness.model.storages['data'][0].location
    assert (location / 'marker').read_text() == 'here'
    (second,) = harness.add_storage('data', attach=True)
    assert harness.charm._stored.seen[-1] == f'data_storage_attached:{second}'
    harness.detach_storage(storage_id)
    assert harness.charm._stored.seen[-1] == f'data_storage_detaching:{storage_id}'
    assert [s.full_id for s in harness.model.storages['data']] == [second]
    harness.remove_storage(second)
    assert harness.model.storages['data'] == []
    with pytest.raises(RuntimeError, match="'logs' is not specified as a storage key"):
        harness.add_storage('logs')


def test_resources_and_networks(harness: Any) -> None:
    harness.add_resource('blob', b'\x00data')
    harness.add_network('10.9.8.7', endpoint='web')
    relation_id = harness.add_relation('db', 'postgresql')
    harness.begin()
    assert harness.model.resources.fetch('blob').read_bytes() == b'\x00data'
    assert str(harness.model.get_binding('web').network.bind_address) == '10.9.8.7'
    relation = harness.model.get_relation('db', relation_id)
    assert str(harness.model.get_binding(relation).network.bind_address) == '10.0.0.10'
    harness.add_network('10.1.1.1')  # every binding without a network of its own
    assert str(harness.model.get_binding('db').network.bind_address) == '192.0.2.0'
    assert str(harness.model.get_binding('cluster').network.bind_address) == '10.1.1.1'


def test_a_secret_of_another_app_is_seen_once_granted(harness: Any) -> None:
    harness.begin()
    secret_id = harness.add_model_secret('postgresql', {'password': 'one'})
    with pytest.raises(reactops.SecretNotFoundError):
        harness.model.get_secret(id=secret_id)
    with pytest.raises(RuntimeError, match='no relation between'):
        harness.grant_secret(secret_id, 'demo')
    harness.add_relation('db', 'postgresql')
    harness.grant_secret(secret_id, 'demo')
    assert harness.model.get_secret(id=secret_id).get_content() == {'password': 'one'}
    harness.set_secret_content(secret_id, {'password': 'two'})
    assert harness.charm._stored.seen[-1] == 'secret:two'
    assert harness.get_secret_revisions(secret_id) == [1, 2]
    with pytest.raises(RuntimeError, match='must own secret'):  # the charm's set_content
        harness.trigger_secret_rotation(secret_id)
    harness.revoke_secret(secret_id, 'demo')
    with pytest.raises(reactops.SecretNotFoundError):
        harness.model.get_secret(id=secret_id)
    user_secret = harness.add_user_secret({'password': 'operator'})
    harness.grant_secret(user_secret, 'demo')  # juju grant-secret: no relation needed
    assert harness.model.get_secret(id=user_secret).get_content() == {'password': 'operator'}


def test_secrets_the_charm_owns(harness: Any) -> None:
    harness.set_leader(True)
    harness.begin()
    relation_id = harness.add_relation('db', 'postgresql')
    secret = harness.charm.app.add_secret({'password': 'first'})  # charm code, between events
    secret.grant(harness.model.get_relation('db', relation_id))
    assert harness.get_secret_grants(secret.id, relation_id) == {'postgresql'}
    harness.trigger_secret_rotation(secret.id)
    assert harness.model.get_secret(id=secret.id).peek_content() == {'password': 'rotated'}
    with pytest.raises(RuntimeError, match='owned by the charm under test'):
        harness.set_secret_content(secret.id, {'password': 'x'})


# -- ops' Harness semantics, and what reactops adds --------------------------------------------


def test_statuses_are_collected_on_request(harness: Any) -> None:
    harness.begin()
    harness.charm.on.install.emit()  # as ops' Harness: no collect-status after an event
    assert harness.model.unit.status == reactops.MaintenanceStatus('')
    harness.evaluate_status()
    assert harness.model.unit.status == reactops.WaitingStatus('waiting for db')


def test_a_deferred_event_waits_for_reemit(harness: Any) -> None:
    harness.begin()
    harness.update_config({'port': 9000})  # not installed yet: deferred
    assert 'config_changed' not in harness.charm._stored.seen
    harness.charm.on.install.emit()  # as ops' Harness: deferred events are not re-run
    assert harness.charm._stored.seen == ['install']
    harness.framework.reemit()
    assert harness.charm._stored.seen == ['install', 'config_changed']
    assert harness.model.unit.opened_ports() == {reactops.Port('tcp', 9000)}


def test_every_event_commits_the_state_store(harness: Any) -> None:
    harness.begin()
    harness.update_config({'port': 9000})
    store = harness.framework._storage  # what the next dispatch of the unit would load
    assert [observer for _, _, observer in store.notices()] == ['_on_config_changed']
    harness.charm.on.install.emit()
    assert store.load_snapshot('DemoCharm/StoredStateData[_stored]')['installed'] is True


def test_a_charm_error_keeps_nothing_of_its_event(harness: Any) -> None:
    harness.add_relation('db', 'postgresql', unit_data={'host': 'pg.local'})
    harness.begin_with_initial_hooks()
    status = harness.model.unit.status
    harness.update_config({'name': 'boom'})
    with pytest.raises(RuntimeError, match='boom'):  # the charm's own exception
        harness.charm.on.update_status.emit()
    assert harness.charm._stored.installed is True  # set to False by the failed event
    assert 'update_status' not in harness.charm._stored.seen
    assert harness.model.unit.status == status
    harness.update_config({'name': 'fine'})  # the harness goes on
    harness.charm.on.update_status.emit()
    assert harness.charm._stored.seen[-1] == 'update_status'


def test_access_rules_hold_in_an_event_context(harness: Any) -> None:
    harness.begin()
    relation_id = harness.add_relation('db', 'postgresql', unit_data={'host': 'pg'})
    harness.charm.write_remote_bag()  # as ops: outside events the rules are not checked
    relation = harness.model.get_relation('db', relation_id)
    with harness._event_context('db_relation_changed'):
        with pytest.raises(reactops.RelationDataAccessError, match='remote application'):
            harness.charm.write_remote_bag()
        with pytest.raises(reactops.RelationDataAccessError, match='only the leader'):
            relation.data[harness.charm.app]['x'] = 'y'
    # The harness stands for Juju: its own methods bypass the rules.
    harness.update_relation_data(relation_id, 'demo', {'set-by': 'juju'})
    assert harness.get_relation_data(relation_id, 'demo')['set-by'] == 'juju'


def test_a_non_leader_reading_its_app_bag_fails_in_an_event(harness: Any) -> None:
    class Reader(DemoCharm):
        def _on_db_changed(self, event: reactops.RelationChangedEvent) -> None:
            dict(event.relation.data[self.app])

    h = Harness(Reader, meta=META, config=CONFIG, actions=ACTIONS)
    h.begin()
    relation_id = h.add_relation('db', 'postgresql')
    with pytest.raises(reactops.RelationDataAccessError, match='only the leader may read'):
        h.update_relation_data(relation_id, 'postgresql', {'a': 'b'})
    h.cleanup()


def test_begin_and_charm_are_checked() -> None:
    harness = Harness(DemoCharm, meta=META, actions=ACTIONS)
    with pytest.raises(RuntimeError, match='call harness.begin'):
        harness.charm  # noqa: B018
    harness.begin()
    with pytest.raises(RuntimeError, match='more than once'):
        harness.begin()
    harness.cleanup()
    with pytest.raises(TypeError, match='CharmBase subclass'):
        Harness(object)  # type: ignore[type-var]


def test_metadata_falls_back_to_test_charm_and_the_model_can_be_named() -> None:
    class Bare(reactops.CharmBase):
        pass

    with Harness(Bare) as harness:
        harness.set_model_info(name='prod', uuid='11111111-2222-4333-8444-555555555555')
        assert harness.model.unit.name == 'test-charm/0'
        assert harness.model.name == 'prod'
        harness.begin()
        with pytest.raises(RuntimeError, match='after begin'):
            harness.set_model_name('staging')


class PortedTest(unittest.TestCase):
    """An ops unittest, as written for ops' Harness, with only the imports changed."""

    def setUp(self) -> None:
        self.harness = Harness(DemoCharm, meta=META, config=CONFIG, actions=ACTIONS)
        self.addCleanup(self.harness.cleanup)
        self.harness.begin()

    def test_db_host_becomes_the_status(self) -> None:
        self.harness.set_leader(True)
        relation_id = self.harness.add_relation('db', 'postgresql')
        self.harness.add_relation_unit(relation_id, 'postgresql/0')
        self.harness.update_relation_data(relation_id, 'postgresql/0', {'host': 'pg'})
        self.harness.evaluate_status()
        self.assertEqual(self.harness.model.unit.status, reactops.ActiveStatus('db at pg'))


# -- real charms: tinyweb and the mixed charm --------------------------------------------------


@pytest.fixture
def tinyweb() -> Any:
    harness = Harness(load_class(TINYWEB / 'src' / 'charm.py', 'TinyWebCharm'))
    yield harness
    harness.cleanup()


def test_tinyweb_the_ops_way(tinyweb: Any) -> None:
    assert tinyweb.model.unit.name == 'tinyweb/0'  # charmcraft.yaml found above src/
    relation_id = tinyweb.add_relation('website', 'browser')
    tinyweb.add_relation_unit(relation_id, 'browser/0')
    tinyweb.set_leader(True)
    tinyweb.begin_with_initial_hooks()
    tinyweb.evaluate_status()
    assert tinyweb.model.unit.status == reactops.ActiveStatus('serving on :8080')
    assert tinyweb.get_workload_version() == '1.0'
    assert tinyweb.get_relation_data(relation_id, 'tinyweb/0') == {
        'hostname': '10.0.0.10', 'port': '8080'}
    assert tinyweb.get_relation_data(relation_id, 'tinyweb') == {'greeting': 'hello'}
    tinyweb.update_config({'port': 70000})
    tinyweb.evaluate_status()
    assert tinyweb.model.unit.status == reactops.BlockedStatus('invalid port 70000')
    output = tinyweb.run_action('restart', {'reason': 'new certificate'})
    assert str(output.results['restarts']) == '1'  # as the charm set it (ops keeps types)
    with pytest.raises(RuntimeError, match='refused to restart'):
        tinyweb.run_action('restart', {'reason': 'fail'})


def test_tinyweb_flags_without_handlers(tinyweb: Any) -> None:
    tinyweb.set_flag('tinyweb.seen', {'n': 1})
    tinyweb.begin_with_initial_hooks()
    assert tinyweb.handlers_run == []  # no handlers: the reactive layer only keeps the flags
    assert tinyweb.flags == {'tinyweb.seen': {'n': 1}}
    tinyweb.clear_flag('tinyweb.seen')
    assert tinyweb.flags == {}


@pytest.fixture
def mixed() -> Any:
    harness = Harness(load_class(MIXED / 'src' / 'charm.py', 'MixedCharm'))
    yield harness
    harness.cleanup()


def short(handler_ids: list[str]) -> list[str]:
    return [handler_id.rsplit(':', 1)[-1] for handler_id in handler_ids]


def test_mixed_charm_handlers_run_after_each_event(mixed: Any) -> None:
    mixed.begin()
    mixed.charm.on.install.emit()
    assert short(mixed.handlers_run) == ['MixedCharm.configure', 'note_config']
    assert mixed.flags == {'mixed.observed-install': None, 'mixed.configured': None,
                           'mixed.noted': None}
    assert mixed.model.unit.status == reactops.ActiveStatus(
        'observer:install,method:configure:fast,module:note_config')
    assert {'set': 'mixed.configured', 'by': mixed.handlers_run[0]} in mixed.reactive_trace
    mixed.update_config({'mode': 'slow'})
    assert short(mixed.handlers_run) == ['note_config']  # config.changed, once configured
    mixed.charm.on.update_status.emit()
    assert mixed.handlers_run == []


def test_mixed_charm_flags_in_and_out(mixed: Any) -> None:
    mixed.set_flag('mixed.observed-install')
    mixed.set_flag('mixed.configured')
    mixed.begin()
    mixed.set_leader(True)
    # Leadership and the first look at the config (the order of the two depends on which
    # was decorated first in this process).
    assert sorted(short(mixed.handlers_run)) == ['MixedCharm.lead', 'note_config']
    assert 'leadership.is_leader' in mixed.flags
    output = mixed.run_action('ping')  # actions run no handlers
    assert output.results == {'answer': 'pong'} and mixed.handlers_run == []
    assert 'mixed.pinged' in mixed.flags  # set by the observer, kept by the commit
    mixed.charm.on.collect_metrics.emit()  # a restricted hook: its own handlers only
    assert short(mixed.handlers_run) == ['metrics']
    assert 'mixed.metrics-saw-config' in mixed.flags


# -- the pytest plugin's fixture ---------------------------------------------------------------


def test_the_plugin_harness_fixture(pytester: pytest.Pytester) -> None:
    charm = pytester.path / 'demo'
    (charm / 'src').mkdir(parents=True)
    (charm / 'tests').mkdir()
    (charm / 'charmcraft.yaml').write_text(textwrap.dedent("""
        name: demo
        type: charm
        config: {options: {port: {type: int, default: 80}}}
    """))
    (charm / 'src' / 'charm.py').write_text(textwrap.dedent("""
        import reactops

        class DemoCharm(reactops.CharmBase):
            def __init__(self, framework):
                super().__init__(framework)
                framework.observe(self.on.config_changed, self._on_config_changed)

            def _on_config_changed(self, event):
                self.unit.status = reactops.ActiveStatus(f'port {self.config["port"]}')
    """))
    (charm / 'tests' / 'test_demo.py').write_text(textwrap.dedent("""
        import reactops

        def test_it(harness):
            harness.begin_with_initial_hooks()
            assert harness.model.unit.status == reactops.ActiveStatus('port 80')
            harness.update_config({'port': 8080})
            assert harness.model.unit.status == reactops.ActiveStatus('port 8080')
    """))
    result = pytester.runpytest(*PLUGIN_ARGS, '-p', 'no:cacheprovider',
                                str(charm / 'tests' / 'test_demo.py'))
    result.assert_outcomes(passed=1)
