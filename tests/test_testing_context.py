"""reactops.testing.Context: one event on a fresh charm, State in and State out."""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

import pytest

import reactops
from reactops.errors import RelationDataAccessError, SecretNotFoundError
from reactops.framework import Object
from reactops.testing import (
    ActionFailed,
    Address,
    BindAddress,
    Context,
    ContextSetupError,
    DeferredEvent,
    InconsistentScenarioError,
    JujuLogLine,
    Model,
    Network,
    PeerRelation,
    Relation,
    Resource,
    Secret,
    State,
    Storage,
    StoredState,
    TCPPort,
    UncaughtCharmError,
)

META: dict[str, Any] = {
    'name': 'demo',
    'requires': {'db': {'interface': 'pgsql'}},
    'provides': {'web': {'interface': 'http'}},
    'peers': {'cluster': {'interface': 'demo-peers'}},
    'storage': {'data': {'type': 'filesystem'}},
    'resources': {'blob': {'type': 'file', 'filename': 'blob.bin'}},
}
CONFIG: dict[str, Any] = {'options': {
    'port': {'type': 'int', 'default': 8080},
    'name': {'type': 'string'},
    'debug': {'type': 'boolean', 'default': False},
}}
ACTIONS: dict[str, Any] = {'backup': {
    'params': {'target': {'type': 'string'}, 'compress': {'type': 'boolean', 'default': True}},
    'required': ['target'],
}}


def context(charm: type[reactops.CharmBase], **kwargs: Any) -> Context:
    return Context(charm, meta=META, actions=ACTIONS, config=CONFIG, **kwargs)


class Library(Object):
    """A charm library with stored state of its own."""

    _stored = reactops.StoredState()

    def __init__(self, charm: reactops.CharmBase):
        super().__init__(charm, 'lib')
        self._stored.set_default(calls=0)

    def touch(self) -> None:
        self._stored.calls += 1


class DemoCharm(reactops.CharmBase):
    """Observes most events and reports what it saw through status and stored state."""

    _stored = reactops.StoredState()
    instances: list[int] = []

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        DemoCharm.instances.append(id(self))
        self._stored.set_default(seen=[], ready=False)
        self.lib = Library(self)
        on = self.on
        for event in (on.install, on.start, on.config_changed, on.update_status,
                      on.leader_elected, on.upgrade_charm):
            framework.observe(event, self._on_simple)
        framework.observe(on.start, self._on_start)
        framework.observe(on.db_relation_changed, self._on_db_changed)
        framework.observe(on.db_relation_departed, self._on_db_departed)
        framework.observe(on.db_relation_broken, self._on_db_broken)
        framework.observe(on.cluster_relation_changed, self._on_cluster_changed)
        framework.observe(on.data_storage_attached, self._on_storage)
        framework.observe(on.backup_action, self._on_backup)
        framework.observe(on.collect_unit_status, self._on_collect_unit)
        framework.observe(on.collect_app_status, self._on_collect_app)

    def _on_simple(self, event: reactops.EventBase) -> None:
        self._stored.seen.append(event.handle.kind)
        self.lib.touch()

    def _on_start(self, event: reactops.StartEvent) -> None:
        if not self._stored.ready:
            event.defer()

    def _on_db_changed(self, event: reactops.RelationChangedEvent) -> None:
        relation = event.relation
        assert event.unit is not None
        remote = relation.data[event.unit].get('host', '?')
        app_user = relation.data[relation.app].get('user', '?')
        relation.data[self.unit]['seen'] = f'{remote}/{app_user}'
        if self.unit.is_leader():
            relation.data[self.app]['db-name'] = 'demo'

    def _on_db_departed(self, event: reactops.RelationDepartedEvent) -> None:
        departing = event.departing_unit
        self.unit.status = reactops.MaintenanceStatus(
            f'{departing.name if departing else None} left')

    def _on_db_broken(self, event: reactops.RelationBrokenEvent) -> None:
        live = [r.id for r in self.model.relations['db']]
        self.unit.status = reactops.BlockedStatus(f'broken {event.relation.id}; live {live}')

    def _on_cluster_changed(self, event: reactops.RelationChangedEvent) -> None:
        units = sorted(unit.name for unit in event.relation.units)
        self.unit.status = reactops.ActiveStatus(','.join(units))

    def _on_storage(self, event: reactops.StorageAttachedEvent) -> None:
        (event.storage.location / 'marker').write_text('here')
        self.model.storages.request('data', 2)
        self.unit.status = reactops.ActiveStatus(str(event.storage.location))

    def _on_backup(self, event: reactops.ActionEvent) -> None:
        event.log(f'backing up to {event.params["target"]}')
        self._stored.seen.append('backup')
        if event.params['target'] == 'nowhere':
            event.fail('no such target')
            return
        event.set_results({'done': True, 'where': {'target': event.params['target']},
                           'compress': event.params['compress']})

    def _on_collect_unit(self, event: reactops.CollectStatusEvent) -> None:
        if not self.unit.status.name == 'unknown':
            return  # a handler set one explicitly
        event.add_status(reactops.ActiveStatus(f'port {self.config["port"]}'))

    def _on_collect_app(self, event: reactops.CollectStatusEvent) -> None:
        event.add_status(reactops.ActiveStatus('app ok'))


