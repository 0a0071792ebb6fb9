"""CharmBase and the hook events: definitions from metadata, deferral rules, collect-status."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from fakejuju import FakeJuju

import reactops
from reactops._private.backend import ModelBackend
from reactops.charm import (
    ActionEvent,
    CharmBase,
    CollectStatusEvent,
    RelationChangedEvent,
    RelationDepartedEvent,
    evaluate_status,
)
from reactops.errors import InvalidStatusError
from reactops.framework import Framework
from reactops.jujucontext import JujuContext
from reactops.log import JujuLogHandler, setup_root_logging
from reactops.meta import CharmMeta
from reactops.model import ActiveStatus, BlockedStatus, MaintenanceStatus, Model, WaitingStatus
from reactops.storage import SQLiteStorage

META = """
name: demo
requires:
  db: {interface: pgsql}
peers:
  cluster-peers: {interface: demo-peer}
storage:
  data: {type: filesystem, location: /srv/data}
actions:
  back-up:
    params:
      target: {type: string}
config:
  options:
    port: {type: int, default: 8080}
"""


def build(charm_type: type[CharmBase], state: Path | str = ':memory:',
          meta: str = META) -> CharmBase:
    """One in-process dispatch's objects, over the fake hook tools on PATH."""
    charm_meta = CharmMeta.from_yaml(meta)
    backend = ModelBackend(JujuContext.from_environ())
    model = Model(charm_meta, backend)
    framework = Framework(SQLiteStorage(state), Path('.'), charm_meta, model)
    return charm_type(framework)


class Recorder(CharmBase):
    """Records every event it observes; defers relation-changed on request."""

    statuses: list[Any] = []

    def __init__(self, framework: Framework):
        super().__init__(framework)
        self.seen: list[str] = []
        self.events: list[Any] = []
        self.defer_changed = False
        for name in ('db_relation_changed', 'db_relation_departed', 'back_up_action',
                     'data_storage_attached', 'collect_unit_status', 'collect_app_status'):
            framework.observe(getattr(self.on, name), self._record)

    def _record(self, event: Any) -> None:
        self.seen.append(event.handle.kind)
        self.events.append(event)
        if isinstance(event, RelationChangedEvent) and self.defer_changed:
            event.defer()
        if isinstance(event, CollectStatusEvent):
            for status in self.statuses:
                event.add_status(status)


def test_metadata_defines_relation_storage_and_action_events(fake_juju: FakeJuju) -> None:
    charm = build(Recorder)
    kinds = set(charm.on.events())
    assert {f'db_relation_{s}' for s in ('created', 'joined', 'changed', 'departed',
                                         'broken')} <= kinds
    assert {'cluster_peers_relation_joined', 'data_storage_attached',
            'data_storage_detaching', 'back_up_action'} <= kinds
    assert charm.on['db'].relation_changed.event_kind == 'db_relation_changed'


def test_each_charm_instance_gets_its_own_event_definitions(fake_juju: FakeJuju) -> None:
    first = build(Recorder)
    other = build(CharmBase, meta='name: other\nrequires:\n  cache: {interface: redis}\n')
    assert 'cache_relation_changed' in other.on.events()
    assert 'cache_relation_changed' not in first.on.events()
    assert 'db_relation_changed' not in other.on.events()
    assert not hasattr(reactops.CharmEvents, 'db_relation_changed')


def test_a_metadata_name_that_clashes_with_an_event_is_refused(fake_juju: FakeJuju) -> None:
    class Clashing(CharmBase):
        pass

    class ClashEvents(reactops.CharmEvents):
        db_relation_changed = reactops.EventSource(RelationChangedEvent)

    Clashing.on = ClashEvents()
    with pytest.raises(RuntimeError, match='overlaps with an existing .*: db_relation_changed'):
        build(Clashing)


@pytest.mark.parametrize('event_name', ['stop', 'remove', 'secret_rotate', 'secret_expired'])
def test_events_juju_will_not_send_again_cannot_be_deferred(
        fake_juju: FakeJuju, event_name: str) -> None:
    errors: list[str] = []

    class Deferrer(CharmBase):
        def __init__(self, framework: Framework):
            super().__init__(framework)
            framework.observe(getattr(self.on, event_name), self._defer)

        def _defer(self, event: Any) -> None:
            try:
                event.defer()
            except RuntimeError as e:
                errors.append(str(e))

    charm = build(Deferrer)
    args: list[Any] = (['secret:abc', 'label'] + ([1] if event_name == 'secret_expired' else [])
                       if event_name.startswith('secret') else [])
    getattr(charm.on, event_name).emit(*args)
    assert errors and 'cannot defer' in errors[0]


def test_actions_cannot_be_deferred_and_results_flatten(fake_juju: FakeJuju) -> None:
    fake_juju.update(action={'params': {'target': 's3'}})
    outcome: dict[str, Any] = {}

    class Backup(CharmBase):
        def __init__(self, framework: Framework):
            super().__init__(framework)
            framework.observe(self.on.back_up_action, self._on_back_up)

        def _on_back_up(self, event: ActionEvent) -> None:
            outcome['params'] = event.params
            with pytest.raises(RuntimeError, match='cannot defer'):
                event.defer()
            with pytest.raises(ValueError, match="'Bad_Key' is not valid"):
                event.set_results({'Bad_Key': 1})
            with pytest.raises(ValueError, match="'a.b' is given twice"):
                event.set_results({'a.b': 1, 'a': {'b': 2}})
            event.set_results({'size': 10, 'where': {'bucket': 'b1'}})
            event.fail('disk full')

    charm = build(Backup)
    charm.on.back_up_action.emit('42')
    assert outcome['params'] == {'target': 's3'}
    assert ['action-set', 'size=10', 'where.bucket=b1'] in fake_juju.argvs()
    assert ['action-fail', '--', 'disk full'] in fake_juju.argvs()


