"""The event core: handles, objects, emission, deferral, commit and rollback."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest

from reactops.framework import (
    BoundEvent,
    CommitEvent,
    EventBase,
    EventSource,
    Framework,
    Handle,
    LifecycleEvent,
    Object,
    ObjectEvents,
    PreCommitEvent,
    StoredState,
)
from reactops.storage import SQLiteStorage


class Ping(EventBase):
    """A custom event carrying a number and a word."""

    def __init__(self, handle: Handle, number: int = 0, word: str = ''):
        super().__init__(handle)
        self.number = number
        self.word = word

    def snapshot(self) -> dict[str, Any]:
        return {'number': self.number}  # `word` is deliberately not stored

    def restore(self, snapshot: dict[str, Any]) -> None:
        super().restore(snapshot)
        self.number = snapshot['number']
        self.word = ''


class Pong(EventBase):
    pass


class DemoEvents(ObjectEvents):
    ping = EventSource(Ping)
    pong = EventSource(Pong)


class Demo(Object):
    """An observer that records what it sees and defers on request."""

    on = DemoEvents()
    _stored = StoredState()

    def __init__(self, parent: Framework | Object, key: str | None = 'demo'):
        super().__init__(parent, key)
        self.seen: list[tuple[str, int]] = []
        self.defer_numbers: set[int] = set()
        self.raise_on: int | None = None

    def _on_ping(self, event: Ping) -> None:
        self.seen.append((event.handle.path, event.number))
        if event.number == self.raise_on:
            raise RuntimeError(f'handler failed on {event.number}')
        if event.number in self.defer_numbers:
            event.defer()

    def _on_pong(self, event: Pong) -> None:
        self.seen.append((event.handle.path, -1))


def dispatch(path: Path | str, *, defer: set[int] = frozenset(),  # type: ignore[assignment]
             observe: bool = True) -> tuple[Framework, Demo]:
    """One 'process': a fresh Framework and observer on the state file."""
    framework = Framework(SQLiteStorage(path), None, None, None)
    demo = Demo(framework)
    demo.defer_numbers = set(defer)
    if observe:
        framework.observe(demo.on.ping, demo._on_ping)
    return framework, demo


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / '.unit-state.db'


@pytest.fixture
def framework() -> Framework:
    """A framework over an in-memory store, for tests of one dispatch."""
    return Framework(SQLiteStorage(':memory:'), None, None, None)


# -- handles and objects ---------------------------------------------------------------


def test_handle_paths_nest_and_omit_empty_keys() -> None:
    top = Handle(None, 'MyCharm', None)
    assert top.path == 'MyCharm'
    assert Handle(None, 'MyCharm', '').path == 'MyCharm'
    event = top.nest('on', None).nest('config_changed', '4')
    assert event.path == 'MyCharm/on/config_changed[4]'
    assert str(event) == event.path
    assert event.parent is not None and event.parent.path == 'MyCharm/on'


def test_handle_round_trips_through_its_path_and_compares_by_value() -> None:
    handle = Handle.from_path('MyCharm/StoredStateData[_stored]')
    assert handle == Handle(Handle(None, 'MyCharm', None), 'StoredStateData', '_stored')
    assert hash(handle) == hash(Handle.from_path(handle.path))
    assert handle.kind == 'StoredStateData' and handle.key == '_stored'
    with pytest.raises(RuntimeError, match='malformed'):
        Handle.from_path('MyCharm/on/bad]segment[')


def test_object_handles_nest_under_their_parent(framework: Framework) -> None:
    demo = Demo(framework, 'one')
    child = Demo(demo, 'child')
    assert demo.handle.path == 'Demo[one]'
    assert child.handle.path == 'Demo[one]/Demo[child]'
    assert demo.on.handle.path == 'Demo[one]/on'
    assert child.framework is framework
    assert demo.model is None


def test_two_objects_with_the_same_path_are_refused(framework: Framework) -> None:
    keep = Demo(framework, 'same')
    with pytest.raises(RuntimeError, match=r'two objects claiming to be Demo\[same\]'):
        Demo(framework, 'same')
    assert keep.handle.path == 'Demo[same]'


def test_handle_kind_is_the_class_name_unless_a_class_declares_one() -> None:
    class Plain(Object):
        pass

    class PlainChild(Plain):
        pass

    class Custom(Object):
        handle_kind = 'custom'

    class CustomChild(Custom):
        pass

    assert (Plain.handle_kind, PlainChild.handle_kind) == ('Plain', 'PlainChild')
    assert (Custom.handle_kind, CustomChild.handle_kind) == ('custom', 'custom')


# -- emitting --------------------------------------------------------------------------


def test_event_keys_come_from_a_persisted_counter_starting_at_one(state_file: Path) -> None:
    framework, demo = dispatch(state_file)
    demo.on.ping.emit(1)
    demo.on.ping.emit(2)
    framework.commit()
    framework.close()
    framework, demo = dispatch(state_file)
    demo.on.ping.emit(3)
    # dispatch 1 used 1, 2 and the commit's pre_commit (3) and commit (4) events.
    assert demo.seen == [('Demo[demo]/on/ping[5]', 3)]
    framework.close()


def test_observers_see_an_event_rebuilt_from_its_snapshot(framework: Framework) -> None:
    demo = Demo(framework)
    received: list[Ping] = []

    class Watcher(Object):
        def _on_ping(self, event: Ping) -> None:
            received.append(event)

    watcher = Watcher(framework, 'w')
    framework.observe(demo.on.ping, watcher._on_ping)
    demo.on.ping.emit(7, word='lost')
    assert received[0].number == 7
    assert received[0].word == ''  # not in snapshot(), so not seen by the observer
    assert received[0].framework is framework


def test_observers_run_in_registration_order_and_twice_if_registered_twice(
        framework: Framework) -> None:
    demo = Demo(framework)
    calls: list[str] = []

    class First(Object):
        def record(self, event: EventBase) -> None:
            calls.append('first')

    class Second(Object):
        def record(self, event: EventBase) -> None:
            calls.append('second')

    first, second = First(framework, None), Second(framework, None)
    framework.observe(demo.on.pong, second.record)
    framework.observe(demo.on.pong, first.record)
    framework.observe(demo.on.pong, second.record)
    demo.on.pong.emit()
    assert calls == ['second', 'first', 'second']


def test_an_event_nobody_observes_is_not_stored(framework: Framework) -> None:
    demo = Demo(framework)
    demo.on.pong.emit()
    assert list(framework._storage.list_snapshots()) == []
    assert list(framework._storage.notices()) == []


def test_custom_events_run_nested_inside_the_emitting_handler(framework: Framework) -> None:
    demo = Demo(framework)
    order: list[str] = []

    class Chain(Object):
        def _on_ping(self, event: Ping) -> None:
            order.append('ping start')
            demo.on.pong.emit()
            order.append('ping end')

        def _on_pong(self, event: Pong) -> None:
            order.append('pong')

    chain = Chain(framework, None)
    framework.observe(demo.on.ping, chain._on_ping)
    framework.observe(demo.on.pong, chain._on_pong)
    demo.on.ping.emit()
    assert order == ['ping start', 'pong', 'ping end']


def test_a_snapshot_that_is_not_json_safe_is_refused_at_emit(framework: Framework) -> None:
    class Bad(EventBase):
        def snapshot(self) -> dict[str, Any]:
            return {'when': object()}

    class BadEvents(ObjectEvents):
        bad = EventSource(Bad)

    class Emitter(Object):
        on = BadEvents()

        def _on_bad(self, event: Bad) -> None:
            raise AssertionError('must not run')

    emitter = Emitter(framework, None)
    framework.observe(emitter.on.bad, emitter._on_bad)
    with pytest.raises(ValueError, match=r"Emitter/on/bad\[1\].*object at \['when'\]"):
        emitter.on.bad.emit()


# -- deferral --------------------------------------------------------------------------


def test_a_deferred_event_reruns_next_dispatch_with_its_original_handle(
        state_file: Path) -> None:
    framework, demo = dispatch(state_file, defer={1})
    demo.on.ping.emit(1)
    framework.commit()
    framework.close()

    framework, demo = dispatch(state_file)
    framework.reemit()
    demo.on.ping.emit(2)
    # dispatch 1 used keys 1 (ping), 2 (pre_commit) and 3 (commit)
    assert demo.seen == [('Demo[demo]/on/ping[1]', 1), ('Demo[demo]/on/ping[4]', 2)]
    framework.commit()
    assert list(framework._storage.notices()) == []
    assert list(framework._storage.list_snapshots()) == ['StoredStateData[_stored]']
    framework.close()


def test_the_deferred_queue_runs_in_order_and_keeps_re_deferred_notices(
        state_file: Path) -> None:
    framework, demo = dispatch(state_file, defer={1, 2, 3})
    for number in (1, 2, 3):
        demo.on.ping.emit(number)
    framework.commit()
    framework.close()

    framework, demo = dispatch(state_file, defer={2})
    framework.reemit()
    assert [number for _, number in demo.seen] == [1, 2, 3]
    framework.commit()
    framework.close()

    framework, demo = dispatch(state_file)
    framework.reemit()
    assert demo.seen == [('Demo[demo]/on/ping[2]', 2)]
    framework.close()


def test_deferral_is_per_observer(framework: Framework) -> None:
    demo = Demo(framework)
    other = Demo(framework, 'other')
    demo.defer_numbers = {1}
    framework.observe(demo.on.ping, demo._on_ping)
    framework.observe(demo.on.ping, other._on_ping)
    demo.on.ping.emit(1)
    assert list(framework._storage.notices()) == [
        ('Demo[demo]/on/ping[1]', 'Demo[demo]', '_on_ping')]
    framework.reemit()
    assert demo.seen == [('Demo[demo]/on/ping[1]', 1)] * 2
    assert other.seen == [('Demo[demo]/on/ping[1]', 1)]


def test_an_equal_notice_is_not_queued_twice(framework: Framework) -> None:
    demo = Demo(framework)
    demo.defer_numbers = {1, 2}
    framework.observe(demo.on.ping, demo._on_ping)
    demo.on.ping.emit(1)
    demo.on.ping.emit(1)  # equal snapshot: skipped, the observer does not run again
    demo.on.ping.emit(2)  # different snapshot: queued
    assert [number for _, number in demo.seen] == [1, 2]
    assert [notice[0] for notice in framework._storage.notices()] == [
        'Demo[demo]/on/ping[1]', 'Demo[demo]/on/ping[3]']


def test_duplicate_skipping_can_be_turned_off(tmp_path: Path) -> None:
    framework = Framework(SQLiteStorage(':memory:'), tmp_path, None, None,
                          skip_duplicate_events=False)
    demo = Demo(framework)
    demo.defer_numbers = {1}
    framework.observe(demo.on.ping, demo._on_ping)
    demo.on.ping.emit(1)
    demo.on.ping.emit(1)
    assert len(list(framework._storage.notices())) == 2


def test_a_notice_whose_observer_is_gone_is_dropped_with_a_warning(
        state_file: Path, caplog: pytest.LogCaptureFixture) -> None:
    framework, demo = dispatch(state_file, defer={1})
    demo.on.ping.emit(1)
    framework.commit()
    framework.close()

    framework = Framework(SQLiteStorage(state_file), None, None, None)
    demo = Demo(framework)
    framework.register_type(Ping, demo.on, 'ping')  # the type is known, the observer is not
    with caplog.at_level(logging.WARNING):
        framework.reemit()
    assert 'was garbage collected' in caplog.text
    assert list(framework._storage.notices()) == []
    framework.close()


def test_a_notice_whose_event_type_is_unknown_is_dropped(state_file: Path) -> None:
    framework, demo = dispatch(state_file, defer={1})
    demo.on.ping.emit(1)
    framework.commit()
    framework.close()

    framework = Framework(SQLiteStorage(state_file), None, None, None)  # nothing observed
    framework.reemit()
    assert list(framework._storage.notices()) == []
    framework.close()


def test_lifecycle_events_cannot_be_deferred(framework: Framework) -> None:
    errors: list[str] = []

    class Committer(Object):
        def _on_pre_commit(self, event: PreCommitEvent) -> None:
            try:
                event.defer()
            except RuntimeError as e:
                errors.append(str(e))

    committer = Committer(framework, None)
    framework.observe(framework.on.pre_commit, committer._on_pre_commit)
    framework.commit()
    assert errors and 'cannot defer PreCommitEvent' in errors[0]
    assert issubclass(CommitEvent, LifecycleEvent)


# -- observe() validation --------------------------------------------------------------


def test_observe_refuses_what_it_cannot_call_again(framework: Framework) -> None:
    demo = Demo(framework)

    def plain(event: EventBase) -> None: ...

    class NotAnObject:
        def handler(self, event: EventBase) -> None: ...

    class Greedy(Object):
        def handler(self, event: EventBase, extra: int) -> None: ...

    with pytest.raises(TypeError, match='requires a BoundEvent'):
        framework.observe(demo.on, demo._on_ping)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="requires a method as the 'observer'"):
        framework.observe(demo.on.ping, plain)
    with pytest.raises(TypeError, match="requires a method as the 'observer'"):
        framework.observe(demo.on.ping, lambda event: None)
    with pytest.raises(TypeError, match='not a reactops Object'):
        framework.observe(demo.on.ping, NotAnObject().handler)
    with pytest.raises(TypeError, match="only 'self' and the 'event'"):
        framework.observe(demo.on.ping, Greedy(framework, None).handler)


# -- defining events -------------------------------------------------------------------


def test_define_event_adds_an_event_and_checks_the_name() -> None:
    class Dynamic(ObjectEvents):
        pass

    Dynamic.define_event('db_relation_changed', Pong)
    assert isinstance(Dynamic.__dict__['db_relation_changed'], EventSource)
    with pytest.raises(RuntimeError, match='overlaps with an existing type .*Dynamic'):
        Dynamic.define_event('db_relation_changed', Pong)
    with pytest.raises(RuntimeError, match='identifier'):
        Dynamic.define_event('not-valid', Pong)
    with pytest.raises(RuntimeError, match='keyword'):
        Dynamic.define_event('class', Pong)


def test_events_lists_bound_events_and_prefix_lookup_works(framework: Framework) -> None:
    class Dynamic(ObjectEvents):
        pass

    Dynamic.define_event('db_x_relation_changed', Pong)

    class Emitter(Object):
        on = Dynamic()

    emitter = Emitter(framework, None)
    events = emitter.on.events()
    assert set(events) == {'db_x_relation_changed'}
    assert isinstance(events['db_x_relation_changed'], BoundEvent)
    bound = emitter.on['db-x'].relation_changed
    assert bound.event_kind == 'db_x_relation_changed'
    assert emitter.on is emitter.on  # one ObjectEvents per emitter


def test_an_event_source_needs_an_event_type_and_one_place() -> None:
    with pytest.raises(RuntimeError, match='requires a subclass of EventBase'):
        EventSource(int)  # type: ignore[type-var]
    source = EventSource(Pong)
    with pytest.raises(RuntimeError) as info:
        class Twice(ObjectEvents):  # noqa: F841
            first = source
            second = source
    # Python 3.11 wraps errors raised by __set_name__; 3.12+ raises them as they are.
    assert 'reused as Twice.first and Twice.second' in f'{info.value} {info.value.__cause__}'


# -- commit and rollback ---------------------------------------------------------------


def test_closing_without_commit_keeps_nothing_of_the_dispatch(state_file: Path) -> None:
    framework, demo = dispatch(state_file, defer={1})
    demo._stored.count = 1
    demo.on.ping.emit(1)
    framework.commit()
    framework.close()

    # A second "process" changes everything, then dies without committing.
    framework, demo = dispatch(state_file, defer={2})
    framework.reemit()
    demo._stored.count = 99
    demo.on.ping.emit(2)
    framework.close()

    framework, demo = dispatch(state_file)
    assert demo._stored.count == 1
    assert [notice[0] for notice in framework._storage.notices()] == ['Demo[demo]/on/ping[1]']
    demo.on.pong.emit()
    assert framework._stored['event_count'] == 4  # the lost dispatch's keys are reused
    framework.close()


def test_a_handler_that_raises_leaves_the_store_exactly_as_before(state_file: Path) -> None:
    framework, demo = dispatch(state_file, defer={1})
    demo._stored.count = 1
    demo.on.ping.emit(1)
    framework.commit()
    framework.close()
    before = state_file.read_bytes()

    framework, demo = dispatch(state_file)
    demo.raise_on = 1
    demo._stored.count = 2
    with pytest.raises(RuntimeError, match='handler failed on 1'):
        framework.reemit()
    framework.close()  # what main() does when the dispatch raises
    assert state_file.read_bytes() == before

    framework, demo = dispatch(state_file)
    framework.reemit()
    assert demo.seen == [('Demo[demo]/on/ping[1]', 1)]
    assert demo._stored.count == 1
    framework.close()


def test_commit_emits_pre_commit_then_commit(framework: Framework) -> None:
    order: list[str] = []

    class Listener(Object):
        def _on_pre_commit(self, event: PreCommitEvent) -> None:
            order.append(event.handle.path)

        def _on_commit(self, event: CommitEvent) -> None:
            order.append(event.handle.path)

    listener = Listener(framework, None)
    framework.observe(framework.on.pre_commit, listener._on_pre_commit)
    framework.observe(framework.on.commit, listener._on_commit)
    framework.commit()
    assert order == ['on/pre_commit[1]', 'on/commit[2]']


def test_framework_accepts_a_path_for_its_storage(state_file: Path) -> None:
    framework = Framework(state_file, state_file.parent, None, None)
    assert framework.charm_dir == state_file.parent
    framework.commit()
    framework.close()
    assert state_file.exists()


def test_remove_unreferenced_events_drops_orphan_event_snapshots(
        framework: Framework) -> None:
    framework._storage.save_snapshot('MyCharm/on/start[3]', {})
    framework._storage.save_snapshot('MyCharm/StoredStateData[_stored]', {'x': 1})
    framework.remove_unreferenced_events()
    assert list(framework._storage.list_snapshots()) == ['MyCharm/StoredStateData[_stored]']


# -- debugging -------------------------------------------------------------------------


def test_breakpoint_names_are_validated(framework: Framework) -> None:
    framework.breakpoint('before-restart')  # JUJU_DEBUG_AT unset: nothing happens
    for bad in ('Upper', '-dash', 'dash-', 'under_score'):
        with pytest.raises(ValueError, match='must look like "foo" or "foo-bar"'):
            framework.breakpoint(bad)
    for reserved in ('all', 'hook'):
        with pytest.raises(ValueError, match='reserved'):
            framework.breakpoint(reserved)


def test_a_breakpoint_not_asked_for_is_skipped_with_a_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    framework = Framework(SQLiteStorage(':memory:'), None, None, None,
                          juju_debug_at={'other'})
    with caplog.at_level(logging.WARNING):
        framework.breakpoint('mine')
    assert "Breakpoint 'mine' skipped" in caplog.text


def test_set_breakpointhook_routes_builtin_breakpoint_only_when_debugging() -> None:
    plain = Framework(SQLiteStorage(':memory:'), None, None, None)
    old = plain.set_breakpointhook()
    try:
        assert sys.breakpointhook == plain.breakpoint
        breakpoint()  # JUJU_DEBUG_AT unset: the framework's hook does nothing
    finally:
        sys.breakpointhook = old
    debugging = Framework(SQLiteStorage(':memory:'), None, None, None,
                          juju_debug_at={'all'})
    old = debugging.set_breakpointhook()
    try:
        assert sys.breakpointhook == debugging.breakpoint
    finally:
        sys.breakpointhook = old