@pytest.fixture
def ctx() -> Context:
    return context(DemoCharm)


def seen(state: State) -> list[str]:
    return list(state.get_stored_state('_stored', owner_path='DemoCharm').content['seen'])


# -- observers, statuses, stored state ---------------------------------------------------


def test_an_event_runs_its_observers_and_collect_status(ctx: Context) -> None:
    out = ctx.run(ctx.on.install(), State())
    assert seen(out) == ['install']
    assert out.unit_status == reactops.ActiveStatus('port 8080')
    assert out.app_status == reactops.UnknownStatus()  # not the leader: no app status


def test_the_leader_collects_the_app_status_too(ctx: Context) -> None:
    out = ctx.run(ctx.on.update_status(), State(leader=True))
    assert out.app_status == reactops.ActiveStatus('app ok')
    assert ctx.app_status_history == [reactops.UnknownStatus()]
    assert ctx.unit_status_history == [reactops.UnknownStatus()]


def test_stored_state_round_trips_for_the_charm_and_a_library(ctx: Context) -> None:
    state = State(stored_states=[
        StoredState(owner_path='DemoCharm', content={'seen': ['install'], 'ready': True}),
        StoredState(owner_path='DemoCharm/Library[lib]', content={'calls': 4}),
    ])
    out = ctx.run(ctx.on.config_changed(), state)
    assert seen(out) == ['install', 'config_changed']
    lib = out.get_stored_state('_stored', owner_path='DemoCharm/Library[lib]')
    assert lib.content == {'calls': 5}
    again = ctx.run(ctx.on.update_status(), out)
    assert seen(again) == ['install', 'config_changed', 'update_status']


def test_config_comes_with_the_metadata_defaults(ctx: Context) -> None:
    class ConfigCharm(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.config_changed, self._on_config)

        def _on_config(self, event: reactops.EventBase) -> None:
            self.unit.status = reactops.ActiveStatus(repr(sorted(self.config.items())))

    ctx = context(ConfigCharm)
    out = ctx.run(ctx.on.config_changed(), State(config={'port': 9000}))
    # 'name' has no default and is not set: absent, as in Juju.
    assert out.unit_status.message == "[('debug', False), ('port', 9000)]"


def test_leadership_comes_from_the_state() -> None:
    class LeaderCharm(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.update_status, self._on_update)

        def _on_update(self, event: reactops.EventBase) -> None:
            self.unit.status = reactops.ActiveStatus(f'leader={self.unit.is_leader()}')

    ctx = context(LeaderCharm)
    assert ctx.run(ctx.on.update_status(), State(leader=True)).unit_status.message == \
        'leader=True'
    assert ctx.run(ctx.on.update_status(), State()).unit_status.message == 'leader=False'