def test_a_deferred_relation_event_comes_back_with_its_relation_and_unit(
        fake_juju: FakeJuju, tmp_path: Path) -> None:
    fake_juju.add_relation('db', 4, 'pg', ['pg/0', 'pg/1'])
    state = tmp_path / 'state.db'
    charm = build(Recorder, state)
    assert isinstance(charm, Recorder)
    charm.defer_changed = True
    relation = charm.model.get_relation('db', 4)
    pg1 = charm.model.get_unit('pg/1')
    charm.on.db_relation_changed.emit(relation, pg1.app, pg1)
    charm.framework.commit()
    charm.framework.close()

    later = build(Recorder, state)
    assert isinstance(later, Recorder)
    later.framework.reemit()
    received = later.events
    assert len(received) == 1
    event = received[0]
    assert (event.relation.name, event.relation.id) == ('db', 4)
    assert event.unit is not None and event.unit.name == 'pg/1'
    assert event.app is not None and event.app.name == 'pg'


def test_a_departed_event_remembers_the_departing_unit(fake_juju: FakeJuju) -> None:
    fake_juju.add_relation('db', 4, 'pg', ['pg/0'])
    seen: list[str | None] = []

    class Departures(CharmBase):
        def __init__(self, framework: Framework):
            super().__init__(framework)
            framework.observe(self.on.db_relation_departed, self._on_departed)

        def _on_departed(self, event: RelationDepartedEvent) -> None:
            seen.append(event.departing_unit.name if event.departing_unit else None)

    charm = build(Departures)
    relation = charm.model.get_relation('db', 4)
    charm.on.db_relation_departed.emit(relation, charm.model.get_app('pg'), None, 'pg/1')
    assert seen == ['pg/1']


def test_collect_status_sets_the_highest_priority_status(fake_juju: FakeJuju) -> None:
    fake_juju.update(leader=True)
    Recorder.statuses = [ActiveStatus('fine'), WaitingStatus('db'), BlockedStatus('no port'),
                         MaintenanceStatus('busy')]
    try:
        charm = build(Recorder)
        evaluate_status(charm)
    finally:
        Recorder.statuses = []
    assert fake_juju.argvs('status-set') == [
        ['status-set', '--application=true', 'blocked', '--', 'no port'],
        ['status-set', '--application=false', 'blocked', '--', 'no port'],
    ]
    assert isinstance(charm, Recorder)
    assert charm.seen == ['collect_app_status', 'collect_unit_status']


def test_collect_status_on_a_non_leader_skips_the_app(fake_juju: FakeJuju) -> None:
    Recorder.statuses = [ActiveStatus('fine')]
    try:
        charm = build(Recorder)
        evaluate_status(charm)
    finally:
        Recorder.statuses = []
    assert isinstance(charm, Recorder)
    assert charm.seen == ['collect_unit_status']
    assert fake_juju.argvs('status-set') == [
        ['status-set', '--application=false', 'active', '--', 'fine']]


def test_nothing_collected_leaves_the_status_alone(fake_juju: FakeJuju) -> None:
    evaluate_status(build(Recorder))
    assert fake_juju.argvs('status-set') == []


def test_add_status_refuses_what_a_charm_cannot_set(fake_juju: FakeJuju) -> None:
    from reactops.model import ErrorStatus, UnknownStatus

    for bad, error in ((ErrorStatus('x'), InvalidStatusError),
                       (UnknownStatus(), InvalidStatusError), ('active', TypeError)):
        Recorder.statuses = [bad]
        try:
            with pytest.raises(error):
                evaluate_status(build(Recorder))
        finally:
            Recorder.statuses = []


def test_logging_goes_to_juju_log_at_the_record_level(
        fake_juju: FakeJuju, monkeypatch: pytest.MonkeyPatch) -> None:
    # As in ops, the root logger is set to DEBUG (reactops' dispatch then lowers it to INFO).
    monkeypatch.setattr(sys, 'excepthook', sys.excepthook)
    monkeypatch.setattr(warnings, 'showwarning', warnings.showwarning)
    backend = ModelBackend(JujuContext.from_environ())
    root = setup_root_logging(backend)
    try:
        logging.getLogger('charm').debug('sent at the DEBUG root level')
        logging.getLogger('charm').warning('disk %d%% full', 91)
    finally:
        for handler in list(root.handlers):
            if isinstance(handler, JujuLogHandler):
                root.removeHandler(handler)
        root.setLevel(logging.WARNING)
    assert fake_juju.argvs('juju-log') == [
        ['juju-log', '--log-level', 'DEBUG', '--', 'sent at the DEBUG root level'],
        ['juju-log', '--log-level', 'WARNING', '--', 'disk 91% full']]