# -- deferral ------------------------------------------------------------------------------


def test_a_deferred_event_goes_out_in_the_state_and_comes_back_first(ctx: Context) -> None:
    out = ctx.run(ctx.on.start(), State())
    assert out.deferred == [DeferredEvent('DemoCharm/on/start[1]', 'DemoCharm', '_on_start')]
    # Still not ready: start is delivered again (before config-changed) and deferred again.
    out = ctx.run(ctx.on.config_changed(), out)
    assert len(out.deferred) == 1
    # The context's records add up over its runs; the start delivered again is not among
    # them (capture_deferred_events=True would add it).
    assert [e.handle.path for e in ctx.emitted_events] == [
        'DemoCharm/on/start[1]',
        'DemoCharm/on/config_changed[2]']  # new keys never reuse a deferred one's
    ready = out.replace(stored_states=[StoredState(owner_path='DemoCharm',
                                                   content={'seen': [], 'ready': True})])
    done = ctx.run(ctx.on.update_status(), ready)
    assert done.deferred == []


def test_event_deferred_builds_the_notice_a_charm_would_leave(ctx: Context) -> None:
    from_helper = ctx.on.start().deferred(DemoCharm._on_start)
    assert from_helper == ctx.run(ctx.on.start(), State()).deferred[0]
    db = Relation('db', remote_units_data={3: {}})
    notice = ctx.on.relation_changed(db).deferred(DemoCharm._on_db_changed, event_id=7)
    assert notice.handle_path == 'DemoCharm/on/db_relation_changed[7]'
    assert notice.snapshot_data == {'relation_name': 'db', 'relation_id': db.id,
                                    'app_name': 'remote', 'unit_name': 'remote/3'}
    with pytest.raises(ValueError, match='cannot construct DeferredEvent'):
        ctx.on.start().deferred(print)


def test_a_charm_defined_in_a_test_can_defer_too() -> None:
    class Local(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.start, self._on_start)

        def _on_start(self, event: reactops.EventBase) -> None:
            self.unit.status = reactops.ActiveStatus('started late')

    ctx = context(Local)
    notice = ctx.on.start().deferred(Local._on_start, event_id=2)
    assert (notice.handle_path, notice.owner) == ('Local/on/start[2]', 'Local')
    out = ctx.run(ctx.on.update_status(), State(deferred=(notice,)))
    assert out.deferred == [] and out.unit_status.message == 'started late'


def test_a_deferred_relation_event_is_delivered_with_its_relation(ctx: Context) -> None:
    db = Relation('db', remote_units_data={0: {'host': 'h0'}}, remote_app_data={'user': 'u'})
    notice = ctx.on.relation_changed(db).deferred(DemoCharm._on_db_changed, event_id=3)
    out = ctx.run(ctx.on.update_status(), State(relations=[db], deferred=(notice,)))
    assert out.deferred == []
    assert out.get_relation(db.id).local_unit_data['seen'] == 'h0/u'


# -- relations -----------------------------------------------------------------------------


def test_relation_data_goes_in_and_out(ctx: Context) -> None:
    db = Relation('db', remote_app_name='pg', remote_app_data={'user': 'admin'},
                  remote_units_data={0: {'host': 'h0'}, 1: {'host': 'h1'}})
    out = ctx.run(ctx.on.relation_changed(db, remote_unit=1), State(leader=True,
                                                                    relations=[db]))
    relation = out.get_relation(db.id)
    assert relation.local_unit_data['seen'] == 'h1/admin'
    assert relation.local_unit_data['ingress-address'] == '192.0.2.0'  # defaults kept
    assert relation.local_app_data == {'db-name': 'demo'}
    assert isinstance(relation, Relation) and relation.remote_app_data == {'user': 'admin'}
    assert 'seen' not in db.local_unit_data  # the input is untouched


def test_the_remote_unit_defaults_to_the_first_one(ctx: Context) -> None:
    db = Relation('db', remote_units_data={2: {'host': 'two'}, 5: {'host': 'five'}})
    event = ctx.on.relation_changed(db)
    assert event.relation_remote_unit_id is None  # the run picks the first unit
    out = ctx.run(event, State(relations=[db]))
    assert out.get_relation(db.id).local_unit_data['seen'] == 'two/?'
    out = ctx.run(ctx.on.relation_changed(db, remote_unit=5), State(relations=[db]))
    assert out.get_relation(db.id).local_unit_data['seen'] == 'five/?'


def test_a_non_leader_writing_the_app_bag_fails_the_hook(ctx: Context) -> None:
    class Greedy(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_created, self._on_created)

        def _on_created(self, event: reactops.RelationCreatedEvent) -> None:
            event.relation.data[self.app]['x'] = 'y'

    ctx = context(Greedy)
    db = Relation('db')
    with pytest.raises(UncaughtCharmError) as caught:
        ctx.run(ctx.on.relation_created(db), State(relations=[db]))
    assert isinstance(caught.value.__cause__, RelationDataAccessError)


def test_peers_are_listed_as_units_of_our_app(ctx: Context) -> None:
    peers = PeerRelation('cluster', peers_data={1: {}, 2: {}})
    ctx = context(DemoCharm, app_name='web', unit_id=0)
    out = ctx.run(ctx.on.relation_changed(peers), State(relations=[peers]))
    assert out.unit_status == reactops.ActiveStatus('web/1,web/2')


def test_departed_and_broken_relations(ctx: Context) -> None:
    db, other = Relation('db', remote_units_data={}), Relation('db')
    state = State(relations=[db, other])
    out = ctx.run(ctx.on.relation_departed(db, remote_unit=0), state)
    assert out.unit_status == reactops.MaintenanceStatus('remote/0 left')
    out = ctx.run(ctx.on.relation_broken(db), state)
    assert out.unit_status == reactops.BlockedStatus(f'broken {db.id}; live [{other.id}]')


# -- ports, storage, network, resources --------------------------------------------------


def test_ports_open_and_close() -> None:
    class PortCharm(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.config_changed, self._on_config)

        def _on_config(self, event: reactops.EventBase) -> None:
            self.unit.set_ports(int(self.config['port']))
            self.unit.open_port('icmp')

    ctx = context(PortCharm)
    out = ctx.run(ctx.on.config_changed(), State(opened_ports=[TCPPort(80)]))
    assert out.opened_ports == {TCPPort(8080), reactops.testing.ICMPPort()}


def test_storage_has_a_real_location_and_requests_are_recorded(ctx: Context) -> None:
    data = Storage('data', index=0)
    with ctx:
        out = ctx.run(ctx.on.storage_attached(data), State(storages=[data]))
        location = out.unit_status.message
        assert location.endswith('/storage/data/0')
        assert ctx.requested_storages == {'data': 2}
        assert out.storages == {data}  # requested storage arrives in a later event
    import os
    assert not os.path.exists(location)  # the context cleaned up


def test_network_and_resources() -> None:
    class NetCharm(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.install, self._on_install)

        def _on_install(self, event: reactops.EventBase) -> None:
            web = self.model.get_binding('web').network
            db = self.model.get_binding('db').network
            blob = self.model.resources.fetch('blob')
            self.unit.status = reactops.ActiveStatus(
                f'{web.bind_address} {db.ingress_address} {blob}')

    ctx = context(NetCharm)
    state = State(networks=[Network('web', [BindAddress([Address('10.0.0.5')])],
                                    ingress_addresses=('10.0.0.5',),
                                    egress_subnets=('10.0.0.0/24',))],
                  resources=[Resource(name='blob', path='/tmp/blob.bin')])
    out = ctx.run(ctx.on.install(), state)
    assert out.unit_status.message == '10.0.0.5 192.0.2.0 /tmp/blob.bin'


# -- actions ---------------------------------------------------------------------------------


def test_an_action_reports_results_and_logs_with_defaults_filled(ctx: Context) -> None:
    event = ctx.on.action('backup', {'target': 's3'}, id='42')
    out = ctx.run(event, State())
    assert ctx.action_results == {'done': True, 'where': {'target': 's3'}, 'compress': True}
    assert ctx.action_logs == ['backing up to s3']
    assert seen(out) == ['backup']
    assert event.action is not None
    assert event.action.params == {'target': 's3'}  # the defaults are not added to it


def test_a_failed_action_raises_with_the_committed_state(ctx: Context) -> None:
    with pytest.raises(ActionFailed) as caught:
        ctx.run(ctx.on.action('backup', {'target': 'nowhere'}), State())
    assert caught.value.message == 'no such target'
    assert seen(caught.value.state) == ['backup']  # the hook itself succeeded
    assert ctx.action_logs == ['backing up to nowhere']


def test_no_action_results_outside_an_action(ctx: Context) -> None:
    ctx.run(ctx.on.install(), State())
    assert ctx.action_results is None


# -- secrets ---------------------------------------------------------------------------------


class SecretCharm(reactops.CharmBase):
    """Does with secrets what the config option 'name' says."""

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config)
        framework.observe(self.on.secret_changed, self._on_secret_changed)

    def _on_config(self, event: reactops.EventBase) -> None:
        what = self.config.get('name', '')
        db = self.model.get_relation('db')
        if what == 'add':
            secret = self.app.add_secret({'password': 'one'}, label='db-pass')
            if db is not None:
                secret.grant(db)
        elif what == 'rotate':
            secret = self.model.get_secret(label='db-pass')
            secret.set_content({'password': 'two'})
            self.unit.status = reactops.ActiveStatus(str(secret.get_info().revision))
        elif what == 'read':
            secret = self.model.get_secret(label='their-token')
            tracked, latest = secret.get_content(), secret.peek_content()
            self.unit.status = reactops.ActiveStatus(f'{tracked["token"]} {latest["token"]}')
        elif what == 'missing':
            try:
                self.model.get_secret(label='nope')
            except SecretNotFoundError:
                self.unit.status = reactops.BlockedStatus('no secret')
        elif what == 'remove':
            self.model.get_secret(label='db-pass').remove_all_revisions()

    def _on_secret_changed(self, event: reactops.SecretChangedEvent) -> None:
        content = event.secret.get_content(refresh=True)
        self.unit.status = reactops.ActiveStatus(f'{event.secret.label}: {content["token"]}')


def test_secrets_owned_by_the_app() -> None:
    ctx = context(SecretCharm)
    db = Relation('db', remote_app_name='pg')
    out = ctx.run(ctx.on.config_changed(),
                  State(leader=True, relations=[db], config={'name': 'add'}))
    secret = out.get_secret(label='db-pass')
    assert (secret.owner, secret.tracked_content, secret._latest_revision) == \
        ('app', {'password': 'one'}, 1)
    assert secret.remote_grants == {db.id: frozenset({'pg'})}
    out = ctx.run(ctx.on.config_changed(), out.replace(config={'name': 'rotate'}))
    rotated = out.get_secret(label='db-pass')
    assert (rotated.latest_content, rotated._latest_revision) == ({'password': 'two'}, 2)
    assert out.unit_status == reactops.ActiveStatus('2')
    out = ctx.run(ctx.on.config_changed(), out.replace(config={'name': 'remove'}))
    assert out.secrets == frozenset()


def test_a_non_leader_cannot_manage_the_apps_secret() -> None:
    ctx = context(SecretCharm)
    secret = Secret({'password': 'one'}, owner='app', label='db-pass')
    with pytest.raises(UncaughtCharmError, match='permission denied'):
        ctx.run(ctx.on.config_changed(), State(secrets=[secret], config={'name': 'rotate'}))


def test_an_observer_reads_the_tracked_revision_until_it_refreshes() -> None:
    ctx = context(SecretCharm)
    secret = Secret({'token': 'old'}, latest_content={'token': 'new'}, label='their-token')
    state = State(secrets=[secret], config={'name': 'read'})
    out = ctx.run(ctx.on.config_changed(), state)
    assert out.unit_status == reactops.ActiveStatus('old new')
    assert out.get_secret(id=secret.id).tracked_content == {'token': 'old'}
    out = ctx.run(ctx.on.secret_changed(secret), state)
    assert out.unit_status == reactops.ActiveStatus('their-token: new')
    assert out.get_secret(id=secret.id).tracked_content == {'token': 'new'}
    assert out.get_secret(id=secret.id).latest_content == {'token': 'new'}  # as tracked


def test_an_unknown_secret_is_not_found() -> None:
    ctx = context(SecretCharm)
    out = ctx.run(ctx.on.config_changed(), State(config={'name': 'missing'}))
    assert out.unit_status == reactops.BlockedStatus('no secret')


def test_removing_a_revision_is_recorded() -> None:
    class Cleaner(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.secret_remove, self._on_remove)

        def _on_remove(self, event: reactops.SecretRemoveEvent) -> None:
            event.remove_revision()

    ctx = context(Cleaner)
    secret = Secret({'a': 'b'}, owner='app')
    out = ctx.run(ctx.on.secret_remove(secret, revision=2), State(leader=True,
                                                                  secrets=[secret]))
    assert ctx.removed_secret_revisions == [2]
    assert out.get_secret(id=secret.id).tracked_content == {'a': 'b'}


# -- failures, inputs, freshness -------------------------------------------------------------


class Exploding(reactops.CharmBase):
    _stored = reactops.StoredState()

    def __init__(self, framework: reactops.Framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config)

    def _on_config(self, event: reactops.EventBase) -> None:
        import logging

        logging.getLogger(__name__).warning('about to fail')
        self._stored.touched = True
        self.unit.status = reactops.MaintenanceStatus('half way')
        self.unit.open_port('tcp', 99)
        relation = self.model.get_relation('db')
        assert relation is not None
        relation.data[self.unit]['half'] = 'way'
        raise ValueError('boom')


def test_a_charm_exception_raises_and_keeps_nothing() -> None:
    ctx = context(Exploding)
    db = Relation('db')
    state = State(relations=[db])
    with pytest.raises(UncaughtCharmError, match='config_changed') as caught:
        ctx.run(ctx.on.config_changed(), state)
    assert isinstance(caught.value.__cause__, ValueError)
    assert 'ValueError while handling config_changed' in str(caught.value)
    # Nothing of the failed run anywhere: the input, and the records, except the log.
    assert state == State(relations=[db], model=state.model)
    assert db.local_unit_data == Relation('db', id=db.id).local_unit_data
    assert ctx.unit_status_history == [] and ctx.emitted_events == []
    assert JujuLogLine('WARNING', 'about to fail') in ctx.juju_log


def test_inputs_are_never_mutated(ctx: Context) -> None:
    db = Relation('db', remote_units_data={0: {'host': 'h0'}}, local_app_data={'k': 'v'})
    secret = Secret({'token': 'old'}, latest_content={'token': 'new'}, label='t')
    state = State(leader=True, relations=[db], secrets=[secret],
                  config={'port': 1234},
                  stored_states=[StoredState(owner_path='DemoCharm',
                                             content={'seen': ['x'], 'ready': True})],
                  deferred=(ctx.on.start().deferred(DemoCharm._on_start),),
                  flags={'a.flag': [1]}, kv={'some.key': {'n': 1}})
    before = copy.deepcopy(state)
    event = ctx.on.relation_changed(db)
    event_before = copy.deepcopy(event)
    out = ctx.run(event, state)
    assert state == before and event == event_before
    assert out != state
    assert out.flags == {'a.flag': [1]} and out.kv == {'some.key': {'n': 1}}


def test_each_run_builds_a_fresh_charm(ctx: Context) -> None:
    DemoCharm.instances.clear()
    out = ctx.run(ctx.on.install(), State())
    ctx.run(ctx.on.install(), out)
    assert len(DemoCharm.instances) == 2 and len(set(DemoCharm.instances)) == 2


def test_records_accumulate_and_action_output_is_per_action(ctx: Context) -> None:
    # As in ops.testing: a context's records add up over its runs; an action's logs and
    # results are those of the latest action.
    ctx.run(ctx.on.action('backup', {'target': 's3'}), State())
    ctx.run(ctx.on.install(), State())
    assert ctx.action_logs == ['backing up to s3'] and ctx.action_results is not None
    assert [type(e).__name__ for e in ctx.emitted_events][-1] == 'InstallEvent'
    assert len(ctx.emitted_events) == 2
    with pytest.raises(ActionFailed):
        ctx.run(ctx.on.action('backup', {'target': 'nowhere'}), State())
    assert ctx.action_logs == ['backing up to nowhere']


def test_juju_log_and_workload_version_history() -> None:
    class Versioned(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.upgrade_charm, self._on_upgrade)

        def _on_upgrade(self, event: reactops.EventBase) -> None:
            import logging

            logging.getLogger('demo').info('upgrading')
            self.unit.set_workload_version('2.0')
            self.unit.set_workload_version('2.1')

    ctx = context(Versioned, log_level='INFO')
    out = ctx.run(ctx.on.upgrade_charm(), State(workload_version='1.0'))
    assert out.workload_version == '2.1'
    assert ctx.workload_version_history == ['1.0', '2.0']
    assert ctx.juju_log == [JujuLogLine('INFO', 'upgrading')]  # no DEBUG lines at INFO


def test_the_model_comes_from_the_state() -> None:
    class Named(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            framework.observe(self.on.install, self._on_install)

        def _on_install(self, event: reactops.EventBase) -> None:
            self.unit.status = reactops.ActiveStatus(
                f'{self.model.name} {self.model.uuid[:4]} {self.unit.name} '
                f'{self.model.juju_version}')

    ctx = context(Named, app_name='shop', unit_id=3, juju_version='3.5.4')
    out = ctx.run(ctx.on.install(), State(model=Model('prod', uuid='abcd-1234')))
    assert out.unit_status.message == 'prod abcd shop/3 3.5.4'


# -- construction --------------------------------------------------------------------------


def test_a_whole_charmcraft_yaml_may_be_the_meta() -> None:
    charmcraft = {**META, 'type': 'charm', 'base': 'ubuntu@24.04', 'config': CONFIG,
                  'actions': ACTIONS}
    ctx = Context(DemoCharm, meta=charmcraft)
    assert ctx.meta.name == 'demo' and set(ctx.meta.actions) == {'backup'}
    assert ctx.run(ctx.on.install(), State()).unit_status.message == 'port 8080'
    with pytest.raises(ValueError, match='Cannot specify config in both'):
        Context(DemoCharm, meta=charmcraft, config=CONFIG)


@pytest.mark.parametrize(('args', 'kwargs', 'error', 'match'), [
    ((42,), {}, TypeError, 'CharmBase subclass or the path'),
    ((dict,), {'meta': META}, TypeError, 'CharmBase subclass or the path'),
    (('/no/such/dir',), {}, ValueError, 'is not a directory'),
    ((DemoCharm,), {'meta': META, 'unit_id': -1}, ValueError, 'unit_id'),
    ((DemoCharm,), {'meta': META, 'juju_version': 'three'}, RuntimeError,
     'not a valid Juju version'),
    ((DemoCharm,), {'meta': META, 'app_name': 'a/b'}, ValueError, 'app_name'),
    ((DemoCharm,), {'meta': 'name: x'}, TypeError, 'meta must be a dict'),
    ((DemoCharm,), {'meta': META, 'log_level': 'LOUD'}, ValueError, 'log_level'),
])
def test_bad_arguments_are_named(args: tuple[Any, ...], kwargs: dict[str, Any],
                                 error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Context(*args, **kwargs)


def test_a_class_outside_a_charm_needs_its_metadata(tmp_path: Any) -> None:
    with pytest.raises(ContextSetupError, match='Did you forget to pass `meta`'):
        Context(DemoCharm)  # tests/ has no metadata.yaml above this file's directory


def test_run_checks_its_arguments_and_the_states_consistency(ctx: Context) -> None:
    with pytest.raises(TypeError, match='ctx.on'):
        ctx.run('install', State())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match='State'):
        ctx.run(ctx.on.install(), {})  # type: ignore[arg-type]
    with pytest.raises(InconsistentScenarioError, match="no config option 'colour'"):
        ctx.run(ctx.on.install(), State(config={'colour': 'red'}))


def test_the_store_keys_match_the_reactive_layers() -> None:
    from reactops.reactive._runtime import FLAG_PREFIX
    from reactops.reactive._trace import TRACE_KEY
    from reactops.testing import _run_bridge

    assert (_run_bridge._FLAG_PREFIX, _run_bridge._TRACE_KEY) == (FLAG_PREFIX, TRACE_KEY)


def test_a_run_takes_milliseconds(ctx: Context) -> None:
    db = Relation('db', remote_units_data={0: {'host': 'h'}})
    state = State(leader=True, relations=[db])
    event = ctx.on.relation_changed(db)
    ctx.run(event, state)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        ctx.run(event, state)
        times.append(time.perf_counter() - start)
    # About 1-2 ms on a laptop; the bound only catches a regression such as a file per run.
    assert statistics.median(times) < 0.02


# -- the manager: the live charm before and after the event ------------------------------


def test_the_manager_gives_the_charm_before_and_after_the_event(ctx: Context) -> None:
    from reactops.testing.errors import AlreadyEmittedError

    with ctx(ctx.on.install(), State()) as mgr:
        assert isinstance(mgr.charm, DemoCharm)
        assert mgr.charm.unit.status == reactops.UnknownStatus()  # nothing ran yet
        out = mgr.run()
        assert seen(out) == ['install']
        with pytest.raises(AlreadyEmittedError):
            mgr.run()


def test_the_manager_runs_the_event_on_leaving_the_block(ctx: Context) -> None:
    with ctx(ctx.on.install(), State()) as mgr:
        charm = mgr.charm
    assert [type(e).__name__ for e in ctx.emitted_events] == ['InstallEvent']
    assert charm.framework.model.unit.name == 'demo/0'


def test_custom_events_and_the_environment() -> None:
    class Ready(reactops.EventBase):
        pass

    class LibEvents(reactops.ObjectEvents):
        ready = reactops.EventSource(Ready)

    class Lib(reactops.Object):
        on = LibEvents()

    class WithLib(reactops.CharmBase):
        def __init__(self, framework: reactops.Framework):
            super().__init__(framework)
            self.lib = Lib(self, 'lib')
            framework.observe(self.lib.on.ready, self._on_ready)

        def _on_ready(self, event: reactops.EventBase) -> None:
            import os

            self.unit.status = reactops.ActiveStatus(os.environ['JUJU_UNIT_NAME'])

    ctx = context(WithLib)
    out = ctx.run(ctx.on.custom(Lib.on.ready), State())
    assert out.unit_status == reactops.ActiveStatus('demo/0')
    import os
    assert 'JUJU_UNIT_NAME' not in os.environ  # restored after the run
